//! The OCI signing and verification workflows, over any
//! [`SignatureRepository`]: a registry or an OCI layout. An image index
//! (a multi-platform image) is signed and verified with every manifest it
//! lists by [`sign_recursive`] and [`verify_recursive`].
// Requirements: T1, T2, Q7, Q8.

mod recursive;

pub use recursive::{
    ManifestVerification, RecursiveVerification, sign_recursive, verify_recursive,
};

use std::collections::BTreeMap;

use notation_core::crypto::{CryptoProvider, default_provider};
use notation_core::envelope::{
    self, Envelope, EnvelopeContent, EnvelopeFormat, SignError, SignRequest,
};
use notation_core::payload::{Payload, UserMetadataError};
use notation_core::plugin::{
    PluginConfig, PluginSignError, PluginSignOptions, PluginSigner, RawPluginSigner,
};
use notation_core::signer::{LocalSigner, Signer};
use notation_core::timestamp::Timestamper;
use notation_core::trust::{PolicyStatement, TrustStoreError};
use notation_core::verifier::{
    ArtifactVerifyOptions, VerificationError, VerificationOutcome, Verifier,
};
use notation_core::x509::Certificate;
use time::{Duration, OffsetDateTime};

use crate::oci::Descriptor;
use crate::reference::Reference;
use crate::repository::{PushedSignature, RepositoryError, SignatureRepository};
use crate::signature::{
    SignatureManifest, SignatureManifestForm, signature_annotations, thumbprints,
};

/// Default number of signatures evaluated per artifact (the reference's;
/// `VerifyOptions::max_signatures` sets another).
// Requirements: U.
pub const DEFAULT_MAX_SIGNATURES: usize = 100;

/// Why a workflow failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// A digest given by the user that the store resolves differently.
    // Requirements: Q8.
    #[error("user input digest {input} does not match the resolved digest {resolved}")]
    DigestMismatch {
        /// What the user gave.
        input: String,
        /// What the store returned.
        resolved: String,
    },
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// Signing with a plugin failed.
    // Requirements: R5, R6.
    #[error(transparent)]
    PluginSign(#[from] PluginSignError),
    /// User metadata not allowed.
    // Requirements: A4.
    #[error(transparent)]
    UserMetadata(#[from] UserMetadataError),
    /// Expiry not a positive whole number of seconds (or ending past what
    /// the clock can represent).
    #[error("expiry duration must be a positive number of whole seconds")]
    InvalidExpiry,
    /// `max_signatures` of zero.
    #[error("max signatures must be a positive number")]
    InvalidMaxSignatures,
    /// A reference without a tag or digest, where the artifact must be
    /// named.
    #[error("reference {reference} names no tag or digest")]
    MissingTagOrDigest {
        /// The reference.
        reference: String,
    },
    /// The reference is not in the repository it was given with: its trust
    /// policy scope would be applied to another repository's artifact.
    #[error("reference {reference} is not in the repository {repository}")]
    RepositoryMismatch {
        /// The reference.
        reference: String,
        /// The repository (`registry/repository`).
        repository: String,
    },
    /// Policy selection failed before any store access.
    // Requirements: T2.
    #[error(transparent)]
    Policy(VerificationError),
    /// A trust store the applicable policy statement names does not exist,
    /// cannot be read or holds invalid certificates, and the statement
    /// enforces authenticity: a configuration error, reported as the
    /// reference reports it (`the trust store "acme" of type "ca" does not
    /// exist`) rather than as a failure of each signature. Under a level
    /// that only logs authenticity, it is a warning in the outcome instead.
    #[error(transparent)]
    TrustStore(TrustStoreError),
    /// No signature refers to the artifact.
    #[error(
        "no signature is associated with {reference:?}, make sure the artifact was signed successfully"
    )]
    NoSignature {
        /// The artifact reference.
        reference: String,
    },
    /// Every signature failed. The message names each signature and why it
    /// failed; `source()` is `None` because the message already says every
    /// reason (there is no single cause to chain). The typed reasons are in
    /// `failures` (also [`WorkflowError::failures`]).
    #[error(
        "signature verification failed for all the signatures associated with {reference}: {}",
        FailureSummary(.failures)
    )]
    AllFailed {
        /// The artifact reference.
        reference: String,
        /// Each signature and why it failed.
        failures: Vec<SignatureFailure>,
    },
    /// Walking an image index failed (recursive signing or verification):
    /// a limit was reached, or a manifest is malformed or of a type that
    /// cannot be followed.
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
    /// Recursive signing stopped at a manifest that could not be signed;
    /// the signatures made before it are stored (signing again adds
    /// signatures, it never replaces them).
    #[error(
        "signing {digest} failed after {} of the index's manifests were signed: {error}",
        .signed.len()
    )]
    PartiallySigned {
        /// The manifest that could not be signed.
        digest: String,
        /// The signatures stored before.
        signed: Vec<SignedArtifact>,
        /// Why it could not be signed.
        error: Box<WorkflowError>,
    },
    /// More signatures than the limit, none verified.
    // Requirements: U.
    #[error(
        "signature evaluation stopped. The configured limit of {limit} signatures to verify per artifact exceeded"
    )]
    TooManySignatures {
        /// The limit.
        limit: usize,
        /// The failures seen before stopping.
        failures: Vec<SignatureFailure>,
    },
}

