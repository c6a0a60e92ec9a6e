//! The monthly performance report for the hospital board, for the generated
//! national network: KPIs by branch and department against targets and the
//! previous month, trends, next month's forecast and the alerts raised.
//!
//! ```text
//! monthly_report                      # writes examples/output/monthly-report.{html,csv,json}
//! monthly_report OUT_DIR --seed 7     # another directory and seed
//! ```
//!
//! The report is for the last full month of the generated year. The HTML is
//! one self-contained file (inline CSS and SVG, no script, nothing fetched):
//! open it in any browser, offline.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Datelike, Months, TimeDelta};
use hutano::core::generate::{generate, GeneratorConfig};
use hutano::forecast::report::{MonthlyReport, ReportConfig, ReportKpi};

struct Args {
    out: PathBuf,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        out: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/output")),
        seed: 42,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" => {
                let v = it.next().ok_or("--seed needs a value")?;
                a.seed = v.parse().map_err(|_| format!("--seed: {v:?} is not a number"))?;
            }
            "-h" | "--help" => return Err("usage: monthly_report [OUT_DIR] [--seed N]".into()),
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            other => a.out = PathBuf::from(other),
        }
    }
    Ok(a)
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = GeneratorConfig::national(args.seed);
    let net = generate(&config)?;
    // The data cover [start, start + days): the last full month is the one
    // before the month the data end in.
    let end = config.start + TimeDelta::days(i64::from(config.days));
    let month = end
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(1)))
        .ok_or("no full month in the data")?;
    let report_config = ReportConfig {
        currency: Some("USD".into()),
        ..ReportConfig::default()
    };
    let report = MonthlyReport::build(&net, month, &report_config)?;
    std::fs::create_dir_all(&args.out)?;
    let html = args.out.join("monthly-report.html");
    let csv = args.out.join("monthly-report.csv");
    let json = args.out.join("monthly-report.json");
    std::fs::write(&html, report.to_html())?;
    std::fs::write(&csv, report.to_csv())?;
    std::fs::write(&json, report.to_json()?)?;
    println!(
        "{}: {} ({} branches, {} departments, {} encounters)",
        net.name,
        month.format("%B %Y"),
        net.branches.len(),
        net.departments.len(),
        net.encounters.len()
    );
    for kpi in ReportKpi::ALL {
        let row = report.row(hutano::forecast::report::Level::Network, "", kpi);
        println!(
            "  {:<32} {:>12}   previous {:>12}",
            kpi.label(),
            row.and_then(|r| r.value).map_or("-".into(), |v| format!("{v:.4}")),
            row.and_then(|r| r.previous).map_or("-".into(), |v| format!("{v:.4}")),
        );
    }
    if let Some(f) = report.forecasts.first() {
        println!(
            "  forecast {}: {:.0} admissions (80%: {:.0}-{:.0}), mean occupancy {:.1}%",
            f.month.format("%B %Y"),
            f.admissions,
            f.admissions_lo80,
            f.admissions_hi80,
            f.occupancy_rate
        );
    }
    println!("  alerts raised: {}", report.alerts.len());
    for p in [&html, &csv, &json] {
        println!("wrote {}", p.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
