//! Builds the C example and the C tests (examples/c) against the libraries
//! this test build made (`libnotation.so` and `libnotation.a` in the target
//! directory), linked shared and static, and runs them plainly and under
//! valgrind through `make check`. gcc, make, pkg-config, valgrind, python3
//! and openssl are required: a missing one fails the test (scripts/test.sh
//! installs them).

mod common;

use std::process::Command;

#[test]
fn c_example_and_tests_shared_and_static_under_valgrind() {
    for (tool, flag) in [
        ("gcc", "--version"),
        ("make", "--version"),
        ("pkg-config", "--version"),
        ("valgrind", "--version"),
        ("ldd", "--version"),
    ] {
        common::require(tool, flag, "the C tests");
    }
    let root = common::repo_root().canonicalize().unwrap();
    let layout = common::conformance("09-e2e-oci-layouts/layouts/e2e");
    let build = tempfile::tempdir().unwrap();
    // The C tests run the Python test plugin; a signature that requires a
    // verification plugin can only be made with the library itself.
    common::plugin::require_tools();
    let plugin_blob = common::plugin::write_plugin_signed_blob(build.path());
    let started = std::time::Instant::now();
    let output = Command::new("make")
        .arg("-C")
        .arg(root.join("examples/c"))
        .arg("check")
        .arg(format!("ROOT={}", root.display()))
        .arg(format!("LIBDIR={}", common::library_dir().display()))
        .arg(format!("BUILD={}", build.path().display()))
        .arg(format!("LAYOUT={}", layout.display()))
        .arg(format!("PLUGIN_BLOB={}", plugin_blob.display()))
        .output()
        .expect("run make");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // valgrind's report first: CI keeps only the head and tail of a long
    // failure.
    let valgrind: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("==") && l[2..].contains("=="))
        .collect();
    assert!(
        output.status.success(),
        "make check failed ({})\n--- valgrind\n{}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status,
        valgrind.join("\n")
    );
    // Four runs of the test program, each reporting its checks.
    assert_eq!(
        stdout.matches(" passed, 0 failed").count(),
        4,
        "--- stdout\n{stdout}"
    );
    assert!(!stdout.contains("tests not run"), "--- stdout\n{stdout}");
    eprintln!("C tests: {:.1?}", started.elapsed());
}
