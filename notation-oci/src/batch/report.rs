//! The result of a batch verification as typed values that serialize to
//! (and read back from) the documented JSON report: one [`BatchResult`] per
//! reference, in input order, inside a [`BatchReport`] with a `version`.
//!
//! The JSON names and shapes are a stable interface (the JSON Schema is
//! `notation-oci/schema/verification-report.schema.json`): fields are only
//! ever added, in a new minor `version`.

use std::collections::BTreeMap;
use std::time::Duration;

use notation_core::timestamp::SignedToken;
use notation_core::trust::ValidationType;
use notation_core::verifier::{CheckFailure, VerificationError, VerificationOutcome};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::oci::Descriptor;
use crate::signature::thumbprints;
use crate::workflow::{SignatureFailure, SignatureFailureReason};

/// The `version` of the report this crate writes.
pub const REPORT_VERSION: &str = "1.1";

/// What verifying one reference established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum BatchOutcome {
    /// A signature verified under the trust policy statement.
    Verified,
    /// The statement's level is `skip`: nothing was resolved or verified.
    Skipped,
    /// Signatures exist and none passes the policy (signatures only from
    /// keys the policy does not trust included).
    Failed,
    /// The artifact has no Notary signature.
    Unsigned,
    /// No verdict could be reached: the reference does not parse or does
    /// not resolve, the registry failed or is down, a signature could not be
    /// fetched, or the configuration is broken (no statement applies, a
    /// trust store is missing).
    Error,
}

impl BatchOutcome {
    /// Every outcome, in the order reports count them.
    pub const ALL: [BatchOutcome; 5] = [
        BatchOutcome::Verified,
        BatchOutcome::Skipped,
        BatchOutcome::Failed,
        BatchOutcome::Unsigned,
        BatchOutcome::Error,
    ];

    /// The JSON name (`verified`, `skipped`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            BatchOutcome::Verified => "verified",
            BatchOutcome::Skipped => "skipped",
            BatchOutcome::Failed => "failed",
            BatchOutcome::Unsigned => "unsigned",
            BatchOutcome::Error => "error",
        }
    }

    /// Whether the reference passes: verified, or skipped by policy.
    pub const fn passed(self) -> bool {
        matches!(self, BatchOutcome::Verified | BatchOutcome::Skipped)
    }
}

impl std::fmt::Display for BatchOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The check a signature failed: one of the five verification checks, or
/// a step around them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum FailedCheck {
    /// The envelope, its signature, or what it signs (another artifact).
    Integrity,
    /// The certificate chain or the signer's identity.
    Authenticity,
    /// The timestamp or the certificates' validity.
    AuthenticTimestamp,
    /// The signature's expiry.
    Expiry,
    /// Certificate revocation.
    Revocation,
    /// The user metadata required (`-m`) is not in the signature.
    UserMetadata,
    /// A verification plugin failed, or a required one is not installed.
    Plugin,
    /// The signature could not be fetched from the store.
    Fetch,
    /// Anything else.
    Other,
}

impl FailedCheck {
    /// The JSON name (`integrity`, `authenticTimestamp`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            FailedCheck::Integrity => "integrity",
            FailedCheck::Authenticity => "authenticity",
            FailedCheck::AuthenticTimestamp => "authenticTimestamp",
            FailedCheck::Expiry => "expiry",
            FailedCheck::Revocation => "revocation",
            FailedCheck::UserMetadata => "userMetadata",
            FailedCheck::Plugin => "plugin",
            FailedCheck::Fetch => "fetch",
            FailedCheck::Other => "other",
        }
    }
}

impl From<ValidationType> for FailedCheck {
    fn from(check: ValidationType) -> Self {
        match check {
            ValidationType::Integrity => FailedCheck::Integrity,
            ValidationType::Authenticity => FailedCheck::Authenticity,
            ValidationType::AuthenticTimestamp => FailedCheck::AuthenticTimestamp,
            ValidationType::Expiry => FailedCheck::Expiry,
            ValidationType::Revocation => FailedCheck::Revocation,
        }
    }
}

