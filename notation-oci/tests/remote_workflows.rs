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

use notation_core::crypto::RingProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::{Credential, RegistryClient, RepositoryRef};
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::{self, SignOptions, VerifyOptions, WorkflowError};
use notation_oci::{Reference, RemoteRepository};
use support::fixtures::push_image;
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
            &RingProvider,
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
    // Issue 12 item 6: verify with the reference the repository was opened
    // with; a reference of another repository is refused (its policy
    // would be applied to this repository's artifact).
    let verdict =
        workflow::verify_reference(&repo, &reference, &verifier, &VerifyOptions::new()).unwrap();
    assert_eq!(
        verdict.verified().unwrap().artifact().digest,
        digest,
        "{verdict:?}"
    );
    let other = Reference::parse(&format!("{host}/other:v1")).unwrap();
    assert!(matches!(
        workflow::verify_reference(&repo, &other, &verifier, &VerifyOptions::new()),
        Err(WorkflowError::RepositoryMismatch { .. })
    ));
    // Issue 12 item 4: a digest the registry does not have is "not found",
    // and the message names it (not "HEAD <url>: response status 404").
    let missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let err = workflow::verify(
        &repo,
        &reference.scope(),
        missing,
        &verifier,
        &VerifyOptions::new(),
    )
    .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("{}@{missing}: not found", reference.scope())
    );
    let err = repo.resolve("no-such-tag").unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("{}:no-such-tag: not found", reference.scope())
    );
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
        &RingProvider,
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
        &RingProvider,
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
            &RingProvider,
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

/// Records what a client's observer is told.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

impl notation_oci::registry::RegistryObserver for Recorder {
    fn request(&self, id: u64, r: &notation_oci::registry::observe::ObservedRequest) {
        let mut line = format!("#{id} > {} {}", r.method(), r.url());
        for (n, v) in r.headers() {
            line.push_str(&format!(" [{n}: {v}]"));
        }
        self.0.lock().unwrap().push(line);
    }
    fn response(&self, id: u64, r: &notation_oci::registry::observe::ObservedResponse) {
        let mut line = format!("#{id} < {}", r.status_line());
        for (n, v) in r.headers() {
            line.push_str(&format!(" [{n}: {v}]"));
        }
        self.0.lock().unwrap().push(line);
    }
    fn event(&self, e: &notation_oci::registry::observe::RegistryEvent<'_>) {
        self.0.lock().unwrap().push(format!("event {e:?}"));
    }
}

/// The observer (the CLI's `-d`) sees every exchange with the credentials
/// redacted, and which referrers mechanism was used: the tag schema on
/// distribution (token auth: the token request is seen too), the
/// referrers API on the spec registry.
#[test]
fn observer_sees_redacted_exchanges_and_the_referrers_mechanism() {
    let registry = Registry::start(Auth::Token);
    let spec = OciRegistry::start();
    for (host, tag_schema) in [(registry.host().to_string(), true), (spec.host(), false)] {
        let recorder = Arc::new(Recorder::default());
        let client = RegistryClient::builder()
            .credentials(StaticCredentials::any_registry(Credential::basic(
                support::fixtures::USER,
                support::fixtures::PASSWORD,
            )))
            .observer(recorder.clone())
            .build()
            .unwrap();
        let (repo, reference) = remote(&client, &host);
        let digest = push_image(
            &client,
            &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
        );
        workflow::sign(
            &repo,
            &digest,
            &signer("ec-256"),
            &SignOptions::new(EnvelopeFormat::Jws),
            &RingProvider,
        )
        .unwrap();
        let (_, _, listed) = workflow::list(&repo, &digest).unwrap();
        assert_eq!(listed.len(), 1);
        let seen = recorder.0.lock().unwrap().join("\n");
        let exchanges = seen.lines().filter(|l| l.contains(" > ")).count() as u64;
        assert_eq!(exchanges, client.request_count(), "{seen}");
        assert!(
            seen.contains(&format!(
                "#0 > POST http://{host}/v2/net-monitor/blobs/uploads/"
            )),
            "{seen}"
        );
        assert!(seen.contains(" < 201 Created"), "{seen}");
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            support::fixtures::USER,
            support::fixtures::PASSWORD
        ));
        assert!(!seen.contains(&basic), "{seen}");
        assert!(!seen.contains(support::fixtures::PASSWORD), "{seen}");
        assert!(!seen.contains("Bearer ey"), "{seen}");
        let subject_event = if tag_schema {
            format!("event ReferrerAddedToTagSchema {{ subject: \"{digest}\"")
        } else {
            format!("event ReferrerIndexedByRegistry {{ subject: \"{digest}\"")
        };
        assert!(seen.contains(&subject_event), "{seen}");
        let list_event = if tag_schema {
            format!("event ReferrersListedWithTagSchema {{ subject: \"{digest}\"")
        } else {
            format!("event ReferrersListedWithApi {{ subject: \"{digest}\"")
        };
        assert!(seen.contains(&list_event), "{seen}");
        if tag_schema {
            // Token auth: the Authorization header was sent and redacted.
            assert!(seen.contains("[Authorization: *****]"), "{seen}");
            assert!(
                seen.to_ascii_lowercase()
                    .contains("[www-authenticate: bearer realm="),
                "{seen}"
            );
        }
    }
}
