//! The MAP of the logistic-growth model, by L-BFGS (argmin) with analytic
//! gradients.
//!
//! Prophet's piecewise logistic trend (`piecewise_logistic` in
//! `python/prophet/forecaster.py`, `logistic_trend` in `stan/prophet.stan`)
//! is `C(t) / (1 + exp(−(k + a(t)ᵀδ)(t − (m + a(t)ᵀγ))))`, where the offsets
//! `γ_j = (s_j − m − Σ_{l<j} γ_l)(1 − k_j/k_{j+1})` keep it continuous.
//! Expanding segment by segment, that exponent is exactly the continuous
//! piecewise-linear function
//!
//! ```text
//! L(t) = k·(t − m) + Σ_j δ_j (t − s_j)₊,
//! ```
//!
//! which is what is evaluated here: it needs no division by the segment
//! rates `k_{j+1}` (Prophet's γ is undefined when one is zero) and its
//! gradient is immediate.

use std::cell::RefCell;

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

use crate::error::{Error, Result};

/// Smoothing of `|δ|` as `sqrt(δ² + ε²) − ε`, so that the objective is
/// differentiable, with `ε` this share of the Laplace scale τ (`1e-4` at
/// Prophet's default τ = 0.05). Rate changes well above `ε` are shrunk as by
/// the exact prior (the derivative of the penalty is within `ε²/(2δ²)` of
/// `sign(δ)/τ`); below it the penalty is quadratic, so the rate changes come
/// out small rather than exactly zero, as in Prophet's own L-BFGS fit.
const ABS_SMOOTHING: f64 = 2e-3;
/// Scale of Prophet's `N(0, 5)` priors on `k` and `m`.
const KM_PRIOR_SCALE: f64 = 5.0;
/// L-BFGS memory.
const MEMORY: usize = 10;
/// L-BFGS stops when an iteration lowers the cost by less than this share
/// of `n·σ²` (the scale of the cost at the optimum, `½·RSS ≈ ½nσ²`).
const COST_TOLERANCE: f64 = 1e-12;
/// Most L-BFGS iterations per solve.
const MAX_ITERS: u64 = 2_000;

/// `1 / (1 + e^{−x})` without overflow.
pub(super) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Prophet's `logistic_growth_init`: the `(k, m)` of the logistic curve
/// through the first and last observations (clamped to 1–99 % of the
/// capacity), on scaled time `t ∈ [0, 1]`.
pub(super) fn growth_init(z_first: f64, z_last: f64, cap_first: f64, cap_last: f64) -> (f64, f64) {
    let y0 = (0.01 * cap_first).max((0.99 * cap_first).min(z_first));
    let y1 = (0.01 * cap_last).max((0.99 * cap_last).min(z_last));
    let mut r0 = cap_first / y0;
    let r1 = cap_last / y1;
    if (r0 - r1).abs() <= 0.01 {
        r0 *= 1.05;
    }
    let l0 = (r0 - 1.0).ln();
    let l1 = (r1 - 1.0).ln();
    let m = l0 / (l0 - l1);
    let k = l0 - l1;
    (k, m)
}

/// The logistic-growth MAP objective (times σ²) for fixed σ:
///
/// ```text
/// ½ Σ_i (z_i − C_i σ(L(t_i)) − x_iᵀβ)² + σ² [ Σ_j |δ_j|_ε / τ
///     + Σ β_s² / (2σ_s²) + (k² + m²) / (2·5²) ]
/// ```
///
/// over `θ = [k, m, δ…, β…]`, with Prophet's `N(0, 5)` priors on `k` and `m`.
#[derive(Debug)]
pub(super) struct Objective<'a> {
    /// Scaled times, increasing.
    pub(super) t: &'a [f64],
    /// Scaled response `(y − floor) / y_scale`.
    pub(super) z: &'a [f64],
    /// Scaled capacity `(cap − floor) / y_scale`, per row.
    pub(super) cap: &'a [f64],
    /// Changepoint times, increasing.
    pub(super) changepoint_t: &'a [f64],
    /// Row-major design of the non-trend terms (`q` columns).
    pub(super) x: &'a [f64],
    /// Inverse prior variances `1/σ_s²` of the non-trend terms.
    pub(super) precision: &'a [f64],
    /// Laplace scale τ of the rate changes.
    pub(super) tau: f64,
    /// Noise variance σ² (scaled).
    pub(super) sigma2: f64,
    /// Lowest cost seen and its parameters, so that a failed line search
    /// still returns the best point.
    pub(super) best: RefCell<Option<(f64, Vec<f64>)>>,
    /// The last parameters evaluated with their residuals and logistic
    /// values: the line search asks for the cost and then the gradient at
    /// the same point.
    pub(super) last: RefCell<Option<Evaluation>>,
}

