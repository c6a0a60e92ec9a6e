//! [`AutoEts`] and [`FittedAutoEts`]: the candidate loop of statsforecast's
//! `ets_f` and the fit of one candidate (`etsmodel`, `pegelsresid_C`).

// A line-by-line port: the reference's names and exact float comparisons
// are kept so that the code can be read against it.
#![allow(
    clippy::float_cmp,
    clippy::similar_names,
    clippy::too_many_lines,
    clippy::many_single_char_names
)]

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::calc::{calc, forecast, Component, Objective, Smoothing, Structure, NA};
use super::init::{check_param, initparam, initstate, np_sum, Bounds};
use super::intervals::{variances, VarianceInput};
use super::optimize::nelder_mead;
use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict};

const MODEL: &str = "AutoETS";

/// Automatic ETS: fits every ETS form allowed by `spec` and `damped` and
/// keeps the one with the smallest `AICc` (see the [module
/// documentation](crate::ets)).
///
/// ```
/// use hutano_forecast::ets::AutoEts;
/// use hutano_forecast::forecast::{Fit, Predict};
///
/// let y: Vec<f64> = (0..84)
///     .map(|t| 100.0 + 0.5 * f64::from(t) + [6.0, 8.0, 7.0, 5.0, 3.0, -12.0, -17.0][t as usize % 7])
///     .collect();
/// let fitted = AutoEts::new(7).fit(&y)?;
/// let f = fitted.predict(14, &[80.0, 95.0])?;
/// assert_eq!(f.len(), 14);
/// assert!(fitted.form().starts_with("ETS("));
/// // A fixed form, as statsforecast's AutoETS(season_length=7, model="AAA", damped=True).
/// let fixed = AutoEts::new(7).spec("AAA").damped(true).fit(&y)?;
/// assert_eq!(fixed.form(), "ETS(A,Ad,A)");
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoEts {
    /// Season length in steps (7 for daily data with a weekly cycle; 1 for
    /// no seasonality).
    pub season_length: usize,
    /// Specification, three letters as statsforecast's `model`: error (`A`,
    /// `M`, `Z`), trend (`N`, `A`, `Z`), season (`N`, `A`, `M`, `Z`); `Z`
    /// lets the search choose. A multiplicative trend is not offered (see
    /// the module documentation).
    pub spec: String,
    /// `Some(true)` or `Some(false)` fixes whether the trend is damped;
    /// `None` tries both.
    pub damped: Option<bool>,
}

impl AutoEts {
    /// The full search (`"ZZZ"`) with this season length, as statsforecast's
    /// `AutoETS(season_length)`.
    #[must_use]
    pub fn new(season_length: usize) -> Self {
        Self {
            season_length,
            spec: "ZZZ".into(),
            damped: None,
        }
    }

    /// The non-seasonal search (`"ZZN"`, season length 1): the trend model
    /// of MSTL (`crate::mstl::Mstl`, feature `augurs`).
    #[must_use]
    pub fn non_seasonal() -> Self {
        Self {
            season_length: 1,
            spec: "ZZN".into(),
            damped: None,
        }
    }

    /// Set the specification (`"ZZZ"`, `"MAM"`, `"ANN"`, ...).
    #[must_use]
    pub fn spec(mut self, spec: impl Into<String>) -> Self {
        self.spec = spec.into();
        self
    }

    /// Fix whether the trend is damped.
    #[must_use]
    pub fn damped(mut self, damped: bool) -> Self {
        self.damped = Some(damped);
        self
    }

    /// Check the parameters; [`Fit::fit`] calls this first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a season length of zero, a
    /// specification that is not three of the letters above, a
    /// multiplicative trend, a seasonal letter `A` or `M` with a season
    /// length of 1, one of the combinations statsforecast forbids (additive
    /// error with a multiplicative season), or a damped trend without
    /// trend.
    pub fn check(&self) -> Result<()> {
        self.parse().map(|_| ())
    }