impl WorkflowError {
    /// The signatures that were tried and failed, with their reasons, when
    /// verification failed because none verified (`AllFailed`,
    /// `TooManySignatures`); empty otherwise.
    pub fn failures(&self) -> &[SignatureFailure] {
        match self {
            WorkflowError::AllFailed { failures, .. }
            | WorkflowError::TooManySignatures { failures, .. } => failures,
            _ => &[],
        }
    }

    /// Whether the store has no manifest for the reference (a tag or
    /// digest that does not exist), in a registry or an OCI layout.
    pub fn is_not_found(&self) -> bool {
        matches!(self, WorkflowError::Repository(e) if e.is_not_found())
    }
}

/// Most signature failures an `AllFailed` message lists by name.
const MAX_LISTED_FAILURES: usize = 5;

/// `sha256:…: reason; sha256:…: reason` (the first few, then a count).
struct FailureSummary<'a>(&'a [SignatureFailure]);

impl std::fmt::Display for FailureSummary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, failure) in self.0.iter().take(MAX_LISTED_FAILURES).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", failure.signature.digest, failure.reason)?;
        }
        if self.0.len() > MAX_LISTED_FAILURES {
            write!(f, "; and {} more", self.0.len() - MAX_LISTED_FAILURES)?;
        }
        Ok(())
    }
}

/// One signature that did not verify.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignatureFailure {
    /// The signature manifest.
    pub signature: Descriptor,
    /// Why.
    pub reason: SignatureFailureReason,
}

/// Why one signature did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureFailureReason {
    /// It could not be fetched.
    #[error(
        "unable to retrieve digital signature with digest {digest:?} associated with {reference:?} from the Repository, error : {error}"
    )]
    Fetch {
        /// The manifest digest.
        digest: String,
        /// The artifact reference.
        reference: String,
        /// Why.
        error: Box<RepositoryError>,
    },
    /// Its chain's thumbprints match no trusted certificate, and the policy
    /// enforces authenticity: not fetched.
    // Requirements: Q7.
    #[error(
        "the thumbprints of its certificate chain match no certificate trusted by trust policy {policy:?}; it was not fetched"
    )]
    Untrusted {
        /// The policy statement.
        policy: String,
    },
    /// Verification failed.
    #[error("{0}")]
    Verification(VerificationError),
}

impl std::fmt::Display for SignatureFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "failed to verify signature with digest {}, {}",
            self.signature.digest, self.reason
        )
    }
}

/// The message prints the reason, so `source()` is `None`.
impl std::error::Error for SignatureFailure {}

/// How to sign an artifact.
#[derive(Clone)]
pub struct SignOptions<'a> {
    format: EnvelopeFormat,
    user_metadata: BTreeMap<String, String>,
    expiry: Option<Duration>,
    form: Option<SignatureManifestForm>,
    timestamper: Option<&'a dyn Timestamper>,
    signing_time: Option<OffsetDateTime>,
}

