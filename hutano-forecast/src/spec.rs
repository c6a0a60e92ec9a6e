//! Models as data, and a panel of series fitted by several models at once.
//!
//! [`ModelSpec`] names a model and its main hyperparameters as a plain,
//! serialisable value (JSON `{"model": "seasonal_naive", "season_length": 7}`),
//! so that the Python package, the C library and the command line build
//! exactly the same models as Rust code does. [`PanelForecaster`] fits every
//! model to every series of a [`Panel`] (in parallel with the `parallel`
//! feature, with results identical to serial), forecasts in long format
//! (Nixtla's `unique_id`, `ds`, `<model>`, `<model>-lo-<level>`, ...) and
//! runs rolling-origin cross-validation. Long calls take a [`Control`], which
//! counts finished series (for a progress bar) and can cancel the call from
//! another thread (Ctrl-C in Python).
//!
//! ```
//! use hutano_forecast::panel::{FillRule, Freq, Panel};
//! use hutano_forecast::spec::{Control, ModelSpec, PanelForecaster};
//!
//! let day = |d: i64| chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
//!     + chrono::TimeDelta::days(d);
//! let rows = (0..56).map(|d| ("ward a", day(d), f64::from([9, 11, 10, 12, 14, 6, 5][(d % 7) as usize])));
//! let panel = Panel::from_long(rows, Freq::Daily, FillRule::Error)?;
//! let spec: ModelSpec = serde_json::from_str(r#"{"model": "seasonal_naive", "season_length": 7}"#).unwrap();
//! let forecaster = PanelForecaster::new(vec![(spec.default_name().to_string(), spec)]);
//! let fitted = forecaster.fit(&panel, &Control::new())?;
//! let out = fitted.predict(7, &[80.0])?;
//! assert_eq!(out.columns[0].0, "SeasonalNaive");
//! assert_eq!(out.columns[0].1[..7], [9.0, 11.0, 10.0, 12.0, 14.0, 6.0, 5.0]);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::NaiveDateTime;
use hutano_core::calendar::Calendar;
use serde::{Deserialize, Serialize};

use crate::backtest::Window;
use crate::baseline::{Naive, SeasonalNaive};
use crate::calibrated::Calibrated;
use crate::clean::Cleaned;
use crate::ensemble::{BoxedFitted, Ensemble, Intervals, Member, PanelMember};
use crate::error::{Error, Result};
use crate::forecast::{check_levels, Forecast, SeriesView};
use crate::glm::Glm;
use crate::panel::{Panel, Series};
use crate::prophet::Prophet;
use crate::trees::global::{GlobalBoostedForecaster, GlobalForestForecaster};
use crate::trees::{BoostedForecaster, BoostingParams, ForestForecaster, ForestParams};

/// A model and its main hyperparameters, as data. Fields left out take the
/// model's documented default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ModelSpec {
    /// The last value, repeated ([`Naive`]).
    Naive,
    /// The value one season back ([`SeasonalNaive`]).
    SeasonalNaive {
        /// Season length in steps (7 for daily data with a weekly cycle).
        season_length: usize,
    },
    /// Automatic ARIMA ([`crate::arima::AutoArima`]; statsforecast's
    /// `AutoARIMA`), with regressors.
    AutoArima {
        /// Season length in steps (1: non-seasonal).
        season_length: usize,
        /// Stepwise search (default true) or exhaustive.
        #[serde(default)]
        stepwise: Option<bool>,
        /// Largest `p + q + P + Q` (default 5).
        #[serde(default)]
        max_order: Option<usize>,
    },
    /// Automatic ETS ([`crate::ets::AutoEts`]); `season_length` 1 is the
    /// non-seasonal search.
    AutoEts {
        /// Season length in steps.
        season_length: usize,
    },
    /// MSTL with an `AutoETS` trend ([`crate::mstl::Mstl`]).
    #[cfg(feature = "augurs")]
    Mstl {
        /// Season lengths in steps, shortest first.
        season_lengths: Vec<usize>,
    },
    /// Gradient-boosted trees ([`BoostedForecaster`]).
    Boosted {
        /// Number of trees (default 200).
        #[serde(default)]
        n_estimators: Option<usize>,
        /// Maximum depth (default 3; global: no limit).
        #[serde(default)]
        max_depth: Option<usize>,
        /// Most leaves of a tree grown leaf-wise; 0 grows trees depth-wise
        /// to `max_depth` (default: depth-wise; global: 31 leaves, as
        /// `LightGBM`'s `num_leaves`).
        #[serde(default)]
        max_leaves: Option<usize>,
        /// Minimum rows per leaf (default 20).
        #[serde(default)]
        min_samples_leaf: Option<usize>,
        /// Learning rate (default 0.05).
        #[serde(default)]
        learning_rate: Option<f64>,
        /// Seed of the row and feature sampling.
        #[serde(default)]
        seed: Option<u64>,
        /// Holiday calendar for the holiday feature.
        #[serde(default)]
        calendar: Option<Calendar>,
        /// One model learned across the series of the panel
        /// ([`GlobalBoostedForecaster`], whose defaults are 300 trees of
        /// 31 leaves) instead of one per series (default false).
        #[serde(default)]
        global: Option<bool>,
        /// Held-out windows for the split-conformal intervals, at least 1
        /// for a local model; 0 fits a global model for point forecasts
        /// only (one fit instead of two, and asking it for
        /// intervals is an error). Default: enough for a finite 95 % bound
        /// where the series have room ([`crate::trees::TreeForecaster::calibration_for`],
        /// [`crate::trees::global::GlobalForecaster::calibration_for`]).
        #[serde(default)]
        calibration_windows: Option<usize>,
        /// Steps per calibration window, the longest step calibrated
        /// (default: the frequency's, [`crate::panel::Freq::window`]; set it
        /// to the horizon forecast when that is longer).
        #[serde(default)]
        calibration_horizon: Option<usize>,
    },
    /// A random forest ([`ForestForecaster`]).
    Forest {
        /// Number of trees.
        #[serde(default)]
        n_estimators: Option<usize>,
        /// Maximum depth.
        #[serde(default)]
        max_depth: Option<usize>,
        /// Minimum rows per leaf.
        #[serde(default)]
        min_samples_leaf: Option<usize>,
        /// Fraction of the features tried at each split.
        #[serde(default)]
        max_features: Option<f64>,
        /// Seed of the bootstrap and feature sampling.
        #[serde(default)]
        seed: Option<u64>,
        /// Holiday calendar for the holiday feature.
        #[serde(default)]
        calendar: Option<Calendar>,
        /// One forest learned across the series of the panel
        /// ([`GlobalForestForecaster`], each tree on a quarter of the rows)
        /// instead of one per series (default false).
        #[serde(default)]
        global: Option<bool>,
        /// Held-out windows for the split-conformal intervals, at least 1
        /// for a local model; 0 fits a global model for point forecasts
        /// only (one fit instead of two, and asking it for
        /// intervals is an error). Default: enough for a finite 95 % bound
        /// where the series have room ([`crate::trees::TreeForecaster::calibration_for`],
        /// [`crate::trees::global::GlobalForecaster::calibration_for`]).
        #[serde(default)]
        calibration_windows: Option<usize>,
        /// Steps per calibration window, the longest step calibrated
        /// (default: the frequency's, [`crate::panel::Freq::window`]; set it
        /// to the horizon forecast when that is longer).
        #[serde(default)]
        calibration_horizon: Option<usize>,
    },
    /// The Prophet-like model ([`Prophet`]).
    Prophet {
        /// Number of potential changepoints (default 25).
        #[serde(default)]
        n_changepoints: Option<usize>,
        /// Scale of the Laplace prior on trend changes (default 0.05).
        #[serde(default)]
        changepoint_prior_scale: Option<f64>,
        /// Scale of the seasonality prior (default 10).
        #[serde(default)]
        seasonality_prior_scale: Option<f64>,
        /// Fourier order of the weekly seasonality (default 3).
        #[serde(default)]
        weekly_order: Option<usize>,
        /// Fourier order of the yearly seasonality (default 10).
        #[serde(default)]
        yearly_order: Option<usize>,
        /// Fourier order of the daily seasonality of hourly series (default
        /// 4).
        #[serde(default)]
        daily_order: Option<usize>,
        /// Holiday calendar.
        #[serde(default)]
        calendar: Option<Calendar>,
        /// Scale of the Gaussian prior on regressor effects (default 10).
        #[serde(default)]
        regressor_prior_scale: Option<f64>,
        /// Trend growth: linear (default) or logistic with a capacity
        /// (`{"Logistic": {"cap": {"Constant": 120.0}, "floor": 0.0}}`).
        #[serde(default)]
        growth: Option<crate::prophet::Growth>,
    },
    /// The count regression on the calendar ([`Glm`]): JSON `{"model":
    /// "glm", "calendar": {"country": "zimbabwe"}}`.
    Glm {
        /// Yearly Fourier pairs (default 3).
        #[serde(default)]
        yearly_order: Option<usize>,
        /// Trend hinges as fractions of the history (default `[0.5, 0.75]`).
        #[serde(default)]
        knots: Option<Vec<f64>>,
        /// Smoothing of the local level (default 0.1).
        #[serde(default)]
        level_alpha: Option<f64>,
        /// Per-step damping of the level (default: chosen per series on
        /// held-out data, [`Glm::level_damping`]).
        #[serde(default)]
        level_damping: Option<f64>,
        /// Ridge penalty (default 1e-4).
        #[serde(default)]
        ridge: Option<f64>,
        /// Holiday calendar.
        #[serde(default)]
        calendar: Option<Calendar>,
        /// The most level shifts to model as steps (default 2; 0: none).
        #[serde(default)]
        level_shifts: Option<usize>,
        /// Half-life of the history's weights in years (default 1; `0`:
        /// equal weights; negative: an error).
        #[serde(default)]
        half_life: Option<f64>,
    },
    /// Another model with its intervals recalibrated on held-out windows
    /// ([`Calibrated`]): JSON `{"model": "calibrated", "inner": {"model":
    /// "mstl", "season_lengths": [7]}, "windows": 4, "horizon": 14}`.
    Calibrated {
        /// The model.
        inner: Box<ModelSpec>,
        /// Held-out windows (default: at least 4, enough for a finite 95 %
        /// bound; [`Calibrated::settings_for`]).
        #[serde(default)]
        windows: Option<usize>,
        /// Steps per window (default: the frequency's,
        /// [`crate::panel::Freq::window`]).
        #[serde(default)]
        horizon: Option<usize>,
        /// Pool the studentized scores across the series of a panel
        /// (default false; [`Calibrated::pooled`]).
        #[serde(default)]
        pooled: Option<bool>,
    },
    /// Another model fitted to its series with outliers replaced
    /// ([`Cleaned`]): JSON `{"model": "cleaned", "inner": {"model":
    /// "auto_ets", "season_length": 7}, "threshold": 3}`.
    Cleaned {
        /// The model (one fitted series by series).
        inner: Box<ModelSpec>,
        /// Interquartile ranges beyond the quartiles from which a residual
        /// is an outlier (default 3).
        #[serde(default)]
        threshold: Option<f64>,
        /// Season of the decomposition (default: from the frequency).
        #[serde(default)]
        season: Option<usize>,
    },
    /// An ensemble of named members with weights learned per series on
    /// rolling-origin validation windows ([`Ensemble`]).
    Ensemble {
        /// The members, with their names.
        members: Vec<NamedSpec>,
        /// Validation windows (default 2).
        #[serde(default)]
        validation_windows: Option<usize>,
        /// Steps per validation window (default by the series' frequency:
        /// 24 hours, 14 days, 8 weeks, 3 months).
        #[serde(default)]
        validation_horizon: Option<usize>,
        /// Season of the validation MASE (default by the series' frequency:
        /// 24 hours, 7 days, 52 weeks, 12 months).
        #[serde(default)]
        season: Option<usize>,
        /// One set of stacked weights learned across the series of a panel
        /// (default false; [`Ensemble::pooled`]).
        #[serde(default)]
        pooled: Option<bool>,
        /// How the intervals are set: `"pooled"` (default), `"calibrated"`
        /// or `"averaged"` ([`Intervals`]).
        #[serde(default)]
        intervals: Option<Intervals>,
    },
}

