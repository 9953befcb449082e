//! The C ABI called from Rust: every area of the API (blobs, configuration,
//! trust stores and policies, result codes and buffers). Hostile callers are
//! in `hostile_calls.rs`, OCI layouts in `layout_abi.rs`.

mod common;

use std::ffi::c_char;
use std::ptr;

use common::*;
use notation::*;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn handles_are_send_and_sync() {
    assert_send_sync::<notation_config>();
    assert_send_sync::<notation_verifier>();
    assert_send_sync::<notation_signer>();
    assert_send_sync::<notation_sign_options>();
    assert_send_sync::<notation_verify_options>();
    assert_send_sync::<notation_verdict>();
    assert_send_sync::<notation_buffer>();
    assert_send_sync::<notation_target>();
    assert_send_sync::<notation_signature_list>();
    assert_send_sync::<notation_copy_options>();
    assert_send_sync::<notation_copy_report>();
    assert_send_sync::<notation_batch_report>();
}

#[test]
fn version() {
    // SAFETY: a static NUL-terminated string.
    let v = unsafe { std::ffi::CStr::from_ptr(notation_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

/// Codes are part of the ABI: this table must only ever grow.
#[test]
fn result_codes_are_never_renumbered() {
    use notation_result::*;
    let pinned: &[(notation_result, u32)] = &[
        (Ok, 0),
        (NullParameter, 1),
        (InvalidUtf8, 2),
        (BufferTooSmall, 3),
        (InvalidArgument, 4),
        (InputTooLarge, 5),
        (IndexOutOfRange, 6),
        (NotAvailable, 7),
        (Unsupported, 8),
        (Io, 9),
        (Panic, 99),
        (Config, 1000),
        (PolicyNotPresent, 1001),
        (PolicyMalformed, 1002),
        (PolicyInvalid, 1003),
        (TrustStoreInvalid, 1004),
        (CertificateInvalid, 1005),
        (KeyNotFound, 1006),
        (SigningKeyInvalid, 2000),
        (CertificateChainInvalid, 2001),
        (KeyMismatch, 2002),
        (KeyUnsupported, 2003),
        (PluginKeyUnsupported, 2004),
        (SigningFailed, 2005),
        (UserMetadataInvalid, 2006),
        (ExpiryInvalid, 2007),
        (TimestampFailed, 2008),
        (VerificationFailed, 3000),
        (NoTrustPolicy, 3001),
        (NoApplicablePolicy, 3002),
        (ArtifactMismatch, 3003),
        (UserMetadataMismatch, 3004),
        (VerificationInconclusive, 3005),
        (PayloadInvalid, 3006),
        (SignatureFileNameInvalid, 3007),
        (EnvelopeInvalid, 3008),
        (ReferenceInvalid, 4000),
        (NotFound, 4001),
        (DigestMismatch, 4002),
        (NoSignature, 4003),
        (TooManySignatures, 4004),
        (LayoutInvalid, 4005),
        (RepositoryError, 4006),
        (RegistryError, 4007),
        (RegistryUnauthorized, 4008),
        // Plugin support.
        (PluginNotFound, 2009),
        (PluginFailed, 2010),
        (PluginCapabilityMissing, 2011),
        (VerificationPluginFailed, 3009),
        // PKCS#11 keys.
        (Pkcs11Failed, 2012),
        (Pkcs11PinInvalid, 2013),
    ];
    assert_eq!(pinned.len(), notation_result::ALL.len());
    for (code, number) in pinned {
        assert_eq!(*code as u32, *number, "{code:?}");
        assert_eq!(notation_result::from_u32(*number), Some(*code));
    }
}

/// The batch outcomes' numbers are part of the ABI: never renumbered.
#[test]
fn batch_outcome_numbers_are_pinned() {
    for (outcome, number) in [
        (notation_batch_outcome::Verified, 1),
        (notation_batch_outcome::Skipped, 2),
        (notation_batch_outcome::Failed, 3),
        (notation_batch_outcome::Unsigned, 4),
        (notation_batch_outcome::Error, 5),
    ] {
        assert_eq!(outcome as u32, number, "{outcome:?}");
    }
    assert_eq!(NOTATION_MAX_BATCH_REFERENCES, 100_000);
}

#[test]
fn result_text_and_buffer_rules() {
    for code in notation_result::ALL {
        // SAFETY: read_string passes valid buffers.
        let text =
            read_string(|b, l, n| unsafe { notation_result_text(code as u32, b, l, n) }).unwrap();
        assert!(!text.is_empty());
    }
    // SAFETY: read_string passes valid buffers.
    let unknown = read_string(|b, l, n| unsafe { notation_result_text(12345, b, l, n) }).unwrap();
    assert_eq!(unknown, "unknown result code 12345");

    let code = notation_result::VerificationFailed as u32;
    let expected = "signature verification failed";
    let mut needed = 0usize;
    let mut small = [0x55 as c_char; 8];
    // SAFETY: small is writable for its length; needed is writable.
    unsafe {
        // Too small: the size is reported, the buffer untouched.
        assert_eq!(
            notation_result_text(code, small.as_mut_ptr(), small.len(), &mut needed),
            notation_result::BufferTooSmall
        );
        assert_eq!(needed, expected.len() + 1);
        assert!(small.iter().all(|&c| c == 0x55));
        // Exactly the size needed works.
        let mut exact = vec![0 as c_char; needed];
        let mut written = 0;
        ok(notation_result_text(
            code,
            exact.as_mut_ptr(),
            exact.len(),
            &mut written,
        ));
        assert_eq!(written, needed);
        // NULL buffer with a length, NULL out_needed.
        assert_eq!(
            notation_result_text(code, ptr::null_mut(), 10, &mut needed),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_result_text(code, small.as_mut_ptr(), small.len(), ptr::null_mut()),
            notation_result::NullParameter
        );
    }
}

#[test]
fn last_error_survives_being_asked_with_a_small_buffer() {
    // SAFETY: NULL out-parameter on purpose.
    assert_eq!(
        unsafe { notation_config_new(ptr::null_mut()) },
        notation_result::NullParameter
    );
    let message = last_error();
    assert_eq!(message, "argument out_config is NULL");
    let mut needed = 0;
    let mut small = [0 as c_char; 4];
    // SAFETY: small is writable for its length.
    let rc = unsafe { notation_last_error(small.as_mut_ptr(), small.len(), &mut needed) };
    assert_eq!(rc, notation_result::BufferTooSmall);
    assert_eq!(last_error(), message);
}

#[test]
fn blob_sign_and_verify_both_formats_with_per_check_outcomes() {
    let mut config = memory_config();
    let mut verifier = verifier_for(config);
    let mut signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let mut result = new_result();
    let blob = b"hello, notation";
    for format in [
        notation_envelope_format::Jws,
        notation_envelope_format::Cose,
    ] {
        let mut options = sign_options(format);
        let signature = sign_blob(signer, blob, options);
        let rc = verify_blob(verifier, &signature, format, blob, ptr::null(), result);
        ok(rc);
        let mut passed = false;
        let mut code = notation_result::Panic;
        let mut skipped = true;
        // SAFETY: live result, writable out-parameters.
        unsafe {
            ok(notation_verdict_passed(result, &mut passed));
            ok(notation_verdict_code(result, &mut code));
            ok(notation_verdict_skipped(result, &mut skipped));
        }
        assert!(passed);
        assert!(!skipped);
        assert_eq!(code, notation_result::Ok);
        assert_eq!(
            checks(result),
            [
                (
                    notation_check::Integrity,
                    notation_check_action::Enforce,
                    true
                ),
                (
                    notation_check::Authenticity,
                    notation_check_action::Enforce,
                    true
                ),
                (notation_check::Expiry, notation_check_action::Enforce, true),
                (
                    notation_check::AuthenticTimestamp,
                    notation_check_action::Enforce,
                    true
                ),
                (
                    notation_check::Revocation,
                    notation_check_action::Enforce,
                    true
                ),
            ]
        );
        assert_eq!(result_failure(result), Err(notation_result::NotAvailable));
        assert_eq!(check_failure(result, 0), Err(notation_result::NotAvailable));
        assert_eq!(
            check_failure(result, 5),
            Err(notation_result::IndexOutOfRange)
        );
        // SAFETY: live result; read_string passes valid buffers.
        unsafe {
            assert_eq!(
                read_string(|b, l, n| notation_verdict_policy_name(result, b, l, n)),
                Ok("strict".to_string())
            );
            assert_eq!(
                read_string(|b, l, n| notation_verdict_payload_media_type(result, b, l, n)),
                Ok("application/octet-stream".to_string())
            );
            let digest =
                read_string(|b, l, n| notation_verdict_payload_digest(result, b, l, n)).unwrap();
            assert!(digest.starts_with("sha256:"), "{digest}");
            let mut size = 0;
            ok(notation_verdict_payload_size(result, &mut size));
            assert_eq!(size, blob.len() as u64);
            assert_eq!(
                read_string(|b, l, n| notation_verdict_signature_digest(result, b, l, n)),
                Err(notation_result::NotAvailable)
            );
            notation_sign_options_free(&mut options);
        }
    }
    // SAFETY: freeing live handles through their variables.
    unsafe {
        notation_verdict_free(&mut result);
        notation_signer_free(&mut signer);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
    assert!(result.is_null() && signer.is_null() && verifier.is_null() && config.is_null());
}

#[test]
fn tampered_blob_fails_after_every_check_passed() {
    let config = memory_config();
    let verifier = verifier_for(config);
    let signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let result = new_result();
    let signature = sign_blob(signer, b"original", ptr::null());
    let rc = verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        b"tampered",
        ptr::null(),
        result,
    );
    assert_eq!(rc, notation_result::ArtifactMismatch);
    let mut passed = true;
    // SAFETY: live result.
    unsafe { ok(notation_verdict_passed(result, &mut passed)) };
    assert!(!passed);
    assert_eq!(
        result_failure(result).unwrap(),
        "integrity check failed. signature does not match the given blob"
    );
    assert!(checks(result).iter().all(|c| c.2));
    // The verifier's last error is the same message.
    // SAFETY: live verifier.
    let verifier_error =
        read_string(|b, l, n| unsafe { notation_verifier_last_error(verifier, b, l, n) });
    assert_eq!(verifier_error, result_failure(result));

    // A flipped signature byte fails integrity.
    let mut broken = signature.clone();
    let i = broken.len() - 10;
    broken[i] ^= 1;
    let rc = verify_blob(
        verifier,
        &broken,
        notation_envelope_format::Jws,
        b"original",
        ptr::null(),
        result,
    );
    assert_eq!(rc, notation_result::VerificationFailed);
    assert_eq!(
        checks(result),
        [(
            notation_check::Integrity,
            notation_check_action::Enforce,
            false
        )]
    );
    assert!(!check_failure(result, 0).unwrap().is_empty());
}

#[test]
fn untrusted_signer_fails_authenticity_and_audit_only_logs_it() {
    let config = memory_config();
    let verifier = verifier_for(config);
    let untrusted = new_signer("self-signed.key", "self-signed.crt");
    let result = new_result();
    let blob = b"blob";
    let signature = sign_blob(untrusted, blob, ptr::null());
    let rc = verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        blob,
        ptr::null(),
        result,
    );
    assert_eq!(rc, notation_result::VerificationFailed);
    assert_eq!(
        checks(result),
        [
            (
                notation_check::Integrity,
                notation_check_action::Enforce,
                true
            ),
            (
                notation_check::Authenticity,
                notation_check_action::Enforce,
                false
            ),
        ]
    );
    let failure = check_failure(result, 1).unwrap();
    assert_eq!(
        failure,
        "the signature's certificate chain does not contain any trusted certificate"
    );
    assert_eq!(result_failure(result).unwrap(), failure);

    // Under the `audit` statement the same failure is logged.
    let mut options = ptr::null_mut();
    let name = cstr("audit");
    // SAFETY: live handles and strings.
    unsafe {
        ok(notation_verify_options_new(&mut options));
        ok(notation_verify_options_set_policy_name(
            options,
            name.as_ptr(),
        ));
    }
    let rc = verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        blob,
        options,
        result,
    );
    ok(rc);
    let found = checks(result);
    assert_eq!(
        found[1],
        (
            notation_check::Authenticity,
            notation_check_action::Log,
            false
        )
    );
    assert_eq!(check_failure(result, 1).unwrap(), failure);

    // An unknown statement name.
    let missing = cstr("missing");
    // SAFETY: live handles and strings.
    unsafe {
        ok(notation_verify_options_set_policy_name(
            options,
            missing.as_ptr(),
        ))
    };
    let rc = verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        blob,
        options,
        result,
    );
    assert_eq!(rc, notation_result::NoApplicablePolicy);
    assert!(checks(result).is_empty());
    // SAFETY: live result; read_string passes valid buffers.
    let policy = read_string(|b, l, n| unsafe { notation_verdict_policy_name(result, b, l, n) });
    assert_eq!(policy, Err(notation_result::NotAvailable));
}

