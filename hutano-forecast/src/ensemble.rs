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

use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};
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
    /// Across a panel, learn one set of stacked weights from all series'
    /// validation windows (default false: `1 / MASE²` per series). See the
    /// [module documentation](self).
    pub pooled: bool,
}

impl std::fmt::Debug for Ensemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ensemble")
            .field("members", &self.members.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("validation_windows", &self.validation_windows)
            .field("validation_horizon", &self.validation_horizon)
            .field("season", &self.season)
            .field("pooled", &self.pooled)
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
            pooled: false,
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

    /// The validation points of every member on `series`: `(forecast,
    /// actual)` pairs of each window's steps, both divided by the window's
    /// MASE scale (the training part's mean absolute seasonal difference;
    /// 1 when that is 0); `None` where the member failed.
    fn validation_points(&self, series: SeriesView<'_>) -> Points {
        let len = series.y.len();
        let (windows, h, m) = (self.validation_windows, self.validation_horizon, self.season);
        self.members
            .iter()
            .map(|(_, model)| {
                let mut points = Vec::with_capacity(windows * h);
                for k in 0..windows {
                    let cutoff = len.checked_sub(h * (windows - k))?;
                    if cutoff <= m {
                        return None;
                    }
                    let train = &series.y[..cutoff];
                    let view = SeriesView { y: train, ..series };
                    let f = model.fit_boxed(view).ok()?.predict(h, &[]).ok()?;
                    let scale = crate::backtest::mase_scale(train, m);
                    let scale = if scale > 0.0 { scale } else { 1.0 };
                    points.extend(
                        f.point
                            .iter()
                            .zip(&series.y[cutoff..cutoff + h])
                            .map(|(p, y)| (p.max(0.0) / scale, y / scale)),
                    );
                }
                Some(points)
            })
            .collect()
    }

    /// The error of the ensemble on a series too short for any member.
    fn too_short(&self, got: usize) -> Error {
        Error::TooShort {
            unique_id: String::new(),
            needed: self.validation_windows * self.validation_horizon + self.season + 1,
            got,
        }
    }

    /// Fit the members with a positive weight to the whole series and
    /// renormalise the weights over those that fitted.
    fn finish(&self, series: SeriesView<'_>, weights: &[f64]) -> Result<FittedEnsemble> {
        let fitted: Vec<Option<BoxedFitted>> = self
            .members
            .iter()
            .zip(weights)
            .map(|((_, m), w)| if *w > 0.0 { m.fit_boxed(series).ok() } else { None })
            .collect();
        let kept: Vec<f64> = weights
            .iter()
            .zip(&fitted)
            .map(|(w, f)| if f.is_some() { *w } else { 0.0 })
            .collect();
        let total: f64 = kept.iter().sum();
        if total <= 0.0 {
            return Err(self.too_short(series.y.len()));
        }
        Ok(FittedEnsemble {
            names: self.members.iter().map(|(n, _)| n.clone()).collect(),
            weights: kept.iter().map(|w| w / total).collect(),
            fitted,
        })
    }

    /// `1 / MASE²` weights from a series' validation points (0 for a
    /// member without points).
    fn inverse_square_weights(points: &[Option<Vec<(f64, f64)>>]) -> Vec<f64> {
        points
            .iter()
            .map(|p| match p {
                Some(p) if !p.is_empty() => {
                    let mase = p.iter().map(|(f, y)| (f - y).abs()).sum::<f64>() / p.len() as f64;
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
/// member failed): `(forecast, actual)` pairs scaled by the window's MASE
/// scale.
type Points = Vec<Option<Vec<(f64, f64)>>>;

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
        let points = self.validation_points(series);
        self.finish(series, &Ensemble::inverse_square_weights(&points))
    }
}

/// Across a panel: with [`Ensemble::pooled`], one set of stacked weights
/// learned from every series' validation points (see the [module
/// documentation](self)); without it, as series by series. Series are
/// validated and fitted in parallel with the `parallel` feature; the result
/// does not depend on it.
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
        let points: Vec<Points> = map_views(views, |(_, view)| Ok(self.validation_points(*view)))?;
        let k = self.members.len();
        let pooled = if self.pooled {
            let rows: Vec<(Vec<f64>, f64)> = points
                .iter()
                .filter(|p| p.iter().all(Option::is_some))
                .flat_map(|p| {
                    let n = p.first().and_then(Option::as_ref).map_or(0, Vec::len);
                    (0..n).map(move |i| {
                        let forecasts = p.iter().map(|m| m.as_ref().map_or(0.0, |m| m[i].0)).collect();
                        let actual = p.first().and_then(Option::as_ref).map_or(0.0, |m| m[i].1);
                        (forecasts, actual)
                    })
                })
                .collect();
            stack(&rows, k)
        } else {
            None
        };
        let fitted = map_views(
            &views.iter().zip(&points).map(|(v, p)| (*v, p)).collect::<Vec<_>>(),
            |((id, view), p)| {
                let weights = match &pooled {
                    Some(w) => w
                        .iter()
                        .zip(p.iter())
                        .map(|(w, p)| if p.is_some() { *w } else { 0.0 })
                        .collect(),
                    None => Ensemble::inverse_square_weights(p),
                };
                self.finish(*view, &weights).map_err(|e| in_series(e, id))
            },
        )?;
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
        let e = || {
            Ensemble::new()
                .member("naive", Naive)
                .member("snaive", SeasonalNaive::new(7))
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
