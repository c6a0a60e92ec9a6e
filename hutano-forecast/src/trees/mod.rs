//! Tree ensembles and the forecasters built on them.
//!
//! - [`RegressionTree`]: histogram regression trees (Ke et al., `LightGBM`,
//!   NIPS 2017), the base learner.
//! - [`GradientBoosting`]: squared-loss gradient boosting (Friedman 2001,
//!   2002; Chen & Guestrin 2016).
//! - [`RandomForest`]: bagged trees with per-split feature draws (Breiman
//!   2001), built in parallel with the `parallel` feature, identical to a
//!   serial build.
//! - [`BoostedForecaster`] and [`ForestForecaster`]: a
//!   [`FeatureSpec`] plus one of the ensembles,
//!   implementing [`Fit`] and [`Predict`] for one hourly, daily or weekly
//!   series, with exogenous regressors.
//! - With the `linfa` feature, `trees::linfa`: the three learners
//!   implement linfa's `Fit` and `Predict` on `ndarray` datasets.
//!
//! Hyperparameters follow linfa: `GradientBoosting::params()` is a consuming
//! builder, `check()` validates it, and fitting returns a separate type.
//! Every random draw comes from a `ChaCha8Rng` seeded from the model's `seed`
//! and the index of the tree, so a seed fixes the model.
//!
//! # Forecasting
//!
//! **Recursive** multi-step forecasts (the "recursive strategy" of Ben Taieb,
//! Bontempi, Atiya & Sorjamaa, *Expert Systems with Applications* 39(8),
//! 2012): one model predicts one step ahead from the features of
//! [`crate::features`]; for step `k + 1` the prediction of step `k` is
//! appended to the history, so lags, rolling means and same-weekday means
//! use earlier predictions where actual values are not yet known.
//!
//! **Frequencies.** The features depend on the series' spacing
//! ([`crate::panel::Freq`]): hourly series get lags 1–24 and 168, the hour
//! and weekday and the daily cycle; daily series the weekly lags and the
//! year; weekly series lags 1–4 and 52 and the week of the year (the table
//! in [`crate::features`]). A forecaster whose features are the default set
//! of their frequency (the calendar aside) switches to the default set of
//! the series it is fitted to ([`FeatureSpec::adapted_to`]), so the default
//! forecasters fit series of any spacing; customised features must match
//! the series' spacing.
//!
//! **Regressors.** Each regressor column of the series ([`SeriesView::x`])
//! is a feature: the row for the value at step `t` holds the regressor at
//! `t` (planned elective admissions, a holiday flag, a temperature
//! forecast: values known in advance). Training reads rows `t < n` of each
//! column (`n` the series' length); the rows from `n` on, stored at fit,
//! are the future that [`Predict::predict`] forecasts with, and
//! [`Predict::predict_with`] takes other future columns instead (as many as
//! at fit). Forecasting past the known future rows is an
//! [`Error::Regressors`] naming the column. Columns are named `x0`, `x1`, …
//! in [`FittedTreeForecaster::feature_names`].
//!
//! **Counts.** Admissions are counts, so each one-step prediction is clipped
//! at 0 before it enters the history, and the lower bounds are clipped at 0
//! too: forecasts are never negative.
//!
//! **Intervals: split conformal** (Vovk, Gammerman & Shafer, *Algorithmic
//! Learning in a Random World*, 2005; Lei, G'Sell, Rinaldo, Tibshirani &
//! Wasserman, "Distribution-free predictive inference for regression",
//! *JASA* 113, 2018), calibrated at fit time on the tail of the training
//! series. With `H` = `calibration_horizon` and `W` =
//! `calibration_windows`, the last `W·H` values are held out in
//! `W` windows of `H` steps. Unset, `H` is the frequency's held-out window
//! ([`Freq::window`]: 24 hours, 14 days, 8 weeks or 3 months) and `W` the
//! fewest windows, at least 3, that give every step the 19 errors a finite
//! 95 % bound needs (3 for hours and days, 4 for weeks, 7 for months), or
//! as many as the series has room for when that is fewer, but at least 3
//! ([`TreeForecaster::calibration_for`]). For window `w` a model is fitted on the values
//! (and regressor rows) before the window; from every step `o` of the
//! window it forecasts recursively up to `H` steps ahead, using the actual
//! values before `o` as history and the regressor rows `o .. o + H` (never
//! a row past the step forecast, nor past the end of the series: what
//! production would know), and stopping at the end of the series. The
//! absolute error of each forecast is recorded under its step, giving
//! `n_s = W·H − s + 1` errors at step `s` (42 at step 1, 29 at step 14 for
//! a daily series by default). For a level `L` (percent), the half-width at step `s` is the
//! `k`-th smallest of those errors with `k = ⌈(n_s + 1)·L/100⌉`, and
//! infinite when `k > n_s` (too few errors to back the level: 99% needs at
//! least 99 of them). Steps beyond `H` reuse the step-`H` errors, so set
//! `H` to the horizon forecast when it is longer than the default. After
//! calibrating, the model is refitted on the whole series. The interval is
//! `[max(ŷ − q, 0), ŷ + q]`. Errors of one series are not exchangeable, so
//! the coverage is approximate; the calibration models are up to `H` steps
//! staler than the final one, which errs towards wider intervals.
//!
//! A series needs `min_history + 1 + W·H` values (71 days, 77 weeks, 241
//! hours or 22 months with the fewest default windows): the earliest
//! calibration model must have a training row.
//!
//! ```
//! use hutano_forecast::forecast::{Fit, Predict};
//! use hutano_forecast::trees::{BoostedForecaster, GradientBoosting};
//!
//! let y: Vec<f64> = (0..120).map(|t| f64::from([40, 44, 42, 41, 39, 25, 20][t % 7])).collect();
//! let model = BoostedForecaster::new(GradientBoosting::params().n_estimators(50).learning_rate(0.2));
//! let f = model.fit(&y)?.predict(14, &[80.0, 95.0])?;
//! assert_eq!(f.point.len(), 14);
//! // The next day, t = 120, is at position 120 % 7 = 1 of the weekly pattern.
//! assert!((f.point[0] - 44.0).abs() < 2.0);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```
//!
//! With a regressor, here 30 more admissions on days with a planned list,
//! known two weeks ahead:
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_forecast::forecast::{Fit, Predict, SeriesView};
//! use hutano_forecast::panel::Freq;
//! use hutano_forecast::trees::{BoostedForecaster, GradientBoosting};
//!
//! let plan: Vec<f64> = (0..134).map(|t| f64::from(u8::from(t % 5 == 1 || t % 3 == 0))).collect();
//! let y: Vec<f64> = plan[..120].iter().map(|p| 20.0 + 30.0 * p).collect();
//! let x = vec![plan.clone()];
//! let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default().and_time(chrono::NaiveTime::MIN);
//! let model = BoostedForecaster::new(GradientBoosting::params().n_estimators(50).learning_rate(0.2));
//! let fitted = model.fit_series(SeriesView::new(&y, start, Freq::Daily).with_regressors(&x))?;
//! let f = fitted.predict(14, &[80.0])?;
//! for (p, planned) in f.point.iter().zip(&plan[120..]) {
//!     assert!((p - (20.0 + 30.0 * planned)).abs() < 3.0);
//! }
//! // Past the 14 known rows, another plan must be given.
//! assert!(fitted.predict(15, &[80.0]).is_err());
//! let g = fitted.predict_with(21, &[80.0], &[vec![1.0; 21]])?;
//! assert!(g.point.iter().all(|p| (p - 50.0).abs() < 3.0));
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

pub mod boost;
pub mod forest;
pub mod global;
#[cfg(feature = "linfa")]
pub mod linfa;
pub mod tree;

