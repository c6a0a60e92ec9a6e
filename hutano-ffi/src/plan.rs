//! Allocation plans from hutano-optimize: beds, staff rosters, ambulance
//! dispatch and freed procedure slots, solved with the pure-Rust `MicroLp`
//! backend, from a problem given as JSON or (beds and staff) built from a
//! data set's network. Rows come out as `hutano_table`s.

use std::ffi::c_char;

use chrono::{Days, NaiveDate};
use hutano_core::model::snake_name;
use hutano_core::table::{Column, Table, Values};
use hutano_optimize::beds::{BedCosts, BedPlan, BedProblem};
use hutano_optimize::budget::{Bound, Budget};
use hutano_optimize::dispatch::{DispatchPlan, DispatchProblem};
use hutano_optimize::lp::SolveStatus;
use hutano_optimize::network::{bed_problem, census_demand, staff_problem, StaffingRatios};
use hutano_optimize::slots::{SlotPlan, SlotProblem, SlotWeights};
use hutano_optimize::staff::{ShiftSpec, StaffPlan, StaffProblem, StaffRules};
use hutano_optimize::MicroLp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::dataset::{hutano_dataset, hutano_table, Dataset};
use crate::error::{hutano_result, FfiError, FfiResult};
use crate::handle::{self, Handle};
use crate::panic::ffi_panic_boundary;
use crate::util::{item, parse_date, str_arg, string_out, to_json, value_out};

/// A solved allocation plan: its objective, summary numbers and rows
/// (`hutano_plan_rows`, `hutano_plan_unmet`), with the problem it solves.
/// Made by `hutano_plan_beds`, `_staff`, `_dispatch`, `_slots`,
/// `_beds_budgeted`, `_staff_budgeted`, `hutano_dataset_bed_plan` and
/// `hutano_dataset_staff_plan`. Immutable;
/// safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_plan {
    _private: [u8; 0],
}

/// Which planner made a plan (`hutano_plan_kind`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hutano_planner {
    /// Bed allocation: demand by service and bed type placed in bed pools.
    Beds = 1,
    /// Staff roster: staff assigned to shifts.
    Staff = 2,
    /// Ambulance dispatch: ambulances sent to requests, patients to hospitals.
    Dispatch = 3,
    /// Freed procedure slots given to patients on the waiting list.
    Slots = 4,
}

/// The Rust side of `hutano_plan`: the problem and its plan (beds and
/// staff: with the proven bound of the whole plan when it was solved
/// within a budget).
#[derive(Debug)]
pub(crate) enum Plan {
    Beds(BedProblem, BedPlan, Option<Bound>),
    Staff(StaffProblem, StaffPlan, Option<Bound>),
    Dispatch(DispatchProblem, DispatchPlan),
    Slots(SlotProblem, SlotPlan),
}

impl Handle for Plan {
    type Opaque = hutano_plan;
    const NAME: &'static str = "hutano_plan";
}

/// Longest horizon, in days, of a plan built from a data set.
const MAX_DAYS: usize = 3660;

/// `obj[key]` absent or null becomes `default`; when both are objects, the
/// given keys replace the default's (an unknown key is an error); any other
/// value is left for deserialisation to check.
fn fill(obj: &mut Map<String, Value>, key: &str, default: Value, what: &str) -> FfiResult<()> {
    match (obj.get_mut(key), default) {
        (None | Some(Value::Null), default) => {
            obj.insert(key.to_owned(), default);
        }
        (Some(Value::Object(given)), Value::Object(mut merged)) => {
            for (k, v) in std::mem::take(given) {
                if !merged.contains_key(&k) {
                    let known: Vec<&str> = merged.keys().map(String::as_str).collect();
                    return Err(FfiError::param(format!(
                        "{what}: unknown field {key}.{k} (expected one of {})",
                        known.join(", ")
                    )));
                }
                merged.insert(k, v);
            }
            *given = merged;
        }
        _ => {}
    }
    Ok(())
}

fn value_of<T: Serialize>(value: &T) -> FfiResult<Value> {
    serde_json::to_value(value).map_err(|e| FfiError::new(hutano_result::Other, e.to_string()))
}

/// Parse a JSON object into `T` after filling in `defaults` (see [`fill`]).
/// Empty text is the empty object.
fn with_defaults<T: DeserializeOwned>(text: &str, what: &str, defaults: Vec<(&str, Value)>) -> FfiResult<T> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    let mut value: Value = serde_json::from_str(text).map_err(|e| FfiError::param(format!("{what}: {e}")))?;
    let obj = value
        .as_object_mut()
        .ok_or_else(|| FfiError::param(format!("{what}: expected a JSON object")))?;
    for (key, default) in defaults {
        fill(obj, key, default, what)?;
    }
    serde_json::from_value(value).map_err(|e| FfiError::param(format!("{what}: {e}")))
}

/// Settings of `hutano_dataset_bed_plan` (every field has a default).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BedSettings {
    costs: BedCosts,
    allow_unmet: bool,
    budget: Option<BudgetSettings>,
}

/// Settings of `hutano_dataset_staff_plan` (every field has a default).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffSettings {
    ratios: StaffingRatios,
    rules: StaffRules,
    budget: Option<BudgetSettings>,
}

/// A branch-and-bound budget as JSON, `{"node_limit": 0, "gap": 0.01}`:
/// the `"budget"` of a data set plan's settings and the `budget_json` of
/// `hutano_plan_beds_budgeted` and `hutano_plan_staff_budgeted`. Both keys
/// are optional; absent or null is no node limit and a zero gap.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetSettings {
    #[serde(default)]
    node_limit: Option<serde_json::Number>,
    #[serde(default)]
    gap: Option<f64>,
}

impl BudgetSettings {
    /// hutano-optimize's `Budget`, checked: `node_limit` a whole number from
    /// 0, `gap` in [0, 1) (as Python's `node_limit=` and `gap=`). `what`
    /// prefixes the key in an error, e.g. `"budget_json: "`.
    fn budget(&self, what: &str) -> FfiResult<Budget> {
        let mut budget = Budget::default();
        if let Some(n) = &self.node_limit {
            let n = n.as_u64().ok_or_else(|| {
                FfiError::param(format!(
                    "{what}node_limit must be a whole number of nodes from 0 (null: no limit), got {n}"
                ))
            })?;
            budget = budget.with_node_limit(n);
        }
        if let Some(gap) = self.gap {
            if !(0.0..1.0).contains(&gap) {
                return Err(FfiError::param(format!("{what}gap must be in [0, 1), got {gap}")));
            }
            budget = budget.with_relative_gap(gap);
        }
        budget.validate()?;
        Ok(budget)
    }
}

