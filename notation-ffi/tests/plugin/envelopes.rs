//! ENVELOPE and ENVELOPE_FOR_BLOB signing plugins (R6, R7).

use std::ptr;

use notation::*;
use notation_core::envelope::EnvelopeFormat;
use serde_json::json;

use crate::common::plugin::*;
use crate::common::*;
use crate::helpers::{
    add_sign_plugin_config, config_with_plugins, e2e_descriptor, free_all, layout_target,
    new_plugin_signer, try_sign_artifact, try_sign_blob, verify_artifact,
};

/// R6: a SIGNATURE_GENERATOR.ENVELOPE plugin signs an OCI-layout artifact
/// with the envelope it returns (checked: the library verifies it); it
/// cannot sign blobs (R7); an envelope over another descriptor is refused.
#[test]
fn envelope_plugin_signs_artifacts_not_blobs() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let layout = e2e_layout(tmp.path());
    let envelope_file = tmp.path().join("artifact.jws");
    std::fs::write(
        &envelope_file,
        local_envelope(EnvelopeFormat::Jws, e2e_descriptor(&layout), None),
    )
    .unwrap();
    let name = "com.example.envelope";
    let plugin = TestPlugin::install(
        &plugins,
        name,
        json!({
            "get-plugin-metadata": {"response": metadata(name, "2.0.0", &[ENVELOPE])},
            "generate-envelope": {"envelope": {
                "file": envelope_file,
                "annotations": {"com.example.note": "from the plugin"},
            }},
        }),
    );
    let config = config_with_plugins(&plugins);
    let verifier = verifier_for(config);
    let signer = new_plugin_signer(config, name, "envelope-key").unwrap();
    let result = new_result();

    let target = layout_target(&layout, "local/e2e");
    let options = sign_options(notation_envelope_format::Jws);
    add_sign_plugin_config(options, "mode", "envelope");
    try_sign_artifact(signer, target, options).unwrap();
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "generate-envelope"]
    );
    let request = plugin.last_request("generate-envelope");
    assert_eq!(request["keyId"], "envelope-key");
    assert_eq!(request["signatureEnvelopeType"], "application/jose+json");
    assert_eq!(request["pluginConfig"], json!({"mode": "envelope"}));
    ok(verify_artifact(verifier, target, ptr::null(), result));

    // Blobs need RAW or ENVELOPE_FOR_BLOB.
    assert_eq!(
        try_sign_blob(signer, b"blob", ptr::null()),
        Err((
            notation_result::PluginCapabilityMissing,
            format!(
                "the plugin \"{name}\" lacks the signature generator capability required for blob signing"
            )
        ))
    );

    // An envelope over another artifact is refused; nothing is stored.
    let other = tmp.path().join("other.jws");
    std::fs::write(
        &other,
        local_envelope(EnvelopeFormat::Jws, blob_descriptor(b"other"), None),
    )
    .unwrap();
    plugin.set_behavior(json!({
        "get-plugin-metadata": {"response": metadata(name, "2.0.0", &[ENVELOPE])},
        "generate-envelope": {"envelope": {"file": other}},
    }));
    let (code, message) = try_sign_artifact(signer, target, ptr::null()).unwrap_err();
    assert_eq!(code, notation_result::PluginFailed);
    assert!(
        message.starts_with(&format!(
            "failed to sign with the plugin {name}: during signing descriptor subject has changed from "
        )),
        "{message}"
    );
    // A JWS where COSE was asked for.
    plugin.set_behavior(json!({
        "get-plugin-metadata": {"response": metadata(name, "2.0.0", &[ENVELOPE])},
        "generate-envelope": {"envelope": {"file": envelope_file, "type": "application/jose+json"}},
    }));
    let cose = sign_options(notation_envelope_format::Cose);
    let (code, message) = try_sign_artifact(signer, target, cose).unwrap_err();
    assert_eq!(code, notation_result::PluginFailed);
    assert_eq!(
        message,
        format!(
            "failed to sign with the plugin {name}: signatureEnvelopeType in generateEnvelope response \"application/jose+json\" does not match request \"application/cose\""
        )
    );

    let mut list = ptr::null_mut();
    let mut count = 0;
    // SAFETY: live handles, writable out-parameters; each freed once.
    unsafe {
        ok(notation_target_list_signatures(target, &mut list));
        ok(notation_signature_list_count(list, &mut count));
        assert_eq!(count, 1, "only the first signature was stored");
        notation_signature_list_free(&mut list);
        notation_sign_options_free(&mut { options });
        notation_sign_options_free(&mut { cose });
        notation_target_free(&mut { target });
        notation_verdict_free(&mut { result });
    }
    free_all(config, verifier, signer);
}

/// R7: a SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB plugin signs blobs: asked
/// for its key spec first (the digest algorithm), then for the envelope,
/// which is returned as the plugin made it.
#[test]
fn envelope_for_blob_plugin_signs_blobs() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let blob = b"a blob for an envelope plugin";
    let envelope = local_envelope(EnvelopeFormat::Cose, blob_descriptor(blob), None);
    let envelope_file = tmp.path().join("blob.cose");
    std::fs::write(&envelope_file, &envelope).unwrap();
    let name = "com.example.blob-envelope";
    let plugin = TestPlugin::install(
        &plugins,
        name,
        json!({
            "get-plugin-metadata": {"response": metadata(name, "1.0.0", &[ENVELOPE_FOR_BLOB])},
            "describe-key": {"response": {"keyId": "blob-key", "keySpec": "RSA-2048"}},
            "generate-envelope": {"envelope": {"file": envelope_file}},
        }),
    );
    let config = config_with_plugins(&plugins);
    let verifier = verifier_for(config);
    let signer = new_plugin_signer(config, name, "blob-key").unwrap();
    let result = new_result();
    let options = sign_options(notation_envelope_format::Cose);
    let signature = try_sign_blob(signer, blob, options).unwrap();
    assert_eq!(signature, envelope);
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "describe-key", "generate-envelope"]
    );
    assert_eq!(
        plugin.last_request("generate-envelope")["signatureEnvelopeType"],
        "application/cose"
    );
    ok(verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Cose,
        blob,
        ptr::null(),
        result,
    ));
    // The same envelope for another blob: refused when signing.
    let (code, message) = try_sign_blob(signer, b"another blob", options).unwrap_err();
    assert_eq!(code, notation_result::PluginFailed);
    assert!(
        message.contains("during signing descriptor subject has changed"),
        "{message}"
    );
    // SAFETY: live handles, each freed once.
    unsafe {
        notation_sign_options_free(&mut { options });
        notation_verdict_free(&mut { result });
    }
    free_all(config, verifier, signer);
}
