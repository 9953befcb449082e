//! OCI artifacts: targets (an OCI image layout or a registry), signing and
//! verifying them, listing and inspecting their signatures.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use notation_core::config::{CONFIG_FILE, Config as NotationConfig};
use notation_core::crypto::default_provider;
use notation_core::envelope::{Envelope, EnvelopeContent};
use notation_core::verifier::{VerificationOutcome, Verifier};
use notation_oci::registry::RegistryClient;
use notation_oci::registry::credentials::{
    CredentialChain, CredentialStore, StaticCredentials, docker_config_file, notation_config_path,
    select_credential_store,
};
use notation_oci::repository::SignatureRepository;
use notation_oci::workflow::{self, SignatureFailure, SignatureFailureReason, WorkflowError};
use notation_oci::{OciLayout, Reference, RemoteRepository};

use crate::buffer::{write_message, write_str};
use crate::check::{notation_check, notation_check_action};
use crate::config::notation_config;
use crate::error::{Error, LastError, notation_result};
use crate::ffi::{Out, bytes, free_handle, handle, into_handle, optional_string, string};
use crate::options::{envelope_format, notation_sign_options, notation_verify_options};
use crate::signer::notation_signer;
use crate::verdict::{Check, Verdict, notation_verdict};
use crate::verifier::{NOTATION_MAX_SIGNATURE_SIZE, notation_verifier, run_verification};

/// An artifact to sign, verify or inspect: a tag or digest in an OCI image
/// layout directory or in a registry repository.
///
/// Thread safety: may be used from many threads; signing through one
/// target is serialised by an internal lock. Signing into one layout
/// through several targets or processes at once is not coordinated (the
/// layout's `index.json` is rewritten by each signature).
pub struct notation_target {
    store: Store,
    pub(crate) reference: String,
    scope: Option<String>,
    pub(crate) write_lock: Mutex<()>,
    errors: LastError,
}

enum Store {
    Layout(OciLayout),
    Registry(RemoteRepository),
}

impl notation_target {
    pub(crate) fn repository(&self) -> &dyn SignatureRepository {
        match &self.store {
            Store::Layout(layout) => layout,
            Store::Registry(remote) => remote,
        }
    }

    /// The store, for the walk of an image index.
    pub(crate) fn store(&self) -> &dyn notation_oci::store::ContentStore {
        match &self.store {
            Store::Layout(layout) => layout,
            Store::Registry(remote) => remote,
        }
    }

    pub(crate) fn scope(&self) -> Result<&str, Error> {
        self.scope.as_deref().ok_or_else(|| {
            Error::invalid(
                "verifying an artifact in an OCI layout needs a scope (the registry scope that selects the trust policy statement); give one to notation_target_new_oci_layout",
            )
        })
    }
}

/// Creates a target for an artifact in an OCI image layout directory.
/// `reference` is a tag (`v1`) or a digest (`sha256:...`) of a manifest in
/// the layout. `scope` may be NULL; verification needs it: the registry
/// scope (`registry.example/repository`) whose trust policy statement
/// applies, as the CLI's `--scope`. The layout must exist
/// (`NOTATION_RESULT_LAYOUT_INVALID`); the reference is resolved when used.
///
/// # Safety
/// `path` and `reference` must be NUL-terminated strings, `scope` NULL or
/// one; `out_target` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_target_new_oci_layout(
    path: *const c_char,
    reference: *const c_char,
    scope: *const c_char,
    out_target: *mut *mut notation_target,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees the strings and out_target.
        let (path, reference, scope, out) = unsafe {
            (
                string(path, "path")?,
                string(reference, "reference")?,
                optional_string(scope, "scope")?,
                Out::new(out_target, "out_target")?,
            )
        };
        if reference.is_empty() {
            return Err(Error::new(
                notation_result::ReferenceInvalid,
                "the reference (a tag or digest) is empty",
            ));
        }
        // Whatever keeps the directory from opening as a layout (missing,
        // not a directory, no `oci-layout` file) is one code for callers.
        let layout = OciLayout::open(path)
            .map_err(|e| Error::new(notation_result::LayoutInvalid, format!("{path}: {e}")))?;
        out.write(into_handle(notation_target {
            store: Store::Layout(layout),
            reference: reference.to_string(),
            scope: scope.map(str::to_string),
            write_lock: Mutex::new(()),
            errors: LastError::default(),
        }));
        Ok(())
    }
}

