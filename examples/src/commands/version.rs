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
        con.println(format_args!(
            "OS/Arch:     {}/{}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ))
    }
}
