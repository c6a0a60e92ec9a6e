//! The budgeted branch and bound (`hutano_optimize::budget`).
//!
//! - Without limits it is exact: on the committed reference instances its
//!   objective equals HiGHS's optimum (`tests/reference/expected_highs.json`,
//!   see `tests/reference.rs`) and microlp's within 1e-6 relative, with status
//!   optimal. Tolerance: as in `tests/reference.rs` (both sides prove
//!   optimality; 1e-6 leaves room for LP feasibility tolerances on
//!   continuous variables and is far below one unit of the smallest cost).
//! - With a node limit of 0 or 1 it still returns a roster that passes every
//!   check, with a lower bound at most its objective.
//! - The search is deterministic: the same budget gives the same plan, and
//!   parallel equals serial.
#![allow(clippy::unwrap_used, clippy::doc_markdown, clippy::cast_possible_truncation)]

use std::path::Path;

use chrono::NaiveDate;
use hutano_core::model::StaffRole;
use hutano_optimize::budget::{solve_all_budgeted, solve_budgeted, Budget, BudgetedMicroLp, Stop};
use hutano_optimize::lp::{SolveStatus, FEASIBILITY_TOL};
use hutano_optimize::staff::{Requirement, ShiftSpec, StaffMember, StaffProblem, StaffRules};
use hutano_optimize::MicroLp;
use proptest::prelude::*;

#[path = "reference/instance.rs"]
mod instance;
use instance::Instance;

fn load(name: &str) -> Instance {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/reference/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn expected(name: &str) -> f64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/expected_highs.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["instances"][name]["objective"].as_f64().unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1.0)
}

/// The budgeted solve without limits equals HiGHS and microlp, and proves it.
fn exact(name: &str) {
    let inst = load(name);
    let solver = BudgetedMicroLp(Budget::default());
    let ours = inst.solve_objective(&solver).unwrap();
    let highs = expected(name);
    let microlp = inst.solve_objective(&MicroLp).unwrap();
    assert!(rel(ours, highs) <= 1e-6, "{name}: budgeted {ours} vs HiGHS {highs}");
    assert!(
        rel(ours, microlp) <= 1e-6,
        "{name}: budgeted {ours} vs microlp {microlp}"
    );
    // Every part is proven optimal.
    let models = match &inst {
        Instance::Beds(p) => p.models().unwrap(),
        Instance::Staff(p) => p.models().unwrap(),
        Instance::Dispatch(p) => vec![p.model().unwrap()],
        Instance::Slots(p) => vec![p.model().unwrap()],
    };
    for (s, b) in solve_all_budgeted(&models, &Budget::default()).unwrap() {
        assert_eq!(s.status, SolveStatus::Optimal, "{name}");
        assert_eq!(b.stop, Stop::Optimal, "{name}");
        assert!(b.gap <= 1e-9, "{name}: gap {}", b.gap);
        assert!(b.root_bound <= b.objective + 1e-6 * b.objective.abs().max(1.0));
    }
}

#[test]
fn matches_highs_budgeted_beds_national_two_days() {
    exact("beds_national_two_days");
}

#[test]
fn matches_highs_budgeted_beds_three_hospitals() {
    exact("beds_three_hospitals");
}

#[test]
fn matches_highs_budgeted_beds_three_hospitals_stays() {
    exact("beds_three_hospitals_stays");
}

#[test]
fn matches_highs_budgeted_staff_mission_hospital_two_weeks() {
    exact("staff_mission_hospital_two_weeks");
    // Through the planner: the same objective, a total bound equal to it.
    let Instance::Staff(p) = load("staff_mission_hospital_two_weeks") else {
        unreachable!()
    };
    let (plan, bound) = p.solve_budgeted(&Budget::default()).unwrap();
    assert!(rel(plan.objective, expected("staff_mission_hospital_two_weeks")) <= 1e-6);
    assert_eq!(bound.total.status, SolveStatus::Optimal);
    assert!(rel(bound.total.lower_bound, plan.objective) <= 1e-6);
    p.check_plan(&plan.assignments).unwrap();
}

#[test]
fn matches_highs_budgeted_dispatch_round() {
    exact("dispatch_round");
}

#[test]
fn matches_highs_budgeted_slots_waiting_list() {
    exact("slots_waiting_list");
}

fn mission_roster() -> StaffProblem {
    let Instance::Staff(p) = load("staff_mission_hospital_two_weeks") else {
        unreachable!()
    };
    p
}

/// A node limit of 0 (root LP and heuristic only) or 1 still gives a roster
/// that passes every check, with lower bound <= objective.
#[test]
fn tiny_node_limits_give_feasible_rosters() {
    let p = mission_roster();
    let models = p.models().unwrap();
    for nodes in [0, 1] {
        let budget = Budget::default().with_node_limit(nodes);
        let (plan, bound) = p.solve_budgeted(&budget).unwrap();
        p.check_plan(&plan.assignments).unwrap();
        assert!(rel(plan.objective, p.plan_cost(&plan.assignments)) <= 1e-9);
        assert!(bound.total.lower_bound <= plan.objective + 1e-6);
        assert!((bound.total.objective - plan.objective).abs() <= 1e-6);
        assert!(bound.total.gap >= 0.0);
        for (m, (s, b)) in models.iter().zip(solve_all_budgeted(&models, &budget).unwrap()) {
            m.check(&s.values, FEASIBILITY_TOL).unwrap();
            assert!(b.nodes <= nodes);
            assert!(b.lower_bound <= s.objective + 1e-6);
            assert!(b.root_bound <= b.lower_bound + 1e-6);
        }
    }
}

