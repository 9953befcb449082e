//! Options of signing and verification calls, as builder handles (a struct
//! would freeze the ABI; a handle can gain setters).

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::sync::{Arc, Mutex, MutexGuard};

use notation_core::config::cache_dir;
use notation_core::revocation::RevocationValidator;
use notation_core::timestamp::Timestamper;
use notation_core::trust::store::{MAX_CERTIFICATE_FILE_SIZE, parse_certificate_data};
use notation_oci::revocation::{FileCrlCache, HttpRevocationFetcher};
use notation_oci::tsa::HttpTimestamper;

use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::DEFAULT_BLOB_MEDIA_TYPE;
use notation_core::plugin::PluginConfig;
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::DEFAULT_MAX_SIGNATURES;

use crate::error::{Error, notation_result};
use crate::ffi::{Out, bytes, free_handle, handle, into_handle, string};

/// Signature envelope formats.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_envelope_format {
    /// JWS JSON serialization (`application/jose+json`), the default.
    Jws = 1,
    /// COSE_Sign1 (`application/cose`).
    Cose = 2,
}

pub(crate) fn envelope_format(value: u32) -> Result<EnvelopeFormat, Error> {
    match value {
        1 => Ok(EnvelopeFormat::Jws),
        2 => Ok(EnvelopeFormat::Cose),
        other => Err(Error::invalid(format!(
            "unknown envelope format {other} (expected NOTATION_ENVELOPE_FORMAT_JWS or _COSE)"
        ))),
    }
}

/// How a signature is attached to an artifact in an OCI layout or registry.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_manifest_form {
    /// An image manifest with `artifactType`
    /// `application/vnd.cncf.notary.signature` (OCI 1.1), the default in
    /// registries.
    ArtifactType = 1,
    /// An image manifest with that config media type, for registries that
    /// refuse `artifactType` (OCI 1.0); the default in OCI layouts.
    ConfigMediaType = 2,
}

/// Longest expiry accepted, in seconds: 1000 years of 366 days, far beyond
/// any certificate and short of the calendar's end.
pub const NOTATION_MAX_EXPIRY_SECONDS: u64 = 31_622_400_000;

const _: () = assert!(NOTATION_MAX_EXPIRY_SECONDS == 1000 * 366 * 24 * 3600);

/// Options of the signing functions. Defaults: JWS, media type
/// `application/octet-stream` (blobs), no user metadata, no expiry, the
/// store's manifest form (artifacts), not recursive, no timestamp, no plugin
/// configuration. Thread safety: may be used
/// from many threads; setters are serialised by an internal lock.
pub struct notation_sign_options {
    state: Mutex<SignOptions>,
}

#[derive(Clone, Debug)]
pub(crate) struct SignOptions {
    pub(crate) format: EnvelopeFormat,
    pub(crate) media_type: String,
    pub(crate) user_metadata: BTreeMap<String, String>,
    pub(crate) expiry_seconds: u64,
    /// `None`: the store's default (see `notation_sign_options_set_manifest_form`).
    pub(crate) manifest_form: Option<SignatureManifestForm>,
    /// Sign an index with every manifest it lists.
    pub(crate) recursive: bool,
    pub(crate) timestamper: Option<Arc<HttpTimestamper>>,
    /// The time limit of one timestamp exchange (`None`: the default);
    /// see `network.rs`.
    pub(crate) timestamp_timeout: Option<std::time::Duration>,
    /// Sent to a signing plugin over the key's `pluginConfig`.
    // Requirements: R9.
    pub(crate) plugin_config: PluginConfig,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            format: EnvelopeFormat::Jws,
            media_type: DEFAULT_BLOB_MEDIA_TYPE.to_string(),
            user_metadata: BTreeMap::new(),
            expiry_seconds: 0,
            manifest_form: None,
            recursive: false,
            timestamper: None,
            timestamp_timeout: None,
            plugin_config: PluginConfig::new(),
        }
    }
}

impl SignOptions {
    pub(crate) fn expiry(&self) -> Option<time::Duration> {
        (self.expiry_seconds > 0).then(|| time::Duration::seconds(self.expiry_seconds as i64))
    }

