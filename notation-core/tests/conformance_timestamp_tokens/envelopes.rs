//! Tokens in envelopes: the notation-go countersignature substitutions and
//! the timestamped envelopes of 03.

use std::collections::BTreeSet;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::timestamp::{SignedToken, TimestampError, TokenVerificationError};
use notation_core::x509::Certificate;
use time::macros::datetime;

use crate::common;
use crate::token_cases::{BAD_TST_INFO, MISMATCHED_MESSAGE, UNEXPECTED_DATA};
use crate::vectors::{TOKENS, listing, read, test_timestamp_store};

/// An envelope's primitive signature and timestamp token.
fn envelope_parts(path: &str) -> (EnvelopeFormat, Vec<u8>, Option<Vec<u8>>, Vec<Certificate>) {
    let bytes = read(path);
    let format = if bytes.first() == Some(&b'{') {
        EnvelopeFormat::Jws
    } else {
        EnvelopeFormat::Cose
    };
    let content = Envelope::parse(format, &bytes)
        .and_then(|e| e.content_unverified())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let info = content.signer_info;
    (
        format,
        info.signature,
        info.unsigned.timestamp_signature,
        info.certificate_chain,
    )
}

#[test]
fn notation_go_countersignature_substitutions() {
    // MANIFEST §03: each token replaces the countersignature of
    // withoutTimestamp.sig.
    let (_, signature, token, _) =
        envelope_parts("03-timestamped-envelopes/sigEnv/withoutTimestamp.sig");
    assert!(token.is_none());
    let dir = format!("{TOKENS}/notation-go-countersignature");
    let roots = test_timestamp_store();

    assert_eq!(
        SignedToken::parse(&read(&format!(
            "{dir}/TimeStampTokenWithInvalideContentType.p7s"
        )))
        .unwrap_err()
        .to_string(),
        UNEXPECTED_DATA
    );
    let invalid_info = SignedToken::parse(&read(&format!(
        "{dir}/TimeStampTokenWithInvalidTSTInfo.p7s"
    )))
    .unwrap();
    let err = invalid_info.tst_info().unwrap_err();
    assert!(matches!(err, TimestampError::TstInfoSyntax(_)));
    assert!(err.to_string().starts_with(BAD_TST_INFO), "{err}");

    // Imprint of "notation", not of this signature.
    let token = SignedToken::parse(&read(&format!("{dir}/TimeStampToken.p7s"))).unwrap();
    assert_eq!(
        token
            .tst_info()
            .unwrap()
            .validate(&signature)
            .unwrap_err()
            .to_string(),
        MISMATCHED_MESSAGE
    );
    assert_eq!(
        token
            .verify_countersignature(&signature, &roots, &DefaultProvider)
            .unwrap_err()
            .to_string(),
        MISMATCHED_MESSAGE
    );
    // Byte-identical to the tspclient-go vector.
    assert_eq!(
        read(&format!("{dir}/TimeStampToken.p7s")),
        read(&format!("{TOKENS}/tspclient-go/TimeStampToken.p7s"))
    );

    // With the primitive signature replaced by "notation".
    let no_cert = SignedToken::parse(&read(&format!(
        "{dir}/TimeStampTokenWithoutCertificate.p7s"
    )))
    .unwrap();
    let info = no_cert.tst_info().unwrap();
    info.validate(b"notation").unwrap();
    assert_eq!(
        no_cert
            .verify(&roots, info.gen_time(), &DefaultProvider)
            .unwrap_err()
            .to_string(),
        "failed to verify signed token: signing certificate not found in the timestamp token"
    );
    let err = no_cert
        .verify_countersignature(b"notation", &roots, &DefaultProvider)
        .unwrap_err();
    assert_eq!(
        err,
        TimestampError::Verification(TokenVerificationError::SigningCertificateNotFound)
    );

    let covered: BTreeSet<String> = [
        "TimeStampToken.p7s",
        "TimeStampTokenWithInvalidTSTInfo.p7s",
        "TimeStampTokenWithInvalideContentType.p7s",
        "TimeStampTokenWithoutCertificate.p7s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(covered, listing("notation-go-countersignature"));
}

#[test]
fn timestamped_envelopes_03() {
    let roots = test_timestamp_store();
    // (file, format, genTime, O4 verdict against the signing chain)
    let cases = [
        (
            "jwsWithTimestamp.sig",
            EnvelopeFormat::Jws,
            datetime!(2024-06-18 06:29:37 UTC),
            "inside",
        ),
        (
            "coseWithTimestamp.sig",
            EnvelopeFormat::Cose,
            datetime!(2024-06-18 06:27:16 UTC),
            "inside",
        ),
        (
            "jwsExpiredWithTimestamp.sig",
            EnvelopeFormat::Jws,
            datetime!(2024-06-18 07:21:42 UTC),
            "inside",
        ),
        (
            "coseExpiredWithTimestamp.sig",
            EnvelopeFormat::Cose,
            datetime!(2024-06-18 07:21:12 UTC),
            "inside",
        ),
        (
            "timestampBeforeNotBefore.sig",
            EnvelopeFormat::Jws,
            datetime!(2024-06-19 09:30:14 UTC),
            "before",
        ),
        (
            "timestampAfterNotAfter.sig",
            EnvelopeFormat::Cose,
            datetime!(2024-06-19 09:35:58 UTC),
            "after",
        ),
    ];
    for (file, format, gen_time, verdict) in cases {
        let path = format!("03-timestamped-envelopes/sigEnv/{file}");
        let (found_format, signature, token, chain) = envelope_parts(&path);
        assert_eq!(found_format, format, "{file}");
        let token =
            SignedToken::parse(&token.unwrap_or_else(|| panic!("{file}: no token"))).unwrap();
        let info = token.tst_info().unwrap();
        // O1: the imprint is SHA-256 of the primitive signature.
        let range = info
            .validate(&signature)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(info.gen_time(), gen_time, "{file}");
        assert_eq!(info.policy().to_string(), "1.3.6.1.4.1.4146.2.3", "{file}");
        assert_eq!(range.accuracy(), time::Duration::SECOND, "{file}");

        // O3: verified against the tsa store at genTime, chain rules H4/H1.
        let verified = token
            .verify_countersignature(&signature, &roots, &DefaultProvider)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(verified.range(), &range);
        let tsa_chain = verified.chain();
        assert!(roots.contains(tsa_chain.last().unwrap()), "{file}");

        // O4: the whole range against every signing certificate.
        let leaf = &chain[0];
        let got = if !range.bounded_after(leaf.not_before()) {
            "before"
        } else if !range.bounded_before(leaf.not_after()) {
            "after"
        } else {
            "inside"
        };
        assert_eq!(got, verdict, "{file}");
        assert!(
            chain
                .iter()
                .all(|c| range.is_within(c.not_before(), c.not_after()))
                == (verdict == "inside")
        );

        // The wrong TSA root (tsa:test-mismatch).
        let mismatch = common::conformance_dir()
            .join("05-truststores/notation-go-verifier/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer");
        let mismatch = Certificate::parse_many(&std::fs::read(mismatch).unwrap()).unwrap();
        assert_eq!(
            token
                .verify_countersignature(&signature, &mismatch, &DefaultProvider)
                .unwrap_err()
                .to_string(),
            "failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority",
            "{file}"
        );
    }
    let (_, _, token, _) = envelope_parts("03-timestamped-envelopes/sigEnv/withoutTimestamp.sig");
    assert!(token.is_none());
}
