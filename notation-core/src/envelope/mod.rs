//! Signature envelopes: JWS and COSE_Sign1.
//!
//! Both formats carry the same signed and unsigned attributes; this
//! module holds what they share: the attribute model, the sign request, the
//! checks every envelope must pass after its signature verified, and the
//! entry points that dispatch on the media type.
//!
//! Parsing ([`Envelope::parse`]) only decodes the outer structure; the
//! payload and attributes are read by [`Envelope::verify`] after the
//! signature checks out, or by [`Envelope::content_unverified`] for
//! `inspect`.
// Requirements: C1-C8, D1-D7, B, E, B2-B4, H, A7.

pub mod cose;
pub mod jws;

use std::fmt;

use time::OffsetDateTime;

use crate::algorithm::{KeySpec, SignatureAlgorithm};
use crate::crypto::CryptoProvider;
use crate::signer::{Signer, SignerError};
use crate::x509::chain::{ChainError, validate_code_signing_chain};

/// How an envelope's certificates are parsed: [`Certificate::from_der`], or
/// through a verifier's cache of parsed certificates.
pub(crate) type ParseCertificate<'a> =
    &'a dyn Fn(&[u8]) -> Result<Certificate, CertificateParseError>;
use crate::x509::{Certificate, CertificateParseError};

/// Largest envelope accepted, as the reference limits signature blobs.
// Requirements: U.
pub const MAX_ENVELOPE_SIZE: usize = 32 * 1024 * 1024;

/// Most certificates accepted in one envelope chain: far above any real
/// chain, low enough that a hostile envelope cannot make us parse thousands.
pub const MAX_CHAIN_LENGTH: usize = 32;

/// Protected header names shared by both formats.
pub mod header {
    /// The signing scheme.
    // Requirements: B1.
    pub const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
    /// The signing time of `notary.x509`.
    // Requirements: B2.
    pub const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
    /// The authentic signing time of `notary.x509.signingAuthority`.
    // Requirements: B2.
    pub const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
    /// Expiry.
    // Requirements: B3.
    pub const EXPIRY: &str = "io.cncf.notary.expiry";
    /// The RFC 3161 countersignature.
    // Requirements: C6, D5, W2.
    pub const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
    /// The signing agent.
    // Requirements: E3.
    pub const SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";
    /// The verification plugin name.
    // Requirements: B6.
    pub const VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
    /// The verification plugin minimum version.
    // Requirements: B6.
    pub const VERIFICATION_PLUGIN_MIN_VERSION: &str = "io.cncf.notary.verificationPluginMinVersion";
}

/// The two envelope formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvelopeFormat {
    /// JWS JSON serialization, `application/jose+json`.
    Jws,
    /// COSE_Sign1, `application/cose`.
    Cose,
}

impl EnvelopeFormat {
    /// Media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Jws => "application/jose+json",
            Self::Cose => "application/cose",
        }
    }

    /// The format of a media type.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/jose+json" => Some(Self::Jws),
            "application/cose" => Some(Self::Cose),
            _ => None,
        }
    }

    /// The format name used in CLI flags and blob signature file names
    /// (`jws`, `cose`).
    // Requirements: S1.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jws => "jws",
            Self::Cose => "cose",
        }
    }

    /// The format of an envelope, from its first bytes: a JWS JSON
    /// serialization is a JSON object (`{`, after optional whitespace), a
    /// COSE_Sign1 a CBOR array of four items (`0x84`), tagged 18 (`0xd2`)
    /// as Notation writes it or untagged. Nothing is parsed or verified:
    /// the envelope is still checked in full by whoever parses it.
    ///
    /// ```
    /// use notation_core::envelope::EnvelopeFormat;
    /// assert_eq!(EnvelopeFormat::detect(b" {\"payload\": \"\"}"), Some(EnvelopeFormat::Jws));
    /// assert_eq!(EnvelopeFormat::detect(&[0xd2, 0x84, 0x58]), Some(EnvelopeFormat::Cose));
    /// assert_eq!(EnvelopeFormat::detect(b"-----BEGIN"), None);
    /// ```
    pub fn detect(envelope: &[u8]) -> Option<Self> {
        match envelope.first()? {
            0xd2 | 0x84 => Some(Self::Cose),
            _ => match envelope.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => Some(Self::Jws),
                _ => None,
            },
        }
    }

    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "jws" => Some(Self::Jws),
            "cose" => Some(Self::Cose),
            _ => None,
        }
    }
}

