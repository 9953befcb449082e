//! Verifiers and blob verification.

use std::ffi::c_char;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use notation_core::blob::format_from_signature_path;
use notation_core::envelope::EnvelopeFormat;
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_oci::oci::MAX_ENVELOPE_SIZE;

use crate::buffer::write_message;
use notation_core::config::cache_dir;
use notation_core::revocation::{OfflineRevocationChecker, RevocationChecker, RevocationValidator};
use notation_oci::revocation::{FileCrlCache, HttpRevocationFetcher};

use crate::config::{RevocationSettings, notation_config, notation_revocation_mode};
use crate::error::{Error, LastError, notation_result};
use crate::ffi::{Out, bytes, free_handle, handle, into_handle, string};
use crate::options::{VerifyOptions, envelope_format, notation_verify_options};
use crate::verdict::{Verdict, notation_verdict};

/// Largest signature envelope accepted (32 MiB), in memory or from a file.
pub const NOTATION_MAX_SIGNATURE_SIZE: usize = 32 * 1024 * 1024;

// The header needs a literal; it is the limit of signatures in OCI stores.
const _: () = assert!(NOTATION_MAX_SIGNATURE_SIZE as u64 == MAX_ENVELOPE_SIZE);

/// A verifier: trust policies parsed and trust stores read once, at
/// creation, then used for any number of verifications.
///
/// Thread safety: immutable; many threads may verify with one verifier at
/// once, without locking.
pub struct notation_verifier {
    pub(crate) verifier: Arc<Verifier>,
    pub(crate) errors: LastError,
}

/// Creates a verifier from a configuration: its trust policy documents
/// (at least one: `NOTATION_RESULT_POLICY_NOT_PRESENT` otherwise) and
/// every trust store they name are read now, once; a
/// store that cannot be read fails the signatures that need it, as an
/// authenticity failure. Revocation is checked as the configuration says
/// (`notation_config_set_revocation_mode`; by default online, over HTTP,
/// as the notation CLI). A signature that requires a verification plugin
/// (`io.cncf.notary.verificationPlugin`) is verified with that plugin from
/// the configuration's plugin directory, run for each such verification;
/// without a plugin directory, or when the plugin is not installed, it is
/// inconclusive (`NOTATION_RESULT_VERIFICATION_INCONCLUSIVE`).
///
/// # Safety
/// `config` must be a live configuration; `out_verifier` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_new(
    config: *const notation_config,
    out_verifier: *mut *mut notation_verifier,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees out_verifier.
            let out = unsafe { Out::new(out_verifier, "out_verifier")? };
            let state = config.state().clone();
            if state.oci_policy.is_none() && state.blob_policy.is_none() {
                return Err(Error::new(
                    notation_result::PolicyNotPresent,
                    "the configuration has no trust policy document: set an OCI or a blob trust policy (or open a configuration directory holding one)",
                ));
            }
            let mut builder = Verifier::builder(state.trust_store())
                .revocation_checker(revocation_checker(&state.revocation)?);
            if let Some(plugins) = state.plugin_directory() {
                builder = builder.plugin_locator(Arc::new(plugins));
            }
            if let Some(doc) = state.oci_policy {
                builder = builder.oci_policy(doc);
            }
            if let Some(doc) = state.blob_policy {
                builder = builder.blob_policy(doc);
            }
            let verifier = builder.build()?;
            out.write(into_handle(notation_verifier {
                verifier: Arc::new(verifier),
                errors: LastError::default(),
            }));
            Ok(())
        })())
    }
}

fn revocation_checker(settings: &RevocationSettings) -> Result<Arc<dyn RevocationChecker>, Error> {
    Ok(match settings.mode {
        notation_revocation_mode::Offline => Arc::new(OfflineRevocationChecker),
        notation_revocation_mode::Online => {
            let fetcher = HttpRevocationFetcher::new()
                .map_err(|e| Error::new(notation_result::Io, format!("revocation fetcher: {e}")))?;
            let mut builder = RevocationValidator::builder(Arc::new(fetcher))
                .crl_cache(Arc::new(FileCrlCache::new(cache_dir())));
            if let Some(t) = settings.ocsp_timeout {
                builder = builder.ocsp_timeout(t);
            }
            if let Some(t) = settings.crl_timeout {
                builder = builder.crl_timeout(t);
            }
            Arc::new(builder.build())
        }
    })
}

fn blob_verdict(
    verifier: &Verifier,
    envelope: &[u8],
    format: EnvelopeFormat,
    blob: &mut dyn Read,
    options: &VerifyOptions,
) -> Verdict {
    let mut blob_options = BlobVerifyOptions::new()
        .user_metadata(options.user_metadata.clone())
        .plugin_config(options.plugin_config.clone());
    if let Some(name) = &options.policy_name {
        blob_options = blob_options.policy_name(name);
    }
    if let Some(media_type) = &options.media_type {
        blob_options = blob_options.media_type(media_type);
    }
    match verifier.verify_blob(envelope, format, blob, &blob_options) {
        Ok(outcome) => Verdict::passed(Some(outcome)),
        Err(e) => Verdict::failed(Error::from(&e), e.outcome().cloned()),
    }
}

