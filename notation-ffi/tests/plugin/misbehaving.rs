//! Signing plugins that fail or answer badly: codes and messages.

use std::ptr;

use notation::*;
use serde_json::{Value, json};

use crate::common::plugin::*;
use crate::common::*;
use crate::helpers::{
    RAW_PLUGIN, config_with_plugins, free_all, layout_target, new_plugin_signer, try_sign_artifact,
    try_sign_blob,
};

/// Plugins that fail or answer badly while signing: each gives its code and
/// the library's message (the plugin's own message for error responses),
/// never a panic and never a signature.
#[test]
fn misbehaving_signing_plugins_give_codes_and_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let good = raw_behavior(RAW_PLUGIN, "key-1", "rsa-2048", "RSA-2048");
    let raw = TestPlugin::install(&plugins, RAW_PLUGIN, good.clone());
    let config = config_with_plugins(&plugins);
    let signer = new_plugin_signer(config, RAW_PLUGIN, "key-1").unwrap();
    let with = |command: &str, action: Value| {
        let mut behavior = good.clone();
        behavior[command] = action;
        raw.set_behavior(behavior);
        try_sign_blob(signer, b"blob", ptr::null())
    };
    let failed = |r: Result<Vec<u8>, (notation_result, String)>| -> String {
        let (code, message) = r.expect_err("signing must fail");
        assert_eq!(code, notation_result::PluginFailed, "{message}");
        message
    };

    // Error responses: the plugin's message.
    let denied = json!({"stderr": {"errorCode": "ACCESS_DENIED", "errorMessage": "the key vault said no"}, "exit": 1});
    assert_eq!(
        failed(with("generate-signature", denied.clone())),
        "the key vault said no"
    );
    // Blob signing gives `describe-key`'s error as it is, as the
    // reference's `SignBlob` does.
    assert_eq!(
        failed(with("describe-key", denied.clone())),
        "the key vault said no"
    );
    assert_eq!(
        failed(with("get-plugin-metadata", denied)),
        "the key vault said no"
    );
    // A plugin's message reaches C on one line, control characters escaped
    // (issue 12 item 13).
    let forged = json!({"stderr": {"errorCode": "ERROR", "errorMessage": "no\nSuccessfully signed\u{1b}[2J"}, "exit": 1});
    assert_eq!(
        failed(with("generate-signature", forged)),
        "no\\nSuccessfully signed\\x1b[2J"
    );
    // Other failures.
    let message = failed(with(
        "get-plugin-metadata",
        json!({"stdout_raw": "not json"}),
    ));
    assert!(
        message.starts_with(&format!(
            "failed to unmarshal the response of get-plugin-metadata command for plugin {RAW_PLUGIN}"
        )),
        "{message}"
    );
    let message = failed(with(
        "get-plugin-metadata",
        json!({"response": metadata("com.example.other", "1.0.0", &[RAW])}),
    ));
    assert!(
        message.starts_with("plugin executable file name must be"),
        "{message}"
    );
    let message = failed(with("describe-key", json!({"exit": 2})));
    assert!(message.ends_with("exit status 2"), "{message}");
    let message = failed(with(
        "describe-key",
        json!({"response": {"keyId": "key-2", "keySpec": "RSA-2048"}}),
    ));
    assert!(
        message
            .ends_with("keyID in describeKey response \"key-2\" does not match request \"key-1\""),
        "{message}"
    );
    let message = failed(with(
        "describe-key",
        json!({"response": {"keyId": "key-1", "keySpec": "RSA-1024"}}),
    ));
    assert!(message.ends_with("unknown key spec"), "{message}");
    let tampered = json!({"sign": {
        "key": pki_path("rsa-2048.key"),
        "chain": pki_path("rsa-2048.chain.pem"),
        "tamper_signature": true,
    }});
    let message = failed(with("generate-signature", tampered));
    assert!(
        message.starts_with("generated signature failed verification"),
        "{message}"
    );
    // The key of another chain.
    let other_chain = json!({"sign": {
        "key": pki_path("rsa-2048.key"),
        "chain": pki_path("rsa-3072.chain.pem"),
    }});
    failed(with("generate-signature", other_chain));
    let message = failed(with(
        "generate-signature",
        json!({"response": {"keyId": "key-1", "signature": "", "signingAlgorithm": "RSASSA-PSS-SHA-256", "certificateChain": []}}),
    ));
    assert_eq!(message, "certificate-chain not present or is empty");

    // No signing capability at all: for blobs (R7) and for artifacts.
    let (code, message) = with(
        "get-plugin-metadata",
        json!({"response": metadata(RAW_PLUGIN, "1.0.0", &[TRUSTED_IDENTITY])}),
    )
    .unwrap_err();
    assert_eq!(code, notation_result::PluginCapabilityMissing);
    assert_eq!(
        message,
        format!(
            "the plugin \"{RAW_PLUGIN}\" lacks the signature generator capability required for blob signing"
        )
    );
    let target = layout_target(&e2e_layout(tmp.path()), "local/e2e");
    assert_eq!(
        try_sign_artifact(signer, target, ptr::null()),
        Err((
            notation_result::PluginCapabilityMissing,
            "plugin does not have signing capabilities".to_string()
        ))
    );
    // SAFETY: a live target, freed once.
    unsafe { notation_target_free(&mut { target }) };

    // A plugin that hangs is killed at the configuration's timeout (a
    // signer made after the timeout is set).
    // SAFETY: a live config.
    // 5 s: enough for the plugin to start and answer its metadata on a
    // loaded machine (300 ms was not), far from the 30 s it hangs.
    ok(unsafe { notation_config_set_plugin_timeout(config, 5000) });
    let timed = new_plugin_signer(config, RAW_PLUGIN, "key-1").unwrap();
    let mut behavior = good.clone();
    behavior["describe-key"] = json!({"sleep": 30});
    raw.set_behavior(behavior);
    // The plugin would answer after 30 s: only the 5 s timeout gives
    // this error (no wall-clock bound that a loaded machine could trip).
    let (code, message) = try_sign_blob(timed, b"blob", ptr::null()).unwrap_err();
    assert_eq!(code, notation_result::PluginFailed);
    assert!(
        message.ends_with("describe-key' command execution timeout"),
        "{message}"
    );

    // Installed when the signer was made, gone (or no longer executable)
    // when it signs.
    raw.set_behavior(good);
    try_sign_blob(signer, b"blob", ptr::null()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            raw.executable_path(),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let (code, message) = try_sign_blob(signer, b"blob", ptr::null()).unwrap_err();
        assert_eq!(code, notation_result::PluginNotFound);
        assert!(message.ends_with("is not executable"), "{message}");
        assert_eq!(
            new_plugin_signer(config, RAW_PLUGIN, "key-1")
                .unwrap_err()
                .0,
            notation_result::PluginNotFound
        );
    }
    std::fs::remove_file(raw.executable_path()).unwrap();
    let (code, message) = try_sign_blob(signer, b"blob", ptr::null()).unwrap_err();
    assert_eq!(code, notation_result::PluginNotFound);
    assert!(
        message.starts_with("plugin executable file is either not found or inaccessible: stat "),
        "{message}"
    );

    // SAFETY: a live signer, freed once.
    unsafe { notation_signer_free(&mut { timed }) };
    free_all(config, ptr::null_mut(), signer);
}
