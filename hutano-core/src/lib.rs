#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod calendar;
pub mod error;
pub mod export;
pub mod generate;
pub mod ingest;
pub mod kpi;
pub mod model;
pub mod table;

pub use error::{Error, Result};
