//! The CLI with keys that need a secret: keys in a PKCS#11 token (real
//! SoftHSM tokens, see notation-pkcs11/tests/support/softhsm.rs) and
//! password-protected key files (encrypted PKCS#8).
//!
//! `key add --pkcs11-uri` records the entry the reference writes for the
//! `notation-pkcs11` plugin; notation-rs signs with it in process, without
//! the plugin installed. PINs and passwords never come from arguments.

mod common;
#[path = "../../notation-pkcs11/tests/support/softhsm.rs"]
mod softhsm;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use common::{Env, blob_policy_json};
use serde_json::json;
use softhsm::{MODULE, PIN, hsm, pki};

fn trusting_env() -> Env {
    let env = Env::new();
    env.trust(
        "ca",
        "root",
        "root.crt",
        &std::fs::read(pki("root.crt")).unwrap(),
    );
    env.blob_policy(&blob_policy_json(&[("b", "strict", &["ca:root"], true)]));
    env
}

fn uri_with_pin_source(label: &str) -> String {
    format!(
        "{}&pin-source={}",
        hsm().uri(label),
        hsm().pin_file().display()
    )
}

#[test]
fn a_pkcs11_key_is_recorded_as_the_plugin_key_and_signs_in_process() {
    let _serial = softhsm::exclusive();
    let env = trusting_env();
    let uri = uri_with_pin_source("ec-384");
    let chain = pki("ec-384.chain.pem");
    env.run(&[
        "key",
        "add",
        "hsm",
        "--pkcs11-uri",
        &uri,
        "--cert-file",
        chain.to_str().unwrap(),
        "--default",
    ])
    .success()
    .stdout_has("hsm: marked as default");
    // The entry the reference writes for `key add --plugin pkcs11 --id
    // <uri> --plugin-config certificate_chain=<chain>`.
    let keys: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.config().join("signingkeys.json")).unwrap())
            .unwrap();
    assert_eq!(
        keys,
        json!({"default": "hsm", "keys": [{"name": "hsm", "id": uri, "pluginName": "pkcs11",
            "pluginConfig": {"certificate_chain": chain.to_str().unwrap()}}]})
    );
    env.run(&["key", "list"])
        .success()
        .stdout_has("* hsm")
        .stdout_has("pkcs11")
        .stdout_has(&uri);
    // No plugin is installed: the key signs in process.
    assert!(!env.config().join("plugins").exists());
    let blob = env.write("artifact.txt", "built in CI\n");
    for format in ["jws", "cose"] {
        env.run(&[
            "blob",
            "sign",
            "--signature-format",
            format,
            blob.to_str().unwrap(),
        ])
        .success();
        let sig = env.path(&format!("artifact.txt.{format}.sig"));
        env.run(&[
            "blob",
            "verify",
            "--signature",
            sig.to_str().unwrap(),
            blob.to_str().unwrap(),
        ])
        .success();
        // Signed as notation-rs itself (no plugin named in the agent).
        env.run(&["blob", "inspect", sig.to_str().unwrap()])
            .success()
            .stdout_has("notation-rs/");
    }
}

#[test]
fn oci_layouts_are_signed_with_a_pkcs11_key() {
    let _serial = softhsm::exclusive();
    let env = trusting_env();
    common::copy_dir(
        &common::vector("02-oci-layout-alpine/oci-layout"),
        &env.path("layout"),
    );
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let chain = pki("rsa-2048.chain.pem");
    env.run(&[
        "key",
        "add",
        "hsm",
        "--pkcs11-uri",
        &uri_with_pin_source("rsa-2048"),
        "--cert-file",
        chain.to_str().unwrap(),
    ])
    .success();
    let target = "layout@sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";
    env.run(&["sign", "--oci-layout", "-k", "hsm", target])
        .success();
    env.run(&["verify", "--oci-layout", "--scope", "local/layout", target])
        .success();
}

/// `sign --recursive` with a token key: a two-platform image index and
/// both its manifests, one signature each, signed in the token.
#[test]
fn multi_platform_images_are_signed_recursively_with_a_pkcs11_key() {
    let _serial = softhsm::exclusive();
    let env = trusting_env();
    let layout = notation_oci::OciLayout::create(env.path("index")).unwrap();
    let (index, children) = support::images::push_index(&layout, false);
    support::images::tag(&layout, "v1", &index);
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let chain = pki("ec-256.chain.pem");
    env.run(&[
        "key",
        "add",
        "hsm",
        "--default",
        "--pkcs11-uri",
        &uri_with_pin_source("ec-256"),
        "--cert-file",
        chain.to_str().unwrap(),
    ])
    .success();
    let target = format!("{}:v1", env.path("index").display());
    let signed = env
        .run(&["sign", "--recursive", "--oci-layout", &target])
        .success();
    for d in [&index, &children[0], &children[1]] {
        let line = format!(
            "Successfully signed {}@{}",
            env.path("index").display(),
            d.digest
        );
        assert!(signed.stdout.contains(&line), "{}", signed.stdout);
    }
    let verified = env
        .run(&[
            "verify",
            "--recursive",
            "--oci-layout",
            "--scope",
            "local/index",
            &target,
        ])
        .success();
    assert_eq!(
        verified
            .stdout
            .matches("Successfully verified signature")
            .count(),
        3,
        "{}",
        verified.stdout
    );
}

