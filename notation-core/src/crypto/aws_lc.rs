//! The aws-lc-rs provider: every algorithm on AWS-LC.

use std::sync::Arc;

use aws_lc_rs::signature as als;

use super::{
    CryptoProvider, Curve, KeyLoadError, KeyMaterial, KeyPair, PreparedKey, PublicKey,
    SignatureScheme, SignatureVerificationError, SigningFailed, is_uncompressed_point,
    key_mismatch,
};
use crate::algorithm::{HashAlgorithm, KeySpec, SignatureAlgorithm};

/// The provider on aws-lc-rs (cargo feature `aws-lc-rs`, the default).
///
/// It accepts exactly what [`RingProvider`](super::RingProvider) accepts:
/// the same schemes per curve (P-256 and P-384 with SHA-256 or SHA-384 in
/// DER, each with its own hash in envelopes; P-521 with any of the three
/// hashes), RSA from 2048 bits (1024 for PKCS #1 v1.5 certificate
/// signatures with SHA-256 or SHA-512, as Go), and uncompressed points.
#[derive(Clone, Copy, Debug, Default)]
pub struct AwsLcProvider;

impl CryptoProvider for AwsLcProvider {
    fn verify(
        &self,
        scheme: SignatureScheme,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        let (algorithm, bytes, failed) = algorithm(scheme, key)?;
        als::UnparsedPublicKey::new(algorithm, bytes)
            .verify(message, signature)
            .map_err(|_| failed)
    }

    fn prepare(&self, scheme: SignatureScheme, key: &PublicKey) -> Option<Arc<dyn PreparedKey>> {
        let (algorithm, bytes, failed) = algorithm(scheme, key).ok()?;
        // A key aws-lc refuses is left to `verify`, which refuses it alike.
        let key = als::ParsedPublicKey::new(algorithm, bytes).ok()?;
        Some(Arc::new(Prepared { key, failed }))
    }
}

/// A key aws-lc-rs has parsed (for RSA, with its Montgomery context once
/// the first check has computed it).
struct Prepared {
    key: als::ParsedPublicKey,
    failed: SignatureVerificationError,
}

impl PreparedKey for Prepared {
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureVerificationError> {
        self.key
            .verify_sig(message, signature)
            .map_err(|_| self.failed.clone())
    }
}

/// The aws-lc-rs algorithm that checks `scheme` with `key`, the key's
/// bytes as aws-lc-rs reads them, and the error a failed check gives; or
/// why the key cannot be used under `scheme`.
fn algorithm(
    scheme: SignatureScheme,
    key: &PublicKey,
) -> Result<
    (
        &'static dyn als::VerificationAlgorithm,
        &[u8],
        SignatureVerificationError,
    ),
    SignatureVerificationError,