/// The budget of a data set plan's settings, if they have one.
fn settings_budget(budget: Option<&BudgetSettings>) -> FfiResult<Option<Budget>> {
    budget.map(|b| b.budget("settings_json: budget.")).transpose()
}

fn horizon(start: &str, days: usize) -> FfiResult<NaiveDate> {
    let start = parse_date(start, "start")?;
    if days == 0 || days > MAX_DAYS {
        return Err(FfiError::param(format!("days is {days}: give 1 to {MAX_DAYS}")));
    }
    Ok(start)
}

/// The bed problem of a data set and the budget of its settings, if any.
fn dataset_bed_problem(
    ds: &Dataset,
    start: &str,
    days: usize,
    settings: &str,
) -> FfiResult<(BedProblem, Option<Budget>)> {
    let start = horizon(start, days)?;
    let s: BedSettings = with_defaults(
        settings,
        "settings_json",
        vec![
            ("costs", value_of(&BedCosts::default())?),
            ("allow_unmet", Value::Bool(true)),
        ],
    )?;
    let budget = settings_budget(s.budget.as_ref())?;
    let demand = census_demand(&ds.net, start, days);
    let mut problem = bed_problem(&ds.net, start, days, demand, s.costs)?;
    problem.allow_unmet = s.allow_unmet;
    Ok((problem, budget))
}

/// The staff problem of a data set and the budget of its settings, if any.
fn dataset_staff_problem(
    ds: &Dataset,
    start: &str,
    days: usize,
    settings: &str,
) -> FfiResult<(StaffProblem, Option<Budget>)> {
    let start = horizon(start, days)?;
    let s: StaffSettings = with_defaults(
        settings,
        "settings_json",
        vec![
            ("ratios", value_of(&StaffingRatios::default())?),
            ("rules", value_of(&StaffRules::default())?),
        ],
    )?;
    let budget = settings_budget(s.budget.as_ref())?;
    let demand = census_demand(&ds.net, start, days);
    let problem = staff_problem(&ds.net, start, days, &demand, s.ratios, s.rules)?;
    Ok((problem, budget))
}

/// Solve to proven optimality (no budget: microlp's own branch and bound)
/// or within a budget (hutano-optimize's `solve_within`, keeping the whole
/// plan's bound).
fn solve_beds(problem: BedProblem, budget: Option<Budget>) -> FfiResult<Plan> {
    let (plan, bound) = problem.solve_within(&MicroLp, budget.as_ref())?;
    Ok(Plan::Beds(problem, plan, bound.map(|b| b.total)))
}

/// As [`solve_beds`].
fn solve_staff(problem: StaffProblem, budget: Option<Budget>) -> FfiResult<Plan> {
    let (plan, bound) = problem.solve_within(&MicroLp, budget.as_ref())?;
    Ok(Plan::Staff(problem, plan, bound.map(|b| b.total)))
}

/// The body of the four `hutano_plan_<planner>` constructors.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes; `out` for one write.
unsafe fn plan_from_json(
    problem_json: *const c_char,
    problem_json_len: usize,
    out: *mut *mut hutano_plan,
    kind: hutano_planner,
) -> hutano_result {
    // SAFETY: forwarded contract.
    handle::handle_out(out, || unsafe {
        solve_json(problem_json, problem_json_len, kind, None)
    })
}

/// The body of `hutano_plan_beds_budgeted` and `hutano_plan_staff_budgeted`.
///
/// # Safety
/// The strings are NULL or valid for their lengths; `out` for one write.
unsafe fn plan_from_json_budgeted(
    problem_json: *const c_char,
    problem_json_len: usize,
    budget_json: *const c_char,
    budget_json_len: usize,
    out: *mut *mut hutano_plan,
    kind: hutano_planner,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: forwarded contract.
        let text = unsafe { str_arg(budget_json, budget_json_len, "budget_json") }?;
        let budget = with_defaults::<BudgetSettings>(text, "budget_json", Vec::new())?.budget("budget_json: ")?;
        // SAFETY: forwarded contract.
        unsafe { solve_json(problem_json, problem_json_len, kind, Some(budget)) }
    })
}

/// Parse a problem of `kind` and solve it (beds and staff within `budget`
/// when given; dispatch and slots are always solved exactly).
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes.
unsafe fn solve_json(
    problem_json: *const c_char,
    problem_json_len: usize,
    kind: hutano_planner,
    budget: Option<Budget>,
) -> FfiResult<Plan> {
    // SAFETY: forwarded contract.
    let text = unsafe { str_arg(problem_json, problem_json_len, "problem_json") }?;
    let what = "problem_json";
    let plan = match kind {
        hutano_planner::Beds => solve_beds(
            with_defaults(text, what, vec![("costs", value_of(&BedCosts::default())?)])?,
            budget,
        )?,
        hutano_planner::Staff => solve_staff(
            with_defaults(
                text,
                what,
                vec![
                    ("shifts", value_of(&ShiftSpec::three_shifts())?),
                    ("rules", value_of(&StaffRules::default())?),
                ],
            )?,
            budget,
        )?,
        hutano_planner::Dispatch => {
            let problem: DispatchProblem = with_defaults(text, what, Vec::new())?;
            let plan = problem.solve(&MicroLp)?;
            Plan::Dispatch(problem, plan)
        }
        hutano_planner::Slots => {
            let problem: SlotProblem =
                with_defaults(text, what, vec![("weights", value_of(&SlotWeights::default())?)])?;
            let plan = problem.solve(&MicroLp)?;
            Plan::Slots(problem, plan)
        }
    };
    Ok(plan)
}