/// The same budget gives the same plan twice, and parallel equals serial.
#[test]
fn budgeted_search_is_deterministic() {
    let p = mission_roster();
    let budget = Budget::default().with_node_limit(25);
    let (a, ba) = p.solve_budgeted(&budget).unwrap();
    let (b, bb) = p.solve_budgeted(&budget).unwrap();
    assert_eq!(a, b);
    assert_eq!(ba, bb);
    let models = p.models().unwrap();
    let together = solve_all_budgeted(&models, &budget).unwrap();
    let serial: Vec<_> = models.iter().map(|m| solve_budgeted(m, &budget).unwrap()).collect();
    assert_eq!(together, serial);
}

/// A gap target stops early with a gap no larger than the target.
#[test]
fn gap_target_is_honoured() {
    let p = mission_roster();
    let budget = Budget::default().with_relative_gap(0.05);
    let (plan, bound) = p.solve_budgeted(&budget).unwrap();
    p.check_plan(&plan.assignments).unwrap();
    for b in &bound.parts {
        assert!(b.gap <= 0.05 + 1e-12);
    }
}

// ------------------------------------------------------------ proptest ---

fn roster() -> impl Strategy<Value = StaffProblem> {
    (
        2usize..=7,
        2usize..=4,
        prop::collection::vec((0u32..=3, 0u32..=2), 12),
        prop::collection::vec(0usize..4, 0..4),
        prop::bool::ANY,
    )
        .prop_map(|(n, days, needs, leave, two_units)| {
            let start = NaiveDate::from_ymd_opt(2024, 5, 3).unwrap();
            let staff = (0..n)
                .map(|i| StaffMember {
                    code: format!("N{i}"),
                    role: StaffRole::Nurse,
                    units: if two_units && i % 2 == 1 {
                        vec!["B".into()]
                    } else {
                        vec!["A".into()]
                    },
                    skills: vec![],
                    contracted_hours_per_week: 24.0 + 8.0 * (i % 3) as f64,
                    max_overtime_hours_per_week: 8.0,
                    hourly_cost: 10.0 + i as f64,
                    leave: leave
                        .iter()
                        .filter(|&&d| d % n == i % 4)
                        .map(|&d| start + chrono::Days::new(d as u64))
                        .collect(),
                })
                .collect();
            let mut requirements = Vec::new();
            for day in 0..days {
                for shift in 0..3 {
                    let (target, minimum) = needs[(day * 3 + shift) % needs.len()];
                    for unit in if two_units { vec!["A", "B"] } else { vec!["A"] } {
                        requirements.push(Requirement {
                            unit: unit.into(),
                            role: StaffRole::Nurse,
                            skill: None,
                            day,
                            shift,
                            target,
                            minimum: minimum.min(target).min(1),
                        });
                    }
                }
            }
            StaffProblem {
                start,
                days,
                shifts: ShiftSpec::three_shifts(),
                staff,
                requirements,
                rules: StaffRules::default(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the node limit: bound <= objective, the roster passes every
    /// check, and without a limit the objective is microlp's optimum.
    #[test]
    fn budgeted_rosters_are_feasible_and_bounded(p in roster(), nodes in 0u64..4) {
        let exact = p.solve(&MicroLp);
        let budgeted = p.solve_budgeted(&Budget::default().with_node_limit(nodes));
        match (exact, budgeted) {
            (Ok(e), Ok((plan, bound))) => {
                p.check_plan(&plan.assignments).unwrap();
                prop_assert!(rel(plan.objective, p.plan_cost(&plan.assignments)) <= 1e-9);
                prop_assert!(bound.total.lower_bound <= plan.objective + 1e-6);
                // The bound is a bound on the optimum too.
                prop_assert!(bound.total.lower_bound <= e.objective + 1e-6);
                prop_assert!(plan.objective >= e.objective - 1e-6);
                for (m, b) in p.models().unwrap().iter().zip(&bound.parts) {
                    prop_assert!(b.lower_bound <= b.objective + 1e-6, "{}", m.name);
                }
                let (full, fb) = p.solve_budgeted(&Budget::default()).unwrap();
                prop_assert!(rel(full.objective, e.objective) <= 1e-6);
                prop_assert_eq!(fb.total.status, SolveStatus::Optimal);
            }
            // Both infeasible; or a budget that ended before any roster was
            // found (possible only with a node limit).
            (Err(_), Err(_)) | (Ok(_), Err(hutano_optimize::Error::Solver { .. })) => {}
            (e, b) => prop_assert!(false, "exact {e:?} vs budgeted {b:?}"),
        }
    }
}
