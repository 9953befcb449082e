//! The C ABI called from Rust on OCI image layouts: signing, listing,
//! inspecting and verifying artifacts, untrusted signatures, and the errors
//! of layout targets.

mod common;

use std::ptr;

use common::*;
use notation::*;

#[test]
fn oci_layout_sign_list_inspect_verify() {
    let dir = tempfile::tempdir().unwrap();
    let layout = e2e_layout(dir.path());
    let config = memory_config();
    let verifier = verifier_for(config);
    let signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let untrusted = new_signer("self-signed.key", "self-signed.crt");
    let result = new_result();
    let path = cstr(layout.to_str().unwrap());
    let (tag, scope) = (cstr("v1"), cstr("local/e2e"));
    let mut target = ptr::null_mut();
    // SAFETY: valid strings, handles and out-parameters throughout.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            tag.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));

        // Nothing signed yet.
        let rc = notation_verifier_verify_artifact(verifier, target, ptr::null(), result);
        assert_eq!(rc, notation_result::NoSignature);
        assert_eq!(
            result_failure(result).unwrap(),
            format!(
                "no signature is associated with \"local/e2e@{E2E_DIGEST}\", make sure the artifact was signed successfully"
            )
        );
        assert_eq!(
            read_string(|b, l, n| notation_verdict_artifact_digest(result, b, l, n)),
            Ok(E2E_DIGEST.to_string())
        );

        // Sign with COSE, config-media-type form.
        let options = sign_options(notation_envelope_format::Cose);
        ok(notation_sign_options_set_manifest_form(
            options,
            notation_manifest_form::ConfigMediaType as u32,
        ));
        let mut digest = ptr::null_mut();
        ok(notation_signer_sign_artifact(
            signer,
            target,
            options,
            &mut digest,
        ));
        let signature_digest = take_signed_digest(digest);
        assert!(signature_digest.starts_with("sha256:"));

        let mut list = ptr::null_mut();
        ok(notation_target_list_signatures(target, &mut list));
        let mut count = 0;
        ok(notation_signature_list_count(list, &mut count));
        assert_eq!(count, 1);
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_digest(list, 0, b, l, n)),
            Ok(signature_digest.clone())
        );
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_artifact_digest(list, b, l, n)),
            Ok(E2E_DIGEST.to_string())
        );
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_signature_algorithm(list, 0, b, l, n)),
            Err(notation_result::NotAvailable),
            "listing does not read envelopes"
        );
        notation_signature_list_free(&mut list);

        ok(notation_target_inspect_signatures(target, 0, &mut list));
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_envelope_media_type(list, 0, b, l, n)),
            Ok("application/cose".to_string())
        );
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_signature_algorithm(list, 0, b, l, n)),
            Ok("RSASSA-PSS-SHA-256".to_string())
        );
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_error(list, 0, b, l, n)),
            Err(notation_result::NotAvailable)
        );
        notation_signature_list_free(&mut list);

        ok(notation_verifier_verify_artifact(
            verifier,
            target,
            ptr::null(),
            result,
        ));
        assert_eq!(
            read_string(|b, l, n| notation_verdict_signature_digest(result, b, l, n)),
            Ok(signature_digest.clone())
        );
        assert_eq!(
            read_string(|b, l, n| notation_verdict_payload_digest(result, b, l, n)),
            Ok(E2E_DIGEST.to_string())
        );
        assert_eq!(checks(result).len(), 5);

        // An untrusted signature next to it: one good signature suffices.
        ok(notation_signer_sign_artifact(
            untrusted,
            target,
            ptr::null(),
            ptr::null_mut(),
        ));
        ok(notation_verifier_verify_artifact(
            verifier,
            target,
            ptr::null(),
            result,
        ));

        // By digest too, and under an audit statement.
        let by_digest = cstr(E2E_DIGEST);
        let audited = cstr("local/audited");
        let mut target2 = ptr::null_mut();
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            by_digest.as_ptr(),
            audited.as_ptr(),
            &mut target2,
        ));
        ok(notation_verifier_verify_artifact(
            verifier,
            target2,
            ptr::null(),
            result,
        ));
        notation_target_free(&mut target2);

        // A skip statement passes without reading anything.
        let skipped = cstr("local/skipped");
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            tag.as_ptr(),
            skipped.as_ptr(),
            &mut target2,
        ));
        ok(notation_verifier_verify_artifact(
            verifier,
            target2,
            ptr::null(),
            result,
        ));
        let mut was_skipped = false;
        ok(notation_verdict_skipped(result, &mut was_skipped));
        assert!(was_skipped);
        assert!(checks(result).is_empty());
        notation_target_free(&mut target2);

        // No statement for the scope.
        let other = cstr("local/other");
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            tag.as_ptr(),
            other.as_ptr(),
            &mut target2,
        ));
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target2, ptr::null(), result),
            notation_result::NoApplicablePolicy
        );
        notation_target_free(&mut target2);

        // No scope at all.
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            tag.as_ptr(),
            ptr::null(),
            &mut target2,
        ));
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target2, ptr::null(), result),
            notation_result::InvalidArgument
        );
        // Both subjects of the call keep its failure.
        let target_error =
            read_string(|b, l, n| notation_target_last_error(target2, b, l, n)).unwrap();
        assert!(target_error.contains("scope"), "{target_error}");
        assert_eq!(
            read_string(|b, l, n| notation_verifier_last_error(verifier, b, l, n)).unwrap(),
            target_error
        );
        notation_target_free(&mut target2);

        // Unknown tag.
        let missing = cstr("v9");
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            missing.as_ptr(),
            scope.as_ptr(),
            &mut target2,
        ));
        assert_eq!(
            notation_signer_sign_artifact(signer, target2, ptr::null(), ptr::null_mut()),
            notation_result::NotFound
        );
        assert!(
            read_string(|b, l, n| notation_target_last_error(target2, b, l, n))
                .unwrap()
                .contains("v9"),
            "the target is a subject of the signing call"
        );
        assert!(
            read_string(|b, l, n| notation_signer_last_error(signer, b, l, n))
                .unwrap()
                .contains("v9")
        );
        assert_eq!(
            notation_target_list_signatures(target2, &mut list),
            notation_result::NotFound
        );
        assert!(
            read_string(|b, l, n| notation_target_last_error(target2, b, l, n))
                .unwrap()
                .contains("v9")
        );
        notation_target_free(&mut target2);
        notation_target_free(&mut target);
    }
}

