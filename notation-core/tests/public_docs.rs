//! Public documentation speaks to crate users, who have no REQUIREMENTS.md:
//! no `///` or `//!` doc comment of notation-core, notation-oci or
//! notation-ffi, and no crate README, cites a requirement id (`Q7`, `K3`,
//! `G1-G4`, `(M)`, "REQUIREMENTS ..."). Docs say it in words or link the
//! specification; ids stay in tests and in plain `//` comments (issue 12
//! item 9).

use std::path::Path;

mod common;

/// Whether `word` is an id of REQUIREMENTS.md: a letter A to X and one or
/// two digits (`Q7`, `N10`).
fn is_id(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some('A'..='X'))
        && (1..=2).contains(&chars.clone().count())
        && chars.all(|c| c.is_ascii_digit())
}

/// The ids a line of documentation cites.
fn cited_ids(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| is_id(w))
        .map(str::to_owned)
        .collect();
    if text.contains("REQUIREMENTS") {
        found.push("REQUIREMENTS".to_owned());
    }
    // A single-letter section id in parentheses: `(M)`, `(U: 64 MiB)`.
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(2) {
        if bytes[i] == b'('
            && (b'B'..=b'X').contains(&bytes[i + 1])
            && matches!(bytes[i + 2], b')' | b':' | b',' | b';')
        {
            found.push(text[i..i + 3].to_owned());
        }
    }
    found
}

#[test]
fn the_detector_finds_ids() {
    assert_eq!(cited_ids("/// Resolves (Q8): a digest"), ["Q8"]);
    assert_eq!(cited_ids("//! rules G1-G4 and N10."), ["G1", "G4", "N10"]);
    assert_eq!(cited_ids("the matrix (M)"), ["(M)"]);
    assert_eq!(cited_ids("see REQUIREMENTS"), ["REQUIREMENTS"]);
    assert!(cited_ids("X509 and P-256, SHA-1, RFC 3161 (A valid DN)").is_empty());
}

#[test]
fn public_docs_cite_no_requirement_ids() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["notation-core", "notation-oci", "notation-ffi"] {
        common::rust_files(&root.join(krate).join("src"), &mut files);
    }
    let mut offending = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if !(trimmed.starts_with("///") || trimmed.starts_with("//!")) {
                continue;
            }
            let ids = cited_ids(&trimmed[3..]);
            if !ids.is_empty() {
                offending.push(format!(
                    "{}:{}: {ids:?}: {}",
                    file.display(),
                    n + 1,
                    trimmed
                ));
            }
        }
    }
    for readme in ["notation-core/README.md", "notation-oci/README.md"] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        for (n, line) in text.lines().enumerate() {
            let ids = cited_ids(line);
            if !ids.is_empty() {
                offending.push(format!("{readme}:{}: {ids:?}: {line}", n + 1));
            }
        }
    }
    assert!(files.len() > 80, "scanned {} files", files.len());
    assert!(
        offending.is_empty(),
        "public docs cite requirement ids (say it in words or link the specification; \
         keep ids in `//` comments):\n{}",
        offending.join("\n")
    );
}
