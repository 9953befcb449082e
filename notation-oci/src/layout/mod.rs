//! OCI image layouts on disk (`oci-layout`, `index.json`,
//! `blobs/<alg>/<hex>`): the embedded store that needs no server.
//!
//! Signing into a layout writes the envelope, the config and the signature
//! manifest as blobs and lists the manifest in `index.json`, as the
//! reference (oras-go's OCI store) does; referrers are found by walking the
//! graph from `index.json`, so signatures listed only in a referrers tag
//! index are found too. Every blob read is checked against its digest and a
//! size limit; every write is atomic (a temporary file, then a rename;
//! blobs are staged in `ingest/`, as oras-go's OCI store stages them, so
//! that `blobs/` holds only files named by their digest). Blobs of any
//! size stream in and out ([`OciLayout::open_blob`],
//! [`OciLayout::write_blob_from`]), and a copy lists what it brought in
//! `index.json` in one write ([`OciLayout::record_manifests`]).

mod index;
mod stream;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use stream::{INGEST_DIR, LayoutBlobReader};

use crate::oci::{
    ANNOTATION_REF_NAME, Descriptor, ImageIndex, ImageManifest, MAX_MANIFEST_SIZE,
    MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST, digest_matches,
};

/// The layout marker file.
pub const OCI_LAYOUT_FILE: &str = "oci-layout";
/// The index file.
pub const INDEX_FILE: &str = "index.json";
/// How long a change of `index.json` waits for another writer's to end.
pub const INDEX_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// Largest `index.json` read.
pub const MAX_INDEX_SIZE: u64 = 32 * 1024 * 1024;
/// Most manifests visited when looking for referrers.
pub const MAX_GRAPH_NODES: usize = 100_000;

/// Why a layout operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// The path is not an OCI layout directory.
    #[error("failed to create OCI store: {0}")]
    NotALayout(String),
    /// A file could not be read or written (the reason as Go words it).
    #[error("{}: {}", .path.display(), notation_core::file::go_io_error_text(.error))]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// A blob whose bytes do not match its digest or size.
    #[error("blob {digest} in the OCI layout does not match its digest or size")]
    Integrity {
        /// The digest.
        digest: String,
    },
    /// A blob or file over its size limit.
    #[error("{what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// What it is.
        what: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A malformed `index.json` or manifest.
    #[error("{0}")]
    Malformed(String),
    /// No such tag or digest.
    #[error("{0}: not found")]
    NotFound(String),
    /// A digest that is not `<alg>:<hex>` of a supported algorithm.
    #[error("invalid digest {0:?}")]
    InvalidDigest(String),
    /// The referrers walk exceeded its bound.
    #[error("more than {MAX_GRAPH_NODES} manifests reachable from index.json")]
    GraphTooLarge,
    /// Something other than a regular file (a FIFO, a device, a directory)
    /// where the layout should hold a file.
    #[error("{path}: not a regular file")]
    NotARegularFile {
        /// The path.
        path: PathBuf,
    },
    /// A symbolic link (of the file or of a directory on the way) that
    /// leads outside the layout directory.
    #[error("{path}: symbolic link leads outside the OCI layout")]
    OutsideLayout {
        /// The path, as named in the layout.
        path: PathBuf,
    },
}

/// Splits a `--oci-layout` reference `<path>@<digest>` or `<path>:<tag>`
/// as the reference CLI does (a drive letter `C:\` is not a tag).
pub fn parse_layout_reference(raw: &str) -> Result<(PathBuf, String), String> {
    let missing = || {
        format!(
            "{raw:?}: invalid reference: missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>"
        )
    };
    let (path, reference) = if let Some(i) = raw.rfind('@') {
        (&raw[..i], &raw[i + 1..])
    } else {
        let b = raw.as_bytes();
        match raw.rfind(':') {
            None => return Err(missing()),
            Some(1) if b.len() > 2 && (b[0] as char).is_ascii_alphabetic() && b[2] == b'\\' => {
                return Err(missing());
            }
            Some(i) => (&raw[..i], &raw[i + 1..]),
        }
    };
    if path.is_empty() {
        return Err(format!(
            "{raw:?}: invalid reference: missing oci-layout file path. Expecting <file_path>:<tag> or <file_path>@<digest>"
        ));
    }
    if reference.is_empty() {
        return Err(missing());
    }
    Ok((PathBuf::from(path), reference.to_string()))
}

