//! A token vector's expected outcome at each step, and the run of one.

use notation_core::crypto::DefaultProvider;
use notation_core::timestamp::SignedToken;
use notation_core::x509::Certificate;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::vectors::{TOKENS, read};

/// What one step must give.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
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
pub(crate) struct TokenCase {
    pub(crate) file: &'static str,
    pub(crate) parse: Expect,
    pub(crate) tst_info: Expect,
    pub(crate) validate: Expect,
    pub(crate) signing_certificate: Expect,
    pub(crate) verify: Expect,
}

pub(crate) const fn ok(file: &'static str) -> TokenCase {
    TokenCase {
        file,
        parse: Expect::Ok,
        tst_info: Expect::Ok,
        validate: Expect::Ok,
        signing_certificate: Expect::Ok,
        verify: Expect::Ok,
    }
}

pub(crate) const UNEXPECTED_DATA: &str = "unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)";
pub(crate) const NO_SIGNING_CERTIFICATE_V2: &str =
    "failed to get SigningCertificateV2 from signed attributes: attribute not found";
pub(crate) const BAD_TST_INFO: &str =
    "cannot unmarshal TSTInfo from timestamp token: asn1: structure error: tags don't match";
pub(crate) const RSA_FAILURE: &str =
    "failed to verify signed token: cms verification failure: crypto/rsa: verification error";
pub(crate) const DIGEST_MISMATCH: &str =
    "failed to verify signed token: cms verification failure: mismatch message digest";
pub(crate) const MISMATCHED_MESSAGE: &str = "invalid TSTInfo: mismatched message";

/// Default time when genTime cannot be read.
pub(crate) const FALLBACK_TIME: OffsetDateTime = datetime!(2022-01-01 0:00 UTC);

pub(crate) fn run_token_case(dir: &str, case: &TokenCase, roots: &[Certificate]) {
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
