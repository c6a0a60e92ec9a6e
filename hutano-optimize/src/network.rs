//! Build planning problems from a [`Network`] and demand given as data.
//!
//! hutano-optimize never runs a forecasting model: demand comes in as plain
//! [`BedDemand`] rows, e.g. a forecast's point values rounded up, or the
//! observed midnight census ([`census_demand`]).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveTime};
use hutano_core::model::{BedType, Network, StaffRole};
use serde::{Deserialize, Serialize};

use crate::beds::{BedCosts, BedDemand, BedPool, BedProblem, Hospital};
use crate::error::{invalid, Result};
use crate::staff::{Requirement, ShiftSpec, StaffMember, StaffProblem, StaffRules};

/// Midnight census of each day from `start`, by hospital, service
/// (department name) and bed type, from the encounters' placements.
///
/// A patient counts on day `d` when a placement covers 00:00 of `d` (local
/// time of the branch). Rows with zero patients are omitted; rows are sorted
/// by day, hospital, service and bed type.
#[must_use]
pub fn census_demand(net: &Network, start: NaiveDate, days: usize) -> Vec<BedDemand> {
    let mut counts: BTreeMap<(usize, usize, String, BedType), u32> = BTreeMap::new();
    for e in &net.encounters {
        for (i, p) in e.placements.iter().enumerate() {
            let end = e.placements.get(i + 1).map(|n| n.start).or(e.discharge);
            for d in 0..days {
                let midnight = (start + Days::new(d as u64)).and_time(NaiveTime::MIN);
                if p.start <= midnight && end.is_none_or(|t| t > midnight) {
                    let service = net.departments[p.department.index()].name.clone();
                    *counts.entry((d, e.branch.index(), service, p.bed_type)).or_insert(0) += 1;
                }
            }
        }
    }
    counts
        .into_iter()
        .map(|((day, hospital, service, bed_type), patients)| BedDemand {
            day,
            hospital,
            service,
            bed_type,
            patients,
            stay_days: 1,
        })
        .collect()
}

/// The stays of the encounters' placements over `days` days from `start`
/// as cohorts (arrivals × length of stay), by arrival day, hospital,
/// service (department name), bed type and stay.
///
/// A placement (a stretch of an encounter in one department and bed type)
/// needs a bed on each day whose midnight it covers, as in
/// [`census_demand`]: its cohort arrives on the first such day of the
/// horizon (day 0 for a patient already in a bed at `start`) and stays
/// through the last one (clipped at the end of the horizon). Summed over the
/// days of each stay, the cohorts give exactly [`census_demand`]'s census
/// ([`BedProblem::census`]), but a bed plan over them keeps each patient in
/// one bed pool for the whole stay. Rows with zero patients are omitted;
/// rows are sorted by day, hospital, service, bed type and stay.
#[must_use]
pub fn cohort_demand(net: &Network, start: NaiveDate, days: usize) -> Vec<BedDemand> {
    let mut counts: BTreeMap<(usize, usize, String, BedType, u32), u32> = BTreeMap::new();
    for e in &net.encounters {
        for (i, p) in e.placements.iter().enumerate() {
            let end = e.placements.get(i + 1).map(|n| n.start).or(e.discharge);
            let covered = |d: usize| {
                let midnight = (start + Days::new(d as u64)).and_time(NaiveTime::MIN);
                p.start <= midnight && end.is_none_or(|t| t > midnight)
            };
            let Some(first) = (0..days).find(|&d| covered(d)) else {
                continue;
            };
            let last = (first..days).take_while(|&d| covered(d)).last().unwrap_or(first);
            let stay = u32::try_from(last - first + 1).unwrap_or(u32::MAX);
            let service = net.departments[p.department.index()].name.clone();
            *counts
                .entry((first, e.branch.index(), service, p.bed_type, stay))
                .or_insert(0) += 1;
        }
    }
    counts
        .into_iter()
        .map(|((day, hospital, service, bed_type, stay_days), patients)| BedDemand {
            day,
            hospital,
            service,
            bed_type,
            patients,
            stay_days,
        })
        .collect()
}

