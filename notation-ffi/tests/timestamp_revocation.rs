//! Signing with a timestamp through the C ABI checks the TSA chain's
//! revocation (REQUIREMENTS O1, the CVE-2024-56138 class; audit finding
//! "Medium"): against a real TSA (`openssl ts -reply`) whose certificate is
//! revoked by a real OCSP responder (`openssl ocsp`) or by a CRL on
//! loopback HTTP, `notation_signer_sign_blob` fails with
//! `NOTATION_RESULT_TIMESTAMP_FAILED`, the reason, and no output.

mod common;
#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/servers.rs"]
mod servers;

use std::ptr;

use common::*;
use notation::*;
use servers::RevokedBy;

/// One test in this binary: it sets `NOTATION_CACHE` (where the C ABI's
/// revocation checker caches CRLs) while no other thread runs.
#[test]
fn signing_with_a_revoked_tsa_fails() {
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: this binary's only test runs on one thread and nothing else
    // reads the environment while it changes.
    unsafe { std::env::set_var("NOTATION_CACHE", cache.path()) };
    let mut signer = new_signer("ec-256.key", "ec-256.chain.pem");
    for by in [RevokedBy::Ocsp, RevokedBy::Crl] {
        let dir = tempfile::tempdir().unwrap();
        let revoked = servers::revoked_tsa(dir.path(), by);
        let root = std::fs::read(dir.path().join("root.crt")).unwrap();
        let url = cstr(&revoked.tsa.url());
        let mut options = sign_options(notation_envelope_format::Jws);
        let mut out = ptr::null_mut();
        // SAFETY: live handles, valid strings and slices, a writable
        // out-parameter.
        unsafe {
            ok(notation_sign_options_set_timestamping(
                options,
                url.as_ptr(),
                root.as_ptr(),
                root.len(),
            ));
            assert_eq!(
                notation_signer_sign_blob(signer, b"x".as_ptr(), 1, options, &mut out),
                notation_result::TimestampFailed,
                "{by:?}"
            );
        }
        assert!(out.is_null(), "{by:?}: an envelope was returned");
        assert_eq!(
            last_error(),
            "timestamp: timestamping certificate with subject \"CN=Live Test TSA,O=Notary,L=Seattle,ST=WA,C=US\" is revoked",
            "{by:?}"
        );
        // SAFETY: options from sign_options, freed once.
        unsafe { notation_sign_options_free(&mut options) };
    }
    // The CRL was fetched through the cache under NOTATION_CACHE.
    assert_eq!(
        std::fs::read_dir(cache.path().join("crl")).unwrap().count(),
        1
    );
    // SAFETY: a live signer, freed once.
    unsafe { notation_signer_free(&mut signer) };
}