impl std::fmt::Debug for SignOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignOptions")
            .field("format", &self.format)
            .field("user_metadata", &self.user_metadata)
            .field("expiry", &self.expiry)
            .field("form", &self.form)
            .field("timestamper", &self.timestamper.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> SignOptions<'a> {
    /// Sign with `format`, in the store's default signature manifest form
    /// (the artifactType form for a registry; an OCI layout's is the config
    /// media type form, which every reference version reads there).
    pub fn new(format: EnvelopeFormat) -> Self {
        Self {
            format,
            user_metadata: BTreeMap::new(),
            expiry: None,
            form: None,
            timestamper: None,
            signing_time: None,
        }
    }

    /// User metadata.
    // Requirements: A5.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// Expiry after the signing time.
    // Requirements: B3.
    pub fn expiry(mut self, expiry: Option<Duration>) -> Self {
        self.expiry = expiry;
        self
    }

    /// The signature manifest form (default: the store's, see
    /// [`SignatureRepository::default_manifest_form`]: the artifactType
    /// form in a registry, the config media type form in an OCI layout).
    // Requirements: Q1.
    pub fn manifest_form(mut self, form: SignatureManifestForm) -> Self {
        self.form = Some(form);
        self
    }

    /// Requests an RFC 3161 timestamp.
    // Requirements: O1.
    pub fn timestamper(mut self, timestamper: Option<&'a dyn Timestamper>) -> Self {
        self.timestamper = timestamper;
        self
    }

    /// A fixed signing time (default now).
    pub fn signing_time(mut self, t: OffsetDateTime) -> Self {
        self.signing_time = Some(t);
        self
    }
}

/// The result of signing an artifact.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedArtifact {
    /// The signed artifact.
    pub artifact: Descriptor,
    /// Whether the reference was a tag resolved to a digest (tags are
    /// mutable: callers warn).
    // Requirements: Q8.
    pub resolved_from_tag: bool,
    /// What was stored.
    pub pushed: PushedSignature,
}

/// Who produces an artifact's signature.
#[derive(Clone, Copy)]
pub enum ArtifactSigner<'a> {
    /// notation-rs builds the envelope and the signer signs it: a local key
    /// ([`LocalSigner`]), a KMS, or a
    /// RAW plugin's [`RawPluginSigner`].
    Signer(&'a dyn Signer),
    /// A plugin key. Its metadata is read on every signing: a
    /// `SIGNATURE_GENERATOR.RAW` plugin signs what notation-rs builds,
    /// a `SIGNATURE_GENERATOR.ENVELOPE` plugin returns the whole envelope,
    /// which is checked, and its annotations go to the signature manifest.
    ///
    // Requirements: R3, R5, R6, Q4.
    Plugin(&'a PluginSigner),
}

impl std::fmt::Debug for ArtifactSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArtifactSigner::Signer(_) => f.write_str("ArtifactSigner::Signer"),
            ArtifactSigner::Plugin(p) => f.debug_tuple("ArtifactSigner::Plugin").field(p).finish(),
        }
    }
}

impl<'a> From<&'a PluginSigner> for ArtifactSigner<'a> {
    fn from(signer: &'a PluginSigner) -> Self {
        ArtifactSigner::Plugin(signer)
    }
}

impl<'a> From<&'a dyn Signer> for ArtifactSigner<'a> {
    fn from(signer: &'a dyn Signer) -> Self {
        ArtifactSigner::Signer(signer)
    }
}

impl<'a> From<&'a LocalSigner> for ArtifactSigner<'a> {
    fn from(signer: &'a LocalSigner) -> Self {
        ArtifactSigner::Signer(signer)
    }
}

impl<'a> From<&'a RawPluginSigner> for ArtifactSigner<'a> {
    fn from(signer: &'a RawPluginSigner) -> Self {
        ArtifactSigner::Signer(signer)
    }
}

/// The blob signer's key signs artifacts too: any [`Signer`] (a PKCS #11
/// token's, a caller's own) through `BlobSigner::from(&signer)`, or
/// `ArtifactSigner::Signer(&signer)`.
impl<'a> From<notation_core::blob::BlobSigner<'a>> for ArtifactSigner<'a> {
    fn from(signer: notation_core::blob::BlobSigner<'a>) -> Self {
        match signer {
            notation_core::blob::BlobSigner::Signer(s) => ArtifactSigner::Signer(s),
            notation_core::blob::BlobSigner::Plugin(p) => ArtifactSigner::Plugin(p),
        }
    }
}

/// Resolves a reference: a digest given must be the digest resolved.
// Requirements: Q8.
pub fn resolve(
    repo: &dyn SignatureRepository,
    reference: &str,
) -> Result<(Descriptor, bool), WorkflowError> {
    let artifact = repo.resolve(reference)?;
    let is_digest = reference.contains(':');
    if is_digest && artifact.digest != reference {
        return Err(WorkflowError::DigestMismatch {
            input: reference.into(),
            resolved: artifact.digest,
        });
    }
    Ok((artifact, !is_digest))
}