impl std::fmt::Display for FailedCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signing certificate (the leaf of the signature's chain).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignerCertificate {
    /// Its subject, as the reference renders distinguished names
    /// (`CN=...,O=...,C=US`).
    pub subject: String,
    /// The SHA-256 fingerprint of its DER encoding, lowercase hex.
    pub sha256_fingerprint: String,
}

/// The RFC 3161 timestamp countersignature of a signature, as its token
/// states it (the token parsed and its imprint matched the signature;
/// whether it was verified against a `tsa` trust store depends on the
/// policy: see the `authenticTimestamp` check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TimestampInfo {
    /// The earliest time the token allows (its time minus its accuracy).
    #[serde(with = "rfc3339")]
    pub earliest: OffsetDateTime,
    /// The latest time the token allows (its time plus its accuracy).
    #[serde(with = "rfc3339")]
    pub latest: OffsetDateTime,
}

/// The signature that verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VerifiedSignature {
    /// The signature manifest's digest.
    pub digest: String,
    /// The envelope's media type (`application/jose+json`, `application/cose`).
    pub envelope_media_type: String,
    /// The signing scheme (`notary.x509`, `notary.x509.signingAuthority`).
    pub signing_scheme: String,
    /// The signing time the envelope states.
    #[serde(with = "rfc3339")]
    pub signing_time: OffsetDateTime,
    /// The envelope's expiry, if it has one.
    #[serde(with = "rfc3339::option")]
    pub expiry: Option<OffsetDateTime>,
    /// The signing certificate.
    pub signer: SignerCertificate,
    /// The timestamp countersignature, if the envelope has one that parses.
    pub timestamp: Option<TimestampInfo>,
    /// The user metadata the signature carries.
    pub user_metadata: BTreeMap<String, String>,
}

/// A signature that was examined and did not verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FailedSignature {
    /// The signature manifest's digest.
    pub digest: String,
    /// What failed.
    pub check: FailedCheck,
    /// Why, on one line.
    pub reason: String,
}

/// A check that failed under the policy's `log` action: a warning, not a
/// failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoggedCheck {
    /// The check.
    pub check: FailedCheck,
    /// Why it failed.
    pub reason: String,
}

/// A signature the thumbprint pre-filter set aside: where the policy
/// enforces authenticity, a signature whose manifest lists certificate
/// thumbprints none of which is trusted is not fetched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PrefilteredSignature {
    /// The signature manifest's digest.
    pub digest: String,
    /// The SHA-256 thumbprints its manifest lists (lowercase hex).
    pub thumbprints: Vec<String>,
}

/// The signatures the thumbprint pre-filter set aside.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ThumbprintSkipped {
    /// How many.
    pub count: usize,
    /// Each one.
    pub signatures: Vec<PrefilteredSignature>,
}

/// What verifying one reference found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BatchResult {
    /// The reference as given.
    pub reference: String,
    /// The artifact's manifest digest the reference resolved to (absent
    /// when it was not resolved: skipped, or an error before).
    pub digest: Option<String>,
    /// Whether the reference named a tag, resolved to `digest` (tags are
    /// mutable: verify by digest where you can).
    pub resolved_from_tag: bool,
    /// The name of the trust policy statement applied (absent when none
    /// could be selected).
    pub policy: Option<String>,
    /// The verdict.
    pub outcome: BatchOutcome,
    /// Why the reference did not pass, on one line (absent when it was
    /// verified or skipped).
    pub message: Option<String>,
    /// The signature that verified.
    pub signature: Option<VerifiedSignature>,
    /// Every signature examined that did not verify, in the order tried.
    pub failed_signatures: Vec<FailedSignature>,
    /// The checks of the verified signature that failed under `log`.
    pub warnings: Vec<LoggedCheck>,
    /// The signatures the thumbprint pre-filter set aside.
    pub thumbprint_skipped: ThumbprintSkipped,
    /// The time this reference took, in milliseconds in JSON.
    #[serde(rename = "durationMs", with = "millis")]
    pub duration: Duration,
    /// For a recursive verification of an image index
    /// ([`BatchItem::recursive`](super::BatchItem::recursive)): every
    /// manifest it lists (nested indexes too), each with its own verdict;
    /// the fields above are the index's own, except `outcome` and
    /// `message`, which cover them all. Empty otherwise. Since version 1.1.
    #[serde(default)]
    pub manifests: Vec<ManifestResult>,
}

