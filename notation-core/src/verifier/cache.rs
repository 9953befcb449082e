//! The verifier's chain cache: certificate-signature checks remembered by
//! their bytes.
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
//! Entries are SHA-256 digests of the length-prefixed bytes, so a certificate
//! that differs in any byte (a tampered one) has another key and is checked
//! in full. Only successes are kept; a failure is recomputed, with its own
//! error, every time. The cache holds at most [`CAPACITY`] entries (32 bytes
//! each) and forgets the oldest first. It is shared by every thread using
//! the verifier: lookups take a read lock, and a check is never done under
//! the lock.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::algorithm::HashAlgorithm;
use crate::crypto::{CryptoProvider, PublicKey, SignatureScheme, SignatureVerificationError};

/// Most remembered certificate signatures per verifier (about 128 KiB with
/// the set's and the queue's overhead).
pub(super) const CAPACITY: usize = 2048;

/// `inner`, behind a chain cache when `enabled`.
pub(super) fn with_chain_cache(
    inner: Arc<dyn CryptoProvider>,
    enabled: bool,
) -> Arc<dyn CryptoProvider> {
    if enabled {
        Arc::new(ChainCache {
            inner,
            entries: RwLock::new(Entries::default()),
            capacity: CAPACITY,
        })
    } else {
        inner
    }
}

/// A provider that remembers successful certificate-signature checks.
struct ChainCache {
    inner: Arc<dyn CryptoProvider>,
    entries: RwLock<Entries>,
    capacity: usize,
}

#[derive(Default)]
struct Entries {
    known: HashSet<[u8; 32]>,
    /// Insertion order, oldest first, for eviction.
    order: VecDeque<[u8; 32]>,
}

impl fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainCache")
            .field("inner", &self.inner)
            .field("entries", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl ChainCache {
    fn len(&self) -> usize {
        self.read().known.len()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        // A panic elsewhere while holding the lock leaves the set
        // consistent (inserts are two pushes): keep using it.
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn contains(&self, key: &[u8; 32]) -> bool {
        self.read().known.contains(key)
    }

    fn insert(&self, key: [u8; 32]) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.known.insert(key) {
            return;
        }
        entries.order.push_back(key);
        while entries.order.len() > self.capacity {
            if let Some(old) = entries.order.pop_front() {
                entries.known.remove(&old);
            }
        }
    }
}

/// The cache key: SHA-256 over a label and every input, each
/// length-prefixed so that no two inputs share an encoding.
fn cache_key(scheme: SignatureScheme, key: &PublicKey, tbs: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut h = HashAlgorithm::Sha256.hasher();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"notation-rs certificate signature v1");
    field(format!("{scheme:?}").as_bytes());
    match key {
        PublicKey::Rsa { pkcs1, .. } => {
            field(b"rsa");
            field(pkcs1);
        }
        PublicKey::Ec { curve, point } => {
            field(format!("{curve:?}").as_bytes());
            field(point);
        }
        // Never verifies, so never cached; the label keeps it apart anyway.
        PublicKey::Unsupported(_) => field(b"unsupported"),
    }
    field(tbs);
    field(signature);
    let digest = h.finish();
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    out
}

impl CryptoProvider for ChainCache {
    fn verify(
        &self,
        scheme: SignatureScheme,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        self.inner.verify(scheme, key, message, signature)
    }

    fn verify_certificate_signature(
        &self,
        scheme: SignatureScheme,
        issuer_key: &PublicKey,
        tbs: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureVerificationError> {
        let key = cache_key(scheme, issuer_key, tbs, signature);
        if self.contains(&key) {
            return Ok(());
        }
        self.inner
            .verify_certificate_signature(scheme, issuer_key, tbs, signature)?;
        self.insert(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Curve, DefaultProvider};

    fn cache(capacity: usize) -> ChainCache {
        ChainCache {
            inner: Arc::new(DefaultProvider),
            entries: RwLock::new(Entries::default()),
            capacity,
        }
    }

    #[test]
    fn the_oldest_entries_go_first_and_the_size_stays_bounded() {
        let c = cache(3);
        let keys: Vec<[u8; 32]> = (0u8..5).map(|i| [i; 32]).collect();
        for k in &keys {
            c.insert(*k);
            c.insert(*k);
        }
        assert_eq!(c.len(), 3);
        assert!(!c.contains(&keys[0]) && !c.contains(&keys[1]));
        assert!(keys[2..].iter().all(|k| c.contains(k)));
        let e = c.read();
        assert_eq!(e.order.len(), 3);
    }

    #[test]
    fn every_input_byte_changes_the_key() {
        use crate::algorithm::HashAlgorithm::*;
        let ec = |point: Vec<u8>| PublicKey::Ec {
            curve: Curve::P256,
            point,
        };
        let scheme = SignatureScheme::EcdsaDer(Sha256);
        let base = cache_key(scheme, &ec(vec![4, 1]), b"tbs", b"sig");
        let others = [
            cache_key(
                SignatureScheme::EcdsaDer(Sha384),
                &ec(vec![4, 1]),
                b"tbs",
                b"sig",
            ),
            cache_key(scheme, &ec(vec![4, 2]), b"tbs", b"sig"),
            cache_key(
                scheme,
                &PublicKey::Ec {
                    curve: Curve::P384,
                    point: vec![4, 1],
                },
                b"tbs",
                b"sig",
            ),
            cache_key(scheme, &ec(vec![4, 1]), b"tbt", b"sig"),
            cache_key(scheme, &ec(vec![4, 1]), b"tbs", b"sih"),
            // The same bytes split differently between the fields.
            cache_key(scheme, &ec(vec![4, 1]), b"tbss", b"ig"),
        ];
        for other in others {
            assert_ne!(base, other);
        }
        assert_eq!(base, cache_key(scheme, &ec(vec![4, 1]), b"tbs", b"sig"));
    }
}
