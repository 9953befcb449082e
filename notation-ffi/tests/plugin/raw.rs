//! RAW signing plugins (R3, R5, R7): blobs and artifacts that verify, and one
//! signer shared by threads.

use std::ptr;

use notation::*;
use serde_json::json;

use crate::common::plugin::*;
use crate::common::*;
use crate::helpers::{
    RAW_PLUGIN, add_sign_plugin_config, config_with_plugins, free_all, layout_target,
    new_plugin_signer, try_sign_artifact, try_sign_blob, verify_artifact, verify_options_with,
};

/// R5, R7: a RAW plugin key signs blobs (JWS and COSE, RSA and EC keys)
/// and an OCI-layout artifact; the envelopes verify under the trust policy
/// like local signatures; the plugin gets the sign options' plugin
/// configuration with every command, is asked for its metadata on every
/// signing operation (R3), and is not run when the signer is made.
#[test]
fn raw_plugin_signs_blobs_and_artifacts_that_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let raw = TestPlugin::install(
        &plugins,
        RAW_PLUGIN,
        raw_behavior(RAW_PLUGIN, "key-1", "rsa-2048", "RSA-2048"),
    );
    let ec = TestPlugin::install(
        &plugins,
        "com.example.ec",
        raw_behavior("com.example.ec", "ec-key", "ec-256", "EC-256"),
    );
    let config = config_with_plugins(&plugins);
    let verifier = verifier_for(config);
    let signer = new_plugin_signer(config, RAW_PLUGIN, "key-1").unwrap();
    let ec_signer = new_plugin_signer(config, "com.example.ec", "ec-key").unwrap();
    assert!(raw.calls().is_empty(), "made without running the plugin");
    let result = new_result();
    let blob = b"signed by a plugin";
    // The global blob statement trusts the rsa-2048 leaf only.
    let any_leaf = verify_options_with(Some("any-leaf"), &[]);

    for (plugin, signer, key_spec, hash) in [
        (&raw, signer, "RSA-2048", "SHA-256"),
        (&ec, ec_signer, "EC-256", "SHA-256"),
    ] {
        for format in [
            notation_envelope_format::Jws,
            notation_envelope_format::Cose,
        ] {
            plugin.clear_calls();
            let options = sign_options(format);
            add_sign_plugin_config(options, "region", "eu-west");
            add_sign_plugin_config(options, "empty", "");
            let signature = try_sign_blob(signer, blob, options).unwrap();
            assert_eq!(
                plugin.commands(),
                ["get-plugin-metadata", "describe-key", "generate-signature"]
            );
            for call in plugin.calls() {
                assert_eq!(
                    call["request"]["pluginConfig"],
                    json!({"region": "eu-west", "empty": ""}),
                    "{}",
                    call["command"]
                );
            }
            let request = plugin.last_request("generate-signature");
            assert_eq!(request["keySpec"], key_spec);
            assert_eq!(request["hashAlgorithm"], hash);
            ok(verify_blob(
                verifier, &signature, format, blob, any_leaf, result,
            ));
            assert!(checks(result).iter().all(|(_, _, passed)| *passed));
            assert_eq!(
                verify_blob(
                    verifier,
                    &signature,
                    format,
                    b"another blob",
                    any_leaf,
                    result
                ),
                notation_result::ArtifactMismatch
            );
            // SAFETY: live options.
            unsafe { notation_sign_options_free(&mut { options }) };
        }
    }

    // Without options the plugin gets no configuration (omitted, as the
    // reference does with an empty one).
    raw.clear_calls();
    try_sign_blob(signer, blob, ptr::null()).unwrap();
    assert_eq!(
        raw.last_request("generate-signature").get("pluginConfig"),
        None
    );

    // A file, read as a stream.
    let file = tmp.path().join("blob.bin");
    std::fs::write(&file, blob).unwrap();
    let path = cstr(file.to_str().unwrap());
    let mut out = ptr::null_mut();
    // SAFETY: live signer, NUL-terminated path, writable out-parameter.
    unsafe {
        ok(notation_signer_sign_blob_file(
            signer,
            path.as_ptr(),
            ptr::null(),
            &mut out,
        ));
        let signature = buffer_bytes(out);
        notation_buffer_free(&mut out);
        ok(verify_blob(
            verifier,
            &signature,
            notation_envelope_format::Jws,
            blob,
            ptr::null(),
            result,
        ));
    }

    // An artifact in an OCI layout, signed then verified under the OCI
    // policy.
    let layout = e2e_layout(tmp.path());
    let target = layout_target(&layout, "local/e2e");
    raw.clear_calls();
    let options = sign_options(notation_envelope_format::Cose);
    add_sign_plugin_config(options, "region", "us-east");
    let digest = try_sign_artifact(signer, target, options).unwrap();
    assert_eq!(
        raw.last_request("generate-signature")["pluginConfig"],
        json!({"region": "us-east"})
    );
    ok(verify_artifact(verifier, target, ptr::null(), result));
    // SAFETY: live result; read_string passes valid buffers.
    let verified =
        read_string(|b, l, n| unsafe { notation_verdict_signature_digest(result, b, l, n) })
            .unwrap();
    assert_eq!(verified, digest);

    // SAFETY: live handles, each freed once.
    unsafe {
        notation_sign_options_free(&mut { options });
        notation_verify_options_free(&mut { any_leaf });
        notation_target_free(&mut { target });
        notation_signer_free(&mut { ec_signer });
        notation_verdict_free(&mut { result });
    }
    free_all(config, verifier, signer);
}

/// One plugin signer shared by threads: each signing operation runs the
/// plugin on its own.
#[test]
fn threads_sign_with_one_plugin_signer() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    TestPlugin::install(
        &plugins,
        RAW_PLUGIN,
        raw_behavior(RAW_PLUGIN, "key-1", "rsa-2048", "RSA-2048"),
    );
    let config = config_with_plugins(&plugins);
    let verifier = Shared(verifier_for(config));
    let signer = Shared(new_plugin_signer(config, RAW_PLUGIN, "key-1").unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let (signer, verifier) = (signer, verifier);
                let result = new_result();
                for i in 0..2 {
                    let blob = format!("thread {t} blob {i}");
                    let signature = try_sign_blob(signer.0, blob.as_bytes(), ptr::null()).unwrap();
                    ok(verify_blob(
                        verifier.0,
                        &signature,
                        notation_envelope_format::Jws,
                        blob.as_bytes(),
                        ptr::null(),
                        result,
                    ));
                }
                // SAFETY: a live result.
                unsafe { notation_verdict_free(&mut { result }) };
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    free_all(config, verifier.0, signer.0);
}