/// What verifying one manifest listed by an image index found (recursive
/// verification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ManifestResult {
    /// The manifest's digest.
    pub digest: String,
    /// Its platform as the index lists it (`os/architecture[/variant]`),
    /// when it does.
    pub platform: Option<String>,
    /// 1 for the manifests the index lists, 2 for those of a nested index.
    pub depth: usize,
    /// Its verdict (`verified`, `failed`, `unsigned` or `error`).
    pub outcome: BatchOutcome,
    /// Why it did not pass, on one line.
    pub message: Option<String>,
    /// The signature that verified.
    pub signature: Option<VerifiedSignature>,
    /// Every signature examined that did not verify, in the order tried.
    pub failed_signatures: Vec<FailedSignature>,
    /// The checks of the verified signature that failed under `log`.
    pub warnings: Vec<LoggedCheck>,
    /// The signatures the thumbprint pre-filter set aside.
    pub thumbprint_skipped: ThumbprintSkipped,
}

impl ManifestResult {
    /// The verdict on `descriptor` (listed at `depth`) recorded in
    /// `verdict`.
    pub(crate) fn new(descriptor: &Descriptor, depth: usize, verdict: BatchResult) -> Self {
        Self {
            digest: descriptor.digest.clone(),
            platform: descriptor.platform(),
            depth,
            outcome: verdict.outcome,
            message: verdict.message,
            signature: verdict.signature,
            failed_signatures: verdict.failed_signatures,
            warnings: verdict.warnings,
            thumbprint_skipped: verdict.thumbprint_skipped,
        }
    }
}

impl BatchResult {
    /// An `error` result with `message` (the other fields empty).
    pub(crate) fn new(reference: &str) -> Self {
        Self {
            reference: reference.to_string(),
            digest: None,
            resolved_from_tag: false,
            policy: None,
            outcome: BatchOutcome::Error,
            message: None,
            signature: None,
            failed_signatures: Vec::new(),
            warnings: Vec::new(),
            thumbprint_skipped: ThumbprintSkipped::default(),
            duration: Duration::ZERO,
            manifests: Vec::new(),
        }
    }

    /// Concludes a recursive verification: the index's own verdict is
    /// already recorded; the reference passes only when it and every
    /// manifest in `manifests` verified. Otherwise the outcome is the
    /// gravest among them (`error`, then `failed`, then `unsigned`), and the
    /// message names the first manifest that did not verify.
    pub(crate) fn conclude_recursive(&mut self, manifests: Vec<ManifestResult>) {
        let rank = |o: BatchOutcome| match o {
            BatchOutcome::Error => 3,
            BatchOutcome::Failed => 2,
            BatchOutcome::Unsigned => 1,
            _ => 0,
        };
        let not_verified: Vec<&ManifestResult> = manifests
            .iter()
            .filter(|m| m.outcome != BatchOutcome::Verified)
            .collect();
        if let Some(worst) = not_verified
            .iter()
            .map(|m| m.outcome)
            .max_by_key(|o| rank(*o))
            && rank(worst) > rank(self.outcome)
        {
            self.outcome = worst;
        }
        if self.message.is_none()
            && let Some(first) = not_verified.first()
        {
            let platform = first
                .platform
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let more = match not_verified.len() - 1 {
                0 => String::new(),
                1 => "; 1 more manifest did not verify".to_string(),
                n => format!("; {n} more manifests did not verify"),
            };
            self.message = Some(format!(
                "manifest {}{platform}: {}: {}{more}",
                first.digest,
                first.outcome.as_str(),
                first.message.as_deref().unwrap_or_default()
            ));
        }
        self.manifests = manifests;
    }

