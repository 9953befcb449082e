//! Answers every plugin command with arbitrary bytes (REQUIREMENTS R2-R7):
//! the first byte selects the command, the rest is the plugin's stdout.
//! The typed calls and both signing paths must give a typed error or a
//! checked result, never a panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::Descriptor;
use notation_core::plugin::{
    Command, DescribeKeyRequest, GetMetadataRequest, Plugin, PluginError, PluginSignOptions,
    PluginSigner,
};

/// A plugin whose answer to `command` is the fuzz input, and whose other
/// answers are valid (metadata with `capability`, an RSA-2048 key).
struct Fuzzed {
    command: Command,
    capability: &'static str,
    answer: Vec<u8>,
}

impl Plugin for Fuzzed {
    fn name(&self) -> &str {
        "fuzz"
    }

    fn run(&self, command: Command, _request: &[u8]) -> Result<Vec<u8>, PluginError> {
        if command == self.command {
            return Ok(self.answer.clone());
        }
        Ok(match command {
            Command::GetPluginMetadata => format!(
                r#"{{"name":"fuzz","description":"d","version":"1.0.0","url":"u","supportedContractVersions":["1.0"],"capabilities":["{}"]}}"#,
                self.capability
            )
            .into_bytes(),
            Command::DescribeKey => br#"{"keyId":"k","keySpec":"RSA-2048"}"#.to_vec(),
            _ => b"{}".to_vec(),
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, answer)) = data.split_first() else {
        return;
    };
    let (command, capability) = match selector % 5 {
        0 => (Command::GetPluginMetadata, "SIGNATURE_GENERATOR.RAW"),
        1 => (Command::DescribeKey, "SIGNATURE_GENERATOR.RAW"),
        2 => (Command::GenerateSignature, "SIGNATURE_GENERATOR.RAW"),
        3 => (Command::GenerateEnvelope, "SIGNATURE_GENERATOR.ENVELOPE"),
        _ => (
            Command::VerifySignature,
            "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
        ),
    };
    let plugin: Arc<dyn Plugin> = Arc::new(Fuzzed {
        command,
        capability,
        answer: answer.to_vec(),
    });
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
});
