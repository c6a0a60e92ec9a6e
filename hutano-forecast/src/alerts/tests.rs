use chrono::{NaiveDate, NaiveDateTime};

use super::*;

fn at(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 3, day)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

fn only(rules: AlertRules) -> AlertEngine {
    AlertEngine::new(rules).unwrap()
}

fn rules_with(f: impl FnOnce(&mut AlertRules)) -> AlertRules {
    let mut r = AlertRules::none();
    f(&mut r);
    r
}

fn occupancy_obs(day: u32, census: f64, beds: f64) -> Observations {
    Observations {
        occupancy: vec![UnitLoad::new(Subject::branch("HRE"), census, beds)],
        ..Observations::new(at(day))
    }
}

fn occupancy_engine() -> AlertEngine {
    only(rules_with(|r| r.occupancy = Some(OccupancyRule::default())))
}

// --- occupancy -------------------------------------------------------------

#[test]
fn occupancy_fires_at_threshold() {
    let mut e = occupancy_engine();
    let raised = e.evaluate(&occupancy_obs(1, 88.0, 100.0)).unwrap();
    assert_eq!(raised.len(), 1);
    let a = &raised[0];
    assert_eq!(a.rule, RuleKind::Occupancy);
    assert_eq!(a.severity, Severity::Warning);
    assert_eq!(a.subject, Subject::branch("HRE"));
    assert_eq!(a.started, at(1));
    assert!((a.evidence.observed - 88.0).abs() < 1e-12);
    assert!((a.evidence.threshold - 85.0).abs() < 1e-12);
    assert_eq!(a.evidence.capacity, Some(100.0));
    let crit = occupancy_engine().evaluate(&occupancy_obs(1, 97.0, 100.0)).unwrap();
    assert_eq!(crit[0].severity, Severity::Critical);
}

#[test]
fn occupancy_does_not_fire_below_threshold() {
    let mut e = occupancy_engine();
    assert!(e.evaluate(&occupancy_obs(1, 84.0, 100.0)).unwrap().is_empty());
    // No beds in service: occupancy undefined, no alert.
    assert!(e.evaluate(&occupancy_obs(2, 3.0, 0.0)).unwrap().is_empty());
    assert!(e.active().is_empty());
}

#[test]
fn no_duplicates_while_the_condition_holds() {
    let mut e = occupancy_engine();
    let mut raised = 0;
    for (day, census) in [(1, 90.0), (2, 91.0), (3, 99.0), (4, 86.0), (5, 83.0), (6, 90.0)] {
        raised += e.evaluate(&occupancy_obs(day, census, 100.0)).unwrap().len();
    }
    // 83 % is inside the hysteresis band (82–85 %): still the same alert.
    assert_eq!(raised, 1);
    assert_eq!(e.alerts().len(), 1);
    assert_eq!(e.active().len(), 1);
    assert_eq!(e.alerts()[0].ended, None);
    // Missing observations keep the state.
    assert!(e.evaluate(&Observations::new(at(7))).unwrap().is_empty());
    assert_eq!(e.active().len(), 1);
}

#[test]
fn re_fires_after_the_condition_clears() {
    let mut e = occupancy_engine();
    assert_eq!(e.evaluate(&occupancy_obs(1, 90.0, 100.0)).unwrap().len(), 1);
    assert!(e.evaluate(&occupancy_obs(2, 80.0, 100.0)).unwrap().is_empty());
    assert!(e.active().is_empty());
    assert_eq!(e.alerts()[0].ended, Some(at(2)));
    let again = e.evaluate(&occupancy_obs(3, 90.0, 100.0)).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].started, at(3));
    assert_eq!(e.alerts().len(), 2);
}

#[test]
fn subjects_are_independent() {
    let mut e = occupancy_engine();
    let obs = Observations {
        occupancy: vec![
            UnitLoad::new(Subject::branch("HRE"), 90.0, 100.0),
            UnitLoad::new(Subject::branch("BYO"), 50.0, 100.0),
        ],
        ..Observations::new(at(1))
    };
    let raised = e.evaluate(&obs).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].subject.code, "HRE");
}

