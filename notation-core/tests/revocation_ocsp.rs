//! OCSP (REQUIREMENTS P3, W9): the conformance PKI of 08-revocation/ocsp-e2e
//! and the PKI of testdata/revocation, with every response produced by a
//! real responder (`openssl ocsp`) at test time; the mock-logic vectors of
//! the MANIFEST; hostile responses.

mod revocation_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notation_core::crypto::default_provider;
use notation_core::revocation::ocsp::{self, OcspError};
use notation_core::revocation::{
    CertRevocationResult, DiagnosticLevel, FetchError, OCSP_MAX_RESPONSE_SIZE, OcspMethod,
    RevocationChecker, RevocationMethod, RevocationPurpose, RevocationStatus, ServerError,
    diagnostics, final_result,
};
use notation_core::x509::Certificate;
use revocation_support::*;
use time::OffsetDateTime;

const E2E: &str = "08-revocation/ocsp-e2e";
const E2E_URL: &str = "http://localhost:10087";
const INT_URL: &str = "http://ocsp.intermediate.test";
const ROOT_URL: &str = "http://ocsp.root.test";
const LEAF_SUBJECT: &str = "CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US";

fn e2e_path(name: &str) -> PathBuf {
    // Read through `conformance` so that a missing vector fails loudly.
    conformance(&format!("{E2E}/{name}"));
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/08-revocation/ocsp-e2e"
    ))
    .join(name)
}

fn e2e_chain() -> Vec<Certificate> {
    certs(&conformance(&format!("{E2E}/certchain_with_ocsp.pem")))
}

/// The ocsp-e2e responder (`ocsp.crt` for `root.crt`), as Notation's e2e
/// suite runs it.
fn e2e_responder() -> Arc<OcspResponder> {
    OcspResponder::new(
        &e2e_path("root.crt"),
        &e2e_path("ocsp.crt"),
        &e2e_path("ocsp.key"),
    )
}

fn check(
    fetcher: &Arc<TestFetcher>,
    chain: &[Certificate],
    signing_time: Option<OffsetDateTime>,
) -> Vec<CertRevocationResult> {
    validator(fetcher)
        .build()
        .check(chain, RevocationPurpose::CodeSigning, signing_time)
        .expect("chain is valid")
}

fn ocsp_error(result: &CertRevocationResult) -> &OcspError {
    match &result.server_results.last().expect("a server result").error {
        Some(ServerError::Ocsp(e)) => e,
        other => panic!("want an OCSP error, got {other:?}"),
    }
}

/// The leaf of testdata/revocation that has only OCSP, its chain, and a
/// responder for the intermediate with the delegated responder cert.
fn ocsp_only() -> (Vec<Certificate>, Arc<OcspResponder>, Arc<TestFetcher>) {
    let chain = chain("leaf-ocsp");
    let responder = OcspResponder::pki("intermediate", "responder");
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(INT_URL, responder.clone());
    (chain, responder, fetcher)
}

#[test]
fn the_request_is_byte_identical_to_openssl_without_nonce() {
    // SHA-1 CertID, NULL parameters, no nonce, no extensions: what
    // notation-core-go (x/crypto/ocsp) and `openssl ocsp -no_nonce` send.
    let chain = e2e_chain();
    let ours = ocsp::create_request(&chain[0], &chain[1]).unwrap();
    let theirs = openssl_request(&e2e_path("leaf.crt"), &e2e_path("root.crt"));
    assert_eq!(ours, theirs);

    // An EC issuer (the key hash covers the EC point).
    let ours = ocsp::create_request(&cert("leaf"), &cert("intermediate")).unwrap();
    let theirs = openssl_request(&pki_path("leaf.crt"), &pki_path("intermediate.crt"));
    assert_eq!(ours, theirs);
}

