//! Budgeted branch and bound: a MIP solve that stops at a node limit, a
//! wall-time limit or a relative gap and still returns the best integer
//! solution found with a proven lower bound.
//!
//! `good_lp` 1.14 drives microlp 0.2's own branch and bound, which has no
//! limit of any kind and keeps a full copy of the simplex state per open
//! node. [`solve_budgeted`] uses microlp for the LP relaxations only and runs
//! its own search on top:
//!
//! 1. **Root.** The LP relaxation of the model (every variable continuous).
//!    Its optimum is a lower bound on every integer solution. A variable
//!    appearing twice in a row is merged into one term.
//! 2. **Primal heuristic** (*rounding and repair*, deterministic). Integer
//!    variables are rounded down from the LP solution (towards their lower
//!    bound; at the root also, as a second candidate, to the nearest
//!    integer), continuous variables that occur in one row only (shortfalls,
//!    overtime, excess shifts) are set to the cheapest value their row allows,
//!    and a greedy pass then moves single integer variables by one unit
//!    while that reduces the rows' total violation, or keeps every row
//!    feasible and lowers the cost (candidates in order of their LP value);
//!    a move that repairs one row but breaks another is paired with moving
//!    back one other variable of the broken row (a swap) when the pair
//!    reduces the total violation.
//!    For a roster this removes fractional shifts and adds whole shifts where
//!    a requirement is understaffed, as far as rest and hours allow. The
//!    result is accepted only when [`LinearModel::check`] passes, so it is
//!    never infeasible; it makes a good incumbent available even when the
//!    budget ends at the root.
//! 3. **Depth-first branch and bound.** The most fractional integer variable
//!    is branched on (ties: lowest index); the child on the side of its
//!    nearest integer is searched first. A branch that fixes a variable uses
//!    microlp's incremental `fix_var`/`unfix_var` on one live simplex
//!    (backtracking unfixes, so the LP is warm-started; `unfix_var` can
//!    panic inside microlp on numerical trouble, so it runs under
//!    `catch_unwind` and a failure restores the latest copy of the simplex
//!    instead); a branch that only
//!    bounds a general integer variable adds a row (`add_constraint`), which
//!    cannot be removed, so a copy of the simplex is kept before it (and
//!    every [`CHECKPOINT_EVERY`] fixings, so that recovering from an
//!    infeasible child never replays a long path). A node is pruned when its
//!    LP bound is within the gap target of the incumbent. The rounding
//!    heuristic also runs on the LP solution of every node that branches.
//!
//! The **lower bound** is the smallest LP bound of any node that is still
//! open or was pruned only because of the gap target, and the incumbent's
//! objective when there is none. The **gap** is
//! `(objective − lower_bound) / max(|objective|, 1)`: the most the returned
//! solution can be above the optimum, relative to its objective. When the
//! search ends with no open node and no node pruned by a positive gap
//! target, the solution is optimal ([`SolveStatus::Optimal`],
//! [`Stop::Optimal`]): with [`Budget::default`] (no limit, zero gap) this is
//! always the case, and the objective is the optimum (within the LP
//! tolerances, as for [`crate::MicroLp`]).
//!
//! **Reproducibility.** The search is deterministic: the same model and
//! [`Budget`] give the same solution, and [`solve_all_budgeted`] gives the same
//! result in parallel as serially. A node limit decides where a run stops
//! reproducibly; the wall-time limit is a safety net whose result depends on
//! the machine and its load.
//!
//! References: A. H. Land and A. G. Doig (1960), *An automatic method of
//! solving discrete programming problems*, Econometrica 28(3); the search
//! and the rounding heuristic follow the textbook scheme in T. Achterberg
//! (2007), *Constraint Integer Programming*, doctoral thesis, TU Berlin,
//! as implemented e.g. in SCIP.

use std::time::{Duration, Instant};

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use serde::{Deserialize, Serialize};

use crate::error::{invalid, Error, Result};
use crate::lp::{LinearModel, Sense, Solution, SolveStatus, FEASIBILITY_TOL};
use crate::solver::Solver;

/// A fixing path is saved as a copy of the simplex every this many fixings,
/// which bounds the fixings replayed after an infeasible child.
pub const CHECKPOINT_EVERY: usize = 32;

/// Integrality tolerance of LP values.
const INT_TOL: f64 = 1e-6;

/// Relative tolerance below which a gap counts as closed (optimality).
const OPT_TOL: f64 = 1e-9;

/// Limits of a budgeted solve ([`solve_budgeted`]).
///
/// The default is no limit at all and a zero gap target: the solve proves
/// optimality, like [`crate::MicroLp`].
///
/// ```
/// use hutano_optimize::budget::Budget;
///
/// let b = Budget::default().with_node_limit(2_000).with_relative_gap(1e-4);
/// assert_eq!(b.node_limit, Some(2_000));
/// assert!(b.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Most branch-and-bound nodes (LP re-solves below the root) per model;
    /// `None` for no limit. `Some(0)` stops after the root LP and the primal
    /// heuristic. Reproducible.
    pub node_limit: Option<u64>,
    /// Wall time in seconds, for all models of one call together (the clock
    /// starts when the call starts); `None` for no limit. Checked between
    /// nodes: the root LP and the heuristic of each model always run. Not
    /// reproducible (depends on the machine and its load); use it as a
    /// safety net next to a node limit.
    pub time_limit_seconds: Option<f64>,
    /// Stop when `(objective − lower_bound) / max(|objective|, 1)` is at
    /// most this (0 proves optimality).
    pub relative_gap: f64,
}

