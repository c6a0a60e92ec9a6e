//! Forecast variances of the ETS models (statsforecast's
//! `_compute_pred_intervals`, `_compute_sigmah` and `_class3models`;
//! Hyndman et al. 2008, ch. 6: class 1, linear homoscedastic models, §6.3;
//! class 2, multiplicative error with linear means, §6.4; class 3,
//! multiplicative error and season, §6.5, by the matrix recursions for
//! the moments of the states).
//!
//! statsforecast's formulas are reproduced as they are, including three
//! departures from the book that change the intervals: in the seasonal
//! class 1 formulas `h_m = ⌊(h − 1)/m⌋` is computed once from the whole
//! horizon rather than per step; for ETS(M,A,A) the coefficients are
//! `c_j = α·β·j + γ·d_j` rather than `α + β·j + γ·d_j`; and in class 3 the
//! mean matrix of the states is not propagated (its update sits after the
//! loop), so the `σ²·μ²` term is that of the first step at every step.

// A line-by-line port: the reference's names are kept.
#![allow(clippy::many_single_char_names, clippy::similar_names, clippy::too_many_lines)]

use super::calc::Component;

/// What the variance formulas need from a fitted model.
#[derive(Debug, Clone)]
pub(crate) struct VarianceInput<'a> {
    pub(crate) error: Component,
    pub(crate) trend: Component,
    pub(crate) season: Component,
    pub(crate) damped: bool,
    pub(crate) m: usize,
    pub(crate) sigma2: f64,
    /// `alpha`, `beta`, `gamma`, `phi` (`NaN` where absent).
    pub(crate) par: [f64; 4],
    /// The states after the last observation (`l`, `b`, `s₁ … s_m`).
    pub(crate) last_state: &'a [f64],
    /// The point forecasts.
    pub(crate) mean: &'a [f64],
}

/// `_compute_sigmah`: class 2 variances from the coefficients `c`.
fn class2(pf: &[f64], sigma: f64, cvals: &[f64]) -> Vec<f64> {
    let h = pf.len();
    let mut theta = vec![0.0; h];
    theta[0] = pf[0] * pf[0];
    for k in 1..h {
        // cvals[:k]**2 @ theta[:k][::-1]: numpy's plain loop (the reversed
        // view is not BLAS-strided).
        let mut sum = 0.0;
        for j in 0..k {
            sum += (cvals[j] * cvals[j]) * theta[k - 1 - j];
        }
        theta[k] = pf[k] * pf[k] + sigma * sum;
    }
    theta.iter().zip(pf).map(|(t, p)| (1.0 + sigma) * t - p * p).collect()
}

/// Dense row-major matrix helpers for class 3.
#[derive(Debug, Clone)]
struct Mat {
    r: usize,
    c: usize,
    v: Vec<f64>,
}

impl Mat {
    fn zeros(r: usize, c: usize) -> Self {
        Self {
            r,
            c,
            v: vec![0.0; r * c],
        }
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        self.v[i * self.c + j]
    }
    fn set(&mut self, i: usize, j: usize, x: f64) {
        self.v[i * self.c + j] = x;
    }
    fn t(&self) -> Self {
        let mut o = Self::zeros(self.c, self.r);
        for i in 0..self.r {
            for j in 0..self.c {
                o.set(j, i, self.at(i, j));
            }
        }
        o
    }
    /// Matrix product (`OpenBLAS` `dgemm`'s per-element order: fused
    /// multiply-adds over the inner index).
    fn mul(&self, b: &Self) -> Self {
        let mut o = Self::zeros(self.r, b.c);
        for i in 0..self.r {
            for j in 0..b.c {
                let mut s = 0.0_f64;
                for l in 0..self.c {
                    s = self.at(i, l).mul_add(b.at(l, j), s);
                }
                o.set(i, j, s);
            }
        }
        o
    }
    fn add(&self, b: &Self) -> Self {
        Self {
            r: self.r,
            c: self.c,
            v: self.v.iter().zip(&b.v).map(|(x, y)| x + y).collect(),
        }
    }
    fn scale(&self, k: f64) -> Self {
        Self {
            r: self.r,
            c: self.c,
            v: self.v.iter().map(|x| k * x).collect(),
        }
    }
    fn kron(&self, b: &Self) -> Self {
        let mut o = Self::zeros(self.r * b.r, self.c * b.c);
        for i in 0..self.r {
            for j in 0..self.c {
                for k in 0..b.r {
                    for l in 0..b.c {
                        o.set(i * b.r + k, j * b.c + l, self.at(i, j) * b.at(k, l));
                    }
                }
            }
        }
        o
    }
}

