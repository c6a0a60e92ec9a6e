//! Exponential smoothing (ETS) with automatic model selection, wrapping
//! grafana's [augurs-ets](https://docs.rs/augurs-ets).
//!
//! # Which model is chosen
//! The innovations state-space ETS models of Hyndman, Koehler, Ord & Snyder,
//! *Forecasting with Exponential Smoothing: The State Space Approach*
//! (Springer, 2008), fitted by maximum likelihood; among the candidate forms
//! allowed by the specification, the one with the smallest `AICc` is kept
//! (Hyndman, Koehler, Snyder & Grose, Int. J. Forecasting 18, 2002, §3; R's
//! `forecast::ets`, statsforecast's `AutoETS`). Each candidate is fitted by
//! augurs-ets, a port of statsforecast's implementation: the same
//! Nelder–Mead search from the same starting values, the same "both"
//! parameter bounds (usual and admissible). The candidates are those of
//! statsforecast's default search: additive or multiplicative error (the
//! latter only for positive data), no or additive trend, damped or not; no
//! multiplicative trend. hutano runs the candidate loop itself (augurs'
//! `AutoETS` loop, in the same order) because augurs-ets 0.10.3 builds no
//! candidate when the trend is fixed to `N`. On `AirPassengers` the search
//! gives statsforecast's ETS(M,A,N) with the same log-likelihood and
//! forecasts to 1e-13 (`tests/ets_reference.rs`).
//!
//! # Seasonality
//! augurs-ets 0.10 has no seasonal ETS states (grafana/augurs#27: its
//! seasonal initialisation is `unimplemented!()` and would panic). So when
//! the specification asks for a seasonal component (`A` or `Z`) and
//! `season_length > 1`, [`AutoEts`] forecasts by *STL + ETS*, R's
//! `forecast::stlf(y, method = "ets")` (Hyndman & Athanasopoulos,
//! *Forecasting: Principles and Practice*, 2nd ed., §6.8): the series is
//! decomposed by STL with that period ([`crate::mstl`]), the seasonally
//! adjusted series is fitted by the non-seasonal ETS search with the
//! specification's error and trend letters, and the last seasonal cycle is
//! added back to the forecasts and to both bounds. The seasonal part is
//! additive and has no smoothing parameter `gamma`; it is not statsforecast's
//! seasonal `AutoETS` (which on `AirPassengers` chooses ETS(M,N,M)), and
//! [`FittedAutoEts::form`] says which route was taken
//! (`"STL(12)+ETS(M,A,N)"`).
//!
//! # Prediction intervals
//! Analytic, from the state-space variance formulas (Hyndman et al. 2008,
//! ch. 6, classes 1 and 2), as statsforecast; levels are percentages. Models
//! with a multiplicative trend are not offered: augurs computes their
//! intervals by simulation with an unseeded generator, so they would not be
//! reproducible.

use std::fmt::Write as _;

use augurs_core::Predict as AugursPredict;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict};
use crate::mstl::{FittedMstl, Mstl};

const MODEL: &str = "AutoETS";

/// Automatic ETS: searches the ETS forms allowed by `spec` and keeps the one
/// with the smallest `AICc` (see the [module documentation](self)).
///
/// ```
/// use hutano_forecast::ets::AutoEts;
/// use hutano_forecast::forecast::{Fit, Predict};
///
/// let y: Vec<f64> = (0..60).map(|t| 100.0 + 0.5 * f64::from(t) + f64::from(t % 3)).collect();
/// let fitted = AutoEts::non_seasonal().fit(&y)?;
/// let f = fitted.predict(7, &[80.0, 95.0])?;
/// assert_eq!(f.len(), 7);
/// assert!(fitted.form().starts_with("ETS("));
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoEts {
    /// Season length in steps (7 for daily data with a weekly cycle; 1 for
    /// no seasonality).
    pub season_length: usize,
    /// Search specification, three letters as in R's `ets`: error (`A`,
    /// `M`, `Z`), trend (`N`, `A`, `Z`), season (`N`, `A`, `Z`); `Z` lets
    /// the search choose. A multiplicative trend or season (`M`) is rejected
    /// (see the module documentation).
    pub spec: String,
    /// `Some(true)` or `Some(false)` fixes whether the trend is damped;
    /// `None` tries both.
    pub damped: Option<bool>,
}

