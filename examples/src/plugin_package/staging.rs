//! The staging directories an install or uninstall works in, inside the
//! plugins directory, and the file operations on them: copying and hashing
//! a source, permissions, and the renames that put a plugin in place.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::SystemTime;

use super::{InstallError, STAGING_PREFIX, STALE_STAGING_AGE};
#[cfg(unix)]
pub(super) fn permission_bits(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
pub(super) fn permission_bits(_meta: &fs::Metadata) -> u32 {
    0o755
}

/// The reference's `isExecutableFile`: the owner's execute bit on Unix, a
/// `.exe` extension on Windows.
pub(super) fn is_executable_mode(mode: u32, path: &Path) -> bool {
    if cfg!(windows) {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("exe"))
    } else {
        mode & 0o100 != 0
    }
}

pub(super) fn staging_error(
    action: &'static str,
    path: &Path,
) -> impl FnOnce(io::Error) -> InstallError {
    let path = path.to_path_buf();
    move |source| InstallError::Staging {
        action,
        path,
        source,
    }
}

/// Creates `dir` and missing parents with mode 0755 (plugins are programs
/// other users of the machine may run, as the reference creates them).
pub(super) fn create_public_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o755);
    }
    builder.create(dir)
}

pub(super) fn create_public_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o755);
    }
    builder.create(dir)
}

/// A new private staging directory inside `plugins_dir` (created if
/// missing), removed when dropped.
pub(super) fn staging_dir(plugins_dir: &Path, purpose: &str) -> io::Result<tempfile::TempDir> {
    create_public_dir_all(plugins_dir)?;
    remove_stale_staging(plugins_dir);
    tempfile::Builder::new()
        .prefix(&format!("{STAGING_PREFIX}{purpose}-"))
        .tempdir_in(plugins_dir)
}

/// Removes staging directories left by killed processes; best effort.
fn remove_stale_staging(plugins_dir: &Path) {
    let Ok(entries) = fs::read_dir(plugins_dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_STAGING_AGE);
        if meta.is_dir() && old {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Copies the source (read from `source`) into `dest` (a new private
/// file), at most `limit - 1` bytes, and returns its SHA-256 in lowercase
/// hex.
pub(super) fn copy_and_hash(
    reader: &mut dyn Read,
    source: &Path,
    dest: &Path,
    limit: u64,
) -> Result<String, InstallError> {
    let write_error = staging_error("failed to copy the plugin package to", dest);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(dest).map_err(write_error)?;
    let mut hash = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(InstallError::Source {
                    path: source.to_path_buf(),
                    source: e,
                });
            }
        };
        total += n as u64;
        // The source may have grown since its size was checked.
        if total >= limit {
            return Err(InstallError::PackageTooLarge { limit });
        }
        hash.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(staging_error("failed to copy the plugin package to", dest))?;
    }
    file.sync_all()
        .map_err(staging_error("failed to copy the plugin package to", dest))?;
    Ok(notation_core::hex::encode(hash.finish().as_ref()))
}

pub(super) fn read_head(path: &Path) -> Result<Vec<u8>, InstallError> {
    let mut head = Vec::with_capacity(512);
    fs::File::open(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .map_err(staging_error("failed to read the package copy", path))?;
    Ok(head)
}

/// Sets the permission bits of `path`.
#[cfg(unix)]
pub(super) fn chmod(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub(super) fn chmod(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Moves `new` to `target`, first moving whatever is at `target` (a
/// directory, a file, a symbolic link: never followed) to `backup`, and
/// moving it back if the second rename fails. Both renames stay inside the
/// plugins directory's file system, so each is atomic.
pub(super) fn replace_dir(new: &Path, target: &Path, backup: &Path) -> Result<(), InstallError> {
    let moved_aside = match fs::symlink_metadata(target) {
        Ok(_) => {
            fs::rename(target, backup).map_err(staging_error(
                "failed to move the installed plugin aside:",
                target,
            ))?;
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => {
            return Err(InstallError::Staging {
                action: "failed to inspect",
                path: target.to_path_buf(),
                source: e,
            });
        }
    };
    if let Err(e) = fs::rename(new, target) {
        if moved_aside {
            let _ = fs::rename(backup, target);
        }
        return Err(InstallError::Staging {
            action: "failed to install the plugin into",
            path: target.to_path_buf(),
            source: e,
        });
    }
    sync_dir(target.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Syncs a directory so that a rename survives a crash; best effort.
pub(super) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
