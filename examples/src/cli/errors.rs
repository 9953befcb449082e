//! Argument errors worded as the reference's (cobra and pflag), printed as
//! `Error: <text>` on standard error with exit status 1 like every other
//! failure, so that scripts grepping for `Error:` see them too.
//!
//! | situation | text |
//! |---|---|
//! | unknown flag | `unknown flag: --x`, `unknown shorthand flag: 'x' in -x` |
//! | flag without its value | `flag needs an argument: --key`, `flag needs an argument: 'k' in -k` |
//! | bad value | `invalid argument "abc" for "--max-signatures" flag: strconv.ParseInt: ...` |
//! | unknown command | `unknown command "sing" for "notation"`, suggestions, `Run 'notation --help' for usage.` |
//! | missing argument | the command's own text (`missing reference to the artifact: ...`) |
//! | extra argument | `accepts at most 1 arg(s), received 2` |
//!
//! Deviation: the reference ignores arguments past the ones a command
//! uses; here they are an error.

use std::ffi::OsString;

use clap::Command;
use clap::error::{ContextKind, ContextValue, Error, ErrorKind};

/// What to print for a clap error, and the exit status.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Help or version text for standard output; exit 0.
    Display(String),
    /// An error: the text after `Error: `, and what follows on the next
    /// lines (cobra's `Run '... --help' for usage.`); exit 1.
    Failure {
        /// The message.
        message: String,
        /// Lines printed after the message (may be empty).
        trailer: String,
    },
}

/// Words `e`, raised while parsing `args` (program name first) for
/// `command`, as the reference would.
pub fn translate(e: &Error, command: &Command, args: &[OsString]) -> Outcome {
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return Outcome::Display(e.render().to_string());
        }
        _ => {}
    }
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (path, leaf) = command_path(command, &words);
    // One line: an argument's text in it (`--x\nSuccessfully verified`)
    // must not make a line of its own.
    let failure = |message: String| Outcome::Failure {
        message: notation_core::text::line(&message).into_owned(),
        trailer: String::new(),
    };
    let invalid_arg = string_context(e, ContextKind::InvalidArg).unwrap_or_default();
    match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let name = string_context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            // cobra's `help <unknown>`: the topic named, then the root's
            // usage; exit 0.
            if path.len() == 2 && path[1] == "help" {
                return Outcome::Display(format!(
                    "Unknown help topic [`{name}`]\n{}",
                    command.clone().render_help()
                ));
            }
            let mut message = format!(
                "unknown command {} for {}",
                go_quote(&name),
                go_quote(&path.join(" "))
            );
            let suggestions = suggestions(leaf, &name);
            if !suggestions.is_empty() {
                message.push_str("\n\nDid you mean this?\n");
                for s in suggestions {
                    message.push_str(&format!("\t{s}\n"));
                }
            }
            Outcome::Failure {
                message,
                trailer: format!("Run '{} --help' for usage.\n", path.join(" ")),
            }
        }
        ErrorKind::UnknownArgument => {
            if invalid_arg.starts_with("---") {
                // pflag's refusal of a flag with three dashes.
                failure(format!("bad flag syntax: {invalid_arg}"))
            } else if let Some(long) = invalid_arg.strip_prefix("--") {
                let name = long.split('=').next().unwrap_or(long);
                failure(format!("unknown flag: --{name}"))
            } else if let Some(short) = invalid_arg.strip_prefix('-')
                && let Some(c) = short.chars().next()
            {
                failure(format!(
                    "unknown shorthand flag: '{c}' in -{}",
                    short_cluster(&words, c).unwrap_or_else(|| c.to_string())
                ))
            } else {
                let accepted = leaf.get_positionals().count();
                let received = count_positionals(leaf, &words, path.len() - 1);
                let received = received.max(accepted + 1);
                match path[1..].join(" ").as_str() {
                    // cobra's `ExactArgs(0)` in the reference.
                    "blob policy show" | "blob policy init" | "policy show" => {
                        failure(format!("accepts 0 arg(s), received {received}"))
                    }
                    // cobra's `NoArgs`: the first argument as a command.
                    "version"
                    | "completion bash"
                    | "completion zsh"
                    | "completion fish"
                    | "completion powershell" => failure(format!(
                        "unknown command {} for {}",
                        go_quote(&invalid_arg),
                        go_quote(&path.join(" "))
                    )),
                    _ => failure(format!(
                        "accepts at most {accepted} arg(s), received {received}"
                    )),
                }
            }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation | ErrorKind::NoEquals => {
            let value = string_context(e, ContextKind::InvalidValue).unwrap_or_default();
            let Some(arg) = find_flag(leaf, &invalid_arg) else {
                return failure(clap_text(e));
            };
            if value.is_empty() && e.kind() == ErrorKind::InvalidValue {
                // `--key` or `-k` at the end of the line.
                return failure(missing_value(arg, &words));
            }
            let reason = match std::error::Error::source(e) {
                Some(source) => source.to_string(),
                None => clap_text(e),
            };
            failure(format!(
                "invalid argument {} for {} flag: {reason}",
                go_quote(&value),
                go_quote(&flag_display(arg))
            ))
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = strings_context(e, ContextKind::InvalidArg);
            let first = missing.first().cloned().unwrap_or_default();
            if first.starts_with('-') {
                let mut names: Vec<String> = missing
                    .iter()
                    .filter_map(|m| find_flag(leaf, m))
                    .filter_map(|a| a.get_long().map(str::to_string))
                    .collect();
                names.sort();
                failure(format!(
                    "required flag(s) \"{}\" not set",
                    names.join("\", \"")
                ))
            } else {
                failure(super::help::missing_argument(&path).map_or_else(
                    || {
                        format!(
                            "requires at least {} arg(s), only received 0",
                            missing.len().max(1)
                        )
                    },
                    str::to_string,
                ))
            }
        }
        _ => failure(clap_text(e)),
    }
}

