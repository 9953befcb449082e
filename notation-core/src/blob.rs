//! Signing arbitrary files: detached signatures.
// Requirements: S1-S3, A3.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use time::{Duration, OffsetDateTime};

use crate::crypto::CryptoProvider;
use crate::envelope::{self, EnvelopeFormat, SignError, SignRequest};
use crate::payload::{DEFAULT_BLOB_MEDIA_TYPE, Descriptor, Payload, UserMetadataError};
use crate::plugin::PluginSigner;
use crate::signer::Signer;
use crate::timestamp::Timestamper;

/// How to sign a blob.
#[derive(Clone)]
pub struct BlobSignOptions<'a> {
    pub(crate) format: EnvelopeFormat,
    pub(crate) media_type: String,
    pub(crate) user_metadata: BTreeMap<String, String>,
    pub(crate) expiry: Option<Duration>,
    pub(crate) signing_time: Option<OffsetDateTime>,
    pub(crate) timestamper: Option<&'a dyn Timestamper>,
}

impl std::fmt::Debug for BlobSignOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobSignOptions")
            .field("format", &self.format)
            .field("media_type", &self.media_type)
            .field("user_metadata", &self.user_metadata)
            .field("expiry", &self.expiry)
            .field("timestamper", &self.timestamper.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for BlobSignOptions<'_> {
    fn default() -> Self {
        Self::new(EnvelopeFormat::Jws)
    }
}

impl<'a> BlobSignOptions<'a> {
    /// Options for `format`, media type `application/octet-stream`.
    // Requirements: A3.
    pub fn new(format: EnvelopeFormat) -> Self {
        Self {
            format,
            media_type: DEFAULT_BLOB_MEDIA_TYPE.to_string(),
            user_metadata: BTreeMap::new(),
            expiry: None,
            signing_time: None,
            timestamper: None,
        }
    }

    /// The envelope format.
    pub fn format(&self) -> EnvelopeFormat {
        self.format
    }

    /// The media type written into the payload.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = media_type.into();
        self
    }

    /// User metadata, stored as payload annotations.
    // Requirements: A5.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// Expiry relative to the signing time; whole seconds.
    // Requirements: B3.
    pub fn expiry(mut self, expiry: Option<Duration>) -> Self {
        self.expiry = expiry;
        self
    }

    /// Signing time (default: now).
    pub fn signing_time(mut self, t: OffsetDateTime) -> Self {
        self.signing_time = Some(t);
        self
    }

    /// Requests an RFC 3161 timestamp.
    // Requirements: O1.
    pub fn timestamper(mut self, timestamper: Option<&'a dyn Timestamper>) -> Self {
        self.timestamper = timestamper;
        self
    }
}

/// Why signing a blob failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobSignError {
    /// Reading the blob failed.
    #[error("failed to read the blob: {0}")]
    Read(std::io::Error),
    /// The user metadata is not allowed.
    // Requirements: A4.
    #[error(transparent)]
    UserMetadata(#[from] UserMetadataError),
    /// An expiry that is not a positive number of whole seconds (or ends
    /// past what the clock can represent).
    #[error("expiry duration must be a positive number of whole seconds")]
    InvalidExpiry,
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// Signing with a plugin failed.
    // Requirements: R7.
    #[error(transparent)]
    Plugin(#[from] crate::plugin::PluginSignError),
    /// The content media type is empty or not a media type (checked as
    /// the reference checks it, before the blob is read).
    // Requirements: A3.
    #[error(transparent)]
    MediaType(#[from] crate::payload::MediaTypeError),
}

// Not `#[from]`: the message prints the I/O error, so it is not also the
// `source()`.
impl From<std::io::Error> for BlobSignError {
    fn from(e: std::io::Error) -> Self {
        BlobSignError::Read(e)
    }
}

/// Who signs a blob: a key notation-rs signs with (a
/// [`LocalSigner`](crate::signer::LocalSigner), a KMS behind the [`Signer`]
/// trait, a RAW plugin's
/// [`RawPluginSigner`](crate::plugin::RawPluginSigner)), or a plugin key
/// ([`PluginSigner`]), which may build the whole envelope.
#[derive(Clone, Copy)]
pub enum BlobSigner<'a> {
    /// notation-rs builds the envelope and the signer signs it.
    Signer(&'a dyn Signer),
    /// A plugin key: its metadata decides who builds the envelope.
    Plugin(&'a PluginSigner),
}

impl std::fmt::Debug for BlobSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobSigner::Signer(_) => f.write_str("BlobSigner::Signer"),
            BlobSigner::Plugin(p) => f.debug_tuple("BlobSigner::Plugin").field(p).finish(),
        }
    }
}

