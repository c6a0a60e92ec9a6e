//! Census of network units (issue 6): ICU beds and ventilators of a
//! generated network through `unit_stays`, checked against independent
//! counts, the steady state, and held-out interval coverage.
//!
//! Run with `CARGO_TARGET_DIR=/tmp/hutano-target cargo test --release -p
//! hutano-forecast --test unit_census -- --nocapture --test-threads 1` to
//! see the figures.

// Test code: unwrap is the assertion; counts and day offsets are small.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::float_cmp
)]

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use hutano_core::generate::{generate, GeneratorConfig};
use hutano_core::kpi::{Dimension, Engine, Period, Query};
use hutano_core::model::{BedType, Network};
use hutano_forecast::baseline::SeasonalNaive;
use hutano_forecast::ensemble::Member;
use hutano_forecast::ets::AutoEts;
use hutano_forecast::forecast::{Fit, Forecast, Predict};
use hutano_forecast::resources::{
    arrival_day, census_forecast_for, current_patients, midnight_census, unit_capacity, unit_stays, ArrivalModel,
    CensusDistribution, LosSurvival, Unit,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The midnight ending `day`.
fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap()
}

/// A generated national year (2024), shared by the tests.
fn national() -> &'static Network {
    static NET: OnceLock<Network> = OnceLock::new();
    NET.get_or_init(|| generate(&GeneratorConfig::national(11)).unwrap())
}

/// Patients in an ICU bed at `m`, counted placement by placement.
fn icu_at(net: &Network, m: NaiveDateTime) -> f64 {
    let mut n = 0;
    for e in &net.encounters {
        for (i, p) in e.placements.iter().enumerate() {
            let end = e.placements.get(i + 1).map(|q| q.start).or(e.discharge);
            if p.bed_type == BedType::Icu && p.start <= m && end.is_none_or(|end| m < end) {
                n += 1;
            }
        }
    }
    f64::from(n)
}

/// Patients on a ventilator at `m`, counted from the procedure rows.
fn ventilated_at(net: &Network, m: NaiveDateTime) -> f64 {
    let n = net
        .procedures
        .iter()
        .filter(|p| p.code.starts_with("5A19"))
        .filter(|p| {
            let end = p.performed_at + TimeDelta::minutes(p.duration_minutes.round() as i64);
            let discharge = net.encounters[p.encounter.index()].discharge;
            p.performed_at <= m && m < discharge.map_or(end, |d| end.min(d))
        })
        .count();
    n as f64
}

