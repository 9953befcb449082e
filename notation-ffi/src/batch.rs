//! Verifying many OCI artifacts in one call: a [`notation_batch_report`]
//! with one result per reference, read by index (or as the JSON report).

use std::ffi::c_char;

use notation_oci::batch::{BatchItem, BatchOutcome, BatchReport, BatchResult, BatchVerifier};
use notation_oci::workflow;

use crate::buffer::{write_message, write_str};
use crate::config::notation_config;
use crate::error::{Error, notation_result};
use crate::ffi::{Out, free_handle, handle, into_handle, optional_string, string};
use crate::options::notation_verify_options;
use crate::target::registry_client;
use crate::verifier::notation_verifier;

/// The most references of one `notation_verifier_verify_many` call.
pub const NOTATION_MAX_BATCH_REFERENCES: usize = 100_000;

/// What verifying one reference of a batch established.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_batch_outcome {
    /// A signature verified under the trust policy statement.
    Verified = 1,
    /// The statement's level is `skip`: nothing was resolved or verified.
    Skipped = 2,
    /// Signatures exist and none passes the policy (signatures only from
    /// keys the policy does not trust included).
    Failed = 3,
    /// The artifact has no Notary signature.
    Unsigned = 4,
    /// No verdict: the reference does not parse or resolve, the registry
    /// failed or is down, a signature could not be fetched, or the
    /// configuration is broken (no statement applies, a trust store is
    /// missing). The message says which.
    Error = 5,
}

impl From<BatchOutcome> for notation_batch_outcome {
    fn from(outcome: BatchOutcome) -> Self {
        match outcome {
            BatchOutcome::Verified => Self::Verified,
            BatchOutcome::Skipped => Self::Skipped,
            BatchOutcome::Failed => Self::Failed,
            BatchOutcome::Unsigned => Self::Unsigned,
            _ => Self::Error,
        }
    }
}

/// The results of one `notation_verifier_verify_many` call, one per
/// reference in the order given, read by index; also as the JSON report
/// that `notation verify -o json` prints (`notation_batch_report_json`).
///
/// Thread safety: immutable; may be read from many threads at once.
pub struct notation_batch_report {
    report: BatchReport,
}

impl notation_batch_report {
    fn result(&self, index: usize) -> Result<&BatchResult, Error> {
        let results = &self.report.results;
        results.get(index).ok_or_else(|| {
            Error::new(
                notation_result::IndexOutOfRange,
                format!(
                    "result index {index} is out of range (count {})",
                    results.len()
                ),
            )
        })
    }
}

fn not_available(what: &str) -> Error {
    Error::new(
        notation_result::NotAvailable,
        format!("{what} is not available for this reference"),
    )
}

