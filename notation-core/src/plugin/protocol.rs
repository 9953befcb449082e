//! The messages of plugin contract 1.0.
//!
//! Field names and field order follow the reference's JSON
//! (notation-plugin-framework-go): requests serialize as notation-go writes
//! them (Go's escaping, `omitempty` fields left out), so a plugin sees the
//! same bytes from notation-rs as from notation. Responses are read the way
//! Go's `encoding/json` reads them: unknown members are ignored, a missing
//! or `null` member is the empty value, `[]byte` members are standard
//! base64.
//!
//! Every message is `Serialize` and `Deserialize`, so an in-process
//! [`Plugin`](super::Plugin) can read requests and write responses with the
//! same types.
// Requirements: R2-R8.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use super::error_response::ErrorResponse;

/// The plugin contract version notation-rs speaks.
// Requirements: R2, W13.
pub const CONTRACT_VERSION: &str = "1.0";

/// The five commands, passed as the executable's first argument.
// Requirements: R3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// `get-plugin-metadata`: every plugin.
    GetPluginMetadata,
    /// `describe-key`: `SIGNATURE_GENERATOR.RAW` and `.ENVELOPE_FOR_BLOB`.
    DescribeKey,
    /// `generate-signature`: `SIGNATURE_GENERATOR.RAW`.
    GenerateSignature,
    /// `generate-envelope`: `SIGNATURE_GENERATOR.ENVELOPE` and
    /// `.ENVELOPE_FOR_BLOB`.
    GenerateEnvelope,
    /// `verify-signature`: `SIGNATURE_VERIFIER.*`.
    VerifySignature,
}

impl Command {
    /// The command as passed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::GetPluginMetadata => "get-plugin-metadata",
            Command::DescribeKey => "describe-key",
            Command::GenerateSignature => "generate-signature",
            Command::GenerateEnvelope => "generate-envelope",
            Command::VerifySignature => "verify-signature",
        }
    }

    /// Parses a command-line command name.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Command::GetPluginMetadata,
            Command::DescribeKey,
            Command::GenerateSignature,
            Command::GenerateEnvelope,
            Command::VerifySignature,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }

    /// The name the reference uses in response-validation messages
    /// ("keyID in describeKey response ...").
    pub(crate) fn camel_name(self) -> &'static str {
        match self {
            Command::GetPluginMetadata => "getPluginMetadata",
            Command::DescribeKey => "describeKey",
            Command::GenerateSignature => "generateSignature",
            Command::GenerateEnvelope => "generateEnvelope",
            Command::VerifySignature => "verifySignature",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plugin capability. Values notation-rs does not know are kept as
/// [`Capability::Other`]: the reference accepts any string here.
// Requirements: R4.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// `SIGNATURE_GENERATOR.RAW`: `describe-key` and `generate-signature`.
    SignatureGenerator,
    /// `SIGNATURE_GENERATOR.ENVELOPE`: `generate-envelope` for OCI payloads.
    EnvelopeGenerator,
    /// `SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB`: `describe-key` and
    /// `generate-envelope` for blob payloads (added to the spec in 2025; not
    /// known to the Go reference).
    // Requirements: W13.
    EnvelopeGeneratorForBlob,
    /// `SIGNATURE_VERIFIER.TRUSTED_IDENTITY`.
    TrustedIdentityVerifier,
    /// `SIGNATURE_VERIFIER.REVOCATION_CHECK`.
    RevocationCheckVerifier,
    /// Any other value.
    Other(String),
}