impl fmt::Display for EnvelopeFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The signing scheme.
// Requirements: B1, F.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SigningScheme {
    /// `notary.x509`: trust via `ca` stores, optional RFC 3161 timestamp.
    X509,
    /// `notary.x509.signingAuthority`: trust via `signingAuthority` stores,
    /// signed authentic signing time.
    X509SigningAuthority,
}

impl SigningScheme {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::X509 => "notary.x509",
            Self::X509SigningAuthority => "notary.x509.signingAuthority",
        }
    }

    /// Parses the header value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "notary.x509" => Some(Self::X509),
            "notary.x509.signingAuthority" => Some(Self::X509SigningAuthority),
            _ => None,
        }
    }

    /// The protected header carrying this scheme's time.
    // Requirements: B2.
    pub fn time_header(self) -> &'static str {
        match self {
            Self::X509 => header::SIGNING_TIME,
            Self::X509SigningAuthority => header::AUTHENTIC_SIGNING_TIME,
        }
    }
}

impl fmt::Display for SigningScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key of an extended attribute: JWS and COSE text labels, or a COSE
/// integer label.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttributeKey {
    /// A text label.
    Text(String),
    /// A COSE integer label.
    Int(i64),
}

impl fmt::Display for AttributeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeKey::Text(s) => f.write_str(s),
            AttributeKey::Int(i) => write!(f, "{i}"),
        }
    }
}

impl From<&str> for AttributeKey {
    fn from(s: &str) -> Self {
        AttributeKey::Text(s.to_string())
    }
}

/// A signed attribute outside the Notary set.
// Requirements: B5, B6.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtendedAttribute {
    /// The header name or label.
    pub key: AttributeKey,
    /// Whether the `crit` header lists it.
    pub critical: bool,
    /// The value (COSE values are mapped to JSON).
    pub value: serde_json::Value,
}

impl ExtendedAttribute {
    /// A text-keyed attribute.
    pub fn new(key: impl Into<String>, value: serde_json::Value, critical: bool) -> Self {
        Self {
            key: AttributeKey::Text(key.into()),
            critical,
            value,
        }
    }
}

/// The signed attributes.
// Requirements: B.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedAttributes {
    /// Payload content type.
    // Requirements: B4.
    pub content_type: String,
    /// Signing scheme.
    // Requirements: B1.
    pub signing_scheme: SigningScheme,
    /// Signing time, or authentic signing time for `signingAuthority`.
    // Requirements: B2.
    pub signing_time: OffsetDateTime,
    /// Expiry.
    // Requirements: B3.
    pub expiry: Option<OffsetDateTime>,
    /// Other protected headers, in encoded order.
    pub extended: Vec<ExtendedAttribute>,
}

impl SignedAttributes {
    /// The authentic signing time, only for `signingAuthority`.
    // Requirements: F3.
    pub fn authentic_signing_time(&self) -> Option<OffsetDateTime> {
        (self.signing_scheme == SigningScheme::X509SigningAuthority).then_some(self.signing_time)
    }

    /// A critical extended attribute with a string value, as the
    /// verification plugin headers must be.
    pub fn critical_string(&self, key: &str) -> Option<Result<&str, String>> {
        let attr = self
            .extended
            .iter()
            .find(|a| a.key == AttributeKey::Text(key.to_string()))?;
        if !attr.critical {
            return Some(Err(format!("{key} is not a critical Extended attribute")));
        }
        Some(
            attr.value
                .as_str()
                .ok_or_else(|| format!("{key} from extended attribute is not a string")),
        )
    }
}

