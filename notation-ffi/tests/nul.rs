//! NUL bytes: a C string cannot hold one, so a string that reaches the
//! library with one in it would be cut short. Strings given as C strings
//! cannot carry one; JSON can (`\u0000`), so trust policy documents whose
//! statement names or registry scopes hold one are refused wherever they
//! enter (memory, validation, a configuration directory). Strings given
//! back to C never hold one (interior NULs become U+FFFD).

mod common;

use std::ptr;

use common::*;
use notation::*;

const NAMED: &str = r#"{"version":"1.0","trustPolicies":[{"name":"NAME","signatureVerification":{"level":"strict"},"trustStores":["ca:test"],"trustedIdentities":["*"],"globalPolicy":true}]}"#;
const SCOPED: &str = r#"{"version":"1.0","trustPolicies":[{"name":"images","registryScopes":["SCOPE"],"signatureVerification":{"level":"strict"},"trustStores":["ca:test"],"trustedIdentities":["*"]}]}"#;

fn blob_doc(name: &str) -> String {
    NAMED.replace("NAME", name)
}

fn oci_doc(scope: &str) -> String {
    SCOPED.replace("SCOPE", scope)
}

#[test]
fn policy_statement_names_and_scopes_with_nul_are_refused() {
    let validate = |kind: notation_policy_kind, doc: &str| {
        // SAFETY: a valid slice.
        unsafe { notation_trust_policy_validate(kind as u32, doc.as_ptr(), doc.len()) }
    };
    // Positive controls.
    ok(validate(notation_policy_kind::Blob, &blob_doc("ci")));
    ok(validate(
        notation_policy_kind::Oci,
        &oci_doc("registry.example/app"),
    ));

    let nul_name = blob_doc(r"ci\u0000-production");
    assert_eq!(
        validate(notation_policy_kind::Blob, &nul_name),
        notation_result::PolicyInvalid
    );
    assert_eq!(
        last_error(),
        "blob trust policy statement name \"ci\\0-production\" contains a NUL byte, which a C string cannot hold"
    );
    let nul_scope = oci_doc(r"registry.example/app\u0000x");
    assert_eq!(
        validate(notation_policy_kind::Oci, &nul_scope),
        notation_result::PolicyInvalid
    );
    assert!(last_error().contains("registry scope"), "{}", last_error());

    let config = memory_config();
    // SAFETY: config is live; valid slices.
    unsafe {
        assert_eq!(
            notation_config_set_blob_policy(config, nul_name.as_ptr(), nul_name.len()),
            notation_result::PolicyInvalid
        );
        assert_eq!(
            notation_config_set_oci_policy(config, nul_scope.as_ptr(), nul_scope.len()),
            notation_result::PolicyInvalid
        );
    }
    let mut config = config;
    // SAFETY: config is live.
    unsafe { notation_config_free(&mut config) };

    // A configuration directory.
    for (file, doc) in [
        ("trustpolicy.blob.json", &nul_name),
        ("trustpolicy.oci.json", &nul_scope),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), doc).unwrap();
        let path = cstr(dir.path().to_str().unwrap());
        let mut config = ptr::null_mut();
        // SAFETY: valid string; writable out-parameter.
        let rc = unsafe { notation_config_open_dir(path.as_ptr(), &mut config) };
        assert_eq!(
            rc,
            notation_result::PolicyInvalid,
            "{file}: {}",
            last_error()
        );
        assert!(config.is_null());
    }
}