/// The bed problem of a network: one hospital per branch, one pool per ward
/// and bed type with the beds in service each day.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when the network is inconsistent or the
/// demand is out of range.
pub fn bed_problem(
    net: &Network,
    start: NaiveDate,
    days: usize,
    demand: Vec<BedDemand>,
    costs: BedCosts,
) -> Result<BedProblem> {
    net.validate()?;
    let hospitals = net
        .branches
        .iter()
        .map(|b| Hospital {
            code: b.code.clone(),
            location: b.location,
        })
        .collect();
    let mut pools: BTreeMap<(usize, BedType), BedPool> = BTreeMap::new();
    for block in &net.beds {
        let ward = &net.wards[block.ward.index()];
        let dept = &net.departments[ward.department.index()];
        let pool = pools
            .entry((block.ward.index(), block.bed_type))
            .or_insert_with(|| BedPool {
                ward: ward.code.clone(),
                hospital: dept.branch.index(),
                service: dept.name.clone(),
                bed_type: block.bed_type,
                beds: vec![0; days],
            });
        for (d, beds) in pool.beds.iter_mut().enumerate() {
            if block.in_service_on(start + Days::new(d as u64)) {
                *beds += block.count;
            }
        }
    }
    let p = BedProblem {
        start,
        days,
        hospitals,
        pools: pools.into_values().collect(),
        demand,
        costs,
        allow_unmet: true,
    };
    p.validate()?;
    Ok(p)
}

/// How staffing requirements follow the census.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingRatios {
    /// Patients per nurse on the day, evening and night shifts (general
    /// beds).
    pub patients_per_nurse: [f64; 3],
    /// Patients per nurse in ICU and HDU beds.
    pub critical_patients_per_nurse: f64,
    /// Patients per doctor on the day shift.
    pub patients_per_doctor: f64,
    /// Minimum (hard floor) as a share of the target.
    pub minimum_share: f64,
    /// Extra hours a week anyone may work as overtime.
    pub max_overtime_hours_per_week: f64,
}

impl Default for StaffingRatios {
    /// Nurses 1:8 day, 1:10 evening, 1:12 night, 1:2 critical; doctors 1:15;
    /// floors at half the target; 8 h overtime a week.
    fn default() -> Self {
        Self {
            patients_per_nurse: [8.0, 10.0, 12.0],
            critical_patients_per_nurse: 2.0,
            patients_per_doctor: 15.0,
            minimum_share: 0.5,
            max_overtime_hours_per_week: 8.0,
        }
    }
}

/// Wage per hour of a role (in the national preset's USD).
fn hourly_cost(role: StaffRole) -> f64 {
    match role {
        StaffRole::Doctor => 25.0,
        StaffRole::Nurse | StaffRole::Technician => 10.0,
        StaffRole::ClinicalOfficer => 14.0,
        StaffRole::Pharmacist => 15.0,
        StaffRole::Support => 5.0,
        StaffRole::Admin => 6.0,
    }
}

/// Whole number of staff for a fractional need (rounded up, saturating).
fn whole(x: f64) -> u32 {
    crate::beds::count(x.max(0.0).ceil())
}

