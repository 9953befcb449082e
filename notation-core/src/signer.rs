//! Signers: the object-safe [`Signer`] trait, so that a remote key (a KMS, a
//! plugin) can stand behind it, and [`LocalSigner`] for PEM key files as the
//! reference's `signingkeys.json` `keyPath`/`certPath` entries hold them.

use std::fmt;
use std::path::Path;

use der::Decode;

use crate::algorithm::KeySpec;
use crate::crypto::{Backend, Curve, KeyLoadError, KeyMaterial, KeyPair, PublicKey};
use crate::oid;
use crate::x509::Certificate;

pub mod encrypted_key;

/// Produces Notation signatures.
///
/// `sign` receives the bytes to sign (the JWS signing input or the COSE
/// `Sig_structure`), hashes them with the hash of [`Signer::key_spec`]'s
/// algorithm and returns the signature in envelope encoding (RSASSA-PSS, or
/// fixed-width ECDSA `r||s`) together with the certificate chain, leaf
/// first. The chain is returned with each signature because a remote signer
/// learns it only then (the plugin protocol's `generate-signature`).
pub trait Signer: Send + Sync {
    /// The signing key's key spec.
    fn key_spec(&self) -> Result<KeySpec, SignerError>;

    /// Signs `data`.
    fn sign(&self, data: &[u8]) -> Result<(Vec<u8>, Vec<Certificate>), SignerError>;

    /// The signing agent to write into envelopes, when it is not
    /// notation-rs's own ([`crate::SIGNING_AGENT`]): a plugin signer adds
    /// the plugin's name and version.
    // Requirements: E3.
    fn signing_agent(&self) -> Option<String> {
        None
    }
}

/// Why a signer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// A key file that cannot be read or parsed.
    #[error("invalid signing key: {0}")]
    InvalidKey(String),
    /// A certificate file that cannot be read or parsed.
    #[error("invalid certificate chain: {0}")]
    InvalidCertificate(String),
    /// The private key does not belong to the leaf certificate.
    #[error("the private key does not match the public key of the leaf certificate {0:?}")]
    KeyMismatch(String),
    /// The key is not one of the six key specs.
    // Requirements: G3.
    #[error(transparent)]
    UnsupportedKey(#[from] crate::algorithm::UnsupportedKeyError),
    /// The key file is encrypted (PKCS#8 PBES2) and no password was given.
    #[error("the private key is encrypted: a password is required")]
    PasswordRequired,
    /// The password does not decrypt the key file (or the file is
    /// corrupt).
    #[error("failed to decrypt the private key: wrong password")]
    WrongPassword,
    /// Reading a file failed.
    #[error("failed to read {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        error: std::io::Error,
    },
    /// The signing operation failed (a remote signer's error goes here).
    #[error("signing failed: {0}")]
    Signing(String),
    /// The signing operation failed in a key backend (a PKCS #11 token, a
    /// KMS), with its own error, which callers may downcast
    /// (`e.downcast_ref::<notation_pkcs11::Pkcs11Error>()`) to tell a wrong
    /// PIN from a token that is gone. Printed in the message, so not a
    /// `source()`.
    #[error("signing failed: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    /// A signing plugin failed or answered badly.
    // Requirements: R5.
    #[error(transparent)]
    Plugin(#[from] crate::plugin::PluginError),
}

/// A private key that Notation can sign with, loaded into a crypto backend
/// (the default one unless chosen with
/// [`PrivateKey::from_bytes_for_certificate_with`]).
pub struct PrivateKey {
    inner: Box<dyn KeyPair>,
    spec: KeySpec,
    backend: Backend,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey({}, {}, <redacted>)",
            self.spec,
            self.backend.name()
        )
    }
}

/// A parsed but not yet usable key: EC keys need the public point, which
/// the certificate supplies when the key file lacks it.
enum ParsedKey {
    Rsa(Vec<u8>),
    Ec {
        curve: Curve,
        scalar: Vec<u8>,
        public: Option<Vec<u8>>,
    },
}

