//! The example programs of notation-oci (`examples/`), run against real
//! stores: `verify_layout` on an OCI layout signed here, `verify_registry`
//! on an image signed in Debian's `docker-registry` (issue 12: the tasks a
//! new user tried, each a short program).

mod support;

#[allow(dead_code)]
#[path = "../examples/verify_layout.rs"]
mod verify_layout;
#[allow(dead_code)]
#[path = "../examples/verify_registry.rs"]
mod verify_registry;

use std::path::{Path, PathBuf};

use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_oci::registry::{RegistryClient, RepositoryRef};
use notation_oci::workflow::{self, SignOptions};
use notation_oci::{OciLayout, Reference, RemoteRepository};
use support::fixtures::{conformance, copy_dir, push_image};
use support::registry::{Auth, Registry};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

fn signer() -> LocalSigner {
    LocalSigner::from_files(&pki("ec-256.key"), &pki("ec-256.chain.pem")).unwrap()
}

/// The leaf's subject as the examples print it.
fn signer_subject() -> String {
    signer().certificate_chain()[0].subject().to_string()
}

/// A configuration directory trusting the test PKI's root for `scope`.
fn config(dir: &Path, scope: &str) -> PathBuf {
    let config = dir.join("config");
    std::fs::create_dir_all(config.join("truststore/x509/ca/root")).unwrap();
    std::fs::copy(
        pki("root.crt"),
        config.join("truststore/x509/ca/root/root.crt"),
    )
    .unwrap();
    std::fs::write(
        config.join("trustpolicy.oci.json"),
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["{scope}"],
            "signatureVerification":{{"level":"strict"}},"trustStores":["ca:root"],"trustedIdentities":["*"]}}]}}"#
        ),
    )
    .unwrap();
    config
}

#[test]
fn verify_layout_prints_the_signer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout");
    copy_dir(&conformance().join("09-e2e-oci-layouts/layouts/e2e"), &path);
    let layout = OciLayout::open(&path).unwrap();
    let signed = workflow::sign_artifact(
        &layout,
        "v1",
        &signer(),
        &SignOptions::new(EnvelopeFormat::Jws),
    )
    .unwrap();
    let printed = verify_layout::verify(
        path.to_str().unwrap(),
        "local/app:v1",
        &config(dir.path(), "local/app"),
    )
    .unwrap();
    assert_eq!(
        printed,
        format!("{} signed by {}", signed.artifact.digest, signer_subject())
    );
    // Another scope has no statement: the example fails with the policy's
    // reason.
    let err = verify_layout::verify(
        path.to_str().unwrap(),
        "local/other:v1",
        &config(dir.path(), "local/app"),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("has no applicable oci trust policy statement"),
        "{err}"
    );
}

#[test]
fn verify_registry_prints_the_signer() {
    let registry = Registry::start(Auth::None);
    let client = RegistryClient::new().unwrap();
    let reference = Reference::parse(&format!("{}/net-monitor:v1", registry.host())).unwrap();
    let digest = push_image(
        &client,
        &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
    );
    let repo = RemoteRepository::new(client, &reference).unwrap();
    workflow::sign_artifact(
        &repo,
        &digest,
        &signer(),
        &SignOptions::new(EnvelopeFormat::Cose),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The test PKI names no OCSP or CRL server: online revocation checking
    // has nothing to ask and the chain passes.
    let printed = verify_registry::verify(
        &reference.to_string(),
        &config(dir.path(), &reference.scope()),
    )
    .unwrap();
    assert_eq!(printed, format!("{digest} signed by {}", signer_subject()));
}