/// The registry client of a target: HTTPS (plain HTTP for loopback and
/// insecure registries), credentials from the configuration first, then the
/// notation defaults.
// Requirements: X2.
pub(crate) fn registry_client(config: Option<&notation_config>) -> Result<RegistryClient, Error> {
    registry_client_with(config, true)
}

/// As [`registry_client`]; `NOTATION_USERNAME`/`NOTATION_PASSWORD` only when
/// `from_env` (a copy between two registries leaves them out: they do not
/// say which registry they are for).
pub(crate) fn registry_client_with(
    config: Option<&notation_config>,
    from_env: bool,
) -> Result<RegistryClient, Error> {
    let client = build_registry_client(config, from_env);
    // A configuration whose files cannot be read is the subject of the
    // failure: its last error says so too.
    match config {
        Some(config) => config.errors.record(client),
        None => client,
    }
}

fn build_registry_client(
    config: Option<&notation_config>,
    from_env: bool,
) -> Result<RegistryClient, Error> {
    let state = config.map(|c| c.state().clone());
    let mut options = crate::network::NetworkSettings::default().apply(RegistryClient::builder());
    let mut chain = CredentialChain::new();
    let mut notation_config_file = notation_config_path();
    if let Some(state) = state {
        if let Some(dir) = &state.dir {
            options = options.notation_config(&NotationConfig::load(dir)?);
            notation_config_file = dir.join(CONFIG_FILE);
        }
        options = options.insecure_registries(state.insecure_registries);
        options = state.network.apply(options);
        for (registry, credential) in state.credentials {
            chain = chain.with(StaticCredentials::new(registry, credential));
        }
    }
    if let Some(env) = StaticCredentials::from_env(None).filter(|_| from_env) {
        chain = chain.with(env);
    }
    // Without DOCKER_CONFIG and a home directory (a system service, say)
    // there is no Docker config.json to read: the CLI fails then, as the
    // reference CLI does, but a library has no reason to. Notation's
    // config.json stands in for Docker's, which adds nothing to it.
    let docker_config_file = docker_config_file().unwrap_or_else(|_| notation_config_file.clone());
    let store = select_credential_store(&notation_config_file, &docker_config_file, None)
        .map_err(|e| Error::new(notation_result::Config, e.to_string()))?;
    let store: Arc<dyn CredentialStore> = Arc::from(store);
    chain = chain.with_arc(store);
    Ok(options.credentials(chain).build()?)
}

/// Creates a target for an artifact in a registry:
/// `registry/repository:tag` or `registry/repository@sha256:...`
/// (`NOTATION_RESULT_REFERENCE_INVALID` otherwise); verification selects
/// the trust policy statement by `registry/repository`. `config` may be
/// NULL; when given, registry access follows its `config.json`
/// (`insecureRegistries`, credential store) for a directory configuration,
/// and `notation_config_add_insecure_registry` /
/// `notation_config_set_registry_credentials` for either kind. Credentials
/// otherwise come from `NOTATION_USERNAME`/`NOTATION_PASSWORD`, then the
/// notation or Docker credential store (Docker's `config.json` is in
/// `DOCKER_CONFIG`, else in `~/.docker`; with neither variable set there
/// is none). Registries are reached over HTTPS
/// with the platform's roots, loopback ones over plain HTTP. Nothing is
/// sent until the target is used.
///
/// # Safety
/// `config` must be NULL or a live configuration; `reference` a
/// NUL-terminated string; `out_target` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_target_new_registry(
    config: *const notation_config,
    reference: *const c_char,
    out_target: *mut *mut notation_target,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config, reference and out_target.
        let (config, raw, out) = unsafe {
            (
                config.as_ref(),
                string(reference, "reference")?,
                Out::new(out_target, "out_target")?,
            )
        };
        let invalid = |detail: String| {
            Error::new(
                notation_result::ReferenceInvalid,
                format!("{raw:?}: {detail}. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>"),
            )
        };
        let reference = Reference::parse(raw).map_err(|e| invalid(e.to_string()))?;
        let tag_or_digest = reference
            .reference()
            .ok_or_else(|| invalid("invalid reference: no tag or digest".into()))?
            .to_string();
        let client = registry_client(config)?;
        let remote = RemoteRepository::new(client, &reference)?;
        out.write(into_handle(notation_target {
            store: Store::Registry(remote),
            reference: tag_or_digest,
            scope: Some(reference.scope()),
            write_lock: Mutex::new(()),
            errors: LastError::default(),
        }));
        Ok(())
    }
}

