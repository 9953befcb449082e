//! A plugin's `get-plugin-metadata` answer and SemVer precedence: the two
//! facts `plugin install` needs about a plugin (REQUIREMENTS R2, R3, R4,
//! R10).
//!
//! TODO(plugin-api): this whole module is a stop-gap until the plugin
//! protocol library (`notation_core::plugin`) lands; then
//! [`plugin_metadata`] becomes a call to its metadata command (with its
//! validation) and [`compare_versions`] its SemVer comparison, and this file
//! goes away. It is kept minimal on purpose: run the executable, bound its
//! output, parse and validate the response as notation-go does.

use std::cmp::Ordering;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The contract version this notation speaks (R3).
pub const CONTRACT_VERSION: &str = "1.0";

/// Largest standard output or standard error read from a plugin (U: the
/// reference's 64 MiB per stream).
pub const MAX_PLUGIN_OUTPUT_BYTES: u64 = 64 * 1024 * 1024;

/// How long `get-plugin-metadata` may run. The reference sets no limit; the
/// spec asks plugins to return static data without remote calls (R3), so a
/// plugin that takes longer is treated as broken instead of hanging the
/// install.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(60);

/// The metadata a plugin reports (R4). Every field is required by the spec;
/// [`plugin_metadata`] returns it only after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PluginMetadata {
    /// The plugin's name; must equal `{name}` of `notation-{name}`.
    pub name: String,
    /// A description.
    pub description: String,
    /// The plugin's version (SemVer for version checks).
    pub version: String,
    /// The plugin's web page.
    pub url: String,
    /// The contract versions it supports (must include `"1.0"`).
    pub supported_contract_versions: Vec<String>,
    /// Its capabilities (non-empty).
    pub capabilities: Vec<String>,
}

/// Why a plugin's metadata could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// The executable could not be started (not executable, wrong
    /// platform, ...).
    #[error("failed to execute {}: {}", .path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(), crate::fsutil::io_error_text(.source))]
    Spawn {
        /// The executable.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The executable failed without saying why on standard error.
    #[error("{}", exit_text(.status))]
    Exited {
        /// How it ended.
        status: ExitStatus,
    },
    /// The command did not finish in time and was killed.
    #[error("the get-plugin-metadata command of plugin {name} did not finish within {} seconds", .timeout.as_secs())]
    Timeout {
        /// The plugin's name (from its file name).
        name: String,
        /// The limit.
        timeout: Duration,
    },
    /// The plugin failed and explained itself with a JSON error (R2).
    #[error("{message}")]
    Plugin {
        /// `errorCode` (`VALIDATION_ERROR`, `ERROR`, ...).
        code: String,
        /// `errorMessage`.
        message: String,
    },
    /// The plugin failed and its standard error is not a JSON error.
    #[error("the error output of plugin {name} is not a valid error response: {reason}")]
    MalformedError {
        /// The plugin's name.
        name: String,
        /// The parser's complaint.
        reason: String,
    },
    /// The response is not the JSON metadata object.
    #[error("failed to unmarshal the response of get-plugin-metadata command for plugin {name}")]
    MalformedResponse {
        /// The plugin's name.
        name: String,
        /// The parser's complaint.
        reason: String,
    },
    /// Standard output or standard error exceeded the limit.
    #[error("the output of the get-plugin-metadata command of plugin {name} exceeds the {} MiB limit", MAX_PLUGIN_OUTPUT_BYTES / 1024 / 1024)]
    OutputTooLarge {
        /// The plugin's name.
        name: String,
    },
    /// The response lacks a required field or the contract version (R4).
    #[error("metadata validation failed for plugin {name}: {reason}")]
    Invalid {
        /// The plugin's name.
        name: String,
        /// What is wrong (the reference's texts).
        reason: String,
    },
    /// Talking to the process failed.
    #[error("failed to communicate with plugin {name}: {}", crate::fsutil::io_error_text(.source))]
    Io {
        /// The plugin's name.
        name: String,
        /// The error.
        source: io::Error,
    },
}

