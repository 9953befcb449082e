//! Configurations: trust policies and trust stores, from a notation
//! configuration directory or built in memory.

use std::ffi::c_char;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use notation_core::plugin::PluginDirectory;
use notation_core::trust::policy::MAX_POLICY_SIZE;
use notation_core::trust::store::{MAX_CERTIFICATE_FILE_SIZE, parse_certificate_data};
use notation_core::trust::{
    BlobTrustPolicyDocument, DirTrustStore, MemoryTrustStore, OciTrustPolicyDocument, PolicyFile,
    PolicyLoadError, TrustStore, TrustStoreType,
};

use notation_oci::registry::Credential;

use crate::buffer::{write_message, write_str};
use crate::error::{Error, LastError, notation_result};
use crate::ffi::{Out, bytes, free_handle, handle, into_handle, optional_string, string};
use crate::policy::{blob_policy, checked_blob_policy, checked_oci_policy, oci_policy};

/// The kind of a named trust store.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_trust_store_type {
    /// `ca`: roots (or pinned certificates) for `notary.x509` signatures.
    Ca = 1,
    /// `signingAuthority`: anchors for `notary.x509.signingAuthority`
    /// signatures.
    SigningAuthority = 2,
    /// `tsa`: roots of timestamping authorities.
    Tsa = 3,
}

pub(crate) fn trust_store_type(value: u32) -> Result<TrustStoreType, Error> {
    match value {
        1 => Ok(TrustStoreType::Ca),
        2 => Ok(TrustStoreType::SigningAuthority),
        3 => Ok(TrustStoreType::Tsa),
        other => Err(Error::invalid(format!(
            "unknown trust store type {other} (expected NOTATION_TRUST_STORE_TYPE_CA, _SIGNING_AUTHORITY or _TSA)"
        ))),
    }
}

/// How verifiers check certificates for revocation.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_revocation_mode {
    /// OCSP, then CRLs, over HTTP, as the notation CLI does (the default).
    /// CRLs are cached under `NOTATION_CACHE` (default
    /// `~/.cache/notation/crl`). Certificates without revocation
    /// information pass.
    Online = 1,
    /// No network: certificates without revocation information pass, the
    /// others are "revocation status unknown" (a failure where the policy
    /// enforces revocation, a logged one under `permissive` or `audit`).
    Offline = 2,
}

/// What a configuration says about revocation checking.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RevocationSettings {
    pub(crate) mode: notation_revocation_mode,
    pub(crate) ocsp_timeout: Option<Duration>,
    pub(crate) crl_timeout: Option<Duration>,
}

impl Default for RevocationSettings {
    fn default() -> Self {
        Self {
            mode: notation_revocation_mode::Online,
            ocsp_timeout: None,
            crl_timeout: None,
        }
    }
}

/// Where plugins are found: the plugin directory, or none
/// (plugins disabled), and a time limit for each plugin command.
// Requirements: R1.
#[derive(Clone, Debug)]
pub(crate) struct PluginSettings {
    /// The `plugins` directory itself; `None` disables plugins.
    pub(crate) dir: Option<PathBuf>,
    pub(crate) timeout: Option<Duration>,
}

impl Default for PluginSettings {
    fn default() -> Self {
        Self {
            dir: None,
            timeout: Some(notation_core::plugin::DEFAULT_PLUGIN_TIMEOUT),
        }
    }
}

/// A configuration: trust policy documents (OCI and/or blob) and the trust
/// stores they name, read from a notation configuration directory
/// (`notation_config_open_dir`) or built in memory (`notation_config_new`
/// then `notation_config_set_*_policy` and `notation_config_add_certificates`).
/// Build verifiers from it with `notation_verifier_new`; a configuration
/// directory also provides `signingkeys.json` for
/// `notation_signer_new_from_config`. A directory configuration finds
/// plugins where the notation CLI does, `{NOTATION_LIBEXEC or the
/// directory}/plugins`; an in-memory one has no plugins until
/// `notation_config_set_plugin_dir`.
///
/// Thread safety: may be used from many threads at once; changes are
/// serialised by an internal lock. Verifiers built earlier do not see later
/// changes.
pub struct notation_config {
    state: Mutex<ConfigState>,
    pub(crate) errors: LastError,
}

