//! `notation completion bash|zsh|fish|powershell`: the shell completion
//! scripts of the reference's cobra command, generated here by
//! `clap_complete` from the same definitions the parser uses.

use clap::{Args, Command, Subcommand};
use clap_complete::Shell;

use crate::console::Console;
use crate::error::{CliError, CliResult};

/// `notation completion`.
#[derive(Args, Debug)]
pub struct CompletionCommand {
    #[command(subcommand)]
    shell: ShellCommand,
}

#[derive(Subcommand, Debug)]
enum ShellCommand {
    /// Generate the autocompletion script for bash
    Bash(ShellArgs),
    /// Generate the autocompletion script for zsh
    Zsh(ShellArgs),
    /// Generate the autocompletion script for fish
    Fish(ShellArgs),
    /// Generate the autocompletion script for powershell
    Powershell(ShellArgs),
}

#[derive(Args, Debug)]
struct ShellArgs {
    /// disable completion descriptions
    #[arg(long = "no-descriptions")]
    no_descriptions: bool,
}

impl CompletionCommand {
    /// Writes the script to standard output.
    pub fn run(self, con: &mut Console) -> CliResult {
        let (shell, args) = match &self.shell {
            ShellCommand::Bash(a) => (Shell::Bash, a),
            ShellCommand::Zsh(a) => (Shell::Zsh, a),
            ShellCommand::Fish(a) => (Shell::Fish, a),
            ShellCommand::Powershell(a) => (Shell::PowerShell, a),
        };
        let script = script(shell, !args.no_descriptions)?;
        con.print(script)
    }
}

/// The completion script of `notation` for `shell`.
pub fn script(shell: Shell, descriptions: bool) -> CliResult<String> {
    let mut command = super::command();
    if !descriptions {
        command = without_descriptions(command);
    }
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "notation", &mut out);
    String::from_utf8(out).map_err(CliError::failed)
}

fn without_descriptions(command: Command) -> Command {
    command
        .about(None::<&str>)
        .long_about(None::<&str>)
        .mut_args(|a| a.help(None::<&str>).long_help(None::<&str>))
        .mut_subcommands(without_descriptions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_names_every_command() {
        let command = super::super::command();
        let names: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        assert!(names.contains(&"completion".to_string()));
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            for descriptions in [true, false] {
                let text = script(shell, descriptions).unwrap();
                for name in &names {
                    assert!(text.contains(name.as_str()), "{shell} lacks {name}");
                }
                assert!(text.contains("force-referrers-tag"), "{shell}");
                if !descriptions {
                    assert!(!text.contains("Sign artifacts"), "{shell}");
                }
            }
        }
    }

    /// `notation help blob <TAB>` offers blob's commands, though a run
    /// defines each command only when it parses it.
    #[test]
    fn help_offers_nested_commands() {
        let text = script(Shell::Bash, true).unwrap();
        for nested in [
            "notation__subcmd__help__subcmd__blob__subcmd__verify",
            "notation__subcmd__help__subcmd__blob__subcmd__policy__subcmd__import",
            "notation__subcmd__help__subcmd__certificate__subcmd__generate__subcmd__test",
        ] {
            assert!(text.contains(nested), "{nested}");
        }
        assert!(!text.contains("notation__subcmd__help__subcmd__help__subcmd__"));
    }
}
