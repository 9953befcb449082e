//! [`Pkcs11Signer`]: a Notation [`Signer`] over a private key on a token.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use der::asn1::UintRef;
use der::{Decode, Sequence};
use notation_core::algorithm::KeySpec;
use notation_core::crypto::{Curve, PublicKey, SignatureScheme, default_provider};
use notation_core::signer::{Signer, SignerError};
use notation_core::x509::Certificate;

use crate::ecdsa::{self, EcdsaEncoding};
use crate::error::Pkcs11Error;
use crate::module;
use crate::pin::Pin;
use crate::token::{KeyMaterial, TokenKey};
use crate::uri::{ObjectType, Pkcs11Uri};

/// Largest certificate chain file read.
const MAX_CHAIN_FILE_SIZE: u64 = 1024 * 1024;

/// Where the certificate chain comes from.
#[derive(Clone, Debug, Default)]
enum ChainSource {
    /// The token: the certificate object under the key's label or id, and
    /// its issuers found on the token.
    #[default]
    Token,
    /// A PEM (or DER) file, leaf first.
    File(PathBuf),
    /// Given by the caller.
    Certificates(Vec<Certificate>),
}

/// How to open a [`Pkcs11Signer`].
#[derive(Clone, Debug)]
pub struct Pkcs11SignerBuilder {
    uri: Pkcs11Uri,
    pin: Option<Pin>,
    chain: ChainSource,
}

impl Pkcs11SignerBuilder {
    /// Uses this PIN (read, for example, from standard input with
    /// [`Pin::read_from`]) instead of the URI's or the environment's.
    pub fn pin(mut self, pin: Pin) -> Self {
        self.pin = Some(pin);
        self
    }

    /// Reads the certificate chain (PEM or DER, leaf first) from a file
    /// instead of the token.
    pub fn certificate_chain_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.chain = ChainSource::File(path.into());
        self
    }

    /// Uses these certificates (leaf first) as the chain.
    pub fn certificate_chain(mut self, chain: Vec<Certificate>) -> Self {
        self.chain = ChainSource::Certificates(chain);
        self
    }

    /// Loads the module (once per process), finds the token and the
    /// private key, logs in, reads the certificate chain and checks that
    /// the key belongs to its leaf.
    pub fn build(self) -> Result<Pkcs11Signer, Pkcs11Error> {
        let uri = self.uri;
        if !uri.names_object() {
            return Err(Pkcs11Error::NoObjectNamed {
                uri: uri.redacted(),
            });
        }
        if let Some(t @ (ObjectType::SecretKey | ObjectType::Data)) = uri.object_type() {
            return Err(Pkcs11Error::UnusableKey {
                uri: uri.redacted(),
                reason: format!("type={} names no private key or certificate", t.as_str()),
            });
        }
        let pin = match self.pin {
            Some(pin) => Some(pin),
            None => resolve_pin(&uri)?,
        };
        let module = module::load(&module::resolve_path(&uri)?)?;
        let key = TokenKey::open(module, &uri, pin)?;
        let chain = match self.chain {
            ChainSource::Certificates(chain) => chain,
            ChainSource::File(path) => read_chain_file(&path)?,
            ChainSource::Token => {
                let ders = key.certificate_chain(&uri)?.ok_or_else(|| {
                    Pkcs11Error::NoCertificateChain {
                        uri: uri.redacted(),
                    }
                })?;
                ders.iter()
                    .map(|d| Certificate::from_der(d))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| {
                        Pkcs11Error::Certificate(format!("certificate on the token: {e}"))
                    })?
            }
        };
        let leaf = chain
            .first()
            .ok_or_else(|| Pkcs11Error::Certificate("the certificate chain is empty".into()))?;
        let spec = leaf
            .key_spec()
            .map_err(|e| Pkcs11Error::Certificate(format!("leaf certificate: {e}")))?;
        let signer = Pkcs11Signer {
            key: Arc::new(key),
            chain,
            spec,
        };
        signer.check_key_matches_leaf()?;
        Ok(signer)
    }
}

/// The PIN from the URI (`pin-value`, `pin-source`) or the environment.
fn resolve_pin(uri: &Pkcs11Uri) -> Result<Option<Pin>, Pkcs11Error> {
    if let Some(pin) = uri.pin_value() {
        return Ok(Some(pin.clone()));
    }
    if let Some(source) = uri.pin_source() {
        return Ok(Some(Pin::from_source(source)?));
    }
    Ok(Pin::from_env())
}