impl PrivateKey {
    /// Parses a PEM or DER private key (PKCS#8, SEC1 or PKCS#1) and binds it
    /// to the certificate's public key, which it must match.
    pub fn from_bytes_for_certificate(
        data: &[u8],
        leaf: &Certificate,
    ) -> Result<Self, SignerError> {
        Self::load(data, leaf, None, Backend::DEFAULT)
    }

    /// As [`PrivateKey::from_bytes_for_certificate`], for a key that may be
    /// an encrypted PKCS#8 key (`ENCRYPTED PRIVATE KEY`, PBES2 as `openssl
    /// pkcs8 -topk8 -v2 aes-256-cbc` writes it), decrypted with `password`.
    /// An encrypted key without a password is
    /// [`SignerError::PasswordRequired`]; a password that does not decrypt
    /// it is [`SignerError::WrongPassword`].
    pub fn from_bytes_for_certificate_with_password(
        data: &[u8],
        leaf: &Certificate,
        password: Option<&[u8]>,
    ) -> Result<Self, SignerError> {
        Self::load(data, leaf, password, Backend::DEFAULT)
    }

    /// As [`PrivateKey::from_bytes_for_certificate`], with the key loaded
    /// into `backend`.
    pub fn from_bytes_for_certificate_with(
        data: &[u8],
        leaf: &Certificate,
        backend: Backend,
    ) -> Result<Self, SignerError> {
        Self::load(data, leaf, None, backend)
    }

    fn load(
        data: &[u8],
        leaf: &Certificate,
        password: Option<&[u8]>,
        backend: Backend,
    ) -> Result<Self, SignerError> {
        let parsed = parse_key_material(data, password)?;
        let mismatch = || SignerError::KeyMismatch(leaf.subject().to_string());
        let spec = leaf.key_spec()?;
        let inner = match (parsed, leaf.public_key()) {
            (ParsedKey::Rsa(der), PublicKey::Rsa { pkcs1, .. }) => {
                let key = backend
                    .load_key(KeyMaterial::Rsa(&der), spec)
                    .map_err(|KeyLoadError(e)| SignerError::InvalidKey(e))?;
                if key.rsa_public_key() != Some(pkcs1.as_slice()) {
                    return Err(mismatch());
                }
                key
            }
            (
                ParsedKey::Ec {
                    curve,
                    scalar,
                    public,
                },
                PublicKey::Ec {
                    curve: cert_curve,
                    point,
                },
            ) => {
                if curve != *cert_curve || public.as_ref().is_some_and(|p| p != point) {
                    return Err(mismatch());
                }
                let material = KeyMaterial::Ec {
                    curve,
                    scalar: &scalar,
                    point,
                };
                backend.load_key(material, spec).map_err(|_| mismatch())?
            }
            _ => return Err(mismatch()),
        };
        Ok(Self {
            inner,
            spec,
            backend,
        })
    }

    /// The key spec.
    pub fn key_spec(&self) -> KeySpec {
        self.spec
    }

    /// The crypto backend the key is loaded into.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Signs `data` with the algorithm of the key spec, in envelope encoding.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.inner
            .sign(data)
            .map_err(|_| SignerError::Signing("signing operation failed".into()))
    }
}

fn parse_key_material(data: &[u8], password: Option<&[u8]>) -> Result<ParsedKey, SignerError> {
    let trimmed: &[u8] = {
        let n = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
        &data[n..]
    };
    if trimmed.starts_with(b"-----BEGIN") {
        let blocks = crate::pem::parse_blocks(trimmed).map_err(SignerError::InvalidKey)?;
        let block = blocks
            .into_iter()
            .find(|b| b.label.ends_with("PRIVATE KEY"))
            .ok_or_else(|| SignerError::InvalidKey("no PRIVATE KEY PEM block found".into()))?;
        if block.label != "ENCRYPTED PRIVATE KEY"
            && let Some(refused) = encrypted_key::legacy_pem_encryption(trimmed)
        {
            return Err(refused);
        }
        return match block.label.as_str() {
            "PRIVATE KEY" => parse_pkcs8(&block.der),
            "EC PRIVATE KEY" => parse_sec1(&block.der, None),
            "RSA PRIVATE KEY" => parse_pkcs1(&block.der),
            "ENCRYPTED PRIVATE KEY" => parse_encrypted_pkcs8(&block.der, password),
            other => Err(SignerError::InvalidKey(format!(
                "unsupported PEM block {other:?}"
            ))),
        };
    }
    if encrypted_key::encryption_scheme(data).is_some() {
        return parse_encrypted_pkcs8(data, password);
    }
    parse_pkcs8(data)
        .or_else(|_| parse_sec1(data, None))
        .or_else(|_| parse_pkcs1(data))
        .map_err(|_| SignerError::InvalidKey("not a PKCS#8, SEC1 or PKCS#1 private key".into()))
}

