//! Sign and verify a blob signature per key spec and envelope format, with
//! every crypto provider of the build, each beside its cryptographic floor,
//! so that overhead reads as a ratio:
//!
//! - `sign/<key>/<format>/<provider>`: `blob::sign_blob` of a 1 KiB blob,
//!   including the self-check of the produced envelope (the reference
//!   checks too).
//! - `sign-floor/<key>/<provider>`: the private-key operation alone.
//! - `verify/<key>/<format>/<provider>`: `Verifier::verify_blob` under a
//!   strict blob policy (trust store and policy parsed once, outside the
//!   loop; the chain cache warm).
//! - `verify-floor/<key>/<format>/<provider>`: the signature checks a
//!   first verification cannot avoid: the envelope signature and each
//!   certificate signature of the chain, and nothing else.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use notation_benches::{Floor, KEY_NAMES, pki, signer_with};
use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::Backend;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::Signer;
use notation_core::trust::{BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;

const POLICY: &[u8] = br#"{"version":"1.0","trustPolicies":[{"name":"bench","globalPolicy":true,
  "signatureVerification":{"level":"strict"},"trustStores":["ca:bench"],
  "trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;

fn verifier(backend: Backend) -> Verifier {
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
        .crypto_provider(backend.provider())
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let blob = vec![0x5a_u8; 1024];
    for backend in Backend::ALL {
        let crypto = backend.provider();
        let provider = backend.name();
        let verifier = verifier(*backend);
        for name in KEY_NAMES {
            let signer = signer_with(name, *backend);
            c.bench_function(&format!("sign-floor/{name}/{provider}"), |b| {
                b.iter(|| signer.sign(black_box(&blob)).unwrap())
            });
            for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
                let options = BlobSignOptions::new(format);
                c.bench_function(&format!("sign/{name}/{format}/{provider}"), |b| {
                    b.iter(|| {
                        sign_blob(
                            &signer,
                            &mut black_box(blob.as_slice()),
                            &options,
                            crypto.as_ref(),
                        )
                        .unwrap()
                    })
                });
                let signature =
                    sign_blob(&signer, &mut blob.as_slice(), &options, crypto.as_ref()).unwrap();
                let floor = Floor::chain(&Envelope::parse(format, &signature).unwrap());
                c.bench_function(&format!("verify-floor/{name}/{format}/{provider}"), |b| {
                    b.iter(|| floor.run(crypto.as_ref()))
                });
                let opts = BlobVerifyOptions::new();
                c.bench_function(&format!("verify/{name}/{format}/{provider}"), |b| {
                    b.iter(|| {
                        verifier
                            .verify_blob(black_box(&signature), format, &mut blob.as_slice(), &opts)
                            .unwrap()
                    })
                });
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
