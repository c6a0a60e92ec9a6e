//! Model selection: statsforecast 2.1.1's `Arima`, `myarima`,
//! `search_arima` and `auto_arima_f`, ports of R's `forecast::Arima` and
//! `forecast::auto.arima` (Hyndman & Khandakar, *Automatic time series
//! forecasting: the forecast package for R*, J. Statistical Software 27(3),
//! 2008, §3.2: the stepwise algorithm).
//!
//! The quirks of statsforecast that change which model is chosen are kept,
//! so that the choice is statsforecast's:
//! - a candidate's information criterion is infinite when an AR or MA root
//!   lies within 1.01 of the unit circle, but only roots of a polynomial of
//!   degree at least 2 are checked (statsforecast's `last_nonzero > 0`
//!   test; R checks degree 1 too);
//! - the stationarity checks after the CSS step (`arCheck`) and the MA
//!   inversion (`maInvert`) are no-ops in statsforecast (they look for the
//!   first rather than the last non-zero coefficient) and are left out;
//! - `ndiffs` drops one extra value after each difference.

use super::estimate::{self, diff, FitError, Method, RawFit};
use super::kalman::Arma;
use super::linalg;
use super::unitroot::{is_constant, ndiffs, nsdiffs};

/// Information criterion of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum InformationCriterion {
    /// Akaike's, `−2 log L + 2k`.
    Aic,
    /// Akaike's corrected for small samples, `AIC + 2k(k + 1)/(n − k − 1)`
    /// (the default, as R and statsforecast).
    #[default]
    Aicc,
    /// Schwarz's Bayesian, `AIC + k(log n − 2)`.
    Bic,
}

/// A fitted model in statsforecast's sense (the dictionary `Arima` and
/// `myarima` return).
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub raw: RawFit,
    /// The first regression column after the intercept is a drift
    /// (`1, 2, …, n`).
    pub drift: bool,
    /// Number of user regressors (after the drift).
    pub n_user: usize,
    /// `Σ e_t² / (n* − k + 1)` over the standardised residuals.
    pub sigma2: f64,
    pub aic: f64,
    pub aicc: f64,
    pub bic: f64,
    /// The criterion of the search (infinite for a rejected candidate).
    pub ic: f64,
    /// Fitted to a constant series: forecasts repeat the first value.
    pub constant: bool,
}

/// One candidate of the search, for [`super::FittedAutoArima::candidates`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// `(p, d, q)`.
    pub order: (usize, usize, usize),
    /// `(P, D, Q)`.
    pub seasonal_order: (usize, usize, usize),
    /// With an intercept (undifferenced) or drift (one difference).
    pub constant: bool,
    /// The criterion; infinite when the fit failed or was rejected.
    pub ic: f64,
    /// Fitted by conditional sum of squares (the approximation).
    pub approximated: bool,
}

fn user_names(k: usize) -> Vec<String> {
    (1..=k).map(|i| format!("ex_{i}")).collect()
}

fn drift_column(n: usize) -> Vec<f64> {
    (1..=n).map(|t| t as f64).collect()
}

/// Options of [`arima`] (statsforecast's `Arima()` arguments).
#[derive(Debug, Clone)]
pub(crate) struct ArimaCall<'a> {
    pub x: &'a [f64],
    pub arma: Arma,
    pub xreg: &'a [Vec<f64>],
    pub include_mean: bool,
    pub include_drift: bool,
    pub include_constant: Option<bool>,
    pub method: Method,
    pub fixed: Option<Vec<f64>>,
    pub exact_ml: bool,
}

