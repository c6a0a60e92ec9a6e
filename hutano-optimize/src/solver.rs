//! The solver layer: a small [`Solver`] trait over LP/MIP backends.
//!
//! Backends go through [good_lp](https://docs.rs/good_lp):
//! - [`MicroLp`] (always available): [microlp](https://docs.rs/microlp), a
//!   pure-Rust simplex with branch and bound, so the crate builds without a
//!   C or C++ toolchain.
//! - `Highs` (cargo feature `highs`): [HiGHS](https://highs.dev) compiled
//!   from source (needs cmake and a C++ compiler).
//!
//! A backend reports a proven-infeasible model as [`Error::Infeasible`] with
//! no violations; [`solve_explained`] then re-solves the elastic model
//! ([`LinearModel::elastic`]) and names the hard rows that cannot be met.

use good_lp::solvers::{ResolutionError, SolutionStatus as GoodStatus};
use good_lp::variable::UnsolvedProblem;
use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel};

use crate::error::{Error, Result};
use crate::lp::{shortfalls, LinearModel, Sense, Solution, SolveStatus};

/// An LP/MIP backend.
///
/// Implementations minimise the model and return values for every variable,
/// integer variables rounded to integers.
pub trait Solver: Send + Sync {
    /// Short name of the backend (e.g. `"microlp"`).
    fn name(&self) -> &'static str;

    /// Solve `model`.
    ///
    /// # Errors
    /// - [`Error::Infeasible`] (with no violations) when the model has no
    ///   feasible point; use [`solve_explained`] to name the rows.
    /// - [`Error::Unbounded`] when the objective is unbounded.
    /// - [`Error::Solver`] when the backend fails or stops without a solution.
    fn solve(&self, model: &LinearModel) -> Result<Solution>;
}

/// The pure-Rust microlp backend (through `good_lp`).
///
/// It always proves optimality: `good_lp` 1.14 exposes no time limit or MIP
/// gap for microlp (the workspace pins `good_lp` `~1.14` because `good_lp` 1.15
/// needs a newer `sprs` than linfa 0.8.1 allows).
///
/// ```
/// use hutano_optimize::lp::{LinearModel, Sense};
/// use hutano_optimize::solver::{MicroLp, Solver};
///
/// # fn main() -> hutano_optimize::Result<()> {
/// let mut m = LinearModel::new("toy");
/// let x = m.add_int_var("x", 0.0, 10.0, 1.0);
/// m.add_row("at least 2.5", vec![(x, 1.0)], Sense::Ge, 2.5, None);
/// let s = MicroLp.solve(&m)?;
/// assert_eq!(s.value(x), 3.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MicroLp;

impl Solver for MicroLp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn solve(&self, model: &LinearModel) -> Result<Solution> {
        solve_good_lp(model, self.name(), |p| Ok(p.using(good_lp::microlp)))
    }
}

/// The HiGHS backend (through `good_lp`; cargo feature `highs`).
#[cfg(feature = "highs")]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Highs {
    /// Stop after this many seconds; `None` for no limit.
    pub time_limit_seconds: Option<f64>,
    /// Threads; `None` lets HiGHS choose.
    pub threads: Option<u32>,
}

#[cfg(feature = "highs")]
impl Solver for Highs {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn solve(&self, model: &LinearModel) -> Result<Solution> {
        let limit = self.time_limit_seconds;
        let threads = self.threads;
        solve_good_lp(model, self.name(), |p| {
            let mut m = p.using(good_lp::highs);
            m.set_verbose(false);
            // HiGHS stops at a 1e-4 relative gap by default: prove optimality.
            let m = m.set_mip_rel_gap(0.0).map_err(|e| e.to_string())?;
            let m = match limit {
                Some(t) => m.set_time_limit(t),
                None => m,
            };
            Ok(match threads {
                Some(t) => m.set_threads(t),
                None => m,
            })
        })
    }
}

