//! A Prophet-like additive forecaster for daily series.
//!
//! The model of Taylor & Letham (2018), "Forecasting at scale", *The
//! American Statistician* 72(1), 37–45 (reference implementation:
//! facebook/prophet, `python/prophet/forecaster.py`), in its additive form:
//!
//! ```text
//! y(t) = g(t) + s(t) + h(t) + ε,   ε ~ N(0, σ²)
//! ```
//!
//! - **Trend** `g(t) = m + k·t + Σ_j δ_j (t − s_j)₊`: piecewise linear, with
//!   `n_changepoints` potential changepoints `s_j` evenly spaced over the
//!   first `changepoint_range` of the history (Prophet's rule: the indices
//!   `round(linspace(0, ⌊n·range⌋ − 1, S + 1))[1..]`, with `S` reduced to
//!   `⌊n·range⌋ − 1` for short series) and a Laplace prior
//!   `δ_j ~ Laplace(0, τ)`, `τ = changepoint_prior_scale` (§3.1.3).
//! - **Seasonality** `s(t)`: Fourier terms `sin(2πk·d/P)`, `cos(2πk·d/P)`
//!   in the day number `d` since 1970-01-01: weekly (`P = 7`, order 3) and
//!   yearly (`P = 365.25`, order 10, only when the history spans at least
//!   two years, Prophet's automatic rule), with Gaussian priors of scale
//!   `seasonality_prior_scale` (§3.2).
//! - **Holidays** `h(t)`: one 0/1 indicator per holiday *name* of an
//!   optional [`Calendar`] seen in the history, Gaussian prior of scale
//!   `holidays_prior_scale` (§3.3). Names first seen in the future have no
//!   effect.
//!
//! As in Prophet, `y` is divided by `max |y|` and time is scaled to
//! `t ∈ [0, 1]` over the history; `k` and `m` get Prophet's weak `N(0, 5)`
//! priors only in spirit: they are left unpenalised (flat), which on the
//! scaled data makes no practical difference.
//!
//! # Estimation
//! For fixed changepoints the trend is linear in `(m, k, δ)`, so the MAP
//! estimate is a convex elastic-net–style regression:
//!
//! ```text
//! minimise ½σ⁻²‖y − Xβ‖² + Σ_j |δ_j|/τ + Σ_s β_s²/(2σ_s²).
//! ```
//!
//! It is solved exactly and deterministically by cyclic coordinate descent
//! on the Gram matrix (soft-thresholding for `δ`, closed-form ridge updates
//! for the seasonal and holiday terms, plain least squares for `k`; the
//! intercept is profiled out by centring), until the relative change of the
//! objective in a sweep is below `1e-8` (at most 10 000 sweeps), polished
//! by an exact active-set step (with the signs of the non-zero `δ` fixed the
//! objective is quadratic; it is minimised by Cholesky, stepping back to the
//! first sign change when needed), since plain coordinate descent is slow on
//! the strongly correlated hinge columns. The noise
//! scale σ is profiled out by alternation: it starts from the residual
//! standard deviation of a least-squares fit without changepoints (linear
//! trend, seasonality, holidays), and is re-estimated as `sqrt(RSS/n)` after
//! each of three solves (warm-started). This is the MAP of Prophet's model
//! with σ profiled out, **not** Prophet's Stan L-BFGS fit with a half-normal
//! prior on σ, so coefficients can differ slightly from Prophet's.
//!
//! # Forecast and intervals
//! The trend continues with the last rate (every hinge is active after the
//! history); seasonality and holidays come from the future dates. The
//! intervals are normal with
//!
//! ```text
//! sd(t)² = y_scale² · (σ² + 2·S·λ²·(t − 1)³ / 3),   λ = mean_j |δ_j| (scaled)
//! ```
//!
//! This is Prophet's trend-uncertainty simulation (`sample_predictive_trend`)
//! done analytically: future changepoints arrive as a Poisson process with
//! the historical rate of `S` per unit of scaled time, each with a
//! `Laplace(0, λ)` rate change (variance `2λ²`); a change at `c ∈ (1, t)`
//! moves the trend at `t` by `δ·(t − c)`, and Campbell's theorem gives the
//! variance `S ∫₁ᵗ 2λ²(t − c)² dc = 2Sλ²(t − 1)³/3`. It grows with the
//! horizon, so the intervals widen monotonically. Prophet's seasonal
//! parameter uncertainty (only with MCMC) is not included.
//!
//! ```
//! use hutano_forecast::forecast::{Fit, Predict};
//! use hutano_forecast::prophet::Prophet;
//!
//! let y: Vec<f64> = (0..120).map(|t| 50.0 + 0.1 * t as f64 + [5.0, 3.0, 2.0, 1.0, 0.0, -6.0, -5.0][t % 7]).collect();
//! let fitted = Prophet::params().changepoint_prior_scale(0.1).fit(&y)?;
//! let f = fitted.predict(14, &[80.0, 95.0])?;
//! assert_eq!(f.len(), 14);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use hutano_core::calendar::Calendar;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};
use crate::panel::Freq;