    /// Whether the checked specification may have a season (a seasonal
    /// letter other than `N` with a season length above 1); [`crate::mstl`]
    /// requires a non-seasonal trend model.
    #[cfg(feature = "augurs")]
    pub(crate) fn is_seasonal(&self) -> Result<bool> {
        self.parse().map(|s| s.season_length > 1 && s.season != 'N')
    }

    fn parse(&self) -> Result<Spec> {
        let invalid = |problem: String| Error::InvalidParameter { name: "spec", problem };
        if self.season_length == 0 {
            return Err(Error::InvalidParameter {
                name: "season_length",
                problem: "must be at least 1".into(),
            });
        }
        let letters: Vec<char> = self.spec.chars().collect();
        let [error, trend, season] = letters[..] else {
            return Err(invalid(format!("{:?} is not three letters", self.spec)));
        };
        if !matches!(error, 'A' | 'M' | 'Z') {
            return Err(invalid(format!("error component {error:?} is not one of A, M, Z")));
        }
        match trend {
            'N' | 'A' | 'Z' => {}
            'M' => {
                return Err(invalid(
                    "multiplicative trend is not offered: its intervals would need simulation".into(),
                ))
            }
            other => return Err(invalid(format!("trend component {other:?} is not one of N, A, Z"))),
        }
        match season {
            'N' | 'Z' => {}
            'A' | 'M' if self.season_length > 1 => {}
            'A' | 'M' => return Err(invalid("a season needs season_length of at least 2".into())),
            other => return Err(invalid(format!("season component {other:?} is not one of N, A, M, Z"))),
        }
        if error == 'A' && season == 'M' {
            return Err(invalid(
                "additive error with multiplicative season is a forbidden combination".into(),
            ));
        }
        if self.damped == Some(true) && trend == 'N' {
            return Err(Error::InvalidParameter {
                name: "damped",
                problem: format!("a damped trend needs a trend, spec is {:?}", self.spec),
            });
        }
        Ok(Spec {
            error,
            trend,
            season,
            season_length: self.season_length,
            damped: self.damped,
        })
    }
}

impl Default for AutoEts {
    /// [`AutoEts::non_seasonal`].
    fn default() -> Self {
        Self::non_seasonal()
    }
}

/// A checked [`AutoEts`].
#[derive(Debug, Clone, Copy)]
struct Spec {
    error: char,
    trend: char,
    season: char,
    season_length: usize,
    damped: Option<bool>,
}

/// The smoothing parameters of a fitted model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EtsParameters {
    /// Level smoothing.
    pub alpha: f64,
    /// Trend smoothing (models with a trend).
    pub beta: Option<f64>,
    /// Seasonal smoothing (seasonal models).
    pub gamma: Option<f64>,
    /// Damping (damped models).
    pub phi: Option<f64>,
}

/// A fitted [`AutoEts`]: the chosen ETS model.
#[derive(Debug, Clone)]
pub struct FittedAutoEts {
    st: Structure,
    damped: bool,
    /// `alpha`, `beta`, `gamma`, `phi` (`NaN` where absent).
    par: [f64; 4],
    initial_states: Vec<f64>,
    last_state: Vec<f64>,
    fitted: Vec<f64>,
    residuals: Vec<f64>,
    loglik: f64,
    aic: f64,
    bic: f64,
    aicc: f64,
    sigma2: f64,
    n_params: usize,
}

fn component(letter: char) -> Component {
    match letter {
        'A' => Component::Additive,
        'M' => Component::Multiplicative,
        _ => Component::Nothing,
    }
}

impl Fit for AutoEts {
    type Fitted = FittedAutoEts;

