//! The graph of an artifact: what a manifest points to (its config and
//! layers, or an index's manifests, and its subject), and the walk of an
//! image index (OCI index or Docker manifest list, nested too) down to
//! every manifest it lists, bounded in manifests, depth and bytes. Recursive
//! signing and verification and the copy plan are built on it.

use std::collections::HashSet;

use crate::oci::{
    Descriptor, ImageIndex, ImageManifest, MEDIA_TYPE_ARTIFACT_MANIFEST,
    MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_IMAGE_INDEX,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use crate::repository::RepositoryError;
use crate::store::ContentStore;

/// Default bound on the manifests one walk (or one copy) visits.
pub const DEFAULT_MAX_MANIFESTS: usize = 10_000;
/// Default bound on nesting: an index in an index ..., a referrer of a
/// referrer ...
pub const DEFAULT_MAX_DEPTH: usize = 16;
/// The deepest nesting a walk or a copy may be allowed: planning a copy
/// recurses once per level, so this keeps it far inside a thread's stack
/// whatever a caller asks for.
pub const MAX_DEPTH_CAP: usize = 128;
/// Default bound on the referrers listed for one manifest.
pub const DEFAULT_MAX_REFERRERS: usize = 1_000;
/// Default bound on the manifest bytes one walk (or one copy plan) reads
/// and keeps.
pub const DEFAULT_MAX_GRAPH_BYTES: u64 = 256 * 1024 * 1024;

/// Bounds on a walk of an artifact's graph, against stores that list
/// without end or nest without end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphLimits {
    max_manifests: usize,
    max_depth: usize,
    max_referrers: usize,
    max_bytes: u64,
}

impl Default for GraphLimits {
    fn default() -> Self {
        Self {
            max_manifests: DEFAULT_MAX_MANIFESTS,
            max_depth: DEFAULT_MAX_DEPTH,
            max_referrers: DEFAULT_MAX_REFERRERS,
            max_bytes: DEFAULT_MAX_GRAPH_BYTES,
        }
    }
}

impl GraphLimits {
    /// The defaults: 10 000 manifests, depth 16, 1 000 referrers per
    /// manifest, 256 MiB of manifests.
    pub fn new() -> Self {
        Self::default()
    }

    /// Most manifests visited (at least 1).
    pub fn max_manifests(mut self, n: usize) -> Self {
        self.max_manifests = n.max(1);
        self
    }

    /// Deepest nesting: 0 is the subject alone, 1 its children (or its
    /// referrers), and so on; at most [`MAX_DEPTH_CAP`].
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n.min(MAX_DEPTH_CAP);
        self
    }

    /// Most referrers of one manifest.
    pub fn max_referrers(mut self, n: usize) -> Self {
        self.max_referrers = n;
        self
    }

    /// Most manifest bytes read (and kept) in all.
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }

    /// The bound on manifest bytes.
    pub fn bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The bound on manifests.
    pub fn manifests(&self) -> usize {
        self.max_manifests
    }

    /// The bound on depth.
    pub fn depth(&self) -> usize {
        self.max_depth
    }

    /// The bound on referrers per manifest.
    pub fn referrers(&self) -> usize {
        self.max_referrers
    }
}

/// Why walking an artifact's graph failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] RepositoryError),
    /// More manifests than the limit.
    #[error("the artifact has more than {limit} manifests")]
    TooManyManifests {
        /// The limit.
        limit: usize,
    },
    /// More manifest bytes than the limit.
    #[error("the artifact's manifests exceed {limit} bytes")]
    TooManyBytes {
        /// The limit.
        limit: u64,
    },
    /// Nested deeper than the limit.
    #[error("{digest} is nested deeper than {limit} levels")]
    TooDeep {
        /// The manifest past the limit.
        digest: String,
        /// The limit.
        limit: usize,
    },
    /// More referrers of one manifest than the limit.
    #[error("{digest} has more than {limit} referrers")]
    TooManyReferrers {
        /// The manifest.
        digest: String,
        /// The limit.
        limit: usize,
    },
    /// A manifest that cannot be parsed as its media type says.
    #[error("manifest {digest} is malformed: {reason}")]
    Malformed {
        /// The manifest.
        digest: String,
        /// Why.
        reason: String,
    },
    /// A manifest of a media type this graph cannot follow (Docker schema
    /// 1, a blob listed as a manifest ...).
    #[error("{digest}: unsupported manifest media type {media_type:?}")]
    UnsupportedMediaType {
        /// The manifest.
        digest: String,
        /// Its media type.
        media_type: String,
    },
}

