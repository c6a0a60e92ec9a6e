//! MSTL: multiple seasonal-trend decomposition by LOESS, with an automatic
//! ETS model for the seasonally adjusted series (Bandara, Hyndman &
//! Bergmeir, *MSTL: A Seasonal-Trend Decomposition Algorithm for Time
//! Series with Multiple Seasonal Patterns*, 2021, arXiv:2107.13462; R's
//! `forecast::mstl`, statsforecast's `MSTL`).
//!
//! The decomposition runs the STL of Cleveland, Cleveland, `McRae` &
//! Terpenning (J. Official Statistics 6, 1990) from `stlrs`, the engine of
//! augurs-mstl, in `f64`, with statsforecast's settings (statsmodels' `STL`
//! with `seasonal_deg = 0`): seasonal windows 11, 15, 19, ... for the
//! periods in increasing order, trend window the smallest odd integer ≥
//! `1.5·p / (1 − 1.5/s)`, low-pass window the smallest odd integer > p,
//! LOESS degrees 0 (seasonal) and 1 (trend, low-pass), every point smoothed
//! (jumps of 1), 5 inner and no robustness iterations, and 2 passes over
//! the periods when there are several. R's `stl` differs in the low-pass
//! window for odd periods, in the jumps and in the inner iterations.
//!
//! The trend and remainder (the seasonally adjusted series) are forecast by
//! a non-seasonal [`AutoEts`] (augurs-ets, as augurs' `MSTLModel` with its
//! `AutoETSTrendModel` and statsforecast's default `AutoETS(model="ZZN")`);
//! each seasonal component repeats its last cycle. Interval bounds are the
//! trend model's bounds plus the same seasonal terms.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ets::{check_finite, AutoEts, FittedAutoEts};
use crate::forecast::{Fit, Forecast, Predict};

/// MSTL with an automatic ETS trend model.
///
/// ```
/// use hutano_forecast::forecast::{Fit, Predict};
/// use hutano_forecast::mstl::Mstl;
///
/// let y: Vec<f64> = (0..70).map(|t| f64::from([20, 22, 21, 23, 25, 12, 10][t % 7]) + 0.1 * t as f64).collect();
/// let fitted = Mstl::new(vec![7]).fit(&y)?;
/// let f = fitted.predict(14, &[80.0, 95.0])?;
/// assert_eq!(f.len(), 14);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mstl {
    /// Seasonal periods in steps, e.g. `[7]` or `[7, 365]` for daily data.
    /// Order does not matter; duplicates are ignored.
    pub periods: Vec<usize>,
    /// Model of the seasonally adjusted series; must be non-seasonal.
    pub trend: AutoEts,
}

impl Mstl {
    /// MSTL with these periods and the `"ZZN"` ETS search as trend model.
    #[must_use]
    pub fn new(periods: Vec<usize>) -> Self {
        Self {
            periods,
            trend: AutoEts::non_seasonal(),
        }
    }

    /// Use another non-seasonal ETS search for the seasonally adjusted
    /// series.
    #[must_use]
    pub fn trend(mut self, trend: AutoEts) -> Self {
        self.trend = trend;
        self
    }

    /// Check the parameters; [`Fit::fit`] calls this first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when there is no period, a period below
    /// 2, or a trend model that is invalid or seasonal.
    pub fn check(&self) -> Result<()> {
        if self.periods.is_empty() {
            return Err(Error::InvalidParameter {
                name: "periods",
                problem: "at least one period is needed".into(),
            });
        }
        if let Some(p) = self.periods.iter().find(|p| **p < 2) {
            return Err(Error::InvalidParameter {
                name: "periods",
                problem: format!("period {p} is below 2"),
            });
        }
        if self.trend.is_seasonal()? {
            return Err(Error::InvalidParameter {
                name: "trend",
                problem: format!(
                    "the trend model must be non-seasonal, got spec {:?} with season length {}",
                    self.trend.spec, self.trend.season_length
                ),
            });
        }
        Ok(())
    }
}

/// A fitted [`Mstl`].
#[derive(Debug, Clone)]
pub struct FittedMstl {
    periods: Vec<usize>,
    seasonal: Vec<Vec<f64>>,
    trend: Vec<f64>,
    remainder: Vec<f64>,
    trend_model: FittedAutoEts,
}

impl Fit for Mstl {
    type Fitted = FittedMstl;

