//! Drives the C ABI of notation-ffi with arbitrary bytes: the first byte
//! selects the call (policy validation, envelope inspection, blob
//! verification with every result accessor, trust store certificates,
//! result texts, the plugin string entry points), the rest is its input. libfuzzer-sys aborts on any panic,
//! so a panic caught by the ABI's guard is a finding too; a
//! NOTATION_RESULT_PANIC code is asserted never to come back.
#![no_main]

use std::ffi::{CString, c_char};
use std::ptr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use notation::*;

const ROOT: &[u8] = include_bytes!("../../testdata/pki/root.crt");
const BLOB_POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"fuzz","signatureVerification":{"level":"audit"},"trustStores":["ca:fuzz"],"trustedIdentities":["*"],"globalPolicy":true}]}"#;
const BLOB: &[u8] = b"fuzz";
/// A plugin directory that cannot exist: plugin names never contain a
/// path separator, so no executable is ever found, let alone run.
const NO_PLUGINS: &std::ffi::CStr = c"/nonexistent/notation-fuzz/plugins";

/// One verifier for every run (the ABI promises it is shareable).
struct Fixture(*mut notation_verifier);
// SAFETY: notation_verifier is documented as usable from any thread.
unsafe impl Send for Fixture {}
// SAFETY: as above.
unsafe impl Sync for Fixture {}

fn verifier() -> *const notation_verifier {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let mut config = ptr::null_mut();
            let mut verifier = ptr::null_mut();
            // SAFETY: valid pointers and lengths.
            unsafe {
                assert_eq!(notation_config_new(&mut config), notation_result::Ok);
                // Never the network, whatever certificates the input has.
                assert_eq!(
                    notation_config_set_revocation_mode(
                        config,
                        notation_revocation_mode::Offline as u32
                    ),
                    notation_result::Ok
                );
                assert_eq!(
                    notation_config_set_blob_policy(
                        config,
                        BLOB_POLICY.as_ptr(),
                        BLOB_POLICY.len()
                    ),
                    notation_result::Ok
                );
                assert_eq!(
                    notation_config_add_certificates(
                        config,
                        1,
                        c"fuzz".as_ptr(),
                        ROOT.as_ptr(),
                        ROOT.len()
                    ),
                    notation_result::Ok
                );
                assert_eq!(
                    notation_verifier_new(config, &mut verifier),
                    notation_result::Ok
                );
                notation_config_free(&mut config);
            }
            Fixture(verifier)
        })
        .0
}

fn no_panic(rc: notation_result) -> notation_result {
    assert_ne!(
        rc,
        notation_result::Panic,
        "a panic was caught at the boundary"
    );
    rc
}

/// Reads a string accessor with a tiny buffer, then a large one.
fn read(mut f: impl FnMut(*mut c_char, usize, *mut usize) -> notation_result) {
    let mut needed = 0usize;
    let mut small = [0 as c_char; 3];
    no_panic(f(small.as_mut_ptr(), small.len(), &mut needed));
    let mut big = vec![0 as c_char; 4096];
    no_panic(f(big.as_mut_ptr(), big.len(), &mut needed));
}

/// Every accessor of a signature list, at and past the end.
///
/// # Safety
/// `list` is a live list.
unsafe fn read_list(list: *const notation_signature_list) {
    let mut count = 0usize;
    // SAFETY: live list, writable out-parameters throughout.
    unsafe {
        no_panic(notation_signature_list_count(list, &mut count));
        read(|b, l, n| notation_signature_list_artifact_digest(list, b, l, n));
        for i in 0..=count {
            read(|b, l, n| notation_signature_list_digest(list, i, b, l, n));
            read(|b, l, n| notation_signature_list_envelope_media_type(list, i, b, l, n));
            read(|b, l, n| notation_signature_list_error(list, i, b, l, n));
            read(|b, l, n| notation_signature_list_signature_algorithm(list, i, b, l, n));
            let mut t = 0i64;
            no_panic(notation_signature_list_signing_time(list, i, &mut t));
            no_panic(notation_signature_list_expiry(list, i, &mut t));
            let mut certs = 0usize;
            no_panic(notation_signature_list_certificate_count(
                list, i, &mut certs,
            ));
            for j in 0..=certs.min(8) {
                read(|b, l, n| notation_signature_list_certificate_subject(list, i, j, b, l, n));
                read(|b, l, n| notation_signature_list_certificate_sha256(list, i, j, b, l, n));
            }
        }
    }
}

