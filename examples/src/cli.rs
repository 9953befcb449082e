//! The command line: clap definitions and dispatch.
//!
//! The definitions (the derive structs of [`crate::commands`]) are adjusted,
//! as clap defines each command, to the reference's conventions: Go boolean flags
//! (`--flag=false`, [`flags`]), its help texts with examples and `-h` for
//! the full help ([`help`]); argument errors are worded as cobra's
//! ([`errors`]).

mod completion;
pub mod errors;
pub mod flags;
pub mod help;

use std::ffi::OsString;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

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

// Each command's arguments (and its subcommands) are defined when clap
// first needs them: a run builds the one command it runs, not the whole
// tree, which is most of the work of starting up.
#[derive(Subcommand, Debug)]
#[command(defer = true)]
enum Command {
    /// Sign, verify, inspect signatures of blob. Configure blob trust policy.
    Blob(Deferred<blob::BlobCommand>),
    /// Manage certificates in trust store
    #[command(visible_alias = "cert")]
    Certificate(Deferred<certificate::CertificateCommand>),
    /// Generate the autocompletion script for the specified shell
    Completion(Deferred<completion::CompletionCommand>),
    /// Manage keys used for signing
    Key(Deferred<key::KeyCommand>),
    /// Manage plugins
    Plugin(Deferred<plugin::PluginCommand>),
    /// Manage OCI trust policy configuration for OCI artifact signature verification
    Policy(Deferred<policy::OciPolicyCommand>),
    /// Sign artifacts
    Sign(Deferred<oci::SignArgs>),
    /// Verify OCI artifacts
    Verify(Deferred<oci::VerifyArgs>),
    /// List signatures of the signed artifact
    #[command(visible_alias = "ls")]
    List(Deferred<oci::ListArgs>),
    /// Inspect all signatures associated with the signed artifact
    Inspect(Deferred<oci::InspectArgs>),
    /// Copy an artifact with its signatures between registries and OCI layouts
    Copy(Deferred<oci::CopyArgs>),
    /// Login to registry
    Login(Deferred<auth::LoginArgs>),
    /// Log out from the logged in registries
    Logout(Deferred<auth::LogoutArgs>),
    /// Show the notation version information
    Version(Deferred<version::VersionArgs>),
}

/// The arguments of a top-level command, adjusted to the reference's
/// conventions (help texts, Go boolean flags) when clap defines them.
#[derive(Debug)]
struct Deferred<T>(T);

impl<T> Deferred<T> {
    /// `define`'s arguments on `command`, with the conventions applied.
    fn conventions(
        command: clap::Command,
        define: fn(clap::Command) -> clap::Command,
    ) -> clap::Command {
        let path = command.get_name().to_owned();
        // The summary in the command list (from `enum Command`) stays: the
        // definition's own doc comment would replace it.
        let about = command.get_about().cloned();
        let mut command = define(command);
        if let Some(about) = about {
            command = command.about(about);
        }
        flags::go_booleans(help::apply_at(command, &path))
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(command: clap::Command) -> clap::Command {
        Self::conventions(command, T::augment_args)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::conventions(command, T::augment_args_for_update)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Self)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// The command tree with each command's arguments still to be defined:
/// what a run parses with.
fn lazy_command() -> clap::Command {
    flags::go_booleans_here(help::apply_here(Cli::command(), ""))
}

/// The whole command tree as help and completion show it, every command
/// defined.
pub fn command() -> clap::Command {
    let mut command = lazy_command();
    command.build();
    // clap copied the command names under `help` (`notation help blob
    // verify`) before the commands defined their subcommands: copy those
    // too, as completion offers them.
    let mut nested: Vec<(String, Vec<clap::Command>)> = command
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| {
            let bin_name = format!("notation help {}", c.get_name());
            (c.get_name().to_owned(), help_copies(c, &bin_name))
        })
        .collect();
    command.mut_subcommand("help", |help| {
        help.mut_subcommands(|copy| {
            match nested.iter_mut().find(|(name, _)| name == copy.get_name()) {
                Some((_, subcommands)) => copy.subcommands(std::mem::take(subcommands)),
                None => copy,
            }
        })
    })
}

/// Copies of the subcommands of `command` (whose copy under `help` is
/// `bin_name`) as clap makes them for `help`: name, summary and subcommands.
fn help_copies(command: &clap::Command, bin_name: &str) -> Vec<clap::Command> {
    command
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| {
            let bin_name = format!("{bin_name} {}", c.get_name());
            let mut copy = clap::Command::new(c.get_name().to_owned())
                .hide(c.is_hide_set())
                .disable_help_subcommand(true)
                .disable_help_flag(true)
                .disable_version_flag(true)
                .subcommands(help_copies(c, &bin_name))
                .bin_name(bin_name);
            if let Some(about) = c.get_about() {
                copy = copy.about(about.clone());
            }
            copy
        })
        .collect()
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
    let mut command = lazy_command();
    let parsed = command
        .try_get_matches_from_mut(&args)
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
        Command::Blob(Deferred(c)) => c.run(con),
        Command::Certificate(Deferred(c)) => c.run(con),
        Command::Completion(Deferred(c)) => c.run(con),
        Command::Key(Deferred(c)) => c.run(con),
        Command::Plugin(Deferred(c)) => c.run(con),
        Command::Policy(Deferred(c)) => c.run(con),
        Command::Sign(Deferred(c)) => c.run(con),
        Command::Verify(Deferred(c)) => c.run(con),
        Command::List(Deferred(c)) => c.run(con),
        Command::Inspect(Deferred(c)) => c.run(con),
        Command::Copy(Deferred(c)) => c.run(con),
        Command::Login(Deferred(c)) => c.run(con),
        Command::Logout(Deferred(c)) => c.run(con),
        Command::Version(Deferred(c)) => c.run(con),
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

    fn run_captured(args: &[&str]) -> (i32, String) {
        #[derive(Clone, Default)]
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Shared::default();
        let mut con = Console::new(
            Box::new(out.clone()),
            Box::new(out.clone()),
            Box::new(std::io::empty()),
        );
        let code = run(args.iter().copied(), &mut con);
        drop(con);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        (code, text)
    }

    /// A run defines only the command it runs; each shows what the whole
    /// tree shows: its summary, its long text, its flags.
    #[test]
    fn a_command_defined_on_demand_is_the_whole_trees() {
        let (code, text) = run_captured(&["notation", "cert"]);
        assert_eq!(code, 0);
        assert!(
            text.starts_with("Manage certificates in trust store\n"),
            "{text}"
        );
        let (code, text) = run_captured(&["notation", "blob", "verify", "--help"]);
        assert_eq!(code, 0);
        let mut whole = command();
        let expected = whole
            .find_subcommand_mut("blob")
            .and_then(|b| b.find_subcommand_mut("verify"))
            .unwrap()
            .render_long_help()
            .to_string();
        assert_eq!(text, expected);
        assert!(text.contains("--timeout") && text.contains("help for verify"));
        // Go booleans on a command defined on demand.
        let (code, text) = run_captured(&["notation", "blob", "verify", "--bogus=false", "x"]);
        assert_eq!((code, text.trim_end()), (1, "Error: unknown flag: --bogus"));
    }

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
