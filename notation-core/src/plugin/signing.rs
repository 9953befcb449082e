//! Signing with a plugin key.
//!
//! A `SIGNATURE_GENERATOR.RAW` plugin signs bytes: notation-rs builds the
//! envelope around its signature, exactly as for a local key, through
//! [`RawPluginSigner`] (a [`Signer`]). A `SIGNATURE_GENERATOR.ENVELOPE`
//! plugin returns the whole envelope, which is checked before it is used:
//! type, signature, certificate rules, payload. [`PluginSigner`] asks the
//! plugin what it can do on every signing operation and takes the
//! right path, RAW first when a plugin offers both, as the reference does.
// Requirements: R5-R7, R9, R3.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::protocol::{
    CONTRACT_VERSION, Capability, Command, DescribeKeyRequest, GenerateEnvelopeRequest,
    GenerateSignatureRequest, GetMetadataRequest, PluginConfig, PluginMetadata,
};
use super::{Plugin, PluginError, PluginLocator};
use crate::algorithm::{KeySpec, SignatureAlgorithm};
use crate::blob::{BlobSignError, BlobSignOptions};
use crate::config::KeySuite;
use crate::crypto::CryptoProvider;
use crate::envelope::{
    self, Envelope, EnvelopeContent, EnvelopeError, EnvelopeFormat, SignError, SignRequest,
};
use crate::payload::{Descriptor, PAYLOAD_MEDIA_TYPE, Payload};
use crate::signer::{Signer, SignerError};
use crate::timestamp::{SignedToken, TimestampError, Timestamper};
use crate::trust::GoQuoted;
use crate::x509::Certificate;

/// Why signing with a plugin failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginSignError {
    /// A plugin key without a key id.
    #[error("keyID not specified")]
    MissingKeyId,
    /// A `signingkeys.json` entry that names no plugin.
    #[error("signing key {} is not associated with a plugin", GoQuoted(.0))]
    NotPluginKey(String),
    /// An expiry that is not a positive number of whole seconds (or ends
    /// past what the clock can represent).
    #[error("expiry duration must be a positive number of whole seconds")]
    InvalidExpiry,
    /// The plugin could not be located, or `get-plugin-metadata` failed
    /// (shown as the reference shows it, unwrapped).
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The plugin has no `SIGNATURE_GENERATOR` capability usable for an
    /// OCI artifact.
    #[error("plugin does not have signing capabilities")]
    NoSigningCapability {
        /// The plugin.
        plugin: String,
    },
    /// The plugin can sign OCI artifacts only (plain
    /// `SIGNATURE_GENERATOR.ENVELOPE`).
    // Requirements: R7.
    #[error(
        "the plugin {} lacks the signature generator capability required for blob signing",
        GoQuoted(.plugin)
    )]
    NoBlobSigningCapability {
        /// The plugin.
        plugin: String,
    },
    /// Signing failed after the plugin was chosen.
    #[error("failed to sign with the plugin {plugin}: {error}")]
    Failed {
        /// The plugin.
        plugin: String,
        /// Why.
        error: Box<PluginSignFailure>,
    },
}

