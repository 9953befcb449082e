//! The commands, one module per command group, and what they share.

pub mod auth;
pub mod blob;
pub mod certificate;
pub mod key;
pub mod oci;
pub mod plugin;
pub mod policy;
pub mod version;

use std::collections::BTreeMap;
use std::path::Path;

use clap::Args;
use notation_core::config::SigningKeys;
use notation_core::signer::LocalSigner;
use notation_core::trust::TrustStoreType;
use notation_oci::revocation::{FileCrlCache, HttpRevocationFetcher};
use notation_oci::tsa::HttpTimestamper;

use crate::console::Console;
use crate::error::{CliError, CliResult};

/// `-d/--debug`, on the commands where the reference has it.
#[derive(Args, Clone, Debug, Default)]
pub struct LoggingArgs {
    /// debug mode
    #[arg(short = 'd', long)]
    pub debug: bool,
}

impl LoggingArgs {
    /// Applies the flag to the console.
    pub fn apply(&self, con: &mut Console) {
        con.set_debug(self.debug);
    }
}

/// The signing key named by `--key`, or the default key of
/// `signingkeys.json` (W16).
pub fn load_signer(con: &mut Console, dir: &Path, key: Option<&str>) -> CliResult<LocalSigner> {
    let keys = SigningKeys::load(dir)?;
    let key = keys.get(key)?;
    con.debug(format_args!("signing key: {}", key.name))?;
    match (&key.key_path, &key.cert_path, &key.plugin_name) {
        (Some(k), Some(c), _) => LocalSigner::from_files(Path::new(k), Path::new(c))
            .map_err(|e| CliError::failed(format!("failed to load signing key {}: {e}", key.name))),
        (_, _, Some(plugin)) => Err(CliError::failed(format!(
            "signing key {} uses plugin {plugin}; signing with plugins is not supported by this notation",
            key.name
        ))),
        _ => Err(CliError::failed(
            "unsupported key, either provide a local key and certificate file paths, or a key name in config.json, check https://notaryproject.dev/docs/user-guides/how-to/notation-config-file/ for details",
        )),
    }
}

/// `--timestamp-url` and `--timestamp-root-cert` (O1), given together.
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
/// against the root certificate before it is embedded (O1).
pub fn timestamper(args: &TimestampArgs) -> CliResult<Option<HttpTimestamper>> {
    match (&args.url, &args.root_cert) {
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) => Err(CliError::usage(
            "if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set",
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
            let data = crate::fsutil::read_bounded(root, 1024 * 1024).map_err(|e| {
                CliError::io("failed to read the timestamp root certificate", root, e)
            })?;
            let roots = notation_core::x509::Certificate::parse_many(&data).map_err(|e| {
                CliError::failed(format!(
                    "failed to parse the timestamp root certificate {}: {e}",
                    root.display()
                ))
            })?;
            if roots.len() != 1 {
                return Err(CliError::failed(format!(
                    "found more than one certificates in {}, expecting exactly one TSA root certificate",
                    root.display()
                )));
            }
            Ok(Some(
                HttpTimestamper::new(url.clone(), roots).map_err(CliError::failed)?,
            ))
        }
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
