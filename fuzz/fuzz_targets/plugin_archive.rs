//! Extracts arbitrary bytes as a plugin package, as `notation plugin
//! install` does with a `.zip` or `.tar.gz` file: any input must give a
//! typed error or plain files inside the staging directory, never a panic,
//! a link, a file outside it, set-id or group- or world-writable bits, or
//! more bytes or entries than the limits.
//!
//! The first byte selects the format (even: zip, odd: tar.gz), the rest is
//! the archive.
#![no_main]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use notation_examples::plugin_package::__fuzz::{MAX_BYTES, MAX_ENTRIES, extract};

/// Every path below `dir`, directories included.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if fs::symlink_metadata(&path).unwrap().is_dir() {
            walk(&path, out);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, archive)) = data.split_first() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let package = work.path().join("package");
    // Two levels down, so that a name that climbs out shows up above it.
    let dest = work.path().join("a/b/dest");
    fs::write(&package, archive).unwrap();
    fs::create_dir_all(&dest).unwrap();
    let result = extract(&package, selector % 2 == 0, &dest);
    let mut everything = Vec::new();
    walk(work.path(), &mut everything);
    let mut total = 0;
    let mut count = 0;
    for path in everything {
        if path == package || dest.starts_with(&path) {
            continue;
        }
        // Nothing but plain files, directly in the staging directory.
        assert_eq!(path.parent(), Some(dest.as_path()), "{path:?}");
        let meta = fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file(), "{path:?}: {meta:?}");
        let mode = meta.permissions().mode();
        assert_eq!(mode & 0o7022, 0, "{path:?}: mode {mode:o}");
        total += meta.len();
        count += 1;
    }
    assert!(
        total < MAX_BYTES && count <= MAX_ENTRIES,
        "{total} bytes, {count} files"
    );
    if let Ok(names) = result {
        assert_eq!(names.len(), count);
    }
});
