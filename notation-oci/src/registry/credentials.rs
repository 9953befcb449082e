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
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine;
use notation_core::process::{HelperCommand, HelperError};
use serde_json::{Map, Value};

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
    /// the reference selects ([`select_credential_store`] on the default
    /// paths).
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
        let store = select_credential_store(&notation_config_path(), &docker_config_path(), None)?;
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

/// A Docker credential helper, `docker-credential-<name>`, speaking the
/// helper protocol: `get` (server address on stdin, JSON
/// `{"ServerURL","Username","Secret"}` on stdout), `store` (that JSON on
/// stdin), `erase` (server address on stdin). Output is read up to
/// [`MAX_HELPER_OUTPUT`] bytes, a call is killed after
/// [`DEFAULT_HELPER_TIMEOUT`], and the helper does not see the Notation
/// CLI's credentials (`NOTATION_USERNAME`, `NOTATION_PASSWORD`).
#[derive(Clone, Debug)]
pub struct CredentialHelper {
    name: String,
    search_path: Option<OsString>,
    timeout: Option<std::time::Duration>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct HelperCredential {
    #[serde(rename = "ServerURL", default)]
    server_url: String,
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// A helper's `get` output, decoded as Go's encoding/json decodes it into
/// docker's credential struct: member names match case-insensitively (of
/// two spellings, the later in the document wins), `null` is an empty
/// string, other members are ignored.
fn helper_output(out: &[u8]) -> Result<HelperCredential, &'static str> {
    struct GoFields(HelperCredential);
    impl<'de> serde::Deserialize<'de> for GoFields {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Members;
            impl<'de> serde::de::Visitor<'de> for Members {
                type Value = GoFields;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<GoFields, A::Error> {
                    let mut parsed = HelperCredential {
                        server_url: String::new(),
                        username: String::new(),
                        secret: String::new(),
                    };
                    // In document order: the later spelling wins, as in Go.
                    while let Some(name) = map.next_key::<String>()? {
                        let field = match name.to_ascii_lowercase().as_str() {
                            "serverurl" => &mut parsed.server_url,
                            "username" => &mut parsed.username,
                            "secret" => &mut parsed.secret,
                            _ => {
                                map.next_value::<serde::de::IgnoredAny>()?;
                                continue;
                            }
                        };
                        *field = map.next_value::<Option<String>>()?.unwrap_or_default();
                    }
                    Ok(GoFields(parsed))
                }
            }
            d.deserialize_map(Members)
        }
    }
    serde_json::from_slice::<GoFields>(out)
        .map(|g| g.0)
        .map_err(|e| e.classify_str())
}

