//! The ring provider: ring for RSA, P-256 and P-384, the RustCrypto `p521`
//! crate for P-521 (ring has no P-521).

use ::ring::signature as rs;

use super::{
    CryptoProvider, Curve, KeyLoadError, KeyMaterial, KeyPair, PublicKey, SignatureScheme,
    SignatureVerificationError, SigningFailed, is_uncompressed_point, key_mismatch,
};
use crate::algorithm::{HashAlgorithm, KeySpec, SignatureAlgorithm};

/// The provider on ring, plus RustCrypto `p521` for P-521 (cargo feature
/// `ring`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RingProvider;

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
                    EcdsaFixed(_) | EcdsaDer(_) => return Err(key_mismatch(scheme, "RSA")),
                };
                rs::UnparsedPublicKey::new(alg, pkcs1)
                    .verify(message, signature)
                    .map_err(|_| SignatureVerificationError::Rsa)
            }
            PublicKey::Ec { curve, point } if !is_uncompressed_point(*curve, point) => match scheme
            {
                RsaPss(_) | RsaPkcs1v15(_) => Err(key_mismatch(scheme, "ECDSA")),
                _ => Err(SignatureVerificationError::Ecdsa),
            },
            PublicKey::Ec {
                curve: Curve::P521,
                point,
            } => {
                use p521::ecdsa::signature::hazmat::PrehashVerifier;
                let (hash, sig) = match scheme {
                    EcdsaFixed(h) => (h, p521::ecdsa::Signature::from_slice(signature)),
                    EcdsaDer(h) => (h, p521::ecdsa::Signature::from_der(signature)),
                    RsaPss(_) | RsaPkcs1v15(_) => return Err(key_mismatch(scheme, "ECDSA P-521")),
                };
                let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|_| SignatureVerificationError::Ecdsa)?;
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
                    (_, RsaPss(_) | RsaPkcs1v15(_)) => return Err(key_mismatch(scheme, "ECDSA")),
                    _ => return Err(SignatureVerificationError::Unsupported(scheme)),
                };
                rs::UnparsedPublicKey::new(alg, point)
                    .verify(message, signature)
                    .map_err(|_| SignatureVerificationError::Ecdsa)
            }
        }
    }
}

/// Loads a private key into ring (or `p521`).
pub(super) fn load_key(
    material: KeyMaterial<'_>,
    spec: KeySpec,
) -> Result<Box<dyn KeyPair>, KeyLoadError> {
    let rng = ::ring::rand::SystemRandom::new();
    let rejected = |e: &dyn std::fmt::Display| KeyLoadError(e.to_string());
    match material {
        KeyMaterial::Rsa(der) => {
            let key = rs::RsaKeyPair::from_der(der)
                .map_err(|e| KeyLoadError(format!("RSA key rejected: {e}")))?;
            let padding: &'static dyn rs::RsaEncoding = match spec.signature_algorithm() {
                SignatureAlgorithm::Ps256 => &rs::RSA_PSS_SHA256,
                SignatureAlgorithm::Ps384 => &rs::RSA_PSS_SHA384,
                _ => &rs::RSA_PSS_SHA512,
            };
            Ok(Box::new(RingRsa { key, padding }))
        }
        KeyMaterial::Ec {
            curve: Curve::P521,
            scalar,
            point,
        } => {
            let key = p521::ecdsa::SigningKey::from_slice(scalar).map_err(|e| rejected(&e))?;
            let expected = p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|e| rejected(&e))?
                .to_sec1_point(false);
            if key.verifying_key().to_sec1_point(false) != expected {
                return Err(KeyLoadError("public key mismatch".into()));
            }
            Ok(Box::new(P521Key(Box::new(key))))
        }
        KeyMaterial::Ec {
            curve,
            scalar,
            point,
        } => {
            let alg = if curve == Curve::P256 {
                &rs::ECDSA_P256_SHA256_FIXED_SIGNING
            } else {
                &rs::ECDSA_P384_SHA384_FIXED_SIGNING
            };
            let key = rs::EcdsaKeyPair::from_private_key_and_public_key(alg, scalar, point, &rng)
                .map_err(|e| rejected(&e))?;
            Ok(Box::new(RingEcdsa(key)))
        }
    }
}

struct RingRsa {
    key: rs::RsaKeyPair,
    padding: &'static dyn rs::RsaEncoding,
}

impl KeyPair for RingRsa {
    fn rsa_public_key(&self) -> Option<&[u8]> {
        use rs::KeyPair as _;
        Some(self.key.public_key().as_ref())
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SigningFailed> {
        let rng = ::ring::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(self.padding, &rng, data, &mut sig)
            .map_err(|_| SigningFailed)?;
        Ok(sig)
    }
}

struct RingEcdsa(rs::EcdsaKeyPair);

impl KeyPair for RingEcdsa {
    fn rsa_public_key(&self) -> Option<&[u8]> {
        None
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SigningFailed> {
        let rng = ::ring::rand::SystemRandom::new();
        Ok(self
            .0
            .sign(&rng, data)
            .map_err(|_| SigningFailed)?
            .as_ref()
            .to_vec())
    }
}

struct P521Key(Box<p521::ecdsa::SigningKey>);

impl KeyPair for P521Key {
    fn rsa_public_key(&self) -> Option<&[u8]> {
        None
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SigningFailed> {
        use p521::ecdsa::signature::hazmat::PrehashSigner;
        let digest = HashAlgorithm::Sha512.digest(data);
        let sig: p521::ecdsa::Signature =
            self.0.sign_prehash(&digest).map_err(|_| SigningFailed)?;
        Ok(sig.to_bytes().to_vec())
    }
}
