//! The reference's configuration layout: the
//! directories, `config.json` and `signingkeys.json`.
// Requirements: X1, W16.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// `config.json`.
pub const CONFIG_FILE: &str = "config.json";
/// `signingkeys.json`.
pub const SIGNING_KEYS_FILE: &str = "signingkeys.json";
/// The OCI trust policy file.
pub const OCI_TRUST_POLICY_FILE: &str = "trustpolicy.oci.json";
/// The legacy OCI trust policy file, read when the new one is absent.
// Requirements: J1.
pub const LEGACY_TRUST_POLICY_FILE: &str = "trustpolicy.json";
/// The blob trust policy file.
pub const BLOB_TRUST_POLICY_FILE: &str = "trustpolicy.blob.json";
/// Directory of keys made by `certificate generate-test`.
pub const LOCAL_KEYS_DIR: &str = "localkeys";
/// The trust store directory (the spec says `trust-store`, the
/// reference uses `truststore`; we follow the reference).
// Requirements: W4.
pub const TRUST_STORE_DIR: &str = "truststore";

/// Largest configuration file read.
pub const MAX_CONFIG_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The configuration directory: `NOTATION_CONFIG`, else the platform
/// default (`$XDG_CONFIG_HOME/notation`, `~/.config/notation`, macOS
/// `~/Library/Application Support/notation`, Windows `%AppData%\notation`).
///
/// With none of these (no `NOTATION_CONFIG` and no home directory, as for
/// some services), `.notation` under the working directory: trust policies,
/// trust stores and plugins are then read from there. A program that runs
/// without a home directory should set `NOTATION_CONFIG`.
pub fn config_dir() -> PathBuf {
    if let Some(dir) = non_empty_env("NOTATION_CONFIG") {
        return PathBuf::from(dir);
    }
    user_config_dir()
        .map(|d| d.join("notation"))
        .unwrap_or_else(|| PathBuf::from(".notation"))
}

/// The cache directory: `NOTATION_CACHE`, else the platform cache directory
/// (`$XDG_CACHE_HOME/notation`, `~/.cache/notation`, ...).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = non_empty_env("NOTATION_CACHE") {
        return PathBuf::from(dir);
    }
    user_cache_dir()
        .map(|d| d.join("notation"))
        .unwrap_or_else(|| PathBuf::from(".notation/cache"))
}

/// The libexec directory (plugins live in `{libexec}/plugins`):
/// `NOTATION_LIBEXEC`, else the configuration directory.
pub fn libexec_dir() -> PathBuf {
    non_empty_env("NOTATION_LIBEXEC")
        .map(PathBuf::from)
        .unwrap_or_else(config_dir)
}

/// The libexec directory of the installation whose configuration directory
/// is `config_dir`, as the CLI finds it with `NOTATION_CONFIG=config_dir`:
/// `NOTATION_LIBEXEC`, else `config_dir`. Plugins live in its
/// `plugins/`.
// Requirements: X1, R1.
pub fn libexec_dir_for(config_dir: &Path) -> PathBuf {
    non_empty_env("NOTATION_LIBEXEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| config_dir.to_path_buf())
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home() -> Option<PathBuf> {
    non_empty_env("HOME").map(PathBuf::from)
}

fn user_config_dir() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        non_empty_env("AppData").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Application Support"))
    } else {
        non_empty_env("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".config")))
    }
}

fn user_cache_dir() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        non_empty_env("LocalAppData").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Caches"))
    } else {
        non_empty_env("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".cache")))
    }
}

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Reading or writing failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// The file is not valid JSON of the expected shape.
    #[error("malformed {file}: {detail}")]
    Malformed {
        /// File name.
        file: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A key name that is empty.
    #[error("key name cannot be empty")]
    KeyNameEmpty,
    /// No key of that name.
    #[error("signing key {0} not found")]
    KeyNotFound(String),
    /// A key name that already exists.
    #[error("signing key with name {0:?} already exists")]
    KeyExists(String),
    /// No default key and none named.
    #[error("default signing key not set. Please set default signing key or specify a key name")]
    NoDefaultKey,
}

/// Reads a file of at most [`MAX_CONFIG_FILE_SIZE`] bytes; `Ok(None)` when
/// it does not exist. Anything but a regular file (a FIFO, a directory) is
/// an error, without blocking.
pub fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    let data = match crate::file::read_regular_bounded(path, MAX_CONFIG_FILE_SIZE) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if data.len() as u64 > MAX_CONFIG_FILE_SIZE {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("file is larger than {MAX_CONFIG_FILE_SIZE} bytes"),
        )));
    }
    Ok(Some(data))
}

