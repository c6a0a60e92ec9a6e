//! Bed allocation: place demand by service and acuity into bed pools.
//!
//! # Model
//! - **Data.** Hospitals (with a location), bed pools (a ward's beds of one
//!   [`BedType`], with a count per day) and demand groups: patients of a
//!   service (department name, e.g. `"Medicine"`) at a hospital needing a bed
//!   type (the acuity: `Icu` for critical, `Hdu` for high dependency, ...)
//!   who arrive on a day and stay [`BedDemand::stay_days`] days (1 by
//!   default), clipped at the end of the horizon.
//! - **Variables.** `x[g, p]` (integer ≥ 0): patients of demand group `g`
//!   placed in pool `p` for their **whole stay**, for every pool whose bed
//!   type can take the group ([`can_take`]), that has beds in service on
//!   every day of the stay, in the same hospital or in another one at most
//!   [`BedCosts::max_transfer_km`] away. `u[g]` (integer ≥ 0): patients not
//!   placed (for their whole stay), when [`BedProblem::allow_unmet`] is true.
//! - **Hard constraints.** Every patient is placed or counted as unmet
//!   (`sum_p x[g, p] + u[g] = demand[g]`); on every day, no pool holds more
//!   patients than it has beds in service (`sum_{g present on day t} x[g,
//!   p] <= beds[p][t]`); no placement into an incompatible bed type or
//!   beyond the transfer distance. Patients are never moved between pools
//!   during their stay. With `allow_unmet = false` the demand rows are
//!   labelled and a group that cannot be placed is reported as
//!   [`crate::Error::Infeasible`] naming the group (bed type, service,
//!   hospital, length of stay when more than one day, arrival day).
//! - **Objective (soft).** Per patient-day: `unmet × u + off_service ×
//!   [ward of another service] + wrong_bed_type × [other bed type]`; once per
//!   patient, on arrival: `[other hospital] × (transfer_fixed +
//!   transfer_per_km × km)`. The summary counts unmet, off-service and
//!   wrong-type **patient-days** and transferred **patients**.
//!
//! # Stays and continuity
//! A demand row is a cohort: `patients` arriving on `day` who need a bed
//! from `day` through `day + stay_days − 1`. A daily census (the demand of
//! every day counted afresh, e.g. [`crate::network::census_demand`]) is the
//! special case `stay_days = 1`: each day's patients are then placed
//! independently of the day before. Patients **already in beds** at the
//! start of the horizon are a row with `day = 0` and their remaining stay;
//! the plan may then place them anywhere (at a transfer cost when in another
//! hospital than the row's). To keep them where they are instead, leave them
//! out of the demand and subtract them from their pool's beds on the days
//! they stay.
//!
//! Only a whole stay is placed or left unmet: a patient is never given a bed
//! for part of the stay (a patient who waits a day for a bed is a later
//! arrival with a shorter stay).
//!
//! # Decomposition and solving
//! Days are split into independent **blocks**: a block ends after a day
//! that no stay crosses into the next (the connected components of the days
//! linked by stays). Each block is one model and the blocks are solved in
//! parallel with the `parallel` feature ([`crate::solve_all`]). The sum of
//! the blocks' optima is the optimum, since they share no variable or row.
//!
//! - When every `stay_days` is 1, each block is one day and its model is a
//!   transportation problem: the constraint matrix is totally unimodular, so
//!   the LP relaxation is integral and branch and bound never branches. The
//!   models, plan and objective are exactly those of the one-model-per-day
//!   planner that preceded stays.
//! - With longer stays, a block couples days: a column `x[g, p]` appears in
//!   the capacity rows of every day of the stay. The matrix is no longer
//!   totally unimodular in general (an integral flow of cohorts over
//!   intervals of days is a multi-commodity problem), so the LP relaxation
//!   may be fractional and the backend's branch and bound proves the integer
//!   optimum ([`crate::MicroLp`]: exact; [`BedProblem::solve_budgeted`]:
//!   hutano's own search within a [`Budget`], exact without limits, with a
//!   proven bound otherwise). A budgeted block that is not proven optimal
//!   is then improved by moving patients, a whole stay at a time, into beds
//!   left free on every day of the stay (unmet patients first), which keeps
//!   the proven lower bound and narrows the gap.
//!
//! **Scale.** The generated national network's 30-day plan with the
//! encounters' stays ([`crate::network::cohort_demand`]) is one block of
//! 417 955 integer columns and 10 734 rows, whose LP relaxation is within
//! 0.02 % of the integer optimum but fractional. microlp's own branch and
//! bound ([`crate::MicroLp`]) keeps a copy of the simplex per open node and
//! grew past 17 GB within minutes on it (stopped there);
//! [HiGHS](https://highs.dev) proves the optimum in about 11 minutes with
//! 5.2 GB; [`BedProblem::solve_budgeted`]
//! with a 200-node limit returns a plan 0.014 % above the optimum, proven
//! within 0.033 %, in 2.5 minutes with 3.9 GB. Prefer it for long stays on
//! large networks.
//!
//! Why cohorts rather than a census with a penalty on moves: a census does
//! not say which patients are the same from one day to the next, so a
//! "transfer" there is a change in counts, not a move, and lock-in (two
//! long stays filling a ward that a later arrival then cannot use) cannot be
//! expressed. A cohort model says who stays how long, prices a transfer
//! once, and keeps the daily occupancy visible: each day's
//! [`BedDayPlan::placements`] list every patient in a bed that day, with
//! [`BedPlacement::arrival`] marking the day the placement (and any
//! transfer) happens.

