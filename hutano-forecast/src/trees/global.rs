//! Global tree forecasters: **one** model learned from every series of a
//! panel, as the tree models of `mlforecast` and of the bench-peers harness
//! (`LightGBM`, `XGBoost` and scikit-learn fitted across series) are used.
//!
//! A local [`TreeForecaster`](super::TreeForecaster) sees one series of a
//! few hundred values; a hospital network has dozens of series with the
//! same weekly and yearly shape, and short ones (36 months of a department)
//! have too few rows to grow a tree on. The global forecaster stacks the
//! training matrices of all series ([`FeatureSpec::training_matrix`]: each
//! series divided by its own scale, the mean of its last 91 values, so
//! series of every size share the trees), learns one ensemble, and
//! forecasts each series recursively from its own history exactly as the
//! local forecaster does.
//!
//! **Intervals: split conformal, pooled.** With `W` windows of `H` steps
//! (`calibration_windows`, `calibration_horizon`), one model is learned
//! from every series cut `W·H` steps before its end, and forecasts from
//! each of the `W·H` origins after the cut (actual values before the
//! origin as history, regressor rows up to the step forecast, at most `H`
//! steps and not past the end). The errors are held out: the model saw
//! nothing from the cut on. A window's origins are forecast by a model up
//! to `(W − 1)·H` steps older than the data before them (a refit per window
//! would be fresher, by two weeks of three years for daily series, and
//! cost `W − 1` more fits; the errors of the older model are, if anything,
//! larger). The absolute errors are divided by the series' scale at the
//! cut and pooled over the series, so step `s` has `n_series · (W·H − s +
//! 1)` errors instead of `W·H − s + 1`; the half-width for a series is the
//! conformal quantile of the pooled errors times its scale. Pooling assumes
//! errors proportional to the level of a series (an approximation for
//! counts, whose noise grows like the square root of the level), in
//! exchange for calibration from many more errors and 2 fits in all
//! instead of 2 per series.
//!
//! Unset, `H` is the frequency's held-out window ([`Freq::window`]) and `W`
//! the fewest windows, at least 2, that give every step 19 pooled errors
//! (enough for a finite 95 % bound), or as many as the shortest series has
//! room for when that is fewer, but at least 2
//! ([`GlobalForecaster::calibration_for`]).
//!
//! Every series must have the frequency and number of regressor columns of
//! the first, and `min_history + 1 + W·H` values.
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_forecast::forecast::{Predict, SeriesView};
//! use hutano_forecast::panel::Freq;
//! use hutano_forecast::trees::global::GlobalBoostedForecaster;
//!
//! let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default().and_time(chrono::NaiveTime::MIN);
//! let week = [40.0, 44.0, 42.0, 41.0, 39.0, 25.0, 20.0];
//! // Three wards of different sizes with the same weekly shape.
//! let ys: Vec<Vec<f64>> = [1.0, 2.5, 0.5]
//!     .iter()
//!     .map(|size| (0..140).map(|t| size * week[t % 7]).collect())
//!     .collect();
//! let views: Vec<(&str, SeriesView)> = ["A", "B", "C"]
//!     .into_iter()
//!     .zip(&ys)
//!     .map(|(id, y)| (id, SeriesView::new(y, start, Freq::Daily)))
//!     .collect();
//! let fitted = GlobalBoostedForecaster::default().fit_views(&views)?;
//! let f = fitted.series(1).predict(7, &[80.0])?;
//! // Day 140 is position 0 of the week: 2.5 × 40.
//! assert!((f.point[0] - 100.0).abs() < 5.0);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use std::sync::Arc;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{
    calibration_settings, conformal_quantile, first_rows, given_future, recursive, tree_forecast, BoostingParams,
    EnsembleParams, ForestParams, Learner, RowModel,
};
use crate::ensemble::{BoxedFitted, PanelMember};
use crate::error::{Error, Result};
use crate::features::{FeatureSpec, TrainingMatrix};
use crate::forecast::{check_levels, Forecast, Predict, SeriesView};
use crate::panel::Freq;
use crate::spec::in_series;

