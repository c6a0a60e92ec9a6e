//! The ETS recursions: state update, forecast and the likelihood pass
//! (statsforecast's `src/ets.cpp`: `Update`, `Forecast`, `Calc`,
//! `ObjectiveFunction`; themselves R `forecast`'s `etscalc.c`).
//!
//! States are stored as in the reference: one row of `p = 1 + has_trend +
//! m·has_season` values per time step (`l`, `b`, `s₁ … s_m`), `s₁` the
//! most recent seasonal state.

// A line-by-line port: the reference's names and exact float comparisons
// are kept so that the code can be read against it.
#![allow(
    clippy::float_cmp,
    clippy::too_many_arguments,
    clippy::similar_names,
    clippy::many_single_char_names,
    clippy::needless_range_loop,
    clippy::struct_excessive_bools
)]

use super::optimize::eigen_segment_sum;

/// A component of an ETS model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    /// `N`.
    Nothing,
    /// `A`.
    Additive,
    /// `M`.
    Multiplicative,
}

impl Component {
    pub(crate) fn letter(self) -> char {
        match self {
            Component::Nothing => 'N',
            Component::Additive => 'A',
            Component::Multiplicative => 'M',
        }
    }
}

/// Value the reference substitutes for a division by (nearly) zero.
const HUGE_N: f64 = 1e10;
/// The reference's "not available" marker.
pub(crate) const NA: f64 = -99_999.0;
const TOL: f64 = 1e-10;

/// The model structure shared by the passes (components and season length).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Structure {
    pub(crate) error: Component,
    pub(crate) trend: Component,
    pub(crate) season: Component,
    /// Season length (1 without season).
    pub(crate) m: usize,
}

impl Structure {
    /// States per time step.
    pub(crate) fn n_states(&self) -> usize {
        1 + usize::from(self.trend != Component::Nothing) + if self.season == Component::Nothing { 0 } else { self.m }
    }
}

/// Smoothing parameters (`beta`, `gamma` 0 and `phi` 1 where absent).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Smoothing {
    pub(crate) alpha: f64,
    pub(crate) beta: f64,
    pub(crate) gamma: f64,
    pub(crate) phi: f64,
}

/// `Update`'s arithmetic: one step of the state recursions from the
/// previous level, growth and oldest seasonal state `s_last` (the only
/// seasonal state an update reads). Returns the new level, growth and most
/// recent seasonal state.
#[inline]
fn step(old_l: f64, old_b: f64, s_last: f64, st: &Structure, par: &Smoothing, y: f64) -> (f64, f64, f64) {
    let (q, phi_b) = match st.trend {
        Component::Nothing => (old_l, 0.0),
        Component::Additive => {
            let phi_b = par.phi * old_b;
            (old_l + phi_b, phi_b)
        }
        Component::Multiplicative => {
            if (par.phi - 1.0).abs() < TOL {
                (old_l * old_b, old_b)
            } else {
                let phi_b = old_b.powf(par.phi);
                (old_l * phi_b, phi_b)
            }
        }
    };
    let p = match st.season {
        Component::Nothing => y,
        Component::Additive => y - s_last,
        Component::Multiplicative => {
            if s_last.abs() < TOL {
                HUGE_N
            } else {
                y / s_last
            }
        }
    };
    let l = q + par.alpha * (p - q);
    let mut b = old_b;
    if st.trend != Component::Nothing {
        let r = if st.trend == Component::Additive {
            l - old_l
        } else if old_l.abs() < TOL {
            HUGE_N
        } else {
            l / old_l
        };
        b = phi_b + (par.beta / par.alpha) * (r - phi_b);
    }
    let mut s0 = 0.0;
    if st.season != Component::Nothing {
        let t = if st.season == Component::Additive {
            y - q
        } else if q.abs() < TOL {
            HUGE_N
        } else {
            y / q
        };
        s0 = s_last + par.gamma * (t - s_last);
    }
    (l, b, s0)
}

/// `Update`: one step of the state recursions. `s` receives the new
/// seasonal states from `old_s`; returns the new level and growth.
fn update(s: &mut [f64], old_l: f64, old_b: f64, old_s: &[f64], st: &Structure, par: &Smoothing, y: f64) -> (f64, f64) {
    let m = st.m;
    let s_last = if st.season == Component::Nothing {
        0.0
    } else {
        old_s[m - 1]
    };
    let (l, b, s0) = step(old_l, old_b, s_last, st, par, y);
    if st.season != Component::Nothing {
        s[0] = s0;
        s[1..m].copy_from_slice(&old_s[..m - 1]);
    }
    (l, b)
}

/// The one-step forecast `Forecast` gives for the first step.
#[inline]
fn forecast1(l: f64, b: f64, s_last: f64, st: &Structure, phi: f64) -> f64 {
    let mut f = match st.trend {
        Component::Nothing => l,
        Component::Additive => l + phi * b,
        Component::Multiplicative => {
            if b < 0.0 {
                f64::NAN
            } else {
                l * b.powf(phi)
            }
        }
    };
    match st.season {
        Component::Additive => f += s_last,
        Component::Multiplicative => f *= s_last,
        Component::Nothing => {}
    }
    f
}

