//! The token vectors of 04: tspclient-go, tspclient-go-cms, notation-core-go
//! and notation-go-signer.

use std::collections::BTreeSet;

use notation_core::crypto::DefaultProvider;
use notation_core::oid;
use notation_core::timestamp::{SignedToken, TimestampError};
use notation_core::x509::chain::validate_timestamping_chain;
use time::macros::datetime;

use crate::token_cases::{
    BAD_TST_INFO, DIGEST_MISMATCH, Expect, MISMATCHED_MESSAGE, NO_SIGNING_CERTIFICATE_V2,
    RSA_FAILURE, TokenCase, UNEXPECTED_DATA, ok, run_token_case,
};
use crate::vectors::{TOKENS, certs, globalsign_r3, listing, read};

#[test]
fn tspclient_go_tokens() {
    use Expect::*;
    let cases = [
        ok("TimeStampToken.p7s"),
        TokenCase {
            validate: Err("invalid TSTInfo: unrecognized hash algorithm: 1.2.840.113549.1.1.5"),
            // The TSTInfo was edited after signing.
            verify: Err(DIGEST_MISMATCH),
            ..ok("SHA1TimeStampToken.p7s")
        },
        TokenCase {
            // Another TSA's token (imprint of other data, chain not to R3).
            validate: Err(MISMATCHED_MESSAGE),
            verify: Err(
                "failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority",
            ),
            ..ok("TimeStampTokenNoRoot.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithInvalidSignature.p7s")
        },
        TokenCase {
            validate: Err(MISMATCHED_MESSAGE),
            signing_certificate: Err(NO_SIGNING_CERTIFICATE_V2),
            verify: ErrPrefix("failed to verify signed token: failed to get SigningCertificateV2"),
            ..ok("TimeStampTokenWithInvalidSigningCertificateV1.p7s")
        },
        TokenCase {
            signing_certificate: Err(
                "failed to get SigningCertificateV2 from signed attributes: asn1: syntax error: sequence truncated",
            ),
            verify: Err(
                "failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: asn1: syntax error: sequence truncated",
            ),
            ..ok("TimeStampTokenWithInvalidSigningCertificateV2.p7s")
        },
        TokenCase {
            tst_info: ErrPrefix(BAD_TST_INFO),
            verify: Err(DIGEST_MISMATCH),
            ..ok("TimeStampTokenWithInvalidTSTInfo.p7s")
        },
        TokenCase {
            parse: Err(UNEXPECTED_DATA),
            ..ok("TimeStampTokenWithInvalideContentType.p7s")
        },
        TokenCase {
            signing_certificate: Err(
                "signing certificate hash does not match CertHash in signed attribute",
            ),
            verify: Err(
                "failed to verify signed token: signing certificate hash does not match CertHash in signed attribute",
            ),
            ..ok("TimeStampTokenWithMismatchCertHash.p7s")
        },
        TokenCase {
            signing_certificate: Err(
                "unsupported certificate hash algorithm in SigningCertificateV2 attribute",
            ),
            verify: Err(
                "failed to verify signed token: unsupported certificate hash algorithm in SigningCertificateV2 attribute",
            ),
            ..ok("TimeStampTokenWithSHA1CertHash.p7s")
        },
        // ESSCertID v1 is not accepted: v2 is mandatory.
        TokenCase {
            validate: Err(MISMATCHED_MESSAGE),
            signing_certificate: Err(NO_SIGNING_CERTIFICATE_V2),
            verify: Err(
                "failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found",
            ),
            ..ok("TimeStampTokenWithSigningCertificateV1.p7s")
        },
        TokenCase {
            validate: Err(MISMATCHED_MESSAGE),
            signing_certificate: Err(NO_SIGNING_CERTIFICATE_V2),
            verify: Err(
                "failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found",
            ),
            ..ok("TimeStampTokenWithSigningCertificateV1NoCert.p7s")
        },
        TokenCase {
            signing_certificate: Err("signingCertificateV2 does not contain any certificate"),
            verify: Err(
                "failed to verify signed token: signingCertificateV2 does not contain any certificate",
            ),
            ..ok("TimeStampTokenWithSigningCertificateV2NoCert.p7s")
        },
        TokenCase {
            validate: Err("invalid TSTInfo: timestamp token info version must be 1, but got 2"),
            verify: Err(DIGEST_MISMATCH),
            ..ok("TimeStampTokenWithTSTInfoVersion2.p7s")
        },
        // One good SignerInfo suffices.
        ok("TimeStampTokenWithValidAndInvalidSignerInfos.p7s"),
        TokenCase {
            signing_certificate: Err("issuer name is missing in IssuerSerial"),
            verify: Err("failed to verify signed token: issuer name is missing in IssuerSerial"),
            ..ok("TimeStampTokenWithWrongSigningCertificateV2IssuerChoiceTag.p7s")
        },
        TokenCase {
            signing_certificate: Err("signing certificate not found in the timestamp token"),
            verify: Err(
                "failed to verify signed token: signing certificate not found in the timestamp token",
            ),
            ..ok("TimeStampTokenWithoutCertificate.p7s")
        },
        TokenCase {
            signing_certificate: Err(NO_SIGNING_CERTIFICATE_V2),
            verify: Err(
                "failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found",
            ),
            ..ok("TimeStampTokenWithoutSigningCertificate.p7s")
        },
        // MANIFEST's VALID is the reference's SigningCertificate() check
        // (issuerSerial is optional, the SID is used); the attribute was
        // edited after signing, so the full verification fails.
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithoutSigningCertificateV2IssuerSerial.p7s")
        },
    ];
    let roots = globalsign_r3();
    for case in &cases {
        run_token_case("tspclient-go", case, &roots);
    }
    let responses = [
        "granted.tsq",
        "malformed.tsq",
        "rejection.tsq",
        "validResponseWithSigningCertificateV1.tsr",
    ];
    let covered: BTreeSet<String> = cases
        .iter()
        .map(|c| c.file.to_string())
        .chain(responses.iter().map(|s| s.to_string()))
        .chain(["GlobalSignRootCA.crt".to_string()])
        .collect();
    assert_eq!(
        covered,
        listing("tspclient-go"),
        "every tspclient-go vector must have an expectation"
    );
}

