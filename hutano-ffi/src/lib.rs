#![doc = include_str!("../README.md")]
// The C names (`hutano_result`, `hutano_dataset`, ...) are the API.
#![allow(non_camel_case_types)]

mod alerts;
mod dataset;
mod error;
mod forecast;
mod handle;
mod medicines;
mod panic;
mod plan;
mod report;
mod resources;
mod util;

use std::ffi::c_char;

pub use alerts::*;
pub use dataset::*;
pub use error::{hutano_last_error_detail, hutano_result, hutano_result_message};
pub use forecast::*;
pub use medicines::*;
pub use plan::*;
pub use report::*;
pub use resources::*;

/// The version of the library linked at run time, `"MAJOR.MINOR.PATCH"`
/// (NUL-terminated, static: do not free). Compare with the header's
/// `HUTANO_VERSION` (and `HUTANO_VERSION_MAJOR`, `_MINOR`, `_PATCH`), the
/// version compiled against; the header's macros are written from Cargo's
/// version when the header is generated.
#[no_mangle]
pub extern "C" fn hutano_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
