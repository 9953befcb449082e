//! What a verdict tells about the signer and about failures: the verified
//! certificate chain (available exactly when authenticity passed), a
//! signature refused by the thumbprint pre-filter reported as an
//! authenticity failure with its reason, and messages on one line.

mod common;

use std::path::Path;
use std::process::Command;
use std::ptr;

use common::*;
use notation::*;

/// What openssl says about a certificate file: (subject, issuer, SHA-256
/// fingerprint, notBefore, notAfter), names in RFC 2253 order.
fn openssl_facts(pem: &Path) -> (String, String, String, i64, i64) {
    let out = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-issuer",
            "-fingerprint",
            "-sha256",
        ])
        .args([
            "-startdate",
            "-enddate",
            "-nameopt",
            "RFC2253",
            "-dateopt",
            "iso_8601",
        ])
        .arg("-in")
        .arg(pem)
        .output()
        .expect("openssl is required (the plugin tests use it too)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_string()
    };
    let time = |value: String| {
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
        time::PrimitiveDateTime::parse(&value, &format)
            .unwrap()
            .assume_utc()
            .unix_timestamp()
    };
    (
        field("subject="),
        field("issuer="),
        field("sha256 Fingerprint=").replace(':', "").to_lowercase(),
        time(field("notBefore=")),
        time(field("notAfter=")),
    )
}

/// The verdict's verified chain: each certificate's (subject, issuer,
/// fingerprint, notBefore, notAfter) and DER bytes.
type ChainEntry = ((String, String, String, i64, i64), Vec<u8>);

fn verified_chain(verdict: *const notation_verdict) -> Result<Vec<ChainEntry>, notation_result> {
    let mut count = 0;
    // SAFETY: verdict is live; out-parameters and buffers are valid.
    unsafe {
        let rc = notation_verdict_certificate_count(verdict, &mut count);
        if rc != notation_result::Ok {
            return Err(rc);
        }
        Ok((0..count)
            .map(|i| {
                let text = |f: unsafe extern "C" fn(
                    *const notation_verdict,
                    usize,
                    *mut std::ffi::c_char,
                    usize,
                    *mut usize,
                ) -> notation_result| {
                    read_string(|b, l, n| f(verdict, i, b, l, n)).unwrap()
                };
                let (mut not_before, mut not_after) = (0, 0);
                ok(notation_verdict_certificate_validity(
                    verdict,
                    i,
                    &mut not_before,
                    &mut not_after,
                ));
                let mut der = ptr::null_mut();
                ok(notation_verdict_certificate_der(verdict, i, &mut der));
                let bytes = buffer_bytes(der);
                notation_buffer_free(&mut der);
                (
                    (
                        text(notation_verdict_certificate_subject),
                        text(notation_verdict_certificate_issuer),
                        text(notation_verdict_certificate_sha256),
                        not_before,
                        not_after,
                    ),
                    bytes,
                )
            })
            .collect())
    }
}

/// Checks a verified chain against the PKI files it came from.
fn assert_chain_is(verdict: *const notation_verdict, files: &[&str]) {
    let chain = verified_chain(verdict).expect("the signer's chain is available");
    assert_eq!(chain.len(), files.len());
    for ((facts, der), file) in chain.iter().zip(files) {
        assert_eq!(facts, &openssl_facts(&pki_path(file)), "{file}");
        let pem = String::from_utf8(pki(file)).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let out = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(pki_path(file))
            .output()
            .unwrap();
        assert!(!body.is_empty());
        assert_eq!(der, &out.stdout, "{file}: DER bytes");
    }
}

