//! The means behind the generator's arrivals, for judging forecasters
//! against the best possible forecast.
//!
//! A forecaster of generated admissions can at best know the mean each
//! day's count is drawn from: [`expected_arrivals`] returns it, computed
//! by the same code as [`generate`](super::generate) (same presets, seed,
//! holidays and outbreak plan), without drawing anything.

use chrono::{NaiveDate, TimeDelta};

use super::{
    add_structure, daily_means, preset_spec, setting_parts, BranchCtx, GeneratorConfig, Setting, DAY_EFFECT_SHAPE,
};
use crate::error::Result;
use crate::model::Network;

/// Expected fresh arrivals of one branch, per day and department.
///
/// The generator draws the fresh arrivals of department `d` on day `k` as
/// Poisson with mean `means[k][d] × G`, where `G ~ Gamma(day_effect_shape,
/// 1 / day_effect_shape)` (mean 1) is drawn once per department and day,
/// so the count is negative binomial with mean `means[k][d]`. Returns of
/// earlier patients (about one admission in seven) come on top; they
/// depend on the patients' histories and have no closed-form mean.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedArrivals {
    /// The branch's code, as in [`Branch::code`](crate::model::Branch::code).
    pub branch: String,
    /// Department codes, the order of each day's means.
    pub departments: Vec<String>,
    /// The first day (the configuration's `start`).
    pub start: NaiveDate,
    /// `means[k][d]`: expected fresh arrivals of department `d` on day
    /// `start + k`, admission types summed, outbreak surges included.
    pub means: Vec<Vec<f64>>,
    /// Shape of the Gamma day effect (its coefficient of variation is
    /// `1 / √shape`).
    pub day_effect_shape: f64,
}

impl ExpectedArrivals {
    /// The day `start + k`.
    #[must_use]
    pub fn day(&self, k: usize) -> NaiveDate {
        self.start + TimeDelta::days(i64::try_from(k).unwrap_or(i64::MAX))
    }
}

/// The means from which [`generate`](super::generate) draws each branch's
/// fresh arrivals on every day from `start`, one [`ExpectedArrivals`] per
/// branch in the network's branch order.
///
/// # Errors
/// The configuration errors of [`generate`](super::generate).
///
/// # Example
/// ```
/// use hutano_core::generate::{expected_arrivals, GeneratorConfig};
///
/// let config = GeneratorConfig::national(7).days(30);
/// let branches = expected_arrivals(&config)?;
/// assert_eq!(branches.len(), 11);
/// assert_eq!(branches[0].means.len(), 30);
/// let first_day: f64 = branches.iter().map(|b| b.means[0].iter().sum::<f64>()).sum();
/// assert!(first_day > 100.0 && first_day < 600.0);
/// # Ok::<(), hutano_core::Error>(())
/// ```
pub fn expected_arrivals(config: &GeneratorConfig) -> Result<Vec<ExpectedArrivals>> {
    config.check()?;
    let spec = preset_spec(config.preset);
    let (hz, holidays, plan) = setting_parts(config, spec);
    let set = Setting {
        config,
        spec,
        hz: &hz,
        holidays: &holidays,
        plan: &plan,
    };
    // The departments are built as `generate` builds them, in a scratch
    // network (nothing is drawn).
    let mut scratch = Network::new(spec.name);
    let mut out = Vec::with_capacity(spec.branches.len());
    for (index, branch) in spec.branches.iter().enumerate() {
        let ctx: BranchCtx<'_> = add_structure(&mut scratch, &set, index, branch);
        let mut means = Vec::with_capacity(hz.days as usize);
        let mut day = hz.start;
        while day < hz.end {
            let k = hz.offset(day);
            let holiday = ctx.is_holiday(day);
            let row = (0..ctx.depts.len())
                .map(|d| {
                    let m = daily_means(&ctx, d, day, holiday);
                    let surge: f64 = if ctx.depts[d].spec.outbreak {
                        (0..plan.outbreaks.len()).map(|o| plan.extra(o, index, k)).sum()
                    } else {
                        0.0
                    };
                    // Emergency and transfer-in arrivals carry the surge.
                    (m[0] + m[2]) * (1.0 + surge) + m[1] + m[3]
                })
                .collect();
            means.push(row);
            day += TimeDelta::days(1);
        }
        out.push(ExpectedArrivals {
            branch: branch.code.to_owned(),
            departments: ctx
                .depts
                .iter()
                .map(|d| scratch.departments[d.id.index()].code.clone())
                .collect(),
            start: hz.start,
            means,
            day_effect_shape: DAY_EFFECT_SHAPE,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::generate::generate;

    /// The fresh arrivals the generator records add up to the means it
    /// reports, within four standard deviations of their negative-binomial
    /// noise.
    #[test]
    fn realised_fresh_arrivals_match_the_means() {
        let config = GeneratorConfig::national(11).days(450);
        let net = generate(&config).unwrap();
        let expected = expected_arrivals(&config).unwrap();
        assert_eq!(expected.len(), net.branches.len());
        // Skip the first 270 days: a return comes up to 180 days after its
        // index stay, which before `start` (in the warm-up) is unrecorded,
        // so such a return would look fresh.
        let from = config.start + TimeDelta::days(270);
        let mut order: Vec<usize> = (0..net.encounters.len()).collect();
        order.sort_by_key(|&i| net.encounters[i].admit);
        let mut seen = HashSet::new();
        let mut fresh: HashMap<usize, f64> = HashMap::new();
        for i in order {
            let e = &net.encounters[i];
            let first = seen.insert(e.patient);
            if first && e.admit.date() >= from {
                *fresh.entry(e.branch.index()).or_default() += 1.0;
            }
        }
        for (b, exp) in expected.iter().enumerate() {
            assert_eq!(exp.branch, net.branches[b].code);
            let (mut mean, mut var) = (0.0, 0.0);
            for (k, row) in exp.means.iter().enumerate() {
                if exp.day(k) >= from {
                    for &m in row {
                        mean += m;
                        var += m + m * m / exp.day_effect_shape;
                    }
                }
            }
            let got = fresh.get(&b).copied().unwrap_or(0.0);
            assert!(
                (got - mean).abs() <= 4.0 * var.sqrt(),
                "branch {}: {got} fresh arrivals, expected {mean:.1} ± {:.1}",
                exp.branch,
                var.sqrt()
            );
        }
    }
}