impl AutoEts {
    /// The full search (`"ZZZ"`) with this season length.
    #[must_use]
    pub fn new(season_length: usize) -> Self {
        Self {
            season_length,
            spec: "ZZZ".into(),
            damped: None,
        }
    }

    /// The non-seasonal search (`"ZZN"`, season length 1): the trend model
    /// of [`Mstl`].
    #[must_use]
    pub fn non_seasonal() -> Self {
        Self {
            season_length: 1,
            spec: "ZZN".into(),
            damped: None,
        }
    }

    /// Set the search specification (`"ZZZ"`, `"AAN"`, ...).
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
    /// multiplicative trend or season, an additive season with a season
    /// length of 1, or a damped trend without trend.
    pub fn check(&self) -> Result<()> {
        self.parse().map(|_| ())
    }

    /// Whether the checked specification asks for a season (a seasonal
    /// letter other than `N` with a season length above 1).
    pub(crate) fn is_seasonal(&self) -> Result<bool> {
        self.parse().map(Spec::seasonal)
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
                    "multiplicative trend is not offered: augurs-ets simulates its intervals with an unseeded \
                     generator"
                        .into(),
                ))
            }
            other => return Err(invalid(format!("trend component {other:?} is not one of N, A, Z"))),
        }
        match season {
            'N' | 'Z' => {}
            'A' if self.season_length > 1 => {}
            'A' => return Err(invalid("an additive season needs season_length of at least 2".into())),
            'M' => {
                return Err(invalid(
                    "multiplicative seasonality is not offered: augurs-ets 0.10 has no seasonal ETS and the STL \
                     route is additive"
                        .into(),
                ))
            }
            other => return Err(invalid(format!("season component {other:?} is not one of N, A, Z"))),
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

impl Spec {
    /// Observations augurs needs for the non-seasonal search: more than the
    /// parameter count plus 4 (R's `ets` rule), where a fixed trend adds
    /// `beta` and `b0` to `alpha` and `l0`.
    fn needed_non_seasonal(self) -> usize {
        if self.trend == 'A' {
            9
        } else {
            7
        }
    }

    fn seasonal(self) -> bool {
        self.season_length > 1 && self.season != 'N'
    }
}

/// A fitted [`AutoEts`].
#[derive(Debug, Clone)]
pub struct FittedAutoEts {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    /// A non-seasonal ETS model fitted by augurs.
    Ets(Box<augurs_ets::model::Model>),
    /// STL + ETS (see the module documentation).
    Stl(Box<FittedMstl>),
}

impl Fit for AutoEts {
    type Fitted = FittedAutoEts;

    /// # Errors
    /// [`Error::InvalidParameter`] as in [`AutoEts::check`], or for
    /// multiplicative error (`M`) with a value ≤ 0; [`Error::NonFinite`] for
    /// a NaN or infinite value; [`Error::TooShort`] below 7 observations (9
    /// with a fixed additive trend), or below two seasons with a fixed
    /// additive season (with `Z` the search is then non-seasonal, as R's
    /// `ets` drops a season it cannot estimate); [`Error::Model`] when augurs
    /// finds no model.
    fn fit(&self, y: &[f64]) -> Result<FittedAutoEts> {
        let spec = self.parse()?;
        check_finite(y)?;
        if spec.seasonal() && (spec.season == 'A' || y.len() >= 2 * spec.season_length) {
            let mstl = Mstl {
                periods: vec![spec.season_length],
                trend: Self {
                    season_length: 1,
                    spec: format!("{}{}N", spec.error, spec.trend),
                    damped: spec.damped,
                },
            };
            return Ok(FittedAutoEts {
                inner: Inner::Stl(Box::new(mstl.fit(y)?)),
            });
        }
        fit_non_seasonal(spec, y).map(|m| FittedAutoEts {
            inner: Inner::Ets(Box::new(m)),
        })
    }
}

/// The non-seasonal search `"{error}{trend}N"` on `y` (finite): every
/// allowed form is fitted by augurs-ets and the smallest `AICc` kept, ties
/// going to the first in augurs' order (error A, M; trend N, A; damped
/// first). The loop is augurs' `AutoETS::fit`, run here because augurs-ets
/// 0.10.3 builds no candidate for a fixed `N` trend (`"ANN"` finds no
/// model).
fn fit_non_seasonal(spec: Spec, y: &[f64]) -> Result<augurs_ets::model::Model> {
    use augurs_ets::model::{ErrorComponent as E, ModelType, SeasonalComponent, TrendComponent as T, Unfit};

    let needed = spec.needed_non_seasonal();
    if y.len() < needed {
        return Err(Error::TooShort {
            unique_id: String::new(),
            needed,
            got: y.len(),
        });
    }
    let positive = y.iter().all(|v| *v > 0.0);
    if spec.error == 'M' && !positive {
        return Err(Error::InvalidParameter {
            name: "spec",
            problem: "multiplicative error needs positive values".into(),
        });
    }
    let errors: &[E] = match spec.error {
        'A' => &[E::Additive],
        'M' => &[E::Multiplicative],
        _ => &[E::Additive, E::Multiplicative],
    };
    let trends: &[T] = match spec.trend {
        'N' => &[T::None],
        'A' => &[T::Additive],
        _ => &[T::None, T::Additive],
    };
    let damped: &[bool] = match spec.damped {
        Some(true) => &[true],
        Some(false) => &[false],
        None => &[true, false],
    };
    let mut best: Option<augurs_ets::model::Model> = None;
    let mut failure = None;
    for &error in errors {
        // Multiplicative error needs positive data (augurs' rule, R's too).
        if error == E::Multiplicative && !positive {
            continue;
        }
        for &trend in trends {
            for &d in damped {
                if d && trend == T::None {
                    continue;
                }
                let model_type = ModelType {
                    error,
                    trend,
                    season: SeasonalComponent::None,
                };
                match Unfit::new(model_type).damped(d).fit(y) {
                    Ok(m) if !m.aicc().is_nan() && best.as_ref().is_none_or(|b| m.aicc() < b.aicc()) => {
                        best = Some(m);
                    }
                    Ok(_) => {}
                    Err(e) => failure = Some(e),
                }
            }
        }
    }
    best.ok_or_else(|| match failure {
        Some(augurs_ets::Error::NotEnoughData) => Error::TooShort {
            unique_id: String::new(),
            needed,
            got: y.len(),
        },
        Some(e) => Error::Model {
            model: MODEL,
            message: format!("no model found: {e}"),
        },
        None => Error::Model {
            model: MODEL,
            message: "no model found".into(),
        },
    })
}

fn model_error(e: &augurs_ets::Error) -> Error {
    Error::Model {
        model: MODEL,
        message: e.to_string(),
    }
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
    fn ets(&self) -> &augurs_ets::model::Model {
        match &self.inner {
            Inner::Ets(m) => m,
            Inner::Stl(m) => m.trend_model().ets(),
        }
    }

    /// The chosen model in statsforecast's notation, `"ETS(M,Ad,N)"`, or
    /// `"STL(7)+ETS(A,N,N)"` when the season was removed by STL and the ETS
    /// model fitted to the seasonally adjusted series.
    #[must_use]
    pub fn form(&self) -> String {
        let mut s = String::new();
        if let Inner::Stl(m) = &self.inner {
            let periods: Vec<String> = m.periods().iter().map(ToString::to_string).collect();
            let _ = write!(s, "STL({})+", periods.join(","));
        }
        let model = self.ets();
        let t = model.model_type();
        let damped = if model.damped() { "d" } else { "" };
        let _ = write!(s, "ETS({},{}{damped},N)", t.error, t.trend);
        s
    }

    /// Whether the chosen trend is damped.
    #[must_use]
    pub fn is_damped(&self) -> bool {
        self.ets().damped()
    }

    /// Log-likelihood of the chosen ETS model (on the seasonally adjusted
    /// series for the STL route).
    #[must_use]
    pub fn log_likelihood(&self) -> f64 {
        self.ets().log_likelihood()
    }

    /// AIC of the chosen ETS model, `−2·loglik + 2k` with `k` counting the
    /// smoothing parameters, the initial states and the residual variance,
    /// as R's `ets` and statsforecast (augurs-ets's own `aic` leaves the
    /// variance out and is 2 lower; the ranking of the search is the same).
    #[must_use]
    pub fn aic(&self) -> f64 {
        self.ets().aic() + 2.0
    }

    /// `AICc` of the chosen ETS model, `AIC + 2k(k + 1)/(n − k − 1)`: the
    /// criterion of the search, in R's and statsforecast's convention (see
    /// [`FittedAutoEts::aic`]).
    #[must_use]
    pub fn aicc(&self) -> f64 {
        self.ets().aicc() + 2.0
    }

    /// The STL decomposition, when the STL route was taken.
    #[must_use]
    pub fn decomposition(&self) -> Option<&FittedMstl> {
        match &self.inner {
            Inner::Ets(_) => None,
            Inner::Stl(m) => Some(m),
        }
    }
}

impl Predict for FittedAutoEts {
    /// Forecast with normal intervals from the state-space variances.
    ///
    /// # Errors
    /// [`Error::InvalidLevel`] for a level outside (0, 100).
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        match &self.inner {
            Inner::Ets(m) => predict_augurs(m, horizon, levels),
            Inner::Stl(m) => m.predict(horizon, levels),
        }
    }

    /// One-step fitted values (every step has one).
    fn predict_in_sample(&self) -> Vec<f64> {
        match &self.inner {
            Inner::Ets(m) => in_sample_augurs(m),
            Inner::Stl(m) => m.predict_in_sample(),
        }
    }
}

