//! What can go wrong when finding, running or trusting a plugin.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::protocol::{Command, ErrorCode, MetadataError};
use crate::trust::GoQuoted;
use crate::x509::CertificateParseError;

/// Why a plugin could not be used. Texts follow the reference where it has
/// one (MANIFEST 12); variants carry the facts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// No plugin of that name is installed (the reference's text: its
    /// `stat` of the executable failed).
    // Requirements: R1.
    #[error(
        "plugin executable file is either not found or inaccessible: stat {}: no such file or directory",
        .path.display()
    )]
    NotFound {
        /// The plugin name.
        name: String,
        /// Where the executable was looked for.
        path: PathBuf,
    },
    /// A name that cannot be a directory under the plugin directory (empty,
    /// `.`/`..`, or with a path separator). Plugin names come from
    /// signatures, so they are checked before any path is built.
    #[error("invalid plugin name {}", GoQuoted(.0))]
    InvalidName(String),
    /// The executable is a directory, a symlink or another non-regular
    /// file.
    // Requirements: R1.
    #[error("plugin executable file is not a regular file")]
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The executable has no execute permission.
    // Requirements: R1.
    #[error("plugin executable file {} is not executable", .path.display())]
    NotExecutable {
        /// The path.
        path: PathBuf,
    },
    /// The executable or the plugin directory could not be examined.
    #[error("plugin executable file is either not found or inaccessible: {detail}")]
    Inaccessible {
        /// The path.
        path: PathBuf,
        /// The operating system's error.
        detail: String,
    },
    /// The plugin directory could not be listed.
    #[error("failed to list plugin: {detail}")]
    DirectoryWalk {
        /// The plugin directory.
        path: PathBuf,
        /// The operating system's error.
        detail: String,
    },
    /// The executable could not be started, or its pipes failed.
    #[error("failed to execute the {command} command for plugin {plugin}: {detail}")]
    Execution {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// What failed.
        detail: String,
    },
    /// The operating system refused to run the executable because it is not
    /// a program for this platform (`ENOEXEC`; `ERROR_BAD_EXE_FORMAT` on
    /// Windows): a plugin built for another operating system or
    /// architecture, or a script without an interpreter line. Callers such
    /// as `notation plugin list` tell the user to reinstall the plugin (the
    /// reference singles this case out the same way).
    #[error("failed to execute the {command} command for plugin {plugin}: {} is not an executable for this platform (exec format error)", .path.display())]
    ExecFormat {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// The executable.
        path: PathBuf,
    },
    /// The plugin exited with a code other than 0 and 1, was killed by a
    /// signal, or exited with 1 without an error response.
    // Requirements: R2.
    #[error("failed to execute the {command} command for plugin {plugin}: {status}{}", stderr_suffix(.stderr))]
    Exit {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// `exit status N` or `signal: N`.
        status: String,
        /// The start of what it wrote to stderr (lossy UTF-8, at most 1 KiB).
        stderr: String,
    },
    /// The plugin exited with 1 and an error response. The text is
    /// the plugin's message, as the reference shows it.
    // Requirements: R2, R3.
    #[error("{}", error_response_text(.code, .message))]
    ErrorResponse {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// The error code.
        code: ErrorCode,
        /// The message.
        message: String,
        /// The error metadata.
        metadata: BTreeMap<String, String>,
    },
    /// The plugin exited with 1 and stderr that is not an error response
    /// (the reference's `PluginMalformedError`).
    #[error(
        "plugin {plugin} returned a malformed error response for the {command} command: {detail}"
    )]
    MalformedErrorResponse {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// Why it does not parse.
        detail: String,
    },
    /// The plugin exited with 0 and stdout that is not the command's
    /// response (the reference's `PluginMalformedError`).
    #[error("failed to unmarshal the response of {command} command for plugin {plugin}: {detail}")]
    MalformedResponse {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// Why it does not parse.
        detail: String,
    },
    /// stdout or stderr exceeded the limit (64 MiB); the plugin was
    /// killed.
    // Requirements: R2.
    #[error(
        "output of the {command} command of plugin {plugin} on {stream} exceeds the limit of {limit} bytes"
    )]
    OutputTooLarge {
        /// The plugin.
        plugin: String,
        /// The command.
        command: Command,
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// The plugin did not finish within the configured timeout; it was
    /// killed.
    #[error("'{} {command}' command execution timeout", .path.display())]
    Timeout {
        /// The executable.
        path: PathBuf,
        /// The command.
        command: Command,
    },
    /// The metadata breaks the rules.
    // Requirements: R4.
    #[error("metadata validation failed for plugin {plugin}: {reason}")]
    InvalidMetadata {
        /// The plugin.
        plugin: String,
        /// What is wrong.
        reason: MetadataError,
    },
    /// The metadata's name is not the plugin's install name.
    // Requirements: R4.
    #[error("plugin executable file name must be {} instead of {}", GoQuoted(.expected), GoQuoted(.actual))]
    NameMismatch {
        /// The executable name the metadata's name implies.
        expected: String,
        /// The executable's name.
        actual: String,
    },
    /// A response did not echo the request's key id.
    // Requirements: R5.
    #[error(
        "keyID in {} response {} does not match request {}",
        .command.camel_name(),
        GoQuoted(.got),
        GoQuoted(.want)
    )]
    KeyIdMismatch {
        /// `describe-key` or `generate-signature`.
        command: Command,
        /// What the plugin returned.
        got: String,
        /// What was asked.
        want: String,
    },
    /// `describe-key` returned a key spec that is none of the six (the
    /// reference's text names none).
    // Requirements: G4.
    #[error("unknown key spec")]
    UnknownKeySpec(String),
    /// `generate-signature` returned an unsupported signing algorithm.
    // Requirements: R5.
    #[error("signing algorithm {} in generateSignature response is not supported", GoQuoted(.0))]
    UnsupportedSigningAlgorithm(String),
    /// `generate-signature` returned a signing algorithm other than the key
    /// spec's (the reference does not check this).
    // Requirements: R5.
    #[error(
        "signing algorithm {} in generateSignature response does not match the key spec {}",
        GoQuoted(.got),
        GoQuoted(.key_spec)
    )]
    SigningAlgorithmMismatch {
        /// What the plugin returned.
        got: String,
        /// The key spec from `describe-key`.
        key_spec: String,
    },
    /// A certificate of `generate-signature`'s chain does not parse.
    // Requirements: R5.
    #[error("{0}")]
    Certificate(CertificateParseError),
    /// `generate-signature` returned no certificate (the reference's text,
    /// which it gives when it checks the chain of the envelope it made).
    #[error("certificate-chain not present or is empty")]
    EmptyCertificateChain,
    /// No longer returned: an empty signature from `generate-signature` now
    /// fails when the envelope made around it is read back
    /// ([`SignError::Envelope`](crate::envelope::SignError::Envelope)), as
    /// the reference fails it.
    #[deprecated(note = "an empty signature fails as SignError::Envelope")]
    #[error("signature is not present in generateSignature response")]
    EmptySignature,
    /// `generate-envelope` returned another envelope type than asked.
    // Requirements: R6.
    #[error(
        "signatureEnvelopeType in generateEnvelope response {} does not match request {}",
        GoQuoted(.got),
        GoQuoted(.want)
    )]
    EnvelopeTypeMismatch {
        /// What the plugin returned.
        got: String,
        /// What was asked.
        want: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

fn error_response_text(code: &ErrorCode, message: &str) -> String {
    if message.is_empty() {
        format!("plugin returned error code {code}")
    } else {
        message.to_string()
    }
}

impl PluginError {
    /// The error code, when the plugin answered with an error response.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match self {
            PluginError::ErrorResponse { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the plugin was not found (as opposed to found but broken).
    pub fn is_not_found(&self) -> bool {
        matches!(self, PluginError::NotFound { .. })
    }
}
