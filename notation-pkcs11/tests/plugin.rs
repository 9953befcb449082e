//! The `notation-pkcs11` plugin executable, installed in a plugin directory
//! and driven through notation-core's plugin client exactly as the
//! reference drives a `SIGNATURE_GENERATOR.RAW` plugin
//! (get-plugin-metadata, describe-key, generate-signature, then the
//! envelope is built and checked around the signature); plus the raw
//! protocol: the capability string, error responses and exit codes.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use notation_core::blob::BlobSignOptions;
use notation_core::crypto::default_provider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::plugin::{
    Capability, GetMetadataRequest, Plugin, PluginConfig, PluginDirectory, PluginLocator,
    PluginSigner,
};
use notation_core::signer::LocalSigner;
use serde_json::{Value, json};
use support::softhsm::{GENERATED, MODULE, PIN, SPECS, hsm, pki};
use support::verify::{BLOB, assert_same_envelope, content, sign_blob_at, verify_blob};
use time::OffsetDateTime;

const BINARY: &str = env!("CARGO_BIN_EXE_notation-pkcs11");

/// A plugin directory with `pkcs11/notation-pkcs11` installed (copied, as
/// `notation plugin install --file` does).
fn plugins() -> (tempfile::TempDir, PluginDirectory) {
    let dir = tempfile::tempdir().unwrap();
    let plugin_dir = dir.path().join("pkcs11");
    std::fs::create_dir(&plugin_dir).unwrap();
    std::fs::copy(BINARY, plugin_dir.join("notation-pkcs11")).unwrap();
    let plugins = PluginDirectory::new(dir.path());
    (dir, plugins)
}

/// The key id: the URI with a pin-source (the plugin reads no PIN from its
/// standard input, which carries the request).
fn key_id(label: &str) -> String {
    format!(
        "{}&pin-source={}",
        hsm().uri(label),
        hsm().pin_file().display()
    )
}

fn config(chain: &Path) -> PluginConfig {
    [("certificate_chain".to_string(), chain.display().to_string())].into()
}

fn plugin_signer(plugins: &PluginDirectory, label: &str, chain: &Path) -> PluginSigner {
    PluginSigner::new(plugins.locate("pkcs11").unwrap(), key_id(label))
        .unwrap()
        .with_plugin_config(config(chain))
}

#[test]
fn metadata_says_signature_generator_raw_exactly() {
    let _serial = support::softhsm::exclusive();
    let (_dir, plugins) = plugins();
    let plugin = plugins.locate("pkcs11").unwrap();
    let metadata = plugin.get_metadata(&GetMetadataRequest::default()).unwrap();
    assert_eq!(metadata.name, "pkcs11");
    assert_eq!(metadata.capabilities, vec![Capability::SignatureGenerator]);
    assert_eq!(
        metadata.supported_contract_versions,
        vec!["1.0".to_string()]
    );
    // The wire bytes: the reference compares the capability string exactly.
    let (code, out, _) = raw(&["get-plugin-metadata"], b"{}", &[]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["capabilities"], json!(["SIGNATURE_GENERATOR.RAW"]));
}

#[test]
fn every_key_spec_signs_blobs_through_the_plugin_like_a_key_file() {
    let _serial = support::softhsm::exclusive();
    let (_dir, plugins) = plugins();
    let time = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    for label in SPECS {
        let chain = pki(&format!("{label}.chain.pem"));
        let signer = plugin_signer(&plugins, label, &chain);
        let file = LocalSigner::from_files(&pki(&format!("{label}.key")), &chain).unwrap();
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let envelope = signer
                .sign_blob(
                    &mut &BLOB[..],
                    &BlobSignOptions::new(format).signing_time(time),
                    &*default_provider(),
                )
                .unwrap_or_else(|e| panic!("{label} {format:?}: {e}"));
            verify_blob(&envelope, format);
            // Same envelope as a key file's, but for the signing agent,
            // which names the plugin as the reference writes it.
            let ours = content(&envelope, format);
            let agent = ours
                .signer_info
                .unsigned
                .signing_agent
                .clone()
                .unwrap_or_default();
            assert!(
                agent.ends_with(&format!(" pkcs11/{}", env!("CARGO_PKG_VERSION"))),
                "{agent}"
            );
            let theirs = content(&sign_blob_at(&file, format, time), format);
            assert_eq!(ours.payload, theirs.payload);
            assert_eq!(
                format!("{:?}", ours.signer_info.signed),
                format!("{:?}", theirs.signer_info.signed)
            );
            assert_eq!(
                ours.signer_info.signature_algorithm,
                theirs.signer_info.signature_algorithm
            );
            assert_eq!(
                ours.signer_info.certificate_chain.len(),
                theirs.signer_info.certificate_chain.len()
            );
        }
    }
}

