//! Checked conversions of C arguments: pointers, arrays, strings, outputs.
//!
//! Conventions (see the header's preamble):
//! - an input array or string is a pointer and a length; the pointer may be
//!   NULL only when the length is 0;
//! - an output buffer is a pointer, its capacity and `size_t *out_n`; it is
//!   written only when the whole value fits, otherwise the call returns
//!   `HUTANO_RESULT_BUFFER_TOO_SMALL` and writes only the required length
//!   to `*out_n`; a NULL buffer with capacity 0 asks for the length;
//! - output strings are UTF-8 and NUL-terminated; their capacity must hold
//!   the NUL too, `*out_n` counts the bytes before it;
//! - single-value outputs (`T *out`) are written only on success.
//!
//! Most entry points are one of three shapes: a single value written to
//! `T *out` ([`value_out`], or [`crate::handle::handle_out`] for a new
//! handle), an array in a caller buffer ([`array_out`]) or a string in a
//! caller buffer ([`string_out`]). Each helper checks the output first,
//! runs the entry point's own part (a closure: read the handles, decode the
//! inputs, compute) inside the panic boundary, and writes the output only
//! when that succeeds; so an entry point states only what differs.

use std::ffi::c_char;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::error::{hutano_result, FfiError, FfiResult};
use crate::panic::ffi_panic_boundary;

/// A checked, non-NULL, aligned output pointer; written once, on success.
#[derive(Debug)]
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Write the output.
    pub(crate) fn write(self, value: T) {
        // SAFETY: `out_ptr` checked that the pointer is non-NULL and aligned;
        // the caller of the entry point guarantees it is valid for writes.
        // `write` does not drop the (possibly uninitialised) old value.
        unsafe { self.0.write(value) }
    }
}

/// Check an output pointer before any work is done.
pub(crate) fn out_ptr<T>(ptr: *mut T, what: &str) -> FfiResult<Out<T>> {
    if ptr.is_null() {
        return Err(FfiError::null(what));
    }
    if !ptr.is_aligned() {
        return Err(FfiError::param(format!("{what} is not aligned")));
    }
    Ok(Out(ptr))
}

fn check_len<T>(ptr: *const T, len: usize, what: &str) -> FfiResult<()> {
    if ptr.is_null() {
        return Err(FfiError::new(
            hutano_result::NullParameter,
            format!("{what} is NULL with length {len}"),
        ));
    }
    if !ptr.is_aligned() {
        return Err(FfiError::param(format!("{what} is not aligned")));
    }
    let max = isize::MAX.unsigned_abs() / size_of::<T>().max(1);
    if len > max {
        return Err(FfiError::param(format!("length {len} of {what} is too large")));
    }
    Ok(())
}

