//! `notation blob sign` → `notation blob verify` with keys made by
//! `certificate generate-test`: every key spec, both envelope formats, and
//! each way verification must fail (S1-S3, N2-N10, B3).

mod common;

use std::fs;

use common::{Env, blob_policy_json, read};

/// A config with test key `name` (default, trusted in `ca:<name>`) of the
/// given generate-test flags and a strict global policy trusting it.
fn env_with_key(name: &str, flags: &[&str]) -> Env {
    let env = Env::new();
    let mut all = vec!["--default"];
    all.extend_from_slice(flags);
    env.generate_test(name, &all);
    let store = format!("ca:{name}");
    env.blob_policy(&blob_policy_json(&[
        ("strict", "strict", &[store.as_str()], true),
        ("audit", "audit", &[store.as_str()], false),
        ("skip", "skip", &[], false),
    ]));
    env
}

#[test]
fn round_trip_every_key_spec_and_format() {
    let specs: [(&str, &[&str], &str); 6] = [
        (
            "rsa2048",
            &["--key-type", "rsa", "--key-size", "2048"],
            "RSASSA-PSS-SHA-256",
        ),
        (
            "rsa3072",
            &["--key-type", "rsa", "--key-size", "3072"],
            "RSASSA-PSS-SHA-384",
        ),
        (
            "rsa4096",
            &["--key-type", "rsa", "--bits", "4096"],
            "RSASSA-PSS-SHA-512",
        ),
        ("ec256", &["--key-type", "ec"], "ECDSA-SHA-256"),
        (
            "ec384",
            &["--key-type", "ec", "--key-size", "384"],
            "ECDSA-SHA-384",
        ),
        ("ec521", &["--key-type", "ec", "-b", "521"], "ECDSA-SHA-512"),
    ];
    for (name, flags, algorithm) in specs {
        let env = env_with_key(name, flags);
        let blob = env.write("data.bin", format!("payload signed by {name}\n"));
        for format in ["jws", "cose"] {
            let sig = env.path(&format!("data.bin.{format}.sig"));
            env.run(&["blob", "sign", "--signature-format", format, "data.bin"])
                .success()
                .stdout_has("Successfully signed data.bin\n")
                .stdout_has(&format!("Signature file written to {}\n", sig.display()));
            env.run(&[
                "blob",
                "verify",
                "-s",
                sig.to_str().unwrap(),
                blob.to_str().unwrap(),
            ])
            .success()
            .stdout_has(&format!(
                "Successfully verified signature for {}",
                blob.display()
            ));
            let tree = env
                .run(&["blob", "inspect", sig.to_str().unwrap()])
                .success();
            let digest_alg = match algorithm.rsplit('-').next().unwrap() {
                "256" => "sha256:",
                "384" => "sha384:",
                _ => "sha512:",
            };
            assert!(
                tree.stdout
                    .contains(&format!("signature algorithm: {algorithm}\n")),
                "{name} {format}"
            );
            // A3, G2: the blob digest uses the key's hash.
            assert!(
                tree.stdout.contains(&format!("digest: {digest_alg}")),
                "{}",
                tree.stdout
            );
            assert!(tree.stdout.contains(&format!(
                "issued to: CN={name},O=Notary,L=Seattle,ST=WA,C=US"
            )));
        }
    }
}

#[test]
fn tampered_blob_fails_the_digest_check() {
    let env = env_with_key("tamper", &["--key-type", "ec"]);
    env.write("file.txt", "original");
    for format in ["jws", "cose"] {
        env.run(&["blob", "sign", "--signature-format", format, "file.txt"])
            .success();
    }
    env.write("file.txt", "tampered");
    for format in ["jws", "cose"] {
        env.run(&["blob", "verify", "-d", "-s", &format!("file.txt.{format}.sig"), "file.txt"])
            .failure()
            // N9: every signature check passed; the blob is not the one signed.
            .stderr_has("msg=integrity (enforce): passed")
            .stderr_has("Error: signature verification failed: integrity check failed. signature does not match the given blob");
    }
    // Same size, one byte different.
    env.write("file.txt", "originaL");
    env.run(&["blob", "verify", "-s", "file.txt.jws.sig", "file.txt"])
        .failure()
        .stderr_has("integrity check failed. signature does not match the given blob");
}

