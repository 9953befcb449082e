//! `notation sign`, `verify`, `list`/`ls` and `inspect`: signatures of OCI
//! artifacts in registries and in OCI image layouts (REQUIREMENTS T1, T2,
//! Q, K3, X2, X3).
//!
//! Deviation: the reference hides `--oci-layout`/`--scope` behind
//! `NOTATION_EXPERIMENTAL=1`; here the OCI layout is a first-class store
//! (it is notation-rs's embedded default), so the flags are always on.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use notation_core::config::{Config, config_dir};
use notation_core::crypto::default_provider;
use notation_core::plugin::PluginDirectory;
use notation_core::trust::{DirTrustStore, PolicyFile};
use notation_core::verifier::Verifier;
use notation_oci::layout::parse_layout_reference;
use notation_oci::registry::credentials::{CredentialChain, StaticCredentials};
use notation_oci::registry::{Credential, RegistryClient};
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::{
    self, ArtifactSigner, DEFAULT_MAX_SIGNATURES, SignOptions, VerifyOptions, WorkflowError,
};
use notation_oci::{OciLayout, Reference, RemoteRepository};

use super::{CliSigner, LoggingArgs, SignerArgs, TimestampArgs, parse_flag_map};
use crate::console::Console;
use crate::display::{gojson, signature::SignatureView, tree::Node};
use crate::duration::parse_go_duration;
use crate::error::{CliError, CliResult};

/// Registry access flags (`-u/-p`, `--insecure-registry`).
#[derive(Args, Clone, Debug, Default)]
pub struct RegistryArgs {
    /// username for registry operations (default to $NOTATION_USERNAME if not specified)
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// password for registry operations (default to $NOTATION_PASSWORD if not specified)
    #[arg(short = 'p', long)]
    pub password: Option<String>,
    /// use HTTP protocol while connecting to registries. Should be used only for testing
    #[arg(long = "insecure-registry")]
    pub insecure_registry: bool,
}

impl RegistryArgs {
    /// A registry client for `registry` with the credentials and transport
    /// the flags and configuration ask for (X2).
    pub fn client(&self, registry: &str) -> CliResult<RegistryClient> {
        let config = Config::load(&config_dir())?;
        let explicit = match (&self.username, &self.password) {
            (None, None) => None,
            (u, p) => Credential::from_username_password(
                u.as_deref().unwrap_or(""),
                p.as_deref().unwrap_or(""),
            )
            .map(|c| StaticCredentials::new(registry, c)),
        };
        let chain = CredentialChain::notation_default(explicit).map_err(CliError::failed)?;
        let mut options = RegistryClient::builder()
            .notation_config(&config)
            .credentials(chain);
        if self.insecure_registry {
            options = options.insecure_registry(registry);
        }
        options.build().map_err(CliError::failed)
    }
}

/// Where the artifact and its signatures are.
enum Target {
    Layout {
        layout: OciLayout,
        path: PathBuf,
        reference: String,
    },
    Remote {
        repo: RemoteRepository,
        reference: Reference,
    },
}

impl Target {
    fn open(
        raw: &str,
        oci_layout: bool,
        registry: &RegistryArgs,
        force_referrers_tag: bool,
    ) -> CliResult<Self> {
        if oci_layout {
            let (path, reference) = parse_layout_reference(raw).map_err(CliError::usage)?;
            let layout = OciLayout::open(&path).map_err(CliError::failed)?;
            return Ok(Target::Layout {
                layout,
                path,
                reference,
            });
        }
        let reference = Reference::parse(raw).map_err(|e| {
            CliError::usage(format!(
                "{raw:?}: {e}. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>"
            ))
        })?;
        if reference.reference().is_none() {
            return Err(CliError::usage(format!(
                "{raw:?}: invalid reference: no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>"
            )));
        }
        let client = registry.client(reference.registry())?;
        let repo = RemoteRepository::new(client, &reference)
            .map_err(CliError::failed)?
            .force_referrers_tag(force_referrers_tag);
        Ok(Target::Remote { repo, reference })
    }

    fn repository(&self) -> &dyn SignatureRepository {
        match self {
            Target::Layout { layout, .. } => layout,
            Target::Remote { repo, .. } => repo,
        }
    }

    /// The tag or digest to resolve.
    fn reference(&self) -> &str {
        match self {
            Target::Layout { reference, .. } => reference,
            Target::Remote { reference, .. } => reference.reference().expect("checked at open"),
        }
    }

    /// The tag, when the user gave one (for the mutable-tag warning).
    fn tag(&self) -> Option<&str> {
        match self {
            Target::Layout { reference, .. } => {
                (!reference.contains(':')).then_some(reference.as_str())
            }
            Target::Remote { reference, .. } => match reference.digest() {
                Some(_) => None,
                None => reference.tag(),
            },
        }
    }

