//! `notation plugin install`, `uninstall` and `list`: the reference CLI's
//! flags, output lines and error texts, over [`crate::plugin_package`],
//! which installs safely, and the protocol library
//! [`notation_core::plugin`], which finds and runs plugins.
// Requirements: R10, R1, R4, X1.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use notation_core::config::libexec_dir;
use notation_core::plugin::{PluginDirectory, PluginError, executable_file_name};

use super::LoggingArgs;
use crate::console::{Confirmation, Console};
use crate::display::table;
use crate::error::{CliError, CliResult, go_quote};
use crate::plugin_package::{
    self, InstallError, InstallOptions, MetadataFailure, PackageSource, check_plugin_name,
    failure_of, go_platform, installed_executable, plugin_error_text, plugin_metadata, plugins_dir,
};

/// `notation plugin`.
#[derive(Args, Debug)]
pub struct PluginCommand {
    #[command(subcommand)]
    command: PluginSubcommand,
}

#[derive(Subcommand, Debug)]
enum PluginSubcommand {
    /// Install a plugin
    #[command(
        visible_alias = "add",
        override_usage = "notation plugin install [flags] <--file|--url> <plugin_source>"
    )]
    Install(InstallArgs),
    /// Uninstall a plugin
    #[command(
        visible_aliases = ["remove", "rm"],
        override_usage = "notation plugin uninstall [flags] <plugin_name>"
    )]
    Uninstall(UninstallArgs),
    /// List installed plugins
    #[command(visible_alias = "ls")]
    List(ListArgs),
}

impl PluginCommand {
    /// Runs the subcommand.
    pub fn run(self, con: &mut Console) -> CliResult {
        match self.command {
            PluginSubcommand::Install(a) => a.run(con),
            PluginSubcommand::Uninstall(a) => a.run(con),
            PluginSubcommand::List(a) => a.run(con),
        }
    }
}

/// `notation plugin install`.
#[derive(Args, Debug)]
pub struct InstallArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// install plugin from a file on file system
    #[arg(long)]
    file: bool,
    /// install plugin from an HTTPS URL. The plugin download timeout is 10m0s
    #[arg(long)]
    url: bool,
    /// must match SHA256 of the plugin source, required when "--url" flag is set
    #[arg(long = "sha256sum", value_name = "string")]
    sha256sum: Option<String>,
    /// force the installation of the plugin
    #[arg(long)]
    force: bool,
    /// the plugin file path (--file) or HTTPS URL (--url)
    #[arg(value_name = "plugin_source", value_parser = clap::builder::OsStringValueParser::new())]
    sources: Vec<OsString>,
}

impl InstallArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        // cobra checks the arguments first, then the flag groups.
        let source = match self.sources.as_slice() {
            [] if self.file => return Err(CliError::usage("missing plugin file path")),
            [] if self.url => return Err(CliError::usage("missing plugin URL")),
            [] => return Err(CliError::usage("missing plugin source location")),
            [one] => one.clone(),
            many => {
                let list: Vec<String> = many.iter().map(|s| s.to_string_lossy().into()).collect();
                return Err(CliError::usage(format!(
                    "can only install one plugin at a time, but got [{}]",
                    list.join(" ")
                )));
            }
        };
        if self.file && self.url {
            return Err(CliError::usage(
                "if any flags in the group [file url] are set none of the others can be; [file url] were all set",
            ));
        }
        if !self.file && !self.url {
            return Err(CliError::usage(
                "at least one of the flags in the group [file url] is required",
            ));
        }
        let checksum = self.sha256sum.unwrap_or_default();
        let options = InstallOptions::new()
            .sha256sum(checksum.clone())
            .force(self.force);
        let plugins = plugins_dir(&libexec_dir());
        if self.file {
            let path = PathBuf::from(source);
            return install(con, &plugins, PackageSource::File(&path), &options);
        }
        let Some(url) = source.to_str() else {
            return Err(CliError::usage(format!(
                "failed to parse plugin download URL {} with error: invalid UTF-8",
                source.to_string_lossy()
            )));
        };
        if checksum.is_empty() {
            return Err(CliError::usage(
                "installing from URL requires non-empty SHA256 checksum of the plugin source",
            ));
        }
        plugin_package::check_https_url(url).map_err(|e| match e {
            plugin_package::DownloadError::UnsupportedScheme { .. } => {
                CliError::failed(format!("failed to download plugin from URL: {e}"))
            }
            other => CliError::failed(other),
        })?;
        con.println(format_args!("Downloading plugin from {url}"))?;
        con.flush()?;
        let package = plugin_package::download(url).map_err(|e| {
            CliError::failed(format!(
                "failed to download plugin from URL {url} with error: {e}"
            ))
        })?;
        con.println("Download completed")?;
        install(con, &plugins, PackageSource::Downloaded(&package), &options)
    }
}

fn install(
    con: &mut Console,
    plugins: &Path,
    source: PackageSource<'_>,
    options: &InstallOptions,
) -> CliResult {
    let mut log = |line: &str| {
        let _ = con.debug(line);
    };
    let outcome = plugin_package::install(plugins, source, options, &mut log).map_err(|e| {
        let mut lines = install_error_text(&e);
        lines[0] = format!("plugin installation failed: {}", lines[0]);
        CliError::lines(lines)
    })?;
    match outcome.previous_version() {
        Some(previous) => con.println(format_args!(
            "Successfully updated plugin {} from version {previous} to {}",
            outcome.name(),
            outcome.version()
        )),
        None => con.println(format_args!(
            "Successfully installed plugin {}, version {}",
            outcome.name(),
            outcome.version()
        )),
    }
}

