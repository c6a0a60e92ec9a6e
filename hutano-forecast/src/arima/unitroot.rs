//! How many differences: the KPSS test for `d` and the seasonal strength
//! heuristic for `D`, as statsforecast 2.1.1's `ndiffs` and `nsdiffs`
//! (R's `forecast::ndiffs(test = "kpss")` and `nsdiffs(test = "seas")`,
//! Hyndman & Khandakar 2008, §3.2; Wang, Smith & Hyndman, *Characteristic-
//! based clustering for time series data*, Data Min. Knowl. Disc. 13, 2006,
//! for the seasonal strength).

use super::estimate::diff;

/// `numpy.all(x[0] == x)`: true for a constant series (and, unlike numpy,
/// for an empty one).
#[allow(clippy::float_cmp)]
pub(crate) fn is_constant(x: &[f64]) -> bool {
    x.first().is_none_or(|first| x.iter().all(|v| v == first))
}

/// Whether the KPSS test (Kwiatkowski, Phillips, Schmidt & Shin, J.
/// Econometrics 54, 1992) rejects level stationarity at `alpha`:
/// statsmodels' `kpss(x, "c", nlags=floor(3 √n / 13))`, its p-value
/// interpolated in the table of KPSS (1992, Table 1) and clamped to
/// [0.01, 0.1]. A test that cannot run (too few values, zero variance)
/// does not reject, as statsforecast's `run_tests` on an error.
fn kpss_rejects(x: &[f64], alpha: f64) -> bool {
    let n = x.len();
    if n == 0 {
        return false;
    }
    // Non-negative and far below usize::MAX.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let nlags = (3.0 * (n as f64).sqrt() / 13.0).floor() as usize;
    if nlags >= n {
        return false;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let resids: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let mut cum = 0.0;
    let mut eta = 0.0;
    for r in &resids {
        cum += r;
        eta += cum * cum;
    }
    let nf = n as f64;
    eta /= nf * nf;
    let mut s_hat: f64 = resids.iter().map(|r| r * r).sum();
    for i in 1..=nlags {
        let prod: f64 = resids[i..].iter().zip(&resids[..n - i]).map(|(a, b)| a * b).sum();
        s_hat += 2.0 * prod * (1.0 - (i as f64 / (nlags as f64 + 1.0)));
    }
    s_hat /= nf;
    let stat = eta / s_hat;
    interp(stat, &[0.347, 0.463, 0.574, 0.739], &[0.10, 0.05, 0.025, 0.01]) < alpha
}

/// `numpy.interp`: linear interpolation, constant beyond the ends, NaN for
/// NaN.
fn interp(x: f64, xp: &[f64], fp: &[f64]) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let last = xp.len() - 1;
    if x <= xp[0] {
        return fp[0];
    }
    if x >= xp[last] {
        return fp[last];
    }
    let j = xp.iter().rposition(|v| *v <= x).unwrap_or(0);
    let slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    slope * (x - xp[j]) + fp[j]
}

/// Number of first differences (statsforecast's `ndiffs`, KPSS at `alpha`
/// clamped to [0.01, 0.1], at most `max_d`). As statsforecast, each
/// difference also drops the first differenced value (`diff(x)[1:]`).
pub(crate) fn ndiffs(x: &[f64], alpha: f64, max_d: usize) -> usize {
    let alpha = alpha.clamp(0.01, 0.1);
    let mut x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let mut d = 0;
    if is_constant(&x) {
        return d;
    }
    let mut dodiff = kpss_rejects(&x, alpha);
    while dodiff && d < max_d {
        d += 1;
        let dx = diff(&x, 1, 1);
        x = dx.get(1..).map(<[f64]>::to_vec).unwrap_or_default();
        if is_constant(&x) {
            return d;
        }
        dodiff = kpss_rejects(&x, alpha);
    }
    d
}

