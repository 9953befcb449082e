//! Conformance: every trust policy document of `06-trust-policies` gives the
//! verdict the MANIFEST states (valid, or the reference's exact error), plus
//! policy selection (K1, K4), DN parsing and trusted-identity matching (L).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use notation_core::trust::dn::{ParsedDn, TrustedIdentityError, verify_trusted_identities};
use notation_core::trust::policy::{
    self, BlobTrustPolicyDocument, OciTrustPolicyDocument, PolicyError, PolicyLoadError,
    PolicySelectionError, TrustedIdentity, ValidationAction, ValidationType,
};
use notation_core::x509::Certificate;

const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");

fn conformance(rel: &str) -> PathBuf {
    let root = Path::new(CONFORMANCE);
    assert!(
        root.is_dir(),
        "conformance vectors not found at {}: the shared directory must be checked out next to the workspace",
        root.display()
    );
    root.join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    let path = conformance(rel);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_in(dir: &str) -> BTreeSet<String> {
    fs::read_dir(conformance(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

/// Checks that a table names every file of a directory, and only those.
fn assert_covers(dir: &str, table: &[(&str, Option<&str>)]) {
    let listed: BTreeSet<String> = table.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed.len(), table.len(), "{dir}: a file is listed twice");
    assert_eq!(
        listed,
        files_in(dir),
        "{dir}: the table must cover every vector"
    );
}

const SCOPE_INVALID_TAIL: &str = "make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout";

fn mandatory(identity: &str, dn: &str, attr: &str) -> String {
    format!(
        "oci trust policy: trust policy statement \"e2e\" has trusted identity \"{identity}\" with invalid identity value: distinguished name (DN) \"{dn}\" has no mandatory RDN attribute for \"{attr}\", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum"
    )
}

fn check_oci(dir: &str, table: &[(&str, Option<&str>)]) {
    assert_covers(dir, table);
    for (file, expected) in table {
        let result = OciTrustPolicyDocument::from_json(&read(&format!("{dir}/{file}")));
        match (expected, result) {
            (None, Ok(_)) => {}
            (Some(want), Err(e)) => assert_eq!(&e.to_string(), want, "{dir}/{file}"),
            (None, Err(e)) => panic!("{dir}/{file}: expected valid, got {e}"),
            (Some(want), Ok(_)) => panic!("{dir}/{file}: expected {want:?}, got a valid document"),
        }
    }
}

#[test]
fn e2e_oci_documents() {
    let m_country = mandatory(
        "x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA",
        " CN=e2e,O=Notary,L=Seattle,ST=WA",
        "C",
    );
    let m_org = mandatory(
        "x509.subject: CN=e2e,L=Seattle,ST=WA,C=US",
        " CN=e2e,L=Seattle,ST=WA,C=US",
        "O",
    );
    let m_state = mandatory(
        "x509.subject: CN=e2e,O=Notary,L=Seattle,C=US",
        " CN=e2e,O=Notary,L=Seattle,C=US",
        "ST",
    );
    let malformed_scope = format!(
        "registry scope \"localhost:5000\\\\test-repo\" is not valid, {SCOPE_INVALID_TAIL}"
    );
    let missing = "oci trust policy: trust policy statement \"e2e\" is either missing trust stores or trusted identities, both must be specified";
    let table: &[(&str, Option<&str>)] = &[
        ("trustpolicy.json", None),
        ("permissive_trustpolicy.json", None),
        ("audit_trustpolicy.json", None),
        ("skip_trustpolicy.json", None), // W8: `*` with skip is accepted, as the reference.
        ("override_strict_trustpolicy.json", None),
        ("override_permissive_trustpolicy.json", None),
        ("override_audit_trustpolicy.json", None),
        (
            "override_integrity_for_permissive_trustpolicy.json",
            Some(
                "oci trust policy: trust policy statement \"e2e\" has invalid signatureVerification: \"integrity\" verification can not be overridden in custom signature verification",
            ),
        ),
        ("timestamp_trustpolicy.json", None),
        ("timestamp_after_cert_expiry_trustpolicy.json", None),
        ("valid_trusted_identity_trustpolicy.json", None),
        ("invalid_trusted_identity_trustpolicy.json", None),
        ("multiple_trusted_identity_trustpolicy.json", None),
        (
            "malformed_trusted_identity_trustpolicy.json",
            Some(
                "oci trust policy: trust policy statement \"e2e\" has trusted identity \"x509.subject CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" missing separator",
            ),
        ),
        (
            "empty_trusted_identity_trustpolicy.json",
            Some("oci trust policy: trust policy statement \"e2e\" has an empty trusted identity"),
        ),
        ("unset_trusted_identity_trustpolicy.json", Some(missing)),
        (
            "missing_country_trusted_identity_trustpolicy.json",
            Some(&m_country),
        ),
        (
            "missing_organization_trusted_identity_trustpolicy.json",
            Some(&m_org),
        ),
        (
            "missing_state_trusted_identity_trustpolicy.json",
            Some(&m_state),
        ),
        (
            "overlapped_trusted_identity_trustpolicy.json",
            Some(
                "oci trust policy: trust policy statement \"e2e\" has overlapping x509 trustedIdentities, \"x509.subject: CN=e2e,O=Notary,ST=WA,C=US\" overlaps with \"x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\"",
            ),
        ),
        (
            "wildcard_plus_other_trusted_identity_trustpolicy.json",
            Some(
                "oci trust policy: trust policy statement \"e2e\" uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values",
            ),
        ),
        ("unset_trust_store_trustpolicy.json", Some(missing)),
        ("invalid_trust_store_trustpolicy.json", None),
        (
            "malformed_trust_store_trustpolicy.json",
            Some(
                "oci trust policy: trust policy statement \"e2e\" uses an unsupported trust store name \"\" in trust store value \"ca:\". Named store name needs to follow [a-zA-Z0-9_.-]+ format",
            ),
        ),
        (
            "wildcard_trust_store_trustpolicy.json",
            Some(
                "oci trust policy: trust policy statement \"e2e\" has malformed trust store value \"*\". The required format is <TrustStoreType>:<TrustStoreName>",
            ),
        ),
        ("multiple_trust_store_trustpolicy.json", None),
        ("overlapped_trust_store_trustpolicy.json", None),
        ("registry_scope_trustpolicy.json", None),
        ("multiple_registry_scope_trustpolicy.json", None),
        ("any_registry_scope_trust_policy.json", None),
        ("invalid_registry_scope_trustpolicy.json", None),
        (
            "malformed_registry_scope_trustpolicy.json",
            Some(&malformed_scope),
        ),
        (
            "empty_registry_scope_trustpolicy.json",
            Some(
                "oci trust policy statement \"e2e\" has zero registry scopes, it must specify registry scopes with at least one value",
            ),
        ),
        (
            "wildcard_plus_other_registry_scope_trustpolicy.json",
            Some(
                "oci trust policy statement \"e2e\" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values",
            ),
        ),
        (
            "overlapped_registry_scope_trustpolicy.json",
            Some(
                "registry scope \"localhost:5000/test-repo6\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement",
            ),
        ),
        (
            "multi_statements_with_the_same_registry_scope_trustpolicy.json",
            Some(
                "registry scope \"localhost:5000/test-repo8\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement",
            ),
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
            "multi_statements_with_wildcard_registry_scope_trustpolicy.json",
            None,
        ),
        ("quickstart_trustpolicy.json", None),
        ("generate_test_trustpolicy.json", None),
        // Checked separately below: malformed JSON, and a blob document.
        ("invalid_format_trustpolicy.json", Some("<malformed>")),
        (
            "blob_trust_policy.json",
            Some(
                "oci trust policy statement \"wabbit-networks-policy\" has zero registry scopes, it must specify registry scopes with at least one value",
            ),
        ),
    ];
    let (malformed, rest): (Vec<_>, Vec<_>) =
        table.iter().partition(|(_, e)| *e == Some("<malformed>"));
    assert_covers("06-trust-policies/e2e-oci", table);
    for (file, expected) in rest {
        let result =
            OciTrustPolicyDocument::from_json(&read(&format!("06-trust-policies/e2e-oci/{file}")));
        match (expected, result) {
            (None, Ok(_)) => {}
            (Some(want), Err(e)) => assert_eq!(&e.to_string(), want, "{file}"),
            (None, Err(e)) => panic!("{file}: expected valid, got {e}"),
            (Some(want), Ok(_)) => panic!("{file}: expected {want:?}, got a valid document"),
        }
    }
    for (file, _) in malformed {
        let data = read(&format!("06-trust-policies/e2e-oci/{file}"));
        assert!(
            matches!(
                OciTrustPolicyDocument::from_json(&data),
                Err(PolicyError::Malformed(_))
            ),
            "{file}"
        );
    }
}

/// Quoted MANIFEST fragments are part of the full reference texts we check.
#[test]
fn manifest_quotes_are_substrings_of_full_texts() {
    let e = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/e2e-oci/missing_country_trusted_identity_trustpolicy.json",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("distinguished name (DN) \" CN=e2e,O=Notary,L=Seattle,ST=WA\" has no mandatory RDN attribute for \"C\", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum"));
    let e = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/e2e-oci/override_integrity_for_permissive_trustpolicy.json",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains(
        "\"integrity\" verification can not be overridden in custom signature verification"
    ));
}