/// Seeded data shared by the learners' unit tests.
#[cfg(test)]
pub(crate) mod test_data {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `n` row-major rows of 3 features in [0, 1) and
    /// `y = sin(6·x0) + 2·x1·x2 + noise` (noise uniform in [0, 0.1)).
    pub(crate) fn smooth(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Vec::with_capacity(3 * n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let r: [f64; 3] = [rng.random(), rng.random(), rng.random()];
            y.push((6.0 * r[0]).sin() + 2.0 * r[1] * r[2] + 0.1 * rng.random::<f64>());
            x.extend(r);
        }
        (x, y)
    }
}

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

pub use self::boost::{BoostingParams, BoostingValidParams, FittedBoosting, GradientBoosting};
pub use self::forest::{FittedForest, ForestParams, ForestValidParams, RandomForest};
pub use self::tree::{FittedTree, RegressionTree, TreeParams, TreeValidParams};
use crate::error::{Error, Result};
use crate::features::{step_time, FeatureSpec, TrainingMatrix};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};
use crate::panel::Freq;
/// A fitted regressor that predicts one feature row at a time.
pub trait RowModel {
    /// The prediction for one row (as many values as features fitted).
    fn predict_row(&self, row: &[f64]) -> f64;
}

impl RowModel for FittedTree {
    fn predict_row(&self, row: &[f64]) -> f64 {
        FittedTree::predict_row(self, row)
    }
}

/// The seed of stream `index` of a model seeded with `seed` (`SplitMix64`
/// finaliser over both: Steele, Lea & Flood, OOPSLA 2014). Streams depend on
/// `(seed, index)` only, never on thread order.
pub(crate) fn stream_seed(seed: u64, index: u64) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    mix(mix(seed) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// Validated hyperparameters that learn a [`RowModel`] from a training
/// matrix (implemented by the two ensembles).
pub trait Learner {
    /// The fitted model.
    type Model: RowModel;
    /// Fit to the matrix.
    ///
    /// # Errors
    /// As the ensemble's `fit`.
    fn learn(&self, m: &TrainingMatrix) -> Result<Self::Model>;

    /// Fit to the matrix and return the model's prediction for each of its
    /// rows (the in-sample fitted values, on the matrix's scale). The
    /// default predicts every row; a learner that tracks its training
    /// predictions (boosting) returns them instead.
    ///
    /// # Errors
    /// As [`Learner::learn`].
    fn learn_with_fitted(&self, m: &TrainingMatrix) -> Result<(Self::Model, Vec<f64>)> {
        let model = self.learn(m)?;
        let fitted = (0..m.n_rows()).map(|i| model.predict_row(m.row(i))).collect();
        Ok((model, fitted))
    }
}

/// Hyperparameters of an ensemble usable in a [`TreeForecaster`].
pub trait EnsembleParams {
    /// The validated form.
    type Valid: Learner + Sync;
    /// Validate.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the invalid hyperparameter.
    fn validated(&self) -> Result<Self::Valid>;
}

impl EnsembleParams for BoostingParams {
    type Valid = BoostingValidParams;
    fn validated(&self) -> Result<BoostingValidParams> {
        self.check()
    }
}

impl EnsembleParams for ForestParams {
    type Valid = ForestValidParams;
    fn validated(&self) -> Result<ForestValidParams> {
        self.check()
    }
}

impl Learner for BoostingValidParams {
    type Model = FittedBoosting;
    fn learn(&self, m: &TrainingMatrix) -> Result<FittedBoosting> {
        self.fit(&m.x, m.n_features, &m.y)
    }

    /// The training predictions boosting keeps up to date tree by tree
    /// (equal to predicting each row, up to the order of the sums).
    fn learn_with_fitted(&self, m: &TrainingMatrix) -> Result<(FittedBoosting, Vec<f64>)> {
        self.fit_with_predictions(&m.x, m.n_features, &m.y)
    }
}

impl Learner for ForestValidParams {
    type Model = FittedForest;
    fn learn(&self, m: &TrainingMatrix) -> Result<FittedForest> {
        self.fit(&m.x, m.n_features, &m.y)
    }
}

/// Fewest calibration windows of a local tree forecaster by default (more
/// where a window is short: [`TreeForecaster::calibration_for`]).
pub const DEFAULT_CALIBRATION_WINDOWS: usize = 3;

/// The timestamp [`Fit::fit`] gives the first value: Monday 1970-01-05,
/// midnight.
pub(crate) fn default_start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1970, 1, 5)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
}

/// A tree ensemble as a recursive forecaster with split-conformal
/// intervals and exogenous regressors (see the [module
/// documentation](self)).
///
/// [`Fit::fit`] dates the first value Monday 1970-01-05, midnight, at the
/// features' frequency; [`Fit::fit_series`] uses the series' own dates
/// (needed for the hour, weekday, day-of-year and holiday features to mean
/// anything) and regressors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeForecaster<P> {
    /// Features (their frequency's default set is replaced by that of the
    /// series fitted; see [`FeatureSpec::adapted_to`]).
    pub features: FeatureSpec,
    /// Hyperparameters of the ensemble.
    pub params: P,
    /// Number of held-out windows for the conformal calibration, at least
    /// 1; `None` (the default): the fewest, at least 3, that give every
    /// step of a window 19 errors ([`TreeForecaster::calibration_for`]).
    pub calibration_windows: Option<usize>,
    /// Length in steps of each calibration window and the longest step
    /// calibrated, at least 1; `None` (the default): the series'
    /// frequency's ([`Freq::window`]).
    pub calibration_horizon: Option<usize>,
}

/// Gradient-boosted trees as a forecaster.
pub type BoostedForecaster = TreeForecaster<BoostingParams>;
/// A random forest as a forecaster.
pub type ForestForecaster = TreeForecaster<ForestParams>;

/// The default boosted forecaster is a *local* model (one per series, about
/// a thousand daily rows), so it is regularised harder than the global
/// defaults of [`BoostingParams`]: 200 trees of depth 3, at least 20 rows per
/// leaf (the `min_child_samples` default of `LightGBM`), learning rate 0.05,
/// subsample 0.8. Chosen on the HDHI daily series and the first 12 series of
/// the bench-peers synthetic panel (BENCHMARKS.md discloses the overlap with
/// the reported panel).
impl Default for TreeForecaster<BoostingParams> {
    fn default() -> Self {
        Self::new(
            BoostingParams::default()
                .n_estimators(200)
                .max_depth(3)
                .min_samples_leaf(20)
                .learning_rate(0.05),
        )
    }
}

/// The default forest forecaster uses [`ForestParams::default`].
impl Default for TreeForecaster<ForestParams> {
    fn default() -> Self {
        Self::new(ForestParams::default())
    }
}

impl<P> TreeForecaster<P> {
    /// The default (daily) features and calibration with these
    /// hyperparameters.
    #[must_use]
    pub fn new(params: P) -> Self {
        Self {
            features: FeatureSpec::default(),
            params,
            calibration_windows: None,
            calibration_horizon: None,
        }
    }

