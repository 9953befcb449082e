//! Artifacts for the copy and multi-platform tests, pushed through the
//! stores' own interface ([`ContentStore`]) so that the same builder fills
//! a registry or an OCI layout: a two-platform image index (OCI index or
//! Docker manifest list) with its children, an SBOM referrer, signatures
//! with the test PKI, and a verifier that trusts it.

use std::path::PathBuf;
use std::sync::Arc;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::oci::{
    Descriptor, EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_DOCKER_MANIFEST,
    MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::store::{ContentStore, ManifestStored, referrer_entry};
use notation_oci::workflow::{self, ArtifactSigner, SignOptions, SignedArtifact};

/// The test PKI (`testdata/pki`).
pub fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

/// A signer of the test PKI (`ec-256`, `rsa-2048`, ...).
pub fn signer(name: &str) -> LocalSigner {
    LocalSigner::from_files(
        &pki(&format!("{name}.key")),
        &pki(&format!("{name}.chain.pem")),
    )
    .unwrap()
}

/// A verifier trusting the test PKI's root for every scope, strict.
pub fn verifier() -> Verifier {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "root",
            Certificate::parse_many(&std::fs::read(pki("root.crt")).unwrap()).unwrap(),
        )
        .unwrap();
    let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#;
    Verifier::builder(Arc::new(store))
        .oci_policy(OciTrustPolicyDocument::from_json(policy).unwrap())
        .build()
        .unwrap()
}

/// Pushes a blob through the store's interface.
pub fn put_blob(store: &dyn ContentStore, media_type: &str, data: &[u8]) -> Descriptor {
    let d = Descriptor::of(media_type, data);
    store.push_blob(&d, &mut &data[..], &mut |_| {}).unwrap();
    d
}

/// Pushes a manifest (by digest) through the store's interface; lists it
/// in its subject's referrers index where the store needs that.
pub fn put_manifest(store: &dyn ContentStore, media_type: &str, bytes: &[u8]) -> Descriptor {
    let d = Descriptor::of(media_type, bytes);
    if store.push_manifest(&d, bytes).unwrap() == ManifestStored::NeedsIndex {
        let subject = notation_oci::graph::successors(&d, bytes)
            .unwrap()
            .subject
            .unwrap();
        store
            .index_referrers(&subject, &[referrer_entry(&d, bytes).unwrap()])
            .unwrap();
    }
    d
}

/// One image of a platform: an OCI (or Docker) config and `layer`.
pub fn push_image(store: &dyn ContentStore, arch: &str, layer: &[u8], docker: bool) -> Descriptor {
    let (manifest_type, config_type, layer_type) = if docker {
        (
            MEDIA_TYPE_DOCKER_MANIFEST,
            "application/vnd.docker.container.image.v1+json",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        )
    } else {
        (
            MEDIA_TYPE_IMAGE_MANIFEST,
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar",
        )
    };
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
    );
    let config = put_blob(store, config_type, config.as_bytes());
    let layer = put_blob(store, layer_type, layer);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": {"mediaType": config.media_type, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
    }))
    .unwrap();
    put_manifest(store, manifest_type, &manifest)
}

/// A two-platform image (linux/amd64, linux/arm64): an OCI index, or a
/// Docker manifest list of Docker manifests. Returns the index and its two
/// children as it lists them (with their platforms). Not tagged.
pub fn push_index(store: &dyn ContentStore, docker: bool) -> (Descriptor, Vec<Descriptor>) {
    let mut children = Vec::new();
    for (arch, fill) in [("amd64", 1u8), ("arm64", 2u8)] {
        let layer: Vec<u8> = (0..100_000u32)
            .map(|i| (i as u8).wrapping_mul(fill))
            .collect();
        let mut d = push_image(store, arch, &layer, docker);
        d.other.insert(
            "platform".into(),
            serde_json::json!({"architecture": arch, "os": "linux"}),
        );
        children.push(d);
    }
    let media_type = if docker {
        MEDIA_TYPE_DOCKER_MANIFEST_LIST
    } else {
        MEDIA_TYPE_IMAGE_INDEX
    };
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "manifests": children,
    }))
    .unwrap();
    (put_manifest(store, media_type, &index), children)
}

/// Tags a manifest in the store (as a copy's end does).
pub fn tag(store: &dyn ContentStore, tag: &str, descriptor: &Descriptor) {
    let bytes = store.fetch_manifest(descriptor).unwrap();
    store
        .finish_copy(
            std::slice::from_ref(descriptor),
            Some((tag, descriptor, &bytes)),
        )
        .unwrap();
}

/// The artifact type of the test SBOMs.
pub const SBOM_TYPE: &str = "application/spdx+json";

/// An SBOM referring to `subject`.
pub fn push_sbom(store: &dyn ContentStore, subject: &Descriptor) -> Descriptor {
    put_blob(store, "application/vnd.oci.empty.v1+json", EMPTY_JSON);
    let sbom = put_blob(
        store,
        SBOM_TYPE,
        br#"{"spdxVersion":"SPDX-2.3","name":"net-monitor"}"#,
    );
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "artifactType": SBOM_TYPE,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_JSON_DIGEST, "size": 2},
        "layers": [{"mediaType": sbom.media_type, "digest": sbom.digest, "size": sbom.size}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size},
        "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"},
    }))
    .unwrap();
    put_manifest(store, MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
}

/// Signs `reference` and every manifest it lists (JWS, ec-256).
pub fn sign_recursive(store: &dyn ContentStore, reference: &str) -> Vec<SignedArtifact> {
    let signer = signer("ec-256");
    workflow::sign_recursive(
        store,
        reference,
        ArtifactSigner::Signer(&signer),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
        &Default::default(),
    )
    .unwrap()
}

/// Signs one manifest (`format`, rsa-2048).
pub fn sign_one(store: &dyn ContentStore, digest: &str, format: EnvelopeFormat) -> SignedArtifact {
    let signer = signer("rsa-2048");
    workflow::sign_with(
        store,
        digest,
        ArtifactSigner::Signer(&signer),
        &SignOptions::new(format),
        &DefaultProvider,
    )
    .unwrap()
}
