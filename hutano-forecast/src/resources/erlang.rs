//! Bed sizing for a service level: the Erlang loss formula, next to the
//! flat 85 % occupancy rule.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The flat occupancy target of the "85 % rule" (Bagust, Place & Posnett,
/// BMJ 319, 1999, 155–158): beds = ⌈load / 0.85⌉.
pub const OCCUPANCY_RULE: f64 = 0.85;

/// Largest offered load accepted (erlangs): the search for the bed count is
/// linear in it.
const MAX_LOAD: f64 = 1e7;

/// Erlang's loss formula `B(c, a)`: the probability that an arriving
/// patient finds all `c` beds occupied when the offered load is `a`
/// erlangs (arrival rate × mean length of stay) and refused patients are
/// lost (M/G/c/c; insensitive to the length-of-stay distribution beyond its
/// mean). Computed by the stable recursion `B(0, a) = 1`, `B(k, a) = a B(k
/// − 1, a) / (k + a B(k − 1, a))`, which never forms `a^c` or `c!` (de
/// Bruin, Bekker, van Zanten & Koole, "Dimensioning hospital wards using
/// the Erlang loss model", Ann Oper Res 178, 2010, 23–43).
///
/// ```
/// use hutano_forecast::resources::erlang_b;
///
/// assert!((erlang_b(10, 5.0)? - 0.018_384_570_336_648).abs() < 1e-15);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for a negative or non-finite load.
pub fn erlang_b(servers: u32, load: f64) -> Result<f64> {
    check_load(load)?;
    let mut b = 1.0;
    for k in 1..=servers {
        b = load * b / (f64::from(k) + load * b);
    }
    Ok(b)
}

fn check_load(load: f64) -> Result<()> {
    if load.is_finite() && (0.0..=MAX_LOAD).contains(&load) {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "load",
            problem: format!("{load} erlangs is not a finite load in [0, {MAX_LOAD}]"),
        })
    }
}

/// Beds for a unit by two rules, so that callers can show the difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedSizing {
    /// Offered load `a` = arrival rate × mean length of stay, in erlangs:
    /// the mean census if no one were refused.
    pub offered_load: f64,
    /// The blocking target asked for.
    pub target: f64,
    /// Smallest bed count with `B(c, a) ≤ target`.
    pub erlang_beds: u32,
    /// `B(erlang_beds, a)`.
    pub erlang_blocking: f64,
    /// Mean occupancy at that size, `a (1 − B) / c`.
    pub erlang_occupancy: f64,
    /// Beds by the 85 % rule, `⌈a / 0.85⌉` (at least 1).
    pub occupancy_rule_beds: u32,
    /// `B(occupancy_rule_beds, a)`: the share of patients the 85 % rule
    /// would turn away. Small units get a much higher blocking than large
    /// ones at the same occupancy (de Bruin et al. 2010).
    pub occupancy_rule_blocking: f64,
}

/// Beds needed so that at most a share `target` of arriving patients find
/// the unit full, by the Erlang loss model (see [`erlang_b`]), next to the
/// flat 85 % occupancy rule.
///
/// `arrival_rate` is in patients per day and `mean_los` in days of bed
/// occupancy; for beds counted at the midnight census use
/// [`LosSurvival::mean`](super::LosSurvival::mean) (midnights per stay).
///
/// ```
/// use hutano_forecast::resources::beds_for_blocking;
///
/// // 2 admissions a day staying 4 days: a load of 8 erlangs.
/// let s = beds_for_blocking(2.0, 4.0, 0.05)?;
/// assert_eq!(s.occupancy_rule_beds, 10);
/// assert!(s.occupancy_rule_blocking > 0.1); // the 85 % rule turns away one in eight
/// assert_eq!(s.erlang_beds, 13);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless the arrival rate and mean length of
/// stay are positive and finite, their product at most 1e7 erlangs, and
/// `0 < target < 1`.
pub fn beds_for_blocking(arrival_rate: f64, mean_los: f64, target: f64) -> Result<BedSizing> {
    for (name, v) in [("arrival_rate", arrival_rate), ("mean_los", mean_los)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::InvalidParameter {
                name,
                problem: format!("{v} is not a positive finite number"),
            });
        }
    }
    if !(target > 0.0 && target < 1.0) {
        return Err(Error::InvalidParameter {
            name: "target",
            problem: format!("{target} is not a probability strictly between 0 and 1"),
        });
    }
    let load = arrival_rate * mean_los;
    check_load(load)?;
    // B(c, a) decreases to 0 in c, so the walk ends; for a ≤ 1e7 it takes
    // about a + a few √a steps.
    let (mut c, mut b) = (0_u32, 1.0_f64);
    while b > target {
        c += 1;
        b = load * b / (f64::from(c) + load * b);
    }
    let rule = occupancy_rule_beds(load);
    Ok(BedSizing {
        offered_load: load,
        target,
        erlang_beds: c,
        erlang_blocking: b,
        erlang_occupancy: load * (1.0 - b) / f64::from(c),
        occupancy_rule_beds: rule,
        occupancy_rule_blocking: erlang_b(rule, load)?,
    })
}