    /// The calibration windows and their length for a series of `n`
    /// values of frequency `freq`: those set, else the frequency's window
    /// `H` ([`Freq::window`]) and the fewest windows `W`, at least
    /// [`DEFAULT_CALIBRATION_WINDOWS`], whose last step has the 19 errors a
    /// finite 95 % bound needs (`W·H − H + 1 ≥ 19`); fewer when the series
    /// has no room for them (`min_history + 1 + W·H > n`), but never fewer
    /// than 3 (the 95 % bounds of the last steps are then infinite).
    ///
    /// ```
    /// use hutano_forecast::panel::Freq;
    /// use hutano_forecast::trees::BoostedForecaster;
    ///
    /// let model = BoostedForecaster::default();
    /// assert_eq!(model.calibration_for(Freq::Daily, 730)?, (3, 14));
    /// // Three years of months: 7 windows of 3 (12 months of lags before them).
    /// assert_eq!(model.calibration_for(Freq::Monthly, 36)?, (7, 3));
    /// // Two years: room for 3 windows only.
    /// assert_eq!(model.calibration_for(Freq::Monthly, 24)?, (3, 3));
    /// # Ok::<(), hutano_forecast::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for customised features of another
    /// frequency than `freq`.
    pub fn calibration_for(&self, freq: Freq, n: usize) -> Result<(usize, usize)> {
        calibration_settings(
            (self.calibration_windows, self.calibration_horizon),
            &self.features,
            (freq, 1, n),
            DEFAULT_CALIBRATION_WINDOWS,
        )
    }

    /// Replace the features.
    #[must_use]
    pub fn with_features(mut self, features: FeatureSpec) -> Self {
        self.features = features;
        self
    }
}

impl<P: EnsembleParams> Fit for TreeForecaster<P> {
    type Fitted = FittedTreeForecaster<<P::Valid as Learner>::Model>;

    /// # Errors
    /// As [`Fit::fit_series`] with a series of the features' frequency
    /// starting 1970-01-05.
    fn fit(&self, y: &[f64]) -> Result<Self::Fitted> {
        self.fit_series(SeriesView::new(y, default_start(), self.features.freq))
    }

    /// # Errors
    /// [`Error::InvalidParameter`] for invalid features, hyperparameters or
    /// calibration settings, or customised features of another frequency
    /// than the series' (`"freq"`); [`Error::NonFinite`] for a NaN or
    /// infinite value; [`Error::Regressors`] for a regressor column shorter
    /// than the series or not finite; [`Error::TooShort`] for fewer than
    /// `min_history + 1 + calibration_windows · calibration_horizon` values.
    fn fit_series(&self, series: SeriesView<'_>) -> Result<Self::Fitted> {
        let learner = self.params.validated()?;
        let features = self.features.adapted_to(series.freq)?;
        let (windows, horizon) = self.calibration_for(series.freq, series.y.len())?;
        fit_forecaster(&learner, &features, windows, horizon, series)
    }
}

/// A fitted [`BoostedForecaster`].
pub type FittedBoostedForecaster = FittedTreeForecaster<FittedBoosting>;
/// A fitted [`ForestForecaster`].
pub type FittedForestForecaster = FittedTreeForecaster<FittedForest>;

/// A fitted tree forecaster: the model refitted on the whole series, the
/// history it forecasts from, the known future of the regressors and the
/// conformal calibration errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedTreeForecaster<M> {
    features: FeatureSpec,
    model: M,
    scale: f64,
    /// The last `min_history` values, divided by `scale`.
    history: Vec<f64>,
    /// Timestamp of the first training value.
    start: NaiveDateTime,
    /// Number of training values.
    n: usize,
    /// Per regressor column, its rows past the training series (the known
    /// future, `x[j][n..]`).
    future: Vec<Vec<f64>>,
    /// Sorted absolute calibration errors per step (original units).
    errors: Vec<Vec<f64>>,
    /// One-step fitted values, NaN where lags are missing.
    fitted: Vec<f64>,
}

impl<M> FittedTreeForecaster<M> {
    /// The ensemble fitted on the whole series (in scaled units).
    #[must_use]
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The features (those of the series' frequency).
    #[must_use]
    pub fn features(&self) -> &FeatureSpec {
        &self.features
    }

    /// The names of the model's columns, the regressors (`x0`, `x1`, …)
    /// last.
    #[must_use]
    pub fn feature_names(&self) -> Vec<String> {
        self.features.names_with_regressors(self.future.len())
    }

    /// Number of regressor columns fitted.
    #[must_use]
    pub fn n_regressors(&self) -> usize {
        self.future.len()
    }

    /// The known future rows of each regressor column, stored at fit; their
    /// shortest length is the longest horizon [`Predict::predict`] can
    /// forecast (unbounded without regressors).
    #[must_use]
    pub fn future_regressors(&self) -> &[Vec<f64>] {
        &self.future
    }

    /// The series' scale (see [`crate::features`]).
    #[must_use]
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Sorted absolute calibration errors, `[step − 1][i]`, one list per
    /// calibrated step.
    #[must_use]
    pub fn calibration_errors(&self) -> &[Vec<f64>] {
        &self.errors
    }

    /// The conformal half-width at `step` (1-based; steps past the
    /// calibration horizon use its last step) for `level` percent; infinite
    /// when there are too few errors for the level.
    #[must_use]
    pub fn half_width(&self, step: usize, level: f64) -> f64 {
        let i = step.saturating_sub(1).min(self.errors.len().saturating_sub(1));
        self.errors
            .get(i)
            .map_or(f64::INFINITY, |e| conformal_quantile(e, level))
    }
}

impl<M: RowModel> FittedTreeForecaster<M> {
    /// The forecast with the regressor rows `regressors[j][..horizon]`
    /// (checked by the callers).
    fn forecast(&self, horizon: usize, levels: &[f64], regressors: &[&[f64]]) -> Result<Forecast> {
        let start = (self.start, self.n);
        tree_forecast(
            &self.features,
            &self.model,
            &self.history,
            start,
            self.scale,
            horizon,
            levels,
            regressors,
            |s, l| self.half_width(s, l),
        )
    }
}

/// The recursive forecast of a fitted tree model in original units (history
/// and model in units of `scale`), with the interval `[max(ŷ − q, 0), ŷ + q]`
/// where `q = half_width(step, level)` (see [`recursive`] for the other
/// arguments).
#[allow(clippy::too_many_arguments)]
fn tree_forecast<M: RowModel>(
    features: &FeatureSpec,
    model: &M,
    history: &[f64],
    start: (NaiveDateTime, usize),
    scale: f64,
    horizon: usize,
    levels: &[f64],
    regressors: &[&[f64]],
    half_width: impl Fn(usize, f64) -> f64,
) -> Result<Forecast> {
    let point: Vec<f64> = recursive(features, model, history, start, horizon, regressors)?
        .into_iter()
        .map(|p| p * scale)
        .collect();
    let mut lower = Vec::with_capacity(levels.len());
    let mut upper = Vec::with_capacity(levels.len());
    for &level in levels {
        let half: Vec<f64> = (1..=horizon).map(|s| half_width(s, level)).collect();
        lower.push(point.iter().zip(&half).map(|(p, q)| (p - q).max(0.0)).collect());
        upper.push(point.iter().zip(&half).map(|(p, q)| p + q).collect());
    }
    Ok(Forecast {
        point,
        levels: levels.to_vec(),
        lower,
        upper,
    })
}

/// The first `horizon` rows of the future regressor columns given to
/// `predict_with`: as many columns as fitted (`fitted`), each long enough
/// and finite, or [`Error::Regressors`] naming the column.
fn given_future(future: &[Vec<f64>], fitted: usize, horizon: usize) -> Result<Vec<&[f64]>> {
    if future.len() != fitted {
        return Err(Error::Regressors {
            problem: format!(
                "the model was fitted with {fitted} regressor columns, {} given",
                future.len()
            ),
        });
    }
    let regressors = first_rows(future, horizon, "future")?;
    for (j, c) in regressors.iter().enumerate() {
        if let Some(row) = c.iter().position(|v| !v.is_finite()) {
            return Err(Error::Regressors {
                problem: format!("regressor column {j} (x{j}) is not finite at future row {row}"),
            });
        }
    }
    Ok(regressors)
}

/// The first `horizon` rows of each column, or [`Error::Regressors`]
/// naming the first column with fewer.
fn first_rows<'a>(columns: &'a [Vec<f64>], horizon: usize, whose: &str) -> Result<Vec<&'a [f64]>> {
    columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            c.get(..horizon).ok_or_else(|| Error::Regressors {
                problem: format!(
                    "regressor column {j} (x{j}) has {} {whose} rows, the horizon is {horizon}",
                    c.len()
                ),
            })
        })
        .collect()
}

