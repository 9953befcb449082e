//! File helpers: every read is bounded and of a regular file, every write
//! is atomic (notation-core's [`AtomicWrite`]), so that a reader never sees
//! a partial file and a crash never leaves one.

use std::io;

use notation_core::file::AtomicWrite;
use std::path::{Path, PathBuf};

/// Largest signature envelope read (the reference's envelope limit).
pub const MAX_SIGNATURE_FILE_SIZE: u64 = notation_core::envelope::MAX_ENVELOPE_SIZE as u64;

/// Largest JSON configuration or policy file read.
pub const MAX_JSON_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Reads at most `limit` bytes of the regular file at `path`; a larger file,
/// a directory or a special file is an error.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    // Opened without blocking and checked on the opened file, so that
    // neither a FIFO nor a swap after a caller's check can stall or fool us.
    let data = notation_core::file::read_regular_bounded(path, limit)?;
    if data.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("file is larger than the limit of {limit} bytes"),
        ));
    }
    Ok(data)
}

/// Whether an existing file may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace an existing file.
    Allow,
    /// Fail with [`io::ErrorKind::AlreadyExists`] if the file exists, even
    /// one that appeared while we were writing.
    Deny,
    /// Replace what is at the path, a symbolic link included (the link
    /// itself, never the file it points to).
    ReplaceEntry,
}

/// Writes `data` to `path` atomically with the workspace's one writer,
/// [`notation_core::file::AtomicWrite`]: a unique temporary file created
/// with `mode` (Unix permission bits, `0o600` for private keys) before any
/// byte is written, so secret material is never readable by others, not
/// even for a moment; synced, renamed into place (or linked, with
/// [`Overwrite::Deny`]), the directory synced. Missing parent directories
/// are created owner-only (as the reference creates them); a symbolic link
/// at `path` stays one (its target is replaced).
pub fn write_atomic(path: &Path, data: &[u8], mode: u32, overwrite: Overwrite) -> io::Result<()> {
    let write = AtomicWrite::private().mode(mode);
    match overwrite {
        Overwrite::Allow => write,
        Overwrite::Deny => write.no_replace(),
        Overwrite::ReplaceEntry => write.no_follow(),
    }
    .write(path, data)
}

/// An I/O error's text the way Go prints the common ones (`no such file or
/// directory`, `permission denied`), so that messages read like the
/// reference's.
pub use notation_core::file::go_io_error_text as io_error_text;

/// Go's error for reading the file at `path` (`os.Open`, `os.ReadFile`), as
/// the reference prints it: `open <path>: <reason>`, or `read <path>: is a
/// directory` for a directory (which Go opens, then fails to read).
pub fn go_read_error(path: &Path, e: &io::Error) -> String {
    if path.is_dir() {
        return format!("read {}: is a directory", path.display());
    }
    format!("open {}: {}", path.display(), io_error_text(e))
}

/// `path` made absolute against the current directory (without resolving
/// symlinks), for messages; falls back to `path` itself.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn bounded_reads() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, b"12345").unwrap();
        assert_eq!(read_bounded(&p, 5).unwrap(), b"12345");
        assert_eq!(
            read_bounded(&p, 4).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            read_bounded(dir.path(), 4).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn atomic_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("key.pem");
        write_atomic(&p, b"secret", 0o600, Overwrite::Deny).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let e = write_atomic(&p, b"other", 0o600, Overwrite::Deny).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"secret");
        write_atomic(&p, b"other", 0o644, Overwrite::Allow).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"other");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