/// Solve a bed allocation given as JSON: hutano-optimize's `BedProblem`,
///
/// ```json
/// {"start": "2024-05-03", "days": 1,
///  "hospitals": [{"code": "HRE", "location": [-17.83, 31.05]}, ...],
///  "pools": [{"ward": "HRE-ICU", "hospital": 0, "service": "Intensive care",
///             "bed_type": "icu", "beds": [6]}, ...],
///  "demand": [{"day": 0, "hospital": 0, "service": "Intensive care",
///              "bed_type": "icu", "patients": 8, "stay_days": 1}, ...],
///  "costs": {"unmet": 1000, ...}, "allow_unmet": true}
/// ```
///
/// Hospitals, pools and demand refer to each other by index; `beds` has one
/// count per day; bed types are `general`, `private`, `hdu`, `icu`,
/// `maternity`, `isolation` (an upgrade may take a patient: see
/// hutano-optimize's `can_take`). A demand row is a cohort: `patients`
/// arriving on `day` who need a bed for `stay_days` days (optional, default
/// 1, at least 1; clipped at the end of the horizon), placed in one pool
/// for the whole stay or left unmet for all of it; patients already in beds
/// at the start are a row with `day` 0 and their remaining stay. `costs`
/// (`unmet` 1000, `off_service` 10 and `wrong_bed_type` 20 per
/// patient-day; `transfer_fixed` 50 and `transfer_per_km` 0.5 once per
/// patient moved to another hospital, on the arrival day;
/// `max_transfer_km` 400) may be left out or given in part. A placement
/// has a row on every day of its stay in `hutano_plan_rows`, with `arrival`
/// 1 on the first day; the summary counts unmet, off-service and wrong-type
/// patient-days and transferred patients. Stays of more than one day
/// couple the days into a mixed-integer programme solved to proven
/// optimality (no node or gap limit through this call), which can take
/// long on a large network over weeks: `hutano_plan_beds_budgeted` solves
/// within a budget instead. On success `*out` receives the plan, freed
/// with `hutano_plan_free`.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for JSON that is not such a
/// problem or an index, length, stay (`stay_days` 0) or weight out of
/// range;
/// `HUTANO_RESULT_INFEASIBLE` when `allow_unmet` is false and some patients
/// cannot be placed: the detail names each group, e.g. `"infeasible plan:
/// icu beds for ICU patients at A on 2024-05-03: 7 needed, 5 available"`.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_beds(
    problem_json: *const c_char,
    problem_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    // SAFETY: the caller guarantees the arguments (forwarded contract).
    unsafe { plan_from_json(problem_json, problem_json_len, out, hutano_planner::Beds) }
}

/// Solve a staff roster given as JSON: hutano-optimize's `StaffProblem`,
///
/// ```json
/// {"start": "2024-05-03", "days": 2,
///  "staff": [{"code": "N1", "role": "nurse", "units": ["ICU"], "skills": ["icu"],
///             "contracted_hours_per_week": 40, "max_overtime_hours_per_week": 0,
///             "hourly_cost": 10, "leave": []}, ...],
///  "requirements": [{"unit": "ICU", "role": "nurse", "skill": null, "day": 0,
///                    "shift": 0, "target": 1, "minimum": 1}, ...],
///  "shifts": [...], "rules": {...}}
/// ```
///
/// Roles are `doctor`, `nurse`, `clinical_officer`, `pharmacist`,
/// `technician`, `support`, `admin`; `shift` indexes `shifts`, which may be
/// left out for day 07:00, evening 15:00 and night 23:00 shifts of 8 hours
/// (`{"name": "night", "start_minute": 1380, "length_minutes": 480,
/// "night": true}`); `rules` (`min_rest_hours` 11, `overtime_premium` 0.5,
/// `understaffing_penalty` 1000, `night_fairness` 20, `weekend_fairness`
/// 20) may be left out or given in part. `minimum` is a hard floor,
/// `target` a soft goal.
///
/// A roster is a MIP whose solve time grows fast with days and staff; the
/// call blocks until the optimum is proven and cannot be cancelled:
/// `hutano_plan_staff_budgeted` solves within a node and gap budget
/// instead.
///
/// Errors: as `hutano_plan_beds`; `HUTANO_RESULT_INFEASIBLE` when a
/// `minimum` cannot be met, the detail naming each shift, e.g.
/// `"infeasible plan: nurses in ICU on 2024-05-03 day shift: 2 needed, 1
/// available"`.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_staff(
    problem_json: *const c_char,
    problem_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    // SAFETY: the caller guarantees the arguments (forwarded contract).
    unsafe { plan_from_json(problem_json, problem_json_len, out, hutano_planner::Staff) }
}

/// Solve a bed allocation (`hutano_plan_beds`, same problem JSON) within a
/// branch-and-bound budget instead of to proven optimality, with a proven
/// lower bound. `budget_json`:
///
/// ```json
/// {"node_limit": 2000, "gap": 0.01}
/// ```
///
/// - `node_limit`: at most this many branch-and-bound nodes (LP re-solves
///   below the root) per independent block of days; 0 stops after the
///   root LP and the rounding heuristic; null or absent for no limit. The
///   node limit, not the clock, decides where the search stops, so the
///   same problem and budget give the same plan on every machine.
/// - `gap`: stop once `(objective − lower_bound) / max(|objective|, 1)` is
///   at most this, in [0, 1); null or absent for 0.
///
/// Both optional; NULL (with length 0), empty or `{}` is no limit and a
/// zero gap: the search runs to proven optimality, giving the optimum of
/// `hutano_plan_beds` (within the LP tolerances) and the bound. Only stays
/// of more than one day need a budget: one-day stays are solved exactly at
/// the root. The plan is feasible (it meets every hard constraint) and its
/// summary ends with `lower_bound`, `gap`, `optimal` and `nodes` (see
/// `hutano_plan_summary_name`); `hutano_plan_objective` is its cost, at
/// least `lower_bound`. These are the `node_limit=` and `gap=` of Python's
/// `plan_beds` (hutano-optimize's `BedProblem::solve_budgeted`).
///
/// Errors: as `hutano_plan_beds`; `HUTANO_RESULT_INVALID_PARAMETER` for a
/// `budget_json` that is not such an object (an unknown key, a negative or
/// fractional `node_limit`, a `gap` below 0, at or above 1 or not a
/// number: JSON has no NaN), the detail naming the key, e.g.
/// `"budget_json: gap must be in [0, 1), got 1.5"`;
/// `HUTANO_RESULT_MODEL_FAILED` when the budget ran out before any plan
/// was found.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes, `budget_json` for
/// `budget_json_len` bytes (NULL only with length 0); `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_beds_budgeted(
    problem_json: *const c_char,
    problem_json_len: usize,
    budget_json: *const c_char,
    budget_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    // SAFETY: the caller guarantees the arguments (forwarded contract).
    unsafe {
        plan_from_json_budgeted(
            problem_json,
            problem_json_len,
            budget_json,
            budget_json_len,
            out,
            hutano_planner::Beds,
        )
    }
}

