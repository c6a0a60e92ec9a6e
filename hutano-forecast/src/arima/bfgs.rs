//! Quasi-Newton minimisation with forward-difference gradients: a port of
//! `scipy.optimize.minimize(method="BFGS")` as statsforecast 2.1.1 calls it
//! (scipy 1.17: `_minimize_bfgs` with `gtol = tol = 1e-8`, `maxiter =
//! 100`, `norm = inf`, absolute difference step `sqrt(eps)`).
//!
//! The algorithm is BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd
//! ed., 2006, Algorithm 6.1) with a line search for the strong Wolfe
//! conditions: first MINPACK-2's `dcsrch` (Moré & Thuente, *Line search
//! algorithms with guaranteed sufficient decrease*, ACM TOMS 20, 1994), then,
//! if it fails, the bracketing and zoom search of Nocedal & Wright
//! (Algorithms 3.5 and 3.6) with scipy's cubic and quadratic interpolation.
//! Every branch, constant and stopping rule is scipy's, including the
//! memoisation of the last point (the function is not called again at a
//! point where it was just evaluated), so that an objective with side
//! effects — statsforecast's Kalman likelihood keeps state between calls —
//! is called with the same points in the same order.
//!
//! Python's `min`/`max` and numpy's `sign`/`clip` treat NaN differently
//! from Rust's `f64::min`/`max`/`signum`/`clamp`; the helpers below keep
//! the Python semantics.

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

/// `sqrt(f64::EPSILON)`: scipy's default finite-difference step.
const EPS_STEP: f64 = 1.490_116_119_384_765_6e-8;

/// How the minimisation ended (scipy's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// The gradient norm fell below `gtol` (0).
    Success,
    /// `maxiter` iterations (1).
    MaxIter,
    /// The line search found no acceptable step (2, "precision loss").
    PrecisionLoss,
    /// NaN in the gradient, the value or the point (3).
    Nan,
}

/// Result of [`minimize`].
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// The last accepted point.
    pub x: Vec<f64>,
    /// The objective there.
    pub fun: f64,
    /// How it ended.
    pub status: Status,
    /// The BFGS approximation of the inverse Hessian, row-major `n × n`.
    pub hess_inv: Vec<f64>,
}

/// Python's `min(a, b)`: `b` if `b < a`, else `a`.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// Python's `max(a, b)`: `b` if `b > a`, else `a`.
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// `numpy.sign`: −1, 0 or 1, NaN for NaN.
fn np_sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x // 0, −0 or NaN
    }
}

/// `numpy.clip(x, lo, hi)` = `minimum(maximum(x, lo), hi)`, NaN-propagating
/// and defined when `lo > hi` (gives `hi`).
fn np_clip(x: f64, lo: f64, hi: f64) -> f64 {
    let t = if x.is_nan() || lo.is_nan() {
        f64::NAN
    } else if x >= lo {
        x
    } else {
        lo
    };
    if t.is_nan() || hi.is_nan() {
        f64::NAN
    } else if t <= hi {
        t
    } else {
        hi
    }
}

use super::blas::{dot, gemm_elem, gemv_row};

/// `max |x|`, NaN if any entry is NaN (`numpy.amax(numpy.abs(x))`).
fn inf_norm(x: &[f64]) -> f64 {
    let mut m: f64 = 0.0;
    for v in x {
        if v.is_nan() {
            return f64::NAN;
        }
        m = m.max(v.abs());
    }
    m
}

/// scipy's `ScalarFunction` with a forward-difference gradient: caches the
/// value and gradient at the last point it was asked about.
struct ScalarFunction<F> {
    f: F,
    x: Vec<f64>,
    fx: f64,
    f_updated: bool,
    g: Vec<f64>,
    g_updated: bool,
    x1: Vec<f64>,
}

impl<F: FnMut(&[f64]) -> f64> ScalarFunction<F> {
    fn new(f: F, x0: &[f64]) -> Self {
        let mut sf = Self {
            f,
            x: x0.to_vec(),
            fx: f64::NAN,
            f_updated: false,
            g: vec![0.0; x0.len()],
            g_updated: false,
            x1: x0.to_vec(),
        };
        sf.update_fun();
        sf.update_grad();
        sf
    }

