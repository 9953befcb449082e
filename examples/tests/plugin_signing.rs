//! Signing and verifying with plugins through the `notation` binary, with a
//! real plugin executable (the Python test plugin: RAW signatures made by
//! `openssl`, JWS envelopes it builds itself, canned verification answers):
//!
//! - `sign` of an OCI layout artifact with a RAW plugin key from
//!   `signingkeys.json` (`-k`, the default key) and ad hoc (`--plugin
//!   --id`), `--plugin-config` merged over the key's `pluginConfig`,
//!   timestamping of RAW signatures (R5, R9, W16, O1, E3);
//! - `sign` with an ENVELOPE plugin: its annotations in the signature
//!   manifest, `--timestamp-url` not used, a wrong envelope type refused
//!   (R6, Q4);
//! - `blob sign` with RAW and ENVELOPE_FOR_BLOB plugins, and the refusal of
//!   a plain ENVELOPE plugin (R7);
//! - `verify` and `blob verify` of signatures that name a verification
//!   plugin, with `--plugin-config` reaching it: success with the x509
//!   identity check delegated, identity failure, a missing plugin (R8,
//!   MANIFEST §01 plugin table);
//! - the reference's flag groups of `--key`, `--id`, `--plugin`.
//!
//! Real outcomes only: python3 and openssl are required, never skipped.
#![cfg(unix)]

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use common::test_plugin::{TestPlugin, metadata, pki};
use common::{Env, copy_dir, vector};
use notation_oci::OciLayout;
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::SignatureManifest;
use serde_json::{Value, json};

const RAW: &str = "SIGNATURE_GENERATOR.RAW";
const ENVELOPE: &str = "SIGNATURE_GENERATOR.ENVELOPE";
const ENVELOPE_FOR_BLOB: &str = "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB";
const TRUSTED_IDENTITY: &str = "SIGNATURE_VERIFIER.TRUSTED_IDENTITY";

/// The unsigned artifact of `09-e2e-oci-layouts/layouts/e2e`.
const SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
const SCOPE: &str = "local/plugin-test";

fn key_spec(key: &str) -> &'static str {
    match key {
        "rsa-2048" => "RSA-2048",
        "rsa-3072" => "RSA-3072",
        "ec-256" => "EC-256",
        "ec-384" => "EC-384",
        other => panic!("{other}"),
    }
}

/// A RAW plugin signing with the test PKI leaf `key` (R5).
fn raw_behavior(name: &str, key: &str) -> Value {
    json!({
        "get-plugin-metadata": {"response": metadata(name, "1.2.3", &[RAW])},
        "describe-key": {"response": {"keyId": "key1", "keySpec": key_spec(key)}},
        "generate-signature": {"sign": {
            "key": pki(&format!("{key}.key")),
            "chain": pki(&format!("{key}.chain.pem")),
        }},
    })
}

/// A plugin that builds JWS envelopes with the test PKI leaf `key` (R6),
/// with extra protected headers (`headers`, all critical).
fn envelope_behavior(
    name: &str,
    capabilities: &[&str],
    key: &str,
    headers: Value,
    annotations: Option<Value>,
) -> Value {
    let critical: Vec<String> = headers
        .as_object()
        .map(|h| h.keys().cloned().collect())
        .unwrap_or_default();
    let mut build = json!({
        "key": pki(&format!("{key}.key")),
        "chain": pki(&format!("{key}.chain.pem")),
        "key_spec": key_spec(key),
        "headers": headers,
        "critical": critical,
    });
    if let Some(a) = annotations {
        build["annotations"] = a;
    }
    json!({
        "get-plugin-metadata": {"response": metadata(name, "1.0.0", capabilities)},
        "describe-key": {"response": {"keyId": "key1", "keySpec": key_spec(key)}},
        "generate-envelope": {"build_jws": build},
    })
}

