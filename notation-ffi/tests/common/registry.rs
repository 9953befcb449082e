//! A real registry for the tests: Debian's `docker-registry` (CNCF
//! distribution 2.8) on a free loopback port, anonymous or with htpasswd
//! Basic auth. A missing `docker-registry` or `htpasswd` fails the test
//! (scripts/test.sh installs them).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use notation_oci::registry::transport::{
    HttpRequest, HttpTransport, Method, Timeouts, TrustRoots, UreqTransport,
};
use notation_oci::registry::{RegistryClient, RepositoryRef};

/// The header every response of the registry a test started carries.
const MARKER_HEADER: &str = "X-Notation-Test-Instance";

use super::{E2E_DIGEST, conformance, require};

pub const USER: &str = "notation";
pub const PASSWORD: &str = "correct horse";

pub struct Registry {
    pub host: String,
    child: Child,
    pub dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry on a port it binds itself (no port freed before it
    /// binds), read from its log; it is ready when `GET /v2/` answers with
    /// this instance's marker header, so another server that happens to
    /// listen there is never mistaken for it.
    pub fn start(basic_auth: bool) -> Self {
        require("docker-registry", "--version", "the registry tests");
        let dir = tempfile::tempdir().unwrap();
        let marker = format!(
            "{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
        );
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: \"{}\"\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:0\n  secret: notation-ffi-test\n  headers:\n    {MARKER_HEADER}: [\"{marker}\"]\n",
            dir.path().join("data").display()
        );
        if basic_auth {
            require("htpasswd", "-h", "the registry tests");
            let out = Command::new("htpasswd")
                .args(["-Bbn", USER, PASSWORD])
                .output()
                .unwrap();
            assert!(out.status.success(), "htpasswd failed");
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, out.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: notation-ffi-test\n    path: \"{}\"\n",
                file.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let mut registry = Registry {
            host: String::new(),
            child,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = registry.child.try_wait() {
                panic!("docker-registry exited with {status}:\n{}", registry.log());
            }
            let log = registry.log();
            if registry.host.is_empty()
                && let Some(i) = log.find("listening on 127.0.0.1:")
            {
                let port: String = log[i + "listening on 127.0.0.1:".len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                registry.host = format!("127.0.0.1:{port}");
            }
            if !registry.host.is_empty() {
                let probe =
                    UreqTransport::new(&TrustRoots::platform(), Timeouts::default()).unwrap();
                let url = format!("http://{}/v2/", registry.host);
                if let Ok(r) = probe.send(&HttpRequest::new(Method::Get, url)) {
                    assert_eq!(
                        r.headers().get(MARKER_HEADER),
                        Some(marker.as_str()),
                        "{} is not the registry this test started",
                        registry.host
                    );
                    return registry;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("docker-registry not ready after 30 s:\n{}", registry.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Pushes the conformance e2e layout's manifest (and its blobs) as
    /// `<repository>:v1`.
    pub fn push_e2e(&self, repository: &str, client: &RegistryClient) {
        let layout = conformance("09-e2e-oci-layouts/layouts/e2e");
        let repo = RepositoryRef::new(self.host.clone(), repository).unwrap();
        let blobs = layout.join("blobs/sha256");
        for entry in std::fs::read_dir(&blobs).unwrap() {
            let path = entry.unwrap().path();
            let digest = format!("sha256:{}", path.file_name().unwrap().to_str().unwrap());
            if digest != E2E_DIGEST {
                client
                    .push_blob(&repo, &digest, &std::fs::read(&path).unwrap())
                    .unwrap();
            }
        }
        let manifest = std::fs::read(blobs.join(E2E_DIGEST.trim_start_matches("sha256:"))).unwrap();
        client
            .push_manifest(
                &repo,
                "v1",
                "application/vnd.oci.image.manifest.v1+json",
                &manifest,
            )
            .unwrap();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
