//! Signing with an RFC 3161 timestamp through the C ABI, against a real
//! TSA: `openssl ts -reply` behind the repository's loopback HTTP server
//! (testdata/tsa/make-live-tsa.sh and tsa-http.py). openssl and python3 are
//! required; a missing one fails the test.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::ptr;

use common::*;
use notation::*;

struct Tsa {
    child: Child,
    url: String,
    root: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Tsa {
    fn start() -> Self {
        require("openssl", "version", "the timestamping tests");
        require("python3", "--version", "the timestamping tests");
        let dir = tempfile::tempdir().unwrap();
        let tsa = repo_root().join("testdata/tsa");
        let status = Command::new(tsa.join("make-live-tsa.sh"))
            .arg(dir.path())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "make-live-tsa.sh failed");
        let mut child = Command::new("python3")
            .arg(tsa.join("tsa-http.py"))
            .arg(dir.path().join("tsa.cnf"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().expect("the TSA prints its port");
        Tsa {
            child,
            url: format!("http://127.0.0.1:{port}/"),
            root: std::fs::read(dir.path().join("root.crt")).unwrap(),
            _dir: dir,
        }
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn timestamped_signatures_verify_with_the_tsa_root_and_failures_are_reported() {
    let tsa = Tsa::start();
    let signer = new_signer("ec-256.key", "ec-256.chain.pem");
    let options = sign_options(notation_envelope_format::Cose);
    let url = cstr(&tsa.url);
    // SAFETY: live options, a valid string and slice.
    unsafe {
        ok(notation_sign_options_set_timestamping(
            options,
            url.as_ptr(),
            tsa.root.as_ptr(),
            tsa.root.len(),
        ));
    }
    let signature = sign_blob(signer, b"timestamped", options);

    // A policy that always verifies the timestamp, with the TSA root in a
    // `tsa` store.
    let policy = r#"{"version":"1.0","trustPolicies":[{"name":"ts","globalPolicy":true,
        "signatureVerification":{"level":"strict","verifyTimestamp":"always"},
        "trustStores":["ca:test","tsa:tsa"],"trustedIdentities":["*"]}]}"#;
    let config = memory_config();
    let tsa_store = cstr("tsa");
    // SAFETY: a live configuration, valid strings and slices.
    unsafe {
        ok(notation_config_set_blob_policy(
            config,
            policy.as_ptr(),
            policy.len(),
        ));
        ok(notation_config_add_certificates(
            config,
            notation_trust_store_type::Tsa as u32,
            tsa_store.as_ptr(),
            tsa.root.as_ptr(),
            tsa.root.len(),
        ));
        ok(notation_config_set_revocation_mode(
            config,
            notation_revocation_mode::Offline as u32,
        ));
    }
    let verifier = verifier_for(config);
    let result = new_result();
    ok(verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Cose,
        b"timestamped",
        ptr::null(),
        result,
    ));
    assert!(checks(result).contains(&(
        notation_check::AuthenticTimestamp,
        notation_check_action::Enforce,
        true
    )));

    // Without a timestamp the same policy fails the authentic timestamp.
    let plain = sign_blob(signer, b"timestamped", ptr::null());
    let rc = verify_blob(
        verifier,
        &plain,
        notation_envelope_format::Jws,
        b"timestamped",
        ptr::null(),
        result,
    );
    assert_eq!(rc, notation_result::VerificationFailed);
    let index = checks(result)
        .iter()
        .position(|c| c.0 == notation_check::AuthenticTimestamp)
        .unwrap();
    assert_eq!(
        check_failure(result, index).unwrap(),
        "no timestamp countersignature was found in the signature envelope"
    );

    // A TSA whose tokens do not chain to the root given.
    let other_root = pki("root.crt");
    let wrong = sign_options(notation_envelope_format::Jws);
    let mut out = ptr::null_mut();
    // SAFETY: live handles, valid strings and slices.
    unsafe {
        ok(notation_sign_options_set_timestamping(
            wrong,
            url.as_ptr(),
            other_root.as_ptr(),
            other_root.len(),
        ));
        assert_eq!(
            notation_signer_sign_blob(signer, b"x".as_ptr(), 1, wrong, &mut out),
            notation_result::TimestampFailed
        );
        assert!(out.is_null());
        assert!(last_error().starts_with("timestamp: "), "{}", last_error());

        // Refused when set: not http(s), no certificate.
        let ftp = cstr("ftp://tsa.example/");
        assert_eq!(
            notation_sign_options_set_timestamping(
                wrong,
                ftp.as_ptr(),
                tsa.root.as_ptr(),
                tsa.root.len()
            ),
            notation_result::InvalidArgument
        );
        assert_eq!(
            notation_sign_options_set_timestamping(wrong, url.as_ptr(), ptr::null(), 0),
            notation_result::CertificateInvalid
        );
    }
}
