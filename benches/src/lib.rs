//! Shared pieces of hutano's benchmarks: the KPI suite that the `DuckDB` and
//! polars scripts in `benches/python` compute side by side.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hutano::core::kpi::{AlosVariant, Dimension, Engine, Grain, MortalityRules, Period, Query, ReadmissionRules};
use hutano::core::table::{Column, Table, Values};

/// The benchmark period: calendar year 2024.
///
/// # Panics
/// Never: the dates are constants.
#[must_use]
pub fn bench_period() -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"),
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
    )
    .expect("non-empty period")
}

/// The KPI suite by branch and month: admissions, discharges, occupied and
/// available bed-days, occupancy, ALOS, deaths and mortality, 30-day
/// readmissions. One row per (branch, month) that has any of them.
///
/// # Errors
/// Whatever the KPI engine returns for an invalid query (none for this one).
pub fn kpi_suite(engine: &Engine<'_>, period: Period) -> hutano::Result<Table> {
    let q = Query::new(period).group_by([Dimension::Branch]).grain(Grain::Month);
    let parts = [
        (engine.admissions(&q)?, vec!["admissions", "discharges"]),
        (
            engine.bed_utilisation(&q)?,
            vec!["occupied_bed_days", "available_bed_days", "occupancy_rate"],
        ),
        (engine.alos(&q, AlosVariant::AllStays)?, vec!["alos"]),
        (
            engine.mortality(&q, MortalityRules::default())?,
            vec!["deaths", "mortality_rate"],
        ),
        (
            engine.readmissions(&q, &ReadmissionRules::default())?,
            vec!["index_stays", "readmissions", "readmission_rate"],
        ),
    ];
    let order = [
        "admissions",
        "discharges",
        "occupied_bed_days",
        "alos",
        "deaths",
        "mortality_rate",
        "index_stays",
        "readmissions",
        "readmission_rate",
        "available_bed_days",
        "occupancy_rate",
    ];
    let mut rows: BTreeMap<(String, NaiveDate), BTreeMap<&str, f64>> = BTreeMap::new();
    for (t, cols) in &parts {
        let branches = t.texts("branch").unwrap_or_default();
        let starts = t.dates("period_start").unwrap_or_default();
        for c in cols {
            let v = t.f64s(c).unwrap_or_default();
            for i in 0..t.len() {
                rows.entry((branches[i].clone(), starts[i]))
                    .or_default()
                    .insert(c, v[i]);
            }
        }
    }
    let is_count = |c: &str| !matches!(c, "alos" | "mortality_rate" | "readmission_rate" | "occupancy_rate");
    let mut out = Table::default();
    out.columns.push(Column {
        name: "branch".into(),
        values: Values::Text(rows.keys().map(|k| k.0.clone()).collect()),
    });
    out.columns.push(Column {
        name: "period_start".into(),
        values: Values::Date(rows.keys().map(|k| k.1).collect()),
    });
    for c in order {
        let fill = if is_count(c) { 0.0 } else { f64::NAN };
        out.columns.push(Column {
            name: c.into(),
            values: Values::Float(rows.values().map(|m| m.get(c).copied().unwrap_or(fill)).collect()),
        });
    }
    Ok(out)
}

/// The value after `name` in command-line arguments (`--h 14` gives `"14"`).
#[must_use]
pub fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