impl Budget {
    /// This budget with a node limit per model.
    #[must_use]
    pub fn with_node_limit(mut self, nodes: u64) -> Self {
        self.node_limit = Some(nodes);
        self
    }

    /// This budget with a wall-time limit in seconds.
    #[must_use]
    pub fn with_time_limit_seconds(mut self, seconds: f64) -> Self {
        self.time_limit_seconds = Some(seconds);
        self
    }

    /// This budget with a relative gap target.
    #[must_use]
    pub fn with_relative_gap(mut self, gap: f64) -> Self {
        self.relative_gap = gap;
        self
    }

    /// Check the limits.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the time limit or the gap is negative or
    /// not finite.
    pub fn validate(&self) -> Result<()> {
        if self.time_limit_seconds.is_some_and(|t| !t.is_finite() || t < 0.0) {
            return Err(invalid("budget", "time limit must be finite and non-negative"));
        }
        if !self.relative_gap.is_finite() || self.relative_gap < 0.0 {
            return Err(invalid("budget", "relative gap must be finite and non-negative"));
        }
        Ok(())
    }

    fn deadline(&self) -> Option<Instant> {
        self.time_limit_seconds
            .map(|t| Instant::now() + Duration::from_secs_f64(t.min(1e9)))
    }
}

/// Why a budgeted search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Stop {
    /// Every node was explored or pruned: the solution is optimal.
    Optimal,
    /// The gap target was reached.
    Gap,
    /// The node limit was reached.
    NodeLimit,
    /// The wall-time limit was reached.
    TimeLimit,
}

/// What a budgeted solve proved about its solution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    /// Objective of the returned solution.
    pub objective: f64,
    /// Proven lower bound on the optimum (the model is minimised).
    pub lower_bound: f64,
    /// `(objective − lower_bound) / max(|objective|, 1)`, ≥ 0.
    pub gap: f64,
    /// [`SolveStatus::Optimal`] when optimality was proven.
    pub status: SolveStatus,
    /// Why the search stopped.
    pub stop: Stop,
    /// Branch-and-bound nodes solved (0: the root LP decided).
    pub nodes: u64,
    /// Objective of the LP relaxation at the root.
    pub root_bound: f64,
    /// Objective of the primal heuristic's best solution at the root, when
    /// it found one (for a [`Bound::total`], only when it did in every part).
    pub heuristic_objective: Option<f64>,
}

impl Bound {
    /// The bound of several independent models solved together: objectives
    /// and lower bounds add up, the gap is recomputed from the sums, the
    /// status is optimal when every part is, and `stop` is the first part's
    /// reason that is not [`Stop::Optimal`]. Empty: an optimal zero.
    ///
    /// ```
    /// use hutano_optimize::budget::{Bound, Stop};
    /// use hutano_optimize::lp::SolveStatus;
    ///
    /// let part = |objective: f64, lower_bound: f64, stop| Bound {
    ///     objective, lower_bound, gap: 0.0, status: SolveStatus::Feasible, stop,
    ///     nodes: 1, root_bound: lower_bound, heuristic_objective: None,
    /// };
    /// let total = Bound::total(&[part(100.0, 100.0, Stop::Optimal), part(100.0, 90.0, Stop::NodeLimit)]);
    /// assert_eq!(total.lower_bound, 190.0);
    /// assert!((total.gap - 0.05).abs() < 1e-12);
    /// assert_eq!(total.stop, Stop::NodeLimit);
    /// ```
    #[must_use]
    pub fn total(parts: &[Bound]) -> Bound {
        let objective: f64 = parts.iter().map(|b| b.objective).sum();
        let lower_bound: f64 = parts.iter().map(|b| b.lower_bound).sum();
        let heuristic = parts.iter().map(|b| b.heuristic_objective).sum::<Option<f64>>();
        let optimal = parts.iter().all(|b| b.status == SolveStatus::Optimal);
        Bound {
            objective,
            lower_bound,
            gap: gap(objective, lower_bound),
            status: if optimal {
                SolveStatus::Optimal
            } else {
                SolveStatus::Feasible
            },
            stop: parts
                .iter()
                .map(|b| b.stop)
                .find(|s| *s != Stop::Optimal)
                .unwrap_or(Stop::Optimal),
            nodes: parts.iter().map(|b| b.nodes).sum(),
            root_bound: parts.iter().map(|b| b.root_bound).sum(),
            heuristic_objective: heuristic,
        }
    }
}

/// `(objective − lower_bound) / max(|objective|, 1)`, clamped at 0.
fn gap(objective: f64, lower_bound: f64) -> f64 {
    ((objective - lower_bound) / objective.abs().max(1.0)).max(0.0)
}

/// A [`Solver`] that runs [`solve_budgeted`] with a fixed [`Budget`], so that
/// every planner's `solve` can use it. A solution that is not proven optimal
/// has status [`SolveStatus::Feasible`]; its bound is not returned (use
/// [`solve_budgeted`] or [`crate::staff::StaffProblem::solve_budgeted`] for
/// that).
///
/// ```
/// use hutano_optimize::budget::{Budget, BudgetedMicroLp};
/// use hutano_optimize::lp::{LinearModel, Sense, SolveStatus};
/// use hutano_optimize::solver::Solver;
///
/// # fn main() -> hutano_optimize::Result<()> {
/// let mut m = LinearModel::new("toy");
/// let x = m.add_int_var("x", 0.0, 10.0, 1.0);
/// m.add_row("at least 2.5", vec![(x, 1.0)], Sense::Ge, 2.5, None);
/// let s = BudgetedMicroLp(Budget::default()).solve(&m)?;
/// assert_eq!(s.value(x), 3.0);
/// assert_eq!(s.status, SolveStatus::Optimal);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BudgetedMicroLp(pub Budget);

