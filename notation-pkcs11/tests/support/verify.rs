//! Verifying what the PKCS#11 signer made, with the existing verifier and
//! the test PKI's root as the only trust anchor.

use std::sync::Arc;

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::default_provider;
use notation_core::envelope::{Envelope, EnvelopeContent, EnvelopeFormat};
use notation_core::signer::Signer;
use notation_core::trust::{
    BlobTrustPolicyDocument, MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType,
};
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;
use time::OffsetDateTime;

use super::softhsm::pki;

/// A verifier trusting the test root for blobs and every OCI scope.
pub fn verifier() -> Verifier {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "root",
            Certificate::parse_many(&std::fs::read(pki("root.crt")).unwrap()).unwrap(),
        )
        .unwrap();
    let oci = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#;
    let blob = br#"{"version":"1.0","trustPolicies":[{"name":"b","globalPolicy":true,
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#;
    Verifier::builder(Arc::new(store))
        .oci_policy(OciTrustPolicyDocument::from_json(oci).unwrap())
        .blob_policy(BlobTrustPolicyDocument::from_json(blob).unwrap())
        .build()
        .unwrap()
}

/// The blob the tests sign.
pub const BLOB: &[u8] = b"a release artifact signed in hardware\n";

/// Signs [`BLOB`] at `time`.
pub fn sign_blob_at(signer: &dyn Signer, format: EnvelopeFormat, time: OffsetDateTime) -> Vec<u8> {
    sign_blob(
        signer,
        &mut &BLOB[..],
        &BlobSignOptions::new(format).signing_time(time),
        &*default_provider(),
    )
    .unwrap_or_else(|e| panic!("blob signing failed: {e}"))
}

/// Verifies a blob signature of [`BLOB`] with the full verifier; panics with
/// the outcome when it fails.
pub fn verify_blob(envelope: &[u8], format: EnvelopeFormat) {
    let outcome = verifier()
        .verify_blob(envelope, format, &mut &BLOB[..], &BlobVerifyOptions::new())
        .unwrap_or_else(|e| panic!("verification failed: {e}"));
    assert!(!outcome.is_skipped(), "{outcome:?}");
}

/// An envelope's content, its signature checked.
pub fn content(envelope: &[u8], format: EnvelopeFormat) -> EnvelopeContent {
    Envelope::parse(format, envelope)
        .unwrap()
        .verify(&*default_provider())
        .unwrap()
}

/// Asserts that two envelopes carry the same structure: payload, every
/// signed attribute (protected header), signing agent, signature
/// algorithm and certificate chain. Only the signature bytes may differ
/// (RSASSA-PSS and ECDSA are randomized).
pub fn assert_same_envelope(a: &[u8], b: &[u8], format: EnvelopeFormat) {
    let (ca, cb) = (content(a, format), content(b, format));
    assert_eq!(ca.payload, cb.payload);
    let (sa, sb) = (&ca.signer_info, &cb.signer_info);
    assert_eq!(format!("{:?}", sa.signed), format!("{:?}", sb.signed));
    assert_eq!(format!("{:?}", sa.unsigned), format!("{:?}", sb.unsigned));
    assert_eq!(sa.signature_algorithm, sb.signature_algorithm);
    let ders = |c: &[Certificate]| c.iter().map(|c| c.der().to_vec()).collect::<Vec<_>>();
    assert_eq!(ders(&sa.certificate_chain), ders(&sb.certificate_chain));
    assert_eq!(sa.signature.len(), sb.signature.len());
    if format == EnvelopeFormat::Jws {
        // Same protected header bytes, same payload bytes.
        let parts = |e: &[u8]| {
            let v: serde_json::Value = serde_json::from_slice(e).unwrap();
            (
                v["protected"].clone(),
                v["payload"].clone(),
                v["header"]["io.cncf.notary.signingAgent"].clone(),
            )
        };
        assert_eq!(parts(a), parts(b));
    }
}
