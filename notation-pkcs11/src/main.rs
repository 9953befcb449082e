//! `notation-pkcs11`: the Notation plugin (name `pkcs11`) that signs with
//! keys in PKCS#11 tokens. See the crate documentation of `notation_pkcs11`.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut response = response_stream();
    let code = notation_pkcs11::plugin::run(
        std::env::args_os().skip(1),
        &mut std::io::stdin().lock(),
        &mut response,
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code as u8)
}

/// Where the JSON response goes: the original standard output, while
/// file descriptor 1 itself now points at standard error. The plugin spec
/// asks a plugin to move its standard output aside before anything runs:
/// a PKCS#11 module (vendor code loaded into this process) that prints
/// would otherwise corrupt the response. What it prints goes to standard
/// error, where a failure's message stays readable.
fn response_stream() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        // Close-on-exec: a program the module starts must not hold the
        // response's pipe open (notation waits for its end).
        let moved =
            rustix::io::fcntl_dupfd_cloexec(std::io::stdout().as_fd(), 3).and_then(|saved| {
                rustix::stdio::dup2_stdout(std::io::stderr().as_fd())?;
                Ok(saved)
            });
        if let Ok(saved) = moved {
            return Box::new(std::fs::File::from(saved));
        }
    }
    Box::new(std::io::stdout())
}
