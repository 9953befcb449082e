//! The OCI sign/verify/list/inspect workflows against registries (T1, T2,
//! Q1-Q9, U): CNCF distribution 2.8.2 (Debian's `docker-registry`, no
//! referrers API: the referrers tag schema) plain, with Basic auth and with
//! token auth; and an in-process registry written to the OCI distribution
//! spec v1.1 for the referrers API, which no installable registry provides
//! here. The request counts of one sign and one verify are printed and
//! asserted: they are the least the protocol allows.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::oci::{EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_IMAGE_MANIFEST};
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::{Credential, RegistryClient, RepositoryRef};
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::{self, SignOptions, VerifyOptions, WorkflowError};
use notation_oci::{Reference, RemoteRepository};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

fn signer(name: &str) -> LocalSigner {
    LocalSigner::from_files(
        &pki(&format!("{name}.key")),
        &pki(&format!("{name}.chain.pem")),
    )
    .unwrap()
}

fn verifier() -> Verifier {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "root",
            Certificate::parse_many(&std::fs::read(pki("root.crt")).unwrap()).unwrap(),
        )
        .unwrap();
    let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;
    Verifier::builder(Arc::new(store))
        .oci_policy(OciTrustPolicyDocument::from_json(policy).unwrap())
        .build()
        .unwrap()
}

