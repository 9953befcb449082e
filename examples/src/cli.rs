//! The command line: clap definitions and dispatch.
//!
//! The definitions (the derive structs of [`crate::commands`]) are adjusted
//! once, in [`command`], to the reference's conventions: Go boolean flags
//! (`--flag=false`, [`flags`]), its help texts with examples and `-h` for
//! the full help ([`help`]); argument errors are worded as cobra's
//! ([`errors`]).

mod completion;
pub mod errors;
pub mod flags;
pub mod help;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::{auth, blob, certificate, key, oci, plugin, policy, version};
use crate::console::Console;

pub use completion::script as completion_script;

/// Notation - a tool to sign and verify artifacts
#[derive(Parser, Debug)]
#[command(
    name = "notation",
    version,
    about = "Notation - a tool to sign and verify artifacts"
)]
pub struct Cli {
    /// time limit of the command's network work: all its registry requests together, per reference when verifying several (default 10s) and a timestamping request (default 30s)
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
    /// Generate the autocompletion script for the specified shell
    Completion(completion::CompletionCommand),
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
    /// Copy an artifact with its signatures between registries and OCI layouts
    Copy(oci::CopyArgs),
    /// Login to registry
    Login(auth::LoginArgs),
    /// Log out from the logged in registries
    Logout(auth::LogoutArgs),
    /// Show the notation version information
    Version(version::VersionArgs),
}

/// The whole command tree as it parses and as help and completion show it.
pub fn command() -> clap::Command {
    flags::go_booleans(help::apply(Cli::command()))
}

/// Parses `args` (including the program name) and runs the command.
/// Returns the process exit status: 0 on success and for `--help`, 1 on
/// any failure, as the reference does; errors, argument errors included,
/// are printed as `Error: <text>` on standard error.
pub fn run<I, T>(args: I, con: &mut Console) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let command = command();
    let parsed = command
        .clone()
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = match errors::translate(&e, &command, &args) {
                errors::Outcome::Display(text) => {
                    let _ = con.print(text);
                    0
                }
                errors::Outcome::Failure { message, trailer } => {
                    let _ = con.eprint(format_args!("Error: {message}\n{trailer}"));
                    1
                }
            };
            let _ = con.flush();
            return code;
        }
    };
    crate::commands::network::set_timeout(cli.timeout);
    let result = match cli.command {
        Command::Blob(c) => c.run(con),
        Command::Certificate(c) => c.run(con),
        Command::Completion(c) => c.run(con),
        Command::Key(c) => c.run(con),
        Command::Plugin(c) => c.run(con),
        Command::Policy(c) => c.run(con),
        Command::Sign(c) => c.run(con),
        Command::Verify(c) => c.run(con),
        Command::List(c) => c.run(con),
        Command::Inspect(c) => c.run(con),
        Command::Copy(c) => c.run(con),
        Command::Login(c) => c.run(con),
        Command::Logout(c) => c.run(con),
        Command::Version(c) => c.run(con),
    };
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            // Each line escaped on its own: a line break inside a message
            // (from a registry, a plugin) is shown, never obeyed.
            for (i, line) in e.display_lines().iter().enumerate() {
                let _ = if i == 0 {
                    con.eprintln(format_args!("Error: {line}"))
                } else {
                    con.eprintln(line)
                };
            }
            e.exit_code()
        }
    };
    let _ = con.flush();
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn subcommands_have_no_version_flag() {
        fn walk(c: &clap::Command, top: bool) {
            let mut c = c.clone();
            c.build();
            let has_v = c.get_arguments().any(|a| a.get_id() == "version");
            assert_eq!(has_v, top, "{}", c.get_name());
            for sub in c.get_subcommands() {
                if sub.get_name() != "help" {
                    walk(sub, false);
                }
            }
        }
        walk(&command(), true);
    }
}
