//! What a verification found: every check with its action and result.

use std::fmt;

use time::OffsetDateTime;

use crate::algorithm::SignatureAlgorithm;
use crate::envelope::{EnvelopeContent, EnvelopeError, EnvelopeFormat};
use crate::payload::{Payload, PayloadError};
use crate::plugin::PluginError;
use crate::revocation::RevocationError;
use crate::timefmt;
use crate::timestamp::TimestampError;
use crate::trust::{
    EffectiveVerification, GoQuoted, PolicySelectionError, PolicyStatement, TrustStoreError,
    TrustedIdentityError, ValidationAction, ValidationType, VerificationLevel,
};
use crate::x509::Certificate;
use crate::x509::chain::ChainError;

/// Why one check failed. Display texts follow the reference.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckFailure {
    /// Integrity: the envelope could not be parsed.
    // Requirements: N2.
    #[error("unable to parse the digital signature, error : {0}")]
    Parse(EnvelopeError),
    /// Integrity: signature, envelope rules, chain rules or content type.
    // Requirements: N2.
    #[error("{0}")]
    Envelope(EnvelopeError),
    /// Integrity: a critical attribute nothing will process.
    // Requirements: B5.
    #[error(
        "extended critical attribute {0:?} is not supported and no verification plugin is declared to process it"
    )]
    UnprocessedCriticalAttribute(String),
    /// Authenticity: a trust store could not be read.
    // Requirements: M2.
    #[error("{0}")]
    TrustStore(TrustStoreError),
    /// Authenticity: the statement's stores of the scheme's type are empty.
    #[error("no trusted certificates are found to verify authenticity")]
    NoTrustedCertificates,
    /// Authenticity: no chain certificate is trusted.
    // Requirements: I7.
    #[error("the signature's certificate chain does not contain any trusted certificate")]
    Untrusted,
    /// Authenticity: the leaf matches no trusted identity.
    // Requirements: L.
    #[error("{0}")]
    TrustedIdentity(TrustedIdentityError),
    /// Expiry.
    // Requirements: N5.
    #[error("digital signature has expired on {:?}", timefmt::rfc1123z(*expiry))]
    Expired {
        /// The signed expiry.
        expiry: OffsetDateTime,
    },
    /// Authentic timestamp, no timestamp verification: a chain certificate
    /// is not yet valid.
    // Requirements: O2.
    #[error(
        "verification time is before certificate {subject:?} validity period, it will be valid from {:?}",
        timefmt::rfc1123z(*not_before)
    )]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Its validity start.
        not_before: OffsetDateTime,
    },
    /// Authentic timestamp, no timestamp verification: a chain certificate
    /// has expired.
    // Requirements: O2.
    #[error(
        "verification time is after certificate {subject:?} validity period, it was expired at {:?}",
        timefmt::rfc1123z(*not_after)
    )]
    CertificateExpired {
        /// The certificate.
        subject: String,
        /// Its validity end.
        not_after: OffsetDateTime,
    },
    /// Authentic timestamp, signing authority: a chain certificate was not
    /// valid at the authentic signing time.
    // Requirements: F3.
    #[error(
        "certificate {subject:?} was not valid when the digital signature was produced at {:?}",
        timefmt::rfc1123z(*signing_time)
    )]
    NotValidAtAuthenticSigningTime {
        /// The certificate.
        subject: String,
        /// The authentic signing time.
        signing_time: OffsetDateTime,
    },
    /// Authentic timestamp: verification was required and there is no
    /// countersignature.
    // Requirements: O3.
    #[error("no timestamp countersignature was found in the signature envelope")]
    NoTimestamp,
    /// Authentic timestamp: the token does not parse.
    // Requirements: O3.
    #[error("failed to parse timestamp countersignature with error: {0}")]
    TimestampParse(TimestampError),
    /// Authentic timestamp: the TSTInfo does not decode.
    // Requirements: O3.
    #[error("failed to get the timestamp TSTInfo with error: {0}")]
    TimestampInfo(TimestampError),
    /// Authentic timestamp: the TSTInfo is invalid or its imprint is not the
    /// hash of the signature.
    // Requirements: O1, O3.
    #[error("failed to get timestamp from timestamp countersignature with error: {0}")]
    TimestampImprint(TimestampError),
    /// Authentic timestamp: a `tsa` store could not be read.
    #[error("failed to load tsa trust store with error: {0}")]
    TsaTrustStore(TrustStoreError),
    /// Authentic timestamp: the `tsa` stores hold no certificate.
    #[error("no trusted TSA certificate found in trust store")]
    NoTrustedTsaCertificate,
    /// Authentic timestamp: the token's signature or TSA chain does not
    /// verify against the `tsa` stores at the timestamp's time.
    // Requirements: O3.
    #[error("failed to verify the timestamp countersignature with error: {0}")]
    TimestampVerification(TimestampError),
    /// Authentic timestamp: the TSA chain breaks the rules.
    // Requirements: H4, H1.
    #[error("failed to validate the timestamping certificate chain with error: {0}")]
    TimestampChain(ChainError),
    /// Authentic timestamp: the timestamp range may start before a signing
    /// certificate was valid.
    // Requirements: O4.
    #[error(
        "timestamp can be before certificate {subject:?} validity period, it will be valid from {:?}",
        timefmt::rfc1123z(*not_before)
    )]
    TimestampBeforeCertificate {
        /// The certificate.
        subject: String,
        /// Its validity start.
        not_before: OffsetDateTime,
    },
    /// Authentic timestamp: the timestamp range may end after a signing
    /// certificate expired.
    // Requirements: O4.
    #[error(
        "timestamp can be after certificate {subject:?} validity period, it was expired at {:?}",
        timefmt::rfc1123z(*not_after)
    )]
    TimestampAfterCertificate {
        /// The certificate.
        subject: String,
        /// Its validity end.
        not_after: OffsetDateTime,
    },
    /// Authentic timestamp: the TSA chain could not be checked for
    /// revocation (always enforced when timestamps are verified).
    // Requirements: O3.
    #[error("failed to check timestamping certificate chain revocation with error: {0}")]
    TsaRevocationError(RevocationError),
    /// Authentic timestamp: a TSA chain certificate is revoked.
    #[error("timestamping certificate with subject {subject:?} is revoked")]
    TsaRevoked {
        /// The certificate.
        subject: String,
    },
    /// Authentic timestamp: a TSA chain certificate's revocation status is
    /// unknown.
    #[error("timestamping certificate with subject {subject:?} revocation status is unknown")]
    TsaRevocationUnknown {
        /// The certificate.
        subject: String,
    },
    /// Revocation: the checker failed.
    #[error("unable to check revocation status, err: {0}")]
    RevocationError(RevocationError),
    /// Revocation: not checked, because the chain failed authenticity (its
    /// OCSP and CRL URLs are not fetched: whoever made an untrusted chain
    /// chose them). A deliberate difference from the reference, which
    /// fetches them.
    #[error(
        "revocation status was not checked: the certificate chain failed the authenticity check, so its OCSP and CRL URLs are not trusted"
    )]
    RevocationNotChecked,
    /// Revocation: a certificate is revoked.
    #[error("signing certificate with subject {subject:?} is revoked")]
    Revoked {
        /// The revoked certificate.
        subject: String,
    },
    /// Revocation: a certificate's status could not be determined.
    // Requirements: P1.
    #[error("signing certificate with subject {subject:?} revocation status is unknown")]
    RevocationUnknown {
        /// The certificate.
        subject: String,
    },
    /// Authenticity: the verification plugin's `TRUSTED_IDENTITY` check
    /// failed ("identify" is the reference's spelling).
    // Requirements: R8.
    #[error(
        "trusted identify verification by plugin {} failed with reason {}",
        GoQuoted(.plugin),
        GoQuoted(.reason)
    )]
    PluginTrustedIdentity {
        /// The plugin.
        plugin: String,
        /// The plugin's reason.
        reason: String,
    },
    /// Revocation: the verification plugin's `REVOCATION_CHECK` failed.
    // Requirements: R8.
    #[error(
        "revocation check by verification plugin {} failed with reason {}",
        GoQuoted(.plugin),
        GoQuoted(.reason)
    )]
    PluginRevocation {
        /// The plugin.
        plugin: String,
        /// The plugin's reason.
        reason: String,
    },
}

