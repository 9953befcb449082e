//! `notation verify`.
// Requirements: T2.

use std::sync::Arc;

use clap::Args;
use notation_core::config::config_dir;
use notation_core::plugin::PluginDirectory;
use notation_core::trust::{
    DirTrustStore, PolicyFile, PolicyStatement, TrustStoreError, TrustStoreType, ValidationAction,
    ValidationType, VerifyTimestamp,
};
use notation_core::verifier::Verifier;
use notation_oci::workflow::{self, DEFAULT_MAX_SIGNATURES, VerifyOptions, WorkflowError};

use notation_oci::batch::{DEFAULT_CONCURRENCY, MAX_CONCURRENCY};

use super::verify_many::{Batch, Output, check_reference_count, read_references};
use super::{AllowReferrersApiArg, RegistryArgs, Target, check_max, tag_warning};
use crate::commands::{LoggingArgs, RevocationArgs, parse_flag_map};
use crate::console::Console;
use crate::error::{CliError, CliResult};

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
    #[arg(long = "max-signatures", value_name = "N", default_value_t = DEFAULT_MAX_SIGNATURES as i64, value_parser = crate::cli::flags::go_int_parser())]
    max_signatures: i64,
    #[command(flatten)]
    allow_referrers_api: AllowReferrersApiArg,
    /// verify the artifact stored as OCI image layout (<path>:<tag> or <path>@<digest>)
    #[arg(long = "oci-layout")]
    oci_layout: bool,
    /// set trust policy scope for artifact verification, required and can only be used when flag "--oci-layout" is set
    #[arg(long)]
    scope: Option<String>,
    /// when the artifact is an image index (a multi-platform image), also verify every manifest it lists, nested indexes included; succeeds only when all verify
    #[arg(long)]
    recursive: bool,
    #[command(flatten)]
    revocation: RevocationArgs,
    /// read more references from this file, one per line ('-' for standard input; blank lines and '#' comments are ignored)
    #[arg(long = "references-from", value_name = "FILE")]
    references_from: Option<String>,
    /// output format of a verification of several references, options: 'text' (a line per reference and a summary), 'json' (a report)
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "text")]
    output: String,
    /// maximum number of references verified at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY as i64, value_parser = crate::cli::flags::go_int_parser())]
    concurrency: i64,
    /// the artifacts: <registry>/<repository>:<tag> or <registry>/<repository>@<digest>
    #[arg(value_name = "REFERENCE", required_unless_present = "references_from")]
    reference: Vec<String>,
}

