//! What a client has learned about each registry while talking to it, so
//! that it does not pay for the same discovery twice: whether the registry
//! takes a blob in a single `POST`, whether a repository indexes subjects
//! itself (the referrers API; learned per repository, as oras-go learns it,
//! since one host may route repositories to different backends), and which
//! blobs it is known to hold in a repository. Learned facts only save
//! requests; a stale one costs at most a retry.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use super::{RegistryClient, RepositoryRef};

/// Most remembered blobs per client (cleared when full).
const MAX_KNOWN_BLOBS: usize = 1024;
/// Most repositories whose referrers API support is remembered per client
/// (cleared when full).
const MAX_KNOWN_REPOSITORIES: usize = 1024;

#[derive(Default)]
pub(super) struct Capabilities {
    registries: Mutex<HashMap<String, Learned>>,
    /// Referrers API support by registry and repository.
    referrers_api: Mutex<HashMap<(String, String), bool>>,
    known_blobs: Mutex<HashSet<(String, String, String)>>,
}

#[derive(Clone, Copy, Default)]
struct Learned {
    single_post: Option<bool>,
}

impl Capabilities {
    fn with<T>(&self, registry: &str, f: impl FnOnce(&mut Learned) -> T) -> T {
        let mut map = self
            .registries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(map.entry(registry.to_ascii_lowercase()).or_default())
    }

    /// Whether `registry` takes a blob in one `POST ?digest=` (unknown
    /// until tried).
    pub(super) fn single_post(&self, registry: &str) -> Option<bool> {
        self.with(registry, |l| l.single_post)
    }

    pub(super) fn set_single_post(&self, registry: &str, accepted: bool) {
        self.with(registry, |l| l.single_post = Some(accepted));
    }

    /// Whether `repository` of `registry` supports the referrers API
    /// (unknown until a manifest push or a referrers listing tells).
    pub(super) fn referrers_api(&self, registry: &str, repository: &str) -> Option<bool> {
        self.referrers_api
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(registry.to_ascii_lowercase(), repository.to_string()))
            .copied()
    }

    pub(super) fn set_referrers_api(&self, registry: &str, repository: &str, supported: bool) {
        let mut known = self
            .referrers_api
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if known.len() >= MAX_KNOWN_REPOSITORIES {
            known.clear();
        }
        known.insert(
            (registry.to_ascii_lowercase(), repository.to_string()),
            supported,
        );
    }

    fn blob_key(registry: &str, repository: &str, digest: &str) -> (String, String, String) {
        (
            registry.to_ascii_lowercase(),
            repository.to_string(),
            digest.to_string(),
        )
    }

    /// Whether this client pushed (or saw) `digest` in the repository.
    pub(super) fn has_blob(&self, registry: &str, repository: &str, digest: &str) -> bool {
        self.known_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&Self::blob_key(registry, repository, digest))
    }

    pub(super) fn add_blob(&self, registry: &str, repository: &str, digest: &str) {
        let mut known = self
            .known_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if known.len() >= MAX_KNOWN_BLOBS {
            known.clear();
        }
        known.insert(Self::blob_key(registry, repository, digest));
    }

    pub(super) fn forget_blob(&self, registry: &str, repository: &str, digest: &str) {
        self.known_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&Self::blob_key(registry, repository, digest));
    }
}

impl RegistryClient {
    /// Whether `repo` is known to support the referrers API (`None`: not
    /// learned yet by this client).
    pub(crate) fn referrers_api_known(&self, repo: &RepositoryRef) -> Option<bool> {
        self.inner
            .capabilities
            .referrers_api(&repo.registry, &repo.repository)
    }

    /// Records what a manifest push (`OCI-Subject`) or a referrers listing
    /// showed about `repo`.
    pub(crate) fn learn_referrers_api(&self, repo: &RepositoryRef, supported: bool) {
        self.inner
            .capabilities
            .set_referrers_api(&repo.registry, &repo.repository, supported);
    }
}
