//! Where commands write (standard output and standard error, injectable for
//! tests), the `-v/--verbose` and `-d/--debug` log, and how commands ask
//! for confirmation.
//!
//! Everything written goes through [`crate::display::escape`]: lines have
//! every control character escaped, blocks (trees, tables, help, JSON) keep
//! only their line breaks, so no text from a registry, a signature or a
//! plugin reaches the terminal as an escape sequence.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};

use crate::display::escape;
use crate::error::{CliError, CliResult};

/// Standard error, shared with the log sinks handed to observers that run
/// inside library calls (the registry client's HTTP trace).
type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// How much the log says: nothing (the default), `-v/--verbose` (info) or
/// `-d/--debug` (info and debug, with timestamps), as the reference's
/// logrus levels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// No log.
    #[default]
    Off,
    /// `-v`: what is done, without the details.
    Info,
    /// `-d`: everything, including each HTTP exchange.
    Debug,
}

/// Output streams, the log level and the source of confirmation answers.
pub struct Console {
    out: Box<dyn Write>,
    err: SharedWriter,
    input: Box<dyn BufRead>,
    level: LogLevel,
    err_terminal: bool,
    input_terminal: bool,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

/// The answer to a confirmation prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// `y` or `yes`.
    Yes,
    /// Any other answer: the user declined.
    No,
}

/// A handle on the log that can be moved into an observer (`Send + Sync`);
/// it writes to the console's standard error.
#[derive(Clone)]
pub struct LogSink {
    err: SharedWriter,
    level: LogLevel,
}

impl std::fmt::Debug for LogSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSink")
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

impl LogSink {
    /// The level.
    pub fn level(&self) -> LogLevel {
        self.level
    }

    /// Writes one log entry at `level` if the log is that verbose:
    /// `level=info msg=<text>` under `-v`, `time=<RFC 3339> level=debug
    /// msg=<text>` under `-d` (logrus's text format with quoting off, as
    /// the reference). `text` is escaped as a block: a multi-line entry
    /// (an HTTP exchange) keeps its lines, built from quoted values.
    pub fn log(&self, level: LogLevel, text: &str) {
        let name = if level == LogLevel::Debug {
            "debug"
        } else {
            "info"
        };
        self.log_as(level, name, text);
    }