impl Capability {
    /// The capability's wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Capability::SignatureGenerator => "SIGNATURE_GENERATOR.RAW",
            Capability::EnvelopeGenerator => "SIGNATURE_GENERATOR.ENVELOPE",
            Capability::EnvelopeGeneratorForBlob => "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB",
            Capability::TrustedIdentityVerifier => "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
            Capability::RevocationCheckVerifier => "SIGNATURE_VERIFIER.REVOCATION_CHECK",
            Capability::Other(s) => s,
        }
    }

    /// Parses a wire name; unknown names become [`Capability::Other`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "SIGNATURE_GENERATOR.RAW" => Capability::SignatureGenerator,
            "SIGNATURE_GENERATOR.ENVELOPE" => Capability::EnvelopeGenerator,
            "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB" => Capability::EnvelopeGeneratorForBlob,
            "SIGNATURE_VERIFIER.TRUSTED_IDENTITY" => Capability::TrustedIdentityVerifier,
            "SIGNATURE_VERIFIER.REVOCATION_CHECK" => Capability::RevocationCheckVerifier,
            other => Capability::Other(other.to_string()),
        }
    }

    /// Whether this is one of the `SIGNATURE_VERIFIER` capabilities
    /// notation-rs can delegate.
    // Requirements: R8.
    pub fn is_verifier(&self) -> bool {
        matches!(
            self,
            Capability::TrustedIdentityVerifier | Capability::RevocationCheckVerifier
        )
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `null` is the empty name, as Go reads it: an unknown capability.
        let s = Option::<String>::deserialize(d)?.unwrap_or_default();
        Ok(Capability::from_name(&s))
    }
}

/// The error codes of an error response. Unknown codes are kept.
// Requirements: R3.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `VALIDATION_ERROR`: a request field was empty or invalid (includes
    /// an unknown key id).
    Validation,
    /// `UNSUPPORTED_CONTRACT_VERSION`.
    UnsupportedContractVersion,
    /// `ACCESS_DENIED`.
    AccessDenied,
    /// `TIMEOUT`: may be retried.
    Timeout,
    /// `THROTTLED`: may be retried.
    Throttled,
    /// `ERROR`: anything else.
    Generic,
    /// A code the contract does not define.
    Other(String),
}

impl ErrorCode {
    /// The code's wire name.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Validation => "VALIDATION_ERROR",
            ErrorCode::UnsupportedContractVersion => "UNSUPPORTED_CONTRACT_VERSION",
            ErrorCode::AccessDenied => "ACCESS_DENIED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Throttled => "THROTTLED",
            ErrorCode::Generic => "ERROR",
            ErrorCode::Other(s) => s,
        }
    }

    /// Parses a wire name; unknown names become [`ErrorCode::Other`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "VALIDATION_ERROR" => ErrorCode::Validation,
            "UNSUPPORTED_CONTRACT_VERSION" => ErrorCode::UnsupportedContractVersion,
            "ACCESS_DENIED" => ErrorCode::AccessDenied,
            "TIMEOUT" => ErrorCode::Timeout,
            "THROTTLED" => ErrorCode::Throttled,
            "ERROR" => ErrorCode::Generic,
            other => ErrorCode::Other(other.to_string()),
        }
    }

    /// Whether the contract says the operation may be retried.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ErrorCode::Timeout | ErrorCode::Throttled)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: String = null_default(d)?;
        Ok(ErrorCode::from_name(&s))
    }
}

/// Plugin configuration: `key=value` pairs passed verbatim.
// Requirements: R9.
pub type PluginConfig = BTreeMap<String, String>;

/// `get-plugin-metadata` request. It carries no `contractVersion`: the
/// caller learns the plugin's versions from the response (spec and
/// reference agree).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetMetadataRequest {
    /// Plugin configuration (omitted when empty).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub plugin_config: PluginConfig,
}

impl GetMetadataRequest {
    /// A request with this configuration.
    pub fn new(plugin_config: PluginConfig) -> Self {
        Self { plugin_config }
    }
}

/// `get-plugin-metadata` response. Validate it with
/// [`PluginMetadata::validate`]; the typed call
/// [`Plugin::get_metadata`](super::Plugin) does.
// Requirements: R4.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PluginMetadata {
    /// Plugin name (reverse DNS); must equal the install directory name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    /// Plugin version (SemVer).
    #[serde(default, deserialize_with = "null_default")]
    pub version: String,
    /// Support or documentation URL.
    #[serde(default, deserialize_with = "null_default")]
    pub url: String,
    /// Contract versions the plugin supports; must contain
    /// [`CONTRACT_VERSION`].
    #[serde(
        default,
        deserialize_with = "null_default_strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub supported_contract_versions: Vec<String>,
    /// Capabilities (non-empty).
    #[serde(default, deserialize_with = "null_default")]
    pub capabilities: Vec<Capability>,
}

