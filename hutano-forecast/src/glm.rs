//! A count regression on the calendar: Poisson log-linear model with a
//! piecewise-linear trend, level shifts, weekday (and hour) effects, yearly
//! Fourier terms, holiday and day-after-holiday effects, and a damped local
//! level on its residuals; recent history weighs more.
//!
//! Hospital admissions are counts whose mean is, to a good approximation, a
//! *product* of calendar effects (a Monday is 15 % busier, a public holiday
//! 30 % quieter, whatever the hospital's size: DOMAIN.md §5), which a
//! log-linear model states directly and an additive one (Prophet, ETS with
//! additive seasons) only approximates. The model:
//!
//! 1. `log μ_t = β₀ + β₁·t + Σ_k γ_k·(t − τ_k)₊ + weekday_t + hour_t +
//!    Σ_j (a_j sin + b_j cos)(2πj·day-of-year/365.25) + η·holiday_t +
//!    κ·after-holiday_t`, with `t` in years since the first observation and
//!    hinges `τ_k` at fixed fractions of the history ([`Glm::knots`]: half and
//!    three quarters, so the trend can bend twice, the last slope carrying
//!    into the future). Weekday dummies are used for daily and hourly
//!    series, hour-of-day dummies for hourly ones, the yearly terms only
//!    when the history spans at least 1.5 years (a cycle and a half, so the
//!    shape is identified), holidays only with a [`Glm::calendar`] (the
//!    number of holiday days in the step; *after-holiday* marks a day that
//!    follows a holiday and is not one, for daily and hourly series).
//! 2. Fit by Newton's method (iteratively reweighted least squares) on the
//!    weighted mean Poisson deviance with a small ridge penalty on every
//!    coefficient but the intercept (`ridge/2 · ‖β‖²`, as scikit-learn's
//!    `PoissonRegressor`), which keeps columns that never vary in the
//!    history (a holiday not yet seen) at zero. An observation's weight
//!    halves every [`Glm::half_life`] years back from the end of the
//!    history (default 1 year): hospitals change how they work and how
//!    they record it, and the calendar effects of the last year should
//!    count most. (In England's daily discharge returns, six of 90 trusts
//!    had busier Saturdays than Mondays in 2023 and Saturdays a fifth
//!    quieter in 2025; with equal weights the model forecast the old
//!    week.)
//! 3. **Level shifts**: a merger, a new wing or a change in what is
//!    counted moves the level for good (one English trust went from 27 to
//!    160 discharges a day). The smooth terms can only straddle such a
//!    step, and the yearly terms learn it as a season, so after a fit the
//!    residuals are searched for the largest jump that lasts (a median
//!    change of at least 0.5 on the log scale, ×1.65, over 4 weeks, in
//!    the same direction over a quarter; see `level_shift`), and the model
//!    is refitted with a step `1[t ≥ s]` there, up to [`Glm::level_shifts`]
//!    times (default 2). A surge shorter than half a quarter is not a
//!    shift; a step in the last quarter is left to the local level.
//!    [`FittedGlm::level_shifts`] gives the steps' dates.
//! 4. A local level on the log scale follows what the calendar misses (an
//!    outbreak under way, a ward closed): `ℓ_t = (1 − α)·ℓ_{t−1} +
//!    α·log((y_t + ½)/(μ_t + ½))`, and the forecast `k` steps ahead is
//!    `μ_{T+k} · exp(φᵏ·ℓ_T)`: the level decays back to the calendar's mean
//!    ([`Glm::level_alpha`] α = 0.1, chosen on synthetic series that are
//!    not in the benchmarks, see BENCHMARKS.md). How fast it should decay
//!    depends on the series. An outbreak fades within days; a ward whose
//!    level has drifted for months keeps it. So unless
//!    [`Glm::level_damping`] fixes φ, it is chosen per series on held-out
//!    data, among [`DAMPING_GRID`] (0.8 to 1 a step):
//!    - the model is fitted without the last two windows of the frequency
//!      ([`Freq::window`]: 14 days, 24 hours, 8 weeks, 3 months);
//!    - its level is followed through them with the actual counts;
//!    - from each of their origins, the next window is forecast with each
//!      φ, and the φ with the smallest total absolute error is kept
//!      ([`FittedGlm::level_damping`]; [`FALLBACK_DAMPING`], 0.9, for a
//!      series too short to leave them out).
//!
//!    This costs a second fit. With φ = 0.9 for every series, England's
//!    trusts were forecast back to the calendar's mean within two weeks;
//!    the choice took the GLM's MASE there from 0.729 to 0.705 at 14 days
//!    and from 0.806 to 0.765 at 30 (BENCHMARKS.md).
//!
//! Intervals are `m ± q_ℓ·sd_k` (the lower bound clipped at 0), with the
//! negative-binomial spread `sd_k² = m + θ_k·m²`, where the over-dispersion
//! `θ_k` at `k` steps ahead is the moment estimate from the model's own
//! `k`-step-ahead errors in the history (so the intervals widen as the
//! level's information ages), and `q_ℓ` the level's quantile of those
//! errors' standardised sizes `|y − m| / sd` over the steps of the horizon
//! (the `⌈(n + 1)·ℓ⌉`-th smallest of `n`, the largest when `n` is too
//! small), each size inflated by `√(n / (n − p))` for the `p` coefficients
//! fitted to the `n` values they are measured on. Both use the fit's
//! weights (`n` is then their effective number, `(Σw)²/Σw²`), so that
//! the errors of years the model no longer follows do not widen today's
//! intervals. Taking `q` from the
//! errors rather than from the negative binomial matters: admissions'
//! errors have heavier tails than the binomial with the same variance,
//! whose 80 % intervals covered 83–86 % over 20 origins of the benchmark
//! data. The errors are in-sample (the model is refitted for none), which
//! a model of a few dozen coefficients on years of days barely flatters;
//! on three years of months it does, and the intervals are too narrow
//! there (BENCHMARKS.md, A&E). Point forecasts are means; they and the
//! bounds are never negative.
//!
//! Exogenous regressors (planned admissions, a flag for a ward closure) enter
//! the log-linear predictor as further columns, each standardised by its
//! mean and standard deviation over the history, so their coefficient is a
//! log rate ratio per standard deviation; their future values come with the
//! series ([`SeriesView::x`]) or with [`Predict::predict_with`].
//!
//! ```
//! use hutano_forecast::forecast::{Fit, Predict};
//! use hutano_forecast::glm::Glm;
//!
//! // Two years of a weekday pattern with deterministic noise.
//! let y: Vec<f64> = (0..730).map(|t| {
//!     [30.0, 27.0, 26.0, 26.0, 25.0, 18.0, 16.0][t % 7] + ((t * 7919) % 7) as f64 - 3.0
//! }).collect();
//! let fc = Glm::default().fit(&y)?.predict(14, &[80.0, 95.0])?;
//! assert_eq!(fc.len(), 14);
//! // 1970-01-05 (the default start) is a Monday: the first step is a
//! // Monday, busier than the Sunday at step 7.
//! assert!(fc.point[0] > fc.point[6]);
//! assert!(fc.lower[1][0] <= fc.lower[0][0] && fc.upper[0][0] <= fc.upper[1][0]);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use hutano_core::calendar::Calendar;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::{check_levels, future_rows, Fit, Forecast, Predict, SeriesView};
use crate::panel::Freq;