    /// [`LogSink::log`] under logrus' level `name` (`warning` shows from
    /// `-v` on, as `info`).
    fn log_as(&self, level: LogLevel, name: &str, text: &str) {
        if level == LogLevel::Off || self.level < level {
            return;
        }
        let entry = if self.level == LogLevel::Debug {
            format!(
                "time={} level={name} msg={}\n",
                now_rfc3339(),
                escape::block(text)
            )
        } else {
            format!("level={name} msg={}\n", escape::block(text))
        };
        if let Ok(mut err) = self.err.lock() {
            let _ = err.write_all(entry.as_bytes());
        }
    }
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Console {
    /// The process's standard streams.
    pub fn std() -> Self {
        use std::io::IsTerminal;
        let mut console = Self::new(
            Box::new(io::stdout()),
            Box::new(io::stderr()),
            Box::new(io::BufReader::new(io::stdin())),
        );
        console.err_terminal = io::stderr().is_terminal();
        console.input_terminal = io::stdin().is_terminal();
        console
    }

    /// Custom streams (for tests and embedding).
    pub fn new(out: Box<dyn Write>, err: Box<dyn Write + Send>, input: Box<dyn BufRead>) -> Self {
        Self {
            out,
            err: Arc::new(Mutex::new(err)),
            input,
            level: LogLevel::Off,
            err_terminal: false,
            input_terminal: false,
        }
    }

    /// Whether standard error is a terminal (the process's, not a custom
    /// stream): progress displays are drawn only then.
    pub fn stderr_is_terminal(&self) -> bool {
        self.err_terminal
    }

    /// Sets the log level (`-v/--verbose`, `-d/--debug`).
    pub fn set_log_level(&mut self, level: LogLevel) {
        self.level = level;
    }

    /// The log level.
    pub fn log_level(&self) -> LogLevel {
        self.level
    }

    /// A handle on the log for code that cannot borrow the console.
    pub fn log_sink(&self) -> LogSink {
        LogSink {
            err: self.err.clone(),
            level: self.level,
        }
    }

    fn write_err(&mut self, text: &str) -> CliResult {
        let mut err = self
            .err
            .lock()
            .map_err(|_| CliError::Output(io::Error::other("standard error lock poisoned")))?;
        err.write_all(text.as_bytes()).map_err(CliError::Output)
    }

    /// Writes `text` as one line (every control character escaped) and a
    /// newline to standard output.
    pub fn println(&mut self, text: impl std::fmt::Display) -> CliResult {
        let text = text.to_string();
        writeln!(self.out, "{}", escape::line(&text)).map_err(CliError::Output)
    }

    /// Writes preformatted `text` (a tree, a table, JSON, help) to standard
    /// output, its line breaks kept and other controls escaped.
    pub fn print(&mut self, text: impl std::fmt::Display) -> CliResult {
        let text = text.to_string();
        write!(self.out, "{}", escape::block(&text)).map_err(CliError::Output)
    }

    /// Writes file contents (`policy show`) to standard output as
    /// preformatted text: bytes that are not UTF-8 are shown as U+FFFD.
    pub fn write_bytes(&mut self, data: &[u8]) -> CliResult {
        let text = String::from_utf8_lossy(data);
        write!(self.out, "{}", escape::block(&text)).map_err(CliError::Output)
    }

    /// Writes `text` as one line (every control character escaped) and a
    /// newline to standard error.
    pub fn eprintln(&mut self, text: impl std::fmt::Display) -> CliResult {
        let text = format!("{}\n", escape::line(&text.to_string()));
        self.write_err(&text)
    }

    /// Writes preformatted `text` to standard error, its line breaks kept.
    pub fn eprint(&mut self, text: impl std::fmt::Display) -> CliResult {
        let text = escape::block(&text.to_string()).into_owned();
        self.write_err(&text)
    }

    /// Writes `Warning: <text>` to standard error.
    pub fn warn(&mut self, text: impl std::fmt::Display) -> CliResult {
        self.eprintln(format_args!("Warning: {text}"))
    }

    /// Logs `text` at the info level (`-v` and `-d`).
    pub fn info(&mut self, text: impl std::fmt::Display) -> CliResult {
        self.log(LogLevel::Info, &text.to_string())
    }

    /// Logs `text` at the warning level (`-v` and `-d`: the reference's
    /// `logger.Warn`, silent without them).
    pub fn log_warning(&mut self, text: impl std::fmt::Display) -> CliResult {
        if self.level >= LogLevel::Info {
            self.out.flush().map_err(CliError::Output)?;
            self.log_sink()
                .log_as(LogLevel::Info, "warning", &escape::line(&text.to_string()));
        }
        Ok(())
    }

    /// Logs `text` at the debug level (`-d` only).
    pub fn debug(&mut self, text: impl std::fmt::Display) -> CliResult {
        self.log(LogLevel::Debug, &text.to_string())
    }

    fn log(&mut self, level: LogLevel, text: &str) -> CliResult {
        if self.level >= level {
            self.out.flush().map_err(CliError::Output)?;
            self.log_sink().log(level, &escape::line(text));
        }
        Ok(())
    }

    /// Flushes both streams.
    pub fn flush(&mut self) -> CliResult {
        self.out.flush().map_err(CliError::Output)?;
        let mut err = self
            .err
            .lock()
            .map_err(|_| CliError::Output(io::Error::other("standard error lock poisoned")))?;
        err.flush().map_err(CliError::Output)
    }

    /// Reads standard input to its end, at most `limit` bytes (`None`
    /// when there is more).
    pub fn read_input(&mut self, limit: u64) -> CliResult<Option<Vec<u8>>> {
        let mut data = Vec::new();
        (&mut self.input)
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| CliError::failed(format!("failed to read standard input: {e}")))?;
        Ok((data.len() as u64 <= limit).then_some(data))
    }

    /// One line of standard input, its line break included, at most 4 KiB
    /// (what a prompt's answer may be).
    fn read_answer(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        (&mut self.input).take(4096).read_until(b'\n', &mut line)?;
        Ok(line)
    }

    /// The rest of standard input as one secret (at most 64 KiB), without
    /// one trailing `\n` and then one `\r`, as the reference's `login`
    /// reads `--password-stdin` and a password that is not typed on a
    /// terminal.
    pub fn read_secret_input(&mut self, what: &str) -> CliResult<String> {
        const LIMIT: u64 = 64 * 1024;
        let data = self.read_input(LIMIT)?.ok_or_else(|| {
            CliError::failed(format!(
                "error reading {what}: more than {} KiB on standard input",
                LIMIT / 1024
            ))
        })?;
        let text = String::from_utf8(data).map_err(|_| {
            CliError::failed(format!("error reading {what}: it is not valid UTF-8 text"))
        })?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(text.strip_suffix('\r').unwrap_or(text).to_string())
    }

    /// Writes `prompt` to standard output and reads one line of standard
    /// input, without its line ending, as the reference's `login` reads a
    /// username (`bufio.Reader.ReadString('\n')`): input that ends before
    /// a line break is an error, and so is a line of more than 4 KiB.
    pub fn prompt_line(&mut self, prompt: &str, what: &str) -> CliResult<String> {
        self.print(prompt)?;
        self.flush()?;
        let line = self
            .read_answer()
            .map_err(|e| CliError::failed(format!("error reading {what}: {e}")))?;
        if line.last() != Some(&b'\n') {
            let reason = if line.len() >= 4096 {
                "line too long"
            } else {
                "EOF"
            };
            return Err(CliError::failed(format!("error reading {what}: {reason}")));
        }
        String::from_utf8(line)
            .map_err(|_| CliError::failed(format!("error reading {what}: not valid UTF-8 text")))
    }

