//! TSA responses, and the whole request-response exchange.

use notation_core::crypto::DefaultProvider;
use notation_core::oid;
use notation_core::timestamp::{TimestampError, TimestampRequest, TimestampResponse, obtain_token};
use time::macros::datetime;

use crate::vectors::{TOKENS, certs, globalsign_r3, read};

#[test]
fn tsa_responses() {
    let dir = format!("{TOKENS}/tspclient-go");
    let roots = globalsign_r3();
    let granted = read(&format!("{dir}/granted.tsq"));
    let response = TimestampResponse::parse(&granted).unwrap();
    assert!(response.status().status().is_granted());
    let at = datetime!(2022-01-01 0:00 UTC);
    let chain = response
        .token()
        .verify(&roots, at, &DefaultProvider)
        .unwrap();
    assert_eq!(chain.len(), 4);
    assert_eq!(
        chain[0].sha256_fingerprint_hex(),
        "13d6e9c420ff6d4e2754728c68e77882656467db9a190f816597f67fb6ccc6f9"
    );

    // The request it answers: SHA-256("notation"), no nonce, certReq.
    let digest = notation_core::algorithm::HashAlgorithm::Sha256.digest(b"notation");
    let request = TimestampRequest::from_imprint(&oid::SHA256, &digest).unwrap();
    response.validate_for(&request).unwrap();
    let verified = response
        .verify_for(&request, &roots, at, &DefaultProvider)
        .unwrap();
    assert_eq!(verified.chain(), chain.as_slice());
    assert_eq!(
        verified.range().to_string(),
        "[2021-09-18T11:54:33Z, 2021-09-18T11:54:35Z]"
    );
    assert!(
        granted
            .windows(response.token_der().len())
            .any(|w| w == response.token_der())
    );

    // Checks against other requests.
    let other = TimestampRequest::from_imprint(&oid::SHA256, &[0; 32]).unwrap();
    assert_eq!(
        response.validate_for(&other).unwrap_err().to_string(),
        "invalid timestamping response: message imprint in response does not match with request"
    );
    let with_nonce =
        request
            .clone()
            .with_nonce(Some(notation_core::timestamp::Nonce::from_be_bytes(&[
                1, 0,
            ])));
    assert_eq!(
        response.validate_for(&with_nonce).unwrap_err().to_string(),
        "invalid timestamping response: nonce in response <nil> does not match nonce in request 256"
    );
    let with_policy = request.clone().with_policy(Some(oid::SHA384));
    assert_eq!(
        response.validate_for(&with_policy).unwrap_err().to_string(),
        "invalid timestamping response: policy in response 1.3.6.1.4.1.4146.2.3 does not match policy in request 2.16.840.1.101.3.4.2.2"
    );
    assert_eq!(
        response
            .validate_for(&request.clone().with_cert_req(false))
            .unwrap_err()
            .to_string(),
        "invalid timestamping response: certReq is False in request, but certificates field is included in the response"
    );
    // Verification at signing time uses the caller's roots and clock.
    let digicert = certs(&format!("{TOKENS}/notation-core-go/tsaRootCert.cer"));
    assert!(matches!(
        response.verify_for(&request, &digicert, at, &DefaultProvider),
        Err(TimestampError::Verification(_))
    ));

    assert_eq!(
        TimestampResponse::parse(&read(&format!("{dir}/rejection.tsq")))
            .unwrap_err()
            .to_string(),
        "invalid timestamping response: invalid response with status code 2: rejected. Failure info: unrecognized or unsupported Algorithm Identifier"
    );
    let malformed = TimestampResponse::parse(&read(&format!("{dir}/malformed.tsq"))).unwrap_err();
    assert!(matches!(malformed, TimestampError::MalformedResponse(_)));
    assert!(
        malformed.to_string().starts_with("asn1: structure error"),
        "{malformed}"
    );

    // A granted response whose token has only ESSCertID v1: certReq cannot
    // be satisfied, and the token does not verify.
    let v1 = TimestampResponse::parse(&read(&format!(
        "{dir}/validResponseWithSigningCertificateV1.tsr"
    )))
    .unwrap();
    let info = v1.token().tst_info().unwrap();
    let request = TimestampRequest::from_imprint(
        info.message_imprint().algorithm_oid(),
        info.message_imprint().hashed_message(),
    )
    .unwrap();
    assert_eq!(
        v1.validate_for(&request).unwrap_err().to_string(),
        "invalid timestamping response: certReq is True in request, but did not find any TSA signing certificate in the response"
    );
}

#[test]
fn obtain_token_runs_the_whole_exchange() {
    let roots = globalsign_r3();
    let at = datetime!(2022-01-01 0:00 UTC);
    // The transport sees a DER request with the imprint and a nonce.
    let mut sent = Vec::new();
    let err = obtain_token(
        b"notation",
        notation_core::algorithm::HashAlgorithm::Sha256,
        &roots,
        at,
        &DefaultProvider,
        |req| {
            sent = req.to_vec();
            Ok(read(&format!("{TOKENS}/tspclient-go/granted.tsq")))
        },
    )
    .unwrap_err();
    // granted.tsq answers a request without nonce: a replay is refused.
    assert!(err.to_string().starts_with("invalid timestamping response: nonce in response <nil> does not match nonce in request "), "{err}");
    assert_eq!(sent[0], 0x30);
    let digest = notation_core::algorithm::HashAlgorithm::Sha256.digest(b"notation");
    assert!(sent.windows(digest.len()).any(|w| w == digest.as_slice()));
    assert!(sent.ends_with(&[0x01, 0x01, 0xff]), "certReq is set");
    // Transport failures come back unchanged.
    let err = obtain_token(
        b"x",
        notation_core::algorithm::HashAlgorithm::Sha256,
        &roots,
        at,
        &DefaultProvider,
        |_| {
            Err(TimestampError::Transport(
                "POST \"http://tsa\": https response bad status: 500".into(),
            ))
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "POST \"http://tsa\": https response bad status: 500"
    );
}