impl Solver for BudgetedMicroLp {
    fn name(&self) -> &'static str {
        SOLVER
    }

    fn solve(&self, model: &LinearModel) -> Result<Solution> {
        solve_budgeted(model, &self.0).map(|(s, _)| s)
    }
}

const SOLVER: &str = "microlp-budgeted";

/// Solve `model` within `budget`: the best integer solution found, checked
/// against every row ([`LinearModel::check`]), and what is proven about it.
///
/// See the [module documentation](self) for the search, the bound and the
/// gap.
///
/// ```
/// use hutano_optimize::budget::{solve_budgeted, Budget, Stop};
/// use hutano_optimize::lp::{LinearModel, Sense, SolveStatus};
///
/// # fn main() -> hutano_optimize::Result<()> {
/// // A knapsack: max 5a + 4b + 3c with 2a + 3b + c <= 4 (minimise the negative).
/// let mut m = LinearModel::new("knapsack");
/// let a = m.add_int_var("a", 0.0, 1.0, -5.0);
/// let b = m.add_int_var("b", 0.0, 1.0, -4.0);
/// let c = m.add_int_var("c", 0.0, 1.0, -3.0);
/// m.add_row("weight", vec![(a, 2.0), (b, 3.0), (c, 1.0)], Sense::Le, 4.0, None);
///
/// let (s, bound) = solve_budgeted(&m, &Budget::default())?;
/// assert_eq!(s.objective, -8.0);
/// assert_eq!((bound.status, bound.stop), (SolveStatus::Optimal, Stop::Optimal));
///
/// // Stopped at the root: a feasible solution and a bound below it.
/// let (s, bound) = solve_budgeted(&m, &Budget::default().with_node_limit(0))?;
/// m.check(&s.values, 1e-9)?;
/// assert!(bound.lower_bound <= s.objective);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// - [`Error::InvalidInput`] for an invalid budget.
/// - [`Error::Infeasible`] (without violations; see
///   [`crate::solve_explained`]) when the LP relaxation is infeasible, or the
///   search ended with no integer solution.
/// - [`Error::Unbounded`] when the LP relaxation is unbounded.
/// - [`Error::Solver`] when the budget ran out before any integer solution
///   was found, or microlp failed.
pub fn solve_budgeted(model: &LinearModel, budget: &Budget) -> Result<(Solution, Bound)> {
    budget.validate()?;
    Search::run(model, budget, budget.deadline())
}

/// [`solve_budgeted`] on independent models (in parallel with the `parallel`
/// feature; the result is the same as serial for a budget without a time
/// limit), each with the whole `budget`'s node limit and gap target and the
/// shared wall-time limit. When a model is infeasible, the infeasible rows
/// are named as in [`crate::solve_all`] (the elastic model is solved with the
/// same budget).
///
/// # Errors
/// As [`crate::solve_all`], plus [`Error::InvalidInput`] for an invalid
/// budget and [`Error::Solver`] when a model's budget ran out before an
/// integer solution was found.
pub fn solve_all_budgeted(models: &[LinearModel], budget: &Budget) -> Result<Vec<(Solution, Bound)>> {
    budget.validate()?;
    let deadline = budget.deadline();
    crate::solver::solve_parts(models, |m| {
        crate::solver::explained(m, |x| Search::run(x, budget, deadline), |(s, _)| &s.values)
    })
}

/// One branching decision.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Branch {
    /// Fix the variable at a value (undone by `unfix_var`).
    Fix(usize, f64),
    /// `x <= value` (an added row; undone by restoring a checkpoint).
    Le(usize, f64),
    /// `x >= value`.
    Ge(usize, f64),
}

/// An open node: the branching path from the root and the LP bound of its
/// parent.
#[derive(Debug, Clone)]
struct Node {
    path: Vec<Branch>,
    bound: f64,
}

/// Undo `fix_var` on `var`: microlp's `unfix_var`, guarded.
///
/// microlp 0.2.11's `unfix_var` re-optimises with the primal simplex and
/// `unwrap`s the result (`solver.rs`, "TODO check unwrap"). That `optimize`
/// fails in two ways only: [`microlp::Error::Unbounded`] when the entering
/// column has no pivot element of magnitude at least microlp's `EPS` (1e-10)
/// and an infinite bound in the improving direction, and an internal error
/// when refactorising the basis finds it numerically singular
/// (`lu_factorize` → `SingularMatrix`). In exact arithmetic neither can
/// happen here: the LP after unfixing is that of an ancestor node, a
/// restriction of the root LP that was already solved (so feasible and
/// bounded), and the basis stays the current, nonsingular one. Both can
/// happen in floating point on badly scaled models (the unit test
/// `unfix_panic_in_microlp_is_caught` has one: six variables, a coefficient
/// of 1e-9 next to 1e7), so they cannot be ruled out for arbitrary input.
/// The call therefore runs under
/// [`std::panic::catch_unwind`] (the model is discarded on a panic; the
/// default panic hook still prints its message to stderr), and `None` makes
/// the search restore its latest copy of the simplex instead. `None` also
/// when microlp reports that the variable was not fixed (it would stay
/// fixed in the LP).
fn unfix_guarded(live: microlp::Solution, var: Variable) -> Option<microlp::Solution> {
    let (s, was_fixed) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || live.unfix_var(var))).ok()?;
    was_fixed.then_some(s)
}