#[test]
fn trusted_identity_mismatch_and_other_leaf() {
    // The global blob statement trusts only the rsa-2048 leaf.
    let config = memory_config();
    let verifier = verifier_for(config);
    let ec = new_signer("ec-256.key", "ec-256.chain.pem");
    let result = new_result();
    let signature = sign_blob(ec, b"x", ptr::null());
    let rc = verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        b"x",
        ptr::null(),
        result,
    );
    assert_eq!(rc, notation_result::VerificationFailed);
    assert!(
        check_failure(result, 1)
            .unwrap()
            .contains("does not match the X.509 trusted identities"),
        "{:?}",
        check_failure(result, 1)
    );
}

#[test]
fn user_metadata_and_media_type() {
    let config = memory_config();
    let verifier = verifier_for(config);
    let signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let result = new_result();
    let options = sign_options(notation_envelope_format::Cose);
    let (k, v, mt) = (cstr("buildId"), cstr("42"), cstr("text/plain"));
    // SAFETY: live options and strings.
    unsafe {
        ok(notation_sign_options_add_user_metadata(
            options,
            k.as_ptr(),
            v.as_ptr(),
        ));
        assert_eq!(
            notation_sign_options_add_user_metadata(options, k.as_ptr(), v.as_ptr()),
            notation_result::UserMetadataInvalid
        );
        ok(notation_sign_options_set_media_type(options, mt.as_ptr()));
    }
    let signature = sign_blob(signer, b"data", options);

    let mut verify_options = ptr::null_mut();
    let other = cstr("43");
    // SAFETY: live handles and strings.
    unsafe {
        ok(notation_verify_options_new(&mut verify_options));
        ok(notation_verify_options_add_user_metadata(
            verify_options,
            k.as_ptr(),
            v.as_ptr(),
        ));
        ok(notation_verify_options_set_media_type(
            verify_options,
            mt.as_ptr(),
        ));
    }
    ok(verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Cose,
        b"data",
        verify_options,
        result,
    ));
    // SAFETY: live result; read_string passes valid buffers.
    let media_type =
        read_string(|b, l, n| unsafe { notation_verdict_payload_media_type(result, b, l, n) });
    assert_eq!(media_type.unwrap(), "text/plain");

    let mut mismatch = ptr::null_mut();
    // SAFETY: live handles and strings.
    unsafe {
        ok(notation_verify_options_new(&mut mismatch));
        ok(notation_verify_options_add_user_metadata(
            mismatch,
            k.as_ptr(),
            other.as_ptr(),
        ));
    }
    let rc = verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Cose,
        b"data",
        mismatch,
        result,
    );
    assert_eq!(rc, notation_result::UserMetadataMismatch);
    assert_eq!(
        result_failure(result).unwrap(),
        "unable to find specified metadata in the signature"
    );

    // Reserved keys are refused when signing.
    let reserved = cstr("io.cncf.notary.x");
    let bad = sign_options(notation_envelope_format::Jws);
    let mut out = ptr::null_mut();
    // SAFETY: live handles and strings.
    unsafe {
        ok(notation_sign_options_add_user_metadata(
            bad,
            reserved.as_ptr(),
            v.as_ptr(),
        ));
        assert_eq!(
            notation_signer_sign_blob(signer, b"x".as_ptr(), 1, bad, &mut out),
            notation_result::UserMetadataInvalid
        );
    }
    assert!(out.is_null(), "no output on failure");
}