/// Days in a year, for the trend's unit and the yearly period.
const YEAR: f64 = 365.25;
/// History needed for the yearly terms, in days.
const YEARLY_DAYS: f64 = 1.5 * YEAR;

/// The model's settings (see the [module documentation](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glm {
    /// Yearly Fourier pairs (default 3; capped below the series' Nyquist
    /// limit; 0 disables the yearly terms).
    pub yearly_order: usize,
    /// Trend hinges as fractions of the history, each in (0, 1) (default
    /// `[0.5, 0.75]`; empty: a straight trend).
    pub knots: Vec<f64>,
    /// Ridge penalty on the coefficients (default 1e-4).
    pub ridge: f64,
    /// Smoothing of the local level, in [0, 1] (default 0.1; 0: no level).
    pub level_alpha: f64,
    /// Per-step damping φ of the level in the forecast, in [0, 1];
    /// `None` (the default): chosen per series on held-out data, see the
    /// [module documentation](self).
    pub level_damping: Option<f64>,
    /// Holiday calendar for the holiday and after-holiday effects.
    pub calendar: Option<Calendar>,
    /// The most level shifts to find in the history and model as steps
    /// (default 2; 0: none). See the [module documentation](self).
    pub level_shifts: usize,
    /// Weigh the history down by half every `half_life` years back from
    /// its end (default 1 year; `None`: equal weights). See the [module
    /// documentation](self).
    pub half_life: Option<f64>,
}

impl Default for Glm {
    fn default() -> Self {
        Self {
            yearly_order: 3,
            knots: vec![0.5, 0.75],
            ridge: 1e-4,
            level_alpha: 0.1,
            level_damping: None,
            calendar: None,
            level_shifts: 2,
            half_life: Some(1.0),
        }
    }
}

impl Glm {
    /// Set the holiday calendar.
    #[must_use]
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// Set the yearly Fourier order.
    #[must_use]
    pub fn yearly_order(mut self, order: usize) -> Self {
        self.yearly_order = order;
        self
    }

    /// Set the local level's smoothing and damping.
    #[must_use]
    pub fn level(mut self, alpha: f64, damping: f64) -> Self {
        self.level_alpha = alpha;
        self.level_damping = Some(damping);
        self
    }

    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting: a knot outside (0,
    /// 1), a negative or non-finite ridge, a smoothing or damping outside
    /// [0, 1], a half-life that is not a positive number.
    pub fn check(&self) -> Result<()> {
        let bad = |name: &'static str, problem: &str| Error::InvalidParameter {
            name,
            problem: problem.into(),
        };
        if self.knots.iter().any(|k| !(*k > 0.0 && *k < 1.0)) {
            return Err(bad("knots", "each knot must be a fraction in (0, 1)"));
        }
        if !(self.ridge.is_finite() && self.ridge >= 0.0) {
            return Err(bad("ridge", "must be finite and non-negative"));
        }
        for (name, v) in [
            ("level_alpha", Some(self.level_alpha)),
            ("level_damping", self.level_damping),
        ] {
            if v.is_some_and(|v| !(0.0..=1.0).contains(&v)) {
                return Err(bad(name, "must be in [0, 1]"));
            }
        }
        if self.half_life.is_some_and(|h| !(h.is_finite() && h > 0.0)) {
            return Err(bad("half_life", "must be a positive number of years"));
        }
        Ok(())
    }

    /// The damping of [`DAMPING_GRID`] that forecasts the last two
    /// windows of `series` best: the model is fitted without them (with
    /// φ = [`FALLBACK_DAMPING`]), its level followed through them with the
    /// actual counts, and from each of their origins the next window
    /// forecast with each φ; the smallest total absolute error wins (the
    /// strongest damping on a tie). [`FALLBACK_DAMPING`] when the series
    /// is too short to leave two windows out.
    fn held_out_damping(&self, series: SeriesView<'_>) -> Result<f64> {
        let n = series.y.len();
        let window = series.freq.window();
        let held = 2 * window;
        let early = Glm {
            level_damping: Some(FALLBACK_DAMPING),
            ..self.clone()
        };
        let fitted = match n.checked_sub(held).map(|cut| early.fit_series(series.head(cut))) {
            Some(Ok(f)) => f,
            Some(Err(Error::TooShort { .. })) | None => return Ok(FALLBACK_DAMPING),
            Some(Err(e)) => return Err(e),
        };
        let cut = n - held;
        let future: Vec<Vec<f64>> = fitted.future_x.iter().map(|c| c[..held].to_vec()).collect();
        let mu = fitted.calendar_mean(held, &future)?;
        let y = &series.y[cut..];
        // levels[i]: the level after the held-out value i − 1 (levels[0]
        // the fit's last).
        let last = fitted.level.last().copied().unwrap_or(0.0);
        let mut levels = vec![last];
        levels.extend(local_level(self.level_alpha, last, y, &mu));
        let error = |phi: f64| -> f64 {
            (0..held)
                .flat_map(|o| (1..=window.min(held - o)).map(move |k| (o, k)))
                .map(|(o, k)| {
                    let decay = phi.powi(i32::try_from(k).unwrap_or(i32::MAX));
                    (y[o + k - 1] - mu[o + k - 1] * (decay * levels[o]).exp()).abs()
                })
                .sum()
        };
        let mut best = (DAMPING_GRID[0], error(DAMPING_GRID[0]));
        for &phi in &DAMPING_GRID[1..] {
            let e = error(phi);
            if e < best.1 {
                best = (phi, e);
            }
        }
        Ok(best.0)
    }

    /// The observations' weights in the likelihood, summing to 1: halved
    /// every [`Glm::half_life`] years back from the last observation
    /// (equal without one).
    fn weights(&self, design: &Design, n: usize) -> Vec<f64> {
        let last = at(design.start, design.freq, n.saturating_sub(1)).unwrap_or(design.start);
        let raw: Vec<f64> = (0..n)
            .map(|i| match (self.half_life, at(design.start, design.freq, i)) {
                (Some(h), Ok(ts)) => 0.5f64.powf(years(ts, last) / h),
                _ => 1.0,
            })
            .collect();
        let total: f64 = raw.iter().sum();
        raw.into_iter().map(|w| w / total).collect()
    }
}

/// The columns of the design at a series' timestamps.
#[derive(Debug, Clone, PartialEq)]
struct Design {
    start: NaiveDateTime,
    freq: Freq,
    /// Hinge positions in years since `start`.
    knots: Vec<f64>,
    yearly: usize,
    calendar: Option<Calendar>,
    /// Steps `1[i ≥ s]` at these observation indices (level shifts).
    shifts: Vec<usize>,
}