/// statsforecast's `Arima()`: one model of fixed order, with drift when
/// asked and the model has one difference.
pub(crate) fn arima(call: &ArimaCall<'_>) -> Result<Model, FitError> {
    let arma = call.arma;
    let n = call.x.len();
    if n <= arma.d || n <= arma.d + arma.sd * arma.m {
        return Err(FitError("not enough data to fit the model".into()));
    }
    let (mut include_mean, mut include_drift) = (call.include_mean, call.include_drift);
    if let Some(c) = call.include_constant {
        if c {
            include_mean = true;
            if arma.d + arma.sd == 1 {
                include_drift = true;
            }
        } else {
            include_mean = false;
            include_drift = false;
        }
    }
    if arma.d + arma.sd > 1 {
        include_drift = false;
    }
    let mut xreg = Vec::with_capacity(call.xreg.len() + 1);
    let mut names = Vec::with_capacity(call.xreg.len() + 1);
    if include_drift {
        xreg.push(drift_column(n));
        names.push("drift".to_string());
    }
    xreg.extend(call.xreg.iter().map(|c| c[..n].to_vec()));
    names.extend(user_names(call.xreg.len()));
    let raw = estimate::fit(&estimate::Spec {
        x: call.x,
        arma,
        xreg: &xreg,
        xreg_names: &names,
        include_mean,
        method: call.method,
        fixed: call.fixed.as_deref(),
        exact_ml: call.exact_ml,
    })?;
    let npar = raw.mask.iter().filter(|m| **m).count() as f64 + 1.0;
    let nonmissing = raw.residuals.iter().filter(|v| !v.is_nan()).count();
    let nstar = nonmissing as f64 - arma.d as f64 - (arma.sd * arma.m) as f64;
    let aic = raw.aic;
    let aicc = aic + 2.0 * npar * (nstar / (nstar - npar - 1.0) - 1.0);
    let bic = aic + npar * (nstar.ln() - 2.0);
    let sigma2 = nansum_sq(&raw.residuals) / (nstar - npar + 1.0);
    Ok(Model {
        raw,
        drift: include_drift,
        n_user: call.xreg.len(),
        sigma2,
        aic,
        aicc,
        bic,
        ic: f64::NAN,
        constant: false,
    })
}

fn nansum_sq(x: &[f64]) -> f64 {
    x.iter().filter(|v| !v.is_nan()).map(|v| v * v).sum()
}

/// Context shared by the candidates of one search.
pub(crate) struct Search<'a> {
    pub x: &'a [f64],
    pub xreg: &'a [Vec<f64>],
    pub ic: InformationCriterion,
    pub offset: f64,
    pub method: Option<Method>,
    pub exact_ml: bool,
    pub trace: Vec<Candidate>,
}

