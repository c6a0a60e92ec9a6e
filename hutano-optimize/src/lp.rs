//! hutano's own small representation of a linear (mixed-integer) model.
//!
//! A [`LinearModel`] is a list of named variables (bounds, integrality,
//! objective cost) and named linear rows, always **minimised**. Keeping the
//! model in this form rather than in a backend's lets hutano write the exact
//! same model to an MPS file (to cross-check it with another solver), check a
//! solution against every row independently of the solver, and attach a
//! [`Label`] to each hard row so that an infeasible model is explained in
//! words ([`Shortfall`]).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::error::{Error, Result, Shortfall};

/// Index of a variable in its [`LinearModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub usize);

/// A decision variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name, for debugging (the MPS writer uses positional names).
    pub name: String,
    /// Lower bound (may be `f64::NEG_INFINITY`).
    pub lower: f64,
    /// Upper bound (may be `f64::INFINITY`).
    pub upper: f64,
    /// Whether the variable must take an integer value.
    pub integer: bool,
    /// Objective coefficient (the model is minimised).
    pub cost: f64,
}

/// Direction of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sense {
    /// `lhs <= rhs`.
    Le,
    /// `lhs >= rhs`.
    Ge,
    /// `lhs == rhs`.
    Eq,
}

/// Words describing a hard row, used to report it when it cannot be met.
///
/// Only labelled rows are relaxed when an infeasible model is explained: the
/// others are structural (definitions, rest rules, contracted hours) and stay
/// hard.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// What the row is about, e.g. `"ICU nurses"`.
    pub resource: String,
    /// The day, where the row is about one day.
    pub date: Option<NaiveDate>,
    /// The shift, where the row is about one shift.
    pub shift: Option<String>,
}

/// A linear row `sum(coef * var) sense rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Name, for debugging.
    pub name: String,
    /// Terms; a variable appears at most once.
    pub terms: Vec<(VarId, f64)>,
    /// Direction.
    pub sense: Sense,
    /// Right-hand side.
    pub rhs: f64,
    /// Words for the infeasibility report; `None` for structural rows.
    pub label: Option<Label>,
}

impl Row {
    /// The row's left-hand side at `values`.
    #[must_use]
    pub fn activity(&self, values: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|&(v, c)| c * values.get(v.0).copied().unwrap_or(0.0))
            .sum()
    }

    /// By how much `values` violate the row (0 when it holds).
    #[must_use]
    pub fn violation(&self, values: &[f64]) -> f64 {
        let a = self.activity(values);
        match self.sense {
            Sense::Le => (a - self.rhs).max(0.0),
            Sense::Ge => (self.rhs - a).max(0.0),
            Sense::Eq => (a - self.rhs).abs(),
        }
    }
}

/// A minimisation model: variables, rows, objective costs on the variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinearModel {
    /// Name of the model (used in error messages and as the MPS `NAME`).
    pub name: String,
    /// Variables.
    pub vars: Vec<Variable>,
    /// Rows.
    pub rows: Vec<Row>,
}

/// How a backend ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SolveStatus {
    /// Optimality was proved.
    Optimal,
    /// A feasible solution without a proof of optimality (time or gap limit).
    Feasible,
}

/// A solution of a [`LinearModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// One value per variable; integer variables are rounded to integers.
    pub values: Vec<f64>,
    /// Objective value at `values`, recomputed from the model.
    pub objective: f64,
    /// How the backend ended.
    pub status: SolveStatus,
}

impl Solution {
    /// The value of a variable.
    #[must_use]
    pub fn value(&self, v: VarId) -> f64 {
        self.values.get(v.0).copied().unwrap_or(0.0)
    }
}

/// Absolute tolerance of the feasibility check ([`LinearModel::check`]).
pub const FEASIBILITY_TOL: f64 = 1e-6;

impl LinearModel {
    /// An empty model.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Add a continuous variable with bounds `[lower, upper]` and objective cost.
    pub fn add_var(&mut self, name: impl Into<String>, lower: f64, upper: f64, cost: f64) -> VarId {
        self.vars.push(Variable {
            name: name.into(),
            lower,
            upper,
            integer: false,
            cost,
        });
        VarId(self.vars.len() - 1)
    }

    /// Add an integer variable with bounds `[lower, upper]` and objective cost.
    pub fn add_int_var(&mut self, name: impl Into<String>, lower: f64, upper: f64, cost: f64) -> VarId {
        let v = self.add_var(name, lower, upper, cost);
        self.vars[v.0].integer = true;
        v
    }

