//! `notation version`.

use clap::Args;

use crate::console::Console;
use crate::error::CliResult;

/// `notation version`.
#[derive(Args, Debug)]
pub struct VersionArgs {}

impl VersionArgs {
    /// Prints the version, as the reference does (with the implementation
    /// named, since this is not the Go notation).
    pub fn run(self, con: &mut Console) -> CliResult {
        con.println("Notation - a tool to sign and verify artifacts.")?;
        con.println("")?;
        con.println(format_args!(
            "Version:     {} (notation-rs)",
            env!("CARGO_PKG_VERSION")
        ))?;
        let rustc = env!("NOTATION_BUILD_RUSTC");
        if let Some(version) = rustc.strip_prefix("rustc ") {
            con.println(format_args!("Rust version: {version}"))?;
        }
        // The reference's platform names (GOOS/GOARCH: linux/amd64).
        con.println(format_args!(
            "OS/Arch:     {}",
            crate::plugin_package::go_platform()
        ))
    }
}
