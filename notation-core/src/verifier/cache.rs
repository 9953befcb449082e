//! The verifier's chain cache: certificate-signature checks remembered by
//! their bytes, and, with it, the signature cache.
//!
//! Whether a certificate's signature verifies under an issuer's key depends
//! on nothing but bytes: the TBSCertificate, the signature, the scheme and
//! the issuer's key. A [`Verifier`](super::Verifier) therefore checks each
//! such triple once and remembers the success; a second signature from a
//! chain it has seen costs about one envelope-signature check. Everything
//! that depends on time (validity periods, expiry, revocation and its
//! freshness) is outside the cache and runs on every verification, as do
//! the chain rules (names, basic constraints, key usage), which are cheap.
//!
//! The parsed certificates of the chains it has seen are kept the same way:
//! parsing depends on the DER bytes alone, so a chain seen before is not
//! parsed again either. So are the public keys the provider has prepared
//! for checking ([`CryptoProvider::prepare`]: aws-lc-rs parses a key once,
//! and computes an RSA key's Montgomery context once, where each check
//! would otherwise), and the leaf subjects read for trusted-identity
//! matching.
//!
//! The signature cache does the same for every other signature the verifier
//! checks (the envelope's, a timestamp token's, an OCSP response's or a
//! CRL's): whether signature bytes verify over signed bytes under a key
//! depends on nothing else either. Verifying a signature seen before then
//! costs parsing and the checks above, and no public-key operation.
//!
//! An entry keeps the exact bytes it was computed from and a lookup
//! compares them all, so a certificate that differs in any byte (a tampered
//! one) finds no entry and is checked in full. Only successes are kept; a
//! failure is recomputed, with its own error, every time. Each of the
//! maps holds at most [`CAPACITY_BYTES`] and forgets its oldest entries
//! first. The cache is shared by every thread using the verifier: lookups
//! take a read lock, and no check or parse is done under a lock.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::crypto::{
    CryptoProvider, PreparedKey, PublicKey, SignatureScheme, SignatureVerificationError,
};
use crate::trust::{DnError, ParsedDn};
use crate::x509::{Certificate, CertificateParseError};

/// Most bytes kept per map (certificate data and bookkeeping): a few
/// hundred typical certificates.
pub(super) const CAPACITY_BYTES: usize = 1 << 20;

/// Bookkeeping counted per entry on top of its bytes.
const ENTRY_OVERHEAD: usize = 128;

/// A parsed certificate is counted as this many times its DER (the parsed
/// names, extensions and key beside the bytes).
const PARSED_FACTOR: usize = 3;

/// The crypto provider a verifier checks with, and its chain cache when
/// `chain` is on (with the signature cache when `signatures` is on too):
/// the same object, seen as a provider and as a cache.
pub(super) fn with_chain_cache(
    inner: Arc<dyn CryptoProvider>,
    chain: bool,
    signatures: bool,
) -> (Arc<dyn CryptoProvider>, Option<Arc<ChainCache>>) {
    if chain {
        let cache = Arc::new(ChainCache::new(inner, CAPACITY_BYTES, signatures));
        (cache.clone(), Some(cache))
    } else {
        (inner, None)
    }
}

/// A provider that remembers successful certificate-signature checks (and,
/// when on, every other successful signature check), and a cache of parsed
/// certificates.
pub(super) struct ChainCache {
    inner: Arc<dyn CryptoProvider>,
    /// Certificate signatures.
    signatures: RwLock<Bounded<Entry>>,
    /// Every other signature: envelopes, timestamp tokens, OCSP, CRLs.
    others: Option<RwLock<Bounded<Entry>>>,
    certificates: RwLock<Bounded<Certificate>>,
    /// Keys the provider has prepared (parsed once; see
    /// [`CryptoProvider::prepare`]), by their bytes.
    keys: RwLock<Bounded<Key>>,
    /// Leaf subjects read for trusted-identity matching, by their DER.
    subjects: RwLock<Bounded<Arc<ParsedDn>>>,
}

/// A prepared key and what it was prepared from.
struct Key {
    scheme: SignatureScheme,
    key: PublicKey,
    prepared: Arc<dyn PreparedKey>,
}

