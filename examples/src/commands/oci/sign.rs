//! `notation sign`.
// Requirements: T1.

use clap::Args;
use notation_core::config::config_dir;
use notation_core::crypto::default_provider;
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::{self, ArtifactSigner, SignOptions, WorkflowError};

use super::{AllowReferrersApiArg, RegistryArgs, Target};
use crate::commands::{
    CliSigner, LoggingArgs, SignerArgs, TimestampArgs, check_flag_groups, parse_flag_map,
};
use crate::console::Console;
use crate::duration::parse_go_duration;
use crate::error::{CliError, CliResult};

/// `notation sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// signature envelope format, options: "jws", "cose" (default: "signatureFormat" of config.json, else "jws")
    #[arg(long = "signature-format", value_name = "FORMAT")]
    signature_format: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
    /// {key}={value} pairs that are added to the signature payload
    #[arg(short = 'm', long = "user-metadata", value_name = "KEY=VALUE")]
    user_metadata: Vec<String>,
    /// optional expiry that provides a "best by use" time for the artifact: a duration such as 24h, 30m, 3h20m or 90s (units h, m, s, ms, us, ns; fractions such as 1.5h allowed; the total must be whole seconds; 0 means no expiry)
    #[arg(short = 'e', long, value_name = "DURATION", value_parser = parse_go_duration)]
    expiry: Option<time::Duration>,
    #[command(flatten)]
    timestamp: TimestampArgs,
    /// force to store signatures using the referrers tag schema; --force-referrers-tag=false uses the referrers API, and the tag schema where the registry does not support it (default true)
    #[arg(
        long = "force-referrers-tag",
        value_name = crate::cli::flags::BOOL_VALUE_NAME,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = crate::cli::flags::go_bool_parser()
    )]
    force_referrers_tag: Option<bool>,
    #[command(flatten)]
    allow_referrers_api: AllowReferrersApiArg,
    /// signature manifest form: "artifact" (artifactType, OCI 1.1; the default in registries) or "image" (config media type, for registries that reject artifactType; the default in OCI layouts, where notation v1.3 finds no other)
    #[arg(long = "signature-manifest", value_name = "FORM")]
    signature_manifest: Option<String>,
    /// sign the artifact stored as OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// when the artifact is an image index (a multi-platform image: OCI index or Docker manifest list), also sign every manifest it lists, nested indexes included, one signature each with the same options
    #[arg(long)]
    recursive: bool,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE", required = true)]
    reference: String,
}

