//! Starting values and bounds (statsforecast's `ets.py`: `initparam`,
//! `check_param`, `admissible`, `initstate`; R `forecast`'s `ets.R`).
//!
//! The seasonal initial states come from a classical decomposition
//! (statsmodels' `seasonal_decompose`, moving-average trend) when there are
//! at least three seasons, otherwise from a regression on a line and one
//! pair of Fourier terms (Hyndman et al. 2008, §2.6.1). numpy's rounding is
//! followed where it is cheap to do so (its pairwise sums, the order of
//! `np.convolve`'s products); the small least-squares problems are solved
//! by a Householder QR instead of LAPACK's SVD, which agrees to a few units
//! in the last place.

// A line-by-line port: the reference's names and exact float comparisons
// are kept so that the code can be read against it.
#![allow(
    clippy::float_cmp,
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::manual_range_contains
)]

use super::calc::Component;
use super::lapack::lstsq_line;

/// Lower and upper bounds of `alpha`, `beta`, `gamma`, `phi`
/// (statsforecast's defaults: 1e-4 to 0.9999, `phi` 0.8 to 0.98).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) lower: [f64; 4],
    pub(crate) upper: [f64; 4],
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            lower: [0.0001, 0.0001, 0.0001, 0.8],
            upper: [0.9999, 0.9999, 0.9999, 0.98],
        }
    }
}

/// Starting smoothing parameters (`NaN` where the model has none or the
/// value is given). Like the reference, this lowers `upper[1]` to `alpha`
/// and `upper[2]` to `1 − alpha` *in place*: statsforecast's candidate loop
/// shares one bounds array, so these limits carry over to the later
/// candidates.
pub(crate) fn initparam(
    given: [f64; 4],
    trend: Component,
    season: Component,
    damped: bool,
    bounds: &mut Bounds,
    m: usize,
) -> [f64; 4] {
    let [mut alpha, mut beta, mut gamma, mut phi] = given;
    let (lower, upper) = (&bounds.lower, &mut bounds.upper);
    if alpha.is_nan() {
        alpha = lower[0] + 0.2 * (upper[0] - lower[0]) / m as f64;
        if alpha > 1.0 || alpha < 0.0 {
            alpha = lower[0] + 2e-3;
        }
    }
    if trend != Component::Nothing && beta.is_nan() {
        upper[1] = upper[1].min(alpha);
        beta = lower[1] + 0.1 * (upper[1] - lower[1]);
        if beta < 0.0 || beta > alpha {
            beta = alpha - 1e-3;
        }
    }
    if season != Component::Nothing && gamma.is_nan() {
        upper[2] = upper[2].min(1.0 - alpha);
        gamma = lower[2] + 0.05 * (upper[2] - lower[2]);
        if gamma < 0.0 || gamma > 1.0 - alpha {
            gamma = 1.0 - alpha - 1e-3;
        }
    }
    if damped && phi.is_nan() {
        phi = lower[3] + 0.99 * (upper[3] - lower[3]);
        if !(0.0..=1.0).contains(&phi) {
            phi = upper[3] - 1e-3;
        }
    }
    [alpha, beta, gamma, phi]
}

/// `check_param` with `bounds = "both"`: the usual bounds, then the
/// admissible region.
pub(crate) fn check_param(par: [f64; 4], bounds: &Bounds, m: usize) -> bool {
    let [alpha, beta, gamma, phi] = par;
    let (lower, upper) = (&bounds.lower, &bounds.upper);
    if !alpha.is_nan() && (alpha < lower[0] || alpha > upper[0]) {
        return false;
    }
    if !beta.is_nan() && (beta < lower[1] || beta > alpha || beta > upper[1]) {
        return false;
    }
    if !phi.is_nan() && (phi < lower[3] || phi > upper[3]) {
        return false;
    }
    if !gamma.is_nan() && (gamma < lower[2] || gamma > 1.0 - alpha || gamma > upper[2]) {
        return false;
    }
    admissible(alpha, beta, gamma, phi, m)
}

