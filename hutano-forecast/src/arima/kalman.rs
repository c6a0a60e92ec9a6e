//! The state-space form of an ARIMA model, its exact Gaussian likelihood by
//! the Kalman filter, the conditional sum of squares and the forecasts.
//!
//! A line-by-line port of statsforecast 2.1.1's `src/arima.cpp` (itself a
//! port of R's `src/library/stats/src/arima.c`, B. D. Ripley), so that the
//! likelihood hutano optimises is the same function, rounding included,
//! as the one statsforecast optimises:
//!
//! - [`transpar`], [`partrans`], [`invpartrans`], [`gradtrans`],
//!   [`undopars`]: the expansion of the seasonal polynomials and the
//!   reparametrisation of the AR parts by partial autocorrelations (Jones,
//!   *Fitting multivariate models to unequally spaced data*, 1980; Monahan,
//!   Biometrika 71, 1984).
//! - [`getq0`]: the stationary covariance of the ARMA state by the method of
//!   Gardner, Harvey & Phillips, *Algorithm AS 154*, Applied Statistics 29
//!   (1980), 311–322 (`SSinit = "Gardner1980"`).
//! - [`arima_like`]: the Kalman filter of the state-space form of Harvey
//!   (*Forecasting, structural time series models and the Kalman filter*,
//!   1989, §3.3) and Durbin & Koopman (*Time Series Analysis by State Space
//!   Methods*, 2nd ed., 2012, §3.4), with the differencing in the state and
//!   a diffuse prior of variance `kappa = 1e6` on the differenced states
//!   (observations whose prediction variance exceeds 1e4 are left out of the
//!   likelihood, as in R).
//! - [`css`]: the conditional sum of squares.
//! - [`forecast`]: the Kalman forecasts and their variances.
//!
//! Matrices are stored row-major in flat slices, as numpy's `ravel()` of
//! statsforecast's C-ordered arrays; the loops keep the C++ index
//! expressions, which read them column-major (the matrices are symmetric).
//!
//! # Contracts
//! No function here allocates: buffers come from [`Workspace`] and
//! [`StateSpace`], sized once per model. NaN in the data is not expected
//! (the callers reject it); NaN in the parameters propagates to the results
//! and is caught by the callers.

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

/// The seven ARIMA integers in statsforecast's (and R's) `arma` order:
/// `p, q, P, Q, m, d, D`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arma {
    /// Non-seasonal AR order.
    pub p: usize,
    /// Non-seasonal MA order.
    pub q: usize,
    /// Seasonal AR order.
    pub sp: usize,
    /// Seasonal MA order.
    pub sq: usize,
    /// Season length (1 for none).
    pub m: usize,
    /// Non-seasonal differences.
    pub d: usize,
    /// Seasonal differences.
    pub sd: usize,
}

impl Arma {
    /// Number of ARMA coefficients (`p + q + P + Q`).
    pub(crate) fn narma(self) -> usize {
        self.p + self.q + self.sp + self.sq
    }

    /// Length of the expanded AR polynomial, `p + m·P`.
    pub(crate) fn full_p(self) -> usize {
        self.p + self.m * self.sp
    }

    /// Length of the expanded MA polynomial, `q + m·Q`.
    pub(crate) fn full_q(self) -> usize {
        self.q + self.m * self.sq
    }

    /// Dimension of the ARMA part of the state, `max(p + mP, q + mQ + 1)`.
    pub(crate) fn r(self) -> usize {
        self.full_p().max(self.full_q() + 1)
    }

    /// The differencing polynomial `(1 − B)^d (1 − B^m)^D` as statsforecast's
    /// `Delta`: the negated coefficients of `B^1, B^2, …`.
    pub(crate) fn delta(self) -> Vec<f64> {
        let mut poly = vec![1.0];
        let convolve = |poly: &[f64], lag: usize| {
            let mut out = vec![0.0; poly.len() + lag];
            for (i, c) in poly.iter().enumerate() {
                out[i] += c;
                out[i + lag] -= c;
            }
            out
        };
        for _ in 0..self.d {
            poly = convolve(&poly, 1);
        }
        for _ in 0..self.sd {
            poly = convolve(&poly, self.m);
        }
        poly[1..].iter().map(|c| -c).collect()
    }
}

/// `tanh`, then the Durbin–Levinson recursion from partial autocorrelations
/// to AR coefficients (`partrans` in arima.cpp). `raw` and `out` hold at
/// least `p` values; `work` at least `p`.
pub(crate) fn partrans(p: usize, raw: &[f64], out: &mut [f64], work: &mut [f64]) {
    for i in 0..p {
        out[i] = raw[i].tanh();
    }
    work[..p].copy_from_slice(&out[..p]);
    for j in 1..p {
        for k in 0..j {
            work[k] -= out[j] * out[j - k - 1];
        }
        out[..j].copy_from_slice(&work[..j]);
    }
}

/// The inverse of [`partrans`] (`invpartrans`): AR coefficients to
/// `atanh` of the partial autocorrelations; NaN for a non-stationary AR
/// part.
pub(crate) fn invpartrans(p: usize, phi: &[f64], out: &mut [f64]) {
    out[..p].copy_from_slice(&phi[..p]);
    let mut work = phi[..p].to_vec();
    for j in (1..p).rev() {
        let a = out[j];
        for k in 0..j {
            work[k] = (out[k] + a * out[j - k - 1]) / (1.0 - a * a);
        }
        out[..j].copy_from_slice(&work[..j]);
    }
    for v in &mut out[..p] {
        *v = atanh(*v);
    }
}

/// `atanh` as glibc computes it (`__ieee754_atanh`, the function
/// statsforecast's C++ calls), by `log1p`; Rust's `f64::atanh` uses another
/// formula and can differ in the last bit.
fn atanh(x: f64) -> f64 {
    let xa = x.abs();
    let t = if xa < 0.5 {
        if xa < f64::from_bits(0x3e30_0000_0000_0000) {
            // |x| < 2⁻²⁸: atanh(x) = x to double precision.
            return x;
        }
        let t = xa + xa;
        0.5 * (t + t * xa / (1.0 - xa)).ln_1p()
    } else if xa < 1.0 {
        0.5 * ((xa + xa) / (1.0 - xa)).ln_1p()
    } else if xa > 1.0 || xa.is_nan() {
        return f64::NAN;
    } else {
        return x / 0.0;
    };
    t.copysign(x)
}

/// Expand the coefficients `params` (`ar, ma, sar, sma`, then the
/// regression coefficients, which are ignored) into the full AR and MA
/// polynomials `phi` (length `p + mP`) and `theta` (length `q + mQ`),
/// transforming the AR parts by [`partrans`] when `trans`
/// (`arima_transpar`). `work` holds at least `narma + max(p, P)` values.
pub(crate) fn transpar(params: &[f64], arma: Arma, trans: bool, phi: &mut [f64], theta: &mut [f64], work: &mut [f64]) {
    let (mp, mq, msp, msq, ns) = (arma.p, arma.q, arma.sp, arma.sq, arma.m);
    let narma = arma.narma();
    let (pars, scratch) = work.split_at_mut(narma);
    pars.copy_from_slice(&params[..narma]);
    if trans {
        if mp > 0 {
            partrans(mp, params, pars, scratch);
        }
        let v = mp + mq;
        if msp > 0 {
            partrans(msp, &params[v..], &mut pars[v..], scratch);
        }
    }
    let p = mp + ns * msp;
    let q = mq + ns * msq;
    if ns > 0 {
        phi[..mp].copy_from_slice(&pars[..mp]);
        phi[mp..p].fill(0.0);
        theta[..mq].copy_from_slice(&pars[mp..mp + mq]);
        theta[mq..q].fill(0.0);
        for j in 0..msp {
            phi[(j + 1) * ns - 1] += pars[j + mp + mq];
            for i in 0..mp {
                phi[(j + 1) * ns + i] -= pars[i] * pars[j + mp + mq];
            }
        }
        for j in 0..msq {
            theta[(j + 1) * ns - 1] += pars[j + mp + mq + msp];
            for i in 0..mq {
                theta[(j + 1) * ns + i] += pars[i + mp] * pars[j + mp + mq + msp];
            }
        }
    } else {
        phi[..mp].copy_from_slice(&pars[..mp]);
        theta[..mq].copy_from_slice(&pars[mp..mp + mq]);
    }
}