/// One remembered signature check, keyed by its signature bytes.
struct Entry {
    scheme: SignatureScheme,
    key: PublicKey,
    /// The signed bytes (a TBSCertificate, an envelope's signing input).
    signed: Box<[u8]>,
}

impl Entry {
    fn size(&self, signature: &[u8]) -> usize {
        let key = key_bytes(&self.key).map_or(0, <[u8]>::len);
        ENTRY_OVERHEAD + signature.len() + self.signed.len() + key
    }

    fn matches(&self, scheme: SignatureScheme, key: &PublicKey, signed: &[u8]) -> bool {
        self.scheme == scheme && self.key == *key && *self.signed == *signed
    }
}

/// The bytes of a key Notation can use (none for an unsupported one).
fn key_bytes(key: &PublicKey) -> Option<&[u8]> {
    match key {
        PublicKey::Rsa { pkcs1, .. } => Some(pkcs1),
        PublicKey::Ec { point, .. } => Some(point),
        PublicKey::Unsupported(_) => None,
    }
}

/// A map from bytes to values, bounded in bytes, oldest out first.
///
/// Keys are whole certificates and signatures (hundreds of bytes to a few
/// KiB), so the hash function is foldhash, seeded per map: SipHash, std's
/// default, cost several times more per byte on every lookup. The bound on
/// the map bounds what colliding keys could cost.
struct Bounded<V> {
    map: HashMap<Arc<[u8]>, (V, usize), foldhash::fast::RandomState>,
    /// Insertion order, oldest first (the map's keys, shared: one copy of
    /// each key's bytes).
    order: VecDeque<Arc<[u8]>>,
    bytes: usize,
    capacity: usize,
}

impl<V> Bounded<V> {
    fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::default(),
            order: VecDeque::new(),
            bytes: 0,
            capacity,
        }
    }

    fn get(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key).map(|(v, _)| v)
    }

    /// Keeps `value` under `key`, counted as `size` bytes; an entry larger
    /// than the whole map is not kept.
    fn insert(&mut self, key: &[u8], value: V, size: usize) {
        if size > self.capacity {
            return;
        }
        let key: Arc<[u8]> = key.into();
        match self.map.insert(key.clone(), (value, size)) {
            // The same key, recomputed since: replaced in place.
            Some((_, old)) => self.bytes -= old,
            None => self.order.push_back(key),
        }
        self.bytes += size;
        while self.bytes > self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, old)) = self.map.remove(&oldest) {
                self.bytes -= old;
            }
        }
    }
}

impl fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signatures = read(&self.signatures);
        let others = self.others.as_ref().map(|o| read(o).map.len());
        let certificates = read(&self.certificates);
        let keys = read(&self.keys).map.len();
        let subjects = read(&self.subjects).map.len();
        f.debug_struct("ChainCache")
            .field("inner", &self.inner)
            .field("signatures", &signatures.map.len())
            .field("others", &others)
            .field("certificates", &certificates.map.len())
            .field("keys", &keys)
            .field("subjects", &subjects)
            .finish()
    }
}

// A panic elsewhere while holding a lock cannot leave an entry half made
// (each is inserted whole): keep using the map.
fn read<V>(lock: &RwLock<V>) -> std::sync::RwLockReadGuard<'_, V> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<V>(lock: &RwLock<V>) -> std::sync::RwLockWriteGuard<'_, V> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

impl ChainCache {
    fn new(inner: Arc<dyn CryptoProvider>, capacity: usize, others: bool) -> Self {
        Self {
            inner,
            signatures: RwLock::new(Bounded::new(capacity)),
            others: others.then(|| RwLock::new(Bounded::new(capacity))),
            certificates: RwLock::new(Bounded::new(capacity)),
            keys: RwLock::new(Bounded::new(capacity)),
            subjects: RwLock::new(Bounded::new(capacity)),
        }
    }