#[test]
fn bad_observations_are_errors_and_leave_the_state() {
    let mut e = occupancy_engine();
    e.evaluate(&occupancy_obs(2, 90.0, 100.0)).unwrap();
    let err = e.evaluate(&occupancy_obs(3, f64::NAN, 100.0)).unwrap_err();
    assert!(
        matches!(err, Error::InvalidObservation { rule: "occupancy", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("branch HRE"), "{err}");
    let twice = Observations {
        occupancy: vec![
            UnitLoad::new(Subject::branch("HRE"), 1.0, 100.0),
            UnitLoad::new(Subject::branch("HRE"), 1.0, 100.0),
        ],
        ..Observations::new(at(3))
    };
    assert!(e.evaluate(&twice).is_err());
    assert!(matches!(
        e.evaluate(&occupancy_obs(1, 90.0, 100.0)),
        Err(Error::InvalidParameter { name: "at", .. })
    ));
    assert_eq!(e.active().len(), 1);
}

#[test]
fn invalid_rules_are_rejected() {
    let bad = rules_with(|r| {
        r.occupancy = Some(OccupancyRule {
            clear_below_pct: 90.0,
            ..OccupancyRule::default()
        });
    });
    assert!(AlertEngine::new(bad).is_err());
    let bad = rules_with(|r| {
        r.occupancy_forecast = Some(OccupancyForecastRule {
            probability: 1.5,
            ..OccupancyForecastRule::default()
        });
    });
    assert!(AlertEngine::new(bad).is_err());
    let bad = rules_with(|r| {
        r.flow = Some(FlowRule {
            start_hour: 25,
            ..FlowRule::default()
        });
    });
    assert!(AlertEngine::new(bad).is_err());
    AlertRules::default().check().unwrap();
}

#[test]
fn rules_round_trip_through_json_with_defaults() {
    let rules: AlertRules = serde_json::from_str(r#"{"occupancy": {"warning_pct": 90}, "expiry": null}"#).unwrap();
    let occ = rules.occupancy.clone().unwrap();
    assert!((occ.warning_pct - 90.0).abs() < 1e-12);
    assert!((occ.critical_pct - 95.0).abs() < 1e-12);
    assert!(rules.expiry.is_none());
    assert!(rules.low_stock.is_some());
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(serde_json::from_str::<AlertRules>(&json).unwrap(), rules);
    assert!(serde_json::from_str::<AlertRules>(r#"{"occupancy": {"warn": 90}}"#).is_err());
}

#[test]
fn alerts_serialise() {
    let mut e = occupancy_engine();
    let a = e.evaluate(&occupancy_obs(1, 90.0, 100.0)).unwrap().remove(0);
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains(r#""rule":"occupancy""#), "{json}");
    assert!(json.contains(r#""severity":"warning""#), "{json}");
    assert_eq!(serde_json::from_str::<Alert>(&json).unwrap(), a);
}

// --- occupancy forecast ----------------------------------------------------

fn forecast_obs(probs: Vec<f64>) -> Observations {
    let n = probs.len();
    Observations {
        occupancy_forecast: vec![ForecastLoad {
            subject: Subject::ward("HRE-MED-W1"),
            as_of: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            capacity: 20.0,
            prob_above: probs,
            mean: vec![18.0; n],
        }],
        ..Observations::new(at(2))
    }
}

fn forecast_engine() -> AlertEngine {
    only(rules_with(|r| {
        r.occupancy_forecast = Some(OccupancyForecastRule::default());
    }))
}

#[test]
fn occupancy_forecast_fires_within_the_horizon() {
    let raised = forecast_engine()
        .evaluate(&forecast_obs(vec![0.01, 0.05, 0.3, 0.2, 0.1, 0.1, 0.1]))
        .unwrap();
    assert_eq!(raised.len(), 1);
    let ev = &raised[0].evidence;
    assert_eq!(ev.probability, Some(0.3));
    assert_eq!(ev.day, NaiveDate::from_ymd_opt(2024, 3, 4));
    assert_eq!(raised[0].severity, Severity::Warning);
}

#[test]
fn occupancy_forecast_ignores_days_beyond_the_horizon() {
    // Day 8 is beyond the 7-day horizon.
    let raised = forecast_engine()
        .evaluate(&forecast_obs(vec![0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9]))
        .unwrap();
    assert!(raised.is_empty());
}

#[test]
fn occupancy_forecast_from_a_census_forecast() {
    use crate::forecast::Forecast;
    use crate::resources::{forecast_census, ArrivalModel, LosSurvival};
    let los = LosSurvival::geometric(0.2).unwrap();
    let arrivals = Forecast::normal(vec![10.0; 7], &[3.0; 7], &[80.0]).unwrap();
    let current = vec![1; 45];
    let f = forecast_census(&los, &current, &arrivals, ArrivalModel::Poisson, &[]).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let load = |beds| Observations {
        occupancy_forecast: vec![ForecastLoad::from_census(Subject::branch("X"), as_of, &f, beds)],
        ..Observations::new(at(2))
    };
    // Mean census about 46-50: 40 beds are far too few, 80 plenty.
    assert_eq!(forecast_engine().evaluate(&load(40.0)).unwrap().len(), 1);
    assert!(forecast_engine().evaluate(&load(80.0)).unwrap().is_empty());
}

// --- ICU and ventilators ---------------------------------------------------

#[test]
fn icu_shortage_fires_when_full() {
    let mut e = only(rules_with(|r| r.icu = Some(ShortageRule::default())));
    let obs = Observations {
        icu: vec![UnitLoad::new(Subject::branch("HRE"), 8.0, 8.0)],
        ..Observations::new(at(1))
    };
    let raised = e.evaluate(&obs).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].rule, RuleKind::IcuShortage);
    assert_eq!(raised[0].severity, Severity::Critical);
    assert!((raised[0].evidence.observed - 0.0).abs() < 1e-12);
    let over = Observations {
        icu: vec![UnitLoad::new(Subject::branch("BYO"), 10.0, 8.0)],
        ..Observations::new(at(2))
    };
    let raised = e.evaluate(&over).unwrap();
    assert_eq!(raised[0].severity, Severity::Critical);
    assert!(raised[0].message.contains("over capacity"), "{}", raised[0].message);
}

#[test]
fn icu_shortage_does_not_fire_with_free_beds() {
    let mut e = only(rules_with(|r| r.icu = Some(ShortageRule::default())));
    let obs = Observations {
        icu: vec![UnitLoad::new(Subject::branch("HRE"), 5.0, 8.0)],
        ..Observations::new(at(1))
    };
    assert!(e.evaluate(&obs).unwrap().is_empty());
}

#[test]
fn ventilator_shortage_fires_with_one_left() {
    let mut e = only(rules_with(|r| r.ventilators = Some(ShortageRule::default())));
    let obs = Observations {
        ventilators: vec![UnitLoad::new(Subject::branch("HRE"), 5.0, 6.0)],
        ..Observations::new(at(1))
    };
    let raised = e.evaluate(&obs).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].rule, RuleKind::VentilatorShortage);
    assert_eq!(raised[0].severity, Severity::Warning);
}

#[test]
fn ventilator_shortage_does_not_fire_with_spare_ventilators() {
    let mut e = only(rules_with(|r| r.ventilators = Some(ShortageRule::default())));
    let obs = Observations {
        ventilators: vec![UnitLoad::new(Subject::branch("HRE"), 2.0, 6.0)],
        ..Observations::new(at(1))
    };
    assert!(e.evaluate(&obs).unwrap().is_empty());
}

// --- stock -----------------------------------------------------------------

fn stock(on_hand: f64, daily: f64, rop: Option<f64>, expiring: f64) -> Observations {
    Observations {
        stock: vec![StockLevel {
            subject: Subject::medicine("HRE-PARA"),
            on_hand,
            daily_demand: daily,
            reorder_point: rop,
            expiring_units: expiring,
            expiring_value: expiring * 0.5,
        }],
        ..Observations::new(at(1))
    }
}

fn low_stock_engine() -> AlertEngine {
    only(rules_with(|r| r.low_stock = Some(LowStockRule::default())))
}

#[test]
fn low_stock_fires_on_days_of_cover_and_reorder_point() {
    let raised = low_stock_engine().evaluate(&stock(50.0, 10.0, None, 0.0)).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].rule, RuleKind::LowStock);
    assert_eq!(raised[0].severity, Severity::Warning);
    assert!((raised[0].evidence.observed - 5.0).abs() < 1e-12);
    // 30 days of cover but below the reorder point.
    assert_eq!(
        low_stock_engine()
            .evaluate(&stock(300.0, 10.0, Some(350.0), 0.0))
            .unwrap()
            .len(),
        1
    );
    let out = low_stock_engine().evaluate(&stock(0.0, 10.0, None, 0.0)).unwrap();
    assert_eq!(out[0].severity, Severity::Critical);
}

#[test]
fn low_stock_does_not_fire_with_enough_cover() {
    assert!(low_stock_engine()
        .evaluate(&stock(300.0, 10.0, Some(150.0), 0.0))
        .unwrap()
        .is_empty());
    // No demand: infinite cover.
    assert!(low_stock_engine()
        .evaluate(&stock(5.0, 0.0, None, 0.0))
        .unwrap()
        .is_empty());
}

#[test]
fn expiry_fires_on_units_expiring_unused() {
    let mut e = only(rules_with(|r| r.expiry = Some(ExpiryRule::default())));
    let raised = e.evaluate(&stock(500.0, 1.0, None, 120.0)).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].rule, RuleKind::Expiry);
    assert_eq!(raised[0].evidence.baseline, Some(60.0));
}

