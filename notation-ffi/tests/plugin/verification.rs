//! Verification plugins: their verdicts in the result, and an artifact signed
//! by an envelope plugin.

use std::ptr;

use notation::*;
use notation_core::envelope::EnvelopeFormat;
use serde_json::{Value, json};

use crate::common::plugin::*;
use crate::common::*;
use crate::helpers::{
    VERIFIER_PLUGIN, check_details, config_with_plugins, e2e_descriptor, free_all, layout_target,
    new_plugin_signer, try_sign_artifact, verify_artifact, verify_options_with,
};

fn verifier_behavior(capabilities: &[&str], verify: Value) -> Value {
    json!({
        "get-plugin-metadata": {"response": metadata(VERIFIER_PLUGIN, "1.2.0", capabilities)},
        "verify-signature": verify,
    })
}

fn verification_results(results: Value) -> Value {
    json!({"response": {"verificationResults": results, "processedAttributes": []}})
}

/// R8: a signature that names a verification plugin is verified with it:
/// the plugin gets the verify options' plugin configuration and is asked
/// for the capabilities it has; its failure reason reaches the
/// verification result (as the failure and as the check's); under `audit`
/// a failed revocation check is logged; a broken plugin is
/// VERIFICATION_PLUGIN_FAILED; a missing answer, a missing plugin or
/// disabled plugins are inconclusive.
#[test]
fn verification_plugin_verdicts_reach_the_result() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let ti = TRUSTED_IDENTITY;
    let rc = REVOCATION_CHECK;
    let plugin = TestPlugin::install(
        &plugins,
        VERIFIER_PLUGIN,
        verifier_behavior(
            &[ti, rc],
            verification_results(json!({ti: {"success": true}, rc: {"success": true}})),
        ),
    );
    let blob = b"a blob whose signature needs a plugin";
    let signature = local_envelope(
        EnvelopeFormat::Jws,
        blob_descriptor(blob),
        Some(VERIFIER_PLUGIN),
    );
    let config = config_with_plugins(&plugins);
    let verifier = verifier_for(config);
    let result = new_result();
    let options = verify_options_with(Some("any-leaf"), &[("tenant", "acme"), ("mode", "")]);
    let jws = notation_envelope_format::Jws;
    let verify = |options| verify_blob(verifier, &signature, jws, blob, options, result);

    ok(verify(options));
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "verify-signature"]
    );
    for call in plugin.calls() {
        assert_eq!(
            call["request"]["pluginConfig"],
            json!({"tenant": "acme", "mode": ""})
        );
    }
    let request = plugin.last_request("verify-signature");
    assert_eq!(
        request["trustPolicy"]["signatureVerification"],
        json!([ti, rc])
    );
    assert!(
        check_details(result).iter().all(|c| c.2),
        "{:?}",
        check_details(result)
    );

    // The plugin says no: the reason is the failure and the check's.
    plugin.clear_calls();
    plugin.set_behavior(verifier_behavior(
        &[ti],
        verification_results(json!({ti: {"success": false, "reason": "not on the list"}})),
    ));
    assert_eq!(verify(options), notation_result::VerificationFailed);
    let reason = format!(
        "trusted identify verification by plugin \"{VERIFIER_PLUGIN}\" failed with reason \"not on the list\""
    );
    assert_eq!(result_failure(result).unwrap(), reason);
    let details = check_details(result);
    assert_eq!(details[1].0, notation_check::Authenticity);
    assert_eq!(details[1].1, notation_check_action::Enforce);
    assert!(!details[1].2);
    assert_eq!(details[1].3, reason);
    let mut code = notation_result::Ok;
    // SAFETY: a live result, a writable out-parameter.
    ok(unsafe { notation_verdict_code(result, &mut code) });
    assert_eq!(code, notation_result::VerificationFailed);
    assert_eq!(
        plugin.last_request("verify-signature")["trustPolicy"]["signatureVerification"],
        json!([ti])
    );

    // Under audit a failed revocation check is logged and the call passes.
    plugin.set_behavior(verifier_behavior(
        &[rc],
        verification_results(json!({rc: {"success": false, "reason": "revoked by the test"}})),
    ));
    let audit = verify_options_with(Some("audit"), &[]);
    ok(verify(audit));
    let revocation = check_details(result)
        .into_iter()
        .find(|c| c.0 == notation_check::Revocation)
        .unwrap();
    assert_eq!(
        revocation,
        (
            notation_check::Revocation,
            notation_check_action::Log,
            false,
            format!(
                "revocation check by verification plugin \"{VERIFIER_PLUGIN}\" failed with reason \"revoked by the test\""
            )
        )
    );

    // A plugin that crashes, and one that answers with an error response.
    plugin.set_behavior(verifier_behavior(
        &[ti],
        json!({"stderr": "segfault, probably", "exit": 3}),
    ));
    assert_eq!(verify(options), notation_result::VerificationPluginFailed);
    let message = result_failure(result).unwrap();
    assert!(
        message.starts_with(&format!(
            "failed to verify with plugin {VERIFIER_PLUGIN}: failed to execute the verify-signature command for plugin {VERIFIER_PLUGIN}: exit status 3"
        )),
        "{message}"
    );
    plugin.set_behavior(verifier_behavior(
        &[ti],
        json!({"stderr": {"errorCode": "ACCESS_DENIED", "errorMessage": "the policy server said no"}, "exit": 1}),
    ));
    assert_eq!(verify(options), notation_result::VerificationPluginFailed);
    assert_eq!(
        result_failure(result).unwrap(),
        format!("failed to verify with plugin {VERIFIER_PLUGIN}: the policy server said no")
    );
    // The integrity check ran and is reported.
    assert_eq!(
        checks(result)[0],
        (
            notation_check::Integrity,
            notation_check_action::Enforce,
            true
        )
    );

    // No answer for a capability asked: inconclusive.
    plugin.set_behavior(verifier_behavior(&[ti], verification_results(json!({}))));
    assert_eq!(verify(options), notation_result::VerificationInconclusive);
    assert_eq!(
        result_failure(result).unwrap(),
        format!(
            "verification plugin \"{VERIFIER_PLUGIN}\" failed to verify \"SIGNATURE_VERIFIER.TRUSTED_IDENTITY\""
        )
    );

    // A plugin without verifier capabilities.
    plugin.set_behavior(verifier_behavior(&[RAW], json!({})));
    assert_eq!(verify(options), notation_result::VerificationInconclusive);

    // Not installed, and plugins disabled: inconclusive, never passed.
    std::fs::remove_file(plugin.executable_path()).unwrap();
    assert_eq!(verify(options), notation_result::VerificationInconclusive);
    let message = result_failure(result).unwrap();
    assert!(
        message.starts_with(&format!(
            "error while locating the verification plugin \"{VERIFIER_PLUGIN}\", make sure the plugin is installed successfully before verifying the signature. error: plugin executable file is either not found or inaccessible: stat "
        )),
        "{message}"
    );
    let disabled = memory_config();
    // SAFETY: a live config; NULL disables plugins.
    ok(unsafe { notation_config_set_plugin_dir(disabled, ptr::null()) });
    let no_plugins = verifier_for(disabled);
    assert_eq!(
        verify_blob(no_plugins, &signature, jws, blob, options, result),
        notation_result::VerificationInconclusive
    );
    assert_eq!(
        result_failure(result).unwrap(),
        format!(
            "error while locating the verification plugin \"{VERIFIER_PLUGIN}\", make sure the plugin is installed successfully before verifying the signature. error: plugin not found"
        )
    );

    // SAFETY: live handles, each freed once.
    unsafe {
        notation_verify_options_free(&mut { options });
        notation_verify_options_free(&mut { audit });
        notation_verdict_free(&mut { result });
    }
    free_all(disabled, no_plugins, ptr::null_mut());
    free_all(config, verifier, ptr::null_mut());
}