/// `_class3models`: variances of the models with multiplicative error and
/// season.
fn class3(x: &VarianceInput<'_>) -> Vec<f64> {
    let h = x.mean.len();
    let m = x.m;
    let sigma = x.sigma2;
    let [alpha, beta, gamma, phi] = x.par;
    let p = x.last_state.len();
    let q = p - m;
    let mut h1 = Mat::zeros(1, q);
    h1.v.fill(1.0);
    let mut h2 = Mat::zeros(1, m);
    h2.set(0, m - 1, 1.0);
    let (f1, g1) = if q == 1 {
        (
            Mat {
                r: 1,
                c: 1,
                v: vec![1.0],
            },
            Mat {
                r: 1,
                c: 1,
                v: vec![alpha],
            },
        )
    } else {
        let f = if x.damped { phi } else { 1.0 };
        (
            Mat {
                r: 2,
                c: 2,
                v: vec![1.0, 1.0, 0.0, f],
            },
            Mat {
                r: 2,
                c: 2,
                v: vec![alpha, alpha, beta, beta],
            },
        )
    };
    let mut f2 = Mat::zeros(m, m);
    f2.set(0, m - 1, 1.0);
    for i in 1..m {
        f2.set(i, i - 1, 1.0);
    }
    let mut g2 = Mat::zeros(m, m);
    g2.set(0, m - 1, gamma);
    let mh = Mat {
        r: q,
        c: 1,
        v: x.last_state[..q].to_vec(),
    }
    .mul(&Mat {
        r: 1,
        c: m,
        v: x.last_state[q..].to_vec(),
    });
    let d = q * m;
    let mut vh = Mat::zeros(d, d);
    let h21 = h2.kron(&h1);
    let f21 = f2.kron(&f1);
    let g21 = g2.kron(&g1);
    let k = g2.kron(&f1).add(&f2.kron(&g1));
    let (h21t, f21t, g21t, kt) = (h21.t(), f21.t(), g21.t(), k.t());
    let mu = h1.mul(&mh.mul(&h2.t())).v[0];
    let vec_mh = Mat {
        r: d,
        c: 1,
        v: mh.v.clone(),
    };
    let outer = vec_mh.mul(&vec_mh.t());
    let mut var = Vec::with_capacity(h);
    for _ in 0..h {
        var.push((1.0 + sigma) * h21.mul(&vh.mul(&h21t)).v[0] + sigma * mu * mu);
        let exp1 = f21.mul(&vh.mul(&f21t));
        let exp2 = f21.mul(&vh.mul(&g21t));
        let exp3 = g21.mul(&vh.mul(&f21t));
        let exp4 = k.mul(&vh.add(&outer).mul(&kt));
        let exp5 = g21.scale(sigma).mul(&vh.scale(3.0).add(&outer.scale(2.0)).mul(&g21t));
        vh = exp1.add(&exp2.add(&exp3).add(&exp4).add(&exp5).scale(sigma));
    }
    var
}

