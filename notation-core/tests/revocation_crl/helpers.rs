//! The URLs and names of the vectors, and helpers shared by the CRL tests.

use std::sync::Arc;

use notation_core::revocation::{
    CertRevocationResult, CrlError, RevocationChecker, RevocationPurpose, ServerError,
};
use notation_core::x509::Certificate;
use time::OffsetDateTime;

use crate::revocation_support::*;

pub(crate) const CORE: &str = "08-revocation/crl-core-go";
pub(crate) const E2E: &str = "08-revocation/crl-e2e";
pub(crate) const E2E_LEAF_URL: &str = "http://localhost:10086/leaf.crl";
pub(crate) const E2E_INT_URL: &str = "http://localhost:10086/intermediate.crl";
pub(crate) const INT_CRL: &str = "http://crl.intermediate.test/intermediate.crl";
pub(crate) const ROOT_CRL: &str = "http://crl.root.test/root.crl";
pub(crate) const DELTA_URL: &str = "http://crl.intermediate.test/delta.crl";
pub(crate) const EXAMPLE_URL: &str = "http://localhost.test";
pub(crate) const LEAF_SUBJECT: &str = "CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US";
pub(crate) const INTERMEDIATE_SUBJECT: &str =
    "CN=IntermediateCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US";

// ------------------------------------------------------------ helpers

pub(crate) fn check_at(
    fetcher: &Arc<TestFetcher>,
    chain: &[Certificate],
    clock: OffsetDateTime,
    signing_time: Option<OffsetDateTime>,
) -> Vec<CertRevocationResult> {
    validator(fetcher)
        .clock(move || clock)
        .build()
        .check(chain, RevocationPurpose::CodeSigning, signing_time)
        .expect("chain is valid")
}

pub(crate) fn check(
    fetcher: &Arc<TestFetcher>,
    chain: &[Certificate],
) -> Vec<CertRevocationResult> {
    check_at(fetcher, chain, now(), None)
}

pub(crate) fn crl_error(result: &CertRevocationResult) -> &CrlError {
    match &result.server_results.last().expect("a server result").error {
        Some(ServerError::Crl(e)) => e,
        other => panic!("want a CRL error, got {other:?}"),
    }
}

pub(crate) fn int_crl(spec: &CrlSpec) -> Vec<u8> {
    CrlAuthority::pki("intermediate").gencrl(spec)
}

pub(crate) fn root_crl(spec: &CrlSpec) -> Vec<u8> {
    CrlAuthority::pki("root").gencrl(spec)
}

/// leaf-crl's chain, with an empty root CRL served for the intermediate.
pub(crate) fn leaf_crl_setup() -> (Vec<Certificate>, Arc<TestFetcher>) {
    let chain = chain("leaf-crl");
    let fetcher = TestFetcher::new();
    fetcher.crl(ROOT_CRL, root_crl(&CrlSpec::default()));
    (chain, fetcher)
}

pub(crate) fn leaf_status(
    spec: &CrlSpec,
    signing_time: Option<OffsetDateTime>,
) -> CertRevocationResult {
    let (chain, fetcher) = leaf_crl_setup();
    fetcher.crl(INT_CRL, int_crl(spec));
    check_at(&fetcher, &chain, now(), signing_time).remove(0)
}

pub(crate) fn entries(list: Vec<IndexEntry>) -> CrlSpec {
    CrlSpec {
        entries: list,
        ..CrlSpec::default()
    }
}

/// The Freshest CRL extension value of a crl-core-go certificate.
pub(crate) fn freshest_extension(name: &str) -> Vec<u8> {
    use der::Decode;
    let pem = conformance(&format!("{CORE}/{name}"));
    let block = notation_core::pem::parse_blocks(&pem).unwrap().remove(0);
    let cert = x509_cert::Certificate::from_der(&block.der).unwrap();
    let freshest = const_oid::ObjectIdentifier::new_unwrap("2.5.29.46");
    cert.tbs_certificate()
        .extensions()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == freshest)
        .expect("a Freshest CRL extension")
        .extn_value
        .as_bytes()
        .to_vec()
}

pub(crate) fn hex_colons(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}
