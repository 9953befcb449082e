//! The error a command ends with. Every failure exits with status 1, as the
//! reference CLI does (cobra has no separate usage status); the text is
//! printed as `Error: <text>` on standard error.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The arguments are wrong (texts follow the reference where it has one).
    #[error("{0}")]
    Usage(String),
    /// Reading, writing or inspecting a file failed.
    #[error("{action} {}: {}", .path.display(), crate::fsutil::io_error_text(.source))]
    Io {
        /// What was attempted, e.g. `failed to read signature file`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// Standard output or standard error could not be written.
    #[error("display output error: {0}")]
    Output(io::Error),
    /// A confirmation was needed but there was no answer on standard input.
    #[error("{0}")]
    NotConfirmed(String),
    /// The operation failed; the text says what failed and why.
    #[error("{0}")]
    Failed(String),
    /// A message of several lines: what failed, then hints. Each line is
    /// printed (and escaped) on its own, so that a line break inside a
    /// line (from a registry or a plugin) is shown escaped, never obeyed.
    #[error("{}", .0.join("\n"))]
    Lines(Vec<String>),
    /// The command failed and has said so in its own output (a batch
    /// verification's report): it exits with status 1 and prints nothing
    /// more.
    #[error("the failure was reported in the output")]
    Reported,
}

impl CliError {
    /// A usage error.
    pub fn usage(text: impl fmt::Display) -> Self {
        CliError::Usage(text.to_string())
    }

    /// A failure with a message.
    pub fn failed(text: impl fmt::Display) -> Self {
        CliError::Failed(text.to_string())
    }

    /// A failure of several lines (the first says what failed).
    pub fn lines<I: IntoIterator<Item = S>, S: Into<String>>(lines: I) -> Self {
        CliError::Lines(lines.into_iter().map(Into::into).collect())
    }

    /// The lines to print after `Error: `: one, or those of
    /// [`CliError::Lines`] (none for [`CliError::Reported`]).
    pub fn display_lines(&self) -> Vec<String> {
        match self {
            CliError::Lines(lines) => lines.clone(),
            CliError::Reported => Vec::new(),
            e => vec![e.to_string()],
        }
    }

    /// An I/O failure on `path`.
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        CliError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        1
    }
}

impl From<notation_core::config::ConfigError> for CliError {
    fn from(e: notation_core::config::ConfigError) -> Self {
        CliError::Failed(e.to_string())
    }
}

/// `Result` with [`CliError`].
pub type CliResult<T = ()> = Result<T, CliError>;

/// Formats a string as Go's `%q` verb does (the reference quotes paths,
/// names and error texts that way).
pub fn go_quote(s: &str) -> String {
    notation_core::trust::GoQuoted(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\x01""#);
        assert_eq!(go_quote("é"), "\"é\"");
    }
}