#[test]
fn e2e_effective_verification() {
    use ValidationAction::{Enforce as E, Log as L, Skip as S};
    let cases = [
        ("trustpolicy.json", [E, E, E, E, E]),
        ("permissive_trustpolicy.json", [E, E, L, L, L]),
        ("audit_trustpolicy.json", [E, L, L, L, L]),
        ("skip_trustpolicy.json", [S, S, S, S, S]),
        ("override_strict_trustpolicy.json", [E, L, L, L, L]),
        ("override_permissive_trustpolicy.json", [E, L, E, E, E]),
        ("override_audit_trustpolicy.json", [E, E, E, E, E]),
    ];
    for (file, want) in cases {
        let doc =
            OciTrustPolicyDocument::from_json(&read(&format!("06-trust-policies/e2e-oci/{file}")))
                .unwrap();
        let v = doc.statements()[0].verification();
        let got: Vec<_> = ValidationType::ALL.iter().map(|t| v.action(*t)).collect();
        assert_eq!(got, want, "{file}");
    }
    let skip =
        OciTrustPolicyDocument::from_json(&read("06-trust-policies/e2e-oci/skip_trustpolicy.json"))
            .unwrap();
    assert!(skip.statements()[0].verification().is_skip());
    let ts = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/e2e-oci/timestamp_after_cert_expiry_trustpolicy.json",
    ))
    .unwrap();
    assert_eq!(
        ts.statements()[0].verify_timestamp(),
        policy::VerifyTimestamp::AfterCertExpiry
    );
    assert!(ts.statements()[0].has_trust_store_type(notation_core::trust::TrustStoreType::Tsa));
}

