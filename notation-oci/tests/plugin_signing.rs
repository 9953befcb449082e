//! Signing OCI artifacts with plugin keys through the workflow (REQUIREMENTS
//! R5, R6, Q4, T1), into a copy of the MANIFEST 02 layout, with a real
//! plugin executable; then verifying through the workflow.

// The real test plugin and its helper, shared with notation-core's tests.
#[path = "../../notation-core/tests/common/plugin.rs"]
#[allow(dead_code)]
mod plugin_support;
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::plugin::PluginSigner;
use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::OciLayout;
use notation_oci::oci::{ANNOTATION_CREATED, ANNOTATION_THUMBPRINT, ImageManifest};
use notation_oci::workflow::{self, ArtifactSigner, SignOptions, VerifyOptions, WorkflowError};
use plugin_support::{TestPlugin, metadata};
use serde_json::json;
use support::fixtures::{alpine_layout, alpine_verifier, conformance};

const ALPINE: &str = "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";
const NV2: &str = "com.example.nv2plugin";

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

fn manifest_annotations(
    layout: &OciLayout,
    manifest: &notation_oci::oci::Descriptor,
) -> BTreeMap<String, String> {
    ImageManifest::from_json(&layout.read_blob(manifest, 1 << 20).unwrap())
        .unwrap()
        .annotations
        .unwrap()
}

/// R6, Q4: an envelope plugin's envelope (MANIFEST 12
/// `generate-envelope.response.json`) is stored with the plugin's
/// annotations plus the thumbprints and creation time, which the plugin
/// cannot override; the signature then verifies through the workflow.
#[test]
fn envelope_plugin_signs_into_a_layout() {
    let mut response: serde_json::Value = serde_json::from_slice(
        &std::fs::read(conformance().join("12-plugin/protocol/generate-envelope.response.json"))
            .unwrap(),
    )
    .unwrap();
    response["annotations"][ANNOTATION_THUMBPRINT] = json!("[\"forged\"]");
    let p = TestPlugin::install(
        NV2,
        json!({
            "get-plugin-metadata": {"response": metadata(NV2, "1.0.0", &["SIGNATURE_GENERATOR.ENVELOPE"])},
            "generate-envelope": {"response": response},
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let layout = alpine_layout(dir.path());
    let signer = PluginSigner::new(p.plugin(), "alpine-key").unwrap();
    let signed = workflow::sign_with(
        &layout,
        "v2",
        ArtifactSigner::Plugin(&signer),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();
    assert!(signed.resolved_from_tag);
    assert_eq!(signed.artifact.digest, ALPINE);
    assert_eq!(p.commands(), ["get-plugin-metadata", "generate-envelope"]);

    let a = manifest_annotations(&layout, &signed.pushed.manifest);
    assert_eq!(a["com.example.plugin.annotation"], "value");
    assert_eq!(
        a[ANNOTATION_THUMBPRINT],
        r#"["9f5f5aecee24b5cfdc7a91f6d5ac5c3a5348feb17c934d403f59ac251549ea0d"]"#
    );
    // The envelope's signing time (2023-03-14T16:10:02+08:00), in UTC.
    assert_eq!(a[ANNOTATION_CREATED], "2023-03-14T08:10:02Z");

    let verifier = alpine_verifier();
    let result = workflow::verify(
        &layout,
        "local/oci-layout",
        ALPINE,
        &verifier,
        &VerifyOptions::new(),
    )
    .unwrap();
    assert_eq!(
        result.verified.unwrap().0.digest,
        signed.pushed.manifest.digest
    );
}

/// R5: a RAW plugin signs (openssl in the plugin) what notation-rs builds;
/// the signature verifies through the workflow. A plugin that fails leaves
/// nothing in the layout.
#[test]
fn raw_plugin_signs_into_a_layout() {
    let p = TestPlugin::install(
        "com.example.raw",
        json!({
            "get-plugin-metadata": {"response": metadata("com.example.raw", "2.0.0", &["SIGNATURE_GENERATOR.RAW", "SIGNATURE_GENERATOR.ENVELOPE"])},
            "describe-key": {"response": {"keyId": "key1", "keySpec": "EC-256"}},
            "generate-signature": {"sign": {"key": pki("ec-256.key"), "chain": pki("ec-256.chain.pem")}},
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let layout = alpine_layout(dir.path());
    let signer = PluginSigner::new(p.plugin(), "key1").unwrap();
    let md: BTreeMap<String, String> = [("purpose".to_string(), "test".to_string())].into();
    let signed = workflow::sign_with(
        &layout,
        ALPINE,
        (&signer).into(),
        &SignOptions::new(EnvelopeFormat::Cose)
            .user_metadata(md.clone())
            .expiry(Some(time::Duration::days(1))),
        &DefaultProvider,
    )
    .unwrap();
    // RAW is preferred when a plugin offers both (as the reference).
    assert_eq!(
        p.commands(),
        ["get-plugin-metadata", "describe-key", "generate-signature"]
    );
    let a = manifest_annotations(&layout, &signed.pushed.manifest);
    assert!(a[ANNOTATION_THUMBPRINT].starts_with("[\""));

    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "test",
            Certificate::parse_many(&std::fs::read(pki("root.crt")).unwrap()).unwrap(),
        )
        .unwrap();
    let policy = json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "layout",
            "registryScopes": ["local/oci-layout"],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:test"],
            "trustedIdentities": ["x509.subject:C=US,ST=WA,O=Notary,CN=Notation Test Leaf ec-256"],
        }]
    });
    let verifier = Verifier::builder(Arc::new(store))
        .oci_policy(
            OciTrustPolicyDocument::from_json(&serde_json::to_vec(&policy).unwrap()).unwrap(),
        )
        .build()
        .unwrap();
    let result = workflow::verify(
        &layout,
        "local/oci-layout",
        ALPINE,
        &verifier,
        &VerifyOptions::new().user_metadata(md),
    )
    .unwrap();
    let (_, outcome) = result.verified.unwrap();
    assert_eq!(
        outcome
            .content()
            .unwrap()
            .signer_info
            .unsigned
            .signing_agent
            .as_deref(),
        Some(format!("{} com.example.raw/2.0.0", notation_core::SIGNING_AGENT).as_str())
    );

    // A tampered signature: refused before anything is stored.
    p.set_behavior(json!({
        "get-plugin-metadata": {"response": metadata("com.example.raw", "2.0.0", &["SIGNATURE_GENERATOR.RAW"])},
        "describe-key": {"response": {"keyId": "key1", "keySpec": "EC-256"}},
        "generate-signature": {"sign": {"key": pki("ec-256.key"), "chain": pki("ec-256.chain.pem"), "tamper_signature": true}},
    }));
    let (_, _, before) = workflow::list(&layout, ALPINE).unwrap();
    let err = workflow::sign_with(
        &layout,
        ALPINE,
        (&signer).into(),
        &SignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap_err();
    assert!(matches!(err, WorkflowError::PluginSign(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("generated signature failed verification"),
        "{err}"
    );
    let (_, _, after) = workflow::list(&layout, ALPINE).unwrap();
    assert_eq!(before.len(), after.len());
}
