//! Installed plugins: discovery and invocation.
// Requirements: R1, R2.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use super::{BINARY_PREFIX, Command, Plugin, PluginError, PluginLocator, check_name};
use crate::process::{HelperCommand, HelperError, HelperOutput};

/// Largest output read from a plugin, per stream (64 MiB, as the
/// reference's limit writer: exactly 64 MiB is accepted, one byte more is
/// not).
// Requirements: R2, U.
pub const MAX_PLUGIN_OUTPUT_SIZE: usize = 64 * 1024 * 1024;

/// The name prefix of the directories a plugin installer stages packages
/// in, inside the plugin directory (`notation plugin install` of
/// notation-rs extracts there, then renames the finished plugin into
/// place, so that both renames stay on one file system). Such a directory
/// is never a plugin: [`PluginDirectory::entries`] skips it and no plugin
/// name may start with it.
pub const INSTALL_STAGING_PREFIX: &str = ".notation-plugin-";

/// How long one plugin command may run by default before it is killed
/// (the reference has no limit; a plugin that hangs would hang us).
pub const DEFAULT_PLUGIN_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// How much of stderr is quoted in an error.
const STDERR_EXCERPT: usize = 1024;

/// The executable file name of plugin `name`: `notation-{name}`, with
/// `.exe` on Windows.
// Requirements: R1.
pub fn executable_file_name(name: &str) -> String {
    if cfg!(windows) {
        format!("{BINARY_PREFIX}{name}.exe")
    } else {
        format!("{BINARY_PREFIX}{name}")
    }
}

/// An installed plugin executable, run once per command.
///
/// The request goes to stdin; exit code 0 means stdout holds the response,
/// exit code 1 means stderr holds an error response, anything else is a
/// generic failure. stdout and stderr are read concurrently, each up to
/// [`MAX_PLUGIN_OUTPUT_SIZE`]; a plugin that writes more, or runs past its
/// timeout ([`DEFAULT_PLUGIN_TIMEOUT`] unless changed), is killed and
/// reaped. The plugin inherits the caller's environment and working
/// directory, as with the reference, except the registry credentials of
/// the Notation CLI (`NOTATION_USERNAME`, `NOTATION_PASSWORD`), which are
/// removed.
// Requirements: R2.
#[derive(Clone, Debug)]
pub struct ExecutablePlugin {
    name: String,
    path: PathBuf,
    output_limit: usize,
    timeout: Option<Duration>,
}

impl ExecutablePlugin {
    /// The plugin `name` at `path`, checked as the plugin specification
    /// requires before anything runs: a regular file (not a symlink, not a
    /// directory), executable.
    // Requirements: R1.
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>) -> Result<Self, PluginError> {
        let name = name.into();
        let path = path.into();
        check_executable(&name, &path)?;
        Ok(Self {
            name,
            path,
            output_limit: MAX_PLUGIN_OUTPUT_SIZE,
            timeout: Some(DEFAULT_PLUGIN_TIMEOUT),
        })
    }

    /// Kills the plugin when a command takes longer than `timeout` (default
    /// [`DEFAULT_PLUGIN_TIMEOUT`]; `None`: no limit, as the reference).
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Lowers the per-stream output limit (at most
    /// [`MAX_PLUGIN_OUTPUT_SIZE`]).
    pub fn with_output_limit(mut self, limit: usize) -> Self {
        self.output_limit = limit.min(MAX_PLUGIN_OUTPUT_SIZE);
        self
    }

    /// The executable's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn execution_error(&self, command: Command, detail: impl ToString) -> PluginError {
        PluginError::Execution {
            plugin: self.name.clone(),
            command,
            detail: detail.to_string(),
        }
    }

    /// Starts the process, feeds stdin, collects bounded stdout and stderr,
    /// and reaps it whatever happens ([`crate::process`]: the deadline, the
    /// output limits, credentials removed from its environment).
    fn execute(&self, command: Command, request: &[u8]) -> Result<HelperOutput, PluginError> {
        // R1 says to check before executing: the file may have changed since
        // the plugin was opened.
        check_executable(&self.name, &self.path)?;
        let mut cmd = std::process::Command::new(&self.path);
        cmd.arg(command.as_str());
        // With a terminal, the plugin stays in the caller's process group:
        // it may talk to the terminal (a PIN prompt), which a background
        // group cannot. Without one (a CI job, a service, most FFI hosts)
        // it gets a group of its own, so that a kill at the deadline or
        // the output limit also ends whatever it started.
        HelperCommand::new(cmd, self.output_limit)
            .timeout(self.timeout)
            .own_process_group(!crate::process::has_controlling_terminal())
            .run(request)
            .map_err(|e| match e {
                HelperError::Spawn(e) if is_exec_format_error(&e) => PluginError::ExecFormat {
                    plugin: self.name.clone(),
                    command,
                    path: self.path.clone(),
                },
                HelperError::TimedOut(_) => PluginError::Timeout {
                    path: self.path.clone(),
                    command,
                },
                HelperError::OutputTooLarge { stream, limit } => PluginError::OutputTooLarge {
                    plugin: self.name.clone(),
                    command,
                    stream,
                    limit,
                },
                other => self.execution_error(command, other),
            })
    }
}

