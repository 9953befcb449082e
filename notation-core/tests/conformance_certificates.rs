//! The certificate rules (REQUIREMENTS H1-H9, G3) against every vector of
//! MANIFEST 07, with the reference's messages.

mod common;

use notation_core::crypto::DefaultProvider;
use notation_core::x509::Certificate;
use notation_core::x509::chain::{
    ChainPurpose, validate_ca, validate_code_signing_chain, validate_leaf,
    validate_timestamping_chain,
};
use time::macros::datetime;

fn cert(path: &str) -> Certificate {
    let mut certs =
        Certificate::parse_many(&common::conformance(&format!("07-certificates/{path}"))).unwrap();
    assert_eq!(certs.len(), 1, "{path}");
    certs.remove(0)
}

fn cs(name: &str) -> Certificate {
    cert(&format!("codesigning/{name}.pem"))
}

fn chain_err(chain: &[Certificate]) -> String {
    validate_code_signing_chain(chain, None, &DefaultProvider)
        .unwrap_err()
        .to_string()
}

#[test]
fn code_signing_chains() {
    let (leaf, i2, i1, root) = (
        cs("codeSigningLeaf"),
        cs("intermediateCert2"),
        cs("intermediateCert1"),
        cs("rootCert"),
    );
    let good = [leaf.clone(), i2.clone(), i1.clone(), root.clone()];
    validate_code_signing_chain(&good, None, &DefaultProvider).unwrap();
    validate_code_signing_chain(
        &[cert(
            "core-go-x509-testdata/openssl-minimum-self-signed.pem",
        )],
        None,
        &DefaultProvider,
    )
    .unwrap();
    assert_eq!(
        chain_err(&[]),
        "certificate chain must contain at least one certificate"
    );
    assert_eq!(
        chain_err(std::slice::from_ref(&leaf)),
        "invalid self-signed certificate. subject: \"CN=CodeSigningLeaf\". Error: crypto/rsa: verification error"
    );
    assert_eq!(
        validate_code_signing_chain(
            &good,
            Some(datetime!(2021-07-07 20:48:42 UTC)),
            &DefaultProvider
        )
        .unwrap_err()
        .to_string(),
        "certificate with subject \"CN=CodeSigningLeaf\" was invalid at signing time of 2021-07-07 20:48:42 +0000 UTC. Certificate is valid from [2022-06-30 19:20:03 +0000 UTC] to [3021-10-31 19:20:03 +0000 UTC]"
    );
    assert_eq!(
        chain_err(&[leaf.clone(), i2.clone(), i1.clone()]),
        "root certificate with subject \"CN=Intermediate1\" is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: crypto/rsa: verification error"
    );
    assert_eq!(
        chain_err(&[leaf.clone(), i1.clone(), i2.clone(), root.clone()]),
        "invalid certificates or certificate with subject \"CN=CodeSigningLeaf\" is not issued by \"CN=Intermediate1\". Error: crypto/rsa: verification error"
    );
    assert_eq!(
        chain_err(&[leaf.clone(), cs("unrelatedCert"), i1.clone(), root.clone()]),
        "invalid certificates or certificate with subject \"CN=CodeSigningLeaf\" is not issued by \"CN=Hello\". Error: x509: invalid signature: parent certificate cannot sign this kind of certificate"
    );
    assert_eq!(
        chain_err(&[root.clone(), root.clone(), root.clone()]),
        "leaf certificate with subject \"CN=Root\" is self-signed. Certificate chain must not contain self-signed leaf certificate"
    );
    assert_eq!(
        chain_err(&[
            leaf.clone(),
            i2.clone(),
            i1.clone(),
            root.clone(),
            root.clone()
        ]),
        "intermediate certificate with subject \"CN=Root\" is self-signed. Certificate chain must not contain self-signed intermediate certificate"
    );
    assert_eq!(
        chain_err(&[
            cs("codeSigningLeafInvalidPathLen"),
            cs("intermediateCertInvalidPathLen"),
            i2.clone(),
            i1.clone(),
            root.clone()
        ]),
        "certificate with subject \"CN=Intermediate2\": expected path length of 1 but certificate has path length 0 instead"
    );
}

