//! A certificate's names are checked when it is parsed, as Go's parser
//! does (a value Go cannot read fails the parse with the same error as
//! before), and made into text only when asked for.
// Requirements: H1, L4.

mod common;

use notation_core::x509::{Certificate, CertificateParseError};

fn leaf_der() -> Vec<u8> {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/pki/ec-256.chain.pem"
    ))
    .unwrap();
    Certificate::parse_many(&pem).unwrap()[0].der().to_vec()
}

/// The DER with the first byte of `value` inside the subject changed to
/// `to` (the TLV lengths stay; only the signature no longer matches).
fn with_subject_byte(der: &[u8], value: &[u8], to: u8) -> Vec<u8> {
    let cert = Certificate::from_der(der).unwrap();
    let subject = cert.raw_subject();
    let subject_at = der
        .windows(subject.len())
        .position(|w| w == subject)
        .unwrap();
    let at = subject
        .windows(value.len())
        .position(|w| w == value)
        .unwrap_or_else(|| panic!("{:?} not in the subject", String::from_utf8_lossy(value)));
    let mut changed = der.to_vec();
    changed[subject_at + at] = to;
    changed
}

#[test]
fn a_value_go_cannot_read_fails_the_parse() {
    let der = leaf_der();
    let cert = Certificate::from_der(&der).unwrap();
    assert!(
        cert.subject().to_string().contains("O=Notary"),
        "{}",
        cert.subject()
    );
    // A byte that is neither printable nor UTF-8, whichever string type
    // the organization is.
    let bad = with_subject_byte(&der, b"Notary", 0xff);
    match Certificate::from_der(&bad) {
        Err(CertificateParseError::InvalidName(message)) => {
            assert!(
                message.starts_with("invalid attribute value: invalid "),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn names_read_when_asked_are_the_same_every_time() {
    let der = leaf_der();
    let cert = Certificate::from_der(&der).unwrap();
    let clone = cert.clone();
    let (subject, issuer) = (cert.subject().to_string(), cert.issuer().to_string());
    assert_eq!(clone.subject().to_string(), subject);
    assert_eq!(clone.issuer().to_string(), issuer);
    assert_ne!(subject, issuer);
    assert_eq!(
        Certificate::from_der(&der).unwrap().subject(),
        cert.subject()
    );
}

/// A negative serial number fails the parse, as Go's parser (1.23 on, the
/// reference's) refuses it. The certificate is made by `openssl req
/// -set_serial -5`; the same one with serial 5 parses.
#[test]
fn a_negative_serial_number_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let make = |serial: &str| {
        common::openssl(
            dir.path(),
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=serial",
                "-days",
                "1",
                "-set_serial",
                serial,
                "-keyout",
                "k.pem",
                "-out",
                "c.pem",
            ],
        );
        std::fs::read(dir.path().join("c.pem")).unwrap()
    };
    assert!(Certificate::parse_many(&make("5")).is_ok());
    assert_eq!(
        Certificate::parse_many(&make("-5")).unwrap_err(),
        CertificateParseError::NegativeSerial
    );
}