/// Writes a configuration file as the reference does (owner-only, in an
/// owner-only directory), atomically ([`crate::file::AtomicWrite`]).
fn write_config_file(path: &Path, data: &[u8]) -> Result<(), ConfigError> {
    crate::file::AtomicWrite::private()
        .write(path, data)
        .map_err(|error| ConfigError::Io {
            path: path.to_path_buf(),
            error,
        })
}

/// `config.json`.
// Requirements: W16.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Registries reached over plain HTTP.
    // Requirements: X2.
    #[serde(default)]
    pub insecure_registries: Vec<String>,
    /// Docker credential store name (`docker-credential-<name>`).
    #[serde(
        rename = "credsStore",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub credentials_store: Option<String>,
    /// Per-registry credential helpers.
    #[serde(
        rename = "credHelpers",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub credential_helpers: BTreeMap<String, String>,
    /// Default signature format (`jws` or `cose`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_format: Option<String>,
}

impl Config {
    /// Loads `config.json` from `dir`; a missing file is an empty config.
    pub fn load(dir: &Path) -> Result<Self, ConfigError> {
        match read_bounded(&dir.join(CONFIG_FILE))? {
            None => Ok(Self::default()),
            Some(data) => serde_json::from_slice(&data).map_err(|e| ConfigError::Malformed {
                file: CONFIG_FILE,
                detail: e.to_string(),
            }),
        }
    }

    /// Saves `config.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), ConfigError> {
        let data = serde_json::to_vec_pretty(self).expect("config serializes");
        write_config_file(&dir.join(CONFIG_FILE), &data)
    }
}

/// One entry of `signingkeys.json`: a local key pair or a plugin key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySuite {
    /// The key's name.
    pub name: String,
    /// Path of the private key (local keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_path: Option<String>,
    /// Path of the certificate chain (local keys).
    #[serde(rename = "certPath", default, skip_serializing_if = "Option::is_none")]
    pub cert_path: Option<String>,
    /// Key id (plugin keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Plugin name (plugin keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_name: Option<String>,
    /// Plugin configuration (plugin keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_config: Option<BTreeMap<String, String>>,
}

impl KeySuite {
    /// A local key pair entry.
    pub fn local(
        name: impl Into<String>,
        key_path: impl Into<String>,
        cert_path: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            key_path: Some(key_path.into()),
            cert_path: Some(cert_path.into()),
            id: None,
            plugin_name: None,
            plugin_config: None,
        }
    }

    /// Whether this entry is a plugin key.
    pub fn is_plugin(&self) -> bool {
        self.plugin_name.is_some()
    }
}

/// `signingkeys.json`.
// Requirements: W16.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKeys {
    /// Name of the default key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The keys.
    #[serde(default)]
    pub keys: Vec<KeySuite>,
}

