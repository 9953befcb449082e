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

mod cache;
mod outcome;

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

pub use outcome::{
    CheckFailure, CheckResult, PluginVerificationError, VerificationError, VerificationOutcome,
};

/// Builds a [`Verifier`].
pub struct VerifierBuilder {
    trust_store: Arc<dyn TrustStore>,
    oci_policy: Option<OciTrustPolicyDocument>,
    blob_policy: Option<BlobTrustPolicyDocument>,
    crypto: Arc<dyn CryptoProvider>,
    revocation: Arc<dyn RevocationChecker>,
    timestamp_revocation: Option<Arc<dyn RevocationChecker>>,
    verification_time: Option<OffsetDateTime>,
    plugins: Option<Arc<dyn PluginLocator>>,
    chain_cache: bool,
    signature_cache: bool,
}

impl std::fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("oci_policy", &self.oci_policy.is_some())
            .field("blob_policy", &self.blob_policy.is_some())
            .field("verification_time", &self.verification_time)
            .field("plugins", &self.plugins.is_some())
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// A builder over `trust_store`. Give it at least one policy document.
    pub fn new(trust_store: Arc<dyn TrustStore>) -> Self {
        Self {
            trust_store,
            oci_policy: None,
            blob_policy: None,
            crypto: default_provider(),
            revocation: Arc::new(OfflineRevocationChecker),
            timestamp_revocation: None,
            verification_time: None,
            plugins: None,
            chain_cache: true,
            signature_cache: true,
        }
    }

    /// The OCI trust policy (for artifacts).
    pub fn oci_policy(mut self, doc: OciTrustPolicyDocument) -> Self {
        self.oci_policy = Some(doc);
        self
    }

    /// The blob trust policy (for files).
    pub fn blob_policy(mut self, doc: BlobTrustPolicyDocument) -> Self {
        self.blob_policy = Some(doc);
        self
    }

    /// The crypto provider (default: [`default_provider`], aws-lc-rs unless
    /// notation-core is built with the `ring` feature alone).
    pub fn crypto_provider(mut self, crypto: Arc<dyn CryptoProvider>) -> Self {
        self.crypto = crypto;
        self
    }

    /// How signing chains are checked for revocation (default:
    /// [`OfflineRevocationChecker`]).
    pub fn revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        self.revocation = checker;
        self
    }

    /// How timestamping chains are checked for revocation (default: the
    /// signing chain checker).
    pub fn timestamp_revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        self.timestamp_revocation = Some(checker);
        self
    }

    /// Verifies as of a fixed time instead of the clock (for tests and
    /// for re-checking past decisions).
    pub fn verification_time(mut self, t: OffsetDateTime) -> Self {
        self.verification_time = Some(t);
        self
    }

    /// Where verification plugins are found, for example a
    /// [`PluginDirectory`](crate::plugin::PluginDirectory). Without one, a
    /// signature that requires a plugin is inconclusive ("plugin not
    /// found").
    // Requirements: R8.
    pub fn plugin_locator(mut self, locator: Arc<dyn PluginLocator>) -> Self {
        self.plugins = Some(locator);
        self
    }

    /// Whether the verifier remembers the certificate signatures it has
    /// checked and the certificates it has parsed (on by default). A
    /// certificate's signature under its issuer's key depends on their bytes
    /// alone, so the verifier checks it once and a second signature from a
    /// chain already seen costs about one envelope-signature check; validity
    /// periods, expiry and revocation are checked on every verification. The cache is bounded
    /// (1 MiB of certificate data, oldest forgotten first) and shared by the
    /// threads that use the verifier.
    pub fn chain_cache(mut self, enabled: bool) -> Self {
        self.chain_cache = enabled;
        self
    }

    /// Whether the verifier also remembers the other signatures it has
    /// verified: envelope signatures, and those of timestamp tokens, OCSP
    /// responses and CRLs (on by default; part of the chain cache, so
    /// [`chain_cache(false)`](Self::chain_cache) turns it off too). Whether
    /// signature bytes verify over the signed bytes under a key depends on
    /// those bytes alone, so verifying the same signature envelope again
    /// costs parsing it and the checks that depend on time, policy and trust
    /// store, and no public-key operation. Only successes are remembered, by
    /// their exact bytes (every byte is compared on a lookup), in at most
    /// 1 MiB, oldest forgotten first. Turn it off to measure or bound the
    /// cost of verifying signatures not seen before.
    pub fn signature_cache(mut self, enabled: bool) -> Self {
        self.signature_cache = enabled;
        self
    }

    /// Builds the verifier: reads every trust store the policies name, once.
    ///
    /// A store that does not exist, cannot be read or holds invalid
    /// certificates does **not** make `build` fail: a policy document often
    /// has statements for artifacts this program never verifies, and under
    /// `audit` a broken store is only logged. The store's error is kept and
    /// reported, naming the store (`the trust store "acme" of type "ca" does
    /// not exist`), as the authenticity failure of every signature verified
    /// under a statement that uses it (notation-oci's OCI workflow reports
    /// it as a configuration error, never as "untrusted"). To refuse such a
    /// configuration up front, check
    /// [`Verifier::trust_store_errors`] after building.
    ///
    /// Fails only when no policy document was given.
    pub fn build(self) -> Result<Verifier, VerificationError> {
        if self.oci_policy.is_none() && self.blob_policy.is_none() {
            return Err(VerificationError::NoPolicy);
        }
        let statements = self
            .oci_policy
            .iter()
            .flat_map(|d| d.statements())
            .chain(self.blob_policy.iter().flat_map(|d| d.statements()));
        let mut stores = HashMap::new();
        for statement in statements {
            for store in statement.trust_stores() {
                let key = (store.store_type(), store.name().to_string());
                stores.entry(key).or_insert_with_key(|(store_type, name)| {
                    self.trust_store
                        .certificates(*store_type, name)
                        .map(Arc::<[Certificate]>::from)
                });
            }
        }
        let (crypto, chain_cache) =
            cache::with_chain_cache(self.crypto, self.chain_cache, self.signature_cache);
        if let Some(cache) = &chain_cache {
            // Parsed already: a chain ending in a trusted root does not
            // parse the root again.
            for cert in stores.values().flatten().flat_map(|certs| certs.iter()) {
                cache.remember(cert);
            }
        }
        Ok(Verifier {
            oci_policy: self.oci_policy,
            blob_policy: self.blob_policy,
            stores,
            crypto,
            chain_cache,
            timestamp_revocation: self
                .timestamp_revocation
                .unwrap_or_else(|| self.revocation.clone()),
            revocation: self.revocation,
            verification_time: self.verification_time,
            plugins: self.plugins,
        })
    }
}

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