#[test]
fn e2e_good() {
    let chain = e2e_chain();
    let responder = e2e_responder();
    responder.set_index(vec![IndexEntry::valid(&chain[0])]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(E2E_URL, responder);

    let results = check(&fetcher, &chain, None);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert_eq!(results[0].method, Some(RevocationMethod::Ocsp));
    assert_eq!(results[0].server_results.len(), 1);
    assert_eq!(results[0].server_results[0].url, E2E_URL);
    assert_eq!(results[0].server_results[0].error, None);
    // The root is never checked.
    assert_eq!(results[1], CertRevocationResult::non_revocable());
    assert_eq!(final_result(&results, &chain).0, RevocationStatus::Ok);
    assert!(diagnostics(&results, &chain).is_empty());

    // A small request goes by GET, base64 and URL-escaped in the path.
    let requests = fetcher.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].starts_with("OCSP GET http://localhost:10087/MF"),
        "{requests:?}"
    );
}

#[test]
fn e2e_revoked() {
    let chain = e2e_chain();
    let responder = e2e_responder();
    responder.set_index(vec![IndexEntry::revoked(
        &chain[0],
        now() - time::Duration::days(1),
        None,
    )]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(E2E_URL, responder);

    let results = check(&fetcher, &chain, None);
    assert_eq!(results[0].status, RevocationStatus::Revoked);
    let (status, cert) = final_result(&results, &chain);
    assert_eq!(status, RevocationStatus::Revoked);
    assert_eq!(cert.unwrap().subject().to_string(), LEAF_SUBJECT);
    // The log line of the MANIFEST, byte for byte.
    let logs = diagnostics(&results, &chain);
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].level, DiagnosticLevel::Error);
    assert_eq!(
        logs[0].message,
        format!(
            "Certificate #1 in chain with subject \"{LEAF_SUBJECT}\" encountered an error for revocation method OCSP at URL \"http://localhost:10087\": certificate is revoked via OCSP"
        )
    );
}

#[test]
fn e2e_unknown() {
    let chain = e2e_chain();
    let responder = e2e_responder(); // empty index: the responder does not know the leaf
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(E2E_URL, responder);

    let results = check(&fetcher, &chain, None);
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(ocsp_error(&results[0]), &OcspError::UnknownStatus);
    assert_eq!(
        ocsp_error(&results[0]).to_string(),
        "certificate has unknown status via OCSP"
    );
    let (status, cert) = final_result(&results, &chain);
    assert_eq!(status, RevocationStatus::Unknown);
    assert_eq!(cert.unwrap().subject().to_string(), LEAF_SUBJECT);
}

#[test]
fn revoked_with_invalidity_date_after_the_authentic_signing_time_is_ok() {
    // MANIFEST: revoked with invalidityDate 1 h ago and a signingAuthority
    // signing time 4 h ago → OK; the same with notary.x509 (no authentic
    // signing time) → revoked.
    let (chain, responder, fetcher) = ocsp_only();
    let t = now();
    responder.set_index(vec![IndexEntry::revoked_invalid_since(
        &chain[0],
        t - time::Duration::minutes(30),
        t - time::Duration::hours(1),
    )]);
    let sa = check(&fetcher, &chain, Some(t - time::Duration::hours(4)));
    assert_eq!(sa[0].status, RevocationStatus::Ok);
    assert_eq!(sa[0].server_results[0].error, None);

    let x509 = check(&fetcher, &chain, None);
    assert_eq!(x509[0].status, RevocationStatus::Revoked);

    // Signed after the key became invalid: revoked.
    let late = check(&fetcher, &chain, Some(t - time::Duration::minutes(10)));
    assert_eq!(late[0].status, RevocationStatus::Revoked);
}

#[test]
fn unknown_without_crl_stays_unknown_and_is_not_retried() {
    let (chain, _responder, fetcher) = ocsp_only();
    let results = check(&fetcher, &chain, None);
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(results[0].method, Some(RevocationMethod::Ocsp));
    // The intermediate is checked with OCSP at the root's responder, which
    // is not reachable here, then falls back to its CRL, not served.
    assert_eq!(results[1].status, RevocationStatus::Unknown);
    assert_eq!(results[1].method, Some(RevocationMethod::OcspFallbackCrl));
}