fn read_chain_file(path: &Path) -> Result<Vec<Certificate>, Pkcs11Error> {
    use std::io::Read;
    let io = |error| Pkcs11Error::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut data = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_CHAIN_FILE_SIZE + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() as u64 > MAX_CHAIN_FILE_SIZE {
        return Err(Pkcs11Error::Certificate(format!(
            "{} is larger than {MAX_CHAIN_FILE_SIZE} bytes",
            path.display()
        )));
    }
    Certificate::parse_many(&data)
        .map_err(|e| Pkcs11Error::Certificate(format!("{}: {e}", path.display())))
}

/// PKCS#1 `RSAPublicKey`.
#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n..]
}

/// Signs with a private key on a PKCS#11 token. Cheap to clone; safe to
/// use from several threads at once (each signature uses its own session).
///
/// ```no_run
/// use notation_pkcs11::Pkcs11Signer;
/// use notation_core::signer::Signer;
///
/// let signer = Pkcs11Signer::builder(
///     "pkcs11:token=Notation;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/secrets/pin"
///         .parse()?,
/// )
/// .certificate_chain_file("release.chain.pem")
/// .build()?;
/// println!("{}", signer.key_spec());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Pkcs11Signer {
    key: Arc<TokenKey>,
    chain: Vec<Certificate>,
    spec: KeySpec,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("key", &self.key)
            .field("spec", &self.spec)
            .field("chain", &self.chain.len())
            .finish()
    }
}

impl Pkcs11Signer {
    /// How to open the key `uri` names.
    pub fn builder(uri: Pkcs11Uri) -> Pkcs11SignerBuilder {
        Pkcs11SignerBuilder {
            uri,
            pin: None,
            chain: ChainSource::Token,
        }
    }

    /// The key `uri` names, its chain from the token, its PIN from the URI
    /// or the environment.
    pub fn from_uri(uri: &str) -> Result<Self, Pkcs11Error> {
        Self::builder(Pkcs11Uri::parse(uri)?).build()
    }

    /// The key spec (from the leaf certificate, which the key matches).
    pub fn key_spec(&self) -> KeySpec {
        self.spec
    }

