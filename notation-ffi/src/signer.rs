//! Signers (local keys and plugin keys) and blob signing.

use std::ffi::c_char;
use std::io::Read;
use std::path::Path;

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::config::{KeySuite, SigningKeys};
use notation_core::crypto::default_provider;
use notation_core::plugin::{
    PluginConfig, PluginDirectory, PluginLocator, PluginSignError, PluginSigner,
};
use notation_core::signer::{LocalSigner, MAX_KEY_FILE_SIZE};
use notation_oci::workflow::ArtifactSigner;

use crate::buffer::{notation_buffer, write_message};
use crate::config::notation_config;
use crate::error::{Error, LastError, notation_result, plugin_sign_code};
use crate::ffi::{Out, bytes, free_handle, handle, into_handle, optional_string, string};
use crate::options::{SignOptions, notation_sign_options};

/// A signing key: a private key and its certificate chain, or a key held by
/// a plugin. Immutable: may sign from many threads at once.
pub struct notation_signer {
    pub(crate) key: SigningKey,
    pub(crate) errors: LastError,
}

/// What signs.
pub(crate) enum SigningKey {
    Local(Box<LocalSigner>),
    /// A key in a PKCS#11 token, signing in process.
    Pkcs11(Box<notation_pkcs11::Pkcs11Signer>),
    /// A plugin key with its `pluginConfig`. The plugin is asked
    /// for its metadata on every signing operation.
    // Requirements: R5-R7, R9, R3.
    Plugin(PluginSigner),
}

impl SigningKey {
    /// Signs a blob with the options of one call; a plugin gets the key's
    /// configuration overridden by the options'.
    // Requirements: R9.
    fn sign_blob(&self, blob: &mut dyn Read, options: &SignOptions) -> Result<Vec<u8>, Error> {
        let blob_options = blob_options(options);
        let crypto = default_provider();
        match self {
            SigningKey::Local(signer) => Ok(sign_blob(
                signer.as_ref(),
                blob,
                &blob_options,
                crypto.as_ref(),
            )?),
            SigningKey::Pkcs11(signer) => Ok(sign_blob(
                signer.as_ref(),
                blob,
                &blob_options,
                crypto.as_ref(),
            )?),
            SigningKey::Plugin(signer) => signer
                .clone()
                .merge_plugin_config(&options.plugin_config)
                .sign_blob(blob, &blob_options, crypto.as_ref())
                .map_err(Error::from_plugin_blob_sign),
        }
    }

    /// Runs `f` with the artifact signer of one call (a plugin's
    /// configuration merged as for blobs).
    pub(crate) fn with_artifact_signer<T>(
        &self,
        options: &SignOptions,
        f: impl FnOnce(ArtifactSigner<'_>) -> T,
    ) -> T {
        match self {
            SigningKey::Local(signer) => f(ArtifactSigner::Signer(signer.as_ref())),
            SigningKey::Pkcs11(signer) => f(ArtifactSigner::Signer(signer.as_ref())),
            SigningKey::Plugin(signer) => {
                let merged = signer.clone().merge_plugin_config(&options.plugin_config);
                f(ArtifactSigner::Plugin(&merged))
            }
        }
    }
}

impl notation_signer {
    pub(crate) fn new(key: SigningKey) -> Self {
        Self {
            key,
            errors: LastError::default(),
        }
    }
}

/// The plugin directory of a configuration, or
/// `NOTATION_RESULT_PLUGIN_KEY_UNSUPPORTED` when plugins are disabled.
fn plugin_directory(config: &notation_config, what: &str) -> Result<PluginDirectory, Error> {
    match config.state().plugin_directory() {
        Some(dir) => Ok(dir),
        None => Err(Error::new(
            notation_result::PluginKeyUnsupported,
            format!(
                "{what}, but plugins are disabled: the configuration has no plugin directory (see notation_config_set_plugin_dir)"
            ),
        )),
    }
}

/// Creates a signer from a private key and its certificate chain, in
/// memory. `key` is PEM or DER (PKCS#8, SEC1 or PKCS#1, unencrypted);
/// `certificates` is the chain, leaf first, PEM or DER. Each at most 1 MiB.
/// The key must match the leaf and be one of the Notation key specs
/// (RSA 2048/3072/4096, EC P-256/P-384/P-521).
///
/// # Safety
/// `key` and `certificates` must be readable for their lengths;
/// `out_signer` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_new(
    key: *const u8,
    key_len: usize,
    certificates: *const u8,
    certificates_len: usize,
    out_signer: *mut *mut notation_signer,
) -> notation_result {
    ffi_guard! {
        let max = MAX_KEY_FILE_SIZE as usize;
        // SAFETY: caller guarantees key, certificates and out_signer.
        let (key, certificates, out) = unsafe {
            (
                bytes(key, key_len, max, "key")?,
                bytes(certificates, certificates_len, max, "certificates")?,
                Out::new(out_signer, "out_signer")?,
            )
        };
        let signer = LocalSigner::from_pem(key, certificates)?;
        out.write(into_handle(notation_signer::new(SigningKey::Local(Box::new(signer)))));
        Ok(())
    }
}

