#![doc = include_str!("../README.md")]
//!
//! Forecasting for hospital series: a panel type for long-format data
//! (`unique_id`, `ds`, `y`), the `Fit`/`Predict` model traits, baselines
//! with prediction intervals, rolling-origin backtests and accuracy metrics.
//!
//! ```
//! use hutano_forecast::baseline::SeasonalNaive;
//! use hutano_forecast::forecast::{Fit, Predict};
//!
//! let y: Vec<f64> = (0..28).map(|t| f64::from([20, 22, 21, 23, 25, 12, 10][t % 7])).collect();
//! let fitted = SeasonalNaive::new(7).fit(&y)?;
//! let f = fitted.predict(14, &[80.0, 95.0])?;
//! assert_eq!(f.point[0], 20.0);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod alerts;
pub mod arima;
pub mod backtest;
pub mod baseline;
pub mod calibrated;
pub mod clean;
pub mod ensemble;
pub mod error;
pub mod ets;
pub mod features;
pub mod forecast;
pub mod glm;
pub mod medicines;
#[cfg(feature = "augurs")]
pub mod mstl;
pub mod normal;
pub mod panel;
pub mod prophet;
pub mod report;
pub mod resources;
pub mod spec;
pub mod staffing;
pub mod trees;

pub use error::{Error, Result};

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use rand::Rng;

    /// A Poisson draw with mean `m`, by inversion of the distribution
    /// function (one uniform per draw; the usual one-letter names).
    #[allow(clippy::many_single_char_names)]
    pub(crate) fn poisson(rng: &mut rand_chacha::ChaCha8Rng, m: f64) -> f64 {
        let u: f64 = rng.random();
        let (mut k, mut p) = (0.0, (-m).exp());
        let mut c = p;
        while c < u {
            k += 1.0;
            p *= m / k;
            c += p;
        }
        k
    }
}
