//! The monthly board report of the generated national network: every number
//! equals the KPI engine's, computed here independently, in the report's
//! data, its CSV, its JSON and its HTML; the HTML is self-contained.
//!
//! Values are compared exactly: the report and these references run the same
//! engine arithmetic on the same stays, so any difference is a bug.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use hutano_core::generate::{generate, GeneratorConfig};
use hutano_core::kpi::{AlosVariant, Dimension, Engine, Grain, MortalityRules, Period, Query, ReadmissionRules};
use hutano_core::model::Network;
use hutano_core::table::Table;
use hutano_forecast::report::{Level, MonthlyReport, ReportConfig, ReportKpi};

fn network() -> &'static Network {
    static NET: OnceLock<Network> = OnceLock::new();
    NET.get_or_init(|| generate(&GeneratorConfig::national(2024)).unwrap())
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The national network covers 2024-01-01 to 2024-12-30 (365 days of a leap
/// year): the last full month is November.
fn report() -> &'static MonthlyReport {
    static REPORT: OnceLock<MonthlyReport> = OnceLock::new();
    REPORT.get_or_init(|| {
        let config = ReportConfig {
            currency: Some("USD".into()),
            ..ReportConfig::default()
        };
        MonthlyReport::build(network(), d(2024, 11, 1), &config).unwrap()
    })
}

/// The engine's value of a report KPI, by the engine method itself, keyed
/// by the group label ("" for the network).
fn engine_values(
    engine: &Engine<'_>,
    kpi: ReportKpi,
    dims: &[Dimension],
    period: Period,
    grain: Grain,
) -> HashMap<(String, NaiveDate), f64> {
    let q = Query::new(period).grain(grain).group_by(dims.iter().copied());
    let (t, col): (Table, &str) = match kpi {
        ReportKpi::Admissions => (engine.admissions(&q).unwrap(), "admissions"),
        ReportKpi::Discharges => (engine.admissions(&q).unwrap(), "discharges"),
        ReportKpi::OccupancyRate => (engine.bed_utilisation(&q).unwrap(), "occupancy_rate"),
        ReportKpi::Alos => (engine.alos(&q, AlosVariant::AllStays).unwrap(), "alos"),
        ReportKpi::ReadmissionRate => (
            engine.readmissions(&q, &ReadmissionRules::default()).unwrap(),
            "readmission_rate",
        ),
        ReportKpi::MortalityRate => (
            engine.mortality(&q, MortalityRules::default()).unwrap(),
            "mortality_rate",
        ),
        ReportKpi::BeforeNoonShare => (engine.discharge_timing(&q).unwrap(), "before_noon_share"),
        ReportKpi::DischargeToBillingHours => (engine.discharge_timing(&q).unwrap(), "discharge_to_billing_median_h"),
        ReportKpi::CostPerDischarge => (engine.finance(&q).unwrap(), "cost_per_discharge"),
        _ => unreachable!("a new report KPI needs its reference here"),
    };
    let values = t.f64s(col).unwrap();
    let starts = t.dates("period_start").unwrap();
    let labels: Option<&[String]> = dims.first().map(|dim| t.texts(dim.name()).unwrap());
    (0..t.len())
        .filter(|&i| values[i].is_finite())
        .map(|i| ((labels.map_or(String::new(), |l| l[i].clone()), starts[i]), values[i]))
        .collect()
}

/// (level, code, kpi) → (value, previous).
type Expected = HashMap<(Level, String, ReportKpi), (Option<f64>, Option<f64>)>;

/// Every (level, code, kpi) → (value, previous) of the engine.
fn expected() -> Expected {
    let net = network();
    let engine = Engine::new(net).unwrap();
    let nov = Period::new(d(2024, 11, 1), d(2024, 12, 1)).unwrap();
    let oct = Period::new(d(2024, 10, 1), d(2024, 11, 1)).unwrap();
    let mut out = HashMap::new();
    for (level, dims, codes) in [
        (Level::Network, vec![], vec![String::new()]),
        (
            Level::Branch,
            vec![Dimension::Branch],
            net.branches.iter().map(|b| b.code.clone()).collect(),
        ),
        (
            Level::Department,
            vec![Dimension::Department],
            net.departments.iter().map(|b| b.code.clone()).collect(),
        ),
    ] {
        for kpi in ReportKpi::ALL {
            let now = engine_values(&engine, kpi, &dims, nov, Grain::Period);
            let before = engine_values(&engine, kpi, &dims, oct, Grain::Period);
            for code in &codes {
                out.insert(
                    (level, code.clone(), kpi),
                    (
                        now.get(&(code.clone(), nov.start())).copied(),
                        before.get(&(code.clone(), oct.start())).copied(),
                    ),
                );
            }
        }
    }
    out
}

