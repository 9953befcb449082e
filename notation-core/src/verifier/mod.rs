//! Signature verification.
//!
//! A [`Verifier`] is built once from trust policies and a trust store: the
//! policy documents are validated and every trust store they name is read
//! and validated at construction, so verifying many signatures never reads
//! or parses them again.
//!
//! Verifying one signature runs the checks in the reference's order and
//! records each with its action from the level matrix: integrity (always
//! enforced), authenticity (trust store, then trusted identity), expiry,
//! authentic timestamp, revocation. A check whose action is `log` records
//! its failure and lets verification go on; the first failure whose action
//! is `enforce` stops it. [`VerificationOutcome`] lists every check.
//!
//! A signature that names a verification plugin
//! (`io.cncf.notary.verificationPlugin`) is verified with it: the
//! plugin is located through the builder's [`PluginLocator`], its version
//! checked against `io.cncf.notary.verificationPluginMinVersion`, and its
//! `SIGNATURE_VERIFIER` capabilities take over the trusted-identity and
//! revocation checks. Signatures without the attribute never touch a
//! plugin.
// Requirements: M, N, O2-O5, P, F3, S3, R8, B6.

mod builder;
mod cache;
mod checks;
mod options;
mod outcome;
mod plugin;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use time::OffsetDateTime;

use crate::crypto::{CryptoProvider, default_provider};
use crate::envelope::{
    AttributeKey, Envelope, EnvelopeContent, EnvelopeFormat, SignerInfo, SigningScheme, header,
};
use crate::payload::{Descriptor, Payload};
use crate::plugin::{
    CONTRACT_VERSION, Capability, CriticalAttributes, GetMetadataRequest, Plugin, PluginConfig,
    PluginLocator, PluginTrustPolicy, SignatureDetails, VerifySignatureRequest,
};
use crate::revocation::{
    OfflineRevocationChecker, RevocationChecker, RevocationPurpose, RevocationStatus, final_result,
};
use crate::timestamp::SignedToken;
use crate::trust::dn::verify_trusted_identities_with;
use crate::trust::{
    BlobTrustPolicyDocument, GoQuoted, OciTrustPolicyDocument, ParsedDn, PolicyStatement,
    TrustStore, TrustStoreError, TrustStoreType, ValidationAction, ValidationType, VerifyTimestamp,
};
use crate::x509::Certificate;
use crate::x509::chain::validate_timestamping_chain;

use plugin::{PluginStepError, verify_request};

pub use builder::VerifierBuilder;
pub use options::{ArtifactVerifyOptions, BlobVerifyOptions};
pub use outcome::{
    CheckFailure, CheckResult, PluginVerificationError, VerificationError, VerificationOutcome,
};

type LoadedStore = Result<Arc<[Certificate]>, TrustStoreError>;

/// Verifies signatures against trust policies. Cheap to share across
/// threads (`Send + Sync`); reuse one for many verifications.
pub struct Verifier {
    oci_policy: Option<OciTrustPolicyDocument>,
    blob_policy: Option<BlobTrustPolicyDocument>,
    stores: HashMap<(TrustStoreType, String), LoadedStore>,
    crypto: Arc<dyn CryptoProvider>,
    /// The chain cache behind `crypto`, when on.
    chain_cache: Option<Arc<cache::ChainCache>>,
    revocation: Arc<dyn RevocationChecker>,
    timestamp_revocation: Arc<dyn RevocationChecker>,
    verification_time: Option<OffsetDateTime>,
    plugins: Option<Arc<dyn PluginLocator>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("oci_policy", &self.oci_policy.is_some())
            .field("blob_policy", &self.blob_policy.is_some())
            .field("stores", &self.stores.len())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A builder.
    pub fn builder(trust_store: Arc<dyn TrustStore>) -> VerifierBuilder {
        VerifierBuilder::new(trust_store)
    }

    /// The OCI policy statement for a fully qualified artifact reference.
    /// Callers check `statement.verification().is_skip()` before any network
    /// access.
    // Requirements: K1, T2.
    pub fn oci_statement(
        &self,
        artifact_reference: &str,
    ) -> Result<&PolicyStatement, VerificationError> {
        let doc = self
            .oci_policy
            .as_ref()
            .ok_or(VerificationError::NoOciPolicy)?;
        doc.applicable_policy(artifact_reference)
            .map_err(VerificationError::NoApplicablePolicy)
    }

