//! An ensemble whose weights are learned per series on rolling-origin
//! validation windows inside the training data, never in-sample.
//!
//! For each member, the last `validation_windows` windows of
//! `validation_horizon` steps of the training series are forecast from data
//! before each window; the member's validation error is its MASE over those
//! windows (scaled by the training data's mean absolute seasonal
//! difference). Weights are proportional to `1 / MASE²` (inverse squared
//! error weighting, Bates & Granger 1969), then every member is refitted on
//! the whole series. Point forecasts are the weighted mean of the members'.
//! Intervals take their width from the ensemble's own errors on the
//! validation windows (below); with [`Intervals::Averaged`] their bounds
//! are the weighted mean of the members' bounds at each level (quantile
//! averaging, Lichtendahl, Grushka-Cockayne & Winkler, Management Science
//! 2013). A member that fails on a series (too short, no convergence) gets
//! weight zero there.
//!
//! A member learned across a panel's series (a global tree forecaster,
//! added as a `Box<dyn PanelMember>`; [`Member::as_panel`]) is, when the
//! ensemble fits a panel ([`PanelMember::fit_panel_boxed`]), fitted once
//! per validation cutoff to every series' history before it, and once to
//! the whole panel at the end: the same model it is on its own. (A series
//! fitted alone is a panel of one.)
//!
//! # Pooled (stacked) weights across a panel
//!
//! Two windows of one series are few points to weigh members by, and
//! `1 / MASE²` weights stay close to equal when members are close, even when
//! one of them is consistently better. With [`Ensemble::pooled`], a panel
//! fitted as a whole ([`crate::spec::PanelForecaster`], JSON `"pooled":
//! true`) learns one set of weights for all its series by *stacking*
//! (Breiman, "Stacked regressions", Machine Learning 24, 1996): the weights
//! on the simplex (non-negative, summing to 1) that minimise the squared
//! error of the combined forecast over every series' validation points,
//! each point divided by its series' MASE scale so that large hospitals do
//! not outweigh small ones. The minimum is found exactly (every support set
//! of members is solved with its equality constraint, and the best one with
//! non-negative weights kept), for up to 12 members. Series on which some
//! member failed do not enter the fit; on them the weights are renormalised
//! over the members that fitted.
//!
//! # Intervals calibrated on the validation windows
//!
//! Averaged bounds cover what the members' own intervals cover, no more:
//! when those under-cover (ETS, ARIMA and the Prophet-like model on short
//! monthly series) so does the ensemble, and when they over-cover, so does
//! it. By default ([`Intervals::Pooled`]; also [`Intervals::Calibrated`])
//! the ensemble sets the width of its intervals from its own errors on the
//! validation windows it already forecast to learn its weights, with no
//! extra fit (studentized split conformal, as
//! [`crate::calibrated::Calibrated`] does with windows of its own):
//!
//! 1. At each validation step, combine the members' forecasts and their
//!    80 % half-widths with the window's weights, and score the step
//!    `|y − ŷ| / sd`, `sd` being the combined half-width over `z₀.₉`.
//! 2. Forecast `ŷ ± q_ℓ · sd(t)`, with `sd(t)` from the fitted members'
//!    combined 80 % interval (its shape over the horizon) and `q_ℓ` the
//!    `⌈(n + 1)·ℓ⌉`-th smallest of the `n` scores (infinite when `n` is too
//!    small for the level).
//!
//! The final weights were chosen on these windows, and scores taken with
//! them would be optimistic (stacking in particular fits the validation
//! points closely), so each window is combined with weights learned
//! *without* it (cross-fitting): `1 / MASE²` on the series' other windows,
//! or stacked on the other windows of every series when the weights are
//! pooled. With a single validation window the final weights are used.
//!
//! [`Intervals::Pooled`]: a panel fitted as a whole
//! ([`crate::spec::PanelForecaster`], the Python `Forecaster`) pools the
//! scores of all its series, whether its weights are pooled or not. The
//! scores are in units of each series' own `sd`, so they are comparable,
//! and the quantile rests on `series × windows × horizon` of them. A series
//! fitted alone ([`Fit::fit_series`]) uses its own, as with
//! [`Intervals::Calibrated`]: two windows of 14 days give 28 scores, enough
//! for a 95 % interval (the largest score), not for 97 %, whose bounds are
//! then infinite rather than falsely narrow.
//!
//! When a member's interval is missing or of zero width at a validation
//! step, the series' scores are absolute errors and its intervals have a
//! constant width (plain split conformal), and are not pooled.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::calibrated::{conformal_bounds, held_out_scores, model_sd, pooled_scores};
use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};
use crate::panel::Freq;
use crate::spec::in_series;

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

    /// The model as one learned across a panel's series, if it is one (a
    /// global tree forecaster): an ensemble fitted to a panel fits it
    /// across the series at each validation cutoff and at the end, rather
    /// than series by series.
    fn as_panel(&self) -> Option<&dyn PanelMember> {
        None
    }
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

    fn as_panel(&self) -> Option<&dyn PanelMember> {
        (**self).as_panel()
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

    fn as_panel(&self) -> Option<&dyn PanelMember> {
        Some(&**self)
    }
}

/// How a fitted [`Ensemble`] sets its intervals (see the [module
/// documentation](self#intervals-calibrated-on-the-validation-windows)).
/// JSON `"averaged"`, `"calibrated"`, `"pooled"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intervals {
    /// The weighted mean of the members' bounds (quantile averaging).
    Averaged,
    /// Width from the ensemble's own errors on the series' validation
    /// windows.
    Calibrated,
    /// Width from the validation errors of every series of a panel fitted
    /// as a whole; a series fitted alone uses its own (as `Calibrated`).
    /// The default.
    #[default]
    Pooled,
}

/// The ensemble specification.
pub struct Ensemble {
    members: Vec<(String, Box<dyn Member>)>,
    /// Validation windows inside the training data (default 2).
    pub validation_windows: usize,
    /// Steps per validation window; `None` (the default) takes the series'
    /// frequency's ([`Freq::window`]): 24 hours, 14 days, 8 weeks or 3
    /// months.
    pub validation_horizon: Option<usize>,
    /// Season of the MASE scale; `None` (the default) takes the series'
    /// frequency's: 24 hours, 7 days, 52 weeks or 12 months.
    pub season: Option<usize>,
    /// Across a panel, learn one set of stacked weights from all series'
    /// validation windows (default false: `1 / MASE²` per series). See the
    /// [module documentation](self).
    pub pooled: bool,
    /// How the intervals are set (default [`Intervals::Pooled`]).
    pub intervals: Intervals,
}

impl std::fmt::Debug for Ensemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ensemble")
            .field("members", &self.members.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("validation_windows", &self.validation_windows)
            .field("validation_horizon", &self.validation_horizon)
            .field("season", &self.season)
            .field("pooled", &self.pooled)
            .field("intervals", &self.intervals)
            .finish()
    }
}