#[test]
fn tampered_signature_fails_integrity() {
    let env = env_with_key("sigflip", &[]);
    env.write("b", "content");
    env.run(&["blob", "sign", "b"]).success();
    let sig_path = env.path("b.jws.sig");
    let mut jws: serde_json::Value = serde_json::from_str(&read(&sig_path)).unwrap();
    let signature = jws["signature"].as_str().unwrap().to_string();
    // Change one base64url character of the signature.
    let mut chars: Vec<char> = signature.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    jws["signature"] = serde_json::Value::String(chars.into_iter().collect());
    fs::write(&sig_path, serde_json::to_vec(&jws).unwrap()).unwrap();
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"])
        .failure()
        .stderr_has("Error: signature verification failed: signature is invalid");
    // Skip (K5) does not even parse the signature.
    env.run(&[
        "blob",
        "verify",
        "--policy-name",
        "skip",
        "-s",
        "b.jws.sig",
        "b",
    ])
    .success()
    .stdout_has("Trust policy is configured to skip signature verification for b");
}

#[test]
fn policy_selection() {
    let env = env_with_key("sel", &["--key-type", "ec"]);
    env.write("b", "x");
    env.run(&["blob", "sign", "b"]).success();
    env.run(&[
        "blob",
        "verify",
        "--policy-name",
        "strict",
        "-s",
        "b.jws.sig",
        "b",
    ])
    .success();
    env.run(&[
        "blob",
        "verify",
        "--policy-name",
        "nope",
        "-s",
        "b.jws.sig",
        "b",
    ])
    .failure()
    .stderr_has(
        "Error: signature verification failed: no applicable blob trust policy with name \"nope\"",
    );
    // Without a global statement and without a name there is nothing to use.
    env.blob_policy(&blob_policy_json(&[("only", "strict", &["ca:sel"], false)]));
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"])
        .failure()
        .stderr_has("signature verification failed: ");
    // No policy file at all.
    fs::remove_file(env.config().join("trustpolicy.blob.json")).unwrap();
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"])
        .failure()
        .stderr_has("Error: trust policy is not present. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy");
}

#[test]
fn untrusted_signer_fails_authenticity_and_audit_warns() {
    let env = env_with_key("trusted", &["--key-type", "ec"]);
    // A second key, in its own store, that the policy does not name.
    env.generate_test("other", &["--key-type", "ec"]);
    env.write("b", "x");
    env.run(&["blob", "sign", "--key", "other", "b"]).success();
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"]).failure().stderr_has(
        "Error: signature verification failed: the signature's certificate chain does not contain any trusted certificate",
    );
    env.run(&["blob", "verify", "--policy-name", "audit", "-s", "b.jws.sig", "b"])
        .success()
        .stderr_has("Warning: authenticity was set to \"log\" and failed with error: the signature's certificate chain does not contain any trusted certificate")
        .stdout_has("\nSuccessfully verified signature for b");
    // A store the policy names but that does not exist.
    env.blob_policy(&blob_policy_json(&[("g", "strict", &["ca:missing"], true)]));
    // The reference's words, without the verification prefix.
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"]).failure().stderr_has(
        "Error: the trust store \"missing\" of type \"ca\" does not exist. Use command 'notation cert add' to create and add trusted certificates to the trust store",
    );
}