#[test]
fn derived_oci_documents() {
    let p = "oci trust policy: trust policy statement \"test-statement-name\"";
    let sv = format!("{p} has invalid signatureVerification:");
    let owned: Vec<(&str, Option<String>)> = vec![
        ("valid-base.json", None),
        ("context-plugin-version-tests.json", None),
        ("context-timestamp-tests.json", None),
        ("invalid-version.json", Some("oci trust policy document uses unsupported version \"invalid\"".into())),
        ("empty-version.json", Some("oci trust policy document has empty version, version must be specified".into())),
        ("zero-statements.json", Some("oci trust policy document can not have zero trust policy statements".into())),
        ("missing-name.json", Some("oci trust policy: a trust policy statement is missing a name, every statement requires a name".into())),
        ("zero-registry-scopes.json", Some("oci trust policy statement \"test-statement-name\" has zero registry scopes, it must specify registry scopes with at least one value".into())),
        ("duplicate-registry-scope.json", Some("registry scope \"registry.acme-rockets.io/software/net-monitor\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement".into())),
        ("wildcard-scope-with-others.json", Some("oci trust policy statement \"test-statement-name\" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values".into())),
        ("invalid-level.json", Some(format!("{sv} invalid signature verification level \"invalid\""))),
        ("missing-level.json", Some(format!("{sv} signature verification level is empty or missing in the trust policy statement"))),
        ("invalid-verifyTimestamp.json", Some(format!("{sv} verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got \"invalid\""))),
        ("strict-no-truststores.json", Some(format!("{p} is either missing trust stores or trusted identities, both must be specified"))),
        ("strict-no-trusted-identities.json", Some(format!("{p} is either missing trust stores or trusted identities, both must be specified"))),
        ("skip-with-truststores.json", Some(format!("{p} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped"))),
        ("valid-skip-without-stores.json", None),
        ("empty-trusted-identity.json", Some(format!("{p} has an empty trusted identity"))),
        ("trusted-identity-missing-separator.json", Some(format!("{p} has trusted identity \"x509.subject\" missing separator"))),
        ("trusted-identity-empty-value.json", Some(format!("{p} has trusted identity \"x509.subject:\" without an identity value"))),
        ("truststore-missing-separator.json", Some(format!("{p} has malformed trust store value \"ca\". The required format is <TrustStoreType>:<TrustStoreName>"))),
        ("truststore-invalid-type.json", Some(format!("{p} uses an unsupported trust store type \"invalid\" in trust store value \"invalid:test-trust-store\""))),
        ("truststore-empty-name.json", Some(format!("{p} uses an unsupported trust store name \"\" in trust store value \"ca:\". Named store name needs to follow [a-zA-Z0-9_.-]+ format"))),
        ("truststore-invalid-name-chars.json", Some(format!("{p} uses an unsupported trust store name \"#@$@$\" in trust store value \"ca:#@$@$\". Named store name needs to follow [a-zA-Z0-9_.-]+ format"))),
        ("wildcard-identity-with-others.json", Some(format!("{p} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values"))),
        ("duplicate-statement-name.json", Some("multiple oci trust policy statements use the same name \"test-statement-name\", statement names must be unique".into())),
        // MANIFEST pins the prefix; the go-ldap detail is reproduced too.
        ("identity-invalid-dn.json", Some(format!("{p} has trusted identity \"x509.subject:,,,\" with invalid identity value: parsing distinguished name (DN) \",,,\" failed with err: incomplete type, value pair. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard"))),
        ("identity-duplicate-rdn.json", Some(format!("{p} has trusted identity \"x509.subject:C=US,C=IN\" with invalid identity value: distinguished name (DN) \"C=US,C=IN\" has duplicate RDN attribute for \"C\", DN can only have unique RDN attributes"))),
        ("identity-missing-mandatory-O.json", Some(format!("{p} has trusted identity \"x509.subject:C=US,ST=WA\" with invalid identity value: distinguished name (DN) \"C=US,ST=WA\" has no mandatory RDN attribute for \"O\", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum"))),
        ("identity-overlapping.json", Some(format!("{p} has overlapping x509 trustedIdentities, \"x509.subject:C=US,ST=WA,O=MyOrg\" overlaps with \"x509.subject:C=US,ST=WA,O=MyOrg,X=Y\""))),
        ("identity-multivalued-rdn.json", Some(format!("{p} has trusted identity \"x509.subject:C=US+ST=WA,O=MyOrg\" with invalid identity value: distinguished name (DN) \"C=US+ST=WA,O=MyOrg\" has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported"))),
        ("valid-identities-rfc4514-escapes.json", None),
        ("valid-identity-optional-custom-rdn.json", None),
        ("valid-identity-state-alias-S.json", None),
        ("valid-unknown-identity-prefix.json", None),
        ("override-integrity.json", Some(format!("{sv} \"integrity\" verification can not be overridden in custom signature verification"))),
        ("override-authenticity-skip.json", Some(format!("{sv} \"authenticity\" verification can not be skipped in custom signature verification"))),
        ("override-authenticTimestamp-skip.json", Some(format!("{sv} \"authenticTimestamp\" verification can not be skipped in custom signature verification"))),
        ("override-expiry-skip.json", Some(format!("{sv} \"expiry\" verification can not be skipped in custom signature verification"))),
        ("override-on-skip-level.json", Some(format!("{sv} signature verification level \"skip\" can't be used to customize signature verification"))),
        ("override-unknown-type.json", Some(format!("{sv} verification type \"invalid\" in custom signature verification is not supported, supported values are [\"integrity\" \"authenticity\" \"authenticTimestamp\" \"expiry\" \"revocation\"]"))),
        ("override-unknown-action.json", Some(format!("{sv} verification action \"invalid\" in custom signature verification is not supported, supported values are [\"enforce\" \"log\" \"skip\"]"))),
        ("valid-override-revocation-skip.json", None),
        ("valid-override-permissive-authenticity-log.json", None),
        ("invalid-registry-scope-tag.json", Some(format!("registry scope \"example.com/rep:tag\" is not valid, {SCOPE_INVALID_TAIL}"))),
        ("invalid-registry-scope-wildcard-suffix.json", Some(format!("registry scope \"example.com/*\" with wild card(s) is not valid, {SCOPE_INVALID_TAIL}"))),
        ("valid-composite-8-statements.json", None),
    ];
    let table: Vec<(&str, Option<&str>)> = owned.iter().map(|(f, e)| (*f, e.as_deref())).collect();
    check_oci("06-trust-policies/derived-oci", &table);

    // The MANIFEST's stated prefix for the implementation-specific DN error.
    let e = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/derived-oci/identity-invalid-dn.json",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("oci trust policy: trust policy statement \"test-statement-name\" has trusted identity \"x509.subject:,,,\" with invalid identity value: parsing distinguished name (DN) \",,,\" failed with err:"));
}

