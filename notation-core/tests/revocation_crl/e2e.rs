//! The crl-e2e vectors: valid, revoked and expired CRLs, and cached ones.

use std::sync::Arc;

use notation_core::revocation::crl::{CrlInvalid, CrlValidationError};
use notation_core::revocation::{
    CertRevocationResult, Crl, CrlCache, CrlError, DiagnosticLevel, MemoryCrlCache,
    RevocationChecker, RevocationMethod, RevocationPurpose, RevocationStatus, diagnostics,
    final_result,
};
use notation_core::x509::Certificate;

use crate::helpers::{
    E2E, E2E_INT_URL, E2E_LEAF_URL, INTERMEDIATE_SUBJECT, LEAF_SUBJECT, check, crl_error,
};
use crate::revocation_support::*;

fn e2e_chain() -> Vec<Certificate> {
    certs(&conformance(&format!("{E2E}/certchain_with_crl.pem")))
}

fn e2e_fetcher(leaf: &str, intermediate: &str) -> Arc<TestFetcher> {
    let fetcher = TestFetcher::new();
    fetcher.crl(E2E_LEAF_URL, conformance(&format!("{E2E}/{leaf}")));
    fetcher.crl(E2E_INT_URL, conformance(&format!("{E2E}/{intermediate}")));
    fetcher
}

#[test]
fn e2e_valid_crls_and_ocsp_fallback() {
    let chain = e2e_chain();
    assert_eq!(chain.len(), 3);
    // The e2e root is the committed trust anchor.
    assert_eq!(chain[2], certs(&conformance(&format!("{E2E}/root.crt")))[0]);
    let fetcher = e2e_fetcher("leaf.crl", "intermediate.crl");
    let results = check(&fetcher, &chain);

    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert_eq!(results[0].method, Some(RevocationMethod::Crl));
    assert_eq!(results[0].server_results.len(), 1);
    assert_eq!(results[0].server_results[0].url, E2E_LEAF_URL);

    // The intermediate's OCSP responder (http://localhost.test/ocsp) is
    // unreachable: CRL decides.
    assert_eq!(results[1].status, RevocationStatus::Ok);
    assert_eq!(results[1].method, Some(RevocationMethod::OcspFallbackCrl));
    let servers = &results[1].server_results;
    assert_eq!(servers.len(), 2);
    assert_eq!(servers[0].method, RevocationMethod::Ocsp);
    assert_eq!(servers[0].url, "http://localhost.test/ocsp");
    assert_eq!(servers[0].status, RevocationStatus::Unknown);
    assert_eq!(servers[1].method, RevocationMethod::Crl);
    assert_eq!(servers[1].status, RevocationStatus::Ok);

    assert_eq!(results[2], CertRevocationResult::non_revocable());
    assert_eq!(final_result(&results, &chain), (RevocationStatus::Ok, None));

    // notation-go's logs: the fallback warning, the OCSP error at debug.
    let logs = diagnostics(&results, &chain);
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(logs[0].level, DiagnosticLevel::Warning);
    assert_eq!(
        logs[0].message,
        format!(
            "OCSP check failed with unknown error and fallback to CRL check for certificate #2 in chain with subject \"{INTERMEDIATE_SUBJECT}\""
        )
    );
    assert_eq!(logs[1].level, DiagnosticLevel::Debug);
    assert!(logs[1].message.starts_with(&format!(
        "Certificate #2 in chain with subject \"{INTERMEDIATE_SUBJECT}\" encountered an error for revocation method OCSP at URL \"http://localhost.test/ocsp\": "
    )));
}

#[test]
fn e2e_leaf_revoked() {
    let chain = e2e_chain();
    let results = check(&e2e_fetcher("leaf_revoked.crl", "intermediate.crl"), &chain);
    assert_eq!(results[0].status, RevocationStatus::Revoked);
    assert_eq!(results[0].server_results[0].error, None);
    let (status, cert) = final_result(&results, &chain);
    assert_eq!(status, RevocationStatus::Revoked);
    assert_eq!(cert.unwrap().subject().to_string(), LEAF_SUBJECT);
}

#[test]
fn e2e_intermediate_revoked() {
    let chain = e2e_chain();
    let results = check(&e2e_fetcher("leaf.crl", "intermediate_revoked.crl"), &chain);
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert_eq!(results[1].status, RevocationStatus::Revoked);
    assert_eq!(results[1].method, Some(RevocationMethod::OcspFallbackCrl));
    let (status, cert) = final_result(&results, &chain);
    assert_eq!(status, RevocationStatus::Revoked);
    assert_eq!(cert.unwrap().subject().to_string(), INTERMEDIATE_SUBJECT);
}