/// Signs the artifact `reference` (a tag or digest) names in `repo`: a
/// local key ([`LocalSigner`]), any [`Signer`], or a plugin key
/// ([`PluginSigner`]). The reference is resolved (a digest given must be
/// the digest stored), the envelope built and verified with the default
/// crypto provider, and stored with its signature manifest. Sign by digest
/// where you can: [`SignedArtifact::resolved_from_tag`] says when a tag was
/// resolved (tags are mutable).
///
/// ```no_run
/// use notation_core::envelope::EnvelopeFormat;
/// use notation_core::signer::LocalSigner;
/// use notation_oci::workflow::{self, SignOptions};
/// use notation_oci::{Reference, RegistryClient, RemoteRepository};
///
/// let reference = Reference::parse("registry.example.com/net-monitor:v1")?;
/// let repo = RemoteRepository::new(RegistryClient::new()?, &reference)?;
/// let signer = LocalSigner::from_files("key.pem".as_ref(), "chain.pem".as_ref())?;
/// let options = SignOptions::new(EnvelopeFormat::Cose);
/// let signed = workflow::sign_artifact(&repo, "v1", &signer, &options)?;
/// println!("signed {} as {}", signed.artifact.digest, signed.pushed.manifest.digest);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_artifact<'s>(
    repo: &dyn SignatureRepository,
    reference: &str,
    signer: impl Into<ArtifactSigner<'s>>,
    options: &SignOptions<'_>,
) -> Result<SignedArtifact, WorkflowError> {
    sign_with(
        repo,
        reference,
        signer.into(),
        options,
        default_provider().as_ref(),
    )
}

/// Signs an artifact: resolve, add user metadata, sign (the envelope is
/// verified and its chain checked before it leaves notation-core), then
/// store the envelope and the signature manifest with its annotations. As
/// [`sign_artifact`] with an explicit crypto provider.
// Requirements: T1.
pub fn sign(
    repo: &dyn SignatureRepository,
    reference: &str,
    signer: &dyn Signer,
    options: &SignOptions<'_>,
    crypto: &dyn CryptoProvider,
) -> Result<SignedArtifact, WorkflowError> {
    sign_with(
        repo,
        reference,
        ArtifactSigner::Signer(signer),
        options,
        crypto,
    )
}

/// As [`sign_artifact`] with an explicit crypto provider, with a signer of
/// either kind: a [`Signer`] or a plugin key ([`ArtifactSigner`]). With an envelope plugin, the signing time and the
/// timestamp are the plugin's; the manifest annotations are the
/// plugin's, then the thumbprints and creation time of the envelope,
/// which a plugin cannot override.
// Requirements: R6, Q4.
pub fn sign_with(
    repo: &dyn SignatureRepository,
    reference: &str,
    signer: ArtifactSigner<'_>,
    options: &SignOptions<'_>,
    crypto: &dyn CryptoProvider,
) -> Result<SignedArtifact, WorkflowError> {
    let operation = repo.begin_operation();
    let repo = operation.as_deref().unwrap_or(repo);
    let (artifact, resolved_from_tag) = resolve(repo, reference)?;
    // A6: only mediaType, digest, size (and annotations) are signed.
    let mut target = artifact.to_payload_descriptor();
    target.add_user_metadata(&options.user_metadata)?;
    let signing_time =
        envelope::truncate_seconds(options.signing_time.unwrap_or_else(OffsetDateTime::now_utc));
    let expiry =
        envelope::check_expiry(options.expiry).map_err(|_| WorkflowError::InvalidExpiry)?;
    let (bytes, content, mut annotations) = match signer {
        ArtifactSigner::Signer(signer) => {
            let request = SignRequest::new(Payload::new(target).to_json(), signer)
                .signing_time(signing_time)
                .expiry(
                    envelope::expiry_time(signing_time, expiry)
                        .map_err(|_| WorkflowError::InvalidExpiry)?,
                )
                .timestamper(options.timestamper);
            let bytes = envelope::sign(options.format, &request, crypto)?;
            let content = Envelope::parse(options.format, &bytes)
                .and_then(|e| e.content_unverified())
                .map_err(|e| WorkflowError::Sign(SignError::Envelope(e)))?;
            (bytes, content, BTreeMap::new())
        }
        ArtifactSigner::Plugin(plugin) => {
            let plugin_options = PluginSignOptions::new(options.format)
                .signing_time(signing_time)
                .expiry(expiry)
                .timestamper(options.timestamper);
            let signature = plugin.sign_artifact(&target, &plugin_options, crypto)?;
            (signature.envelope, signature.content, signature.annotations)
        }
    };
    annotations.extend(signature_annotations(
        &content.signer_info.certificate_chain,
        content.signer_info.signed.signing_time,
    ));
    let pushed = repo.push_signature(
        &artifact,
        options.format.media_type(),
        &bytes,
        annotations,
        options.form.unwrap_or_else(|| repo.default_manifest_form()),
    )?;
    Ok(SignedArtifact {
        artifact,
        resolved_from_tag,
        pushed,
    })
}

