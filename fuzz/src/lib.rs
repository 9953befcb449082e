//! Shared harness code of the fuzz targets: the multi-file input format
//! (named entries with digest fix-up), a crypto provider that accepts every
//! signature (to reach the checks behind a signature), and the fixtures
//! several targets verify against.

pub mod entries;
pub mod fixtures;

use notation_core::algorithm::HashAlgorithm;
use notation_core::crypto::{CryptoProvider, PublicKey, SignatureScheme};

/// A crypto provider that accepts every signature. Fuzzed documents almost
/// never carry a valid signature; with this provider the checks that follow
/// a signature check (freshness, extensions, entries, chain rules) are
/// reached too. Targets alternate it with the real provider.
#[derive(Debug)]
pub struct AcceptAllSignatures;

impl CryptoProvider for AcceptAllSignatures {
    fn verify(
        &self,
        _scheme: SignatureScheme,
        _key: &PublicKey,
        _message: &[u8],
        _signature: &[u8],
    ) -> Result<(), notation_core::crypto::SignatureVerificationError> {
        Ok(())
    }
}

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!(
        "sha256:{}",
        notation_core::hex::encode(&HashAlgorithm::Sha256.digest(data))
    )
}