impl Design {
    fn new(glm: &Glm, start: NaiveDateTime, freq: Freq, n: usize) -> Result<Self> {
        let span = years(start, at(start, freq, n.saturating_sub(1))?);
        let per_year: usize = match freq {
            Freq::Hourly => 8766,
            Freq::Daily => 365,
            Freq::Weekly => 52,
            Freq::Monthly => 12,
        };
        // Below the Nyquist limit (a pair per two steps a year, less one).
        let nyquist = (per_year / 2).saturating_sub(1);
        let yearly = if span * YEAR >= YEARLY_DAYS {
            glm.yearly_order.min(nyquist)
        } else {
            0
        };
        Ok(Self {
            start,
            freq,
            knots: glm.knots.iter().map(|k| k * span).collect(),
            yearly,
            calendar: glm.calendar.clone(),
            shifts: Vec::new(),
        })
    }

    fn n_columns(&self) -> usize {
        let seasonal = match self.freq {
            Freq::Hourly => 23 + 6,
            Freq::Daily => 6,
            Freq::Weekly | Freq::Monthly => 0,
        };
        let holiday = match (&self.calendar, self.freq) {
            (None, _) => 0,
            (Some(_), Freq::Hourly | Freq::Daily) => 2,
            (Some(_), _) => 1,
        };
        2 + self.knots.len() + seasonal + 2 * self.yearly + holiday + self.shifts.len()
    }

    /// Rows `from .. from + count`, flattened row after row.
    fn rows(&self, from: usize, count: usize) -> Result<Vec<f64>> {
        let p = self.n_columns();
        let times = (from..=from + count)
            .map(|i| at(self.start, self.freq, i))
            .collect::<Result<Vec<_>>>()?;
        // Holidays from the day before the first step to the end of the last.
        let holidays: Vec<NaiveDate> = match (&self.calendar, times.first(), times.last()) {
            (Some(cal), Some(first), Some(end)) => {
                let day_before = first.date().pred_opt().unwrap_or(first.date());
                let mut d: Vec<NaiveDate> = cal
                    .days_between(day_before, end.date().succ_opt().unwrap_or(end.date()))
                    .into_iter()
                    .map(|h| h.date)
                    .collect();
                d.dedup();
                d
            }
            _ => Vec::new(),
        };
        let count_in = |from: NaiveDate, to: NaiveDate| {
            (holidays.partition_point(|d| *d < to) - holidays.partition_point(|d| *d < from)) as f64
        };
        let is_holiday = |d: NaiveDate| holidays.binary_search(&d).is_ok();
        let mut out = Vec::with_capacity(count * p);
        for (i, w) in (from..).zip(times.windows(2)) {
            let (ts, next) = (w[0], w[1]);
            let t = years(self.start, ts);
            out.push(1.0);
            out.push(t);
            out.extend(self.knots.iter().map(|k| (t - k).max(0.0)));
            if self.freq == Freq::Hourly {
                out.extend((1..24).map(|h| f64::from(u8::from(ts.hour() == h))));
            }
            if matches!(self.freq, Freq::Hourly | Freq::Daily) {
                let wd = ts.weekday().num_days_from_monday();
                out.extend((1..7).map(|d| f64::from(u8::from(wd == d))));
            }
            if self.yearly > 0 {
                let day = f64::from(ts.ordinal()) + f64::from(ts.num_seconds_from_midnight()) / 86_400.0;
                for j in 1..=self.yearly {
                    let angle = std::f64::consts::TAU * j as f64 * day / YEAR;
                    out.push(angle.sin());
                    out.push(angle.cos());
                }
            }
            if self.calendar.is_some() {
                let day = ts.date();
                if matches!(self.freq, Freq::Hourly | Freq::Daily) {
                    let today = is_holiday(day);
                    let yesterday = day.pred_opt().is_some_and(is_holiday);
                    out.push(f64::from(u8::from(today)));
                    out.push(f64::from(u8::from(yesterday && !today)));
                } else {
                    out.push(count_in(day, next.date()));
                }
            }
            out.extend(self.shifts.iter().map(|s| f64::from(u8::from(i >= *s))));
        }
        Ok(out)
    }
}

/// The local level `ℓ_t = (1 − α)·ℓ_{t−1} + α·log((y_t + ½)/(μ_t + ½))`
/// after each of `y`, from `ℓ = start` before the first.
fn local_level(alpha: f64, start: f64, y: &[f64], mu: &[f64]) -> Vec<f64> {
    let mut l = start;
    y.iter()
        .zip(mu)
        .map(|(yi, m)| {
            l = (1.0 - alpha) * l + alpha * ((yi + 0.5) / (m + 0.5)).ln();
            l
        })
        .collect()
}

/// The dampings φ of the local level among which a fit chooses when
/// [`Glm::level_damping`] is `None`: from a level that fades within days
/// (0.8 a step) to one that persists (1).
pub const DAMPING_GRID: [f64; 6] = [0.8, 0.9, 0.95, 0.98, 0.99, 1.0];

/// The damping of a series too short to choose one on held-out data.
pub const FALLBACK_DAMPING: f64 = 0.9;

/// The smallest change of level, on the log scale, that is taken for a
/// level shift (×1.65 or ×0.61).
const SHIFT_MIN: f64 = 0.5;

/// The largest level shift in the log residuals `ln((y + ½)/(μ + ½))` of a
/// fit, if any: the observation index from which the level changed.
///
/// The residuals are averaged over blocks of a week (of days or hours; one
/// step for weekly and monthly series), aligned with the last observation.
/// A block boundary is a shift when
/// - the median of the `local` block means after it (4 weeks; 2 months)
///   differs from the median of the `local` before it by at least
///   [`SHIFT_MIN`] and 3 times the spread of a block mean (`1.4826 ·
///   median |Δ block mean| / √2`): a jump, which the smooth terms of the
///   fit (trend, yearly) can only straddle;
/// - and the medians of the `long` blocks on either side (13 weeks, a
///   quarter; 4 months) differ in the same direction by at least half of
///   [`SHIFT_MIN`]: the new level lasts. Medians, so that a surge shorter
///   than half of that (an outbreak) is not a shift; and no boundary in
///   the last `long` blocks is one (the damped local level follows a
///   recent change).
///
/// The largest jump at least `local` blocks from every shift already
/// `taken` is taken, placed at the single step within a block of its
/// boundary that best splits the residuals of the two blocks on either
/// side.
fn level_shift(y: &[f64], mu: &[f64], freq: Freq, taken: &[usize]) -> Option<usize> {
    let (block, local, long) = match freq {
        Freq::Hourly => (168, 4, 13),
        Freq::Daily => (7, 4, 13),
        Freq::Weekly => (1, 4, 13),
        Freq::Monthly => (1, 2, 4),
    };
    let resid: Vec<f64> = y.iter().zip(mu).map(|(y, m)| ((y + 0.5) / (m + 0.5)).ln()).collect();
    let n = resid.len();
    let blocks = n / block;
    if blocks < 2 * long {
        return None;
    }
    let offset = n - blocks * block;
    let means: Vec<f64> = resid[offset..]
        .chunks_exact(block)
        .map(|c| c.iter().sum::<f64>() / block as f64)
        .collect();
    let median = |values: &[f64]| {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            0.5 * (sorted[mid - 1] + sorted[mid])
        }
    };
    let change = |b: usize, w: usize| median(&means[b..b + w]) - median(&means[b.saturating_sub(w)..b]);
    let steps: Vec<f64> = means.windows(2).map(|p| (p[1] - p[0]).abs()).collect();
    let spread = 1.4826 * median(&steps) / std::f64::consts::SQRT_2;
    let (b, _) = (long..=blocks - long)
        .map(|b| (b, change(b, local)))
        .filter(|(b, jump)| {
            let at = offset + b * block;
            jump.abs() >= SHIFT_MIN.max(3.0 * spread)
                && change(*b, long) * jump.signum() >= 0.5 * SHIFT_MIN
                && taken.iter().all(|s| s.abs_diff(at) >= local * block)
        })
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
    // The step within a block of the boundary that best separates the two
    // blocks on either side.
    let at = offset + b * block;
    let reach = 2 * block;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    (at.saturating_sub(block).max(reach)..=(at + block).min(n - reach))
        .map(|t| (t, (mean(&resid[t..t + reach]) - mean(&resid[t - reach..t])).abs()))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
}