#[test]
fn derived_override_effective_levels() {
    use ValidationAction::{Enforce as E, Log as L, Skip as S};
    for (file, want) in [
        ("valid-override-revocation-skip.json", [E, E, E, E, S]),
        (
            "valid-override-permissive-authenticity-log.json",
            [E, L, L, L, L],
        ),
    ] {
        let doc = OciTrustPolicyDocument::from_json(&read(&format!(
            "06-trust-policies/derived-oci/{file}"
        )))
        .unwrap();
        let v = doc.statements()[0].verification();
        let got: Vec<_> = ValidationType::ALL.iter().map(|t| v.action(*t)).collect();
        assert_eq!(got, want, "{file}");
        assert!(v.is_customized());
    }
    // Unknown identity prefixes are kept for plugins (J8).
    let doc = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/derived-oci/valid-unknown-identity-prefix.json",
    ))
    .unwrap();
    assert!(matches!(
        &doc.statements()[0].trusted_identities()[0],
        TrustedIdentity::Other { prefix, value, .. } if prefix == "unknown" && value == "my-trusted-identity"
    ));
    // RFC 4514 escapes and leading spaces.
    let doc = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/derived-oci/valid-identities-rfc4514-escapes.json",
    ))
    .unwrap();
    let orgs: Vec<String> = doc.statements()[0]
        .trusted_identities()
        .iter()
        .map(|i| match i {
            TrustedIdentity::X509Subject { dn, .. } => dn.get("O").unwrap().into_owned(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        orgs,
        ["MyOrg", "My.  Org", r#"My "special" Org , ; \ others"#]
    );
}

#[test]
fn oci_policy_selection() {
    let doc = |f: &str| {
        OciTrustPolicyDocument::from_json(&read(&format!("06-trust-policies/e2e-oci/{f}"))).unwrap()
    };
    let digest = "sha256:a0fc570a245b09ed752c42d600ee3bb5b4f77bbd70d8898780b7ab43454530eb";

    let d = doc("registry_scope_trustpolicy.json");
    assert_eq!(
        d.applicable_policy(&format!("localhost:5000/test-repo@{digest}"))
            .unwrap()
            .name(),
        "e2e"
    );

    let d = doc("invalid_registry_scope_trustpolicy.json");
    let reference = format!("localhost:5000/test-repo@{digest}");
    let err = d.applicable_policy(&reference).unwrap_err();
    assert_eq!(
        err,
        PolicySelectionError::NoApplicableOciPolicy {
            reference: reference.clone()
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "artifact \"{reference}\" has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy"
        )
    );

    // Exact match beats `*`.
    let d = doc("multi_statements_with_wildcard_registry_scope_trustpolicy.json");
    assert_eq!(
        d.applicable_policy(&format!("localhost:5000/test-repo9@{digest}"))
            .unwrap()
            .name(),
        "e2e"
    );
    assert_eq!(
        d.applicable_policy(&format!("localhost:5000/test-repo10@{digest}"))
            .unwrap()
            .name(),
        "e2e2"
    );
    // No prefix matching, no reference expansion.
    assert_eq!(
        d.applicable_policy(&format!("localhost:5000/test-repo9/sub@{digest}"))
            .unwrap()
            .name(),
        "e2e2"
    );

    let d = doc("multiple_registry_scope_trustpolicy.json");
    for repo in ["test-repo2", "test-repo3"] {
        assert_eq!(
            d.applicable_policy(&format!("localhost:5000/{repo}@{digest}"))
                .unwrap()
                .name(),
            "e2e"
        );
    }
    assert!(
        d.applicable_policy(&format!("localhost:5000/test-repo4@{digest}"))
            .is_err()
    );

    // notation-go TestApplicableTrustPolicy, on the composite document.
    let c = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/derived-oci/valid-composite-8-statements.json",
    ))
    .unwrap();
    assert_eq!(
        c.applicable_policy("registry.wabbit-networks.io/software/unsigned/net-utils@sha256:hash")
            .unwrap()
            .name(),
        "test-statement-name-2"
    );
    assert_eq!(
        c.applicable_policy("some.registry.that/has.no.policy@sha256:hash")
            .unwrap()
            .name(),
        "test-statement-name-4"
    );
    let base =
        OciTrustPolicyDocument::from_json(&read("06-trust-policies/derived-oci/valid-base.json"))
            .unwrap();
    assert_eq!(
        base.applicable_policy("non.existing.scope/repo@sha256:hash")
            .unwrap_err()
            .to_string(),
        "artifact \"non.existing.scope/repo@sha256:hash\" has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy"
    );
}

