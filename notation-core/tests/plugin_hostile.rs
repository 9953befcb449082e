//! Hostile plugin output (REQUIREMENTS R2-R8): whatever a plugin answers,
//! signing and verifying return a typed error or a checked result, never a
//! panic. The plugin is served in-process through the `Plugin` trait so
//! that thousands of answers can be tried; the executable path is covered
//! by `plugin_protocol.rs` and `conformance_verify/`.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::Descriptor;
use notation_core::plugin::{
    Command, DescribeKeyRequest, GenerateEnvelopeRequest, GenerateSignatureRequest,
    GetMetadataRequest, Plugin, PluginError, PluginLocator, PluginSignOptions, PluginSigner,
    VerifySignatureRequest,
};
use notation_core::trust::{DirTrustStore, OciTrustPolicyDocument};
use notation_core::verifier::{ArtifactVerifyOptions, VerificationError, Verifier};
use proptest::prelude::*;
use serde_json::json;

/// A plugin answering each command with fixed bytes.
struct Scripted {
    name: String,
    answers: HashMap<&'static str, Vec<u8>>,
}

impl Plugin for Scripted {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(&self, command: Command, request: &[u8]) -> Result<Vec<u8>, PluginError> {
        // Every request notation-rs sends is JSON of the command's type.
        let parsed = match command {
            Command::GetPluginMetadata => {
                serde_json::from_slice::<GetMetadataRequest>(request).map(drop)
            }
            Command::DescribeKey => serde_json::from_slice::<DescribeKeyRequest>(request).map(drop),
            Command::GenerateSignature => {
                serde_json::from_slice::<GenerateSignatureRequest>(request).map(drop)
            }
            Command::GenerateEnvelope => {
                serde_json::from_slice::<GenerateEnvelopeRequest>(request).map(drop)
            }
            Command::VerifySignature => {
                serde_json::from_slice::<VerifySignatureRequest>(request).map(drop)
            }
            _ => Ok(()),
        };
        assert!(
            parsed.is_ok(),
            "{command} request does not parse: {parsed:?}"
        );
        self.answers
            .get(command.as_str())
            .cloned()
            .ok_or_else(|| PluginError::Exit {
                plugin: self.name.clone(),
                command,
                status: "exit status 2".into(),
                stderr: String::new(),
            })
    }
}

impl PluginLocator for Scripted {
    fn locate(&self, name: &str) -> Result<Arc<dyn Plugin>, PluginError> {
        assert_eq!(name, self.name);
        Ok(Arc::new(Scripted {
            name: self.name.clone(),
            answers: self.answers.clone(),
        }))
    }
}

fn plugin(name: &str, answers: &[(&'static str, Vec<u8>)]) -> Scripted {
    Scripted {
        name: name.to_string(),
        answers: answers.iter().cloned().collect(),
    }
}

fn metadata(name: &str, capabilities: &[&str]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "name": name, "description": "d", "version": "1.0.0", "url": "u",
        "supportedContractVersions": ["1.0"], "capabilities": capabilities,
    }))
    .unwrap()
}

fn alpine() -> Descriptor {
    Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
        481,
    )
}