/// Fewest calibration windows of a global forecaster by default (the
/// errors are pooled over the series, so fewer windows than a local one;
/// more where the series are few and the windows short:
/// [`GlobalForecaster::calibration_for`]).
pub const DEFAULT_GLOBAL_CALIBRATION_WINDOWS: usize = 2;

/// A tree ensemble learned across the series of a panel (see the [module
/// documentation](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalForecaster<P> {
    /// Features (their frequency's default set is replaced by that of the
    /// series, as for the local forecaster).
    pub features: FeatureSpec,
    /// Hyperparameters of the ensemble.
    pub params: P,
    /// Number of held-out windows for the conformal calibration; 0 fits
    /// for point forecasts only (one fit instead of two; asking
    /// such a model for intervals is an [`Error::InvalidParameter`]).
    /// `None` (the default): see [`GlobalForecaster::calibration_for`].
    pub calibration_windows: Option<usize>,
    /// Length in steps of each calibration window, at least 1 when there
    /// are windows; `None` (the default): the frequency's
    /// ([`Freq::window`]).
    pub calibration_horizon: Option<usize>,
}

/// Gradient-boosted trees learned across series.
pub type GlobalBoostedForecaster = GlobalForecaster<BoostingParams>;
/// A random forest learned across series.
pub type GlobalForestForecaster = GlobalForecaster<ForestParams>;

/// Settings of the harness's global `LightGBM` (300 trees, learning rate
/// 0.05, trees grown leaf-wise to 31 leaves with no depth limit, row and
/// per-tree column subsampling 0.8, at least 20 rows per leaf), but with
/// [`BoostingParams`]' L2 penalty of 1 on leaf values where `LightGBM`'s
/// is 0 (England's trusts, h = 14: 0.673 with 1, 0.674 with 0; 0.710 and
/// 0.715 without holidays).
impl Default for GlobalForecaster<BoostingParams> {
    fn default() -> Self {
        Self::new(
            BoostingParams::default()
                .n_estimators(300)
                .learning_rate(0.05)
                .max_leaves(Some(31))
                .max_depth(super::tree::MAX_DEPTH)
                .min_samples_leaf(20)
                .subsample(0.8)
                .colsample_bytree(0.8),
        )
    }
}

/// Settings of the harness's global scikit-learn forest: 100 trees, at
/// least 5 rows per leaf, half the features per split, each tree on a
/// bootstrap of a quarter of the rows.
impl Default for GlobalForecaster<ForestParams> {
    fn default() -> Self {
        Self::new(ForestParams::default().sample_fraction(0.25))
    }
}

impl<P> GlobalForecaster<P> {
    /// The default features and calibration with these hyperparameters.
    #[must_use]
    pub fn new(params: P) -> Self {
        Self {
            features: FeatureSpec::default(),
            params,
            calibration_windows: None,
            calibration_horizon: None,
        }
    }

    /// The calibration windows and their length for `series` series of
    /// frequency `freq`, the shortest `n` values long: those set, else the
    /// frequency's window `H` ([`Freq::window`]) and the fewest windows `W`,
    /// at least [`DEFAULT_GLOBAL_CALIBRATION_WINDOWS`], whose last step has
    /// the 19 pooled errors a finite 95 % bound needs
    /// (`series · (W·H − H + 1) ≥ 19`); fewer when the shortest series has no room for them
    /// (`min_history + 1 + W·H > n`), but never fewer than 2.
    ///
    /// ```
    /// use hutano_forecast::panel::Freq;
    /// use hutano_forecast::trees::global::GlobalBoostedForecaster;
    ///
    /// let model = GlobalBoostedForecaster::default();
    /// assert_eq!(model.calibration_for(Freq::Daily, 3, 730)?, (2, 14));
    /// // 130 departments' months pool enough errors from 2 windows; 3 need 3.
    /// assert_eq!(model.calibration_for(Freq::Monthly, 130, 36)?, (2, 3));
    /// assert_eq!(model.calibration_for(Freq::Monthly, 3, 36)?, (3, 3));
    /// # Ok::<(), hutano_forecast::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for customised features of another
    /// frequency than `freq`.
    pub fn calibration_for(&self, freq: Freq, series: usize, n: usize) -> Result<(usize, usize)> {
        calibration_settings(
            (self.calibration_windows, self.calibration_horizon),
            &self.features,
            (freq, series, n),
            DEFAULT_GLOBAL_CALIBRATION_WINDOWS,
        )
    }