/// What a manifest points to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Successors {
    /// The manifests an index lists (empty for an image manifest).
    pub manifests: Vec<Descriptor>,
    /// The blobs an image manifest holds: its config, then its layers (or
    /// an artifact manifest's blobs).
    pub blobs: Vec<Descriptor>,
    /// The manifest it refers to, if it is a referrer.
    pub subject: Option<Descriptor>,
    /// Its `artifactType` (for an image manifest without one, its config
    /// media type: how a referrers listing names it).
    pub artifact_type: Option<String>,
    /// Its annotations.
    pub annotations: Option<std::collections::BTreeMap<String, String>>,
}

/// Whether a media type is an index (OCI image index, Docker manifest
/// list).
pub fn is_index(media_type: &str) -> bool {
    media_type == MEDIA_TYPE_IMAGE_INDEX || media_type == MEDIA_TYPE_DOCKER_MANIFEST_LIST
}

/// What the manifest `descriptor` (whose bytes are `bytes`, already
/// checked against it) points to.
pub fn successors(descriptor: &Descriptor, bytes: &[u8]) -> Result<Successors, GraphError> {
    let malformed = |reason: String| GraphError::Malformed {
        digest: descriptor.digest.clone(),
        reason,
    };
    // A manifest is read as its descriptor says; one whose own mediaType
    // says otherwise (an index listed as an image manifest, whose children
    // a copy would then leave behind) is refused.
    let check_media_type = |own: Option<&str>| match own {
        Some(own) if own != descriptor.media_type => Err(malformed(format!(
            "its mediaType {own:?} is not its descriptor's {:?}",
            descriptor.media_type
        ))),
        _ => Ok(()),
    };
    match descriptor.media_type.as_str() {
        MEDIA_TYPE_IMAGE_INDEX | MEDIA_TYPE_DOCKER_MANIFEST_LIST => {
            let index = ImageIndex::from_json(bytes).map_err(malformed)?;
            check_media_type(index.media_type.as_deref())?;
            Ok(Successors {
                manifests: index.manifests,
                blobs: Vec::new(),
                subject: index.subject,
                artifact_type: index.artifact_type,
                annotations: index.annotations,
            })
        }
        MEDIA_TYPE_IMAGE_MANIFEST | MEDIA_TYPE_DOCKER_MANIFEST | MEDIA_TYPE_ARTIFACT_MANIFEST => {
            let manifest = ImageManifest::from_json(bytes).map_err(malformed)?;
            check_media_type(manifest.media_type.as_deref())?;
            #[derive(serde::Deserialize)]
            struct ListsManifests {
                #[serde(default)]
                manifests: Option<serde::de::IgnoredAny>,
            }
            if serde_json::from_slice::<ListsManifests>(bytes).is_ok_and(|p| p.manifests.is_some())
            {
                return Err(malformed(
                    "an image manifest that lists manifests, as an index does".into(),
                ));
            }
            let artifact_type = manifest
                .artifact_type
                .clone()
                .or_else(|| manifest.config.as_ref().map(|c| c.media_type.clone()));
            let mut blobs: Vec<Descriptor> = manifest.config.into_iter().collect();
            blobs.extend(manifest.layers.unwrap_or_default());
            blobs.extend(manifest.blobs.unwrap_or_default());
            Ok(Successors {
                manifests: Vec::new(),
                blobs,
                subject: manifest.subject,
                artifact_type,
                annotations: manifest.annotations,
            })
        }
        other => Err(GraphError::UnsupportedMediaType {
            digest: descriptor.digest.clone(),
            media_type: other.to_string(),
        }),
    }
}