    pub(crate) fn timestamper(&self) -> Option<&dyn Timestamper> {
        self.timestamper.as_deref().map(|t| t as &dyn Timestamper)
    }
}

impl notation_sign_options {
    pub(crate) fn lock(&self) -> MutexGuard<'_, SignOptions> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The options of a call: defaults when NULL.
    ///
    /// # Safety
    /// `p` must be NULL or live options.
    pub(crate) unsafe fn snapshot(p: *const Self) -> SignOptions {
        // SAFETY: forwarded caller guarantee.
        match unsafe { p.as_ref() } {
            Some(o) => o.lock().clone(),
            None => SignOptions::default(),
        }
    }
}

fn add_metadata(map: &mut BTreeMap<String, String>, key: &str, value: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::invalid("user metadata key is empty"));
    }
    if map.contains_key(key) {
        return Err(Error::new(
            notation_result::UserMetadataInvalid,
            format!("user metadata key {key:?} is given twice"),
        ));
    }
    map.insert(key.to_string(), value.to_string());
    Ok(())
}

/// One `--plugin-config key=value`: a non-empty key given once; the
/// value is passed verbatim and may be empty.
// Requirements: R9.
fn add_plugin_config(map: &mut PluginConfig, key: &str, value: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::invalid("plugin config key is empty"));
    }
    if map.contains_key(key) {
        return Err(Error::invalid(format!(
            "plugin config key {key:?} is given twice"
        )));
    }
    map.insert(key.to_string(), value.to_string());
    Ok(())
}

/// Creates signing options with the defaults.
///
/// # Safety
/// `out_options` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_new(
    out_options: *mut *mut notation_sign_options,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees out_options.
        let out = unsafe { Out::new(out_options, "out_options")? };
        out.write(into_handle(notation_sign_options {
            state: Mutex::new(SignOptions::default()),
        }));
        Ok(())
    }
}

/// Sets the envelope format (a `notation_envelope_format`).
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_format(
    options: *mut notation_sign_options,
    format: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().format = envelope_format(format)?;
        Ok(())
    }
}

/// Sets the media type signed for a blob (default
/// `application/octet-stream`); artifacts are signed with their manifest's
/// media type and ignore it.
///
/// # Safety
/// `options` must be live options; `media_type` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_media_type(
    options: *mut notation_sign_options,
    media_type: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options and media_type.
        let (options, media_type) =
            unsafe { (handle(options, "options")?, string(media_type, "media_type")?) };
        if media_type.is_empty() {
            return Err(Error::invalid("media type is empty"));
        }
        options.lock().media_type = media_type.to_string();
        Ok(())
    }
}

/// Adds a user metadata entry, signed into the payload's annotations. Keys
/// must be non-empty, unique and not start with `io.cncf.notary` (checked
/// when signing).
///
/// # Safety
/// `options` must be live options; `key` and `value` NUL-terminated
/// strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_add_user_metadata(
    options: *mut notation_sign_options,
    key: *const c_char,
    value: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options, key and value.
        let (options, key, value) = unsafe {
            (handle(options, "options")?, string(key, "key")?, string(value, "value")?)
        };
        add_metadata(&mut options.lock().user_metadata, key, value)
    }
}

/// Sets the signature's expiry, in seconds after the signing time; 0 (the
/// default) means no expiry. At most `NOTATION_MAX_EXPIRY_SECONDS`.
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_expiry_seconds(
    options: *mut notation_sign_options,
    seconds: u64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        if seconds > NOTATION_MAX_EXPIRY_SECONDS {
            return Err(Error::new(
                notation_result::ExpiryInvalid,
                format!("expiry of {seconds} seconds is longer than the limit of {NOTATION_MAX_EXPIRY_SECONDS}"),
            ));
        }
        options.lock().expiry_seconds = seconds;
        Ok(())
    }
}

/// Sets the signature manifest form used when signing artifacts (a
/// `notation_manifest_form`). Unset, it is the store's: the artifactType
/// form in a registry, the config media type form in an OCI layout (the
/// only one notation v1.3 finds there).
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_manifest_form(
    options: *mut notation_sign_options,
    form: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().manifest_form = match form {
            1 => Some(SignatureManifestForm::ArtifactType),
            2 => Some(SignatureManifestForm::ConfigMediaType),
            other => {
                return Err(Error::invalid(format!(
                    "unknown manifest form {other} (expected NOTATION_MANIFEST_FORM_ARTIFACT_TYPE or _CONFIG_MEDIA_TYPE)"
                )));
            }
        };
        Ok(())
    }
}

