//! Signature checks behind a small provider trait.
//!
//! Two signature encodings meet in Notation and must never be mixed up:
//! envelopes (JWS, COSE) carry ECDSA signatures as fixed-width `r||s`
//! ([`SignatureScheme::EcdsaFixed`]); certificates, CMS, OCSP and CRLs carry
//! them DER-encoded ([`SignatureScheme::EcdsaDer`]). RSASSA-PSS always uses a
//! salt as long as the hash.
//!
//! Two providers implement [`CryptoProvider`], chosen at build time with
//! cargo features, as rustls does:
//!
//! - `aws-lc-rs` (the default feature): [`AwsLcProvider`], on aws-lc-rs, for
//!   every algorithm. It needs a C compiler to build and is the faster one
//!   for P-384 and P-521 by about three times.
//! - `ring`: [`RingProvider`], on ring for RSA, P-256 and P-384 and the
//!   RustCrypto `p521` crate for P-521, which ring lacks. Build with
//!   `default-features = false, features = ["ring"]` for ring alone.
//!
//! With both features on, aws-lc-rs is the default ([`Backend::DEFAULT`]);
//! both providers are then available, for example to compare them. Both
//! give the same verdict for every input: they accept the same schemes, the
//! same key sizes and only uncompressed elliptic-curve points, as the Go
//! reference does. Hashing, random numbers and local signing keys
//! ([`crate::signer::PrivateKey`]) use the default backend too.
// Requirements: C7.

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!(
    "notation-core needs a crypto provider: enable the `aws-lc-rs` (default) or the `ring` feature"
);

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "ring")]
mod ring;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

#[cfg(feature = "ring")]
pub use self::ring::RingProvider;
#[cfg(feature = "aws-lc-rs")]
pub use aws_lc::AwsLcProvider;

/// The provider of the default backend ([`Backend::DEFAULT`]) as a value:
/// [`AwsLcProvider`] when the `aws-lc-rs` feature is on, else
/// [`RingProvider`]. `&DefaultProvider` is a `&dyn CryptoProvider`.
#[cfg(not(feature = "aws-lc-rs"))]
pub use self::ring::RingProvider as DefaultProvider;
/// The provider of the default backend ([`Backend::DEFAULT`]) as a value:
/// [`AwsLcProvider`] when the `aws-lc-rs` feature is on, else
/// [`RingProvider`]. `&DefaultProvider` is a `&dyn CryptoProvider`.
#[cfg(feature = "aws-lc-rs")]
pub use aws_lc::AwsLcProvider as DefaultProvider;

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(crate) use ::ring as primitives;
/// The library behind hashing and random numbers (`digest`, `rand`): the
/// default backend's. aws-lc-rs mirrors ring's API for both.
#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc_rs as primitives;

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
            // The reference sizes an RSA key by its modulus in whole bytes
            // (Go's `rsa.PublicKey.Size() * 8`): a 3070-bit modulus is
            // RSA-3072.
            PublicKey::Rsa { bits, .. } => KeySpec::from_rsa_bits(bits.div_ceil(8) * 8),
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

    /// Verifies a certificate's signature: `tbs` is the certificate's
    /// original TBSCertificate bytes, `issuer_key` the issuer's key. The
    /// result depends on these bytes alone, so a caller may remember it
    /// (the [`Verifier`](crate::verifier::Verifier)'s chain cache does).
    /// The default is [`CryptoProvider::verify`].
    fn verify_certificate_signature(
        &self,
        scheme: SignatureScheme,
        issuer_key: &PublicKey,
        tbs: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        self.verify(scheme, issuer_key, tbs, signature)
    }

    /// `key` made ready for repeated checks under `scheme` (parsed once,
    /// with whatever the library derives from a key kept), or `None`: the
    /// default, and the answer whenever [`CryptoProvider::verify`] would
    /// refuse the key or the scheme, so that it gives the error. A
    /// [`Verifier`](crate::verifier::Verifier) with its chain cache on keeps
    /// the prepared keys it has used and checks envelope and certificate
    /// signatures with them, in place of `verify` and
    /// [`verify_certificate_signature`](CryptoProvider::verify_certificate_signature).
    fn prepare(&self, scheme: SignatureScheme, key: &PublicKey) -> Option<Arc<dyn PreparedKey>> {
        let _ = (scheme, key);
        None
    }
}