    /// The OCI policy statement for a repository scope `registry/repository`,
    /// known before a tag is resolved; `reference` is quoted
    /// in errors.
    // Requirements: K1, K3, T2.
    pub fn oci_statement_for_scope(
        &self,
        scope: &str,
        reference: &str,
    ) -> Result<&PolicyStatement, VerificationError> {
        let doc = self
            .oci_policy
            .as_ref()
            .ok_or(VerificationError::NoOciPolicy)?;
        doc.policy_for_scope(scope, reference)
            .map_err(VerificationError::NoApplicablePolicy)
    }

    /// The blob policy statement by name, or the global one.
    // Requirements: K4.
    pub fn blob_statement(
        &self,
        name: Option<&str>,
    ) -> Result<&PolicyStatement, VerificationError> {
        let doc = self
            .blob_policy
            .as_ref()
            .ok_or(VerificationError::NoBlobPolicy)?;
        // An empty name is no name, as notation-go's verifier takes it (its
        // policy document refuses one, as `policy` does).
        doc.policy(name.filter(|n| !n.is_empty()))
            .map_err(VerificationError::NoApplicablePolicy)
    }

    /// Whether a signature whose chain has these SHA-256 thumbprints (the
    /// manifest annotation) could pass authenticity under `statement`.
    /// When authenticity is enforced and no thumbprint is in the statement's
    /// stores, the signature cannot verify and need not be fetched (the
    /// specification's pre-filter, which the reference does not implement).
    /// Under `log` or `skip` every signature may still count, and so may
    /// every signature when one of the statement's `ca` or
    /// `signingAuthority` stores could not be loaded: verifying it reports
    /// that configuration error, which "untrusted" would hide.
    pub fn may_be_trusted(&self, statement: &PolicyStatement, thumbprints: &[String]) -> bool {
        // Q7: the pre-filter; issue 12: a broken store is not "untrusted".
        if statement
            .verification()
            .action(ValidationType::Authenticity)
            != ValidationAction::Enforce
        {
            return true;
        }
        let mut known = Vec::new();
        for store in statement.trust_stores().iter().filter(|s| {
            matches!(
                s.store_type(),
                TrustStoreType::Ca | TrustStoreType::SigningAuthority
            )
        }) {
            match self
                .stores
                .get(&(store.store_type(), store.name().to_string()))
            {
                Some(Ok(certs)) => known.extend(certs.iter().map(|c| c.sha256_fingerprint_hex())),
                Some(Err(_)) | None => return true,
            }
        }
        known.sort();
        thumbprints
            .iter()
            .any(|t| known.binary_search(&t.to_ascii_lowercase()).is_ok())
    }

    /// The errors of the trust stores the policies name that could not be
    /// loaded (missing, unreadable, or holding invalid certificates), in
    /// the order of type and name. [`VerifierBuilder::build`] does not fail
    /// for them; a program that wants to refuse such a configuration up
    /// front checks that this is empty.
    pub fn trust_store_errors(&self) -> Vec<&TrustStoreError> {
        let mut errors: Vec<_> = self
            .stores
            .iter()
            .filter_map(|((store_type, name), loaded)| {
                loaded
                    .as_ref()
                    .err()
                    .map(|e| ((*store_type, name.as_str()), e))
            })
            .collect();
        errors.sort_by(|a, b| a.0.cmp(&b.0));
        errors.into_iter().map(|(_, e)| e).collect()
    }

