//! PINs: where they come from, and how they are kept.
//!
//! A PIN is never taken from a command-line argument (other users of the
//! machine can read those). It comes, in this order, from:
//! 1. the caller ([`Pkcs11SignerBuilder::pin`](crate::Pkcs11SignerBuilder::pin),
//!    for example read from standard input with [`Pin::read_from`]);
//! 2. the URI's `pin-value` attribute;
//! 3. the URI's `pin-source` attribute: a `file:` URI or a path to a file
//!    holding the PIN (one trailing newline is removed);
//! 4. the environment variable [`PIN_ENV`].
//!
//! A token with a protected authentication path (a PIN pad) needs none.
//! [`Pin`] wipes its bytes when dropped and never prints them.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

/// The environment variable a PIN is read from when nothing else gives one.
pub const PIN_ENV: &str = "NOTATION_PKCS11_PIN";

/// Longest PIN read from a file or a stream.
pub const MAX_PIN_LENGTH: usize = 1024;

/// A PIN (or password). `Debug` prints `Pin(<redacted>)`; the bytes are
/// wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(Zeroizing<Vec<u8>>);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// Why a PIN could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    /// The PIN file could not be read.
    #[error("failed to read the PIN from {}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error (printed in the message, so not a `source()`).
        error: std::io::Error,
    },
    /// The PIN stream could not be read.
    #[error("failed to read the PIN: {0}")]
    Read(std::io::Error),
    /// More than [`MAX_PIN_LENGTH`] bytes.
    #[error("the PIN is longer than {MAX_PIN_LENGTH} bytes")]
    TooLong,
    /// A `pin-source` that is neither a `file:` URI nor a path.
    #[error(
        "unsupported pin-source {0:?}: give a file: URI or a path (running programs is not supported)"
    )]
    UnsupportedSource(String),
    /// A `pin-source` naming a relative path.
    #[error("pin-source {0:?} must name an absolute path (file:/path/to/pin)")]
    RelativeSource(String),
    /// The PIN file is not a regular file (a FIFO, a device, a directory):
    /// it is not read, so that it cannot block.
    #[error("PIN file {} is not a regular file", .0.display())]
    NotARegularFile(PathBuf),
}

impl Pin {
    /// A PIN from its bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Pin(Zeroizing::new(bytes))
    }

    /// The PIN's bytes, to hand to the token.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Reads a PIN from a stream (standard input, a pipe): the first line,
    /// without its line ending, at most [`MAX_PIN_LENGTH`] bytes.
    pub fn read_from(reader: &mut dyn Read) -> Result<Self, PinError> {
        // One buffer of the largest size, filled in place and wiped on
        // drop: growing a vector (or std's probing read) would leave
        // copies of the PIN behind in freed memory.
        let mut buffer = Zeroizing::new(vec![0u8; MAX_PIN_LENGTH + 2]);
        let mut len = 0;
        while len < buffer.len() {
            match reader.read(&mut buffer[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(PinError::Read(e)),
            }
        }
        let data = &buffer[..len];
        let line_end = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
        let mut line = &data[..line_end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if line.len() > MAX_PIN_LENGTH {
            return Err(PinError::TooLong);
        }
        Ok(Pin::from_bytes(line.to_vec()))
    }

    /// Reads a PIN file: its content without one trailing line ending.
    pub fn read_file(path: &Path) -> Result<Self, PinError> {
        let io = |error| PinError::Io {
            path: path.to_path_buf(),
            error,
        };
        let mut file = notation_core::file::open_regular(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidInput {
                PinError::NotARegularFile(path.to_path_buf())
            } else {
                io(e)
            }
        })?;
        Self::read_from(&mut file).map_err(|e| match e {
            PinError::Read(error) => io(error),
            other => other,
        })
    }

    /// The PIN in [`PIN_ENV`], if set.
    pub fn from_env() -> Option<Self> {
        std::env::var_os(PIN_ENV).map(|v| Pin::from_bytes(v.into_encoded_bytes()))
    }

    /// Reads the PIN a URI's `pin-source` names: `file:/path`,
    /// `file:///path`, `file://localhost/path`, or a plain path.
    pub fn from_source(source: &str) -> Result<Self, PinError> {
        Self::read_file(&pin_source_path(source)?)
    }
}

/// The file a `pin-source` value names.
pub(crate) fn pin_source_path(source: &str) -> Result<PathBuf, PinError> {
    let unsupported = || PinError::UnsupportedSource(source.to_string());
    if let Some(rest) = source.strip_prefix("file:") {
        let path = if let Some(authority_path) = rest.strip_prefix("//") {
            // file://host/path: only the local host.
            let slash = authority_path.find('/').ok_or_else(unsupported)?;
            let host = &authority_path[..slash];
            if !host.is_empty() && host != "localhost" {
                return Err(unsupported());
            }
            &authority_path[slash..]
        } else {
            rest
        };
        if path.is_empty() {
            return Err(unsupported());
        }
        return absolute(PathBuf::from(path), source);
    }
    // A scheme other than file: (`https:`, ...) or a program (`|cmd`).
    let scheme_like = source
        .split_once(':')
        .is_some_and(|(s, _)| s.len() > 1 && s.bytes().all(|b| b.is_ascii_alphabetic()));
    if source.is_empty() || source.starts_with('|') || scheme_like {
        return Err(unsupported());
    }
    absolute(PathBuf::from(source), source)
}

/// A PIN file's path must be absolute: a relative one would read whatever
/// file of that name the current directory holds, and wrong PINs lock
/// tokens.
fn absolute(path: PathBuf, source: &str) -> Result<PathBuf, PinError> {
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(PinError::RelativeSource(source.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_pin() {
        let pin = Pin::from_bytes(b"123456".to_vec());
        assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
    }

    #[test]
    fn reads_the_first_line() {
        let pin = Pin::read_from(&mut &b"1234\r\nrest"[..]).unwrap();
        assert_eq!(pin.expose(), b"1234");
        let pin = Pin::read_from(&mut &b"no newline"[..]).unwrap();
        assert_eq!(pin.expose(), b"no newline");
        let long = vec![b'1'; MAX_PIN_LENGTH + 1];
        assert!(matches!(
            Pin::read_from(&mut &long[..]),
            Err(PinError::TooLong)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_pin_file_that_is_no_regular_file_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pin");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for path in [fifo.as_path(), dir.path()] {
            assert!(
                matches!(Pin::read_file(path), Err(PinError::NotARegularFile(p)) if p == path),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn pin_sources() {
        assert_eq!(pin_source_path("file:/a/b").unwrap(), Path::new("/a/b"));
        assert_eq!(pin_source_path("file:///a/b").unwrap(), Path::new("/a/b"));
        assert_eq!(
            pin_source_path("file://localhost/a").unwrap(),
            Path::new("/a")
        );
        assert_eq!(pin_source_path("/etc/pin").unwrap(), Path::new("/etc/pin"));
        for bad in [
            "pin.txt",
            "./pin",
            "file:pin.txt",
            "file://evil/a",
            "|/bin/cat",
            "https://x/pin",
            "",
            "file:",
            "file://",
        ] {
            assert!(pin_source_path(bad).is_err(), "{bad}");
        }
    }
}
