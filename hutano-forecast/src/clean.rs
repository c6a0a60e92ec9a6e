//! Outliers replaced before a model is fitted: [`Cleaned`].
//!
//! A single mistyped day (2,000 admissions in a ward that sees 20) is enough
//! to ruin most forecasters. Seasonal ETS takes it into its weekly pattern and
//! forecasts about 760 on that weekday for as long as it is fitted
//! (statsforecast's `AutoETS` does the same; hutano reproduces it); a
//! Poisson GLM bends its trend. [`Cleaned`] finds such values and replaces
//! them before the model sees the series, after Hyndman's `tsoutliers`
//! (R package `forecast`; Hyndman & Athanasopoulos, *Forecasting:
//! Principles and Practice*, 3rd ed., §13.9):
//!
//! 1. a series without negative values (counts) is cleaned on Anscombe's
//!    square-root scale, `2 √(y + 3/8)`, where Poisson noise has the same
//!    spread at every level (quiet weekends and busy Mondays are judged
//!    alike);
//! 2. take out the seasonal part of an STL decomposition (season from
//!    the frequency: 7 for days, 24 for hours, 52 for weeks, 12 for months)
//!    when the series has two full seasons (R keeps it only when the
//!    seasonality is strong; on daily counts the Poisson noise makes a clear
//!    weekday pattern look weak, and leaving it in flags ordinary weekends);
//! 3. the residual is what is left after the seasonal part and the STL
//!    trend; a series too short for STL, or without a season, is
//!    compared with the median of the 3 values on either side instead (R
//!    uses Friedman's super smoother, which the outlier it looks for can
//!    pull);
//! 4. a value is an outlier when its residual lies more than `threshold`
//!    (default 3) interquartile ranges outside the residuals' quartiles
//!    (for counts the range is at least 1.349, Poisson noise's on that
//!    scale, so that the ones of a sparse series are not outliers);
//! 5. the value farthest outside is replaced by linear interpolation of the
//!    seasonally adjusted series between its nearest clean neighbours, plus
//!    the seasonal part (the nearest clean value at either end), and the
//!    decomposition is redone, until no value is outside or one in 20 has
//!    been replaced; the replacements are then made again from the cleaned
//!    series' decomposition, and brought back to the original scale
//!    (clipped at zero for counts).
//!    `tsoutliers` replaces all at once, twice, from a robust STL; one at a
//!    time a large error cannot drag its neighbours (through the trend) or
//!    its weekday (through the seasonal part) past the fences, and a plain
//!    STL leaves residuals with normal tails on clean counts, where a
//!    robust one's are heavy enough to flag 0.15–2.5 % of clean days.
//!
//! When the residuals' interquartile range is zero (a constant series, or
//! one mostly of zeros) nothing is replaced: there is no spread to judge
//! by. A surge that lasts goes into the trend and is kept; a surge in the
//! very last days can look like outliers, so cleaning is a choice for data
//! known to carry entry errors, not a default.
//!
//! ```
//! use hutano_forecast::clean::{clean, Cleaned};
//! use hutano_forecast::ets::AutoEts;
//! use hutano_forecast::forecast::{Fit, Predict};
//!
//! let mut y: Vec<f64> = (0..120).map(|t| [22.0, 20.0, 21.0, 19.0, 20.0, 12.0, 10.0][t % 7]).collect();
//! y[60] = 2000.0; // a typing error
//! let cleaned = clean(&y, 7, 3.0);
//! assert_eq!(cleaned.replaced, vec![60]);
//! assert!((cleaned.y[60] - 20.0).abs() < 1.0); // a Friday
//!
//! let f = Cleaned::new(AutoEts::new(7)).fit(&y)?.predict(14, &[80.0])?;
//! assert!(f.point.iter().all(|v| *v < 30.0));
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::{Fit, SeriesView};
use crate::panel::Freq;