impl PluginMetadata {
    /// Metadata with the required fields; description and URL can be set
    /// on the result. Supported contract versions: [`CONTRACT_VERSION`].
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        capabilities: Vec<Capability>,
    ) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            version: version.into(),
            url: String::new(),
            supported_contract_versions: vec![CONTRACT_VERSION.to_string()],
            capabilities,
        }
    }

    /// Whether the plugin advertises `capability`.
    pub fn has_capability(&self, capability: &Capability) -> bool {
        self.capabilities.contains(capability)
    }

    /// The reference's checks, in its order: every field present,
    /// at least one capability, [`CONTRACT_VERSION`] supported. The name is
    /// checked against the install directory by the caller
    /// ([`PluginError::NameMismatch`](super::PluginError::NameMismatch)).
    // Requirements: R4, W13.
    pub fn validate(&self) -> Result<(), MetadataError> {
        if self.name.is_empty() {
            return Err(MetadataError::EmptyName);
        }
        if self.description.is_empty() {
            return Err(MetadataError::EmptyDescription);
        }
        if self.version.is_empty() {
            return Err(MetadataError::EmptyVersion);
        }
        if self.url.is_empty() {
            return Err(MetadataError::EmptyUrl);
        }
        if self.capabilities.is_empty() {
            return Err(MetadataError::EmptyCapabilities);
        }
        if self.supported_contract_versions.is_empty() {
            return Err(MetadataError::NoContractVersions);
        }
        if !self
            .supported_contract_versions
            .iter()
            .any(|v| v == CONTRACT_VERSION)
        {
            return Err(MetadataError::UnsupportedContractVersion {
                supported: self.supported_contract_versions.clone(),
            });
        }
        Ok(())
    }
}

/// Why plugin metadata is invalid. Texts are the reference's.
// Requirements: R4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// No name.
    #[error("empty name")]
    EmptyName,
    /// No description.
    #[error("empty description")]
    EmptyDescription,
    /// No version.
    #[error("empty version")]
    EmptyVersion,
    /// No URL.
    #[error("empty url")]
    EmptyUrl,
    /// No capability.
    #[error("empty capabilities")]
    EmptyCapabilities,
    /// No contract version.
    #[error("supported contract versions not specified")]
    NoContractVersions,
    /// [`CONTRACT_VERSION`] is not among the supported versions.
    #[error(
        "contract version {CONTRACT_VERSION:?} is not in the list of the plugin supported versions [{}]",
        .supported.join(" ")
    )]
    UnsupportedContractVersion {
        /// What the plugin supports.
        supported: Vec<String>,
    },
}

/// `describe-key` request.
// Requirements: R5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DescribeKeyRequest {
    /// Always [`CONTRACT_VERSION`] when notation-rs sends it.
    #[serde(default, deserialize_with = "null_default")]
    pub contract_version: String,
    /// The key id from the signing key configuration.
    #[serde(rename = "keyId", default, deserialize_with = "null_default")]
    pub key_id: String,
    /// Plugin configuration (omitted when empty).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub plugin_config: PluginConfig,
}

impl DescribeKeyRequest {
    /// A contract-1.0 request.
    pub fn new(key_id: impl Into<String>, plugin_config: PluginConfig) -> Self {
        Self {
            contract_version: CONTRACT_VERSION.to_string(),
            key_id: key_id.into(),
            plugin_config,
        }
    }
}

/// `describe-key` response.
// Requirements: R5.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DescribeKeyResponse {
    /// Must echo the request's key id.
    #[serde(rename = "keyId", default, deserialize_with = "null_default")]
    pub key_id: String,
    /// `RSA-2048` ... `EC-521`.
    // Requirements: G4.
    #[serde(default, deserialize_with = "null_default")]
    pub key_spec: String,
}

impl DescribeKeyResponse {
    /// A response.
    pub fn new(key_id: impl Into<String>, key_spec: impl Into<String>) -> Self {
        Self {
            key_id: key_id.into(),
            key_spec: key_spec.into(),
        }
    }
}