/// Solve a staff roster (`hutano_plan_staff`, same problem JSON) within a
/// branch-and-bound budget instead of to proven optimality, with a proven
/// lower bound: `budget_json` as in `hutano_plan_beds_budgeted`, with
/// `node_limit` per independent part of the roster. A whole network's
/// roster over weeks, which takes hours to solve exactly, gives a feasible
/// roster and its bound in the time of the root LPs with `{"node_limit":
/// 0}`. The summary ends with `lower_bound`, `gap`, `optimal` and `nodes`.
/// Python's `plan_staff(..., node_limit=, gap=)` (hutano-optimize's
/// `StaffProblem::solve_budgeted`).
///
/// Errors: as `hutano_plan_staff` and `hutano_plan_beds_budgeted`.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes, `budget_json` for
/// `budget_json_len` bytes (NULL only with length 0); `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_staff_budgeted(
    problem_json: *const c_char,
    problem_json_len: usize,
    budget_json: *const c_char,
    budget_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    // SAFETY: the caller guarantees the arguments (forwarded contract).
    unsafe {
        plan_from_json_budgeted(
            problem_json,
            problem_json_len,
            budget_json,
            budget_json_len,
            out,
            hutano_planner::Staff,
        )
    }
}

/// Solve an ambulance dispatch round given as JSON: hutano-optimize's
/// `DispatchProblem`,
///
/// ```json
/// {"requests": [{"id": "call-0", "location": [-17.93, 31.05], "weight": 4,
///                "bed_type": "icu", "needs_als": true}, ...],
///  "ambulances": [{"code": "A1", "location": [-17.8, 31.0],
///                  "kind": "advanced_life_support"}, ...],
///  "hospitals": [{"code": "HRE", "location": [-17.83, 31.05],
///                 "beds": [{"bed_type": "icu", "now": 2, "forecast": 1.5}]}, ...],
///  "speed_kmh": 60, "unserved_minutes": 240}
/// ```
///
/// Ambulance kinds are `basic_life_support` and `advanced_life_support`.
/// Always feasible: a request may wait for the next round.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_dispatch(
    problem_json: *const c_char,
    problem_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    // SAFETY: the caller guarantees the arguments (forwarded contract).
    unsafe { plan_from_json(problem_json, problem_json_len, out, hutano_planner::Dispatch) }
}

/// Give freed procedure slots to patients on the waiting list, given as
/// JSON: hutano-optimize's `SlotProblem`,
///
/// ```json
/// {"slots": [{"id": "slot-0", "equipment": "ct", "start": "2024-02-10T08:00:00",
///             "minutes": 30, "capabilities": ["contrast"]}, ...],
///  "waiting": [{"id": "ref-17", "equipment": "ct", "minutes": 20,
///               "needs": ["contrast"], "priority": 1, "waited_days": 12,
///               "ready_from": "2024-02-09T00:00:00"}, ...],
///  "weights": {"priority": [1000, 100, 10, 1], "delay_weight": 0.01}}
/// ```
///
/// `weights` may be left out or given in part. The objective is negative:
/// minus the value of the filled slots. Always feasible.
///
/// # Safety
/// `problem_json` is valid for `problem_json_len` bytes; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_slots(
    problem_json: *const c_char,
    problem_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    // SAFETY: the caller guarantees the arguments (forwarded contract).
    unsafe { plan_from_json(problem_json, problem_json_len, out, hutano_planner::Slots) }
}

/// The bed problem of a data set's network over `days` days from `start`
/// (`YYYY-MM-DD`), as `hutano_plan_beds` JSON, without solving it: one
/// hospital per branch, one pool per ward and bed type with the beds in
/// service each day, and as demand the observed midnight census of each day
/// by hospital, service (department name) and bed type (hutano-optimize's
/// `network::bed_problem` and `network::census_demand`). Edit it (e.g.
/// replace the demand by a forecast) and solve it with `hutano_plan_beds`.
///
/// `settings_json`: `{"costs": {...}, "allow_unmet": true, "budget":
/// {"node_limit": 0, "gap": 0.01}}`, all optional (`costs` as in
/// `hutano_plan_beds`, also in part; `budget` as the `budget_json` of
/// `hutano_plan_beds_budgeted`, used by `hutano_dataset_bed_plan` and here
/// only checked); NULL (with length 0) or empty for the defaults. `days`
/// from 1 to 3660. String output: see the preamble.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for a bad date, `days` or
/// settings; `HUTANO_RESULT_INVALID_DATA` (or another hutano-core code) when
/// the network is inconsistent.
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `buf` is valid for `len` bytes; `out_n` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_bed_problem(
    dataset: *const hutano_dataset,
    start: *const c_char,
    start_len: usize,
    days: usize,
    settings_json: *const c_char,
    settings_json_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    let text = || {
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (ds, start, settings) =
            unsafe { dataset_args(dataset, start, start_len, settings_json, settings_json_len) }?;
        to_json(&dataset_bed_problem(ds, start, days, settings)?.0)
    };
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, text) }
}

/// Solve the bed problem of a data set's network (`hutano_dataset_bed_problem`,
/// same arguments). With `"allow_unmet": false` in the settings, a day whose
/// patients cannot all be placed gives `HUTANO_RESULT_INFEASIBLE`, the
/// detail naming each group. With a `"budget"` in the settings (e.g.
/// `{"budget": {"node_limit": 0}}`; `{"budget": {}}` for no limit) the
/// plan is solved within it as by `hutano_plan_beds_budgeted` and its
/// summary ends with `lower_bound`, `gap`, `optimal` and `nodes`; without
/// one, to proven optimality. A bad budget gives
/// `HUTANO_RESULT_INVALID_PARAMETER`, e.g. `"settings_json:
/// budget.node_limit must be a whole number of nodes from 0 (null: no
/// limit), got -1"`. On success `*out` receives the plan, freed with
/// `hutano_plan_free`.
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_bed_plan(
    dataset: *const hutano_dataset,
    start: *const c_char,
    start_len: usize,
    days: usize,
    settings_json: *const c_char,
    settings_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (ds, start, settings) =
            unsafe { dataset_args(dataset, start, start_len, settings_json, settings_json_len) }?;
        let (problem, budget) = dataset_bed_problem(ds, start, days, settings)?;
        solve_beds(problem, budget)
    })
}

