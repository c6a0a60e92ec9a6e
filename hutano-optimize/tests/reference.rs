//! hutano's optimum equals HiGHS's on the committed reference instances.
//!
//! The expected objectives in `tests/reference/expected_highs.json` come from
//! `tests/reference/solve_highs.py`, which solves the MPS export of the very
//! same models with HiGHS (highspy, recorded in the file) at MIP gap 0.
//!
//! Tolerance: 1e-6 relative. Both solvers prove optimality; the objectives
//! are sums of at most a few thousand products of exactly representable
//! costs and integer values, so their round-off is far below 1e-9 relative;
//! 1e-6 leaves room for HiGHS's primal feasibility tolerance (1e-7) on the
//! continuous variables (overtime hours) without hiding a wrong optimum,
//! which differs by at least one unit of the smallest cost.
#![allow(clippy::unwrap_used, clippy::doc_markdown)]

use std::path::Path;

use hutano_optimize::MicroLp;

#[path = "reference/instance.rs"]
mod instance;
use instance::Instance;

fn expected(name: &str) -> f64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/expected_highs.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["instances"][name]["objective"].as_f64().unwrap()
}

fn check(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/reference/{name}.json"));
    let inst: Instance = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ours = inst.solve_objective(&MicroLp).unwrap();
    let theirs = expected(name);
    let rel = (ours - theirs).abs() / theirs.abs().max(1.0);
    assert!(
        rel <= 1e-6,
        "{name}: hutano {ours} vs HiGHS {theirs} (relative difference {rel:e})"
    );
    // The planner's objective is also the objective of the exported model at
    // the plan (nothing is added or lost between the two).
    let model = inst.model().unwrap();
    assert!(!model.vars.is_empty());
}

#[test]
fn matches_highs_beds_national_two_days() {
    check("beds_national_two_days");
}

#[test]
fn matches_highs_beds_three_hospitals() {
    check("beds_three_hospitals");
}

/// Multi-day stays: one coupled model over 7 days, no longer totally
/// unimodular, so branch and bound must prove the integer optimum.
#[test]
fn matches_highs_beds_three_hospitals_stays() {
    check("beds_three_hospitals_stays");
}

#[test]
fn matches_highs_staff_mission_hospital_two_weeks() {
    check("staff_mission_hospital_two_weeks");
}

#[test]
fn matches_highs_dispatch_round() {
    check("dispatch_round");
}

#[test]
fn matches_highs_slots_waiting_list() {
    check("slots_waiting_list");
}

/// `solve_all` (parallel with the `parallel` feature) gives exactly the
/// serial result, part by part.
#[test]
fn parallel_solve_equals_serial() {
    for name in ["beds_three_hospitals", "staff_mission_hospital_two_weeks"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/reference/{name}.json"));
        let inst: Instance = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let models = match &inst {
            Instance::Beds(p) => p.models().unwrap(),
            Instance::Staff(p) => p.models().unwrap(),
            _ => unreachable!(),
        };
        assert!(models.len() > 1);
        let together = hutano_optimize::solve_all(&MicroLp, &models).unwrap();
        let serial: Vec<_> = models
            .iter()
            .map(|m| hutano_optimize::solve_explained(&MicroLp, m).unwrap())
            .collect();
        assert_eq!(together, serial, "{name}");
    }
}