/// `⌈a / 0.85⌉`, at least 1, ignoring a rounding excess of 1e-12 relative
/// (so that a load of exactly 8.5 gives 10 beds, not 11).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn occupancy_rule_beds(load: f64) -> u32 {
    let x = load / OCCUPANCY_RULE;
    // load ≤ 1e7, so x fits in u32.
    ((x - x * 1e-12).ceil() as u32).max(1)
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    /// `B(c, a) = (a^c / c!) / Σ_{k ≤ c} a^k / k!`, summed in log space
    /// (an independent route from the recursion).
    fn direct(c: u32, a: f64) -> f64 {
        let ln_term = |k: u32| f64::from(k) * a.ln() - (1..=k).map(|i| f64::from(i).ln()).sum::<f64>();
        let top = ln_term(c);
        let den: f64 = (0..=c).map(|k| (ln_term(k) - top).exp()).sum();
        1.0 / den
    }

    #[test]
    fn erlang_b_matches_tables_and_direct_sum() {
        // Exact values from Python's fractions (a^c/c! / Σ a^k/k!, rational
        // arithmetic, then rounded to f64):
        //   B(10, 5) = 0.018384570336648132, B(20, 15) = 0.04559321558981184,
        //   B(5, 2) = 0.03669724770642202, B(100, 80) = 0.003992028604553197.
        // Published tables round B(10, 5) to 0.018385 and B(20, 15) to 0.0456
        // (0.04557, sometimes quoted, is a misprint of 0.04559).
        let cases = [
            (10, 5.0, 0.018_384_570_336_648_132),
            (20, 15.0, 0.045_593_215_589_811_84),
            (5, 2.0, 0.036_697_247_706_422_02),
            (100, 80.0, 0.003_992_028_604_553_197),
        ];
        for (c, a, exact) in cases {
            let b = erlang_b(c, a).unwrap();
            // The recursion loses at most a few ulps per step.
            assert!(
                (b - exact).abs() <= 1e-14 * exact.max(1e-300) * f64::from(c),
                "B({c}, {a}) = {b}"
            );
            assert!((b - direct(c, a)).abs() <= 1e-12 * exact, "direct B({c}, {a})");
        }
        assert!((erlang_b(10, 5.0).unwrap() - 0.018_385).abs() < 5e-7);
        assert_eq!(erlang_b(0, 3.0).unwrap(), 1.0);
        assert!((erlang_b(1, 1.0).unwrap() - 0.5).abs() < 1e-16);
        // Large loads: no overflow (a^c and c! would overflow f64).
        let b = erlang_b(1200, 1000.0).unwrap();
        assert!(b.is_finite() && b > 0.0 && b < 1e-6, "{b}");
        assert!((b - direct(1200, 1000.0)).abs() < 1e-9 * b);
        assert!(erlang_b(3, f64::NAN).is_err());
        assert!(erlang_b(3, -1.0).is_err());
    }

    #[test]
    fn beds_for_blocking_is_smallest_and_monotone() {
        let (rate, los) = (6.0, 5.5);
        let mut prev = 0;
        for target in [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.001, 1e-6] {
            let s = beds_for_blocking(rate, los, target).unwrap();
            let a = s.offered_load;
            assert!(s.erlang_blocking <= target);
            assert!(erlang_b(s.erlang_beds - 1, a).unwrap() > target);
            // A stricter target never needs fewer beds.
            assert!(s.erlang_beds >= prev, "{target}: {} < {prev}", s.erlang_beds);
            prev = s.erlang_beds;
            assert_eq!(s.occupancy_rule_beds, 39); // ⌈33 / 0.85⌉ = ⌈38.82⌉
        }
        // The 85 % rule blocks more in a small unit than in a large one.
        let small = beds_for_blocking(1.0, 4.0, 0.01).unwrap();
        let large = beds_for_blocking(50.0, 4.0, 0.01).unwrap();
        assert!(small.occupancy_rule_blocking > 5.0 * large.occupancy_rule_blocking);
        assert!(small.erlang_occupancy < large.erlang_occupancy);
        assert_eq!(beds_for_blocking(1.0, 8.5, 0.1).unwrap().occupancy_rule_beds, 10);
        for bad in [
            beds_for_blocking(0.0, 4.0, 0.1),
            beds_for_blocking(1.0, f64::INFINITY, 0.1),
            beds_for_blocking(1.0, 4.0, 0.0),
            beds_for_blocking(1.0, 4.0, 1.0),
            beds_for_blocking(1e5, 1e3, 0.1),
        ] {
            assert!(matches!(bad, Err(Error::InvalidParameter { .. })));
        }
    }
}
