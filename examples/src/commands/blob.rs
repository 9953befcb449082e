//! `notation blob`: sign, verify and inspect detached signatures of files,
//! and the blob trust policy (`blob policy`).
// Requirements: S1-S3.

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use notation_core::blob::{
    BlobSignError, BlobSignOptions, SignatureFileNameError, format_from_signature_path, sign_blob,
    signature_file_name,
};
use notation_core::config::{Config, config_dir};
use notation_core::crypto::default_provider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::DEFAULT_BLOB_MEDIA_TYPE;
use notation_core::plugin::PluginDirectory;
use notation_core::trust::{DirTrustStore, PolicyFile, TrustStoreError};
use notation_core::verifier::{
    BlobVerifyOptions, CheckFailure, VerificationError, VerificationOutcome, Verifier,
};

use super::{LoggingArgs, parse_flag_map, path_arg};
use crate::console::{Confirmation, Console};
use crate::display::{gojson, signature::SignatureView, table};
use crate::duration::parse_go_duration;
use crate::error::{CliError, CliResult, go_quote};
use crate::fsutil::{self, MAX_SIGNATURE_FILE_SIZE, Overwrite};

/// `notation blob`.
#[derive(Args, Debug)]
pub struct BlobCommand {
    #[command(subcommand)]
    command: BlobSubcommand,
}

#[derive(Subcommand, Debug)]
enum BlobSubcommand {
    /// Produce a detached signature for a given blob
    Sign(SignArgs),
    /// Verify a signature associated with a blob
    Verify(VerifyArgs),
    /// Inspect a signature associated with a blob
    Inspect(InspectArgs),
    /// Manage blob trust policy configuration for arbitrary blob signature verification
    Policy(super::policy::BlobPolicyCommand),
}

impl BlobCommand {
    /// Runs the subcommand.
    pub fn run(self, con: &mut Console) -> CliResult {
        match self.command {
            BlobSubcommand::Sign(a) => a.run(con),
            BlobSubcommand::Verify(a) => a.run(con),
            BlobSubcommand::Inspect(a) => a.run(con),
            BlobSubcommand::Policy(a) => a.run(con),
        }
    }
}

/// The envelope format named by a flag or `config.json`, with the
/// reference's message.
pub fn parse_signature_format(name: &str) -> CliResult<EnvelopeFormat> {
    EnvelopeFormat::from_name(name).ok_or_else(|| unsupported_format(name))
}

fn unsupported_format(name: &str) -> CliError {
    CliError::lines([
        format!("signature format {} not supported", go_quote(name)),
        "Supported signature envelope formats are \"jws\" and \"cose\"".to_string(),
    ])
}

/// Checks an `--expiry` value: whole seconds, not negative; zero
/// means no expiry.
pub fn check_expiry(expiry: Option<time::Duration>) -> CliResult<Option<time::Duration>> {
    match expiry {
        Some(d) if d.is_negative() => Err(CliError::usage(
            "expiry duration cannot be a negative value",
        )),
        Some(d) if d.subsec_nanoseconds() != 0 => Err(CliError::usage(
            "expiry duration supports minimum granularity of seconds",
        )),
        Some(d) if d.is_zero() => Ok(None),
        other => Ok(other),
    }
}

/// The envelope format of a detached signature from its file name.
pub fn signature_format_of(path: &Path) -> CliResult<EnvelopeFormat> {
    format_from_signature_path(path).map_err(|e| match e {
        SignatureFileNameError::UnknownFormat(f) => unsupported_format(&f),
        e => CliError::usage(e),
    })
}

/// Reads a signature file (at most the envelope size limit).
fn read_signature(path: &Path) -> Result<Vec<u8>, String> {
    fsutil::read_bounded(path, MAX_SIGNATURE_FILE_SIZE).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => format!("{}: {e}", path.display()),
        _ => fsutil::go_read_error(path, &e),
    })
}

/// Opens a blob for streaming; it must be a regular file.
fn open_blob(path: &Path) -> CliResult<fs::File> {
    let file =
        fs::File::open(path).map_err(|e| CliError::failed(fsutil::go_read_error(path, &e)))?;
    let meta = file
        .metadata()
        .map_err(|e| CliError::io("failed to open blob", path, e))?;
    if !meta.is_file() {
        return Err(CliError::failed(format!(
            "blob {} is not a regular file",
            path.display()
        )));
    }
    Ok(file)
}

// ---------------------------------------------------------------------------
// blob sign
// ---------------------------------------------------------------------------

