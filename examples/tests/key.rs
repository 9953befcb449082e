//! `notation key add/update/list/delete` and `signingkeys.json` (W16),
//! with the `conformance/13-config` vectors.

mod common;

use std::fs;

use common::{Env, read, vector_bytes};
use notation_core::algorithm::KeySpec;
use notation_examples::testpki::{TestCertificateRequest, generate};

/// Writes a generated key pair into the working directory.
fn key_files(env: &Env, name: &str, spec: KeySpec) -> (String, String) {
    let g = generate(&TestCertificateRequest::new(name, spec)).unwrap();
    let key = env.write(&format!("{name}.key"), g.key_pem());
    let cert = env.write(&format!("{name}.crt"), g.cert_pem());
    (
        key.to_str().unwrap().to_string(),
        cert.to_str().unwrap().to_string(),
    )
}

fn row(cells: [&str; 5], widths: [usize; 5]) -> String {
    let mut s = String::new();
    for (c, w) in cells.iter().zip(widths) {
        s.push_str(&format!("{c:<w$}"));
    }
    s.push('\n');
    s
}

#[test]
fn conformance_13_config() {
    let env = Env::new();
    let keys = env.config().join("signingkeys.json");
    // An empty configuration lists only the header.
    let out = env.run(&["key", "list"]).success();
    assert_eq!(
        out.stdout,
        "NAME   KEY PATH   CERTIFICATE PATH   ID   PLUGIN NAME   \n"
    );

    fs::write(
        &keys,
        vector_bytes("13-config/notation-go-config/valid/signingkeys.json"),
    )
    .unwrap();
    let out = env.run(&["key", "ls"]).success();
    // Each column: its widest cell plus 3 (tabwriter padding).
    let widths = [22, 64, 64, 6, 14];
    let expected = [
        row(
            ["NAME", "KEY PATH", "CERTIFICATE PATH", "ID", "PLUGIN NAME"],
            widths,
        ),
        row(
            [
                "* wabbit-networks",
                "/home/demo/.config/notation/localkeys/wabbit-networks.key",
                "/home/demo/.config/notation/localkeys/wabbit-networks.crt",
                "",
                "",
            ],
            widths,
        ),
        row(
            [
                "import.acme-rockets",
                "/home/demo/.config/notation/localkeys/import.acme-rockets.key",
                "/home/demo/.config/notation/localkeys/import.acme-rockets.crt",
                "",
                "",
            ],
            widths,
        ),
        row(["external-key", "", "", "id1", "pluginX"], widths),
    ]
    .concat();
    assert_eq!(out.stdout, expected);

    for (dir, message) in [
        (
            "malformed-duplicate",
            "malformed signingkeys.json: multiple keys with name 'wabbit-networks' found",
        ),
        (
            "malformed-invalid-default",
            "malformed signingkeys.json: default key 'missing-default' not found",
        ),
    ] {
        fs::write(
            &keys,
            vector_bytes(&format!(
                "13-config/notation-go-config/{dir}/signingkeys.json"
            )),
        )
        .unwrap();
        env.run(&["key", "list"])
            .failure()
            .stderr_has(&format!("Error: {message}"));
        env.run(&["key", "delete", "external-key"])
            .failure()
            .stderr_has(message);
        env.write("b", "x");
        env.run(&["blob", "sign", "b"])
            .failure()
            .stderr_has(message);
        env.run(&["cert", "generate-test", "fresh"])
            .failure()
            .stderr_has(message);
        // Nothing was rewritten.
        assert_eq!(
            fs::read(&keys).unwrap(),
            vector_bytes(&format!(
                "13-config/notation-go-config/{dir}/signingkeys.json"
            ))
        );
    }
    fs::write(&keys, "{not json").unwrap();
    env.run(&["key", "list"])
        .failure()
        .stderr_has("Error: malformed signingkeys.json: ");
}

#[test]
fn valid_config_keys_can_be_managed() {
    let env = Env::new();
    let keys = env.config().join("signingkeys.json");
    fs::write(
        &keys,
        vector_bytes("13-config/notation-go-config/valid/signingkeys.json"),
    )
    .unwrap();
    env.run(&["key", "update", "--default", "import.acme-rockets"])
        .success()
        .stdout_has("import.acme-rockets: marked as default\n");
    env.run(&["key", "delete", "wabbit-networks", "import.acme-rockets"]).success().stdout_has(
        "Removed the following keys from Notation signing key list. The source keys still exist.\nwabbit-networks\nimport.acme-rockets (default)\n",
    );
    let doc: serde_json::Value = serde_json::from_str(&read(&keys)).unwrap();
    assert!(doc.get("default").is_none());
    // The plugin key is kept as it was.
    assert_eq!(
        doc["keys"],
        serde_json::json!([{"name": "external-key", "id": "id1", "pluginName": "pluginX", "pluginConfig": {"key": "value"}}])
    );
    // Signing with it looks for the plugin (R1, W16); it is not installed:
    // the reference's text.
    env.write("b", "x");
    env.run(&["blob", "sign", "--key", "external-key", "b"])
        .failure()
        .stderr_has(&format!(
            "Error: plugin executable file is either not found or inaccessible: stat {}: no such file or directory\n",
            env.config()
                .join("plugins/pluginX/notation-pluginX")
                .display()
        ));
}