/// An `EncryptedPrivateKeyInfo`: decrypted with the password (see
/// [`encrypted_key`]), then read as PKCS#8. A wrong password usually breaks
/// the CBC padding; when it happens not to, the decrypted bytes are no
/// PKCS#8 key: both are a wrong password.
fn parse_encrypted_pkcs8(der: &[u8], password: Option<&[u8]>) -> Result<ParsedKey, SignerError> {
    let document = encrypted_key::decrypt(der, password)?;
    match parse_pkcs8(document.as_bytes()) {
        Err(SignerError::InvalidKey(_)) => Err(SignerError::WrongPassword),
        other => other,
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<ParsedKey, SignerError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|e| SignerError::InvalidKey(e.to_string()))?;
    match info.algorithm.oid {
        oid::RSA_ENCRYPTION => parse_pkcs1(info.private_key.as_bytes()),
        oid::EC_PUBLIC_KEY => {
            let curve: const_oid::ObjectIdentifier = info
                .algorithm
                .parameters
                .ok_or_else(|| SignerError::InvalidKey("EC key without curve".into()))?
                .decode_as()
                .map_err(|e: der::Error| SignerError::InvalidKey(e.to_string()))?;
            parse_sec1(info.private_key.as_bytes(), Some(curve))
        }
        other => Err(SignerError::UnsupportedKey(
            crate::algorithm::UnsupportedKeyError::KeyType(
                oid::name(&other)
                    .map(str::to_owned)
                    .unwrap_or_else(|| other.to_string()),
            ),
        )),
    }
}

fn parse_sec1(
    der: &[u8],
    curve_hint: Option<const_oid::ObjectIdentifier>,
) -> Result<ParsedKey, SignerError> {
    let key =
        sec1::EcPrivateKey::from_der(der).map_err(|e| SignerError::InvalidKey(e.to_string()))?;
    let curve_oid = key
        .parameters
        .and_then(|p| p.named_curve())
        .or(curve_hint)
        .ok_or_else(|| SignerError::InvalidKey("EC key without named curve".into()))?;
    let curve = match curve_oid {
        oid::SECP256R1 => Curve::P256,
        oid::SECP384R1 => Curve::P384,
        oid::SECP521R1 => Curve::P521,
        oid::SECP224R1 => return Err(crate::algorithm::UnsupportedKeyError::EcKeySize(224).into()),
        other => {
            return Err(crate::algorithm::UnsupportedKeyError::EcCurve(other.to_string()).into());
        }
    };
    // Scalars may be encoded shorter than the field; left-pad.
    let len = curve.field_len();
    if key.private_key.len() > len {
        return Err(SignerError::InvalidKey(
            "EC private key too long for its curve".into(),
        ));
    }
    let mut scalar = vec![0u8; len - key.private_key.len()];
    scalar.extend_from_slice(key.private_key);
    Ok(ParsedKey::Ec {
        curve,
        scalar,
        public: key.public_key.map(<[u8]>::to_vec),
    })
}

fn parse_pkcs1(der: &[u8]) -> Result<ParsedKey, SignerError> {
    // Structure only; the backend checks the key when it loads it.
    pkcs1_structure(der)
        .map(|()| ParsedKey::Rsa(der.to_vec()))
        .map_err(|e| SignerError::InvalidKey(format!("RSA key rejected: {e}")))
}