/// Which of the reference's error classes a [`MetadataError`] is in; the CLI
/// adds a different hint to each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataFailure {
    /// The executable does not run properly (notation-go's
    /// `PluginExecutableFileError`).
    Executable,
    /// The plugin runs but answers wrongly (`PluginMalformedError`).
    Malformed,
    /// The plugin reported an error itself.
    Plugin,
}

impl MetadataError {
    /// The error's class.
    pub fn failure(&self) -> MetadataFailure {
        match self {
            Self::Spawn { .. } | Self::Exited { .. } | Self::Timeout { .. } | Self::Io { .. } => {
                MetadataFailure::Executable
            }
            Self::MalformedError { .. }
            | Self::MalformedResponse { .. }
            | Self::OutputTooLarge { .. }
            | Self::Invalid { .. } => MetadataFailure::Malformed,
            Self::Plugin { .. } => MetadataFailure::Plugin,
        }
    }
}

fn exit_text(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal: {signal}");
        }
    }
    status.to_string()
}

/// The response as sent; every field optional so that the validation below
/// reports the first missing one with the reference's text (Go decodes a
/// missing or `null` field as empty).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetadata {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    supported_contract_versions: Option<Vec<String>>,
    #[serde(default)]
    capabilities: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawErrorResponse {
    error_code: String,
    #[serde(default)]
    error_message: Option<String>,
}

/// The plugin name of an executable path (`notation-{name}`, `.exe` dropped
/// on Windows), for messages; the file name itself when it does not follow
/// the pattern.
fn name_of(executable: &Path) -> String {
    let file = executable
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    match super::parse_plugin_name(&file) {
        Ok(name) => name.to_string(),
        Err(_) => file,
    }
}

/// Runs `executable get-plugin-metadata` with the request `{}` on standard
/// input (R2, R3: the reference sends an empty request; `pluginConfig` is
/// optional and plugins ignore unknown fields), reads at most 64 MiB of each
/// output stream, parses the response and validates it (R4: every field
/// present, contract version `"1.0"` supported). Does not compare the name
/// with the file name: the caller knows which name it expects.
///
/// TODO(plugin-api): replace with the protocol library's metadata call.
pub fn plugin_metadata(executable: &Path) -> Result<PluginMetadata, MetadataError> {
    plugin_metadata_with_timeout(executable, METADATA_TIMEOUT)
}

fn plugin_metadata_with_timeout(
    executable: &Path,
    timeout: Duration,
) -> Result<PluginMetadata, MetadataError> {
    let name = name_of(executable);
    let io_error = |source| MetadataError::Io {
        name: name.clone(),
        source,
    };
    let mut child = Command::new(executable)
        .arg("get-plugin-metadata")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| MetadataError::Spawn {
            path: executable.to_path_buf(),
            source,
        })?;
    // Both streams are drained concurrently (a plugin that fills one pipe
    // while we wait on the other would otherwise deadlock), each bounded.
    let stdout = child.stdout.take().map(bounded_reader_thread);
    let stderr = child.stderr.take().map(bounded_reader_thread);
    if let Some(mut stdin) = child.stdin.take() {
        // A plugin may exit without reading its request: a broken pipe is
        // not an error here; its exit status tells.
        match stdin.write_all(b"{}") {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io_error(e));
            }
            _ => {}
        }
    }
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(&io_error)? {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                // The reader threads are left to end with the pipes; a
                // grandchild holding them open must not hang us.
                return Err(MetadataError::Timeout { name, timeout });
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let collect = |handle: Option<std::thread::JoinHandle<io::Result<Vec<u8>>>>| {
        handle
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("reader thread panicked")))
            })
            .unwrap_or_else(|| Ok(Vec::new()))
    };
    let stdout = collect(stdout).map_err(&io_error)?;
    let stderr = collect(stderr).map_err(&io_error)?;
    if stdout.len() as u64 > MAX_PLUGIN_OUTPUT_BYTES
        || stderr.len() as u64 > MAX_PLUGIN_OUTPUT_BYTES
    {
        return Err(MetadataError::OutputTooLarge { name });
    }
    if !status.success() {
        if stderr.is_empty() {
            return Err(MetadataError::Exited { status });
        }
        return match serde_json::from_slice::<RawErrorResponse>(&stderr) {
            Ok(e) => Err(MetadataError::Plugin {
                message: e.error_message.unwrap_or_else(|| e.error_code.clone()),
                code: e.error_code,
            }),
            Err(e) => Err(MetadataError::MalformedError {
                name,
                reason: e.to_string(),
            }),
        };
    }
    let raw: RawMetadata =
        serde_json::from_slice(&stdout).map_err(|e| MetadataError::MalformedResponse {
            name: name.clone(),
            reason: e.to_string(),
        })?;
    validate(raw).map_err(|reason| MetadataError::Invalid { name, reason })
}

