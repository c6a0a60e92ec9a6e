//! Result codes, the mapping of hutano's errors onto them, and the
//! thread-local error detail.

use std::cell::RefCell;
use std::ffi::c_char;

use crate::util::{out_ptr, write_truncated};

/// The result of every fallible call.
///
/// Values are explicit and never reused: a code, once published, keeps its
/// meaning. Codes below 100 are about the call itself (pointers, lengths,
/// buffers); codes from 100 on are hutano's own errors.
/// `hutano_result_message` gives a fixed text for each code,
/// `hutano_last_error_detail` the context of the last failure on the thread.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum hutano_result {
    /// Success.
    Ok = 0,
    /// A Rust panic was caught at the boundary: a bug in hutano. Handles
    /// passed to the call are still valid.
    Panic = 1,
    /// A pointer that must not be NULL was NULL.
    NullParameter = 2,
    /// A handle that is not live: already freed (double free), never made
    /// by hutano, or of another type. Detected only where possible (see
    /// the handle notes in the header's preamble).
    InvalidHandle = 3,
    /// A string is not valid UTF-8.
    InvalidUtf8 = 4,
    /// Two arrays that must have the same length do not.
    LengthMismatch = 5,
    /// An output buffer is too small; the required length was written to
    /// the `out_n` argument and nothing else was written.
    BufferTooSmall = 6,
    /// An index (column, row, series, reject) is out of range.
    IndexOutOfRange = 7,
    /// A name (column, model) is not there, or the handle does not hold
    /// the requested data (no load report, not a backtest).
    NotFound = 8,
    /// The column does not hold values of the requested type.
    WrongType = 9,
    /// A parameter is invalid: JSON configuration, level, horizon, period,
    /// KPI name or option, misaligned or oversized array.
    InvalidParameter = 100,
    /// The data are invalid: NaN or infinity, duplicate or off-grid
    /// timestamps, gaps, malformed CSV or workbook.
    InvalidData = 101,
    /// A series has too few observations for the model or the backtest.
    SeriesTooShort = 102,
    /// The site document or column mapping does not fit the file (missing
    /// column, bad JSON, unknown sheet).
    Mapping = 103,
    /// A file cannot be read or written.
    Io = 104,
    /// A model's numerical routine, or the LP/MIP solver of a plan, failed
    /// on valid data and parameters.
    ModelFailed = 105,
    /// The call was cancelled through its `hutano_control` (`hutano_control_cancel`).
    Cancelled = 106,
    /// A plan's hard constraints cannot all be met (patients who must be
    /// placed, staffing floors): no plan is made. The detail names every
    /// constraint that cannot be met, with what is needed and what can be
    /// had, e.g. "infeasible plan: nurses in ICU on 2024-05-03 night shift:
    /// 2 needed, 1 available".
    Infeasible = 107,
    /// Another error of hutano (see the detail).
    Other = 199,
}

impl hutano_result {
    /// Every code, in value order.
    pub const ALL: [hutano_result; 19] = [
        Self::Ok,
        Self::Panic,
        Self::NullParameter,
        Self::InvalidHandle,
        Self::InvalidUtf8,
        Self::LengthMismatch,
        Self::BufferTooSmall,
        Self::IndexOutOfRange,
        Self::NotFound,
        Self::WrongType,
        Self::InvalidParameter,
        Self::InvalidData,
        Self::SeriesTooShort,
        Self::Mapping,
        Self::Io,
        Self::ModelFailed,
        Self::Cancelled,
        Self::Infeasible,
        Self::Other,
    ];

    /// The fixed message of the code.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            Self::Ok => "success",
            Self::Panic => "internal error: a panic was caught (a bug in hutano)",
            Self::NullParameter => "a required pointer was NULL",
            Self::InvalidHandle => "the handle is not live (freed, foreign or of another type)",
            Self::InvalidUtf8 => "a string is not valid UTF-8",
            Self::LengthMismatch => "arrays that must have the same length do not",
            Self::BufferTooSmall => "the output buffer is too small",
            Self::IndexOutOfRange => "an index is out of range",
            Self::NotFound => "not found",
            Self::WrongType => "the column does not hold values of the requested type",
            Self::InvalidParameter => "invalid parameter",
            Self::InvalidData => "invalid data",
            Self::SeriesTooShort => "a series is too short",
            Self::Mapping => "the site or column mapping does not fit the data",
            Self::Io => "a file cannot be read or written",
            Self::ModelFailed => "a model failed to fit or a solver failed",
            Self::Cancelled => "cancelled",
            Self::Infeasible => "the plan's hard constraints cannot all be met",
            Self::Other => "error",
        }
    }

    /// The code with this value, if any.
    #[must_use]
    pub fn from_u32(value: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as u32 == value)
    }
}

/// An error on its way to C: a code and a detail message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FfiError {
    pub(crate) code: hutano_result,
    pub(crate) detail: String,
}

/// Result of an entry point's body.
pub(crate) type FfiResult<T> = Result<T, FfiError>;

