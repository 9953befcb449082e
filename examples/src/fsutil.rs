//! File helpers: every read is bounded, every write is atomic (a temporary
//! file in the same directory, synced, then moved into place), so that a
//! reader never sees a partial file and a crash never leaves one.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Largest signature envelope read (the reference's envelope limit, U).
pub const MAX_SIGNATURE_FILE_SIZE: u64 = notation_core::envelope::MAX_ENVELOPE_SIZE as u64;

/// Largest JSON configuration or policy file read.
pub const MAX_JSON_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Reads at most `limit` bytes of the regular file at `path`; a larger file,
/// a directory or a special file is an error.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = fs::File::open(path)?;
    // Checked on the opened file, so that a swap after a caller's check
    // cannot make us read a FIFO or a device.
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut data = Vec::new();
    file.take(limit + 1).read_to_end(&mut data)?;
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
}

/// Writes `data` to `path` atomically. The temporary file is created with
/// `mode` (Unix permission bits, e.g. `0o600` for private keys) before any
/// byte is written, so secret material is never readable by others, not even
/// for a moment. Creates the parent directory if needed.
pub fn write_atomic(path: &Path, data: &[u8], mode: u32, overwrite: Overwrite) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir_all(&dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let (tmp, mut file) = create_temp(&dir, &name, mode)?;
    let result = (|| {
        file.write_all(data)?;
        file.sync_all()?;
        drop(file);
        match overwrite {
            Overwrite::Allow => fs::rename(&tmp, path),
            // A hard link never replaces an existing file, so a file that
            // appeared since any earlier check is not clobbered.
            Overwrite::Deny => fs::hard_link(&tmp, path),
        }
    })();
    let _ = fs::remove_file(&tmp);
    result?;
    sync_dir(&dir);
    Ok(())
}

fn create_temp(dir: &Path, base: &str, mode: u32) -> io::Result<(PathBuf, fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    for _ in 0..32 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = dir.join(format!(".{base}.{}.{n}.{nanos}.tmp", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match options.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary file name",
    ))
}

/// Creates `dir` and its missing parents with permissions 0700 (as the
/// reference creates configuration directories); existing directories keep
/// theirs.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// An I/O error's text the way Go prints the common ones (`no such file or
/// directory`, `permission denied`), so that messages read like the
/// reference's; other errors keep the operating system's text.
pub fn io_error_text(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        io::ErrorKind::AlreadyExists => "file exists".into(),
        _ => {
            let text = e.to_string();
            // Drop Rust's " (os error N)" suffix.
            match text.find(" (os error ") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// Syncs a directory so that a rename survives a crash; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// `path` made absolute against the current directory (without resolving
/// symlinks), for messages; falls back to `path` itself.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

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
