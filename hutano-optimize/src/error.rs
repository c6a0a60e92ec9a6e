//! The error type of hutano-optimize.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One hard constraint that cannot be met, in words.
///
/// `needed` and `available` are in the constraint's own unit (staff on a
/// shift, beds of a type, patients): for a staffing floor `needed` is the
/// floor and `available` the most staff that can be put on the shift given
/// every other hard rule; for a demand that must be placed, `needed` is the
/// number of patients and `available` the beds that can take them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    /// What is short, e.g. `"ICU nurses"` or `"icu beds for Medicine at HRE"`.
    pub resource: String,
    /// The day, where the constraint is about one day.
    pub date: Option<NaiveDate>,
    /// The shift (e.g. `"night"`), where the constraint is about one shift.
    pub shift: Option<String>,
    /// How many are needed.
    pub needed: f64,
    /// How many can be had.
    pub available: f64,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        match (&self.date, &self.shift) {
            (Some(d), Some(s)) => write!(f, " on {d} {s} shift")?,
            (Some(d), None) => write!(f, " on {d}")?,
            (None, Some(s)) => write!(f, " on the {s} shift")?,
            (None, None) => {}
        }
        write!(f, ": {} needed, {} available", self.needed, self.available)
    }
}

/// Join shortfalls for an error message.
fn list(violations: &[Shortfall]) -> String {
    if violations.is_empty() {
        return "no single constraint could be named".to_owned();
    }
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Errors returned by hutano-optimize.
///
/// A planner never returns a partial plan: either every hard constraint holds
/// or the call fails with [`Error::Infeasible`] naming the ones that cannot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The hard constraints cannot all be met.
    #[error("infeasible plan: {}", list(.violations))]
    Infeasible {
        /// The constraints that cannot be met, each with what is needed and
        /// what can be had. Empty only when the backend proved the model
        /// infeasible but the elastic re-solve could not attribute it.
        violations: Vec<Shortfall>,
    },
    /// The objective can improve without bound (a modelling error).
    #[error("unbounded model {model}")]
    Unbounded {
        /// Name of the model.
        model: String,
    },
    /// The backend failed or stopped without a usable solution.
    #[error("solver {solver} failed on model {model}: {message}")]
    Solver {
        /// Backend name.
        solver: &'static str,
        /// Name of the model.
        model: String,
        /// What the backend said.
        message: String,
    },
    /// An input is invalid.
    #[error("invalid input: {field}: {problem}")]
    InvalidInput {
        /// The field or table.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// Writing a model file failed.
    #[error("cannot write model: {message}")]
    Write {
        /// The writer's message.
        message: String,
    },
    /// An error from hutano-core.
    #[error(transparent)]
    Core(#[from] hutano_core::Error),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn invalid(field: &'static str, problem: impl Into<String>) -> Error {
    Error::InvalidInput {
        field,
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfall_reads_as_a_sentence() {
        let s = Shortfall {
            resource: "ICU nurses".into(),
            date: NaiveDate::from_ymd_opt(2024, 5, 3),
            shift: Some("night".into()),
            needed: 9.0,
            available: 6.0,
        };
        assert_eq!(
            s.to_string(),
            "ICU nurses on 2024-05-03 night shift: 9 needed, 6 available"
        );
        let e = Error::Infeasible { violations: vec![s] };
        assert!(e
            .to_string()
            .contains("ICU nurses on 2024-05-03 night shift: 9 needed, 6 available"));
    }
}