impl<M: RowModel> Predict for FittedTreeForecaster<M> {
    /// Recursive forecast clipped at 0, with split-conformal intervals
    /// (lower bounds clipped at 0), using the regressors' future rows given
    /// at fit.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100);
    /// [`Error::Regressors`] naming the first regressor column with fewer
    /// than `horizon` known future rows; [`Error::InvalidParameter`]
    /// (`"start"`) when the timestamps run past chrono's calendar.
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let regressors = first_rows(&self.future, horizon, "known future")?;
        self.forecast(horizon, levels, &regressors)
    }

    /// As [`Predict::predict`], with the regressors' future rows taken from
    /// `future` (one column per regressor, in the order of the fit, at
    /// least `horizon` rows each, finite) instead of those given at fit.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100);
    /// [`Error::Regressors`] when `future` has another number of columns
    /// than the fit, or a column is too short or not finite (naming it).
    fn predict_with(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        check_levels(levels)?;
        let regressors = given_future(future, self.future.len(), horizon)?;
        self.forecast(horizon, levels, &regressors)
    }

    /// One-step fitted values of the final model (clipped at 0), NaN for
    /// the first `min_history` values, which have no lags.
    fn predict_in_sample(&self) -> Vec<f64> {
        self.fitted.clone()
    }
}

/// The `k`-th smallest of the sorted `errors`, `k = ⌈(n + 1)·level/100⌉`;
/// infinite when `k > n`. A relative 1e-9 is taken off before rounding up
/// so that an exact product (e.g. 10 · 80/100) is not pushed to the next
/// integer by rounding.
pub(crate) fn conformal_quantile(sorted: &[f64], level: f64) -> f64 {
    let n = sorted.len();
    let x = (n + 1) as f64 * level / 100.0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    // x ∈ (0, n + 1) for a checked level.
    let k = ((x - 1e-9 * x.abs()).ceil().max(1.0)) as usize;
    if k > n {
        f64::INFINITY
    } else {
        sorted[k - 1]
    }
}

/// The calibration windows and their length of a tree forecaster with
/// `(windows, horizon)` set or not and `features`, for `series` series of
/// frequency `freq` whose shortest has `n` values: unset, the frequency's
/// window `H` and the fewest windows, at least `fewest`, whose last step
/// pools [`ERRORS_FOR_95`] errors over the series (`series · (W·H − H + 1)`),
/// capped by the room of the shortest series (`min_history + 1 + W·H ≤ n`)
/// but never under `fewest`.
pub(crate) fn calibration_settings(
    (windows, horizon): (Option<usize>, Option<usize>),
    features: &FeatureSpec,
    (freq, series, n): (Freq, usize, usize),
    fewest: usize,
) -> Result<(usize, usize)> {
    let h = horizon.unwrap_or(freq.window());
    if let Some(w) = windows {
        return Ok((w, h));
    }
    let k = features.adapted_to(freq)?.min_history();
    let room = n.saturating_sub(k + 1) / h.max(1);
    let w = windows_for_95(fewest, |w| series * ((w - 1) * h + 1))
        .min(room)
        .max(fewest);
    Ok((w, h))
}

/// Fewest errors whose [`conformal_quantile`] bounds a 95 % interval: the
/// smallest `n` with `⌈0.95·(n + 1)⌉ ≤ n`.
pub(crate) const ERRORS_FOR_95: usize = 19;

/// The default number of held-out windows: the smallest, at least `min`,
/// for which `errors(windows)` (the errors behind the least-backed bound)
/// reaches [`ERRORS_FOR_95`], so that 80 % and 95 % intervals are finite.
/// `errors` must grow with the windows.
pub(crate) fn windows_for_95(min: usize, errors: impl Fn(usize) -> usize) -> usize {
    let last = min + ERRORS_FOR_95;
    (min..last).find(|&w| errors(w) >= ERRORS_FOR_95).unwrap_or(last)
}

/// Recursive forecast of `horizon` steps from step `from` on of a series
/// starting at `start`, in scaled units, each step clipped at 0. `history`
/// holds at least `min_history` scaled values, the last at step
/// `from − 1`; `regressors[j][s]` is regressor `j` at step `from + s` (at
/// least `horizon` rows each).
///
/// # Errors
/// [`Error::InvalidParameter`] (`"start"`) when the timestamps run past
/// chrono's calendar.
fn recursive<M: RowModel>(
    spec: &FeatureSpec,
    model: &M,
    history: &[f64],
    (start, from): (NaiveDateTime, usize),
    horizon: usize,
    regressors: &[&[f64]],
) -> Result<Vec<f64>> {
    let k = spec.min_history();
    let holidays = spec.holidays_over(start, from, horizon)?;
    let mut hist = Vec::with_capacity(k + horizon);
    hist.extend_from_slice(&history[history.len() - k..]);
    let mut row = Vec::with_capacity(spec.n_features() + regressors.len());
    let mut x = Vec::with_capacity(regressors.len());
    let mut out = Vec::with_capacity(horizon);
    for s in 0..horizon {
        let ts = step_time(start, spec.freq, from + s)?;
        x.clear();
        x.extend(regressors.iter().map(|c| c[s]));
        spec.fill_row(&hist, ts, spec.holiday_value(&holidays, ts), &x, &mut row);
        let p = model.predict_row(&row).max(0.0);
        out.push(p);
        hist.push(p);
    }
    Ok(out)
}

fn fit_forecaster<L>(
    learner: &L,
    spec: &FeatureSpec,
    windows: usize,
    horizon: usize,
    series: SeriesView<'_>,
) -> Result<FittedTreeForecaster<L::Model>>
where
    L: Learner + Sync,
{
    spec.check()?;
    for (name, v) in [("calibration_windows", windows), ("calibration_horizon", horizon)] {
        if v == 0 {
            return Err(Error::InvalidParameter {
                name,
                problem: "must be at least 1".into(),
            });
        }
    }
    let y = series.y;
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            unique_id: String::new(),
            row,
        });
    }
    series.check_regressors()?;
    let k = spec.min_history();
    let held_out = windows.saturating_mul(horizon);
    let needed = k.saturating_add(1).saturating_add(held_out);
    if y.len() < needed {
        return Err(Error::TooShort {
            unique_id: String::new(),
            needed,
            got: y.len(),
        });
    }
    let n = y.len();
    let errors = calibrate(learner, spec, series, windows, horizon)?;
    let m = spec.training_matrix(series)?;
    let (model, in_sample) = learner.learn_with_fitted(&m)?;
    let mut fitted = vec![f64::NAN; n];
    for (f, p) in fitted[m.first..].iter_mut().zip(in_sample) {
        *f = p.max(0.0) * m.scale;
    }
    Ok(FittedTreeForecaster {
        features: spec.clone(),
        history: y[n - k..].iter().map(|v| v / m.scale).collect(),
        start: series.start,
        n,
        future: series.x.iter().map(|c| c[n..].to_vec()).collect(),
        scale: m.scale,
        model,
        errors,
        fitted,
    })
}