/// `Calc`'s likelihood alone, for the optimiser: no states or errors are
/// stored and the seasonal states live in a ring buffer, so that a step
/// writes one seasonal value instead of shifting `m`; the operations and
/// their operands are those of [`calc`], so is the result. `init` holds
/// the `p` initial states.
pub(crate) fn likelihood(init: &[f64], y: &[f64], st: &Structure, par: &Smoothing) -> f64 {
    let n = y.len();
    let m = st.m.max(1);
    let has_trend = st.trend != Component::Nothing;
    let has_season = st.season != Component::Nothing;
    let start = 1 + usize::from(has_trend);
    let mut l = init[0];
    let mut b = if has_trend { init[1] } else { 0.0 };
    let mut ring: Vec<f64> = if has_season {
        init[start..start + m].to_vec()
    } else {
        vec![0.0]
    };
    // ring[(head + k) % m] is seasonal state k (0: most recent).
    let mut oldest = m - 1;
    let mut lik = 0.0;
    let mut lik2 = 0.0;
    for &yi in y {
        let old_l = l;
        let old_b = b;
        let s_last = if has_season { ring[oldest] } else { 0.0 };
        let f0 = forecast1(old_l, old_b, s_last, st, par.phi);
        if (f0 - NA).abs() < TOL {
            return NA;
        }
        let e = if st.error == Component::Additive {
            yi - f0
        } else {
            let f_0 = if f0.abs() < TOL { f0 + TOL } else { f0 };
            (yi - f0) / f_0
        };
        let (nl, nb, s0) = step(old_l, old_b, s_last, st, par, yi);
        l = nl;
        if has_trend {
            b = nb;
        }
        if has_season {
            ring[oldest] = s0;
            oldest = if oldest == 0 { m - 1 } else { oldest - 1 };
        }
        lik += e * e;
        lik2 += guarded_ln(f0.abs());
    }
    finish_likelihood(lik, lik2, n, st)
}

/// `Forecast`: `f[i]` for `i < f.len()` from level `l`, growth `b` and
/// seasonal states `s` (`s[0]` most recent). As in statsforecast, the
/// damped trend multiplier of step `h` is `φ + Σ_{j=1}^{h−1} φ^j` (`φ`, `2φ`,
/// `2φ + φ²`, …), not the book's `Σ_{j≤h} φ^j` (R's `etscalc.c` adds
/// `φ^(i+2)` where statsforecast adds `φ^(i+1)`).
pub(crate) fn forecast(f: &mut [f64], l: f64, b: f64, s: &[f64], st: &Structure, phi: f64) {
    let m = st.m.max(1);
    let h = f.len();
    let mut phistar = phi;
    for i in 0..h {
        f[i] = match st.trend {
            Component::Nothing => l,
            Component::Additive => l + phistar * b,
            Component::Multiplicative => {
                if b < 0.0 {
                    f64::NAN
                } else {
                    l * b.powf(phistar)
                }
            }
        };
        let j = m - 1 - i % m;
        match st.season {
            Component::Additive => f[i] += s[j],
            Component::Multiplicative => f[i] *= s[j],
            Component::Nothing => {}
        }
        if i + 1 < h {
            if (phi - 1.0).abs() < TOL {
                phistar += 1.0;
            } else {
                phistar += phi.powf((i + 1) as f64);
            }
        }
    }
}

/// `Calc`: runs the recursions over `y` from the initial states in
/// `x[..p]`, writing the states of every step into `x` (`p·(n + 1)`
/// values) and the errors into `e` (additive errors, or relative ones for a
/// multiplicative error). Returns `n·log(Σe²)` (plus `2·Σlog|ŷ|` for a
/// multiplicative error), or [`NA`]. The reference's multi-step MSEs
/// (`amse`) are not computed: only the likelihood criterion is offered.
pub(crate) fn calc(x: &mut [f64], e: &mut [f64], y: &[f64], st: &Structure, par: &Smoothing) -> f64 {
    let n = y.len();
    let m = st.m.max(1);
    let has_trend = st.trend != Component::Nothing;
    let has_season = st.season != Component::Nothing;
    let n_states = st.n_states();
    let mut l = x[0];
    let mut b = if has_trend { x[1] } else { 0.0 };
    let n_s = m.max(24);
    let mut s = vec![0.0; n_s];
    let mut old_s = vec![0.0; n_s];
    let start = 1 + usize::from(has_trend);
    if has_season {
        s[..m].copy_from_slice(&x[start..start + m]);
    }
    let mut old_b = 0.0;
    let mut lik = 0.0;
    let mut lik2 = 0.0;
    let mut f = [0.0];
    for i in 0..n {
        let old_l = l;
        if has_trend {
            old_b = b;
        }
        if has_season {
            old_s[..m].copy_from_slice(&s[..m]);
        }
        forecast(&mut f, old_l, old_b, &old_s, st, par.phi);
        if (f[0] - NA).abs() < TOL {
            return NA;
        }
        if st.error == Component::Additive {
            e[i] = y[i] - f[0];
        } else {
            let f_0 = if f[0].abs() < TOL { f[0] + TOL } else { f[0] };
            e[i] = (y[i] - f[0]) / f_0;
        }
        (l, b) = update(&mut s, old_l, old_b, &old_s, st, par, y[i]);
        let row = n_states * (i + 1);
        x[row] = l;
        if has_trend {
            x[row + 1] = b;
        }
        if has_season {
            x[row + start..row + start + m].copy_from_slice(&s[..m]);
        }
        lik += e[i] * e[i];
        lik2 += guarded_ln(f[0].abs());
    }
    finish_likelihood(lik, lik2, n, st)
}

