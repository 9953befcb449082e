//! The CRL cache (P6) and the requests CRLs are fetched with.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use notation_core::revocation::{
    CacheError, CrlBundle, CrlCache, FetchError, MemoryCrlCache, RevocationChecker,
    RevocationPurpose, RevocationStatus,
};

use crate::helpers::{INT_CRL, crl_error, int_crl, leaf_crl_setup};
use crate::revocation_support::*;

/// A cache that always fails, counting calls.
#[derive(Default)]
struct BrokenCache {
    calls: AtomicUsize,
}

impl CrlCache for BrokenCache {
    fn get(&self, _: &str) -> Result<Option<CrlBundle>, CacheError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(CacheError::new("disk on fire"))
    }

    fn set(&self, _: &str, _: &CrlBundle) -> Result<(), CacheError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(CacheError::new("disk full"))
    }
}

#[test]
fn cache_errors_are_warnings_unless_fatal() {
    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl(INT_CRL, int_crl(&CrlSpec::default()));
    let cache = Arc::new(BrokenCache::default());
    let results = validator(&fetcher)
        .crl_cache(cache.clone())
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert!(cache.calls.load(Ordering::SeqCst) >= 2);

    let results = validator(&fetcher)
        .crl_cache(cache)
        .cache_errors_fatal(true)
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(
        crl_error(&results[0]).to_string(),
        "failed to download CRL from http://crl.intermediate.test/intermediate.crl: failed to retrieve CRL from cache: disk on fire"
    );
}

#[test]
fn cached_bundles_keep_their_bytes() {
    let (chain, fetcher) = leaf_crl_setup();
    let bytes = int_crl(&CrlSpec::default());
    fetcher.crl(INT_CRL, bytes.clone());
    let cache = Arc::new(MemoryCrlCache::new());
    validator(&fetcher)
        .crl_cache(cache.clone())
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    let bundle = cache.get(INT_CRL).unwrap().unwrap();
    // What a file cache would store, byte for byte.
    assert_eq!(bundle.base().der(), &bytes[..]);
    assert!(bundle.is_effective_at(now()));
    assert!(!bundle.is_effective_at(now() + time::Duration::days(2)));
}

/// Records the CRL requests it is given and serves one CRL for any URL.
struct Recording {
    crl: Vec<u8>,
    seen: std::sync::Mutex<Vec<notation_core::revocation::CrlHttpRequest>>,
}

impl notation_core::revocation::RevocationFetcher for Recording {
    fn fetch_ocsp(
        &self,
        _: &notation_core::revocation::OcspHttpRequest,
    ) -> Result<Vec<u8>, FetchError> {
        Err(FetchError::transport("no OCSP here"))
    }

    fn fetch_crl(
        &self,
        request: &notation_core::revocation::CrlHttpRequest,
    ) -> Result<Vec<u8>, FetchError> {
        self.seen.lock().unwrap().push(request.clone());
        Ok(self.crl.clone())
    }
}

#[test]
fn crl_requests_carry_the_timeout_and_the_size_limit() {
    let recording = Arc::new(Recording {
        crl: int_crl(&CrlSpec::default()),
        seen: Default::default(),
    });
    let v = notation_core::revocation::RevocationValidator::builder(recording.clone()).build();
    v.fetch_crl_bundle(INT_CRL).unwrap();
    let v = notation_core::revocation::RevocationValidator::builder(recording.clone())
        .crl_timeout(std::time::Duration::from_secs(9))
        .crl_max_size(4096)
        .build();
    v.fetch_crl_bundle(INT_CRL).unwrap();
    let seen = recording.seen.lock().unwrap();
    assert_eq!(seen[0].url(), INT_CRL);
    assert_eq!(seen[0].timeout(), std::time::Duration::from_secs(5));
    assert_eq!(seen[0].max_size(), 32 * 1024 * 1024);
    assert_eq!(seen[1].timeout(), std::time::Duration::from_secs(9));
    assert_eq!(seen[1].max_size(), 4096);
}