/// `generate-signature` request.
// Requirements: R5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GenerateSignatureRequest {
    /// Always [`CONTRACT_VERSION`] when notation-rs sends it.
    #[serde(default, deserialize_with = "null_default")]
    pub contract_version: String,
    /// The key id.
    #[serde(rename = "keyId", default, deserialize_with = "null_default")]
    pub key_id: String,
    /// The key spec from `describe-key`.
    #[serde(default, deserialize_with = "null_default")]
    pub key_spec: String,
    /// `SHA-256`, `SHA-384` or `SHA-512`: the plugin hashes the payload
    /// with it.
    #[serde(default, deserialize_with = "null_default")]
    pub hash_algorithm: String,
    /// The bytes to sign (standard base64 on the wire; for JWS they are
    /// the base64url signing input, so the wire form is base64 twice).
    #[serde(default, with = "base64_bytes")]
    pub payload: Vec<u8>,
    /// Plugin configuration (omitted when empty).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub plugin_config: PluginConfig,
}

/// `generate-signature` response.
// Requirements: R5.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GenerateSignatureResponse {
    /// Must echo the request's key id.
    #[serde(rename = "keyId", default, deserialize_with = "null_default")]
    pub key_id: String,
    /// The signature in envelope encoding (RSASSA-PSS, or fixed-width
    /// ECDSA `r||s`).
    #[serde(default, with = "base64_bytes")]
    pub signature: Vec<u8>,
    /// `RSASSA-PSS-SHA-256` ... `ECDSA-SHA-512`.
    // Requirements: G4.
    #[serde(default, deserialize_with = "null_default")]
    pub signing_algorithm: String,
    /// DER certificates, leaf first (standard base64 on the wire).
    #[serde(default, with = "base64_list")]
    pub certificate_chain: Vec<Vec<u8>>,
}

impl GenerateSignatureResponse {
    /// A response.
    pub fn new(
        key_id: impl Into<String>,
        signature: Vec<u8>,
        signing_algorithm: impl Into<String>,
        certificate_chain: Vec<Vec<u8>>,
    ) -> Self {
        Self {
            key_id: key_id.into(),
            signature,
            signing_algorithm: signing_algorithm.into(),
            certificate_chain,
        }
    }
}

/// `generate-envelope` request.
// Requirements: R6, R7.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GenerateEnvelopeRequest {
    /// Always [`CONTRACT_VERSION`] when notation-rs sends it.
    #[serde(default, deserialize_with = "null_default")]
    pub contract_version: String,
    /// The key id.
    #[serde(rename = "keyId", default, deserialize_with = "null_default")]
    pub key_id: String,
    /// `application/vnd.cncf.notary.payload.v1+json`.
    #[serde(default, deserialize_with = "null_default")]
    pub payload_type: String,
    /// The envelope media type wanted (`application/jose+json`,
    /// `application/cose`).
    #[serde(default, deserialize_with = "null_default")]
    pub signature_envelope_type: String,
    /// The Notary payload JSON (standard base64 on the wire).
    #[serde(default, with = "base64_bytes")]
    pub payload: Vec<u8>,
    /// Expiry in whole seconds after signing; 0 (omitted) for none.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_zero"
    )]
    pub expiry_duration_in_seconds: u64,
    /// Plugin configuration (omitted when empty).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub plugin_config: PluginConfig,
}

/// `generate-envelope` response.
// Requirements: R6.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GenerateEnvelopeResponse {
    /// The envelope (standard base64 on the wire).
    #[serde(default, with = "base64_bytes")]
    pub signature_envelope: Vec<u8>,
    /// Must equal the request's type.
    #[serde(default, deserialize_with = "null_default")]
    pub signature_envelope_type: String,
    /// Added to the OCI signature manifest's annotations.
    // Requirements: Q4.
    #[serde(
        default,
        deserialize_with = "null_default_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
}

impl GenerateEnvelopeResponse {
    /// A response without annotations.
    pub fn new(signature_envelope: Vec<u8>, signature_envelope_type: impl Into<String>) -> Self {
        Self {
            signature_envelope,
            signature_envelope_type: signature_envelope_type.into(),
            annotations: BTreeMap::new(),
        }
    }
}

