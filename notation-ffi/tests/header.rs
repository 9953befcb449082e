//! `include/notation.h` is generated from the sources: this test
//! regenerates it in memory and fails when the committed header differs.
//! `UPDATE_HEADER=1 cargo test -p notation-ffi --test header` rewrites it.

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../include/notation.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("notation-ffi/cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);

    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&header_path, &generated).expect("write include/notation.h");
        return;
    }
    let committed = std::fs::read(&header_path).unwrap_or_default();
    if committed != generated {
        panic!(
            "include/notation.h is stale or missing: regenerate it with\n  UPDATE_HEADER=1 cargo test -p notation-ffi --test header\n(first difference at byte {})",
            committed
                .iter()
                .zip(&generated)
                .position(|(a, b)| a != b)
                .unwrap_or(committed.len().min(generated.len()))
        );
    }
}