/// Creates a signer from a key file and a certificate chain file (as in
/// `signingkeys.json`: `keyPath` and `certPath`). As `notation_signer_new`
/// otherwise.
///
/// # Safety
/// `key_path` and `certificate_path` must be NUL-terminated strings;
/// `out_signer` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_new_from_files(
    key_path: *const c_char,
    certificate_path: *const c_char,
    out_signer: *mut *mut notation_signer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees the strings and out_signer.
        let (key_path, certificate_path, out) = unsafe {
            (
                string(key_path, "key_path")?,
                string(certificate_path, "certificate_path")?,
                Out::new(out_signer, "out_signer")?,
            )
        };
        let signer = LocalSigner::from_files(Path::new(key_path), Path::new(certificate_path))?;
        out.write(into_handle(notation_signer::new(SigningKey::Local(Box::new(signer)))));
        Ok(())
    }
}

/// Creates a signer from the `signingkeys.json` of a configuration
/// directory: the key named `key_name`, or the default key when `key_name`
/// is NULL. Relative key and certificate paths are used as written
/// (relative to the working directory), as the notation CLI does. An
/// in-memory configuration returns `NOTATION_RESULT_NOT_AVAILABLE`.
///
/// A plugin key (`id`, `pluginName`, optional `pluginConfig`) is found in
/// the configuration's plugin directory now (`NOTATION_RESULT_PLUGIN_NOT_FOUND`
/// if it is not installed; `NOTATION_RESULT_PLUGIN_KEY_UNSUPPORTED` when the
/// configuration has no plugin directory); the plugin itself runs when
/// signing. Its `pluginConfig` is sent with every plugin command, with the
/// entries of `notation_sign_options_add_plugin_config` replacing those of
/// the same name.
///
/// # Safety
/// `config` must be a live configuration; `key_name` NULL or a
/// NUL-terminated string; `out_signer` writable.
// Requirements: R9.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_new_from_config(
    config: *const notation_config,
    key_name: *const c_char,
    out_signer: *mut *mut notation_signer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees key_name and out_signer.
            let (key_name, out) = unsafe {
                (optional_string(key_name, "key_name")?, Out::new(out_signer, "out_signer")?)
            };
            let dir = config.state().dir.clone().ok_or_else(|| {
                Error::new(
                    notation_result::NotAvailable,
                    "an in-memory configuration has no signingkeys.json",
                )
            })?;
            let keys = SigningKeys::load(&dir)?;
            let key = keys.get(key_name)?;
            let signer = match (&key.key_path, &key.cert_path, &key.plugin_name) {
                (Some(k), Some(c), _) => LocalSigner::from_files(Path::new(k), Path::new(c))
                    .map(|s| SigningKey::Local(Box::new(s)))
                    .map_err(|e| {
                        let e = Error::from(e);
                        Error::new(e.code, format!("failed to load signing key {}: {}", key.name, e.message))
                    })?,
                (_, _, Some(plugin)) => SigningKey::Plugin(plugin_key_signer(config, key, plugin)?),
                _ => {
                    return Err(Error::new(
                        notation_result::Config,
                        format!("signing key {} has neither a key and certificate path nor a plugin", key.name),
                    ));
                }
            };
            out.write(into_handle(notation_signer::new(signer)));
            Ok(())
        })())
    }
}

/// The signer of a `signingkeys.json` plugin key.
// Requirements: W16, R9.
fn plugin_key_signer(
    config: &notation_config,
    key: &KeySuite,
    plugin: &str,
) -> Result<PluginSigner, Error> {
    let plugins = plugin_directory(
        config,
        &format!("signing key {} uses plugin {plugin}", key.name),
    )?;
    PluginSigner::from_key_suite(key, &plugins, &PluginConfig::new()).map_err(|e| {
        let code = match &e {
            // The key entry is the configuration's.
            PluginSignError::MissingKeyId => notation_result::Config,
            _ => plugin_sign_code(&e),
        };
        Error::new(code, format!("signing key {}: {e}", key.name))
    })
}