    /// Add a row and return its position.
    pub fn add_row(
        &mut self,
        name: impl Into<String>,
        terms: Vec<(VarId, f64)>,
        sense: Sense,
        rhs: f64,
        label: Option<Label>,
    ) -> usize {
        self.rows.push(Row {
            name: name.into(),
            terms,
            sense,
            rhs,
            label,
        });
        self.rows.len() - 1
    }

    /// The objective at `values`.
    #[must_use]
    pub fn objective(&self, values: &[f64]) -> f64 {
        self.vars.iter().zip(values).map(|(v, x)| v.cost * x).sum()
    }

    /// Check `values` against every bound, integrality and row, independently
    /// of any solver.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the first variable or row violated by
    /// more than `tol`.
    pub fn check(&self, values: &[f64], tol: f64) -> Result<()> {
        if values.len() != self.vars.len() {
            return Err(crate::error::invalid(
                "values",
                format!("{} values for {} variables", values.len(), self.vars.len()),
            ));
        }
        for (v, &x) in self.vars.iter().zip(values) {
            if !x.is_finite() || x < v.lower - tol || x > v.upper + tol || (v.integer && (x - x.round()).abs() > tol) {
                return Err(crate::error::invalid(
                    "values",
                    format!("variable {} = {x} out of its domain", v.name),
                ));
            }
        }
        for r in &self.rows {
            let viol = r.violation(values);
            if viol > tol * (1.0 + r.rhs.abs()) {
                return Err(crate::error::invalid(
                    "values",
                    format!("row {} violated by {viol}", r.name),
                ));
            }
        }
        Ok(())
    }

    /// The elastic version of the model: every labelled row gets a
    /// non-negative slack (two for an equality) and the objective becomes the
    /// total slack. Returns the model and, per labelled row, its position and
    /// its slack variables.
    #[must_use]
    pub fn elastic(&self) -> (LinearModel, Vec<(usize, Vec<VarId>)>) {
        let mut m = LinearModel::new(format!("{}-elastic", self.name));
        m.vars = self.vars.iter().map(|v| Variable { cost: 0.0, ..v.clone() }).collect();
        let mut slacks = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            let mut row = r.clone();
            if r.label.is_some() {
                let mut own = Vec::new();
                if matches!(r.sense, Sense::Ge | Sense::Eq) {
                    let s = m.add_var(format!("slack_up_{i}"), 0.0, f64::INFINITY, 1.0);
                    row.terms.push((s, 1.0));
                    own.push(s);
                }
                if matches!(r.sense, Sense::Le | Sense::Eq) {
                    let s = m.add_var(format!("slack_down_{i}"), 0.0, f64::INFINITY, 1.0);
                    row.terms.push((s, -1.0));
                    own.push(s);
                }
                slacks.push((i, own));
            }
            m.rows.push(row);
        }
        (m, slacks)
    }

    /// Write the model in free MPS format.
    ///
    /// Variables are named `x0, x1, ...` and rows `r0, r1, ...` by position;
    /// the objective row is `obj`. Integer variables sit between `MARKER`
    /// lines. Numbers are written with Rust's shortest round-trip formatting,
    /// so a reader recovers the same `f64` values.
    #[must_use]
    // Exactly equal bounds (a fixed variable) are written as `FX`.
    #[allow(clippy::float_cmp)]
    pub fn to_mps(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "NAME {}", self.name.replace(char::is_whitespace, "_"));
        out.push_str("ROWS\n N obj\n");
        for (i, r) in self.rows.iter().enumerate() {
            let t = match r.sense {
                Sense::Le => 'L',
                Sense::Ge => 'G',
                Sense::Eq => 'E',
            };
            let _ = writeln!(out, " {t} r{i}");
        }
        // Column-wise coefficients.
        let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); self.vars.len()];
        for (i, r) in self.rows.iter().enumerate() {
            for &(v, c) in &r.terms {
                if let Some(col) = cols.get_mut(v.0) {
                    col.push((i, c));
                }
            }
        }
        out.push_str("COLUMNS\n");
        let mut in_int = false;
        let mut marker = 0;
        for (j, v) in self.vars.iter().enumerate() {
            if v.integer != in_int {
                let kind = if v.integer { "INTORG" } else { "INTEND" };
                let _ = writeln!(out, " M{marker} 'MARKER' '{kind}'");
                marker += 1;
                in_int = v.integer;
            }
            let _ = writeln!(out, " x{j} obj {:?}", v.cost);
            for &(i, c) in &cols[j] {
                let _ = writeln!(out, " x{j} r{i} {c:?}");
            }
        }
        if in_int {
            let _ = writeln!(out, " M{marker} 'MARKER' 'INTEND'");
        }
        out.push_str("RHS\n");
        for (i, r) in self.rows.iter().enumerate() {
            if r.rhs != 0.0 {
                let _ = writeln!(out, " rhs r{i} {:?}", r.rhs);
            }
        }
        out.push_str("BOUNDS\n");
        for (j, v) in self.vars.iter().enumerate() {
            match (v.lower.is_finite(), v.upper.is_finite()) {
                (true, true) if v.lower == v.upper => {
                    let _ = writeln!(out, " FX bnd x{j} {:?}", v.lower);
                }
                (lo, up) => {
                    if lo {
                        let _ = writeln!(out, " LO bnd x{j} {:?}", v.lower);
                    } else {
                        let _ = writeln!(out, " MI bnd x{j}");
                    }
                    if up {
                        let _ = writeln!(out, " UP bnd x{j} {:?}", v.upper);
                    } else if v.integer {
                        // An integer column without an upper bound would be
                        // read as binary by some readers.
                        let _ = writeln!(out, " PL bnd x{j}");
                    }
                }
            }
        }
        out.push_str("ENDATA\n");
        out
    }

    /// Write the model to an MPS file at `path` (see [`LinearModel::to_mps`]).
    ///
    /// # Errors
    /// [`Error::Write`] when the file cannot be written.
    pub fn write_mps(&self, path: &std::path::Path) -> Result<()> {
        std::fs::write(path, self.to_mps()).map_err(|e| Error::Write {
            message: format!("{}: {e}", path.display()),
        })
    }

    /// Append `other`'s variables and rows to this model (the union of two
    /// independent models; the objective is the sum). Returns the offset of
    /// `other`'s first variable.
    pub fn append(&mut self, other: &LinearModel) -> usize {
        let offset = self.vars.len();
        self.vars.extend(other.vars.iter().cloned());
        self.rows.extend(other.rows.iter().map(|r| Row {
            terms: r.terms.iter().map(|&(v, c)| (VarId(v.0 + offset), c)).collect(),
            ..r.clone()
        }));
        offset
    }
}

