//! Where commands write (standard output and standard error, injectable for
//! tests) and how they ask for confirmation.

use std::io::{self, BufRead, Write};

use crate::error::{CliError, CliResult};

/// Output streams, the debug switch and the source of confirmation answers.
pub struct Console {
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    input: Box<dyn BufRead>,
    debug: bool,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("debug", &self.debug)
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

impl Console {
    /// The process's standard streams.
    pub fn std() -> Self {
        Self::new(
            Box::new(io::stdout()),
            Box::new(io::stderr()),
            Box::new(io::BufReader::new(io::stdin())),
        )
    }

    /// Custom streams (for tests and embedding).
    pub fn new(out: Box<dyn Write>, err: Box<dyn Write>, input: Box<dyn BufRead>) -> Self {
        Self {
            out,
            err,
            input,
            debug: false,
        }
    }

    /// Turns debug output (`-d/--debug`) on or off.
    pub fn set_debug(&mut self, debug: bool) {
        self.debug = debug;
    }

    /// Writes `text` and a newline to standard output.
    pub fn println(&mut self, text: impl std::fmt::Display) -> CliResult {
        writeln!(self.out, "{text}").map_err(CliError::Output)
    }

    /// Writes `text` as is to standard output.
    pub fn print(&mut self, text: impl std::fmt::Display) -> CliResult {
        write!(self.out, "{text}").map_err(CliError::Output)
    }

    /// Writes raw bytes to standard output.
    pub fn write_bytes(&mut self, data: &[u8]) -> CliResult {
        self.out.write_all(data).map_err(CliError::Output)
    }

    /// Writes `text` and a newline to standard error.
    pub fn eprintln(&mut self, text: impl std::fmt::Display) -> CliResult {
        writeln!(self.err, "{text}").map_err(CliError::Output)
    }

    /// Writes `Warning: <text>` to standard error.
    pub fn warn(&mut self, text: impl std::fmt::Display) -> CliResult {
        self.eprintln(format_args!("Warning: {text}"))
    }

    /// Writes a debug line to standard error when debugging is on.
    pub fn debug(&mut self, text: impl std::fmt::Display) -> CliResult {
        if self.debug {
            self.eprintln(format_args!("[debug] {text}"))?;
        }
        Ok(())
    }

    /// Flushes both streams.
    pub fn flush(&mut self) -> CliResult {
        self.out.flush().map_err(CliError::Output)?;
        self.err.flush().map_err(CliError::Output)
    }

    /// Asks `prompt [y/N]` (on standard error, so that standard output stays
    /// clean for data) and reads one line of standard input, as the
    /// reference's `AskForConfirmation` does. An explicit answer other than
    /// `y`/`yes` is [`Confirmation::No`] and prints `Operation cancelled.`.
    /// When standard input ends without any answer (a script, a closed
    /// stdin) the result is an error telling how to confirm up front, so that
    /// an unattended run never succeeds silently without doing its job.
    pub fn confirm(&mut self, prompt: &str, how_to_skip: &str) -> CliResult<Confirmation> {
        write!(self.err, "{prompt} [y/N] ").map_err(CliError::Output)?;
        self.err.flush().map_err(CliError::Output)?;
        let mut line = String::new();
        let read = self.input.read_line(&mut line).map_err(CliError::Output)?;
        if read == 0 {
            writeln!(self.err).map_err(CliError::Output)?;
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
        let (mut c, _, err) = console("YES\n");
        assert_eq!(
            c.confirm("Overwrite?", "use --force").unwrap(),
            Confirmation::Yes
        );
        assert_eq!(
            String::from_utf8(err.0.lock().unwrap().clone()).unwrap(),
            "Overwrite? [y/N] "
        );
        let (mut c, out, _) = console("n\n");
        assert_eq!(
            c.confirm("Overwrite?", "use --force").unwrap(),
            Confirmation::No
        );
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            "Operation cancelled.\n"
        );
        let (mut c, _, _) = console("");
        let e = c.confirm("Overwrite?", "use --force").unwrap_err();
        assert!(e.to_string().ends_with("use --force"), "{e}");
    }
}
