//! What `notation blob inspect` and OCI `inspect` show about one signature
//! envelope, in the reference's tree and JSON shapes.
//!
//! [`SignatureView`] is built once from an envelope, without verifying it
//! (inspection is for display only, so the rule that a payload is acted on
//! only after verification does not apply to it), and renders in two
//! shapes:
//! - notation v2.0.0-alpha.1's (`blob inspect`, the only version with blob
//!   commands; golden files in `conformance/10-blob/expected-inspect` and
//!   `conformance/09-e2e-oci-layouts/expected-inspect`): [`SignatureView::tree`]
//!   and [`SignatureView::json`];
//! - notation v1.3.2's, the latest release (OCI `inspect`: `media type`
//!   first, attribute names as the envelope's keys, `"Signatures"` in
//!   JSON): [`SignatureView::tree_v1`] and [`SignatureView::json_v1`].
// Requirements: X3, A7.

mod v1;

pub use v1::InspectJsonV1;

use std::collections::BTreeMap;

use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::payload::PAYLOAD_MEDIA_TYPE;
use notation_core::timefmt;
use notation_core::x509::Certificate;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::tree::Node;
use crate::error::go_quote;

/// Why an envelope cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// The bytes are not an envelope of the format, or its headers are
    /// invalid.
    #[error("failed to parse signature: {0}")]
    Parse(String),
    /// The payload's content type is not the Notary payload's.
    #[error("payload content type {} not supported", go_quote(.0))]
    UnsupportedContentType(String),
    /// The payload is not a JSON `{"targetArtifact": descriptor}`.
    #[error("failed to unmarshall the payload content to Payload")]
    MalformedPayload,
}

/// One certificate as the inspect output lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateView {
    sha256_fingerprint: String,
    issued_to: String,
    issued_by: String,
    expiry: OffsetDateTime,
}

impl CertificateView {
    /// The view of `cert`.
    pub fn new(cert: &Certificate) -> Self {
        Self {
            sha256_fingerprint: cert.sha256_fingerprint_hex(),
            issued_to: cert.subject().to_string(),
            issued_by: cert.issuer().to_string(),
            expiry: cert.not_after(),
        }
    }

    fn add_to(&self, list: &mut Node) {
        let node = list.add_pair("SHA256 fingerprint", &self.sha256_fingerprint);
        node.add_pair("issued to", &self.issued_to);
        node.add_pair("issued by", &self.issued_by);
        node.add_pair("expiry", &timefmt::ansic(self.expiry));
    }

    fn json(&self) -> CertificateJson<'_> {
        CertificateJson {
            sha256_fingerprint: &self.sha256_fingerprint,
            issued_to: &self.issued_to,
            issued_by: &self.issued_by,
            expiry: timefmt::rfc3339_nano_utc(self.expiry),
        }
    }
}

/// The timestamp countersignature as the inspect output shows it: the
/// timestamp's range and the token's certificates, or why the token could
/// not be read (a broken token is displayed, not fatal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimestampView {
    /// A token that parsed and whose message imprint matches the signature.
    Valid {
        /// `genTime - accuracy`.
        earliest: OffsetDateTime,
        /// `genTime + accuracy`.
        latest: OffsetDateTime,
        /// The certificates carried in the token, in token order.
        certificates: Vec<CertificateView>,
    },
    /// The reason, already prefixed with
    /// `failed to parse timestamp countersignature: `.
    Error(String),
}

/// The signed descriptor as the reference decodes it (an OCI descriptor:
/// the members Go's `ocispec.Descriptor` knows, in its field order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetArtifact {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    digest: String,
    #[serde(default)]
    size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Platform {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    os_version: Option<String>,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    os_features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variant: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadDoc {
    #[serde(default)]
    target_artifact: TargetArtifact,
}

/// Everything the inspect output shows about one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureView {
    signature_algorithm: &'static str,
    envelope_media_type: &'static str,
    content_type: String,
    signing_scheme: String,
    signing_time: OffsetDateTime,
    expiry: Option<OffsetDateTime>,
    extended_attributes: Vec<(String, String)>,
    signing_agent: Option<String>,
    timestamp: Option<TimestampView>,
    certificates: Vec<CertificateView>,
    artifact: TargetArtifact,
}