#[test]
fn expiry_does_not_fire_without_units_at_risk() {
    let mut e = only(rules_with(|r| r.expiry = Some(ExpiryRule::default())));
    assert!(e.evaluate(&stock(500.0, 10.0, None, 0.0)).unwrap().is_empty());
    let mut e = only(rules_with(|r| {
        r.expiry = Some(ExpiryRule {
            min_value: 100.0,
            ..ExpiryRule::default()
        });
    }));
    // 120 units worth 60: below the minimum value.
    assert!(e.evaluate(&stock(500.0, 1.0, None, 120.0)).unwrap().is_empty());
}

// --- delayed discharges ----------------------------------------------------

fn stays(open: Vec<f64>) -> Observations {
    // Completed stays 1..=100 days / 10: p90 = 9.01 days, limit 18.02 days.
    Observations {
        stays: vec![DepartmentStays {
            subject: Subject::department("HRE-MED"),
            completed_los_days: (1..=100).map(|i| f64::from(i) / 10.0).collect(),
            open_los_days: open,
        }],
        ..Observations::new(at(1))
    }
}

fn delayed_engine() -> AlertEngine {
    only(rules_with(|r| {
        r.delayed_discharge = Some(DelayedDischargeRule::default());
    }))
}

#[test]
fn delayed_discharge_fires_on_stays_far_beyond_the_norm() {
    let raised = delayed_engine()
        .evaluate(&stays(vec![1.0, 2.0, 19.0, 20.0, 30.0]))
        .unwrap();
    assert_eq!(raised.len(), 1);
    let ev = &raised[0].evidence;
    assert!((ev.observed - 3.0).abs() < 1e-12);
    assert!((ev.baseline.unwrap() - 9.01).abs() < 1e-9);
    assert_eq!(ev.statistic, Some(30.0));
    assert!(raised[0].message.contains("HRE-MED"), "{}", raised[0].message);
}