/// `notation blob sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// signature envelope format, options: "jws", "cose" (default: "signatureFormat" of config.json, else "jws")
    #[arg(long = "signature-format", value_name = "FORMAT")]
    signature_format: Option<String>,
    #[command(flatten)]
    signer: super::SignerArgs,
    /// media type of the blob
    #[arg(long = "media-type", value_name = "TYPE", default_value = DEFAULT_BLOB_MEDIA_TYPE)]
    media_type: String,
    /// {key}={value} pairs that are added to the signature payload
    #[arg(short = 'm', long = "user-metadata", value_name = "KEY=VALUE")]
    user_metadata: Vec<String>,
    /// optional expiry that provides a "best by use" time for the artifact: a duration such as 24h, 30m, 3h20m or 90s (units h, m, s, ms, us, ns; fractions such as 1.5h allowed; the total must be whole seconds; 0 means no expiry)
    #[arg(short = 'e', long, value_name = "DURATION", value_parser = parse_go_duration)]
    expiry: Option<time::Duration>,
    /// directory where the signature file is placed (default same directory as the blob)
    #[arg(long = "signature-directory", value_name = "DIR", value_parser = path_arg())]
    signature_directory: Option<PathBuf>,
    /// override the existing signature file, never prompt
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    timestamp: super::TimestampArgs,
    /// the file to sign
    #[arg(value_name = "BLOB_PATH", value_parser = path_arg(), required = true)]
    blob_path: PathBuf,
}

impl SignArgs {
    /// Signs with a local key or a plugin key (a RAW plugin, whose
    /// `describe-key` chooses the digest, or an `ENVELOPE_FOR_BLOB` plugin;
    /// a plain envelope plugin cannot sign blobs).
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let blob_path = self.blob_path;
        if blob_path.as_os_str().is_empty() {
            return Err(CliError::usage("blob path cannot be empty"));
        }
        let mut flags = self.signer.flags_set().to_vec();
        flags.extend([
            ("timestamp-url", self.timestamp.url.is_some()),
            ("timestamp-root-cert", self.timestamp.root_cert.is_some()),
        ]);
        let mut together = super::SignerArgs::TOGETHER.to_vec();
        together.push("timestamp-url timestamp-root-cert");
        super::check_flag_groups(&flags, &together, &super::SignerArgs::EXCLUSIVE)?;
        let signature_directory = match self.signature_directory {
            Some(d) if d.as_os_str().is_empty() => {
                return Err(CliError::usage("signature directory cannot be empty"));
            }
            Some(d) => d,
            None => match blob_path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            },
        };
        let dir = config_dir();
        con.debug(format_args!("configuration directory: {}", dir.display()))?;

        let format_name = match self.signature_format {
            Some(f) => f,
            None => configured_signature_format(&dir)?,
        };
        let format = parse_signature_format(&format_name)?;
        let expiry = check_expiry(self.expiry)?;
        let user_metadata = parse_flag_map(&self.user_metadata, "user-metadata")?;

        let signer = super::load_signer(con, &dir, &self.signer)?;
        let timestamper = super::timestamper(&self.timestamp)?;

        let options = BlobSignOptions::new(format)
            .media_type(self.media_type)
            .user_metadata(user_metadata)
            .expiry(expiry)
            .timestamper(
                timestamper
                    .as_ref()
                    .map(|t| t as &dyn notation_core::timestamp::Timestamper),
            );
        let blob = open_blob(&blob_path)?;
        let crypto = default_provider();
        let mut blob = BufReader::new(blob);
        let signature = match &signer {
            super::CliSigner::Local(local) => {
                sign_blob(local.as_ref(), &mut blob, &options, crypto.as_ref())
            }
            super::CliSigner::Pkcs11(token) => {
                sign_blob(token.as_ref(), &mut blob, &options, crypto.as_ref())
            }
            super::CliSigner::Plugin(plugin) => {
                plugin.sign_blob(&mut blob, &options, crypto.as_ref())
            }
        }
        .map_err(|e| match e {
            BlobSignError::Plugin(e) => CliError::failed(super::plugin_sign_error_text(&e)),
            BlobSignError::Sign(e) => CliError::failed(super::sign_error_text(&e)),
            e => CliError::failed(e),
        })?;

        let blob_name = blob_path
            .file_name()
            .ok_or_else(|| {
                CliError::usage(format!(
                    "blob path {} has no file name",
                    blob_path.display()
                ))
            })?
            .to_string_lossy()
            .into_owned();
        let signature_path = signature_directory.join(signature_file_name(&blob_name, format));
        con.debug(format_args!(
            "writing signature to file {}",
            signature_path.display()
        ))?;
        let existing = fs::symlink_metadata(&signature_path).ok();
        // Never written through a link: one planted where the signature
        // goes (a shared directory) would make `--force` overwrite the file
        // it points to, or a dangling one create it. The reference follows
        // the link.
        if existing
            .as_ref()
            .is_some_and(|m| m.file_type().is_symlink())
        {
            return Err(CliError::failed(format!(
                "the signature file {} is a symbolic link: remove it or choose another --signature-directory",
                signature_path.display()
            )));
        }
        // With `--force` the reference warns whether or not a file is there.
        if self.force {
            con.warn("existing signature file will be overwritten")?;
        }
        let overwrite = if existing.is_some() {
            if !self.force {
                let answer = con.confirm(
                    "The signature file already exists, do you want to overwrite it?",
                    "use --force to overwrite the existing signature file",
                )?;
                if answer == Confirmation::No {
                    return Ok(());
                }
            }
            // A link that appeared while the prompt waited is replaced, not
            // written through.
            Overwrite::ReplaceEntry
        } else {
            Overwrite::Deny
        };
        fsutil::write_atomic(&signature_path, &signature, 0o600, overwrite)
            .map_err(|e| CliError::io("failed to write signature to file", &signature_path, e))?;
        con.println(format_args!("Successfully signed {}", blob_path.display()))?;
        con.println(format_args!(
            "Signature file written to {}",
            fsutil::absolute(&signature_path).display()
        ))
    }
}