/// Splits the destination of a copy into an OCI layout: `<path>`,
/// `<path>:<tag>` or `<path>@<digest>`, the tag or digest optional (a `:`
/// followed by something that is no tag, such as `C:\dir` or `a:b/c`,
/// belongs to the path).
pub fn parse_layout_destination(raw: &str) -> Result<(PathBuf, Option<String>), String> {
    if raw.contains('@') {
        let (path, reference) = parse_layout_reference(raw)?;
        return Ok((path, Some(reference)));
    }
    if let Some((path, tag)) = raw.rsplit_once(':')
        && !path.is_empty()
        && !tag.is_empty()
        && !tag.contains(['/', '\\'])
    {
        return Ok((PathBuf::from(path), Some(tag.to_string())));
    }
    if raw.is_empty() {
        return Err("the OCI layout path is empty".to_string());
    }
    Ok((PathBuf::from(raw), None))
}

/// The referrers of every subject in a layout, by the subject's digest,
/// in the order a walk of the graph finds them.
type ReferrersBySubject = HashMap<String, Vec<(Descriptor, ImageManifest)>>;

/// The referrers of the last walk, with the `index.json` bytes walked.
type ReferrersCache = std::sync::Mutex<Option<(Vec<u8>, std::sync::Arc<ReferrersBySubject>)>>;

/// An OCI image layout directory.
#[derive(Clone, Debug)]
pub struct OciLayout {
    root: PathBuf,
    /// The referrers found by the last walk of the graph, with the
    /// `index.json` they were found from: what is reachable depends only on
    /// it (blobs are addressed by content), so a copy that asks for the
    /// referrers of each of its manifests walks the layout once, not once
    /// per manifest. Shared by clones.
    referrers: std::sync::Arc<ReferrersCache>,
}

/// The descriptors `index.json` lists (media type, digest and size), by
/// digest (the first listed) and by tag (the last listed, as the reference
/// resolves one), so that a lookup is not a scan of a list that may be long.
pub(crate) struct IndexLookup {
    by_digest: HashMap<String, Descriptor>,
    by_tag: HashMap<String, Descriptor>,
}

impl IndexLookup {
    fn new(index: &ImageIndex) -> Self {
        let mut by_digest = HashMap::new();
        let mut by_tag = HashMap::new();
        for d in &index.manifests {
            let plain = || Descriptor::new(d.media_type.clone(), d.digest.clone(), d.size);
            by_digest.entry(d.digest.clone()).or_insert_with(plain);
            if let Some(tag) = d.annotation(ANNOTATION_REF_NAME) {
                by_tag.insert(tag.to_owned(), plain());
            }
        }
        Self { by_digest, by_tag }
    }
}

impl OciLayout {
    /// Opens an existing layout (the directory must hold `oci-layout`).
    pub fn open(root: impl AsRef<Path>) -> Result<Self, LayoutError> {
        let root = root.as_ref().to_path_buf();
        // Go's `os.Stat` error, as oras-go's store gives it.
        let meta = std::fs::metadata(&root).map_err(|e| {
            LayoutError::NotALayout(format!(
                "stat {}: {}",
                root.display(),
                notation_core::file::go_io_error_text(&e)
            ))
        })?;
        if !meta.is_dir() {
            return Err(LayoutError::NotALayout(
                "the input path is not a directory".into(),
            ));
        }
        let layout = Self {
            root,
            referrers: Default::default(),
        };
        let marker = layout.read_file(&layout.root.join(OCI_LAYOUT_FILE), 4096, "oci-layout")?;
        // oras-go's texts, as the reference gives them.
        let v: serde_json::Value = serde_json::from_slice(&marker).map_err(|e| {
            LayoutError::NotALayout(format!(
                "invalid OCI Image Layout: failed to decode OCI layout file: {e}"
            ))
        })?;
        if v.get("imageLayoutVersion").and_then(|x| x.as_str()) != Some("1.0.0") {
            return Err(LayoutError::NotALayout(
                "invalid OCI Image Layout: unsupported version".into(),
            ));
        }
        Ok(layout)
    }

