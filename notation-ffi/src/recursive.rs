//! Multi-platform images in the C ABI: signing and verifying an image
//! index (OCI index or Docker manifest list, nested too) with every
//! manifest it lists (`notation_sign_options_set_recursive`,
//! `notation_verify_options_set_recursive`), and reading the verdict of
//! each manifest.

use std::ffi::c_char;

use notation_core::crypto::default_provider;
use notation_core::verifier::Verifier;
use notation_oci::graph::GraphLimits;
use notation_oci::workflow;

use crate::buffer::{write_message, write_str};
use crate::error::{Error, notation_result};
use crate::ffi::{Out, handle};
use crate::options::{notation_sign_options, notation_verify_options};
use crate::signer::notation_signer;
use crate::target::{SignatureEntry, notation_signature_list, notation_target, verdict_of};
use crate::verdict::{ManifestVerdict, Verdict, notation_verdict};

/// Makes `notation_signer_sign_artifact` sign the target artifact and,
/// when it is an image index (a multi-platform image), every manifest it
/// lists, nested indexes included: one signature each, all with these
/// options, the index first. Its signature list then has one entry per
/// manifest signed (`notation_signature_list_subject_digest` names the
/// manifest). An artifact that is not an index gets its one signature.
/// Default: off.
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_recursive(
    options: *mut notation_sign_options,
    recursive: bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().recursive = recursive;
        Ok(())
    }
}

/// Makes `notation_verifier_verify_artifact` verify the target artifact
/// and, when it is an image index, every manifest it lists, each under the
/// target's trust policy statement. The call returns
/// `NOTATION_RESULT_OK` only when every manifest verified; the verdict
/// then holds the index's checks, and otherwise those of the first
/// manifest that failed, with its code and message (which names it); each
/// manifest's result is read with `notation_verdict_manifest_count`,
/// `_manifest_digest`, `_manifest_code` and `_manifest_failure`. Default:
/// off.
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_set_recursive(
    options: *mut notation_verify_options,
    recursive: bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().recursive = recursive;
        Ok(())
    }
}

/// Recursive signing: the signatures made, as a list (its artifact digest
/// is the root's).
pub(crate) fn sign(
    signer: &notation_signer,
    target: &notation_target,
    options: &crate::options::SignOptions,
    sign_options: &workflow::SignOptions<'_>,
) -> Result<notation_signature_list, Error> {
    let signed = signer
        .key
        .with_artifact_signer(options, |artifact_signer| {
            let _serialised = target.write_lock.lock().unwrap_or_else(|p| p.into_inner());
            workflow::sign_recursive(
                target.store(),
                &target.reference,
                artifact_signer,
                sign_options,
                default_provider().as_ref(),
                &GraphLimits::new(),
            )
        })?;
    Ok(notation_signature_list {
        artifact_digest: signed.first().map(|s| s.artifact.digest.clone()),
        entries: signed
            .into_iter()
            .map(|s| SignatureEntry {
                subject_digest: Some(s.artifact.digest),
                digest: Some(s.pushed.manifest.digest),
                envelope_media_type: Some(s.pushed.envelope.media_type),
                content: None,
            })
            .collect(),
    })
}

/// Recursive verification: the verdict of the first manifest that failed
/// (else the root's), with every manifest's result.
pub(crate) fn verdict(
    verifier: &Verifier,
    target: &notation_target,
    scope: &str,
    options: &workflow::VerifyOptions,
) -> Result<Verdict, Error> {
    let result = match workflow::verify_recursive(
        target.store(),
        scope,
        &target.reference,
        verifier,
        options,
        &GraphLimits::new(),
    ) {
        Ok(result) => result,
        Err(e) => {
            return Ok(verdict_of(
                verifier,
                target,
                scope,
                &target.reference,
                Err(e),
            ));
        }
    };
    if result.is_skipped() {
        return Ok(verdict_of(
            verifier,
            target,
            scope,
            &target.reference,
            Ok(workflow::ArtifactVerification::skipped(result.policy)),
        ));
    }
    let count = result.manifests.len();
    let mut verdicts: Vec<(String, Verdict)> = result
        .manifests
        .into_iter()
        .map(|m| {
            let digest = m.descriptor.digest;
            let v = verdict_of(verifier, target, scope, &digest, m.result);
            (digest, v)
        })
        .collect();
    let manifests: Vec<ManifestVerdict> = verdicts
        .iter()
        .map(|(digest, v)| ManifestVerdict {
            digest: digest.clone(),
            code: v.code,
            message: v.message.clone(),
        })
        .collect();
    let failed = manifests
        .iter()
        .filter(|m| m.code != notation_result::Ok)
        .count();
    let first_failed = verdicts
        .iter()
        .position(|(_, v)| v.code != notation_result::Ok);
    let (digest, mut verdict) = verdicts.swap_remove(first_failed.unwrap_or(0));
    if first_failed.is_some() {
        verdict.message = format!(
            "{failed} of the {count} manifests did not verify; {digest}: {}",
            verdict.message
        );
    }
    verdict.manifests = manifests;
    Ok(verdict)
}

fn manifest_at(v: &Verdict, index: usize) -> Result<&ManifestVerdict, Error> {
    v.manifests.get(index).ok_or_else(|| {
        Error::new(
            notation_result::IndexOutOfRange,
            format!(
                "manifest index {index} is out of range (count {})",
                v.manifests.len()
            ),
        )
    })
}

/// Gives the number of manifests a recursive verification verified (the
/// index and every manifest it lists); 0 after any other verification.
///
/// # Safety
/// `verdict` must be a live verdict; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_manifest_count(
    verdict: *const notation_verdict,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_count.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_count, "out_count")?) };
        out.write(verdict.with(|v| Ok(v.manifests.len()))?);
        Ok(())
    }
}

/// Copies the digest of manifest `index` of a recursive verification (0 is
/// the index itself, then the manifests it lists, in its order). Buffer
/// rules as for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_manifest_digest(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let digest = verdict.with(|v| Ok(manifest_at(v, index)?.digest.clone()))?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&digest, buf, len, out_needed) }
    }
}

/// Gives the result of manifest `index`: `NOTATION_RESULT_OK` when it
/// verified, else the code its verification failed with.
///
/// # Safety
/// `verdict` must be a live verdict; `out_code` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_manifest_code(
    verdict: *const notation_verdict,
    index: usize,
    out_code: *mut notation_result,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_code.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_code, "out_code")?) };
        out.write(verdict.with(|v| Ok(manifest_at(v, index)?.code))?);
        Ok(())
    }
}

/// Copies why manifest `index` did not verify (one line, naming the check
/// that failed where one did); the empty string when it verified. Buffer
/// rules as for `notation_result_text`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_manifest_failure(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict.
        let verdict = unsafe { handle(verdict, "verdict")? };
        let message = verdict.with(|v| Ok(manifest_at(v, index)?.message.clone()))?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_message(&message, buf, len, out_needed) }
    }
}

/// Copies the digest of the manifest signature `index` of the list signs:
/// the list's artifact, or, after a recursive signing, the manifest of the
/// index it was made for. `NOTATION_RESULT_NOT_AVAILABLE` for
/// `notation_envelope_inspect` lists. Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_subject_digest(
    list: *const notation_signature_list,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let digest = list.entry(index)?.subject_digest.as_deref().ok_or_else(|| {
            Error::new(
                notation_result::NotAvailable,
                "an inspected envelope has no subject digest",
            )
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(digest, buf, len, out_needed) }
    }
}
