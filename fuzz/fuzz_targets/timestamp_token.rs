//! Parses arbitrary bytes as an RFC 3161 TimeStampToken and as a
//! TimeStampResp, and runs the verification paths over whatever parses: the
//! TSTInfo, the countersignature check against a fixed message, and the
//! chain check against the reference's GlobalSign root (O2-O5).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use notation_core::algorithm::HashAlgorithm;
use notation_core::crypto::DefaultProvider;
use notation_core::timestamp::{SignedToken, TimestampRequest, TimestampResponse};
use notation_core::x509::Certificate;

fn roots() -> &'static [Certificate] {
    static ROOTS: OnceLock<Vec<Certificate>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        Certificate::parse_many(include_bytes!(
            "../../../shared/conformance/04-timestamp-tokens/tspclient-go/GlobalSignRootCA.crt"
        ))
        .expect("GlobalSign root parses")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = SignedToken::parse(data) {
        if let Ok(info) = token.tst_info() {
            let _ = info.gen_time();
        }
        let _ = token.certificates().len();
        let _ = token.verify_countersignature(b"notation", roots(), &DefaultProvider);
    }
    if let Ok(response) = TimestampResponse::parse(data) {
        let _ = response.status().error();
        let request = TimestampRequest::new(b"notation", HashAlgorithm::Sha256)
            .expect("request")
            .with_nonce(None);
        let _ = response.validate_for(&request);
    }
});
