//! An ensemble whose weights are learned per series on rolling-origin
//! validation windows inside the training data, never in-sample.
//!
//! For each member, the last `validation_windows` windows of
//! `validation_horizon` steps of the training series are forecast from data
//! before each window; the member's validation error is its MASE over those
//! windows (scaled by the training data's mean absolute seasonal
//! difference). Weights are proportional to `1 / MASE²` (inverse squared
//! error weighting, Bates & Granger 1969), then every member is refitted on
//! the whole series. Point forecasts are the weighted mean of the members';
//! interval bounds are the weighted mean of the members' bounds at each
//! level (quantile averaging, Lichtendahl, Grushka-Cockayne & Winkler,
//! Management Science 2013). A member that fails on a series (too short, no
//! convergence) gets weight zero there.

use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};

/// A fitted model behind a trait object.
pub type BoxedFitted = Box<dyn Predict + Send + Sync>;

/// A model usable as an ensemble member (any [`Fit`] whose fitted type is
/// `Send + Sync + 'static`).
pub trait Member: Send + Sync {
    /// Fit to a dated series.
    ///
    /// # Errors
    /// As the model's [`Fit::fit_series`].
    fn fit_boxed(&self, series: SeriesView<'_>) -> Result<BoxedFitted>;
}

impl<M> Member for M
where
    M: Fit + Send + Sync,
    M::Fitted: Send + Sync + 'static,
{
    fn fit_boxed(&self, series: SeriesView<'_>) -> Result<BoxedFitted> {
        Ok(Box::new(self.fit_series(series)?))
    }
}

impl Member for Box<dyn Member> {
    fn fit_boxed(&self, series: SeriesView<'_>) -> Result<BoxedFitted> {
        (**self).fit_boxed(series)
    }
}

/// A model learned across the series of a panel (the global tree
/// forecasters of [`crate::trees::global`]).
pub trait PanelMember: Send + Sync {
    /// Fit to every series (`(unique_id, view)` pairs, the ids naming the
    /// series in errors): one fitted forecaster per series, in order.
    ///
    /// # Errors
    /// As the model's `fit_views`.
    fn fit_panel_boxed(&self, views: &[(&str, SeriesView<'_>)]) -> Result<Vec<BoxedFitted>>;
}

/// A panel model fitted to one series is a panel of one.
impl Member for Box<dyn PanelMember> {
    fn fit_boxed(&self, series: SeriesView<'_>) -> Result<BoxedFitted> {
        let mut fitted = self.fit_panel_boxed(&[("", series)])?;
        fitted.pop().ok_or_else(|| Error::Model {
            model: "panel",
            message: "no forecaster for the series".into(),
        })
    }
}

/// The ensemble specification.
pub struct Ensemble {
    members: Vec<(String, Box<dyn Member>)>,
    /// Validation windows inside the training data (default 2).
    pub validation_windows: usize,
    /// Steps per validation window (default 14).
    pub validation_horizon: usize,
    /// Season of the MASE scale (default 7).
    pub season: usize,
}

impl std::fmt::Debug for Ensemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ensemble")
            .field("members", &self.members.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("validation_windows", &self.validation_windows)
            .field("validation_horizon", &self.validation_horizon)
            .field("season", &self.season)
            .finish()
    }
}

impl Default for Ensemble {
    fn default() -> Self {
        Self {
            members: Vec::new(),
            validation_windows: 2,
            validation_horizon: 14,
            season: 7,
        }
    }
}

impl Ensemble {
    /// An empty ensemble with the default validation settings.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a member under a name.
    #[must_use]
    pub fn member(mut self, name: impl Into<String>, model: impl Member + 'static) -> Self {
        self.members.push((name.into(), Box::new(model)));
        self
    }

    /// Check the settings: at least one member, windows, horizon and season
    /// at least 1.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting.
    pub fn check(&self) -> Result<()> {
        if self.members.is_empty() {
            return Err(Error::InvalidParameter {
                name: "members",
                problem: "an ensemble needs at least one member".into(),
            });
        }
        for (name, v) in [
            ("validation_windows", self.validation_windows),
            ("validation_horizon", self.validation_horizon),
            ("season", self.season),
        ] {
            if v == 0 {
                return Err(Error::InvalidParameter {
                    name,
                    problem: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }

    /// Names of the members, in order.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.members.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Validation MASE of every member on `series` (`None` where it failed).
    fn validate(&self, series: SeriesView<'_>) -> Vec<Option<f64>> {
        let len = series.y.len();
        let (windows, h, m) = (self.validation_windows, self.validation_horizon, self.season);
        self.members
            .iter()
            .map(|(_, model)| {
                let mut total = 0.0;
                for k in 0..windows {
                    let cutoff = len.checked_sub(h * (windows - k))?;
                    if cutoff <= m {
                        return None;
                    }
                    let train = &series.y[..cutoff];
                    let view = SeriesView { y: train, ..series };
                    let f = model.fit_boxed(view).ok()?.predict(h, &[]).ok()?;
                    let scale = crate::backtest::mase_scale(train, m);
                    let mae = f
                        .point
                        .iter()
                        .zip(&series.y[cutoff..cutoff + h])
                        .map(|(p, y)| (p.max(0.0) - y).abs())
                        .sum::<f64>()
                        / h as f64;
                    total += if scale > 0.0 { mae / scale } else { mae };
                }
                Some(total / windows as f64)
            })
            .collect()
    }
}

/// A fitted [`Ensemble`].
pub struct FittedEnsemble {
    names: Vec<String>,
    weights: Vec<f64>,
    fitted: Vec<Option<BoxedFitted>>,
}

impl std::fmt::Debug for FittedEnsemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedEnsemble")
            .field("names", &self.names)
            .field("weights", &self.weights)
            .finish_non_exhaustive()
    }
}

impl FittedEnsemble {
    /// `(member, weight)` pairs; weights sum to 1.
    #[must_use]
    pub fn weights(&self) -> Vec<(&str, f64)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.weights.iter().copied())
            .collect()
    }
}

impl Fit for Ensemble {
    type Fitted = FittedEnsemble;

    /// # Errors
    /// As [`Fit::fit_series`] with a daily series starting 1970-01-05.
    fn fit(&self, y: &[f64]) -> Result<FittedEnsemble> {
        let start = chrono::NaiveDate::from_ymd_opt(1970, 1, 5)
            .unwrap_or_default()
            .and_time(chrono::NaiveTime::MIN);
        self.fit_series(SeriesView::new(y, start, crate::panel::Freq::Daily))
    }

    /// # Errors
    /// [`Error::InvalidParameter`] for an ensemble without members or zero
    /// validation settings; [`Error::TooShort`] when no member can be
    /// validated and fitted on the series.
    fn fit_series(&self, series: SeriesView<'_>) -> Result<FittedEnsemble> {
        self.check()?;
        let scores = self.validate(series);
        let fitted: Vec<Option<BoxedFitted>> = self
            .members
            .iter()
            .zip(&scores)
            .map(|((_, m), s)| s.and_then(|_| m.fit_boxed(series).ok()))
            .collect();
        let raw: Vec<f64> = scores
            .iter()
            .zip(&fitted)
            .map(|(s, f)| match (s, f) {
                (Some(s), Some(_)) if s.is_finite() => 1.0 / s.max(1e-9).powi(2),
                _ => 0.0,
            })
            .collect();
        let total: f64 = raw.iter().sum();
        if total <= 0.0 {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: self.validation_windows * self.validation_horizon + self.season + 1,
                got: series.y.len(),
            });
        }
        Ok(FittedEnsemble {
            names: self.members.iter().map(|(n, _)| n.clone()).collect(),
            weights: raw.iter().map(|w| w / total).collect(),
            fitted,
        })
    }
}

impl Predict for FittedEnsemble {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let mut point = vec![0.0; horizon];
        let mut lower = vec![vec![0.0; horizon]; levels.len()];
        let mut upper = vec![vec![0.0; horizon]; levels.len()];
        for (w, f) in self.weights.iter().zip(&self.fitted) {
            let (Some(f), true) = (f, *w > 0.0) else { continue };
            let fc = f.predict(horizon, levels)?;
            for t in 0..horizon {
                point[t] += w * fc.point[t];
                for j in 0..levels.len() {
                    lower[j][t] += w * fc.lower[j][t];
                    upper[j][t] += w * fc.upper[j][t];
                }
            }
        }
        Ok(Forecast {
            point,
            levels: levels.to_vec(),
            lower,
            upper,
        })
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        let mut out: Option<Vec<f64>> = None;
        for (w, f) in self.weights.iter().zip(&self.fitted) {
            let (Some(f), true) = (f, *w > 0.0) else { continue };
            let v = f.predict_in_sample();
            let acc = out.get_or_insert_with(|| vec![0.0; v.len()]);
            for (a, x) in acc.iter_mut().zip(&v) {
                *a += w * x;
            }
        }
        out.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::{cross_validation, evaluate};
    use crate::baseline::{Naive, SeasonalNaive};
    use crate::panel::{FillRule, Freq, Panel};