    /// Sets the outcome and the message.
    pub(crate) fn conclude(&mut self, outcome: BatchOutcome, message: Option<String>) {
        self.outcome = outcome;
        self.message = message;
    }

    /// Records the signatures that did not verify: the pre-filtered ones
    /// apart. Returns whether one of them could not be fetched.
    pub(crate) fn record_failures(&mut self, failures: &[SignatureFailure]) -> bool {
        let mut fetch_failed = false;
        for failure in failures {
            let digest = failure.signature.digest.clone();
            match &failure.reason {
                SignatureFailureReason::Untrusted { .. } => {
                    self.thumbprint_skipped
                        .signatures
                        .push(PrefilteredSignature {
                            digest,
                            thumbprints: thumbprints(&failure.signature).unwrap_or_default(),
                        });
                }
                reason => {
                    let (check, reason) = failed_check(reason);
                    fetch_failed |= check == FailedCheck::Fetch;
                    self.failed_signatures.push(FailedSignature {
                        digest,
                        check,
                        reason,
                    });
                }
            }
        }
        self.thumbprint_skipped.count = self.thumbprint_skipped.signatures.len();
        fetch_failed
    }

    /// Records the signature that verified and its warnings.
    pub(crate) fn record_verified(
        &mut self,
        signature: &Descriptor,
        outcome: &VerificationOutcome,
    ) {
        self.warnings = outcome
            .warnings()
            .filter_map(|w| {
                Some(LoggedCheck {
                    check: w.check().into(),
                    reason: w.failure()?.to_string(),
                })
            })
            .collect();
        self.signature = verified_signature(signature, outcome);
    }

    /// The one-line summary of a `failed` reference: the first signature
    /// that failed, its check and why, or the pre-filter's verdict.
    pub(crate) fn failure_message(&self, policy: &str) -> String {
        let skipped = self.thumbprint_skipped.count;
        let skipped_note = match skipped {
            0 => String::new(),
            1 => "; 1 signature skipped: its certificate thumbprints match no trusted certificate"
                .to_string(),
            n => format!(
                "; {n} signatures skipped: their certificate thumbprints match no trusted certificate"
            ),
        };
        match self.failed_signatures.first() {
            Some(first) => {
                let more = match self.failed_signatures.len() - 1 {
                    0 => String::new(),
                    1 => "; 1 more signature failed".to_string(),
                    n => format!("; {n} more signatures failed"),
                };
                format!(
                    "{}: {} (signature {}){more}{skipped_note}",
                    first.check, first.reason, first.digest
                )
            }
            None => format!(
                "authenticity: no signature is signed by a certificate trusted by trust policy {policy:?}{skipped_note}"
            ),
        }
    }
}

/// The check and the one-line reason of a signature failure.
fn failed_check(reason: &SignatureFailureReason) -> (FailedCheck, String) {
    match reason {
        SignatureFailureReason::Fetch { .. } => (FailedCheck::Fetch, reason.to_string()),
        SignatureFailureReason::Untrusted { .. } => (FailedCheck::Authenticity, reason.to_string()),
        SignatureFailureReason::Verification(e) => verification_check(e),
    }
}

fn verification_check(e: &VerificationError) -> (FailedCheck, String) {
    let check = match e {
        VerificationError::Check(outcome) => match outcome.enforced_failure() {
            Some(result) => {
                let reason = result
                    .failure()
                    .map(CheckFailure::to_string)
                    .unwrap_or_else(|| e.to_string());
                return (result.check().into(), reason);
            }
            None => FailedCheck::Other,
        },
        VerificationError::UserMetadata(_) => FailedCheck::UserMetadata,
        VerificationError::DescriptorMismatch(_)
        | VerificationError::Payload { .. }
        | VerificationError::UnknownEnvelopeFormat => FailedCheck::Integrity,
        VerificationError::Plugin { .. } | VerificationError::Inconclusive { .. } => {
            FailedCheck::Plugin
        }
        _ => FailedCheck::Other,
    };
    (check, e.to_string())
}