/// The admissible (forecastability) region of Hyndman et al. 2008, ch. 10
/// (R's and statsforecast's `admissible`).
fn admissible(alpha: f64, mut beta: f64, gamma: f64, phi: f64, m: usize) -> bool {
    let phi = if phi.is_nan() { 1.0 } else { phi };
    if phi < 0.0 || phi > 1.0 + 1e-8 {
        return false;
    }
    if gamma.is_nan() {
        if alpha < 1.0 - 1.0 / phi || alpha > 1.0 + 1.0 / phi {
            return false;
        }
        if !beta.is_nan() && (beta < alpha * (phi - 1.0) || beta > (1.0 + phi) * (2.0 - alpha)) {
            return false;
        }
    } else if m > 1 {
        if beta.is_nan() {
            beta = 0.0;
        }
        let mf = m as f64;
        if gamma < (1.0 - 1.0 / phi - alpha).max(0.0) || gamma > 1.0 + 1.0 / phi - alpha {
            return false;
        }
        if alpha < 1.0 - 1.0 / phi - gamma * (1.0 - mf + phi + phi * mf) / (2.0 * phi * mf) {
            return false;
        }
        if beta < -(1.0 - phi) * (gamma / mf + alpha) {
            return false;
        }
        // Characteristic polynomial, increasing powers, monic.
        let mut p = Vec::with_capacity(m + 2);
        p.push(phi * (1.0 - alpha - gamma));
        p.push(alpha + beta - alpha * phi + gamma - 1.0);
        for _ in 0..m - 2 {
            p.push(alpha + beta - alpha * phi);
        }
        p.push(alpha + beta - phi);
        p.push(1.0);
        if !roots_within(&p, 1.0 + 1e-10) {
            return false;
        }
    }
    true
}

/// Whether every root of the monic polynomial `Σ pᵢ xⁱ` (`p` in
/// increasing powers, last coefficient 1) has modulus at most `radius`:
/// the Schur–Cohn step-down recursion on the reversed polynomial in
/// `x / radius`, whose reflection coefficients all lie in (−1, 1) exactly
/// when its roots lie outside the unit circle (the reference computes the
/// roots with numpy's `polyroots`; the two agree except on the boundary).
fn roots_within(p: &[f64], radius: f64) -> bool {
    let k = p.len() - 1;
    // q(z) = z^k p(radius / z) / radius^k, normalised so that q(0) = 1:
    // roots of q are radius / roots of p, so |root of p| ≤ radius iff
    // |root of q| ≥ 1. q_i = p_{k−i} radius^{−i}.
    let mut a: Vec<f64> = (1..=k)
        .map(|i| -p[k - i] / radius.powi(i32::try_from(i).unwrap_or(i32::MAX)))
        .collect();
    let mut work = vec![0.0; k];
    for j in (0..k).rev() {
        let kappa = a[j];
        if kappa.abs() > 1.0 || kappa.is_nan() {
            return false;
        }
        if kappa.abs() == 1.0 {
            // A root on the circle: inside the closed disc.
            return true;
        }
        let denom = 1.0 - kappa * kappa;
        for i in 0..j {
            work[i] = (a[i] + kappa * a[j - 1 - i]) / denom;
        }
        a[..j].copy_from_slice(&work[..j]);
    }
    true
}

/// numpy's pairwise summation (`DOUBLE_pairwise_sum`, blocks of 128,
/// eight accumulators), as `np.sum` of a contiguous array.
pub(crate) fn np_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        np_sum(&a[..n2]) + np_sum(&a[n2..])
    }
}

/// `np.mean`.
fn np_mean(a: &[f64]) -> f64 {
    np_sum(a) / a.len() as f64
}