#[test]
fn timestamp_token_reference_details() {
    let token =
        SignedToken::parse(&read(&format!("{TOKENS}/tspclient-go/TimeStampToken.p7s"))).unwrap();
    assert_eq!(token.certificates().len(), 4);
    assert_eq!(token.signer_infos().len(), 1);
    let info = token.tst_info().unwrap();
    assert_eq!(info.version(), 1);
    assert_eq!(info.policy().to_string(), "1.3.6.1.4.1.4146.2.3");
    assert_eq!(info.message_imprint().algorithm_oid(), &oid::SHA256);
    assert_eq!(info.gen_time(), datetime!(2021-09-17 14:09:10 UTC));
    assert_eq!(info.accuracy().unwrap().seconds(), 1);
    assert_eq!(
        info.serial_number_decimal(),
        "508235283813477369370125082587339585794752419854"
    );
    assert_eq!(
        info.tsa_directory_name().unwrap().to_string(),
        "CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE"
    );
    let range = info.validate(b"notation").unwrap();
    assert_eq!(range.gen_time(), datetime!(2021-09-17 14:09:10 UTC));
    assert_eq!(range.accuracy(), time::Duration::SECOND);
    assert_eq!(
        range.to_string(),
        "[2021-09-17T14:09:09Z, 2021-09-17T14:09:11Z]"
    );
    assert_eq!(
        range.format_ansic(),
        "[Fri Sep 17 14:09:09 2021, Fri Sep 17 14:09:11 2021]"
    );
    assert_eq!(
        info.validate(b"invalid").unwrap_err().to_string(),
        MISMATCHED_MESSAGE
    );

    // No roots.
    assert_eq!(
        token
            .verify(&[], info.gen_time(), &DefaultProvider)
            .unwrap_err()
            .to_string(),
        "failed to verify signed token: tsa root certificate pool cannot be nil"
    );
    // The chain is ordered leaf to root and satisfies H4/H1.
    let chain = token
        .verify(&globalsign_r3(), info.gen_time(), &DefaultProvider)
        .unwrap();
    assert_eq!(chain.len(), 4);
    assert_eq!(chain[3], globalsign_r3()[0]);
    for pair in chain.windows(2) {
        assert_eq!(pair[0].raw_issuer(), pair[1].raw_subject());
    }
    validate_timestamping_chain(&chain, &DefaultProvider).unwrap();
    let verified = token
        .verify_countersignature(b"notation", &globalsign_r3(), &DefaultProvider)
        .unwrap();
    assert_eq!(verified.chain(), chain.as_slice());
    assert_eq!(verified.range(), &range);
    // The wrong message fails before anything is verified.
    assert!(matches!(
        token.verify_countersignature(b"invalid", &globalsign_r3(), &DefaultProvider),
        Err(TimestampError::InvalidTstInfo(_))
    ));
    // After the root expired (2029-03-18) the chain does not verify.
    let late = datetime!(2030-01-01 0:00 UTC);
    let err = token
        .verify(&globalsign_r3(), late, &DefaultProvider)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("failed to verify signed token: cms verification failure: x509: certificate has expired or is not yet valid: current time 2030-01-01T00:00:00Z is after"), "{err}");
    // Before the TSA certificate was issued.
    let early = datetime!(2021-01-01 0:00 UTC);
    assert_eq!(
        token
            .verify(&globalsign_r3(), early, &DefaultProvider)
            .unwrap_err()
            .to_string(),
        "failed to verify signed token: cms verification failure: x509: certificate has expired or is not yet valid: current time 2021-01-01T00:00:00Z is before 2021-05-27T09:55:23Z"
    );
    // A foreign root.
    let digicert = certs(&format!("{TOKENS}/notation-core-go/tsaRootCert.cer"));
    assert_eq!(
        token
            .verify(&digicert, info.gen_time(), &DefaultProvider)
            .unwrap_err()
            .to_string(),
        "failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority"
    );
}

