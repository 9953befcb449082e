//! The command line: clap definitions and dispatch.

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use crate::commands::{auth, blob, certificate, key, oci, plugin, policy, version};
use crate::console::Console;

/// Notation - a tool to sign and verify artifacts
#[derive(Parser, Debug)]
#[command(
    name = "notation",
    version,
    about = "Notation - a tool to sign and verify artifacts",
    propagate_version = true
)]
pub struct Cli {
    /// time limit of the command's network work: all its registry requests together (default 10s) and a timestamping request (default 30s)
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::commands::network::parse_timeout)]
    timeout: Option<std::time::Duration>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sign, verify, inspect signatures of blob. Configure blob trust policy.
    Blob(blob::BlobCommand),
    /// Manage certificates in trust store
    #[command(visible_alias = "cert")]
    Certificate(certificate::CertificateCommand),
    /// Manage keys used for signing
    Key(key::KeyCommand),
    /// Manage plugins
    Plugin(plugin::PluginCommand),
    /// Manage OCI trust policy configuration for OCI artifact signature verification
    Policy(policy::OciPolicyCommand),
    /// Sign artifacts
    Sign(oci::SignArgs),
    /// Verify OCI artifacts
    Verify(oci::VerifyArgs),
    /// List signatures of the signed artifact
    #[command(visible_alias = "ls")]
    List(oci::ListArgs),
    /// Inspect all signatures associated with the signed artifact
    Inspect(oci::InspectArgs),
    /// Login to registry
    Login(auth::LoginArgs),
    /// Log out from the logged in registries
    Logout(auth::LogoutArgs),
    /// Show the notation version information
    Version(version::VersionArgs),
}

/// Parses `args` (including the program name) and runs the command.
/// Returns the process exit status: 0 on success and for `--help`, 1 on
/// any failure, as the reference does; errors are printed as
/// `Error: <text>` on standard error.
pub fn run<I, T>(args: I, con: &mut Console) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let text = e.render().to_string();
            let ok = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            let _ = if ok {
                con.print(&text)
            } else {
                con.eprintln(text.trim_end())
            };
            let _ = con.flush();
            return if ok { 0 } else { 1 };
        }
    };
    crate::commands::network::set_timeout(cli.timeout);
    let result = match cli.command {
        Command::Blob(c) => c.run(con),
        Command::Certificate(c) => c.run(con),
        Command::Key(c) => c.run(con),
        Command::Plugin(c) => c.run(con),
        Command::Policy(c) => c.run(con),
        Command::Sign(c) => c.run(con),
        Command::Verify(c) => c.run(con),
        Command::List(c) => c.run(con),
        Command::Inspect(c) => c.run(con),
        Command::Login(c) => c.run(con),
        Command::Logout(c) => c.run(con),
        Command::Version(c) => c.run(con),
    };
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = con.eprintln(format_args!("Error: {e}"));
            e.exit_code()
        }
    };
    let _ = con.flush();
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
