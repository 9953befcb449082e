//! Plugin packages and their installation: what `notation plugin install`
//! and `notation plugin uninstall` do.
//!
//! A package is a `.zip`, a `.tar.gz` or a single `notation-{name}`
//! executable, strictly smaller than 256 MiB, which holds exactly one plugin
//! executable candidate. Installing it never leaves a partial plugin
//! behind and never writes outside the plugins directory:
//!
//! 1. the source is copied into a private staging directory *inside* the
//!    plugins directory (`.notation-plugin-install-*`, mode 0700), hashing
//!    and counting it on the way, so that the checksum checked is the one of
//!    the bytes installed and the size limit holds whatever the file does
//!    afterwards;
//! 2. the `--sha256sum`, if given, is compared;
//! 3. the archive is extracted into the staging directory under the rules
//!    of the `extract` module (zip-slip, links, sizes counted while
//!    decompressing, entry count);
//! 4. the one executable candidate is found (the reference's rules and
//!    texts), and its `get-plugin-metadata` is run through the protocol
//!    library, [`notation_core::plugin`] (the answer is validated,
//!    the name must equal `{name}`; the version must be higher than the
//!    installed one unless forced, by the library's SemVer precedence);
//! 5. the staged plugin directory is renamed into place (the previous one,
//!    if any, is first renamed into the staging directory, and put back if
//!    the second rename fails); the staging directory is then removed.
//!
//! Any failure before step 5 changes nothing in the plugins directory but a
//! staging directory that is removed on the way out.
//!
//! ```no_run
//! use notation_examples::plugin_package::{install, plugins_dir, InstallOptions, PackageSource};
//! use std::path::Path;
//!
//! let plugins = plugins_dir(&notation_core::config::libexec_dir());
//! let outcome = install(
//!     &plugins,
//!     PackageSource::File(Path::new("wabbit-plugin-v1.0.tar.gz")),
//!     &InstallOptions::new().sha256sum("113062a4..."),
//!     &mut |_| {},
//! )?;
//! println!("installed {} {}", outcome.name(), outcome.version());
//! # Ok::<(), notation_examples::plugin_package::InstallError>(())
//! ```
// Requirements: R1, R2-R4, R10, U, X1.

#[doc(hidden)]
pub mod __fuzz;
mod download;
mod error;
mod extract;
mod staging;

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use notation_core::plugin::semver::compare_plugin_versions;
use notation_core::plugin::{
    BINARY_PREFIX, ExecutablePlugin, GetMetadataRequest, INSTALL_STAGING_PREFIX, Plugin,
    PluginDirectory, PluginError, PluginMetadata,
};

pub use download::{
    DownloadError, DownloadedPackage, MAX_DOWNLOAD_REDIRECTS, check_https_url, download,
};
pub use error::{InstallError, MetadataFailure, UninstallError, failure_of, plugin_error_text};
pub use extract::EntryKind;
pub use notation_core::plugin::executable_file_name;
use staging::{
    chmod, copy_and_hash, create_public_dir, is_executable_mode, permission_bits, read_head,
    replace_dir, staging_dir, staging_error, sync_dir,
};

use crate::error::go_quote;

/// Packages, and the total size of the files extracted from one, must be
/// strictly smaller than this (the reference's limit: 256 MiB).
pub const MAX_PACKAGE_BYTES: u64 = 256 * 1024 * 1024;

/// Most entries an archive may have (files, directories, anything). The
/// reference has no such limit; a plugin needs a handful of files, and a
/// limit bounds the work a hostile archive can cause.
pub const MAX_ARCHIVE_ENTRIES: usize = 4096;

/// The prefix of staging directories in the plugins directory: the
/// library's [`INSTALL_STAGING_PREFIX`], which plugin discovery skips (and
/// plugin names starting with `.` are refused here), so a staging directory
/// is never a plugin.
pub const STAGING_PREFIX: &str = INSTALL_STAGING_PREFIX;

/// How long `get-plugin-metadata` may run when installing or listing. The
/// reference sets no limit; the spec asks plugins to return static data
/// without remote calls, so a plugin that takes longer is treated as
/// broken instead of hanging the command.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(60);

/// Staging directories older than this, left by a process that was killed,
/// are removed by the next install or uninstall.
const STALE_STAGING_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The limits one install works under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The package must be smaller than this.
    pub package_bytes: u64,
    /// The extracted files together must be smaller than this.
    pub total_bytes: u64,
    /// At most this many archive entries.
    pub entries: usize,
}

