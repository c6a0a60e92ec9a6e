//! Bed allocation: place demand by service and acuity into bed pools.
//!
//! # Model (one independent model per day)
//! - **Data.** Hospitals (with a location), bed pools (a ward's beds of one
//!   [`BedType`], with a count per day) and demand: patients of a service
//!   (department name, e.g. `"Medicine"`) at a hospital needing a bed type
//!   (the acuity: `Icu` for critical, `Hdu` for high dependency, ...).
//! - **Variables.** `x[g, p]` (integer ≥ 0): patients of demand group `g`
//!   placed in pool `p`, for every pool whose bed type can take the group
//!   ([`can_take`]) in the same hospital or in another one at most
//!   [`BedCosts::max_transfer_km`] away. `u[g]` (integer ≥ 0): patients not
//!   placed, when [`BedProblem::allow_unmet`] is true.
//! - **Hard constraints.** Every patient is placed or counted as unmet
//!   (`sum_p x[g, p] + u[g] = demand[g]`); no pool holds more patients than
//!   it has beds in service that day; no placement into an incompatible bed
//!   type or beyond the transfer distance. With `allow_unmet = false` the
//!   demand rows are labelled and an impossible day is reported as
//!   [`crate::Error::Infeasible`] naming each group that
//!   cannot be placed.
//! - **Objective (soft).** `unmet × u + off_service × [ward of another
//!   service] + wrong_bed_type × [other bed type] + [other hospital] ×
//!   (transfer_fixed + transfer_per_km × km)`, summed over patients.
//!
//! Days are independent (the demand is a daily census), so the plan is one
//! model per day, solved in parallel with the `parallel` feature. Each day's
//! model is a transportation problem: its constraint matrix is totally
//! unimodular, so the LP relaxation is integral and branch and bound never
//! branches.

use chrono::{Days, NaiveDate};
use hutano_core::model::BedType;
use serde::{Deserialize, Serialize};

use crate::error::{invalid, Result};
use crate::lp::{Label, LinearModel, Sense, VarId};
use crate::solver::{solve_all, Solver};

/// A hospital of the bed or dispatch problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hospital {
    /// Short code (e.g. `"HRE"`).
    pub code: String,
    /// Latitude and longitude in degrees, where known. Transfers between two
    /// hospitals of which one has no location count as 0 km.
    pub location: Option<(f64, f64)>,
}

/// The beds of one type in one ward, per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedPool {
    /// Ward code.
    pub ward: String,
    /// Index into [`BedProblem::hospitals`].
    pub hospital: usize,
    /// Service (department name) the ward belongs to.
    pub service: String,
    /// Bed type.
    pub bed_type: BedType,
    /// Beds in service on each day of the horizon (length = `days`).
    pub beds: Vec<u32>,
}

/// Patients needing a bed on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedDemand {
    /// Day offset from [`BedProblem::start`].
    pub day: usize,
    /// Index into [`BedProblem::hospitals`]: where the patients are.
    pub hospital: usize,
    /// Service (department name) responsible for them.
    pub service: String,
    /// Bed type they need (their acuity).
    pub bed_type: BedType,
    /// Number of patients.
    pub patients: u32,
}

/// Objective weights of the bed plan, per patient (per patient-km for
/// `transfer_per_km`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BedCosts {
    /// A patient left without a bed.
    pub unmet: f64,
    /// A patient in a ward of another service.
    pub off_service: f64,
    /// A patient in a bed of another type than the one needed.
    pub wrong_bed_type: f64,
    /// A patient moved to another hospital (fixed part).
    pub transfer_fixed: f64,
    /// A patient moved to another hospital, per km.
    pub transfer_per_km: f64,
    /// No transfer further than this (km).
    pub max_transfer_km: f64,
}

impl Default for BedCosts {
    /// Unmet 1000, off-service 10, wrong bed type 20, transfer 50 + 0.5/km up
    /// to 400 km.
    fn default() -> Self {
        Self {
            unmet: 1000.0,
            off_service: 10.0,
            wrong_bed_type: 20.0,
            transfer_fixed: 50.0,
            transfer_per_km: 0.5,
            max_transfer_km: 400.0,
        }
    }
}

