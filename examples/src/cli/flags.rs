//! Flag syntax as the reference's (cobra and pflag): boolean flags take
//! `--flag`, `--flag=true` and `--flag=false` (any spelling Go's
//! `strconv.ParseBool` reads), and integer flags fail with Go's texts.

use clap::builder::TypedValueParser;
use clap::{Arg, ArgAction, Command};

/// What a boolean flag's value is called in help.
pub const BOOL_VALUE_NAME: &str = "true|false";

/// Parses a boolean as Go's `strconv.ParseBool`: `1 t T TRUE true True`
/// and `0 f F FALSE false False`.
pub fn parse_go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            crate::error::go_quote(s)
        )),
    }
}

/// Parses an `int` flag as pflag does (`strconv.ParseInt(s, 0, 64)`:
/// decimal, or `0x`/`0o`/`0b`/leading-`0` prefixed, `_` between digits),
/// with Go's error texts.
pub fn parse_go_int(s: &str) -> Result<i64, String> {
    let quoted = crate::error::go_quote(s);
    let syntax = || format!("strconv.ParseInt: parsing {quoted}: invalid syntax");
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    // Underscores only with a base prefix, after it or between digits.
    let underscores_ok = radix != 10 && !digits.ends_with('_') && !digits.contains("__");
    if digits.trim_start_matches('_').is_empty() || (digits.contains('_') && !underscores_ok) {
        return Err(syntax());
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if !clean.chars().all(|c| c.is_digit(radix)) {
        return Err(syntax());
    }
    let magnitude = u128::from_str_radix(&clean, radix).map_err(|_| syntax())?;
    let value = if negative {
        -(magnitude.min(i64::MAX as u128 + 1) as i128)
    } else {
        magnitude.min(i64::MAX as u128 + 1) as i128
    };
    i64::try_from(value)
        .map_err(|_| format!("strconv.ParseInt: parsing {quoted}: value out of range"))
}

/// The value parser of a Go boolean flag.
pub fn go_bool_parser() -> impl TypedValueParser<Value = bool> {
    clap::builder::StringValueParser::new().try_map(|s| parse_go_bool(&s))
}

/// The value parser of a Go integer flag.
pub fn go_int_parser() -> impl TypedValueParser<Value = i64> {
    clap::builder::StringValueParser::new().try_map(|s| parse_go_int(&s))
}

/// Turns every plain switch (`ArgAction::SetTrue`) of `command` and its
/// subcommands into a Go boolean flag: `--flag` is true, `--flag=false`
/// false; a separate word after the flag is never its value (as pflag).
pub fn go_booleans(command: Command) -> Command {
    go_booleans_here(command).mut_subcommands(go_booleans)
}

/// [`go_booleans`] for the flags of `command` alone, not its subcommands'.
///
/// The other flags take their value as pflag does: the next word, even one
/// that starts with `-` (`-p -secret`, `--max-signatures -1`), and a flag
/// given again replaces its earlier value (`$COMMON -k prod`), where clap
/// would refuse both. (The second is clap's `args_override_self`, which
/// subcommands inherit.)
pub fn go_booleans_here(command: Command) -> Command {
    command.args_override_self(true).mut_args(|arg| {
        if matches!(arg.get_action(), ArgAction::SetTrue) {
            go_boolean(arg, false)
        } else if takes_one_value(&arg) {
            arg.allow_hyphen_values(true)
        } else {
            arg
        }
    })
}

/// Whether `arg` is a flag that always takes exactly one value.
fn takes_one_value(arg: &Arg) -> bool {
    !arg.is_positional()
        && matches!(arg.get_action(), ArgAction::Set | ArgAction::Append)
        && arg
            .get_num_args()
            .is_none_or(|n| n.min_values() == 1 && n.max_values() == 1)
}

/// `arg` as a Go boolean flag with this default.
fn go_boolean(arg: Arg, default: bool) -> Arg {
    arg.action(ArgAction::Set)
        .num_args(0..=1)
        .require_equals(true)
        .default_missing_value("true")
        .default_value(if default { "true" } else { "false" })
        .hide_default_value(!default)
        .value_name(BOOL_VALUE_NAME)
        .value_parser(go_bool_parser())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_as_go() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(t), Ok(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(f), Ok(false));
        }
        assert_eq!(
            parse_go_bool("maybe").unwrap_err(),
            "strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
        assert!(parse_go_bool("yes").is_err());
    }

    #[test]
    fn integers_as_go() {
        for (s, v) in [
            ("100", 100),
            ("-3", -3),
            ("+7", 7),
            ("0x10", 16),
            ("010", 8),
            ("0b101", 5),
            ("0o17", 15),
            ("0x_1_0", 16),
            ("0", 0),
            ("-9223372036854775808", i64::MIN),
        ] {
            assert_eq!(parse_go_int(s), Ok(v), "{s}");
        }
        assert_eq!(
            parse_go_int("abc").unwrap_err(),
            "strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_go_int("99999999999999999999").unwrap_err(),
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
        );
        for bad in ["", "1_000", "1.5", "0x", "08", " 1"] {
            assert!(parse_go_int(bad).is_err(), "{bad}");
        }
    }

    /// Values as pflag takes them: the next word even when it starts with
    /// `-`, the last of a flag given twice, every value of a list flag.
    #[test]
    fn values_as_pflag_takes_them() {
        let command = go_booleans(
            Command::new("t")
                .arg(Arg::new("debug").short('d').action(ArgAction::SetTrue))
                .arg(Arg::new("key").short('k').long("key"))
                .arg(Arg::new("meta").short('m').action(ArgAction::Append))
                .arg(Arg::new("rest").num_args(0..)),
        );
        let m = command
            .try_get_matches_from(["t", "-k", "-dash", "-m", "-a=1", "-m", "b=2", "-d", "x"])
            .unwrap();
        assert_eq!(m.get_one::<String>("key").unwrap(), "-dash");
        let meta: Vec<&String> = m.get_many("meta").unwrap().collect();
        assert_eq!(meta, ["-a=1", "b=2"]);
        assert_eq!(m.get_one::<bool>("debug"), Some(&true));
        let command = go_booleans(Command::new("t").arg(Arg::new("key").short('k').long("key")));
        let m = command
            .try_get_matches_from(["t", "-k", "a", "--key", "b"])
            .unwrap();
        assert_eq!(m.get_one::<String>("key").unwrap(), "b");
    }

    #[test]
    fn switches_become_go_booleans() {
        let command = go_booleans(
            Command::new("t")
                .arg(Arg::new("debug").long("debug").action(ArgAction::SetTrue))
                .arg(Arg::new("rest").num_args(0..)),
        );
        let get = |args: &[&str]| {
            let m = command.clone().try_get_matches_from(args).unwrap();
            let rest: Vec<String> = m
                .get_many::<String>("rest")
                .map(|v| v.cloned().collect())
                .unwrap_or_default();
            (*m.get_one::<bool>("debug").unwrap(), rest)
        };
        assert_eq!(get(&["t"]), (false, vec![]));
        assert_eq!(get(&["t", "--debug"]), (true, vec![]));
        assert_eq!(get(&["t", "--debug=false"]), (false, vec![]));
        assert_eq!(get(&["t", "--debug=T"]), (true, vec![]));
        // A separate word is not the flag's value.
        assert_eq!(
            get(&["t", "--debug", "false"]),
            (true, vec!["false".into()])
        );
        assert!(
            command
                .clone()
                .try_get_matches_from(["t", "--debug=maybe"])
                .is_err()
        );
    }
}
