//! The plugin protocol against a real plugin executable (REQUIREMENTS
//! R1-R9, U; MANIFEST 12-plugin): discovery, invocation, every fixture of
//! `12-plugin/protocol/` with its expected message, RAW signing with real
//! keys through openssl, envelope signing with pre-made envelopes, blob
//! signing, plugin configuration. Verification with plugins (R8) against
//! the §01 vectors is in `conformance_verify/`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use common::plugin::{TestPlugin, install_into, metadata, require_tools};
use notation_core::blob::{BlobSignError, BlobSignOptions};
use notation_core::config::KeySuite;
use notation_core::crypto::default_provider;
use notation_core::envelope::{self, EnvelopeFormat, SignRequest};
use notation_core::payload::{Descriptor, Payload};
use notation_core::plugin::{
    Capability, DescribeKeyRequest, ErrorCode, GetMetadataRequest, MAX_PLUGIN_OUTPUT_SIZE, Plugin,
    PluginConfig, PluginDirectory, PluginError, PluginLocator, PluginSignError, PluginSignOptions,
    PluginSigner,
};
use notation_core::trust::{
    BlobTrustPolicyDocument, MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType,
};
use notation_core::verifier::{ArtifactVerifyOptions, BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;
use serde_json::{Value, json};
use time::macros::datetime;

const NV2: &str = "com.example.nv2plugin";
const RAW: &str = "SIGNATURE_GENERATOR.RAW";
const ENVELOPE: &str = "SIGNATURE_GENERATOR.ENVELOPE";
const ENVELOPE_FOR_BLOB: &str = "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB";

fn fixture(name: &str) -> Value {
    serde_json::from_slice(&common::conformance(&format!("12-plugin/protocol/{name}"))).unwrap()
}

fn alpine_descriptor() -> Descriptor {
    Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
        481,
    )
}

fn alpine_jws() -> Vec<u8> {
    common::conformance("02-oci-layout-alpine/jws_signature.jws.sig")
}

fn config(pairs: &[(&str, &str)]) -> PluginConfig {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn crypto() -> Arc<dyn notation_core::crypto::CryptoProvider> {
    default_provider()
}

/// Compares requests as JSON values; base64 JSON payloads are compared
/// decoded (the reference marshals the payload descriptor in struct order,
/// the fixture in sorted order: both are the same JSON).
fn assert_same_request(got: &Value, want: &Value) {
    let normalize = |v: &Value| {
        let mut v = v.clone();
        if let Some(p) = v.get("payload").and_then(Value::as_str) {
            let bytes = base64::engine::general_purpose::STANDARD.decode(p).unwrap();
            if let Ok(decoded) = serde_json::from_slice::<Value>(&bytes) {
                v["payload"] = json!({ "decoded": decoded });
            }
        }
        v
    };
    assert_eq!(normalize(got), normalize(want));
}

// ------------------------------------------------------------------ R1

/// R1, MANIFEST 12 `notation-go-plugin-dir-layout`: `foo` is a plugin,
/// `badplugin` (its "executable" is a directory) is not.
#[test]
fn r1_reference_layout_lists_foo_and_rejects_badplugin() {
    let layout = common::conformance_dir().join("12-plugin/notation-go-plugin-dir-layout");
    let dir = PluginDirectory::new(&layout);
    assert_eq!(dir.list().unwrap(), vec!["foo".to_string()]);
    let entries = dir.entries().unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["badplugin", "foo"]);
    assert!(matches!(
        entries[0].problem,
        Some(PluginError::NotRegularFile { .. })
    ));
    let err = dir.open("badplugin").unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin executable file is not a regular file"
    );

    // The same layout with the executable bit set on foo: it opens; without
    // it, it is listed but cannot run.
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&layout, tmp.path());
    let exe = tmp.path().join("foo/notation-foo");
    set_mode(&exe, 0o755);
    let copy = PluginDirectory::new(tmp.path());
    assert_eq!(copy.list().unwrap(), ["foo"]);
    assert!(copy.open("foo").is_ok());
    set_mode(&exe, 0o644);
    assert_eq!(copy.list().unwrap(), ["foo"]);
    assert!(matches!(
        copy.open("foo"),
        Err(PluginError::NotExecutable { .. })
    ));
}