impl Default for Ensemble {
    fn default() -> Self {
        Self {
            members: Vec::new(),
            validation_windows: 2,
            validation_horizon: None,
            season: None,
            pooled: false,
            intervals: Intervals::Pooled,
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
            ("validation_windows", Some(self.validation_windows)),
            ("validation_horizon", self.validation_horizon),
            ("season", self.season),
        ] {
            if v == Some(0) {
                return Err(Error::InvalidParameter {
                    name,
                    problem: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }

    /// Steps per validation window for a series of frequency `freq`.
    fn horizon_for(&self, freq: Freq) -> usize {
        self.validation_horizon.unwrap_or(freq.window())
    }

    /// Season of the MASE scale for a series of frequency `freq`.
    fn season_for(&self, freq: Freq) -> usize {
        self.season.unwrap_or(freq.season())
    }

    /// Whether the intervals are calibrated on the validation windows.
    fn calibrated(&self) -> bool {
        self.intervals != Intervals::Averaged
    }

    /// Names of the members, in order.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.members.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The validation windows, their length and the season for `freq`,
    /// and the levels the members forecast at (80 % when the intervals are
    /// calibrated, for the members' spread).
    fn validation_setup(&self, freq: Freq) -> (usize, usize, usize, &'static [f64]) {
        let levels: &'static [f64] = if self.calibrated() { &[80.0] } else { &[] };
        (
            self.validation_windows,
            self.horizon_for(freq),
            self.season_for(freq),
            levels,
        )
    }

    /// The validation points of every member on `series`, each window's
    /// steps in order (see [`ValPoint`]); `None` where the member failed.
    fn validation_points(&self, series: SeriesView<'_>, skip_panel: bool) -> Points {
        let len = series.y.len();
        let (windows, h, m, levels) = self.validation_setup(series.freq);
        self.members
            .iter()
            .map(|(_, model)| {
                if skip_panel && model.as_panel().is_some() {
                    return None;
                }
                let mut points = Vec::with_capacity(windows * h);
                for k in 0..windows {
                    let cutoff = len.checked_sub(h * (windows - k))?;
                    if cutoff <= m {
                        return None;
                    }
                    let view = series.head(cutoff);
                    let f = model.fit_boxed(view).ok()?.predict(h, levels).ok()?;
                    points.extend(val_points(&f, series.y, cutoff, m));
                }
                Some(points)
            })
            .collect()
    }

    /// The validation points and final fits of the members learned across
    /// the panel ([`Member::as_panel`]), per member (`None` for the
    /// others): each window's cutoff is fitted once across the series
    /// long enough for it, the whole panel once at the end. A series
    /// without a point in some window has none for that member, as in
    /// [`Ensemble::validation_points`]. Series too short for the member are
    /// left out of its fits (see [`fit_long_enough`]), so the member is
    /// missing only where it cannot be fitted; a fit that fails otherwise
    /// leaves the member out of every series it was for.
    fn panel_members(&self, views: &[(&str, SeriesView<'_>)]) -> Vec<Option<PanelRuns>> {
        let Some((_, first)) = views.first() else {
            return self.members.iter().map(|_| None).collect();
        };
        let (windows, h, m, levels) = self.validation_setup(first.freq);
        self.members
            .iter()
            .map(|(_, model)| {
                let panel = model.as_panel()?;
                let mut points: Vec<Option<Vec<ValPoint>>> =
                    views.iter().map(|_| Some(Vec::with_capacity(windows * h))).collect();
                for k in 0..windows {
                    let cuts: Vec<(usize, usize)> = views
                        .iter()
                        .enumerate()
                        .filter_map(|(i, (_, v))| {
                            let cutoff = v.y.len().checked_sub(h * (windows - k))?;
                            (cutoff > m).then_some((i, cutoff))
                        })
                        .collect();
                    let mut seen = vec![false; views.len()];
                    let heads: Vec<(&str, SeriesView<'_>)> =
                        cuts.iter().map(|&(i, c)| (views[i].0, views[i].1.head(c))).collect();
                    if let Ok((kept, fitted)) = fit_long_enough(panel, &heads) {
                        for (k, f) in kept.into_iter().zip(fitted) {
                            let (i, cutoff) = cuts[k];
                            seen[i] = true;
                            match (f.predict(h, levels), points[i].as_mut()) {
                                (Ok(fc), Some(p)) => p.extend(val_points(&fc, views[i].1.y, cutoff, m)),
                                _ => points[i] = None,
                            }
                        }
                    }
                    for (p, seen) in points.iter_mut().zip(seen) {
                        if !seen {
                            *p = None;
                        }
                    }
                }
                let mut fitted: Vec<Mutex<Option<BoxedFitted>>> = views.iter().map(|_| Mutex::new(None)).collect();
                if let Ok((kept, fits)) = fit_long_enough(panel, views) {
                    for (i, f) in kept.into_iter().zip(fits) {
                        fitted[i] = Mutex::new(Some(f));
                    }
                }
                Some(PanelRuns { points, fitted })
            })
            .collect()
    }

    /// The error of the ensemble on a series too short for any member.
    fn too_short(&self, series: SeriesView<'_>) -> Error {
        Error::TooShort {
            unique_id: String::new(),
            needed: self.validation_windows * self.horizon_for(series.freq) + self.season_for(series.freq) + 1,
            got: series.y.len(),
        }
    }

    /// Fit the members with a positive weight to the whole series and
    /// renormalise the weights over those that fitted; with
    /// calibrated intervals, score the validation `points`, each window
    /// with its weights in `cross` (learned without that window; the final
    /// weights where `cross` has none).
    fn finish(
        &self,
        series: SeriesView<'_>,
        weights: &[f64],
        points: &Points,
        cross: &[Option<Vec<f64>>],
        panel_fits: &[Option<&Mutex<Option<BoxedFitted>>>],
    ) -> Result<FittedEnsemble> {
        let fitted: Vec<Option<BoxedFitted>> = self
            .members
            .iter()
            .zip(weights)
            .enumerate()
            .map(|(j, ((_, m), w))| match panel_fits.get(j).copied().flatten() {
                // Fitted across the panel already.
                Some(slot) => slot.lock().ok().and_then(|mut f| f.take()).filter(|_| *w > 0.0),
                None if *w > 0.0 => m.fit_boxed(series).ok(),
                None => None,
            })
            .collect();
        let kept: Vec<f64> = weights
            .iter()
            .zip(&fitted)
            .map(|(w, f)| if f.is_some() { *w } else { 0.0 })
            .collect();
        let total: f64 = kept.iter().sum();
        if total <= 0.0 {
            return Err(self.too_short(series));
        }
        let weights: Vec<f64> = kept.iter().map(|w| w / total).collect();
        let calibration = if self.calibrated() {
            let per_window: Vec<Vec<f64>> = (0..self.validation_windows)
                .map(|j| {
                    cross
                        .get(j)
                        .and_then(Option::as_deref)
                        .and_then(|w| on_validated(w, points))
                        .unwrap_or_else(|| weights.clone())
                })
                .collect();
            Some(Ensemble::validation_scores(
                points,
                &per_window,
                self.horizon_for(series.freq),
            )?)
        } else {
            None
        };
        Ok(FittedEnsemble {
            names: self.members.iter().map(|(n, _)| n.clone()).collect(),
            weights,
            fitted,
            calibration,
        })
    }

    /// The ensemble's sorted scores on a series' validation `points`,
    /// window `j` (steps `j·h ..`) combined with the weights `per_window[j]`
    /// (see the [module
    /// documentation](self#intervals-calibrated-on-the-validation-windows)):
    /// studentized when every step has the members' standard deviations,
    /// else absolute errors in the series' units.
    ///
    /// # Errors
    /// [`Error::Model`] when a combined validation forecast is not finite.
    fn validation_scores(points: &Points, per_window: &[Vec<f64>], h: usize) -> Result<Calibration> {
        let n = points.iter().flatten().map(Vec::len).next().unwrap_or(0);
        let mut pairs = Vec::with_capacity(n);
        for i in 0..n {
            let Some(weights) = per_window.get(i / h.max(1)).or(per_window.last()) else {
                break;
            };
            let used: Vec<(&[ValPoint], f64)> = points
                .iter()
                .zip(weights)
                .filter(|(_, w)| **w > 0.0)
                .filter_map(|(p, w)| p.as_deref().map(|p| (p, *w)))
                .collect();
            if used.is_empty() {
                continue;
            }
            let (forecast, sd) = used.iter().fold((0.0, Some(0.0)), |(f, sd), (p, w)| {
                (f + w * p[i].forecast, sd.zip(p[i].sd).map(|(a, b)| a + w * b))
            });
            let ValPoint { actual, scale, .. } = used[0].0[i];
            let err = (actual - forecast).abs();
            if !err.is_finite() {
                return Err(Error::Model {
                    model: "ensemble",
                    message: format!("validation step {} is not finite", i + 1),
                });
            }
            pairs.push((err * scale, sd.filter(|s| s.is_finite() && *s > 0.0).map(|s| err / s)));
        }
        let (mut scores, studentized) = held_out_scores(pairs);
        scores.sort_by(f64::total_cmp);
        Ok(Calibration {
            scores: scores.into(),
            studentized,
        })
    }

    /// `1 / MASE²` weights learned without each validation window in turn,
    /// on the series' other windows (see [`Ensemble::each_window`]).
    fn cross_fitted(&self, points: &Points, h: usize) -> Vec<Option<Vec<f64>>> {
        self.each_window(|j| Some(Ensemble::inverse_square_weights(&without_window(points, j, h))))
    }

    /// Stacked weights learned without each validation window in turn, on
    /// the other windows of every series of `panel` (`None` where stacking
    /// has no rows; see [`Ensemble::each_window`]).
    fn cross_stacked(&self, panel: &[Points], h: usize) -> Vec<Option<Vec<f64>>> {
        self.each_window(|j| {
            let others: Vec<Points> = panel.iter().map(|p| without_window(p, j, h)).collect();
            stack(&stack_rows(&others), self.members.len())
        })
    }

    /// `weights_without(j)` for every validation window `j`; empty for
    /// averaged intervals and for a single window, which are then scored
    /// with the final weights.
    fn each_window(&self, weights_without: impl Fn(usize) -> Option<Vec<f64>>) -> Vec<Option<Vec<f64>>> {
        if !self.calibrated() || self.validation_windows < 2 {
            return Vec::new();
        }
        (0..self.validation_windows).map(weights_without).collect()
    }

    /// `1 / MASE²` weights from a series' validation points (0 for a
    /// member without points).
    fn inverse_square_weights(points: &[Option<Vec<ValPoint>>]) -> Vec<f64> {
        points
            .iter()
            .map(|p| match p {
                Some(p) if !p.is_empty() => {
                    let mase = p.iter().map(|v| (v.forecast - v.actual).abs()).sum::<f64>() / p.len() as f64;
                    if mase.is_finite() {
                        1.0 / mase.max(1e-9).powi(2)
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            })
            .collect()
    }
}

/// The validation points of every member on one series (`None` where the
/// member failed).
type Points = Vec<Option<Vec<ValPoint>>>;

/// `points` without the steps of validation window `skip` (windows of `h`
/// steps).
fn without_window(points: &Points, skip: usize, h: usize) -> Points {
    points
        .iter()
        .map(|p| {
            p.as_ref().map(|p| {
                p.iter()
                    .enumerate()
                    .filter(|(i, _)| i / h.max(1) != skip)
                    .map(|(_, v)| *v)
                    .collect()
            })
        })
        .collect()
}

/// The stacking rows of a panel: every step of every series on which all
/// members have points, as (members' forecasts, actual).
fn stack_rows(panel: &[Points]) -> Vec<(Vec<f64>, f64)> {
    panel
        .iter()
        .filter(|p| p.iter().all(Option::is_some))
        .flat_map(|p| {
            let n = p.first().and_then(Option::as_ref).map_or(0, Vec::len);
            (0..n).map(move |i| {
                let forecasts = p.iter().map(|m| m.as_ref().map_or(0.0, |m| m[i].forecast)).collect();
                let actual = p.first().and_then(Option::as_ref).map_or(0.0, |m| m[i].actual);
                (forecasts, actual)
            })
        })
        .collect()
}

/// `weights` restricted to the members with validation `points`,
/// renormalised; `None` when none of them has weight.
fn on_validated(weights: &[f64], points: &Points) -> Option<Vec<f64>> {
    let w: Vec<f64> = weights
        .iter()
        .zip(points)
        .map(|(w, p)| if p.is_some() { *w } else { 0.0 })
        .collect();
    let total: f64 = w.iter().sum();
    (total > 0.0 && total.is_finite()).then(|| w.iter().map(|v| v / total).collect())
}

/// One validation step of a member.
#[derive(Debug, Clone, Copy)]
struct ValPoint {
    /// The member's forecast (clipped at 0), divided by `scale`.
    forecast: f64,
    /// The observation, divided by `scale`.
    actual: f64,
    /// The member's standard deviation from its 80 % interval, divided by
    /// `scale` (`None` when the interval was not asked for or unusable).
    sd: Option<f64>,
    /// The window's MASE scale: the training part's mean absolute seasonal
    /// difference (1 when that is 0).
    scale: f64,
}

/// The scores of a calibrated ensemble (shared by the series of a pooled
/// panel).
#[derive(Debug, Clone)]
struct Calibration {
    /// Sorted scores.
    scores: Arc<[f64]>,
    /// Whether the scores are in units of the ensemble's `sd` (else
    /// absolute errors).
    studentized: bool,
}

/// Members a pooled ensemble can stack exactly (every support set is
/// solved: `2^12 − 1` small systems).
const MAX_STACKED: usize = 12;

/// The weights on the simplex minimising `‖P·w − y‖²` for the rows
/// `(p, y)` (`p` one forecast per member): every support set solved with
/// `Σw = 1` by its KKT system, the best with all weights non-negative
/// kept. `None` without rows.
#[allow(clippy::many_single_char_names)] // g, c, k, w, s, n, a, x: the usual names of a least-squares solve
pub(crate) fn stack(rows: &[(Vec<f64>, f64)], k: usize) -> Option<Vec<f64>> {
    if rows.is_empty() || k == 0 || k > MAX_STACKED {
        return None;
    }
    // Gram matrix and cross products.
    let mut g = vec![0.0; k * k];
    let mut c = vec![0.0; k];
    for (p, y) in rows {
        for a in 0..k {
            c[a] += p[a] * y;
            for b in 0..k {
                g[a * k + b] += p[a] * p[b];
            }
        }
    }
    let mut best: Option<(f64, Vec<f64>)> = None;
    for mask in 1u32..(1 << k) {
        let support: Vec<usize> = (0..k).filter(|i| mask & (1 << i) != 0).collect();
        let s = support.len();
        // [2G 1; 1ᵀ 0] [w; λ] = [2c; 1]
        let n = s + 1;
        let mut a = vec![0.0; n * (n + 1)];
        for (i, &si) in support.iter().enumerate() {
            for (j, &sj) in support.iter().enumerate() {
                a[i * (n + 1) + j] = 2.0 * g[si * k + sj];
            }
            a[i * (n + 1) + s] = 1.0;
            a[s * (n + 1) + i] = 1.0;
            a[i * (n + 1) + n] = 2.0 * c[si];
        }
        a[s * (n + 1) + n] = 1.0;
        let Some(x) = solve_augmented(a, n) else { continue };
        if x[..s].iter().any(|w| *w < -1e-12 || !w.is_finite()) {
            continue;
        }
        let mut w = vec![0.0; k];
        for (i, &si) in support.iter().enumerate() {
            w[si] = x[i].max(0.0);
        }
        let sum: f64 = w.iter().sum();
        for v in &mut w {
            *v /= sum;
        }
        let value: f64 = (0..k)
            .map(|a| w[a] * ((0..k).map(|b| g[a * k + b] * w[b]).sum::<f64>() - 2.0 * c[a]))
            .sum();
        if best.as_ref().is_none_or(|(v, _)| value < *v - 1e-12 * v.abs().max(1.0)) {
            best = Some((value, w));
        }
    }
    best.map(|(_, w)| w)
}

/// Solve the `n × n` system in the augmented row-major matrix `a` (`n`
/// rows of `n + 1`) by Gaussian elimination with partial pivoting; `None`
/// when it is singular.
#[allow(clippy::many_single_char_names)] // a, n, w, x, f: matrix, size, width, solution, factor
fn solve_augmented(mut a: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    let w = n + 1;
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i * w + col].abs().total_cmp(&a[j * w + col].abs()))?;
        if a[pivot * w + col].abs() < 1e-12 {
            return None;
        }
        if pivot != col {
            for j in 0..w {
                a.swap(pivot * w + j, col * w + j);
            }
        }
        for row in col + 1..n {
            let f = a[row * w + col] / a[col * w + col];
            for j in col..w {
                a[row * w + j] -= f * a[col * w + j];
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|j| a[row * w + j] * x[j]).sum();
        x[row] = (a[row * w + n] - s) / a[row * w + row];
    }
    Some(x)
}

/// A fitted [`Ensemble`].
pub struct FittedEnsemble {
    names: Vec<String>,
    weights: Vec<f64>,
    fitted: Vec<Option<BoxedFitted>>,
    calibration: Option<Calibration>,
}

impl std::fmt::Debug for FittedEnsemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedEnsemble")
            .field("names", &self.names)
            .field("weights", &self.weights)
            .field("scores", &self.calibration.as_ref().map(|c| c.scores.len()))
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

    /// With calibrated [`Ensemble::intervals`], the sorted validation scores the
    /// intervals are set from, and whether they are studentized (in units
    /// of the ensemble's standard deviation; else absolute errors);
    /// `None` for an ensemble whose bounds are the members' averaged.
    #[must_use]
    pub fn calibration(&self) -> Option<(&[f64], bool)> {
        self.calibration.as_ref().map(|c| (&*c.scores, c.studentized))
    }

    /// The forecast of [`Predict::predict`] (with the regressors' `future`
    /// values when given).
    fn combine(&self, horizon: usize, levels: &[f64], future: Option<&[Vec<f64>]>) -> Result<Forecast> {
        check_levels(levels)?;
        match &self.calibration {
            None => self.averaged(horizon, levels, future),
            Some(c) => conformal_bounds(
                self.averaged(horizon, &[80.0], future)?,
                &c.scores,
                c.studentized,
                levels,
                "ensemble",
            ),
        }
    }

    /// The weighted mean of the members' point forecasts and bounds, with
    /// the regressors' `future` values when given.
    fn averaged(&self, horizon: usize, levels: &[f64], future: Option<&[Vec<f64>]>) -> Result<Forecast> {
        let mut point = vec![0.0; horizon];
        let mut lower = vec![vec![0.0; horizon]; levels.len()];
        let mut upper = vec![vec![0.0; horizon]; levels.len()];
        for (w, f) in self.weights.iter().zip(&self.fitted) {
            let (Some(f), true) = (f, *w > 0.0) else { continue };
            let fc = match future {
                Some(future) => f.predict_with(horizon, levels, future)?,
                None => f.predict(horizon, levels)?,
            };
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
        let points = self.validation_points(series, false);
        let cross = self.cross_fitted(&points, self.horizon_for(series.freq));
        self.finish(series, &Ensemble::inverse_square_weights(&points), &points, &cross, &[])
    }
}

/// Across a panel: with [`Ensemble::pooled`], one set of stacked weights
/// learned from every series' validation points (see the [module
/// documentation](self)); without it, as series by series. Series are
/// validated and fitted in parallel with the `parallel` feature; the result
/// does not depend on it.
/// A panel member's validation points per series and its final fit per
/// series (taken by the series' ensemble when it keeps the member).
struct PanelRuns {
    points: Vec<Option<Vec<ValPoint>>>,
    fitted: Vec<Mutex<Option<BoxedFitted>>>,
}

/// Fit `panel` to the `views` long enough for it: while the fit fails with
/// [`Error::TooShort`], the series shorter than the length it names are
/// left out and the rest refitted (the length a global model needs can
/// change with the panel: its calibration windows follow the shortest
/// series). Returns the indices of the series fitted and their fits, in
/// order.
///
/// # Errors
/// The fit's error when it fails otherwise, or fails with no series left
/// out.
fn fit_long_enough(
    panel: &dyn PanelMember,
    views: &[(&str, SeriesView<'_>)],
) -> Result<(Vec<usize>, Vec<BoxedFitted>)> {
    let mut kept: Vec<usize> = (0..views.len()).collect();
    loop {
        let subset: Vec<(&str, SeriesView<'_>)> = kept.iter().map(|&i| views[i]).collect();
        match panel.fit_panel_boxed(&subset) {
            Ok(fits) => return Ok((kept, fits)),
            Err(Error::TooShort { needed, got, unique_id }) => {
                let before = kept.len();
                kept.retain(|&i| views[i].1.y.len() >= needed);
                if kept.len() == before || kept.is_empty() {
                    return Err(Error::TooShort { unique_id, needed, got });
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// The validation points of forecast `f` made at `cutoff` of `y`, in
/// units of the training part's MASE scale (season `m`; 1 when zero).
fn val_points(f: &Forecast, y: &[f64], cutoff: usize, m: usize) -> Vec<ValPoint> {
    let scale = crate::backtest::mase_scale(&y[..cutoff], m);
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let sd = model_sd(f);
    f.point
        .iter()
        .zip(&y[cutoff..])
        .enumerate()
        .map(|(s, (p, y))| ValPoint {
            forecast: p.max(0.0) / scale,
            actual: y / scale,
            sd: sd.as_ref().map(|sd| sd[s] / scale),
            scale,
        })
        .collect()
}

impl PanelMember for Ensemble {
    /// # Errors
    /// As [`Fit::fit_series`] for the first failing series in the panel's
    /// order, naming it; [`Error::InvalidParameter`] (`"members"`) for a
    /// pooled ensemble of more than 12 members.
    fn fit_panel_boxed(&self, views: &[(&str, SeriesView<'_>)]) -> Result<Vec<BoxedFitted>> {
        self.check()?;
        if self.pooled && self.members.len() > MAX_STACKED {
            return Err(Error::InvalidParameter {
                name: "members",
                problem: format!("a pooled ensemble stacks at most {MAX_STACKED} members"),
            });
        }
        let panel = self.panel_members(views);
        let mut points: Vec<Points> = map_views(views, |(_, view)| Ok(self.validation_points(*view, true)))?;
        for (j, runs) in panel.iter().enumerate() {
            if let Some(runs) = runs {
                for (p, q) in points.iter_mut().zip(&runs.points) {
                    p[j].clone_from(q);
                }
            }
        }
        // A panel's series share one frequency.
        let h = views.first().map_or(0, |(_, v)| self.horizon_for(v.freq));
        let k = self.members.len();
        let pooled = if self.pooled {
            stack(&stack_rows(&points), k)
        } else {
            None
        };
        // Pooled: one set of cross-fitted weights for the panel.
        let pooled_cross = if self.pooled {
            self.cross_stacked(&points, h)
        } else {
            Vec::new()
        };
        let mut fitted = map_views(
            &views
                .iter()
                .zip(&points)
                .enumerate()
                .map(|(i, (v, p))| (i, *v, p))
                .collect::<Vec<_>>(),
            |(i, (id, view), p)| {
                let weights = match &pooled {
                    Some(w) => w
                        .iter()
                        .zip(p.iter())
                        .map(|(w, p)| if p.is_some() { *w } else { 0.0 })
                        .collect(),
                    None => Ensemble::inverse_square_weights(p),
                };
                let own_cross;
                let cross = if self.pooled {
                    &pooled_cross
                } else {
                    own_cross = self.cross_fitted(p, h);
                    &own_cross
                };
                let panel_fits: Vec<Option<&Mutex<Option<BoxedFitted>>>> =
                    panel.iter().map(|r| r.as_ref().map(|r| &r.fitted[*i])).collect();
                self.finish(*view, &weights, p, cross, &panel_fits)
                    .map_err(|e| in_series(e, id))
            },
        )?;
        if self.intervals == Intervals::Pooled {
            // Every studentized series shares the scores of all of them.
            let all = pooled_scores(
                fitted
                    .iter()
                    .filter_map(|f| f.calibration.as_ref())
                    .map(|c| (&c.scores[..], c.studentized)),
            );
            for c in fitted.iter_mut().filter_map(|f| f.calibration.as_mut()) {
                if c.studentized {
                    c.scores = Arc::clone(&all);
                }
            }
        }
        Ok(fitted.into_iter().map(|f| -> BoxedFitted { Box::new(f) }).collect())
    }
}

/// `f` over `items`, in parallel with the `parallel` feature, in order; the
/// first error in order.
pub(crate) fn map_views<I: Sync, T: Send>(items: &[I], f: impl Fn(&I) -> Result<T> + Sync + Send) -> Result<Vec<T>> {
    #[cfg(feature = "parallel")]
    let out: Vec<Result<T>> = {
        use rayon::prelude::*;
        items.par_iter().map(&f).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let out: Vec<Result<T>> = items.iter().map(&f).collect();
    out.into_iter().collect()
}

impl Predict for FittedEnsemble {
    /// The weighted mean of the members' forecasts; the bounds are the
    /// weighted mean of theirs or, with calibrated [`Ensemble::intervals`], set from
    /// the validation scores around the combined 80 % interval's shape.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100); a member's
    /// errors; [`Error::Model`] when a calibrated ensemble's studentized
    /// scores meet a combined 80 % interval of zero or infinite width.
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        self.combine(horizon, levels, None)
    }

    /// The members' forecasts with these future regressor values, combined
    /// as by [`Predict::predict`].
    ///
    /// # Errors
    /// As [`Predict::predict`]; a member's [`Error::Regressors`] for
    /// columns that do not match its fit (a member without regressors
    /// refuses a non-empty `future`).
    fn predict_with(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        self.combine(horizon, levels, Some(future))
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
    use crate::panel::{FillRule, Panel};

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
    fn stacking_finds_the_simplex_least_squares_weights() {
        // y = 0.3·a + 0.7·b exactly, c is noise: weights (0.3, 0.7, 0).
        let rows: Vec<(Vec<f64>, f64)> = (0..50)
            .map(|i| {
                let x = f64::from(i);
                let (a, b, c) = (
                    (x * 0.37).sin() * 5.0 + 10.0,
                    (x * 0.11).cos() * 3.0 + 12.0,
                    (x * 1.7).sin(),
                );
                (vec![a, b, c], 0.3 * a + 0.7 * b)
            })
            .collect();
        let w = stack(&rows, 3).unwrap();
        assert!(
            (w[0] - 0.3).abs() < 1e-9 && (w[1] - 0.7).abs() < 1e-9 && w[2].abs() < 1e-12,
            "{w:?}"
        );
        // Against a grid over the simplex on rows with no exact solution.
        let rows: Vec<(Vec<f64>, f64)> = (0..40)
            .map(|i| {
                let x = f64::from(i);
                (vec![x.sin(), (2.0 * x).cos(), 0.5], (0.7 * x).sin())
            })
            .collect();
        let w = stack(&rows, 3).unwrap();
        let loss = |w: &[f64]| -> f64 {
            rows.iter()
                .map(|(p, y)| (p.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() - y).powi(2))
                .sum()
        };
        for i in 0..=50 {
            for j in 0..=(50 - i) {
                let g = [f64::from(i) / 50.0, f64::from(j) / 50.0, f64::from(50 - i - j) / 50.0];
                assert!(loss(&w) <= loss(&g) + 1e-12, "{w:?} vs {g:?}");
            }
        }
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|v| *v >= 0.0));
        assert!(stack(&[], 3).is_none());
    }

    /// Daily views of `ys` from `start`, named by `names`.
    fn named_views<'a>(
        names: &'a [String],
        ys: &'a [Vec<f64>],
        start: chrono::NaiveDateTime,
    ) -> Vec<(&'a str, SeriesView<'a>)> {
        names
            .iter()
            .zip(ys)
            .map(|(n, y)| (n.as_str(), SeriesView::new(y, start, Freq::Daily)))
            .collect()
    }

    #[test]
    fn a_global_member_is_fitted_across_the_panel_at_every_cutoff() {
        use crate::trees::global::GlobalBoostedForecaster;
        let start = crate::trees::default_start();
        let ys: Vec<Vec<f64>> = (0..4).map(|s| weekly(200, s)).collect();
        let names: Vec<String> = (0..4).map(|i| format!("s{i}")).collect();
        let views = named_views(&names, &ys, start);
        let global = || {
            let mut g = GlobalBoostedForecaster::default();
            g.params = g.params.n_estimators(20);
            g
        };
        let panel: Box<dyn PanelMember> = Box::new(global());
        let e = Ensemble::new().member("global", panel).member("naive", Naive);
        let fitted = e.fit_panel_boxed(&views).unwrap();
        // The member's validation forecasts are those of the global model
        // fitted to every series' head at the cutoff.
        let points = e.panel_members(&views);
        let runs = points[0].as_ref().unwrap();
        assert!(points[1].is_none());
        let h = e.horizon_for(Freq::Daily);
        let cut = 200 - h * e.validation_windows;
        let heads: Vec<(&str, SeriesView<'_>)> = views.iter().map(|(n, v)| (*n, v.head(cut))).collect();
        let first = global().fit_views(&heads).unwrap();
        for (i, (_, v)) in views.iter().enumerate() {
            let direct = first.series(i).predict(h, &[80.0]).unwrap();
            let expected = val_points(&direct, v.y, cut, 7);
            let got = &runs.points[i].as_ref().unwrap()[..h];
            assert_eq!(got.len(), h);
            for (a, b) in got.iter().zip(&expected) {
                assert_eq!((a.forecast, a.actual, a.sd), (b.forecast, b.actual, b.sd));
            }
        }
        // The final forecast combines the panel fit of the global model, not
        // a model of each series alone.
        let whole = global().fit_views(&views).unwrap();
        for (i, (_, v)) in views.iter().enumerate() {
            let combined = fitted[i].predict(7, &[]).unwrap();
            let alone = Ensemble::new()
                .member("global", Box::new(global()) as Box<dyn PanelMember>)
                .member("naive", Naive)
                .fit_series(*v)
                .unwrap()
                .predict(7, &[])
                .unwrap();
            assert_ne!(combined.point, alone.point);
            let from_panel = whole.series(i).predict(7, &[]).unwrap();
            let naive = Naive.fit(v.y).unwrap().predict(7, &[]).unwrap();
            // A weighted mean of the two members' forecasts.
            for t in 0..7 {
                let (lo, hi) = (
                    from_panel.point[t].min(naive.point[t]),
                    from_panel.point[t].max(naive.point[t]),
                );
                assert!(combined.point[t] >= lo - 1e-9 && combined.point[t] <= hi + 1e-9, "{t}");
            }
        }
    }

    #[test]
    fn a_series_too_short_for_a_global_member_drops_it_there_only() {
        use crate::trees::global::GlobalBoostedForecaster;
        let start = crate::trees::default_start();
        let mut ys: Vec<Vec<f64>> = (0..3).map(|s| weekly(200, s)).collect();
        ys.push(weekly(45, 3));
        let names: Vec<String> = (0..4).map(|i| format!("s{i}")).collect();
        let views = named_views(&names, &ys, start);
        let global = || -> Box<dyn PanelMember> {
            let mut g = GlobalBoostedForecaster::default();
            g.params = g.params.n_estimators(20);
            Box::new(g)
        };
        // The last series is too short for the global model on its own.
        assert!(matches!(
            global().fit_panel_boxed(&views),
            Err(Error::TooShort { ref unique_id, .. }) if unique_id == "s3"
        ));
        let e = Ensemble::new().member("global", global()).member("naive", Naive);
        let runs = e.panel_members(&views);
        let runs = runs[0].as_ref().unwrap();
        for i in 0..3 {
            assert!(runs.points[i].as_ref().is_some_and(|p| !p.is_empty()), "{i}");
            assert!(runs.fitted[i].lock().unwrap().is_some(), "{i}");
        }
        assert!(runs.points[3].is_none() && runs.fitted[3].lock().unwrap().is_none());
        // The long series get the forecasts they get without the short one
        // (the pooled intervals also hold the short one's errors); the short
        // one gets the naive member alone.
        let all = e.fit_panel_boxed(&views).unwrap();
        let long = e.fit_panel_boxed(&views[..3]).unwrap();
        for (a, b) in all.iter().zip(&long) {
            assert_eq!(a.predict(14, &[]).unwrap().point, b.predict(14, &[]).unwrap().point);
        }
        let short = all[3].predict(7, &[]).unwrap();
        assert_eq!(short.point, Naive.fit(&ys[3]).unwrap().predict(7, &[]).unwrap().point);
    }

    #[test]
    fn a_pooled_ensemble_shares_stacked_weights_and_unpooled_equals_per_series() {
        let start = crate::trees::default_start();
        let ys: Vec<Vec<f64>> = (0..4).map(|s| weekly(200, s)).collect();
        let views: Vec<(String, SeriesView<'_>)> = ys
            .iter()
            .enumerate()
            .map(|(i, y)| (format!("s{i}"), SeriesView::new(y, start, Freq::Daily)))
            .collect();
        let views: Vec<(&str, SeriesView<'_>)> = views.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        // Scores per series too (the default pools them across the panel).
        let e = || {
            let mut e = Ensemble::new()
                .member("naive", Naive)
                .member("snaive", SeasonalNaive::new(7));
            e.intervals = Intervals::Calibrated;
            e
        };
        let own = e().fit_panel_boxed(&views).unwrap();
        for (i, (_, view)) in views.iter().enumerate() {
            let direct = e().fit_series(*view).unwrap().predict(14, &[80.0]).unwrap();
            assert_eq!(own[i].predict(14, &[80.0]).unwrap(), direct);
        }
        let mut pooled = e();
        pooled.pooled = true;
        let fitted = pooled.fit_panel_boxed(&views).unwrap();
        // The seasonal naive is far better on weekly data: it takes (almost)
        // all the weight, the same on every series.
        let sn: Vec<Forecast> = views
            .iter()
            .map(|(_, v)| SeasonalNaive::new(7).fit(v.y).unwrap().predict(14, &[]).unwrap())
            .collect();
        let nv: Vec<Forecast> = views
            .iter()
            .map(|(_, v)| Naive.fit(v.y).unwrap().predict(14, &[]).unwrap())
            .collect();
        let share = |i: usize, t: usize| {
            let p = fitted[i].predict(14, &[]).unwrap().point[t];
            (p - nv[i].point[t]) / (sn[i].point[t] - nv[i].point[t])
        };
        let w = share(0, 3);
        assert!(w > 0.8, "{w}");
        for i in 0..4 {
            for t in 0..14 {
                if (sn[i].point[t] - nv[i].point[t]).abs() > 1.0 {
                    assert!((share(i, t) - w).abs() < 1e-9, "series {i} step {t}");
                }
            }
        }
        let too_many = (0..13).fold(Ensemble::new(), |e, i| e.member(format!("m{i}"), Naive));
        let too_many = Ensemble {
            pooled: true,
            ..too_many
        };
        assert!(matches!(
            too_many.fit_panel_boxed(&views),
            Err(Error::InvalidParameter { name: "members", .. })
        ));
    }

    /// The 80 % standard deviation of a forecast, recomputed by hand.
    fn sd80(f: &Forecast, t: usize) -> f64 {
        (f.upper[0][t] - f.lower[0][t]) / (2.0 * 1.281_551_565_544_600_5)
    }

    #[test]
    fn calibrated_scores_are_the_combined_validation_errors_over_the_combined_sd() {
        let y = weekly(200, 1);
        let members = || {
            let mut e = Ensemble::new()
                .member("naive", Naive)
                .member("snaive", SeasonalNaive::new(7));
            e.validation_horizon = Some(14);
            e
        };
        let mut averaged = members();
        averaged.intervals = Intervals::Averaged;
        let plain = averaged.fit(&y).unwrap();
        assert!(plain.calibration().is_none());
        // Fitted alone, the default (pooled) is the series' own scores.
        let fitted = members().fit(&y).unwrap();
        let mut own = members();
        own.intervals = Intervals::Calibrated;
        assert_eq!(
            own.fit(&y).unwrap().predict(14, &[80.0]).unwrap(),
            fitted.predict(14, &[80.0]).unwrap()
        );
        let w: Vec<f64> = fitted.weights().iter().map(|(_, w)| *w).collect();
        assert_eq!(w, plain.weights().iter().map(|(_, w)| *w).collect::<Vec<_>>());
        let (scores, studentized) = fitted.calibration().unwrap();
        assert!(studentized);
        assert_eq!(scores.len(), 28);
        assert!(scores.windows(2).all(|p| p[0] <= p[1]));
        // Recompute every score from the members' forecasts by hand: each
        // window combined with the 1 / MASE² weights of the other window.
        let cuts = [172, 186];
        let forecasts: Vec<[Forecast; 2]> = cuts
            .iter()
            .map(|&cut| {
                [
                    Naive.fit(&y[..cut]).unwrap().predict(14, &[80.0]).unwrap(),
                    SeasonalNaive::new(7)
                        .fit(&y[..cut])
                        .unwrap()
                        .predict(14, &[80.0])
                        .unwrap(),
                ]
            })
            .collect();
        let inverse_square = |j: usize| -> Vec<f64> {
            let cut = cuts[j];
            let scale = crate::backtest::mase_scale(&y[..cut], 7);
            let w: Vec<f64> = forecasts[j]
                .iter()
                .map(|f| {
                    let mae = (0..14).map(|t| (f.point[t] - y[cut + t]).abs()).sum::<f64>() / 14.0;
                    (scale / mae).powi(2)
                })
                .collect();
            let total: f64 = w.iter().sum();
            w.iter().map(|v| v / total).collect()
        };
        let mut expected = Vec::new();
        for (j, &cut) in cuts.iter().enumerate() {
            let w = inverse_square(1 - j);
            for t in 0..14 {
                let fs = &forecasts[j];
                let f: f64 = fs.iter().zip(&w).map(|(f, w)| w * f.point[t].max(0.0)).sum();
                let sd: f64 = fs.iter().zip(&w).map(|(f, w)| w * sd80(f, t)).sum();
                expected.push((y[cut + t] - f).abs() / sd);
            }
        }
        // Scored with the final weights instead, the scores would differ.
        assert!(inverse_square(0).iter().zip(&w).any(|(a, b)| (a - b).abs() > 1e-3));
        expected.sort_by(f64::total_cmp);
        for (a, b) in scores.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-9 * b.max(1.0), "{a} vs {b}");
        }
        // Same point forecast; bounds ŷ ± q·sd(t) around the averaged 80 %
        // interval's shape.
        let base = plain.predict(21, &[80.0]).unwrap();
        let fc = fitted.predict(21, &[80.0, 95.0]).unwrap();
        assert_eq!(fc.point, base.point);
        let q80 = crate::trees::conformal_quantile(scores, 80.0);
        for t in 0..21 {
            assert!((fc.upper[0][t] - (base.point[t] + q80 * sd80(&base, t))).abs() < 1e-9);
            assert!(fc.lower[1][t] <= fc.lower[0][t] && fc.upper[0][t] <= fc.upper[1][t]);
        }
        assert!(fc.upper[1].iter().all(|v| v.is_finite()));
        // 28 scores are too few for 97 %: infinite bounds, not a false width.
        assert!(fitted.predict(7, &[97.0]).unwrap().upper[0]
            .iter()
            .all(|v| v.is_infinite()));
    }

    /// A seasonal naive whose intervals are a third of their width: a member
    /// that claims far more certainty than it has.
    struct Overconfident;

    struct OverconfidentFitted(crate::baseline::FittedSeasonalNaive);

    impl Fit for Overconfident {
        type Fitted = OverconfidentFitted;

        fn fit(&self, y: &[f64]) -> Result<OverconfidentFitted> {
            Ok(OverconfidentFitted(SeasonalNaive::new(7).fit(y)?))
        }
    }

    impl Predict for OverconfidentFitted {
        fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
            let mut f = self.0.predict(horizon, levels)?;
            for j in 0..levels.len() {
                for t in 0..horizon {
                    let p = f.point[t];
                    f.lower[j][t] = p - (p - f.lower[j][t]) / 3.0;
                    f.upper[j][t] = p + (f.upper[j][t] - p) / 3.0;
                }
            }
            Ok(f)
        }

        fn predict_in_sample(&self) -> Vec<f64> {
            self.0.predict_in_sample()
        }
    }

    #[test]
    fn calibrated_intervals_cover_their_level_where_the_members_do_not() {
        use rand::Rng;
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (n, h) = (126, 14);
        let ys: Vec<Vec<f64>> = (0..120)
            .map(|_| {
                (0..n + h)
                    .map(|d| {
                        let z = crate::normal::norm_ppf(rng.random_range(1e-9..1.0 - 1e-9));
                        100.0 + [0.0, 8.0, 10.0, 6.0, 4.0, -12.0, -16.0][d % 7] + 6.0 * z
                    })
                    .collect()
            })
            .collect();
        let start = crate::trees::default_start();
        let views: Vec<(&str, SeriesView<'_>)> = ys
            .iter()
            .map(|y| ("s", SeriesView::new(&y[..n], start, Freq::Daily)))
            .collect();
        let coverage = |intervals: Intervals, pooled: bool| {
            let mut e = Ensemble::new().member("overconfident", Overconfident);
            e.validation_horizon = Some(h);
            (e.intervals, e.pooled) = (intervals, pooled);
            let fitted = e.fit_panel_boxed(&views).unwrap();
            let mut hits = [0usize; 2];
            for (f, y) in fitted.iter().zip(&ys) {
                let fc = f.predict(h, &[80.0, 95.0]).unwrap();
                for t in 0..h {
                    for (j, hit) in hits.iter_mut().enumerate() {
                        *hit += usize::from(fc.lower[j][t] <= y[n + t] && y[n + t] <= fc.upper[j][t]);
                    }
                }
            }
            hits.map(|k| k as f64 / (ys.len() * h) as f64)
        };
        let own = coverage(Intervals::Averaged, false);
        assert!(own[0] < 0.45 && own[1] < 0.6, "{own:?}");
        let pooled = coverage(Intervals::Pooled, true);
        assert!(
            (pooled[0] - 0.8).abs() < 0.05 && (pooled[1] - 0.95).abs() < 0.03,
            "{pooled:?}"
        );
        // Scores pooled, weights per series.
        let scores = coverage(Intervals::Pooled, false);
        assert!(
            (scores[0] - 0.8).abs() < 0.05 && (scores[1] - 0.95).abs() < 0.03,
            "{scores:?}"
        );
        let each = coverage(Intervals::Calibrated, false);
        assert!((each[0] - 0.8).abs() < 0.06 && each[1] > 0.9, "{each:?}");
    }

    #[test]
    fn a_series_without_usable_intervals_keeps_its_own_absolute_errors() {
        // An all-zero series: every member's interval has zero width, so its
        // scores are absolute errors (all 0) and are not pooled; the weekly
        // series share their studentized scores.
        let start = crate::trees::default_start();
        let ys = [weekly(200, 1), vec![0.0; 200], weekly(200, 2)];
        let views: Vec<(&str, SeriesView<'_>)> = ys
            .iter()
            .map(|y| ("s", SeriesView::new(y, start, Freq::Daily)))
            .collect();
        let e = Ensemble::new()
            .member("naive", Naive)
            .member("snaive", SeasonalNaive::new(7));
        assert_eq!(e.intervals, Intervals::Pooled);
        let fitted = e.fit_panel_boxed(&views).unwrap();
        let zero = fitted[1].predict(14, &[80.0, 95.0]).unwrap();
        assert!(zero
            .point
            .iter()
            .chain(zero.lower.iter().flatten())
            .chain(zero.upper.iter().flatten())
            .all(|v| *v == 0.0));
        let (a, b) = (
            fitted[0].predict(14, &[80.0]).unwrap(),
            fitted[2].predict(14, &[80.0]).unwrap(),
        );
        let mut averaged = Ensemble::new()
            .member("naive", Naive)
            .member("snaive", SeasonalNaive::new(7));
        averaged.intervals = Intervals::Averaged;
        let base = averaged.fit_panel_boxed(&views).unwrap();
        let factor = |f: &Forecast, b: &Forecast| (f.upper[0][3] - f.point[3]) / (b.upper[0][3] - b.point[3]);
        let (fa, fb) = (
            factor(&a, &base[0].predict(14, &[80.0]).unwrap()),
            factor(&b, &base[2].predict(14, &[80.0]).unwrap()),
        );
        assert!((fa - fb).abs() < 1e-9 && fa.is_finite() && fa > 0.0, "{fa} vs {fb}");
    }

    #[test]
    fn an_ensemble_of_regression_models_takes_future_regressor_values() {
        use rand::{Rng, SeedableRng};
        // Planned admissions every third day add 15 to a weekly pattern.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 400;
        let planned: Vec<f64> = (0..n + 14).map(|t| f64::from(u8::from(t % 3 == 0))).collect();
        let y: Vec<f64> = (0..n)
            .map(|t| {
                40.0 * [1.0, 1.1, 1.05, 1.0, 0.95, 0.6, 0.5][t % 7] + 15.0 * planned[t] + rng.random_range(-3.0..3.0)
            })
            .collect();
        let x = vec![planned.clone()];
        let view = SeriesView::new(&y, crate::trees::default_start(), Freq::Daily).with_regressors(&x);
        let fitted = Ensemble::new()
            .member("glm", crate::glm::Glm::default())
            .member("prophet", crate::prophet::Prophet::default())
            .fit_series(view)
            .unwrap();
        assert!(fitted.weights().iter().all(|(_, w)| *w > 0.0), "{:?}", fitted.weights());
        let fc = fitted.predict(14, &[80.0, 95.0]).unwrap();
        assert_eq!(
            fc,
            fitted
                .predict_with(14, &[80.0, 95.0], &[planned[n..].to_vec()])
                .unwrap()
        );
        // No planned day in the future: every forecast drops by about 15.
        let none = fitted.predict_with(14, &[80.0], &[vec![0.0; 14]]).unwrap();
        for t in (0..14).filter(|t| planned[n + t] > 0.0) {
            let drop = fc.point[t] - none.point[t];
            assert!((drop - 15.0).abs() < 3.0, "step {t}: {drop}");
        }
        assert!(matches!(
            fitted.predict_with(14, &[80.0], &[vec![0.0; 3]]),
            Err(Error::Regressors { .. })
        ));
    }

    #[test]
    fn invalid_ensembles_are_errors() {
        assert!(Ensemble::new().fit(&weekly(100, 0)).is_err());
        let e = Ensemble::new().member("snaive", SeasonalNaive::new(7));
        assert!(matches!(e.fit(&[1.0; 10]), Err(Error::TooShort { .. })));
        let mut e = Ensemble::new().member("naive", Naive);
        e.validation_windows = 0;
        assert!(e.fit(&weekly(100, 0)).is_err());
        let mut e = Ensemble::new().member("naive", Naive);
        e.season = Some(0);
        assert!(matches!(e.check(), Err(Error::InvalidParameter { name: "season", .. })));
    }

    #[test]
    fn validation_follows_the_frequency_unless_set() {
        let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1)
            .unwrap()
            .and_time(chrono::NaiveTime::MIN);
        let y: Vec<f64> = (0..30).map(|t| 100.0 + f64::from(t % 12) * 5.0).collect();
        let e = Ensemble::new()
            .member("snaive", SeasonalNaive::new(12))
            .member("naive", Naive);
        // 30 months: 2 windows of 3 months and a season of 12 fit (19 needed).
        let months = SeriesView::new(&y, start, Freq::Monthly);
        assert!(e.fit_series(months).is_ok());
        let short = SeriesView::new(&y[..18], start, Freq::Monthly);
        assert!(matches!(
            e.fit_series(short),
            Err(Error::TooShort {
                needed: 19,
                got: 18,
                ..
            })
        ));
        // The same 30 values as days need 2 × 14 + 7 + 1.
        let days = SeriesView::new(&y, start, Freq::Daily);
        assert!(matches!(e.fit_series(days), Err(Error::TooShort { needed: 36, .. })));
        // Set, the settings apply to every frequency.
        let mut set = Ensemble::new().member("naive", Naive);
        set.validation_horizon = Some(2);
        set.season = Some(1);
        assert!(set.fit_series(days).is_ok());
        let hours: Vec<f64> = (0..24 * 4).map(|t| f64::from(t % 24)).collect();
        let fitted = Ensemble::new()
            .member("snaive", SeasonalNaive::new(24))
            .member("naive", Naive)
            .fit_series(SeriesView::new(&hours, start, Freq::Hourly))
            .unwrap();
        // Validated on 2 × 24 hours, the seasonal naive is exact and takes all the weight.
        assert!(fitted.weights[0] > 0.999, "{:?}", fitted.weights);
    }
}
