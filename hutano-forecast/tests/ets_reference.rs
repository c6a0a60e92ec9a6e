//! ETS and MSTL against statsforecast 2.1.1 (values produced by
//! `tests/reference/statsforecast_ets.py`, versions recorded in the JSON),
//! and a rolling-origin backtest against the seasonal naive baseline.
//!
//! Tolerances. hutano's ETS is a port of statsforecast's that repeats its
//! arithmetic operation for operation: the same starting values (numpy's
//! pairwise sums and convolution order, LAPACK's `dgelsd` for the initial
//! regression), the same Nelder–Mead with Eigen's summation orders and
//! libstdc++'s sort, the same likelihood and interval formulas. So the two
//! agree to floating-point rounding, not to "a few percent": the chosen
//! forms, smoothing parameters, initial states and log-likelihoods are
//! bit-identical on these series, and forecasts, bounds and fitted values
//! differ by at most 1e-14 relative (the square roots and normal quantiles
//! of the bounds). hutano's MSTL runs the same STL (the Cleveland et al.
//! 1990 Fortran, via stlrs rather than statsmodels) with statsforecast's
//! settings and agrees to 1e-11 absolute in the components. The tests
//! assert 1e-9 relative (1e-9 absolute for components of unit-scale
//! series): tight enough to catch any change of model, starting value,
//! optimiser step or formula, with room for a different libm or summation
//! order on another platform nudging the optimiser's last steps.

// Test code: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_allclose, floats};
use hutano_forecast::backtest::{cross_validation, evaluate, Window};
use hutano_forecast::baseline::SeasonalNaive;
use hutano_forecast::ets::{AutoEts, FittedAutoEts};
use hutano_forecast::forecast::{Fit, Forecast, Predict};
#[cfg(feature = "augurs")]
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

/// The chosen form, smoothing parameters, initial states, log-likelihood,
/// AIC, `AICc` and residual variance (statsforecast's `method`, `par`,
/// `loglik`, `aic`, `aicc`, `sigma2`).
fn check_ets(m: &FittedAutoEts, expected: &Value) {
    assert_eq!(m.form(), expected["method"].as_str().unwrap());
    let p = m.parameters();
    let params = &expected["params"];
    assert_allclose(&[p.alpha], &[params["alpha"].as_f64().unwrap()], RTOL, 0.0);
    for (actual, key) in [(p.beta, "beta"), (p.gamma, "gamma"), (p.phi, "phi")] {
        assert_eq!(actual.is_some(), !params[key].is_null(), "{key}");
        if let Some(v) = actual {
            assert_allclose(&[v], &[params[key].as_f64().unwrap()], RTOL, 0.0);
        }
    }
    assert_allclose(m.initial_states(), &floats(&expected["initial_states"]), RTOL, 1e-12);
    for (actual, key) in [
        (m.log_likelihood(), "loglik"),
        (m.aic(), "aic"),
        (m.aicc(), "aicc"),
        (m.sigma2(), "sigma2"),
    ] {
        assert_allclose(&[actual], &[expected[key].as_f64().unwrap()], RTOL, 0.0);
    }
}

/// STL components against statsmodels' (values of order 10–500).
#[cfg(feature = "augurs")]
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

#[cfg(feature = "augurs")]
#[test]
fn matches_statsforecast_mstl_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let expected = &r["mstl_12"];
    let m = Mstl::new(vec![12]).fit(&y).unwrap();
    check_decomposition(&m, &expected["decomposition"]);
    check_ets(m.trend_model(), &expected["trend_model"]);
    check_forecast(&m.predict(12, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
}

#[cfg(feature = "augurs")]
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

/// Seasonal `AutoETS(season_length=12)` ("ZZZ"): statsforecast chooses
/// ETS(M,N,M) (class 3 intervals) among the 15 candidates.
#[test]
fn matches_statsforecast_auto_ets_12_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let expected = &r["auto_ets_12"];
    let m = AutoEts::new(12).fit(&y).unwrap();
    assert_eq!(m.form(), "ETS(M,N,M)");
    check_ets(&m, expected);
    check_forecast(&m.predict(12, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
}

/// Fixed forms, as `AutoETS(season_length=12, model=..., damped=...)`:
/// ETS(A,Ad,A) (class 1 intervals with a damped seasonal formula),
/// ETS(M,N,M) and ETS(M,A,M) (class 3).
#[test]
fn matches_statsforecast_fixed_ets_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    for (key, spec, damped, form) in [
        ("ets_aada_12", "AAA", Some(true), "ETS(A,Ad,A)"),
        ("ets_mnm_12", "MNM", None, "ETS(M,N,M)"),
        ("ets_mam_12", "MAM", Some(false), "ETS(M,A,M)"),
    ] {
        let expected = &r[key];
        let mut e = AutoEts::new(12).spec(spec);
        e.damped = damped;
        let m = e.fit(&y).unwrap();
        assert_eq!(m.form(), form);
        check_ets(&m, expected);
        check_forecast(&m.predict(12, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
    }
}

/// Seasonal `AutoETS(season_length=7)` on 120 days of HDHI admissions:
/// statsforecast chooses ETS(A,N,A).
#[test]
fn matches_statsforecast_auto_ets_7_hdhi_daily() {
    let r = reference();
    let y = floats(&r["hdhi_daily_120"]);
    let expected = &r["auto_ets_7_hdhi"];
    let m = AutoEts::new(7).fit(&y).unwrap();
    assert_eq!(m.form(), "ETS(A,N,A)");
    check_ets(&m, expected);
    check_forecast(&m.predict(14, &[80.0, 95.0]).unwrap(), &m.predict_in_sample(), expected);
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
    eprintln!("MASE: seasonal naive {:.3}, AutoEts(7) {:.3}", naive.mase, ets.mase);
    assert!(ets.mase < naive.mase, "{} vs {}", ets.mase, naive.mase);
    #[cfg(feature = "augurs")]
    {
        let mstl = run(cross_validation(&Mstl::new(vec![7]), &panel, 14, 3, 14, &levels, 7, true).unwrap());
        eprintln!("MASE: Mstl([7]) {:.3}", mstl.mase);
        assert!(mstl.mase < naive.mase, "{} vs {}", mstl.mase, naive.mase);
    }
    // The small unit's weekend bounds reach zero: clipping was exercised.
    let small = cross_validation(&AutoEts::new(7), &panel, 14, 3, 14, &levels, 7, false).unwrap();
    assert!(small.iter().any(|w| w.forecast.lower[1].iter().any(|x| *x < 0.0)));
}