#[test]
fn expiry_is_signed_and_bounded() {
    let signer = new_signer("ec-384.key", "ec-384.chain.pem");
    let options = sign_options(notation_envelope_format::Jws);
    // SAFETY: live options.
    unsafe {
        assert_eq!(
            notation_sign_options_set_expiry_seconds(options, NOTATION_MAX_EXPIRY_SECONDS + 1),
            notation_result::ExpiryInvalid
        );
        ok(notation_sign_options_set_expiry_seconds(options, 3600));
    }
    let signature = sign_blob(signer, b"x", options);
    let mut list = ptr::null_mut();
    let (mut signing_time, mut expiry) = (0i64, 0i64);
    // SAFETY: valid slices and writable out-parameters.
    unsafe {
        ok(notation_envelope_inspect(
            signature.as_ptr(),
            signature.len(),
            notation_envelope_format::Jws as u32,
            &mut list,
        ));
        ok(notation_signature_list_signing_time(
            list,
            0,
            &mut signing_time,
        ));
        ok(notation_signature_list_expiry(list, 0, &mut expiry));
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_signature_algorithm(list, 0, b, l, n)),
            Ok("ECDSA-SHA-384".to_string())
        );
        let mut count = 0;
        ok(notation_signature_list_certificate_count(
            list, 0, &mut count,
        ));
        assert_eq!(count, 3);
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_certificate_subject(list, 0, 0, b, l, n)),
            Ok("CN=Notation Test Leaf ec-384,O=Notary,L=Seattle,ST=WA,C=US".to_string())
        );
        let fingerprint =
            read_string(|b, l, n| notation_signature_list_certificate_sha256(list, 0, 2, b, l, n))
                .unwrap();
        assert_eq!(fingerprint.len(), 64);
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_digest(list, 0, b, l, n)),
            Err(notation_result::NotAvailable)
        );
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_certificate_subject(list, 0, 3, b, l, n)),
            Err(notation_result::IndexOutOfRange)
        );
        notation_signature_list_free(&mut list);
    }
    assert_eq!(expiry - signing_time, 3600);

    // Garbage is not an envelope.
    let mut garbage_list = ptr::null_mut();
    // SAFETY: a valid slice.
    let rc = unsafe {
        notation_envelope_inspect(
            b"{}".as_ptr(),
            2,
            notation_envelope_format::Jws as u32,
            &mut garbage_list,
        )
    };
    assert_eq!(rc, notation_result::EnvelopeInvalid);
    assert!(garbage_list.is_null());
}

