//! `notation copy <source> <destination>`: an artifact with its signatures,
//! from a registry or an OCI layout to a registry or an OCI layout
//! (`--from-oci-layout`, `--to-oci-layout`), byte for byte. The reference
//! CLI has no such command (users reach for oras or regctl); its flags
//! follow oras's (`--from-username`, `--to-insecure-registry`, ...).
//!
//! Each side has its own registry client: its credentials (from its own
//! flags and the credential store, for its own registry host only) and its
//! plain-HTTP setting are never applied to the other side.
//! `NOTATION_USERNAME`/`NOTATION_PASSWORD` are not used: they cannot say
//! which registry they are for.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use notation_core::config::config_dir;
use notation_core::plugin::PluginDirectory;
use notation_core::trust::{DirTrustStore, PolicyFile};
use notation_core::verifier::Verifier;
use notation_oci::copy::{self, CopyOptions, CopyReport};
use notation_oci::layout::{OciLayout, parse_layout_destination, parse_layout_reference};
use notation_oci::oci::Descriptor;
use notation_oci::store::ContentStore;
use notation_oci::workflow::VerifyOptions;
use notation_oci::{Reference, RemoteRepository};

use super::copy_progress::ProgressDisplay;
use super::{RegistryArgs, Target};
use crate::commands::{LoggingArgs, RevocationArgs, check_flag_groups};
use crate::console::{Console, LogLevel};
use crate::error::{CliError, CliResult, go_quote};

/// `notation copy`.
#[derive(Args, Debug)]
pub struct CopyArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    /// the source is an artifact stored as OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "from-oci-layout")]
    from_oci_layout: bool,
    /// the destination is an OCI image layout (<path>, <path>:<tag> or <path>@<digest>), created when missing
    #[arg(long = "to-oci-layout")]
    to_oci_layout: bool,
    /// also copy every other referrer of the artifact (SBOMs, attestations, ...), recursively, with their signatures
    #[arg(long = "all-referrers")]
    all_referrers: bool,
    /// verify the copy at the destination under the trust policy before reporting success
    #[arg(long)]
    verify: bool,
    /// trust policy scope for --verify of a copy into an OCI layout
    #[arg(long)]
    scope: Option<String>,
    /// username for the source registry
    #[arg(long = "from-username")]
    from_username: Option<String>,
    /// password for the source registry
    #[arg(long = "from-password")]
    from_password: Option<String>,
    /// use HTTP protocol while connecting to the source registry. Should be used only for testing
    #[arg(long = "from-insecure-registry")]
    from_insecure_registry: bool,
    /// username for the destination registry
    #[arg(long = "to-username")]
    to_username: Option<String>,
    /// password for the destination registry
    #[arg(long = "to-password")]
    to_password: Option<String>,
    /// use HTTP protocol while connecting to the destination registry. Should be used only for testing
    #[arg(long = "to-insecure-registry")]
    to_insecure_registry: bool,
    /// use HTTP protocol while connecting to both registries. Should be used only for testing
    #[arg(long = "insecure-registry")]
    insecure_registry: bool,
    #[command(flatten)]
    revocation: RevocationArgs,
    /// the artifact to copy: <registry>/<repository>:<tag>, <registry>/<repository>@<digest>, or with --from-oci-layout <path>:<tag>, <path>@<digest>
    #[arg(value_name = "SOURCE", required = true)]
    source: String,
    /// where to: <registry>/<repository>[:<tag>|@<digest>], or with --to-oci-layout <path>[:<tag>|@<digest>]; without a tag, the source's tag
    #[arg(value_name = "DESTINATION", required = true)]
    destination: String,
}

/// One side of the copy, opened.
enum Side {
    Layout {
        layout: OciLayout,
        path: PathBuf,
        reference: Option<String>,
    },
    Remote {
        repo: RemoteRepository,
        reference: Reference,
    },
}

impl Side {
    fn store(&self) -> &dyn ContentStore {
        match self {
            Side::Layout { layout, .. } => layout,
            Side::Remote { repo, .. } => repo,
        }
    }

    /// The tag or digest given, if any.
    fn reference(&self) -> Option<&str> {
        match self {
            Side::Layout { reference, .. } => reference.as_deref(),
            Side::Remote { reference, .. } => reference.reference(),
        }
    }