/// Parameters with their residuals and logistic values at every row.
#[derive(Debug, Default)]
pub(super) struct Evaluation {
    theta: Vec<f64>,
    resid: Vec<f64>,
    logistic: Vec<f64>,
}

impl Objective<'_> {
    fn q(&self) -> usize {
        self.precision.len()
    }

    /// Call `f` with the residuals `z − fit` and the logistic values
    /// `σ(L)` at every row, computed once per distinct `theta`.
    fn with_residuals<R>(&self, theta: &[f64], f: impl FnOnce(&[f64], &[f64]) -> R) -> R {
        let mut last = self.last.borrow_mut();
        let fresh = last.as_ref().is_some_and(|e| e.theta == theta);
        if !fresh {
            let e = last.get_or_insert_with(Evaluation::default);
            e.theta.clear();
            e.theta.extend_from_slice(theta);
            self.residuals(theta, &mut e.resid, &mut e.logistic);
        }
        let e = last.get_or_insert_with(Evaluation::default);
        f(&e.resid, &e.logistic)
    }

    /// Residuals `z − fit` and the logistic values `σ(L)` at every row.
    // `s`, `q`, `k`, `m`, `l`, `p`: the paper's notation.
    #[allow(clippy::many_single_char_names)]
    fn residuals(&self, theta: &[f64], resid: &mut Vec<f64>, logistic: &mut Vec<f64>) {
        let s = self.changepoint_t.len();
        let q = self.q();
        let (k, m) = (theta[0], theta[1]);
        let delta = &theta[2..2 + s];
        let beta = &theta[2 + s..];
        resid.clear();
        logistic.clear();
        // Running Σ δ_j and Σ δ_j s_j over the changepoints passed.
        let (mut slope, mut offset, mut next) = (0.0, 0.0, 0);
        for (i, &t) in self.t.iter().enumerate() {
            while next < s && self.changepoint_t[next] <= t {
                slope += delta[next];
                offset += delta[next] * self.changepoint_t[next];
                next += 1;
            }
            let l = k * (t - m) + slope * t - offset;
            let p = sigmoid(l);
            let xb: f64 = self.x[i * q..(i + 1) * q].iter().zip(beta).map(|(a, b)| a * b).sum();
            resid.push(self.z[i] - self.cap[i] * p - xb);
            logistic.push(p);
        }
    }

    fn penalty(&self, theta: &[f64]) -> f64 {
        let s = self.changepoint_t.len();
        let eps = ABS_SMOOTHING * self.tau;
        let (k, m) = (theta[0], theta[1]);
        let l1: f64 = theta[2..2 + s].iter().map(|d| (d * d + eps * eps).sqrt() - eps).sum();
        let l2: f64 = theta[2 + s..]
            .iter()
            .zip(self.precision)
            .map(|(b, w)| 0.5 * w * b * b)
            .sum();
        let km = (k * k + m * m) / (2.0 * KM_PRIOR_SCALE * KM_PRIOR_SCALE);
        self.sigma2 * (l1 / self.tau + l2 + km)
    }

    pub(super) fn value(&self, theta: &[f64]) -> f64 {
        let cost = 0.5 * self.rss(theta) + self.penalty(theta);
        let mut best = self.best.borrow_mut();
        if cost.is_finite() && best.as_ref().is_none_or(|(c, _)| cost < *c) {
            *best = Some((cost, theta.to_vec()));
        }
        cost
    }

    pub(super) fn grad(&self, theta: &[f64]) -> Vec<f64> {
        self.with_residuals(theta, |resid, logistic| self.grad_from(theta, resid, logistic))
    }

    // `s`, `q`, `k`, `m`, `g`, `w`: the paper's notation.
    #[allow(clippy::many_single_char_names)]
    fn grad_from(&self, theta: &[f64], resid: &[f64], logistic: &[f64]) -> Vec<f64> {
        let s = self.changepoint_t.len();
        let q = self.q();
        let (k, m) = (theta[0], theta[1]);
        let mut g = vec![0.0; theta.len()];
        // w_i = ∂cost/∂L_i = −r_i C_i σ(L_i)(1 − σ(L_i)).
        let w: Vec<f64> = resid
            .iter()
            .zip(logistic)
            .zip(self.cap)
            .map(|((r, p), c)| -r * c * p * (1.0 - p))
            .collect();
        let (mut sw, mut swt) = (0.0, 0.0);
        for (wi, ti) in w.iter().zip(self.t) {
            sw += wi;
            swt += wi * ti;
        }
        g[0] = swt - m * sw;
        g[1] = -k * sw;
        // ∂/∂δ_j = Σ_{t_i ≥ s_j} w_i (t_i − s_j), from suffix sums over rows.
        let (mut tail_w, mut tail_wt, mut row) = (0.0, 0.0, self.t.len());
        for j in (0..s).rev() {
            let sj = self.changepoint_t[j];
            while row > 0 && self.t[row - 1] >= sj {
                row -= 1;
                tail_w += w[row];
                tail_wt += w[row] * self.t[row];
            }
            g[2 + j] = tail_wt - sj * tail_w;
        }
        for (i, r) in resid.iter().enumerate() {
            for (gj, xj) in g[2 + s..].iter_mut().zip(&self.x[i * q..(i + 1) * q]) {
                *gj -= r * xj;
            }
        }
        // Prior terms.
        let eps = ABS_SMOOTHING * self.tau;
        let km = self.sigma2 / (KM_PRIOR_SCALE * KM_PRIOR_SCALE);
        g[0] += km * k;
        g[1] += km * m;
        for (gj, d) in g[2..2 + s].iter_mut().zip(&theta[2..2 + s]) {
            *gj += self.sigma2 / self.tau * d / (d * d + eps * eps).sqrt();
        }
        for ((gj, b), w) in g[2 + s..].iter_mut().zip(&theta[2 + s..]).zip(self.precision) {
            *gj += self.sigma2 * w * b;
        }
        g
    }

    /// Residual sum of squares at `theta`.
    pub(super) fn rss(&self, theta: &[f64]) -> f64 {
        self.with_residuals(theta, |resid, _| resid.iter().map(|r| r * r).sum())
    }

    /// Minimise from `init` by L-BFGS (memory 10, Moré–Thuente line search;
    /// Nocedal & Wright 2006, Algorithm 7.5), as Prophet minimises its Stan
    /// model by L-BFGS. Returns the best point evaluated, which is the
    /// final iterate unless the line search failed near the optimum.
    ///
    /// # Errors
    /// [`Error::Model`] when no finite objective value was ever reached.
    pub(super) fn minimise(&self, init: Vec<f64>) -> Result<Vec<f64>> {
        self.best.replace(None);
        let fallback = init.clone();
        let outcome = LBFGS::new(MoreThuenteLineSearch::new(), MEMORY)
            .with_tolerance_grad(0.0)
            .and_then(|s| s.with_tolerance_cost(COST_TOLERANCE * self.t.len() as f64 * self.sigma2))
            .and_then(|solver| {
                Executor::new(self, solver)
                    .configure(|state| state.param(init).max_iters(MAX_ITERS))
                    .run()
            });
        // A failed line search (a search direction that is no longer a
        // descent direction at rounding level) leaves the best point in
        // `self.best`; so does a normal stop.
        drop(outcome);
        let best = self.best.borrow_mut().take();
        match best {
            Some((_, theta)) => Ok(theta),
            None if self.value(&fallback).is_finite() => Ok(fallback),
            None => Err(Error::Model {
                model: "Prophet",
                message: "the logistic-growth objective is not finite at the initial values".into(),
            }),
        }
    }
}

