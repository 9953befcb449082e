//! The OCI image-spec structures Notation reads and writes: descriptors,
//! image manifests (signature manifests) and image indexes (the
//! referrers tag schema).
//!
//! These are small serde types of our own rather than `oci-spec`'s: a
//! referrers index we rewrite must keep every field of the descriptors other
//! tools put there (unknown fields are preserved here, where typed
//! descriptors would drop them), and we parse untrusted manifests with
//! exactly the strictness Notation needs.
// Requirements: Q1-Q4, Q6.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// OCI image manifest.
pub const MEDIA_TYPE_IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const MEDIA_TYPE_IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// The withdrawn OCI artifact manifest, still read.
// Requirements: Q2.
pub const MEDIA_TYPE_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
/// Docker image manifest v2 schema 2.
pub const MEDIA_TYPE_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const MEDIA_TYPE_DOCKER_MANIFEST_LIST: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";
/// The empty JSON config (`{}`).
pub const MEDIA_TYPE_EMPTY_JSON: &str = "application/vnd.oci.empty.v1+json";
/// Artifact type (and legacy config media type) of Notary signatures.
// Requirements: Q1.
pub const ARTIFACT_TYPE_NOTATION: &str = "application/vnd.cncf.notary.signature";
/// Digest of `{}`.
pub const EMPTY_JSON_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
/// The bytes `{}`.
pub const EMPTY_JSON: &[u8] = b"{}";

/// Annotation listing the SHA-256 thumbprints of the signing chain.
// Requirements: Q4.
pub const ANNOTATION_THUMBPRINT: &str = "io.cncf.notary.x509chain.thumbprint#S256";
/// Annotation with the signing time.
// Requirements: Q4.
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";
/// The tag annotation of OCI layouts' index.json.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Largest manifest accepted.
// Requirements: U.
pub const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;
/// Largest signature envelope accepted.
// Requirements: U.
pub const MAX_ENVELOPE_SIZE: u64 = 32 * 1024 * 1024;

/// The media types a manifest resolve accepts.
pub const MANIFEST_MEDIA_TYPES: [&str; 5] = [
    MEDIA_TYPE_IMAGE_MANIFEST,
    MEDIA_TYPE_IMAGE_INDEX,
    MEDIA_TYPE_DOCKER_MANIFEST,
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    MEDIA_TYPE_ARTIFACT_MANIFEST,
];

/// An OCI content descriptor. Fields other tools add are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the content.
    pub media_type: String,
    /// Digest of the content.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Embedded content (base64), as in the empty config descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Artifact type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Anything else (platform, urls, ...), kept as it was.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Descriptor {
    /// The platform an image index lists for this manifest, as
    /// `os/architecture[/variant]`; `None` when it lists none.
    pub fn platform(&self) -> Option<String> {
        let p = self.other.get("platform")?;
        let part = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("");
        let mut text = format!("{}/{}", part("os"), part("architecture"));
        if !part("variant").is_empty() {
            text = format!("{text}/{}", part("variant"));
        }
        Some(text)
    }

    /// A plain descriptor.
    pub fn new(media_type: impl Into<String>, digest: impl Into<String>, size: u64) -> Self {
        Self {
            media_type: media_type.into(),
            digest: digest.into(),
            size,
            annotations: None,
            data: None,
            artifact_type: None,
            other: BTreeMap::new(),
        }
    }

    /// The descriptor of `data` (SHA-256).
    pub fn of(media_type: impl Into<String>, data: &[u8]) -> Self {
        Self::new(media_type, sha256_digest(data), data.len() as u64)
    }

    /// Same content: media type, digest and size (oras `content.Equal`).
    pub fn same_content(&self, other: &Descriptor) -> bool {
        self.media_type == other.media_type
            && self.digest == other.digest
            && self.size == other.size
    }

    /// One annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }

    /// As the payload descriptor type of notation-core.
    // Requirements: A6.
    pub fn to_payload_descriptor(&self) -> notation_core::payload::Descriptor {
        notation_core::payload::Descriptor::new(
            self.media_type.clone(),
            self.digest.clone(),
            self.size,
        )
    }

    /// Whether the media type is one of the manifest types.
    pub fn is_manifest(&self) -> bool {
        MANIFEST_MEDIA_TYPES.contains(&self.media_type.as_str())
    }
}

/// The SHA-256 digest string of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!(
        "sha256:{}",
        notation_core::hex::encode(&notation_core::algorithm::HashAlgorithm::Sha256.digest(data))
    )
}

/// Checks `data` against a digest string (sha256/384/512).
pub fn digest_matches(digest: &str, data: &[u8]) -> bool {
    match notation_core::payload::parse_digest(digest) {
        Some((alg, expected)) => alg.digest(data) == expected,
        None => false,
    }
}

/// An OCI image manifest (also the shape of the withdrawn artifact
/// manifest, whose `blobs` are read as layers).
// Requirements: Q2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// Always 2 for image manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    /// The manifest media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Artifact type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Config descriptor (absent in artifact manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Descriptor>,
    /// Layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<Descriptor>>,
    /// Blobs of an artifact manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobs: Option<Vec<Descriptor>>,
    /// The subject (what a referrer refers to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl ImageManifest {
    /// Parses manifest bytes (already size- and digest-checked).
    pub fn from_json(data: &[u8]) -> Result<Self, String> {
        notation_core::json::check_depth(data, notation_core::json::MAX_DEPTH)?;
        serde_json::from_slice(data).map_err(|e| format!("invalid manifest: {e}"))
    }

    /// Serializes compactly.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("manifest serializes")
    }
}

/// An OCI image index (a referrers response, or a tag-schema index).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    /// Always 2 (0 when absent, as Go reads it; a referrers tag index must
    /// say 2).
    #[serde(default)]
    pub schema_version: u32,
    /// The index media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Artifact type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The manifests (`null` is none, as Go reads a nil slice that a Go
    /// registry wrote).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub manifests: Vec<Descriptor>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl ImageIndex {
    /// An empty OCI image index.
    pub fn new() -> Self {
        Self {
            schema_version: 2,
            media_type: Some(MEDIA_TYPE_IMAGE_INDEX.to_string()),
            artifact_type: None,
            manifests: Vec::new(),
            subject: None,
            annotations: None,
        }
    }

    /// Parses index bytes.
    pub fn from_json(data: &[u8]) -> Result<Self, String> {
        notation_core::json::check_depth(data, notation_core::json::MAX_DEPTH)?;
        serde_json::from_slice(data).map_err(|e| format!("invalid image index: {e}"))
    }

    /// Serializes compactly.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("index serializes")
    }
}

impl Default for ImageIndex {
    fn default() -> Self {
        Self::new()
    }
}
