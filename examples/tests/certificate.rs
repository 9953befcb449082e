//! `notation certificate add/list/show/delete/generate-test/cleanup-test`
//! (I1-I5), with the e2e keys and the timestamp roots of
//! `conformance/09-e2e-oci-layouts`.

mod common;

use std::fs;

use common::{Env, read, vector};

fn e2e_crt() -> String {
    vector("09-e2e-oci-layouts/localkeys/e2e.crt")
        .to_str()
        .unwrap()
        .to_string()
}

fn root(name: &str) -> String {
    vector(&format!("09-e2e-oci-layouts/timestamp-roots/{name}"))
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn add_list_show_delete() {
    let env = Env::new();
    let e2e = e2e_crt();
    let expired = vector("09-e2e-oci-layouts/localkeys/expired_e2e.crt");
    // Nothing yet: no output at all.
    let out = env.run(&["certificate", "list"]).success();
    assert_eq!(out.stdout, "");

    env.run(&[
        "cert",
        "add",
        "--type",
        "ca",
        "--store",
        "e2e",
        &e2e,
        expired.to_str().unwrap(),
    ])
    .success()
    .stdout_has(&format!(
        "Successfully added following certificates to named store e2e of type ca:\n{e2e}\n"
    ));
    let stored = env.config().join("truststore/x509/ca/e2e/e2e.crt");
    assert_eq!(fs::read(&stored).unwrap(), fs::read(&e2e).unwrap());
    env.run(&["cert", "add", "-t", "ca", "-s", "e2e", &e2e])
        .failure()
        .stderr_has(&format!(
            "Error: Failed to add following certificates to named store e2e of type ca:\n{e2e}, with error \"certificate already exists in the Trust Store\""
        ));
    // A file that is no certificate: the parser's error, the line naming
    // the file given (not the trust store's copy).
    let junk = env.write("junk.crt", "not a certificate");
    let junk = junk.to_str().unwrap();
    let out = env
        .run(&["cert", "add", "-t", "ca", "-s", "e2e", junk])
        .failure()
        .stderr_has(&format!("{junk}, with error \"x509: malformed certificate"));
    assert!(!out.stderr.contains("truststore"), "{}", out.stderr);
    env.run(&[
        "cert",
        "add",
        "-t",
        "tsa",
        "-s",
        "ts",
        &root("globalsignTSARoot.cer"),
    ])
    .success();

    let row = |a: &str, b: &str, c: &str| format!("{a:<13}{b:<13}{c:<24}\n");
    let listing = [
        row("STORE TYPE", "STORE NAME", "CERTIFICATE"),
        row("ca", "e2e", "e2e.crt"),
        row("ca", "e2e", "expired_e2e.crt"),
        row("tsa", "ts", "globalsignTSARoot.cer"),
    ]
    .concat();
    assert_eq!(env.run(&["cert", "ls"]).success().stdout, listing);
    let out = env.run(&["cert", "list", "--type", "ca"]).success();
    assert!(
        out.stdout.contains("e2e.crt") && !out.stdout.contains("globalsignTSARoot"),
        "{}",
        out.stdout
    );
    let out = env.run(&["cert", "list", "--store", "ts"]).success();
    assert!(
        out.stdout.contains("globalsignTSARoot.cer") && !out.stdout.contains("e2e.crt"),
        "{}",
        out.stdout
    );
    let out = env
        .run(&["cert", "list", "--type", "ca", "--store", "e2e"])
        .success();
    assert_eq!(out.stdout.lines().count(), 3);
    // A type that is none of the three lists nothing, as the reference.
    for args in [
        &["cert", "list", "--type", "nope"][..],
        &["cert", "list", "--type", "nope", "--store", "e2e"],
    ] {
        let out = env.run(args).success();
        assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));
    }

    let out = env
        .run(&["cert", "show", "--type", "ca", "--store", "e2e", "e2e.crt"])
        .success();
    assert_eq!(
        out.stdout,
        "Certificate details\n\
         --------------------------------------------------------------------------------\n\
         Issuer: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\n\
         Subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\n\
         Valid from: 2022-12-19 02:43:39 +0000 UTC\n\
         Valid to: 2122-12-19 02:43:39 +0000 UTC\n\
         IsCA: false\n\
         SHA256 Thumbprint: e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9\n"
    );
    env.run(&["cert", "show", "-t", "ca", "-s", "e2e", "missing.crt"])
        .failure()
        .stderr_has("Error: failed to show details of certificate missing.crt, with error: ");
    env.run(&["cert", "show", "-t", "ca", "-s", "e2e"])
        .failure()
        .stderr_has("missing certificate file name");
    env.run(&["cert", "show", "-t", "ca", "-s", "e2e", "a", "b"])
        .failure()
        .stderr_has("show only supports single certificate file");

    // Deleting asks first; without an answer nothing happens.
    env.run(&["cert", "delete", "-t", "ca", "-s", "e2e", "expired_e2e.crt"])
        .failure()
        .stdout_has(
            "Are you sure you want to delete \"expired_e2e.crt\" in \"e2e\" of type \"ca\"? [y/N]",
        );
    env.run_with_input(
        &["cert", "delete", "-t", "ca", "-s", "e2e", "expired_e2e.crt"],
        "n\n",
    )
    .success()
    .stdout_has("Operation cancelled.");
    env.run(&[
        "cert",
        "delete",
        "-t",
        "ca",
        "-s",
        "e2e",
        "expired_e2e.crt",
        "-y",
    ])
    .success()
    .stdout_has("Successfully deleted expired_e2e.crt from trust store e2e of type ca");
    assert!(stored.exists(), "the other certificate stays");
    env.run(&[
        "cert",
        "delete",
        "-t",
        "ca",
        "-s",
        "e2e",
        "non-exist.crt",
        "-y",
    ])
    .failure()
    .stderr_has("Error: failed to delete the certificate file: ");
    // Deleting the last certificate removes the empty store directory.
    env.run_with_input(
        &["cert", "delete", "-t", "ca", "-s", "e2e", "e2e.crt"],
        "y\n",
    )
    .success();
    assert!(!env.config().join("truststore/x509/ca/e2e").exists());

    env.run(&["cert", "delete", "--all", "-t", "tsa", "-s", "ts", "-y"])
        .success()
        .stdout_has("Successfully deleted ");
    assert!(!env.config().join("truststore/x509/tsa/ts").exists());
    env.run(&["cert", "delete", "--all", "-t", "tsa", "-s", "ts", "-y"])
        .failure()
        .stderr_has("Error: failed to delete the named trust store: the trust store \"ts\" of type \"tsa\" does not exist");
    assert_eq!(env.run(&["cert", "ls"]).success().stdout, "");
}

