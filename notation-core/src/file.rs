//! Atomic file writes, the one way the workspace writes its files
//! (configuration, signing keys, certificates, trust stores and policies,
//! signatures, credentials, the CRL cache, OCI layouts).
//!
//! A file is written to a new temporary file in the same directory (a
//! unique, partly random name, created exclusively with its final
//! permissions, so secret material is never readable by others, not even
//! for a moment), synced, then renamed over the destination, and the
//! directory is synced: readers see the old file or the new one, never a
//! partial one, a crash leaves no partial file, and concurrent writers of
//! the same file never step on each other's temporary files (the last
//! rename wins, every writer succeeds).
//!
//! A destination that is a symbolic link stays one: the file it points to
//! is replaced, as Docker does with a symlinked `~/.docker/config.json`
//! and as Go's `os.WriteFile` (which the reference CLI uses) writes through
//! links.
//!
//! Reading is the other half: [`open_regular`] opens a file only if it is
//! a regular file, without ever blocking on a FIFO or a device that sits
//! where a file is expected (in an OCI layout from elsewhere, say).
//!
//! ```
//! use notation_core::file::AtomicWrite;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("config.json");
//! AtomicWrite::private().write(&path, b"{}")?;
//! assert_eq!(std::fs::read(&path)?, b"{}");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

mod lock;
pub use lock::lock_exclusive;

/// Permission bits of private files: credentials, private keys, and what
/// the reference CLI writes owner-only (configuration, signatures, trust
/// policies, the CRL cache).
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Permission bits of files meant to be shared: certificates, OCI layout
/// content.
pub const PUBLIC_FILE_MODE: u32 = 0o644;

/// Permission bits of the directories created for private files (the
/// reference creates its configuration directories so).
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Permission bits of the directories of an OCI layout.
pub const PUBLIC_DIR_MODE: u32 = 0o755;

/// Symbolic links followed at most when resolving the destination (Linux's
/// own limit).
const MAX_SYMLINKS: usize = 40;

/// Longest part of the destination's name kept in the temporary file's
/// name, so that the latter stays within file name limits.
const MAX_TEMP_BASE: usize = 100;

/// How a file is written atomically: its permission bits, whether an
/// existing file may be replaced, the permissions of missing parent
/// directories. Build one with [`AtomicWrite::private`] or
/// [`AtomicWrite::public`], then [`AtomicWrite::write`].
///
/// On Unix the permission bits are given to the file when it is created,
/// so the process's umask still applies (as with Go's `os.WriteFile`): the
/// file is never more accessible than asked. Elsewhere they are ignored.
#[derive(Clone, Debug)]
pub struct AtomicWrite {
    mode: u32,
    dir_mode: u32,
    replace: bool,
    follow: bool,
    staging_dir: Option<PathBuf>,
}

impl AtomicWrite {
    /// Owner-only files ([`PRIVATE_FILE_MODE`]), in owner-only new
    /// directories ([`PRIVATE_DIR_MODE`]).
    pub fn private() -> Self {
        Self {
            mode: PRIVATE_FILE_MODE,
            dir_mode: PRIVATE_DIR_MODE,
            replace: true,
            follow: true,
            staging_dir: None,
        }
    }

    /// Files readable by all ([`PUBLIC_FILE_MODE`]), in owner-only new
    /// directories ([`PRIVATE_DIR_MODE`]; see [`AtomicWrite::dir_mode`]).
    pub fn public() -> Self {
        Self {
            mode: PUBLIC_FILE_MODE,
            ..Self::private()
        }
    }

    /// Other permission bits for the file.
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Permission bits of the parent directories created when missing
    /// (existing directories keep theirs).
    pub fn dir_mode(mut self, mode: u32) -> Self {
        self.dir_mode = mode;
        self
    }

    /// Never replaces an existing file, not even one that appears while
    /// writing, nor a symbolic link (dangling or not): the write then fails
    /// with [`io::ErrorKind::AlreadyExists`].
    pub fn no_replace(mut self) -> Self {
        self.replace = false;
        self
    }

    /// Replaces a symbolic link at the destination with the file instead
    /// of writing through it (the default), for files written where others
    /// may plant a link: the rename replaces the link itself, whatever it
    /// became since it was last looked at.
    pub fn no_follow(mut self) -> Self {
        self.follow = false;
        self
    }

    /// Creates the temporary file in `dir` rather than next to the
    /// destination, for directories whose every file is read as content (a
    /// trust store). `dir` must be on the destination's file system.
    pub fn staging_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.staging_dir = Some(dir.into());
        self
    }

    /// Writes `data` to `path` (through a symbolic link at `path`, unless
    /// [`AtomicWrite::no_replace`]), creating missing parent directories.
    pub fn write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let mut file = self.begin(path)?;
        file.write_all(data)?;
        file.commit()
    }

    /// Starts writing `path` piece by piece, for content too large to hold
    /// in memory: the returned [`AtomicFile`] takes the bytes (it is a
    /// [`Write`]r) into the temporary file, and [`AtomicFile::commit`] puts
    /// it in place as [`AtomicWrite::write`] does. Dropped without a
    /// commit, it removes the temporary file and `path` is untouched.
    pub fn begin(&self, path: &Path) -> io::Result<AtomicFile> {
        let target = if self.replace && self.follow {
            resolve_symlinks(path)?
        } else {
            path.to_path_buf()
        };
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
        let dir = parent_dir(&target).to_path_buf();
        create_dirs(&dir, self.dir_mode)?;
        let staging = self.staging_dir.as_deref().unwrap_or(&dir);
        create_dirs(staging, self.dir_mode)?;
        let temp = TempFile::create(staging, &name.to_string_lossy(), self.mode)?;
        Ok(AtomicFile {
            temp,
            target,
            dir,
            replace: self.replace,
        })
    }
}

