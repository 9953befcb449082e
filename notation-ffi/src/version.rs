//! The library's version and ABI version.

use std::ffi::{CStr, c_char};

/// The ABI version this header describes: the major version of
/// `libnotation.so` (its SONAME is `libnotation.so.<NOTATION_ABI_VERSION>`).
/// It changes when a function, type or constant changes incompatibly, never
/// when one is added. Compare it with `notation_abi_version()` to check that
/// the library loaded is the one compiled against.
pub const NOTATION_ABI_VERSION: u32 = 1;

/// The ABI version of the library (`NOTATION_ABI_VERSION` of the header it
/// was built with).
#[unsafe(no_mangle)]
pub extern "C" fn notation_abi_version() -> u32 {
    ffi_guard_or! {
        0,
        NOTATION_ABI_VERSION
    }
}

/// The library version (`0.1.0`): a static NUL-terminated string, never
/// freed. The one string the library gives out as a pointer rather than
/// through a caller buffer, so that it can be printed without any setup.
#[unsafe(no_mangle)]
pub extern "C" fn notation_version() -> *const c_char {
    ffi_guard_or! {
        c"".as_ptr(),
        const VERSION: &CStr =
            match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
                Ok(v) => v,
                Err(_) => panic!("version contains NUL"),
            };
        VERSION.as_ptr()
    }
}
