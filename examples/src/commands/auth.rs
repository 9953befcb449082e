//! `notation login` and `notation logout`:
//! credentials are verified against the registry, then kept in the
//! credential store the reference would choose (notation's config.json
//! `credsStore`/`credHelpers`, else Docker's, else the platform helper);
//! plaintext storage in a config file is refused, as the reference does.
// Requirements: X2, W16.

use clap::Args;
use notation_oci::registry::Credential;
use notation_oci::registry::client::{LoginError, LoginOutcome};
use notation_oci::registry::credentials::{
    CredentialError, logout, notation_config_path, select_default_credential_store,
};

use super::LoggingArgs;
use super::oci::RegistryArgs;
use crate::console::Console;
use crate::error::{CliError, CliResult};

/// The reference's guide on credential stores.
const DOC_AUTHENTICATE: &str = "https://notaryproject.dev/docs/how-to/registry-authentication/";

/// `notation login`.
#[derive(Args, Debug)]
pub struct LoginArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// take the password from stdin
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    /// the registry server (the reference takes the first argument and
    /// ignores any other)
    #[arg(value_name = "SERVER")]
    server: Vec<String>,
}

impl LoginArgs {
    /// Runs `notation login`.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let server = first_server(self.server)?;
        let (username, password) = self.registry.username_password();
        let mut password = Some(password);
        if self.password_stdin {
            password = Some(con.read_secret_input("password")?);
        }
        // Without a password, the reference prompts: for a username when
        // none is given (none typed: the password is a token), then for
        // the password or token.
        let mut username = username;
        let password = match password.filter(|p| !p.is_empty()) {
            Some(p) => p,
            None => {
                if username.is_empty() {
                    username = con
                        .prompt_line("Username: ", "username")?
                        .trim()
                        .to_string();
                }
                let (prompt, what) = if username.is_empty() {
                    ("Token: ", "token")
                } else {
                    ("Password: ", "password")
                };
                let typed = con.prompt_secret(prompt, what)?;
                if typed.is_empty() {
                    return Err(CliError::failed(format!("{what} required")));
                }
                typed
            }
        };
        let credential = Credential::from_username_password(&username, &password)
            .ok_or_else(|| CliError::usage("password required"))?;
        // oras-go's check of the registry name, before any request.
        if !is_registry_name(&server) {
            return Err(CliError::failed(format!(
                "failed to get registry client: invalid reference: invalid registry {}",
                crate::error::go_quote(&server)
            )));
        }
        let store = select_default_credential_store(&notation_config_path())
            .map_err(|e| CliError::failed(format!("failed to get credentials store: {e}")))?;
        let client = self.registry.client(&server, con)?;
        match client.login(&server, &credential, store.as_ref()) {
            Ok(LoginOutcome::AlreadyStored) => {
                con.eprintln(format_args!(
                    "Warning: The credentials store is not set up. It is recommended to configure the credentials store to securely store your credentials. See {DOC_AUTHENTICATE}."
                ))?;
                con.println("Authenticated with existing credentials")?;
                con.println("Login Succeeded")
            }
            Ok(_) => con.println("Login Succeeded"),
            Err(LoginError::Verification(e)) => Err(CliError::failed(format!(
                "failed to log in to {server}: failed to validate the credentials for {server}: {e}"
            ))),
            Err(LoginError::Storage(CredentialError::PlaintextStorageRefused { .. })) => {
                Err(CliError::failed(format!(
                    "failed to log in to {server}: the credential could not be saved because a credentials store is required to securely store the password. See {DOC_AUTHENTICATE}"
                )))
            }
            Err(LoginError::Storage(e)) => Err(CliError::failed(format!(
                "failed to log in to {server}: {e}"
            ))),
            Err(e) => Err(CliError::failed(format!(
                "failed to log in to {server}: {e}"
            ))),
        }
    }
}

/// `notation logout`.
#[derive(Args, Debug)]
pub struct LogoutArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// the registry server (the reference takes the first argument and
    /// ignores any other)
    #[arg(value_name = "SERVER")]
    server: Vec<String>,
}

impl LogoutArgs {
    /// Runs `notation logout`.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let server = first_server(self.server)?;
        let store = select_default_credential_store(&notation_config_path())
            .map_err(|e| CliError::failed(format!("failed to get credentials store: {e}")))?;
        logout(&server, store.as_ref())
            .map_err(|e| CliError::failed(format!("failed to log out of {server}: {e}")))?;
        con.println("Logout Succeeded")
    }
}

/// The server argument of `login` and `logout`: the first, as the
/// reference takes it, which ignores the others.
fn first_server(servers: Vec<String>) -> Result<String, CliError> {
    servers
        .into_iter()
        .next()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CliError::usage("no hostname specified"))
}

/// oras-go's check of a registry name (`Reference.ValidateRegistry`): Go's
/// `url.ParseRequestURI("dummy://" + name)` must succeed with `name` as
/// its host. So no user info, path, query, fragment or escape; a port, if
/// any, of digits (possibly none); and, as Go's host parser allows, ASCII
/// letters, digits and `-._~!$&'()*+,;=:[]<>"` (bytes past ASCII pass).
/// Looser than a reference's registry (`my_registry:5000` passes).
fn is_registry_name(name: &str) -> bool {
    let valid_optional_port = |p: &str| {
        p.is_empty()
            || p.strip_prefix(':')
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    let port_ok = if name.starts_with('[') {
        name.rfind(']')
            .is_some_and(|i| valid_optional_port(&name[i + 1..]))
    } else {
        name.rfind(':')
            .is_none_or(|i| valid_optional_port(&name[i..]))
    };
    let host_byte =
        |b: u8| b >= 0x80 || b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]<>\"".contains(&b);
    !name.is_empty() && port_ok && name.bytes().all(host_byte)
}

#[cfg(test)]
mod tests {
    use super::is_registry_name;

    #[test]
    fn registry_names_as_oras_go_checks_them() {
        for good in [
            "localhost:5000",
            "my_registry:5000",
            "registry.example.com",
            "[::1]:5000",
            "[::1]",
            "host:",
            "a..b",
        ] {
            assert!(is_registry_name(good), "{good}");
        }
        for bad in [
            "",
            "http://host",
            "host/repo",
            "user@host",
            "host?x",
            "host#x",
            "host%41",
            "host:abc",
            "[::1",
            "[::1]x",
            "ho st",
            "host\u{7f}",
        ] {
            assert!(!is_registry_name(bad), "{bad}");
        }
    }
}
