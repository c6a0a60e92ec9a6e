//! Small dense linear algebra for the regression part: the singular value
//! decomposition of a tall matrix with few columns (one-sided Jacobi,
//! Hestenes 1958; Demmel & Veselić, SIAM J. Matrix Anal. Appl. 13, 1992),
//! least squares by the pseudo-inverse as statsmodels' `OLS.fit()`, and the
//! stationarity test of a polynomial.

// A line-by-line port: the reference's index expressions, one-letter
// names (p, q, r, d, m) and exact float comparisons are kept so that the
// code can be read against it.
#![allow(
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::float_cmp,
    clippy::needless_range_loop,
    clippy::too_many_lines
)]

/// Singular value decomposition of the `n × k` matrix given by its `k`
/// columns: singular values in decreasing order and the right singular
/// vectors `v` (column `j` of `V` is `v[j]`), so that `X V = U Σ`.
pub(crate) struct Svd {
    /// Singular values, decreasing.
    pub s: Vec<f64>,
    /// Right singular vectors, one per singular value.
    pub v: Vec<Vec<f64>>,
    /// `X v[j]` (= `s[j] · u[j]`).
    pub xv: Vec<Vec<f64>>,
}

/// One-sided Jacobi SVD; `cols` are the columns of `X` (equal lengths).
pub(crate) fn svd(cols: &[Vec<f64>]) -> Svd {
    let k = cols.len();
    let mut w: Vec<Vec<f64>> = cols.to_vec();
    let mut v: Vec<Vec<f64>> = (0..k)
        .map(|j| (0..k).map(|i| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _sweep in 0..60 {
        let mut rotated = false;
        for i in 0..k {
            for j in i + 1..k {
                let alpha: f64 = w[i].iter().map(|x| x * x).sum();
                let beta: f64 = w[j].iter().map(|x| x * x).sum();
                let gamma: f64 = w[i].iter().zip(&w[j]).map(|(a, b)| a * b).sum();
                if gamma == 0.0 || gamma.abs() <= 1e-15 * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                let (wi, wj) = pair(&mut w, i, j);
                for (a, b) in wi.iter_mut().zip(wj.iter_mut()) {
                    let (x, y) = (*a, *b);
                    *a = c * x - s * y;
                    *b = s * x + c * y;
                }
                let (vi, vj) = pair(&mut v, i, j);
                for (a, b) in vi.iter_mut().zip(vj.iter_mut()) {
                    let (x, y) = (*a, *b);
                    *a = c * x - s * y;
                    *b = s * x + c * y;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    let norms: Vec<f64> = w.iter().map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt()).collect();
    order.sort_by(|a, b| norms[*b].total_cmp(&norms[*a]));
    Svd {
        s: order.iter().map(|&j| norms[j]).collect(),
        v: order.iter().map(|&j| v[j].clone()).collect(),
        xv: order.iter().map(|&j| w[j].clone()).collect(),
    }
}

fn pair<T>(v: &mut [T], i: usize, j: usize) -> (&mut T, &mut T) {
    let (a, b) = v.split_at_mut(j);
    (&mut a[i], &mut b[0])
}

/// Least squares `y ≈ X b` by the pseudo-inverse with singular values
/// below `1e-15 · max` treated as zero (statsmodels' `OLS(y, X).fit()`,
/// `method="pinv"`): the coefficients and the residuals.
pub(crate) fn ols(y: &[f64], cols: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let k = cols.len();
    let dec = svd(cols);
    let smax = dec.s.first().copied().unwrap_or(0.0);
    let mut b = vec![0.0; k];
    for j in 0..k {
        let s = dec.s[j];
        if s <= 1e-15 * smax || s.is_nan() {
            continue;
        }
        // b += v_j (x v_j)ᵀ y / s².
        let proj: f64 = dec.xv[j].iter().zip(y).map(|(a, b)| a * b).sum::<f64>() / (s * s);
        for (bi, vi) in b.iter_mut().zip(&dec.v[j]) {
            *bi += vi * proj;
        }
    }
    let resid = y
        .iter()
        .enumerate()
        .map(|(t, v)| v - cols.iter().zip(&b).map(|(c, bj)| c[t] * bj).sum::<f64>())
        .collect();
    (b, resid)
}

/// Whether every root of `1 − c₁z − … − c_k z^k` has modulus at least
/// `radius` (> 0): the Schur–Cohn step-down (inverse Durbin–Levinson)
/// recursion on the coefficients of the polynomial in `radius·z`, whose
/// partial autocorrelations all lie strictly inside (−1, 1) exactly when
/// its roots lie outside the unit circle.
pub(crate) fn roots_outside(c: &[f64], radius: f64) -> bool {
    let k = c.len();
    if k == 0 {
        return true;
    }
    let mut a: Vec<f64> = c
        .iter()
        .enumerate()
        .map(|(i, v)| v * radius.powi(i32::try_from(i + 1).unwrap_or(i32::MAX)))
        .collect();
    let mut work = vec![0.0; k];
    for j in (0..k).rev() {
        let kappa = a[j];
        if kappa.abs() >= 1.0 || kappa.is_nan() {
            return false;
        }
        let denom = 1.0 - kappa * kappa;
        for i in 0..j {
            work[i] = (a[i] + kappa * a[j - 1 - i]) / denom;
        }
        a[..j].copy_from_slice(&work[..j]);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ols_recovers_a_line_and_tolerates_a_zero_column() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|t| 3.0 + 0.5 * t).collect();
        let (b, r) = ols(&y, &[vec![1.0; 20], x.clone()]);
        assert!((b[0] - 3.0).abs() < 1e-10 && (b[1] - 0.5).abs() < 1e-12, "{b:?}");
        assert!(r.iter().all(|v| v.abs() < 1e-10));
        // A zero column gets a zero coefficient (pseudo-inverse).
        let (b, _) = ols(&y, &[vec![1.0; 20], x, vec![0.0; 20]]);
        assert!(b[2].abs() < 1e-12 && (b[1] - 0.5).abs() < 1e-10, "{b:?}");
    }

    #[test]
    fn svd_gives_singular_values_in_decreasing_order() {
        let cols = vec![vec![3.0, 0.0, 0.0], vec![0.0, 1.0, 0.0], vec![0.0, 0.0, 2.0]];
        let d = svd(&cols);
        assert_eq!(d.s, vec![3.0, 2.0, 1.0]);
        let cols = vec![vec![1.0, 1.0, 1.0, 1.0], vec![1.0, 2.0, 3.0, 4.0]];
        let d = svd(&cols);
        // XᵀX = [[4, 10], [10, 30]]: eigenvalues 17 ± √269.
        let e = [17.0 + 269f64.sqrt(), 17.0 - 269f64.sqrt()];
        for (s, e) in d.s.iter().zip(e) {
            assert!((s * s - e).abs() < 1e-10);
        }
    }

    #[test]
    fn step_down_detects_roots_inside_the_radius() {
        // 1 − 0.5z: root 2.
        assert!(roots_outside(&[0.5], 1.01));
        assert!(!roots_outside(&[0.5], 2.5));
        // 1 − 0.99z: root 1.0101 > 1.01; 1 − 0.995z: root 1.005.
        assert!(roots_outside(&[0.99], 1.01));
        assert!(!roots_outside(&[0.995], 1.01));
        // (1 − 0.9 z¹²): roots of modulus 0.9^(−1/12) = 1.0088.
        let mut c = vec![0.0; 12];
        c[11] = 0.9;
        assert!(!roots_outside(&c, 1.01));
        c[11] = 0.5;
        assert!(roots_outside(&c, 1.01));
        // 1 − 1.5z + 0.56z² = (1 − 0.7z)(1 − 0.8z): roots 1.43, 1.25.
        assert!(roots_outside(&[1.5, -0.56], 1.2));
        assert!(!roots_outside(&[1.5, -0.56], 1.3));
    }
}