/// Seasonal strength `max(0, min(1, 1 − Var(R) / Var(R + S)))` of the STL
/// decomposition of `x` with period `m` (statsforecast's `seas_heuristic`
/// on its `mstl`: statsmodels' STL with a seasonal window of 11, seasonal
/// degree 0, trend window the smallest odd integer ≥ `1.5 m / (1 − 1.5 /
/// 11)`, low-pass window the smallest odd integer > `m`, 5 inner and no
/// robustness iterations). `None` when STL cannot run.
fn seasonal_strength(x: &[f64], m: usize) -> Option<f64> {
    const SEASONAL: usize = 11;
    // Positive and far below usize::MAX.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mut trend = (1.5 * m as f64 / (1.0 - 1.5 / SEASONAL as f64)).ceil() as usize;
    if trend % 2 == 0 {
        trend += 1;
    }
    let low_pass = if m % 2 == 0 { m + 1 } else { m + 2 };
    let fit = stlrs::params()
        .seasonal_length(SEASONAL)
        .trend_length(trend)
        .low_pass_length(low_pass)
        .seasonal_degree(0)
        .trend_degree(1)
        .low_pass_degree(1)
        .seasonal_jump(1)
        .trend_jump(1)
        .low_pass_jump(1)
        .inner_loops(5)
        .outer_loops(0)
        .fit(x, m)
        .ok()?;
    let seasonal = fit.seasonal();
    let trend = fit.trend();
    let remainder: Vec<f64> = x
        .iter()
        .zip(seasonal)
        .zip(trend)
        .map(|((v, s), t)| (v - s) - t)
        .collect();
    let detrended: Vec<f64> = remainder.iter().zip(seasonal).map(|(r, s)| r + s).collect();
    let strength = 1.0 - var(&remainder) / var(&detrended);
    // Python's max(0, min(1, v)): NaN gives 1.
    let v = if strength < 1.0 { strength } else { 1.0 };
    Some(if v > 0.0 { v } else { 0.0 })
}

/// Sample variance (`ddof = 1`).
fn var(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
}

/// Number of seasonal differences (statsforecast's `nsdiffs(test="seas")`):
/// one more while the seasonal strength exceeds 0.64, at most `max_sd`.
pub(crate) fn nsdiffs(x: &[f64], m: usize, max_sd: usize) -> usize {
    let mut sd = 0;
    if is_constant(x) || m < 2 || m >= x.len() {
        return sd;
    }
    let test = |x: &[f64]| seasonal_strength(x, m).is_some_and(|s| s > 0.64);
    let mut dodiff = test(x);
    let mut x = x.to_vec();
    while dodiff && sd < max_sd {
        sd += 1;
        x = diff(&x, m, 1);
        if is_constant(&x) {
            return sd;
        }
        dodiff = x.len() >= 2 * m && sd < max_sd && test(&x);
    }
    sd
}

#[cfg(test)]
#[allow(clippy::float_cmp, clippy::cast_lossless)]
mod tests {
    use super::*;

    #[test]
    fn interp_matches_numpy() {
        let xp = [0.347, 0.463, 0.574, 0.739];
        let fp = [0.10, 0.05, 0.025, 0.01];
        assert_eq!(interp(0.1, &xp, &fp), 0.10);
        assert_eq!(interp(2.0, &xp, &fp), 0.01);
        assert!((interp(0.405, &xp, &fp) - 0.075).abs() < 1e-12);
        assert!(interp(f64::NAN, &xp, &fp).is_nan());
    }

    #[test]
    fn kpss_differences_a_random_walk_once() {
        let mut s = 7_u64;
        let mut level = 0.0;
        let walk: Vec<f64> = (0..200)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                level += ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5;
                level
            })
            .collect();
        assert_eq!(ndiffs(&walk, 0.05, 2), 1);
        let noise: Vec<f64> = walk.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(ndiffs(&noise, 0.05, 2), 0);
        assert_eq!(ndiffs(&[3.0; 20], 0.05, 2), 0);
    }

    #[test]
    fn seasonal_strength_finds_a_strong_season() {
        let y: Vec<f64> = (0..84)
            .map(|t| 20.0 + [5.0, 3.0, 0.0, -2.0, -1.0, -9.0, 4.0][t % 7] + 0.1 * ((t * 37 % 11) as f64))
            .collect();
        assert_eq!(nsdiffs(&y, 7, 1), 1);
        let flat: Vec<f64> = (0..84).map(|t| 20.0 + ((t * 37 % 11) as f64)).collect();
        assert_eq!(nsdiffs(&flat, 7, 1), 0);
    }
}
