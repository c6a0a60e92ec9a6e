//! Ambulance dispatch and patient routing.
//!
//! # Model
//! - **Data.** Waiting requests (location, acuity weight, bed type needed,
//!   whether advanced life support is required), available ambulances
//!   (location, kind) and destination hospitals with free beds by type, both
//!   now and forecast for the expected arrival.
//! - **Variables.** `y[r, a]` (binary): ambulance `a` goes to request `r`, for
//!   kinds that suit it. `z[r, h]` (binary): request `r` is taken to
//!   hospital `h`, when `h` has a bed of the needed type now and forecast.
//!   `u[r]` (binary): request `r` waits for the next round.
//! - **Hard constraints.** Each ambulance serves at most one request; each
//!   request is served by one ambulance or waits (`sum_a y + u = 1`); a
//!   served request has exactly one destination (`sum_h z = sum_a y`); a
//!   hospital receives at most `min(free now, forecast free)` patients per
//!   bed type.
//! - **Objective (soft).** `sum_r weight[r] × (response minutes ×
//!   y + transfer minutes × z + unserved_minutes × u)`, with travel times
//!   from great-circle distance over [`DispatchProblem::speed_kmh`].
//!
//! The model is a min-cost flow (ambulances → requests → hospitals), so its
//! LP relaxation is integral. It is always feasible: requests may wait.

use hutano_core::model::{AmbulanceKind, BedType};
use serde::{Deserialize, Serialize};

use crate::beds::distance_km;
use crate::error::{invalid, Result};
use crate::lp::{LinearModel, Sense, VarId};
use crate::solver::{solve_explained, Solver};

/// A request waiting for an ambulance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Identifier (e.g. the call number).
    pub id: String,
    /// Latitude and longitude in degrees.
    pub location: (f64, f64),
    /// Acuity weight (e.g. 4 for immediately life-threatening, 1 for routine);
    /// multiplies every minute of this request.
    pub weight: f64,
    /// Bed type the patient needs.
    pub bed_type: BedType,
    /// Whether an advanced-life-support crew is required.
    pub needs_als: bool,
}

/// An ambulance available now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Code.
    pub code: String,
    /// Current latitude and longitude in degrees.
    pub location: (f64, f64),
    /// Kind.
    pub kind: AmbulanceKind,
}

/// Free beds of one type at a destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreeBeds {
    /// Bed type.
    pub bed_type: BedType,
    /// Free now.
    pub now: u32,
    /// Forecast free at the expected arrival (a point forecast, e.g. the
    /// lower end of an interval for caution).
    pub forecast: f64,
}

/// A destination hospital.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    /// Code.
    pub code: String,
    /// Latitude and longitude in degrees.
    pub location: (f64, f64),
    /// Free beds by type.
    pub beds: Vec<FreeBeds>,
}

/// A dispatch round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchProblem {
    /// Waiting requests.
    pub requests: Vec<Request>,
    /// Available ambulances.
    pub ambulances: Vec<Unit>,
    /// Destination hospitals.
    pub hospitals: Vec<Destination>,
    /// Average road speed in km/h.
    pub speed_kmh: f64,
    /// Cost in minutes (times the weight) of a request left waiting.
    pub unserved_minutes: f64,
}

/// One dispatched request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispatch {
    /// Index into [`DispatchProblem::requests`].
    pub request: usize,
    /// Index into [`DispatchProblem::ambulances`].
    pub ambulance: usize,
    /// Index into [`DispatchProblem::hospitals`].
    pub hospital: usize,
    /// Minutes from the ambulance to the patient.
    pub response_minutes: f64,
    /// Minutes from the patient to the hospital.
    pub transfer_minutes: f64,
}

/// A dispatch plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchPlan {
    /// Dispatched requests, by request.
    pub dispatches: Vec<Dispatch>,
    /// Requests left waiting.
    pub waiting: Vec<usize>,
    /// Objective value (weighted minutes).
    pub objective: f64,
}

#[derive(Debug, Clone, Copy)]
enum DispatchVar {
    Go { request: usize, ambulance: usize },
    To { request: usize, hospital: usize },
    Wait,
}