fn code(level: Level, branch: &str, department: &str) -> String {
    match level {
        Level::Network => String::new(),
        Level::Branch => branch.to_string(),
        Level::Department => department.to_string(),
    }
}

#[test]
fn every_kpi_equals_the_engine() {
    let r = report();
    let exp = expected();
    assert_eq!(r.kpis.len(), exp.len());
    let mut compared = 0;
    for row in &r.kpis {
        let key = (row.level, code(row.level, &row.branch, &row.department), row.kpi);
        let (value, previous) = exp[&key];
        // The same engine, the same arithmetic: exactly equal.
        assert_eq!(row.value, value, "{key:?}");
        assert_eq!(row.previous, previous, "{key:?}");
        compared += usize::from(value.is_some());
    }
    // Most cells have data (ICU departments have no occupancy of other beds, etc.).
    assert!(compared > r.kpis.len() * 3 / 4, "{compared} of {}", r.kpis.len());
    let occ = r.network_value(ReportKpi::OccupancyRate).unwrap();
    assert!(occ > 50.0 && occ < 110.0, "{occ}");
    // Department rows name their branch.
    for row in r.kpis.iter().filter(|k| k.level == Level::Department) {
        assert!(row.department.starts_with(&row.branch), "{row:?}");
    }
}

#[test]
fn trends_equal_the_engine_by_month() {
    let r = report();
    let engine = Engine::new(network()).unwrap();
    let year = Period::new(d(2024, 1, 1), d(2024, 12, 1)).unwrap();
    for kpi in ReportKpi::ALL {
        let net = engine_values(&engine, kpi, &[], year, Grain::Month);
        let by_branch = engine_values(&engine, kpi, &[Dimension::Branch], year, Grain::Month);
        for t in r.trends.iter().filter(|t| t.kpi == kpi) {
            // January to November: the data start in January 2024.
            assert_eq!(t.months.len(), 11);
            assert_eq!(t.months[0], d(2024, 1, 1));
            for (m, v) in t.months.iter().zip(&t.values) {
                let source = if t.level == Level::Network { &net } else { &by_branch };
                assert_eq!(
                    *v,
                    source.get(&(t.branch.clone(), *m)).copied(),
                    "{kpi:?} {} {m}",
                    t.branch
                );
            }
        }
    }
    // The report month's trend point is the month's value.
    let t = r.trend("", ReportKpi::Admissions).unwrap();
    assert_eq!(*t.values.last().unwrap(), r.network_value(ReportKpi::Admissions));
}

/// Split a CSV line (the report quotes only the detail column).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    cells.push(cur);
    cells
}

#[test]
fn csv_numbers_equal_the_engine() {
    let r = report();
    let exp = expected();
    let csv = r.to_csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "section,branch,department,kpi,period,value,target,previous,detail"
    );
    let parse = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
    let mut kpi_rows = 0;
    let mut sections = HashMap::new();
    for line in lines {
        let c = split_csv(line);
        assert_eq!(c.len(), 9, "{line}");
        *sections.entry(c[0].clone()).or_insert(0) += 1;
        if c[0] != "kpi" {
            continue;
        }
        let level = match c[8].as_str() {
            "network" => Level::Network,
            "branch" => Level::Branch,
            _ => Level::Department,
        };
        let kpi = ReportKpi::ALL.into_iter().find(|k| k.name() == c[3]).unwrap();
        let (value, previous) = exp[&(level, code(level, &c[1], &c[2]), kpi)];
        assert_eq!(parse(&c[5]), value, "{line}");
        assert_eq!(parse(&c[7]), previous, "{line}");
        assert_eq!(c[4], "2024-11-01");
        kpi_rows += 1;
    }
    assert_eq!(kpi_rows, exp.len());
    assert_eq!(sections["trend"], r.trends.len() * 11);
    assert_eq!(sections["forecast"], r.forecasts.len() * 7);
    assert_eq!(sections.get("alert").copied().unwrap_or(0), r.alerts.len());
}

#[test]
fn json_round_trips() {
    let r = report();
    let json = r.to_json().unwrap();
    let back: MonthlyReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.kpis, r.kpis);
    assert_eq!(back.trends, r.trends);
    assert_eq!(back.alerts, r.alerts);
    assert_eq!(back.month, r.month);
}

