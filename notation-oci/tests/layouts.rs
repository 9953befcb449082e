//! Signatures in OCI image layouts: the conformance layouts of MANIFEST 02
//! and 09, and signing into a layout (T1, T2, Q1-Q8, K3).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

mod support;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::signer::LocalSigner;
use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::OciLayout;
use notation_oci::oci::{
    ANNOTATION_CREATED, ANNOTATION_THUMBPRINT, ARTIFACT_TYPE_NOTATION, ImageManifest,
    MEDIA_TYPE_EMPTY_JSON,
};
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::{SignatureManifestForm, signature_annotations};
use notation_oci::workflow::{self, SignOptions, VerifyOptions, WorkflowError};
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
    assert!(
        verify(
            "e2e-expired-signature",
            "permissive_trustpolicy.json",
            "e2e.crt"
        )
        .is_ok()
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
    // --max-signatures counts the signatures verified (U).
    let err = workflow::verify(
        &e2e_layout("e2e-valid-multiple-signatures"),
        scope,
        E2E_SUBJECT,
        &e2e_verifier("audit_trustpolicy.json", "new_e2e.crt"),
        &VerifyOptions::new().max_signatures(1),
    );
    assert!(err.is_ok() || matches!(err, Err(WorkflowError::TooManySignatures { limit: 1, .. })));
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
    copy_dir(
        &conformance().join("09-e2e-oci-layouts/layouts/e2e"),
        &dir.path().join("l"),
    );
    let layout = OciLayout::open(dir.path().join("l")).unwrap();
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
    let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["local/test"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;
    let verifier = Verifier::builder(Arc::new(store))
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

/// MANIFEST 09 `localkeys/`: the reference's e2e signing key signs into a
/// copy of the unsigned `e2e` layout, and the e2e policy verifies it with
/// `e2e.crt` as the trust anchor, in both envelope formats.
#[test]
fn conformance_09_e2e_key_signs_and_verifies() {
    let keys = conformance().join("09-e2e-oci-layouts/localkeys");
    let s = LocalSigner::from_files(&keys.join("e2e.key"), &keys.join("e2e.crt")).unwrap();
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &conformance().join("09-e2e-oci-layouts/layouts/e2e"),
            &dir.path().join("l"),
        );
        let layout = OciLayout::open(dir.path().join("l")).unwrap();
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
