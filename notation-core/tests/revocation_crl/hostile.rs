//! Hostile CRLs: typed errors, flipped bytes, oversized bodies and HTTP
//! failures.

use notation_core::revocation::crl::{self, CrlParseError};
use notation_core::revocation::{
    CRL_MAX_SIZE, Crl, CrlBundle, FetchError, RevocationChecker, RevocationPurpose,
    RevocationStatus,
};

use crate::helpers::{INT_CRL, check, crl_error, entries, int_crl, leaf_crl_setup};
use crate::revocation_support::*;

#[test]
fn hostile_crls_are_typed_errors() {
    let good = int_crl(&entries(vec![IndexEntry::revoked(
        &cert("leaf"),
        now(),
        Some("keyCompromise"),
    )]));
    assert!(Crl::from_der(&good).is_ok());
    for n in 0..good.len() {
        assert!(
            Crl::from_der(&good[..n]).is_err(),
            "prefix of {n} bytes accepted"
        );
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(matches!(
        Crl::from_der(&trailing),
        Err(CrlParseError::Malformed { .. })
    ));
    assert_eq!(
        Crl::from_der(b"garbage").unwrap_err().to_string(),
        "x509: malformed crl"
    );
    // PEM is not accepted (as Go's ParseRevocationList).
    assert!(Crl::from_der(b"-----BEGIN X509 CRL-----\n").is_err());
}

#[test]
fn any_flipped_byte_in_the_signed_list_fails() {
    let leaf = cert("leaf-crl");
    let crl = int_crl(&entries(vec![IndexEntry::revoked(
        &cert("leaf"),
        now(),
        Some("keyCompromise"),
    )]));
    let issuer = cert("intermediate");
    let crypto = notation_core::crypto::default_provider();
    let bundle = CrlBundle::new(Crl::from_der(&crl).unwrap(), None);
    assert_eq!(
        crl::check_bundle(&bundle, &leaf, &issuer, now(), None, crypto.as_ref()),
        Ok(RevocationStatus::Ok)
    );
    let (tbs, _) = split_signed(&crl);
    let start = tbs.as_ptr() as usize - crl.as_ptr() as usize;
    for i in start..start + tbs.len() {
        let mut bad = crl.clone();
        bad[i] ^= 0x01;
        let Ok(parsed) = Crl::from_der(&bad) else {
            continue;
        };
        let r = crl::check_bundle(
            &CrlBundle::new(parsed, None),
            &leaf,
            &issuer,
            now(),
            None,
            crypto.as_ref(),
        );
        assert!(r.is_err(), "flip at {i} accepted: {r:?}");
    }
}

#[test]
fn oversized_and_http_failures() {
    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl(INT_CRL, vec![0x30; CRL_MAX_SIZE + 1]);
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(
        crl_error(&r).to_string(),
        "failed to download CRL from http://crl.intermediate.test/intermediate.crl: failed to retrieve CRL: CRL size exceeds the limit: 33554432"
    );

    // A smaller configured limit, reported by the fetcher.
    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl_error(INT_CRL, FetchError::TooLarge { limit: 1000 });
    let r = validator(&fetcher)
        .crl_max_size(1000)
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap()
        .remove(0);
    assert!(
        crl_error(&r)
            .to_string()
            .ends_with("CRL size exceeds the limit: 1000")
    );

    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl_error(INT_CRL, FetchError::HttpStatus { status: 404 });
    let r = check(&fetcher, &chain).remove(0);
    assert!(
        crl_error(&r)
            .to_string()
            .ends_with("failed to retrieve CRL: failed to download with status code: 404")
    );

    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl_error(INT_CRL, FetchError::Timeout);
    let r = check(&fetcher, &chain).remove(0);
    assert!(
        crl_error(&r)
            .to_string()
            .ends_with("failed to retrieve CRL: request failed: request timed out")
    );
}