impl Plugin for ExecutablePlugin {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(&self, command: Command, request: &[u8]) -> Result<Vec<u8>, PluginError> {
        let output = self.execute(command, request)?;
        if output.status.success() {
            return Ok(output.stdout);
        }
        // R2: exit code 1 carries an optional error response on stderr;
        // any other code is a generic failure. (The reference parses stderr
        // for every non-zero code; the spec and MANIFEST 12 reserve that
        // for code 1.)
        if output.status.code() == Some(1) && !output.stderr.is_empty() {
            return Err(
                match super::protocol::ErrorResponse::parse(&output.stderr) {
                    Ok(response) => PluginError::ErrorResponse {
                        plugin: self.name.clone(),
                        command,
                        code: response.error_code,
                        message: response.error_message,
                        metadata: response.error_metadata,
                    },
                    Err(detail) => PluginError::MalformedErrorResponse {
                        plugin: self.name.clone(),
                        command,
                        detail,
                    },
                },
            );
        }
        Err(PluginError::Exit {
            plugin: self.name.clone(),
            command,
            status: describe_status(output.status),
            stderr: excerpt(&output.stderr),
        })
    }
}

/// Whether starting a process failed because the file is not a program for
/// this platform: `ENOEXEC` (8 on Linux, macOS and the BSDs) or Windows'
/// `ERROR_BAD_EXE_FORMAT` (193). `std::io::ErrorKind` has no kind for it.
fn is_exec_format_error(e: &std::io::Error) -> bool {
    let code = if cfg!(windows) { 193 } else { 8 };
    cfg!(any(unix, windows)) && e.raw_os_error() == Some(code)
}