impl VerifyArgs {
    /// Runs `notation verify`. A signature that names a verification
    /// plugin is verified with the installed plugin, which gets
    /// `--plugin-config`.
    ///
    /// Several references (or `--references-from`, or `-o json`) are
    /// verified together and reported as a list or a JSON document (see
    /// `verify_many`); one reference is verified and printed exactly as the
    /// reference CLI does.
    pub fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        crate::commands::check_flag_groups(
            &[
                ("oci-layout", self.oci_layout),
                ("scope", self.scope.is_some()),
            ],
            &["oci-layout scope"],
            &[],
        )?;
        let output = Output::parse(&self.output)?;
        let concurrency = check_concurrency(self.concurrency)?;
        let mut references = self.reference.clone();
        if let Some(from) = &self.references_from {
            let listed = read_references(con, from)?;
            if listed.is_empty() && references.is_empty() {
                return Err(CliError::usage(format!(
                    "no reference to verify: the references list {from} is empty"
                )));
            }
            references.extend(listed);
        }
        check_reference_count(references.len())?;
        let many =
            references.len() != 1 || self.references_from.is_some() || output == Output::Json;
        let raw = references[0].clone();
        let max = check_max(self.max_signatures)?;
        let dir = config_dir();
        // The policy is read before the flags are parsed and before the
        // registry is touched, as the reference does.
        let policy = PolicyFile::read_oci(&dir)
            .and_then(|f| f.parse_oci())
            .map_err(CliError::failed)?;
        let plugin_config = parse_flag_map(&self.plugin_config, "plugin-config")?;
        let user_metadata = parse_flag_map(&self.user_metadata, "user-metadata")?;
        let (checker, cache) = crate::commands::revocation_checker(&self.revocation)?;
        let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&dir)))
            .oci_policy(policy)
            .revocation_checker(checker)
            .plugin_locator(Arc::new(PluginDirectory::from_environment()))
            .build()
            .map_err(CliError::failed)?;
        if many {
            let options = VerifyOptions::new()
                .user_metadata(user_metadata)
                .plugin_config(plugin_config)
                .max_signatures(max);
            let batch = Batch {
                references,
                layout_scope: self.oci_layout.then(|| self.scope.clone()).flatten(),
                registry: &self.registry,
                options,
                concurrency,
                output,
                recursive: self.recursive,
            };
            let result = batch.run(con, &verifier);
            crate::commands::warn_cache_errors(con, &cache)?;
            return result;
        }
        let target = Target::open(con, &raw, self.oci_layout, &self.registry, false)?;
        if matches!(target, Target::Remote { .. }) {
            con.info("Allowed to access the referrers API, fallback if not supported")?;
        }
        self.allow_referrers_api.warn(con, false)?;
        // The reference the policy is chosen for: the repository, or the
        // layout's `--scope`.
        let scope = match (&target, &self.scope) {
            (Target::Layout { .. }, Some(scope)) => scope.clone(),
            (Target::Layout { .. }, None) => unreachable!("checked with the flag groups"),
            (Target::Remote { reference, .. }, _) => reference.scope(),
        };
        // T2: the statement is chosen, and `skip` honoured, before the
        // registry is contacted (the reference resolves the tag first; a
        // skipped artifact needs no network here).
        con.info("Checking whether signature verification should be skipped or not")?;
        let statement = verifier
            .oci_statement_for_scope(&scope, &super::shown_input(&scope, target.reference()))
            .map_err(|e| CliError::failed(format!("signature verification failed: {e}")))?;
        con.info(format_args!(
            "Trust policy configuration: {}",
            go_statement(statement)
        ))?;
        if statement.verification().is_skip() {
            return con.println(format_args!(
                "Trust policy is configured to skip signature verification for {raw}"
            ));
        }
        con.info("Check over. The signature verification level is not set to 'skip' in the trust policy.")?;
        let artifact = target.resolve(con, tag_warning("verify"))?;
        let resolved = target.display(&artifact.digest);
        con.debug(format_args!(
            "Check verification level against artifact {scope}@{}",
            artifact.digest
        ))?;
        con.debug("Fetching signature manifests")?;
        let options = VerifyOptions::new()
            .user_metadata(user_metadata)
            .plugin_config(plugin_config)
            .max_signatures(max);
        if self.recursive {
            let result =
                super::verify_recursive::run(con, &target, &scope, &artifact, &verifier, &options);
            crate::commands::warn_cache_errors(con, &cache)?;
            return result;
        }
        let result = workflow::verify(
            target.repository(),
            &scope,
            &artifact.digest,
            &verifier,
            &options,
        );
        crate::commands::warn_cache_errors(con, &cache)?;
        match result {
            Ok(verification) => match &verification.verified {
                None => con.println(format_args!(
                    "Trust policy is configured to skip signature verification for {resolved}"
                )),
                Some((signature, outcome)) => {
                    for failure in &verification.failures {
                        con.debug(failure)?;
                    }
                    con.info(format_args!(
                        "Processing signature with manifest mediaType: {} and digest: {}",
                        signature.media_type, signature.digest
                    ))?;
                    // The reference's notice when timestamps cannot be
                    // checked (O2: no tsa store in the statement).
                    if !statement.has_trust_store_type(TrustStoreType::Tsa)
                        && statement
                            .verification()
                            .action(ValidationType::AuthenticTimestamp)
                            != ValidationAction::Skip
                    {
                        con.info("Timestamp verification disabled: no tsa trust store is configured in trust policy")?;
                    }
                    crate::commands::blob::report_checks(con, outcome)?;
                    con.debug(format_args!(
                        "Signature verification succeeded for artifact {} with signature digest {}",
                        artifact.digest, signature.digest
                    ))?;
                    crate::commands::blob::print_success(con, outcome, &resolved)
                }
            },
            // The reference words a verification failure, the limit of
            // signatures reached included, alike (notation-go's
            // `ErrorVerificationFailed`); ours says why each failed, and
            // that the limit stopped the evaluation.
            Err(WorkflowError::AllFailed { failures, .. }) => {
                for failure in &failures {
                    con.eprintln(format_args!("Warning: {failure}"))?;
                }
                Err(CliError::failed(format!(
                    "signature verification failed for all the signatures associated with {resolved}"
                )))
            }
            Err(e @ WorkflowError::TooManySignatures { .. }) => {
                if let WorkflowError::TooManySignatures { failures, .. } = &e {
                    for failure in failures {
                        con.eprintln(format_args!("Warning: {failure}"))?;
                    }
                }
                con.eprintln(format_args!("Warning: {e}"))?;
                Err(CliError::failed(format!(
                    "signature verification failed for all the signatures associated with {resolved}"
                )))
            }
            // A trust store the policy names is missing or broken: a
            // configuration error, worded as the reference words it.
            Err(WorkflowError::TrustStore(e @ TrustStoreError::NotFound { .. })) => {
                Err(CliError::failed(format!(
                    "{e}. Use command 'notation cert add' to create and add trusted certificates to the trust store"
                )))
            }
            Err(WorkflowError::TrustStore(e)) => Err(CliError::failed(e)),
            Err(e) => Err(CliError::failed(format!(
                "signature verification failed: {e}"
            ))),
        }
    }
}

