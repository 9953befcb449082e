//! The list of functions that a release build of `notation` lays out side by
//! side (`link/notation.order`, see build.rs) names the functions of this
//! build: it was written with this toolchain and these dependency versions,
//! since other ones name the functions differently and the linker would find
//! few of them (the program would start as slowly, with as much memory, as
//! an unordered one).

use std::path::Path;

const ORDER: &str = include_str!("../link/notation.order");

fn header(key: &str) -> &'static str {
    ORDER
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
        .unwrap_or_else(|| panic!("link/notation.order has no `# {key}:` line"))
}

const REGENERATE: &str = "run scripts/link-order.sh and commit examples/link/notation.order";

/// Run by scripts/test.sh (`-- --ignored`), on the toolchain the list is
/// written with; elsewhere (another toolchain, another platform, where the
/// list goes unused or unmatched) it would fail for nothing in the code.
#[test]
#[ignore = "scripts/test.sh runs it, on the project's toolchain"]
fn the_list_is_for_this_toolchain_and_these_dependencies() {
    let lock = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
        .expect("read Cargo.lock");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &lock);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        header("Cargo.lock"),
        hex,
        "Cargo.lock has changed since the list was written: {REGENERATE}"
    );
    assert_eq!(
        header("rustc"),
        env!("NOTATION_BUILD_RUSTC"),
        "the toolchain has changed since the list was written: {REGENERATE}"
    );
}

#[test]
fn the_list_names_the_verification_path() {
    let names: Vec<&str> = ORDER
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(names.len() > 500, "only {} functions listed", names.len());
    // The verifier's own entry points and the signature checks are among them.
    for part in ["verify_blob", "VerifierBuilder", "EVP_DigestVerify"] {
        assert!(
            names.iter().any(|n| n.contains(part)),
            "no function with {part:?} in its name is listed"
        );
    }
}