/// Jacobian of the AR transformation at the raw coefficients `x` (length
/// `n`), by forward differences with step 1e-3 (`arima_gradtrans`):
/// row-major `n × n`, `out[i·n + j] = ∂ transformed_j / ∂ raw_i`, the
/// identity outside the AR and seasonal AR blocks.
pub(crate) fn gradtrans(x: &[f64], arma: Arma) -> Vec<f64> {
    const EPS: f64 = 1e-3;
    let n = x.len();
    let (mp, mq, msp) = (arma.p, arma.q, arma.sp);
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        out[i * n + i] = 1.0;
    }
    let size = mp.max(msp);
    let mut w1 = vec![0.0; size];
    let mut w2 = vec![0.0; size];
    let mut w3 = vec![0.0; size];
    let mut work = vec![0.0; size];
    if mp > 0 {
        w1[..mp].copy_from_slice(&x[..mp]);
        partrans(mp, &w1, &mut w2, &mut work);
        for i in 0..mp {
            w1[i] += EPS;
            partrans(mp, &w1, &mut w3, &mut work);
            for j in 0..mp {
                out[n * i + j] = (w3[j] - w2[j]) / EPS;
            }
            w1[i] -= EPS;
        }
    }
    if msp > 0 {
        let v = mp + mq;
        w1[..msp].copy_from_slice(&x[v..v + msp]);
        partrans(msp, &w1, &mut w2, &mut work);
        for i in 0..msp {
            w1[i] += EPS;
            partrans(msp, &w1, &mut w3, &mut work);
            for j in 0..msp {
                out[n * (i + v) + j + v] = (w3[j] - w2[j]) / EPS;
            }
            w1[i] -= EPS;
        }
    }
    out
}

/// The raw coefficients `x` with the AR parts transformed by [`partrans`]
/// (`arima_undopars`).
pub(crate) fn undopars(x: &[f64], arma: Arma) -> Vec<f64> {
    let mut out = x.to_vec();
    let mut work = vec![0.0; arma.p.max(arma.sp)];
    if arma.p > 0 {
        partrans(arma.p, x, &mut out, &mut work);
    }
    let v = arma.p + arma.q;
    if arma.sp > 0 {
        partrans(arma.sp, &x[v..], &mut out[v..], &mut work);
    }
    out
}

/// The inverse of the AR transformation on the AR and seasonal AR parts of
/// `x` (`ARIMA_invtrans`).
pub(crate) fn invtrans(x: &[f64], arma: Arma) -> Vec<f64> {
    let mut y = x.to_vec();
    if arma.p > 0 {
        invpartrans(arma.p, x, &mut y);
    }
    let v = arma.p + arma.q;
    if arma.sp > 0 {
        invpartrans(arma.sp, &x[v..], &mut y[v..]);
    }
    y
}

/// Largest ARMA state dimension `r = max(p + mP, q + mQ + 1)` accepted:
/// [`getq0`] needs `r⁴/8` values of workspace (100 MB at `r = 100`) and
/// about as many operations per likelihood evaluation.
pub(crate) const MAX_STATE: usize = 100;

/// Buffers of [`getq0`] for a state of dimension `r`.
#[derive(Debug, Clone)]
pub(crate) struct Q0Work {
    v: Vec<f64>,
    rbar: Vec<f64>,
    thetab: Vec<f64>,
    xnext: Vec<f64>,
    xrow: Vec<f64>,
    /// Result, `r × r`.
    pub res: Vec<f64>,
}

impl Q0Work {
    pub(crate) fn new(r: usize) -> Self {
        let np = r * (r + 1) / 2;
        let nrbar = np * np.saturating_sub(1) / 2;
        Self {
            v: vec![0.0; np],
            rbar: vec![0.0; nrbar],
            thetab: vec![0.0; np],
            xnext: vec![0.0; np],
            xrow: vec![0.0; np],
            res: vec![0.0; r * r],
        }
    }
}

/// One Givens inclusion of AS 154 (`inclu2`), on the first `np` entries.
fn inclu2(
    np: usize,
    xnext: &[f64],
    xrow: &mut [f64],
    mut ynext: f64,
    d: &mut [f64],
    rbar: &mut [f64],
    thetab: &mut [f64],
) {
    xrow[..np].copy_from_slice(&xnext[..np]);
    let mut ithisr = 0;
    for i in 0..np {
        if xrow[i] == 0.0 {
            ithisr += np - i - 1;
        } else {
            let xi = xrow[i];
            let di = d[i];
            let dpi = di + xi * xi;
            d[i] = dpi;
            let (cbar, sbar) = if dpi == 0.0 {
                (f64::INFINITY, f64::INFINITY)
            } else {
                (di / dpi, xi / dpi)
            };
            for k in i + 1..np {
                let xk = xrow[k];
                let rbthis = rbar[ithisr];
                xrow[k] = xk - xi * rbthis;
                rbar[ithisr] = cbar * rbthis + sbar * xk;
                ithisr += 1;
            }
            let xk = ynext;
            ynext = xk - xi * thetab[i];
            thetab[i] = cbar * thetab[i] + sbar * xk;
            if di == 0.0 {
                return;
            }
        }
    }
}

/// The stationary covariance matrix of the ARMA state (`getQ0`, Gardner,
/// Harvey & Phillips 1980), written row-major into `w.res` (`r × r`,
/// `r = max(p, q + 1)` for `phi` of length `p` and `theta` of length `q`).
pub(crate) fn getq0(phi: &[f64], theta: &[f64], w: &mut Q0Work) {
    let p = phi.len();
    let q = theta.len();
    let r = p.max(q + 1);
    let np = r * (r + 1) / 2;
    let nrbar = np * (np - 1) / 2;
    let res = &mut w.res[..r * r];
    res.fill(0.0);
    {
        let mut ind = 0;
        for j in 0..r {
            let vj = if j == 0 {
                1.0
            } else if j - 1 < q {
                theta[j - 1]
            } else {
                0.0
            };
            for i in j..r {
                let vi = if i == 0 {
                    1.0
                } else if i - 1 < q {
                    theta[i - 1]
                } else {
                    0.0
                };
                w.v[ind] = vi * vj;
                ind += 1;
            }
        }
    }
    if r == 1 {
        res[0] = if p == 0 { 1.0 } else { 1.0 / (1.0 - phi[0] * phi[0]) };
        return;
    }
    if p > 0 {
        let rbar = &mut w.rbar[..nrbar];
        rbar.fill(0.0);
        let thetab = &mut w.thetab[..np];
        thetab.fill(0.0);
        let xnext = &mut w.xnext[..np];
        xnext.fill(0.0);
        let xrow = &mut w.xrow[..np];
        let mut ind = 0;
        // `ind1` starts at −1 in the C++; kept shifted by one here.
        let mut ind1p: usize = 0;
        let npr = np - r;
        let npr1 = npr + 1;
        let mut indj = npr;
        let mut ind2 = npr - 1;
        for j in 0..r {
            let phij = if j < p { phi[j] } else { 0.0 };
            let mut indi = npr1 + j;
            xnext[indj] = 0.0;
            indj += 1;
            for i in j..r {
                let ynext = w.v[ind];
                ind += 1;
                let phii = if i < p { phi[i] } else { 0.0 };
                if j != r - 1 {
                    xnext[indj] = -phii;
                    if i != r - 1 {
                        xnext[indi] -= phij;
                        ind1p += 1;
                        xnext[ind1p - 1] = -1.0;
                    }
                }
                xnext[npr] = -phii * phij;
                ind2 += 1;
                if ind2 >= np {
                    ind2 = 0;
                }
                xnext[ind2] += 1.0;
                inclu2(np, xnext, xrow, ynext, res, rbar, thetab);
                xnext[ind2] = 0.0;
                if i != r - 1 {
                    xnext[indi] = 0.0;
                    indi += 1;
                    xnext[ind1p - 1] = 0.0;
                }
            }
        }
        let mut ithisr = nrbar;
        let mut im = np;
        for i in 0..np {
            im -= 1;
            let mut bi = thetab[im];
            let mut jm = np;
            for _ in 0..i {
                ithisr -= 1;
                jm -= 1;
                bi -= rbar[ithisr] * res[jm];
            }
            res[im] = bi;
        }
        xnext[..r].copy_from_slice(&res[npr..npr + r]);
        let mut ind = np;
        let mut ind1 = npr;
        for _ in 0..npr {
            ind -= 1;
            ind1 -= 1;
            res[ind] = res[ind1];
        }
        res[..r].copy_from_slice(&xnext[..r]);
    } else {
        let mut ind = np;
        let mut indn = np;
        for i in 0..r {
            for j in 0..=i {
                ind -= 1;
                res[ind] = w.v[ind];
                if j != 0 {
                    indn -= 1;
                    res[ind] += res[indn];
                }
            }
        }
    }
    let mut ind = np;
    for i in (1..r).rev() {
        for j in (i..r).rev() {
            ind -= 1;
            res[r * i + j] = res[ind];
        }
    }
    for i in 0..r - 1 {
        for j in i + 1..r {
            res[i + r * j] = res[j + r * i];
        }
    }
}

