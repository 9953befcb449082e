//! The checks of the verification procedure and the actions a trust policy
//! gives them.

use std::ffi::c_char;

use notation_core::trust::{ValidationAction, ValidationType};

use crate::buffer::write_str;
use crate::error::{Error, notation_result};

/// The checks of the verification procedure, in the order they run.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_check {
    /// The envelope is well formed and its signature verifies (always
    /// enforced).
    Integrity = 1,
    /// The certificate chain leads to a trust store certificate and the
    /// signer is a trusted identity.
    Authenticity = 2,
    /// The certificates were valid when signing happened (timestamp or
    /// now).
    AuthenticTimestamp = 3,
    /// The signature has not expired.
    Expiry = 4,
    /// No certificate is revoked.
    Revocation = 5,
}

impl From<ValidationType> for notation_check {
    fn from(t: ValidationType) -> Self {
        match t {
            ValidationType::Integrity => Self::Integrity,
            ValidationType::Authenticity => Self::Authenticity,
            ValidationType::AuthenticTimestamp => Self::AuthenticTimestamp,
            ValidationType::Expiry => Self::Expiry,
            ValidationType::Revocation => Self::Revocation,
        }
    }
}

/// What the trust policy does with a check's failure.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_check_action {
    /// A failure fails verification.
    Enforce = 1,
    /// A failure is reported and verification goes on.
    Log = 2,
    /// The check is not run.
    Skip = 3,
}

impl From<ValidationAction> for notation_check_action {
    fn from(a: ValidationAction) -> Self {
        match a {
            ValidationAction::Enforce => Self::Enforce,
            ValidationAction::Log => Self::Log,
            ValidationAction::Skip => Self::Skip,
        }
    }
}

/// Copies the name of a check (a `notation_check`) as trust policies spell
/// it: `integrity`, `authenticity`, `authenticTimestamp`, `expiry`,
/// `revocation`. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `buf` must be writable for `len` bytes; `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_check_name(
    check: u32,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        let name = match check {
            1 => "integrity",
            2 => "authenticity",
            3 => "authenticTimestamp",
            4 => "expiry",
            5 => "revocation",
            other => return Err(Error::invalid(format!("unknown check {other}"))),
        };
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(name, buf, len, out_needed) }
    }
}

/// Copies the name of a check action (a `notation_check_action`):
/// `enforce`, `log`, `skip`. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `buf` must be writable for `len` bytes; `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_check_action_name(
    action: u32,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        let name = match action {
            1 => "enforce",
            2 => "log",
            3 => "skip",
            other => return Err(Error::invalid(format!("unknown check action {other}"))),
        };
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(name, buf, len, out_needed) }
    }
}
