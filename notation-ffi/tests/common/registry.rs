//! A real registry for the tests: Debian's `docker-registry` (CNCF
//! distribution 2.8) on a free loopback port, anonymous or with htpasswd
//! Basic auth. A missing `docker-registry` or `htpasswd` fails the test
//! (scripts/test.sh installs them).

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use notation_oci::registry::{RegistryClient, RepositoryRef};

use super::{E2E_DIGEST, conformance, require};

pub const USER: &str = "notation";
pub const PASSWORD: &str = "correct horse";

pub struct Registry {
    pub host: String,
    child: Child,
    pub dir: tempfile::TempDir,
}

impl Registry {
    pub fn start(basic_auth: bool) -> Self {
        require("docker-registry", "--version", "the registry tests");
        let mut last = String::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let host = format!("127.0.0.1:{port}");
            let mut config = format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: \"{}\"\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n  secret: notation-ffi-test\n",
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
            let mut registry = Registry { host, child, dir };
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = registry.child.try_wait() {
                    break;
                }
                if TcpStream::connect(&registry.host).is_ok() {
                    return registry;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            last = std::fs::read_to_string(registry.dir.path().join("registry.log")).unwrap();
        }
        panic!("docker-registry did not start:\n{last}");
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