/// Options for verifying a blob signature.
// Requirements: S3.
#[derive(Clone, Debug, Default)]
pub struct BlobVerifyOptions {
    policy_name: Option<String>,
    media_type: Option<String>,
    user_metadata: BTreeMap<String, String>,
    plugin_config: PluginConfig,
}

impl BlobVerifyOptions {
    /// Default options: the global blob policy, no media type or metadata
    /// requirement.
    pub fn new() -> Self {
        Self::default()
    }

    /// Selects the blob policy statement by name.
    // Requirements: K4.
    pub fn policy_name(mut self, name: impl Into<String>) -> Self {
        self.policy_name = Some(name.into());
        self
    }

    /// Requires the signed media type.
    // Requirements: N9.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// Requires user metadata.
    // Requirements: N10.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// Configuration passed to a verification plugin (`--plugin-config`).
    // Requirements: R8.
    pub fn plugin_config(mut self, config: PluginConfig) -> Self {
        self.plugin_config = config;
        self
    }
}

/// Options for verifying an OCI artifact signature.
#[derive(Clone, Debug, Default)]
pub struct ArtifactVerifyOptions {
    user_metadata: BTreeMap<String, String>,
    plugin_config: PluginConfig,
}

impl ArtifactVerifyOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires user metadata.
    // Requirements: N10.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// The required user metadata.
    pub fn required_user_metadata(&self) -> &BTreeMap<String, String> {
        &self.user_metadata
    }

    /// Configuration passed to a verification plugin (`--plugin-config`).
    // Requirements: R8.
    pub fn plugin_config(mut self, config: PluginConfig) -> Self {
        self.plugin_config = config;
        self
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
        doc.policy(name)
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
        let actual = match descriptor(hash) {
            Ok(d) => d,
            Err(e) => {
                return Err(VerificationError::Descriptor {
                    outcome: Box::new(outcome),
                    detail: e,
                });
            }
        };
        let signed = &payload.target_artifact;
        if actual.digest != signed.digest
            || actual.size != signed.size
            || options
                .media_type
                .as_ref()
                .is_some_and(|m| *m != signed.media_type)
        {
            return Err(VerificationError::BlobMismatch(Box::new(outcome)));
        }
        if !signed.has_user_metadata(&options.user_metadata) {
            return Err(VerificationError::UserMetadata(Box::new(outcome)));
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
        if !payload.target_artifact.same_content(artifact) {
            return Err(VerificationError::DescriptorMismatch(Box::new(outcome)));
        }
        if !payload
            .target_artifact
            .has_user_metadata(&options.user_metadata)
        {
            return Err(VerificationError::UserMetadata(Box::new(outcome)));
        }
        Ok(outcome)
    }

    /// Verifies one signature envelope under a policy statement: the
    /// verification procedure without the payload checks. The statement must not
    /// be `skip`. A verification plugin gets no configuration; see
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
        // the plugin verifies identities.
        let authenticity = self
            .authenticity(
                statement,
                info.signed.signing_scheme,
                &info.certificate_chain,
            )
            .err()
            .or_else(|| {
                if delegated(&Capability::TrustedIdentityVerifier) {
                    return None;
                }
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
            });
        let authentic = authenticity.is_none();
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
            // Issue 8 (Low 1): a chain that failed authenticity (only
            // logged, as `audit` does) names URLs of its maker's choosing:
            // none is fetched, and revocation counts as not established. A
            // chain that names none is checked as usual (nothing is fetched).
            let chain = &content.signer_info.certificate_chain;
            let names_urls = chain
                .iter()
                .take(chain.len().saturating_sub(1))
                .any(crate::revocation::is_revocable);
            let revocation = if authentic || !names_urls {
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
        // Every extended attribute sent must come back processed (B5).
        if let Some(attribute) = request
            .signature
            .unprocessed_attributes
            .iter()
            .flatten()
            .find(|a| !response.processed(a))
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

    /// The verification plugin named by the signature, located, its version at
    /// least the signature's minimum, with at least one
    /// `SIGNATURE_VERIFIER` capability. `None` when the signature names no
    /// plugin. The reference's order and messages.
    // Requirements: R8.
    fn verification_plugin(
        &self,
        info: &SignerInfo,
        plugin_config: &PluginConfig,
    ) -> Result<Option<VerificationPlugin>, PluginStepError> {
        use crate::plugin::semver;
        use PluginStepError::Inconclusive;
        let Some(name) = info.signed.critical_string(header::VERIFICATION_PLUGIN) else {
            return Ok(None);
        };
        let name = name.map_err(Inconclusive)?;
        if name.trim().is_empty() {
            return Err(Inconclusive(format!(
                "{} from extended attribute is an empty string",
                header::VERIFICATION_PLUGIN
            )));
        }
        let minimum = match info
            .signed
            .critical_string(header::VERIFICATION_PLUGIN_MIN_VERSION)
        {
            None => None,
            Some(Ok(v)) if !v.trim().is_empty() && semver::is_valid(v) => Some(v),
            Some(result) => {
                let detail = match result {
                    Err(e) => e,
                    Ok(v) if v.trim().is_empty() => format!(
                        "{} from extended attribute is an empty string",
                        header::VERIFICATION_PLUGIN_MIN_VERSION
                    ),
                    Ok(_) => format!(
                        "{} from extended attribute is not a valid SemVer",
                        header::VERIFICATION_PLUGIN_MIN_VERSION
                    ),
                };
                return Err(Inconclusive(format!(
                    "error while getting plugin minimum version, error: {detail}"
                )));
            }
        };
        let not_located = |detail: String| {
            Inconclusive(format!(
                "error while locating the verification plugin {}, make sure the plugin is installed successfully before verifying the signature. error: {detail}",
                GoQuoted(name)
            ))
        };
        let Some(locator) = &self.plugins else {
            return Err(not_located("plugin not found".into()));
        };
        let plugin = locator
            .locate(name)
            .map_err(|e| not_located(e.to_string()))?;
        let metadata = plugin
            .get_metadata(&GetMetadataRequest::new(plugin_config.clone()))
            .map_err(|e| PluginStepError::Plugin(Box::new(PluginVerificationError::Metadata(e))))?;
        if !semver::is_valid(&metadata.version) {
            return Err(Inconclusive(format!(
                "plugin {name} has pluginVersion {} which is not in valid semver format",
                metadata.version
            )));
        }
        let minimum = minimum.unwrap_or_default();
        if !semver::satisfies_minimum(&metadata.version, minimum) {
            return Err(Inconclusive(format!(
                "found plugin {name} with version {} but signature verification needs plugin version greater than or equal to {minimum}",
                metadata.version
            )));
        }
        let mut capabilities: Vec<Capability> = Vec::new();
        for c in metadata
            .capabilities
            .into_iter()
            .filter(Capability::is_verifier)
        {
            if !capabilities.contains(&c) {
                capabilities.push(c);
            }
        }
        if capabilities.is_empty() {
            return Err(Inconclusive(format!(
                "digital signature requires plugin {} with signature verification capabilities ({} and/or {}) installed",
                GoQuoted(name),
                GoQuoted(Capability::TrustedIdentityVerifier.as_str()),
                GoQuoted(Capability::RevocationCheckVerifier.as_str())
            )));
        }
        Ok(Some(VerificationPlugin {
            name: name.to_string(),
            plugin,
            capabilities,
        }))
    }

    /// Integrity: parse by media type, verify the signature and the envelope rules,
    /// refuse unknown critical attributes that no plugin will process.
    // Requirements: B5.
    fn integrity(
        &self,
        envelope: &[u8],
        media_type: &str,
    ) -> Result<(EnvelopeContent, EnvelopeFormat), CheckFailure> {
        let parsed =
            Envelope::parse_media_type(media_type, envelope).map_err(CheckFailure::Parse)?;
        let format = parsed.format();
        let content = match &self.chain_cache {
            Some(cache) => {
                parsed.verify_parsing(self.crypto.as_ref(), &|der| cache.certificate(der))
            }
            None => parsed.verify(self.crypto.as_ref()),
        }
        .map_err(CheckFailure::Envelope)?;
        let plugin_declared = content
            .signer_info
            .signed
            .extended
            .iter()
            .any(|a| a.key == header::VERIFICATION_PLUGIN.into());
        if !plugin_declared
            && let Some(attr) = content
                .signer_info
                .signed
                .extended
                .iter()
                .find(|a| a.critical)
        {
            return Err(CheckFailure::UnprocessedCriticalAttribute(
                attr.key.to_string(),
            ));
        }
        Ok((content, format))
    }

    /// The certificates of the statement's stores of one type, each
    /// store once.
    // Requirements: F4.
    fn trusted_certificates(
        &self,
        statement: &PolicyStatement,
        store_type: TrustStoreType,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        let mut seen = Vec::new();
        let mut certs = Vec::new();
        for store in statement
            .trust_stores()
            .iter()
            .filter(|s| s.store_type() == store_type)
        {
            if seen.contains(&store.name()) {
                continue;
            }
            seen.push(store.name());
            let key = (store_type, store.name().to_string());
            match self.stores.get(&key) {
                Some(Ok(loaded)) => certs.extend(loaded.iter().cloned()),
                Some(Err(e)) => return Err(e.clone()),
                // Statements come from the documents the verifier was built
                // with, so every store was loaded at build time.
                None => unreachable!("trust store {key:?} was not loaded at build time"),
            }
        }
        Ok(certs)
    }

    /// Authenticity, first half: some certificate of the chain is one of the trusted
    /// certificates of the scheme's store type.
    // Requirements: I7, F3, F4.
    fn authenticity(
        &self,
        statement: &PolicyStatement,
        scheme: SigningScheme,
        chain: &[Certificate],
    ) -> Result<(), CheckFailure> {
        let store_type = match scheme {
            SigningScheme::X509 => TrustStoreType::Ca,
            SigningScheme::X509SigningAuthority => TrustStoreType::SigningAuthority,
        };
        let trusted = self
            .trusted_certificates(statement, store_type)
            .map_err(CheckFailure::TrustStore)?;
        if trusted.is_empty() {
            return Err(CheckFailure::NoTrustedCertificates);
        }
        if chain.iter().any(|c| trusted.contains(c)) {
            Ok(())
        } else {
            Err(CheckFailure::Untrusted)
        }
    }

    /// Authentic timestamp: the timestamp countersignature for `notary.x509`,
    /// the authentic signing time for `signingAuthority`.
    // Requirements: N6, O2-O5, F3.
    fn authentic_timestamp(
        &self,
        statement: &PolicyStatement,
        content: &EnvelopeContent,
        now: OffsetDateTime,
    ) -> Result<(), CheckFailure> {
        let info = &content.signer_info;
        let chain = &info.certificate_chain;
        if info.signed.signing_scheme == SigningScheme::X509SigningAuthority {
            let t = info.signed.signing_time;
            return match chain.iter().find(|c| !c.is_valid_at(t)) {
                Some(cert) => Err(CheckFailure::NotValidAtAuthenticSigningTime {
                    subject: cert.subject().to_string(),
                    signing_time: t,
                }),
                None => Ok(()),
            };
        }
        // O2: the trigger conditions.
        let tsa_configured = statement
            .trust_stores()
            .iter()
            .any(|s| s.store_type() == TrustStoreType::Tsa);
        let perform = tsa_configured
            && match statement.verify_timestamp() {
                VerifyTimestamp::Always => true,
                VerifyTimestamp::AfterCertExpiry => chain.iter().any(|c| now > c.not_after()),
            };
        if !perform {
            for cert in chain {
                if now < cert.not_before() {
                    return Err(CheckFailure::NotYetValid {
                        subject: cert.subject().to_string(),
                        not_before: cert.not_before(),
                    });
                }
                if now > cert.not_after() {
                    return Err(CheckFailure::CertificateExpired {
                        subject: cert.subject().to_string(),
                        not_after: cert.not_after(),
                    });
                }
            }
            return Ok(());
        }
        self.timestamp_countersignature(statement, content)
    }

    /// The countersignature must be present and valid, its TSA chain
    /// trusted at the timestamp's time, the whole timestamp range inside
    /// every signing certificate's validity, and the TSA chain not revoked.
    fn timestamp_countersignature(
        &self,
        statement: &PolicyStatement,
        content: &EnvelopeContent,
    ) -> Result<(), CheckFailure> {
        let info = &content.signer_info;
        let token = info
            .unsigned
            .timestamp_signature
            .as_deref()
            .ok_or(CheckFailure::NoTimestamp)?;
        let token = SignedToken::parse(token).map_err(CheckFailure::TimestampParse)?;
        let tst_info = token.tst_info().map_err(CheckFailure::TimestampInfo)?;
        let range = tst_info
            .validate(&info.signature)
            .map_err(CheckFailure::TimestampImprint)?;
        let roots = self
            .trusted_certificates(statement, TrustStoreType::Tsa)
            .map_err(CheckFailure::TsaTrustStore)?;
        if roots.is_empty() {
            return Err(CheckFailure::NoTrustedTsaCertificate);
        }
        // O3: the TSA chain is evaluated at the timestamp's time, not now.
        let tsa_chain = token
            .verify(&roots, tst_info.gen_time(), self.crypto.as_ref())
            .map_err(CheckFailure::TimestampVerification)?;
        validate_timestamping_chain(&tsa_chain, self.crypto.as_ref())
            .map_err(CheckFailure::TimestampChain)?;
        // O4: the whole range must lie inside every signing certificate's
        // validity.
        for cert in &info.certificate_chain {
            if !range.bounded_after(cert.not_before()) {
                return Err(CheckFailure::TimestampBeforeCertificate {
                    subject: cert.subject().to_string(),
                    not_before: cert.not_before(),
                });
            }
            if !range.bounded_before(cert.not_after()) {
                return Err(CheckFailure::TimestampAfterCertificate {
                    subject: cert.subject().to_string(),
                    not_after: cert.not_after(),
                });
            }
        }
        // O3: the TSA chain's revocation is always enforced here (O5: no
        // authentic signing time for the TSA chain).
        let results = self
            .timestamp_revocation
            .check(&tsa_chain, RevocationPurpose::Timestamping, None)
            .map_err(CheckFailure::TsaRevocationError)?;
        match final_result(&results, &tsa_chain) {
            (RevocationStatus::Ok | RevocationStatus::NonRevocable, _) => Ok(()),
            (RevocationStatus::Revoked, cert) => Err(CheckFailure::TsaRevoked {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
            (RevocationStatus::Unknown, cert) => Err(CheckFailure::TsaRevocationUnknown {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
        }
    }

    /// Revocation of the signing chain.
    // Requirements: N7.
    fn revocation_check(&self, content: &EnvelopeContent) -> Result<(), CheckFailure> {
        let info = &content.signer_info;
        let chain = &info.certificate_chain;
        let results = self
            .revocation
            .check(
                chain,
                RevocationPurpose::CodeSigning,
                info.signed.authentic_signing_time(),
            )
            .map_err(CheckFailure::RevocationError)?;
        match final_result(&results, chain) {
            (RevocationStatus::Ok | RevocationStatus::NonRevocable, _) => Ok(()),
            (RevocationStatus::Revoked, cert) => Err(CheckFailure::Revoked {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
            (RevocationStatus::Unknown, cert) => Err(CheckFailure::RevocationUnknown {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
        }
    }

    /// The crypto provider in use: the builder's, behind the chain cache
    /// when it is on.
    pub fn crypto_provider(&self) -> &Arc<dyn CryptoProvider> {
        &self.crypto
    }
}

/// The verification plugin a signature uses, as located.
// Requirements: R8.
struct VerificationPlugin {
    name: String,
    plugin: Arc<dyn Plugin>,
    /// Its `SIGNATURE_VERIFIER` capabilities, in the order it lists them.
    capabilities: Vec<Capability>,
}

/// How locating the verification plugin fails: inconclusive, or an error
/// the reference returns as is.
enum PluginStepError {
    Inconclusive(String),
    Plugin(Box<PluginVerificationError>),
}

/// The `verify-signature` request as the reference builds it:
/// the Notary critical attributes (expiry always, the authentic signing
/// time for `signingAuthority`), every text-keyed extended attribute other
/// than the plugin headers as `extendedAttributes` and
/// `unprocessedAttributes` (`null` when there are none), the chain, the
/// statement's trusted identities as written, the capabilities to run.
///
/// Like the reference, and unlike the spec's wording, extended attributes
/// are sent whether or not `crit` lists them, and the plugin must process
/// them all; COSE integer-labelled attributes are not sent.
// Requirements: R8, W15.
fn verify_request(
    info: &SignerInfo,
    statement: &PolicyStatement,
    capabilities: Vec<Capability>,
    plugin_config: &PluginConfig,
) -> VerifySignatureRequest {
    let extended: Vec<(&str, &serde_json::Value)> = info
        .signed
        .extended
        .iter()
        .filter_map(|a| match &a.key {
            AttributeKey::Text(k)
                if k != header::VERIFICATION_PLUGIN
                    && k != header::VERIFICATION_PLUGIN_MIN_VERSION =>
            {
                Some((k.as_str(), &a.value))
            }
            _ => None,
        })
        .collect();
    let unprocessed =
        (!extended.is_empty()).then(|| extended.iter().map(|(k, _)| k.to_string()).collect());
    let critical_attributes = CriticalAttributes {
        content_type: info.signed.content_type.clone(),
        signing_scheme: info.signed.signing_scheme.as_str().to_string(),
        expiry: info.signed.expiry,
        authentic_signing_time: info.signed.authentic_signing_time(),
        extended_attributes: extended
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };
    let signature = SignatureDetails {
        critical_attributes,
        unprocessed_attributes: unprocessed,
        certificate_chain: info
            .certificate_chain
            .iter()
            .map(|c| c.der().to_vec())
            .collect(),
    };
    let trust_policy = PluginTrustPolicy {
        trusted_identities: statement
            .trusted_identities()
            .iter()
            .map(|i| i.as_str().to_string())
            .collect(),
        signature_verification: capabilities,
    };
    VerifySignatureRequest {
        contract_version: CONTRACT_VERSION.to_string(),
        signature,
        trust_policy,
        plugin_config: plugin_config.clone(),
    }
}

/// Parses the verified payload (only after the signature verified).
// Requirements: A7.
pub(crate) fn parse_payload(
    content: &EnvelopeContent,
) -> Result<Payload, crate::payload::PayloadError> {
    Payload::from_json(&content.payload)
}