/// Why signing failed once the plugin was chosen (inside
/// [`PluginSignError::Failed`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginSignFailure {
    /// `describe-key` failed or its answer is unusable.
    // Requirements: R5.
    #[error("{0}")]
    Plugin(PluginError),
    /// `generate-envelope` failed.
    // Requirements: R6.
    #[error("plugin failed to sign with following error: {0}")]
    GenerateEnvelope(PluginError),
    /// Building the envelope around a RAW signature failed; this includes
    /// a `generate-signature` answer that does not verify ("generated
    /// signature failed verification: ...").
    // Requirements: R5.
    #[error("{0}")]
    Sign(SignError),
    /// The plugin's envelope does not parse as the requested format, or its
    /// payload type is not the Notary payload.
    // Requirements: R6.
    #[error("{0}")]
    Envelope(EnvelopeError),
    /// The plugin's envelope does not verify or breaks the certificate
    /// rules.
    // Requirements: R6, H.
    #[error("generated signature failed verification: {0}")]
    Verification(EnvelopeError),
    /// The plugin's envelope payload is not a Notary payload.
    #[error("signed envelope payload can't be unmarshalled: {0}")]
    Payload(String),
    /// The plugin changed the signed descriptor (it may only add
    /// annotations).
    // Requirements: R6.
    #[error(
        "during signing descriptor subject has changed from {} to {}",
        descriptor_text(.original),
        descriptor_text(.signed)
    )]
    DescriptorChanged {
        /// What was asked.
        original: Box<Descriptor>,
        /// What the envelope signs.
        signed: Box<Descriptor>,
    },
    /// The plugin added members to the payload or descriptor.
    // Requirements: R6.
    #[error(
        "during signing, following unknown attributes were added to subject descriptor: [{}]",
        .0.iter().map(|a| GoQuoted(a).to_string()).collect::<Vec<_>>().join(" ")
    )]
    UnknownAttributes(Vec<String>),
    /// The plugin's envelope carries a timestamp countersignature that is
    /// not one over its signature.
    // Requirements: R6.
    #[error("generated signature has an invalid timestamp countersignature: {0}")]
    Timestamp(TimestampError),
    /// An `ENVELOPE_FOR_BLOB` plugin's envelope is signed with an
    /// algorithm whose hash is not the hash of the key spec of its
    /// `describe-key` answer, which made the blob's digest: verification
    /// recomputes the digest with the envelope's hash, so the signature
    /// could never verify.
    // Requirements: R7, S3.
    #[error(
        "signature algorithm of the generated signature ({signed}) does not use the hash of the key spec in the describeKey response ({key_spec}: {}), with which the blob was digested",
        .key_spec.signature_algorithm().hash()
    )]
    KeySpecMismatch {
        /// From `describe-key`.
        key_spec: KeySpec,
        /// From the envelope.
        signed: SignatureAlgorithm,
    },
}

/// A descriptor as the reference prints its `ocispec.Descriptor` (Go's
/// `%+v`): every field by name, the ones a Notary payload's descriptor
/// leaves out as Go's zero values, annotations sorted by key.
fn descriptor_text(d: &Descriptor) -> String {
    let annotations = d
        .annotations
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{{MediaType:{} Digest:{} Size:{} URLs:[] Annotations:map[{annotations}] Data:[] Platform:<nil> ArtifactType:}}",
        d.media_type, d.digest, d.size
    )
}

/// How to sign an OCI artifact with a plugin.
#[derive(Clone)]
pub struct PluginSignOptions<'a> {
    format: EnvelopeFormat,
    signing_time: Option<OffsetDateTime>,
    expiry: Option<Duration>,
    timestamper: Option<&'a dyn Timestamper>,
}

impl std::fmt::Debug for PluginSignOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginSignOptions")
            .field("format", &self.format)
            .field("signing_time", &self.signing_time)
            .field("expiry", &self.expiry)
            .field("timestamper", &self.timestamper.is_some())
            .finish()
    }
}

impl<'a> PluginSignOptions<'a> {
    /// Sign into `format`, now, without expiry or timestamp.
    pub fn new(format: EnvelopeFormat) -> Self {
        Self {
            format,
            signing_time: None,
            expiry: None,
            timestamper: None,
        }
    }

    /// The signing time (RAW plugins only; an envelope plugin sets its own).
    pub fn signing_time(mut self, t: OffsetDateTime) -> Self {
        self.signing_time = Some(t);
        self
    }

    /// Expiry after the signing time, in whole seconds.
    // Requirements: B3.
    pub fn expiry(mut self, expiry: Option<Duration>) -> Self {
        self.expiry = expiry;
        self
    }