#[test]
fn delayed_discharge_does_not_fire_within_the_norm() {
    // Two beyond the limit is below the minimum count of three.
    assert!(delayed_engine()
        .evaluate(&stays(vec![1.0, 12.0, 17.0, 19.0, 25.0]))
        .unwrap()
        .is_empty());
    // Too little history: no norm, no alert.
    let mut obs = stays(vec![50.0, 60.0, 70.0]);
    obs.stays[0].completed_los_days.truncate(10);
    assert!(delayed_engine().evaluate(&obs).unwrap().is_empty());
}

// --- flow ------------------------------------------------------------------

fn flow(adm_per_hour: f64, dis_per_hour: f64) -> Observations {
    let mut admissions = [1.0; 24];
    let mut discharges = [1.0; 24];
    for h in 8..12 {
        admissions[h] = adm_per_hour * 7.0;
        discharges[h] = dis_per_hour * 7.0;
    }
    Observations {
        flow: vec![HourlyFlow {
            subject: Subject::branch("HRE"),
            days: 7.0,
            admissions,
            discharges,
        }],
        ..Observations::new(at(1))
    }
}

fn flow_engine() -> AlertEngine {
    only(rules_with(|r| r.flow = Some(FlowRule::default())))
}

#[test]
fn flow_fires_when_admissions_outpace_discharges_at_peak() {
    // 4 peak hours: 8 admissions vs 4 discharges a day.
    let raised = flow_engine().evaluate(&flow(2.0, 1.0)).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].rule, RuleKind::FlowImbalance);
    assert!((raised[0].evidence.observed - 2.0).abs() < 1e-12);
    assert_eq!(raised[0].severity, Severity::Critical);
}

