//! Forecasts with prediction intervals, and the model traits.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::normal::norm_ppf;

/// A point forecast over a horizon, with prediction intervals at levels
/// given in percent (80, 95), as in Nixtla's libraries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Point forecast, one value per step.
    pub point: Vec<f64>,
    /// Interval levels in percent, in the order of `lower` and `upper`.
    pub levels: Vec<f64>,
    /// `lower[j][t]`: lower bound at `levels[j]` for step `t`.
    pub lower: Vec<Vec<f64>>,
    /// `upper[j][t]`: upper bound at `levels[j]` for step `t`.
    pub upper: Vec<Vec<f64>>,
}

impl Forecast {
    /// A forecast with normal intervals: `point ± z(level) · sd[t]`.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100).
    pub fn normal(point: Vec<f64>, sd: &[f64], levels: &[f64]) -> Result<Self> {
        check_levels(levels)?;
        let mut lower = Vec::with_capacity(levels.len());
        let mut upper = Vec::with_capacity(levels.len());
        for &level in levels {
            let z = norm_ppf(0.5 + level / 200.0);
            lower.push(point.iter().zip(sd).map(|(m, s)| m - z * s).collect());
            upper.push(point.iter().zip(sd).map(|(m, s)| m + z * s).collect());
        }
        Ok(Self {
            point,
            levels: levels.to_vec(),
            lower,
            upper,
        })
    }

    /// Number of steps.
    #[must_use]
    pub fn len(&self) -> usize {
        self.point.len()
    }

    /// Whether the forecast has no step.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.point.is_empty()
    }

    /// For counts (admissions, census): clip the point forecast and every
    /// bound at zero, so that nothing is negative.
    #[must_use]
    pub fn non_negative(mut self) -> Self {
        for v in std::iter::once(&mut self.point)
            .chain(self.lower.iter_mut())
            .chain(self.upper.iter_mut())
        {
            for x in v.iter_mut() {
                *x = x.max(0.0);
            }
        }
        self
    }

    /// The bounds at `level`, if it was requested.
    #[must_use]
    pub fn interval(&self, level: f64) -> Option<(&[f64], &[f64])> {
        let j = self.levels.iter().position(|l| (*l - level).abs() < 1e-9)?;
        Some((&self.lower[j], &self.upper[j]))
    }
}

/// Check that every level is a percentage strictly between 0 and 100.
///
/// # Errors
/// [`Error::InvalidLevel`] for the first level that is not.
pub fn check_levels(levels: &[f64]) -> Result<()> {
    match levels.iter().find(|l| !(**l > 0.0 && **l < 100.0)) {
        Some(&level) => Err(Error::InvalidLevel { level }),
        None => Ok(()),
    }
}

/// A series to fit: values with the timestamp of the first one and the
/// spacing, so that models with calendar features (weekday, holidays) know
/// the dates.
#[derive(Debug, Clone, Copy)]
pub struct SeriesView<'a> {
    /// Values, oldest first, equally spaced, finite.
    pub y: &'a [f64],
    /// Timestamp of `y[0]`.
    pub start: chrono::NaiveDateTime,
    /// Spacing.
    pub freq: crate::panel::Freq,
}

/// A model specification that can be fitted to one series.
///
/// Following augurs and linfa: the specification is checked when fitted, and
/// fitting returns a separate type, so an unfitted model cannot predict.
pub trait Fit {
    /// The fitted model.
    type Fitted: Predict;

    /// Fit to the observations `y` (oldest first, equally spaced, finite).
    /// Models with calendar features take the first value as a Monday,
    /// 1970-01-05, daily; use [`Fit::fit_series`] to give the real dates.
    ///
    /// # Errors
    /// When the parameters are invalid or the series too short.
    fn fit(&self, y: &[f64]) -> Result<Self::Fitted>;

    /// Fit to a dated series. The default ignores the dates.
    ///
    /// # Errors
    /// As [`Fit::fit`].
    fn fit_series(&self, series: SeriesView<'_>) -> Result<Self::Fitted> {
        self.fit(series.y)
    }
}

/// A fitted model.
pub trait Predict {
    /// Forecast `horizon` steps ahead with intervals at `levels` (percent).
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100).
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast>;

    /// In-sample one-step fitted values (NaN where the model has none).
    fn predict_in_sample(&self) -> Vec<f64>;
}