impl Search<'_> {
    /// statsforecast's `myarima`: fit one candidate and compute its
    /// criterion; `None` when the fit raised (criterion infinite).
    fn myarima(
        &mut self,
        order: [usize; 3],
        seasonal: [usize; 3],
        m: usize,
        constant: bool,
        approximation: bool,
    ) -> Option<Model> {
        let fit = self.try_myarima(order, seasonal, m, constant, approximation);
        self.trace.push(Candidate {
            order: (order[0], order[1], order[2]),
            seasonal_order: (seasonal[0], seasonal[1], seasonal[2]),
            constant,
            ic: fit.as_ref().map_or(f64::INFINITY, |f| f.ic),
            approximated: approximation,
        });
        fit
    }

    fn try_myarima(
        &self,
        order: [usize; 3],
        seasonal: [usize; 3],
        m: usize,
        constant: bool,
        approximation: bool,
    ) -> Option<Model> {
        let x = self.x;
        let n = x.len();
        let arma = Arma {
            p: order[0],
            q: order[2],
            sp: seasonal[0],
            sq: seasonal[2],
            m,
            d: order[1],
            sd: seasonal[1],
        };
        let diffs = order[1] + seasonal[1];
        let method = self
            .method
            .unwrap_or(if approximation { Method::Css } else { Method::CssMl });
        let drift = diffs == 1 && constant;
        let mut xreg = Vec::with_capacity(self.xreg.len() + 1);
        let mut names = Vec::with_capacity(self.xreg.len() + 1);
        if drift {
            xreg.push(drift_column(n));
            names.push("drift".to_string());
        }
        xreg.extend(self.xreg.iter().map(|c| c[..n].to_vec()));
        names.extend(user_names(self.xreg.len()));
        let raw = estimate::fit(&estimate::Spec {
            x,
            arma,
            xreg: &xreg,
            xreg_names: &names,
            include_mean: if drift { true } else { constant },
            method,
            fixed: None,
            exact_ml: self.exact_ml,
        })
        .ok()?;
        let nstar = n as f64 - arma.d as f64 - (arma.sd * m) as f64;
        if nstar <= 0.0 {
            // math.log(nstar) raises in statsforecast.
            return None;
        }
        let npar = raw.mask.iter().filter(|v| **v).count() as f64 + 1.0;
        let mut aic = raw.aic;
        if method == Method::Css {
            aic = if raw.sigma2 <= 0.0 {
                f64::NEG_INFINITY
            } else {
                self.offset + nstar * raw.sigma2.ln() + 2.0 * npar
            };
        }
        let (mut ic, bic, aicc);
        if aic.is_nan() {
            ic = f64::INFINITY;
            aic = f64::INFINITY;
            bic = f64::INFINITY;
            aicc = f64::INFINITY;
        } else {
            bic = aic + npar * (nstar.ln() - 2.0);
            let den = nstar - npar - 1.0;
            aicc = if den == 0.0 {
                f64::INFINITY
            } else {
                aic + 2.0 * npar * (npar + 1.0) / den
            };
            ic = match self.ic {
                InformationCriterion::Aic => aic,
                InformationCriterion::Aicc => aicc,
                InformationCriterion::Bic => bic,
            };
        }
        let sigma2 = nansum_sq(&raw.residuals) / (nstar - npar + 1.0);
        if order[0] + seasonal[0] > 0 && !roots_ok(&raw.model.phi, false) {
            ic = f64::INFINITY;
        }
        if order[2] + seasonal[2] > 0 && ic < f64::INFINITY && !roots_ok(&raw.model.theta, true) {
            ic = f64::INFINITY;
        }
        if let Some(var) = &raw.var_coef {
            // statsforecast's `checkarima`: a NaN standard error.
            let k = raw.mask.iter().filter(|v| **v).count();
            if (0..k).any(|i| var[i * k + i].sqrt().is_nan()) {
                ic = f64::INFINITY;
            }
        }
        Some(Model {
            raw,
            drift,
            n_user: self.xreg.len(),
            sigma2,
            aic,
            aicc,
            bic,
            ic,
            constant: false,
        })
    }
}

/// statsforecast's root check of `myarima`: the polynomial `1 − Σ φ_i z^i`
/// (`ma`: `1 + Σ θ_i z^i`) truncated after its last coefficient above 1e-8
/// in modulus has no root within 1.01 — checked only when that
/// coefficient is not the first.
fn roots_ok(coefs: &[f64], ma: bool) -> bool {
    let Some(last) = coefs.iter().rposition(|v| v.abs() > 1e-8) else {
        return true;
    };
    if last == 0 {
        return true;
    }
    let c: Vec<f64> = coefs[..=last].iter().map(|v| if ma { -v } else { *v }).collect();
    linalg::roots_outside(&c, 1.01)
}

/// Options of the automatic search (statsforecast's `auto_arima_f`
/// arguments).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub(crate) struct AutoOptions {
    pub d: Option<usize>,
    pub sd: Option<usize>,
    pub max_p: usize,
    pub max_q: usize,
    pub max_sp: usize,
    pub max_sq: usize,
    pub max_order: usize,
    pub max_d: usize,
    pub max_sd: usize,
    pub start_p: usize,
    pub start_q: usize,
    pub start_sp: usize,
    pub start_sq: usize,
    pub stationary: bool,
    pub seasonal: bool,
    pub ic: InformationCriterion,
    pub stepwise: bool,
    pub nmodels: usize,
    pub approximation: Option<bool>,
    pub method: Option<Method>,
    pub allow_drift: bool,
    pub allow_mean: bool,
    pub period: usize,
    pub exact_ml: bool,
}

/// Why the search failed.
#[derive(Debug, Clone)]
pub(crate) enum AutoError {
    /// Too few observations: differencing leaves none (the count needed).
    TooShort(usize),
    /// The regressors are rank deficient.
    Regressors(String),
    /// No model could be fitted.
    NoModel(String),
}