    /// `<registry>/<repository>@<digest>` or `<layout path>@<digest>`.
    fn display(&self, digest: &str) -> String {
        match self {
            Target::Layout { path, .. } => format!("{}@{digest}", path.display()),
            Target::Remote { reference, .. } => format!("{}@{digest}", reference.scope()),
        }
    }

    fn warn_tag(&self, con: &mut Console, operation: &str) -> CliResult {
        if let Some(tag) = self.tag() {
            con.eprintln(format_args!(
                "Warning: Always {operation} the artifact using digest(@sha256:...) rather than a tag(:{tag}) because resolved digest may not point to the same signed artifact, as tags are mutable."
            ))?;
        }
        Ok(())
    }
}

fn check_max(max: i64) -> CliResult<usize> {
    if max <= 0 {
        return Err(CliError::usage(format!(
            "max-signatures value {max} must be a positive number"
        )));
    }
    Ok(max as usize)
}

fn missing_reference(command: &str) -> CliError {
    CliError::usage(format!(
        "missing reference to the artifact: use `notation {command} --help` to see what parameters are required"
    ))
}

// ---------------------------------------------------------------------------
// sign
// ---------------------------------------------------------------------------

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
    /// optional expiry that provides a "best by use" time for the artifact. The duration is specified in minutes(m) and/or hours(h). For example: 12h, 30m, 3h20m
    #[arg(short = 'e', long, value_name = "DURATION", value_parser = parse_go_duration, allow_hyphen_values = true)]
    expiry: Option<time::Duration>,
    #[command(flatten)]
    timestamp: TimestampArgs,
    /// force to store signatures using the referrers tag schema
    #[arg(long = "force-referrers-tag", conflicts_with = "oci_layout")]
    force_referrers_tag: bool,
    /// signature manifest form: "artifact" (artifactType, OCI 1.1, the default) or "image" (config media type, for registries that reject artifactType)
    #[arg(
        long = "signature-manifest",
        value_name = "FORM",
        default_value = "artifact"
    )]
    signature_manifest: String,
    /// sign the artifact stored as OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE")]
    reference: Option<String>,
}

impl SignArgs {
    /// Runs `notation sign`: with a local key, or a plugin key (R5, R6: a
    /// RAW plugin signs what notation-rs builds and timestamps; an
    /// envelope plugin's envelope is checked and its annotations go to the
    /// signature manifest; `--timestamp-url` is not used then, as by the
    /// reference: the plugin owns its envelope).
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let raw = self.reference.ok_or_else(|| missing_reference("sign"))?;
        let mut flags = self.signer.flags_set().to_vec();
        flags.extend([
            ("timestamp-url", self.timestamp.url.is_some()),
            ("timestamp-root-cert", self.timestamp.root_cert.is_some()),
        ]);
        let mut together = SignerArgs::TOGETHER.to_vec();
        together.push("timestamp-url timestamp-root-cert");
        super::check_flag_groups(&flags, &together, &SignerArgs::EXCLUSIVE)?;
        let form = match self.signature_manifest.as_str() {
            "artifact" => SignatureManifestForm::ArtifactType,
            "image" => SignatureManifestForm::ConfigMediaType,
            other => {
                return Err(CliError::usage(format!(
                    "signature manifest {other:?} not supported, options: \"artifact\", \"image\""
                )));
            }
        };
        let dir = config_dir();
        let format_name = match self.signature_format {
            Some(f) => f,
            None => Config::load(&dir)?
                .signature_format
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "jws".into()),
        };
        let format = super::blob::parse_signature_format(&format_name)?;
        let expiry = super::blob::check_expiry(self.expiry)?;
        let user_metadata = parse_flag_map(&self.user_metadata, "user-metadata")?;
        let signer = super::load_signer(con, &dir, &self.signer)?;
        let timestamper = super::timestamper(&self.timestamp)?;
        let target = Target::open(
            &raw,
            self.oci_layout,
            &self.registry,
            self.force_referrers_tag,
        )?;
        if let Some(tag) = target.tag() {
            con.eprintln(format_args!(
                "Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:{tag}) because tags are mutable and a tag reference can point to a different artifact than the one signed."
            ))?;
        }
        let options = SignOptions::new(format)
            .user_metadata(user_metadata)
            .expiry(expiry)
            .manifest_form(form)
            .timestamper(
                timestamper
                    .as_ref()
                    .map(|t| t as &dyn notation_core::timestamp::Timestamper),
            );
        let crypto = default_provider();
        let artifact_signer = match &signer {
            CliSigner::Local(local) => ArtifactSigner::Signer(local.as_ref()),
            CliSigner::Pkcs11(token) => ArtifactSigner::Signer(token.as_ref()),
            CliSigner::Plugin(plugin) => ArtifactSigner::Plugin(plugin),
        };
        let signed = workflow::sign_with(
            target.repository(),
            target.reference(),
            artifact_signer,
            &options,
            crypto.as_ref(),
        )
        .map_err(|e| match e {
            WorkflowError::PluginSign(e) => CliError::failed(super::plugin_sign_error_text(&e)),
            e => CliError::failed(e),
        })?;
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
        con.println(format_args!(
            "Pushed the signature to {}",
            target.display(&signed.pushed.manifest.digest)
        ))
    }
}

