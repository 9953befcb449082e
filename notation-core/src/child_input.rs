//! The standard input of a child process (a plugin, a credential helper)
//! written without SIGPIPE.
//!
//! A child may exit without reading its input. Writing to a pipe whose
//! reader is gone raises SIGPIPE, which kills the process unless it ignores
//! the signal: Rust programs do, but C programs and Go programs calling the
//! C ABI keep the default action. On Unix the input is therefore a socket
//! pair, whose writes fail with `EPIPE` instead (the standard library sends
//! on sockets with `MSG_NOSIGNAL`). Shared by notation-core and
//! notation-oci; not part of the API.

use std::io::{self, Write};
use std::process::{Child, Command, Stdio};

/// Spawns `command` with its stdin connected to the returned writer; drop
/// the writer to close the child's input. `command` is consumed so that the
/// parent keeps no copy of the child's end (writes would block instead of
/// failing once the child is gone).
pub fn spawn_with_input(mut command: Command) -> io::Result<(Child, Box<dyn Write + Send>)> {
    #[cfg(unix)]
    {
        let (ours, theirs) = std::os::unix::net::UnixStream::pair()?;
        command.stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)));
        let child = command.spawn()?;
        drop(command);
        Ok((child, Box::new(ours)))
    }
    #[cfg(not(unix))]
    {
        command.stdin(Stdio::piped());
        let mut child = command.spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        Ok((child, Box::new(stdin)))
    }
}