/// The unsigned attributes.
// Requirements: E.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnsignedAttributes {
    /// Signing agent.
    // Requirements: E3.
    pub signing_agent: Option<String>,
    /// RFC 3161 TimeStampToken DER.
    // Requirements: E2.
    pub timestamp_signature: Option<Vec<u8>>,
}

/// Everything about the signature except the payload.
#[derive(Clone, Debug)]
pub struct SignerInfo {
    /// Signed attributes.
    pub signed: SignedAttributes,
    /// Unsigned attributes.
    pub unsigned: UnsignedAttributes,
    /// The declared signature algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// The primitive signature (what a timestamp countersigns).
    // Requirements: O1.
    pub signature: Vec<u8>,
    /// The certificate chain, leaf first.
    // Requirements: E1.
    pub certificate_chain: Vec<Certificate>,
}

impl SignerInfo {
    /// The leaf certificate.
    ///
    /// # Panics
    ///
    /// When the chain is empty, which only the content of an envelope that
    /// has not been verified can be (a JWS envelope without `x5c`, as
    /// [`Envelope::content_unverified`] reads it): use
    /// [`SignerInfo::try_leaf`] for such content.
    pub fn leaf(&self) -> &Certificate {
        &self.certificate_chain[0]
    }

    /// The leaf certificate, if the chain has one.
    pub fn try_leaf(&self) -> Option<&Certificate> {
        self.certificate_chain.first()
    }
}

/// An envelope's payload and signer information.
#[derive(Clone, Debug)]
pub struct EnvelopeContent {
    /// Signer information.
    pub signer_info: SignerInfo,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl EnvelopeContent {
    /// The payload's content type.
    // Requirements: B4.
    pub fn payload_content_type(&self) -> &str {
        &self.signer_info.signed.content_type
    }
}

/// Why an envelope could not be read or did not verify. Display texts follow
/// notation-core-go.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// A media type that is neither JWS nor COSE.
    #[error("signature envelope format with media type {0:?} is not supported")]
    UnsupportedMediaType(String),
    /// Bytes that are not an envelope of the format.
    #[error("{0}")]
    Malformed(String),
    /// Over [`MAX_ENVELOPE_SIZE`].
    #[error("signature envelope of {0} bytes exceeds the limit of {MAX_ENVELOPE_SIZE} bytes")]
    TooLarge(usize),
    /// A header or attribute that breaks the rules.
    // Requirements: B, C3-C6, D2-D5.
    #[error("{0}")]
    InvalidSignature(String),
    /// The signature does not verify.
    #[error("signature is invalid. Error: {0}")]
    Integrity(String),
    /// No certificate chain.
    #[error("certificate chain is not present")]
    MissingCertificateChain,
    /// A certificate that does not parse.
    #[error("{0}")]
    Certificate(CertificateParseError),
    /// The chain breaks the certificate rules.
    // Requirements: H.
    #[error("certificate-chain is invalid, {0}")]
    CertificateChain(ChainError),
    /// The declared algorithm is not the one the leaf key implies. The
    /// message is the reference's, which gives each algorithm by its number
    /// (1 to 6: PS256, PS384, PS512, ES256, ES384, ES512) and ends the second
    /// with a stray `s`; the fields carry the algorithms themselves.
    // Requirements: C5, D4. notation-core-go formats its Algorithm, an int
    // without a String method, with "(%v) ... (%vs)".
    #[error(
        "mismatch between signature algorithm derived from signing certificate ({}) and signing algorithm specified ({}s)",
        .derived.go_number(),
        .specified.go_number()
    )]
    AlgorithmMismatch {
        /// From the leaf key.
        derived: SignatureAlgorithm,
        /// From the envelope.
        specified: SignatureAlgorithm,
    },
    /// The leaf key is none of the six key specs.
    // Requirements: G3.
    #[error("{0}")]
    UnsupportedKey(crate::algorithm::UnsupportedKeyError),
    /// The payload content type is not the Notary payload.
    // Requirements: B4.
    #[error("payload content type {0:?} not supported")]
    UnsupportedContentType(String),
}