/// `verify-signature` request.
// Requirements: R8.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VerifySignatureRequest {
    /// Always [`CONTRACT_VERSION`] when notation-rs sends it.
    #[serde(default, deserialize_with = "null_default")]
    pub contract_version: String,
    /// The signature's attributes and chain.
    #[serde(default, deserialize_with = "null_default")]
    pub signature: SignatureDetails,
    /// What the trust policy asks of the plugin.
    #[serde(default, deserialize_with = "null_default")]
    pub trust_policy: PluginTrustPolicy,
    /// Plugin configuration (omitted when empty).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub plugin_config: PluginConfig,
}

/// `verify-signature` request: `signature`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignatureDetails {
    /// The Notary critical attributes and the extended ones.
    #[serde(default, deserialize_with = "null_default")]
    pub critical_attributes: CriticalAttributes,
    /// Names of the extended attributes notation-rs does not process.
    /// `None` is sent as `null`, as the reference does when there are none.
    ///
    // Requirements: W15.
    #[serde(default)]
    pub unprocessed_attributes: Option<Vec<String>>,
    /// DER certificates, leaf first (standard base64 on the wire).
    #[serde(default, with = "base64_list")]
    pub certificate_chain: Vec<Vec<u8>>,
}

/// `verify-signature` request: `signature.criticalAttributes`.
///
/// As the reference: `verificationPlugin` and
/// `verificationPluginMinVersion` are not sent, and `expiry` is always sent
/// (Go's zero time `0001-01-01T00:00:00Z` when the signature has none;
/// [`None`] here).
// Requirements: W15.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CriticalAttributes {
    /// Payload content type.
    #[serde(default, deserialize_with = "null_default")]
    pub content_type: String,
    /// `notary.x509` or `notary.x509.signingAuthority`.
    #[serde(default, deserialize_with = "null_default")]
    pub signing_scheme: String,
    /// Expiry (see the type's documentation).
    #[serde(default, with = "go_time_zero_as_none")]
    pub expiry: Option<OffsetDateTime>,
    /// Authentic signing time (`signingAuthority` only; omitted otherwise).
    #[serde(
        default,
        with = "go_time_optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub authentic_signing_time: Option<OffsetDateTime>,
    /// Extended attributes (omitted when empty).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub extended_attributes: BTreeMap<String, serde_json::Value>,
}

/// `verify-signature` request: `trustPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PluginTrustPolicy {
    /// The applicable statement's trusted identities, as written.
    #[serde(default, deserialize_with = "null_default")]
    pub trusted_identities: Vec<String>,
    /// The capabilities the plugin is asked to run.
    #[serde(default, deserialize_with = "null_default")]
    pub signature_verification: Vec<Capability>,
}

/// `verify-signature` response.
// Requirements: R8.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VerifySignatureResponse {
    /// One result per requested capability (a `null` result counts as
    /// missing).
    #[serde(default, deserialize_with = "null_default")]
    pub verification_results: BTreeMap<Capability, Option<VerificationResult>>,
    /// The extended attributes the plugin processed. The reference reads
    /// them as arbitrary JSON values; only strings can match an attribute
    /// name.
    #[serde(default, deserialize_with = "null_default")]
    pub processed_attributes: Vec<serde_json::Value>,
}

impl VerifySignatureResponse {
    /// A response with these results, having processed `processed`.
    pub fn new(
        results: impl IntoIterator<Item = (Capability, VerificationResult)>,
        processed: impl IntoIterator<Item = String>,
    ) -> Self {
        Self {
            verification_results: results.into_iter().map(|(c, r)| (c, Some(r))).collect(),
            processed_attributes: processed
                .into_iter()
                .map(serde_json::Value::String)
                .collect(),
        }
    }

    /// The result for `capability`, if the plugin gave one.
    pub fn result(&self, capability: &Capability) -> Option<&VerificationResult> {
        self.verification_results
            .get(capability)
            .and_then(Option::as_ref)
    }