/// Fewest observations accepted.
const MIN_OBS: usize = 14;
/// Relative objective change that ends coordinate descent.
const TOL: f64 = 1e-8;
/// Most coordinate-descent sweeps per solve.
const MAX_SWEEPS: usize = 10_000;
/// Solves in the alternation between the coefficients and σ.
const OUTER_ROUNDS: usize = 3;
/// Smallest noise scale (in units of `max |y|`), so that the priors keep
/// acting on noiseless data.
const SIGMA_FLOOR: f64 = 1e-4;
/// Weekly period in days.
const WEEK: f64 = 7.0;
/// Yearly period in days.
const YEAR: f64 = 365.25;
/// History span (days) from which the yearly seasonality is used.
const YEARLY_MIN_SPAN: usize = 730;

/// Specification of the Prophet-like model (Taylor & Letham 2018), a
/// consuming builder in the manner of linfa; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prophet {
    n_changepoints: usize,
    changepoint_range: f64,
    changepoint_prior_scale: f64,
    seasonality_prior_scale: f64,
    holidays_prior_scale: f64,
    weekly_order: usize,
    yearly_order: usize,
    calendar: Option<Calendar>,
    non_negative: bool,
}

impl Default for Prophet {
    fn default() -> Self {
        Self {
            n_changepoints: 25,
            changepoint_range: 0.8,
            changepoint_prior_scale: 0.05,
            seasonality_prior_scale: 10.0,
            holidays_prior_scale: 10.0,
            weekly_order: 3,
            yearly_order: 10,
            calendar: None,
            non_negative: true,
        }
    }
}

impl Prophet {
    /// Prophet's defaults: 25 changepoints over the first 80 % of the
    /// history, prior scales 0.05 (changepoints), 10 (seasonality) and 10
    /// (holidays), weekly order 3, yearly order 10, no calendar, forecasts
    /// clipped at zero.
    #[must_use]
    pub fn params() -> Self {
        Self::default()
    }

    /// Number of potential changepoints (0 for a straight line).
    #[must_use]
    pub fn n_changepoints(mut self, n: usize) -> Self {
        self.n_changepoints = n;
        self
    }

    /// Share of the history, in (0, 1], over which changepoints are placed.
    #[must_use]
    pub fn changepoint_range(mut self, range: f64) -> Self {
        self.changepoint_range = range;
        self
    }

    /// Scale τ > 0 of the Laplace prior on the rate changes; larger values
    /// give a more flexible trend.
    #[must_use]
    pub fn changepoint_prior_scale(mut self, scale: f64) -> Self {
        self.changepoint_prior_scale = scale;
        self
    }

    /// Scale > 0 of the Gaussian prior on the Fourier coefficients.
    #[must_use]
    pub fn seasonality_prior_scale(mut self, scale: f64) -> Self {
        self.seasonality_prior_scale = scale;
        self
    }

    /// Scale > 0 of the Gaussian prior on the holiday effects.
    #[must_use]
    pub fn holidays_prior_scale(mut self, scale: f64) -> Self {
        self.holidays_prior_scale = scale;
        self
    }

    /// Fourier order of the weekly seasonality (0 disables it).
    #[must_use]
    pub fn weekly_order(mut self, order: usize) -> Self {
        self.weekly_order = order;
        self
    }

    /// Fourier order of the yearly seasonality (0 disables it). It is used
    /// only when the history spans at least two years.
    #[must_use]
    pub fn yearly_order(mut self, order: usize) -> Self {
        self.yearly_order = order;
        self
    }

    /// Holiday calendar: one effect per holiday name seen in the history.
    #[must_use]
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// Whether `predict` and `predict_in_sample` clip at zero (counts).
    #[must_use]
    pub fn non_negative(mut self, yes: bool) -> Self {
        self.non_negative = yes;
        self
    }

    /// Validate every parameter. Orders and `n_changepoints` are unsigned,
    /// so any value is valid.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first parameter that is not
    /// finite and positive (prior scales) or not in (0, 1]
    /// (`changepoint_range`).
    pub fn check(&self) -> Result<()> {
        let r = self.changepoint_range;
        if !(r > 0.0 && r <= 1.0) {
            return Err(invalid("changepoint_range", format!("{r} is not in (0, 1]")));
        }
        for (name, v) in [
            ("changepoint_prior_scale", self.changepoint_prior_scale),
            ("seasonality_prior_scale", self.seasonality_prior_scale),
            ("holidays_prior_scale", self.holidays_prior_scale),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(name, format!("{v} is not a finite positive number")));
            }
        }
        Ok(())
    }
}

fn invalid(name: &'static str, problem: String) -> Error {
    Error::InvalidParameter { name, problem }
}

/// How a coefficient is penalised.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Prior {
    /// Flat prior (the initial rate `k`).
    Flat,
    /// Laplace prior with this scale (rate changes).
    Laplace(f64),
    /// Gaussian prior with this scale (seasonality, holidays).
    Normal(f64),
}