    /// The leaf subject as trusted identities are matched against it
    /// ([`ParsedDn::from_subject`]), read once per subject.
    pub(super) fn subject(&self, leaf: &Certificate) -> Result<Arc<ParsedDn>, DnError> {
        let der = leaf.raw_subject();
        if let Some(dn) = read(&self.subjects).get(der) {
            return Ok(dn.clone());
        }
        let dn = Arc::new(ParsedDn::from_subject(leaf.subject())?);
        // The text and the attribute map, each about the size of the DER.
        let size = ENTRY_OVERHEAD + (PARSED_FACTOR + 1) * der.len();
        write(&self.subjects).insert(der, dn.clone(), size);
        Ok(dn)
    }

    /// `key` as the provider prepared it for `scheme`, prepared on first
    /// use; `None` when the provider has no prepared form (or refuses the
    /// key, which its `verify` then reports).
    fn prepared(&self, scheme: SignatureScheme, key: &PublicKey) -> Option<Arc<dyn PreparedKey>> {
        let bytes = key_bytes(key)?;
        if let Some(k) = read(&self.keys).get(bytes)
            && k.scheme == scheme
            && k.key == *key
        {
            return Some(k.prepared.clone());
        }
        let prepared = self.inner.prepare(scheme, key)?;
        let entry = Key {
            scheme,
            key: key.clone(),
            prepared: prepared.clone(),
        };
        // The parsed form (an RSA key's Montgomery context among it) is
        // counted as a few times the key.
        let size = ENTRY_OVERHEAD + (PARSED_FACTOR + 1) * bytes.len();
        write(&self.keys).insert(bytes, entry, size);
        Some(prepared)
    }

    /// The certificate `der` encodes, parsed once per cache.
    pub(super) fn certificate(&self, der: &[u8]) -> Result<Certificate, CertificateParseError> {
        if let Some(cert) = read(&self.certificates).get(der) {
            return Ok(cert.clone());
        }
        let cert = Certificate::from_der(der)?;
        self.remember(&cert);
        Ok(cert)
    }

    /// Remembers a certificate parsed elsewhere (a trust store's: the root
    /// of a chain is often one of them, byte for byte).
    pub(super) fn remember(&self, cert: &Certificate) {
        let der = cert.der();
        let size = ENTRY_OVERHEAD + (PARSED_FACTOR + 1) * der.len();
        write(&self.certificates).insert(der, cert.clone(), size);
    }
}

/// Whether `map` remembers `signature` over exactly `signed` with `key`.
fn lookup(
    map: &RwLock<Bounded<Entry>>,
    scheme: SignatureScheme,
    key: &PublicKey,
    signed: &[u8],
    signature: &[u8],
) -> bool {
    read(map)
        .get(signature)
        .is_some_and(|e| e.matches(scheme, key, signed))
}

fn remember(map: &RwLock<Bounded<Entry>>, signature: &[u8], entry: Entry) {
    let size = entry.size(signature);
    write(map).insert(signature, entry, size);
}

/// `check`, unless `map` remembers its success; a success is remembered.
fn checked(
    map: &RwLock<Bounded<Entry>>,
    scheme: SignatureScheme,
    key: &PublicKey,
    signed: &[u8],
    signature: &[u8],
    check: impl FnOnce() -> Result<(), SignatureVerificationError>,
) -> Result<(), SignatureVerificationError> {
    if lookup(map, scheme, key, signed, signature) {
        return Ok(());
    }
    check()?;
    let entry = Entry {
        scheme,
        key: key.clone(),
        signed: signed.into(),
    };
    remember(map, signature, entry);
    Ok(())
}

impl CryptoProvider for ChainCache {
    fn verify(
        &self,
        scheme: SignatureScheme,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        let check = || match self.prepared(scheme, key) {
            Some(prepared) => prepared.verify(message, signature),
            None => self.inner.verify(scheme, key, message, signature),
        };
        match &self.others {
            Some(others) => checked(others, scheme, key, message, signature, check),
            None => check(),
        }
    }

