//! Estimation of one ARIMA model with regression terms: a port of
//! statsforecast 2.1.1's `arima()` (R's `stats::arima`), methods `CSS`,
//! `CSS-ML` and `ML`, `transform.pars = TRUE`, `SSinit = "Gardner1980"`,
//! `kappa = 1e6`, scipy's BFGS with `tol = 1e-8` and `maxiter = 100`.
//!
//! The steps are statsforecast's, in its order:
//! 1. regression columns (an intercept when asked for and undifferenced);
//!    with two or more free columns they are rotated by the right singular
//!    vectors of the regression matrix (`xreg @ vt`), and the starting
//!    values are the least-squares coefficients of the differenced series
//!    on the differenced columns;
//! 2. `CSS-ML`: the conditional sum of squares is minimised first and its
//!    minimiser (unless the iteration limit was hit) starts the maximum
//!    likelihood search;
//! 3. the AR parts are reparametrised by [`super::kalman::partrans`] for
//!    the likelihood search, whose objective is the concentrated
//!    `½ log(σ̂²) + ½ Σ log f_t / n` of the Kalman filter;
//! 4. the covariance of the estimates is `Aᵀ H A / n` (`H` the BFGS
//!    inverse Hessian, `A` the Jacobian of the reparametrisation);
//! 5. a last filter run at the estimates gives the residuals, `σ̂²` and the
//!    state from which the forecasts start.

use super::bfgs::{self, Status};
use super::blas;
use super::kalman::{self, Arma, Q0Work, StateSpace, Workspace};
use super::linalg;

/// Estimation method (statsforecast's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Conditional sum of squares only.
    Css,
    /// Conditional sum of squares for the start, then maximum likelihood.
    CssMl,
    /// Maximum likelihood from zero ARMA coefficients.
    Ml,
}

/// Tolerance and iteration limit of every BFGS run (statsforecast's
/// `tol = 1e-8`, `optim_control = {"maxiter": 100}`).
const GTOL: f64 = 1e-8;
const MAXITER: usize = 100;

/// What to fit.
#[derive(Debug, Clone)]
pub(crate) struct Spec<'a> {
    /// The series (finite).
    pub x: &'a [f64],
    /// Orders.
    pub arma: Arma,
    /// Regression columns (each `x.len()` long), in coefficient order,
    /// without the intercept.
    pub xreg: &'a [Vec<f64>],
    /// Names of the regression columns.
    pub xreg_names: &'a [String],
    /// Add an intercept column when the model has no differencing.
    pub include_mean: bool,
    /// Estimation method.
    pub method: Method,
    /// Fixed coefficients (NaN: estimated), `narma + ncxreg` long
    /// including the intercept, or `None` for all free.
    pub fixed: Option<&'a [f64]>,
    /// Restore the diffuse prior at every likelihood evaluation (R's
    /// behaviour) instead of statsforecast's reuse of the filter's
    /// covariance between evaluations.
    pub exact_ml: bool,
}

/// A fitted model (statsforecast's `arima()` result).
#[derive(Debug, Clone)]
pub(crate) struct RawFit {
    pub arma: Arma,
    /// Coefficients: ARMA, then the regression columns (intercept first).
    pub coef: Vec<f64>,
    pub names: Vec<String>,
    /// Which coefficients were estimated.
    pub mask: Vec<bool>,
    /// `σ̂²`: the filter's sum of squares over `nobs` (CSS: the mean
    /// conditional square).
    pub sigma2: f64,
    /// Covariance of the estimated coefficients (`None` when nothing was
    /// estimated), row-major over the estimated ones.
    pub var_coef: Option<Vec<f64>>,
    pub loglik: f64,
    /// NaN for `CSS`.
    pub aic: f64,
    /// Standardised one-step innovations (CSS: conditional residuals, NaN
    /// before the conditioning period).
    pub residuals: Vec<f64>,
    /// Observations used, `n − d − mD`.
    pub nobs: usize,
    /// State-space form with the filter state at the end of the series.
    pub model: StateSpace,
}

