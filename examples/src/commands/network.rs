//! `--timeout`: the time limit of a command's network work, a global option
//! (`notation verify --timeout 30s ...`). It sets the time limit of the
//! registry operation (all the requests of one sign, verify, list, inspect
//! or login together; default 10 s) and of a timestamping request (default
//! 30 s). OCSP and CRL keep their own per-request timeouts
//! (`--ocsp-timeout`, `--crl-timeout`). Timeout errors end with "raise it
//! with --timeout".

use std::cell::Cell;
use std::time::Duration;

use notation_oci::registry::RegistryClientOptions;
use notation_oci::tsa::HttpTimestamper;

use crate::error::{CliError, CliResult};

/// What a timeout error tells the user.
const HINT: &str = "raise it with --timeout";

thread_local! {
    /// The `--timeout` of the command running on this thread (commands run
    /// on the thread that parsed them; tests run several in one process).
    static TIMEOUT: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// Parses `--timeout`: a positive Go duration (`30s`, `2m`, `1m30s`).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = crate::duration::parse_go_duration(s).map_err(|e| e.to_string())?;
    if !d.is_positive() {
        return Err(format!("timeout must be a positive duration, got {s}"));
    }
    Duration::try_from(d).map_err(|e| e.to_string())
}

/// Records the command's `--timeout` (`None`: the defaults).
pub fn set_timeout(timeout: Option<Duration>) {
    TIMEOUT.with(|t| t.set(timeout));
}

/// Registry client options with the command's time limit.
pub fn registry_options(options: RegistryClientOptions) -> RegistryClientOptions {
    let options = options.timeout_hint(HINT);
    match TIMEOUT.with(Cell::get) {
        Some(t) => options.operation_timeout(t),
        None => options,
    }
}

/// A timestamper with the command's time limit.
pub fn timestamper(timestamper: HttpTimestamper) -> CliResult<HttpTimestamper> {
    let timestamper = timestamper.timeout_hint(HINT);
    match TIMEOUT.with(Cell::get) {
        Some(t) => timestamper.timeout(t).map_err(CliError::failed),
        None => Ok(timestamper),
    }
}
