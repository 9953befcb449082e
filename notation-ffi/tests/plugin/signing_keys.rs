//! Plugin keys of `signingkeys.json` (W16, R9) and the merge of their
//! `pluginConfig`.

use std::path::Path;
use std::ptr;

use notation::*;
use serde_json::json;

use crate::common::plugin::*;
use crate::common::*;
use crate::helpers::{RAW_PLUGIN, add_sign_plugin_config, free_all, try_sign_blob};

/// W16, R9: a `signingkeys.json` plugin key of a configuration directory
/// signs through the plugin installed in `{dir}/plugins`; its
/// `pluginConfig` reaches the plugin, with the sign options' entries
/// replacing those of the same name. A plugin key without an id is a
/// configuration error.
#[test]
fn signing_keys_plugin_key_merges_plugin_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notation");
    let store = dir.join("truststore/x509/ca/test");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("root.crt"), pki("root.crt")).unwrap();
    std::fs::write(dir.join("trustpolicy.blob.json"), BLOB_POLICY).unwrap();
    std::fs::write(
        dir.join("signingkeys.json"),
        json!({
            "default": "kms",
            "keys": [
                {"name": "kms", "id": "key-1", "pluginName": RAW_PLUGIN,
                 "pluginConfig": {"region": "us-east", "profile": "ci"}},
                {"name": "no-id", "pluginName": RAW_PLUGIN},
                {"name": "absent", "id": "k", "pluginName": "com.example.absent"},
            ]
        })
        .to_string(),
    )
    .unwrap();
    let path = cstr(dir.to_str().unwrap());
    let mut config = ptr::null_mut();
    // SAFETY: a NUL-terminated path, a writable out-parameter.
    ok(unsafe { notation_config_open_dir(path.as_ptr(), &mut config) });

    // The installation's plugin directory, as the CLI's (NOTATION_LIBEXEC
    // is tested in plugin_libexec.rs).
    let libexec = std::env::var_os("NOTATION_LIBEXEC").filter(|v| !v.is_empty());
    let expected = match &libexec {
        Some(l) => Path::new(l).join("plugins"),
        None => dir.join("plugins"),
    };
    // SAFETY: a live config; read_string passes valid buffers.
    let plugin_dir =
        read_string(|b, l, n| unsafe { notation_config_plugin_dir(config, b, l, n) }).unwrap();
    assert_eq!(Path::new(&plugin_dir), expected);
    let plugins = dir.join("plugins");
    if libexec.is_some() {
        let p = cstr(plugins.to_str().unwrap());
        // SAFETY: a live config, a NUL-terminated path.
        ok(unsafe { notation_config_set_plugin_dir(config, p.as_ptr()) });
    }
    let raw = TestPlugin::install(
        &plugins,
        RAW_PLUGIN,
        raw_behavior(RAW_PLUGIN, "key-1", "rsa-2048", "RSA-2048"),
    );
    let verifier = verifier_for(config);
    let result = new_result();
    let mut signer = ptr::null_mut();
    // SAFETY: live config; NULL names the default key.
    ok(unsafe { notation_signer_new_from_config(config, ptr::null(), &mut signer) });

    let signature = try_sign_blob(signer, b"kms blob", ptr::null()).unwrap();
    for call in raw.calls() {
        assert_eq!(
            call["request"]["pluginConfig"],
            json!({"region": "us-east", "profile": "ci"})
        );
    }
    assert_eq!(raw.last_request("describe-key")["keyId"], "key-1");
    ok(verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        b"kms blob",
        ptr::null(),
        result,
    ));

    raw.clear_calls();
    let options = sign_options(notation_envelope_format::Jws);
    add_sign_plugin_config(options, "region", "eu-west");
    add_sign_plugin_config(options, "extra", "1");
    try_sign_blob(signer, b"kms blob", options).unwrap();
    for call in raw.calls() {
        assert_eq!(
            call["request"]["pluginConfig"],
            json!({"region": "eu-west", "profile": "ci", "extra": "1"})
        );
    }

    let mut none = ptr::null_mut();
    let no_id = cstr("no-id");
    let absent = cstr("absent");
    // SAFETY: live config, NUL-terminated names, writable out-parameter.
    unsafe {
        assert_eq!(
            notation_signer_new_from_config(config, no_id.as_ptr(), &mut none),
            notation_result::Config
        );
        assert_eq!(last_error(), "signing key no-id: keyID not specified");
        assert_eq!(
            notation_signer_new_from_config(config, absent.as_ptr(), &mut none),
            notation_result::PluginNotFound
        );
        let message = last_error();
        assert!(
            message.starts_with("signing key absent: plugin executable file is either not found or inaccessible: stat "),
            "{message}"
        );
        assert!(none.is_null());
        notation_sign_options_free(&mut { options });
        notation_verdict_free(&mut { result });
    }
    free_all(config, verifier, signer);
}