/// The chosen model and every candidate tried.
pub(crate) struct AutoResult {
    pub model: Model,
    pub trace: Vec<Candidate>,
    pub approximation: bool,
}

/// statsforecast's `auto_arima_f` on a finite series `x` with user
/// regressors `xreg` (columns of `x.len()` rows).
#[allow(clippy::too_many_lines, clippy::many_single_char_names, clippy::similar_names)]
pub(crate) fn auto_arima(x: &[f64], xreg: &[Vec<f64>], opt: &AutoOptions) -> Result<AutoResult, AutoError> {
    let series_len = x.len();
    let approximation = opt.approximation.unwrap_or(series_len > 150 || opt.period > 12);
    let mut m = if opt.seasonal { opt.period } else { 1 };
    let no_model = |e: FitError| AutoError::NoModel(e.0);
    if is_constant(x) {
        let mean = x.iter().sum::<f64>() / x.len().max(1) as f64;
        let call = ArimaCall {
            x,
            arma: Arma {
                p: 0,
                q: 0,
                sp: 0,
                sq: 0,
                m,
                d: 0,
                sd: 0,
            },
            xreg: &[],
            include_mean: opt.allow_mean,
            include_drift: false,
            include_constant: None,
            method: Method::Css,
            fixed: opt.allow_mean.then(|| vec![mean]),
            exact_ml: opt.exact_ml,
        };
        let mut model = arima(&call).map_err(no_model)?;
        model.constant = true;
        return Ok(AutoResult {
            model,
            trace: Vec::new(),
            approximation: false,
        });
    }
    m = m.max(1);
    let mut max_p = opt.max_p.min(series_len / 3);
    let mut max_q = opt.max_q.min(series_len / 3);
    let mut max_sp = opt.max_sp.min(series_len / 3 / m);
    let mut max_sq = opt.max_sq.min(series_len / 3 / m);
    let ic = if series_len <= 3 {
        InformationCriterion::Aic
    } else {
        opt.ic
    };

    // Regressors: residuals of the regression on them for the unit-root tests.
    let xregg: Option<Vec<Vec<f64>>> = if xreg.is_empty() {
        None
    } else {
        let kept: Vec<Vec<f64>> = xreg.iter().filter(|c| !is_constant(c)).cloned().collect();
        if kept.is_empty() {
            None
        } else {
            Some(kept)
        }
    };
    let xx: Vec<f64> = match &xregg {
        None => x.to_vec(),
        Some(cols) => {
            let mut design = vec![vec![1.0; series_len]];
            design.extend(cols.iter().cloned());
            let sv = linalg::svd(&design).s;
            let smin = sv.iter().copied().fold(f64::INFINITY, f64::min);
            let ssum: f64 = sv.iter().sum();
            if smin / ssum < f64::EPSILON {
                return Err(AutoError::Regressors("the regressors are rank deficient".into()));
            }
            linalg::ols(x, &design).1
        }
    };
    let (mut d, mut sd) = (opt.d, opt.sd);
    if opt.stationary {
        d = Some(0);
        sd = Some(0);
    }
    let sd = if m == 1 {
        max_sp = 0;
        max_sq = 0;
        0
    } else if let Some(v) = sd {
        v
    } else if xx.len() <= 2 * m {
        0
    } else {
        let mut v = nsdiffs(&xx, m, opt.max_sd);
        if v > 0 && diff(&xx, m, v).is_empty() {
            v -= 1;
        }
        v
    };
    let dx = if sd > 0 { diff(&xx, m, sd) } else { xx.clone() };
    let d = if let Some(v) = d {
        v
    } else {
        {
            let mut v = ndiffs(&dx, 0.05, opt.max_d);
            if v > 0 {
                if let Some(cols) = &xregg {
                    let any_const = cols.iter().any(|c| {
                        let c = if sd > 0 { diff(c, m, sd) } else { c.clone() };
                        is_constant(&diff(&c, 1, v))
                    });
                    if any_const {
                        v -= 1;
                    }
                }
            }
            if v > 0 && diff(&dx, 1, v).is_empty() {
                v -= 1;
            }
            v
        }
    };
    let dx = if d > 0 { diff(&dx, 1, d) } else { dx };
    if dx.is_empty() {
        return Err(AutoError::TooShort(d + sd * m + 1));
    }
    if is_constant(&dx) {
        let arma = |sd_: usize| Arma {
            p: 0,
            q: 0,
            sp: 0,
            sq: 0,
            m,
            d,
            sd: sd_,
        };
        let mut call = ArimaCall {
            x,
            arma: arma(0),
            xreg,
            include_mean: true,
            include_drift: false,
            include_constant: None,
            method: opt.method.unwrap_or(Method::Ml),
            fixed: None,
            exact_ml: opt.exact_ml,
        };
        if xreg.is_empty() {
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            if sd > 0 && d == 0 {
                call.arma = arma(sd);
                call.include_constant = Some(true);
                let scaled: Vec<f64> = dx.iter().map(|v| v / m as f64).collect();
                call.fixed = Some(vec![mean(&scaled)]);
            } else if sd > 0 && d > 0 {
                call.arma = arma(sd);
            } else if d == 2 {
            } else if d < 2 {
                call.include_constant = Some(true);
                call.fixed = Some(vec![mean(&dx)]);
            } else {
                return Err(AutoError::NoModel(
                    "the data follow a polynomial trend and are not suitable for ARIMA modelling".into(),
                ));
            }
        } else if sd > 0 {
            call.arma = arma(sd);
        }
        let model = arima(&call).map_err(no_model)?;
        return Ok(AutoResult {
            model,
            trace: Vec::new(),
            approximation: false,
        });
    }
    if m > 1 {
        if max_p > 0 {
            max_p = max_p.min(m - 1);
        }
        if max_q > 0 {
            max_q = max_q.min(m - 1);
        }
    }
    let offset = if approximation {
        // statsforecast calls `arima()` (method CSS, with a mean) directly;
        // an exception (log of a non-positive variance) gives 0.
        match estimate::fit(&estimate::Spec {
            x,
            arma: Arma {
                p: 0,
                q: 0,
                sp: 0,
                sq: 0,
                m,
                d,
                sd,
            },
            xreg,
            xreg_names: &user_names(xreg.len()),
            include_mean: true,
            method: Method::Css,
            fixed: None,
            exact_ml: opt.exact_ml,
        }) {
            Ok(f) if f.sigma2 > 0.0 || f.sigma2.is_nan() => -2.0 * f.loglik - series_len as f64 * f.sigma2.ln(),
            _ => 0.0,
        }
    } else {
        0.0
    };
    let allow_drift = opt.allow_drift && d + sd == 1;
    let allow_mean = opt.allow_mean && d + sd == 0;
    let mut constant = allow_drift || allow_mean;
    let mut search = Search {
        x,
        xreg,
        ic,
        offset,
        method: opt.method,
        exact_ml: opt.exact_ml,
        trace: Vec::new(),
    };
    if !opt.stepwise {
        let best = search_arima(
            &mut search,
            &Grid {
                d,
                sd,
                max_p,
                max_q,
                max_sp,
                max_sq,
                max_order: opt.max_order,
                allow_drift,
                allow_mean,
                m,
            },
            approximation,
        )?;
        return Ok(AutoResult {
            model: best,
            trace: search.trace,
            approximation,
        });
    }
    let (mut start_p, mut start_q, mut start_sp, mut start_sq) = (opt.start_p, opt.start_q, opt.start_sp, opt.start_sq);
    if x.len() < 10 {
        start_p = start_p.min(1);
        start_q = start_q.min(1);
        start_sp = 0;
        start_sq = 0;
    }
    let mut p = start_p.min(max_p);
    let mut q = start_q.min(max_q);
    let mut sp = start_sp.min(max_sp);
    let mut sq = start_sq.min(max_sq);
    let nmodels = opt.nmodels;
    // statsforecast's `results` table: orders, constant and criterion of
    // every candidate (d and D are fixed during the search).
    let mut results: Vec<Row> = Vec::with_capacity(nmodels);
    let row = |p: usize, q: usize, sp: usize, sq: usize, constant: bool, ic: f64| Row {
        p,
        q,
        sp,
        sq,
        constant,
        ic,
    };
    let ic_of = |f: &Option<Model>| f.as_ref().map_or(f64::INFINITY, |m| m.ic);

    let mut best = search.myarima([p, d, q], [sp, sd, sq], m, constant, approximation);
    results.push(row(p, q, sp, sq, constant, ic_of(&best)));
    let fit = search.myarima([0, d, 0], [0, sd, 0], m, constant, approximation);
    results.push(row(0, 0, 0, 0, constant, ic_of(&fit)));
    if ic_of(&fit) < ic_of(&best) {
        best = fit;
        p = 0;
        q = 0;
        sp = 0;
        sq = 0;
    }
    if max_p > 0 || max_sp > 0 {
        let p_ = usize::from(max_p > 0);
        let sp_ = usize::from(m > 1 && max_sp > 0);
        let fit = search.myarima([p_, d, 0], [sp_, sd, 0], m, constant, approximation);
        results.push(row(p_, 0, sp_, 0, constant, ic_of(&fit)));
        if ic_of(&fit) < ic_of(&best) {
            best = fit;
            p = p_;
            sp = sp_;
            q = 0;
            sq = 0;
        }
    }
    if max_q > 0 || max_sq > 0 {
        let q_ = usize::from(max_q > 0);
        let sq_ = usize::from(m > 1 && max_sq > 0);
        let fit = search.myarima([0, d, q_], [0, sd, sq_], m, constant, approximation);
        results.push(row(0, q_, 0, sq_, constant, ic_of(&fit)));
        if ic_of(&fit) < ic_of(&best) {
            best = fit;
            p = 0;
            sp = 0;
            sq = sq_;
            q = q_;
        }
    }
    if constant {
        let fit = search.myarima([0, d, 0], [0, sd, 0], m, false, approximation);
        results.push(row(0, 0, 0, 0, false, ic_of(&fit)));
        if ic_of(&fit) < ic_of(&best) {
            best = fit;
            p = 0;
            q = 0;
            sp = 0;
            sq = 0;
        }
    }
    let newmodel = |results: &[Row], p: usize, q: usize, sp: usize, sq: usize, c: bool| {
        !results
            .iter()
            .any(|x| (x.p, x.q, x.sp, x.sq, x.constant) == (p, q, sp, sq, c))
    };
    let mut startk = 0;
    while startk < results.len() && results.len() < nmodels {
        startk = results.len();
        // The neighbours in statsforecast's order: (Δp, Δq, ΔP, ΔQ, flip constant).
        let moves: [(i64, i64, i64, i64, bool); 17] = [
            (0, 0, -1, 0, false),
            (0, 0, 0, -1, false),
            (0, 0, 1, 0, false),
            (0, 0, 0, 1, false),
            (0, 0, -1, -1, false),
            (0, 0, -1, 1, false),
            (0, 0, 1, -1, false),
            (0, 0, 1, 1, false),
            (-1, 0, 0, 0, false),
            (0, -1, 0, 0, false),
            (1, 0, 0, 0, false),
            (0, 1, 0, 0, false),
            (-1, -1, 0, 0, false),
            (-1, 1, 0, 0, false),
            (1, -1, 0, 0, false),
            (1, 1, 0, 0, false),
            (0, 0, 0, 0, true),
        ];
        for (dp, dq, dsp, dsq, flip) in moves {
            let shift = |v: usize, dv: i64, max: usize| -> Option<usize> {
                let w = i64::try_from(v).ok()? + dv;
                let w = usize::try_from(w).ok()?;
                (w <= max).then_some(w)
            };
            let (Some(np), Some(nq), Some(nsp), Some(nsq)) = (
                shift(p, dp, max_p),
                shift(q, dq, max_q),
                shift(sp, dsp, max_sp),
                shift(sq, dsq, max_sq),
            ) else {
                continue;
            };
            let nc = if flip {
                if !(allow_drift || allow_mean) {
                    continue;
                }
                !constant
            } else {
                constant
            };
            if !newmodel(&results, np, nq, nsp, nsq, nc) {
                continue;
            }
            // try_params: nothing is fitted once the table is full.
            if results.len() >= nmodels {
                continue;
            }
            let fit = search.myarima([np, d, nq], [nsp, sd, nsq], m, nc, approximation);
            results.push(row(np, nq, nsp, nsq, nc, ic_of(&fit)));
            if ic_of(&fit) < ic_of(&best) {
                best = fit;
                p = np;
                q = nq;
                sp = nsp;
                sq = nsq;
                constant = nc;
                break;
            }
        }
    }
    let mut best_ic = ic_of(&best);
    if approximation && best.is_some() {
        // Refit the candidates without approximation, best first; a CSS fit
        // is never returned (its filter state is not set, statsforecast
        // would forecast from a zero state).
        let mut order: Vec<usize> = (0..results.len()).collect();
        order.sort_by(|a, b| results[*a].ic.total_cmp(&results[*b].ic));
        best = None;
        best_ic = f64::INFINITY;
        for k in order {
            let r = results[k];
            let fit = search.myarima([r.p, d, r.q], [r.sp, sd, r.sq], m, r.constant, false);
            if ic_of(&fit) < f64::INFINITY {
                best_ic = ic_of(&fit);
                best = fit;
                break;
            }
        }
    }
    match best {
        Some(model) if !(best_ic.is_infinite() && opt.method != Some(Method::Css)) => Ok(AutoResult {
            model,
            trace: search.trace,
            approximation,
        }),
        _ => Err(AutoError::NoModel("no suitable ARIMA model found".into())),
    }
}

