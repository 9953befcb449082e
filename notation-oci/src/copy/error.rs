//! Why a copy failed ([`CopyError`]): the side that failed (source or
//! destination) with the store's own error, content that is not what its
//! descriptor says, or a limit of the walk.

use crate::digest::ContentMismatch;
use crate::graph::GraphError;
use crate::repository::RepositoryError;

/// Why a copy failed. Whatever the failure, the destination tag was not
/// written: a copy interrupted by an error leaves the destination without
/// the tag (or with the tag it had before), and running it again completes
/// it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Reading the source failed (its content did not match its digest,
    /// a registry refused or timed out, a file could not be read ...).
    #[error("source {location}: {error}")]
    Source {
        /// The source store.
        location: String,
        /// What failed.
        error: RepositoryError,
    },
    /// Writing the destination failed.
    #[error("destination {location}: {error}")]
    Destination {
        /// The destination store.
        location: String,
        /// What failed.
        error: RepositoryError,
    },
    /// The source sent a blob whose bytes are not those of its descriptor:
    /// nothing of it was committed at the destination.
    #[error("source {location}: blob {digest}: {mismatch}")]
    Content {
        /// The source store.
        location: String,
        /// The blob.
        digest: String,
        /// What is wrong with it.
        mismatch: ContentMismatch,
    },
    /// The source's graph could not be walked: a limit was reached, or a
    /// manifest is malformed or of an unsupported type.
    #[error("source {location}: {error}")]
    Graph {
        /// The source store.
        location: String,
        /// What failed.
        error: GraphError,
    },
    /// A digest given that is not the digest resolved: the source
    /// reference's, or the destination's (a destination given by digest
    /// must be the source's digest).
    #[error("digest {given} does not match the source's digest {resolved}")]
    DigestMismatch {
        /// The digest given.
        given: String,
        /// The source's digest.
        resolved: String,
    },
    /// A destination tag that is not a valid tag.
    #[error("invalid destination tag {0:?}")]
    InvalidTag(String),
}

impl CopyError {
    /// Whether the source has no such tag or digest.
    pub fn is_not_found(&self) -> bool {
        matches!(self, CopyError::Source { error, .. } if error.is_not_found())
    }
}
