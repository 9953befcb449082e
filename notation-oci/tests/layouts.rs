//! Signatures in OCI image layouts: the conformance layouts of MANIFEST 02
//! and 09, and signing into a layout (T1, T2, Q1-Q8, K3).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

mod support;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::LocalSigner;
use notation_core::trust::{
    MemoryTrustStore, OciStatementBuilder, OciTrustPolicyDocument, TrustStoreType, ValidationType,
    VerificationLevel,
};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::oci::{
    ANNOTATION_CREATED, ANNOTATION_THUMBPRINT, ARTIFACT_TYPE_NOTATION, ImageManifest,
    MEDIA_TYPE_EMPTY_JSON,
};
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::{SignatureManifestForm, signature_annotations};
use notation_oci::workflow::{self, ArtifactVerdict, SignOptions, VerifyOptions, WorkflowError};
use notation_oci::{OciLayout, Reference};
use support::fixtures::{alpine_layout, alpine_verifier, conformance, copy_dir};

const ALPINE: &str = "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";

/// MANIFEST 02 `TestLocalContent`: push the COSE signature into a copy of
/// the layout, check the manifest written, then verify through the layout.
#[test]
fn conformance_02_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let layout = alpine_layout(dir.path());
    let artifact = layout.resolve(ALPINE).unwrap();
    assert_eq!(layout.resolve("v2").unwrap(), artifact);
    let envelope =
        std::fs::read(conformance().join("02-oci-layout-alpine/cose_signature.cose.sig")).unwrap();
    let content = Envelope::parse(EnvelopeFormat::Cose, &envelope)
        .unwrap()
        .content_unverified()
        .unwrap();
    let annotations = signature_annotations(
        &content.signer_info.certificate_chain,
        content.signer_info.signed.signing_time,
    );
    let pushed = layout
        .push_signature(
            &artifact,
            "application/cose",
            &envelope,
            annotations,
            SignatureManifestForm::ArtifactType,
        )
        .unwrap();

    let manifest =
        ImageManifest::from_json(&layout.read_blob(&pushed.manifest, 1 << 20).unwrap()).unwrap();
    assert_eq!(manifest.subject.as_ref().unwrap().digest, ALPINE);
    assert_eq!(
        manifest.artifact_type.as_deref(),
        Some(ARTIFACT_TYPE_NOTATION)
    );
    assert_eq!(
        manifest.config.as_ref().unwrap().media_type,
        MEDIA_TYPE_EMPTY_JSON
    );
    let layers = manifest.layers.as_ref().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].media_type, "application/cose");
    let a = manifest.annotations.as_ref().unwrap();
    assert_eq!(
        a[ANNOTATION_THUMBPRINT],
        r#"["9f5f5aecee24b5cfdc7a91f6d5ac5c3a5348feb17c934d403f59ac251549ea0d"]"#
    );
    assert_eq!(a[ANNOTATION_CREATED], "2023-03-14T04:45:22Z");

    let verifier = alpine_verifier();
    let result = workflow::verify(
        &layout,
        "local/oci-layout",
        ALPINE,
        &verifier,
        &VerifyOptions::new(),
    )
    .unwrap();
    let (sig, outcome) = result.verified.unwrap();
    assert_eq!(sig.digest, pushed.manifest.digest);
    assert!(outcome.warnings().next().is_none());
    // By tag too; the tag resolved is reported (Q8).
    let result = workflow::verify(
        &layout,
        "local/oci-layout",
        "v2",
        &verifier,
        &VerifyOptions::new(),
    )
    .unwrap();
    assert!(result.resolved_from_tag);
}

const E2E_SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

fn e2e_layout(name: &str) -> OciLayout {
    OciLayout::open(conformance().join("09-e2e-oci-layouts/layouts").join(name)).unwrap()
}

/// A copy of MANIFEST 09's `e2e` layout in `dir`, to write into.
fn writable_e2e_layout(dir: &std::path::Path) -> OciLayout {
    copy_dir(
        &conformance().join("09-e2e-oci-layouts/layouts/e2e"),
        &dir.join("l"),
    );
    OciLayout::open(dir.join("l")).unwrap()
}