/// `--concurrency`: 1 to [`MAX_CONCURRENCY`].
fn check_concurrency(n: i64) -> CliResult<usize> {
    if n <= 0 || n > MAX_CONCURRENCY as i64 {
        return Err(CliError::usage(format!(
            "concurrency value {n} must be between 1 and {MAX_CONCURRENCY}"
        )));
    }
    Ok(n as usize)
}

/// A policy statement as Go's `%+v` prints the reference's
/// `*trustpolicy.TrustPolicy` (its info log).
fn go_statement(statement: &PolicyStatement) -> String {
    let mut overrides: Vec<String> = statement
        .overrides()
        .iter()
        .map(|(check, action)| format!("{}:{}", check.as_str(), action.as_str()))
        .collect();
    overrides.sort();
    let verify_timestamp = match statement.verify_timestamp() {
        VerifyTimestamp::AfterCertExpiry => VerifyTimestamp::AfterCertExpiry.as_str(),
        _ => "",
    };
    let list = |items: Vec<String>| items.join(" ");
    format!(
        "&{{Name:{} RegistryScopes:[{}] SignatureVerification:{{VerificationLevel:{} Override:map[{}] VerifyTimestamp:{verify_timestamp}}} TrustStores:[{}] TrustedIdentities:[{}]}}",
        statement.name(),
        list(statement.registry_scopes().to_vec()),
        statement.verification().level().as_str(),
        overrides.join(" "),
        list(
            statement
                .trust_stores()
                .iter()
                .map(ToString::to_string)
                .collect()
        ),
        list(
            statement
                .trusted_identities()
                .iter()
                .map(|i| i.as_str().to_string())
                .collect()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use notation_core::trust::OciTrustPolicyDocument;

    #[test]
    fn statements_as_go_prints_them() {
        let doc = OciTrustPolicyDocument::from_json(
            br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
            "signatureVerification":{"level":"strict","override":{"revocation":"log","authenticity":"log"}},
            "trustStores":["ca:example.test","tsa:t"],"trustedIdentities":["*"]}]}"#,
        )
        .unwrap();
        let statement = doc.policy_for_scope("localhost:5000/x", "r").unwrap();
        assert_eq!(
            go_statement(statement),
            "&{Name:p RegistryScopes:[*] SignatureVerification:{VerificationLevel:strict Override:map[authenticity:log revocation:log] VerifyTimestamp:} TrustStores:[ca:example.test tsa:t] TrustedIdentities:[*]}"
        );
    }
}