/// Signs the target artifact: resolves the reference, signs its manifest
/// descriptor and stores the signature next to it (an envelope blob and a
/// signature manifest whose subject is the artifact); the target is written
/// to, hence not `const`. `options` may be NULL (JWS, artifactType form).
/// `out_signature` may be NULL; when given it receives the signature just
/// made as a list of one (`notation_signature_list_digest(list, 0, ...)` is
/// the signature manifest's digest, `_artifact_digest` the artifact's,
/// `_envelope_media_type` its format; details are not read back). With a
/// plugin key the plugin signs (see `notation_signer_new_plugin`); the
/// annotations an envelope plugin returns go to the signature manifest.
///
/// # Safety
/// `signer` and `target` must be live; `options` NULL or live;
/// `out_signature` NULL or writable.
// Requirements: R6.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_sign_artifact(
    signer: *const notation_signer,
    target: *mut notation_target,
    options: *const notation_sign_options,
    out_signature: *mut *mut notation_signature_list,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees signer.
        let signer = unsafe { handle(signer, "signer")? };
        // SAFETY: caller guarantees target.
        let target = unsafe { handle(target, "target") };
        // Both handles are the call's subjects: each keeps its failure.
        let result = signer.errors.record((|| {
            // SAFETY: caller guarantees options.
            let (target, options) = (target.clone()?, unsafe { notation_sign_options::snapshot(options) });
            let out = if out_signature.is_null() {
                None
            } else {
                // SAFETY: non-NULL; caller guarantees it is writable.
                Some(unsafe { Out::new(out_signature, "out_signature")? })
            };
            let mut sign_options = workflow::SignOptions::new(options.format)
                .user_metadata(options.user_metadata.clone())
                .expiry(options.expiry())
                .timestamper(options.timestamper());
            if let Some(form) = options.manifest_form {
                sign_options = sign_options.manifest_form(form);
            }
            if options.recursive {
                let signed = crate::recursive::sign(signer, target, &options, &sign_options)?;
                if let Some(out) = out {
                    out.write(into_handle(signed));
                }
                return Ok(());
            }
            let signed = signer.key.with_artifact_signer(&options, |artifact_signer| {
                let _serialised = target.write_lock.lock().unwrap_or_else(|p| p.into_inner());
                workflow::sign_with(
                    target.repository(),
                    &target.reference,
                    artifact_signer,
                    &sign_options,
                    default_provider().as_ref(),
                )
            })?;
            if let Some(out) = out {
                out.write(into_handle(notation_signature_list {
                    artifact_digest: Some(signed.artifact.digest.clone()),
                    entries: vec![SignatureEntry {
                        subject_digest: Some(signed.artifact.digest),
                        digest: Some(signed.pushed.manifest.digest),
                        envelope_media_type: Some(signed.pushed.envelope.media_type),
                        content: None,
                    }],
                }));
            }
            Ok(())
        })());
        match target {
            Ok(target) => target.errors.record(result),
            Err(_) => result,
        }
    }
}

fn failure_list(failures: &[SignatureFailure]) -> Vec<(String, String)> {
    failures
        .iter()
        .map(|f| (f.signature.digest.clone(), f.reason.to_string()))
        .collect()
}

/// The checks to report when every signature failed: those of the first
/// signature that was verified far enough to have checks.
fn first_outcome(failures: &[SignatureFailure]) -> Option<(String, VerificationOutcome)> {
    failures.iter().find_map(|f| match &f.reason {
        SignatureFailureReason::Verification(e) => {
            e.outcome().map(|o| (f.signature.digest.clone(), o.clone()))
        }
        _ => None,
    })
}