/// Runs a verify call: records what it found in the verdict and the error
/// in the verifier, and returns the code.
///
/// # Safety
/// `verifier` and `verdict` must be NULL or live handles.
pub(crate) unsafe fn run_verification(
    verifier: *const notation_verifier,
    verdict: *mut notation_verdict,
    verify: impl FnOnce(&Verifier) -> Result<Verdict, Error>,
) -> Result<(), Error> {
    // SAFETY: caller guarantees verdict.
    let result = unsafe { handle(verdict, "verdict")? };
    result.begin();
    // SAFETY: caller guarantees verifier.
    let verdict = match unsafe { handle(verifier, "verifier") } {
        Ok(v) => {
            let verdict = verify(&v.verifier).unwrap_or_else(|e| Verdict::failed(e, None));
            let _ = v.errors.record(verdict.as_result());
            verdict
        }
        Err(e) => Verdict::failed(e, None),
    };
    let outcome = verdict.as_result();
    result.set(verdict);
    outcome
}

/// Verifies a detached blob signature against the blob, both in memory,
/// under the verifier's blob trust policy (`options` may be NULL: the
/// global statement). `signature` is at most
/// `NOTATION_MAX_SIGNATURE_SIZE` bytes of `format` (a
/// `notation_envelope_format`).
///
/// Returns `NOTATION_RESULT_OK` only when the signature verified (or the
/// policy said `skip`). In every case the verdict, the failure message and
/// the checks that ran are recorded in `verdict`.
///
/// # Safety
/// `verifier` must be a live verifier; `signature` and `blob` readable for
/// their lengths; `options` NULL or live; `verdict` a live verdict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_verify_blob(
    verifier: *const notation_verifier,
    signature: *const u8,
    signature_len: usize,
    format: u32,
    blob: *const u8,
    blob_len: usize,
    options: *const notation_verify_options,
    verdict: *mut notation_verdict,
) -> notation_result {
    ffi_guard! {
        let verify = |v: &Verifier| {
                // SAFETY: caller guarantees signature, blob and options.
                let (signature, mut blob, options) = unsafe {
                    (
                        bytes(signature, signature_len, NOTATION_MAX_SIGNATURE_SIZE, "signature")?,
                        bytes(blob, blob_len, usize::MAX, "blob")?,
                        notation_verify_options::snapshot(options),
                    )
                };
                let format = envelope_format(format)?;
                Ok(blob_verdict(v, signature, format, &mut blob, &options))
        };
        // SAFETY: caller guarantees verifier and verdict.
        unsafe { run_verification(verifier, verdict, verify) }
    }
}

fn read_signature_file(path: &Path) -> Result<Vec<u8>, Error> {
    let io =
        |e: std::io::Error| Error::new(notation_result::Io, format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    let mut data = Vec::new();
    file.take(NOTATION_MAX_SIGNATURE_SIZE as u64 + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() > NOTATION_MAX_SIGNATURE_SIZE {
        return Err(Error::new(
            notation_result::InputTooLarge,
            format!(
                "{} is larger than {NOTATION_MAX_SIGNATURE_SIZE} bytes",
                path.display()
            ),
        ));
    }
    Ok(data)
}

/// Verifies a detached signature file against a blob file (read as a
/// stream). The signature's format comes from its file name,
/// `<name>.<jws|cose>.sig` (`NOTATION_RESULT_SIGNATURE_FILE_NAME_INVALID`
/// otherwise). As `notation_verifier_verify_blob` otherwise.
///
/// # Safety
/// `verifier` must be a live verifier; `signature_path` and `blob_path`
/// NUL-terminated strings; `options` NULL or live; `verdict` a live verdict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_verify_blob_file(
    verifier: *const notation_verifier,
    signature_path: *const c_char,
    blob_path: *const c_char,
    options: *const notation_verify_options,
    verdict: *mut notation_verdict,
) -> notation_result {
    ffi_guard! {
        let verify = |v: &Verifier| {
                // SAFETY: caller guarantees the strings and options.
                let (signature_path, blob_path, options) = unsafe {
                    (
                        string(signature_path, "signature_path")?,
                        string(blob_path, "blob_path")?,
                        notation_verify_options::snapshot(options),
                    )
                };
                let signature_path = Path::new(signature_path);
                let format = format_from_signature_path(signature_path)?;
                let signature = read_signature_file(signature_path)?;
                let mut blob = std::fs::File::open(blob_path).map_err(|e| {
                    Error::new(notation_result::Io, format!("{blob_path}: {e}"))
                })?;
                Ok(blob_verdict(v, &signature, format, &mut blob, &options))
        };
        // SAFETY: caller guarantees verifier and verdict.
        unsafe { run_verification(verifier, verdict, verify) }
    }
}

/// Copies the message of the last call that failed with this verifier as
/// its subject. With a verifier shared by several threads this is the last
/// failure of any of them: read each call's own message from its
/// verification result instead. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `verifier` must be a live verifier; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_last_error(
    verifier: *const notation_verifier,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard_keep_last_error! {
        // SAFETY: caller guarantees verifier, buf/len and out_needed.
        unsafe { write_message(&handle(verifier, "verifier")?.errors.message(), buf, len, out_needed) }
    }
}

/// Frees a verifier and sets `*verifier` to NULL; NULL does nothing.
///
/// # Safety
/// `*verifier` must be NULL or a live verifier that no other thread is
/// using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_free(verifier: *mut *mut notation_verifier) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *verifier is NULL or live.
        unsafe { free_handle(verifier) }
    }
}