/// Why a fit failed where statsforecast raises `ValueError`.
#[derive(Debug, Clone)]
pub(crate) struct FitError(pub String);

/// `diff(x, lag, differences)` of statsforecast: the differenced series,
/// `lag · differences` shorter.
pub(crate) fn diff(x: &[f64], lag: usize, differences: usize) -> Vec<f64> {
    let mut y = x.to_vec();
    for _ in 0..differences {
        let prev = y.clone();
        for t in (0..y.len()).rev() {
            y[t] = if t >= lag { prev[t] - prev[t - lag] } else { f64::NAN };
        }
    }
    let drop = (lag * differences).min(y.len());
    y.split_off(drop)
}

/// Reusable buffers of one model's objective functions.
struct Buffers {
    par: Vec<f64>,
    phi: Vec<f64>,
    theta: Vec<f64>,
    work: Vec<f64>,
    xw: Vec<f64>,
    cw: kalman::CssWork,
    q0: Q0Work,
    ws: Workspace,
    /// The ARMA part alone, for evaluations whose carried covariance is
    /// negligible (see [`StateSpace::carried_covariance_negligible`]).
    fast: kalman::FastWork,
    wdiff: Vec<f64>,
    q0col: Vec<f64>,
    q0work: Vec<f64>,
    /// Whether the likelihood search has evaluated its model once (the
    /// first evaluation starts from the diffuse prior).
    ml_started: bool,
}

impl Buffers {
    fn new(arma: Arma, n: usize, ncoef: usize, rd: usize) -> Self {
        Self {
            par: vec![0.0; ncoef],
            phi: vec![0.0; arma.full_p()],
            theta: vec![0.0; arma.full_q()],
            work: vec![0.0; arma.narma() + arma.p.max(arma.sp)],
            xw: vec![0.0; n],
            cw: kalman::CssWork::new(n, arma.full_p(), arma.full_q()),
            q0: Q0Work::new(arma.r()),
            ws: Workspace::new(rd),
            fast: kalman::FastWork::new(arma.r()),
            wdiff: vec![0.0; n],
            q0col: vec![0.0; arma.r()],
            q0work: Vec::new(),
            ml_started: false,
        }
    }

    /// `par = coef` with the free entries from `p`.
    fn fill(&mut self, coef: &[f64], mask: &[bool], p: &[f64]) {
        let mut it = p.iter();
        for ((dst, c), m) in self.par.iter_mut().zip(coef).zip(mask) {
            *dst = if *m { it.next().copied().unwrap_or(f64::NAN) } else { *c };
        }
    }

    /// `xw = x − xreg · par[narma..]`.
    fn regress(&mut self, x: &[f64], xreg: &[Vec<f64>], narma: usize) {
        if xreg.is_empty() {
            self.xw.copy_from_slice(x);
            return;
        }
        let beta = &self.par[narma..];
        let n = x.len();
        if let [col] = xreg {
            // One column: numpy's product is fma(x, b, 0) = x · b.
            let b = beta[0];
            for ((dst, xv), c) in self.xw.iter_mut().zip(x).zip(col) {
                *dst = xv - c * b;
            }
            return;
        }
        let mut row = [0.0; 8];
        let mut long_row = Vec::new();
        for (t, dst) in self.xw.iter_mut().enumerate() {
            let r: &mut [f64] = if xreg.len() <= row.len() {
                &mut row[..xreg.len()]
            } else {
                long_row.resize(xreg.len(), 0.0);
                &mut long_row
            };
            for (v, col) in r.iter_mut().zip(xreg) {
                *v = col[t];
            }
            *dst = x[t] - blas::gemv_row(r, beta, t, n);
        }
    }