/// Pushes a small image (empty config, one layer) tagged `v1`; returns its
/// digest.
fn push_image(client: &RegistryClient, repo: &RepositoryRef) -> String {
    let layer = b"layer contents";
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

fn remote(client: &RegistryClient, host: &str) -> (RemoteRepository, Reference) {
    let reference = Reference::parse(&format!("{host}/net-monitor:v1")).unwrap();
    (
        RemoteRepository::new(client.clone(), &reference).unwrap(),
        reference,
    )
}

/// Signs `count` times (alternating formats and manifest forms), verifies,
/// lists and inspects; returns (requests of the last sign, requests of one
/// verify).
fn sign_and_verify(client: &RegistryClient, host: &str) -> (u64, u64) {
    let (repo, reference) = remote(client, host);
    let digest = push_image(
        client,
        &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
    );
    let verifier = verifier();
    let cases = [
        (
            "ec-256",
            EnvelopeFormat::Jws,
            SignatureManifestForm::ArtifactType,
        ),
        (
            "rsa-2048",
            EnvelopeFormat::Cose,
            SignatureManifestForm::ConfigMediaType,
        ),
        (
            "ec-384",
            EnvelopeFormat::Cose,
            SignatureManifestForm::ArtifactType,
        ),
    ];
    let mut sign_requests = 0;
    for (name, format, form) in cases {
        let before = client.request_count();
        let signed = workflow::sign(
            &repo,
            &digest,
            &signer(name),
            &SignOptions::new(format).manifest_form(form),
            &DefaultProvider,
        )
        .unwrap();
        sign_requests = client.request_count() - before;
        assert_eq!(signed.artifact.digest, digest);
        assert!(!signed.resolved_from_tag);
        assert!(
            signed.pushed.warnings.is_empty(),
            "{:?}",
            signed.pushed.warnings
        );
    }
    let (_, _, listed) = workflow::list(&repo, "v1").unwrap();
    assert_eq!(listed.len(), 3);
    let before = client.request_count();
    let ok = workflow::verify(
        &repo,
        &reference.scope(),
        &digest,
        &verifier,
        &VerifyOptions::new(),
    )
    .unwrap();
    let verify_requests = client.request_count() - before;
    assert!(ok.verified.is_some());
    let (_, _, inspected) = workflow::inspect(&repo, &digest, 100).unwrap();
    assert_eq!(inspected.len(), 3);
    assert!(inspected.iter().all(|i| i.content.is_ok()));
    // User metadata: required but absent fails every signature.
    let md: BTreeMap<String, String> = [("k".to_string(), "v".to_string())].into();
    assert!(matches!(
        workflow::verify(
            &repo,
            &reference.scope(),
            &digest,
            &verifier,
            &VerifyOptions::new().user_metadata(md)
        ),
        Err(WorkflowError::AllFailed { .. })
    ));
    (sign_requests, verify_requests)
}

/// Writes a line to the test log even when the test passes: libtest
/// captures the print macros, not writes to the stderr handle.
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn distribution_tag_schema_requests_are_minimal() {
    let registry = Registry::start(Auth::None);
    let client = RegistryClient::new().unwrap();
    let (sign, verify) = sign_and_verify(&client, registry.host());
    // Sign: resolve (HEAD) 1, envelope upload (POST + PUT) 2, config
    // present (HEAD) 1, manifest PUT 1, tag index GET 1 + PUT 1 + DELETE of
    // the superseded index 1.
    // Verify: resolve 1, referrers API (404) 1, tag index 1, signature
    // manifest 1, envelope 1.
    report(&format!(
        "request counts against distribution 2.8.2 (tag schema): sign={sign} verify={verify}"
    ));
    assert_eq!((sign, verify), (8, 5));
    // The tag index lists all three signatures.
    let (_, reference) = remote(&client, registry.host());
    let repo = RepositoryRef::new(reference.registry(), reference.repository()).unwrap();
    let digest = client.resolve(&repo, "v1").unwrap().digest;
    let tag = notation_oci::referrers::referrers_tag(&digest).unwrap();
    let (_, index) = client.fetch_manifest(&repo, &tag, 1 << 20).unwrap();
    let index = notation_oci::oci::ImageIndex::from_json(&index).unwrap();
    assert_eq!(index.manifests.len(), 3);
    assert!(
        index
            .manifests
            .iter()
            .all(|m| m.artifact_type.as_deref() == Some(notation_oci::oci::ARTIFACT_TYPE_NOTATION))
    );
}

#[test]
fn referrers_api_requests_are_minimal() {
    let registry = OciRegistry::start();
    let client = RegistryClient::new().unwrap();
    let (sign, verify) = sign_and_verify(&client, &registry.host());
    // Sign: resolve 1, envelope 2, config HEAD 1, manifest PUT 1 (OCI-Subject:
    // no tag index). Verify: resolve 1, referrers 1, manifest 1, envelope 1.
    report(&format!(
        "request counts against the referrers API: sign={sign} verify={verify}"
    ));
    assert_eq!((sign, verify), (5, 4));
    let digest = client
        .resolve(
            &RepositoryRef::new(registry.host(), "net-monitor").unwrap(),
            "v1",
        )
        .unwrap()
        .digest;
    assert!(!registry.has_tag(
        "net-monitor",
        &notation_oci::referrers::referrers_tag(&digest).unwrap()
    ));
}

#[test]
fn force_referrers_tag_writes_the_index_even_with_the_api() {
    let registry = OciRegistry::start();
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, &registry.host());
    let digest = push_image(
        &client,
        &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
    );
    let repo = repo.force_referrers_tag(true);
    workflow::sign(
        &repo,
        &digest,
        &signer("ec-256"),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();
    assert!(registry.has_tag(
        "net-monitor",
        &notation_oci::referrers::referrers_tag(&digest).unwrap()
    ));
}

#[test]
fn basic_and_token_auth() {
    for auth in [Auth::Basic, Auth::Token] {
        let registry = Registry::start(auth);
        let client = RegistryClient::builder()
            .credentials(StaticCredentials::any_registry(Credential::basic(
                support::fixtures::USER,
                support::fixtures::PASSWORD,
            )))
            .build()
            .unwrap();
        let (sign, verify) = sign_and_verify(&client, registry.host());
        println!(
            "request counts with {auth:?} auth (credentials cached): sign={sign} verify={verify}"
        );
        // Credentials and tokens are cached for the client's lifetime: the
        // later operations cost what they cost without auth, except the
        // pull-scoped verify whose push-scoped token already covers it.
        assert_eq!((sign, verify), (8, 5), "{auth:?}");
    }
}

/// A registry that rewrites a signature manifest's subject: the signature
/// does not verify, and no wrong verdict comes out (the client checks
/// digests, so the rewritten manifest fails integrity before parsing).
#[test]
fn lying_registry_never_gives_a_wrong_verdict() {
    let tamper: Arc<support::oci_registry::Tamper> = Arc::new(|_digest: &str, bytes: Vec<u8>| {
        let mut v: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(_) => return bytes,
        };
        if v.get("subject").is_some() {
            v["subject"]["digest"] = serde_json::json!(format!("sha256:{}", "0".repeat(64)));
            return serde_json::to_vec(&v).unwrap();
        }
        bytes
    });
    let registry = OciRegistry::start_with(Some(tamper));
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, &registry.host());
    let digest = push_image(
        &client,
        &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
    );
    workflow::sign(
        &repo,
        &digest,
        &signer("ec-256"),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();
    match workflow::verify(
        &repo,
        &reference.scope(),
        &digest,
        &verifier(),
        &VerifyOptions::new(),
    ) {
        Err(WorkflowError::AllFailed { failures, .. }) => {
            assert_eq!(failures.len(), 1);
            let text = failures[0].to_string();
            assert!(
                text.contains("unable to retrieve digital signature"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// More signatures than `--max-signatures`, none verifying: evaluation
/// stops at the limit with the reference's message (U).
#[test]
fn max_signatures_limit() {
    let registry = OciRegistry::start();
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, &registry.host());
    let digest = push_image(
        &client,
        &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
    );
    for _ in 0..3 {
        workflow::sign(
            &repo,
            &digest,
            &signer("ec-256"),
            &SignOptions::new(EnvelopeFormat::Jws),
            &DefaultProvider,
        )
        .unwrap();
    }
    let md: BTreeMap<String, String> = [("k".to_string(), "v".to_string())].into();
    let err = workflow::verify(
        &repo,
        &reference.scope(),
        &digest,
        &verifier(),
        &VerifyOptions::new().user_metadata(md).max_signatures(2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "signature evaluation stopped. The configured limit of 2 signatures to verify per artifact exceeded"
    );
    // A digest the registry resolves differently is refused (Q8).
    assert!(matches!(
        workflow::verify(
            &repo,
            &reference.scope(),
            &format!("sha256:{}", "1".repeat(64)),
            &verifier(),
            &VerifyOptions::new()
        ),
        Err(WorkflowError::Repository(_))
    ));
    let _ = repo.resolve("v1").unwrap();
}