/// The data set and the two strings of the four `hutano_dataset_*_problem`
/// and `hutano_dataset_*_plan` calls.
///
/// # Safety
/// `start` and `settings_json` are NULL or valid for their lengths.
unsafe fn dataset_args<'a>(
    dataset: *const hutano_dataset,
    start: *const c_char,
    start_len: usize,
    settings_json: *const c_char,
    settings_json_len: usize,
) -> FfiResult<(&'a Dataset, &'a str, &'a str)> {
    let ds = handle::get::<Dataset>(dataset, "dataset")?;
    // SAFETY: forwarded contract.
    let (start, settings) = unsafe {
        (
            str_arg(start, start_len, "start")?,
            str_arg(settings_json, settings_json_len, "settings_json")?,
        )
    };
    Ok((ds, start, settings))
}

/// The staff problem of a data set's network over `days` days from `start`,
/// as `hutano_plan_staff` JSON, without solving it (hutano-optimize's
/// `network::staff_problem`): every member of staff, three 8-hour shifts,
/// and requirements from the observed midnight census by ratios (nurses on
/// every shift, doctors on the day shift and one at night, a clinical
/// officer by day; pharmacy, technicians, support and admin by headcount),
/// floors at `minimum_share` of the target.
///
/// `settings_json`: `{"ratios": {"patients_per_nurse": [8, 10, 12],
/// "critical_patients_per_nurse": 2, "patients_per_doctor": 15,
/// "minimum_share": 0.5, "max_overtime_hours_per_week": 8}, "rules":
/// {...}, "budget": {"node_limit": 0, "gap": 0.01}}`, all optional,
/// `ratios` and `rules` in part (`rules` as in `hutano_plan_staff`;
/// `budget` as the `budget_json` of `hutano_plan_staff_budgeted`, used by
/// `hutano_dataset_staff_plan` and here only checked); NULL (with length
/// 0) or empty for the defaults. A whole network's roster solves quickly
/// for one day but can take microlp many minutes for two or more: give a
/// `"budget"` to `hutano_dataset_staff_plan`, or keep the units you need
/// and solve the edited problem with `hutano_plan_staff` (or
/// `hutano_plan_staff_budgeted`). String output: see the preamble.
///
/// Errors: as `hutano_dataset_bed_problem`.
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `buf` is valid for `len` bytes; `out_n` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_staff_problem(
    dataset: *const hutano_dataset,
    start: *const c_char,
    start_len: usize,
    days: usize,
    settings_json: *const c_char,
    settings_json_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    let text = || {
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (ds, start, settings) =
            unsafe { dataset_args(dataset, start, start_len, settings_json, settings_json_len) }?;
        to_json(&dataset_staff_problem(ds, start, days, settings)?.0)
    };
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, text) }
}

/// Solve the staff problem of a data set's network
/// (`hutano_dataset_staff_problem`, same arguments; see there for the
/// solve time). `HUTANO_RESULT_INFEASIBLE` when a staffing floor cannot be
/// met, the detail naming each shift. With a `"budget"` in the settings
/// the roster is solved within it (as `hutano_plan_staff_budgeted`; see
/// `hutano_dataset_bed_plan`), else to proven optimality. On success
/// `*out` receives the plan, freed with `hutano_plan_free`.
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_staff_plan(
    dataset: *const hutano_dataset,
    start: *const c_char,
    start_len: usize,
    days: usize,
    settings_json: *const c_char,
    settings_json_len: usize,
    out: *mut *mut hutano_plan,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (ds, start, settings) =
            unsafe { dataset_args(dataset, start, start_len, settings_json, settings_json_len) }?;
        let (problem, budget) = dataset_staff_problem(ds, start, days, settings)?;
        solve_staff(problem, budget)
    })
}

/// Free a plan (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `plan` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_free(plan: *mut hutano_plan) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Plan>(plan, "plan") }
}

/// Which planner made the plan: a `HUTANO_PLANNER_*` value.
///
/// # Safety
/// `plan` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_kind(plan: *const hutano_plan, out: *mut hutano_planner) -> hutano_result {
    value_out(out, || {
        Ok(match handle::get::<Plan>(plan, "plan")? {
            Plan::Beds(..) => hutano_planner::Beds,
            Plan::Staff(..) => hutano_planner::Staff,
            Plan::Dispatch(..) => hutano_planner::Dispatch,
            Plan::Slots(..) => hutano_planner::Slots,
        })
    })
}

/// The objective value (minimised; the optimum unless the plan was solved
/// within a budget, see `lower_bound` in `hutano_plan_summary_name`): for beds the weighted cost of
/// unmet, off-service and wrong-type patient-days and of transferred
/// patients (each once); for staff wages, overtime premium, understaffing and fairness
/// penalties; for dispatch acuity-weighted minutes; for slots minus the
/// value of the filled slots.
///
/// # Safety
/// `plan` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_objective(plan: *const hutano_plan, out: *mut f64) -> hutano_result {
    value_out(out, || {
        Ok(match handle::get::<Plan>(plan, "plan")? {
            Plan::Beds(_, p, _) => p.objective,
            Plan::Staff(_, p, _) => p.objective,
            Plan::Dispatch(_, p) => p.objective,
            Plan::Slots(_, p) => p.objective,
        })
    })
}

impl Plan {
    /// The summary numbers, by name, in a fixed order per planner, and
    /// after them the proven bound of a plan solved within a budget.
    fn summary(&self) -> Vec<(&'static str, f64)> {
        let mut numbers = self.plan_summary();
        if let Plan::Beds(_, _, Some(b)) | Plan::Staff(_, _, Some(b)) = self {
            numbers.extend([
                ("lower_bound", b.lower_bound),
                ("gap", b.gap),
                ("optimal", f64::from(u8::from(b.status == SolveStatus::Optimal))),
                ("nodes", b.nodes as f64),
            ]);
        }
        numbers
    }