fn e2e_verifier(policy: &str, cert: &str) -> Verifier {
    let mut store = MemoryTrustStore::new();
    let certs = Certificate::parse_many(
        &std::fs::read(
            conformance()
                .join("09-e2e-oci-layouts/localkeys")
                .join(cert),
        )
        .unwrap(),
    )
    .unwrap();
    store.add(TrustStoreType::Ca, "e2e", certs).unwrap();
    let doc = std::fs::read(conformance().join("06-trust-policies/e2e-oci").join(policy)).unwrap();
    Verifier::builder(Arc::new(store))
        .oci_policy(OciTrustPolicyDocument::from_json(&doc).unwrap())
        .build()
        .unwrap()
}

/// MANIFEST 09: every layout lists and verifies with its verdict, by
/// `--scope` (K3).
#[test]
fn conformance_09_layouts() {
    let scope = "localhost:5000/test-repo";
    let verify = |layout: &str, policy: &str, cert: &str| {
        workflow::verify(
            &e2e_layout(layout),
            scope,
            E2E_SUBJECT,
            &e2e_verifier(policy, cert),
            &VerifyOptions::new(),
        )
    };
    // e2e: no signatures.
    let (_, _, sigs) = workflow::list(&e2e_layout("e2e"), "v1").unwrap();
    assert!(sigs.is_empty());
    let err = verify("e2e", "trustpolicy.json", "e2e.crt").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no signature is associated with \"{scope}@{E2E_SUBJECT}\", make sure the artifact was signed successfully"
        )
    );
    // Legacy manifest form listed through the referrers tag index: VALID.
    let (_, _, sigs) = workflow::list(&e2e_layout("e2e-valid-signature"), "v1").unwrap();
    assert_eq!(sigs.len(), 1);
    assert!(
        verify("e2e-valid-signature", "trustpolicy.json", "e2e.crt")
            .unwrap()
            .verified
            .is_some()
    );
    // Wrong trust store: the thumbprint pre-filter skips it without a fetch.
    match verify("e2e-valid-signature", "trustpolicy.json", "new_e2e.crt").unwrap_err() {
        WorkflowError::AllFailed { failures, .. } => assert_eq!(failures.len(), 1),
        other => panic!("{other}"),
    }
    // Under audit an untrusted signature still counts (not pre-filtered).
    assert!(
        verify(
            "e2e-valid-signature",
            "audit_trustpolicy.json",
            "new_e2e.crt"
        )
        .unwrap()
        .verified
        .is_some()
    );
    match verify("e2e-expired-signature", "trustpolicy.json", "e2e.crt").unwrap_err() {
        WorkflowError::AllFailed { failures, .. } => {
            assert!(
                failures[0]
                    .to_string()
                    .contains("digital signature has expired on"),
                "{}",
                failures[0]
            )
        }
        other => panic!("{other}"),
    }
    // permissive logs the expiry: the signature verifies, with the expiry
    // failure recorded as a warning (MANIFEST 06/09).
    let permissive = verify(
        "e2e-expired-signature",
        "permissive_trustpolicy.json",
        "e2e.crt",
    )
    .unwrap();
    let (_, outcome) = permissive.verified.expect("verified, not skipped");
    let warnings: Vec<_> = outcome
        .warnings()
        .map(|w| (w.check(), w.failure().map(|f| f.to_string())))
        .collect();
    assert_eq!(
        warnings,
        [(
            ValidationType::Expiry,
            Some(
                "digital signature has expired on \"Tue, 27 Jun 2023 13:21:21 +0800\"".to_string()
            )
        )]
    );
    match verify("e2e-invalid-signature", "trustpolicy.json", "e2e.crt").unwrap_err() {
        WorkflowError::AllFailed { failures, .. } => assert!(
            failures[0].to_string().contains(
                "signature envelope format with media type \"application/vnd.oci.image.layer.v1.tar\" is not supported"
            ),
            "{}",
            failures[0]
        ),
        other => panic!("{other}"),
    }
    // skip: success without touching the store (the layout is never read).
    let skipped = workflow::verify(
        &OciLayout::create(tempfile::tempdir().unwrap().path().join("empty")).unwrap(),
        scope,
        E2E_SUBJECT,
        &e2e_verifier("skip_trustpolicy.json", "e2e.crt"),
        &VerifyOptions::new(),
    )
    .unwrap();
    assert!(skipped.is_skipped());
    match verify(
        "e2e-with-expired-cert",
        "trustpolicy.json",
        "expired_e2e.crt",
    )
    .unwrap_err()
    {
        WorkflowError::AllFailed { failures, .. } => {
            assert!(
                failures[0]
                    .to_string()
                    .contains("verification time is after certificate"),
                "{}",
                failures[0]
            )
        }
        other => panic!("{other}"),
    }
    // Two signatures: the graph walk finds both (the tag index lists one).
    let (_, _, sigs) = workflow::list(&e2e_layout("e2e-valid-multiple-signatures"), "v1").unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(
        verify(
            "e2e-valid-multiple-signatures",
            "trustpolicy.json",
            "e2e.crt"
        )
        .unwrap()
        .verified
        .is_some()
    );
    // --max-signatures counts the signatures verified (U). Required user
    // metadata that neither signature carries makes each one fail, at any
    // level: with a limit of 1 the second is not tried; with 2 both are,
    // and the limit is still the verdict (notation-go reports it once as
    // many signatures as the limit failed); with 3 every one failed.
    let two_failing = |limit: usize| {
        workflow::verify(
            &e2e_layout("e2e-valid-multiple-signatures"),
            scope,
            E2E_SUBJECT,
            &e2e_verifier("audit_trustpolicy.json", "new_e2e.crt"),
            &VerifyOptions::new()
                .max_signatures(limit)
                .user_metadata(BTreeMap::from([("k".to_string(), "v".to_string())])),
        )
    };
    match two_failing(1) {
        Err(WorkflowError::TooManySignatures { limit: 1, failures }) => {
            assert_eq!(failures.len(), 1, "one signature tried")
        }
        other => panic!("{:?}", other.map(|_| "verified").map_err(|e| e.to_string())),
    }
    match two_failing(2) {
        Err(WorkflowError::TooManySignatures { limit: 2, failures }) => {
            assert_eq!(failures.len(), 2, "both signatures tried")
        }
        other => panic!("{:?}", other.map(|_| "verified").map_err(|e| e.to_string())),
    }
    match two_failing(3) {
        Err(WorkflowError::AllFailed { failures, .. }) => {
            assert_eq!(failures.len(), 2, "both signatures tried");
            for f in &failures {
                assert!(
                    f.to_string()
                        .contains("unable to find specified metadata in the signature"),
                    "{f}"
                );
            }
        }
        other => panic!("{:?}", other.map(|_| "verified").map_err(|e| e.to_string())),
    }
    // Under the limit, the first signature that verifies ends the search.
    let first = workflow::verify(
        &e2e_layout("e2e-valid-multiple-signatures"),
        scope,
        E2E_SUBJECT,
        &e2e_verifier("audit_trustpolicy.json", "new_e2e.crt"),
        &VerifyOptions::new().max_signatures(1),
    )
    .unwrap();
    assert!(first.failures.is_empty() && first.verified.is_some());
    // A digest that is not the one resolved is refused (Q8).
    let other = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    assert!(workflow::list(&e2e_layout("e2e-valid-signature"), other).is_err());
}

