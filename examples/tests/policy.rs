//! `notation policy import/show` and `notation blob policy
//! import/show/init` with every trust policy vector of
//! `conformance/06-trust-policies/e2e-oci` and `e2e-blob` (J1-J7).

mod common;

use std::fs;

use common::{Env, conformance_dir, vector, vector_bytes};

const DIR: &str = "06-trust-policies/e2e-oci";

/// Expected outcome of `notation policy import` per e2e-oci vector
/// (MANIFEST §06): `None` = valid, `Some(text)` = refused with a validation
/// error containing `text`.
const OCI_VECTORS: &[(&str, Option<&str>)] = &[
    ("any_registry_scope_trust_policy.json", None),
    ("audit_trustpolicy.json", None),
    (
        "empty_registry_scope_trustpolicy.json",
        Some(
            "oci trust policy statement \"e2e\" has zero registry scopes, it must specify registry scopes with at least one value",
        ),
    ),
    (
        "empty_trusted_identity_trustpolicy.json",
        Some("trust policy statement \"e2e\" has an empty trusted identity"),
    ),
    ("generate_test_trustpolicy.json", None),
    ("invalid_registry_scope_trustpolicy.json", None),
    ("invalid_trust_store_trustpolicy.json", None),
    ("invalid_trusted_identity_trustpolicy.json", None),
    (
        "malformed_registry_scope_trustpolicy.json",
        Some(
            "is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout",
        ),
    ),
    (
        "malformed_trust_store_trustpolicy.json",
        Some(
            "trust policy statement \"e2e\" uses an unsupported trust store name \"\" in trust store value \"ca:\". Named store name needs to follow [a-zA-Z0-9_.-]+ format",
        ),
    ),
    (
        "malformed_trusted_identity_trustpolicy.json",
        Some(
            "trust policy statement \"e2e\" has trusted identity \"x509.subject CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" missing separator",
        ),
    ),
    (
        "missing_country_trusted_identity_trustpolicy.json",
        Some(
            "distinguished name (DN) \" CN=e2e,O=Notary,L=Seattle,ST=WA\" has no mandatory RDN attribute for \"C\", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum",
        ),
    ),
    (
        "missing_organization_trusted_identity_trustpolicy.json",
        Some("has no mandatory RDN attribute for \"O\""),
    ),
    (
        "missing_state_trusted_identity_trustpolicy.json",
        Some("has no mandatory RDN attribute for \"ST\""),
    ),
    (
        "multi_statements_with_multi_wildcard_registry_scope_trustpolicy.json",
        Some(
            "registry scope \"*\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement",
        ),
    ),
    (
        "multi_statements_with_the_same_name_trustpolicy.json",
        Some(
            "multiple oci trust policy statements use the same name \"e2e\", statement names must be unique",
        ),
    ),
    (
        "multi_statements_with_the_same_registry_scope_trustpolicy.json",
        Some(
            "registry scope \"localhost:5000/test-repo8\" is present in multiple oci trust policy statements",
        ),
    ),
    (
        "multi_statements_with_wildcard_registry_scope_trustpolicy.json",
        None,
    ),
    ("multiple_registry_scope_trustpolicy.json", None),
    ("multiple_trust_store_trustpolicy.json", None),
    ("multiple_trusted_identity_trustpolicy.json", None),
    (
        "overlapped_registry_scope_trustpolicy.json",
        Some(
            "registry scope \"localhost:5000/test-repo6\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement",
        ),
    ),
    ("overlapped_trust_store_trustpolicy.json", None),
    (
        "overlapped_trusted_identity_trustpolicy.json",
        Some("trust policy statement \"e2e\" has overlapping x509 trustedIdentities"),
    ),
    ("override_audit_trustpolicy.json", None),
    (
        "override_integrity_for_permissive_trustpolicy.json",
        Some("\"integrity\" verification can not be overridden in custom signature verification"),
    ),
    ("override_permissive_trustpolicy.json", None),
    ("override_strict_trustpolicy.json", None),
    ("permissive_trustpolicy.json", None),
    ("quickstart_trustpolicy.json", None),
    ("registry_scope_trustpolicy.json", None),
    ("skip_trustpolicy.json", None),
    ("timestamp_after_cert_expiry_trustpolicy.json", None),
    ("timestamp_trustpolicy.json", None),
    ("trustpolicy.json", None),
    (
        "unset_trust_store_trustpolicy.json",
        Some(
            "trust policy statement \"e2e\" is either missing trust stores or trusted identities, both must be specified",
        ),
    ),
    (
        "unset_trusted_identity_trustpolicy.json",
        Some(
            "trust policy statement \"e2e\" is either missing trust stores or trusted identities, both must be specified",
        ),
    ),
    ("valid_trusted_identity_trustpolicy.json", None),
    (
        "wildcard_plus_other_registry_scope_trustpolicy.json",
        Some(
            "oci trust policy statement \"e2e\" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values",
        ),
    ),
    (
        "wildcard_plus_other_trusted_identity_trustpolicy.json",
        Some(
            "trust policy statement \"e2e\" uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values",
        ),
    ),
    (
        "wildcard_trust_store_trustpolicy.json",
        Some(
            "trust policy statement \"e2e\" has malformed trust store value \"*\". The required format is <TrustStoreType>:<TrustStoreName>",
        ),
    ),
];