#[test]
fn local_keys() {
    let env = Env::new();
    let (k1, c1) = key_files(&env, "one", KeySpec::Ec256);
    let (k2, c2) = key_files(&env, "two", KeySpec::Rsa3072);
    env.run(&["key", "add", "one", "--key-file", &k1, "--cert-file", &c1])
        .success()
        .stdout_has("one\n");
    env.run(&[
        "key",
        "add",
        "--default",
        "two",
        "--key-file",
        &k2,
        "--cert-file",
        &c2,
    ])
    .success()
    .stdout_has("two: marked as default\n");
    env.run(&["key", "add", "one", "--key-file", &k1, "--cert-file", &c1])
        .failure()
        .stderr_has("Error: signing key with name \"one\" already exists");
    // A key that does not belong to the certificate is refused.
    env.run(&["key", "add", "mixed", "--key-file", &k1, "--cert-file", &c2])
        .failure()
        .stderr_has("Error: failed to load the key pair: ");
    env.run(&["key", "add", "half", "--key-file", &k1])
        .failure()
        .stderr_has("--key-file and --cert-file must be set together");
    env.run(&["key", "add", "none"])
        .failure()
        .stderr_has("either --key-file and --cert-file");
    env.run(&["key", "add"])
        .failure()
        .stderr_has("either missing key name or unnecessary parameters passed");
    env.run(&[
        "key",
        "add",
        "a",
        "b",
        "--key-file",
        &k1,
        "--cert-file",
        &c1,
    ])
    .failure()
    .stderr_has("either missing key name or unnecessary parameters passed");
    let list = env.run(&["key", "list"]).success();
    assert!(
        list.stdout.contains(&format!("* two   {k2}")),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains(&format!("\none     {k1}")),
        "{}",
        list.stdout
    );

    // The default key signs; --key picks another; both verify.
    env.blob_policy(&common::blob_policy_json(&[(
        "g",
        "strict",
        &["ca:keys"],
        true,
    )]));
    env.run(&["cert", "add", "-t", "ca", "-s", "keys", &c1, &c2])
        .success();
    env.write("blob", "data");
    env.run(&["blob", "sign", "blob"]).success();
    env.run(&["blob", "verify", "-s", "blob.jws.sig", "blob"])
        .success();
    let tree = env.run(&["blob", "inspect", "blob.jws.sig"]).success();
    assert!(
        tree.stdout
            .contains("signature algorithm: RSASSA-PSS-SHA-384")
    );
    env.run(&["blob", "sign", "--force", "-k", "one", "blob"])
        .success();
    let tree = env.run(&["blob", "inspect", "blob.jws.sig"]).success();
    assert!(tree.stdout.contains("signature algorithm: ECDSA-SHA-256"));

    env.run(&["key", "set", "--default", "one"])
        .success()
        .stdout_has("one: marked as default\n");
    // The reference's `logger.Warn`: silent unless logging is on.
    let quiet = env.run(&["key", "update", "one"]).success();
    assert_eq!(quiet.stderr, "");
    env.run(&["key", "update", "-d", "one"])
        .success()
        .stderr_has("level=warning msg=--default flag is not set, command did not take effect");
    env.run(&["key", "update", "--default", "nope"])
        .failure()
        .stderr_has("Error: signing key nope not found");
    env.run(&["key", "update"])
        .failure()
        .stderr_has("missing key name");

    // Delete is all or nothing.
    let before = read(&env.config().join("signingkeys.json"));
    env.run(&["key", "delete", "two", "nope"])
        .failure()
        .stderr_has("Error: signing key nope not found");
    assert_eq!(read(&env.config().join("signingkeys.json")), before);
    env.run(&["key", "delete", "one"]).success().stdout_has(
        "Removed default key one from Notation signing key list. The source key still exists.\n",
    );
    env.run(&["key", "delete", "two"])
        .success()
        .stdout_has("Removed two from Notation signing key list. The source key still exists.\n");
    assert!(
        std::path::Path::new(&k1).exists(),
        "the key file itself stays"
    );
    env.run(&["key", "delete"])
        .failure()
        .stderr_has("missing key names");
}

#[test]
fn plugin_keys_are_recorded() {
    let env = Env::new();
    env.run(&[
        "key",
        "add",
        "ext",
        "--plugin",
        "com.example.kms",
        "--id",
        "key-1",
    ])
    .failure()
    .stderr_has(&format!(
        "Error: plugin executable file is either not found or inaccessible: stat {}: no such file or directory\n",
        env.config()
            .join("plugins/com.example.kms/notation-com.example.kms")
            .display()
    ));
    // R1: {libexec}/plugins/{name}/notation-{name}; libexec defaults to the
    // configuration directory.
    let plugin_dir = env.config().join("plugins/com.example.kms");
    fs::create_dir_all(&plugin_dir).unwrap();
    fs::write(plugin_dir.join("notation-com.example.kms"), "#!/bin/sh\n").unwrap();
    env.run(&["key", "add", "ext", "--plugin", "com.example.kms"])
        .failure()
        .stderr_has("Error: missing key id");
    env.run(&[
        "key",
        "add",
        "ext",
        "--plugin",
        "com.example.kms",
        "--id",
        "key-1",
        "--plugin-config",
        "region=eu",
        "--default",
    ])
    .success()
    .stderr_lacks("Warning:")
    .stdout_has("ext: marked as default\n");
    let doc: serde_json::Value =
        serde_json::from_str(&read(&env.config().join("signingkeys.json"))).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"default": "ext", "keys": [{"name": "ext", "id": "key-1", "pluginName": "com.example.kms", "pluginConfig": {"region": "eu"}}]})
    );
    env.run(&[
        "key",
        "add",
        "x",
        "--plugin",
        "p",
        "--id",
        "i",
        "--key-file",
        "k",
    ])
    .failure();
}
