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

use super::{pki_path, repo_root};

pub const RAW: &str = "SIGNATURE_GENERATOR.RAW";
pub const ENVELOPE: &str = "SIGNATURE_GENERATOR.ENVELOPE";
pub const ENVELOPE_FOR_BLOB: &str = "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB";
pub const TRUSTED_IDENTITY: &str = "SIGNATURE_VERIFIER.TRUSTED_IDENTITY";
pub const REVOCATION_CHECK: &str = "SIGNATURE_VERIFIER.REVOCATION_CHECK";

/// The test plugin script.
pub fn script() -> PathBuf {
    repo_root().join("testdata/plugin/test-plugin.py")
}

/// Fails loudly (never skips) when the tools the test plugin needs are
/// missing.
pub fn require_tools() {
    for (tool, arg) in [("python3", "--version"), ("openssl", "version")] {
        let ok = std::process::Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "the plugin tests need `{tool}` on PATH: they run a real plugin executable (testdata/plugin/test-plugin.py)"
        );
    }
    assert!(script().is_file(), "{} is missing", script().display());
}

/// Metadata a valid plugin returns.
pub fn metadata(name: &str, version: &str, capabilities: &[&str]) -> Value {
    json!({
        "name": name,
        "description": "notation-rs test plugin",
        "version": version,
        "url": "https://example.com/test-plugin",
        "supportedContractVersions": ["1.0"],
        "capabilities": capabilities,
    })
}

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
pub struct TestPlugin {
    root: PathBuf,
    name: String,
}

impl TestPlugin {
    /// Installs the plugin `name` with `behavior` under the plugin
    /// directory `root` (created if needed).
    pub fn install(root: &Path, name: &str, behavior: Value) -> Self {
        require_tools();
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join(format!("notation-{name}"));
        std::fs::copy(script(), &exe).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let plugin = Self {
            root: root.to_path_buf(),
            name: name.to_string(),
        };
        plugin.set_behavior(behavior);
        plugin
    }

    /// The plugin's own directory.
    pub fn dir(&self) -> PathBuf {
        self.root.join(&self.name)
    }

    /// The executable.
    pub fn executable(&self) -> PathBuf {
        self.dir().join(format!("notation-{}", self.name))
    }

    /// Replaces the behavior.
    pub fn set_behavior(&self, behavior: Value) {
        std::fs::write(
            self.dir().join("behavior.json"),
            serde_json::to_vec_pretty(&behavior).unwrap(),
        )
        .unwrap();
    }

    /// Every call so far: `{"command", "request", "argv"}`.
    pub fn calls(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.dir().join("calls.jsonl")) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The commands called so far, in order.
    pub fn commands(&self) -> Vec<String> {
        self.calls()
            .iter()
            .map(|c| c["command"].as_str().unwrap().to_string())
            .collect()
    }

    /// The last request of `command`.
    pub fn last_request(&self, command: &str) -> Value {
        self.calls()
            .into_iter()
            .rev()
            .find(|c| c["command"] == command)
            .unwrap_or_else(|| panic!("{command} was not called; calls: {:?}", self.commands()))
            ["request"]
            .clone()
    }

    /// Forgets the calls so far.
    pub fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.dir().join("calls.jsonl"));
    }
}

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