/// statsmodels' `seasonal_decompose(y, period=m).seasonal` for one cycle
/// (`m` values, position `i` for times `i, i + m, …`): a centred moving
/// average trend (`2×m` for even `m`), per-position means of the detrended
/// series, normalised to sum 0 (additive) or mean 1 (multiplicative).
fn decompose_seasonal(y: &[f64], m: usize, multiplicative: bool) -> Vec<f64> {
    let n = y.len();
    let filt: Vec<f64> = if m % 2 == 0 {
        // statsmodels: np.array([0.5] + [1] * (m - 1) + [0.5]) / m.
        (0..=m)
            .map(|i| if i == 0 || i == m { 0.5 } else { 1.0 } / m as f64)
            .collect()
    } else {
        vec![1.0 / m as f64; m]
    };
    let nk = filt.len();
    // np.convolve(y, filt, "valid"): numpy's small_correlate for kernels
    // of up to 11 taps (plain products and sums), OpenBLAS's ddot (fused
    // multiply-adds, one accumulator) beyond.
    let valid = n + 1 - nk;
    let mut trend = vec![f64::NAN; n];
    let head = nk.div_ceil(2) - 1;
    for i in 0..valid {
        let w = &y[i..i + nk];
        let mut s = 0.0_f64;
        if nk <= 11 {
            for (a, k) in w.iter().zip(filt.iter().rev()) {
                s += a * k;
            }
        } else {
            for (a, k) in w.iter().zip(filt.iter().rev()) {
                s = a.mul_add(*k, s);
            }
        }
        trend[head + i] = s;
    }
    let detrended: Vec<f64> = y
        .iter()
        .zip(&trend)
        .map(|(v, t)| if multiplicative { v / t } else { v - t })
        .collect();
    let mut avg: Vec<f64> = (0..m)
        .map(|i| {
            let col: Vec<f64> = detrended[i..].iter().step_by(m).copied().collect();
            let count = col.iter().filter(|v| !v.is_nan()).count();
            let filled: Vec<f64> = col.iter().map(|v| if v.is_nan() { 0.0 } else { *v }).collect();
            np_sum(&filled) / count as f64
        })
        .collect();
    let mean = np_mean(&avg);
    for v in &mut avg {
        if multiplicative {
            *v /= mean;
        } else {
            *v -= mean;
        }
    }
    avg
}

/// Least squares `y ≈ X b` for a few columns by Householder QR.
fn lstsq(cols: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let k = cols.len();
    let n = y.len();
    let mut a: Vec<Vec<f64>> = cols.to_vec();
    let mut r = y.to_vec();
    let mut diag = vec![0.0; k];
    for j in 0..k {
        let norm = a[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[j][j..].to_vec();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|x| x * x).sum();
        diag[j] = alpha;
        if vnorm2 == 0.0 {
            continue;
        }
        for col in a.iter_mut().skip(j) {
            let d: f64 = v.iter().zip(&col[j..]).map(|(p, q)| p * q).sum::<f64>() * 2.0 / vnorm2;
            for (c, vi) in col[j..].iter_mut().zip(&v) {
                *c -= d * vi;
            }
        }
        let d: f64 = v.iter().zip(&r[j..]).map(|(p, q)| p * q).sum::<f64>() * 2.0 / vnorm2;
        for (c, vi) in r[j..n].iter_mut().zip(&v) {
            *c -= d * vi;
        }
    }
    let mut b = vec![0.0; k];
    for j in (0..k).rev() {
        let mut s = r[j];
        for (l, bl) in b.iter().enumerate().skip(j + 1) {
            s -= a[l][j] * bl;
        }
        b[j] = if a[j][j] == 0.0 { 0.0 } else { s / a[j][j] };
    }
    b
}

/// Why no initial state could be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InitError {
    /// Fewer than four observations for a seasonal model.
    TooShort,
    /// A multiplicative season with a value ≤ 0 in the regression fit.
    NonPositive,
}

