//! The Notation plugin protocol, contract 1.0.
//!
//! A plugin signs with a key notation-rs never sees (`SIGNATURE_GENERATOR`
//! capabilities) or takes over verification steps
//! (`SIGNATURE_VERIFIER` capabilities). It is an executable,
//! `{plugins}/{name}/notation-{name}`, run once per command with a JSON
//! request on stdin; it answers with JSON on stdout (exit 0) or an error
//! response on stderr (exit 1).
//!
//! - [`Plugin`] is one plugin: a name and a way to run a command on request
//!   bytes. [`ExecutablePlugin`] runs an installed executable; an
//!   embedder can implement the trait to serve a plugin in-process. The
//!   typed calls (`get_metadata`, `describe_key`, `generate_signature`,
//!   `generate_envelope`, `verify_signature`) are defined on `dyn Plugin`
//!   so that every plugin, in-process or
//!   not, gets the same request encoding and response validation.
//! - [`PluginLocator`] finds plugins by name; [`PluginDirectory`] is the
//!   installed-plugin directory, with listing for `notation plugin
//!   list`.
//! - [`PluginSigner`] signs with a plugin key, and
//!   [`RawPluginSigner`] is the [`Signer`](crate::signer::Signer) over a
//!   `SIGNATURE_GENERATOR.RAW` plugin.
//! - Verification with plugins is part of
//!   [`Verifier`](crate::verifier::Verifier): give its builder a
//!   [`PluginLocator`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use notation_core::plugin::{PluginDirectory, PluginLocator, GetMetadataRequest};
//!
//! let plugins = PluginDirectory::from_environment();
//! for name in plugins.list()? {
//!     let plugin = plugins.locate(&name)?;
//!     let metadata = plugin.get_metadata(&GetMetadataRequest::default())?;
//!     println!("{name} {} {:?}", metadata.version, metadata.capabilities);
//! }
//! # Ok::<(), notation_core::plugin::PluginError>(())
//! ```
// Requirements: R1-R9, R2, R1, R5-R7, R9, R8.

mod error;
mod error_response;
mod executable;
pub mod protocol;
pub mod semver;
mod signing;

use std::sync::Arc;

pub use error::PluginError;
pub use executable::{
    DEFAULT_PLUGIN_TIMEOUT, ExecutablePlugin, INSTALL_STAGING_PREFIX, MAX_PLUGIN_OUTPUT_SIZE,
    PluginDirectory, PluginEntry, executable_file_name,
};
pub use protocol::{
    CONTRACT_VERSION, Capability, Command, CriticalAttributes, DescribeKeyRequest,
    DescribeKeyResponse, ErrorCode, ErrorResponse, GenerateEnvelopeRequest,
    GenerateEnvelopeResponse, GenerateSignatureRequest, GenerateSignatureResponse,
    GetMetadataRequest, MetadataError, PluginConfig, PluginMetadata, PluginTrustPolicy,
    SignatureDetails, VerificationResult, VerifySignatureRequest, VerifySignatureResponse,
};
pub use signing::{
    PluginSignError, PluginSignFailure, PluginSignOptions, PluginSignature, PluginSigner,
    RawPluginSigner,
};

/// The prefix of every plugin executable's name.
pub const BINARY_PREFIX: &str = "notation-";

/// One plugin.
///
/// Implement [`Plugin::run`] to serve a plugin in-process: it receives the
/// command and the request JSON exactly as an executable would on stdin,
/// and returns the response JSON, or a [`PluginError`] (use
/// [`PluginError::ErrorResponse`] for the contract's error responses).
/// Callers use the typed calls on `dyn Plugin`, which encode requests,
/// decode and validate responses.
pub trait Plugin: Send + Sync {
    /// The plugin's name: its install directory name, which its metadata
    /// must repeat.
    // Requirements: R4.
    fn name(&self) -> &str;

    /// Runs `command` with the request JSON and returns the response JSON.
    fn run(&self, command: Command, request: &[u8]) -> Result<Vec<u8>, PluginError>;
}

/// Finds plugins by name.
pub trait PluginLocator: Send + Sync {
    /// The plugin called `name`, or [`PluginError::NotFound`] (or another
    /// error saying why the installed one cannot run).
    fn locate(&self, name: &str) -> Result<Arc<dyn Plugin>, PluginError>;
}