/// R1: the executable must be a regular file (no symlink); symlinked
/// plugin directories and plain files are not plugins; a missing plugin is
/// the reference's "not found or inaccessible".
#[cfg(unix)]
#[test]
fn r1_symlinks_files_and_missing_plugins() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("plugins");
    let real = install_into(&root, "real", &json!({}));
    // A symlinked executable.
    std::fs::create_dir_all(root.join("linked")).unwrap();
    std::os::unix::fs::symlink(&real, root.join("linked/notation-linked")).unwrap();
    // A symlinked plugin directory and a plain file.
    std::os::unix::fs::symlink(root.join("real"), root.join("alias")).unwrap();
    std::fs::write(root.join("notation-file"), b"").unwrap();

    let dir = PluginDirectory::new(&root);
    assert_eq!(dir.list().unwrap(), ["real"]);
    assert!(matches!(
        dir.open("linked"),
        Err(PluginError::NotRegularFile { .. })
    ));
    let missing = dir.open("absent").unwrap_err();
    assert!(missing.is_not_found());
    assert!(
        missing
            .to_string()
            .starts_with("plugin executable file is either not found or inaccessible: stat "),
        "{missing}"
    );
    assert!(matches!(
        dir.locate("../plugins/real"),
        Err(PluginError::InvalidName(_))
    ));
    assert!(dir.open("real").is_ok());

    // Checked again before every run: an opened plugin whose executable
    // became a symlink does not run.
    let opened = dir.open("real").unwrap();
    std::fs::rename(&real, root.join("real/moved")).unwrap();
    std::os::unix::fs::symlink(root.join("real/moved"), &real).unwrap();
    assert!(matches!(
        opened.run(notation_core::plugin::Command::GetPluginMetadata, b"{}"),
        Err(PluginError::NotRegularFile { .. })
    ));
}

// ------------------------------------------------------------------ R2

/// R2: the command is the first argument, the request arrives on stdin as
/// the reference writes it (MANIFEST 12 `get-plugin-metadata.request.json`),
/// the response is read from stdout.
#[test]
fn r2_request_on_stdin_response_on_stdout() {
    let valid = fixture("get-plugin-metadata.response.valid.json");
    let p = TestPlugin::install(NV2, json!({"get-plugin-metadata": {"response": valid}}));
    let plugin = p.plugin();
    let metadata = plugin
        .get_metadata(&GetMetadataRequest::new(config(&[("key1", "value1")])))
        .unwrap();
    assert_eq!(metadata.name, NV2);
    assert_eq!(metadata.version, "1.0.0");
    assert!(metadata.has_capability(&Capability::SignatureGenerator));
    let calls = p.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["argv"], json!(["get-plugin-metadata"]));
    assert_eq!(
        calls[0]["request"],
        fixture("get-plugin-metadata.request.json")
    );
}

