//! Extraction of `.zip` and `.tar.gz` plugin packages into a staging
//! directory, hardened against hostile archives:
//!
//! - names with `..` (the reference's zip-slip rule and text), absolute
//!   names, and names that are not a plain file name once reduced are
//!   refused; symbolic links, hard links and special files are refused;
//! - only plain file names are ever joined to the staging directory, and
//!   files are created with `create_new`, so nothing is written outside it
//!   and nothing is written twice;
//! - sizes: the sum of the declared sizes is checked before anything is
//!   decompressed (an early refusal with the reference's text), and the
//!   bytes actually produced are counted while decompressing, so a header
//!   that lies stops at the limit too; a tar stream is capped as a whole;
//! - the number of entries is limited.
//!
//! What is extracted follows the reference: from a zip, the regular files
//! at the archive's root (files in sub-directories are ignored); from a
//! tar.gz, every regular file, flattened to its base name.
// Requirements: R10.

use std::cell::Cell;
use std::collections::HashSet;
use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;
use std::rc::Rc;

use super::{ArchiveFormat, InstallError, Limits};

/// Extra room in a tar stream for headers, padding and extension records
/// beyond the file data itself.
const TAR_OVERHEAD_BYTES: u64 = 16 * 1024 * 1024;

/// A file written into the staging directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ExtractedFile {
    /// Its plain file name.
    pub name: String,
    /// Its permission bits as written (`mode & 0o755`, owner read/write).
    pub mode: u32,
}

/// What a refused archive entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// A symbolic link.
    SymbolicLink,
    /// A hard link.
    HardLink,
    /// A device, a FIFO, a socket.
    SpecialFile,
    /// Any other type (a sparse file, an unknown tar type).
    Unsupported,
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::SymbolicLink => "a symbolic link",
            Self::HardLink => "a hard link",
            Self::SpecialFile => "a special file",
            Self::Unsupported => "of an unsupported type",
        })
    }
}

/// The reference's zip-slip rule (any `..`, even inside a name) and an
/// absolute-path rule of our own (a leading `/` or `\`, or a drive letter).
pub(super) fn check_entry_name(name: &str, format: ArchiveFormat) -> Result<(), InstallError> {
    if name.contains("..") {
        return Err(InstallError::PathTraversal {
            format,
            name: name.to_string(),
        });
    }
    let b = name.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if name.starts_with('/') || name.starts_with('\\') || drive {
        return Err(InstallError::AbsolutePath {
            format,
            name: name.to_string(),
        });
    }
    Ok(())
}