/// Whether a bed of type `offered` may take a patient needing `needed`.
///
/// Upgrades are allowed (general → HDU or ICU or private, HDU → ICU), as are
/// single rooms for maternity and isolation and a general bed for a patient
/// who asked for a private room. Downgrades in acuity (ICU → HDU, anything →
/// general from ICU/HDU/isolation/maternity) are never allowed.
#[must_use]
pub fn can_take(needed: BedType, offered: BedType) -> bool {
    use BedType::{General, Hdu, Icu, Isolation, Maternity, Private};
    needed == offered
        || matches!(
            (needed, offered),
            (General, Private | Hdu | Icu) | (Private, General) | (Hdu, Icu) | (Maternity | Isolation, Private)
        )
}

/// Great-circle distance in km (haversine, mean Earth radius 6371 km).
#[must_use]
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// A bed allocation problem over `days` days from `start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedProblem {
    /// First day.
    pub start: NaiveDate,
    /// Number of days.
    pub days: usize,
    /// Hospitals.
    pub hospitals: Vec<Hospital>,
    /// Bed pools.
    pub pools: Vec<BedPool>,
    /// Demand.
    pub demand: Vec<BedDemand>,
    /// Objective weights.
    pub costs: BedCosts,
    /// Whether patients may be left without a bed (penalised); when false,
    /// every patient must be placed or the plan is infeasible.
    pub allow_unmet: bool,
}

/// Patients of one demand group placed in one pool on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedPlacement {
    /// Day.
    pub date: NaiveDate,
    /// Index into [`BedProblem::demand`].
    pub demand: usize,
    /// Index into [`BedProblem::pools`].
    pub pool: usize,
    /// Where the patients are (hospital code).
    pub from_hospital: String,
    /// Where they are placed (hospital code).
    pub to_hospital: String,
    /// Ward code.
    pub ward: String,
    /// Service of the patients.
    pub service: String,
    /// Bed type needed.
    pub needed: BedType,
    /// Bed type given.
    pub bed_type: BedType,
    /// Number of patients.
    pub patients: u32,
    /// The ward belongs to another service.
    pub off_service: bool,
    /// Distance of the transfer in km, `None` when not moved.
    pub transfer_km: Option<f64>,
}

/// Patients of a demand group left without a bed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmetDemand {
    /// Day.
    pub date: NaiveDate,
    /// Index into [`BedProblem::demand`].
    pub demand: usize,
    /// Patients without a bed.
    pub patients: u32,
}

/// The plan of one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedDayPlan {
    /// Day.
    pub date: NaiveDate,
    /// Placements (transfers are those with `transfer_km` set).
    pub placements: Vec<BedPlacement>,
    /// Demand left without a bed.
    pub unmet: Vec<UnmetDemand>,
}

impl BedDayPlan {
    /// The inter-hospital transfers of the day.
    pub fn transfers(&self) -> impl Iterator<Item = &BedPlacement> {
        self.placements.iter().filter(|p| p.transfer_km.is_some())
    }
}

/// Totals of a bed plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BedCostSummary {
    /// Patient-days without a bed.
    pub unmet_patients: u64,
    /// Patient-days in a ward of another service.
    pub off_service_patients: u64,
    /// Patient-days in a bed of another type.
    pub wrong_type_patients: u64,
    /// Patients moved to another hospital.
    pub transferred_patients: u64,
    /// Total patient-km of the transfers.
    pub transfer_km: f64,
}

/// A bed plan: placements and transfers per day, and the cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedPlan {
    /// One plan per day.
    pub days: Vec<BedDayPlan>,
    /// Totals.
    pub summary: BedCostSummary,
    /// Objective value (sum over the days).
    pub objective: f64,
}

/// What a variable of a day's model stands for.
#[derive(Debug, Clone, Copy)]
enum BedVar {
    Place { demand: usize, pool: usize },
    Unmet { demand: usize },
}