#[test]
fn ca_rules() {
    let cs_ca = |c: &Certificate, below: usize| {
        validate_ca(c, below, ChainPurpose::CodeSigning).map_err(|e| e.to_string())
    };
    assert_eq!(
        cs_ca(&cs("rootCert"), 3).unwrap_err(),
        "certificate with subject \"CN=Root\": expected path length of 3 but certificate has path length 2 instead"
    );
    assert!(cs_ca(&cs("rootCert"), 2).is_ok());
    for name in ["noBasicConstraintsCa", "basicConstraintsNotCa"] {
        assert_eq!(
            cs_ca(&cs(name), 0).unwrap_err(),
            "certificate with subject \"CN=Hello\": ca field in basic constraints must be present, critical, and set to true"
        );
    }
    assert_eq!(
        cs_ca(&cs("kuNotCriticalCertSignCa"), 0).unwrap_err(),
        "certificate with subject \"CN=Hello\": key usage extension must be marked critical"
    );
    // Timestamping CAs: criticality is not required (H1).
    assert!(
        validate_ca(
            &cs("kuNotCriticalCertSignCa"),
            0,
            ChainPurpose::Timestamping
        )
        .is_ok()
    );
    assert_eq!(
        cs_ca(&cs("kuMissingCa"), 0).unwrap_err(),
        "certificate with subject \"CN=Hello\": key usage extension must be present"
    );
    assert_eq!(
        cs_ca(&cs("kuNotCertSignCa"), 0).unwrap_err(),
        "certificate with subject \"CN=Hello\": key usage must have the bit positions for key cert sign set"
    );
}

#[test]
fn leaf_rules() {
    let leaf =
        |name: &str| validate_leaf(&cs(name), ChainPurpose::CodeSigning).map_err(|e| e.to_string());
    assert!(leaf("validNoOptionsLeaf").is_ok());
    assert_eq!(
        validate_leaf(&cs("validNoOptionsLeaf"), ChainPurpose::Timestamping)
            .unwrap_err()
            .to_string(),
        "timestamp signing certificate with subject \"CN=Hello\" must have and only have Timestamping as extended key usage"
    );
    assert_eq!(
        leaf("caTrueLeaf").unwrap_err(),
        "certificate with subject \"CN=Hello\": if the basic constraints extension is present, the ca field must be set to false"
    );
    assert_eq!(
        leaf("kuNoDigitalSignatureLeaf").unwrap_err(),
        "the certificate with subject \"CN=Hello\" is invalid. The key usage must have the bit positions for \"Digital Signature\" set"
    );
    assert_eq!(
        leaf("kuWrongValuesLeaf").unwrap_err(),
        "the certificate with subject \"CN=Hello\" is invalid. The key usage must be \"Digital Signature\" only, but found \"CertSign\", \"CRLSign\""
    );
    assert_eq!(
        leaf("rsaKeyTooSmallLeaf").unwrap_err(),
        "certificate with subject \"CN=Hello\": rsa key size 1024 bits is not supported"
    );
    assert_eq!(
        leaf("ecdsaKeyTooSmallLeaf").unwrap_err(),
        "certificate with subject \"CN=Hello\": ecdsa key size 224 bits is not supported"
    );
    assert_eq!(
        leaf("ekuWrongValuesCodeLeaf").unwrap_err(),
        "certificate with subject \"CN=Hello\": extended key usage must not contain ServerAuth eku"
    );
    assert_eq!(
        leaf("ekuMissingCodeSigningLeaf").unwrap_err(),
        "certificate with subject \"CN=Hello\": extended key usage must not contain OCSPSigning eku"
    );
}

#[test]
fn timestamping_chains() {
    let t = |name: &str| cert(&format!("core-go-x509-testdata/timestamp_{name}.crt"));
    let (leaf, intermediate, root) = (t("leaf"), t("intermediate"), t("root"));
    validate_timestamping_chain(
        &[leaf.clone(), intermediate.clone(), root.clone()],
        &DefaultProvider,
    )
    .unwrap();
    let err = |chain: &[Certificate]| {
        validate_timestamping_chain(chain, &DefaultProvider)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[]),
        "certificate chain must contain at least one certificate"
    );
    assert_eq!(
        err(&[
            leaf.clone(),
            cs("intermediateCert2"),
            cs("intermediateCert1"),
            cs("rootCert")
        ]),
        "invalid certificates or certificate with subject \"CN=DigiCert Timestamp 2023,O=DigiCert\\\\, Inc.,C=US\" is not issued by \"CN=Intermediate2\". Error: crypto/rsa: verification error"
    );
    assert_eq!(
        err(std::slice::from_ref(&leaf)),
        "invalid self-signed certificate. subject: \"CN=DigiCert Timestamp 2023,O=DigiCert\\\\, Inc.,C=US\". Error: crypto/rsa: verification error"
    );
    assert!(err(&[leaf.clone(), intermediate.clone()]).starts_with(
        "root certificate with subject \"CN=DigiCert Trusted G4 RSA4096 SHA256 TimeStamping CA,"
    ));
    assert!(
        err(&[root.clone(), root.clone()])
            .starts_with("leaf certificate with subject \"CN=DigiCert Trusted Root G4,")
    );
    assert!(
        err(&[
            leaf.clone(),
            intermediate.clone(),
            root.clone(),
            root.clone()
        ])
        .starts_with("intermediate certificate ")
    );
    let tl = |name: &str| {
        validate_leaf(
            &cert(&format!("timestamping/{name}.pem")),
            ChainPurpose::Timestamping,
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        tl("ekuNonCriticalTimeLeaf"),
        "timestamp signing certificate with subject \"CN=TimeStampingLeaf\" must have extended key usage extension marked as critical"
    );
    for name in ["ekuWrongValuesTimeLeaf", "ekuMissingTimestampingLeaf"] {
        assert_eq!(
            tl(name),
            "timestamp signing certificate with subject \"CN=Hello\" must have and only have Timestamping as extended key usage"
        );
    }
}

