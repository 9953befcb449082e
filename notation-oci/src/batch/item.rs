//! What a batch verifies: references to artifacts in registries and in
//! OCI image layouts, kept as given (a reference that does not parse is
//! an `error` result, not a reason to stop the batch). Options of one
//! reference (such as verifying the platform manifests of an index too)
//! belong on [`BatchItem`], and its verification in [`BatchItem::verify`].

use super::{BatchOutcome, BatchResult, BatchStore, BatchVerifier, verify_in};
use std::path::PathBuf;
use std::sync::Arc;

use super::layouts::Layouts;
use crate::layout::parse_layout_reference;
use crate::reference::Reference;
use crate::remote::RemoteRepository;

/// One reference to verify.
#[derive(Clone, Debug)]
pub struct BatchItem {
    given: String,
    target: Target,
    recursive: bool,
}

#[derive(Clone, Debug)]
enum Target {
    Registry(Result<Reference, String>),
    Layout {
        layout: Result<(PathBuf, String), String>,
        scope: String,
    },
}

impl BatchItem {
    /// An artifact in a registry: `registry/repository:tag` or
    /// `registry/repository@sha256:...`. The trust policy statement is
    /// selected by `registry/repository`.
    pub fn registry(reference: &str) -> Self {
        Self {
            given: reference.to_string(),
            target: Target::Registry(Reference::parse(reference).map_err(|e| e.to_string())),
            recursive: false,
        }
    }

    /// An artifact in a registry, already parsed.
    pub fn reference(reference: Reference) -> Self {
        Self {
            given: reference.to_string(),
            target: Target::Registry(Ok(reference)),
            recursive: false,
        }
    }

    /// An artifact in an OCI image layout: `<path>:<tag>` or
    /// `<path>@<digest>`, verified under the trust policy statement of
    /// `scope` (a `registry/repository` of your choosing, as the CLI's
    /// `--scope`).
    pub fn layout(reference: &str, scope: &str) -> Self {
        Self {
            given: reference.to_string(),
            target: Target::Layout {
                layout: parse_layout_reference(reference),
                scope: scope.to_string(),
            },
            recursive: false,
        }
    }

    /// Verifies every manifest an image index lists too (nested indexes
    /// included), as `notation verify --recursive`: the reference passes
    /// only when the index and each of them verified, and its result lists
    /// each one's verdict in [`BatchResult::manifests`]. No effect on a
    /// reference to an image manifest.
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// The reference as given.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// What the first reference of a registry, and of a repository,
    /// learns for the others (see the pool).
    pub(super) fn discovery_keys(&self) -> Vec<String> {
        match &self.target {
            Target::Registry(Ok(reference)) => {
                let registry = reference.registry().to_ascii_lowercase();
                vec![
                    format!("registry {registry}"),
                    format!("repository {registry}/{}", reference.repository()),
                ]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn verify(
        &self,
        batch: &BatchVerifier<'_>,
        layouts: &Layouts,
        result: &mut BatchResult,
    ) {
        match &self.target {
            Target::Registry(Err(e)) | Target::Layout { layout: Err(e), .. } => {
                result.conclude(BatchOutcome::Error, Some(e.clone()))
            }
            Target::Registry(Ok(reference)) => {
                let Some(tag_or_digest) = reference.reference() else {
                    return result.conclude(
                        BatchOutcome::Error,
                        Some(format!(
                            "invalid reference {:?}: no tag or digest",
                            self.given
                        )),
                    );
                };
                let open = || -> Result<Arc<dyn BatchStore>, String> {
                    let client = batch.clients.client_for(reference.registry())?;
                    let repo =
                        RemoteRepository::new(client, reference).map_err(|e| e.to_string())?;
                    Ok(Arc::new(repo))
                };
                let scope = reference.scope();
                verify_in(batch, open, &scope, tag_or_digest, self.recursive, result)
            }
            Target::Layout {
                layout: Ok((path, reference)),
                scope,
            } => {
                let open = || -> Result<Arc<dyn BatchStore>, String> { Ok(layouts.get(path)?) };
                verify_in(batch, open, scope, reference, self.recursive, result)
            }
        }
    }
}
