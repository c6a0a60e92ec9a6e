//! Intervals recalibrated on held-out windows: any model's intervals made
//! to cover what they claim.
//!
//! A model's own intervals rest on its assumptions (MSTL treats the
//! seasonal component as known; ETS and ARIMA assume the model is right),
//! and cover less than their level when those fail. [`Calibrated`] keeps
//! the model's point forecast and the *shape* of its intervals (how they
//! widen with the horizon) but sets their *width* from the model's own
//! errors on data it did not see (studentized split conformal: Lei, G'Sell,
//! Rinaldo, Tibshirani & Wasserman, "Distribution-free predictive inference
//! for regression", JASA 113, 2018, §5.2, with the model's standard
//! deviation as the scale):
//!
//! 1. For `w = 1 ..= windows`, fit the model to the series without its last
//!    `w · horizon` observations, forecast the next `horizon` steps with its
//!    80 % interval, and score each step `|y − ŷ| / sd`, where `sd` is the
//!    interval's half-width divided by `z₀.₉ = 1.2816` (the model's own
//!    standard deviation at that step).
//! 2. Fit the model to the whole series.
//! 3. A forecast at level `ℓ` is `ŷ ± q_ℓ · sd(t)`, with `q_ℓ` the
//!    `⌈(n + 1)·ℓ⌉`-th smallest of the `n = windows · horizon` scores (the
//!    finite-sample conformal quantile; infinite when `n` is too small for
//!    the level) and `sd(t)` from the full model's 80 % interval.
//!
//! When the model gives no usable interval (zero or infinite width in a
//! window), the scores are the absolute errors and the intervals `ŷ ±
//! q_ℓ`: plain split conformal, the same width at every step. Lower bounds
//! are clipped at 0 when the point forecast is non-negative (counts).
//!
//! The scores pool the steps, so every step has all `n` of them; the price
//! is the assumption that the model's `sd(t)` has the right shape over the
//! horizon, which is what the model's own intervals already assume.
//!
//! # Windows
//!
//! Unset, `horizon` is the frequency's held-out window ([`Freq::window`]:
//! 24 hours, 14 days, 8 weeks or 3 months) and `windows` the fewest, at
//! least 4, that give the `⌈0.95·(n + 1)⌉ ≤ n`, i.e. `n ≥ 19`, scores a
//! finite 95 % bound needs: 4 for hours, days and weeks, 7 for months (21
//! months held out; pooled, 4 suffice for any panel of two series or
//! more). See [`Calibrated::settings_for`]. Where the model cannot be
//! fitted to what is left before the earliest of them, the default keeps
//! the windows it can fit, at least 4 (a 95 % bound may then be infinite)
//! or as few as give 19 scores already (an MSTL with a 52-week season
//! needs two years before its first window; pooled over a panel, one
//! window is then enough).
//!
//! # Pooling
//!
//! A short series gives few scores (4 windows of 14 days: 56, just enough
//! for a stable 95 % interval; 3 years of months: 21 at most). With [`Calibrated::pooled`], a panel fitted as a whole
//! ([`crate::spec::PanelForecaster`], JSON `"pooled": true`) gives every
//! series the studentized scores of *all* its series: the errors of each
//! series in units of its own model's standard deviation, which makes them
//! comparable across series of different sizes. The quantile then rests on
//! `series · windows · horizon` scores, at the price of assuming that the
//! model misjudges its uncertainty by the same factor on every series of
//! the panel (what a per-series calibration does not assume). Series whose
//! scores are absolute errors (no usable model interval) are not pooled.
//!
//! ```
//! use hutano_forecast::baseline::SeasonalNaive;
//! use hutano_forecast::calibrated::Calibrated;
//! use hutano_forecast::forecast::{Fit, Predict};
//!
//! let y: Vec<f64> = (0..140).map(|t| 20.0 + [0.0, 3.0, 5.0, 4.0, 2.0, -6.0, -8.0][t % 7] + ((t * 7919) % 11) as f64 - 5.0).collect();
//! let model = Calibrated::new(SeasonalNaive::new(7)).windows(4).horizon(7);
//! let fc = model.fit(&y)?.predict(7, &[80.0, 95.0])?;
//! assert!(fc.lower[1][0] <= fc.lower[0][0] && fc.upper[0][0] <= fc.upper[1][0]);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ensemble::{BoxedFitted, Member, PanelMember};
use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};
use crate::panel::Freq;
use crate::spec::in_series;
use crate::trees::{conformal_quantile, windows_for_95};

