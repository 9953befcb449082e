//! Signatures in a registry repository: [`RemoteRepository`] implements
//! [`SignatureRepository`] over the [`RegistryClient`], with the referrers
//! API and the referrers tag schema, pushing the envelope, the config and
//! then the manifest.
//!
//! Requests are kept to what the protocol needs:
//! - listing tries the referrers API once and falls back to the tag schema
//!   only on "unsupported" (and goes straight to it where the client has
//!   learned that the repository has no referrers API);
//! - pushing sends each blob in one request where the registry takes a
//!   single `POST`, never checks whether the empty config blob exists (the
//!   push answers it, and a tag index that lists Notary signatures already
//!   proves it is there), learns from the manifest response's `OCI-Subject`
//!   header whether the registry indexed the subject, and maintains the
//!   tag index only where it must. Where the referrers API is not known to
//!   be there, the index is read before the manifest is pushed, so the
//!   same read serves both purposes;
//! - the superseded tag index is left in place unless asked for
//!   ([`RemoteRepository::delete_superseded_referrers_index`]): the OCI
//!   distribution spec does not need its deletion, and many registries
//!   refuse it.
// Requirements: Q5, Q6, Q9.

use std::collections::BTreeMap;

use crate::oci::{
    ARTIFACT_TYPE_NOTATION, Descriptor, EMPTY_JSON, EMPTY_JSON_DIGEST, ImageIndex,
    MAX_ENVELOPE_SIZE, MAX_MANIFEST_SIZE, MEDIA_TYPE_ARTIFACT_MANIFEST, MEDIA_TYPE_IMAGE_INDEX,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use crate::reference::Reference;
use crate::referrers::{add_all_to_index, filter_artifact_type, index_entry, referrers_tag};
use crate::registry::observe::RegistryEvent;
use crate::registry::{RegistryClient, RegistryError, RepositoryRef};
use crate::repository::{PushedSignature, RepositoryError, SignatureRepository};
use crate::signature::{
    SignatureManifest, SignatureManifestError, SignatureManifestForm, build_signature_manifest,
    parse_signature_manifest,
};

/// A repository in a registry.
#[derive(Clone, Debug)]
pub struct RemoteRepository {
    client: RegistryClient,
    repo: RepositoryRef,
    force_referrers_tag: bool,
    delete_superseded_index: bool,
}

impl RemoteRepository {
    /// The repository of `reference`, reached through `client`.
    pub fn new(client: RegistryClient, reference: &Reference) -> Result<Self, RepositoryError> {
        let repo = RepositoryRef::new(reference.registry(), reference.repository())?;
        Ok(Self {
            client,
            repo,
            force_referrers_tag: false,
            delete_superseded_index: false,
        })
    }

    /// Stores signatures with the referrers tag schema even where the
    /// registry supports the referrers API (`--force-referrers-tag`).
    // Requirements: Q6.
    pub fn force_referrers_tag(mut self, force: bool) -> Self {
        self.force_referrers_tag = force;
        self
    }

    /// Deletes the referrers tag index that a push supersedes, as
    /// oras-go does by default; off by default here: the protocol does not
    /// need it, it costs a request per signature, and registries often
    /// refuse manifest deletion (a refusal is a warning).
    // Requirements: Q6.
    pub fn delete_superseded_referrers_index(mut self, delete: bool) -> Self {
        self.delete_superseded_index = delete;
        self
    }

    /// The client (for its request counter).
    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    /// The referrers of `subject` (of `artifact_type` when given): the
    /// referrers API, filtered by artifact type; the tag schema where the
    /// API is not supported.
    // Requirements: Q5, Q6.
    pub(crate) fn list_referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, RepositoryError> {
        if self.client.referrers_api_known(&self.repo) != Some(false) {
            let listed = self
                .client
                .referrers(&self.repo, &subject.digest, artifact_type)?;
            self.client
                .learn_referrers_api(&self.repo, listed.is_some());
            if let Some(referrers) = listed {
                self.client
                    .observe_event(RegistryEvent::ReferrersListedWithApi {
                        subject: &subject.digest,
                    });
                return Ok(referrers);
            }
        }
        let tag = referrers_tag(&subject.digest).ok_or_else(|| {
            RepositoryError::Invalid(format!("invalid digest {}", subject.digest))
        })?;
        self.client
            .observe_event(RegistryEvent::ReferrersListedWithTagSchema {
                subject: &subject.digest,
                tag: &tag,
            });
        match self
            .client
            .fetch_manifest_if_exists(&self.repo, &tag, MAX_MANIFEST_SIZE)?
        {
            None => Ok(Vec::new()),
            Some((_, data)) => {
                let index = ImageIndex::from_json(&data).map_err(RepositoryError::Invalid)?;
                Ok(match artifact_type {
                    Some(t) => filter_artifact_type(&index, t),
                    None => index.manifests,
                })
            }
        }
    }

    /// The repository.
    pub(crate) fn repository_ref(&self) -> &RepositoryRef {
        &self.repo
    }

    /// This repository on a handle of its client whose calls are one
    /// operation (see [`RegistryClient::begin_operation`]).
    pub(crate) fn in_operation(&self) -> Self {
        Self {
            client: self.client.begin_operation(),
            repo: self.repo.clone(),
            force_referrers_tag: self.force_referrers_tag,
            delete_superseded_index: self.delete_superseded_index,
        }
    }

    /// Whether signatures are stored with the referrers tag schema even
    /// where the registry has the referrers API.
    pub(crate) fn forces_referrers_tag(&self) -> bool {
        self.force_referrers_tag
    }

    /// The subject's referrers tag index, with its digest; `None` when
    /// there is none.
    // Requirements: Q6.
    pub(crate) fn referrers_index(
        &self,
        subject: &Descriptor,
    ) -> Result<Option<(String, ImageIndex)>, RepositoryError> {
        let tag = referrers_tag(&subject.digest).ok_or_else(|| {
            RepositoryError::Invalid(format!("invalid subject digest {}", subject.digest))
        })?;
        match self
            .client
            .fetch_manifest_if_exists(&self.repo, &tag, MAX_MANIFEST_SIZE)?
        {
            Some((desc, data)) => {
                let index = ImageIndex::from_json(&data).map_err(RepositoryError::Invalid)?;
                // Whatever else the tag names (an image manifest parses as
                // an index without manifests) is not a referrers index: it
                // is neither listed nor replaced, and never deleted as a
                // superseded index.
                let body_type = index
                    .media_type
                    .as_deref()
                    .unwrap_or(MEDIA_TYPE_IMAGE_INDEX);
                if desc.media_type != MEDIA_TYPE_IMAGE_INDEX
                    || body_type != MEDIA_TYPE_IMAGE_INDEX
                    || index.schema_version != 2
                {
                    return Err(RepositoryError::Invalid(format!(
                        "the referrers tag {tag} names {} ({}, schema version {}), not an image index",
                        desc.digest, desc.media_type, index.schema_version
                    )));
                }
                Ok(Some((desc.digest, index)))
            }
            None => Ok(None),
        }
    }

    /// Adds referrers to the subject's referrers tag index:
    /// append to the index read before (absent: start empty) without
    /// duplicates, push it under the tag, then, when asked for, delete the
    /// superseded index; a failed delete is a warning, the signature is
    /// stored.
    // Requirements: Q6.
    pub(crate) fn update_referrers_index(
        &self,
        subject: &Descriptor,
        old: Option<(String, ImageIndex)>,
        entries: Vec<Descriptor>,
        warnings: &mut Vec<String>,
    ) -> Result<(), RepositoryError> {
        let tag = referrers_tag(&subject.digest).ok_or_else(|| {
            RepositoryError::Invalid(format!("invalid subject digest {}", subject.digest))
        })?;
        let updated = add_all_to_index(old.as_ref().map(|(_, i)| i), entries);
        let Some(index) = updated else {
            return Ok(());
        };
        let bytes = index.to_json();
        self.client
            .push_manifest(&self.repo, &tag, MEDIA_TYPE_IMAGE_INDEX, &bytes)?;
        self.client
            .observe_event(RegistryEvent::ReferrerAddedToTagSchema {
                subject: &subject.digest,
                tag: &tag,
                forced: self.force_referrers_tag,
            });
        if self.delete_superseded_index
            && let Some((old_digest, _)) = old
            && let Err(e) = self.client.delete_manifest(&self.repo, &old_digest)
        {
            warnings.push(format!(
                "failed to delete the superseded referrers index {old_digest}: {e}"
            ));
        }
        Ok(())
    }

    /// Pushes the signature manifest. A registry that does not hold a blob
    /// it references (`MANIFEST_BLOB_UNKNOWN`: the empty config blob was
    /// assumed present and is not) gets the config blob, then the manifest
    /// once more.
    fn push_signature_manifest(
        &self,
        digest: &str,
        bytes: &[u8],
    ) -> Result<crate::registry::PushedManifest, RepositoryError> {
        match self
            .client
            .push_manifest(&self.repo, digest, MEDIA_TYPE_IMAGE_MANIFEST, bytes)
        {
            Err(e)
                if e.error_codes()
                    .iter()
                    .any(|c| *c == "MANIFEST_BLOB_UNKNOWN" || *c == "BLOB_UNKNOWN") =>
            {
                self.client.forget_blob(&self.repo, EMPTY_JSON_DIGEST);
                self.client
                    .push_blob(&self.repo, EMPTY_JSON_DIGEST, EMPTY_JSON)?;
                Ok(self.client.push_manifest(
                    &self.repo,
                    digest,
                    MEDIA_TYPE_IMAGE_MANIFEST,
                    bytes,
                )?)
            }
            other => Ok(other?),
        }
    }
}

/// `registry/repository:tag` or `registry/repository@digest`.
fn display_reference(repo: &RepositoryRef, reference: &str) -> String {
    let separator = if reference.contains(':') { '@' } else { ':' };
    format!(
        "{}/{}{separator}{reference}",
        repo.registry(),
        repo.repository()
    )
}

/// The digest of a manifest's descriptor, as read from an index, a
/// manifest or a referrers listing, which the registry client would
/// otherwise take for a tag: content named by a descriptor is fetched,
/// checked and pushed by its digest only, never by whatever a mutable tag
/// points to.
pub(crate) fn manifest_digest(descriptor: &Descriptor) -> Result<&str, RepositoryError> {
    if crate::reference::is_valid_digest(&descriptor.digest) {
        Ok(&descriptor.digest)
    } else {
        Err(RepositoryError::Invalid(format!(
            "descriptor of {} has an invalid digest {:?}",
            descriptor.media_type, descriptor.digest
        )))
    }
}

impl From<RegistryError> for RepositoryError {
    fn from(e: RegistryError) -> Self {
        RepositoryError::Registry(e)
    }
}

impl SignatureRepository for RemoteRepository {
    fn begin_operation(&self) -> Option<Box<dyn SignatureRepository + '_>> {
        Some(Box::new(self.in_operation()))
    }

    fn scope(&self) -> Option<String> {
        Some(format!(
            "{}/{}",
            self.repo.registry(),
            self.repo.repository()
        ))
    }

    fn resolve(&self, reference: &str) -> Result<Descriptor, RepositoryError> {
        let d = self
            .client
            .resolve(&self.repo, reference)
            .map_err(|e| match e.is_not_found() {
                // Say what was not found, not "HEAD <url>: response status 404".
                true => RepositoryError::NotFound {
                    reference: display_reference(&self.repo, reference),
                    source: Box::new(e),
                },
                false => e.into(),
            })?;
        Ok(Descriptor::new(d.media_type, d.digest, d.size))
    }

    fn signatures(&self, artifact: &Descriptor) -> Result<Vec<Descriptor>, RepositoryError> {
        self.list_referrers(artifact, Some(ARTIFACT_TYPE_NOTATION))
    }

    fn fetch_signature(
        &self,
        signature: &Descriptor,
        _artifact: &Descriptor,
    ) -> Result<(SignatureManifest, Vec<u8>), RepositoryError> {
        // A listed type that cannot be a signature manifest is refused
        // before any request, as the reference refuses it.
        if signature.media_type != MEDIA_TYPE_IMAGE_MANIFEST
            && signature.media_type != MEDIA_TYPE_ARTIFACT_MANIFEST
        {
            return Err(SignatureManifestError::MediaType(signature.media_type.clone()).into());
        }
        if signature.size > MAX_MANIFEST_SIZE {
            return Err(RepositoryError::Invalid(format!(
                "signature manifest too large: {} bytes",
                signature.size
            )));
        }
        // Fetched by digest: the client checks the bytes against it.
        let digest = manifest_digest(signature)?;
        let (fetched, data) = self
            .client
            .fetch_manifest(&self.repo, digest, MAX_MANIFEST_SIZE)?;
        if fetched.size != signature.size {
            return Err(RepositoryError::Invalid(format!(
                "signature manifest {} has {} bytes, its descriptor says {}",
                signature.digest, fetched.size, signature.size
            )));
        }
        // The subject is not compared with the artifact, as the reference
        // (oras-go's tag-schema listing, notation-go's fetch) does not
        // compare it: a registry lists referrers by subject, and the
        // envelope's payload binds the signature to the artifact.
        // Requirements: Q3, A6.
        let parsed = parse_signature_manifest(&signature.media_type, &data, None)?;
        let envelope = self.client.fetch_blob(
            &self.repo,
            &parsed.envelope.digest,
            Some(parsed.envelope.size),
            MAX_ENVELOPE_SIZE,
        )?;
        Ok((parsed, envelope))
    }

    fn push_signature(
        &self,
        artifact: &Descriptor,
        envelope_media_type: &str,
        envelope: &[u8],
        annotations: BTreeMap<String, String>,
        form: SignatureManifestForm,
    ) -> Result<PushedSignature, RepositoryError> {
        let mut warnings = Vec::new();
        // Q9: envelope blob, config blob, then the manifest.
        let envelope_desc = Descriptor::of(envelope_media_type, envelope);
        self.client
            .push_blob(&self.repo, &envelope_desc.digest, envelope)?;
        // Where the registry may lack the referrers API, the tag index is
        // needed after the push: read it now, and let it answer whether the
        // config blob is there (a Notary signature it lists was accepted
        // with its config, the empty blob, in this repository).
        // Where the registry may well have the API (nobody knows yet), the
        // read is only a head start: its failure (a tag that names
        // something else, a server error) is no information, and the index
        // is read again, errors and all, only if the push shows that it is
        // needed; a registry with the API never needs it, as oras-go never
        // reads it then.
        let mut index = if self.force_referrers_tag {
            Some(self.referrers_index(artifact)?)
        } else if self.client.referrers_api_known(&self.repo) != Some(true) {
            self.referrers_index(artifact).ok()
        } else {
            None
        };
        let config_present = index
            .as_ref()
            .and_then(|i| i.as_ref())
            .is_some_and(|(_, i)| !filter_artifact_type(i, ARTIFACT_TYPE_NOTATION).is_empty());
        if !config_present {
            self.client
                .ensure_blob(&self.repo, EMPTY_JSON_DIGEST, EMPTY_JSON)?;
        }
        let manifest =
            build_signature_manifest(form, artifact, &envelope_desc, annotations.clone());
        let bytes = manifest.to_json();
        let mut manifest_desc = Descriptor::of(MEDIA_TYPE_IMAGE_MANIFEST, &bytes);
        let pushed = self.push_signature_manifest(&manifest_desc.digest, &bytes)?;
        self.client
            .learn_referrers_api(&self.repo, pushed.subject_processed());
        if self.force_referrers_tag || !pushed.subject_processed() {
            let old = match index.take() {
                Some(old) => old,
                None => self.referrers_index(artifact)?,
            };
            self.update_referrers_index(
                artifact,
                old,
                vec![index_entry(&manifest_desc, &manifest)],
                &mut warnings,
            )?;
        } else {
            self.client
                .observe_event(RegistryEvent::ReferrerIndexedByRegistry {
                    subject: &artifact.digest,
                });
        }
        manifest_desc.artifact_type = Some(ARTIFACT_TYPE_NOTATION.to_string());
        manifest_desc.annotations = Some(annotations);
        Ok(PushedSignature {
            manifest: manifest_desc,
            envelope: envelope_desc,
            warnings,
        })
    }
}
