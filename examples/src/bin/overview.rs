//! KPI overview of a hospital network, with the load report.
//!
//! ```text
//! overview                                   # generate the national network (seed 42), round-trip it through CSV
//! overview --seed 7 --preset india           # the four-branch Indian network
//! overview --file FILE.csv|FILE.xlsx --site SITE.json   # a hospital's own export
//! ```
//!
//! `SITE.json` declares the network skeleton and the column mapping; see
//! `examples/sites/hdhi.json` for the HDHI cardiac-unit file in `../shared/data`.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::ingest::{self, LoadReport};
use hutano::core::kpi::{AlosVariant, Dimension, Engine, MortalityRules, Period, Query, ReadmissionRules};
use hutano::core::model::Network;
use hutano::core::table::{Table, Values};

struct Args {
    seed: u64,
    india: bool,
    file: Option<PathBuf>,
    site: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        seed: 42,
        india: false,
        file: None,
        site: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seed" => a.seed = val()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--preset" => a.india = val()? == "india",
            "--file" => a.file = Some(PathBuf::from(val()?)),
            "--site" => a.site = Some(PathBuf::from(val()?)),
            "-h" | "--help" => {
                return Err("usage: overview [--seed N] [--preset national|india] [--file F --site S.json]".into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn load_file(file: &PathBuf, site: &PathBuf) -> Result<(Network, LoadReport), Box<dyn std::error::Error>> {
    let site = ingest::Site::from_json(&std::fs::read_to_string(site)?)?;
    Ok(site.load(file)?)
}

/// Generate a network and push its encounters through the CSV export and
/// ingestion, as a hospital's file would go.
fn generated(seed: u64, india: bool) -> Result<(Network, LoadReport, Period), Box<dyn std::error::Error>> {
    let config = if india {
        GeneratorConfig::india_four_branch(seed)
    } else {
        GeneratorConfig::national(seed)
    };
    let full = generate(&config)?;
    let mut csv = Vec::new();
    hutano::core::export::write_encounters_csv(&full, &mut csv)?;
    let mut net = full.clone();
    net.encounters.clear();
    net.patients.clear();
    net.bills.clear();
    net.procedures.clear();
    let report =
        ingest::load_encounters_csv_reader(&mut net, &csv[..], &hutano::core::export::encounter_export_mapping())?;
    // The round trip keeps the discharging department only; use the generated
    // encounters (with their transfers, bills and procedures) for the KPIs.
    assert_eq!(net.encounters.len(), full.encounters.len());
    // The generator warms up before `start` so the census starts at a normal
    // level; report the configured period only.
    let end = config.start + chrono::Days::new(u64::from(config.days));
    Ok((full, report, Period::new(config.start, end)?))
}

fn data_period(net: &Network) -> Option<Period> {
    let first = net.encounters.iter().map(|e| e.admit.date()).min()?;
    let last = net.encounters.iter().map(|e| e.admit.date()).max()?;
    Period::new(first, last.succ_opt().unwrap_or(NaiveDate::MAX)).ok()
}

/// Join KPI tables that share their leading dimension columns.
fn overview(engine: &Engine<'_>, q: &Query, with_beds: bool) -> hutano::Result<Table> {
    let adm = engine.admissions(q)?;
    let alos = engine.alos(q, AlosVariant::AllStays)?;
    let mort = engine.mortality(q, MortalityRules::default())?;
    let readm = engine.readmissions(q, &ReadmissionRules::default())?;
    let dims: Vec<&str> = q.group_by.iter().map(|d| d.name()).collect();
    let key = |t: &Table, i: usize| -> Vec<String> {
        dims.iter()
            .map(|d| t.texts(d).map_or(String::new(), |v| v[i].clone()))
            .collect()
    };
    let lookup = |t: &Table, col: &str| -> std::collections::HashMap<Vec<String>, f64> {
        let v = t.f64s(col).unwrap_or_default();
        (0..t.len()).map(|i| (key(t, i), v[i])).collect()
    };
    let mut cols: Vec<(&str, std::collections::HashMap<Vec<String>, f64>)> = vec![
        ("admissions", lookup(&adm, "admissions")),
        ("emergency_share", lookup(&adm, "emergency_share")),
        ("discharges", lookup(&adm, "discharges")),
        ("alos", lookup(&alos, "alos")),
        ("mortality", lookup(&mort, "mortality_rate")),
        ("readmit_30d", lookup(&readm, "readmission_rate")),
    ];
    if with_beds {
        let util = engine.bed_utilisation(q)?;
        cols.push(("occupancy_%", lookup(&util, "occupancy_rate")));
        cols.push(("turnover_interval", lookup(&util, "turnover_interval_days")));
    }
    let keys: Vec<Vec<String>> = (0..adm.len()).map(|i| key(&adm, i)).collect();
    let mut t = Table::default();
    for (j, d) in dims.iter().enumerate() {
        t.columns.push(hutano::core::table::Column {
            name: (*d).to_string(),
            values: Values::Text(keys.iter().map(|k| k[j].clone()).collect()),
        });
    }
    for (name, m) in cols {
        t.columns.push(hutano::core::table::Column {
            name: name.to_string(),
            values: Values::Float(keys.iter().map(|k| m.get(k).copied().unwrap_or(f64::NAN)).collect()),
        });
    }
    Ok(t)
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let (net, report, period) = match (&args.file, &args.site) {
        (Some(f), Some(s)) => {
            let (net, report) = load_file(f, s)?;
            let period = data_period(&net).ok_or("no encounters loaded")?;
            (net, report, period)
        }
        (None, None) => generated(args.seed, args.india)?,
        _ => return Err("--file and --site go together".into()),
    };
    println!("== {} ==", net.name);
    print!("load report: {report}");
    for r in report.rejects.iter().take(10) {
        println!("  {r}");
    }
    if report.rejects.len() > 10 {
        println!("  ... and {} more", report.rejects.len() - 10);
    }
    println!(
        "period [{}, {}), {} encounters, {} patients\n",
        period.start(),
        period.end(),
        net.encounters.len(),
        net.patients.len()
    );
    let engine = Engine::new(&net)?;
    let with_beds = !net.beds.is_empty();
    let by_branch = Query::new(period).group_by([Dimension::Branch]);
    println!("KPIs by branch\n{}", overview(&engine, &by_branch, with_beds)?);
    let by_dept = Query::new(period).group_by([Dimension::Department]);
    println!("KPIs by department\n{}", overview(&engine, &by_dept, with_beds)?);
    forecast_admissions(&engine, period)?;
    Ok(())
}

/// Forecast the network's daily admissions for the week after the period
/// with the random-forest forecaster, 80% and 95% intervals.
fn forecast_admissions(engine: &Engine<'_>, period: Period) -> Result<(), Box<dyn std::error::Error>> {
    use hutano::forecast::forecast::{Fit, Predict, SeriesView};
    use hutano::forecast::panel::Panel;
    use hutano::forecast::trees::ForestForecaster;

    let daily = engine.admissions(&Query::new(period).grain(hutano::core::kpi::Grain::Day))?;
    let panel = Panel::from_daily_table(&daily, &[], "period_start", "admissions")?;
    let Some(series) = panel.series.first() else {
        return Ok(());
    };
    // Holidays of the branches' country, known from their time zone.
    let country = match engine.network().branches.first().map(|b| b.timezone) {
        Some(chrono_tz::Africa::Harare) => Some(hutano::core::calendar::Country::Zimbabwe),
        Some(chrono_tz::Asia::Kolkata) => Some(hutano::core::calendar::Country::India),
        _ => None,
    };
    let mut model = ForestForecaster::default();
    model.features.calendar = country.map(hutano::core::calendar::Calendar::national);
    let view = SeriesView::new(&series.y, series.start, series.freq);
    let forecast = match model.fit_series(view) {
        Ok(fitted) => fitted.predict(7, &[80.0, 95.0])?.non_negative(),
        Err(e) => {
            println!("no admissions forecast: {e}");
            return Ok(());
        }
    };
    println!(
        "Admissions forecast, whole network (random forest, split-conformal intervals{})",
        if country.is_some() { ", national holidays" } else { "" }
    );
    println!(
        "{:>10}  {:>8}  {:>15}  {:>15}",
        "date", "forecast", "80% interval", "95% interval"
    );
    for t in 0..forecast.len() {
        println!(
            "{:>10}  {:>8.1}  {:>6.1} - {:>6.1}  {:>6.1} - {:>6.1}",
            series.ds(series.y.len() + t).date(),
            forecast.point[t],
            forecast.lower[0][t],
            forecast.upper[0][t],
            forecast.lower[1][t],
            forecast.upper[1][t]
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
