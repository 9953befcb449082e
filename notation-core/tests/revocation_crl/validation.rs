//! Validation of CRLs (P4): expiry, signers, crafted CRLs, unknown critical
//! extensions.

use notation_core::revocation::crl::{CrlInvalid, CrlValidationError};
use notation_core::revocation::{
    CertRevocationResult, CrlError, RevocationMethod, RevocationStatus,
};

use crate::helpers::{
    INT_CRL, ROOT_CRL, check, check_at, crl_error, int_crl, leaf_crl_setup, root_crl,
};
use crate::revocation_support::*;

#[test]
fn expired_crls_are_unknown() {
    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl(
        INT_CRL,
        int_crl(&CrlSpec {
            hours: 1,
            ..CrlSpec::default()
        }),
    );
    let t = now();
    let r = check_at(&fetcher, &chain, t + time::Duration::hours(2), None).remove(0);
    assert_eq!(r.status, RevocationStatus::Unknown);
    let text = crl_error(&r).to_string();
    assert!(
        text.starts_with(
            "failed to validate CRL from http://crl.intermediate.test/intermediate.crl: failed to validate base CRL: expired CRL. Current time "
        ),
        "{text}"
    );
    assert!(
        text.contains(" +0000 UTC is after CRL NextUpdate "),
        "{text}"
    );
    let r = check_at(&fetcher, &chain, t, None).remove(0);
    assert_eq!(r.status, RevocationStatus::Ok);
}

/// leaf-none's chain: the intermediate has an OCSP responder (not served,
/// so it falls back) and a CRL at the root.
fn intermediate_status(crl: Vec<u8>) -> CertRevocationResult {
    let chain = chain("leaf-none");
    let fetcher = TestFetcher::new();
    fetcher.crl(ROOT_CRL, crl);
    let results = check(&fetcher, &chain);
    assert_eq!(results[0].status, RevocationStatus::NonRevocable);
    assert_eq!(results[1].method, Some(RevocationMethod::OcspFallbackCrl));
    results[1].clone()
}

