//! The C ABI called from Rust by hostile callers: NULL pointers, invalid
//! UTF-8 and enums, oversized lengths, double frees, accessors before any
//! verification, many threads sharing one verifier.

mod common;

use std::ffi::c_char;
use std::ptr;

use common::*;
use notation::*;

#[test]
fn null_pointers_are_refused_without_effect() {
    let config = memory_config();
    let verifier = verifier_for(config);
    let signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let result = new_result();
    let s = cstr("x");
    let null = notation_result::NullParameter;
    let mut out_buffer: *mut notation_buffer = ptr::null_mut();
    let mut out_config: *mut notation_config = ptr::null_mut();
    let mut out_verifier: *mut notation_verifier = ptr::null_mut();
    let mut out_signer: *mut notation_signer = ptr::null_mut();
    let mut out_target: *mut notation_target = ptr::null_mut();
    let mut out_list: *mut notation_signature_list = ptr::null_mut();
    let mut needed = 0usize;
    // SAFETY: NULL pointers are what is being tested; everything else is
    // valid.
    unsafe {
        assert_eq!(notation_config_open_dir(ptr::null(), &mut out_config), null);
        assert_eq!(notation_config_open_dir(s.as_ptr(), ptr::null_mut()), null);
        assert_eq!(notation_config_open_default(ptr::null_mut()), null);
        assert_eq!(
            notation_config_set_oci_policy(ptr::null_mut(), b"{}".as_ptr(), 2),
            null
        );
        assert_eq!(notation_config_set_oci_policy(config, ptr::null(), 2), null);
        assert_eq!(
            notation_config_set_blob_policy(config, ptr::null(), 5),
            null
        );
        assert_eq!(
            notation_config_add_certificates(config, 1, ptr::null(), b"x".as_ptr(), 1),
            null
        );
        assert_eq!(notation_verifier_new(ptr::null(), &mut out_verifier), null);
        assert_eq!(notation_verifier_new(config, ptr::null_mut()), null);
        assert_eq!(
            notation_signer_new(ptr::null(), 5, b"x".as_ptr(), 1, &mut out_signer),
            null
        );
        assert_eq!(
            notation_signer_new_from_files(ptr::null(), s.as_ptr(), &mut out_signer),
            null
        );
        assert_eq!(
            notation_signer_new_from_config(ptr::null(), ptr::null(), &mut out_signer),
            null
        );
        assert_eq!(
            notation_signer_sign_blob(ptr::null(), b"x".as_ptr(), 1, ptr::null(), &mut out_buffer),
            null
        );
        assert_eq!(
            notation_signer_sign_blob(signer, ptr::null(), 1, ptr::null(), &mut out_buffer),
            null
        );
        assert_eq!(
            notation_signer_sign_blob(signer, b"x".as_ptr(), 1, ptr::null(), ptr::null_mut()),
            null
        );
        assert_eq!(
            notation_signer_sign_blob_file(signer, ptr::null(), ptr::null(), &mut out_buffer),
            null
        );
        assert_eq!(
            notation_verifier_verify_blob(
                verifier,
                b"x".as_ptr(),
                1,
                1,
                b"x".as_ptr(),
                1,
                ptr::null(),
                ptr::null_mut()
            ),
            null
        );
        assert_eq!(
            notation_verifier_verify_blob(
                ptr::null(),
                b"x".as_ptr(),
                1,
                1,
                b"x".as_ptr(),
                1,
                ptr::null(),
                result
            ),
            null
        );
        // The result records a NULL argument of the verification too.
        let mut code = notation_result::Ok;
        ok(notation_verdict_code(result, &mut code));
        assert_eq!(code, null);
        assert_eq!(
            notation_verifier_verify_blob(
                verifier,
                ptr::null(),
                1,
                1,
                b"x".as_ptr(),
                1,
                ptr::null(),
                result
            ),
            null
        );
        assert_eq!(
            notation_verifier_verify_blob_file(
                verifier,
                ptr::null(),
                s.as_ptr(),
                ptr::null(),
                result
            ),
            null
        );
        assert_eq!(
            notation_verifier_verify_artifact(verifier, ptr::null(), ptr::null(), result),
            null
        );
        assert_eq!(
            notation_target_new_oci_layout(ptr::null(), s.as_ptr(), ptr::null(), &mut out_target),
            null
        );
        assert_eq!(
            notation_target_new_registry(ptr::null(), ptr::null(), &mut out_target),
            null
        );
        assert_eq!(
            notation_target_list_signatures(ptr::null(), &mut out_list),
            null
        );
        assert_eq!(
            notation_target_inspect_signatures(ptr::null(), 0, &mut out_list),
            null
        );
        assert_eq!(
            notation_signer_sign_artifact(signer, ptr::null_mut(), ptr::null(), ptr::null_mut()),
            null
        );
        assert_eq!(
            notation_envelope_inspect(ptr::null(), 3, 1, &mut out_list),
            null
        );
        assert_eq!(notation_verdict_check_count(ptr::null(), &mut needed), null);
        assert_eq!(notation_verdict_check_count(result, ptr::null_mut()), null);
        assert_eq!(
            notation_verdict_check(result, 0, ptr::null_mut(), ptr::null_mut(), ptr::null_mut()),
            null
        );
        assert_eq!(
            notation_buffer_data(ptr::null(), ptr::null_mut(), ptr::null_mut()),
            null
        );
        assert_eq!(notation_sign_options_set_format(ptr::null_mut(), 1), null);
        assert_eq!(
            notation_sign_options_add_user_metadata(ptr::null_mut(), s.as_ptr(), s.as_ptr()),
            null
        );
        assert_eq!(
            notation_verify_options_set_policy_name(ptr::null_mut(), s.as_ptr()),
            null
        );
        assert_eq!(notation_trust_policy_validate(1, ptr::null(), 2), null);
        assert_eq!(
            notation_check_name(1, ptr::null_mut(), 4, &mut needed),
            null
        );
        assert_eq!(
            notation_check_action_name(1, ptr::null_mut(), 0, ptr::null_mut()),
            null
        );
        assert_eq!(
            notation_verifier_last_error(ptr::null(), ptr::null_mut(), 0, &mut needed),
            null
        );
        assert_eq!(
            notation_signer_last_error(signer, ptr::null_mut(), 0, ptr::null_mut()),
            null
        );
    }
    assert!(out_buffer.is_null() && out_config.is_null() && out_verifier.is_null());
    assert!(out_signer.is_null() && out_target.is_null() && out_list.is_null());
}

