//! `make -C notation-ffi install` into a temporary prefix, from the
//! libraries of this test build (CARGO_LIBDIR: the install step would
//! otherwise build them with cargo, which cannot run inside `cargo test`),
//! then what a C user does with the result: the files and symlinks, the
//! SONAME, stripped libraries, an archive exporting only `notation_*`
//! symbols and linking beside another Rust static library (both orders),
//! and programs built with pkg-config alone, shared and static. gcc, make,
//! pkg-config, binutils and rustc are required.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(what: &str, command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(what: &str, command: &mut Command) -> String {
    String::from_utf8(run(what, command).stdout).unwrap()
}

/// A C program using the library: `OTHER_DECL` and `OTHER_USE` are empty,
/// or call the other Rust static library.
const APP: &str = r#"#include <stdio.h>
#include <stdint.h>
#include <notation.h>
OTHER_DECL
int main(void) {
    char text[64];
    size_t needed = 0;
    if (notation_abi_version() != NOTATION_ABI_VERSION ||
        notation_result_text(NOTATION_RESULT_VERIFICATION_FAILED, text, sizeof text, &needed) != NOTATION_RESULT_OK) {
        return 1;
    }
    printf("libnotation %s: %s", notation_version(), text);
    OTHER_USE
    printf("\n");
    return 0;
}
"#;

/// A second Rust static library, using std (allocation, unwinding), as any
/// Rust library a C program may also link.
const OTHER: &str = r#"
#[unsafe(no_mangle)]
pub extern "C" fn other_answer() -> u32 {
    let parts: Vec<String> = vec!["4".into(), "2".into()];
    std::panic::catch_unwind(|| parts.concat().parse::<u32>().unwrap()).unwrap_or(0)
}
"#;

fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let out = stdout(
        "pkg-config",
        Command::new("pkg-config")
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .env_remove("PKG_CONFIG_LIBDIR")
            .args(args),
    );
    out.split_whitespace().map(str::to_string).collect()
}

/// Compiles `source` with `flags` (what pkg-config gives), runs it and
/// checks what it prints; returns the binary.
fn build_and_run(
    dir: &Path,
    name: &str,
    source: &str,
    flags: &[String],
    expected: &str,
) -> PathBuf {
    let binary = dir.join(name);
    run(
        &format!("gcc ({name})"),
        Command::new("gcc")
            .args(["-Wall", "-Werror", "-o"])
            .arg(&binary)
            .arg(dir.join(source))
            .args(flags),
    );
    let out = stdout(&format!("run {name}"), &mut Command::new(&binary));
    assert_eq!(out.trim(), expected, "{name}");
    binary
}

fn links_libnotation_so(binary: &Path) -> bool {
    stdout("ldd", Command::new("ldd").arg(binary)).contains("libnotation.so.1")
}

fn sections(file: &Path) -> String {
    stdout(
        "readelf -S",
        Command::new("readelf").arg("-S").arg("-W").arg(file),
    )
}