fn signer(name: &str) -> LocalSigner {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki"));
    LocalSigner::from_files(
        &dir.join(format!("{name}.key")),
        &dir.join(format!("{name}.chain.pem")),
    )
    .unwrap()
}

/// Sign into a layout with both formats and both manifest forms, then
/// verify: user metadata is required and checked (A5, N10).
#[test]
fn sign_and_verify_in_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = writable_e2e_layout(dir.path());
    let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["local/test"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;
    let verifier = Verifier::builder(Arc::new(root_store()))
        .oci_policy(OciTrustPolicyDocument::from_json(policy).unwrap())
        .build()
        .unwrap();
    let md: BTreeMap<String, String> = [("purpose".to_string(), "test".to_string())].into();
    for (name, format, form) in [
        (
            "ec-256",
            EnvelopeFormat::Jws,
            SignatureManifestForm::ArtifactType,
        ),
        (
            "rsa-3072",
            EnvelopeFormat::Cose,
            SignatureManifestForm::ConfigMediaType,
        ),
        (
            "ec-521",
            EnvelopeFormat::Cose,
            SignatureManifestForm::ArtifactType,
        ),
    ] {
        let s = signer(name);
        let signed = workflow::sign(
            &layout,
            "v1",
            &s,
            &SignOptions::new(format)
                .user_metadata(md.clone())
                .manifest_form(form),
            &DefaultProvider,
        )
        .unwrap();
        assert!(signed.resolved_from_tag);
        assert_eq!(signed.artifact.digest, E2E_SUBJECT);
    }
    let (_, _, sigs) = workflow::list(&layout, E2E_SUBJECT).unwrap();
    assert_eq!(sigs.len(), 3);
    let ok = workflow::verify(
        &layout,
        "local/test",
        E2E_SUBJECT,
        &verifier,
        &VerifyOptions::new().user_metadata(md),
    )
    .unwrap();
    assert!(ok.verified.is_some());
    let wrong: BTreeMap<String, String> = [("purpose".to_string(), "prod".to_string())].into();
    match workflow::verify(
        &layout,
        "local/test",
        E2E_SUBJECT,
        &verifier,
        &VerifyOptions::new().user_metadata(wrong),
    ) {
        Err(WorkflowError::AllFailed { failures, .. }) => {
            assert_eq!(failures.len(), 3);
            assert!(
                failures
                    .iter()
                    .all(|f| f.to_string().contains("unable to find specified metadata"))
            );
        }
        other => panic!("{other:?}"),
    }
    // Scope with no statement: fails before the layout is read (K1, T2).
    assert!(matches!(
        workflow::verify(
            &layout,
            "local/other",
            E2E_SUBJECT,
            &verifier,
            &VerifyOptions::new()
        ),
        Err(WorkflowError::Policy(_))
    ));
    // Inspect reads every signature.
    let (_, _, inspected) = workflow::inspect(&layout, E2E_SUBJECT, 100).unwrap();
    assert_eq!(inspected.len(), 3);
    assert!(inspected.iter().all(|i| i.content.is_ok()));
}

