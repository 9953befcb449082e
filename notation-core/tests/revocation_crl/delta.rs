//! Delta CRLs: extending the base, their numbers, and a Freshest CRL only in
//! the certificate.

use std::sync::Arc;

use notation_core::revocation::crl::CrlValidationError;
use notation_core::revocation::{CertRevocationResult, CrlError, RevocationStatus};
use notation_core::x509::Certificate;

use crate::helpers::{
    DELTA_URL, INT_CRL, ROOT_CRL, check, crl_error, int_crl, leaf_crl_setup, root_crl,
};
use crate::revocation_support::*;

fn delta_setup(
    base: CrlSpec,
    delta: CrlSpec,
) -> (Vec<Certificate>, Arc<TestFetcher>, CertRevocationResult) {
    let (chain, fetcher) = leaf_crl_setup();
    let mut base = base;
    base.extensions.push(format!("freshestCRL=URI:{DELTA_URL}"));
    fetcher.crl(INT_CRL, int_crl(&base));
    fetcher.crl(DELTA_URL, int_crl(&delta));
    let r = check(&fetcher, &chain).remove(0);
    (chain, fetcher, r)
}

fn delta_spec(number: u64, base_number: u64, list: Vec<IndexEntry>) -> CrlSpec {
    CrlSpec {
        entries: list,
        number: Some(number),
        hours: 24,
        extensions: vec![format!("2.5.29.27=critical,ASN1:INTEGER:{base_number}")],
    }
}

#[test]
fn delta_crls_extend_the_base() {
    let leaf = cert("leaf-crl");
    let t = now();
    let base = CrlSpec {
        number: Some(5),
        ..CrlSpec::default()
    };

    // Revoked only in the delta.
    let (_, fetcher, r) = delta_setup(
        base.clone(),
        delta_spec(6, 5, vec![IndexEntry::revoked(&leaf, t, None)]),
    );
    assert_eq!(r.status, RevocationStatus::Revoked);
    assert!(fetcher.requests().contains(&format!("CRL {DELTA_URL}")));

    // On hold in the base, removed in a later delta entry.
    let hold = CrlSpec {
        entries: vec![IndexEntry::revoked(
            &leaf,
            t - time::Duration::days(2),
            Some("certificateHold"),
        )],
        ..base.clone()
    };
    let (_, _, r) = delta_setup(
        hold.clone(),
        delta_spec(
            6,
            5,
            vec![IndexEntry::revoked(
                &leaf,
                t - time::Duration::days(1),
                Some("removeFromCRL"),
            )],
        ),
    );
    assert_eq!(r.status, RevocationStatus::Ok);
    // The removal is older than the hold: still on hold.
    let (_, _, r) = delta_setup(
        CrlSpec {
            entries: vec![IndexEntry::revoked(
                &leaf,
                t - time::Duration::days(1),
                Some("certificateHold"),
            )],
            ..base.clone()
        },
        delta_spec(
            6,
            5,
            vec![IndexEntry::revoked(
                &leaf,
                t - time::Duration::days(2),
                Some("removeFromCRL"),
            )],
        ),
    );
    assert_eq!(r.status, RevocationStatus::Revoked);
}

#[test]
fn delta_crl_numbers_are_checked() {
    let base = CrlSpec {
        number: Some(5),
        ..CrlSpec::default()
    };
    let validation = |r: &CertRevocationResult| match crl_error(r) {
        CrlError::Validation { error: source, .. } => source.clone(),
        other => panic!("{other:?}"),
    };

    let (_, _, r) = delta_setup(base.clone(), delta_spec(5, 5, vec![]));
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert_eq!(
        validation(&r).to_string(),
        "delta CRL number 5 is not greater than the base CRL number 5"
    );

    let (_, _, r) = delta_setup(base.clone(), delta_spec(7, 6, vec![]));
    assert_eq!(
        validation(&r).to_string(),
        "delta CRL indicator 6 is not less than or equal to the base CRL number 5"
    );

    // A complete CRL served as the delta.
    let (_, _, r) = delta_setup(
        base.clone(),
        CrlSpec {
            number: Some(6),
            ..CrlSpec::default()
        },
    );
    assert_eq!(validation(&r), CrlValidationError::MissingDeltaIndicator);
    assert_eq!(
        validation(&r).to_string(),
        "delta CRL indicator extension is not found"
    );

    // A delta CRL at the distribution point.
    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl(INT_CRL, int_crl(&delta_spec(6, 5, vec![])));
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(validation(&r), CrlValidationError::BaseIsDelta);
}

#[test]
fn freshest_crl_only_in_the_certificate_is_not_supported() {
    let chain = chain("leaf-freshest");
    let fetcher = TestFetcher::new();
    fetcher.crl(ROOT_CRL, root_crl(&CrlSpec::default()));
    fetcher.crl(INT_CRL, int_crl(&CrlSpec::default()));
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert_eq!(crl_error(&r), &CrlError::FreshestCrlFromCertificate);
    assert_eq!(
        crl_error(&r).to_string(),
        "freshest CRL from certificate extension is not supported"
    );
}
