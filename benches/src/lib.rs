//! Shared fixtures for the benchmarks: the committed test PKI.

use std::path::PathBuf;

use notation_core::crypto::{CryptoProvider, SignatureScheme};
use notation_core::envelope::Envelope;
use notation_core::signer::LocalSigner;

/// The test PKI directory (testdata/pki, made by make-pki.sh).
pub fn pki_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki"))
}

/// Reads a test PKI file.
pub fn pki(name: &str) -> Vec<u8> {
    std::fs::read(pki_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The six key specs of the test PKI.
pub const KEY_NAMES: [&str; 6] = [
    "rsa-2048", "rsa-3072", "rsa-4096", "ec-256", "ec-384", "ec-521",
];

/// A signer for one test PKI leaf (chain: leaf, intermediate, root).
pub fn signer(name: &str) -> LocalSigner {
    LocalSigner::from_pem(
        &pki(&format!("{name}.key")),
        &pki(&format!("{name}.chain.pem")),
    )
    .expect("test signer")
}

/// Every signature check a verification of `envelope` cannot avoid: the
/// envelope signature and each certificate signature of its chain, and
/// nothing else. The benchmarks report their results beside this floor.
pub fn floor(envelope: &Envelope, crypto: &dyn CryptoProvider) {
    let content = envelope.content_unverified().unwrap();
    let info = &content.signer_info;
    let chain = &info.certificate_chain;
    let signed = envelope.signing_input().unwrap();
    crypto
        .verify(
            SignatureScheme::for_envelope(info.signature_algorithm),
            chain[0].public_key(),
            &signed,
            &info.signature,
        )
        .unwrap();
    for (i, cert) in chain.iter().enumerate() {
        let issuer = chain.get(i + 1).unwrap_or(cert);
        cert.check_signature_with(issuer.public_key(), crypto)
            .unwrap();
    }
}
