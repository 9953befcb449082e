//! The commands, one module per command group, and what they share.
//!
//! The doc comments of the clap argument structs are the commands' help
//! texts, written for a terminal (`<path>:<tag>`), not as HTML.
#![allow(rustdoc::invalid_html_tags)]

pub mod auth;
pub mod blob;
pub mod certificate;
pub mod key;
pub mod network;
pub mod oci;
pub mod plugin;
pub mod policy;
pub mod secrets;
pub mod version;

use std::collections::BTreeMap;
use std::path::Path;

use clap::Args;
use notation_core::config::SigningKeys;
use notation_core::plugin::{
    PluginConfig, PluginDirectory, PluginLocator, PluginSignError, PluginSigner,
};
use notation_core::signer::LocalSigner;
use notation_core::trust::TrustStoreType;
use notation_oci::revocation::{FileCrlCache, HttpRevocationFetcher};
use notation_oci::tsa::HttpTimestamper;

use crate::console::Console;
use crate::error::{CliError, CliResult};

/// `-d/--debug` and `-v/--verbose`, on the commands where the reference
/// has them (Go boolean flags: `--debug=false` too).
#[derive(Args, Clone, Debug, Default)]
pub struct LoggingArgs {
    /// debug mode
    #[arg(short = 'd', long)]
    pub debug: bool,
    /// verbose mode
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

impl LoggingArgs {
    /// The log level the flags ask for (`-d` wins over `-v`).
    pub fn level(&self) -> crate::console::LogLevel {
        use crate::console::LogLevel;
        match (self.debug, self.verbose) {
            (true, _) => LogLevel::Debug,
            (false, true) => LogLevel::Info,
            (false, false) => LogLevel::Off,
        }
    }