// ---------------------------------------------------------------------------
// verify
// ---------------------------------------------------------------------------

/// `notation verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// {key}={value} pairs that are passed as it is to a plugin, if the verification is associated with a verification plugin, refer plugin documentation to set appropriate values
    #[arg(long = "plugin-config", value_name = "KEY=VALUE")]
    plugin_config: Vec<String>,
    /// user defined {key}={value} pairs that must be present in the signature for successful verification if provided
    #[arg(short = 'm', long = "user-metadata", value_name = "KEY=VALUE")]
    user_metadata: Vec<String>,
    /// maximum number of signatures to evaluate or examine
    #[arg(long = "max-signatures", default_value_t = DEFAULT_MAX_SIGNATURES as i64, allow_hyphen_values = true)]
    max_signatures: i64,
    /// verify the artifact stored as OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout", requires = "scope")]
    oci_layout: bool,
    /// set trust policy scope for artifact verification, required and can only be used when flag "--oci-layout" is set
    #[arg(long, requires = "oci_layout")]
    scope: Option<String>,
    #[command(flatten)]
    revocation: super::RevocationArgs,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE")]
    reference: Option<String>,
}

impl VerifyArgs {
    /// Runs `notation verify`. A signature that names a verification
    /// plugin is verified with the installed plugin, which gets
    /// `--plugin-config` (R8).
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let raw = self.reference.ok_or_else(|| missing_reference("verify"))?;
        let max = check_max(self.max_signatures)?;
        let plugin_config = parse_flag_map(&self.plugin_config, "plugin-config")?;
        let user_metadata = parse_flag_map(&self.user_metadata, "user-metadata")?;
        let dir = config_dir();
        // T2: the policy is read, and a `skip` honoured, before the store is
        // touched.
        let policy = PolicyFile::read_oci(&dir)
            .and_then(|f| f.parse_oci())
            .map_err(CliError::failed)?;
        let (checker, cache) = super::revocation_checker(&self.revocation)?;
        let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&dir)))
            .oci_policy(policy)
            .revocation_checker(checker)
            .plugin_locator(Arc::new(PluginDirectory::from_environment()))
            .build()
            .map_err(CliError::failed)?;
        let target = Target::open(&raw, self.oci_layout, &self.registry, false)?;
        let scope = match (&target, &self.scope) {
            (Target::Layout { .. }, Some(scope)) => scope.clone(),
            (Target::Layout { .. }, None) => {
                return Err(CliError::usage("--scope is required with --oci-layout"));
            }
            (Target::Remote { reference, .. }, _) => reference.scope(),
        };
        let options = VerifyOptions::new()
            .user_metadata(user_metadata)
            .plugin_config(plugin_config)
            .max_signatures(max);
        let result = workflow::verify(
            target.repository(),
            &scope,
            target.reference(),
            &verifier,
            &options,
        );
        super::warn_cache_errors(con, &cache)?;
        match result {
            Ok(verification) => {
                if verification.resolved_from_tag {
                    target.warn_tag(con, "verify")?;
                }
                match &verification.verified {
                    None => con.println(format_args!(
                        "Trust policy is configured to skip signature verification for {raw}"
                    )),
                    Some((signature, outcome)) => {
                        let artifact = verification.artifact.as_ref().expect("verified artifact");
                        con.debug(format_args!("verified signature {}", signature.digest))?;
                        for failure in &verification.failures {
                            con.debug(failure)?;
                        }
                        let display = match (&target, &self.scope) {
                            (Target::Layout { .. }, Some(scope)) => {
                                format!("{scope}@{}", artifact.digest)
                            }
                            _ => target.display(&artifact.digest),
                        };
                        super::blob::print_success(con, outcome, &display)
                    }
                }
            }
            Err(WorkflowError::AllFailed {
                reference,
                failures,
            }) => {
                for failure in &failures {
                    con.eprintln(format_args!("Warning: {failure}"))?;
                }
                Err(CliError::failed(format!(
                    "signature verification failed for all the signatures associated with {reference}"
                )))
            }
            Err(e @ WorkflowError::Policy(_)) => Err(CliError::failed(e)),
            Err(e) => Err(CliError::failed(format!(
                "signature verification failed: {e}"
            ))),
        }
    }
}