    /// The certificate chain, leaf first.
    pub fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        self.key.token_label()
    }

    /// Hashes `data` with the key spec's hash and signs it: RSASSA-PSS, or
    /// ECDSA in the form asked for.
    pub fn sign_data(&self, data: &[u8], encoding: EcdsaEncoding) -> Result<Vec<u8>, Pkcs11Error> {
        let hash = self.spec.signature_algorithm().hash();
        self.sign_digest(&hash.digest(data), encoding)
    }

    /// Signs a digest made with the key spec's hash.
    pub fn sign_digest(
        &self,
        digest: &[u8],
        encoding: EcdsaEncoding,
    ) -> Result<Vec<u8>, Pkcs11Error> {
        let hash = self.spec.signature_algorithm().hash();
        if digest.len() != hash.output_len() {
            return Err(Pkcs11Error::DigestLength {
                hash: hash.plugin_name(),
                want: hash.output_len(),
                got: digest.len(),
            });
        }
        let raw = self.key.sign_digest(hash, digest)?;
        match self.key.material() {
            KeyMaterial::Rsa { modulus, .. } => {
                rsa_signature_width(raw, modulus.iter().skip_while(|b| **b == 0).count())
            }
            KeyMaterial::Ec { .. } => {
                let field_len = match self.spec {
                    KeySpec::Ec256 => 32,
                    KeySpec::Ec384 => 48,
                    _ => 66,
                };
                let fixed = ecdsa::to_fixed(&raw, field_len)?;
                match encoding {
                    EcdsaEncoding::Fixed => Ok(fixed),
                    EcdsaEncoding::Der => Ok(ecdsa::fixed_to_der(&fixed)?),
                }
            }
        }
    }

    fn mismatch(&self, reason: impl Into<String>) -> Pkcs11Error {
        Pkcs11Error::KeyMismatch {
            uri: self.key.uri().to_string(),
            subject: self.chain[0].subject().to_string(),
            reason: reason.into(),
        }
    }

    /// Compares the token's key with the leaf's public key: RSA modulus and
    /// exponent; EC curve and point (from the public key object beside the
    /// private key). An EC key without a public key object on the token
    /// signs a test message that must verify with the leaf.
    fn check_key_matches_leaf(&self) -> Result<(), Pkcs11Error> {
        let leaf = &self.chain[0];
        match (self.key.material(), leaf.public_key()) {
            (KeyMaterial::Rsa { modulus, exponent }, PublicKey::Rsa { pkcs1, .. }) => {
                let cert = RsaPublicKey::from_der(pkcs1)
                    .map_err(|e| Pkcs11Error::Certificate(format!("leaf RSA key: {e}")))?;
                if strip_zeros(modulus) != cert.modulus.as_bytes()
                    || strip_zeros(exponent) != cert.public_exponent.as_bytes()
                {
                    return Err(self.mismatch("the RSA moduli or exponents differ"));
                }
                Ok(())
            }
            (
                KeyMaterial::Ec { params, point },
                PublicKey::Ec {
                    curve,
                    point: cert_point,
                },
            ) => {
                let token_curve =
                    der::asn1::ObjectIdentifier::from_der(params)
                        .ok()
                        .and_then(|oid| match oid {
                            notation_core::oid::SECP256R1 => Some(Curve::P256),
                            notation_core::oid::SECP384R1 => Some(Curve::P384),
                            notation_core::oid::SECP521R1 => Some(Curve::P521),
                            _ => None,
                        });
                if token_curve != Some(*curve) {
                    return Err(self.mismatch(format!(
                        "the token's key is not on the leaf's curve {curve:?}"
                    )));
                }
                match point {
                    Some(p) if p == cert_point => Ok(()),
                    Some(_) => Err(self.mismatch("the EC public points differ")),
                    None => self.check_by_signing(),
                }
            }
            (KeyMaterial::Rsa { .. }, _) => {
                Err(self.mismatch("the token's key is RSA, the leaf's is not"))
            }
            (KeyMaterial::Ec { .. }, _) => {
                Err(self.mismatch("the token's key is EC, the leaf's is not"))
            }
        }
    }

    fn check_by_signing(&self) -> Result<(), Pkcs11Error> {
        const PROBE: &[u8] = b"notation-pkcs11: does this key belong to the leaf certificate?";
        let signature = self.sign_data(PROBE, EcdsaEncoding::Fixed)?;
        let scheme = SignatureScheme::for_envelope(self.spec.signature_algorithm());
        default_provider()
            .verify(scheme, self.chain[0].public_key(), PROBE, &signature)
            .map_err(|_| self.mismatch("a test signature does not verify with the leaf's key"))
    }
}

impl Signer for Pkcs11Signer {
    fn key_spec(&self) -> Result<KeySpec, SignerError> {
        Ok(self.spec)
    }

    fn sign(&self, data: &[u8]) -> Result<(Vec<u8>, Vec<Certificate>), SignerError> {
        let signature = self
            .sign_data(data, EcdsaEncoding::Fixed)
            .map_err(|e| SignerError::Backend(Box::new(e)))?;
        Ok((signature, self.chain.clone()))
    }
}

/// An RSA signature as wide as the modulus (RFC 8017: an octet string of
/// the modulus's length): a module that drops leading zero bytes gets them
/// back (verifiers refuse a short signature); a longer one is refused.
fn rsa_signature_width(raw: Vec<u8>, width: usize) -> Result<Vec<u8>, Pkcs11Error> {
    let significant = raw.iter().skip_while(|b| **b == 0).count();
    if significant > width || width == 0 {
        return Err(Pkcs11Error::SignatureLength {
            got: raw.len(),
            want: width,
        });
    }
    if raw.len() == width {
        return Ok(raw);
    }
    let mut fixed = vec![0u8; width - significant];
    fixed.extend_from_slice(&raw[raw.len() - significant..]);
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_signatures_are_as_wide_as_the_modulus() {
        assert_eq!(rsa_signature_width(vec![1, 2, 3], 3).unwrap(), [1, 2, 3]);
        // A module that dropped a leading zero byte.
        assert_eq!(rsa_signature_width(vec![2, 3], 3).unwrap(), [0, 2, 3]);
        // One that added one.
        assert_eq!(rsa_signature_width(vec![0, 0, 2, 3], 3).unwrap(), [0, 2, 3]);
        for (raw, width) in [(vec![1, 2, 3, 4], 3), (vec![], 0)] {
            assert!(matches!(
                rsa_signature_width(raw, width),
                Err(Pkcs11Error::SignatureLength { .. })
            ));
        }
    }
}