/// Why the verification plugin a signature requires could not give a
/// verdict, when the reference reports it as an error rather than as a
/// check or as inconclusive.
// Requirements: R8.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginVerificationError {
    /// `get-plugin-metadata` failed or its answer is invalid.
    #[error("{0}")]
    Metadata(PluginError),
    /// `verify-signature` failed or its answer does not parse.
    #[error("failed to verify with plugin {plugin}: {error}")]
    Execution {
        /// The plugin.
        plugin: String,
        /// Why.
        error: PluginError,
    },
    /// The plugin did not list an extended attribute as processed.
    #[error(
        "extended critical attribute {} was not processed by the verification plugin {} (all extended critical attributes must be processed by the verification plugin)",
        GoQuoted(.attribute),
        GoQuoted(.plugin)
    )]
    UnprocessedAttribute {
        /// The plugin.
        plugin: String,
        /// The attribute's name.
        attribute: String,
    },
}

/// One check: its type, the action the policy gives it, and its failure.
#[derive(Clone, Debug)]
pub struct CheckResult {
    check: ValidationType,
    action: ValidationAction,
    failure: Option<CheckFailure>,
}

impl CheckResult {
    pub(crate) fn new(
        check: ValidationType,
        action: ValidationAction,
        failure: Option<CheckFailure>,
    ) -> Self {
        Self {
            check,
            action,
            failure,
        }
    }

