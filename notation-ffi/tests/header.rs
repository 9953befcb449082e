//! `include/notation.h` is generated from the sources: this test
//! regenerates it in memory and fails when the committed header, or the Go
//! package's copy (notation-ffi/go/notation/notation.h), differs.
//! `UPDATE_HEADER=1 cargo test -p notation-ffi --test header` rewrites both.

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

    // The Go package carries a copy, so that `go build` finds the header
    // without the repository around it.
    let go_copy = crate_dir.join("go/notation/notation.h");
    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&header_path, &generated).expect("write include/notation.h");
        std::fs::write(&go_copy, &generated).expect("write go/notation/notation.h");
        return;
    }
    assert!(
        std::fs::read(&go_copy).unwrap_or_default()
            == std::fs::read(&header_path).unwrap_or_default(),
        "notation-ffi/go/notation/notation.h differs from include/notation.h: regenerate both with\n  UPDATE_HEADER=1 cargo test -p notation-ffi --test header"
    );
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

/// `const` says what a call does with a handle: every setter and every
/// call that fills a verdict or signs into a target takes it non-const;
/// every other handle parameter (accessors, verifiers, signers) is const.
#[test]
fn handle_parameters_are_const_exactly_when_only_read() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(crate_dir.join("../include/notation.h")).unwrap();
    // One declaration per function, joined onto one line.
    let declarations: Vec<String> = header
        .split(';')
        .filter_map(|d| {
            d.rfind("\nnotation_result notation_")
                .map(|i| d[i..].split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect();
    assert!(
        declarations.len() >= 80,
        "{} declarations",
        declarations.len()
    );
    let handles = [
        "notation_config",
        "notation_verifier",
        "notation_verdict",
        "notation_signer",
        "notation_sign_options",
        "notation_verify_options",
        "notation_target",
        "notation_signature_list",
        "notation_buffer",
    ];
    let mut checked = 0;
    for declaration in &declarations {
        let name = &declaration["notation_result ".len()..declaration.find('(').unwrap()];
        let writes = |handle: &str| {
            let setter = name.starts_with(&format!("{handle}_set_"))
                || name.starts_with(&format!("{handle}_add_"));
            setter
                || (handle == "notation_verdict" && name.starts_with("notation_verifier_verify_"))
                || (handle == "notation_target" && name == "notation_signer_sign_artifact")
        };
        let params = &declaration[declaration.find('(').unwrap() + 1..];
        for param in params.trim_end_matches(')').split(", ") {
            for handle in handles {
                if param.starts_with(&format!("const {handle} *")) {
                    assert!(!writes(handle), "{name}: {param} should not be const");
                    checked += 1;
                } else if param.starts_with(&format!("{handle} *"))
                    && !param.starts_with(&format!("{handle} **"))
                {
                    assert!(writes(handle), "{name}: {param} should be const");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 70, "{checked} handle parameters checked");
}