/// Whether `der` is one PKCS#1 `RSAPrivateKey` (two-prime, version 0) and
/// nothing more.
fn pkcs1_structure(der: &[u8]) -> Result<(), der::Error> {
    #[derive(der::Sequence)]
    #[allow(dead_code)]
    struct RsaPrivateKey<'a> {
        version: u8,
        modulus: der::asn1::UintRef<'a>,
        public_exponent: der::asn1::UintRef<'a>,
        private_exponent: der::asn1::UintRef<'a>,
        prime1: der::asn1::UintRef<'a>,
        prime2: der::asn1::UintRef<'a>,
        exponent1: der::asn1::UintRef<'a>,
        exponent2: der::asn1::UintRef<'a>,
        coefficient: der::asn1::UintRef<'a>,
    }
    let key = RsaPrivateKey::from_der(der)?;
    if key.version != 0 {
        return Err(der::ErrorKind::Value {
            tag: der::Tag::Integer,
        }
        .into());
    }
    Ok(())
}

/// A signer over a local private key and its certificate chain.
pub struct LocalSigner {
    key: PrivateKey,
    chain: Vec<Certificate>,
}

impl fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSigner")
            .field("key", &self.key)
            .field("chain", &self.chain)
            .finish()
    }
}

/// Largest key or certificate file read from disk.
pub const MAX_KEY_FILE_SIZE: u64 = 1024 * 1024;

impl LocalSigner {
    /// A signer from a private key and its chain (leaf first). The key must
    /// match the leaf and be one of the six key specs.
    pub fn new(key: PrivateKey, chain: Vec<Certificate>) -> Result<Self, SignerError> {
        if chain.is_empty() {
            return Err(SignerError::InvalidCertificate(
                "certificate chain is empty".into(),
            ));
        }
        Ok(Self { key, chain })
    }

    /// A signer from key bytes (PEM or DER: PKCS#8, SEC1, PKCS#1) and
    /// certificate bytes (PEM or DER chain, leaf first).
    pub fn from_pem(key: &[u8], certificates: &[u8]) -> Result<Self, SignerError> {
        Self::from_pem_with_password(key, certificates, None)
    }

    /// A signer from files, as `signingkeys.json` `keyPath`/`certPath`.
    pub fn from_files(key_path: &Path, cert_path: &Path) -> Result<Self, SignerError> {
        Self::from_files_with_password(key_path, cert_path, None)
    }

    /// As [`LocalSigner::from_pem`], the key possibly encrypted (PKCS#8
    /// PBES2) with `password`.
    pub fn from_pem_with_password(
        key: &[u8],
        certificates: &[u8],
        password: Option<&[u8]>,
    ) -> Result<Self, SignerError> {
        let chain = Certificate::parse_many(certificates)
            .map_err(|e| SignerError::InvalidCertificate(e.to_string()))?;
        let key = PrivateKey::from_bytes_for_certificate_with_password(key, &chain[0], password)?;
        Self::new(key, chain)
    }

    /// As [`LocalSigner::from_files`], the key possibly encrypted (PKCS#8
    /// PBES2) with `password`.
    pub fn from_files_with_password(
        key_path: &Path,
        cert_path: &Path,
        password: Option<&[u8]>,
    ) -> Result<Self, SignerError> {
        let key = read_bounded(key_path)?;
        let certs = read_bounded(cert_path)?;
        Self::from_pem_with_password(&key, &certs, password)
    }

    /// Whether a key file is an encrypted PKCS#8 key (PEM `ENCRYPTED PRIVATE
    /// KEY` or DER `EncryptedPrivateKeyInfo`), which needs a password (or,
    /// in a scheme that is not read, is refused by name).
    pub fn key_file_is_encrypted(key_path: &Path) -> Result<bool, SignerError> {
        let data = read_bounded(key_path)?;
        Ok(is_encrypted_key(&data))
    }

    /// The certificate chain.
    pub fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }
}

impl Signer for LocalSigner {
    fn key_spec(&self) -> Result<KeySpec, SignerError> {
        Ok(self.key.key_spec())
    }

    fn sign(&self, data: &[u8]) -> Result<(Vec<u8>, Vec<Certificate>), SignerError> {
        Ok((self.key.sign(data)?, self.chain.clone()))
    }
}