impl Limits {
    /// The reference's limits and [`MAX_ARCHIVE_ENTRIES`].
    pub const DEFAULT: Limits = Limits {
        package_bytes: MAX_PACKAGE_BYTES,
        total_bytes: MAX_PACKAGE_BYTES,
        entries: MAX_ARCHIVE_ENTRIES,
    };
}

/// The plugins directory under a libexec directory: `{libexec}/plugins`
/// (`libexec` is `NOTATION_LIBEXEC`, else the configuration
/// directory).
pub fn plugins_dir(libexec: &Path) -> PathBuf {
    libexec.join("plugins")
}

/// A file name that is not `notation-{name}` (with `.exe` on Windows).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid plugin executable file name. Plugin file name requires format notation-{{plugin-name}}{}, but got {file}",
    if cfg!(windows) { ".exe" } else { "" }
)]
pub struct InvalidExecutableName {
    /// The file name.
    pub file: String,
}

/// The plugin name of an executable file name (the reference's
/// `parsePluginName`): `notation-{name}` ([`executable_file_name`] the other
/// way round) with a non-empty `{name}`.
pub fn parse_plugin_name(file_name: &str) -> Result<&str, InvalidExecutableName> {
    let invalid = || InvalidExecutableName {
        file: file_name.to_string(),
    };
    let stem = if cfg!(windows) {
        let dot = file_name.rfind('.').ok_or_else(invalid)?;
        if !file_name[dot..].eq_ignore_ascii_case(".exe") {
            return Err(invalid());
        }
        &file_name[..dot]
    } else {
        file_name
    };
    match stem.strip_prefix(BINARY_PREFIX) {
        Some(name) if !name.is_empty() => Ok(name),
        _ => Err(invalid()),
    }
}

/// A plugin name that cannot be a directory in the plugins directory.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "plugin name {} is not valid: it must be non-empty, must not start with '.', must not contain path separators or control characters, and must be at most 200 bytes long",
    go_quote(.name)
)]
pub struct InvalidPluginName {
    /// The name.
    pub name: String,
}

/// Checks that `name` is usable as `{plugins}/{name}`: non-empty, no `/`,
/// `\`, NUL or other control characters, not starting with `.` (which
/// excludes `.`, `..` and the staging directories), at most 200 bytes (the
/// executable's name, `notation-{name}.exe`, must fit a file name). The
/// reference only requires a non-empty name; these extra rules keep a name
/// from reaching outside the plugins directory.
pub fn check_plugin_name(name: &str) -> Result<(), InvalidPluginName> {
    let windows_special = cfg!(windows) && name.contains(':');
    let bad = name.is_empty()
        || name.len() > 200
        || name.starts_with('.')
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || windows_special;
    let ok = !bad;
    if ok {
        Ok(())
    } else {
        Err(InvalidPluginName {
            name: name.to_string(),
        })
    }
}

/// The two archive formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveFormat {
    /// `.zip`
    Zip,
    /// `.tar.gz` / `.tgz`
    TarGz,
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Zip => "zip",
            Self::TarGz => "tar.gz",
        })
    }
}

/// What a package turned out to be (by content, as the reference's
/// `http.DetectContentType`, not by file name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PackageFormat {
    /// An archive.
    Archive(ArchiveFormat),
    /// Anything else: a single plugin executable.
    Executable,
}

/// The format of a package from its first bytes: `PK\x03\x04` is a zip,
/// `\x1f\x8b\x08` a gzip stream (which must hold a tar), anything else an
/// executable.
pub fn detect_format(head: &[u8]) -> PackageFormat {
    if head.starts_with(b"PK\x03\x04") {
        PackageFormat::Archive(ArchiveFormat::Zip)
    } else if head.starts_with(b"\x1f\x8b\x08") {
        PackageFormat::Archive(ArchiveFormat::TarGz)
    } else {
        PackageFormat::Executable
    }
}

/// Runs `get-plugin-metadata` with an empty request, as the reference's
/// install and list do, and validates the answer (the name must be
/// the plugin's install name).
pub fn plugin_metadata(plugin: &ExecutablePlugin) -> Result<PluginMetadata, PluginError> {
    let plugin = plugin.clone().with_timeout(Some(METADATA_TIMEOUT));
    (&plugin as &dyn Plugin).get_metadata(&GetMetadataRequest::default())
}

