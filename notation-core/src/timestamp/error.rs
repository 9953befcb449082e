//! Errors of the timestamp module, layered by step: parsing the CMS
//! structure, reading the TSTInfo, checking it against the message,
//! verifying the token, and the request/response exchange.
//!
//! Every `Display` text follows the Go reference (tspclient-go) so that
//! Notation's messages and golden outputs can be reproduced; the variants
//! carry the facts behind the text.

use const_oid::ObjectIdentifier;
use time::OffsetDateTime;

use super::asn1::Asn1Error;
use crate::crypto::SignatureVerificationError;
use crate::timefmt;
use crate::x509::chain::ChainError;

/// Why a timestamp could not be obtained, parsed or verified.
///
/// The variants follow the steps of RFC 3161 verification, so that a
/// caller can prefix each the way Notation does ("failed to parse timestamp
/// countersignature with error: …", "failed to verify the timestamp
/// countersignature with error: …", …).
// Requirements: O3.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The input is larger than this module accepts.
    #[error("{what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// What was too large ("timestamp token", "timestamp response").
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The token is not a well-formed CMS SignedData.
    #[error(transparent)]
    Cms(#[from] CmsParseError),
    /// The SignedData does not encapsulate a TSTInfo.
    #[error(
        "unexpected content type: {found}. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)"
    )]
    UnexpectedContentType {
        /// The eContentType found.
        found: ObjectIdentifier,
    },
    /// The encapsulated TSTInfo cannot be decoded.
    #[error("cannot unmarshal TSTInfo from timestamp token: {0}")]
    TstInfoSyntax(Asn1Error),
    /// The TSTInfo is decoded but not acceptable for the message.
    #[error("invalid TSTInfo: {0}")]
    InvalidTstInfo(TstInfoError),
    /// The token's signature, signer or certificate chain does not verify.
    #[error("failed to verify signed token: {0}")]
    Verification(TokenVerificationError),
    /// The verified TSA chain breaks the certificate rules.
    // Requirements: H4, H1.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A request cannot be built.
    #[error("malformed timestamping request: {0}")]
    MalformedRequest(RequestError),
    /// The TSA's response cannot be decoded.
    #[error("{0}")]
    MalformedResponse(Asn1Error),
    /// The TSA's response is decoded but not acceptable.
    #[error("invalid timestamping response: {0}")]
    InvalidResponse(ResponseError),
    /// The transport behind a [`Timestamper`](super::Timestamper) failed
    /// (network, HTTP status, content type).
    #[error("{0}")]
    Transport(String),
    /// At signing, the TSA's certificate chain is revoked, or its
    /// revocation status is unknown or could not be checked: the token is
    /// not used.
    #[error(transparent)]
    Revocation(#[from] TsaRevocationError),
}

/// Why a TSA's certificate chain failed its revocation check at signing
/// (the reference's texts).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TsaRevocationError {
    /// A certificate of the chain is revoked.
    #[error("timestamping certificate with subject {subject:?} is revoked")]
    Revoked {
        /// The revoked certificate's subject.
        subject: String,
    },
    /// The status of a certificate of the chain could not be determined
    /// (no responder answered, no valid CRL).
    #[error("timestamping certificate with subject {subject:?} revocation status is unknown")]
    Unknown {
        /// The certificate's subject.
        subject: String,
    },
    /// The check itself failed.
    #[error(
        "failed to validate the revocation status of timestamping certificate chain with error: {0}"
    )]
    Check(String),
}