/// How the search undoes a fixing ([`unfix_guarded`]; a test swaps in a
/// failing one to exercise the fallback).
type Unfix = fn(microlp::Solution, Variable) -> Option<microlp::Solution>;

/// The state of one budgeted search.
struct Search<'a> {
    model: &'a LinearModel,
    /// Integer domain of each variable (`None` for continuous ones).
    domain: Vec<Option<(f64, f64)>>,
    vars: Vec<Variable>,
    /// The simplex at `applied`; `None` after an infeasible branch consumed it.
    live: Option<microlp::Solution>,
    applied: Vec<Branch>,
    /// Copies of the simplex at prefixes of `applied` (length, state); the
    /// first is the root.
    checkpoints: Vec<(usize, microlp::Solution)>,
    /// Undoes a fixing on the live simplex; `None` when that failed.
    unfix: Unfix,
}

impl std::fmt::Debug for Search<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("model", &self.model.name)
            .field("applied", &self.applied.len())
            .finish_non_exhaustive()
    }
}

fn solver_error(model: &LinearModel, message: String) -> Error {
    Error::Solver {
        solver: SOLVER,
        model: model.name.clone(),
        message,
    }
}

impl<'a> Search<'a> {
    fn run(model: &'a LinearModel, budget: &Budget, deadline: Option<Instant>) -> Result<(Solution, Bound)> {
        Self::run_with(model, budget, deadline, unfix_guarded)
    }

    #[allow(clippy::too_many_lines)]
    fn run_with(
        model: &'a LinearModel,
        budget: &Budget,
        deadline: Option<Instant>,
        unfix: Unfix,
    ) -> Result<(Solution, Bound)> {
        if model.vars.is_empty() {
            return if model.rows.iter().all(|r| r.violation(&[]) <= FEASIBILITY_TOL) {
                let s = Solution {
                    values: Vec::new(),
                    objective: 0.0,
                    status: SolveStatus::Optimal,
                };
                Ok((s, optimal_bound(0.0, 0, 0.0, None)))
            } else {
                Err(Error::Infeasible { violations: Vec::new() })
            };
        }
        let domain: Vec<Option<(f64, f64)>> = model
            .vars
            .iter()
            .map(|v| v.integer.then(|| (v.lower.ceil(), v.upper.floor())))
            .collect();
        if domain.iter().flatten().any(|(l, u)| l > u) {
            return Err(Error::Infeasible { violations: Vec::new() });
        }
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let vars: Vec<Variable> = model
            .vars
            .iter()
            .zip(&domain)
            .map(|(v, d)| {
                let (lo, hi) = d.unwrap_or((v.lower, v.upper));
                problem.add_var(v.cost, (lo, hi))
            })
            .collect();
        for r in &model.rows {
            let mut terms: Vec<(usize, f64)> = r
                .terms
                .iter()
                .filter(|(v, _)| v.0 < vars.len())
                .map(|&(v, c)| (v.0, c))
                .collect();
            terms.sort_by_key(|t| t.0);
            let mut merged: Vec<(Variable, f64)> = Vec::with_capacity(terms.len());
            for (v, c) in terms {
                match merged.last_mut() {
                    Some(last) if last.0 == vars[v] => last.1 += c,
                    _ => merged.push((vars[v], c)),
                }
            }
            let op = match r.sense {
                Sense::Le => ComparisonOp::Le,
                Sense::Ge => ComparisonOp::Ge,
                Sense::Eq => ComparisonOp::Eq,
            };
            problem.add_constraint(merged, op, r.rhs);
        }
        let root = match problem.solve() {
            Ok(s) => s,
            Err(microlp::Error::Infeasible) => return Err(Error::Infeasible { violations: Vec::new() }),
            Err(microlp::Error::Unbounded) => {
                return Err(Error::Unbounded {
                    model: model.name.clone(),
                })
            }
            Err(e) => return Err(solver_error(model, e.to_string())),
        };
        let root_bound = root.objective();
        let mut search = Search {
            model,
            domain,
            vars,
            live: Some(root.clone()),
            applied: Vec::new(),
            checkpoints: vec![(0, root)],
            unfix,
        };
        let root_values = search.values();

        // Incumbent: the primal heuristic, then integral LP solutions.
        let mut best: Option<(Vec<f64>, f64)> = None;
        let heuristic = better(
            round_and_repair(model, &search.domain, &root_values, false),
            round_and_repair(model, &search.domain, &root_values, true),
        );
        let heuristic_objective = heuristic.as_ref().map(|h| h.1);
        best = better(best, heuristic);
        let mut nodes: u64 = 0;
        // Smallest LP bound of the nodes pruned only because of the gap target.
        let mut gap_floor = f64::INFINITY;
        // Integral LP solutions rejected by the check (numerical trouble).
        let mut rejected = 0_u64;
        let mut stack: Vec<Node> = Vec::new();
        // The root itself.
        let tol = |inc: f64| (budget.relative_gap.max(OPT_TOL)) * inc.abs().max(1.0);
        match search.branching_var(&root_values) {
            None => {
                let leaf = search.leaf(&root_values);
                if leaf.is_none() {
                    rejected += 1;
                    gap_floor = gap_floor.min(root_bound);
                }
                best = better(best, leaf);
            }
            Some(j) => {
                let cut_off = best.as_ref().is_some_and(|b| root_bound >= b.1 - tol(b.1));
                if cut_off {
                    if best.as_ref().is_some_and(|b| root_bound < b.1) {
                        gap_floor = gap_floor.min(root_bound);
                    }
                } else {
                    stack.extend(search.children(&[], j, root_values[j], root_bound));
                }
            }
        }
        let mut stop = Stop::Optimal;
        while let Some(node) = stack.pop() {
            if let Some(b) = &best {
                if node.bound >= b.1 - tol(b.1) {
                    if node.bound < b.1 {
                        gap_floor = gap_floor.min(node.bound);
                    }
                    continue;
                }
                let lb = stack.iter().map(|n| n.bound).fold(gap_floor.min(node.bound), f64::min);
                if gap(b.1, lb) <= budget.relative_gap {
                    stack.push(node);
                    stop = Stop::Gap;
                    break;
                }
            }
            if budget.node_limit.is_some_and(|n| nodes >= n) {
                stack.push(node);
                stop = Stop::NodeLimit;
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                stack.push(node);
                stop = Stop::TimeLimit;
                break;
            }
            nodes += 1;
            if !search.move_to(&node.path)? {
                continue;
            }
            let obj = search.live.as_ref().map_or(f64::INFINITY, microlp::Solution::objective);
            if let Some(b) = &best {
                if obj >= b.1 - tol(b.1) {
                    if obj < b.1 {
                        gap_floor = gap_floor.min(obj);
                    }
                    continue;
                }
            }
            let values = search.values();
            match search.branching_var(&values) {
                None => {
                    let leaf = search.leaf(&values);
                    // Integral within the LP tolerance but failing the
                    // check: the node stays in the bound, unproven.
                    if leaf.is_none() {
                        rejected += 1;
                        gap_floor = gap_floor.min(obj);
                    }
                    best = better(best, leaf);
                }
                Some(j) => {
                    // Rounding and repair at every node of the dive: cheap
                    // next to the LP, and the deeper LP solutions round better.
                    best = better(best, round_and_repair(model, &search.domain, &values, false));
                    let children = search.children(&node.path, j, values[j], obj);
                    stack.extend(children);
                }
            }
        }
        let Some((values, objective)) = best else {
            return if stack.is_empty() && rejected == 0 {
                Err(Error::Infeasible { violations: Vec::new() })
            } else if stack.is_empty() {
                Err(solver_error(
                    model,
                    format!("{rejected} integral LP solutions failed the feasibility check"),
                ))
            } else {
                Err(solver_error(
                    model,
                    format!("no integer solution found within the budget ({nodes} nodes)"),
                ))
            };
        };
        let open = stack.iter().map(|n| n.bound).fold(gap_floor, f64::min);
        let lower_bound = open.max(root_bound).min(objective);
        let g = gap(objective, lower_bound);
        let optimal = stack.is_empty() && g <= OPT_TOL;
        if stop == Stop::Optimal && !optimal {
            stop = Stop::Gap;
        }
        let status = if optimal {
            SolveStatus::Optimal
        } else {
            SolveStatus::Feasible
        };
        let bound = Bound {
            objective,
            lower_bound,
            gap: g,
            status,
            stop,
            nodes,
            root_bound,
            heuristic_objective,
        };
        Ok((
            Solution {
                values,
                objective,
                status,
            },
            bound,
        ))
    }

