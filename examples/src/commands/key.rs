//! `notation key`: the signing key list, `{NOTATION_CONFIG}/signingkeys.json`.
//!
//! The reference's `key add` only records plugin keys. Here a local key
//! pair can be added too: `notation key add <name> --key-file <key.pem>
//! --cert-file <chain.pem>`, checked by loading it as a signer (the key must
//! match the leaf certificate and be one of the six key specs). Plugin
//! keys (`--plugin <name> --id <key id> [--plugin-config k=v]...`) are
//! recorded as the reference records them; `sign` and `blob sign` sign with
//! them through the plugin. A key in a PKCS#11 token
//! (`--pkcs11-uri <uri> [--cert-file <chain>]`) is recorded as a key of the
//! `notation-pkcs11` plugin and signed with in process ([`super::secrets`]);
//! an encrypted key file is checked with its password, which is never
//! stored.
// Requirements: W16, G2, R5-R7, R9.

use std::path::PathBuf;

use super::{LoggingArgs, parse_flag_map, secrets};
use crate::console::Console;
use crate::display::table;
use crate::error::{CliError, CliResult, go_quote};
use crate::fsutil;
use clap::{Args, Subcommand};
use notation_core::config::{KeySuite, SigningKeys, config_dir, libexec_dir};
use notation_core::plugin::PluginError;

/// `notation key`.
#[derive(Args, Debug)]
pub struct KeyCommand {
    #[command(subcommand)]
    command: KeySubcommand,
}

#[derive(Subcommand, Debug)]
enum KeySubcommand {
    /// Add key to Notation signing key list
    Add(AddArgs),
    /// Update key in Notation signing key list
    #[command(visible_alias = "set")]
    Update(UpdateArgs),
    /// List keys used for signing
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Remove key from Notation signing key list
    Delete(DeleteArgs),
}

impl KeyCommand {
    /// Runs the subcommand.
    pub fn run(self, con: &mut Console) -> CliResult {
        match self.command {
            KeySubcommand::Add(a) => a.run(con),
            KeySubcommand::Update(a) => a.run(con),
            KeySubcommand::List(a) => a.run(con),
            KeySubcommand::Delete(a) => a.run(con),
        }
    }
}

/// `notation key add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// private key file of a local key (PEM or DER: PKCS #8, SEC 1 or PKCS #1)
    #[arg(long = "key-file", value_name = "PATH", conflicts_with_all = ["plugin", "id", "plugin_config"])]
    key_file: Option<PathBuf>,
    /// certificate chain file of a local key, leaf first (PEM or DER)
    #[arg(long = "cert-file", value_name = "PATH", conflicts_with_all = ["plugin", "id", "plugin_config"])]
    cert_file: Option<PathBuf>,
    /// signing plugin name (plugin keys)
    #[arg(long, value_name = "NAME")]
    plugin: Option<String>,
    /// key id (required if --plugin is set)
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// {key}={value} pairs that are passed as it is to a plugin, refer plugin's documentation to set appropriate values
    #[arg(long = "plugin-config", value_name = "KEY=VALUE")]
    plugin_config: Vec<String>,
    /// a key in a PKCS #11 token (HSM, smart card), named by an RFC 7512 URI; recorded as a key of the notation-pkcs11 plugin, so that the reference notation signs with it through that plugin too
    #[arg(long = "pkcs11-uri", value_name = "URI", conflicts_with_all = ["key_file", "plugin", "id", "plugin_config"])]
    pkcs11_uri: Option<String>,
    #[command(flatten)]
    secrets: super::secrets::SecretArgs,
    /// mark as default
    #[arg(long)]
    default: bool,
    /// the key's name
    #[arg(value_name = "KEY_NAME")]
    names: Vec<String>,
}

