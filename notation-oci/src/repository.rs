//! Where signatures of an artifact are stored and found: the
//! [`SignatureRepository`] trait, implemented for OCI image layouts here and
//! for registries in [`crate::remote`].

use std::collections::BTreeMap;

use crate::layout::{LayoutError, OciLayout};
use crate::oci::{
    ARTIFACT_TYPE_NOTATION, Descriptor, EMPTY_JSON, MAX_ENVELOPE_SIZE, MAX_MANIFEST_SIZE,
    MEDIA_TYPE_EMPTY_JSON,
};
use crate::signature::{
    SignatureManifest, SignatureManifestError, SignatureManifestForm, build_signature_manifest,
    notary_referrer, parse_signature_manifest,
};

/// Why a repository operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepositoryError {
    /// An OCI layout error.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// A registry error.
    #[error(transparent)]
    Registry(crate::registry::RegistryError),
    /// A signature manifest that breaks the rules.
    #[error(transparent)]
    SignatureManifest(#[from] SignatureManifestError),
    /// Content that is not what its descriptor says.
    #[error("{0}")]
    Invalid(String),
    /// The registry has no manifest for the reference (a tag or digest that
    /// does not exist there). The message names the reference, as the
    /// reference implementation does; the registry's answer (status, error
    /// codes) is the `source()`.
    #[error("{reference}: not found")]
    NotFound {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
        /// The registry's answer.
        source: Box<crate::registry::RegistryError>,
    },
}

impl RepositoryError {
    /// Whether the store has no such manifest or blob: a tag or digest that
    /// does not exist, in a registry ([`RepositoryError::NotFound`], or a
    /// 404 answer) or an OCI layout ([`LayoutError::NotFound`]).
    pub fn is_not_found(&self) -> bool {
        match self {
            RepositoryError::NotFound { .. } => true,
            RepositoryError::Layout(e) => matches!(e, LayoutError::NotFound(_)),
            RepositoryError::Registry(e) => e.is_not_found(),
            _ => false,
        }
    }
}

/// A pushed signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushedSignature {
    /// The signature manifest.
    pub manifest: Descriptor,
    /// The envelope blob.
    pub envelope: Descriptor,
    /// Non-fatal problems (for example a superseded referrers index that
    /// could not be deleted).
    // Requirements: Q6.
    pub warnings: Vec<String>,
}

/// A store of artifacts and their signatures.
pub trait SignatureRepository {
    /// A view of this store for one operation (one sign, verify, list or
    /// inspect of [`crate::workflow`]): for a registry, the requests made
    /// through it share one time and byte budget
    /// ([`RegistryClientOptions::operation_timeout`](crate::registry::RegistryClientOptions::operation_timeout)),
    /// so that a slow or hostile registry costs at most that for the whole
    /// operation. Stores without such limits (an OCI layout) return `None`
    /// and are used as they are.
    fn begin_operation(&self) -> Option<Box<dyn SignatureRepository + '_>> {
        None
    }

    /// Resolves a tag or digest to the artifact's manifest descriptor.
    fn resolve(&self, reference: &str) -> Result<Descriptor, RepositoryError>;

    /// The Notary signature manifests that refer to `artifact`,
    /// with `artifactType` and annotations filled in.
    // Requirements: Q5-Q7.
    fn signatures(&self, artifact: &Descriptor) -> Result<Vec<Descriptor>, RepositoryError>;

    /// Fetches a signature manifest of `artifact` and its envelope, both
    /// checked against their digests and size limits. The manifest's
    /// subject is the listing's business: an OCI layout lists only the
    /// manifests whose subject is the artifact, as the reference does; a
    /// registry's listing is taken as it is, as the reference takes it (the
    /// envelope's payload names the artifact signed).
    // Requirements: Q3, U.
    fn fetch_signature(
        &self,
        signature: &Descriptor,
        artifact: &Descriptor,
    ) -> Result<(SignatureManifest, Vec<u8>), RepositoryError>;

    /// The trust policy scope (`registry/repository`) of this repository,
    /// when it has one of its own: a registry repository does, an OCI
    /// layout does not (its scope is the caller's choice).
    /// [`crate::workflow::verify_reference`] refuses a reference of another
    /// scope.
    fn scope(&self) -> Option<String> {
        None
    }

    /// The signature manifest form written when the caller does not choose
    /// one: the artifactType form (OCI 1.1), except where the store says
    /// otherwise.
    // Requirements: Q1.
    fn default_manifest_form(&self) -> SignatureManifestForm {
        SignatureManifestForm::ArtifactType
    }

    /// Stores a signature of `artifact`: the envelope, the
    /// config, then the manifest.
    // Requirements: Q1, Q4, Q9.
    fn push_signature(
        &self,
        artifact: &Descriptor,
        envelope_media_type: &str,
        envelope: &[u8],
        annotations: BTreeMap<String, String>,
        form: SignatureManifestForm,
    ) -> Result<PushedSignature, RepositoryError>;
}

impl SignatureRepository for OciLayout {
    /// The config media type form: the only one the reference CLI v1.3.2
    /// (notation-go v1.3) finds in an OCI layout, where it lists
    /// referrers by their config media type and ignores `artifactType`
    /// (notation-go fixed it after v1.3; both forms are read here).
    fn default_manifest_form(&self) -> SignatureManifestForm {
        SignatureManifestForm::ConfigMediaType
    }

    fn resolve(&self, reference: &str) -> Result<Descriptor, RepositoryError> {
        Ok(OciLayout::resolve(self, reference)?)
    }

    fn signatures(&self, artifact: &Descriptor) -> Result<Vec<Descriptor>, RepositoryError> {
        Ok(self
            .referrers(artifact)?
            .iter()
            .filter_map(|(node, m)| notary_referrer(node, m, artifact))
            .collect())
    }

    fn fetch_signature(
        &self,
        signature: &Descriptor,
        artifact: &Descriptor,
    ) -> Result<(SignatureManifest, Vec<u8>), RepositoryError> {
        let manifest = self.read_blob(signature, MAX_MANIFEST_SIZE)?;
        let parsed = parse_signature_manifest(&signature.media_type, &manifest, Some(artifact))?;
        let envelope = self.read_blob(&parsed.envelope, MAX_ENVELOPE_SIZE)?;
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
        let envelope_desc = self.write_blob(envelope_media_type, envelope)?;
        let config_type = match form {
            SignatureManifestForm::ArtifactType => MEDIA_TYPE_EMPTY_JSON,
            SignatureManifestForm::ConfigMediaType => ARTIFACT_TYPE_NOTATION,
        };
        self.write_blob(config_type, EMPTY_JSON)?;
        let manifest =
            build_signature_manifest(form, artifact, &envelope_desc, annotations.clone());
        let bytes = manifest.to_json();
        let mut manifest_desc = self.write_blob(crate::oci::MEDIA_TYPE_IMAGE_MANIFEST, &bytes)?;
        manifest_desc.artifact_type = Some(ARTIFACT_TYPE_NOTATION.to_string());
        manifest_desc.annotations = Some(annotations);
        // The signed manifest is listed too when it was not (a manifest of
        // an index, signed by `sign --recursive`): tools that resolve
        // digests through index.json (the reference CLI, oras-go) then find
        // it, and its signatures.
        let subject = Descriptor::new(
            artifact.media_type.clone(),
            artifact.digest.clone(),
            artifact.size,
        );
        self.record_manifests(&[subject, manifest_desc.clone()], None)?;
        Ok(PushedSignature {
            manifest: manifest_desc,
            envelope: envelope_desc,
            warnings: Vec::new(),
        })
    }
}
