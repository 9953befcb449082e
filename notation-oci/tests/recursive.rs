//! Multi-platform images: an image index (OCI index, Docker manifest list,
//! nested) signed and verified with every manifest it lists, in OCI
//! layouts and in Debian's `docker-registry` (CNCF distribution 2.8.2).

mod support;

use notation_core::envelope::EnvelopeFormat;
use notation_oci::graph::{GraphError, GraphLimits};
use notation_oci::oci::{Descriptor, MEDIA_TYPE_IMAGE_INDEX};
use notation_oci::registry::RegistryClient;
use notation_oci::repository::SignatureRepository;
use notation_oci::store::ContentStore;
use notation_oci::workflow::{self, ArtifactSigner, SignOptions, VerifyOptions, WorkflowError};
use notation_oci::{OciLayout, Reference, RemoteRepository};
use support::images::{self, push_index, put_manifest, sign_one, verifier};
use support::registry::{Auth, Registry};

/// The trust policy scope of `store`: a registry repository's own, a
/// layout's chosen.
fn scope(store: &dyn ContentStore) -> String {
    store
        .repository_ref()
        .map_or_else(|| "example.test/app".into(), ToString::to_string)
}

fn verify(store: &dyn ContentStore, reference: &str) -> workflow::RecursiveVerification {
    workflow::verify_recursive(
        store,
        &scope(store),
        reference,
        &verifier(),
        &VerifyOptions::new(),
        &GraphLimits::new(),
    )
    .unwrap()
}

fn both_stores(test: impl Fn(&dyn ContentStore)) {
    let dir = tempfile::tempdir().unwrap();
    test(&OciLayout::create(dir.path().join("l")).unwrap());
    let registry = Registry::start(Auth::None);
    let reference = Reference::parse(&format!("{}/app", registry.host())).unwrap();
    test(&RemoteRepository::new(RegistryClient::new().unwrap(), &reference).unwrap());
}

#[test]
fn an_index_and_its_children_are_signed_and_verified_together() {
    both_stores(|store| {
        for docker in [false, true] {
            let (index, children) = push_index(store, docker);
            images::tag(store, "v1", &index);
            let signed = images::sign_recursive(store, "v1");
            let digests: Vec<_> = signed.iter().map(|s| s.artifact.digest.clone()).collect();
            assert_eq!(
                digests,
                [
                    index.digest.clone(),
                    children[0].digest.clone(),
                    children[1].digest.clone()
                ],
                "the index first, then its manifests in order"
            );
            assert!(signed[0].resolved_from_tag && !signed[1].resolved_from_tag);
            for (s, d) in signed.iter().zip([&index, &children[0], &children[1]]) {
                assert_eq!(store.signatures(d).unwrap().len(), 1);
                assert_eq!(s.artifact.media_type, d.media_type);
            }
            let result = verify(store, "v1");
            assert!(result.is_verified() && !result.is_skipped());
            assert_eq!(result.manifests.len(), 3);
            assert!(result.resolved_from_tag);
            assert_eq!(result.manifests[1].depth, 1);
            assert!(
                result.manifests[2]
                    .descriptor
                    .other
                    .contains_key("platform"),
                "children as the index lists them"
            );
            // Signing again adds a signature to each.
            images::sign_recursive(store, &index.digest);
            assert_eq!(store.signatures(&children[1]).unwrap().len(), 2);
        }
    });
}

#[test]
fn an_unsigned_child_fails_the_verification_by_name() {
    both_stores(|store| {
        let (index, children) = push_index(store, false);
        sign_one(store, &index.digest, EnvelopeFormat::Cose);
        sign_one(store, &children[0].digest, EnvelopeFormat::Jws);
        let result = verify(store, &index.digest);
        assert!(!result.is_verified());
        let failed: Vec<_> = result.failures().collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].descriptor.digest, children[1].digest);
        let e = failed[0].result.as_ref().unwrap_err();
        assert!(matches!(e, WorkflowError::NoSignature { .. }), "{e}");
        assert!(e.to_string().contains(&children[1].digest), "{e}");
    });
}

#[test]
fn nested_indexes_and_plain_manifests() {
    both_stores(|store| {
        let (inner, children) = push_index(store, false);
        let outer = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_IMAGE_INDEX,
            "manifests": [inner, children[0]],
        }))
        .unwrap();
        let outer = put_manifest(store, MEDIA_TYPE_IMAGE_INDEX, &outer);
        let signed = images::sign_recursive(store, &outer.digest);
        assert_eq!(signed.len(), 4, "each manifest once");
        assert!(verify(store, &outer.digest).is_verified());
        // A manifest that is no index: itself alone.
        let alone = images::sign_recursive(store, &children[1].digest);
        assert_eq!(alone.len(), 1);
    });
}

#[test]
fn an_index_listing_a_missing_manifest_is_not_signed_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    let (_, children) = push_index(&layout, false);
    let mut missing = children[0].clone();
    missing.digest = notation_oci::oci::sha256_digest(b"not there");
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_INDEX,
        "manifests": [children[1], missing],
    }))
    .unwrap();
    let index: Descriptor = put_manifest(&layout, MEDIA_TYPE_IMAGE_INDEX, &index);
    let signer = images::signer("ec-256");
    let e = workflow::sign_recursive(
        &layout,
        &index.digest,
        ArtifactSigner::Signer(&signer),
        &SignOptions::new(EnvelopeFormat::Jws),
        &notation_core::crypto::DefaultProvider,
        &GraphLimits::new(),
    )
    .unwrap_err();
    assert!(
        e.is_not_found() || matches!(e, WorkflowError::Graph(_)),
        "{e}"
    );
    assert!(
        layout.signatures(&index).unwrap().is_empty(),
        "read before signing"
    );
    let limited = workflow::sign_recursive(
        &layout,
        &index.digest,
        ArtifactSigner::Signer(&signer),
        &SignOptions::new(EnvelopeFormat::Jws),
        &notation_core::crypto::DefaultProvider,
        &GraphLimits::new().max_depth(0),
    )
    .unwrap_err();
    assert!(
        matches!(limited, WorkflowError::Graph(GraphError::TooDeep { .. })),
        "{limited}"
    );
}

