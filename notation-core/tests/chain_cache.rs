//! The verifier's chain cache: certificate signatures are checked once per
//! verifier (counted with a provider that counts its calls), a tampered
//! certificate never passes on a remembered check, expiry is checked on
//! every verification, and one verifier serves many threads. With the
//! signature cache, an envelope signature seen before is not checked
//! again, and a changed envelope never passes on a remembered check.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::{
    CryptoProvider, DefaultProvider, PreparedKey, PublicKey, SignatureScheme,
    SignatureVerificationError,
};
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::trust::{
    BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType, ValidationType,
};
use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier};
use notation_core::x509::Certificate;

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

/// The default provider, counting envelope and certificate checks; with
/// `prepares`, it prepares keys too, counting the keys it makes and the
/// checks made with them.
#[derive(Debug, Default)]
struct Counting {
    envelope: AtomicUsize,
    certificate: AtomicUsize,
    prepares: bool,
    made: AtomicUsize,
    used: Arc<AtomicUsize>,
}

/// A key `Counting` prepared: checks with the default provider.
struct Prepared {
    scheme: SignatureScheme,
    key: PublicKey,
    used: Arc<AtomicUsize>,
}

impl PreparedKey for Prepared {
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureVerificationError> {
        self.used.fetch_add(1, Ordering::SeqCst);
        DefaultProvider.verify(self.scheme, &self.key, message, signature)
    }
}

impl CryptoProvider for Counting {
    fn verify(
        &self,
        scheme: SignatureScheme,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        self.envelope.fetch_add(1, Ordering::SeqCst);
        DefaultProvider.verify(scheme, key, message, signature)
    }

    fn verify_certificate_signature(
        &self,
        scheme: SignatureScheme,
        issuer_key: &PublicKey,
        tbs: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        self.certificate.fetch_add(1, Ordering::SeqCst);
        DefaultProvider.verify(scheme, issuer_key, tbs, signature)
    }

    fn prepare(&self, scheme: SignatureScheme, key: &PublicKey) -> Option<Arc<dyn PreparedKey>> {
        if !self.prepares {
            return None;
        }
        self.made.fetch_add(1, Ordering::SeqCst);
        Some(Arc::new(Prepared {
            scheme,
            key: key.clone(),
            used: self.used.clone(),
        }))
    }
}

impl Counting {
    fn counts(&self) -> (usize, usize) {
        (
            self.envelope.load(Ordering::SeqCst),
            self.certificate.load(Ordering::SeqCst),
        )
    }
}

const BLOB: &[u8] = b"chain cache";

/// The verifier with the chain cache on (the signature cache off): every
/// verification checks the envelope signature.
fn verifier(crypto: Arc<Counting>, cache: bool) -> Verifier {
    verifier_with(crypto, cache, false)
}

fn verifier_with(crypto: Arc<Counting>, chain: bool, signatures: bool) -> Verifier {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "root",
            Certificate::parse_many(&std::fs::read(pki("root.crt")).unwrap()).unwrap(),
        )
        .unwrap();
    let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","globalPolicy":true,
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],
        "trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;
    Verifier::builder(Arc::new(store))
        .blob_policy(BlobTrustPolicyDocument::from_json(policy).unwrap())
        .crypto_provider(crypto)
        .chain_cache(chain)
        .signature_cache(signatures)
        .build()
        .unwrap()
}

/// A JWS blob signature by the ec-256 leaf (chain: leaf, intermediate,
/// root).
fn signature(options: BlobSignOptions<'_>) -> Vec<u8> {
    let signer = LocalSigner::from_files(&pki("ec-256.key"), &pki("ec-256.chain.pem")).unwrap();
    sign_blob(&signer, &mut &BLOB[..], &options, &DefaultProvider).unwrap()
}

fn verify(v: &Verifier, sig: &[u8]) -> Result<(), VerificationError> {
    v.verify_blob(
        sig,
        EnvelopeFormat::Jws,
        &mut &BLOB[..],
        &BlobVerifyOptions::new(),
    )
    .map(|_| ())
}

/// The chain of the signature has three certificate signatures to check:
/// leaf by intermediate, intermediate by root, root by itself.
const CHAIN_CHECKS: usize = 3;

