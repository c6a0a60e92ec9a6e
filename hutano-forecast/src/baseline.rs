//! Baselines: naive and seasonal naive, with the normal prediction
//! intervals of Hyndman & Athanasopoulos, *Forecasting: Principles and
//! Practice* (3rd ed., §5.5), as statsforecast computes them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict};

/// Forecast the last observation.
///
/// Residual standard deviation `σ = sqrt(Σ r² / (n − 1))` over the n − 1
/// one-step residuals; the h-step standard deviation is `σ·√h`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Naive;

/// A fitted [`Naive`] model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedNaive {
    last: f64,
    sigma: f64,
    fitted: Vec<f64>,
}

impl Fit for Naive {
    type Fitted = FittedNaive;

    fn fit(&self, y: &[f64]) -> Result<FittedNaive> {
        let Some(&last) = y.last() else {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: 1,
                got: 0,
            });
        };
        let mut fitted = vec![f64::NAN; y.len()];
        fitted[1..].copy_from_slice(&y[..y.len() - 1]);
        let ss: f64 = y.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
        let sigma = if y.len() > 1 {
            (ss / (y.len() - 1) as f64).sqrt()
        } else {
            0.0
        };
        Ok(FittedNaive { last, sigma, fitted })
    }
}

impl Predict for FittedNaive {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let sd: Vec<f64> = (1..=horizon).map(|h| self.sigma * (h as f64).sqrt()).collect();
        Forecast::normal(vec![self.last; horizon], &sd, levels)
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        self.fitted.clone()
    }
}

/// Forecast the observation one season earlier.
///
/// Residual standard deviation `σ = sqrt(Σ r² / (n − m))` over the n − m
/// seasonal residuals; at step h the standard deviation is `σ·√(k + 1)`
/// with `k = ⌊(h − 1)/m⌋`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonalNaive {
    /// Season length in steps (7 for daily data with a weekly cycle).
    pub season_length: usize,
}

impl SeasonalNaive {
    /// A seasonal naive model with this season length.
    #[must_use]
    pub fn new(season_length: usize) -> Self {
        Self { season_length }
    }
}

/// A fitted [`SeasonalNaive`] model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSeasonalNaive {
    last_season: Vec<f64>,
    sigma: f64,
    fitted: Vec<f64>,
}

impl Fit for SeasonalNaive {
    type Fitted = FittedSeasonalNaive;

    fn fit(&self, y: &[f64]) -> Result<FittedSeasonalNaive> {
        let m = self.season_length;
        if m == 0 {
            return Err(Error::InvalidParameter {
                name: "season_length",
                problem: "must be at least 1".into(),
            });
        }
        if y.len() < m {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: m,
                got: y.len(),
            });
        }
        let mut fitted = vec![f64::NAN; y.len()];
        fitted[m..].copy_from_slice(&y[..y.len() - m]);
        let ss: f64 = (m..y.len()).map(|t| (y[t] - y[t - m]).powi(2)).sum();
        let sigma = if y.len() > m {
            (ss / (y.len() - m) as f64).sqrt()
        } else {
            0.0
        };
        Ok(FittedSeasonalNaive {
            last_season: y[y.len() - m..].to_vec(),
            sigma,
            fitted,
        })
    }
}

impl Predict for FittedSeasonalNaive {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let m = self.last_season.len();
        let point = (0..horizon).map(|t| self.last_season[t % m]).collect();
        let sd: Vec<f64> = (0..horizon).map(|t| self.sigma * ((t / m + 1) as f64).sqrt()).collect();
        Forecast::normal(point, &sd, levels)
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        self.fitted.clone()
    }
}
