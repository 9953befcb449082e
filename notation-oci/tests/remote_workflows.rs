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

/// Requests per operation, from a new client (as a `notation` process
/// starts) and from a client that has signed before in the same process.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    /// The first signature of the artifact, new client.
    first: u64,
    /// A later signature, new client.
    later: u64,
    /// A verification, new client.
    verify: u64,
    /// A later signature, from the client of the previous one.
    later_same_client: u64,
    /// A verification, from that client too.
    verify_same_client: u64,
}

/// Signs three times (alternating formats and manifest forms), verifies,
/// lists and inspects, counting the requests of each operation.
fn sign_and_verify(new_client: &dyn Fn() -> RegistryClient, host: &str) -> Counts {
    let setup = new_client();
    let (_, reference) = remote(&setup, host);
    let digest = push_image(
        &setup,
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
    let mut sign_counts = Vec::new();
    let mut client = new_client();
    for (i, (name, format, form)) in cases.into_iter().enumerate() {
        // The last signature reuses the client of the one before.
        if i < 2 {
            client = new_client();
        }
        let (repo, _) = remote(&client, host);
        let before = client.request_count();
        let signed = workflow::sign(
            &repo,
            &digest,
            &signer(name),
            &SignOptions::new(format).manifest_form(form),
            &DefaultProvider,
        )
        .unwrap();
        sign_counts.push(client.request_count() - before);
        assert_eq!(signed.artifact.digest, digest);
        assert!(!signed.resolved_from_tag);
        assert!(
            signed.pushed.warnings.is_empty(),
            "{:?}",
            signed.pushed.warnings
        );
    }
    let verify_with = |client: &RegistryClient| {
        let (repo, _) = remote(client, host);
        let before = client.request_count();
        let ok = workflow::verify(
            &repo,
            &reference.scope(),
            &digest,
            &verifier,
            &VerifyOptions::new(),
        )
        .unwrap();
        assert!(ok.verified.is_some());
        client.request_count() - before
    };
    let verify = verify_with(&new_client());
    let verify_same_client = verify_with(&client);
    let (repo, _) = remote(&client, host);
    let (_, _, listed) = workflow::list(&repo, "v1").unwrap();
    assert_eq!(listed.len(), 3);
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
    Counts {
        first: sign_counts[0],
        later: sign_counts[1],
        verify,
        later_same_client: sign_counts[2],
        verify_same_client,
    }
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
    let counts = sign_and_verify(&|| RegistryClient::new().unwrap(), registry.host());
    report(&format!(
        "request counts against distribution 2.8.2 (tag schema): {counts:?}"
    ));
    assert_eq!(
        counts,
        Counts {
            // Resolve (HEAD) 1; envelope: POST ?digest= answered 202 (the
            // bytes ignored), PUT 2; tag index GET (404) 1; config: POST
            // ?mount= from the repository itself, 201 (the image's config
            // is the empty blob) 1; manifest PUT 1; tag index PUT 1. At most
            // 7 (issue 9).
            first: 7,
            // The same, but the tag index lists Notary signatures, so the
            // config blob is known to be there: no request for it. At most
            // 6.
            later: 6,
            // Resolve 1, referrers API (404) 1, tag index 1, signature
            // manifest 1, envelope 1. At most 5.
            verify: 5,
            // The client knows that the registry takes no single POST
            // (envelope: POST + PUT without the bytes twice) and that it
            // has no referrers API.
            later_same_client: 6,
            verify_same_client: 4,
        }
    );
    // The tag index lists all three signatures.
    let client = RegistryClient::new().unwrap();
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
    let counts = sign_and_verify(&|| RegistryClient::new().unwrap(), &registry.host());
    report(&format!(
        "request counts against the referrers API (in-process registry): {counts:?}"
    ));
    assert_eq!(
        counts,
        Counts {
            // Resolve 1, envelope (single POST, 201) 1, tag index GET (404:
            // the client cannot know yet that the registry indexes
            // subjects) 1, config (single POST, 201) 1, manifest PUT 1
            // (OCI-Subject: no tag index). At most 5 (issue 9).
            first: 5,
            later: 5,
            // Resolve 1, referrers 1, manifest 1, envelope 1. At most 4.
            verify: 4,
            // The client knows the registry indexes subjects and that it
            // pushed the config blob: resolve, envelope, manifest.
            later_same_client: 3,
            verify_same_client: 4,
        }
    );
    let client = RegistryClient::new().unwrap();
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

/// Referrers API support is learned per repository, as oras-go learns it
/// (one host may route repositories to different backends): a repository
/// that answers without the API does not make the client list another
/// repository of the host with the tag schema, where a signature pushed
/// with the API is not. The in-process registry serves the API; the
/// `legacy` repository answers its listings with 404.
#[test]
fn referrers_api_support_is_learned_per_repository() {
    let registry = OciRegistry::start();
    registry.set_fault(Some(Arc::new(|req: &support::http::Request| {
        let path = req.path();
        (path.starts_with("/v2/legacy/") && path.contains("/referrers/"))
            .then(|| support::http::Response::status(404))
    })));
    let host = registry.host();
    // Another client signs in net-monitor, with the API: no tag index.
    let signing = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&signing, &host);
    let digest = push_image(
        &signing,
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
    assert!(!registry.has_tag(
        "net-monitor",
        &notation_oci::referrers::referrers_tag(&digest).unwrap()
    ));
    let client = RegistryClient::new().unwrap();
    push_image(
        &client,
        &RepositoryRef::new(host.clone(), "legacy").unwrap(),
    );
    let legacy = RemoteRepository::new(
        client.clone(),
        &Reference::parse(&format!("{host}/legacy:v1")).unwrap(),
    )
    .unwrap();
    let (_, _, listed) = workflow::list(&legacy, "v1").unwrap();
    assert!(listed.is_empty());
    let (repo, _) = remote(&client, &host);
    let (_, _, listed) = workflow::list(&repo, "v1").unwrap();
    assert_eq!(listed.len(), 1);
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

/// Q6: with `delete_superseded_referrers_index`, the index a signature
/// supersedes is deleted; whatever else the referrers tag names (moved by
/// a hostile registry or by anyone who may push) is neither replaced nor
/// deleted with the signer's credentials.
#[test]
fn only_a_superseded_referrers_index_is_deleted() {
    let registry = OciRegistry::start();
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, &registry.host());
    let repo_ref = RepositoryRef::new(reference.registry(), reference.repository()).unwrap();
    let digest = push_image(&client, &repo_ref);
    let repo = repo
        .force_referrers_tag(true)
        .delete_superseded_referrers_index(true);
    let tag = notation_oci::referrers::referrers_tag(&digest).unwrap();
    let sign = || {
        workflow::sign(
            &repo,
            &digest,
            &signer("ec-256"),
            &SignOptions::new(EnvelopeFormat::Jws),
            &DefaultProvider,
        )
    };
    let tagged = || {
        client
            .fetch_manifest(&repo_ref, &tag, notation_oci::oci::MAX_MANIFEST_SIZE)
            .unwrap()
            .0
            .digest
    };

    sign().unwrap();
    let first = tagged();
    sign().unwrap();
    assert_ne!(tagged(), first);
    assert!(registry.manifest("net-monitor", &first).is_none());

    // The tag moved to an image manifest: signing refuses to touch it.
    let victim_bytes = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"victim":"yes"}}"#;
    let victim =
        registry.put_manifest("net-monitor", &tag, MEDIA_TYPE_IMAGE_MANIFEST, victim_bytes);
    let before = registry.requests().len();
    let e = sign().unwrap_err().to_string();
    assert!(e.contains("not an image index"), "{e}");
    assert!(registry.manifest("net-monitor", &victim).is_some());
    assert_eq!(tagged(), victim);
    assert!(
        registry.requests()[before..]
            .iter()
            .all(|r| r.method != "DELETE"),
        "a DELETE was sent"
    );
}