/// Signatures written into a layout without a chosen form take the config
/// media type form: the reference CLI v1.3.2 (notation-go v1.3) lists
/// referrers in a layout by their config media type only, and would find no
/// artifactType-form signature there. A chosen form is kept (Q1).
#[test]
fn layout_signatures_default_to_the_form_the_reference_finds() {
    let dir = tempfile::tempdir().unwrap();
    let layout = writable_e2e_layout(dir.path());
    let s = signer("ec-256");
    let manifest_of = |options: &SignOptions<'_>| {
        let signed = workflow::sign(&layout, "v1", &s, options, &DefaultProvider).unwrap();
        let bytes = layout.read_blob(&signed.pushed.manifest, 1 << 20).unwrap();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
    };
    let default = manifest_of(&SignOptions::new(EnvelopeFormat::Jws));
    assert_eq!(
        default["config"]["mediaType"],
        "application/vnd.cncf.notary.signature"
    );
    assert!(default.get("artifactType").is_none(), "{default}");
    let chosen = manifest_of(
        &SignOptions::new(EnvelopeFormat::Jws).manifest_form(SignatureManifestForm::ArtifactType),
    );
    assert_eq!(
        chosen["artifactType"],
        "application/vnd.cncf.notary.signature"
    );
}

/// MANIFEST 09 `localkeys/`: the reference's e2e signing key signs into a
/// copy of the unsigned `e2e` layout, and the e2e policy verifies it with
/// `e2e.crt` as the trust anchor, in both envelope formats.
#[test]
fn conformance_09_e2e_key_signs_and_verifies() {
    let keys = conformance().join("09-e2e-oci-layouts/localkeys");
    let s = LocalSigner::from_files(&keys.join("e2e.key"), &keys.join("e2e.crt")).unwrap();
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let dir = tempfile::tempdir().unwrap();
        let layout = writable_e2e_layout(dir.path());
        let signed = workflow::sign(
            &layout,
            "v1",
            &s,
            &SignOptions::new(format),
            &DefaultProvider,
        )
        .unwrap();
        assert_eq!(signed.artifact.digest, E2E_SUBJECT);
        let ok = workflow::verify(
            &layout,
            "localhost:5000/test-repo",
            E2E_SUBJECT,
            &e2e_verifier("trustpolicy.json", "e2e.crt"),
            &VerifyOptions::new(),
        )
        .unwrap();
        assert!(ok.verified.is_some(), "{format:?}");
        // The reference's rotated certificate does not anchor it.
        assert!(
            workflow::verify(
                &layout,
                "localhost:5000/test-repo",
                E2E_SUBJECT,
                &e2e_verifier("trustpolicy.json", "new_e2e.crt"),
                &VerifyOptions::new(),
            )
            .is_err()
        );
    }
}