/// How to verify an artifact.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    user_metadata: BTreeMap<String, String>,
    max_signatures: usize,
    plugin_config: PluginConfig,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            user_metadata: BTreeMap::new(),
            max_signatures: DEFAULT_MAX_SIGNATURES,
            plugin_config: PluginConfig::new(),
        }
    }
}

impl VerifyOptions {
    /// Defaults: no metadata requirement, at most 100 signatures.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires user metadata.
    // Requirements: N10.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// At most this many signatures are verified (must be positive).
    // Requirements: U.
    pub fn max_signatures(mut self, n: usize) -> Self {
        self.max_signatures = n;
        self
    }

    /// Configuration for the verification plugin a signature requires
    /// (`--plugin-config`).
    // Requirements: R8.
    pub fn plugin_config(mut self, config: PluginConfig) -> Self {
        self.plugin_config = config;
        self
    }
}

/// The result of verifying an artifact.
#[derive(Debug)]
#[non_exhaustive]
pub struct ArtifactVerification {
    /// The artifact (absent when the policy said `skip`: nothing was
    /// resolved).
    pub artifact: Option<Descriptor>,
    /// Whether the reference was a tag resolved to a digest.
    pub resolved_from_tag: bool,
    /// The policy statement applied.
    pub policy: String,
    /// The signature that verified and its outcome (absent when skipped).
    pub verified: Option<(Descriptor, VerificationOutcome)>,
    /// Signatures tried before, and why they failed.
    pub failures: Vec<SignatureFailure>,
}

impl ArtifactVerification {
    /// The result of a verification that the policy statement `policy`
    /// skipped: nothing resolved, fetched or verified (what [`verify`]
    /// returns when the statement's level is `skip`).
    pub fn skipped(policy: impl Into<String>) -> Self {
        Self {
            artifact: None,
            resolved_from_tag: false,
            policy: policy.into(),
            verified: None,
            failures: Vec::new(),
        }
    }

    /// Whether the policy said `skip`.
    pub fn is_skipped(&self) -> bool {
        self.verified.is_none()
    }

    /// The result as a [`ArtifactVerdict`]: verified (with the signature,
    /// its outcome and the signer) or skipped, instead of paired options.
    pub fn into_verdict(self) -> ArtifactVerdict {
        match (self.artifact, self.verified) {
            (Some(artifact), Some((signature, outcome))) => {
                ArtifactVerdict::Verified(Box::new(VerifiedArtifact {
                    artifact,
                    resolved_from_tag: self.resolved_from_tag,
                    policy: self.policy,
                    signature,
                    outcome,
                    failures: self.failures,
                }))
            }
            _ => ArtifactVerdict::Skipped {
                policy: self.policy,
            },
        }
    }
}

/// What verifying an artifact established.
#[derive(Debug)]
#[non_exhaustive]
pub enum ArtifactVerdict {
    /// A signature of the artifact verified under the policy.
    Verified(Box<VerifiedArtifact>),
    /// The applicable policy statement's level is `skip`: nothing was
    /// resolved, fetched or verified.
    Skipped {
        /// The policy statement applied.
        policy: String,
    },
}

impl ArtifactVerdict {
    /// The verified artifact, unless verification was skipped.
    pub fn verified(&self) -> Option<&VerifiedArtifact> {
        match self {
            ArtifactVerdict::Verified(v) => Some(v),
            ArtifactVerdict::Skipped { .. } => None,
        }
    }