/// Build `model` in `good_lp`, hand it to the backend made by `make`, and read
/// the solution back.
fn solve_good_lp<M, F>(model: &LinearModel, solver: &'static str, make: F) -> Result<Solution>
where
    M: SolverModel<Error = ResolutionError>,
    F: FnOnce(UnsolvedProblem) -> std::result::Result<M, String>,
{
    let fail = |message: String| Error::Solver {
        solver,
        model: model.name.clone(),
        message,
    };
    if model.vars.is_empty() {
        // Nothing to decide: the rows are constants.
        return if model
            .rows
            .iter()
            .all(|r| r.violation(&[]) <= crate::lp::FEASIBILITY_TOL)
        {
            Ok(Solution {
                values: Vec::new(),
                objective: 0.0,
                status: SolveStatus::Optimal,
            })
        } else {
            Err(Error::Infeasible { violations: Vec::new() })
        };
    }
    let mut pv = ProblemVariables::new();
    let mut objective = Expression::with_capacity(model.vars.len());
    let vars: Vec<good_lp::Variable> = model
        .vars
        .iter()
        .map(|v| {
            let mut def = variable().min(v.lower).max(v.upper);
            if v.integer {
                def = def.integer();
            }
            let var = pv.add(def);
            if v.cost != 0.0 {
                objective.add_mul(v.cost, var);
            }
            var
        })
        .collect();
    let mut problem = make(pv.minimise(objective)).map_err(fail)?;
    for r in &model.rows {
        let mut e = Expression::with_capacity(r.terms.len());
        for &(v, c) in &r.terms {
            e.add_mul(c, vars[v.0]);
        }
        let c = match r.sense {
            Sense::Le => e.leq(r.rhs),
            Sense::Ge => e.geq(r.rhs),
            Sense::Eq => e.eq(r.rhs),
        };
        problem.add_constraint(c);
    }
    let sol = match problem.solve() {
        Ok(s) => s,
        Err(ResolutionError::Infeasible) => return Err(Error::Infeasible { violations: Vec::new() }),
        Err(ResolutionError::Unbounded) => {
            return Err(Error::Unbounded {
                model: model.name.clone(),
            });
        }
        Err(e) => return Err(fail(e.to_string())),
    };
    let status = match sol.status() {
        GoodStatus::Optimal => SolveStatus::Optimal,
        _ => SolveStatus::Feasible,
    };
    let values: Vec<f64> = model
        .vars
        .iter()
        .zip(&vars)
        .map(|(def, &v)| {
            let x = sol.value(v);
            if def.integer {
                x.round()
            } else {
                x
            }
        })
        .collect();
    Ok(Solution {
        objective: model.objective(&values),
        values,
        status,
    })
}

/// Solve `model`; when it is infeasible, name the hard rows that cannot be met.
///
/// The elastic model ([`LinearModel::elastic`]) adds a penalised slack to
/// every labelled row and minimises the total slack with the same backend;
/// each labelled row whose slack is positive at that optimum becomes a
/// [`crate::Shortfall`]. The set is a smallest total shortfall, not
/// necessarily the only one.
///
/// ```
/// use hutano_optimize::lp::{Label, LinearModel, Sense};
/// use hutano_optimize::solver::{solve_explained, MicroLp};
/// use hutano_optimize::Error;
///
/// let mut m = LinearModel::new("toy");
/// let x = m.add_int_var("nurses", 0.0, 6.0, 1.0);
/// let label = Label { resource: "ICU nurses".into(), date: None, shift: Some("night".into()) };
/// m.add_row("floor", vec![(x, 1.0)], Sense::Ge, 9.0, Some(label));
/// match solve_explained(&MicroLp, &m) {
///     Err(Error::Infeasible { violations }) => {
///         assert_eq!(violations[0].to_string(), "ICU nurses on the night shift: 9 needed, 6 available");
///     }
///     other => panic!("expected infeasible, got {other:?}"),
/// }
/// ```
///
/// # Errors
/// [`Error::Infeasible`] with the violations, or any error of
/// [`Solver::solve`].
pub fn solve_explained(solver: &dyn Solver, model: &LinearModel) -> Result<Solution> {
    explained(model, |m| solver.solve(m), |s| &s.values)
}

/// `solve(model)`; when that is infeasible without naming violations, the
/// violations found by solving the elastic model with the same `solve`
/// (`values` reads a solution's variable values).
pub(crate) fn explained<T>(
    model: &LinearModel,
    solve: impl Fn(&LinearModel) -> Result<T>,
    values: impl Fn(&T) -> &[f64],
) -> Result<T> {
    match solve(model) {
        Err(Error::Infeasible { violations }) if violations.is_empty() => {
            let (elastic, slacks) = model.elastic();
            let violations = match solve(&elastic) {
                Ok(s) => shortfalls(model, &slacks, values(&s)),
                Err(Error::Infeasible { .. }) => Vec::new(),
                Err(e) => return Err(e),
            };
            Err(Error::Infeasible { violations })
        }
        other => other,
    }
}

/// Solve independent models (in parallel with the `parallel` feature; the
/// result is the same as serial) and return their solutions in order.
///
/// # Errors
/// When any part is infeasible, [`Error::Infeasible`] with the violations of
/// all infeasible parts, in part order; otherwise the first other error.
pub fn solve_all(solver: &dyn Solver, models: &[LinearModel]) -> Result<Vec<Solution>> {
    solve_parts(models, |m| solve_explained(solver, m))
}

/// `one` on every model (in parallel with the `parallel` feature), results
/// in order; the violations of every infeasible part are gathered into one
/// [`Error::Infeasible`], otherwise the first other error is returned.
pub(crate) fn solve_parts<T: Send>(
    models: &[LinearModel],
    one: impl Fn(&LinearModel) -> Result<T> + Sync + Send,
) -> Result<Vec<T>> {
    #[cfg(feature = "parallel")]
    let results: Vec<Result<T>> = {
        use rayon::prelude::*;
        models.par_iter().map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let results: Vec<Result<T>> = models.iter().map(one).collect();
    let mut violations = Vec::new();
    let mut infeasible = false;
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(s) => out.push(s),
            Err(Error::Infeasible { violations: v }) => {
                infeasible = true;
                violations.extend(v);
            }
            Err(e) => return Err(e),
        }
    }
    if infeasible {
        return Err(Error::Infeasible { violations });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::lp::Label;

    #[test]
    #[allow(clippy::many_single_char_names)]
    fn solves_a_small_mip() {
        // max 50x + 40y + 45z s.t. 3x+2y+z <= 20, 2x+y+3z <= 15, x >= 2, y <= 7, z integer.
        let mut m = LinearModel::new("milp");
        let x = m.add_var("x", 2.0, f64::INFINITY, -50.0);
        let y = m.add_var("y", 0.0, 7.0, -40.0);
        let z = m.add_int_var("z", 0.0, f64::INFINITY, -45.0);
        m.add_row("a", vec![(x, 3.0), (y, 2.0), (z, 1.0)], Sense::Le, 20.0, None);
        m.add_row("b", vec![(x, 2.0), (y, 1.0), (z, 3.0)], Sense::Le, 15.0, None);
        let s = MicroLp.solve(&m).unwrap();
        assert!((s.value(x) - 2.0).abs() < 1e-9);
        assert!((s.value(y) - 6.5).abs() < 1e-9);
        assert_eq!(s.value(z), 1.0);
        assert!((s.objective + 405.0).abs() < 1e-9);
        assert_eq!(s.status, SolveStatus::Optimal);
        m.check(&s.values, 1e-9).unwrap();
    }

    #[test]
    fn infeasible_model_is_explained() {
        let mut m = LinearModel::new("two floors");
        let a = m.add_int_var("a", 0.0, 1.0, 0.0);
        let b = m.add_int_var("b", 0.0, 1.0, 0.0);
        // a and b cannot both work (rest rule), but two are needed.
        m.add_row("rest", vec![(a, 1.0), (b, 1.0)], Sense::Le, 1.0, None);
        let label = Label {
            resource: "ward nurses".into(),
            date: None,
            shift: None,
        };
        m.add_row("floor", vec![(a, 1.0), (b, 1.0)], Sense::Ge, 2.0, Some(label));
        match solve_explained(&MicroLp, &m) {
            Err(Error::Infeasible { violations }) => {
                assert_eq!(violations.len(), 1);
                assert_eq!(violations[0].needed, 2.0);
                assert_eq!(violations[0].available, 1.0);
            }
            other => panic!("expected infeasible, got {other:?}"),
        }
    }

    #[test]
    fn solve_all_gathers_every_infeasible_part() {
        let mut ok = LinearModel::new("ok");
        ok.add_var("x", 0.0, 1.0, 1.0);
        let mut bad = LinearModel::new("bad");
        let y = bad.add_var("y", 0.0, 1.0, 1.0);
        let label = Label {
            resource: "y".into(),
            date: None,
            shift: None,
        };
        bad.add_row("need 3", vec![(y, 1.0)], Sense::Ge, 3.0, Some(label));
        let err = solve_all(&MicroLp, &[ok.clone(), bad.clone(), bad]).unwrap_err();
        match err {
            Error::Infeasible { violations } => assert_eq!(violations.len(), 2),
            e => panic!("unexpected {e}"),
        }
        assert_eq!(solve_all(&MicroLp, &[ok]).unwrap().len(), 1);
    }
}