/// Forecast with a non-seasonal augurs model, one augurs call per level
/// (augurs takes one level at a time, as a fraction).
fn predict_augurs(m: &augurs_ets::model::Model, horizon: usize, levels: &[f64]) -> Result<Forecast> {
    check_levels(levels)?;
    if horizon == 0 {
        return Ok(Forecast {
            point: Vec::new(),
            levels: levels.to_vec(),
            lower: vec![Vec::new(); levels.len()],
            upper: vec![Vec::new(); levels.len()],
        });
    }
    let mut point = None;
    let mut lower = Vec::with_capacity(levels.len());
    let mut upper = Vec::with_capacity(levels.len());
    for &level in levels {
        let f = m.predict(horizon, level / 100.0).map_err(|e| model_error(&e))?;
        let intervals = f.intervals.ok_or_else(|| Error::Model {
            model: MODEL,
            message: format!("no interval at level {level}"),
        })?;
        lower.push(intervals.lower);
        upper.push(intervals.upper);
        point.get_or_insert(f.point);
    }
    let point = match point {
        Some(p) => p,
        None => m.predict(horizon, None).map_err(|e| model_error(&e))?.point,
    };
    Ok(Forecast {
        point,
        levels: levels.to_vec(),
        lower,
        upper,
    })
}

