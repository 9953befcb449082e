//! [`ContentStore`] for a registry repository: manifests and blobs through
//! the [`RegistryClient`](crate::RegistryClient) (blobs streamed, each
//! transfer with its own limits), mounts between repositories of one
//! registry, referrers with the referrers API or the referrers tag schema.

use std::io::Read;

use super::{ContentStore, ManifestStored};
use crate::digest::BlobWriteError;
use crate::oci::{Descriptor, MAX_MANIFEST_SIZE};
use crate::registry::{BlobReader, RepositoryRef};
use crate::remote::{RemoteRepository, manifest_digest};
use crate::repository::RepositoryError;

impl ContentStore for RemoteRepository {
    fn location(&self) -> String {
        self.repository_ref().to_string()
    }

    fn repository_ref(&self) -> Option<&RepositoryRef> {
        Some(RemoteRepository::repository_ref(self))
    }

    fn begin_content_operation(&self) -> Option<Box<dyn ContentStore + '_>> {
        Some(Box::new(self.in_operation()))
    }

    fn fetch_manifest(&self, descriptor: &Descriptor) -> Result<Vec<u8>, RepositoryError> {
        if descriptor.size > MAX_MANIFEST_SIZE {
            return Err(RepositoryError::Invalid(format!(
                "manifest {} of {} bytes exceeds the limit of {MAX_MANIFEST_SIZE} bytes",
                descriptor.digest, descriptor.size
            )));
        }
        // By digest: the client checks the bytes against it.
        let (fetched, bytes) = self.client().fetch_manifest(
            RemoteRepository::repository_ref(self),
            manifest_digest(descriptor)?,
            MAX_MANIFEST_SIZE,
        )?;
        if fetched.size != descriptor.size {
            return Err(RepositoryError::Invalid(format!(
                "manifest {} has {} bytes, its descriptor says {}",
                descriptor.digest, fetched.size, descriptor.size
            )));
        }
        Ok(bytes)
    }

    fn manifest_exists(&self, descriptor: &Descriptor) -> Result<bool, RepositoryError> {
        match self.client().resolve(
            RemoteRepository::repository_ref(self),
            manifest_digest(descriptor)?,
        ) {
            Ok(found) => Ok(found.size == descriptor.size),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn blob_exists(&self, descriptor: &Descriptor) -> Result<bool, RepositoryError> {
        Ok(self
            .client()
            .blob_exists(RemoteRepository::repository_ref(self), &descriptor.digest)?)
    }

    fn open_blob<'a>(
        &'a self,
        descriptor: &Descriptor,
    ) -> Result<Box<dyn Read + 'a>, RepositoryError> {
        Ok(Box::new(self.client().open_blob(
            RemoteRepository::repository_ref(self),
            &descriptor.digest,
            descriptor.size,
        )?))
    }

    fn read_error(&self, error: std::io::Error, descriptor: &Descriptor) -> RepositoryError {
        let url = format!("{}@{}", self.location(), descriptor.digest);
        RepositoryError::Registry(BlobReader::error(error, &url))
    }

    fn push_blob(
        &self,
        descriptor: &Descriptor,
        reader: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobWriteError<RepositoryError>> {
        self.client()
            .push_blob_from(
                RemoteRepository::repository_ref(self),
                &descriptor.digest,
                descriptor.size,
                reader,
                progress,
            )
            .map_err(|e| match e {
                BlobWriteError::Store(e) => BlobWriteError::Store(RepositoryError::Registry(e)),
                BlobWriteError::Read { error } => BlobWriteError::Read { error },
                BlobWriteError::Content(m) => BlobWriteError::Content(m),
            })
    }

    fn mount_blob(
        &self,
        descriptor: &Descriptor,
        from: &dyn ContentStore,
    ) -> Result<bool, RepositoryError> {
        let here = RemoteRepository::repository_ref(self);
        let Some(there) = from.repository_ref() else {
            return Ok(false);
        };
        if !there.registry().eq_ignore_ascii_case(here.registry())
            || there.repository() == here.repository()
        {
            return Ok(false);
        }
        Ok(self
            .client()
            .mount_blob(here, &descriptor.digest, there.repository())?)
    }

    fn push_manifest(
        &self,
        descriptor: &Descriptor,
        bytes: &[u8],
    ) -> Result<ManifestStored, RepositoryError> {
        let repo = RemoteRepository::repository_ref(self);
        let digest = manifest_digest(descriptor)?;
        let pushed = self
            .client()
            .push_manifest(repo, digest, &descriptor.media_type, bytes)?;
        let has_subject = crate::graph::successors(descriptor, bytes)
            .map(|s| s.subject.is_some())
            .unwrap_or(false);
        if !has_subject {
            return Ok(ManifestStored::Listed);
        }
        self.client()
            .learn_referrers_api(repo, pushed.subject_processed());
        Ok(
            if pushed.subject_processed() && !self.forces_referrers_tag() {
                ManifestStored::Listed
            } else {
                ManifestStored::NeedsIndex
            },
        )
    }

    fn referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, RepositoryError> {
        self.list_referrers(subject, artifact_type)
    }

    fn index_referrers(
        &self,
        subject: &Descriptor,
        entries: &[Descriptor],
    ) -> Result<(), RepositoryError> {
        if entries.is_empty() {
            return Ok(());
        }
        let old = self.referrers_index(subject)?;
        // A superseded index left behind is no failure of the copy.
        let mut warnings = Vec::new();
        self.update_referrers_index(subject, old, entries.to_vec(), &mut warnings)
    }

    fn finish_copy(
        &self,
        _manifests: &[Descriptor],
        tag: Option<(&str, &Descriptor, &[u8])>,
    ) -> Result<(), RepositoryError> {
        if let Some((tag, descriptor, bytes)) = tag {
            self.client().push_manifest(
                RemoteRepository::repository_ref(self),
                tag,
                &descriptor.media_type,
                bytes,
            )?;
        }
        Ok(())
    }
}
