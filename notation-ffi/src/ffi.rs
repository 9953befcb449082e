//! Reading arguments from C and writing results back: every raw pointer the
//! library touches goes through these functions.

use std::ffi::{CStr, c_char};
use std::ptr;

use crate::error::{Error, notation_result};

/// A reference to a handle, or `NOTATION_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `p` must be NULL or a handle of type `T` returned by this library and not
/// yet freed.
pub(crate) unsafe fn handle<'a, T>(p: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: the caller guarantees that a non-NULL p is a live handle.
    unsafe { p.as_ref() }.ok_or_else(|| Error::null(name))
}

/// A byte slice from a pointer and a length; NULL is allowed for an empty
/// slice. The length is checked against `max` before any byte is read.
///
/// # Safety
/// A non-NULL `p` must be readable for `len` bytes that stay unchanged for
/// `'a`.
pub(crate) unsafe fn bytes<'a>(
    p: *const u8,
    len: usize,
    max: usize,
    name: &str,
) -> Result<&'a [u8], Error> {
    if len > max {
        return Err(Error::new(
            notation_result::InputTooLarge,
            format!("{name} is {len} bytes, more than the limit of {max} bytes"),
        ));
    }
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Error::invalid(format!("{name}: length too large")));
    }
    // SAFETY: p is non-NULL and the caller guarantees len readable bytes;
    // len fits in isize.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A UTF-8 string from a NUL-terminated C string.
///
/// # Safety
/// A non-NULL `p` must point to a NUL-terminated string that stays
/// unchanged for `'a`.
pub(crate) unsafe fn string<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::null(name));
    }
    // SAFETY: p is non-NULL and NUL-terminated (caller's guarantee).
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        Error::new(
            notation_result::InvalidUtf8,
            format!("{name} is not valid UTF-8: {e}"),
        )
    })
}

/// An optional UTF-8 string: NULL is `None`.
///
/// # Safety
/// As [`string`].
pub(crate) unsafe fn optional_string<'a>(
    p: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded caller guarantee.
        unsafe { string(p, name) }.map(Some)
    }
}

/// An out-parameter, checked for NULL before any work is done and written
/// only at the end, on success.
pub(crate) struct Out<T> {
    p: *mut T,
}

impl<T> Out<T> {
    /// # Safety
    /// A non-NULL `p` must be valid for writing a `T`.
    pub(crate) unsafe fn new(p: *mut T, name: &str) -> Result<Self, Error> {
        if p.is_null() {
            Err(Error::null(name))
        } else {
            Ok(Self { p })
        }
    }

    /// Writes the value.
    pub(crate) fn write(self, value: T) {
        // SAFETY: p is non-NULL and writable (guaranteed when constructed);
        // `write` does not drop the previous (possibly uninitialised) value.
        unsafe { ptr::write(self.p, value) }
    }
}

/// Moves a value into a new handle.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Frees the handle `*pp` and sets `*pp` to NULL; NULL `pp` or `*pp` do
/// nothing.
///
/// # Safety
/// A non-NULL `pp` must point to a handle variable holding NULL or a live
/// handle of type `T` created by [`into_handle`].
pub(crate) unsafe fn free_handle<T>(pp: *mut *mut T) {
    if pp.is_null() {
        return;
    }
    // SAFETY: pp is non-NULL and points to a handle variable.
    let p = unsafe { ptr::replace(pp, ptr::null_mut()) };
    if !p.is_null() {
        // SAFETY: p came from Box::into_raw in into_handle and is freed once:
        // the variable was cleared above.
        drop(unsafe { Box::from_raw(p) });
    }
}
