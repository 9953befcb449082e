//! The quickstart program runs every step and exits 0; what it leaves
//! behind (with `--keep`) is a configuration the `notation` command uses.

use std::path::PathBuf;
use std::process::{Command, Stdio};

#[test]
fn quickstart_runs_every_step() {
    let out = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .arg("--keep")
        .stdin(Stdio::null())
        .output()
        .expect("quickstart runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "[1/7] Create a test PKI",
        "certificate: CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US (self-signed)",
        "[3/7] Sign a file (JWS and COSE)",
        "[6/7] Sign and verify an image in a local OCI layout",
        "verified: local/quickstart@sha256:",
        "release-notes.txt.jws.sig: verified under policy \"wabbit-networks-blobs\" (integrity ok, authenticity ok, expiry ok, authenticTimestamp ok, revocation ok)",
        "release-notes.txt.cose.sig: verified under policy",
        "release-notes.txt.cose.sig: rejected as expected: integrity check failed. signature does not match the given blob",
        "All steps behaved as expected.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    let kept = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Kept ").and_then(|r| r.split(';').next()))
        .map(PathBuf::from)
        .expect("kept directory is printed");
    let config = kept.join("config");
    let notation = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_notation"))
            .args(args)
            .env("NOTATION_CONFIG", &config)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // The library-written configuration is what the command reads.
    let list = notation(&["key", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("* wabbit-networks.io"));
    let sig = kept.join("work/release-notes.txt.jws.sig");
    let blob = kept.join("work/release-notes.txt");
    let verify = notation(&[
        "blob",
        "verify",
        "-s",
        sig.to_str().unwrap(),
        blob.to_str().unwrap(),
    ]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&verify.stderr).contains("signature does not match the given blob")
    );
    // Signing the tampered file again with the command verifies.
    let sign = notation(&["blob", "sign", "--force", blob.to_str().unwrap()]);
    assert!(
        sign.status.success(),
        "{}",
        String::from_utf8_lossy(&sign.stderr)
    );
    let verify = notation(&[
        "blob",
        "verify",
        "-s",
        sig.to_str().unwrap(),
        blob.to_str().unwrap(),
    ]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    std::fs::remove_dir_all(&kept).unwrap();
}