#[test]
fn the_plugin_signs_with_a_key_generated_on_the_token() {
    let _serial = support::softhsm::exclusive();
    let (_dir, plugins) = plugins();
    let signer = plugin_signer(&plugins, GENERATED, &hsm().generated_chain());
    let raw = signer.raw_signer().unwrap();
    let in_process = notation_pkcs11::Pkcs11Signer::builder(key_id(GENERATED).parse().unwrap())
        .certificate_chain_file(hsm().generated_chain())
        .build()
        .unwrap();
    let time = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let via_plugin = sign_blob_at(&raw, format, time);
        verify_blob(&via_plugin, format);
        let direct = sign_blob_at(&in_process, format, time);
        verify_blob(&direct, format);
        // In process, notation-rs signs as itself; through the plugin the
        // agent names the plugin. Everything else is the same.
        let strip = |e: &[u8]| {
            let mut c = content(e, format);
            c.signer_info.unsigned.signing_agent = None;
            format!("{:?}{:?}", c.signer_info.signed, c.signer_info.unsigned)
        };
        assert_eq!(strip(&via_plugin), strip(&direct));
    }
    let _ = assert_same_envelope;
}

/// Runs the plugin binary with `args`, `stdin` and extra environment.
fn raw(args: &[&str], stdin: &[u8], env: &[(&str, &Path)]) -> (i32, Vec<u8>, Vec<u8>) {
    use std::io::Write;
    let mut cmd = Command::new(BINARY);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

fn error_of(stderr: &[u8]) -> (String, String) {
    let v: Value = serde_json::from_slice(stderr)
        .unwrap_or_else(|_| panic!("not an error response: {}", String::from_utf8_lossy(stderr)));
    (
        v["errorCode"].as_str().unwrap_or_default().to_string(),
        v["errorMessage"].as_str().unwrap_or_default().to_string(),
    )
}

fn describe(key_id: &str, chain: &Path) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "contractVersion": "1.0",
        "keyId": key_id,
        "pluginConfig": {"certificate_chain": chain},
    }))
    .unwrap()
}

#[test]
fn describe_key_answers_the_key_spec_and_echoes_the_key_id() {
    let _serial = support::softhsm::exclusive();
    let id = key_id("ec-384");
    let (code, out, err) = raw(
        &["describe-key"],
        &describe(&id, &pki("ec-384.chain.pem")),
        &[],
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v, json!({"keyId": id, "keySpec": "EC-384"}));
}

#[test]
fn the_pin_may_come_from_the_environment() {
    let _serial = support::softhsm::exclusive();
    let id = hsm().uri("rsa-4096");
    let chain = pki("rsa-4096.chain.pem");
    let request = serde_json::to_vec(&json!({
        "contractVersion": "1.0", "keyId": id, "keySpec": "RSA-4096", "hashAlgorithm": "SHA-512",
        "payload": "aGVsbG8=", "pluginConfig": {"certificate_chain": chain},
    }))
    .unwrap();
    let pin_env = [("NOTATION_PKCS11_PIN", Path::new(PIN))];
    let (code, out, err) = raw(&["generate-signature"], &request, &pin_env);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["keyId"], json!(id));
    assert_eq!(v["signingAlgorithm"], json!("RSASSA-PSS-SHA-512"));
    assert_eq!(v["certificateChain"].as_array().unwrap().len(), 3);
    // Without it: ACCESS_DENIED, saying how to give one.
    let (code, _, err) = raw(&["generate-signature"], &request, &[]);
    assert_eq!(code, 1);
    let (c, message) = error_of(&err);
    assert_eq!(c, "ACCESS_DENIED");
    assert!(message.contains("needs a PIN"), "{message}");
}