#[test]
fn the_verified_signer_chain_is_available_exactly_when_authenticity_passed() {
    common::plugin::require_tools();
    let mut config = memory_config();
    let mut verifier = verifier_for(config);
    let mut signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let mut verdict = new_result();
    let leaf_chain = ["rsa-2048.crt", "intermediate.crt", "root.crt"];

    // Before any verification.
    assert_eq!(verified_chain(verdict), Err(notation_result::NotAvailable));

    // Verified: the chain, leaf first, as openssl reads the PKI files.
    let signature = sign_blob(signer, b"signed blob", ptr::null());
    ok(verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        b"signed blob",
        ptr::null(),
        verdict,
    ));
    assert_chain_is(verdict, &leaf_chain);
    let mut needed = 0;
    // SAFETY: verdict is live; the buffer pointers are valid.
    unsafe {
        let mut buf = [0 as std::ffi::c_char; 8];
        assert_eq!(
            notation_verdict_certificate_subject(verdict, 3, buf.as_mut_ptr(), 8, &mut needed),
            notation_result::IndexOutOfRange
        );
        let mut der = ptr::null_mut();
        assert_eq!(
            notation_verdict_certificate_der(verdict, 3, &mut der),
            notation_result::IndexOutOfRange
        );
        assert!(der.is_null());
        assert_eq!(
            notation_verdict_certificate_count(ptr::null(), &mut needed),
            notation_result::NullParameter
        );
    }

    // The signature verified but signs other content: authenticity passed,
    // the signer is known.
    assert_eq!(
        verify_blob(
            verifier,
            &signature,
            notation_envelope_format::Jws,
            b"other blob",
            ptr::null(),
            verdict,
        ),
        notation_result::ArtifactMismatch
    );
    assert_chain_is(verdict, &leaf_chain);

    // An untrusted signer: not available, under enforce and under log (the
    // call passes under audit, but the chain is not verified).
    let mut untrusted = new_signer("self-signed.key", "self-signed.crt");
    let bad = sign_blob(untrusted, b"blob", ptr::null());
    assert_eq!(
        verify_blob(
            verifier,
            &bad,
            notation_envelope_format::Jws,
            b"blob",
            ptr::null(),
            verdict
        ),
        notation_result::VerificationFailed
    );
    assert_eq!(verified_chain(verdict), Err(notation_result::NotAvailable));
    let mut options = ptr::null_mut();
    let audit = cstr("audit");
    // SAFETY: writable out-parameter, then live options and a string.
    unsafe {
        ok(notation_verify_options_new(&mut options));
        ok(notation_verify_options_set_policy_name(
            options,
            audit.as_ptr(),
        ));
    }
    ok(verify_blob(
        verifier,
        &bad,
        notation_envelope_format::Jws,
        b"blob",
        options,
        verdict,
    ));
    assert_eq!(verified_chain(verdict), Err(notation_result::NotAvailable));
    // SAFETY: verdict is live; read_string passes valid buffers.
    let message =
        read_string(|b, l, n| unsafe { notation_verdict_certificate_subject(verdict, 0, b, l, n) });
    assert_eq!(message, Err(notation_result::NotAvailable));
    assert_eq!(
        last_error(),
        "the signer's certificate chain is not available: the authenticity check did not pass"
    );

    // An artifact: the chain of the signature that verified.
    let dir = tempfile::tempdir().unwrap();
    let layout = e2e_layout(dir.path());
    let (path, reference, scope) = (
        cstr(layout.to_str().unwrap()),
        cstr("v1"),
        cstr("local/e2e"),
    );
    let mut target = ptr::null_mut();
    let mut ec = new_signer("ec-384.key", "ec-384.chain.pem");
    // SAFETY: valid strings, live handles, writable out-parameters.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));
        ok(notation_signer_sign_artifact(
            ec,
            target,
            ptr::null(),
            ptr::null_mut(),
        ));
        ok(notation_verifier_verify_artifact(
            verifier,
            target,
            ptr::null(),
            verdict,
        ));
    }
    assert_chain_is(verdict, &["ec-384.crt", "intermediate.crt", "root.crt"]);

    // SAFETY: live handles, each freed once.
    unsafe {
        notation_target_free(&mut target);
        notation_verify_options_free(&mut options);
        notation_signer_free(&mut ec);
        notation_signer_free(&mut untrusted);
        notation_signer_free(&mut signer);
        notation_verdict_free(&mut verdict);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

/// Every message a verdict or a failing call gives, for the one-line check.
fn messages(verdict: *const notation_verdict) -> Vec<String> {
    let mut all = vec![last_error()];
    all.extend(result_failure(verdict));
    let mut count = 0;
    // SAFETY: verdict is live; read_string passes valid buffers.
    unsafe {
        ok(notation_verdict_check_count(verdict, &mut count));
        all.extend((0..count).filter_map(|i| check_failure(verdict, i).ok()));
        ok(notation_verdict_signature_failure_count(
            verdict, &mut count,
        ));
        all.extend((0..count).map(|i| {
            read_string(|b, l, n| notation_verdict_signature_failure(verdict, i, b, l, n)).unwrap()
        }));
    }
    all
}

#[test]
fn signatures_refused_by_the_thumbprint_prefilter_fail_authenticity_with_their_reason() {
    let mut config = memory_config();
    let mut verifier = verifier_for(config);
    let mut untrusted = new_signer("self-signed.key", "self-signed.crt");
    let mut verdict = new_result();
    let dir = tempfile::tempdir().unwrap();
    let layout = e2e_layout(dir.path());
    let (path, reference, scope) = (
        cstr(layout.to_str().unwrap()),
        cstr("v1"),
        cstr("local/e2e"),
    );
    let mut target = ptr::null_mut();
    let reason = "the thumbprints of its certificate chain match no certificate trusted by trust policy \"e2e\"; it was not fetched";
    // SAFETY: valid strings, live handles, writable out-parameters.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));
        let mut signed = ptr::null_mut();
        ok(notation_signer_sign_artifact(
            untrusted,
            target,
            ptr::null(),
            &mut signed,
        ));
        let first = take_signed_digest(signed);
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target, ptr::null(), verdict),
            notation_result::VerificationFailed
        );
        // One check, authenticity, failed under enforce, with the reason.
        assert_eq!(
            checks(verdict),
            vec![(
                notation_check::Authenticity,
                notation_check_action::Enforce,
                false
            )]
        );
        assert_eq!(check_failure(verdict, 0), Ok(reason.to_string()));
        assert_eq!(
            read_string(|b, l, n| notation_verdict_signature_digest(verdict, b, l, n)),
            Ok(first.clone())
        );
        assert_eq!(verified_chain(verdict), Err(notation_result::NotAvailable));
        let failure = result_failure(verdict).unwrap();
        assert!(
            failure.ends_with(&format!(": {first}: {reason}")),
            "{failure}"
        );

        // Two refused signatures: the message names both, on one line.
        let mut signed = ptr::null_mut();
        ok(notation_signer_sign_artifact(
            untrusted,
            target,
            ptr::null(),
            &mut signed,
        ));
        let second = take_signed_digest(signed);
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target, ptr::null(), verdict),
            notation_result::VerificationFailed
        );
        let failure = result_failure(verdict).unwrap();
        assert!(
            failure.contains(&first) && failure.contains(&second),
            "{failure}"
        );
        assert_eq!(checks(verdict).len(), 1);
        for message in messages(verdict) {
            assert!(
                !message.contains('\n'),
                "a message on two lines: {message:?}"
            );
        }
        notation_target_free(&mut target);
        notation_signer_free(&mut untrusted);
        notation_verdict_free(&mut verdict);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