/// JSON-ish bytes: valid JSON values of the right and wrong shapes, and
/// noise.
fn answer() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(|b| json!(b)),
        any::<i64>().prop_map(|n| json!(n)),
        "[ -~]{0,12}".prop_map(|s| json!(s)),
        Just(json!("AAAA")),
        Just(json!("RSA-2048")),
        Just(json!("RSASSA-PSS-SHA-256")),
        Just(json!("key1")),
        Just(json!("SomeKey")),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("keyId".to_string()),
                    Just("keySpec".to_string()),
                    Just("signature".to_string()),
                    Just("signingAlgorithm".to_string()),
                    Just("certificateChain".to_string()),
                    Just("signatureEnvelope".to_string()),
                    Just("signatureEnvelopeType".to_string()),
                    Just("verificationResults".to_string()),
                    Just("processedAttributes".to_string()),
                    Just("SIGNATURE_VERIFIER.TRUSTED_IDENTITY".to_string()),
                    Just("success".to_string()),
                    "[a-z]{1,5}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        value.prop_map(|v| serde_json::to_vec(&v).unwrap()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn sign_artifact(p: Scripted) -> Result<(), String> {
    PluginSigner::new(Arc::new(p), "key1")
        .unwrap()
        .sign_artifact(
            &alpine(),
            &PluginSignOptions::new(EnvelopeFormat::Jws),
            &DefaultProvider,
        )
        .map(drop)
        .map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// R2-R4: any answer to any typed call is a value or a typed error.
    #[test]
    fn typed_calls_never_panic(bytes in answer()) {
        let all = |bytes: &Vec<u8>| plugin("p", &[
            ("get-plugin-metadata", bytes.clone()),
            ("describe-key", bytes.clone()),
            ("generate-signature", bytes.clone()),
            ("generate-envelope", bytes.clone()),
            ("verify-signature", bytes.clone()),
        ]);
        let p: Arc<dyn Plugin> = Arc::new(all(&bytes));
        let _ = p.get_metadata(&GetMetadataRequest::default());
        let _ = p.describe_key(&DescribeKeyRequest::new("k", Default::default()));
        prop_assert!(sign_artifact(all(&bytes)).is_err());
    }

    /// R5: any describe-key and generate-signature answer fails signing
    /// with a typed error (none of them is a valid signature).
    #[test]
    fn raw_signing_with_hostile_answers(describe in answer(), generate in answer()) {
        let described = plugin("p", &[
            ("get-plugin-metadata", metadata("p", &["SIGNATURE_GENERATOR.RAW"])),
            ("describe-key", describe),
            ("generate-signature", generate.clone()),
        ]);
        prop_assert!(sign_artifact(described).is_err());
        let good_describe = plugin("p", &[
            ("get-plugin-metadata", metadata("p", &["SIGNATURE_GENERATOR.RAW"])),
            ("describe-key", br#"{"keyId":"key1","keySpec":"RSA-2048"}"#.to_vec()),
            ("generate-signature", generate),
        ]);
        prop_assert!(sign_artifact(good_describe).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// R6: any envelope an envelope plugin returns, including the alpine
    /// envelope with bytes changed, is refused or, if accepted, is an
    /// envelope that verifies over the requested descriptor.
    #[test]
    fn envelope_signing_with_hostile_envelopes(
        noise in prop::collection::vec(any::<u8>(), 0..256),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        use_noise in any::<bool>(),
    ) {
        let mut envelope = common::conformance("02-oci-layout-alpine/jws_signature.jws.sig");
        if use_noise {
            envelope = noise;
        } else {
            for (at, x) in flips {
                let i = at.index(envelope.len());
                envelope[i] ^= x | 1;
            }
        }
        use base64::Engine;
        let answer = serde_json::to_vec(&json!({
            "signatureEnvelope": base64::engine::general_purpose::STANDARD.encode(&envelope),
            "signatureEnvelopeType": "application/jose+json",
        })).unwrap();
        let p = plugin("p", &[
            ("get-plugin-metadata", metadata("p", &["SIGNATURE_GENERATOR.ENVELOPE"])),
            ("generate-envelope", answer),
        ]);
        let result = PluginSigner::new(Arc::new(p), "key1")
            .unwrap()
            .sign_artifact(&alpine(), &PluginSignOptions::new(EnvelopeFormat::Jws), &DefaultProvider);
        if let Ok(signature) = result {
            let payload = notation_core::payload::Payload::from_json(&signature.content.payload).unwrap();
            prop_assert!(payload.target_artifact.same_content(&alpine()));
        }
    }

    /// R8: any get-plugin-metadata and verify-signature answer for
    /// `ca_plugin_sig_env.json` is a verdict or a typed error; only a
    /// well-formed success passes.
    #[test]
    fn verification_with_hostile_answers(metadata_answer in answer(), verify_answer in answer()) {
        let policy = common::conformance("06-trust-policies/derived-oci/valid-base.json");
        let envelope = common::conformance("01-jws-envelopes-notation-go-mock/ca_plugin_sig_env.json");
        let reference = "registry.acme-rockets.io/software/net-monitor@sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e";
        let desc = Descriptor::new(
            "application/vnd.docker.distribution.manifest.v2+json",
            "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
            528,
        );
        for metadata_bytes in [metadata_answer, metadata("plugin-name", &["SIGNATURE_VERIFIER.TRUSTED_IDENTITY"])] {
            let locator = plugin("plugin-name", &[
                ("get-plugin-metadata", metadata_bytes),
                ("verify-signature", verify_answer.clone()),
            ]);
            let verifier = Verifier::builder(Arc::new(DirTrustStore::new(
                common::conformance_dir().join("05-truststores/notation-go-verifier"),
            )))
            .oci_policy(OciTrustPolicyDocument::from_json(&policy).unwrap())
            .plugin_locator(Arc::new(locator))
            .build()
            .unwrap();
            let result = verifier.verify_artifact(reference, &desc, &envelope, "application/jose+json", &ArtifactVerifyOptions::new());
            if result.is_ok() {
                // Only a success for TRUSTED_IDENTITY with SomeKey processed
                // can pass.
                let v: serde_json::Value = serde_json::from_slice(&verify_answer).unwrap();
                prop_assert_eq!(&v["verificationResults"]["SIGNATURE_VERIFIER.TRUSTED_IDENTITY"]["success"], &json!(true));
            } else {
                prop_assert!(!matches!(result, Err(VerificationError::NoPolicy)));
            }
        }
    }
}