    /// `<registry>/<repository>`, or the layout path.
    fn location(&self) -> String {
        match self {
            Side::Layout { path, .. } => path.display().to_string(),
            Side::Remote { reference, .. } => reference.scope(),
        }
    }

    /// The side with `reference` (a tag or a digest) as the reader names it.
    fn display(&self, reference: &str) -> String {
        let separator = if reference.contains(':') { '@' } else { ':' };
        format!("{}{separator}{reference}", self.location())
    }

    /// The side as a verification target of the artifact `digest`.
    fn into_target(self, digest: &str) -> CliResult<Target> {
        Ok(match self {
            Side::Layout { layout, path, .. } => Target::Layout {
                layout,
                path,
                reference: digest.to_string(),
            },
            Side::Remote { repo, reference } => Target::Remote {
                repo,
                reference: Reference::parse(&format!("{}@{digest}", reference.scope()))
                    .map_err(CliError::failed)?,
            },
        })
    }
}

/// A registry reference of either side; the source must name a tag or a
/// digest.
fn parse_registry_reference(raw: &str, needs_tag_or_digest: bool) -> CliResult<Reference> {
    let reference = Reference::parse(raw).map_err(|e| {
        CliError::usage(format!(
            "{}: {}. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>",
            go_quote(raw),
            super::reference_error_text(&e)
        ))
    })?;
    if needs_tag_or_digest && reference.reference().is_none() {
        return Err(CliError::usage(format!(
            "{raw:?}: invalid reference: no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>"
        )));
    }
    Ok(reference)
}

impl CopyArgs {
    /// The registry flags of one side.
    fn registry_args(&self, source: bool) -> RegistryArgs {
        let (username, password, insecure) = if source {
            (
                &self.from_username,
                &self.from_password,
                self.from_insecure_registry,
            )
        } else {
            (
                &self.to_username,
                &self.to_password,
                self.to_insecure_registry,
            )
        };
        RegistryArgs {
            username: username.clone(),
            password: password.clone(),
            insecure_registry: insecure || self.insecure_registry,
        }
    }

    fn open_source(&self, con: &Console) -> CliResult<Side> {
        if self.from_oci_layout {
            let (path, reference) =
                parse_layout_reference(&self.source).map_err(CliError::usage)?;
            let layout = OciLayout::open(&path).map_err(CliError::failed)?;
            return Ok(Side::Layout {
                layout,
                path,
                reference: Some(reference),
            });
        }
        let reference = parse_registry_reference(&self.source, true)?;
        let client = self
            .registry_args(true)
            .client_for_copy(reference.registry(), con)?;
        let repo = RemoteRepository::new(client, &reference).map_err(CliError::failed)?;
        Ok(Side::Remote { repo, reference })
    }

    fn open_destination(&self, con: &Console) -> CliResult<Side> {
        if self.to_oci_layout {
            let (path, reference) =
                parse_layout_destination(&self.destination).map_err(CliError::usage)?;
            let layout = OciLayout::create(&path).map_err(CliError::failed)?;
            return Ok(Side::Layout {
                layout,
                path,
                reference,
            });
        }
        let reference = parse_registry_reference(&self.destination, false)?;
        let client = self
            .registry_args(false)
            .client_for_copy(reference.registry(), con)?;
        let repo = RemoteRepository::new(client, &reference).map_err(CliError::failed)?;
        Ok(Side::Remote { repo, reference })
    }