    /// Requests an RFC 3161 timestamp. Used with RAW plugins only: a
    /// plugin that builds the envelope owns its timestamp (spec FAQ).
    // Requirements: O1, R6.
    pub fn timestamper(mut self, timestamper: Option<&'a dyn Timestamper>) -> Self {
        self.timestamper = timestamper;
        self
    }
}

/// A signature made with a plugin.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PluginSignature {
    /// The envelope bytes.
    pub envelope: Vec<u8>,
    /// Its verified content.
    pub content: EnvelopeContent,
    /// Annotations for the OCI signature manifest returned by an envelope
    /// plugin; empty for RAW plugins.
    // Requirements: R6, Q4.
    pub annotations: BTreeMap<String, String>,
}

/// A signing key held by a plugin: the plugin, the key id and the plugin
/// configuration.
// Requirements: R5-R7, R9.
#[derive(Clone)]
pub struct PluginSigner {
    plugin: Arc<dyn Plugin>,
    key_id: String,
    plugin_config: PluginConfig,
}

impl std::fmt::Debug for PluginSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginSigner")
            .field("plugin", &self.plugin.name())
            .field("key_id", &self.key_id)
            .field("plugin_config", &self.plugin_config)
            .finish()
    }
}

impl PluginSigner {
    /// The key `key_id` of `plugin`, without plugin configuration.
    pub fn new(
        plugin: Arc<dyn Plugin>,
        key_id: impl Into<String>,
    ) -> Result<Self, PluginSignError> {
        let key_id = key_id.into();
        if key_id.is_empty() {
            return Err(PluginSignError::MissingKeyId);
        }
        Ok(Self {
            plugin,
            key_id,
            plugin_config: PluginConfig::new(),
        })
    }

    /// Replaces the plugin configuration.
    pub fn with_plugin_config(mut self, config: PluginConfig) -> Self {
        self.plugin_config = config;
        self
    }

    /// Sets or overrides configuration entries (`--plugin-config`
    /// over the key's `pluginConfig`).
    // Requirements: R9.
    pub fn merge_plugin_config(mut self, overrides: &PluginConfig) -> Self {
        self.plugin_config
            .extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }

    /// The signer for a `signingkeys.json` plugin key entry: the
    /// plugin `pluginName` found by `locator`, key `id`, configuration
    /// `pluginConfig` with `overrides` applied on top.
    // Requirements: W16, R9.
    pub fn from_key_suite(
        key: &KeySuite,
        locator: &dyn PluginLocator,
        overrides: &PluginConfig,
    ) -> Result<Self, PluginSignError> {
        let plugin_name = key
            .plugin_name
            .as_deref()
            .ok_or_else(|| PluginSignError::NotPluginKey(key.name.clone()))?;
        let key_id = key.id.clone().unwrap_or_default();
        if key_id.is_empty() {
            return Err(PluginSignError::MissingKeyId);
        }
        let plugin = locator.locate(plugin_name)?;
        Ok(Self::new(plugin, key_id)?
            .with_plugin_config(key.plugin_config.clone().unwrap_or_default())
            .merge_plugin_config(overrides))
    }