/// A day's model and the meaning of its variables.
#[derive(Debug, Clone)]
struct DayModel {
    model: LinearModel,
    vars: Vec<BedVar>,
}

impl BedProblem {
    /// Check indices, lengths and weights.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first problem.
    pub fn validate(&self) -> Result<()> {
        for (i, p) in self.pools.iter().enumerate() {
            if p.hospital >= self.hospitals.len() {
                return Err(invalid(
                    "pools",
                    format!("pool {i} names hospital {} of {}", p.hospital, self.hospitals.len()),
                ));
            }
            if p.beds.len() != self.days {
                return Err(invalid(
                    "pools",
                    format!("pool {i} has {} days of beds, not {}", p.beds.len(), self.days),
                ));
            }
        }
        for (i, d) in self.demand.iter().enumerate() {
            if d.hospital >= self.hospitals.len() || d.day >= self.days {
                return Err(invalid(
                    "demand",
                    format!("demand {i} is out of range (hospital or day)"),
                ));
            }
        }
        let c = &self.costs;
        let weights = [
            c.unmet,
            c.off_service,
            c.wrong_bed_type,
            c.transfer_fixed,
            c.transfer_per_km,
            c.max_transfer_km,
        ];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(invalid("costs", "weights must be finite and non-negative"));
        }
        Ok(())
    }

    /// The date of day offset `day`.
    fn date(&self, day: usize) -> NaiveDate {
        self.start + Days::new(day as u64)
    }

    /// Distance between two hospitals (0 when either has no location).
    fn km(&self, a: usize, b: usize) -> f64 {
        match (self.hospitals[a].location, self.hospitals[b].location) {
            (Some(x), Some(y)) if a != b => distance_km(x, y),
            _ => 0.0,
        }
    }

    /// Objective cost of placing one patient of demand `g` in pool `p`, or
    /// `None` when not allowed.
    fn arc_cost(&self, g: usize, p: usize) -> Option<f64> {
        let d = &self.demand[g];
        let pool = &self.pools[p];
        if !can_take(d.bed_type, pool.bed_type) || pool.beds[d.day] == 0 {
            return None;
        }
        let c = &self.costs;
        let mut cost = 0.0;
        if pool.service != d.service {
            cost += c.off_service;
        }
        if pool.bed_type != d.bed_type {
            cost += c.wrong_bed_type;
        }
        if pool.hospital != d.hospital {
            let km = self.km(d.hospital, pool.hospital);
            if km > c.max_transfer_km {
                return None;
            }
            cost += c.transfer_fixed + c.transfer_per_km * km;
        }
        Some(cost)
    }

    fn day_model(&self, day: usize) -> DayModel {
        let date = self.date(day);
        let mut model = LinearModel::new(format!("beds-{date}"));
        let mut vars = Vec::new();
        let mut pool_terms: Vec<Vec<(VarId, f64)>> = vec![Vec::new(); self.pools.len()];
        for (g, d) in self.demand.iter().enumerate() {
            if d.day != day || d.patients == 0 {
                continue;
            }
            let n = f64::from(d.patients);
            let mut terms = Vec::new();
            for (p, terms_p) in pool_terms.iter_mut().enumerate() {
                if let Some(cost) = self.arc_cost(g, p) {
                    let v = model.add_int_var(format!("x_{g}_{p}"), 0.0, n, cost);
                    vars.push(BedVar::Place { demand: g, pool: p });
                    terms.push((v, 1.0));
                    terms_p.push((v, 1.0));
                }
            }
            let label = if self.allow_unmet {
                let u = model.add_int_var(format!("unmet_{g}"), 0.0, n, self.costs.unmet);
                vars.push(BedVar::Unmet { demand: g });
                terms.push((u, 1.0));
                None
            } else {
                Some(Label {
                    resource: format!(
                        "{} beds for {} patients at {}",
                        d.bed_type.label(),
                        d.service,
                        self.hospitals[d.hospital].code
                    ),
                    date: Some(date),
                    shift: None,
                })
            };
            model.add_row(format!("demand_{g}"), terms, Sense::Eq, n, label);
        }
        for (p, terms) in pool_terms.into_iter().enumerate() {
            if !terms.is_empty() {
                let beds = f64::from(self.pools[p].beds[day]);
                model.add_row(format!("beds_{p}"), terms, Sense::Le, beds, None);
            }
        }
        DayModel { model, vars }
    }

    /// The models of every day, in day order (for export, e.g. to MPS).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid.
    pub fn models(&self) -> Result<Vec<LinearModel>> {
        self.validate()?;
        Ok((0..self.days).map(|d| self.day_model(d).model).collect())
    }

    /// Solve the bed allocation.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::BedType;
    /// use hutano_optimize::beds::{BedCosts, BedDemand, BedPool, BedProblem, Hospital};
    /// use hutano_optimize::solver::MicroLp;
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let problem = BedProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 1,
    ///     hospitals: vec![Hospital { code: "HRE".into(), location: None }],
    ///     pools: vec![BedPool {
    ///         ward: "HRE-MED-W1".into(),
    ///         hospital: 0,
    ///         service: "Medicine".into(),
    ///         bed_type: BedType::General,
    ///         beds: vec![10],
    ///     }],
    ///     demand: vec![BedDemand {
    ///         day: 0,
    ///         hospital: 0,
    ///         service: "Medicine".into(),
    ///         bed_type: BedType::General,
    ///         patients: 12,
    ///     }],
    ///     costs: BedCosts::default(),
    ///     allow_unmet: true,
    /// };
    /// let plan = problem.solve(&MicroLp)?;
    /// assert_eq!(plan.summary.unmet_patients, 2);
    /// assert_eq!(plan.objective, 2000.0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// - [`crate::Error::InvalidInput`] when the problem is invalid.
    /// - [`crate::Error::Infeasible`] when `allow_unmet` is false and some
    ///   patients cannot be placed, naming each group (bed type, service,
    ///   hospital, day) with patients needing a bed and beds that can take them.
    /// - Any backend error ([`Solver::solve`]).
    pub fn solve(&self, solver: &dyn Solver) -> Result<BedPlan> {
        self.validate()?;
        let days: Vec<DayModel> = (0..self.days).map(|d| self.day_model(d)).collect();
        let models: Vec<LinearModel> = days.iter().map(|d| d.model.clone()).collect();
        let solutions = solve_all(solver, &models)?;
        let mut plan = BedPlan {
            days: Vec::with_capacity(self.days),
            summary: BedCostSummary::default(),
            objective: 0.0,
        };
        for (day, (dm, sol)) in days.iter().zip(&solutions).enumerate() {
            let date = self.date(day);
            let mut dp = BedDayPlan {
                date,
                placements: Vec::new(),
                unmet: Vec::new(),
            };
            for (i, meaning) in dm.vars.iter().enumerate() {
                let n = count(sol.values[i]);
                if n == 0 {
                    continue;
                }
                match *meaning {
                    BedVar::Place { demand, pool } => dp.placements.push(self.placement(date, demand, pool, n)),
                    BedVar::Unmet { demand } => dp.unmet.push(UnmetDemand {
                        date,
                        demand,
                        patients: n,
                    }),
                }
            }
            plan.objective += sol.objective;
            plan.days.push(dp);
        }
        plan.summary = Self::summarise(&plan);
        Ok(plan)
    }

    fn placement(&self, date: NaiveDate, demand: usize, pool: usize, patients: u32) -> BedPlacement {
        let d = &self.demand[demand];
        let p = &self.pools[pool];
        BedPlacement {
            date,
            demand,
            pool,
            from_hospital: self.hospitals[d.hospital].code.clone(),
            to_hospital: self.hospitals[p.hospital].code.clone(),
            ward: p.ward.clone(),
            service: d.service.clone(),
            needed: d.bed_type,
            bed_type: p.bed_type,
            patients,
            off_service: p.service != d.service,
            transfer_km: (p.hospital != d.hospital).then(|| self.km(d.hospital, p.hospital)),
        }
    }

    fn summarise(plan: &BedPlan) -> BedCostSummary {
        let mut s = BedCostSummary::default();
        for day in &plan.days {
            for p in &day.placements {
                let n = u64::from(p.patients);
                if p.off_service {
                    s.off_service_patients += n;
                }
                if p.bed_type != p.needed {
                    s.wrong_type_patients += n;
                }
                if let Some(km) = p.transfer_km {
                    s.transferred_patients += n;
                    s.transfer_km += km * n as f64;
                }
            }
            s.unmet_patients += day.unmet.iter().map(|u| u64::from(u.patients)).sum::<u64>();
        }
        s
    }

    /// The objective of a plan recomputed from its placements (independent of
    /// the solver's objective value).
    #[must_use]
    pub fn plan_cost(&self, plan: &BedPlan) -> f64 {
        let mut total = 0.0;
        for day in &plan.days {
            for p in &day.placements {
                total += self.arc_cost(p.demand, p.pool).unwrap_or(f64::INFINITY) * f64::from(p.patients);
            }
            total += day
                .unmet
                .iter()
                .map(|u| self.costs.unmet * f64::from(u.patients))
                .sum::<f64>();
        }
        total
    }
}