#[test]
fn make_install_gives_a_c_user_what_pkg_config_needs() {
    for (tool, flag) in [
        ("gcc", "--version"),
        ("make", "--version"),
        ("pkg-config", "--version"),
        ("readelf", "--version"),
        ("nm", "--version"),
        ("rustc", "--version"),
        ("ldd", "--version"),
    ] {
        common::require(tool, flag, "the installation test");
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let prefix = common::make_install(dir);
    let lib = prefix.join("lib");

    // Files, symlinks, SONAME.
    let version = env!("CARGO_PKG_VERSION");
    let real = format!("libnotation.so.1.{version}");
    assert!(prefix.join("include/notation.h").is_file());
    assert_eq!(
        std::fs::read(prefix.join("include/notation.h")).unwrap(),
        std::fs::read(common::repo_root().join("include/notation.h")).unwrap()
    );
    assert!(lib.join(&real).is_file());
    assert_eq!(
        std::fs::read_link(lib.join("libnotation.so.1")).unwrap(),
        Path::new(&real)
    );
    assert_eq!(
        std::fs::read_link(lib.join("libnotation.so")).unwrap(),
        Path::new("libnotation.so.1")
    );
    let dynamic = stdout(
        "readelf -d",
        Command::new("readelf").arg("-d").arg(lib.join(&real)),
    );
    assert!(
        dynamic.contains("Library soname: [libnotation.so.1]"),
        "{dynamic}"
    );

    // Stripped: no debug information in either library, no symbol table
    // in the shared one (its dynamic symbols remain).
    for file in [lib.join(&real), lib.join("libnotation.a")] {
        let s = sections(&file);
        assert!(
            !s.contains(".debug_"),
            "{}: debug sections\n{s}",
            file.display()
        );
    }
    assert!(!sections(&lib.join(&real)).contains(" .symtab "));
    let built = common::library_dir().join("libnotation.so");
    assert!(
        std::fs::metadata(lib.join(&real)).unwrap().len()
            < std::fs::metadata(&built).unwrap().len() / 2,
        "the installed shared library is not stripped"
    );

    // The archive exports notation_* and nothing else (rustc's exports
    // the standard library's and every dependency's symbols).
    let exported = stdout(
        "nm",
        Command::new("nm")
            .args(["-g", "--defined-only", "--format=posix"])
            .arg(lib.join("libnotation.a")),
    );
    let names: Vec<&str> = exported
        .lines()
        .filter(|l| !l.ends_with(':') && !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let foreign: Vec<&&str> = names
        .iter()
        .filter(|n| !n.starts_with("notation_"))
        .collect();
    assert!(
        foreign.is_empty(),
        "the archive exports {} other symbols: {:?}",
        foreign.len(),
        &foreign[..foreign.len().min(10)]
    );
    for function in [
        "notation_verifier_verify_blob",
        "notation_abi_version",
        "notation_verdict_certificate_der",
    ] {
        assert!(names.contains(&function), "{function} is not exported");
    }
    assert!(names.len() > 80, "{} exports", names.len());

    // pkg-config: shared by default, the archive through notation-static.
    std::fs::write(
        dir.join("app.c"),
        APP.replace("OTHER_DECL", "").replace("OTHER_USE", ""),
    )
    .unwrap();
    std::fs::write(
        dir.join("app-other.c"),
        APP.replace("OTHER_DECL", "uint32_t other_answer(void);")
            .replace("OTHER_USE", "printf(\"; other %u\", other_answer());"),
    )
    .unwrap();
    let expected = format!("libnotation {version}: signature verification failed");
    let mut shared_flags = pkg_config(&prefix, &["--cflags", "--libs", "notation"]);
    assert_eq!(
        shared_flags.last().unwrap(),
        "-lnotation",
        "{shared_flags:?}"
    );
    shared_flags.push(format!("-Wl,-rpath,{}", lib.display()));
    let binary = build_and_run(dir, "app-shared", "app.c", &shared_flags, &expected);
    assert!(links_libnotation_so(&binary));

    let native = pkg_config(&prefix, &["--static", "--libs", "notation"]);
    assert!(
        native.len() > 2 && native.contains(&"-lnotation".to_string()),
        "{native:?}"
    );
    let static_flags = pkg_config(&prefix, &["--cflags", "--libs", "notation-static"]);
    assert!(
        static_flags.iter().any(|f| f.ends_with("/libnotation.a")),
        "{static_flags:?}"
    );
    // The archive's system libraries are those of `notation --static`.
    assert_eq!(
        &static_flags[static_flags.len() - (native.len() - 2)..],
        &native[2..]
    );
    let binary = build_and_run(dir, "app-static", "app.c", &static_flags, &expected);
    assert!(!links_libnotation_so(&binary));

    // Where only the archive is installed, `pkg-config --static` links it.
    for name in [real.as_str(), "libnotation.so.1", "libnotation.so"] {
        std::fs::remove_file(lib.join(name)).unwrap();
    }
    let flags = pkg_config(&prefix, &["--static", "--cflags", "--libs", "notation"]);
    let binary = build_and_run(dir, "app-static-only", "app.c", &flags, &expected);
    assert!(!links_libnotation_so(&binary));

    // Beside another Rust static library, in both orders.
    std::fs::write(dir.join("other.rs"), OTHER).unwrap();
    run(
        "rustc (the other static library)",
        Command::new("rustc")
            .args(["--edition", "2024", "--crate-type", "staticlib", "-O", "-o"])
            .arg(dir.join("libother.a"))
            .arg(dir.join("other.rs")),
    );
    let other = dir.join("libother.a").display().to_string();
    let expected_other = format!("{expected}; other 42");
    let mut first = static_flags.clone();
    first.insert(first.len() - (native.len() - 2), other.clone());
    build_and_run(
        dir,
        "app-notation-first",
        "app-other.c",
        &first,
        &expected_other,
    );
    let mut second = vec![other];
    second.extend(static_flags.iter().cloned());
    build_and_run(
        dir,
        "app-other-first",
        "app-other.c",
        &second,
        &expected_other,
    );
}
