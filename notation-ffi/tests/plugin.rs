//! Plugins through the C ABI, against a real plugin executable (the Python
//! test plugin, `testdata/plugin/test-plugin.py`; python3 and openssl are
//! required): RAW, ENVELOPE and ENVELOPE_FOR_BLOB signing plugins for blobs
//! and OCI-layout artifacts, `signingkeys.json` plugin keys and the R9
//! merge of their `pluginConfig`, verification plugins (success, a failure
//! reason in the result, a broken plugin, a missing one), plugins that
//! misbehave while signing, and hostile callers.

mod common;

use std::ffi::{CString, c_char};
use std::path::Path;
use std::ptr;

use common::plugin::*;
use common::*;
use notation::*;
use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::Descriptor;
use notation_oci::OciLayout;
use serde_json::{Value, json};

const RAW_PLUGIN: &str = "com.example.raw";
const VERIFIER_PLUGIN: &str = "com.example.verifier";

/// The in-memory configuration of the ABI tests (both policies, the test
/// root in `ca:test`), offline, with `plugins` as its plugin directory.
fn config_with_plugins(plugins: &Path) -> *mut notation_config {
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
fn new_plugin_signer(
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
fn try_sign_blob(
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

fn add_sign_plugin_config(options: *mut notation_sign_options, key: &str, value: &str) {
    let (key, value) = (cstr(key), cstr(value));
    // SAFETY: live options, NUL-terminated strings.
    ok(unsafe { notation_sign_options_add_plugin_config(options, key.as_ptr(), value.as_ptr()) });
}

fn verify_options_with(
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

fn layout_target(layout: &Path, scope: &str) -> *mut notation_target {
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

fn try_sign_artifact(
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

fn verify_artifact(
    verifier: *const notation_verifier,
    target: *const notation_target,
    options: *const notation_verify_options,
    result: *mut notation_verdict,
) -> notation_result {
    // SAFETY: live handles.
    unsafe { notation_verifier_verify_artifact(verifier, target, options, result) }
}

/// The payload descriptor of the e2e layout's `v1`, as signing computes it.
fn e2e_descriptor(layout: &Path) -> Descriptor {
    OciLayout::open(layout)
        .unwrap()
        .resolve("v1")
        .unwrap()
        .to_payload_descriptor()
}

/// The check list of a result as (check, action, passed, failure).
fn check_details(
    result: *const notation_verdict,
) -> Vec<(notation_check, notation_check_action, bool, String)> {
    checks(result)
        .into_iter()
        .enumerate()
        .map(|(i, (c, a, p))| (c, a, p, check_failure(result, i).unwrap_or_default()))
        .collect()
}

fn free_all(
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

// ------------------------------------------------------------------ RAW

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

// ---------------------------------------------------- signingkeys.json

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

// ------------------------------------------------------------- envelopes

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

// ----------------------------------------------------------- verification

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

// ------------------------------------------------- misbehaving plugins

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
    assert_eq!(
        message,
        "certificate chain is not present in generateSignature response"
    );

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

// ------------------------------------------------------- hostile callers

/// NULL pointers, invalid UTF-8, empty and path-like names, missing
/// plugins, duplicate and empty configuration keys: codes, no effect, no
/// out-parameter written, never a crash.
#[test]
fn hostile_calls_give_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let config = config_with_plugins(&plugins);
    let memory = memory_config();
    let bad_utf8 = CString::new(vec![0xff, 0xfe, b'x']).unwrap();
    let name = cstr(RAW_PLUGIN);
    let key = cstr("key-1");
    let dir = cstr(plugins.to_str().unwrap());
    let mut signer = ptr::null_mut();
    let mut needed = 0usize;
    let mut buf = [0 as c_char; 8];
    // SAFETY: every pointer is NULL, a live handle, a NUL-terminated string
    // or writable, as each call documents.
    unsafe {
        // The configuration's plugin directory.
        assert_eq!(
            notation_config_set_plugin_dir(ptr::null_mut(), dir.as_ptr()),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_config_set_plugin_dir(config, bad_utf8.as_ptr()),
            notation_result::InvalidUtf8
        );
        assert_eq!(
            notation_config_set_plugin_dir(config, c"".as_ptr()),
            notation_result::InvalidArgument
        );
        assert_eq!(
            read_string(|b, l, n| notation_config_last_error(config, b, l, n)).unwrap(),
            "the plugin directory is empty (pass NULL to disable plugins)"
        );
        // Nothing changed.
        assert_eq!(
            read_string(|b, l, n| notation_config_plugin_dir(config, b, l, n)).unwrap(),
            plugins.to_str().unwrap()
        );
        assert_eq!(
            notation_config_plugin_dir(config, buf.as_mut_ptr(), buf.len(), &mut needed),
            notation_result::BufferTooSmall
        );
        assert_eq!(needed, plugins.to_str().unwrap().len() + 1);
        assert_eq!(
            notation_config_plugin_dir(ptr::null(), buf.as_mut_ptr(), buf.len(), &mut needed),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_config_plugin_dir(config, ptr::null_mut(), 0, ptr::null_mut()),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_config_plugin_dir(memory, buf.as_mut_ptr(), buf.len(), &mut needed),
            notation_result::NotAvailable
        );
        assert_eq!(
            notation_config_set_plugin_timeout(ptr::null_mut(), 1),
            notation_result::NullParameter
        );
        ok(notation_config_set_plugin_timeout(config, 0));

        // Plugin signers.
        for (c, n, k, out) in [
            (
                ptr::null(),
                name.as_ptr(),
                key.as_ptr(),
                &mut signer as *mut _,
            ),
            (config as *const _, ptr::null(), key.as_ptr(), &mut signer),
            (config, name.as_ptr(), ptr::null(), &mut signer),
            (config, name.as_ptr(), key.as_ptr(), ptr::null_mut()),
        ] {
            assert_eq!(
                notation_signer_new_plugin(c, n, k, out),
                notation_result::NullParameter
            );
        }
        assert!(signer.is_null());
        assert_eq!(
            notation_signer_new_plugin(config, bad_utf8.as_ptr(), key.as_ptr(), &mut signer),
            notation_result::InvalidUtf8
        );
        assert_eq!(
            notation_signer_new_plugin(config, name.as_ptr(), bad_utf8.as_ptr(), &mut signer),
            notation_result::InvalidUtf8
        );
        assert!(signer.is_null());
    }
    let err = |plugin: &str, key: &str, config| new_plugin_signer(config, plugin, key).unwrap_err();
    assert_eq!(
        err(RAW_PLUGIN, "", config),
        (
            notation_result::InvalidArgument,
            "keyID not specified".to_string()
        )
    );
    for name in ["", ".", "..", "../plugins", "a/b", "a\\b"] {
        assert_eq!(
            err(name, "key", config),
            (
                notation_result::InvalidArgument,
                format!("invalid plugin name {name:?}")
            ),
            "{name:?}"
        );
    }
    let (code, message) = err("com.example.absent", "key", config);
    assert_eq!(code, notation_result::PluginNotFound);
    assert_eq!(
        message,
        format!(
            "plugin executable file is either not found or inaccessible: stat {}: no such file or directory",
            plugins
                .join("com.example.absent/notation-com.example.absent")
                .display()
        )
    );
    // A directory where the executable should be.
    std::fs::create_dir_all(plugins.join("com.example.dir/notation-com.example.dir")).unwrap();
    assert_eq!(
        err("com.example.dir", "key", config),
        (
            notation_result::PluginNotFound,
            "plugin executable file is not a regular file".to_string()
        )
    );
    // An in-memory configuration without a plugin directory.
    let (code, message) = err(RAW_PLUGIN, "key", memory);
    assert_eq!(code, notation_result::PluginKeyUnsupported);
    assert!(message.contains("plugins are disabled"), "{message}");

    // Plugin configuration entries.
    let mut sign = ptr::null_mut();
    let mut verify = ptr::null_mut();
    // SAFETY: as above.
    unsafe {
        ok(notation_sign_options_new(&mut sign));
        ok(notation_verify_options_new(&mut verify));
        let k = c"k".as_ptr();
        let v = c"v".as_ptr();
        // (with_options, key, value) -> code, for both kinds of options.
        type Add<'a> = &'a dyn Fn(bool, *const c_char, *const c_char) -> notation_result;
        let sign_add = |with: bool, k, v| {
            let options = if with { sign } else { ptr::null_mut() };
            notation_sign_options_add_plugin_config(options, k, v)
        };
        let verify_add = |with: bool, k, v| {
            let options = if with { verify } else { ptr::null_mut() };
            notation_verify_options_add_plugin_config(options, k, v)
        };
        for add in [&sign_add as Add<'_>, &verify_add] {
            assert_eq!(add(false, k, v), notation_result::NullParameter);
            assert_eq!(add(true, ptr::null(), v), notation_result::NullParameter);
            assert_eq!(add(true, k, ptr::null()), notation_result::NullParameter);
            assert_eq!(
                add(true, bad_utf8.as_ptr(), v),
                notation_result::InvalidUtf8
            );
            assert_eq!(
                add(true, k, bad_utf8.as_ptr()),
                notation_result::InvalidUtf8
            );
            assert_eq!(add(true, c"".as_ptr(), v), notation_result::InvalidArgument);
            ok(add(true, k, v));
            assert_eq!(
                add(true, k, c"w".as_ptr()),
                notation_result::InvalidArgument
            );
            assert_eq!(last_error(), "plugin config key \"k\" is given twice");
        }
        notation_sign_options_free(&mut sign);
        notation_verify_options_free(&mut verify);
        notation_config_free(&mut { memory });
    }
    free_all(config, ptr::null_mut(), ptr::null_mut());
}
