//! Why installing or uninstalling a plugin failed, and how a plugin's own
//! errors are classed and worded as the reference CLI words them.

use std::io;
use std::path::PathBuf;

use notation_core::plugin::PluginError;
use notation_core::plugin::semver::InvalidVersion;

use super::{ArchiveFormat, EntryKind, InvalidExecutableName, InvalidPluginName};
use crate::error::go_quote;

/// Why an install failed. The texts follow the reference where it has one;
/// the CLI prefixes them with `plugin installation failed: `.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The source could not be opened or inspected.
    #[error("failed to read the plugin source {}: {}", .path.display(), crate::fsutil::io_error_text(.source))]
    Source {
        /// The source.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The source is a directory or a special file.
    #[error("{} is not a valid file", .path.display())]
    NotAFile {
        /// The source.
        path: PathBuf,
    },
    /// The package is not smaller than the limit.
    #[error("file size reached the {} MiB size limit", .limit / 1024 / 1024)]
    PackageTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// `--sha256sum` does not match.
    #[error("plugin SHA-256 checksum does not match user input. Expecting {expected}")]
    ChecksumMismatch {
        /// What the user gave.
        expected: String,
        /// What the package has.
        actual: String,
    },
    /// An entry name contains `..` (zip slip).
    #[error("file name in {format} cannot contain '..', but found {}", go_quote(.name))]
    PathTraversal {
        /// The archive format.
        format: ArchiveFormat,
        /// The entry's name.
        name: String,
    },
    /// An entry name is absolute.
    #[error("file name in {format} cannot be an absolute path, but found {}", go_quote(.name))]
    AbsolutePath {
        /// The archive format.
        format: ArchiveFormat,
        /// The entry's name.
        name: String,
    },
    /// An entry is not a file name we can create.
    #[error("file name in {format} is not a valid file name: {}", go_quote(.name))]
    InvalidEntryName {
        /// The archive format.
        format: ArchiveFormat,
        /// The entry's name.
        name: String,
    },
    /// An entry is a link or a special file.
    #[error("{format} entry {} is {kind}; a plugin package may only hold regular files and directories", go_quote(.name))]
    UnsupportedEntry {
        /// The archive format.
        format: ArchiveFormat,
        /// The entry's name.
        name: String,
        /// What it is.
        kind: EntryKind,
    },
    /// Two entries would be the same file.
    #[error("{format} archive holds more than one file named {}", go_quote(.name))]
    DuplicateFile {
        /// The archive format.
        format: ArchiveFormat,
        /// The file name.
        name: String,
    },
    /// The extracted files are not smaller than the limit (declared or
    /// counted while decompressing).
    #[error("total file size reached the {} MiB size limit", .limit / 1024 / 1024)]
    TotalSizeLimit {
        /// The limit in bytes.
        limit: u64,
    },
    /// The archive has more entries than the limit.
    #[error("{format} archive has more than {limit} entries")]
    TooManyEntries {
        /// The archive format.
        format: ArchiveFormat,
        /// The limit.
        limit: usize,
    },
    /// The archive cannot be read.
    #[error("invalid {format} archive: {reason}")]
    InvalidArchive {
        /// The archive format.
        format: ArchiveFormat,
        /// The reader's complaint.
        reason: String,
    },
    /// More than one executable `notation-*` file.
    #[error(
        "failed to read plugin from input directory: found more than one plugin executable files"
    )]
    MultipleExecutables,
    /// No executable `notation-*` file, and not exactly one candidate.
    #[error("failed to read plugin from input directory: no plugin executable file was found{}", .reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    NoExecutable {
        /// Why the single candidate could not be used (Windows).
        reason: Option<String>,
    },
    /// A single-file package whose name is not `notation-{name}`.
    #[error("failed to read plugin name from input file {}: {source}", .source.file)]
    InvalidExecutableName {
        /// The name error.
        #[source]
        source: InvalidExecutableName,
    },
    /// A single-file package without the executable bit.
    #[error("input file {file} is not executable")]
    NotExecutable {
        /// The file name.
        file: String,
    },
    /// The plugin's name cannot be a plugin directory.
    #[error(transparent)]
    InvalidPluginName(#[from] InvalidPluginName),
    /// The new plugin's `get-plugin-metadata` failed.
    #[error("failed to get metadata of new plugin: {}", plugin_error_text(.0))]
    NewPluginMetadata(#[source] PluginError),
    /// The metadata name differs from the executable's `{name}`.
    #[error("failed to get metadata of new plugin: plugin executable file name must be {} instead of {}", go_quote(.expected), go_quote(.actual))]
    NameMismatch {
        /// The executable name the plugin's metadata name implies.
        expected: String,
        /// The executable's name.
        actual: String,
    },
    /// The installed plugin could not be inspected (without `--force`).
    #[error("failed to check plugin existence: {}", plugin_error_text(.0))]
    ExistenceCheck(#[source] PluginError),
    /// The installed plugin's `get-plugin-metadata` failed (without
    /// `--force`).
    #[error("failed to get metadata of existing plugin: {}", plugin_error_text(.0))]
    ExistingPluginMetadata(#[source] PluginError),
    /// A version is not SemVer (without `--force`).
    #[error("failed to compare plugin versions: {0}")]
    VersionComparison(#[source] InvalidVersion),
    /// The new version is lower than the installed one (without `--force`).
    #[error(
        "failed to install plugin {name}. The installing plugin version {new_version} is lower than the existing plugin version {existing_version}"
    )]
    Downgrade {
        /// The plugin.
        name: String,
        /// The package's version.
        new_version: String,
        /// The installed version.
        existing_version: String,
    },
    /// The same version is installed (without `--force`).
    #[error("plugin {name} with version {version} already exists")]
    SameVersion {
        /// The plugin.
        name: String,
        /// The version.
        version: String,
    },
    /// The staging area could not be prepared or written.
    #[error("{action} {}: {}", .path.display(), crate::fsutil::io_error_text(.source))]
    Staging {
        /// What failed.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}

/// Which of the reference's error classes a plugin error is in; the CLI
/// adds a different hint to each (notation-go's `PluginExecutableFileError`
/// and `PluginMalformedError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataFailure {
    /// The executable does not run properly.
    Executable,
    /// The plugin runs but answers wrongly.
    Malformed,
    /// The plugin reported an error itself.
    Plugin,
    /// Anything else (no hint).
    Other,
}

/// The class of a plugin error (see [`MetadataFailure`]).
pub fn failure_of(e: &PluginError) -> MetadataFailure {
    match e {
        PluginError::Execution { .. }
        | PluginError::ExecFormat { .. }
        | PluginError::Exit { .. }
        | PluginError::Timeout { .. }
        | PluginError::NotExecutable { .. } => MetadataFailure::Executable,
        PluginError::MalformedErrorResponse { .. }
        | PluginError::MalformedResponse { .. }
        | PluginError::OutputTooLarge { .. }
        | PluginError::InvalidMetadata { .. } => MetadataFailure::Malformed,
        PluginError::ErrorResponse { .. } => MetadataFailure::Plugin,
        _ => MetadataFailure::Other,
    }
}

/// A plugin error as the reference CLI words it where its text differs
/// from the library's: a plugin that exits without a word is its exit status alone, a response
/// that does not parse is named without the parser's complaint (which `-d`
/// can show), and an error response that does not parse is the parser's
/// complaint alone. Everything else is the library's text.
pub fn plugin_error_text(e: &PluginError) -> String {
    match e {
        PluginError::Exit { status, stderr, .. } if stderr.is_empty() => status.clone(),
        PluginError::MalformedResponse {
            plugin, command, ..
        } => format!("failed to unmarshal the response of {command} command for plugin {plugin}"),
        PluginError::MalformedErrorResponse { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

/// Why an uninstall failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UninstallError {
    /// The name cannot be a plugin.
    #[error(transparent)]
    InvalidPluginName(#[from] InvalidPluginName),
    /// The plugin directory is not there.
    #[error("plugin directory {} does not exist", .0.display())]
    NotInstalled(PathBuf),
    /// Moving or removing it failed.
    #[error("{}: {}", .path.display(), crate::fsutil::io_error_text(.source))]
    Io {
        /// Where.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}