impl<'a> From<&'a dyn Signer> for BlobSigner<'a> {
    fn from(signer: &'a dyn Signer) -> Self {
        BlobSigner::Signer(signer)
    }
}

/// Any signer: a local key ([`LocalSigner`](crate::signer::LocalSigner)),
/// a RAW plugin's, a PKCS #11 token's, or a caller's own.
impl<'a, S: Signer> From<&'a S> for BlobSigner<'a> {
    fn from(signer: &'a S) -> Self {
        BlobSigner::Signer(signer)
    }
}

impl<'a> From<&'a PluginSigner> for BlobSigner<'a> {
    fn from(signer: &'a PluginSigner) -> Self {
        BlobSigner::Plugin(signer)
    }
}

/// Signs everything `blob` yields; returns the detached signature envelope
/// (write it next to the blob as [`signature_file_name`] names it). The
/// blob is digested with the hash of the key's algorithm, and the envelope
/// is verified with the default crypto provider before it is returned.
///
/// ```
/// use notation_core::blob::{self, BlobSignOptions};
/// use notation_core::envelope::EnvelopeFormat;
/// use notation_core::signer::LocalSigner;
///
/// # let pki = std::path::Path::new("../testdata/pki");
/// # let (key_path, chain_path) = (pki.join("ec-256.key"), pki.join("ec-256.chain.pem"));
/// let signer = LocalSigner::from_files(&key_path, &chain_path)?;
/// let options = BlobSignOptions::new(EnvelopeFormat::Cose);
/// let signature = blob::sign(&signer, &mut &b"release contents"[..], &options)?;
/// assert_eq!(EnvelopeFormat::detect(&signature), Some(EnvelopeFormat::Cose));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign<'s>(
    signer: impl Into<BlobSigner<'s>>,
    blob: &mut dyn Read,
    options: &BlobSignOptions<'_>,
) -> Result<Vec<u8>, BlobSignError> {
    let crypto = crate::crypto::default_provider();
    match signer.into() {
        BlobSigner::Signer(signer) => sign_blob(signer, blob, options, crypto.as_ref()),
        BlobSigner::Plugin(plugin) => plugin.sign_blob(blob, options, crypto.as_ref()),
    }
}

/// As [`sign`], verifying the envelope with `crypto` (the blob is digested
/// with the hash of the key's algorithm).
// Requirements: A3, G2.
pub fn sign_blob(
    signer: &dyn Signer,
    blob: &mut dyn Read,
    options: &BlobSignOptions<'_>,
    crypto: &dyn CryptoProvider,
) -> Result<Vec<u8>, BlobSignError> {
    crate::payload::check_media_type(&options.media_type)?;
    let key_spec = signer.key_spec().map_err(SignError::from)?;
    let mut descriptor = Descriptor::of_reader(
        options.media_type.clone(),
        key_spec.signature_algorithm().hash(),
        blob,
    )?;
    descriptor.add_user_metadata(&options.user_metadata)?;
    let signing_time = options.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    let expiry = envelope::expiry_time(signing_time, options.expiry)
        .map_err(|_| BlobSignError::InvalidExpiry)?;
    let request = SignRequest::new(Payload::new(descriptor).to_json(), signer)
        .signing_time(signing_time)
        .expiry(expiry)
        .timestamper(options.timestamper);
    Ok(envelope::sign(options.format, &request, crypto)?)
}

/// The detached signature file name for `blob_file_name`:
/// `<name>.<jws|cose>.sig`.
// Requirements: S1.
pub fn signature_file_name(blob_file_name: &str, format: EnvelopeFormat) -> String {
    format!("{blob_file_name}.{}.sig", format.name())
}

/// Why a signature file name does not say its format.
// Requirements: S1, W10.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureFileNameError {
    /// Not ending in `.sig`.
    #[error("invalid signature filename {0}. The file extension must be .sig")]
    NotSig(String),
    /// No format component before `.sig`.
    #[error(
        "invalid signature filename {0}. A valid signature file name must contain signature format and .sig file extension"
    )]
    NoFormat(String),
    /// A format that is neither `jws` nor `cose`.
    #[error("signature format {0:?} not supported")]
    UnknownFormat(String),
}