/// The path components of an entry name, `/` and `\` both separating, empty
/// and `.` components dropped.
fn components(name: &str) -> Vec<&str> {
    name.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// Whether `name` may be created as a file in the staging directory: one
/// plain component, no control characters (NUL included).
pub(super) fn is_plain_file_name(name: &str) -> bool {
    // ':' names an alternate data stream or a drive on Windows.
    let windows_special = cfg!(windows) && name.contains(':');
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || windows_special;
    !bad
}

/// The permission bits a file gets: the archive's, without set-id, sticky
/// or group/other write bits (as the reference's `& 0755`), always readable
/// and writable by the owner.
fn installed_mode(mode: u32) -> u32 {
    (mode & 0o755) | 0o600
}

fn archive_error(format: ArchiveFormat, e: impl std::fmt::Display) -> InstallError {
    InstallError::InvalidArchive {
        format,
        reason: e.to_string(),
    }
}

/// Where reading an entry's data failed.
enum CopyError {
    /// Reading (decompressing) the archive.
    Read(io::Error),
    /// Writing the staging file.
    Write(io::Error),
    /// More bytes than the budget.
    TooLarge,
}

/// Creates `dir/name` (which must not exist) and copies at most `budget`
/// bytes of `data` into it; more is [`CopyError::TooLarge`]. The file is
/// synced and gets `mode` before it is closed.
fn write_new_file(
    dir: &Path,
    name: &str,
    data: &mut dyn Read,
    budget: u64,
    mode: u32,
) -> Result<u64, CopyError> {
    let path = dir.join(name);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(CopyError::Write)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut written: u64 = 0;
    loop {
        let n = match data.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        written += n as u64;
        if written > budget {
            return Err(CopyError::TooLarge);
        }
        file.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
    set_mode(&file, mode).map_err(CopyError::Write)?;
    file.sync_all().map_err(CopyError::Write)?;
    Ok(written)
}

#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Tracks what has been accepted so far against the limits.
struct Budget<'a> {
    limits: &'a Limits,
    format: ArchiveFormat,
    declared: u64,
    written: u64,
    names: HashSet<String>,
}

impl<'a> Budget<'a> {
    fn new(limits: &'a Limits, format: ArchiveFormat) -> Self {
        Self {
            limits,
            format,
            declared: 0,
            written: 0,
            names: HashSet::new(),
        }
    }

    fn too_large(&self) -> InstallError {
        InstallError::TotalSizeLimit {
            limit: self.limits.total_bytes,
        }
    }

    /// Accounts a file's declared size (strictly below the limit in total,
    /// as the reference) and claims its name.
    fn declare(&mut self, name: &str, size: u64) -> Result<(), InstallError> {
        self.declared = self.declared.saturating_add(size);
        if self.declared >= self.limits.total_bytes {
            return Err(self.too_large());
        }
        if !self.names.insert(name.to_string()) {
            return Err(InstallError::DuplicateFile {
                format: self.format,
                name: name.to_string(),
            });
        }
        Ok(())
    }

    /// Bytes that may still be produced.
    fn remaining(&self) -> u64 {
        (self.limits.total_bytes - 1).saturating_sub(self.written)
    }

    fn copy(
        &mut self,
        dir: &Path,
        name: &str,
        data: &mut dyn Read,
        mode: u32,
        read_error: impl FnOnce(io::Error) -> InstallError,
    ) -> Result<ExtractedFile, InstallError> {
        let mode = installed_mode(mode);
        match write_new_file(dir, name, data, self.remaining(), mode) {
            Ok(n) => {
                self.written += n;
                Ok(ExtractedFile {
                    name: name.to_string(),
                    mode,
                })
            }
            Err(CopyError::TooLarge) => Err(self.too_large()),
            Err(CopyError::Read(e)) => Err(read_error(e)),
            Err(CopyError::Write(source)) => Err(InstallError::Staging {
                action: "failed to write extracted file",
                path: dir.join(name),
                source,
            }),
        }
    }
}

/// Extracts the root-level regular files of the zip archive at `archive`
/// into `dest`.
pub(super) fn extract_zip(
    archive: &Path,
    dest: &Path,
    limits: &Limits,
    debug: &mut dyn FnMut(&str),
) -> Result<Vec<ExtractedFile>, InstallError> {
    const FORMAT: ArchiveFormat = ArchiveFormat::Zip;
    let file = fs::File::open(archive).map_err(|source| InstallError::Staging {
        action: "failed to open the package copy",
        path: archive.to_path_buf(),
        source,
    })?;
    // The archive itself is below the package limit, which bounds the
    // central directory the zip crate reads here.
    let mut zip =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| archive_error(FORMAT, e))?;
    if zip.len() > limits.entries {
        return Err(InstallError::TooManyEntries {
            format: FORMAT,
            limit: limits.entries,
        });
    }
    if zip.has_duplicate_names() {
        return Err(InstallError::InvalidArchive {
            format: FORMAT,
            reason: "duplicate file names in the central directory".into(),
        });
    }
    // First pass, over the central directory only: names, types and
    // declared sizes, before a single byte is decompressed.
    let mut budget = Budget::new(limits, FORMAT);
    let mut plan = Vec::new();
    let directory = zip.metadata();
    for index in 0..directory.len() {
        let entry = directory
            .entry(index)
            .map_err(|e| archive_error(FORMAT, e))?;
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
        };
        check_entry_name(&name, FORMAT)?;
        let unix_type = entry.unix_mode().map(|m| m & 0o170_000);
        let kind = if entry.is_symlink() || unix_type == Some(0o120_000) {
            Some(EntryKind::SymbolicLink)
        } else if matches!(unix_type, Some(t) if t != 0 && t != 0o100_000 && t != 0o040_000) {
            Some(EntryKind::SpecialFile)
        } else {
            None
        };
        if let Some(kind) = kind {
            return Err(InstallError::UnsupportedEntry {
                format: FORMAT,
                name,
                kind,
            });
        }
        if entry.is_dir() {
            continue;
        }
        // Files in sub-directories are not part of the plugin (the
        // reference walks the root only).
        let [file_name] = components(&name)[..] else {
            continue;
        };
        if !is_plain_file_name(file_name) {
            return Err(InstallError::InvalidEntryName {
                format: FORMAT,
                name,
            });
        }
        budget.declare(file_name, entry.size())?;
        // Archives made on Windows carry no Unix mode: 0644, as Go reads
        // them (0666 & 0755).
        let mode = entry.unix_mode().unwrap_or(0o644);
        plan.push((index, file_name.to_string(), mode));
    }
    drop(directory);
    // Second pass: decompress, counting what is really produced.
    let mut files = Vec::with_capacity(plan.len());
    for (index, name, mode) in plan {
        debug(&format!("Extracting file {name}..."));
        let mut entry = zip.by_index(index).map_err(|e| archive_error(FORMAT, e))?;
        files.push(budget.copy(dest, &name, &mut entry, mode, |e| archive_error(FORMAT, e))?);
    }
    Ok(files)
}