#[test]
fn ad_hoc_pkcs11_signing_with_the_pin_on_standard_input() {
    let _serial = softhsm::exclusive();
    let env = trusting_env();
    let blob = env.write("artifact.txt", "ad hoc\n");
    let uri = hsm().uri("ec-256");
    // The chain comes from the token (no --cert-file): the leaf stored with
    // the key, and the CA certificates stored beside it.
    env.run_with_input(
        &[
            "blob",
            "sign",
            "--pkcs11-uri",
            &uri,
            "--pin-stdin",
            blob.to_str().unwrap(),
        ],
        &format!("{PIN}\n"),
    )
    .success();
    let sig = env.path("artifact.txt.jws.sig");
    env.run(&[
        "blob",
        "verify",
        "--signature",
        sig.to_str().unwrap(),
        blob.to_str().unwrap(),
    ])
    .success();
    // The environment variable works too.
    std::fs::remove_file(&sig).unwrap();
    env.run_with_env(
        &["blob", "sign", "--pkcs11-uri", &uri, blob.to_str().unwrap()],
        &[("NOTATION_PKCS11_PIN", PIN.as_ref())],
    )
    .success();
    // A wrong PIN says so; no PIN at all says how to give one.
    env.run_with_input(
        &[
            "blob",
            "sign",
            "--force",
            "--pkcs11-uri",
            &uri,
            "--pin-stdin",
            blob.to_str().unwrap(),
        ],
        "9999\n",
    )
    .failure()
    .stderr_has("wrong PIN for the PKCS#11 token \"notation\"")
    .stderr_lacks("9999");
    env.run(&["blob", "sign", "--pkcs11-uri", &uri, blob.to_str().unwrap()])
        .failure()
        .stderr_has("needs a PIN");
}

#[test]
fn a_pin_on_the_command_line_is_refused() {
    let _serial = softhsm::exclusive();
    let env = trusting_env();
    let blob = env.write("artifact.txt", "x\n");
    let uri = hsm().uri_with_pin("ec-256");
    env.run(&["key", "add", "hsm", "--pkcs11-uri", &uri])
        .failure()
        .stderr_has("pin-value")
        .stderr_lacks(PIN);
    env.run(&["blob", "sign", "--pkcs11-uri", &uri, blob.to_str().unwrap()])
        .failure()
        .stderr_has("pin-value");
    // The same URI as the id of a `pkcs11` plugin key: refused too, and a
    // plugin key id is logged without its PIN.
    env.run(&["key", "add", "hsm", "--plugin", "pkcs11", "--id", &uri])
        .failure()
        .stderr_has("--id: a PIN in the URI (pin-value)")
        .stderr_lacks(PIN);
    env.run(&[
        "blob",
        "sign",
        "-d",
        "--plugin",
        "pkcs11",
        "--id",
        &uri,
        blob.to_str().unwrap(),
    ])
    .failure()
    .stderr_has("signing key: pkcs11:")
    .stderr_lacks(PIN);
    // A PIN with an unencoded `&` makes the URI malformed: still refused,
    // and neither the error nor the log shows any of it.
    let malformed = format!("{uri}&rest-of-pin");
    env.run(&["key", "add", "hsm", "--pkcs11-uri", &malformed])
        .failure()
        .stderr_has("pin-value")
        .stderr_lacks(PIN)
        .stderr_lacks("rest-of-pin");
    env.run(&[
        "key", "add", "hsm", "--plugin", "pkcs11", "--id", &malformed,
    ])
    .failure()
    .stderr_has("--id: a PIN in the URI (pin-value)")
    .stderr_lacks(PIN)
    .stderr_lacks("rest-of-pin");
    env.run(&[
        "blob",
        "sign",
        "-d",
        "--plugin",
        "pkcs11",
        "--id",
        &malformed,
        blob.to_str().unwrap(),
    ])
    .failure()
    .stderr_has("pin-value=<redacted>")
    .stderr_lacks(PIN)
    .stderr_lacks("rest-of-pin");
    assert!(!env.config().join("signingkeys.json").exists());
}

