//! Registry targets through the C ABI, against a real registry: Debian's
//! `docker-registry` (CNCF distribution 2.8) on a loopback port, anonymous
//! and with htpasswd Basic auth. A missing `docker-registry` or `htpasswd`
//! fails the test (scripts/test.sh installs them). The registry binds port
//! 0 and logs the port it got; it is ready once `GET /v2/` there answers
//! with this instance's marker header, so no other process is ever taken
//! for it.

mod common;

use std::process::Command;
use std::ptr;

use common::registry::{PASSWORD, Registry, USER};
use common::*;
use notation::*;
use notation_oci::registry::RegistryClient;

/// A configuration trusting the test root for `<host>/<repository>`.
fn config_for(scope: &str) -> *mut notation_config {
    let policy = OCI_POLICY.replace("local/e2e", scope);
    let config = memory_config();
    // SAFETY: a live configuration and a valid slice.
    ok(unsafe { notation_config_set_oci_policy(config, policy.as_ptr(), policy.len()) });
    config
}

fn registry_target(
    config: *const notation_config,
    reference: &str,
) -> (notation_result, *mut notation_target) {
    let reference = cstr(reference);
    let mut target = ptr::null_mut();
    // SAFETY: valid strings and out-parameter; config may be NULL.
    let rc = unsafe { notation_target_new_registry(config, reference.as_ptr(), &mut target) };
    (rc, target)
}

#[test]
fn sign_list_inspect_and_verify_in_a_registry() {
    let registry = Registry::start(false);
    registry.push_e2e("net-monitor", &RegistryClient::new().unwrap());
    let scope = format!("{}/net-monitor", registry.host);
    let config = config_for(&scope);
    let verifier = verifier_for(config);
    let signer = new_signer("ec-256.key", "ec-256.chain.pem");
    let result = new_result();

    let (rc, mut target) = registry_target(config, &format!("{scope}:v1"));
    ok(rc);
    // SAFETY: live handles and writable out-parameters throughout.
    unsafe {
        assert_eq!(
            notation_verifier_verify_artifact(verifier, target, ptr::null(), result),
            notation_result::NoSignature
        );
        let mut digest = ptr::null_mut();
        ok(notation_signer_sign_artifact(
            signer,
            target,
            ptr::null(),
            &mut digest,
        ));
        let signature_digest = take_signed_digest(digest);

        let mut list = ptr::null_mut();
        ok(notation_target_inspect_signatures(target, 0, &mut list));
        let mut count = 0;
        ok(notation_signature_list_count(list, &mut count));
        assert_eq!(count, 1);
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_digest(list, 0, b, l, n)),
            Ok(signature_digest.clone())
        );
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_signature_algorithm(list, 0, b, l, n)),
            Ok("ECDSA-SHA-256".to_string())
        );
        notation_signature_list_free(&mut list);

        ok(notation_verifier_verify_artifact(
            verifier,
            target,
            ptr::null(),
            result,
        ));
        assert_eq!(
            read_string(|b, l, n| notation_verdict_signature_digest(result, b, l, n)),
            Ok(signature_digest)
        );
        assert_eq!(
            read_string(|b, l, n| notation_verdict_artifact_digest(result, b, l, n)),
            Ok(E2E_DIGEST.to_string())
        );
        assert_eq!(checks(result).len(), 5);
        notation_target_free(&mut target);

        // By digest, and an unknown tag.
        let (rc, mut by_digest) = registry_target(config, &format!("{scope}@{E2E_DIGEST}"));
        ok(rc);
        ok(notation_verifier_verify_artifact(
            verifier,
            by_digest,
            ptr::null(),
            result,
        ));
        notation_target_free(&mut by_digest);
        let (rc, mut missing) = registry_target(ptr::null(), &format!("{scope}:v9"));
        ok(rc);
        assert_eq!(
            notation_signer_sign_artifact(signer, missing, ptr::null(), ptr::null_mut()),
            notation_result::NotFound
        );
        notation_target_free(&mut missing);

        // Another repository has no applicable statement.
        let (rc, mut other) = registry_target(config, &format!("{}/other:v1", registry.host));
        ok(rc);
        assert_eq!(
            notation_verifier_verify_artifact(verifier, other, ptr::null(), result),
            notation_result::NoApplicablePolicy
        );
        notation_target_free(&mut other);
    }
}