/// `initstate`: the initial level, growth (if any) and the first `m − 1`
/// seasonal states (most recent first), as the reference orders them.
pub(crate) fn initstate(y: &[f64], m: usize, trend: Component, season: Component) -> Result<Vec<f64>, InitError> {
    let n = y.len();
    let mut m = m;
    let (init_seas, y_sa): (Vec<f64>, Vec<f64>) = if season == Component::Nothing {
        m = 1;
        (Vec::new(), y.to_vec())
    } else {
        if n < 4 {
            return Err(InitError::TooShort);
        }
        let multiplicative = season == Component::Multiplicative;
        let seasonal: Vec<f64> = if n < 3 * m {
            let t: Vec<f64> = (1..=n).map(|v| v as f64).collect();
            let p = 1.0 / m as f64;
            let mut cols = vec![vec![1.0; n], t.clone()];
            cols.push(t.iter().map(|ti| (2.0 * std::f64::consts::PI * p * ti).cos()).collect());
            if (2.0 * p - (2.0 * p).round()).abs() > f64::EPSILON {
                cols.push(t.iter().map(|ti| (2.0 * std::f64::consts::PI * p * ti).sin()).collect());
            }
            let coefs = lstsq(&cols, y);
            if multiplicative {
                if !y.iter().fold(f64::INFINITY, |a, &b| a.min(b)).gt(&0.0) {
                    return Err(InitError::NonPositive);
                }
                y.iter().zip(&t).map(|(v, ti)| v / (coefs[0] + coefs[1] * ti)).collect()
            } else {
                y.iter().zip(&t).map(|(v, ti)| v - coefs[0] - coefs[1] * ti).collect()
            }
        } else {
            let cycle = decompose_seasonal(y, m, multiplicative);
            (0..n).map(|i| cycle[i % m]).collect()
        };
        let mut init_seas: Vec<f64> = seasonal[1..m].iter().rev().copied().collect();
        let y_sa: Vec<f64> = if multiplicative {
            for v in &mut init_seas {
                *v = v.max(1e-2);
            }
            if np_sum(&init_seas) > m as f64 {
                let plus: Vec<f64> = init_seas.iter().map(|v| v + 1e-2).collect();
                let total = np_sum(&plus);
                for v in &mut init_seas {
                    *v /= total;
                }
            }
            y.iter().zip(&seasonal).map(|(v, s)| v / s.max(1e-2)).collect()
        } else {
            y.iter().zip(&seasonal).map(|(v, s)| v - s).collect()
        };
        (init_seas, y_sa)
    };
    let maxn = (2 * m).max(10).min(y_sa.len());
    let mut out = Vec::with_capacity(2 + init_seas.len());
    if trend == Component::Nothing {
        out.push(np_mean(&y_sa[..maxn]));
    } else {
        let t: Vec<f64> = (1..=maxn).map(|v| v as f64).collect();
        let (l, b) = lstsq_line(&t, &y_sa[..maxn]);
        if trend == Component::Additive {
            let (mut l0, mut b0) = (l, b);
            if (l0 + b0).abs() < 1e-8 {
                l0 *= 1.0 + 1e-3;
                b0 *= 1.0 - 1e-3;
            }
            out.extend([l0, b0]);
        } else {
            let mut l0 = l + b;
            if l0.abs() < 1e-8 {
                l0 = 1e-7;
            }
            let mut b0 = (l + 2.0 * b) / l0;
            let div = if b0.abs() <= 1e-8 { 1e-8 } else { b0 };
            l0 /= div;
            if b0.abs() > 1e10 {
                b0 = b0.signum() * 1e10;
            }
            if l0 < 1e-8 || b0 < 1e-8 {
                l0 = y_sa[0].max(1e-3);
                let div = if y_sa[0].abs() <= 1e-8 { 1e-8 } else { y_sa[0] };
                b0 = (y_sa[1] / div).max(1e-3);
            }
            out.extend([l0, b0]);
        }
    }
    out.extend(init_seas);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_exact_sums_of_integers() {
        for n in [0, 1, 7, 8, 9, 16, 17, 127, 128, 129, 300, 1000] {
            let a: Vec<f64> = (0..n).map(|i| f64::from(i % 13)).collect();
            let exact: f64 = a.iter().sum();
            assert_eq!(np_sum(&a), exact, "{n}");
        }
    }

    #[test]
    fn schur_cohn_detects_roots_outside_the_radius() {
        // (x − 0.5)(x + 0.9) = x² + 0.4x − 0.45.
        assert!(roots_within(&[-0.45, 0.4, 1.0], 1.0));
        // (x − 1.2)(x − 0.1) = x² − 1.3x + 0.12.
        assert!(!roots_within(&[0.12, -1.3, 1.0], 1.0 + 1e-10));
    }

    #[test]
    fn lstsq_recovers_a_line() {
        let t: Vec<f64> = (1..=10).map(f64::from).collect();
        let y: Vec<f64> = t.iter().map(|v| 2.0 + 0.5 * v).collect();
        let b = lstsq(&[vec![1.0; 10], t], &y);
        assert!((b[0] - 2.0).abs() < 1e-12 && (b[1] - 0.5).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn additive_decomposition_recovers_a_pure_season() {
        let season = [3.0, -1.0, -2.0, 0.0];
        let y: Vec<f64> = (0..24).map(|i| 50.0 + season[i % 4]).collect();
        let s = decompose_seasonal(&y, 4, false);
        for (a, b) in s.iter().zip(season) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
    }
}