/// TestInvalidArtifactUriValidations: these fail selection even when a `*`
/// statement exists.
#[test]
fn invalid_artifact_references() {
    let any = OciTrustPolicyDocument::from_json(&read(
        "06-trust-policies/e2e-oci/any_registry_scope_trust_policy.json",
    ))
    .unwrap();
    let base =
        OciTrustPolicyDocument::from_json(&read("06-trust-policies/derived-oci/valid-base.json"))
            .unwrap();
    for reference in [
        "",
        "invaliduri",
        "domain.com/repository@sha256:",
        "domain.com/repository@sha256",
        "domain.com/repository@",
        "domain.com/repository",
        "domain.com/repositorysha256:digest",
        "domain.com/repositorysha256digest",
        "repository@sha256:digest",
    ] {
        for doc in [&any, &base] {
            assert!(
                doc.applicable_policy(reference).is_err(),
                "{reference:?} must not select a policy"
            );
        }
    }
    assert_eq!(
        any.applicable_policy("invaliduri").unwrap_err().to_string(),
        "artifact URI \"invaliduri\" could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest"
    );
    assert_eq!(
        any.applicable_policy("repository@sha256:digest")
            .unwrap_err()
            .to_string(),
        format!("registry scope \"repository\" is not valid, {SCOPE_INVALID_TAIL}")
    );
    assert!(
        any.applicable_policy("domain.com/repository@sha256:abc")
            .is_ok()
    );
}

#[test]
fn registry_scope_vectors_on_valid_base() {
    let base = String::from_utf8(read("06-trust-policies/derived-oci/valid-base.json")).unwrap();
    let with_scope = |scope: &str| {
        let json = base.replace(
            "\"registry.acme-rockets.io/software/net-monitor\"",
            &serde_json::to_string(scope).unwrap(),
        );
        OciTrustPolicyDocument::from_json(json.as_bytes())
    };
    for scope in [
        "*",
        "example.com/rep",
        "example.com:8080/rep/rep2",
        "example.com/rep/subrep/subsub",
        "10.10.10.10:8080/rep/rep2",
        "domain/rep",
        "domain:1234/rep",
    ] {
        assert!(with_scope(scope).is_ok(), "{scope}");
    }
    for scope in [
        "",
        "1:1",
        "a,b",
        "abcd",
        "1111",
        "1,2",
        "example.com/rep:tag",
        "example.com/rep/subrep/sub:latest",
        "example.com",
        "rep/rep2:latest",
        "repository",
        "10.10.10.10",
        "10.10.10.10:8080/rep/rep2:latest",
    ] {
        assert_eq!(
            with_scope(scope).unwrap_err().to_string(),
            format!("registry scope \"{scope}\" is not valid, {SCOPE_INVALID_TAIL}")
        );
    }
    for scope in ["example.com/*", "*/", "example*/", "ex*test"] {
        assert_eq!(
            with_scope(scope).unwrap_err().to_string(),
            format!(
                "registry scope \"{scope}\" with wild card(s) is not valid, {SCOPE_INVALID_TAIL}"
            )
        );
    }
}

