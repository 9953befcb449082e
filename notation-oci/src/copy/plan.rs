//! The plan of a copy: every manifest to bring over, read from the source
//! before anything is written (so that a malformed or oversized source
//! fails before the destination is touched), in the order they must be
//! stored: an index's manifests before the index, a subject before its
//! referrers.

use std::collections::{HashMap, HashSet};

use crate::graph::{GraphError, GraphLimits, successors};
use crate::oci::{ARTIFACT_TYPE_NOTATION, Descriptor};
use crate::store::ContentStore;

use super::CopyError;
use super::progress::ManifestRole;

/// A manifest to copy.
#[derive(Debug)]
pub(super) struct PlannedManifest {
    /// As listed where it was found (the root as resolved, a child with its
    /// platform, a referrer with its artifact type and annotations).
    pub descriptor: Descriptor,
    /// Its bytes, checked against the descriptor.
    pub bytes: Vec<u8>,
    /// The blobs it holds (config, layers).
    pub blobs: Vec<Descriptor>,
    /// What it is to the artifact.
    pub role: ManifestRole,
    /// The manifest its bytes name as `subject`, however it was reached
    /// (a referrer, but also an index's child or the root itself): the
    /// destination lists it among that manifest's referrers.
    pub subject: Option<Descriptor>,
    /// 0 for the subject, one more per index or referrer on the way.
    depth: usize,
}

/// Every manifest of a copy, in the order they are stored.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub manifests: Vec<PlannedManifest>,
    /// The subject's position in `manifests`.
    pub root: usize,
    by_digest: HashMap<String, usize>,
    bytes: u64,
    /// Manifests planned or being planned (an index counts before its
    /// manifests are done).
    visited: usize,
}

impl Plan {
    /// The distinct blobs and their bytes.
    pub fn blob_totals(&self) -> (usize, u64) {
        let mut seen = HashSet::new();
        let mut bytes = 0;
        for blob in self.manifests.iter().flat_map(|m| &m.blobs) {
            // Sizes come from the source's manifests: a hostile one may
            // declare anything.
            if seen.insert(blob.digest.as_str()) {
                bytes = u64::saturating_add(bytes, blob.size);
            }
        }
        (seen.len(), bytes)
    }
}

/// Reads the source's graph from `root`: the subject and, for an index,
/// every manifest it lists (nested too); then the referrers of each of
/// them: the Notary signatures, or with `all_referrers` every referrer,
/// recursively, with their own graphs and referrers.
pub(super) fn plan(
    source: &dyn ContentStore,
    root: &Descriptor,
    all_referrers: bool,
    limits: &GraphLimits,
) -> Result<Plan, CopyError> {
    let mut planner = Planner {
        source,
        limits,
        plan: Plan::default(),
    };
    planner.plan.root = planner.add_graph(root, ManifestRole::Subject, 0)?;
    // Referrers, breadth first: those of the subject's graph, then (with
    // all_referrers) those of the referrers.
    let mut queue: std::collections::VecDeque<usize> = (0..planner.plan.manifests.len()).collect();
    let filter = (!all_referrers).then_some(ARTIFACT_TYPE_NOTATION);
    while let Some(subject) = queue.pop_front() {
        let before = planner.plan.manifests.len();
        planner.add_referrers(subject, filter)?;
        if all_referrers {
            queue.extend(before..planner.plan.manifests.len());
        }
    }
    Ok(planner.plan)
}

struct Planner<'a> {
    source: &'a dyn ContentStore,
    limits: &'a GraphLimits,
    plan: Plan,
}

