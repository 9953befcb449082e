//! The OCI image layouts of one batch: each opened once, and its
//! referrers found in one walk of its manifest graph, shared by every
//! reference into it (a layout has no referrers index: listing one
//! artifact's signatures reads every manifest, so a batch of N references
//! into one layout would read it N times), and its `index.json` read once
//! to resolve every reference into it. A batch sees a layout as it was
//! when the first of its references was resolved or listed signatures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::layout::{IndexLookup, OciLayout};
use crate::oci::{Descriptor, ImageManifest};
use crate::repository::{PushedSignature, RepositoryError, SignatureRepository};
use crate::signature::{SignatureManifest, SignatureManifestForm, notary_referrer};

type Opened = Arc<OnceLock<Result<Arc<IndexedLayout>, String>>>;

/// The layouts a batch has opened, by path as given.
#[derive(Default)]
pub(super) struct Layouts {
    opened: Mutex<HashMap<PathBuf, Opened>>,
}

impl Layouts {
    /// The layout at `path`, opened on first use (an error names the path).
    pub(super) fn get(&self, path: &Path) -> Result<Arc<IndexedLayout>, String> {
        let cell = self
            .opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(path.to_path_buf())
            .or_default()
            .clone();
        cell.get_or_init(|| {
            OciLayout::open(path)
                .map(|layout| {
                    Arc::new(IndexedLayout {
                        layout,
                        index: OnceLock::new(),
                        referrers: OnceLock::new(),
                    })
                })
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .clone()
    }
}

type Referrers = HashMap<String, Vec<(Descriptor, ImageManifest)>>;

/// A layout whose referrers are indexed by subject on first listing.
pub(super) struct IndexedLayout {
    layout: OciLayout,
    /// `index.json`, read once for every reference resolved (`None` when
    /// reading failed: resolving then goes to the layout, which reports
    /// the error with its type).
    index: OnceLock<Option<IndexLookup>>,
    /// `None` when the walk failed: listing then goes to the layout, which
    /// reports the error with its type.
    referrers: OnceLock<Option<Referrers>>,
}

impl super::BatchStore for IndexedLayout {
    fn repository(&self) -> &dyn SignatureRepository {
        self
    }
    fn content(&self) -> &dyn crate::store::ContentStore {
        &self.layout
    }
}

impl SignatureRepository for IndexedLayout {
    fn resolve(&self, reference: &str) -> Result<Descriptor, RepositoryError> {
        match self.index.get_or_init(|| self.layout.index_lookup().ok()) {
            Some(lookup) => Ok(self.layout.resolve_in(lookup, reference)?),
            None => SignatureRepository::resolve(&self.layout, reference),
        }
    }

    fn signatures(&self, artifact: &Descriptor) -> Result<Vec<Descriptor>, RepositoryError> {
        let indexed = self
            .referrers
            .get_or_init(|| self.layout.referrers_by_subject().ok());
        match indexed {
            Some(by_subject) => Ok(by_subject
                .get(&artifact.digest)
                .into_iter()
                .flatten()
                .filter_map(|(node, manifest)| notary_referrer(node, manifest, artifact))
                .collect()),
            None => self.layout.signatures(artifact),
        }
    }

    fn fetch_signature(
        &self,
        signature: &Descriptor,
        artifact: &Descriptor,
    ) -> Result<(SignatureManifest, Vec<u8>), RepositoryError> {
        self.layout.fetch_signature(signature, artifact)
    }

    fn push_signature(
        &self,
        artifact: &Descriptor,
        envelope_media_type: &str,
        envelope: &[u8],
        annotations: std::collections::BTreeMap<String, String>,
        form: SignatureManifestForm,
    ) -> Result<PushedSignature, RepositoryError> {
        self.layout
            .push_signature(artifact, envelope_media_type, envelope, annotations, form)
    }
}