/// Interquartile ranges beyond the quartiles from which a residual is an
/// outlier (`tsoutliers`'s 3).
pub const DEFAULT_THRESHOLD: f64 = 3.0;

/// A model fitted to its series with outliers replaced (see the
/// [module documentation](self)). Forecasts, intervals and in-sample fitted
/// values are the model's, on the cleaned series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cleaned<M> {
    /// The model.
    pub model: M,
    /// Interquartile ranges beyond the quartiles from which a residual is
    /// an outlier, positive (default [`DEFAULT_THRESHOLD`]).
    pub threshold: f64,
    /// Season length for the decomposition; `None` (default) takes it from
    /// the series' frequency (7, 24, 52 or 12), 1 for none.
    pub season: Option<usize>,
}

impl<M> Cleaned<M> {
    /// `model` with the default threshold and the season of the frequency.
    #[must_use]
    pub fn new(model: M) -> Self {
        Self {
            model,
            threshold: DEFAULT_THRESHOLD,
            season: None,
        }
    }

    /// Set the threshold (interquartile ranges).
    #[must_use]
    pub fn threshold(mut self, v: f64) -> Self {
        self.threshold = v;
        self
    }

    /// Set the season length (1 for none).
    #[must_use]
    pub fn season(mut self, v: usize) -> Self {
        self.season = Some(v);
        self
    }

    /// Check the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a threshold that is not positive and
    /// finite, or a season of 0.
    pub fn check(&self) -> Result<()> {
        check_settings(self.threshold, self.season)
    }

    /// The series' values with their outliers replaced, after the checks.
    fn cleaned_values(&self, series: &SeriesView<'_>) -> Result<Vec<f64>> {
        Ok(try_clean(series.y, self.season_for(series.freq), self.threshold)?.y)
    }

    fn season_for(&self, freq: Freq) -> usize {
        self.season.unwrap_or(freq.season())
    }
}

impl<M: Fit> Fit for Cleaned<M> {
    type Fitted = M::Fitted;

    /// A daily series (season 7 unless set).
    ///
    /// # Errors
    /// As [`Cleaned::check`]; [`Error::NonFinite`] at a NaN or infinite
    /// value; then as the model's fit.
    fn fit(&self, y: &[f64]) -> Result<M::Fitted> {
        self.fit_series(SeriesView::new(y, crate::trees::default_start(), Freq::Daily))
    }

    /// # Errors
    /// As [`Cleaned::fit`].
    fn fit_series(&self, series: SeriesView<'_>) -> Result<M::Fitted> {
        let y = self.cleaned_values(&series)?;
        self.model.fit_series(SeriesView { y: &y, ..series })
    }
}

/// A boxed model (as [`crate::spec::ModelSpec::build`] gives) cleaned: the
/// same as [`Fit::fit_series`] for a concrete one.
impl crate::ensemble::Member for Cleaned<Box<dyn crate::ensemble::Member>> {
    fn fit_boxed(&self, series: SeriesView<'_>) -> Result<crate::ensemble::BoxedFitted> {
        let y = self.cleaned_values(&series)?;
        self.model.fit_boxed(SeriesView { y: &y, ..series })
    }
}

/// A series with its outliers replaced: [`clean`]'s result.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaning {
    /// The series, outliers replaced.
    pub y: Vec<f64>,
    /// Positions of the replaced values, ascending.
    pub replaced: Vec<usize>,
}