impl SignatureView {
    /// Reads what is shown from `envelope`, without verifying it. The
    /// timestamp countersignature, if any, is parsed and checked against
    /// the signature it countersigns, and any problem with it is kept for
    /// display.
    pub fn from_envelope(envelope: &Envelope) -> Result<Self, InspectError> {
        let content = envelope
            .content_unverified()
            .map_err(|e| InspectError::Parse(e.to_string()))?;
        let info = &content.signer_info;
        let signed = &info.signed;
        if signed.content_type != PAYLOAD_MEDIA_TYPE {
            return Err(InspectError::UnsupportedContentType(
                signed.content_type.clone(),
            ));
        }
        notation_core::json::check_depth(&content.payload, notation_core::json::MAX_DEPTH)
            .map_err(|_| InspectError::MalformedPayload)?;
        let payload: PayloadDoc =
            serde_json::from_slice(&content.payload).map_err(|_| InspectError::MalformedPayload)?;
        let format = envelope.format();
        // As the reference prints them: Go's %v of what it decoded.
        let extended_attributes = envelope
            .extended_attribute_texts()
            .map_err(|e| InspectError::Parse(e.to_string()))?
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect();
        let timestamp = info
            .unsigned
            .timestamp_signature
            .as_deref()
            .map(|token| super::timestamp::view(token, &info.signature));
        Ok(Self {
            signature_algorithm: info.signature_algorithm.plugin_name(),
            envelope_media_type: format.media_type(),
            content_type: signed.content_type.clone(),
            signing_scheme: signed.signing_scheme.as_str().to_string(),
            signing_time: signed.signing_time,
            expiry: signed.expiry,
            extended_attributes,
            signing_agent: info
                .unsigned
                .signing_agent
                .clone()
                .filter(|a| !a.is_empty()),
            timestamp,
            certificates: info
                .certificate_chain
                .iter()
                .map(CertificateView::new)
                .collect(),
            artifact: payload.target_artifact,
        })
    }

    /// Parses `bytes` as an envelope of `format` and reads it.
    pub fn parse(format: EnvelopeFormat, bytes: &[u8]) -> Result<Self, InspectError> {
        let envelope =
            Envelope::parse(format, bytes).map_err(|e| InspectError::Parse(e.to_string()))?;
        Self::from_envelope(&envelope)
    }

    /// The user metadata (payload annotations), if any.
    pub fn user_defined_attributes(&self) -> Option<&BTreeMap<String, String>> {
        self.artifact.annotations.as_ref()
    }

    /// The timestamp countersignature, if the envelope carries one.
    pub fn timestamp(&self) -> Option<&TimestampView> {
        self.timestamp.as_ref()
    }

    /// The tree, rooted at a node labelled `name` (the signature path for a
    /// blob, the signature manifest digest in OCI `inspect`).
    pub fn tree(&self, name: &str) -> Node {
        let mut root = Node::new(name);
        root.add_pair("signature algorithm", self.signature_algorithm);
        root.add_pair("signature envelope type", self.envelope_media_type);

        let signed = root.add("signed attributes");
        signed.add_pair("content type", &self.content_type);
        signed.add_pair("signing scheme", &self.signing_scheme);
        signed.add_pair("signing time", &timefmt::ansic(self.signing_time));
        if let Some(expiry) = self.expiry {
            signed.add_pair("expiry", &timefmt::ansic(expiry));
        }
        for (key, value) in &self.extended_attributes {
            signed.add_pair(key, value);
        }

        self.add_tail(&mut root, "signing agent");
        root
    }

