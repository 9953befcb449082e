//! The chain checker (REQUIREMENTS P1, P2): chain re-validation, the root,
//! non-revocable certificates, OCSP-to-CRL fallback, the final verdict and
//! the log lines, parallel checking, and the verifier end to end with the
//! 08-revocation e2e PKIs (OCSP responses from `openssl ocsp`).

mod revocation_support;

use std::sync::Arc;

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::default_provider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::revocation::{
    CertRevocationResult, DiagnosticLevel, OfflineRevocationChecker, RevocationChecker,
    RevocationError, RevocationMethod, RevocationPurpose, RevocationStatus, RevocationValidator,
    ServerError, diagnostics, final_result,
};
use notation_core::signer::LocalSigner;
use notation_core::trust::{BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, CheckFailure, Verifier};
use notation_core::x509::Certificate;
use revocation_support::*;

const INT_URL: &str = "http://ocsp.intermediate.test";
const ROOT_URL: &str = "http://ocsp.root.test";
const INT_CRL: &str = "http://crl.intermediate.test/intermediate.crl";
const ROOT_CRL: &str = "http://crl.root.test/root.crl";

fn check(
    fetcher: &Arc<TestFetcher>,
    chain: &[Certificate],
) -> Result<Vec<CertRevocationResult>, RevocationError> {
    validator(fetcher)
        .build()
        .check(chain, RevocationPurpose::CodeSigning, None)
}

#[test]
fn a_mis_ordered_chain_is_refused_before_any_request() {
    let c = chain("leaf");
    let fetcher = TestFetcher::new();
    let misordered = vec![c[1].clone(), c[0].clone(), c[2].clone()];
    let e = check(&fetcher, &misordered).unwrap_err();
    assert!(matches!(e, RevocationError::Chain(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("invalid chain: expected chain to be correct and complete: "),
        "{text}"
    );
    // As the verifier reports it (MANIFEST: "unable to check revocation
    // status, err: invalid chain: expected chain to be correct and
    // complete: …").
    assert!(
        CheckFailure::RevocationError(e)
            .to_string()
            .starts_with(
                "unable to check revocation status, err: invalid chain: expected chain to be correct and complete: "
            )
    );
    assert!(fetcher.requests().is_empty());

    // A chain without its root.
    assert!(check(&fetcher, &c[..2]).is_err());
    // No chain at all.
    assert_eq!(
        check(&fetcher, &[]).unwrap_err().to_string(),
        "invalid chain: expected chain to be correct and complete: chain does not contain any certificates"
    );
}

#[test]
fn the_purpose_selects_the_chain_rules() {
    // A code-signing chain is not a timestamping chain (H4).
    let fetcher = TestFetcher::new();
    let e = validator(&fetcher)
        .build()
        .check(&chain("leaf-none"), RevocationPurpose::Timestamping, None)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("must have and only have Timestamping as extended key usage"),
        "{e}"
    );
}

#[test]
fn certificates_without_methods_and_the_root_are_not_revocable() {
    let c = chain("leaf-none");
    let responder = OcspResponder::pki("root", "root");
    responder.set_index(vec![IndexEntry::valid(&c[1])]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(ROOT_URL, responder);
    let results = check(&fetcher, &c).unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0], CertRevocationResult::non_revocable());
    assert_eq!(results[1].status, RevocationStatus::Ok);
    assert_eq!(results[2], CertRevocationResult::non_revocable());
    assert_eq!(final_result(&results, &c), (RevocationStatus::Ok, None));
    // Nothing was asked about the leaf or the root.
    assert_eq!(fetcher.requests().len(), 1);

    let logs = diagnostics(&results, &c);
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].level, DiagnosticLevel::Warning);
    assert_eq!(
        logs[0].message,
        "Certificate #1 in the chain with subject \"CN=Revocation Test leaf-none,OU=Revocation Tests,O=Notary,L=Seattle,ST=WA,C=US\" neither has an OCSP nor a CRL revocation method."
    );
}

/// Serves the intermediate's status from the root's own responder.
fn intermediate_by_root(fetcher: &TestFetcher, entry: IndexEntry) {
    let responder = OcspResponder::pki("root", "root");
    responder.set_index(vec![entry]);
    fetcher.ocsp_responder(ROOT_URL, responder);
}

