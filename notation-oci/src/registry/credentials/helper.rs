//! Docker credential helpers: [`CredentialHelper`] runs
//! `docker-credential-<name>` (found on `PATH` as Go's `LookPath` finds
//! it), [`platform_default_helper`] is the one Docker uses by default, and
//! [`HelperStore`] uses a helper as a store on its own.

use super::*;

/// A Docker credential helper, `docker-credential-<name>`, speaking the
/// helper protocol: `get` (server address on stdin, JSON
/// `{"ServerURL","Username","Secret"}` on stdout), `store` (that JSON on
/// stdin), `erase` (server address on stdin). Output is read up to
/// [`MAX_HELPER_OUTPUT`] bytes, a call is killed after
/// [`DEFAULT_HELPER_TIMEOUT`], and the helper does not see the Notation
/// CLI's credentials (`NOTATION_USERNAME`, `NOTATION_PASSWORD`). When
/// this process has a controlling terminal the helper may prompt on it
/// (it runs in our process group with our standard error); otherwise it
/// runs in a process group of its own, killed as a whole at its timeout.
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
        // A helper may ask the user (`pass` has gpg's pinentry ask for a
        // passphrase on the terminal). With a terminal to ask on it runs
        // in our process group, so that it can read from the terminal, and
        // its standard error is ours, as the reference runs it. Without
        // one (CI, services, a library's host) nobody can answer: it runs
        // in a process group of its own, killed as a whole, so that one
        // that backgrounds a child holding its output cannot hang us, and
        // its standard error is kept for our error message.
        let terminal = notation_core::process::has_controlling_terminal();
        let output = HelperCommand::new(cmd, MAX_HELPER_OUTPUT as usize)
            .timeout(self.timeout)
            .own_process_group(!terminal)
            .pass_stderr(terminal)
            .run(input)
            .map_err(|e| match e {
                HelperError::OutputTooLarge { .. } => CredentialError::HelperOutputTooLarge {
                    helper: self.name.clone(),
                    action,
                },
                HelperError::Spawn(e) => helper_err(format!("cannot run: {e}")),
                HelperError::TimedOut(d) => helper_err(format!(
                    "did not answer within {}",
                    crate::registry::error::DurationText(d)
                )),
                other => helper_err(other.to_string()),
            })?;
        let (status, stdout, stderr) = (output.status, output.stdout, output.stderr);
        if !status.success() {
            // Helpers print their error message on stdout (docker-credential-
            // helpers' convention); fall back to stderr when it was kept,
            // then the status.
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

#[cfg(test)]
mod tests {
    use super::*;

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
