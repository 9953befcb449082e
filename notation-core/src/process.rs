//! Running a helper program that talks over its standard streams: a
//! plugin or a Docker credential helper. Whatever the
//! program does, the caller gets an answer in bounded time and memory:
//!
//! - the request is written to stdin from its own thread, stdout and stderr
//!   are read concurrently, each up to a limit (more is an error and the
//!   program is killed);
//! - past the deadline the program is killed and reaped;
//! - a program that exits while something it started still holds stdout or
//!   stderr open (a daemon it backgrounded) is not waited for past a short
//!   grace: its output so far is its answer. With
//!   [`HelperCommand::own_process_group`] the program runs in a process group of
//!   its own and the whole group is killed, so nothing it started outlives
//!   it holding our pipes;
//! - the credentials of the Notation CLI ([`CREDENTIAL_ENV_VARS`]) are
//!   removed from its environment: a plugin or credential helper has no
//!   business with the registry password of the user.
// Requirements: R2.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Environment variables that carry registry credentials (the Notation
/// CLI's `NOTATION_USERNAME` and `NOTATION_PASSWORD`): never passed on to a
/// helper program.
pub const CREDENTIAL_ENV_VARS: [&str; 2] = ["NOTATION_USERNAME", "NOTATION_PASSWORD"];

/// How long a program that has exited is given to let go of its output
/// streams (something it started may hold them).
pub const EXIT_GRACE: Duration = Duration::from_millis(500);

/// What a program returned.
#[derive(Debug)]
pub struct HelperOutput {
    /// How it ended.
    pub status: ExitStatus,
    /// Its standard output (at most the limit).
    pub stdout: Vec<u8>,
    /// Its standard error (at most the limit).
    pub stderr: Vec<u8>,
}

/// Why a program gave no answer. Its own failures (a non-zero exit) are
/// not errors here: they are in [`HelperOutput::status`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HelperError {
    /// It could not be started.
    #[error("{0}")]
    Spawn(std::io::Error),
    /// It ran past its deadline and was killed.
    #[error("timed out after {0:?}")]
    TimedOut(Duration),
    /// It wrote more than the limit to a stream and was killed.
    #[error("{stream} exceeds {limit} bytes")]
    OutputTooLarge {
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Reading its output failed.
    #[error("{0}")]
    Read(String),
}

/// A helper program to run once: a command line plus the limits of
/// [the module documentation](self).
#[derive(Debug)]
pub struct HelperCommand {
    command: Command,
    timeout: Option<Duration>,
    output_limit: usize,
    own_group: bool,
    pass_stderr: bool,
}

impl HelperCommand {
    /// Runs `command` (its program and arguments; stdin, stdout and stderr
    /// are set here), without a deadline, reading at most `output_limit`
    /// bytes per stream.
    pub fn new(command: Command, output_limit: usize) -> Self {
        Self {
            command,
            timeout: None,
            output_limit,
            own_group: false,
            pass_stderr: false,
        }
    }

    /// Kills the program when it runs longer than `timeout` (`None`: no
    /// limit).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the program in a process group of its own (Unix), killed as a
    /// whole when the program times out, overflows or leaves something
    /// holding its streams. For non-interactive programs only: a program
    /// outside the terminal's foreground group is stopped if it reads from
    /// the terminal.
    pub fn own_process_group(mut self, own: bool) -> Self {
        self.own_group = own;
        self
    }

    /// Gives the program this process's standard error instead of
    /// capturing it ([`HelperOutput::stderr`] is then empty): what it
    /// writes there, a prompt say, reaches the user.
    pub fn pass_stderr(mut self, pass: bool) -> Self {
        self.pass_stderr = pass;
        self
    }

