//! Sign and verify a blob signature per key spec and envelope format, each
//! beside its cryptographic floor, so that overhead reads as a ratio:
//!
//! - `sign/<key>/<format>`: `blob::sign_blob` of a 1 KiB blob, including
//!   the self-check of the produced envelope.
//! - `sign-floor/<key>`: the private-key operation alone.
//! - `verify/<key>/<format>`: `Verifier::verify_blob` under a strict blob
//!   policy (trust store and policy parsed once, outside the loop).
//! - `verify-floor/<key>/<format>`: the signature checks verification cannot
//!   avoid: the envelope signature and each certificate signature of the
//!   chain, and nothing else.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use notation_benches::{KEY_NAMES, floor, pki, signer};
use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::RingProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::Signer;
use notation_core::trust::{BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;

const POLICY: &[u8] = br#"{"version":"1.0","trustPolicies":[{"name":"bench","globalPolicy":true,
  "signatureVerification":{"level":"strict"},"trustStores":["ca:bench"],
  "trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;

fn verifier() -> Verifier {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "bench",
            Certificate::parse_many(&pki("root.crt")).unwrap(),
        )
        .unwrap();
    Verifier::builder(Arc::new(store))
        .blob_policy(BlobTrustPolicyDocument::from_json(POLICY).unwrap())
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let crypto = RingProvider;
    let blob = vec![0x5a_u8; 1024];
    let verifier = verifier();
    for name in KEY_NAMES {
        let signer = signer(name);
        c.bench_function(&format!("sign-floor/{name}"), |b| {
            b.iter(|| signer.sign(black_box(&blob)).unwrap())
        });
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let options = BlobSignOptions::new(format);
            c.bench_function(&format!("sign/{name}/{format}"), |b| {
                b.iter(|| {
                    sign_blob(&signer, &mut black_box(blob.as_slice()), &options, &crypto).unwrap()
                })
            });
            let signature = sign_blob(&signer, &mut blob.as_slice(), &options, &crypto).unwrap();
            let envelope = Envelope::parse(format, &signature).unwrap();
            c.bench_function(&format!("verify-floor/{name}/{format}"), |b| {
                b.iter(|| floor(black_box(&envelope), &crypto))
            });
            let opts = BlobVerifyOptions::new();
            c.bench_function(&format!("verify/{name}/{format}"), |b| {
                b.iter(|| {
                    verifier
                        .verify_blob(black_box(&signature), format, &mut blob.as_slice(), &opts)
                        .unwrap()
                })
            });
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