/// A parsed, not yet verified envelope.
#[derive(Clone, Debug)]
pub enum Envelope {
    /// A JWS envelope.
    Jws(jws::JwsEnvelope),
    /// A COSE envelope.
    Cose(Box<cose::CoseEnvelope>),
}

impl Envelope {
    /// Parses envelope bytes of a given format. Only the outer structure is
    /// decoded.
    pub fn parse(format: EnvelopeFormat, bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_SIZE {
            return Err(EnvelopeError::TooLarge(bytes.len()));
        }
        match format {
            EnvelopeFormat::Jws => jws::JwsEnvelope::parse(bytes).map(Envelope::Jws),
            EnvelopeFormat::Cose => {
                cose::CoseEnvelope::parse(bytes).map(|e| Envelope::Cose(Box::new(e)))
            }
        }
    }

    /// Parses envelope bytes of the given media type.
    // Requirements: N2.
    pub fn parse_media_type(media_type: &str, bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let format = EnvelopeFormat::from_media_type(media_type)
            .ok_or_else(|| EnvelopeError::UnsupportedMediaType(media_type.to_string()))?;
        Self::parse(format, bytes)
    }

    /// The envelope format.
    pub fn format(&self) -> EnvelopeFormat {
        match self {
            Envelope::Jws(_) => EnvelopeFormat::Jws,
            Envelope::Cose(_) => EnvelopeFormat::Cose,
        }
    }

    /// Verifies the signature with the leaf certificate, then reads and
    /// checks the content: attribute rules, certificate chain rules (without
    /// validity times), algorithm consistency and content type. This is
    /// the integrity check of the verification procedure.
    // Requirements: H8, N2, M3.
    pub fn verify(&self, crypto: &dyn CryptoProvider) -> Result<EnvelopeContent, EnvelopeError> {
        self.verify_parsing(crypto, &Certificate::from_der)
    }

    /// As [`Envelope::verify`], parsing the chain's certificates with
    /// `parse` (a verifier's cache of parsed certificates).
    pub(crate) fn verify_parsing(
        &self,
        crypto: &dyn CryptoProvider,
        parse: ParseCertificate<'_>,
    ) -> Result<EnvelopeContent, EnvelopeError> {
        let content = match self {
            Envelope::Jws(e) => e.verify(crypto, parse)?,
            Envelope::Cose(e) => e.verify(crypto, parse)?,
        };
        validate_content(&content, None, crypto)?;
        if content.signer_info.signed.content_type != crate::payload::PAYLOAD_MEDIA_TYPE {
            return Err(EnvelopeError::UnsupportedContentType(
                content.signer_info.signed.content_type,
            ));
        }
        Ok(content)
    }

    /// The bytes the signature covers: the JWS signing input or the COSE
    /// `Sig_structure`.
    // Requirements: D6.
    pub fn signing_input(&self) -> Result<Vec<u8>, EnvelopeError> {
        match self {
            Envelope::Jws(e) => Ok(e.signing_input()),
            Envelope::Cose(e) => e.signing_input(),
        }
    }

    /// Each extended signed attribute, in the order of
    /// [`SignedAttributes::extended`], with its value as the reference
    /// CLI's `inspect` prints it: Go's `fmt.Sprint` of the value
    /// notation-core-go decoded. A JWS value is JSON as Go decodes it
    /// (numbers are float64s: `1e+06`); a COSE value is the CBOR item as
    /// go-cose decodes it (integers stay integers, a byte string prints as
    /// `[1 2 3]`, a tag as `{6 text}`, a map with its keys sorted).
    /// Nothing is verified: for display only.
    pub fn extended_attribute_texts(&self) -> Result<Vec<(AttributeKey, String)>, EnvelopeError> {
        match self {
            Envelope::Jws(e) => e.extended_attribute_texts(),
            Envelope::Cose(e) => Ok(e.extended_attribute_texts()),
        }
    }