/// A layout with one signature by the test PKI's `ec-256` key, and a
/// verifier over its root (store `ca:root`) with `policy` as the OCI policy.
fn signed_layout(dir: &std::path::Path) -> OciLayout {
    let layout = writable_e2e_layout(dir);
    sign_v1(&layout, &signer("ec-256"));
    layout
}

/// Signs the layout's `v1` with `signer` (JWS).
fn sign_v1(layout: &OciLayout, signer: &LocalSigner) {
    workflow::sign(
        layout,
        "v1",
        signer,
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();
}

fn root_store() -> MemoryTrustStore {
    let root = Certificate::parse_many(
        &std::fs::read(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/pki/root.crt"
        )))
        .unwrap(),
    )
    .unwrap();
    let mut store = MemoryTrustStore::new();
    store.add(TrustStoreType::Ca, "root", root).unwrap();
    store
}

fn verifier_with(policy_level: &str, stores: &str) -> Verifier {
    let policy = format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["local/test"],
        "signatureVerification":{{"level":"{policy_level}"}},"trustStores":[{stores}],"trustedIdentities":["*"]}}]}}"#
    );
    Verifier::builder(Arc::new(root_store()))
        .oci_policy(OciTrustPolicyDocument::from_json(policy.as_bytes()).unwrap())
        .build()
        .unwrap()
}

