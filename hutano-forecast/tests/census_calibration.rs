//! Census forecasts on real data: the HDHI cardiac-unit admissions (Hero DMC
//! Heart Institute, Ludhiana, 2017-04-01..2019-03-31; see
//! `../shared/data/hdhi_admissions/SOURCE.txt`), loaded with the site file
//! `examples/sites/hdhi.json`.
//!
//! Rolling origin: at each cutoff (the midnight ending `as_of`) the
//! length-of-stay survival is learned from the stays admitted in the
//! `LOS_WINDOW` days before, censored at the cutoff; the daily arrivals are
//! forecast by `AutoEts` (seasonal ETS, season 7) fitted on the arrivals up to
//! `as_of`; the census of the next 14 days is forecast and compared with the
//! actual midnight census from `hutano_core::kpi::Engine::census_daily`.
//! Nothing after the cutoff is used. Two baselines, each with its own
//! empirical intervals from the errors of the same rule over the year before
//! the cutoff: today's census carried forward, and the seasonal naive census
//! (the census on the same weekday one or two weeks before the target day).
//!
//! The two settings of the model (the length-of-stay window and the
//! correlation of the arrival rates across days) are chosen on the tuning
//! half-year 2018-04-01..2018-09-30 by the pooled CRPS
//! ([`settings_chosen_on_tuning_half_year`]) and then evaluated on the
//! half-year after it, which the choice never saw.
//!
//! Findings (pooled over horizons 1-14; the targets are coverage
//! within ±3 points and a CRPS below both baselines), with the arrivals
//! forecast by the native seasonal `AutoEts` (statsforecast's ETS search):
//! - 168 daily cutoffs: coverage 77.1 % (80 %) and 92.5 % (95 %); CRPS
//!   8.84 vs 8.92 carried forward and 10.44 seasonal naive. Met.
//! - 12 cutoffs 14 days apart: 80.4 % and 94.6 %; CRPS 8.34 vs 8.60 and
//!   10.22. Met.
//! - Given the actual arrivals (hindsight) the CRPS is 4.1: the rest of the
//!   error is the arrivals forecast's, not the length-of-stay part's.
//! - With the earlier STL + non-seasonal ETS arrivals the figures were
//!   73.5 % / 90.6 % and CRPS 9.21 (168 cutoffs): the seasonal ETS closed
//!   the gap.
//!
//! Run with `CARGO_TARGET_DIR=/tmp/hutano-target cargo test --release -p
//! hutano-forecast --test census_calibration -- --nocapture --test-threads 1`
//! to see the tables.

// Test code: unwrap is the assertion; day offsets are small.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::too_many_lines,
    clippy::float_cmp
)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{NaiveDate, TimeDelta};
use hutano_core::generate::{generate, GeneratorConfig};
use hutano_core::ingest::Site;
use hutano_core::kpi::{Dimension, Engine, Period, Query};
use hutano_core::model::{BedType, Network};
use hutano_forecast::baseline::SeasonalNaive;
use hutano_forecast::ets::AutoEts;
use hutano_forecast::forecast::{Fit, Forecast, Predict};
use hutano_forecast::resources::{
    arrival_day, current_patients, daily_arrivals, forecast_census, ArrivalModel, LosSurvival, Stay,
};

const H: usize = 14;
const LEVELS: [f64; 2] = [80.0, 95.0];
/// Days of history for the baselines' empirical errors.
const BASELINE_WINDOW: i64 = 365;
/// Days of admissions the length-of-stay survival is learned from (chosen
/// on the tuning half-year).
const LOS_WINDOW: i64 = 60;
/// Correlation of the arrival rates of two days (chosen on the tuning
/// half-year).
const CORRELATION: f64 = 0.25;