/// `z` of the 80 % two-sided normal interval, `Φ⁻¹(0.9)`.
const Z80: f64 = 1.281_551_565_544_600_5;

/// Fewest held-out windows by default (more where the windows are short:
/// [`Calibrated::settings_for`]).
pub const DEFAULT_WINDOWS: usize = 4;

/// A model whose intervals are recalibrated on held-out windows (see the
/// [module documentation](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibrated<M> {
    /// The model.
    pub model: M,
    /// Number of held-out windows, at least 1; `None` (the default): see
    /// [`Calibrated::settings_for`].
    pub windows: Option<usize>,
    /// Steps per window, at least 1; `None` (the default): the series'
    /// frequency's ([`Freq::window`]).
    pub horizon: Option<usize>,
    /// Across a panel, pool the studentized scores of all series (default
    /// false: each series its own). See *Pooling* in the
    /// [module documentation](self).
    #[serde(default)]
    pub pooled: bool,
}

impl<M> Calibrated<M> {
    /// `model` with the default windows ([`Calibrated::settings_for`]).
    #[must_use]
    pub fn new(model: M) -> Self {
        Self {
            model,
            windows: None,
            horizon: None,
            pooled: false,
        }
    }

    /// Set the number of held-out windows.
    #[must_use]
    pub fn windows(mut self, v: usize) -> Self {
        self.windows = Some(v);
        self
    }

    /// Set the steps per window.
    #[must_use]
    pub fn horizon(mut self, v: usize) -> Self {
        self.horizon = Some(v);
        self
    }

    /// The windows and their length for series of frequency `freq` whose
    /// scores are pooled over `series` series (1 without
    /// [`Calibrated::pooled`]): those set, else the frequency's window `H`
    /// ([`Freq::window`]) and the fewest windows `W`, at least
    /// [`DEFAULT_WINDOWS`], that give the 19 scores a finite 95 % bound
    /// needs (`series · W · H ≥ 19`). When the model cannot be fitted to
    /// what is left before the earliest of those windows, a fit keeps the
    /// windows it can fit, at least [`DEFAULT_WINDOWS`] or as few as give
    /// 19 scores (pooled over 11 series, one window of 8 weeks).
    ///
    /// ```
    /// use hutano_forecast::baseline::SeasonalNaive;
    /// use hutano_forecast::calibrated::Calibrated;
    /// use hutano_forecast::panel::Freq;
    ///
    /// let model = Calibrated::new(SeasonalNaive::new(12));
    /// assert_eq!(model.settings_for(Freq::Daily, 1), (4, 14));
    /// assert_eq!(model.settings_for(Freq::Monthly, 1), (7, 3));
    /// assert_eq!(model.settings_for(Freq::Monthly, 3), (4, 3));
    /// ```
    #[must_use]
    pub fn settings_for(&self, freq: Freq, series: usize) -> (usize, usize) {
        let h = self.horizon.unwrap_or(freq.window());
        let w = self
            .windows
            .unwrap_or_else(|| windows_for_95(DEFAULT_WINDOWS, |w| series * w * h));
        (w, h)
    }