/// The installed plugin `name` of `plugins_dir` (`{plugins}/{name}/notation-
/// {name}`, found by the library's discovery), `None` when it is not
/// there. A symbolic link or a directory in its place is an error (a
/// regular file is required); an executable that lost its execute
/// permission is still installed (it can be uninstalled or replaced).
pub fn installed_executable(
    plugins_dir: &Path,
    name: &str,
) -> Result<Option<PathBuf>, PluginError> {
    match PluginDirectory::new(plugins_dir).open(name) {
        Ok(plugin) => Ok(Some(plugin.path().to_path_buf())),
        Err(PluginError::NotFound { .. }) => Ok(None),
        Err(PluginError::NotExecutable { path }) => Ok(Some(path)),
        Err(e) => Err(e),
    }
}

/// Where a package comes from.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum PackageSource<'a> {
    /// A file on the file system.
    File(&'a Path),
    /// A downloaded package ([`download`]).
    Downloaded(&'a DownloadedPackage),
}

/// How to install.
#[derive(Clone, Debug, Default)]
pub struct InstallOptions {
    sha256sum: Option<String>,
    force: bool,
}

impl InstallOptions {
    /// No checksum, no forcing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The package's expected SHA-256, in hex (compared case-insensitively).
    /// An empty string means none, as the reference's flag default.
    pub fn sha256sum(mut self, hex: impl Into<String>) -> Self {
        let hex = hex.into();
        self.sha256sum = (!hex.is_empty()).then_some(hex);
        self
    }

    /// Install whatever version is installed, and replace an installed
    /// plugin that cannot be inspected (`--force`).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }
}

/// What an install did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallOutcome {
    metadata: PluginMetadata,
    previous_version: Option<String>,
    directory: PathBuf,
}

impl InstallOutcome {
    /// The installed plugin's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Its version.
    pub fn version(&self) -> &str {
        &self.metadata.version
    }

    /// Its metadata.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// The version it replaced, if a working plugin was installed before.
    pub fn previous_version(&self) -> Option<&str> {
        self.previous_version.as_deref()
    }

    /// Where it is installed (`{plugins}/{name}`).
    pub fn directory(&self) -> &Path {
        &self.directory
    }
}

/// Installs a package into `plugins_dir` (see the module documentation for
/// the steps and guarantees). `debug` receives progress lines for `-d`.
pub fn install(
    plugins_dir: &Path,
    source: PackageSource<'_>,
    options: &InstallOptions,
    debug: &mut dyn FnMut(&str),
) -> Result<InstallOutcome, InstallError> {
    install_with_limits(plugins_dir, source, options, &Limits::DEFAULT, debug)
}

/// A package source opened for copying.
struct OpenedSource<'a> {
    reader: Box<dyn Read + 'a>,
    /// Where it is read from, for messages.
    path: PathBuf,
    /// Its file name (for single-executable packages).
    file_name: String,
    /// Whether it may be run as it is (the executable bit of a file; a
    /// download has none and is trusted through its mandatory checksum).
    executable: bool,
    /// Its permission bits.
    mode: u32,
}

fn open_source<'a>(
    source: PackageSource<'a>,
    limits: &Limits,
) -> Result<OpenedSource<'a>, InstallError> {
    let too_large = InstallError::PackageTooLarge {
        limit: limits.package_bytes,
    };
    match source {
        PackageSource::File(path) => {
            let source_error = |source| InstallError::Source {
                path: path.to_path_buf(),
                source,
            };
            // Checked before opening so that a FIFO is never opened (which
            // would block), and again on the opened file against a swap.
            if !fs::metadata(path).map_err(source_error)?.is_file() {
                return Err(InstallError::NotAFile {
                    path: path.to_path_buf(),
                });
            }
            let file = fs::File::open(path).map_err(source_error)?;
            let meta = file.metadata().map_err(source_error)?;
            if !meta.is_file() {
                return Err(InstallError::NotAFile {
                    path: path.to_path_buf(),
                });
            }
            if meta.len() >= limits.package_bytes {
                return Err(too_large);
            }
            let mode = permission_bits(&meta);
            Ok(OpenedSource {
                reader: Box::new(file),
                path: path.to_path_buf(),
                file_name: path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                executable: is_executable_mode(mode, path),
                mode,
            })
        }
        PackageSource::Downloaded(package) => {
            if package.data().len() as u64 >= limits.package_bytes {
                return Err(too_large);
            }
            Ok(OpenedSource {
                reader: Box::new(package.data()),
                path: PathBuf::from(package.file_name()),
                file_name: package.file_name().to_string(),
                executable: true,
                mode: 0o755,
            })
        }
    }
}