/// Every accessor of a verification result, at and past the end.
///
/// # Safety
/// `result` is a live result.
unsafe fn read_result(result: *const notation_verdict) {
    // SAFETY: live result, writable out-parameters throughout.
    unsafe {
        let mut code = notation_result::Ok;
        let mut flag = false;
        no_panic(notation_verdict_code(result, &mut code));
        no_panic(notation_verdict_passed(result, &mut flag));
        no_panic(notation_verdict_skipped(result, &mut flag));
        read(|b, l, n| notation_verdict_failure(result, b, l, n));
        read(|b, l, n| notation_verdict_policy_name(result, b, l, n));
        read(|b, l, n| notation_verdict_payload_media_type(result, b, l, n));
        read(|b, l, n| notation_verdict_payload_digest(result, b, l, n));
        read(|b, l, n| notation_verdict_signature_digest(result, b, l, n));
        read(|b, l, n| notation_verdict_artifact_digest(result, b, l, n));
        let mut size = 0u64;
        no_panic(notation_verdict_payload_size(result, &mut size));
        let mut count = 0usize;
        no_panic(notation_verdict_check_count(result, &mut count));
        for i in 0..=count {
            let mut check = notation_check::Integrity;
            let mut action = notation_check_action::Enforce;
            no_panic(notation_verdict_check(
                result,
                i,
                &mut check,
                &mut action,
                &mut flag,
            ));
            read(|b, l, n| notation_verdict_check_failure(result, i, b, l, n));
        }
        no_panic(notation_verdict_signature_failure_count(result, &mut count));
        read(|b, l, n| notation_verdict_signature_failure(result, 0, b, l, n));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    // SAFETY: every pointer below is valid for the length passed with it.
    unsafe {
        match selector % 9 {
            0 => {
                no_panic(notation_trust_policy_validate(
                    1,
                    input.as_ptr(),
                    input.len(),
                ));
            }
            1 => {
                no_panic(notation_trust_policy_validate(
                    2,
                    input.as_ptr(),
                    input.len(),
                ));
            }
            format @ (2 | 3) => {
                let mut list = ptr::null_mut();
                let format = u32::from(format) - 1;
                let rc = no_panic(notation_envelope_inspect(
                    input.as_ptr(),
                    input.len(),
                    format,
                    &mut list,
                ));
                if rc == notation_result::Ok {
                    read_list(list);
                }
                notation_signature_list_free(&mut list);
            }
            format @ (4 | 5) => {
                let mut result = ptr::null_mut();
                assert_eq!(notation_verdict_new(&mut result), notation_result::Ok);
                no_panic(notation_verifier_verify_blob(
                    verifier(),
                    input.as_ptr(),
                    input.len(),
                    u32::from(format) - 3,
                    BLOB.as_ptr(),
                    BLOB.len(),
                    ptr::null(),
                    result,
                ));
                read_result(result);
                notation_verdict_free(&mut result);
            }
            6 => {
                let mut config = ptr::null_mut();
                assert_eq!(notation_config_new(&mut config), notation_result::Ok);
                assert_eq!(
                    notation_config_set_revocation_mode(config, 2),
                    notation_result::Ok
                );
                for store_type in 1..=3 {
                    no_panic(notation_config_add_certificates(
                        config,
                        store_type,
                        c"fuzz".as_ptr(),
                        input.as_ptr(),
                        input.len(),
                    ));
                }
                no_panic(notation_config_set_blob_policy(
                    config,
                    input.as_ptr(),
                    input.len(),
                ));
                let mut verifier = ptr::null_mut();
                no_panic(notation_verifier_new(config, &mut verifier));
                notation_verifier_free(&mut verifier);
                notation_config_free(&mut config);
            }
            8 => {
                // The input split at NULs into C strings: a plugin
                // directory, plugin names, key ids, plugin config entries.
                let parts: Vec<CString> = input
                    .split(|b| *b == 0)
                    .map(|p| CString::new(p).unwrap())
                    .collect();
                let part = |i: usize| parts[i % parts.len()].as_ptr();
                let mut config = ptr::null_mut();
                assert_eq!(notation_config_new(&mut config), notation_result::Ok);
                no_panic(notation_config_set_plugin_dir(config, part(0)));
                read(|b, l, n| notation_config_plugin_dir(config, b, l, n));
                assert_eq!(
                    notation_config_set_plugin_dir(config, NO_PLUGINS.as_ptr()),
                    notation_result::Ok
                );
                let mut signer = ptr::null_mut();
                let rc = no_panic(notation_signer_new_plugin(
                    config,
                    part(1),
                    part(2),
                    &mut signer,
                ));
                assert_ne!(rc, notation_result::Ok, "no plugin is ever installed");
                assert!(signer.is_null());
                let mut sign = ptr::null_mut();
                let mut verify = ptr::null_mut();
                assert_eq!(notation_sign_options_new(&mut sign), notation_result::Ok);
                assert_eq!(
                    notation_verify_options_new(&mut verify),
                    notation_result::Ok
                );
                for i in 0..parts.len().min(16) {
                    no_panic(notation_sign_options_add_plugin_config(
                        sign,
                        part(i),
                        part(i + 1),
                    ));
                    no_panic(notation_verify_options_add_plugin_config(
                        verify,
                        part(i + 1),
                        part(i),
                    ));
                }
                notation_sign_options_free(&mut sign);
                notation_verify_options_free(&mut verify);
                notation_config_free(&mut config);
            }
            _ => {
                let code = input
                    .get(..4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0);
                read(|b, l, n| notation_result_text(code, b, l, n));
                read(|b, l, n| notation_last_error(b, l, n));
                read(|b, l, n| notation_check_name(code, b, l, n));
                read(|b, l, n| notation_check_action_name(code, b, l, n));
            }
        }
    }
});