> {
    use HashAlgorithm::*;
    use SignatureScheme::*;
    match key {
        PublicKey::Unsupported(e) => Err(SignatureVerificationError::UnsupportedKey(e.clone())),
        PublicKey::Rsa { pkcs1, bits } => {
            let alg: &'static dyn als::VerificationAlgorithm = match scheme {
                RsaPss(Sha256) => &als::RSA_PSS_2048_8192_SHA256,
                RsaPss(Sha384) => &als::RSA_PSS_2048_8192_SHA384,
                RsaPss(Sha512) => &als::RSA_PSS_2048_8192_SHA512,
                // Go accepts 1024-bit RSA issuers in certificate chains;
                // the key-size rule (G3) applies to signing keys only.
                RsaPkcs1v15(Sha256) if *bits < 2048 => {
                    &als::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
                }
                RsaPkcs1v15(Sha512) if *bits < 2048 => {
                    &als::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
                }
                RsaPkcs1v15(Sha256) => &als::RSA_PKCS1_2048_8192_SHA256,
                RsaPkcs1v15(Sha384) => &als::RSA_PKCS1_2048_8192_SHA384,
                RsaPkcs1v15(Sha512) => &als::RSA_PKCS1_2048_8192_SHA512,
                EcdsaFixed(_) | EcdsaDer(_) => return Err(key_mismatch(scheme, "RSA")),
            };
            Ok((alg, pkcs1, SignatureVerificationError::Rsa))
        }
        PublicKey::Ec { curve, point } => {
            let alg: &'static als::EcdsaVerificationAlgorithm = match (curve, scheme) {
                (_, RsaPss(_) | RsaPkcs1v15(_)) => {
                    let name = if *curve == Curve::P521 {
                        "ECDSA P-521"
                    } else {
                        "ECDSA"
                    };
                    return Err(key_mismatch(scheme, name));
                }
                _ if !is_uncompressed_point(*curve, point) => {
                    return Err(SignatureVerificationError::Ecdsa);
                }
                (Curve::P256, EcdsaFixed(Sha256)) => &als::ECDSA_P256_SHA256_FIXED,
                (Curve::P384, EcdsaFixed(Sha384)) => &als::ECDSA_P384_SHA384_FIXED,
                (Curve::P256, EcdsaDer(Sha256)) => &als::ECDSA_P256_SHA256_ASN1,
                (Curve::P256, EcdsaDer(Sha384)) => &als::ECDSA_P256_SHA384_ASN1,
                (Curve::P384, EcdsaDer(Sha256)) => &als::ECDSA_P384_SHA256_ASN1,
                (Curve::P384, EcdsaDer(Sha384)) => &als::ECDSA_P384_SHA384_ASN1,
                (Curve::P521, EcdsaFixed(Sha256)) => &als::ECDSA_P521_SHA256_FIXED,
                (Curve::P521, EcdsaFixed(Sha384)) => &als::ECDSA_P521_SHA384_FIXED,
                (Curve::P521, EcdsaFixed(Sha512)) => &als::ECDSA_P521_SHA512_FIXED,
                (Curve::P521, EcdsaDer(Sha256)) => &als::ECDSA_P521_SHA256_ASN1,
                (Curve::P521, EcdsaDer(Sha384)) => &als::ECDSA_P521_SHA384_ASN1,
                (Curve::P521, EcdsaDer(Sha512)) => &als::ECDSA_P521_SHA512_ASN1,
                _ => return Err(SignatureVerificationError::Unsupported(scheme)),
            };
            Ok((alg, point, SignatureVerificationError::Ecdsa))
        }
    }
}

/// Loads a private key into aws-lc-rs.
pub(super) fn load_key(
    material: KeyMaterial<'_>,
    spec: KeySpec,
) -> Result<Box<dyn KeyPair>, KeyLoadError> {
    match material {
        KeyMaterial::Rsa(der) => {
            let key = als::RsaKeyPair::from_der(der)
                .map_err(|e| KeyLoadError(format!("RSA key rejected: {e}")))?;
            let padding: &'static dyn als::RsaEncoding = match spec.signature_algorithm() {
                SignatureAlgorithm::Ps256 => &als::RSA_PSS_SHA256,
                SignatureAlgorithm::Ps384 => &als::RSA_PSS_SHA384,
                _ => &als::RSA_PSS_SHA512,
            };
            Ok(Box::new(AwsLcRsa { key, padding }))
        }
        KeyMaterial::Ec {
            curve,
            scalar,
            point,
        } => {
            let alg = match curve {
                Curve::P256 => &als::ECDSA_P256_SHA256_FIXED_SIGNING,
                Curve::P384 => &als::ECDSA_P384_SHA384_FIXED_SIGNING,
                Curve::P521 => &als::ECDSA_P521_SHA512_FIXED_SIGNING,
            };
            if !is_uncompressed_point(curve, point) {
                return Err(KeyLoadError(
                    "the public key is not an uncompressed point".into(),
                ));
            }
            let key = als::EcdsaKeyPair::from_private_key_and_public_key(alg, scalar, point)
                .map_err(|e| KeyLoadError(e.to_string()))?;
            Ok(Box::new(AwsLcEcdsa(key)))
        }
    }
}

struct AwsLcRsa {
    key: als::RsaKeyPair,
    padding: &'static dyn als::RsaEncoding,
}

impl KeyPair for AwsLcRsa {
    fn rsa_public_key(&self) -> Option<&[u8]> {
        use als::KeyPair as _;
        Some(self.key.public_key().as_ref())
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SigningFailed> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(self.padding, &rng, data, &mut sig)
            .map_err(|_| SigningFailed)?;
        Ok(sig)
    }
}

struct AwsLcEcdsa(als::EcdsaKeyPair);

impl KeyPair for AwsLcEcdsa {
    fn rsa_public_key(&self) -> Option<&[u8]> {
        None
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SigningFailed> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        Ok(self
            .0
            .sign(&rng, data)
            .map_err(|_| SigningFailed)?
            .as_ref()
            .to_vec())
    }
}