    /// # Errors
    /// [`Error::InvalidParameter`] as in [`AutoEts::check`], or for a fixed
    /// multiplicative error or season with a value ≤ 0; [`Error::NonFinite`]
    /// for a NaN or infinite value; [`Error::TooShort`] when there are not
    /// more observations than the fixed components' parameters plus 4
    /// (statsforecast's rule: 7 for `"ZZZ"`, 9 with a fixed trend);
    /// [`Error::Model`] when no candidate can be fitted.
    fn fit(&self, y: &[f64]) -> Result<FittedAutoEts> {
        let spec = self.parse()?;
        check_finite(y)?;
        let n = y.len();
        let too_short = |needed: usize| Error::TooShort {
            unique_id: String::new(),
            needed,
            got: n,
        };
        let mut bounds = Bounds::default();
        if y.iter().all(|v| *v == y[0]) {
            // statsforecast: a constant series gets ETS(A,N,N) with alpha
            // fixed at 0.9999.
            let st = Structure {
                error: Component::Additive,
                trend: Component::Nothing,
                season: Component::Nothing,
                m: 1,
            };
            return fit_candidate(y, st, false, [0.9999, f64::NAN, f64::NAN, f64::NAN], &mut bounds)
                .ok_or_else(|| too_short(4));
        }
        let m = spec.season_length;
        let mut season = spec.season;
        if n <= m {
            season = 'N';
        }
        if m == 1 {
            season = 'N';
        }
        let positive = y.iter().fold(f64::INFINITY, |a, &b| a.min(b)) > 0.0;
        if !positive && (spec.error == 'M' || season == 'M') {
            return Err(Error::InvalidParameter {
                name: "spec",
                problem: "multiplicative components need positive values".into(),
            });
        }
        let mut npars = 2;
        if spec.trend == 'A' {
            npars += 2;
        }
        if matches!(season, 'A' | 'M') {
            npars += 2;
        }
        if spec.damped == Some(true) {
            npars += 1;
        }
        if n <= npars + 4 {
            return Err(too_short(npars + 5));
        }
        let errors: &[char] = match spec.error {
            'Z' => &['A', 'M'],
            'A' => &['A'],
            _ => &['M'],
        };
        let trends: &[char] = match spec.trend {
            'Z' => &['N', 'A'],
            'A' => &['A'],
            _ => &['N'],
        };
        let seasons: &[char] = match season {
            'Z' => &['N', 'A', 'M'],
            'A' => &['A'],
            'M' => &['M'],
            _ => &['N'],
        };
        let dampeds: &[bool] = match spec.damped {
            None => &[true, false],
            Some(true) => &[true],
            Some(false) => &[false],
        };
        let mut best: Option<FittedAutoEts> = None;
        for &e in errors {
            for &t in trends {
                for &s in seasons {
                    for &d in dampeds {
                        if (t == 'N' && d)
                            || (e == 'A' && s == 'M')
                            || (!positive && (e == 'M' || s == 'M'))
                            || (s != 'N' && m == 1)
                        {
                            continue;
                        }
                        let st = Structure {
                            error: component(e),
                            trend: component(t),
                            season: component(s),
                            m: if s == 'N' { 1 } else { m },
                        };
                        let Some(fit) = fit_candidate(y, st, d, [f64::NAN; 4], &mut bounds) else {
                            continue;
                        };
                        if !fit.aicc.is_nan() && best.as_ref().is_none_or(|b| fit.aicc < b.aicc) {
                            best = Some(fit);
                        }
                    }
                }
            }
        }
        best.ok_or_else(|| Error::Model {
            model: MODEL,
            message: "no model able to be fitted".into(),
        })
    }
}