    /// Reads the content without verifying anything: for display only.
    pub fn content_unverified(&self) -> Result<EnvelopeContent, EnvelopeError> {
        match self {
            Envelope::Jws(e) => e.content(),
            Envelope::Cose(e) => e.content(),
        }
    }
}

/// The checks every envelope's content must pass (notation-core-go
/// `validateEnvelopeContent`): non-empty payload and signature, expiry after
/// signing time, chain rules, algorithm derived from the leaf equal
/// to the declared one. `signing_time` is checked against the chain
/// when signing.
// Requirements: B3, H, C5, D4, H8.
pub(crate) fn validate_content(
    content: &EnvelopeContent,
    signing_time: Option<OffsetDateTime>,
    crypto: &dyn CryptoProvider,
) -> Result<(), EnvelopeError> {
    validate_fields(content)?;
    validate_signer_chain(&content.signer_info, signing_time, crypto)
}

/// The content's checks other than the chain's: a payload, a signature,
/// an expiry after the signing time.
fn validate_fields(content: &EnvelopeContent) -> Result<(), EnvelopeError> {
    if content.payload.is_empty() {
        return Err(EnvelopeError::InvalidSignature(
            "content not present".into(),
        ));
    }
    let info = &content.signer_info;
    if info.signature.is_empty() {
        return Err(EnvelopeError::InvalidSignature(
            "signature not present or is empty".into(),
        ));
    }
    validate_times(info.signed.signing_time, info.signed.expiry)
}

/// The signer's certificate chain: present, a code-signing chain (valid at
/// `signing_time` when given), and a leaf whose key implies the declared
/// signature algorithm.
// Requirements: H, C5, D4 (notation-core-go's validateCertificateChain).
fn validate_signer_chain(
    info: &SignerInfo,
    signing_time: Option<OffsetDateTime>,
    crypto: &dyn CryptoProvider,
) -> Result<(), EnvelopeError> {
    if info.certificate_chain.is_empty() {
        return Err(EnvelopeError::InvalidSignature(
            "certificate-chain not present or is empty".into(),
        ));
    }
    validate_code_signing_chain(&info.certificate_chain, signing_time, crypto)
        .map_err(EnvelopeError::CertificateChain)?;
    let derived = info
        .leaf()
        .key_spec()
        .map_err(EnvelopeError::UnsupportedKey)?
        .signature_algorithm();
    if derived != info.signature_algorithm {
        return Err(EnvelopeError::AlgorithmMismatch {
            derived,
            specified: info.signature_algorithm,
        });
    }
    Ok(())
}

/// Go's zero `time.Time`: a header time equal to it counts as absent in the
/// reference (`time.Time.IsZero`).
pub(crate) const GO_ZERO_TIME: OffsetDateTime = time::macros::datetime!(0001-01-01 0:00 UTC);

fn validate_times(
    signing_time: OffsetDateTime,
    expiry: Option<OffsetDateTime>,
) -> Result<(), EnvelopeError> {
    if signing_time == GO_ZERO_TIME {
        return Err(EnvelopeError::InvalidSignature(
            "signing-time not present".into(),
        ));
    }
    if let Some(expiry) = expiry
        && expiry <= signing_time
    {
        return Err(EnvelopeError::InvalidSignature(
            "expiry cannot be equal or before the signing time".into(),
        ));
    }
    Ok(())
}