    fn set_x(&mut self, x: &[f64]) {
        // numpy.array_equal: NaN never equals NaN.
        if x.iter().zip(&self.x).any(|(a, b)| a != b) {
            self.x.copy_from_slice(x);
            self.f_updated = false;
            self.g_updated = false;
        }
    }

    fn update_fun(&mut self) {
        if !self.f_updated {
            self.fx = (self.f)(&self.x);
            self.f_updated = true;
        }
    }

    fn update_grad(&mut self) {
        if self.g_updated {
            return;
        }
        self.update_fun();
        let f0 = self.fx;
        for i in 0..self.x.len() {
            let xi = self.x[i];
            let mut h = EPS_STEP;
            if (xi + h) - xi == 0.0 {
                let sign = if xi >= 0.0 { 1.0 } else { -1.0 };
                h = EPS_STEP * sign * if xi.abs() > 1.0 || xi.is_nan() { xi.abs() } else { 1.0 };
            }
            self.x1.copy_from_slice(&self.x);
            self.x1[i] = xi + h;
            let fi = (self.f)(&self.x1);
            let dx = (xi + h) - xi;
            self.g[i] = (fi - f0) / dx;
        }
        self.g_updated = true;
    }

    fn fun(&mut self, x: &[f64]) -> f64 {
        self.set_x(x);
        self.update_fun();
        self.fx
    }

    fn grad(&mut self, x: &[f64]) -> Vec<f64> {
        self.set_x(x);
        self.update_grad();
        self.g.clone()
    }
}

/// Evaluations along the search direction: `phi(s) = f(xk + s·pk)` and its
/// derivative, keeping the last gradient (scipy's `gval`).
struct Line<'a, F> {
    sf: &'a mut ScalarFunction<F>,
    xk: &'a [f64],
    pk: &'a [f64],
    point: Vec<f64>,
    gval: Option<Vec<f64>>,
}

impl<F: FnMut(&[f64]) -> f64> Line<'_, F> {
    fn at(&mut self, s: f64) {
        for ((p, x), d) in self.point.iter_mut().zip(self.xk).zip(self.pk) {
            *p = x + s * d;
        }
    }

    fn phi(&mut self, s: f64) -> f64 {
        self.at(s);
        let point = std::mem::take(&mut self.point);
        let v = self.sf.fun(&point);
        self.point = point;
        v
    }

    fn derphi(&mut self, s: f64) -> f64 {
        self.at(s);
        let point = std::mem::take(&mut self.point);
        let g = self.sf.grad(&point);
        self.point = point;
        let v = dot(&g, self.pk);
        self.gval = Some(g);
        v
    }
}

