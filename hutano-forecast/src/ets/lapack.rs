//! numpy's `np.linalg.lstsq(X, y, rcond=-1)` for the regression of a series
//! on `[1, t]` (`initstate`'s starting level and growth), operation for
//! operation: LAPACK's `dgelsd` as shipped in numpy's `OpenBLAS` (path 1a:
//! Householder QR by `dgeqr2`/`dorm2r`, the 2×2 bidiagonal SVD of `dlalsd`
//! through `dlasdq`/`dbdsqr`/`dlasv2`), with `OpenBLAS`'s Haswell kernels
//! for the level-1/2 BLAS calls (fused multiply-adds in `daxpy`, `drot` and
//! `dgemv_t`; `dnrm2` in extended precision, emulated here by a
//! double-double sum). statsforecast's ETS optimiser starts from these
//! values and its path depends on their last bits.

// A line-by-line port: LAPACK's names and exact float comparisons are kept.
#![allow(clippy::float_cmp, clippy::many_single_char_names, clippy::similar_names)]

/// `dnrm2`: the Euclidean norm, correctly rounded (`OpenBLAS`'s x87 kernel
/// accumulates in extended precision).
fn dnrm2(x: &[f64]) -> f64 {
    // Double-double sum of squares.
    let (mut hi, mut lo) = (0.0_f64, 0.0_f64);
    for v in x {
        let p = v * v;
        let pe = v.mul_add(*v, -p);
        let s = hi + p;
        let bb = s - hi;
        let err = (hi - (s - bb)) + (p - bb);
        hi = s;
        lo += err + pe;
    }
    let s = hi + lo;
    let lo = lo - (s - hi);
    let hi = s;
    if hi <= 0.0 {
        return 0.0;
    }
    let r = hi.sqrt();
    // One Newton correction in double-double.
    let rr = r * r;
    let rre = r.mul_add(r, -rr);
    r + ((hi - rr) - rre + lo) / (2.0 * r)
}

/// `dlapy2`: `sqrt(x² + y²)` without overflow.
fn dlapy2(x: f64, y: f64) -> f64 {
    let xa = x.abs();
    let ya = y.abs();
    let w = xa.max(ya);
    let z = xa.min(ya);
    if z == 0.0 || w > f64::MAX {
        w
    } else {
        w * (1.0 + (z / w) * (z / w)).sqrt()
    }
}

/// Fortran's `SIGN(a, b)`.
fn sign(a: f64, b: f64) -> f64 {
    if b >= 0.0 {
        a.abs()
    } else {
        -a.abs()
    }
}

/// `dlarfg`: the Householder reflector annihilating `x`; returns
/// `(beta, tau)` and scales `x` into the reflector's tail.
fn dlarfg(alpha: f64, x: &mut [f64]) -> (f64, f64) {
    if x.is_empty() {
        return (alpha, 0.0);
    }
    let xnorm = dnrm2(x);
    if xnorm == 0.0 {
        return (alpha, 0.0);
    }
    let beta = -sign(dlapy2(alpha, xnorm), alpha);
    let tau = (beta - alpha) / beta;
    let scal = 1.0 / (alpha - beta);
    for v in x.iter_mut() {
        *v *= scal;
    }
    (beta, tau)
}

/// `OpenBLAS`'s `dgemv_t` for one output column (`dgemv_kernel_4x1`, SSE2
/// code: two two-lane accumulators over blocks of four, then
/// `(l₀ + l₂) + (l₁ + l₃)`; the last `m mod 4` terms by scalar code that
/// GCC contracts into fused multiply-adds).
fn gemv_t1(a: &[f64], x: &[f64]) -> f64 {
    let m = a.len();
    let m3 = m & 3;
    let m1 = m - m3;
    let mut y = 0.0_f64;
    if m1 > 0 {
        let mut x10 = [0.0_f64; 2];
        let mut x9 = [0.0_f64; 2];
        for b in (0..m1).step_by(4) {
            x10 = [x10[0] + a[b] * x[b], x10[1] + a[b + 1] * x[b + 1]];
            x9 = [x9[0] + a[b + 2] * x[b + 2], x9[1] + a[b + 3] * x[b + 3]];
        }
        let r = (x10[0] + x9[0]) + (x10[1] + x9[1]);
        y = r.mul_add(1.0, y);
    }
    let s = m1;
    match m3 {
        1 => a[s].mul_add(x[s], y),
        2 => y + a[s].mul_add(x[s], a[s + 1] * x[s + 1]),
        3 => y + a[s + 2].mul_add(x[s + 2], a[s].mul_add(x[s], a[s + 1] * x[s + 1])),
        _ => y,
    }
}