/// `ln x`, or `ln(x + 1e-8)` when `x` is not positive (statsforecast's guard).
fn guarded_ln(x: f64) -> f64 {
    if x > 0.0 {
        x.ln()
    } else {
        (x + 1e-8).ln()
    }
}

/// The likelihood term of both passes: `n·ln(Σe²)`, plus `2·Σ ln|f|` for
/// multiplicative errors (`lik2` that sum).
fn finish_likelihood(sse: f64, lik2: f64, n: usize, st: &Structure) -> f64 {
    let mut lik = n as f64 * guarded_ln(sse);
    if st.error == Component::Multiplicative {
        lik += 2.0 * lik2;
    }
    lik
}

/// What the optimiser varies: which smoothing parameters lead the vector,
/// the fixed values of the others, and the structure.
#[derive(Debug, Clone)]
pub(crate) struct Objective<'a> {
    pub(crate) y: &'a [f64],
    pub(crate) st: Structure,
    /// Number of initial states at the end of the parameter vector (the
    /// last seasonal state excluded).
    pub(crate) n_state: usize,
    pub(crate) opt_alpha: bool,
    pub(crate) opt_beta: bool,
    pub(crate) opt_gamma: bool,
    pub(crate) opt_phi: bool,
    /// Values of the parameters that are not optimised.
    pub(crate) fixed: Smoothing,
    /// Scratch buffer (initial states), reused across evaluations.
    pub(crate) state: Vec<f64>,
}

impl Objective<'_> {
    /// `ObjectiveFunction` with the likelihood criterion.
    pub(crate) fn eval(&mut self, params: &[f64]) -> f64 {
        let mut par = self.fixed;
        let mut j = 0;
        if self.opt_alpha {
            par.alpha = params[j];
            j += 1;
        }
        if self.opt_beta {
            par.beta = params[j];
            j += 1;
        }
        if self.opt_gamma {
            par.gamma = params[j];
            j += 1;
        }
        if self.opt_phi {
            par.phi = params[j];
        }
        let n_params = params.len();
        let has_season = self.st.season != Component::Nothing;
        self.state.clear();
        self.state.extend_from_slice(&params[n_params - self.n_state..]);
        if has_season {
            let start = 1 + usize::from(self.st.trend != Component::Nothing);
            let sum = eigen_segment_sum(&self.state[start..self.n_state], start);
            let mult = self.st.season == Component::Multiplicative;
            self.state.push((self.st.m * usize::from(mult)) as f64 - sum);
            // The reference takes the minimum over the seasonal states and
            // the zeros of the later (not yet computed) states.
            if mult && self.state[start..].iter().any(|v| *v < 0.0) {
                return f64::INFINITY;
            }
        }
        let mut lik = likelihood(&self.state, self.y, &self.st, &par);
        // std::max(lik, -1e10): NaN stays NaN.
        if lik < -1e10 {
            lik = -1e10;
        }
        if lik.is_nan() || (lik + 99_999.0).abs() < 1e-7 {
            lik = f64::NEG_INFINITY;
        }
        lik
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasonal_forecast_cycles_through_the_states() {
        let st = Structure {
            error: Component::Additive,
            trend: Component::Nothing,
            season: Component::Additive,
            m: 3,
        };
        let mut f = [0.0; 7];
        // s[0] is the most recent state, so step 1 uses s[2].
        forecast(&mut f, 10.0, 0.0, &[1.0, 2.0, 3.0], &st, 1.0);
        assert_eq!(f, [13.0, 12.0, 11.0, 13.0, 12.0, 11.0, 13.0]);
    }

    #[test]
    fn damped_trend_forecast_follows_statsforecast() {
        let st = Structure {
            error: Component::Additive,
            trend: Component::Additive,
            season: Component::Nothing,
            m: 1,
        };
        let mut f = [0.0; 3];
        forecast(&mut f, 10.0, 1.0, &[], &st, 0.5);
        // statsforecast's damping sums: φ, φ + φ, φ + φ + φ² (R: φ + φ² + …).
        assert_eq!(f, [10.5, 11.0, 11.25]);
    }
}