/// Issue 12 item 1: a policy naming a trust store that does not exist is a
/// configuration error on the OCI path too (the thumbprint pre-filter used
/// to treat the store as empty and report "match no certificate trusted";
/// the reference reports the store).
#[test]
fn missing_trust_store_reads_as_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let layout = signed_layout(dir.path());
    let verify = |verifier: &Verifier| {
        workflow::verify(&layout, "local/test", "v1", verifier, &VerifyOptions::new())
    };
    // build() does not fail; the error is kept and can be checked early.
    let verifier = verifier_with("strict", r#""ca:root", "ca:missing""#);
    let errors = verifier.trust_store_errors();
    assert_eq!(errors.len(), 1);
    let expected = "the trust store \"missing\" of type \"ca\" does not exist";
    assert_eq!(errors[0].to_string(), expected);
    let err = verify(&verifier).unwrap_err();
    assert!(matches!(err, WorkflowError::TrustStore(_)), "{err:?}");
    assert_eq!(err.to_string(), expected);
    // The missing store alone: the same, not "untrusted".
    let err = verify(&verifier_with("strict", r#""ca:missing""#)).unwrap_err();
    assert_eq!(err.to_string(), expected);
    // Under audit authenticity is only logged: the signature verifies and
    // the outcome carries the store's error as a warning.
    let ok = verify(&verifier_with("audit", r#""ca:missing""#)).unwrap();
    let (_, outcome) = ok.verified.as_ref().unwrap();
    let warnings: Vec<String> = outcome
        .warnings()
        .map(|w| w.failure().unwrap().to_string())
        .collect();
    assert_eq!(warnings, [expected]);
}

/// A broken store that only one signature needs does not stop the others
/// (notation-go goes on with the next signature): a `signingAuthority`
/// signature needs the missing `signingAuthority` store, the `notary.x509`
/// one beside it verifies with `ca:root`. With only the first, the store's
/// error is the verdict.
#[test]
fn a_store_one_signature_needs_does_not_stop_another() {
    use notation_core::envelope::{SignRequest, SigningScheme};
    use notation_core::payload::Payload;
    let dir = tempfile::tempdir().unwrap();
    let layout = writable_e2e_layout(dir.path());
    let artifact = layout.resolve("v1").unwrap();
    let signer = signer("ec-256");
    let payload = Payload::new(artifact.to_payload_descriptor()).to_json();
    let request =
        SignRequest::new(payload, &signer).signing_scheme(SigningScheme::X509SigningAuthority);
    let envelope =
        notation_core::envelope::sign(EnvelopeFormat::Jws, &request, &DefaultProvider).unwrap();
    let content = Envelope::parse(EnvelopeFormat::Jws, &envelope)
        .unwrap()
        .content_unverified()
        .unwrap();
    layout
        .push_signature(
            &artifact,
            EnvelopeFormat::Jws.media_type(),
            &envelope,
            signature_annotations(
                &content.signer_info.certificate_chain,
                content.signer_info.signed.signing_time,
            ),
            SignatureManifestForm::ArtifactType,
        )
        .unwrap();
    let stores = r#""ca:root", "signingAuthority:missing""#;
    let verify = || {
        workflow::verify(
            &layout,
            "local/test",
            "v1",
            &verifier_with("strict", stores),
            &VerifyOptions::new(),
        )
    };
    let err = verify().unwrap_err();
    assert!(matches!(err, WorkflowError::TrustStore(_)), "{err:?}");
    sign_v1(&layout, &signer);
    let verified = verify().unwrap();
    assert!(verified.verified.is_some());
    assert_eq!(verified.failures.len(), 1, "{:?}", verified.failures);
}

/// Every signature counts against `max_signatures`, one the thumbprint
/// pre-filter skips (its chain is in no trust store) too, as notation-go
/// counts every signature it lists.
#[test]
fn skipped_signatures_count_against_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let layout = writable_e2e_layout(dir.path());
    for name in ["self-signed", "ec-256"] {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki"));
        let chain = if name == "self-signed" {
            dir.join("self-signed.crt")
        } else {
            dir.join(format!("{name}.chain.pem"))
        };
        let signer = LocalSigner::from_files(&dir.join(format!("{name}.key")), &chain).unwrap();
        sign_v1(&layout, &signer);
    }
    let verify = |max: usize| {
        workflow::verify(
            &layout,
            "local/test",
            "v1",
            &verifier_with("strict", r#""ca:root""#),
            &VerifyOptions::new().max_signatures(max),
        )
    };
    let err = verify(1).unwrap_err();
    assert!(
        matches!(err, WorkflowError::TooManySignatures { limit: 1, .. }),
        "{err:?}"
    );
    let verified = verify(2).unwrap();
    assert!(verified.verified.is_some());
    assert_eq!(verified.failures.len(), 1);
}

/// Issue 12 item 2: when every signature fails, the error names each
/// signature and why, and has no source to repeat it.
#[test]
fn all_failed_names_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let layout = signed_layout(dir.path());
    workflow::sign(
        &layout,
        "v1",
        &signer("rsa-2048"),
        &SignOptions::new(EnvelopeFormat::Cose),
        &DefaultProvider,
    )
    .unwrap();
    let verifier = verifier_with("strict", r#""ca:root""#);
    let metadata: BTreeMap<String, String> = [("k".to_string(), "v".to_string())].into();
    let err = workflow::verify(
        &layout,
        "local/test",
        "v1",
        &verifier,
        &VerifyOptions::new().user_metadata(metadata),
    )
    .unwrap_err();
    assert_eq!(err.failures().len(), 2);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "signature verification failed for all the signatures associated with local/test@{E2E_SUBJECT}: sha256:"
        )),
        "{text}"
    );
    for failure in err.failures() {
        assert!(
            text.contains(&format!(
                "{}: unable to find specified metadata in the signature",
                failure.signature.digest
            )),
            "{text}"
        );
    }
    assert!(std::error::Error::source(&err).is_none());
}

/// Issue 12 item 6: sign without naming a crypto provider, then verify
/// with the reference the layout is read with: a verdict, verified with the
/// signer's certificate, or skipped.
#[test]
fn verify_reference_gives_a_verdict_with_the_signer() {
    let dir = tempfile::tempdir().unwrap();
    let layout = writable_e2e_layout(dir.path());
    let signed = workflow::sign_artifact(
        &layout,
        "v1",
        &signer("ec-256"),
        &SignOptions::new(EnvelopeFormat::Cose),
    )
    .unwrap();
    assert_eq!(signed.artifact.digest, E2E_SUBJECT);

    let reference = Reference::parse("local/test:v1").unwrap();
    let verdict = workflow::verify_reference(
        &layout,
        &reference,
        &verifier_with("strict", r#""ca:root""#),
        &VerifyOptions::new(),
    )
    .unwrap();
    let ArtifactVerdict::Verified(verified) = &verdict else {
        panic!("{verdict:?}");
    };
    let chain = Certificate::parse_many(
        &std::fs::read(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/pki/ec-256.chain.pem"
        )))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(verified.signer(), &chain[0]);
    assert_eq!(verified.outcome().certificate_chain(), chain.as_slice());
    assert_eq!(verified.artifact().digest, E2E_SUBJECT);
    assert_eq!(verified.signature().digest, signed.pushed.manifest.digest);
    assert!(verified.resolved_from_tag());
    assert_eq!(verdict.policy(), "p");

    // A skip statement: nothing is read.
    let skip = OciTrustPolicyDocument::from_statements([OciStatementBuilder::new("skip")
        .registry_scope("local/test")
        .level(VerificationLevel::Skip)])
    .unwrap();
    let verifier = Verifier::builder(Arc::new(root_store()))
        .oci_policy(skip)
        .build()
        .unwrap();
    let verdict =
        workflow::verify_reference(&layout, &reference, &verifier, &VerifyOptions::new()).unwrap();
    assert!(matches!(&verdict, ArtifactVerdict::Skipped { policy } if policy == "skip"));
    assert!(verdict.verified().is_none());

    // A reference must name the artifact.
    let bare = Reference::parse("local/test").unwrap();
    assert!(matches!(
        workflow::verify_reference(&layout, &bare, &verifier, &VerifyOptions::new()),
        Err(WorkflowError::MissingTagOrDigest { .. })
    ));
}

/// The referrers of a layout are found by one walk of its graph, reused
/// while `index.json` is unchanged and redone when it changes (a clone of
/// the layout handle sees the same).
#[test]
fn referrers_follow_index_json() {
    use notation_oci::store::ContentStore;
    use support::images::{push_image, push_sbom, tag};
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    let subject = push_image(&layout, "amd64", b"layer", false);
    tag(&layout, "v1", &subject);
    assert!(layout.referrers(&subject).unwrap().is_empty());
    // A referrer stored and listed in index.json (as a copy's end lists it).
    let sbom = push_sbom(&layout, &subject);
    layout
        .finish_copy(std::slice::from_ref(&sbom), None)
        .unwrap();
    let clone = layout.clone();
    for handle in [&layout, &clone] {
        let found = handle.referrers(&subject).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.digest, sbom.digest);
    }
    // An index listed in index.json whose blob is absent (a partial copy)
    // is skipped, as an absent manifest is, and as oras-go skips it.
    let absent = notation_oci::oci::Descriptor::new(
        notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX,
        format!("sha256:{}", "ab".repeat(32)),
        100,
    );
    layout.add_to_index(absent).unwrap();
    let found = layout.referrers(&subject).unwrap();
    assert_eq!(found.len(), 1);
}