#[test]
fn blob_documents() {
    let dir = "06-trust-policies/derived-blob";
    let table: &[(&str, Option<&str>)] = &[
        ("valid-base.json", None),
        (
            "empty-version.json",
            Some("blob trust policy document has empty version, version must be specified"),
        ),
        (
            "invalid-version.json",
            Some("blob trust policy document uses unsupported version \"invalid\""),
        ),
        (
            "zero-statements.json",
            Some("blob trust policy document can not have zero trust policy statements"),
        ),
        (
            "missing-name.json",
            Some(
                "blob trust policy: a trust policy statement is missing a name, every statement requires a name",
            ),
        ),
        (
            "two-global-policies.json",
            Some(
                "multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy",
            ),
        ),
        (
            "duplicate-statement-name.json",
            Some(
                "multiple blob trust policy statements use the same name \"test-statement-name\", statement names must be unique",
            ),
        ),
        ("valid-three-statements-one-global.json", None),
        // W7: the spec forbids it; the reference's check never fires. We reject.
        (
            "global-policy-with-skip.json",
            Some("global blob trust policy statement cannot have verification level set to skip"),
        ),
    ];
    assert_covers(dir, table);
    for (file, expected) in table {
        let result = BlobTrustPolicyDocument::from_json(&read(&format!("{dir}/{file}")));
        match (expected, result) {
            (None, Ok(_)) => {}
            (Some(want), Err(e)) => assert_eq!(&e.to_string(), want, "{file}"),
            (None, Err(e)) => panic!("{file}: expected valid, got {e}"),
            (Some(want), Ok(_)) => panic!("{file}: expected {want:?}, got a valid document"),
        }
    }
    assert!(matches!(
        BlobTrustPolicyDocument::from_json(&read(&format!("{dir}/global-policy-with-skip.json"))),
        Err(PolicyError::GlobalPolicySkip { statement }) if statement == "test-statement-name"
    ));

    let doc = BlobTrustPolicyDocument::from_json(&read(&format!(
        "{dir}/valid-three-statements-one-global.json"
    )))
    .unwrap();
    assert_eq!(
        doc.policy(Some("")).unwrap_err().to_string(),
        "policy name cannot be empty"
    );
    assert_eq!(
        doc.policy(Some("  ")).unwrap_err(),
        PolicySelectionError::EmptyPolicyName
    );
    assert_eq!(
        doc.policy(Some("blaah")).unwrap_err().to_string(),
        "no applicable blob trust policy with name \"blaah\""
    );
    assert_eq!(doc.policy(None).unwrap().name(), "test-statement-name-1");
    assert_eq!(
        doc.policy(Some("test-statement-name-2")).unwrap().name(),
        "test-statement-name-2"
    );
    assert_eq!(
        doc.policy(Some("test-statement-name-1")).unwrap().name(),
        "test-statement-name-1"
    );

    let no_global =
        BlobTrustPolicyDocument::from_json(&read(&format!("{dir}/valid-base.json"))).unwrap();
    assert_eq!(
        no_global.policy(None).unwrap_err().to_string(),
        "no global blob trust policy"
    );
}

#[test]
fn e2e_blob_documents() {
    assert_covers(
        "06-trust-policies/e2e-blob",
        &[("trustpolicy.blob.json", None)],
    );
    let doc = BlobTrustPolicyDocument::from_json(&read(
        "06-trust-policies/e2e-blob/trustpolicy.blob.json",
    ))
    .unwrap();
    assert_eq!(
        doc.policy(None).unwrap().name(),
        "test-blob-global-statement"
    );
    assert_eq!(
        doc.policy(Some("test-blob-statement")).unwrap().name(),
        "test-blob-statement"
    );
    let ts = doc.policy(Some("test-blob-with-timestamping")).unwrap();
    assert_eq!(ts.verify_timestamp(), policy::VerifyTimestamp::Always);
    assert_eq!(
        ts.trust_stores()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["ca:e2e", "tsa:e2e"]
    );

    // The e2e-oci directory's blob document is a valid blob policy.
    let doc = BlobTrustPolicyDocument::from_json(&read(
        "06-trust-policies/e2e-oci/blob_trust_policy.json",
    ))
    .unwrap();
    assert_eq!(
        doc.policy(None).unwrap().name(),
        "global-verification-policy"
    );
    assert!(
        doc.policy(Some("skip-verification-policy"))
            .unwrap()
            .verification()
            .is_skip()
    );
}