/// R2, MANIFEST 12 `error.response.json`: exit code 1 with an error
/// response on stderr surfaces errorCode, errorMessage and errorMetadata.
#[test]
fn r2_error_response_with_exit_code_1() {
    let p = TestPlugin::install(
        NV2,
        json!({"describe-key": {"stderr": fixture("error.response.json"), "exit": 1}}),
    );
    let err = p
        .plugin()
        .describe_key(&DescribeKeyRequest::new("alpine-key", PluginConfig::new()))
        .unwrap_err();
    match &err {
        PluginError::ErrorResponse {
            code,
            message,
            metadata,
            ..
        } => {
            assert_eq!(*code, ErrorCode::Validation);
            assert_eq!(message, "key with id alpine-key not found");
            assert_eq!(metadata, &config(&[("keyId", "alpine-key")]));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.to_string(), "key with id alpine-key not found");
    assert_eq!(err.error_code(), Some(&ErrorCode::Validation));
}

/// R2: exit 1 with stderr that is not an error response is the
/// reference's PluginMalformedError; exit 1 without stderr and any other
/// exit code are generic failures.
#[test]
fn r2_malformed_error_responses_and_other_exit_codes() {
    let p = TestPlugin::install(NV2, json!({}));
    let run = |behavior: Value| {
        p.set_behavior(json!({ "describe-key": behavior }));
        p.plugin()
            .describe_key(&DescribeKeyRequest::new("k", PluginConfig::new()))
            .unwrap_err()
    };
    for stderr in [json!("garbage"), json!({}), json!("[1,2]")] {
        let err = run(json!({"stderr": stderr, "exit": 1}));
        assert!(
            matches!(err, PluginError::MalformedErrorResponse { .. }),
            "{stderr}: {err:?}"
        );
    }
    let err = run(json!({"exit": 1}));
    assert!(matches!(err, PluginError::Exit { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("failed to execute the describe-key command for plugin {NV2}: exit status 1")
    );
    let err = run(json!({"stderr": fixture("error.response.json"), "exit": 2}));
    match &err {
        PluginError::Exit { status, stderr, .. } => {
            assert_eq!(status, "exit status 2");
            assert!(stderr.contains("key with id alpine-key not found"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// R2: a successful exit with stdout that is not the response is the
/// reference's PluginMalformedError, with its message; unknown members of a
/// response are ignored; wrong types and hostile nesting are errors, not
/// panics.
#[test]
fn r2_malformed_and_tolerated_responses() {
    let p = TestPlugin::install(NV2, json!({}));
    let describe = |behavior: Value| {
        p.set_behavior(json!({ "describe-key": behavior }));
        p.plugin()
            .describe_key(&DescribeKeyRequest::new("k", PluginConfig::new()))
    };
    let err = describe(json!({"stdout_raw": "garbage"})).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "failed to unmarshal the response of describe-key command for plugin {NV2}"
        )),
        "{err}"
    );
    for raw in [
        "",
        "[]",
        r#"{"keyId": 5}"#,
        r#"{"keyId": "k", "keySpec": ["RSA-2048"]}"#,
        &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        "{\"keyId\":\"k\",\"keyId\":\"k\"}",
    ] {
        let err = describe(json!({ "stdout_raw": raw })).unwrap_err();
        assert!(
            matches!(err, PluginError::MalformedResponse { .. }),
            "{raw:.40}: {err:?}"
        );
    }
    let ok = describe(json!({"response": {
        "keyId": "k", "keySpec": "RSA-2048", "newField": {"nested": [1, 2, 3]}
    }}))
    .unwrap();
    assert_eq!(ok.key_spec, "RSA-2048");
}

/// R2, U: stdout and stderr are each read up to 64 MiB; one byte more and
/// the plugin is killed.
#[test]
fn r2_output_is_capped_at_64_mib() {
    let p = TestPlugin::install(
        NV2,
        json!({"describe-key": {"stdout_bytes": MAX_PLUGIN_OUTPUT_SIZE + 1}}),
    );
    let err = p
        .plugin()
        .describe_key(&DescribeKeyRequest::new("k", PluginConfig::new()))
        .unwrap_err();
    match err {
        PluginError::OutputTooLarge { stream, limit, .. } => {
            assert_eq!(stream, "stdout");
            assert_eq!(limit, 64 * 1024 * 1024);
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// R2: the limit is inclusive (as the reference's limit writer) and applies
/// to stderr too.
#[test]
fn r2_output_limit_boundaries() {
    let p = TestPlugin::install(NV2, json!({}));
    let exe = p.executable().with_output_limit(1000);
    p.set_behavior(json!({"describe-key": {"stdout_bytes": 1000}}));
    let out = exe
        .run(notation_core::plugin::Command::DescribeKey, b"{}")
        .unwrap();
    assert_eq!(out.len(), 1000);
    p.set_behavior(json!({"describe-key": {"stdout_bytes": 1001}}));
    let err = exe
        .run(notation_core::plugin::Command::DescribeKey, b"{}")
        .unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::OutputTooLarge {
                stream: "stdout",
                limit: 1000,
                ..
            }
        ),
        "{err:?}"
    );
    p.set_behavior(json!({"describe-key": {"stderr_bytes": 1001, "exit": 1}}));
    let err = exe
        .run(notation_core::plugin::Command::DescribeKey, b"{}")
        .unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::OutputTooLarge {
                stream: "stderr",
                ..
            }
        ),
        "{err:?}"
    );
}

/// R2: requests and responses larger than a pipe buffer flow both ways
/// without deadlock (stdin is fed while stdout and stderr are drained).
#[test]
fn r2_large_request_and_response() {
    let p = TestPlugin::install(
        NV2,
        json!({"describe-key": {"stdout_bytes": 4 << 20, "stderr_bytes": 4 << 20}}),
    );
    let request = serde_json::to_vec(&json!({"pad": "x".repeat(4 << 20)})).unwrap();
    let out = p
        .executable()
        .run(notation_core::plugin::Command::DescribeKey, &request)
        .unwrap();
    assert_eq!(out.len(), 4 << 20);
    assert_eq!(
        p.last_request("describe-key")["pad"]
            .as_str()
            .unwrap()
            .len(),
        4 << 20
    );
}

/// R2: a plugin that hangs is killed at the timeout and reaped (no
/// zombie).
#[test]
fn r2_timeout_kills_and_reaps_the_plugin() {
    let p = TestPlugin::install(NV2, json!({}));
    let pid_file = p.scratch().join("pid");
    p.set_behavior(json!({"describe-key": {"pid_file": pid_file, "sleep": 60}}));
    let exe = p
        .executable()
        .with_timeout(Some(std::time::Duration::from_millis(1500)));
    let started = std::time::Instant::now();
    let err = exe
        .run(notation_core::plugin::Command::DescribeKey, b"{}")
        .unwrap_err();
    assert!(matches!(err, PluginError::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("describe-key' command execution timeout")
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    #[cfg(target_os = "linux")]
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "plugin process {pid} was not reaped"
    );
    let _ = pid;
}

// ------------------------------------------------------------------ R3, R4

/// R4, MANIFEST 12 `get-plugin-metadata.response.*`: every invalid response
/// is refused with the reference's message.
#[test]
fn r4_metadata_fixtures() {
    let p = TestPlugin::install(NV2, json!({}));
    let cases = [
        ("valid", None),
        (
            "invalid-empty-name",
            Some(format!("metadata validation failed for plugin {NV2}: empty name")),
        ),
        (
            "invalid-empty-description",
            Some(format!("metadata validation failed for plugin {NV2}: empty description")),
        ),
        (
            "invalid-empty-version",
            Some(format!("metadata validation failed for plugin {NV2}: empty version")),
        ),
        (
            "invalid-empty-url",
            Some(format!("metadata validation failed for plugin {NV2}: empty url")),
        ),
        (
            "invalid-empty-capabilities",
            Some(format!("metadata validation failed for plugin {NV2}: empty capabilities")),
        ),
        (
            "invalid-no-contract-versions",
            Some(format!(
                "metadata validation failed for plugin {NV2}: supported contract versions not specified"
            )),
        ),
        (
            "invalid-unsupported-contract-version",
            Some(format!(
                "metadata validation failed for plugin {NV2}: contract version \"1.0\" is not in the list of the plugin supported versions [2.0]"
            )),
        ),
        (
            "invalid-name-mismatch",
            Some(
                "plugin executable file name must be \"notation-com.example.other\" instead of \"notation-com.example.nv2plugin\""
                    .to_string(),
            ),
        ),
    ];
    for (name, want) in cases {
        let response = fixture(&format!("get-plugin-metadata.response.{name}.json"));
        p.set_behavior(json!({"get-plugin-metadata": {"response": response}}));
        let got = p.plugin().get_metadata(&GetMetadataRequest::default());
        match want {
            None => assert!(got.is_ok(), "{name}: {got:?}"),
            Some(want) => assert_eq!(got.unwrap_err().to_string(), want, "{name}"),
        }
    }
}

// ------------------------------------------------------------------ R5

fn raw_behavior(name: &str, key: &str) -> Value {
    let pki = common::pki_dir();
    json!({
        "get-plugin-metadata": {"response": metadata(name, "1.2.3", &[RAW])},
        "describe-key": {"response": {"keyId": "key1", "keySpec": key_spec_name(key)}},
        "generate-signature": {"sign": {
            "key": pki.join(format!("{key}.key")),
            "chain": pki.join(format!("{key}.chain.pem")),
        }},
    })
}

fn key_spec_name(key: &str) -> &'static str {
    match key {
        "rsa-2048" => "RSA-2048",
        "rsa-3072" => "RSA-3072",
        "rsa-4096" => "RSA-4096",
        "ec-256" => "EC-256",
        "ec-384" => "EC-384",
        "ec-521" => "EC-521",
        other => panic!("{other}"),
    }
}

fn pki_root_store() -> Arc<MemoryTrustStore> {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "test",
            Certificate::parse_many(&common::pki("root.crt")).unwrap(),
        )
        .unwrap();
    Arc::new(store)
}

fn oci_verifier_for(key: &str) -> Verifier {
    let policy = json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "test",
            "registryScopes": ["example.com/repo"],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:test"],
            "trustedIdentities": [format!("x509.subject:C=US,ST=WA,O=Notary,CN=Notation Test Leaf {key}")],
        }]
    });
    Verifier::builder(pki_root_store())
        .oci_policy(
            OciTrustPolicyDocument::from_json(&serde_json::to_vec(&policy).unwrap()).unwrap(),
        )
        .build()
        .unwrap()
}

