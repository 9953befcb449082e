//! Key specs, signature algorithms and hash algorithms.
//!
//! Notation derives the signature algorithm from the signing key and nothing
//! else: the whole selection lives in [`KeySpec::signature_algorithm`], one
//! `match`, so that a reader can check it against the specification's table
//! of algorithms.
// Requirements: G1-G4.

use std::fmt;

use crate::crypto::primitives::digest;

/// The hash functions Notation uses: for signatures, blob digests and the
/// RFC 3161 message imprint.
// Requirements: G2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The OCI digest algorithm name (`sha256`, ...).
    pub fn digest_name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Parses an OCI digest algorithm name.
    pub fn from_digest_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The plugin protocol name (`SHA-256`, ...).
    // Requirements: G4.
    pub fn plugin_name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Hashes `data` in one go.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        digest::digest(self.backend_algorithm(), data)
            .as_ref()
            .to_vec()
    }

    /// Starts an incremental hash.
    pub fn hasher(self) -> Hasher {
        Hasher(digest::Context::new(self.backend_algorithm()))
    }

    fn backend_algorithm(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
            Self::Sha512 => &digest::SHA512,
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plugin_name())
    }
}

/// An incremental hash, for digesting blobs of any size without holding them
/// in memory.
pub struct Hasher(digest::Context);

impl Hasher {
    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// Finishes and returns the digest bytes.
    pub fn finish(self) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Hasher").field(&self.0.algorithm()).finish()
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The six signature algorithms of the Notary Project.
// Requirements: G1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PSS with SHA-256 (salt length 32).
    Ps256,
    /// RSASSA-PSS with SHA-384 (salt length 48).
    Ps384,
    /// RSASSA-PSS with SHA-512 (salt length 64).
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// ECDSA on P-521 with SHA-512.
    Es512,
}

impl SignatureAlgorithm {
    /// All six, in the order of the specification's table.
    pub const ALL: [SignatureAlgorithm; 6] = [
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
        Self::Es384,
        Self::Es512,
    ];

    /// The hash the algorithm signs with; also the blob digest and timestamp
    /// imprint hash.
    // Requirements: G2.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::Ps256 | Self::Es256 => HashAlgorithm::Sha256,
            Self::Ps384 | Self::Es384 => HashAlgorithm::Sha384,
            Self::Ps512 | Self::Es512 => HashAlgorithm::Sha512,
        }
    }

    /// The JWS `alg` value.
    // Requirements: C5.
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
        }
    }

    /// Parses a JWS `alg` value; `none`, HMAC and anything else give `None`.
    pub fn from_jws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.jws_name() == name)
    }

    /// The COSE algorithm label.
    // Requirements: D4.
    pub fn cose_id(self) -> i64 {
        match self {
            Self::Ps256 => -37,
            Self::Ps384 => -38,
            Self::Ps512 => -39,
            Self::Es256 => -7,
            Self::Es384 => -35,
            Self::Es512 => -36,
        }
    }

    /// Parses a COSE algorithm label.
    pub fn from_cose_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.cose_id() == id)
    }

    /// The plugin protocol name, also printed by `inspect`.
    // Requirements: G4, X3.
    pub fn plugin_name(self) -> &'static str {
        match self {
            Self::Ps256 => "RSASSA-PSS-SHA-256",
            Self::Ps384 => "RSASSA-PSS-SHA-384",
            Self::Ps512 => "RSASSA-PSS-SHA-512",
            Self::Es256 => "ECDSA-SHA-256",
            Self::Es384 => "ECDSA-SHA-384",
            Self::Es512 => "ECDSA-SHA-512",
        }
    }

    /// Parses a plugin protocol signing algorithm name.
    pub fn from_plugin_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.plugin_name() == name)
    }

    /// The number the reference gives the algorithm (1 to 6, in the order
    /// PS256, PS384, PS512, ES256, ES384, ES512), which one of its messages
    /// prints in place of a name.
    pub(crate) fn go_number(self) -> u8 {
        match self {
            Self::Ps256 => 1,
            Self::Ps384 => 2,
            Self::Ps512 => 3,
            Self::Es256 => 4,
            Self::Es384 => 5,
            Self::Es512 => 6,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plugin_name())
    }
}

/// A signing key's type and size: exactly the six that Notation accepts.
// Requirements: G2, W6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySpec {
    /// RSA, 2048-bit modulus.
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
    /// ECDSA on NIST P-256.
    Ec256,
    /// ECDSA on NIST P-384.
    Ec384,
    /// ECDSA on NIST P-521.
    Ec521,
}

impl KeySpec {
    /// All six key specs.
    pub const ALL: [KeySpec; 6] = [
        Self::Rsa2048,
        Self::Rsa3072,
        Self::Rsa4096,
        Self::Ec256,
        Self::Ec384,
        Self::Ec521,
    ];

