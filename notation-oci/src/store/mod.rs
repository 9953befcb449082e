//! The content of an artifact, beyond its signatures: [`ContentStore`]
//! extends [`SignatureRepository`] with what walking and copying an
//! artifact's graph needs (manifests by digest, blobs of any size as
//! streams, referrers of any type, and, on the receiving side, pushes,
//! mounts, the referrers listing and the tag). It is implemented by the
//! same two stores the workflows use: an OCI layout
//! ([`OciLayout`](crate::OciLayout)) and a
//! registry repository ([`RemoteRepository`](crate::RemoteRepository)),
//! so that recursive signing and verification and
//! [`copy`](crate::copy::copy) work on either, on either side.
//!
//! Every manifest read is checked against its digest and a 4 MiB limit;
//! every blob streamed is checked against its digest and size as it passes,
//! and a blob written is committed only once its digest is right.

mod layout;
mod remote;

use std::io::Read;

use crate::digest::BlobWriteError;
use crate::oci::Descriptor;
use crate::registry::RepositoryRef;
use crate::repository::{RepositoryError, SignatureRepository};

/// What storing a manifest told about its referrers listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestStored {
    /// The store lists the manifest among its subject's referrers by
    /// itself: a registry with the referrers API (it answered with
    /// `OCI-Subject`), or a manifest without a subject.
    Listed,
    /// The manifest has a subject the store does not index by itself: a
    /// registry without the referrers API, whose referrers tag index
    /// ([`ContentStore::index_referrers`]) must list it.
    NeedsIndex,
}

/// A store of OCI content (manifests, blobs, referrers, tags): an OCI
/// layout or a registry repository.
pub trait ContentStore: SignatureRepository {
    /// Where the store is, for messages: `registry/repository`, or the
    /// layout directory.
    fn location(&self) -> String;

    /// The registry repository, when the store is one (blobs are mounted
    /// between repositories of one registry).
    fn repository_ref(&self) -> Option<&RepositoryRef> {
        None
    }

    /// A handle on this store whose registry reads and writes are one
    /// operation of its client, sharing one time and byte budget (the
    /// operation under way goes on when there is one); `None` where the
    /// store has no such budget (a layout).
    fn begin_content_operation(&self) -> Option<Box<dyn ContentStore + '_>> {
        None
    }

    /// Fetches a manifest by its descriptor's digest: at most 4 MiB,
    /// checked against the digest and the size.
    fn fetch_manifest(&self, descriptor: &Descriptor) -> Result<Vec<u8>, RepositoryError>;

    /// Whether the store holds the manifest.
    fn manifest_exists(&self, descriptor: &Descriptor) -> Result<bool, RepositoryError>;

    /// Whether the store holds the blob (in a layout: a file of its size).
    fn blob_exists(&self, descriptor: &Descriptor) -> Result<bool, RepositoryError>;

    /// Opens a blob for reading: its bytes are checked against its digest
    /// and size as they pass, and a read that goes past the size, or ends a
    /// blob that does not match, fails ([`ContentStore::read_error`] types
    /// the error).
    fn open_blob<'a>(
        &'a self,
        descriptor: &Descriptor,
    ) -> Result<Box<dyn Read + 'a>, RepositoryError>;

    /// The error of a failed read of a blob opened with
    /// [`ContentStore::open_blob`].
    fn read_error(&self, error: std::io::Error, descriptor: &Descriptor) -> RepositoryError;

    /// Stores a blob read from `reader`, committed only once its digest and
    /// size are right; `progress` gets the bytes written so far.
    fn push_blob(
        &self,
        descriptor: &Descriptor,
        reader: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobWriteError<RepositoryError>>;

    /// Links a blob that `from` holds, without transferring it, where the
    /// two stores allow it (two repositories of one registry). `Ok(false)`
    /// when it was not linked: push it.
    fn mount_blob(
        &self,
        descriptor: &Descriptor,
        from: &dyn ContentStore,
    ) -> Result<bool, RepositoryError> {
        let _ = (descriptor, from);
        Ok(false)
    }

    /// Stores a manifest by its digest (no tag); `bytes` must be the
    /// manifest's. A manifest whose blobs (or, for an index, whose
    /// manifests) are not stored may be refused.
    fn push_manifest(
        &self,
        descriptor: &Descriptor,
        bytes: &[u8],
    ) -> Result<ManifestStored, RepositoryError>;

    /// The referrers of `subject`, of `artifact_type` when given, each with
    /// its `artifactType` and annotations: the referrers API or the
    /// referrers tag schema of a registry, the graph of a layout.
    fn referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, RepositoryError>;

    /// Adds referrers of `subject` (entries of a referrers index: media
    /// type, digest, size, `artifactType`, annotations) to the listing the
    /// store keeps for them where it does not index them itself: the
    /// referrers tag index of a registry without the referrers API, merged
    /// with what it lists already, without duplicates. Nothing to do for a
    /// layout, whose referrers are found from `index.json`.
    fn index_referrers(
        &self,
        subject: &Descriptor,
        entries: &[Descriptor],
    ) -> Result<(), RepositoryError>;

    /// Ends a copy into the store: lists `manifests` where the store keeps
    /// a listing (a layout's `index.json`, in one write), then, when given,
    /// points the tag at the root manifest (whose bytes are given). The
    /// tag comes last, so that an interrupted copy never leaves a tag on an
    /// incomplete artifact.
    fn finish_copy(
        &self,
        manifests: &[Descriptor],
        tag: Option<(&str, &Descriptor, &[u8])>,
    ) -> Result<(), RepositoryError>;
}

/// The entry listing a referrer in a referrers index: its media type,
/// digest and size, its `artifactType` (for an image manifest without one,
/// its config media type) and its annotations, read from its bytes.
pub fn referrer_entry(descriptor: &Descriptor, bytes: &[u8]) -> Option<Descriptor> {
    let successors = crate::graph::successors(descriptor, bytes).ok()?;
    let mut entry = Descriptor::new(
        descriptor.media_type.clone(),
        descriptor.digest.clone(),
        descriptor.size,
    );
    entry.artifact_type = successors.artifact_type;
    entry.annotations = successors.annotations.filter(|a| !a.is_empty());
    Some(entry)
}