/// Buffers of [`css`] for a series of length `n`.
#[derive(Debug, Clone)]
pub(crate) struct CssWork {
    w: Vec<f64>,
    /// Conditional residuals of the last call.
    pub resid: Vec<f64>,
    nz_phi: Vec<(usize, f64)>,
    nz_theta: Vec<(usize, f64)>,
}

impl CssWork {
    pub(crate) fn new(n: usize, p: usize, q: usize) -> Self {
        Self {
            w: vec![0.0; n],
            resid: vec![0.0; n],
            nz_phi: Vec::with_capacity(p),
            nz_theta: Vec::with_capacity(q),
        }
    }
}

/// The conditional sum of squares divided by the number of terms
/// (`arima_css`): `y` is differenced, the residuals after the first
/// `p + d + m(P + D)` are written into `cw.resid` (earlier entries are set
/// to NaN), and `ssq / nu` is returned. Coefficients that are exactly zero
/// (most of an expanded seasonal polynomial) are skipped: subtracting
/// `0 · x` leaves a finite sum unchanged, so the result is the C++'s to
/// the last bit.
pub(crate) fn css(y: &[f64], arma: Arma, phi: &[f64], theta: &[f64], cw: &mut CssWork) -> f64 {
    let n = y.len();
    let q = theta.len();
    let ncond = arma.p + arma.d + arma.m * (arma.sp + arma.sd);
    let mut nu = 0_u32;
    let mut ssq = 0.0;
    let w = &mut cw.w[..n];
    let resid = &mut cw.resid[..n];
    w.copy_from_slice(y);
    for _ in 0..arma.d {
        for l in (1..n).rev() {
            w[l] -= w[l - 1];
        }
    }
    let ns = arma.m;
    for _ in 0..arma.sd {
        for l in (ns..n).rev() {
            w[l] -= w[l - ns];
        }
    }
    cw.nz_phi.clear();
    cw.nz_phi
        .extend(phi.iter().copied().enumerate().filter(|(_, v)| *v != 0.0));
    cw.nz_theta.clear();
    cw.nz_theta
        .extend(theta.iter().copied().enumerate().filter(|(_, v)| *v != 0.0));
    resid[..ncond.min(n)].fill(f64::NAN);
    for l in ncond..n {
        let mut tmp = w[l];
        for &(j, c) in &cw.nz_phi {
            tmp -= c * w[l - j - 1];
        }
        let lim = (l - ncond).min(q);
        for &(j, c) in &cw.nz_theta {
            if j >= lim {
                break;
            }
            tmp -= c * resid[l - j - 1];
        }
        resid[l] = tmp;
        if !tmp.is_nan() {
            nu += 1;
            ssq += tmp * tmp;
        }
    }
    ssq / f64::from(nu)
}

/// The state-space form of an ARIMA model (`make_arima`): `rd × rd`
/// matrices row-major, with the filter's state after the last call of
/// [`arima_like`] on it.
#[derive(Debug, Clone)]
pub(crate) struct StateSpace {
    /// Expanded AR polynomial.
    pub phi: Vec<f64>,
    /// Expanded MA polynomial, padded with zeros to `r − 1` (as in
    /// `make_arima`).
    pub theta: Vec<f64>,
    /// Differencing coefficients.
    pub delta: Vec<f64>,
    /// ARMA state dimension.
    pub r: usize,
    /// Full state dimension, `r + len(delta)`.
    pub rd: usize,
    /// Observation vector.
    pub z: Vec<f64>,
    /// State.
    pub a: Vec<f64>,
    /// Filtered state covariance.
    pub p: Vec<f64>,
    /// Transition matrix.
    pub t: Vec<f64>,
    /// State noise covariance `R Rᵀ`.
    pub v: Vec<f64>,
    /// Predicted state covariance; its ARMA block is the stationary
    /// covariance and the differenced states get `kappa`.
    pub pn: Vec<f64>,
}

/// The diffuse prior variance of the differenced states (R's and
/// statsforecast's `kappa`).
pub(crate) const KAPPA: f64 = 1e6;

impl StateSpace {
    /// `make_arima(phi, theta, delta, kappa = 1e6)`; `q0` provides the
    /// buffers for the stationary covariance.
    pub(crate) fn new(phi: &[f64], theta: &[f64], delta: &[f64], q0: &mut Q0Work) -> Self {
        let p = phi.len();
        let q = theta.len();
        let r = p.max(q + 1);
        let d = delta.len();
        let rd = r + d;
        let mut z = vec![0.0; rd];
        z[0] = 1.0;
        z[r..].copy_from_slice(delta);
        let mut t = vec![0.0; rd * rd];
        for i in 0..p {
            t[i * rd] = phi[i];
        }
        for i in 1..r {
            t[(i - 1) * rd + i] = 1.0;
        }
        if d > 0 {
            t[r * rd..(r + 1) * rd].copy_from_slice(&z);
            for i in 1..d {
                t[(r + i) * rd + r + i - 1] = 1.0;
            }
        }
        let mut theta_padded = theta.to_vec();
        if q < r - 1 {
            theta_padded.resize(r - 1, 0.0);
        }
        let mut rvec = vec![0.0; rd];
        rvec[0] = 1.0;
        rvec[1..r].copy_from_slice(&theta_padded);
        let mut v = vec![0.0; rd * rd];
        for i in 0..rd {
            for j in 0..rd {
                v[i * rd + j] = rvec[j] * rvec[i];
            }
        }
        let mut pn = vec![0.0; rd * rd];
        if r > 1 {
            getq0(phi, theta, q0);
            for i in 0..r {
                pn[i * rd..i * rd + r].copy_from_slice(&q0.res[i * r..(i + 1) * r]);
            }
        } else {
            pn[0] = if p > 0 { 1.0 / (1.0 - phi[0] * phi[0]) } else { 1.0 };
        }
        for i in 0..d {
            pn[(r + i) * rd + r + i] = KAPPA;
        }
        Self {
            phi: phi.to_vec(),
            theta: theta_padded,
            delta: delta.to_vec(),
            r,
            rd,
            z,
            a: vec![0.0; rd],
            p: vec![0.0; rd * rd],
            t,
            v,
            pn,
        }
    }