/// The reference's `parsePluginFromDir` over the extracted files: exactly
/// one executable `notation-{name}` file; with none, a single
/// `notation-{name}` candidate gets the owner's execute bit.
fn select_executable(
    dir: &Path,
    files: &[extract::ExtractedFile],
    debug: &mut dyn FnMut(&str),
) -> Result<(PathBuf, String), InstallError> {
    let candidates: Vec<(&extract::ExtractedFile, &str)> = files
        .iter()
        .filter_map(|f| parse_plugin_name(&f.name).ok().map(|n| (f, n)))
        .collect();
    let executables: Vec<&(&extract::ExtractedFile, &str)> = candidates
        .iter()
        .filter(|(f, _)| is_executable_mode(f.mode, Path::new(&f.name)))
        .collect();
    match executables[..] {
        [(file, name)] => return Ok((dir.join(&file.name), name.to_string())),
        [_, _, ..] => return Err(InstallError::MultipleExecutables),
        [] => {}
    }
    let [(file, name)] = candidates[..] else {
        return Err(InstallError::NoExecutable { reason: None });
    };
    if cfg!(windows) {
        return Err(InstallError::NoExecutable {
            reason: Some(format!(
                "plugin executable file must have file extension \".exe\", but got {}",
                go_quote(&file.name)
            )),
        });
    }
    let path = dir.join(&file.name);
    chmod(&path, file.mode | 0o100)
        .map_err(staging_error("failed to set the executable bit of", &path))?;
    debug(&format!(
        "Found candidate plugin executable file {} without executable permission. Setting user executable bit and trying to install.",
        go_quote(&file.name)
    ));
    Ok((path, name.to_string()))
}