#[derive(Clone, Debug)]
pub(crate) struct ConfigState {
    /// The configuration directory, for directory configurations.
    pub(crate) dir: Option<PathBuf>,
    pub(crate) oci_policy: Option<OciTrustPolicyDocument>,
    pub(crate) blob_policy: Option<BlobTrustPolicyDocument>,
    /// The in-memory trust stores (memory configurations only).
    pub(crate) memory: MemoryTrustStore,
    /// Registries reached over plain HTTP, added to `config.json`'s.
    pub(crate) insecure_registries: Vec<String>,
    /// Credentials given for registries (their `Debug` is redacted).
    pub(crate) credentials: Vec<(String, Credential)>,
    pub(crate) revocation: RevocationSettings,
    pub(crate) plugins: PluginSettings,
    /// Limits of registry work (`network.rs`).
    pub(crate) network: crate::network::NetworkSettings,
}

impl ConfigState {
    fn memory() -> Self {
        Self {
            dir: None,
            oci_policy: None,
            blob_policy: None,
            memory: MemoryTrustStore::new(),
            insecure_registries: Vec::new(),
            credentials: Vec::new(),
            revocation: RevocationSettings::default(),
            plugins: PluginSettings::default(),
            network: crate::network::NetworkSettings::default(),
        }
    }

    pub(crate) fn trust_store(&self) -> Arc<dyn TrustStore> {
        match &self.dir {
            Some(dir) => Arc::new(DirTrustStore::new(dir)),
            None => Arc::new(self.memory.clone()),
        }
    }

    /// The plugin directory, or `None` when plugins are disabled.
    pub(crate) fn plugin_directory(&self) -> Option<PluginDirectory> {
        self.plugins
            .dir
            .as_ref()
            .map(|dir| PluginDirectory::new(dir).with_timeout(self.plugins.timeout))
    }
}

/// The plugin directory of the notation installation whose configuration
/// directory is `dir`, as the CLI finds it with `NOTATION_CONFIG=dir`:
/// `{NOTATION_LIBEXEC}/plugins`, or `{dir}/plugins` when `NOTATION_LIBEXEC`
/// is unset or empty.
// Requirements: R1.
fn installation_plugin_dir(dir: &Path) -> PathBuf {
    notation_core::config::libexec_dir_for(dir).join("plugins")
}

impl notation_config {
    fn from_state(state: ConfigState) -> Self {
        Self {
            state: Mutex::new(state),
            errors: LastError::default(),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, ConfigState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn open_dir(dir: &Path) -> Result<ConfigState, Error> {
    if !dir.is_dir() {
        return Err(Error::new(
            notation_result::Io,
            format!("{} is not a directory", dir.display()),
        ));
    }
    // A configuration may hold only one of the two documents; one that is
    // there must be valid.
    let optional = |r: Result<PolicyFile, PolicyLoadError>| match r {
        Ok(f) => Ok(Some(f)),
        Err(PolicyLoadError::NotPresent { .. }) => Ok(None),
        Err(e) => Err(Error::from(e)),
    };
    let oci_policy = optional(PolicyFile::read_oci(dir))?
        .map(|f| f.parse_oci())
        .transpose()?
        .map(checked_oci_policy)
        .transpose()?;
    let blob_policy = optional(PolicyFile::read_blob(dir))?
        .map(|f| f.parse_blob())
        .transpose()?
        .map(checked_blob_policy)
        .transpose()?;
    Ok(ConfigState {
        dir: Some(dir.to_path_buf()),
        oci_policy,
        blob_policy,
        plugins: PluginSettings {
            dir: Some(installation_plugin_dir(dir)),
            ..PluginSettings::default()
        },
        ..ConfigState::memory()
    })
}

/// Creates an empty in-memory configuration: no policy, no trust store, no
/// plugin directory.
///
/// # Safety
/// `out_config` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_new(
    out_config: *mut *mut notation_config,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees out_config.
        let out = unsafe { Out::new(out_config, "out_config")? };
        out.write(into_handle(notation_config::from_state(ConfigState::memory())));
        Ok(())
    }
}

/// Opens a notation configuration directory (the layout of
/// `NOTATION_CONFIG`): `trustpolicy.oci.json` (or the legacy
/// `trustpolicy.json`), `trustpolicy.blob.json`, `truststore/x509/...` and
/// `signingkeys.json`. The policy documents present are read and validated
/// now (a missing one is fine, an invalid one fails the call); trust stores
/// are read when a verifier is built. Plugins are found in
/// `{NOTATION_LIBEXEC}/plugins`, or `{path}/plugins` when `NOTATION_LIBEXEC`
/// is unset (as the notation CLI with `NOTATION_CONFIG=path`); see
/// `notation_config_set_plugin_dir`.
///
/// # Safety
/// `path` must be a NUL-terminated string; `out_config` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_open_dir(
    path: *const c_char,
    out_config: *mut *mut notation_config,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees path and out_config.
        let (path, out) = unsafe { (string(path, "path")?, Out::new(out_config, "out_config")?) };
        let state = open_dir(Path::new(path))?;
        out.write(into_handle(notation_config::from_state(state)));
        Ok(())
    }
}