    /// # Errors
    /// [`Error::InvalidParameter`] as in [`Mstl::check`];
    /// [`Error::NonFinite`] for a NaN or infinite value; [`Error::TooShort`]
    /// with fewer than two cycles of the longest period (R's `mstl` would
    /// drop that period instead) or too few values for the trend model;
    /// [`Error::Model`] when STL or the ETS search fails.
    fn fit(&self, y: &[f64]) -> Result<FittedMstl> {
        self.check()?;
        check_finite(y)?;
        let mut periods = self.periods.clone();
        periods.sort_unstable();
        periods.dedup();
        let longest = periods[periods.len() - 1];
        if y.len() < 2 * longest {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: 2 * longest,
                got: y.len(),
            });
        }
        let (seasonal, trend) = decompose(y, &periods)?;
        let adjusted: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(t, v)| v - seasonal.iter().map(|s| s[t]).sum::<f64>())
            .collect();
        let remainder = adjusted.iter().zip(&trend).map(|(a, b)| a - b).collect();
        let trend_model = self.trend.fit(&adjusted)?;
        Ok(FittedMstl {
            periods,
            seasonal,
            trend,
            remainder,
            trend_model,
        })
    }
}

/// MSTL decomposition of `y` (finite, at least two cycles of every period)
/// with statsforecast's STL settings: the seasonal components, one per
/// period (sorted), and the trend.
fn decompose(y: &[f64], periods: &[usize]) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    use augurs_mstl::stlrs;

    // Exactly equal values, not nearly: STL's loess smoothers leave a few
    // ulps of rounding noise on a constant series, enough to put the
    // constant itself outside the zero-width intervals; its decomposition
    // is exact.
    #[allow(clippy::float_cmp)]
    if y.iter().all(|v| *v == y[0]) {
        return Ok((vec![vec![0.0; y.len()]; periods.len()], y.to_vec()));
    }

    let iterations = if periods.len() == 1 { 1 } else { 2 };
    let mut seasonal = vec![vec![0.0; y.len()]; periods.len()];
    let mut deseasonalised = y.to_vec();
    let mut trend = Vec::new();
    for _ in 0..iterations {
        for (i, &period) in periods.iter().enumerate() {
            for (d, s) in deseasonalised.iter_mut().zip(&seasonal[i]) {
                *d += s;
            }
            let low_pass = if period % 2 == 0 { period + 1 } else { period + 2 };
            let fit = stlrs::params()
                .seasonal_length(7 + 4 * (i + 1))
                .low_pass_length(low_pass)
                .seasonal_degree(0)
                .trend_degree(1)
                .low_pass_degree(1)
                .seasonal_jump(1)
                .trend_jump(1)
                .low_pass_jump(1)
                .inner_loops(5)
                .outer_loops(0)
                .fit(&deseasonalised, period)
                .map_err(|e| Error::Model {
                    model: "MSTL",
                    message: e.to_string(),
                })?;
            let (s, t, _, _) = fit.into_parts();
            for (d, v) in deseasonalised.iter_mut().zip(&s) {
                *d -= v;
            }
            seasonal[i] = s;
            trend = t;
        }
    }
    Ok((seasonal, trend))
}

impl FittedMstl {
    /// The seasonal periods, sorted, one per seasonal component.
    #[must_use]
    pub fn periods(&self) -> &[usize] {
        &self.periods
    }

    /// The in-sample seasonal components, in the order of
    /// [`FittedMstl::periods`].
    #[must_use]
    pub fn seasonal(&self) -> &[Vec<f64>] {
        &self.seasonal
    }

    /// The in-sample STL trend.
    #[must_use]
    pub fn trend(&self) -> &[f64] {
        &self.trend
    }

    /// The in-sample remainder, `y − seasonal − trend`.
    #[must_use]
    pub fn remainder(&self) -> &[f64] {
        &self.remainder
    }

    /// The ETS model of the seasonally adjusted series (trend + remainder).
    #[must_use]
    pub fn trend_model(&self) -> &FittedAutoEts {
        &self.trend_model
    }

    /// Sum of the seasonal components at step `t` of the training data
    /// (`t < n`) or, from `n` on, of their last cycles repeated.
    fn seasonal_at(&self, t: usize) -> f64 {
        let n = self.trend.len();
        self.periods
            .iter()
            .zip(&self.seasonal)
            .map(|(&p, s)| if t < n { s[t] } else { s[n - p + (t - n) % p] })
            .sum()
    }
}