/// Trusts the test PKI root in `ca:plugin-test` and writes OCI and blob
/// policies for it with `identity` as the trusted identity.
fn trust_test_pki(env: &Env, identity: &str) {
    env.trust(
        "ca",
        "plugin-test",
        "root.crt",
        &fs::read(pki("root.crt")).unwrap(),
    );
    let statement = |extra: Value| {
        let mut s = json!({
            "name": "plugin-test",
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:plugin-test"],
            "trustedIdentities": [identity],
        });
        s.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        s
    };
    fs::write(
        env.config().join("trustpolicy.oci.json"),
        json!({"version": "1.0", "trustPolicies": [statement(json!({"registryScopes": [SCOPE]}))]})
            .to_string(),
    )
    .unwrap();
    env.blob_policy(
        &json!({"version": "1.0", "trustPolicies": [statement(json!({"globalPolicy": true}))]})
            .to_string(),
    );
}

/// A fresh copy of the unsigned e2e layout; returns `<dir>@<digest>`.
fn unsigned_layout(env: &Env, name: &str) -> (PathBuf, String) {
    let dir = env.path(name);
    copy_dir(&vector("09-e2e-oci-layouts/layouts/e2e"), &dir);
    let reference = format!("{}@{SUBJECT}", dir.display());
    (dir, reference)
}

fn verify_layout(env: &Env, reference: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["verify", "--oci-layout", reference, "--scope", SCOPE];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// Every signature manifest of the layout's artifact with its envelope.
fn signatures(dir: &Path) -> Vec<(SignatureManifest, Vec<u8>)> {
    let layout = OciLayout::open(dir).unwrap();
    let artifact = SignatureRepository::resolve(&layout, SUBJECT).unwrap();
    layout
        .signatures(&artifact)
        .unwrap()
        .iter()
        .map(|s| layout.fetch_signature(s, &artifact).unwrap())
        .collect()
}

/// The decoded protected header, unprotected header and payload of a JWS.
fn jws_parts(envelope: &[u8]) -> (Value, Value, Value) {
    let jws: Value = serde_json::from_slice(envelope).unwrap();
    let decode = |field: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jws[field].as_str().unwrap())
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    (
        decode("protected"),
        jws["header"].clone(),
        decode("payload"),
    )
}