#[test]
fn media_type_must_match_when_given() {
    let env = env_with_key("media", &["--key-type", "ec"]);
    env.write("pic.jpg", "jpeg bytes");
    env.run(&["blob", "sign", "--media-type", "image/jpeg", "pic.jpg"])
        .success();
    env.run(&[
        "blob",
        "verify",
        "--media-type",
        "image/jpeg",
        "-s",
        "pic.jpg.jws.sig",
        "pic.jpg",
    ])
    .success();
    env.run(&["blob", "verify", "-s", "pic.jpg.jws.sig", "pic.jpg"])
        .success();
    env.run(&[
        "blob",
        "verify",
        "--media-type",
        "application/octet-stream",
        "-s",
        "pic.jpg.jws.sig",
        "pic.jpg",
    ])
    .failure()
    .stderr_has("integrity check failed. signature does not match the given blob");
    env.run(&[
        "blob",
        "verify",
        "--media-type",
        "",
        "-s",
        "pic.jpg.jws.sig",
        "pic.jpg",
    ])
    .failure()
    .stderr_has("--media-type is set but with empty value");
}

#[test]
fn user_metadata_is_signed_and_required() {
    let env = env_with_key("meta", &["--key-type", "ec"]);
    env.write("b", "x");
    env.run(&[
        "blob",
        "sign",
        "-m",
        "buildId=101",
        "--user-metadata",
        "team=blue",
        "b",
    ])
    .success();
    env.run(&["blob", "verify", "-m", "buildId=101", "-s", "b.jws.sig", "b"])
        .success()
        .stdout_has(
            "Successfully verified signature for b\n\nThe artifact was signed with the following user metadata.\n\nKEY       VALUE   \nbuildId   101     \nteam      blue    \n",
        );
    env.run(&[
        "blob",
        "verify",
        "-m",
        "buildId=102",
        "-s",
        "b.jws.sig",
        "b",
    ])
    .failure()
    .stderr_has(
        "Error: signature verification failed: unable to find specified metadata in the signature",
    );
    env.run(&["blob", "verify", "-m", "missing=1", "-s", "b.jws.sig", "b"])
        .failure()
        .stderr_has("unable to find specified metadata in the signature");
    env.run(&["blob", "verify", "-m", "novalue", "-s", "b.jws.sig", "b"])
        .failure()
        .stderr_has(
            "could not parse flag user-metadata: key-value pair requires \"=\" as separator",
        );
    // A4: reserved keys cannot be signed.
    env.run(&["blob", "sign", "--force", "-m", "io.cncf.notary.x=1", "b"])
        .failure()
        .stderr_has("io.cncf.notary");
}

#[test]
fn expiry_rules() {
    let env = env_with_key("exp", &["--key-type", "ec"]);
    env.write("b", "x");
    env.run(&["blob", "sign", "-e", "-1h", "b"])
        .failure()
        .stderr_has("expiry duration cannot be a negative value");
    env.run(&["blob", "sign", "-e", "1500ms", "b"])
        .failure()
        .stderr_has("expiry duration supports minimum granularity of seconds");
    env.run(&["blob", "sign", "-e", "tomorrow", "b"])
        .failure()
        .stderr_has("time: invalid duration \"tomorrow\"");
    assert!(!env.path("b.jws.sig").exists(), "no signature on failure");

    env.run(&["blob", "sign", "--expiry", "24h", "b"]).success();
    let tree = env.run(&["blob", "inspect", "b.jws.sig"]).success();
    assert!(tree.stdout.contains("│   └── expiry: "), "{}", tree.stdout);
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"])
        .success();

    // B3, N5: a signature verifies before its expiry and no longer once it
    // is past (expired when now >= expiry). The positive control needs the
    // verification to end before the expiry: on a machine too slow for
    // that the expiry doubles and the signature is made again, so no
    // assertion depends on how fast the machine is.
    let mut seconds = 3;
    let expiry = loop {
        env.run(&[
            "blob",
            "sign",
            "--force",
            "-e",
            &format!("{seconds}s"),
            "--signature-format",
            "cose",
            "b",
        ])
        .success();
        let expiry = signature_expiry(&env.path("b.cose.sig"));
        let verified = env.run(&["blob", "verify", "-s", "b.cose.sig", "b"]);
        if time::OffsetDateTime::now_utc() < expiry {
            verified.success();
            break expiry;
        }
        assert!(
            seconds < 100,
            "the machine never verified within {seconds} s"
        );
        seconds *= 2;
    };
    while time::OffsetDateTime::now_utc() < expiry + time::Duration::seconds(1) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    env.run(&["blob", "verify", "-s", "b.cose.sig", "b"])
        .failure()
        .stderr_has("Error: signature verification failed: digital signature has expired on");
    env.run(&["blob", "verify", "--policy-name", "audit", "-s", "b.cose.sig", "b"])
        .success()
        .stderr_has("Warning: expiry was set to \"log\" and failed with error: digital signature has expired on");
}

