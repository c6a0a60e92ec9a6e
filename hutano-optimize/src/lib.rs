#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod beds;
pub mod budget;
pub mod dispatch;
pub mod error;
pub mod lp;
pub mod network;
pub mod slots;
pub mod solver;
pub mod staff;

pub use budget::{solve_all_budgeted, solve_budgeted, Bound, Budget, BudgetedMicroLp, Stop};
pub use error::{Error, Result, Shortfall};
pub use solver::{solve_all, solve_explained, MicroLp, Solver};