#[test]
fn chain_unknown_then_revoked_is_revoked_for_the_revoked_certificate() {
    // MANIFEST: chain [unknown, revoked] → revoked reported for the revoked
    // certificate.
    let c = chain("leaf-ocsp");
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(INT_URL, OcspResponder::pki("intermediate", "responder"));
    intermediate_by_root(&fetcher, IndexEntry::revoked(&c[1], now(), None));
    let results = check(&fetcher, &c).unwrap();
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(results[1].status, RevocationStatus::Revoked);
    // A definitive OCSP answer: no CRL fallback for the intermediate.
    assert_eq!(results[1].method, Some(RevocationMethod::Ocsp));
    assert!(!fetcher.requests().iter().any(|r| r.starts_with("CRL ")));
    let (status, cert) = final_result(&results, &c);
    assert_eq!(status, RevocationStatus::Revoked);
    assert_eq!(cert, Some(&c[1]));
}

#[test]
fn ocsp_unknown_falls_back_to_crl() {
    let c = chain("leaf");
    let fetcher = TestFetcher::new();
    // The leaf's responder does not know it (empty index), its CRL is good.
    fetcher.ocsp_responder(INT_URL, OcspResponder::pki("intermediate", "responder"));
    fetcher.crl(
        INT_CRL,
        CrlAuthority::pki("intermediate").gencrl(&CrlSpec::default()),
    );
    intermediate_by_root(&fetcher, IndexEntry::valid(&c[1]));
    let results = check(&fetcher, &c).unwrap();
    let leaf = &results[0];
    assert_eq!(leaf.status, RevocationStatus::Ok);
    assert_eq!(leaf.method, Some(RevocationMethod::OcspFallbackCrl));
    assert_eq!(leaf.server_results.len(), 2);
    assert_eq!(leaf.server_results[0].method, RevocationMethod::Ocsp);
    assert_eq!(
        leaf.server_results[0]
            .error
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("certificate has unknown status via OCSP")
    );
    assert_eq!(leaf.server_results[1].method, RevocationMethod::Crl);
    assert_eq!(leaf.server_results[1].url, INT_CRL);
    assert_eq!(results[1].status, RevocationStatus::Ok);
    assert_eq!(results[1].method, Some(RevocationMethod::Ocsp));

    // The CRL revokes it.
    let fetcher2 = TestFetcher::new();
    fetcher2.ocsp_responder(INT_URL, OcspResponder::pki("intermediate", "responder"));
    fetcher2.crl(
        INT_CRL,
        CrlAuthority::pki("intermediate").gencrl(&CrlSpec {
            entries: vec![IndexEntry::revoked(&c[0], now(), None)],
            ..CrlSpec::default()
        }),
    );
    intermediate_by_root(&fetcher2, IndexEntry::valid(&c[1]));
    let results = check(&fetcher2, &c).unwrap();
    assert_eq!(results[0].status, RevocationStatus::Revoked);
    assert_eq!(results[0].method, Some(RevocationMethod::OcspFallbackCrl));

    // OCSP good: the CRL is not fetched.
    let fetcher3 = TestFetcher::new();
    let responder = OcspResponder::pki("intermediate", "responder");
    responder.set_index(vec![IndexEntry::valid(&c[0])]);
    fetcher3.ocsp_responder(INT_URL, responder);
    intermediate_by_root(&fetcher3, IndexEntry::valid(&c[1]));
    let results = check(&fetcher3, &c).unwrap();
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert_eq!(results[0].method, Some(RevocationMethod::Ocsp));
    assert!(!fetcher3.requests().iter().any(|r| r.starts_with("CRL ")));
}

#[test]
fn parallel_and_sequential_checks_agree() {
    let c = chain("leaf");
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(INT_URL, OcspResponder::pki("intermediate", "responder"));
    fetcher.crl(
        INT_CRL,
        CrlAuthority::pki("intermediate").gencrl(&CrlSpec::default()),
    );
    fetcher.crl(
        ROOT_CRL,
        CrlAuthority::pki("root").gencrl(&CrlSpec::default()),
    );
    let t = now();
    let run = |n: usize| {
        validator(&fetcher)
            .max_parallel_checks(n)
            .clock(move || t)
            .build()
            .check(&c, RevocationPurpose::CodeSigning, None)
            .unwrap()
    };
    let sequential = run(1);
    assert_eq!(sequential, run(4));
    assert_eq!(sequential[0].status, RevocationStatus::Ok);
    assert_eq!(sequential[1].status, RevocationStatus::Ok);
}