#[test]
fn invalid_utf8_and_invalid_enums() {
    let config = memory_config();
    let bad: &[u8] = b"\xff\xfe\0";
    let bad = bad.as_ptr().cast::<c_char>();
    let mut out_config = ptr::null_mut();
    let mut out_signer = ptr::null_mut();
    let mut out_target = ptr::null_mut();
    let mut options = ptr::null_mut();
    let mut verify_options = ptr::null_mut();
    let utf8 = notation_result::InvalidUtf8;
    let s = cstr("x");
    // SAFETY: NUL-terminated (invalid UTF-8) strings and valid handles.
    unsafe {
        ok(notation_sign_options_new(&mut options));
        ok(notation_verify_options_new(&mut verify_options));
        assert_eq!(notation_config_open_dir(bad, &mut out_config), utf8);
        assert_eq!(
            notation_signer_new_from_files(bad, s.as_ptr(), &mut out_signer),
            utf8
        );
        assert_eq!(
            notation_signer_new_from_config(config, bad, &mut out_signer),
            utf8
        );
        assert_eq!(
            notation_target_new_oci_layout(s.as_ptr(), bad, ptr::null(), &mut out_target),
            utf8
        );
        assert_eq!(
            notation_target_new_oci_layout(s.as_ptr(), s.as_ptr(), bad, &mut out_target),
            utf8
        );
        assert_eq!(notation_sign_options_set_media_type(options, bad), utf8);
        assert_eq!(
            notation_sign_options_add_user_metadata(options, s.as_ptr(), bad),
            utf8
        );
        assert_eq!(
            notation_verify_options_add_user_metadata(verify_options, bad, s.as_ptr()),
            utf8
        );
        assert_eq!(
            notation_config_add_certificates(config, 1, bad, b"x".as_ptr(), 1),
            utf8
        );
        assert!(last_error().contains("not valid UTF-8"), "{}", last_error());

        let invalid = notation_result::InvalidArgument;
        assert_eq!(notation_sign_options_set_format(options, 0), invalid);
        assert_eq!(notation_sign_options_set_format(options, 3), invalid);
        assert_eq!(notation_sign_options_set_manifest_form(options, 0), invalid);
        assert_eq!(
            notation_verify_options_set_max_signatures(verify_options, 0),
            invalid
        );
        assert_eq!(
            notation_verify_options_set_max_signatures(verify_options, 101),
            invalid
        );
        let empty = cstr("");
        assert_eq!(
            notation_sign_options_add_user_metadata(options, empty.as_ptr(), s.as_ptr()),
            invalid
        );
        let mut needed = 0;
        assert_eq!(
            notation_check_name(0, ptr::null_mut(), 0, &mut needed),
            invalid
        );
        assert_eq!(
            notation_check_action_name(4, ptr::null_mut(), 0, &mut needed),
            invalid
        );
        assert_eq!(
            read_string(|b, l, n| notation_check_name(
                notation_check::AuthenticTimestamp as u32,
                b,
                l,
                n
            )),
            Ok("authenticTimestamp".to_string())
        );
        assert_eq!(
            read_string(|b, l, n| notation_check_action_name(
                notation_check_action::Log as u32,
                b,
                l,
                n
            )),
            Ok("log".to_string())
        );
    }
    let verifier = verifier_for(config);
    let result = new_result();
    let rc = verify_blob(
        verifier,
        b"x",
        notation_envelope_format::Jws,
        b"x",
        ptr::null(),
        result,
    );
    // Not an envelope: the integrity check failed, recorded in the verdict.
    assert_eq!(rc, notation_result::EnvelopeInvalid);
    assert_eq!(
        checks(result),
        vec![(
            notation_check::Integrity,
            notation_check_action::Enforce,
            false
        )]
    );
    // SAFETY: valid slices; an unknown format value.
    let rc = unsafe {
        notation_verifier_verify_blob(
            verifier,
            b"x".as_ptr(),
            1,
            77,
            b"x".as_ptr(),
            1,
            ptr::null(),
            result,
        )
    };
    assert_eq!(rc, notation_result::InvalidArgument);
    assert!(out_config.is_null() && out_signer.is_null() && out_target.is_null());
}