    /// Applies the flags to the console.
    pub fn apply(&self, con: &mut Console) {
        con.set_log_level(self.level());
    }
}

/// The signing key flags of `sign` and `blob sign`: the reference's
/// `--key`, its ad-hoc plugin key `--plugin` + `--id`, and `--plugin-config`.
#[derive(Args, Clone, Debug, Default)]
pub struct SignerArgs {
    /// signing key name, for a key previously added to notation's key list. This is mutually exclusive with the --id and --plugin flags (default: the default key)
    #[arg(short = 'k', long, value_name = "NAME")]
    pub key: Option<String>,
    /// key id (required if --plugin is set). This is mutually exclusive with the --key flag
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// signing plugin name (required if --id is set). This is mutually exclusive with the --key flag
    #[arg(long, value_name = "NAME")]
    pub plugin: Option<String>,
    /// {key}={value} pairs that are passed as it is to a plugin, refer plugin's documentation to set appropriate values
    #[arg(long = "plugin-config", value_name = "KEY=VALUE")]
    pub plugin_config: Vec<String>,
    /// sign with the key in a PKCS #11 token (HSM, smart card) this RFC 7512 URI names, e.g. "pkcs11:token=T;object=K?module-path=/usr/lib/softhsm/libsofthsm2.so". This is mutually exclusive with the --key, --id and --plugin flags
    #[arg(long = "pkcs11-uri", value_name = "URI")]
    pub pkcs11_uri: Option<String>,
    /// certificate chain file (PEM, leaf first) of the --pkcs11-uri key (default: the certificate stored on the token with the key)
    #[arg(long = "cert-file", value_name = "PATH", requires = "pkcs11_uri")]
    pub cert_file: Option<std::path::PathBuf>,
    /// Where a PIN or key password comes from.
    #[command(flatten)]
    pub secrets: secrets::SecretArgs,
}

impl SignerArgs {
    /// Which of the flags were given, for [`check_flag_groups`].
    pub fn flags_set(&self) -> [(&'static str, bool); 4] {
        [
            ("key", self.key.is_some()),
            ("id", self.id.is_some()),
            ("plugin", self.plugin.is_some()),
            ("pkcs11-uri", self.pkcs11_uri.is_some()),
        ]
    }

    /// The reference's flag groups of these flags: `--id` and `--plugin`
    /// together, neither with `--key`; and `--pkcs11-uri` alone.
    pub const TOGETHER: [&'static str; 1] = ["id plugin"];
    /// See [`SignerArgs::TOGETHER`].
    pub const EXCLUSIVE: [&'static str; 5] = [
        "key id",
        "key plugin",
        "key pkcs11-uri",
        "id pkcs11-uri",
        "plugin pkcs11-uri",
    ];
}

/// A signing key: a local key pair, a key held by a plugin, or a key in a
/// PKCS#11 token.
pub enum CliSigner {
    /// A key and certificate chain from files.
    Local(Box<LocalSigner>),
    /// A plugin key.
    Plugin(PluginSigner),
    /// A key in a PKCS#11 token, used in process.
    Pkcs11(Box<notation_pkcs11::Pkcs11Signer>),
}

/// The signing key the flags name (the reference's `GetSigner`): `--plugin`
/// with `--id` is a plugin key used as is; otherwise the key named by
/// `--key`, or the default key, of `signingkeys.json`, which is a
/// local key pair or a plugin key. A plugin key's `pluginConfig` is merged
/// with `--plugin-config`, the flag winning. Plugins are found in
/// `{NOTATION_LIBEXEC or the config directory}/plugins`.
pub fn load_signer(con: &mut Console, dir: &Path, args: &SignerArgs) -> CliResult<CliSigner> {
    let overrides: PluginConfig = parse_flag_map(&args.plugin_config, "plugin-config")?;
    if let Some(uri) = &args.pkcs11_uri {
        let uri = secrets::parse_uri_argument(uri)?;
        con.debug(format_args!("signing key: {uri}"))?;
        return secrets::open_pkcs11(uri, args.cert_file.as_deref(), &args.secrets)
            .map(|s| CliSigner::Pkcs11(Box::new(s)));
    }
    let plugins = PluginDirectory::from_environment();
    if let (Some(id), Some(plugin), None) = (&args.id, &args.plugin, &args.key)
        && !id.is_empty()
        && !plugin.is_empty()
    {
        con.debug(format_args!(
            "signing key: {} of plugin {plugin}",
            secrets::shown_key_id(id)
        ))?;
        let located = plugins
            .locate(plugin)
            .map_err(|e| CliError::failed(crate::plugin_package::plugin_error_text(&e)))?;
        let signer = PluginSigner::new(located, id.as_str())
            .map_err(|e| CliError::failed(plugin_sign_error_text(&e)))?
            .merge_plugin_config(&overrides);
        return Ok(CliSigner::Plugin(signer));
    }
    let keys = SigningKeys::load(dir)?;
    // `--key ''` is the default key, as the reference resolves it.
    let key = keys.get(args.key.as_deref().filter(|k| !k.is_empty()))?;
    con.debug(format_args!("signing key: {}", key.name))?;
    if secrets::is_pkcs11_key(key) {
        // The `notation-pkcs11` plugin's key entry: signed in process, the
        // plugin need not be installed.
        return secrets::open_pkcs11_key(key, &overrides, &args.secrets)
            .map(|s| CliSigner::Pkcs11(Box::new(s)));
    }
    match (&key.key_path, &key.cert_path, &key.plugin_name) {
        (Some(k), Some(c), _) => secrets::load_local(Path::new(k), Path::new(c), &args.secrets)
            .map(|signer| CliSigner::Local(Box::new(signer)))
            .map_err(|e| CliError::failed(format!("failed to load signing key {}: {e}", key.name))),
        (_, _, Some(_)) => PluginSigner::from_key_suite(key, &plugins, &overrides)
            .map(CliSigner::Plugin)
            .map_err(|e| CliError::failed(plugin_sign_error_text(&e))),
        _ => Err(CliError::failed(
            "unsupported key, either provide a local key and certificate file paths, or a key name in config.json, check https://notaryproject.dev/docs/user-guides/how-to/notation-config-file/ for details",
        )),
    }
}

/// A plugin signing error, with a plugin that could not be found or run,
/// or whose answer does not parse, worded as the reference words it
/// ([`crate::plugin_package::plugin_error_text`]), also inside the error
/// that names the plugin.
pub fn plugin_sign_error_text(e: &PluginSignError) -> String {
    use notation_core::plugin::PluginSignFailure;
    let plugin_text = crate::plugin_package::plugin_error_text;
    match e {
        PluginSignError::Plugin(e) => plugin_text(e),
        PluginSignError::Failed { plugin, error } => {
            let reason = match error.as_ref() {
                PluginSignFailure::Plugin(e) => plugin_text(e),
                PluginSignFailure::GenerateEnvelope(e) => {
                    format!(
                        "plugin failed to sign with following error: {}",
                        plugin_text(e)
                    )
                }
                PluginSignFailure::Sign(e) => sign_error_text(e),
                other => other.to_string(),
            };
            format!("failed to sign with the plugin {plugin}: {reason}")
        }
        e => e.to_string(),
    }
}

/// A signing error, with a RAW plugin's failure worded as the reference
/// words it ([`crate::plugin_package::plugin_error_text`]).
pub fn sign_error_text(e: &notation_core::envelope::SignError) -> String {
    use notation_core::envelope::SignError;
    use notation_core::signer::SignerError;
    match e {
        SignError::Signer(SignerError::Plugin(e)) => crate::plugin_package::plugin_error_text(e),
        e => e.to_string(),
    }
}

/// Checks cobra's flag groups as the reference declares them: every
/// required-together group (`"a b"`: both or neither), then every mutually
/// exclusive group, each kind in sorted order, with cobra's messages.
/// `set` says which flags were given.
pub fn check_flag_groups(set: &[(&str, bool)], together: &[&str], exclusive: &[&str]) -> CliResult {
    let is_set = |name: &str| set.iter().any(|(n, given)| *n == name && *given);
    let mut together = together.to_vec();
    together.sort_unstable();
    for group in together {
        let names: Vec<&str> = group.split(' ').collect();
        let mut unset: Vec<&str> = names.iter().copied().filter(|n| !is_set(n)).collect();
        if unset.is_empty() || unset.len() == names.len() {
            continue;
        }
        unset.sort_unstable();
        return Err(CliError::usage(format!(
            "if any flags in the group [{group}] are set they must all be set; missing [{}]",
            unset.join(" ")
        )));
    }
    let mut exclusive = exclusive.to_vec();
    exclusive.sort_unstable();
    for group in exclusive {
        let mut given: Vec<&str> = group.split(' ').filter(|n| is_set(n)).collect();
        if given.len() < 2 {
            continue;
        }
        given.sort_unstable();
        return Err(CliError::usage(format!(
            "if any flags in the group [{group}] are set none of the others can be; [{}] were all set",
            given.join(" ")
        )));
    }
    Ok(())
}

/// `--timestamp-url` and `--timestamp-root-cert`, given together.
#[derive(Args, Clone, Debug, Default)]
pub struct TimestampArgs {
    /// RFC 3161 Timestamping Authority (TSA) server URL
    #[arg(long = "timestamp-url", value_name = "URL")]
    pub url: Option<String>,
    /// filepath of timestamp authority root certificate
    #[arg(long = "timestamp-root-cert", value_name = "PATH", value_parser = path_arg())]
    pub root_cert: Option<std::path::PathBuf>,
}

/// The timestamper the flags ask for, if any: every token is checked
/// against the root certificate, and the TSA's chain for revocation,
/// before it is embedded.
pub fn timestamper(args: &TimestampArgs) -> CliResult<Option<HttpTimestamper>> {
    match (&args.url, &args.root_cert) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(CliError::usage(
            "if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set; missing [timestamp-root-cert]",
        )),
        (None, Some(_)) => Err(CliError::usage(
            "if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set; missing [timestamp-url]",
        )),
        (Some(url), Some(root)) => {
            if url.is_empty() {
                return Err(CliError::usage("timestamping: tsa url cannot be empty"));
            }
            if root.as_os_str().is_empty() {
                return Err(CliError::usage(
                    "timestamping: tsa root certificate path cannot be empty",
                ));
            }
            // The URL first, as the reference checks it.
            notation_oci::tsa::check_tsa_url(url).map_err(|e| {
                CliError::failed(format!("cannot get http timestamper for timestamping: {e}"))
            })?;
            let data = crate::fsutil::read_bounded(root, 1024 * 1024).map_err(|e| {
                CliError::io("failed to read the timestamp root certificate", root, e)
            })?;
            let roots = tsa_root(root, &data)?;
            // The TSA chain's revocation is checked at signing (O1), with
            // the CRL cache of verification, as the reference does.
            let (checker, _) = revocation_checker(&RevocationArgs::default())?;
            Ok(Some(network::timestamper(
                HttpTimestamper::new(url.clone(), roots)
                    .map_err(CliError::failed)?
                    .with_revocation_checker(checker),
            )?))
        }
    }
}

/// The one root certificate of the file `path` holds (`data`): a
/// self-signed, self-issued certificate, refused with the reference's
/// texts otherwise.
fn tsa_root(path: &Path, data: &[u8]) -> CliResult<Vec<notation_core::x509::Certificate>> {
    use notation_core::x509::{Certificate, CertificateParseError};
    let quoted = crate::error::go_quote(&path.display().to_string());
    let expecting = "Expecting single x509 root certificate in PEM or DER format from the file";
    let roots = match Certificate::parse_many(data) {
        Ok(roots) => roots,
        Err(CertificateParseError::Empty) => Vec::new(),
        Err(e) => {
            return Err(CliError::failed(format!(
                "failed to parse the timestamp root certificate {}: {e}",
                path.display()
            )));
        }
    };
    let root = match roots.as_slice() {
        [] => {
            return Err(CliError::failed(format!(
                "cannot find any certificate from {quoted}. {expecting}"
            )));
        }
        [root] => root,
        _ => {
            return Err(CliError::failed(format!(
                "found more than one certificates from {quoted}. {expecting}"
            )));
        }
    };
    use notation_core::trust::store::{CertificateValidationError, check_root_certificate};
    match check_root_certificate(root, notation_core::crypto::default_provider().as_ref()) {
        Ok(()) => Ok(roots),
        Err(CertificateValidationError::NotRootCa { error, .. }) => Err(CliError::failed(format!(
            "failed to check root certificate with error: {error}"
        ))),
        Err(_) => Err(CliError::failed(format!(
            "certificate from {quoted} is not a root certificate. {expecting}"
        ))),
    }
}

/// Revocation timeouts (a common request of the reference's users; its
/// defaults are kept: 2 s per OCSP responder, 5 s per CRL download).
#[derive(Args, Clone, Debug, Default)]
pub struct RevocationArgs {
    /// time limit for each OCSP request (e.g. 2s, 500ms)
    #[arg(long = "ocsp-timeout", value_name = "DURATION", value_parser = crate::duration::parse_go_duration)]
    pub ocsp_timeout: Option<time::Duration>,
    /// time limit for each CRL download (e.g. 5s, 1m)
    #[arg(long = "crl-timeout", value_name = "DURATION", value_parser = crate::duration::parse_go_duration)]
    pub crl_timeout: Option<time::Duration>,
}

/// The network revocation checker (P1-P6): OCSP and CRLs over HTTP, CRLs
/// cached under `NOTATION_CACHE`. Returns the cache too, so that callers can
/// warn about cache errors after verification.
pub fn revocation_checker(
    args: &RevocationArgs,
) -> CliResult<(
    std::sync::Arc<notation_core::revocation::RevocationValidator>,
    std::sync::Arc<FileCrlCache>,
)> {
    let positive =
        |d: Option<time::Duration>, name: &str| -> CliResult<Option<std::time::Duration>> {
            match d {
                None => Ok(None),
                Some(d) if d.is_positive() => {
                    Ok(Some(std::time::Duration::try_from(d).expect("positive")))
                }
                Some(_) => Err(CliError::usage(format!(
                    "{name} must be a positive duration"
                ))),
            }
        };
    let fetcher = HttpRevocationFetcher::new().map_err(CliError::failed)?;
    let cache = std::sync::Arc::new(FileCrlCache::new(notation_core::config::cache_dir()));
    let mut builder =
        notation_core::revocation::RevocationValidator::builder(std::sync::Arc::new(fetcher))
            .crl_cache(cache.clone());
    if let Some(t) = positive(args.ocsp_timeout, "--ocsp-timeout")? {
        builder = builder.ocsp_timeout(t);
    }
    if let Some(t) = positive(args.crl_timeout, "--crl-timeout")? {
        builder = builder.crl_timeout(t);
    }
    Ok((std::sync::Arc::new(builder.build()), cache))
}

/// The reference's warning when the CRL cache failed (the check itself
/// downloaded instead).
pub fn warn_cache_errors(con: &mut Console, cache: &FileCrlCache) -> CliResult {
    if cache.had_errors() {
        con.eprintln(
            "Warning: CRL cache error discarded. Enable debug log through '-d' for error details.",
        )?;
    }
    Ok(())
}

/// A path argument that may be empty (clap's `PathBuf` parser refuses empty
/// values, but the reference reports those with its own messages).
pub fn path_arg() -> impl clap::builder::TypedValueParser<Value = std::path::PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().map(std::path::PathBuf::from)
}

/// Parses repeated `key=value` flags as the reference's `ParseFlagMap` does:
/// both sides non-empty, the first `=` separates, a repeated key keeps its
/// last value.
pub fn parse_flag_map(values: &[String], flag_name: &str) -> CliResult<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for pair in values {
        match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() => {
                map.insert(k.to_string(), v.to_string());
            }
            _ => {
                return Err(CliError::usage(format!(
                    "could not parse flag {flag_name}: key-value pair requires \"=\" as separator"
                )));
            }
        }
    }
    Ok(map)
}