/// R5, MANIFEST 12 `describe-key.*` and `generate-signature.*`: the
/// requests notation-rs sends are the fixtures, and the fixture signature
/// assembles into `02-…/jws_signature.jws.sig` byte for byte.
#[test]
fn r5_generate_signature_fixtures_reassemble_the_alpine_jws() {
    let p = TestPlugin::install(
        NV2,
        json!({
            "get-plugin-metadata": {"response": fixture("get-plugin-metadata.response.valid.json")},
            "describe-key": {"response": fixture("describe-key.response.json")},
            "generate-signature": {"response": fixture("generate-signature.response.json")},
        }),
    );
    let signer = PluginSigner::new(p.plugin(), "alpine-key")
        .unwrap()
        .with_plugin_config(config(&[("key1", "value1")]));
    let raw = signer.raw_signer().unwrap();
    let payload = Payload::new(alpine_descriptor()).to_json();
    let request = SignRequest::new(payload, &raw)
        .signing_time(datetime!(2023-03-14 16:10:02 +08:00))
        .signing_agent(Some("Notation/1.0.0".into()));
    let bytes = envelope::sign(EnvelopeFormat::Jws, &request, crypto().as_ref()).unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        String::from_utf8(alpine_jws()).unwrap()
    );
    assert_eq!(
        p.commands(),
        ["get-plugin-metadata", "describe-key", "generate-signature"]
    );
    assert_eq!(
        p.last_request("describe-key"),
        fixture("describe-key.request.json")
    );
    assert_eq!(
        p.last_request("generate-signature"),
        fixture("generate-signature.request.json")
    );
}