#[test]
fn pem_and_der_files() {
    let count = |p: &str| {
        Certificate::parse_many(&common::conformance(&format!(
            "07-certificates/core-go-x509-testdata/{p}"
        )))
        .map(|c| c.len())
    };
    assert_eq!(count("pem.crt").unwrap(), 1);
    assert_eq!(count("multi-pem.crt").unwrap(), 2);
    assert_eq!(count("der.der").unwrap(), 1);
    assert_eq!(count("multi-der.der").unwrap(), 2);
    assert!(count("invalid").is_err());
}

/// Hostile certificates: truncated, garbage, oversized, deeply nested:
/// typed errors, never a panic.
#[test]
fn hostile_certificates() {
    let der = common::conformance("07-certificates/core-go-x509-testdata/der.der");
    for n in 0..der.len() {
        assert!(Certificate::parse_many(&der[..n]).is_err() || n == 0);
    }
    // Any byte flipped in a certificate that validates on its own: either
    // the parse or the chain validation refuses it (the signature covers
    // the TBS bytes, the outer algorithm must repeat the signed one, the
    // rest is DER structure).
    let valid = common::conformance(
        "07-certificates/core-go-x509-testdata/openssl-minimum-self-signed.pem",
    );
    let valid = Certificate::parse_many(&valid)
        .unwrap()
        .remove(0)
        .der()
        .to_vec();
    validate_code_signing_chain(
        &[Certificate::from_der(&valid).unwrap()],
        None,
        &DefaultProvider,
    )
    .expect("positive control: the unflipped certificate validates");
    for i in 0..valid.len() {
        let mut flipped = valid.clone();
        flipped[i] ^= 0x01;
        if let Ok(c) = Certificate::parse_many(&flipped) {
            assert!(
                validate_code_signing_chain(&c, None, &DefaultProvider).is_err(),
                "byte {i} flipped: the certificate still validates"
            );
        }
    }
    let mut nested = vec![0x30, 0x84, 0x00, 0x10, 0x00, 0x00];
    nested.extend(std::iter::repeat_n(0x30u8, 64));
    assert!(Certificate::parse_many(&nested).is_err());
    assert!(Certificate::parse_many(&vec![0xff; 1 << 20]).is_err());
    assert!(
        Certificate::parse_many(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
            .is_err()
    );
    assert!(
        Certificate::parse_many(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .is_err()
    );
}

/// The outer signatureAlgorithm is not signed; Go's x509 refuses a
/// certificate whose outer copy differs from the signed one, and so do we
/// (found by the byte-flip property test in envelopes.rs).
#[test]
fn outer_signature_algorithm_must_match_the_signed_one() {
    let der = cs("rootCert").der().to_vec();
    Certificate::from_der(&der).unwrap();
    // The outer AlgorithmIdentifier follows the TBSCertificate; its
    // parameters are the NULL just before the signature BIT STRING
    // (RSA: ... 05 00 03 82 ...).
    let at = der
        .windows(4)
        .rposition(|w| w[0] == 0x05 && w[1] == 0x00 && w[2] == 0x03)
        .unwrap();
    let mut bad = der.clone();
    bad[at] = 0x45; // [APPLICATION 5]: still a well-formed ANY
    assert_eq!(
        Certificate::from_der(&bad).unwrap_err().to_string(),
        "x509: inner and outer signature algorithm identifiers don't match"
    );
}