#[test]
fn failures_are_error_responses_with_the_contract_codes() {
    let _serial = support::softhsm::exclusive();
    let chain = pki("ec-256.chain.pem");
    let dir = tempfile::tempdir().unwrap();
    let wrong_pin_file = dir.path().join("pin");
    std::fs::write(&wrong_pin_file, "0000\n").unwrap();
    let wrong_pin = format!(
        "pkcs11:token={};object=ec-256?module-path={MODULE}&pin-source=file:{}",
        support::softhsm::LOCKED_TOKEN,
        wrong_pin_file.display()
    );
    let pin_value = format!(
        "pkcs11:token={};object=ec-256?module-path={MODULE}&pin-value=0000",
        support::softhsm::LOCKED_TOKEN
    );
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (describe(&wrong_pin, &chain), "ACCESS_DENIED", "wrong PIN"),
        (
            describe(&pin_value, &chain),
            "VALIDATION_ERROR",
            "use pin-source=file:<path> or the NOTATION_PKCS11_PIN environment variable",
        ),
        (
            describe(&key_id("nope"), &chain),
            "VALIDATION_ERROR",
            "no private key",
        ),
        (
            describe("not-a-uri", &chain),
            "VALIDATION_ERROR",
            "not a PKCS#11 URI",
        ),
        (
            describe("", &chain),
            "VALIDATION_ERROR",
            "keyId is required",
        ),
        (
            describe(&key_id("ec-256"), &pki("rsa-2048.chain.pem")),
            "VALIDATION_ERROR",
            "does not match",
        ),
        (
            describe(&key_id("ec-256"), Path::new("/nonexistent/chain.pem")),
            "VALIDATION_ERROR",
            "failed to read",
        ),
        (
            serde_json::to_vec(&json!({"contractVersion": "2.0", "keyId": key_id("ec-256")}))
                .unwrap(),
            "UNSUPPORTED_CONTRACT_VERSION",
            "2.0",
        ),
        (b"[1,2]".to_vec(), "VALIDATION_ERROR", "malformed request"),
        (
            serde_json::to_vec(&json!({
                "contractVersion": "1.0", "keyId": key_id("ec-256"), "keySpec": "EC-384",
                "hashAlgorithm": "SHA-384", "payload": "aGVsbG8=",
                "pluginConfig": {"certificate_chain": chain},
            }))
            .unwrap(),
            "VALIDATION_ERROR",
            "keySpec \"EC-384\" does not match the key, which is EC-256",
        ),
    ];
    for (request, want_code, want_text) in cases {
        let command = if want_text.contains("keySpec") {
            "generate-signature"
        } else {
            "describe-key"
        };
        let (code, out, err) = raw(&[command], &request, &[]);
        assert_eq!(code, 1, "{want_text}");
        assert!(out.is_empty());
        let (c, message) = error_of(&err);
        assert_eq!(
            (c.as_str(), message.contains(want_text)),
            (want_code, true),
            "{message}"
        );
        assert!(!message.contains("0000"), "the PIN leaked: {message}");
    }
    let (code, _, err) = raw(&["generate-envelope"], b"{}", &[]);
    assert_eq!((code, error_of(&err).0.as_str()), (1, "VALIDATION_ERROR"));
    let (code, _, _) = raw(&[], b"", &[]);
    assert_eq!(code, 1);
}

#[test]
fn a_mechanism_the_token_lacks_is_a_clear_error() {
    let _serial = support::softhsm::exclusive();
    // The same tokens, with SoftHSM told to offer no CKM_ECDSA and no
    // CKM_RSA_PKCS_PSS (a separate process: the configuration is read once).
    let conf = hsm().conf_without(&["CKM_ECDSA", "CKM_RSA_PKCS_PSS"]);
    for (label, mechanism) in [("ec-256", "CKM_ECDSA"), ("rsa-2048", "CKM_RSA_PKCS_PSS")] {
        let request = describe(&key_id(label), &pki(&format!("{label}.chain.pem")));
        let (code, _, err) = raw(&["describe-key"], &request, &[("SOFTHSM2_CONF", &conf)]);
        assert_eq!(code, 1);
        let (c, message) = error_of(&err);
        assert_eq!(c, "ERROR");
        assert!(
            message.contains(&format!("does not support {mechanism}")),
            "{message}"
        );
    }
}

#[test]
fn the_plugin_is_found_and_run_like_any_installed_plugin() {
    let _serial = support::softhsm::exclusive();
    let (dir, plugins) = plugins();
    let listed = plugins.list().unwrap();
    assert_eq!(listed, vec!["pkcs11".to_string()]);
    let plugin: Arc<dyn Plugin> = plugins.locate("pkcs11").unwrap();
    assert_eq!(plugin.name(), "pkcs11");
    assert!(
        PathBuf::from(dir.path())
            .join("pkcs11/notation-pkcs11")
            .is_file()
    );
}

/// OpenSC's PKCS#11 spy, which logs every call of the module it wraps.
fn pkcs11_spy() -> PathBuf {
    let arch = std::env::consts::ARCH;
    [
        format!("/usr/lib/{arch}-linux-gnu/pkcs11/pkcs11-spy.so"),
        "/usr/lib/pkcs11/pkcs11-spy.so".to_string(),
        "/usr/lib64/pkcs11/pkcs11-spy.so".to_string(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("OpenSC's pkcs11-spy.so is needed (apt-get install opensc)")
}

/// A module that prints to standard output (the spy wrapping SoftHSM,
/// logging every PKCS#11 call to /dev/stdout): the response on standard
/// output is the JSON alone, and what the module printed goes to standard
/// error (the plugin spec asks plugins to move standard output aside).
#[test]
fn a_module_that_prints_leaves_the_response_alone() {
    let _serial = support::softhsm::exclusive();
    let spy = pkcs11_spy();
    let id = key_id("ec-384").replace(MODULE, &spy.display().to_string());
    let (code, out, err) = raw(
        &["describe-key"],
        &describe(&id, &pki("ec-384.chain.pem")),
        &[
            ("PKCS11SPY", Path::new(MODULE)),
            ("PKCS11SPY_OUTPUT", Path::new("/dev/stdout")),
        ],
    );
    let err = String::from_utf8_lossy(&err);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)));
    assert_eq!(v["keySpec"], json!("EC-384"));
    assert!(err.contains("C_Initialize"), "the spy's log: {err}");
}
