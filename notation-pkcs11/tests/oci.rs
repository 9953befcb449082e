//! Signing an image in a real registry (Debian's `docker-registry`, CNCF
//! distribution 2.8.2: the referrers tag schema) with a key on a SoftHSM
//! token, in process and through the `notation-pkcs11` plugin, in both
//! envelope formats; the existing verifier then verifies every signature.

#[path = "../../notation-oci/tests/support/mod.rs"]
mod oci_support;
mod support;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::plugin::{PluginDirectory, PluginLocator, PluginSigner};
use notation_core::verifier::ArtifactVerifyOptions;
use notation_oci::oci::{EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_IMAGE_MANIFEST};
use notation_oci::registry::{RegistryClient, RepositoryRef};
use notation_oci::repository::SignatureRepository;
use notation_oci::workflow::{self, ArtifactSigner, SignOptions, VerifyOptions};
use notation_oci::{Reference, RemoteRepository};
use notation_pkcs11::{Pin, Pkcs11Signer, Pkcs11Uri};
use oci_support::registry::{Auth, Registry};
use support::softhsm::{PIN, hsm, pki};
use support::verify::verifier;

fn push_image(client: &RegistryClient, repo: &RepositoryRef) -> String {
    let layer = b"an image layer";
    let layer_digest = notation_oci::oci::sha256_digest(layer);
    client.push_blob(repo, &layer_digest, layer).unwrap();
    client
        .push_blob(repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_JSON_DIGEST, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    }))
    .unwrap();
    client
        .push_manifest(repo, "v1", MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
        .unwrap()
        .descriptor
        .digest
}

#[test]
fn images_signed_on_a_token_verify() {
    let _serial = support::softhsm::exclusive();
    let registry = Registry::start(Auth::None);
    let client = RegistryClient::new().unwrap();
    let reference = Reference::parse(&format!("{}/hsm-signed:v1", registry.host())).unwrap();
    let repo_ref = RepositoryRef::new(reference.registry(), reference.repository()).unwrap();
    let digest = push_image(&client, &repo_ref);
    let repo = RemoteRepository::new(client.clone(), &reference).unwrap();

    // In process.
    let in_process = Pkcs11Signer::builder(Pkcs11Uri::parse(&hsm().uri("ec-384")).unwrap())
        .pin(Pin::from_bytes(PIN.into()))
        .certificate_chain_file(pki("ec-384.chain.pem"))
        .build()
        .unwrap();
    // Through the plugin executable.
    let plugins_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(plugins_dir.path().join("pkcs11")).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_notation-pkcs11"),
        plugins_dir.path().join("pkcs11/notation-pkcs11"),
    )
    .unwrap();
    let plugins = PluginDirectory::new(plugins_dir.path());
    let key_id = format!(
        "{}&pin-source={}",
        hsm().uri("rsa-3072"),
        hsm().pin_file().display()
    );
    let plugin = PluginSigner::new(plugins.locate("pkcs11").unwrap(), key_id)
        .unwrap()
        .with_plugin_config(
            [(
                "certificate_chain".to_string(),
                pki("rsa-3072.chain.pem").display().to_string(),
            )]
            .into(),
        );

    let mut signed = Vec::new();
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        for signer in [
            ArtifactSigner::Signer(&in_process),
            ArtifactSigner::Plugin(&plugin),
        ] {
            let result = workflow::sign_with(
                &repo,
                "v1",
                signer,
                &SignOptions::new(format),
                &DefaultProvider,
            )
            .unwrap_or_else(|e| panic!("{format:?} {signer:?}: {e}"));
            assert_eq!(result.artifact.digest, digest);
            signed.push(result.pushed);
        }
    }
    // Every one of the four signatures verifies on its own.
    let (artifact, _, listed) = workflow::list(&repo, &digest).unwrap();
    assert_eq!(listed.len(), 4);
    let verifier = verifier();
    let display = format!("{}@{digest}", reference.scope());
    for signature in &listed {
        let (manifest, envelope) = repo.fetch_signature(signature, &artifact).unwrap();
        verifier
            .verify_artifact(
                &display,
                &artifact.to_payload_descriptor(),
                &envelope,
                &manifest.envelope.media_type,
                &ArtifactVerifyOptions::new(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", signature.digest));
    }
    let verified = workflow::verify(
        &repo,
        &reference.scope(),
        &digest,
        &verifier,
        &VerifyOptions::new(),
    )
    .unwrap();
    assert!(verified.verified.is_some());
    assert!(verified.failures.is_empty(), "{:?}", verified.failures);
    assert_eq!(signed.len(), 4);
}
