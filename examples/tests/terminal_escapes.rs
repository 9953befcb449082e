//! No text from others reaches the terminal as an escape sequence
//! (hardening, "terminal escapes"): registry error texts, user metadata
//! (payload annotations), certificate subjects and plugin messages carrying
//! ESC/CSI sequences, C1 controls and newlines are printed escaped (`\x1b`,
//! `\u009b`, `\n`) by every human-readable output, so they can neither
//! repaint the terminal nor forge an output line; JSON output stays JSON
//! (the control characters are JSON escapes there).

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use common::test_plugin::{TestPlugin, metadata};
use common::{Env, Run, copy_dir, vector};
use serde_json::json;
use support::http::{Response, TestServer};

/// What a hostile party puts in its text: a screen clear and colour (CSI
/// in its 7-bit and C1 forms), then a forged line.
const HOSTILE: &str = "\u{1b}[2J\u{1b}[31mred\u{9b}0m\nSuccessfully verified signature for forged";
/// How [`HOSTILE`] is shown.
const SHOWN: &str = "\\x1b[2J\\x1b[31mred\\u009b0m\\nSuccessfully verified signature for forged";

/// No control character but line breaks in the output, no forged line, and
/// the hostile text shown escaped in standard output or error.
#[track_caller]
fn assert_escaped(run: &Run) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c)),
            "{name} carries control characters: {text:?}"
        );
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("Successfully verified signature for forged")),
            "{name} has the forged line:\n{text}"
        );
    }
    assert!(
        run.stdout.contains(SHOWN) || run.stderr.contains(SHOWN),
        "the hostile text is not shown escaped:\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

/// A registry's error message (the OCI error body) in `Error:` lines.
#[test]
fn registry_error_texts() {
    let digest = format!("sha256:{}", "a".repeat(64));
    let head_digest = digest.clone();
    let server = TestServer::start(move |request| {
        if request.path().contains("/manifests/") {
            Response::status(200)
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .header("Docker-Content-Digest", head_digest.clone())
                .content_length(100)
        } else {
            Response::status(500)
                .header("Content-Type", "application/json")
                .body(json!({"errors": [{"code": "UNKNOWN", "message": HOSTILE}]}).to_string())
        }
    });
    let env = Env::new();
    let reference = format!("{}/app@{digest}", server.host());
    for command in ["ls", "inspect"] {
        let run = env
            .run(&[command, "--insecure-registry", &reference])
            .failure();
        assert_escaped(&run);
    }
}

/// User metadata (the payload's annotations) in `inspect` trees, the
/// `verify` metadata table and `blob inspect`; `inspect -o json` keeps it
/// as JSON, equal to what was signed.
#[test]
fn user_metadata() {
    let env = Env::new();
    env.generate_test("k", &["--default", "--key-type", "ec"]);
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
          "signatureVerification":{"level":"strict"},"trustStores":["ca:k"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    env.blob_policy(&common::blob_policy_json(&[(
        "g",
        "strict",
        &["ca:k"],
        true,
    )]));
    let layout = env.path("layout");
    copy_dir(&vector("09-e2e-oci-layouts/layouts/e2e"), &layout);
    let reference = format!("{}:v1", layout.display());
    let metadata = format!("purpose={HOSTILE}");
    env.run(&["sign", "--oci-layout", &reference, "-m", &metadata])
        .success();
    assert_escaped(&env.run(&["inspect", "--oci-layout", &reference]).success());
    assert_escaped(
        &env.run(&[
            "verify",
            "--oci-layout",
            "--scope",
            "local/app",
            &reference,
            "-m",
            &metadata,
        ])
        .success(),
    );
    let json = env
        .run(&["inspect", "-o", "json", "--oci-layout", &reference])
        .success();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        value["Signatures"][0]["userDefinedAttributes"]["purpose"],
        HOSTILE
    );
    assert!(!json.stdout.contains('\u{1b}') && !json.stdout.contains('\u{9b}'));

    env.write("blob.txt", "data");
    env.run(&["blob", "sign", "-m", &metadata, "blob.txt"])
        .success();
    assert_escaped(&env.run(&["blob", "inspect", "blob.txt.jws.sig"]).success());
    assert_escaped(
        &env.run(&["blob", "verify", "-s", "blob.txt.jws.sig", "blob.txt"])
            .success(),
    );
}

/// A certificate whose subject carries the hostile text, in `certificate
/// show`.
#[test]
fn certificate_subjects() {
    let env = Env::new();
    let key = env.path("evil.key");
    let cert = env.path("evil.crt");
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args(["-days", "1", "-utf8", "-subj"])
        .arg(format!(
            "/CN={}/O=Notary/ST=WA/C=US",
            HOSTILE.replace('/', "\\/")
        ))
        .output()
        .expect("openssl is required for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.run(&[
        "certificate",
        "add",
        "--type",
        "ca",
        "--store",
        "s",
        cert.to_str().unwrap(),
    ])
    .success();
    let shown = env
        .run(&[
            "certificate",
            "show",
            "--type",
            "ca",
            "--store",
            "s",
            "evil.crt",
        ])
        .success();
    assert_escaped(&shown);
}

/// A plugin's metadata (`plugin list`) and its error message (`sign`).
#[test]
fn plugin_messages() {
    let env = Env::new();
    let mut described = metadata("com.example.evil", "1.0.0", &["SIGNATURE_GENERATOR.RAW"]);
    described["description"] = json!(HOSTILE);
    TestPlugin::install(
        &env,
        "com.example.evil",
        json!({
            "get-plugin-metadata": {"response": described},
            "describe-key": {"stderr": {"errorCode": "ERROR", "errorMessage": HOSTILE}, "exit": 1},
        }),
    );
    assert_escaped(&env.run(&["plugin", "list"]).success());
    let layout = env.path("layout");
    copy_dir(&vector("09-e2e-oci-layouts/layouts/e2e"), &layout);
    let signed = env
        .run(&[
            "sign",
            "--oci-layout",
            "--plugin",
            "com.example.evil",
            "--id",
            "k",
            &format!("{}:v1", layout.display()),
        ])
        .failure();
    assert_escaped(&signed);
}