/// The Notary payload a plugin was asked to sign (`generate-envelope`).
fn requested_payload(request: &Value) -> Value {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(request["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn config_of(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    )
}

#[test]
fn raw_plugin_key_signs_oci_layout_r5_r9_w16() {
    let env = Env::new();
    trust_test_pki(&env, "*");
    let name = "com.example.raw";
    let plugin = TestPlugin::install(&env, name, raw_behavior(name, "rsa-2048"));
    // W16: the key as the reference records it, with its plugin config.
    env.run(&[
        "key",
        "add",
        "kms-key",
        "--plugin",
        name,
        "--id",
        "key1",
        "--plugin-config",
        "region=eu",
        "--plugin-config",
        "tier=gold",
        "--default",
    ])
    .success();
    let listed = env.run(&["key", "ls"]).success();
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.starts_with("* kms-key ") && l.contains(" key1 ") && l.contains(name)),
        "{}",
        listed.stdout
    );

    // The default key, --plugin-config over the key's pluginConfig (R9).
    let (dir, reference) = unsigned_layout(&env, "layout");
    let out = env
        .run(&[
            "sign",
            "--oci-layout",
            &reference,
            "--plugin-config",
            "tier=platinum",
            "--plugin-config",
            "trace=on",
        ])
        .success();
    assert!(
        out.stdout.starts_with(&format!(
            "Successfully signed {}@{SUBJECT}\n",
            dir.display()
        )),
        "{}",
        out.stdout
    );
    // R3, R5: metadata on every signing, then describe-key and
    // generate-signature; every request carries the merged configuration.
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "describe-key", "generate-signature"]
    );
    let merged = config_of(&[("region", "eu"), ("tier", "platinum"), ("trace", "on")]);
    for call in plugin.calls() {
        assert_eq!(call["request"]["pluginConfig"], merged, "{call}");
    }
    let request = plugin.last_request("generate-signature");
    assert_eq!(request["keyId"], "key1");
    assert_eq!(request["keySpec"], "RSA-2048");
    assert_eq!(request["hashAlgorithm"], "SHA-256");
    let signed = signatures(&dir);
    assert_eq!(signed.len(), 1);
    let (protected, header, payload) = jws_parts(&signed[0].1);
    assert_eq!(protected["alg"], "PS256");
    assert_eq!(payload["targetArtifact"]["digest"], SUBJECT);
    // E3: the signing agent names the plugin.
    assert!(
        header["io.cncf.notary.signingAgent"]
            .as_str()
            .unwrap()
            .ends_with(&format!(" {name}/1.2.3")),
        "{header}"
    );
    verify_layout(&env, &reference, &[])
        .success()
        // The layout named as the reference names it (path@digest).
        .stdout_has(&format!(
            "Successfully verified signature for {reference}\n"
        ));

    // -k names it; COSE works the same way (the envelope is ours).
    plugin.clear_calls();
    env.run(&[
        "sign",
        "--oci-layout",
        &reference,
        "-k",
        "kms-key",
        "--signature-format",
        "cose",
    ])
    .success();
    assert_eq!(
        plugin.last_request("generate-signature")["pluginConfig"],
        config_of(&[("region", "eu"), ("tier", "gold")])
    );
    assert_eq!(signatures(&dir).len(), 2);
    verify_layout(&env, &reference, &[]).success();

    // Ad hoc: --plugin --id, no configuration but --plugin-config.
    plugin.clear_calls();
    env.run(&[
        "sign",
        "--oci-layout",
        &reference,
        "--plugin",
        name,
        "--id",
        "key1",
        "--plugin-config",
        "only=this",
    ])
    .success();
    for call in plugin.calls() {
        assert_eq!(
            call["request"]["pluginConfig"],
            config_of(&[("only", "this")])
        );
    }
    assert_eq!(signatures(&dir).len(), 3);

    // A key id the plugin does not echo fails the signing (R5).
    let mut lying = raw_behavior(name, "rsa-2048");
    lying["generate-signature"]["sign"]["key_id"] = json!("key10");
    plugin.set_behavior(lying);
    env.run(&["sign", "--oci-layout", &reference])
        .failure()
        .stderr_has(
            "keyID in generateSignature response \"key10\" does not match request \"key1\"",
        );
    assert_eq!(signatures(&dir).len(), 3);
}

#[test]
fn raw_plugin_signatures_are_timestamped_r5_o1() {
    let env = Env::new();
    let tsa_dir = env.path("tsa");
    fs::create_dir_all(&tsa_dir).unwrap();
    let tsa = support::servers::tsa(&support::servers::make_tsa(&tsa_dir));
    let tsa_root = tsa_dir.join("root.crt");
    trust_test_pki(&env, "*");
    env.trust("tsa", "live", "root.crt", &fs::read(&tsa_root).unwrap());
    fs::write(
        env.config().join("trustpolicy.oci.json"),
        json!({"version": "1.0", "trustPolicies": [{
            "name": "stamped", "registryScopes": [SCOPE],
            "signatureVerification": {"level": "strict", "verifyTimestamp": "always"},
            "trustStores": ["ca:plugin-test", "tsa:live"], "trustedIdentities": ["*"],
        }]})
        .to_string(),
    )
    .unwrap();
    let name = "com.example.raw";
    TestPlugin::install(&env, name, raw_behavior(name, "ec-256"));
    let (dir, reference) = unsigned_layout(&env, "layout");
    env.run(&[
        "sign",
        "--oci-layout",
        &reference,
        "--plugin",
        name,
        "--id",
        "key1",
        "--timestamp-url",
        &tsa.url(),
        "--timestamp-root-cert",
        tsa_root.to_str().unwrap(),
    ])
    .success();
    let (_, header, _) = jws_parts(&signatures(&dir)[0].1);
    assert!(
        header["io.cncf.notary.timestampSignature"].is_string(),
        "{header}"
    );
    verify_layout(&env, &reference, &[]).success();
}

