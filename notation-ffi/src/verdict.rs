//! Verdicts: what one verify call found, with every check.

use std::ffi::c_char;
use std::sync::{Mutex, MutexGuard};

use notation_core::payload::Descriptor;
use notation_core::trust::ValidationType;
use notation_core::verifier::{CheckResult, VerificationOutcome};
use notation_core::x509::Certificate;

use crate::buffer::{write_message, write_str};
use crate::check::{notation_check, notation_check_action};
use crate::error::{Error, notation_result};
use crate::ffi::{Out, free_handle, handle, into_handle};

/// One check as a verdict reports it.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    pub(crate) check: notation_check,
    pub(crate) action: notation_check_action,
    /// Why it failed, on one line (`None` when it passed).
    pub(crate) failure: Option<String>,
}

impl From<&CheckResult> for Check {
    fn from(r: &CheckResult) -> Self {
        Self {
            check: r.check().into(),
            action: r.action().into(),
            failure: r.failure().map(|f| f.to_string()),
        }
    }
}

/// What one verify call found.
#[derive(Clone, Debug)]
pub(crate) struct Verdict {
    pub(crate) code: notation_result,
    /// Why it failed (empty when it passed).
    pub(crate) message: String,
    /// The checks of the signature that verified, or of the one examined
    /// when none did (none when verification never reached a signature).
    pub(crate) checks: Vec<Check>,
    /// What the signature signs, once its integrity and payload verified.
    pub(crate) payload: Option<Descriptor>,
    /// The signer's certificate chain, leaf first, when the authenticity
    /// check passed (the chain leads to a trusted certificate and the
    /// leaf is a trusted identity).
    pub(crate) signer_chain: Option<Vec<Certificate>>,
    pub(crate) policy_name: Option<String>,
    pub(crate) skipped: bool,
    /// Artifacts: the signature manifest the checks are about.
    pub(crate) signature_digest: Option<String>,
    /// Artifacts: the artifact's manifest digest.
    pub(crate) artifact_digest: Option<String>,
    /// Artifacts: each signature that failed (digest, reason).
    pub(crate) signature_failures: Vec<(String, String)>,
    /// Recursive verification: each manifest of the index (the index
    /// first) with its code and failure message.
    pub(crate) manifests: Vec<ManifestVerdict>,
}

/// One manifest of a recursive verification.
#[derive(Clone, Debug)]
pub(crate) struct ManifestVerdict {
    pub(crate) digest: String,
    pub(crate) code: notation_result,
    /// Why it failed (empty when it passed).
    pub(crate) message: String,
}

impl Verdict {
    fn new(code: notation_result, message: String, outcome: Option<&VerificationOutcome>) -> Self {
        // Inconclusive and plugin failures stop before a verification
        // plugin gave its part of authenticity: the chain is not verified.
        let authentic = outcome
            .and_then(|o| o.result(ValidationType::Authenticity))
            .is_some_and(|r| r.passed())
            && !matches!(
                code,
                notation_result::VerificationInconclusive
                    | notation_result::VerificationPluginFailed
            );
        Self {
            code,
            message,
            checks: outcome
                .map(|o| o.results().iter().map(Check::from).collect())
                .unwrap_or_default(),
            payload: outcome
                .and_then(|o| o.payload())
                .map(|p| p.target_artifact.clone()),
            signer_chain: outcome
                .filter(|_| authentic)
                .and_then(|o| o.content())
                .map(|c| c.signer_info.certificate_chain.clone()),
            policy_name: outcome.map(|o| o.policy_name().to_string()),
            skipped: false,
            signature_digest: None,
            artifact_digest: None,
            signature_failures: Vec::new(),
            manifests: Vec::new(),
        }
    }

    pub(crate) fn passed(outcome: Option<VerificationOutcome>) -> Self {
        let mut verdict = Self::new(notation_result::Ok, String::new(), outcome.as_ref());
        verdict.skipped = outcome.as_ref().is_some_and(|o| o.is_skipped());
        verdict
    }

    pub(crate) fn failed(error: Error, outcome: Option<VerificationOutcome>) -> Self {
        Self::new(error.code, error.message, outcome.as_ref())
    }

    pub(crate) fn as_result(&self) -> Result<(), Error> {
        if self.code == notation_result::Ok {
            Ok(())
        } else {
            Err(Error::new(self.code, self.message.clone()))
        }
    }
}

/// The verdict of the last verify call made with it: the code the call
/// returned, why it failed, and the checks behind it. Create it with
/// `notation_verdict_new`, pass it to `notation_verifier_verify_*` (which
/// write it: the parameter is not `const`), read it with the accessors.
/// (A `notation_result` is the status code every call returns; a
/// `notation_verdict` is this handle.)
///
/// A verify call replaces the verdict's contents with its own in every
/// case, passing or failing: the code it returned, the failure message and
/// the checks that ran (none when verification never reached a signature,
/// for example when no trust policy applies). Thread safety: may be read
/// from many threads; give each concurrent verify call its own verdict
/// (calls sharing one run at the same time and the last to finish wins:
/// its contents need not match the code another call returned).
pub struct notation_verdict {
    state: Mutex<Option<Verdict>>,
}