/// Why bytes are not a CMS SignedData (RFC 5652 §5) as a timestamp token
/// must be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsParseError {
    /// Not even well-formed BER (the reference's first step).
    #[error("cms: syntax error: invalid signed data: failed to convert from BER to DER: {0}")]
    Ber(Asn1Error),
    /// The outer ContentInfo cannot be decoded.
    #[error("cms: syntax error: invalid content info: failed to unmarshal DER to ContentInfo: {0}")]
    ContentInfo(Asn1Error),
    /// The ContentInfo holds something other than SignedData.
    #[error("cms: content type is not signed-data")]
    NotSignedData,
    /// The SignedData cannot be decoded.
    #[error("cms: syntax error: invalid signed data: {0}")]
    SignedData(Asn1Error),
    /// SignedData version other than 3 (RFC 3161 tokens encapsulate a
    /// non-data content type).
    #[error("cms: syntax error: unsupported signed data version: got {0}, want 3")]
    Version(i64),
    /// The certificates field holds something that is not an X.509
    /// certificate.
    #[error(
        "cms: syntax error: failed to parse X.509 certificates from signed data. Only X.509 certificates are supported: {0}"
    )]
    Certificate(String),
    /// Revocation information in the `crls` field: the reference decodes
    /// it into Go's `x509.RevocationList`, which no CRL fits, so a token
    /// that carries any fails to parse there.
    #[error(
        "cms: syntax error: invalid signed data: revocation information (crls) is not supported"
    )]
    RevocationInfo,
    /// A SignerInfo identifies its certificate by subject key identifier:
    /// the reference reads `issuerAndSerialNumber` only, and fails to parse
    /// the token otherwise.
    #[error(
        "cms: syntax error: invalid signed data: a signer identified by subject key identifier is not supported, only by issuer and serial number"
    )]
    SubjectKeyIdentifier,
    /// More certificates than [`MAX_CERTIFICATES`](super::MAX_CERTIFICATES).
    #[error("cms: syntax error: too many certificates in signed data: {count} (limit {limit})")]
    TooManyCertificates {
        /// Certificates found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More SignerInfos than [`MAX_SIGNER_INFOS`](super::MAX_SIGNER_INFOS).
    #[error("cms: syntax error: too many signer infos in signed data: {count} (limit {limit})")]
    TooManySignerInfos {
        /// SignerInfos found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More signed attributes than
    /// [`MAX_SIGNED_ATTRIBUTES`](super::MAX_SIGNED_ATTRIBUTES).
    #[error("cms: syntax error: too many signed attributes: {count} (limit {limit})")]
    TooManyAttributes {
        /// Attributes found.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

/// Why a decoded TSTInfo does not timestamp the given message.
// Requirements: O3, O4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TstInfoError {
    /// `version` other than 1.
    #[error("timestamp token info version must be 1, but got {0}")]
    Version(i64),
    /// The imprint hash is not SHA-256/384/512 (SHA-1 included).
    #[error("unrecognized hash algorithm: {0}")]
    UnrecognizedHashAlgorithm(ObjectIdentifier),
    /// The imprint is not the hash of the message.
    #[error("mismatched message")]
    MismatchedMessage,
    /// genTime ± accuracy leaves the representable time range.
    #[error("timestamp range out of bounds: genTime {} with accuracy {accuracy}", timefmt::rfc3339_nano(*gen_time))]
    RangeOutOfBounds {
        /// genTime.
        gen_time: OffsetDateTime,
        /// The accuracy.
        accuracy: time::Duration,
    },
}

/// Why a signed attribute could not be read (the reference's
/// `Attributes.Get`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttributeError {
    /// No attribute of that type.
    #[error("attribute not found")]
    NotFound,
    /// The attribute value does not decode.
    #[error("{0}")]
    Malformed(Asn1Error),
}

/// Why a timestamp token does not verify (tspclient-go `SignedToken.Verify`).
/// Displayed after "failed to verify signed token: ".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenVerificationError {
    /// The token has no SignerInfo.
    #[error("signerInfo not found")]
    NoSignerInfo,
    /// No TSA root certificates were given.
    #[error("tsa root certificate pool cannot be nil")]
    NoRoots,
    /// The signing-certificate-v2 attribute is missing or malformed (ESSCertID
    /// v1 alone is not accepted).
    #[error("failed to get SigningCertificateV2 from signed attributes: {0}")]
    SigningCertificateAttribute(AttributeError),
    /// The signing-certificate-v2 attribute lists no certificate.
    #[error("signingCertificateV2 does not contain any certificate")]
    SigningCertificateEmpty,
    /// IssuerSerial present without a directoryName issuer.
    #[error("issuer name is missing in IssuerSerial")]
    IssuerNameMissing,
    /// IssuerSerial's issuer name does not decode.
    #[error("failed to unmarshal issuer name: {0}")]
    IssuerName(Asn1Error),
    /// No certificate in the token matches the signer's identifier.
    #[error("signing certificate not found in the timestamp token")]
    SigningCertificateNotFound,
    /// ESSCertIDv2 hash algorithm other than SHA-256/384/512.
    #[error("unsupported certificate hash algorithm in SigningCertificateV2 attribute")]
    UnsupportedCertHashAlgorithm(ObjectIdentifier),
    /// ESSCertIDv2 hash differs from the signing certificate's.
    #[error("signing certificate hash does not match CertHash in signed attribute")]
    CertHashMismatch,
    /// The CMS-level verification failed.
    #[error("cms verification failure: {0}")]
    Cms(CmsVerificationError),
    /// The signing certificate's EKU is not exactly timeStamping (RFC 3161
    /// §2.3).
    // Requirements: H4.
    #[error(
        "signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage"
    )]
    SigningCertificateEku,
    /// The signing certificate's EKU extension is not critical.
    // Requirements: H4.
    #[error("signing certificate extended key usage extension must be set as critical")]
    SigningCertificateEkuNotCritical,
}