/// R6 then R8 on an artifact: an envelope plugin signs the artifact with an
/// envelope that requires a verification plugin, which then decides the
/// artifact's verification; its reason reaches the per-signature failures.
#[test]
fn artifact_signed_by_envelope_plugin_verified_by_verification_plugin() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let layout = e2e_layout(tmp.path());
    let envelope_file = tmp.path().join("artifact.cose");
    std::fs::write(
        &envelope_file,
        local_envelope(
            EnvelopeFormat::Cose,
            e2e_descriptor(&layout),
            Some(VERIFIER_PLUGIN),
        ),
    )
    .unwrap();
    let signer_name = "com.example.envelope";
    TestPlugin::install(
        &plugins,
        signer_name,
        json!({
            "get-plugin-metadata": {"response": metadata(signer_name, "1.0.0", &[ENVELOPE])},
            "generate-envelope": {"envelope": {"file": envelope_file}},
        }),
    );
    let ti = TRUSTED_IDENTITY;
    let verification = TestPlugin::install(
        &plugins,
        VERIFIER_PLUGIN,
        verifier_behavior(&[ti], verification_results(json!({ti: {"success": true}}))),
    );
    let config = config_with_plugins(&plugins);
    let verifier = verifier_for(config);
    let signer = new_plugin_signer(config, signer_name, "k").unwrap();
    let result = new_result();
    let target = layout_target(&layout, "local/e2e");
    let cose = sign_options(notation_envelope_format::Cose);
    let digest = try_sign_artifact(signer, target, cose).unwrap();

    let options = verify_options_with(None, &[("artifact", "yes")]);
    ok(verify_artifact(verifier, target, options, result));
    assert_eq!(
        verification.last_request("verify-signature")["pluginConfig"],
        json!({"artifact": "yes"})
    );

    verification.set_behavior(verifier_behavior(
        &[ti],
        verification_results(json!({ti: {"success": false, "reason": "wrong team"}})),
    ));
    assert_eq!(
        verify_artifact(verifier, target, options, result),
        notation_result::VerificationFailed
    );
    let mut count = 0;
    // SAFETY: live result; writable out-parameter; read_string passes valid
    // buffers.
    unsafe {
        ok(notation_verdict_signature_failure_count(result, &mut count));
        assert_eq!(count, 1);
        let failure =
            read_string(|b, l, n| notation_verdict_signature_failure(result, 0, b, l, n)).unwrap();
        assert!(failure.contains(&digest), "{failure}");
        assert!(
            failure.contains(&format!(
                "trusted identify verification by plugin \"{VERIFIER_PLUGIN}\" failed with reason \"wrong team\""
            )),
            "{failure}"
        );
    }

    // A plugin's error message with a newline and a terminal escape comes
    // out on one line, escaped: it cannot forge a log line or drive a
    // terminal.
    verification.set_behavior(verifier_behavior(
        &[ti],
        json!({
            "stderr": {"errorCode": "ERROR", "errorMessage": "no\nSuccessfully verified\u{1b}[2J"},
            "exit": 1,
        }),
    ));
    assert_eq!(
        verify_artifact(verifier, target, options, result),
        notation_result::VerificationPluginFailed
    );
    // SAFETY: as above.
    unsafe {
        let failure =
            read_string(|b, l, n| notation_verdict_signature_failure(result, 0, b, l, n)).unwrap();
        assert!(
            !failure.contains('\n') && !failure.contains('\u{1b}'),
            "{failure:?}"
        );
        assert!(failure.contains("Successfully verified"), "{failure}");
        notation_sign_options_free(&mut { cose });
        notation_verify_options_free(&mut { options });
        notation_target_free(&mut { target });
        notation_verdict_free(&mut { result });
    }
    free_all(config, verifier, signer);
}