impl notation_verdict {
    fn lock(&self) -> MutexGuard<'_, Option<Verdict>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks the start of a verify call: if it panics, the verdict says so
    /// instead of keeping the previous verdict.
    pub(crate) fn begin(&self) {
        *self.lock() = Some(Verdict::failed(
            Error::new(
                notation_result::Panic,
                "internal error: verification did not complete",
            ),
            None,
        ));
    }

    pub(crate) fn set(&self, verdict: Verdict) {
        *self.lock() = Some(verdict);
    }

    /// Runs `f` on the verdict, or fails with `NOTATION_RESULT_NOT_AVAILABLE`
    /// before any verify call.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Verdict) -> Result<T, Error>) -> Result<T, Error> {
        match self.lock().as_ref() {
            Some(v) => f(v),
            None => Err(Error::new(
                notation_result::NotAvailable,
                "no verification has been recorded in this verdict yet",
            )),
        }
    }
}

fn not_available(what: &str) -> Error {
    Error::new(
        notation_result::NotAvailable,
        format!("{what} is not available"),
    )
}

fn check_at(v: &Verdict, index: usize) -> Result<&Check, Error> {
    let checks = &v.checks;
    checks.get(index).ok_or_else(|| {
        Error::new(
            notation_result::IndexOutOfRange,
            format!(
                "check index {index} is out of range (count {})",
                checks.len()
            ),
        )
    })
}

/// Creates an empty verdict, to pass to the verify functions.
///
/// # Safety
/// `out_verdict` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_new(
    out_verdict: *mut *mut notation_verdict,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees out_verdict.
        let out = unsafe { Out::new(out_verdict, "out_verdict")? };
        out.write(into_handle(notation_verdict {
            state: Mutex::new(None),
        }));
        Ok(())
    }
}

/// Gives the code that the last verify call returned (`NOTATION_RESULT_OK`
/// when the signature verified). `NOTATION_RESULT_NOT_AVAILABLE` before any
/// verify call.
///
/// # Safety
/// `verdict` must be a live verdict; `out_code` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_code(
    verdict: *const notation_verdict,
    out_code: *mut notation_result,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_code.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_code, "out_code")?) };
        out.write(verdict.with(|v| Ok(v.code))?);
        Ok(())
    }
}

/// Tells whether the last verify call passed (`*out_passed` true exactly
/// when its code was `NOTATION_RESULT_OK`).
///
/// # Safety
/// `verdict` must be a live verdict; `out_passed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_passed(
    verdict: *const notation_verdict,
    out_passed: *mut bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_passed.
        let (verdict, out) =
            unsafe { (handle(verdict, "verdict")?, Out::new(out_passed, "out_passed")?) };
        out.write(verdict.with(|v| Ok(v.code == notation_result::Ok))?);
        Ok(())
    }
}

/// Tells whether the trust policy said `skip`: the call passed without
/// verifying anything.
///
/// # Safety
/// `verdict` must be a live verdict; `out_skipped` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_skipped(
    verdict: *const notation_verdict,
    out_skipped: *mut bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_skipped.
        let (verdict, out) =
            unsafe { (handle(verdict, "verdict")?, Out::new(out_skipped, "out_skipped")?) };
        out.write(verdict.with(|v| Ok(v.skipped))?);
        Ok(())
    }
}

/// Copies why the last verify call failed (for an enforced check failure,
/// that check's message). `NOTATION_RESULT_NOT_AVAILABLE` when it passed.
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_failure(
    verdict: *const notation_verdict,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let message = verdict.with(|v| {
            if v.code == notation_result::Ok {
                Err(not_available("a failure message of a passing verification"))
            } else {
                Ok(v.message.clone())
            }
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_message(&message, buf, len, out_needed) }
    }
}

/// Copies the name of the trust policy statement applied.
/// `NOTATION_RESULT_NOT_AVAILABLE` when none was selected. Buffer rules as
/// for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_policy_name(
    verdict: *const notation_verdict,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let name = verdict.with(|v| v.policy_name.clone().ok_or_else(|| not_available("a policy name")))?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&name, buf, len, out_needed) }
    }
}

/// Gives how many checks ran (0 when verification never reached a
/// signature or the policy said `skip`).
///
/// # Safety
/// `verdict` must be a live verdict; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_check_count(
    verdict: *const notation_verdict,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_count.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_count, "out_count")?) };
        out.write(verdict.with(|v| Ok(v.checks.len()))?);
        Ok(())
    }
}

