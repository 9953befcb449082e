//! Signing with RFC 3161 timestamps against a real TSA (`openssl ts -reply`
//! behind a loopback HTTP server, REQUIREMENTS O1-O5), and TSAs that
//! misbehave (garbage, truncation, a reply to another request, oversized,
//! slow): every failure fails signing with a clear error, never a panic.

mod support;

use std::sync::Arc;
use std::time::Duration;

use notation_core::algorithm::HashAlgorithm;
use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::LocalSigner;
use notation_core::timestamp::{SignedToken, Timestamper};
use notation_core::trust::{BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;
use notation_oci::tsa::HttpTimestamper;
use support::http::{Response, TestServer};
use support::servers;

fn signer() -> LocalSigner {
    let dir = servers::testdata().join("pki");
    LocalSigner::from_files(&dir.join("ec-256.key"), &dir.join("ec-256.chain.pem")).unwrap()
}

fn root(path: &std::path::Path) -> Vec<Certificate> {
    Certificate::parse_many(&std::fs::read(path).unwrap()).unwrap()
}

fn verifier(tsa_root: Vec<Certificate>, verify_timestamp: &str) -> Verifier {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "root",
            root(&servers::testdata().join("pki/root.crt")),
        )
        .unwrap();
    store.add(TrustStoreType::Tsa, "tsa", tsa_root).unwrap();
    let policy = format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","globalPolicy":true,
        "signatureVerification":{{"level":"strict","verifyTimestamp":"{verify_timestamp}"}},
        "trustStores":["ca:root","tsa:tsa"],"trustedIdentities":["*"]}}]}}"#
    );
    Verifier::builder(Arc::new(store))
        .blob_policy(BlobTrustPolicyDocument::from_json(policy.as_bytes()).unwrap())
        .build()
        .unwrap()
}

#[test]
fn sign_with_a_real_tsa_then_verify() {
    let dir = tempfile::tempdir().unwrap();
    let config = servers::make_tsa(dir.path());
    let tsa = servers::tsa(&config);
    let tsa_root = root(&dir.path().join("root.crt"));
    let timestamper = HttpTimestamper::new(tsa.url(), tsa_root.clone()).unwrap();
    let blob = b"timestamped content";
    let verifier = verifier(tsa_root, "always");
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let options = BlobSignOptions::new(format).timestamper(Some(&timestamper));
        let envelope = sign_blob(&signer(), &mut &blob[..], &options, &DefaultProvider).unwrap();
        // The token countersigns the primitive signature (O1).
        let content = Envelope::parse(format, &envelope)
            .unwrap()
            .content_unverified()
            .unwrap();
        let token = SignedToken::parse(
            content
                .signer_info
                .unsigned
                .timestamp_signature
                .as_deref()
                .unwrap(),
        )
        .unwrap();
        token
            .tst_info()
            .unwrap()
            .validate(&content.signer_info.signature)
            .unwrap();
        let outcome = verifier
            .verify_blob(&envelope, format, &mut &blob[..], &BlobVerifyOptions::new())
            .unwrap();
        assert!(outcome.warnings().next().is_none());
        let ts = outcome
            .result(notation_core::trust::ValidationType::AuthenticTimestamp)
            .unwrap();
        assert!(ts.passed());
    }
    // A token that chains to another root fails verification (O3).
    let other = root(&servers::testdata().join("pki/other-root.crt"));
    let envelope = sign_blob(
        &signer(),
        &mut &blob[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws).timestamper(Some(&timestamper)),
        &DefaultProvider,
    )
    .unwrap();
    let err = verifier_with_other_root(other)
        .verify_blob(
            &envelope,
            EnvelopeFormat::Jws,
            &mut &blob[..],
            &BlobVerifyOptions::new(),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("failed to verify the timestamp countersignature"),
        "{err}"
    );
    // Signing with the wrong TSA root fails signing (O1).
    let wrong = HttpTimestamper::new(
        tsa.url(),
        root(&servers::testdata().join("pki/other-root.crt")),
    )
    .unwrap();
    assert!(
        sign_blob(
            &signer(),
            &mut &blob[..],
            &BlobSignOptions::new(EnvelopeFormat::Jws).timestamper(Some(&wrong)),
            &DefaultProvider
        )
        .is_err()
    );
}

fn verifier_with_other_root(other: Vec<Certificate>) -> Verifier {
    verifier(other, "always")
}

/// Hostile TSAs: each answer ends in an error, none in a token.
#[test]
fn hostile_tsas_fail_signing() {
    let dir = tempfile::tempdir().unwrap();
    let config = servers::make_tsa(dir.path());
    let real = servers::tsa(&config);
    let tsa_root = root(&dir.path().join("root.crt"));
    // A genuine reply, for another request: replayed, its nonce and imprint
    // do not match.
    let genuine = HttpTimestamper::new(real.url(), tsa_root.clone()).unwrap();
    assert!(
        genuine
            .timestamp(b"a signature", HashAlgorithm::Sha256)
            .is_ok()
    );
    let replay = {
        let req = notation_core::timestamp::TimestampRequest::new(
            b"another signature",
            HashAlgorithm::Sha256,
        )
        .unwrap();
        let agent = ureq::Agent::new_with_defaults();
        let mut resp = agent
            .post(&real.url())
            .header("Content-Type", "application/timestamp-query")
            .send(&req.to_der()[..])
            .unwrap();
        resp.body_mut().read_to_vec().unwrap()
    };
    let cases: Vec<(&str, Response)> = vec![
        (
            "garbage",
            Response::ok(
                "application/timestamp-reply",
                b"not a timestamp reply".to_vec(),
            ),
        ),
        (
            "truncated",
            Response::ok(
                "application/timestamp-reply",
                replay[..replay.len() / 2].to_vec(),
            ),
        ),
        (
            "replayed reply",
            Response::ok("application/timestamp-reply", replay.clone()),
        ),
        ("server error", Response::status(500)),
        (
            "oversized",
            Response::ok("application/timestamp-reply", vec![0x30; 2 * 1024 * 1024]),
        ),
        (
            "slow",
            Response::ok("application/timestamp-reply", replay.clone())
                .delay(Duration::from_secs(5)),
        ),
    ];
    for (name, response) in cases {
        let server = TestServer::start(move |_| response.clone());
        let tsa = HttpTimestamper::new(server.url(), tsa_root.clone())
            .unwrap()
            .timeout(Duration::from_secs(1))
            .unwrap();
        let err = tsa
            .timestamp(b"a signature", HashAlgorithm::Sha256)
            .unwrap_err();
        println!("{name}: {err}");
        let options = BlobSignOptions::new(EnvelopeFormat::Jws).timestamper(Some(&tsa));
        assert!(
            sign_blob(&signer(), &mut &b"x"[..], &options, &DefaultProvider).is_err(),
            "{name}"
        );
    }
}