#[test]
fn observed_icu_and_ventilator_census_match_independent_counts() {
    let net = national();
    let (start, end) = (date(2024, 3, 1), date(2024, 5, 1));
    let icu = unit_stays(net, &Unit::bed_type(BedType::Icu)).unwrap();
    let vent = unit_stays(net, &Unit::ventilators()).unwrap();
    let icu_census = midnight_census(&icu, start, end).unwrap();
    let vent_census = midnight_census(&vent, start, end).unwrap();
    let engine = Engine::new(net).unwrap();
    let t = engine
        .census_daily(&Query::new(Period::new(start, end).unwrap()).filter(Dimension::BedType, ["icu"]))
        .unwrap();
    let kpi = t.f64s("midnight_census").unwrap();
    let mut day = start;
    for k in 0..icu_census.len() {
        let m = midnight(day);
        assert_eq!(icu_census[k], icu_at(net, m), "ICU on {day}");
        assert_eq!(icu_census[k], kpi[k], "ICU (KPI engine) on {day}");
        assert_eq!(current_patients(&icu, day).unwrap().len() as f64, icu_census[k]);
        assert_eq!(vent_census[k], ventilated_at(net, m), "ventilators on {day}");
        assert_eq!(current_patients(&vent, day).unwrap().len() as f64, vent_census[k]);
        assert!(vent_census[k] <= icu_census[k]);
        day = day.succ_opt().unwrap();
    }
    assert!(vent_census.iter().all(|&v| v > 0.0));
    // Every generated placement has a ward: the wards' censuses add up to
    // the network's, and so do the bed types' and the branches'.
    let total = midnight_census(&unit_stays(net, &Unit::Network).unwrap(), start, end).unwrap();
    let sum = |units: Vec<Unit>| {
        let mut acc = vec![0.0; total.len()];
        for u in &units {
            let c = midnight_census(&unit_stays(net, u).unwrap(), start, end).unwrap();
            acc.iter_mut().zip(c).for_each(|(a, c)| *a += c);
        }
        acc
    };
    assert_eq!(
        sum(net.wards.iter().map(|w| Unit::ward(w.code.clone())).collect()),
        total
    );
    assert_eq!(
        sum(net
            .departments
            .iter()
            .map(|d| Unit::department(d.code.clone()))
            .collect()),
        total
    );
    assert_eq!(sum(BedType::ALL.iter().map(|&b| Unit::bed_type(b)).collect()), total);
    assert_eq!(
        sum(net.branches.iter().map(|b| Unit::branch(b.code.clone())).collect()),
        total
    );
    let per_branch_icu = sum(net
        .branches
        .iter()
        .map(|b| Unit::bed_type_in(BedType::Icu, b.code.clone()))
        .collect());
    assert_eq!(per_branch_icu, icu_census);
    // The ICU stays are the runs of consecutive ICU placements (empty ones
    // dropped; returns to the ICU are tested in the unit tests of
    // `resources::units`, the generator makes none).
    let mut runs = Vec::new();
    for e in &net.encounters {
        let mut open = None;
        for (i, p) in e.placements.iter().enumerate() {
            if p.bed_type == BedType::Icu {
                open.get_or_insert(p.start);
            } else if let Some(s) = open.take() {
                runs.push((s, Some(p.start)));
            }
            if i + 1 == e.placements.len() {
                if let Some(s) = open.take() {
                    runs.push((s, e.discharge));
                }
            }
        }
    }
    runs.retain(|(s, e)| *e != Some(*s));
    assert_eq!(icu, runs);
    // Unknown codes are errors naming the unit, not a panic.
    assert!(unit_stays(net, &Unit::ward("NOPE")).is_err());
    assert!(unit_capacity(net, &Unit::ventilators_in("NOPE"), start).is_err());
}

/// The mean of the last `window` days as the forecast of every future day
/// (intervals from the daily standard deviation): arrivals at a constant
/// rate, for the steady-state check.
#[derive(Debug)]
struct RecentMean {
    window: usize,
}

#[derive(Debug)]
struct FittedRecentMean {
    mean: f64,
    sd: f64,
}

impl Fit for RecentMean {
    type Fitted = FittedRecentMean;