    /// Replace the features.
    #[must_use]
    pub fn with_features(mut self, features: FeatureSpec) -> Self {
        self.features = features;
        self
    }
}

/// What the fitted model keeps of one series.
#[derive(Debug, Clone, PartialEq)]
struct SeriesState {
    scale: f64,
    /// The last `min_history` values divided by `scale`.
    history: Vec<f64>,
    start: NaiveDateTime,
    n: usize,
    /// Known future rows of each regressor column.
    future: Vec<Vec<f64>>,
    /// One-step fitted values, NaN where lags are missing.
    fitted: Vec<f64>,
}

/// A [`GlobalForecaster`] fitted to a panel: one model, and per series what
/// it forecasts from. [`FittedGlobalForecaster::series`] gives a series'
/// forecaster.
///
/// Not serialisable (the model is shared between the series' forecasters);
/// keep the [`GlobalForecaster`] and the data to refit it.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGlobalForecaster<M> {
    features: Arc<FeatureSpec>,
    model: Arc<M>,
    /// Sorted pooled absolute calibration errors per step, in units of each
    /// series' scale.
    errors: Arc<Vec<Vec<f64>>>,
    series: Vec<SeriesState>,
}

/// One series' forecaster from a [`FittedGlobalForecaster`]: shares the
/// model and the calibration errors.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGlobalSeries<M> {
    features: Arc<FeatureSpec>,
    model: Arc<M>,
    errors: Arc<Vec<Vec<f64>>>,
    state: SeriesState,
}

