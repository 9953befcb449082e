//! Lays out the `notation` program's code for a fast start.
//!
//! A `notation` process is short: most of a `blob verify` is starting the
//! process and touching its code for the first time, and a page of code that
//! is touched costs a page fault and resident memory. `link/notation.order`
//! (written by `scripts/link-order.sh`) lists the functions that the
//! verification commands run; a release build asks the linker to place them
//! side by side, at the start of the program's code, so that they share
//! pages. The order changes only where code lies, never what it does.
//!
//! LLD takes the list (`--symbol-ordering-file`); it is the linker of Rust
//! 1.90 and later on x86_64 Linux. Elsewhere, with another linker chosen
//! (`-C linker`, a configured target linker), or with
//! `NOTATION_LINK_ORDER=off`, the build is the plain one. Names in the list
//! that a build lacks (after a toolchain or dependency update) are skipped;
//! the script writes a current list.

use std::env;
use std::path::PathBuf;
use std::process::Command;

/// The first Rust release that links x86_64-unknown-linux-gnu with LLD.
const LLD_BY_DEFAULT: (u32, u32) = (1, 90);

fn main() {
    println!("cargo:rerun-if-changed=link/notation.order");
    println!("cargo:rerun-if-env-changed=NOTATION_LINK_ORDER");
    // For the test that the list was written with this toolchain.
    let rustc = rustc_version_text().unwrap_or_default();
    println!("cargo:rustc-env=NOTATION_BUILD_RUSTC={rustc}");
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let order = dir.join("link").join("notation.order");
    if !order.is_file() || !ordered_link() {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bin=notation=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    println!("cargo:rustc-link-arg-bin=notation=-Wl,--no-warn-symbol-ordering");
}

/// Whether this build links the program with the toolchain's LLD, in a
/// release profile, and has not been asked to leave the order out.
fn ordered_link() -> bool {
    let var = |name: &str| env::var(name).unwrap_or_default();
    if var("NOTATION_LINK_ORDER") == "off"
        || var("PROFILE") != "release"
        || var("TARGET") != "x86_64-unknown-linux-gnu"
        || env::var_os("RUSTC_LINKER").is_some()
    {
        return false;
    }
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if ["linker", "link-self-contained", "fuse-ld"]
        .iter()
        .any(|f| flags.contains(f))
    {
        return false;
    }
    rustc_version().is_some_and(|v| v >= LLD_BY_DEFAULT)
}

/// What `rustc -V` prints, without its line break.
fn rustc_version_text() -> Option<String> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("-V").output().ok()?;
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

/// The compiler's (major, minor) version, from `rustc -V`.
fn rustc_version() -> Option<(u32, u32)> {
    let text = rustc_version_text()?;
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