#[test]
fn flow_does_not_fire_when_balanced() {
    assert!(flow_engine().evaluate(&flow(2.0, 1.8)).unwrap().is_empty());
    // High ratio but a tiny excess (0.4 a day): not an imbalance.
    assert!(flow_engine().evaluate(&flow(0.2, 0.1)).unwrap().is_empty());
}

#[test]
fn peak_windows_wrap_past_midnight() {
    assert!(rules::in_window(23, 22, 2));
    assert!(rules::in_window(1, 22, 2));
    assert!(!rules::in_window(2, 22, 2));
    assert!(!rules::in_window(12, 22, 2));
    assert!(rules::in_window(12, 12, 20));
    assert!(!rules::in_window(20, 12, 20));
}

// --- readmissions ----------------------------------------------------------

fn readm(n: f64, r: f64) -> Observations {
    Observations {
        readmissions: vec![ReadmissionCounts {
            subject: Subject::branch("HRE"),
            index_stays: n,
            readmissions: r,
            baseline_index_stays: 1000.0,
            baseline_readmissions: 100.0,
        }],
        ..Observations::new(at(1))
    }
}

fn readm_engine() -> AlertEngine {
    only(rules_with(|r| r.readmission = Some(ReadmissionRule::default())))
}

#[test]
fn readmission_spike_fires_above_the_control_limit() {
    // p̄ = 0.1, n = 100: sigma = 0.03, limit 0.19; 20 % gives z = 3.33.
    let raised = readm_engine().evaluate(&readm(100.0, 20.0)).unwrap();
    assert_eq!(raised.len(), 1);
    let ev = &raised[0].evidence;
    assert!((ev.statistic.unwrap() - 10.0 / 3.0).abs() < 1e-9);
    assert!((ev.threshold - 0.19).abs() < 1e-12);
    assert_eq!(ev.baseline, Some(0.1));
}

#[test]
fn readmission_spike_does_not_fire_within_limits() {
    // 18 % of 100: z = 2.67 < 3.
    assert!(readm_engine().evaluate(&readm(100.0, 18.0)).unwrap().is_empty());
    // 50 % of 10 index stays: too few to judge.
    assert!(readm_engine().evaluate(&readm(10.0, 5.0)).unwrap().is_empty());
}