#[test]
fn files_sign_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let blob_path = dir.path().join("blob.txt");
    std::fs::write(&blob_path, b"file contents").unwrap();
    let config = memory_config();
    let verifier = verifier_for(config);
    let result = new_result();
    let key = cstr(pki_path("rsa-2048.key").to_str().unwrap());
    let chain = cstr(pki_path("rsa-2048.chain.pem").to_str().unwrap());
    let mut signer = ptr::null_mut();
    let mut signature = ptr::null_mut();
    let blob_c = cstr(blob_path.to_str().unwrap());
    // SAFETY: valid strings and out-parameters.
    unsafe {
        ok(notation_signer_new_from_files(
            key.as_ptr(),
            chain.as_ptr(),
            &mut signer,
        ));
        ok(notation_signer_sign_blob_file(
            signer,
            blob_c.as_ptr(),
            ptr::null(),
            &mut signature,
        ));
    }
    let sig_path = dir.path().join("blob.txt.jws.sig");
    std::fs::write(&sig_path, buffer_bytes(signature)).unwrap();
    let sig_c = cstr(sig_path.to_str().unwrap());
    // SAFETY: valid handles and strings.
    unsafe {
        ok(notation_verifier_verify_blob_file(
            verifier,
            sig_c.as_ptr(),
            blob_c.as_ptr(),
            ptr::null(),
            result,
        ));
        // A name without the format.
        let bad_name = dir.path().join("blob.sig");
        std::fs::write(&bad_name, buffer_bytes(signature)).unwrap();
        let bad_c = cstr(bad_name.to_str().unwrap());
        assert_eq!(
            notation_verifier_verify_blob_file(
                verifier,
                bad_c.as_ptr(),
                blob_c.as_ptr(),
                ptr::null(),
                result
            ),
            notation_result::SignatureFileNameInvalid
        );
        let missing = cstr(dir.path().join("missing.txt").to_str().unwrap());
        assert_eq!(
            notation_verifier_verify_blob_file(
                verifier,
                sig_c.as_ptr(),
                missing.as_ptr(),
                ptr::null(),
                result
            ),
            notation_result::Io
        );
        assert_eq!(
            notation_signer_sign_blob_file(signer, missing.as_ptr(), ptr::null(), &mut signature),
            notation_result::Io
        );
        notation_buffer_free(&mut signature);
    }
}