fn shared_data() -> PathBuf {
    std::env::var_os("HUTANO_SHARED_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
        PathBuf::from,
    )
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

/// One unit's history: its stays, midnight census and arrivals per day.
struct Unit {
    stays: Vec<Stay>,
    census: HashMap<NaiveDate, f64>,
    arrivals: Vec<f64>,
    first_day: NaiveDate,
}

impl Unit {
    fn new(net: &Network, stays: Vec<Stay>, census_query: &Query) -> Self {
        let engine = Engine::new(net).unwrap();
        let t = engine.census_daily(census_query).unwrap();
        let census = t
            .dates("date")
            .unwrap()
            .iter()
            .copied()
            .zip(t.f64s("midnight_census").unwrap())
            .collect();
        let p = census_query.period;
        let arrivals = daily_arrivals(&stays, p.start(), p.end()).unwrap();
        Self {
            stays,
            census,
            arrivals,
            first_day: p.start(),
        }
    }

    fn census(&self, d: NaiveDate) -> f64 {
        self.census[&d]
    }
}

/// The HDHI unit, loaded once through the site file as a user would.
fn hdhi() -> &'static Unit {
    static UNIT: OnceLock<Unit> = OnceLock::new();
    UNIT.get_or_init(|| {
        let site_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/sites/hdhi.json");
        let site = Site::from_json(&std::fs::read_to_string(site_path).unwrap()).unwrap();
        let data = shared_data().join("hdhi_admissions/HDHI Admission data.csv");
        assert!(
            data.exists(),
            "HDHI data not found at {} (set HUTANO_SHARED_DATA)",
            data.display()
        );
        let (net, report) = site.load(data).unwrap();
        assert!(report.balanced());
        let stays = net.encounters.iter().map(|e| (e.admit, e.discharge)).collect();
        let period = Period::new(date(2017, 4, 1), date(2019, 4, 1)).unwrap();
        Unit::new(&net, stays, &Query::new(period))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrivalsBy {
    SeasonalNaive,
    Ets,
    /// The actual arrivals, known only in hindsight: a diagnostic of how
    /// much of the error is the arrivals forecast's.
    Hindsight,
}

/// What is known at one cutoff, computed once and shared by every setting.
struct Origin {
    as_of: NaiveDate,
    current: Vec<usize>,
    ets: Forecast,
    seasonal_naive: Forecast,
    hindsight: Forecast,
}

fn origins(unit: &Unit, cutoffs: &[NaiveDate]) -> Vec<Origin> {
    cutoffs
        .iter()
        .map(|&as_of| {
            let current = current_patients(&unit.stays, as_of).unwrap();
            // The model's census at the origin is hutano-core's.
            assert_eq!(current.len() as f64, unit.census(as_of), "census at {as_of}");
            let n = (as_of - unit.first_day).num_days() as usize + 1;
            let train = &unit.arrivals[..n];
            Origin {
                as_of,
                current,
                ets: AutoEts::new(7)
                    .fit(train)
                    .unwrap()
                    .predict(H, &LEVELS)
                    .unwrap()
                    .non_negative(),
                seasonal_naive: SeasonalNaive::new(7)
                    .fit(train)
                    .unwrap()
                    .predict(H, &LEVELS)
                    .unwrap()
                    .non_negative(),
                hindsight: Forecast::normal(unit.arrivals[n..n + H].to_vec(), &[0.0; H], &LEVELS).unwrap(),
            }
        })
        .collect()
}

/// Scores of one method at one horizon, summed over cutoffs.
#[derive(Debug, Clone, Copy, Default)]
struct Score {
    n: f64,
    inside: [f64; 2],
    crps: f64,
    err: f64,
}

impl Score {
    fn add(&mut self, y: f64, point: f64, bounds: [(f64, f64); 2], crps: f64) {
        self.n += 1.0;
        for (j, (lo, hi)) in bounds.iter().enumerate() {
            if *lo <= y && y <= *hi {
                self.inside[j] += 1.0;
            }
        }
        self.crps += crps;
        self.err += y - point;
    }

    fn coverage(&self, j: usize) -> f64 {
        100.0 * self.inside[j] / self.n
    }

    fn crps(&self) -> f64 {
        self.crps / self.n
    }

    fn bias(&self) -> f64 {
        self.err / self.n
    }

    fn pooled(per_h: &[Score]) -> Score {
        let mut s = Score::default();
        for x in per_h {
            s.n += x.n;
            s.crps += x.crps;
            s.err += x.err;
            s.inside[0] += x.inside[0];
            s.inside[1] += x.inside[1];
        }
        s
    }
}

/// The census model's scores per horizon over `origins`.
fn model_scores(unit: &Unit, origins: &[Origin], by: ArrivalsBy, model: ArrivalModel, los_window: i64) -> Vec<Score> {
    let mut scores = vec![Score::default(); H];
    for o in origins {
        let recent: Vec<Stay> = unit
            .stays
            .iter()
            .filter(|(a, _)| arrival_day(*a) > o.as_of - days(los_window))
            .copied()
            .collect();
        let los = LosSurvival::from_stays(&recent, o.as_of).unwrap();
        let arrivals = match by {
            ArrivalsBy::Ets => &o.ets,
            ArrivalsBy::SeasonalNaive => &o.seasonal_naive,
            ArrivalsBy::Hindsight => &o.hindsight,
        };
        let f = forecast_census(&los, &o.current, arrivals, model, &LEVELS).unwrap();
        for (h, s) in scores.iter_mut().enumerate() {
            let y = unit.census(o.as_of + days(h as i64 + 1));
            let d = &f.days[h];
            let bounds = [0, 1].map(|j| (f.forecast.lower[j][h], f.forecast.upper[j][h]));
            s.add(y, d.mean(), bounds, d.crps(y));
        }
    }
    scores
}

/// The smallest sample value with empirical cdf ≥ p (the census model's
/// quantile rule), of a sorted sample.
fn sample_quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len() as f64;
    let k = ((p * n).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

/// CRPS of the empirical distribution of a sorted sample at `y`:
/// `E|X − y| − E|X − X'|/2` (Gneiting & Raftery 2007, eq. 21), exactly.
fn sample_crps(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    let e1 = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
    let e2 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum::<f64>()
        * 2.0
        / (n * n);
    e1 - e2 / 2.0
}

/// Score a baseline: `point` plus the empirical errors of the same rule.
fn add_empirical(score: &mut Score, point: f64, errors: &[f64], y: f64) {
    let mut sample: Vec<f64> = errors.iter().map(|e| point + e).collect();
    sample.sort_by(f64::total_cmp);
    let bounds = LEVELS.map(|l| {
        let a = 1.0 - l / 100.0;
        (
            sample_quantile(&sample, a / 2.0),
            sample_quantile(&sample, 1.0 - a / 2.0),
        )
    });
    score.add(y, point, bounds, sample_crps(&sample, y));
}

/// `[carry-forward, seasonal naive]` scores per horizon over `origins`; the
/// errors of each rule come from the `BASELINE_WINDOW` days before the
/// cutoff (both the forecast day and the target day known by then).
fn baseline_scores(unit: &Unit, origins: &[Origin]) -> [Vec<Score>; 2] {
    let mut carry = vec![Score::default(); H];
    let mut seasonal = vec![Score::default(); H];
    let known = |d: NaiveDate, as_of: NaiveDate| d >= unit.first_day && d <= as_of;
    for o in origins {
        let today = unit.census(o.as_of);
        for h in 1..=H {
            let hd = days(h as i64);
            let target = o.as_of + hd;
            let y = unit.census(target);
            // Carry forward: errors c(d + h) − c(d).
            let errs: Vec<f64> = (0..BASELINE_WINDOW)
                .map(|k| o.as_of - days(k))
                .filter(|&d| known(d - hd, o.as_of))
                .map(|d| unit.census(d) - unit.census(d - hd))
                .collect();
            add_empirical(&mut carry[h - 1], today, &errs, y);
            // Seasonal naive: the census `lag` days (1 or 2 weeks) earlier.
            let lag = days(7 * h.div_ceil(7) as i64);
            let errs: Vec<f64> = (0..BASELINE_WINDOW)
                .map(|k| o.as_of - days(k))
                .filter(|&d| known(d - lag, o.as_of))
                .map(|d| unit.census(d) - unit.census(d - lag))
                .collect();
            add_empirical(&mut seasonal[h - 1], unit.census(target - lag), &errs, y);
        }
    }
    [carry, seasonal]
}

/// Print a per-horizon table; return the pooled scores.
fn report(title: &str, columns: &[(&str, &[Score])]) -> Vec<Score> {
    eprintln!("\n{title}");
    eprint!("  h");
    for (name, _) in columns {
        eprint!(" | {name:^30}");
    }
    eprint!("\n   ");
    for _ in columns {
        eprint!(" | {:>6} {:>6} {:>7} {:>7}", "cov80", "cov95", "CRPS", "bias");
    }
    eprintln!();
    let row = |s: &Score| {
        format!(
            " | {:>6.1} {:>6.1} {:>7.3} {:>7.2}",
            s.coverage(0),
            s.coverage(1),
            s.crps(),
            s.bias()
        )
    };
    for h in 0..H {
        eprint!("{:>3}", h + 1);
        for (_, scores) in columns {
            eprint!("{}", row(&scores[h]));
        }
        eprintln!();
    }
    let pooled: Vec<Score> = columns.iter().map(|(_, s)| Score::pooled(s)).collect();
    eprint!("all");
    for s in &pooled {
        eprint!("{}", row(s));
    }
    eprintln!("  (bias = mean of actual − point)");
    pooled
}

fn chosen_model() -> ArrivalModel {
    ArrivalModel::GammaRate {
        level: 80.0,
        correlation: CORRELATION,
    }
}

/// Pooled results of one evaluation.
struct Evaluation {
    /// The chosen model, per horizon.
    per_h: Vec<Score>,
    model: Score,
    carried_forward: Score,
    seasonal_naive: Score,
    /// The chosen model given the actual arrivals (hindsight), Poisson.
    hindsight: Score,
    /// Seasonal-naive arrivals with independent negative binomials.
    seasonal_naive_arrivals: Score,
}

/// Evaluate the chosen model and the baselines on `cutoffs`; print the
/// table and the alternatives.
fn evaluate(title: &str, cutoffs: &[NaiveDate]) -> Evaluation {
    let unit = hdhi();
    let origins = origins(unit, cutoffs);
    let model = model_scores(unit, &origins, ArrivalsBy::Ets, chosen_model(), LOS_WINDOW);
    let [carry, seasonal] = baseline_scores(unit, &origins);
    let pooled = report(
        title,
        &[
            ("census model (ETS arrivals)", &model),
            ("today's census carried fwd", &carry),
            ("seasonal naive census", &seasonal),
        ],
    );
    eprintln!("alternatives, pooled over h = 1..14:");
    let mut alt = Vec::new();
    for (by, m) in [
        (ArrivalsBy::Hindsight, ArrivalModel::Poisson),
        (
            ArrivalsBy::SeasonalNaive,
            ArrivalModel::NegativeBinomial { level: 80.0 },
        ),
        (ArrivalsBy::SeasonalNaive, chosen_model()),
        (ArrivalsBy::Ets, ArrivalModel::Poisson),
        (ArrivalsBy::Ets, ArrivalModel::NegativeBinomial { level: 80.0 }),
    ] {
        let s = Score::pooled(&model_scores(unit, &origins, by, m, LOS_WINDOW));
        eprintln!(
            "  {by:?} arrivals, {m:?}: cov80 {:.1} cov95 {:.1} CRPS {:.3}",
            s.coverage(0),
            s.coverage(1),
            s.crps()
        );
        alt.push(s);
    }
    Evaluation {
        per_h: model,
        model: pooled[0],
        carried_forward: pooled[1],
        seasonal_naive: pooled[2],
        hindsight: alt[0],
        seasonal_naive_arrivals: alt[1],
    }
}

#[test]
fn settings_chosen_on_tuning_half_year() {
    // Every day of 2018-04-01..2018-09-30 as a cutoff (183 origins, the
    // first with a year of history). The setting with the smallest pooled
    // CRPS is the one the evaluation tests use.
    let unit = hdhi();
    let start = date(2018, 4, 1);
    let cutoffs: Vec<NaiveDate> = (0..183).map(|k| start + days(k)).collect();
    let origins = origins(unit, &cutoffs);
    let mut best = (f64::INFINITY, 0, f64::NAN);
    eprintln!("\ntuning half-year 2018-04..09, ETS arrivals, pooled over h = 1..14");
    for window in [30, 60, 90, 180, 365] {
        for rho in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let m = ArrivalModel::GammaRate {
                level: 80.0,
                correlation: rho,
            };
            let s = Score::pooled(&model_scores(unit, &origins, ArrivalsBy::Ets, m, window));
            eprintln!(
                "  LOS window {window:>3} d, correlation {rho:.2}: cov80 {:>5.1} cov95 {:>5.1} CRPS {:.3} bias {:>5.2}",
                s.coverage(0),
                s.coverage(1),
                s.crps(),
                s.bias()
            );
            if s.crps() < best.0 {
                best = (s.crps(), window, rho);
            }
        }
    }
    assert_eq!((best.1, best.2), (LOS_WINDOW, CORRELATION), "best {best:?}");
}

/// 12 cutoffs 14 days apart, the last forecasting up to 2019-03-31.
fn twelve_cutoffs() -> Vec<NaiveDate> {
    let last = date(2019, 3, 17);
    (0..12).map(|w| last - days(14 * (11 - w))).collect()
}

#[test]
fn hdhi_census_twelve_cutoffs() {
    let cutoffs = twelve_cutoffs();
    assert_eq!(cutoffs[0], date(2018, 10, 14));
    let e = evaluate("HDHI, 12 cutoffs 14 days apart (2018-10-14..2019-03-17)", &cutoffs);
    // The targets, pooled over the 168 forecasts (12 per horizon):
    // CRPS below both baselines (8.335 vs 8.602 carried forward, 10.215
    // seasonal naive) and coverage within ±3 points (80.4 %, 94.6 %).
    assert!(e.model.crps() < e.carried_forward.crps());
    assert!(e.model.crps() < 0.9 * e.seasonal_naive.crps());
    assert!((e.model.coverage(0) - 80.0).abs() <= 3.0, "{}", e.model.coverage(0));
    assert!((e.model.coverage(1) - 95.0).abs() <= 3.0, "{}", e.model.coverage(1));
    // With the actual arrivals the census model halves the error: what is
    // left is the arrivals forecast's.
    assert!(e.hindsight.crps() < 0.6 * e.carried_forward.crps());
}

#[test]
fn hdhi_census_daily_origins() {
    // Every day of the evaluation half-year as a cutoff (168 origins), so
    // that coverage is estimated to a few points.
    let start = date(2018, 10, 1);
    let cutoffs: Vec<NaiveDate> = (0..168).map(|k| start + days(k)).collect();
    assert_eq!(cutoffs[167], date(2019, 3, 17));
    let e = evaluate("HDHI, 168 daily cutoffs (2018-10-01..2019-03-17)", &cutoffs);
    // The targets, pooled over h = 1..14: CRPS below both baselines
    // (8.844 vs 8.921 carried forward, 10.436 seasonal naive) and coverage
    // within ±3 points (77.1 %, 92.5 %).
    assert!(e.model.crps() < e.carried_forward.crps());
    assert!(e.model.crps() < 0.9 * e.seasonal_naive.crps());
    assert!((e.model.coverage(0) - 80.0).abs() <= 3.0, "{}", e.model.coverage(0));
    assert!((e.model.coverage(1) - 95.0).abs() <= 3.0, "{}", e.model.coverage(1));
    // Per horizon the 80 % coverage ranges over 72-82 % (12 origins per
    // horizon and week are correlated, so a few points either way).
    assert!(e.per_h.iter().all(|s| s.coverage(0) >= 70.0 && s.coverage(1) >= 89.0));
    // The seasonal-naive arrivals with independent negative binomials are
    // calibrated (80.0 %, 93.8 %) but their CRPS (9.25) is no better.
    let sn = e.seasonal_naive_arrivals;
    assert!((sn.coverage(0) - 80.0).abs() <= 3.0 && (sn.coverage(1) - 95.0).abs() <= 3.0);
    // With the actual arrivals the census model halves the error.
    assert!(e.hindsight.crps() < 0.6 * e.carried_forward.crps());
}

/// ICU stays of one branch of a generated network: maximal runs of
/// consecutive ICU placements, from the first one's start to the next
/// non-ICU placement or the discharge.
fn icu_stays(net: &Network, branch: u32) -> Vec<Stay> {
    let mut out = Vec::new();
    for e in net.encounters.iter().filter(|e| e.branch.0 == branch) {
        let mut open = None;
        for (i, p) in e.placements.iter().enumerate() {
            let end = e.placements.get(i + 1).map(|n| n.start).or(e.discharge);
            if p.bed_type == BedType::Icu {
                open.get_or_insert(p.start);
            } else if let Some(s) = open.take() {
                out.push((s, Some(p.start)));
            }
            if i + 1 == e.placements.len() {
                if let Some(s) = open.take() {
                    out.push((s, end));
                }
            }
        }
    }
    out
}

#[test]
fn icu_census_the_same_way() {
    // The same function forecasts ICU beds when given ICU stays only: a year
    // of the generated national network, its busiest ICU, 60 daily origins.
    let net = generate(&GeneratorConfig::national(11)).unwrap();
    let (branch, stays) = (0..net.branches.len() as u32)
        .map(|b| (b, icu_stays(&net, b)))
        .max_by_key(|(_, s)| s.len())
        .unwrap();
    let period = Period::new(date(2024, 1, 1), date(2025, 1, 1)).unwrap();
    let q = Query::new(period)
        .filter(Dimension::BedType, ["icu"])
        .filter(Dimension::Branch, [net.branches[branch as usize].code.clone()]);
    let unit = Unit::new(&net, stays, &q);
    let start = date(2024, 10, 1);
    let cutoffs: Vec<NaiveDate> = (0..60).map(|k| start + days(k)).collect();
    // `origins` checks that the ICU patients at each cutoff are the engine's
    // ICU census.
    let origins = origins(&unit, &cutoffs);
    let model = model_scores(&unit, &origins, ArrivalsBy::Ets, chosen_model(), LOS_WINDOW);
    let [carry, seasonal] = baseline_scores(&unit, &origins);
    let pooled = report(
        &format!(
            "ICU of {} (generated), 60 daily cutoffs, mean census {:.1}",
            net.branches[branch as usize].code,
            cutoffs.iter().map(|d| unit.census(*d)).sum::<f64>() / 60.0
        ),
        &[
            ("census model", &model),
            ("carried forward", &carry),
            ("seasonal naive", &seasonal),
        ],
    );
    // Better than both baselines (2.38 vs 2.70 and 3.11); coverage falls
    // short here too (70.4 % and 90.1 %, worst beyond a week).
    assert!(pooled[0].crps() < pooled[1].crps() && pooled[0].crps() < pooled[2].crps());
    assert!(pooled[0].coverage(0) >= 65.0 && pooled[0].coverage(1) >= 85.0);
}
