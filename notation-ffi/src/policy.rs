//! Trust policy validation and the library version.

use std::ffi::c_char;

use notation_core::trust::policy::MAX_POLICY_SIZE;
use notation_core::trust::{BlobTrustPolicyDocument, OciTrustPolicyDocument};

use crate::error::{Error, notation_result};
use crate::ffi::bytes;

/// The two kinds of trust policy document.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_policy_kind {
    /// `trustpolicy.oci.json`: OCI artifacts, statements selected by
    /// registry scope.
    Oci = 1,
    /// `trustpolicy.blob.json`: blobs, statements selected by name.
    Blob = 2,
}

/// Validates a trust policy document of `kind` (a `notation_policy_kind`):
/// JSON bytes, at most 1 MiB. Returns `NOTATION_RESULT_OK`,
/// `NOTATION_RESULT_POLICY_MALFORMED` (not JSON of the document's shape) or
/// `NOTATION_RESULT_POLICY_INVALID` (a rule is broken); the reason, in the
/// reference implementation's words, is then the thread's last error
/// (`notation_last_error`).
///
/// # Safety
/// `json` must be readable for `json_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_trust_policy_validate(
    kind: u32,
    json: *const u8,
    json_len: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees json/json_len.
        let json = unsafe { bytes(json, json_len, MAX_POLICY_SIZE, "json")? };
        match kind {
            1 => OciTrustPolicyDocument::from_json(json).map(drop)?,
            2 => BlobTrustPolicyDocument::from_json(json).map(drop)?,
            other => {
                return Err(Error::invalid(format!(
                    "unknown policy kind {other} (expected NOTATION_POLICY_KIND_OCI or _BLOB)"
                )));
            }
        }
        Ok(())
    }
}

/// The library version (`0.1.0`): a static NUL-terminated string, never
/// freed.
#[unsafe(no_mangle)]
pub extern "C" fn notation_version() -> *const c_char {
    ffi_guard_or! {
        c"".as_ptr(),
        const VERSION: &std::ffi::CStr =
            match std::ffi::CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
                Ok(v) => v,
                Err(_) => panic!("version contains NUL"),
            };
        VERSION.as_ptr()
    }
}
