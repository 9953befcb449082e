//! `notation policy` (the OCI trust policy, `trustpolicy.oci.json`) and
//! `notation blob policy` (`trustpolicy.blob.json`): import, show and, for
//! blobs, init.
//!
//! Import validates the whole document before anything is written and
//! writes the file as given, atomically; show prints the file as it is,
//! even when it is invalid, and then fails with the reason.
// Requirements: J1-J7.

use std::fs;
use std::path::Path;

use clap::{Args, Subcommand};
use notation_core::config::config_dir;
use notation_core::trust::policy::{BLOB_POLICY_FILE, LEGACY_OCI_POLICY_FILE, OCI_POLICY_FILE};
use notation_core::trust::{
    BlobStatementBuilder, BlobTrustPolicyDocument, OciTrustPolicyDocument, PolicyError, PolicyFile,
    PolicyLoadError,
};

use super::require_flags;
use crate::console::{Confirmation, Console};
use crate::error::{CliError, CliResult};
use crate::fsutil::{self, MAX_JSON_FILE_SIZE, Overwrite};

const OCI_POLICY_EXAMPLE: &str = "https://github.com/notaryproject/specifications/blob/8cf800c60b7315a43f0adbcae463d848a353b412/specs/trust-store-trust-policy.md#trust-policy-for-oci-artifacts";
const BLOB_POLICY_EXAMPLE: &str = "https://github.com/notaryproject/specifications/blob/8cf800c60b7315a43f0adbcae463d848a353b412/specs/trust-store-trust-policy.md#trust-policy-for-blobs";

/// Which policy document a command manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Oci,
    Blob,
}

impl Kind {
    fn policy_kind(self) -> notation_core::trust::PolicyKind {
        match self {
            Kind::Oci => notation_core::trust::PolicyKind::Oci,
            Kind::Blob => notation_core::trust::PolicyKind::Blob,
        }
    }

    /// How the reference names it in messages.
    fn label(self) -> &'static str {
        match self {
            Kind::Oci => "OCI",
            Kind::Blob => "blob",
        }
    }

    fn file(self) -> &'static str {
        match self {
            Kind::Oci => OCI_POLICY_FILE,
            Kind::Blob => BLOB_POLICY_FILE,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Kind::Oci => "notation policy",
            Kind::Blob => "notation blob policy",
        }
    }

    /// Parses and validates a document of this kind.
    fn validate(self, data: &[u8]) -> Result<(), PolicyError> {
        match self {
            Kind::Oci => OciTrustPolicyDocument::from_json(data).map(drop),
            Kind::Blob => BlobTrustPolicyDocument::from_json(data).map(drop),
        }
    }

    fn read(self, dir: &Path) -> Result<PolicyFile, PolicyLoadError> {
        match self {
            Kind::Oci => PolicyFile::read_oci(dir),
            Kind::Blob => PolicyFile::read_blob(dir),
        }
    }

    /// Whether a valid document of this kind is configured (the reference
    /// only asks before replacing a valid one).
    fn has_valid_document(self, dir: &Path) -> bool {
        match self {
            Kind::Oci => PolicyFile::read_oci(dir)
                .and_then(|f| f.parse_oci())
                .is_ok(),
            Kind::Blob => PolicyFile::read_blob(dir)
                .and_then(|f| f.parse_blob())
                .is_ok(),
        }
    }
}

/// `notation policy`.
#[derive(Args, Debug)]
pub struct OciPolicyCommand {
    #[command(subcommand)]
    command: OciPolicySubcommand,
}

#[derive(Subcommand, Debug)]
enum OciPolicySubcommand {
    /// Import OCI trust policy configuration from a JSON file
    Import(ImportArgs),
    /// Show OCI trust policy configuration
    Show(ShowArgs),
}

impl OciPolicyCommand {
    /// Runs the subcommand.
    pub fn run(self, con: &mut Console) -> CliResult {
        match self.command {
            OciPolicySubcommand::Import(a) => import(con, Kind::Oci, a),
            OciPolicySubcommand::Show(a) => show(con, Kind::Oci, a),
        }
    }
}