    fn fit(&self, y: &[f64]) -> hutano_forecast::Result<FittedRecentMean> {
        let recent = &y[y.len().saturating_sub(self.window)..];
        let n = recent.len() as f64;
        let mean = recent.iter().sum::<f64>() / n;
        let sd = (recent.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        Ok(FittedRecentMean { mean, sd })
    }
}

impl Predict for FittedRecentMean {
    fn predict(&self, horizon: usize, levels: &[f64]) -> hutano_forecast::Result<Forecast> {
        Forecast::normal(vec![self.mean; horizon], &vec![self.sd; horizon], levels)
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        Vec::new()
    }
}

#[test]
fn ventilator_census_forecast_tends_to_arrival_rate_times_mean_duration() {
    // Little's law for the M/G/∞ queue: far enough ahead that today's
    // ventilated patients have left, the mean census is λ E[L], with λ the
    // ventilation starts per day and E[L] the midnights an episode spans.
    let net = national();
    let as_of = date(2024, 9, 30);
    let window = 180;
    let unit = Unit::ventilators();
    let stays = unit_stays(net, &unit).unwrap();
    let from = as_of - TimeDelta::days(window - 1);
    let recent: Vec<_> = stays
        .iter()
        .filter(|s| (from..=as_of).contains(&arrival_day(s.0)))
        .copied()
        .collect();
    let lambda = recent.len() as f64 / window as f64;
    // Mean midnights of the episodes that began in the window and ended by
    // the cutoff: the plain average, without the survival estimate.
    let ceil = |t: NaiveDateTime| {
        if t.time() == NaiveTime::MIN {
            t.date()
        } else {
            t.date().succ_opt().unwrap()
        }
    };
    let done: Vec<f64> = recent
        .iter()
        .filter_map(|(s, e)| e.filter(|e| *e <= midnight(as_of)).map(|e| (*s, e)))
        .map(|(s, e)| (ceil(e) - ceil(s)).num_days() as f64)
        .collect();
    let mean_nights = done.iter().sum::<f64>() / done.len() as f64;
    let observed = midnight_census(&stays, from, as_of.succ_opt().unwrap()).unwrap();
    let observed_mean = observed.iter().sum::<f64>() / observed.len() as f64;
    let f = census_forecast_for(
        net,
        &unit,
        as_of,
        42,
        &RecentMean { window: 180 },
        ArrivalModel::Poisson,
        &[80.0],
    )
    .unwrap();
    // Days 29..42: the censored patients of the origin are gone.
    let far: f64 = f.census.days[28..].iter().map(CensusDistribution::mean).sum::<f64>() / 14.0;
    let los = LosSurvival::from_stays(&recent, as_of).unwrap();
    eprintln!(
        "ventilators: λ = {lambda:.3}/day, mean episode {mean_nights:.3} midnights (KM {:.3}), \
         λ·E[L] = {:.2}, forecast mean days 29-42 = {far:.2}, observed mean census {observed_mean:.2}, \
         ventilators {:?}",
        los.mean(),
        lambda * mean_nights,
        f.capacity[0]
    );
    let expected = lambda * mean_nights;
    assert!((far / expected - 1.0).abs() < 0.08, "{far} vs {expected}");
    assert!(
        (observed_mean / expected - 1.0).abs() < 0.1,
        "{observed_mean} vs {expected}"
    );
    // Far ahead the census is Poisson: variance close to the mean.
    let d = &f.census.days[41];
    assert!((d.variance() / d.mean() - 1.0).abs() < 0.05);
    assert!(f.capacity.iter().all(|&c| c > far));
}

/// Pooled share of observed censuses inside the 80 % interval, over daily
/// origins and horizons 1..=14.
fn coverage(net: &Network, unit: &Unit, forecaster: &dyn Member, model: ArrivalModel) -> (f64, f64) {
    let stays = unit_stays(net, unit).unwrap();
    let (first, last) = (date(2024, 9, 1), date(2024, 11, 30));
    let actual = midnight_census(&stays, first, date(2024, 12, 31)).unwrap();
    let (mut inside, mut n, mut level) = (0.0, 0.0, 0.0);
    let mut as_of = first;
    while as_of <= last {
        let f = census_forecast_for(net, unit, as_of, 14, forecaster, model, &[80.0]).unwrap();
        for h in 0..14 {
            let y = actual[(as_of - first).num_days() as usize + h + 1];
            let (lo, hi) = (f.census.forecast.lower[0][h], f.census.forecast.upper[0][h]);
            inside += f64::from(u8::from(lo <= y && y <= hi));
            level += y;
            n += 1.0;
        }
        as_of = as_of.succ_opt().unwrap();
    }
    (inside / n, level / n)
}

#[test]
fn icu_and_ventilator_intervals_cover_held_out_census() {
    // Rolling origin on the generated national year: 91 daily cutoffs
    // (September to November), each forecasting 14 days from what is known
    // at its midnight; the 80 % interval against the observed census.
    let net = national();
    let calibrated = ArrivalModel::GammaRate {
        level: 80.0,
        correlation: 0.25,
    };
    let observer = ArrivalModel::NegativeBinomial { level: 80.0 };
    for (name, unit) in [
        ("ICU", Unit::bed_type(BedType::Icu)),
        ("ventilators", Unit::ventilators()),
    ] {
        let (ets, mean) = coverage(net, &unit, &AutoEts::new(7), calibrated);
        let (naive, _) = coverage(net, &unit, &SeasonalNaive::new(7), observer);
        eprintln!(
            "{name}: mean census {mean:.1}; 80 % coverage {:.1} % (AutoEts, gamma rate ρ = 0.25), \
             {:.1} % (seasonal naive, negative binomial)",
            100.0 * ets,
            100.0 * naive
        );
        for c in [ets, naive] {
            assert!((0.6..=0.97).contains(&c), "{name}: coverage {c}");
        }
    }
}
