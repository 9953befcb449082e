//! Registry credentials: the [`Credential`] type
//! (its `Debug` never shows a secret), the [`CredentialProvider`] and
//! [`CredentialStore`] traits, and the providers the reference uses:
//! explicit `-u/-p` ([`StaticCredentials`]), `NOTATION_USERNAME` /
//! `NOTATION_PASSWORD` ([`StaticCredentials::from_env`]), Docker-format
//! `config.json` files — Docker's own and Notation's — with `auths`,
//! `credsStore` and `credHelpers` ([`ConfigFileStore`]), Docker credential
//! helpers ([`CredentialHelper`]), and the reference's selection order
//! ([`select_credential_store`], [`CredentialChain::notation_default`]).
//!
//! Keys are "server addresses" as Docker writes them: the registry's
//! `host[:port]`, except Docker Hub (`docker.io`, `index.docker.io`,
//! `registry-1.docker.io`) whose key is `https://index.docker.io/v1/`
//! ([`server_address`]).
// Requirements: X2, W16.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine;
use notation_core::process::{HelperCommand, HelperError};
use serde_json::{Map, Value};

mod config_file;
mod helper;

#[allow(deprecated)]
pub use config_file::docker_config_path;
pub use config_file::{ConfigFileStore, docker_config_file, notation_config_path};
pub use helper::{CredentialHelper, HelperStore, platform_default_helper};

/// `NOTATION_USERNAME`.
// Requirements: X1.
pub const ENV_USERNAME: &str = "NOTATION_USERNAME";
/// `NOTATION_PASSWORD`.
// Requirements: X1.
pub const ENV_PASSWORD: &str = "NOTATION_PASSWORD";
/// The key Docker stores Docker Hub credentials under.
pub const DOCKER_HUB_SERVER_ADDRESS: &str = "https://index.docker.io/v1/";
/// Largest credential helper output read (each of stdout and stderr).
pub const MAX_HELPER_OUTPUT: u64 = 1024 * 1024;
/// How long one credential helper call may take by default (time for the
/// user to answer a keychain prompt); past it the helper and everything it
/// started are killed.
pub const DEFAULT_HELPER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Largest `config.json` read.
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;
/// The helper protocol's "not found" message.
const HELPER_NOT_FOUND: &str = "credentials not found in native keychain";
/// The user name a helper stores identity tokens under.
const TOKEN_USERNAME: &str = "<token>";

/// Credentials for one registry: a user name and password, an identity
/// (refresh) token, or a registry (access) token. `Debug` prints
/// `<redacted>` for every secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credential {
    username: String,
    password: String,
    identity_token: String,
    registry_token: String,
}

impl Credential {
    /// A user name and password (Basic auth, or the token flow with Basic
    /// credentials).
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            ..Self::default()
        }
    }

    /// An identity token (OAuth2 refresh token; `docker login` with a token,
    /// `notation login` without a user name), exchanged at the token
    /// endpoint with `grant_type=refresh_token`.
    pub fn identity_token(token: impl Into<String>) -> Self {
        Self {
            identity_token: token.into(),
            ..Self::default()
        }
    }

    /// A registry (access) token sent as is as `Bearer` (Docker's
    /// `registrytoken`).
    pub fn registry_token(token: impl Into<String>) -> Self {
        Self {
            registry_token: token.into(),
            ..Self::default()
        }
    }

    /// The user name, if any.
    pub fn username(&self) -> Option<&str> {
        Some(self.username.as_str()).filter(|s| !s.is_empty())
    }

    /// The password, if any.
    pub fn password(&self) -> Option<&str> {
        Some(self.password.as_str()).filter(|s| !s.is_empty())
    }

    /// The identity (refresh) token, if any.
    pub fn identity_token_value(&self) -> Option<&str> {
        Some(self.identity_token.as_str()).filter(|s| !s.is_empty())
    }

    /// The registry (access) token, if any.
    pub fn registry_token_value(&self) -> Option<&str> {
        Some(self.registry_token.as_str()).filter(|s| !s.is_empty())
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `-u/-p` as the reference reads them: an empty user name makes the
    /// password an identity token; both empty is no credential.
    pub fn from_username_password(username: &str, password: &str) -> Option<Self> {
        match (username.is_empty(), password.is_empty()) {
            (true, true) => None,
            (true, false) => Some(Self::identity_token(password)),
            _ => Some(Self::basic(username, password)),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &str| if s.is_empty() { "" } else { "<redacted>" };
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &redact(&self.password))
            .field("identity_token", &redact(&self.identity_token))
            .field("registry_token", &redact(&self.registry_token))
            .finish()
    }
}

