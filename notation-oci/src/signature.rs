//! Signature manifests: how a signature envelope is
//! stored next to the artifact it signs, and how one is recognised.
// Requirements: Q1-Q4.

use std::collections::BTreeMap;

use notation_core::envelope::EnvelopeFormat;
use notation_core::x509::Certificate;
use time::OffsetDateTime;

use crate::oci::{
    ANNOTATION_CREATED, ANNOTATION_THUMBPRINT, ARTIFACT_TYPE_NOTATION, Descriptor,
    EMPTY_JSON_DIGEST, ImageManifest, MEDIA_TYPE_ARTIFACT_MANIFEST, MEDIA_TYPE_EMPTY_JSON,
    MEDIA_TYPE_IMAGE_MANIFEST,
};

/// Which manifest form to write. Both are read.
// Requirements: Q1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignatureManifestForm {
    /// `artifactType: application/vnd.cncf.notary.signature` with the empty
    /// config: the default (OCI 1.1).
    #[default]
    ArtifactType,
    /// No artifactType, `config.mediaType: application/vnd.cncf.notary.signature`
    /// over `{}`: for registries that reject unknown manifest fields (OCI 1.0).
    ConfigMediaType,
}

/// The manifest annotations of a signature: the thumbprint list of the
/// chain (lowercase hex, a JSON array in a string) and the signing time.
// Requirements: Q4.
pub fn signature_annotations(
    chain: &[Certificate],
    signing_time: OffsetDateTime,
) -> BTreeMap<String, String> {
    let thumbprints: Vec<String> = chain.iter().map(|c| c.sha256_fingerprint_hex()).collect();
    let mut annotations = BTreeMap::new();
    annotations.insert(
        ANNOTATION_THUMBPRINT.to_string(),
        serde_json::to_string(&thumbprints).expect("strings"),
    );
    annotations.insert(
        ANNOTATION_CREATED.to_string(),
        notation_core::timefmt::rfc3339(signing_time.to_offset(time::UtcOffset::UTC)),
    );
    annotations
}

/// Builds the signature manifest over an envelope blob.
// Requirements: Q1, Q3, Q4.
pub fn build_signature_manifest(
    form: SignatureManifestForm,
    subject: &Descriptor,
    envelope: &Descriptor,
    annotations: BTreeMap<String, String>,
) -> ImageManifest {
    let (artifact_type, config) = match form {
        SignatureManifestForm::ArtifactType => {
            let mut config = Descriptor::new(MEDIA_TYPE_EMPTY_JSON, EMPTY_JSON_DIGEST, 2);
            config.data = Some("e30=".into());
            (Some(ARTIFACT_TYPE_NOTATION.to_string()), config)
        }
        SignatureManifestForm::ConfigMediaType => (
            None,
            Descriptor::new(ARTIFACT_TYPE_NOTATION, EMPTY_JSON_DIGEST, 2),
        ),
    };
    ImageManifest {
        schema_version: Some(2),
        media_type: Some(MEDIA_TYPE_IMAGE_MANIFEST.to_string()),
        artifact_type,
        config: Some(config),
        layers: Some(vec![Descriptor::new(
            envelope.media_type.clone(),
            envelope.digest.clone(),
            envelope.size,
        )]),
        blobs: None,
        subject: Some(Descriptor::new(
            subject.media_type.clone(),
            subject.digest.clone(),
            subject.size,
        )),
        annotations: Some(annotations),
    }
}

/// Why a manifest is not a usable signature manifest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureManifestError {
    /// Not parseable.
    #[error("{0}")]
    Malformed(String),
    /// Not exactly one envelope layer (the reference's spelling kept).
    // Requirements: Q3.
    #[error("signature manifest requries exactly one signature envelope blob, got {0}")]
    LayerCount(usize),
    /// The manifest's subject is not the artifact.
    #[error("signature manifest subject {found} does not match the signed artifact {expected}")]
    SubjectMismatch {
        /// The artifact digest.
        expected: String,
        /// The manifest's subject digest.
        found: String,
    },
    /// A manifest media type that cannot hold a signature.
    #[error("signature manifest media type {0:?} is not supported")]
    MediaType(String),
    /// The envelope layer is too large.
    // Requirements: U.
    #[error("signature blob too large: {0} bytes")]
    EnvelopeTooLarge(u64),
}

