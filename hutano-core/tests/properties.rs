//! Invariants of the KPI engine on random networks (proptest).

// Test code: unwrap is the assertion, and the fixtures are small enough for any cast.
#![allow(
    clippy::float_cmp,
    clippy::single_match_else,
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::many_single_char_names,
    clippy::too_many_lines
)]

use chrono::{Duration, NaiveDate, NaiveDateTime};
use hutano_core::kpi::{AlosVariant, Dimension, Engine, Grain, MortalityRules, Period, Query, ReadmissionRules};
use hutano_core::model::{
    AdmissionType, BedBlock, BedType, Branch, BranchId, BranchKind, DepartmentId, Encounter, Network, Outcome, Patient,
    PatientId, Placement, Sex, WardId,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct RawStay {
    patient: u32,
    branch: u32,
    admit_min: i64,
    los_min: Option<i64>,
    transfers: Vec<(i64, u32)>,
    adm_type: u8,
    outcome: u8,
    age: u16,
    sex: u8,
    planned: bool,
}

fn raw_stay() -> impl Strategy<Value = RawStay> {
    (
        0u32..12,
        0u32..2,
        0i64..(60 * 1440),
        prop::option::weighted(0.9, 0i64..(20 * 1440)),
        prop::collection::vec((0i64..(5 * 1440), 0u32..2), 0..3),
        0u8..4,
        0u8..5,
        0u16..100,
        0u8..3,
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(patient, branch, admit_min, los_min, transfers, adm_type, outcome, age, sex, planned)| RawStay {
                patient,
                branch,
                admit_min,
                los_min,
                transfers,
                adm_type,
                outcome,
                age,
                sex,
                planned,
            },
        )
}

fn base() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

/// Two branches, each with two departments of one ward each, beds in both.
fn build(stays: &[RawStay]) -> Network {
    let mut net = Network::new("prop");
    for b in 0..2 {
        let br = net.add_branch(Branch {
            code: format!("B{b}"),
            name: format!("B{b}"),
            kind: BranchKind::District,
            timezone: chrono_tz::Africa::Harare,
            rural: b == 1,
            location: None,
        });
        for d in 0..2 {
            let dept = net.add_department(br, format!("B{b}-D{d}"), "d");
            let ward = net.add_ward(dept, format!("B{b}-D{d}-W"), "w");
            net.beds.push(BedBlock {
                ward,
                bed_type: if d == 0 { BedType::General } else { BedType::Icu },
                count: 5 + d,
                ventilator_capable: d == 1,
                in_service_from: None,
                in_service_until: Some(NaiveDate::from_ymd_opt(2024, 2, 10).unwrap()),
            });
        }
    }
    for p in 0..12 {
        net.patients.push(Patient {
            pseudonym: format!("p{p}"),
        });
    }
    for (i, s) in stays.iter().enumerate() {
        let admit = base() + Duration::minutes(s.admit_min);
        let discharge = s.los_min.map(|l| admit + Duration::minutes(l));
        let dept_of = |d: u32| DepartmentId(s.branch * 2 + d);
        let mut placements = vec![Placement {
            start: admit,
            department: dept_of(0),
            ward: Some(WardId(s.branch * 2)),
            bed_type: BedType::General,
        }];
        let mut at = admit;
        for (gap, d) in &s.transfers {
            at += Duration::minutes(*gap);
            if discharge.is_some_and(|x| at > x) {
                break;
            }
            placements.push(Placement {
                start: at,
                department: dept_of(*d),
                ward: Some(WardId(s.branch * 2 + d)),
                bed_type: if *d == 0 { BedType::General } else { BedType::Icu },
            });
        }
        let outcomes = [
            Outcome::Recovered,
            Outcome::Improved,
            Outcome::Transferred,
            Outcome::LeftAgainstAdvice,
            Outcome::Deceased,
        ];
        net.encounters.push(Encounter {
            id: format!("E{i:04}"),
            patient: PatientId(s.patient),
            branch: BranchId(s.branch),
            admit,
            discharge,
            admission_type: [
                AdmissionType::Emergency,
                AdmissionType::Elective,
                AdmissionType::TransferIn,
                AdmissionType::DayCase,
            ][s.adm_type as usize],
            placements,
            diagnosis_code: None,
            diagnosis_category: Some(["cardiac", "respiratory"][i % 2].to_string()),
            age: Some(s.age),
            sex: [Sex::Female, Sex::Male, Sex::Unknown][s.sex as usize],
            payer: None,
            residence: None,
            outcome: discharge.map(|_| outcomes[s.outcome as usize]),
            attending: None,
            discharge_order: None,
            billing_closed: None,
            planned_readmission: s.planned,
            icu_days: None,
        });
    }
    net
}

fn period() -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
        NaiveDate::from_ymd_opt(2024, 2, 20).unwrap(),
    )
    .unwrap()
}

