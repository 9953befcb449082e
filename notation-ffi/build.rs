//! Gives libnotation.so its SONAME, `libnotation.so.<ABI version>`, so that
//! programs linked against this ABI refuse a library with another one
//! (`make install` names the files to match; see notation-ffi/README.md).

fn main() {
    let source = std::fs::read_to_string("src/version.rs").expect("src/version.rs");
    let abi = source
        .lines()
        .find_map(|l| l.strip_prefix("pub const NOTATION_ABI_VERSION: u32 = "))
        .and_then(|rest| rest.strip_suffix(';'))
        .expect("src/version.rs defines NOTATION_ABI_VERSION");
    println!("cargo:rerun-if-changed=src/version.rs");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnotation.so.{abi}");
    }
}