    /// Creates an empty layout at `root` (or opens the one there).
    pub fn create(root: impl AsRef<Path>) -> Result<Self, LayoutError> {
        let root = root.as_ref().to_path_buf();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LayoutError::Io {
                path,
                error: source,
            }
        };
        if root.join(OCI_LAYOUT_FILE).exists() {
            return Self::open(root);
        }
        std::fs::create_dir_all(root.join("blobs")).map_err(io(&root))?;
        let layout = Self {
            root,
            referrers: Default::default(),
        };
        // index.json before the marker that makes the directory a layout
        // to others, and neither replaces what a creator running at the
        // same time wrote (it may have listed a signature already).
        for (file, data) in [
            (INDEX_FILE, ImageIndex::new().to_json()),
            (
                OCI_LAYOUT_FILE,
                br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
            ),
        ] {
            let path = layout.root.join(file);
            layout.check_within(&path)?;
            match notation_core::file::AtomicWrite::public()
                .dir_mode(notation_core::file::PUBLIC_DIR_MODE)
                .no_replace()
                .write(&path, &data)
            {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                other => other.map_err(io(&path))?,
            }
        }
        Ok(layout)
    }

    /// The layout directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads `index.json`.
    pub fn index(&self) -> Result<ImageIndex, LayoutError> {
        let data = self.read_file(&self.root.join(INDEX_FILE), MAX_INDEX_SIZE, "index.json")?;
        ImageIndex::from_json(&data).map_err(LayoutError::Malformed)
    }

    /// Resolves a tag (by `org.opencontainers.image.ref.name` in
    /// `index.json`) or a digest to a descriptor.
    pub fn resolve(&self, reference: &str) -> Result<Descriptor, LayoutError> {
        // One reference: a scan of the index, no maps built.
        let index = self.index()?;
        let plain =
            |d: &Descriptor| Descriptor::new(d.media_type.clone(), d.digest.clone(), d.size);
        self.resolve_listed(
            reference,
            |digest| {
                index
                    .manifests
                    .iter()
                    .find(|d| d.digest == digest)
                    .map(plain)
            },
            |tag| {
                (index.manifests.iter().rev())
                    .find(|d| d.annotation(ANNOTATION_REF_NAME) == Some(tag))
                    .map(plain)
            },
        )
    }

    /// `index.json` read once, to resolve many references against it.
    pub(crate) fn index_lookup(&self) -> Result<IndexLookup, LayoutError> {
        Ok(IndexLookup::new(&self.index()?))
    }

    /// [`OciLayout::resolve`] against `index.json` as `lookup` holds it.
    pub(crate) fn resolve_in(
        &self,
        lookup: &IndexLookup,
        reference: &str,
    ) -> Result<Descriptor, LayoutError> {
        self.resolve_listed(
            reference,
            |digest| lookup.by_digest.get(digest).cloned(),
            |tag| lookup.by_tag.get(tag).cloned(),
        )
    }

    /// Resolves `reference` with the entry `index.json` lists for a digest
    /// (its first) or a tag (its last); a digest it does not list is read
    /// from the blobs to learn its media type.
    fn resolve_listed(
        &self,
        reference: &str,
        by_digest: impl Fn(&str) -> Option<Descriptor>,
        by_tag: impl Fn(&str) -> Option<Descriptor>,
    ) -> Result<Descriptor, LayoutError> {
        if reference.contains(':') {
            if let Some(d) = by_digest(reference) {
                return Ok(d);
            }
            // A manifest not listed in index.json: read it to learn its
            // media type.
            let path = self.blob_path(reference)?;
            let size = std::fs::metadata(&path)
                .map_err(|_| LayoutError::NotFound(reference.to_string()))?
                .len();
            let probe = Descriptor::new("", reference, size);
            let data = self.read_blob(&probe, MAX_MANIFEST_SIZE)?;
            let media_type = serde_json::from_slice::<serde_json::Value>(&data)
                .ok()
                .and_then(|v| {
                    v.get("mediaType")
                        .and_then(|m| m.as_str())
                        .map(str::to_owned)
                })
                .ok_or_else(|| {
                    LayoutError::Malformed(format!("{reference}: not a manifest with a mediaType"))
                })?;
            return Ok(Descriptor::new(media_type, reference, size));
        }
        by_tag(reference).ok_or_else(|| LayoutError::NotFound(reference.to_string()))
    }

    /// The path of a blob; the digest is validated so that it can never
    /// name a path outside `blobs/`.
    pub fn blob_path(&self, digest: &str) -> Result<PathBuf, LayoutError> {
        if notation_core::payload::parse_digest(digest).is_none() {
            return Err(LayoutError::InvalidDigest(digest.to_string()));
        }
        let (alg, hex) = digest.split_once(':').expect("validated");
        Ok(self.root.join("blobs").join(alg).join(hex))
    }

    /// Reads a blob, checking size and digest.
    pub fn read_blob(&self, desc: &Descriptor, max_size: u64) -> Result<Vec<u8>, LayoutError> {
        if desc.size > max_size {
            return Err(LayoutError::TooLarge {
                what: format!("blob {}", desc.digest),
                size: desc.size,
                limit: max_size,
            });
        }
        let path = self.blob_path(&desc.digest)?;
        let data = match self.read_file(&path, max_size, &desc.digest) {
            Err(LayoutError::Io { error: source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Err(LayoutError::NotFound(desc.digest.clone()));
            }
            other => other?,
        };
        if data.len() as u64 != desc.size || !digest_matches(&desc.digest, &data) {
            return Err(LayoutError::Integrity {
                digest: desc.digest.clone(),
            });
        }
        Ok(data)
    }

    /// Whether a blob is present.
    pub fn has_blob(&self, digest: &str) -> Result<bool, LayoutError> {
        Ok(self.blob_path(digest)?.is_file())
    }

    /// Writes a blob (content-addressed: an existing blob that holds these
    /// bytes is kept; one that does not, damaged or planted, is replaced).
    pub fn write_blob(&self, media_type: &str, data: &[u8]) -> Result<Descriptor, LayoutError> {
        let desc = Descriptor::of(media_type, data);
        let path = self.blob_path(&desc.digest)?;
        let held = path.is_file()
            && self
                .read_file(&path, data.len() as u64, &desc.digest)
                .is_ok_and(|existing| existing == data);
        if !held {
            self.check_within(&self.ingest_dir())?;
            self.write_atomic_staged(&path, data, Some(&self.ingest_dir()))?;
        }
        Ok(desc)
    }

    /// Lists a manifest in `index.json` (once).
    pub fn add_to_index(&self, desc: Descriptor) -> Result<(), LayoutError> {
        let _lock = self.lock_index()?;
        let mut index = self.index()?;
        if index
            .manifests
            .iter()
            .any(|d| d.digest == desc.digest && d.annotation(ANNOTATION_REF_NAME).is_none())
        {
            return Ok(());
        }
        index.manifests.push(desc);
        self.write_atomic(&self.root.join(INDEX_FILE), &index.to_json())
    }

    /// Every image manifest reachable from `index.json` whose subject is
    /// `subject`, with its parsed manifest (the graph walk of oras-go's OCI
    /// store, so referrers listed only in nested indexes are found).
    pub fn referrers(
        &self,
        subject: &Descriptor,
    ) -> Result<Vec<(Descriptor, ImageManifest)>, LayoutError> {
        let index = self.read_file(&self.root.join(INDEX_FILE), MAX_INDEX_SIZE, "index.json")?;
        let mut cache = self.referrers.lock().unwrap_or_else(|e| e.into_inner());
        let all = match &*cache {
            Some((walked, all)) if *walked == index => all.clone(),
            _ => {
                let parsed = ImageIndex::from_json(&index).map_err(LayoutError::Malformed)?;
                let all = std::sync::Arc::new(self.group_referrers(parsed)?);
                *cache = Some((index, all.clone()));
                all
            }
        };
        Ok(all.get(&subject.digest).cloned().unwrap_or_default())
    }

    /// Every image manifest reachable from `index.json` that has a
    /// subject, grouped by the subject's digest: the referrers of every
    /// artifact in one walk of the layout (what [`referrers`](Self::referrers)
    /// finds for one subject, for all of them).
    pub fn referrers_by_subject(
        &self,
    ) -> Result<HashMap<String, Vec<(Descriptor, ImageManifest)>>, LayoutError> {
        self.group_referrers(self.index()?)
    }

    fn group_referrers(&self, index: ImageIndex) -> Result<ReferrersBySubject, LayoutError> {
        let mut out: ReferrersBySubject = HashMap::new();
        self.walk_manifests(index, |node, manifest| {
            if let Some(subject) = &manifest.subject {
                out.entry(subject.digest.clone())
                    .or_default()
                    .push((node, manifest));
            }
        })?;
        Ok(out)
    }

    /// Walks the manifest graph from `index` (nested indexes
    /// included, each node once, at most `MAX_GRAPH_NODES`), handing every
    /// image manifest and its parse to `visit`.
    fn walk_manifests(
        &self,
        index: ImageIndex,
        mut visit: impl FnMut(Descriptor, ImageManifest),
    ) -> Result<(), LayoutError> {
        let mut queue: std::collections::VecDeque<Descriptor> = index.manifests.into();
        let mut seen = std::collections::HashSet::new();
        while let Some(node) = queue.pop_front() {
            if !seen.insert(node.digest.clone()) {
                continue;
            }
            if seen.len() > MAX_GRAPH_NODES {
                return Err(LayoutError::GraphTooLarge);
            }
            match node.media_type.as_str() {
                MEDIA_TYPE_IMAGE_INDEX => {
                    // Listed but absent, as a manifest below: skipped.
                    let data = match self.read_blob(&node, MAX_MANIFEST_SIZE) {
                        Ok(d) => d,
                        Err(LayoutError::NotFound(_)) => continue,
                        Err(e) => return Err(e),
                    };
                    let index = ImageIndex::from_json(&data).map_err(LayoutError::Malformed)?;
                    queue.extend(index.manifests);
                }
                MEDIA_TYPE_IMAGE_MANIFEST | crate::oci::MEDIA_TYPE_ARTIFACT_MANIFEST => {
                    // Skip manifests that are listed but absent (layouts may be
                    // partial copies), as the reference's store does.
                    let data = match self.read_blob(&node, MAX_MANIFEST_SIZE) {
                        Ok(d) => d,
                        Err(LayoutError::NotFound(_)) => continue,
                        Err(e) => return Err(e),
                    };
                    let manifest =
                        ImageManifest::from_json(&data).map_err(LayoutError::Malformed)?;
                    visit(node, manifest);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Serializes changes of `index.json`: every read-modify-write of it
    /// (signing, tagging, a copy's end) holds an exclusive lock on the
    /// layout's `oci-layout` file, a file no writer replaces, until the
    /// returned handle drops. Two processes or threads signing into one
    /// layout at once would otherwise both read the old `index.json` and
    /// the later write would drop the other's signature from it. Another
    /// writer is waited for at most [`INDEX_LOCK_WAIT`].
    pub(crate) fn lock_index(&self) -> Result<std::fs::File, LayoutError> {
        let path = self.root.join(OCI_LAYOUT_FILE);
        let file = self.open_file(&path)?;
        notation_core::file::lock_exclusive(&file, INDEX_LOCK_WAIT).map_err(|error| {
            LayoutError::Io {
                path: path.clone(),
                error: if error.kind() == std::io::ErrorKind::TimedOut {
                    std::io::Error::new(
                        error.kind(),
                        format!("another writer of index.json holds the layout's lock: {error}"),
                    )
                } else {
                    error
                },
            }
        })?;
        Ok(file)
    }

    /// Reads a file of the layout: a regular file, inside the layout, of
    /// at most `limit` bytes. A FIFO, a device or a directory where a file
    /// should be is refused without blocking, and so is a symbolic link
    /// (of the file or of a directory on the way) that leads outside the
    /// layout; both are checked on the opened handle too, so a file
    /// swapped meanwhile is refused as well.
    fn read_file(&self, path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, LayoutError> {
        let io = |source| LayoutError::Io {
            path: path.to_path_buf(),
            error: source,
        };
        let file = self.open_file(path)?;
        let mut data = Vec::new();
        file.take(limit + 1).read_to_end(&mut data).map_err(io)?;
        if data.len() as u64 > limit {
            return Err(LayoutError::TooLarge {
                what: what.to_string(),
                size: data.len() as u64,
                limit,
            });
        }
        Ok(data)
    }

    /// Opens a file of the layout for reading, with the checks of
    /// [`OciLayout::read_file`].
    fn open_file(&self, path: &Path) -> Result<std::fs::File, LayoutError> {
        self.check_within(path)?;
        let file = match notation_core::file::open_regular(path) {
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                return Err(LayoutError::NotARegularFile {
                    path: path.to_path_buf(),
                });
            }
            other => other.map_err(|source| LayoutError::Io {
                path: path.to_path_buf(),
                error: source,
            })?,
        };
        self.check_opened_within(path, &file)?;
        Ok(file)
    }

    /// The layout directory with its symbolic links resolved.
    fn canonical_root(&self) -> Result<PathBuf, LayoutError> {
        std::fs::canonicalize(&self.root).map_err(|source| LayoutError::Io {
            path: self.root.clone(),
            error: source,
        })
    }

    /// Refuses `path` (a path under the layout root, which need not exist
    /// yet) when symbolic links make it, or its deepest existing ancestor,
    /// resolve outside the layout. A symbolic link to nothing is refused
    /// too: a write would create its target wherever it points.
    fn check_within(&self, path: &Path) -> Result<(), LayoutError> {
        let root = self.canonical_root()?;
        let mut existing = path;
        while let Err(e) = std::fs::symlink_metadata(existing) {
            match existing.parent() {
                Some(parent) if e.kind() == std::io::ErrorKind::NotFound => existing = parent,
                _ => {
                    return Err(LayoutError::Io {
                        path: existing.to_path_buf(),
                        error: e,
                    });
                }
            }
        }
        match std::fs::canonicalize(existing) {
            Ok(resolved) if resolved.starts_with(&root) => Ok(()),
            Ok(_) => Err(LayoutError::OutsideLayout {
                path: path.to_path_buf(),
            }),
            Err(source) => Err(LayoutError::Io {
                path: path.to_path_buf(),
                error: std::io::Error::new(
                    source.kind(),
                    format!("symbolic link to a missing file: {source}"),
                ),
            }),
        }
    }

    /// After opening: `path` still resolves inside the layout, to the very
    /// file opened (Unix; elsewhere the check before opening stands alone).
    fn check_opened_within(&self, path: &Path, file: &std::fs::File) -> Result<(), LayoutError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let io = |source| LayoutError::Io {
                path: path.to_path_buf(),
                error: source,
            };
            let resolved = std::fs::canonicalize(path).map_err(io)?;
            let outside = || LayoutError::OutsideLayout {
                path: path.to_path_buf(),
            };
            if !resolved.starts_with(self.canonical_root()?) {
                return Err(outside());
            }
            let (opened, named) = (
                file.metadata().map_err(io)?,
                std::fs::metadata(&resolved).map_err(io)?,
            );
            if (opened.dev(), opened.ino()) != (named.dev(), named.ino()) {
                return Err(outside());
            }
        }
        #[cfg(not(unix))]
        let _ = (path, file);
        Ok(())
    }

    /// Writes a file of the layout atomically, readable by all as the
    /// reference's store writes them, after refusing a path that symbolic
    /// links would take outside the layout.
    fn write_atomic(&self, path: &Path, data: &[u8]) -> Result<(), LayoutError> {
        self.write_atomic_staged(path, data, None)
    }

    /// As [`OciLayout::write_atomic`], the temporary file in `staging` when
    /// given (blobs are staged in `ingest/`).
    fn write_atomic_staged(
        &self,
        path: &Path,
        data: &[u8],
        staging: Option<&Path>,
    ) -> Result<(), LayoutError> {
        self.check_within(path)?;
        let mut write = notation_core::file::AtomicWrite::public()
            .dir_mode(notation_core::file::PUBLIC_DIR_MODE);
        if let Some(dir) = staging {
            write = write.staging_dir(dir);
        }
        write.write(path, data).map_err(|source| LayoutError::Io {
            path: path.to_path_buf(),
            error: source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As a scan of index.json resolves: a digest to its first entry, a
    /// tag to its last.
    #[test]
    fn index_lookup_resolves_as_the_index_lists() {
        let index = ImageIndex::from_json(
            br#"{"schemaVersion":2,"manifests":[
            {"mediaType":"a","digest":"sha256:01","size":1,"annotations":{"org.opencontainers.image.ref.name":"v1"}},
            {"mediaType":"b","digest":"sha256:01","size":2},
            {"mediaType":"c","digest":"sha256:02","size":3,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}"#,
        )
        .unwrap();
        let lookup = IndexLookup::new(&index);
        let first = &lookup.by_digest["sha256:01"];
        assert_eq!((first.media_type.as_str(), first.size), ("a", 1));
        assert_eq!(lookup.by_tag["v1"].digest, "sha256:02");
        assert!(first.annotations.is_none());
        assert_eq!(lookup.by_digest.len(), 2);
    }

    #[test]
    fn layout_references() {
        assert_eq!(
            parse_layout_reference("./l:v1").unwrap(),
            (PathBuf::from("./l"), "v1".into())
        );
        assert_eq!(
            parse_layout_reference("/a/b@sha256:00").unwrap(),
            (PathBuf::from("/a/b"), "sha256:00".into())
        );
        assert!(
            parse_layout_reference("./l")
                .unwrap_err()
                .contains("missing tag or digest")
        );
        assert!(
            parse_layout_reference(":v1")
                .unwrap_err()
                .contains("missing oci-layout file path")
        );
        assert!(parse_layout_reference("C:\\layout").is_err());
        assert!(parse_layout_reference("./l@").is_err());
    }

    #[test]
    fn layout_destinations() {
        let p = |s: &str| parse_layout_destination(s).unwrap();
        assert_eq!(p("./out"), (PathBuf::from("./out"), None));
        assert_eq!(p("./out:v1"), (PathBuf::from("./out"), Some("v1".into())));
        assert_eq!(
            p("./out@sha256:ab"),
            (PathBuf::from("./out"), Some("sha256:ab".into()))
        );
        assert_eq!(p("C:\\out"), (PathBuf::from("C:\\out"), None));
        assert_eq!(p("a:b/c"), (PathBuf::from("a:b/c"), None));
        assert!(parse_layout_destination("").is_err());
    }

    /// A directory is a layout by its `oci-layout` file; a wrong one gets
    /// oras-go's texts, as the reference gives them.
    #[test]
    fn the_layout_file_is_required_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let open_err = |marker: Option<&str>| {
            let root = dir.path().join(format!("l{}", marker.map_or(0, str::len)));
            std::fs::create_dir_all(&root).unwrap();
            if let Some(m) = marker {
                std::fs::write(root.join(OCI_LAYOUT_FILE), m).unwrap();
            }
            OciLayout::open(&root).unwrap_err().to_string()
        };
        assert!(open_err(None).contains("oci-layout: no such file or directory"));
        assert_eq!(
            open_err(Some(r#"{"imageLayoutVersion":"9.9.9"}"#)),
            "failed to create OCI store: invalid OCI Image Layout: unsupported version"
        );
        assert!(open_err(Some("{")).starts_with(
            "failed to create OCI store: invalid OCI Image Layout: failed to decode OCI layout file: "
        ));
        assert!(
            std::fs::read_dir(dir.path().join("l0"))
                .unwrap()
                .next()
                .is_none()
        );
    }

    #[test]
    fn blobs_index_and_traversal_safety() {
        let dir = tempfile::tempdir().unwrap();
        let layout = OciLayout::create(dir.path().join("l")).unwrap();
        let d = layout
            .write_blob("application/octet-stream", b"hello")
            .unwrap();
        assert_eq!(layout.read_blob(&d, 100).unwrap(), b"hello");
        assert!(matches!(
            layout.read_blob(&d, 3),
            Err(LayoutError::TooLarge { .. })
        ));
        let mut wrong = d.clone();
        wrong.size = 4;
        assert!(matches!(
            layout.read_blob(&wrong, 100),
            Err(LayoutError::Integrity { .. })
        ));
        assert!(matches!(
            layout.blob_path("sha256:../../etc/passwd"),
            Err(LayoutError::InvalidDigest(_))
        ));
        // Corrupt the blob on disk: reading it fails on the digest.
        std::fs::write(layout.blob_path(&d.digest).unwrap(), b"hellp").unwrap();
        assert!(matches!(
            layout.read_blob(&d, 100),
            Err(LayoutError::Integrity { .. })
        ));
        assert!(OciLayout::open(dir.path()).is_err(), "not a layout");
    }
}
