//! The crl-core-go vectors: Freshest CRL extensions and delta CRLs.

use std::sync::Arc;

use notation_core::revocation::Crl;
use notation_core::revocation::crl::{
    self, CrlDownloadError, CrlFetchError, InvalidDistributionPoint,
};

use crate::helpers::{CORE, EXAMPLE_URL, INT_CRL, freshest_extension, hex_colons, int_crl};
use crate::revocation_support::*;

#[test]
fn core_go_freshest_crl_extensions_parse_like_the_reference() {
    let urls = |name: &str| crl::distribution_point_urls(&freshest_extension(name));

    let one = urls("certificateWithDeltaCRL.cer").unwrap();
    assert_eq!(one.len(), 1);
    assert!(one[0].starts_with("http://localhost:80"), "{one:?}");
    assert_eq!(urls("certificateWith2DeltaCRL.cer").unwrap().len(), 2);
    assert_eq!(urls("certificateWithZeroDeltaCRLURL.cer"), Ok(vec![]));
    assert_eq!(urls("certificateWithNonURIDeltaCRL.cer"), Ok(vec![]));
    assert_eq!(
        urls("certificateWithIncompleteFreshestCRL2.cer"),
        Ok(vec![])
    );
    let e = urls("certificateWithIncompleteFreshestCRL.cer").unwrap_err();
    assert_eq!(e, InvalidDistributionPoint::Point);
    assert_eq!(e.to_string(), "x509: invalid CRL distribution point");
    // An empty extension.
    assert_eq!(
        crl::distribution_point_urls(&[]),
        Err(InvalidDistributionPoint::Points)
    );
}

#[test]
fn core_go_delta_crl_parses() {
    let delta = Crl::from_der(&conformance(&format!("{CORE}/delta.crl"))).unwrap();
    assert!(delta.is_delta());
    assert_eq!(delta.number(), Some(&[5u8][..]));
    assert_eq!(delta.revoked_count(), 0);
    assert!(delta.next_update().is_some());

    let base = Crl::from_der(&conformance(&format!(
        "{CORE}/crlWithMultipleFreshestCRLs.crl"
    )))
    .unwrap();
    assert!(!base.is_delta());
    let urls = base.freshest_crl_urls().unwrap().unwrap();
    assert_eq!(urls.len(), 2);
}

#[test]
fn core_go_base_crl_whose_delta_is_not_a_crl() {
    // fetcher_test.go "test fetch delta CRL from base CRL extension failed".
    let base = conformance(&format!("{CORE}/crlWithMultipleFreshestCRLs.crl"));
    let delta_url = Crl::from_der(&base)
        .unwrap()
        .freshest_crl_urls()
        .unwrap()
        .unwrap()
        .remove(0);
    let fetcher = TestFetcher::new();
    fetcher.crl(EXAMPLE_URL, base.clone());
    fetcher.crl(&delta_url, b"invalid crl".to_vec());
    let e = validator(&fetcher)
        .build()
        .fetch_crl_bundle(EXAMPLE_URL)
        .unwrap_err();
    assert_eq!(e.to_string(), "failed to retrieve CRL: x509: malformed crl");

    // Served properly, the delta is fetched with the base.
    fetcher.crl(&delta_url, conformance(&format!("{CORE}/delta.crl")));
    let bundle = validator(&fetcher)
        .build()
        .fetch_crl_bundle(EXAMPLE_URL)
        .unwrap();
    assert!(bundle.delta().unwrap().is_delta());

    // Both delta URLs down: each is tried, the request error is reported.
    let fetcher = TestFetcher::new();
    fetcher.crl(EXAMPLE_URL, base);
    let e = validator(&fetcher)
        .build()
        .fetch_crl_bundle(EXAMPLE_URL)
        .unwrap_err();
    assert!(e.to_string().contains("request failed"), "{e}");
    assert_eq!(fetcher.requests().len(), 3);
}

/// A base CRL (signed by the test intermediate) whose Freshest CRL
/// extension is the value found in a crl-core-go certificate.
fn base_with_freshest_of(name: &str) -> Vec<u8> {
    int_crl(&CrlSpec {
        number: Some(5),
        extensions: vec![format!(
            "2.5.29.46=DER:{}",
            hex_colons(&freshest_extension(name))
        )],
        ..CrlSpec::default()
    })
}

#[test]
fn core_go_freshest_crl_vectors_inside_base_crls() {
    let fetch = |fetcher: &Arc<TestFetcher>| validator(fetcher).build().fetch_crl_bundle(INT_CRL);

    // Malformed: the reference's exact text.
    let fetcher = TestFetcher::new();
    fetcher.crl(
        INT_CRL,
        base_with_freshest_of("certificateWithIncompleteFreshestCRL.cer"),
    );
    let e = fetch(&fetcher).unwrap_err();
    assert_eq!(
        e,
        CrlFetchError::Retrieve(CrlDownloadError::FreshestCrl(
            InvalidDistributionPoint::Point
        ))
    );
    assert_eq!(
        e.to_string(),
        "failed to retrieve CRL: failed to parse Freshest CRL extension: x509: invalid CRL distribution point"
    );

    // No URL: no delta, no error.
    for name in [
        "certificateWithZeroDeltaCRLURL.cer",
        "certificateWithNonURIDeltaCRL.cer",
        "certificateWithIncompleteFreshestCRL2.cer",
    ] {
        let fetcher = TestFetcher::new();
        fetcher.crl(INT_CRL, base_with_freshest_of(name));
        let bundle = fetch(&fetcher).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(bundle.delta().is_none(), "{name}");
        assert_eq!(fetcher.requests().len(), 1, "{name}");
    }

    // One URL: the delta is downloaded from it.
    let fetcher = TestFetcher::new();
    fetcher.crl(
        INT_CRL,
        base_with_freshest_of("certificateWithDeltaCRL.cer"),
    );
    let url = crl::distribution_point_urls(&freshest_extension("certificateWithDeltaCRL.cer"))
        .unwrap()
        .remove(0);
    fetcher.crl(&url, conformance(&format!("{CORE}/delta.crl")));
    assert!(fetch(&fetcher).unwrap().delta().is_some());

    // Two URLs, all failing: "request failed", each tried.
    let fetcher = TestFetcher::new();
    fetcher.crl(
        INT_CRL,
        base_with_freshest_of("certificateWith2DeltaCRL.cer"),
    );
    let e = fetch(&fetcher).unwrap_err();
    assert!(e.to_string().contains("request failed"), "{e}");
    assert_eq!(fetcher.requests().len(), 3);
}