/// Reads a stream to its end on a thread, keeping at most one byte more
/// than the limit (so that "too large" is detectable) and discarding the
/// rest so that the plugin never blocks on a full pipe.
fn bounded_reader_thread<R: Read + Send + 'static>(
    mut stream: R,
) -> std::thread::JoinHandle<io::Result<Vec<u8>>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        (&mut stream)
            .take(MAX_PLUGIN_OUTPUT_BYTES + 1)
            .read_to_end(&mut kept)?;
        io::copy(&mut stream, &mut io::sink())?;
        Ok(kept)
    })
}

/// notation-go's `validate`, in its order and with its texts.
fn validate(raw: RawMetadata) -> Result<PluginMetadata, String> {
    let non_empty = |v: Option<String>, what: &str| match v {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(format!("empty {what}")),
    };
    let name = non_empty(raw.name, "name")?;
    let description = non_empty(raw.description, "description")?;
    let version = non_empty(raw.version, "version")?;
    let url = non_empty(raw.url, "url")?;
    let capabilities = raw.capabilities.unwrap_or_default();
    if capabilities.is_empty() {
        return Err("empty capabilities".into());
    }
    let supported = raw.supported_contract_versions.unwrap_or_default();
    if supported.is_empty() {
        return Err("supported contract versions not specified".into());
    }
    if !supported.iter().any(|v| v == CONTRACT_VERSION) {
        // Go's `%v` of a string slice: `[2.0 3.0]`.
        return Err(format!(
            "contract version \"{CONTRACT_VERSION}\" is not in the list of the plugin supported versions [{}]",
            supported.join(" ")
        ));
    }
    Ok(PluginMetadata {
        name,
        description,
        version,
        url,
        supported_contract_versions: supported,
        capabilities,
    })
}

/// A version that is not SemVer 2.0.0.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{version} is not a valid semantic version")]
pub struct VersionError {
    /// The text given.
    pub version: String,
}

/// Compares two plugin versions by SemVer 2.0.0 precedence, as notation-go's
/// `ComparePluginVersion` does (R8, R10): both must match the SemVer grammar
/// (no leading `v`, no leading zeros); build metadata is ignored; a
/// pre-release is lower than its release (`1.0.0-alpha < 1.0.0`).
///
/// TODO(plugin-api): replace with the protocol library's SemVer comparison.
pub fn compare_versions(v: &str, w: &str) -> Result<Ordering, VersionError> {
    let invalid = |s: &str| VersionError {
        version: s.to_string(),
    };
    let a = SemVer::parse(v).ok_or_else(|| invalid(v))?;
    let b = SemVer::parse(w).ok_or_else(|| invalid(w))?;
    Ok(a.cmp_precedence(&b))
}

/// A parsed version; numbers are kept as digit strings so that any length
/// compares correctly (as Go's `x/mod/semver` does).
struct SemVer<'a> {
    core: [&'a str; 3],
    pre: Vec<&'a str>,
}