/// [`Error::InvalidParameter`] for a threshold that is not positive and
/// finite, or a season of 0.
fn check_settings(threshold: f64, season: Option<usize>) -> Result<()> {
    if !(threshold.is_finite() && threshold > 0.0) {
        return Err(Error::InvalidParameter {
            name: "threshold",
            problem: format!("must be positive and finite, got {threshold}"),
        });
    }
    if season == Some(0) {
        return Err(Error::InvalidParameter {
            name: "season",
            problem: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// [`clean`] after checking its arguments.
///
/// # Errors
/// [`Error::InvalidParameter`] for a threshold that is not positive and
/// finite, or a season of 0; [`Error::NonFinite`] at a NaN or infinite
/// value.
pub fn try_clean(y: &[f64], season: usize, threshold: f64) -> Result<Cleaning> {
    check_settings(threshold, Some(season))?;
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            unique_id: String::new(),
            row,
        });
    }
    Ok(clean(y, season, threshold))
}

/// Replace the outliers of `y` (finite values) as described in the
/// [module documentation](self), with season `season` (1 for none) and
/// `threshold` interquartile ranges.
#[must_use]
pub fn clean(y: &[f64], season: usize, threshold: f64) -> Cleaning {
    // Counts on Anscombe's square-root scale, where Poisson noise has the
    // same spread at every level.
    let counts = y.iter().all(|v| *v >= 0.0);
    let mut z: Vec<f64> = if counts {
        y.iter().map(|v| 2.0 * (v + 0.375).sqrt()).collect()
    } else {
        y.to_vec()
    };
    // On Anscombe's scale Poisson noise has a standard deviation of 1: the
    // fences are never tighter than that noise's (whose interquartile range
    // is 1.349), so that the ones of a sparse count series are not outliers.
    let iqr_floor = if counts { 1.349 } else { 0.0 };
    let mut replaced: Vec<usize> = Vec::new();
    let mut bad = vec![false; y.len()];
    // One value at a time, the worst first, so that a large error does not
    // drag its neighbours (through the trend) or its weekday (through the
    // seasonal part) past the fences; at most one value in 20.
    for _ in 0..=y.len() / 20 {
        let (seasonal, trend) = decompose(&z, season);
        let resid: Vec<f64> = (0..z.len()).map(|t| z[t] - seasonal[t] - trend[t]).collect();
        let Some(worst) = worst_outlier(&resid, threshold, iqr_floor) else {
            break;
        };
        bad[worst] = true;
        let adjusted: Vec<f64> = z.iter().zip(&seasonal).map(|(v, s)| v - s).collect();
        z[worst] = interpolate(&adjusted, &bad)[worst] + seasonal[worst];
        replaced.push(worst);
    }
    if !replaced.is_empty() {
        // The replacements were made from decompositions that still held
        // the larger errors: redo them from the cleaned series'.
        for _ in 0..2 {
            let (seasonal, _) = decompose(&z, season);
            let adjusted: Vec<f64> = z.iter().zip(&seasonal).map(|(v, s)| v - s).collect();
            let filled = interpolate(&adjusted, &bad);
            for &t in &replaced {
                z[t] = filled[t] + seasonal[t];
            }
        }
    }
    replaced.sort_unstable();
    replaced.dedup();
    let mut out = y.to_vec();
    for &t in &replaced {
        out[t] = if counts {
            (0.25 * z[t] * z[t] - 0.375).max(0.0)
        } else {
            z[t]
        };
    }
    Cleaning { y: out, replaced }
}

/// The seasonal part and the trend of an STL decomposition when the
/// series holds two seasons; otherwise no seasonal part and, for trend,
/// the median of the 3 values on either side of each (without the value
/// itself, which would tie with its own median).
fn decompose(y: &[f64], season: usize) -> (Vec<f64>, Vec<f64>) {
    let n = y.len();
    if season >= 2 && n >= 2 * season {
        if let Ok(fit) = stlrs::params().seasonal_length(11).fit(y, season) {
            let (s, t, _, _) = fit.into_parts();
            return (s, t);
        }
    }
    (vec![0.0; n], neighbour_median(y, 3))
}

/// Median of the values `t − k .. t` and `t + 1 ..= t + k`, cut at the ends
/// (the value itself when it has no neighbour).
fn neighbour_median(x: &[f64], k: usize) -> Vec<f64> {
    let mut window = Vec::with_capacity(2 * k);
    (0..x.len())
        .map(|t| {
            window.clear();
            window.extend_from_slice(&x[t.saturating_sub(k)..t]);
            window.extend_from_slice(&x[(t + 1).min(x.len())..(t + k + 1).min(x.len())]);
            if window.is_empty() {
                return x[t];
            }
            window.sort_unstable_by(f64::total_cmp);
            let m = window.len();
            if m % 2 == 1 {
                window[m / 2]
            } else {
                0.5 * (window[m / 2 - 1] + window[m / 2])
            }
        })
        .collect()
}

/// Quantile of sorted values by linear interpolation (R's type 7).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor();
    // `h` is in [0, len − 1]: the casts are exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (i, j) = (lo as usize, h.ceil() as usize);
    sorted[i] + (h - lo) * (sorted[j] - sorted[i])
}