    /// The policy statement applied.
    pub fn policy(&self) -> &str {
        match self {
            ArtifactVerdict::Verified(v) => &v.policy,
            ArtifactVerdict::Skipped { policy } => policy,
        }
    }
}

/// An artifact one of whose signatures verified.
#[derive(Debug)]
pub struct VerifiedArtifact {
    artifact: Descriptor,
    resolved_from_tag: bool,
    policy: String,
    signature: Descriptor,
    outcome: VerificationOutcome,
    failures: Vec<SignatureFailure>,
}

impl VerifiedArtifact {
    /// The artifact's manifest descriptor (its digest is what was verified).
    pub fn artifact(&self) -> &Descriptor {
        &self.artifact
    }

    /// Whether the reference was a tag, resolved to the digest (tags are
    /// mutable: callers warn).
    pub fn resolved_from_tag(&self) -> bool {
        self.resolved_from_tag
    }

    /// The policy statement applied.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The signature manifest that verified.
    pub fn signature(&self) -> &Descriptor {
        &self.signature
    }

    /// Every check of that signature with its result, the warnings of
    /// checks the policy only logs, and the verified envelope content.
    pub fn outcome(&self) -> &VerificationOutcome {
        &self.outcome
    }

    /// The verified signer: the leaf certificate of the signature's chain,
    /// which the policy's trust stores and trusted identities accepted (or,
    /// under a level that only logs authenticity, the certificate that
    /// signed, trusted or not: see [`VerificationOutcome::warnings`]).
    pub fn signer(&self) -> &Certificate {
        self.outcome
            .signer_certificate()
            .expect("a verified signature has its content")
    }

    /// Signatures tried before this one, and why they failed.
    pub fn failures(&self) -> &[SignatureFailure] {
        &self.failures
    }
}

/// Verifies the artifact `reference` names, in `repo`, the repository it
/// was opened with: the trust policy statement is selected by the
/// reference's `registry/repository` (for an OCI layout, the scope of your
/// choosing, such as `local/app:v1`) and `skip` honoured before the
/// repository is touched; then the tag or digest is resolved and the
/// signatures verified in turn until one passes. A repository that knows
/// its own scope (a [`RemoteRepository`](crate::RemoteRepository)) must be
/// the reference's, so that no policy is applied to another repository's
/// artifact.
///
/// Revocation: a [`Verifier`] checks revocation with the checker its
/// builder was given; by default that is offline (no OCSP or CRL server is
/// contacted), so a certificate that names revocation servers has an
/// unknown revocation status, which fails `strict` and is logged by the
/// other levels. [`OnlineRevocation::online_revocation`](crate::OnlineRevocation::online_revocation)
/// checks over HTTP.
///
/// ```no_run
/// use std::sync::Arc;
/// use notation_core::trust::{load_oci_policy, DirTrustStore};
/// use notation_core::verifier::Verifier;
/// use notation_oci::workflow::{self, ArtifactVerdict, VerifyOptions};
/// use notation_oci::{Reference, RegistryClient, RemoteRepository};
///
/// let config = notation_core::config::config_dir();
/// let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&config)))
///     .oci_policy(load_oci_policy(&config)?)
///     .build()?;
/// let reference = Reference::parse("registry.example.com/net-monitor:v1")?;
/// let repo = RemoteRepository::new(RegistryClient::new()?, &reference)?;
/// match workflow::verify_reference(&repo, &reference, &verifier, &VerifyOptions::new())? {
///     ArtifactVerdict::Verified(v) => println!("signed by {}", v.signer().subject()),
///     _ => println!("the trust policy skips verification"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_reference(
    repo: &dyn SignatureRepository,
    reference: &Reference,
    verifier: &Verifier,
    options: &VerifyOptions,
) -> Result<ArtifactVerdict, WorkflowError> {
    // `verify` refuses a reference of another repository than `repo`.
    let scope = reference.scope();
    let tag_or_digest = reference
        .reference()
        .ok_or_else(|| WorkflowError::MissingTagOrDigest {
            reference: reference.to_string(),
        })?;
    verify(repo, &scope, tag_or_digest, verifier, options).map(ArtifactVerification::into_verdict)
}

