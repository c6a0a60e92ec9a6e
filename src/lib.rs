//! # hutano
//!
//! Forecasting and capacity planning for hospital networks. This facade crate
//! re-exports hutano's pure crates:
//!
//! - [`core`] (`hutano-core`): the hospital data model, ingestion from CSV and
//!   Excel with a load report, the KPI engine, holiday calendars and the
//!   network generator.
//! - [`forecast`] (`hutano-forecast`, feature `forecast`): panels of series,
//!   forecasters with prediction intervals, rolling-origin backtests.
//! - [`optimize`] (`hutano-optimize`, feature `optimize`): bed, staff,
//!   ambulance and procedure-slot planning as LP/MIP models with typed
//!   infeasibility errors.
//!
//! ```
//! use hutano::core::model::Network;
//! let net = Network::new("empty");
//! assert!(net.validate().is_ok());
//! ```
#![forbid(unsafe_code)]

pub use hutano_core as core;
pub use hutano_core::{Error, Result};
#[cfg(feature = "forecast")]
pub use hutano_forecast as forecast;
#[cfg(feature = "optimize")]
pub use hutano_optimize as optimize;