/// The position whose residual lies farthest outside the fences at
/// `threshold` interquartile ranges (at least `iqr_floor`) beyond the
/// quartiles, if any lies outside; none when the range is zero.
fn worst_outlier(resid: &[f64], threshold: f64, iqr_floor: f64) -> Option<usize> {
    if resid.len() < 4 {
        return None;
    }
    let mut sorted = resid.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
    let iqr = (q3 - q1).max(iqr_floor);
    if iqr <= 0.0 {
        return None;
    }
    let (lo, hi) = (q1 - threshold * iqr, q3 + threshold * iqr);
    let beyond = |r: f64| (lo - r).max(r - hi);
    (0..resid.len())
        .filter(|&t| beyond(resid[t]) > 0.0)
        .max_by(|&a, &b| beyond(resid[a]).total_cmp(&beyond(resid[b])))
}

/// `x` with the positions marked `bad` replaced by linear interpolation
/// between their nearest good neighbours (the nearest one at either end).
fn interpolate(x: &[f64], bad: &[bool]) -> Vec<f64> {
    let mut out = x.to_vec();
    let mut t = 0;
    while t < x.len() {
        if !bad[t] {
            t += 1;
            continue;
        }
        let start = t;
        while t < x.len() && bad[t] {
            t += 1;
        }
        let before = start.checked_sub(1).map(|i| x[i]);
        let after = (t < x.len()).then(|| x[t]);
        for (k, v) in out[start..t].iter_mut().enumerate() {
            *v = match (before, after) {
                (Some(a), Some(b)) => a + (b - a) * (k + 1) as f64 / (t - start + 1) as f64,
                (Some(a), None) => a,
                (None, Some(b)) => b,
                // Every value bad: at most one in 20 is.
                (None, None) => x[start + k],
            };
        }
    }
    out
}