/// Why one SignerInfo does not verify (tspclient-go `cms.VerificationError`).
/// Displayed after "cms verification failure: ".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsVerificationError {
    /// SignerInfo version other than 1 (only issuerAndSerialNumber signer
    /// identifiers are supported).
    #[error("invalid signer info version: only version 1 is supported; got {0}")]
    SignerVersion(i64),
    /// The signing certificate does not chain to a root at the verification
    /// time.
    #[error("{0}")]
    Chain(PathError),
    /// The digest/signature algorithm pair is unknown or insecure.
    #[error("unknown signature algorithm")]
    UnknownSignatureAlgorithm,
    /// The signature does not verify.
    #[error("{0}")]
    Signature(SignatureVerificationError),
    /// No signed attributes (RFC 3161 requires them).
    #[error("missing signed attributes")]
    MissingSignedAttributes,
    /// The content-type attribute is missing or malformed.
    #[error("invalid content type: {0}")]
    ContentTypeAttribute(AttributeError),
    /// The content-type attribute differs from eContentType.
    #[error(
        "mismatch content type: found \"{found}\" in signer info, and \"{expected}\" in signed data"
    )]
    ContentTypeMismatch {
        /// The attribute's value.
        found: ObjectIdentifier,
        /// eContentType.
        expected: ObjectIdentifier,
    },
    /// The message-digest attribute is missing or malformed.
    #[error("invalid message digest: {0}")]
    MessageDigestAttribute(AttributeError),
    /// The SignerInfo digest algorithm is not SHA-256/384/512.
    #[error("unsupported digest algorithm")]
    UnsupportedDigestAlgorithm(ObjectIdentifier),
    /// The message-digest attribute is not the hash of the content.
    #[error("mismatch message digest")]
    MessageDigestMismatch,
    /// The signing-time attribute is malformed.
    #[error("invalid signing time: {0}")]
    SigningTimeAttribute(AttributeError),
    /// The signing-time attribute lies outside the chain's validity.
    #[error("signing time, {}, is outside certificate's validity period", timefmt::go_utc_string(*.0))]
    SigningTimeOutsideValidity(OffsetDateTime),
}