/// `notation blob policy`.
#[derive(Args, Debug)]
pub struct BlobPolicyCommand {
    #[command(subcommand)]
    command: BlobPolicySubcommand,
}

#[derive(Subcommand, Debug)]
enum BlobPolicySubcommand {
    /// Import blob trust policy configuration from a JSON file
    Import(ImportArgs),
    /// Initialize blob trust policy configuration
    Init(InitArgs),
    /// Show blob trust policy configuration
    Show(ShowArgs),
}

impl BlobPolicyCommand {
    /// Runs the subcommand.
    pub fn run(self, con: &mut Console) -> CliResult {
        match self.command {
            BlobPolicySubcommand::Import(a) => import(con, Kind::Blob, a),
            BlobPolicySubcommand::Init(a) => a.run(con),
            BlobPolicySubcommand::Show(a) => show(con, Kind::Blob, a),
        }
    }
}

/// `policy import` / `blob policy import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// override the existing trust policy configuration without prompt
    #[arg(long)]
    force: bool,
    /// the JSON file to import
    #[arg(value_name = "FILE_PATH")]
    paths: Vec<String>,
}

/// `policy show` / `blob policy show`.
#[derive(Args, Debug)]
pub struct ShowArgs {}

fn import(con: &mut Console, kind: Kind, args: ImportArgs) -> CliResult {
    let [path] = args.paths.as_slice() else {
        let what = match kind {
            Kind::Oci => "trust policy file location",
            Kind::Blob => "trust policy configuration location",
        };
        return Err(CliError::lines([
            format!("requires 1 argument but received {}.", args.paths.len()),
            format!("Usage: {} import <path-to-policy.json>", kind.command()),
            format!("Please specify a {what} as the argument"),
        ]));
    };
    let path = Path::new(path);
    let label = kind.label();
    let read_action = match kind {
        Kind::Oci => "failed to read OCI trust policy configuration",
        Kind::Blob => "failed to read blob trust policy file",
    };
    let data = fsutil::read_bounded(path, MAX_JSON_FILE_SIZE)
        .map_err(|e| CliError::io(read_action, path, e))?;
    match kind.validate(&data) {
        Ok(()) => {}
        Err(PolicyError::Malformed(e)) => {
            return Err(CliError::failed(format!(
                "failed to parse {label} trust policy configuration: {}",
                e.go_text(kind.policy_kind())
            )));
        }
        Err(e) => {
            return Err(CliError::failed(format!(
                "failed to validate {label} trust policy configuration: {e}"
            )));
        }
    }

    let dir = config_dir();
    if kind.has_valid_document(&dir) {
        if args.force {
            con.warn(format_args!(
                "existing {label} trust policy configuration will be overwritten"
            ))?;
        } else {
            let answer = con.confirm(
                &format!("The {label} trust policy configuration already exists, do you want to overwrite it?"),
                "use --force to overwrite the existing trust policy configuration",
            )?;
            if answer == Confirmation::No {
                return Ok(());
            }
        }
    }
    let target = dir.join(kind.file());
    fsutil::write_atomic(&target, &data, 0o600, Overwrite::Allow).map_err(|e| {
        CliError::failed(format!(
            "failed to write {label} trust policy configuration: {}",
            fsutil::io_error_text(&e)
        ))
    })?;
    if kind == Kind::Oci {
        // The new file supersedes the legacy one (J1); remove it so that
        // the two cannot disagree.
        let legacy = dir.join(LEGACY_OCI_POLICY_FILE);
        if fs::symlink_metadata(&legacy).is_ok() {
            match fs::remove_file(&legacy) {
                Ok(()) => {
                    con.println("Deleted old trust policy configuration trustpolicy.json.")?
                }
                Err(e) => con.warn(format_args!(
                    "failed to delete old trust policy configuration trustpolicy.json: {}",
                    fsutil::io_error_text(&e)
                ))?,
            }
        }
    }
    con.println(format_args!(
        "Successfully imported {label} trust policy configuration to {}.",
        fsutil::absolute(&target).display()
    ))
}

