//! What a copy reports while it runs ([`CopyProgress`], [`CopyEvent`]) and
//! when it is done ([`CopyReport`]).

use crate::oci::Descriptor;

/// What a manifest of the copy is to the artifact copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ManifestRole {
    /// The artifact named by the source reference.
    Subject,
    /// A manifest an index lists (nested indexes included; the index may
    /// be a referrer).
    Child,
    /// A Notary signature of the subject, of a child, or of a referrer.
    Signature,
    /// Another referrer (an SBOM, an attestation ...).
    Referrer,
}

/// What happened to a blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlobOutcome {
    /// Transferred.
    Copied,
    /// Linked from another repository of the same registry, without a
    /// transfer.
    Mounted,
    /// The destination had it already.
    Skipped,
    /// A non-distributable ("foreign") layer, by its media type, which
    /// registries do not hold: not copied, as container tools do not push
    /// them. A layer of another type with `urls` is copied like any other.
    Foreign,
}

/// What happened to a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ManifestOutcome {
    /// Stored at the destination.
    Copied,
    /// The destination had it already.
    Skipped,
}

/// One step of a copy, as it happens.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum CopyEvent<'a> {
    /// The source was read: what the copy will look at (every manifest and
    /// every distinct blob; some may turn out to be at the destination).
    Planned {
        /// Manifests.
        manifests: usize,
        /// Distinct blobs.
        blobs: usize,
        /// The bytes of those blobs.
        bytes: u64,
    },
    /// A blob transfer starts.
    BlobStarted {
        /// The blob.
        descriptor: &'a Descriptor,
    },
    /// Bytes of a blob were transferred (`transferred` so far, of the
    /// descriptor's size).
    BlobProgress {
        /// The blob.
        descriptor: &'a Descriptor,
        /// Bytes transferred so far.
        transferred: u64,
    },
    /// A blob is done.
    BlobDone {
        /// The blob.
        descriptor: &'a Descriptor,
        /// What happened.
        outcome: BlobOutcome,
    },
    /// A manifest is done.
    ManifestDone {
        /// The manifest.
        descriptor: &'a Descriptor,
        /// What it is to the artifact.
        role: ManifestRole,
        /// What happened.
        outcome: ManifestOutcome,
    },
}

/// Receives the events of a copy (a progress display). Called on the
/// thread running the copy, between its requests: keep it quick.
pub trait CopyProgress {
    /// One event.
    fn event(&self, event: &CopyEvent<'_>);
}

impl<F: Fn(&CopyEvent<'_>)> CopyProgress for F {
    fn event(&self, event: &CopyEvent<'_>) {
        self(event)
    }
}

/// A destination tag a copy held back, and what it is to point at.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingTag {
    /// The tag.
    pub tag: String,
    /// The copied root manifest.
    pub descriptor: Descriptor,
    /// Its bytes.
    pub manifest: Vec<u8>,
}

/// What a copy did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyReport {
    /// The subject copied (its descriptor at the source).
    pub subject: Option<Descriptor>,
    /// The tag written at the destination, if any (or held back: see
    /// [`pending_tag`](Self::pending_tag)).
    pub tag: Option<String>,
    /// The tag not written yet, with [`CopyOptions::hold_tag`](super::CopyOptions::hold_tag).
    pub pending_tag: Option<PendingTag>,
    /// Manifests stored.
    pub manifests_copied: usize,
    /// Manifests the destination had.
    pub manifests_skipped: usize,
    /// Blobs transferred.
    pub blobs_copied: usize,
    /// Blobs mounted from another repository of the registry.
    pub blobs_mounted: usize,
    /// Blobs the destination had.
    pub blobs_skipped: usize,
    /// Non-distributable ("foreign") layers, by their media type: not
    /// copied, as container tools do not push them.
    pub blobs_foreign: usize,
    /// Notary signatures the artifact has at the destination after the
    /// copy (copied, or there already).
    pub signatures: usize,
    /// Other referrers likewise (with `all_referrers`).
    pub referrers: usize,
    /// Bytes transferred: blobs and manifests.
    pub bytes: u64,
}

impl CopyReport {
    /// The subject's digest.
    pub fn digest(&self) -> Option<&str> {
        self.subject.as_ref().map(|d| d.digest.as_str())
    }

    pub(super) fn count_blob(&mut self, outcome: BlobOutcome) {
        match outcome {
            BlobOutcome::Copied => self.blobs_copied += 1,
            BlobOutcome::Mounted => self.blobs_mounted += 1,
            BlobOutcome::Skipped => self.blobs_skipped += 1,
            BlobOutcome::Foreign => self.blobs_foreign += 1,
        }
    }

    pub(super) fn count_manifest(&mut self, role: ManifestRole, outcome: ManifestOutcome) {
        match outcome {
            ManifestOutcome::Copied => self.manifests_copied += 1,
            ManifestOutcome::Skipped => self.manifests_skipped += 1,
        }
        match role {
            ManifestRole::Signature => self.signatures += 1,
            ManifestRole::Referrer => self.referrers += 1,
            ManifestRole::Subject | ManifestRole::Child => {}
        }
    }
}

impl std::fmt::Display for CopyReport {
    /// `3 manifests copied, 1 skipped; 5 blobs copied, 1 mounted, 2
    /// skipped; 4 signatures; 1048576 bytes`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} manifests copied, {} skipped; {} blobs copied, {} mounted, {} skipped; {} signatures",
            self.manifests_copied,
            self.manifests_skipped,
            self.blobs_copied,
            self.blobs_mounted,
            self.blobs_skipped,
            self.signatures
        )?;
        if self.blobs_foreign > 0 {
            write!(
                f,
                ", {} non-distributable layers not copied",
                self.blobs_foreign
            )?;
        }
        if self.referrers > 0 {
            write!(f, ", {} other referrers", self.referrers)?;
        }
        write!(f, "; {} bytes", self.bytes)
    }
}