fn write_config_dir(dir: &std::path::Path) {
    std::fs::write(dir.join("trustpolicy.oci.json"), OCI_POLICY).unwrap();
    std::fs::write(dir.join("trustpolicy.blob.json"), BLOB_POLICY).unwrap();
    let store = dir.join("truststore/x509/ca/test");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("root.crt"), pki("root.crt")).unwrap();
    let keys = serde_json_like_signing_keys();
    std::fs::write(dir.join("signingkeys.json"), keys).unwrap();
}

fn serde_json_like_signing_keys() -> String {
    let p = |n: &str| pki_path(n).to_str().unwrap().replace('\\', "\\\\");
    format!(
        r#"{{"default":"rsa","keys":[
            {{"name":"rsa","keyPath":"{}","certPath":"{}"}},
            {{"name":"ec","keyPath":"{}","certPath":"{}"}},
            {{"name":"kms","id":"key-1","pluginName":"some-kms"}}]}}"#,
        p("rsa-2048.key"),
        p("rsa-2048.chain.pem"),
        p("ec-256.key"),
        p("ec-256.chain.pem"),
    )
}

#[test]
fn configuration_directory_and_signing_keys() {
    let dir = tempfile::tempdir().unwrap();
    write_config_dir(dir.path());
    let path = cstr(dir.path().to_str().unwrap());
    let mut config = ptr::null_mut();
    let mut signer = ptr::null_mut();
    let mut ec = ptr::null_mut();
    let result = new_result();
    // SAFETY: valid strings, handles and out-parameters throughout.
    unsafe {
        ok(notation_config_open_dir(path.as_ptr(), &mut config));
        ok(notation_signer_new_from_config(
            config,
            ptr::null(),
            &mut signer,
        ));
        let ec_name = cstr("ec");
        ok(notation_signer_new_from_config(
            config,
            ec_name.as_ptr(),
            &mut ec,
        ));
        let mut none = ptr::null_mut();
        let missing = cstr("missing");
        assert_eq!(
            notation_signer_new_from_config(config, missing.as_ptr(), &mut none),
            notation_result::KeyNotFound
        );
        assert_eq!(
            read_string(|b, l, n| notation_config_last_error(config, b, l, n)),
            Ok("signing key missing not found".to_string())
        );
        // A plugin key: its plugin is looked for in the installation's
        // plugin directory (tests/plugin/ signs with installed ones)...
        let kms = cstr("kms");
        assert_eq!(
            notation_signer_new_from_config(config, kms.as_ptr(), &mut none),
            notation_result::PluginNotFound
        );
        assert!(none.is_null());
        // ...and with plugins disabled it cannot be used.
        ok(notation_config_set_plugin_dir(config, ptr::null()));
        assert_eq!(
            notation_signer_new_from_config(config, kms.as_ptr(), &mut none),
            notation_result::PluginKeyUnsupported
        );
        assert!(none.is_null());
        // A directory configuration reads its stores from disk.
        let name = cstr("test");
        let root = pki("root.crt");
        assert_eq!(
            notation_config_add_certificates(
                config,
                notation_trust_store_type::Ca as u32,
                name.as_ptr(),
                root.as_ptr(),
                root.len()
            ),
            notation_result::Unsupported
        );
        let verifier = verifier_for(config);
        let signature = sign_blob(signer, b"x", ptr::null());
        ok(verify_blob(
            verifier,
            &signature,
            notation_envelope_format::Jws,
            b"x",
            ptr::null(),
            result,
        ));

        // An in-memory configuration has no signing keys.
        let memory = memory_config();
        assert_eq!(
            notation_signer_new_from_config(memory, ptr::null(), &mut none),
            notation_result::NotAvailable
        );

        // A configuration is the subject of the calls that read it: a
        // value it does not have, and files of it that are broken.
        let mut needed = 0;
        assert_eq!(
            notation_config_plugin_dir(config, ptr::null_mut(), 0, &mut needed),
            notation_result::NotAvailable
        );
        assert!(
            read_string(|b, l, n| notation_config_last_error(config, b, l, n))
                .unwrap()
                .contains("plugins are disabled")
        );
        std::fs::write(dir.path().join("config.json"), "{not json").unwrap();
        let reference = cstr("localhost:5000/app:v1");
        let mut target = ptr::null_mut();
        assert_ne!(
            notation_target_new_registry(config, reference.as_ptr(), &mut target),
            notation_result::Ok
        );
        assert!(target.is_null());
        assert!(
            read_string(|b, l, n| notation_config_last_error(config, b, l, n))
                .unwrap()
                .contains("config.json")
        );
        std::fs::remove_file(dir.path().join("config.json")).unwrap();
    }

    // Errors when opening.
    let mut bad = ptr::null_mut();
    let missing = cstr(dir.path().join("nope").to_str().unwrap());
    // SAFETY: valid strings and out-parameters.
    unsafe {
        assert_eq!(
            notation_config_open_dir(missing.as_ptr(), &mut bad),
            notation_result::Io
        );
        std::fs::write(dir.path().join("trustpolicy.blob.json"), "{").unwrap();
        assert_eq!(
            notation_config_open_dir(path.as_ptr(), &mut bad),
            notation_result::PolicyMalformed
        );
        std::fs::write(
            dir.path().join("trustpolicy.blob.json"),
            r#"{"version":"2.0","trustPolicies":[]}"#,
        )
        .unwrap();
        assert_eq!(
            notation_config_open_dir(path.as_ptr(), &mut bad),
            notation_result::PolicyInvalid
        );
        assert_eq!(
            last_error(),
            "blob trust policy document uses unsupported version \"2.0\""
        );
        // Only an OCI policy: fine; verifying a blob then has no policy.
        std::fs::remove_file(dir.path().join("trustpolicy.blob.json")).unwrap();
        ok(notation_config_open_dir(path.as_ptr(), &mut bad));
        let verifier = verifier_for(bad);
        let rc = verify_blob(
            verifier,
            b"x",
            notation_envelope_format::Jws,
            b"x",
            ptr::null(),
            result,
        );
        assert_eq!(rc, notation_result::NoTrustPolicy);
    }
    assert!(!bad.is_null());
}