/// `etsmodel` followed by `pegelsresid_C`: one candidate, or `None` when
/// statsforecast would give it an infinite criterion (more parameters than
/// observations allow) or raise (starting values outside the admissible
/// region; no initial state). `bounds` is shared by the candidates, as in
/// the reference (see [`initparam`]).
fn fit_candidate(
    y: &[f64],
    st: Structure,
    damped: bool,
    given: [f64; 4],
    bounds: &mut Bounds,
) -> Option<FittedAutoEts> {
    let n = y.len();
    let m = st.m;
    let init = initparam(given, st.trend, st.season, damped, bounds, m);
    let mut par = given;
    for (p, v) in par.iter_mut().zip(init) {
        if !v.is_nan() {
            *p = v;
        }
    }
    if !check_param(par, bounds, m) {
        return None;
    }
    let init_state = initstate(y, m, st.trend, st.season).ok()?;
    let nstate = init_state.len();
    let mut x0 = Vec::with_capacity(4 + nstate);
    let mut lower = Vec::with_capacity(4 + nstate);
    let mut upper = Vec::with_capacity(4 + nstate);
    for (i, v) in init.iter().enumerate() {
        if !v.is_nan() {
            x0.push(*v);
            lower.push(bounds.lower[i]);
            upper.push(bounds.upper[i]);
        }
    }
    x0.extend_from_slice(&init_state);
    lower.resize(x0.len(), f64::NEG_INFINITY);
    upper.resize(x0.len(), f64::INFINITY);
    let np = x0.len();
    if np + 1 >= n {
        return None;
    }
    let has_trend = st.trend != Component::Nothing;
    let has_season = st.season != Component::Nothing;
    let fixed = Smoothing {
        alpha: par[0],
        beta: if has_trend { par[1] } else { 0.0 },
        gamma: if has_season { par[2] } else { 0.0 },
        phi: if damped { par[3] } else { 1.0 },
    };
    let mut objective = Objective {
        y,
        st,
        n_state: nstate,
        opt_alpha: given[0].is_nan(),
        opt_beta: has_trend && given[1].is_nan(),
        opt_gamma: has_season && given[2].is_nan(),
        opt_phi: damped && given[3].is_nan(),
        fixed,
        state: Vec::new(),
    };
    let fit_par = nelder_mead(|p| objective.eval(p), &x0, &lower, &upper, 1e-4, 1000);
    let mut init_state = fit_par[np - nstate..].to_vec();
    if has_season {
        let start = 1 + usize::from(has_trend);
        let mult = st.season == Component::Multiplicative;
        init_state.push((m * usize::from(mult)) as f64 - np_sum(&init_state[start..nstate]));
    }
    let mut j = 0;
    if !fit_par[j].is_nan() {
        par[0] = fit_par[j];
        j += 1;
    }
    if has_trend {
        if !fit_par[j].is_nan() {
            par[1] = fit_par[j];
        }
        j += 1;
    }
    if has_season {
        if !fit_par[j].is_nan() {
            par[2] = fit_par[j];
        }
        j += 1;
    }
    if damped && !fit_par[j].is_nan() {
        par[3] = fit_par[j];
    }
    let smoothing = Smoothing {
        alpha: par[0],
        beta: if has_trend { par[1] } else { 0.0 },
        gamma: if has_season { par[2] } else { 0.0 },
        phi: if damped { par[3] } else { 1.0 },
    };
    let p = init_state.len();
    let mut x = vec![f64::NAN; p * (n + 1)];
    x[..p].copy_from_slice(&init_state);
    let mut e = vec![f64::NAN; n];
    let mut lik = calc(&mut x, &mut e, y, &st, &smoothing);
    if (lik - NA).abs() < 1e-7 {
        lik = f64::NAN;
    }
    let np_eff = np + 1;
    let k = np_eff as f64;
    let nf = n as f64;
    let aic = lik + 2.0 * k;
    let bic = lik + nf.ln() * k;
    let aicc = if n == np_eff + 1 {
        f64::INFINITY
    } else {
        aic + (2 * np_eff * (np_eff + 1)) as f64 / (n - np_eff - 1) as f64
    };
    let sq: Vec<f64> = e.iter().map(|v| v * v).collect();
    let sigma2 = np_sum(&sq) / (n as f64 - k - 1.0);
    let fitted = if st.error == Component::Additive {
        y.iter().zip(&e).map(|(v, r)| v - r).collect()
    } else {
        y.iter().zip(&e).map(|(v, r)| v / (1.0 + r)).collect()
    };
    if !damped {
        par[3] = f64::NAN;
    }
    Some(FittedAutoEts {
        st,
        damped,
        par,
        initial_states: init_state,
        last_state: x[p * n..].to_vec(),
        fitted,
        residuals: e,
        loglik: -0.5 * lik,
        aic,
        bic,
        aicc,
        sigma2,
        n_params: np_eff,
    })
}