fn install_with_limits(
    plugins_dir: &Path,
    source: PackageSource<'_>,
    options: &InstallOptions,
    limits: &Limits,
    debug: &mut dyn FnMut(&str),
) -> Result<InstallOutcome, InstallError> {
    let mut source = open_source(source, limits)?;
    let staging = staging_dir(plugins_dir, "install").map_err(staging_error(
        "failed to create a staging directory in",
        plugins_dir,
    ))?;
    // 1. A private copy: what is hashed is what is installed.
    let package = staging.path().join("package");
    let digest = copy_and_hash(
        &mut source.reader,
        &source.path,
        &package,
        limits.package_bytes,
    )?;
    // 2. The checksum (R10).
    if let Some(expected) = &options.sha256sum
        && !digest.eq_ignore_ascii_case(expected)
    {
        return Err(InstallError::ChecksumMismatch {
            expected: expected.clone(),
            actual: digest,
        });
    }
    // 3. Extraction into the plugin directory to be.
    let plugin_dir = staging.path().join("plugin");
    create_public_dir(&plugin_dir).map_err(staging_error(
        "failed to create a staging directory in",
        staging.path(),
    ))?;
    let (executable, name) = match detect_format(&read_head(&package)?) {
        PackageFormat::Archive(format) => {
            let files = match format {
                ArchiveFormat::Zip => extract::extract_zip(&package, &plugin_dir, limits, debug)?,
                ArchiveFormat::TarGz => {
                    extract::extract_tar_gz(&package, &plugin_dir, limits, debug)?
                }
            };
            select_executable(&plugin_dir, &files, debug)?
        }
        PackageFormat::Executable => {
            let name = parse_plugin_name(&source.file_name)
                .map_err(|source| InstallError::InvalidExecutableName { source })?
                .to_string();
            if !source.executable {
                return Err(InstallError::NotExecutable {
                    file: source.file_name,
                });
            }
            // The file name was checked by parse_plugin_name's prefix rule
            // only; the plugin name rule below keeps it one plain component.
            check_plugin_name(&name)?;
            let target = plugin_dir.join(&source.file_name);
            fs::rename(&package, &target).map_err(staging_error(
                "failed to stage the plugin executable",
                &target,
            ))?;
            chmod(&target, (source.mode & 0o755) | 0o700).map_err(staging_error(
                "failed to stage the plugin executable",
                &target,
            ))?;
            (target, name)
        }
    };
    check_plugin_name(&name)?;
    // 4. The new plugin must run and describe itself (R4).
    let new_plugin = ExecutablePlugin::new(name.clone(), &executable)
        .map_err(InstallError::NewPluginMetadata)?;
    let metadata = plugin_metadata(&new_plugin).map_err(|e| match e {
        // Shown without the "failed to get metadata" prefix.
        PluginError::NameMismatch { expected, actual } => {
            InstallError::NameMismatch { expected, actual }
        }
        e => InstallError::NewPluginMetadata(e),
    })?;
    let previous = match PluginDirectory::new(plugins_dir).open(&name) {
        Ok(existing) => match plugin_metadata(&existing) {
            Ok(m) => Some(m),
            Err(e) if !options.force => return Err(InstallError::ExistingPluginMetadata(e)),
            // --force replaces a broken plugin.
            Err(_) => None,
        },
        Err(PluginError::NotFound { .. }) => None,
        // Installed but not runnable: the reference finds it and fails to
        // run it.
        Err(e @ PluginError::NotExecutable { .. }) if !options.force => {
            return Err(InstallError::ExistingPluginMetadata(e));
        }
        Err(e) if !options.force => return Err(InstallError::ExistenceCheck(e)),
        Err(_) => None,
    };
    if let Some(previous) = &previous
        && !options.force
    {
        match compare_plugin_versions(&metadata.version, &previous.version)
            .map_err(InstallError::VersionComparison)?
        {
            std::cmp::Ordering::Less => {
                return Err(InstallError::Downgrade {
                    name,
                    new_version: metadata.version,
                    existing_version: previous.version.clone(),
                });
            }
            std::cmp::Ordering::Equal => {
                return Err(InstallError::SameVersion {
                    name,
                    version: previous.version.clone(),
                });
            }
            std::cmp::Ordering::Greater => {}
        }
    }
    // 5. Into place.
    let directory = plugins_dir.join(&name);
    replace_dir(&plugin_dir, &directory, &staging.path().join("previous"))?;
    // Removing the staging directory (with the previous plugin) is best
    // effort: the install is done; a leftover is cleaned up later.
    let _ = staging.close();
    Ok(InstallOutcome {
        metadata,
        previous_version: previous.map(|p| p.version),
        directory,
    })
}

/// Removes plugin `name` from `plugins_dir`: its directory is first renamed
/// into a staging directory (so the plugin disappears at once and no
/// half-removed plugin is ever seen), then deleted. A symbolic link in its
/// place is removed, never followed.
pub fn uninstall(plugins_dir: &Path, name: &str) -> Result<(), UninstallError> {
    check_plugin_name(name)?;
    let target = plugins_dir.join(name);
    match fs::symlink_metadata(&target) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(UninstallError::NotInstalled(target));
        }
        Err(source) => {
            return Err(UninstallError::Io {
                path: target,
                source,
            });
        }
    }
    let staging = staging_dir(plugins_dir, "uninstall").map_err(|source| UninstallError::Io {
        path: plugins_dir.to_path_buf(),
        source,
    })?;
    fs::rename(&target, staging.path().join("removed")).map_err(|source| UninstallError::Io {
        path: target.clone(),
        source,
    })?;
    sync_dir(plugins_dir);
    // The plugin is gone from the plugins directory; a failure to delete
    // its files leaves a staging directory that a later run removes.
    let _ = staging.close();
    Ok(())
}