/// Opens the default configuration directory: `NOTATION_CONFIG` if set,
/// else the platform's (`$XDG_CONFIG_HOME/notation`, `~/.config/notation`,
/// macOS `~/Library/Application Support/notation`). As
/// `notation_config_open_dir` otherwise.
///
/// # Safety
/// `out_config` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_open_default(
    out_config: *mut *mut notation_config,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees out_config.
        let out = unsafe { Out::new(out_config, "out_config")? };
        let state = open_dir(&notation_core::config::config_dir())?;
        out.write(into_handle(notation_config::from_state(state)));
        Ok(())
    }
}

/// Sets (or replaces) the OCI trust policy document: JSON bytes of a
/// `trustpolicy.oci.json`, at most 1 MiB, validated now
/// (`NOTATION_RESULT_POLICY_MALFORMED` or `_POLICY_INVALID` with the
/// reason as the last error). Works on directory configurations too,
/// overriding the file.
///
/// # Safety
/// `config` must be a live configuration; `json` must be readable for
/// `json_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_oci_policy(
    config: *mut notation_config,
    json: *const u8,
    json_len: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees json/json_len.
            let json = unsafe { bytes(json, json_len, MAX_POLICY_SIZE, "json")? };
            let doc = oci_policy(json)?;
            config.state().oci_policy = Some(doc);
            Ok(())
        })())
    }
}

/// Sets (or replaces) the blob trust policy document: JSON bytes of a
/// `trustpolicy.blob.json`, at most 1 MiB, validated now. As
/// `notation_config_set_oci_policy` otherwise.
///
/// # Safety
/// `config` must be a live configuration; `json` must be readable for
/// `json_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_blob_policy(
    config: *mut notation_config,
    json: *const u8,
    json_len: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees json/json_len.
            let json = unsafe { bytes(json, json_len, MAX_POLICY_SIZE, "json")? };
            let doc = blob_policy(json)?;
            config.state().blob_policy = Some(doc);
            Ok(())
        })())
    }
}