/// What to sign and how. Create with [`SignRequest::new`], then set options.
#[derive(Clone)]
pub struct SignRequest<'a> {
    pub(crate) payload: Vec<u8>,
    pub(crate) content_type: String,
    pub(crate) signer: &'a dyn Signer,
    pub(crate) signing_time: OffsetDateTime,
    pub(crate) expiry: Option<OffsetDateTime>,
    pub(crate) signing_scheme: SigningScheme,
    pub(crate) signing_agent: Option<String>,
    pub(crate) extended: Vec<ExtendedAttribute>,
    pub(crate) timestamper: Option<&'a dyn crate::timestamp::Timestamper>,
}

impl fmt::Debug for SignRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignRequest")
            .field("content_type", &self.content_type)
            .field("signing_time", &self.signing_time)
            .field("expiry", &self.expiry)
            .field("signing_scheme", &self.signing_scheme)
            .field("signing_agent", &self.signing_agent)
            .field("extended", &self.extended)
            .field("timestamper", &self.timestamper.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> SignRequest<'a> {
    /// Signs `payload` (the Notary payload JSON) with `signer`, scheme
    /// `notary.x509`, signing time now, the signer's signing agent.
    // Requirements: E3.
    pub fn new(payload: Vec<u8>, signer: &'a dyn Signer) -> Self {
        let signing_agent = signer
            .signing_agent()
            .unwrap_or_else(|| crate::SIGNING_AGENT.to_string());
        Self {
            payload,
            content_type: crate::payload::PAYLOAD_MEDIA_TYPE.to_string(),
            signer,
            signing_time: OffsetDateTime::now_utc(),
            expiry: None,
            signing_scheme: SigningScheme::X509,
            signing_agent: Some(signing_agent),
            extended: Vec::new(),
            timestamper: None,
        }
    }

    /// Sets the signing time (truncated to whole seconds when signing).
    // Requirements: B7.
    pub fn signing_time(mut self, t: OffsetDateTime) -> Self {
        self.signing_time = t;
        self
    }

    /// Sets an expiry.
    // Requirements: B3.
    pub fn expiry(mut self, t: Option<OffsetDateTime>) -> Self {
        self.expiry = t;
        self
    }

    /// Sets the signing scheme.
    pub fn signing_scheme(mut self, s: SigningScheme) -> Self {
        self.signing_scheme = s;
        self
    }

    /// Sets or clears the signing agent.
    // Requirements: E3.
    pub fn signing_agent(mut self, agent: Option<String>) -> Self {
        self.signing_agent = agent;
        self
    }

    /// Sets the payload content type (only tests need anything but the
    /// Notary payload type).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// Adds an extended signed attribute.
    pub fn extended_attribute(mut self, attr: ExtendedAttribute) -> Self {
        self.extended.push(attr);
        self
    }

    /// Requests an RFC 3161 countersignature; only used with
    /// `notary.x509`.
    // Requirements: O1.
    pub fn timestamper(
        mut self,
        timestamper: Option<&'a dyn crate::timestamp::Timestamper>,
    ) -> Self {
        self.timestamper = timestamper;
        self
    }
}

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The request is not valid (empty payload, expiry not after signing
    /// time, duplicate attributes...).
    #[error("invalid sign request: {0}")]
    InvalidRequest(String),
    /// The signer failed.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The key is not one of the six key specs.
    #[error("{0}")]
    UnsupportedKey(crate::algorithm::UnsupportedKeyError),
    /// The envelope made does not read back (an empty signature from the
    /// signer, say), its certificate chain breaks the certificate rules at
    /// the signing time, or its leaf key does not imply the signature
    /// algorithm. These are checked before the signature is verified, as
    /// the reference checks them, and reported as they are.
    // Requirements: H8, C5 (notation-core-go's base Envelope.Sign).
    #[error("{0}")]
    Envelope(EnvelopeError),
    /// The signature produced does not pass verification.
    // Requirements: H8.
    #[error("generated signature failed verification: {0}")]
    Verification(EnvelopeError),
    /// Timestamping failed (any failure fails signing).
    // Requirements: O1.
    #[error("timestamp: {0}")]
    Timestamp(crate::timestamp::TimestampError),
}