/// What Notation reads from a signature manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureManifest {
    /// The envelope layer.
    pub envelope: Descriptor,
    /// The subject.
    pub subject: Option<Descriptor>,
    /// Manifest annotations.
    pub annotations: BTreeMap<String, String>,
}

impl SignatureManifest {
    /// The envelope format, if the layer's media type is one.
    pub fn envelope_format(&self) -> Option<EnvelopeFormat> {
        EnvelopeFormat::from_media_type(&self.envelope.media_type)
    }
}

/// Reads a signature manifest (already digest-checked): exactly one
/// envelope layer, the subject must be `artifact` when given.
// Requirements: Q3.
pub fn parse_signature_manifest(
    manifest_media_type: &str,
    data: &[u8],
    artifact: Option<&Descriptor>,
) -> Result<SignatureManifest, SignatureManifestError> {
    if manifest_media_type != MEDIA_TYPE_IMAGE_MANIFEST
        && manifest_media_type != MEDIA_TYPE_ARTIFACT_MANIFEST
    {
        return Err(SignatureManifestError::MediaType(
            manifest_media_type.to_string(),
        ));
    }
    let manifest = ImageManifest::from_json(data).map_err(SignatureManifestError::Malformed)?;
    let layers = if manifest_media_type == MEDIA_TYPE_ARTIFACT_MANIFEST {
        manifest.blobs
    } else {
        manifest.layers
    };
    let layers = layers.unwrap_or_default();
    if layers.len() != 1 {
        return Err(SignatureManifestError::LayerCount(layers.len()));
    }
    if let (Some(artifact), Some(subject)) = (artifact, &manifest.subject)
        && subject.digest != artifact.digest
    {
        return Err(SignatureManifestError::SubjectMismatch {
            expected: artifact.digest.clone(),
            found: subject.digest.clone(),
        });
    }
    let envelope = layers.into_iter().next().expect("one layer");
    if envelope.size > crate::oci::MAX_ENVELOPE_SIZE {
        return Err(SignatureManifestError::EnvelopeTooLarge(envelope.size));
    }
    Ok(SignatureManifest {
        envelope,
        subject: manifest.subject,
        annotations: manifest.annotations.unwrap_or_default(),
    })
}

/// Whether a referrer is a Notary signature (notation-go
/// `signatureReferrers`): an image manifest whose subject is the artifact
/// and which either has the Notary artifactType with the empty config, or
/// no artifactType and the Notary config media type. Returns the referrer's
/// descriptor with `artifactType` and annotations filled in.
// Requirements: Q2.
pub fn notary_referrer(
    node: &Descriptor,
    manifest: &ImageManifest,
    artifact: &Descriptor,
) -> Option<Descriptor> {
    if !manifest
        .subject
        .as_ref()
        .is_some_and(|s| s.same_content(artifact))
    {
        return None;
    }
    let artifact_type = match (node.media_type.as_str(), manifest.artifact_type.as_deref()) {
        (MEDIA_TYPE_ARTIFACT_MANIFEST, Some(ARTIFACT_TYPE_NOTATION)) => ARTIFACT_TYPE_NOTATION,
        (MEDIA_TYPE_IMAGE_MANIFEST, Some(ARTIFACT_TYPE_NOTATION)) => {
            // Notary artifactType with a non-empty config is ignored (with a
            // warning in the reference).
            if manifest.config.as_ref().map(|c| c.media_type.as_str())
                != Some(MEDIA_TYPE_EMPTY_JSON)
            {
                return None;
            }
            ARTIFACT_TYPE_NOTATION
        }
        (MEDIA_TYPE_IMAGE_MANIFEST, None) => {
            if manifest.config.as_ref().map(|c| c.media_type.as_str())
                != Some(ARTIFACT_TYPE_NOTATION)
            {
                return None;
            }
            ARTIFACT_TYPE_NOTATION
        }
        _ => return None,
    };
    let mut out = Descriptor::new(node.media_type.clone(), node.digest.clone(), node.size);
    out.artifact_type = Some(artifact_type.to_string());
    out.annotations = manifest.annotations.clone();
    Some(out)
}