impl<'a> SemVer<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        if let Some(build) = build
            && !build
                .split('.')
                .all(|id| !id.is_empty() && id.bytes().all(is_ident_byte))
        {
            return None;
        }
        // The core has no '-', so the first one starts the pre-release.
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let mut numbers = [""; 3];
        for n in &mut numbers {
            let part = parts.next()?;
            if !is_numeric_identifier(part) {
                return None;
            }
            *n = part;
        }
        if parts.next().is_some() {
            return None;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(p) => {
                let ids: Vec<&str> = p.split('.').collect();
                let valid = ids.iter().all(|id| {
                    !id.is_empty()
                        && id.bytes().all(is_ident_byte)
                        && (!id.bytes().all(|b| b.is_ascii_digit()) || is_numeric_identifier(id))
                });
                if !valid {
                    return None;
                }
                ids
            }
        };
        Some(Self { core: numbers, pre })
    }

    fn cmp_precedence(&self, other: &Self) -> Ordering {
        for (a, b) in self.core.iter().zip(other.core.iter()) {
            match cmp_numeric(a, b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(other.pre.iter()) {
            let a_num = a.bytes().all(|c| c.is_ascii_digit());
            let b_num = b.bytes().all(|c| c.is_ascii_digit());
            let o = match (a_num, b_num) {
                (true, true) => cmp_numeric(a, b),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => a.cmp(b),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `0|[1-9][0-9]*`
fn is_numeric_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

/// Compares digit strings without leading zeros as numbers.
fn cmp_numeric(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_precedence_as_notation_go() {
        use Ordering::*;
        // R8's examples and the SemVer 2.0.0 precedence chain.
        let cases = [
            ("1.0.0", "1.0.0", Equal),
            ("1.0.0", "1.0.0-alpha", Greater),
            ("1.0.0-alpha", "0.0.9", Greater),
            ("1.0.0", "1.0.1", Less),
            ("1.0.0", "1.1.0-alpha", Less),
            ("1.0.0-alpha", "1.0.0-alpha.1", Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Less),
            ("1.0.0-alpha.beta", "1.0.0-beta", Less),
            ("1.0.0-beta", "1.0.0-beta.2", Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Less),
            ("1.0.0-beta.11", "1.0.0-rc.1", Less),
            ("1.0.0-rc.1", "1.0.0", Less),
            ("1.0.0+build.1", "1.0.0+build.2", Equal),
            ("2.0.0", "10.0.0", Less),
            ("99999999999999999999.0.0", "9.0.0", Greater),
            ("1.0.0-0", "1.0.0-a", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_versions(a, b).unwrap(), want, "{a} vs {b}");
            assert_eq!(
                compare_versions(b, a).unwrap(),
                want.reverse(),
                "{b} vs {a}"
            );
        }
    }

    #[test]
    fn semver_grammar() {
        for bad in [
            "",
            "v1.0.0",
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.00.0",
            "1.0.0-",
            "1.0.0-01",
            "1.0.0-a..b",
            "1.0.0+",
            "1.0.0+a..b",
            "1.0.0-a_b",
            " 1.0.0",
            "1.0.0 ",
            "1.0.x",
        ] {
            let e = compare_versions(bad, "1.0.0").unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("{bad} is not a valid semantic version")
            );
        }
        for good in ["0.0.0", "1.2.3-alpha-1.0.x-y", "1.2.3+001", "1.2.3-0a.00a"] {
            compare_versions(good, "1.0.0").unwrap();
        }
    }

    fn raw(json: &str) -> RawMetadata {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validation_texts() {
        let full = r#"{"name":"n","description":"d","version":"1.0.0","url":"u","supportedContractVersions":["1.0"],"capabilities":["SIGNATURE_GENERATOR.RAW"]}"#;
        let m = validate(raw(full)).unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("n", "1.0.0"));
        let cases = [
            (r#"{"description":"d"}"#, "empty name"),
            (r#"{"name":null}"#, "empty name"),
            (r#"{"name":"n"}"#, "empty description"),
            (r#"{"name":"n","description":"d"}"#, "empty version"),
            (
                r#"{"name":"n","description":"d","version":"1"}"#,
                "empty url",
            ),
            (
                r#"{"name":"n","description":"d","version":"1","url":"u","supportedContractVersions":["1.0"]}"#,
                "empty capabilities",
            ),
            (
                r#"{"name":"n","description":"d","version":"1","url":"u","capabilities":["x"]}"#,
                "supported contract versions not specified",
            ),
            (
                r#"{"name":"n","description":"d","version":"1","url":"u","capabilities":["x"],"supportedContractVersions":["2.0","3.0"]}"#,
                "contract version \"1.0\" is not in the list of the plugin supported versions [2.0 3.0]",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(validate(raw(json)).unwrap_err(), want, "{json}");
        }
    }
}