/// When no signature was verified far enough to have checks: the first one
/// the workflow refused without fetching it, because its chain's thumbprints
/// match no certificate the policy trusts. That is an authenticity
/// failure, under `enforce` (the pre-filter runs only where authenticity is
/// enforced), reported as that check with the workflow's reason rather than
/// as no check at all.
// Requirements: Q7.
fn first_refused(failures: &[SignatureFailure]) -> Option<(String, Check)> {
    failures.iter().find_map(|f| match &f.reason {
        SignatureFailureReason::Untrusted { .. } => Some((
            f.signature.digest.clone(),
            Check {
                check: notation_check::Authenticity,
                action: notation_check_action::Enforce,
                failure: Some(f.reason.to_string()),
            },
        )),
        _ => None,
    })
}

fn artifact_verdict(
    verifier: &Verifier,
    target: &notation_target,
    options: &crate::options::VerifyOptions,
) -> Result<Verdict, Error> {
    let scope = target.scope()?;
    let workflow_options = workflow::VerifyOptions::new()
        .user_metadata(options.user_metadata.clone())
        .max_signatures(options.max_signatures)
        .plugin_config(options.plugin_config.clone());
    if options.recursive {
        return crate::recursive::verdict(verifier, target, scope, &workflow_options);
    }
    let result = workflow::verify(
        target.repository(),
        scope,
        &target.reference,
        verifier,
        &workflow_options,
    );
    Ok(verdict_of(
        verifier,
        target,
        scope,
        &target.reference,
        result,
    ))
}

/// The verdict of one artifact's verification (`reference` a tag or
/// digest of the target's store).
pub(crate) fn verdict_of(
    verifier: &Verifier,
    target: &notation_target,
    scope: &str,
    reference: &str,
    result: Result<workflow::ArtifactVerification, WorkflowError>,
) -> Verdict {
    match result {
        Ok(verification) => {
            let skipped = verification.is_skipped();
            let (signature_digest, outcome) = match verification.verified {
                Some((signature, outcome)) => (Some(signature.digest), Some(outcome)),
                None => (None, None),
            };
            let mut verdict = Verdict::passed(outcome);
            verdict.skipped = skipped;
            verdict.policy_name = Some(verification.policy);
            verdict.signature_digest = signature_digest;
            verdict.artifact_digest = verification.artifact.map(|a| a.digest);
            verdict.signature_failures = failure_list(&verification.failures);
            verdict
        }
        Err(e) => {
            let (failures, first, refused) = match &e {
                WorkflowError::AllFailed { failures, .. }
                | WorkflowError::TooManySignatures { failures, .. } => (
                    failure_list(failures),
                    first_outcome(failures),
                    first_refused(failures),
                ),
                _ => (Vec::new(), None, None),
            };
            let (signature_digest, outcome) = match first {
                Some((digest, outcome)) => (Some(digest), Some(outcome)),
                None => (None, None),
            };
            let mut verdict = Verdict::failed(Error::from(e), outcome);
            verdict.signature_digest = signature_digest;
            if let (None, Some((digest, check))) = (&verdict.signature_digest, refused) {
                verdict.signature_digest = Some(digest);
                verdict.checks = vec![check];
            }
            verdict.signature_failures = failures;
            if verdict.policy_name.is_none() {
                verdict.policy_name = verifier
                    .oci_statement_for_scope(scope, reference)
                    .ok()
                    .map(|s| s.name().to_string());
            }
            // The artifact was resolved unless the failure came before
            // (policy selection); the workflow's error does not carry the
            // digest, so resolve again (a local read, or one HEAD request
            // to a registry) to report it.
            if !matches!(
                verdict.code,
                notation_result::NoTrustPolicy | notation_result::NoApplicablePolicy
            ) {
                verdict.artifact_digest = target
                    .repository()
                    .resolve(reference)
                    .ok()
                    .map(|d| d.digest);
            }
            verdict
        }
    }
}

