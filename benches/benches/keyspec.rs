//! Blob verification per key spec (the rows of testdata/bench, the same
//! files the README's comparison with the reference uses), for every crypto
//! provider of the build, each beside its cryptographic floor:
//!
//! - `<row>/<provider>/warm`: one verifier verifies the same signature
//!   again and again, as a service asked about one image many times would;
//!   its chain cache holds the certificate signatures and its signature
//!   cache the envelope's, so no public-key operation is left.
//! - `<row>/<provider>/warm-new`: one verifier without the signature cache,
//!   so every iteration costs what a signature it has not seen from a
//!   signer it has seen costs: the chain cache holds the certificate
//!   signatures, the envelope signature is checked.
//! - `<row>/<provider>/warm-floor`: the envelope signature check alone,
//!   what `warm-new` cannot avoid.
//! - `<row>/<provider>/cold`: every iteration loads the trust policy,
//!   builds a verifier over the configuration directory's trust stores and
//!   verifies, as a new process does.
//! - `<row>/<provider>/build`: the verifier alone (policy and trust
//!   stores read and parsed), part of `cold`.
//! - `<row>/<provider>/cold-floor`: the envelope signature and every
//!   certificate signature of the chain.
//! - `<row>/<provider>/no-cache`: one verifier without its caches.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use notation_benches::{Caches, Floor, KEY_SPEC_ROWS, blob_verifier, key_spec_fixture};
use notation_core::crypto::Backend;
use notation_core::envelope::Envelope;
use notation_core::verifier::BlobVerifyOptions;

fn bench(c: &mut Criterion) {
    let options = BlobVerifyOptions::new();
    for (dir, format, _) in KEY_SPEC_ROWS {
        let f = key_spec_fixture(dir, format);
        let envelope = Envelope::parse(f.format, &f.signature).unwrap();
        let (warm_floor, cold_floor) = (Floor::envelope(&envelope), Floor::chain(&envelope));
        for backend in Backend::ALL {
            let name = format!("{dir}-{format}/{}", backend.name());
            let provider = backend.provider();
            let verify = |v: &notation_core::verifier::Verifier| {
                v.verify_blob(
                    black_box(&f.signature),
                    f.format,
                    &mut f.blob.as_slice(),
                    &options,
                )
                .unwrap()
            };
            let warm = blob_verifier(&f.config, *backend, Caches::All).unwrap();
            c.bench_function(&format!("{name}/warm"), |b| b.iter(|| verify(&warm)));
            let warm_new = blob_verifier(&f.config, *backend, Caches::Chain).unwrap();
            c.bench_function(&format!("{name}/warm-new"), |b| {
                b.iter(|| verify(&warm_new))
            });
            c.bench_function(&format!("{name}/warm-floor"), |b| {
                b.iter(|| warm_floor.run(provider.as_ref()))
            });
            c.bench_function(&format!("{name}/cold"), |b| {
                b.iter(|| verify(&blob_verifier(&f.config, *backend, Caches::All).unwrap()))
            });
            c.bench_function(&format!("{name}/build"), |b| {
                b.iter(|| blob_verifier(black_box(&f.config), *backend, Caches::All).unwrap())
            });
            c.bench_function(&format!("{name}/cold-floor"), |b| {
                b.iter(|| cold_floor.run(provider.as_ref()))
            });
            let uncached = blob_verifier(&f.config, *backend, Caches::None).unwrap();
            c.bench_function(&format!("{name}/no-cache"), |b| {
                b.iter(|| verify(&uncached))
            });
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