    /// Starts the program, writes `input` to its stdin and collects its
    /// output.
    pub fn run(mut self, input: &[u8]) -> Result<HelperOutput, HelperError> {
        self.command
            .stdout(Stdio::piped())
            .stderr(if self.pass_stderr {
                Stdio::inherit()
            } else {
                Stdio::piped()
            });
        for var in CREDENTIAL_ENV_VARS {
            self.command.env_remove(var);
        }
        #[cfg(unix)]
        if self.own_group {
            use std::os::unix::process::CommandExt;
            self.command.process_group(0);
        }
        // The input is a socket pair, not a pipe: a program that exits
        // unread must not SIGPIPE a C host (see crate::child_input).
        let (mut child, mut stdin) =
            crate::child_input::spawn_with_input(self.command).map_err(HelperError::Spawn)?;
        let started = Instant::now();
        // A timeout too long to add to the clock is no deadline at all.
        let deadline = self.timeout.and_then(|t| started.checked_add(t));
        let group = self.own_group;
        let limit = self.output_limit;

        // stdin from its own thread: a program may write a lot before it
        // reads, and neither side must block the other. A write error (the
        // program exited without reading) is not ours to report.
        let input = input.to_vec();
        thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        // Bounded: a reader waits for the loop below to take its chunk, so
        // no more than a few chunks are in flight past the output limit.
        let (events, received) = mpsc::sync_channel(4);
        let mut open = 0;
        if let Some(out) = child.stdout.take() {
            spawn_reader(out, Stream::Stdout, events.clone());
            open += 1;
        }
        if let Some(err) = child.stderr.take() {
            spawn_reader(err, Stream::Stderr, events);
            open += 1;
        }

        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut exited: Option<(ExitStatus, Instant)> = None;
        while open > 0 {
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                kill(&mut child, group);
                return Err(HelperError::TimedOut(self.timeout.unwrap_or_default()));
            }
            if exited.is_some_and(|(_, at)| now >= at + EXIT_GRACE) {
                // Something the program started holds its streams: what it
                // wrote before exiting is its answer, the chunks the readers
                // have passed on included.
                if group {
                    kill(&mut child, true);
                }
                while let Ok(event) = received.try_recv() {
                    if let ReaderEvent::Data(stream, data) = event
                        && let Err(e) = append(&mut stdout, &mut stderr, stream, &data, limit)
                    {
                        kill(&mut child, group);
                        return Err(e);
                    }
                }
                break;
            }
            // Wake up now and then to notice the exit of a program whose
            // streams stay open.
            let mut wait = Duration::from_millis(50);
            if let Some(d) = deadline {
                wait = wait.min(d.saturating_duration_since(now));
            }
            match received.recv_timeout(wait) {
                Ok(ReaderEvent::Data(stream, data)) => {
                    if let Err(e) = append(&mut stdout, &mut stderr, stream, &data, limit) {
                        kill(&mut child, group);
                        return Err(e);
                    }
                }
                Ok(ReaderEvent::Closed) => open -= 1,
                Ok(ReaderEvent::Failed(e)) => {
                    kill(&mut child, group);
                    return Err(HelperError::Read(e));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if exited.is_none()
                && let Ok(Some(status)) = child.try_wait()
            {
                exited = Some((status, Instant::now()));
            }
        }
        let status = match exited {
            Some((status, _)) => status,
            None => loop {
                match child.try_wait() {
                    Ok(Some(status)) => break status,
                    Ok(None) if deadline.is_some_and(|d| Instant::now() >= d) => {
                        kill(&mut child, group);
                        return Err(HelperError::TimedOut(self.timeout.unwrap_or_default()));
                    }
                    Ok(None) => thread::sleep(Duration::from_millis(5)),
                    Err(e) => {
                        kill(&mut child, group);
                        return Err(HelperError::Read(format!("waiting: {e}")));
                    }
                }
            },
        };
        Ok(HelperOutput {
            status,
            stdout,
            stderr,
        })
    }
}

/// Adds a chunk of `stream` to its buffer, unless that takes the stream
/// past `limit`.
fn append(
    stdout: &mut Vec<u8>,
    stderr: &mut Vec<u8>,
    stream: Stream,
    data: &[u8],
    limit: usize,
) -> Result<(), HelperError> {
    let buf = match stream {
        Stream::Stdout => stdout,
        Stream::Stderr => stderr,
    };
    if buf.len() + data.len() > limit {
        return Err(HelperError::OutputTooLarge {
            stream: stream.name(),
            limit,
        });
    }
    buf.extend_from_slice(data);
    Ok(())
}

#[derive(Clone, Copy, Debug)]
enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

enum ReaderEvent {
    Data(Stream, Vec<u8>),
    Closed,
    Failed(String),
}

/// Reads `pipe` to its end and sends what it reads on `events`. The
/// thread is detached: it ends when the pipe closes or nobody listens.
fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    stream: Stream,
    events: mpsc::SyncSender<ReaderEvent>,
) {
    thread::spawn(move || {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let event = match pipe.read(&mut chunk) {
                Ok(0) => {
                    let _ = events.send(ReaderEvent::Closed);
                    return;
                }
                Ok(n) => ReaderEvent::Data(stream, chunk[..n].to_vec()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = events.send(ReaderEvent::Failed(format!(
                        "reading {}: {e}",
                        stream.name()
                    )));
                    return;
                }
            };
            if events.send(event).is_err() {
                return;
            }
        }
    });
}

