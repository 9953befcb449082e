//! Verify an OCI artifact stored in a local OCI image layout, and build a
//! verifier from a configuration directory, each beside its floor:
//!
//! - `oci-verify/<key>/<format>`: `workflow::verify` of a tag in a layout
//!   holding one trusted signature: resolve the tag, find the referrers,
//!   read the signature manifest and envelope, verify (T2).
//! - `oci-verify-floor/<key>/<format>`: the signature checks alone (see
//!   `notation_benches::Floor::chain`).
//! - `oci-verify-among-untrusted/ec-256`: the same with ten signatures
//!   from an untrusted self-signed key beside the trusted one. The
//!   thumbprint pre-filter (Q7) skips them without reading their
//!   envelopes, so this should stay close to `oci-verify/ec-256/jws`.
//! - `verifier-build`: reading the trust policy and trust store of a
//!   configuration directory into a `Verifier`, the cost the reference pays
//!   on every verification and notation-rs pays once per verifier.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use notation_benches::{Floor, pki, signer};
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::LocalSigner;
use notation_core::trust::{DirTrustStore, load_oci_policy};
use notation_core::verifier::Verifier;
use notation_oci::OciLayout;
use notation_oci::oci::{
    ANNOTATION_REF_NAME, EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_EMPTY_JSON,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::repository::SignatureRepository;
use notation_oci::workflow::{self, SignOptions, VerifyOptions};

const SCOPE: &str = "local/bench";

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"bench","registryScopes":["local/bench"],
  "signatureVerification":{"level":"strict"},"trustStores":["ca:bench"],
  "trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;

/// A configuration directory with the test root in `ca:bench` and the
/// policy above.
fn config_dir(dir: &Path) {
    let store = dir.join("truststore/x509/ca/bench");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("root.crt"), pki("root.crt")).unwrap();
    std::fs::write(dir.join("trustpolicy.oci.json"), POLICY).unwrap();
}

fn build_verifier(config: &Path) -> Verifier {
    Verifier::builder(Arc::new(DirTrustStore::new(config)))
        .oci_policy(load_oci_policy(config).unwrap())
        .build()
        .unwrap()
}

/// A layout holding one small image tagged `v1`.
fn layout(dir: &Path) -> OciLayout {
    let layout = OciLayout::create(dir).unwrap();
    let layer = layout
        .write_blob("application/vnd.oci.image.layer.v1.tar", b"bench layer\n")
        .unwrap();
    layout
        .write_blob(MEDIA_TYPE_EMPTY_JSON, EMPTY_JSON)
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
    desc.annotations = Some([(ANNOTATION_REF_NAME.to_string(), "v1".to_string())].into());
    layout.add_to_index(desc).unwrap();
    layout
}

fn sign(layout: &OciLayout, signer: &LocalSigner, format: EnvelopeFormat) {
    workflow::sign(
        layout,
        "v1",
        signer,
        &SignOptions::new(format),
        &DefaultProvider,
    )
    .unwrap();
}

/// The envelope of the only signature in `layout`.
fn only_envelope(layout: &OciLayout, format: EnvelopeFormat) -> Envelope {
    let artifact = layout.resolve("v1").unwrap();
    let sigs = layout.signatures(&artifact).unwrap();
    assert_eq!(sigs.len(), 1);
    let (_, bytes) = layout.fetch_signature(&sigs[0], &artifact).unwrap();
    Envelope::parse(format, &bytes).unwrap()
}

fn bench(c: &mut Criterion) {
    let crypto = DefaultProvider;
    let config = tempfile::tempdir().unwrap();
    config_dir(config.path());
    let verifier = build_verifier(config.path());
    let options = VerifyOptions::new();

    c.bench_function("verifier-build", |b| {
        b.iter(|| build_verifier(black_box(config.path())))
    });

    for name in ["rsa-3072", "ec-256"] {
        let signer = signer(name);
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let dir = tempfile::tempdir().unwrap();
            let layout = layout(dir.path());
            sign(&layout, &signer, format);
            let floor = Floor::chain(&only_envelope(&layout, format));
            c.bench_function(&format!("oci-verify-floor/{name}/{format}"), |b| {
                b.iter(|| floor.run(&crypto))
            });
            c.bench_function(&format!("oci-verify/{name}/{format}"), |b| {
                b.iter(|| {
                    let result =
                        workflow::verify(&layout, SCOPE, black_box("v1"), &verifier, &options)
                            .unwrap();
                    assert!(result.verified.is_some());
                })
            });
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let layout = layout(dir.path());
    let untrusted =
        LocalSigner::from_pem(&pki("self-signed.key"), &pki("self-signed.crt")).unwrap();
    for _ in 0..10 {
        sign(&layout, &untrusted, EnvelopeFormat::Jws);
    }
    sign(&layout, &signer("ec-256"), EnvelopeFormat::Jws);
    c.bench_function("oci-verify-among-untrusted/ec-256", |b| {
        b.iter(|| {
            let result =
                workflow::verify(&layout, SCOPE, black_box("v1"), &verifier, &options).unwrap();
            assert!(result.verified.is_some());
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