    /// Values of the model's variables in the live simplex.
    fn values(&self) -> Vec<f64> {
        self.live
            .as_ref()
            .map(|s| self.vars.iter().map(|&v| s[v]).collect())
            .unwrap_or_default()
    }

    /// The most fractional integer variable (ties: lowest index).
    fn branching_var(&self, values: &[f64]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (j, d) in self.domain.iter().enumerate() {
            if d.is_none() {
                continue;
            }
            let f = (values[j] - values[j].round()).abs();
            if f > INT_TOL && best.is_none_or(|(_, bf)| f > bf) {
                best = Some((j, f));
            }
        }
        best.map(|b| b.0)
    }

    /// The two children of branching on `j` at value `x`, the one to search
    /// first last (it is popped first).
    fn children(&self, path: &[Branch], j: usize, x: f64, bound: f64) -> Vec<Node> {
        let Some((lo, hi)) = self.domain[j] else {
            return Vec::new();
        };
        let (down, up) = (x.floor(), x.ceil());
        let down_branch = if (down - lo).abs() < 0.5 {
            Branch::Fix(j, lo)
        } else {
            Branch::Le(j, down)
        };
        let up_branch = if (up - hi).abs() < 0.5 {
            Branch::Fix(j, hi)
        } else {
            Branch::Ge(j, up)
        };
        let node = |b: Branch| {
            let mut p = path.to_vec();
            p.push(b);
            Node { path: p, bound }
        };
        if x - down >= 0.5 {
            vec![node(down_branch), node(up_branch)]
        } else {
            vec![node(up_branch), node(down_branch)]
        }
    }

    /// An integral LP solution as a checked candidate.
    fn leaf(&self, values: &[f64]) -> Option<(Vec<f64>, f64)> {
        let v: Vec<f64> = values
            .iter()
            .zip(&self.domain)
            .map(|(&x, d)| if d.is_some() { x.round() } else { x })
            .collect();
        self.model
            .check(&v, FEASIBILITY_TOL)
            .ok()
            .map(|()| (v.clone(), self.model.objective(&v)))
    }