pub(crate) fn invalid(r: &CertRevocationResult) -> CrlInvalid {
    match crl_error(r) {
        CrlError::Validation {
            error: CrlValidationError::Base(e),
            ..
        } => e.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn crls_must_be_signed_by_the_issuer() {
    let r = intermediate_status(root_crl(&CrlSpec::default()));
    assert_eq!(r.status, RevocationStatus::Ok);

    // Signed by another CA.
    let r = intermediate_status(CrlAuthority::pki("other-root").gencrl(&CrlSpec::default()));
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert!(matches!(invalid(&r), CrlInvalid::Signature { .. }));
    assert!(
        crl_error(&r).to_string().starts_with(
            "failed to validate CRL from http://crl.root.test/root.crl: failed to validate base CRL: CRL is not signed by CA CN=Revocation Test Root,OU=Revocation Tests,O=Notary,L=Seattle,ST=WA,C=US: "
        ),
        "{}",
        crl_error(&r)
    );
}

/// The TBSCertList elements of a DER CRL.
fn tbs_children(crl: &[u8]) -> Vec<Vec<u8>> {
    let (tbs, _) = split_signed(crl);
    let (_, contents, _) = read_tlv(tbs);
    children(contents).into_iter().map(<[u8]>::to_vec).collect()
}

fn resign_root(crl: &[u8], children: Vec<Vec<u8>>) -> Vec<u8> {
    resign_rsa(crl, "root", |_| der_tlv(0x30, &children))
}

#[test]
fn crafted_crls_signed_by_the_issuer() {
    let base = root_crl(&CrlSpec::default());
    // version, signature, issuer, thisUpdate, nextUpdate, [0] extensions
    let parts = tbs_children(&base);
    assert_eq!(parts.len(), 6);
    // The re-signing itself is sound.
    assert_eq!(
        intermediate_status(resign_root(&base, parts.clone())).status,
        RevocationStatus::Ok
    );

    // No nextUpdate.
    let mut no_next = parts.clone();
    no_next.remove(4);
    let r = intermediate_status(resign_root(&base, no_next));
    assert_eq!(invalid(&r), CrlInvalid::MissingNextUpdate);
    assert!(
        crl_error(&r)
            .to_string()
            .ends_with("CRL NextUpdate is not set")
    );

    // Another issuer name, signed with the right key.
    let other_root = cert("other-root");
    let mut renamed = parts.clone();
    renamed[2] = other_root.raw_subject().to_vec();
    let r = intermediate_status(resign_root(&base, renamed));
    assert!(
        matches!(invalid(&r), CrlInvalid::IssuerMismatch { .. }),
        "{r:?}"
    );

    // A v1 CRL (no version, no extensions), as `openssl ca -gencrl`
    // writes one without a crlnumber file: Go's ParseRevocationList
    // refuses it, and the status is unknown.
    let mut v1 = parts.clone();
    v1.remove(5);
    v1.remove(0);
    let r = intermediate_status(resign_root(&base, v1));
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert!(
        crl_error(&r)
            .to_string()
            .ends_with("x509: unsupported crl version"),
        "{}",
        crl_error(&r)
    );

    // Entries for the intermediate with entry extensions, each a CRL of
    // its own: the status, and the error of the entry.
    let intermediate = cert("intermediate");
    let critical = |oid_tail: u8, value: Vec<u8>| {
        der_tlv(
            0x30,
            &[
                vec![0x06, 0x03, 0x55, 0x1d, oid_tail],
                vec![0x01, 0x01, 0xff],
                der_tlv(0x04, &[value]),
            ],
        )
    };
    let with_entry = |extensions: Vec<Vec<u8>>| {
        let entry = der_tlv(
            0x30,
            &[
                der_tlv(0x02, &[intermediate.serial_number().to_vec()]),
                parts[3].clone(), // thisUpdate as revocationDate
                der_tlv(0x30, &extensions),
            ],
        );
        let mut with = parts.clone();
        with.insert(5, der_tlv(0x30, &[entry]));
        let r = intermediate_status(resign_root(&base, with));
        (r.status, crl_error(&r).to_string())
    };
    let unsupported = |oid: &str| {
        (
            RevocationStatus::Unknown,
            format!(
                "failed to check revocation status from http://crl.root.test/root.crl: unsupported critical extension found in CRL: {oid}"
            ),
        )
    };
    // A critical certificateIssuer (indirect CRL): not supported.
    assert_eq!(
        with_entry(vec![critical(0x1d, vec![0x30, 0x00])]),
        unsupported("2.5.29.29")
    );
    // A reason code marked critical: the reference knows only the
    // invalidity date as an entry extension, so it is unsupported too.
    let critical_reason = critical(0x15, vec![0x0a, 0x01, 0x01]);
    assert_eq!(
        with_entry(vec![critical_reason.clone()]),
        unsupported("2.5.29.21")
    );
    // The same, followed by an invalidity date that does not parse: the
    // reference stops at the first extension that fails, the reason code.
    let bad_date = der_tlv(
        0x30,
        &[
            vec![0x06, 0x03, 0x55, 0x1d, 0x18],
            der_tlv(0x04, &[vec![0x18, 0x01, 0x00]]),
        ],
    );
    assert_eq!(
        with_entry(vec![critical_reason, bad_date]),
        unsupported("2.5.29.21")
    );
}

#[test]
fn unknown_critical_crl_extensions_fail() {
    let crl = root_crl(&CrlSpec {
        extensions: vec!["1.2.3.4=critical,ASN1:NULL".into()],
        ..CrlSpec::default()
    });
    let r = intermediate_status(crl);
    assert_eq!(
        invalid(&r),
        CrlInvalid::UnsupportedCriticalExtension {
            oid: "1.2.3.4".into()
        }
    );
    // Non-critical: ignored. A critical issuing distribution point: accepted
    // (as the reference).
    let crl = root_crl(&CrlSpec {
        extensions: vec![
            "1.2.3.4=ASN1:NULL".into(),
            "issuingDistributionPoint=critical,fullname:URI:http://crl.root.test/root.crl".into(),
        ],
        ..CrlSpec::default()
    });
    assert_eq!(intermediate_status(crl).status, RevocationStatus::Ok);
}
