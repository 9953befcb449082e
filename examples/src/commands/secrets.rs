//! Keys that need a secret: PKCS#11 keys (a token PIN) and encrypted key
//! files (a password), and how the CLI reads those secrets.
//!
//! A secret never comes from a command-line argument (other users of the
//! machine can read the process list). A key file's password comes from
//! `--password-file`, `--password-stdin` or the environment variable
//! [`KEY_PASSWORD_ENV`]; a token PIN from `--pin-stdin`, the URI's
//! `pin-source` or the environment variable `NOTATION_PKCS11_PIN`.
//!
//! A PKCS#11 key is recorded in `signingkeys.json` as the reference records
//! a key of the `notation-pkcs11` plugin (`pluginName` `pkcs11`, `id` the
//! URI, `pluginConfig.certificate_chain` the chain file), so one
//! configuration serves both CLIs; notation-rs signs such a key in
//! process, without the plugin.

use std::path::{Path, PathBuf};

use clap::Args;
use notation_core::config::KeySuite;
use notation_core::signer::{LocalSigner, SignerError};
use notation_pkcs11::plugin::{CERTIFICATE_CHAIN_CONFIG, PLUGIN_NAME};
use notation_pkcs11::{Pin, Pkcs11Signer, Pkcs11Uri};

use crate::error::{CliError, CliResult};

/// The environment variable a key file's password is read from.
pub const KEY_PASSWORD_ENV: &str = "NOTATION_KEY_PASSWORD";

/// The flags that say where secrets come from.
#[derive(Args, Clone, Debug, Default)]
pub struct SecretArgs {
    /// read the password of an encrypted key file (PKCS #8) from standard input (or set NOTATION_KEY_PASSWORD)
    #[arg(long = "password-stdin", conflicts_with_all = ["password_file", "pin_stdin"])]
    pub password_stdin: bool,
    /// read the password of an encrypted key file (PKCS #8) from this file
    #[arg(long = "password-file", value_name = "PATH")]
    pub password_file: Option<PathBuf>,
    /// read the PIN of a PKCS #11 token from standard input (or use pin-source in the URI, or set NOTATION_PKCS11_PIN)
    #[arg(long = "pin-stdin")]
    pub pin_stdin: bool,
}

impl SecretArgs {
    /// The key file password, if one is given.
    fn password(&self) -> CliResult<Option<Pin>> {
        if let Some(path) = &self.password_file {
            return Pin::read_file(path)
                .map(Some)
                .map_err(|e| CliError::failed(format!("failed to read the key password: {e}")));
        }
        if self.password_stdin {
            return read_stdin("key password").map(Some);
        }
        Ok(std::env::var_os(KEY_PASSWORD_ENV).map(|v| Pin::from_bytes(v.into_encoded_bytes())))
    }

    /// The PIN given on standard input, if asked for.
    fn pin(&self) -> CliResult<Option<Pin>> {
        if self.pin_stdin {
            read_stdin("PIN").map(Some)
        } else {
            Ok(None)
        }
    }
}

fn read_stdin(what: &str) -> CliResult<Pin> {
    Pin::read_from(&mut std::io::stdin().lock()).map_err(|e| {
        CliError::failed(format!(
            "failed to read the {what} from standard input: {e}"
        ))
    })
}

/// Loads a local key pair, asking for the password when the key file is
/// encrypted.
pub fn load_local(key: &Path, cert: &Path, secrets: &SecretArgs) -> CliResult<LocalSigner> {
    let encrypted = LocalSigner::key_file_is_encrypted(key).unwrap_or(false);
    let password = if encrypted { secrets.password()? } else { None };
    LocalSigner::from_files_with_password(key, cert, password.as_ref().map(Pin::expose)).map_err(
        |e| match e {
            SignerError::PasswordRequired => CliError::failed(format!(
                "{e}: give it with --password-file, --password-stdin or {KEY_PASSWORD_ENV}"
            )),
            e => CliError::failed(e),
        },
    )
}

/// Parses a `--pkcs11-uri`, which must not carry the PIN: an argument is
/// visible to every user of the machine.
pub fn parse_uri_argument(uri: &str) -> CliResult<Pkcs11Uri> {
    let parsed =
        Pkcs11Uri::parse(uri).map_err(|e| CliError::usage(format!("--pkcs11-uri: {e}")))?;
    if parsed.pin_value().is_some() {
        return Err(pin_in_argument("--pkcs11-uri"));
    }
    Ok(parsed)
}