/// The environment the credential test needs, given to a child process of
/// this test binary at its start (changing the environment of a running
/// test binary races with its other test threads).
const CREDENTIALS_CHILD: &str = "NOTATION_FFI_TEST_CREDENTIALS_CHILD";

#[test]
fn registry_credentials_come_from_the_configuration() {
    if std::env::var_os(CREDENTIALS_CHILD).is_none() {
        // Credential stores pointed at an empty directory and no
        // NOTATION_USERNAME/PASSWORD, so that the machine's own credentials
        // do not take part.
        let empty = tempfile::tempdir().unwrap();
        let name = "registry_credentials_come_from_the_configuration";
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--nocapture", "--test-threads", "1"])
            .env(CREDENTIALS_CHILD, "1")
            .env("DOCKER_CONFIG", empty.path())
            .env("NOTATION_CONFIG", empty.path())
            .env_remove("NOTATION_USERNAME")
            .env_remove("NOTATION_PASSWORD")
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.contains("test result: ok. 1 passed"),
            "the child did not run the test:\n{stdout}"
        );
        return;
    }
    let registry = Registry::start(true);
    let authed = RegistryClient::builder()
        .credentials(notation_oci::registry::credentials::StaticCredentials::new(
            registry.host.clone(),
            notation_oci::registry::Credential::basic(USER, PASSWORD),
        ))
        .build()
        .unwrap();
    registry.push_e2e("private", &authed);
    let scope = format!("{}/private", registry.host);
    let config = config_for(&scope);
    let signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let reference = format!("{scope}:v1");

    assert!(
        std::env::var_os("NOTATION_USERNAME").is_none(),
        "the parent clears the environment"
    );
    let (rc, mut anonymous) = registry_target(config, &reference);
    ok(rc);
    // SAFETY: live handles and valid strings throughout.
    unsafe {
        assert_eq!(
            notation_signer_sign_artifact(signer, anonymous, ptr::null(), ptr::null_mut()),
            notation_result::RegistryUnauthorized
        );
        notation_target_free(&mut anonymous);

        let (host, user, wrong) = (cstr(&registry.host), cstr(USER), cstr("wrong"));
        ok(notation_config_set_registry_credentials(
            config,
            host.as_ptr(),
            user.as_ptr(),
            wrong.as_ptr(),
        ));
        let (rc, mut bad) = registry_target(config, &reference);
        ok(rc);
        assert_eq!(
            notation_signer_sign_artifact(signer, bad, ptr::null(), ptr::null_mut()),
            notation_result::RegistryUnauthorized
        );
        notation_target_free(&mut bad);

        let password = cstr(PASSWORD);
        ok(notation_config_set_registry_credentials(
            config,
            host.as_ptr(),
            user.as_ptr(),
            password.as_ptr(),
        ));
        let (rc, mut target) = registry_target(config, &reference);
        ok(rc);
        ok(notation_signer_sign_artifact(
            signer,
            target,
            ptr::null(),
            ptr::null_mut(),
        ));
        let verifier = verifier_for(config);
        let result = new_result();
        ok(notation_verifier_verify_artifact(
            verifier,
            target,
            ptr::null(),
            result,
        ));
        notation_target_free(&mut target);

        let empty_name = cstr("");
        assert_eq!(
            notation_config_set_registry_credentials(
                config,
                host.as_ptr(),
                empty_name.as_ptr(),
                empty_name.as_ptr()
            ),
            notation_result::InvalidArgument
        );
    }
}

#[test]
fn registry_references_are_checked() {
    for bad in ["not a reference!", "registry.example/repo", ""] {
        let (rc, target) = registry_target(ptr::null(), bad);
        assert_eq!(rc, notation_result::ReferenceInvalid, "{bad:?}");
        assert!(target.is_null());
    }
    let (rc, mut target) = registry_target(ptr::null(), "registry.example/net-monitor:v1");
    ok(rc);
    // SAFETY: freeing through the variable.
    unsafe { notation_target_free(&mut target) };
}
