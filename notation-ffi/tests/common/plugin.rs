//! A real plugin executable for the plugin tests: the repository's Python
//! test plugin (`testdata/plugin/test-plugin.py`, see its docstring for the
//! behavior format), installed as `{plugins}/{name}/notation-{name}` with a
//! `behavior.json` saying what each command answers. Every call it gets is
//! logged in `calls.jsonl` so tests can check what the library sent.

use std::path::{Path, PathBuf};

use notation_core::algorithm::HashAlgorithm;
use notation_core::crypto::default_provider;
use notation_core::envelope::{self, EnvelopeFormat, ExtendedAttribute, SignRequest, header};
use notation_core::payload::{Descriptor, Payload};
use notation_core::signer::LocalSigner;
use serde_json::{Value, json};

use super::pki_path;

#[path = "../../../testdata/plugin/test_plugin.rs"]
mod shared;
// Not every test binary uses every helper.
#[allow(unused_imports)]
pub use shared::{InstalledPlugin, metadata, require_tools, script};

pub const RAW: &str = "SIGNATURE_GENERATOR.RAW";
pub const ENVELOPE: &str = "SIGNATURE_GENERATOR.ENVELOPE";
pub const ENVELOPE_FOR_BLOB: &str = "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB";
pub const TRUSTED_IDENTITY: &str = "SIGNATURE_VERIFIER.TRUSTED_IDENTITY";
pub const REVOCATION_CHECK: &str = "SIGNATURE_VERIFIER.REVOCATION_CHECK";

/// A `SIGNATURE_GENERATOR.RAW` plugin signing with the test PKI key `key`
/// (e.g. `rsa-2048`) of spec `key_spec`, through openssl.
pub fn raw_behavior(name: &str, key_id: &str, key: &str, key_spec: &str) -> Value {
    json!({
        "get-plugin-metadata": {"response": metadata(name, "1.0.0", &[RAW])},
        "describe-key": {"response": {"keyId": key_id, "keySpec": key_spec}},
        "generate-signature": {"sign": {
            "key": pki_path(&format!("{key}.key")),
            "chain": pki_path(&format!("{key}.chain.pem")),
        }},
    })
}

/// One installed test plugin in a plugin directory.
pub type TestPlugin = InstalledPlugin;

/// The payload descriptor of a blob signed with the default media type.
pub fn blob_descriptor(blob: &[u8]) -> Descriptor {
    Descriptor::of_bytes("application/octet-stream", HashAlgorithm::Sha256, blob)
}

/// An envelope signed with the test PKI's rsa-2048 key over `descriptor`,
/// made with the library directly (what an envelope plugin returns),
/// optionally requiring the verification plugin `verification_plugin` (a
/// critical `io.cncf.notary.verificationPlugin`, B6), which the C ABI has
/// no way to ask for.
pub fn local_envelope(
    format: EnvelopeFormat,
    descriptor: Descriptor,
    verification_plugin: Option<&str>,
) -> Vec<u8> {
    let signer =
        LocalSigner::from_files(&pki_path("rsa-2048.key"), &pki_path("rsa-2048.chain.pem"))
            .unwrap();
    let payload = Payload::new(descriptor).to_json();
    let mut request = SignRequest::new(payload, &signer);
    if let Some(name) = verification_plugin {
        request = request.extended_attribute(ExtendedAttribute::new(
            header::VERIFICATION_PLUGIN,
            json!(name),
            true,
        ));
    }
    envelope::sign(format, &request, default_provider().as_ref()).unwrap()
}

/// The name of the verification plugin the C and Go tests install.
pub const FOREIGN_VERIFIER_PLUGIN: &str = "com.example.verifier";

/// Writes `{dir}/plugin-signed.bin` and its JWS signature
/// `{dir}/plugin-signed.bin.jws.sig`, which requires the verification
/// plugin [`FOREIGN_VERIFIER_PLUGIN`], for the C and Go tests; returns the
/// blob's path.
pub fn write_plugin_signed_blob(dir: &Path) -> PathBuf {
    let blob = b"a blob whose signature requires a verification plugin";
    let path = dir.join("plugin-signed.bin");
    std::fs::write(&path, blob).unwrap();
    std::fs::write(
        dir.join("plugin-signed.bin.jws.sig"),
        local_envelope(
            EnvelopeFormat::Jws,
            blob_descriptor(blob),
            Some(FOREIGN_VERIFIER_PLUGIN),
        ),
    )
    .unwrap();
    path
}
