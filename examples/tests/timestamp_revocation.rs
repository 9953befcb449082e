//! `notation blob sign` and `notation sign` with `--timestamp-url` check
//! the TSA chain's revocation (REQUIREMENTS O1, the CVE-2024-56138 class;
//! audit finding "Medium"): against a real TSA (`openssl ts -reply`) whose
//! certificate is revoked by a real OCSP responder (`openssl ocsp`) or by a
//! CRL on loopback HTTP, both fail with the reason and write nothing: no
//! signature file, nothing pushed to Debian's `docker-registry`.

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::path::Path;

use common::{Env, copy_dir, vector};
use notation_oci::OciLayout;
use notation_oci::registry::{RegistryClient, RepositoryRef};
use support::registry::{Auth, Registry};
use support::servers::{self, RevokedBy, RevokedTsa};

const REVOKED: &str = "timestamping certificate with subject \"CN=Live Test TSA,O=Notary,L=Seattle,ST=WA,C=US\" is revoked";

fn revoked_tsa(env: &Env, by: RevokedBy) -> (RevokedTsa, String) {
    let dir = env.root().join(format!("tsa-{by:?}"));
    std::fs::create_dir_all(&dir).unwrap();
    let tsa = servers::revoked_tsa(&dir, by);
    (tsa, dir.join("root.crt").to_string_lossy().into_owned())
}

#[test]
fn blob_sign_with_a_revoked_tsa_fails_and_writes_nothing() {
    let env = Env::new();
    env.generate_test("signer", &["--default"]);
    let blob = env.write("file.txt", "content\n");
    let blob = blob.to_str().unwrap();
    for by in [RevokedBy::Ocsp, RevokedBy::Crl] {
        let (tsa, root) = revoked_tsa(&env, by);
        let url = tsa.tsa.url();
        env.run(&[
            "blob",
            "sign",
            "--timestamp-url",
            &url,
            "--timestamp-root-cert",
            &root,
            blob,
        ])
        .failure()
        .stderr_has(REVOKED);
        assert!(
            !env.path("file.txt.jws.sig").exists(),
            "{by:?}: a signature file was written"
        );
        // An existing signature is not replaced either.
        env.write("file.txt.jws.sig", "previous");
        env.run(&[
            "blob",
            "sign",
            "--force",
            "--timestamp-url",
            &url,
            "--timestamp-root-cert",
            &root,
            blob,
        ])
        .failure()
        .stderr_has(REVOKED);
        assert_eq!(
            std::fs::read(env.path("file.txt.jws.sig")).unwrap(),
            b"previous"
        );
        std::fs::remove_file(env.path("file.txt.jws.sig")).unwrap();
    }
}

const E2E_SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

/// Pushes MANIFEST 09's `e2e` image (blobs and manifest) to `repo`.
fn push_e2e(client: &RegistryClient, repo: &RepositoryRef, work: &Path) {
    let dir = work.join("e2e-layout");
    copy_dir(&vector("09-e2e-oci-layouts/layouts/e2e"), &dir);
    let layout = OciLayout::open(&dir).unwrap();
    for entry in std::fs::read_dir(dir.join("blobs/sha256")).unwrap() {
        let path = entry.unwrap().path();
        let digest = format!("sha256:{}", path.file_name().unwrap().to_string_lossy());
        client
            .push_blob(repo, &digest, &std::fs::read(&path).unwrap())
            .unwrap();
    }
    let subject = layout.resolve(E2E_SUBJECT).unwrap();
    let data = layout.read_blob(&subject, 1 << 22).unwrap();
    client
        .push_manifest(repo, E2E_SUBJECT, &subject.media_type, &data)
        .unwrap();
}

/// The requests of the registry's log that write (`PUT`, `POST`, `PATCH`).
fn writes(log: &str) -> usize {
    ["PUT", "POST", "PATCH"]
        .iter()
        .map(|m| log.matches(&format!("http.request.method={m}")).count())
        .sum()
}

#[test]
fn oci_sign_with_a_revoked_tsa_fails_and_pushes_nothing() {
    let registry = Registry::start(Auth::None);
    let env = Env::new();
    env.generate_test("signer", &["--default"]);
    let client = RegistryClient::new().unwrap();
    let repo = RepositoryRef::new(registry.host(), "net-monitor").unwrap();
    push_e2e(&client, &repo, &env.root());
    let pinned = format!("{}/net-monitor@{E2E_SUBJECT}", registry.host());
    let pushed_before = writes(&registry.log());
    assert!(pushed_before > 0, "the registry log records writes");
    for by in [RevokedBy::Ocsp, RevokedBy::Crl] {
        let (tsa, root) = revoked_tsa(&env, by);
        env.run(&[
            "sign",
            "--insecure-registry",
            "--timestamp-url",
            &tsa.tsa.url(),
            "--timestamp-root-cert",
            &root,
            &pinned,
        ])
        .failure()
        .stderr_has(REVOKED);
        assert_eq!(
            writes(&registry.log()),
            pushed_before,
            "{by:?}: the registry received writes:\n{}",
            registry.log()
        );
        env.run(&["ls", "--insecure-registry", &pinned])
            .success()
            .stdout_has("has no associated signature");
    }
}