/// The reference's platform name (`GOOS/GOARCH`) of this build, for the
/// hints that follow executable errors.
pub fn go_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        other => other,
    };
    format!("{os}/{arch}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names() {
        assert_eq!(parse_plugin_name(&executable_file_name("foo")), Ok("foo"));
        for bad in ["notation-", "foo", "Notation-foo", ""] {
            let e = parse_plugin_name(bad).unwrap_err();
            assert!(e.to_string().ends_with(&format!("but got {bad}")), "{e}");
        }
        for ok in ["com.example.plugin", "e2e-plugin", "a", "x..y"] {
            check_plugin_name(ok).unwrap();
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/b",
            "a\\b",
            "a\nb",
            &"x".repeat(201),
        ] {
            assert!(check_plugin_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_plugin_name("../x").unwrap_err().to_string(),
            "plugin name \"../x\" is not valid: it must be non-empty, must not start with '.', must not contain path separators or control characters, and must be at most 200 bytes long"
        );
    }

    #[test]
    fn formats_by_content() {
        assert_eq!(
            detect_format(b"PK\x03\x04rest"),
            PackageFormat::Archive(ArchiveFormat::Zip)
        );
        assert_eq!(
            detect_format(b"\x1f\x8b\x08\x00"),
            PackageFormat::Archive(ArchiveFormat::TarGz)
        );
        // An empty zip ("PK\x05\x06") is not sniffed as zip by Go either.
        assert_eq!(detect_format(b"PK\x05\x06"), PackageFormat::Executable);
        assert_eq!(detect_format(b"#!/bin/sh"), PackageFormat::Executable);
        assert_eq!(detect_format(b""), PackageFormat::Executable);
    }

    #[test]
    fn limits_messages() {
        assert_eq!(
            InstallError::TotalSizeLimit {
                limit: MAX_PACKAGE_BYTES
            }
            .to_string(),
            "total file size reached the 256 MiB size limit"
        );
        assert_eq!(
            InstallError::PackageTooLarge {
                limit: MAX_PACKAGE_BYTES
            }
            .to_string(),
            "file size reached the 256 MiB size limit"
        );
    }

    #[cfg(unix)]
    #[test]
    fn package_limit_counts_bytes_copied() {
        // R10: the package limit holds for the bytes actually read, not
        // only the size seen before reading.
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("notation-x");
        fs::write(&source, vec![b'#'; 2048]).unwrap();
        let limits = Limits {
            package_bytes: 2048,
            total_bytes: 1 << 20,
            entries: 8,
        };
        let plugins = tmp.path().join("plugins");
        let e = install_with_limits(
            &plugins,
            PackageSource::File(&source),
            &InstallOptions::new(),
            &limits,
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(e, InstallError::PackageTooLarge { .. }), "{e}");
        let mut reader: &[u8] = &[0u8; 4096];
        let e = copy_and_hash(&mut reader, &source, &tmp.path().join("copy"), 4096).unwrap_err();
        assert!(matches!(e, InstallError::PackageTooLarge { .. }), "{e}");
        // The install failed before anything was staged.
        assert!(!plugins.exists());
    }

    #[test]
    fn plugin_errors_in_the_reference_words() {
        use notation_core::plugin::Command;
        let exit = PluginError::Exit {
            plugin: "p".into(),
            command: Command::GetPluginMetadata,
            status: "exit status 3".into(),
            stderr: String::new(),
        };
        assert_eq!(plugin_error_text(&exit), "exit status 3");
        assert_eq!(failure_of(&exit), MetadataFailure::Executable);
        let noisy = PluginError::Exit {
            plugin: "p".into(),
            command: Command::GetPluginMetadata,
            status: "exit status 3".into(),
            stderr: "boom".into(),
        };
        assert!(plugin_error_text(&noisy).ends_with("exit status 3: boom"));
        let malformed = PluginError::MalformedResponse {
            plugin: "p".into(),
            command: Command::DescribeKey,
            detail: "expected value".into(),
        };
        assert_eq!(
            plugin_error_text(&malformed),
            "failed to unmarshal the response of describe-key command for plugin p"
        );
        assert_eq!(failure_of(&malformed), MetadataFailure::Malformed);
        let malformed_error = PluginError::MalformedErrorResponse {
            plugin: "p".into(),
            command: Command::DescribeKey,
            detail: "invalid character 'p' looking for beginning of value".into(),
        };
        assert_eq!(
            plugin_error_text(&malformed_error),
            "invalid character 'p' looking for beginning of value"
        );
        let missing = PluginError::NotFound {
            name: "p".into(),
            path: PathBuf::from("/x/p/notation-p"),
        };
        assert_eq!(
            plugin_error_text(&missing),
            "plugin executable file is either not found or inaccessible: stat /x/p/notation-p: no such file or directory"
        );
        assert_eq!(failure_of(&missing), MetadataFailure::Other);
        let mismatch = PluginError::NameMismatch {
            expected: "notation-a".into(),
            actual: "notation-b".into(),
        };
        assert_eq!(failure_of(&mismatch), MetadataFailure::Other);
    }

    #[test]
    fn platform_names() {
        let p = go_platform();
        assert!(p.contains('/'), "{p}");
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        assert_eq!(p, "linux/amd64");
    }
}