/// [`Error::NonFinite`] at the first NaN or infinite value.
pub(crate) fn check_finite(y: &[f64]) -> Result<()> {
    match y.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(Error::NonFinite {
            unique_id: String::new(),
            row,
        }),
        None => Ok(()),
    }
}

impl FittedAutoEts {
    /// The chosen model in statsforecast's notation, `"ETS(M,Ad,M)"`.
    #[must_use]
    pub fn form(&self) -> String {
        let mut s = String::new();
        let damped = if self.damped { "d" } else { "" };
        let _ = write!(
            s,
            "ETS({},{}{damped},{})",
            self.st.error.letter(),
            self.st.trend.letter(),
            self.st.season.letter()
        );
        s
    }

    /// Whether the chosen trend is damped.
    #[must_use]
    pub fn is_damped(&self) -> bool {
        self.damped
    }

    /// Season length of the chosen model (1 without season).
    #[must_use]
    pub fn season_length(&self) -> usize {
        self.st.m
    }

    /// The smoothing parameters.
    #[must_use]
    pub fn parameters(&self) -> EtsParameters {
        let opt = |v: f64| if v.is_nan() { None } else { Some(v) };
        EtsParameters {
            alpha: self.par[0],
            beta: opt(self.par[1]),
            gamma: opt(self.par[2]),
            phi: opt(self.par[3]),
        }
    }

    /// Initial states: level, growth (with a trend), then the `m` seasonal
    /// states, most recent first (statsforecast's `par[4:]`).
    #[must_use]
    pub fn initial_states(&self) -> &[f64] {
        &self.initial_states
    }

    /// Log-likelihood (statsforecast's `loglik`: `−½(n·log Σe² + 2·Σ log|ŷ|)`
    /// for multiplicative errors, without the constant terms).
    #[must_use]
    pub fn log_likelihood(&self) -> f64 {
        self.loglik
    }

    /// AIC, `−2·loglik + 2k` with `k` counting the smoothing parameters,
    /// the initial states and the residual variance.
    #[must_use]
    pub fn aic(&self) -> f64 {
        self.aic
    }

    /// BIC, `−2·loglik + log(n)·k`.
    #[must_use]
    pub fn bic(&self) -> f64 {
        self.bic
    }

    /// `AICc`, `AIC + 2k(k + 1)/(n − k − 1)`: the criterion of the search.
    #[must_use]
    pub fn aicc(&self) -> f64 {
        self.aicc
    }

    /// Residual variance `Σe²/(n − k − 1)` (relative errors for a
    /// multiplicative error).
    #[must_use]
    pub fn sigma2(&self) -> f64 {
        self.sigma2
    }

    /// Number of parameters `k` of the criteria.
    #[must_use]
    pub fn n_params(&self) -> usize {
        self.n_params
    }

    /// One-step errors (relative for a multiplicative error).
    #[must_use]
    pub fn residuals(&self) -> &[f64] {
        &self.residuals
    }
}