impl FfiError {
    pub(crate) fn new(code: hutano_result, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    /// `what` was NULL.
    pub(crate) fn null(what: &str) -> Self {
        Self::new(hutano_result::NullParameter, format!("{what} is NULL"))
    }

    pub(crate) fn param(detail: impl Into<String>) -> Self {
        Self::new(hutano_result::InvalidParameter, detail)
    }

    /// Store the detail for `hutano_last_error_detail` and give the code.
    pub(crate) fn record(self) -> hutano_result {
        set_detail(self.detail);
        self.code
    }
}

impl From<hutano_core::Error> for FfiError {
    fn from(e: hutano_core::Error) -> Self {
        use hutano_core::Error as E;
        let code = match &e {
            E::Io { .. } | E::Write { .. } => hutano_result::Io,
            E::MissingColumn { .. } | E::InvalidMapping { .. } | E::MappingSyntax { .. } | E::SheetNotFound { .. } => {
                hutano_result::Mapping
            }
            E::InvalidParameter { .. }
            | E::EmptyPeriod { .. }
            | E::DimensionNotApplicable { .. }
            | E::UnknownFilterValue { .. }
            | E::InvalidGenerator { .. } => hutano_result::InvalidParameter,
            E::Csv { .. } | E::Workbook { .. } | E::Inconsistent { .. } | E::NonexistentLocalTime { .. } => {
                hutano_result::InvalidData
            }
            _ => hutano_result::Other,
        };
        Self::new(code, e.to_string())
    }
}

impl From<hutano_forecast::Error> for FfiError {
    fn from(e: hutano_forecast::Error) -> Self {
        use hutano_forecast::Error as E;
        let e = match e {
            E::Core(core) => return Self::from(core),
            other => other,
        };
        // A model's error keeps its own code, with the model named in the message.
        let code = match e.root() {
            E::NonFinite { .. }
            | E::DuplicateTimestamp { .. }
            | E::OffGrid { .. }
            | E::Gaps { .. }
            | E::Regressors { .. }
            | E::InvalidObservation { .. } => hutano_result::InvalidData,
            E::TooShort { .. } => hutano_result::SeriesTooShort,
            E::InvalidParameter { .. } | E::InvalidLevel { .. } => hutano_result::InvalidParameter,
            E::Model { .. } => hutano_result::ModelFailed,
            E::Cancelled => hutano_result::Cancelled,
            _ => hutano_result::Other,
        };
        Self::new(code, e.to_string())
    }
}

impl From<hutano_optimize::Error> for FfiError {
    fn from(e: hutano_optimize::Error) -> Self {
        use hutano_optimize::Error as E;
        let e = match e {
            E::Core(core) => return Self::from(core),
            other => other,
        };
        let code = match &e {
            E::Infeasible { .. } => hutano_result::Infeasible,
            E::InvalidInput { .. } => hutano_result::InvalidParameter,
            E::Unbounded { .. } | E::Solver { .. } => hutano_result::ModelFailed,
            E::Write { .. } => hutano_result::Io,
            _ => hutano_result::Other,
        };
        Self::new(code, e.to_string())
    }
}

thread_local! {
    /// The detail of the last failed call on this thread (empty at first).
    static DETAIL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Replace this thread's error detail.
pub(crate) fn set_detail(detail: String) {
    DETAIL.with(|d| *d.borrow_mut() = detail);
}

/// This thread's error detail.
#[cfg(test)]
pub(crate) fn detail() -> String {
    DETAIL.with(|d| d.borrow().clone())
}

/// Write the fixed message of result code `code` (any value: unknown codes
/// get "unknown result code") into `buf`.
///
/// The message is UTF-8, truncated at a character boundary to fit `len - 1`
/// bytes and NUL-terminated; `*out_n` receives the bytes written before
/// the NUL. With `len` 0 nothing is written to `buf` (which may then be
/// NULL) and `*out_n` is 0. Does not change the thread's error detail.
///
/// Returns `HUTANO_RESULT_NULL_PARAMETER` when `out_n` is NULL, or `buf` is
/// NULL with a non-zero `len`.
///
/// # Safety
/// `buf` is NULL or valid for writing `len` bytes; `out_n` is NULL or valid
/// for writing one `size_t`.
#[no_mangle]
pub unsafe extern "C" fn hutano_result_message(
    code: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    let message = hutano_result::from_u32(code).map_or("unknown result code", hutano_result::message);
    text_out(message, buf, len, out_n)
}

/// Write the detail of the last failed call on the calling thread into
/// `buf`: what was wrong and where (series, row number, column, parameter).
/// The detail never contains a patient identifier: rows are given by number.
///
/// Empty before the first failure. A later successful call does not clear
/// it; a later failure replaces it. Truncation, NUL and `*out_n` as in
/// `hutano_result_message`. Does not change the detail.
///
/// # Safety
/// As `hutano_result_message`.
#[no_mangle]
pub unsafe extern "C" fn hutano_last_error_detail(buf: *mut c_char, len: usize, out_n: *mut usize) -> hutano_result {
    let detail = DETAIL.with(|d| d.borrow().clone());
    text_out(&detail, buf, len, out_n)
}

/// The shared body of the two error-text calls. They must not touch the
/// detail, so they return the code of a failure without recording it.
fn text_out(text: &str, buf: *mut c_char, len: usize, out_n: *mut usize) -> hutano_result {
    let result = std::panic::catch_unwind(|| -> FfiResult<()> {
        let out_n = out_ptr(out_n, "out_n")?;
        // SAFETY: the caller guarantees `buf` is NULL or valid for `len` bytes.
        let n = unsafe { write_truncated(text, buf, len) }?;
        out_n.write(n);
        Ok(())
    });
    match result {
        Ok(Ok(())) => hutano_result::Ok,
        Ok(Err(e)) => e.code,
        Err(_) => hutano_result::Panic,
    }
}