/// A row of the stepwise search's table.
#[derive(Debug, Clone, Copy)]
struct Row {
    p: usize,
    q: usize,
    sp: usize,
    sq: usize,
    constant: bool,
    ic: f64,
}

/// The grid of the exhaustive search.
#[derive(Debug, Clone, Copy)]
struct Grid {
    d: usize,
    sd: usize,
    max_p: usize,
    max_q: usize,
    max_sp: usize,
    max_sq: usize,
    max_order: usize,
    allow_drift: bool,
    allow_mean: bool,
    m: usize,
}

/// statsforecast's `search_arima`: every model with `p + q + P + Q ≤
/// max_order`; with the approximation, the best is refitted by `CSS-ML`
/// and, if that fails, the search is repeated without approximation (with
/// season length 1, as statsforecast's recursive call, which does not pass
/// the period on).
fn search_arima(search: &mut Search<'_>, g: &Grid, approximation: bool) -> Result<Model, AutoError> {
    let allow_drift = g.allow_drift && g.d + g.sd == 1;
    let allow_mean = g.allow_mean && g.d + g.sd == 0;
    let max_k = usize::from(allow_drift || allow_mean);
    let mut best: Option<Model> = None;
    let mut best_ic = f64::INFINITY;
    let mut best_constant = false;
    for i in 0..=g.max_p {
        for j in 0..=g.max_q {
            for si in 0..=g.max_sp {
                for sj in 0..=g.max_sq {
                    if i + j + si + sj > g.max_order {
                        continue;
                    }
                    for k in 0..=max_k {
                        let fit = search.myarima([i, g.d, j], [si, g.sd, sj], g.m, k == 1, approximation);
                        if let Some(f) = fit {
                            if f.ic < best_ic {
                                best_ic = f.ic;
                                best = Some(f);
                                best_constant = k == 1;
                            }
                        }
                    }
                }
            }
        }
    }
    let best = best.ok_or_else(|| AutoError::NoModel("no ARIMA model could be estimated".into()))?;
    if !approximation {
        return Ok(best);
    }
    let a = best.raw.arma;
    let refit = search.myarima([a.p, a.d, a.q], [a.sp, a.sd, a.sq], g.m, best_constant, false);
    match refit {
        Some(f) if f.ic.is_finite() => Ok(f),
        _ => search_arima(
            search,
            &Grid {
                allow_drift,
                allow_mean,
                m: 1,
                ..*g
            },
            false,
        ),
    }
}
