//! The defaults a user expects (issue 12 items 6 and 10): signing without
//! naming a crypto provider, verifying a blob signature whose format is
//! detected from its bytes, the signer's certificate from the outcome, and
//! a `Verifier` that is `Send + Sync`, built once and shared.

use std::sync::Arc;

mod common;

use notation_core::blob::{self, BlobSignOptions};
use notation_core::envelope::EnvelopeFormat;
use notation_core::trust::{
    BlobStatementBuilder, BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreRef, TrustStoreType,
};
use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier, VerifierBuilder};
use notation_core::x509::Certificate;

/// Compile-time: a verifier (and its builder) can be shared across threads
/// and moved into them.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Verifier>();
    send_sync::<Arc<Verifier>>();
    send_sync::<VerifierBuilder>();
};

fn verifier() -> Verifier {
    let mut store = MemoryTrustStore::new();
    let root = Certificate::parse_pem_many(&common::pki("root.crt")).unwrap();
    store.add(TrustStoreType::Ca, "acme", root).unwrap();
    let statement = BlobStatementBuilder::new("release")
        .global(true)
        .trust_store(TrustStoreRef::new(TrustStoreType::Ca, "acme").unwrap())
        .trusted_identity("*");
    let policy = BlobTrustPolicyDocument::from_statements([statement]).unwrap();
    Verifier::builder(Arc::new(store))
        .blob_policy(policy)
        .build()
        .unwrap()
}

#[test]
fn sign_and_verify_a_blob_with_detected_formats() {
    let signer = common::signer("ec-384");
    let verifier = verifier();
    let blob = b"release contents";
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let signature = blob::sign(&signer, &mut &blob[..], &BlobSignOptions::new(format)).unwrap();
        assert_eq!(EnvelopeFormat::detect(&signature), Some(format));
        let outcome = verifier
            .verify_blob_auto(&signature, &mut &blob[..], &BlobVerifyOptions::new())
            .unwrap();
        assert_eq!(outcome.policy_name(), "release");
        assert_eq!(
            outcome.signer_certificate(),
            Some(&signer.certificate_chain()[0])
        );
        assert_eq!(outcome.certificate_chain(), signer.certificate_chain());
        // Another blob fails, whatever the detected format.
        assert!(matches!(
            verifier.verify_blob_auto(&signature, &mut &b"other"[..], &BlobVerifyOptions::new()),
            Err(VerificationError::BlobMismatch(_))
        ));
    }
    assert!(matches!(
        verifier.verify_blob_auto(
            b"not a signature",
            &mut &blob[..],
            &BlobVerifyOptions::new()
        ),
        Err(VerificationError::UnknownEnvelopeFormat)
    ));
}

/// One verifier, built once, verifying from several threads.
#[test]
fn one_verifier_is_shared_by_threads() {
    let verifier = Arc::new(verifier());
    let signer = common::signer("ec-256");
    let signature = blob::sign(
        &signer,
        &mut &b"shared"[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws),
    )
    .unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let verifier = Arc::clone(&verifier);
            let signature = &signature;
            scope.spawn(move || {
                verifier
                    .verify_blob_auto(signature, &mut &b"shared"[..], &BlobVerifyOptions::new())
                    .unwrap();
            });
        }
    });
}
