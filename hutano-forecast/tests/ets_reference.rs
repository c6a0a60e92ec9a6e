//! ETS and MSTL against statsforecast 2.1.1 (values produced by
//! `tests/reference/statsforecast_ets.py`, versions recorded in the JSON),
//! and a rolling-origin backtest against the seasonal naive baseline.
//!
//! Tolerances. augurs-ets is a port of statsforecast's ETS: the same
//! likelihood, the same Nelder–Mead search from the same starting values,
//! the same bounds and the same interval formulas; hutano's MSTL runs the
//! same STL (the Cleveland et al. 1990 Fortran, via stlrs rather than
//! statsmodels) with statsforecast's settings. So the two agree to
//! floating-point rounding, not to "a few percent": the largest relative
//! differences seen are 9e-14 (forecasts, bounds, fitted values,
//! log-likelihood) and 1e-11 absolute in the STL components. The tests
//! assert 1e-9 relative (1e-9 absolute for components of unit-scale
//! series): tight enough to catch any change of model, starting value or
//! formula, with room for a different summation order or FMA on another
//! platform nudging the optimiser.
//!
//! What cannot be compared. augurs-ets 0.10 does not expose the smoothing
//! parameters (alpha, beta, phi) of the model it fits; the JSON records
//! statsforecast's, and the log-likelihood (a function of them and of the
//! initial states) and the forecasts (a function of the final states) are
//! compared instead. augurs-ets has no seasonal ETS (grafana/augurs#27), so
//! statsforecast's seasonal `AutoETS(season_length=12)`, ETS(M,N,M) on
//! `AirPassengers`, has no counterpart: hutano's `AutoEts::new(12)` takes the
//! STL + ETS route, which is compared exactly with statsforecast's
//! `MSTL(season_length=12)` and only loosely with its ETS(M,N,M).

#![cfg(feature = "augurs")]
// Test code: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_allclose, floats};
use hutano_forecast::backtest::{cross_validation, evaluate, Window};
use hutano_forecast::baseline::SeasonalNaive;
use hutano_forecast::ets::{AutoEts, FittedAutoEts};
use hutano_forecast::forecast::{Fit, Forecast, Predict};
use hutano_forecast::mstl::{FittedMstl, Mstl};
use hutano_forecast::panel::{FillRule, Freq, Panel};
use serde_json::Value;

const RTOL: f64 = 1e-9;

fn reference() -> Value {
    serde_json::from_str(include_str!("reference/statsforecast_ets.json")).unwrap()
}

fn check_forecast(forecast: &Forecast, fitted: &[f64], expected: &Value) {
    assert_allclose(&forecast.point, &floats(&expected["mean"]), RTOL, 0.0);
    for level in [80.0, 95.0] {
        let (lo, hi) = forecast.interval(level).unwrap();
        assert_allclose(lo, &floats(&expected[format!("lo-{level}")]), RTOL, 0.0);
        assert_allclose(hi, &floats(&expected[format!("hi-{level}")]), RTOL, 0.0);
    }
    assert_allclose(fitted, &floats(&expected["fitted"]), RTOL, 0.0);
}

/// The chosen form, log-likelihood, AIC and `AICc` (statsforecast's
/// `method`, `loglik`, `aic`, `aicc`).
fn check_ets(m: &FittedAutoEts, expected: &Value) {
    let form = m.form();
    let ets_form = form.rsplit('+').next().unwrap();
    assert_eq!(ets_form, expected["method"].as_str().unwrap());
    for (actual, key) in [(m.log_likelihood(), "loglik"), (m.aic(), "aic"), (m.aicc(), "aicc")] {
        assert_allclose(&[actual], &[expected[key].as_f64().unwrap()], RTOL, 0.0);
    }
}

/// STL components against statsmodels' (values of order 10–500).
fn check_decomposition(m: &FittedMstl, expected: &Value) {
    assert_allclose(&m.seasonal()[0], &floats(&expected["seasonal"]), RTOL, 1e-9);
    assert_allclose(m.trend(), &floats(&expected["trend"]), RTOL, 1e-9);
    assert_allclose(m.remainder(), &floats(&expected["remainder"]), RTOL, 1e-9);
}

