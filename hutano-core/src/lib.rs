#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod error;
pub mod model;

pub use error::{Error, Result};
pub mod ingest;
pub mod kpi;
pub mod table;
pub mod export;
pub mod generate;