/// Requests an RFC 3161 timestamp countersignature from the timestamping
/// authority at `url` (`http://` or `https://`) for every signature made
/// with these options. Each token is checked against `root_certificates`
/// (PEM or DER, one or more, at most 4 MiB) before it is embedded, and the
/// TSA's certificate chain is checked for revocation online; any failure
/// fails signing (`NOTATION_RESULT_TIMESTAMP_FAILED`). HTTPS uses the
/// platform's roots; one exchange may take 30 s
/// (`notation_sign_options_set_timestamping_timeout`).
///
/// # Safety
/// `options` must be live options; `url` a NUL-terminated string;
/// `root_certificates` readable for `root_certificates_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_timestamping(
    options: *mut notation_sign_options,
    url: *const c_char,
    root_certificates: *const u8,
    root_certificates_len: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options, url and root_certificates.
        let (options, url, roots) = unsafe {
            (
                handle(options, "options")?,
                string(url, "url")?,
                bytes(
                    root_certificates,
                    root_certificates_len,
                    MAX_CERTIFICATE_FILE_SIZE as usize,
                    "root_certificates",
                )?,
            )
        };
        let roots = parse_certificate_data(roots)?;
        if roots.is_empty() {
            return Err(Error::new(
                notation_result::CertificateInvalid,
                "no TSA root certificate given",
            ));
        }
        let fetcher = HttpRevocationFetcher::new()
            .map_err(|e| Error::new(notation_result::Io, format!("revocation fetcher: {e}")))?;
        let revocation = RevocationValidator::builder(Arc::new(fetcher))
            .crl_cache(Arc::new(FileCrlCache::new(cache_dir())))
            .build();
        let timestamper = HttpTimestamper::new(url, roots)
            .map_err(|e| Error::invalid(e.to_string()))?
            .with_revocation_checker(Arc::new(revocation));
        let mut state = options.lock();
        let timestamper = crate::network::timestamper_limits(timestamper, state.timestamp_timeout)?;
        state.timestamper = Some(Arc::new(timestamper));
        Ok(())
    }
}

/// Adds a plugin configuration entry for signing with a plugin key, as the
/// CLI's `--plugin-config key=value`: sent to the plugin with every command
/// of a signing operation, over the key's own `pluginConfig` from
/// `signingkeys.json` (an entry here replaces the key's entry of the same
/// name). Keys must be non-empty and given once
/// (`NOTATION_RESULT_INVALID_ARGUMENT`); values are passed verbatim.
/// Signing with a local key ignores them.
///
/// # Safety
/// `options` must be live options; `key` and `value` NUL-terminated
/// strings.
// Requirements: R9.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_add_plugin_config(
    options: *mut notation_sign_options,
    key: *const c_char,
    value: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options, key and value.
        let (options, key, value) = unsafe {
            (handle(options, "options")?, string(key, "key")?, string(value, "value")?)
        };
        add_plugin_config(&mut options.lock().plugin_config, key, value)
    }
}

/// Frees signing options and sets `*options` to NULL; NULL does nothing.
///
/// # Safety
/// `*options` must be NULL or live options not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_free(options: *mut *mut notation_sign_options) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *options is NULL or live.
        unsafe { free_handle(options) }
    }
}

/// Options of the verification functions. Defaults: the blob policy's
/// global statement (`*`), no media type or user metadata requirement, at
/// most 100 signatures per artifact, not recursive, no plugin configuration. Thread safety as
/// `notation_sign_options`.
pub struct notation_verify_options {
    state: Mutex<VerifyOptions>,
}