/// Whether this process has a controlling terminal that a program it starts
/// could open (`/dev/tty`) to ask the user something, a PIN say. A program
/// in a process group of its own cannot read from the terminal, so a
/// helper that may prompt runs in the caller's group when there is one to
/// prompt on, and in its own (killed as a whole) when there is none. Always
/// false where process groups are not used (not Unix).
pub fn has_controlling_terminal() -> bool {
    #[cfg(unix)]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Kills the program (and its process group, when it has its own) and
/// reaps it: no zombie is left behind.
fn kill(child: &mut Child, group: bool) {
    #[cfg(unix)]
    if group {
        let _ = rustix::process::kill_process_group(
            rustix::process::Pid::from_child(child),
            rustix::process::Signal::KILL,
        );
    }
    #[cfg(not(unix))]
    let _ = group;
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(all(test, unix))]
pub(crate) mod tests {
    use super::*;

    /// Whether process `pid` is gone (or a zombie waiting for whoever
    /// reaps orphans) within two seconds.
    pub(crate) fn ends_soon(pid: i32) -> bool {
        (0..100).any(|_| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
            let alive = stat.is_ok_and(|s| {
                s.rsplit_once(')')
                    .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
            });
            if alive {
                thread::sleep(Duration::from_millis(20));
            }
            !alive
        })
    }

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn output_status_and_limits() {
        let out = HelperCommand::new(sh("cat; echo err >&2; exit 3"), 1024)
            .run(b"hello")
            .unwrap();
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.status.code(), Some(3));
        let e = HelperCommand::new(sh("head -c 5000 /dev/zero"), 4096)
            .run(b"")
            .unwrap_err();
        assert!(
            matches!(
                e,
                HelperError::OutputTooLarge {
                    stream: "stdout",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn credentials_are_not_passed_on() {
        // The variables are set on the command itself (never on this
        // process, whose environment other tests share).
        let mut c = sh("echo \"${NOTATION_USERNAME-unset} ${NOTATION_PASSWORD-unset} $KEEP\"");
        c.env("NOTATION_USERNAME", "user")
            .env("NOTATION_PASSWORD", "secret")
            .env("KEEP", "kept");
        let out = HelperCommand::new(c, 1024).run(b"").unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "unset unset kept\n");
    }

    #[test]
    fn a_timeout_past_the_clock_is_no_deadline() {
        let out = HelperCommand::new(sh("echo ok"), 1024)
            .timeout(Some(Duration::MAX))
            .run(b"")
            .unwrap();
        assert_eq!(out.stdout, b"ok\n");
    }

    #[test]
    fn a_program_that_hangs_is_killed_at_its_deadline() {
        let start = Instant::now();
        let e = HelperCommand::new(sh("sleep 30"), 1024)
            .timeout(Some(Duration::from_millis(300)))
            .run(b"")
            .unwrap_err();
        assert!(matches!(e, HelperError::TimedOut(_)), "{e}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    /// A program that answers, then exits leaving a background child that
    /// holds stdout: its answer is taken, its group killed, nothing hangs
    /// (before, the call waited for the background child, here 1000 s).
    #[test]
    fn a_backgrounded_child_holding_stdout_does_not_hang_the_caller() {
        let dir = std::env::temp_dir().join(format!("notation-helper-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("bg.pid");
        let script = format!(
            "echo answer; sleep 1000 & echo $! > {}; exit 0",
            pid_file.display()
        );
        let start = Instant::now();
        let out = HelperCommand::new(sh(&script), 1024)
            .own_process_group(true)
            .run(b"")
            .unwrap();
        assert!(start.elapsed() < Duration::from_secs(10));
        assert_eq!(out.stdout, b"answer\n");
        assert!(out.status.success());
        // The background child was killed with its group.
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let pid: i32 = pid.trim().parse().unwrap();
        assert!(ends_soon(pid), "background child {pid} survived");
        let _ = std::fs::remove_dir_all(&dir);
        // Without a group of its own, the caller still does not hang.
        let start = Instant::now();
        let out = HelperCommand::new(sh("echo answer; sleep 5 &"), 1024)
            .run(b"")
            .unwrap();
        assert_eq!(out.stdout, b"answer\n");
        assert!(start.elapsed() < Duration::from_secs(4));
    }
}
