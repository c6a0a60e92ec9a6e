//! The panic boundary: no Rust panic unwinds into C.
//!
//! Every entry point that returns a [`hutano_result`] wraps its body in
//! [`ffi_panic_boundary!`], directly or through the output helpers that
//! contain it (`util::value_out`, `util::array_out`, `util::string_out`,
//! `handle::handle_out`): the body is a closure returning `FfiResult<()>`;
//! an error becomes its result code (and the thread's error detail), a
//! caught panic becomes [`hutano_result::Panic`].

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{hutano_result, set_detail, FfiResult};

/// Run `body`, turning its error or a panic into a result code.
///
/// `AssertUnwindSafe` is sound here: after a panic the only state the caller
/// can observe is the result code and the thread-local detail. Handles the
/// body was mutating (only `hutano_panel_add_series` mutates one) are left
/// unchanged because that function builds the new series before it pushes it.
pub(crate) fn catch(body: impl FnOnce() -> FfiResult<()>) -> hutano_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => hutano_result::Ok,
        Ok(Err(e)) => e.record(),
        Err(payload) => {
            set_detail(format!("internal error (panic): {}", panic_message(payload.as_ref())));
            hutano_result::Panic
        }
    }
}

/// The text of a panic payload (`panic!` with a literal or a format string).
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown payload"
    }
}

/// Wrap the body of an entry point: `ffi_panic_boundary! { ...; Ok(()) }`.
/// The body may use `?` and `return Err(..)`; it is a closure, so `return`
/// leaves the body, not the entry point.
macro_rules! ffi_panic_boundary {
    ( $($tt:tt)* ) => {
        $crate::panic::catch(|| -> $crate::error::FfiResult<()> { $($tt)* })
    };
}

pub(crate) use ffi_panic_boundary;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FfiError;

    #[test]
    fn panics_and_errors_become_codes() {
        assert_eq!(catch(|| Ok(())), hutano_result::Ok);
        assert_eq!(
            catch(|| Err(FfiError::new(hutano_result::InvalidParameter, "x"))),
            hutano_result::InvalidParameter
        );
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let code = catch(|| panic!("boom {}", 1));
        std::panic::set_hook(quiet);
        assert_eq!(code, hutano_result::Panic);
        assert_eq!(crate::error::detail(), "internal error (panic): boom 1");
    }
}