fn all_tables(e: &Engine<'_>, q: &Query) -> Vec<hutano_core::table::Table> {
    vec![
        e.census_daily(q).unwrap(),
        e.bed_days(q).unwrap(),
        e.alos(q, AlosVariant::AllStays).unwrap(),
        e.alos(q, AlosVariant::OvernightOnly).unwrap(),
        e.admissions(q).unwrap(),
        e.mortality(q, MortalityRules::default()).unwrap(),
        e.readmissions(q, &ReadmissionRules::default()).unwrap(),
        e.discharge_timing(q).unwrap(),
        e.peak_hours(q).unwrap(),
    ]
}

fn approx_eq(a: &hutano_core::table::Table, b: &hutano_core::table::Table) -> bool {
    a.names() == b.names()
        && a.names().iter().all(|n| match (a.f64s(n), b.f64s(n)) {
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(&y)
                        .all(|(p, q)| (p.is_nan() && q.is_nan()) || (p - q).abs() <= 1e-9 * p.abs().max(1.0))
            }
            _ => a.column(n) == b.column(n),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn census_is_never_negative_and_sums_to_bed_days(stays in prop::collection::vec(raw_stay(), 0..40)) {
        let net = build(&stays);
        let e = Engine::new(&net).unwrap();
        for dims in [vec![], vec![Dimension::Ward], vec![Dimension::Branch, Dimension::BedType]] {
            let q = Query::new(period()).group_by(dims);
            let c = e.census_daily(&q).unwrap();
            let mid = c.f64s("midnight_census").unwrap();
            let peak = c.f64s("peak_census").unwrap();
            prop_assert!(mid.iter().all(|x| *x >= 0.0));
            prop_assert!(peak.iter().all(|x| *x >= 0.0));
            let bd = e.bed_days(&q).unwrap().sum("occupied_bed_days").unwrap();
            prop_assert_eq!(bd, mid.iter().sum::<f64>());
            let h = e.census_hourly(&q).unwrap();
            prop_assert!(h.f64s("census").unwrap().iter().all(|x| *x >= 0.0));
        }
    }

    #[test]
    fn peak_is_at_least_the_censuses_that_bound_the_day(stays in prop::collection::vec(raw_stay(), 0..40)) {
        let net = build(&stays);
        let e = Engine::new(&net).unwrap();
        let q = Query::new(period());
        let c = e.census_daily(&q).unwrap();
        let mid = c.f64s("midnight_census").unwrap();
        let peak = c.f64s("peak_census").unwrap();
        let hourly = e.census_hourly(&q).unwrap().f64s("census").unwrap();
        for d in 0..mid.len() {
            // Every hourly census of the day is at most the day's exact peak.
            let max_hour = hourly[d * 24..(d + 1) * 24].iter().copied().fold(0.0, f64::max);
            prop_assert!(peak[d] >= max_hour, "day {} peak {} hourly max {}", d, peak[d], max_hour);
            // The midnight ending a day is the start of the next.
            if d + 1 < mid.len() {
                prop_assert_eq!(mid[d], hourly[(d + 1) * 24]);
            }
        }
    }

    #[test]
    fn kpis_ignore_row_order(stays in prop::collection::vec(raw_stay(), 0..40), seed in any::<u64>()) {
        let net = build(&stays);
        let mut shuffled = stays.clone();
        // Deterministic shuffle from the seed; ids move with their stays.
        let mut order: Vec<usize> = (0..stays.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        shuffled = order.iter().map(|&i| shuffled[i].clone()).collect();
        let mut net2 = build(&shuffled);
        for (k, &i) in order.iter().enumerate() {
            net2.encounters[k].id = format!("E{i:04}");
            net2.encounters[k].diagnosis_category = net.encounters[i].diagnosis_category.clone();
        }
        let (e1, e2) = (Engine::new(&net).unwrap(), Engine::new(&net2).unwrap());
        for dims in [vec![], vec![Dimension::Department, Dimension::AgeBand]] {
            for grain in [Grain::Period, Grain::Week] {
                let q = Query::new(period()).group_by(dims.clone()).grain(grain);
                for (a, b) in all_tables(&e1, &q).iter().zip(all_tables(&e2, &q).iter()) {
                    prop_assert!(approx_eq(a, b), "{}\n---\n{}", a, b);
                }
            }
        }
    }

    #[test]
    fn grouped_results_add_back_to_the_total(stays in prop::collection::vec(raw_stay(), 0..40)) {
        let net = build(&stays);
        let e = Engine::new(&net).unwrap();
        let total = Query::new(period());
        for dims in [vec![Dimension::Branch], vec![Dimension::Department], vec![Dimension::AgeBand, Dimension::Sex], vec![Dimension::DiagnosisCategory, Dimension::AdmissionType]] {
            let q = Query::new(period()).group_by(dims).grain(Grain::Month);
            for (kpi, col) in [("bed_days", "occupied_bed_days"), ("admissions", "admissions"), ("admissions", "discharges"), ("readm", "index_stays"), ("readm", "readmissions"), ("mort", "deaths"), ("alos", "stay_days")] {
                let f = |q: &Query| -> f64 {
                    let t = match kpi {
                        "bed_days" => e.bed_days(q),
                        "admissions" => e.admissions(q),
                        "readm" => e.readmissions(q, &ReadmissionRules::default()),
                        "mort" => e.mortality(q, MortalityRules::default()),
                        _ => e.alos(q, AlosVariant::AllStays),
                    }.unwrap();
                    t.sum(col).unwrap()
                };
                prop_assert_eq!(f(&q), f(&total), "{} {}", kpi, col);
            }
            // Rates weight back: the total rate is the discharge-weighted mean of group rates.
            let g = e.mortality(&q, MortalityRules::default()).unwrap();
            let t = e.mortality(&total, MortalityRules::default()).unwrap();
            let (d, r) = (g.f64s("discharges").unwrap(), g.f64s("mortality_rate").unwrap());
            let weighted: f64 = d.iter().zip(&r).filter(|(n, _)| **n > 0.0).map(|(n, x)| n * x).sum();
            let td = t.f64s("discharges").unwrap().first().copied().unwrap_or(0.0);
            if td > 0.0 {
                prop_assert!((weighted / td - t.f64s("mortality_rate").unwrap()[0]).abs() < 1e-9);
            }
        }
        // Occupancy by ward adds up to the branch total (bed dimensions only).
        let by_ward = e.bed_utilisation(&Query::new(period()).group_by([Dimension::Ward])).unwrap();
        let all = e.bed_utilisation(&total).unwrap();
        prop_assert_eq!(by_ward.sum("available_bed_days"), all.sum("available_bed_days"));
        prop_assert_eq!(by_ward.sum("occupied_bed_days"), all.sum("occupied_bed_days"));
    }
}
