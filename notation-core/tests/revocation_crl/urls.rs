//! Distribution points (P4, W14): HTTP only, mirrors and partitions, and
//! points named relative to the CRL issuer.

use notation_core::revocation::{RevocationMethod, RevocationStatus};
use notation_core::x509::Certificate;

use crate::helpers::{ROOT_CRL, check, crl_error, entries, int_crl, root_crl};
use crate::revocation_support::*;

#[test]
fn only_http_distribution_points_are_used() {
    let chain = chain("leaf-https");
    let fetcher = TestFetcher::new();
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert_eq!(r.method, Some(RevocationMethod::OcspFallbackCrl));
    assert_eq!(
        crl_error(&r).to_string(),
        "failed to download CRL from https://crl.intermediate.test/intermediate.crl: failed to retrieve CRL: unsupported scheme: https. Only supports CRL URL in HTTP protocol"
    );
    assert!(
        !fetcher
            .requests()
            .iter()
            .any(|r| r.contains("intermediate.test")),
        "{:?}",
        fetcher.requests()
    );
}

const MIRROR1: &str = "http://mirror1.intermediate.test/intermediate.crl";
const MIRROR2: &str = "http://mirror2.intermediate.test/intermediate.crl";
const PARTITION2: &str = "http://partition2.intermediate.test/intermediate.crl";

#[test]
fn w14_mirrors_are_alternatives_and_points_are_all_required() {
    let leaf = cert("leaf-multi-dp");
    let t = now();
    let chain = chain("leaf-multi-dp");
    let good = int_crl(&CrlSpec::default());
    let revoked = int_crl(&entries(vec![IndexEntry::revoked(&leaf, t, None)]));
    let setup = || {
        let fetcher = TestFetcher::new();
        fetcher.crl(ROOT_CRL, root_crl(&CrlSpec::default()));
        fetcher
    };
    let leaf_requests = |f: &TestFetcher| -> Vec<String> {
        f.requests()
            .into_iter()
            .filter(|r| r.contains("intermediate.test"))
            .collect()
    };

    // First mirror down, second up; second point up: OK, three requests.
    let fetcher = setup();
    fetcher.crl(MIRROR2, good.clone());
    fetcher.crl(PARTITION2, good.clone());
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(r.status, RevocationStatus::Ok);
    assert_eq!(
        leaf_requests(&fetcher),
        vec![
            format!("CRL {MIRROR1}"),
            format!("CRL {MIRROR2}"),
            format!("CRL {PARTITION2}")
        ]
    );
    assert_eq!(r.server_results.len(), 3);
    assert_eq!(r.server_results[0].status, RevocationStatus::Unknown);
    assert!(r.server_results[0].error.is_some());

    // Both mirrors down: the first point is missing, unknown even though
    // the second point answers.
    let fetcher = setup();
    fetcher.crl(PARTITION2, good.clone());
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(r.status, RevocationStatus::Unknown);

    // The second point revokes: revoked, whatever the first said.
    let fetcher = setup();
    fetcher.crl(PARTITION2, revoked.clone());
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(r.status, RevocationStatus::Revoked);

    // The first mirror revokes: decided at once.
    let fetcher = setup();
    fetcher.crl(MIRROR1, revoked);
    let r = check(&fetcher, &chain).remove(0);
    assert_eq!(r.status, RevocationStatus::Revoked);
    assert_eq!(leaf_requests(&fetcher), vec![format!("CRL {MIRROR1}")]);
}

/// P4: a distribution point named relative to the CRL issuer
/// (`nameRelativeToCRLIssuer`) makes Go's certificate parser refuse the
/// certificate ("x509: invalid CRL distribution point"), so the reference
/// never verifies such a chain. It is refused here alike. (It used to
/// parse, and its revocation check then found no CRL it could read and
/// took the certificate for one without revocation information, so even
/// the URI of its second point was never fetched.)
#[test]
fn a_point_named_relative_to_the_crl_issuer_refuses_the_certificate() {
    let pem = std::fs::read(pki_path("leaf-relative-dp.crt")).unwrap();
    let e = Certificate::parse_many(&pem).unwrap_err();
    assert_eq!(e.to_string(), "x509: invalid CRL distribution point");
}