    /// Which check.
    pub fn check(&self) -> ValidationType {
        self.check
    }

    /// The action the policy gives it.
    pub fn action(&self) -> ValidationAction {
        self.action
    }

    /// Why it failed, if it did.
    pub fn failure(&self) -> Option<&CheckFailure> {
        self.failure.as_ref()
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// Whether it failed under `enforce`.
    pub fn is_enforced_failure(&self) -> bool {
        self.failure.is_some() && self.action == ValidationAction::Enforce
    }
}

/// The outcome of verifying one signature.
#[derive(Clone, Debug)]
pub struct VerificationOutcome {
    policy_name: String,
    verification: EffectiveVerification,
    results: Vec<CheckResult>,
    content: Option<EnvelopeContent>,
    envelope_format: Option<EnvelopeFormat>,
    payload: Option<Payload>,
}

impl VerificationOutcome {
    pub(crate) fn new(statement: &PolicyStatement) -> Self {
        Self {
            policy_name: statement.name().to_string(),
            verification: *statement.verification(),
            results: Vec::new(),
            content: None,
            envelope_format: None,
            payload: None,
        }
    }

    pub(crate) fn skipped(statement: &PolicyStatement) -> Self {
        Self::new(statement)
    }

    pub(crate) fn push(&mut self, result: CheckResult) {
        self.results.push(result);
    }

    /// Replaces the failure of a recorded check (a verification plugin's
    /// verdict on trusted identity replaces the authenticity result).
    // Requirements: R8.
    pub(crate) fn set_failure(&mut self, check: ValidationType, failure: CheckFailure) {
        if let Some(r) = self.results.iter_mut().find(|r| r.check == check) {
            r.failure = Some(failure);
        }
    }

    pub(crate) fn set_content(&mut self, content: EnvelopeContent, format: EnvelopeFormat) {
        self.content = Some(content);
        self.envelope_format = Some(format);
    }

    /// Parses the payload of a verified signature.
    pub(crate) fn with_payload(mut self) -> Result<(Self, Payload), VerificationError> {
        let content = self
            .content
            .as_ref()
            .expect("called after integrity passed");
        match super::parse_payload(content) {
            Ok(p) => {
                self.payload = Some(p.clone());
                Ok((self, p))
            }
            Err(e) => Err(VerificationError::Payload {
                outcome: Box::new(self),
                error: e,
            }),
        }
    }

    /// Name of the policy statement applied.
    pub fn policy_name(&self) -> &str {
        &self.policy_name
    }

    /// The verification level and actions applied.
    pub fn verification(&self) -> &EffectiveVerification {
        &self.verification
    }

    /// Whether the policy said `skip`: nothing was verified.
    pub fn is_skipped(&self) -> bool {
        self.verification.level() == VerificationLevel::Skip
    }

    /// Every check performed, in order.
    pub fn results(&self) -> &[CheckResult] {
        &self.results
    }

    /// The result of one check, if it ran.
    pub fn result(&self, check: ValidationType) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }

    /// Checks that failed under `log`: warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &CheckResult> {
        self.results
            .iter()
            .filter(|r| r.failure.is_some() && r.action == ValidationAction::Log)
    }

    /// The check that failed under `enforce`, if any.
    pub fn enforced_failure(&self) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.is_enforced_failure())
    }

    /// The verified envelope content (present once integrity passed).
    pub fn content(&self) -> Option<&EnvelopeContent> {
        self.content.as_ref()
    }

    /// The format of the verified envelope (JWS or COSE), present once
    /// integrity passed; [`EnvelopeFormat::media_type`] gives its media type.
    pub fn envelope_format(&self) -> Option<EnvelopeFormat> {
        self.envelope_format
    }

    /// The signed payload (present once the payload was read).
    pub fn payload(&self) -> Option<&Payload> {
        self.payload.as_ref()
    }

    /// The signing certificate (the leaf of the signature's chain), present
    /// once integrity passed: for a successful verification, the verified
    /// signer. Its subject and SHA-256 fingerprint identify who signed.
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        self.content.as_ref().and_then(|c| c.signer_info.try_leaf())
    }

    /// The signature's certificate chain, leaf first (empty when the policy
    /// said `skip` or the envelope did not verify).
    pub fn certificate_chain(&self) -> &[Certificate] {
        self.content
            .as_ref()
            .map_or(&[], |c| c.signer_info.certificate_chain.as_slice())
    }

    /// The signature algorithm of the verified envelope.
    pub fn signature_algorithm(&self) -> Option<SignatureAlgorithm> {
        self.content
            .as_ref()
            .map(|c| c.signer_info.signature_algorithm)
    }
}