#[test]
fn envelope_plugin_signs_oci_layout_r6_q4() {
    let env = Env::new();
    trust_test_pki(&env, "*");
    let name = "com.example.envelope";
    let plugin = TestPlugin::install(
        &env,
        name,
        envelope_behavior(
            name,
            &[ENVELOPE],
            "rsa-3072",
            json!({}),
            Some(json!({"com.example.kms.request-id": "req-42"})),
        ),
    );
    let (dir, reference) = unsigned_layout(&env, "layout");
    // --timestamp-url is accepted and not used: the plugin owns its
    // envelope (R6), as with the reference. The URL is not even reachable.
    env.run(&[
        "sign",
        "--oci-layout",
        &reference,
        "--plugin",
        name,
        "--id",
        "key1",
        "-m",
        "buildId=7",
        "-e",
        "1h",
        "--plugin-config",
        "vault=prod",
        "--timestamp-url",
        "http://127.0.0.1:9/unreachable",
        "--timestamp-root-cert",
        pki("root.crt").to_str().unwrap(),
    ])
    .success();
    // No describe-key: the envelope plugin gets the whole payload (R6).
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "generate-envelope"]
    );
    let request = plugin.last_request("generate-envelope");
    assert_eq!(request["keyId"], "key1");
    assert_eq!(request["signatureEnvelopeType"], "application/jose+json");
    assert_eq!(
        request["payloadType"],
        "application/vnd.cncf.notary.payload.v1+json"
    );
    assert_eq!(request["expiryDurationInSeconds"], 3600);
    assert_eq!(request["pluginConfig"], config_of(&[("vault", "prod")]));
    let payload = requested_payload(&request);
    assert_eq!(payload["targetArtifact"]["digest"], SUBJECT);
    assert_eq!(payload["targetArtifact"]["annotations"]["buildId"], "7");

    // Q4: the plugin's annotations are in the signature manifest, beside
    // the thumbprints; the envelope is the plugin's, untimestamped.
    let signed = signatures(&dir);
    assert_eq!(signed.len(), 1);
    let (manifest, envelope) = &signed[0];
    assert_eq!(
        manifest
            .annotations
            .get("com.example.kms.request-id")
            .map(String::as_str),
        Some("req-42")
    );
    assert!(
        manifest
            .annotations
            .contains_key("io.cncf.notary.x509chain.thumbprint#S256")
    );
    let (protected, header, _) = jws_parts(envelope);
    assert_eq!(protected["alg"], "PS384");
    assert!(protected["io.cncf.notary.expiry"].is_string());
    assert_eq!(header["io.cncf.notary.signingAgent"], "test-plugin/1.0");
    assert!(header.get("io.cncf.notary.timestampSignature").is_none());
    verify_layout(&env, &reference, &["-m", "buildId=7"])
        .success()
        .stdout_has("buildId");

    // An envelope of another type than requested is refused (R6, MANIFEST
    // 12 generate-envelope.response.invalid-envelope-type-mismatch).
    plugin.set_behavior(json!({
        "get-plugin-metadata": {"response": metadata(name, "1.0.0", &[ENVELOPE])},
        "generate-envelope": {"envelope": {"text": "{}", "type": "application/cose"}},
    }));
    env.run(&["sign", "--oci-layout", &reference, "--plugin", name, "--id", "key1"])
        .failure()
        .stderr_has(&format!(
            "Error: failed to sign with the plugin {name}: signatureEnvelopeType in generateEnvelope response \"application/cose\" does not match request \"application/jose+json\"\n"
        ));
    assert_eq!(signatures(&dir).len(), 1);
}