use chrono::{Days, NaiveDate};
use hutano_core::model::BedType;
use serde::{Deserialize, Serialize};

use crate::budget::{solve_all_budgeted, Bound, Budget};
use crate::error::{invalid, Result};
use crate::lp::{Label, LinearModel, Sense, Solution, SolveStatus, VarId, FEASIBILITY_TOL};
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

/// Patients arriving on one day who need a bed for one or more days (a
/// cohort; see the [module documentation](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedDemand {
    /// Day offset from [`BedProblem::start`]: the arrival day (0 also for
    /// patients already in a bed at the start).
    pub day: usize,
    /// Index into [`BedProblem::hospitals`]: where the patients are.
    pub hospital: usize,
    /// Service (department name) responsible for them.
    pub service: String,
    /// Bed type they need (their acuity).
    pub bed_type: BedType,
    /// Number of patients.
    pub patients: u32,
    /// Days in a bed, from `day` through `day + stay_days − 1` (clipped at
    /// the end of the horizon); at least 1. Default (also when absent from
    /// serialized input): 1, a daily census.
    #[serde(default = "one_day")]
    pub stay_days: u32,
}

/// The default [`BedDemand::stay_days`].
fn one_day() -> u32 {
    1
}

/// The default [`BedPlacement::arrival`].
fn arrives() -> bool {
    true
}

impl BedDemand {
    /// The last day offset (inclusive) on which these patients need a bed in
    /// a horizon of `days` days: `day + stay_days − 1`, clipped at `days − 1`
    /// (and never before `day`).
    ///
    /// ```
    /// use hutano_core::model::BedType;
    /// use hutano_optimize::beds::BedDemand;
    ///
    /// let d = BedDemand {
    ///     day: 2, hospital: 0, service: "Medicine".into(), bed_type: BedType::General,
    ///     patients: 3, stay_days: 4,
    /// };
    /// assert_eq!(d.last_day(30), 5);
    /// assert_eq!(d.last_day(4), 3); // clipped at the horizon
    /// ```
    #[must_use]
    pub fn last_day(&self, days: usize) -> usize {
        let stay = usize::try_from(self.stay_days.max(1)).unwrap_or(usize::MAX);
        self.day.saturating_add(stay).min(days).saturating_sub(1).max(self.day)
    }
}

/// Objective weights of the bed plan: per patient-day for `unmet`,
/// `off_service` and `wrong_bed_type`, per patient moved for
/// `transfer_fixed` and per patient-km for `transfer_per_km` (a transfer is
/// paid once, on arrival).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BedCosts {
    /// A patient left without a bed, per day.
    pub unmet: f64,
    /// A patient in a ward of another service, per day.
    pub off_service: f64,
    /// A patient in a bed of another type than the one needed, per day.
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

/// Patients of one demand group in one pool on one day.
///
/// A group placed in a pool appears on every day of its stay with the same
/// pool and count; [`BedPlacement::arrival`] marks the first day, on which
/// the placement (and any transfer) happens.
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
    /// Distance of the transfer in km, `None` when not moved (set on every
    /// day of a stay in another hospital; the move itself is on the arrival
    /// day).
    pub transfer_km: Option<f64>,
    /// Whether this is the patients' arrival day (the first day of the
    /// stay), on which they are placed and, when in another hospital,
    /// transferred. Always true for one-day stays. Default (also when absent
    /// from serialized input): true.
    #[serde(default = "arrives")]
    pub arrival: bool,
}

/// Patients of a demand group left without a bed on one day (a group left
/// unmet appears on every day of its stay).
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
    /// Every patient in a bed that day (the day's occupancy), including
    /// those who arrived on an earlier day; transfers are the placements with
    /// `transfer_km` set on their arrival day ([`BedDayPlan::transfers`]).
    pub placements: Vec<BedPlacement>,
    /// Patients without a bed that day.
    pub unmet: Vec<UnmetDemand>,
}

impl BedDayPlan {
    /// The inter-hospital transfers of the day: placements in another
    /// hospital on the patients' arrival day (a patient moved for a stay of
    /// several days is transferred once).
    pub fn transfers(&self) -> impl Iterator<Item = &BedPlacement> {
        self.placements.iter().filter(|p| p.arrival && p.transfer_km.is_some())
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
    /// Patients moved to another hospital (each once, however long the
    /// stay).
    pub transferred_patients: u64,
    /// Total patient-km of the transfers (each patient once).
    pub transfer_km: f64,
}

/// A bed plan: placements and transfers per day, and the cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedPlan {
    /// One plan per day.
    pub days: Vec<BedDayPlan>,
    /// Totals.
    pub summary: BedCostSummary,
    /// Objective value (sum over the independent blocks of days).
    pub objective: f64,
}