/// A reader that fails once more than `limit` bytes went through, and
/// remembers that it did (the tar crate wraps the error it sees).
struct CappedReader<R> {
    inner: R,
    remaining: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.exceeded.get() {
            return Err(io::Error::other("decompressed size limit exceeded"));
        }
        // Ask for one byte more than allowed so that reaching the limit
        // exactly is not mistaken for exceeding it.
        let want = buf
            .len()
            .min(usize::try_from(self.remaining.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.remaining {
            self.exceeded.set(true);
            return Err(io::Error::other("decompressed size limit exceeded"));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Extracts every regular file of the gzip-compressed tar archive at
/// `archive` into `dest`, flattened to base names.
pub(super) fn extract_tar_gz(
    archive: &Path,
    dest: &Path,
    limits: &Limits,
    debug: &mut dyn FnMut(&str),
) -> Result<Vec<ExtractedFile>, InstallError> {
    const FORMAT: ArchiveFormat = ArchiveFormat::TarGz;
    let file = fs::File::open(archive).map_err(|source| InstallError::Staging {
        action: "failed to open the package copy",
        path: archive.to_path_buf(),
        source,
    })?;
    let exceeded = Rc::new(Cell::new(false));
    // Multi-member gzip, as Go's gzip reader reads it.
    let stream = CappedReader {
        inner: flate2::read::MultiGzDecoder::new(BufReader::new(file)),
        remaining: limits.total_bytes.saturating_add(TAR_OVERHEAD_BYTES),
        exceeded: exceeded.clone(),
    };
    let mut tar = tar::Archive::new(stream);
    let mut budget = Budget::new(limits, FORMAT);
    let read_error = |e: io::Error| {
        if exceeded.get() {
            InstallError::TotalSizeLimit {
                limit: limits.total_bytes,
            }
        } else {
            archive_error(FORMAT, e)
        }
    };
    let mut files = Vec::new();
    let mut count = 0usize;
    for entry in tar.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        count += 1;
        if count > limits.entries {
            return Err(InstallError::TooManyEntries {
                format: FORMAT,
                limit: limits.entries,
            });
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        check_entry_name(&name, FORMAT)?;
        let entry_type = entry.header().entry_type();
        let kind = if entry_type.is_file() || entry_type.is_contiguous() {
            None
        } else if entry_type.is_dir()
            || entry_type.is_pax_global_extensions()
            || entry_type.is_pax_local_extensions()
        {
            // Directories are not installed (the reference flattens); PAX
            // records are metadata. The tar crate skips their data.
            continue;
        } else if entry_type.is_symlink() {
            Some(EntryKind::SymbolicLink)
        } else if entry_type.is_hard_link() {
            Some(EntryKind::HardLink)
        } else if entry_type.is_character_special()
            || entry_type.is_block_special()
            || entry_type.is_fifo()
        {
            Some(EntryKind::SpecialFile)
        } else {
            Some(EntryKind::Unsupported)
        };
        if let Some(kind) = kind {
            return Err(InstallError::UnsupportedEntry {
                format: FORMAT,
                name,
                kind,
            });
        }
        let Some(&file_name) = components(&name).last() else {
            return Err(InstallError::InvalidEntryName {
                format: FORMAT,
                name,
            });
        };
        if !is_plain_file_name(file_name) {
            return Err(InstallError::InvalidEntryName {
                format: FORMAT,
                name,
            });
        }
        // A tar entry's data length is its declared size, so checking it
        // before reading refuses an oversized file without decompressing it.
        budget.declare(file_name, entry.size())?;
        let mode = entry.header().mode().unwrap_or(0o644);
        debug(&format!("Extracting file {file_name}..."));
        let file_name = file_name.to_string();
        files.push(budget.copy(dest, &file_name, &mut entry, mode, read_error)?);
    }
    // Read what follows the tar end marker (bounded by the cap) so that
    // the gzip trailer's CRC-32 is checked: tar has no checksum over file
    // data, and a corrupt package must not install.
    let mut rest = tar.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(read_error)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: u64, entries: usize) -> Limits {
        Limits {
            package_bytes: 1 << 30,
            total_bytes: total,
            entries,
        }
    }

    fn no_debug() -> impl FnMut(&str) {
        |_: &str| {}
    }

    fn zip_bytes(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
        let mut out = io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            for (name, data, mode) in files {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .unix_permissions(*mode);
                w.start_file(*name, options).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    fn dir_listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Rewrites the uncompressed size of every local and central header of
    /// a (non-zip64) archive: a lying header.
    fn lie_about_sizes(zip: &mut [u8], size: u32) {
        let mut i = 0;
        while i + 4 <= zip.len() {
            match &zip[i..i + 4] {
                b"PK\x03\x04" => zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes()),
                b"PK\x01\x02" => zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes()),
                _ => {}
            }
            i += 1;
        }
    }

    #[test]
    fn zip_lying_header_stops_at_the_limit() {
        // R10: a zip bomb must be stopped while decompressing, whatever its
        // headers declare. 1 MiB of zeros declared as 10 bytes, limit 64 KiB.
        let tmp = tempfile::tempdir().unwrap();
        let mut data = zip_bytes(&[("notation-x", &vec![0u8; 1 << 20], 0o755)]);
        lie_about_sizes(&mut data, 10);
        let archive = tmp.path().join("a.zip");
        fs::write(&archive, &data).unwrap();
        let dest = tmp.path().join("out");
        fs::create_dir(&dest).unwrap();
        let e = extract_zip(&archive, &dest, &limits(64 * 1024, 16), &mut no_debug()).unwrap_err();
        // Either our counter or the zip crate's own size/CRC check stops it;
        // never more than the limit is written.
        assert!(
            matches!(
                e,
                InstallError::TotalSizeLimit { .. } | InstallError::InvalidArchive { .. }
            ),
            "{e}"
        );
        let written: u64 = fs::read_dir(&dest)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(written < 64 * 1024, "{written} bytes written");
    }

    #[test]
    fn zip_declared_sizes_refused_before_decompressing() {
        let tmp = tempfile::tempdir().unwrap();
        let data = zip_bytes(&[
            ("notation-x", &vec![0u8; 40_000], 0o755),
            ("lib", &vec![0u8; 40_000], 0o644),
        ]);
        let archive = tmp.path().join("a.zip");
        fs::write(&archive, &data).unwrap();
        let dest = tmp.path().join("out");
        fs::create_dir(&dest).unwrap();
        let e = extract_zip(&archive, &dest, &limits(80_000, 16), &mut no_debug()).unwrap_err();
        assert!(matches!(e, InstallError::TotalSizeLimit { .. }), "{e}");
        assert!(dir_listing(&dest).is_empty());
        // Just below the limit is fine (strictly less than, as the reference).
        let files = extract_zip(&archive, &dest, &limits(80_001, 16), &mut no_debug()).unwrap();
        assert_eq!(files.len(), 2);
    }

    #[test]
    fn zip_entry_rules() {
        let tmp = tempfile::tempdir().unwrap();
        let run = |files: &[(&str, &[u8], u32)]| {
            let archive = tmp.path().join("a.zip");
            fs::write(&archive, zip_bytes(files)).unwrap();
            let dest = tempfile::tempdir_in(tmp.path()).unwrap();
            let r = extract_zip(&archive, dest.path(), &limits(1 << 20, 4), &mut no_debug());
            (r, dir_listing(dest.path()))
        };
        // Sub-directory files are ignored; modes are masked.
        let (r, listing) = run(&[
            ("notation-x", b"#!", 0o4777),
            ("sub/other", b"x", 0o644),
            ("./lib.so", b"x", 0o600),
        ]);
        let files = r.unwrap();
        assert_eq!(listing, ["lib.so", "notation-x"]);
        assert_eq!(files[0].mode, 0o755);
        assert_eq!(files[1].mode, 0o600);
        // Too many entries.
        let many: Vec<(String, Vec<u8>, u32)> =
            (0..5).map(|i| (format!("f{i}"), vec![], 0o644)).collect();
        let many: Vec<(&str, &[u8], u32)> = many
            .iter()
            .map(|(n, d, m)| (n.as_str(), d.as_slice(), *m))
            .collect();
        let (r, listing) = run(&many);
        assert!(matches!(r, Err(InstallError::TooManyEntries { .. })));
        assert!(listing.is_empty());
        // Absolute and traversing names.
        for (name, want) in [
            (
                "/etc/x",
                "file name in zip cannot be an absolute path, but found \"/etc/x\"",
            ),
            (
                "C:\\x",
                "file name in zip cannot be an absolute path, but found \"C:\\\\x\"",
            ),
            (
                "a/../../x",
                "file name in zip cannot contain '..', but found \"a/../../x\"",
            ),
        ] {
            let (r, listing) = run(&[("notation-x", b"#!", 0o755), (name, b"x", 0o644)]);
            assert_eq!(r.unwrap_err().to_string(), want);
            assert!(listing.is_empty(), "{listing:?}");
        }
        // A name that reduces to the same file twice.
        let (r, _) = run(&[("notation-x", b"1", 0o755), ("./notation-x", b"2", 0o755)]);
        assert!(
            matches!(r, Err(InstallError::DuplicateFile { .. })),
            "{r:?}"
        );
    }

    #[test]
    fn zip_symlink_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            w.add_symlink(
                "notation-x",
                "/etc/passwd",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            w.finish().unwrap();
        }
        let archive = tmp.path().join("a.zip");
        fs::write(&archive, out.into_inner()).unwrap();
        let e =
            extract_zip(&archive, tmp.path(), &limits(1 << 20, 4), &mut no_debug()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "zip entry \"notation-x\" is a symbolic link; a plugin package may only hold regular files and directories"
        );
    }

    fn tar_gz(build: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<Vec<u8>>>)) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        build(&mut b);
        b.into_inner().unwrap().finish().unwrap()
    }

