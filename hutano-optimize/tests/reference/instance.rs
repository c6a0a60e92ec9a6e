#![allow(dead_code, unreachable_pub)]
//! Reference instances: a planning problem of any kind, stored as JSON.
//! Shared by `tests/reference.rs` and `examples/reference_mps.rs`.

use hutano_optimize::beds::BedProblem;
use hutano_optimize::dispatch::DispatchProblem;
use hutano_optimize::lp::LinearModel;
use hutano_optimize::slots::SlotProblem;
use hutano_optimize::staff::StaffProblem;
use hutano_optimize::{Result, Solver};
use serde::{Deserialize, Serialize};

/// One reference instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "problem", rename_all = "snake_case")]
pub enum Instance {
    /// Bed allocation.
    Beds(BedProblem),
    /// Staff allocation.
    Staff(StaffProblem),
    /// Ambulance dispatch.
    Dispatch(DispatchProblem),
    /// Slot reallocation.
    Slots(SlotProblem),
}

impl Instance {
    /// The whole model: the union of the independent parts (its optimum is
    /// the sum of theirs).
    pub fn model(&self) -> Result<LinearModel> {
        let parts = match self {
            Instance::Beds(p) => p.models()?,
            Instance::Staff(p) => p.models()?,
            Instance::Dispatch(p) => vec![p.model()?],
            Instance::Slots(p) => vec![p.model()?],
        };
        let mut all = LinearModel::new("reference");
        for p in &parts {
            all.append(p);
        }
        Ok(all)
    }

    /// hutano's optimal objective through the planner's own `solve`.
    pub fn solve_objective(&self, solver: &dyn Solver) -> Result<f64> {
        Ok(match self {
            Instance::Beds(p) => p.solve(solver)?.objective,
            Instance::Staff(p) => p.solve(solver)?.objective,
            Instance::Dispatch(p) => p.solve(solver)?.objective,
            Instance::Slots(p) => p.solve(solver)?.objective,
        })
    }
}
