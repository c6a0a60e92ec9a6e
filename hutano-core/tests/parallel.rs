//! Parallel results equal serial results, bit for bit, including
//! floating-point sums: the KPI engine accumulates in fixed chunks and adds
//! the chunks in order, whatever the number of threads.

// Test code: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use hutano_core::generate::{generate, GeneratorConfig};
use hutano_core::kpi::{AlosVariant, Dimension, Engine, Grain, MortalityRules, Period, Query, ReadmissionRules};
use hutano_core::table::Table;

fn all(net: &hutano_core::model::Network) -> Vec<Table> {
    let e = Engine::new(net).unwrap();
    let p = Period::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 7, 1).unwrap(),
    )
    .unwrap();
    let q = Query::new(p)
        .group_by([Dimension::Branch, Dimension::Payer])
        .grain(Grain::Month);
    let beds = Query::new(p).group_by([Dimension::Department]).grain(Grain::Week);
    vec![
        e.finance(&q).unwrap(),
        e.discharge_timing(&q).unwrap(),
        e.alos(&q, AlosVariant::OvernightOnly).unwrap(),
        e.mortality(&q, MortalityRules::default()).unwrap(),
        e.readmissions(&q, &ReadmissionRules::default()).unwrap(),
        e.admissions(&q).unwrap(),
        e.icu_days(&q).unwrap(),
        e.census_daily(&beds).unwrap(),
        e.bed_utilisation(&beds).unwrap(),
        e.peak_hours(&q).unwrap(),
    ]
}

#[test]
fn one_thread_and_two_threads_give_identical_tables() {
    // Half a year of the Indian network is about 13,000 encounters; scale it
    // past several 65,536-record chunks.
    let net = generate(&GeneratorConfig::india_four_branch(11).days(181).admission_scale(10.0)).unwrap();
    assert!(net.encounters.len() > 3 * 65_536, "{} encounters", net.encounters.len());
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| all(&net))
    };
    let one = run(1);
    let two = run(2);
    for (a, b) in one.iter().zip(&two) {
        // `PartialEq` on tables compares every f64 exactly (NaN aside, which
        // only appears in the same cells of both).
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