    /// The plugin.
    pub fn plugin(&self) -> &Arc<dyn Plugin> {
        &self.plugin
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The plugin configuration sent with every command.
    pub fn plugin_config(&self) -> &PluginConfig {
        &self.plugin_config
    }

    /// Runs `get-plugin-metadata` with the configuration (every signing
    /// operation asks again).
    // Requirements: R3.
    pub fn metadata(&self) -> Result<PluginMetadata, PluginError> {
        self.plugin
            .get_metadata(&GetMetadataRequest::new(self.plugin_config.clone()))
    }

    fn failed(&self, source: PluginSignFailure) -> PluginSignError {
        PluginSignError::Failed {
            plugin: self.plugin.name().to_string(),
            error: Box::new(source),
        }
    }

    /// `describe-key`, checked: the key id echoed, a known key spec.
    // Requirements: R5.
    fn describe_key(&self) -> Result<KeySpec, PluginError> {
        let response = self.plugin.describe_key(&DescribeKeyRequest::new(
            self.key_id.clone(),
            self.plugin_config.clone(),
        ))?;
        if response.key_id != self.key_id {
            return Err(PluginError::KeyIdMismatch {
                command: Command::DescribeKey,
                got: response.key_id,
                want: self.key_id.clone(),
            });
        }
        KeySpec::from_plugin_name(&response.key_spec)
            .ok_or(PluginError::UnknownKeySpec(response.key_spec))
    }

    /// A [`Signer`] for a `SIGNATURE_GENERATOR.RAW` plugin: asks for the
    /// metadata and the key spec now. Use it for one signing operation;
    /// [`PluginSigner::sign_artifact`] and
    /// [`PluginSigner::sign_blob`] make one each time.
    // Requirements: R3.
    pub fn raw_signer(&self) -> Result<RawPluginSigner, PluginSignError> {
        let metadata = self.metadata()?;
        if !metadata.has_capability(&Capability::SignatureGenerator) {
            return Err(PluginSignError::NoSigningCapability {
                plugin: metadata.name,
            });
        }
        self.raw_signer_with(metadata)
    }

    fn raw_signer_with(
        &self,
        metadata: PluginMetadata,
    ) -> Result<RawPluginSigner, PluginSignError> {
        let key_spec = self
            .describe_key()
            .map_err(|e| self.failed(PluginSignFailure::Plugin(e)))?;
        Ok(self.raw_signer_for(metadata, key_spec))
    }

    fn raw_signer_for(&self, metadata: PluginMetadata, key_spec: KeySpec) -> RawPluginSigner {
        RawPluginSigner {
            plugin: self.plugin.clone(),
            key_id: self.key_id.clone(),
            plugin_config: self.plugin_config.clone(),
            key_spec,
            metadata,
        }
    }

    /// Signs the descriptor of an OCI artifact (the caller has added user
    /// metadata to its annotations): with a RAW plugin notation-rs
    /// builds and checks the envelope; with an envelope plugin the
    /// plugin's envelope is checked and its annotations returned for
    /// the signature manifest.
    // Requirements: A5, R5, R6.
    pub fn sign_artifact(
        &self,
        target: &Descriptor,
        options: &PluginSignOptions<'_>,
        crypto: &dyn CryptoProvider,
    ) -> Result<PluginSignature, PluginSignError> {
        let expiry =
            envelope::check_expiry(options.expiry).map_err(|_| PluginSignError::InvalidExpiry)?;
        let metadata = self.metadata()?;
        if metadata.has_capability(&Capability::SignatureGenerator) {
            let signer = self.raw_signer_with(metadata)?;
            let signing_time = envelope::truncate_seconds(
                options.signing_time.unwrap_or_else(OffsetDateTime::now_utc),
            );
            let request = SignRequest::new(Payload::new(target.clone()).to_json(), &signer)
                .signing_time(signing_time)
                .expiry(
                    envelope::expiry_time(signing_time, expiry)
                        .map_err(|_| PluginSignError::InvalidExpiry)?,
                )
                .timestamper(options.timestamper);
            let bytes = envelope::sign(options.format, &request, crypto)
                .map_err(|e| self.failed(PluginSignFailure::Sign(e)))?;
            let content = Envelope::parse(options.format, &bytes)
                .and_then(|e| e.content_unverified())
                .map_err(|e| self.failed(PluginSignFailure::Envelope(e)))?;
            return Ok(PluginSignature {
                envelope: bytes,
                content,
                annotations: BTreeMap::new(),
            });
        }
        if metadata.has_capability(&Capability::EnvelopeGenerator) {
            return self.generate_envelope(target, options.format, expiry, crypto);
        }
        Err(PluginSignError::NoSigningCapability {
            plugin: metadata.name,
        })
    }

    /// Signs a blob: a RAW plugin's `describe-key` chooses the digest
    /// algorithm and notation-rs builds the envelope; a
    /// `SIGNATURE_GENERATOR.ENVELOPE_FOR_BLOB` plugin builds it from the
    /// descriptor. A plain envelope plugin cannot sign blobs. An envelope
    /// plugin sets its own signing time and timestamp: those options are
    /// not used then.
    // Requirements: R7.
    pub fn sign_blob(
        &self,
        blob: &mut dyn Read,
        options: &BlobSignOptions<'_>,
        crypto: &dyn CryptoProvider,
    ) -> Result<Vec<u8>, BlobSignError> {
        crate::payload::check_media_type(&options.media_type)?;
        let metadata = self.metadata().map_err(PluginSignError::from)?;
        if metadata.has_capability(&Capability::SignatureGenerator) {
            // The reference's `SignBlob` gives `describe-key`'s errors as
            // they are (its OCI `Sign` names the plugin before them).
            let key_spec = self.describe_key().map_err(PluginSignError::from)?;
            let signer = self.raw_signer_for(metadata, key_spec);
            return crate::blob::sign_blob(&signer, blob, options, crypto);
        }
        if metadata.has_capability(&Capability::EnvelopeGeneratorForBlob) {
            let expiry =
                envelope::check_expiry(options.expiry).map_err(|_| BlobSignError::InvalidExpiry)?;
            let key_spec = self
                .describe_key()
                .map_err(|e| self.failed(PluginSignFailure::Plugin(e)))?;
            let mut descriptor = Descriptor::of_reader(
                options.media_type.clone(),
                key_spec.signature_algorithm().hash(),
                blob,
            )?;
            descriptor.add_user_metadata(&options.user_metadata)?;
            let signature = self.generate_envelope(&descriptor, options.format, expiry, crypto)?;
            let signed = signature.content.signer_info.signature_algorithm;
            if signed.hash() != key_spec.signature_algorithm().hash() {
                return Err(self
                    .failed(PluginSignFailure::KeySpecMismatch { key_spec, signed })
                    .into());
            }
            return Ok(signature.envelope);
        }
        Err(PluginSignError::NoBlobSigningCapability {
            plugin: metadata.name,
        }
        .into())
    }

    /// `generate-envelope` and the checks of its answer, in the
    /// reference's order.
    // Requirements: R6.
    fn generate_envelope(
        &self,
        target: &Descriptor,
        format: EnvelopeFormat,
        expiry: Option<Duration>,
        crypto: &dyn CryptoProvider,
    ) -> Result<PluginSignature, PluginSignError> {
        let request = GenerateEnvelopeRequest {
            contract_version: CONTRACT_VERSION.to_string(),
            key_id: self.key_id.clone(),
            payload_type: PAYLOAD_MEDIA_TYPE.to_string(),
            signature_envelope_type: format.media_type().to_string(),
            payload: Payload::new(target.clone()).to_json(),
            expiry_duration_in_seconds: expiry.map_or(0, |d| d.whole_seconds() as u64),
            plugin_config: self.plugin_config.clone(),
        };
        let response = self
            .plugin
            .generate_envelope(&request)
            .map_err(|e| self.failed(PluginSignFailure::GenerateEnvelope(e)))?;
        if response.signature_envelope_type != request.signature_envelope_type {
            return Err(self.failed(PluginSignFailure::Plugin(
                PluginError::EnvelopeTypeMismatch {
                    got: response.signature_envelope_type,
                    want: request.signature_envelope_type,
                },
            )));
        }
        let content =
            check_generated_envelope(&response.signature_envelope, format, target, crypto)
                .map_err(|e| self.failed(e))?;
        Ok(PluginSignature {
            envelope: response.signature_envelope,
            content,
            annotations: response.annotations,
        })
    }
}

/// An envelope plugin's envelope: it verifies with its leaf, meets the certificate rules at
/// its signing time, signs a Notary payload whose descriptor is the
/// requested one plus, at most, annotations, and any timestamp
/// countersignature is over its signature.
// Requirements: R6, H, H8.
fn check_generated_envelope(
    bytes: &[u8],
    format: EnvelopeFormat,
    target: &Descriptor,
    crypto: &dyn CryptoProvider,
) -> Result<EnvelopeContent, PluginSignFailure> {
    let parsed = Envelope::parse(format, bytes).map_err(PluginSignFailure::Envelope)?;
    let content = match &parsed {
        Envelope::Jws(e) => e.verify(crypto, &crate::x509::Certificate::from_der),
        Envelope::Cose(e) => e.verify(crypto, &crate::x509::Certificate::from_der),
    }
    .map_err(PluginSignFailure::Verification)?;
    // The reference verifies without a signing time; the spec's H8 wants
    // the chain valid when it signed, which costs nothing to check here.
    envelope::validate_content(
        &content,
        Some(content.signer_info.signed.signing_time),
        crypto,
    )
    .map_err(PluginSignFailure::Verification)?;
    if content.signer_info.signed.content_type != PAYLOAD_MEDIA_TYPE {
        return Err(PluginSignFailure::Envelope(
            EnvelopeError::UnsupportedContentType(content.signer_info.signed.content_type.clone()),
        ));
    }
    let signed = Payload::from_json(&content.payload)
        .map_err(|e| PluginSignFailure::Payload(e.to_string()))?
        .target_artifact;
    let annotations_kept = target.annotations.iter().flatten().all(|(k, v)| {
        signed
            .annotations
            .as_ref()
            .and_then(|a| a.get(k))
            .is_some_and(|got| got == v)
    });
    if !target.same_content(&signed) || !annotations_kept {
        return Err(PluginSignFailure::DescriptorChanged {
            original: Box::new(target.clone()),
            signed: Box::new(signed),
        });
    }
    let unknown = unknown_payload_members(&content.payload);
    if !unknown.is_empty() {
        return Err(PluginSignFailure::UnknownAttributes(unknown));
    }
    if let Some(token) = &content.signer_info.unsigned.timestamp_signature {
        // Without the TSA roots (a verifier's configuration) the token's
        // chain cannot be anchored here; what can be checked is that it is
        // a timestamp over this envelope's signature.
        let token = SignedToken::parse(token).map_err(PluginSignFailure::Timestamp)?;
        token
            .tst_info()
            .and_then(|info| info.validate(&content.signer_info.signature))
            .map_err(PluginSignFailure::Timestamp)?;
    }
    Ok(content)
}

/// Members of the payload other than `targetArtifact`, and of the
/// descriptor other than the OCI descriptor's, sorted (the reference's
/// `areUnknownAttributesAdded`).
fn unknown_payload_members(payload: &[u8]) -> Vec<String> {
    const DESCRIPTOR_MEMBERS: [&str; 8] = crate::payload::DESCRIPTOR_NAMES;
    let Ok(serde_json::Value::Object(top)) = serde_json::from_slice::<serde_json::Value>(payload)
    else {
        return Vec::new();
    };
    let mut unknown: Vec<String> = top
        .keys()
        .filter(|k| *k != "targetArtifact")
        .cloned()
        .collect();
    if let Some(serde_json::Value::Object(descriptor)) = top.get("targetArtifact") {
        unknown.extend(
            descriptor
                .keys()
                .filter(|k| !DESCRIPTOR_MEMBERS.contains(&k.as_str()))
                .cloned(),
        );
    }
    unknown.sort();
    unknown
}

/// The [`Signer`] over a `SIGNATURE_GENERATOR.RAW` plugin key: the key
/// spec comes from `describe-key`, each signature from
/// `generate-signature`, whose answer is checked (key id echoed, signing
/// algorithm that of the key spec, certificates that parse). The envelope
/// built around it is then verified with the leaf and the chain checked
/// against the certificate rules, as for every signer
/// ([`envelope::sign`]). Envelopes name the plugin in their signing agent.
///
///
/// Made by [`PluginSigner::raw_signer`] for one signing operation.
// Requirements: R5, E3.
#[derive(Clone)]
pub struct RawPluginSigner {
    plugin: Arc<dyn Plugin>,
    key_id: String,
    plugin_config: PluginConfig,
    key_spec: KeySpec,
    metadata: PluginMetadata,
}

impl std::fmt::Debug for RawPluginSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawPluginSigner")
            .field("plugin", &self.plugin.name())
            .field("key_id", &self.key_id)
            .field("key_spec", &self.key_spec)
            .finish_non_exhaustive()
    }
}