/// A manifest reached by [`walk_index`]: its descriptor (as its parent
/// lists it: platform and annotations included), its bytes and how deep
/// it is (0 for the root).
#[derive(Clone, Debug)]
pub struct IndexNode {
    /// The descriptor.
    pub descriptor: Descriptor,
    /// The manifest's bytes (checked against the descriptor).
    pub bytes: Vec<u8>,
    /// What it points to.
    pub successors: Successors,
    /// 0 for the root, 1 for the manifests it lists, ...
    pub depth: usize,
}

/// Walks `root` and, when it is an index, every manifest it lists, nested
/// indexes too, in pre-order (a parent before its children, children in
/// the order listed), each manifest once. Every manifest is fetched and
/// checked against its descriptor. From a registry, the walk is one
/// operation of its client: the reads share one time and byte budget
/// (that of the operation under way, when `store` is in one), besides
/// `limits`.
pub fn walk_index(
    store: &dyn ContentStore,
    root: &Descriptor,
    limits: &GraphLimits,
) -> Result<Vec<IndexNode>, GraphError> {
    let operation = store.begin_content_operation();
    let store = operation.as_deref().unwrap_or(store);
    let mut bytes_read = 0u64;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![(root.clone(), 0usize)];
    while let Some((descriptor, depth)) = stack.pop() {
        if !seen.insert(descriptor.digest.clone()) {
            continue;
        }
        if seen.len() > limits.manifests() {
            return Err(GraphError::TooManyManifests {
                limit: limits.manifests(),
            });
        }
        if depth > limits.depth() {
            return Err(GraphError::TooDeep {
                digest: descriptor.digest,
                limit: limits.depth(),
            });
        }
        if !descriptor.is_manifest() {
            return Err(GraphError::UnsupportedMediaType {
                digest: descriptor.digest,
                media_type: descriptor.media_type,
            });
        }
        let bytes = store.fetch_manifest(&descriptor)?;
        bytes_read = bytes_read.saturating_add(bytes.len() as u64);
        if bytes_read > limits.bytes() {
            return Err(GraphError::TooManyBytes {
                limit: limits.bytes(),
            });
        }
        let successors = successors(&descriptor, &bytes)?;
        for child in successors.manifests.iter().rev() {
            stack.push((child.clone(), depth + 1));
        }
        out.push(IndexNode {
            descriptor,
            bytes,
            successors,
            depth,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successors_of_each_kind() {
        let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:01","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:02","size":3}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:03","size":4}}"#;
        let d = Descriptor::of(MEDIA_TYPE_IMAGE_MANIFEST, manifest);
        let s = successors(&d, manifest).unwrap();
        assert_eq!(s.blobs.len(), 2);
        assert_eq!(s.subject.unwrap().digest, "sha256:03");
        assert_eq!(
            s.artifact_type.as_deref(),
            Some("application/vnd.oci.image.config.v1+json")
        );

        let list = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:04","size":5,"platform":{"os":"linux","architecture":"arm64"}}]}"#;
        let d = Descriptor::of(MEDIA_TYPE_DOCKER_MANIFEST_LIST, list);
        let s = successors(&d, list).unwrap();
        assert_eq!(s.manifests.len(), 1);
        assert!(s.manifests[0].other.contains_key("platform"));
        assert!(is_index(&d.media_type));

        let blob = Descriptor::of("application/octet-stream", b"x");
        assert!(matches!(
            successors(&blob, b"x"),
            Err(GraphError::UnsupportedMediaType { .. })
        ));
        let bad = Descriptor::of(MEDIA_TYPE_IMAGE_INDEX, b"[");
        assert!(matches!(
            successors(&bad, b"["),
            Err(GraphError::Malformed { .. })
        ));
    }
}
