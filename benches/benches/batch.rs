//! Batch verification (`notation_oci::batch`), each beside its floor:
//!
//! - `batch-layout/20`: 20 references into one OCI image layout, each
//!   signed (ec-256, JWS), verified by one `BatchVerifier` with 2 threads
//!   (the cores here): resolve, find the referrers, read the signature
//!   manifest and envelope, verify, 20 times.
//! - `batch-layout-floor/20`: the envelope signature checks alone, 20 of
//!   them on one thread: what the batch cannot avoid (its verifier's chain
//!   cache has the chain after the first reference).
//! - `batch-registry/20`: 20 references in the in-process registry that
//!   serves the referrers API (to the OCI distribution spec; no installable
//!   registry here has it), 8 at once, through a client that knows the
//!   registry (as every reference after the first of a batch does).
//! - `batch-registry-floor/20`: a plain HTTP client making only the
//!   protocol's requests for the same references, 8 at once: `HEAD`
//!   manifest, `GET` referrers, `GET` signature manifest, `GET` envelope
//!   (`notation_benches::batch::floor`), verifying nothing.
//!
//! The 100-reference comparison against a local docker-registry and the
//! reference CLI is scripts/bench-batch.sh (hyperfine).

#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/http.rs"]
mod http;
#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/oci_registry.rs"]
mod oci_registry;
#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/token.rs"]
mod token;

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use notation_benches::{Floor, batch, pki, signer};
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::trust::{DirTrustStore, load_oci_policy};
use notation_core::verifier::Verifier;
use notation_oci::OciLayout;
use notation_oci::batch::{BatchItem, BatchOutcome, BatchVerifier};
use notation_oci::oci::{
    ANNOTATION_REF_NAME, EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_EMPTY_JSON,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::registry::RegistryClient;
use notation_oci::registry::transport::{Timeouts, TrustRoots, UreqTransport};
use notation_oci::repository::SignatureRepository;
use notation_oci::workflow::{self, SignOptions};

const COUNT: usize = 20;

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"bench","registryScopes":["*"],
  "signatureVerification":{"level":"strict"},"trustStores":["ca:bench"],
  "trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;

fn verifier(dir: &std::path::Path) -> Verifier {
    let store = dir.join("truststore/x509/ca/bench");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("root.crt"), pki("root.crt")).unwrap();
    std::fs::write(dir.join("trustpolicy.oci.json"), POLICY).unwrap();
    Verifier::builder(Arc::new(DirTrustStore::new(dir)))
        .oci_policy(load_oci_policy(dir).unwrap())
        .build()
        .unwrap()
}

/// A layout with `COUNT` signed images tagged `app-<i>`; their envelopes.
fn layout(dir: &std::path::Path) -> (OciLayout, Vec<Envelope>) {
    let layout = OciLayout::create(dir).unwrap();
    let signer = signer("ec-256");
    layout
        .write_blob(MEDIA_TYPE_EMPTY_JSON, EMPTY_JSON)
        .unwrap();
    let mut envelopes = Vec::new();
    for i in 0..COUNT {
        let layer = layout
            .write_blob(
                "application/vnd.oci.image.layer.v1.tar",
                format!("layer {i}").as_bytes(),
            )
            .unwrap();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
            "config": {"mediaType": MEDIA_TYPE_EMPTY_JSON, "digest": EMPTY_JSON_DIGEST, "size": 2},
            "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
        }))
        .unwrap();
        let mut desc = layout
            .write_blob(MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
            .unwrap();
        let tag = format!("app-{i}");
        desc.annotations = Some([(ANNOTATION_REF_NAME.to_string(), tag.clone())].into());
        layout.add_to_index(desc).unwrap();
        workflow::sign_artifact(
            &layout,
            &tag,
            &signer,
            &SignOptions::new(EnvelopeFormat::Jws),
        )
        .unwrap();
        let artifact = layout.resolve(&tag).unwrap();
        let signature = layout.signatures(&artifact).unwrap().remove(0);
        let (_, bytes) = layout.fetch_signature(&signature, &artifact).unwrap();
        envelopes.push(Envelope::parse(EnvelopeFormat::Jws, &bytes).unwrap());
    }
    (layout, envelopes)
}

fn all_verified(outcomes: impl Iterator<Item = BatchOutcome>) {
    let outcomes: Vec<BatchOutcome> = outcomes.collect();
    assert_eq!(outcomes.len(), COUNT);
    assert!(
        outcomes.iter().all(|o| *o == BatchOutcome::Verified),
        "{outcomes:?}"
    );
}

fn bench(c: &mut Criterion) {
    let crypto = DefaultProvider;
    let config = tempfile::tempdir().unwrap();
    let verifier = verifier(config.path());

    let dir = tempfile::tempdir().unwrap();
    let (_layout, envelopes) = layout(dir.path());
    let items: Vec<BatchItem> = (0..COUNT)
        .map(|i| BatchItem::layout(&format!("{}:app-{i}", dir.path().display()), "local/bench"))
        .collect();
    let floors: Vec<Floor> = envelopes.iter().map(Floor::envelope).collect();
    c.bench_function(&format!("batch-layout-floor/{COUNT}"), |b| {
        b.iter(|| floors.iter().for_each(|f| f.run(&crypto)))
    });
    c.bench_function(&format!("batch-layout/{COUNT}"), |b| {
        b.iter(|| {
            let report = BatchVerifier::new(&verifier).concurrency(2).verify(&items);
            all_verified(report.results.iter().map(|r| r.outcome));
        })
    });

    let registry = oci_registry::OciRegistry::start();
    let client = RegistryClient::new().unwrap();
    let references = batch::populate(&client, &registry.host(), COUNT, &signer("ec-256")).unwrap();
    let items: Vec<BatchItem> = references.iter().map(|r| BatchItem::registry(r)).collect();
    let transport = UreqTransport::new(&TrustRoots::platform(), Timeouts::default()).unwrap();
    c.bench_function(&format!("batch-registry-floor/{COUNT}"), |b| {
        b.iter(|| assert!(batch::floor(&transport, &references, 8, true).is_empty()))
    });
    let warm = RegistryClient::new().unwrap();
    c.bench_function(&format!("batch-registry/{COUNT}"), |b| {
        b.iter(|| {
            let report = BatchVerifier::new(&verifier)
                .concurrency(8)
                .registry_client(warm.clone())
                .verify(&items);
            all_verified(report.results.iter().map(|r| r.outcome));
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
