//! Builds the C example and the C tests (examples/c) against the libraries
//! this test build made (`libnotation.so` and `libnotation.a` in the target
//! directory), linked shared and static, and runs them plainly and under
//! valgrind through `make check`. gcc, make, pkg-config and valgrind are
//! required: a missing one fails the test (scripts/test.sh installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding this build's libnotation.so and libnotation.a:
/// the profile directory above `deps/` where the test binary lives.
pub fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    for lib in ["libnotation.so", "libnotation.a"] {
        assert!(
            dir.join(lib).is_file(),
            "{} is missing: cargo builds it with the test (crate-type cdylib and staticlib)",
            dir.join(lib).display()
        );
    }
    dir
}

fn require(tool: &str, version_flag: &str) {
    let found = Command::new(tool).arg(version_flag).output();
    assert!(
        found.as_ref().is_ok_and(|o| o.status.success()),
        "{tool} is required for the C tests and was not found or does not run ({:?}); install it (scripts/test.sh does: apt-get install gcc make pkg-config valgrind)",
        found.err()
    );
}

#[test]
fn c_example_and_tests_shared_and_static_under_valgrind() {
    for (tool, flag) in [
        ("gcc", "--version"),
        ("make", "--version"),
        ("pkg-config", "--version"),
        ("valgrind", "--version"),
        ("ldd", "--version"),
    ] {
        require(tool, flag);
    }
    let root = common::repo_root().canonicalize().unwrap();
    let layout = common::conformance("09-e2e-oci-layouts/layouts/e2e");
    let build = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let output = Command::new("make")
        .arg("-C")
        .arg(root.join("examples/c"))
        .arg("check")
        .arg(format!("ROOT={}", root.display()))
        .arg(format!("LIBDIR={}", library_dir().display()))
        .arg(format!("BUILD={}", build.path().display()))
        .arg(format!("LAYOUT={}", layout.display()))
        .output()
        .expect("run make");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "make check failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    // Four runs of the test program, each reporting its checks.
    assert_eq!(
        stdout.matches(" passed, 0 failed").count(),
        4,
        "--- stdout\n{stdout}"
    );
    eprintln!("C tests: {:.1?}", started.elapsed());
}