    /// The planner's own summary numbers.
    fn plan_summary(&self) -> Vec<(&'static str, f64)> {
        match self {
            Plan::Beds(_, p, _) => {
                let s = p.summary;
                vec![
                    ("unmet_patients", s.unmet_patients as f64),
                    ("off_service_patients", s.off_service_patients as f64),
                    ("wrong_type_patients", s.wrong_type_patients as f64),
                    ("transferred_patients", s.transferred_patients as f64),
                    ("transfer_km", s.transfer_km),
                ]
            }
            Plan::Staff(_, p, _) => {
                let s = p.summary;
                vec![
                    ("shifts", s.shifts as f64),
                    ("hours", s.hours),
                    ("overtime_hours", s.overtime_hours),
                    ("wages", s.wages),
                    ("missing", s.missing as f64),
                    ("max_nights", f64::from(s.max_nights)),
                    ("max_weekend_shifts", f64::from(s.max_weekend_shifts)),
                ]
            }
            Plan::Dispatch(_, p) => vec![
                ("dispatched", p.dispatches.len() as f64),
                ("waiting", p.waiting.len() as f64),
                (
                    "response_minutes",
                    p.dispatches.iter().map(|d| d.response_minutes).sum(),
                ),
                (
                    "transfer_minutes",
                    p.dispatches.iter().map(|d| d.transfer_minutes).sum(),
                ),
            ],
            Plan::Slots(_, p) => vec![("booked", p.bookings.len() as f64), ("empty", p.empty.len() as f64)],
        }
    }
}

/// Number of summary numbers of the plan (names: `hutano_plan_summary_name`).
///
/// # Safety
/// `plan` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_summary_count(plan: *const hutano_plan, out: *mut usize) -> hutano_result {
    value_out(out, || Ok(handle::get::<Plan>(plan, "plan")?.summary().len()))
}

/// Name of summary number `i`. The names, in order:
/// - beds: `unmet_patients`, `off_service_patients`, `wrong_type_patients`
///   (patient-days), `transferred_patients`, `transfer_km` (patient-km);
/// - staff: `shifts`, `hours`, `overtime_hours`, `wages` (with the overtime
///   premium), `missing` (staff short of targets, summed), `max_nights`,
///   `max_weekend_shifts` (most of one member);
/// - dispatch: `dispatched`, `waiting` (requests), `response_minutes`,
///   `transfer_minutes` (unweighted totals over the dispatched requests);
/// - slots: `booked`, `empty` (slots);
///
/// and after them, for a bed or staff plan solved within a budget
/// (`hutano_plan_beds_budgeted`, `hutano_plan_staff_budgeted`, or a
/// `"budget"` in the settings of `hutano_dataset_bed_plan` and
/// `hutano_dataset_staff_plan`), what the search proved about the whole
/// plan: `lower_bound` (no plan costs less), `gap` (`(objective −
/// lower_bound) / max(|objective|, 1)`, at least 0), `optimal` (1 when
/// optimality was proven, else 0) and `nodes` (branch-and-bound nodes
/// solved, over all independent parts). A plan solved without a budget is
/// optimal and has none of these four (`hutano_plan_summary_value` gives
/// `HUTANO_RESULT_NOT_FOUND`).
///
/// String output: see the preamble.
///
/// # Safety
/// `plan` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_summary_name(
    plan: *const hutano_plan,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            let summary = handle::get::<Plan>(plan, "plan")?.summary();
            Ok(item(&summary, i, "summary number")?.0)
        })
    }
}

/// The summary number called `name` (see `hutano_plan_summary_name`);
/// `HUTANO_RESULT_NOT_FOUND` if the plan has none of that name.
///
/// # Safety
/// `plan` is a live handle; `name` is valid for `name_len` bytes; `out` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_summary_value(
    plan: *const hutano_plan,
    name: *const c_char,
    name_len: usize,
    out: *mut f64,
) -> hutano_result {
    value_out(out, || {
        let p = handle::get::<Plan>(plan, "plan")?;
        // SAFETY: the caller guarantees `name` is valid for its length.
        let name = unsafe { str_arg(name, name_len, "name") }?;
        p.summary()
            .into_iter()
            .find_map(|(n, v)| (n == name).then_some(v))
            .ok_or_else(|| FfiError::new(hutano_result::NotFound, format!("no summary number {name:?}")))
    })
}

fn column(name: &str, values: Values) -> Column {
    Column {
        name: name.to_owned(),
        values,
    }
}

fn texts<T>(rows: &[T], f: impl Fn(&T) -> String) -> Values {
    Values::Text(rows.iter().map(f).collect())
}

fn ints<T>(rows: &[T], f: impl Fn(&T) -> i64) -> Values {
    Values::Int(rows.iter().map(f).collect())
}

fn floats<T>(rows: &[T], f: impl Fn(&T) -> f64) -> Values {
    Values::Float(rows.iter().map(f).collect())
}

fn dates<T>(rows: &[T], f: impl Fn(&T) -> NaiveDate) -> Values {
    Values::Date(rows.iter().map(f).collect())
}