/// Whether key bytes hold an encrypted PKCS#8 key.
fn is_encrypted_key(data: &[u8]) -> bool {
    let n = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let trimmed = &data[n..];
    if trimmed.starts_with(b"-----BEGIN") {
        return crate::pem::parse_blocks(trimmed)
            .map(|blocks| blocks.iter().any(|b| b.label == "ENCRYPTED PRIVATE KEY"))
            .unwrap_or(false);
    }
    encrypted_key::encryption_scheme(data).is_some()
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, SignerError> {
    use std::io::Read;
    let io = |source| SignerError::Io {
        path: path.display().to_string(),
        error: source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut data = Vec::new();
    file.take(MAX_KEY_FILE_SIZE + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() as u64 > MAX_KEY_FILE_SIZE {
        return Err(SignerError::InvalidKey(format!(
            "{} is larger than {MAX_KEY_FILE_SIZE} bytes",
            path.display()
        )));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn pki(name: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
    }

    fn password() -> Vec<u8> {
        std::fs::read(pki("encrypted-key.password")).unwrap()
    }

    #[test]
    fn encrypted_pkcs8_keys_load_with_the_right_password() {
        // PEM (EC) and DER (RSA), as `openssl pkcs8 -topk8 -v2 aes-256-cbc`
        // writes them (testdata/pki/make-pki.sh).
        for (key, chain, plain) in [
            ("ec-256.encrypted.pem", "ec-256.chain.pem", "ec-256.key"),
            (
                "rsa-2048.encrypted.der",
                "rsa-2048.chain.pem",
                "rsa-2048.key",
            ),
        ] {
            assert!(LocalSigner::key_file_is_encrypted(&pki(key)).unwrap());
            assert!(!LocalSigner::key_file_is_encrypted(&pki(plain)).unwrap());
            let signer =
                LocalSigner::from_files_with_password(&pki(key), &pki(chain), Some(&password()))
                    .unwrap();
            let plain_signer = LocalSigner::from_files(&pki(plain), &pki(chain)).unwrap();
            assert_eq!(signer.key_spec().unwrap(), plain_signer.key_spec().unwrap());
            assert_signs(&signer);
        }
    }

    /// The signer's key signs, and its leaf certificate verifies the
    /// signature.
    pub(super) fn assert_signs(signer: &LocalSigner) {
        let (sig, chain) = signer.sign(b"data").unwrap();
        let scheme = crate::crypto::SignatureScheme::for_envelope(
            signer.key_spec().unwrap().signature_algorithm(),
        );
        crate::crypto::default_provider()
            .verify(scheme, chain[0].public_key(), b"data", &sig)
            .unwrap();
    }

    #[test]
    fn encrypted_pkcs8_keys_without_or_with_a_wrong_password_are_clear_errors() {
        for (key, chain) in [
            ("ec-256.encrypted.pem", "ec-256.chain.pem"),
            ("rsa-2048.encrypted.der", "rsa-2048.chain.pem"),
        ] {
            let err = LocalSigner::from_files(&pki(key), &pki(chain)).unwrap_err();
            assert!(matches!(err, SignerError::PasswordRequired), "{err}");
            assert_eq!(
                err.to_string(),
                "the private key is encrypted: a password is required"
            );
            for wrong in [&b"wrong"[..], b"", b"notation-test-passwor"] {
                let err =
                    LocalSigner::from_files_with_password(&pki(key), &pki(chain), Some(wrong))
                        .unwrap_err();
                assert!(matches!(err, SignerError::WrongPassword), "{err}");
                assert_eq!(
                    err.to_string(),
                    "failed to decrypt the private key: wrong password"
                );
            }
        }
    }

    #[test]
    fn a_password_is_ignored_for_plain_keys() {
        LocalSigner::from_files_with_password(
            &pki("ec-384.key"),
            &pki("ec-384.chain.pem"),
            Some(b"unused"),
        )
        .unwrap();
    }

    #[test]
    fn truncated_encrypted_keys_are_errors_not_panics() {
        let der = std::fs::read(pki("rsa-2048.encrypted.der")).unwrap();
        let chain = std::fs::read(pki("rsa-2048.chain.pem")).unwrap();
        for len in [0, 1, 10, der.len() / 2, der.len() - 1] {
            assert!(
                LocalSigner::from_pem_with_password(&der[..len], &chain, Some(&password()))
                    .is_err()
            );
        }
    }
}