    fn now(&self) -> OffsetDateTime {
        self.verification_time
            .unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Verifies a blob signature: selects the blob policy, verifies the
    /// signature, then hashes the blob with the hash of the signing
    /// key's algorithm and compares digest, size and, if asked, media type,
    /// then the user metadata.
    // Requirements: S3, N2-N8, N9, N10.
    pub fn verify_blob(
        &self,
        envelope: &[u8],
        format: EnvelopeFormat,
        blob: &mut dyn std::io::Read,
        options: &BlobVerifyOptions,
    ) -> Result<VerificationOutcome, VerificationError> {
        self.verify_blob_with(envelope, format, options, &mut |hash| {
            Descriptor::of_reader(crate::payload::DEFAULT_BLOB_MEDIA_TYPE, hash, blob)
                .map_err(|e| e.to_string())
        })
    }

    /// As [`Verifier::verify_blob`], with the envelope format (JWS or COSE)
    /// detected from the signature's bytes ([`EnvelopeFormat::detect`]);
    /// bytes of neither format are [`VerificationError::UnknownEnvelopeFormat`].
    ///
    /// Revocation: unless the builder was given a checker (for example
    /// notation-oci's online one), no OCSP or CRL server is contacted, so a
    /// certificate that names revocation servers has an unknown revocation
    /// status, which fails `strict` and is logged by the other levels.
    pub fn verify_blob_auto(
        &self,
        signature: &[u8],
        blob: &mut dyn std::io::Read,
        options: &BlobVerifyOptions,
    ) -> Result<VerificationOutcome, VerificationError> {
        let format =
            EnvelopeFormat::detect(signature).ok_or(VerificationError::UnknownEnvelopeFormat)?;
        self.verify_blob(signature, format, blob, options)
    }

    /// As [`Verifier::verify_blob`], with the blob's descriptor computed by
    /// the caller for the requested hash (for content that is not at hand as
    /// a reader, or already digested). The descriptor's media type is
    /// ignored; `options` carries the one to enforce.
    pub fn verify_blob_with(
        &self,
        envelope: &[u8],
        format: EnvelopeFormat,
        options: &BlobVerifyOptions,
        descriptor: &mut dyn FnMut(crate::algorithm::HashAlgorithm) -> Result<Descriptor, String>,
    ) -> Result<VerificationOutcome, VerificationError> {
        // A media type to enforce is checked first, as the reference
        // checks it (an empty one enforces nothing).
        if let Some(m) = options.media_type.as_deref().filter(|m| !m.is_empty()) {
            crate::payload::check_media_type(m).map_err(VerificationError::MediaType)?;
        }
        let statement = self.blob_statement(options.policy_name.as_deref())?;
        if statement.verification().is_skip() {
            return Ok(VerificationOutcome::skipped(statement));
        }
        let outcome = self.verify_signature_with_plugin_config(
            statement,
            envelope,
            format.media_type(),
            &options.plugin_config,
        )?;
        let (outcome, payload) = outcome.with_payload()?;
        let hash = outcome
            .signature_algorithm()
            .expect("verified outcome has content")
            .hash();
        // The blob's descriptor carries the user metadata asked for, as
        // notation-go builds it: a reserved key fails here.
        let actual = descriptor(hash).and_then(|mut d| {
            d.add_user_metadata(&options.user_metadata)
                .map_err(|e| e.to_string())?;
            Ok(d)
        });
        let actual = match actual {
            Ok(d) => d,
            Err(e) => {
                return Err(VerificationError::Descriptor {
                    outcome: Box::new(outcome),
                    detail: e,
                });
            }
        };
        let signed = &payload.target_artifact;
        // When both fail, the user metadata's failure is the one reported
        // (notation-go records the mismatch, then overwrites it).
        if !signed.has_user_metadata(&options.user_metadata) {
            return Err(VerificationError::UserMetadata(Box::new(outcome)));
        }
        if actual.digest != signed.digest
            || actual.size != signed.size
            || options
                .media_type
                .as_ref()
                .is_some_and(|m| *m != signed.media_type)
        {
            return Err(VerificationError::BlobMismatch(Box::new(outcome)));
        }
        Ok(outcome)
    }

    /// Verifies one signature of an OCI artifact:
    /// selects the policy by reference, verifies the signature, then
    /// compares the signed descriptor with the artifact's and the
    /// user metadata.
    // Requirements: A6, N9, N10.
    pub fn verify_artifact(
        &self,
        artifact_reference: &str,
        artifact: &Descriptor,
        envelope: &[u8],
        envelope_media_type: &str,
        options: &ArtifactVerifyOptions,
    ) -> Result<VerificationOutcome, VerificationError> {
        let statement = self.oci_statement(artifact_reference)?;
        self.verify_artifact_with(statement, artifact, envelope, envelope_media_type, options)
    }

    /// As [`Verifier::verify_artifact`] with the statement already selected.
    pub fn verify_artifact_with(
        &self,
        statement: &PolicyStatement,
        artifact: &Descriptor,
        envelope: &[u8],
        envelope_media_type: &str,
        options: &ArtifactVerifyOptions,
    ) -> Result<VerificationOutcome, VerificationError> {
        if statement.verification().is_skip() {
            return Ok(VerificationOutcome::skipped(statement));
        }
        let outcome = self.verify_signature_with_plugin_config(
            statement,
            envelope,
            envelope_media_type,
            &options.plugin_config,
        )?;
        let (outcome, payload) = outcome.with_payload()?;
        // When both fail, the user metadata's failure is the one reported
        // (notation-go records the mismatch, then overwrites it).
        if !payload
            .target_artifact
            .has_user_metadata(&options.user_metadata)
        {
            return Err(VerificationError::UserMetadata(Box::new(outcome)));
        }
        if !payload.target_artifact.same_content(artifact) {
            return Err(VerificationError::DescriptorMismatch(Box::new(outcome)));
        }
        Ok(outcome)
    }

    /// Verifies one signature envelope under a policy statement: the
    /// verification procedure without the payload checks. Under a `skip`
    /// statement nothing is read: the outcome is skipped and has no content
    /// (no signer), as from [`Verifier::verify_blob`]. A verification plugin
    /// gets no configuration; see
    /// [`Verifier::verify_signature_with_plugin_config`].
    pub fn verify_signature(
        &self,
        statement: &PolicyStatement,
        envelope: &[u8],
        envelope_media_type: &str,
    ) -> Result<VerificationOutcome, VerificationError> {
        self.verify_signature_with_plugin_config(
            statement,
            envelope,
            envelope_media_type,
            &PluginConfig::new(),
        )
    }

    /// As [`Verifier::verify_signature`], passing `plugin_config` to the
    /// verification plugin the signature requires, if any.
    // Requirements: R8.
    pub fn verify_signature_with_plugin_config(
        &self,
        statement: &PolicyStatement,
        envelope: &[u8],
        envelope_media_type: &str,
        plugin_config: &PluginConfig,
    ) -> Result<VerificationOutcome, VerificationError> {
        // Nothing verified, nothing to show: an envelope's signer is never
        // presented as verified under `skip`.
        if statement.verification().is_skip() {
            return Ok(VerificationOutcome::skipped(statement));
        }
        let now = self.now();
        let mut outcome = VerificationOutcome::new(statement);
        let verification = *statement.verification();
        let record = |outcome: &mut VerificationOutcome,
                      check: ValidationType,
                      failure: Option<CheckFailure>| {
            outcome.push(CheckResult::new(check, verification.action(check), failure));
            outcome.enforced_failure().is_some()
        };

        // N2: integrity, always enforced (M3).
        let (content, format) = match self.integrity(envelope, envelope_media_type) {
            Ok(verified) => verified,
            Err(failure) => {
                record(&mut outcome, ValidationType::Integrity, Some(failure));
                return Err(VerificationError::Check(Box::new(outcome)));
            }
        };
        record(&mut outcome, ValidationType::Integrity, None);
        outcome.set_content(content.clone(), format);
        let info = &content.signer_info;

        // N3: the verification plugin the signature names, if any (B6, R8).
        let plugin = match self.verification_plugin(info, plugin_config) {
            Ok(plugin) => plugin,
            Err(PluginStepError::Inconclusive(reason)) => {
                return Err(VerificationError::Inconclusive {
                    outcome: Box::new(outcome),
                    reason,
                });
            }
            Err(PluginStepError::Plugin(error)) => {
                return Err(VerificationError::Plugin {
                    outcome: Box::new(outcome),
                    error,
                });
            }
        };
        let delegated = |capability: &Capability| {
            plugin
                .as_ref()
                .is_some_and(|p| p.capabilities.contains(capability))
        };

        // N4: authenticity: trust store, then trusted identity (M2) unless
        // the plugin verifies identities. After a trust-store failure (only
        // logged) the identity is not checked: the trust store's failure is
        // the one recorded, as the reference CLI reports it (MANIFEST 01).
        let store = self
            .authenticity(
                statement,
                info.signed.signing_scheme,
                &info.certificate_chain,
            )
            .err();
        let anchored = store.is_none();
        let identity = if !anchored || delegated(&Capability::TrustedIdentityVerifier) {
            None
        } else {
            let subject = |leaf: &Certificate| match &self.chain_cache {
                Some(cache) => cache.subject(leaf),
                None => ParsedDn::from_subject(leaf.subject()).map(Arc::new),
            };
            verify_trusted_identities_with(
                statement.name(),
                statement.trusted_identities(),
                info.leaf(),
                &subject,
            )
            .err()
            .map(CheckFailure::TrustedIdentity)
        };
        let authenticity = identity.or(store);
        if record(&mut outcome, ValidationType::Authenticity, authenticity) {
            return Err(VerificationError::Check(Box::new(outcome)));
        }

        // N5: expiry.
        let expiry = info
            .signed
            .expiry
            .filter(|e| now >= *e)
            .map(|expiry| CheckFailure::Expired { expiry });
        if record(&mut outcome, ValidationType::Expiry, expiry) {
            return Err(VerificationError::Check(Box::new(outcome)));
        }

        // N6: authentic timestamp.
        let timestamp = self.authentic_timestamp(statement, &content, now).err();
        if record(&mut outcome, ValidationType::AuthenticTimestamp, timestamp) {
            return Err(VerificationError::Check(Box::new(outcome)));
        }

        // N7: revocation, unless skipped or done by the plugin.
        let revocation_skipped =
            verification.action(ValidationType::Revocation) == ValidationAction::Skip;
        if !revocation_skipped && !delegated(&Capability::RevocationCheckVerifier) {
            // Issue 8 (Low 1): a chain that no trust store anchors (its
            // failure only logged, as `audit` does) names URLs of its
            // maker's choosing: none is fetched, and revocation counts as
            // not established. A chain that names none is checked as usual
            // (nothing is fetched). A chain a trust store anchors is checked
            // whatever its identity, as notation-go checks it.
            let chain = &content.signer_info.certificate_chain;
            let names_urls = chain
                .iter()
                .take(chain.len().saturating_sub(1))
                .any(crate::revocation::is_revocable);
            let revocation = if anchored || !names_urls {
                self.revocation_check(&content).err()
            } else {
                Some(CheckFailure::RevocationNotChecked)
            };
            if record(&mut outcome, ValidationType::Revocation, revocation) {
                return Err(VerificationError::Check(Box::new(outcome)));
            }
        }

        // N8: the plugin's checks. Revocation is not asked for when the
        // policy skips it (R8).
        let Some(plugin) = plugin else {
            return Ok(outcome);
        };
        let capabilities: Vec<Capability> = plugin
            .capabilities
            .iter()
            .filter(|c| !(revocation_skipped && **c == Capability::RevocationCheckVerifier))
            .cloned()
            .collect();
        if capabilities.is_empty() {
            return Ok(outcome);
        }
        let request = verify_request(info, statement, capabilities.clone(), plugin_config);
        let response = match plugin.plugin.verify_signature(&request) {
            Ok(response) => response,
            Err(source) => {
                return Err(VerificationError::Plugin {
                    outcome: Box::new(outcome),
                    error: Box::new(PluginVerificationError::Execution {
                        plugin: plugin.name,
                        error: source,
                    }),
                });
            }
        };
        // Every extended attribute sent must come back processed (B5),
        // looked up in a set: an envelope may carry a million of them.
        let processed: std::collections::HashSet<&str> = response
            .processed_attributes
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        if let Some(attribute) = request
            .signature
            .unprocessed_attributes
            .iter()
            .flatten()
            .find(|a| !processed.contains(a.as_str()))
        {
            return Err(VerificationError::Plugin {
                outcome: Box::new(outcome),
                error: Box::new(PluginVerificationError::UnprocessedAttribute {
                    plugin: plugin.name,
                    attribute: attribute.clone(),
                }),
            });
        }
        for capability in &capabilities {
            let Some(result) = response.result(capability) else {
                let reason = format!(
                    "verification plugin {} failed to verify {}",
                    GoQuoted(&plugin.name),
                    GoQuoted(capability.as_str())
                );
                return Err(VerificationError::Inconclusive {
                    outcome: Box::new(outcome),
                    reason,
                });
            };
            match capability {
                Capability::TrustedIdentityVerifier if !result.success => {
                    outcome.set_failure(
                        ValidationType::Authenticity,
                        CheckFailure::PluginTrustedIdentity {
                            plugin: plugin.name.clone(),
                            reason: result.reason.clone(),
                        },
                    );
                    if outcome.enforced_failure().is_some() {
                        return Err(VerificationError::Check(Box::new(outcome)));
                    }
                }
                Capability::RevocationCheckVerifier => {
                    let failure = (!result.success).then(|| CheckFailure::PluginRevocation {
                        plugin: plugin.name.clone(),
                        reason: result.reason.clone(),
                    });
                    if record(&mut outcome, ValidationType::Revocation, failure) {
                        return Err(VerificationError::Check(Box::new(outcome)));
                    }
                }
                _ => {}
            }
        }
        Ok(outcome)
    }

    /// The crypto provider in use: the builder's, behind the chain cache
    /// when it is on.
    pub fn crypto_provider(&self) -> &Arc<dyn CryptoProvider> {
        &self.crypto
    }
}

/// Parses the verified payload (only after the signature verified).
// Requirements: A7.
pub(crate) fn parse_payload(
    content: &EnvelopeContent,
) -> Result<Payload, crate::payload::PayloadError> {
    Payload::from_json(&content.payload)
}