#[derive(Clone, Debug)]
pub(crate) struct VerifyOptions {
    pub(crate) policy_name: Option<String>,
    pub(crate) media_type: Option<String>,
    pub(crate) user_metadata: BTreeMap<String, String>,
    pub(crate) max_signatures: usize,
    /// Verify an index with every manifest it lists.
    pub(crate) recursive: bool,
    /// Sent to the verification plugin a signature requires.
    // Requirements: R8.
    pub(crate) plugin_config: PluginConfig,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            policy_name: None,
            media_type: None,
            user_metadata: BTreeMap::new(),
            max_signatures: DEFAULT_MAX_SIGNATURES,
            recursive: false,
            plugin_config: PluginConfig::new(),
        }
    }
}

impl notation_verify_options {
    pub(crate) fn lock(&self) -> MutexGuard<'_, VerifyOptions> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The options of a call: defaults when NULL.
    ///
    /// # Safety
    /// `p` must be NULL or live options.
    pub(crate) unsafe fn snapshot(p: *const Self) -> VerifyOptions {
        // SAFETY: forwarded caller guarantee.
        match unsafe { p.as_ref() } {
            Some(o) => o.lock().clone(),
            None => VerifyOptions::default(),
        }
    }
}

/// Creates verification options with the defaults.
///
/// # Safety
/// `out_options` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_new(
    out_options: *mut *mut notation_verify_options,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees out_options.
        let out = unsafe { Out::new(out_options, "out_options")? };
        out.write(into_handle(notation_verify_options {
            state: Mutex::new(VerifyOptions::default()),
        }));
        Ok(())
    }
}

/// Selects the blob trust policy statement by name (default: the global
/// statement `*`). OCI artifacts select their statement by scope.
///
/// # Safety
/// `options` must be live options; `name` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_set_policy_name(
    options: *mut notation_verify_options,
    name: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options and name.
        let (options, name) = unsafe { (handle(options, "options")?, string(name, "name")?) };
        options.lock().policy_name = Some(name.to_string());
        Ok(())
    }
}

/// Requires the blob's signed media type to be `media_type`.
///
/// # Safety
/// `options` must be live options; `media_type` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_set_media_type(
    options: *mut notation_verify_options,
    media_type: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options and media_type.
        let (options, media_type) =
            unsafe { (handle(options, "options")?, string(media_type, "media_type")?) };
        options.lock().media_type = Some(media_type.to_string());
        Ok(())
    }
}

/// Requires a user metadata entry in the signed payload.
///
/// # Safety
/// `options` must be live options; `key` and `value` NUL-terminated
/// strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_add_user_metadata(
    options: *mut notation_verify_options,
    key: *const c_char,
    value: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options, key and value.
        let (options, key, value) = unsafe {
            (handle(options, "options")?, string(key, "key")?, string(value, "value")?)
        };
        add_metadata(&mut options.lock().user_metadata, key, value)
    }
}

/// Sets how many signatures of an artifact are verified at most before
/// giving up (default and limit 100; 0 is invalid).
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_set_max_signatures(
    options: *mut notation_verify_options,
    max_signatures: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        if max_signatures == 0 || max_signatures > DEFAULT_MAX_SIGNATURES {
            return Err(Error::invalid(format!(
                "max signatures must be between 1 and {DEFAULT_MAX_SIGNATURES}"
            )));
        }
        options.lock().max_signatures = max_signatures;
        Ok(())
    }
}

/// Adds a plugin configuration entry passed to the verification plugin a
/// signature requires (`pluginConfig` of its `get-plugin-metadata` and
/// `verify-signature` requests), as the CLI's `--plugin-config
/// key=value`. Keys must be non-empty and given once
/// (`NOTATION_RESULT_INVALID_ARGUMENT`); values are passed verbatim.
/// Signatures that require no plugin ignore them.
///
/// # Safety
/// `options` must be live options; `key` and `value` NUL-terminated
/// strings.
// Requirements: R8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_add_plugin_config(
    options: *mut notation_verify_options,
    key: *const c_char,
    value: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options, key and value.
        let (options, key, value) = unsafe {
            (handle(options, "options")?, string(key, "key")?, string(value, "value")?)
        };
        add_plugin_config(&mut options.lock().plugin_config, key, value)
    }
}

/// Frees verification options and sets `*options` to NULL; NULL does
/// nothing.
///
/// # Safety
/// `*options` must be NULL or live options not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verify_options_free(options: *mut *mut notation_verify_options) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *options is NULL or live.
        unsafe { free_handle(options) }
    }
}