/// `dlarf('L')` for one column `c`: `c ← (I − τ v vᵀ) c`, `v[0] = 1`.
fn dlarf(v: &[f64], tau: f64, c: &mut [f64]) {
    if tau == 0.0 {
        return;
    }
    let mut lastv = v.len();
    while lastv > 0 && v[lastv - 1] == 0.0 {
        lastv -= 1;
    }
    if lastv == 0 || (c[0] == 0.0 && c[lastv - 1] == 0.0 && c[..lastv].iter().all(|x| *x == 0.0)) {
        return;
    }
    let w = gemv_t1(&c[..lastv], &v[..lastv]);
    let temp = -tau * w;
    for (ci, vi) in c[..lastv].iter_mut().zip(&v[..lastv]) {
        *ci = temp.mul_add(*vi, *ci);
    }
}

/// `dlasv2`: SVD of the upper triangular `[[f, g], [0, h]]`; returns
/// `(ssmin, ssmax, snr, csr, snl, csl)`.
fn dlasv2(f: f64, g: f64, h: f64) -> (f64, f64, f64, f64, f64, f64) {
    let mut ft = f;
    let mut fa = ft.abs();
    let mut ht = h;
    let mut ha = h.abs();
    let mut pmax = 1;
    let swap = ha > fa;
    if swap {
        pmax = 3;
        std::mem::swap(&mut ft, &mut ht);
        std::mem::swap(&mut fa, &mut ha);
    }
    let gt = g;
    let ga = gt.abs();
    let (ssmin, ssmax, clt, crt, slt, srt);
    if ga == 0.0 {
        ssmin = ha;
        ssmax = fa;
        clt = 1.0;
        crt = 1.0;
        slt = 0.0;
        srt = 0.0;
    } else {
        let mut gasmal = true;
        let mut out = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        if ga > fa {
            pmax = 2;
            if fa / ga < f64::EPSILON / 2.0 {
                gasmal = false;
                let smax = ga;
                let smin = if ha > 1.0 { fa / (ga / ha) } else { (fa / ga) * ha };
                out = (smin, smax, 1.0, ft / gt, ht / gt, 1.0);
            }
        }
        if gasmal {
            let d = fa - ha;
            let mut l = if d == fa { 1.0 } else { d / fa };
            let m = gt / ft;
            let mut t = 2.0 - l;
            let mm = m * m;
            let tt = t * t;
            let s = (tt + mm).sqrt();
            let r = if l == 0.0 { m.abs() } else { (l * l + mm).sqrt() };
            let a = 0.5 * (s + r);
            let smin = ha / a;
            let smax = fa * a;
            if mm != 0.0 {
                t = (m / (s + t) + m / (r + l)) * (1.0 + a);
            } else if l == 0.0 {
                t = sign(2.0, ft) * sign(1.0, gt);
            } else {
                t = gt / sign(d, ft) + m / t;
            }
            l = (t * t + 4.0).sqrt();
            let crt_ = 2.0 / l;
            let srt_ = t / l;
            let clt_ = (crt_ + srt_ * m) / a;
            let slt_ = (ht / ft) * srt_ / a;
            out = (smin, smax, clt_, crt_, slt_, srt_);
        }
        (ssmin, ssmax, clt, crt, slt, srt) = out;
    }
    let (csl, snl, csr, snr) = if swap {
        (srt, crt, slt, clt)
    } else {
        (clt, slt, crt, srt)
    };
    let tsign = match pmax {
        1 => sign(1.0, csr) * sign(1.0, csl) * sign(1.0, f),
        2 => sign(1.0, snr) * sign(1.0, csl) * sign(1.0, g),
        _ => sign(1.0, snr) * sign(1.0, snl) * sign(1.0, h),
    };
    let ssmax = sign(ssmax, tsign);
    let ssmin = sign(ssmin, tsign * sign(1.0, f) * sign(1.0, h));
    (ssmin, ssmax, snr, csr, snl, csl)
}

/// `OpenBLAS`'s `drot` on a pair: `(c·x + s·y, c·y − s·x)`, the first
/// product of each fused by GCC.
fn drot(x: &mut f64, y: &mut f64, c: f64, s: f64) {
    let temp = c.mul_add(*x, s * *y);
    *y = c.mul_add(*y, -(s * *x));
    *x = temp;
}

