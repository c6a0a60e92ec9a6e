//! Opaque handles: boxed Rust values behind pointers to zero-sized C types,
//! with a registry of live handles.
//!
//! Every handle made by [`into_raw`] is recorded, with its type, in a
//! global registry until [`free`] removes it. Each use ([`get`],
//! [`get_mut`]) and each free looks the pointer up first, so a double free,
//! a freed handle, a foreign pointer or a handle of another type gives
//! `HUTANO_RESULT_INVALID_HANDLE` instead of touching memory. The limits:
//! once the allocator reuses a freed handle's address for a new handle of
//! the same type, the stale pointer reaches the new handle; and a handle
//! freed on one thread while another thread uses it is a data race. Both
//! are undefined behaviour that the registry cannot detect.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::{hutano_result, FfiError, FfiResult};

/// A Rust type that C holds through a pointer to `Opaque`.
pub(crate) trait Handle: Sized + Send + Sync + 'static {
    /// The C-side type (zero-sized, never dereferenced).
    type Opaque;
    /// The C type's name, for the registry and error details.
    const NAME: &'static str;
}

/// Live handles: address → type name.
static LIVE: Mutex<BTreeMap<usize, &'static str>> = Mutex::new(BTreeMap::new());

fn live() -> MutexGuard<'static, BTreeMap<usize, &'static str>> {
    // The lock is never held across code that can panic, but a poisoned
    // map is still consistent: take it.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Give `value` to C.
pub(crate) fn into_raw<T: Handle>(value: T) -> *mut T::Opaque {
    let ptr = Box::into_raw(Box::new(value));
    live().insert(ptr as usize, T::NAME);
    ptr.cast()
}

fn check<T: Handle>(addr: usize, what: &str) -> FfiResult<()> {
    check_in::<T>(&live(), addr, what)
}

/// Borrow the value of a live handle.
pub(crate) fn get<'a, T: Handle>(ptr: *const T::Opaque, what: &str) -> FfiResult<&'a T> {
    if ptr.is_null() {
        return Err(FfiError::null(what));
    }
    check::<T>(ptr as usize, what)?;
    // SAFETY: the registry holds `ptr` with T's name, so it came from
    // `Box::<T>::into_raw` in `into_raw::<T>` and has not been freed. C
    // guarantees (documented) that it is not freed during this call and
    // not mutated concurrently.
    Ok(unsafe { &*ptr.cast::<T>() })
}

/// Borrow the value of a live handle mutably.
pub(crate) fn get_mut<'a, T: Handle>(ptr: *mut T::Opaque, what: &str) -> FfiResult<&'a mut T> {
    if ptr.is_null() {
        return Err(FfiError::null(what));
    }
    check::<T>(ptr as usize, what)?;
    // SAFETY: as in `get`; the documented contract of the mutating calls is
    // that no other thread uses the handle meanwhile.
    Ok(unsafe { &mut *ptr.cast::<T>() })
}

/// The body of a constructor: check `out`, make the value with `make` and
/// give it to C as a new handle in `*out`, all inside the panic boundary
/// (see [`crate::util::value_out`]); on an error no handle is made and
/// `*out` is not written.
pub(crate) fn handle_out<T: Handle>(out: *mut *mut T::Opaque, make: impl FnOnce() -> FfiResult<T>) -> hutano_result {
    crate::util::value_out(out, || make().map(into_raw))
}

/// Free a handle. NULL is a no-op.
pub(crate) fn free<T: Handle>(ptr: *mut T::Opaque, what: &str) -> FfiResult<()> {
    if ptr.is_null() {
        return Ok(());
    }
    {
        let mut map = live();
        check_in::<T>(&map, ptr as usize, what)?;
        map.remove(&(ptr as usize));
        if map.is_empty() {
            // Release the map's last node, so that a program that freed
            // every handle ends with nothing of hutano's allocated.
            *map = BTreeMap::new();
        }
    }
    // SAFETY: the handle was live (made by `into_raw::<T>`) and is now out
    // of the registry, so this is the only free of this box.
    drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
    Ok(())
}

fn check_in<T: Handle>(map: &BTreeMap<usize, &'static str>, addr: usize, what: &str) -> FfiResult<()> {
    match map.get(&addr) {
        Some(name) if *name == T::NAME => Ok(()),
        Some(name) => Err(FfiError::new(
            hutano_result::InvalidHandle,
            format!("{what} is a {name}, not a {}", T::NAME),
        )),
        None => Err(FfiError::new(
            hutano_result::InvalidHandle,
            format!(
                "{what} is not a live {} (already freed, or not made by hutano)",
                T::NAME
            ),
        )),
    }
}

/// Number of live handles (for tests).
#[cfg(test)]
pub(crate) fn live_count() -> usize {
    live().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Thing(Vec<u8>);
    #[derive(Debug)]
    struct OpaqueThing;
    impl Handle for Thing {
        type Opaque = OpaqueThing;
        const NAME: &'static str = "test_thing";
    }

    #[test]
    fn double_free_and_use_after_free_are_caught() {
        let p = into_raw(Thing(vec![1, 2, 3]));
        assert_eq!(get::<Thing>(p, "t").unwrap().0, [1, 2, 3]);
        assert!(live_count() >= 1);
        free::<Thing>(p, "t").unwrap();
        assert_eq!(free::<Thing>(p, "t").unwrap_err().code, hutano_result::InvalidHandle);
        assert_eq!(get::<Thing>(p, "t").unwrap_err().code, hutano_result::InvalidHandle);
        free::<Thing>(std::ptr::null_mut(), "t").unwrap();
        let mut local = 0u8;
        let foreign = std::ptr::addr_of_mut!(local).cast::<OpaqueThing>();
        assert_eq!(
            get::<Thing>(foreign, "t").unwrap_err().code,
            hutano_result::InvalidHandle
        );
    }
}