/// An index as a table integer.
fn int(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

/// The date of day offset `day` from `start`.
fn day_date(start: NaiveDate, day: usize) -> NaiveDate {
    start
        .checked_add_days(Days::new(u64::try_from(day).unwrap_or(u64::MAX)))
        .unwrap_or(NaiveDate::MAX)
}

fn iso(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl Plan {
    /// The rows of the plan: placements, assignments, dispatches or bookings.
    fn rows(&self) -> Table {
        let columns = match self {
            Plan::Beds(_, plan, _) => {
                let rows: Vec<_> = plan.days.iter().flat_map(|d| &d.placements).collect();
                vec![
                    column("date", dates(&rows, |p| p.date)),
                    column("from_hospital", texts(&rows, |p| p.from_hospital.clone())),
                    column("to_hospital", texts(&rows, |p| p.to_hospital.clone())),
                    column("ward", texts(&rows, |p| p.ward.clone())),
                    column("service", texts(&rows, |p| p.service.clone())),
                    column("needed", texts(&rows, |p| p.needed.label().to_owned())),
                    column("bed_type", texts(&rows, |p| p.bed_type.label().to_owned())),
                    column("patients", ints(&rows, |p| i64::from(p.patients))),
                    column("off_service", ints(&rows, |p| i64::from(p.off_service))),
                    column("transfer_km", floats(&rows, |p| p.transfer_km.unwrap_or(f64::NAN))),
                    column("arrival", ints(&rows, |p| i64::from(p.arrival))),
                    column("demand_index", ints(&rows, |p| int(p.demand))),
                    column("pool_index", ints(&rows, |p| int(p.pool))),
                ]
            }
            Plan::Staff(problem, plan, _) => {
                let rows = &plan.assignments;
                let member = |a: &hutano_optimize::staff::Assignment| &problem.staff[a.staff];
                vec![
                    column("date", dates(rows, |a| day_date(problem.start, a.day))),
                    column("shift", texts(rows, |a| problem.shifts[a.shift].name.clone())),
                    column("unit", texts(rows, |a| a.unit.clone())),
                    column("staff", texts(rows, |a| member(a).code.clone())),
                    column("role", texts(rows, |a| snake_name(&member(a).role))),
                    column("day", ints(rows, |a| int(a.day))),
                    column("shift_index", ints(rows, |a| int(a.shift))),
                    column("staff_index", ints(rows, |a| int(a.staff))),
                ]
            }
            Plan::Dispatch(problem, plan) => {
                let rows = &plan.dispatches;
                let request = |d: &hutano_optimize::dispatch::Dispatch| &problem.requests[d.request];
                vec![
                    column("request", texts(rows, |d| request(d).id.clone())),
                    column(
                        "ambulance",
                        texts(rows, |d| problem.ambulances[d.ambulance].code.clone()),
                    ),
                    column("hospital", texts(rows, |d| problem.hospitals[d.hospital].code.clone())),
                    column("bed_type", texts(rows, |d| request(d).bed_type.label().to_owned())),
                    column("weight", floats(rows, |d| request(d).weight)),
                    column("response_minutes", floats(rows, |d| d.response_minutes)),
                    column("transfer_minutes", floats(rows, |d| d.transfer_minutes)),
                    column("request_index", ints(rows, |d| int(d.request))),
                    column("ambulance_index", ints(rows, |d| int(d.ambulance))),
                    column("hospital_index", ints(rows, |d| int(d.hospital))),
                ]
            }
            Plan::Slots(problem, plan) => {
                let rows = &plan.bookings;
                let slot = |b: &hutano_optimize::slots::Booking| &problem.slots[b.slot];
                let patient = |b: &hutano_optimize::slots::Booking| &problem.waiting[b.patient];
                vec![
                    column("slot", texts(rows, |b| slot(b).id.clone())),
                    column("patient", texts(rows, |b| patient(b).id.clone())),
                    column("equipment", texts(rows, |b| slot(b).equipment.clone())),
                    column("start", texts(rows, |b| iso(slot(b).start))),
                    column("minutes", ints(rows, |b| i64::from(slot(b).minutes))),
                    column("priority", ints(rows, |b| i64::from(patient(b).priority))),
                    column("waited_days", floats(rows, |b| patient(b).waited_days)),
                    column("slot_index", ints(rows, |b| int(b.slot))),
                    column("patient_index", ints(rows, |b| int(b.patient))),
                ]
            }
        };
        Table { columns }
    }

    /// What the plan leaves undone: unmet demand, understaffed shifts,
    /// waiting requests or empty slots.
    fn unmet(&self) -> Table {
        let columns = match self {
            Plan::Beds(problem, plan, _) => {
                let rows: Vec<_> = plan.days.iter().flat_map(|d| &d.unmet).collect();
                let demand = |u: &&hutano_optimize::beds::UnmetDemand| &problem.demand[u.demand];
                vec![
                    column("date", dates(&rows, |u| u.date)),
                    column(
                        "hospital",
                        texts(&rows, |u| problem.hospitals[demand(u).hospital].code.clone()),
                    ),
                    column("service", texts(&rows, |u| demand(u).service.clone())),
                    column("bed_type", texts(&rows, |u| demand(u).bed_type.label().to_owned())),
                    column("patients", ints(&rows, |u| i64::from(u.patients))),
                    column("demand_index", ints(&rows, |u| int(u.demand))),
                ]
            }
            Plan::Staff(problem, plan, _) => {
                let rows = &plan.understaffing;
                let req = |u: &hutano_optimize::staff::Understaffing| &problem.requirements[u.requirement];
                vec![
                    column("date", dates(rows, |u| day_date(problem.start, req(u).day))),
                    column("shift", texts(rows, |u| problem.shifts[req(u).shift].name.clone())),
                    column("unit", texts(rows, |u| req(u).unit.clone())),
                    column("role", texts(rows, |u| snake_name(&req(u).role))),
                    column("skill", texts(rows, |u| req(u).skill.clone().unwrap_or_default())),
                    column("target", ints(rows, |u| i64::from(req(u).target))),
                    column("minimum", ints(rows, |u| i64::from(req(u).minimum))),
                    column("missing", ints(rows, |u| i64::from(u.missing))),
                    column("requirement_index", ints(rows, |u| int(u.requirement))),
                ]
            }
            Plan::Dispatch(problem, plan) => {
                let rows = &plan.waiting;
                let request = |r: &usize| &problem.requests[*r];
                vec![
                    column("request", texts(rows, |r| request(r).id.clone())),
                    column("bed_type", texts(rows, |r| request(r).bed_type.label().to_owned())),
                    column("weight", floats(rows, |r| request(r).weight)),
                    column("needs_als", ints(rows, |r| i64::from(request(r).needs_als))),
                    column("request_index", ints(rows, |r| int(*r))),
                ]
            }
            Plan::Slots(problem, plan) => {
                let rows = &plan.empty;
                let slot = |s: &usize| &problem.slots[*s];
                vec![
                    column("slot", texts(rows, |s| slot(s).id.clone())),
                    column("equipment", texts(rows, |s| slot(s).equipment.clone())),
                    column("start", texts(rows, |s| iso(slot(s).start))),
                    column("minutes", ints(rows, |s| i64::from(slot(s).minutes))),
                    column("slot_index", ints(rows, |s| int(*s))),
                ]
            }
        };
        Table { columns }
    }
}

/// The rows of the plan as a new table (freed with `hutano_table_free`,
/// read with the `hutano_table_*` accessors, e.g. `hutano_table_csv`); one
/// row per
/// - beds: demand group placed in a pool on a day: `date`, `from_hospital`,
///   `to_hospital`, `ward`, `service`, `needed` and `bed_type` (bed types),
///   `patients`, `off_service` (0 or 1), `transfer_km` (NaN when not
///   moved; set on every day of a stay in another hospital), `arrival` (1
///   on the first day of the stay, when the patients are placed and any
///   transfer happens, else 0), `demand_index`, `pool_index`. A stay of
///   several days has a row on each of its days, so the rows of a date are
///   that day's occupancy;
/// - staff: member on a shift: `date`, `shift` (name), `unit`, `staff`
///   (code), `role`, `day`, `shift_index`, `staff_index`;
/// - dispatch: dispatched request: `request` (id), `ambulance`, `hospital`
///   (codes), `bed_type`, `weight`, `response_minutes`, `transfer_minutes`,
///   `request_index`, `ambulance_index`, `hospital_index`;
/// - slots: filled slot: `slot`, `patient` (ids), `equipment`, `start`
///   (`YYYY-MM-DDTHH:MM:SS`), `minutes`, `priority`, `waited_days`,
///   `slot_index`, `patient_index`.
///
/// Indices are zero-based positions in the problem's lists
/// (`hutano_plan_problem_json`); dates are date columns (days since
/// 1970-01-01 through `hutano_table_column_i64`).
///
/// # Safety
/// `plan` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_rows(plan: *const hutano_plan, out: *mut *mut hutano_table) -> hutano_result {
    handle::handle_out(out, || Ok(handle::get::<Plan>(plan, "plan")?.rows()))
}

/// What the plan leaves undone, as a new table (freed with
/// `hutano_table_free`; no rows when nothing is left); one row per
/// - beds: demand group with patients left without a bed: `date`,
///   `hospital`, `service`, `bed_type`, `patients`, `demand_index`;
/// - staff: requirement below its target: `date`, `shift`, `unit`, `role`,
///   `skill` (empty for any), `target`, `minimum`, `missing`,
///   `requirement_index`;
/// - dispatch: request left waiting: `request`, `bed_type`, `weight`,
///   `needs_als` (0 or 1), `request_index`;
/// - slots: slot left empty: `slot`, `equipment`, `start`, `minutes`,
///   `slot_index`.
///
/// # Safety
/// `plan` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_unmet(plan: *const hutano_plan, out: *mut *mut hutano_table) -> hutano_result {
    handle::handle_out(out, || Ok(handle::get::<Plan>(plan, "plan")?.unmet()))
}