#[test]
fn blob_signing_with_plugins_r7() {
    let env = Env::new();
    trust_test_pki(&env, "*");
    let blob = env.write("release.tar.gz", "release contents\n");
    let blob_arg = blob.to_str().unwrap();
    let sig = env.path("release.tar.gz.jws.sig");
    let sig_arg = sig.to_str().unwrap();

    // RAW: describe-key chooses the digest algorithm (RSA-3072: SHA-384).
    let raw = "com.example.raw";
    let plugin = TestPlugin::install(&env, raw, raw_behavior(raw, "rsa-3072"));
    env.run(&["blob", "sign", "--plugin", raw, "--id", "key1", blob_arg])
        .success()
        .stdout_has(&format!("Successfully signed {blob_arg}"));
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "describe-key", "generate-signature"]
    );
    let (protected, _, payload) = jws_parts(&fs::read(&sig).unwrap());
    assert_eq!(protected["alg"], "PS384");
    assert!(
        payload["targetArtifact"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha384:"),
        "{payload}"
    );
    env.run(&["blob", "verify", "-s", sig_arg, blob_arg])
        .success()
        .stdout_has(&format!("Successfully verified signature for {blob_arg}"));

    // A plain ENVELOPE plugin cannot sign blobs (R7): the reference's text,
    // nothing written.
    let envelope_only = "com.example.envelope";
    TestPlugin::install(
        &env,
        envelope_only,
        envelope_behavior(envelope_only, &[ENVELOPE], "rsa-2048", json!({}), None),
    );
    fs::remove_file(&sig).unwrap();
    env.run(&["blob", "sign", "--plugin", envelope_only, "--id", "key1", blob_arg])
        .failure()
        .stderr_has(&format!(
            "Error: the plugin \"{envelope_only}\" lacks the signature generator capability required for blob signing\n"
        ));
    assert!(!sig.exists());

    // ENVELOPE_FOR_BLOB: describe-key for the digest, then the plugin
    // builds the envelope over the blob descriptor (R7).
    let for_blob = "com.example.blob";
    let plugin = TestPlugin::install(
        &env,
        for_blob,
        envelope_behavior(
            for_blob,
            &[ENVELOPE, ENVELOPE_FOR_BLOB],
            "ec-384",
            json!({}),
            None,
        ),
    );
    env.run(&[
        "blob",
        "sign",
        "--plugin",
        for_blob,
        "--id",
        "key1",
        "--media-type",
        "application/gzip",
        blob_arg,
    ])
    .success();
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "describe-key", "generate-envelope"]
    );
    let payload = requested_payload(&plugin.last_request("generate-envelope"));
    assert_eq!(payload["targetArtifact"]["mediaType"], "application/gzip");
    assert!(
        payload["targetArtifact"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha384:")
    );
    env.run(&[
        "blob",
        "verify",
        "-s",
        sig_arg,
        "--media-type",
        "application/gzip",
        blob_arg,
    ])
    .success();
}