/// A solver value of an integer count as `u32` (values are already rounded
/// and non-negative; anything else saturates).
pub(crate) fn count(x: f64) -> u32 {
    if x.is_finite() && x > 0.0 {
        // Bounded by the demand, which is a u32.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = x.round().min(f64::from(u32::MAX)) as u32;
        n
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::MicroLp;
    use crate::Error;

    fn problem() -> BedProblem {
        BedProblem {
            start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap(),
            days: 1,
            hospitals: vec![
                Hospital {
                    code: "A".into(),
                    location: Some((-17.8, 31.0)),
                },
                Hospital {
                    code: "B".into(),
                    location: Some((-18.9, 32.6)),
                },
            ],
            pools: vec![
                BedPool {
                    ward: "A-ICU".into(),
                    hospital: 0,
                    service: "ICU".into(),
                    bed_type: BedType::Icu,
                    beds: vec![2],
                },
                BedPool {
                    ward: "B-ICU".into(),
                    hospital: 1,
                    service: "ICU".into(),
                    bed_type: BedType::Icu,
                    beds: vec![3],
                },
            ],
            demand: vec![BedDemand {
                day: 0,
                hospital: 0,
                service: "ICU".into(),
                bed_type: BedType::Icu,
                patients: 4,
            }],
            costs: BedCosts::default(),
            allow_unmet: false,
        }
    }

    #[test]
    fn overflow_is_transferred() {
        let p = problem();
        let plan = p.solve(&MicroLp).unwrap();
        assert_eq!(plan.summary.transferred_patients, 2);
        assert!((plan.objective - p.plan_cost(&plan)).abs() < 1e-6);
        assert_eq!(plan.days[0].transfers().count(), 1);
    }

    #[test]
    fn unplaceable_patients_are_named() {
        let mut p = problem();
        p.demand[0].patients = 7;
        match p.solve(&MicroLp) {
            Err(Error::Infeasible { violations }) => {
                assert_eq!(violations.len(), 1);
                assert_eq!(
                    violations[0].to_string(),
                    "icu beds for ICU patients at A on 2024-05-03: 7 needed, 5 available"
                );
            }
            other => panic!("expected infeasible, got {other:?}"),
        }
    }

    #[test]
    fn compatibility_is_one_way() {
        assert!(can_take(BedType::General, BedType::Icu));
        assert!(!can_take(BedType::Icu, BedType::General));
        assert!(can_take(BedType::Hdu, BedType::Icu));
        assert!(!can_take(BedType::Icu, BedType::Hdu));
    }

    #[test]
    fn invalid_input_is_rejected() {
        let mut p = problem();
        p.pools[0].beds = vec![];
        assert!(matches!(p.solve(&MicroLp), Err(Error::InvalidInput { .. })));
    }
}