/// The whole plan as JSON: hutano-optimize's `BedPlan`, `StaffPlan`,
/// `DispatchPlan` or `SlotPlan` (numbers in shortest round-trip form).
/// String output: see the preamble.
///
/// # Safety
/// `plan` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_json(
    plan: *const hutano_plan,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || match handle::get::<Plan>(plan, "plan")? {
            Plan::Beds(_, p, _) => to_json(p),
            Plan::Staff(_, p, _) => to_json(p),
            Plan::Dispatch(_, p) => to_json(p),
            Plan::Slots(_, p) => to_json(p),
        })
    }
}

/// The problem the plan solves, as JSON with every default filled in (the
/// input of `hutano_plan_beds`, `_staff`, `_dispatch` or `_slots`, which
/// solve it again to the same plan; a budgeted plan's budget is not part
/// of the problem: `hutano_plan_beds_budgeted` or
/// `hutano_plan_staff_budgeted` with the same budget give the same plan
/// again). String output: see the preamble.
///
/// # Safety
/// `plan` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_plan_problem_json(
    plan: *const hutano_plan,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || match handle::get::<Plan>(plan, "plan")? {
            Plan::Beds(p, ..) => to_json(p),
            Plan::Staff(p, ..) => to_json(p),
            Plan::Dispatch(p, _) => to_json(p),
            Plan::Slots(p, _) => to_json(p),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_and_unknown_fields_are_named() {
        let costs: BedSettings = with_defaults(
            r#"{"costs": {"unmet": 5}}"#,
            "s",
            vec![
                ("costs", value_of(&BedCosts::default()).unwrap()),
                ("allow_unmet", Value::Bool(true)),
            ],
        )
        .unwrap();
        assert!(costs.allow_unmet);
        let defaults = BedCosts::default();
        assert_eq!(costs.costs, BedCosts { unmet: 5.0, ..defaults });
        let err = with_defaults::<BedSettings>(
            r#"{"costs": {"unmett": 5}}"#,
            "s",
            vec![("costs", value_of(&BedCosts::default()).unwrap())],
        )
        .unwrap_err();
        assert_eq!(err.code, hutano_result::InvalidParameter);
        assert!(
            err.detail.starts_with("s: unknown field costs.unmett"),
            "{}",
            err.detail
        );
        let err = with_defaults::<BedSettings>("[1]", "s", Vec::new()).unwrap_err();
        assert_eq!(err.detail, "s: expected a JSON object");
    }

    #[test]
    fn budgets_are_checked() {
        let parse = |text: &str| with_defaults::<BudgetSettings>(text, "b", Vec::new())?.budget("b: ");
        assert_eq!(parse("").unwrap(), Budget::default());
        assert_eq!(
            parse(r#"{"node_limit": null, "gap": null}"#).unwrap(),
            Budget::default()
        );
        assert_eq!(
            parse(r#"{"node_limit": 0, "gap": 0.25}"#).unwrap(),
            Budget::default().with_node_limit(0).with_relative_gap(0.25)
        );
        for bad in [
            r#"{"node_limit": -1}"#,
            r#"{"node_limit": 1.5}"#,
            r#"{"gap": 1}"#,
            r#"{"gap": -0.1}"#,
            r#"{"gap": "x"}"#,
            r#"{"nodes": 3}"#,
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code, hutano_result::InvalidParameter, "{bad}");
        }
        assert_eq!(
            parse(r#"{"gap": 1.5}"#).unwrap_err().detail,
            "b: gap must be in [0, 1), got 1.5"
        );
    }
}
