//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use notation_core::signer::LocalSigner;

/// The conformance vectors of ../shared/conformance. Missing vectors fail the
/// test run loudly: they are never skipped.
pub fn conformance_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance"
    ));
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "conformance vectors not found at {} (they are required)",
        dir.display()
    );
    dir
}

/// A file of the conformance vectors.
pub fn conformance(path: &str) -> Vec<u8> {
    let p = conformance_dir().join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// The committed test PKI (testdata/pki, made by make-pki.sh).
pub fn pki_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki"))
}

/// A file of the test PKI.
pub fn pki(name: &str) -> Vec<u8> {
    let p = pki_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// The decoding vectors of a testdata TSV (`name TAB hex TAB verdict`,
/// `#` comments): each with its bytes and the reference's refusal text, or
/// `None` where it accepts.
pub fn decoding_vectors(relative: &str) -> Vec<(String, Vec<u8>, Option<String>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let mut fields = line.splitn(3, '\t');
            let name = fields.next().unwrap().to_owned();
            let hex = fields.next().unwrap();
            let verdict = fields.next().unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let refusal = match verdict {
                "accept" => None,
                v => Some(
                    v.strip_prefix("refuse: ")
                        .unwrap_or_else(|| panic!("{name}: verdict {v:?}"))
                        .to_owned(),
                ),
            };
            (name, bytes, refusal)
        })
        .collect()
}

/// Key spec names of the test PKI leaves.
pub const KEY_NAMES: [&str; 6] = [
    "rsa-2048", "rsa-3072", "rsa-4096", "ec-256", "ec-384", "ec-521",
];

/// A signer for a test PKI leaf (chain leaf, intermediate, root).
pub fn signer(name: &str) -> LocalSigner {
    LocalSigner::from_pem(
        &pki(&format!("{name}.key")),
        &pki(&format!("{name}.chain.pem")),
    )
    .unwrap_or_else(|e| panic!("signer {name}: {e}"))
}
/// Runs `openssl` with `args` in `dir`; fails the test, with openssl's
/// message, when it fails or is missing (scripts/test.sh installs it).
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is required (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub mod plugin;
pub mod report;

/// Every `.rs` file under `dir` (for the tests that scan sources).
pub fn rust_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
