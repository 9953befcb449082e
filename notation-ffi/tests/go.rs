//! Go users' path, as notation-ffi/README.md writes it: libnotation
//! installed with `make -C notation-ffi install` into a temporary prefix
//! (from this test build's libraries), then `PKG_CONFIG_PATH` set to its
//! pkgconfig directory and nothing else: no CGO_CFLAGS or CGO_LDFLAGS, the
//! package finding its own copy of notation.h and the libraries through
//! `#cgo pkg-config`. It runs the Go package's tests linked shared (under
//! the race detector) and, with `-tags notation_static`, static, checks
//! which library each test binary links, then builds and runs the Go
//! example (examples/go). Go gets a private GOPATH and GOCACHE,
//! GOFLAGS=-mod=mod and GOPROXY=off (no external modules). A missing go
//! fails the test (scripts/test.sh installs golang-go), as do missing
//! python3 and openssl (the Go plugin tests run the Python test plugin), and
//! docker-registry (TestVerifyManyRegistry verifies a registry's references).

#[path = "../../notation-oci/tests/support/batch_fixture.rs"]
mod batch_fixture;
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
    // Only what the README tells a Go user to set reaches the build.
    for k in [
        "CGO_CFLAGS",
        "CGO_LDFLAGS",
        "CGO_CPPFLAGS",
        "PKG_CONFIG_PATH",
        "LD_LIBRARY_PATH",
    ] {
        command.env_remove(k);
    }
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
    common::require(
        "pkg-config",
        "--version",
        "the Go package (#cgo pkg-config)",
    );
    let root = common::repo_root().canonicalize().unwrap();
    let conformance = common::conformance("").canonicalize().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    // README step 1: install libnotation.
    let prefix = common::make_install(tmp.path());
    let lib = prefix.join("lib");
    let base = vec![
        // README step 2: where pkg-config finds notation.pc, and (a
        // prefix the loader does not search) where libnotation.so.1 is.
        (
            "PKG_CONFIG_PATH",
            lib.join("pkgconfig").display().to_string(),
        ),
        ("LD_LIBRARY_PATH", lib.display().to_string()),
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

    // A registry with every batch verification case, and one that is
    // stopped, for TestVerifyManyRegistry.
    let registry = common::registry::Registry::start(false);
    let stopped = common::registry::Registry::start(false);
    let stopped_host = stopped.host.clone();
    drop(stopped);
    let client = notation_oci::registry::RegistryClient::new().unwrap();
    let mut cases = batch_fixture::populate(&client, &registry.host);
    cases.push(batch_fixture::stopped_case(&stopped_host));
    let batch_config = tmp.path().join("batch-config");
    batch_fixture::write_config(&batch_config, &[&registry.host]);
    let cases_json: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            serde_json::json!({"reference": c.reference, "outcome": c.outcome, "signer": c.signer.unwrap_or("")})
        })
        .collect();
    base.extend([
        (
            "NOTATION_TEST_BATCH_CASES",
            serde_json::to_string(&cases_json).unwrap(),
        ),
        (
            "NOTATION_TEST_BATCH_CONFIG",
            batch_config.display().to_string(),
        ),
    ]);

    for (mode, tags, shared) in [("shared", "", true), ("static", "notation_static", false)] {
        let env = base.clone();
        let tags = format!("-tags={tags}");
        // The shared build runs under the race detector (Close racing calls
        // on other goroutines, TestCloseWhileOtherGoroutinesCall).
        let race = if shared { "-race" } else { "-count=1" };
        let out = run(
            &format!("go test ({mode})"),
            go(&package, &env).args(["test", "-count=1", race, "-v", &tags, "."]),
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
            "TestVerifyManyLayouts",
            "TestVerifyManyRegistry",
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
    let env = base.clone();
    run("go vet (package)", go(&package, &env).args(["vet", "."]));
    run(
        "go vet (examples/go)",
        go(&root.join("examples/go"), &env).args(["vet", "."]),
    );
    // README step 3: go build, pkg-config finding everything.
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
            .env("LD_LIBRARY_PATH", &lib)
            .arg("-pki")
            .arg(root.join("testdata/pki"))
            .arg("-layout")
            .arg(&layout),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("verify artifact: verified"), "{stdout}");
    assert!(stdout.contains("verify tampered blob: FAILED"), "{stdout}");
    assert!(
        stdout.contains(
            "signed by: \"CN=Notation Test Leaf rsa-2048,O=Notary,L=Seattle,ST=WA,C=US\""
        ),
        "{stdout}"
    );
    assert!(links_libnotation_so(&example));
    eprintln!("Go tests: {:.1?}", started.elapsed());
}