#[test]
fn a_chain_seen_before_costs_one_envelope_check() {
    let sig = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let crypto = Arc::new(Counting::default());
    let v = verifier(crypto.clone(), true);
    verify(&v, &sig).unwrap();
    assert_eq!(crypto.counts(), (1, CHAIN_CHECKS));
    for _ in 0..3 {
        verify(&v, &sig).unwrap();
    }
    assert_eq!(crypto.counts(), (4, CHAIN_CHECKS), "cache hits");
    // Another signature from the same chain: its envelope only.
    let other = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    assert_ne!(other, sig);
    verify(&v, &other).unwrap();
    assert_eq!(crypto.counts(), (5, CHAIN_CHECKS));
    // A new verifier starts empty.
    let fresh = verifier(crypto.clone(), true);
    verify(&fresh, &sig).unwrap();
    assert_eq!(crypto.counts(), (6, 2 * CHAIN_CHECKS));
}

#[test]
fn a_signature_seen_before_costs_no_public_key_operation() {
    let sig = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let crypto = Arc::new(Counting::default());
    let v = verifier_with(crypto.clone(), true, true);
    for _ in 0..4 {
        verify(&v, &sig).unwrap();
    }
    assert_eq!(crypto.counts(), (1, CHAIN_CHECKS));
    // Another signature from the same chain: its envelope only, once.
    let other = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    verify(&v, &other).unwrap();
    verify(&v, &other).unwrap();
    assert_eq!(crypto.counts(), (2, CHAIN_CHECKS));
}

/// `sig` with `field` changed: "payload" gains a trailing space (still the
/// same JSON), "signature" one base64url character.
fn tamper_field(sig: &[u8], field: &str) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut jws: serde_json::Value = serde_json::from_slice(sig).unwrap();
    let mut text = jws[field].as_str().unwrap().to_owned();
    if field == "payload" {
        let mut payload = b64.decode(&text).unwrap();
        payload.push(b' ');
        text = b64.encode(payload);
    } else {
        let at = text.len() / 2;
        let c = if &text[at..=at] == "A" { "B" } else { "A" };
        text.replace_range(at..=at, c);
    }
    jws[field] = text.into();
    serde_json::to_vec(&jws).unwrap()
}

#[test]
fn a_changed_envelope_never_hits_a_remembered_signature() {
    let sig = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let crypto = Arc::new(Counting::default());
    let v = verifier_with(crypto.clone(), true, true);
    verify(&v, &sig).unwrap();
    // The same signature over another payload, and another signature over
    // the same payload: each is checked, fails, and is checked again the
    // next time (a failure is never remembered).
    for field in ["payload", "signature"] {
        let bad = tamper_field(&sig, field);
        for _ in 0..2 {
            let before = crypto.counts().0;
            let err = verify(&v, &bad).unwrap_err();
            assert_eq!(
                err.failed_check().map(|c| c.check()),
                Some(ValidationType::Integrity),
                "{field}: {err}"
            );
            assert_eq!(crypto.counts().0, before + 1, "{field}: checked");
        }
    }
    // A tampered certificate is still caught by the chain check.
    assert!(verify(&v, &tamper(&sig, 1)).is_err());
    let before = crypto.counts();
    verify(&v, &sig).unwrap();
    assert_eq!(crypto.counts(), before, "the good one, from the caches");
}

#[test]
fn without_the_cache_every_verification_checks_the_chain() {
    let sig = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let crypto = Arc::new(Counting::default());
    // The signature cache is part of the chain cache: off with it.
    let v = verifier_with(crypto.clone(), false, true);
    for _ in 0..3 {
        verify(&v, &sig).unwrap();
    }
    assert_eq!(crypto.counts(), (3, 3 * CHAIN_CHECKS));
}

#[test]
fn keys_are_prepared_once_per_verifier_and_used_for_every_check() {
    let sig = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let crypto = Arc::new(Counting {
        prepares: true,
        ..Counting::default()
    });
    let counts = |c: &Counting| {
        (
            c.made.load(Ordering::SeqCst),
            c.used.load(Ordering::SeqCst),
            c.counts(),
        )
    };
    let v = verifier(crypto.clone(), true);
    verify(&v, &sig).unwrap();
    // Every check on a prepared key, none by the provider's own calls; the
    // root's key serves two checks (the intermediate's signature and its
    // own), prepared once.
    let (made, used, direct) = counts(&crypto);
    assert_eq!((used, direct), (1 + CHAIN_CHECKS, (0, 0)));
    assert_eq!(made, 3, "leaf, intermediate and root keys");
    // A new signature from the same signer: its envelope check, on the
    // leaf's key prepared before.
    let other = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    verify(&v, &other).unwrap();
    assert_eq!(counts(&crypto), (3, 2 + CHAIN_CHECKS, (0, 0)));
    // A changed envelope fails on the prepared key, as the provider's
    // check would.
    assert!(verify(&v, &tamper_field(&other, "signature")).is_err());
    assert_eq!(counts(&crypto), (3, 3 + CHAIN_CHECKS, (0, 0)));

    // Without the chain cache, keys are not prepared.
    let crypto = Arc::new(Counting {
        prepares: true,
        ..Counting::default()
    });
    let v = verifier(crypto.clone(), false);
    verify(&v, &sig).unwrap();
    assert_eq!(counts(&crypto), (0, 0, (1, CHAIN_CHECKS)));
}

