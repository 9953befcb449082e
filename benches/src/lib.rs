//! Shared fixtures for the benchmarks: the committed test PKI.

use std::path::PathBuf;

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