fn show(con: &mut Console, kind: Kind, _args: ShowArgs) -> CliResult {
    let dir = config_dir();
    let file = match kind.read(&dir) {
        Ok(f) => f,
        Err(PolicyLoadError::NotPresent { .. }) => {
            return Err(CliError::lines(match kind {
                Kind::Oci => [
                    "failed to show OCI trust policy as it does not exist.",
                    "You can import one using `notation policy import <path-to-policy.json>`",
                ],
                Kind::Blob => [
                    "failed to show blob trust policy as the configuration does not exist.",
                    "You can import one using `notation blob policy import <path-to-policy.json>`",
                ],
            }));
        }
        Err(e) => {
            return Err(CliError::failed(match kind {
                Kind::Oci => format!("failed to show OCI trust policy: {e}"),
                Kind::Blob => format!("failed to show trust policy: {e}"),
            }));
        }
    };
    if file.is_legacy() {
        con.warn("old trust policy `trustpolicy.json` is deprecated; please update the trust policy configuration via `notation policy import`.")?;
    }
    match kind.validate(file.data()) {
        Ok(()) => con.write_bytes(file.data()),
        Err(e) => {
            con.eprintln(format_args!(
                "Existing {} trust policy configuration is invalid, you may update or create a new one via `{} import <path-to-policy.json>`. See {} for a{} trust policy example.",
                kind.label(),
                kind.command(),
                match kind {
                    Kind::Oci => OCI_POLICY_EXAMPLE,
                    Kind::Blob => BLOB_POLICY_EXAMPLE,
                },
                match kind {
                    Kind::Oci => "",
                    Kind::Blob => " blob",
                }
            ))?;
            con.write_bytes(file.data())?;
            Err(CliError::failed(e))
        }
    }
}

/// `notation blob policy init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// name of the blob trust policy
    #[arg(short = 'n', long, value_name = "NAME")]
    name: Option<String>,
    /// trust store in the format "<store_type>:<store_name>"
    #[arg(long = "trust-store", value_name = "TYPE:NAME")]
    trust_stores: Vec<String>,
    /// trusted identity, use the format "x509.subject:<subject_of_signing_certificate>" for x509 CA scheme and "<signing_authority_identity>" for x509 signingAuthority scheme
    #[arg(long = "trusted-identity", value_name = "IDENTITY")]
    trusted_identities: Vec<String>,
    /// override the existing blob trust policy configuration, never prompt
    #[arg(long)]
    force: bool,
    /// set the policy as the global policy
    #[arg(long)]
    global: bool,
}

impl InitArgs {
    fn run(self, con: &mut Console) -> CliResult {
        require_flags(&[
            ("name", self.name.is_some()),
            ("trust-store", !self.trust_stores.is_empty()),
            ("trusted-identity", !self.trusted_identities.is_empty()),
        ])?;
        let name = self.name.unwrap_or_default();
        let statement = BlobStatementBuilder::new(name)
            .trust_store_entries(self.trust_stores)
            .trusted_identities(self.trusted_identities)
            .global(self.global);
        let doc = BlobTrustPolicyDocument::from_statements([statement])
            .map_err(|e| CliError::failed(format!("invalid blob policy: {e}")))?;
        let dir = config_dir();
        if Kind::Blob.has_valid_document(&dir) {
            if self.force {
                con.warn("existing blob trust policy configuration will be overwritten")?;
            } else {
                let answer = con.confirm(
                    "The blob trust policy configuration already exists, do you want to overwrite it?",
                    "use --force to overwrite the existing trust policy configuration",
                )?;
                if answer == Confirmation::No {
                    return Ok(());
                }
            }
        }
        let target = dir.join(BLOB_POLICY_FILE);
        fsutil::write_atomic(&target, &doc.to_json_pretty(), 0o600, Overwrite::Allow).map_err(
            |e| {
                CliError::failed(format!(
                    "failed to write blob trust policy configuration: {}",
                    fsutil::io_error_text(&e)
                ))
            },
        )?;
        con.println(format_args!(
            "Successfully initialized blob trust policy file to {}.",
            fsutil::absolute(&target).display()
        ))
    }
}