/// The thumbprints listed in a signature descriptor's annotation,
/// lowercased; `None` when absent or malformed.
// Requirements: Q4.
pub fn thumbprints(descriptor: &Descriptor) -> Option<Vec<String>> {
    let raw = descriptor.annotation(ANNOTATION_THUMBPRINT)?;
    let list: Vec<String> = serde_json::from_str(raw).ok()?;
    Some(list.into_iter().map(|t| t.to_ascii_lowercase()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_build_and_read_back() {
        let subject = Descriptor::new(
            MEDIA_TYPE_IMAGE_MANIFEST,
            crate::oci::sha256_digest(b"s"),
            1,
        );
        let env = Descriptor::of("application/jose+json", b"envelope");
        for form in [
            SignatureManifestForm::ArtifactType,
            SignatureManifestForm::ConfigMediaType,
        ] {
            let m = build_signature_manifest(form, &subject, &env, BTreeMap::new());
            let bytes = m.to_json();
            let node = Descriptor::of(MEDIA_TYPE_IMAGE_MANIFEST, &bytes);
            let parsed = ImageManifest::from_json(&bytes).unwrap();
            let referrer =
                notary_referrer(&node, &parsed, &subject).expect("is a notary signature");
            assert_eq!(
                referrer.artifact_type.as_deref(),
                Some(ARTIFACT_TYPE_NOTATION)
            );
            let sm = parse_signature_manifest(MEDIA_TYPE_IMAGE_MANIFEST, &bytes, Some(&subject))
                .unwrap();
            assert_eq!(sm.envelope, env);
            assert_eq!(sm.envelope_format(), Some(EnvelopeFormat::Jws));
        }
    }

    #[test]
    fn other_referrers_are_not_signatures() {
        let subject = Descriptor::new(
            MEDIA_TYPE_IMAGE_MANIFEST,
            crate::oci::sha256_digest(b"s"),
            1,
        );
        let env = Descriptor::of("application/jose+json", b"envelope");
        let mut m = build_signature_manifest(
            SignatureManifestForm::ArtifactType,
            &subject,
            &env,
            BTreeMap::new(),
        );
        let node = Descriptor::new(MEDIA_TYPE_IMAGE_MANIFEST, "sha256:00", 1);
        m.config = Some(Descriptor::new("application/x-other", EMPTY_JSON_DIGEST, 2));
        assert!(notary_referrer(&node, &m, &subject).is_none());
        m.artifact_type = Some("application/vnd.other".into());
        assert!(notary_referrer(&node, &m, &subject).is_none());
        let other_subject = Descriptor::new(
            MEDIA_TYPE_IMAGE_MANIFEST,
            crate::oci::sha256_digest(b"t"),
            1,
        );
        let m = build_signature_manifest(
            SignatureManifestForm::ArtifactType,
            &subject,
            &env,
            BTreeMap::new(),
        );
        assert!(notary_referrer(&node, &m, &other_subject).is_none());
    }

    #[test]
    fn q3_exactly_one_layer() {
        let mut m = build_signature_manifest(
            SignatureManifestForm::ArtifactType,
            &Descriptor::new(MEDIA_TYPE_IMAGE_MANIFEST, "sha256:00", 1),
            &Descriptor::of("application/jose+json", b"e"),
            BTreeMap::new(),
        );
        m.layers
            .as_mut()
            .unwrap()
            .push(Descriptor::of("application/jose+json", b"f"));
        assert_eq!(
            parse_signature_manifest(MEDIA_TYPE_IMAGE_MANIFEST, &m.to_json(), None)
                .unwrap_err()
                .to_string(),
            "signature manifest requries exactly one signature envelope blob, got 2"
        );
        assert!(parse_signature_manifest("application/x", b"{}", None).is_err());
        assert!(parse_signature_manifest(MEDIA_TYPE_IMAGE_MANIFEST, b"[", None).is_err());
    }
}