    /// Pool the studentized scores across the series of a panel.
    #[must_use]
    pub fn pooled(mut self, v: bool) -> Self {
        self.pooled = v;
        self
    }

    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero windows or a zero horizon.
    pub fn check(&self) -> Result<()> {
        for (name, v) in [("windows", self.windows), ("horizon", self.horizon)] {
            if v == Some(0) {
                return Err(Error::InvalidParameter {
                    name,
                    problem: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }
}

/// A fitted [`Calibrated`] model.
pub struct FittedCalibrated {
    inner: BoxedFitted,
    /// Sorted scores of the held-out steps (shared by the series of a
    /// pooled panel).
    scores: Arc<[f64]>,
    /// Whether the scores are in units of the model's standard deviation
    /// (else absolute errors).
    studentized: bool,
}

impl std::fmt::Debug for FittedCalibrated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedCalibrated")
            .field("scores", &self.scores.len())
            .field("studentized", &self.studentized)
            .finish_non_exhaustive()
    }
}

impl FittedCalibrated {
    /// The sorted held-out scores (in units of the model's standard
    /// deviation when [`FittedCalibrated::studentized`]).
    #[must_use]
    pub fn scores(&self) -> &[f64] {
        &self.scores
    }

    /// Whether the scores are studentized by the model's own standard
    /// deviation (false: absolute errors, the model gave no usable
    /// interval).
    #[must_use]
    pub fn studentized(&self) -> bool {
        self.studentized
    }
}

/// The model's standard deviation per step, from its 80 % interval; `None`
/// when an interval is missing, zero or not finite.
pub(crate) fn model_sd(f: &Forecast) -> Option<Vec<f64>> {
    let (lo, hi) = (f.lower.first()?, f.upper.first()?);
    let sd: Vec<f64> = lo.iter().zip(hi).map(|(l, h)| (h - l) / (2.0 * Z80)).collect();
    sd.iter().all(|s| s.is_finite() && *s > 0.0).then_some(sd)
}

impl<M: Member> Calibrated<M> {
    /// The held-out errors of every step of every window: `(|y − ŷ|,
    /// |y − ŷ| / sd)`, the second `None` where the model's interval was
    /// unusable.
    ///
    /// With the default windows, a window the model cannot be fitted before
    /// (too short) ends the windows once there are [`DEFAULT_WINDOWS`], or
    /// fewer that already give 19 scores (`pool` series pooled).
    fn held_out(
        &self,
        series: SeriesView<'_>,
        (windows, horizon): (usize, usize),
        pool: usize,
    ) -> Result<Vec<(f64, Option<f64>)>> {
        let n = series.y.len();
        let fewest = self
            .windows
            .unwrap_or_else(|| windows_for_95(1, |w| pool * w * horizon).min(DEFAULT_WINDOWS))
            .min(windows);
        let too_short = |needed: usize| Error::TooShort {
            unique_id: String::new(),
            needed: needed.saturating_add(fewest.saturating_mul(horizon)),
            got: n,
        };
        let mut pairs = Vec::with_capacity(windows.saturating_mul(horizon).min(n));
        for w in 1..=windows {
            let Some(cut) = n.checked_sub(w * horizon).filter(|c| *c > 0) else {
                if w > fewest {
                    break;
                }
                return Err(too_short(1));
            };
            let fitted = match self.model.fit_boxed(series.head(cut)) {
                Ok(f) => f,
                Err(Error::TooShort { .. }) if w > fewest => break,
                Err(Error::TooShort { needed, .. }) => return Err(too_short(needed)),
                Err(e) => return Err(e),
            };
            let f = fitted.predict(horizon, &[80.0])?;
            let sd = model_sd(&f);
            for (s, p) in f.point.iter().enumerate() {
                let err = (series.y[cut + s] - p).abs();
                pairs.push((err, sd.as_ref().map(|sd| err / sd[s])));
            }
        }
        Ok(pairs)
    }

    /// The model fitted to the whole series with its own sorted scores
    /// (studentized when every held-out step had a usable interval), the
    /// scores to be pooled over `pool` series.
    fn fit_own(&self, series: SeriesView<'_>, pool: usize) -> Result<(BoxedFitted, Vec<f64>, bool)> {
        self.check()?;
        let settings = self.settings_for(series.freq, pool);
        let pairs = self.held_out(series, settings, pool)?;
        let inner = self.model.fit_boxed(series)?;
        let (mut scores, studentized) = held_out_scores(pairs);
        if let Some(i) = scores.iter().position(|s| !s.is_finite()) {
            return Err(Error::Model {
                model: "calibrated",
                message: format!("held-out forecast step {} is not finite", i % settings.1 + 1),
            });
        }
        scores.sort_by(f64::total_cmp);
        Ok((inner, scores, studentized))
    }
}

impl<M: Member> Fit for Calibrated<M> {
    type Fitted = FittedCalibrated;

    fn fit(&self, y: &[f64]) -> Result<FittedCalibrated> {
        self.fit_series(SeriesView::new(
            y,
            crate::trees::default_start(),
            crate::panel::Freq::Daily,
        ))
    }

    /// One series: its own scores, whatever [`Calibrated::pooled`] says
    /// (a panel of one).
    ///
    /// # Errors
    /// As [`Calibrated::check`]; [`Error::TooShort`] when the series is too
    /// short for the model once the held-out windows are cut (`needed`
    /// counts the windows); the model's errors otherwise.
    fn fit_series(&self, series: SeriesView<'_>) -> Result<FittedCalibrated> {
        let (inner, scores, studentized) = self.fit_own(series, 1)?;
        Ok(FittedCalibrated {
            inner,
            scores: scores.into(),
            studentized,
        })
    }
}

/// Across a panel: with [`Calibrated::pooled`], every series whose scores
/// are studentized shares the pooled scores of all such series (the others
/// keep their own absolute errors); without it, as series by series.
/// Series are fitted in parallel with the `parallel` feature; the result
/// does not depend on it (scores are pooled in the panel's order, then
/// sorted).
impl<M: Member> PanelMember for Calibrated<M> {
    /// # Errors
    /// As [`Fit::fit_series`], for the first failing series in the panel's
    /// order, naming it.
    fn fit_panel_boxed(&self, views: &[(&str, SeriesView<'_>)]) -> Result<Vec<BoxedFitted>> {
        let pool = if self.pooled { views.len() } else { 1 };
        let fit = |(id, view): &(&str, SeriesView<'_>)| self.fit_own(*view, pool).map_err(|e| in_series(e, id));
        let each = crate::ensemble::map_views(views, fit)?;
        let pooled: Arc<[f64]> = if self.pooled {
            pooled_scores(each.iter().map(|(_, scores, studentized)| (&scores[..], *studentized)))
        } else {
            Arc::from(Vec::new())
        };
        Ok(each
            .into_iter()
            .map(|(inner, scores, studentized)| -> BoxedFitted {
                let scores = if self.pooled && studentized {
                    Arc::clone(&pooled)
                } else {
                    scores.into()
                };
                Box::new(FittedCalibrated {
                    inner,
                    scores,
                    studentized,
                })
            })
            .collect())
    }
}

impl FittedCalibrated {
    fn recalibrate(&self, f: Forecast, levels: &[f64]) -> Result<Forecast> {
        conformal_bounds(f, &self.scores, self.studentized, levels, "calibrated")
    }
}

/// The scores of held-out `(|y − ŷ|, |y − ŷ| / sd)` pairs, in their order,
/// and whether they are studentized: the second of each pair when every
/// pair has one (and there is at least one), else the absolute errors.
pub(crate) fn held_out_scores(pairs: Vec<(f64, Option<f64>)>) -> (Vec<f64>, bool) {
    let studentized = !pairs.is_empty() && pairs.iter().all(|(_, z)| z.is_some());
    let scores = pairs
        .into_iter()
        .map(|(e, z)| if studentized { z.unwrap_or(e) } else { e })
        .collect();
    (scores, studentized)
}

/// The sorted union of the studentized score sets among `sets` (`(scores,
/// studentized)` pairs, in the panel's order); sets of absolute errors are
/// not pooled.
pub(crate) fn pooled_scores<'a>(sets: impl Iterator<Item = (&'a [f64], bool)>) -> Arc<[f64]> {
    let mut all: Vec<f64> = sets
        .filter(|(_, studentized)| *studentized)
        .flat_map(|(scores, _)| scores.iter().copied())
        .collect();
    all.sort_by(f64::total_cmp);
    all.into()
}

/// Replace the intervals of `f` (a forecast with its 80 % interval first)
/// by `ŷ ± q_ℓ · sd(t)` at each level: `q_ℓ` the conformal quantile of the
/// sorted `scores`, `sd(t)` from `f`'s 80 % interval when `studentized`
/// (else 1: the scores are absolute errors). Lower bounds are clipped at 0
/// when every point forecast is non-negative. `model` names the caller in
/// the error.
///
/// # Errors
/// [`Error::InvalidLevel`] for a level outside (0, 100); [`Error::Model`]
/// when `studentized` and `f`'s 80 % interval has zero or infinite width.
pub(crate) fn conformal_bounds(
    f: Forecast,
    scores: &[f64],
    studentized: bool,
    levels: &[f64],
    model: &'static str,
) -> Result<Forecast> {
    check_levels(levels)?;
    let sd = if studentized {
        model_sd(&f).ok_or_else(|| Error::Model {
            model,
            message: "the model's 80 % interval has zero or infinite width".into(),
        })?
    } else {
        vec![1.0; f.point.len()]
    };
    let clip = f.point.iter().all(|p| *p >= 0.0);
    let mut out = Forecast {
        point: f.point,
        levels: levels.to_vec(),
        lower: Vec::with_capacity(levels.len()),
        upper: Vec::with_capacity(levels.len()),
    };
    for &level in levels {
        let q = conformal_quantile(scores, level);
        let lower = out.point.iter().zip(&sd).map(|(p, s)| p - q * s);
        out.lower.push(if clip {
            lower.map(|l| l.max(0.0)).collect()
        } else {
            lower.collect()
        });
        out.upper
            .push(out.point.iter().zip(&sd).map(|(p, s)| p + q * s).collect());
    }
    Ok(out)
}

impl Predict for FittedCalibrated {
    /// The model's point forecast with recalibrated intervals.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100); the model's
    /// errors.
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let f = self.inner.predict(horizon, &[80.0])?;
        self.recalibrate(f, levels)
    }

    fn predict_with(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        check_levels(levels)?;
        let f = self.inner.predict_with(horizon, &[80.0], future)?;
        self.recalibrate(f, levels)
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        self.inner.predict_in_sample()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::{Naive, SeasonalNaive};

    /// A weekly pattern with deterministic pseudo-noise of amplitude `a`.
    fn series(n: usize, a: f64) -> Vec<f64> {
        (0..n)
            .map(|t| {
                let noise = ((t * 7919 + 13) % 101) as f64 / 50.0 - 1.0;
                30.0 + [0.0, 3.0, 5.0, 4.0, 2.0, -6.0, -8.0][t % 7] + a * noise
            })
            .collect()
    }

    #[test]
    fn scores_are_the_held_out_errors_over_the_model_sd() {
        let y = series(200, 4.0);
        let model = Calibrated::new(SeasonalNaive::new(7)).windows(3).horizon(7);
        let fitted = model.fit(&y).unwrap();
        assert!(fitted.studentized());
        assert_eq!(fitted.scores().len(), 21);
        // Recompute window 2 (the last 14 observations cut) by hand.
        let cut = 200 - 14;
        let f = SeasonalNaive::new(7)
            .fit(&y[..cut])
            .unwrap()
            .predict(7, &[80.0])
            .unwrap();
        let sd = model_sd(&f).unwrap();
        for s in 0..7 {
            let z = (y[cut + s] - f.point[s]).abs() / sd[s];
            assert!(fitted.scores().iter().any(|v| (v - z).abs() < 1e-12), "step {s}");
        }
        assert!(fitted.scores().windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn point_forecast_is_the_models_and_intervals_nest() {
        let y = series(200, 4.0);
        let plain = SeasonalNaive::new(7).fit(&y).unwrap().predict(14, &[]).unwrap();
        let fc = Calibrated::new(SeasonalNaive::new(7))
            .fit(&y)
            .unwrap()
            .predict(14, &[80.0, 95.0])
            .unwrap();
        assert_eq!(fc.point, plain.point);
        for t in 0..14 {
            assert!(fc.lower[1][t] <= fc.lower[0][t] && fc.lower[0][t] <= fc.point[t]);
            assert!(fc.point[t] <= fc.upper[0][t] && fc.upper[0][t] <= fc.upper[1][t]);
            assert!(fc.lower[1][t] >= 0.0);
        }
    }

    #[test]
    fn intervals_cover_held_out_values_near_their_level() {
        // 60 origins of a series whose noise the seasonal naive's own
        // intervals do not know; the calibrated ones should cover ~80 %.
        let y = series(900, 6.0);
        let model = Calibrated::new(SeasonalNaive::new(7)).windows(6).horizon(7);
        let (mut hits, mut total) = (0, 0);
        for o in 0..60 {
            let cut = 400 + 7 * o;
            let fc = model.fit(&y[..cut]).unwrap().predict(7, &[80.0]).unwrap();
            for t in 0..7 {
                hits += usize::from(fc.lower[0][t] <= y[cut + t] && y[cut + t] <= fc.upper[0][t]);
                total += 1;
            }
        }
        let cover = f64::from(u32::try_from(hits).unwrap()) / f64::from(u32::try_from(total).unwrap());
        assert!((0.72..=0.88).contains(&cover), "coverage {cover}");
    }

    #[test]
    fn a_model_without_width_falls_back_to_absolute_errors() {
        // A constant series: every interval of the naive model has zero
        // width, so the scores are absolute errors (all zero).
        let y = vec![5.0; 80];
        let fitted = Calibrated::new(Naive).windows(2).horizon(7).fit(&y).unwrap();
        assert!(!fitted.studentized());
        let fc = fitted.predict(3, &[90.0]).unwrap();
        assert_eq!(fc.lower[0], vec![5.0; 3]);
        assert_eq!(fc.upper[0], vec![5.0; 3]);
    }

    #[test]
    fn pooling_skips_unstudentized_series_and_names_a_failing_one() {
        let start = crate::trees::default_start();
        let (flat, noisy) = (vec![5.0; 80], series(80, 4.0));
        let views = [
            ("flat", SeriesView::new(&flat, start, crate::panel::Freq::Daily)),
            ("noisy", SeriesView::new(&noisy, start, crate::panel::Freq::Daily)),
        ];
        let model = Calibrated::new(Naive).windows(2).horizon(7).pooled(true);
        let fitted = model.fit_panel_boxed(&views).unwrap();
        // The constant series keeps its own (zero) absolute errors.
        let fc = fitted[0].predict(3, &[90.0]).unwrap();
        assert_eq!((fc.lower[0].clone(), fc.upper[0].clone()), (vec![5.0; 3], vec![5.0; 3]));
        // The other is the only studentized one: pooled = its own.
        let own = model.fit_series(views[1].1).unwrap().predict(7, &[80.0]).unwrap();
        assert_eq!(fitted[1].predict(7, &[80.0]).unwrap(), own);
        let short = [5.0; 10];
        let views = [
            views[1],
            ("short", SeriesView::new(&short, start, crate::panel::Freq::Daily)),
        ];
        assert!(matches!(
            model.fit_panel_boxed(&views),
            Err(Error::TooShort { unique_id, .. }) if unique_id == "short"
        ));
    }

    #[test]
    fn errors_are_typed() {
        let y = series(60, 1.0);
        assert!(matches!(
            Calibrated::new(SeasonalNaive::new(7)).windows(0).fit(&y),
            Err(Error::InvalidParameter { name: "windows", .. })
        ));
        assert!(matches!(
            Calibrated::new(SeasonalNaive::new(7)).windows(5).horizon(14).fit(&y),
            Err(Error::TooShort { .. })
        ));
        let fitted = Calibrated::new(SeasonalNaive::new(7))
            .windows(2)
            .horizon(7)
            .fit(&y)
            .unwrap();
        assert!(matches!(fitted.predict(7, &[120.0]), Err(Error::InvalidLevel { .. })));
    }

    #[test]
    fn default_windows_follow_the_frequency_and_back_a_95_percent_bound() {
        use crate::panel::Freq;
        let start = crate::trees::default_start();
        // Three years of months (a department's A&E admissions): 7 windows
        // of 3 months, 21 scores, a finite 95 % bound.
        let months: Vec<Vec<f64>> = (0u32..3)
            .map(|i| {
                (0u32..36)
                    .map(|t| 100.0 + f64::from(i) * 40.0 + f64::from((t * 7919 + i * 31) % 17))
                    .collect()
            })
            .collect();
        let model = Calibrated::new(Naive);
        let one = model
            .fit_series(SeriesView::new(&months[0], start, Freq::Monthly))
            .unwrap();
        assert_eq!(one.scores().len(), 21);
        let f = one.predict(3, &[80.0, 95.0]).unwrap();
        assert!(f.upper[1].iter().all(|u| u.is_finite()), "{:?}", f.upper);
        // Pooled over three departments, 4 windows each are enough.
        let views: Vec<(&str, SeriesView<'_>)> = ["a", "b", "c"]
            .into_iter()
            .zip(&months)
            .map(|(id, y)| (id, SeriesView::new(y, start, Freq::Monthly)))
            .collect();
        let pooled = model.clone().pooled(true);
        assert_eq!(pooled.settings_for(Freq::Monthly, 3), (4, 3));
        let fitted = pooled.fit_panel_boxed(&views).unwrap();
        let f = fitted[2].predict(3, &[95.0]).unwrap();
        assert!(f.upper[0].iter().all(|u| u.is_finite()));
        // 27 months: the seasonal naive model needs 12 months before a
        // window, so 5 windows fit (15 scores; the 95 % bound is infinite).
        let short = &months[0][..27];
        let fitted = Calibrated::new(SeasonalNaive::new(12))
            .fit_series(SeriesView::new(short, start, Freq::Monthly))
            .unwrap();
        assert_eq!(fitted.scores().len(), 15);
        assert!(fitted.predict(3, &[95.0]).unwrap().upper[0][0].is_infinite());
        // With room for fewer than 4 windows, the series is too short: 12 +
        // 4 × 3 values are needed.
        let err = Calibrated::new(SeasonalNaive::new(12))
            .fit_series(SeriesView::new(&months[0][..20], start, Freq::Monthly))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooShort {
                    needed: 24,
                    got: 20,
                    ..
                }
            ),
            "{err:?}"
        );
        // Set, the windows are not reduced.
        let err = Calibrated::new(SeasonalNaive::new(12))
            .windows(6)
            .fit_series(SeriesView::new(short, start, Freq::Monthly))
            .unwrap_err();
        assert!(matches!(err, Error::TooShort { needed: 30, .. }), "{err:?}");
        // 21 months and a model that needs 10 values: it fits before 3
        // windows of 3 months only. Pooled over three series those 3 are
        // kept (27 scores); on its own a series needs 4.
        let views: Vec<(&str, SeriesView<'_>)> = ["a", "b", "c"]
            .into_iter()
            .zip(&months)
            .map(|(id, y)| (id, SeriesView::new(&y[..21], start, Freq::Monthly)))
            .collect();
        let pooled = Calibrated::new(SeasonalNaive::new(10)).pooled(true);
        let fitted = pooled.fit_panel_boxed(&views).unwrap();
        assert!(fitted[0].predict(3, &[95.0]).unwrap().upper[0][0].is_finite());
        let err = Calibrated::new(SeasonalNaive::new(10))
            .fit_series(views[0].1)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooShort {
                    needed: 22,
                    got: 21,
                    ..
                }
            ),
            "{err:?}"
        );
        // Hours: windows of a day; days: of two weeks (the old default).
        assert_eq!(model.settings_for(Freq::Hourly, 1), (4, 24));
        assert_eq!(model.settings_for(Freq::Daily, 1), (4, 14));
        assert_eq!(model.settings_for(Freq::Weekly, 1), (4, 8));
        // Set, they apply as given.
        assert_eq!(model.windows(2).horizon(5).settings_for(Freq::Monthly, 1), (2, 5));
    }
}