impl CredentialHelper {
    /// The helper `docker-credential-<name>`, found on `PATH`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            search_path: None,
            timeout: Some(DEFAULT_HELPER_TIMEOUT),
        }
    }

    /// Kills the helper when one call takes longer than `timeout` (default
    /// [`DEFAULT_HELPER_TIMEOUT`]; `None`: no limit).
    pub fn with_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Looks the executable up on `path` (a `PATH`-style list) instead of
    /// the process's `PATH` (the helper still runs with the process's
    /// environment).
    pub fn with_search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// The helper's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the executable exists on the search path.
    pub fn is_installed(&self) -> bool {
        find_in_path(&self.program(), self.search_path.as_deref()).is_some()
    }

    fn program(&self) -> String {
        format!("docker-credential-{}", self.name)
    }

    /// `get`: the credential stored for `server_address`, `None` if the
    /// helper has none.
    pub fn get(&self, server_address: &str) -> Result<Option<Credential>, CredentialError> {
        let out = match self.run("get", server_address.as_bytes()) {
            Err(CredentialError::Helper { message, .. }) if message == HELPER_NOT_FOUND => {
                return Ok(None);
            }
            other => other?,
        };
        let parsed = helper_output(&out).map_err(|message| CredentialError::Helper {
            helper: self.name.clone(),
            action: "get",
            message: format!("invalid output: {message}"),
        })?;
        let credential = if parsed.username == TOKEN_USERNAME {
            Credential::identity_token(parsed.secret)
        } else {
            Credential::basic(parsed.username, parsed.secret)
        };
        // `<token>` without a secret is no credential either (as an empty
        // `auths` entry).
        Ok(Some(credential).filter(|c| !c.is_empty()))
    }

    /// `store`: saves `credential` for `server_address`.
    pub fn store(
        &self,
        server_address: &str,
        credential: &Credential,
    ) -> Result<(), CredentialError> {
        let (username, secret) = match credential.identity_token_value() {
            Some(t) => (TOKEN_USERNAME.to_string(), t.to_string()),
            None => (credential.username.clone(), credential.password.clone()),
        };
        let input = serde_json::to_vec(&HelperCredential {
            server_url: server_address.into(),
            username,
            secret,
        })
        .expect("helper credential serializes");
        self.run("store", &input).map(|_| ())
    }

    /// `erase`: deletes the credential of `server_address`.
    pub fn erase(&self, server_address: &str) -> Result<(), CredentialError> {
        self.run("erase", server_address.as_bytes()).map(|_| ())
    }

    fn run(&self, action: &'static str, input: &[u8]) -> Result<Vec<u8>, CredentialError> {
        let helper_err = |message: String| CredentialError::Helper {
            helper: self.name.clone(),
            action,
            message,
        };
        let program =
            find_in_path(&self.program(), self.search_path.as_deref()).ok_or_else(|| {
                CredentialError::HelperNotFound {
                    helper: self.name.clone(),
                }
            })?;
        let mut cmd = Command::new(program);
        cmd.arg(action);
        // Helpers are not interactive (a prompt is the keychain's own
        // window): each runs in a process group of its own, killed as a
        // whole, so that one that backgrounds a child holding its output
        // cannot hang us.
        let output = HelperCommand::new(cmd, MAX_HELPER_OUTPUT as usize)
            .timeout(self.timeout)
            .own_process_group(true)
            .run(input)
            .map_err(|e| match e {
                HelperError::OutputTooLarge { .. } => CredentialError::HelperOutputTooLarge {
                    helper: self.name.clone(),
                    action,
                },
                HelperError::Spawn(e) => helper_err(format!("cannot run: {e}")),
                HelperError::TimedOut(d) => helper_err(format!(
                    "did not answer within {}",
                    super::error::DurationText(d)
                )),
                other => helper_err(other.to_string()),
            })?;
        let (status, stdout, stderr) = (output.status, output.stdout, output.stderr);
        if !status.success() {
            // Helpers print their error message on stdout (docker-credential-
            // helpers' convention); fall back to stderr, then the status.
            let text = String::from_utf8_lossy(&stdout).trim().to_string();
            let text = if text.is_empty() {
                String::from_utf8_lossy(&stderr).trim().to_string()
            } else {
                text
            };
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(256)
                .collect::<String>();
            return Err(helper_err(if first.is_empty() {
                format!("exited with {status}")
            } else {
                first
            }));
        }
        Ok(stdout)
    }
}

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

