//! The plugins' names, and the configurations, signers, targets and options
//! the tests make through the C ABI.

use std::path::Path;
use std::ptr;

use notation::*;
use notation_core::payload::Descriptor;
use notation_oci::OciLayout;

use crate::common::*;

pub(crate) const RAW_PLUGIN: &str = "com.example.raw";
pub(crate) const VERIFIER_PLUGIN: &str = "com.example.verifier";

/// The in-memory configuration of the ABI tests (both policies, the test
/// root in `ca:test`), offline, with `plugins` as its plugin directory.
pub(crate) fn config_with_plugins(plugins: &Path) -> *mut notation_config {
    let config = memory_config();
    let dir = cstr(plugins.to_str().unwrap());
    // SAFETY: config is live; dir is a NUL-terminated string.
    unsafe {
        ok(notation_config_set_revocation_mode(
            config,
            notation_revocation_mode::Offline as u32,
        ));
        ok(notation_config_set_plugin_dir(config, dir.as_ptr()));
    }
    config
}

/// `notation_signer_new_plugin`: the signer, or the code and last error.
pub(crate) fn new_plugin_signer(
    config: *const notation_config,
    plugin: &str,
    key_id: &str,
) -> Result<*mut notation_signer, (notation_result, String)> {
    let (plugin, key_id) = (cstr(plugin), cstr(key_id));
    let mut signer = ptr::null_mut();
    // SAFETY: live config, NUL-terminated strings, writable out-parameter.
    let rc = unsafe {
        notation_signer_new_plugin(config, plugin.as_ptr(), key_id.as_ptr(), &mut signer)
    };
    if rc == notation_result::Ok {
        assert!(!signer.is_null());
        Ok(signer)
    } else {
        assert!(signer.is_null(), "out-parameter written on failure");
        Err((rc, last_error()))
    }
}

/// Signs a blob: the envelope, or the code and the signer's last error
/// (which must equal the thread's).
pub(crate) fn try_sign_blob(
    signer: *const notation_signer,
    blob: &[u8],
    options: *const notation_sign_options,
) -> Result<Vec<u8>, (notation_result, String)> {
    let mut out = ptr::null_mut();
    // SAFETY: live handles, valid slice, writable out-parameter.
    let rc =
        unsafe { notation_signer_sign_blob(signer, blob.as_ptr(), blob.len(), options, &mut out) };
    if rc == notation_result::Ok {
        let bytes = buffer_bytes(out);
        // SAFETY: out is a live buffer.
        unsafe { notation_buffer_free(&mut out) };
        return Ok(bytes);
    }
    assert!(out.is_null(), "out-parameter written on failure");
    // SAFETY: live signer; read_string passes valid buffers.
    let signer_error =
        read_string(|b, l, n| unsafe { notation_signer_last_error(signer, b, l, n) }).unwrap();
    let message = last_error();
    assert_eq!(signer_error, message);
    Err((rc, message))
}

pub(crate) fn add_sign_plugin_config(options: *mut notation_sign_options, key: &str, value: &str) {
    let (key, value) = (cstr(key), cstr(value));
    // SAFETY: live options, NUL-terminated strings.
    ok(unsafe { notation_sign_options_add_plugin_config(options, key.as_ptr(), value.as_ptr()) });
}

pub(crate) fn verify_options_with(
    policy: Option<&str>,
    plugin_config: &[(&str, &str)],
) -> *mut notation_verify_options {
    let mut options = ptr::null_mut();
    // SAFETY: writable out-parameter, then live options and C strings.
    unsafe {
        ok(notation_verify_options_new(&mut options));
        if let Some(policy) = policy {
            let policy = cstr(policy);
            ok(notation_verify_options_set_policy_name(
                options,
                policy.as_ptr(),
            ));
        }
        for (k, v) in plugin_config {
            let (k, v) = (cstr(k), cstr(v));
            ok(notation_verify_options_add_plugin_config(
                options,
                k.as_ptr(),
                v.as_ptr(),
            ));
        }
    }
    options
}

pub(crate) fn layout_target(layout: &Path, scope: &str) -> *mut notation_target {
    let (path, reference, scope) = (cstr(layout.to_str().unwrap()), cstr("v1"), cstr(scope));
    let mut target = ptr::null_mut();
    // SAFETY: NUL-terminated strings, writable out-parameter.
    ok(unsafe {
        notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        )
    });
    target
}

pub(crate) fn try_sign_artifact(
    signer: *const notation_signer,
    target: *mut notation_target,
    options: *const notation_sign_options,
) -> Result<String, (notation_result, String)> {
    let mut signature = ptr::null_mut();
    // SAFETY: live handles, writable out-parameter.
    let rc = unsafe { notation_signer_sign_artifact(signer, target, options, &mut signature) };
    if rc != notation_result::Ok {
        return Err((rc, last_error()));
    }
    Ok(take_signed_digest(signature))
}

pub(crate) fn verify_artifact(
    verifier: *const notation_verifier,
    target: *const notation_target,
    options: *const notation_verify_options,
    result: *mut notation_verdict,
) -> notation_result {
    // SAFETY: live handles.
    unsafe { notation_verifier_verify_artifact(verifier, target, options, result) }
}

/// The payload descriptor of the e2e layout's `v1`, as signing computes it.
pub(crate) fn e2e_descriptor(layout: &Path) -> Descriptor {
    OciLayout::open(layout)
        .unwrap()
        .resolve("v1")
        .unwrap()
        .to_payload_descriptor()
}

/// The check list of a result as (check, action, passed, failure).
pub(crate) fn check_details(
    result: *const notation_verdict,
) -> Vec<(notation_check, notation_check_action, bool, String)> {
    checks(result)
        .into_iter()
        .enumerate()
        .map(|(i, (c, a, p))| (c, a, p, check_failure(result, i).unwrap_or_default()))
        .collect()
}

pub(crate) fn free_all(
    config: *mut notation_config,
    verifier: *mut notation_verifier,
    signer: *mut notation_signer,
) {
    let (mut config, mut verifier, mut signer) = (config, verifier, signer);
    // SAFETY: each is NULL or a live handle, freed once.
    unsafe {
        notation_signer_free(&mut signer);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}