#[test]
fn revocation_settings() {
    let config = memory_config();
    // SAFETY: a live configuration.
    unsafe {
        assert_eq!(
            notation_config_set_revocation_mode(config, 0),
            notation_result::InvalidArgument
        );
        ok(notation_config_set_revocation_timeouts(config, 500, 0));
        ok(notation_config_set_revocation_mode(
            config,
            notation_revocation_mode::Offline as u32,
        ));
    }
    // The test PKI carries no revocation information: both modes pass it.
    let offline = verifier_for(config);
    // SAFETY: a live configuration.
    ok(unsafe {
        notation_config_set_revocation_mode(config, notation_revocation_mode::Online as u32)
    });
    let online = verifier_for(config);
    let signer = new_signer("ec-521.key", "ec-521.chain.pem");
    let mut options = ptr::null_mut();
    let any_leaf = cstr("any-leaf");
    // SAFETY: writable out-parameter, live options, a valid string.
    unsafe {
        ok(notation_verify_options_new(&mut options));
        ok(notation_verify_options_set_policy_name(
            options,
            any_leaf.as_ptr(),
        ));
    }
    let signature = sign_blob(signer, b"x", ptr::null());
    let result = new_result();
    for verifier in [offline, online] {
        ok(verify_blob(
            verifier,
            &signature,
            notation_envelope_format::Jws,
            b"x",
            options,
            result,
        ));
        assert_eq!(
            checks(result).last(),
            Some(&(
                notation_check::Revocation,
                notation_check_action::Enforce,
                true
            ))
        );
    }
}