/// Verifies `count` references at once under the verifier's OCI trust
/// policy, at most `concurrency` at a time (0: 8; more than 256: 256),
/// each on its own: its own registry time limit, and a reference that does
/// not parse, does not resolve or whose registry is down is one `ERROR`
/// result while the others complete. The results are in the order given.
///
/// `references` holds `count` (at most `NOTATION_MAX_BATCH_REFERENCES`)
/// NUL-terminated strings: registry references
/// (`registry/repository:tag` or `registry/repository@sha256:...`) when
/// `layout_scope` is NULL; otherwise OCI image layout references
/// (`<path>:<tag>` or `<path>@<digest>`) verified under the trust policy
/// statement of the scope `layout_scope`. `config` may be NULL; it gives
/// registry access as for `notation_target_new_registry` (credentials,
/// insecure registries, time limit per reference). `options` may be NULL
/// (the defaults). One registry client serves the whole batch: connections
/// are kept alive, tokens cached per repository, and what the first
/// reference of a registry learns (whether it has the referrers API) saves
/// requests for the others.
///
/// Returns `NOTATION_RESULT_OK` when the batch ran, whatever its verdicts
/// (`notation_batch_report_passed` says whether every reference was
/// verified or skipped by policy), and writes `*out_report`. Fails without
/// verifying anything with `NOTATION_RESULT_NULL_PARAMETER` (a NULL
/// pointer, `references` included when `count` is not 0, or one of its
/// strings), `NOTATION_RESULT_INVALID_UTF8` (a reference or the scope),
/// `NOTATION_RESULT_INPUT_TOO_LARGE` (too many references), or
/// `NOTATION_RESULT_CONFIG` (the configuration's credential store cannot be
/// read).
///
/// # Safety
/// `verifier` must be live; `config` and `options` NULL or live;
/// `references` readable for `count` pointers to NUL-terminated strings
/// (may be NULL when `count` is 0); `layout_scope` NULL or a NUL-terminated
/// string; `out_report` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_verify_many(
    verifier: *const notation_verifier,
    config: *const notation_config,
    references: *const *const c_char,
    count: usize,
    layout_scope: *const c_char,
    options: *const notation_verify_options,
    concurrency: usize,
    out_report: *mut *mut notation_batch_report,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verifier.
        let verifier = unsafe { handle(verifier, "verifier")? };
        verifier.errors.record((|| {
            // SAFETY: caller guarantees config, layout_scope, options and
            // out_report.
            let (config, scope, options, out) = unsafe {
                (
                    config.as_ref(),
                    optional_string(layout_scope, "layout_scope")?,
                    notation_verify_options::snapshot(options),
                    Out::new(out_report, "out_report")?,
                )
            };
            if count > NOTATION_MAX_BATCH_REFERENCES {
                return Err(Error::new(
                    notation_result::InputTooLarge,
                    format!("{count} references, more than the limit of {NOTATION_MAX_BATCH_REFERENCES}"),
                ));
            }
            if count > 0 && references.is_null() {
                return Err(Error::null("references"));
            }
            let mut items = Vec::with_capacity(count);
            for i in 0..count {
                // SAFETY: references is non-NULL and readable for count
                // pointers (caller's guarantee); i < count.
                let p = unsafe { *references.add(i) };
                // SAFETY: each is NULL or a NUL-terminated string.
                let reference = unsafe { string(p, &format!("references[{i}]"))? };
                let item = match scope {
                    Some(scope) => BatchItem::layout(reference, scope),
                    None => BatchItem::registry(reference),
                };
                items.push(item.recursive(options.recursive));
            }
            let workflow_options = workflow::VerifyOptions::new()
                .user_metadata(options.user_metadata.clone())
                .max_signatures(options.max_signatures)
                .plugin_config(options.plugin_config.clone());
            let mut batch = BatchVerifier::new(&verifier.verifier).options(workflow_options);
            if concurrency > 0 {
                batch = batch.concurrency(concurrency);
            }
            if scope.is_none() && count > 0 {
                batch = batch.registry_client(registry_client(config)?);
            }
            out.write(into_handle(notation_batch_report {
                report: batch.verify(&items),
            }));
            Ok(())
        })())
    }
}

/// Gives the number of results (the number of references given).
///
/// # Safety
/// `report` must be live; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_count(
    report: *const notation_batch_report,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report and out_count.
        let (report, out) = unsafe { (handle(report, "report")?, Out::new(out_count, "out_count")?) };
        out.write(report.report.results.len());
        Ok(())
    }
}

/// Tells whether every reference was verified or skipped by policy (true
/// for an empty batch).
///
/// # Safety
/// `report` must be live; `out_passed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_passed(
    report: *const notation_batch_report,
    out_passed: *mut bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report and out_passed.
        let (report, out) = unsafe { (handle(report, "report")?, Out::new(out_passed, "out_passed")?) };
        out.write(report.report.passed);
        Ok(())
    }
}

/// Gives the outcome of result `index` (`NOTATION_RESULT_INDEX_OUT_OF_RANGE`
/// when `index` is not below the count).
///
/// # Safety
/// `report` must be live; `out_outcome` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_outcome(
    report: *const notation_batch_report,
    index: usize,
    out_outcome: *mut notation_batch_outcome,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report and out_outcome.
        let (report, out) =
            unsafe { (handle(report, "report")?, Out::new(out_outcome, "out_outcome")?) };
        out.write(report.result(index)?.outcome.into());
        Ok(())
    }
}

/// How a result's string is copied out.
#[derive(Clone, Copy)]
enum Text {
    /// As held: references, names, digests, JSON (its escapes are JSON's).
    Exact,
    /// On one line, control and invisible characters escaped: a message,
    /// which may hold a registry's or a plugin's text.
    Line,
}