impl DispatchProblem {
    /// Check locations, weights and speed.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first problem.
    pub fn validate(&self) -> Result<()> {
        if !(self.speed_kmh.is_finite() && self.speed_kmh > 0.0) {
            return Err(invalid("speed_kmh", "must be finite and positive"));
        }
        if !(self.unserved_minutes.is_finite() && self.unserved_minutes >= 0.0) {
            return Err(invalid("unserved_minutes", "must be finite and non-negative"));
        }
        let finite = |p: (f64, f64)| p.0.is_finite() && p.1.is_finite();
        if self
            .requests
            .iter()
            .any(|r| !finite(r.location) || !r.weight.is_finite() || r.weight < 0.0)
        {
            return Err(invalid(
                "requests",
                "locations and weights must be finite, weights non-negative",
            ));
        }
        if self.ambulances.iter().any(|a| !finite(a.location)) || self.hospitals.iter().any(|h| !finite(h.location)) {
            return Err(invalid("locations", "must be finite"));
        }
        if self
            .hospitals
            .iter()
            .flat_map(|h| &h.beds)
            .any(|b| !b.forecast.is_finite())
        {
            return Err(invalid("hospitals", "bed forecasts must be finite"));
        }
        Ok(())
    }

    /// Travel minutes between two points.
    #[must_use]
    pub fn minutes(&self, a: (f64, f64), b: (f64, f64)) -> f64 {
        distance_km(a, b) / self.speed_kmh * 60.0
    }

    /// Beds of `bed_type` a hospital can take now and at arrival.
    fn capacity(&self, h: usize, bed_type: BedType) -> u32 {
        self.hospitals[h]
            .beds
            .iter()
            .filter(|b| b.bed_type == bed_type)
            .map(|b| b.now.min(crate::beds::count(b.forecast.floor())))
            .sum()
    }

    fn build(&self) -> (LinearModel, Vec<DispatchVar>) {
        let mut m = LinearModel::new("dispatch");
        let mut vars = Vec::new();
        let mut amb_terms: Vec<Vec<(VarId, f64)>> = vec![Vec::new(); self.ambulances.len()];
        let mut cap_terms: Vec<Vec<(VarId, f64)>> = vec![Vec::new(); self.hospitals.len() * BedType::ALL.len()];
        for (r, q) in self.requests.iter().enumerate() {
            let mut serve = Vec::new();
            for (a, unit) in self.ambulances.iter().enumerate() {
                if q.needs_als && unit.kind != AmbulanceKind::AdvancedLifeSupport {
                    continue;
                }
                let cost = q.weight * self.minutes(unit.location, q.location);
                let v = m.add_int_var(format!("go_{r}_{a}"), 0.0, 1.0, cost);
                vars.push(DispatchVar::Go {
                    request: r,
                    ambulance: a,
                });
                serve.push((v, 1.0));
                amb_terms[a].push((v, 1.0));
            }
            let mut route: Vec<(VarId, f64)> = serve.iter().map(|&(v, _)| (v, -1.0)).collect();
            let t = BedType::ALL.iter().position(|&b| b == q.bed_type).unwrap_or(0);
            for (h, dest) in self.hospitals.iter().enumerate() {
                if self.capacity(h, q.bed_type) == 0 || serve.is_empty() {
                    continue;
                }
                let cost = q.weight * self.minutes(q.location, dest.location);
                let v = m.add_int_var(format!("to_{r}_{h}"), 0.0, 1.0, cost);
                vars.push(DispatchVar::To {
                    request: r,
                    hospital: h,
                });
                route.push((v, 1.0));
                cap_terms[h * BedType::ALL.len() + t].push((v, 1.0));
            }
            let u = m.add_int_var(format!("wait_{r}"), 0.0, 1.0, q.weight * self.unserved_minutes);
            vars.push(DispatchVar::Wait);
            serve.push((u, 1.0));
            m.add_row(format!("serve_{r}"), serve, Sense::Eq, 1.0, None);
            m.add_row(format!("route_{r}"), route, Sense::Eq, 0.0, None);
        }
        for (a, terms) in amb_terms.into_iter().enumerate() {
            if !terms.is_empty() {
                m.add_row(format!("ambulance_{a}"), terms, Sense::Le, 1.0, None);
            }
        }
        for (i, terms) in cap_terms.into_iter().enumerate() {
            if !terms.is_empty() {
                let (h, t) = (i / BedType::ALL.len(), BedType::ALL[i % BedType::ALL.len()]);
                let cap = f64::from(self.capacity(h, t));
                m.add_row(format!("beds_{h}_{}", t.label()), terms, Sense::Le, cap, None);
            }
        }
        (m, vars)
    }

    /// The model (for export, e.g. to MPS).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid.
    pub fn model(&self) -> Result<LinearModel> {
        self.validate()?;
        Ok(self.build().0)
    }