    fn weekly(n: usize, seed: usize) -> Vec<f64> {
        (0..n)
            .map(|d| {
                let w = [1.0, 1.1, 1.05, 1.0, 0.95, 0.6, 0.5][d % 7];
                let noise = ((d * 7919 + seed * 104_729) % 11) as f64 - 5.0;
                40.0 * w + noise
            })
            .collect()
    }

    #[test]
    fn weights_favour_the_better_member_and_sum_to_one() {
        let y = weekly(200, 1);
        let e = Ensemble::new()
            .member("naive", Naive)
            .member("snaive", SeasonalNaive::new(7));
        let f = e.fit(&y).unwrap();
        let w = f.weights();
        assert!((w.iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(w[1].1 > w[0].1, "{w:?}");
        let fc = f.predict(14, &[80.0, 95.0]).unwrap();
        assert_eq!(fc.len(), 14);
        for t in 0..14 {
            assert!(fc.lower[1][t] <= fc.lower[0][t] && fc.lower[0][t] <= fc.point[t]);
            assert!(fc.point[t] <= fc.upper[0][t] && fc.upper[0][t] <= fc.upper[1][t]);
        }
    }

    #[test]
    fn ensemble_is_at_least_as_good_as_its_worse_member_in_backtest() {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_time(chrono::NaiveTime::MIN);
        let rows = (0..4).flat_map(|s| {
            weekly(240, s).into_iter().enumerate().map(move |(d, y)| {
                (
                    format!("s{s}"),
                    start + chrono::TimeDelta::days(i64::try_from(d).unwrap()),
                    y,
                )
            })
        });
        let panel = Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap();
        let e = Ensemble::new()
            .member("naive", Naive)
            .member("snaive", SeasonalNaive::new(7));
        let ens = evaluate(&cross_validation(&e, &panel, 14, 3, 14, &[80.0], 7, true).unwrap()).unwrap();
        let naive = evaluate(&cross_validation(&Naive, &panel, 14, 3, 14, &[80.0], 7, true).unwrap()).unwrap();
        assert!(ens.mase < naive.mase, "{} vs {}", ens.mase, naive.mase);
    }

    #[test]
    fn invalid_ensembles_are_errors() {
        assert!(Ensemble::new().fit(&weekly(100, 0)).is_err());
        let e = Ensemble::new().member("snaive", SeasonalNaive::new(7));
        assert!(matches!(e.fit(&[1.0; 10]), Err(Error::TooShort { .. })));
        let mut e = Ensemble::new().member("naive", Naive);
        e.validation_windows = 0;
        assert!(e.fit(&weekly(100, 0)).is_err());
    }
}
