//! Lays out the `notation` program's code for a fast start.
//!
//! A `notation` process is short: most of a `blob verify` is starting the
//! process and touching its code for the first time, and a page of code that
//! is touched costs a page fault and resident memory. `link/notation.order`
//! (written by `scripts/link-order.sh`) lists the functions that the
//! verification and signing commands run; a release build for x86_64 Linux
//! asks the linker to place them side by side, at the start of the
//! program's code, so that they share pages. The order changes only where
//! code lies, never what it does.
//!
//! LLD takes the list (`--symbol-ordering-file`); rustup's toolchains link
//! with it from Rust 1.90 on, other toolchains and configured linkers may
//! not. Before asking for the order, this script links an empty program with
//! the same compiler, linker and flags and the order's arguments: where that
//! fails, or with `NOTATION_LINK_ORDER=off`, the build is the plain one.
//! Names in the list that a build lacks (after a toolchain or dependency
//! update) are skipped; the script writes a current list.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=link/notation.order");
    println!("cargo:rerun-if-env-changed=NOTATION_LINK_ORDER");
    // For the test that the list was written with this toolchain.
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(&rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .unwrap_or_default();
    println!("cargo:rustc-env=NOTATION_BUILD_RUSTC={}", version.trim());

    let var = |name: &str| env::var(name).unwrap_or_default();
    let dir = PathBuf::from(var("CARGO_MANIFEST_DIR"));
    let order = dir.join("link").join("notation.order");
    if var("NOTATION_LINK_ORDER") == "off"
        || var("PROFILE") != "release"
        || var("TARGET") != "x86_64-unknown-linux-gnu"
        || !order.is_file()
    {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", order.display()),
        "-Wl,--no-warn-symbol-ordering".to_owned(),
    ];
    if links_with(&rustc, &args) {
        for arg in args {
            println!("cargo:rustc-link-arg-bin=notation={arg}");
        }
    }
}

/// Whether an empty program links for this build's target, with its
/// compiler, linker and flags, when `args` are given to the linker.
fn links_with(rustc: &std::ffi::OsStr, args: &[String]) -> bool {
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out.join("link-order-probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let mut probe = Command::new(rustc);
    probe
        .arg("--target")
        .arg(env::var_os("TARGET").unwrap_or_default())
        .arg("--crate-type=bin")
        .arg("-o")
        .arg(Path::new(&out).join("link-order-probe"))
        .arg(&source);
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        probe
            .arg("-C")
            .arg(format!("linker={}", linker.to_string_lossy()));
    }
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    probe.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    for arg in args {
        probe.arg("-C").arg(format!("link-arg={arg}"));
    }
    probe
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