    /// `arma_css_op`: ½ log of the conditional mean square.
    fn css_objective(
        &mut self,
        x: &[f64],
        xreg: &[Vec<f64>],
        arma: Arma,
        coef: &[f64],
        mask: &[bool],
        p: &[f64],
    ) -> f64 {
        self.fill(coef, mask, p);
        kalman::transpar(&self.par, arma, false, &mut self.phi, &mut self.theta, &mut self.work);
        self.regress(x, xreg, arma.narma());
        let res = kalman::css(&self.xw, arma, &self.phi, &self.theta, &mut self.cw);
        if res.is_infinite() {
            return f64::MAX;
        }
        if res <= 0.0 {
            return f64::NEG_INFINITY;
        }
        0.5 * res.ln()
    }

    /// `armafn`: the concentrated Gaussian −loglik / n by the Kalman filter.
    #[allow(clippy::too_many_arguments)]
    fn ml_objective(
        &mut self,
        x: &[f64],
        xreg: &[Vec<f64>],
        arma: Arma,
        coef: &[f64],
        mask: &[bool],
        trans: bool,
        model: &mut StateSpace,
        exact_ml: bool,
        p: &[f64],
    ) -> f64 {
        self.fill(coef, mask, p);
        kalman::transpar(&self.par, arma, trans, &mut self.phi, &mut self.theta, &mut self.work);
        self.regress(x, xreg, arma.narma());
        let r = model.r;
        let long = !kalman::exact(x.len(), arma.m);
        let stationary_start = long && model.delta.is_empty();
        let carried_zero =
            long && !stationary_start && !exact_ml && self.ml_started && model.carried_covariance_negligible();
        let like = if (stationary_start || carried_zero)
            && kalman::q0_first_column(&self.phi, &self.theta, r, &mut self.q0col, &mut self.q0work)
        {
            if stationary_start {
                // The whole covariance is reset at every evaluation: the
                // O(r) recursions from the stationary start.
                kalman::fast_arma_like(&self.xw, &self.phi, &self.q0col, r, &mut self.fast)
            } else {
                // statsforecast's filter with the differenced states known
                // to be zero: the ARMA filter on the zero-padded differences.
                kalman::zero_padded_difference(&self.xw, &model.delta, &mut self.wdiff);
                kalman::fast_arma_like(&self.wdiff, &self.phi, &self.q0col, r, &mut self.fast)
            }
        } else {
            model.update(&self.phi, &self.theta, &mut self.q0, exact_ml);
            kalman::arima_like(&self.xw, model, &self.theta, &mut self.ws, None, long)
        };
        self.ml_started = true;
        if like.nu == 0 {
            return f64::INFINITY;
        }
        let nu = f64::from(like.nu);
        let s2 = like.ssq / nu;
        if s2 <= 0.0 {
            return f64::NAN;
        }
        0.5 * (s2.ln() + like.sumlog / nu)
    }
}