/// A model with the name it is reported under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSpec {
    /// Column name of the model's forecasts.
    pub name: String,
    /// The model.
    pub spec: ModelSpec,
}

impl ModelSpec {
    /// The name Nixtla's libraries give the model's column (`"AutoETS"`,
    /// `"SeasonalNaive"`), used when the caller gives none.
    #[must_use]
    pub fn default_name(&self) -> &'static str {
        match self {
            ModelSpec::Naive => "Naive",
            ModelSpec::SeasonalNaive { .. } => "SeasonalNaive",
            ModelSpec::AutoArima { .. } => "AutoARIMA",
            ModelSpec::AutoEts { .. } => "AutoETS",
            #[cfg(feature = "augurs")]
            ModelSpec::Mstl { .. } => "MSTL",
            ModelSpec::Boosted { global: Some(true), .. } => "GlobalBoosted",
            ModelSpec::Boosted { .. } => "Boosted",
            ModelSpec::Forest { global: Some(true), .. } => "GlobalForest",
            ModelSpec::Forest { .. } => "Forest",
            ModelSpec::Prophet { .. } => "Prophet",
            ModelSpec::Glm { .. } => "GLM",
            ModelSpec::Calibrated { .. } => "Calibrated",
            ModelSpec::Cleaned { .. } => "Cleaned",
            ModelSpec::Ensemble { .. } => "Ensemble",
        }
    }

    /// Build the model.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a parameter out of range (checked by
    /// the model's own `check`).
    // One flat arm per model reads better than helpers split for length.
    #[allow(clippy::too_many_lines)]
    pub fn build(&self) -> Result<Box<dyn Member>> {
        Ok(match self {
            ModelSpec::Naive => Box::new(Naive),
            ModelSpec::SeasonalNaive { season_length } => {
                positive("season_length", *season_length)?;
                Box::new(SeasonalNaive::new(*season_length))
            }
            ModelSpec::AutoArima {
                season_length,
                stepwise,
                max_order,
            } => {
                positive("season_length", *season_length)?;
                let mut m = crate::arima::AutoArima::params(*season_length);
                if let Some(v) = *stepwise {
                    m = m.stepwise(v);
                }
                if let Some(v) = *max_order {
                    m = m.max_order(v);
                }
                m.check_ref()?;
                Box::new(m)
            }
            ModelSpec::AutoEts { season_length } => {
                positive("season_length", *season_length)?;
                let model = if *season_length == 1 {
                    crate::ets::AutoEts::non_seasonal()
                } else {
                    crate::ets::AutoEts::new(*season_length)
                };
                model.check()?;
                Box::new(model)
            }
            #[cfg(feature = "augurs")]
            ModelSpec::Mstl { season_lengths } => {
                let model = crate::mstl::Mstl::new(season_lengths.clone());
                model.check()?;
                Box::new(model)
            }
            ModelSpec::Boosted {
                global,
                calendar,
                calibration_windows,
                calibration_horizon,
                ..
            }
            | ModelSpec::Forest {
                global,
                calendar,
                calibration_windows,
                calibration_horizon,
                ..
            } => {
                if global.unwrap_or(false) {
                    return self.build_global().map(|m| -> Box<dyn Member> { Box::new(m) });
                }
                if let ModelSpec::Boosted { .. } = self {
                    let mut model = BoostedForecaster::default();
                    model.params = self.boosting(model.params)?;
                    model.features.calendar.clone_from(calendar);
                    model.calibration_windows = *calibration_windows;
                    model.calibration_horizon = *calibration_horizon;
                    Box::new(model)
                } else {
                    let mut model = ForestForecaster::default();
                    model.params = self.forest(model.params)?;
                    model.features.calendar.clone_from(calendar);
                    model.calibration_windows = *calibration_windows;
                    model.calibration_horizon = *calibration_horizon;
                    Box::new(model)
                }
            }
            ModelSpec::Prophet {
                n_changepoints,
                changepoint_prior_scale,
                seasonality_prior_scale,
                weekly_order,
                yearly_order,
                daily_order,
                calendar,
                regressor_prior_scale,
                growth,
            } => {
                let mut m = Prophet::params();
                if let Some(v) = *regressor_prior_scale {
                    m = m.regressor_prior_scale(v);
                }
                if let Some(g) = *growth {
                    m = m.growth(g);
                }
                if let Some(v) = *n_changepoints {
                    m = m.n_changepoints(v);
                }
                if let Some(v) = *changepoint_prior_scale {
                    m = m.changepoint_prior_scale(v);
                }
                if let Some(v) = *seasonality_prior_scale {
                    m = m.seasonality_prior_scale(v);
                }
                if let Some(v) = *weekly_order {
                    m = m.weekly_order(v);
                }
                if let Some(v) = *yearly_order {
                    m = m.yearly_order(v);
                }
                if let Some(v) = *daily_order {
                    m = m.daily_order(v);
                }
                if let Some(c) = calendar {
                    m = m.calendar(c.clone());
                }
                m.check()?;
                Box::new(m)
            }
            ModelSpec::Glm {
                yearly_order,
                knots,
                level_alpha,
                level_damping,
                ridge,
                calendar,
                level_shifts,
                half_life,
            } => {
                let d = Glm::default();
                let m = Glm {
                    yearly_order: yearly_order.unwrap_or(d.yearly_order),
                    knots: knots.clone().unwrap_or(d.knots),
                    ridge: ridge.unwrap_or(d.ridge),
                    level_alpha: level_alpha.unwrap_or(d.level_alpha),
                    level_damping: level_damping.or(d.level_damping),
                    calendar: calendar.clone(),
                    level_shifts: level_shifts.unwrap_or(d.level_shifts),
                    half_life: match half_life {
                        None => d.half_life,
                        Some(h) if *h == 0.0 => None,
                        Some(h) => Some(*h),
                    },
                };
                m.check()?;
                Box::new(m)
            }
            ModelSpec::Calibrated { .. } => Box::new(self.calibrated()?),
            ModelSpec::Cleaned {
                inner,
                threshold,
                season,
            } => {
                if inner.build_panel()?.is_some() {
                    return Err(Error::InvalidParameter {
                        name: "inner",
                        problem: format!(
                            "a cleaned model is fitted series by series; {} here is learned across the panel \
                             (put the cleaned models inside it instead)",
                            inner.default_name()
                        ),
                    });
                }
                let mut m = Cleaned::new(inner.build()?);
                m.threshold = threshold.unwrap_or(crate::clean::DEFAULT_THRESHOLD);
                m.season = *season;
                m.check()?;
                Box::new(m)
            }
            ModelSpec::Ensemble { .. } => Box::new(self.ensemble()?),
        })
    }

    /// The [`Ensemble`] of an `Ensemble` spec, checked.
    fn ensemble(&self) -> Result<Ensemble> {
        let ModelSpec::Ensemble {
            members,
            validation_windows,
            validation_horizon,
            season,
            pooled,
            intervals,
        } = self
        else {
            return Err(Error::InvalidParameter {
                name: "model",
                problem: format!("{} is not an ensemble", self.default_name()),
            });
        };
        let mut e = Ensemble::new();
        for m in members {
            e = e.member(m.name.clone(), m.spec.build()?);
        }
        if let Some(v) = *validation_windows {
            e.validation_windows = v;
        }
        e.validation_horizon = *validation_horizon;
        e.season = *season;
        e.pooled = pooled.unwrap_or(false);
        e.intervals = intervals.unwrap_or_default();
        e.check()?;
        Ok(e)
    }

    /// The model learned across the series of a panel, for specs with
    /// `global: true` (`Boosted`, `Forest`), `Calibrated` or `Ensemble`
    /// with `pooled: true`, and `Ensemble` with `intervals: "pooled"` (the
    /// default) or a global member; `None` for the others, which are
    /// fitted series by series.
    ///
    /// # Errors
    /// As [`ModelSpec::build`].
    pub fn build_panel(&self) -> Result<Option<Box<dyn PanelMember>>> {
        match self {
            _ if self.is_global_trees() => Ok(Some(self.build_global()?)),
            ModelSpec::Calibrated { pooled: Some(true), .. } => Ok(Some(Box::new(self.calibrated()?))),
            ModelSpec::Ensemble {
                pooled,
                intervals,
                members,
                ..
            } if *pooled == Some(true)
                || intervals.unwrap_or_default() == Intervals::Pooled
                || members.iter().any(|m| m.spec.is_global_trees()) =>
            {
                Ok(Some(Box::new(self.ensemble()?)))
            }
            _ => Ok(None),
        }
    }

    /// Whether this is a tree model learned across a panel (`Boosted` or
    /// `Forest` with `global: true`).
    fn is_global_trees(&self) -> bool {
        matches!(
            self,
            ModelSpec::Boosted { global: Some(true), .. } | ModelSpec::Forest { global: Some(true), .. }
        )
    }

    /// The [`Calibrated`] model of a `Calibrated` spec, checked.
    fn calibrated(&self) -> Result<Calibrated<Box<dyn Member>>> {
        let ModelSpec::Calibrated {
            inner,
            windows,
            horizon,
            pooled,
        } = self
        else {
            return Err(Error::InvalidParameter {
                name: "model",
                problem: format!("{} is not calibrated", self.default_name()),
            });
        };
        let mut c = Calibrated::new(inner.build()?);
        c.windows = *windows;
        c.horizon = *horizon;
        c.pooled = pooled.unwrap_or(false);
        c.check()?;
        Ok(c)
    }

    /// The global forecaster of a `Boosted` or `Forest` spec (whatever its
    /// `global` flag).
    fn build_global(&self) -> Result<Box<dyn PanelMember>> {
        Ok(match self {
            ModelSpec::Boosted {
                calendar,
                calibration_windows,
                calibration_horizon,
                ..
            } => {
                let mut model = GlobalBoostedForecaster::default();
                model.params = self.boosting(model.params)?;
                model.features.calendar.clone_from(calendar);
                model.calibration_windows = *calibration_windows;
                model.calibration_horizon = *calibration_horizon;
                Box::new(model)
            }
            ModelSpec::Forest {
                calendar,
                calibration_windows,
                calibration_horizon,
                ..
            } => {
                let mut model = GlobalForestForecaster::default();
                model.params = self.forest(model.params)?;
                model.features.calendar.clone_from(calendar);
                model.calibration_windows = *calibration_windows;
                model.calibration_horizon = *calibration_horizon;
                Box::new(model)
            }
            _ => {
                return Err(Error::InvalidParameter {
                    name: "global",
                    problem: format!("{} has no global form", self.default_name()),
                })
            }
        })
    }

    /// `p` with the hyperparameters a `Boosted` spec sets, checked.
    fn boosting(&self, mut p: BoostingParams) -> Result<BoostingParams> {
        if let ModelSpec::Boosted {
            n_estimators,
            max_depth,
            max_leaves,
            min_samples_leaf,
            learning_rate,
            seed,
            ..
        } = self
        {
            if let Some(v) = *n_estimators {
                p = p.n_estimators(v);
            }
            if let Some(v) = *max_depth {
                p = p.max_depth(v);
            }
            if let Some(v) = *max_leaves {
                p = p.max_leaves((v > 0).then_some(v));
            }
            if let Some(v) = *min_samples_leaf {
                p = p.min_samples_leaf(v);
            }
            if let Some(v) = *learning_rate {
                p = p.learning_rate(v);
            }
            if let Some(v) = *seed {
                p = p.seed(v);
            }
        }
        p.check_ref()?;
        Ok(p)
    }

    /// `p` with the hyperparameters a `Forest` spec sets, checked.
    fn forest(&self, mut p: ForestParams) -> Result<ForestParams> {
        if let ModelSpec::Forest {
            n_estimators,
            max_depth,
            min_samples_leaf,
            max_features,
            seed,
            ..
        } = self
        {
            if let Some(v) = *n_estimators {
                p = p.n_trees(v);
            }
            if let Some(v) = *max_depth {
                p = p.max_depth(v);
            }
            if let Some(v) = *min_samples_leaf {
                p = p.min_samples_leaf(v);
            }
            if let Some(v) = *max_features {
                p = p.max_features(v);
            }
            if let Some(v) = *seed {
                p = p.seed(v);
            }
        }
        p.check_ref()?;
        Ok(p)
    }
}