/// Why credentials could not be read or stored. Messages never contain
/// secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// A configuration file could not be read or written.
    #[error("{}: {error}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A configuration file is not valid.
    #[error("{}: invalid config format: {reason}", .path.display())]
    MalformedConfig {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The credential helper executable is not on the search path.
    #[error("credential helper docker-credential-{helper} not found")]
    HelperNotFound {
        /// The helper's name (the part after `docker-credential-`).
        helper: String,
    },
    /// The credential helper failed.
    #[error("credential helper docker-credential-{helper} {action}: {message}")]
    Helper {
        /// The helper's name.
        helper: String,
        /// `get`, `store` or `erase`.
        action: &'static str,
        /// Its message (first line of its output, truncated), or the exit
        /// status.
        message: String,
    },
    /// The credential helper wrote more than [`MAX_HELPER_OUTPUT`] bytes.
    #[error(
        "credential helper docker-credential-{helper} {action}: output larger than {MAX_HELPER_OUTPUT} bytes"
    )]
    HelperOutputTooLarge {
        /// The helper's name.
        helper: String,
        /// The action.
        action: &'static str,
    },
    /// Storing plaintext credentials in a config file is disabled (the
    /// reference refuses it unless a credential store is configured).
    #[error(
        "putting plaintext credentials is disabled: a credentials store is required to store the credentials for {registry}"
    )]
    PlaintextStorageRefused {
        /// The registry.
        registry: String,
    },
    /// Docker's `config.json` has no place: neither `DOCKER_CONFIG` nor
    /// the home directory's variable is set ([`docker_config_file`]).
    #[error(
        "failed to get user home directory: {variable} is not defined (set DOCKER_CONFIG or {variable})"
    )]
    NoHomeDirectory {
        /// `HOME` (`USERPROFILE` on Windows).
        variable: &'static str,
    },
    /// The credential cannot be stored in this form.
    #[error("bad credential format: {0}")]
    BadCredentialFormat(String),
}

/// Looks up credentials for a registry.
pub trait CredentialProvider: Send + Sync {
    /// The credential for `registry` (`host[:port]` as in the reference,
    /// `docker.io` for Docker Hub), or `None` if there is none.
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError>;
}