#[test]
fn verification_plugin_r8() {
    let env = Env::new();
    // The x509 identity would not match: the plugin's TRUSTED_IDENTITY
    // decides instead (MANIFEST §01 plugin table).
    trust_test_pki(
        &env,
        "x509.subject: C=US, ST=WA, O=Notary, CN=Somebody Else",
    );
    let name = "com.example.verifier";
    let signing = envelope_behavior(
        name,
        &[ENVELOPE, ENVELOPE_FOR_BLOB, TRUSTED_IDENTITY],
        "rsa-2048",
        json!({
            "io.cncf.notary.verificationPlugin": name,
            "io.cncf.notary.verificationPluginMinVersion": "1.0.0",
            "com.example.tenant": "tenant-1",
        }),
        None,
    );
    let with_answer = |result: Value| {
        let mut b = signing.clone();
        b["verify-signature"] = json!({"response": {
            "verificationResults": {TRUSTED_IDENTITY: result},
            "processedAttributes": ["com.example.tenant"],
        }});
        b
    };
    let plugin = TestPlugin::install(&env, name, with_answer(json!({"success": true})));

    // OCI.
    let (_, reference) = unsigned_layout(&env, "layout");
    env.run(&[
        "sign",
        "--oci-layout",
        &reference,
        "--plugin",
        name,
        "--id",
        "key1",
    ])
    .success();
    plugin.clear_calls();
    verify_layout(&env, &reference, &["--plugin-config", "mode=strict"])
        .success()
        // The layout named as the reference names it (path@digest).
        .stdout_has(&format!(
            "Successfully verified signature for {reference}\n"
        ));
    assert_eq!(
        plugin.commands(),
        ["get-plugin-metadata", "verify-signature"]
    );
    let strict = config_of(&[("mode", "strict")]);
    assert_eq!(
        plugin.last_request("get-plugin-metadata")["pluginConfig"],
        strict
    );
    let request = plugin.last_request("verify-signature");
    assert_eq!(request["pluginConfig"], strict);
    assert_eq!(
        request["trustPolicy"]["signatureVerification"],
        json!([TRUSTED_IDENTITY])
    );
    assert_eq!(
        request["signature"]["unprocessedAttributes"],
        json!(["com.example.tenant"])
    );
    assert_eq!(
        request["signature"]["criticalAttributes"]["extendedAttributes"]["com.example.tenant"],
        "tenant-1"
    );

    // The plugin says no.
    plugin.set_behavior(with_answer(
        json!({"success": false, "reason": "i feel like failing today"}),
    ));
    let failed = format!(
        "trusted identify verification by plugin \"{name}\" failed with reason \"i feel like failing today\""
    );
    verify_layout(&env, &reference, &["--plugin-config", "mode=strict"])
        .failure()
        .stderr_has(&failed)
        .stderr_has("Error: signature verification failed for all the signatures associated with");

    // Blob.
    plugin.set_behavior(with_answer(json!({"success": true})));
    let blob = env.write("data.bin", "plugin-verified data\n");
    let sig = env.path("data.bin.jws.sig");
    let (blob_arg, sig_arg) = (blob.to_str().unwrap(), sig.to_str().unwrap());
    env.run(&["blob", "sign", "--plugin", name, "--id", "key1", blob_arg])
        .success();
    plugin.clear_calls();
    env.run(&[
        "blob",
        "verify",
        "-s",
        sig_arg,
        "--plugin-config",
        "mode=blob",
        blob_arg,
    ])
    .success()
    .stdout_has(&format!("Successfully verified signature for {blob_arg}"));
    assert_eq!(
        plugin.last_request("verify-signature")["pluginConfig"],
        config_of(&[("mode", "blob")])
    );
    plugin.set_behavior(with_answer(
        json!({"success": false, "reason": "i feel like failing today"}),
    ));
    env.run(&["blob", "verify", "-s", sig_arg, blob_arg])
        .failure()
        .stderr_has(&failed);

    // A plugin that reports the extended attribute unprocessed fails it.
    let mut unprocessed = with_answer(json!({"success": true}));
    unprocessed["verify-signature"]["response"]["processedAttributes"] = json!([]);
    plugin.set_behavior(unprocessed);
    env.run(&["blob", "verify", "-s", sig_arg, blob_arg])
        .failure()
        .stderr_has(&format!(
            "extended critical attribute \"com.example.tenant\" was not processed by the verification plugin \"{name}\""
        ));

    // Uninstalled: the signature cannot be verified (R8).
    env.run(&["plugin", "uninstall", "-y", name]).success();
    env.run(&["blob", "verify", "-s", sig_arg, blob_arg])
        .failure()
        .stderr_has(&format!(
            "error while locating the verification plugin \"{name}\", make sure the plugin is installed successfully before verifying the signature"
        ));
    verify_layout(&env, &reference, &[])
        .failure()
        .stderr_has(&format!(
            "error while locating the verification plugin \"{name}\""
        ));
}