fn verified_signature(
    signature: &Descriptor,
    outcome: &VerificationOutcome,
) -> Option<VerifiedSignature> {
    let content = outcome.content()?;
    let info = &content.signer_info;
    let leaf = info.try_leaf()?;
    let timestamp = info
        .unsigned
        .timestamp_signature
        .as_deref()
        .and_then(|token| {
            let token = SignedToken::parse(token).ok()?;
            let range = token.tst_info().ok()?.validate(&info.signature).ok()?;
            Some(TimestampInfo {
                earliest: range.earliest(),
                latest: range.latest(),
            })
        });
    Some(VerifiedSignature {
        digest: signature.digest.clone(),
        envelope_media_type: outcome
            .envelope_format()
            .map(|f| f.media_type().to_string())
            .unwrap_or_default(),
        signing_scheme: info.signed.signing_scheme.as_str().to_string(),
        signing_time: info.signed.signing_time,
        expiry: info.signed.expiry,
        signer: SignerCertificate {
            subject: leaf.subject().to_string(),
            sha256_fingerprint: leaf.sha256_fingerprint_hex(),
        },
        timestamp,
        user_metadata: outcome
            .payload()
            .map(|p| p.target_artifact.user_metadata())
            .unwrap_or_default(),
    })
}

/// How many references ended in each outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BatchSummary {
    /// All references.
    pub total: usize,
    /// Verified.
    pub verified: usize,
    /// Skipped by policy.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Without signatures.
    pub unsigned: usize,
    /// Without a verdict.
    pub error: usize,
}

impl BatchSummary {
    /// The counts of `results`.
    pub fn of(results: &[BatchResult]) -> Self {
        let mut s = Self {
            total: results.len(),
            ..Self::default()
        };
        for r in results {
            *match r.outcome {
                BatchOutcome::Verified => &mut s.verified,
                BatchOutcome::Skipped => &mut s.skipped,
                BatchOutcome::Failed => &mut s.failed,
                BatchOutcome::Unsigned => &mut s.unsigned,
                BatchOutcome::Error => &mut s.error,
            } += 1;
        }
        s
    }

    /// How many ended in `outcome`.
    pub fn count(&self, outcome: BatchOutcome) -> usize {
        match outcome {
            BatchOutcome::Verified => self.verified,
            BatchOutcome::Skipped => self.skipped,
            BatchOutcome::Failed => self.failed,
            BatchOutcome::Unsigned => self.unsigned,
            BatchOutcome::Error => self.error,
        }
    }
}

/// The report of a batch verification: the JSON document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BatchReport {
    /// The report format's version ([`REPORT_VERSION`]).
    pub version: String,
    /// Whether every reference passed (verified, or skipped by policy).
    pub passed: bool,
    /// The counts per outcome.
    pub summary: BatchSummary,
    /// One result per reference, in input order.
    pub results: Vec<BatchResult>,
    /// The time the whole batch took, in milliseconds in JSON.
    #[serde(rename = "durationMs", with = "millis")]
    pub duration: Duration,
}

impl BatchReport {
    /// The report of `results` (in input order) that took `duration`.
    pub fn new(results: Vec<BatchResult>, duration: Duration) -> Self {
        Self {
            version: REPORT_VERSION.to_string(),
            passed: results.iter().all(|r| r.outcome.passed()),
            summary: BatchSummary::of(&results),
            results,
            duration,
        }
    }