/// R5, E3: RAW signing with every key spec, both envelope formats, real
/// keys signing through openssl in the plugin; the result verifies and
/// names the plugin in its signing agent.
#[test]
fn r5_raw_plugin_signs_with_every_key_spec() {
    for key in common::KEY_NAMES {
        let p = TestPlugin::install("com.example.raw", raw_behavior("com.example.raw", key));
        let signer = PluginSigner::new(p.plugin(), "key1").unwrap();
        let verifier = oci_verifier_for(key);
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            p.clear_calls();
            let signature = signer
                .sign_artifact(
                    &alpine_descriptor(),
                    &PluginSignOptions::new(format),
                    crypto().as_ref(),
                )
                .unwrap_or_else(|e| panic!("{key} {format}: {e}"));
            assert!(signature.annotations.is_empty());
            assert_eq!(
                signature
                    .content
                    .signer_info
                    .unsigned
                    .signing_agent
                    .as_deref(),
                Some(format!("{} com.example.raw/1.2.3", notation_core::SIGNING_AGENT).as_str())
            );
            assert_eq!(
                p.commands(),
                ["get-plugin-metadata", "describe-key", "generate-signature"],
                "{key} {format}"
            );
            let request = p.last_request("generate-signature");
            assert_eq!(request["contractVersion"], "1.0");
            assert_eq!(request["keySpec"], key_spec_name(key));
            let outcome = verifier
                .verify_artifact(
                    &format!("example.com/repo@{}", alpine_descriptor().digest),
                    &alpine_descriptor(),
                    &signature.envelope,
                    format.media_type(),
                    &ArtifactVerifyOptions::new(),
                )
                .unwrap_or_else(|e| panic!("{key} {format}: {e}"));
            assert!(outcome.enforced_failure().is_none());
        }
    }
}

fn raw_signing_error(behavior: Value) -> String {
    let p = TestPlugin::install("com.example.raw", behavior);
    PluginSigner::new(p.plugin(), "key1")
        .unwrap()
        .sign_artifact(
            &alpine_descriptor(),
            &PluginSignOptions::new(EnvelopeFormat::Jws),
            crypto().as_ref(),
        )
        .unwrap_err()
        .to_string()
}

/// R5, MANIFEST 12: tampered key id, signature and chain are refused with
/// the reference's messages; so are a wrong signing algorithm, a bad
/// describe-key answer and an empty answer.
#[test]
fn r5_generate_signature_answers_are_checked() {
    let with = |patch: Value| {
        let mut b = raw_behavior("com.example.raw", "rsa-2048");
        for (k, v) in patch.as_object().unwrap() {
            b["generate-signature"]["sign"][k] = v.clone();
        }
        b
    };
    let prefix = "failed to sign with the plugin com.example.raw: ";
    let cases = [
        (
            with(json!({"key_id": "key10"})),
            "keyID in generateSignature response \"key10\" does not match request \"key1\"",
        ),
        (
            with(json!({"tamper_signature": true})),
            "generated signature failed verification: signature is invalid. Error: crypto/rsa: verification error",
        ),
        (
            with(json!({"certificate_chain": ["aW52YWxpZF9jZXJ0X2NoYWlu"]})),
            "x509: malformed certificate",
        ),
        (
            with(json!({"certificate_chain": []})),
            "certificate-chain not present or is empty",
        ),
        (
            with(json!({"signature": ""})),
            "signature missing in jws-json envelope",
        ),
        (
            with(json!({"signing_algorithm": "RSASSA-PSS-SHA-1"})),
            "signing algorithm \"RSASSA-PSS-SHA-1\" in generateSignature response is not supported",
        ),
        (
            with(json!({"signing_algorithm": "ECDSA-SHA-256"})),
            "signing algorithm \"ECDSA-SHA-256\" in generateSignature response does not match the key spec \"RSA-2048\"",
        ),
        (
            // The chain of another key: its leaf implies another algorithm
            // (checked, as the reference checks it, before the signature,
            // which does not verify with that leaf either).
            with(json!({"chain": common::pki_dir().join("rsa-3072.chain.pem")})),
            "mismatch between signature algorithm derived from signing certificate (2) and signing algorithm specified (1s)",
        ),
    ];
    for (behavior, want) in cases {
        let got = raw_signing_error(behavior);
        assert!(got.starts_with(prefix), "{got}");
        assert!(got.contains(want), "want {want:?} in {got:?}");
    }

    let mut b = raw_behavior("com.example.raw", "rsa-2048");
    b["describe-key"]["response"]["keyId"] = json!("other");
    assert_eq!(
        raw_signing_error(b),
        format!("{prefix}keyID in describeKey response \"other\" does not match request \"key1\"")
    );
    let mut b = raw_behavior("com.example.raw", "rsa-2048");
    b["describe-key"]["response"]["keySpec"] = json!("RSA-1024");
    assert_eq!(raw_signing_error(b), format!("{prefix}unknown key spec"));
}

// ------------------------------------------------------------------ R6

fn envelope_plugin(annotations: Option<Value>, file: &Path) -> TestPlugin {
    let mut envelope = json!({ "file": file });
    if let Some(a) = annotations {
        envelope["annotations"] = a;
    }
    TestPlugin::install(
        NV2,
        json!({
            "get-plugin-metadata": {"response": metadata(NV2, "1.0.0", &[ENVELOPE])},
            "generate-envelope": {"envelope": envelope},
        }),
    )
}