    /// Bring the live simplex to the node at `path`. Returns `false` when
    /// the node's LP is infeasible.
    fn move_to(&mut self, path: &[Branch]) -> Result<bool> {
        let common = self.applied.iter().zip(path).take_while(|(a, b)| a == b).count();
        let undo_rows = self.applied[common..].iter().any(|b| !matches!(b, Branch::Fix(..)));
        let mut restore = self.live.is_none() || undo_rows;
        if !restore {
            // Backtrack by unfixing (warm start); any failure falls back to
            // the latest copy below.
            while self.applied.len() > common {
                let (Some(Branch::Fix(j, _)), Some(live)) = (self.applied.pop(), self.live.take()) else {
                    restore = true;
                    break;
                };
                self.live = (self.unfix)(live, self.vars[j]);
                if self.live.is_none() {
                    restore = true;
                    break;
                }
            }
        }
        // Copies above the common prefix belong to the abandoned path.
        self.checkpoints.retain(|(len, _)| *len <= common);
        if restore {
            // Restore the latest copy at or below the common prefix.
            let (len, state) = self
                .checkpoints
                .last()
                .map(|(l, s)| (*l, s.clone()))
                .ok_or_else(|| solver_error(self.model, "lost the root simplex".into()))?;
            self.live = Some(state);
            self.applied.truncate(len);
        }
        for &b in &path[self.applied.len()..] {
            let Some(live) = self.live.take() else {
                return Ok(false);
            };
            let n = self.applied.len();
            let needs_copy = !matches!(b, Branch::Fix(..)) || n % CHECKPOINT_EVERY == 0;
            if needs_copy && self.checkpoints.last().is_none_or(|c| c.0 < n) {
                self.checkpoints.push((n, live.clone()));
            }
            let next = match b {
                Branch::Fix(j, x) => live.fix_var(self.vars[j], x),
                Branch::Le(j, x) => live.add_constraint([(self.vars[j], 1.0)], ComparisonOp::Le, x),
                Branch::Ge(j, x) => live.add_constraint([(self.vars[j], 1.0)], ComparisonOp::Ge, x),
            };
            match next {
                Ok(s) => {
                    self.live = Some(s);
                    self.applied.push(b);
                }
                Err(microlp::Error::Infeasible) => return Ok(false),
                Err(microlp::Error::Unbounded) => {
                    return Err(Error::Unbounded {
                        model: self.model.name.clone(),
                    })
                }
                Err(e) => return Err(solver_error(self.model, e.to_string())),
            }
        }
        Ok(true)
    }
}

fn optimal_bound(objective: f64, nodes: u64, root_bound: f64, heuristic_objective: Option<f64>) -> Bound {
    Bound {
        objective,
        lower_bound: objective,
        gap: 0.0,
        status: SolveStatus::Optimal,
        stop: Stop::Optimal,
        nodes,
        root_bound,
        heuristic_objective,
    }
}