/// Opens the PKCS#11 key `uri`, its chain from `chain` or the token.
pub fn open_pkcs11(
    uri: Pkcs11Uri,
    chain: Option<&Path>,
    secrets: &SecretArgs,
) -> CliResult<Pkcs11Signer> {
    let mut builder = Pkcs11Signer::builder(uri);
    if let Some(chain) = chain {
        builder = builder.certificate_chain_file(chain);
    }
    if let Some(pin) = secrets.pin()? {
        builder = builder.pin(pin);
    }
    builder.build().map_err(CliError::failed)
}

/// Whether a `signingkeys.json` entry is a key of the `pkcs11` plugin,
/// which notation-rs signs with in process.
pub fn is_pkcs11_key(key: &KeySuite) -> bool {
    key.plugin_name.as_deref() == Some(PLUGIN_NAME)
}

/// Opens a `pkcs11` plugin key entry in process: the URI in `id`, the
/// chain in `pluginConfig.certificate_chain` (overridden by
/// `--plugin-config certificate_chain=...`).
pub fn open_pkcs11_key(
    key: &KeySuite,
    overrides: &notation_core::plugin::PluginConfig,
    secrets: &SecretArgs,
) -> CliResult<Pkcs11Signer> {
    let id = key.id.as_deref().unwrap_or_default();
    let uri = Pkcs11Uri::parse(id)
        .map_err(|e| CliError::failed(format!("signing key {}: {e}", key.name)))?;
    let chain = overrides
        .get(CERTIFICATE_CHAIN_CONFIG)
        .or_else(|| key.plugin_config.as_ref()?.get(CERTIFICATE_CHAIN_CONFIG))
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    open_pkcs11(uri, chain.as_deref(), secrets)
        .map_err(|e| CliError::failed(format!("failed to load signing key {}: {e}", key.name)))
}

/// The `signingkeys.json` entry for a PKCS#11 key: the plugin key entry
/// the reference writes for `notation key add --plugin pkcs11 --id <uri>
/// --plugin-config certificate_chain=<chain>`.
pub fn pkcs11_key_suite(name: &str, uri: &str, chain: Option<&Path>) -> KeySuite {
    KeySuite {
        name: name.to_string(),
        key_path: None,
        cert_path: None,
        id: Some(uri.to_string()),
        plugin_name: Some(PLUGIN_NAME.to_string()),
        plugin_config: chain.map(|c| {
            [(
                CERTIFICATE_CHAIN_CONFIG.to_string(),
                crate::fsutil::absolute(c).to_string_lossy().into_owned(),
            )]
            .into()
        }),
    }
}

/// A key id as `key list` shows it: a PKCS#11 URI without its `pin-value`.
pub fn display_key_id(key: &KeySuite) -> String {
    shown_key_id(key.id.as_deref().unwrap_or_default())
}

/// A plugin key id as output and logs show it: when it is a PKCS#11 URI
/// (for whichever plugin), without its `pin-value`.
pub fn shown_key_id(id: &str) -> String {
    match Pkcs11Uri::parse(id) {
        Ok(uri) if uri.pin_value().is_some() => uri.to_string(),
        // Not a URI the parser takes, yet with what may be a PIN: shown up
        // to it.
        Err(_) if carries_pin(id) => match id.find("pin-value") {
            Some(at) => format!("{}pin-value=<redacted>", &id[..at]),
            None => "<redacted>".into(),
        },
        _ => id.to_string(),
    }
}

/// Whether `id` is a PKCS#11 URI with a `pin-value`, well-formed or not.
fn carries_pin(id: &str) -> bool {
    match Pkcs11Uri::parse(id) {
        Ok(uri) => uri.pin_value().is_some(),
        Err(_) => {
            id.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("pkcs11:"))
                && id.contains("pin-value")
        }
    }
}

/// Refuses a `--id` for the `pkcs11` key entry that carries the PIN, as
/// `--pkcs11-uri` does: an argument is visible to every user of the
/// machine, and the entry would keep the PIN in `signingkeys.json`.
pub fn check_id_argument(plugin: &str, id: &str) -> CliResult {
    if plugin == PLUGIN_NAME && carries_pin(id) {
        return Err(pin_in_argument("--id"));
    }
    Ok(())
}

/// The refusal of a PKCS#11 URI with its PIN in the argument `flag`.
fn pin_in_argument(flag: &str) -> CliError {
    CliError::usage(format!(
        "{flag}: a PIN in the URI (pin-value) would be visible to other users on the command line: use pin-source, --pin-stdin or NOTATION_PKCS11_PIN"
    ))
}
