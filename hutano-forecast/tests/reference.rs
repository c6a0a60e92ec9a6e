//! Baselines against statsforecast 2.1.1 (values produced by
//! `tests/reference/statsforecast_baselines.py`, versions recorded in the
//! JSON). The formulas are the same, so the only differences are
//! floating-point summation order and the normal quantile (statsforecast
//! uses scipy's `ndtri`, hutano AS 241): both well below 1e-9 relative.

// Test code: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_allclose, floats};
use hutano_forecast::baseline::{Naive, SeasonalNaive};
use hutano_forecast::forecast::{Fit, Forecast, Predict};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("reference/statsforecast_baselines.json")).unwrap()
}

fn check(forecast: &Forecast, fitted: &[f64], expected: &Value) {
    assert_allclose(&forecast.point, &floats(&expected["mean"]), 1e-12, 1e-12);
    for level in [80.0, 95.0] {
        let (lo, hi) = forecast.interval(level).unwrap();
        assert_allclose(lo, &floats(&expected[format!("lo-{level}")]), 1e-9, 1e-12);
        assert_allclose(hi, &floats(&expected[format!("hi-{level}")]), 1e-9, 1e-12);
    }
    assert_allclose(fitted, &floats(&expected["fitted"]), 1e-12, 1e-12);
}

#[test]
fn matches_statsforecast_naive_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let m = Naive.fit(&y).unwrap();
    check(
        &m.predict(12, &[80.0, 95.0]).unwrap(),
        &m.predict_in_sample(),
        &r["naive"],
    );
}

#[test]
fn matches_statsforecast_seasonal_naive_air_passengers() {
    let r = reference();
    let y = floats(&r["air_passengers"]);
    let m = SeasonalNaive::new(12).fit(&y).unwrap();
    check(
        &m.predict(12, &[80.0, 95.0]).unwrap(),
        &m.predict_in_sample(),
        &r["seasonal_naive_12"],
    );
}

#[test]
fn matches_statsforecast_seasonal_naive_hdhi_daily() {
    let r = reference();
    let y = floats(&r["hdhi_daily_120"]);
    let m = SeasonalNaive::new(7).fit(&y).unwrap();
    check(
        &m.predict(14, &[80.0, 95.0]).unwrap(),
        &m.predict_in_sample(),
        &r["hdhi_seasonal_naive_7"],
    );
}
