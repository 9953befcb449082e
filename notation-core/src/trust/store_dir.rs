//! One named trust store directory, opened once: its entries are listed
//! and its files opened through the one handle.
//!
//! On Unix the directory is opened with `O_NOFOLLOW`, so a symlinked store
//! is refused by the open itself (no separate `lstat`), and each file is
//! opened relative to the directory's descriptor (`openat`), so the kernel
//! walks the store's path once rather than once per file, non-blocking and
//! without following a link swapped in after the listing. Elsewhere the
//! same rules run on paths.
// Requirements: I3, I4.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::Path;

/// Why a store directory could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Nothing at the path.
    NotFound,
    /// Something other than a directory, a symlink included.
    NotADirectory,
    /// The directory could not be opened.
    Io(io::Error),
}

/// What a store directory entry is, not following links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A regular file.
    File,
    /// A directory, a symlink or a special file.
    Other,
}

/// An open store directory.
pub(crate) struct StoreDir {
    /// The listing of the directory, and its descriptor (`Dir::fd`).
    #[cfg(unix)]
    dir: rustix::fs::Dir,
    /// Whether the listing was read already (a second one starts over).
    #[cfg(unix)]
    listed: bool,
    #[cfg(not(unix))]
    path: std::path::PathBuf,
}

impl StoreDir {
    /// Opens the store directory at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, OpenError> {
        #[cfg(unix)]
        {
            use rustix::fs::{CWD, Mode, OFlags, openat};
            use rustix::io::Errno;
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            match openat(CWD, path, flags, Mode::empty()) {
                Ok(fd) => Ok(Self {
                    dir: rustix::fs::Dir::new(fd).map_err(|e| OpenError::Io(e.into()))?,
                    listed: false,
                }),
                Err(Errno::NOENT) => Err(OpenError::NotFound),
                // A symlink (O_NOFOLLOW) or not a directory (O_DIRECTORY).
                Err(Errno::LOOP | Errno::NOTDIR) => Err(OpenError::NotADirectory),
                Err(e) => Err(OpenError::Io(e.into())),
            }
        }
        #[cfg(not(unix))]
        {
            match fs::symlink_metadata(path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Err(OpenError::NotFound),
                Err(e) => Err(OpenError::Io(e)),
                // Not followed: a symlinked store is not a directory here.
                Ok(m) if !m.is_dir() => Err(OpenError::NotADirectory),
                Ok(_) => Ok(Self {
                    path: path.to_owned(),
                }),
            }
        }
    }

    /// The entries (not `.` and `..`) with their kinds, sorted by name as
    /// Go's `os.ReadDir` returns them: the order decides which error a
    /// broken store reports first and the order of the certificates.
    pub(crate) fn entries(&mut self) -> io::Result<Vec<(OsString, EntryKind)>> {
        let mut entries = Vec::new();
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;

            use rustix::fs::{AtFlags, FileType, statat};
            if self.listed {
                self.dir.rewind();
            }
            self.listed = true;
            let dir = &mut self.dir;
            while let Some(entry) = dir.read() {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let file_type = match entry.file_type() {
                    // Some file systems do not say in the listing.
                    FileType::Unknown => FileType::from_raw_mode(
                        statat(dir.fd()?, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW)?.st_mode,
                    ),
                    known => known,
                };
                let kind = if file_type == FileType::RegularFile {
                    EntryKind::File
                } else {
                    EntryKind::Other
                };
                entries.push((std::ffi::OsStr::from_bytes(name).to_owned(), kind));
            }
        }
        #[cfg(not(unix))]
        for entry in fs::read_dir(&self.path)? {
            let entry = entry?;
            let kind = if entry.file_type()?.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            entries.push((entry.file_name(), kind));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }

    /// Opens the entry `name` for reading, not following a link.
    pub(crate) fn open_file(&self, name: &std::ffi::OsStr) -> io::Result<fs::File> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags, openat};
            // Non-blocking: a FIFO swapped in after the listing cannot stall
            // the open (the caller refuses anything but a regular file).
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let fd = openat(self.dir.fd()?, name, flags, Mode::empty())?;
            Ok(fs::File::from(fd))
        }
        #[cfg(not(unix))]
        {
            fs::File::open(self.path.join(name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_files_and_missing_paths_are_not_stores() {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        fs::create_dir(&store).unwrap();
        fs::write(store.join("b.pem"), b"b").unwrap();
        fs::write(store.join("a.pem"), b"a").unwrap();
        fs::create_dir(store.join("sub")).unwrap();
        let mut dir = StoreDir::open(&store).unwrap();
        assert_eq!(
            dir.entries().unwrap(),
            vec![
                ("a.pem".into(), EntryKind::File),
                ("b.pem".into(), EntryKind::File),
                ("sub".into(), EntryKind::Other),
            ]
        );
        let mut text = String::new();
        io::Read::read_to_string(&mut dir.open_file("a.pem".as_ref()).unwrap(), &mut text).unwrap();
        assert_eq!(text, "a");
        assert!(matches!(
            StoreDir::open(&tmp.path().join("none")),
            Err(OpenError::NotFound)
        ));
        assert!(matches!(
            StoreDir::open(&store.join("a.pem")),
            Err(OpenError::NotADirectory)
        ));
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(&store, &link).unwrap();
            assert!(matches!(
                StoreDir::open(&link),
                Err(OpenError::NotADirectory)
            ));
            std::os::unix::fs::symlink(store.join("a.pem"), store.join("c.pem")).unwrap();
            let entries = dir.entries().unwrap();
            assert_eq!(entries[2], ("c.pem".into(), EntryKind::Other));
            assert!(dir.open_file("c.pem".as_ref()).is_err(), "not followed");
        }
    }
}