/// An input array `(ptr, len)`; NULL only with `len` 0.
///
/// # Safety
/// A non-NULL `ptr` is valid for reading `len` values for `'a`, and the
/// values are not written during `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    check_len(ptr, len, what)?;
    // SAFETY: non-NULL, aligned, `len` checked against isize::MAX bytes;
    // validity for `len` reads is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An input UTF-8 string `(ptr, len)` (no NUL needed); NULL only with `len` 0.
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, len: usize, what: &str) -> FfiResult<&'a str> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { slice(ptr.cast::<u8>(), len, what) }?;
    std::str::from_utf8(bytes).map_err(|e| {
        FfiError::new(
            hutano_result::InvalidUtf8,
            format!("{what} is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })
}

/// A checked output buffer of `len` values (NULL allowed with `len` 0).
#[derive(Debug)]
pub(crate) struct OutBuf<T> {
    ptr: *mut T,
    len: usize,
    out_n: Out<usize>,
}

/// Check an output buffer and its `out_n` before any work is done.
pub(crate) fn out_buf<T>(ptr: *mut T, len: usize, out_n: *mut usize, what: &str) -> FfiResult<OutBuf<T>> {
    let out_n = out_ptr(out_n, "out_n")?;
    if len > 0 {
        check_len(ptr.cast_const(), len, what)?;
    }
    Ok(OutBuf { ptr, len, out_n })
}

impl<T: Copy> OutBuf<T> {
    /// Copy `values` if they fit; else write only their count to `out_n`.
    ///
    /// # Safety
    /// The buffer is valid for writing `len` values.
    pub(crate) unsafe fn write(self, values: &[T]) -> FfiResult<()> {
        if values.len() > self.len {
            let needed = values.len();
            self.out_n.write(needed);
            return Err(FfiError::new(
                hutano_result::BufferTooSmall,
                format!("{needed} values, buffer holds {}", self.len),
            ));
        }
        if !values.is_empty() {
            // SAFETY: checked non-NULL and aligned (len > 0 here), valid for
            // `len >= values.len()` writes by contract; `values` is Rust
            // memory, so the two do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), self.ptr, values.len()) };
        }
        self.out_n.write(values.len());
        Ok(())
    }
}

impl OutBuf<c_char> {
    /// Copy `text` and a NUL if they fit; `out_n` gets the text's length
    /// (without the NUL) either way.
    ///
    /// # Safety
    /// The buffer is valid for writing `len` bytes.
    pub(crate) unsafe fn write_str(self, text: &str) -> FfiResult<()> {
        let n = text.len();
        if n >= self.len {
            self.out_n.write(n);
            return Err(FfiError::new(
                hutano_result::BufferTooSmall,
                format!("{n} bytes and a NUL, buffer holds {}", self.len),
            ));
        }
        // SAFETY: len > n >= 0, so the buffer is non-NULL, and valid for
        // n + 1 <= len bytes by contract; no overlap with Rust memory.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), self.ptr.cast::<u8>(), n);
            self.ptr.add(n).write(0);
        }
        self.out_n.write(n);
        Ok(())
    }
}

/// The body of an entry point with one output value `T *out`: check `out`
/// (NULL, alignment), then compute the value with `value` and write it, all
/// inside the panic boundary; nothing is written on an error.
pub(crate) fn value_out<T>(out: *mut T, value: impl FnOnce() -> FfiResult<T>) -> hutano_result {
    ffi_panic_boundary! {
        let out = out_ptr(out, "out")?;
        out.write(value()?);
        Ok(())
    }
}

/// The body of an entry point with an array output `(T *out, size_t len,
/// size_t *out_n)`: check the buffer and `out_n`, then compute the values
/// with `values` and copy them if they fit (see [`OutBuf::write`]), all
/// inside the panic boundary.
///
/// # Safety
/// `out` is NULL or valid for writing `len` values.
pub(crate) unsafe fn array_out<T: Copy, V: AsRef<[T]>>(
    out: *mut T,
    len: usize,
    out_n: *mut usize,
    values: impl FnOnce() -> FfiResult<V>,
) -> hutano_result {
    ffi_panic_boundary! {
        let out = out_buf(out, len, out_n, "out")?;
        let values = values()?;
        // SAFETY: forwarded contract.
        unsafe { out.write(values.as_ref()) }
    }
}

/// The body of an entry point with a string output `(char *buf, size_t
/// len, size_t *out_n)`: check the buffer and `out_n`, then compute the
/// text with `text` and copy it with its NUL if it fits (see
/// [`OutBuf::write_str`]), all inside the panic boundary.
///
/// # Safety
/// `buf` is NULL or valid for writing `len` bytes.
pub(crate) unsafe fn string_out<S: AsRef<str>>(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    text: impl FnOnce() -> FfiResult<S>,
) -> hutano_result {
    ffi_panic_boundary! {
        let out = out_buf(buf, len, out_n, "buf")?;
        let text = text()?;
        // SAFETY: forwarded contract.
        unsafe { out.write_str(text.as_ref()) }
    }
}

/// The position of the item called `name` among `names`
/// (`HUTANO_RESULT_NOT_FOUND`, "no {what} \"name\"", if none).
pub(crate) fn position_of<'n>(names: impl IntoIterator<Item = &'n str>, name: &str, what: &str) -> FfiResult<usize> {
    names
        .into_iter()
        .position(|n| n == name)
        .ok_or_else(|| FfiError::new(hutano_result::NotFound, format!("no {what} {name:?}")))
}

/// Copy as much of `text` as fits in `len - 1` bytes (cut at a character
/// boundary) and a NUL; return the bytes copied before the NUL.
///
/// # Safety
/// `buf` is NULL or valid for writing `len` bytes.
pub(crate) unsafe fn write_truncated(text: &str, buf: *mut c_char, len: usize) -> FfiResult<usize> {
    if len == 0 {
        return Ok(0);
    }
    if buf.is_null() {
        return Err(FfiError::null("buf"));
    }
    let mut n = text.len().min(len - 1);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: non-NULL, valid for `len > n` bytes by contract; `u8`/`c_char`
    // need no alignment.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        buf.add(n).write(0);
    }
    Ok(n)
}

