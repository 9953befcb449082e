//! Revocation checking against certificates made to waste our time (issue
//! 8, Low 1): a certificate naming thousands of OCSP and CRL URLs gets a
//! few tried, a base CRL naming thousands of delta CRLs too, a whole chain's
//! check has a deadline, and a chain that failed authenticity (an `audit`
//! policy only logs that) gets no URL fetched at all. The many-URL leaf is
//! issued at test time by `openssl x509` under the revocation test PKI's
//! intermediate (testdata/revocation), so that it passes chain validation.

mod common;
mod revocation_support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::default_provider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::revocation::{
    DEFAULT_MAX_URLS_PER_CERTIFICATE, FetchError, RevocationChecker, RevocationMethod,
    RevocationPurpose, RevocationStatus, ServerError,
};
use notation_core::signer::LocalSigner;
use notation_core::trust::{
    BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType, ValidationType,
};
use notation_core::verifier::{BlobVerifyOptions, CheckFailure, Verifier};
use revocation_support::*;

const INT_CRL: &str = "http://crl.intermediate.test/intermediate.crl";

/// A code-signing leaf under the test intermediate naming `ocsp` OCSP
/// responders and `crl` CRL URLs (one distribution point with them all);
/// returns its key (PEM) and its chain (PEM: leaf, intermediate, root).
fn leaf_with_urls(dir: &Path, ocsp: usize, crl: usize) -> (Vec<u8>, Vec<u8>) {
    let mut ext = String::from(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n",
    );
    if ocsp > 0 {
        let uris: Vec<String> = (0..ocsp)
            .map(|i| format!("OCSP;URI:http://ocsp{i}.internal.test"))
            .collect();
        ext.push_str(&format!("authorityInfoAccess={}\n", uris.join(",")));
    }
    if crl > 0 {
        let uris: Vec<String> = (0..crl)
            .map(|i| format!("URI:http://crl{i}.internal.test/ca.crl"))
            .collect();
        ext.push_str(&format!("crlDistributionPoints={}\n", uris.join(",")));
    }
    std::fs::write(dir.join("leaf.ext"), ext).unwrap();
    common::openssl(
        dir,
        &[
            "genpkey",
            "-quiet",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "leaf.key",
        ],
    );
    common::openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/C=US/ST=WA/L=Seattle/O=Notary/OU=Revocation Tests/CN=Many URLs",
            "-out",
            "leaf.csr",
        ],
    );
    let ca = pki_path("intermediate.crt");
    let ca_key = pki_path("intermediate.key");
    common::openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            ca.to_str().unwrap(),
            "-CAkey",
            ca_key.to_str().unwrap(),
            "-set_serial",
            "0x5001",
            "-sha256",
            "-days",
            "3650",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.crt",
        ],
    );
    let mut chain = std::fs::read(dir.join("leaf.crt")).unwrap();
    chain.extend(std::fs::read(pki_path("intermediate.crt")).unwrap());
    chain.extend(std::fs::read(pki_path("root.crt")).unwrap());
    (std::fs::read(dir.join("leaf.key")).unwrap(), chain)
}

fn leaf_requests(fetcher: &TestFetcher) -> Vec<String> {
    fetcher
        .requests()
        .into_iter()
        .filter(|r| r.contains(".internal.test"))
        .collect()
}

#[test]
fn a_certificate_naming_thousands_of_urls_gets_a_few_tried() {
    let dir = tempfile::tempdir().unwrap();
    let (_, chain_pem) = leaf_with_urls(dir.path(), 1000, 1000);
    let chain = certs(&chain_pem);
    let fetcher = TestFetcher::new();
    let results = validator(&fetcher)
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    let leaf = &results[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown);
    assert_eq!(leaf.method, Some(RevocationMethod::OcspFallbackCrl));
    let tried = leaf_requests(&fetcher);
    assert_eq!(
        tried.len(),
        2 * DEFAULT_MAX_URLS_PER_CERTIFICATE,
        "{tried:?}"
    );
    for method in [RevocationMethod::Ocsp, RevocationMethod::Crl] {
        assert!(
            leaf.server_results.iter().any(|r| r.error
                == Some(ServerError::TooManyUrls {
                    method,
                    count: 1000,
                    limit: DEFAULT_MAX_URLS_PER_CERTIFICATE,
                })),
            "{method}: {:?}",
            leaf.server_results
        );
    }
    assert_eq!(
        ServerError::TooManyUrls {
            method: RevocationMethod::Ocsp,
            count: 1000,
            limit: 4
        }
        .to_string(),
        "the certificate names 1000 OCSP URLs; only the first 4 were tried"
    );
}

#[test]
fn a_base_crl_naming_thousands_of_delta_crls_gets_a_few_tried() {
    let deltas: Vec<String> = (0..500)
        .map(|i| format!("URI:http://delta{i}.internal.test/delta.crl"))
        .collect();
    let base = CrlAuthority::pki("intermediate").gencrl(&CrlSpec {
        extensions: vec![format!("freshestCRL={}", deltas.join(","))],
        ..CrlSpec::default()
    });
    let fetcher = TestFetcher::new();
    fetcher.crl(INT_CRL, base);
    let chain = chain("leaf-crl");
    let results = validator(&fetcher)
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    let tried = leaf_requests(&fetcher);
    assert_eq!(tried.len(), DEFAULT_MAX_URLS_PER_CERTIFICATE, "{tried:?}");
}