/// The timestamp of step `i`, or a typed error past chrono's range.
fn at(start: NaiveDateTime, freq: Freq, i: usize) -> Result<NaiveDateTime> {
    let t = freq.at(start, i);
    if t == NaiveDateTime::MAX {
        return Err(Error::InvalidParameter {
            name: "start",
            problem: "timestamps run past the end of the calendar".into(),
        });
    }
    Ok(t)
}

/// Years from `start` to `ts`.
fn years(start: NaiveDateTime, ts: NaiveDateTime) -> f64 {
    (ts - start).num_seconds() as f64 / (86_400.0 * YEAR)
}

/// The penalised weighted mean Poisson deviance (up to a constant) at
/// `eta = Xβ`, with weights `w` summing to 1.
fn objective(y: &[f64], w: &[f64], eta: &[f64], beta: &[f64], ridge: f64) -> f64 {
    let fit: f64 = y
        .iter()
        .zip(w)
        .zip(eta)
        .map(|((y, w), e)| w * (e.exp() - y * e))
        .sum::<f64>();
    fit + 0.5 * ridge * beta[1..].iter().map(|b| b * b).sum::<f64>()
}

fn linear(x: &[f64], beta: &[f64]) -> Vec<f64> {
    x.chunks_exact(beta.len())
        .map(|row| row.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().min(50.0))
        .collect()
}

/// Solve `a·x = b` for a symmetric positive definite `a` (`p × p`, row
/// major) by Cholesky; `None` when `a` is not positive definite.
#[allow(clippy::many_single_char_names)] // a, b, p, j, d: the usual names of linear algebra
fn cholesky_solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let p = b.len();
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= a[j * p + k] * a[j * p + k];
        }
        if !d.is_finite() || d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    for i in 0..p {
        let s: f64 = (0..i).map(|k| a[i * p + k] * b[k]).sum();
        b[i] = (b[i] - s) / a[i * p + i];
    }
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| a[k * p + i] * b[k]).sum();
        b[i] = (b[i] - s) / a[i * p + i];
    }
    Some(b)
}

/// Newton's method on [`objective`] from the intercept-only start.
#[allow(clippy::many_single_char_names)] // x, y, p, n, f: design, counts, columns, rows, objective
fn fit_poisson(x: &[f64], y: &[f64], weights: &[f64], p: usize, ridge: f64) -> Result<Vec<f64>> {
    let mean = y.iter().zip(weights).map(|(y, w)| y * w).sum::<f64>();
    let mut beta = vec![0.0; p];
    beta[0] = mean.max(f64::MIN_POSITIVE).ln();
    let mut eta = linear(x, &beta);
    let mut f = objective(y, weights, &eta, &beta, ridge);
    for _ in 0..100 {
        let mut grad = vec![0.0; p];
        let mut hess = vec![0.0; p * p];
        for (row, ((yi, wi), ei)) in x.chunks_exact(p).zip(y.iter().zip(weights).zip(&eta)) {
            let mu = ei.exp();
            let r = (mu - yi) * wi;
            let w = mu * wi;
            for a in 0..p {
                grad[a] += r * row[a];
                let wa = w * row[a];
                if wa != 0.0 {
                    for b in 0..=a {
                        hess[a * p + b] += wa * row[b];
                    }
                }
            }
        }
        for a in 1..p {
            grad[a] += ridge * beta[a];
            hess[a * p + a] += ridge;
        }
        for a in 0..p {
            for b in 0..a {
                hess[b * p + a] = hess[a * p + b];
            }
        }
        let Some(step) = cholesky_solve(hess, grad) else {
            return Err(Error::Model {
                model: "glm",
                message: "the Poisson likelihood's Hessian is singular (set ridge > 0)".into(),
            });
        };
        let mut s = 1.0;
        let mut improved = false;
        for _ in 0..40 {
            let trial: Vec<f64> = beta.iter().zip(&step).map(|(b, d)| b - s * d).collect();
            let trial_eta = linear(x, &trial);
            let trial_f = objective(y, weights, &trial_eta, &trial, ridge);
            if trial_f <= f {
                let change = f - trial_f;
                beta = trial;
                eta = trial_eta;
                f = trial_f;
                improved = change > 1e-15 * (1.0 + f.abs());
                break;
            }
            s *= 0.5;
        }
        let size = step.iter().map(|d| (s * d).abs()).fold(0.0, f64::max);
        if !improved || size < 1e-10 {
            break;
        }
    }
    Ok(beta)
}

/// The standardisation of the regressor columns over the history.
#[derive(Debug, Clone, PartialEq)]
struct Regressors {
    mean: Vec<f64>,
    /// Standard deviation (1 for a constant column).
    scale: Vec<f64>,
}

impl Regressors {
    /// Means and standard deviations of the first `n` rows of each column.
    fn of(x: &[Vec<f64>], n: usize) -> Self {
        let (mean, scale) = x
            .iter()
            .map(|c| {
                let c = &c[..n];
                let mean = c.iter().sum::<f64>() / n as f64;
                let sd = (c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
                (mean, if sd > 0.0 { sd } else { 1.0 })
            })
            .unzip();
        Self { mean, scale }
    }

    /// The calendar rows `cal` (`p` columns each) with the standardised
    /// regressor columns `cols` (one value per row) appended to each row.
    fn append(&self, cal: &[f64], p: usize, cols: &[&[f64]]) -> Vec<f64> {
        if cols.is_empty() {
            return cal.to_vec();
        }
        let mut out = Vec::with_capacity(cal.len() / p.max(1) * (p + cols.len()));
        for (t, row) in cal.chunks_exact(p).enumerate() {
            out.extend_from_slice(row);
            for (j, c) in cols.iter().enumerate() {
                out.push((c[t] - self.mean[j]) / self.scale[j]);
            }
        }
        out
    }
}

/// A fitted [`Glm`].
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGlm {
    design: Design,
    regressors: Regressors,
    /// The regressors' known future rows given at fit time.
    future_x: Vec<Vec<f64>>,
    beta: Vec<f64>,
    y: Vec<f64>,
    /// The calendar mean `μ_t` over the history.
    mu: Vec<f64>,
    /// The local level after each observation (`ℓ_t`).
    level: Vec<f64>,
    damping: f64,
    /// The observations' weights in the fit (summing to 1).
    weights: Vec<f64>,
}

impl FittedGlm {
    /// The timestamps from which the level shifted (a step in the model;
    /// see the [module documentation](self)), in the order found: the
    /// largest first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] past the end of the calendar (not for a
    /// fitted history).
    pub fn level_shifts(&self) -> Result<Vec<NaiveDateTime>> {
        let d = &self.design;
        d.shifts.iter().map(|i| at(d.start, d.freq, *i)).collect()
    }

