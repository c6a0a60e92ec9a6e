//! Helpers shared by the reference tests.

// Each test binary uses a subset.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;

/// A JSON array of numbers (null → NaN).
pub(crate) fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// NaN-aware `|a − e| ≤ atol + rtol·|e|`, element by element.
pub(crate) fn assert_allclose(actual: &[f64], expected: &[f64], rtol: f64, atol: f64) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let ok = (a.is_nan() && e.is_nan()) || (a - e).abs() <= atol + rtol * e.abs();
        assert!(ok, "index {i}: {a} vs {e}");
    }
}