#[test]
fn key_add_checks_the_token_key() {
    let _serial = softhsm::exclusive();
    let env = trusting_env();
    env.run(&[
        "key",
        "add",
        "k",
        "--pkcs11-uri",
        &uri_with_pin_source("missing"),
    ])
    .failure()
    .stderr_has("no private key on the PKCS#11 token \"notation\"");
    let wrong_chain = pki("ec-384.chain.pem");
    env.run(&[
        "key",
        "add",
        "k",
        "--pkcs11-uri",
        &uri_with_pin_source("ec-256"),
        "--cert-file",
        wrong_chain.to_str().unwrap(),
    ])
    .failure()
    .stderr_has("does not match the public key of the leaf certificate");
    env.run(&[
        "key",
        "add",
        "k",
        "--pkcs11-uri",
        &format!("pkcs11:object=k?module-path={MODULE}x"),
    ])
    .failure()
    .stderr_has("cannot load the PKCS#11 module");
}

#[test]
fn encrypted_key_files_take_a_password_from_a_file_stdin_or_the_environment() {
    let env = trusting_env();
    let key = pki("ec-256.encrypted.pem");
    let chain = pki("ec-256.chain.pem");
    let password_file = pki("encrypted-key.password");
    let (key, chain, password_file) = (
        key.to_str().unwrap(),
        chain.to_str().unwrap(),
        password_file.to_str().unwrap(),
    );
    env.run(&["key", "add", "k", "--key-file", key, "--cert-file", chain])
        .failure()
        .stderr_has("the private key is encrypted: a password is required: give it with --password-file, --password-stdin or NOTATION_KEY_PASSWORD");
    env.run_with_input(
        &[
            "key",
            "add",
            "k",
            "--key-file",
            key,
            "--cert-file",
            chain,
            "--password-stdin",
        ],
        "wrong\n",
    )
    .failure()
    .stderr_has("failed to decrypt the private key: wrong password");
    env.run(&[
        "key",
        "add",
        "k",
        "--key-file",
        key,
        "--cert-file",
        chain,
        "--password-file",
        password_file,
        "--default",
    ])
    .success();
    // The password is not stored.
    let stored = std::fs::read_to_string(env.config().join("signingkeys.json")).unwrap();
    assert!(!stored.contains("notation-test-password"), "{stored}");
    let blob = env.write("artifact.txt", "encrypted key\n");
    let blob = blob.to_str().unwrap();
    env.run(&["blob", "sign", blob])
        .failure()
        .stderr_has("a password is required");
    let password = std::fs::read_to_string(pki("encrypted-key.password")).unwrap();
    env.run_with_env(
        &["blob", "sign", blob],
        &[("NOTATION_KEY_PASSWORD", password.as_ref())],
    )
    .success();
    env.run(&[
        "blob",
        "verify",
        "--signature",
        env.path("artifact.txt.jws.sig").to_str().unwrap(),
        blob,
    ])
    .success();
    env.run_with_input(
        &[
            "blob",
            "sign",
            "--signature-format",
            "cose",
            "--password-stdin",
            blob,
        ],
        &format!("{password}\n"),
    )
    .success();
    env.run_with_env(
        &["blob", "sign", "--force", blob],
        &[("NOTATION_KEY_PASSWORD", "nope".as_ref())],
    )
    .failure()
    .stderr_has("wrong password");
}

#[test]
fn encrypted_key_files_of_other_schemes_load_or_are_refused_by_name() {
    let env = trusting_env();
    let password_file = pki("encrypted-key.password");
    let password_file = password_file.to_str().unwrap();
    // PBKDF2 over HMAC-SHA1 (OpenSSL 1.0's -v2) and scrypt load.
    for (name, key) in [
        ("sha1", "ec-384.encrypted-sha1.der"),
        ("scrypt", "ec-384.encrypted-scrypt.pem"),
    ] {
        let key = pki(key);
        let chain = pki("ec-384.chain.pem");
        env.run(&[
            "key",
            "add",
            name,
            "--key-file",
            key.to_str().unwrap(),
            "--cert-file",
            chain.to_str().unwrap(),
            "--password-file",
            password_file,
        ])
        .success();
    }
    // Triple DES is named, with or without a password, and no key is added.
    let key = pki("ec-256.encrypted-3des.pem");
    let chain = pki("ec-256.chain.pem");
    let add = ["key", "add", "des", "--key-file", key.to_str().unwrap()];
    let add = [&add[..], &["--cert-file", chain.to_str().unwrap()]].concat();
    for extra in [&[][..], &["--password-file", password_file][..]] {
        env.run(&[&add[..], extra].concat()).failure().stderr_has(
            "encrypted private key: it is encrypted with the cipher des-ede3-cbc \
                 (1.2.840.113549.3.7), which is not supported; re-encrypt it with PBES2 and \
                 AES, as `openssl pkcs8 -topk8 -v2 aes-256-cbc` does",
        );
    }
    let stored = std::fs::read_to_string(env.config().join("signingkeys.json")).unwrap();
    assert!(
        stored.contains("\"scrypt\"") && !stored.contains("\"des\""),
        "{stored}"
    );
}