impl SigningKeys {
    /// Parses and validates: names non-empty and unique, default present
    /// (messages as the reference, vectors `13-config`).
    pub fn from_json(data: &[u8]) -> Result<Self, ConfigError> {
        let malformed = |detail: String| ConfigError::Malformed {
            file: SIGNING_KEYS_FILE,
            detail,
        };
        crate::json::check_depth(data, crate::json::MAX_DEPTH).map_err(malformed)?;
        let keys: SigningKeys =
            serde_json::from_slice(data).map_err(|e| malformed(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for k in &keys.keys {
            if k.name.is_empty() {
                return Err(malformed("key name cannot be empty".into()));
            }
            if !seen.insert(k.name.as_str()) {
                return Err(malformed(format!(
                    "multiple keys with name '{}' found",
                    k.name
                )));
            }
        }
        if let Some(d) = &keys.default
            && !seen.contains(d.as_str())
        {
            return Err(malformed(format!("default key '{d}' not found")));
        }
        Ok(keys)
    }

    /// Loads `signingkeys.json` from `dir`; a missing file has no keys.
    pub fn load(dir: &Path) -> Result<Self, ConfigError> {
        match read_bounded(&dir.join(SIGNING_KEYS_FILE))? {
            None => Ok(Self::default()),
            Some(data) => Self::from_json(&data),
        }
    }

    /// Saves into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), ConfigError> {
        let data = serde_json::to_vec_pretty(self).expect("signing keys serialize");
        write_config_file(&dir.join(SIGNING_KEYS_FILE), &data)
    }

    /// The key named `name`, or the default key when `name` is `None`.
    pub fn get(&self, name: Option<&str>) -> Result<&KeySuite, ConfigError> {
        let name = match name {
            Some("") => return Err(ConfigError::KeyNameEmpty),
            Some(n) => n,
            None => self.default.as_deref().ok_or(ConfigError::NoDefaultKey)?,
        };
        self.keys
            .iter()
            .find(|k| k.name == name)
            .ok_or_else(|| ConfigError::KeyNotFound(name.to_string()))
    }

    /// Adds a key; optionally makes it the default.
    pub fn add(&mut self, key: KeySuite, make_default: bool) -> Result<(), ConfigError> {
        if key.name.is_empty() {
            return Err(ConfigError::KeyNameEmpty);
        }
        if self.keys.iter().any(|k| k.name == key.name) {
            return Err(ConfigError::KeyExists(key.name));
        }
        if make_default {
            self.default = Some(key.name.clone());
        }
        self.keys.push(key);
        Ok(())
    }

    /// Removes a key; clears the default if it was the default.
    pub fn remove(&mut self, name: &str) -> Result<KeySuite, ConfigError> {
        if name.is_empty() {
            return Err(ConfigError::KeyNameEmpty);
        }
        let idx = self
            .keys
            .iter()
            .position(|k| k.name == name)
            .ok_or_else(|| ConfigError::KeyNotFound(name.to_string()))?;
        if self.default.as_deref() == Some(name) {
            self.default = None;
        }
        Ok(self.keys.remove(idx))
    }

    /// Makes `name` the default key.
    pub fn set_default(&mut self, name: &str) -> Result<(), ConfigError> {
        if name.is_empty() {
            return Err(ConfigError::KeyNameEmpty);
        }
        if !self.keys.iter().any(|k| k.name == name) {
            return Err(ConfigError::KeyNotFound(name.to_string()));
        }
        self.default = Some(name.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(path: &str) -> Vec<u8> {
        let p = format!(
            "{}/../../shared/conformance/13-config/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&p).unwrap_or_else(|e| panic!("conformance vector {p} is required: {e}"))
    }

    #[test]
    fn conformance_13_config() {
        let keys =
            SigningKeys::from_json(&vector("notation-go-config/valid/signingkeys.json")).unwrap();
        assert_eq!(keys.keys.len(), 3);
        assert_eq!(keys.get(None).unwrap().name, "wabbit-networks");
        assert!(keys.get(Some("external-key")).unwrap().is_plugin());
        let cfg: Config =
            serde_json::from_slice(&vector("notation-go-config/valid/config.json")).unwrap();
        assert_eq!(cfg.insecure_registries, ["registry.wabbit-networks.io"]);
        assert_eq!(cfg.signature_format.as_deref(), Some("jws"));
        assert_eq!(
            SigningKeys::from_json(&vector(
                "notation-go-config/malformed-duplicate/signingkeys.json"
            ))
            .unwrap_err()
            .to_string(),
            "malformed signingkeys.json: multiple keys with name 'wabbit-networks' found"
        );
        assert_eq!(
            SigningKeys::from_json(&vector(
                "notation-go-config/malformed-invalid-default/signingkeys.json"
            ))
            .unwrap_err()
            .to_string(),
            "malformed signingkeys.json: default key 'missing-default' not found"
        );
        let helper: Config =
            serde_json::from_slice(&vector("e2e/pass_credential_helper_config.json")).unwrap();
        assert_eq!(helper.credentials_store.as_deref(), Some("pass"));
    }

    #[test]
    fn add_remove_default_and_atomic_save() {
        let dir = tempfile::tempdir().unwrap();
        let mut keys = SigningKeys::default();
        keys.add(KeySuite::local("a", "a.key", "a.crt"), true)
            .unwrap();
        assert!(matches!(
            keys.add(KeySuite::local("a", "x", "y"), false),
            Err(ConfigError::KeyExists(_))
        ));
        keys.add(KeySuite::local("b", "b.key", "b.crt"), false)
            .unwrap();
        keys.save(dir.path()).unwrap();
        let loaded = SigningKeys::load(dir.path()).unwrap();
        assert_eq!(loaded, keys);
        keys.remove("a").unwrap();
        assert!(keys.default.is_none());
        assert!(matches!(keys.get(None), Err(ConfigError::NoDefaultKey)));
        assert!(matches!(
            keys.set_default("zz"),
            Err(ConfigError::KeyNotFound(_))
        ));
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from(SIGNING_KEYS_FILE)]);
        // Owner-only, as the reference writes it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SIGNING_KEYS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }
}