#[test]
fn matches_statsforecast_auto_ets_zzn_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let expected = &r["auto_ets_zzn"];
    let m = AutoEts::non_seasonal().fit(&y).unwrap();
    // statsforecast chooses ETS(M,A,N) (alpha 0.9999, beta 1e-4).
    assert_eq!(m.form(), "ETS(M,A,N)");
    check_ets(&m, expected);
    check_forecast(&m.predict(12, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
}

#[test]
fn matches_statsforecast_mstl_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let expected = &r["mstl_12"];
    let m = Mstl::new(vec![12]).fit(&y).unwrap();
    check_decomposition(&m, &expected["decomposition"]);
    check_ets(m.trend_model(), &expected["trend_model"]);
    check_forecast(&m.predict(12, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
    // AutoEts with a season is STL + ETS: the same model.
    let e = AutoEts::new(12).fit(&y).unwrap();
    assert_eq!(e.form(), "STL(12)+ETS(M,A,N)");
    check_ets(&e, &expected["trend_model"]);
    check_forecast(&e.predict(12, &[80.0, 95.0]).unwrap(), &e.predict_in_sample(), expected);
}

#[test]
fn matches_statsforecast_mstl_hdhi_daily() {
    let r = reference();
    let y = floats(&r["hdhi_daily_120"]);
    let expected = &r["mstl_7_hdhi"];
    let m = Mstl::new(vec![7]).fit(&y).unwrap();
    check_decomposition(&m, &expected["decomposition"]);
    // statsforecast chooses ETS(A,N,N) for the seasonally adjusted series.
    assert_eq!(m.trend_model().form(), "ETS(A,N,N)");
    check_ets(m.trend_model(), &expected["trend_model"]);
    check_forecast(&m.predict(14, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
}

/// Not a match: statsforecast's seasonal AutoETS(12) fits ETS(M,N,M)
/// (`AICc` 1458.1), a model augurs-ets 0.10 cannot fit. hutano's STL + ETS
/// forecasts lie within 9.0 % of it (additive vs multiplicative season, and
/// a trend that ETS(M,N,M) does not have); the test bounds the gap at 10 %
/// so that a change on either side is noticed.
#[test]
fn seasonal_auto_ets_is_stl_ets_not_statsforecast_ets_mnm() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let expected = &r["auto_ets_12"];
    assert_eq!(expected["method"].as_str().unwrap(), "ETS(M,N,M)");
    let m = AutoEts::new(12).fit(&y).unwrap();
    assert!(m.form().starts_with("STL(12)+"));
    let f = m.predict(12, &[80.0, 95.0]).unwrap();
    assert_allclose(&f.point, &floats(&expected["mean"]), 0.10, 0.0);
}

/// Daily series with a weekly cycle, a trend and Gaussian noise
/// (deterministic: splitmix64 and Box–Muller).
fn synthetic_panel(days: usize) -> Panel {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut state = 0x5eed_u64;
    let mut uniform = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut rows = Vec::new();
    // (level, daily trend, weekly amplitude, noise sd): a large ward, a
    // small unit whose weekend dips near zero, and a declining service.
    for (s, (level, slope, amplitude, sd)) in [(60.0, 0.08, 1.0, 3.0), (4.0, 0.005, 0.25, 1.5), (40.0, -0.04, 0.8, 2.5)]
        .into_iter()
        .enumerate()
    {
        for d in 0..days {
            let weekly = [6.0, 8.0, 7.0, 5.0, 3.0, -12.0, -17.0][d % 7] * amplitude;
            let (u1, u2) = (uniform().max(1e-12), uniform());
            let noise = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos() * sd;
            let y = level + slope * d as f64 + weekly + noise;
            rows.push((
                format!("s{s}"),
                start + chrono::TimeDelta::days(i64::try_from(d).unwrap()),
                y,
            ));
        }
    }
    Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap()
}

fn check_windows(windows: &[Window]) {
    for w in windows {
        let f = &w.forecast;
        let (lo80, hi80) = f.interval(80.0).unwrap();
        let (lo95, hi95) = f.interval(95.0).unwrap();
        for t in 0..f.len() {
            assert!(f.point[t] >= 0.0 && lo95[t] >= 0.0, "clipped forecast is negative");
            assert!(
                lo80[t] <= f.point[t] && f.point[t] <= hi80[t],
                "{} step {t}",
                w.unique_id
            );
            assert!(lo95[t] <= lo80[t] && hi80[t] <= hi95[t], "{} step {t}", w.unique_id);
        }
    }
}

#[test]
fn ets_and_mstl_beat_seasonal_naive_on_a_weekly_series() {
    let panel = synthetic_panel(280);
    let levels = [80.0, 95.0];
    let run = |windows: Vec<Window>| {
        check_windows(&windows);
        evaluate(&windows).unwrap()
    };
    let naive = run(cross_validation(&SeasonalNaive::new(7), &panel, 14, 3, 14, &levels, 7, true).unwrap());
    let ets = run(cross_validation(&AutoEts::new(7), &panel, 14, 3, 14, &levels, 7, true).unwrap());
    let mstl = run(cross_validation(&Mstl::new(vec![7]), &panel, 14, 3, 14, &levels, 7, true).unwrap());
    eprintln!(
        "MASE: seasonal naive {:.3}, AutoEts(7) {:.3}, Mstl([7]) {:.3}",
        naive.mase, ets.mase, mstl.mase
    );
    assert!(ets.mase < naive.mase, "{} vs {}", ets.mase, naive.mase);
    assert!(mstl.mase < naive.mase, "{} vs {}", mstl.mase, naive.mase);
    // The small unit's weekend bounds reach zero: clipping was exercised.
    let small = cross_validation(&AutoEts::new(7), &panel, 14, 3, 14, &levels, 7, false).unwrap();
    assert!(small.iter().any(|w| w.forecast.lower[1].iter().any(|x| *x < 0.0)));
}
