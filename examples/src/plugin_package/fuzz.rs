//! Entry points for the fuzz targets (`fuzz/`) into code that is not part
//! of the public API. Not covered by semver: do not use.

use std::path::Path;

use super::{InstallError, Limits, extract};

/// The limits [`extract`](fn@extract) works under: small, so that a fuzzed archive
/// reaches them quickly (the code that enforces them is the install's).
pub const LIMITS: (u64, usize) = (1 << 20, 64);

/// Extracts the archive at `archive` (a zip, else a tar.gz) into the
/// existing directory `dest` as `plugin install` does, within [`LIMITS`]
/// (bytes extracted in all, entries); the extracted files' names.
pub fn extract(archive: &Path, zip: bool, dest: &Path) -> Result<Vec<String>, InstallError> {
    let limits = Limits {
        package_bytes: LIMITS.0,
        total_bytes: LIMITS.0,
        entries: LIMITS.1,
    };
    let files = if zip {
        extract::extract_zip(archive, dest, &limits, &mut |_| {})?
    } else {
        extract::extract_tar_gz(archive, dest, &limits, &mut |_| {})?
    };
    Ok(files.into_iter().map(|f| f.name).collect())
}