    fn verify_certificate_signature(
        &self,
        scheme: SignatureScheme,
        issuer_key: &PublicKey,
        tbs: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        checked(
            &self.signatures,
            scheme,
            issuer_key,
            tbs,
            signature,
            || match self.prepared(scheme, issuer_key) {
                Some(prepared) => prepared.verify(tbs, signature),
                None => self
                    .inner
                    .verify_certificate_signature(scheme, issuer_key, tbs, signature),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::HashAlgorithm::*;
    use crate::crypto::{Curve, DefaultProvider};

    fn ec(point: &[u8]) -> PublicKey {
        PublicKey::Ec {
            curve: Curve::P256,
            point: point.to_vec(),
        }
    }

    fn entry(tbs: &[u8]) -> Entry {
        Entry {
            scheme: SignatureScheme::EcdsaDer(Sha256),
            key: ec(&[4, 1]),
            signed: tbs.into(),
        }
    }

    #[test]
    fn the_oldest_entries_go_first_and_the_size_stays_bounded() {
        let mut b: Bounded<u8> = Bounded::new(300);
        for i in 0u8..5 {
            b.insert(&[i], i, 100);
            b.insert(&[i], i, 100);
            assert!(b.bytes <= 300);
        }
        assert!(b.get(&[0]).is_none() && b.get(&[1]).is_none());
        assert_eq!(
            (b.get(&[2]), b.get(&[3]), b.get(&[4])),
            (Some(&2), Some(&3), Some(&4))
        );
        assert_eq!((b.order.len(), b.map.len(), b.bytes), (3, 3, 300));
        // An entry larger than the whole map is not kept.
        b.insert(&[9], 9, 301);
        assert!(b.get(&[9]).is_none());
        assert_eq!(b.bytes, 300);
        // A replaced entry keeps its place and its new size.
        b.insert(&[3], 33, 50);
        assert_eq!((b.get(&[3]), b.bytes, b.order.len()), (Some(&33), 250, 3));
    }

    #[test]
    fn a_lookup_matches_every_byte() {
        let c = ChainCache::new(Arc::new(DefaultProvider), CAPACITY_BYTES, true);
        let scheme = SignatureScheme::EcdsaDer(Sha256);
        remember(&c.signatures, b"sig", entry(b"tbs"));
        assert!(lookup(&c.signatures, scheme, &ec(&[4, 1]), b"tbs", b"sig"));
        assert!(!lookup(
            &c.signatures,
            SignatureScheme::EcdsaDer(Sha384),
            &ec(&[4, 1]),
            b"tbs",
            b"sig"
        ));
        assert!(!lookup(&c.signatures, scheme, &ec(&[4, 2]), b"tbs", b"sig"));
        let p384 = PublicKey::Ec {
            curve: Curve::P384,
            point: vec![4, 1],
        };
        assert!(!lookup(&c.signatures, scheme, &p384, b"tbs", b"sig"));
        assert!(!lookup(&c.signatures, scheme, &ec(&[4, 1]), b"tbt", b"sig"));
        assert!(!lookup(&c.signatures, scheme, &ec(&[4, 1]), b"tbs", b"sih"));
        assert!(!lookup(&c.signatures, scheme, &ec(&[4, 1]), b"tbss", b"ig"));
        // The same signature over other bytes replaces the entry.
        remember(&c.signatures, b"sig", entry(b"other"));
        assert!(lookup(
            &c.signatures,
            scheme,
            &ec(&[4, 1]),
            b"other",
            b"sig"
        ));
        assert!(!lookup(&c.signatures, scheme, &ec(&[4, 1]), b"tbs", b"sig"));
    }

    #[test]
    fn certificates_are_parsed_once_and_errors_are_not_kept() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/pki/root.crt"
        ))
        .unwrap();
        let der = Certificate::parse_many(&pem).unwrap()[0].der().to_vec();
        let c = ChainCache::new(Arc::new(DefaultProvider), CAPACITY_BYTES, true);
        let first = c.certificate(&der).unwrap();
        let second = c.certificate(&der).unwrap();
        assert_eq!(first, second);
        assert_eq!(read(&c.certificates).map.len(), 1);
        let mut bad = der.clone();
        bad.truncate(der.len() - 1);
        assert!(c.certificate(&bad).is_err());
        assert!(c.certificate(&bad).is_err());
        assert_eq!(read(&c.certificates).map.len(), 1);
    }
}
