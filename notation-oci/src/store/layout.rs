//! [`ContentStore`] for an OCI image layout: manifests and blobs are files
//! under `blobs/`, referrers are found by walking the graph from
//! `index.json`, and a copy lists what it brought in `index.json` in one
//! write at its end.

use std::io::Read;

use super::{ContentStore, ManifestStored};
use crate::digest::BlobWriteError;
use crate::layout::OciLayout;
use crate::oci::{Descriptor, MAX_MANIFEST_SIZE};
use crate::repository::RepositoryError;

impl ContentStore for OciLayout {
    fn location(&self) -> String {
        self.root().display().to_string()
    }

    fn fetch_manifest(&self, descriptor: &Descriptor) -> Result<Vec<u8>, RepositoryError> {
        Ok(self.read_blob(descriptor, MAX_MANIFEST_SIZE)?)
    }

    fn manifest_exists(&self, descriptor: &Descriptor) -> Result<bool, RepositoryError> {
        self.blob_exists(descriptor)
    }

    /// A blob of the right size counts as present only once its bytes hash
    /// to its digest: a damaged or planted file of the same size is not
    /// skipped (a copy then writes the right bytes over it).
    fn blob_exists(&self, descriptor: &Descriptor) -> Result<bool, RepositoryError> {
        if self.blob_size(&descriptor.digest)? != Some(descriptor.size) {
            return Ok(false);
        }
        let mut reader = OciLayout::open_blob(self, &descriptor.digest, descriptor.size)?;
        Ok(std::io::copy(&mut reader, &mut std::io::sink()).is_ok())
    }

    fn open_blob<'a>(
        &'a self,
        descriptor: &Descriptor,
    ) -> Result<Box<dyn Read + 'a>, RepositoryError> {
        Ok(Box::new(OciLayout::open_blob(
            self,
            &descriptor.digest,
            descriptor.size,
        )?))
    }

    fn read_error(&self, error: std::io::Error, descriptor: &Descriptor) -> RepositoryError {
        RepositoryError::Layout(OciLayout::read_error(self, error, &descriptor.digest))
    }

    fn push_blob(
        &self,
        descriptor: &Descriptor,
        reader: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobWriteError<RepositoryError>> {
        self.write_blob_from(&descriptor.digest, descriptor.size, reader, progress)
            .map_err(|e| match e {
                BlobWriteError::Store(e) => BlobWriteError::Store(RepositoryError::Layout(e)),
                BlobWriteError::Read { error } => BlobWriteError::Read { error },
                BlobWriteError::Content(m) => BlobWriteError::Content(m),
            })
    }

    fn push_manifest(
        &self,
        descriptor: &Descriptor,
        bytes: &[u8],
    ) -> Result<ManifestStored, RepositoryError> {
        // Written as a blob, checked against the descriptor; listed in
        // index.json when the copy finishes.
        self.push_blob(descriptor, &mut &bytes[..], &mut |_| {})
            .map_err(|e| match e {
                BlobWriteError::Store(e) => e,
                BlobWriteError::Content(m) => RepositoryError::Invalid(m.to_string()),
                BlobWriteError::Read { error } => RepositoryError::Invalid(error.to_string()),
            })?;
        Ok(ManifestStored::Listed)
    }

    fn referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, RepositoryError> {
        Ok(OciLayout::referrers(self, subject)?
            .into_iter()
            .filter_map(|(node, manifest)| {
                let mut entry = Descriptor::new(node.media_type, node.digest, node.size);
                entry.artifact_type = manifest
                    .artifact_type
                    .or_else(|| manifest.config.map(|c| c.media_type));
                entry.annotations = manifest.annotations.filter(|a| !a.is_empty());
                match artifact_type {
                    Some(t) if entry.artifact_type.as_deref() != Some(t) => None,
                    _ => Some(entry),
                }
            })
            .collect())
    }

    fn index_referrers(
        &self,
        _subject: &Descriptor,
        _entries: &[Descriptor],
    ) -> Result<(), RepositoryError> {
        Ok(())
    }

    fn finish_copy(
        &self,
        manifests: &[Descriptor],
        tag: Option<(&str, &Descriptor, &[u8])>,
    ) -> Result<(), RepositoryError> {
        Ok(self.record_manifests(manifests, tag.map(|(t, d, _)| (t, d)))?)
    }
}