    /// `(name, coefficient)` pairs of the log-linear model, in the order of
    /// the design (`intercept`, `trend`, `hinge1..`, `hour1..23`,
    /// `weekday1..6` (Tuesday..Sunday against Monday), `yearly_sin1`,
    /// `yearly_cos1`, .., `holiday`, `after_holiday`, `level_shift1..` (the
    /// log rate ratio of each step in [`FittedGlm::level_shifts`]), and
    /// `regressor0..`, per standard deviation, after the others).
    #[must_use]
    pub fn coefficients(&self) -> Vec<(String, f64)> {
        let d = &self.design;
        let mut names = vec!["intercept".to_string(), "trend".into()];
        names.extend((1..=d.knots.len()).map(|k| format!("hinge{k}")));
        if d.freq == Freq::Hourly {
            names.extend((1..24).map(|h| format!("hour{h}")));
        }
        if matches!(d.freq, Freq::Hourly | Freq::Daily) {
            names.extend((1..7).map(|w| format!("weekday{w}")));
        }
        for j in 1..=d.yearly {
            names.push(format!("yearly_sin{j}"));
            names.push(format!("yearly_cos{j}"));
        }
        if d.calendar.is_some() {
            names.push("holiday".into());
            if matches!(d.freq, Freq::Hourly | Freq::Daily) {
                names.push("after_holiday".into());
            }
        }
        names.extend((1..=d.shifts.len()).map(|k| format!("level_shift{k}")));
        names.extend((0..self.regressors.mean.len()).map(|j| format!("regressor{j}")));
        names.into_iter().zip(self.beta.iter().copied()).collect()
    }

    /// The forecast with the regressors' future rows `future` (columns of
    /// `horizon` rows).
    fn forecast(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        check_levels(levels)?;
        let mu = self.calendar_mean(horizon, future)?;
        let last = self.level.last().copied().unwrap_or(0.0);
        let point: Vec<f64> = mu
            .iter()
            .enumerate()
            .map(|(k, m)| m * (self.damping.powf((k + 1) as f64) * last).exp())
            .collect();
        let theta: Vec<f64> = (1..=horizon).map(|k| self.dispersion(k)).collect();
        let sd: Vec<f64> = point
            .iter()
            .zip(&theta)
            .map(|(m, th)| (m + th * m * m).sqrt())
            .collect();
        let scores = if levels.is_empty() {
            Vec::new()
        } else {
            self.scores(&theta)
        };
        let mut lower = Vec::with_capacity(levels.len());
        let mut upper = Vec::with_capacity(levels.len());
        for &level in levels {
            let q = empirical_quantile(&scores, level);
            lower.push(point.iter().zip(&sd).map(|(m, s)| (m - q * s).max(0.0)).collect());
            upper.push(point.iter().zip(&sd).map(|(m, s)| m + q * s).collect());
        }
        Ok(Forecast {
            point,
            levels: levels.to_vec(),
            lower,
            upper,
        })
    }

    /// The calendar's mean `μ` of the `horizon` steps after the history,
    /// with the regressors' future rows `future`.
    fn calendar_mean(&self, horizon: usize, future: &[Vec<f64>]) -> Result<Vec<f64>> {
        if self.beta[0] == f64::NEG_INFINITY {
            return Ok(vec![0.0; horizon]);
        }
        let cols: Vec<&[f64]> = future.iter().map(Vec::as_slice).collect();
        let x = self.regressors.append(
            &self.design.rows(self.y.len(), horizon)?,
            self.design.n_columns(),
            &cols,
        );
        Ok(linear(&x, &self.beta).into_iter().map(f64::exp).collect())
    }

    /// The damping φ of the local level per step: [`Glm::level_damping`],
    /// or the value chosen for this series on held-out data.
    #[must_use]
    pub fn level_damping(&self) -> f64 {
        self.damping
    }

    /// The in-sample `k`-step-ahead forecasts `m_{t+k} = μ_{t+k} ·
    /// exp(φᵏ·ℓ_t)` with the observations they forecast and the fit's
    /// weights of those observations, as `(y, m, w)` (`k` lowered so that
    /// at least 10 remain in a short history).
    fn ahead(&self, k: usize) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        let n = self.y.len();
        let k = k.min(n.saturating_sub(10)).max(1);
        let decay = self.damping.powf(k as f64);
        (0..n.saturating_sub(k)).map(move |t| {
            (
                self.y[t + k],
                self.mu[t + k] * (decay * self.level[t]).exp(),
                self.weights[t + k],
            )
        })
    }

    /// The over-dispersion `θ_k` of the `k`-step-ahead errors in the
    /// history: the weighted moment estimate `Σw((y − m)² − m) / Σw·m²`,
    /// at least 0.
    fn dispersion(&self, k: usize) -> f64 {
        let (excess, scale) = self.ahead(k).fold((0.0, 0.0), |(e, s), (y, m, w)| {
            (e + w * ((y - m).powi(2) - m), s + w * m * m)
        });
        if scale > 0.0 {
            (excess / scale).max(0.0)
        } else {
            0.0
        }
    }

    /// The standardised sizes `|y − m| / sd` of the in-sample
    /// `k`-step-ahead errors for `k = 1 ..= θ.len()`, with `sd² = m + θ_k·m²`
    /// (steps with `sd = 0` left out), with their observations' weights,
    /// sorted by size.
    fn scores(&self, theta: &[f64]) -> Vec<(f64, f64)> {
        // In-sample errors are smaller than out-of-sample ones by about
        // √((n − p)/n) for p coefficients fitted to n values (n the
        // weights' effective number of observations).
        let n = 1.0 / self.weights.iter().map(|w| w * w).sum::<f64>();
        let inflate = (n / (n - self.beta.len() as f64).max(1.0)).sqrt();
        let mut out: Vec<(f64, f64)> = theta
            .iter()
            .enumerate()
            .flat_map(|(k, th)| {
                self.ahead(k + 1).filter_map(move |(y, m, w)| {
                    let sd = (m + th * m * m).sqrt();
                    (sd > 0.0).then(|| (inflate * (y - m).abs() / sd, w))
                })
            })
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }
}