/// cobra's suggestions for a mistyped command: the subcommands within
/// Levenshtein distance 2 (case-insensitive) or starting with what was
/// typed, in definition order.
fn suggestions(parent: &Command, typed: &str) -> Vec<String> {
    let typed = typed.to_lowercase();
    parent
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .filter(|name| {
            let lower = name.to_lowercase();
            levenshtein(&typed, &lower) <= 2 || lower.starts_with(&typed)
        })
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// clap's own message, without its `error: ` prefix, usage and tips.
fn clap_text(e: &Error) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("").trim();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

fn go_quote(s: &str) -> String {
    crate::error::go_quote(s)
}

fn string_context(e: &Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => v.first().cloned(),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        _ => None,
    }
}

fn strings_context(e: &Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The command names the words select (`["notation", "certificate",
/// "add"]`, aliases resolved) and the deepest command.
pub(crate) fn command_path<'a>(root: &'a Command, words: &[String]) -> (Vec<String>, &'a Command) {
    let mut path = vec![root.get_name().to_string()];
    let mut current = root;
    for word in words {
        if word == "--" {
            break;
        }
        if word.starts_with('-') {
            continue;
        }
        match current.find_subcommand(word) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                current = sub;
            }
            None => break,
        }
    }
    (path, current)
}

/// The word holding short flag `c` (`-dx` for `x`), from `c` on, as
/// pflag shows it.
fn short_cluster(words: &[String], c: char) -> Option<String> {
    words
        .iter()
        .filter(|w| w.starts_with('-') && !w.starts_with("--"))
        .find_map(|w| w[1..].find(c).map(|i| w[1 + i..].to_string()))
}

/// The flag an error names (`--max-signatures <N>`, `-e <DURATION>`).
fn find_flag<'a>(leaf: &'a Command, shown: &str) -> Option<&'a clap::Arg> {
    let name = shown
        .split([' ', '[', '='])
        .next()
        .unwrap_or(shown)
        .trim_end_matches("...");
    if let Some(long) = name.strip_prefix("--") {
        return leaf.get_arguments().find(|a| {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|v| v.contains(&long))
        });
    }
    let short = name.strip_prefix('-')?.chars().next()?;
    leaf.get_arguments().find(|a| a.get_short() == Some(short))
}