/// The better (lower objective) of two candidates; the first on ties.
fn better(a: Option<(Vec<f64>, f64)>, b: Option<(Vec<f64>, f64)>) -> Option<(Vec<f64>, f64)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.1 < a.1 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Rounding and repair (see the module documentation): a feasible solution
/// near the LP solution `relaxed`, or `None`.
///
/// Continuous variables that occur in more than one row keep their LP value
/// and are not adjusted; the result is then accepted only if it passes the
/// check.
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
fn round_and_repair(
    model: &LinearModel,
    domain: &[Option<(f64, f64)>],
    relaxed: &[f64],
    nearest: bool,
) -> Option<(Vec<f64>, f64)> {
    let n = model.vars.len();
    // Columns: (row, coefficient) per variable.
    let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (i, r) in model.rows.iter().enumerate() {
        for &(v, c) in &r.terms {
            if let Some(col) = cols.get_mut(v.0) {
                col.push((i, c));
            }
        }
    }
    // Slack-like continuous variables: one row each; the row's slack var.
    let mut slack_of_row: Vec<Option<usize>> = vec![None; model.rows.len()];
    for j in 0..n {
        if domain[j].is_none() && cols[j].len() == 1 && slack_of_row[cols[j][0].0].is_none() {
            slack_of_row[cols[j][0].0] = Some(j);
        }
    }
    let mut x: Vec<f64> = relaxed
        .iter()
        .zip(domain)
        .zip(&model.vars)
        .map(|((&v, d), var)| match d {
            // Round towards the lower bound (down for non-negative bounds).
            Some((lo, hi)) => {
                let r = if nearest || (v - v.round()).abs() <= INT_TOL {
                    v.round()
                } else if var.cost >= 0.0 {
                    v.floor()
                } else {
                    v.ceil()
                };
                r.clamp(*lo, *hi)
            }
            None => v,
        })
        .collect();
    // Row activity without the row's own slack variable.
    let mut act: Vec<f64> = model
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.terms
                .iter()
                .filter(|(v, _)| Some(v.0) != slack_of_row[i])
                .map(|&(v, c)| c * x.get(v.0).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    // For a row and an activity: (slack value, its cost, violation).
    let settle = |i: usize, a: f64| -> (f64, f64, f64) {
        let r = &model.rows[i];
        let Some(s) = slack_of_row[i] else {
            let viol = match r.sense {
                Sense::Le => (a - r.rhs).max(0.0),
                Sense::Ge => (r.rhs - a).max(0.0),
                Sense::Eq => (a - r.rhs).abs(),
            };
            return (0.0, 0.0, viol);
        };
        let var = &model.vars[s];
        let c = r.terms.iter().filter(|(v, _)| v.0 == s).map(|t| t.1).sum::<f64>();
        if c == 0.0 {
            let viol = match r.sense {
                Sense::Le => (a - r.rhs).max(0.0),
                Sense::Ge => (r.rhs - a).max(0.0),
                Sense::Eq => (a - r.rhs).abs(),
            };
            return (var.lower.max(0.0).min(var.upper), 0.0, viol);
        }
        // c*s sense rhs - a  =>  interval for s.
        let t = (r.rhs - a) / c;
        let (smin, smax) = match (r.sense, c > 0.0) {
            (Sense::Le, true) | (Sense::Ge, false) => (f64::NEG_INFINITY, t),
            (Sense::Le, false) | (Sense::Ge, true) => (t, f64::INFINITY),
            (Sense::Eq, _) => (t, t),
        };
        let (lo, hi) = (smin.max(var.lower), smax.min(var.upper));
        if lo <= hi {
            let s_val = if var.cost >= 0.0 {
                if lo.is_finite() {
                    lo
                } else {
                    hi.min(0.0)
                }
            } else if hi.is_finite() {
                hi
            } else {
                lo.max(0.0)
            };
            (s_val, var.cost * s_val, 0.0)
        } else {
            // Closest bound, violation in row units.
            let s_val = if smax < var.lower { var.lower } else { var.upper };
            let s_val = if s_val.is_finite() { s_val } else { 0.0 };
            let viol = (lo - hi) * c.abs();
            (s_val, var.cost * s_val, viol)
        }
    };
    let mut row_state: Vec<(f64, f64, f64)> = (0..model.rows.len()).map(|i| settle(i, act[i])).collect();
    // Candidates: integer variables in order of LP value (largest first), then index.
    let mut order: Vec<usize> = (0..n).filter(|&j| domain[j].is_some()).collect();
    order.sort_by(|&a, &b| {
        relaxed[b]
            .partial_cmp(&relaxed[a])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    // The effect of moving some integer variables by one unit each:
    // (cost change, violation change, the first row whose violation grows,
    // per-row activity changes).
    let eval = |moves: &[(usize, f64)], act: &[f64], row_state: &[(f64, f64, f64)]| {
        let mut deltas: Vec<(usize, f64)> = moves
            .iter()
            .flat_map(|&(j, step)| cols[j].iter().map(move |&(i, c)| (i, c * step)))
            .collect();
        deltas.sort_by_key(|d| d.0);
        deltas.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        let mut d_cost: f64 = moves.iter().map(|&(j, step)| model.vars[j].cost * step).sum();
        let mut d_viol = 0.0;
        let mut grows = None;
        for &(i, d) in &deltas {
            let (_, cost0, v0) = row_state[i];
            let (_, cost1, v1) = settle(i, act[i] + d);
            d_cost += cost1 - cost0;
            d_viol += v1 - v0;
            if v1 > v0 + 1e-12 && grows.is_none() {
                grows = Some(i);
            }
        }
        (d_cost, d_viol, grows, deltas)
    };
    let movable =
        |x: &[f64], j: usize, step: f64| domain[j].is_some_and(|(lo, hi)| x[j] + step >= lo && x[j] + step <= hi);
    for _pass in 0..8 {
        let mut changed = false;
        for &j in &order {
            for step in [1.0, -1.0] {
                if !movable(&x, j, step) {
                    continue;
                }
                let (d_cost, d_viol, grows, deltas) = eval(&[(j, step)], &act, &row_state);
                let mut chosen = None;
                if (d_viol < -1e-9 || (d_viol.abs() <= 1e-12 && d_cost < -1e-9)) && grows.is_none() {
                    chosen = Some((vec![(j, step)], deltas));
                } else if let Some(r) = grows.filter(|_| deltas.iter().any(|&(i, _)| row_state[i].2 > 0.0)) {
                    // The move repairs a row but breaks row `r`: try to make
                    // room in `r` by moving one of its other variables back.
                    let dir = deltas.iter().find(|d| d.0 == r).map_or(0.0, |d| d.1.signum());
                    for &(k, c) in &model.rows[r].terms {
                        let k = k.0;
                        let step_k = -dir * c.signum();
                        if k == j || step_k == 0.0 || !movable(&x, k, step_k) {
                            continue;
                        }
                        let moves = [(j, step), (k, step_k)];
                        let (_, dv, _, dd) = eval(&moves, &act, &row_state);
                        if dv < -1e-9 {
                            chosen = Some((moves.to_vec(), dd));
                            break;
                        }
                    }
                }
                if let Some((moves, deltas)) = chosen {
                    for (k, step_k) in moves {
                        x[k] += step_k;
                    }
                    for (i, d) in deltas {
                        act[i] += d;
                        row_state[i] = settle(i, act[i]);
                    }
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (i, s) in slack_of_row.iter().enumerate() {
        if let Some(s) = *s {
            x[s] = row_state[i].0;
        }
    }
    model
        .check(&x, FEASIBILITY_TOL)
        .ok()
        .map(|()| (x.clone(), model.objective(&x)))
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::solver::MicroLp;

    fn knapsack() -> LinearModel {
        let mut m = LinearModel::new("knapsack");
        let w = [3.0, 4.0, 5.0, 8.0, 9.0, 2.0, 7.0];
        let v = [4.0, 5.0, 7.0, 10.0, 11.0, 3.0, 9.0];
        let vars: Vec<_> = v
            .iter()
            .enumerate()
            .map(|(i, &c)| m.add_int_var(format!("x{i}"), 0.0, 1.0, -c))
            .collect();
        m.add_row(
            "w",
            vars.iter().zip(w).map(|(&x, w)| (x, w)).collect(),
            Sense::Le,
            20.0,
            None,
        );
        m
    }

    #[test]
    fn exact_equals_microlp_on_a_knapsack() {
        let m = knapsack();
        let (s, b) = solve_budgeted(&m, &Budget::default()).unwrap();
        let reference = MicroLp.solve(&m).unwrap();
        assert!((s.objective - reference.objective).abs() < 1e-9);
        assert_eq!(b.status, SolveStatus::Optimal);
        assert_eq!(b.stop, Stop::Optimal);
        assert!(b.root_bound <= s.objective + 1e-9);
        m.check(&s.values, 1e-9).unwrap();
    }

    #[test]
    #[allow(clippy::many_single_char_names)]
    fn general_integers_branch_with_rows() {
        // min -x - y, 2x + 2y <= 7, x - y <= 0.5, x, y integer in [0, 10].
        let mut m = LinearModel::new("general");
        let x = m.add_int_var("x", 0.0, 10.0, -1.0);
        let y = m.add_int_var("y", 0.0, 10.0, -1.0);
        m.add_row("a", vec![(x, 2.0), (y, 2.0)], Sense::Le, 7.0, None);
        m.add_row("b", vec![(x, 3.0), (y, -1.0)], Sense::Le, 0.5, None);
        let (s, b) = solve_budgeted(&m, &Budget::default()).unwrap();
        let reference = MicroLp.solve(&m).unwrap();
        assert_eq!(s.objective, reference.objective);
        assert_eq!(b.status, SolveStatus::Optimal);
    }

    #[test]
    fn root_only_is_feasible_with_a_bound() {
        let m = knapsack();
        let (s, b) = solve_budgeted(&m, &Budget::default().with_node_limit(0)).unwrap();
        m.check(&s.values, 1e-9).unwrap();
        assert!(b.lower_bound <= s.objective + 1e-9);
        assert_eq!(b.nodes, 0);
    }

    static UNFIX_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// An `unfix_var` that panics, as microlp's can on numerical trouble,
    /// caught as in `unfix_guarded`.
    fn panicking_unfix(live: microlp::Solution, _var: Variable) -> Option<microlp::Solution> {
        UNFIX_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            drop(live);
            panic!("simulated failure of microlp's unfix_var (expected in this test)")
        }))
        .ok()
    }

    /// A bounded LP (found by random search over badly scaled models) on
    /// which microlp 0.2.11's `unfix_var` panics after `fix_var(x2, 0)`:
    /// `x2 = 1e-9 x0` makes the column of `x0` nearly zero in the basis.
    #[test]
    fn unfix_panic_in_microlp_is_caught() {
        let mut p = Problem::new(OptimizationDirection::Minimize);
        let x0 = p.add_var(-1.533_316, (0.0, f64::INFINITY));
        let x1 = p.add_var(1.171_804, (0.0, 3.0));
        let x2 = p.add_var(-0.006_76, (0.0, 1.0));
        let x3 = p.add_var(-1.844_964, (0.0, 2.0));
        let x4 = p.add_var(0.717_088, (0.0, f64::INFINITY));
        let x5 = p.add_var(-0.160_232, (0.0, 1.0));
        p.add_constraint([(x4, -1.0)], ComparisonOp::Le, 0.0);
        p.add_constraint([(x2, -1.0), (x0, 1e-9)], ComparisonOp::Eq, 0.0);
        p.add_constraint([(x1, 3.0), (x3, 2.0), (x5, 0.5), (x2, 1e-12)], ComparisonOp::Eq, 10.0);
        p.add_constraint([(x3, 0.5), (x4, 1e7), (x1, 3.0), (x2, -1e7)], ComparisonOp::Ge, 5.0);
        let fixed = p.solve().unwrap().fix_var(x2, 0.0).unwrap();
        // microlp itself panics (the unwrap in its unfix_var) ...
        let raw = fixed.clone();
        assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || raw.unfix_var(x2))).is_err());
        // ... and the guarded call turns that into a fallback.
        assert!(unfix_guarded(fixed, x2).is_none());
    }

    #[test]
    fn a_failing_unfix_falls_back_to_a_copy() {
        let m = knapsack();
        let (s, b) = Search::run_with(&m, &Budget::default(), None, panicking_unfix).unwrap();
        assert!(
            UNFIX_CALLS.load(std::sync::atomic::Ordering::Relaxed) > 0,
            "no backtracking by unfixing"
        );
        let reference = MicroLp.solve(&m).unwrap();
        assert!((s.objective - reference.objective).abs() < 1e-9);
        assert_eq!(b.stop, Stop::Optimal);
        // Same search, same nodes: only the way back differs.
        let (_, normal) = solve_budgeted(&m, &Budget::default()).unwrap();
        assert_eq!(b.nodes, normal.nodes);
    }

    #[test]
    fn invalid_budget_is_rejected() {
        let m = knapsack();
        assert!(solve_budgeted(&m, &Budget::default().with_relative_gap(-1.0)).is_err());
        assert!(solve_budgeted(&m, &Budget::default().with_time_limit_seconds(f64::NAN)).is_err());
    }

    #[test]
    fn infeasible_and_unbounded() {
        let mut m = LinearModel::new("bad");
        let x = m.add_int_var("x", 0.0, 1.0, 1.0);
        m.add_row("c", vec![(x, 1.0)], Sense::Ge, 2.0, None);
        assert!(matches!(
            solve_budgeted(&m, &Budget::default()),
            Err(Error::Infeasible { .. })
        ));
        // Integer infeasible but LP feasible: 2x = 1.
        let mut m = LinearModel::new("half");
        let x = m.add_int_var("x", 0.0, 1.0, 1.0);
        m.add_row("c", vec![(x, 2.0)], Sense::Eq, 1.0, None);
        assert!(matches!(
            solve_budgeted(&m, &Budget::default()),
            Err(Error::Infeasible { .. })
        ));
    }
}
