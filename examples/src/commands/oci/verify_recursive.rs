//! `notation verify --recursive`: an image index (a multi-platform image)
//! and every manifest it lists, each verified under the policy of the
//! reference; one line per digest, and success only when all verified.
//! Kept apart from `verify.rs`, which calls it once the policy is chosen and
//! the reference resolved.

use notation_core::verifier::Verifier;
use notation_oci::graph::GraphLimits;
use notation_oci::oci::Descriptor;
use notation_oci::workflow::{self, SignatureFailureReason, VerifyOptions, WorkflowError};

use super::Target;
use crate::console::Console;
use crate::error::{CliError, CliResult};

/// Verifies `artifact` (resolved from the target's reference) and, for an
/// index, every manifest it lists: `Successfully verified signature for
/// <reference>@<digest>` for each that verified (with the warnings of the
/// checks the policy only logs), a line naming the digest, its platform
/// and the check that failed for each that did not, then an error when any
/// failed.
pub(super) fn run(
    con: &mut Console,
    target: &Target,
    scope: &str,
    artifact: &Descriptor,
    verifier: &Verifier,
    options: &VerifyOptions,
) -> CliResult {
    let result = workflow::verify_recursive(
        target.store(),
        scope,
        &artifact.digest,
        verifier,
        options,
        &GraphLimits::new(),
    )
    .map_err(|e| CliError::failed(format!("signature verification failed: {e}")))?;
    let mut failed = 0;
    for manifest in &result.manifests {
        let shown = target.display(&manifest.descriptor.digest);
        match &manifest.result {
            Ok(verification) => match &verification.verified {
                Some((_, outcome)) => crate::commands::blob::print_success(con, outcome, &shown)?,
                None => con.println(format_args!(
                    "Trust policy is configured to skip signature verification for {shown}"
                ))?,
            },
            Err(e) => {
                failed += 1;
                con.eprintln(format_args!(
                    "Failed to verify {shown}{}: {}",
                    platform(&manifest.descriptor),
                    failure_text(e)
                ))?;
            }
        }
    }
    if failed > 0 {
        return Err(CliError::failed(format!(
            "signature verification failed for {failed} of the {} manifests of {}",
            result.manifests.len(),
            target.display(&artifact.digest)
        )));
    }
    Ok(())
}

/// ` (linux/arm64)` for a manifest its index lists with a platform.
fn platform(descriptor: &Descriptor) -> String {
    descriptor
        .platform()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default()
}

/// Why a manifest did not verify, naming the check that failed: for each
/// signature tried, `signature <digest>: <check> check failed: <reason>`.
fn failure_text(e: &WorkflowError) -> String {
    let failures = e.failures();
    if failures.is_empty() {
        return e.to_string();
    }
    failures
        .iter()
        .map(|f| {
            let reason = match &f.reason {
                SignatureFailureReason::Verification(v) => match v.failed_check() {
                    Some(check) => format!("{} check failed: {v}", check.check().as_str()),
                    None => v.to_string(),
                },
                other => other.to_string(),
            };
            format!("signature {}: {reason}", f.signature.digest)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