/// Verifies an artifact: the policy statement for `scope`
/// (`registry/repository`, or the `--scope` of a layout; a registry
/// repository refuses another's with [`WorkflowError::RepositoryMismatch`])
/// is selected and
/// `skip` honoured before the store is touched; then the reference is
/// resolved, the Notary signatures listed, and each verified in
/// turn until one passes, at most `max_signatures`. Where authenticity
/// is enforced, a signature whose thumbprint annotation matches nothing
/// trusted is not fetched.
// Requirements: T2, K3, Q8, Q5, Q6, M4, Q7.
pub fn verify(
    repo: &dyn SignatureRepository,
    scope: &str,
    reference: &str,
    verifier: &Verifier,
    options: &VerifyOptions,
) -> Result<ArtifactVerification, WorkflowError> {
    if options.max_signatures == 0 {
        return Err(WorkflowError::InvalidMaxSignatures);
    }
    let display = display_reference(scope, reference);
    check_scope(repo.scope(), scope, &display)?;
    let statement = verifier
        .oci_statement_for_scope(scope, &display)
        .map_err(WorkflowError::Policy)?;
    let mut result = ArtifactVerification::skipped(statement.name());
    if statement.verification().is_skip() {
        return Ok(result);
    }
    // One budget for the whole verification: every signature fetched
    // shares it (a registry that drips cannot cost it once per signature).
    let operation = repo.begin_operation();
    let repo = operation.as_deref().unwrap_or(repo);
    let (artifact, resolved_from_tag) = resolve(repo, reference)?;
    result.resolved_from_tag = resolved_from_tag;
    let display = format!("{scope}@{}", artifact.digest);
    let verified = verify_signatures(repo, statement, &artifact, &display, verifier, options)?;
    result.artifact = Some(artifact);
    result.verified = Some((verified.signature, verified.outcome));
    result.failures = verified.failures;
    Ok(result)
}

/// Refuses a trust policy `scope` that is not the repository's own (a
/// registry's `registry/repository`): another repository's statement would
/// be applied to this one's artifacts. A store without a scope (an OCI
/// layout) takes the caller's.
pub(crate) fn check_scope(
    repository: Option<String>,
    scope: &str,
    reference: &str,
) -> Result<(), WorkflowError> {
    match repository {
        Some(repository) if repository != scope => Err(WorkflowError::RepositoryMismatch {
            reference: reference.to_string(),
            repository,
        }),
        _ => Ok(()),
    }
}

/// What [`verify_signatures`] found: the signature that verified, and those
/// tried before it.
pub(crate) struct VerifiedSignatures {
    pub(crate) signature: Descriptor,
    pub(crate) outcome: VerificationOutcome,
    pub(crate) failures: Vec<SignatureFailure>,
}

/// Verifies the Notary signatures of a resolved artifact under `statement`
/// (not `skip`), in turn until one passes, at most `max_signatures`;
/// where authenticity is enforced, a signature whose thumbprint annotation
/// matches nothing trusted is not fetched. `display` names the artifact in
/// errors (`scope@digest`). The caller runs it inside its operation.
// Requirements: Q5, Q6, M4, Q7.
pub(crate) fn verify_signatures(
    repo: &dyn SignatureRepository,
    statement: &PolicyStatement,
    artifact: &Descriptor,
    display: &str,
    verifier: &Verifier,
    options: &VerifyOptions,
) -> Result<VerifiedSignatures, WorkflowError> {
    if options.max_signatures == 0 {
        return Err(WorkflowError::InvalidMaxSignatures);
    }
    let signatures = repo.signatures(artifact)?;
    if signatures.is_empty() {
        return Err(WorkflowError::NoSignature {
            reference: display.to_string(),
        });
    }
    let count = signatures.len();
    let mut failures = Vec::new();
    let mut store_error = None;
    for (processed, signature) in signatures.into_iter().enumerate() {
        // Every signature counts against the limit, those the thumbprint
        // pre-filter skips too, as notation-go counts every one it lists.
        if processed >= options.max_signatures {
            return Err(WorkflowError::TooManySignatures {
                limit: options.max_signatures,
                failures,
            });
        }
        if let Some(prints) = thumbprints(&signature)
            && !verifier.may_be_trusted(statement, &prints)
        {
            failures.push(SignatureFailure {
                signature,
                reason: SignatureFailureReason::Untrusted {
                    policy: statement.name().to_string(),
                },
            });
            continue;
        }
        match verify_one(
            repo, statement, verifier, artifact, &signature, display, options,
        ) {
            Ok(outcome) => {
                return Ok(VerifiedSignatures {
                    signature,
                    outcome,
                    failures,
                });
            }
            // A broken trust store is a configuration error, not this
            // signature's fault (issue 12), yet another signature may not
            // need that store: the next ones are tried, as notation-go
            // tries them, and the store's error is the verdict only when
            // none verifies.
            Err(reason) => {
                if let SignatureFailureReason::Verification(e) = &reason
                    && store_error.is_none()
                {
                    store_error = e.trust_store_error().cloned();
                }
                failures.push(SignatureFailure { signature, reason });
            }
        }
    }
    // As many signatures as the limit, none verified: notation-go reports
    // the limit, whether or not more signatures were left.
    if count >= options.max_signatures {
        return Err(WorkflowError::TooManySignatures {
            limit: options.max_signatures,
            failures,
        });
    }
    if let Some(error) = store_error {
        return Err(WorkflowError::TrustStore(error));
    }
    Err(WorkflowError::AllFailed {
        reference: display.to_string(),
        failures,
    })
}

