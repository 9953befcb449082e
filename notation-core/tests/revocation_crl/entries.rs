//! The entries of a CRL (P5), decided as the reference decides them.

use notation_core::revocation::RevocationStatus;

use crate::helpers::{entries, leaf_status};
use crate::revocation_support::*;

#[test]
fn entries_decide_as_the_reference() {
    let leaf = cert("leaf-crl");
    let other = cert("leaf");
    let t = now();
    let day = time::Duration::days(1);

    // Empty CRL, and a CRL listing someone else.
    assert_eq!(
        leaf_status(&CrlSpec::default(), None).status,
        RevocationStatus::Ok
    );
    let r = leaf_status(
        &entries(vec![IndexEntry::revoked(&other, t - day, None)]),
        None,
    );
    assert_eq!(r.status, RevocationStatus::Ok);

    // No reason, or a permanent one: revoked.
    for reason in [None, Some("keyCompromise"), Some("superseded")] {
        let r = leaf_status(
            &entries(vec![IndexEntry::revoked(&leaf, t - day, reason)]),
            None,
        );
        assert_eq!(r.status, RevocationStatus::Revoked, "{reason:?}");
        assert_eq!(r.server_results[0].error, None);
    }

    // On hold: revoked; removed from the CRL: not.
    let r = leaf_status(
        &entries(vec![IndexEntry::revoked(
            &leaf,
            t - day,
            Some("certificateHold"),
        )]),
        None,
    );
    assert_eq!(r.status, RevocationStatus::Revoked);
    let r = leaf_status(
        &entries(vec![IndexEntry::revoked(
            &leaf,
            t - day,
            Some("removeFromCRL"),
        )]),
        None,
    );
    assert_eq!(r.status, RevocationStatus::Ok);
}

#[test]
fn invalidity_date_against_the_authentic_signing_time() {
    let leaf = cert("leaf-crl");
    let t = now();
    let spec = entries(vec![IndexEntry::revoked_invalid_since(
        &leaf,
        t - time::Duration::minutes(30),
        t - time::Duration::hours(1),
    )]);
    // signingAuthority, signed 4 h ago, key invalid since 1 h: not revoked.
    assert_eq!(
        leaf_status(&spec, Some(t - time::Duration::hours(4))).status,
        RevocationStatus::Ok
    );
    // notary.x509: no authentic signing time, revoked.
    assert_eq!(leaf_status(&spec, None).status, RevocationStatus::Revoked);
    // Signed after the key became invalid: revoked.
    assert_eq!(
        leaf_status(&spec, Some(t - time::Duration::minutes(10))).status,
        RevocationStatus::Revoked
    );
}
