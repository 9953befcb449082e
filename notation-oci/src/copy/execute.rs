//! Carrying out a copy plan: blobs (skipped where the destination has
//! them, mounted within a registry, else streamed), then each manifest
//! byte for byte, the referrers of each subject with their listing at the
//! destination, and last the listing of a layout and the tag.

use std::collections::{HashMap, HashSet};

use crate::digest::BlobWriteError;
use crate::oci::Descriptor;
use crate::store::{ContentStore, ManifestStored, referrer_entry};

use super::plan::Plan;
use super::progress::{BlobOutcome, CopyEvent, CopyProgress, CopyReport, ManifestOutcome};
use super::{CopyError, PendingTag};

/// Media types of layers that registries do not hold (Windows base
/// layers): container tools never push them.
const FOREIGN_LAYER_TYPES: [&str; 4] = [
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
];

pub(super) struct Executor<'a> {
    pub source: &'a dyn ContentStore,
    pub destination: &'a dyn ContentStore,
    pub progress: Option<&'a dyn CopyProgress>,
    pub report: CopyReport,
    blobs_done: HashSet<String>,
}

impl<'a> Executor<'a> {
    pub fn new(
        source: &'a dyn ContentStore,
        destination: &'a dyn ContentStore,
        progress: Option<&'a dyn CopyProgress>,
    ) -> Self {
        Self {
            source,
            destination,
            progress,
            report: CopyReport::default(),
            blobs_done: HashSet::new(),
        }
    }

    fn emit(&self, event: CopyEvent<'_>) {
        if let Some(p) = self.progress {
            p.event(&event);
        }
    }

    fn source_error(&self, error: crate::repository::RepositoryError) -> CopyError {
        CopyError::Source {
            location: self.source.location(),
            error,
        }
    }

    fn destination_error(&self, error: crate::repository::RepositoryError) -> CopyError {
        CopyError::Destination {
            location: self.destination.location(),
            error,
        }
    }

    /// Stores every planned manifest, in order; after the referrers of a
    /// subject, updates the destination's listing of them; then finishes
    /// with the listing of every manifest and the tag.
    pub fn run(&mut self, plan: &Plan, tag: Option<&str>, hold_tag: bool) -> Result<(), CopyError> {
        let (blobs, bytes) = plan.blob_totals();
        self.emit(CopyEvent::Planned {
            manifests: plan.manifests.len(),
            blobs,
            bytes,
        });
        // Referrers not listed by the destination itself, per subject
        // digest, and where each subject's last referrer is. A manifest
        // that names a subject is a referrer however the plan reached it:
        // an index may list one, and the root may be one.
        let mut to_index: HashMap<&str, Vec<Descriptor>> = HashMap::new();
        let mut last_referrer: HashMap<&str, usize> = HashMap::new();
        for (i, m) in plan.manifests.iter().enumerate() {
            if let Some(s) = &m.subject {
                last_referrer.insert(s.digest.as_str(), i);
            }
        }
        for (i, manifest) in plan.manifests.iter().enumerate() {
            let is_referrer = manifest.subject.is_some();
            let present = self
                .destination
                .manifest_exists(&manifest.descriptor)
                .map_err(|e| self.destination_error(e))?;
            let outcome = if present && !is_referrer {
                ManifestOutcome::Skipped
            } else {
                if !present {
                    for blob in &manifest.blobs {
                        self.copy_blob(blob)?;
                    }
                }
                // A referrer the destination has is stored again: that is
                // how a registry with the referrers API lists it, and how
                // one without tells that its tag index must.
                let stored = self
                    .destination
                    .push_manifest(&manifest.descriptor, &manifest.bytes)
                    .map_err(|e| self.destination_error(e))?;
                if !present {
                    self.report.bytes += manifest.bytes.len() as u64;
                }
                if let (Some(subject), ManifestStored::NeedsIndex) = (&manifest.subject, stored)
                    && let Some(entry) = referrer_entry(&manifest.descriptor, &manifest.bytes)
                {
                    to_index
                        .entry(subject.digest.as_str())
                        .or_default()
                        .push(entry);
                }
                if present {
                    ManifestOutcome::Skipped
                } else {
                    ManifestOutcome::Copied
                }
            };
            self.report.count_manifest(manifest.role, outcome);
            self.emit(CopyEvent::ManifestDone {
                descriptor: &manifest.descriptor,
                role: manifest.role,
                outcome,
            });
            // The last referrer of a subject: list them all at once.
            if let Some(subject) = &manifest.subject
                && last_referrer.get(subject.digest.as_str()) == Some(&i)
                && let Some(entries) = to_index.remove(subject.digest.as_str())
            {
                self.destination
                    .index_referrers(subject, &entries)
                    .map_err(|e| self.destination_error(e))?;
            }
        }
        let root = &plan.manifests[plan.root];
        let listed: Vec<Descriptor> = plan
            .manifests
            .iter()
            .map(|m| m.descriptor.clone())
            .collect();
        let written = tag.filter(|_| !hold_tag);
        self.destination
            .finish_copy(
                &listed,
                written.map(|t| (t, &root.descriptor, root.bytes.as_slice())),
            )
            .map_err(|e| self.destination_error(e))?;
        self.report.subject = Some(root.descriptor.clone());
        self.report.tag = tag.map(str::to_string);
        self.report.pending_tag = tag.filter(|_| hold_tag).map(|t| PendingTag {
            tag: t.to_string(),
            descriptor: root.descriptor.clone(),
            manifest: root.bytes.clone(),
        });
        Ok(())
    }

