//! Hostile input: every file the command reads is bounded and every parse
//! failure is an error message, never a crash.

mod common;

use std::fs;

use common::{Env, blob_policy_json, vector_bytes};

#[test]
fn oversized_and_garbage_signatures() {
    let env = Env::new();
    env.generate_test("k", &["--default", "--key-type", "ec"]);
    env.blob_policy(&blob_policy_json(&[("g", "strict", &["ca:k"], true)]));
    env.write("b", "x");
    // Larger than the envelope limit (32 MiB): refused before parsing.
    let big = env.path("big.jws.sig");
    let f = fs::File::create(&big).unwrap();
    f.set_len(33 * 1024 * 1024).unwrap();
    for args in [
        vec!["blob", "inspect", "big.jws.sig"],
        vec!["blob", "verify", "-s", "big.jws.sig", "b"],
    ] {
        env.run(&args)
            .failure()
            .stderr_has("file is larger than the limit of 33554432 bytes");
    }
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage.cose.sig", b"\xd2\x84\x40\xa0\xff".to_vec()),
        (
            "random.cose.sig",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
        ),
        (
            "deep.jws.sig",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        ),
        (
            "truncated.jws.sig",
            vector_bytes("10-blob/e2e-signatures/blob.jws.sig")[..500].to_vec(),
        ),
        (
            "truncated.cose.sig",
            vector_bytes("10-blob/e2e-signatures/blob.cose.sig")[..500].to_vec(),
        ),
        (
            "wrongtypes.jws.sig",
            br#"{"payload":1,"protected":[],"header":"x","signature":null}"#.to_vec(),
        ),
        ("nul.jws.sig", vec![0u8; 64]),
    ];
    for (name, data) in cases {
        env.write(name, &data);
        let out = env
            .run(&["blob", "inspect", name])
            .failure()
            .stderr_has("Error: failed to parse signature: ");
        assert!(!out.stderr.contains("panicked"), "{name}: {}", out.stderr);
        env.run(&["blob", "verify", "-s", name, "b"])
            .failure()
            .stderr_has("unable to parse the digital signature")
            .stderr_lacks("panicked");
    }
    // A directory named like a signature.
    fs::create_dir(env.path("dir.jws.sig")).unwrap();
    env.run(&["blob", "inspect", "dir.jws.sig"])
        .failure()
        .stderr_has("failed to read signature file: read dir.jws.sig: is a directory");
}

#[test]
fn hostile_configuration_files() {
    let env = Env::new();
    env.write("b", "x");
    // Deeply nested JSON in every configuration file.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    fs::write(env.config().join("signingkeys.json"), &deep).unwrap();
    env.run(&["key", "list"])
        .failure()
        .stderr_has("malformed signingkeys.json")
        .stderr_lacks("panicked");
    fs::remove_file(env.config().join("signingkeys.json")).unwrap();
    fs::write(env.config().join("trustpolicy.blob.json"), &deep).unwrap();
    env.run(&["blob", "policy", "show"])
        .failure()
        .stderr_has("Existing blob trust policy configuration is invalid");
    env.write(
        "b.jws.sig",
        vector_bytes("10-blob/e2e-signatures/blob.jws.sig"),
    );
    env.run(&["blob", "verify", "-s", "b.jws.sig", "b"])
        .failure()
        .stderr_has("malformed trust policy");
    // Larger than any configuration file may be (4 MiB).
    let big = env.write("big.json", vec![b' '; 5 * 1024 * 1024]);
    env.run(&["policy", "import", big.to_str().unwrap()])
        .failure()
        .stderr_has("file is larger than the limit");
    // A symlinked policy is refused (J1).
    #[cfg(unix)]
    {
        fs::remove_file(env.config().join("trustpolicy.blob.json")).unwrap();
        let real = env.write(
            "real.json",
            blob_policy_json(&[("g", "audit", &["ca:x"], true)]),
        );
        std::os::unix::fs::symlink(&real, env.config().join("trustpolicy.blob.json")).unwrap();
        env.run(&["blob", "verify", "-s", "b.jws.sig", "b"])
            .failure()
            .stderr_has("trust policy is not a regular file");
    }
    // A signature path that is only dots: a directory, read (and refused)
    // before its name is looked at, as in the reference.
    env.run(&["blob", "verify", "-s", "..", "b"])
        .failure()
        .stderr_has("Error: read ..: is a directory");
}