fn in_sample_augurs(m: &augurs_ets::model::Model) -> Vec<f64> {
    // augurs' in-sample prediction without intervals copies the fitted
    // values and cannot fail; NaN keeps the length if that ever changes.
    m.predict_in_sample(None)
        .map_or_else(|_| vec![f64::NAN; m.training_data_size()], |f| f.point)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trend_series(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| 50.0 + 0.8 * t as f64 + [0.0, 1.5, -1.0, 2.0, -2.5][t % 5])
            .collect()
    }

    #[test]
    fn rejects_bad_specs() {
        for spec in ["ZZ", "ZZZZ", "NZN", "ZMN", "ZZM", "ZXN", "ZZX"] {
            assert!(
                matches!(
                    AutoEts::new(7).spec(spec).check(),
                    Err(Error::InvalidParameter { name: "spec", .. })
                ),
                "{spec}"
            );
        }
        assert!(matches!(
            AutoEts::new(1).spec("ZZA").check(),
            Err(Error::InvalidParameter { name: "spec", .. })
        ));
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
        let mut bad = y.clone();
        bad[4] = f64::NAN;
        assert!(matches!(
            AutoEts::non_seasonal().fit(&bad),
            Err(Error::NonFinite { row: 4, .. })
        ));
        let mut zero = y;
        zero[0] = 0.0;
        assert!(matches!(
            AutoEts::non_seasonal().spec("MNN").fit(&zero),
            Err(Error::InvalidParameter { name: "spec", .. })
        ));
        // With Z the multiplicative forms are skipped for non-positive data.
        AutoEts::non_seasonal().fit(&zero).unwrap();
    }

    #[test]
    fn seasonal_route_needs_two_seasons_only_when_forced() {
        let y = trend_series(20);
        assert!(matches!(
            AutoEts::new(12).spec("ZZA").fit(&y),
            Err(Error::TooShort {
                needed: 24,
                got: 20,
                ..
            })
        ));
        let m = AutoEts::new(12).fit(&y).unwrap();
        assert!(m.decomposition().is_none());
        assert!(m.form().starts_with("ETS("));
        let m = AutoEts::new(5).fit(&y).unwrap();
        assert!(m.form().starts_with("STL(5)+ETS("), "{}", m.form());
    }

    #[test]
    fn forecasts_have_the_requested_shape() {
        let y = trend_series(40);
        let m = AutoEts::non_seasonal().fit(&y).unwrap();
        let f = m.predict(5, &[80.0, 95.0]).unwrap();
        assert_eq!((f.len(), f.lower.len(), f.upper[1].len()), (5, 2, 5));
        let g = m.predict(5, &[]).unwrap();
        assert_eq!(g.point, f.point);
        assert!(m.predict(0, &[80.0]).unwrap().is_empty());
        assert!(matches!(m.predict(3, &[100.0]), Err(Error::InvalidLevel { .. })));
        assert_eq!(m.predict_in_sample().len(), y.len());
        assert!(m.aicc().is_finite() && m.aic() <= m.aicc());
    }

    #[test]
    fn fixed_forms_are_fitted() {
        // augurs' own AutoETS finds no model for a fixed N trend.
        let y = trend_series(40);
        for (spec, damped, form) in [
            ("ANN", None, "ETS(A,N,N)"),
            ("MNN", None, "ETS(M,N,N)"),
            ("AAN", Some(false), "ETS(A,A,N)"),
            ("MAN", Some(true), "ETS(M,Ad,N)"),
        ] {
            let mut e = AutoEts::non_seasonal().spec(spec);
            e.damped = damped;
            let m = e.fit(&y).unwrap();
            assert_eq!(m.form(), form);
            assert_eq!(m.is_damped(), damped == Some(true));
        }
    }

    #[test]
    fn constant_series_is_fitted() {
        let y = vec![12.0; 30];
        let m = AutoEts::new(7).fit(&y).unwrap();
        let f = m.predict(3, &[95.0]).unwrap();
        for p in &f.point {
            assert!((p - 12.0).abs() < 1e-6, "{p}");
        }
    }
}