    /// Writes `prompt` to standard output and reads a secret: typed on a
    /// terminal without echo (then a line break is printed), else
    /// [`Console::read_secret_input`], as the reference's `login` reads a
    /// password.
    pub fn prompt_secret(&mut self, prompt: &str, what: &str) -> CliResult<String> {
        let failed = |e: io::Error| CliError::failed(format!("error reading {what}: {e}"));
        let secret = if self.input_terminal {
            // Echo goes off before the prompt shows: what is typed after
            // the prompt is never shown.
            let echo_off = EchoOff::new().map_err(failed)?;
            self.print(prompt)?;
            self.flush()?;
            let mut line = self.read_answer().map_err(failed)?;
            drop(echo_off);
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            String::from_utf8(line).map_err(|_| failed(io::Error::other("not valid UTF-8 text")))?
        } else {
            self.print(prompt)?;
            self.flush()?;
            self.read_secret_input(what)?
        };
        self.println("")?;
        Ok(secret)
    }

    /// Asks `prompt [y/N]` on standard output and reads one line of
    /// standard input, as the reference's `AskForConfirmation` does. An explicit answer other than
    /// `y`/`yes` is [`Confirmation::No`] and prints `Operation cancelled.`.
    /// When standard input ends without any answer (a script, a closed
    /// stdin) the result is an error telling how to confirm up front, so that
    /// an unattended run never succeeds silently without doing its job.
    pub fn confirm(&mut self, prompt: &str, how_to_skip: &str) -> CliResult<Confirmation> {
        // The prompt's own lines are kept (cleanup-test lists its changes
        // one per line); other control characters are escaped.
        self.print(format_args!("{prompt} [y/N] "))?;
        self.flush()?;
        // An answer is a word: a line of more than 4 KiB is read no further.
        let mut line = String::new();
        let read = (&mut self.input)
            .take(4096)
            .read_line(&mut line)
            .map_err(CliError::Output)?;
        if read == 0 {
            self.println("")?;
            return Err(CliError::NotConfirmed(format!(
                "confirmation required but no answer was given on standard input; {how_to_skip}"
            )));
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Ok(Confirmation::Yes),
            _ => {
                self.println("Operation cancelled.")?;
                Ok(Confirmation::No)
            }
        }
    }
}

/// The echo of the terminal that is standard input, off while this lives
/// (as Go's term.ReadPassword turns it off), restored when it drops, on
/// error paths too.
#[cfg(unix)]
struct EchoOff(rustix::termios::Termios);

#[cfg(unix)]
impl EchoOff {
    fn new() -> io::Result<Self> {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let stdin = io::stdin();
        let saved = tcgetattr(&stdin)?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        quiet.local_modes.insert(LocalModes::ICANON);
        tcsetattr(&stdin, OptionalActions::Now, &quiet)?;
        Ok(Self(saved))
    }
}

#[cfg(unix)]
impl Drop for EchoOff {
    fn drop(&mut self) {
        use rustix::termios::{OptionalActions, tcsetattr};
        let _ = tcsetattr(io::stdin(), OptionalActions::Now, &self.0);
    }
}

/// Elsewhere the echo stays on (the typed password shows).
#[cfg(not(unix))]
struct EchoOff;

#[cfg(not(unix))]
impl EchoOff {
    fn new() -> io::Result<Self> {
        Ok(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn console(input: &'static str) -> (Console, Shared, Shared) {
        let (out, err) = (Shared::default(), Shared::default());
        let c = Console::new(
            Box::new(out.clone()),
            Box::new(err.clone()),
            Box::new(input.as_bytes()),
        );
        (c, out, err)
    }

    #[test]
    fn confirmation_answers() {
        // On standard output, as the reference asks.
        let (mut c, out, err) = console("YES\n");
        assert_eq!(
            c.confirm("Overwrite?", "use --force").unwrap(),
            Confirmation::Yes
        );
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            "Overwrite? [y/N] "
        );
        assert!(err.0.lock().unwrap().is_empty());
        let (mut c, out, _) = console("n\n");
        assert_eq!(
            c.confirm("Overwrite?", "use --force").unwrap(),
            Confirmation::No
        );
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            "Overwrite? [y/N] Operation cancelled.\n"
        );
        let (mut c, _, _) = console("");
        let e = c.confirm("Overwrite?", "use --force").unwrap_err();
        assert!(e.to_string().ends_with("use --force"), "{e}");
    }
}