/// Verifies the target artifact under the verifier's OCI trust policy: the
/// statement for the target's scope is selected (`skip` is honoured before
/// the store is read), the reference resolved, and the artifact's
/// signatures verified in turn until one passes, at most the options'
/// `max_signatures` (`options` may be NULL).
///
/// Returns `NOTATION_RESULT_OK` only when a signature verified (or the
/// policy said `skip`). In every case the verdict is recorded in `verdict`:
/// the checks of the signature that verified and its digest, or, when all
/// failed, each signature's failure and the checks of the first one that
/// was examined.
///
/// # Safety
/// `verifier` and `target` must be live; `options` NULL or live; `verdict`
/// a live verdict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verifier_verify_artifact(
    verifier: *const notation_verifier,
    target: *const notation_target,
    options: *const notation_verify_options,
    verdict: *mut notation_verdict,
) -> notation_result {
    ffi_guard! {
        let verify = |v: &Verifier| {
                // SAFETY: caller guarantees target and options.
                let (target, options) = unsafe {
                    (handle(target, "target")?, notation_verify_options::snapshot(options))
                };
                let verdict = artifact_verdict(v, target, &options);
                // The target is a subject of the call too: its last error
                // says the same as the verifier's.
                let _ = target.errors.record(match &verdict {
                    Ok(verdict) => verdict.as_result(),
                    Err(e) => Err(e.clone()),
                });
                verdict
        };
        // SAFETY: caller guarantees verifier and verdict.
        unsafe { run_verification(verifier, verdict, verify) }
    }
}

/// Copies the message of the last call that failed with this target as its
/// subject. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `target` must be a live target; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_target_last_error(
    target: *const notation_target,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard_keep_last_error! {
        // SAFETY: caller guarantees target, buf/len and out_needed.
        unsafe { write_message(&handle(target, "target")?.errors.message(), buf, len, out_needed) }
    }
}

/// Frees a target and sets `*target` to NULL; NULL does nothing.
///
/// # Safety
/// `*target` must be NULL or a live target that no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_target_free(target: *mut *mut notation_target) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *target is NULL or live.
        unsafe { free_handle(target) }
    }
}

// ---------------------------------------------------------------------------
// Listing and inspecting signatures
// ---------------------------------------------------------------------------

/// Signatures of an artifact (from `notation_target_list_signatures` or
/// `notation_target_inspect_signatures`) or of one envelope
/// (`notation_envelope_inspect`). Details (algorithm, times, certificates)
/// are there only for inspected signatures whose envelope could be read;
/// nothing is verified. Immutable: may be read from many threads.
pub struct notation_signature_list {
    pub(crate) artifact_digest: Option<String>,
    pub(crate) entries: Vec<SignatureEntry>,
}

pub(crate) struct SignatureEntry {
    /// The manifest the signature signs (the list's artifact, or, after a
    /// recursive signing, the manifest of the index it was made for).
    pub(crate) subject_digest: Option<String>,
    pub(crate) digest: Option<String>,
    pub(crate) envelope_media_type: Option<String>,
    /// `None` when not inspected; the parse error when unreadable.
    pub(crate) content: Option<Result<EnvelopeContent, String>>,
}

impl notation_signature_list {
    pub(crate) fn entry(&self, index: usize) -> Result<&SignatureEntry, Error> {
        self.entries.get(index).ok_or_else(|| {
            Error::new(
                notation_result::IndexOutOfRange,
                format!(
                    "signature index {index} is out of range (count {})",
                    self.entries.len()
                ),
            )
        })
    }

    fn content(&self, index: usize) -> Result<&EnvelopeContent, Error> {
        match &self.entry(index)?.content {
            Some(Ok(c)) => Ok(c),
            Some(Err(e)) => Err(Error::new(
                notation_result::NotAvailable,
                format!("signature {index} could not be read: {e}"),
            )),
            None => Err(Error::new(
                notation_result::NotAvailable,
                "signature details are available only from notation_target_inspect_signatures or notation_envelope_inspect",
            )),
        }
    }
}

/// Lists the signatures of the target artifact (their manifest digests)
/// without reading them.
///
/// # Safety
/// `target` must be a live target; `out_list` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_target_list_signatures(
    target: *const notation_target,
    out_list: *mut *mut notation_signature_list,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees target.
        let target = unsafe { handle(target, "target")? };
        target.errors.record((|| {
            // SAFETY: caller guarantees out_list.
            let out = unsafe { Out::new(out_list, "out_list")? };
            let (artifact, _, signatures) = workflow::list(target.repository(), &target.reference)?;
            out.write(into_handle(notation_signature_list {
                entries: signatures
                    .into_iter()
                    .map(|s| SignatureEntry {
                        subject_digest: Some(artifact.digest.clone()),
                        digest: Some(s.digest),
                        envelope_media_type: None,
                        content: None,
                    })
                    .collect(),
                artifact_digest: Some(artifact.digest),
            }));
            Ok(())
        })())
    }
}

