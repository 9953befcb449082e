//! Shared fixtures for the benchmarks: the committed test PKI and the
//! per-key-spec fixtures of testdata/bench (made by make-fixtures.sh).

pub mod batch;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notation_core::blob::format_from_signature_path;
use notation_core::crypto::{Backend, CryptoProvider, PublicKey, SignatureScheme};
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::{LocalSigner, PrivateKey};
use notation_core::trust::{DirTrustStore, load_blob_policy};
use notation_core::verifier::Verifier;
use notation_core::x509::{CertSignatureAlgorithm, Certificate};

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
    signer_with(name, Backend::DEFAULT)
}

/// As [`signer`], with the private key loaded into `backend`.
pub fn signer_with(name: &str, backend: Backend) -> LocalSigner {
    let chain = Certificate::parse_many(&pki(&format!("{name}.chain.pem"))).expect("test chain");
    let key = PrivateKey::from_bytes_for_certificate_with(
        &pki(&format!("{name}.key")),
        &chain[0],
        backend,
    )
    .expect("test key");
    LocalSigner::new(key, chain).expect("test signer")
}

/// Signature checks prepared from an envelope, outside the timed loop:
/// the scheme, the key, the signed bytes and the signature of each.
#[derive(Debug)]
pub struct Floor(Vec<(SignatureScheme, PublicKey, Vec<u8>, Vec<u8>)>);

impl Floor {
    /// The check a verification of `envelope` from a chain already seen
    /// cannot avoid: the envelope signature alone (a warm verifier's chain
    /// cache has the certificate signatures).
    pub fn envelope(envelope: &Envelope) -> Self {
        let mut all = Self::chain(envelope);
        all.0.truncate(1);
        all
    }

    /// Every signature check a first verification of `envelope` cannot
    /// avoid: the envelope signature and each certificate signature of its
    /// chain (the root by itself), and nothing else.
    pub fn chain(envelope: &Envelope) -> Self {
        let content = envelope.content_unverified().unwrap();
        let info = &content.signer_info;
        let chain = &info.certificate_chain;
        let mut checks = vec![(
            SignatureScheme::for_envelope(info.signature_algorithm),
            chain[0].public_key().clone(),
            envelope.signing_input().unwrap(),
            info.signature.clone(),
        )];
        for (i, cert) in chain.iter().enumerate() {
            let issuer = chain.get(i + 1).unwrap_or(cert);
            let CertSignatureAlgorithm::Supported(scheme) = cert.signature_algorithm() else {
                panic!("unsupported certificate signature algorithm");
            };
            checks.push((
                *scheme,
                issuer.public_key().clone(),
                cert.tbs_der().to_vec(),
                cert.signature().to_vec(),
            ));
        }
        Self(checks)
    }

    /// Runs the checks with `crypto`.
    pub fn run(&self, crypto: &dyn CryptoProvider) {
        for (scheme, key, message, signature) in &self.0 {
            crypto.verify(*scheme, key, message, signature).unwrap();
        }
    }
}

/// The benchmark rows of testdata/bench: directory, signature format and
/// what the chain is.
pub const KEY_SPEC_ROWS: [(&str, &str, &str); 5] = [
    ("p256-p384", "jws", "JWS, P-256 leaf <- P-384 root"),
    ("p256-p384", "cose", "COSE, P-256 leaf <- P-384 root"),
    (
        "rsa3072-rsa3072",
        "jws",
        "JWS, RSA-3072 leaf <- RSA-3072 root",
    ),
    (
        "p256-p384-rsa4096",
        "jws",
        "JWS, P-256 <- P-384 intermediate <- RSA-4096 root",
    ),
    ("p521-p384", "jws", "JWS, P-521 leaf <- P-384 root"),
];

/// One row of testdata/bench: its configuration directory, the blob and
/// the signature.
#[derive(Debug)]
pub struct KeySpecFixture {
    /// The configuration directory (trust policy, trust stores).
    pub config: PathBuf,
    /// The signed blob.
    pub blob: Vec<u8>,
    /// The detached signature envelope.
    pub signature: Vec<u8>,
    /// Its format.
    pub format: EnvelopeFormat,
}

/// The fixture of a row of [`KEY_SPEC_ROWS`].
pub fn key_spec_fixture(dir: &str, format: &str) -> KeySpecFixture {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/bench"));
    let signature_path = root.join(dir).join(format!("blob.bin.{format}.sig"));
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    KeySpecFixture {
        config: root.join(dir).join("config"),
        blob: read(&root.join("blob.bin")),
        signature: read(&signature_path),
        format: format_from_signature_path(&signature_path).unwrap(),
    }
}

/// Which of a verifier's caches are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caches {
    /// The chain cache and the signature cache (the default): verifying a
    /// signature seen before needs no public-key operation.
    All,
    /// The chain cache alone: every verification checks the envelope
    /// signature, as for a new signature from a signer seen before.
    Chain,
    /// Neither: every verification checks every signature.
    None,
}

/// A blob verifier over a configuration directory, as `notation blob
/// verify` builds one: the blob trust policy, the directory's trust stores,
/// `backend`'s provider, with `caches` on.
pub fn blob_verifier(config: &Path, backend: Backend, caches: Caches) -> Result<Verifier, String> {
    let crypto = backend.provider();
    let policy = load_blob_policy(config).map_err(|e| e.to_string())?;
    let store = DirTrustStore::with_crypto_provider(config, crypto.clone());
    Verifier::builder(Arc::new(store))
        .blob_policy(policy)
        .crypto_provider(crypto)
        .chain_cache(caches != Caches::None)
        .signature_cache(caches == Caches::All)
        .build()
        .map_err(|e| e.to_string())
}

/// Every signature check a verification of `envelope` cannot avoid (see
/// [`Floor::chain`]), prepared and run.
pub fn floor(envelope: &Envelope, crypto: &dyn CryptoProvider) {
    Floor::chain(envelope).run(crypto);
}