    /// `upARIMA`: new coefficients (same lengths as at construction), the
    /// ARMA block of `pn` reset to the stationary covariance and the state
    /// to zero. The rest of `pn` is left as the last filter run left it —
    /// statsforecast's behaviour, see [`super`]'s documentation — unless
    /// `reset_diffuse` is set, which restores the `kappa` prior as R does.
    pub(crate) fn update(&mut self, phi: &[f64], theta: &[f64], q0: &mut Q0Work, reset_diffuse: bool) {
        let (r, rd) = (self.r, self.rd);
        self.phi.copy_from_slice(phi);
        self.theta[..theta.len()].copy_from_slice(theta);
        for (i, v) in phi.iter().enumerate() {
            self.t[i * rd] = *v;
        }
        if reset_diffuse {
            self.pn.fill(0.0);
            for i in r..rd {
                self.pn[i * rd + i] = KAPPA;
            }
        }
        if r > 1 {
            getq0(phi, theta, q0);
            for i in 0..r {
                self.pn[i * rd..i * rd + r].copy_from_slice(&q0.res[i * r..(i + 1) * r]);
            }
        } else {
            self.pn[0] = if phi.is_empty() {
                1.0
            } else {
                1.0 / (1.0 - phi[0] * phi[0])
            };
        }
        self.a.fill(0.0);
    }
}

impl StateSpace {
    /// Whether the covariance left in `pn` outside the ARMA block — what
    /// statsforecast's filter carries from one likelihood evaluation to the
    /// next — is finite and below `1e-10` of the ARMA block: then the filter
    /// starts from differenced states known (to that accuracy) to be zero,
    /// and [`zero_padded_difference`] followed by the ARMA filter gives the
    /// same likelihood at a fraction of the cost.
    pub(crate) fn carried_covariance_negligible(&self) -> bool {
        let (r, rd) = (self.r, self.rd);
        let mut arma = 0.0_f64;
        let mut rest = 0.0_f64;
        for i in 0..rd {
            for j in 0..rd {
                let v = self.pn[i * rd + j];
                if !v.is_finite() {
                    return false;
                }
                if i < r && j < r {
                    arma = arma.max(v.abs());
                } else {
                    rest = rest.max(v.abs());
                }
            }
        }
        rest <= 1e-10 * arma
    }
}

/// `w_t = y_t − Σ δ_i y_{t−1−i}` with `y_t = 0` before the sample: the
/// observations the ARMA part of the state sees when the differenced states
/// start at zero with no variance.
pub(crate) fn zero_padded_difference(y: &[f64], delta: &[f64], w: &mut [f64]) {
    for t in 0..y.len() {
        let mut v = y[t];
        for (i, di) in delta.iter().enumerate() {
            if t > i {
                v -= di * y[t - 1 - i];
            }
        }
        w[t] = v;
    }
}

/// Buffers of [`fast_arma_like`] for an ARMA state of dimension `r`.
#[derive(Debug, Clone)]
pub(crate) struct FastWork {
    a: Vec<f64>,
    u: Vec<f64>,
    w: Vec<f64>,
    tw: Vec<f64>,
}

impl FastWork {
    pub(crate) fn new(r: usize) -> Self {
        Self {
            a: vec![0.0; r],
            u: vec![0.0; r],
            w: vec![0.0; r],
            tw: vec![0.0; r],
        }
    }
}

/// The first column of the stationary state covariance ([`getq0`]'s
/// result) of the ARMA model with unit innovation variance, from its
/// autocovariances: with the state `α_t[i] = Σ_{k ≥ i} (φ_k x_{t−1−k+i} +
/// R_k ε_{t−k+i})`, `R = (1, θ)`, the column is `Cov(α_t[i], x_t) =
/// Σ_{k ≥ i} (φ_k γ(1 + k − i) + R_k ψ_{k−i})`. The autocovariances
/// `γ(0..=p)` solve the linear system of Brockwell & Davis (*Time Series:
/// Theory and Methods*, 2nd ed., 1991, eq. 3.3.8) and the later ones
/// follow by the AR recursion; `ψ` are the MA(∞) weights. `O(r p + p³)`
/// instead of the `O(r⁶)` of AS 154, for [`fast_arma_like`]. Writes `r`
/// values into `col`; `false` when the system is singular (a unit root).
pub(crate) fn q0_first_column(phi: &[f64], theta: &[f64], r: usize, col: &mut [f64], work: &mut Vec<f64>) -> bool {
    let p = phi.len();
    let q = theta.len();
    let rcoef = |k: usize| {
        if k == 0 {
            1.0
        } else if k <= q {
            theta[k - 1]
        } else {
            0.0
        }
    };
    // ψ_0..ψ_r and γ(0..=r+1) in one buffer.
    work.clear();
    work.resize((r + 1) + (r + 2) + (p + 1) * (p + 2), 0.0);
    let (psi, rest) = work.split_at_mut(r + 1);
    let (gamma, sys) = rest.split_at_mut(r + 2);
    for j in 0..=r {
        let mut v = rcoef(j);
        for k in 1..=j.min(p) {
            v += phi[k - 1] * psi[j - k];
        }
        psi[j] = v;
    }
    // Σ_{j=h}^{q} θ_j ψ_{j−h} (θ_0 = 1).
    let rhs = |h: usize, psi: &[f64]| -> f64 { (h..=q).map(|j| rcoef(j) * psi[j - h]).sum() };
    // γ(h) − Σ_k φ_k γ(|h − k|) = rhs(h), h = 0..=p: (p+1)² augmented.
    let m = p + 1;
    let a = |i: usize, j: usize| i * (m + 1) + j;
    for h in 0..m {
        sys[a(h, h)] += 1.0;
        for k in 1..=p {
            let lag = h.abs_diff(k);
            sys[a(h, lag)] -= phi[k - 1];
        }
        sys[a(h, m)] = if h <= q { rhs(h, psi) } else { 0.0 };
    }
    // Gaussian elimination with partial pivoting.
    for c in 0..m {
        let piv = (c..m)
            .max_by(|x, y| sys[a(*x, c)].abs().total_cmp(&sys[a(*y, c)].abs()))
            .unwrap_or(c);
        if sys[a(piv, c)] == 0.0 || sys[a(piv, c)].is_nan() {
            return false;
        }
        if piv != c {
            for j in 0..=m {
                sys.swap(a(piv, j), a(c, j));
            }
        }
        for i in c + 1..m {
            let f = sys[a(i, c)] / sys[a(c, c)];
            if f != 0.0 {
                for j in c..=m {
                    sys[a(i, j)] -= f * sys[a(c, j)];
                }
            }
        }
    }
    for c in (0..m).rev() {
        let mut v = sys[a(c, m)];
        for j in c + 1..m {
            v -= sys[a(c, j)] * gamma[j];
        }
        gamma[c] = v / sys[a(c, c)];
    }
    for h in m..r + 2 {
        let mut v = if h <= q { rhs(h, psi) } else { 0.0 };
        for k in 1..=p {
            v += phi[k - 1] * gamma[h - k];
        }
        gamma[h] = v;
    }
    for i in 0..r {
        let mut v = 0.0;
        for k in i..r {
            if k < p {
                v += phi[k] * gamma[1 + k - i];
            }
            v += rcoef(k) * psi[k - i];
        }
        col[i] = v;
    }
    col[..r].iter().all(|v| v.is_finite())
}