/// A registry with the referrers API whose referrers tag names something
/// else (or fails): signing succeeds, as the reference's does (oras-go
/// never reads the tag where the registry answers OCI-Subject). Before,
/// the read made for the tag schema's sake failed the signing.
#[test]
fn signing_with_the_api_ignores_a_broken_referrers_tag() {
    let registry = OciRegistry::start();
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, &registry.host());
    let repo_ref = RepositoryRef::new(reference.registry(), reference.repository()).unwrap();
    let digest = push_image(&client, &repo_ref);
    let tag = notation_oci::referrers::referrers_tag(&digest).unwrap();
    let not_an_index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    registry.put_manifest("net-monitor", &tag, MEDIA_TYPE_IMAGE_MANIFEST, not_an_index);
    let sign = |repo: &RemoteRepository| {
        workflow::sign(
            repo,
            &digest,
            &signer("ec-256"),
            &SignOptions::new(EnvelopeFormat::Jws),
            &DefaultProvider,
        )
    };
    sign(&repo).unwrap();
    // A server error on the tag, from a new client: the same.
    let failing_tag = format!("/manifests/{tag}");
    registry.set_fault(Some(Arc::new(move |req: &support::http::Request| {
        req.target
            .ends_with(&failing_tag)
            .then(|| support::http::Response::status(500))
    })));
    let (repo, _) = remote(&RegistryClient::new().unwrap(), &registry.host());
    sign(&repo).unwrap();
    registry.set_fault(None);
    let (repo, _) = remote(&RegistryClient::new().unwrap(), &registry.host());
    assert_eq!(
        workflow::list(&repo, &digest).unwrap().2.len(),
        2,
        "both listed by the API"
    );
}

