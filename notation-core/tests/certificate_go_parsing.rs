//! What the reference's certificate parser refuses in certificates
//! Notation otherwise reads: extensions it does not act on (Authority
//! Information Access, Authority and Subject Key Identifier) and public keys
//! Go cannot use. Certificates made with openssl (extension bytes given as
//! DER) and parsed as a chain or trust store would.
// Requirements: H7, P1.

mod common;

use common::openssl;
use notation_core::x509::{Certificate, CertificateParseError};

/// A P-256 leaf with `extension` (an openssl extension line) issued by a
/// fresh CA.
fn leaf_with(extension: &str) -> Vec<u8> {
    leaf_on("P-256", extension)
}

/// A leaf with a key on `curve` and `extension`, issued by a fresh CA.
fn leaf_on(curve: &str, extension: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=CA",
            "-days",
            "2",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            &format!("ec_paramgen_curve:{curve}"),
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=leaf",
        ],
    );
    std::fs::write(
        d.join("ext.cnf"),
        format!(
            "keyUsage = critical, digitalSignature\nextendedKeyUsage = codeSigning\n{extension}\n"
        ),
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "7",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
            "-outform",
            "DER",
            "-out",
            "leaf.der",
        ],
    );
    std::fs::read(d.join("leaf.der")).unwrap()
}

/// `SEQUENCE { id-ad-ocsp, [6] "http://127.0.0.1:9/ocsp" }`.
const OCSP: &str = "302306082b060105050730018617687474703a2f2f3132372e302e302e313a392f6f637370";

const AIA: &str = "1.3.6.1.5.5.7.1.1";

#[test]
fn ocsp_urls_survive_what_the_other_parser_could_not_decode() {
    // One OCSP URI and a caIssuers location that is an x400Address ([3]):
    // Go reads the URI and skips the rest; the whole extension must not be
    // dropped (which lost the OCSP URL, and with no CRL, revocation
    // checking altogether).
    let x400 = "300c06082b06010505073002a300";
    let value = format!("30{:02x}{OCSP}{x400}", (OCSP.len() + x400.len()) / 2);
    let cert = Certificate::from_der(&leaf_with(&format!("{AIA} = DER:{value}"))).unwrap();
    assert_eq!(cert.ocsp_urls(), ["http://127.0.0.1:9/ocsp"]);
    // Non-ASCII bytes in a URI (not an IA5String) are read too.
    let odd = "300e06082b060105050730018602e961";
    let value = format!("30{:02x}{OCSP}{odd}", (OCSP.len() + odd.len()) / 2);
    let cert = Certificate::from_der(&leaf_with(&format!("{AIA} = DER:{value}"))).unwrap();
    assert_eq!(cert.ocsp_urls(), ["http://127.0.0.1:9/ocsp", "\u{fffd}a"]);
}

#[test]
fn the_extensions_go_refuses_fail_the_certificate_with_its_text() {
    let refused = |extension: &str| match Certificate::from_der(&leaf_with(extension)) {
        Err(e @ CertificateParseError::Refused(_)) => e.to_string(),
        other => panic!("{extension}: {other:?}"),
    };
    let aia = format!("30{:02x}{OCSP}", OCSP.len() / 2);
    assert_eq!(
        refused(&format!("{AIA} = critical, DER:{aia}")),
        "x509: authority info access incorrectly marked critical"
    );
    // An access method that is not an OBJECT IDENTIFIER.
    assert_eq!(
        refused(&format!("{AIA} = DER:300430020400")),
        "x509: invalid authority info access"
    );
    assert_eq!(
        refused("2.5.29.35 = critical, DER:30038001aa"),
        "x509: authority key identifier incorrectly marked critical"
    );
    assert_eq!(
        refused("2.5.29.35 = DER:0401aa"),
        "x509: invalid authority key identifier"
    );
    assert_eq!(
        refused("2.5.29.14 = critical, DER:0401aa"),
        "x509: subject key identifier incorrectly marked critical"
    );
    // openssl writes only an OCTET STRING there: the value's tag is
    // changed to SEQUENCE after (the parse fails before any signature).
    let mut der = leaf_with("2.5.29.14 = DER:0401aa");
    let at = der
        .windows(5)
        .position(|w| w == [0x04, 0x03, 0x04, 0x01, 0xaa])
        .unwrap();
    der[at + 2] = 0x30;
    assert_eq!(
        Certificate::from_der(&der).unwrap_err().to_string(),
        "x509: invalid subject key identifier"
    );
    // Well-formed and not critical: accepted, the OCSP URL read.
    let cert = Certificate::from_der(&leaf_with(&format!(
        "{AIA} = DER:{aia}\n2.5.29.35 = DER:30038001aa\n2.5.29.14 = DER:0401aa"
    )))
    .unwrap();
    assert_eq!(cert.ocsp_urls(), ["http://127.0.0.1:9/ocsp"]);
}

#[test]
fn keys_on_curves_go_does_not_know_fail_the_certificate() {
    for curve in ["secp256k1", "brainpoolP256r1"] {
        match Certificate::from_der(&leaf_on(curve, "")) {
            Err(e @ CertificateParseError::Refused(_)) => {
                assert_eq!(e.to_string(), "x509: unsupported elliptic curve")
            }
            other => panic!("{curve}: {other:?}"),
        }
    }
    // P-224, which Go parses (Notation refuses it as a signing key later).
    let cert = Certificate::from_der(&leaf_on("P-224", "")).unwrap();
    assert!(cert.public_key().key_spec().is_err());
}

#[test]
fn extensions_of_a_certificate_before_version_3_are_ignored() {
    // Go reads extensions of version 3 certificates only. The version is
    // changed to 2 after openssl wrote a critical AIA (the signature no
    // longer matches; parsing comes first).
    let aia = format!("30{:02x}{OCSP}", OCSP.len() / 2);
    let mut der = leaf_with(&format!("{AIA} = critical, DER:{aia}"));
    let at = der
        .windows(5)
        .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x02])
        .unwrap();
    der[at + 4] = 0x01;
    let cert = Certificate::from_der(&der).unwrap();
    assert_eq!(cert.version(), 2);
    assert!(cert.ocsp_urls().is_empty());
    assert!(cert.key_usage().is_none() && cert.basic_constraints().is_none());
}
