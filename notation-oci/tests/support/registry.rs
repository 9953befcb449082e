//! A real registry for tests: Debian's `docker-registry` (CNCF distribution
//! 2.8.2) started on a loopback port with a temporary configuration and
//! storage directory, killed on drop. Its stderr goes to a log file in the
//! temporary directory ([`Registry::log`]).
//!
//! The registry binds port 0 and reports the port it got in its log
//! ("listening on 127.0.0.1:<port>"); it is ready once `GET /v2/` on that
//! port answers with this instance's marker header (`http.headers` of its
//! configuration), so a test never talks to another process that happens
//! to hold a port.
//!
//! The binary is `$NOTATION_TEST_REGISTRY` if set, else `docker-registry`
//! on `PATH`, else `/usr/bin/docker-registry`. A missing binary is a test
//! failure, never a skip: install it with
//! `apt-get install -y docker-registry`.
//!
//! ```ignore
//! let registry = support::registry::Registry::start(Auth::Basic);
//! let host = registry.host(); // "127.0.0.1:<port>"
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::fixtures;
use super::token::{ISSUER, SERVICE, TokenIssuer};

/// How the registry authenticates clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Anonymous access.
    None,
    /// htpasswd (bcrypt) Basic auth: [`fixtures::USER`] / [`fixtures::PASSWORD`].
    Basic,
    /// Token auth against an in-process [`TokenIssuer`] that knows the same
    /// user.
    Token,
}

/// A running registry.
pub struct Registry {
    host: String,
    child: Child,
    dir: tempfile::TempDir,
    tls: bool,
    token: Option<TokenIssuer>,
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("NOTATION_TEST_REGISTRY").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("docker-registry");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    let fallback = PathBuf::from("/usr/bin/docker-registry");
    assert!(
        fallback.is_file(),
        "docker-registry (CNCF distribution 2.8) not found: install it with `apt-get install -y docker-registry` \
         or set NOTATION_TEST_REGISTRY to its path. Registry tests never skip."
    );
    fallback
}

/// The header every response of one registry instance carries.
const MARKER_HEADER: &str = "X-Notation-Test-Instance";

/// A value no other instance has.
fn instance_marker() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The port in the registry's "listening on 127.0.0.1:<port>" log line.
fn listening_port(log: &str) -> Option<u16> {
    let rest = &log[log.find("listening on 127.0.0.1:")? + "listening on 127.0.0.1:".len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn yaml_path(p: &Path) -> String {
    // Quoted for YAML; temp paths have no quotes.
    format!("\"{}\"", p.display())
}

impl Registry {
    /// Starts a plain-HTTP registry with this authentication.
    pub fn start(auth: Auth) -> Self {
        Self::start_with(auth, false)
    }

    /// Starts a registry serving TLS with `fixtures/tls-server.crt.pem`
    /// (issued by `fixtures/tls-ca.crt.pem` for localhost, 127.0.0.1, ::1).
    pub fn start_tls(auth: Auth) -> Self {
        Self::start_with(auth, true)
    }

    fn start_with(auth: Auth, tls: bool) -> Self {
        let bin = binary();
        let dir = tempfile::tempdir().unwrap();
        let marker = instance_marker();
        let token = (auth == Auth::Token)
            .then(|| TokenIssuer::start(&[(fixtures::USER, fixtures::PASSWORD)]));
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:0\n  secret: notation-rs-test-secret\n  headers:\n    {MARKER_HEADER}: [\"{marker}\"]\n",
            yaml_path(&dir.path().join("data"))
        );
        if tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                yaml_path(&fixtures::path("tls-server.crt.pem")),
                yaml_path(&fixtures::path("tls-server.key.pem"))
            ));
        }
        match auth {
            Auth::None => {}
            Auth::Basic => config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: notation-rs-test\n    path: {}\n",
                yaml_path(&fixtures::path("htpasswd"))
            )),
            Auth::Token => config.push_str(&format!(
                "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
                token.as_ref().unwrap().realm(),
                yaml_path(&fixtures::path("token-signing.crt.pem"))
            )),
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log_path = dir.path().join("registry.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(&bin)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut registry = Registry {
            host: String::new(),
            child,
            dir,
            tls,
            token,
        };
        if let Err(log) = registry.wait_ready(&marker) {
            panic!("docker-registry did not start: {log}");
        }
        registry
    }

    /// Waits for the port in the log, then for `GET /v2/` on it to answer
    /// with this instance's marker.
    fn wait_ready(&mut self, marker: &str) -> Result<(), String> {
        use notation_oci::registry::transport::{
            HttpRequest, HttpTransport, Method, Timeouts, TrustRoots, UreqTransport,
        };
        let roots = TrustRoots::none().with_pem(&Self::tls_ca_pem()).unwrap();
        let probe = UreqTransport::new(
            &roots,
            Timeouts::default()
                .connect(Duration::from_secs(2))
                .read(Duration::from_secs(2)),
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = String::from("no port in the log yet");
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("exited with {status}:\n{}", self.log()));
            }
            if self.host.is_empty()
                && let Some(port) = listening_port(&self.log())
            {
                self.host = format!("127.0.0.1:{port}");
            }
            if !self.host.is_empty() {
                match probe.send(&HttpRequest::new(
                    Method::Get,
                    format!("{}/v2/", self.url()),
                )) {
                    Ok(r) if r.headers().get(MARKER_HEADER) == Some(marker) => return Ok(()),
                    Ok(r) => {
                        return Err(format!(
                            "{} answered without this instance's marker (status {}): another process?",
                            self.host,
                            r.status()
                        ));
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        Err(format!("not ready after 30 s ({last}):\n{}", self.log()))
    }

    /// `127.0.0.1:<port>`: the registry part of references.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `http://` or `https://` + host.
    pub fn url(&self) -> String {
        format!(
            "{}://{}",
            if self.tls { "https" } else { "http" },
            self.host
        )
    }

    /// The registry's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The token issuer (token auth only).
    pub fn token_issuer(&self) -> Option<&TokenIssuer> {
        self.token.as_ref()
    }

    /// The CA certificate of the TLS fixtures (PEM).
    pub fn tls_ca_pem() -> Vec<u8> {
        std::fs::read(fixtures::path("tls-ca.crt.pem")).unwrap()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