/// The text after `plugin installation failed: `, with the reference's
/// hints: a downgrade suggests `--force`; a plugin that does not run asks
/// for a compatible executable; a malformed answer is shown alone (the
/// reference unwraps it) and points at the publisher. The plugin errors are
/// the protocol library's, classified by [`failure_of`].
fn install_error_text(e: &InstallError) -> Vec<String> {
    let platform = go_platform();
    let metadata_error = match e {
        InstallError::NewPluginMetadata(m) | InstallError::ExistingPluginMetadata(m) => Some(m),
        _ => None,
    };
    match (e, metadata_error.map(failure_of)) {
        (InstallError::Downgrade { .. }, _) => vec![
            format!("{e}."),
            "It is not recommended to install an older version. To force the installation, use the \"--force\" option".to_string(),
        ],
        (_, Some(MetadataFailure::Executable)) => vec![
            format!("{e}."),
            format!("Please ensure that the plugin executable file is compatible with {platform} and has appropriate permissions."),
        ],
        (_, Some(MetadataFailure::Malformed)) => vec![
            format!(
                "{}.",
                plugin_error_text(metadata_error.expect("a metadata error"))
            ),
            format!("Please ensure that the plugin executable file is intact and compatible with {platform}. Contact the plugin publisher for further assistance."),
        ],
        _ => vec![e.to_string()],
    }
}

/// `notation plugin uninstall`.
#[derive(Args, Debug)]
pub struct UninstallArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// do not prompt for confirmation
    #[arg(short = 'y', long = "yes")]
    yes: bool,
    /// the plugin's name
    #[arg(value_name = "plugin_name")]
    names: Vec<String>,
}

impl UninstallArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let name = match self.names.as_slice() {
            [] => return Err(CliError::usage("plugin name is required")),
            [one] => one.as_str(),
            _ => return Err(CliError::usage("only one plugin can be removed at a time")),
        };
        // Our addition: a name that is not a plain directory name is never
        // looked up (R1), so `../x` cannot reach outside the plugins
        // directory.
        check_plugin_name(name).map_err(CliError::usage)?;
        let plugins = plugins_dir(&libexec_dir());
        match installed_executable(&plugins, name) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(CliError::lines([
                    format!("unable to find plugin {name}."),
                    "To view a list of installed plugins, use `notation plugin list`".to_string(),
                ]));
            }
            Err(e) => {
                return Err(CliError::failed(format!(
                    "failed to check plugin existence: {}",
                    plugin_error_text(&e)
                )));
            }
        }
        if !self.yes {
            let prompt = format!(
                "Are you sure you want to uninstall plugin {}?",
                go_quote(name)
            );
            if con.confirm(&prompt, "use -y to uninstall without confirmation")? == Confirmation::No
            {
                return Ok(());
            }
        }
        plugin_package::uninstall(&plugins, name)
            .map_err(|e| CliError::failed(format!("failed to uninstall plugin {name}: {e}")))?;
        con.println(format_args!("Successfully uninstalled plugin {name}"))
    }
}

/// `notation plugin list`.
#[derive(Args, Debug)]
pub struct ListArgs {}

impl ListArgs {
    /// The reference's table: every sub-directory of the plugins directory
    /// (symbolic links and files are not plugins; our staging
    /// directories are skipped), sorted by name as the reference walks it,
    /// with the metadata of those that answer `get-plugin-metadata` (an
    /// empty request, validated) and `<nil>` as their error. A
    /// plugin that cannot be used is listed with why, and the command still
    /// succeeds.
    fn run(self, con: &mut Console) -> CliResult {
        let plugins = PluginDirectory::new(plugins_dir(&libexec_dir()));
        let entries = plugins.entries().map_err(|e| match e {
            PluginError::DirectoryWalk { .. } => CliError::lines([
                format!("{e}."),
                format!(
                    "Please ensure that the current user has permission to access the plugin directory: {}",
                    plugins.path().display()
                ),
            ]),
            e => CliError::failed(plugin_error_text(&e)),
        })?;
        let mut rows = vec![
            ["NAME", "DESCRIPTION", "VERSION", "CAPABILITIES", "ERROR"]
                .map(String::from)
                .to_vec(),
        ];
        for entry in entries {
            let metadata = match entry.problem {
                Some(problem) => Err(problem),
                None => plugins
                    .open(&entry.name)
                    .and_then(|plugin| plugin_metadata(&plugin)),
            };
            let row = match metadata {
                Ok(m) => [
                    entry.name,
                    m.description,
                    m.version,
                    go_list(m.capabilities.iter().map(|c| c.as_str())),
                    "<nil>".to_string(),
                ],
                Err(e) => {
                    con.debug(format_args!("plugin {}: {e}", entry.name))?;
                    let error = list_error_text(&entry.name, &e);
                    [entry.name, String::new(), String::new(), "[]".into(), error]
                }
            };
            // The table escapes each cell (a plugin's own text must not
            // break it or reach the terminal raw).
            rows.push(row.to_vec());
        }
        con.print(table::render(&rows))
    }
}

/// Go's `%v` of a string slice: `[a b c]`.
fn go_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(" "))
}

/// The reference's friendlier texts for a plugin whose executable is
/// missing or not a program for this platform; others as
/// [`plugin_error_text`].
fn list_error_text(name: &str, e: &PluginError) -> String {
    let file = executable_file_name(name);
    match e {
        PluginError::NotFound { .. } => format!(
            "plugin executable file `{file}` not found. Use `notation plugin install` command to install the plugin"
        ),
        PluginError::ExecFormat { .. } => format!(
            "plugin file `{file}` is not executable. Use `notation plugin install` command to install the plugin. Please ensure that the plugin executable file is compatible with {}",
            go_platform()
        ),
        e => plugin_error_text(e),
    }
}