#[test]
fn a_chain_check_ends_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let (_, chain_pem) = leaf_with_urls(dir.path(), 50, 50);
    let chain = certs(&chain_pem);
    let fetcher = TestFetcher::new();
    // Every responder and CRL server takes the request's whole timeout.
    for i in 0..50 {
        fetcher.ocsp(&format!("http://ocsp{i}.internal.test"), |request| {
            std::thread::sleep(request.timeout());
            Err(FetchError::Timeout)
        });
    }
    let start = Instant::now();
    let results = validator(&fetcher)
        .max_urls_per_certificate(100)
        .ocsp_timeout(Duration::from_millis(200))
        .chain_timeout(Duration::from_millis(700))
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    // 50 OCSP URLs at 200 ms each would take 10 s without the deadline.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let leaf = &results[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown);
    let text: Vec<String> = leaf
        .server_results
        .iter()
        .filter_map(|r| r.error.as_ref().map(ToString::to_string))
        .collect();
    assert!(
        text.iter().any(|t| t
            == "the revocation check of the certificate chain exceeded its time limit of 0.70 seconds"),
        "{text:?}"
    );
    assert!(
        leaf_requests(&fetcher).len() <= 6,
        "{:?}",
        leaf_requests(&fetcher)
    );
}

/// An `audit` policy only logs a failed authenticity: before, the chain's
/// URLs (of its maker's choosing, internal hosts included) were fetched
/// anyway.
#[test]
fn an_untrusted_chain_gets_no_url_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let (key, chain_pem) = leaf_with_urls(dir.path(), 1000, 1000);
    let crypto = default_provider();
    let signer = LocalSigner::from_pem(&key, &chain_pem).unwrap();
    let blob = b"audit me";
    let envelope = sign_blob(
        &signer,
        &mut &blob[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws),
        crypto.as_ref(),
    )
    .unwrap();
    let verify_as = |trusted_root: &[u8], identity: &str| {
        let fetcher = TestFetcher::new();
        let mut store = MemoryTrustStore::new();
        store
            .add(TrustStoreType::Ca, "audit", certs(trusted_root))
            .unwrap();
        let policy = format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"audit","globalPolicy":true,
            "signatureVerification":{{"level":"audit"}},
            "trustStores":["ca:audit"],"trustedIdentities":["{identity}"]}}]}}"#
        );
        let verifier = Verifier::builder(Arc::new(store))
            .blob_policy(BlobTrustPolicyDocument::from_json(policy.as_bytes()).unwrap())
            .revocation_checker(Arc::new(validator(&fetcher).build()))
            .build()
            .unwrap();
        let outcome = verifier
            .verify_blob(
                &envelope,
                EnvelopeFormat::Jws,
                &mut &blob[..],
                &BlobVerifyOptions::new(),
            )
            .expect("audit only logs");
        let revocation = outcome
            .result(ValidationType::Revocation)
            .and_then(|r| r.failure().cloned());
        let authenticity = outcome
            .result(ValidationType::Authenticity)
            .and_then(|r| r.failure().cloned());
        (leaf_requests(&fetcher), revocation, authenticity)
    };
    let verify = |trusted_root: &[u8]| {
        let (requests, revocation, _) = verify_as(trusted_root, "*");
        (requests, revocation)
    };
    // Trusting another root: authenticity fails (logged), nothing fetched.
    let other_root = std::fs::read(pki_path("other-root.crt")).unwrap();
    let (requests, revocation) = verify(&other_root);
    assert!(requests.is_empty(), "{requests:?}");
    assert!(
        matches!(revocation, Some(CheckFailure::RevocationNotChecked)),
        "{revocation:?}"
    );
    // Positive control: trusting the chain's root, its URLs are asked.
    let root = std::fs::read(pki_path("root.crt")).unwrap();
    let (requests, revocation) = verify(&root);
    assert_eq!(requests.len(), 2 * DEFAULT_MAX_URLS_PER_CERTIFICATE);
    assert!(
        matches!(revocation, Some(CheckFailure::RevocationUnknown { .. })),
        "{revocation:?}"
    );
    // A chain the trust store anchors, whose leaf no trusted identity
    // names: its URLs are its CA's, and they are asked, as notation-go
    // asks them; the identity is the authenticity failure recorded.
    let (requests, revocation, authenticity) =
        verify_as(&root, "x509.subject: C=US, ST=WA, O=Nobody");
    assert_eq!(requests.len(), 2 * DEFAULT_MAX_URLS_PER_CERTIFICATE);
    assert!(
        matches!(revocation, Some(CheckFailure::RevocationUnknown { .. })),
        "{revocation:?}"
    );
    assert!(
        matches!(authenticity, Some(CheckFailure::TrustedIdentity(_))),
        "{authenticity:?}"
    );
    // Neither anchored nor named: the trust store's failure is the one
    // recorded (as the reference CLI reports it, MANIFEST 01), and still
    // nothing is fetched.
    let (requests, revocation, authenticity) =
        verify_as(&other_root, "x509.subject: C=US, ST=WA, O=Nobody");
    assert!(requests.is_empty(), "{requests:?}");
    assert!(
        matches!(revocation, Some(CheckFailure::RevocationNotChecked)),
        "{revocation:?}"
    );
    assert!(
        matches!(authenticity, Some(CheckFailure::Untrusted)),
        "{authenticity:?}"
    );
}