// ---------------------------------------------------------------------------
// blob verify
// ---------------------------------------------------------------------------

/// `notation blob verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// filepath of the signature to be verified
    #[arg(short = 's', long, value_name = "SIGNATURE_PATH", value_parser = path_arg())]
    signature: Option<PathBuf>,
    /// media type of the blob to verify
    #[arg(long = "media-type", value_name = "TYPE")]
    media_type: Option<String>,
    /// {key}={value} pairs that are passed as it is to a plugin, if the verification is associated with a verification plugin, refer plugin documentation to set appropriate values
    #[arg(long = "plugin-config", value_name = "KEY=VALUE")]
    plugin_config: Vec<String>,
    /// policy name to verify against. If not provided, the global policy is used if exists
    #[arg(long = "policy-name", value_name = "NAME")]
    policy_name: Option<String>,
    /// user defined {key}={value} pairs that must be present in the signature for successful verification if provided
    #[arg(short = 'm', long = "user-metadata", value_name = "KEY=VALUE")]
    user_metadata: Vec<String>,
    #[command(flatten)]
    revocation: super::RevocationArgs,
    /// the file whose signature is verified
    #[arg(value_name = "BLOB_PATH", value_parser = path_arg(), required = true)]
    blob_path: PathBuf,
}

impl VerifyArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let blob_path = self.blob_path;
        let signature_path = self
            .signature
            .filter(|s| !s.as_os_str().is_empty())
            .ok_or_else(|| CliError::usage("filepath of the signature cannot be empty"))?;
        if self.media_type.as_deref() == Some("") {
            return Err(CliError::usage("--media-type is set but with empty value"));
        }
        let plugin_config = parse_flag_map(&self.plugin_config, "plugin-config")?;
        let user_metadata = parse_flag_map(&self.user_metadata, "user-metadata")?;
        // In the reference's order: the blob, the signature file, the
        // policy, then the signature's format from its name.
        let blob = open_blob(&blob_path)?;
        let envelope = read_signature(&signature_path).map_err(CliError::failed)?;

        let dir = config_dir();
        con.debug(format_args!("configuration directory: {}", dir.display()))?;
        let policy = PolicyFile::read_blob(&dir)
            .and_then(|f| f.parse_blob())
            .map_err(CliError::failed)?;
        let format = signature_format_of(&signature_path)?;
        if envelope.is_empty() {
            return Err(CliError::failed(
                "signature verification failed: signature cannot be nil or empty",
            ));
        }
        let (checker, cache) = super::revocation_checker(&self.revocation)?;
        let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&dir)))
            .blob_policy(policy)
            .revocation_checker(checker)
            .plugin_locator(Arc::new(PluginDirectory::from_environment()))
            .build()
            .map_err(CliError::failed)?;

        // R8: a signature that names a verification plugin is verified with
        // the installed plugin, which gets `--plugin-config`.
        let mut options = BlobVerifyOptions::new()
            .user_metadata(user_metadata)
            .plugin_config(plugin_config);
        // As the reference, an empty name selects the global policy (K4).
        if let Some(name) = self.policy_name.filter(|n| !n.is_empty()) {
            options = options.policy_name(name);
        }
        if let Some(media_type) = self.media_type {
            options = options.media_type(media_type);
        }
        let result = verifier.verify_blob(&envelope, format, &mut BufReader::new(blob), &options);
        super::warn_cache_errors(con, &cache)?;
        match result {
            Ok(outcome) => {
                report_checks(con, &outcome)?;
                print_success(con, &outcome, &blob_path.display().to_string())
            }
            Err(e) => {
                if let Some(outcome) = e.outcome() {
                    report_checks(con, outcome)?;
                    // Checks that failed under "log" before the one that
                    // stopped verification are still worth knowing.
                    print_warnings(con, outcome)?;
                }
                Err(CliError::failed(describe_failure(&e)))
            }
        }
    }
}

