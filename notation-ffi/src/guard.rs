//! The panic guard that every export's body runs in (a test scans the
//! sources for an `extern "C"` function whose body does not start with one
//! of these macros).

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Error, notation_result, set_thread_error};

/// Runs the body of an export that returns [`notation_result`]: the block
/// evaluates to `Result<(), Error>`. An error is recorded as the thread's
/// last error and its code returned, except `NOTATION_RESULT_BUFFER_TOO_SMALL`:
/// asking for a size (`NULL`, 0) or offering too small a buffer is part of
/// the caller-buffer protocol, not a failure, and must not replace the
/// message of the call that did fail. A panic becomes
/// `NOTATION_RESULT_PANIC`.
macro_rules! ffi_guard {
    ($($body:tt)*) => {
        $crate::guard::run(move || -> ::std::result::Result<(), $crate::error::Error> {
            $($body)*
        })
    };
}

/// As [`ffi_guard!`] without recording an error as the thread's last
/// error: for the functions that read last errors, so that asking with a
/// small buffer does not replace the message being asked for.
macro_rules! ffi_guard_keep_last_error {
    ($($body:tt)*) => {
        $crate::guard::run_keep_last_error(move || -> ::std::result::Result<(), $crate::error::Error> {
            $($body)*
        })
    };
}

/// Runs the body of an export that returns something other than a result
/// code (the `*_free` functions, [`crate::notation_version`]); a panic
/// returns `$default`.
macro_rules! ffi_guard_or {
    ($default:expr, $($body:tt)*) => {
        $crate::guard::run_or($default, move || { $($body)* })
    };
}

pub(crate) fn run(body: impl FnOnce() -> Result<(), Error>) -> notation_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => notation_result::Ok,
        Ok(Err(e)) if e.code == notation_result::BufferTooSmall => e.code,
        Ok(Err(e)) => {
            let code = e.code;
            set_thread_error(e);
            code
        }
        Err(payload) => {
            let e = Error::panic(payload.as_ref());
            let code = e.code;
            // Recording may itself fail if a thread-local is being torn
            // down; nothing more can be done then.
            let _ = catch_unwind(AssertUnwindSafe(|| set_thread_error(e)));
            code
        }
    }
}

pub(crate) fn run_keep_last_error(body: impl FnOnce() -> Result<(), Error>) -> notation_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => notation_result::Ok,
        Ok(Err(e)) => e.code,
        Err(_) => notation_result::Panic,
    }
}

pub(crate) fn run_or<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_code_and_a_message() {
        let rc = run(|| panic!("boom"));
        assert_eq!(rc, notation_result::Panic);
        let message = crate::error::thread_error_message();
        assert_eq!(message, "internal error: panic in notation-ffi: boom");
        assert_eq!(run_or(7, || -> i32 { panic!("x") }), 7);
        assert_eq!(
            run_keep_last_error(|| panic!("quiet")),
            notation_result::Panic
        );
        assert_eq!(crate::error::thread_error_message(), message);
    }
}