#[test]
fn the_offline_checker_never_says_good() {
    let c = chain("leaf");
    let results = OfflineRevocationChecker
        .check(&c, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(
        results[0].server_results[0].error,
        Some(ServerError::NotConfigured)
    );
    assert_eq!(results[2], CertRevocationResult::non_revocable());
}

#[test]
fn validator_is_debug_and_clone() {
    let fetcher = TestFetcher::new();
    let v: RevocationValidator = validator(&fetcher).build();
    let text = format!("{:?}", v.clone());
    assert!(text.contains("ocsp_timeout: 2s"), "{text}");
    assert!(text.contains("crl_timeout: 5s"), "{text}");
}

// ------------------------------------------------------------ end to end

/// Signs a blob with `key` and `chain_pem`, then verifies it with a strict
/// blob policy trusting `root`, revocation checked by `validator`; on
/// failure, the failed check's message.
fn sign_and_verify(
    key: &[u8],
    chain_pem: &[u8],
    root: &[u8],
    validator: RevocationValidator,
) -> Result<(), String> {
    let crypto = default_provider();
    let signer = LocalSigner::from_pem(key, chain_pem).unwrap();
    let blob = b"revocation end to end";
    let envelope = sign_blob(
        &signer,
        &mut &blob[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws),
        crypto.as_ref(),
    )
    .unwrap();
    let mut store = MemoryTrustStore::new();
    store.add(TrustStoreType::Ca, "e2e", certs(root)).unwrap();
    let doc = BlobTrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"e2e","globalPolicy":true,
            "signatureVerification":{"level":"strict"},
            "trustStores":["ca:e2e"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let verifier = Verifier::builder(Arc::new(store))
        .blob_policy(doc)
        .revocation_checker(Arc::new(validator))
        .build()
        .unwrap();
    match verifier.verify_blob(
        &envelope,
        EnvelopeFormat::Jws,
        &mut &blob[..],
        &BlobVerifyOptions::new(),
    ) {
        Ok(_) => Ok(()),
        // The failed check's message, as the CLI prints it.
        Err(e) => Err(e
            .failed_check()
            .and_then(|c| c.failure())
            .map(ToString::to_string)
            .unwrap_or_else(|| panic!("{e}"))),
    }
}

#[test]
fn verifier_end_to_end_with_the_ocsp_e2e_pki() {
    let key = conformance("08-revocation/ocsp-e2e/leaf.key");
    let chain_pem = conformance("08-revocation/ocsp-e2e/certchain_with_ocsp.pem");
    let root = conformance("08-revocation/ocsp-e2e/root.crt");
    let leaf = certs(&chain_pem).remove(0);
    let dir = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/08-revocation/ocsp-e2e"
    ));
    let responder = OcspResponder::new(
        &dir.join("root.crt"),
        &dir.join("ocsp.crt"),
        &dir.join("ocsp.key"),
    );
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder("http://localhost:10087", responder.clone());
    let run = || {
        sign_and_verify(
            &key,
            &chain_pem,
            &root,
            RevocationValidator::builder(fetcher.clone()).build(),
        )
    };
    let subject = "CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US";

    responder.set_index(vec![IndexEntry::valid(&leaf)]);
    if let Err(e) = run() {
        panic!("{e}");
    }

    responder.set_index(vec![IndexEntry::revoked(&leaf, now(), None)]);
    assert_eq!(
        run().unwrap_err(),
        format!("signing certificate with subject \"{subject}\" is revoked")
    );

    responder.set_index(vec![]);
    assert_eq!(
        run().unwrap_err(),
        format!("signing certificate with subject \"{subject}\" revocation status is unknown")
    );
}

#[test]
fn verifier_end_to_end_with_the_crl_e2e_pki() {
    let key = conformance("08-revocation/crl-e2e/leaf.key");
    let chain_pem = conformance("08-revocation/crl-e2e/certchain_with_crl.pem");
    let root = conformance("08-revocation/crl-e2e/root.crt");
    let run = |leaf_crl: &str, intermediate_crl: &str| {
        let fetcher = TestFetcher::new();
        fetcher.crl(
            "http://localhost:10086/leaf.crl",
            conformance(&format!("08-revocation/crl-e2e/{leaf_crl}")),
        );
        fetcher.crl(
            "http://localhost:10086/intermediate.crl",
            conformance(&format!("08-revocation/crl-e2e/{intermediate_crl}")),
        );
        sign_and_verify(
            &key,
            &chain_pem,
            &root,
            RevocationValidator::builder(fetcher).build(),
        )
    };
    if let Err(e) = run("leaf.crl", "intermediate.crl") {
        panic!("{e}");
    }
    assert_eq!(
        run("leaf_revoked.crl", "intermediate.crl").unwrap_err(),
        "signing certificate with subject \"CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US\" is revoked"
    );
    assert_eq!(
        run("leaf.crl", "intermediate_revoked.crl").unwrap_err(),
        "signing certificate with subject \"CN=IntermediateCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US\" is revoked"
    );
    assert_eq!(
        run("leaf_expired.crl", "intermediate.crl").unwrap_err(),
        "signing certificate with subject \"CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US\" revocation status is unknown"
    );
}
