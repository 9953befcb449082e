//! Tokens of our own openssl TSAs (testdata/tsa).

use notation_core::crypto::DefaultProvider;
use notation_core::oid;
use notation_core::timestamp::{TimestampError, TimestampRequest, TimestampResponse};
use notation_core::x509::Certificate;
use notation_core::x509::chain::validate_timestamping_chain;
use time::macros::datetime;

/// A file of our own TSA fixtures (testdata/tsa, made by make-tsa.sh).
fn fixture(name: &str) -> Vec<u8> {
    let p = format!("{}/../testdata/tsa/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {p}: {e}"))
}

#[test]
fn openssl_ec_tsa_with_intermediate_and_nonce() {
    let message = fixture("message.txt");
    let root = Certificate::parse_many(&fixture("ec-root.crt")).unwrap();
    let intermediate = Certificate::parse_many(&fixture("ec-intermediate.crt")).unwrap();
    let tsa = Certificate::parse_many(&fixture("ec-tsa.crt")).unwrap();
    let response = TimestampResponse::parse(&fixture("ec.tsr")).unwrap();
    let token = response.token();
    assert_eq!(token.certificates().len(), 3);

    let info = token.tst_info().unwrap();
    assert_eq!(info.policy().to_string(), "1.2.3.4.1");
    assert_eq!(
        info.message_imprint().hash_algorithm(),
        Some(notation_core::algorithm::HashAlgorithm::Sha384)
    );
    assert!(info.ordering());
    let accuracy = info.accuracy().unwrap();
    assert_eq!(
        (accuracy.seconds(), accuracy.millis(), accuracy.micros()),
        (1, 500, 100)
    );
    assert_eq!(
        info.tsa_directory_name().unwrap().to_string(),
        "CN=Notation Test TSA EC,O=Notary,L=Seattle,ST=WA,C=US"
    );
    assert_ne!(
        info.gen_time().millisecond(),
        0,
        "openssl wrote genTime with milliseconds"
    );
    let range = info.validate(&message).unwrap();
    assert_eq!(range.accuracy(), time::Duration::new(1, 500_100_000));
    assert_eq!(
        range.latest() - range.earliest(),
        time::Duration::new(3, 200_000)
    );

    // ECDSA (DER) signer, three-level chain built from unordered parts.
    let verified = token
        .verify_countersignature(&message, &root, &DefaultProvider)
        .unwrap();
    assert_eq!(
        verified.chain(),
        [tsa[0].clone(), intermediate[0].clone(), root[0].clone()].as_slice()
    );
    // An intermediate as the trust anchor verifies the token (as Go's pool
    // would) but the chain then breaks the Notation rules (H5).
    let chain = token
        .verify(&intermediate, info.gen_time(), &DefaultProvider)
        .unwrap();
    assert_eq!(chain.len(), 2);
    assert!(matches!(
        token.verify_countersignature(&message, &intermediate, &DefaultProvider),
        Err(TimestampError::Chain(_))
    ));
    // The other TSA's root does not verify it.
    let rsa_root = Certificate::parse_many(&fixture("rsa-root.crt")).unwrap();
    assert_eq!(
        token
            .verify(&rsa_root, info.gen_time(), &DefaultProvider)
            .unwrap_err()
            .to_string(),
        "failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority"
    );

    // Our request encoding is byte-identical to openssl's for the same
    // imprint and nonce, and the response validates against it.
    let nonce = notation_core::timestamp::Nonce::from_be_bytes(info.nonce().unwrap());
    let request = TimestampRequest::from_imprint(
        &oid::SHA384,
        &notation_core::algorithm::HashAlgorithm::Sha384.digest(&message),
    )
    .unwrap()
    .with_nonce(Some(nonce.clone()));
    assert_eq!(request.to_der(), fixture("ec.tsq"));
    let verified = response
        .verify_for(&request, &root, info.gen_time(), &DefaultProvider)
        .unwrap();
    assert_eq!(verified.range(), &range);
    // Another nonce is refused.
    let mut other = nonce.as_be_bytes().to_vec();
    *other.last_mut().unwrap() ^= 1;
    let err = response
        .validate_for(
            &request
                .clone()
                .with_nonce(Some(notation_core::timestamp::Nonce::from_be_bytes(&other))),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid timestamping response: nonce in response "),
        "{err}"
    );
}

#[test]
fn openssl_rsa_tsa_under_baseline_policy() {
    let message = fixture("message.txt");
    let root = Certificate::parse_many(&fixture("rsa-root.crt")).unwrap();
    let response = TimestampResponse::parse(&fixture("rsa.tsr")).unwrap();
    let token = response.token();
    let info = token.tst_info().unwrap();
    assert_eq!(
        info.policy(),
        &notation_core::timestamp::oids::BASELINE_TIMESTAMP_POLICY
    );
    assert!(info.accuracy().is_none());
    assert!(info.nonce().is_none());
    assert!(info.tsa_der().is_none());
    // O4: no accuracy under the baseline policy means 1 s.
    let range = info.validate(&message).unwrap();
    assert_eq!(range.accuracy(), time::Duration::SECOND);
    let verified = token
        .verify_countersignature(&message, &root, &DefaultProvider)
        .unwrap();
    assert_eq!(verified.chain().len(), 2);
    validate_timestamping_chain(verified.chain(), &DefaultProvider).unwrap();

    let request = TimestampRequest::from_imprint(
        &oid::SHA512,
        &notation_core::algorithm::HashAlgorithm::Sha512.digest(&message),
    )
    .unwrap()
    .with_nonce(None);
    assert_eq!(request.to_der(), fixture("rsa.tsq"));
    response
        .verify_for(&request, &root, info.gen_time(), &DefaultProvider)
        .unwrap();
    // The chain must be valid at the verification time.
    let err = token
        .verify(&root, datetime!(2000-01-01 0:00 UTC), &DefaultProvider)
        .unwrap_err();
    assert!(err.to_string().contains("x509: certificate has expired or is not yet valid: current time 2000-01-01T00:00:00Z is before"), "{err}");
}