    /// The JSON document, indented.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}

/// Times in RFC 3339, read as `time` reads them and written as it writes
/// them; a time RFC 3339 cannot write (a year before 0, which a COSE
/// signing time can state) is written as Go writes one rather than failing
/// the whole report; reading such a report back refuses that time.
mod rfc3339 {
    use serde::{Deserializer, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        match t.format(&Rfc3339) {
            Ok(text) => s.serialize_str(&text),
            Err(_) => s.serialize_str(&notation_core::timefmt::rfc3339_nano(*t)),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        time::serde::rfc3339::deserialize(d)
    }

    pub mod option {
        use serde::{Deserializer, Serializer};
        use time::OffsetDateTime;

        pub fn serialize<S: Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            time::serde::rfc3339::option::deserialize(d)
        }
    }
}

/// Durations as a number of milliseconds (microsecond precision).
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_micros() as f64 / 1000.0)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let ms = f64::deserialize(d)?;
        Duration::try_from_secs_f64(ms / 1000.0).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_checks_have_their_json_names() {
        for outcome in BatchOutcome::ALL {
            assert_eq!(
                serde_json::to_value(outcome).unwrap(),
                serde_json::Value::String(outcome.as_str().into())
            );
        }
        for check in [
            FailedCheck::Integrity,
            FailedCheck::Authenticity,
            FailedCheck::AuthenticTimestamp,
            FailedCheck::Expiry,
            FailedCheck::Revocation,
            FailedCheck::UserMetadata,
            FailedCheck::Plugin,
            FailedCheck::Fetch,
            FailedCheck::Other,
        ] {
            assert_eq!(
                serde_json::to_value(check).unwrap(),
                serde_json::Value::String(check.as_str().into())
            );
        }
        assert!(BatchOutcome::Verified.passed() && BatchOutcome::Skipped.passed());
        assert!(!BatchOutcome::Failed.passed() && !BatchOutcome::Unsigned.passed());
        assert!(!BatchOutcome::Error.passed());
    }

    #[test]
    fn a_report_reads_back_and_counts() {
        let mut verified = BatchResult::new("r/a:v1");
        verified.conclude(BatchOutcome::Verified, None);
        verified.duration = Duration::from_micros(12_345);
        let mut error = BatchResult::new("r/b:v1");
        error.conclude(BatchOutcome::Error, Some("down".into()));
        let report = BatchReport::new(vec![verified, error], Duration::from_millis(20));
        assert!(!report.passed);
        assert_eq!(report.summary.total, 2);
        assert_eq!(report.summary.count(BatchOutcome::Verified), 1);
        assert_eq!(report.summary.count(BatchOutcome::Error), 1);
        let json: serde_json::Value = serde_json::from_str(&report.to_json_pretty()).unwrap();
        assert_eq!(json["version"], REPORT_VERSION);
        assert_eq!(json["results"][0]["durationMs"], 12.345);
        assert_eq!(json["results"][1]["message"], "down");
        assert!(json["results"][0]["signature"].is_null());
        let back: BatchReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
        assert!(serde_json::from_str::<BatchReport>(r#"{"version":"1.0","passed":true,"summary":{"total":0,"verified":0,"skipped":0,"failed":0,"unsigned":0,"error":0},"results":[],"durationMs":-1}"#).is_err());
    }

    /// A signing time before year 0 (a COSE envelope can state one as a
    /// negative number of seconds, and an `audit` policy lets such a
    /// signature verify) is written, not a failure of the whole report.
    #[test]
    fn times_rfc3339_cannot_write_are_written_anyway() {
        let far = OffsetDateTime::from_unix_timestamp(-100_000_000_000).unwrap();
        let near = time::macros::datetime!(2024-12-31 08:05:29.5 UTC);
        let mut result = BatchResult::new("r/a:v1");
        result.signature = Some(VerifiedSignature {
            digest: "sha256:00".into(),
            envelope_media_type: "application/cose".into(),
            signing_scheme: "notary.x509".into(),
            signing_time: far,
            expiry: Some(near),
            signer: SignerCertificate {
                subject: "CN=a".into(),
                sha256_fingerprint: "00".into(),
            },
            timestamp: None,
            user_metadata: BTreeMap::new(),
        });
        result.conclude(BatchOutcome::Verified, None);
        let report = BatchReport::new(vec![result], Duration::from_millis(1));
        let json: serde_json::Value = serde_json::from_str(&report.to_json_pretty()).unwrap();
        let signature = &json["results"][0]["signature"];
        assert!(
            signature["signingTime"]
                .as_str()
                .unwrap()
                .starts_with("-1199-"),
            "{signature}"
        );
        // Times RFC 3339 can write are written as before.
        assert_eq!(signature["expiry"], "2024-12-31T08:05:29.5Z");
    }
}
