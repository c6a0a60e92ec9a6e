//! The exact MAP of the linear-growth model: a convex regression with L1
//! (Laplace) penalties on the rate changes and L2 (Gaussian) penalties on the
//! seasonal, holiday and regressor coefficients, solved by an active-set
//! method on the Gram matrix.

use super::design::Design;

/// How a coefficient is penalised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Prior {
    /// Flat prior (the initial rate `k`).
    Flat,
    /// Laplace prior with this scale (rate changes).
    Laplace(f64),
    /// Gaussian prior with this scale (seasonality, holidays, regressors).
    Normal(f64),
}

/// Most active-set steps per solve, per coefficient. Each step adds or
/// removes one rate change, so a solve from zero needs about twice the
/// number of non-zero `δ`; the cap only guards against cycling on rounding.
const STEPS_PER_COEFFICIENT: usize = 20;

/// Relative slack of the optimality check `|c_j| ≤ σ²/τ` of an inactive rate
/// change: violations smaller than this share of `σ²/τ` are rounding.
const KKT_SLACK: f64 = 1e-9;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A dot product with eight interleaved partial sums, which the compiler
/// turns into independent SIMD accumulators (a plain `sum` is one serial
/// dependency chain, bound by the latency of an addition).
pub(super) fn dot_simd(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = dot(ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

/// In-place Cholesky factorisation `A = LLᵀ` of the `q × q` row-major
/// matrix `a` (lower triangle; the upper one is left as it was). With
/// `floor = 0`, returns `false` as soon as a pivot is not above `1e-12`
/// times its diagonal entry (numerically singular); with `floor > 0`, pivots
/// are raised to at least `floor` and the factorisation always succeeds.
// `a`, `q`, `d`, `s`: the usual names of a Cholesky factorisation.
#[allow(clippy::many_single_char_names)]
fn cholesky(a: &mut [f64], q: usize, floor: f64) -> bool {
    for j in 0..q {
        let diagonal = a[j * q + j];
        let d = diagonal - dot(&a[j * q..j * q + j], &a[j * q..j * q + j]);
        let d = if floor > 0.0 {
            d.max(floor)
        } else if d > 1e-12 * diagonal.abs() {
            d
        } else {
            return false;
        };
        let d = d.sqrt();
        a[j * q + j] = d;
        for i in j + 1..q {
            let (upper, lower) = a.split_at_mut(i * q);
            let s = lower[j] - dot(&lower[..j], &upper[j * q..j * q + j]);
            lower[j] = s / d;
        }
    }
    true
}

/// Solve `LLᵀx = b` in place, `L` from [`cholesky`]; both triangular solves
/// read `L` by rows.
fn substitute(l: &[f64], q: usize, x: &mut [f64]) {
    for i in 0..q {
        x[i] = (x[i] - dot(&l[i * q..i * q + i], &x[..i])) / l[i * q + i];
    }
    for i in (0..q).rev() {
        x[i] /= l[i * q + i];
        let xi = x[i];
        for (xk, lik) in x[..i].iter_mut().zip(&l[i * q..i * q + i]) {
            *xk -= lik * xi;
        }
    }
}

/// The Cholesky factor of the `q × q` `matrix`, and whether a relative
/// jitter of `1e-10` on the diagonal was needed: the matrix is factored as
/// it is unless a pivot falls to rounding level (a rank-deficient design).
fn factor_with_jitter(matrix: &[f64], q: usize) -> (Vec<f64>, bool) {
    let mut factor = matrix.to_vec();
    if cholesky(&mut factor, q, 0.0) {
        return (factor, false);
    }
    let jitter = 1e-10 * (0..q).map(|r| matrix[r * q + r]).fold(0.0, f64::max).max(1e-300);
    factor.copy_from_slice(matrix);
    for r in 0..q {
        factor[r * q + r] += jitter;
    }
    cholesky(&mut factor, q, jitter);
    (factor, true)
}

/// The active set of a fit (every coefficient without a Laplace prior, and
/// the non-zero rate changes) and the diagonal `Λ` over it: `σ²/σ_s²` for
/// the Gaussian-prior columns, 0 for the others.
fn active(beta: &[f64], priors: &[Prior], sigma2: f64) -> (Vec<usize>, Vec<f64>) {
    let idx: Vec<usize> = (0..beta.len())
        .filter(|&j| !matches!(priors[j], Prior::Laplace(_)) || beta[j] != 0.0)
        .collect();
    let extra = idx
        .iter()
        .map(|&j| match priors[j] {
            Prior::Normal(s) => sigma2 / (s * s),
            _ => 0.0,
        })
        .collect();
    (idx, extra)
}

/// The spread of a linear-growth fit's coefficients: with the rate changes
/// that are zero held at zero, the posterior covariance of the other
/// coefficients is `σ²(G_A + Λ_A)⁻¹` (exact for the Gaussian-prior
/// columns, the usual Laplace approximation for the active rate changes),
/// and the intercept adds `σ²/n`. For a design row `x` the variance of the
/// fitted mean is `σ² · Posterior::factor(x)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Posterior {
    idx: Vec<usize>,
    /// Cholesky factor of `G_A + Λ_A`, row-major `|A| × |A|`.
    factor: Vec<f64>,
    x_mean: Vec<f64>,
    inv_n: f64,
}

impl Posterior {
    /// `1/n + (x − x̄)_Aᵀ (G_A + Λ_A)⁻¹ (x − x̄)_A` for the design row `x`.
    pub(super) fn factor(&self, x: &[f64]) -> f64 {
        let v: Vec<f64> = self.idx.iter().map(|&j| x[j] - self.x_mean[j]).collect();
        let mut w = v.clone();
        substitute(&self.factor, self.idx.len(), &mut w);
        self.inv_n + dot(&v, &w)
    }
}

/// The centred regression: Gram matrix `G = XcᵀXc`, `b = Xcᵀyc`,
/// `yy = ycᵀyc` (the intercept is profiled out by centring).
#[derive(Debug)]
pub(super) struct Problem {
    p: usize,
    gram: Vec<f64>,
    b: Vec<f64>,
    yy: f64,
    pub(super) x_mean: Vec<f64>,
    pub(super) y_mean: f64,
}

impl Problem {
    /// The Gram matrix of the centred design `rows` (each with `p` entries)
    /// and response `z`.
    ///
    /// The first `knots.len()` columns must be hinges `(t − knots[h])₊` of
    /// the first column `t` (increasing, `knots[0] = 0` so that column 0 is
    /// `t` itself): the trend columns. Their cross products are sums of
    /// polynomials in `t` over the rows past the later knot, read off suffix
    /// sums of `t`, `t²`, `f` and `f·t` (for each other column `f`), so only
    /// the products of the other (Fourier, holiday, regressor) columns are
    /// full dot products. The raw products are then centred,
    /// `XcᵀXc = XᵀX − n·x̄x̄ᵀ`. The cancellation this involves is a factor
    /// `E[x²]/Var(x)`: at most 4 for the trend columns, about 1 for Fourier
    /// columns and `1/(1 − share)` for a 0/1 column, so entries keep 13 or
    /// more significant digits.
    // `n`, `p`, `h`, `d`, `t`, `z`, `b`: sizes and the usual regression names.
    #[allow(clippy::many_single_char_names)]
    pub(super) fn new(rows: &Design, z: &[f64], knots: &[f64]) -> Self {
        let n = rows.n();
        let p = rows.p;
        let nf = n as f64;
        let h = knots.len();
        let d = p - h;
        let t: Vec<f64> = rows.rows().map(|r| r[0]).collect();
        // Row from which each hinge can be non-zero.
        let first: Vec<usize> = knots.iter().map(|&s| t.partition_point(|&ti| ti < s)).collect();
        // `(Σ f, Σ f·t)` over the rows from `first[a]` on, for each hinge `a`.
        let hinge_sums = |f: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
            let mut out = vec![(0.0, 0.0); h];
            let (mut s0, mut s1, mut i) = (0.0, 0.0, n);
            for a in (0..h).rev() {
                while i > first[a] {
                    i -= 1;
                    let v = f(i);
                    s0 += v;
                    s1 += v * t[i];
                }
                out[a] = (s0, s1);
            }
            out
        };
        let mut dense = vec![0.0; d * n];
        for (i, r) in rows.rows().enumerate() {
            for (j, v) in r[h..].iter().enumerate() {
                dense[j * n + i] = *v;
            }
        }
        let col = |j: usize| &dense[j * n..(j + 1) * n];

        let mut gram = vec![0.0; p * p];
        let mut x_mean = vec![0.0; p];
        let mut b = vec![0.0; p];
        // Hinge × hinge: Σ_{i ≥ i0} (t_i − s_a)(t_i − s_b).
        let t_sums = hinge_sums(&|i| t[i]);
        let count = |a: usize| (n - first[a]) as f64;
        for a in 0..h {
            // Σ t and Σ t² from first[a] on.
            let (t1, _) = t_sums[a];
            x_mean[a] = (t1 - knots[a] * count(a)) / nf;
            for c in a..h {
                // first[c] ≥ first[a]: the later knot sets the rows.
                let (u1, u2) = t_sums[c];
                let v = u2 - (knots[a] + knots[c]) * u1 + knots[a] * knots[c] * count(c);
                gram[a * p + c] = v;
            }
        }
        // Hinge × other, other × other.
        for j in 0..d {
            let f = col(j);
            let sums = hinge_sums(&|i| f[i]);
            for (a, (s0, s1)) in sums.iter().enumerate() {
                gram[a * p + h + j] = s1 - knots[a] * s0;
            }
            x_mean[h + j] = f.iter().sum::<f64>() / nf;
            for k in j..d {
                gram[(h + j) * p + h + k] = dot_simd(f, col(k));
            }
            b[h + j] = dot_simd(f, z);
        }
        for (a, (s0, s1)) in hinge_sums(&|i| z[i]).iter().enumerate() {
            b[a] = s1 - knots[a] * s0;
        }
        let y_mean = z.iter().sum::<f64>() / nf;
        // Centre and mirror.
        for j in 0..p {
            for k in j..p {
                let g = gram[j * p + k] - nf * x_mean[j] * x_mean[k];
                gram[j * p + k] = g;
                gram[k * p + j] = g;
            }
            b[j] -= nf * x_mean[j] * y_mean;
        }
        let yy = z.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
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
    pub(super) fn rss(&self, beta: &[f64]) -> f64 {
        let p = self.p;
        let mut quad = 0.0;
        for j in 0..p {
            quad += beta[j] * dot(&self.gram[j * p..(j + 1) * p], beta);
        }
        (self.yy - 2.0 * dot(beta, &self.b) + quad).max(0.0)
    }

    /// Effective degrees of freedom of the penalised fit `beta` at noise
    /// variance `sigma2`, the intercept included: `1 + tr((G_A + Λ_A)⁻¹
    /// G_A)` over the active set `A` (every coefficient without a Laplace
    /// prior, and the non-zero rate changes), `Λ` holding `σ²/σ_s²` for the
    /// Gaussian-prior columns and 0 for the others. This is the degrees of
    /// freedom of the elastic net (Zou, Hastie & Tibshirani, "On the degrees
    /// of freedom of the lasso", *Ann. Statist.* 35(5), 2007; Tibshirani &
    /// Taylor, *Ann. Statist.* 40(2), 2012): each active rate change counts
    /// one, each shrunk Gaussian coefficient less than one. Computed as
    /// `1 + |A| − Σ_j Λ_jj (G_A + Λ_A)⁻¹_jj`.
    pub(super) fn effective_df(&self, beta: &[f64], priors: &[Prior], sigma2: f64) -> f64 {
        let (idx, extra) = active(beta, priors, sigma2);
        let mut shrinkage = 0.0;
        for (r, &lambda) in extra.iter().enumerate() {
            if lambda > 0.0 {
                // Column r of (G_A + Λ_A)⁻¹ by one solve against e_r.
                let mut e = vec![0.0; idx.len()];
                e[r] = 1.0;
                let column = self.solve_subset(&idx, &extra, &e);
                shrinkage += lambda * column[idx[r]];
            }
        }
        1.0 + idx.len() as f64 - shrinkage
    }

    /// The posterior spread of the fit `beta` at noise variance `sigma2`
    /// (see [`Posterior`]): the factor of `G_A + Λ_A` over the active set as
    /// in [`Problem::effective_df`].
    pub(super) fn posterior(&self, beta: &[f64], priors: &[Prior], sigma2: f64, n: usize) -> Posterior {
        let (idx, extra) = active(beta, priors, sigma2);
        let (factor, _) = factor_with_jitter(&self.subset_matrix(&idx, &extra), idx.len());
        Posterior {
            idx,
            factor,
            x_mean: self.x_mean.clone(),
            inv_n: 1.0 / n.max(1) as f64,
        }
    }

    /// `G[idx, idx] + diag(extra)`, row-major.
    fn subset_matrix(&self, idx: &[usize], extra: &[f64]) -> Vec<f64> {
        let q = idx.len();
        let mut matrix = vec![0.0; q * q];
        for (r, &i) in idx.iter().enumerate() {
            for (c, &j) in idx.iter().enumerate() {
                matrix[r * q + c] = self.gram[i * self.p + j];
            }
            matrix[r * q + r] += extra[r];
        }
        matrix
    }

    /// Least squares on the columns without a Laplace prior (the others are
    /// zero).
    pub(super) fn least_squares(&self, priors: &[Prior]) -> Vec<f64> {
        let idx: Vec<usize> = (0..self.p)
            .filter(|&j| !matches!(priors[j], Prior::Laplace(_)))
            .collect();
        let rhs: Vec<f64> = idx.iter().map(|&i| self.b[i]).collect();
        self.solve_subset(&idx, &vec![0.0; idx.len()], &rhs)
    }

    /// Solve `(G[idx, idx] + diag(extra)) x = rhs` by Cholesky; returns the
    /// full-length coefficient vector, zero outside `idx`.
    ///
    /// The matrix is positive definite for any design with distinct
    /// changepoints, and is then factored as it is. If a pivot falls to
    /// rounding level (a rank-deficient design), the factor is recomputed
    /// with a relative jitter of `1e-10` on the diagonal, and two steps of
    /// iterative refinement against the matrix without jitter remove most of
    /// the jitter's bias.
    fn solve_subset(&self, idx: &[usize], extra: &[f64], rhs: &[f64]) -> Vec<f64> {
        let p = self.p;
        let q = idx.len();
        let matrix = self.subset_matrix(idx, extra);
        let (factor, jittered) = factor_with_jitter(&matrix, q);
        let mut x = rhs.to_vec();
        substitute(&factor, q, &mut x);
        if jittered {
            for _ in 0..2 {
                let mut r: Vec<f64> = (0..q).map(|i| rhs[i] - dot(&matrix[i * q..(i + 1) * q], &x)).collect();
                substitute(&factor, q, &mut r);
                for (xi, ri) in x.iter_mut().zip(&r) {
                    *xi += ri;
                }
            }
        }
        let mut beta = vec![0.0; p];
        for (&i, v) in idx.iter().zip(x) {
            beta[i] = v;
        }
        beta
    }

    /// Minimise the MAP objective times σ²,
    ///
    /// ```text
    /// ½‖yc − Xcβ‖² + σ² Σ|δ_j|/τ + σ² Σ β_s²/(2σ_s²),
    /// ```
    ///
    /// exactly, by the active-set (homotopy-free) method of Osborne,
    /// Presnell & Turlach (2000), "A new approach to variable selection in
    /// least squares problems", *IMA J. Numer. Anal.* 20(3), 389–403,
    /// warm-started from `beta`. The active set holds every coefficient
    /// without a Laplace prior and the non-zero `δ` with their signs; with
    /// the signs fixed the objective is quadratic and its minimiser on the
    /// active set is found by Cholesky. If some active `δ` would change sign
    /// on the way there, the step stops at the first zero crossing and that
    /// `δ` leaves; otherwise the step is taken and the inactive `δ` that
    /// most violates its optimality condition `|c_j| ≤ σ²/τ` (with
    /// `c = b − Gβ`) enters with the sign of `c_j`. Each step lowers the
    /// convex objective, and the method stops at the exact minimiser when no
    /// condition is violated.
    pub(super) fn solve(&self, priors: &[Prior], sigma2: f64, beta: &mut [f64]) {
        let p = self.p;
        let laplace = |j: usize| matches!(priors[j], Prior::Laplace(_));
        // Sign of each active δ; 0 for inactive δ and for the other columns.
        let mut sign: Vec<f64> = (0..p)
            .map(|j| {
                if laplace(j) && beta[j] != 0.0 {
                    beta[j].signum()
                } else {
                    0.0
                }
            })
            .collect();
        let mut entered: Option<usize> = None;
        for _ in 0..STEPS_PER_COEFFICIENT * p.max(1) {
            let idx: Vec<usize> = (0..p).filter(|&j| !laplace(j) || sign[j] != 0.0).collect();
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
                    Prior::Laplace(tau) => self.b[j] - sigma2 / tau * sign[j],
                    _ => self.b[j],
                })
                .collect();
            let candidate = self.solve_subset(&idx, &extra, &rhs);
            // Largest step in [0, 1] before an active δ reaches zero.
            let mut step = 1.0;
            let mut leaving = None;
            for &j in idx.iter().filter(|&&j| laplace(j)) {
                if candidate[j] * sign[j] <= 0.0 {
                    let gap = beta[j] - candidate[j];
                    let a = if gap == 0.0 { 0.0 } else { beta[j] / gap };
                    if a < step {
                        step = a;
                        leaving = Some(j);
                    }
                }
            }
            if let Some(j) = leaving {
                for (b, c) in beta.iter_mut().zip(&candidate) {
                    *b += step * (c - *b);
                }
                beta[j] = 0.0;
                sign[j] = 0.0;
                // In exact arithmetic a δ that has just entered moves with
                // its sign; if rounding says otherwise, the current point is
                // optimal to working precision.
                if step == 0.0 && entered == Some(j) {
                    break;
                }
                entered = None;
                continue;
            }
            beta.copy_from_slice(&candidate);
            let mut worst: Option<(usize, f64)> = None;
            let mut worst_excess = 0.0;
            for j in (0..p).filter(|&j| laplace(j) && sign[j] == 0.0) {
                let Prior::Laplace(tau) = priors[j] else { continue };
                let lambda = sigma2 / tau;
                let c = self.b[j] - dot(&self.gram[j * p..(j + 1) * p], beta);
                let excess = c.abs() - lambda;
                if excess > KKT_SLACK * lambda && excess > worst_excess {
                    worst_excess = excess;
                    worst = Some((j, c.signum()));
                }
            }
            match worst {
                Some((j, s)) => {
                    sign[j] = s;
                    entered = Some(j);
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::many_single_char_names)]
    fn active_set_solution_satisfies_the_optimality_conditions() {
        // A small lasso with correlated hinge columns, a flat slope and a
        // ridge column, at three noise levels.
        let n: usize = 60;
        let knots = [0.2, 0.4, 0.6, 0.8];
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let t = i as f64 / (n - 1) as f64;
                let mut r = vec![t];
                r.extend(knots.iter().map(|s| (t - s).max(0.0)));
                r.push((i as f64).sin());
                r
            })
            .collect();
        let z: Vec<f64> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| 1.0 + 0.5 * r[0] - 2.0 * r[3] + 0.3 * r[5] + 0.01 * ((i * 7919 % 13) as f64 - 6.0))
            .collect();
        let mut priors = vec![Prior::Flat];
        priors.extend(knots.iter().map(|_| Prior::Laplace(0.05)));
        priors.push(Prior::Normal(10.0));
        let problem = Problem::new(&Design::from_rows(&rows), &z, &[0.0, 0.2, 0.4, 0.6, 0.8]);
        for sigma2 in [1e-4, 1e-3, 1e-2] {
            let mut beta = problem.least_squares(&priors);
            problem.solve(&priors, sigma2, &mut beta);
            // The optimality (KKT) conditions certify the exact minimiser:
            // with c = b − Gβ, c_j = 0 (flat), c_j = σ²β_j/σ_j² (Gaussian),
            // c_j = σ²/τ·sign(β_j) for β_j ≠ 0 and |c_j| ≤ σ²/τ for β_j = 0
            // (Laplace). Rounding in c is about ε·‖G‖·‖β‖ ≈ 1e-14.
            let p = problem.p;
            let mut active = 0;
            for j in 0..p {
                let c = problem.b[j] - dot(&problem.gram[j * p..(j + 1) * p], &beta);
                let gap = match priors[j] {
                    Prior::Flat => c.abs(),
                    Prior::Normal(s) => (c - sigma2 * beta[j] / (s * s)).abs(),
                    Prior::Laplace(tau) if beta[j] != 0.0 => {
                        active += 1;
                        (c - sigma2 / tau * beta[j].signum()).abs()
                    }
                    Prior::Laplace(tau) => (c.abs() - sigma2 / tau).max(0.0),
                };
                assert!(gap < 1e-12, "condition {j} off by {gap} at σ² = {sigma2}: {beta:?}");
            }
            // The kink at 0.6 is found.
            assert!(active >= 1 && beta[3] < -1.0, "{beta:?}");
        }
    }

    #[test]
    fn effective_df_counts_free_and_shrunk_coefficients() {
        // Two free columns and one ridge column on 40 rows.
        let n: usize = 40;
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let t = i as f64 / (n - 1) as f64;
                vec![t, (3.0 * t).sin(), (i as f64 * 0.7).cos()]
            })
            .collect();
        let z: Vec<f64> = rows.iter().map(|r| 0.3 + r[0] - 0.5 * r[1] + 0.2 * r[2]).collect();
        let problem = Problem::new(&Design::from_rows(&rows), &z, &[0.0]);
        let beta = vec![1.0, -0.5, 0.2];
        // No penalty at all: least squares, 1 + 3 degrees of freedom.
        let free = [Prior::Flat, Prior::Flat, Prior::Flat];
        assert!((problem.effective_df(&beta, &free, 1.0) - 4.0).abs() < 1e-9);
        // A ridge column counts g/(g + λ) for an orthogonalised column of
        // squared norm g: between 0 and 1, falling as σ²/σ_s² grows.
        let ridge = [Prior::Flat, Prior::Flat, Prior::Normal(1.0)];
        let weak = problem.effective_df(&beta, &ridge, 1e-8);
        let strong = problem.effective_df(&beta, &ridge, 1e8);
        assert!((weak - 4.0).abs() < 1e-6, "{weak}");
        assert!((strong - 3.0).abs() < 1e-6, "{strong}");
        let mid = problem.effective_df(&beta, &ridge, 1.0);
        assert!(mid > strong && mid < weak, "{mid}");
        // A Laplace column counts one when active, nothing when zero.
        let lasso = [Prior::Flat, Prior::Flat, Prior::Laplace(0.1)];
        assert!((problem.effective_df(&beta, &lasso, 1.0) - 4.0).abs() < 1e-9);
        assert!((problem.effective_df(&[1.0, -0.5, 0.0], &lasso, 1.0) - 3.0).abs() < 1e-9);
    }
}
