use super::*;
use ValidationAction::{Enforce as E, Log as L, Skip as S};
use ValidationType::*;

/// The M table, row by row, in ValidationType::ALL order.
#[test]
fn level_matrix_truth_table() {
    let table = [
        (VerificationLevel::Strict, [E, E, E, E, E]),
        (VerificationLevel::Permissive, [E, E, L, L, L]),
        (VerificationLevel::Audit, [E, L, L, L, L]),
        (VerificationLevel::Skip, [S, S, S, S, S]),
    ];
    for (level, row) in table {
        for (t, want) in ValidationType::ALL.into_iter().zip(row) {
            assert_eq!(level.default_action(t), want, "{level} {t}");
            assert_eq!(
                EffectiveVerification::new(level).action(t),
                want,
                "{level} {t}"
            );
        }
    }
}

/// MANIFEST "Effective enforcement for overrides" (TestCustomVerificationLevel).
#[test]
fn override_truth_table() {
    use VerificationLevel::*;
    let cases: &[(
        VerificationLevel,
        (ValidationType, ValidationAction),
        [ValidationAction; 5],
    )] = &[
        (Strict, (Authenticity, L), [E, L, E, E, E]),
        (Permissive, (Authenticity, L), [E, L, L, L, L]),
        (Audit, (Authenticity, L), [E, L, L, L, L]),
        (Strict, (Expiry, L), [E, E, E, L, E]),
        (Strict, (Revocation, L), [E, E, E, E, L]),
        (Strict, (Revocation, S), [E, E, E, E, S]),
        (Permissive, (Revocation, S), [E, E, L, L, S]),
        (Audit, (Revocation, S), [E, L, L, L, S]),
        (Strict, (AuthenticTimestamp, L), [E, E, L, E, E]),
        (Audit, (Authenticity, E), [E, E, L, L, L]),
    ];
    for &(level, o, want) in cases {
        let eff = EffectiveVerification::with_overrides(level, &[o]).unwrap();
        let got: Vec<_> = ValidationType::ALL.iter().map(|t| eff.action(*t)).collect();
        assert_eq!(got, want, "{level} {o:?}");
        assert!(eff.is_customized());
    }
}

#[test]
fn override_rules() {
    use VerificationLevel::*;
    for level in [Strict, Permissive, Audit] {
        for action in ValidationAction::ALL {
            assert_eq!(
                EffectiveVerification::with_overrides(level, &[(Integrity, action)]),
                Err(VerificationLevelError::IntegrityOverride)
            );
        }
        for t in [Authenticity, AuthenticTimestamp, Expiry] {
            assert_eq!(
                EffectiveVerification::with_overrides(level, &[(t, S)]),
                Err(VerificationLevelError::SkipNotAllowed { validation: t })
            );
        }
    }
    assert_eq!(
        EffectiveVerification::with_overrides(Skip, &[(Revocation, L)]),
        Err(VerificationLevelError::SkipCannotBeCustomized)
    );
    assert!(
        EffectiveVerification::with_overrides(Skip, &[])
            .unwrap()
            .is_skip()
    );
}

#[test]
fn registry_scope_grammar() {
    for ok in [
        "example.com/rep",
        "example.com:8080/rep/rep2",
        "example.com/rep/subrep/subsub",
        "10.10.10.10:8080/rep/rep2",
        "domain/rep",
        "domain:1234/rep",
        "local/myocilayout",
        "a-b.c/x__y/z---w/v.w_u",
    ] {
        assert_eq!(validate_registry_scope(ok), Ok(()), "{ok}");
    }
    for bad in [
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
        // K2 quotes `local/myOCILayout` as an example, but the reference's
        // repository grammar is lowercase only and rejects it.
        "local/myOCILayout",
        "-a.com/x",
        "a-.com/x",
        "a..com/x",
        "a.com:/x",
        "a.com/x/",
        "a.com//x",
        "a.com/x___y",
        "a.com/x._y",
        "a.com/_x",
        "a.com/x-",
        "a.com/Rep",
        "a.com:80:90/x",
    ] {
        assert_eq!(
            validate_registry_scope(bad),
            Err(RegistryScopeError::Invalid {
                scope: bad.to_owned()
            }),
            "{bad}"
        );
    }
    for wild in ["example.com/*", "*/", "example*/", "ex*test"] {
        assert_eq!(
            validate_registry_scope(wild),
            Err(RegistryScopeError::Wildcard {
                scope: wild.to_owned()
            })
        );
    }
}

