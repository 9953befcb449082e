//! Signature checks behind a small provider trait.
//!
//! Two signature encodings meet in Notation and must never be mixed up:
//! envelopes (JWS, COSE) carry ECDSA signatures as fixed-width `r||s`
//! ([`SignatureScheme::EcdsaFixed`]); certificates, CMS, OCSP and CRLs carry
//! them DER-encoded ([`SignatureScheme::EcdsaDer`]). RSASSA-PSS always uses a
//! salt as long as the hash.
//!
//! The default provider, [`RingProvider`], uses ring for RSA, P-256 and P-384
//! and the RustCrypto `p521` crate for P-521, which ring lacks.
// Requirements: C7.

use std::fmt;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::{Decode, asn1::UintRef};
use spki::SubjectPublicKeyInfoRef;

use crate::algorithm::{HashAlgorithm, KeySpec, SignatureAlgorithm, UnsupportedKeyError};
use crate::oid;

/// A named elliptic curve that Notation can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
}

impl Curve {
    /// Length of one coordinate or scalar in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// A public key taken from a certificate's SubjectPublicKeyInfo.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An RSA key: the PKCS#1 `RSAPublicKey` DER and the modulus size.
    Rsa {
        /// PKCS#1 `RSAPublicKey` DER.
        pkcs1: Vec<u8>,
        /// Modulus length in bits.
        bits: usize,
    },
    /// An EC key: the curve and the uncompressed (or compressed) SEC1 point.
    Ec {
        /// The curve.
        curve: Curve,
        /// SEC1-encoded point.
        point: Vec<u8>,
    },
    /// A key of a type or size Notation cannot use; kept so that parsing a
    /// certificate never fails for its key alone (trust stores and chains
    /// may hold such certificates).
    Unsupported(UnsupportedKeyError),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKey::Rsa { bits, .. } => write!(f, "PublicKey::Rsa({bits})"),
            PublicKey::Ec { curve, .. } => write!(f, "PublicKey::Ec({curve:?})"),
            PublicKey::Unsupported(e) => write!(f, "PublicKey::Unsupported({e})"),
        }
    }
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo. Structural errors fail; a
    /// well-formed key of an unsupported type gives [`PublicKey::Unsupported`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, der::Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)?;
        Self::from_spki(&spki)
    }

    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self, der::Error> {
        let key_bytes = spki.subject_public_key.as_bytes().ok_or_else(|| {
            der::Error::from(der::ErrorKind::Length {
                tag: der::Tag::BitString,
            })
        })?;
        let alg = spki.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION {
            let bits = rsa_modulus_bits(key_bytes)?;
            return Ok(PublicKey::Rsa {
                pkcs1: key_bytes.to_vec(),
                bits,
            });
        }
        if alg == oid::EC_PUBLIC_KEY {
            let curve_oid: ObjectIdentifier = match &spki.algorithm.parameters {
                Some(any) => any.decode_as()?,
                None => {
                    return Ok(PublicKey::Unsupported(UnsupportedKeyError::EcCurve(
                        "(missing)".into(),
                    )));
                }
            };
            let curve = match curve_oid {
                c if c == oid::SECP256R1 => Curve::P256,
                c if c == oid::SECP384R1 => Curve::P384,
                c if c == oid::SECP521R1 => Curve::P521,
                c if c == oid::SECP224R1 => {
                    return Ok(PublicKey::Unsupported(UnsupportedKeyError::EcKeySize(224)));
                }
                c if c == oid::SECP192R1 => {
                    return Ok(PublicKey::Unsupported(UnsupportedKeyError::EcKeySize(192)));
                }
                c => {
                    return Ok(PublicKey::Unsupported(UnsupportedKeyError::EcCurve(
                        c.to_string(),
                    )));
                }
            };
            return Ok(PublicKey::Ec {
                curve,
                point: key_bytes.to_vec(),
            });
        }
        let name = oid::name(&alg)
            .map(str::to_owned)
            .unwrap_or_else(|| alg.to_string());
        Ok(PublicKey::Unsupported(UnsupportedKeyError::KeyType(name)))
    }

    /// The Notation key spec of this key, or why it has none.
    // Requirements: G2, G3.
    pub fn key_spec(&self) -> Result<KeySpec, UnsupportedKeyError> {
        match self {
            PublicKey::Rsa { bits, .. } => KeySpec::from_rsa_bits(*bits),
            PublicKey::Ec {
                curve: Curve::P256, ..
            } => Ok(KeySpec::Ec256),
            PublicKey::Ec {
                curve: Curve::P384, ..
            } => Ok(KeySpec::Ec384),
            PublicKey::Ec {
                curve: Curve::P521, ..
            } => Ok(KeySpec::Ec521),
            PublicKey::Unsupported(e) => Err(e.clone()),
        }
    }
}