impl CostFunction for &Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.value(param))
    }
}

impl Gradient for &Objective<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, param: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.grad(param))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_equals_prophet_piecewise_logistic_with_gammas() {
        // Prophet's form with the continuity offsets γ, transcribed from
        // `piecewise_logistic`, against L(t) = k(t − m) + Σ δ_j (t − s_j)₊.
        let (k, m) = (4.0, 0.45);
        let cps = [0.2, 0.5, 0.7];
        let deltas = [1.5, -3.0, 0.7];
        let mut k_cum = vec![k];
        for d in deltas {
            k_cum.push(k_cum.last().unwrap() + d);
        }
        let mut gammas = [0.0; 3];
        for i in 0..3 {
            let sum: f64 = gammas[..i].iter().sum();
            gammas[i] = (cps[i] - m - sum) * (1.0 - k_cum[i] / k_cum[i + 1]);
        }
        for step in 0..=100 {
            let t = f64::from(step) / 100.0;
            let (mut kt, mut mt) = (k, m);
            for j in 0..3 {
                if t >= cps[j] {
                    kt += deltas[j];
                    mt += gammas[j];
                }
            }
            let prophet = kt * (t - mt);
            let here = k * (t - m) + cps.iter().zip(&deltas).map(|(s, d)| d * (t - s).max(0.0)).sum::<f64>();
            assert!((prophet - here).abs() < 1e-12, "t = {t}: {prophet} vs {here}");
        }
    }

    #[test]
    #[allow(clippy::many_single_char_names)]
    fn analytic_gradient_matches_finite_differences() {
        let n: usize = 40;
        let t: Vec<f64> = (0..n).map(|i| i as f64 / (n - 1) as f64).collect();
        let z: Vec<f64> = t
            .iter()
            .map(|t| 0.8 * sigmoid(6.0 * (t - 0.4)) + 0.05 * (20.0 * t).sin())
            .collect();
        let cap = vec![0.9; n];
        let x: Vec<f64> = t.iter().flat_map(|t| [(7.0 * t).sin(), (7.0 * t).cos()]).collect();
        let objective = Objective {
            t: &t,
            z: &z,
            cap: &cap,
            changepoint_t: &[0.25, 0.5, 0.75],
            x: &x,
            precision: &[0.01, 0.01],
            tau: 0.05,
            sigma2: 0.01,
            best: RefCell::new(None),
            last: RefCell::new(None),
        };
        let theta = vec![5.0, 0.3, 0.4, -0.2, 0.1, 0.03, -0.02];
        let g = objective.grad(&theta);
        for j in 0..theta.len() {
            let h = 1e-6;
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[j] += h;
            down[j] -= h;
            let fd = (objective.value(&up) - objective.value(&down)) / (2.0 * h);
            // Central differences: error O(h²·f''') plus rounding ε·f/h,
            // both below 1e-7 here.
            assert!(
                (fd - g[j]).abs() < 1e-6 * (1.0 + fd.abs()),
                "coordinate {j}: {fd} vs {}",
                g[j]
            );
        }
    }

    #[test]
    fn growth_init_passes_through_first_and_last_points() {
        let (k, m) = growth_init(0.1, 0.8, 1.0, 1.0);
        assert!((sigmoid(k * (0.0 - m)) - 0.1).abs() < 1e-12);
        assert!((sigmoid(k * (1.0 - m)) - 0.8).abs() < 1e-12);
    }
}