    /// Brings one blob over, unless done already in this copy.
    fn copy_blob(&mut self, blob: &Descriptor) -> Result<(), CopyError> {
        if !self.blobs_done.insert(blob.digest.clone()) {
            return Ok(());
        }
        let outcome = self.transfer(blob)?;
        self.report.count_blob(outcome);
        self.emit(CopyEvent::BlobDone {
            descriptor: blob,
            outcome,
        });
        Ok(())
    }

    fn transfer(&mut self, blob: &Descriptor) -> Result<BlobOutcome, CopyError> {
        // By media type only, as go-containerregistry's IsDistributable: a
        // regular layer that also names `urls` is copied like any other.
        if FOREIGN_LAYER_TYPES.contains(&blob.media_type.as_str()) {
            return Ok(BlobOutcome::Foreign);
        }
        if self
            .destination
            .blob_exists(blob)
            .map_err(|e| self.destination_error(e))?
        {
            return Ok(BlobOutcome::Skipped);
        }
        if self
            .destination
            .mount_blob(blob, self.source)
            .map_err(|e| self.destination_error(e))?
        {
            return Ok(BlobOutcome::Mounted);
        }
        self.emit(CopyEvent::BlobStarted { descriptor: blob });
        let mut reader = self
            .source
            .open_blob(blob)
            .map_err(|e| self.source_error(e))?;
        let progress = self.progress;
        let mut on_progress = |transferred: u64| {
            if let Some(p) = progress {
                p.event(&CopyEvent::BlobProgress {
                    descriptor: blob,
                    transferred,
                });
            }
        };
        let pushed = self
            .destination
            .push_blob(blob, &mut reader, &mut on_progress);
        drop(reader);
        match pushed {
            Ok(()) => {
                self.report.bytes += blob.size;
                Ok(BlobOutcome::Copied)
            }
            Err(BlobWriteError::Read { error }) => {
                Err(self.source_error(self.source.read_error(error, blob)))
            }
            Err(BlobWriteError::Content(mismatch)) => Err(CopyError::Content {
                location: self.source.location(),
                digest: blob.digest.clone(),
                mismatch,
            }),
            Err(BlobWriteError::Store(e)) => Err(self.destination_error(e)),
        }
    }
}