/// A provider that can also store and erase credentials (`login`,
/// `logout`).
pub trait CredentialStore: CredentialProvider {
    /// Stores `credential` for `registry`.
    fn store(&self, registry: &str, credential: &Credential) -> Result<(), CredentialError>;
    /// Erases the credential of `registry` (no error if there is none).
    fn erase(&self, registry: &str) -> Result<(), CredentialError>;
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for Arc<T> {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError> {
        (**self).credential(registry)
    }
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for Box<T> {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError> {
        (**self).credential(registry)
    }
}

/// The key Docker stores a registry's credentials under: Docker Hub's
/// aliases map to `https://index.docker.io/v1/`, other registries are
/// their `host[:port]`.
pub fn server_address(registry: &str) -> String {
    match registry.to_ascii_lowercase().as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | DOCKER_HUB_SERVER_ADDRESS => {
            DOCKER_HUB_SERVER_ADDRESS.to_string()
        }
        _ => registry.to_string(),
    }
}

/// The host of a server-address key: scheme and path removed
/// (`https://r.io/v1/` → `r.io`).
fn key_hostname(key: &str) -> &str {
    let k = key
        .strip_prefix("http://")
        .or_else(|| key.strip_prefix("https://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

/// A fixed credential: `-u/-p`, or the environment.
#[derive(Clone, Debug)]
pub struct StaticCredentials {
    registry: Option<String>,
    credential: Credential,
}

impl StaticCredentials {
    /// `credential` for `registry` only (Docker Hub aliases match each
    /// other).
    pub fn new(registry: impl Into<String>, credential: Credential) -> Self {
        Self {
            registry: Some(server_address(&registry.into())),
            credential,
        }
    }

    /// `credential` for whatever registry is asked.
    pub fn any_registry(credential: Credential) -> Self {
        Self {
            registry: None,
            credential,
        }
    }

    /// `NOTATION_USERNAME` / `NOTATION_PASSWORD`, read now, for
    /// `registry` (or any registry when `None`); `None` when both are unset
    /// or empty. An empty user name makes the password an identity token.
    // Requirements: X1.
    pub fn from_env(registry: Option<&str>) -> Option<Self> {
        let user = std::env::var(ENV_USERNAME).unwrap_or_default();
        let pass = std::env::var(ENV_PASSWORD).unwrap_or_default();
        let credential = Credential::from_username_password(&user, &pass)?;
        Some(match registry {
            Some(r) => Self::new(r, credential),
            None => Self::any_registry(credential),
        })
    }
}

impl CredentialProvider for StaticCredentials {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError> {
        match &self.registry {
            Some(r) if *r != server_address(registry) => Ok(None),
            _ => Ok(Some(self.credential.clone())),
        }
    }
}

/// Providers asked in order; the first that has a credential wins; an
/// error stops the search (as oras-go's store with fallbacks).
#[derive(Clone, Default)]
pub struct CredentialChain {
    providers: Vec<Arc<dyn CredentialProvider>>,
}

impl fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CredentialChain({} providers)", self.providers.len())
    }
}

impl CredentialChain {
    /// An empty chain (anonymous).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a provider.
    pub fn with(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.providers.push(Arc::new(provider));
        self
    }

    /// Appends a shared provider.
    pub fn with_arc(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.providers.push(provider);
        self
    }

    /// The reference's order: explicit `-u/-p` if given, else
    /// `NOTATION_USERNAME`/`NOTATION_PASSWORD`, then the credential store
    /// the reference selects ([`select_default_credential_store`]: with
    /// neither `DOCKER_CONFIG` nor a home directory, an error unless
    /// Notation's `config.json` configures credentials).
    // Requirements: X2.
    ///
    /// With `-u/-p` (or the variables) the store is not opened at all, as
    /// the reference does not build it then: an unreadable or malformed
    /// Docker `config.json` (root's, after `sudo docker login`) does not
    /// stand in the way of credentials given outright.
    pub fn notation_default(explicit: Option<StaticCredentials>) -> Result<Self, CredentialError> {
        if let Some(s) = explicit.or_else(|| StaticCredentials::from_env(None)) {
            return Ok(Self::new().with(s));
        }
        let chain = Self::new();
        let store = select_default_credential_store(&notation_config_path())?;
        let store: Arc<dyn CredentialStore> = Arc::from(store);
        Ok(chain.with_arc(store))
    }
}

impl CredentialProvider for CredentialChain {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError> {
        for p in &self.providers {
            if let Some(c) = p.credential(registry)?.filter(|c| !c.is_empty()) {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
}

/// The kind of a JSON error without its input (which holds secrets).
trait ClassifyStr {
    fn classify_str(&self) -> &'static str;
}

impl ClassifyStr for serde_json::Error {
    /// The kind of JSON error, without the input (which holds secrets).
    fn classify_str(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "unexpected JSON shape",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// The credential store the reference uses (notation `internal/auth`
/// `NewCredentialsStore`), plaintext storage disabled: Notation's
/// `config.json` if it configures credentials, else Docker's if it does,
/// else the platform's default helper if installed, else Notation's
/// `config.json` (so that lookups find nothing rather than fail).
/// `helper_search_path` replaces `PATH` for finding helpers.
pub fn select_credential_store(
    notation_config: &Path,
    docker_config: &Path,
    helper_search_path: Option<OsString>,
) -> Result<Box<dyn CredentialStore>, CredentialError> {
    select_store(
        notation_config,
        || Ok(docker_config.to_path_buf()),
        helper_search_path,
    )
}

/// [`select_credential_store`] with Docker's `config.json` where the
/// reference finds it ([`docker_config_file`]), looked for only when
/// Notation's `config.json` (at `notation_config`) configures no
/// credentials. With neither `DOCKER_CONFIG` nor a home directory that is
/// [`CredentialError::NoHomeDirectory`], as in the reference.
pub fn select_default_credential_store(
    notation_config: &Path,
) -> Result<Box<dyn CredentialStore>, CredentialError> {
    select_store(notation_config, docker_config_file, None)
}

fn select_store(
    notation_config: &Path,
    docker_config: impl FnOnce() -> Result<PathBuf, CredentialError>,
    helper_search_path: Option<OsString>,
) -> Result<Box<dyn CredentialStore>, CredentialError> {
    let with_path = |s: ConfigFileStore| match &helper_search_path {
        Some(p) => s.with_helper_search_path(p.clone()),
        None => s,
    };
    let notation = with_path(ConfigFileStore::load(notation_config)?);
    if notation.is_auth_configured() {
        return Ok(Box::new(notation));
    }
    let docker = with_path(ConfigFileStore::load(docker_config()?)?);
    if docker.is_auth_configured() {
        return Ok(Box::new(docker));
    }
    if let Some(helper) = platform_default_helper(helper_search_path.clone()) {
        return Ok(Box::new(HelperStore(helper)));
    }
    Ok(Box::new(notation))
}

/// `logout`: erases the stored credential of `registry` (Docker Hub under
/// its server address).
pub fn logout(registry: &str, store: &dyn CredentialStore) -> Result<(), CredentialError> {
    store.erase(registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        for c in [
            Credential::basic("alice", "hunter2-secret"),
            Credential::identity_token("refresh-secret"),
            Credential::registry_token("access-secret"),
        ] {
            let d = format!(
                "{c:?} {:?} {:?}",
                StaticCredentials::any_registry(c.clone()),
                Some(&c)
            );
            assert!(!d.contains("secret"), "{d}");
            assert!(d.contains("<redacted>"));
        }
        assert!(format!("{:?}", Credential::basic("alice", "x")).contains("alice"));
    }

    #[test]
    fn username_password_forms() {
        assert_eq!(Credential::from_username_password("", ""), None);
        assert_eq!(
            Credential::from_username_password("", "tok"),
            Some(Credential::identity_token("tok"))
        );
        assert_eq!(
            Credential::from_username_password("u", "p"),
            Some(Credential::basic("u", "p"))
        );
    }

    #[test]
    fn docker_hub_server_address() {
        for r in [
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "https://index.docker.io/v1/",
        ] {
            assert_eq!(server_address(r), DOCKER_HUB_SERVER_ADDRESS);
        }
        assert_eq!(server_address("localhost:5000"), "localhost:5000");
        assert_eq!(key_hostname("https://r.io/v1/"), "r.io");
        assert_eq!(key_hostname("r.io:5000"), "r.io:5000");
    }

    #[test]
    fn static_credentials_are_scoped() {
        let s = StaticCredentials::new("docker.io", Credential::basic("u", "p"));
        assert!(s.credential("registry-1.docker.io").unwrap().is_some());
        assert!(s.credential("other.io").unwrap().is_none());
        let chain = CredentialChain::new()
            .with(StaticCredentials::new("a.io", Credential::basic("a", "1")))
            .with(StaticCredentials::any_registry(Credential::basic(
                "any", "2",
            )));
        assert_eq!(
            chain.credential("a.io").unwrap().unwrap().username(),
            Some("a")
        );
        assert_eq!(
            chain.credential("b.io").unwrap().unwrap().username(),
            Some("any")
        );
        assert!(CredentialChain::new().credential("a.io").unwrap().is_none());
    }
}