#[test]
fn basic_and_token_auth() {
    for auth in [Auth::Basic, Auth::Token] {
        let registry = Registry::start(auth);
        let new_client = || {
            RegistryClient::builder()
                .credentials(StaticCredentials::any_registry(Credential::basic(
                    support::fixtures::USER,
                    support::fixtures::PASSWORD,
                )))
                .build()
                .unwrap()
        };
        let counts = sign_and_verify(&new_client, registry.host());
        report(&format!("request counts with {auth:?} auth: {counts:?}"));
        // A new client pays the challenge round trips: one 401 for Basic;
        // for Bearer a 401 and a token request per scope set (signing
        // resolves with a pull token, then pushes with a pull,push one).
        // Credentials and tokens are then cached for the client's
        // lifetime: its later operations cost what they cost without auth.
        let (sign_extra, verify_extra) = match auth {
            Auth::Basic => (1, 1),
            _ => (4, 2),
        };
        assert_eq!(
            counts,
            Counts {
                first: 7 + sign_extra,
                later: 6 + sign_extra,
                verify: 5 + verify_extra,
                later_same_client: 6,
                verify_same_client: 4,
            },
            "{auth:?}"
        );
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

/// A signature manifest listed in the artifact's referrers tag index whose
/// `subject` names another artifact still verifies, as the reference
/// verifies it (neither oras-go's tag-schema listing nor notation-go's
/// fetch compares the subject): its payload names the artifact, which is
/// what binds it. Distribution 2.8.2 (the tag schema).
// Requirements: Q3, Q5, A6.
#[test]
fn a_listed_signature_whose_subject_names_another_artifact_verifies() {
    use notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX;
    let registry = Registry::start(Auth::None);
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, registry.host());
    let repo_ref = RepositoryRef::new(reference.registry(), reference.repository()).unwrap();
    let digest = push_image(&client, &repo_ref);
    let other = format!(
        r#"{{"schemaVersion":2,"mediaType":"{MEDIA_TYPE_IMAGE_MANIFEST}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{EMPTY_JSON_DIGEST}","size":2}},"layers":[],"annotations":{{"other":"1"}}}}"#
    );
    client
        .push_manifest(
            &repo_ref,
            "other",
            MEDIA_TYPE_IMAGE_MANIFEST,
            other.as_bytes(),
        )
        .unwrap();
    let signed = workflow::sign(
        &repo,
        &digest,
        &signer("ec-256"),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();
    let fetch = |r: &str| client.fetch_manifest(&repo_ref, r, 1 << 20).unwrap().1;
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fetch(&signed.pushed.manifest.digest)).unwrap();
    manifest["subject"] = serde_json::json!({
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "digest": notation_oci::oci::sha256_digest(other.as_bytes()),
        "size": other.len(),
    });
    let moved = serde_json::to_vec(&manifest).unwrap();
    let moved_digest = notation_oci::oci::sha256_digest(&moved);
    client
        .push_manifest(&repo_ref, &moved_digest, MEDIA_TYPE_IMAGE_MANIFEST, &moved)
        .unwrap();
    let tag = digest.replace(':', "-");
    let mut index: serde_json::Value = serde_json::from_slice(&fetch(&tag)).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    index["manifests"][0]["digest"] = serde_json::json!(moved_digest);
    index["manifests"][0]["size"] = serde_json::json!(moved.len());
    client
        .push_manifest(
            &repo_ref,
            &tag,
            MEDIA_TYPE_IMAGE_INDEX,
            &serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
    let result = workflow::verify(
        &repo,
        &reference.scope(),
        &digest,
        &verifier(),
        &VerifyOptions::new(),
    )
    .unwrap();
    assert_eq!(result.verified.unwrap().0.digest, moved_digest);
}

/// A listed signature whose media type cannot be a signature manifest (a
/// junk entry in the referrers tag index) is refused without a request for
/// it, as the reference refuses it (`getSignatureBlobDesc`). The
/// in-process registry answers the referrers API with 404 here, so that
/// the tag schema is used.
// Requirements: Q3, Q5.
#[test]
fn a_listed_entry_that_cannot_be_a_signature_manifest_is_not_fetched() {
    use notation_oci::workflow::SignatureFailureReason;
    let registry = OciRegistry::start();
    registry.set_fault(Some(Arc::new(|req: &support::http::Request| {
        req.path()
            .contains("/referrers/")
            .then(|| support::http::Response::status(404))
    })));
    let client = RegistryClient::new().unwrap();
    let (repo, reference) = remote(&client, &registry.host());
    let digest = push_image(
        &client,
        &RepositoryRef::new(reference.registry(), reference.repository()).unwrap(),
    );
    let junk = format!("sha256:{}", "ab".repeat(32));
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX,
        "manifests": [{
            "mediaType": "application/vnd.oci.empty.v1+json",
            "digest": junk,
            "size": 2,
            "artifactType": "application/vnd.cncf.notary.signature",
        }],
    });
    registry.put_manifest(
        "net-monitor",
        &digest.replace(':', "-"),
        notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX,
        &serde_json::to_vec(&index).unwrap(),
    );
    let before = registry.requests().len();
    let failures = match workflow::verify(
        &repo,
        &reference.scope(),
        &digest,
        &verifier(),
        &VerifyOptions::new(),
    ) {
        Err(WorkflowError::AllFailed { failures, .. }) => failures,
        other => panic!("{other:?}"),
    };
    assert_eq!(failures.len(), 1);
    assert!(
        matches!(failures[0].reason, SignatureFailureReason::Fetch { .. }),
        "{:?}",
        failures[0].reason
    );
    assert!(
        failures[0].to_string().contains("is not supported"),
        "{}",
        failures[0]
    );
    let hex = &junk["sha256:".len()..];
    assert!(
        !registry.requests()[before..]
            .iter()
            .any(|r| r.target.contains(hex)),
        "the junk entry was requested"
    );
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
            &DefaultProvider,
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

/// A tag index that lists a Notary signature proves the empty config blob
/// is in the repository, so it is not pushed; where that is wrong (the blob
/// was deleted since), the registry refuses the manifest with
/// `MANIFEST_BLOB_UNKNOWN` and the config blob is pushed, then the manifest
/// again.
#[test]
fn a_config_blob_assumed_present_but_missing_is_pushed_on_refusal() {
    let registry = OciRegistry::start();
    let config = br#"{"architecture":"amd64","os":"linux"}"#;
    let config_digest = registry.put_blob(config);
    let image = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [],
    }))
    .unwrap();
    let digest = registry.put_manifest("net-monitor", "v1", MEDIA_TYPE_IMAGE_MANIFEST, &image);
    let stale = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
            "digest": format!("sha256:{}", "5".repeat(64)),
            "size": 100,
            "artifactType": notation_oci::oci::ARTIFACT_TYPE_NOTATION,
        }],
    }))
    .unwrap();
    let tag = notation_oci::referrers::referrers_tag(&digest).unwrap();
    registry.put_manifest(
        "net-monitor",
        &tag,
        "application/vnd.oci.image.index.v1+json",
        &stale,
    );
    let client = RegistryClient::new().unwrap();
    let (repo, _) = remote(&client, &registry.host());
    let signed = workflow::sign(
        &repo.force_referrers_tag(true),
        &digest,
        &signer("ec-256"),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();
    // Resolve, envelope, tag index, manifest (refused), config, manifest,
    // tag index.
    assert_eq!(client.request_count(), 7);
    let repo_ref = RepositoryRef::new(registry.host(), "net-monitor").unwrap();
    assert_eq!(
        client
            .fetch_blob(&repo_ref, EMPTY_JSON_DIGEST, None, 2)
            .unwrap(),
        EMPTY_JSON
    );
    let (_, index) = client.fetch_manifest(&repo_ref, &tag, 1 << 20).unwrap();
    let index = notation_oci::oci::ImageIndex::from_json(&index).unwrap();
    assert_eq!(index.manifests.len(), 2);
    assert_eq!(index.manifests[1].digest, signed.pushed.manifest.digest);
}