impl SignArgs {
    /// Runs `notation sign`: with a local key, or a plugin key (a
    /// RAW plugin signs what notation-rs builds and timestamps; an
    /// envelope plugin's envelope is checked and its annotations go to the
    /// signature manifest; `--timestamp-url` is not used then, as by the
    /// reference: the plugin owns its envelope).
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let raw = self.reference.clone();
        let mut flags = self.signer.flags_set().to_vec();
        flags.extend([
            ("timestamp-url", self.timestamp.url.is_some()),
            ("timestamp-root-cert", self.timestamp.root_cert.is_some()),
            ("oci-layout", self.oci_layout),
            ("force-referrers-tag", self.force_referrers_tag.is_some()),
            (
                "allow-referrers-api",
                self.allow_referrers_api.allow_referrers_api.is_some(),
            ),
        ]);
        let mut together = SignerArgs::TOGETHER.to_vec();
        together.push("timestamp-url timestamp-root-cert");
        let mut exclusive = SignerArgs::EXCLUSIVE.to_vec();
        exclusive.push("oci-layout force-referrers-tag allow-referrers-api");
        check_flag_groups(&flags, &together, &exclusive)?;
        self.allow_referrers_api.warn(con, true)?;
        // The reference's default: the referrers tag schema (a registry
        // whose referrers API misbehaves cannot lose the signature);
        // `--allow-referrers-api` (deprecated) means `=false`.
        let force_referrers_tag = match self.allow_referrers_api.allow_referrers_api {
            Some(true) => false,
            _ => self.force_referrers_tag.unwrap_or(true),
        };
        let form = match self.signature_manifest.as_deref() {
            None => None,
            Some("artifact") => Some(SignatureManifestForm::ArtifactType),
            Some("image") => Some(SignatureManifestForm::ConfigMediaType),
            Some(other) => {
                return Err(CliError::usage(format!(
                    "signature manifest {other:?} not supported, options: \"artifact\", \"image\""
                )));
            }
        };
        let dir = config_dir();
        let format_name = match self.signature_format {
            Some(f) => f,
            None => crate::commands::blob::configured_signature_format(&dir)?,
        };
        let format = crate::commands::blob::parse_signature_format(&format_name)?;
        let expiry = crate::commands::blob::check_expiry(self.expiry)?;
        let user_metadata = parse_flag_map(&self.user_metadata, "user-metadata")?;
        let signer = crate::commands::load_signer(con, &dir, &self.signer)?;
        let timestamper = crate::commands::timestamper(&self.timestamp)?;
        if let Some(url) = &self.timestamp.url {
            con.info(format_args!(
                "Configured to timestamp with TSA {}",
                crate::error::go_quote(url)
            ))?;
        }
        let target = Target::open(
            con,
            &raw,
            self.oci_layout,
            &self.registry,
            force_referrers_tag,
        )?;
        if matches!(target, Target::Remote { .. }) {
            con.info(if force_referrers_tag {
                "The referrers tag schema is always attempted"
            } else {
                "Allowed to access the referrers API, fallback if not supported"
            })?;
        }
        let artifact = target.resolve(con, |tag| {
            format!(
                "Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:{tag}) because tags are mutable and a tag reference can point to a different artifact than the one signed."
            )
        })?;
        let mut options = SignOptions::new(format)
            .user_metadata(user_metadata)
            .expiry(expiry)
            .timestamper(
                timestamper
                    .as_ref()
                    .map(|t| t as &dyn notation_core::timestamp::Timestamper),
            );
        if let Some(form) = form {
            options = options.manifest_form(form);
        }
        let crypto = default_provider();
        let artifact_signer = match &signer {
            CliSigner::Local(local) => ArtifactSigner::Signer(local.as_ref()),
            CliSigner::Pkcs11(token) => ArtifactSigner::Signer(token.as_ref()),
            CliSigner::Plugin(plugin) => ArtifactSigner::Plugin(plugin),
        };
        con.debug(format_args!(
            "Generic signing for {} in signature media type {}",
            artifact.digest,
            format.media_type()
        ))?;
        if self.recursive {
            return sign_recursive(con, &target, &artifact, artifact_signer, &options);
        }
        let signed = workflow::sign_with(
            target.repository(),
            &artifact.digest,
            artifact_signer,
            &options,
            crypto.as_ref(),
        )
        .map_err(sign_error)?;
        for w in &signed.pushed.warnings {
            con.debug(w)?;
            con.eprintln(
                "Warning: Removal of outdated referrers index from remote registry failed. Garbage collection may be required.",
            )?;
        }
        con.println(format_args!(
            "Successfully signed {}",
            target.display(&signed.artifact.digest)
        ))?;
        // notation v2 prints this line; v1.3.2 does not, so scripts reading
        // the output see it only with -v.
        con.info(format_args!(
            "Pushed the signature to {}",
            target.display(&signed.pushed.manifest.digest)
        ))
    }
}

/// A signing error as the CLI words it.
fn sign_error(e: WorkflowError) -> CliError {
    match e {
        WorkflowError::PluginSign(e) => {
            CliError::failed(crate::commands::plugin_sign_error_text(&e))
        }
        e => CliError::failed(e),
    }
}

/// `sign --recursive`: the artifact and, for an index, every manifest it
/// lists, one `Successfully signed` line each (also for those signed
/// before a failure).
fn sign_recursive(
    con: &mut Console,
    target: &Target,
    artifact: &notation_oci::oci::Descriptor,
    signer: ArtifactSigner<'_>,
    options: &SignOptions<'_>,
) -> CliResult {
    let result = workflow::sign_recursive(
        target.store(),
        &artifact.digest,
        signer,
        options,
        default_provider().as_ref(),
        &notation_oci::graph::GraphLimits::new(),
    );
    let (signed, failure) = match result {
        Ok(signed) => (signed, None),
        Err(WorkflowError::PartiallySigned {
            digest,
            signed,
            error,
        }) => (signed, Some((digest, *error))),
        Err(e) => return Err(sign_error(e)),
    };
    for one in &signed {
        con.println(format_args!(
            "Successfully signed {}",
            target.display(&one.artifact.digest)
        ))?;
        con.info(format_args!(
            "Pushed the signature to {}",
            target.display(&one.pushed.manifest.digest)
        ))?;
    }
    match failure {
        None => Ok(()),
        Some((digest, error)) => Err(CliError::failed(format!(
            "failed to sign {}: {}",
            target.display(&digest),
            sign_error(error)
        ))),
    }
}
