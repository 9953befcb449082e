//! Issue 12 items 1 and 4 through the C ABI: a configuration error reads
//! as one (a trust store the policy names that does not exist is
//! TRUST_STORE_INVALID with "does not exist", on the OCI path as on the
//! blob path), and a manifest that does not exist is NOT_FOUND naming what
//! was not found. (Item 2, an all-failed message naming each reason, is in
//! verdict.rs.)

mod common;

use std::ptr;

use common::*;
use notation::*;

/// An OCI policy for `local/e2e` that names the store `ca:missing`, which
/// the configuration does not have, under `level`.
fn missing_store_config(level: &str) -> *mut notation_config {
    let policy = format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"e2e","registryScopes":["local/e2e"],
        "signatureVerification":{{"level":"{level}"}},"trustStores":["ca:missing"],"trustedIdentities":["*"]}}]}}"#
    );
    let blob_policy = r#"{"version":"1.0","trustPolicies":[{"name":"blob","globalPolicy":true,
        "signatureVerification":{"level":"strict"},"trustStores":["ca:missing"],"trustedIdentities":["*"]}]}"#;
    let mut config = ptr::null_mut();
    // SAFETY: valid pointers and lengths; config is writable.
    unsafe {
        ok(notation_config_new(&mut config));
        ok(notation_config_set_oci_policy(
            config,
            policy.as_ptr(),
            policy.len(),
        ));
        ok(notation_config_set_blob_policy(
            config,
            blob_policy.as_ptr(),
            blob_policy.len(),
        ));
    }
    config
}

/// A layout target for `local/e2e` at `v1`, signed by the test key.
fn signed_layout(dir: &std::path::Path) -> *mut notation_target {
    let layout = e2e_layout(dir);
    let (path, reference, scope) = (
        cstr(layout.to_str().unwrap()),
        cstr("v1"),
        cstr("local/e2e"),
    );
    let mut target = ptr::null_mut();
    let mut signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    // SAFETY: valid strings, live handles, writable out-parameters.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));
        ok(notation_signer_sign_artifact(
            signer,
            target,
            ptr::null(),
            ptr::null_mut(),
        ));
        notation_signer_free(&mut signer);
    }
    target
}

#[test]
fn a_missing_trust_store_reads_as_a_configuration_error_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = signed_layout(dir.path());
    let expected = "the trust store \"missing\" of type \"ca\" does not exist";
    let mut config = missing_store_config("strict");
    let mut verifier = verifier_for(config);
    let mut verdict = new_result();
    // SAFETY: live handles.
    unsafe {
        // OCI: not "untrusted", not "match no certificate trusted".
        let rc = notation_verifier_verify_artifact(verifier, target, ptr::null(), verdict);
        let message = last_error();
        assert_eq!(rc, notation_result::TrustStoreInvalid, "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("match no certificate"), "{message}");
        // Blob: the same reason.
        let mut signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
        let signature = sign_blob(signer, b"blob", ptr::null());
        notation_signer_free(&mut signer);
        let rc = notation_verifier_verify_blob(
            verifier,
            signature.as_ptr(),
            signature.len(),
            notation_envelope_format::Jws as u32,
            b"blob".as_ptr(),
            4,
            ptr::null(),
            verdict,
        );
        let message = last_error();
        assert_ne!(rc, notation_result::Ok);
        assert!(message.contains(expected), "{message}");
        notation_verdict_free(&mut verdict);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
        notation_target_free(&mut target);
    }
}

#[test]
fn a_manifest_that_does_not_exist_is_not_found_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let layout = e2e_layout(dir.path());
    let mut config = memory_config();
    let mut verifier = verifier_for(config);
    let mut verdict = new_result();
    let missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let (path, reference, scope) = (
        cstr(layout.to_str().unwrap()),
        cstr(missing),
        cstr("local/e2e"),
    );
    let mut target = ptr::null_mut();
    // SAFETY: live handles, valid strings, writable out-parameters.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));
        let rc = notation_verifier_verify_artifact(verifier, target, ptr::null(), verdict);
        let message = last_error();
        assert_eq!(rc, notation_result::NotFound, "{message}");
        assert!(message.contains(missing), "{message}");
        assert!(message.contains("not found"), "{message}");
        notation_target_free(&mut target);
        notation_verdict_free(&mut verdict);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}