/// The calendar part of the design: Fourier orders and holiday columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Calendrical {
    weekly_order: usize,
    yearly_order: usize,
    holiday_names: Vec<String>,
    calendar: Option<Calendar>,
}

impl Calendrical {
    fn n_columns(&self) -> usize {
        2 * (self.weekly_order + self.yearly_order) + self.holiday_names.len()
    }

    /// Append the Fourier and holiday columns of the `count` days from
    /// `first` to `rows` (one `Vec` per day).
    fn fill(&self, first: NaiveDate, count: usize, rows: &mut [Vec<f64>]) -> Result<()> {
        let end = add_days(first, count)?;
        let mut names: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        if let Some(cal) = &self.calendar {
            for h in cal.days_between(first, end) {
                if let Some(j) = self.holiday_names.iter().position(|n| *n == h.name) {
                    names.entry(h.date).or_default().push(j);
                }
            }
        }
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        for (i, row) in rows.iter_mut().enumerate().take(count) {
            let date = add_days(first, i)?;
            let d = (date - epoch).num_days() as f64;
            for (order, period) in [(self.weekly_order, WEEK), (self.yearly_order, YEAR)] {
                for k in 1..=order {
                    let x = std::f64::consts::TAU * k as f64 * d / period;
                    row.push(x.sin());
                    row.push(x.cos());
                }
            }
            let base = row.len();
            row.resize(base + self.holiday_names.len(), 0.0);
            if let Some(js) = names.get(&date) {
                for &j in js {
                    row[base + j] = 1.0;
                }
            }
        }
        Ok(())
    }
}

fn add_days(start: NaiveDate, days: usize) -> Result<NaiveDate> {
    start
        .checked_add_days(Days::new(days as u64))
        .ok_or_else(|| invalid("start", "dates run past the end of the calendar".into()))
}

/// A fitted [`Prophet`] model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedProphet {
    start: NaiveDate,
    n: usize,
    /// `max |y|`; the model works on `y / y_scale`.
    y_scale: f64,
    /// Indices of the potential changepoints in the history.
    changepoint_index: Vec<usize>,
    /// Their scaled times `s_j`.
    changepoint_t: Vec<f64>,
    calendrical: Calendrical,
    /// Intercept `m` (scaled).
    intercept: f64,
    /// `[k, δ…, seasonal…, holidays…]` (scaled).
    beta: Vec<f64>,
    /// Noise scale σ (scaled).
    sigma: f64,
    fitted: Vec<f64>,
    non_negative: bool,
}

impl Fit for Prophet {
    type Fitted = FittedProphet;

    /// Fit to a daily series starting on Monday 1970-01-05.
    fn fit(&self, y: &[f64]) -> Result<FittedProphet> {
        let start = NaiveDate::from_ymd_opt(1970, 1, 5)
            .unwrap_or_default()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        self.fit_series(SeriesView::new(y, start, Freq::Daily))
    }

    /// Fit to a dated daily series.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid parameters or a frequency
    /// other than daily (`"freq"`); [`Error::TooShort`] below 14
    /// observations; [`Error::NonFinite`] for NaN or infinite values.
    // The single-letter names follow the paper's notation.
    #[allow(clippy::many_single_char_names)]
    fn fit_series(&self, series: SeriesView<'_>) -> Result<FittedProphet> {
        self.check()?;
        if !series.x.is_empty() {
            return Err(Error::Regressors {
                problem: "the Prophet-like model takes no regressors yet".into(),
            });
        }
        if series.freq != Freq::Daily {
            return Err(invalid("freq", "only daily series are supported".into()));
        }
        let y = series.y;
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                unique_id: String::new(),
                row,
            });
        }
        let n = y.len();
        if n < MIN_OBS {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: MIN_OBS,
                got: n,
            });
        }
        let start = series.start.date();
        let y_scale = y.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let y_scale = if y_scale > 0.0 { y_scale } else { 1.0 };
        let z: Vec<f64> = y.iter().map(|v| v / y_scale).collect();
        let span = (n - 1) as f64;

        let changepoint_index = changepoints(n, self.changepoint_range, self.n_changepoints);
        let changepoint_t: Vec<f64> = changepoint_index.iter().map(|&i| i as f64 / span).collect();
        let holiday_names = match &self.calendar {
            Some(cal) => {
                let mut names: Vec<String> = cal
                    .days_between(start, add_days(start, n)?)
                    .into_iter()
                    .map(|h| h.name)
                    .collect();
                names.sort();
                names.dedup();
                names
            }
            None => Vec::new(),
        };
        let calendrical = Calendrical {
            weekly_order: self.weekly_order,
            yearly_order: if n > YEARLY_MIN_SPAN { self.yearly_order } else { 0 },
            holiday_names,
            calendar: self.calendar.clone(),
        };

        let mut priors = vec![Prior::Flat];
        priors.extend(
            changepoint_t
                .iter()
                .map(|_| Prior::Laplace(self.changepoint_prior_scale)),
        );
        priors.extend(
            (0..2 * (calendrical.weekly_order + calendrical.yearly_order))
                .map(|_| Prior::Normal(self.seasonality_prior_scale)),
        );
        priors.extend(
            calendrical
                .holiday_names
                .iter()
                .map(|_| Prior::Normal(self.holidays_prior_scale)),
        );

        let rows = design(n, 0, span, &changepoint_t, &calendrical, start)?;
        let p = priors.len();
        let problem = Problem::new(&rows, &z, p);
        let mut beta = problem.least_squares(&priors);
        let mut sigma2 = (problem.rss(&beta) / n as f64).max(SIGMA_FLOOR * SIGMA_FLOOR);
        for _ in 0..OUTER_ROUNDS {
            problem.solve(&priors, sigma2, &mut beta);
            sigma2 = (problem.rss(&beta) / n as f64).max(SIGMA_FLOOR * SIGMA_FLOOR);
        }
        let intercept = problem.y_mean - dot(&problem.x_mean, &beta);
        let fitted = rows
            .iter()
            .map(|r| {
                let v = y_scale * (intercept + dot(r, &beta));
                if self.non_negative {
                    v.max(0.0)
                } else {
                    v
                }
            })
            .collect();
        Ok(FittedProphet {
            start,
            n,
            y_scale,
            changepoint_index,
            changepoint_t,
            calendrical,
            intercept,
            beta,
            sigma: sigma2.sqrt(),
            fitted,
            non_negative: self.non_negative,
        })
    }
}