/// Lists and reads the signatures of the target artifact (at most
/// `max_signatures`, 0 for the default of 100;
/// `NOTATION_RESULT_TOO_MANY_SIGNATURES` beyond). A signature whose
/// envelope cannot be read is listed with its error
/// (`notation_signature_list_error`).
///
/// # Safety
/// `target` must be a live target; `out_list` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_target_inspect_signatures(
    target: *const notation_target,
    max_signatures: usize,
    out_list: *mut *mut notation_signature_list,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees target.
        let target = unsafe { handle(target, "target")? };
        target.errors.record((|| {
            // SAFETY: caller guarantees out_list.
            let out = unsafe { Out::new(out_list, "out_list")? };
            let max = if max_signatures == 0 {
                workflow::DEFAULT_MAX_SIGNATURES
            } else {
                max_signatures
            };
            let (artifact, _, inspected) =
                workflow::inspect(target.repository(), &target.reference, max)?;
            out.write(into_handle(notation_signature_list {
                artifact_digest: Some(artifact.digest.clone()),
                entries: inspected
                    .into_iter()
                    .map(|s| {
                        let (media_type, content) = match s.content {
                            Ok((manifest, content)) => {
                                (Some(manifest.envelope.media_type), Ok(content))
                            }
                            Err(e) => (None, Err(e)),
                        };
                        SignatureEntry {
                            subject_digest: Some(artifact.digest.clone()),
                            digest: Some(s.signature.digest),
                            envelope_media_type: media_type,
                            content: Some(content),
                        }
                    })
                    .collect(),
            }));
            Ok(())
        })())
    }
}

/// Reads one signature envelope (`format`, a `notation_envelope_format`,
/// at most `NOTATION_MAX_SIGNATURE_SIZE` bytes) without verifying it, as a
/// list of one signature (no digests). Bytes that are not an envelope
/// return `NOTATION_RESULT_ENVELOPE_INVALID`.
///
/// # Safety
/// `signature` must be readable for `signature_len` bytes; `out_list`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_envelope_inspect(
    signature: *const u8,
    signature_len: usize,
    format: u32,
    out_list: *mut *mut notation_signature_list,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees signature and out_list.
        let (signature, out) = unsafe {
            (
                bytes(signature, signature_len, NOTATION_MAX_SIGNATURE_SIZE, "signature")?,
                Out::new(out_list, "out_list")?,
            )
        };
        let format = envelope_format(format)?;
        let content = Envelope::parse(format, signature)?.content_unverified()?;
        out.write(into_handle(notation_signature_list {
            artifact_digest: None,
            entries: vec![SignatureEntry {
                subject_digest: None,
                digest: None,
                envelope_media_type: Some(format.media_type().to_string()),
                content: Some(Ok(content)),
            }],
        }));
        Ok(())
    }
}

/// Gives the number of signatures in the list.
///
/// # Safety
/// `list` must be a live list; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_count(
    list: *const notation_signature_list,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list and out_count.
        let (list, out) = unsafe { (handle(list, "list")?, Out::new(out_count, "out_count")?) };
        out.write(list.entries.len());
        Ok(())
    }
}