/// Why verification failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerificationError {
    /// The verifier was built without any policy.
    #[error("a verifier needs an OCI or a blob trust policy")]
    NoPolicy,
    /// No OCI trust policy was configured.
    #[error("no OCI trust policy is configured")]
    NoOciPolicy,
    /// No blob trust policy was configured.
    #[error("no blob trust policy is configured")]
    NoBlobPolicy,
    /// No statement applies.
    // Requirements: K1, K4.
    #[error("{0}")]
    NoApplicablePolicy(PolicySelectionError),
    /// The signature is neither a JWS nor a COSE envelope (format
    /// detection of [`Verifier::verify_blob_auto`](super::Verifier::verify_blob_auto)).
    #[error("the signature is neither a JWS nor a COSE envelope")]
    UnknownEnvelopeFormat,
    /// A check failed under `enforce`; the outcome names it.
    #[error("{}", failure_text(.0))]
    Check(Box<VerificationOutcome>),
    /// The result cannot be decided (a required plugin is missing, ...).
    #[error("{reason}")]
    Inconclusive {
        /// What was checked before.
        outcome: Box<VerificationOutcome>,
        /// Why.
        reason: String,
    },
    /// The verification plugin failed or answered badly.
    // Requirements: R8.
    #[error("{error}")]
    Plugin {
        /// What was checked before.
        outcome: Box<VerificationOutcome>,
        /// Why.
        error: Box<PluginVerificationError>,
    },
    /// The verified payload is not a Notary payload.
    #[error("{error}")]
    Payload {
        /// What was checked.
        outcome: Box<VerificationOutcome>,
        /// Why.
        error: PayloadError,
    },
    /// The signed descriptor is not the artifact's.
    // Requirements: A6, W11.
    #[error("content descriptor mismatch")]
    DescriptorMismatch(Box<VerificationOutcome>),
    /// The signed digest, size or media type is not the blob's.
    // Requirements: N9.
    #[error("integrity check failed. signature does not match the given blob")]
    BlobMismatch(Box<VerificationOutcome>),
    /// The required user metadata is not in the signature.
    // Requirements: N10.
    #[error("unable to find specified metadata in the signature")]
    UserMetadata(Box<VerificationOutcome>),
    /// The media type to enforce is not a media type.
    // Requirements: A3.
    #[error(transparent)]
    MediaType(crate::payload::MediaTypeError),
    /// The blob could not be digested.
    #[error("failed to generate descriptor for given artifact. Error: {detail}")]
    Descriptor {
        /// What was checked.
        outcome: Box<VerificationOutcome>,
        /// Why.
        detail: String,
    },
}

impl VerificationError {
    /// The outcome of the signature checks, when the failure came after
    /// them or from one of them.
    pub fn outcome(&self) -> Option<&VerificationOutcome> {
        match self {
            VerificationError::Check(o)
            | VerificationError::DescriptorMismatch(o)
            | VerificationError::BlobMismatch(o)
            | VerificationError::UserMetadata(o)
            | VerificationError::Inconclusive { outcome: o, .. }
            | VerificationError::Plugin { outcome: o, .. }
            | VerificationError::Payload { outcome: o, .. }
            | VerificationError::Descriptor { outcome: o, .. } => Some(o),
            _ => None,
        }
    }

    /// The check that failed under `enforce`, if that is the reason.
    pub fn failed_check(&self) -> Option<&CheckResult> {
        match self {
            VerificationError::Check(o) => o.enforced_failure(),
            _ => None,
        }
    }
}

impl VerificationError {
    /// The trust store error behind an enforced authenticity failure: a
    /// store the policy statement names does not exist, cannot be read or
    /// holds invalid certificates. This is a configuration error (the user
    /// fixes the store or the policy, not the signature); the OCI workflow
    /// reports it as such instead of as a failure of each signature.
    pub fn trust_store_error(&self) -> Option<&TrustStoreError> {
        match self.failed_check()?.failure()? {
            CheckFailure::TrustStore(e) => Some(e),
            _ => None,
        }
    }
}

fn failure_text(outcome: &VerificationOutcome) -> String {
    match outcome.enforced_failure() {
        Some(r) => r
            .failure
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        None => "verification failed".into(),
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            None => write!(f, "{}: passed", self.check.as_str()),
            Some(e) => write!(
                f,
                "{}: failed ({:?}): {e}",
                self.check.as_str(),
                self.action
            ),
        }
    }
}