/// State of MINPACK-2's `dcsrch` (scipy's `DCSRCH`).
struct Dcsrch {
    ftol: f64,
    gtol: f64,
    xtol: f64,
    stpmin: f64,
    stpmax: f64,
    brackt: bool,
    stage: u8,
    ginit: f64,
    gtest: f64,
    gx: f64,
    gy: f64,
    finit: f64,
    fx: f64,
    fy: f64,
    stx: f64,
    sty: f64,
    stmin: f64,
    stmax: f64,
    width: f64,
    width1: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Task {
    Start,
    Fg,
    Convergence,
    Warning,
    Error,
}

impl Dcsrch {
    /// One call of `_iterate`: returns the next step and the task.
    #[allow(clippy::too_many_lines)]
    fn iterate(&mut self, mut stp: f64, f: f64, g: f64, task: Task) -> (f64, Task) {
        const P5: f64 = 0.5;
        const P66: f64 = 0.66;
        const XTRAPL: f64 = 1.1;
        const XTRAPU: f64 = 4.0;
        if task == Task::Start {
            let error = stp < self.stpmin
                || stp > self.stpmax
                || g >= 0.0
                || self.ftol < 0.0
                || self.gtol < 0.0
                || self.xtol < 0.0
                || self.stpmin < 0.0
                || self.stpmax < self.stpmin;
            if error {
                return (stp, Task::Error);
            }
            self.brackt = false;
            self.stage = 1;
            self.finit = f;
            self.ginit = g;
            self.gtest = self.ftol * self.ginit;
            self.width = self.stpmax - self.stpmin;
            self.width1 = self.width / P5;
            self.stx = 0.0;
            self.fx = self.finit;
            self.gx = self.ginit;
            self.sty = 0.0;
            self.fy = self.finit;
            self.gy = self.ginit;
            self.stmin = 0.0;
            self.stmax = stp + XTRAPU * stp;
            return (stp, Task::Fg);
        }
        let ftest = self.finit + stp * self.gtest;
        if self.stage == 1 && f <= ftest && g >= 0.0 {
            self.stage = 2;
        }
        let mut out = None;
        if self.brackt && (stp <= self.stmin || stp >= self.stmax) {
            out = Some(Task::Warning);
        }
        if self.brackt && self.stmax - self.stmin <= self.xtol * self.stmax {
            out = Some(Task::Warning);
        }
        if stp == self.stpmax && f <= ftest && g <= self.gtest {
            out = Some(Task::Warning);
        }
        if stp == self.stpmin && (f > ftest || g >= self.gtest) {
            out = Some(Task::Warning);
        }
        if f <= ftest && g.abs() <= self.gtol * -self.ginit {
            out = Some(Task::Convergence);
        }
        if let Some(t) = out {
            return (stp, t);
        }
        if self.stage == 1 && f <= self.fx && f > ftest {
            let fm = f - stp * self.gtest;
            let mut fxm = self.fx - self.stx * self.gtest;
            let mut fym = self.fy - self.sty * self.gtest;
            let gm = g - self.gtest;
            let mut gxm = self.gx - self.gtest;
            let mut gym = self.gy - self.gtest;
            let s = dcstep(
                &mut self.stx,
                &mut fxm,
                &mut gxm,
                &mut self.sty,
                &mut fym,
                &mut gym,
                stp,
                fm,
                gm,
                self.brackt,
                self.stmin,
                self.stmax,
            );
            stp = s.0;
            self.brackt = s.1;
            self.fx = fxm + self.stx * self.gtest;
            self.fy = fym + self.sty * self.gtest;
            self.gx = gxm + self.gtest;
            self.gy = gym + self.gtest;
        } else {
            let s = dcstep(
                &mut self.stx,
                &mut self.fx,
                &mut self.gx,
                &mut self.sty,
                &mut self.fy,
                &mut self.gy,
                stp,
                f,
                g,
                self.brackt,
                self.stmin,
                self.stmax,
            );
            stp = s.0;
            self.brackt = s.1;
        }
        if self.brackt {
            if (self.sty - self.stx).abs() >= P66 * self.width1 {
                stp = self.stx + P5 * (self.sty - self.stx);
            }
            self.width1 = self.width;
            self.width = (self.sty - self.stx).abs();
        }
        if self.brackt {
            self.stmin = py_min(self.stx, self.sty);
            self.stmax = py_max(self.stx, self.sty);
        } else {
            self.stmin = stp + XTRAPL * (stp - self.stx);
            self.stmax = stp + XTRAPU * (stp - self.stx);
        }
        stp = np_clip(stp, self.stpmin, self.stpmax);
        if self.brackt && (stp <= self.stmin || stp >= self.stmax || self.stmax - self.stmin <= self.xtol * self.stmax)
        {
            stp = self.stx;
        }
        (stp, Task::Fg)
    }
}

/// MINPACK-2's `dcstep`: a safeguarded cubic/quadratic step; updates the
/// interval ends in place and returns the new step and `brackt`.
#[allow(clippy::too_many_arguments, clippy::similar_names, clippy::many_single_char_names)]
fn dcstep(
    stx: &mut f64,
    fx: &mut f64,
    dx: &mut f64,
    sty: &mut f64,
    fy: &mut f64,
    dy: &mut f64,
    stp: f64,
    fp: f64,
    dp: f64,
    mut brackt: bool,
    stpmin: f64,
    stpmax: f64,
) -> (f64, bool) {
    let sgnd = np_sign(dp) * np_sign(*dx);
    let stpf;
    if fp > *fx {
        let theta = 3.0 * (*fx - fp) / (stp - *stx) + *dx + dp;
        let s = py_max(py_max(theta.abs(), dx.abs()), dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (*dx / s) * (dp / s)).sqrt();
        if stp < *stx {
            gamma = -gamma;
        }
        let p = (gamma - *dx) + theta;
        let q = ((gamma - *dx) + gamma) + dp;
        let r = p / q;
        let stpc = *stx + r * (stp - *stx);
        let stpq = *stx + ((*dx / ((*fx - fp) / (stp - *stx) + *dx)) / 2.0) * (stp - *stx);
        stpf = if (stpc - *stx).abs() <= (stpq - *stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        brackt = true;
    } else if sgnd < 0.0 {
        let theta = 3.0 * (*fx - fp) / (stp - *stx) + *dx + dp;
        let s = py_max(py_max(theta.abs(), dx.abs()), dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (*dx / s) * (dp / s)).sqrt();
        if stp > *stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + *dx;
        let r = p / q;
        let stpc = stp + r * (*stx - stp);
        let stpq = stp + (dp / (dp - *dx)) * (*stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        };
        brackt = true;
    } else if dp.abs() < dx.abs() {
        let theta = 3.0 * (*fx - fp) / (stp - *stx) + *dx + dp;
        let s = py_max(py_max(theta.abs(), dx.abs()), dp.abs());
        let mut gamma = s * py_max(0.0, (theta / s).powi(2) - (*dx / s) * (dp / s)).sqrt();
        if stp > *stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = (gamma + (*dx - dp)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (*stx - stp)
        } else if stp > *stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - *dx)) * (*stx - stp);
        if brackt {
            let mut v = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            v = if stp > *stx {
                py_min(stp + 0.66 * (*sty - stp), v)
            } else {
                py_max(stp + 0.66 * (*sty - stp), v)
            };
            stpf = v;
        } else {
            let v = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = np_clip(v, stpmin, stpmax);
        }
    } else if brackt {
        let theta = 3.0 * (fp - *fy) / (*sty - stp) + *dy + dp;
        let s = py_max(py_max(theta.abs(), dy.abs()), dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (*dy / s) * (dp / s)).sqrt();
        if stp > *sty {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + *dy;
        let r = p / q;
        stpf = stp + r * (*sty - stp);
    } else if stp > *stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    if fp > *fx {
        *sty = stp;
        *fy = fp;
        *dy = dp;
    } else {
        if sgnd < 0.0 {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = stp;
        *fx = fp;
        *dx = dp;
    }
    (stpf, brackt)
}

/// A successful line search: step, value there, value at the start and
/// the gradient at the step (when the search computed it).
struct Step {
    alpha: f64,
    fval: f64,
    old_fval: f64,
    grad: Option<Vec<f64>>,
}

/// The initial step of both searches: `min(1, 2.02 (f0 − f_prev) / g0)`,
/// 1 when negative.
fn first_step(phi0: f64, old_phi0: f64, derphi0: f64) -> f64 {
    if derphi0 == 0.0 {
        return 1.0;
    }
    let a = py_min(1.0, 1.01 * 2.0 * (phi0 - old_phi0) / derphi0);
    if a < 0.0 {
        1.0
    } else {
        a
    }
}

/// `line_search_wolfe1`: `dcsrch` with `amin = 1e-100`, `amax = 1e100`,
/// `xtol = 1e-14`, at most 100 iterations.
fn wolfe1<F: FnMut(&[f64]) -> f64>(
    line: &mut Line<'_, F>,
    derphi0: f64,
    old_fval: f64,
    old_old_fval: f64,
    c1: f64,
    c2: f64,
) -> Option<Step> {
    let phi0 = old_fval;
    let mut alpha1 = first_step(phi0, old_old_fval, derphi0);
    let mut search = Dcsrch {
        ftol: c1,
        gtol: c2,
        xtol: 1e-14,
        stpmin: 1e-100,
        stpmax: 1e100,
        brackt: false,
        stage: 0,
        ginit: 0.0,
        gtest: 0.0,
        gx: 0.0,
        gy: 0.0,
        finit: 0.0,
        fx: 0.0,
        fy: 0.0,
        stx: 0.0,
        sty: 0.0,
        stmin: 0.0,
        stmax: 0.0,
        width: 0.0,
        width1: 0.0,
    };
    let mut phi1 = phi0;
    let mut derphi1 = derphi0;
    let mut task = Task::Start;
    for _ in 0..100 {
        let (stp, t) = search.iterate(alpha1, phi1, derphi1, task);
        task = t;
        if !stp.is_finite() {
            return None;
        }
        if task == Task::Fg {
            alpha1 = stp;
            phi1 = line.phi(stp);
            derphi1 = line.derphi(stp);
        } else {
            return match task {
                Task::Convergence => Some(Step {
                    alpha: stp,
                    fval: phi1,
                    old_fval: phi0,
                    grad: line.gval.take(),
                }),
                _ => None,
            };
        }
    }
    None
}

/// scipy's `_cubicmin`: the minimiser of the cubic through `(a, fa)`,
/// `(b, fb)`, `(c, fc)` with slope `fpa` at `a`; `None` on any floating
/// point exception (scipy raises on divide, overflow and invalid).
fn cubicmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64, c: f64, fc: f64) -> Option<f64> {
    let cc = fpa;
    let db = b - a;
    let dc = c - a;
    let denom = (db * dc).powi(2) * (db - dc);
    let d00 = dc.powi(2);
    let d01 = -db.powi(2);
    let d10 = -dc.powi(3);
    let d11 = db.powi(3);
    let v0 = fb - fa - cc * db;
    let v1 = fc - fa - cc * dc;
    let aa = d00 * v0 + d01 * v1;
    let bb = d10 * v0 + d11 * v1;
    if denom == 0.0 {
        return None;
    }
    let aa = aa / denom;
    let bb = bb / denom;
    let radical = bb * bb - 3.0 * aa * cc;
    if radical < 0.0 || aa == 0.0 {
        return None;
    }
    let xmin = a + (-bb + radical.sqrt()) / (3.0 * aa);
    let all = [db, dc, denom, d00, d01, d10, d11, v0, v1, aa, bb, radical, xmin];
    all.iter().all(|v| v.is_finite()).then_some(xmin)
}

/// scipy's `_quadmin`: the minimiser of the parabola through `(a, fa)`,
/// `(b, fb)` with slope `fpa` at `a`.
fn quadmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64) -> Option<f64> {
    let db = b - a;
    let denom = db * db;
    if denom == 0.0 {
        return None;
    }
    let bb = (fb - fa - fpa * db) / denom;
    if bb == 0.0 {
        return None;
    }
    let xmin = a - fpa / (2.0 * bb);
    [db, denom, bb, xmin].iter().all(|v| v.is_finite()).then_some(xmin)
}