/// Why no certificate chain could be built from the signing certificate to a
/// TSA root (Go's `x509.Certificate.Verify`, whose texts these are).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No path to any of the roots.
    #[error("x509: certificate signed by unknown authority{}", match hint {
        Some((err, name)) => format!(" (possibly because of {err:?} while trying to verify candidate authority certificate {name:?})"),
        None => String::new(),
    })]
    UnknownAuthority {
        /// The first candidate issuer that failed and why (error, name).
        hint: Option<(String, String)>,
    },
    /// A certificate is not yet valid at the verification time.
    #[error(
        "x509: certificate has expired or is not yet valid: current time {} is before {}",
        timefmt::rfc3339(*at),
        timefmt::rfc3339(*not_before)
    )]
    NotYetValid {
        /// Subject of the certificate.
        subject: String,
        /// The verification time.
        at: OffsetDateTime,
        /// Its notBefore.
        not_before: OffsetDateTime,
    },
    /// A certificate has expired at the verification time.
    #[error(
        "x509: certificate has expired or is not yet valid: current time {} is after {}",
        timefmt::rfc3339(*at),
        timefmt::rfc3339(*not_after)
    )]
    Expired {
        /// Subject of the certificate.
        subject: String,
        /// The verification time.
        at: OffsetDateTime,
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// An intermediate that is not a CA.
    #[error("x509: certificate is not authorized to sign other certificates")]
    NotAuthorizedToSign {
        /// Subject of the certificate.
        subject: String,
    },
    /// pathLenConstraint exceeded.
    #[error("x509: too many intermediates for path length constraint")]
    TooManyIntermediates {
        /// Subject of the constraining certificate.
        subject: String,
    },
    /// A certificate in every chain has an EKU without timeStamping.
    #[error("x509: certificate specifies an incompatible key usage")]
    IncompatibleUsage,
    /// The work budget for signature checks ran out (hostile input).
    #[error("x509: signature check attempts limit reached while verifying certificate chain")]
    BudgetExhausted,
}

/// Why a request cannot be built (tspclient-go `MalformedRequestError`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// SHA-1 imprints are refused.
    // Requirements: O1.
    #[error("unsupported hashing algorithm: SHA-1")]
    Sha1,
    /// An imprint algorithm other than SHA-256/384/512.
    #[error("hash algorithm {0} is unavailable")]
    UnavailableHash(ObjectIdentifier),
    /// The hashed message's length does not fit the algorithm.
    #[error("hashed message is of incorrect size {0}")]
    DigestSize(usize),
    /// The system random generator failed.
    #[error("failed to generate nonce")]
    Nonce,
}

/// Why a decoded response is not acceptable for its request
/// (tspclient-go `InvalidResponseError`). Displayed after
/// "invalid timestamping response: ".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The TSA refused (status other than granted / granted with mods).
    #[error(transparent)]
    Status(#[from] super::response::PkiStatusError),
    /// Granted, but no token.
    #[error("granted response does not contain a timestamp token")]
    MissingToken,
    /// The token in the response is not acceptable.
    #[error("{0}")]
    Token(Box<TimestampError>),
    /// TSTInfo version other than 1.
    #[error("timestamp token info version must be 1, but got {0}")]
    Version(i64),
    /// The TSA used another policy than requested.
    #[error("policy in response {response} does not match policy in request {request}")]
    PolicyMismatch {
        /// Policy in the TSTInfo.
        response: ObjectIdentifier,
        /// Policy requested.
        request: ObjectIdentifier,
    },
    /// The TSTInfo imprint differs from the request's.
    #[error("message imprint in response does not match with request")]
    ImprintMismatch,
    /// The nonce was not echoed.
    #[error("nonce in response {} does not match nonce in request {request}", response.as_deref().unwrap_or("<nil>"))]
    NonceMismatch {
        /// Decimal nonce in the response, if any.
        response: Option<String>,
        /// Decimal nonce in the request.
        request: String,
    },
    /// certReq was set but no signer's certificate is in the token.
    #[error(
        "certReq is True in request, but did not find any TSA signing certificate in the response"
    )]
    MissingSigningCertificate,
    /// certReq was not set but the token carries certificates.
    #[error("certReq is False in request, but certificates field is included in the response")]
    UnexpectedCertificates,
}

// The variants below print their cause in their message, so it is not
// also their `source()` (which `#[from]` would make it): reporters that walk
// the chain would print it twice.
impl From<TstInfoError> for TimestampError {
    fn from(e: TstInfoError) -> Self {
        TimestampError::InvalidTstInfo(e)
    }
}

impl From<TokenVerificationError> for TimestampError {
    fn from(e: TokenVerificationError) -> Self {
        TimestampError::Verification(e)
    }
}

impl From<RequestError> for TimestampError {
    fn from(e: RequestError) -> Self {
        TimestampError::MalformedRequest(e)
    }
}

impl From<ResponseError> for TimestampError {
    fn from(e: ResponseError) -> Self {
        TimestampError::InvalidResponse(e)
    }
}

impl From<Asn1Error> for AttributeError {
    fn from(e: Asn1Error) -> Self {
        AttributeError::Malformed(e)
    }
}