#[test]
fn timestamp_roots_error_paths() {
    let env = Env::new();
    let good = [
        root("globalsignTSARoot.cer"),
        root("DigiCertTSARootSHA384.cer"),
    ];
    let bad = [
        ("invalid.crt", "x509: malformed certificate"),
        ("Empty.txt", "no valid certificate found in the file"),
        (
            "notSelfIssued.crt",
            "is not a root CA certificate: issuer (CN=test,O=Notary,L=,ST=,C=US) and subject (CN=test,O=Notary,L=Seattle,ST=WA,C=US) are not the same",
        ),
        (
            "intermediate.pem",
            "certificate with subject \\\"CN=Intermediate1\\\" is not a root CA certificate",
        ),
        (
            "CertChain.pem",
            "is not a CA certificate or self-signed signing certificate",
        ),
    ];
    let mut args = vec![
        "certificate".to_string(),
        "add".into(),
        "--type".into(),
        "tsa".into(),
        "--store".into(),
        "e2e".into(),
    ];
    args.extend(good.iter().cloned());
    args.extend(bad.iter().map(|(f, _)| root(f)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut run = env
        .run(&args)
        .failure()
        .stdout_has("Successfully added following certificates to named store e2e of type tsa:\n")
        .stderr_has(
            "Error: Failed to add following certificates to named store e2e of type tsa:\n",
        );
    for g in &good {
        run = run.stdout_has(&format!("{g}\n"));
    }
    for (file, why) in bad {
        run = run
            .stderr_has(&format!("{}, with error \"", root(file)))
            .stderr_has(why);
    }
    // Only the two roots are in the store.
    let mut files: Vec<String> = fs::read_dir(env.config().join("truststore/x509/tsa/e2e"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["DigiCertTSARootSHA384.cer", "globalsignTSARoot.cer"]
    );
    // A self-signed leaf is fine for a ca store, not for a tsa store (I5).
    let leaf = e2e_crt();
    env.run(&["cert", "add", "-t", "tsa", "-s", "leaf", &leaf])
        .failure()
        .stderr_has("is not a root CA certificate");
    env.run(&["cert", "add", "-t", "ca", "-s", "leaf", &leaf])
        .success();
    // The intermediate may be pinned in a ca store (I6).
    env.run(&[
        "cert",
        "add",
        "-t",
        "ca",
        "-s",
        "pinned",
        &root("intermediate.pem"),
    ])
    .success();
}

#[test]
fn argument_errors() {
    let env = Env::new();
    let e2e = e2e_crt();
    env.run(&["cert", "add", &e2e])
        .failure()
        .stderr_has("Error: required flag(s) \"store\", \"type\" not set");
    env.run(&["cert", "add", "-t", "ca"])
        .failure()
        .stderr_has("missing certificate path");
    env.run(&["cert", "add", "-t", "foo", "-s", "s", &e2e])
        .failure()
        .stderr_has("Error: unsupported store type: foo");
    env.run(&["cert", "add", "-t", "", "-s", "s", &e2e])
        .failure()
        .stderr_has("Error: store type cannot be empty");
    env.run(&["cert", "add", "-t", "ca", "-s", "bad/name", &e2e])
        .failure()
        .stderr_has("Error: named store name needs to follow [a-zA-Z0-9_.-]+ format");
    env.run(&["cert", "add", "-t", "ca", "-s", "s", "/no/such.crt"])
        .failure()
        .stderr_has("/no/such.crt, with error");
    env.run(&["cert", "delete", "-t", "ca", "-s", "s"]).failure().stderr_has(
        "delete requires either the certificate file name that needs to be deleted or --all flag to delete all certificates in the given named trust store",
    );
    env.run(&["cert", "delete", "-t", "ca", "-s", "s", "--all", "x.crt"])
        .failure()
        .stderr_has("cannot delete a single certificate file when --all flag is set");
    env.run(&["cert", "delete", "-t", "ca", "-s", "s", "../x", "-y"])
        .failure()
        .stderr_has("invalid certificate file name");
    // A file in a store that is not a certificate makes list fail, naming it.
    env.run(&["cert", "add", "-t", "ca", "-s", "s", &e2e])
        .success();
    fs::write(
        env.config().join("truststore/x509/ca/s/garbage.crt"),
        "garbage",
    )
    .unwrap();
    env.run(&["cert", "ls"])
        .failure()
        .stderr_has(
            "Error: failed to list all certificates stored in the trust store, with error: ",
        )
        .stderr_has("garbage.crt");
}

#[test]
fn generate_test_and_cleanup() {
    let env = Env::new();
    let config = env.config();
    let out = env.generate_test("e2e-test", &[]);
    let key_path = config.join("localkeys/e2e-test.key");
    let cert_path = config.join("localkeys/e2e-test.crt");
    let expected_start = "generating RSA Key with 2048 bits\ngenerated certificate expiring on ";
    assert!(out.stdout.starts_with(expected_start), "{}", out.stdout);
    let out = out
        .stdout_has(&format!("wrote key: {}\n", key_path.display()))
        .stdout_has(&format!("wrote certificate: {}\n", cert_path.display()))
        .stdout_has("Successfully added e2e-test.crt to named store e2e-test of type ca\n")
        .stdout_has("e2e-test: added to the key list\n");
    assert!(!out.stdout.contains("marked as default"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(read(&key_path).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(
        fs::read(config.join("truststore/x509/ca/e2e-test/e2e-test.crt")).unwrap(),
        fs::read(&cert_path).unwrap()
    );
    let keys: serde_json::Value =
        serde_json::from_str(&read(&config.join("signingkeys.json"))).unwrap();
    assert_eq!(keys["keys"][0]["name"], "e2e-test");
    assert_eq!(keys["keys"][0]["keyPath"], key_path.to_str().unwrap());
    assert_eq!(keys["keys"][0]["certPath"], cert_path.to_str().unwrap());
    assert!(keys.get("default").is_none());

    // A second run with the same name changes nothing.
    let before = read(&key_path);
    env.run(&["cert", "generate-test", "e2e-test"])
        .failure()
        .stderr_has("Error: signing key with name \"e2e-test\" already exists");
    assert_eq!(read(&key_path), before);

    // The certificate's lifetime is the default 365 days (plus the minute
    // it is backdated).
    let show = env
        .run(&["cert", "show", "-t", "ca", "-s", "e2e-test", "e2e-test.crt"])
        .success();
    let from = show
        .stdout
        .lines()
        .find(|l| l.starts_with("Valid from: "))
        .unwrap()
        .to_string();
    let to = show
        .stdout
        .lines()
        .find(|l| l.starts_with("Valid to: "))
        .unwrap()
        .to_string();
    let year = |l: &str| {
        l.split_whitespace().nth(2).unwrap()[..4]
            .parse::<i32>()
            .unwrap()
    };
    assert_eq!(year(&to) - year(&from), 1, "{from} / {to}");

    env.run(&["cert", "cleanup-test", "e2e-test"])
        .failure()
        .stdout_has("The test key e2e-test and its corresponding certificate will be cleaned up with the following changes:\n- Delete certificate e2e-test.crt from trust store e2e-test of type ca\n- Remove key e2e-test from the key list\n");
    env.run(&["cert", "cleanup-test", "e2e-test", "-y"])
        .success()
        .stdout_has("Successfully deleted e2e-test.crt from trust store e2e-test of type ca\n")
        .stdout_has("Successfully removed key e2e-test from the key list\n")
        .stdout_has(&format!(
            "Successfully deleted key file: {}\n",
            key_path.display()
        ))
        .stdout_has(&format!(
            "Successfully deleted certificate file: {}\n",
            cert_path.display()
        ))
        .stdout_has("Cleanup completed successfully\n");
    assert!(!key_path.exists() && !cert_path.exists());
    assert!(!config.join("truststore/x509/ca/e2e-test").exists());
    env.run(&["cert", "cleanup-test", "e2e-test", "-y"])
        .success()
        .stdout_has("Certificate e2e-test.crt does not exist in trust store e2e-test of type ca")
        .stdout_has("Key e2e-test does not exist in the key list")
        .stdout_has("does not exist\nCleanup completed successfully");
}

#[test]
fn generate_test_options() {
    let env = Env::new();
    env.generate_test(
        "ec-key",
        &[
            "--default",
            "--key-type",
            "ec",
            "--key-size",
            "521",
            "--lifetime",
            "30d",
        ],
    )
    .stdout_has("generating EC Key with 521 bits\n")
    .stdout_has("ec-key: marked as default signing key\n");
    let show = env
        .run(&["cert", "show", "-t", "ca", "-s", "ec-key", "ec-key.crt"])
        .success();
    assert!(
        show.stdout
            .contains("Subject: CN=ec-key,O=Notary,L=Seattle,ST=WA,C=US")
    );
    assert!(show.stdout.contains("IsCA: false"));
    env.run(&[
        "cert",
        "generate-test",
        "--key-type",
        "rsa",
        "--key-size",
        "1024",
        "x",
    ])
    .failure()
    .stderr_has("unsupported RSA key size 1024: supported sizes are 2048, 3072 and 4096");
    env.run(&[
        "cert",
        "generate-test",
        "--key-type",
        "ec",
        "--bits",
        "224",
        "x",
    ])
    .failure()
    .stderr_has("unsupported EC key size 224: supported sizes are 256, 384 and 521");
    env.run(&["cert", "generate-test", "--lifetime", "0s", "x"])
        .failure()
        .stderr_has("certificate lifetime must be positive");
    env.run(&["cert", "generate-test", "--lifetime", "soon", "x"])
        .failure()
        .stderr_has("time: invalid duration \"soon\"");
    env.run(&["cert", "generate-test", "bad/name"])
        .failure()
        .stderr_has("name needs to follow [a-zA-Z0-9_.-]+ format");
    env.run(&["cert", "generate-test"])
        .failure()
        .stderr_has("missing certificate common_name");
    // Nothing was left behind by the failures.
    let names: Vec<String> = fs::read_dir(env.config().join("localkeys"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // A file in the way is not overwritten.
    fs::write(env.config().join("localkeys/taken.crt"), "x").unwrap();
    env.run(&["cert", "generate-test", "taken"])
        .failure()
        .stderr_has("taken.crt already exists");
    assert!(!env.config().join("localkeys/taken.key").exists());
}