#[test]
fn digests() {
    assert!(is_digest("sha256:abc"));
    assert!(is_digest("sha256:hash"));
    assert!(is_digest(
        "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"
    ));
    for bad in [
        "",
        "sha256",
        "sha256:",
        ":abc",
        "SHA256:abc",
        "sha256:a/b",
        "sha256:abc:def",
    ] {
        assert!(!is_digest(bad), "{bad}");
    }
}

#[test]
fn trust_store_refs() {
    let r = TrustStoreRef::parse("signingAuthority:a.b-c_d").unwrap();
    assert_eq!(r.store_type(), TrustStoreType::SigningAuthority);
    assert_eq!(r.name(), "a.b-c_d");
    assert_eq!(r.to_string(), "signingAuthority:a.b-c_d");
    assert!(matches!(
        TrustStoreRef::parse("ca"),
        Err(TrustStoreRefError::MissingSeparator { .. })
    ));
    assert!(matches!(
        TrustStoreRef::parse("CA:x"),
        Err(TrustStoreRefError::UnsupportedType { .. })
    ));
    assert!(matches!(
        TrustStoreRef::parse("ca:a:b"),
        Err(TrustStoreRefError::InvalidName { .. })
    ));
    assert!(matches!(
        TrustStoreRef::new(TrustStoreType::Tsa, ""),
        Err(TrustStoreRefError::InvalidName { .. })
    ));
}

#[test]
fn trusted_identity_parsing() {
    assert_eq!(TrustedIdentity::parse("*").unwrap(), TrustedIdentity::Any);
    assert!(matches!(
        TrustedIdentity::parse(" *"),
        Err(TrustedIdentityParseError::MissingSeparator { .. })
    ));
    let other = TrustedIdentity::parse("X509.subject:C=US").unwrap();
    assert!(
        matches!(&other, TrustedIdentity::Other { prefix, value, .. } if prefix == "X509.subject" && value == "C=US")
    );
    let x = TrustedIdentity::parse("x509.subject: C=US, ST=WA, O=x:y").unwrap();
    assert_eq!(x.as_str(), "x509.subject: C=US, ST=WA, O=x:y");
    match x {
        TrustedIdentity::X509Subject { dn, .. } => assert_eq!(dn.get("O").as_deref(), Some("x:y")),
        _ => panic!("not x509"),
    }
    // An escape that decodes to a byte which is not UTF-8 is a valid DN, as
    // go-ldap keeps the byte (it matches no certificate subject).
    match TrustedIdentity::parse(r"x509.subject:C=US,ST=WA,O=\ff").unwrap() {
        TrustedIdentity::X509Subject { dn, .. } => assert_eq!(dn.get_bytes("O"), Some(&[0xff][..])),
        _ => panic!("not x509"),
    }
    assert!(matches!(
        TrustedIdentity::parse("x509.subject:C=bad=#identity,O=LOL,ST=LOL"),
        Err(TrustedIdentityParseError::InvalidDn {
            error: DnError::NumberSignValue { .. },
            ..
        })
    ));
}

fn doc(statement: &str) -> String {
    format!(r#"{{"version":"1.0","trustPolicies":[{statement}]}}"#)
}

const BASE: &str = r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}"#;