/// `dlascl` by `cto / cfrom` for values far from overflow: the factor, or
/// `None` when it is 1.
fn scale_factor(cfrom: f64, cto: f64) -> Option<f64> {
    let mul = cto / cfrom;
    if mul == 1.0 {
        None
    } else {
        Some(mul)
    }
}

/// `np.linalg.lstsq([1, t], y, rcond=-1)` for `t` and `y` of the same
/// length (at least 3): the intercept and slope.
pub(crate) fn lstsq_line(t: &[f64], y: &[f64]) -> (f64, f64) {
    let m = y.len();
    let mut a0 = vec![1.0; m];
    let mut a1 = t.to_vec();
    let mut b = y.to_vec();
    // dgeqr2.
    let (beta1, tau1) = dlarfg(a0[0], &mut a0[1..]);
    a0[0] = 1.0;
    dlarf(&a0, tau1, &mut a1);
    a0[0] = beta1;
    let (beta2, tau2) = dlarfg(a1[1], &mut a1[2..]);
    a1[1] = beta2;
    // dorm2r: b ← Qᵀ b.
    let saved = a0[0];
    a0[0] = 1.0;
    dlarf(&a0, tau1, &mut b);
    a0[0] = saved;
    let saved = a1[1];
    a1[1] = 1.0;
    dlarf(&a1[1..], tau2, &mut b[1..]);
    a1[1] = saved;
    // R = [[d0, e0], [0, d1]]; dgebrd leaves it as it is.
    let mut d = [a0[0], a1[1]];
    let mut e = a1[0];
    let mut c = [b[0], b[1]];
    // dlalsd.
    let eps = f64::EPSILON / 2.0;
    let orgnrm = d[0].abs().max(d[1].abs()).max(e.abs());
    if orgnrm == 0.0 || orgnrm.is_nan() {
        return (0.0, 0.0);
    }
    if let Some(mul) = scale_factor(orgnrm, 1.0) {
        d[0] *= mul;
        d[1] *= mul;
        e *= mul;
    }
    let mut vt = [[1.0, 0.0], [0.0, 1.0]];
    // dbdsqr.
    let tolmul = 10.0_f64.max(100.0_f64.min(eps.powf(-0.125)));
    let tol = tolmul * eps;
    let mut sminoa = d[0].abs();
    if sminoa != 0.0 {
        let mu = d[1].abs() * (sminoa / (sminoa + e.abs()));
        sminoa = sminoa.min(mu);
    }
    sminoa /= 2.0_f64.sqrt();
    let unfl = f64::MIN_POSITIVE;
    let thresh = (tol * sminoa).max(6.0 * (2.0 * (2.0 * unfl)));
    if e.abs() > thresh {
        let (sigmn, sigmx, sinr, cosr, sinl, cosl) = dlasv2(d[0], e, d[1]);
        d = [sigmx, sigmn];
        let [r0, r1] = &mut vt;
        for j in 0..2 {
            drot(&mut r0[j], &mut r1[j], cosr, sinr);
        }
        let [c0, c1] = &mut c;
        drot(c0, c1, cosl, sinl);
    }
    for i in 0..2 {
        if d[i] < 0.0 {
            d[i] = -d[i];
            vt[i] = [-vt[i][0], -vt[i][1]];
        }
    }
    // dbdsqr's sort (decreasing), then dlasdq's (increasing).
    if d[1] > d[0] {
        d.swap(0, 1);
        vt.swap(0, 1);
        c.swap(0, 1);
    }
    if d[1] < d[0] {
        d.swap(0, 1);
        vt.swap(0, 1);
        c.swap(0, 1);
    }
    let dmax = if d[1].abs() > d[0].abs() {
        d[1].abs()
    } else {
        d[0].abs()
    };
    let tol = eps * dmax;
    for i in 0..2 {
        if d[i] <= tol {
            c[i] = 0.0;
        } else if let Some(mul) = scale_factor(d[i], 1.0) {
            c[i] *= mul;
        }
    }
    let mut x = [
        vt[1][0].mul_add(c[1], vt[0][0] * c[0]),
        vt[1][1].mul_add(c[1], vt[0][1] * c[0]),
    ];
    if let Some(mul) = scale_factor(orgnrm, 1.0) {
        x[0] *= mul;
        x[1] *= mul;
    }
    (x[0], x[1])
}