    /// The algorithm selection table of the specification. This is the
    /// only place where a key determines an algorithm.
    // Requirements: G2.
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            Self::Rsa2048 => SignatureAlgorithm::Ps256,
            Self::Rsa3072 => SignatureAlgorithm::Ps384,
            Self::Rsa4096 => SignatureAlgorithm::Ps512,
            Self::Ec256 => SignatureAlgorithm::Es256,
            Self::Ec384 => SignatureAlgorithm::Es384,
            Self::Ec521 => SignatureAlgorithm::Es512,
        }
    }

    /// RSA key spec from a modulus length in bits; other sizes are refused
    /// with the reference's message.
    // Requirements: G3.
    pub fn from_rsa_bits(bits: usize) -> Result<Self, UnsupportedKeyError> {
        match bits {
            2048 => Ok(Self::Rsa2048),
            3072 => Ok(Self::Rsa3072),
            4096 => Ok(Self::Rsa4096),
            _ => Err(UnsupportedKeyError::RsaKeySize(bits)),
        }
    }

    /// EC key spec from a curve size in bits.
    // Requirements: G3.
    pub fn from_ec_bits(bits: usize) -> Result<Self, UnsupportedKeyError> {
        match bits {
            256 => Ok(Self::Ec256),
            384 => Ok(Self::Ec384),
            521 => Ok(Self::Ec521),
            _ => Err(UnsupportedKeyError::EcKeySize(bits)),
        }
    }

    /// The plugin protocol name (`RSA-2048`, `EC-256`, ...).
    // Requirements: G4.
    pub fn plugin_name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "RSA-2048",
            Self::Rsa3072 => "RSA-3072",
            Self::Rsa4096 => "RSA-4096",
            Self::Ec256 => "EC-256",
            Self::Ec384 => "EC-384",
            Self::Ec521 => "EC-521",
        }
    }

    /// Parses a plugin protocol key spec name.
    pub fn from_plugin_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.plugin_name() == name)
    }

    /// Whether this is an RSA key.
    pub fn is_rsa(self) -> bool {
        matches!(self, Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096)
    }

    /// Key size in bits.
    pub fn bits(self) -> usize {
        match self {
            Self::Rsa2048 => 2048,
            Self::Rsa3072 => 3072,
            Self::Rsa4096 => 4096,
            Self::Ec256 => 256,
            Self::Ec384 => 384,
            Self::Ec521 => 521,
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plugin_name())
    }
}

/// A key that is none of the six key specs.
// Requirements: G3.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnsupportedKeyError {
    /// An RSA key of a size other than 2048, 3072 or 4096 bits.
    #[error("rsa key size {0} bits is not supported")]
    RsaKeySize(usize),
    /// An EC key on a curve other than P-256, P-384 or P-521.
    #[error("ecdsa key size {0} bits is not supported")]
    EcKeySize(usize),
    /// An EC key on a named curve we do not know.
    #[error("ecdsa key on curve {0} is not supported")]
    EcCurve(String),
    /// Any other public key type (Ed25519, DSA, ...).
    #[error("unsupported public key type {0}")]
    KeyType(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g2_table() {
        let expected = [
            (KeySpec::Rsa2048, "PS256", -37, HashAlgorithm::Sha256),
            (KeySpec::Rsa3072, "PS384", -38, HashAlgorithm::Sha384),
            (KeySpec::Rsa4096, "PS512", -39, HashAlgorithm::Sha512),
            (KeySpec::Ec256, "ES256", -7, HashAlgorithm::Sha256),
            (KeySpec::Ec384, "ES384", -35, HashAlgorithm::Sha384),
            (KeySpec::Ec521, "ES512", -36, HashAlgorithm::Sha512),
        ];
        for (spec, jws, cose, hash) in expected {
            let alg = spec.signature_algorithm();
            assert_eq!(alg.jws_name(), jws);
            assert_eq!(alg.cose_id(), cose);
            assert_eq!(alg.hash(), hash);
            assert_eq!(SignatureAlgorithm::from_jws_name(jws), Some(alg));
            assert_eq!(SignatureAlgorithm::from_cose_id(cose), Some(alg));
            assert_eq!(KeySpec::from_plugin_name(spec.plugin_name()), Some(spec));
        }
        assert_eq!(SignatureAlgorithm::from_jws_name("none"), None);
        assert_eq!(SignatureAlgorithm::from_jws_name("HS256"), None);
    }

    #[test]
    fn g3_sizes() {
        assert_eq!(
            KeySpec::from_rsa_bits(1024).unwrap_err().to_string(),
            "rsa key size 1024 bits is not supported"
        );
        assert_eq!(
            KeySpec::from_ec_bits(224).unwrap_err().to_string(),
            "ecdsa key size 224 bits is not supported"
        );
    }
}