#[test]
fn readmission_z_matches_the_p_chart_formula() {
    let c = ReadmissionCounts {
        subject: Subject::branch("X"),
        index_stays: 250.0,
        readmissions: 40.0,
        baseline_index_stays: 2000.0,
        baseline_readmissions: 240.0,
    };
    let (z, p, p0) = rules::p_chart_z(&c).unwrap();
    let expected = (0.16 - 0.12) / (0.12_f64 * 0.88 / 250.0).sqrt();
    assert!((z - expected).abs() < 1e-12);
    assert!((p - 0.16).abs() < 1e-12 && (p0 - 0.12).abs() < 1e-12);
}

// --- the network observer --------------------------------------------------

#[test]
fn network_observations_match_the_kpi_engine() {
    use hutano_core::generate::{generate, GeneratorConfig};
    use hutano_core::kpi::{Dimension, Engine, Period, Query};
    let net = generate(&GeneratorConfig::national(11).days(120)).unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    let period = Period::new(d(4, 1), d(4, 8)).unwrap();
    let rules = AlertRules {
        occupancy_forecast: None,
        ..AlertRules::default()
    };
    let observer = NetworkObserver::new(&net, &rules, period).unwrap();
    let obs = observer.observe(d(4, 3)).unwrap();
    assert_eq!(obs.at, d(4, 4).and_hms_opt(0, 0, 0).unwrap());
    let engine = Engine::new(&net).unwrap();
    let one_day = Period::new(d(4, 3), d(4, 4)).unwrap();
    let t = engine
        .census_daily(&Query::new(one_day).group_by([Dimension::Branch]))
        .unwrap();
    let codes = t.texts("branch").unwrap();
    let mid = t.f64s("midnight_census").unwrap();
    for (code, census) in codes.iter().zip(&mid) {
        let o = obs.occupancy.iter().find(|o| &o.subject.code == code).unwrap();
        assert!((o.in_use - census).abs() < 1e-12, "{code}");
    }
    assert_eq!(obs.stays.len(), net.departments.len());
    // Open stays at that midnight equal the midnight census.
    let open: usize = obs.stays.iter().map(|s| s.open_los_days.len()).sum();
    assert!((open as f64 - mid.iter().sum::<f64>()).abs() < 1e-9);
    assert_eq!(obs.stock.len(), net.medicines.len());
    assert!(observer.observe(d(4, 8)).is_err());
    // Every alert's evidence is consistent with its rule.
    for a in evaluate_network(&net, &rules, period).unwrap() {
        match a.rule {
            RuleKind::Occupancy => assert!(a.evidence.observed >= 85.0),
            RuleKind::LowStock => assert!(
                a.evidence.observed < 7.0 || a.evidence.capacity <= a.evidence.baseline,
                "{a:?}"
            ),
            _ => {}
        }
        assert!(!a.message.contains("P00"), "no patient pseudonym: {}", a.message);
    }
}

// --- ventilators from a network ----------------------------------------------

/// Patients on a ventilator at midnight `m` in branch `b`, counted directly
/// from the ventilation procedures (independently of `unit_stays`).
fn ventilated_at(net: &hutano_core::model::Network, b: usize, m: NaiveDateTime) -> u32 {
    let n = net
        .procedures
        .iter()
        .filter(|p| ["5A1935Z", "5A1945Z", "5A1955Z", "40617009"].contains(&p.code.as_str()))
        .filter(|p| {
            let e = &net.encounters[p.encounter.index()];
            let end = p.ventilation_end().unwrap();
            let end = e.discharge.map_or(end, |d| end.min(d));
            e.branch.index() == b && p.performed_at <= m && m < end
        })
        .count();
    u32::try_from(n).unwrap()
}