/// The staff problem of a network over `days` days from `start`, with three
/// 8-hour shifts, requirements derived from `demand` (a daily census) and
/// every role:
///
/// - Nurses and doctors work in their department (unit = department code);
///   nurses are needed on every shift by the ratios, doctors on the day
///   shift by the ratio and one on the night shift. Clinical officers: one on
///   the day shift of their department.
/// - Staff without a department (pharmacists, technicians, support,
///   admin) work in one unit per branch and role (`"HRE-pharmacists"`):
///   60% of them wanted on the day shift, and 10% of technicians and support
///   staff on the evening and night shifts.
/// - Floors are `minimum_share` of the target, capped at a fifth of the
///   unit's staff so that the floors alone never exceed what a 40-hour week
///   can cover.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when the network is inconsistent or the
/// ratios are not positive.
#[allow(clippy::too_many_lines)]
pub fn staff_problem(
    net: &Network,
    start: NaiveDate,
    days: usize,
    demand: &[BedDemand],
    ratios: StaffingRatios,
    rules: StaffRules,
) -> Result<StaffProblem> {
    net.validate()?;
    let positive = ratios
        .patients_per_nurse
        .iter()
        .chain([&ratios.critical_patients_per_nurse, &ratios.patients_per_doctor])
        .all(|x| x.is_finite() && *x > 0.0);
    if !positive || !(0.0..=1.0).contains(&ratios.minimum_share) {
        return Err(invalid("ratios", "ratios must be positive and minimum_share in [0, 1]"));
    }
    let unit_of = |s: &hutano_core::model::Staff| match s.department {
        Some(d) => net.departments[d.index()].code.clone(),
        None => format!(
            "{}-{}",
            net.branches[s.branch.index()].code,
            crate::staff::role_plural(s.role).replace(' ', "-")
        ),
    };
    let staff: Vec<StaffMember> = net
        .staff
        .iter()
        .map(|s| StaffMember {
            code: s.code.clone(),
            role: s.role,
            units: vec![unit_of(s)],
            skills: s.skills.clone(),
            contracted_hours_per_week: s.contracted_hours_per_week,
            max_overtime_hours_per_week: ratios.max_overtime_hours_per_week,
            hourly_cost: hourly_cost(s.role),
            leave: Vec::new(),
        })
        .collect();
    // Staff per (unit, role).
    let mut headcount: BTreeMap<(String, u8), (StaffRole, u32)> = BTreeMap::new();
    for m in &staff {
        headcount
            .entry((m.units[0].clone(), crate::staff::role_code(m.role)))
            .or_insert((m.role, 0))
            .1 += 1;
    }
    // Census per (day, department code): general and critical patients.
    let mut census: BTreeMap<(usize, String), (f64, f64)> = BTreeMap::new();
    for d in demand {
        let Some(dept) = net
            .departments
            .iter()
            .find(|x| x.branch.index() == d.hospital && x.name == d.service)
        else {
            continue;
        };
        let e = census.entry((d.day, dept.code.clone())).or_insert((0.0, 0.0));
        if matches!(d.bed_type, BedType::Icu | BedType::Hdu) {
            e.1 += f64::from(d.patients);
        } else {
            e.0 += f64::from(d.patients);
        }
    }
    let mut requirements = Vec::new();
    for ((unit, _), &(role, n)) in &headcount {
        let cap = n / 5;
        for day in 0..days {
            let (general, critical) = census.get(&(day, unit.clone())).copied().unwrap_or((0.0, 0.0));
            let targets: [f64; 3] = match role {
                StaffRole::Nurse => {
                    let mut t = [0.0; 3];
                    for (k, r) in ratios.patients_per_nurse.iter().enumerate() {
                        t[k] = general / r + critical / ratios.critical_patients_per_nurse;
                    }
                    t
                }
                StaffRole::Doctor => [(general + critical) / ratios.patients_per_doctor, 0.0, 1.0],
                StaffRole::ClinicalOfficer => [1.0, 0.0, 0.0],
                StaffRole::Technician | StaffRole::Support => {
                    [f64::from(n) * 0.6, f64::from(n) * 0.1, f64::from(n) * 0.1]
                }
                StaffRole::Pharmacist | StaffRole::Admin => [f64::from(n) * 0.6, 0.0, 0.0],
            };
            for (shift, t) in targets.into_iter().enumerate() {
                let target = whole(t);
                if target == 0 {
                    continue;
                }
                let minimum = crate::beds::count((f64::from(target) * ratios.minimum_share).floor()).min(cap);
                requirements.push(Requirement {
                    unit: unit.clone(),
                    role,
                    skill: None,
                    day,
                    shift,
                    target,
                    minimum,
                });
            }
        }
    }
    let p = StaffProblem {
        start,
        days,
        shifts: ShiftSpec::three_shifts(),
        staff,
        requirements,
        rules,
    };
    p.validate()?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use hutano_core::generate::{generate, GeneratorConfig};

    use super::*;

    #[test]
    fn cohorts_add_up_to_the_census() {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let net = generate(&GeneratorConfig::india_four_branch(7).start(start).days(30)).unwrap();
        let first = start + Days::new(20);
        let cohorts = cohort_demand(&net, first, 8);
        assert!(cohorts.iter().any(|d| d.stay_days > 1));
        assert!(cohorts.iter().all(|d| d.day + d.stay_days as usize <= 8));
        assert_eq!(BedProblem::census(&cohorts, 8), census_demand(&net, first, 8));
    }
}