// ---------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------

/// `notation list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// maximum number of signatures to evaluate or examine
    #[arg(long = "max-signatures", default_value_t = DEFAULT_MAX_SIGNATURES as i64, allow_hyphen_values = true)]
    max_signatures: i64,
    /// list signatures stored in OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE")]
    reference: Option<String>,
}

impl ListArgs {
    /// Runs `notation list`.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let raw = self.reference.ok_or_else(|| missing_reference("list"))?;
        let max = check_max(self.max_signatures)?;
        let target = Target::open(&raw, self.oci_layout, &self.registry, false)?;
        let (artifact, from_tag, signatures) =
            workflow::list(target.repository(), target.reference()).map_err(CliError::failed)?;
        if from_tag {
            target.warn_tag(con, "list")?;
        }
        let heading = target.display(&artifact.digest);
        if signatures.is_empty() {
            return con.println(format_args!("{heading} has no associated signatures"));
        }
        let mut root = Node::new(heading);
        let node = root.add(notation_oci::oci::ARTIFACT_TYPE_NOTATION);
        for signature in signatures.iter().take(max) {
            node.add(signature.digest.clone());
        }
        con.print(root.render())?;
        if signatures.len() > max {
            con.eprintln(format_args!(
                "Warning: exceeded configured limit of max signatures {max} to examine"
            ))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------

/// `notation inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// output format, options: 'json', 'tree'
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "tree")]
    output: String,
    /// maximum number of signatures to evaluate or examine
    #[arg(long = "max-signatures", default_value_t = DEFAULT_MAX_SIGNATURES as i64, allow_hyphen_values = true)]
    max_signatures: i64,
    /// inspect signatures stored in OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE")]
    reference: Option<String>,
}

impl InspectArgs {
    /// Runs `notation inspect` (X3).
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let raw = self.reference.ok_or_else(|| missing_reference("inspect"))?;
        let json = match self.output.as_str() {
            "tree" => false,
            "json" => true,
            other => {
                return Err(CliError::usage(format!(
                    "unrecognized output format {other}"
                )));
            }
        };
        let max = check_max(self.max_signatures)?;
        let target = Target::open(&raw, self.oci_layout, &self.registry, false)?;
        let (artifact, from_tag, signatures) =
            workflow::list(target.repository(), target.reference()).map_err(CliError::failed)?;
        if from_tag {
            target.warn_tag(con, "inspect")?;
        }
        let heading = target.display(&artifact.digest);
        let mut views = Vec::new();
        let mut skipped = false;
        for signature in signatures.iter().take(max) {
            let fetched = target
                .repository()
                .fetch_signature(signature, &artifact)
                .map_err(|e| e.to_string())
                .and_then(|(manifest, envelope)| {
                    let format = notation_core::envelope::EnvelopeFormat::from_media_type(
                        &manifest.envelope.media_type,
                    )
                    .ok_or_else(|| {
                        format!(
                            "signature envelope format with media type {:?} is not supported",
                            manifest.envelope.media_type
                        )
                    })?;
                    SignatureView::parse(format, &envelope).map_err(|e| e.to_string())
                });
            match fetched {
                Ok(view) => views.push((signature.digest.clone(), view)),
                Err(e) => {
                    con.eprintln(format_args!(
                        "Warning: Skipping signature {} because of error: {e}",
                        signature.digest
                    ))?;
                    skipped = true;
                }
            }
        }
        if json {
            #[derive(serde::Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Inspect<'a, S: serde::Serialize> {
                media_type: &'a str,
                signatures: Vec<S>,
            }
            let out = Inspect {
                media_type: &artifact.media_type,
                signatures: views
                    .iter()
                    .map(|(digest, view)| view.json(Some(digest)))
                    .collect(),
            };
            con.print(gojson::to_string_pretty(&out).map_err(CliError::failed)?)?;
        } else if views.is_empty() && !skipped {
            con.println(format_args!("{heading} has no associated signature"))?;
        } else {
            con.println("Inspecting all signatures for signed artifact")?;
            let mut root = Node::new(heading);
            let node = root.add(notation_oci::oci::ARTIFACT_TYPE_NOTATION);
            for (digest, view) in &views {
                node.push(view.tree(digest));
            }
            con.print(root.render())?;
        }
        if signatures.len() > max {
            con.println(format_args!(
                "Warning: exceeded configured limit of max signatures {max} to examine"
            ))?;
        }
        if skipped {
            return Err(CliError::failed(
                "at least one signature was skipped and not displayed",
            ));
        }
        Ok(())
    }
}
