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
    /// Exogenous regressors, one column per regressor, row `t` aligned with
    /// `y[t]`. Each column is at least `y.len()` long; rows past the end of
    /// `y` are the regressor's known future values, which
    /// [`Predict::predict`] uses for the steps ahead (a backtest passes the
    /// whole column, so a model sees the future of a regressor, as it would
    /// in production, but never the future of `y`). Empty: no regressors.
    pub x: &'a [Vec<f64>],
}

impl<'a> SeriesView<'a> {
    /// A daily-or-other series without regressors.
    #[must_use]
    pub fn new(y: &'a [f64], start: chrono::NaiveDateTime, freq: crate::panel::Freq) -> Self {
        Self { y, start, freq, x: &[] }
    }

    /// The same series with regressor columns (see [`SeriesView::x`]).
    #[must_use]
    pub fn with_regressors(self, x: &'a [Vec<f64>]) -> Self {
        Self { x, ..self }
    }

    /// The first `n` observations, with the same regressor columns (whose
    /// rows from `n` on become the known future).
    #[must_use]
    pub fn head(self, n: usize) -> Self {
        Self {
            y: &self.y[..n.min(self.y.len())],
            ..self
        }
    }

    /// Check the regressor columns: each at least as long as `y`, finite.
    ///
    /// # Errors
    /// [`Error::Regressors`] naming the column and row.
    pub fn check_regressors(&self) -> Result<()> {
        for (j, col) in self.x.iter().enumerate() {
            if col.len() < self.y.len() {
                return Err(Error::Regressors {
                    problem: format!(
                        "regressor column {j} has {} rows, the series has {}",
                        col.len(),
                        self.y.len()
                    ),
                });
            }
            if let Some(row) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::Regressors {
                    problem: format!("regressor column {j} is not finite at row {row}"),
                });
            }
        }
        Ok(())
    }

    /// The future rows of the regressors (`x[j][n..n + horizon]`), as
    /// columns, or an error when some column has fewer than `horizon`.
    ///
    /// # Errors
    /// [`Error::Regressors`].
    pub fn future_regressors(&self, horizon: usize) -> Result<Vec<Vec<f64>>> {
        future_rows(self.x, self.y.len(), horizon)
    }
}

/// Rows `n..n + horizon` of each regressor column.
///
/// # Errors
/// [`Error::Regressors`] when a column is too short.
pub fn future_rows(x: &[Vec<f64>], n: usize, horizon: usize) -> Result<Vec<Vec<f64>>> {
    x.iter()
        .enumerate()
        .map(|(j, col)| {
            col.get(n..n + horizon)
                .map(<[f64]>::to_vec)
                .ok_or_else(|| Error::Regressors {
                    problem: format!(
                        "regressor column {j} has {} future rows, the horizon is {horizon}",
                        col.len().saturating_sub(n)
                    ),
                })
        })
        .collect()
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

    /// Fit to a dated series, with regressors for the models that take
    /// them. The default ignores the dates and refuses regressors.
    ///
    /// # Errors
    /// As [`Fit::fit`]; [`Error::Regressors`] when regressors are given to a
    /// model that takes none.
    fn fit_series(&self, series: SeriesView<'_>) -> Result<Self::Fitted> {
        if !series.x.is_empty() {
            return Err(Error::Regressors {
                problem: "this model takes no regressors".into(),
            });
        }
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

    /// Forecast with the future values of the regressors given here (one
    /// column per regressor, at least `horizon` rows each) instead of those
    /// passed at fit time. The default, for models without regressors,
    /// accepts only an empty `future`.
    ///
    /// # Errors
    /// As [`Predict::predict`]; [`Error::Regressors`] for columns that do
    /// not match the fit.
    fn predict_with(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        if future.is_empty() {
            self.predict(horizon, levels)
        } else {
            Err(Error::Regressors {
                problem: "this model takes no regressors".into(),
            })
        }
    }

    /// In-sample one-step fitted values (NaN where the model has none).
    fn predict_in_sample(&self) -> Vec<f64>;
}