    /// Whether `attribute` is among the processed attributes.
    pub fn processed(&self, attribute: &str) -> bool {
        self.processed_attributes
            .iter()
            .any(|a| a.as_str() == Some(attribute))
    }
}

/// One capability's verdict in a `verify-signature` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VerificationResult {
    /// Whether the check passed.
    #[serde(default, deserialize_with = "null_default")]
    pub success: bool,
    /// Why (required when it failed).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub reason: String,
}

impl VerificationResult {
    /// A passed check.
    pub fn success() -> Self {
        Self {
            success: true,
            reason: String::new(),
        }
    }

    /// A failed check.
    pub fn failure(reason: impl Into<String>) -> Self {
        Self {
            success: false,
            reason: reason.into(),
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Go's `encoding/json` reads `null` as the zero value.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// [`null_default`] for a `[]string`: a `null` element is the empty
/// string, as Go reads it.
pub(crate) fn null_default_strings<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<Option<String>>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// [`null_default`] for a `map[string]string`: a `null` value is the
/// empty string, as Go reads it.
pub(crate) fn null_default_string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(Option::<BTreeMap<String, Option<String>>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

/// Standard base64 with padding, as Go's `encoding/json` writes `[]byte`.
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::B64.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Vec::new()),
            Some(s) => crate::json::decode_go_base64(&s).map_err(serde::de::Error::custom),
        }
    }
}

mod base64_list {
    use base64::Engine;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for item in v {
            seq.serialize_element(&super::B64.encode(item))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let items: Option<Vec<Option<String>>> = Option::deserialize(d)?;
        items
            .unwrap_or_default()
            .into_iter()
            .map(|i| match i {
                None => Ok(Vec::new()),
                Some(s) => crate::json::decode_go_base64(&s).map_err(serde::de::Error::custom),
            })
            .collect()
    }
}

/// Go's zero `time.Time`, which the reference sends for a missing expiry.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