#[test]
fn e2e_leaf_crl_expired() {
    // leaf_expired.crl (nextUpdate 2023-12-25) is also signed by another
    // IntermediateCA key than the chain's (its AKI differs from leaf.crl's;
    // Notation's e2e only uses it to seed the cache, where nothing is
    // validated). The reference checks the signature before nextUpdate, so
    // the MANIFEST's "expired CRL" becomes "CRL is not signed by CA"; the
    // status is unknown either way. Expiry itself: `expired_crls_are_unknown`.
    let chain = e2e_chain();
    let results = check(&e2e_fetcher("leaf_expired.crl", "intermediate.crl"), &chain);
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    match crl_error(&results[0]) {
        CrlError::Validation { url, error: source } => {
            assert_eq!(url, E2E_LEAF_URL);
            assert!(
                matches!(
                    source,
                    CrlValidationError::Base(CrlInvalid::Signature { .. })
                ),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Past the signature (its key is not available), it is expired.
    let expired = Crl::from_der(&conformance(&format!("{E2E}/leaf_expired.crl"))).unwrap();
    assert!(!expired.is_effective_at(now()));
    let (status, cert) = final_result(&results, &chain);
    assert_eq!(status, RevocationStatus::Unknown);
    assert_eq!(cert.unwrap().subject().to_string(), LEAF_SUBJECT);
}

#[test]
fn e2e_expired_cached_crl_is_downloaded_again() {
    // Notation e2e "crl in the cache expired and a roundtrip": the cache is
    // seeded by fetching leaf_expired.crl, then the server is switched.
    for (served, expected) in [
        ("leaf.crl", RevocationStatus::Ok),
        ("leaf_revoked.crl", RevocationStatus::Revoked),
    ] {
        let chain = e2e_chain();
        let cache = Arc::new(MemoryCrlCache::new());
        let seeding = e2e_fetcher("leaf_expired.crl", "intermediate.crl");
        validator(&seeding)
            .crl_cache(cache.clone())
            .build()
            .fetch_crl_bundle(E2E_LEAF_URL)
            .unwrap();
        assert_eq!(cache.len(), 1);

        let fetcher = e2e_fetcher(served, "intermediate.crl");
        let v = validator(&fetcher).crl_cache(cache.clone()).build();
        let results = v
            .check(&chain, RevocationPurpose::CodeSigning, None)
            .unwrap();
        assert_eq!(results[0].status, expected, "{served}");
        assert!(fetcher.requests().contains(&format!("CRL {E2E_LEAF_URL}")));
        // Now cached and effective: no download.
        fetcher.clear_log();
        let results = v
            .check(&chain, RevocationPurpose::CodeSigning, None)
            .unwrap();
        assert_eq!(results[0].status, expected, "{served}");
        assert!(
            !fetcher.requests().iter().any(|r| r.starts_with("CRL ")),
            "{:?}",
            fetcher.requests()
        );
        assert_eq!(cache.len(), 2);
    }
}

/// P6, hardening beyond the reference: a cached bundle that does not
/// validate against the issuer (here the intermediate's CRL, issued by the
/// root, planted under the leaf's URL) is downloaded again instead of
/// making every check of that URL unknown until its nextUpdate, and a
/// download that does not validate is not stored.
#[test]
fn a_cached_crl_that_does_not_validate_is_downloaded_again() {
    let chain = e2e_chain();
    let cache = Arc::new(MemoryCrlCache::new());
    let planted = e2e_fetcher("intermediate.crl", "intermediate.crl");
    // Checked: unknown, and nothing stored for the leaf's URL.
    let results = validator(&planted)
        .crl_cache(cache.clone())
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert!(cache.get(E2E_LEAF_URL).unwrap().is_none());
    assert!(cache.get(E2E_INT_URL).unwrap().is_some());
    // Stored unchecked (a cache warm-up knows no issuer), still effective.
    validator(&planted)
        .crl_cache(cache.clone())
        .build()
        .fetch_crl_bundle(E2E_LEAF_URL)
        .unwrap();
    assert!(
        cache
            .get(E2E_LEAF_URL)
            .unwrap()
            .unwrap()
            .is_effective_at(now())
    );

    let fetcher = e2e_fetcher("leaf.crl", "intermediate.crl");
    let v = validator(&fetcher).crl_cache(cache.clone()).build();
    let results = v
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert!(fetcher.requests().contains(&format!("CRL {E2E_LEAF_URL}")));
    // The good bundle replaced the planted one.
    fetcher.clear_log();
    let results = v
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert!(
        !fetcher.requests().iter().any(|r| r.starts_with("CRL ")),
        "{:?}",
        fetcher.requests()
    );
}
