//! Answers every plugin command with arbitrary bytes (REQUIREMENTS R2-R8):
//! the first byte selects the command, the rest is the plugin's stdout (or,
//! for selector 5, its stderr error response). The typed calls, both
//! signing paths and plugin-assisted verification must give a typed error
//! or a checked result, never a panic.
//!
//! Selectors: 0 get-plugin-metadata, 1 describe-key, 2 generate-signature,
//! 3 generate-envelope (each answered with the input while the other
//! commands get valid answers, then both signing paths run); 4
//! verify-signature, requested by verifying `01/ca_plugin_sig_env.json`
//! (which names a verification plugin) and `sa_plugin_sig_env.json` with a
//! plugin that has both verifier capabilities; 5 the error response of a
//! plugin that exits 1 (stderr), parsed as the executable plugin does and
//! returned for every command of both paths.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::Descriptor;
use notation_core::plugin::{
    Command, DescribeKeyRequest, ErrorResponse, GetMetadataRequest, Plugin, PluginError,
    PluginLocator, PluginSignOptions, PluginSigner,
};
use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::{ArtifactVerifyOptions, VerificationError, Verifier};
use notation_core::x509::Certificate;

const NAME: &str = "plugin-name";

/// A plugin whose answer to `command` is the fuzz input (or, with
/// `error_response`, whose every command fails with the input on stderr),
/// and whose other answers are valid.
struct Fuzzed {
    command: Command,
    capabilities: &'static str,
    answer: Vec<u8>,
    error_response: bool,
}

impl Plugin for Fuzzed {
    fn name(&self) -> &str {
        NAME
    }

    fn run(&self, command: Command, _request: &[u8]) -> Result<Vec<u8>, PluginError> {
        if self.error_response {
            // What ExecutablePlugin makes of exit code 1 and this stderr.
            return Err(match ErrorResponse::parse(&self.answer) {
                Ok(r) => PluginError::ErrorResponse {
                    plugin: NAME.into(),
                    command,
                    code: r.error_code,
                    message: r.error_message,
                    metadata: r.error_metadata,
                },
                Err(detail) => PluginError::MalformedErrorResponse {
                    plugin: NAME.into(),
                    command,
                    detail,
                },
            });
        }
        if command == self.command {
            return Ok(self.answer.clone());
        }
        Ok(match command {
            Command::GetPluginMetadata => format!(
                r#"{{"name":"{NAME}","description":"d","version":"1.0.0","url":"u","supportedContractVersions":["1.0"],"capabilities":[{}]}}"#,
                self.capabilities
            )
            .into_bytes(),
            Command::DescribeKey => br#"{"keyId":"k","keySpec":"RSA-2048"}"#.to_vec(),
            _ => b"{}".to_vec(),
        })
    }
}

struct Locator(Arc<dyn Plugin>);

impl PluginLocator for Locator {
    /// The envelopes name `plugin-name`; a name mismatch is the
    /// verifier's to find (the metadata repeats `NAME`).
    fn locate(&self, _name: &str) -> Result<Arc<dyn Plugin>, PluginError> {
        Ok(self.0.clone())
    }
}

/// Context A of MANIFEST 01: the notation-go test root in `ca` and
/// `signingAuthority` stores, the derived valid-base policy.
fn verifier(plugin: Arc<dyn Plugin>) -> Verifier {
    static STORE: OnceLock<Arc<MemoryTrustStore>> = OnceLock::new();
    let store = STORE.get_or_init(|| {
        let root = Certificate::parse_many(include_bytes!(
            "../../../shared/conformance/05-truststores/notation-go-verifier/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem"
        ))
        .expect("test root");
        let mut store = MemoryTrustStore::new();
        for t in [TrustStoreType::Ca, TrustStoreType::SigningAuthority] {
            store
                .add(t, "valid-trust-store", root.clone())
                .expect("store");
        }
        Arc::new(store)
    });
    Verifier::builder(store.clone())
        .oci_policy(
            OciTrustPolicyDocument::from_json(include_bytes!(
                "../../../shared/conformance/06-trust-policies/derived-oci/valid-base.json"
            ))
            .expect("policy"),
        )
        .plugin_locator(Arc::new(Locator(plugin)))
        .build()
        .expect("verifier")
}

fn verify_with_plugin(plugin: Arc<dyn Plugin>) {
    let v = verifier(plugin);
    let artifact = Descriptor::new(
        "application/vnd.docker.distribution.manifest.v2+json",
        "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        528,
    );
    let reference = format!(
        "registry.acme-rockets.io/software/net-monitor@{}",
        artifact.digest
    );
    for envelope in [
        &include_bytes!(
            "../../../shared/conformance/01-jws-envelopes-notation-go-mock/ca_plugin_sig_env.json"
        )[..],
        include_bytes!(
            "../../../shared/conformance/01-jws-envelopes-notation-go-mock/sa_plugin_sig_env.json"
        ),
    ] {
        match v.verify_artifact(
            &reference,
            &artifact,
            envelope,
            "application/jose+json",
            &ArtifactVerifyOptions::new(),
        ) {
            // The plugin took over the identity check and the signature's
            // critical attribute: a pass means it answered success for both
            // and processed "SomeKey".
            Ok(outcome) => assert!(outcome.payload().is_some()),
            Err(VerificationError::Check(o)) => assert!(o.enforced_failure().is_some()),
            Err(_) => {}
        }
    }
}

fn sign_both_ways(plugin: Arc<dyn Plugin>) {
    let _ = plugin.get_metadata(&GetMetadataRequest::default());
    let _ = plugin.describe_key(&DescribeKeyRequest::new("k", Default::default()));
    let target = Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
        481,
    );
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let signer = PluginSigner::new(plugin.clone(), "k").expect("key id");
        if let Ok(signature) =
            signer.sign_artifact(&target, &PluginSignOptions::new(format), &DefaultProvider)
        {
            // Accepted envelopes sign the requested descriptor.
            let payload = notation_core::payload::Payload::from_json(&signature.content.payload)
                .expect("checked payload");
            assert!(payload.target_artifact.same_content(&target));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, answer)) = data.split_first() else {
        return;
    };
    const RAW: &str = r#""SIGNATURE_GENERATOR.RAW""#;
    const VERIFIER: &str =
        r#""SIGNATURE_VERIFIER.TRUSTED_IDENTITY","SIGNATURE_VERIFIER.REVOCATION_CHECK""#;
    let (command, capabilities, error_response) = match selector % 6 {
        0 => (Command::GetPluginMetadata, RAW, false),
        1 => (Command::DescribeKey, RAW, false),
        2 => (Command::GenerateSignature, RAW, false),
        3 => (
            Command::GenerateEnvelope,
            r#""SIGNATURE_GENERATOR.ENVELOPE""#,
            false,
        ),
        4 => (Command::VerifySignature, VERIFIER, false),
        _ => (Command::GenerateSignature, RAW, true),
    };
    let plugin: Arc<dyn Plugin> = Arc::new(Fuzzed {
        command,
        capabilities,
        answer: answer.to_vec(),
        error_response,
    });
    if command == Command::VerifySignature || error_response {
        verify_with_plugin(plugin.clone());
    }
    if command != Command::VerifySignature {
        sign_both_ways(plugin);
    }
});