impl Predict for FittedMstl {
    /// Trend-model forecast and bounds plus the repeated seasonal cycles.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100).
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        let mut f = self.trend_model.predict(horizon, levels)?;
        let n = self.trend.len();
        for h in 0..horizon {
            let s = self.seasonal_at(n + h);
            f.point[h] += s;
            for bound in f.lower.iter_mut().chain(f.upper.iter_mut()) {
                bound[h] += s;
            }
        }
        Ok(f)
    }

    /// Trend-model fitted values plus the seasonal components.
    fn predict_in_sample(&self) -> Vec<f64> {
        let mut fitted = self.trend_model.predict_in_sample();
        for (t, v) in fitted.iter_mut().enumerate() {
            *v += self.seasonal_at(t);
        }
        fitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| 40.0 + 0.05 * t as f64 + [3.0, 5.0, 4.0, 2.0, 1.0, -7.0, -8.0][t % 7] + [0.4, -0.3, 0.1][t % 3])
            .collect()
    }

    #[test]
    fn checks_parameters() {
        let y = weekly(50);
        for bad in [Mstl::new(vec![]), Mstl::new(vec![7, 1])] {
            assert!(matches!(
                bad.fit(&y),
                Err(Error::InvalidParameter { name: "periods", .. })
            ));
        }
        assert!(matches!(
            Mstl::new(vec![7]).trend(AutoEts::new(7)).fit(&y),
            Err(Error::InvalidParameter { name: "trend", .. })
        ));
        assert!(matches!(
            Mstl::new(vec![7, 30]).fit(&y),
            Err(Error::TooShort {
                needed: 60,
                got: 50,
                ..
            })
        ));
        let mut bad = y;
        bad[3] = f64::INFINITY;
        assert!(matches!(
            Mstl::new(vec![7]).fit(&bad),
            Err(Error::NonFinite { row: 3, .. })
        ));
    }

    #[test]
    fn decomposition_adds_up_and_recovers_the_week() {
        let y = weekly(84);
        let m = Mstl::new(vec![7]).fit(&y).unwrap();
        for (t, v) in y.iter().enumerate() {
            let sum = m.seasonal()[0][t] + m.trend()[t] + m.remainder()[t];
            assert!((sum - v).abs() < 1e-9);
        }
        // The weekly profile, centred, is recovered within the 0.4 noise.
        let profile = [3.0, 5.0, 4.0, 2.0, 1.0, -7.0, -8.0];
        let mean = profile.iter().sum::<f64>() / 7.0;
        for t in 28..56 {
            assert!((m.seasonal()[0][t] - (profile[t % 7] - mean)).abs() < 0.6, "{t}");
        }
        let f = m.predict(14, &[80.0, 95.0]).unwrap();
        assert_eq!(f.len(), 14);
        for h in 0..14 {
            let (lo95, hi95) = f.interval(95.0).unwrap();
            let (lo80, hi80) = f.interval(80.0).unwrap();
            assert!(lo95[h] <= lo80[h] && lo80[h] <= f.point[h] && f.point[h] <= hi80[h] && hi80[h] <= hi95[h]);
        }
        assert_eq!(m.predict_in_sample().len(), y.len());
    }

    #[test]
    #[allow(clippy::float_cmp)] // exactly the constant
    fn a_constant_series_is_forecast_exactly() {
        let fitted = Mstl::new(vec![7]).fit(&[7.0; 120]).unwrap();
        let f = fitted.predict(14, &[80.0, 95.0]).unwrap();
        assert!(f.point.iter().all(|v| *v == 7.0), "{:?}", f.point);
        // The trend model's intervals are a few millionths wide, and hold
        // the constant (STL's noise put it outside them).
        assert!(f.lower.iter().flatten().all(|v| *v <= 7.0 && *v > 7.0 - 1e-4), "{f:?}");
        assert!(f.upper.iter().flatten().all(|v| *v >= 7.0 && *v < 7.0 + 1e-4), "{f:?}");
        assert!(fitted.seasonal().iter().flatten().all(|v| *v == 0.0));
    }

    #[test]
    fn periods_are_sorted_and_deduplicated() {
        let y = weekly(120);
        let a = Mstl::new(vec![14, 7, 7]).fit(&y).unwrap();
        let b = Mstl::new(vec![7, 14]).fit(&y).unwrap();
        assert_eq!(a.periods(), &[7, 14]);
        assert_eq!(a.predict(10, &[90.0]).unwrap(), b.predict(10, &[90.0]).unwrap());
    }
}