/// R6, MANIFEST 12 `generate-envelope.*`: the request is the fixture; the
/// fixture response's envelope is `jws_signature.jws.sig`, accepted as is,
/// and its annotations are returned for the signature manifest.
#[test]
fn r6_generate_envelope_fixtures() {
    let response = fixture("generate-envelope.response.json");
    let p = TestPlugin::install(
        NV2,
        json!({
            "get-plugin-metadata": {"response": metadata(NV2, "1.0.0", &[ENVELOPE])},
            "generate-envelope": {"response": response},
        }),
    );
    let signer = PluginSigner::new(p.plugin(), "alpine-key")
        .unwrap()
        .with_plugin_config(config(&[("key1", "value1")]));
    let options =
        PluginSignOptions::new(EnvelopeFormat::Jws).expiry(Some(time::Duration::seconds(86400)));
    let signature = signer
        .sign_artifact(&alpine_descriptor(), &options, crypto().as_ref())
        .unwrap();
    assert_eq!(signature.envelope, alpine_jws());
    assert_eq!(
        signature.annotations,
        BTreeMap::from([(
            "com.example.plugin.annotation".to_string(),
            "value".to_string()
        )])
    );
    assert_eq!(p.commands(), ["get-plugin-metadata", "generate-envelope"]);
    assert_same_request(
        &p.last_request("generate-envelope"),
        &fixture("generate-envelope.request.json"),
    );
}

fn envelope_signing_error(behavior: Value, target: &Descriptor, format: EnvelopeFormat) -> String {
    let p = TestPlugin::install(NV2, behavior);
    PluginSigner::new(p.plugin(), "alpine-key")
        .unwrap()
        .sign_artifact(target, &PluginSignOptions::new(format), crypto().as_ref())
        .unwrap_err()
        .to_string()
}

/// R6, MANIFEST 12: an envelope of the wrong type, an empty envelope, a
/// garbage envelope and an envelope over another descriptor are refused.
#[test]
fn r6_generated_envelopes_are_checked() {
    let md = json!({"response": metadata(NV2, "1.0.0", &[ENVELOPE])});
    let prefix = format!("failed to sign with the plugin {NV2}: ");
    let err = envelope_signing_error(
        json!({
            "get-plugin-metadata": md,
            "generate-envelope": {"response": fixture("generate-envelope.response.invalid-envelope-type-mismatch.json")},
        }),
        &alpine_descriptor(),
        EnvelopeFormat::Jws,
    );
    assert_eq!(
        err,
        format!(
            "{prefix}signatureEnvelopeType in generateEnvelope response \"application/cose\" does not match request \"application/jose+json\""
        )
    );
    let err = envelope_signing_error(
        json!({"get-plugin-metadata": md, "generate-envelope": {"envelope": {"text": "{}"}}}),
        &alpine_descriptor(),
        EnvelopeFormat::Jws,
    );
    assert_eq!(
        err,
        format!(
            "{prefix}generated signature failed verification: certificate chain is not present"
        )
    );
    for text in ["", "not an envelope", "[]", "\u{0}\u{1}"] {
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let err = envelope_signing_error(
                json!({"get-plugin-metadata": md, "generate-envelope": {"envelope": {"text": text}}}),
                &alpine_descriptor(),
                format,
            );
            assert!(err.starts_with(&prefix), "{text:?} {format}: {err}");
        }
    }
    // The alpine envelope for another artifact.
    let jws = common::conformance_dir().join("02-oci-layout-alpine/jws_signature.jws.sig");
    let other = Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        481,
    );
    let err = envelope_signing_error(
        json!({"get-plugin-metadata": md, "generate-envelope": {"envelope": {"file": jws}}}),
        &other,
        EnvelopeFormat::Jws,
    );
    // The descriptors as the reference prints them (Go's %+v).
    let mt = "application/vnd.oci.image.manifest.v1+json";
    let alpine = "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";
    let zero = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    assert_eq!(
        err,
        format!(
            "{prefix}during signing descriptor subject has changed from {{MediaType:{mt} Digest:{zero} Size:481 URLs:[] Annotations:map[] Data:[] Platform:<nil> ArtifactType:}} to {{MediaType:{mt} Digest:{alpine} Size:481 URLs:[] Annotations:map[] Data:[] Platform:<nil> ArtifactType:}}"
        )
    );
    // A requested annotation that the envelope lacks: removed, refused.
    let mut annotated = alpine_descriptor();
    annotated.annotations = Some(BTreeMap::from([
        ("k".into(), "v".into()),
        ("a".into(), "b c".into()),
    ]));
    let err = envelope_signing_error(
        json!({"get-plugin-metadata": md, "generate-envelope": {"envelope": {"file": jws}}}),
        &annotated,
        EnvelopeFormat::Jws,
    );
    assert!(
        err.contains(&format!(
            "during signing descriptor subject has changed from {{MediaType:{mt} Digest:{alpine} Size:481 URLs:[] Annotations:map[a:b c k:v] Data:[] Platform:<nil> ArtifactType:}} to "
        )),
        "{err}"
    );
}