    /// The verifier of `--verify`, built before anything is copied (a
    /// configuration error fails the command before it writes).
    fn verifier(
        &self,
    ) -> CliResult<Option<(Verifier, Arc<notation_oci::revocation::FileCrlCache>)>> {
        if !self.verify {
            return Ok(None);
        }
        let dir = config_dir();
        let policy = PolicyFile::read_oci(&dir)
            .and_then(|f| f.parse_oci())
            .map_err(CliError::failed)?;
        let (checker, cache) = crate::commands::revocation_checker(&self.revocation)?;
        let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&dir)))
            .oci_policy(policy)
            .revocation_checker(checker)
            .plugin_locator(Arc::new(PluginDirectory::from_environment()))
            .build()
            .map_err(CliError::failed)?;
        Ok(Some((verifier, cache)))
    }

    /// Runs `notation copy`.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        check_flag_groups(
            &[
                ("from-oci-layout", self.from_oci_layout),
                ("from-username", self.from_username.is_some()),
                ("from-password", self.from_password.is_some()),
                ("from-insecure-registry", self.from_insecure_registry),
                ("to-oci-layout", self.to_oci_layout),
                ("to-username", self.to_username.is_some()),
                ("to-password", self.to_password.is_some()),
                ("to-insecure-registry", self.to_insecure_registry),
                ("scope", self.scope.is_some()),
                ("verify", self.verify),
            ],
            &[],
            &[
                "from-oci-layout from-username",
                "from-oci-layout from-password",
                "from-oci-layout from-insecure-registry",
                "to-oci-layout to-username",
                "to-oci-layout to-password",
                "to-oci-layout to-insecure-registry",
            ],
        )?;
        let scope = match (self.verify, self.to_oci_layout, &self.scope) {
            (true, true, Some(scope)) => Some(scope.clone()),
            (true, true, None) => {
                return Err(CliError::usage(
                    "--verify of a copy into an OCI layout needs --scope: the trust policy scope of the artifact",
                ));
            }
            (_, _, Some(_)) => {
                return Err(CliError::usage(
                    "--scope can only be used with --verify and --to-oci-layout",
                ));
            }
            _ => None,
        };
        let verifier = self.verifier()?;
        let source = self.open_source(con)?;
        let destination = self.open_destination(con)?;
        let source_reference = source.reference().expect("checked when opened").to_string();
        let progress = (con.stderr_is_terminal() && con.log_level() == LogLevel::Off)
            .then(ProgressDisplay::new);
        // With --verify the destination tag is written only once the copy
        // has verified there (by digest): a tag never points at an
        // artifact that failed verification.
        let mut options = CopyOptions::new()
            .all_referrers(self.all_referrers)
            .hold_tag(verifier.is_some());
        if let Some(p) = &progress {
            options = options.progress(p);
        }
        let copied = copy::copy(
            source.store(),
            &source_reference,
            destination.store(),
            destination.reference(),
            &options,
        );
        if let Some(p) = &progress {
            p.finish();
        }
        let report = copied.map_err(|e| {
            CliError::failed(format!(
                "failed to copy {} to {}: {e}",
                source.display(&source_reference),
                destination.location()
            ))
        })?;
        let subject = report.subject.clone().expect("a copy has a subject");
        let shown_destination =
            destination.display(report.tag.as_deref().unwrap_or(&subject.digest));
        if let Some((verifier, cache)) = verifier {
            let scope = scope.unwrap_or_else(|| destination.location());
            let target = destination.into_target(&subject.digest)?;
            let verified = verify_copy(con, &target, &scope, &subject, &verifier);
            if let (Err(_), Some(pending)) = (&verified, &report.pending_tag) {
                con.warn(format_args!(
                    "the copy failed verification: the tag {} was not written at the destination",
                    pending.tag
                ))?;
            }
            verified?;
            crate::commands::warn_cache_errors(con, &cache)?;
            if let Some(pending) = &report.pending_tag {
                copy::write_tag(target.store(), pending).map_err(|e| {
                    CliError::failed(format!("failed to tag the copy {shown_destination}: {e}"))
                })?;
            }
        }
        con.println(format_args!(
            "Copied {} => {shown_destination}",
            source.display(&source_reference)
        ))?;
        con.println(format_args!("Digest: {}", subject.digest))?;
        print_summary(con, &report)
    }
}

/// `--verify`: the copy verifies at the destination (every manifest of an
/// index), or the command fails.
fn verify_copy(
    con: &mut Console,
    target: &Target,
    scope: &str,
    subject: &Descriptor,
    verifier: &Verifier,
) -> CliResult {
    super::verify_recursive::run(con, target, scope, subject, verifier, &VerifyOptions::new())
        .map_err(|e| {
            CliError::failed(format!(
                "the copy does not verify at the destination: {}",
                e.display_lines().join("; ")
            ))
        })
}

/// The summary line: manifests, blobs copied and skipped, signatures,
/// bytes.
fn print_summary(con: &mut Console, report: &CopyReport) -> CliResult {
    con.println(format_args!("Summary: {report}"))
}
