//! The C ABI's PKCS#11 signer from C (examples/c/test_pkcs11.c), linked
//! against this build's libnotation.so (installed in a temporary prefix), run under valgrind against a real
//! SoftHSM token. gcc and valgrind, softhsm2, opensc and openssl are
//! required: a missing one fails the test.

mod common;
#[path = "../../notation-pkcs11/tests/support/softhsm.rs"]
mod softhsm;

use std::process::Command;

#[test]
fn c_signs_with_a_pkcs11_key_under_valgrind() {
    for (tool, flag) in [("gcc", "--version"), ("valgrind", "--version")] {
        common::require(tool, flag, "the C PKCS#11 test");
    }
    let hsm = softhsm::hsm();
    let root = common::repo_root().canonicalize().unwrap();
    let build = tempfile::tempdir().unwrap();
    // Installed as a C user gets it (the shared library under its SONAME).
    let libdir = common::make_install(build.path()).join("lib");
    let exe = build.path().join("test_pkcs11");
    let out = Command::new("gcc")
        .args([
            "-std=c11",
            "-g",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-o",
        ])
        .arg(&exe)
        .arg(root.join("examples/c/test_pkcs11.c"))
        .arg(format!("-I{}", root.join("include").display()))
        .arg(format!("-L{}", libdir.display()))
        .arg(format!("-Wl,-rpath,{}", libdir.display()))
        .arg("-lnotation")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let uri = hsm.uri("ec-256");
    let missing = hsm.uri("no-such-key");
    let chain = softhsm::pki("ec-256.chain.pem");
    let out = Command::new("valgrind")
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=1",
            "--quiet",
        ])
        .arg(format!(
            "--suppressions={}",
            root.join("examples/c/valgrind.supp").display()
        ))
        .arg(&exe)
        .args([
            uri.as_str(),
            chain.to_str().unwrap(),
            softhsm::PIN,
            missing.as_str(),
        ])
        .env("SOFTHSM2_CONF", hsm.conf())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
