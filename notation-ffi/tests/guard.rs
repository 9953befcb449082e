//! Every export runs inside the panic guard: this test scans the crate's
//! sources and fails on an `extern "C"` function whose body does not start
//! with one of the `ffi_guard*` macros, or that is not `notation_*`-named
//! and `#[unsafe(no_mangle)]`.

use std::path::Path;

/// The exported functions of one source file: (name, attributes before it,
/// first statement of its body).
fn exports(source: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(i) = rest.find("extern \"C\" fn ") {
        let at = offset + i;
        let after = &source[at + "extern \"C\" fn ".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body starts at the first `{` after the signature's closing
        // parenthesis (return types here contain no braces).
        let signature_end = after.find(')').expect("parameter list");
        let body_start = after[signature_end..].find('{').expect("body") + signature_end;
        let body = after[body_start + 1..].trim_start();
        let first_statement: String = body.chars().take(40).collect();
        // The attributes: the lines just above the `pub ... extern` line.
        let line_start = source[..at].rfind('\n').map(|n| n + 1).unwrap_or(0);
        let above: Vec<&str> = source[..line_start].lines().rev().take(3).collect();
        found.push((name, above.join("\n"), first_statement));
        offset = at + 1;
        rest = &source[offset..];
    }
    found
}

#[test]
fn every_export_is_guarded_and_named() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut count = 0;
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (name, attributes, first) in exports(&source) {
            count += 1;
            let file = path.file_name().unwrap().to_string_lossy();
            if !first.starts_with("ffi_guard") {
                problems.push(format!(
                    "{file}: {name} does not start with a panic guard (found `{first}`)"
                ));
            }
            if !name.starts_with("notation_") {
                problems.push(format!("{file}: {name} is not named notation_*"));
            }
            if !attributes.contains("#[unsafe(no_mangle)]") {
                problems.push(format!("{file}: {name} is not #[unsafe(no_mangle)]"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        count > 60,
        "found only {count} exports: is the scan broken?"
    );
}

#[test]
fn the_scan_catches_an_unguarded_export() {
    let bad = r#"
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_bad(x: *const u8) -> notation_result {
    let y = 1;
    ffi_guard! { Ok(()) }
}
"#;
    let found = exports(bad);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "notation_bad");
    assert!(!found[0].2.starts_with("ffi_guard"));
}