/// Adds certificates to the named trust store `store_name` of type
/// `store_type` (a `notation_trust_store_type`) of an in-memory
/// configuration, creating the store. `data` holds PEM (one or more
/// blocks) or DER certificates, at most 4 MiB; they are checked as a
/// certificate file of that store would be (a `ca` or `signingAuthority`
/// certificate must be a CA or self-signed, a `tsa` one a root CA). Store
/// names follow `[a-zA-Z0-9_.-]+`. A directory configuration reads its
/// stores from disk: adding to it returns `NOTATION_RESULT_UNSUPPORTED`,
/// whatever the other arguments. Otherwise: `NOTATION_RESULT_INVALID_ARGUMENT`
/// (an unknown store type), `NOTATION_RESULT_CERTIFICATE_INVALID` (not
/// certificates), `NOTATION_RESULT_TRUST_STORE_INVALID` (an invalid name, or
/// a certificate the store refuses).
///
/// # Safety
/// `config` must be a live configuration, `store_name` a NUL-terminated
/// string, `data` readable for `data_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_add_certificates(
    config: *mut notation_config,
    store_type: u32,
    store_name: *const c_char,
    data: *const u8,
    data_len: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // First, so that a directory configuration always says so,
            // whatever the arguments.
            if config.state().dir.is_some() {
                return Err(Error::new(
                    notation_result::Unsupported,
                    "certificates can be added only to an in-memory configuration; a configuration directory reads its trust stores from truststore/x509",
                ));
            }
            // SAFETY: caller guarantees store_name and data/data_len.
            let (name, data) = unsafe {
                (
                    string(store_name, "store_name")?,
                    bytes(data, data_len, MAX_CERTIFICATE_FILE_SIZE as usize, "data")?,
                )
            };
            let store_type = trust_store_type(store_type)?;
            let certs = parse_certificate_data(data)?;
            config.state().memory.add(store_type, name, certs)?;
            Ok(())
        })())
    }
}

/// Sets how verifiers built from this configuration check revocation (a
/// `notation_revocation_mode`; default `NOTATION_REVOCATION_MODE_ONLINE`).
///
/// # Safety
/// `config` must be a live configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_revocation_mode(
    config: *mut notation_config,
    mode: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            let mode = match mode {
                1 => notation_revocation_mode::Online,
                2 => notation_revocation_mode::Offline,
                other => {
                    return Err(Error::invalid(format!(
                        "unknown revocation mode {other} (expected NOTATION_REVOCATION_MODE_ONLINE or _OFFLINE)"
                    )));
                }
            };
            config.state().revocation.mode = mode;
            Ok(())
        })())
    }
}

/// Sets the time each OCSP request and each CRL download may take, in
/// milliseconds, for online revocation checking; 0 keeps the default (2 s
/// for OCSP, 5 s for CRLs, as the notation CLI).
///
/// # Safety
/// `config` must be a live configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_revocation_timeouts(
    config: *mut notation_config,
    ocsp_timeout_ms: u32,
    crl_timeout_ms: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        let ms = |v: u32| (v > 0).then(|| Duration::from_millis(u64::from(v)));
        let mut state = config.state();
        state.revocation.ocsp_timeout = ms(ocsp_timeout_ms);
        state.revocation.crl_timeout = ms(crl_timeout_ms);
        Ok(())
    }
}

/// Makes registry targets created with this configuration reach
/// `registry` (`host[:port]`) over plain HTTP instead of HTTPS, as
/// `config.json`'s `insecureRegistries` does (loopback registries use plain
/// HTTP anyway). For tests only.
///
/// # Safety
/// `config` must be a live configuration; `registry` a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_add_insecure_registry(
    config: *mut notation_config,
    registry: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees registry.
            let registry = unsafe { string(registry, "registry")? };
            if registry.is_empty() {
                return Err(Error::invalid("the registry is empty"));
            }
            config.state().insecure_registries.push(registry.to_string());
            Ok(())
        })())
    }
}

/// Sets the credentials used for `registry` (`host[:port]`) by registry
/// targets created with this configuration, before the notation defaults
/// (`NOTATION_USERNAME`/`NOTATION_PASSWORD`, then the credential store of
/// `config.json` or Docker's). An empty `username` with a `password` is an
/// identity (refresh) token. The library keeps the secret in memory until
/// the configuration is freed and never prints it.
///
/// # Safety
/// `config` must be a live configuration; `registry`, `username` and
/// `password` NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_registry_credentials(
    config: *mut notation_config,
    registry: *const c_char,
    username: *const c_char,
    password: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees the strings.
            let (registry, username, password) = unsafe {
                (
                    string(registry, "registry")?,
                    string(username, "username")?,
                    string(password, "password")?,
                )
            };
            if registry.is_empty() {
                return Err(Error::invalid("the registry is empty"));
            }
            let credential = Credential::from_username_password(username, password)
                .ok_or_else(|| Error::invalid("the username and the password are both empty"))?;
            let mut state = config.state();
            state.credentials.retain(|(r, _)| r != registry);
            state.credentials.push((registry.to_string(), credential));
            Ok(())
        })())
    }
}