#[test]
fn go_json_semantics() {
    // Case-insensitive keys, unknown keys ignored.
    let d = OciTrustPolicyDocument::from_json(
            br#"{"VERSION":"1.0","trustpolicies":[{"Name":"s","RegistryScopes":["a.io/r"],"signatureverification":{"Level":"audit"},"trustStores":["ca:x"],"TrustedIdentities":["*"],"extra":{"deep":[1,2,{}]}}],"$schema":"x"}"#,
        )
        .unwrap();
    assert_eq!(
        d.statements()[0].verification().level(),
        VerificationLevel::Audit
    );
    // null is absent.
    let e =
        OciTrustPolicyDocument::from_json(br#"{"version":null,"trustPolicies":null}"#).unwrap_err();
    assert_eq!(
        e,
        PolicyError::EmptyVersion {
            kind: PolicyKind::Oci
        }
    );
    let e = OciTrustPolicyDocument::from_json(b"null").unwrap_err();
    assert_eq!(
        e,
        PolicyError::EmptyVersion {
            kind: PolicyKind::Oci
        }
    );
    // A null list item is an empty string.
    let e = OciTrustPolicyDocument::from_json(
            doc(r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":[null]}"#).as_bytes(),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "oci trust policy: trust policy statement \"s\" has an empty trusted identity"
    );
    // A null statement is an empty statement.
    let e = OciTrustPolicyDocument::from_json(doc("null").as_bytes()).unwrap_err();
    assert!(matches!(
        e,
        PolicyError::InvalidStatement {
            error: StatementError::MissingName,
            ..
        }
    ));
}

#[test]
fn hostile_json() {
    let malformed = |data: &[u8]| match OciTrustPolicyDocument::from_json(data) {
        Err(PolicyError::Malformed(e)) => e,
        other => panic!("expected malformed, got {other:?}"),
    };
    assert!(matches!(malformed(b""), PolicyJsonError::Syntax { .. }));
    assert!(matches!(malformed(b"{"), PolicyJsonError::Syntax { .. }));
    assert!(matches!(
        malformed(b"[]"),
        PolicyJsonError::WrongType { .. }
    ));
    assert!(matches!(
        malformed(b"\xef\xbb\xbf{}"),
        PolicyJsonError::Syntax { .. }
    ));
    assert!(matches!(
        malformed(br#"{"version":"1.0"} {}"#),
        PolicyJsonError::Syntax { .. }
    ));
    assert!(matches!(
        malformed(br#"{"version":1}"#),
        PolicyJsonError::WrongType { .. }
    ));
    assert!(matches!(
        malformed(br#"{"version":"1.0","trustPolicies":{}}"#),
        PolicyJsonError::WrongType { .. }
    ));
    assert!(matches!(
        malformed(br#"{"version":"1.0","version":"1.0"}"#),
        PolicyJsonError::DuplicateKey { .. }
    ));
    assert!(matches!(
        malformed(br#"{"version":"1.0","Version":"1.0"}"#),
        PolicyJsonError::DuplicateKey { .. }
    ));
    let dup_override = doc(
        r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"strict","override":{"expiry":"log","expiry":"enforce"}},"trustStores":["ca:x"],"trustedIdentities":["*"]}"#,
    );
    assert!(matches!(
        malformed(dup_override.as_bytes()),
        PolicyJsonError::DuplicateKey { .. }
    ));
    let wrong = doc(r#"{"name":"s","registryScopes":"a.io/r"}"#);
    assert_eq!(
        malformed(wrong.as_bytes()).to_string(),
        "cannot unmarshal string into trustPolicies[0].registryScopes of type []string"
    );
    let wrong = doc(r#"{"name":"s","trustStores":[1]}"#);
    assert!(matches!(
        malformed(wrong.as_bytes()),
        PolicyJsonError::WrongType { .. }
    ));
    let wrong = doc(r#"{"name":"s","signatureVerification":{"override":{"expiry":true}}}"#);
    assert!(matches!(
        malformed(wrong.as_bytes()),
        PolicyJsonError::WrongType { .. }
    ));
    let wrong = br#"{"version":"1.0","trustPolicies":[{"name":"s","globalPolicy":"yes"}]}"#;
    assert!(matches!(
        BlobTrustPolicyDocument::from_json(wrong),
        Err(PolicyError::Malformed(PolicyJsonError::WrongType { .. }))
    ));
    // Deep nesting: an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        malformed(deep.as_bytes()),
        PolicyJsonError::Syntax { .. }
    ));
    let deep = format!(
        r#"{{"x":{}{}}}"#,
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(matches!(
        malformed(deep.as_bytes()),
        PolicyJsonError::Syntax { .. }
    ));
    // Size bound.
    let huge = format!(r#"{{"version":"{}"}}"#, "x".repeat(MAX_POLICY_SIZE));
    assert!(matches!(
        malformed(huge.as_bytes()),
        PolicyJsonError::TooLarge { .. }
    ));
    // A long but bounded string is an ordinary value.
    let long = format!(r#"{{"version":"{}"}}"#, "x".repeat(100_000));
    assert!(matches!(
        OciTrustPolicyDocument::from_json(long.as_bytes()),
        Err(PolicyError::UnsupportedVersion { .. })
    ));
    // Work budget on the pairwise overlap check.
    let many: Vec<String> = (0..=MAX_TRUSTED_IDENTITIES)
        .map(|i| format!("\"x509.subject:C=US,ST=WA,O=o{i}\""))
        .collect();
    let many = doc(&format!(
        r#"{{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:x"],"trustedIdentities":[{}]}}"#,
        many.join(",")
    ));
    assert!(matches!(
        OciTrustPolicyDocument::from_json(many.as_bytes()),
        Err(PolicyError::InvalidStatement {
            error: StatementError::TooManyTrustedIdentities { .. },
            ..
        })
    ));
    // A string that is not UTF-8 reads as U+FFFD, as Go reads it: here an
    // unsupported version, not a syntax error.
    assert!(matches!(
        OciTrustPolicyDocument::from_json(b"{\"version\":\"\xff\"}"),
        Err(PolicyError::UnsupportedVersion { ref version, .. }) if version == "\u{fffd}"
    ));
    assert!(OciTrustPolicyDocument::from_json(doc(BASE).as_bytes()).is_ok());
}

#[test]
fn round_trip_serialization() {
    let input = doc(
        r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"permissive","override":{"revocation":"skip","authenticity":"log"},"verifyTimestamp":"afterCertExpiry"},"trustStores":["ca:x","tsa:y"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Org"]}"#,
    );
    let d = OciTrustPolicyDocument::from_json(input.as_bytes()).unwrap();
    let out = d.to_json_pretty();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.starts_with("{\n  \"version\": \"1.0\",\n  \"trustPolicies\": [\n    {\n      \"name\": \"s\",\n      \"signatureVerification\""));
    assert!(text.contains(
        r#""override": {
          "authenticity": "log",
          "revocation": "skip"
        }"#
    ));
    assert_eq!(OciTrustPolicyDocument::from_json(&out).unwrap(), d);

    #[allow(deprecated)]
    let b = BlobTrustPolicyDocument::init("p", &["ca:x"], &["*"], true).unwrap();
    let text = String::from_utf8(b.to_json_pretty()).unwrap();
    assert_eq!(
        text,
        "{\n  \"version\": \"1.0\",\n  \"trustPolicies\": [\n    {\n      \"name\": \"p\",\n      \"signatureVerification\": {\n        \"level\": \"strict\"\n      },\n      \"trustStores\": [\n        \"ca:x\"\n      ],\n      \"trustedIdentities\": [\n        \"*\"\n      ],\n      \"globalPolicy\": true\n    }\n  ]\n}"
    );
    assert_eq!(
        BlobTrustPolicyDocument::from_json(text.as_bytes()).unwrap(),
        b
    );
    #[allow(deprecated)]
    let invalid = BlobTrustPolicyDocument::init("p", &["ca:"], &["*"], false);
    assert!(matches!(invalid, Err(PolicyError::InvalidStatement { .. })));
}

#[test]
fn statement_accessors() {
    let d = OciTrustPolicyDocument::from_json(
            doc(r#"{"name":"s","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x","tsa:t","ca:y","ca:x"],"trustedIdentities":["*"]}"#).as_bytes(),
        )
        .unwrap();
    let s = &d.statements()[0];
    assert_eq!(s.trust_store_names(TrustStoreType::Ca), ["x", "y"]);
    assert_eq!(s.trust_store_names(TrustStoreType::Tsa), ["t"]);
    assert!(s.has_trust_store_type(TrustStoreType::Tsa));
    assert!(!s.has_trust_store_type(TrustStoreType::SigningAuthority));
    assert_eq!(s.trust_stores().len(), 4);
    assert_eq!(s.verify_timestamp(), VerifyTimestamp::Always);
    assert!(!s.is_global());
}

/// Issue 12 item 5: a document built in code equals the same document
/// parsed from JSON, and an invalid one is refused with the JSON's message
/// (one validation).
#[test]
fn builders_validate_as_json_does() {
    let built = OciTrustPolicyDocument::from_statements([
        OciStatementBuilder::new("s")
            .registry_scope("registry.example.com/app")
            .registry_scope("registry.example.com/other")
            .level(VerificationLevel::Permissive)
            .override_action(ValidationType::Revocation, ValidationAction::Enforce)
            .override_action(ValidationType::Revocation, ValidationAction::Skip)
            .override_action(ValidationType::Authenticity, ValidationAction::Log)
            .verify_timestamp(VerifyTimestamp::AfterCertExpiry)
            .trust_store(TrustStoreRef::new(TrustStoreType::Ca, "acme").unwrap())
            .trust_store_entry("tsa:ts")
            .trusted_identity("x509.subject: C=US, ST=WA, O=Acme"),
        OciStatementBuilder::new("skip")
            .registry_scope("*")
            .level(VerificationLevel::Skip),
    ])
    .unwrap();
    let parsed = OciTrustPolicyDocument::from_json(
        doc(r#"{"name":"s","registryScopes":["registry.example.com/app","registry.example.com/other"],
            "signatureVerification":{"level":"permissive","override":{"revocation":"skip","authenticity":"log"},"verifyTimestamp":"afterCertExpiry"},
            "trustStores":["ca:acme","tsa:ts"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Acme"]},
           {"name":"skip","registryScopes":["*"],"signatureVerification":{"level":"skip"}}"#)
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(built, parsed);

    let blob = BlobTrustPolicyDocument::from_statements([BlobStatementBuilder::new("g")
        .global(true)
        .trust_store(TrustStoreRef::new(TrustStoreType::SigningAuthority, "sa").unwrap())
        .trusted_identities(["*"])])
    .unwrap();
    assert_eq!(
        blob,
        BlobTrustPolicyDocument::from_json(
            doc(r#"{"name":"g","globalPolicy":true,"signatureVerification":{"level":"strict"},"trustStores":["signingAuthority:sa"],"trustedIdentities":["*"]}"#)
                .as_bytes()
        )
        .unwrap()
    );

    // Refused, with the messages of the JSON path.
    let cases: [(Vec<OciStatementBuilder>, &str); 4] = [
        (vec![], r#""#),
        (
            vec![
                OciStatementBuilder::new("s")
                    .registry_scope("*")
                    .trust_store_entry("ca:")
                    .trusted_identity("*"),
            ],
            r#"{"name":"s","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:"],"trustedIdentities":["*"]}"#,
        ),
        (
            vec![
                OciStatementBuilder::new("s")
                    .trust_store_entry("ca:x")
                    .trusted_identity("*"),
            ],
            r#"{"name":"s","signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}"#,
        ),
        (
            vec![
                OciStatementBuilder::new("s")
                    .registry_scope("*")
                    .override_action(ValidationType::Integrity, ValidationAction::Log)
                    .trust_store_entry("ca:x")
                    .trusted_identity("*"),
            ],
            r#"{"name":"s","registryScopes":["*"],"signatureVerification":{"level":"strict","override":{"integrity":"log"}},"trustStores":["ca:x"],"trustedIdentities":["*"]}"#,
        ),
    ];
    for (statements, json) in cases {
        let from_builder = OciTrustPolicyDocument::from_statements(statements).unwrap_err();
        let from_json = OciTrustPolicyDocument::from_json(doc(json).as_bytes()).unwrap_err();
        assert_eq!(from_builder, from_json);
    }
    let global_skip = BlobTrustPolicyDocument::from_statements([BlobStatementBuilder::new("g")
        .global(true)
        .level(VerificationLevel::Skip)])
    .unwrap_err();
    assert!(
        matches!(global_skip, PolicyError::GlobalPolicySkip { .. }),
        "{global_skip}"
    );
}

/// The policy files are read as the reference reads them when it
/// verifies (`json.Decoder`): what follows the document is not read. The
/// reference's `policy import` (`json.Unmarshal`) refuses it, and so does
/// `from_json`. Bytes that are not UTF-8 inside a string read as U+FFFD in
/// both.
#[test]
fn policy_files_are_read_as_go_reads_them() {
    let doc = |name: &[u8]| {
        [
            &br#"{"version":"1.0","trustPolicies":[{"name":""#[..],
            name,
            br#"","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:s"],"trustedIdentities":["*"]}]}"#,
        ]
        .concat()
    };
    let trailing = [doc(b"p"), b"}\n".to_vec()].concat();
    assert!(matches!(
        OciTrustPolicyDocument::from_json(&trailing),
        Err(PolicyError::Malformed(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(OCI_POLICY_FILE), &trailing).unwrap();
    let loaded = load_oci_policy(dir.path()).unwrap();
    assert_eq!(loaded.statements()[0].name(), "p");
    std::fs::write(
        dir.path().join(BLOB_POLICY_FILE),
        b"{\"version\":\"1.0\",\"trustPolicies\":[]} x",
    )
    .unwrap();
    assert!(matches!(
        load_blob_policy(dir.path()),
        Err(PolicyLoadError::Invalid { .. })
    ));

    let latin1 = OciTrustPolicyDocument::from_json(&doc(b"t\xe9st")).unwrap();
    assert_eq!(latin1.statements()[0].name(), "t\u{fffd}st");
    let two_bytes = OciTrustPolicyDocument::from_json(&doc(b"t\xe2\x82st")).unwrap();
    assert_eq!(two_bytes.statements()[0].name(), "t\u{fffd}\u{fffd}st");
    let lone = OciTrustPolicyDocument::from_json(&doc(br"t\ud800st")).unwrap();
    assert_eq!(lone.statements()[0].name(), "t\u{fffd}st");
}

/// Malformed documents are described as the reference describes them:
/// Go's syntax errors and `json.Unmarshal` type errors, with notation-go's
/// type names (each text checked against the reference CLI's import).
// Requirements: J6, J7.
#[test]
fn malformed_documents_get_gos_texts() {
    let text = |kind: PolicyKind, json: &str| {
        let result = match kind {
            PolicyKind::Blob => BlobTrustPolicyDocument::from_json(json.as_bytes()).map(|_| ()),
            PolicyKind::Oci => OciTrustPolicyDocument::from_json(json.as_bytes()).map(|_| ()),
        };
        match result {
            Err(PolicyError::Malformed(e)) => e.go_text(kind),
            other => panic!("{json}: {other:?}"),
        }
    };
    let field = |strukt: &str, path: &str, kind: &str, ty: &str| {
        format!("json: cannot unmarshal {kind} into Go struct field {strukt}.{path} of type {ty}")
    };
    let blob = PolicyKind::Blob;
    assert_eq!(
        text(blob, r#"{"version":"1.0","#),
        "unexpected end of JSON input"
    );
    assert_eq!(
        text(blob, r#"{"version":"1.0"} x"#),
        "invalid character 'x' after top-level value"
    );
    assert_eq!(
        text(blob, "[]"),
        "json: cannot unmarshal array into Go value of type trustpolicy.BlobDocument"
    );
    assert_eq!(
        text(PolicyKind::Oci, "[]"),
        "json: cannot unmarshal array into Go value of type trustpolicy.OCIDocument"
    );
    assert_eq!(
        text(blob, r#"{"version":1}"#),
        field("BlobDocument", "version", "number", "string")
    );
    assert_eq!(
        text(blob, r#"{"version":"1.0","trustPolicies":[1]}"#),
        field(
            "BlobDocument",
            "trustPolicies",
            "number",
            "trustpolicy.BlobTrustPolicy"
        )
    );
    assert_eq!(
        text(blob, r#"{"version":"1.0","trustPolicies":{}}"#),
        field(
            "BlobDocument",
            "trustPolicies",
            "object",
            "[]trustpolicy.BlobTrustPolicy"
        )
    );
    assert_eq!(
        text(
            PolicyKind::Oci,
            r#"{"version":"1.0","trustPolicies":[{"name":"a","trustStores":[1]}]}"#
        ),
        field(
            "OCITrustPolicy",
            "trustPolicies.trustStores",
            "number",
            "string"
        )
    );
    assert_eq!(
        text(
            blob,
            r#"{"version":"1.0","trustPolicies":[{"globalPolicy":"yes"}]}"#
        ),
        field(
            "BlobTrustPolicy",
            "trustPolicies.globalPolicy",
            "string",
            "bool"
        )
    );
    assert_eq!(
        text(
            blob,
            r#"{"version":"1.0","trustPolicies":[{"signatureVerification":{"override":{"expiry":1}}}]}"#
        ),
        field(
            "SignatureVerification",
            "trustPolicies.signatureVerification.override",
            "number",
            "trustpolicy.ValidationAction"
        )
    );
    assert_eq!(
        text(
            blob,
            r#"{"version":"1.0","trustPolicies":[{"signatureVerification":{"verifyTimestamp":2}}]}"#
        ),
        field(
            "SignatureVerification",
            "trustPolicies.signatureVerification.verifyTimestamp",
            "number",
            "trustpolicy.TimestampOption"
        )
    );
}
