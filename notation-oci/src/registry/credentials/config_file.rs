//! Docker-format `config.json` files as a credential store
//! ([`ConfigFileStore`]), and where Docker's and Notation's are.

use super::*;

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

/// Docker's `config.json` as the reference finds it:
/// `$DOCKER_CONFIG/config.json`, else `.docker/config.json` in the home
/// directory (`HOME`; `USERPROFILE` on Windows). When neither variable
/// is set the file has no place, and this is
/// [`CredentialError::NoHomeDirectory`], as in the reference (oras-go's
/// `NewStoreFromDocker`): a path relative to the working directory would
/// take whatever `.docker/config.json` that directory holds.
pub fn docker_config_file() -> Result<PathBuf, CredentialError> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("config.json"));
    }
    let home = std::env::var_os(HOME_VARIABLE)
        .filter(|h| !h.is_empty())
        .ok_or(CredentialError::NoHomeDirectory {
            variable: HOME_VARIABLE,
        })?;
    Ok(PathBuf::from(home).join(".docker").join("config.json"))
}

/// The variable that names the home directory.
const HOME_VARIABLE: &str = if cfg!(windows) { "USERPROFILE" } else { "HOME" };

/// Docker's config path: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`; with neither `DOCKER_CONFIG` nor a home
/// directory, `.docker/config.json` relative to the working directory.
#[deprecated(
    note = "use docker_config_file: without DOCKER_CONFIG and HOME this path is relative to the working directory"
)]
pub fn docker_config_path() -> PathBuf {
    docker_config_file().unwrap_or_else(|_| PathBuf::from(".docker").join("config.json"))
}

/// Notation's config path: `{NOTATION_CONFIG or the platform default}/config.json`.
pub fn notation_config_path() -> PathBuf {
    notation_core::config::config_dir().join(notation_core::config::CONFIG_FILE)
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
    let data = match notation_core::file::read_regular_bounded(path, MAX_CONFIG_SIZE) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => return Err(io(e)),
    };
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
