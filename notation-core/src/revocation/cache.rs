//! CRL caching: the [`CrlCache`] trait and an in-memory cache.
//!
//! The semantics are the reference's (notation-core-go `crl.HTTPFetcher`,
//! Notation's file cache): bundles are stored by the CRL distribution point
//! URL; a cached bundle is used while the base CRL and the delta CRL (if any)
//! are within their `nextUpdate`, and downloaded again once either has
//! passed; a cache that fails only costs a download. The file-backed cache
//! under `{NOTATION_CACHE}/crl/<sha256(url)>` lives in notation-oci.
// Requirements: P6.

use std::collections::HashMap;
use std::sync::Mutex;

use super::crl::CrlBundle;

/// Stores CRL bundles by distribution point URL.
///
/// An implementation may return expired bundles from [`CrlCache::get`]: the
/// checker looks at `nextUpdate` itself and downloads again. Its errors are
/// not fatal by default (see
/// [`RevocationValidatorBuilder::cache_errors_fatal`](super::RevocationValidatorBuilder::cache_errors_fatal)):
/// the checker then proceeds as on a miss, so an implementation that wants
/// them seen should also report them itself (Notation prints one warning).
pub trait CrlCache: Send + Sync {
    /// The bundle stored for `url`, or `None` on a miss.
    fn get(&self, url: &str) -> Result<Option<CrlBundle>, CacheError>;

    /// Stores `bundle` for `url`, replacing any previous one.
    fn set(&self, url: &str, bundle: &CrlBundle) -> Result<(), CacheError>;
}

/// A cache failure (I/O, a corrupt entry, ...), described by the cache.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CacheError {
    message: String,
}

impl CacheError {
    /// A cache error with this description.
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A process-wide CRL cache in memory. Cloning a [`CrlBundle`] is cheap, so
/// hits cost no copy of the CRL bytes.
#[derive(Debug, Default)]
pub struct MemoryCrlCache {
    entries: Mutex<HashMap<String, CrlBundle>>,
}

impl MemoryCrlCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many URLs have a bundle.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets every bundle.
    pub fn clear(&self) {
        self.lock().clear()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CrlBundle>> {
        // A panic while holding the lock cannot leave a half-written entry
        // (insert and get are single operations), so a poisoned map is safe
        // to keep using.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CrlCache for MemoryCrlCache {
    fn get(&self, url: &str) -> Result<Option<CrlBundle>, CacheError> {
        Ok(self.lock().get(url).cloned())
    }

    fn set(&self, url: &str, bundle: &CrlBundle) -> Result<(), CacheError> {
        self.lock().insert(url.to_owned(), bundle.clone());
        Ok(())
    }
}