/// A file being written atomically (from [`AtomicWrite::begin`]): the bytes
/// go to a temporary file, which [`AtomicFile::commit`] syncs and renames
/// into place; dropping it uncommitted removes the temporary file.
pub struct AtomicFile {
    temp: TempFile,
    target: PathBuf,
    dir: PathBuf,
    replace: bool,
}

impl std::fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomicFile")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl AtomicFile {
    /// Syncs the bytes written and puts the file in place.
    pub fn commit(self) -> io::Result<()> {
        self.temp
            .file
            .as_ref()
            .expect("open until dropped")
            .sync_all()?;
        if self.replace {
            fs::rename(&self.temp.path, &self.target)?;
        } else {
            link_no_replace(&self.temp.path, &self.target)?;
        }
        drop(self.temp);
        sync_dir(&self.dir);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp
            .file
            .as_ref()
            .expect("open until dropped")
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.file.as_ref().expect("open until dropped").flush()
    }
}

/// An I/O error's reason as Go's `syscall.Errno` words it (`no such file
/// or directory`), for texts that mirror the reference's (`open <path>:
/// <reason>`); other errors as Rust describes them, without the `(os error
/// N)` suffix; an error with a message of its own keeps it.
pub fn go_io_error_text(e: &io::Error) -> String {
    // An error of our own making keeps its words.
    if e.raw_os_error().is_none() && e.get_ref().is_some() {
        return e.to_string();
    }
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        io::ErrorKind::NotADirectory => "not a directory".into(),
        io::ErrorKind::AlreadyExists => "file exists".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error ") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// Opens `path` for reading if it is a regular file (following symbolic
/// links), and fails with [`io::ErrorKind::InvalidInput`] ("not a regular
/// file") otherwise. On Unix the file is opened non-blocking, so a FIFO
/// without a writer or a device cannot stall the open, and the type is
/// checked on the opened handle, so a file swapped after a check cannot
/// slip through; reads of a regular file are not affected by the flag.
pub fn open_regular(path: &Path) -> io::Result<fs::File> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// [`open_regular`], with the file's length from the metadata checked.
fn open_regular_sized(path: &Path) -> io::Result<(fs::File, u64)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, metadata.len()))
}

/// Reads the regular file at `path`, opened as [`open_regular`] opens it,
/// up to `limit + 1` bytes: more than `limit` bytes returned means the file
/// is larger than the caller allows. The buffer is sized from the file's
/// metadata, and a read that returns the size announced ends the file, so
/// a file is read in one system call.
pub fn read_regular_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_regular_sized(path)?;
    read_to_limit(file, len, limit)
}

/// Reads the regular file `file`, `len` bytes long by its metadata, to its
/// end or to `limit + 1` bytes, whichever comes first (a caller refuses
/// more than `limit`), in one system call where it can: the buffer is sized
/// from `len`, and a read that returns exactly the `len` bytes announced
/// when more were asked for has met the end (a regular file reads short
/// only there), so the read that would return nothing is not made. A file
/// that grew, or whose metadata says 0 (as procfs files do), is read on to
/// its end.
pub(crate) fn read_to_limit(file: fs::File, len: u64, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let capacity = usize::try_from(len.min(limit))
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let mut data = vec![0; capacity];
    let mut reader = file.take(limit.saturating_add(1));
    let first = loop {
        match reader.read(&mut data) {
            Ok(n) => break n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    data.truncate(first);
    let at_announced_end = len > 0 && first as u64 == len && first < capacity;
    if first > 0 && !at_announced_end {
        reader.read_to_end(&mut data)?;
    }
    Ok(data)
}

/// The file `path` designates once every symbolic link is followed: the
/// link's target (relative targets are relative to the link's directory),
/// or `path` itself when it is not a link. A dangling link gives its
/// missing target, which the write creates.
fn resolve_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    parent_dir(&current).join(target)
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn create_dirs(dir: &Path, mode: u32) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(dir)
}

/// Places `temp` at `target` unless something is there already. A hard
/// link never replaces a file; where the file system has none, a rename
/// after a check is the best that remains.
fn link_no_replace(temp: &Path, target: &Path) -> io::Result<()> {
    match fs::hard_link(temp, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => match fs::symlink_metadata(target) {
            Ok(_) => Err(io::Error::new(io::ErrorKind::AlreadyExists, "file exists")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::rename(temp, target),
            Err(e) => Err(e),
        },
    }
}

/// A temporary file, removed when dropped (after a rename, there is
/// nothing left to remove).
struct TempFile {
    path: PathBuf,
    file: Option<fs::File>,
}

impl TempFile {
    /// Creates `.{base}.{pid}.{random}.tmp` in `dir`, exclusively, with
    /// `mode`: a name no other writer (thread or process) uses.
    fn create(dir: &Path, base: &str, mode: u32) -> io::Result<Self> {
        let mut cut = base.len().min(MAX_TEMP_BASE);
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let base = &base[..cut];
        for _ in 0..16 {
            let path = dir.join(format!(
                ".{base}.{}.{}.tmp",
                std::process::id(),
                random_suffix()?
            ));
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(mode);
            }
            #[cfg(not(unix))]
            let _ = mode;
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary file name",
        ))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        drop(self.file.take());
        let _ = fs::remove_file(&self.path);
    }
}

/// 16 random hex digits.
fn random_suffix() -> io::Result<String> {
    use crate::crypto::primitives::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 8];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| io::Error::other("no randomness for a temporary file name"))?;
    Ok(crate::hex::encode(&bytes))
}

/// Syncs a directory so that a rename survives a crash. Best effort: the
/// file is in place already, and some file systems refuse to sync a
/// directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests;