/// A public key a provider has made ready for one scheme
/// ([`CryptoProvider::prepare`]).
pub trait PreparedKey: Send + Sync {
    /// Verifies `signature` over `message` with the verdict and the error
    /// [`CryptoProvider::verify`] gives for the key and scheme this was
    /// prepared from.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureVerificationError>;
}

/// A cryptographic library notation-core is built with (cargo features
/// `aws-lc-rs` and `ring`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// aws-lc-rs (feature `aws-lc-rs`).
    #[cfg(feature = "aws-lc-rs")]
    AwsLc,
    /// ring, with RustCrypto `p521` for P-521 (feature `ring`).
    #[cfg(feature = "ring")]
    Ring,
}

impl Backend {
    /// The backend used where the caller chose none: aws-lc-rs when its
    /// feature is on, else ring.
    #[cfg(feature = "aws-lc-rs")]
    pub const DEFAULT: Backend = Backend::AwsLc;
    /// The backend used where the caller chose none: aws-lc-rs when its
    /// feature is on, else ring.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub const DEFAULT: Backend = Backend::Ring;

    /// Every backend this build has, the default first.
    pub const ALL: &'static [Backend] = &[
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLc,
        #[cfg(feature = "ring")]
        Backend::Ring,
    ];

    /// Its name: `aws-lc-rs` or `ring`.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLc => "aws-lc-rs",
            #[cfg(feature = "ring")]
            Backend::Ring => "ring",
        }
    }

    /// Its signature verification provider.
    pub fn provider(self) -> Arc<dyn CryptoProvider> {
        match self {
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLc => Arc::new(AwsLcProvider),
            #[cfg(feature = "ring")]
            Backend::Ring => Arc::new(RingProvider),
        }
    }

    /// Loads a private key into this backend. `spec` is the key's spec,
    /// taken from the certificate the key belongs to.
    pub(crate) fn load_key(
        self,
        material: KeyMaterial<'_>,
        spec: KeySpec,
    ) -> Result<Box<dyn KeyPair>, KeyLoadError> {
        match self {
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLc => aws_lc::load_key(material, spec),
            #[cfg(feature = "ring")]
            Backend::Ring => self::ring::load_key(material, spec),
        }
    }
}

/// The provider used where the caller chose none ([`Backend::DEFAULT`]).
pub fn default_provider() -> Arc<dyn CryptoProvider> {
    Backend::DEFAULT.provider()
}

/// Private key material, parsed from PKCS#8, SEC1 or PKCS#1, for a backend
/// to load.
pub(crate) enum KeyMaterial<'a> {
    /// A PKCS#1 `RSAPrivateKey`.
    Rsa(&'a [u8]),
    /// An EC private scalar (left-padded to the field length) and the public
    /// point it must match (the certificate's).
    Ec {
        curve: Curve,
        scalar: &'a [u8],
        point: &'a [u8],
    },
}

/// A private key loaded into a backend.
pub(crate) trait KeyPair: Send + Sync {
    /// The PKCS#1 `RSAPublicKey` of an RSA key (to match it with its
    /// certificate); `None` for EC keys, which are loaded with their point.
    fn rsa_public_key(&self) -> Option<&[u8]>;

    /// Signs `data` with the algorithm of the key spec, in envelope encoding
    /// (RSASSA-PSS, or fixed-width ECDSA `r||s`).
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SigningFailed>;
}

/// A backend refused a key: malformed, inconsistent with itself, or (for
/// EC keys) not the private key of the point given with it.
#[derive(Debug)]
pub(crate) struct KeyLoadError(pub(crate) String);

/// A signing operation failed inside the backend.
#[derive(Debug)]
pub(crate) struct SigningFailed;

/// Whether `point` is an uncompressed SEC1 point of `curve`'s size. Both
/// providers refuse other encodings, as Go's `x509` does, so that their
/// verdicts never differ.
pub(crate) fn is_uncompressed_point(curve: Curve, point: &[u8]) -> bool {
    point.len() == 1 + 2 * curve.field_len() && point[0] == 0x04
}

/// The error for a key/scheme pair that cannot go together.
pub(crate) fn key_mismatch(scheme: SignatureScheme, key: &str) -> SignatureVerificationError {
    SignatureVerificationError::KeyMismatch {
        scheme,
        key: key.into(),
    }
}