/// R6: a COSE envelope from the plugin, with manifest annotations.
#[test]
fn r6_cose_envelope_from_the_plugin() {
    let cose = common::conformance_dir().join("02-oci-layout-alpine/cose_signature.cose.sig");
    let p = envelope_plugin(Some(json!({"a": "b"})), &cose);
    let signature = PluginSigner::new(p.plugin(), "alpine-key")
        .unwrap()
        .sign_artifact(
            &alpine_descriptor(),
            &PluginSignOptions::new(EnvelopeFormat::Cose),
            crypto().as_ref(),
        )
        .unwrap();
    assert_eq!(signature.envelope, std::fs::read(&cose).unwrap());
    assert_eq!(signature.annotations["a"], "b");
    assert_eq!(
        p.last_request("generate-envelope")["signatureEnvelopeType"],
        "application/cose"
    );
}

/// R7: a plugin without signing capabilities signs nothing.
#[test]
fn r6_plugin_without_signing_capability() {
    let err = envelope_signing_error(
        json!({"get-plugin-metadata": {"response": metadata(NV2, "1.0.0", &["SIGNATURE_VERIFIER.TRUSTED_IDENTITY"])}}),
        &alpine_descriptor(),
        EnvelopeFormat::Jws,
    );
    assert_eq!(err, "plugin does not have signing capabilities");
}

// ------------------------------------------------------------------ R7

/// R7: a plain envelope plugin cannot sign blobs (the reference's message).
#[test]
fn r7_envelope_only_plugin_cannot_sign_blobs() {
    let jws = common::conformance_dir().join("02-oci-layout-alpine/jws_signature.jws.sig");
    let p = envelope_plugin(None, &jws);
    let err = PluginSigner::new(p.plugin(), "alpine-key")
        .unwrap()
        .sign_blob(
            &mut &b"blob"[..],
            &BlobSignOptions::new(EnvelopeFormat::Jws),
            crypto().as_ref(),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        BlobSignError::Plugin(PluginSignError::NoBlobSigningCapability { .. })
    ));
    assert_eq!(
        err.to_string(),
        format!(
            "the plugin \"{NV2}\" lacks the signature generator capability required for blob signing"
        )
    );
    assert_eq!(p.commands(), ["get-plugin-metadata"]);
}

/// R7, A3: a RAW plugin signs blobs: describe-key picks the digest
/// algorithm (SHA-384 for EC-384), the signature verifies against the blob.
#[test]
fn r7_raw_plugin_signs_blobs() {
    let p = TestPlugin::install("com.example.raw", raw_behavior("com.example.raw", "ec-384"));
    let blob = b"the blob to sign".to_vec();
    let options = BlobSignOptions::new(EnvelopeFormat::Cose)
        .user_metadata(BTreeMap::from([("k".into(), "v".into())]));
    let envelope = PluginSigner::new(p.plugin(), "key1")
        .unwrap()
        .sign_blob(&mut blob.as_slice(), &options, crypto().as_ref())
        .unwrap();
    assert_eq!(
        p.commands(),
        ["get-plugin-metadata", "describe-key", "generate-signature"]
    );
    let policy = json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "blob",
            "globalPolicy": true,
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:test"],
            "trustedIdentities": ["*"],
        }]
    });
    let verifier = Verifier::builder(pki_root_store())
        .blob_policy(
            BlobTrustPolicyDocument::from_json(&serde_json::to_vec(&policy).unwrap()).unwrap(),
        )
        .build()
        .unwrap();
    let outcome = verifier
        .verify_blob(
            &envelope,
            EnvelopeFormat::Cose,
            &mut blob.as_slice(),
            &BlobVerifyOptions::new().user_metadata(BTreeMap::from([("k".into(), "v".into())])),
        )
        .unwrap();
    let payload = outcome.payload().unwrap();
    assert!(payload.target_artifact.digest.starts_with("sha384:"));
}