/// A timestamp given as seconds since 1970-01-01 00:00:00 (local wall
/// time, no zone), as every timestamp crosses the C boundary.
pub(crate) fn from_epoch_seconds(secs: i64, what: &str, row: usize) -> FfiResult<NaiveDateTime> {
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.naive_utc())
        .ok_or_else(|| FfiError::param(format!("{what} at row {row} is out of range ({secs} s)")))
}

/// Seconds since 1970-01-01 00:00:00 of a wall-clock timestamp.
pub(crate) fn epoch_seconds(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

/// Days since 1970-01-01 of a date.
pub(crate) fn epoch_days(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// An ISO date `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str, what: &str) -> FfiResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| FfiError::param(format!("{what} {s:?}: {e} (use YYYY-MM-DD)")))
}

/// An index into `len` items.
pub(crate) fn index(i: usize, len: usize, what: &str) -> FfiResult<usize> {
    if i < len {
        Ok(i)
    } else {
        Err(FfiError::new(
            hutano_result::IndexOutOfRange,
            format!("{what} {i} is out of range (there are {len})"),
        ))
    }
}

/// Two input arrays that must have the same number of rows
/// (`HUTANO_RESULT_LENGTH_MISMATCH` naming both otherwise).
pub(crate) fn same_len((a, a_len): (&str, usize), (b, b_len): (&str, usize)) -> FfiResult<()> {
    if a_len == b_len {
        Ok(())
    } else {
        Err(FfiError::new(
            hutano_result::LengthMismatch,
            format!("{a} has {a_len} rows, {b} has {b_len}"),
        ))
    }
}

/// Item `i` of `items` (`HUTANO_RESULT_INDEX_OUT_OF_RANGE` naming `what`
/// otherwise).
pub(crate) fn item<'a, T>(items: &'a [T], i: usize, what: &str) -> FfiResult<&'a T> {
    Ok(&items[index(i, items.len(), what)?])
}

/// Parse JSON configuration, with `what` in the error.
pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> FfiResult<T> {
    serde_json::from_str(text).map_err(|e| FfiError::param(format!("{what}: {e}")))
}

/// Serialise a result as JSON (numbers in shortest round-trip form).
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> FfiResult<String> {
    serde_json::to_string(value).map_err(|e| FfiError::new(hutano_result::Other, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters_and_a_nul() {
        let mut buf = [1 as c_char; 4];
        // "é" is two bytes: three bytes of room hold "aé" but not "aéb".
        // SAFETY: `buf` holds 4 bytes.
        let n = unsafe { write_truncated("aéb", buf.as_mut_ptr(), 4) }.unwrap();
        assert_eq!(n, 3);
        assert_eq!(buf[3], 0);
        // SAFETY: `buf` holds 3 bytes.
        let n = unsafe { write_truncated("aéb", buf.as_mut_ptr(), 3) }.unwrap();
        assert_eq!((n, buf[1]), (1, 0));
    }

    #[test]
    fn buffers_are_written_only_when_everything_fits() {
        let mut buf = [7 as c_char; 3];
        let mut n = 99;
        let out = out_buf(buf.as_mut_ptr(), buf.len(), &raw mut n, "buf").unwrap();
        // SAFETY: `buf` holds 3 bytes.
        let err = unsafe { out.write_str("abc") }.unwrap_err();
        assert_eq!((err.code, n, buf), (hutano_result::BufferTooSmall, 3, [7; 3]));
        let out = out_buf(buf.as_mut_ptr(), buf.len(), &raw mut n, "buf").unwrap();
        // SAFETY: as above.
        unsafe { out.write_str("ab") }.unwrap();
        assert_eq!((n, buf[2]), (2, 0));
        assert_eq!(
            out_buf::<f64>(std::ptr::null_mut(), 2, &raw mut n, "out")
                .unwrap_err()
                .code,
            hutano_result::NullParameter
        );
        // SAFETY: a NULL pointer with length 0 is the empty slice.
        assert!(unsafe { slice::<f64>(std::ptr::null(), 0, "x") }.unwrap().is_empty());
        let bytes = [0xffu8, 0xfe];
        // SAFETY: `bytes` holds 2 bytes.
        let err = unsafe { str_arg(bytes.as_ptr().cast(), 2, "s") }.unwrap_err();
        assert_eq!(err.code, hutano_result::InvalidUtf8);
    }
}