#[test]
fn oci_layout_with_only_untrusted_signatures_fails() {
    let dir = tempfile::tempdir().unwrap();
    let layout = e2e_layout(dir.path());
    let config = memory_config();
    let verifier = verifier_for(config);
    let untrusted = new_signer("self-signed.key", "self-signed.crt");
    let result = new_result();
    let path = cstr(layout.to_str().unwrap());
    let (tag, scope, audited) = (cstr("v1"), cstr("local/e2e"), cstr("local/audited"));
    let mut target = ptr::null_mut();
    let mut audit_target = ptr::null_mut();
    // SAFETY: valid strings, handles and out-parameters throughout.
    unsafe {
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            tag.as_ptr(),
            scope.as_ptr(),
            &mut target,
        ));
        ok(notation_signer_sign_artifact(
            untrusted,
            target,
            ptr::null(),
            ptr::null_mut(),
        ));
        let rc = notation_verifier_verify_artifact(verifier, target, ptr::null(), result);
        assert_eq!(rc, notation_result::VerificationFailed);
        let mut count = 0;
        ok(notation_verdict_signature_failure_count(result, &mut count));
        assert_eq!(count, 1);
        let failure =
            read_string(|b, l, n| notation_verdict_signature_failure(result, 0, b, l, n)).unwrap();
        assert!(
            failure.contains("match no certificate trusted"),
            "{failure}"
        );
        // The thumbprint pre-filter skipped fetching it: an authenticity
        // failure (tests/verdict.rs checks its reason).
        assert_eq!(
            checks(result),
            vec![(
                notation_check::Authenticity,
                notation_check_action::Enforce,
                false
            )]
        );
        assert!(
            result_failure(result)
                .unwrap()
                .starts_with("signature verification failed for all the signatures")
        );

        // Under audit it is fetched, authenticity fails but is only logged.
        ok(notation_target_new_oci_layout(
            path.as_ptr(),
            tag.as_ptr(),
            audited.as_ptr(),
            &mut audit_target,
        ));
        ok(notation_verifier_verify_artifact(
            verifier,
            audit_target,
            ptr::null(),
            result,
        ));
        assert_eq!(
            checks(result)[1],
            (
                notation_check::Authenticity,
                notation_check_action::Log,
                false
            )
        );
    }
}

#[test]
fn layout_target_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = ptr::null_mut();
    let tag = cstr("v1");
    let nowhere = cstr(dir.path().join("nowhere").to_str().unwrap());
    let empty = cstr("");
    // SAFETY: valid strings and out-parameters.
    unsafe {
        assert_eq!(
            notation_target_new_oci_layout(
                nowhere.as_ptr(),
                tag.as_ptr(),
                ptr::null(),
                &mut target
            ),
            notation_result::LayoutInvalid
        );
        let here = cstr(dir.path().to_str().unwrap());
        assert_eq!(
            notation_target_new_oci_layout(here.as_ptr(), tag.as_ptr(), ptr::null(), &mut target),
            notation_result::LayoutInvalid
        );
        assert_eq!(
            notation_target_new_oci_layout(here.as_ptr(), empty.as_ptr(), ptr::null(), &mut target),
            notation_result::ReferenceInvalid
        );
    }
    assert!(target.is_null());
}
