//! Runs the Go package's tests (notation-ffi/go/notation) linked against
//! this build's libnotation.so and, with `-tags notation_static`, against
//! libnotation.a; checks which library each test binary links; builds and
//! runs the Go example (examples/go). Go gets a private GOPATH and GOCACHE,
//! GOFLAGS=-mod=mod and GOPROXY=off (no external modules). A missing go
//! fails the test (scripts/test.sh installs golang-go), as do missing
//! python3 and openssl (the Go plugin tests run the Python test plugin).

mod common;
#[path = "../../notation-pkcs11/tests/support/softhsm.rs"]
mod softhsm;

use std::path::Path;
use std::process::{Command, Output};

fn run(what: &str, command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn go(dir: &Path, env: &[(&str, String)]) -> Command {
    let mut command = Command::new("go");
    command.current_dir(dir);
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

fn links_libnotation_so(binary: &Path) -> bool {
    let out = run("ldd", Command::new("ldd").arg(binary));
    String::from_utf8_lossy(&out.stdout).contains("libnotation.so")
}

#[test]
fn go_package_tests_shared_and_static_and_example() {
    common::require("go", "version", "the Go binding tests");
    common::require("gcc", "--version", "cgo");
    common::require("ldd", "--version", "the link checks");
    let root = common::repo_root().canonicalize().unwrap();
    let lib = common::library_dir();
    let lib = lib.display();
    let conformance = common::conformance("").canonicalize().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let base = vec![
        ("CGO_ENABLED", "1".to_string()),
        ("GOFLAGS", "-mod=mod".to_string()),
        ("GOPROXY", "off".to_string()),
        ("GOSUMDB", "off".to_string()),
        ("GOTOOLCHAIN", "local".to_string()),
        ("GO111MODULE", "on".to_string()),
        ("GOPATH", tmp.path().join("gopath").display().to_string()),
        ("GOCACHE", tmp.path().join("gocache").display().to_string()),
        ("NOTATION_CONFORMANCE", conformance.display().to_string()),
    ];
    let package = root.join("notation-ffi/go/notation");
    // A signature that requires a verification plugin, which only the
    // library (not its C API) can make, for TestVerificationPlugin.
    common::plugin::require_tools();
    let plugin_blob = common::plugin::write_plugin_signed_blob(tmp.path());
    let mut base = base;
    base.push((
        "NOTATION_TEST_PLUGIN_BLOB",
        plugin_blob.display().to_string(),
    ));
    // A SoftHSM token for TestPKCS11Signer (SOFTHSM2_CONF is set for this
    // process and inherited by go test).
    let hsm = softhsm::hsm();
    base.extend([
        ("NOTATION_TEST_PKCS11_URI", hsm.uri("ec-256")),
        (
            "NOTATION_TEST_PKCS11_CHAIN",
            softhsm::pki("ec-256.chain.pem").display().to_string(),
        ),
        ("NOTATION_TEST_PKCS11_PIN", softhsm::PIN.to_string()),
    ]);

    for (mode, tags, ldflags, shared) in [
        ("shared", "", format!("-L{lib} -Wl,-rpath,{lib}"), true),
        ("static", "notation_static", format!("-L{lib}"), false),
    ] {
        let mut env = base.clone();
        env.push(("CGO_LDFLAGS", ldflags));
        let tags = format!("-tags={tags}");
        let out = run(
            &format!("go test ({mode})"),
            go(&package, &env).args(["test", "-count=1", "-v", &tags, "."]),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("\nok ") || stdout.starts_with("ok "),
            "{stdout}"
        );
        assert!(!stdout.contains("--- FAIL"), "{stdout}");
        for test in [
            "TestPluginSigningAndVerification",
            "TestVerificationPlugin",
            "TestPKCS11Signer",
        ] {
            assert!(
                stdout.contains(&format!("--- PASS: {test} ")),
                "{test} did not pass ({mode})\n{stdout}"
            );
        }
        // Which library the test binary links.
        let binary = tmp.path().join(format!("notation-{mode}.test"));
        run(
            &format!("go test -c ({mode})"),
            go(&package, &env)
                .args(["test", "-c", &tags, "-o"])
                .arg(&binary)
                .arg("."),
        );
        assert_eq!(
            links_libnotation_so(&binary),
            shared,
            "the {mode} Go test binary should {}link libnotation.so",
            if shared { "" } else { "not " }
        );
    }

    // The example program, linked dynamically, on a fresh layout copy;
    // go vet over both modules first.
    let mut env = base.clone();
    env.push(("CGO_LDFLAGS", format!("-L{lib} -Wl,-rpath,{lib}")));
    run("go vet (package)", go(&package, &env).args(["vet", "."]));
    run(
        "go vet (examples/go)",
        go(&root.join("examples/go"), &env).args(["vet", "."]),
    );
    let example = tmp.path().join("example");
    run(
        "go build examples/go",
        go(&root.join("examples/go"), &env)
            .args(["build", "-o"])
            .arg(&example)
            .arg("."),
    );
    let layout = common::e2e_layout(tmp.path());
    let out = run(
        "examples/go",
        Command::new(&example)
            .arg("-pki")
            .arg(root.join("testdata/pki"))
            .arg("-layout")
            .arg(&layout),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("verify artifact: verified"), "{stdout}");
    assert!(stdout.contains("verify tampered blob: FAILED"), "{stdout}");
    eprintln!("Go tests: {:.1?}", started.elapsed());
}