#[test]
fn empty_configuration_cannot_build_a_verifier() {
    let mut config = ptr::null_mut();
    let mut verifier = ptr::null_mut();
    // SAFETY: valid out-parameters.
    unsafe {
        ok(notation_config_new(&mut config));
        assert_eq!(
            notation_verifier_new(config, &mut verifier),
            notation_result::PolicyNotPresent
        );
    }
    assert!(verifier.is_null());
}

#[test]
fn trust_store_certificates_are_checked() {
    let mut config = ptr::null_mut();
    let name = cstr("test");
    let leaf = pki("rsa-2048.crt");
    // SAFETY: valid handles, strings and slices.
    unsafe {
        ok(notation_config_new(&mut config));
        assert_eq!(
            notation_config_add_certificates(
                config,
                notation_trust_store_type::Ca as u32,
                name.as_ptr(),
                leaf.as_ptr(),
                leaf.len()
            ),
            notation_result::TrustStoreInvalid
        );
        assert_eq!(
            notation_config_add_certificates(config, 1, name.as_ptr(), b"junk".as_ptr(), 4),
            notation_result::CertificateInvalid
        );
        assert_eq!(
            notation_config_add_certificates(config, 9, name.as_ptr(), leaf.as_ptr(), leaf.len()),
            notation_result::InvalidArgument
        );
        let bad_name = cstr("a/b");
        let root = pki("root.crt");
        assert_eq!(
            notation_config_add_certificates(
                config,
                1,
                bad_name.as_ptr(),
                root.as_ptr(),
                root.len()
            ),
            notation_result::TrustStoreInvalid
        );
    }
}