impl Planner<'_> {
    fn graph_error(&self, error: GraphError) -> CopyError {
        CopyError::Graph {
            location: self.source.location(),
            error,
        }
    }

    /// Plans `descriptor` and, for an index, its manifests first; returns
    /// its position.
    fn add_graph(
        &mut self,
        descriptor: &Descriptor,
        role: ManifestRole,
        depth: usize,
    ) -> Result<usize, CopyError> {
        self.add_fetched(descriptor, None, role, depth)
    }

    /// As [`Planner::add_graph`], with the manifest's bytes when they were
    /// read already.
    fn add_fetched(
        &mut self,
        descriptor: &Descriptor,
        fetched: Option<Vec<u8>>,
        role: ManifestRole,
        depth: usize,
    ) -> Result<usize, CopyError> {
        if let Some(&i) = self.plan.by_digest.get(&descriptor.digest) {
            return Ok(i);
        }
        self.count_manifest()?;
        if depth > self.limits.depth() {
            return Err(self.graph_error(GraphError::TooDeep {
                digest: descriptor.digest.clone(),
                limit: self.limits.depth(),
            }));
        }
        if !descriptor.is_manifest() {
            return Err(self.graph_error(GraphError::UnsupportedMediaType {
                digest: descriptor.digest.clone(),
                media_type: descriptor.media_type.clone(),
            }));
        }
        let bytes = match fetched {
            Some(bytes) => bytes,
            None => self.fetch(descriptor)?,
        };
        self.count_bytes(&bytes)?;
        let found = successors(descriptor, &bytes).map_err(|e| self.graph_error(e))?;
        for child in &found.manifests {
            self.add_graph(child, ManifestRole::Child, depth + 1)?;
        }
        let i = self.plan.manifests.len();
        self.plan.by_digest.insert(descriptor.digest.clone(), i);
        self.plan.manifests.push(PlannedManifest {
            descriptor: descriptor.clone(),
            bytes,
            blobs: found.blobs,
            role,
            subject: found.subject,
            depth,
        });
        Ok(i)
    }

    /// Counts one more manifest read against the plan's limit.
    fn count_manifest(&mut self) -> Result<(), CopyError> {
        self.plan.visited += 1;
        if self.plan.visited > self.limits.manifests() {
            return Err(self.graph_error(GraphError::TooManyManifests {
                limit: self.limits.manifests(),
            }));
        }
        Ok(())
    }

    /// Counts bytes read against the plan's limit.
    fn count_bytes(&mut self, bytes: &[u8]) -> Result<(), CopyError> {
        self.plan.bytes += bytes.len() as u64;
        if self.plan.bytes > self.limits.bytes() {
            return Err(self.graph_error(GraphError::TooManyBytes {
                limit: self.limits.bytes(),
            }));
        }
        Ok(())
    }

    fn fetch(&self, descriptor: &Descriptor) -> Result<Vec<u8>, CopyError> {
        self.source
            .fetch_manifest(descriptor)
            .map_err(|error| CopyError::Source {
                location: self.source.location(),
                error,
            })
    }

    /// Plans the referrers of the planned manifest `subject` (of
    /// `artifact_type` when given).
    fn add_referrers(
        &mut self,
        subject: usize,
        artifact_type: Option<&str>,
    ) -> Result<(), CopyError> {
        let subject_descriptor = self.plan.manifests[subject].descriptor.clone();
        let depth = self.plan.manifests[subject].depth + 1;
        let listed = self
            .source
            .referrers(&subject_descriptor, artifact_type)
            .map_err(|error| CopyError::Source {
                location: self.source.location(),
                error,
            })?;
        if listed.len() > self.limits.referrers() {
            return Err(self.graph_error(GraphError::TooManyReferrers {
                digest: subject_descriptor.digest,
                limit: self.limits.referrers(),
            }));
        }
        for referrer in listed {
            if self.plan.by_digest.contains_key(&referrer.digest) || !referrer.is_manifest() {
                continue;
            }
            let bytes = self.fetch(&referrer)?;
            // A listing (a referrers tag index) may name a manifest that
            // refers to something else: it is not this subject's referrer.
            // What is read and skipped counts against the plan's limits
            // all the same.
            let refers = successors(&referrer, &bytes).ok().filter(|found| {
                found
                    .subject
                    .as_ref()
                    .is_some_and(|s| s.digest == subject_descriptor.digest)
            });
            let Some(found) = refers else {
                self.count_manifest()?;
                self.count_bytes(&bytes)?;
                continue;
            };
            let role = if found.artifact_type.as_deref() == Some(ARTIFACT_TYPE_NOTATION) {
                ManifestRole::Signature
            } else {
                ManifestRole::Referrer
            };
            self.add_fetched(&referrer, Some(bytes), role, depth)?;
        }
        Ok(())
    }
}
