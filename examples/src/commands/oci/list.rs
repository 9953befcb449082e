//! `notation list`/`ls` and `notation inspect`, in notation v1.3.2's
//! output shapes.
// Requirements: X3.

use clap::Args;
use notation_oci::workflow::DEFAULT_MAX_SIGNATURES;

use super::{AllowReferrersApiArg, RegistryArgs, Target, check_max, tag_warning};
use crate::commands::LoggingArgs;
use crate::console::Console;
use crate::display::signature::{InspectJsonV1, SignatureView};
use crate::display::{gojson, tree::Node};
use crate::error::{CliError, CliResult};

/// `notation list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// maximum number of signatures to evaluate or examine
    #[arg(long = "max-signatures", value_name = "N", default_value_t = DEFAULT_MAX_SIGNATURES as i64, value_parser = crate::cli::flags::go_int_parser())]
    max_signatures: i64,
    #[command(flatten)]
    allow_referrers_api: AllowReferrersApiArg,
    /// list signatures stored in OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE", required = true)]
    reference: String,
}

/// The reference's warning when more signatures exist than examined.
fn exceeded(max: usize) -> String {
    format!("Warning: exceeded configured limit of max signatures {max} to examine")
}

impl ListArgs {
    /// Runs `notation list`: the artifact, then the digests of its
    /// signature manifests, at most `--max-signatures`.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let max = check_max(self.max_signatures)?;
        self.allow_referrers_api.warn(con, false)?;
        let target = Target::open(con, &self.reference, self.oci_layout, &self.registry, false)?;
        if matches!(target, Target::Remote { .. }) {
            con.info("Allowed to access the referrers API, fallback if not supported")?;
        }
        let artifact = target.resolve(con, tag_warning("list"))?;
        let signatures = target
            .repository()
            .signatures(&artifact)
            .map_err(CliError::failed)?;
        let heading = target.display(&artifact.digest);
        if signatures.is_empty() {
            return con.println(format_args!("{heading} has no associated signature"));
        }
        let mut root = Node::new(heading);
        let node = root.add(notation_oci::oci::ARTIFACT_TYPE_NOTATION);
        for signature in signatures.iter().take(max) {
            node.add(signature.digest.clone());
        }
        con.print(root.render())?;
        if signatures.len() > max {
            con.println(exceeded(max))?;
        }
        Ok(())
    }
}

/// `notation inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    registry: RegistryArgs,
    /// output format, options: 'json', 'text' ('tree', notation v2's name, is 'text')
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "text")]
    output: String,
    /// maximum number of signatures to evaluate or examine
    #[arg(long = "max-signatures", value_name = "N", default_value_t = DEFAULT_MAX_SIGNATURES as i64, value_parser = crate::cli::flags::go_int_parser())]
    max_signatures: i64,
    #[command(flatten)]
    allow_referrers_api: AllowReferrersApiArg,
    /// inspect signatures stored in OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// the artifact: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE", required = true)]
    reference: String,
}

impl InspectArgs {
    /// Runs `notation inspect`: every signature (at most
    /// `--max-signatures`) as notation v1.3.2 shows it. A signature that
    /// cannot be read is skipped with a warning, and the command then fails.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let max = check_max(self.max_signatures)?;
        self.allow_referrers_api.warn(con, false)?;
        let json = match self.output.as_str() {
            "text" | "tree" => false,
            "json" => true,
            other => {
                return Err(CliError::usage(format!(
                    "unrecognized output format {other}"
                )));
            }
        };
        let target = Target::open(con, &self.reference, self.oci_layout, &self.registry, false)?;
        if matches!(target, Target::Remote { .. }) {
            con.info("Allowed to access the referrers API, fallback if not supported")?;
        }
        let artifact = target.resolve(con, tag_warning("inspect"))?;
        let signatures = target
            .repository()
            .signatures(&artifact)
            .map_err(CliError::failed)?;
        let heading = target.display(&artifact.digest);
        let mut views = Vec::new();
        let mut skipped = false;
        for signature in signatures.iter().take(max) {
            let (manifest, envelope) =
                match target.repository().fetch_signature(signature, &artifact) {
                    Ok(fetched) => fetched,
                    Err(e) => {
                        con.eprintln(format_args!(
                            "Warning: unable to fetch signature {} due to error: {e}",
                            signature.digest
                        ))?;
                        skipped = true;
                        continue;
                    }
                };
            let parsed = notation_core::envelope::EnvelopeFormat::from_media_type(
                &manifest.envelope.media_type,
            )
            .ok_or_else(|| {
                format!(
                    "signature envelope format with media type {:?} is not supported",
                    manifest.envelope.media_type
                )
            })
            .and_then(|format| SignatureView::parse(format, &envelope).map_err(|e| e.to_string()));
            match parsed {
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
            let out = InspectJsonV1 {
                media_type: artifact.media_type.clone(),
                signatures: views
                    .iter()
                    .map(|(digest, view)| view.json_v1(digest))
                    .collect(),
            };
            con.print(gojson::to_string_pretty_v1(&out).map_err(CliError::failed)?)?;
        } else if views.is_empty() {
            con.println(format_args!("{heading} has no associated signature"))?;
        } else {
            con.println("Inspecting all signatures for signed artifact")?;
            let mut root = Node::new(heading);
            let node = root.add(notation_oci::oci::ARTIFACT_TYPE_NOTATION);
            for (digest, view) in &views {
                node.push(view.tree_v1(digest));
            }
            con.print(root.render())?;
        }
        if signatures.len() > max {
            con.println(exceeded(max))?;
        }
        if skipped {
            return Err(CliError::failed(
                "at least one signature was skipped and not displayed",
            ));
        }
        Ok(())
    }
}