/// The envelope format of a detached signature file, from its name.
/// Like the reference, a name without a format component is refused; the
/// spec's "try every format" fallback is not implemented.
// Requirements: S1, W10.
pub fn format_from_signature_path(path: &Path) -> Result<EnvelopeFormat, SignatureFileNameError> {
    let name = go_base(&path.to_string_lossy());
    // The extension and the format are compared in lower case, as the
    // reference compares them (`x.JWS.SIG` is a JWS signature).
    let Some(stem) = name
        .rsplit_once('.')
        .filter(|(_, extension)| extension.to_lowercase() == "sig")
        .map(|(stem, _)| stem)
    else {
        return Err(SignatureFileNameError::NotSig(name));
    };
    let Some((_, format)) = stem.rsplit_once('.') else {
        return Err(SignatureFileNameError::NoFormat(name));
    };
    let format = format.to_lowercase();
    EnvelopeFormat::from_name(&format).ok_or(SignatureFileNameError::UnknownFormat(format))
}

/// Go's `filepath.Base` (Unix): the last element, trailing slashes
/// dropped; `.` for an empty path, `/` for one of slashes only.
fn go_base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signer of the caller's own, handed to `sign` as any other.
    #[test]
    fn any_signer_signs_blobs() {
        struct Own(crate::signer::LocalSigner);
        impl Signer for Own {
            fn key_spec(&self) -> Result<crate::algorithm::KeySpec, crate::signer::SignerError> {
                self.0.key_spec()
            }
            fn sign(
                &self,
                data: &[u8],
            ) -> Result<(Vec<u8>, Vec<crate::x509::Certificate>), crate::signer::SignerError>
            {
                self.0.sign(data)
            }
        }
        let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/pki");
        let own = Own(crate::signer::LocalSigner::from_files(
            &pki.join("ec-256.key"),
            &pki.join("ec-256.chain.pem"),
        )
        .unwrap());
        let envelope = sign(
            &own,
            &mut &b"x"[..],
            &BlobSignOptions::new(EnvelopeFormat::Jws),
        );
        assert!(envelope.is_ok_and(|e| !e.is_empty()));
    }

    #[test]
    fn s1_file_names() {
        assert_eq!(
            signature_file_name("a.txt", EnvelopeFormat::Cose),
            "a.txt.cose.sig"
        );
        assert_eq!(
            format_from_signature_path(Path::new("/x/a.txt.jws.sig")),
            Ok(EnvelopeFormat::Jws)
        );
        assert_eq!(
            format_from_signature_path(Path::new("b.cose.sig")),
            Ok(EnvelopeFormat::Cose)
        );
        assert_eq!(
            format_from_signature_path(Path::new("blobFile.txt.jws.invalid"))
                .unwrap_err()
                .to_string(),
            "invalid signature filename blobFile.txt.jws.invalid. The file extension must be .sig"
        );
        assert_eq!(
            format_from_signature_path(Path::new("blobFile.sig"))
                .unwrap_err()
                .to_string(),
            "invalid signature filename blobFile.sig. A valid signature file name must contain signature format and .sig file extension"
        );
        assert_eq!(
            format_from_signature_path(Path::new("x.invalid.sig"))
                .unwrap_err()
                .to_string(),
            "signature format \"invalid\" not supported"
        );
        // In any case, as the reference reads them.
        for (name, format) in [
            ("x.JWS.sig", EnvelopeFormat::Jws),
            ("x.jws.SIG", EnvelopeFormat::Jws),
            ("x.Cose.Sig", EnvelopeFormat::Cose),
        ] {
            assert_eq!(format_from_signature_path(Path::new(name)), Ok(format));
        }
        // Named as Go's `filepath.Base` names them.
        assert_eq!(
            format_from_signature_path(Path::new(""))
                .unwrap_err()
                .to_string(),
            "invalid signature filename .. The file extension must be .sig"
        );
        assert_eq!(go_base("a/b.jws.sig/"), "b.jws.sig");
        assert_eq!(go_base("a/.."), "..");
        assert_eq!(go_base("//"), "/");
        assert_eq!(
            format_from_signature_path(Path::new("x.JWT.sig")),
            Err(SignatureFileNameError::UnknownFormat("jwt".into()))
        );
    }
}