#[cfg(test)]
// Exact comparisons: untouched values are copied, interpolations of two
// values are exact.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::ets::AutoEts;
    use crate::forecast::Predict;
    use rand::SeedableRng;

    const WEEK: [f64; 7] = [22.0, 20.0, 21.0, 19.0, 20.0, 12.0, 10.0];

    /// Poisson counts with weekday means `WEEK` (times `scale[t]`), by
    /// inversion of the distribution function.
    fn counts(n: usize, seed: u64, scale: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|t| crate::testing::poisson(&mut rng, WEEK[t % 7] * scale(t)))
            .collect()
    }

    #[test]
    fn a_typing_error_is_replaced_by_about_its_weekday() {
        let mut total_error = 0.0;
        for seed in 0..20 {
            let mut y = counts(120, seed, |_| 1.0);
            y[60] = 2000.0;
            let c = clean(&y, 7, 3.0);
            assert_eq!(c.replaced, vec![60], "seed {seed}");
            // Day 60 is a Friday (mean 20, Poisson sd 4.5); the replacement
            // is as noisy as its two neighbours' mean.
            let error = (c.y[60] - WEEK[60 % 7]).abs();
            assert!(error <= 12.0, "seed {seed}: {}", c.y[60]);
            total_error += error;
            assert!(c.y.iter().zip(&y).enumerate().all(|(t, (a, b))| t == 60 || a == b));
        }
        assert!(total_error / 20.0 < 4.5, "mean error {}", total_error / 20.0);
    }

    #[test]
    fn clean_counts_constants_and_sparse_counts_are_left_alone() {
        // A test without counts' noise floor: 3 IQR on near-normal noise.
        // tsoutliers' 3 IQR beyond the quartiles is ≈ 4.7 standard
        // deviations for normal noise: clean Poisson counts keep nearly all.
        let replaced: usize = (0..20)
            .map(|seed| clean(&counts(365, seed, |_| 1.0), 7, 3.0).replaced.len())
            .sum();
        assert!(replaced <= 4, "{replaced} of 7300 clean values replaced");
        assert!(clean(&[7.0; 50], 7, 3.0).replaced.is_empty());
        let sparse: Vec<f64> = (0..100).map(|t| if t % 17 == 0 { 1.0 } else { 0.0 }).collect();
        assert_eq!(clean(&sparse, 7, 3.0).y, sparse);
    }

    #[test]
    fn short_and_non_seasonal_series_use_the_neighbours_median() {
        let mut y: Vec<f64> = (0..40u32)
            .map(|t| 5.0 + f64::from(t % 2) + f64::from(t % 5) * 0.1)
            .collect();
        y[4] = 90.0;
        y[0] = -40.0;
        let c = clean(&y, 1, 3.0);
        assert_eq!(c.replaced, vec![0, 4]);
        // Interpolated between the neighbours; the first takes the next value.
        assert_eq!(c.y[4], 0.5 * (y[3] + y[5]));
        assert_eq!(c.y[0], y[1]);
        // Without negative values: counts, clipped at zero.
        let mut counts = y.clone();
        counts[0] = 0.0;
        counts[7] = 400.0;
        let c = clean(&counts, 1, 3.0);
        assert_eq!(c.replaced, vec![4, 7]);
        assert!(c.y.iter().all(|v| *v >= 0.0 && *v < 10.0), "{:?}", c.y);
    }

    #[test]
    fn a_lasting_surge_is_kept() {
        // Three weeks at 1.8 times the level, rising over 3 days: trend.
        for seed in 0..10 {
            let y = counts(140, seed, |t| match t {
                70..=72 => 1.0 + 0.8 * (t - 69) as f64 / 3.0,
                73..=90 => 1.8,
                _ => 1.0,
            });
            let c = clean(&y, 7, 3.0);
            assert!(
                c.replaced.iter().all(|t| !(70..=90).contains(t)),
                "seed {seed}: {:?}",
                c.replaced
            );
        }
    }

    #[test]
    fn cleaning_rescues_seasonal_ets_from_one_wrong_day() {
        let mut y = counts(120, 3, |_| 1.0);
        y[60] = 2000.0;
        let raw = AutoEts::new(7).fit(&y).unwrap().predict(14, &[80.0]).unwrap();
        let cleaned = Cleaned::new(AutoEts::new(7))
            .fit(&y)
            .unwrap()
            .predict(14, &[80.0])
            .unwrap();
        assert!(raw.point.iter().any(|v| *v > 100.0), "{:?}", raw.point);
        for (t, v) in cleaned.point.iter().enumerate() {
            assert!((v - WEEK[(120 + t) % 7]).abs() < 5.0, "step {t}: {v}");
        }
    }

    #[test]
    fn checks_parameters_and_values() {
        let m = Cleaned::new(AutoEts::new(7));
        let y = counts(60, 1, |_| 1.0);
        assert!(matches!(
            m.clone().threshold(0.0).fit(&y),
            Err(Error::InvalidParameter { name: "threshold", .. })
        ));
        assert!(matches!(
            m.clone().threshold(f64::NAN).check(),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            m.clone().season(0).check(),
            Err(Error::InvalidParameter { name: "season", .. })
        ));
        let mut bad = y.clone();
        bad[9] = f64::NAN;
        assert!(matches!(m.fit(&bad), Err(Error::NonFinite { row: 9, .. })));
    }
}