    /// What both trees (this one and v1.3.2's) end with: user defined
    /// attributes, unsigned attributes (the signing agent under
    /// `agent_label`, the timestamp), certificates and the signed artifact.
    fn add_tail(&self, root: &mut Node, agent_label: &str) {
        let user = root.add("user defined attributes");
        match self.user_defined_attributes() {
            Some(a) if !a.is_empty() => {
                for (key, value) in a {
                    user.add_pair(key, value);
                }
            }
            _ => {
                user.add("(empty)");
            }
        }

        let unsigned = root.add("unsigned attributes");
        if let Some(agent) = &self.signing_agent {
            unsigned.add_pair(agent_label, agent);
        }
        if let Some(timestamp) = &self.timestamp {
            let node = unsigned.add("timestamp signature");
            match timestamp {
                TimestampView::Valid {
                    earliest,
                    latest,
                    certificates,
                } => {
                    node.add_pair(
                        "timestamp",
                        &format!(
                            "[{}, {}]",
                            timefmt::ansic(*earliest),
                            timefmt::ansic(*latest)
                        ),
                    );
                    let list = node.add("certificates");
                    for cert in certificates {
                        cert.add_to(list);
                    }
                }
                TimestampView::Error(e) => {
                    node.add_pair("error", e);
                }
            }
        }

        let list = root.add("certificates");
        for cert in &self.certificates {
            cert.add_to(list);
        }

        let artifact = root.add("signed artifact");
        artifact.add_pair("media type", &self.artifact.media_type);
        artifact.add_pair("digest", &self.artifact.digest);
        artifact.add_pair("size", &self.artifact.size.to_string());
    }

    /// The JSON object, with `digest` first when given (OCI `inspect`; a
    /// blob signature has none).
    pub fn json<'a>(&'a self, digest: Option<&'a str>) -> impl Serialize + 'a {
        let mut signed_attributes = BTreeMap::new();
        signed_attributes.insert("contentType".to_string(), self.content_type.clone());
        signed_attributes.insert("signingScheme".to_string(), self.signing_scheme.clone());
        signed_attributes.insert(
            "signingTime".to_string(),
            timefmt::rfc3339_nano(self.signing_time),
        );
        if let Some(expiry) = self.expiry {
            signed_attributes.insert("expiry".to_string(), timefmt::rfc3339_nano(expiry));
        }
        // Extended attributes land in the same Go map, so a clash replaces.
        for (key, value) in &self.extended_attributes {
            signed_attributes.insert(key.clone(), value.clone());
        }
        let timestamp_signature = self.timestamp.as_ref().map(|t| match t {
            TimestampView::Valid {
                earliest,
                latest,
                certificates,
            } => TimestampJson {
                timestamp: Some(format!(
                    "[{}, {}]",
                    timefmt::rfc3339_nano_utc(*earliest),
                    timefmt::rfc3339_nano_utc(*latest)
                )),
                certificates: certificates.iter().map(CertificateView::json).collect(),
                error: None,
            },
            TimestampView::Error(e) => TimestampJson {
                timestamp: None,
                certificates: Vec::new(),
                error: Some(e.clone()),
            },
        });
        // Annotations are shown as user defined attributes, so the
        // reference clears them from the signed artifact.
        let mut signed_artifact = self.artifact.clone();
        signed_artifact.annotations = None;
        SignatureJson {
            digest,
            signature_algorithm: self.signature_algorithm,
            signature_envelope_type: self.envelope_media_type,
            signed_attributes,
            user_defined_attributes: self.artifact.annotations.as_ref(),
            unsigned_attributes: UnsignedJson {
                signing_agent: self.signing_agent.as_deref(),
                timestamp_signature,
            },
            certificates: (!self.certificates.is_empty()).then(|| {
                self.certificates
                    .iter()
                    .map(CertificateView::json)
                    .collect()
            }),
            signed_artifact,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignatureJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a str>,
    signature_algorithm: &'a str,
    signature_envelope_type: &'a str,
    signed_attributes: BTreeMap<String, String>,
    user_defined_attributes: Option<&'a BTreeMap<String, String>>,
    unsigned_attributes: UnsignedJson<'a>,
    certificates: Option<Vec<CertificateJson<'a>>>,
    signed_artifact: TargetArtifact,
}

/// Go's `map[string]any`: keys in sorted order, which for these two names
/// is the declaration order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnsignedJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp_signature: Option<TimestampJson<'a>>,
}

#[derive(Serialize)]
struct TimestampJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    certificates: Vec<CertificateJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct CertificateJson<'a> {
    #[serde(rename = "SHA256Fingerprint")]
    sha256_fingerprint: &'a str,
    #[serde(rename = "issuedTo")]
    issued_to: &'a str,
    #[serde(rename = "issuedBy")]
    issued_by: &'a str,
    expiry: String,
}