/// The JWS with one byte of chain certificate `index`'s TBSCertificate
/// changed (the last byte of its serial number): it still parses, its
/// signature no longer matches. The envelope signature does not cover the
/// `x5c` header, so only the chain check can catch it.
fn tamper(sig: &[u8], index: usize) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut jws: serde_json::Value = serde_json::from_slice(sig).unwrap();
    let der = b64
        .decode(jws["header"]["x5c"][index].as_str().unwrap())
        .unwrap();
    let cert = Certificate::from_der(&der).unwrap();
    let serial = cert.serial_number().to_vec();
    let at = der
        .windows(serial.len())
        .position(|w| w == serial.as_slice())
        .unwrap()
        + serial.len()
        - 1;
    let mut changed = der.clone();
    changed[at] ^= 0x01;
    let changed_cert = Certificate::from_der(&changed).unwrap();
    assert_ne!(changed_cert.tbs_der(), cert.tbs_der());
    jws["header"]["x5c"][index] = b64.encode(&changed).into();
    serde_json::to_vec(&jws).unwrap()
}

#[test]
fn a_tampered_certificate_never_hits_a_good_entry() {
    let sig = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let crypto = Arc::new(Counting::default());
    let v = verifier(crypto.clone(), true);
    verify(&v, &sig).unwrap();
    for index in [0, 1] {
        let bad = tamper(&sig, index);
        for _ in 0..2 {
            let before = crypto.counts().1;
            let err = verify(&v, &bad).unwrap_err();
            assert_eq!(
                err.failed_check().map(|c| c.check()),
                Some(ValidationType::Integrity),
                "{err}"
            );
            assert!(err.to_string().contains("is not issued by"), "{err}");
            // The tampered certificate was checked, not looked up (a
            // failure is never remembered either).
            assert!(crypto.counts().1 > before);
        }
    }
    // The good signature still verifies, from the cache.
    let before = crypto.counts().1;
    verify(&v, &sig).unwrap();
    assert_eq!(crypto.counts().1, before);
}

#[test]
fn expiry_is_checked_on_every_verification() {
    let now = time::OffsetDateTime::now_utc();
    let sig = signature(
        BlobSignOptions::new(EnvelopeFormat::Jws)
            .signing_time(now)
            .expiry(Some(time::Duration::seconds(2))),
    );
    let crypto = Arc::new(Counting::default());
    let v = verifier_with(crypto.clone(), true, true);
    verify(&v, &sig).unwrap();
    assert_eq!(crypto.counts(), (1, CHAIN_CHECKS));
    let wait = (now + time::Duration::milliseconds(2200)) - time::OffsetDateTime::now_utc();
    std::thread::sleep(wait.try_into().unwrap_or_default());
    let err = verify(&v, &sig).unwrap_err();
    assert_eq!(
        err.failed_check().map(|c| c.check()),
        Some(ValidationType::Expiry),
        "{err}"
    );
    // The signatures came from the caches; the expiry did not.
    assert_eq!(crypto.counts(), (1, CHAIN_CHECKS));
}

#[test]
fn one_verifier_serves_many_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Verifier>();
    let good = signature(BlobSignOptions::new(EnvelopeFormat::Jws));
    let bad = tamper(&good, 1);
    let crypto = Arc::new(Counting::default());
    let v = Arc::new(verifier(crypto.clone(), true));
    let threads = 8;
    let rounds = 10;
    std::thread::scope(|s| {
        for t in 0..threads {
            let (v, good, bad) = (v.clone(), &good, &bad);
            s.spawn(move || {
                for r in 0..rounds {
                    if (t + r) % 3 == 0 {
                        assert!(verify(&v, bad).is_err());
                    } else {
                        verify(&v, good).unwrap();
                    }
                }
            });
        }
    });
    // Threads that missed at the same time may each have checked the good
    // chain; no more than that.
    let after = crypto.counts().1;
    let bad_runs = (0..threads)
        .flat_map(|t| (0..rounds).map(move |r| (t + r) % 3 == 0))
        .filter(|b| *b)
        .count();
    assert!(
        after <= threads * CHAIN_CHECKS + bad_runs * CHAIN_CHECKS,
        "{after}"
    );
    verify(&v, &good).unwrap();
    assert_eq!(crypto.counts().1, after, "settled: hits only");
}