fn positive(name: &'static str, v: usize) -> Result<()> {
    if v == 0 {
        return Err(Error::InvalidParameter {
            name,
            problem: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// Progress and cancellation of a long call, shared with another thread.
///
/// `done` counts finished units of work (one series fitted by one model, or
/// one backtest window); [`Control::cancel`] makes the call return
/// [`Error::Cancelled`] at the next unit boundary.
#[derive(Debug, Default)]
pub struct Control {
    done: AtomicUsize,
    cancelled: AtomicBool,
}

impl Control {
    /// A fresh control: nothing done, not cancelled.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Units of work finished so far.
    #[must_use]
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    /// Ask the call to stop.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Control::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Several named models to fit to every series of a panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelForecaster {
    /// The models with their column names, in output order.
    pub models: Vec<(String, ModelSpec)>,
    /// Clip forecasts and bounds at zero (counts); default true.
    pub non_negative: bool,
}

/// Long-format forecasts: one row per series and step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongForecast {
    /// Index into the panel's series of each row.
    pub series: Vec<usize>,
    /// Timestamp of each row.
    pub ds: Vec<NaiveDateTime>,
    /// Cutoff (last training timestamp) of each row; for cross-validation.
    pub cutoff: Vec<NaiveDateTime>,
    /// Observed value of each row (cross-validation), NaN for the future.
    pub y: Vec<f64>,
    /// Named columns: for each model its point forecast, then
    /// `<model>-lo-<level>` and `<model>-hi-<level>` for each level.
    pub columns: Vec<(String, Vec<f64>)>,
}

/// A [`PanelForecaster`] fitted to a panel.
pub struct FittedPanel {
    names: Vec<String>,
    /// The panel's regressor names ([`Panel::regressors`]).
    regressors: Vec<String>,
    series: Vec<SeriesMeta>,
    /// `fitted[model][series]`.
    fitted: Vec<Vec<BoxedFitted>>,
    non_negative: bool,
}

/// What a fitted panel keeps of each series.
#[derive(Debug, Clone)]
struct SeriesMeta {
    unique_id: String,
    start: NaiveDateTime,
    freq: crate::panel::Freq,
    /// The observations (for [`FittedPanel::fitted_values`]).
    y: Vec<f64>,
    /// Rows of known future regressor values given at fit (the fewest of
    /// any column).
    known_future: usize,
}

impl SeriesMeta {
    /// The last observation's timestamp.
    fn last(&self) -> NaiveDateTime {
        self.freq.at(self.start, self.y.len().saturating_sub(1))
    }
}

impl std::fmt::Debug for FittedPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedPanel")
            .field("models", &self.names)
            .field("series", &self.series.len())
            .finish_non_exhaustive()
    }
}

/// Run `f` on every series, in parallel with the `parallel` feature, in the
/// panel's order.
fn map_series<T: Send>(panel: &Panel, f: impl Fn(&Series) -> Result<T> + Sync + Send) -> Result<Vec<T>> {
    #[cfg(feature = "parallel")]
    let out: Vec<Result<T>> = {
        use rayon::prelude::*;
        panel.series.par_iter().map(&f).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let out: Vec<Result<T>> = panel.series.iter().map(&f).collect();
    out.into_iter().collect()
}

/// Name the series in an error that lacks it.
pub(crate) fn in_series(e: Error, id: &str) -> Error {
    match e {
        Error::TooShort { needed, got, .. } => Error::TooShort {
            unique_id: id.to_string(),
            needed,
            got,
        },
        Error::NonFinite { row, .. } => Error::NonFinite {
            unique_id: id.to_string(),
            row,
        },
        Error::Model { model, message } => Error::Model {
            model,
            message: format!("series {id:?}: {message}"),
        },
        Error::Regressors { problem } => Error::Regressors {
            problem: format!("series {id:?}: {problem}"),
        },
        other => other,
    }
}

/// Name the model in an error of one of a [`PanelForecaster`]'s models;
/// cancellation stays [`Error::Cancelled`].
fn in_model(e: Error, model: &str) -> Error {
    match e {
        Error::Cancelled | Error::InModel { .. } => e,
        e => Error::InModel {
            model: model.to_string(),
            source: Box::new(e),
        },
    }
}

/// A model of a [`PanelForecaster`], fitted series by series or across the
/// panel.
enum Built {
    Series(Box<dyn Member>),
    Panel(Box<dyn PanelMember>),
}

impl Built {
    fn series(&self) -> Option<&dyn Member> {
        match self {
            Built::Series(m) => Some(m.as_ref()),
            Built::Panel(_) => None,
        }
    }

    fn panel(&self) -> Option<&dyn PanelMember> {
        match self {
            Built::Panel(m) => Some(m.as_ref()),
            Built::Series(_) => None,
        }
    }
}

/// Every series of the panel cut to its first `len(series)` values, named.
fn panel_views(panel: &Panel, len: impl Fn(&Series) -> usize) -> Vec<(&str, SeriesView<'_>)> {
    panel
        .series
        .iter()
        .map(|s| {
            let view = SeriesView::new(&s.y, s.start, s.freq).with_regressors(&s.x);
            (s.unique_id.as_str(), view.head(len(s)))
        })
        .collect()
}

impl PanelForecaster {
    /// These models, with forecasts clipped at zero.
    #[must_use]
    pub fn new(models: Vec<(String, ModelSpec)>) -> Self {
        Self {
            models,
            non_negative: true,
        }
    }

    fn check(&self) -> Result<Vec<Built>> {
        if self.models.is_empty() {
            return Err(Error::InvalidParameter {
                name: "models",
                problem: "give at least one model".into(),
            });
        }
        for (i, (name, _)) in self.models.iter().enumerate() {
            if name.is_empty() || self.models[..i].iter().any(|(n, _)| n == name) {
                return Err(Error::InvalidParameter {
                    name: "models",
                    problem: format!("model name {name:?} is empty or repeated"),
                });
            }
        }
        self.models
            .iter()
            .map(|(name, s)| {
                s.build_panel()
                    .and_then(|p| match p {
                        Some(m) => Ok(Built::Panel(m)),
                        None => s.build().map(Built::Series),
                    })
                    .map_err(|e| in_model(e, name))
            })
            .collect()
    }

    /// Fit every model to every series.
    ///
    /// # Errors
    /// Parameter errors; the first model error, naming its series;
    /// [`Error::Cancelled`] when `control` is cancelled.
    pub fn fit(&self, panel: &Panel, control: &Control) -> Result<FittedPanel> {
        let models = self.check()?;
        for s in &panel.series {
            let view = SeriesView::new(&s.y, s.start, s.freq).with_regressors(&s.x);
            view.check_regressors().map_err(|e| in_series(e, &s.unique_id))?;
        }
        let per_series = map_series(panel, |s| {
            let view = SeriesView::new(&s.y, s.start, s.freq).with_regressors(&s.x);
            self.series_models(&models)
                .map(|(name, m)| {
                    control.check()?;
                    let fitted = m
                        .fit_boxed(view)
                        .map_err(|e| in_model(in_series(e, &s.unique_id), name))?;
                    control.tick();
                    Ok(fitted)
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let mut local: Vec<std::vec::IntoIter<BoxedFitted>> = per_series.into_iter().map(Vec::into_iter).collect();
        let views = panel_views(panel, |s| s.y.len());
        let mut fitted: Vec<Vec<BoxedFitted>> = Vec::with_capacity(models.len());
        for (m, (name, _)) in models.iter().zip(&self.models) {
            fitted.push(match m {
                Built::Series(_) => local.iter_mut().filter_map(Iterator::next).collect(),
                Built::Panel(p) => {
                    control.check()?;
                    let f = p.fit_panel_boxed(&views).map_err(|e| in_model(e, name))?;
                    for _ in 0..f.len() {
                        control.tick();
                    }
                    f
                }
            });
        }
        Ok(FittedPanel {
            names: self.models.iter().map(|(n, _)| n.clone()).collect(),
            regressors: panel.regressors.clone(),
            series: panel
                .series
                .iter()
                .map(|s| SeriesMeta {
                    unique_id: s.unique_id.clone(),
                    start: s.start,
                    freq: s.freq,
                    y: s.y.clone(),
                    known_future: s.x.iter().map(|c| c.len().saturating_sub(s.y.len())).min().unwrap_or(0),
                })
                .collect(),
            fitted,
            non_negative: self.non_negative,
        })
    }

    /// Rolling-origin cross-validation of every model on every series:
    /// `n_windows` cutoffs `step` apart, the last one `h` steps before each
    /// series' end; each model is fitted on the data up to the cutoff only.
    /// Rows are ordered by series, cutoff and step, as statsforecast's.
    ///
    /// # Errors
    /// As [`PanelForecaster::fit`]; [`Error::TooShort`] naming a series
    /// without `h + step·(n_windows − 1) + 2` values.
    pub fn cross_validation(
        &self,
        panel: &Panel,
        h: usize,
        n_windows: usize,
        step: usize,
        levels: &[f64],
        control: &Control,
    ) -> Result<LongForecast> {
        let models = self.check()?;
        for (name, v) in [("h", h), ("n_windows", n_windows), ("step", step)] {
            positive(name, v)?;
        }
        check_levels(levels)?;
        for s in &panel.series {
            let n = s.y.len();
            let needed = h + step * (n_windows - 1) + 2;
            if n < needed {
                return Err(Error::TooShort {
                    unique_id: s.unique_id.clone(),
                    needed,
                    got: n,
                });
            }
            let full = SeriesView::new(&s.y, s.start, s.freq).with_regressors(&s.x);
            full.check_regressors().map_err(|e| in_series(e, &s.unique_id))?;
        }
        let cutoff = |n: usize, w: usize| n - h - step * (n_windows - 1 - w);
        let finish = |f: Forecast| if self.non_negative { f.non_negative() } else { f };
        // Series-by-series models: [series][window][model].
        let per_series = map_series(panel, |s| {
            let full = SeriesView::new(&s.y, s.start, s.freq).with_regressors(&s.x);
            (0..n_windows)
                .map(|w| {
                    self.series_models(&models)
                        .map(|(name, m)| {
                            control.check()?;
                            let f = m
                                .fit_boxed(full.head(cutoff(s.y.len(), w)))
                                .and_then(|f| f.predict(h, levels))
                                .map_err(|e| in_model(in_series(e, &s.unique_id), name))?;
                            control.tick();
                            Ok(finish(f))
                        })
                        .collect::<Result<Vec<Forecast>>>()
                })
                .collect::<Result<Vec<_>>>()
        })?;
        // Panel models: [model][window][series], one fit per window.
        let mut per_panel = Vec::new();
        let panel_models = models
            .iter()
            .zip(&self.models)
            .filter_map(|(m, (name, _))| Some((name, m.panel()?)));
        for (name, m) in panel_models {
            let mut windows = Vec::with_capacity(n_windows);
            for w in 0..n_windows {
                control.check()?;
                let views = panel_views(panel, |s| cutoff(s.y.len(), w));
                let fitted = m.fit_panel_boxed(&views).map_err(|e| in_model(e, name))?;
                let forecasts = fitted
                    .iter()
                    .zip(&panel.series)
                    .map(|(f, s)| {
                        control.tick();
                        f.predict(h, levels)
                            .map(finish)
                            .map_err(|e| in_model(in_series(e, &s.unique_id), name))
                    })
                    .collect::<Result<Vec<_>>>()?;
                windows.push(forecasts.into_iter());
            }
            per_panel.push(windows);
        }
        let mut out = LongForecast::empty(&self.names(), levels);
        for (i, (s, windows)) in panel.series.iter().zip(per_series).enumerate() {
            for (w, local) in windows.into_iter().enumerate() {
                let mut local = local.into_iter();
                let mut panel_models = per_panel.iter_mut();
                let forecasts: Vec<Forecast> = models
                    .iter()
                    .filter_map(|m| match m {
                        Built::Series(_) => local.next(),
                        Built::Panel(_) => panel_models.next().and_then(|p| p[w].next()),
                    })
                    .collect();
                let c = cutoff(s.y.len(), w);
                let rows: Vec<(NaiveDateTime, f64)> = (0..h).map(|t| (s.ds(c + t), s.y[c + t])).collect();
                out.push(i, s.ds(c - 1), &rows, &forecasts);
            }
        }
        debug_assert!(out.series.len() == panel.series.len() * n_windows * h);
        Ok(out)
    }

    /// The models fitted series by series, with their names.
    fn series_models<'a>(&'a self, models: &'a [Built]) -> impl Iterator<Item = (&'a str, &'a dyn Member)> {
        models
            .iter()
            .zip(&self.models)
            .filter_map(|(m, (name, _))| Some((name.as_str(), m.series()?)))
    }

    fn names(&self) -> Vec<String> {
        self.models.iter().map(|(n, _)| n.clone()).collect()
    }
}

impl LongForecast {
    fn empty(names: &[String], levels: &[f64]) -> Self {
        let mut columns = Vec::new();
        for name in names {
            columns.push((name.clone(), Vec::new()));
            for l in levels {
                let l = format_level(*l);
                columns.push((format!("{name}-lo-{l}"), Vec::new()));
                columns.push((format!("{name}-hi-{l}"), Vec::new()));
            }
        }
        Self {
            series: Vec::new(),
            ds: Vec::new(),
            cutoff: Vec::new(),
            y: Vec::new(),
            columns,
        }
    }

    fn push(&mut self, series: usize, cutoff: NaiveDateTime, rows: &[(NaiveDateTime, f64)], forecasts: &[Forecast]) {
        for (t, &(ds, y)) in rows.iter().enumerate() {
            self.series.push(series);
            self.ds.push(ds);
            self.cutoff.push(cutoff);
            self.y.push(y);
            let mut c = 0;
            for f in forecasts {
                self.columns[c].1.push(f.point[t]);
                c += 1;
                for j in 0..f.levels.len() {
                    self.columns[c].1.push(f.lower[j][t]);
                    self.columns[c + 1].1.push(f.upper[j][t]);
                    c += 2;
                }
            }
        }
    }

    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ds.len()
    }

    /// Whether there is no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ds.is_empty()
    }

    /// The column called `name`.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// The backtest windows of model `name` (for [`crate::backtest::evaluate`]),
    /// with the MASE scale of each window's training data at `season`; rows
    /// must come from [`PanelForecaster::cross_validation`] on `panel`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an unknown model or a season of zero.
    pub fn windows(&self, panel: &Panel, name: &str, levels: &[f64], season: usize) -> Result<Vec<Window>> {
        positive("season", season)?;
        let unknown = || Error::InvalidParameter {
            name: "model",
            problem: format!("no model named {name:?}"),
        };
        let point = self.column(name).ok_or_else(unknown)?;
        let bounds: Vec<(&[f64], &[f64])> = levels
            .iter()
            .map(|l| {
                let l = format_level(*l);
                Some((
                    self.column(&format!("{name}-lo-{l}"))?,
                    self.column(&format!("{name}-hi-{l}"))?,
                ))
            })
            .collect::<Option<_>>()
            .ok_or_else(unknown)?;
        let mut out: Vec<Window> = Vec::new();
        let mut start = 0;
        while start < self.len() {
            let (i, cutoff) = (self.series[start], self.cutoff[start]);
            let mut end = start;
            while end < self.len() && self.series[end] == i && self.cutoff[end] == cutoff {
                end += 1;
            }
            let s = &panel.series[i];
            let n_train = s.freq.position(s.start, cutoff).map_or(0, |p| p + 1);
            let train = &s.y[..n_train.min(s.y.len())];
            out.push(Window {
                unique_id: s.unique_id.clone(),
                cutoff: n_train,
                actual: self.y[start..end].to_vec(),
                forecast: Forecast {
                    point: point[start..end].to_vec(),
                    levels: levels.to_vec(),
                    lower: bounds.iter().map(|(lo, _)| lo[start..end].to_vec()).collect(),
                    upper: bounds.iter().map(|(_, hi)| hi[start..end].to_vec()).collect(),
                },
                scale: crate::backtest::mase_scale(train, season),
            });
            start = end;
        }
        Ok(out)
    }
}

/// A level as it appears in a column name: `80`, or `97.5`.
#[must_use]
pub fn format_level(level: f64) -> String {
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level}")
    }
}

impl FittedPanel {
    /// Model names, in column order.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The series identifiers, in row order.
    #[must_use]
    pub fn unique_ids(&self) -> Vec<&str> {
        self.series.iter().map(|s| s.unique_id.as_str()).collect()
    }

    /// Forecast `h` steps after each series' end, with the regressors'
    /// future rows given at fit time.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`], [`Error::InvalidParameter`] for `h` of zero,
    /// [`Error::Regressors`] naming the series and regressor when fewer than
    /// `h` future rows were given at fit, model errors naming the series.
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<LongForecast> {
        self.predict_inner(h, levels, None)
    }

    /// Forecast with the regressors' future values given per series
    /// (`future[series][column]`, at least `h` rows each).
    ///
    /// # Errors
    /// As [`FittedPanel::predict`]; [`Error::Regressors`] when `future` does
    /// not have one entry per series, or a series lacks a regressor's first
    /// `h` finite values (naming both).
    pub fn predict_with(&self, h: usize, levels: &[f64], future: &[Vec<Vec<f64>>]) -> Result<LongForecast> {
        if future.len() != self.series.len() {
            return Err(Error::Regressors {
                problem: format!(
                    "future values for {} series, the panel has {}",
                    future.len(),
                    self.series.len()
                ),
            });
        }
        self.predict_inner(h, levels, Some(future))
    }

    /// Check that every series has the first `h` future values of every
    /// regressor, at fit time or in `future`, before any model does, so
    /// that the error names the regressor.
    fn check_future(&self, h: usize, future: Option<&[Vec<Vec<f64>>]>) -> Result<()> {
        let k = self.regressors.len();
        for (i, s) in self.series.iter().enumerate() {
            let bad = |problem: String| Error::Regressors {
                problem: format!("series {:?}: {problem}", s.unique_id),
            };
            let Some(future) = future else {
                if k > 0 && s.known_future < h {
                    return Err(bad(format!(
                        "{} future rows of the regressors ({}) were given at fit, the horizon is {h}: \
                         give their future values",
                        s.known_future,
                        self.regressors.join(", ")
                    )));
                }
                continue;
            };
            if future[i].len() != k {
                return Err(bad(format!(
                    "{} future regressor columns, the models were fitted with {k}",
                    future[i].len()
                )));
            }
            for (name, col) in self.regressors.iter().zip(&future[i]) {
                if col.len() < h {
                    return Err(bad(format!(
                        "regressor {name:?} has {} future rows, the horizon is {h}",
                        col.len()
                    )));
                }
                if let Some(row) = col[..h].iter().position(|v| !v.is_finite()) {
                    return Err(bad(format!("regressor {name:?} is not finite at future row {row}")));
                }
            }
        }
        Ok(())
    }

    /// Every model's in-sample one-step fitted values on every series, one
    /// row per observation, with the observation as `y` and each series'
    /// last timestamp as `cutoff`; NaN where a model has none (the first
    /// values, before a model's lags or seasons). Clipped at zero as the
    /// forecasts are, NaN kept.
    #[must_use]
    pub fn fitted_values(&self) -> LongForecast {
        let mut out = LongForecast::empty(&self.names, &[]);
        for (i, s) in self.series.iter().enumerate() {
            let n = s.y.len();
            let fitted: Vec<Forecast> = self
                .fitted
                .iter()
                .map(|per_series| {
                    let mut point = per_series[i].predict_in_sample();
                    point.resize(n, f64::NAN);
                    if self.non_negative {
                        point.iter_mut().filter(|v| **v < 0.0).for_each(|v| *v = 0.0);
                    }
                    Forecast {
                        point,
                        levels: Vec::new(),
                        lower: Vec::new(),
                        upper: Vec::new(),
                    }
                })
                .collect();
            let rows: Vec<(NaiveDateTime, f64)> =
                s.y.iter()
                    .enumerate()
                    .map(|(t, y)| (s.freq.at(s.start, t), *y))
                    .collect();
            out.push(i, s.last(), &rows, &fitted);
        }
        out
    }

    fn predict_inner(&self, h: usize, levels: &[f64], future: Option<&[Vec<Vec<f64>>]>) -> Result<LongForecast> {
        positive("h", h)?;
        check_levels(levels)?;
        self.check_future(h, future)?;
        let mut out = LongForecast::empty(&self.names, levels);
        for (i, s) in self.series.iter().enumerate() {
            let forecasts = self
                .fitted
                .iter()
                .zip(&self.names)
                .map(|(per_series, name)| {
                    let f = match future {
                        Some(x) => per_series[i].predict_with(h, levels, &x[i]),
                        None => per_series[i].predict(h, levels),
                    }
                    .map_err(|e| in_model(in_series(e, &s.unique_id), name))?;
                    Ok(if self.non_negative { f.non_negative() } else { f })
                })
                .collect::<Result<Vec<_>>>()?;
            let rows: Vec<(NaiveDateTime, f64)> = (1..=h).map(|t| (s.freq.at(s.last(), t), f64::NAN)).collect();
            out.push(i, s.last(), &rows, &forecasts);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::backtest::{cross_validation, evaluate};
    use crate::panel::{FillRule, Freq};

    fn panel() -> Panel {
        let day0 = NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let rows = (0..2u32).flat_map(|s| {
            (0..120u32).map(move |d| {
                let v = f64::from([9, 11, 10, 12, 14, 6, 5][(d % 7) as usize])
                    + f64::from(s * 3)
                    + f64::from((d * 7919) % 5);
                (format!("s{s}"), day0 + chrono::TimeDelta::days(i64::from(d)), v)
            })
        });
        Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap()
    }

    #[test]
    fn specs_round_trip_through_json() {
        let spec = ModelSpec::Ensemble {
            members: vec![
                NamedSpec {
                    name: "sn".into(),
                    spec: ModelSpec::SeasonalNaive { season_length: 7 },
                },
                NamedSpec {
                    name: "gbt".into(),
                    spec: ModelSpec::Boosted {
                        n_estimators: Some(50),
                        max_depth: None,
                        max_leaves: None,
                        min_samples_leaf: None,
                        learning_rate: None,
                        seed: Some(3),
                        calendar: Some(Calendar::national(hutano_core::calendar::Country::Zimbabwe)),
                        global: Some(true),
                        calibration_windows: Some(0),
                        calibration_horizon: None,
                    },
                },
            ],
            validation_windows: None,
            validation_horizon: Some(7),
            season: None,
            pooled: Some(true),
            intervals: Some(Intervals::Pooled),
        };
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
        let err =
            serde_json::from_str::<ModelSpec>(r#"{"model": "seasonal_naive", "season_length": 7, "seasonlength": 7}"#)
                .unwrap_err();
        assert!(err.to_string().contains("seasonlength"), "{err}");
        assert!(matches!(
            ModelSpec::SeasonalNaive { season_length: 0 }.build(),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn a_calibrated_spec_builds_the_wrapper_around_its_inner_model() {
        use crate::forecast::{Fit, Predict};
        let spec: ModelSpec = serde_json::from_str(
            r#"{"model": "calibrated", "inner": {"model": "seasonal_naive", "season_length": 7}, "windows": 3, "horizon": 7}"#,
        )
        .unwrap();
        assert_eq!(spec.default_name(), "Calibrated");
        let p = panel();
        let fitted = PanelForecaster::new(vec![("c".into(), spec.clone())])
            .fit(&p, &Control::new())
            .unwrap();
        let out = fitted.predict(7, &[80.0]).unwrap();
        let direct = Calibrated::new(SeasonalNaive::new(7))
            .windows(3)
            .horizon(7)
            .fit_series(SeriesView::new(&p.series[0].y, p.series[0].start, p.series[0].freq))
            .unwrap()
            .predict(7, &[80.0])
            .unwrap();
        assert_eq!(out.columns[0].1[..7], direct.point[..]);
        let bad = ModelSpec::Calibrated {
            inner: Box::new(ModelSpec::Naive),
            windows: Some(0),
            horizon: None,
            pooled: None,
        };
        assert!(matches!(
            bad.build(),
            Err(Error::InvalidParameter { name: "windows", .. })
        ));
    }

    #[test]
    #[allow(clippy::float_cmp)] // seasonal naive repeats the recorded value
    fn a_cleaned_spec_cleans_before_its_inner_model() {
        use crate::forecast::{Fit, Predict};
        let spec: ModelSpec = serde_json::from_str(
            r#"{"model": "cleaned", "inner": {"model": "seasonal_naive", "season_length": 7}, "threshold": 4}"#,
        )
        .unwrap();
        assert_eq!(spec.default_name(), "Cleaned");
        assert_eq!(
            serde_json::from_str::<ModelSpec>(&serde_json::to_string(&spec).unwrap()).unwrap(),
            spec
        );
        let mut p = panel();
        // A typing error on the last Monday: seasonal naive repeats it.
        let last = p.series[0].y.len() - 7;
        p.series[0].y[last] = 5000.0;
        let fitted = PanelForecaster::new(vec![("c".into(), spec)])
            .fit(&p, &Control::new())
            .unwrap();
        let out = fitted.predict(7, &[80.0]).unwrap();
        let y = &p.series[0].y;
        let direct = Cleaned::new(SeasonalNaive::new(7))
            .threshold(4.0)
            .fit_series(SeriesView::new(y, p.series[0].start, p.series[0].freq))
            .unwrap()
            .predict(7, &[80.0])
            .unwrap();
        assert_eq!(out.columns[0].1[..7], direct.point[..]);
        assert!(direct.point[0] < 1000.0, "{:?}", direct.point);
        let raw = SeasonalNaive::new(7).fit(y).unwrap().predict(7, &[80.0]).unwrap();
        assert_eq!(raw.point[0], 5000.0);
        for (threshold, season, name) in [(Some(-1.0), None, "threshold"), (None, Some(0), "season")] {
            let bad = ModelSpec::Cleaned {
                inner: Box::new(ModelSpec::Naive),
                threshold,
                season,
            };
            assert!(matches!(bad.build(), Err(Error::InvalidParameter { name: n, .. }) if n == name));
        }
        let global: ModelSpec =
            serde_json::from_str(r#"{"model": "cleaned", "inner": {"model": "boosted", "global": true}}"#).unwrap();
        assert!(matches!(
            global.build(),
            Err(Error::InvalidParameter { name: "inner", .. })
        ));
    }

    #[test]
    fn a_glm_spec_builds_the_glm_with_its_calendar() {
        use crate::forecast::{Fit, Predict};
        let spec: ModelSpec = serde_json::from_str(
            r#"{"model": "glm", "calendar": {"country": "zimbabwe"}, "level_alpha": 0.2, "level_damping": 0.9, "level_shifts": 0, "half_life": 0}"#,
        )
        .unwrap();
        assert_eq!(spec.default_name(), "GLM");
        let p = panel();
        let out = PanelForecaster::new(vec![("g".into(), spec)])
            .fit(&p, &Control::new())
            .unwrap()
            .predict(7, &[80.0])
            .unwrap();
        let s = &p.series[0];
        let direct = Glm {
            level_shifts: 0,
            half_life: None,
            ..Glm::default()
        }
        .calendar(Calendar::national(hutano_core::calendar::Country::Zimbabwe))
        .level(0.2, 0.9)
        .fit_series(SeriesView::new(&s.y, s.start, s.freq))
        .unwrap()
        .predict(7, &[80.0])
        .unwrap();
        assert_eq!(out.column("g").unwrap()[..7], direct.point[..]);
        let bad: ModelSpec = serde_json::from_str(r#"{"model": "glm", "level_damping": 2.0}"#).unwrap();
        assert!(matches!(
            bad.build(),
            Err(Error::InvalidParameter {
                name: "level_damping",
                ..
            })
        ));
        let bad: ModelSpec = serde_json::from_str(r#"{"model": "glm", "half_life": -1.0}"#).unwrap();
        assert!(matches!(
            bad.build(),
            Err(Error::InvalidParameter { name: "half_life", .. })
        ));
    }

    #[test]
    fn a_pooled_calibrated_spec_is_fitted_across_the_panel() {
        use crate::forecast::{Fit, Predict};
        let json = |pooled: bool| {
            format!(
                r#"{{"model": "calibrated", "inner": {{"model": "seasonal_naive", "season_length": 7}}, "windows": 3, "horizon": 7, "pooled": {pooled}}}"#
            )
        };
        let pooled: ModelSpec = serde_json::from_str(&json(true)).unwrap();
        let own: ModelSpec = serde_json::from_str(&json(false)).unwrap();
        assert!(pooled.build_panel().unwrap().is_some());
        assert!(own.build_panel().unwrap().is_none());
        // Three series whose noise differs in size and pattern.
        let day0 = NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_time(chrono::NaiveTime::MIN);
        let rows = (0..3u32).flat_map(|s| {
            (0..120u32).map(move |d| {
                let noise = f64::from((d * 7919 + s * 104_729) % 11) - 5.0;
                let v = f64::from([30, 33, 31, 32, 34, 20, 18][(d % 7) as usize]) + f64::from(s + 1) * noise;
                (format!("s{s}"), day0 + chrono::TimeDelta::days(i64::from(d)), v)
            })
        });
        let p = Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap();
        let fitted = PanelForecaster::new(vec![("pooled".into(), pooled), ("own".into(), own)])
            .fit(&p, &Control::new())
            .unwrap();
        let out = fitted.predict(7, &[80.0]).unwrap();
        // The pooled interval's half-width, in units of the seasonal naive's
        // own standard deviation, is the 80 % conformal quantile of every
        // series' scores together.
        let calibrated = Calibrated::new(SeasonalNaive::new(7)).windows(3).horizon(7);
        let mut all = Vec::new();
        for s in &p.series {
            let view = SeriesView::new(&s.y, s.start, s.freq);
            all.extend_from_slice(calibrated.fit_series(view).unwrap().scores());
        }
        all.sort_by(f64::total_cmp);
        let q = crate::trees::conformal_quantile(&all, 80.0);
        let column = |name: &str| out.column(name).unwrap();
        let (point, hi) = (column("pooled"), column("pooled-hi-80"));
        for (i, s) in p.series.iter().enumerate() {
            let own = SeasonalNaive::new(7).fit(&s.y).unwrap().predict(7, &[80.0]).unwrap();
            for t in 0..7 {
                let sd = (own.upper[0][t] - own.lower[0][t]) / (2.0 * 1.281_551_565_544_600_5);
                let r = 7 * i + t;
                assert!(
                    (hi[r] - point[r] - q * sd).abs() < 1e-9 * (1.0 + hi[r]),
                    "series {i} step {t}"
                );
            }
        }
        // Not pooled: each series its own scores.
        let s = &p.series[1];
        let direct = calibrated
            .fit_series(SeriesView::new(&s.y, s.start, s.freq))
            .unwrap()
            .predict(7, &[80.0])
            .unwrap();
        assert_eq!(column("own-hi-80")[7..14], direct.upper[0][..]);
        assert_ne!(column("own-hi-80"), hi);
    }

    #[test]
    fn panel_cross_validation_equals_the_per_model_backtest() {
        let p = panel();
        let spec = ModelSpec::SeasonalNaive { season_length: 7 };
        let pf = PanelForecaster::new(vec![("sn".into(), spec), ("naive".into(), ModelSpec::Naive)]);
        let control = Control::new();
        let cv = pf.cross_validation(&p, 14, 3, 7, &[80.0, 95.0], &control).unwrap();
        assert_eq!(cv.len(), 2 * 3 * 14);
        assert_eq!(control.done(), 2 * 3 * 2);
        let direct = cross_validation(&SeasonalNaive::new(7), &p, 14, 3, 7, &[80.0, 95.0], 7, true).unwrap();
        let ours = cv.windows(&p, "sn", &[80.0, 95.0], 7).unwrap();
        assert_eq!(ours, direct);
        assert_eq!(evaluate(&ours).unwrap(), evaluate(&direct).unwrap());
    }

    #[test]
    fn fit_predict_dates_and_columns() {
        let p = panel();
        let pf = PanelForecaster::new(vec![("sn".into(), ModelSpec::SeasonalNaive { season_length: 7 })]);
        let fitted = pf.fit(&p, &Control::new()).unwrap();
        let out = fitted.predict(3, &[95.0]).unwrap();
        let names: Vec<&str> = out.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sn", "sn-lo-95", "sn-hi-95"]);
        assert_eq!(out.series, [0, 0, 0, 1, 1, 1]);
        assert_eq!(
            out.ds[0],
            NaiveDate::from_ymd_opt(2024, 4, 30)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        );
        let direct = SeasonalNaive::new(7)
            .fit_boxed(SeriesView::new(&p.series[1].y, p.series[1].start, Freq::Daily))
            .unwrap()
            .predict(3, &[95.0])
            .unwrap();
        assert_eq!(out.column("sn").unwrap()[3..], direct.point[..]);
    }

    /// A small global forest, as JSON (the form Python and C send).
    fn global_forest() -> ModelSpec {
        serde_json::from_str(r#"{"model": "forest", "n_estimators": 20, "global": true}"#).unwrap()
    }

    #[test]
    fn global_models_fit_once_across_the_panel() {
        let p = panel();
        let spec = global_forest();
        assert!(spec.build_panel().unwrap().is_some());
        assert!(ModelSpec::Naive.build_panel().unwrap().is_none());
        let pf = PanelForecaster::new(vec![
            ("sn".into(), ModelSpec::SeasonalNaive { season_length: 7 }),
            ("gf".into(), spec),
        ]);
        let control = Control::new();
        let out = pf.fit(&p, &control).unwrap().predict(14, &[80.0]).unwrap();
        assert_eq!(control.done(), 2 * 2);
        let names: Vec<&str> = out.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sn", "sn-lo-80", "sn-hi-80", "gf", "gf-lo-80", "gf-hi-80"]);
        // The same as one global forest fitted directly to both series.
        let mut direct = GlobalForestForecaster::default();
        direct.params = direct.params.n_trees(20);
        let views = panel_views(&p, |s| s.y.len());
        let fitted = direct.fit_views(&views).unwrap();
        for i in 0..2 {
            let f = crate::forecast::Predict::predict(&fitted.series(i), 14, &[80.0]).unwrap();
            assert_eq!(out.column("gf").unwrap()[14 * i..14 * (i + 1)], f.point[..]);
            assert_eq!(out.column("gf-hi-80").unwrap()[14 * i..14 * (i + 1)], f.upper[0][..]);
        }
        // A global spec on one series (ensemble member, census arrivals)
        // is a panel of one.
        let one = global_forest().build().unwrap().fit_boxed(views[1].1).unwrap();
        let g = fitted_one(&direct, views[1].1);
        assert_eq!(one.predict(7, &[80.0]).unwrap(), g);
    }

    fn fitted_one(model: &GlobalForestForecaster, view: SeriesView<'_>) -> Forecast {
        let f = model.fit_views(&[("", view)]).unwrap();
        crate::forecast::Predict::predict(&f.series(0), 7, &[80.0]).unwrap()
    }

    #[test]
    fn global_cross_validation_refits_the_panel_at_each_cutoff() {
        let p = panel();
        let pf = PanelForecaster::new(vec![("gf".into(), global_forest()), ("naive".into(), ModelSpec::Naive)]);
        let control = Control::new();
        let cv = pf.cross_validation(&p, 7, 2, 7, &[80.0], &control).unwrap();
        assert_eq!(cv.len(), 2 * 2 * 7);
        assert_eq!(control.done(), 2 * 2 * 2);
        let mut direct = GlobalForestForecaster::default();
        direct.params = direct.params.n_trees(20);
        for w in 0..2 {
            let cut = 120 - 7 - 7 * (1 - w);
            let fitted = direct.fit_views(&panel_views(&p, |_| cut)).unwrap();
            for i in 0..2 {
                let f = crate::forecast::Predict::predict(&fitted.series(i), 7, &[80.0]).unwrap();
                let rows = (i * 2 + w) * 7..(i * 2 + w + 1) * 7;
                assert_eq!(cv.column("gf").unwrap()[rows.clone()], f.point[..]);
                assert_eq!(cv.y[rows.start].to_bits(), p.series[i].y[cut].to_bits());
            }
        }
        let naive = cv.windows(&p, "naive", &[80.0], 7).unwrap();
        assert_eq!(naive, cross_validation(&Naive, &p, 7, 2, 7, &[80.0], 7, true).unwrap());
    }

    #[test]
    fn model_errors_name_the_model_and_keep_their_own_error() {
        let mut p = panel();
        for s in &mut p.series {
            s.y.truncate(25);
        }
        let boosted: ModelSpec = serde_json::from_str(r#"{"model": "boosted", "n_estimators": 5}"#).unwrap();
        for (name, spec) in [("gbt", boosted), ("gf", global_forest())] {
            let pf = PanelForecaster::new(vec![("naive".into(), ModelSpec::Naive), (name.into(), spec)]);
            let fit = pf.fit(&p, &Control::new()).unwrap_err();
            let cv = pf.cross_validation(&p, 7, 1, 1, &[80.0], &Control::new()).unwrap_err();
            for e in [fit, cv] {
                assert!(matches!(&e, Error::InModel { model, .. } if model == name), "{e}");
                assert!(matches!(e.root(), Error::TooShort { .. }), "{e}");
                assert!(e.to_string().starts_with(&format!("model {name:?}: series ")), "{e}");
            }
        }
        let bad = PanelForecaster::new(vec![("sn0".into(), ModelSpec::SeasonalNaive { season_length: 0 })]);
        let e = bad.fit(&p, &Control::new()).unwrap_err();
        assert!(matches!(e.root(), Error::InvalidParameter { .. }), "{e}");
        assert!(e.to_string().starts_with(r#"model "sn0": invalid parameter"#), "{e}");
    }

    #[test]
    fn fitted_values_are_each_models_in_sample_values() {
        let p = panel();
        let boosted: ModelSpec = serde_json::from_str(r#"{"model": "boosted", "n_estimators": 5}"#).unwrap();
        let pf = PanelForecaster::new(vec![
            ("sn".into(), ModelSpec::SeasonalNaive { season_length: 7 }),
            ("gf".into(), global_forest()),
            ("gbt".into(), boosted.clone()),
        ]);
        let out = pf.fit(&p, &Control::new()).unwrap().fitted_values();
        assert_eq!(out.len(), 2 * 120);
        let names: Vec<&str> = out.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sn", "gf", "gbt"]);
        assert_eq!(out.y[120..], p.series[1].y[..]);
        assert_eq!(out.ds[120], p.series[1].start);
        assert_eq!(out.ds[239], p.series[1].ds(119));
        let sn = out.column("sn").unwrap();
        assert!(sn[120..127].iter().all(|v| v.is_nan()));
        assert_eq!(sn[127..], p.series[1].y[..113]);
        let view = SeriesView::new(&p.series[0].y, p.series[0].start, Freq::Daily);
        let direct = boosted.build().unwrap().fit_boxed(view).unwrap().predict_in_sample();
        let gbt = out.column("gbt").unwrap();
        assert!(gbt[..120]
            .iter()
            .zip(&direct)
            .all(|(a, b)| a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan()));
        assert!(gbt[60..120].iter().all(|v| v.is_finite()));
        let gf = out.column("gf").unwrap();
        assert!(gf[60..120].iter().chain(&gf[180..]).all(|v| v.is_finite()));
    }

    #[test]
    fn missing_future_regressors_are_named_before_any_model_runs() {
        let p = panel();
        let rows: Vec<(String, NaiveDateTime, Vec<f64>)> = p
            .series
            .iter()
            .flat_map(|s| (0..s.y.len()).map(move |t| (s.unique_id.clone(), s.ds(t), vec![(t % 3) as f64])))
            .collect();
        let p = p.with_regressors(&["planned"], rows).unwrap();
        let glm: ModelSpec = serde_json::from_str(r#"{"model": "glm"}"#).unwrap();
        let fitted = PanelForecaster::new(vec![("glm".into(), glm)])
            .fit(&p, &Control::new())
            .unwrap();
        let message = |r: Result<LongForecast>| match r {
            Err(e @ Error::Regressors { .. }) => e.to_string(),
            other => panic!("{other:?}"),
        };
        let none = message(fitted.predict(7, &[80.0]));
        assert!(
            none.contains(r#"series "s0": 0 future rows of the regressors (planned)"#),
            "{none}"
        );
        let short = message(fitted.predict_with(7, &[80.0], &[vec![vec![1.0; 5]], vec![vec![1.0; 7]]]));
        assert!(
            short.contains(r#"regressor "planned" has 5 future rows, the horizon is 7"#),
            "{short}"
        );
        let mut nan = vec![vec![vec![1.0; 7]], vec![vec![1.0; 7]]];
        nan[1][0][2] = f64::NAN;
        let nan = message(fitted.predict_with(7, &[80.0], &nan));
        assert!(
            nan.contains(r#"series "s1": regressor "planned" is not finite at future row 2"#),
            "{nan}"
        );
        let ok = fitted.predict_with(7, &[80.0], &[vec![vec![1.0; 7]], vec![vec![1.0; 9]]]);
        assert_eq!(ok.unwrap().len(), 14);
    }

    #[test]
    fn cancelled_calls_stop_with_a_typed_error() {
        let control = Control::new();
        control.cancel();
        let pf = PanelForecaster::new(vec![("naive".into(), ModelSpec::Naive)]);
        assert!(matches!(pf.fit(&panel(), &control), Err(Error::Cancelled)));
        let dup = PanelForecaster::new(vec![("a".into(), ModelSpec::Naive), ("a".into(), ModelSpec::Naive)]);
        assert!(matches!(
            dup.fit(&panel(), &Control::new()),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