impl dyn Plugin + '_ {
    fn call<Resp: serde::de::DeserializeOwned>(
        &self,
        command: Command,
        request: &impl serde::Serialize,
    ) -> Result<Resp, PluginError> {
        // Go's escaping, so a plugin sees the bytes notation would send.
        let request = crate::json::to_vec_go(request).map_err(|e| PluginError::Execution {
            plugin: self.name().to_string(),
            command,
            detail: format!("failed to marshal request object: {e}"),
        })?;
        let response = self.run(command, &request)?;
        let malformed = |detail: String| PluginError::MalformedResponse {
            plugin: self.name().to_string(),
            command,
            detail,
        };
        crate::json::check_depth(&response, crate::json::MAX_DEPTH).map_err(malformed)?;
        // serde would read a JSON array into a struct; every response is an
        // object (Go refuses an array too).
        let first = response.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            return Err(malformed(format!(
                "the response must be a JSON object, got {}",
                String::from_utf8_lossy(&response[..response.len().min(16)])
            )));
        }
        // Text that is not UTF-8, and lone surrogate escapes, read as
        // U+FFFD, as Go's decoder reads them.
        serde_json::from_str(&crate::json::go_text(&response)).map_err(|e| malformed(e.to_string()))
    }

    /// Runs `get-plugin-metadata` and validates the answer: every
    /// field present, contract version [`CONTRACT_VERSION`] supported, the
    /// name equal to the plugin's install name.
    // Requirements: R3, R4.
    pub fn get_metadata(
        &self,
        request: &GetMetadataRequest,
    ) -> Result<PluginMetadata, PluginError> {
        let metadata: PluginMetadata = self.call(Command::GetPluginMetadata, request)?;
        metadata
            .validate()
            .map_err(|reason| PluginError::InvalidMetadata {
                plugin: self.name().to_string(),
                reason,
            })?;
        if metadata.name != self.name() {
            return Err(PluginError::NameMismatch {
                expected: executable_file_name(&metadata.name),
                actual: executable_file_name(self.name()),
            });
        }
        Ok(metadata)
    }

    /// Runs `describe-key`. The response is returned as the plugin
    /// gave it; [`PluginSigner`] checks the key id and key spec.
    // Requirements: R5.
    pub fn describe_key(
        &self,
        request: &DescribeKeyRequest,
    ) -> Result<DescribeKeyResponse, PluginError> {
        self.call(Command::DescribeKey, request)
    }

    /// Runs `generate-signature`. The response is returned as the
    /// plugin gave it; [`RawPluginSigner`] validates it.
    // Requirements: R5.
    pub fn generate_signature(
        &self,
        request: &GenerateSignatureRequest,
    ) -> Result<GenerateSignatureResponse, PluginError> {
        self.call(Command::GenerateSignature, request)
    }

    /// Runs `generate-envelope`. The response is returned as the plugin
    /// gave it; [`PluginSigner`] validates it.
    // Requirements: R6.
    pub fn generate_envelope(
        &self,
        request: &GenerateEnvelopeRequest,
    ) -> Result<GenerateEnvelopeResponse, PluginError> {
        self.call(Command::GenerateEnvelope, request)
    }

    /// Runs `verify-signature`. The response is returned as the plugin
    /// gave it; the [`Verifier`](crate::verifier::Verifier) interprets it.
    // Requirements: R8.
    pub fn verify_signature(
        &self,
        request: &VerifySignatureRequest,
    ) -> Result<VerifySignatureResponse, PluginError> {
        self.call(Command::VerifySignature, request)
    }
}

/// Checks a plugin name before it becomes part of a path: plugin names come
/// from signatures (`io.cncf.notary.verificationPlugin`) and key
/// configurations. An installer's staging directory
/// ([`INSTALL_STAGING_PREFIX`]) is never a plugin.
pub(crate) fn check_name(name: &str) -> Result<(), PluginError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.starts_with(INSTALL_STAGING_PREFIX)
        || name.contains(['/', '\\', '\0'])
        || (cfg!(windows) && name.contains(':'));
    if bad {
        Err(PluginError::InvalidName(name.to_string()))
    } else {
        Ok(())
    }
}