/// `T x` for the ARMA transition (first column `phi`, ones above the
/// diagonal), into `out`.
fn t_times(phi: &[f64], x: &[f64], out: &mut [f64]) {
    let r = x.len();
    let x0 = x[0];
    for i in 0..r {
        let mut v = if i + 1 < r { x[i + 1] } else { 0.0 };
        if i < phi.len() {
            v += phi[i] * x0;
        }
        out[i] = v;
    }
}

/// The exact Gaussian likelihood of a stationary ARMA model whose state
/// starts at zero with the stationary covariance whose first column is
/// `q0_col` (from [`q0_first_column`] or [`getq0`]), by the Chandrasekhar
/// recursions of the Kalman filter
/// (Morf, Sidhu & Kailath, *Some new algorithms for recursive estimation
/// in constant, linear, discrete-time systems*, IEEE TAC 19, 1974;
/// Mélard, *Algorithm AS 197*, Applied Statistics 33, 1984; Harvey 1989,
/// §3.3.4): with a stationary start the predicted covariance changes by a
/// matrix of rank one, `ΔP_t = W_t M_t W_tᵀ`, so a step costs `O(r)`
/// instead of the `O(r²)` of [`arima_like`]. Same quantities as
/// [`arima_like`] on the same model (equal in exact arithmetic; the
/// rounding differs), the steady state frozen as there.
pub(crate) fn fast_arma_like(y: &[f64], phi: &[f64], q0_col: &[f64], r: usize, fw: &mut FastWork) -> Like {
    let a = &mut fw.a[..r];
    let u = &mut fw.u[..r];
    let w = &mut fw.w[..r];
    let tw = &mut fw.tw[..r];
    a.fill(0.0);
    // u = K F = T P Zᵀ with P = q0 (Z = e₁: its first column).
    t_times(phi, &q0_col[..r], u);
    let mut f = q0_col[0];
    // ΔP₁ = −K₁ F₁ K₁ᵀ: W = K₁ = u / F, M = −F.
    for (wi, ui) in w.iter_mut().zip(u.iter()) {
        *wi = ui / f;
    }
    let mut m = -f;
    let mut ssq = 0.0;
    let mut sumlog = 0.0;
    let mut nu = 0_u32;
    let mut steady = false;
    let mut calm = 0_usize;
    for &yt in y {
        let v = yt - a[0];
        if f < 1e4 {
            nu += 1;
            if f == 0.0 {
                ssq = f64::INFINITY;
            } else {
                ssq += v * v / f;
            }
            sumlog += f.ln();
        }
        // a ← T a + K v, K = u / F.
        let scale = v / f;
        let a0 = a[0];
        for i in 0..r {
            let mut nv = if i + 1 < r { a[i + 1] } else { 0.0 };
            if i < phi.len() {
                nv += phi[i] * a0;
            }
            a[i] = nv + u[i] * scale;
        }
        if steady {
            continue;
        }
        // Chandrasekhar step.
        let g = w[0];
        let mg = m * g;
        let f_new = f + mg * g;
        t_times(phi, w, tw);
        for (ui, twi) in u.iter_mut().zip(tw.iter()) {
            *ui += twi * mg;
        }
        let m_new = m + mg * mg / f;
        for i in 0..r {
            w[i] = tw[i] - u[i] / f_new * g;
        }
        let change = (f_new - f).abs();
        f = f_new;
        m = m_new;
        if change <= STEADY_TOL * f.abs() && (m * w[0] * w[0]).abs() <= STEADY_TOL * f.abs() {
            calm += 1;
        } else {
            calm = 0;
        }
        steady = calm >= r;
    }
    Like { ssq, sumlog, nu }
}

/// Buffers of [`arima_like`] for a state of dimension `rd`.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    anew: Vec<f64>,
    m: Vec<f64>,
    mprev: Vec<f64>,
    mm: Vec<f64>,
}

impl Workspace {
    pub(crate) fn new(rd: usize) -> Self {
        Self {
            anew: vec![0.0; rd],
            m: vec![0.0; rd],
            mprev: vec![0.0; rd],
            mm: vec![0.0; rd * rd],
        }
    }
}

/// Result of [`arima_like`]: the sum of squared standardised innovations,
/// the sum of the log prediction variances and the number of observations
/// counted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Like {
    pub ssq: f64,
    pub sumlog: f64,
    pub nu: u32,
}

/// The Kalman filter over `y` (`arima_like` with `up = 0`): updates the
/// state `ss.a`, `ss.p` and `ss.pn` in place and, when `rs_resid` is
/// given, writes the standardised innovations into it. The theta used is
/// the first `q` entries of `theta` (the caller passes the unpadded or
/// padded polynomial as statsforecast does; the results are the same).
///
/// # Steady state
/// The covariance recursion does not depend on the data and converges (the
/// models are stationary and invertible, or have a diffuse part that the
/// first `d + mD` observations resolve): to zero for the filtered `P` of an
/// invertible model, to rounding noise around it for the differenced
/// states. With `freeze`, once the gain vector `M` and the prediction
/// variance move by less than [`STEADY_TOL`] of their size for `rd`
/// consecutive steps (a full turn of the state's shift register), the
/// covariance is frozen and the remaining steps only update the state —
/// the steady-state "fast recursions" of Harvey (1989, §3.3.4) and Gardner
/// et al. (1980). The frozen quantities differ from the full recursion's by
/// about `STEADY_TOL / (1 − ρ)` relative, `ρ` the convergence rate, i.e. at
/// the level of the recursion's own rounding noise. Without `freeze` every
/// step runs statsforecast's operations in statsforecast's order.
pub(crate) fn arima_like(
    y: &[f64],
    ss: &mut StateSpace,
    theta: &[f64],
    ws: &mut Workspace,
    rs_resid: Option<&mut [f64]>,
    freeze: bool,
) -> Like {
    filter(y, ss, theta, ws, rs_resid, if freeze { STEADY_TOL } else { -1.0 })
}

/// Relative change of the gain below which a filter is taken to be in its
/// steady state (see [`arima_like`]).
pub(crate) const STEADY_TOL: f64 = 1e-12;

/// Series longer than this are filtered with the steady-state freeze and,
/// from a stationary start, with [`fast_arma_like`]; shorter ones exactly
/// as statsforecast filters them when their season is at most
/// [`EXACT_MAX_PERIOD`] (see the module documentation).
pub(crate) const EXACT_MAX_N: usize = 300;

/// Longest season whose models are filtered exactly as statsforecast
/// filters them (on series of up to [`EXACT_MAX_N`] observations).
///
/// A seasonal candidate's state has dimension up to `r = 2m + 6`
/// (`p, q ≤ 5`, `P, Q ≤ 2`), and the exact filter costs AS 154's `O(r⁴)`
/// start ([`getq0`]) plus `O(n r²)` per likelihood evaluation. With a
/// weekly season of daily data (`r ≤ 20`) that is cheap and the reference
/// tests match statsforecast to the last bits. With months (`m = 12`) and
/// weeks of a year (`m = 52`) it made a fit 6–30 times slower than the
/// fast recursions, whose forecasts agree with statsforecast's to 1e-6
/// (`benches/python/arima_speed.py ... --aggregate monthly`, BENCHMARKS.md).
pub(crate) const EXACT_MAX_PERIOD: usize = 7;

/// Whether a model of season length `m` is filtered over `n` observations
/// exactly as statsforecast filters it (otherwise with the steady-state
/// freeze and, from a stationary start, [`fast_arma_like`]).
pub(crate) fn exact(n: usize, m: usize) -> bool {
    n <= EXACT_MAX_N && m <= EXACT_MAX_PERIOD
}

