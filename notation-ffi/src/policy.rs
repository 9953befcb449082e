//! Trust policy validation, and the NUL check of the documents the C API
//! takes.

use notation_core::trust::policy::MAX_POLICY_SIZE;
use notation_core::trust::{BlobTrustPolicyDocument, OciTrustPolicyDocument, PolicyStatement};

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

/// Statement names and registry scopes are named by C callers as C strings
/// (`notation_verify_options_set_policy_name`, a target's scope) and names
/// come back to them as C strings (the verification result's policy
/// name). JSON can carry a NUL byte (`\u0000`) that a C string cannot, so a
/// document with one in a name or scope is refused wherever it enters the
/// library (`NOTATION_RESULT_POLICY_INVALID`) rather than be cut short or
/// altered on the way out.
fn refuse_nul(kind: &str, statements: &[PolicyStatement]) -> Result<(), Error> {
    for statement in statements {
        let scope = statement
            .registry_scopes()
            .iter()
            .find(|s| s.contains('\0'));
        let (what, value) = if statement.name().contains('\0') {
            ("name", statement.name())
        } else if let Some(scope) = scope {
            ("registry scope", scope.as_str())
        } else {
            continue;
        };
        return Err(Error::new(
            notation_result::PolicyInvalid,
            format!(
                "{kind} trust policy statement {what} {value:?} contains a NUL byte, which a C string cannot hold"
            ),
        ));
    }
    Ok(())
}

/// Parses an OCI trust policy document given to the C API.
pub(crate) fn oci_policy(json: &[u8]) -> Result<OciTrustPolicyDocument, Error> {
    checked_oci_policy(OciTrustPolicyDocument::from_json(json)?)
}

/// Parses a blob trust policy document given to the C API.
pub(crate) fn blob_policy(json: &[u8]) -> Result<BlobTrustPolicyDocument, Error> {
    checked_blob_policy(BlobTrustPolicyDocument::from_json(json)?)
}

/// Checks an OCI document read elsewhere (a configuration directory).
pub(crate) fn checked_oci_policy(
    doc: OciTrustPolicyDocument,
) -> Result<OciTrustPolicyDocument, Error> {
    refuse_nul("oci", doc.statements())?;
    Ok(doc)
}

/// Checks a blob document read elsewhere (a configuration directory).
pub(crate) fn checked_blob_policy(
    doc: BlobTrustPolicyDocument,
) -> Result<BlobTrustPolicyDocument, Error> {
    refuse_nul("blob", doc.statements())?;
    Ok(doc)
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
            1 => oci_policy(json).map(drop)?,
            2 => blob_policy(json).map(drop)?,
            other => {
                return Err(Error::invalid(format!(
                    "unknown policy kind {other} (expected NOTATION_POLICY_KIND_OCI or _BLOB)"
                )));
            }
        }
        Ok(())
    }
}