    /// Dispatch the round.
    ///
    /// ```
    /// use hutano_core::model::{AmbulanceKind, BedType};
    /// use hutano_optimize::dispatch::{Destination, DispatchProblem, FreeBeds, Request, Unit};
    /// use hutano_optimize::solver::MicroLp;
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let problem = DispatchProblem {
    ///     requests: vec![Request {
    ///         id: "call-1".into(),
    ///         location: (-17.80, 31.05),
    ///         weight: 4.0,
    ///         bed_type: BedType::Icu,
    ///         needs_als: true,
    ///     }],
    ///     ambulances: vec![Unit { code: "A1".into(), location: (-17.83, 31.05), kind: AmbulanceKind::AdvancedLifeSupport }],
    ///     hospitals: vec![Destination {
    ///         code: "HRE".into(),
    ///         location: (-17.82, 31.03),
    ///         beds: vec![FreeBeds { bed_type: BedType::Icu, now: 1, forecast: 1.0 }],
    ///     }],
    ///     speed_kmh: 40.0,
    ///     unserved_minutes: 240.0,
    /// };
    /// let plan = problem.solve(&MicroLp)?;
    /// assert_eq!(plan.dispatches.len(), 1);
    /// assert!(plan.waiting.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid, or any
    /// backend error ([`Solver::solve`]).
    pub fn solve(&self, solver: &dyn Solver) -> Result<DispatchPlan> {
        self.validate()?;
        let (model, vars) = self.build();
        let sol = solve_explained(solver, &model)?;
        let mut go = vec![None; self.requests.len()];
        let mut to = vec![None; self.requests.len()];
        for (i, v) in vars.iter().enumerate() {
            if sol.values[i] < 0.5 {
                continue;
            }
            match *v {
                DispatchVar::Go { request, ambulance } => go[request] = Some(ambulance),
                DispatchVar::To { request, hospital } => to[request] = Some(hospital),
                DispatchVar::Wait => {}
            }
        }
        let mut plan = DispatchPlan {
            dispatches: Vec::new(),
            waiting: Vec::new(),
            objective: sol.objective,
        };
        for (r, q) in self.requests.iter().enumerate() {
            match (go[r], to[r]) {
                (Some(a), Some(h)) => plan.dispatches.push(Dispatch {
                    request: r,
                    ambulance: a,
                    hospital: h,
                    response_minutes: self.minutes(self.ambulances[a].location, q.location),
                    transfer_minutes: self.minutes(q.location, self.hospitals[h].location),
                }),
                _ => plan.waiting.push(r),
            }
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::MicroLp;

    fn request(id: &str, loc: (f64, f64), weight: f64, als: bool) -> Request {
        Request {
            id: id.into(),
            location: loc,
            weight,
            bed_type: BedType::General,
            needs_als: als,
        }
    }

    fn problem() -> DispatchProblem {
        DispatchProblem {
            requests: vec![
                request("low", (0.0, 0.01), 1.0, false),
                request("high", (0.0, 0.5), 4.0, true),
            ],
            ambulances: vec![
                Unit {
                    code: "ALS".into(),
                    location: (0.0, 0.0),
                    kind: AmbulanceKind::AdvancedLifeSupport,
                },
                Unit {
                    code: "BLS".into(),
                    location: (0.0, 0.0),
                    kind: AmbulanceKind::BasicLifeSupport,
                },
            ],
            hospitals: vec![
                Destination {
                    code: "near".into(),
                    location: (0.0, 0.2),
                    beds: vec![FreeBeds {
                        bed_type: BedType::General,
                        now: 1,
                        forecast: 3.0,
                    }],
                },
                Destination {
                    code: "far".into(),
                    location: (0.0, 1.0),
                    beds: vec![FreeBeds {
                        bed_type: BedType::General,
                        now: 5,
                        forecast: 5.0,
                    }],
                },
            ],
            speed_kmh: 60.0,
            unserved_minutes: 600.0,
        }
    }

    #[test]
    fn als_goes_to_the_als_request_and_the_near_bed_to_the_heavier_weight() {
        let p = problem();
        let plan = p.solve(&MicroLp).unwrap();
        assert!(plan.waiting.is_empty());
        let high = plan.dispatches.iter().find(|d| d.request == 1).unwrap();
        assert_eq!(high.ambulance, 0);
        // One bed free near: both requests prefer it, the weights decide.
        let near: Vec<_> = plan.dispatches.iter().filter(|d| d.hospital == 0).collect();
        assert_eq!(near.len(), 1);
        let recomputed: f64 = plan
            .dispatches
            .iter()
            .map(|d| p.requests[d.request].weight * (d.response_minutes + d.transfer_minutes))
            .sum();
        assert!((recomputed - plan.objective).abs() < 1e-6);
    }

    #[test]
    fn without_beds_requests_wait() {
        let mut p = problem();
        for h in &mut p.hospitals {
            h.beds[0].forecast = 0.4;
        }
        let plan = p.solve(&MicroLp).unwrap();
        assert_eq!(plan.waiting, vec![0, 1]);
        assert!((plan.objective - 5.0 * 600.0).abs() < 1e-9);
    }
}