/// [`arima_like`] with a given steady-state tolerance (negative: never
/// freeze).
fn filter(
    y: &[f64],
    ss: &mut StateSpace,
    theta: &[f64],
    ws: &mut Workspace,
    mut rs_resid: Option<&mut [f64]>,
    tol: f64,
) -> Like {
    let phi = &ss.phi[..];
    let delta = &ss.delta[..];
    let a = &mut ss.a[..];
    let pmat = &mut ss.p[..];
    let pnew = &mut ss.pn[..];
    let rd = ss.rd;
    let r = ss.r;
    let d = delta.len();
    let p = phi.len();
    let q = theta.len();
    let anew = &mut ws.anew[..rd];
    let mvec = &mut ws.m[..rd];
    let mprev = &mut ws.mprev[..rd];
    let mm = &mut ws.mm[..rd * rd];
    let mut ssq = 0.0;
    let mut sumlog = 0.0;
    let mut nu = 0_u32;
    let mut steady = false;
    let mut calm = 0_usize;
    let mut gain_prev = f64::NAN;
    for l in 0..y.len() {
        for i in 0..r {
            let mut tmp = if i < r - 1 { a[i + 1] } else { 0.0 };
            if i < p {
                tmp += phi[i] * a[0];
            }
            anew[i] = tmp;
        }
        if d > 0 {
            anew[r + 1..rd].copy_from_slice(&a[r..rd - 1]);
            let mut tmp = a[0];
            for i in 0..d {
                tmp += delta[i] * a[r + i];
            }
            anew[r] = tmp;
        }
        if l > 0 && !steady {
            if d == 0 {
                predict_stationary(pmat, pnew, phi, theta, r, p, q);
            } else {
                predict_integrated(pmat, pnew, mm, phi, theta, delta, r, rd, p, q);
            }
        }
        let yl = y[l];
        if yl.is_nan() {
            a.copy_from_slice(anew);
            pmat.copy_from_slice(pnew);
            if let Some(rs) = rs_resid.as_deref_mut() {
                rs[l] = f64::NAN;
            }
            // A missing value breaks the steady state.
            steady = false;
            calm = 0;
            continue;
        }
        let mut resid = yl - anew[0];
        for i in 0..d {
            resid -= delta[i] * anew[r + i];
        }
        if !steady {
            mprev.copy_from_slice(mvec);
            // M = Pnew z, column by column (the C++ sums over j per i).
            mvec.copy_from_slice(&pnew[..rd]);
            for (j, dj) in delta.iter().enumerate() {
                let col = &pnew[(r + j) * rd..(r + j + 1) * rd];
                for (m, c) in mvec.iter_mut().zip(col) {
                    *m += c * dj;
                }
            }
        }
        let mut gain = mvec[0];
        for j in 0..d {
            gain += delta[j] * mvec[r + j];
        }
        if gain < 1e4 {
            nu += 1;
            if gain == 0.0 {
                ssq = f64::INFINITY;
            } else {
                ssq += resid * resid / gain;
            }
            sumlog += gain.ln();
        }
        if let Some(rs) = rs_resid.as_deref_mut() {
            rs[l] = if gain == 0.0 {
                f64::INFINITY
            } else {
                resid / gain.sqrt()
            };
        }
        if gain == 0.0 {
            a.fill(f64::INFINITY);
            pnew.fill(f64::INFINITY);
            steady = false;
            calm = 0;
            continue;
        }
        for i in 0..rd {
            a[i] = anew[i] + mvec[i] * resid / gain;
        }
        if steady {
            continue;
        }
        for j in 0..rd {
            let mj = mvec[j];
            let dst = &mut pmat[j * rd..(j + 1) * rd];
            let src = &pnew[j * rd..(j + 1) * rd];
            for ((o, pn), mi) in dst.iter_mut().zip(src).zip(mvec.iter()) {
                *o = pn - mi * mj / gain;
            }
        }
        // Steady-state test on what the likelihood uses: M and the gain.
        let mut change = (gain - gain_prev).abs();
        let mut scale = gain.abs();
        for (m, mp) in mvec.iter().zip(mprev.iter()) {
            change = change.max((m - mp).abs());
            scale = scale.max(m.abs());
        }
        gain_prev = gain;
        if l > 0 && change <= tol * scale {
            calm += 1;
        } else {
            calm = 0;
        }
        steady = calm >= rd;
    }
    Like { ssq, sumlog, nu }
}

/// `Pnew = T P Tᵀ + V` for a model without differencing (`rd = r`): the
/// C++ expression for each element, with its terms added in the same
/// order (a term the C++ leaves out is left out here too).
#[allow(clippy::too_many_arguments)]
fn predict_stationary(pmat: &[f64], pnew: &mut [f64], phi: &[f64], theta: &[f64], r: usize, p: usize, q: usize) {
    // Element (i, j) is the C++'s
    //   t1 + phi_i phi_j P00 [i, j < p] + P(i+1, j+1) [i, j < r−1]
    //      + phi_i P(j+1, 0) [i < p, j < r−1] + phi_j P(i+1, 0) [j < p, i < r−1]
    // with t1 = v_i (j = 0), v_i θ_{j−1} (j ≤ q) or 0 (j > q), v = (1, θ).
    // For a fixed column the terms present depend on i only through
    // i < p and i < r − 1, so each column is a few branch-free runs; the
    // column's t1 is written first and the other terms added in order.
    let p0 = pmat[0];
    let lo = p.min(r - 1);
    for j in 0..r {
        let (jp, jr) = (j < p, j < r - 1);
        let phij = if jp { phi[j] } else { 0.0 };
        let pj1 = if jr { pmat[j + 1] } else { 0.0 };
        let next = if jr {
            &pmat[r * (j + 1) + 1..r * (j + 2)]
        } else {
            &pmat[..0]
        };
        let out = &mut pnew[r * j..r * (j + 1)];
        // t1: v_i times the column's factor.
        if j == 0 {
            out[0] = 1.0;
            out[1..=q].copy_from_slice(theta);
            out[q + 1..].fill(0.0);
        } else if j - 1 < q {
            let tj = theta[j - 1];
            out[0] = tj;
            for (o, t) in out[1..=q].iter_mut().zip(theta) {
                *o = t * tj;
            }
            out[q + 1..].fill(0.0);
        } else {
            out.fill(0.0);
        }
        // i < min(p, r − 1): every term that the column allows.
        match (jp, jr) {
            (true, true) => {
                for i in 0..lo {
                    out[i] = out[i] + phi[i] * phij * p0 + next[i] + phi[i] * pj1 + phij * pmat[i + 1];
                }
            }
            (true, false) => {
                for i in 0..lo {
                    out[i] = out[i] + phi[i] * phij * p0 + phij * pmat[i + 1];
                }
            }
            (false, true) => {
                for i in 0..lo {
                    out[i] = out[i] + next[i] + phi[i] * pj1;
                }
            }
            (false, false) => {}
        }
        // p ≤ i < r − 1: no phi_i.
        match (jp, jr) {
            (true, true) => {
                for i in lo..r - 1 {
                    out[i] = out[i] + next[i] + phij * pmat[i + 1];
                }
            }
            (true, false) => {
                for i in lo..r - 1 {
                    out[i] += phij * pmat[i + 1];
                }
            }
            (false, true) => {
                for i in lo..r - 1 {
                    out[i] += next[i];
                }
            }
            (false, false) => {}
        }
        // i = r − 1 with p = r (otherwise it has t1 only).
        let i = r - 1;
        if i >= lo && i < p {
            if jp {
                out[i] += phi[i] * phij * p0;
            }
            if jr {
                out[i] += phi[i] * pj1;
            }
        }
    }
}

