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

/// Formats a string the way Go's `%q` verb does for the characters that
/// appear in paths, names and error texts: quotes, backslashes and control
/// characters are escaped, everything else is printed as is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