/// The shortfalls of an elastic solution: each labelled row whose slack is
/// positive, with what it needs and what can be had.
pub(crate) fn shortfalls(model: &LinearModel, slacks: &[(usize, Vec<VarId>)], values: &[f64]) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for (i, own) in slacks {
        let r = &model.rows[*i];
        let Some(label) = &r.label else { continue };
        let slack: f64 = own.iter().map(|v| values.get(v.0).copied().unwrap_or(0.0)).sum();
        if slack <= FEASIBILITY_TOL * (1.0 + r.rhs.abs()) {
            continue;
        }
        let slack = round_to(slack);
        let (needed, available) = match r.sense {
            // A floor: rhs is needed, rhs - slack can be had.
            Sense::Ge | Sense::Eq => (r.rhs, r.rhs - slack),
            // A capacity: rhs + slack would be needed, rhs is available.
            Sense::Le => (r.rhs + slack, r.rhs),
        };
        out.push(Shortfall {
            resource: label.resource.clone(),
            date: label.date,
            shift: label.shift.clone(),
            needed: round_to(needed),
            available: round_to(available),
        });
    }
    out
}

/// Round to 9 decimals so that integral counts print as integers.
fn round_to(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> LinearModel {
        let mut m = LinearModel::new("small");
        let x = m.add_int_var("x", 0.0, 10.0, 1.0);
        let y = m.add_var("y", 0.0, f64::INFINITY, 2.0);
        m.add_row("c", vec![(x, 1.0), (y, 1.0)], Sense::Ge, 3.5, None);
        m
    }

    #[test]
    fn mps_has_markers_bounds_and_rhs() {
        let mps = small().to_mps();
        assert!(mps.contains("'INTORG'"));
        assert!(mps.contains(" G r0"));
        assert!(mps.contains(" rhs r0 3.5"));
        assert!(mps.contains(" UP bnd x0 10.0"));
        assert!(mps.ends_with("ENDATA\n"));
    }

    #[test]
    fn check_detects_violations() {
        let m = small();
        assert!(m.check(&[3.0, 0.5], 1e-9).is_ok());
        assert!(m.check(&[3.0, 0.0], 1e-9).is_err());
        assert!(m.check(&[2.5, 1.0], 1e-9).is_err());
    }

    #[test]
    fn elastic_adds_slacks_only_on_labelled_rows() {
        let mut m = small();
        m.add_row(
            "floor",
            vec![(VarId(0), 1.0)],
            Sense::Eq,
            4.0,
            Some(Label {
                resource: "x".into(),
                date: None,
                shift: None,
            }),
        );
        let (e, slacks) = m.elastic();
        assert_eq!(e.vars.len(), 4);
        assert_eq!(slacks, vec![(1, vec![VarId(2), VarId(3)])]);
        assert!(e.vars[..2].iter().all(|v| v.cost == 0.0));
    }
}