/// Fit one model (statsforecast's `arima()`).
///
/// # Errors
/// [`FitError`] where statsforecast raises: no observation left after
/// differencing, a `fixed` of the wrong length.
#[allow(clippy::too_many_lines)]
pub(crate) fn fit(spec: &Spec<'_>) -> Result<RawFit, FitError> {
    let x = spec.x;
    let n = x.len();
    let arma = spec.arma;
    let narma = arma.narma();
    let delta = arma.delta();
    let nd = arma.d + arma.sd;
    let n_used = n
        .checked_sub(delta.len())
        .filter(|v| *v > 0)
        .ok_or_else(|| FitError("too few non-missing observations".into()))?;
    if arma.r() > kalman::MAX_STATE {
        // AS 154's workspace grows as r⁴ (18 GB for a yearly season of
        // daily data); statsforecast would try to allocate it.
        return Err(FitError(format!(
            "the ARMA state has dimension {} (max(p + mP, q + mQ + 1)), above {}",
            arma.r(),
            kalman::MAX_STATE
        )));
    }

    // Regression columns, intercept first.
    let mut xreg: Vec<Vec<f64>> = Vec::with_capacity(spec.xreg.len() + 1);
    let mut names_x: Vec<String> = Vec::with_capacity(spec.xreg.len() + 1);
    if spec.include_mean && nd == 0 {
        xreg.push(vec![1.0; n]);
        names_x.push("intercept".into());
    }
    xreg.extend(spec.xreg.iter().map(|c| c[..n].to_vec()));
    names_x.extend(spec.xreg_names.iter().cloned());
    let ncxreg = xreg.len();
    let ncoef = narma + ncxreg;

    let fixed: Vec<f64> = match spec.fixed {
        Some(f) if f.len() != ncoef => {
            return Err(FitError(format!("fixed has {} values, the model {ncoef}", f.len())))
        }
        Some(f) => f.to_vec(),
        None => vec![f64::NAN; ncoef],
    };
    let mask: Vec<bool> = fixed.iter().map(|v| v.is_nan()).collect();
    let no_optim = !mask.iter().any(|m| *m);
    let mut transform = !no_optim;
    if transform {
        let ar_fixed = (0..arma.p).any(|i| !mask[i]) || (0..arma.sp).any(|i| !mask[arma.p + arma.q + i]);
        if ar_fixed {
            transform = false;
        }
    }

    let mut init = vec![0.0; narma];
    let mut rotation: Option<Vec<Vec<f64>>> = None;
    let orig_xreg = ncxreg <= 1 || mask[narma..].iter().any(|m| !*m);
    let mut xreg_used = xreg.clone();
    if ncxreg > 0 {
        if !orig_xreg {
            // statsforecast: `_, _, vt = svd(xreg); xreg = xreg @ vt`.
            let dec = linalg::svd(&xreg);
            // Row i of vt is the i-th right singular vector.
            let vt = dec.v;
            // Column j of xreg @ vt is Σ_i xreg[:, i] vt[i, j].
            xreg_used = (0..ncxreg)
                .map(|j| {
                    (0..n)
                        .map(|t| (0..ncxreg).fold(0.0, |s, i| s + xreg[i][t] * vt[i][j]))
                        .collect()
                })
                .collect();
            rotation = Some(vt);
        }
        let mut dx = x.to_vec();
        let mut dxreg = xreg_used.clone();
        if arma.d > 0 {
            dx = diff(&dx, 1, arma.d);
            dxreg = dxreg.iter().map(|c| diff(c, 1, arma.d)).collect();
        }
        if arma.m > 1 && arma.sd > 0 {
            dx = diff(&dx, arma.m, arma.sd);
            dxreg = dxreg.iter().map(|c| diff(c, arma.m, arma.sd)).collect();
        }
        let beta = if dx.is_empty() {
            vec![0.0; ncxreg]
        } else {
            linalg::ols(&dx, &dxreg).0
        };
        init.extend(beta);
    }
    let mut coef = fixed.clone();
    let free = |v: &[f64]| -> Vec<f64> { v.iter().zip(&mask).filter(|(_, m)| **m).map(|(a, _)| *a).collect() };
    let set_free = |dst: &mut Vec<f64>, p: &[f64]| {
        let mut it = p.iter();
        for (d, m) in dst.iter_mut().zip(&mask) {
            if *m {
                *d = it.next().copied().unwrap_or(f64::NAN);
            }
        }
    };

    let mut buf = Buffers::new(arma, n, ncoef, arma.r() + delta.len());

    let nobs = n_used as f64;
    // The objective at the estimates, the covariance of the estimated
    // coefficients, the residuals, σ̂² and the state-space form.
    let (fun, var_coef, residuals, sigma2, model) = if spec.method == Method::Css {
        let out = if no_optim {
            None
        } else {
            Some(bfgs::minimize(
                |p| buf.css_objective(x, &xreg_used, arma, &coef, &mask, p),
                &free(&init),
                GTOL,
                MAXITER,
            ))
        };
        set_free(&mut coef, out.as_ref().map_or(&[][..], |o| &o.x));
        buf.par.copy_from_slice(&coef);
        kalman::transpar(&coef, arma, false, &mut buf.phi, &mut buf.theta, &mut buf.work);
        let model = StateSpace::new(&buf.phi, &buf.theta, &delta, &mut buf.q0);
        buf.regress(x, &xreg_used, narma);
        let sigma2 = kalman::css(&buf.xw, arma, &buf.phi, &buf.theta, &mut buf.cw);
        let var = out
            .as_ref()
            .map(|o| o.hess_inv.iter().map(|v| v / nobs).collect::<Vec<f64>>());
        let fun = out.as_ref().map_or(0.0, |o| o.fun);
        (fun, var, buf.cw.resid[..n].to_vec(), sigma2, model)
    } else {
        let mut init = init;
        if spec.method == Method::CssMl && !no_optim {
            let out = bfgs::minimize(
                |p| buf.css_objective(x, &xreg_used, arma, &coef, &mask, p),
                &free(&init),
                GTOL,
                MAXITER,
            );
            // statsforecast keeps the CSS estimates unless the iteration
            // limit was hit (R: unless BFGS did not converge).
            if out.status != Status::MaxIter {
                set_free(&mut init, &out.x);
            }
        }
        if transform {
            init = kalman::invtrans(&init, arma);
        }
        kalman::transpar(&init, arma, transform, &mut buf.phi, &mut buf.theta, &mut buf.work);
        let mut mod_ml = StateSpace::new(&buf.phi, &buf.theta, &delta, &mut buf.q0);
        buf.ml_started = false;
        let exact = spec.exact_ml;
        let (px, fun, hess) = if no_optim {
            let f = buf.ml_objective(x, &xreg_used, arma, &coef, &mask, transform, &mut mod_ml, exact, &[]);
            (Vec::new(), f, Vec::new())
        } else {
            let out = bfgs::minimize(
                |p| buf.ml_objective(x, &xreg_used, arma, &coef, &mask, transform, &mut mod_ml, exact, p),
                &free(&init),
                GTOL,
                MAXITER,
            );
            (out.x, out.fun, out.hess_inv)
        };
        set_free(&mut coef, &px);
        let var = if no_optim {
            None
        } else if transform {
            // var = Aᵀ H A / n, A the Jacobian of the reparametrisation.
            let k = px.len();
            let a_full = kalman::gradtrans(&coef, arma);
            let idx: Vec<usize> = (0..ncoef).filter(|i| mask[*i]).collect();
            let a: Vec<f64> = idx
                .iter()
                .flat_map(|&i| idx.iter().map(move |&j| i * ncoef + j))
                .map(|ij| a_full[ij])
                .collect();
            let sol: Vec<f64> = (0..k * k)
                .map(|ij| (0..k).map(|l| hess[(ij / k) * k + l] * a[l * k + ij % k]).sum::<f64>() / nobs)
                .collect();
            coef = kalman::undopars(&coef, arma);
            Some(
                (0..k * k)
                    .map(|ij| (0..k).map(|l| a[l * k + ij / k] * sol[l * k + ij % k]).sum())
                    .collect(),
            )
        } else {
            Some(hess.iter().map(|v| v / nobs).collect())
        };
        kalman::transpar(&coef, arma, false, &mut buf.phi, &mut buf.theta, &mut buf.work);
        let mut model = StateSpace::new(&buf.phi, &buf.theta, &delta, &mut buf.q0);
        buf.par.copy_from_slice(&coef);
        buf.regress(x, &xreg_used, narma);
        let mut resid = vec![0.0; n];
        let theta_padded = model.theta.clone();
        let long = !kalman::exact(n, arma.m);
        let like = kalman::arima_like(&buf.xw, &mut model, &theta_padded, &mut buf.ws, Some(&mut resid), long);
        let fun = if px.iter().any(|v| v.is_nan()) { f64::NAN } else { fun };
        (fun, var, resid, like.ssq / nobs, model)
    };

    let value = 2.0 * nobs * fun + nobs + nobs * (2.0 * std::f64::consts::PI).ln();
    let nfree = mask.iter().filter(|m| **m).count();
    let aic = if spec.method == Method::Css {
        f64::NAN
    } else {
        value + 2.0 * (nfree as f64 + 1.0)
    };

    let mut var_coef = var_coef;
    if let (Some(vt), Some(var)) = (rotation.as_ref(), var_coef.as_mut()) {
        // coef[ind] = vt @ coef[ind]; var = A var Aᵀ with A = I, A[ind, ind] = vt.
        let b: Vec<f64> = coef[narma..].to_vec();
        for i in 0..ncxreg {
            coef[narma + i] = (0..ncxreg).fold(0.0, |s, j| s + vt[i][j] * b[j]);
        }
        let mut amat = vec![0.0; ncoef * ncoef];
        for i in 0..ncoef {
            amat[i * ncoef + i] = 1.0;
        }
        for i in 0..ncxreg {
            for j in 0..ncxreg {
                amat[(narma + i) * ncoef + narma + j] = vt[i][j];
            }
        }
        let idx: Vec<usize> = (0..ncoef).filter(|i| mask[*i]).collect();
        let am: Vec<f64> = idx
            .iter()
            .flat_map(|&i| idx.iter().map(move |&j| (i, j)))
            .map(|(i, j)| amat[i * ncoef + j])
            .collect();
        let k = idx.len();
        let mut tmp = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                tmp[i * k + j] = (0..k).map(|l| am[i * k + l] * var[l * k + j]).sum();
            }
        }
        for i in 0..k {
            for j in 0..k {
                var[i * k + j] = (0..k).map(|l| tmp[i * k + l] * am[j * k + l]).sum();
            }
        }
    }

    let mut names: Vec<String> = Vec::with_capacity(ncoef);
    names.extend((1..=arma.p).map(|i| format!("ar{i}")));
    names.extend((1..=arma.q).map(|i| format!("ma{i}")));
    names.extend((1..=arma.sp).map(|i| format!("sar{i}")));
    names.extend((1..=arma.sq).map(|i| format!("sma{i}")));
    names.extend(names_x);

    Ok(RawFit {
        arma,
        coef,
        names,
        mask,
        sigma2,
        var_coef,
        loglik: -0.5 * value,
        aic,
        residuals,
        nobs: n_used,
        model,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_drops_lag_times_differences_values() {
        let x = [1.0, 4.0, 9.0, 16.0, 25.0];
        assert_eq!(diff(&x, 1, 1), vec![3.0, 5.0, 7.0, 9.0]);
        assert_eq!(diff(&x, 1, 2), vec![2.0, 2.0, 2.0]);
        assert_eq!(diff(&x, 2, 1), vec![8.0, 12.0, 16.0]);
        assert!(diff(&x, 3, 2).is_empty());
    }

    #[test]
    fn an_oversized_state_is_refused_before_allocating() {
        // A seasonal AR term with a yearly season of daily data: r = 366.
        let x: Vec<f64> = (0..1200).map(|t| f64::from(t % 17)).collect();
        let spec = Spec {
            x: &x,
            arma: Arma {
                p: 1,
                q: 0,
                sp: 1,
                sq: 0,
                m: 365,
                d: 0,
                sd: 0,
            },
            xreg: &[],
            xreg_names: &[],
            include_mean: true,
            method: Method::CssMl,
            fixed: None,
            exact_ml: false,
        };
        match fit(&spec) {
            Err(e) => assert!(e.0.contains("dimension 366"), "{}", e.0),
            Ok(_) => panic!("a 366-dimensional state was fitted"),
        }
    }

    #[test]
    fn fixed_coefficients_are_kept() {
        let x: Vec<f64> = (0..60).map(|t| 10.0 + f64::from(t % 5)).collect();
        let spec = Spec {
            x: &x,
            arma: Arma {
                p: 1,
                q: 0,
                sp: 0,
                sq: 0,
                m: 1,
                d: 0,
                sd: 0,
            },
            xreg: &[],
            xreg_names: &[],
            include_mean: true,
            method: Method::CssMl,
            fixed: Some(&[f64::NAN, 12.0]),
            exact_ml: false,
        };
        let f = fit(&spec).unwrap();
        assert_eq!(f.coef[1].to_bits(), 12.0_f64.to_bits());
        assert_eq!(f.mask, vec![true, false]);
        assert_eq!(f.names, vec!["ar1", "intercept"]);
    }
}
