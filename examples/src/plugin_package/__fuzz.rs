//! Entry points for the fuzz targets (`fuzz/`) into code that is not part
//! of the public API. Not covered by semver: do not use.

use std::path::Path;

use super::{InstallError, Limits, extract};

/// The bytes [`extract`](fn@extract) may write in all: small, so that a
/// fuzzed archive reaches the limit quickly (the code that enforces it is
/// the install's).
pub const MAX_BYTES: u64 = 1 << 20;

/// The archive entries [`extract`](fn@extract) may read.
pub const MAX_ENTRIES: usize = 64;

/// Extracts the archive at `archive` (a zip, else a tar.gz) into the
/// existing directory `dest` as `plugin install` does, within
/// [`MAX_BYTES`] and [`MAX_ENTRIES`]; the extracted files' names.
pub fn extract(archive: &Path, zip: bool, dest: &Path) -> Result<Vec<String>, InstallError> {
    let limits = Limits {
        package_bytes: MAX_BYTES,
        total_bytes: MAX_BYTES,
        entries: MAX_ENTRIES,
    };
    let files = if zip {
        extract::extract_zip(archive, dest, &limits, &mut |_| {})?
    } else {
        extract::extract_tar_gz(archive, dest, &limits, &mut |_| {})?
    };
    Ok(files.into_iter().map(|f| f.name).collect())
}