#[test]
fn trust_policy_validation() {
    let validate = |kind: u32, json: &str| {
        // SAFETY: a valid slice.
        unsafe { notation_trust_policy_validate(kind, json.as_ptr(), json.len()) }
    };
    ok(validate(notation_policy_kind::Oci as u32, OCI_POLICY));
    ok(validate(notation_policy_kind::Blob as u32, BLOB_POLICY));
    assert_eq!(validate(1, "{"), notation_result::PolicyMalformed);
    assert_eq!(validate(2, "[]"), notation_result::PolicyMalformed);
    assert_eq!(
        validate(1, r#"{"version":"1.0","trustPolicies":[]}"#),
        notation_result::PolicyInvalid
    );
    assert_eq!(
        last_error(),
        "oci trust policy document can not have zero trust policy statements"
    );
    // A blob document is not an OCI one (no registry scopes).
    assert_eq!(validate(1, BLOB_POLICY), notation_result::PolicyInvalid);
    assert_eq!(validate(7, OCI_POLICY), notation_result::InvalidArgument);
    // The conformance documents with their expected errors.
    for dir in [
        "06-trust-policies/derived-oci",
        "06-trust-policies/derived-blob",
    ] {
        let kind = if dir.ends_with("oci") { 1 } else { 2 };
        for entry in std::fs::read_dir(conformance(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let json = std::fs::read(&path).unwrap();
                // SAFETY: a valid slice.
                let rc = unsafe { notation_trust_policy_validate(kind, json.as_ptr(), json.len()) };
                assert!(
                    matches!(
                        rc,
                        notation_result::Ok
                            | notation_result::PolicyMalformed
                            | notation_result::PolicyInvalid
                    ),
                    "{}: {rc:?}",
                    path.display()
                );
            }
        }
    }
    // Oversized input is refused before it is read.
    let one = [b'{'];
    // SAFETY: the length is checked before any byte is read.
    let rc = unsafe { notation_trust_policy_validate(1, one.as_ptr(), 1024 * 1024 + 1) };
    assert_eq!(rc, notation_result::InputTooLarge);
}