/// R7: an ENVELOPE_FOR_BLOB plugin gets the blob descriptor built with the
/// hash of its key spec; its envelope (MANIFEST 10 `blob.jws.sig` over
/// `signed-blob-LICENSE.txt`, with a timestamp) is checked and returned.
#[test]
fn r7_envelope_for_blob_plugin() {
    let dir = common::conformance_dir().join("10-blob/e2e-signatures");
    // An ENVELOPE_FOR_BLOB plugin with this describe-key key spec, whose
    // generate-envelope answers with the envelope in `file`.
    let plugin = |key_spec: &str, file: &Path| {
        TestPlugin::install(
            NV2,
            json!({
                "get-plugin-metadata": {"response": metadata(NV2, "1.0.0", &[ENVELOPE_FOR_BLOB])},
                "describe-key": {"response": {"keyId": "blob-key", "keySpec": key_spec}},
                "generate-envelope": {"envelope": {"file": file}},
            }),
        )
    };
    let sign = |p: &TestPlugin, blob: &[u8]| {
        PluginSigner::new(p.plugin(), "blob-key")
            .unwrap()
            .sign_blob(
                &mut &blob[..],
                &BlobSignOptions::new(EnvelopeFormat::Jws),
                crypto().as_ref(),
            )
    };
    let p = plugin("RSA-2048", &dir.join("blob.jws.sig"));
    let blob = std::fs::read(dir.join("signed-blob-LICENSE.txt")).unwrap();
    let envelope = sign(&p, &blob).unwrap();
    assert_eq!(envelope, std::fs::read(dir.join("blob.jws.sig")).unwrap());
    assert_eq!(
        p.commands(),
        ["get-plugin-metadata", "describe-key", "generate-envelope"]
    );
    let request = p.last_request("generate-envelope");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(request["payload"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&payload).unwrap(),
        json!({"targetArtifact": {
            "mediaType": "application/octet-stream",
            "digest": "sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
            "size": 11357,
        }})
    );

    // The same envelope for another blob: refused.
    let err = sign(&p, b"another blob").unwrap_err();
    assert!(
        err.to_string()
            .contains("during signing descriptor subject has changed"),
        "{err}"
    );

    // Another key spec with the same hash (EC-256, SHA-256): the envelope
    // verifies as a blob signature, so it is taken.
    sign(&plugin("EC-256", &dir.join("blob.jws.sig")), &blob).unwrap();

    // A key spec of another hash (EC-384: the blob digested with SHA-384)
    // and an envelope that signs that descriptor with an RSA-2048 key
    // (PS256): refused, as blob verification would recompute the digest
    // with SHA-256 and never match.
    let descriptor = Descriptor::of_reader(
        "application/octet-stream",
        notation_core::algorithm::HashAlgorithm::Sha384,
        &mut blob.as_slice(),
    )
    .unwrap();
    let signer = notation_core::signer::LocalSigner::from_pem(
        &common::pki("rsa-2048.key"),
        &common::pki("rsa-2048.chain.pem"),
    )
    .unwrap();
    let envelope = envelope::sign(
        EnvelopeFormat::Jws,
        &SignRequest::new(Payload::new(descriptor).to_json(), &signer),
        crypto().as_ref(),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let envelope_file = tmp.path().join("sha384.jws.sig");
    std::fs::write(&envelope_file, envelope).unwrap();
    let err = sign(&plugin("EC-384", &envelope_file), &blob).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to sign with the plugin {NV2}: signature algorithm of the generated signature (RSASSA-PSS-SHA-256) does not use the hash of the key spec in the describeKey response (EC-384: SHA-384), with which the blob was digested"
        )
    );
}

// ------------------------------------------------------------------ R3, R9

/// R9, W16: a `signingkeys.json` plugin key: the plugin is found by
/// `pluginName`, the key by `id`, and `pluginConfig` with the overrides
/// applied goes verbatim to every command. R3: get-plugin-metadata is asked
/// on every signing operation.
#[test]
fn r9_plugin_key_configuration_and_r3_metadata_every_time() {
    let p = TestPlugin::install("com.example.raw", raw_behavior("com.example.raw", "ec-256"));
    let keys: notation_core::config::SigningKeys = serde_json::from_value(json!({
        "default": "plugin-key",
        "keys": [{
            "name": "plugin-key",
            "id": "key1",
            "pluginName": "com.example.raw",
            "pluginConfig": {"a": "1", "b": "2"},
        }]
    }))
    .unwrap();
    let key: &KeySuite = keys.get(None).unwrap();
    let signer = PluginSigner::from_key_suite(
        key,
        p.locator().as_ref(),
        &config(&[("b", "3"), ("c", "4")]),
    )
    .unwrap();
    for _ in 0..2 {
        signer
            .sign_artifact(
                &alpine_descriptor(),
                &PluginSignOptions::new(EnvelopeFormat::Jws),
                crypto().as_ref(),
            )
            .unwrap();
    }
    let calls = p.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c["command"] == "get-plugin-metadata")
            .count(),
        2
    );
    for call in &calls {
        assert_eq!(
            call["request"]["pluginConfig"],
            json!({"a": "1", "b": "3", "c": "4"}),
            "{call}"
        );
    }

    let local = KeySuite::local("local", "k.pem", "c.pem");
    assert_eq!(
        PluginSigner::from_key_suite(&local, p.locator().as_ref(), &PluginConfig::new())
            .unwrap_err()
            .to_string(),
        "signing key \"local\" is not associated with a plugin"
    );
    let mut no_id = key.clone();
    no_id.id = None;
    assert_eq!(
        PluginSigner::from_key_suite(&no_id, p.locator().as_ref(), &PluginConfig::new())
            .unwrap_err()
            .to_string(),
        "keyID not specified"
    );
    let mut absent = key.clone();
    absent.plugin_name = Some("com.example.absent".into());
    let err = PluginSigner::from_key_suite(&absent, p.locator().as_ref(), &PluginConfig::new())
        .unwrap_err();
    assert!(
        matches!(err, PluginSignError::Plugin(ref e) if e.is_not_found()),
        "{err:?}"
    );
}

/// The tools the real plugin needs are present (fails, never skips).
#[test]
fn test_plugin_prerequisites() {
    require_tools();
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            set_mode(&target, 0o644);
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