/// `Pnew = T P Tᵀ + V` with differencing, through `mm = T P` (the C++
/// loops reordered so that the inner loops run over contiguous memory;
/// every element is the same sum of the same products in the same order,
/// the C++'s additions to an initial 0.0 aside, which change only the sign
/// of a zero).
#[allow(clippy::too_many_arguments)]
fn predict_integrated(
    pmat: &[f64],
    pnew: &mut [f64],
    mm: &mut [f64],
    phi: &[f64],
    theta: &[f64],
    delta: &[f64],
    r: usize,
    rd: usize,
    p: usize,
    q: usize,
) {
    let d = delta.len();
    let both = p.min(r - 1);
    for j in 0..rd {
        let pcol = &pmat[rd * j..rd * (j + 1)];
        let mcol = &mut mm[rd * j..rd * (j + 1)];
        let p0j = pcol[0];
        // Rows 0..r: phi_i P(0, j) [i < p] + P(i + 1, j) [i < r − 1].
        for i in 0..both {
            mcol[i] = phi[i] * p0j + pcol[i + 1];
        }
        for i in both..r {
            mcol[i] = if i < p {
                phi[i] * p0j
            } else if i < r - 1 {
                pcol[i + 1]
            } else {
                0.0
            };
        }
        let mut tmp = p0j;
        for k in 0..d {
            tmp += delta[k] * pcol[r + k];
        }
        mcol[r] = tmp;
        mcol[r + 1..rd].copy_from_slice(&pcol[r..rd - 1]);
    }
    // Pnew(j, i) = phi_i mm(j, 0) [i < p] + mm(j, i + 1) [i < r − 1].
    for i in 0..r {
        let (head, tail) = mm.split_at(rd * (i + 1));
        let m0 = &head[..rd];
        let next = &tail[..rd.min(tail.len())];
        let dst = &mut pnew[rd * i..rd * (i + 1)];
        if i < both {
            let ph = phi[i];
            for ((o, a), b) in dst.iter_mut().zip(m0).zip(next) {
                *o = ph * a + b;
            }
        } else if i < p {
            let ph = phi[i];
            for (o, a) in dst.iter_mut().zip(m0) {
                *o = ph * a;
            }
        } else if i < r - 1 {
            dst.copy_from_slice(next);
        } else {
            dst.fill(0.0);
        }
    }
    {
        let (top, rest) = pnew.split_at_mut(rd * r);
        let _ = top;
        let dst = &mut rest[..rd];
        dst.copy_from_slice(&mm[..rd]);
        for k in 0..d {
            let dk = delta[k];
            let src = &mm[rd * (r + k)..rd * (r + k + 1)];
            for (o, s) in dst.iter_mut().zip(src) {
                *o += dk * s;
            }
        }
    }
    for i in 1..d {
        let (src, dst) = (rd * (r + i - 1), rd * (r + i));
        let (lo, hi) = pnew.split_at_mut(dst);
        let _ = lo;
        hi[..rd].copy_from_slice(&mm[src..src + rd]);
    }
    for i in 0..=q {
        let vi = if i == 0 { 1.0 } else { theta[i - 1] };
        for j in 0..=q {
            if j == 0 {
                pnew[i + rd * j] += vi;
            } else {
                pnew[i + rd * j] += vi * theta[j - 1];
            }
        }
    }
}