/// Sets the plugin directory: the directory holding one sub-directory per
/// installed plugin, `{dir}/{name}/notation-{name}` (the `plugins`
/// directory itself, not its parent). Verifiers built from this
/// configuration afterwards locate the verification plugins that
/// signatures require there, and plugin signers made from it find their
/// plugin there. The directory is not read now: a missing one means no
/// plugin is installed. `path` may be NULL: plugins are then disabled (a
/// signature that requires a verification plugin is inconclusive, a plugin
/// key returns `NOTATION_RESULT_PLUGIN_KEY_UNSUPPORTED`). An empty `path`
/// is `NOTATION_RESULT_INVALID_ARGUMENT`.
///
/// Plugins are executables that the library runs with the caller's
/// environment and working directory: point this only at a directory that
/// only trusted users can write to.
///
/// # Safety
/// `config` must be a live configuration; `path` NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_plugin_dir(
    config: *mut notation_config,
    path: *const c_char,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees path.
            let path = unsafe { optional_string(path, "path")? };
            if path.is_some_and(str::is_empty) {
                return Err(Error::invalid(
                    "the plugin directory is empty (pass NULL to disable plugins)",
                ));
            }
            config.state().plugins.dir = path.map(PathBuf::from);
            Ok(())
        })())
    }
}

/// Copies the plugin directory of the configuration (see
/// `notation_config_set_plugin_dir`); `NOTATION_RESULT_NOT_AVAILABLE` when
/// plugins are disabled. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `config` must be a live configuration; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_plugin_dir(
    config: *const notation_config,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            let dir = config.state().plugins.dir.clone().ok_or_else(|| {
                Error::new(
                    notation_result::NotAvailable,
                    "plugins are disabled: the configuration has no plugin directory",
                )
            })?;
            let dir = dir.to_str().ok_or_else(|| {
                Error::new(
                    notation_result::InvalidUtf8,
                    format!("the plugin directory {} is not valid UTF-8", dir.display()),
                )
            })?;
            // SAFETY: caller guarantees buf/len and out_needed.
            unsafe { write_str(dir, buf, len, out_needed) }
        })())
    }
}

/// Sets the time each plugin command may take, in milliseconds, for
/// verifiers and signers made from this configuration afterwards; a plugin
/// still running then is killed and the call fails
/// (`NOTATION_RESULT_PLUGIN_FAILED` when signing,
/// `NOTATION_RESULT_VERIFICATION_PLUGIN_FAILED` when verifying). The
/// default is 10 minutes; 0 means no limit (as the notation CLI).
///
/// # Safety
/// `config` must be a live configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_plugin_timeout(
    config: *mut notation_config,
    timeout_ms: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.state().plugins.timeout =
            (timeout_ms > 0).then(|| Duration::from_millis(u64::from(timeout_ms)));
        Ok(())
    }
}

/// Copies the message of the last call that failed with this configuration
/// as its subject (an empty string if none). Buffer rules as for
/// `notation_result_text`; never changes any last error.
///
/// # Safety
/// `config` must be a live configuration; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_last_error(
    config: *const notation_config,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard_keep_last_error! {
        // SAFETY: caller guarantees config, buf/len and out_needed.
        unsafe { write_message(&handle(config, "config")?.errors.message(), buf, len, out_needed) }
    }
}

/// Frees a configuration and sets `*config` to NULL; NULL does nothing.
/// Verifiers and signers made from it stay valid.
///
/// # Safety
/// `*config` must be NULL or a live configuration not in use by another
/// thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_free(config: *mut *mut notation_config) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *config is NULL or live.
        unsafe { free_handle(config) }
    }
}