/// Debug output: the statement applied and every check with its action.
pub(crate) fn report_checks(con: &mut Console, outcome: &VerificationOutcome) -> CliResult {
    con.debug(format_args!(
        "trust policy statement {} (level {})",
        go_quote(outcome.policy_name()),
        outcome.verification().level().as_str()
    ))?;
    for result in outcome.results() {
        con.debug(format_args!(
            "{} ({}): {}",
            result.check().as_str(),
            result.action().as_str(),
            match result.failure() {
                None => "passed".to_string(),
                Some(f) => format!("failed: {f}"),
            }
        ))?;
    }
    Ok(())
}

/// `Warning: <check> was set to "log" and failed with error: <why>`, one
/// per check that failed under `log`; returns whether any was printed.
fn print_warnings(con: &mut Console, outcome: &VerificationOutcome) -> CliResult<bool> {
    let mut any = false;
    for w in outcome.warnings() {
        if let Some(failure) = w.failure() {
            con.warn(format_args!(
                "{} was set to {} and failed with error: {failure}",
                w.check().as_str(),
                go_quote(w.action().as_str())
            ))?;
            any = true;
        }
    }
    Ok(any)
}

/// The success output of `blob verify` (and, later, `verify`): warnings,
/// the verdict, and the signed user metadata.
pub fn print_success(
    con: &mut Console,
    outcome: &VerificationOutcome,
    artifact: &str,
) -> CliResult {
    if print_warnings(con, outcome)? {
        con.println("")?;
    }
    if outcome.is_skipped() {
        return con.println(format_args!(
            "Trust policy is configured to skip signature verification for {artifact}"
        ));
    }
    con.println(format_args!(
        "Successfully verified signature for {artifact}"
    ))?;
    let metadata = outcome
        .payload()
        .map(|p| p.target_artifact.user_metadata())
        .unwrap_or_default();
    if !metadata.is_empty() {
        con.println("")?;
        con.println("The artifact was signed with the following user metadata.")?;
        let mut rows = vec![vec!["KEY".to_string(), "VALUE".to_string()]];
        rows.extend(metadata.into_iter().map(|(k, v)| vec![k, v]));
        con.print(format_args!("\n{}", table::render(&rows)))?;
    }
    Ok(())
}

/// The signature format `config.json` sets (`signatureFormat`, in any case:
/// the reference lowercases it; the flag's value it takes as given), else
/// JWS.
pub fn configured_signature_format(dir: &Path) -> CliResult<String> {
    Ok(Config::load(dir)?
        .signature_format
        .map(|f| f.to_lowercase())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "jws".into()))
}

/// The error text of a failed verification, as the reference words it:
/// `signature verification failed: <why the enforced check failed>`, and a
/// trust store that cannot be read with no prefix (a missing one with the
/// hint to add certificates).
pub fn describe_failure(e: &VerificationError) -> String {
    match e {
        VerificationError::Check(outcome) => {
            match outcome.enforced_failure().and_then(|r| r.failure()) {
                Some(CheckFailure::TrustStore(e @ TrustStoreError::NotFound { .. })) => format!(
                    "{e}. Use command 'notation cert add' to create and add trusted certificates to the trust store"
                ),
                Some(CheckFailure::TrustStore(e)) => e.to_string(),
                Some(failure) => format!("signature verification failed: {failure}"),
                None => format!("signature verification failed: {e}"),
            }
        }
        VerificationError::NoPolicy
        | VerificationError::NoOciPolicy
        | VerificationError::NoBlobPolicy => e.to_string(),
        _ => format!("signature verification failed: {e}"),
    }
}

// ---------------------------------------------------------------------------
// blob inspect
// ---------------------------------------------------------------------------

/// `notation blob inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// output format, options: 'json', 'tree'
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "tree")]
    output: String,
    /// the signature file
    #[arg(value_name = "SIGNATURE_PATH", value_parser = path_arg(), required = true)]
    signature_path: PathBuf,
}

impl InspectArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let path = self.signature_path;
        let json = match self.output.as_str() {
            "tree" => false,
            "json" => true,
            other => {
                return Err(CliError::usage(format!(
                    "unrecognized output format {other}"
                )));
            }
        };
        let format = signature_format_of(&path)?;
        let envelope = read_signature(&path)
            .map_err(|e| CliError::failed(format!("failed to read signature file: {e}")))?;
        let view = SignatureView::parse(format, &envelope).map_err(CliError::failed)?;
        if json {
            let text = gojson::to_string_pretty(&view.json(None)).map_err(CliError::failed)?;
            con.print(text)
        } else {
            // The root is the path exactly as given (X3).
            con.print(view.tree(&path.to_string_lossy()).render())
        }
    }
}