/// scipy's `_zoom` (Nocedal & Wright, Algorithm 3.6), at most 10 rounds.
#[allow(clippy::too_many_arguments)]
fn zoom<F: FnMut(&[f64]) -> f64>(
    line: &mut Line<'_, F>,
    mut a_lo: f64,
    mut a_hi: f64,
    mut phi_lo: f64,
    mut phi_hi: f64,
    mut derphi_lo: f64,
    phi0: f64,
    derphi0: f64,
    c1: f64,
    c2: f64,
) -> Option<(f64, f64)> {
    const DELTA1: f64 = 0.2;
    const DELTA2: f64 = 0.1;
    let mut phi_rec = phi0;
    let mut a_rec = 0.0;
    let mut i = 0;
    loop {
        let dalpha = a_hi - a_lo;
        let (a, b) = if dalpha < 0.0 { (a_hi, a_lo) } else { (a_lo, a_hi) };
        let mut a_j = None;
        let mut cchk = 0.0;
        if i > 0 {
            cchk = DELTA1 * dalpha;
            a_j = cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec);
        }
        let reject = |v: Option<f64>, chk: f64| v.is_none_or(|v| v > b - chk || v < a + chk);
        if i == 0 || reject(a_j, cchk) {
            let qchk = DELTA2 * dalpha;
            a_j = quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi);
            if reject(a_j, qchk) {
                a_j = Some(a_lo + 0.5 * dalpha);
            }
        }
        let a_j = a_j.unwrap_or(a_lo + 0.5 * dalpha);
        let phi_aj = line.phi(a_j);
        if phi_aj > phi0 + c1 * a_j * derphi0 || phi_aj >= phi_lo {
            phi_rec = phi_hi;
            a_rec = a_hi;
            a_hi = a_j;
            phi_hi = phi_aj;
        } else {
            let derphi_aj = line.derphi(a_j);
            if derphi_aj.abs() <= -c2 * derphi0 {
                return Some((a_j, phi_aj));
            }
            if derphi_aj * (a_hi - a_lo) >= 0.0 {
                phi_rec = phi_hi;
                a_rec = a_hi;
                a_hi = a_lo;
                phi_hi = phi_lo;
            } else {
                phi_rec = phi_lo;
                a_rec = a_lo;
            }
            a_lo = a_j;
            phi_lo = phi_aj;
            derphi_lo = derphi_aj;
        }
        i += 1;
        if i > 10 {
            return None;
        }
    }
}