/// pflag's name of a flag in errors: `-e, --expiry` or `--max-signatures`.
fn flag_display(arg: &clap::Arg) -> String {
    match (arg.get_short(), arg.get_long()) {
        (Some(s), Some(l)) => format!("-{s}, --{l}"),
        (None, Some(l)) => format!("--{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, None) => arg.get_id().to_string(),
    }
}

/// `flag needs an argument: --key` or `... 'k' in -k`, as the flag was
/// written.
fn missing_value(arg: &clap::Arg, words: &[String]) -> String {
    let last_short = arg.get_short().and_then(|s| {
        words
            .iter()
            .rev()
            .find(|w| w.starts_with('-') && !w.starts_with("--") && w.ends_with(s))
            .map(|w| (s, w.clone()))
    });
    let last_long = arg
        .get_long()
        .and_then(|l| words.iter().rposition(|w| *w == format!("--{l}")));
    let last_short_pos = last_short
        .as_ref()
        .and_then(|(_, w)| words.iter().rposition(|x| x == w));
    match (last_short, last_long) {
        (Some((s, w)), long) if long.is_none_or(|l| last_short_pos > Some(l)) => {
            format!("flag needs an argument: '{s}' in {w}")
        }
        _ => format!(
            "flag needs an argument: --{}",
            arg.get_long().unwrap_or_default()
        ),
    }
}

/// How many positional words were given to `leaf`, whose name is
/// `words[depth - 1]` (flag values skipped).
fn count_positionals(leaf: &Command, words: &[String], depth: usize) -> usize {
    let mut seen_commands = 0;
    let mut count = 0;
    let mut iter = words.iter();
    while let Some(w) = iter.next() {
        if w == "--" {
            count += iter.len();
            break;
        }
        if let Some(flag) = w.strip_prefix("--") {
            let takes_value = !flag.contains('=')
                && find_flag(leaf, w).is_some_and(|a| {
                    a.get_action().takes_values()
                        && !a.is_require_equals_set()
                        && a.get_num_args().is_none_or(|n| n.min_values() > 0)
                });
            if takes_value {
                iter.next();
            }
            continue;
        }
        if w.starts_with('-') && w.len() > 1 {
            let last = w.chars().last().unwrap_or('-');
            let takes_value = leaf.get_arguments().any(|a| {
                a.get_short() == Some(last)
                    && a.get_action().takes_values()
                    && !a.is_require_equals_set()
            });
            if takes_value && w.len() == 2 {
                iter.next();
            }
            continue;
        }
        if seen_commands < depth {
            seen_commands += 1;
            continue;
        }
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(args: &[&str]) -> Outcome {
        let command = crate::cli::command();
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let e = command
            .clone()
            .try_get_matches_from(&args)
            .expect_err("the arguments are wrong");
        translate(&e, &command, &args)
    }

    fn message(args: &[&str]) -> String {
        match outcome(args) {
            Outcome::Failure { message, .. } => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_flags_and_commands() {
        assert_eq!(
            message(&["notation", "sign", "--bogus", "r"]),
            "unknown flag: --bogus"
        );
        assert_eq!(
            message(&["notation", "sign", "--bogus=1", "r"]),
            "unknown flag: --bogus"
        );
        assert_eq!(
            message(&["notation", "sign", "-x"]),
            "unknown shorthand flag: 'x' in -x"
        );
        // An argument's line break cannot forge a line of output.
        assert_eq!(
            message(&["notation", "verify", "--x\nSuccessfully verified\r\n"]),
            "unknown flag: --x\\nSuccessfully verified\\r\\n"
        );
        assert_eq!(
            outcome(&["notation", "sing"]),
            Outcome::Failure {
                message:
                    "unknown command \"sing\" for \"notation\"\n\nDid you mean this?\n\tsign\n"
                        .into(),
                trailer: "Run 'notation --help' for usage.\n".into()
            }
        );
        assert_eq!(
            message(&["notation", "bogus"]),
            "unknown command \"bogus\" for \"notation\""
        );
    }

    #[test]
    fn values() {
        assert_eq!(
            message(&["notation", "verify", "--max-signatures", "abc", "r"]),
            "invalid argument \"abc\" for \"--max-signatures\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            message(&["notation", "sign", "--force-referrers-tag=maybe", "r"]),
            "invalid argument \"maybe\" for \"--force-referrers-tag\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
        assert_eq!(
            message(&["notation", "sign", "-e", "abc", "r"]),
            "invalid argument \"abc\" for \"-e, --expiry\" flag: time: invalid duration \"abc\""
        );
        assert_eq!(
            message(&["notation", "sign", "-k"]),
            "flag needs an argument: 'k' in -k"
        );
        assert_eq!(
            message(&["notation", "sign", "--key"]),
            "flag needs an argument: --key"
        );
        assert_eq!(
            message(&["notation", "inspect", "r", "-o"]),
            "flag needs an argument: 'o' in -o"
        );
    }

    #[test]
    fn arguments() {
        for (cmd, name) in [
            ("sign", "sign"),
            ("verify", "verify"),
            ("list", "list"),
            ("ls", "list"),
            ("inspect", "inspect"),
        ] {
            assert_eq!(
                message(&["notation", cmd]),
                format!(
                    "missing reference to the artifact: use `notation {name} --help` to see what parameters are required"
                )
            );
        }
        assert_eq!(
            message(&["notation", "list", "a", "b"]),
            "accepts at most 1 arg(s), received 2"
        );
        assert_eq!(
            message(&["notation", "sign", "-k", "key", "a", "b", "c"]),
            "accepts at most 1 arg(s), received 3"
        );
    }

    #[test]
    fn help_is_displayed_not_failed() {
        assert!(
            matches!(outcome(&["notation", "sign", "--help"]), Outcome::Display(t) if t.contains("Example - Sign an OCI artifact"))
        );
        assert!(matches!(
            outcome(&["notation", "certificate"]),
            Outcome::Display(_)
        ));
    }
}