mod go_time_zero_as_none {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(v: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(&crate::timefmt::rfc3339_nano(*t)),
            None => s.serialize_str(super::GO_ZERO_TIME),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s == super::GO_ZERO_TIME => Ok(None),
            Some(s) => crate::timefmt::parse_rfc3339(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

mod go_time_optional {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(v: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(&crate::timefmt::rfc3339_nano(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => crate::timefmt::parse_rfc3339(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_round_trip_and_keep_unknown_values() {
        for name in [
            "SIGNATURE_GENERATOR.RAW",
            "SIGNATURE_GENERATOR.ENVELOPE",
            "SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB",
            "SIGNATURE_VERIFIER.TRUSTED_IDENTITY",
            "SIGNATURE_VERIFIER.REVOCATION_CHECK",
            "SOMETHING.NEW",
        ] {
            let c = Capability::from_name(name);
            assert_eq!(c.as_str(), name);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Capability>(&json).unwrap(), c);
        }
        assert!(matches!(
            Capability::from_name("SOMETHING.NEW"),
            Capability::Other(_)
        ));
    }

    #[test]
    fn requests_serialize_like_the_reference() {
        // R2: Go's struct order, omitempty members left out.
        let req = DescribeKeyRequest::new("k", PluginConfig::new());
        assert_eq!(
            crate::json::to_vec_go(&req).unwrap(),
            br#"{"contractVersion":"1.0","keyId":"k"}"#
        );
        assert_eq!(
            crate::json::to_vec_go(&GetMetadataRequest::default()).unwrap(),
            b"{}"
        );
        let req = GenerateEnvelopeRequest {
            contract_version: CONTRACT_VERSION.into(),
            key_id: "k".into(),
            payload_type: "p".into(),
            signature_envelope_type: "application/jose+json".into(),
            payload: b"{}".to_vec(),
            expiry_duration_in_seconds: 0,
            plugin_config: [("a".to_string(), "<b>".to_string())].into(),
        };
        assert_eq!(
            String::from_utf8(crate::json::to_vec_go(&req).unwrap()).unwrap(),
            r#"{"contractVersion":"1.0","keyId":"k","payloadType":"p","signatureEnvelopeType":"application/jose+json","payload":"e30=","pluginConfig":{"a":"\u003cb\u003e"}}"#
        );
    }

    #[test]
    fn responses_tolerate_unknown_members_and_null() {
        let m: PluginMetadata = serde_json::from_str(
            r#"{"name":"n","description":null,"version":"1.0.0","url":"u","capabilities":["X"],"extra":{"a":[1]}}"#,
        )
        .unwrap();
        assert_eq!(m.description, "");
        assert!(m.supported_contract_versions.is_empty());
        let r: VerifySignatureResponse = serde_json::from_str(
            r#"{"verificationResults":{"SIGNATURE_VERIFIER.TRUSTED_IDENTITY":null},"processedAttributes":[1,"a"]}"#,
        )
        .unwrap();
        assert!(r.result(&Capability::TrustedIdentityVerifier).is_none());
        assert!(r.processed("a"));
        assert!(!r.processed("1"));
    }

    /// `null` elements of string lists and maps are empty strings, as Go
    /// reads them into `[]string` and `map[string]string`.
    #[test]
    fn null_strings_in_lists_and_maps_are_empty() {
        let m: PluginMetadata = serde_json::from_str(
            r#"{"name":"n","version":"1.0.0","supportedContractVersions":["1.0",null],"capabilities":[null,"SIGNATURE_VERIFIER.TRUSTED_IDENTITY"]}"#,
        )
        .unwrap();
        assert_eq!(m.supported_contract_versions, ["1.0", ""]);
        assert_eq!(m.capabilities[1], Capability::TrustedIdentityVerifier);
        let r: GenerateEnvelopeResponse = serde_json::from_str(
            r#"{"signatureEnvelope":"AA==","signatureEnvelopeType":"t","annotations":{"k":null}}"#,
        )
        .unwrap();
        assert_eq!(r.annotations["k"], "");
        let e = ErrorResponse::parse(
            b"{\"errorCode\":\"ERROR\",\"errorMessage\":\"caf\xe9 \\ud800\",\"errorMetadata\":{\"k\":null}}",
        )
        .unwrap();
        assert_eq!(e.error_message, "caf\u{fffd} \u{fffd}");
        assert_eq!(e.error_metadata["k"], "");
    }

    #[test]
    fn base64_members_decode_as_go_does() {
        let r: GenerateSignatureResponse =
            serde_json::from_str(r#"{"signature":"YWJj\nZA==","certificateChain":["AA==",null]}"#)
                .unwrap();
        assert_eq!(r.signature, b"abcd");
        assert_eq!(r.certificate_chain, vec![vec![0], vec![]]);
        assert!(
            serde_json::from_str::<GenerateSignatureResponse>(r#"{"signature":"@@"}"#).is_err()
        );
        // Non-zero trailing bits ("YWJjZB==" is "abcd" with a stray bit),
        // as Go's non-strict StdEncoding; padding is still required.
        let r: GenerateSignatureResponse =
            serde_json::from_str(r#"{"signature":"YWJjZB=="}"#).unwrap();
        assert_eq!(r.signature, b"abcd");
        assert!(
            serde_json::from_str::<GenerateSignatureResponse>(r#"{"signature":"YWJjZA"}"#).is_err()
        );
    }

    #[test]
    fn expiry_is_always_sent() {
        // W15: the reference sends Go's zero time for a missing expiry.
        let attrs = CriticalAttributes {
            content_type: "c".into(),
            signing_scheme: "notary.x509".into(),
            ..Default::default()
        };
        let json = String::from_utf8(crate::json::to_vec_go(&attrs).unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"contentType":"c","signingScheme":"notary.x509","expiry":"0001-01-01T00:00:00Z"}"#
        );
        let back: CriticalAttributes = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expiry, None);
    }

    #[test]
    fn metadata_contract_version_message_lists_versions_as_go() {
        let mut m = PluginMetadata::new("n", "1.0.0", vec![Capability::SignatureGenerator]);
        m.description = "d".into();
        m.url = "u".into();
        m.supported_contract_versions = vec!["1.1".into(), "2.0".into()];
        assert_eq!(
            m.validate().unwrap_err().to_string(),
            "contract version \"1.0\" is not in the list of the plugin supported versions [1.1 2.0]"
        );
    }
}