/// Prophet's changepoint indices: `round(linspace(0, hist − 1, S + 1))[1..]`
/// with `hist = ⌊n·range⌋` and `S ≤ hist − 1` (numpy rounds half to even).
fn changepoints(n: usize, range: f64, requested: usize) -> Vec<usize> {
    // Truncation is the intent (numpy's floor); n·range ≤ n.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let hist = (n as f64 * range).floor() as usize;
    let s = requested.min(hist.saturating_sub(1));
    if s == 0 {
        return Vec::new();
    }
    let last = (hist - 1) as f64;
    let mut out: Vec<usize> = (1..=s)
        .map(|j| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = (last * j as f64 / s as f64).round_ties_even() as usize;
            i
        })
        .collect();
    out.dedup();
    out
}

/// Design rows (without intercept) for indices `offset..offset + count`:
/// `[t, (t − s_j)₊…, Fourier…, holidays…]` with `t = index / span`.
fn design(
    count: usize,
    offset: usize,
    span: f64,
    changepoint_t: &[f64],
    calendrical: &Calendrical,
    start: NaiveDate,
) -> Result<Vec<Vec<f64>>> {
    let p = 1 + changepoint_t.len() + calendrical.n_columns();
    let mut rows: Vec<Vec<f64>> = (0..count)
        .map(|i| {
            let t = (offset + i) as f64 / span;
            let mut row = Vec::with_capacity(p);
            row.push(t);
            row.extend(changepoint_t.iter().map(|s| (t - s).max(0.0)));
            row
        })
        .collect();
    calendrical.fill(add_days(start, offset)?, count, &mut rows)?;
    Ok(rows)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The centred regression: Gram matrix `G = XcᵀXc`, `b = Xcᵀyc`,
/// `yy = ycᵀyc` (the intercept is profiled out by centring).
struct Problem {
    p: usize,
    gram: Vec<f64>,
    b: Vec<f64>,
    yy: f64,
    x_mean: Vec<f64>,
    y_mean: f64,
}

impl Problem {
    fn new(rows: &[Vec<f64>], z: &[f64], p: usize) -> Self {
        let n = rows.len() as f64;
        let mut x_mean = vec![0.0; p];
        for r in rows {
            for (m, v) in x_mean.iter_mut().zip(r) {
                *m += v / n;
            }
        }
        let y_mean = z.iter().sum::<f64>() / n;
        let mut gram = vec![0.0; p * p];
        let mut b = vec![0.0; p];
        let mut yy = 0.0;
        let mut xc = vec![0.0; p];
        for (r, &zi) in rows.iter().zip(z) {
            for ((c, v), m) in xc.iter_mut().zip(r).zip(&x_mean) {
                *c = v - m;
            }
            let yc = zi - y_mean;
            yy += yc * yc;
            for j in 0..p {
                b[j] += xc[j] * yc;
                for k in j..p {
                    gram[j * p + k] += xc[j] * xc[k];
                }
            }
        }
        for j in 0..p {
            for k in 0..j {
                gram[j * p + k] = gram[k * p + j];
            }
        }
        Self {
            p,
            gram,
            b,
            yy,
            x_mean,
            y_mean,
        }
    }

    /// `‖yc − Xc β‖²`, clamped at zero against rounding.
    fn rss(&self, beta: &[f64]) -> f64 {
        let p = self.p;
        let mut quad = 0.0;
        for j in 0..p {
            quad += beta[j] * dot(&self.gram[j * p..(j + 1) * p], beta);
        }
        (self.yy - 2.0 * dot(beta, &self.b) + quad).max(0.0)
    }

    /// Least squares on the columns without a Laplace prior (the others are
    /// zero).
    fn least_squares(&self, priors: &[Prior]) -> Vec<f64> {
        let idx: Vec<usize> = (0..self.p)
            .filter(|&j| !matches!(priors[j], Prior::Laplace(_)))
            .collect();
        let rhs: Vec<f64> = idx.iter().map(|&i| self.b[i]).collect();
        self.solve_subset(&idx, &vec![0.0; idx.len()], &rhs)
    }

    /// Solve `(G[idx, idx] + diag(extra)) x = rhs` by Cholesky with a
    /// relative jitter of `1e-10` for rank-deficient designs; returns the
    /// full-length coefficient vector, zero outside `idx`.
    // `p`, `q`, `a`, `x`, `d`: the usual names of a Cholesky solve.
    #[allow(clippy::many_single_char_names)]
    fn solve_subset(&self, idx: &[usize], extra: &[f64], rhs: &[f64]) -> Vec<f64> {
        let p = self.p;
        let q = idx.len();
        let jitter = 1e-10
            * idx
                .iter()
                .map(|&j| self.gram[j * p + j])
                .fold(0.0, f64::max)
                .max(1e-300);
        let mut a = vec![0.0; q * q];
        for (r, &i) in idx.iter().enumerate() {
            for (c, &j) in idx.iter().enumerate() {
                a[r * q + c] = self.gram[i * p + j];
            }
            a[r * q + r] += jitter + extra[r];
        }
        // In-place Cholesky, lower triangle.
        for j in 0..q {
            let mut d = a[j * q + j];
            for k in 0..j {
                d -= a[j * q + k] * a[j * q + k];
            }
            let d = d.max(jitter).sqrt();
            a[j * q + j] = d;
            for i in j + 1..q {
                let mut s = a[i * q + j];
                for k in 0..j {
                    s -= a[i * q + k] * a[j * q + k];
                }
                a[i * q + j] = s / d;
            }
        }
        let mut x = rhs.to_vec();
        for i in 0..q {
            for k in 0..i {
                x[i] -= a[i * q + k] * x[k];
            }
            x[i] /= a[i * q + i];
        }
        for i in (0..q).rev() {
            for k in i + 1..q {
                x[i] -= a[k * q + i] * x[k];
            }
            x[i] /= a[i * q + i];
        }
        let mut beta = vec![0.0; p];
        for (&i, v) in idx.iter().zip(x) {
            beta[i] = v;
        }
        beta
    }

    /// Minimise the objective of [`Self::descend`] by coordinate descent
    /// polished with an active-set method: on the columns without a Laplace
    /// prior plus the non-zero `δ`, with the signs of those `δ` fixed, the
    /// objective is quadratic and is minimised exactly (Cholesky). If that
    /// minimiser keeps the signs it is taken and coordinate descent runs
    /// again (adding any `δ` whose optimality condition fails); otherwise
    /// the step goes as far as the first sign change and that `δ` leaves the
    /// active set. Each step lowers the convex objective; at most 200 steps.
    fn solve(&self, priors: &[Prior], sigma2: f64, beta: &mut [f64]) {
        let laplace = |j: usize| matches!(priors[j], Prior::Laplace(_));
        self.descend(priors, sigma2, beta);
        for _ in 0..200 {
            let idx: Vec<usize> = (0..self.p).filter(|&j| !laplace(j) || beta[j] != 0.0).collect();
            let extra: Vec<f64> = idx
                .iter()
                .map(|&j| match priors[j] {
                    Prior::Normal(s) => sigma2 / (s * s),
                    _ => 0.0,
                })
                .collect();
            let rhs: Vec<f64> = idx
                .iter()
                .map(|&j| match priors[j] {
                    Prior::Laplace(tau) => self.b[j] - sigma2 / tau * beta[j].signum(),
                    _ => self.b[j],
                })
                .collect();
            let candidate = self.solve_subset(&idx, &extra, &rhs);
            // Largest step in (0, 1] before an active δ changes sign.
            let mut step = 1.0;
            let mut leaving = None;
            for &j in idx.iter().filter(|&&j| laplace(j)) {
                if candidate[j].signum() != beta[j].signum() {
                    let a = beta[j] / (beta[j] - candidate[j]);
                    if a < step {
                        step = a;
                        leaving = Some(j);
                    }
                }
            }
            let before = self.objective(priors, sigma2, beta);
            let mut next: Vec<f64> = beta.iter().zip(&candidate).map(|(b, c)| b + step * (c - b)).collect();
            if let Some(j) = leaving {
                next[j] = 0.0;
            }
            if self.objective(priors, sigma2, &next) > before {
                break;
            }
            beta.copy_from_slice(&next);
            if leaving.is_none() {
                let signs: Vec<i8> = beta.iter().map(|&b| sign(b)).collect();
                self.descend(priors, sigma2, beta);
                let unchanged = beta.iter().zip(&signs).all(|(&b, &s)| sign(b) == s);
                if unchanged {
                    break;
                }
            }
        }
    }

    /// The objective of [`Self::descend`] at `beta`.
    fn objective(&self, priors: &[Prior], sigma2: f64, beta: &[f64]) -> f64 {
        0.5 * self.rss(beta) + penalty(priors, sigma2, beta)
    }

    /// Cyclic coordinate descent on
    /// `½‖yc − Xcβ‖² + σ² Σ|δ_j|/τ + σ² Σ β_s²/(2σ_s²)` (the MAP objective
    /// times σ²), warm-started from `beta`.
    fn descend(&self, priors: &[Prior], sigma2: f64, beta: &mut [f64]) {
        let p = self.p;
        // c = b − Gβ, the negative gradient of the quadratic part.
        let mut c: Vec<f64> = (0..p)
            .map(|j| self.b[j] - dot(&self.gram[j * p..(j + 1) * p], beta))
            .collect();
        let objective = |beta: &[f64], c: &[f64]| -> f64 {
            // ½‖r‖² = ½yy − ½βᵀ(b + c).
            let quad = 0.5 * self.yy
                - 0.5
                    * beta
                        .iter()
                        .zip(&self.b)
                        .zip(c)
                        .map(|((x, b), c)| x * (b + c))
                        .sum::<f64>();
            let pen = penalty(priors, sigma2, beta);
            quad.max(0.0) + pen
        };
        let mut old = objective(beta, &c);
        for _ in 0..MAX_SWEEPS {
            let mut moved = false;
            for j in 0..p {
                let a = self.gram[j * p + j];
                if a <= 0.0 {
                    continue;
                }
                let rho = c[j] + a * beta[j];
                let new = match priors[j] {
                    Prior::Flat => rho / a,
                    Prior::Laplace(tau) => {
                        let l = sigma2 / tau;
                        rho.signum() * (rho.abs() - l).max(0.0) / a
                    }
                    Prior::Normal(s) => rho / (a + sigma2 / (s * s)),
                };
                let delta = new - beta[j];
                if delta != 0.0 {
                    moved = true;
                    beta[j] = new;
                    let col = &self.gram[j * p..(j + 1) * p];
                    for (ck, g) in c.iter_mut().zip(col) {
                        *ck -= g * delta;
                    }
                }
            }
            let obj = objective(beta, &c);
            let done = !moved || (old - obj).abs() <= TOL * obj.abs().max(f64::MIN_POSITIVE);
            old = obj;
            if done {
                break;
            }
        }
    }
}

/// The sign of `x` as −1, 0 or 1.
fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// `σ² Σ|δ_j|/τ + σ² Σ β_s²/(2σ_s²)`.
fn penalty(priors: &[Prior], sigma2: f64, beta: &[f64]) -> f64 {
    beta.iter()
        .zip(priors)
        .map(|(x, prior)| match prior {
            Prior::Flat => 0.0,
            Prior::Laplace(tau) => sigma2 * x.abs() / tau,
            Prior::Normal(s) => sigma2 * x * x / (2.0 * s * s),
        })
        .sum()
}

impl FittedProphet {
    /// Indices (into the history) of the potential changepoints.
    #[must_use]
    pub fn changepoints(&self) -> &[usize] {
        &self.changepoint_index
    }

    /// Rate changes `δ_j` at [`Self::changepoints`], in units of `y` per day.
    #[must_use]
    pub fn deltas(&self) -> Vec<f64> {
        let per_day = self.y_scale / (self.n - 1) as f64;
        self.beta[1..=self.changepoint_t.len()]
            .iter()
            .map(|d| d * per_day)
            .collect()
    }

    /// Initial growth rate `k`, in units of `y` per day.
    #[must_use]
    pub fn growth_rate(&self) -> f64 {
        self.beta[0] * self.y_scale / (self.n - 1) as f64
    }

    /// Estimated observation noise σ, in units of `y`.
    #[must_use]
    pub fn sigma(&self) -> f64 {
        self.sigma * self.y_scale
    }

    /// Holiday effects `(name, effect in units of y)`, sorted by name.
    #[must_use]
    pub fn holiday_effects(&self) -> Vec<(String, f64)> {
        let first = self.beta.len() - self.calendrical.holiday_names.len();
        self.calendrical
            .holiday_names
            .iter()
            .zip(&self.beta[first..])
            .map(|(n, b)| (n.clone(), b * self.y_scale))
            .collect()
    }
}

impl Predict for FittedProphet {
    /// Forecast `horizon` days after the history; see the
    /// [module docs](self) for the intervals.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100);
    /// [`Error::InvalidParameter`] when the dates pass the end of chrono's
    /// calendar.
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let span = (self.n - 1) as f64;
        let rows = design(
            horizon,
            self.n,
            span,
            &self.changepoint_t,
            &self.calendrical,
            self.start,
        )?;
        let s = self.changepoint_t.len() as f64;
        let lambda = if self.changepoint_t.is_empty() {
            0.0
        } else {
            self.beta[1..=self.changepoint_t.len()]
                .iter()
                .map(|d| d.abs())
                .sum::<f64>()
                / s
        };
        let mut point = Vec::with_capacity(horizon);
        let mut sd = Vec::with_capacity(horizon);
        for (i, row) in rows.iter().enumerate() {
            point.push(self.y_scale * (self.intercept + dot(row, &self.beta)));
            let ahead = (i + 1) as f64 / span;
            let trend_var = 2.0 * s * lambda * lambda * ahead.powi(3) / 3.0;
            sd.push(self.y_scale * (self.sigma * self.sigma + trend_var).sqrt());
        }
        let f = Forecast::normal(point, &sd, levels)?;
        Ok(if self.non_negative { f.non_negative() } else { f })
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        self.fitted.clone()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;
    use crate::backtest::{cross_validation, evaluate};
    use crate::baseline::SeasonalNaive;
    use crate::panel::{Panel, Series};

    /// Deterministic standard normals (splitmix64 + Box–Muller).
    struct Rng(u64);

    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }

        fn normal(&mut self) -> f64 {
            let (u1, u2) = (self.uniform(), self.uniform());
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        }
    }

    fn weekly(t: usize) -> f64 {
        // Day 0 is a Monday.
        [6.0, 4.0, 3.0, 2.0, 1.0, -7.0, -9.0][t % 7]
    }

    fn start() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    #[test]
    fn recovers_piecewise_linear_trend_and_weekly_sine() {
        // n = 158: ⌊0.8·158⌋ = 126, so the 25 changepoints sit at 5, 10, …, 125.
        let n: usize = 158;
        let y: Vec<f64> = (0..n)
            .map(|t| {
                let tf = t as f64;
                let trend = 100.0 + 0.5 * tf - 1.2 * (tf - 60.0).max(0.0);
                trend + 8.0 * (std::f64::consts::TAU * tf / 7.0).sin()
            })
            .collect();
        let fitted = Prophet::params().fit(&y).unwrap();
        assert_eq!(fitted.changepoints()[11], 60);
        for (f, a) in fitted.predict_in_sample().iter().zip(&y) {
            assert!((f - a).abs() <= 0.01 * a.abs(), "fitted {f} vs {a}");
        }
        let deltas = fitted.deltas();
        let largest = (0..deltas.len())
            .max_by(|&i, &j| deltas[i].abs().total_cmp(&deltas[j].abs()))
            .unwrap();
        assert_eq!(fitted.changepoints()[largest], 60, "deltas {deltas:?}");
        assert!(
            (deltas[largest] + 1.2).abs() < 0.05,
            "delta {}, all {deltas:?}, sigma {}",
            deltas[largest],
            fitted.sigma()
        );
    }

    #[test]
    fn pure_weekly_pattern_repeats() {
        let y: Vec<f64> = (0..140).map(|t| 30.0 + weekly(t)).collect();
        let fitted = Prophet::params().fit(&y).unwrap();
        let f = fitted.predict(21, &[80.0]).unwrap();
        let err = (0..21)
            .map(|h| (f.point[h] - (30.0 + weekly(140 + h))).abs())
            .fold(0.0, f64::max);
        // Order-3 Fourier terms represent any 7-periodic pattern exactly;
        // the ridge prior and trend leave far less than 0.1 (0.3 %).
        assert!(err < 0.1, "max abs error {err}");
    }

    #[test]
    fn larger_changepoint_prior_scale_gives_more_changepoints() {
        let mut rng = Rng(7);
        let y: Vec<f64> = (0..300)
            .map(|t| 50.0 + 0.05 * t as f64 + 5.0 * (t as f64 / 40.0).sin() + weekly(t) + rng.normal())
            .collect();
        let active = |scale: f64| {
            let fitted = Prophet::params().changepoint_prior_scale(scale).fit(&y).unwrap();
            fitted.deltas().iter().filter(|d| d.abs() > 1e-12).count()
        };
        let (tight, loose) = (active(0.001), active(0.5));
        assert!(tight < loose, "non-zero deltas: {tight} at 0.001, {loose} at 0.5");
    }

    #[test]
    fn holiday_dip_gets_a_negative_effect() {
        let mut cal = Calendar::default();
        let mut rng = Rng(11);
        let day = |i: u64| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(i);
        let closures = [20_u64, 55, 90, 130, 170];
        for &i in &closures {
            cal.add_date("clinic closure", day(i));
        }
        let y: Vec<f64> = (0..200)
            .map(|t| {
                let dip = if closures.contains(&(t as u64)) { -15.0 } else { 0.0 };
                40.0 + weekly(t) + dip + rng.normal()
            })
            .collect();
        let fitted = Prophet::params()
            .calendar(cal)
            .fit_series(SeriesView::new(&y, start(), Freq::Daily))
            .unwrap();
        let effects = fitted.holiday_effects();
        assert_eq!(effects.len(), 1);
        assert_eq!(effects[0].0, "clinic closure");
        assert!(effects[0].1 < -10.0 && effects[0].1 > -20.0, "effect {}", effects[0].1);
    }

    #[test]
    fn intervals_are_ordered_and_widen() {
        let mut rng = Rng(3);
        let y: Vec<f64> = (0..200)
            .map(|t| 60.0 + 0.1 * t as f64 + weekly(t) + 2.0 * rng.normal())
            .collect();
        let f = Prophet::params().fit(&y).unwrap().predict(60, &[80.0, 95.0]).unwrap();
        let (lo80, hi80) = f.interval(80.0).unwrap();
        let (lo95, hi95) = f.interval(95.0).unwrap();
        for t in 0..60 {
            assert!(lo95[t] <= lo80[t] && lo80[t] <= f.point[t] && f.point[t] <= hi80[t] && hi80[t] <= hi95[t]);
            assert!(hi95[t] - lo95[t] > hi80[t] - lo80[t]);
            if t > 0 {
                assert!(hi80[t] - lo80[t] >= hi80[t - 1] - lo80[t - 1]);
            }
        }
        assert!(hi80[59] - lo80[59] > hi80[0] - lo80[0], "no trend uncertainty");
    }

    #[test]
    fn deterministic() {
        let mut rng = Rng(5);
        let y: Vec<f64> = (0..150).map(|t| 20.0 + weekly(t) + rng.normal()).collect();
        let a = Prophet::params().fit(&y).unwrap().predict(14, &[95.0]).unwrap();
        let b = Prophet::params().fit(&y).unwrap().predict(14, &[95.0]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn backtest_beats_seasonal_naive() {
        let mut rng = Rng(2024);
        let n = 3 * 365;
        let y: Vec<f64> = (0..n)
            .map(|t| {
                let tf = t as f64;
                let yearly = 12.0 * (std::f64::consts::TAU * tf / 365.25).cos();
                (80.0 + 0.02 * tf + yearly + weekly(t) + 3.0 * rng.normal()).max(0.0)
            })
            .collect();
        let panel = Panel::new(vec![Series {
            unique_id: "ward".into(),
            start: start(),
            freq: Freq::Daily,
            y,
            x: Vec::new(),
        }]);
        let mase = |w: &[crate::backtest::Window]| evaluate(w).unwrap().mase;
        let prophet = cross_validation(&Prophet::params(), &panel, 14, 3, 14, &[80.0, 95.0], 7, true).unwrap();
        let naive = cross_validation(&SeasonalNaive::new(7), &panel, 14, 3, 14, &[80.0, 95.0], 7, true).unwrap();
        let (p, s) = (mase(&prophet), mase(&naive));
        eprintln!("MASE prophet {p:.4}, seasonal naive {s:.4}");
        assert!(p < s, "prophet {p} vs seasonal naive {s}");
    }

    #[test]
    fn rejects_invalid_parameters() {
        let y: Vec<f64> = (0..30).map(weekly).collect();
        for (model, name) in [
            (Prophet::params().changepoint_range(0.0), "changepoint_range"),
            (Prophet::params().changepoint_range(1.5), "changepoint_range"),
            (Prophet::params().changepoint_range(f64::NAN), "changepoint_range"),
            (
                Prophet::params().changepoint_prior_scale(0.0),
                "changepoint_prior_scale",
            ),
            (
                Prophet::params().seasonality_prior_scale(-1.0),
                "seasonality_prior_scale",
            ),
            (
                Prophet::params().holidays_prior_scale(f64::INFINITY),
                "holidays_prior_scale",
            ),
        ] {
            match model.fit(&y) {
                Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
                other => panic!("expected {name} error, got {other:?}"),
            }
        }
        assert!(Prophet::params().changepoint_range(1.0).check().is_ok());
        let weekly_view = SeriesView::new(&y, start(), Freq::Weekly);
        assert!(matches!(
            Prophet::params().fit_series(weekly_view),
            Err(Error::InvalidParameter { name: "freq", .. })
        ));
        let fitted = Prophet::params().fit(&y).unwrap();
        assert!(matches!(fitted.predict(3, &[100.0]), Err(Error::InvalidLevel { .. })));
    }

    #[test]
    fn rejects_short_and_non_finite_series() {
        let y: Vec<f64> = (0..13).map(weekly).collect();
        assert!(matches!(
            Prophet::params().fit(&y),
            Err(Error::TooShort {
                needed: 14,
                got: 13,
                ..
            })
        ));
        let mut y: Vec<f64> = (0..30).map(|t| 10.0 + weekly(t)).collect();
        y[17] = f64::NAN;
        assert!(matches!(
            Prophet::params().fit(&y),
            Err(Error::NonFinite { row: 17, .. })
        ));
    }
}