#[test]
fn oversized_lengths_are_refused_before_reading() {
    let config = memory_config();
    let verifier = verifier_for(config);
    let result = new_result();
    let one = [0u8; 1];
    let mut out = ptr::null_mut();
    // SAFETY: the library checks lengths against its limits before reading,
    // so the oversized lengths below are never used to read.
    unsafe {
        assert_eq!(
            notation_verifier_verify_blob(
                verifier,
                one.as_ptr(),
                NOTATION_MAX_SIGNATURE_SIZE + 1,
                1,
                one.as_ptr(),
                1,
                ptr::null(),
                result
            ),
            notation_result::InputTooLarge
        );
        assert_eq!(
            notation_signer_new(one.as_ptr(), 2 * 1024 * 1024, one.as_ptr(), 1, &mut out),
            notation_result::InputTooLarge
        );
        assert_eq!(
            notation_config_set_oci_policy(config, one.as_ptr(), usize::MAX),
            notation_result::InputTooLarge
        );
        // NULL with length 0 is an empty input, not an error.
        assert_eq!(
            notation_trust_policy_validate(1, ptr::null(), 0),
            notation_result::PolicyMalformed
        );
    }
    assert!(out.is_null());
}

#[test]
fn double_free_through_the_documented_api_is_harmless() {
    let mut config = memory_config();
    let mut verifier = verifier_for(config);
    let mut signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let mut result = new_result();
    let mut options = sign_options(notation_envelope_format::Jws);
    let mut verify_options = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut list = ptr::null_mut();
    // SAFETY: each handle is freed through its variable, which is then NULL.
    unsafe {
        ok(notation_verify_options_new(&mut verify_options));
        ok(notation_signer_sign_blob(
            signer,
            b"x".as_ptr(),
            1,
            options,
            &mut buffer,
        ));
        let signature = buffer_bytes(buffer);
        ok(notation_envelope_inspect(
            signature.as_ptr(),
            signature.len(),
            1,
            &mut list,
        ));
        for _ in 0..2 {
            notation_config_free(&mut config);
            notation_verifier_free(&mut verifier);
            notation_signer_free(&mut signer);
            notation_verdict_free(&mut result);
            notation_sign_options_free(&mut options);
            notation_verify_options_free(&mut verify_options);
            notation_buffer_free(&mut buffer);
            notation_signature_list_free(&mut list);
        }
        // NULL variables and NULL addresses.
        notation_config_free(ptr::null_mut());
        notation_verifier_free(ptr::null_mut());
        notation_signer_free(ptr::null_mut());
        notation_verdict_free(ptr::null_mut());
        notation_sign_options_free(ptr::null_mut());
        notation_verify_options_free(ptr::null_mut());
        notation_buffer_free(ptr::null_mut());
        notation_signature_list_free(ptr::null_mut());
        notation_target_free(ptr::null_mut());
    }
    assert!(config.is_null() && verifier.is_null() && signer.is_null() && result.is_null());
    assert!(options.is_null() && verify_options.is_null() && buffer.is_null() && list.is_null());
}