/// `line_search_wolfe2` with `amax = 1e100`, at most 10 rounds.
fn wolfe2<F: FnMut(&[f64]) -> f64>(
    line: &mut Line<'_, F>,
    derphi0: f64,
    old_fval: f64,
    old_old_fval: f64,
    c1: f64,
    c2: f64,
) -> Option<Step> {
    const AMAX: f64 = 1e100;
    line.gval = None;
    let phi0 = old_fval;
    let mut alpha0 = 0.0;
    let mut alpha1 = py_min(first_step(phi0, old_old_fval, derphi0), AMAX);
    let mut phi_a1 = line.phi(alpha1);
    let mut phi_a0 = phi0;
    let mut derphi_a0 = derphi0;
    let found = |alpha: f64, fval: f64, line: &mut Line<'_, F>| Step {
        alpha,
        fval,
        old_fval,
        grad: line.gval.take(),
    };
    for i in 0..10 {
        if alpha1 == 0.0 || alpha0 > AMAX {
            return None;
        }
        if phi_a1 > phi0 + c1 * alpha1 * derphi0 || (phi_a1 >= phi_a0 && i > 0) {
            return zoom(line, alpha0, alpha1, phi_a0, phi_a1, derphi_a0, phi0, derphi0, c1, c2)
                .map(|(a, f)| found(a, f, line));
        }
        let derphi_a1 = line.derphi(alpha1);
        if derphi_a1.abs() <= -c2 * derphi0 {
            return Some(found(alpha1, phi_a1, line));
        }
        if derphi_a1 >= 0.0 {
            return zoom(line, alpha1, alpha0, phi_a1, phi_a0, derphi_a1, phi0, derphi0, c1, c2)
                .map(|(a, f)| found(a, f, line));
        }
        let alpha2 = py_min(2.0 * alpha1, AMAX);
        alpha0 = alpha1;
        alpha1 = alpha2;
        phi_a0 = phi_a1;
        phi_a1 = line.phi(alpha1);
        derphi_a0 = derphi_a1;
    }
    // Out of rounds: scipy returns the last step without a gradient.
    Some(Step {
        alpha: alpha1,
        fval: phi_a1,
        old_fval,
        grad: None,
    })
}