/// The level's weighted quantile of the `(score, weight)` pairs sorted by
/// score: the smallest score whose cumulative weight reaches `ℓ·(n + 1)/n`
/// of the total, `n` the weights' effective number (`(Σw)² / Σw²`; with
/// equal weights the `⌈(n + 1)·ℓ⌉`-th smallest, as the conformal intervals
/// of the trees), or the largest when `n` is too small for the level (a
/// short history must still give a finite interval); 0 without scores (a
/// series of zeros: no width).
fn empirical_quantile(scores: &[(f64, f64)], level: f64) -> f64 {
    let Some(&(largest, _)) = scores.last() else {
        return 0.0;
    };
    let total: f64 = scores.iter().map(|(_, w)| w).sum();
    let n = total * total / scores.iter().map(|(_, w)| w * w).sum::<f64>();
    // The same guard against rounding as `trees::conformal_quantile`.
    let target = total * (level / 100.0) * (n + 1.0) / n * (1.0 - 1e-9);
    let mut cumulative = 0.0;
    for &(s, w) in scores {
        cumulative += w;
        if cumulative >= target {
            return s;
        }
    }
    largest
}

impl Fit for Glm {
    type Fitted = FittedGlm;

    /// # Errors
    /// As [`Fit::fit_series`] with a daily series starting 1970-01-05.
    fn fit(&self, y: &[f64]) -> Result<FittedGlm> {
        self.fit_series(SeriesView::new(y, crate::trees::default_start(), Freq::Daily))
    }

    /// # Errors
    /// [`Error::InvalidParameter`] for invalid settings or a negative value
    /// (`"y"`, naming the row); [`Error::NonFinite`] naming the row;
    /// [`Error::TooShort`] below two weeks of days or hours (8 steps for
    /// weekly and monthly series); [`Error::Regressors`] for a regressor
    /// column shorter than the series or not finite.
    fn fit_series(&self, series: SeriesView<'_>) -> Result<FittedGlm> {
        self.check()?;
        series.check_regressors()?;
        let y = series.y;
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                unique_id: String::new(),
                row,
            });
        }
        if let Some(row) = y.iter().position(|v| *v < 0.0) {
            return Err(Error::InvalidParameter {
                name: "y",
                problem: format!("row {row} is negative; the GLM models counts"),
            });
        }
        let needed = match series.freq {
            Freq::Hourly => 2 * 168,
            Freq::Daily => 14,
            Freq::Weekly | Freq::Monthly => 8,
        };
        if y.len() < needed {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed,
                got: y.len(),
            });
        }
        let mut design = Design::new(self, series.start, series.freq, y.len())?;
        let regressors = Regressors::of(series.x, y.len());
        let weights = self.weights(&design, y.len());
        let (beta, mu) = if y.iter().all(|v| *v == 0.0) {
            // No counts at all: a zero mean (the log-linear fit has none).
            let mut beta = vec![0.0; design.n_columns() + regressors.mean.len()];
            beta[0] = f64::NEG_INFINITY;
            (beta, vec![0.0; y.len()])
        } else {
            let past: Vec<&[f64]> = series.x.iter().map(|c| &c[..y.len()]).collect();
            loop {
                let p = design.n_columns() + regressors.mean.len();
                let x = regressors.append(&design.rows(0, y.len())?, design.n_columns(), &past);
                let beta = fit_poisson(&x, y, &weights, p, self.ridge)?;
                let mu: Vec<f64> = linear(&x, &beta).into_iter().map(f64::exp).collect();
                let shift = (design.shifts.len() < self.level_shifts)
                    .then(|| level_shift(y, &mu, series.freq, &design.shifts))
                    .flatten();
                match shift {
                    Some(at) if !design.shifts.contains(&at) => design.shifts.push(at),
                    _ => break (beta, mu),
                }
            }
        };
        let level = local_level(self.level_alpha, 0.0, y, &mu);
        let damping = match self.level_damping {
            Some(phi) => phi,
            None => self.held_out_damping(series)?,
        };
        Ok(FittedGlm {
            design,
            regressors,
            future_x: series.x.iter().map(|c| c[y.len()..].to_vec()).collect(),
            beta,
            y: y.to_vec(),
            mu,
            level,
            damping,
            weights,
        })
    }
}