/// Absolute errors per step from the held-out windows (see the module
/// documentation), each list sorted. Window `w` trains on the values and
/// regressor rows before its cutoff and forecasts from each origin `o` with
/// the regressor rows `o .. o + steps` only. Windows are fitted in parallel
/// with the `parallel` feature; the sorted lists do not depend on the
/// order.
fn calibrate<L>(
    learner: &L,
    spec: &FeatureSpec,
    series: SeriesView<'_>,
    windows: usize,
    horizon: usize,
) -> Result<Vec<Vec<f64>>>
where
    L: Learner + Sync,
{
    let y = series.y;
    let n = y.len();
    let k = spec.min_history();
    let window = |w: usize| -> Result<Vec<(usize, f64)>> {
        let cutoff = n - (windows - w) * horizon;
        let m = spec.training_matrix(series.head(cutoff))?;
        let model = learner.learn(&m)?;
        let mut out = Vec::with_capacity(horizon * horizon);
        for o in cutoff..cutoff + horizon {
            let hist: Vec<f64> = y[o - k..o].iter().map(|v| v / m.scale).collect();
            let steps = horizon.min(n - o);
            let regressors: Vec<&[f64]> = series.x.iter().map(|c| &c[o..o + steps]).collect();
            let path = recursive(spec, &model, &hist, (series.start, o), steps, &regressors)?;
            out.extend(
                path.iter()
                    .enumerate()
                    .map(|(s, p)| (s, (y[o + s] - p * m.scale).abs())),
            );
        }
        Ok(out)
    };
    #[cfg(feature = "parallel")]
    let per_window: Vec<Result<Vec<(usize, f64)>>> = {
        use rayon::prelude::*;
        (0..windows).into_par_iter().map(window).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per_window: Vec<Result<Vec<(usize, f64)>>> = (0..windows).map(window).collect();
    let mut errors = vec![Vec::new(); horizon];
    for r in per_window {
        for (s, e) in r? {
            errors[s].push(e);
        }
    }
    for e in &mut errors {
        e.sort_by(f64::total_cmp);
    }
    Ok(errors)
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // x, y, a, b: the usual names in tests
pub(crate) mod tests {
    use hutano_core::calendar::Calendar;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::backtest::{cross_validation, evaluate, Metrics};
    use crate::baseline::Naive;
    use crate::baseline::SeasonalNaive;
    use crate::panel::{Freq, Panel, Series};

    pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
        // Box–Muller.
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Daily admissions: weekly profile × a slow wave, plus noise, rounded
    /// and clipped at 0. Starts Monday 2024-01-01.
    pub(super) fn weekly_series(days: usize, level: f64, noise_sd: f64, seed: u64) -> Vec<f64> {
        let profile = [1.15, 1.1, 1.05, 1.0, 1.0, 0.75, 0.65];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..days)
            .map(|t| {
                let wave = 1.0 + 0.08 * (std::f64::consts::TAU * t as f64 / 120.0).sin();
                let mean = level * profile[t % 7] * wave;
                (mean + noise_sd * normal(&mut rng)).round().max(0.0)
            })
            .collect()
    }

    pub(super) fn start() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    fn panel(y: Vec<f64>) -> Panel {
        Panel::new(vec![Series {
            unique_id: "ward".into(),
            start: start(),
            freq: Freq::Daily,
            y,
            x: Vec::new(),
        }])
    }

    fn backtest<M: Fit + Sync>(model: &M, p: &Panel) -> Metrics {
        let windows = cross_validation(model, p, 14, 3, 14, &[80.0, 95.0], 7, true).unwrap();
        evaluate(&windows).unwrap()
    }

    /// Small ensembles keep the suite fast.
    fn boosted() -> BoostedForecaster {
        BoostedForecaster::new(
            GradientBoosting::params()
                .n_estimators(100)
                .learning_rate(0.1)
                .max_depth(4)
                .min_samples_leaf(3),
        )
    }

    fn forest() -> ForestForecaster {
        ForestForecaster::new(RandomForest::params().n_trees(40).min_samples_leaf(3))
    }

    pub(super) fn check_forecast(f: &Forecast, h: usize) {
        assert_eq!(f.point.len(), h);
        for (j, _) in f.levels.iter().enumerate() {
            for t in 0..h {
                assert!(f.point[t] >= 0.0 && f.lower[j][t] >= 0.0);
                assert!(f.lower[j][t] <= f.point[t] && f.point[t] <= f.upper[j][t]);
            }
        }
        // Levels ascend: the wider level's interval contains the narrower's.
        for j in 1..f.levels.len() {
            for t in 0..h {
                assert!(f.lower[j][t] <= f.lower[j - 1][t] && f.upper[j][t] >= f.upper[j - 1][t]);
            }
        }
    }

    #[test]
    fn boosted_and_forest_beat_seasonal_naive_on_weekly_series() {
        // Four wards of different sizes, 280 days each; MASE is averaged over
        // 4 series × 3 windows, which steadies it against one unlucky window.
        let levels = [60.0, 25.0, 120.0, 8.0];
        let noise = [4.0, 3.0, 9.0, 2.5];
        let series = (0..4)
            .map(|i| Series {
                unique_id: format!("ward {i}"),
                start: start(),
                freq: Freq::Daily,
                y: weekly_series(280, levels[i], noise[i], 100 + i as u64),
                x: Vec::new(),
            })
            .collect();
        let p = Panel::new(series);
        let naive = backtest(&SeasonalNaive::new(7), &p);
        let b = backtest(&boosted(), &p);
        let f = backtest(&forest(), &p);
        eprintln!(
            "MASE (h = 14, 3 windows, season 7): boosted {:.3}, forest {:.3}, seasonal naive {:.3}",
            b.mase, f.mase, naive.mase
        );
        eprintln!("coverage boosted {:?}, forest {:?}", b.coverage, f.coverage);
        assert!(
            b.mase < naive.mase,
            "boosted {} vs seasonal naive {}",
            b.mase,
            naive.mase
        );
        assert!(
            f.mase < naive.mase,
            "forest {} vs seasonal naive {}",
            f.mase,
            naive.mase
        );
        for m in [&b, &f] {
            let (c80, c95) = (m.coverage[0].1, m.coverage[1].1);
            assert!(c95 >= c80, "coverage 95% {c95} < 80% {c80}");
            // 168 test days: a working interval covers well over half of them.
            assert!(c80 > 0.6, "coverage at 80%: {c80}");
        }
    }

    #[test]
    fn forecasts_are_non_negative_with_ordered_intervals() {
        // Sparse counts (mean about 1.5, many zeros): clipping matters here.
        let y = weekly_series(150, 1.5, 1.5, 7);
        assert!(y.iter().filter(|v| **v == 0.0).count() > 10);
        let levels = [50.0, 80.0, 95.0];
        let fb = boosted().fit(&y).unwrap();
        check_forecast(&fb.predict(21, &levels).unwrap(), 21);
        let ff = forest().fit(&y).unwrap();
        check_forecast(&ff.predict(21, &levels).unwrap(), 21);
        assert!(fb.predict_in_sample().iter().all(|v| v.is_nan() || *v >= 0.0));
    }

    #[test]
    fn conformal_half_width_is_the_finite_sample_quantile() {
        let e: Vec<f64> = (1..=9).map(f64::from).collect();
        // n = 9: k = ⌈10·0.8⌉ = 8, ⌈10·0.5⌉ = 5, ⌈10·0.95⌉ = 10 > 9.
        assert!((conformal_quantile(&e, 80.0) - 8.0).abs() < 1e-15);
        assert!((conformal_quantile(&e, 50.0) - 5.0).abs() < 1e-15);
        assert!(conformal_quantile(&e, 95.0).is_infinite());
        assert!((conformal_quantile(&e, 1.0) - 1.0).abs() < 1e-15);
        // The fitted model uses it with n_s = W·H − s + 1 errors at step s.
        let y = weekly_series(120, 30.0, 3.0, 1);
        let fitted = forest().fit(&y).unwrap();
        let errs = fitted.calibration_errors();
        assert_eq!(errs.len(), 14);
        assert_eq!(errs[0].len(), 42);
        assert_eq!(errs[13].len(), 29);
        assert!(errs.iter().all(|e| e.windows(2).all(|w| w[0] <= w[1])));
        // Step 1, 80%: k = ⌈43·0.8⌉ = 35.
        assert!((fitted.half_width(1, 80.0) - errs[0][34]).abs() < 1e-15);
        let f = fitted.predict(3, &[80.0]).unwrap();
        assert!((f.upper[0][0] - f.point[0] - errs[0][34]).abs() < 1e-9);
        // 99% at step 14 needs ⌈30·0.99⌉ = 30 > 29 errors: unbounded.
        let f = fitted.predict(14, &[99.0]).unwrap();
        assert!(f.upper[0][13].is_infinite());
        assert!(f.lower[0][13].abs() < 1e-15);
    }

    #[test]
    fn horizons_past_the_calibration_horizon_reuse_its_last_step() {
        let y = weekly_series(150, 40.0, 3.0, 3);
        let model = ForestForecaster {
            calibration_windows: Some(3),
            calibration_horizon: Some(7),
            ..forest()
        };
        let fitted = model.fit(&y).unwrap();
        let f = fitted.predict(30, &[80.0, 95.0]).unwrap();
        check_forecast(&f, 30);
        // Step 7 has 3·7 − 7 + 1 = 15 errors: enough for 80% (k = ⌈16·0.8⌉ =
        // 13), too few for 95% (k = 16).
        assert!(fitted.half_width(7, 80.0).is_finite());
        assert!(fitted.half_width(7, 95.0).is_infinite());
        for t in 6..30 {
            let q = f.upper[0][t] - f.point[t];
            assert!((q - fitted.half_width(7, 80.0)).abs() < 1e-9, "step {}", t + 1);
            assert!(f.upper[1][t].is_infinite());
        }
        // The recursion keeps the weekly shape 4 weeks out: weekdays above
        // weekends. Step i is day 150 + i of a series starting on a Monday.
        let (mut weekday, mut weekend) = (Vec::new(), Vec::new());
        for i in 21..28 {
            if (150 + i) % 7 < 5 { &mut weekday } else { &mut weekend }.push(f.point[i]);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(mean(&weekday) > mean(&weekend) + 5.0, "{:?}", &f.point[21..28]);
    }

    #[test]
    fn default_windows_back_a_95_percent_bound_where_the_series_has_room() {
        // (frequency, length, windows × steps expected): enough windows for
        // 19 errors at the last step where the series has room, else as
        // many as fit, at least 3.
        let cases = [
            (Freq::Daily, 400, (3, 14)),
            (Freq::Hourly, 24 * 7 * 6, (3, 24)),
            (Freq::Weekly, 156, (4, 8)),
            (Freq::Monthly, 36, (7, 3)),
            (Freq::Monthly, 60, (7, 3)),
            (Freq::Monthly, 27, (4, 3)),
        ];
        for (freq, n, expected) in cases {
            let y: Vec<f64> = (0..n).map(|t| 20.0 + ((t * 7919) % 13) as f64).collect();
            let model = forest();
            assert_eq!(model.calibration_for(freq, n).unwrap(), expected, "{freq:?} {n}");
            let fitted = model.fit_series(SeriesView::new(&y, start(), freq)).unwrap();
            let (w, h) = expected;
            let errs = fitted.calibration_errors();
            assert_eq!(errs.len(), h);
            assert_eq!(errs[h - 1].len(), w * h - h + 1, "{freq:?} {n}");
            let f = fitted.predict(h, &[80.0, 95.0]).unwrap();
            let finite = f.upper[1].iter().all(|u| u.is_finite());
            assert_eq!(finite, w * h - h + 1 >= 19, "{freq:?} {n}: {:?}", f.upper[1]);
        }
        // Set, the settings apply whatever the frequency.
        let model = ForestForecaster {
            calibration_windows: Some(2),
            calibration_horizon: Some(5),
            ..forest()
        };
        assert_eq!(model.calibration_for(Freq::Monthly, 36).unwrap(), (2, 5));
    }

    #[test]
    fn too_short_series_is_an_error() {
        // Default: 28 lag days + 1 training row + 3 windows × 14 days = 71.
        for model_err in [
            boosted().fit(&[5.0; 70]).unwrap_err(),
            forest().fit(&[5.0; 20]).unwrap_err(),
        ] {
            assert!(matches!(model_err, Error::TooShort { needed: 71, .. }), "{model_err:?}");
        }
        assert!(boosted().fit(&[5.0; 71]).is_ok());
        // Each frequency's own window: hourly, 168 lag hours + 1 + 3 × 24;
        // weekly, 52 lag weeks + 1 + 3 × 8; monthly, 12 lag months + 1 +
        // 3 × 3 (the fewest windows, for series with no room for more).
        for (freq, needed) in [(Freq::Hourly, 241), (Freq::Weekly, 77), (Freq::Monthly, 22)] {
            let y = vec![5.0; needed - 1];
            let err = boosted().fit_series(SeriesView::new(&y, start(), freq)).unwrap_err();
            assert!(
                matches!(err, Error::TooShort { needed: n, .. } if n == needed),
                "{err:?}"
            );
            let y = vec![5.0; needed];
            assert!(
                forest().fit_series(SeriesView::new(&y, start(), freq)).is_ok(),
                "{freq:?}"
            );
        }
        // Through the backtest, the error names the series.
        let p = panel(vec![3.0; 80]);
        let err = cross_validation(&forest(), &p, 14, 3, 14, &[80.0], 7, true).unwrap_err();
        assert!(matches!(err, Error::TooShort { ref unique_id, .. } if unique_id == "ward"));
    }

    #[test]
    fn same_seed_same_forecast_and_threads_do_not_matter() {
        let y = weekly_series(150, 40.0, 4.0, 5);
        let levels = [80.0, 95.0];
        let a = forest().fit(&y).unwrap().predict(14, &levels).unwrap();
        let b = forest().fit(&y).unwrap().predict(14, &levels).unwrap();
        assert_eq!(a, b);
        let other = ForestForecaster::new(RandomForest::params().n_trees(40).min_samples_leaf(3).seed(1));
        assert_ne!(other.fit(&y).unwrap().predict(14, &levels).unwrap().point, a.point);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let f = forest().fit(&y).unwrap().predict(14, &levels).unwrap();
                let g = boosted().fit(&y).unwrap().predict(14, &levels).unwrap();
                (f, g)
            })
        };
        assert_eq!(on(1), on(2));
    }

    #[test]
    fn in_sample_values_are_one_step_and_nan_without_lags() {
        let y = weekly_series(150, 40.0, 2.0, 9);
        let fitted = boosted().fit(&y).unwrap();
        let ins = fitted.predict_in_sample();
        assert_eq!(ins.len(), y.len());
        assert!(ins[..28].iter().all(|v| v.is_nan()));
        assert!(ins[28..].iter().all(|v| v.is_finite()));
        // One-step fits on training data are close (noise sd 2).
        let mae = ins[28..].iter().zip(&y[28..]).map(|(a, b)| (a - b).abs()).sum::<f64>() / 122.0;
        assert!(mae < 2.5, "in-sample mae {mae}");
    }

    #[test]
    fn dates_drive_the_calendar_features() {
        // A custom event every 9 days halves admissions. Only the forecaster
        // that knows the dates (and the calendar) can anticipate the next one.
        let days = 200;
        let s = start().date();
        let mut cal = Calendar::default();
        let mut y = weekly_series(days, 50.0, 1.0, 11);
        let mut t = 4;
        while t < days + 30 {
            cal.add_date("outreach day", s + chrono::Days::new(t as u64));
            if t < days {
                y[t] = (y[t] * 0.4).round();
            }
            t += 9;
        }
        let features = FeatureSpec {
            calendar: Some(cal),
            ..FeatureSpec::default()
        };
        let model = forest().with_features(features);
        let view = SeriesView::new(&y, start(), Freq::Daily);
        let f = model.fit_series(view).unwrap().predict(14, &[80.0]).unwrap();
        // Next event after day 199: 4 + 9·22 = 202, i.e. step 3.
        let event = f.point[2];
        let neighbours = f64::midpoint(f.point[1], f.point[3]);
        assert!(event < 0.8 * neighbours, "event {event} vs neighbours {neighbours}");
        // `fit` dates the series from 1970-01-05 instead: another forecast.
        let g = model.fit(&y).unwrap().predict(14, &[80.0]).unwrap();
        assert_ne!(f.point, g.point);
    }

    #[test]
    fn invalid_settings_are_errors() {
        let y = weekly_series(100, 20.0, 1.0, 0);
        let zero_windows = BoostedForecaster {
            calibration_windows: Some(0),
            ..boosted()
        };
        assert!(matches!(
            zero_windows.fit(&y),
            Err(Error::InvalidParameter {
                name: "calibration_windows",
                ..
            })
        ));
        let bad = BoostedForecaster::new(GradientBoosting::params().learning_rate(2.0));
        assert!(matches!(bad.fit(&y), Err(Error::InvalidParameter { .. })));
        // Customised daily features on an hourly series: the lags would
        // not mean what they were chosen for.
        let custom = forest().with_features(FeatureSpec {
            lags: vec![1, 7],
            ..FeatureSpec::daily()
        });
        let hourly = SeriesView::new(&y, start(), Freq::Hourly);
        assert!(matches!(
            custom.fit_series(hourly),
            Err(Error::InvalidParameter { name: "freq", .. })
        ));
        let mut nan = y.clone();
        nan[50] = f64::NAN;
        assert!(matches!(forest().fit(&nan), Err(Error::NonFinite { row: 50, .. })));
        let fitted = forest().fit(&y).unwrap();
        assert!(matches!(fitted.predict(3, &[100.0]), Err(Error::InvalidLevel { .. })));
        assert!(fitted.predict(0, &[80.0]).unwrap().is_empty());
    }

    /// `y = 20 + 15·x + noise` (sd 2), rounded and clipped at 0, with `x` a
    /// seeded random 0/1 plan (elective lists on about 40% of days).
    fn planned(days: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x: Vec<f64> = (0..days)
            .map(|_| f64::from(u8::from(rng.random::<f64>() < 0.4)))
            .collect();
        let y = x
            .iter()
            .map(|v| (20.0 + 15.0 * v + 2.0 * normal(&mut rng)).round().max(0.0))
            .collect();
        (y, x)
    }

    #[test]
    fn a_planned_regressor_makes_the_forecast_far_better() {
        let (y, x) = planned(300, 21);
        let mut with = Panel::new(vec![Series {
            unique_id: "theatre".into(),
            start: start(),
            freq: Freq::Daily,
            y: y.clone(),
            x: vec![x],
        }]);
        with.regressors = vec!["planned".into()];
        let without = panel(y);
        // 4 windows of 14 held-out days; the backtest passes the whole
        // regressor column, so each fit knows the plan of its 14 days.
        let run = |p: &Panel| {
            let w = cross_validation(&boosted(), p, 14, 4, 14, &[80.0], 7, true).unwrap();
            evaluate(&w).unwrap()
        };
        let (a, b) = (run(&with), run(&without));
        eprintln!(
            "MASE (h = 14, 4 windows, season 7): boosted with regressor {:.3}, without {:.3}; coverage 80% {:.3} / {:.3}",
            a.mase, b.mase, a.coverage[0].1, b.coverage[0].1
        );
        // Noise sd 2 against a plan effect of 15: knowing the plan should
        // remove most of the error.
        assert!(a.mase < 0.5 * b.mase, "with {} vs without {}", a.mase, b.mase);
        assert!(a.coverage[0].1 > 0.6, "coverage at 80%: {}", a.coverage[0].1);
    }

    #[test]
    fn future_regressor_rows_come_from_the_fit_or_from_predict_with() {
        let (y, x) = planned(150, 5);
        let (n, h) = (136, 14);
        let known = vec![x.clone()];
        let past = vec![x[..n].to_vec()];
        let mut garbage = past.clone();
        garbage[0].extend(std::iter::repeat_n(1e6, h));
        let view = |cols| SeriesView::new(&y[..n], start(), Freq::Daily).with_regressors(cols);
        let a = boosted().fit_series(view(&known)).unwrap();
        let b = boosted().fit_series(view(&past)).unwrap();
        let c = boosted().fit_series(view(&garbage)).unwrap();
        // Neither the final model nor the calibration reads a row past the
        // series.
        assert_eq!(a.model(), b.model());
        assert_eq!(a.calibration_errors(), b.calibration_errors());
        assert_eq!(a.calibration_errors(), c.calibration_errors());
        assert_eq!(a.n_regressors(), 1);
        assert_eq!(a.future_regressors()[0].len(), h);
        assert_eq!(a.feature_names().last().map(String::as_str), Some("x0"));
        assert_eq!(a.feature_names().len(), FeatureSpec::daily().n_features() + 1);
        // The stored future and the same rows given at predict agree.
        let fa = a.predict(h, &[80.0]).unwrap();
        let fb = b.predict_with(h, &[80.0], &[x[n..].to_vec()]).unwrap();
        assert_eq!(fa, fb);
        let mae = fa.point.iter().zip(&y[n..]).map(|(p, v)| (p - v).abs()).sum::<f64>() / h as f64;
        assert!(mae < 4.0, "held-out mae {mae} with the plan known");
        // The plan drives the forecast: a full list against none.
        let ones = b.predict_with(h, &[80.0], &[vec![1.0; h]]).unwrap();
        let zeros = b.predict_with(h, &[80.0], &[vec![0.0; h]]).unwrap();
        let lift = ones.point.iter().zip(&zeros.point).map(|(o, z)| o - z).sum::<f64>() / h as f64;
        assert!((10.0..20.0).contains(&lift), "lift {lift}, true effect 15");
    }

    #[test]
    fn regressor_errors_are_typed_and_name_the_column() {
        let (y, x) = planned(120, 3);
        let cols = vec![x.clone()];
        let view = SeriesView::new(&y, start(), Freq::Daily).with_regressors(&cols);
        // No row past the series: the plan of the next days is unknown.
        let fitted = forest().fit_series(view).unwrap();
        let names_column_0 = |e: &Error| matches!(e, Error::Regressors { problem } if problem.contains("column 0"));
        let err = fitted.predict(7, &[80.0]).unwrap_err();
        assert!(names_column_0(&err), "{err}");
        assert!(err
            .to_string()
            .starts_with("regressors: regressor column 0 (x0) has 0 known future rows"));
        assert!(fitted.predict(0, &[80.0]).unwrap().is_empty());
        assert!(fitted.predict_with(7, &[80.0], &[vec![1.0; 7]]).is_ok());
        // Another number of columns than at fit, a short column, a NaN.
        for future in [vec![], vec![vec![1.0; 7], vec![0.0; 7]]] {
            let err = fitted.predict_with(7, &[80.0], &future).unwrap_err();
            assert!(
                matches!(&err, Error::Regressors { problem } if problem.contains("fitted with 1 regressor columns")),
                "{err}"
            );
        }
        let err = fitted.predict_with(7, &[80.0], &[vec![1.0; 3]]).unwrap_err();
        assert!(names_column_0(&err), "{err}");
        let err = fitted.predict_with(7, &[80.0], &[vec![f64::NAN; 7]]).unwrap_err();
        assert!(names_column_0(&err) && err.to_string().contains("not finite"), "{err}");
        assert!(matches!(
            fitted.predict_with(7, &[120.0], &[vec![1.0; 7]]),
            Err(Error::InvalidLevel { .. })
        ));
        // At fit: a column shorter than the series, or not finite.
        let short = vec![x[..100].to_vec()];
        let err = forest()
            .fit_series(SeriesView::new(&y, start(), Freq::Daily).with_regressors(&short))
            .unwrap_err();
        assert!(names_column_0(&err), "{err}");
        let mut nan = cols.clone();
        nan[0][10] = f64::INFINITY;
        let err = forest()
            .fit_series(SeriesView::new(&y, start(), Freq::Daily).with_regressors(&nan))
            .unwrap_err();
        assert!(names_column_0(&err) && err.to_string().contains("row 10"), "{err}");
        // A model fitted without regressors takes none at predict.
        let plain = forest().fit(&y).unwrap();
        assert!(matches!(
            plain.predict_with(7, &[80.0], &[vec![1.0; 7]]),
            Err(Error::Regressors { .. })
        ));
        assert_eq!(
            plain.predict_with(7, &[80.0], &[]).unwrap(),
            plain.predict(7, &[80.0]).unwrap()
        );
    }

    /// Hourly arrivals: a daily cycle (peak mid-afternoon, trough before
    /// dawn), weekends at 80%, normal noise, rounded and clipped at 0.
    /// Starts Monday 2024-01-01 00:00.
    fn hourly_series(hours: usize, level: f64, noise_sd: f64, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..hours)
            .map(|t| {
                let hour = (t % 24) as f64;
                let cycle = 1.0 + 0.6 * (std::f64::consts::TAU * (hour - 9.0) / 24.0).sin();
                let week = if (t / 24) % 7 >= 5 { 0.8 } else { 1.0 };
                (level * cycle * week + noise_sd * normal(&mut rng)).round().max(0.0)
            })
            .collect()
    }

    #[test]
    fn hourly_boosted_beats_seasonal_naive_24() {
        // 9 weeks of hours; the 3 held-out days are a Friday, Saturday and
        // Sunday, so the weekday effect matters as well as the daily cycle.
        let p = Panel::new(vec![Series {
            unique_id: "emergency".into(),
            start: start(),
            freq: Freq::Hourly,
            y: hourly_series(24 * 7 * 9, 20.0, 2.5, 17),
            x: Vec::new(),
        }]);
        // The default (daily) features switch to the hourly set.
        let model = BoostedForecaster {
            calibration_horizon: Some(24),
            ..boosted()
        };
        let windows = cross_validation(&model, &p, 24, 3, 24, &[80.0, 95.0], 24, true).unwrap();
        let b = evaluate(&windows).unwrap();
        let naive =
            evaluate(&cross_validation(&SeasonalNaive::new(24), &p, 24, 3, 24, &[80.0], 24, true).unwrap()).unwrap();
        eprintln!(
            "hourly MASE (h = 24, 3 windows, season 24): boosted {:.3}, seasonal naive(24) {:.3}; coverage {:?}",
            b.mase, naive.mase, b.coverage
        );
        assert!(
            b.mase < naive.mase,
            "boosted {} vs seasonal naive {}",
            b.mase,
            naive.mase
        );
        assert!(b.coverage[0].1 > 0.6, "coverage at 80%: {}", b.coverage[0].1);
        let fitted = model
            .fit_series(SeriesView::new(&p.series[0].y, start(), Freq::Hourly))
            .unwrap();
        assert_eq!(fitted.features(), &FeatureSpec::hourly());
    }

    #[test]
    fn weekly_series_with_a_yearly_cycle_beats_naive() {
        // Five years of weeks from Monday 2019-01-07: a yearly wave of ±40
        // (winter peak) around 200, noise sd 6.
        let mut rng = ChaCha8Rng::seed_from_u64(29);
        let y: Vec<f64> = (0..260)
            .map(|t| {
                let angle = std::f64::consts::TAU * (f64::from(t) * 7.0 + 6.0) / 365.25;
                (200.0 + 40.0 * angle.cos() + 6.0 * normal(&mut rng)).round()
            })
            .collect();
        let monday = NaiveDate::from_ymd_opt(2019, 1, 7)
            .unwrap()
            .and_time(chrono::NaiveTime::MIN);
        let p = Panel::new(vec![Series {
            unique_id: "network".into(),
            start: monday,
            freq: Freq::Weekly,
            y,
            x: Vec::new(),
        }]);
        let run = |m: &dyn Fn(&Panel) -> Vec<crate::backtest::Window>| evaluate(&m(&p)).unwrap();
        let naive = run(&|p| cross_validation(&Naive, p, 13, 3, 13, &[80.0], 1, true).unwrap());
        let b = run(&|p| cross_validation(&boosted(), p, 13, 3, 13, &[80.0], 1, true).unwrap());
        let f = run(&|p| cross_validation(&forest(), p, 13, 3, 13, &[80.0], 1, true).unwrap());
        eprintln!(
            "weekly MASE (h = 13, 3 windows, season 1): boosted {:.3}, forest {:.3}, naive {:.3}",
            b.mase, f.mase, naive.mase
        );
        assert!(b.mase < naive.mase, "boosted {} vs naive {}", b.mase, naive.mase);
        assert!(f.mase < naive.mase, "forest {} vs naive {}", f.mase, naive.mase);
    }

    #[test]
    fn monthly_series_with_a_yearly_cycle_beats_naive() {
        // Ten years of months from 2015-01-31 (month ends, clamped: Feb 28,
        // Mar 31, …): winter peak of +30 around 300, noise sd 5.
        let mut rng = ChaCha8Rng::seed_from_u64(31);
        let y: Vec<f64> = (0..120)
            .map(|t| {
                let angle = std::f64::consts::TAU * f64::from(t % 12) / 12.0;
                (300.0 + 30.0 * angle.cos() + 5.0 * normal(&mut rng)).round()
            })
            .collect();
        let end_of_january = NaiveDate::from_ymd_opt(2015, 1, 31)
            .unwrap()
            .and_time(chrono::NaiveTime::MIN);
        let p = Panel::new(vec![Series {
            unique_id: "network".into(),
            start: end_of_january,
            freq: Freq::Monthly,
            y,
            x: Vec::new(),
        }]);
        let naive = evaluate(&cross_validation(&Naive, &p, 6, 3, 6, &[80.0], 1, true).unwrap()).unwrap();
        let b = evaluate(&cross_validation(&boosted(), &p, 6, 3, 6, &[80.0], 1, true).unwrap()).unwrap();
        eprintln!(
            "monthly MASE (h = 6, 3 windows, season 1): boosted {:.3}, naive {:.3}",
            b.mase, naive.mase
        );
        assert!(b.mase < naive.mase, "boosted {} vs naive {}", b.mase, naive.mase);
    }

    #[test]
    fn hourly_fits_with_regressors_are_seeded_and_thread_independent() {
        let y = hourly_series(24 * 7 * 3, 15.0, 2.0, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let x = vec![(0..24 * 7 * 3 + 24)
            .map(|_| f64::from(u8::from(rng.random::<f64>() < 0.3)))
            .collect::<Vec<f64>>()];
        let view = SeriesView::new(&y, start(), Freq::Hourly).with_regressors(&x);
        let levels = [80.0, 95.0];
        let fit = || {
            let f = forest().fit_series(view).unwrap().predict(24, &levels).unwrap();
            let g = boosted().fit_series(view).unwrap().predict(24, &levels).unwrap();
            (f, g)
        };
        assert_eq!(fit(), fit());
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(fit)
        };
        assert_eq!(on(1), on(2));
    }
}