/// Copies one string of result `index` (`field`) into a caller buffer.
///
/// # Safety
/// As the accessors: `report` live, `buf` writable for `len` bytes,
/// `out_needed` writable.
unsafe fn copy_field(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
    text: Text,
    field: impl FnOnce(&BatchResult) -> Result<String, Error>,
) -> Result<(), Error> {
    // SAFETY: forwarded caller guarantee.
    let report = unsafe { handle(report, "report")? };
    let value = field(report.result(index)?)?;
    match text {
        // SAFETY: forwarded caller guarantee.
        Text::Exact => unsafe { write_str(&value, buf, len, out_needed) },
        // SAFETY: forwarded caller guarantee.
        Text::Line => unsafe { write_message(&value, buf, len, out_needed) },
    }
}

/// Copies the reference of result `index`, as given. Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_reference(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| Ok(r.reference.clone())) }
    }
}

/// Copies the artifact digest result `index` resolved to;
/// `NOTATION_RESULT_NOT_AVAILABLE` when it was not resolved (skipped, or an
/// error before). Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_digest(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| {
            r.digest.clone().ok_or_else(|| not_available("a resolved digest"))
        }) }
    }
}

/// Copies the name of the trust policy statement applied to result
/// `index`; `NOTATION_RESULT_NOT_AVAILABLE` when none could be selected.
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_policy_name(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| {
            r.policy.clone().ok_or_else(|| not_available("a trust policy statement"))
        }) }
    }
}

/// Copies why result `index` did not pass, on one line;
/// `NOTATION_RESULT_NOT_AVAILABLE` when it was verified or skipped. Buffer
/// rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_message(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Line, |r| {
            r.message.clone().ok_or_else(|| not_available("a failure message"))
        }) }
    }
}

/// Copies the digest of the signature manifest that verified result
/// `index`; `NOTATION_RESULT_NOT_AVAILABLE` unless its outcome is
/// `VERIFIED`. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_signature_digest(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| {
            r.signature.as_ref().map(|s| s.digest.clone()).ok_or_else(|| not_available("a verified signature"))
        }) }
    }
}

/// Copies the subject of the certificate that signed result `index`'s
/// verified signature (`CN=...,O=...,C=US`);
/// `NOTATION_RESULT_NOT_AVAILABLE` unless its outcome is `VERIFIED`.
/// Buffer rules as for `notation_result_text`.
///
/// The name is given exactly as the certificate holds it, which may include
/// control and other non-printable characters (the signer chose them):
/// escape it before showing it on a terminal or writing it to a log.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_signer_subject(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| {
            r.signature.as_ref().map(|s| s.signer.subject.clone()).ok_or_else(|| not_available("a verified signer"))
        }) }
    }
}

/// Copies the SHA-256 fingerprint (lowercase hex) of that certificate;
/// `NOTATION_RESULT_NOT_AVAILABLE` unless the outcome is `VERIFIED`.
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_signer_sha256(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| {
            r.signature.as_ref().map(|s| s.signer.sha256_fingerprint.clone()).ok_or_else(|| not_available("a verified signer"))
        }) }
    }
}

/// Copies result `index` as JSON: one element of the report's `results`
/// (every field: the verified signature's details, each failed signature
/// with its check and reason, warnings, signatures the thumbprint
/// pre-filter set aside, time taken). Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_result_json(
    report: *const notation_batch_report,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe { copy_field(report, index, buf, len, out_needed, Text::Exact, |r| {
            serde_json::to_string(r).map_err(|e| Error::invalid(e.to_string()))
        }) }
    }
}

/// Copies the whole report as the JSON document of `notation verify -o
/// json` (its schema: `notation-oci/schema/verification-report.schema.json`).
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be live; `buf` writable for `len` bytes; `out_needed`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_json(
    report: *const notation_batch_report,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report.
        let report = unsafe { handle(report, "report")? };
        let json = serde_json::to_string(&report.report).map_err(|e| Error::invalid(e.to_string()))?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&json, buf, len, out_needed) }
    }
}

/// Frees a report and sets `*report` to NULL; NULL does nothing.
///
/// # Safety
/// `*report` must be NULL or a live report that no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_batch_report_free(report: *mut *mut notation_batch_report) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *report is NULL or live.
        unsafe { free_handle(report) }
    }
}