/// Copies the digest of the artifact the signatures sign (the target's
/// reference resolved). `NOTATION_RESULT_NOT_AVAILABLE` for
/// `notation_envelope_inspect` lists. Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_artifact_digest(
    list: *const notation_signature_list,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = list.artifact_digest.clone().ok_or_else(|| {
            Error::new(notation_result::NotAvailable, "an envelope has no artifact digest")
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Copies the digest of signature `index`'s manifest.
/// `NOTATION_RESULT_NOT_AVAILABLE` for `notation_envelope_inspect` lists.
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_digest(
    list: *const notation_signature_list,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = list.entry(index)?.digest.clone().ok_or_else(|| {
            Error::new(notation_result::NotAvailable, "an envelope has no manifest digest")
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Copies the envelope media type of signature `index`
/// (`application/jose+json` or `application/cose`); inspected signatures
/// only. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_envelope_media_type(
    list: *const notation_signature_list,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = list.entry(index)?.envelope_media_type.clone().ok_or_else(|| {
            Error::new(notation_result::NotAvailable, "the envelope media type is not known")
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Copies why signature `index` could not be read, on one line (control
/// characters escaped).
/// `NOTATION_RESULT_NOT_AVAILABLE` when it was read (or not inspected).
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_error(
    list: *const notation_signature_list,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = match &list.entry(index)?.content {
            Some(Err(e)) => e.clone(),
            _ => return Err(Error::new(notation_result::NotAvailable, "the signature has no error")),
        };
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_message(&value, buf, len, out_needed) }
    }
}

/// Copies the signature algorithm of signature `index`, as the Notary
/// Project names it (`RSASSA-PSS-SHA-256`, `ECDSA-SHA-384`, ...). Buffer
/// rules as for `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_signature_algorithm(
    list: *const notation_signature_list,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = list.content(index)?.signer_info.signature_algorithm.to_string();
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Gives the signing time of signature `index` (as the signer claims it,
/// or the authentic signing time of `signingAuthority` signatures), in
/// seconds since the Unix epoch.
///
/// # Safety
/// `list` must be a live list; `out_unix_seconds` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_signing_time(
    list: *const notation_signature_list,
    index: usize,
    out_unix_seconds: *mut i64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list and out_unix_seconds.
        let (list, out) =
            unsafe { (handle(list, "list")?, Out::new(out_unix_seconds, "out_unix_seconds")?) };
        out.write(list.content(index)?.signer_info.signed.signing_time.unix_timestamp());
        Ok(())
    }
}

/// Gives the expiry of signature `index` in seconds since the Unix epoch;
/// `NOTATION_RESULT_NOT_AVAILABLE` when it has none.
///
/// # Safety
/// `list` must be a live list; `out_unix_seconds` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_expiry(
    list: *const notation_signature_list,
    index: usize,
    out_unix_seconds: *mut i64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list and out_unix_seconds.
        let (list, out) =
            unsafe { (handle(list, "list")?, Out::new(out_unix_seconds, "out_unix_seconds")?) };
        let expiry = list.content(index)?.signer_info.signed.expiry.ok_or_else(|| {
            Error::new(notation_result::NotAvailable, "the signature has no expiry")
        })?;
        out.write(expiry.unix_timestamp());
        Ok(())
    }
}

/// Gives the number of certificates in signature `index`'s chain (leaf
/// first).
///
/// # Safety
/// `list` must be a live list; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_certificate_count(
    list: *const notation_signature_list,
    index: usize,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list and out_count.
        let (list, out) = unsafe { (handle(list, "list")?, Out::new(out_count, "out_count")?) };
        out.write(list.content(index)?.signer_info.certificate_chain.len());
        Ok(())
    }
}

fn certificate(
    list: &notation_signature_list,
    index: usize,
    certificate_index: usize,
) -> Result<&notation_core::x509::Certificate, Error> {
    let chain = &list.content(index)?.signer_info.certificate_chain;
    chain.get(certificate_index).ok_or_else(|| {
        Error::new(
            notation_result::IndexOutOfRange,
            format!(
                "certificate index {certificate_index} is out of range (count {})",
                chain.len()
            ),
        )
    })
}

/// Copies the subject of certificate `certificate_index` (0 = the leaf) of
/// signature `index`, as the reference renders distinguished names
/// (`CN=...,O=...,C=US`). Buffer rules as for `notation_result_text`.
///
/// The name is given exactly as the certificate holds it, which may include
/// control and other non-printable characters (the signer chose them):
/// escape it before showing it on a terminal or writing it to a log.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_certificate_subject(
    list: *const notation_signature_list,
    index: usize,
    certificate_index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = certificate(list, index, certificate_index)?.subject().to_string();
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Copies the SHA-256 fingerprint (lowercase hex) of certificate
/// `certificate_index` of signature `index`. Buffer rules as for
/// `notation_result_text`.
///
/// # Safety
/// `list` must be a live list; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_certificate_sha256(
    list: *const notation_signature_list,
    index: usize,
    certificate_index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees list.
        let list = unsafe { handle(list, "list")? };
        let value = certificate(list, index, certificate_index)?.sha256_fingerprint_hex();
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(&value, buf, len, out_needed) }
    }
}

/// Frees a signature list and sets `*list` to NULL; NULL does nothing.
///
/// # Safety
/// `*list` must be NULL or a live list that no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signature_list_free(list: *mut *mut notation_signature_list) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *list is NULL or live.
        unsafe { free_handle(list) }
    }
}