/// Gives check `index` (in the order the checks ran): which check, the
/// action the policy gives it, and whether it passed. A check that failed
/// under `log` did not fail the verification.
///
/// # Safety
/// `verdict` must be a live verdict; the out-parameters writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_check(
    verdict: *const notation_verdict,
    index: usize,
    out_check: *mut notation_check,
    out_action: *mut notation_check_action,
    out_passed: *mut bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and the out-parameters.
        let (verdict, out_check, out_action, out_passed) = unsafe {
            (
                handle(verdict, "verdict")?,
                Out::new(out_check, "out_check")?,
                Out::new(out_action, "out_action")?,
                Out::new(out_passed, "out_passed")?,
            )
        };
        let (check, action, passed) = verdict.with(|v| {
            let c = check_at(v, index)?;
            Ok((c.check, c.action, c.failure.is_none()))
        })?;
        out_check.write(check);
        out_action.write(action);
        out_passed.write(passed);
        Ok(())
    }
}

/// Copies why check `index` failed. `NOTATION_RESULT_NOT_AVAILABLE` when it
/// passed. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_check_failure(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let message = verdict.with(|v| {
            check_at(v, index)?
                .failure
                .clone()
                .ok_or_else(|| not_available("a failure message of a passing check"))
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_message(&message, buf, len, out_needed) }
    }
}

fn payload_field<T>(
    verdict: &notation_verdict,
    f: impl FnOnce(&Descriptor) -> T,
) -> Result<T, Error> {
    verdict.with(|v| {
        v.payload
            .as_ref()
            .map(f)
            .ok_or_else(|| not_available("the signed payload"))
    })
}

/// Copies the media type that the signature signs (the signed payload's
/// target artifact). Available when the signature's integrity and payload
/// were verified, even if a later step failed;
/// `NOTATION_RESULT_NOT_AVAILABLE` otherwise. Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_payload_media_type(
    verdict: *const notation_verdict,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let value = payload_field(verdict, |d| d.media_type.clone())?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Copies the digest that the signature signs (`sha256:...`). As
/// `notation_verdict_payload_media_type`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_payload_digest(
    verdict: *const notation_verdict,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let value = payload_field(verdict, |d| d.digest.clone())?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Gives the size in bytes that the signature signs. As
/// `notation_verdict_payload_media_type`.
///
/// # Safety
/// `verdict` must be a live verdict; `out_size` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_payload_size(
    verdict: *const notation_verdict,
    out_size: *mut u64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_size.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_size, "out_size")?) };
        out.write(payload_field(verdict, |d| d.size)?);
        Ok(())
    }
}

/// Artifacts: copies the digest of the signature manifest that verified
/// (or, when every signature failed, of the one whose checks the verdict
/// holds). `NOTATION_RESULT_NOT_AVAILABLE` for blobs and when no signature
/// was examined. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_signature_digest(
    verdict: *const notation_verdict,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let value = verdict.with(|v| {
            v.signature_digest.clone().ok_or_else(|| not_available("a signature digest"))
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Artifacts: copies the digest of the artifact's manifest (the tag
/// resolved). `NOTATION_RESULT_NOT_AVAILABLE` for blobs and when it was not
/// resolved (a `skip` policy). Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_artifact_digest(
    verdict: *const notation_verdict,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let value = verdict.with(|v| {
            v.artifact_digest.clone().ok_or_else(|| not_available("an artifact digest"))
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Artifacts: gives how many signatures were tried and failed before the
/// verdict (all of them when verification failed).
///
/// # Safety
/// `verdict` must be a live verdict; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_signature_failure_count(
    verdict: *const notation_verdict,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_count.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_count, "out_count")?) };
        out.write(verdict.with(|v| Ok(v.signature_failures.len()))?);
        Ok(())
    }
}

/// Artifacts: copies failed signature `index` as `<digest>: <reason>`, on
/// one line (control characters escaped). Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_signature_failure(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let value = verdict.with(|v| {
            v.signature_failures
                .get(index)
                .map(|(d, r)| format!("{d}: {r}"))
                .ok_or_else(|| {
                    Error::new(
                        notation_result::IndexOutOfRange,
                        format!(
                            "signature failure index {index} is out of range (count {})",
                            v.signature_failures.len()
                        ),
                    )
                })
        })?;
        // One line: the reason may hold a plugin's or registry's text.
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_message(&value, buf, len, out_needed) }
    }
}

/// Frees a verdict and sets `*verdict` to NULL; NULL does
/// nothing.
///
/// # Safety
/// `*verdict` must be NULL or a live verdict not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_free(verdict: *mut *mut notation_verdict) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *verdict is NULL or live.
        unsafe { free_handle(verdict) }
    }
}