/// Bit length of the modulus of a PKCS#1 `RSAPublicKey`.
fn rsa_modulus_bits(pkcs1: &[u8]) -> Result<usize, der::Error> {
    #[derive(der::Sequence)]
    struct RsaPublicKey<'a> {
        modulus: UintRef<'a>,
        #[allow(dead_code)]
        public_exponent: UintRef<'a>,
    }
    let key = RsaPublicKey::from_der(pkcs1)?;
    let m = key.modulus.as_bytes();
    match m.first() {
        None => Ok(0),
        Some(&top) => Ok((m.len() - 1) * 8 + (8 - top.leading_zeros() as usize)),
    }
}

/// How a signature is computed and encoded. The ECDSA variants name the
/// context they belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// RSASSA-PSS with MGF1 of the same hash and salt length = hash length.
    RsaPss(HashAlgorithm),
    /// RSASSA-PKCS1-v1_5 (certificates, CMS, CRLs, OCSP only).
    RsaPkcs1v15(HashAlgorithm),
    /// ECDSA, fixed-width `r||s`: JWS and COSE envelopes.
    EcdsaFixed(HashAlgorithm),
    /// ECDSA, DER `Ecdsa-Sig-Value`: certificates, CMS, CRLs, OCSP.
    EcdsaDer(HashAlgorithm),
}

impl SignatureScheme {
    /// The scheme an envelope signature of `alg` uses.
    pub fn for_envelope(alg: SignatureAlgorithm) -> Self {
        match alg {
            SignatureAlgorithm::Ps256 | SignatureAlgorithm::Ps384 | SignatureAlgorithm::Ps512 => {
                SignatureScheme::RsaPss(alg.hash())
            }
            SignatureAlgorithm::Es256 | SignatureAlgorithm::Es384 | SignatureAlgorithm::Es512 => {
                SignatureScheme::EcdsaFixed(alg.hash())
            }
        }
    }

    /// The hash the scheme signs with.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureScheme::RsaPss(h)
            | SignatureScheme::RsaPkcs1v15(h)
            | SignatureScheme::EcdsaFixed(h)
            | SignatureScheme::EcdsaDer(h) => h,
        }
    }
}

/// A signature that does not verify, or a key/scheme pair that cannot be
/// used together. The texts follow the Go reference where tests quote them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureVerificationError {
    /// An RSA signature that does not verify.
    #[error("crypto/rsa: verification error")]
    Rsa,
    /// An ECDSA signature that does not verify.
    #[error("x509: ECDSA verification failure")]
    Ecdsa,
    /// The key cannot be used with this scheme (an EC key for RSA-PSS, ...).
    #[error("signature algorithm {scheme:?} does not match the {key} public key")]
    KeyMismatch {
        /// The scheme asked for.
        scheme: SignatureScheme,
        /// What the key is.
        key: String,
    },
    /// The key is of an unsupported type or size.
    #[error("{0}")]
    UnsupportedKey(UnsupportedKeyError),
    /// The provider does not implement this combination.
    #[error("unsupported signature algorithm {0:?} for this key")]
    Unsupported(SignatureScheme),
}

/// The cryptographic operations that notation-core needs to verify. Swap it
/// to use another library (for example a FIPS-validated one).
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// Verifies `signature` over `message` (which the provider hashes) with
    /// `key` under `scheme`.
    fn verify(
        &self,
        scheme: SignatureScheme,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError>;
}

/// The default provider: ring, plus RustCrypto `p521` for P-521.
#[derive(Clone, Copy, Debug, Default)]
pub struct RingProvider;