#[test]
fn loading_from_a_configuration_directory() {
    let link = "To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path();

    let err = policy::load_oci_policy(cfg).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("trust policy is not present. {link}")
    );
    let err = policy::load_blob_policy(cfg).unwrap_err();
    assert!(matches!(err, PolicyLoadError::NotPresent { .. }));
    assert_eq!(
        err.to_string(),
        format!("trust policy is not present. {link}")
    );

    // Legacy name as fallback.
    fs::write(
        cfg.join("trustpolicy.json"),
        read("06-trust-policies/e2e-oci/trustpolicy.json"),
    )
    .unwrap();
    let file = policy::PolicyFile::read_oci(cfg).unwrap();
    assert!(file.is_legacy());
    assert_eq!(
        policy::load_oci_policy(cfg).unwrap().statements()[0].name(),
        "e2e"
    );

    // The new name wins over the legacy one.
    fs::write(
        cfg.join("trustpolicy.oci.json"),
        read("06-trust-policies/e2e-oci/audit_trustpolicy.json"),
    )
    .unwrap();
    let file = policy::PolicyFile::read_oci(cfg).unwrap();
    assert!(!file.is_legacy());
    assert_eq!(file.path(), cfg.join("trustpolicy.oci.json"));
    assert_eq!(
        policy::load_oci_policy(cfg).unwrap().statements()[0]
            .verification()
            .level(),
        policy::VerificationLevel::Audit
    );

    // Malformed JSON.
    fs::write(
        cfg.join("trustpolicy.oci.json"),
        read("06-trust-policies/e2e-oci/invalid_format_trustpolicy.json"),
    )
    .unwrap();
    let err = policy::load_oci_policy(cfg).unwrap_err();
    assert!(matches!(err, PolicyLoadError::Malformed { .. }));
    assert_eq!(err.to_string(), format!("malformed trust policy. {link}"));
    // `policy show` still gets the bytes.
    assert_eq!(
        policy::PolicyFile::read_oci(cfg).unwrap().data(),
        read("06-trust-policies/e2e-oci/invalid_format_trustpolicy.json")
    );

    // An invalid document reports the validation error.
    fs::write(
        cfg.join("trustpolicy.oci.json"),
        read("06-trust-policies/derived-oci/invalid-version.json"),
    )
    .unwrap();
    assert_eq!(
        policy::load_oci_policy(cfg).unwrap_err().to_string(),
        "oci trust policy document uses unsupported version \"invalid\""
    );

    // A directory where the file should be.
    fs::remove_file(cfg.join("trustpolicy.oci.json")).unwrap();
    fs::create_dir(cfg.join("trustpolicy.oci.json")).unwrap();
    let err = policy::load_oci_policy(cfg).unwrap_err();
    assert!(matches!(err, PolicyLoadError::NotRegularFile { .. }));
    assert_eq!(
        err.to_string(),
        format!("trust policy is not a regular file (symlinks are not supported). {link}")
    );

    // Too large.
    fs::write(
        cfg.join("trustpolicy.blob.json"),
        vec![b' '; policy::MAX_POLICY_SIZE + 1],
    )
    .unwrap();
    assert!(matches!(
        policy::load_blob_policy(cfg).unwrap_err(),
        PolicyLoadError::Malformed { .. }
    ));

    fs::write(
        cfg.join("trustpolicy.blob.json"),
        read("06-trust-policies/e2e-blob/trustpolicy.blob.json"),
    )
    .unwrap();
    assert_eq!(policy::load_blob_policy(cfg).unwrap().statements().len(), 3);
}

#[cfg(unix)]
#[test]
fn symlinked_policy_files_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path();
    let real = cfg.join("real.json");
    fs::write(&real, read("06-trust-policies/e2e-oci/trustpolicy.json")).unwrap();
    symlink(&real, cfg.join("trustpolicy.oci.json")).unwrap();
    // Even with a valid legacy file present, the symlink is an error (only
    // absence falls back).
    fs::write(
        cfg.join("trustpolicy.json"),
        read("06-trust-policies/e2e-oci/trustpolicy.json"),
    )
    .unwrap();
    assert!(matches!(
        policy::load_oci_policy(cfg).unwrap_err(),
        PolicyLoadError::NotRegularFile { .. }
    ));
    // Dangling symlink.
    symlink(cfg.join("missing.json"), cfg.join("trustpolicy.blob.json")).unwrap();
    assert!(matches!(
        policy::load_blob_policy(cfg).unwrap_err(),
        PolicyLoadError::NotRegularFile { .. }
    ));
}

// ---------------------------------------------------------------------------
// Trusted identities (L)
// ---------------------------------------------------------------------------

fn cert(rel: &str) -> Certificate {
    let mut certs = Certificate::parse_many(&read(rel)).unwrap();
    assert_eq!(certs.len(), 1, "{rel}");
    certs.remove(0)
}

fn identities(list: &[&str]) -> Vec<TrustedIdentity> {
    list.iter()
        .map(|i| TrustedIdentity::parse(i).unwrap())
        .collect()
}