#[test]
fn signer_flags_as_the_reference() {
    // cobra's flag groups of the reference's SignerFlagOpts, in cobra's
    // order; nothing is signed.
    let env = Env::new();
    let blob = env.write("b.txt", "x");
    let blob_arg = blob.to_str().unwrap();
    for (flags, message) in [
        (
            &["--id", "k"][..],
            "if any flags in the group [id plugin] are set they must all be set; missing [plugin]",
        ),
        (
            &["--plugin", "p"],
            "if any flags in the group [id plugin] are set they must all be set; missing [id]",
        ),
        (
            &["-k", "name", "--id", "k", "--plugin", "p"],
            "if any flags in the group [key id] are set none of the others can be; [id key] were all set",
        ),
        (
            &["--id", "k", "--plugin", "p", "--timestamp-url", "http://x"],
            "if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set; missing [timestamp-root-cert]",
        ),
        (
            &["--id", "k", "--plugin", "p", "--plugin-config", "novalue"],
            "could not parse flag plugin-config: key-value pair requires \"=\" as separator",
        ),
        (
            &["--id", "k", "--plugin", "com.example.absent"],
            "plugin executable file is either not found or inaccessible: stat ",
        ),
    ] {
        for command in [&["blob", "sign"][..], &["sign", "--oci-layout"]] {
            let target = if command[0] == "blob" {
                blob_arg.to_string()
            } else {
                format!("{}@{SUBJECT}", env.path("absent-layout").display())
            };
            let mut args = command.to_vec();
            args.extend_from_slice(flags);
            args.push(&target);
            env.run(&args)
                .failure()
                .stderr_has(&format!("Error: {message}"));
        }
    }
    assert!(!env.path("b.txt.jws.sig").exists());
}

/// R5: a RAW plugin that fails while signing, worded as the reference
/// words it: a silent exit is its status, an answer that does not parse is
/// named without the parser's complaint, a chain of another key is the
/// algorithm mismatch its leaf implies (checked before the signature); blob
/// signing gives them as they are, OCI signing after the plugin's name.
#[test]
fn raw_plugin_failures_are_worded_as_the_reference_words_them() {
    let env = Env::new();
    trust_test_pki(&env, "*");
    let blob = env.write("blob.txt", "contents\n");
    let blob_arg = blob.to_str().unwrap();
    let (_dir, reference) = unsigned_layout(&env, "layout");
    let name = "com.example.raw";
    let cases = [
        (json!({"exit": 137}), "exit status 137"),
        (
            json!({"response": {"keyId": "key1", "signature": "!!!", "signingAlgorithm": "RSASSA-PSS-SHA-256", "certificateChain": []}}),
            "failed to unmarshal the response of generate-signature command for plugin com.example.raw",
        ),
        (
            json!({"sign": {"key": pki("rsa-2048.key"), "chain": pki("rsa-3072.chain.pem")}}),
            "mismatch between signature algorithm derived from signing certificate (2) and signing algorithm specified (1s)",
        ),
        (
            json!({"sign": {"key": pki("rsa-2048.key"), "chain": pki("rsa-2048.chain.pem"), "certificate_chain": []}}),
            "certificate-chain not present or is empty",
        ),
    ];
    for (generate, want) in cases {
        let mut behavior = raw_behavior(name, "rsa-2048");
        behavior["generate-signature"] = generate;
        TestPlugin::install(&env, name, behavior);
        env.run(&["blob", "sign", "--plugin", name, "--id", "key1", blob_arg])
            .failure()
            .stderr_has(&format!("Error: {want}\n"));
        env.run(&[
            "sign",
            "--oci-layout",
            &reference,
            "--plugin",
            name,
            "--id",
            "key1",
        ])
        .failure()
        .stderr_has(&format!(
            "Error: failed to sign with the plugin {name}: {want}\n"
        ));
    }
    assert!(!env.path("blob.txt.jws.sig").exists());
}