#[test]
fn timeout_is_unknown_with_the_reference_text() {
    let chain = chain("leaf-ocsp");
    let fetcher = TestFetcher::new();
    let seen = Arc::new(std::sync::Mutex::new(None));
    let s = seen.clone();
    fetcher.ocsp(INT_URL, move |r| {
        *s.lock().unwrap() = Some(r.timeout());
        Err(FetchError::Timeout)
    });
    let results = validator(&fetcher)
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(
        ocsp_error(&results[0]).to_string(),
        "exceeded timeout threshold of 2.00 seconds for OCSP check"
    );
    assert_eq!(*seen.lock().unwrap(), Some(Duration::from_secs(2)));

    let results = validator(&fetcher)
        .ocsp_timeout(Duration::from_millis(1500))
        .build()
        .check(&chain, RevocationPurpose::CodeSigning, None)
        .unwrap();
    assert_eq!(
        ocsp_error(&results[0]).to_string(),
        "exceeded timeout threshold of 1.50 seconds for OCSP check"
    );
    assert_eq!(*seen.lock().unwrap(), Some(Duration::from_millis(1500)));
}

#[test]
fn urls_are_tried_in_order_until_a_definitive_answer() {
    let chain = chain("leaf-two-ocsp");
    let responder = OcspResponder::pki("intermediate", "responder");
    responder.set_index(vec![IndexEntry::valid(&chain[0])]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(INT_URL, responder.clone());
    let results = check(&fetcher, &chain, None);
    // The first responder is down; the second answers, and only its result
    // is kept (as the reference).
    assert_eq!(results[0].status, RevocationStatus::Ok);
    assert_eq!(results[0].server_results.len(), 1);
    assert_eq!(results[0].server_results[0].url, INT_URL);
    let asked: Vec<_> = fetcher
        .requests()
        .into_iter()
        .filter(|r| r.contains("intermediate.test"))
        .collect();
    assert_eq!(asked.len(), 2);
    assert!(asked[0].starts_with("OCSP GET http://down.intermediate.test/"));

    // Both down: every failure is kept, unknown.
    let fetcher = TestFetcher::new();
    let results = check(&fetcher, &chain, None);
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    assert_eq!(results[0].server_results.len(), 2);
    assert_eq!(
        ocsp_error(&results[0]).to_string(),
        "error checking revocation status via OCSP: dial tcp: lookup http://ocsp.intermediate.test: no such host"
    );
}

#[test]
fn only_http_responders_are_asked() {
    let chain = chain("leaf-https");
    let fetcher = TestFetcher::new();
    let results = check(&fetcher, &chain, None);
    assert_eq!(results[0].status, RevocationStatus::Unknown);
    let ocsp = &results[0].server_results[0];
    assert_eq!(ocsp.method, RevocationMethod::Ocsp);
    assert_eq!(
        ocsp.error.as_ref().unwrap().to_string(),
        "error checking revocation status via OCSP: OCSPServer protocol https is not supported"
    );
    assert!(
        fetcher
            .requests()
            .iter()
            .all(|r| !r.contains("intermediate.test")),
        "{:?}",
        fetcher.requests()
    );
}

fn single_check(
    fetcher: &Arc<TestFetcher>,
    chain: &[Certificate],
    clock: OffsetDateTime,
    signing_time: Option<OffsetDateTime>,
) -> CertRevocationResult {
    validator(fetcher)
        .clock(move || clock)
        .build()
        .check(chain, RevocationPurpose::CodeSigning, signing_time)
        .unwrap()
        .remove(0)
}

#[test]
fn freshness_is_checked() {
    let (chain, responder, fetcher) = ocsp_only();
    responder.set_index(vec![IndexEntry::valid(&chain[0])]);
    responder.set_validity(&["-nmin", "1"]);
    let t = now();

    // nextUpdate has passed.
    let r = single_check(&fetcher, &chain, t + time::Duration::minutes(10), None);
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert!(matches!(ocsp_error(&r), OcspError::Expired { .. }));
    assert_eq!(
        ocsp_error(&r).to_string(),
        "error checking revocation status via OCSP: expired OCSP response"
    );

    // Within nextUpdate.
    let r = single_check(&fetcher, &chain, t, None);
    assert_eq!(r.status, RevocationStatus::Ok);

    // thisUpdate an hour in the future of the verifier's clock (signed by
    // the issuer: a delegated responder certificate made by make-pki.sh may
    // itself be younger than an hour).
    let by_issuer = OcspResponder::pki("intermediate", "intermediate");
    by_issuer.set_index(vec![IndexEntry::valid(&chain[0])]);
    by_issuer.set_extra(&["-resp_no_certs"]);
    let issuer_fetcher = TestFetcher::new();
    issuer_fetcher.ocsp_responder(INT_URL, by_issuer);
    let r = single_check(&issuer_fetcher, &chain, t - time::Duration::hours(1), None);
    assert!(
        matches!(ocsp_error(&r), OcspError::NotYetValid { .. }),
        "{r:?}"
    );

    // No nextUpdate at all: rejected as expired, like the reference.
    responder.set_validity(&[]);
    let r = single_check(&fetcher, &chain, t, None);
    assert_eq!(ocsp_error(&r), &OcspError::MissingNextUpdate);
}

/// The issuer may sign its own responses. As in the reference
/// (`x/crypto/ocsp`), an embedded certificate is taken for the signer and
/// must be one the issuer signed: a response that carries the issuer's own
/// certificate (what `openssl ocsp -rsigner <issuer>` sends by default)
/// fails with "bad OCSP signature" unless the issuer is self-signed (the
/// root answers for the intermediate that way in other tests here).
#[test]
fn the_issuer_may_sign_its_own_responses_without_its_certificate() {
    let chain = chain("leaf-ocsp");
    let responder = OcspResponder::pki("intermediate", "intermediate");
    responder.set_index(vec![IndexEntry::valid(&chain[0])]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(INT_URL, responder.clone());
    let r = &check(&fetcher, &chain, None)[0];
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert!(
        ocsp_error(r)
            .to_string()
            .starts_with("bad OCSP signature: "),
        "{r:?}"
    );

    // No certificate sent, the responder named by name or by key hash.
    responder.set_extra(&["-resp_no_certs"]);
    assert_eq!(
        check(&fetcher, &chain, None)[0].status,
        RevocationStatus::Ok
    );
    responder.set_extra(&["-resp_key_id", "-resp_no_certs"]);
    assert_eq!(
        check(&fetcher, &chain, None)[0].status,
        RevocationStatus::Ok
    );
}

/// An RSASSA-PSS signature on a response is not verified: `x/crypto/ocsp`
/// knows no such algorithm, and the status is unknown there too. (The root
/// sends its certificate, which makes it the signer there.)
#[test]
fn a_pss_signed_response_is_not_verified() {
    // The root (RSA) answers for the intermediate.
    let chain = chain("leaf-none");
    let responder = OcspResponder::pki("root", "root");
    responder.set_index(vec![IndexEntry::valid(&chain[1])]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(ROOT_URL, responder.clone());
    // The same response signed with PKCS #1 v1.5 verifies.
    assert_eq!(
        check(&fetcher, &chain, None)[1].status,
        RevocationStatus::Ok
    );
    responder.set_extra(&[
        "-rsigopt",
        "rsa_padding_mode:pss",
        "-rsigopt",
        "rsa_pss_saltlen:digest",
    ]);
    // (The intermediate's CRL is then tried, and cannot be fetched here.)
    let r = &check(&fetcher, &chain, None)[1];
    assert_eq!(r.status, RevocationStatus::Unknown);
    let Some(ServerError::Ocsp(e)) = &r.server_results[0].error else {
        panic!("{r:?}")
    };
    assert_eq!(
        e.to_string(),
        "bad signature on embedded certificate: x509: cannot verify signature: algorithm unimplemented: RSASSA-PSS"
    );
}

#[test]
fn delegated_responders_must_be_authorized() {
    let chain = chain("leaf-ocsp");
    let t = now();
    let run = |signer: &str, extra: &[&str]| {
        let responder = OcspResponder::pki("intermediate", signer);
        responder.set_index(vec![IndexEntry::valid(&chain[0])]);
        responder.set_extra(extra);
        let fetcher = TestFetcher::new();
        fetcher.ocsp_responder(INT_URL, responder);
        single_check(&fetcher, &chain, t, None)
    };

    assert_eq!(run("responder", &[]).status, RevocationStatus::Ok);

    // Issued by the issuer but without id-kp-OCSPSigning.
    let r = run("responder-no-eku", &[]);
    assert_eq!(r.status, RevocationStatus::Unknown);
    assert_eq!(
        ocsp_error(&r).to_string(),
        "OCSP responder certificate with subject \"CN=Revocation Test Responder Without EKU,OU=Revocation Tests,O=Notary,L=Seattle,ST=WA,C=US\" is not authorized: it does not have the OCSPSigning extended key usage"
    );

    // Expired responder certificate.
    let r = run("responder-expired", &[]);
    match ocsp_error(&r) {
        OcspError::UnauthorizedResponder { reason, .. } => {
            assert!(reason.starts_with("it is not valid at"), "{reason}")
        }
        other => panic!("{other:?}"),
    }

    // A responder of another CA: the issuer did not sign its certificate.
    let r = run("other-responder", &[]);
    assert!(
        matches!(ocsp_error(&r), OcspError::BadSignature(_)),
        "{r:?}"
    );

    // The delegated responder's certificate is not in the response: nobody
    // known signed it.
    let r = run("responder", &["-resp_no_certs"]);
    assert!(
        matches!(ocsp_error(&r), OcspError::BadSignature(_)),
        "{r:?}"
    );
    assert!(
        ocsp_error(&r)
            .to_string()
            .starts_with("bad OCSP signature: "),
        "{}",
        ocsp_error(&r)
    );
}

#[test]
fn the_cert_id_must_match_the_certificate_and_its_issuer() {
    let chain = chain("leaf-ocsp");
    let t = now();

    // A response about another certificate (the serial differs).
    let responder = OcspResponder::pki("intermediate", "responder");
    let other = cert("leaf-crl");
    responder.set_index(vec![IndexEntry::valid(&other)]);
    let other_response = responder.respond(&ocsp::create_request(&other, &chain[1]).unwrap());
    let fetcher = TestFetcher::new();
    fetcher.ocsp_body(INT_URL, other_response);
    let r = single_check(&fetcher, &chain, t, None);
    assert_eq!(ocsp_error(&r), &OcspError::NoMatchingResponse);

    // Same serial, other issuer: another CA's responder answering "good"
    // for its own certificate with that serial (x/crypto/ocsp would accept
    // it as it compares serials only).
    let foreign = OcspResponder::pki("other-root", "other-responder");
    foreign.set_index(vec![IndexEntry::valid(&chain[0])]);
    let foreign_request = ocsp::create_request(&chain[0], &cert("other-root")).unwrap();
    let fetcher = TestFetcher::new();
    fetcher.ocsp_body(INT_URL, foreign.respond(&foreign_request));
    let r = single_check(&fetcher, &chain, t, None);
    assert_eq!(ocsp_error(&r), &OcspError::IssuerMismatch { which: "name" });
}

#[test]
fn nonces_are_not_sent_and_are_ignored_in_responses() {
    let chain = chain("leaf-ocsp");
    let request = ocsp::create_request(&chain[0], &chain[1]).unwrap();
    // No requestExtensions at all.
    assert!(!request.windows(11).any(|w| w
        == [
            0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02
        ]));

    // A response to a request with a nonce carries the nonce; it is
    // accepted (the reference ignores response extensions).
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req.der");
    let out = std::process::Command::new("openssl")
        .args(["ocsp", "-issuer"])
        .arg(pki_path("intermediate.crt"))
        .arg("-cert")
        .arg(pki_path("leaf-ocsp.crt"))
        .arg("-reqout")
        .arg(&req)
        .output()
        .unwrap();
    assert!(out.status.success());
    let responder = OcspResponder::pki("intermediate", "responder");
    responder.set_index(vec![IndexEntry::valid(&chain[0])]);
    let response = responder.respond(&std::fs::read(&req).unwrap());
    let status = ocsp::check_response(
        &response,
        &chain[0],
        &chain[1],
        now(),
        None,
        default_provider().as_ref(),
    );
    assert_eq!(status, Ok(RevocationStatus::Ok));
}

/// A valid "good" response for leaf-ocsp, and its chain.
fn good_response() -> (Vec<u8>, Vec<Certificate>) {
    let chain = chain("leaf-ocsp");
    let responder = OcspResponder::pki("intermediate", "responder");
    responder.set_index(vec![IndexEntry::valid(&chain[0])]);
    let response = responder.respond(&ocsp::create_request(&chain[0], &chain[1]).unwrap());
    (response, chain)
}

fn check_bytes(response: &[u8], chain: &[Certificate]) -> Result<RevocationStatus, OcspError> {
    ocsp::check_response(
        response,
        &chain[0],
        &chain[1],
        now(),
        None,
        default_provider().as_ref(),
    )
}

#[test]
fn hostile_responses_are_typed_errors() {
    let (good, chain) = good_response();
    assert_eq!(check_bytes(&good, &chain), Ok(RevocationStatus::Ok));

    // Every truncation.
    for n in 0..good.len() {
        let r = check_bytes(&good[..n], &chain);
        assert!(r.is_err(), "prefix of {n} bytes accepted");
    }
    // Trailing data, with x/crypto/ocsp's text.
    let mut long = good.clone();
    long.push(0);
    let e = check_bytes(&long, &chain).unwrap_err();
    assert_eq!(e, OcspError::TrailingData);
    assert_eq!(e.to_string(), "trailing data in OCSP response");
    // A response that does not parse is that, trailing bytes or not.
    assert!(matches!(
        check_bytes(&[0x30, 0x00, 0x00], &chain),
        Err(OcspError::Malformed(_))
    ));
    // Garbage.
    for garbage in [&b""[..], b"garbage", &[0x30, 0x80, 0, 0], &[0xff; 64]] {
        assert!(check_bytes(garbage, &chain).is_err());
    }
    // The responder's error statuses (x/crypto/ocsp's pre-encoded bodies).
    for (status, text) in [
        (1, "OCSP malformed"),
        (2, "OCSP internal error"),
        (3, "OCSP try later"),
        (5, "OCSP signature required"),
        (6, "OCSP unauthorized"),
    ] {
        let e = check_bytes(&[0x30, 0x03, 0x0a, 0x01, status], &chain).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("error checking revocation status via OCSP: {text}")
        );
    }
    // A successful status without a body.
    assert!(check_bytes(&[0x30, 0x03, 0x0a, 0x01, 0x00], &chain).is_err());
}

#[test]
fn any_flipped_byte_in_the_signed_data_or_signature_fails() {
    let (good, chain) = good_response();
    // OCSPResponse → [0] → ResponseBytes → OCTET STRING → BasicOCSPResponse
    let (_, outer, _) = read_tlv(&good);
    let parts = children(outer);
    let (_, wrapped, _) = read_tlv(parts[1]);
    let (_, rb, _) = read_tlv(wrapped);
    let rb_parts = children(rb);
    let (_, basic_der, _) = read_tlv(rb_parts[1]);
    let (_, basic, _) = read_tlv(basic_der);
    let basic_parts = children(basic);
    let offset = |part: &[u8]| part.as_ptr() as usize - good.as_ptr() as usize;
    let tbs = offset(basic_parts[0])..offset(basic_parts[0]) + basic_parts[0].len();
    let sig = offset(basic_parts[2])..offset(basic_parts[2]) + basic_parts[2].len();
    for i in tbs.chain(sig) {
        for bit in [0x01, 0x80] {
            let mut bad = good.clone();
            bad[i] ^= bit;
            let r = check_bytes(&bad, &chain);
            assert_ne!(r, Ok(RevocationStatus::Ok), "flip at {i} accepted");
        }
    }
}

#[test]
fn oversized_and_http_failures() {
    let chain = chain("leaf-ocsp");
    let t = now();

    // The fetcher returns more than the limit: refused before parsing.
    let fetcher = TestFetcher::new();
    fetcher.ocsp_body(INT_URL, vec![0x30; OCSP_MAX_RESPONSE_SIZE + 1]);
    let r = single_check(&fetcher, &chain, t, None);
    assert_eq!(
        ocsp_error(&r),
        &OcspError::TooLarge {
            limit: OCSP_MAX_RESPONSE_SIZE
        }
    );
    // The fetcher reports it.
    let fetcher = TestFetcher::new();
    fetcher.ocsp(INT_URL, |r| {
        assert_eq!(r.max_response_size(), 20 * 1024);
        Err(FetchError::TooLarge { limit: 20 * 1024 })
    });
    let r = single_check(&fetcher, &chain, t, None);
    assert!(matches!(ocsp_error(&r), OcspError::TooLarge { .. }));
    // HTTP 500.
    let fetcher = TestFetcher::new();
    fetcher.ocsp(INT_URL, |_| Err(FetchError::HttpStatus { status: 500 }));
    let r = single_check(&fetcher, &chain, t, None);
    assert_eq!(
        ocsp_error(&r).to_string(),
        "failed to retrieve OCSP: response had status code 500"
    );
}

#[test]
fn requests_carry_what_a_fetcher_needs() {
    let chain = chain("leaf-ocsp");
    let fetcher = TestFetcher::new();
    let expected = ocsp::create_request(&chain[0], &chain[1]).unwrap();
    fetcher.ocsp(INT_URL, move |r| {
        assert_eq!(r.server(), INT_URL);
        assert_eq!(r.method(), OcspMethod::Get);
        assert_eq!(r.request_der(), &expected[..]);
        assert_eq!(r.body(), None);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&expected);
        let escaped = b64
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        assert_eq!(r.url(), format!("{INT_URL}/{escaped}"));
        Err(FetchError::transport("connection refused"))
    });
    let r = single_check(&fetcher, &chain, now(), None);
    assert_eq!(
        ocsp_error(&r).to_string(),
        "error checking revocation status via OCSP: connection refused"
    );
}

#[test]
fn the_root_responder_checks_the_intermediate() {
    // The intermediate's OCSP responder is the root itself.
    let chain = chain("leaf-none");
    let responder = OcspResponder::pki("root", "root");
    responder.set_index(vec![IndexEntry::valid(&chain[1])]);
    let fetcher = TestFetcher::new();
    fetcher.ocsp_responder(ROOT_URL, responder);
    let results = check(&fetcher, &chain, None);
    assert_eq!(results[0].status, RevocationStatus::NonRevocable);
    assert_eq!(results[1].status, RevocationStatus::Ok);
    assert_eq!(results[1].method, Some(RevocationMethod::Ocsp));
    assert_eq!(results[2].status, RevocationStatus::NonRevocable);
}