/// TestVerifyX509TrustedIdentities against `signing-cert.pem`.
#[test]
fn trusted_identity_matching() {
    let leaf = cert("07-certificates/trusted-identity/signing-cert.pem");
    assert_eq!(
        leaf.subject().to_string(),
        "CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US"
    );
    let name = "test-statement-name";
    let ok = |list: &[&str]| verify_trusted_identities(name, &identities(list), &leaf);

    assert_eq!(ok(&["x509.subject:C=US,O=SomeOrg,ST=WA"]), Ok(()));
    assert_eq!(
        ok(&[
            "x509.subject:C=US,O=SomeOrg,ST=WA",
            "nonX509Prefix:my-custom-identity"
        ]),
        Ok(())
    );
    assert_eq!(
        ok(&[
            "x509.subject:C=US,O=SomeOrg,ST=WA",
            "x509.subject:C=IND,O=SomeOrg,ST=TS"
        ]),
        Ok(())
    );
    assert_eq!(ok(&["*"]), Ok(()));
    assert_eq!(
        ok(&["x509.subject: CN=SomeCN, OU=SomeOU, O=SomeOrg, L=Seattle, ST=WA, C=US"]),
        Ok(())
    );

    assert_eq!(
        ok(&["nonX509Prefix:my-custom-identity"])
            .unwrap_err()
            .to_string(),
        "no x509 trusted identities are configured in the trust policy \"test-statement-name\""
    );
    assert_eq!(
        ok(&["x509.subject:C=IND,O=SomeOrg,ST=TS"])
            .unwrap_err()
            .to_string(),
        "signing certificate from the digital signature does not match the X.509 trusted identities [map[\"C\":\"IND\" \"O\":\"SomeOrg\" \"ST\":\"TS\"]] defined in the trust policy \"test-statement-name\""
    );
    assert!(matches!(
        ok(&[
            "x509.subject:C=IND,O=SomeOrg,ST=TS",
            "nonX509Prefix:my-custom-identity"
        ]),
        Err(TrustedIdentityError::NoMatch { .. })
    ));
    assert_eq!(
        ok(&[
            "x509.subject:C=IND,O=SomeOrg,ST=TS",
            "x509.subject:C=LOL,O=LOL,ST=LOL"
        ])
        .unwrap_err()
        .to_string(),
        "signing certificate from the digital signature does not match the X.509 trusted identities [map[\"C\":\"IND\" \"O\":\"SomeOrg\" \"ST\":\"TS\"] map[\"C\":\"LOL\" \"O\":\"LOL\" \"ST\":\"LOL\"]] defined in the trust policy \"test-statement-name\""
    );
    // Case-sensitive values, and an attribute the leaf lacks.
    assert!(ok(&["x509.subject:C=us,O=SomeOrg,ST=WA"]).is_err());
    assert!(ok(&["x509.subject:C=US,O=SomeOrg,ST=WA,DC=x"]).is_err());
    // `=#` identities cannot even be constructed.
    assert!(TrustedIdentity::parse("x509.subject:C=bad=#identity,O=LOL,ST=LOL").is_err());
}

#[test]
fn leaf_subject_with_number_sign_never_matches() {
    let bad = cert("07-certificates/trusted-identity/bad-cert.pem");
    let subject = bad.subject().to_string();
    assert!(subject.contains("=#"), "{subject}");
    let err = verify_trusted_identities(
        "test-statement-name",
        &identities(&[
            "x509.subject:C=US,O=SomeOrg,ST=WA",
            "nonX509Prefix:my-custom-identity",
        ]),
        &bad,
    )
    .unwrap_err();
    assert!(matches!(&err, TrustedIdentityError::LeafSubject { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "error while parsing the certificate subject from the digital signature. error : \"unsupported distinguished name (DN) \\\"{subject}\\\": notation does not support x509.subject identities containing \\\"=#\\\"\""
        )
    );
    // `*` still accepts it (no subject parsing then).
    assert_eq!(
        verify_trusted_identities("s", &identities(&["*"]), &bad),
        Ok(())
    );
}

/// DN vectors of notation-go `internal/pkix` (MANIFEST §06 "DN parsing").
#[test]
fn dn_parsing_vectors() {
    assert!(ParsedDn::parse("C=US,ST=California,O=Notary Project").is_ok());
    assert!(ParsedDn::parse("C=US,S=California,O=Notary Project").is_ok());
    for invalid in [
        "C=US,ST=California",
        "C=US,O=Notary Project",
        "invalid",
        "C=US,ST=California,O=Notary Project,S=California",
        "C=US,ST=California,O=Notary Project=#",
        "OU=Sales+CN=J.  Smith,DC=example,DC=net",
    ] {
        assert!(ParsedDn::parse(invalid).is_err(), "{invalid}");
    }
    let policy = ParsedDn::parse("C=US,ST=WA,O=Org").unwrap();
    assert!(policy.is_subset_of(&ParsedDn::parse("C=US,ST=WA,O=Org,L=Seattle").unwrap()));
    assert!(
        !ParsedDn::parse("C=US,ST=WA,O=Other")
            .unwrap()
            .is_subset_of(&ParsedDn::parse("C=US,ST=WA,O=Org,L=Seattle").unwrap())
    );
    assert!(
        !ParsedDn::parse("C=US,ST=WA,O=Org,CN=x")
            .unwrap()
            .is_subset_of(&ParsedDn::parse("C=US,ST=WA,O=Org,L=Seattle").unwrap())
    );
}
