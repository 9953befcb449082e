//! Extracts arbitrary bytes as a plugin package, as `notation plugin
//! install` does with a `.zip` or `.tar.gz` file: any input must give a
//! typed error or plain files inside the staging directory, never a panic,
//! a link, a file outside it, or more bytes or entries than the limits.
//!
//! The first byte selects the format (even: zip, odd: tar.gz), the rest is
//! the archive.
#![no_main]

use std::fs;

use libfuzzer_sys::fuzz_target;
use notation_examples::plugin_package::fuzz::{LIMITS, extract};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, archive)) = data.split_first() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let package = work.path().join("package");
    let dest = work.path().join("dest");
    fs::write(&package, archive).unwrap();
    fs::create_dir(&dest).unwrap();
    let result = extract(&package, selector % 2 == 0, &dest);
    // Nothing beside the package and the staging directory.
    let mut top: Vec<_> = fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    top.sort();
    assert_eq!(top, ["dest", "package"]);
    // Only plain files in the staging directory, within the limits.
    let mut total = 0;
    let mut count = 0;
    for entry in fs::read_dir(&dest).unwrap() {
        let meta = fs::symlink_metadata(entry.unwrap().path()).unwrap();
        assert!(meta.is_file(), "{meta:?}");
        total += meta.len();
        count += 1;
    }
    assert!(
        total <= LIMITS.0 && count <= LIMITS.1,
        "{total} bytes, {count} files"
    );
    if let Ok(names) = result {
        assert_eq!(names.len(), count);
    }
});