/// Finds `program` on a `PATH`-style list (the process's `PATH` when
/// `None`).
fn find_in_path(program: &str, search_path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let path = match search_path {
        Some(p) => p.to_os_string(),
        None => std::env::var_os("PATH")?,
    };
    let exts: &[&str] = if cfg!(windows) {
        &[".exe", ".cmd", ".bat", ""]
    } else {
        &[""]
    };
    // A program name is one path component: a helper name from a
    // config.json with a separator or `..` names no helper.
    if program.is_empty() || program.contains(['/', '\\', '\0']) {
        return None;
    }
    for dir in std::env::split_paths(&path) {
        // An empty or relative entry (`PATH=/usr/bin:`) would find a file
        // of that name in the current directory: skipped, as Go's
        // exec.LookPath refuses such a result.
        if !dir.is_absolute() {
            continue;
        }
        for ext in exts {
            let candidate = dir.join(format!("{program}{ext}"));
            if is_executable_file(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// A regular file (links followed) the process may run: on Unix, with an
/// execute bit, so that a plain file earlier on the `PATH` does not shadow
/// the helper.
fn is_executable_file(path: &Path) -> bool {
    match std::fs::metadata(path) {
        #[cfg(unix)]
        Ok(m) => {
            use std::os::unix::fs::PermissionsExt;
            m.is_file() && m.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        Ok(m) => m.is_file(),
        Err(_) => false,
    }
}

/// A Docker-format `config.json` (Docker's `~/.docker/config.json` or
/// Notation's `config.json`): `auths` entries (base64 `auth`,
/// `username`/`password`, `identitytoken`, `registrytoken`), a default
/// `credsStore` and per-registry `credHelpers`. Unknown fields are kept
/// when the file is rewritten.
pub struct ConfigFileStore {
    path: PathBuf,
    content: Mutex<Map<String, Value>>,
    allow_plaintext_put: bool,
    search_path: Option<OsString>,
}

impl fmt::Debug for ConfigFileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigFileStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Docker's config path: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn docker_config_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("config.json");
    }
    home_dir()
        .unwrap_or_default()
        .join(".docker")
        .join("config.json")
}

/// Notation's config path: `{NOTATION_CONFIG or the platform default}/config.json`.
pub fn notation_config_path() -> PathBuf {
    notation_core::config::config_dir().join(notation_core::config::CONFIG_FILE)
}

fn home_dir() -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(var)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

impl ConfigFileStore {
    /// Loads the file; a missing or empty file is an empty configuration.
    /// Storing plaintext credentials is disabled (see
    /// [`allow_plaintext_put`](Self::allow_plaintext_put)).
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, CredentialError> {
        let path = path.into();
        let content = read_config(&path)?;
        Ok(Self {
            path,
            content: Mutex::new(content),
            allow_plaintext_put: false,
            search_path: None,
        })
    }

    /// Whether plaintext credentials may be written into `auths` when no
    /// helper is configured (the reference never allows it).
    pub fn allow_plaintext_put(mut self, allow: bool) -> Self {
        self.allow_plaintext_put = allow;
        self
    }

    /// Looks credential helpers up on `path` instead of `PATH`.
    pub fn with_helper_search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Map<String, Value>> {
        self.content.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The default `credsStore`, if set.
    pub fn credentials_store(&self) -> Option<String> {
        self.lock()
            .get("credsStore")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// Whether the file configures any credentials (`credsStore`,
    /// `credHelpers` or `auths`), as oras-go's `IsAuthConfigured`.
    pub fn is_auth_configured(&self) -> bool {
        let c = self.lock();
        let non_empty = |k: &str| {
            c.get(k)
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
        };
        self.credentials_store_locked(&c).is_some()
            || non_empty("credHelpers")
            || non_empty("auths")
    }

    fn credentials_store_locked(&self, c: &Map<String, Value>) -> Option<String> {
        c.get("credsStore")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// The helper for `key`: `credHelpers[key]`, else `credsStore`.
    fn helper_for(&self, key: &str) -> Option<CredentialHelper> {
        let c = self.lock();
        let name = c
            .get("credHelpers")
            .and_then(Value::as_object)
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| self.credentials_store_locked(&c))?;
        let helper = CredentialHelper::new(name);
        Some(match &self.search_path {
            Some(p) => helper.with_search_path(p.clone()),
            None => helper,
        })
    }

    fn auth_entry(&self, key: &str) -> Result<Option<Credential>, CredentialError> {
        let c = self.lock();
        let Some(auths) = c.get("auths").and_then(Value::as_object) else {
            return Ok(None);
        };
        let entry = auths.get(key).or_else(|| {
            auths
                .iter()
                .find(|(k, _)| key_hostname(k) == key)
                .map(|(_, v)| v)
        });
        let Some(entry) = entry else { return Ok(None) };
        let malformed = |reason: &str| CredentialError::MalformedConfig {
            path: self.path.clone(),
            reason: reason.into(),
        };
        let obj = entry
            .as_object()
            .ok_or_else(|| malformed("auths entry is not an object"))?;
        let field = |name: &str| -> Result<String, CredentialError> {
            match obj.get(name) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(malformed(&format!("auths field {name} is not a string"))),
            }
        };
        let mut cred = Credential {
            username: field("username")?,
            password: field("password")?,
            identity_token: field("identitytoken")?,
            registry_token: field("registrytoken")?,
        };
        let auth = field("auth")?;
        if !auth.is_empty() {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| malformed("auths field auth is not base64"))?;
            let decoded = String::from_utf8(decoded)
                .map_err(|_| malformed("auths field auth is not UTF-8"))?;
            let (u, p) = decoded
                .split_once(':')
                .ok_or_else(|| malformed("auths field auth has no ':'"))?;
            cred.username = u.to_string();
            cred.password = p.to_string();
        }
        Ok(Some(cred).filter(|c| !c.is_empty()))
    }

    /// Writes the file owner-only and atomically; a symlinked file (a
    /// `~/.docker/config.json` kept in a dotfiles repository) stays a link
    /// and its target is replaced, as Docker does.
    fn save(&self, content: &Map<String, Value>) -> Result<(), CredentialError> {
        let data = serde_json::to_vec_pretty(content).expect("config serializes");
        notation_core::file::AtomicWrite::private()
            .write(&self.path, &data)
            .map_err(|source| CredentialError::Io {
                path: self.path.clone(),
                error: source,
            })
    }
}

fn read_config(path: &Path) -> Result<Map<String, Value>, CredentialError> {
    let io = |source| CredentialError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    let file = match notation_core::file::open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => return Err(io(e)),
    };
    let mut data = Vec::new();
    file.take(MAX_CONFIG_SIZE + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    let malformed = |reason: String| CredentialError::MalformedConfig {
        path: path.to_path_buf(),
        reason,
    };
    if data.len() as u64 > MAX_CONFIG_SIZE {
        return Err(malformed(format!("larger than {MAX_CONFIG_SIZE} bytes")));
    }
    if data.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let value: Value =
        serde_json::from_slice(&data).map_err(|e| malformed(e.classify_str().to_string()))?;
    let Value::Object(map) = value else {
        return Err(malformed("not a JSON object".into()));
    };
    match map.get("credsStore") {
        None | Some(Value::String(_)) | Some(Value::Null) => {}
        Some(_) => return Err(malformed("credsStore is not a string".into())),
    }
    if let Some(h) = map.get("credHelpers").filter(|v| !v.is_null()) {
        let ok = h
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string));
        if !ok {
            return Err(malformed("credHelpers is not an object of strings".into()));
        }
    }
    if let Some(a) = map.get("auths").filter(|v| !v.is_null())
        && !a.is_object()
    {
        return Err(malformed("auths is not an object".into()));
    }
    Ok(map)
}

impl CredentialProvider for ConfigFileStore {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError> {
        let key = server_address(registry);
        match self.helper_for(&key) {
            Some(helper) => helper.get(&key),
            None => self.auth_entry(&key),
        }
    }
}

impl CredentialStore for ConfigFileStore {
    fn store(&self, registry: &str, credential: &Credential) -> Result<(), CredentialError> {
        let key = server_address(registry);
        if let Some(helper) = self.helper_for(&key) {
            return helper.store(&key, credential);
        }
        if !self.allow_plaintext_put {
            return Err(CredentialError::PlaintextStorageRefused {
                registry: registry.to_string(),
            });
        }
        if credential.username.contains(':') {
            return Err(CredentialError::BadCredentialFormat(
                "colons(:) are not allowed in username".into(),
            ));
        }
        let mut entry = Map::new();
        if !credential.username.is_empty() || !credential.password.is_empty() {
            let auth = format!("{}:{}", credential.username, credential.password);
            entry.insert(
                "auth".into(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(auth)),
            );
        }
        if !credential.identity_token.is_empty() {
            entry.insert(
                "identitytoken".into(),
                Value::String(credential.identity_token.clone()),
            );
        }
        if !credential.registry_token.is_empty() {
            entry.insert(
                "registrytoken".into(),
                Value::String(credential.registry_token.clone()),
            );
        }
        let mut c = self.lock();
        let auths = c
            .entry("auths")
            .or_insert_with(|| Value::Object(Map::new()));
        if !auths.is_object() {
            *auths = Value::Object(Map::new());
        }
        auths
            .as_object_mut()
            .expect("object")
            .insert(key, Value::Object(entry));
        let snapshot = c.clone();
        drop(c);
        self.save(&snapshot)
    }

    fn erase(&self, registry: &str) -> Result<(), CredentialError> {
        let key = server_address(registry);
        if let Some(helper) = self.helper_for(&key) {
            return helper.erase(&key);
        }
        let mut c = self.lock();
        let removed = c
            .get_mut("auths")
            .and_then(Value::as_object_mut)
            .and_then(|a| a.remove(&key))
            .is_some();
        if !removed {
            return Ok(());
        }
        let snapshot = c.clone();
        drop(c);
        self.save(&snapshot)
    }
}

/// The helper the platform's Docker uses by default, if installed:
/// `pass` when the `pass` program exists, else `secretservice` (Linux),
/// `osxkeychain` (macOS), `wincred` (Windows).
pub fn platform_default_helper(search_path: Option<OsString>) -> Option<CredentialHelper> {
    let name = if cfg!(target_os = "macos") {
        "osxkeychain"
    } else if cfg!(windows) {
        "wincred"
    } else if cfg!(target_os = "linux") {
        if find_in_path("pass", search_path.as_deref()).is_some() {
            "pass"
        } else {
            "secretservice"
        }
    } else {
        return None;
    };
    let helper = CredentialHelper::new(name);
    let helper = match search_path {
        Some(p) => helper.with_search_path(p),
        None => helper,
    };
    helper.is_installed().then_some(helper)
}

/// A native helper used as a store on its own (the platform default).
#[derive(Clone, Debug)]
pub struct HelperStore(pub CredentialHelper);

impl CredentialProvider for HelperStore {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, CredentialError> {
        self.0.get(&server_address(registry))
    }
}

impl CredentialStore for HelperStore {
    fn store(&self, registry: &str, credential: &Credential) -> Result<(), CredentialError> {
        self.0.store(&server_address(registry), credential)
    }
    fn erase(&self, registry: &str) -> Result<(), CredentialError> {
        self.0.erase(&server_address(registry))
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
    let with_path = |s: ConfigFileStore| match &helper_search_path {
        Some(p) => s.with_helper_search_path(p.clone()),
        None => s,
    };
    let notation = with_path(ConfigFileStore::load(notation_config)?);
    if notation.is_auth_configured() {
        return Ok(Box::new(notation));
    }
    let docker = with_path(ConfigFileStore::load(docker_config)?);
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

    /// A helper answering `<token>` with no secret has no credential
    /// (found by the credentials fuzz target: it gave an empty one).
    #[cfg(unix)]
    #[test]
    fn helper_token_without_secret_is_no_credential() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let helper = |name: &str, output: &str| {
            let path = dir.path().join(format!("docker-credential-{name}"));
            std::fs::write(&path, format!("#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            CredentialHelper::new(name).with_search_path(dir.path())
        };
        // Member names in any case, and null, as Go decodes them.
        let folded = helper(
            "folded",
            r#"{"serverurl":"r","USERNAME":"u","secret":null}"#,
        );
        assert_eq!(folded.get("r").unwrap(), Some(Credential::basic("u", "")));
        let folded = helper("folded2", r#"{"username":"u","SeCrEt":"p","Other":1}"#);
        assert_eq!(folded.get("r").unwrap(), Some(Credential::basic("u", "p")));
        // Of two spellings, the later in the document.
        let later = helper("later", r#"{"Username":"u","secret":"a","Secret":"b"}"#);
        assert_eq!(later.get("r").unwrap(), Some(Credential::basic("u", "b")));
        let later = helper("later2", r#"{"Username":"u","Secret":"b","secret":"a"}"#);
        assert_eq!(later.get("r").unwrap(), Some(Credential::basic("u", "a")));
        let none = helper("tokenless", r#"{"ServerURL":"r","Username":"<token>"}"#);
        assert_eq!(none.get("r").unwrap(), None);
        let token = helper("token", r#"{"Username":"<token>","Secret":"refresh"}"#);
        assert_eq!(
            token.get("r").unwrap(),
            Some(Credential::identity_token("refresh"))
        );
    }

    /// Helpers are found as Go's exec.LookPath finds programs: never in
    /// the current directory through an empty or relative `PATH` entry,
    /// never a file without an execute bit, never a name that is not one
    /// path component.
    #[cfg(unix)]
    #[test]
    fn helper_lookup_skips_relative_entries_and_plain_files() {
        use std::ffi::OsStr;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let write = |sub: &str, name: &str, mode: u32| {
            let d = dir.path().join(sub);
            std::fs::create_dir_all(&d).unwrap();
            let path = d.join(name);
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        };
        let plain = write("a", "docker-credential-x", 0o644);
        let real = write("b", "docker-credential-x", 0o755);
        let search =
            std::env::join_paths([plain.parent().unwrap(), real.parent().unwrap()]).unwrap();
        assert_eq!(
            find_in_path("docker-credential-x", Some(&search)),
            Some(real.clone())
        );
        // Relative entries, the empty one included, are not searched; the
        // current directory of the test holds no such file anyway, so an
        // entry naming the directory relative to it is used.
        let cwd = std::env::current_dir().unwrap();
        let relative = pathdiff(real.parent().unwrap(), &cwd);
        for entries in [
            format!("{}:", relative.display()),
            format!(":{}", relative.display()),
        ] {
            assert_eq!(
                find_in_path("docker-credential-x", Some(OsStr::new(&entries))),
                None,
                "{entries}"
            );
        }
        // A helper name with a separator names nothing.
        write("b/docker-credential-y", "evil", 0o755);
        let search = OsString::from(real.parent().unwrap());
        assert_eq!(
            find_in_path("docker-credential-y/evil", Some(&search)),
            None
        );
        assert!(
            !CredentialHelper::new("y/evil")
                .with_search_path(search)
                .is_installed()
        );
    }

    /// `to`, relative to `from` (both absolute): enough `..` and the rest.
    #[cfg(unix)]
    fn pathdiff(to: &Path, from: &Path) -> PathBuf {
        let common = to
            .components()
            .zip(from.components())
            .take_while(|(a, b)| a == b)
            .count();
        let mut out = PathBuf::new();
        for _ in from.components().skip(common) {
            out.push("..");
        }
        for c in to.components().skip(common) {
            out.push(c);
        }
        out
    }
}