/// Ventilator-capable ICU beds of branch `b` in service on `day`.
fn ventilators_of(net: &hutano_core::model::Network, b: usize, day: NaiveDate) -> f64 {
    net.beds
        .iter()
        .filter(|k| k.ventilator_capable && k.bed_type == hutano_core::model::BedType::Icu && k.in_service_on(day))
        .filter(|k| {
            net.departments[net.wards[k.ward.index()].department.index()]
                .branch
                .index()
                == b
        })
        .map(|k| f64::from(k.count))
        .sum()
}

#[test]
fn network_ventilator_observations_count_episodes_and_fire_when_short() {
    use hutano_core::generate::{generate, GeneratorConfig};
    use hutano_core::kpi::Period;
    use hutano_core::model::{BedBlock, BedType};
    let net = generate(&GeneratorConfig::national(11).days(120)).unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    let period = Period::new(d(3, 1), d(5, 1)).unwrap();
    let rules = rules_with(|r| r.ventilators = Some(ShortageRule::default()));
    let observer = NetworkObserver::new(&net, &rules, period).unwrap();
    // Peak use and capacity per branch over the period.
    let mut peak = vec![(0_u32, f64::INFINITY); net.branches.len()];
    let mut day = period.start();
    let mut seen = 0;
    while day < period.end() {
        let obs = observer.observe(day).unwrap();
        assert!(obs.icu.is_empty() && obs.occupancy.is_empty());
        let m = day.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
        for (b, branch) in net.branches.iter().enumerate() {
            let (n, cap) = (ventilated_at(&net, b, m), ventilators_of(&net, b, day));
            match obs.ventilators.iter().find(|o| o.subject.code == branch.code) {
                Some(o) => {
                    assert_eq!((o.in_use, o.capacity), (f64::from(n), cap), "{} on {day}", branch.code);
                    seen += 1;
                }
                None => assert_eq!((n, cap), (0, 0.0), "{} on {day}", branch.code),
            }
            peak[b] = (peak[b].0.max(n), peak[b].1.min(cap));
        }
        day = day.succ_opt().unwrap();
    }
    assert!(seen > 0);
    // The branch with the most ventilators never runs short (peak 9 of 15
    // in HRE; the small ICUs run out: 4 ventilated of 3 capable beds).
    let (b, &(most, cap)) = peak
        .iter()
        .enumerate()
        .max_by(|x, y| x.1 .1.total_cmp(&y.1 .1))
        .unwrap();
    let code = net.branches[b].code.clone();
    assert!(most > 0 && cap - f64::from(most) >= 2.0, "{code}: {most} of {cap}");
    let alerts = evaluate_network(&net, &rules, period).unwrap();
    assert!(alerts.iter().all(|a| a.subject.code != code), "{alerts:?}");
    // Fewer ventilator-capable beds: as many as the peak of ventilated
    // patients, so the ventilators run out.
    let mut short = net.clone();
    let ward = short
        .beds
        .iter()
        .find(|k| {
            k.ventilator_capable && ventilators_of(&net, b, period.start()) > 0.0 && {
                net.departments[net.wards[k.ward.index()].department.index()]
                    .branch
                    .index()
                    == b
            }
        })
        .unwrap()
        .ward;
    for k in &mut short.beds {
        if net.departments[net.wards[k.ward.index()].department.index()]
            .branch
            .index()
            == b
        {
            k.ventilator_capable = false;
        }
    }
    short.beds.push(BedBlock {
        ward,
        bed_type: BedType::Icu,
        count: most,
        ventilator_capable: true,
        in_service_from: None,
        in_service_until: None,
    });
    let alerts = evaluate_network(&short, &rules, period).unwrap();
    let mine: Vec<&Alert> = alerts.iter().filter(|a| a.subject.code == code).collect();
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|a| a.rule == RuleKind::VentilatorShortage));
    assert!(mine
        .iter()
        .any(|a| a.severity == Severity::Critical && a.evidence.observed <= 0.0));
    for a in &mine {
        assert_eq!(a.evidence.capacity, Some(f64::from(most)));
        assert!(!a.message.contains("P00"), "no patient pseudonym: {}", a.message);
    }
}