/// Fails like cobra does when required flags are missing:
/// `required flag(s) "a", "b" not set`, names sorted.
pub fn require_flags(flags: &[(&str, bool)]) -> CliResult {
    let mut missing: Vec<&str> = flags
        .iter()
        .filter(|(_, present)| !present)
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    missing.sort_unstable();
    Err(CliError::usage(format!(
        "required flag(s) \"{}\" not set",
        missing.join("\", \"")
    )))
}

/// A trust store type from a flag value, with the reference's messages.
pub fn parse_store_type(value: &str) -> CliResult<TrustStoreType> {
    if value.is_empty() {
        return Err(CliError::usage("store type cannot be empty"));
    }
    TrustStoreType::from_name(value)
        .ok_or_else(|| CliError::usage(format!("unsupported store type: {value}")))
}

/// Checks a named store name (`[a-zA-Z0-9_.-]+`).
pub fn check_store_name(name: &str) -> CliResult {
    if notation_core::trust::store::is_valid_store_name(name) {
        Ok(())
    } else {
        Err(CliError::usage(
            "named store name needs to follow [a-zA-Z0-9_.-]+ format",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_maps() {
        let m = parse_flag_map(
            &["a=1".into(), "b=x=y".into(), "a=2".into()],
            "user-metadata",
        )
        .unwrap();
        assert_eq!(m["a"], "2");
        assert_eq!(m["b"], "x=y");
        for bad in ["a", "=1", "a="] {
            assert_eq!(
                parse_flag_map(&[bad.into()], "user-metadata")
                    .unwrap_err()
                    .to_string(),
                "could not parse flag user-metadata: key-value pair requires \"=\" as separator"
            );
        }
    }

    #[test]
    fn flag_groups_as_cobra() {
        let together = ["timestamp-url timestamp-root-cert", "id plugin"];
        let exclusive = ["key plugin", "key id"];
        let check = |set: &[(&str, bool)]| {
            check_flag_groups(set, &together, &exclusive)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(check(&[("key", true)]), None);
        assert_eq!(check(&[("id", true), ("plugin", true)]), None);
        assert_eq!(
            check(&[("key", true), ("id", true)]).unwrap(),
            "if any flags in the group [id plugin] are set they must all be set; missing [plugin]"
        );
        assert_eq!(
            check(&[("key", true), ("id", true), ("plugin", true)]).unwrap(),
            "if any flags in the group [key id] are set none of the others can be; [id key] were all set"
        );
        assert_eq!(
            check(&[("key", true), ("plugin", true), ("id", false)]).unwrap(),
            "if any flags in the group [id plugin] are set they must all be set; missing [id]"
        );
        // Sorted groups: [id plugin] comes before [timestamp-url ...].
        assert_eq!(
            check(&[("plugin", true), ("timestamp-url", true)]).unwrap(),
            "if any flags in the group [id plugin] are set they must all be set; missing [id]"
        );
    }

    #[test]
    fn required_flags() {
        assert!(require_flags(&[("type", true)]).is_ok());
        assert_eq!(
            require_flags(&[("type", false), ("store", false)])
                .unwrap_err()
                .to_string(),
            "required flag(s) \"store\", \"type\" not set"
        );
    }
}