impl Predict for FittedGlm {
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100);
    /// [`Error::Regressors`] when a regressor has fewer than `horizon`
    /// future rows.
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        let future = future_rows(&self.future_x, 0, horizon)?;
        self.forecast(horizon, levels, &future)
    }

    /// # Errors
    /// As [`Predict::predict`]; [`Error::Regressors`] for a number of
    /// columns other than at fit time, or a non-finite value.
    fn predict_with(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast> {
        if future.len() != self.future_x.len() {
            return Err(Error::Regressors {
                problem: format!(
                    "the model was fitted with {} regressor columns, {} were given",
                    self.future_x.len(),
                    future.len()
                ),
            });
        }
        let future = future_rows(future, 0, horizon)?;
        if let Some((j, row)) = future
            .iter()
            .enumerate()
            .find_map(|(j, c)| c.iter().position(|v| !v.is_finite()).map(|row| (j, row)))
        {
            return Err(Error::Regressors {
                problem: format!("future regressor column {j} is not finite at row {row}"),
            });
        }
        self.forecast(horizon, levels, &future)
    }

    /// One-step-ahead fitted values `μ_t · exp(φ·ℓ_{t−1})`.
    fn predict_in_sample(&self) -> Vec<f64> {
        self.mu
            .iter()
            .enumerate()
            .map(|(t, m)| {
                let prev = if t == 0 { 0.0 } else { self.level[t - 1] };
                m * (self.damping * prev).exp()
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, clippy::many_single_char_names)] // exact quantiles; y, mu, m, k: the usual names
mod tests {
    use super::*;
    use chrono::NaiveTime;
    use hutano_core::calendar::Country;
    use rand::SeedableRng;

    fn day(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_time(NaiveTime::MIN)
    }

    /// Poisson counts around a known log-linear mean (weekday × yearly ×
    /// holiday), drawn with a seed.
    fn counts(start: NaiveDateTime, n: usize, cal: &Calendar, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let weekday = [0.15, 0.05, 0.0, 0.0, -0.02, -0.3, -0.4];
        let (mut y, mut mu) = (Vec::new(), Vec::new());
        for i in 0..n {
            let ts = Freq::Daily.at(start, i);
            let doy = f64::from(ts.ordinal());
            let log_mu = 30f64.ln()
                + weekday[ts.weekday().num_days_from_monday() as usize]
                + 0.2 * (std::f64::consts::TAU * doy / YEAR).sin()
                + if cal.is_holiday(ts.date()) { -0.5 } else { 0.0 };
            let m = log_mu.exp();
            y.push(crate::testing::poisson(&mut rng, m));
            mu.push(m);
        }
        (y, mu)
    }

    #[test]
    fn recovers_the_effects_of_a_known_log_linear_mean() {
        let cal = Calendar::national(Country::Zimbabwe);
        let start = day(2021, 1, 4);
        let (y, _) = counts(start, 1100, &cal, 7);
        let fitted = Glm::default()
            .calendar(cal)
            .level(0.0, 0.9)
            .fit_series(SeriesView::new(&y, start, Freq::Daily))
            .unwrap();
        let c: std::collections::HashMap<String, f64> = fitted.coefficients().into_iter().collect();
        // Saturday and Sunday against Monday: −0.45 and −0.55 in the truth.
        assert!((c["weekday5"] + 0.45).abs() < 0.05, "{c:?}");
        assert!((c["weekday6"] + 0.55).abs() < 0.05, "{c:?}");
        assert!((c["holiday"] + 0.5).abs() < 0.12, "{c:?}");
        assert!(c["trend"].abs() < 0.05 && c["after_holiday"].abs() < 0.12, "{c:?}");
    }

    #[test]
    fn forecasts_follow_the_calendar_and_intervals_cover() {
        let cal = Calendar::national(Country::Zimbabwe);
        let start = day(2021, 1, 4);
        let (y, mu) = counts(start, 1100 + 28, &cal, 11);
        let fitted = Glm::default()
            .calendar(cal.clone())
            .fit_series(SeriesView::new(&y[..1100], start, Freq::Daily))
            .unwrap();
        let fc = fitted.predict(28, &[80.0, 95.0]).unwrap();
        // Within 10 % of the true mean on every step (holidays included).
        for t in 0..28 {
            assert!(
                (fc.point[t] / mu[1100 + t] - 1.0).abs() < 0.1,
                "step {t}: {} vs {}",
                fc.point[t],
                mu[1100 + t]
            );
            assert!(fc.lower[1][t] <= fc.lower[0][t] && fc.lower[0][t] <= fc.point[t]);
            assert!(fc.point[t] <= fc.upper[0][t] && fc.upper[0][t] <= fc.upper[1][t]);
        }
        // 95 % intervals of Poisson counts: the 80 % interval of a mean
        // near 30 spans about ±7.
        let width = fc.upper[0][2] - fc.lower[0][2];
        assert!((10.0..=20.0).contains(&width), "{width}");
        assert_eq!(fitted.predict_in_sample().len(), 1100);
    }

    #[test]
    fn intervals_cover_held_out_counts_near_their_level() {
        // 20 origins 14 days apart on Poisson counts; the scores carry the
        // sampling error of the fit, so coverage is near nominal.
        let cal = Calendar::national(Country::Zimbabwe);
        let start = day(2021, 1, 4);
        let (y, _) = counts(start, 900 + 20 * 14, &cal, 3);
        let model = Glm::default().calendar(cal);
        let (mut hits, mut total) = ([0u32; 2], 0u32);
        for o in 0..20 {
            let cut = 900 + 14 * o;
            let fc = model
                .fit_series(SeriesView::new(&y[..cut], start, Freq::Daily))
                .unwrap()
                .predict(14, &[80.0, 95.0])
                .unwrap();
            for t in 0..14 {
                for (j, hit) in hits.iter_mut().enumerate() {
                    *hit += u32::from(fc.lower[j][t] <= y[cut + t] && y[cut + t] <= fc.upper[j][t]);
                }
                total += 1;
            }
        }
        let cover = |j: usize| f64::from(hits[j]) / f64::from(total);
        assert!((0.74..=0.86).contains(&cover(0)), "80 %: {}", cover(0));
        assert!((0.91..=0.99).contains(&cover(1)), "95 %: {}", cover(1));
    }

    #[test]
    fn a_regressor_multiplies_the_mean_by_its_rate_ratio() {
        // Planned admissions on every third day raise the mean by e^0.4.
        let start = day(2022, 1, 3);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = 700;
        let planned: Vec<f64> = (0..n + 14).map(|t| f64::from(u8::from(t % 3 == 0))).collect();
        let y: Vec<f64> = (0..n)
            .map(|t| crate::testing::poisson(&mut rng, 20.0 * (0.4 * planned[t]).exp()))
            .collect();
        let x = vec![planned.clone()];
        let fitted = Glm::default()
            .level(0.0, 0.9)
            .fit_series(SeriesView::new(&y, start, Freq::Daily).with_regressors(&x))
            .unwrap();
        let c: std::collections::HashMap<String, f64> = fitted.coefficients().into_iter().collect();
        // Per standard deviation of a 1-in-3 indicator (√(2/9)).
        assert!((c["regressor0"] / (2.0f64 / 9.0).sqrt() - 0.4).abs() < 0.05, "{c:?}");
        // The fit-time future rows, and the same rows given at predict time.
        let fc = fitted.predict(6, &[80.0]).unwrap();
        let same = fitted.predict_with(6, &[80.0], &[planned[n..].to_vec()]).unwrap();
        assert_eq!(fc, same);
        let ratio = fc.point[2] / fc.point[1]; // day 702 is planned, day 701 not
        assert!((ratio - 0.4f64.exp()).abs() < 0.08, "{ratio}");
        assert!(matches!(fitted.predict(20, &[]), Err(Error::Regressors { .. })));
        assert!(matches!(
            fitted.predict_with(6, &[], &[]),
            Err(Error::Regressors { .. })
        ));
        assert!(matches!(
            fitted.predict_with(2, &[], &[vec![f64::NAN, 0.0]]),
            Err(Error::Regressors { .. })
        ));
    }

    #[test]
    fn weekly_monthly_and_hourly_series_fit() {
        for (freq, n) in [(Freq::Weekly, 160usize), (Freq::Monthly, 40), (Freq::Hourly, 24 * 60)] {
            let y: Vec<f64> = (0..n).map(|i| 20.0 + ((i * 7919) % 9) as f64).collect();
            let fc = Glm::default()
                .calendar(Calendar::national(Country::India))
                .fit_series(SeriesView::new(&y, day(2022, 1, 3), freq))
                .unwrap()
                .predict(12, &[90.0])
                .unwrap();
            assert!(
                fc.point.iter().all(|p| (15.0..=35.0).contains(p)),
                "{freq:?}: {:?}",
                fc.point
            );
        }
    }

    #[test]
    fn zeros_and_bad_input_are_handled() {
        let fc = Glm::default().fit(&[0.0; 30]).unwrap().predict(5, &[95.0]).unwrap();
        assert_eq!(fc.point, vec![0.0; 5]);
        assert_eq!(fc.upper[0], vec![0.0; 5]);
        let mut y = vec![3.0; 30];
        y[4] = -1.0;
        assert!(matches!(
            Glm::default().fit(&y),
            Err(Error::InvalidParameter { name: "y", .. })
        ));
        y[4] = f64::NAN;
        assert!(matches!(Glm::default().fit(&y), Err(Error::NonFinite { row: 4, .. })));
        assert!(matches!(
            Glm::default().fit(&[1.0; 5]),
            Err(Error::TooShort { needed: 14, .. })
        ));
        let bad = Glm {
            knots: vec![1.5],
            ..Glm::default()
        };
        assert!(matches!(
            bad.fit(&[1.0; 30]),
            Err(Error::InvalidParameter { name: "knots", .. })
        ));
        assert!(matches!(
            Glm::default().level(1.5, 0.9).fit(&[1.0; 30]),
            Err(Error::InvalidParameter {
                name: "level_alpha",
                ..
            })
        ));
        let x = vec![vec![1.0; 29]];
        let view = SeriesView::new(&[1.0; 30], crate::trees::default_start(), Freq::Daily).with_regressors(&x);
        assert!(matches!(Glm::default().fit_series(view), Err(Error::Regressors { .. })));
        for h in [0.0, -1.0, f64::NAN] {
            let bad = Glm {
                half_life: Some(h),
                ..Glm::default()
            };
            assert!(matches!(
                bad.fit(&[1.0; 30]),
                Err(Error::InvalidParameter { name: "half_life", .. })
            ));
        }
    }

    /// Poisson counts with a weekday pattern (`early` before day `change`,
    /// `late` from it) around `base[0]` a day, then `base[1]` from day
    /// `change` on; the true means are returned with the counts.
    fn changed(n: usize, change: usize, base: [f64; 2], early: [f64; 7], late: [f64; 7]) -> (Vec<f64>, Vec<f64>) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let start = day(2022, 1, 3); // a Monday
        let (mut y, mut mu) = (Vec::new(), Vec::new());
        for i in 0..n {
            let wd = Freq::Daily.at(start, i).weekday().num_days_from_monday() as usize;
            let m = if i < change {
                base[0] * early[wd]
            } else {
                base[1] * late[wd]
            };
            y.push(crate::testing::poisson(&mut rng, m));
            mu.push(m);
        }
        (y, mu)
    }

    fn mean_abs_pct(fc: &Forecast, mu: &[f64]) -> f64 {
        fc.point.iter().zip(mu).map(|(f, m)| (f / m - 1.0).abs()).sum::<f64>() / mu.len() as f64
    }

    #[test]
    fn a_level_shift_becomes_a_step_and_the_forecast_starts_from_the_new_level() {
        // A trust's discharges jump from 30 to 150 a day on day 500 (a
        // merger): the yearly terms must not bend around the jump.
        let week = [1.1, 1.05, 1.0, 1.0, 1.0, 0.5, 0.4];
        let (y, mu) = changed(914 + 14, 500, [30.0, 150.0], week, week);
        let start = day(2022, 1, 3);
        let fit = |glm: Glm| glm.fit_series(SeriesView::new(&y[..914], start, Freq::Daily)).unwrap();
        let with = fit(Glm::default());
        let shifts = with.level_shifts().unwrap();
        assert_eq!(shifts.len(), 1, "{shifts:?}");
        let found = (shifts[0] - start).num_days();
        assert!((found - 500).abs() <= 3, "shift found on day {found}");
        let c: std::collections::HashMap<String, f64> = with.coefficients().into_iter().collect();
        assert!((c["level_shift1"] - 5f64.ln()).abs() < 0.1, "{c:?}");
        let err = mean_abs_pct(&with.predict(14, &[]).unwrap(), &mu[914..]);
        assert!(err < 0.1, "{err}");
        // Without the step the fit is worse, at every half-life.
        for half_life in [None, Some(1.0)] {
            let without = fit(Glm {
                level_shifts: 0,
                half_life,
                ..Glm::default()
            });
            assert!(without.level_shifts().unwrap().is_empty());
            assert!(mean_abs_pct(&without.predict(14, &[]).unwrap(), &mu[914..]) > err);
        }
    }

    #[test]
    fn seasons_and_holidays_are_not_level_shifts_and_an_outbreak_does_not_move_the_forecast() {
        let cal = Calendar::national(Country::Zimbabwe);
        let start = day(2021, 1, 4);
        for seed in [7, 11] {
            let (mut y, mu) = counts(start, 1100 + 28, &cal, seed);
            let fit = |y: &[f64]| {
                Glm::default()
                    .calendar(cal.clone())
                    .fit_series(SeriesView::new(&y[..1100], start, Freq::Daily))
                    .unwrap()
            };
            assert!(fit(&y).level_shifts().unwrap().is_empty(), "seed {seed}");
            // An outbreak: six weeks at twice the mean, ending 16 weeks
            // before the cutoff. It may be fitted as a pair of steps (up,
            // then down); the forecast stays on the true mean.
            for v in &mut y[870..912] {
                *v *= 2.0;
            }
            let fc = fit(&y).predict(28, &[]).unwrap();
            for t in 0..28 {
                let ratio = fc.point[t] / mu[1100 + t];
                assert!((ratio - 1.0).abs() < 0.1, "seed {seed}, step {t}: {ratio}");
            }
        }
    }

    #[test]
    fn the_damping_is_chosen_on_held_out_data() {
        // A calendar whose level rose by half over the last quarter of the
        // history and stays there: too recent for a step, not a blip.
        let start = day(2022, 1, 3);
        let cal = Calendar::national(Country::Zimbabwe);
        let (n, h) = (1000, 14);
        let (steady, mu) = counts(start, n + h, &cal, 21);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let lift = |i: usize| 1.0 + 0.5 * (i.saturating_sub(n - 91) as f64 / 91.0).min(1.0);
        let lifted: Vec<f64> = mu
            .iter()
            .enumerate()
            .map(|(i, m)| crate::testing::poisson(&mut rng, m * lift(i)))
            .collect();
        let error = |glm: Glm, y: &[f64], truth: &[f64]| {
            let fitted = glm.fit_series(SeriesView::new(&y[..n], start, Freq::Daily)).unwrap();
            let f = fitted.predict(h, &[]).unwrap();
            let e = f.point.iter().zip(&truth[n..]).map(|(p, t)| (p - t).abs()).sum::<f64>();
            (fitted.level_damping(), e)
        };
        let truth: Vec<f64> = mu.iter().enumerate().map(|(i, m)| m * lift(i)).collect();
        let glm = || Glm::default().calendar(cal.clone());
        let (chosen, auto) = error(glm(), &lifted, &truth);
        let (fixed, old) = error(glm().level(0.1, 0.9), &lifted, &truth);
        assert_eq!(fixed, 0.9);
        assert!(chosen >= 0.95, "{chosen}");
        assert!(auto < 0.8 * old, "{auto} vs {old}");
        // Without the lift the choice costs little, whatever it is: the
        // forecast stays within 5 % of the true mean (about 30 a day, a
        // Poisson spread of ±5.5).
        let (_, auto) = error(glm(), &steady, &mu);
        let mean = mu[n..].iter().sum::<f64>();
        assert!(auto < 0.05 * mean, "{auto} vs {mean}");
    }

    #[test]
    fn the_half_life_follows_a_changed_weekday_pattern() {
        // Saturdays were busy for two years, then quiet (a change in how
        // the days are recorded): the last year's pattern should win.
        let early = [0.6, 1.1, 1.1, 1.1, 1.1, 1.1, 0.6];
        let late = [1.1, 1.1, 1.1, 1.1, 1.1, 0.6, 0.5];
        let (y, mu) = changed(1096 + 14, 730, [80.0, 80.0], early, late);
        let fc = |half_life| {
            Glm {
                half_life,
                ..Glm::default()
            }
            .fit_series(SeriesView::new(&y[..1096], day(2022, 1, 3), Freq::Daily))
            .unwrap()
            .predict(14, &[80.0])
            .unwrap()
        };
        let (weighted, equal) = (fc(Some(1.0)), fc(None));
        let (e_weighted, e_equal) = (mean_abs_pct(&weighted, &mu[1096..]), mean_abs_pct(&equal, &mu[1096..]));
        assert!(e_weighted < 0.75 * e_equal, "{e_weighted} vs {e_equal}");
        assert!(e_weighted < 0.15, "{e_weighted}");
    }
}