/// Creates a signer for the key `key_id` of the plugin `plugin_name`,
/// installed in the configuration's plugin directory (what a
/// `signingkeys.json` entry with `id` and `pluginName` describes, without
/// one): `NOTATION_RESULT_PLUGIN_NOT_FOUND` when it is not installed there,
/// `NOTATION_RESULT_PLUGIN_KEY_UNSUPPORTED` when the configuration has no
/// plugin directory, `NOTATION_RESULT_INVALID_ARGUMENT` for an empty key id
/// or a plugin name that is not a directory name. The plugin runs when
/// signing, not now. Plugin configuration comes from
/// `notation_sign_options_add_plugin_config`.
///
/// Signing with a plugin key: the plugin's metadata is read on
/// every signing operation; a `SIGNATURE_GENERATOR.RAW` plugin signs what
/// the library builds (blobs and artifacts, with timestamping if asked); a
/// `SIGNATURE_GENERATOR.ENVELOPE` plugin returns whole envelopes for
/// artifacts, which are checked before use (their signing time, expiry
/// and timestamp are the plugin's); blobs need `.RAW` or
/// `.ENVELOPE_FOR_BLOB` (`NOTATION_RESULT_PLUGIN_CAPABILITY_MISSING`
/// otherwise).
///
/// # Safety
/// `config` must be a live configuration; `plugin_name` and `key_id`
/// NUL-terminated strings; `out_signer` writable.
// Requirements: R5-R7.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_new_plugin(
    config: *const notation_config,
    plugin_name: *const c_char,
    key_id: *const c_char,
    out_signer: *mut *mut notation_signer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.errors.record((|| {
            // SAFETY: caller guarantees the strings and out_signer.
            let (plugin_name, key_id, out) = unsafe {
                (
                    string(plugin_name, "plugin_name")?,
                    string(key_id, "key_id")?,
                    Out::new(out_signer, "out_signer")?,
                )
            };
            if key_id.is_empty() {
                return Err(Error::invalid(PluginSignError::MissingKeyId.to_string()));
            }
            let plugins = plugin_directory(config, &format!("plugin {plugin_name:?} was asked for"))?;
            let signer = PluginSigner::new(plugins.locate(plugin_name)?, key_id)?;
            out.write(into_handle(notation_signer::new(SigningKey::Plugin(signer))));
            Ok(())
        })())
    }
}

fn blob_options(o: &SignOptions) -> BlobSignOptions<'_> {
    BlobSignOptions::new(o.format)
        .media_type(o.media_type.clone())
        .user_metadata(o.user_metadata.clone())
        .expiry(o.expiry())
        .timestamper(o.timestamper())
}

/// Signs a blob in memory and gives the detached signature envelope
/// (`*out_signature`, freed with `notation_buffer_free`). `options` may be
/// NULL for the defaults (JWS). Name the signature file
/// `<blob>.<jws|cose>.sig` so that verifiers know its format.
///
/// # Safety
/// `signer` must be a live signer; `blob` readable for `blob_len` bytes;
/// `options` NULL or live; `out_signature` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_sign_blob(
    signer: *const notation_signer,
    blob: *const u8,
    blob_len: usize,
    options: *const notation_sign_options,
    out_signature: *mut *mut notation_buffer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees signer.
        let signer = unsafe { handle(signer, "signer")? };
        signer.errors.record((|| {
            // SAFETY: caller guarantees blob, options and out_signature.
            let (mut blob, options, out) = unsafe {
                (
                    bytes(blob, blob_len, usize::MAX, "blob")?,
                    notation_sign_options::snapshot(options),
                    Out::new(out_signature, "out_signature")?,
                )
            };
            let signature = signer.key.sign_blob(&mut blob, &options)?;
            out.write(into_handle(notation_buffer::new(signature)));
            Ok(())
        })())
    }
}

/// Signs a file, read as a stream, and gives the detached signature
/// envelope. As `notation_signer_sign_blob` otherwise.
///
/// # Safety
/// `signer` must be a live signer; `path` a NUL-terminated string;
/// `options` NULL or live; `out_signature` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_sign_blob_file(
    signer: *const notation_signer,
    path: *const c_char,
    options: *const notation_sign_options,
    out_signature: *mut *mut notation_buffer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees signer.
        let signer = unsafe { handle(signer, "signer")? };
        signer.errors.record((|| {
            // SAFETY: caller guarantees path, options and out_signature.
            let (path, options, out) = unsafe {
                (
                    string(path, "path")?,
                    notation_sign_options::snapshot(options),
                    Out::new(out_signature, "out_signature")?,
                )
            };
            let mut file = std::fs::File::open(path)
                .map_err(|e| Error::new(notation_result::Io, format!("{path}: {e}")))?;
            let signature = signer.key.sign_blob(&mut file, &options)?;
            out.write(into_handle(notation_buffer::new(signature)));
            Ok(())
        })())
    }
}

/// Copies the message of the last call that failed with this signer as its
/// subject. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `signer` must be a live signer; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_last_error(
    signer: *const notation_signer,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard_keep_last_error! {
        // SAFETY: caller guarantees signer, buf/len and out_needed.
        unsafe { write_message(&handle(signer, "signer")?.errors.message(), buf, len, out_needed) }
    }
}

/// Frees a signer and sets `*signer` to NULL; NULL does nothing.
///
/// # Safety
/// `*signer` must be NULL or a live signer not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_free(signer: *mut *mut notation_signer) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *signer is NULL or live.
        unsafe { free_handle(signer) }
    }
}
