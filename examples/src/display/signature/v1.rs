//! OCI `inspect` output as notation v1.3.2 prints it: per signature a
//! `media type` (the envelope's), the signature algorithm, the signed
//! attributes under their envelope names (`signingScheme`, `signingTime`,
//! `expiry`, extended attributes), user defined attributes, unsigned
//! attributes (`signingAgent`, `timestamp signature`), the certificates
//! and the signed artifact; in JSON, `Signatures` objects with times in
//! RFC 3339 (whole seconds).
//!
//! The reference fills these three attribute lists from Go maps, whose
//! iteration order is random: its tree lists them in any order. Here they
//! are sorted by name, which is the order its JSON output (Go encodes maps
//! with sorted keys) always has.

use std::collections::BTreeMap;

use notation_core::timefmt;
use serde::Serialize;
use time::UtcOffset;

use super::{CertificateView, SignatureView, TargetArtifact, TimestampView};
use crate::display::tree::Node;

impl SignatureView {
    /// The signed attributes as v1.3.2 names them, for the tree (`ANSIC`
    /// times) or JSON (RFC 3339 times).
    fn signed_attributes_v1(&self, json: bool) -> BTreeMap<String, String> {
        let time = |t| {
            if json {
                timefmt::rfc3339(t)
            } else {
                timefmt::ansic(t)
            }
        };
        let mut map = BTreeMap::new();
        map.insert("signingScheme".to_string(), self.signing_scheme.clone());
        map.insert("signingTime".to_string(), time(self.signing_time));
        if let Some(expiry) = self.expiry {
            map.insert("expiry".to_string(), time(expiry));
        }
        // Extended attributes land in the same Go map: a clash replaces.
        for (key, value) in &self.extended_attributes {
            map.insert(key.clone(), value.clone());
        }
        map
    }

    /// The v1.3.2 tree of this signature, rooted at the signature
    /// manifest's digest.
    pub fn tree_v1(&self, digest: &str) -> Node {
        let mut root = Node::new(digest);
        root.add_pair("media type", self.envelope_media_type);
        root.add_pair("signature algorithm", self.signature_algorithm);

        let signed = root.add("signed attributes");
        for (key, value) in self.signed_attributes_v1(false) {
            signed.add_pair(&key, &value);
        }

        self.add_tail(&mut root, "signingAgent");
        root
    }

    /// The v1.3.2 JSON object of this signature (`digest` is the signature
    /// manifest's).
    pub fn json_v1<'a>(&'a self, digest: &'a str) -> impl Serialize + 'a {
        let timestamp_signature = self.timestamp.as_ref().map(|t| match t {
            TimestampView::Valid {
                earliest,
                latest,
                certificates,
            } => TimestampJsonV1 {
                timestamp: Some(format!(
                    "[{}, {}]",
                    timefmt::rfc3339(earliest.to_offset(UtcOffset::UTC)),
                    timefmt::rfc3339(latest.to_offset(UtcOffset::UTC))
                )),
                certificates: certificates.iter().map(CertificateJsonV1::new).collect(),
                error: None,
            },
            TimestampView::Error(e) => TimestampJsonV1 {
                timestamp: None,
                certificates: Vec::new(),
                error: Some(e.clone()),
            },
        });
        // Annotations are shown as user defined attributes, so the
        // reference clears them from the signed artifact.
        let mut signed_artifact = self.artifact.clone();
        signed_artifact.annotations = None;
        SignatureJsonV1 {
            media_type: self.envelope_media_type,
            digest,
            signature_algorithm: self.signature_algorithm,
            signed_attributes: self.signed_attributes_v1(true),
            user_defined_attributes: self.artifact.annotations.as_ref(),
            unsigned_attributes: UnsignedJsonV1 {
                signing_agent: self.signing_agent.as_deref(),
                timestamp_signature,
            },
            certificates: self
                .certificates
                .iter()
                .map(CertificateJsonV1::new)
                .collect(),
            signed_artifact,
        }
    }
}

/// The whole `inspect -o json` document of v1.3.2: the artifact's media
/// type and its `Signatures` (the Go field has no JSON tag, hence the
/// capital).
#[derive(Serialize)]
pub struct InspectJsonV1<S: Serialize> {
    /// The artifact manifest's media type.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// One object per signature ([`SignatureView::json_v1`]).
    #[serde(rename = "Signatures")]
    pub signatures: Vec<S>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignatureJsonV1<'a> {
    media_type: &'a str,
    digest: &'a str,
    signature_algorithm: &'a str,
    signed_attributes: BTreeMap<String, String>,
    user_defined_attributes: Option<&'a BTreeMap<String, String>>,
    unsigned_attributes: UnsignedJsonV1<'a>,
    certificates: Vec<CertificateJsonV1<'a>>,
    signed_artifact: TargetArtifact,
}

/// Go's `map[string]any`: sorted keys, which for these two names is the
/// declaration order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnsignedJsonV1<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp_signature: Option<TimestampJsonV1<'a>>,
}

#[derive(Serialize)]
struct TimestampJsonV1<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    certificates: Vec<CertificateJsonV1<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct CertificateJsonV1<'a> {
    #[serde(rename = "SHA256Fingerprint")]
    sha256_fingerprint: &'a str,
    #[serde(rename = "issuedTo")]
    issued_to: &'a str,
    #[serde(rename = "issuedBy")]
    issued_by: &'a str,
    expiry: String,
}

impl<'a> CertificateJsonV1<'a> {
    fn new(cert: &'a CertificateView) -> Self {
        Self {
            sha256_fingerprint: &cert.sha256_fingerprint,
            issued_to: &cert.issued_to,
            issued_by: &cert.issued_by,
            expiry: timefmt::rfc3339(cert.expiry),
        }
    }
}