/// The expiry a signature envelope carries.
fn signature_expiry(path: &std::path::Path) -> time::OffsetDateTime {
    let format = notation_core::envelope::EnvelopeFormat::Cose;
    notation_core::envelope::Envelope::parse(format, &fs::read(path).unwrap())
        .unwrap()
        .content_unverified()
        .unwrap()
        .signer_info
        .signed
        .expiry
        .expect("signed with an expiry")
}

#[test]
fn signature_file_placement_and_overwrite() {
    let env = env_with_key("place", &["--key-type", "ec"]);
    env.write("dir/blob.bin", "x");
    env.run(&["blob", "sign", "dir/blob.bin"]).success();
    assert!(env.path("dir/blob.bin.jws.sig").is_file());
    // S1: --signature-directory, created if missing.
    env.run(&[
        "blob",
        "sign",
        "--signature-directory",
        "sigs/nested",
        "dir/blob.bin",
    ])
    .success()
    .stdout_has(&format!(
        "Signature file written to {}",
        env.path("sigs/nested/blob.bin.jws.sig").display()
    ));
    env.run(&[
        "blob",
        "verify",
        "-s",
        "sigs/nested/blob.bin.jws.sig",
        "dir/blob.bin",
    ])
    .success();
    env.run(&["blob", "sign", "--signature-directory", "", "dir/blob.bin"])
        .failure()
        .stderr_has("signature directory cannot be empty");

    // An existing signature is never replaced without consent.
    let before = fs::read(env.path("dir/blob.bin.jws.sig")).unwrap();
    env.run(&["blob", "sign", "dir/blob.bin"])
        .failure()
        .stdout_has("The signature file already exists, do you want to overwrite it? [y/N]")
        .stderr_has("use --force");
    env.run_with_input(&["blob", "sign", "dir/blob.bin"], "n\n")
        .success()
        .stdout_has("Operation cancelled.");
    assert_eq!(fs::read(env.path("dir/blob.bin.jws.sig")).unwrap(), before);
    env.run_with_input(&["blob", "sign", "dir/blob.bin"], "y\n")
        .success();
    assert_ne!(fs::read(env.path("dir/blob.bin.jws.sig")).unwrap(), before);
    env.run(&["blob", "sign", "--force", "dir/blob.bin"])
        .success()
        .stderr_has("Warning: existing signature file will be overwritten");
    // No temporary files are left next to the signature.
    let names: Vec<String> = fs::read_dir(env.path("dir"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // A signature path that is a symbolic link is never written through,
    // --force or not, dangling or not.
    let victim = env.write("victim.txt", "keep me\n");
    fs::remove_file(env.path("dir/blob.bin.jws.sig")).unwrap();
    std::os::unix::fs::symlink(&victim, env.path("dir/blob.bin.jws.sig")).unwrap();
    env.run(&["blob", "sign", "--force", "dir/blob.bin"])
        .failure()
        .stderr_has("is a symbolic link: remove it or choose another --signature-directory");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me\n");
    fs::remove_file(env.path("dir/blob.bin.jws.sig")).unwrap();
    std::os::unix::fs::symlink(
        env.path("nowhere/new.txt"),
        env.path("dir/blob.bin.jws.sig"),
    )
    .unwrap();
    env.run_with_input(&["blob", "sign", "dir/blob.bin"], "y\n")
        .failure()
        .stderr_has("is a symbolic link");
    assert!(!env.path("nowhere").exists());
}

#[test]
fn signature_format_defaults_to_config() {
    let env = env_with_key("fmt", &["--key-type", "ec"]);
    env.write("b", "x");
    fs::write(
        env.config().join("config.json"),
        r#"{"signatureFormat": "cose"}"#,
    )
    .unwrap();
    env.run(&["blob", "sign", "b"])
        .success()
        .stdout_has("b.cose.sig");
    env.run(&["blob", "sign", "--signature-format", "jws", "b"])
        .success()
        .stdout_has("b.jws.sig");
    env.run(&["blob", "sign", "--signature-format", "JWS", "b"])
        .failure()
        .stderr_has("signature format \"JWS\" not supported\nSupported signature envelope formats are \"jws\" and \"cose\"");
    // In config.json the reference takes any case.
    fs::write(
        env.config().join("config.json"),
        r#"{"signatureFormat": "COSE"}"#,
    )
    .unwrap();
    env.run(&["blob", "sign", "--force", "b"])
        .success()
        .stdout_has("b.cose.sig");
    fs::write(env.config().join("config.json"), "{").unwrap();
    env.run(&["blob", "sign", "--force", "b"])
        .failure()
        .stderr_has("malformed config.json");
}

#[test]
fn key_selection_errors() {
    let env = Env::new();
    env.write("b", "x");
    env.run(&["blob", "sign", "b"]).failure().stderr_has(
        "Error: default signing key not set. Please set default signing key or specify a key name",
    );
    env.generate_test("k1", &["--key-type", "ec"]);
    env.run(&["blob", "sign", "--key", "invalid", "b"])
        .failure()
        .stderr_has("Error: signing key invalid not found");
    env.run(&["blob", "sign", "--key", "k1", "b"]).success();
    env.run(&["blob", "sign"])
        .failure()
        .stderr_has("missing file path to the blob artifact");
    env.run(&["blob", "sign", ""])
        .failure()
        .stderr_has("blob path cannot be empty");
    env.run(&["blob", "sign", "--key", "k1", "missing.bin"])
        .failure()
        .stderr_has("Error: open missing.bin: no such file or directory");
    env.run(&["blob", "sign", "--key", "k1", "."])
        .failure()
        .stderr_has("is not a regular file");
    // A key whose files are gone.
    fs::remove_file(env.config().join("localkeys/k1.key")).unwrap();
    env.run(&["blob", "sign", "--force", "--key", "k1", "b"])
        .failure()
        .stderr_has("failed to load signing key k1");
}

#[test]
fn verify_argument_errors() {
    let env = env_with_key("args", &["--key-type", "ec"]);
    env.write("b", "x");
    env.run(&["blob", "sign", "b"]).success();
    env.run(&["blob", "verify", "-s", "b.jws.sig"])
        .failure()
        .stderr_has("missing path to the blob artifact");
    env.run(&["blob", "verify", "b"])
        .failure()
        .stderr_has("filepath of the signature cannot be empty");
    env.run(&["blob", "verify", "-s", "missing.jws.sig", "b"])
        .failure()
        .stderr_has("Error: open missing.jws.sig: no such file or directory");
    env.write("empty.jws.sig", "");
    env.run(&["blob", "verify", "-s", "empty.jws.sig", "b"])
        .failure()
        .stderr_has("Error: signature verification failed: signature cannot be nil or empty");
    // A directory is read (and fails) before its name is looked at.
    fs::create_dir(env.path("d")).unwrap();
    env.run(&["blob", "verify", "-s", "d", "b"])
        .failure()
        .stderr_has("Error: read d: is a directory");
    // A JWS signature file named as COSE fails integrity, not silently.
    fs::copy(env.path("b.jws.sig"), env.path("b.cose.sig")).unwrap();
    env.run(&["blob", "verify", "-s", "b.cose.sig", "b"])
        .failure()
        .stderr_has("Error: signature verification failed: unable to parse the digital signature");
}