/// Kalman forecasts `h` steps ahead from the filter's final state
/// (`kalman_forecast`): the point forecasts of the ARIMA part and their
/// variances in units of `sigma2`.
pub(crate) fn forecast(ss: &StateSpace, h: usize) -> (Vec<f64>, Vec<f64>) {
    let rd = ss.rd;
    let mut a = ss.a.clone();
    let mut pmat = ss.p.clone();
    let mut anew = vec![0.0; rd];
    let mut mm = vec![0.0; rd * rd];
    let mut point = Vec::with_capacity(h);
    let mut var = Vec::with_capacity(h);
    for _ in 0..h {
        for i in 0..rd {
            let mut s = 0.0;
            for k in 0..rd {
                s += ss.t[i * rd + k] * a[k];
            }
            anew[i] = s;
        }
        a.copy_from_slice(&anew);
        let mut f = 0.0;
        for i in 0..rd {
            f += a[i] * ss.z[i];
        }
        point.push(f);
        // mm = T P; P = V + mm Tᵀ.
        for i in 0..rd {
            for j in 0..rd {
                let mut s = 0.0;
                for k in 0..rd {
                    s += ss.t[i * rd + k] * pmat[k * rd + j];
                }
                mm[i * rd + j] = s;
            }
        }
        for i in 0..rd {
            for j in 0..rd {
                let mut s = 0.0;
                for k in 0..rd {
                    s += mm[i * rd + k] * ss.t[j * rd + k];
                }
                pmat[i * rd + j] = ss.v[i * rd + j] + s;
            }
        }
        let mut se = 0.0;
        for i in 0..rd {
            for j in 0..rd {
                se += ss.z[i] * ss.z[j] * pmat[i * rd + j];
            }
        }
        var.push(se);
    }
    (point, var)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arma(p: usize, d: usize, q: usize, sp: usize, sd: usize, sq: usize, m: usize) -> Arma {
        Arma { p, q, sp, sq, m, d, sd }
    }

    #[test]
    fn delta_is_the_differencing_polynomial() {
        assert_eq!(arma(0, 1, 0, 0, 0, 0, 1).delta(), vec![1.0]);
        assert_eq!(arma(0, 2, 0, 0, 0, 0, 1).delta(), vec![2.0, -1.0]);
        let d = arma(0, 1, 0, 0, 1, 0, 4).delta();
        assert_eq!(d, vec![1.0, 0.0, 0.0, 1.0, -1.0]);
        assert!(arma(1, 0, 1, 0, 0, 0, 1).delta().is_empty());
    }

    #[test]
    fn partrans_round_trips() {
        let raw = [0.3, -0.8, 0.2];
        let mut out = [0.0; 3];
        let mut work = [0.0; 3];
        partrans(3, &raw, &mut out, &mut work);
        let mut back = [0.0; 3];
        invpartrans(3, &out, &mut back);
        for (a, b) in raw.iter().zip(&back) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
        // AR(1): phi = tanh(raw).
        partrans(1, &[0.5], &mut out, &mut work);
        assert!((out[0] - 0.5_f64.tanh()).abs() < 1e-15);
    }

    #[test]
    fn atanh_is_the_inverse_of_tanh() {
        for x in [-0.99, -0.5, -0.3, 0.0, 1e-10, 0.25, 0.5, 0.7, 0.999] {
            assert!((atanh(x).tanh() - x).abs() <= 1e-15, "{x}");
        }
        // statsforecast's `invpartrans` (glibc) at a point where Rust's
        // `f64::atanh` formula gives the next double down.
        assert_eq!(
            atanh(0.304_784_674_928_581_74).to_bits(),
            0.314_785_844_130_502_7_f64.to_bits()
        );
        assert!(atanh(1.5).is_nan() && atanh(1.0).is_infinite());
    }

    #[test]
    fn transpar_multiplies_the_seasonal_polynomials() {
        // (1 − 0.5B)(1 − 0.3B⁴): phi = [0.5, 0, 0, 0.3, −0.15].
        let a = arma(1, 0, 1, 1, 0, 1, 4);
        let mut phi = vec![0.0; a.full_p()];
        let mut theta = vec![0.0; a.full_q()];
        let mut work = vec![0.0; 8];
        transpar(&[0.5, 0.2, 0.3, 0.4], a, false, &mut phi, &mut theta, &mut work);
        assert_eq!(phi, vec![0.5, 0.0, 0.0, 0.3, -0.15]);
        // (1 + 0.2B)(1 + 0.4B⁴) = 1 + 0.2B + 0.4B⁴ + 0.08B⁵.
        assert_eq!(theta.len(), 5);
        assert!((theta[0] - 0.2).abs() < 1e-15 && (theta[3] - 0.4).abs() < 1e-15);
        assert!((theta[4] - 0.08).abs() < 1e-15);
    }

    #[test]
    fn q0_is_the_stationary_covariance() {
        // ARMA(1,1), phi 0.5, theta 0.3: the state (x_t, θ e_t) has
        // Var x = (1 + 2φθ + θ²)/(1 − φ²), Cov = θ, Var(θ e) = θ².
        let mut w = Q0Work::new(2);
        getq0(&[0.5], &[0.3], &mut w);
        let v = (1.0 + 2.0 * 0.5 * 0.3 + 0.09) / (1.0 - 0.25);
        assert!((w.res[0] - v).abs() < 1e-12, "{:?}", w.res);
        assert!((w.res[1] - 0.3).abs() < 1e-12 && (w.res[2] - 0.3).abs() < 1e-12);
        assert!((w.res[3] - 0.09).abs() < 1e-12);
        // Pure MA(2): the p = 0 branch.
        let mut w = Q0Work::new(3);
        getq0(&[], &[0.4, 0.2], &mut w);
        assert!((w.res[0] - (1.0 + 0.16 + 0.04)).abs() < 1e-12, "{:?}", w.res);
    }

    #[test]
    fn q0_solves_the_lyapunov_equation() {
        // P = T P Tᵀ + R Rᵀ for an ARMA(2,2).
        let phi = [0.4, 0.3];
        let theta = [0.5, -0.2];
        let mut w = Q0Work::new(3);
        getq0(&phi, &theta, &mut w);
        let ss = StateSpace::new(&phi, &theta, &[], &mut Q0Work::new(3));
        let r = 3;
        let p = &w.res;
        for i in 0..r {
            for j in 0..r {
                let mut s = ss.v[i * r + j];
                for k in 0..r {
                    for l in 0..r {
                        s += ss.t[i * r + k] * p[k * r + l] * ss.t[j * r + l];
                    }
                }
                assert!((s - p[i * r + j]).abs() < 1e-10, "{i} {j}: {s} vs {}", p[i * r + j]);
            }
        }
    }

    #[test]
    fn css_of_white_noise_is_the_mean_square() {
        let y = [1.0, -2.0, 3.0, 0.5];
        let a = arma(0, 0, 0, 0, 0, 0, 1);
        let mut cw = CssWork::new(4, 0, 0);
        let s = css(&y, a, &[], &[], &mut cw);
        assert!((s - (1.0 + 4.0 + 9.0 + 0.25) / 4.0).abs() < 1e-15);
        // Differencing: residuals from the second value on.
        let a = arma(0, 1, 0, 0, 0, 0, 1);
        let s = css(&y, a, &[], &[], &mut cw);
        assert!((s - (9.0 + 25.0 + 6.25) / 3.0).abs() < 1e-12);
        assert!(cw.resid[0].is_nan());
    }

    #[test]
    fn steady_state_shortcut_changes_nothing_but_rounding() {
        // Long series: the shortcut must agree with the full recursion to
        // rounding, for a stationary and an integrated model.
        let n = 400;
        let mut y = vec![0.0; n];
        let mut s = 1_u64;
        for t in 2..n {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let e = ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5;
            y[t] = 0.5 * y[t - 1] - 0.2 * y[t - 2] + e + 0.01 * t as f64;
        }
        let phi = [0.5, -0.2];
        let theta = [0.3];
        for delta in [vec![], vec![1.0]] {
            let mut q0 = Q0Work::new(2);
            let mut fast = StateSpace::new(&phi, &theta, &delta, &mut q0);
            let mut slow = fast.clone();
            let mut ws = Workspace::new(fast.rd);
            let mut r1 = vec![0.0; n];
            let mut r2 = vec![0.0; n];
            let l1 = filter(&y, &mut fast, &theta, &mut ws, Some(&mut r1), STEADY_TOL);
            let l2 = filter(&y, &mut slow, &theta, &mut ws, Some(&mut r2), -1.0);
            assert!((l1.ssq - l2.ssq).abs() <= 1e-12 * l2.ssq, "{l1:?} {l2:?}");
            // The objective uses sumlog / n.
            assert!((l1.sumlog - l2.sumlog).abs() / n as f64 <= 1e-13, "{l1:?} {l2:?}");
            assert_eq!(l1.nu, l2.nu);
            for (a, b) in r1.iter().zip(&r2) {
                assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0), "{a} {b}");
            }
            for (a, b) in fast.a.iter().zip(&slow.a) {
                assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0), "{a} {b}");
            }
        }
    }

    #[test]
    fn fast_recursions_agree_with_the_kalman_filter() {
        let n = 300;
        let mut y = vec![0.0; n];
        let mut s = 11_u64;
        for t in 0..n {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            y[t] = ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5 + if t > 0 { 0.6 * y[t - 1] } else { 0.0 };
        }
        for (phi, theta) in [
            (vec![0.6], vec![]),
            (vec![0.5, -0.2], vec![0.4]),
            (vec![], vec![0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.15]),
            (vec![0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.7, -0.14], vec![-0.3, 0.1]),
        ] {
            let r = phi.len().max(theta.len() + 1);
            let mut q0 = Q0Work::new(r);
            let mut ss = StateSpace::new(&phi, &theta, &[], &mut q0);
            let mut ws = Workspace::new(r);
            let slow = filter(&y, &mut ss, &theta, &mut ws, None, -1.0);
            getq0(&phi, &theta, &mut q0);
            let col: Vec<f64> = (0..r).map(|i| q0.res[i * r]).collect();
            let mut col2 = vec![0.0; r];
            assert!(q0_first_column(&phi, &theta, r, &mut col2, &mut Vec::new()));
            for (a, b) in col.iter().zip(&col2) {
                assert!((a - b).abs() <= 1e-12 * col[0], "{col:?} {col2:?}");
            }
            let fast = fast_arma_like(&y, &phi, &col2, r, &mut FastWork::new(r));
            assert_eq!(slow.nu, fast.nu);
            assert!((slow.ssq - fast.ssq).abs() <= 1e-11 * slow.ssq, "{slow:?} {fast:?}");
            assert!(
                (slow.sumlog - fast.sumlog).abs() <= 1e-11 * n as f64,
                "{slow:?} {fast:?}"
            );
        }
    }

    #[test]
    fn ar1_likelihood_matches_the_closed_form() {
        // Exact Gaussian log-likelihood of a stationary AR(1):
        // x_1 ~ N(0, σ²/(1 − φ²)), x_t | x_{t−1} ~ N(φ x_{t−1}, σ²).
        let phi = 0.6;
        let y = [0.3, -0.5, 1.2, 0.8, -0.1, 0.4, 0.9, -1.1];
        let mut q0 = Q0Work::new(1);
        let mut ss = StateSpace::new(&[phi], &[], &[], &mut q0);
        let mut ws = Workspace::new(1);
        let like = arima_like(&y, &mut ss, &[], &mut ws, None, false);
        let n = y.len() as f64;
        let mut ssq = y[0] * y[0] * (1.0 - phi * phi);
        for t in 1..y.len() {
            ssq += (y[t] - phi * y[t - 1]).powi(2);
        }
        assert!((like.ssq - ssq).abs() < 1e-12);
        assert!((like.sumlog - (1.0 / (1.0 - phi * phi)).ln()).abs() < 1e-12);
        assert_eq!(like.nu, 8);
        // The concentrated −loglik / n that the optimiser minimises.
        let sigma2 = ssq / n;
        let loglik =
            -0.5 * n * (2.0 * std::f64::consts::PI * sigma2).ln() - 0.5 * (1.0 / (1.0 - phi * phi)).ln() - 0.5 * n;
        let objective = 0.5 * ((like.ssq / n).ln() + like.sumlog / n);
        let from_objective = -(2.0 * n * objective + n + n * (2.0 * std::f64::consts::PI).ln()) / 2.0;
        assert!((loglik - from_objective).abs() < 1e-10, "{loglik} vs {from_objective}");
    }
}