#[test]
fn result_accessors_before_any_verification() {
    let result = new_result();
    let mut passed = true;
    // SAFETY: live result and writable out-parameters.
    unsafe {
        assert_eq!(
            notation_verdict_passed(result, &mut passed),
            notation_result::NotAvailable
        );
        let mut count = 9;
        assert_eq!(
            notation_verdict_check_count(result, &mut count),
            notation_result::NotAvailable
        );
        assert_eq!(count, 9, "untouched on failure");
    }
    assert!(passed, "untouched on failure");
}

#[test]
fn many_threads_verify_with_one_verifier() {
    let config = memory_config();
    let verifier = Shared(verifier_for(config));
    let rsa = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let untrusted = new_signer("self-signed.key", "self-signed.crt");
    let good = sign_blob(rsa, b"payload", ptr::null());
    let bad = sign_blob(untrusted, b"payload", ptr::null());
    let cose_options = sign_options(notation_envelope_format::Cose);
    let good_cose = sign_blob(rsa, b"payload", cose_options);
    let signer_shared = Shared(rsa);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let (good, bad, good_cose) = (&good, &bad, &good_cose);
            scope.spawn(move || {
                let verifier = verifier;
                let signer_shared = signer_shared;
                let mut result = new_result();
                for i in 0..12 {
                    let (signature, format, expected) = match (t + i) % 3 {
                        0 => (good, notation_envelope_format::Jws, notation_result::Ok),
                        1 => (
                            bad,
                            notation_envelope_format::Jws,
                            notation_result::VerificationFailed,
                        ),
                        _ => (
                            good_cose,
                            notation_envelope_format::Cose,
                            notation_result::Ok,
                        ),
                    };
                    let rc = verify_blob(
                        verifier.0,
                        signature,
                        format,
                        b"payload",
                        ptr::null(),
                        result,
                    );
                    assert_eq!(rc, expected);
                    let mut code = notation_result::Panic;
                    // SAFETY: live result.
                    unsafe { ok(notation_verdict_code(result, &mut code)) };
                    assert_eq!(code, expected, "each thread's result holds its own verdict");
                }
                // Signing from many threads with one signer, too.
                let signature = sign_blob(signer_shared.0, b"threaded", ptr::null());
                let rc = verify_blob(
                    verifier.0,
                    &signature,
                    notation_envelope_format::Jws,
                    b"threaded",
                    ptr::null(),
                    result,
                );
                assert_eq!(rc, notation_result::Ok);
                // SAFETY: this thread's own result.
                unsafe { notation_verdict_free(&mut result) };
            });
        }
    });
}