/// The forecast variance `σ_h²` at each step of the horizon.
pub(crate) fn variances(x: &VarianceInput<'_>) -> Vec<f64> {
    use Component::{Additive as A, Multiplicative as M, Nothing as N};
    let h = x.mean.len();
    let sigma = x.sigma2;
    let mf = x.m as f64;
    let [alpha, beta, gamma, phi] = x.par;
    let steps: Vec<f64> = (1..=h).map(|s| s as f64).collect();
    let hm = ((h as f64 - 1.0) / mf).floor();
    let exp1 = |s: f64| alpha * alpha + alpha * beta * s + (1.0 / 6.0) * (beta * beta) * s * (2.0 * s - 1.0);
    let exp2 = |s: f64| (beta * phi * s) / ((1.0 - phi) * (1.0 - phi));
    let exp3 = 2.0 * alpha * (1.0 - phi) + beta * phi;
    let exp4 = |s: f64| (beta * phi * (1.0 - phi.powf(s))) / ((1.0 - phi) * (1.0 - phi) * (1.0 - phi * phi));
    let exp5 = |s: f64| 2.0 * alpha * (1.0 - phi * phi) + beta * phi * (1.0 + 2.0 * phi - phi.powf(s));
    let d = x.damped;
    let dvals: Vec<f64> = (1..=h).map(|k| if k % x.m.max(1) == 0 { 1.0 } else { 0.0 }).collect();
    let sum_phi = |k: usize| {
        let mut s = 0.0;
        for j in 1..=k {
            s += phi.powf(j as f64);
        }
        s
    };
    let class1 = |f: &dyn Fn(f64) -> f64| steps.iter().map(|&s| sigma * f(s)).collect::<Vec<f64>>();
    match (x.error, x.trend, x.season, d) {
        (A, N, N, false) => class1(&|s| 1.0 + alpha * alpha * (s - 1.0)),
        (A, A, N, false) => class1(&|s| 1.0 + (s - 1.0) * exp1(s)),
        (A, A, N, true) => class1(&|s| 1.0 + alpha * alpha * (s - 1.0) + exp2(s) * exp3 - exp4(s) * exp5(s)),
        (A, N, A, false) => class1(&|s| 1.0 + alpha * alpha * (s - 1.0) + gamma * hm * (2.0 * alpha + gamma)),
        (A, A, A, false) => {
            let exp6 = 2.0 * alpha + gamma + beta * mf * (hm + 1.0);
            class1(&|s| 1.0 + (s - 1.0) * exp1(s) + gamma * hm * exp6)
        }
        (A, A, A, true) => {
            let exp7 = (2.0 * beta * gamma * phi) / ((1.0 - phi) * (1.0 - phi.powf(mf)));
            let exp8 = hm * (1.0 - phi.powf(mf)) - phi.powf(mf) * (1.0 - phi.powf(mf * hm));
            class1(&|s| {
                1.0 + alpha * alpha * (s - 1.0) + exp2(s) * exp3 - exp4(s) * exp5(s)
                    + gamma * hm * (2.0 * alpha + gamma)
                    + exp7 * exp8
            })
        }
        (M, N, N, false) => class2(x.mean, sigma, &vec![alpha; h]),
        (M, A, N, false) => class2(
            x.mean,
            sigma,
            &steps.iter().map(|s| alpha + beta * s).collect::<Vec<_>>(),
        ),
        (M, A, N, true) => class2(
            x.mean,
            sigma,
            &(1..=h).map(|k| alpha + beta * sum_phi(k)).collect::<Vec<_>>(),
        ),
        (M, N, A, false) => class2(
            x.mean,
            sigma,
            &dvals.iter().map(|dv| alpha + gamma * dv).collect::<Vec<_>>(),
        ),
        (M, A, A, false) => class2(
            x.mean,
            sigma,
            &steps
                .iter()
                .zip(&dvals)
                .map(|(s, dv)| alpha * beta * s + gamma * dv)
                .collect::<Vec<_>>(),
        ),
        (M, A, A, true) => class2(
            x.mean,
            sigma,
            &(1..=h)
                .map(|k| alpha + beta * sum_phi(k) + gamma * dvals[k - 1])
                .collect::<Vec<_>>(),
        ),
        (M, _, M, _) => class3(x),
        // Classes 4 and 5 (multiplicative trend, or additive error with a
        // multiplicative season) are never fitted: the specification
        // rejects them.
        _ => vec![f64::NAN; h],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_exponential_smoothing_variance_grows_linearly() {
        let mean = [10.0; 4];
        let v = variances(&VarianceInput {
            error: Component::Additive,
            trend: Component::Nothing,
            season: Component::Nothing,
            damped: false,
            m: 1,
            sigma2: 2.0,
            par: [0.5, f64::NAN, f64::NAN, f64::NAN],
            last_state: &[10.0],
            mean: &mean,
        });
        assert_eq!(v, vec![2.0, 2.5, 3.0, 3.5]);
    }

    #[test]
    fn class3_first_step_is_sigma_times_squared_mean() {
        let state = [100.0, 1.1, 0.9, 1.0, 1.0];
        let mean = [99.0, 110.0, 90.0];
        let v = variances(&VarianceInput {
            error: Component::Multiplicative,
            trend: Component::Nothing,
            season: Component::Multiplicative,
            damped: false,
            m: 4,
            sigma2: 0.01,
            par: [0.3, f64::NAN, 0.1, f64::NAN],
            last_state: &state,
            mean: &mean,
        });
        assert!((v[0] - 0.01 * 100.0 * 100.0).abs() < 1e-9, "{v:?}");
        assert!(v[1] > v[0] && v[2] > v[1]);
    }
}