impl RawPluginSigner {
    /// The plugin's metadata, as read when this signer was made.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    fn generate(&self, data: &[u8]) -> Result<(Vec<u8>, Vec<Certificate>), PluginError> {
        let request = GenerateSignatureRequest {
            contract_version: CONTRACT_VERSION.to_string(),
            key_id: self.key_id.clone(),
            key_spec: self.key_spec.plugin_name().to_string(),
            hash_algorithm: self
                .key_spec
                .signature_algorithm()
                .hash()
                .plugin_name()
                .to_string(),
            payload: data.to_vec(),
            plugin_config: self.plugin_config.clone(),
        };
        let response = self.plugin.generate_signature(&request)?;
        if response.key_id != self.key_id {
            return Err(PluginError::KeyIdMismatch {
                command: Command::GenerateSignature,
                got: response.key_id,
                want: self.key_id.clone(),
            });
        }
        if response.certificate_chain.len() > envelope::MAX_CHAIN_LENGTH {
            return Err(PluginError::Certificate(
                crate::x509::CertificateParseError::Malformed(format!(
                    "certificate chain of {} certificates exceeds the limit of {}",
                    response.certificate_chain.len(),
                    envelope::MAX_CHAIN_LENGTH
                )),
            ));
        }
        let chain = response
            .certificate_chain
            .iter()
            .map(|der| Certificate::from_der(der).map_err(PluginError::Certificate))
            .collect::<Result<Vec<_>, _>>()?;
        if chain.is_empty() {
            return Err(PluginError::EmptyCertificateChain);
        }
        // R5: the spec asks for a supported algorithm; the reference does
        // not look. A mismatch with the key spec would fail verification
        // anyway (the algorithm comes from the leaf, C5); saying so here is
        // clearer.
        let algorithm = SignatureAlgorithm::from_plugin_name(&response.signing_algorithm)
            .ok_or_else(|| {
                PluginError::UnsupportedSigningAlgorithm(response.signing_algorithm.clone())
            })?;
        if algorithm != self.key_spec.signature_algorithm() {
            return Err(PluginError::SigningAlgorithmMismatch {
                got: response.signing_algorithm,
                key_spec: self.key_spec.plugin_name().to_string(),
            });
        }
        Ok((response.signature, chain))
    }
}

impl Signer for RawPluginSigner {
    fn key_spec(&self) -> Result<KeySpec, SignerError> {
        Ok(self.key_spec)
    }

    fn sign(&self, data: &[u8]) -> Result<(Vec<u8>, Vec<Certificate>), SignerError> {
        self.generate(data).map_err(SignerError::Plugin)
    }

    fn signing_agent(&self) -> Option<String> {
        // E3: the reference writes "notation-go/<v> <plugin>/<version>".
        Some(format!(
            "{} {}/{}",
            crate::SIGNING_AGENT,
            self.metadata.name,
            self.metadata.version
        ))
    }
}