    fn file_header(size: u64, mode: u32) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(mode);
        h.set_entry_type(tar::EntryType::Regular);
        h
    }

    #[test]
    fn tar_rules() {
        let tmp = tempfile::tempdir().unwrap();
        let run = |data: Vec<u8>, limits: Limits| {
            let archive = tmp.path().join("a.tar.gz");
            fs::write(&archive, data).unwrap();
            let dest = tempfile::tempdir_in(tmp.path()).unwrap();
            let r = extract_tar_gz(&archive, dest.path(), &limits, &mut no_debug());
            (r, dir_listing(dest.path()))
        };
        // Flattened base names, directories skipped, modes masked.
        let data = tar_gz(|b| {
            let mut d = tar::Header::new_gnu();
            d.set_entry_type(tar::EntryType::Directory);
            d.set_mode(0o755);
            d.set_size(0);
            b.append_data(&mut d, "dir/", io::empty()).unwrap();
            b.append_data(&mut file_header(2, 0o6777), "dir/notation-x", &b"#!"[..])
                .unwrap();
            b.append_data(&mut file_header(1, 0o644), "./LICENSE", &b"L"[..])
                .unwrap();
        });
        let (r, listing) = run(data, limits(1 << 20, 8));
        let files = r.unwrap();
        assert_eq!(listing, ["LICENSE", "notation-x"]);
        assert_eq!(files[0].mode, 0o755);
        // A declared size at the limit is refused before reading.
        let data = tar_gz(|b| {
            b.append_data(
                &mut file_header(4096, 0o755),
                "notation-x",
                &[0u8; 4096][..],
            )
            .unwrap();
        });
        let (r, listing) = run(data.clone(), limits(4096, 8));
        assert!(
            matches!(r, Err(InstallError::TotalSizeLimit { .. })),
            "{r:?}"
        );
        assert!(listing.is_empty());
        assert!(run(data, limits(4097, 8)).0.is_ok());
        // Links and special files are refused.
        for (entry_type, kind) in [
            (tar::EntryType::Symlink, "a symbolic link"),
            (tar::EntryType::Link, "a hard link"),
            (tar::EntryType::Fifo, "a special file"),
            (tar::EntryType::Char, "a special file"),
        ] {
            let data = tar_gz(|b| {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(entry_type);
                h.set_size(0);
                h.set_mode(0o777);
                if entry_type == tar::EntryType::Symlink || entry_type == tar::EntryType::Link {
                    h.set_link_name("/etc/passwd").unwrap();
                }
                b.append_data(&mut h, "notation-x", io::empty()).unwrap();
            });
            let (r, listing) = run(data, limits(1 << 20, 8));
            assert_eq!(
                r.unwrap_err().to_string(),
                format!(
                    "tar.gz entry \"notation-x\" is {kind}; a plugin package may only hold regular files and directories"
                )
            );
            assert!(listing.is_empty());
        }
        // Entry count.
        let data = tar_gz(|b| {
            for i in 0..3 {
                b.append_data(&mut file_header(0, 0o644), format!("f{i}"), io::empty())
                    .unwrap();
            }
        });
        let (r, _) = run(data, limits(1 << 20, 2));
        assert!(
            matches!(r, Err(InstallError::TooManyEntries { .. })),
            "{r:?}"
        );
        // Duplicate base names.
        let data = tar_gz(|b| {
            b.append_data(&mut file_header(1, 0o755), "a/notation-x", &b"1"[..])
                .unwrap();
            b.append_data(&mut file_header(1, 0o755), "b/notation-x", &b"2"[..])
                .unwrap();
        });
        let (r, _) = run(data, limits(1 << 20, 8));
        assert_eq!(
            r.unwrap_err().to_string(),
            "tar.gz archive holds more than one file named \"notation-x\""
        );
    }

    #[test]
    fn tar_stream_cap_stops_data_that_is_not_extracted() {
        // A directory entry whose (skipped) data is large still has to be
        // decompressed to reach the next header: the stream cap stops it.
        let tmp = tempfile::tempdir().unwrap();
        let data = tar_gz(|b| {
            let mut d = tar::Header::new_gnu();
            d.set_entry_type(tar::EntryType::Directory);
            d.set_mode(0o755);
            d.set_size(2 * TAR_OVERHEAD_BYTES);
            b.append_data(&mut d, "dir/", io::repeat(0).take(2 * TAR_OVERHEAD_BYTES))
                .unwrap();
        });
        let archive = tmp.path().join("a.tar.gz");
        fs::write(&archive, data).unwrap();
        let e =
            extract_tar_gz(&archive, tmp.path(), &limits(1024, 8), &mut no_debug()).unwrap_err();
        assert!(matches!(e, InstallError::TotalSizeLimit { .. }), "{e}");
    }

    #[test]
    fn corrupt_gzip_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut data = tar_gz(|b| {
            b.append_data(&mut file_header(5, 0o755), "notation-x", &b"hello"[..])
                .unwrap();
        });
        // Flip a byte of the CRC-32 in the gzip trailer.
        let n = data.len();
        data[n - 8] ^= 0xff;
        let archive = tmp.path().join("a.tar.gz");
        fs::write(&archive, data).unwrap();
        let dest = tmp.path().join("out");
        fs::create_dir(&dest).unwrap();
        let e = extract_tar_gz(&archive, &dest, &limits(1 << 20, 8), &mut no_debug()).unwrap_err();
        assert!(matches!(e, InstallError::InvalidArchive { .. }), "{e}");
    }

    type Extractor =
        fn(&Path, &Path, &Limits, &mut dyn FnMut(&str)) -> Result<Vec<ExtractedFile>, InstallError>;

    /// Every prefix and every single-byte corruption of a small archive is
    /// either refused or extracted as plain files inside `dest`, and never
    /// panics.
    fn hostile_variants(valid: &[u8], extract: Extractor) {
        let tmp = tempfile::tempdir().unwrap();
        let mut variants: Vec<Vec<u8>> = (0..valid.len()).map(|n| valid[..n].to_vec()).collect();
        for i in 0..valid.len() {
            let mut v = valid.to_vec();
            v[i] ^= 0x5a;
            variants.push(v);
        }
        for (n, data) in variants.iter().enumerate() {
            let archive = tmp.path().join(format!("a{n}"));
            fs::write(&archive, data).unwrap();
            let dest = tmp.path().join(format!("d{n}"));
            fs::create_dir(&dest).unwrap();
            if let Ok(files) = extract(&archive, &dest, &limits(1 << 16, 8), &mut no_debug()) {
                assert_eq!(files.len(), dir_listing(&dest).len());
            }
            for entry in fs::read_dir(&dest).unwrap() {
                let entry = entry.unwrap();
                assert!(entry.file_type().unwrap().is_file());
                assert!(is_plain_file_name(&entry.file_name().to_string_lossy()));
            }
            fs::remove_dir_all(&dest).unwrap();
            fs::remove_file(&archive).unwrap();
        }
        // Nothing was written next to the archives.
        assert!(dir_listing(tmp.path()).is_empty());
    }

    #[test]
    fn hostile_zip_variants() {
        let valid = zip_bytes(&[
            ("notation-x", b"#!/bin/sh\necho plugin\n", 0o755),
            ("LICENSE", b"license text", 0o644),
        ]);
        hostile_variants(&valid, extract_zip);
    }

    #[test]
    fn hostile_tar_gz_variants() {
        let valid = tar_gz(|b| {
            b.append_data(
                &mut file_header(21, 0o755),
                "notation-x",
                &b"#!/bin/sh\necho plugin"[..],
            )
            .unwrap();
            b.append_data(&mut file_header(7, 0o644), "dir/LICENSE", &b"license"[..])
                .unwrap();
        });
        hostile_variants(&valid, extract_tar_gz);
    }

    #[test]
    fn plain_file_names() {
        for ok in ["notation-x", "lib.so", "a b", "..a"] {
            assert!(is_plain_file_name(ok), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a\\b", "a\0b", "a\nb"] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }
}
