//! Copying an artifact with its signatures between stores: registry to
//! registry, registry to OCI layout (export into an air gap), layout to
//! registry (import), layout to layout ([`copy`]).
//!
//! The subject is copied byte for byte (digests unchanged): a manifest
//! with its config and layers, or an index with every manifest it lists
//! and their blobs; then every Notary signature attached to the subject and
//! to each manifest of an index (the signature manifests and their
//! envelopes), or, with [`CopyOptions::all_referrers`], every referrer
//! (SBOMs, attestations ...) recursively, with the signatures attached to
//! them.
//!
//! - **Checked.** Every manifest and blob is checked against its digest and
//!   size while it is copied; a blob that fails the check is never
//!   committed at the destination (in a layout, no file under `blobs/`
//!   has another name than its digest).
//! - **Streamed.** Blobs stream from source to destination: memory stays
//!   bounded whatever their size (an upload chunk, 8 MiB by default, for a
//!   registry; 64 KiB for a layout). Each blob transfer has its own limits
//!   ([`BlobTransferLimits`](crate::registry::BlobTransferLimits)); every
//!   other request is an operation with the client's time and byte limits.
//! - **Incremental.** Blobs and manifests the destination has are skipped;
//!   between two repositories of one registry, blobs are mounted rather
//!   than transferred.
//! - **Consistent.** The source is read entirely (every manifest) before the
//!   destination is written; then blobs go before the manifests that hold
//!   them, an index's manifests before the index, a subject before its
//!   referrers, and the tag last (for a layout, `index.json` is written
//!   once, at the end). An interrupted copy leaves no tag on an incomplete
//!   artifact, and running it again completes it.
//! - **Listed.** At the destination, referrers are listed by the referrers
//!   API where the registry has it, else in the referrers tag index, merged
//!   with what it lists, without duplicates (as signing does); in a layout,
//!   `index.json` lists every manifest copied (an index's manifests and
//!   the referrers untagged), as oras does, so that any tool can address
//!   each by digest.
//!
//! ```no_run
//! use notation_oci::copy::{self, CopyOptions};
//! use notation_oci::{OciLayout, Reference, RegistryClient, RemoteRepository};
//!
//! let reference = Reference::parse("registry.example.com/net-monitor:v1")?;
//! let source = RemoteRepository::new(RegistryClient::new()?, &reference)?;
//! let layout = OciLayout::create("net-monitor-export")?;
//! let report = copy::copy(&source, "v1", &layout, None, &CopyOptions::new())?;
//! println!("copied {:?}: {report}", report.digest());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// Requirements: Q1, Q5, Q6, U.

mod error;
mod execute;
mod plan;
mod progress;

pub use error::CopyError;
pub use progress::{
    BlobOutcome, CopyEvent, CopyProgress, CopyReport, ManifestOutcome, ManifestRole, PendingTag,
};

use crate::graph::GraphLimits;
use crate::store::ContentStore;

/// How to copy.
#[derive(Clone, Copy, Default)]
pub struct CopyOptions<'a> {
    all_referrers: bool,
    limits: GraphLimits,
    progress: Option<&'a dyn CopyProgress>,
    hold_tag: bool,
}

impl std::fmt::Debug for CopyOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyOptions")
            .field("all_referrers", &self.all_referrers)
            .field("limits", &self.limits)
            .field("progress", &self.progress.is_some())
            .field("hold_tag", &self.hold_tag)
            .finish()
    }
}

impl<'a> CopyOptions<'a> {
    /// Defaults: the subject's graph and its Notary signatures, the default
    /// [`GraphLimits`], no progress reports.
    pub fn new() -> Self {
        Self::default()
    }

    /// Copies every referrer, of any type, recursively (the referrers of
    /// the referrers too), with their signatures; not only the Notary
    /// signatures of the subject and its manifests.
    pub fn all_referrers(mut self, all: bool) -> Self {
        self.all_referrers = all;
        self
    }

    /// Bounds on the manifests, the nesting and the referrers per manifest
    /// read from the source.
    pub fn limits(mut self, limits: GraphLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Receives the copy's events (a progress display).
    pub fn progress(mut self, progress: &'a dyn CopyProgress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Copies everything but does not write the destination tag: the
    /// report's [`pending_tag`](CopyReport::pending_tag) carries it, for
    /// [`write_tag`] once the caller has checked the copy (verified its
    /// signatures by digest, say), so that a tag never points at an
    /// artifact that failed the check.
    pub fn hold_tag(mut self, hold: bool) -> Self {
        self.hold_tag = hold;
        self
    }
}

/// Points the tag a copy held back ([`CopyOptions::hold_tag`]) at the
/// copied artifact.
pub fn write_tag(destination: &dyn ContentStore, pending: &PendingTag) -> Result<(), CopyError> {
    destination
        .finish_copy(
            &[],
            Some((&pending.tag, &pending.descriptor, &pending.manifest)),
        )
        .map_err(|error| CopyError::Destination {
            location: destination.location(),
            error,
        })
}

/// Whether `tag` is a valid tag (distribution spec:
/// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
fn is_valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

/// Copies the artifact `source_reference` (a tag or a digest) names in
/// `source` to `destination`, with its signatures (see the module
/// documentation for what is copied and how).
///
/// `destination_reference` is the tag to write at the destination, or the
/// source's digest (then nothing is tagged); `None` takes the source
/// reference when it is a tag, and tags nothing when it is a digest. A
/// digest given on either side must be the digest resolved.
pub fn copy(
    source: &dyn ContentStore,
    source_reference: &str,
    destination: &dyn ContentStore,
    destination_reference: Option<&str>,
    options: &CopyOptions<'_>,
) -> Result<CopyReport, CopyError> {
    let source_error = |error| CopyError::Source {
        location: source.location(),
        error,
    };
    let is_digest = |r: &str| r.contains(':');
    let tag = match destination_reference {
        Some(r) if is_digest(r) => None,
        Some(r) => Some(r),
        None if is_digest(source_reference) => None,
        None => Some(source_reference),
    };
    if let Some(t) = tag
        && !is_valid_tag(t)
    {
        return Err(CopyError::InvalidTag(t.to_string()));
    }
    let root = source.resolve(source_reference).map_err(source_error)?;
    for given in [Some(source_reference), destination_reference]
        .into_iter()
        .flatten()
    {
        if is_digest(given) && given != root.digest {
            return Err(CopyError::DigestMismatch {
                given: given.to_string(),
                resolved: root.digest,
            });
        }
    }
    let plan = plan::plan(source, &root, options.all_referrers, &options.limits)?;
    let mut executor = execute::Executor::new(source, destination, options.progress);
    executor.run(&plan, tag, options.hold_tag)?;
    Ok(executor.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert!(is_valid_tag("v1.0_rc-1"));
        for bad in ["", "-x", ".x", "a/b", "a:b", &"t".repeat(129)] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }
}
