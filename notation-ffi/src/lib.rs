//! notation-ffi: the C ABI of notation-rs, built as `libnotation.so`,
//! `libnotation.a` and an rlib, with the header `include/notation.h`
//! generated from these sources by cbindgen (the `header` test fails when
//! the committed header is stale; `UPDATE_HEADER=1` rewrites it).
//!
//! The model is rustls-ffi: opaque handles, one result code per call,
//! out-parameters written only on success, a panic guard on every export.
//! The rules a C caller relies on are stated once here and repeated in the
//! header and in `notation-ffi/README.md`:
//!
//! - **Result codes.** Every function returns a [`notation_result`]
//!   (`NOTATION_RESULT_OK` is 0), except the `*_free` functions (no result)
//!   and [`notation_version`] (a static string). Codes are grouped by area
//!   and never renumbered. [`notation_result_text`] names a code; the
//!   message of the last failing call is kept per thread
//!   ([`notation_last_error`]) and per handle (`notation_<handle>_last_error`).
//! - **Outputs.** Out-parameters are written only when the call returns
//!   `NOTATION_RESULT_OK`. The one exception is the `out_needed` length of
//!   the functions that fill a caller buffer: it is also written with
//!   `NOTATION_RESULT_BUFFER_TOO_SMALL`, so that the caller can retry.
//!   Verification is the other deliberate design point: a verify function
//!   returns `NOTATION_RESULT_OK` only when the signature verified, and fills
//!   a caller-created [`notation_verdict`] with the checks in
//!   every case.
//! - **Strings.** Strings passed in are NUL-terminated UTF-8
//!   (`NOTATION_RESULT_INVALID_UTF8` otherwise). Strings given out are
//!   always copied into caller buffers as NUL-terminated UTF-8 (only
//!   [`notation_version`] returns a static string); bytes given out
//!   (envelopes, certificates) come in a [`notation_buffer`].
//! - **Names and `const`.** A [`notation_result`] is the status code of a
//!   call; a [`notation_verdict`] is the handle a verify call fills. Handle
//!   parameters are `const` exactly when the call only reads the handle.
//! - **ABI.** [`NOTATION_ABI_VERSION`] is the major version of
//!   `libnotation.so` (its SONAME `libnotation.so.1`); an incompatible
//!   change raises it.
//! - **NULL.** A pointer parameter must not be NULL unless its documentation
//!   says "may be NULL"; a NULL one makes the call return
//!   `NOTATION_RESULT_NULL_PARAMETER` without doing anything. A byte pointer
//!   may be NULL when its length is 0.
//! - **Lengths.** A `(pointer, length)` pair must describe readable memory;
//!   lengths are checked against the documented limits before the memory is
//!   read, and that is all the library can check.
//! - **Ownership.** A handle returned through an out-parameter belongs to
//!   the caller, who releases it with its `*_free` function. Free functions
//!   take the address of the caller's handle variable and set it to NULL, so
//!   freeing twice through the same variable, or freeing NULL, does nothing.
//!   Freeing a copy of an already freed pointer is undefined behaviour, as
//!   in any C library. Nothing a function receives is retained after it
//!   returns, except what it copies (and the progress callback and its
//!   user data, which copy options keep).
//! - **Threads.** Every handle may be used from any thread, and from many
//!   threads at once: a verifier verifies in parallel without locking;
//!   handles that change (configurations, options, results) serialise their
//!   changes with an internal lock. A handle must not be freed while another
//!   thread is still using it.
//! - **Panics** never cross the boundary: each export runs inside a panic
//!   guard and returns `NOTATION_RESULT_PANIC` (an internal error) instead.
//!
//! ```
//! use notation::*;
//! let mut needed = 0usize;
//! let mut buf = [0 as std::ffi::c_char; 64];
//! // SAFETY: buf is writable for its length and needed is a valid usize.
//! let rc = unsafe {
//!     notation_result_text(
//!         notation_result::NullParameter as u32,
//!         buf.as_mut_ptr(),
//!         buf.len(),
//!         &mut needed,
//!     )
//! };
//! assert_eq!(rc, notation_result::Ok);
//! // SAFETY: the call wrote a NUL-terminated string.
//! let text = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
//! assert_eq!(text.to_str().unwrap(), "a required pointer argument is NULL");
//! ```
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![allow(non_camel_case_types)]

#[macro_use]
mod guard;
mod batch;
mod buffer;
mod chain;
mod check;
mod config;
mod copy;
mod error;
mod ffi;
mod network;
mod options;
mod pkcs11;
mod policy;
mod recursive;
mod signer;
mod target;
mod verdict;
mod verifier;
mod version;

pub use batch::*;
pub use buffer::*;
pub use chain::*;
pub use check::*;
pub use config::*;
pub use copy::*;
pub use error::*;
pub use network::*;
pub use options::*;
pub use pkcs11::*;
pub use policy::*;
pub use recursive::*;
pub use signer::*;
pub use target::*;
pub use verdict::*;
pub use verifier::*;
pub use version::*;