/// Vectors with their own tests below.
const SPECIAL: &[&str] = &["invalid_format_trustpolicy.json", "blob_trust_policy.json"];

#[test]
fn every_e2e_oci_vector_is_covered() {
    let mut on_disk: Vec<String> = fs::read_dir(conformance_dir().join(DIR))
        .unwrap_or_else(|e| panic!("conformance vectors {DIR} are required: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = OCI_VECTORS
        .iter()
        .map(|(n, _)| n.to_string())
        .chain(SPECIAL.iter().map(|s| s.to_string()))
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn oci_policy_import_and_show_every_vector() {
    for (name, expected) in OCI_VECTORS {
        let env = Env::new();
        let path = vector(&format!("{DIR}/{name}"));
        let run = env.run(&["policy", "import", path.to_str().unwrap()]);
        let target = env.config().join("trustpolicy.oci.json");
        match expected {
            None => {
                run.success().stdout_has(&format!(
                    "Successfully imported OCI trust policy configuration to {}.",
                    target.display()
                ));
                // Written as given, byte for byte; show prints it back.
                assert_eq!(
                    fs::read(&target).unwrap(),
                    vector_bytes(&format!("{DIR}/{name}")),
                    "{name}"
                );
                let shown = env.run(&["policy", "show"]).success();
                assert_eq!(
                    shown.stdout.as_bytes(),
                    vector_bytes(&format!("{DIR}/{name}")),
                    "{name}"
                );
            }
            Some(text) => {
                run.failure()
                    .stderr_has("Error: failed to validate OCI trust policy configuration: ")
                    .stderr_has(text);
                // Validation happens before writing (J7).
                assert!(!target.exists(), "{name} must not be written");
                // Placed by hand, show prints it and reports it invalid.
                fs::write(&target, vector_bytes(&format!("{DIR}/{name}"))).unwrap();
                let shown = env.run(&["policy", "show"]).failure();
                assert!(
                    shown
                        .stderr
                        .contains("Existing OCI trust policy configuration is invalid"),
                    "{name}"
                );
                assert!(shown.stderr.contains(text), "{name}: {}", shown.stderr);
                assert_eq!(
                    shown.stdout.as_bytes(),
                    vector_bytes(&format!("{DIR}/{name}"))
                );
            }
        }
    }
}

#[test]
fn invalid_json_policy() {
    let env = Env::new();
    let path = vector(&format!("{DIR}/invalid_format_trustpolicy.json"));
    env.run(&["policy", "import", path.to_str().unwrap()])
        .failure()
        .stderr_has("Error: failed to parse OCI trust policy configuration: ");
    env.run(&["blob", "policy", "import", path.to_str().unwrap()])
        .failure()
        .stderr_has("Error: failed to parse blob trust policy configuration: ");
    assert!(!env.config().join("trustpolicy.oci.json").exists());
    // Shown as it is, with the reference's notice, and a failure status.
    fs::copy(&path, env.config().join("trustpolicy.oci.json")).unwrap();
    let shown = env
        .run(&["policy", "show"])
        .failure()
        .stderr_has("Existing OCI trust policy configuration is invalid, you may update or create a new one via `notation policy import <path-to-policy.json>`");
    assert_eq!(shown.stdout.as_bytes(), fs::read(&path).unwrap());
    fs::copy(&path, env.config().join("trustpolicy.blob.json")).unwrap();
    let shown = env
        .run(&["blob", "policy", "show"])
        .failure()
        .stderr_has("Existing blob trust policy configuration is invalid, you may update or create a new one via `notation blob policy import <path-to-policy.json>`");
    assert_eq!(shown.stdout.as_bytes(), fs::read(&path).unwrap());
}

#[test]
fn import_replaces_only_with_consent_and_removes_legacy_file() {
    let env = Env::new();
    let first = vector(&format!("{DIR}/trustpolicy.json"));
    let second = vector(&format!("{DIR}/audit_trustpolicy.json"));
    // The legacy trustpolicy.json is read when trustpolicy.oci.json is absent.
    fs::copy(&first, env.config().join("trustpolicy.json")).unwrap();
    let shown = env
        .run(&["policy", "show"])
        .success()
        .stderr_has("Warning: old trust policy `trustpolicy.json` is deprecated");
    assert_eq!(shown.stdout.as_bytes(), fs::read(&first).unwrap());
    // An existing valid policy is replaced only with consent.
    env.run(&["policy", "import", second.to_str().unwrap()])
        .failure()
        .stdout_has(
            "The OCI trust policy configuration already exists, do you want to overwrite it? [y/N]",
        );
    env.run_with_input(&["policy", "import", second.to_str().unwrap()], "no\n")
        .success()
        .stdout_has("Operation cancelled.");
    assert!(!env.config().join("trustpolicy.oci.json").exists());
    env.run(&["policy", "import", "--force", second.to_str().unwrap()])
        .success()
        .stderr_has("Warning: existing OCI trust policy configuration will be overwritten")
        .stdout_has("Deleted old trust policy configuration trustpolicy.json.");
    assert!(!env.config().join("trustpolicy.json").exists());
    assert_eq!(
        fs::read(env.config().join("trustpolicy.oci.json")).unwrap(),
        fs::read(&second).unwrap()
    );
    env.run_with_input(&["policy", "import", first.to_str().unwrap()], "y\n")
        .success();
    assert_eq!(
        fs::read(env.config().join("trustpolicy.oci.json")).unwrap(),
        fs::read(&first).unwrap()
    );
}

#[test]
fn import_and_show_argument_errors() {
    let env = Env::new();
    env.run(&["policy", "show"]).failure().stderr_has(
        "Error: failed to show OCI trust policy as it does not exist.\nYou can import one using `notation policy import <path-to-policy.json>`",
    );
    env.run(&["blob", "policy", "show"]).failure().stderr_has(
        "Error: failed to show blob trust policy as the configuration does not exist.\nYou can import one using `notation blob policy import <path-to-policy.json>`",
    );
    env.run(&["policy", "import"])
        .failure()
        .stderr_has("requires 1 argument but received 0");
    env.run(&["blob", "policy", "import", "a", "b"])
        .failure()
        .stderr_has("requires 1 argument but received 2");
    env.run(&["policy", "import", "/does/not/exist.json"])
        .failure()
        .stderr_has("Error: failed to read OCI trust policy configuration /does/not/exist.json: no such file or directory");
    env.run(&["blob", "policy", "import", "/does/not/exist.json"])
        .failure()
        .stderr_has("Error: failed to read blob trust policy file /does/not/exist.json: no such file or directory");
    // A blob document is not an OCI document (no registry scopes).
    let blob = vector(&format!("{DIR}/blob_trust_policy.json"));
    env.run(&["policy", "import", blob.to_str().unwrap()])
        .failure()
        .stderr_has("failed to validate OCI trust policy configuration");
}

#[test]
fn blob_policy_import_and_show() {
    for relative in [
        format!("{DIR}/blob_trust_policy.json"),
        "06-trust-policies/e2e-blob/trustpolicy.blob.json".to_string(),
    ] {
        let env = Env::new();
        let path = vector(&relative);
        env.run(&["blob", "policy", "import", path.to_str().unwrap()])
            .success()
            .stdout_has(&format!(
                "Successfully imported blob trust policy configuration to {}.",
                env.config().join("trustpolicy.blob.json").display()
            ));
        let shown = env.run(&["blob", "policy", "show"]).success();
        assert_eq!(shown.stdout.as_bytes(), fs::read(&path).unwrap());
        // Replacing needs --force (or a yes on stdin).
        env.run(&["blob", "policy", "import", path.to_str().unwrap()])
            .failure()
            .stdout_has(
                "The blob trust policy configuration already exists, do you want to overwrite it?",
            );
        env.run(&[
            "blob",
            "policy",
            "import",
            "--force",
            path.to_str().unwrap(),
        ])
        .success()
        .stderr_has("Warning: existing blob trust policy configuration will be overwritten");
    }
    // The OCI vectors that are invalid for any document kind are refused
    // for blobs too, with the blob wording.
    let env = Env::new();
    let path = vector(&format!(
        "{DIR}/malformed_trusted_identity_trustpolicy.json"
    ));
    env.run(&["blob", "policy", "import", path.to_str().unwrap()])
        .failure()
        .stderr_has(
            "Error: failed to validate blob trust policy configuration: blob trust policy: trust policy statement \"e2e\" has trusted identity",
        );
    assert!(!env.config().join("trustpolicy.blob.json").exists());
}

#[test]
fn blob_policy_init() {
    let env = Env::new();
    env.run(&["blob", "policy", "init"]).failure().stderr_has(
        "Error: required flag(s) \"name\", \"trust-store\", \"trusted-identity\" not set",
    );
    env.run(&[
        "blob",
        "policy",
        "init",
        "--name",
        "p",
        "--trust-store",
        "ca:s",
    ])
    .failure()
    .stderr_has("Error: required flag(s) \"trusted-identity\" not set");
    env.run(&[
        "blob",
        "policy",
        "init",
        "--name",
        "p",
        "--trust-store",
        "ca",
        "--trusted-identity",
        "*",
    ])
    .failure()
    .stderr_has("Error: invalid blob policy: ");
    assert!(!env.config().join("trustpolicy.blob.json").exists());
    env.run(&[
        "blob",
        "policy",
        "init",
        "-n",
        "myBlobPolicy",
        "--trust-store",
        "ca:myCACerts",
        "--trusted-identity",
        "x509.subject:C=US,ST=WA,O=wabbit-network.io",
    ])
    .success()
    .stdout_has("Successfully initialized blob trust policy file to");
    let shown = env.run(&["blob", "policy", "show"]).success();
    let doc: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({
            "version": "1.0",
            "trustPolicies": [{
                "name": "myBlobPolicy",
                "signatureVerification": {"level": "strict"},
                "trustStores": ["ca:myCACerts"],
                "trustedIdentities": ["x509.subject:C=US,ST=WA,O=wabbit-network.io"]
            }]
        })
    );
    env.run(&[
        "blob",
        "policy",
        "init",
        "--name",
        "g",
        "--trust-store",
        "ca:a",
        "--trusted-identity",
        "*",
        "--global",
    ])
    .failure()
    .stdout_has("The blob trust policy configuration already exists");
    env.run(&[
        "blob",
        "policy",
        "init",
        "--force",
        "--global",
        "--name",
        "g",
        "--trust-store",
        "ca:a",
        "--trust-store",
        "tsa:t",
        "--trusted-identity",
        "*",
    ])
    .success();
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(env.config().join("trustpolicy.blob.json")).unwrap())
            .unwrap();
    assert_eq!(doc["trustPolicies"][0]["globalPolicy"], true);
    assert_eq!(
        doc["trustPolicies"][0]["trustStores"],
        serde_json::json!(["ca:a", "tsa:t"])
    );
}
