//! Where a directory configuration finds plugins (REQUIREMENTS R1):
//! `{NOTATION_LIBEXEC}/plugins`, else `{configuration directory}/plugins`,
//! read when the configuration is opened. One test in its own binary: it
//! changes the process environment, which no other thread may read
//! meanwhile.

mod common;

use std::path::Path;
use std::ptr;

use common::plugin::{TestPlugin, raw_behavior};
use common::*;
use notation::*;

fn open(dir: &Path) -> *mut notation_config {
    let path = cstr(dir.to_str().unwrap());
    let mut config = ptr::null_mut();
    // SAFETY: a NUL-terminated path, a writable out-parameter.
    ok(unsafe { notation_config_open_dir(path.as_ptr(), &mut config) });
    config
}

fn open_default() -> *mut notation_config {
    let mut config = ptr::null_mut();
    // SAFETY: a writable out-parameter.
    ok(unsafe { notation_config_open_default(&mut config) });
    config
}

fn plugin_dir(config: *const notation_config) -> String {
    // SAFETY: a live config; read_string passes valid buffers.
    read_string(|b, l, n| unsafe { notation_config_plugin_dir(config, b, l, n) }).unwrap()
}

fn set_env(name: &str, value: Option<&Path>) {
    // SAFETY: this binary's only test runs on one thread and nothing else
    // reads the environment while it changes.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

#[test]
fn directory_configurations_use_the_installation_plugin_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("config");
    let libexec = tmp.path().join("libexec");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("signingkeys.json"),
        r#"{"default":"kms","keys":[{"name":"kms","id":"key-1","pluginName":"com.example.raw"}]}"#,
    )
    .unwrap();
    let free = |config: *mut notation_config| {
        // SAFETY: a live config, freed once.
        unsafe { notation_config_free(&mut { config }) }
    };

    set_env("NOTATION_LIBEXEC", None);
    let config = open(&dir);
    assert_eq!(Path::new(&plugin_dir(config)), dir.join("plugins"));
    free(config);
    // Empty is unset, as for the CLI.
    set_env("NOTATION_LIBEXEC", Some(Path::new("")));
    let config = open(&dir);
    assert_eq!(Path::new(&plugin_dir(config)), dir.join("plugins"));
    free(config);

    set_env("NOTATION_LIBEXEC", Some(&libexec));
    let config = open(&dir);
    // Read when opened: a later change does not move it.
    set_env("NOTATION_LIBEXEC", None);
    assert_eq!(Path::new(&plugin_dir(config)), libexec.join("plugins"));
    // The signingkeys.json plugin key finds its plugin there.
    let mut signer = ptr::null_mut();
    // SAFETY: a live config, NULL for the default key, a writable
    // out-parameter.
    unsafe {
        assert_eq!(
            notation_signer_new_from_config(config, ptr::null(), &mut signer),
            notation_result::PluginNotFound
        );
        let raw = TestPlugin::install(
            &libexec.join("plugins"),
            "com.example.raw",
            raw_behavior("com.example.raw", "key-1", "rsa-2048", "RSA-2048"),
        );
        ok(notation_signer_new_from_config(
            config,
            ptr::null(),
            &mut signer,
        ));
        let signature = sign_blob(signer, b"libexec", ptr::null());
        assert!(!signature.is_empty());
        assert_eq!(
            raw.commands(),
            ["get-plugin-metadata", "describe-key", "generate-signature"]
        );
        notation_signer_free(&mut signer);
    }
    free(config);

    // The default configuration: NOTATION_CONFIG, NOTATION_LIBEXEC.
    set_env("NOTATION_CONFIG", Some(&dir));
    let config = open_default();
    assert_eq!(Path::new(&plugin_dir(config)), dir.join("plugins"));
    free(config);
    set_env("NOTATION_LIBEXEC", Some(&libexec));
    let config = open_default();
    assert_eq!(Path::new(&plugin_dir(config)), libexec.join("plugins"));
    free(config);
}
