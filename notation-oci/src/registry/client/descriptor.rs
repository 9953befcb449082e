//! What the registry answers about content: [`ContentDescriptor`] and
//! [`PushedManifest`].

use super::*;

/// What a manifest is: media type, digest and size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ContentDescriptor {
    /// The media type (from `Content-Type`, parameters removed).
    pub media_type: String,
    /// The digest, `<algorithm>:<hex>`.
    pub digest: String,
    /// The size in bytes.
    pub size: u64,
}

impl ContentDescriptor {
    /// A descriptor.
    pub fn new(media_type: impl Into<String>, digest: impl Into<String>, size: u64) -> Self {
        Self {
            media_type: media_type.into(),
            digest: digest.into(),
            size,
        }
    }
}

impl From<ContentDescriptor> for notation_core::payload::Descriptor {
    fn from(d: ContentDescriptor) -> Self {
        notation_core::payload::Descriptor::new(d.media_type, d.digest, d.size)
    }
}

impl From<ContentDescriptor> for Descriptor {
    fn from(d: ContentDescriptor) -> Self {
        Descriptor::new(d.media_type, d.digest, d.size)
    }
}

/// The result of pushing a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushedManifest {
    /// The manifest pushed (digest computed over the bytes sent).
    pub descriptor: ContentDescriptor,
    /// The `OCI-Subject` response header: present when the registry
    /// processed the manifest's `subject`, i.e. supports the referrers API
    /// (distribution spec v1.1; how oras-go learns it without a request).
    pub oci_subject: Option<String>,
}

impl PushedManifest {
    /// Whether the registry said it processed the `subject` (`OCI-Subject`).
    pub fn subject_processed(&self) -> bool {
        self.oci_subject.is_some()
    }
}