fn verify_one(
    repo: &dyn SignatureRepository,
    statement: &PolicyStatement,
    verifier: &Verifier,
    artifact: &Descriptor,
    signature: &Descriptor,
    reference: &str,
    options: &VerifyOptions,
) -> Result<VerificationOutcome, SignatureFailureReason> {
    let (manifest, envelope) = repo
        .fetch_signature(signature, artifact)
        .map_err(|source| SignatureFailureReason::Fetch {
            digest: signature.digest.clone(),
            reference: reference.to_string(),
            error: Box::new(source),
        })?;
    let opts = ArtifactVerifyOptions::new()
        .user_metadata(options.user_metadata.clone())
        .plugin_config(options.plugin_config.clone());
    verifier
        .verify_artifact_with(
            statement,
            &artifact.to_payload_descriptor(),
            &envelope,
            &manifest.envelope.media_type,
            &opts,
        )
        .map_err(SignatureFailureReason::Verification)
}

/// `scope@digest` or `scope:tag`.
pub(crate) fn display_reference(scope: &str, reference: &str) -> String {
    if reference.contains(':') {
        format!("{scope}@{reference}")
    } else {
        format!("{scope}:{reference}")
    }
}

/// Lists the signatures of an artifact (`notation list`).
pub fn list(
    repo: &dyn SignatureRepository,
    reference: &str,
) -> Result<(Descriptor, bool, Vec<Descriptor>), WorkflowError> {
    let operation = repo.begin_operation();
    let repo = operation.as_deref().unwrap_or(repo);
    let (artifact, from_tag) = resolve(repo, reference)?;
    let signatures = repo.signatures(&artifact)?;
    Ok((artifact, from_tag, signatures))
}

/// One signature as `inspect` shows it.
#[derive(Debug)]
#[non_exhaustive]
pub struct InspectedSignature {
    /// The signature manifest.
    pub signature: Descriptor,
    /// Its envelope, parsed (not verified), or why it could not be read.
    pub content: Result<(SignatureManifest, EnvelopeContent), String>,
}

/// Reads the signatures of an artifact for display (`notation inspect`):
/// nothing is verified.
pub fn inspect(
    repo: &dyn SignatureRepository,
    reference: &str,
    max_signatures: usize,
) -> Result<(Descriptor, bool, Vec<InspectedSignature>), WorkflowError> {
    if max_signatures == 0 {
        return Err(WorkflowError::InvalidMaxSignatures);
    }
    let operation = repo.begin_operation();
    let repo = operation.as_deref().unwrap_or(repo);
    let (artifact, from_tag, signatures) = list(repo, reference)?;
    if signatures.len() > max_signatures {
        return Err(WorkflowError::TooManySignatures {
            limit: max_signatures,
            failures: Vec::new(),
        });
    }
    let inspected = signatures
        .into_iter()
        .map(|signature| {
            let content = repo
                .fetch_signature(&signature, &artifact)
                .map_err(|e| e.to_string())
                .and_then(|(manifest, envelope)| {
                    let parsed =
                        Envelope::parse_media_type(&manifest.envelope.media_type, &envelope)
                            .and_then(|e| e.content_unverified())
                            .map_err(|e| e.to_string())?;
                    Ok((manifest, parsed))
                });
            InspectedSignature { signature, content }
        })
        .collect();
    Ok((artifact, from_tag, inspected))
}