/// `(data-kpi, data-level, data-code, data-value)` of every tagged element.
fn html_values(html: &str) -> Vec<(String, String, String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let i = tag.find(&key)? + key.len();
        Some(tag[i..i + tag[i..].find('"')?].to_string())
    };
    html.split('<')
        .filter(|t| t.contains("data-kpi=\""))
        .map(|t| {
            (
                attr(t, "data-kpi").unwrap(),
                attr(t, "data-level").unwrap(),
                attr(t, "data-code").unwrap(),
                attr(t, "data-value").unwrap(),
            )
        })
        .collect()
}

#[test]
fn html_numbers_equal_the_engine() {
    let r = report();
    let exp = expected();
    let html = r.to_html();
    let cells = html_values(&html);
    // Every branch and department cell, the network row and the cards.
    let n_units = 1 + network().branches.len() + network().departments.len();
    assert_eq!(cells.len(), (n_units + 1) * ReportKpi::ALL.len());
    for (kpi, level, code, value) in cells {
        let level = match level.as_str() {
            "network" => Level::Network,
            "branch" => Level::Branch,
            _ => Level::Department,
        };
        let kpi = ReportKpi::ALL.into_iter().find(|k| k.name() == kpi).unwrap();
        let expected = exp[&(level, code.clone(), kpi)].0;
        let got = (!value.is_empty()).then(|| value.parse::<f64>().unwrap());
        assert_eq!(got, expected, "{kpi:?} {level:?} {code}");
    }
    // The displayed network occupancy is the engine's, rounded.
    let occ = exp[&(Level::Network, String::new(), ReportKpi::OccupancyRate)]
        .0
        .unwrap();
    assert!(html.contains(&format!("{occ:.1}%")));
}

#[test]
fn html_is_self_contained_with_tables_and_charts() {
    let r = report();
    let html = r.to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.ends_with("</html>"));
    for banned in [
        "http://", "https://", "<script", "<link", "@import", "url(", "<img", "<iframe",
    ] {
        assert!(!html.contains(banned), "{banned}");
    }
    // Four branch comparisons, nine network trends, occupancy by branch,
    // two forecast charts: one <svg> each, each with a title.
    assert_eq!(html.matches("<svg").count(), 16);
    assert_eq!(html.matches("</svg>").count(), 16);
    assert_eq!(html.matches(r#"role="img" aria-label=""#).count(), 16);
    for heading in [
        "Network at a glance",
        "KPIs by branch",
        "Trends",
        "Forecast for December 2024",
        "Alerts raised in November 2024",
        "KPIs by department",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    assert_eq!(html.matches("<table>").count(), html.matches("</table>").count());
    assert!(html.matches("<table>").count() >= 4);
    // Every branch and every department has a row.
    for b in &network().branches {
        assert!(html.contains(&format!("data-code=\"{}\"", b.code)), "{}", b.code);
    }
    // No patient identifier anywhere.
    assert!(!html.contains("P000"));
}

#[test]
fn forecast_and_alerts_are_consistent() {
    let r = report();
    assert_eq!(r.forecasts.len(), 1 + network().branches.len());
    let total = &r.forecasts[0];
    assert!(total.branch.is_empty());
    assert_eq!(total.month, d(2024, 12, 1));
    let sum: f64 = r.forecasts[1..].iter().map(|f| f.admissions).sum();
    assert!((total.admissions - sum).abs() < 1e-6);
    for f in &r.forecasts {
        assert!(
            f.admissions_lo80 <= f.admissions && f.admissions <= f.admissions_hi80,
            "{f:?}"
        );
        assert!(f.mean_census > 0.0 && f.beds > 0.0, "{f:?}");
    }
    // Monthly admissions forecast in the right range of November's actual.
    let nov = r.network_value(ReportKpi::Admissions).unwrap();
    assert!(
        (total.admissions / nov - 1.0).abs() < 0.3,
        "{} vs {nov}",
        total.admissions
    );
    // Alerts were raised in November, at the midnights ending its days.
    for a in &r.alerts {
        assert!(a.started > d(2024, 11, 1).and_hms_opt(0, 0, 0).unwrap());
        assert!(a.started <= d(2024, 12, 1).and_hms_opt(0, 0, 0).unwrap());
    }
    // No two alerts of the same rule and subject are active at once.
    for (i, a) in r.alerts.iter().enumerate() {
        for b in &r.alerts[i + 1..] {
            if a.rule == b.rule && a.subject == b.subject {
                assert!(a.ended.is_some_and(|e| e <= b.started), "{a:?} {b:?}");
            }
        }
    }
}