#[test]
fn no_message_has_a_line_break() {
    // Every code's text.
    for code in notation_result::ALL {
        // SAFETY: read_string passes valid buffers.
        let text =
            read_string(|b, l, n| unsafe { notation_result_text(code as u32, b, l, n) }).unwrap();
        assert!(!text.contains('\n'), "{code:?}: {text:?}");
    }
    // Signatures that all fail after being fetched (a trusted signer, a
    // required metadata value they lack), then the limit on how many are
    // tried: the aggregated messages stay on one line.
    let mut config = memory_config();
    let mut verifier = verifier_for(config);
    let mut signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let mut verdict = new_result();
    let dir = tempfile::tempdir().unwrap();
    let layout = e2e_layout(dir.path());
    let (path, reference, scope) = (
        cstr(layout.to_str().unwrap()),
        cstr("v1"),
        cstr("local/e2e"),
    );
    let (key, value) = (cstr("team"), cstr("absent"));
    let mut target = ptr::null_mut();
    let mut options = ptr::null_mut();
    // SAFETY: valid strings, live handles, writable out-parameters.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));
        for _ in 0..3 {
            ok(notation_signer_sign_artifact(
                signer,
                target,
                ptr::null(),
                ptr::null_mut(),
            ));
        }
        ok(notation_verify_options_new(&mut options));
        ok(notation_verify_options_add_user_metadata(
            options,
            key.as_ptr(),
            value.as_ptr(),
        ));
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target, options, verdict),
            notation_result::UserMetadataMismatch
        );
        let all = messages(verdict);
        assert_eq!(
            all[1]
                .matches("unable to find specified metadata in the signature")
                .count(),
            3,
            "{}",
            all[1]
        );
        for message in all {
            assert!(
                !message.contains('\n'),
                "a message on two lines: {message:?}"
            );
        }
        ok(notation_verify_options_set_max_signatures(options, 2));
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target, options, verdict),
            notation_result::TooManySignatures
        );
        for message in messages(verdict) {
            assert!(
                !message.contains('\n'),
                "a message on two lines: {message:?}"
            );
        }
        notation_verify_options_free(&mut options);
        notation_target_free(&mut target);
        notation_signer_free(&mut signer);
        notation_verdict_free(&mut verdict);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}