impl<P: EnsembleParams> GlobalForecaster<P> {
    /// Learn one model from every series (`(unique_id, view)` pairs; the ids
    /// name the series in errors).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid features, hyperparameters or
    /// calibration settings, no series, or series of different frequencies
    /// (`"freq"`); [`Error::Regressors`] for series with different numbers
    /// of regressor columns or bad columns; [`Error::NonFinite`] and
    /// [`Error::TooShort`] naming the series.
    pub fn fit_views(
        &self,
        views: &[(&str, SeriesView<'_>)],
    ) -> Result<FittedGlobalForecaster<<P::Valid as Learner>::Model>>
    where
        <P::Valid as Learner>::Model: Send + Sync,
    {
        let learner = self.params.validated()?;
        let Some((_, first)) = views.first() else {
            return Err(Error::InvalidParameter {
                name: "series",
                problem: "give at least one series".into(),
            });
        };
        let spec = self.features.adapted_to(first.freq)?.into_owned();
        spec.check()?;
        let shortest = views.iter().map(|(_, v)| v.y.len()).min().unwrap_or(0);
        let (windows, horizon) = self.calibration_for(first.freq, views.len(), shortest)?;
        if windows > 0 && horizon == 0 {
            return Err(Error::InvalidParameter {
                name: "calibration_horizon",
                problem: "must be at least 1".into(),
            });
        }
        let k = spec.min_history();
        let needed = k.saturating_add(1).saturating_add(windows.saturating_mul(horizon));
        for (id, v) in views {
            if v.freq != first.freq {
                return Err(Error::InvalidParameter {
                    name: "freq",
                    problem: format!(
                        "series {id:?} is {}, the first series {}",
                        v.freq.name(),
                        first.freq.name()
                    ),
                });
            }
            if v.x.len() != first.x.len() {
                return Err(Error::Regressors {
                    problem: format!(
                        "series {id:?} has {} regressor columns, the first series {}",
                        v.x.len(),
                        first.x.len()
                    ),
                });
            }
            if let Some(row) = v.y.iter().position(|y| !y.is_finite()) {
                return Err(Error::NonFinite {
                    unique_id: (*id).to_string(),
                    row,
                });
            }
            v.check_regressors().map_err(|e| in_series(e, id))?;
            if v.y.len() < needed {
                return Err(Error::TooShort {
                    unique_id: (*id).to_string(),
                    needed,
                    got: v.y.len(),
                });
            }
        }
        // The calibration model and the final one, in parallel with the
        // `parallel` feature.
        let calibrate = || calibrate_global(&learner, &spec, views, windows, horizon);
        let learn = || learn_pooled(&learner, &spec, views, 0, true);
        #[cfg(feature = "parallel")]
        let (errors, pooled) = rayon::join(calibrate, learn);
        #[cfg(not(feature = "parallel"))]
        let (errors, pooled) = (calibrate(), learn());
        let errors = errors?;
        let (matrices, model, in_sample) = pooled?;
        let mut in_sample = in_sample.into_iter();
        let series = views
            .iter()
            .zip(&matrices)
            .map(|((_, v), m)| {
                let n = v.y.len();
                let mut fitted = vec![f64::NAN; n];
                for (f, p) in fitted[m.first..].iter_mut().zip(in_sample.by_ref().take(m.n_rows())) {
                    *f = p.max(0.0) * m.scale;
                }
                SeriesState {
                    scale: m.scale,
                    history: v.y[n - k..].iter().map(|y| y / m.scale).collect(),
                    start: v.start,
                    n,
                    future: v.x.iter().map(|c| c[n..].to_vec()).collect(),
                    fitted,
                }
            })
            .collect();
        Ok(FittedGlobalForecaster {
            features: Arc::new(spec),
            model: Arc::new(model),
            errors: Arc::new(errors),
            series,
        })
    }
}

impl<P> PanelMember for GlobalForecaster<P>
where
    P: EnsembleParams + Send + Sync,
    <P::Valid as Learner>::Model: Send + Sync + 'static,
{
    fn fit_panel_boxed(&self, views: &[(&str, SeriesView<'_>)]) -> Result<Vec<BoxedFitted>> {
        Ok(self
            .fit_views(views)?
            .into_series()
            .into_iter()
            .map(|f| -> BoxedFitted { Box::new(f) })
            .collect())
    }
}

/// The training matrices of every series cut `cut` values before its end,
/// the model learned from all their rows and, when `with_fitted`, its
/// prediction for each of those rows (series after series; empty
/// otherwise).
fn learn_pooled<L: Learner>(
    learner: &L,
    spec: &FeatureSpec,
    views: &[(&str, SeriesView<'_>)],
    cut: usize,
    with_fitted: bool,
) -> Result<(Vec<TrainingMatrix>, L::Model, Vec<f64>)> {
    let matrices = views
        .iter()
        .map(|(id, v)| {
            spec.training_matrix(v.head(v.y.len() - cut))
                .map_err(|e| in_series(e, id))
        })
        .collect::<Result<Vec<_>>>()?;
    let n_features = matrices[0].n_features;
    let rows: usize = matrices.iter().map(TrainingMatrix::n_rows).sum();
    let mut pooled = TrainingMatrix {
        x: Vec::with_capacity(rows * n_features),
        n_features,
        y: Vec::with_capacity(rows),
        first: 0,
        scale: 1.0,
    };
    for m in &matrices {
        pooled.x.extend_from_slice(&m.x);
        pooled.y.extend_from_slice(&m.y);
    }
    let (model, fitted) = if with_fitted {
        learner.learn_with_fitted(&pooled)?
    } else {
        (learner.learn(&pooled)?, Vec::new())
    };
    Ok((matrices, model, fitted))
}

/// Pooled scaled absolute errors per step from the held-out windows (see
/// the module documentation), each list sorted: one model learned from
/// every series cut `windows · horizon` steps before its end forecasts
/// from each origin of the windows. Series run in parallel with the
/// `parallel` feature; sorted lists do not depend on the order.
fn calibrate_global<L>(
    learner: &L,
    spec: &FeatureSpec,
    views: &[(&str, SeriesView<'_>)],
    windows: usize,
    horizon: usize,
) -> Result<Vec<Vec<f64>>>
where
    L: Learner + Sync,
    L::Model: Sync,
{
    if windows == 0 {
        return Ok(Vec::new());
    }
    let k = spec.min_history();
    let cut = windows * horizon;
    let (matrices, model, _) = learn_pooled(learner, spec, views, cut, false)?;
    let series = |((_, v), m): (&(&str, SeriesView<'_>), &TrainingMatrix)| -> Result<Vec<(usize, f64)>> {
        let (y, n) = (v.y, v.y.len());
        let mut out = Vec::with_capacity(cut * horizon);
        for o in n - cut..n {
            let hist: Vec<f64> = y[o - k..o].iter().map(|x| x / m.scale).collect();
            let steps = horizon.min(n - o);
            let regressors: Vec<&[f64]> = v.x.iter().map(|c| &c[o..o + steps]).collect();
            let path = recursive(spec, &model, &hist, (v.start, o), steps, &regressors)?;
            out.extend(
                path.iter()
                    .enumerate()
                    .map(|(s, p)| (s, (y[o + s] / m.scale - p).abs())),
            );
        }
        Ok(out)
    };
    #[cfg(feature = "parallel")]
    let per_series: Vec<Result<Vec<(usize, f64)>>> = {
        use rayon::prelude::*;
        views.par_iter().zip(&matrices).map(series).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per_series: Vec<Result<Vec<(usize, f64)>>> = views.iter().zip(&matrices).map(series).collect();
    let mut errors = vec![Vec::new(); horizon];
    for r in per_series {
        for (s, e) in r? {
            errors[s].push(e);
        }
    }
    for e in &mut errors {
        e.sort_by(f64::total_cmp);
    }
    Ok(errors)
}

impl<M> FittedGlobalForecaster<M> {
    /// Number of series.
    #[must_use]
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True without series (never, for a fitted model).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The model learned from every series (in units of each series' scale).
    #[must_use]
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The features (those of the series' frequency).
    #[must_use]
    pub fn features(&self) -> &FeatureSpec {
        &self.features
    }

    /// Sorted pooled calibration errors `[step − 1][i]`, in units of each
    /// series' scale.
    #[must_use]
    pub fn calibration_errors(&self) -> &[Vec<f64>] {
        &self.errors
    }

    /// The forecaster of series `i` (in the order fitted).
    ///
    /// # Panics
    /// When `i` is not below [`FittedGlobalForecaster::len`].
    #[must_use]
    pub fn series(&self, i: usize) -> FittedGlobalSeries<M> {
        FittedGlobalSeries {
            features: Arc::clone(&self.features),
            model: Arc::clone(&self.model),
            errors: Arc::clone(&self.errors),
            state: self.series[i].clone(),
        }
    }

    /// Every series' forecaster, in the order fitted.
    #[must_use]
    pub fn into_series(self) -> Vec<FittedGlobalSeries<M>> {
        let Self {
            features,
            model,
            errors,
            series,
        } = self;
        series
            .into_iter()
            .map(|state| FittedGlobalSeries {
                features: Arc::clone(&features),
                model: Arc::clone(&model),
                errors: Arc::clone(&errors),
                state,
            })
            .collect()
    }
}

impl<M> FittedGlobalSeries<M> {
    /// The series' scale.
    #[must_use]
    pub fn scale(&self) -> f64 {
        self.state.scale
    }

    /// The conformal half-width at `step` (1-based; steps past the
    /// calibration horizon use its last step) for `level` percent, in the
    /// series' units; infinite when there are too few errors for the level.
    #[must_use]
    pub fn half_width(&self, step: usize, level: f64) -> f64 {
        let i = step.saturating_sub(1).min(self.errors.len().saturating_sub(1));
        self.errors
            .get(i)
            .map_or(f64::INFINITY, |e| conformal_quantile(e, level) * self.state.scale)
    }
}

impl<M: RowModel> FittedGlobalSeries<M> {
    fn forecast(&self, horizon: usize, levels: &[f64], regressors: &[&[f64]]) -> Result<Forecast> {
        if !levels.is_empty() && self.errors.is_empty() {
            return Err(Error::InvalidParameter {
                name: "levels",
                problem: "the model was fitted with calibration_windows = 0 (point forecasts only)".into(),
            });
        }
        let s = &self.state;
        tree_forecast(
            &self.features,
            self.model.as_ref(),
            &s.history,
            (s.start, s.n),
            s.scale,
            horizon,
            levels,
            regressors,
            |step, level| self.half_width(step, level),
        )
    }
}

impl<M: RowModel> Predict for FittedGlobalSeries<M> {
    /// Recursive forecast clipped at 0 with pooled split-conformal intervals
    /// (lower bounds clipped at 0), using the regressors' future rows given
    /// at fit.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100);
    /// [`Error::Regressors`] naming the first regressor column with fewer
    /// than `horizon` known future rows.
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let regressors = first_rows(&self.state.future, horizon, "known future")?;
        self.forecast(horizon, levels, &regressors)
    }

    /// As [`Predict::predict`] with the regressors' future rows from
    /// `future`.
    ///
    /// # Errors
    /// As [`Predict::predict`]; [`Error::Regressors`] for another number of
    /// columns than fitted, or a short or non-finite column.
    fn predict_with(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        check_levels(levels)?;
        let regressors = given_future(future, self.state.future.len(), horizon)?;
        self.forecast(horizon, levels, &regressors)
    }

    /// One-step fitted values of the model learned from every series
    /// (clipped at 0), NaN for the first `min_history` values.
    fn predict_in_sample(&self) -> Vec<f64> {
        self.state.fitted.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_forecast, start, weekly_series};
    use super::*;
    use crate::baseline::SeasonalNaive;
    use crate::forecast::Fit;
    use crate::panel::Freq;
    use crate::trees::{GradientBoosting, RandomForest};

    /// Small ensembles keep the suite fast.
    fn boosted() -> GlobalBoostedForecaster {
        GlobalForecaster::new(
            GradientBoosting::params()
                .n_estimators(100)
                .learning_rate(0.1)
                .max_depth(4)
                .min_samples_leaf(5),
        )
    }

    fn forest() -> GlobalForestForecaster {
        GlobalForecaster::new(RandomForest::params().n_trees(30).min_samples_leaf(5))
    }

    /// Six wards of different sizes (8 to 150 a day) with the same weekly
    /// shape.
    fn wards(days: usize) -> Vec<Vec<f64>> {
        let sizes = [60.0, 25.0, 150.0, 8.0, 40.0, 90.0];
        sizes
            .iter()
            .enumerate()
            .map(|(i, &l)| weekly_series(days, l, 0.08 * l + 1.5, 300 + i as u64))
            .collect()
    }

    fn views(ys: &[Vec<f64>], n: usize) -> Vec<(&'static str, SeriesView<'_>)> {
        const IDS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
        ys.iter()
            .zip(IDS)
            .map(|(y, id)| (id, SeriesView::new(&y[..n.min(y.len())], start(), Freq::Daily)))
            .collect()
    }

    #[test]
    fn one_model_forecasts_every_ward_better_than_seasonal_naive() {
        let ys = wards(308);
        let (n, h) = (280, 28);
        let boosted: Vec<Box<dyn Predict>> = boosted()
            .fit_views(&views(&ys, n))
            .unwrap()
            .into_series()
            .into_iter()
            .map(|f| Box::new(f) as Box<dyn Predict>)
            .collect();
        let forest: Vec<Box<dyn Predict>> = forest()
            .fit_views(&views(&ys, n))
            .unwrap()
            .into_series()
            .into_iter()
            .map(|f| Box::new(f) as Box<dyn Predict>)
            .collect();
        for fitted in [boosted, forest] {
            let (mut err, mut naive_err) = (0.0, 0.0);
            for (f, y) in fitted.iter().zip(&ys) {
                let fc = f.predict(h, &[80.0, 95.0]).unwrap();
                check_forecast(&fc, h);
                let sn = SeasonalNaive::new(7).fit(&y[..n]).unwrap().predict(h, &[]).unwrap();
                for t in 0..h {
                    err += (fc.point[t] - y[n + t]).abs();
                    naive_err += (sn.point[t] - y[n + t]).abs();
                }
            }
            assert!(err < 0.85 * naive_err, "{err} vs seasonal naive {naive_err}");
        }
    }

    #[test]
    fn without_calibration_windows_point_forecasts_are_the_same_and_intervals_an_error() {
        let ys = wards(200);
        let calibrated = boosted().fit_views(&views(&ys, 200)).unwrap();
        let mut model = boosted();
        model.calibration_windows = Some(0);
        let point = model.fit_views(&views(&ys, 200)).unwrap();
        assert!(point.calibration_errors().is_empty());
        for i in 0..ys.len() {
            let (a, b) = (calibrated.series(i), point.series(i));
            assert_eq!(a.predict(14, &[]).unwrap().point, b.predict(14, &[]).unwrap().point);
            let bits = |v: Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a.predict_in_sample()), bits(b.predict_in_sample()));
            assert!(matches!(
                b.predict(14, &[80.0]),
                Err(Error::InvalidParameter { name: "levels", .. })
            ));
        }
        model.calibration_windows = Some(1);
        model.calibration_horizon = Some(0);
        assert!(matches!(
            model.fit_views(&views(&ys, 200)),
            Err(Error::InvalidParameter {
                name: "calibration_horizon",
                ..
            })
        ));
    }

    #[test]
    fn pooled_errors_count_every_series_window_and_origin() {
        let ys = wards(200);
        let mut model = forest();
        model.calibration_windows = Some(2);
        model.calibration_horizon = Some(10);
        let fitted = model.fit_views(&views(&ys, 200)).unwrap();
        let errors = fitted.calibration_errors();
        assert_eq!(errors.len(), 10);
        for (s, e) in errors.iter().enumerate() {
            // W·H − s + 1 origins reach step s (1-based) in each series.
            assert_eq!(e.len(), 6 * (2 * 10 - s), "step {}", s + 1);
            assert!(e.windows(2).all(|w| w[0] <= w[1]));
        }
        // Half-widths are the pooled quantile times each series' own scale.
        let (a, c) = (fitted.series(0), fitted.series(2));
        let ratio = c.half_width(3, 80.0) / a.half_width(3, 80.0);
        assert!((ratio - c.scale() / a.scale()).abs() < 1e-12);
        // 99% of 6·11 = 66 errors at step 10 is not backed (needs 67).
        assert!(a.half_width(10, 99.0).is_infinite());
        // The errors are held out: from the first origin they are those of
        // the model learned from the 180 values before it (one model for
        // every origin of the two windows).
        model.calibration_windows = Some(0);
        let before = model.fit_views(&views(&ys, 180)).unwrap();
        for (i, y) in ys.iter().enumerate() {
            let f = before.series(i);
            let scale = f.scale();
            let path = f.predict(10, &[]).unwrap().point;
            for (s, p) in path.iter().enumerate() {
                let e = (y[180 + s] / scale - p / scale).abs();
                assert!(
                    errors[s].iter().any(|x| (x - e).abs() <= 1e-12 * e.max(1.0)),
                    "series {i} step {}",
                    s + 1
                );
            }
        }
    }

    #[test]
    fn intervals_cover_held_out_values_near_their_level() {
        let ys = wards(380);
        let (n, h) = (350, 14);
        let (mut inside80, mut inside95, mut total) = (0_u32, 0_u32, 0_u32);
        for w in 0..2 {
            let cut = n + w * h;
            let fitted = boosted().fit_views(&views(&ys, cut)).unwrap();
            for (i, y) in ys.iter().enumerate() {
                let fc = fitted.series(i).predict(h, &[80.0, 95.0]).unwrap();
                for t in 0..h {
                    let v = y[cut + t];
                    inside80 += u32::from(fc.lower[0][t] <= v && v <= fc.upper[0][t]);
                    inside95 += u32::from(fc.lower[1][t] <= v && v <= fc.upper[1][t]);
                    total += 1;
                }
            }
        }
        let (c80, c95) = (
            f64::from(inside80) / f64::from(total),
            f64::from(inside95) / f64::from(total),
        );
        assert!(
            (0.65..=0.93).contains(&c80) && (0.85..=1.0).contains(&c95),
            "{c80} {c95}"
        );
    }

    #[test]
    fn doubling_a_series_doubles_its_forecast() {
        // Scaling by a power of two is exact in floating point, so the
        // scaled training rows, and thus the trees, are identical.
        let ys = wards(200);
        let mut doubled = ys.clone();
        doubled[3] = ys[3].iter().map(|v| 2.0 * v).collect();
        let a = boosted().fit_views(&views(&ys, 200)).unwrap();
        let b = boosted().fit_views(&views(&doubled, 200)).unwrap();
        let fa = a.series(3).predict(14, &[80.0]).unwrap();
        let fb = b.series(3).predict(14, &[80.0]).unwrap();
        for t in 0..14 {
            assert_eq!((2.0 * fa.point[t]).to_bits(), fb.point[t].to_bits());
            assert_eq!((2.0 * fa.upper[0][t]).to_bits(), fb.upper[0][t].to_bits());
        }
        assert_eq!(
            a.series(0).predict(14, &[80.0]).unwrap(),
            b.series(0).predict(14, &[80.0]).unwrap()
        );
    }

    #[test]
    fn same_seed_same_forecast_and_threads_do_not_matter() {
        let ys = wards(200);
        let run = || {
            let f = forest().fit_views(&views(&ys, 200)).unwrap();
            let g = boosted().fit_views(&views(&ys, 200)).unwrap();
            (0..6)
                .map(|i| {
                    (
                        f.series(i).predict(14, &[80.0]).unwrap(),
                        g.series(i).predict(14, &[80.0]).unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(run)
        };
        assert_eq!(on(1), on(2));
        assert_eq!(run(), run());
    }

    #[test]
    fn regressors_are_pooled_features_with_their_known_future() {
        // A planned list every third day adds 50% to each ward.
        let days = 230;
        let plan: Vec<f64> = (0..days + 14).map(|t| f64::from(u8::from(t % 3 == 0))).collect();
        let ys: Vec<Vec<f64>> = wards(days + 14)
            .into_iter()
            .map(|y| y.iter().zip(&plan).map(|(v, p)| v * (1.0 + 0.5 * p)).collect())
            .collect();
        let x = vec![plan.clone()];
        let v: Vec<(&str, SeriesView)> = views(&ys, days)
            .into_iter()
            .map(|(id, s)| (id, s.with_regressors(&x)))
            .collect();
        let fitted = boosted().fit_views(&v).unwrap();
        // Knowing the plan makes the forecast far better than a wrong plan
        // (no lists at all).
        let (mut known, mut wrong) = (0.0, 0.0);
        for (i, y) in ys.iter().enumerate() {
            let f = fitted.series(i).predict(14, &[80.0]).unwrap();
            let g = fitted.series(i).predict_with(14, &[80.0], &[vec![0.0; 14]]).unwrap();
            for t in 0..14 {
                let truth = y[days + t];
                known += (f.point[t] - truth).abs();
                wrong += (g.point[t] - truth).abs();
            }
        }
        assert!(known < 0.7 * wrong, "{known} vs {wrong}");
        assert!(fitted.series(2).predict(15, &[80.0]).is_err());
        assert!(matches!(
            fitted.series(2).predict_with(14, &[80.0], &[]),
            Err(Error::Regressors { .. })
        ));
        assert_eq!(fitted.series(2).predict_in_sample().len(), days);
    }

    #[test]
    fn bad_panels_are_typed_errors_naming_the_series() {
        let mut ys = wards(200);
        assert!(matches!(
            boosted().fit_views(&[]),
            Err(Error::InvalidParameter { name: "series", .. })
        ));
        let short = boosted().fit_views(&views(&ys, 50));
        assert!(
            matches!(short, Err(Error::TooShort { ref unique_id, .. }) if unique_id == "a"),
            "{short:?}"
        );
        ys[4][77] = f64::NAN;
        let nan = boosted().fit_views(&views(&ys, 200));
        assert!(
            matches!(nan, Err(Error::NonFinite { ref unique_id, row: 77 }) if unique_id == "e"),
            "{nan:?}"
        );
        ys[4][77] = 1.0;
        let mut v = views(&ys, 200);
        v[1].1.freq = Freq::Weekly;
        assert!(matches!(
            boosted().fit_views(&v),
            Err(Error::InvalidParameter { name: "freq", .. })
        ));
        let x = vec![vec![0.0; 200]];
        let mut v = views(&ys, 200);
        v[5].1 = v[5].1.with_regressors(&x);
        assert!(matches!(boosted().fit_views(&v), Err(Error::Regressors { .. })));
    }
}