#[test]
fn a_skipping_policy_reads_nothing() {
    use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument};
    let verifier = notation_core::verifier::Verifier::builder(std::sync::Arc::new(
        MemoryTrustStore::new(),
    ))
    .oci_policy(
        OciTrustPolicyDocument::from_json(
            br#"{"version":"1.0","trustPolicies":[{"name":"skip","registryScopes":["*"],"signatureVerification":{"level":"skip"}}]}"#,
        )
        .unwrap(),
    )
    .build()
    .unwrap();
    // A layout without the reference: skipped before it is resolved.
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    let result = workflow::verify_recursive(
        &layout,
        "example.test/app",
        "absent",
        &verifier,
        &VerifyOptions::new(),
        &GraphLimits::new(),
    )
    .unwrap();
    assert!(result.is_skipped() && result.is_verified());
    assert_eq!(result.policy, "skip");
}

/// Signing into a layout lists the signed manifest in index.json when it
/// was not: the reference CLI resolves digests through index.json only (an
/// unlisted manifest is an `application/octet-stream` blob to it) and would
/// not find the signatures of an index's manifests otherwise.
#[test]
fn signed_manifests_of_an_index_are_listed_in_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    let (index, children) = push_index(&layout, false);
    images::tag(&layout, "v1", &index);
    let listed = |d: &Descriptor| {
        layout
            .index()
            .unwrap()
            .manifests
            .iter()
            .any(|m| m.digest == d.digest)
    };
    assert!(!listed(&children[0]));
    images::sign_recursive(&layout, "v1");
    for child in &children {
        assert!(listed(child), "{}", child.digest);
    }
    assert_eq!(
        layout.resolve("v1").unwrap().digest,
        index.digest,
        "the tag stays"
    );
}

/// An index listing many large manifests (correct digests, padded
/// annotations): the walk reads them as one registry operation, within its
/// byte budget, and within the graph's byte bound in any store. Served by
/// the in-process registry (sizes a test sets at will).
#[test]
fn a_fat_index_is_bounded_in_bytes_as_one_operation() {
    let fat = |store: &dyn ContentStore| {
        images::put_blob(store, "application/vnd.oci.empty.v1+json", b"{}");
        let children: Vec<serde_json::Value> = (0..4)
            .map(|i| {
                let bytes = serde_json::to_vec(&serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
                    "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                        "digest": notation_oci::oci::EMPTY_JSON_DIGEST, "size": 2},
                    "layers": [],
                    "annotations": {"padding": format!("{i}{}", "x".repeat(1 << 20))},
                }))
                .unwrap();
                let d = put_manifest(store, notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST, &bytes);
                serde_json::to_value(&d).unwrap()
            })
            .collect();
        let index = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_IMAGE_INDEX,
            "manifests": children,
        }))
        .unwrap();
        let index = put_manifest(store, MEDIA_TYPE_IMAGE_INDEX, &index);
        images::tag(store, "v1", &index);
        index
    };
    let verify_with = |store: &dyn ContentStore, limits: GraphLimits| {
        workflow::verify_recursive(
            store,
            &scope(store),
            "v1",
            &verifier(),
            &VerifyOptions::new(),
            &limits,
        )
    };

    let registry = support::oci_registry::OciRegistry::start();
    let reference = Reference::parse(&format!("{}/app", registry.host())).unwrap();
    let client = notation_oci::registry::RegistryClientOptions::new()
        .max_operation_bytes(2 << 20)
        .build()
        .unwrap();
    let remote = RemoteRepository::new(client, &reference).unwrap();
    fat(&remote);
    let e = verify_with(&remote, GraphLimits::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("operation's responses exceeds the limit"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    fat(&layout);
    let e = verify_with(&layout, GraphLimits::new().max_bytes(3 << 20)).unwrap_err();
    assert!(
        matches!(e, WorkflowError::Graph(GraphError::TooManyBytes { limit }) if limit == 3 << 20),
        "{e}"
    );
    // Within the bounds, the walk reaches every manifest (none is signed).
    let walked = verify_with(&layout, GraphLimits::new()).unwrap();
    assert_eq!(walked.manifests.len(), 5);
}

/// A registry repository's trust policy scope is its own: another
/// repository's, given by mistake, is refused before any request, as
/// `verify_reference` refuses a reference from another repository.
#[test]
fn another_repositorys_scope_is_refused() {
    // Nothing listens there: a request would fail otherwise.
    let reference = Reference::parse("127.0.0.1:1/app").unwrap();
    let remote = RemoteRepository::new(RegistryClient::new().unwrap(), &reference).unwrap();
    let recursive = workflow::verify_recursive(
        &remote,
        "example.test/app",
        "v1",
        &verifier(),
        &VerifyOptions::new(),
        &GraphLimits::new(),
    )
    .unwrap_err();
    let one = workflow::verify(
        &remote,
        "example.test/app",
        "v1",
        &verifier(),
        &VerifyOptions::new(),
    )
    .unwrap_err();
    for e in [recursive, one] {
        assert!(
            matches!(&e, WorkflowError::RepositoryMismatch { repository, .. } if repository == "127.0.0.1:1/app"),
            "{e}"
        );
    }
}