/// The provider used where the caller chose none.
pub fn default_provider() -> Arc<dyn CryptoProvider> {
    Arc::new(RingProvider)
}

impl CryptoProvider for RingProvider {
    fn verify(
        &self,
        scheme: SignatureScheme,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        use HashAlgorithm::*;
        use SignatureScheme::*;
        use ring::signature as rs;
        match key {
            PublicKey::Unsupported(e) => Err(SignatureVerificationError::UnsupportedKey(e.clone())),
            PublicKey::Rsa { pkcs1, bits } => {
                let alg: &dyn rs::VerificationAlgorithm = match scheme {
                    RsaPss(Sha256) => &rs::RSA_PSS_2048_8192_SHA256,
                    RsaPss(Sha384) => &rs::RSA_PSS_2048_8192_SHA384,
                    RsaPss(Sha512) => &rs::RSA_PSS_2048_8192_SHA512,
                    // Go accepts 1024-bit RSA issuers in certificate chains;
                    // the key-size rule (G3) applies to signing keys only.
                    RsaPkcs1v15(Sha256) if *bits < 2048 => {
                        &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
                    }
                    RsaPkcs1v15(Sha512) if *bits < 2048 => {
                        &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
                    }
                    RsaPkcs1v15(Sha256) => &rs::RSA_PKCS1_2048_8192_SHA256,
                    RsaPkcs1v15(Sha384) => &rs::RSA_PKCS1_2048_8192_SHA384,
                    RsaPkcs1v15(Sha512) => &rs::RSA_PKCS1_2048_8192_SHA512,
                    EcdsaFixed(_) | EcdsaDer(_) => {
                        return Err(SignatureVerificationError::KeyMismatch {
                            scheme,
                            key: "RSA".into(),
                        });
                    }
                };
                rs::UnparsedPublicKey::new(alg, pkcs1)
                    .verify(message, signature)
                    .map_err(|_| SignatureVerificationError::Rsa)
            }
            PublicKey::Ec {
                curve: Curve::P521,
                point,
            } => {
                use p521::ecdsa::signature::hazmat::PrehashVerifier;
                let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|_| SignatureVerificationError::Ecdsa)?;
                let (hash, sig) = match scheme {
                    EcdsaFixed(h) => (h, p521::ecdsa::Signature::from_slice(signature)),
                    EcdsaDer(h) => (h, p521::ecdsa::Signature::from_der(signature)),
                    _ => {
                        return Err(SignatureVerificationError::KeyMismatch {
                            scheme,
                            key: "ECDSA P-521".into(),
                        });
                    }
                };
                let sig = sig.map_err(|_| SignatureVerificationError::Ecdsa)?;
                let prehash = hash.digest(message);
                vk.verify_prehash(&prehash, &sig)
                    .map_err(|_| SignatureVerificationError::Ecdsa)
            }
            PublicKey::Ec { curve, point } => {
                let alg: &dyn rs::VerificationAlgorithm = match (curve, scheme) {
                    (Curve::P256, EcdsaFixed(Sha256)) => &rs::ECDSA_P256_SHA256_FIXED,
                    (Curve::P384, EcdsaFixed(Sha384)) => &rs::ECDSA_P384_SHA384_FIXED,
                    (Curve::P256, EcdsaDer(Sha256)) => &rs::ECDSA_P256_SHA256_ASN1,
                    (Curve::P256, EcdsaDer(Sha384)) => &rs::ECDSA_P256_SHA384_ASN1,
                    (Curve::P384, EcdsaDer(Sha256)) => &rs::ECDSA_P384_SHA256_ASN1,
                    (Curve::P384, EcdsaDer(Sha384)) => &rs::ECDSA_P384_SHA384_ASN1,
                    (_, RsaPss(_) | RsaPkcs1v15(_)) => {
                        return Err(SignatureVerificationError::KeyMismatch {
                            scheme,
                            key: "ECDSA".into(),
                        });
                    }
                    _ => return Err(SignatureVerificationError::Unsupported(scheme)),
                };
                rs::UnparsedPublicKey::new(alg, point)
                    .verify(message, signature)
                    .map_err(|_| SignatureVerificationError::Ecdsa)
            }
        }
    }
}