impl Predict for FittedAutoEts {
    /// Forecast with normal intervals from the state-space variances.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100).
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let mut point = vec![0.0; horizon];
        let has_trend = self.st.trend != Component::Nothing;
        let l = self.last_state[0];
        let b = if has_trend { self.last_state[1] } else { 0.0 };
        let s = &self.last_state[1 + usize::from(has_trend)..];
        let phi = if self.damped { self.par[3] } else { 1.0 };
        forecast(&mut point, l, b, s, &self.st, phi);
        if horizon == 0 || levels.is_empty() {
            return Forecast::normal(point, &[], levels);
        }
        let var = variances(&VarianceInput {
            error: self.st.error,
            trend: self.st.trend,
            season: self.st.season,
            damped: self.damped,
            m: self.st.m,
            sigma2: self.sigma2,
            par: self.par,
            last_state: &self.last_state,
            mean: &point,
        });
        let sd: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
        Forecast::normal(point, &sd, levels)
    }

    /// One-step fitted values (every step has one).
    fn predict_in_sample(&self) -> Vec<f64> {
        self.fitted.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trend_series(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| 50.0 + 0.8 * t as f64 + [0.0, 1.5, -1.0, 2.0, -2.5][t % 5])
            .collect()
    }

    fn weekly(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| {
                40.0 + 0.05 * t as f64 + [6.0, 8.0, 7.0, 5.0, 3.0, -12.0, -17.0][t % 7] + ((t * 37) % 11) as f64 / 5.0
            })
            .collect()
    }

    #[test]
    fn rejects_bad_specs() {
        for spec in ["ZZ", "ZZZZ", "NZN", "ZMN", "ZXN", "ZZX", "AZM"] {
            assert!(
                matches!(
                    AutoEts::new(7).spec(spec).check(),
                    Err(Error::InvalidParameter { name: "spec", .. })
                ),
                "{spec}"
            );
        }
        for spec in ["ZZA", "ZZM"] {
            assert!(matches!(
                AutoEts::new(1).spec(spec).check(),
                Err(Error::InvalidParameter { name: "spec", .. })
            ));
        }
        assert!(matches!(
            AutoEts::new(0).check(),
            Err(Error::InvalidParameter {
                name: "season_length",
                ..
            })
        ));
        assert!(matches!(
            AutoEts::new(1).spec("ANN").damped(true).check(),
            Err(Error::InvalidParameter { name: "damped", .. })
        ));
        AutoEts::new(7).check().unwrap();
        AutoEts::new(7).spec("MAM").check().unwrap();
        AutoEts::new(1).check().unwrap();
    }

    #[test]
    fn short_and_non_finite_series_are_errors() {
        let y = trend_series(30);
        assert!(matches!(
            AutoEts::non_seasonal().fit(&y[..6]),
            Err(Error::TooShort { needed: 7, got: 6, .. })
        ));
        assert!(matches!(
            AutoEts::non_seasonal().spec("AAN").fit(&y[..8]),
            Err(Error::TooShort { needed: 9, got: 8, .. })
        ));
        assert!(matches!(AutoEts::new(7).fit(&[]), Err(Error::TooShort { .. })));
        let mut bad = y.clone();
        bad[4] = f64::NAN;
        assert!(matches!(
            AutoEts::non_seasonal().fit(&bad),
            Err(Error::NonFinite { row: 4, .. })
        ));
        bad[4] = f64::INFINITY;
        assert!(matches!(
            AutoEts::new(7).fit(&bad),
            Err(Error::NonFinite { row: 4, .. })
        ));
        let mut zero = y;
        zero[0] = 0.0;
        for spec in ["MNN", "ZZM"] {
            let e = AutoEts::new(5).spec(spec);
            assert!(
                matches!(e.fit(&zero), Err(Error::InvalidParameter { name: "spec", .. })),
                "{spec}"
            );
        }
        // With Z the multiplicative forms are skipped for non-positive data.
        assert!(AutoEts::new(5).fit(&zero).unwrap().form().starts_with("ETS(A,"));
    }

    #[test]
    fn seasonal_models_are_fitted_and_forecast_the_cycle() {
        let y = weekly(84);
        let m = AutoEts::new(7).fit(&y).unwrap();
        assert!(m.form().ends_with(",A)") || m.form().ends_with(",M)"), "{}", m.form());
        assert_eq!(m.season_length(), 7);
        assert!(m.parameters().gamma.is_some());
        assert_eq!(
            m.initial_states().len(),
            1 + usize::from(m.parameters().beta.is_some()) + 7
        );
        let f = m.predict(14, &[80.0, 95.0]).unwrap();
        // The weekend dip is forecast.
        let weekend = f.point[5].min(f.point[6]);
        assert!(f.point.iter().take(5).all(|v| *v > weekend + 10.0), "{:?}", f.point);
        for t in 0..14 {
            assert!(f.lower[1][t] <= f.lower[0][t] && f.lower[0][t] <= f.point[t]);
            assert!(f.point[t] <= f.upper[0][t] && f.upper[0][t] <= f.upper[1][t]);
        }
        // Fewer than three seasons: the Fourier start.
        let short = AutoEts::new(7).spec("AAA").fit(&y[..20]).unwrap();
        assert_eq!(short.form(), "ETS(A,A,A)");
        // A season longer than the series is dropped, as statsforecast does.
        let none = AutoEts::new(30).fit(&y[..25]).unwrap();
        assert!(none.form().ends_with(",N)"), "{}", none.form());
    }

    #[test]
    fn forecasts_have_the_requested_shape() {
        let y = trend_series(40);
        let m = AutoEts::non_seasonal().fit(&y).unwrap();
        let f = m.predict(5, &[80.0, 95.0]).unwrap();
        assert_eq!((f.len(), f.lower.len(), f.upper[1].len()), (5, 2, 5));
        let g = m.predict(5, &[]).unwrap();
        assert_eq!(g.point, f.point);
        let empty = m.predict(0, &[80.0]).unwrap();
        assert!(empty.is_empty() && empty.lower == vec![Vec::<f64>::new()]);
        assert!(matches!(m.predict(3, &[100.0]), Err(Error::InvalidLevel { .. })));
        assert_eq!(m.predict_in_sample().len(), y.len());
        assert_eq!(m.residuals().len(), y.len());
        assert!(m.aicc().is_finite() && m.aic() <= m.aicc() && m.bic().is_finite());
        assert!(m.sigma2() > 0.0 && m.n_params() >= 3);
    }

    #[test]
    fn fixed_forms_are_fitted() {
        let y = weekly(70);
        for (spec, damped, form) in [
            ("ANN", None, "ETS(A,N,N)"),
            ("MNN", None, "ETS(M,N,N)"),
            ("AAN", Some(false), "ETS(A,A,N)"),
            ("MAN", Some(true), "ETS(M,Ad,N)"),
            ("AAA", Some(true), "ETS(A,Ad,A)"),
            ("MNM", None, "ETS(M,N,M)"),
            ("MAM", Some(false), "ETS(M,A,M)"),
            ("MAA", Some(true), "ETS(M,Ad,A)"),
        ] {
            let mut e = AutoEts::new(7).spec(spec);
            e.damped = damped;
            let m = e.fit(&y).unwrap();
            assert_eq!(m.form(), form);
            assert_eq!(m.is_damped(), damped == Some(true));
            let f = m.predict(10, &[90.0]).unwrap();
            assert!(
                f.point
                    .iter()
                    .chain(&f.lower[0])
                    .chain(&f.upper[0])
                    .all(|v| v.is_finite()),
                "{form}"
            );
        }
    }

    #[test]
    fn constant_series_is_fitted() {
        let y = vec![12.0; 30];
        let m = AutoEts::new(7).fit(&y).unwrap();
        assert_eq!(m.form(), "ETS(A,N,N)");
        let f = m.predict(3, &[95.0]).unwrap();
        for p in &f.point {
            assert!((p - 12.0).abs() < 1e-6, "{p}");
        }
        assert!(matches!(AutoEts::new(7).fit(&[3.0; 3]), Err(Error::TooShort { .. })));
    }
}