/// Minimise `f` from `x0` by BFGS with forward-difference gradients, as
/// `scipy.optimize.minimize(f, x0, method="BFGS", tol=gtol,
/// options={"maxiter": maxiter})`.
pub(crate) fn minimize<F: FnMut(&[f64]) -> f64>(f: F, x0: &[f64], gtol: f64, maxiter: usize) -> Outcome {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    let n = x0.len();
    let mut sf = ScalarFunction::new(f, x0);
    let mut old_fval = sf.fun(x0);
    let mut gfk = sf.grad(x0);
    let mut k = 0;
    let mut hk = vec![0.0; n * n];
    for i in 0..n {
        hk[i * n + i] = 1.0;
    }
    let mut old_old_fval = old_fval + dot(&gfk, &gfk).sqrt() / 2.0;
    let mut xk = x0.to_vec();
    let mut warnflag = 0;
    let mut gnorm = inf_norm(&gfk);
    let mut pk = vec![0.0; n];
    let mut a1 = vec![0.0; n * n];
    let mut a2 = vec![0.0; n * n];
    let mut tmp = vec![0.0; n * n];
    while gnorm > gtol && k < maxiter {
        for i in 0..n {
            pk[i] = -gemv_row(&hk[i * n..(i + 1) * n], &gfk, i, n);
        }
        let derphi0 = dot(&gfk, &pk);
        let step = {
            let mut line = Line {
                sf: &mut sf,
                xk: &xk,
                pk: &pk,
                point: vec![0.0; n],
                gval: Some(gfk.clone()),
            };
            match wolfe1(&mut line, derphi0, old_fval, old_old_fval, C1, C2) {
                Some(s) => Some(s),
                None => wolfe2(&mut line, derphi0, old_fval, old_old_fval, C1, C2),
            }
        };
        let Some(step) = step else {
            warnflag = 2;
            break;
        };
        old_fval = step.fval;
        old_old_fval = step.old_fval;
        let alpha_k = step.alpha;
        let sk: Vec<f64> = pk.iter().map(|p| alpha_k * p).collect();
        for (x, s) in xk.iter_mut().zip(&sk) {
            *x += s;
        }
        let gfkp1 = match step.grad {
            Some(g) => g,
            None => sf.grad(&xk),
        };
        let yk: Vec<f64> = gfkp1.iter().zip(&gfk).map(|(a, b)| a - b).collect();
        gfk = gfkp1;
        k += 1;
        gnorm = inf_norm(&gfk);
        if gnorm <= gtol {
            break;
        }
        if alpha_k * dot(&pk, &pk).sqrt() <= 0.0 {
            break;
        }
        if !old_fval.is_finite() {
            warnflag = 2;
            break;
        }
        let rhok_inv = dot(&yk, &sk);
        let rhok = if rhok_inv == 0.0 { 1000.0 } else { 1.0 / rhok_inv };
        for i in 0..n {
            for j in 0..n {
                let id = if i == j { 1.0 } else { 0.0 };
                a1[i * n + j] = id - sk[i] * yk[j] * rhok;
                a2[i * n + j] = id - yk[i] * sk[j] * rhok;
            }
        }
        // tmp = Hk · A2; Hk = A1 · tmp + rhok · sk skᵀ.
        for i in 0..n {
            for j in 0..n {
                tmp[i * n + j] = gemm_elem(&hk, &a2, n, i, j);
            }
        }
        for i in 0..n {
            for j in 0..n {
                hk[i * n + j] = gemm_elem(&a1, &tmp, n, i, j) + rhok * sk[i] * sk[j];
            }
        }
    }
    let status = if warnflag == 2 {
        Status::PrecisionLoss
    } else if k >= maxiter {
        Status::MaxIter
    } else if gnorm.is_nan() || old_fval.is_nan() || xk.iter().any(|v| v.is_nan()) {
        Status::Nan
    } else {
        Status::Success
    };
    Outcome {
        x: xk,
        fun: old_fval,
        status,
        hess_inv: hk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let out = minimize(rosen, &[-1.2, 1.0], 1e-8, 200);
        assert!(
            (out.x[0] - 1.0).abs() < 1e-4 && (out.x[1] - 1.0).abs() < 1e-4,
            "{:?}",
            out.x
        );
        assert!(out.fun < 1e-8);
    }

    #[test]
    fn minimises_a_quadratic() {
        // f = (x − 1)² + 2 (y + 3)² + x y: Hessian [[2, 1], [1, 4]].
        let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 2.0 * (x[1] + 3.0).powi(2) + x[0] * x[1];
        let out = minimize(f, &[0.0, 0.0], 1e-8, 100);
        // Stationary point: 2(x−1) + y = 0, 4(y+3) + x = 0.
        let (x, y) = (20.0 / 7.0, -26.0 / 7.0);
        assert!(
            (out.x[0] - x).abs() < 1e-5 && (out.x[1] - y).abs() < 1e-5,
            "{:?}",
            out.x
        );
        // The inverse Hessian estimate stays symmetric positive definite.
        let h = &out.hess_inv;
        assert!(
            (h[1] - h[2]).abs() < 1e-12 && h[0] > 0.0 && h[0] * h[3] - h[1] * h[2] > 0.0,
            "{h:?}"
        );
    }

    #[test]
    fn nan_start_stops_with_nan_status() {
        let out = minimize(|x: &[f64]| x[0] * x[0], &[f64::NAN], 1e-8, 100);
        assert_eq!(out.status, Status::Nan);
    }

    #[test]
    fn python_semantics_of_the_helpers() {
        assert_eq!(py_min(1.0, f64::NAN), 1.0);
        assert!(py_min(f64::NAN, 1.0).is_nan());
        assert_eq!(py_max(0.0, f64::NAN), 0.0);
        assert_eq!(np_sign(0.0), 0.0);
        assert!(np_sign(f64::NAN).is_nan());
        assert_eq!(np_clip(5.0, 3.0, 1.0), 1.0);
        assert!(np_clip(f64::NAN, 0.0, 1.0).is_nan());
    }
}
