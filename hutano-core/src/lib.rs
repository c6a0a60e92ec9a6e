#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod error;
pub mod model;

pub use error::{Error, Result};
pub mod export;
pub mod generate;
pub mod ingest;
pub mod kpi;
pub mod table;