fn describe_status(status: ExitStatus) -> String {
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

fn excerpt(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(&stderr[..stderr.len().min(STDERR_EXCERPT)]);
    text.trim().to_string()
}

/// A plugin executable: a regular file (symlinks are not followed),
/// executable.
// Requirements: R1.
fn check_executable(name: &str, path: &Path) -> Result<(), PluginError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PluginError::NotFound {
                name: name.to_string(),
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(PluginError::Inaccessible {
                path: path.to_path_buf(),
                detail: format!("stat {}: {e}", path.display()),
            });
        }
    };
    if !meta.file_type().is_file() {
        return Err(PluginError::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Somebody must be allowed to execute it; whether that is us, the
        // operating system decides when it runs (the reference checks the
        // owner bit when installing and nothing when running).
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(PluginError::NotExecutable {
                path: path.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// The installed-plugin directory, `{NOTATION_LIBEXEC}/plugins`: every
/// sub-directory `{name}` holding the executable `notation-{name}` is a
/// plugin.
// Requirements: R1.
#[derive(Clone, Debug)]
pub struct PluginDirectory {
    root: PathBuf,
    timeout: Option<Duration>,
}

/// One sub-directory of the plugin directory, as
/// [`PluginDirectory::entries`] finds it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PluginEntry {
    /// The directory name, which is the plugin name.
    pub name: String,
    /// Where its executable must be.
    pub executable: PathBuf,
    /// Why it is not a usable plugin, if it is not (the executable checks
    /// short of running it).
    pub problem: Option<PluginError>,
}

impl PluginDirectory {
    /// The plugin directory at `root` (the `plugins` directory itself).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            timeout: Some(DEFAULT_PLUGIN_TIMEOUT),
        }
    }

    /// `{libexec}/plugins`, where libexec is `NOTATION_LIBEXEC` or the
    /// configuration directory ([`crate::config::libexec_dir`]).
    pub fn from_environment() -> Self {
        Self::new(crate::config::libexec_dir().join("plugins"))
    }

    /// A timeout for every command of the plugins it locates (default
    /// [`DEFAULT_PLUGIN_TIMEOUT`]; `None`: no limit).
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The directory a plugin lives in.
    pub fn plugin_dir(&self, name: &str) -> Result<PathBuf, PluginError> {
        check_name(name)?;
        Ok(self.root.join(name))
    }

    /// Where the executable of plugin `name` must be.
    pub fn executable_path(&self, name: &str) -> Result<PathBuf, PluginError> {
        Ok(self.plugin_dir(name)?.join(executable_file_name(name)))
    }

    /// Every sub-directory (symlinked directories and files are ignored, as
    /// by the reference), sorted by name, each with what keeps it from
    /// being a plugin, if anything. An installer's staging directories
    /// ([`INSTALL_STAGING_PREFIX`]) are not entries. A missing plugin
    /// directory has no entries.
    pub fn entries(&self) -> Result<Vec<PluginEntry>, PluginError> {
        let walk_error = |e: std::io::Error| PluginError::DirectoryWalk {
            path: self.root.clone(),
            detail: format!("open {}: {e}", self.root.display()),
        };
        let dir = match std::fs::read_dir(&self.root) {
            Ok(dir) => dir,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(walk_error(e)),
        };
        let mut entries = Vec::new();
        for entry in dir {
            let entry = entry.map_err(walk_error)?;
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if !file_type.is_dir() {
                continue;
            }
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if name.starts_with(INSTALL_STAGING_PREFIX) {
                continue;
            }
            let executable = entry.path().join(executable_file_name(&name));
            let problem = check_name(&name)
                .and_then(|()| check_executable(&name, &executable))
                .err();
            entries.push(PluginEntry {
                name,
                executable,
                problem,
            });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// The names of the installed plugins: the entries whose executable is
    /// a regular file. The execute permission is checked when a plugin is
    /// located, not here, so that a plugin that lost it is still listed
    /// (and [`PluginDirectory::locate`] says why it cannot run).
    pub fn list(&self) -> Result<Vec<String>, PluginError> {
        Ok(self
            .entries()?
            .into_iter()
            .filter(|e| {
                !matches!(
                    e.problem,
                    Some(
                        PluginError::NotRegularFile { .. }
                            | PluginError::NotFound { .. }
                            | PluginError::InvalidName(_)
                            | PluginError::Inaccessible { .. }
                    )
                )
            })
            .map(|e| e.name)
            .collect())
    }

    /// The installed plugin `name` as an [`ExecutablePlugin`].
    pub fn open(&self, name: &str) -> Result<ExecutablePlugin, PluginError> {
        let path = self.executable_path(name)?;
        Ok(ExecutablePlugin::new(name, path)?.with_timeout(self.timeout))
    }
}

impl PluginLocator for PluginDirectory {
    fn locate(&self, name: &str) -> Result<Arc<dyn Plugin>, PluginError> {
        Ok(Arc::new(self.open(name)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_never_become_paths() {
        let dir = PluginDirectory::new("/nonexistent/plugins");
        for name in ["", ".", "..", "../x", "a/b", "a\\b", "a\0b"] {
            assert!(
                matches!(dir.open(name), Err(PluginError::InvalidName(_))),
                "{name:?}"
            );
        }
        assert!(matches!(
            dir.open("com.example.ok"),
            Err(PluginError::NotFound { .. })
        ));
    }

    #[test]
    fn install_staging_directories_are_not_plugins() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // A staging directory holding what looks like a plugin of its own
        // name, and a real plugin directory beside it.
        let staging = format!("{INSTALL_STAGING_PREFIX}install-abc123");
        std::fs::create_dir_all(root.join(&staging)).unwrap();
        std::fs::write(
            root.join(&staging).join(executable_file_name(&staging)),
            b"",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("foo")).unwrap();
        let dir = PluginDirectory::new(root);
        let names: Vec<String> = dir.entries().unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["foo"]);
        assert!(dir.list().unwrap().is_empty());
        assert!(matches!(
            dir.open(&staging),
            Err(PluginError::InvalidName(_))
        ));
        // Other hidden directories are the reference's business: listed.
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        let names: Vec<String> = dir.entries().unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, [".hidden", "foo"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_that_is_no_program_is_an_exec_format_error() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let exe = tmp.path().join("foo").join(executable_file_name("foo"));
        std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
        // The reference's e2e "invalid binary file": text, no interpreter.
        std::fs::write(&exe, b"invalid").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let plugin = PluginDirectory::new(tmp.path()).open("foo").unwrap();
        let err = plugin.run(Command::GetPluginMetadata, b"{}").unwrap_err();
        assert_eq!(
            err,
            PluginError::ExecFormat {
                plugin: "foo".into(),
                command: Command::GetPluginMetadata,
                path: exe.clone(),
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "failed to execute the get-plugin-metadata command for plugin foo: {} is not an executable for this platform (exec format error)",
                exe.display()
            )
        );
    }

    /// Issue 8 (Low 6): a plugin that hangs is killed after the default
    /// timeout unless the caller says otherwise.
    #[cfg(unix)]
    #[test]
    fn plugins_have_a_default_timeout() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let exe = tmp.path().join("foo").join(executable_file_name("foo"));
        std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
        // The plugin hangs waiting for a child of its own.
        let pid_file = tmp.path().join("child.pid");
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\nsleep 1000 &\necho $! > '{}'\nwait\n",
                pid_file.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let plugin = PluginDirectory::new(tmp.path()).open("foo").unwrap();
        assert_eq!(plugin.timeout, Some(DEFAULT_PLUGIN_TIMEOUT));
        assert_eq!(
            ExecutablePlugin::new("foo", &exe).unwrap().timeout,
            Some(DEFAULT_PLUGIN_TIMEOUT)
        );
        let plugin = plugin.with_timeout(Some(Duration::from_millis(200)));
        let start = std::time::Instant::now();
        let err = plugin.run(Command::GetPluginMetadata, b"{}").unwrap_err();
        assert!(matches!(err, PluginError::Timeout { .. }), "{err}");
        assert!(start.elapsed() < Duration::from_secs(10));
        // Without a terminal (CI, services) the plugin's child went with
        // it; with one, the plugin kept the caller's group for a prompt and
        // its child is ours to clean up.
        let child = std::fs::read_to_string(&pid_file).unwrap();
        let child: i32 = child.trim().parse().unwrap();
        if crate::process::has_controlling_terminal() {
            let _ = std::process::Command::new("kill")
                .args(["-9", &child.to_string()])
                .status();
        } else {
            assert!(
                crate::process::tests::ends_soon(child),
                "the plugin's child {child} outlived it"
            );
        }
    }

    #[test]
    fn missing_plugin_directory_lists_nothing() {
        let dir = PluginDirectory::new("/nonexistent/plugins");
        assert!(dir.list().unwrap().is_empty());
    }
}