/// Signs a request into envelope bytes of `format`.
///
/// The signing and expiry times are truncated to seconds; the produced
/// envelope is verified and its chain checked at the signing time
/// before it is returned, so a faulty signer cannot produce an envelope that
/// would not verify.
// Requirements: B7, H8.
pub fn sign(
    format: EnvelopeFormat,
    request: &SignRequest<'_>,
    crypto: &dyn CryptoProvider,
) -> Result<Vec<u8>, SignError> {
    let signing_time = truncate_seconds(request.signing_time);
    let expiry = request.expiry.map(truncate_seconds);
    if request.payload.is_empty() {
        return Err(SignError::InvalidRequest("content not present".into()));
    }
    validate_times(signing_time, expiry).map_err(|e| SignError::InvalidRequest(e.to_string()))?;
    let key_spec: KeySpec = request.signer.key_spec()?;
    let req = SignRequest {
        signing_time,
        expiry,
        ..request.clone()
    };
    let bytes = match format {
        EnvelopeFormat::Jws => jws::sign(&req, key_spec)?,
        EnvelopeFormat::Cose => cose::sign(&req, key_spec)?,
    };
    // The reference reads the envelope back and checks the chain while
    // signing, and verifies the signature after: a chain that breaks the
    // rules is reported as such, even when the signature does not verify
    // either.
    let envelope = Envelope::parse(format, &bytes).map_err(SignError::Envelope)?;
    let unverified = envelope.content_unverified().map_err(SignError::Envelope)?;
    validate_signer_chain(&unverified.signer_info, Some(signing_time), crypto)
        .map_err(SignError::Envelope)?;
    let content = match &envelope {
        Envelope::Jws(e) => e.verify(crypto, &Certificate::from_der),
        Envelope::Cose(e) => e.verify(crypto, &Certificate::from_der),
    }
    .map_err(SignError::Verification)?;
    // The chain was checked above, at the signing time.
    validate_fields(&content).map_err(SignError::Verification)?;
    Ok(bytes)
}

/// A signature expiry that is not a positive number of whole seconds, or
/// that ends past the last time a signature can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expiry duration must be a positive number of whole seconds")]
pub struct InvalidExpiry;

/// Checks a signature's expiry duration (`None`: the signature does not
/// expire): a positive number of whole seconds.
pub fn check_expiry(
    expiry: Option<time::Duration>,
) -> Result<Option<time::Duration>, InvalidExpiry> {
    match expiry {
        None => Ok(None),
        Some(d) if d.is_positive() && d.subsec_nanoseconds() == 0 => Ok(Some(d)),
        Some(_) => Err(InvalidExpiry),
    }
}

/// When a signature made at `signing_time` that expires `expiry` later
/// expires ([`check_expiry`], and an end the clock can represent).
pub fn expiry_time(
    signing_time: OffsetDateTime,
    expiry: Option<time::Duration>,
) -> Result<Option<OffsetDateTime>, InvalidExpiry> {
    check_expiry(expiry)?
        .map(|d| signing_time.checked_add(d).ok_or(InvalidExpiry))
        .transpose()
}

/// Truncates to whole seconds.
// Requirements: B7.
pub fn truncate_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).expect("0 ns is valid")
}

/// Signs with the signer and returns the signature and the chain, checking
/// the chain is present and bounded.
pub(crate) fn sign_bytes(
    signer: &dyn Signer,
    data: &[u8],
) -> Result<(Vec<u8>, Vec<Certificate>), SignError> {
    let (sig, chain) = signer.sign(data)?;
    if chain.is_empty() {
        return Err(SignError::InvalidRequest(
            "certificate chain is not set".into(),
        ));
    }
    Ok((sig, chain))
}