/// What a budgeted bed plan ([`BedProblem::solve_budgeted`]) proved: the
/// bound of each independent block of days (in the order of
/// [`BedProblem::models`]) and of the whole plan ([`Bound::total`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedBound {
    /// One bound per block of days.
    pub parts: Vec<Bound>,
    /// The whole plan.
    pub total: Bound,
}

/// What a variable of a block's model stands for.
#[derive(Debug, Clone, Copy)]
enum BedVar {
    Place { demand: usize, pool: usize },
    Unmet { demand: usize },
}

/// The model of one independent block of days and the meaning of its
/// variables.
#[derive(Debug, Clone)]
struct Part {
    model: LinearModel,
    vars: Vec<BedVar>,
}

impl BedProblem {
    /// Check indices, lengths, stays and weights.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first problem (for a demand
    /// row, its index).
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
            if d.stay_days == 0 {
                return Err(invalid(
                    "demand",
                    format!("demand {i} has stay_days 0 (a stay is at least 1 day)"),
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

    /// First and last day (inclusive) of demand `g`'s stay in the horizon.
    fn span(&self, g: usize) -> (usize, usize) {
        let d = &self.demand[g];
        (d.day, d.last_day(self.days))
    }

    /// Days of demand `g`'s stay in the horizon, as the factor of per-day
    /// costs.
    fn stay_len(&self, g: usize) -> f64 {
        let (a, e) = self.span(g);
        (e - a + 1) as f64
    }

    /// The costs of placing one patient of demand `g` in pool `p`: per day
    /// (off-service and wrong type) and once (the transfer), or `None` when
    /// not allowed (incompatible type, too far, or a day of the stay without
    /// beds in the pool).
    fn arc_costs(&self, g: usize, p: usize) -> Option<(f64, f64)> {
        let d = &self.demand[g];
        let pool = &self.pools[p];
        let (first, last) = self.span(g);
        if !can_take(d.bed_type, pool.bed_type) || pool.beds[first..=last].contains(&0) {
            return None;
        }
        let c = &self.costs;
        let mut per_day = 0.0;
        if pool.service != d.service {
            per_day += c.off_service;
        }
        if pool.bed_type != d.bed_type {
            per_day += c.wrong_bed_type;
        }
        let mut once = 0.0;
        if pool.hospital != d.hospital {
            let km = self.km(d.hospital, pool.hospital);
            if km > c.max_transfer_km {
                return None;
            }
            once = c.transfer_fixed + c.transfer_per_km * km;
        }
        Some((per_day, once))
    }

    /// Objective cost of placing one patient of demand `g` in pool `p` for
    /// the whole stay, or `None` when not allowed.
    fn arc_cost(&self, g: usize, p: usize) -> Option<f64> {
        let (per_day, once) = self.arc_costs(g, p)?;
        Some(per_day * self.stay_len(g) + once)
    }

    /// The independent blocks of days, as inclusive day ranges in order: a
    /// block ends after a day that no stay (of a group with patients)
    /// crosses into the next.
    fn blocks(&self) -> Vec<(usize, usize)> {
        // crossing[t]: stays covering both day t and day t + 1.
        let mut crossing = vec![0_i64; self.days + 1];
        for (g, d) in self.demand.iter().enumerate() {
            let (a, e) = self.span(g);
            if d.patients > 0 && e > a {
                crossing[a] += 1;
                crossing[e] -= 1;
            }
        }
        let mut out = Vec::new();
        let (mut first, mut open) = (0, 0_i64);
        for (t, change) in crossing.iter().take(self.days).enumerate() {
            open += change;
            if open == 0 {
                out.push((first, t));
                first = t + 1;
            }
        }
        out
    }

    /// The model of the block of days `first..=last`.
    ///
    /// A one-day block gives exactly the per-day transportation model
    /// (names, variable and row order) of the planner without stays.
    fn part(&self, first: usize, last: usize) -> Part {
        let single = first == last;
        let name = if single {
            format!("beds-{}", self.date(first))
        } else {
            format!("beds-{}-to-{}", self.date(first), self.date(last))
        };
        let mut model = LinearModel::new(name);
        let mut vars = Vec::new();
        // Capacity terms per day of the block and pool.
        let mut pool_terms: Vec<Vec<Vec<(VarId, f64)>>> = vec![vec![Vec::new(); self.pools.len()]; last - first + 1];
        for (g, d) in self.demand.iter().enumerate() {
            if d.day < first || d.day > last || d.patients == 0 {
                continue;
            }
            let (a, e) = self.span(g);
            let n = f64::from(d.patients);
            let mut terms = Vec::new();
            for p in 0..self.pools.len() {
                if let Some(cost) = self.arc_cost(g, p) {
                    let v = model.add_int_var(format!("x_{g}_{p}"), 0.0, n, cost);
                    vars.push(BedVar::Place { demand: g, pool: p });
                    terms.push((v, 1.0));
                    for day_terms in &mut pool_terms[a - first..=e - first] {
                        day_terms[p].push((v, 1.0));
                    }
                }
            }
            let label = if self.allow_unmet {
                let cost = self.costs.unmet * self.stay_len(g);
                let u = model.add_int_var(format!("unmet_{g}"), 0.0, n, cost);
                vars.push(BedVar::Unmet { demand: g });
                terms.push((u, 1.0));
                None
            } else {
                let stay = if e > a {
                    format!(" for {} days", e - a + 1)
                } else {
                    String::new()
                };
                Some(Label {
                    resource: format!(
                        "{} beds for {} patients at {}{stay}",
                        d.bed_type.label(),
                        d.service,
                        self.hospitals[d.hospital].code
                    ),
                    date: Some(self.date(a)),
                    shift: None,
                })
            };
            model.add_row(format!("demand_{g}"), terms, Sense::Eq, n, label);
        }
        for (k, day_terms) in pool_terms.into_iter().enumerate() {
            let day = first + k;
            for (p, terms) in day_terms.into_iter().enumerate() {
                if !terms.is_empty() {
                    let beds = f64::from(self.pools[p].beds[day]);
                    let row = if single {
                        format!("beds_{p}")
                    } else {
                        format!("beds_{p}_{day}")
                    };
                    model.add_row(row, terms, Sense::Le, beds, None);
                }
            }
        }
        Part { model, vars }
    }

    fn parts(&self) -> Vec<Part> {
        self.blocks().into_iter().map(|(a, e)| self.part(a, e)).collect()
    }

    /// The models of every independent block of days, in day order (for
    /// export, e.g. to MPS): one per day when every stay is one day.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid.
    pub fn models(&self) -> Result<Vec<LinearModel>> {
        self.validate()?;
        Ok(self.parts().into_iter().map(|p| p.model).collect())
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
    ///         stay_days: 1,
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
    /// Stays of several days: two patients arrive on day 0 for three days
    /// and one on day 1 for a day, with two beds. The long stays keep their
    /// beds, so the day-1 arrival is left without one (1000 per day).
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// # use hutano_core::model::BedType;
    /// # use hutano_optimize::beds::{BedCosts, BedDemand, BedPool, BedProblem, Hospital};
    /// # use hutano_optimize::solver::MicroLp;
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let arrive = |day, patients, stay_days| BedDemand {
    ///     day, hospital: 0, service: "Medicine".into(), bed_type: BedType::General, patients, stay_days,
    /// };
    /// let problem = BedProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 3,
    ///     hospitals: vec![Hospital { code: "HRE".into(), location: None }],
    ///     pools: vec![BedPool {
    ///         ward: "HRE-MED-W1".into(), hospital: 0, service: "Medicine".into(),
    ///         bed_type: BedType::General, beds: vec![2, 2, 2],
    ///     }],
    ///     demand: vec![arrive(0, 2, 3), arrive(1, 1, 1)],
    ///     costs: BedCosts::default(),
    ///     allow_unmet: true,
    /// };
    /// let plan = problem.solve(&MicroLp)?;
    /// assert_eq!(plan.objective, 1000.0);
    /// assert_eq!(plan.days[2].placements[0].patients, 2); // still in their beds
    /// assert!(!plan.days[2].placements[0].arrival);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// With stays longer than a day, a block is a mixed-integer programme
    /// that `solver` must prove optimal: on a large network prefer
    /// [`BedProblem::solve_budgeted`] (see *Scale* in the
    /// [module documentation](self)).
    ///
    /// # Errors
    /// - [`crate::Error::InvalidInput`] when the problem is invalid.
    /// - [`crate::Error::Infeasible`] when `allow_unmet` is false and some
    ///   patients cannot be placed, naming each group (bed type, service,
    ///   hospital, length of stay when longer than a day, arrival day) with
    ///   the patients needing a bed and the most that can be placed.
    /// - Any backend error ([`Solver::solve`]).
    pub fn solve(&self, solver: &dyn Solver) -> Result<BedPlan> {
        self.validate()?;
        let parts = self.parts();
        let models: Vec<LinearModel> = parts.iter().map(|p| p.model.clone()).collect();
        let solutions = solve_all(solver, &models)?;
        Ok(self.assemble(&parts, &solutions))
    }

    /// Solve the bed allocation within a [`Budget`] (see [`crate::budget`]):
    /// each independent block of days gets the budget's node limit and gap
    /// target (the wall-time limit is shared), and the plan is the union of
    /// the best placement found for each block, with the proven lower bound
    /// and gap of each block and of the whole.
    ///
    /// With [`Budget::default`] (no limit) every block is solved to
    /// optimality and the objective equals [`BedProblem::solve`]'s (within
    /// the LP tolerances). A block stopped by the budget is improved by
    /// moving patients into beds left free for their whole stay (see the
    /// [module documentation](self)); its bound's objective and gap are
    /// those of the improved plan. Every plan satisfies every hard
    /// constraint, and the search is deterministic with a node limit.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::BedType;
    /// use hutano_optimize::beds::{BedCosts, BedDemand, BedPool, BedProblem, Hospital};
    /// use hutano_optimize::budget::Budget;
    /// use hutano_optimize::lp::SolveStatus;
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let problem = BedProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 4,
    ///     hospitals: vec![Hospital { code: "HRE".into(), location: None }],
    ///     pools: vec![BedPool {
    ///         ward: "HRE-MED-W1".into(), hospital: 0, service: "Medicine".into(),
    ///         bed_type: BedType::General, beds: vec![3; 4],
    ///     }],
    ///     demand: (0..4)
    ///         .map(|day| BedDemand {
    ///             day, hospital: 0, service: "Medicine".into(), bed_type: BedType::General,
    ///             patients: 2, stay_days: 2,
    ///         })
    ///         .collect(),
    ///     costs: BedCosts::default(),
    ///     allow_unmet: true,
    /// };
    /// let (plan, bound) = problem.solve_budgeted(&Budget::default())?;
    /// assert_eq!(bound.total.status, SolveStatus::Optimal);
    /// assert_eq!(bound.parts.len(), 1); // the stays link all four days
    /// assert_eq!(plan.summary.unmet_patients, 3); // 4 patient-days on days 1 to 3, 3 beds
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`BedProblem::solve`], plus [`crate::Error::InvalidInput`] for an
    /// invalid budget and [`crate::Error::Solver`] when a block's budget ran
    /// out before any plan was found.
    pub fn solve_budgeted(&self, budget: &Budget) -> Result<(BedPlan, BedBound)> {
        self.validate()?;
        budget.validate()?;
        let parts = self.parts();
        let models: Vec<LinearModel> = parts.iter().map(|p| p.model.clone()).collect();
        let solved = solve_all_budgeted(&models, budget)?;
        let (mut solutions, mut bounds): (Vec<Solution>, Vec<Bound>) = solved.into_iter().unzip();
        for ((part, sol), bound) in parts.iter().zip(&mut solutions).zip(&mut bounds) {
            if bound.status != SolveStatus::Optimal && self.improve(part, sol) {
                bound.objective = sol.objective;
                bound.gap = ((sol.objective - bound.lower_bound) / sol.objective.abs().max(1.0)).max(0.0);
            }
        }
        let plan = self.assemble(&parts, &solutions);
        let total = Bound::total(&bounds);
        Ok((plan, BedBound { parts: bounds, total }))
    }

    /// Solve the bed allocation exactly with `solver` when `budget` is
    /// `None` ([`BedProblem::solve`], no bound), or within `budget` when one
    /// is given ([`BedProblem::solve_budgeted`], which does not use
    /// `solver`), with the proven bound.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::BedType;
    /// use hutano_optimize::beds::{BedCosts, BedDemand, BedPool, BedProblem, Hospital};
    /// use hutano_optimize::budget::Budget;
    /// use hutano_optimize::lp::SolveStatus;
    /// use hutano_optimize::solver::MicroLp;
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let problem = BedProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 2,
    ///     hospitals: vec![Hospital { code: "HRE".into(), location: None }],
    ///     pools: vec![BedPool {
    ///         ward: "HRE-MED-W1".into(), hospital: 0, service: "Medicine".into(),
    ///         bed_type: BedType::General, beds: vec![3; 2],
    ///     }],
    ///     demand: vec![BedDemand {
    ///         day: 0, hospital: 0, service: "Medicine".into(), bed_type: BedType::General,
    ///         patients: 4, stay_days: 2,
    ///     }],
    ///     costs: BedCosts::default(),
    ///     allow_unmet: true,
    /// };
    /// let (exact, none) = problem.solve_within(&MicroLp, None)?;
    /// assert!(none.is_none());
    /// let (budgeted, bound) = problem.solve_within(&MicroLp, Some(&Budget::default()))?;
    /// assert_eq!(bound.map(|b| b.total.status), Some(SolveStatus::Optimal));
    /// assert_eq!(exact.summary.unmet_patients, 2); // one patient for 2 days
    /// assert_eq!(budgeted.summary.unmet_patients, 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`BedProblem::solve`] without a budget, as
    /// [`BedProblem::solve_budgeted`] with one.
    pub fn solve_within(&self, solver: &dyn Solver, budget: Option<&Budget>) -> Result<(BedPlan, Option<BedBound>)> {
        match budget {
            None => Ok((self.solve(solver)?, None)),
            Some(budget) => self.solve_budgeted(budget).map(|(plan, bound)| (plan, Some(bound))),
        }
    }

    /// Improve a block's solution that is not proven optimal by moving
    /// patients, a whole stay at a time, into beds left free on every day of
    /// the stay: first unmet patients, then placed ones, each to the
    /// cheapest allowed pool that lowers the cost (ties: lowest pool index),
    /// in demand order, repeated while anything moves (at most 8 passes).
    /// Deterministic. Returns whether `sol` changed; the new solution is
    /// kept only when it passes [`LinearModel::check`].
    fn improve(&self, part: &Part, sol: &mut Solution) -> bool {
        let Some(first) = part
            .vars
            .iter()
            .map(|v| match *v {
                BedVar::Place { demand, .. } | BedVar::Unmet { demand } => self.demand[demand].day,
            })
            .min()
        else {
            return false;
        };
        let mut values = sol.values.clone();
        // Per group: its unmet variable and its (pool, variable, cost) arcs.
        let mut unmet: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        let mut arcs: std::collections::BTreeMap<usize, Vec<(usize, usize, f64)>> = std::collections::BTreeMap::new();
        // Beds free per pool and day from `first`.
        let mut free: Vec<Vec<f64>> = self
            .pools
            .iter()
            .map(|p| p.beds[first..].iter().map(|&b| f64::from(b)).collect())
            .collect();
        for (i, v) in part.vars.iter().enumerate() {
            match *v {
                BedVar::Place { demand, pool } => {
                    let (a, e) = self.span(demand);
                    for f in &mut free[pool][a - first..=e - first] {
                        *f -= values[i];
                    }
                    arcs.entry(demand).or_default().push((pool, i, part.model.vars[i].cost));
                }
                BedVar::Unmet { demand } => {
                    unmet.insert(demand, i);
                }
            }
        }
        let mut changed = false;
        for _pass in 0..8 {
            let mut moved = false;
            for (&g, group_arcs) in &arcs {
                let (arrive, leave) = self.span(g);
                let stay = arrive - first..=leave - first;
                let room = |free: &[Vec<f64>], p: usize| {
                    free[p][stay.clone()]
                        .iter()
                        .copied()
                        .fold(f64::INFINITY, f64::min)
                        .floor()
                };
                // Sources: the unmet variable first, then placements, each
                // with the cost of one of its patients.
                let mut sources: Vec<(usize, Option<usize>, f64)> = Vec::new();
                if let Some(&u) = unmet.get(&g) {
                    sources.push((u, None, part.model.vars[u].cost));
                }
                sources.extend(group_arcs.iter().map(|&(p, i, c)| (i, Some(p), c)));
                for (src, src_pool, src_cost) in sources {
                    while values[src] >= 0.5 {
                        let best = group_arcs
                            .iter()
                            .filter(|&&(p, _, c)| Some(p) != src_pool && c < src_cost - 1e-9 && room(&free, p) >= 1.0)
                            .min_by(|x, y| x.2.total_cmp(&y.2).then(x.0.cmp(&y.0)));
                        let Some(&(to, var, _)) = best else { break };
                        let moving = values[src].round().min(room(&free, to));
                        values[src] -= moving;
                        values[var] += moving;
                        for f in &mut free[to][stay.clone()] {
                            *f -= moving;
                        }
                        if let Some(from) = src_pool {
                            for f in &mut free[from][stay.clone()] {
                                *f += moving;
                            }
                        }
                        moved = true;
                    }
                }
            }
            if !moved {
                break;
            }
            changed = true;
        }
        if !changed || part.model.check(&values, FEASIBILITY_TOL).is_err() {
            return false;
        }
        let objective = part.model.objective(&values);
        if objective >= sol.objective {
            return false;
        }
        sol.values = values;
        sol.objective = objective;
        true
    }

    /// The plan of the blocks' solutions.
    fn assemble(&self, parts: &[Part], solutions: &[Solution]) -> BedPlan {
        let mut plan = BedPlan {
            days: (0..self.days)
                .map(|d| BedDayPlan {
                    date: self.date(d),
                    placements: Vec::new(),
                    unmet: Vec::new(),
                })
                .collect(),
            summary: BedCostSummary::default(),
            objective: 0.0,
        };
        for (part, sol) in parts.iter().zip(solutions) {
            for (i, meaning) in part.vars.iter().enumerate() {
                let n = count(sol.values[i]);
                if n == 0 {
                    continue;
                }
                match *meaning {
                    BedVar::Place { demand, pool } => {
                        let (a, e) = self.span(demand);
                        for day in a..=e {
                            let placement = self.placement(self.date(day), demand, pool, n, day == a);
                            plan.days[day].placements.push(placement);
                        }
                    }
                    BedVar::Unmet { demand } => {
                        let (a, e) = self.span(demand);
                        for day in a..=e {
                            plan.days[day].unmet.push(UnmetDemand {
                                date: self.date(day),
                                demand,
                                patients: n,
                            });
                        }
                    }
                }
            }
            plan.objective += sol.objective;
        }
        plan.summary = Self::summarise(&plan);
        plan
    }

    fn placement(&self, date: NaiveDate, demand: usize, pool: usize, patients: u32, arrival: bool) -> BedPlacement {
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
            arrival,
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
                if let (Some(km), true) = (p.transfer_km, p.arrival) {
                    s.transferred_patients += n;
                    s.transfer_km += km * n as f64;
                }
            }
            s.unmet_patients += day.unmet.iter().map(|u| u64::from(u.patients)).sum::<u64>();
        }
        s
    }

    /// The objective of a plan recomputed from its placements (independent of
    /// the solver's objective value): per-day costs on every day listed, the
    /// transfer on arrival days only.
    #[must_use]
    pub fn plan_cost(&self, plan: &BedPlan) -> f64 {
        let mut total = 0.0;
        for day in &plan.days {
            for p in &day.placements {
                let cost = match self.arc_costs(p.demand, p.pool) {
                    Some((per_day, once)) => per_day + if p.arrival { once } else { 0.0 },
                    None => f64::INFINITY,
                };
                total += cost * f64::from(p.patients);
            }
            total += day
                .unmet
                .iter()
                .map(|u| self.costs.unmet * f64::from(u.patients))
                .sum::<f64>();
        }
        total
    }

    /// The daily census of the demand: for every day, the patients of each
    /// (hospital, service, bed type) in need of a bed that day, counting
    /// every stay on each of its days (rows with `stay_days = 1`, sorted by
    /// day, hospital, service and bed type; zero rows omitted). Use it where
    /// a census is wanted, e.g. for staffing
    /// ([`crate::network::staff_problem`]).
    ///
    /// ```
    /// use hutano_core::model::BedType;
    /// use hutano_optimize::beds::{BedDemand, BedProblem};
    ///
    /// let d = |day, patients, stay_days| BedDemand {
    ///     day, hospital: 0, service: "Medicine".into(), bed_type: BedType::General, patients, stay_days,
    /// };
    /// let census = BedProblem::census(&[d(0, 2, 3), d(1, 1, 1)], 3);
    /// let counts: Vec<u32> = census.iter().map(|c| c.patients).collect();
    /// assert_eq!(counts, [2, 3, 2]);
    /// ```
    #[must_use]
    pub fn census(demand: &[BedDemand], days: usize) -> Vec<BedDemand> {
        let mut counts: std::collections::BTreeMap<(usize, usize, &str, BedType), u32> =
            std::collections::BTreeMap::new();
        for d in demand {
            if d.patients == 0 || d.day >= days {
                continue;
            }
            for day in d.day..=d.last_day(days) {
                let c = counts
                    .entry((day, d.hospital, d.service.as_str(), d.bed_type))
                    .or_insert(0);
                *c = c.saturating_add(d.patients);
            }
        }
        counts
            .into_iter()
            .map(|((day, hospital, service, bed_type), patients)| BedDemand {
                day,
                hospital,
                service: service.to_owned(),
                bed_type,
                patients,
                stay_days: 1,
            })
            .collect()
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
                stay_days: 1,
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
        assert_one_violation(
            &p,
            "icu beds for ICU patients at A on 2024-05-03: 7 needed, 5 available",
        );
    }

    /// `p` is infeasible with exactly this one unmet constraint.
    fn assert_one_violation(p: &BedProblem, message: &str) {
        match p.solve(&MicroLp) {
            Err(Error::Infeasible { violations }) => {
                assert_eq!(violations.len(), 1);
                assert_eq!(violations[0].to_string(), message);
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

    #[test]
    fn zero_stay_is_rejected_with_its_row() {
        let mut p = problem();
        p.demand[0].stay_days = 0;
        match p.solve(&MicroLp) {
            Err(Error::InvalidInput { field, problem }) => {
                assert_eq!(field, "demand");
                assert!(problem.contains("demand 0"), "{problem}");
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn stay_days_default_to_one_in_json() {
        let json = r#"{"day": 0, "hospital": 0, "service": "ICU", "bed_type": "icu", "patients": 4}"#;
        let d: BedDemand = serde_json::from_str(json).unwrap();
        assert_eq!(d.stay_days, 1);
        let p = problem();
        let plan = p.solve(&MicroLp).unwrap();
        let mut v = serde_json::to_value(&plan.days[0].placements[0]).unwrap();
        v.as_object_mut().unwrap().remove("arrival");
        let back: BedPlacement = serde_json::from_value(v).unwrap();
        assert!(back.arrival);
    }

    /// Hospitals A and B (B without a location, so a transfer costs exactly
    /// `transfer_fixed` = 50), a Medicine ward of 2 general beds at A and one
    /// of 1 bed at B, over 3 days. Two patients arrive at A on day 0 for 3
    /// days; one on day 1 and one on day 2, each for 1 day.
    fn lock_in() -> BedProblem {
        let med = |ward: &str, hospital, beds: Vec<u32>| BedPool {
            ward: ward.into(),
            hospital,
            service: "Medicine".into(),
            bed_type: BedType::General,
            beds,
        };
        let arrive = |day, patients, stay_days| BedDemand {
            day,
            hospital: 0,
            service: "Medicine".into(),
            bed_type: BedType::General,
            patients,
            stay_days,
        };
        BedProblem {
            start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap(),
            days: 3,
            hospitals: vec![
                Hospital {
                    code: "A".into(),
                    location: Some((-17.8, 31.0)),
                },
                Hospital {
                    code: "B".into(),
                    location: None,
                },
            ],
            pools: vec![med("A-MED", 0, vec![2, 2, 2]), med("B-MED", 1, vec![1, 1, 1])],
            demand: vec![arrive(0, 2, 3), arrive(1, 1, 1), arrive(2, 1, 1)],
            costs: BedCosts::default(),
            allow_unmet: true,
        }
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn one_long_stay_moves_instead_of_two_short_ones() {
        // A-MED holds 2 on every day, the census is 2, 3, 3. Either both
        // short stays go to B (2 transfers: 100) or one long stay goes to B
        // for its 3 days (1 transfer: 50) and the short stays take its bed
        // at A on days 1 and 2. Optimum: 50. (Unmet: 1000 per patient-day.)
        let p = lock_in();
        let plan = p.solve(&MicroLp).unwrap();
        assert_eq!(plan.objective, 50.0);
        assert_eq!(p.plan_cost(&plan), 50.0);
        assert_eq!(plan.summary.transferred_patients, 1);
        assert_eq!(plan.summary.unmet_patients, 0);
        // B holds the moved long-stay patient on all 3 days, moved on day 0 only.
        for (day, dp) in plan.days.iter().enumerate() {
            let at_b: Vec<_> = dp.placements.iter().filter(|x| x.pool == 1).collect();
            assert_eq!(at_b.len(), 1);
            assert_eq!((at_b[0].demand, at_b[0].patients, at_b[0].arrival), (0, 1, day == 0));
            assert_eq!(dp.transfers().count(), usize::from(day == 0));
            let occupied: u32 = dp.placements.iter().map(|x| x.patients).sum();
            assert_eq!(occupied, [2, 3, 3][day]);
        }
        // The budgeted search agrees.
        let (budgeted, bound) = p.solve_budgeted(&Budget::default()).unwrap();
        assert_eq!(budgeted.objective, 50.0);
        assert_eq!(bound.parts.len(), 1);
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn a_bed_closed_mid_stay_cannot_take_a_long_stay() {
        // B has no bed on day 2, so no long stay can go there (it would need
        // a bed on all 3 days): both long stays fill A-MED, the day-1 arrival
        // goes to B (50) and the day-2 arrival has no bed (1000).
        let mut p = lock_in();
        p.pools[1].beds = vec![1, 1, 0];
        let plan = p.solve(&MicroLp).unwrap();
        assert_eq!(plan.objective, 1050.0);
        assert_eq!(plan.summary.unmet_patients, 1);
        assert_eq!(plan.summary.transferred_patients, 1);
        assert_eq!(plan.days[2].unmet.len(), 1);
        assert_eq!(plan.days[2].unmet[0].demand, 2);
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn unmet_and_off_service_count_patient_days() {
        // One Surgery ward of 1 bed; 3 Medicine patients for 2 days: one is
        // off-service for 2 days (2 × 10), two are unmet for 2 days
        // (4 × 1000).
        let mut p = lock_in();
        p.hospitals.truncate(1);
        p.pools = vec![BedPool {
            ward: "A-SUR".into(),
            hospital: 0,
            service: "Surgery".into(),
            bed_type: BedType::General,
            beds: vec![1, 1, 1],
        }];
        p.demand = vec![BedDemand {
            patients: 3,
            stay_days: 2,
            ..p.demand[0].clone()
        }];
        let plan = p.solve(&MicroLp).unwrap();
        assert_eq!(plan.objective, 4020.0);
        assert_eq!(plan.summary.unmet_patients, 4);
        assert_eq!(plan.summary.off_service_patients, 2);
        assert!(plan.days[2].placements.is_empty());
    }

    #[test]
    fn unplaceable_long_stays_are_named() {
        let mut p = lock_in();
        p.allow_unmet = false;
        p.pools[1].beds = vec![0, 0, 0];
        p.demand.truncate(1);
        p.demand[0].patients = 3;
        assert_one_violation(
            &p,
            "general beds for Medicine patients at A for 3 days on 2024-05-03: 3 needed, 2 available",
        );
    }

    #[test]
    fn blocks_follow_the_stays() {
        let mut p = lock_in();
        p.days = 6;
        for pool in &mut p.pools {
            pool.beds = vec![2; 6];
        }
        // Stays 0..=2, 1, 2, then 4..=5: blocks {0, 1, 2}, {3}, {4, 5}.
        p.demand.push(BedDemand {
            day: 4,
            stay_days: 9,
            ..p.demand[0].clone()
        });
        assert_eq!(p.blocks(), vec![(0, 2), (3, 3), (4, 5)]);
        // Empty groups link nothing.
        p.demand[0].patients = 0;
        assert_eq!(p.blocks(), vec![(0, 0), (1, 1), (2, 2), (3, 3), (4, 5)]);
        assert_eq!(p.models().unwrap().len(), 5);
    }

    #[test]
    fn solve_within_is_solve_or_solve_budgeted() {
        let p = lock_in();
        assert_eq!(
            p.solve_within(&MicroLp, None).unwrap(),
            (p.solve(&MicroLp).unwrap(), None)
        );
        let budget = Budget::default().with_node_limit(3);
        let (plan, bound) = p.solve_budgeted(&budget).unwrap();
        assert_eq!(p.solve_within(&MicroLp, Some(&budget)).unwrap(), (plan, Some(bound)));
    }
}