impl AddArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let [name] = self.names.as_slice() else {
            return Err(CliError::usage(
                "either missing key name or unnecessary parameters passed",
            ));
        };
        if name.is_empty() {
            return Err(CliError::usage("key name cannot be empty"));
        }
        let dir = config_dir();
        let mut keys = SigningKeys::load(&dir)?;
        if keys.keys.iter().any(|k| &k.name == name) {
            return Err(CliError::failed(format!(
                "signing key with name {} already exists",
                go_quote(name)
            )));
        }
        let suite = match (&self.key_file, &self.cert_file, &self.plugin) {
            (None, chain, None) if self.pkcs11_uri.is_some() => {
                let text = self.pkcs11_uri.as_deref().unwrap_or_default();
                let uri = secrets::parse_uri_argument(text)?;
                // The key must open, log in and match its chain, as a key
                // file must load.
                secrets::open_pkcs11(uri, chain.as_deref(), &self.secrets).map_err(|e| {
                    CliError::failed(format!("failed to open the PKCS #11 key: {e}"))
                })?;
                secrets::pkcs11_key_suite(name, text, chain.as_deref())
            }
            (Some(key), Some(cert), None) => {
                // As the reference's tls.LoadX509KeyPair check: the pair
                // must load, and here also be usable for Notation signing.
                // An encrypted key file is checked with its password; the
                // password is not stored.
                secrets::load_local(key, cert, &self.secrets)
                    .map_err(|e| CliError::failed(format!("failed to load the key pair: {e}")))?;
                KeySuite::local(
                    name.as_str(),
                    fsutil::absolute(key).to_string_lossy(),
                    fsutil::absolute(cert).to_string_lossy(),
                )
            }
            (None, None, Some(plugin)) => {
                // The reference's order: the configuration is parsed, then
                // the id, the name and the installed plugin are checked.
                let config = parse_flag_map(&self.plugin_config, "plugin-config")?;
                let id = self.id.as_deref().unwrap_or_default();
                if id.is_empty() {
                    return Err(CliError::usage("missing key id"));
                }
                if plugin.is_empty() {
                    return Err(CliError::usage("plugin name cannot be empty"));
                }
                secrets::check_id_argument(plugin, id)?;
                // The plugin must be installed (R1), as the reference's
                // `AddPlugin` checks; it is not run here.
                let plugins = crate::plugin_package::plugins_dir(&libexec_dir());
                match notation_core::plugin::PluginDirectory::new(plugins).open(plugin) {
                    // Installed; whether it runs is for signing to find out.
                    Ok(_) | Err(PluginError::NotExecutable { .. }) => {}
                    Err(e) => {
                        return Err(CliError::failed(crate::plugin_package::plugin_error_text(
                            &e,
                        )));
                    }
                }
                KeySuite {
                    name: name.clone(),
                    key_path: None,
                    cert_path: None,
                    id: Some(id.to_string()),
                    plugin_name: Some(plugin.clone()),
                    plugin_config: (!config.is_empty()).then_some(config),
                }
            }
            (Some(_), None, None) | (None, Some(_), None) => {
                return Err(CliError::usage(
                    "--key-file and --cert-file must be set together",
                ));
            }
            _ => {
                return Err(CliError::usage(
                    "either --key-file and --cert-file (a local key) or --plugin and --id (a plugin key) must be set",
                ));
            }
        };
        keys.add(suite, self.default)?;
        keys.save(&dir)?;
        if self.default {
            con.println(format_args!("{name}: marked as default"))
        } else {
            con.println(name)
        }
    }
}

/// `notation key update`.
#[derive(Args, Debug)]
pub struct UpdateArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// mark as default
    #[arg(long)]
    default: bool,
    /// the key's name
    #[arg(value_name = "KEY_NAME")]
    name: Option<String>,
}

impl UpdateArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let name = self
            .name
            .ok_or_else(|| CliError::usage("missing key name"))?;
        if !self.default {
            // The reference's `logger.Warn`: shown with `-v` or `-d` only.
            return con.log_warning("--default flag is not set, command did not take effect");
        }
        let dir = config_dir();
        let mut keys = SigningKeys::load(&dir)?;
        keys.set_default(&name)?;
        keys.save(&dir)?;
        con.println(format_args!("{name}: marked as default"))
    }
}

/// `notation key list`.
#[derive(Args, Debug)]
pub struct ListArgs {}

impl ListArgs {
    fn run(self, con: &mut Console) -> CliResult {
        let keys = SigningKeys::load(&config_dir())?;
        let mut rows = vec![vec![
            "NAME".into(),
            "KEY PATH".into(),
            "CERTIFICATE PATH".into(),
            "ID".into(),
            "PLUGIN NAME".into(),
        ]];
        for k in &keys.keys {
            let name = if keys.default.as_deref() == Some(k.name.as_str()) {
                format!("* {}", k.name)
            } else {
                k.name.clone()
            };
            rows.push(vec![
                name,
                k.key_path.clone().unwrap_or_default(),
                k.cert_path.clone().unwrap_or_default(),
                secrets::display_key_id(k),
                k.plugin_name.clone().unwrap_or_default(),
            ]);
        }
        con.print(table::render(&rows))
    }
}

/// `notation key delete`.
#[derive(Args, Debug)]
pub struct DeleteArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// the names of the keys to remove
    #[arg(value_name = "KEY_NAME")]
    names: Vec<String>,
}

impl DeleteArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        if self.names.is_empty() {
            return Err(CliError::usage("missing key names"));
        }
        let dir = config_dir();
        let mut keys = SigningKeys::load(&dir)?;
        let previous_default = keys.default.clone();
        // All or nothing: the file is saved only if every name was found.
        let mut deleted = Vec::new();
        for name in &self.names {
            keys.remove(name)?;
            deleted.push(name.clone());
        }
        keys.save(&dir)?;
        if let [name] = deleted.as_slice() {
            if previous_default.as_deref() == Some(name.as_str()) {
                con.println(format_args!(
                    "Removed default key {name} from Notation signing key list. The source key still exists."
                ))?;
            } else {
                con.println(format_args!(
                    "Removed {name} from Notation signing key list. The source key still exists."
                ))?;
            }
        } else {
            con.println("Removed the following keys from Notation signing key list. The source keys still exist.")?;
            for name in deleted {
                if previous_default.as_deref() == Some(name.as_str()) {
                    con.println(format_args!("{name} (default)"))?;
                } else {
                    con.println(name)?;
                }
            }
        }
        Ok(())
    }
}