#[test]
fn tspclient_go_cms_tokens() {
    use Expect::*;
    // Token-level outcomes (roots = GlobalSign R3, time = genTime). The
    // attribute-level verdicts of the reference's cms tests are asserted by
    // the unit tests of the cms module; the vectors whose signed attributes
    // were edited after signing fail here on the signature, checked first.
    let cases = [
        TokenCase {
            parse: Err(UNEXPECTED_DATA),
            ..ok("Sha1SignedData.p7s")
        },
        TokenCase {
            parse: Err(UNEXPECTED_DATA),
            ..ok("SignedDataWithoutSignedAttributes.p7s")
        },
        ok("TimeStampToken.p7s"),
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenInvalidSignedAttributeContentType.p7s")
        },
        ok("TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s"),
        TokenCase {
            parse: ErrPrefix(
                "cms: syntax error: failed to parse X.509 certificates from signed data. Only X.509 certificates are supported: x509: malformed certificate",
            ),
            ..ok("TimeStampTokenWithInvalidCertificates.p7s")
        },
        TokenCase {
            parse: Err(
                "unexpected content type: 1.2.840.113549.1.9.16.1.5. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)",
            ),
            ..ok("TimeStampTokenWithInvalidContentType.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithInvalidSignature.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithInvalidSigningTime.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithSignedAttributeSHA1.p7s")
        },
        TokenCase {
            verify: Err(
                "failed to verify signed token: cms verification failure: invalid signer info version: only version 1 is supported; got 2",
            ),
            ..ok("TimeStampTokenWithSignerVersion2.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithSigningTime.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithSigningTimeBeforeExpected.p7s")
        },
        // The SID names an unknown issuer, but the token-level lookup uses
        // the ESSCertIDv2 IssuerSerial, which is right (as the reference's
        // SignedToken.Verify); the CMS-level SID lookup fails (unit test).
        ok("TimeStampTokenWithUnknownSignerIssuer.p7s"),
        TokenCase {
            signing_certificate: Err("signing certificate not found in the timestamp token"),
            verify: Err(
                "failed to verify signed token: signing certificate not found in the timestamp token",
            ),
            ..ok("TimeStampTokenWithoutCertificate.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithoutSignedAttributeContentType.p7s")
        },
        TokenCase {
            verify: Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithoutSignedAttributeDigest.p7s")
        },
        TokenCase {
            signing_certificate: Err(NO_SIGNING_CERTIFICATE_V2),
            verify: Err(
                "failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found",
            ),
            ..ok("TimeStampTokenWithoutSignedAttributes.p7s")
        },
        TokenCase {
            verify: Err("failed to verify signed token: signerInfo not found"),
            ..ok("TimeStampTokenWithoutSigner.p7s")
        },
    ];
    let roots = certs(&format!("{TOKENS}/tspclient-go-cms/GlobalSignRootCA.crt"));
    for case in &cases {
        run_token_case("tspclient-go-cms", case, &roots);
    }
    let covered: BTreeSet<String> = cases
        .iter()
        .map(|c| c.file.to_string())
        .chain(["GlobalSignRootCA.crt".to_string()])
        .collect();
    assert_eq!(
        covered,
        listing("tspclient-go-cms"),
        "every tspclient-go-cms vector must have an expectation"
    );
}

#[test]
fn notation_core_go_and_signer_vectors() {
    let roots = globalsign_r3();
    run_token_case(
        "notation-core-go",
        &TokenCase {
            verify: Expect::Err(RSA_FAILURE),
            ..ok("TimeStampTokenWithInvalidSignature.p7s")
        },
        &roots,
    );
    // Both DigiCert Trusted Root G4 files are self-signed CA certificates
    // usable as TSA roots (the live-TSA signing tests use them).
    for path in [
        "notation-core-go/tsaRootCert.cer",
        "notation-go-signer/DigiCertTSARootSHA384.cer",
    ] {
        let c = certs(&format!("{TOKENS}/{path}"));
        assert_eq!(c.len(), 1, "{path}");
        assert!(c[0].is_ca() && c[0].is_self_issued(), "{path}");
        assert_eq!(
            c[0].subject().to_string(),
            "CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US"
        );
    }
    assert_eq!(
        listing("notation-core-go"),
        ["TimeStampTokenWithInvalidSignature.p7s", "tsaRootCert.cer"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(
        listing("notation-go-signer"),
        ["DigiCertTSARootSHA384.cer"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
