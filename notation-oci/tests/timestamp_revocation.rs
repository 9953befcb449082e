//! The TSA chain's revocation is checked when signing with a timestamp
//! (REQUIREMENTS O1, the CVE-2024-56138 class; audit finding "Medium"):
//! against a real TSA (`openssl ts -reply`) whose certificate is revoked by
//! a real OCSP responder (`openssl ocsp`) or by a CRL served on loopback,
//! `HttpTimestamper` refuses the token unless its caller opted out by name.

mod support;

use notation_core::algorithm::HashAlgorithm;
use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::timestamp::{TimestampError, Timestamper, TsaRevocationError};
use notation_core::x509::Certificate;
use notation_oci::tsa::HttpTimestamper;
use support::servers::{self, RevokedBy};

const TSA_SUBJECT: &str = "CN=Live Test TSA,O=Notary,L=Seattle,ST=WA,C=US";

fn signer() -> LocalSigner {
    let dir = servers::testdata().join("pki");
    LocalSigner::from_files(&dir.join("ec-256.key"), &dir.join("ec-256.chain.pem")).unwrap()
}

fn root(dir: &std::path::Path) -> Vec<Certificate> {
    Certificate::parse_many(&std::fs::read(dir.join("root.crt")).unwrap()).unwrap()
}

#[test]
fn a_tsa_revoked_by_ocsp_or_crl_fails_signing() {
    for by in [RevokedBy::Ocsp, RevokedBy::Crl] {
        let dir = tempfile::tempdir().unwrap();
        let revoked = servers::revoked_tsa(dir.path(), by);
        let timestamper = HttpTimestamper::new(revoked.tsa.url(), root(dir.path())).unwrap();
        let err = timestamper
            .timestamp(b"a signature", HashAlgorithm::Sha256)
            .unwrap_err();
        assert!(
            matches!(
                &err,
                TimestampError::Revocation(TsaRevocationError::Revoked { subject })
                    if subject == TSA_SUBJECT
            ),
            "{by:?}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("timestamping certificate with subject {TSA_SUBJECT:?} is revoked")
        );
        // Signing fails with it: no envelope.
        let options = BlobSignOptions::new(EnvelopeFormat::Jws).timestamper(Some(&timestamper));
        let err =
            sign_blob(&signer(), &mut &b"content"[..], &options, &DefaultProvider).unwrap_err();
        assert!(err.to_string().contains("is revoked"), "{by:?}: {err}");

        // Positive control: the TSA itself works; only the named opt-out
        // skips the check.
        let unchecked = HttpTimestamper::new(revoked.tsa.url(), root(dir.path()))
            .unwrap()
            .without_revocation_check();
        unchecked
            .timestamp(b"a signature", HashAlgorithm::Sha256)
            .unwrap();
    }
}

/// When no responder answers, the status is unknown and signing fails too.
#[test]
fn a_tsa_whose_revocation_status_is_unknown_fails_signing() {
    let dir = tempfile::tempdir().unwrap();
    let revoked = servers::revoked_tsa(dir.path(), RevokedBy::Ocsp);
    drop(revoked.revocation);
    let timestamper = HttpTimestamper::new(revoked.tsa.url(), root(dir.path())).unwrap();
    let err = timestamper
        .timestamp(b"a signature", HashAlgorithm::Sha256)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            TimestampError::Revocation(TsaRevocationError::Unknown { subject })
                if subject == TSA_SUBJECT
        ),
        "{err:?}"
    );
}
