//! RFC 3161 timestamp tokens and responses (REQUIREMENTS O1-O5, H4), against
//! every file of conformance/04-timestamp-tokens and the tokens embedded in
//! the envelopes of 03, 09 and 10. Expectations are MANIFEST.md §03/§04.

mod common;

use std::collections::BTreeSet;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::oid;
use notation_core::timestamp::{
    SignedToken, TimestampError, TimestampRequest, TimestampResponse, TokenVerificationError,
    obtain_token,
};
use notation_core::x509::Certificate;
use notation_core::x509::chain::validate_timestamping_chain;
use time::OffsetDateTime;
use time::macros::datetime;

const TOKENS: &str = "04-timestamp-tokens";

fn read(path: &str) -> Vec<u8> {
    common::conformance(path)
}

fn certs(path: &str) -> Vec<Certificate> {
    Certificate::parse_many(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// GlobalSign Root R3, the root of the tspclient-go tokens.
fn globalsign_r3() -> Vec<Certificate> {
    certs(&format!("{TOKENS}/tspclient-go/GlobalSignRootCA.crt"))
}

/// The `tsa:test-timestamp` store of notation-go's verifier tests
/// (GlobalSign Root R6), root of the 03 tokens.
fn test_timestamp_store() -> Vec<Certificate> {
    let dir = common::conformance_dir()
        .join("05-truststores/notation-go-verifier/truststore/x509/tsa/test-timestamp");
    let mut roots = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        roots.extend(Certificate::parse_many(&data).unwrap());
    }
    assert!(!roots.is_empty());
    roots
}

/// The file names of a vector directory: a vector added or removed upstream
/// must show up here, never be skipped.
fn listing(dir: &str) -> BTreeSet<String> {
    let path = common::conformance_dir().join(TOKENS).join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// What one step must give.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Succeeds.
    Ok,
    /// Fails with exactly this message.
    Err(&'static str),
    /// Fails with a message starting with this.
    ErrPrefix(&'static str),
}

fn check<T, E: std::fmt::Display>(what: &str, got: Result<T, E>, want: Expect) -> Option<T> {
    match (got, want) {
        (Ok(v), Expect::Ok) => Some(v),
        (Ok(_), want) => panic!("{what}: succeeded, expected {want:?}"),
        (Err(e), Expect::Ok) => panic!("{what}: {e}"),
        (Err(e), Expect::Err(w)) => {
            assert_eq!(e.to_string(), w, "{what}");
            None
        }
        (Err(e), Expect::ErrPrefix(w)) => {
            assert!(
                e.to_string().starts_with(w),
                "{what}: {e}\n  expected prefix: {w}"
            );
            None
        }
    }
}

/// A token vector: parse, decode TSTInfo, validate against "notation",
/// resolve the signing certificate of the first signer, verify at genTime.
struct TokenCase {
    file: &'static str,
    parse: Expect,
    tst_info: Expect,
    validate: Expect,
    signing_certificate: Expect,
    verify: Expect,
}

const fn ok(file: &'static str) -> TokenCase {
    TokenCase {
        file,
        parse: Expect::Ok,
        tst_info: Expect::Ok,
        validate: Expect::Ok,
        signing_certificate: Expect::Ok,
        verify: Expect::Ok,
    }
}

const UNEXPECTED_DATA: &str = "unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)";
const NO_SIGNING_CERTIFICATE_V2: &str =
    "failed to get SigningCertificateV2 from signed attributes: attribute not found";
const BAD_TST_INFO: &str =
    "cannot unmarshal TSTInfo from timestamp token: asn1: structure error: tags don't match";
const RSA_FAILURE: &str =
    "failed to verify signed token: cms verification failure: crypto/rsa: verification error";
const DIGEST_MISMATCH: &str =
    "failed to verify signed token: cms verification failure: mismatch message digest";
const MISMATCHED_MESSAGE: &str = "invalid TSTInfo: mismatched message";

/// Default time when genTime cannot be read.
const FALLBACK_TIME: OffsetDateTime = datetime!(2022-01-01 0:00 UTC);

fn run_token_case(dir: &str, case: &TokenCase, roots: &[Certificate]) {
    let what = |step: &str| format!("{dir}/{} {step}", case.file);
    let Some(token) = check(
        &what("parse"),
        SignedToken::parse(&read(&format!("{TOKENS}/{dir}/{}", case.file))),
        case.parse,
    ) else {
        return;
    };
    let info = check(&what("tst_info"), token.tst_info(), case.tst_info);
    if let Some(info) = &info {
        check(&what("validate"), info.validate(b"notation"), case.validate);
    }
    let signer = token.signer_infos().first();
    if let Some(signer) = signer {
        check(
            &what("signing_certificate"),
            token.signing_certificate(signer),
            case.signing_certificate,
        );
    }
    let at = info.map(|i| i.gen_time()).unwrap_or(FALLBACK_TIME);
    check(
        &what("verify"),
        token.verify(roots, at, &DefaultProvider),
        case.verify,
    );
}

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

/// The timestamp fields `notation inspect` prints, from the golden outputs.
fn golden_timestamp(json_path: &str, tree_path: &str) -> (String, Vec<String>, String) {
    let json: serde_json::Value = serde_json::from_slice(&read(json_path)).unwrap();
    let sig = json
        .get("signatures")
        .and_then(|s| s.get(0))
        .unwrap_or(&json);
    let ts = &sig["unsignedAttributes"]["timestampSignature"];
    let range = ts["timestamp"].as_str().unwrap().to_string();
    let fingerprints = ts["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["SHA256Fingerprint"].as_str().unwrap().to_string())
        .collect();
    let tree = String::from_utf8(read(tree_path)).unwrap();
    let line = tree
        .lines()
        .find(|l| l.contains("── timestamp: ["))
        .unwrap();
    let tree_range = line.split("timestamp: ").nth(1).unwrap().to_string();
    (range, fingerprints, tree_range)
}

fn assert_inspect_rendering(
    signature_bytes: &[u8],
    format: EnvelopeFormat,
    json_path: &str,
    tree_path: &str,
) {
    let content = Envelope::parse(format, signature_bytes)
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
    let range = token
        .tst_info()
        .unwrap()
        .validate(&content.signer_info.signature)
        .unwrap();
    let (json_range, fingerprints, tree_range) = golden_timestamp(json_path, tree_path);
    assert_eq!(range.to_string(), json_range, "{json_path}");
    assert_eq!(range.format_rfc3339_nano(), json_range, "{json_path}");
    assert_eq!(range.format_ansic(), tree_range, "{tree_path}");
    let ours: Vec<String> = token
        .certificates()
        .iter()
        .map(|c| c.sha256_fingerprint_hex())
        .collect();
    assert_eq!(
        ours, fingerprints,
        "{json_path}: certificates in token order"
    );
}

#[test]
fn inspect_renderings_of_microsoft_tokens() {
    // 10-blob: JWS and COSE blob signatures timestamped by Microsoft's TSA
    // (genTime with milliseconds, accuracy 0.5 s).
    assert_inspect_rendering(
        &read("10-blob/e2e-signatures/blob.jws.sig"),
        EnvelopeFormat::Jws,
        "10-blob/expected-inspect/blob.jws.sig.json",
        "10-blob/expected-inspect/blob.jws.sig.tree.txt",
    );
    assert_inspect_rendering(
        &read("10-blob/e2e-signatures/blob.cose.sig"),
        EnvelopeFormat::Cose,
        "10-blob/expected-inspect/blob.cose.sig.json",
        "10-blob/expected-inspect/blob.cose.sig.tree.txt",
    );
    // 09: the signature stored in the e2e-with-timestamped-signature layout.
    let blobs = common::conformance_dir()
        .join("09-e2e-oci-layouts/layouts/e2e-with-timestamped-signature/blobs/sha256");
    let mut found = 0;
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(content) =
            Envelope::parse(EnvelopeFormat::Jws, &bytes).and_then(|e| e.content_unverified())
        else {
            continue;
        };
        if content.signer_info.unsigned.timestamp_signature.is_some() {
            assert_inspect_rendering(
                &bytes,
                EnvelopeFormat::Jws,
                "09-e2e-oci-layouts/expected-inspect/e2e-with-timestamped-signature.json",
                "09-e2e-oci-layouts/expected-inspect/e2e-with-timestamped-signature.tree.txt",
            );
            found += 1;
        }
    }
    assert_eq!(found, 1);
}

#[test]
fn invalid_token_error_matches_golden_inspect() {
    // The e2e-with-invalid-timestamped-signature layout carries "invalid\n"
    // as its token; notation prints the parse error after "failed to parse
    // timestamp countersignature: ".
    let json: serde_json::Value = serde_json::from_slice(&read(
        "09-e2e-oci-layouts/expected-inspect/e2e-with-invalid-timestamped-signature.json",
    ))
    .unwrap();
    let want = json["signatures"][0]["unsignedAttributes"]["timestampSignature"]["error"]
        .as_str()
        .unwrap();
    let err = SignedToken::parse(b"invalid\n").unwrap_err();
    assert_eq!(
        format!("failed to parse timestamp countersignature: {err}"),
        want
    );
}

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

#[test]
fn hostile_tokens_fail_with_typed_errors() {
    let valid = read(&format!("{TOKENS}/tspclient-go/TimeStampToken.p7s"));
    let roots = globalsign_r3();
    let at = datetime!(2021-09-17 14:09:10 UTC);

    // Every truncation.
    for n in 0..valid.len() {
        let err = SignedToken::parse(&valid[..n]).unwrap_err();
        assert!(
            matches!(err, TimestampError::Cms(_)),
            "truncated to {n}: {err}"
        );
    }
    // Trailing garbage.
    let mut trailing = valid.clone();
    trailing.push(0);
    assert!(SignedToken::parse(&trailing).is_err());
    // Garbage.
    for garbage in [
        &b""[..],
        b"\x00",
        b"\x30",
        b"\x30\x00",
        b"invalid",
        &[0xff; 64],
        &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
    ] {
        assert!(SignedToken::parse(garbage).is_err(), "{garbage:02x?}");
    }
    // Oversized.
    let mut big = vec![0x30, 0x83, 0x10, 0x00, 0x00];
    big.resize(5 + 0x100000, 0);
    assert_eq!(
        SignedToken::parse(&big).unwrap_err(),
        TimestampError::TooLarge {
            what: "timestamp token",
            size: big.len(),
            limit: notation_core::timestamp::MAX_TOKEN_SIZE
        }
    );
    // Deep nesting: no recursion, no stack overflow.
    let mut deep = vec![0x05, 0x00];
    for _ in 0..20_000 {
        let mut outer = vec![0x30];
        let len = deep.len();
        if len < 0x80 {
            outer.push(len as u8);
        } else if len < 0x100 {
            outer.extend([0x81, len as u8]);
        } else if len < 0x10000 {
            outer.extend([0x82, (len >> 8) as u8, len as u8]);
        } else {
            outer.extend([0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
        }
        outer.extend(deep);
        deep = outer;
    }
    assert!(matches!(
        SignedToken::parse(&deep).unwrap_err(),
        TimestampError::Cms(_)
    ));
    // Every single-byte flip: never a panic, and a flip inside the TSTInfo,
    // the signed attributes or the signature never verifies.
    let token = SignedToken::parse(&valid).unwrap();
    let content_start = valid
        .windows(token.content().len())
        .position(|w| w == token.content())
        .unwrap();
    let signature = token.signer_infos()[0].signature();
    let signature_start = valid
        .windows(signature.len())
        .position(|w| w == signature)
        .unwrap();
    for i in (0..valid.len()).step_by(7) {
        let mut flipped = valid.clone();
        flipped[i] ^= 0x01;
        let Ok(t) = SignedToken::parse(&flipped) else {
            continue;
        };
        let _ = t.tst_info().map(|info| info.validate(b"notation"));
        let result = t.verify(&roots, at, &DefaultProvider);
        let protected = (content_start..content_start + token.content().len()).contains(&i)
            || (signature_start..signature_start + signature.len()).contains(&i);
        if protected {
            assert!(result.is_err(), "flip at {i} verified");
        }
    }
    // Wrong imprint.
    assert_eq!(
        token
            .tst_info()
            .unwrap()
            .validate(b"not notation")
            .unwrap_err()
            .to_string(),
        MISMATCHED_MESSAGE
    );
}

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

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Random corruption of a valid token never panics, at any step.
    #[test]
    fn corrupted_tokens_never_panic(edits in proptest::collection::vec((0usize..6595, proptest::prelude::any::<u8>()), 1..6)) {
        let mut bytes = read(&format!("{TOKENS}/tspclient-go/TimeStampToken.p7s"));
        for (i, b) in edits {
            let i = i % bytes.len();
            bytes[i] = b;
        }
        if let Ok(token) = SignedToken::parse(&bytes) {
            let at = match token.tst_info() {
                Ok(info) => {
                    let _ = info.validate(b"notation");
                    info.gen_time()
                }
                Err(_) => FALLBACK_TIME,
            };
            let _ = token.verify(&globalsign_r3(), at, &DefaultProvider);
            let _ = token.verify_countersignature(b"notation", &globalsign_r3(), &DefaultProvider);
        }
        let _ = TimestampResponse::parse(&bytes);
    }
}
