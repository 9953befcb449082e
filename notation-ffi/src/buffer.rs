//! Owned byte buffers handed to the caller (`notation_buffer`) and the
//! caller-buffer pattern for strings.

use std::ffi::c_char;

use crate::error::{Error, notation_result};
use crate::ffi::{Out, free_handle, handle};

/// Bytes produced by the library (a signature envelope, a DER
/// certificate), owned by the caller until `notation_buffer_free`. Buffers
/// carry bytes only: strings always come through caller buffers.
/// Immutable: may be read from many threads at once.
pub struct notation_buffer {
    data: Vec<u8>,
}

impl notation_buffer {
    pub(crate) fn new(data: Vec<u8>) -> Self {
        Self { data }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.data
    }
}

/// Gives the data of a buffer: `*out_data` points to `*out_len` bytes that
/// stay valid and unchanged until the buffer is freed (none to read when
/// `*out_len` is 0).
///
/// # Safety
/// `buffer` must be a live buffer; `out_data` and `out_len` must be
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_buffer_data(
    buffer: *const notation_buffer,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees (see the function's Safety section).
        let (b, out_data, out_len) = unsafe {
            (
                handle(buffer, "buffer")?,
                Out::new(out_data, "out_data")?,
                Out::new(out_len, "out_len")?,
            )
        };
        let bytes = b.as_bytes();
        out_data.write(bytes.as_ptr());
        out_len.write(bytes.len());
        Ok(())
    }
}

/// Frees a buffer and sets `*buffer` to NULL. `buffer` or `*buffer` NULL
/// does nothing, so freeing twice through the same variable is harmless.
///
/// # Safety
/// `*buffer` must be NULL or a live buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_buffer_free(buffer: *mut *mut notation_buffer) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *buffer is NULL or a live buffer.
        unsafe { free_handle(buffer) }
    }
}

/// [`write_str`] for a message: one line, every control character escaped
/// (a registry's or plugin's text with a newline or a terminal escape must
/// not become two log lines or recolour a terminal when C prints it).
///
/// # Safety
/// As [`write_str`].
pub(crate) unsafe fn write_message(
    message: &str,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> Result<(), Error> {
    // SAFETY: the caller's guarantees, passed on.
    unsafe { write_str(&notation_core::text::line(message), buf, len, out_needed) }
}

/// Copies `s` into a caller buffer as a NUL-terminated string (interior NUL
/// bytes, which C cannot represent, become U+FFFD). `*out_needed` is set
/// to the size including the NUL on success and when the buffer is too
/// small; `buf` is written only on success. `buf` may be NULL when `len` is
/// 0.
///
/// # Safety
/// A non-NULL `buf` must be writable for `len` bytes; a non-NULL
/// `out_needed` must be writable.
pub(crate) unsafe fn write_str(
    s: &str,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> Result<(), Error> {
    if out_needed.is_null() {
        return Err(Error::null("out_needed"));
    }
    if buf.is_null() && len > 0 {
        return Err(Error::null("buf"));
    }
    let owned;
    let s = if s.contains('\0') {
        owned = s.replace('\0', "\u{fffd}");
        owned.as_str()
    } else {
        s
    };
    let needed = s.len() + 1;
    // SAFETY: out_needed is non-NULL and writable (caller's guarantee).
    unsafe { out_needed.write(needed) };
    if len < needed {
        return Err(Error::new(
            notation_result::BufferTooSmall,
            format!("the buffer holds {len} bytes, {needed} are needed"),
        ));
    }
    // SAFETY: buf is non-NULL (len >= needed > 0) and writable for len >=
    // needed bytes; the source is a distinct Rust string.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        buf.add(s.len()).write(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_given_to_c_never_hold_an_interior_nul() {
        // A subject such as "CN=good.example\0.evil.example" must not read
        // as "CN=good.example" in C.
        let mut buf = [0 as c_char; 64];
        let mut needed = 0;
        // SAFETY: buf is writable for its length; needed is writable.
        unsafe { write_str("CN=a\0.evil", buf.as_mut_ptr(), buf.len(), &mut needed) }.unwrap();
        // SAFETY: write_str wrote a NUL-terminated string.
        let written = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(written.to_str().unwrap(), "CN=a\u{fffd}.evil");
        assert_eq!(needed, written.to_bytes().len() + 1);
    }
}
