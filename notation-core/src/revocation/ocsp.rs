//! OCSP.
//!
//! [`create_request`] builds the request the reference sends;
//! [`check_response`] parses and verifies a response for one certificate.
//! Both are public so that callers with their own transport (an OCSP
//! response stapled elsewhere, a plugin) can use them without a
//! [`RevocationValidator`](super::RevocationValidator).
//!
//! The request is what notation-core-go sends through `x/crypto/ocsp`: one
//! `CertID` hashed with **SHA-1** (the reference chose SHA-1 because
//! Microsoft, Entrust, Let's Encrypt and some DigiCert responders do not
//! answer SHA-256 CertIDs; SHA-1 only names the certificate here, it
//! authenticates nothing), no requestor name, no signature and **no nonce**
//! (responders that serve pre-signed responses, RFC 5019, ignore nonces, and
//! freshness is judged from `thisUpdate`/`nextUpdate` instead).
//!
//! The response is checked more strictly than `x/crypto/ocsp` does, where
//! the reference's checks are incomplete:
//! - DER only, no trailing data (decoded with `der` derives, the signature
//!   checked over `tbsResponseData` as encoded); `responseStatus` must be
//!   successful and the type id-pkix-ocsp-basic;
//! - the `SingleResponse` is chosen by serial number (as Go) and its whole
//!   `CertID` must then match: issuer name hash and issuer key hash under
//!   the response's hash algorithm (SHA-1/256/384/512) — Go only compares
//!   the serial;
//! - who signed the response is decided as `x/crypto/ocsp` decides it:
//!   without embedded certificates, the issuer; with some, the first one
//!   alone (the others are not read), which the issuer must have signed, so
//!   that a response the issuer signed that carries the issuer's own
//!   certificate fails unless the issuer is self-signed. A first
//!   certificate other than the issuer must also name the issuer as its
//!   issuer, have the id-kp-OCSPSigning extended key usage (RFC 6960
//!   §4.2.2.2; Go accepts any certificate the issuer signed) and be valid
//!   at the time of the check;
//! - an RSASSA-PSS signature is not verified: `x/crypto/ocsp` knows no
//!   such algorithm (it fails there as unimplemented);
//! - the responder certificate's own revocation status is not
//!   checked, whether or not it carries id-pkix-ocsp-nocheck, exactly as the
//!   reference (the specification asks for a CRL check of it);
//! - critical single extensions fail (as Go), and so do critical response
//!   extensions other than the nonce;
//! - `nextUpdate` must be present and not passed (the reference rejects a
//!   missing `nextUpdate` as "expired OCSP response" too); a `thisUpdate`
//!   more than five minutes in the future is refused (RFC 6960 §3.2; not
//!   checked by the reference);
//! - a revoked certificate whose invalidityDate single extension is after
//!   the authentic signing time is not revoked for the signature (as
//!   the reference; the time is only given for `signingAuthority`).
// Requirements: P3, W9.

use std::time::Duration;

use der::asn1::{BitStringRef, GeneralizedTime, IntRef, Null, OctetStringRef};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierRef;
use time::OffsetDateTime;

use super::encoding::{self, Extensions, der_text};
use super::fetch::{FetchError, OcspHttpRequest, url_scheme};
use super::validator::CheckContext;
use super::{
    CertRevocationResult, RevocationMethod, RevocationStatus, ServerError, ServerResult, oids,
};
use crate::asn1util::{Contents, ContextTag, Element, EnumeratedValue, OidBytes, SequenceTag};
use crate::crypto::CryptoProvider;
use crate::crypto::SignatureScheme;
use crate::timefmt;
use crate::trust::GoQuoted;
use crate::x509::{CertSignatureAlgorithm, CertSignatureError, Certificate, check_signature};

/// How far in the future a `thisUpdate` may lie before the response is
/// refused (clock skew between responder and verifier).
pub const THIS_UPDATE_SKEW: Duration = Duration::from_secs(5 * 60);

/// What went wrong with one OCSP responder, as recorded in a
/// [`ServerResult`]. Texts follow notation-core-go.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// A responder URL that is not `http`.
    // Requirements: P3.
    #[error(
        "error checking revocation status via OCSP: OCSPServer protocol {scheme} is not supported"
    )]
    UnsupportedScheme {
        /// The URL's scheme (empty when it has none).
        scheme: String,
        /// The URL.
        url: String,
    },
    /// The responder did not answer in time.
    #[error(
        "exceeded timeout threshold of {:.2} seconds for OCSP check",
        timeout.as_secs_f64()
    )]
    Timeout {
        /// The timeout that was exceeded.
        timeout: Duration,
    },
    /// The chain's revocation check used up its time before this responder
    /// answered, or before it was asked.
    #[error(
        "the revocation check of the certificate chain exceeded its time limit of {:.2} seconds",
        timeout.as_secs_f64()
    )]
    ChainTimeout {
        /// The chain's time limit.
        timeout: Duration,
    },
    /// The fetcher failed.
    #[error("error checking revocation status via OCSP: {0}")]
    Request(FetchError),
    /// A status other than 200.
    #[error("failed to retrieve OCSP: response had status code {status}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// A response larger than the limit (20 KiB by default).
    #[error(
        "error checking revocation status via OCSP: OCSP response exceeds the size limit of {limit} bytes"
    )]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The request could not be built (the issuer's key is unreadable).
    #[error("error checking revocation status via OCSP: cannot create the OCSP request: {0}")]
    CreateRequest(String),
    /// The responder answered with an error status (RFC 6960 §2.3).
    #[error("error checking revocation status via OCSP: {}", responder_status_text(*status))]
    ResponderStatus {
        /// The `OCSPResponseStatus` value.
        status: i64,
    },
    /// Not a DER OCSP response.
    #[error("ocsp: malformed response: {0}")]
    Malformed(String),
    /// A response type other than id-pkix-ocsp-basic.
    #[error("bad OCSP response type")]
    BadResponseType {
        /// The type's OID, dotted.
        oid: String,
    },
    /// No `SingleResponse` at all.
    #[error("OCSP response contains bad number of responses")]
    NoResponses,
    /// No `SingleResponse` for the certificate's serial number.
    #[error("no response matching the supplied certificate")]
    NoMatchingResponse,
    /// A `CertID` hash algorithm other than SHA-1/256/384/512.
    #[error("unsupported issuer hash algorithm")]
    UnsupportedIssuerHash {
        /// The algorithm's OID, dotted.
        oid: String,
    },
    /// The serial matches but the issuer hashes do not: the response is
    /// about a certificate of another CA.
    #[error("OCSP response does not match the certificate's issuer: issuer {which} hash mismatch")]
    IssuerMismatch {
        /// "name" or "key".
        which: &'static str,
    },
    /// The issuer did not sign the response (no certificate embedded), or
    /// did not sign the embedded responder certificate.
    #[error("bad OCSP signature: {0}")]
    BadSignature(CertSignatureError),
    /// The embedded responder certificate's key did not sign the response.
    #[error("bad signature on embedded certificate: {0}")]
    BadEmbeddedSignature(CertSignatureError),
    /// The response was signed by an embedded certificate that may not
    /// answer for the issuer.
    #[error("OCSP responder certificate with subject {} is not authorized: {reason}", GoQuoted(.subject))]
    UnauthorizedResponder {
        /// The responder certificate's subject.
        subject: String,
        /// Why.
        reason: String,
    },
    /// Bytes after the response or the basic response.
    #[error("trailing data in OCSP response")]
    TrailingData,
    /// A critical extension that is not understood.
    #[error("unsupported critical extension")]
    UnsupportedCriticalExtension {
        /// The extension's OID, dotted.
        oid: String,
    },
    /// `nextUpdate` has passed.
    // Requirements: P3.
    #[error("error checking revocation status via OCSP: expired OCSP response")]
    Expired {
        /// The response's nextUpdate.
        next_update: OffsetDateTime,
        /// The time of the check.
        now: OffsetDateTime,
    },
    /// No `nextUpdate`: rejected as expired, with the reference's text
    /// (Go's zero time is always past).
    #[error("error checking revocation status via OCSP: expired OCSP response")]
    MissingNextUpdate,
    /// `thisUpdate` is in the future.
    #[error(
        "OCSP response is not valid yet: thisUpdate {} is after the current time {}",
        timefmt::go_utc_string(*this_update),
        timefmt::go_utc_string(*now)
    )]
    NotYetValid {
        /// The response's thisUpdate.
        this_update: OffsetDateTime,
        /// The time of the check.
        now: OffsetDateTime,
    },
    /// The responder says revoked.
    #[error("certificate is revoked via OCSP")]
    Revoked,
    /// The responder says unknown.
    #[error("certificate has unknown status via OCSP")]
    UnknownStatus,
}

fn responder_status_text(status: i64) -> String {
    match status {
        1 => "OCSP malformed".into(),
        2 => "OCSP internal error".into(),
        3 => "OCSP try later".into(),
        5 => "OCSP signature required".into(),
        6 => "OCSP unauthorized".into(),
        n => format!("ocsp: error from server: unknown OCSP status: {n}"),
    }
}

/// Maps a `der` error met while decoding `input` to [`OcspError::Malformed`].
fn malformed(input: &[u8]) -> impl FnOnce(der::Error) -> OcspError + '_ {
    move |e| OcspError::Malformed(der_text(e, input))
}

/// The hash algorithms a `CertID` may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CertIdHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl CertIdHash {
    fn from_oid(oid: &const_oid::ObjectIdentifier) -> Option<Self> {
        [
            (oids::SHA1, Self::Sha1),
            (oids::SHA256, Self::Sha256),
            (oids::SHA384, Self::Sha384),
            (oids::SHA512, Self::Sha512),
        ]
        .into_iter()
        .find(|(o, _)| o == oid)
        .map(|(_, h)| h)
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        use crate::crypto::primitives::digest;
        let alg = match self {
            // SHA-1 only identifies the issuer here (see the module
            // documentation); nothing is authenticated with it.
            Self::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
            Self::Sha512 => &digest::SHA512,
        };
        digest::digest(alg, data).as_ref().to_vec()
    }
}

// ------------------------------------------------------------ RFC 6960 types

/// `OCSPRequest` (RFC 6960 §4.1.1). `optionalSignature` is never sent: the
/// reference's requests are unsigned.
#[derive(der::Sequence)]
struct OcspRequestDer<'a> {
    tbs_request: TbsRequestDer<'a>,
}

/// `TBSRequest`. `version` is v1, its DEFAULT, which DER omits; there is no
/// `requestorName` and no `requestExtensions` (no nonce, see the module
/// documentation).
#[derive(der::Sequence)]
struct TbsRequestDer<'a> {
    request_list: Vec<RequestDer<'a>>,
}

/// `Request`, without `singleRequestExtensions`.
#[derive(der::Sequence)]
struct RequestDer<'a> {
    req_cert: CertIdDer<'a>,
}

/// `CertID`, in requests and in `SingleResponse`s. The serial number is
/// any INTEGER (as Go's `big.Int`), compared with the certificate's as
/// encoded.
#[derive(der::Sequence)]
struct CertIdDer<'a> {
    hash_algorithm: AlgorithmIdentifierRef<'a>,
    issuer_name_hash: &'a OctetStringRef,
    issuer_key_hash: &'a OctetStringRef,
    serial_number: IntRef<'a>,
}

/// `OCSPResponse` (RFC 6960 §4.2.1). The status is read as a number: an
/// unknown one is reported, as the reference does. `[0] EXPLICIT
/// ResponseBytes` is decoded only once the status is successful: an error
/// status is reported whatever follows it.
#[derive(der::Sequence)]
struct OcspResponseDer<'a> {
    response_status: EnumeratedValue,
    #[asn1(optional = "true")]
    response_bytes: Option<Element<'a, ContextTag<0>>>,
}

/// `ResponseBytes`. The type is compared as bytes and reported when it is
/// not id-pkix-ocsp-basic.
#[derive(der::Sequence)]
struct ResponseBytesDer<'a> {
    response_type: OidBytes<'a>,
    response: &'a OctetStringRef,
}

/// `BasicOCSPResponse`. `tbsResponseData` is kept as encoded: the
/// signature is checked over the bytes as they were signed, never a
/// re-encoding.
// Requirements: P3.
#[derive(der::Sequence)]
struct BasicOcspResponseDer<'a> {
    tbs_response_data: Element<'a, SequenceTag>,
    signature_algorithm: Element<'a, SequenceTag>,
    signature: BitStringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<Element<'a, SequenceTag>>>,
}

/// `ResponseData`.
#[derive(der::Sequence)]
struct ResponseDataDer<'a> {
    /// `[0] EXPLICIT Version DEFAULT v1`: only v1 (0) is accepted.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u64>,
    responder_id: ResponderIdDer<'a>,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponseDer<'a>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Element<'a, SequenceTag>>,
}

/// `ResponderID`. Only its form is checked: who signed is decided by the
/// signature (see [`verify_signer`]), as in the reference.
#[derive(der::Choice)]
enum ResponderIdDer<'a> {
    /// `byName [1] Name`, a SEQUENCE left undecoded.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Contents<'a, SequenceTag>),
    /// `byKey [2] KeyHash`.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(&'a OctetStringRef),
}

/// `SingleResponse`.
#[derive(der::Sequence)]
struct SingleResponseDer<'a> {
    cert_id: CertIdDer<'a>,
    cert_status: CertStatusDer,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    single_extensions: Option<Element<'a, SequenceTag>>,
}

/// `CertStatus`.
#[derive(der::Choice)]
enum CertStatusDer {
    /// `good [0] IMPLICIT NULL`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    /// `revoked [1] IMPLICIT RevokedInfo`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfoDer),
    /// `unknown [2] IMPLICIT UnknownInfo` (NULL).
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `RevokedInfo`. The reason is read as a number (any value, as Go reads
/// it into an `int`) and not used: revoked is revoked.
// Requirements: P3.
#[derive(der::Sequence)]
struct RevokedInfoDer {
    revocation_time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    revocation_reason: Option<EnumeratedValue>,
}

impl CertStatusDer {
    fn status(&self) -> RevocationStatus {
        match self {
            Self::Good(_) => RevocationStatus::Ok,
            Self::Revoked(_) => RevocationStatus::Revoked,
            Self::Unknown(_) => RevocationStatus::Unknown,
        }
    }
}

/// Builds the DER `OCSPRequest` for `cert` issued by `issuer`: one `CertID`
/// with SHA-1 (NULL parameters), no nonce, no extensions — byte for byte
/// what notation-core-go sends, and what `openssl ocsp -no_nonce` sends.
pub fn create_request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, OcspError> {
    let fields = encoding::certificate_fields(issuer).map_err(OcspError::CreateRequest)?;
    let name_hash = CertIdHash::Sha1.digest(issuer.raw_subject());
    let key_hash = CertIdHash::Sha1.digest(&fields.subject_public_key);
    encode_request(&name_hash, &key_hash, cert.serial_number())
        .map_err(|e| OcspError::CreateRequest(e.to_string()))
}

/// The DER `OCSPRequest` for one SHA-1 `CertID`.
fn encode_request(name_hash: &[u8], key_hash: &[u8], serial: &[u8]) -> der::Result<Vec<u8>> {
    let cert_id = CertIdDer {
        hash_algorithm: AlgorithmIdentifierRef {
            oid: oids::SHA1,
            parameters: Some(der::asn1::AnyRef::NULL),
        },
        issuer_name_hash: OctetStringRef::new(name_hash)?,
        issuer_key_hash: OctetStringRef::new(key_hash)?,
        serial_number: IntRef::new(serial)?,
    };
    OcspRequestDer {
        tbs_request: TbsRequestDer {
            request_list: vec![RequestDer { req_cert: cert_id }],
        },
    }
    .to_der()
}

/// A `SingleResponse` with what the checks read.
struct Single<'a> {
    cert_id: CertIdDer<'a>,
    status: RevocationStatus,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    extensions: Extensions<'a>,
}

impl<'a> Single<'a> {
    fn new(s: SingleResponseDer<'a>) -> Result<Self, String> {
        let time = |t: GeneralizedTime, what: &str| {
            encoding::datetime(t.to_unix_duration()).map_err(|e| format!("{what}: {e}"))
        };
        Ok(Self {
            status: s.cert_status.status(),
            this_update: time(s.this_update, "thisUpdate")?,
            next_update: s.next_update.map(|t| time(t, "nextUpdate")).transpose()?,
            extensions: Extensions::decode_optional(s.single_extensions.as_ref())
                .map_err(|e| format!("single response: {e}"))?,
            cert_id: s.cert_id,
        })
    }
}

/// Parses and verifies an OCSP response about `cert` (issued by `issuer`) at
/// `now`, and returns the status it gives: [`RevocationStatus::Ok`],
/// [`RevocationStatus::Revoked`] or [`RevocationStatus::Unknown`]. Every
/// other outcome is an error. See the module documentation for the checks.
pub fn check_response(
    response: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    now: OffsetDateTime,
    authentic_signing_time: Option<OffsetDateTime>,
    crypto: &dyn CryptoProvider,
) -> Result<RevocationStatus, OcspError> {
    // OCSPResponse
    // x/crypto/ocsp parses first, then refuses bytes after the response.
    let (outer, rest) = OcspResponseDer::from_der_partial(response).map_err(malformed(response))?;
    if !rest.is_empty() {
        return Err(OcspError::TrailingData);
    }
    let EnumeratedValue(status) = outer.response_status;
    if status != 0 {
        return Err(OcspError::ResponderStatus { status });
    }
    let bytes = outer
        .response_bytes
        .ok_or_else(|| OcspError::Malformed("successful response without responseBytes".into()))?;
    let rb = ResponseBytesDer::from_der(bytes.contents()).map_err(malformed(bytes.contents()))?;
    if !rb.response_type.is(&oids::OCSP_BASIC) {
        return Err(OcspError::BadResponseType {
            oid: rb.response_type.dotted(),
        });
    }

    // BasicOCSPResponse
    let basic_der = rb.response.as_bytes();
    let (basic, rest) =
        BasicOcspResponseDer::from_der_partial(basic_der).map_err(malformed(basic_der))?;
    if !rest.is_empty() {
        return Err(OcspError::TrailingData);
    }
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| OcspError::Malformed("signature: bit string with unused bits".into()))?;
    let signature_algorithm = encoding::algorithm(&basic.signature_algorithm)
        .map_err(malformed(basic.signature_algorithm.der()))?;
    // Only the first certificate counts, as in x/crypto/ocsp.
    let responder = basic
        .certs
        .unwrap_or_default()
        .first()
        .map(|c| {
            Certificate::from_der(c.der())
                .map_err(|e| OcspError::Malformed(format!("embedded certificate: {e}")))
        })
        .transpose()?;

    // ResponseData
    let tbs = basic.tbs_response_data.der();
    let data = ResponseDataDer::from_der(tbs).map_err(malformed(tbs))?;
    if let Some(v) = data.version
        && v != 0
    {
        return Err(OcspError::Malformed(format!("unsupported version {v}")));
    }
    let response_extensions = Extensions::decode_optional(data.response_extensions.as_ref())
        .map_err(|e| OcspError::Malformed(format!("responseExtensions: {e}")))?;
    let singles = data
        .responses
        .into_iter()
        .map(Single::new)
        .collect::<Result<Vec<_>, _>>()
        .map_err(OcspError::Malformed)?;
    if singles.is_empty() {
        return Err(OcspError::NoResponses);
    }
    let single = singles
        .into_iter()
        .find(|s| s.cert_id.serial_number.as_bytes() == cert.serial_number())
        .ok_or(OcspError::NoMatchingResponse)?;

    // CertID: Go stops at the serial; a response about a namesake serial of
    // another CA must not count.
    let cert_id = &single.cert_id;
    let hash = CertIdHash::from_oid(&cert_id.hash_algorithm.oid).ok_or_else(|| {
        OcspError::UnsupportedIssuerHash {
            oid: cert_id.hash_algorithm.oid.to_string(),
        }
    })?;
    if hash.digest(issuer.raw_subject()) != cert_id.issuer_name_hash.as_bytes() {
        return Err(OcspError::IssuerMismatch { which: "name" });
    }
    let issuer_fields = encoding::certificate_fields(issuer).map_err(OcspError::CreateRequest)?;
    if hash.digest(&issuer_fields.subject_public_key) != cert_id.issuer_key_hash.as_bytes() {
        return Err(OcspError::IssuerMismatch { which: "key" });
    }

    verify_signer(
        &signature_algorithm,
        tbs,
        signature,
        responder.as_ref(),
        issuer,
        now,
        crypto,
    )?;

    if let Some(ext) = single.extensions.iter().find(|e| e.critical) {
        return Err(OcspError::UnsupportedCriticalExtension {
            oid: ext.oid.dotted(),
        });
    }
    if let Some(ext) = response_extensions
        .iter()
        .find(|e| e.critical && !e.oid.is(&oids::OCSP_NONCE))
    {
        return Err(OcspError::UnsupportedCriticalExtension {
            oid: ext.oid.dotted(),
        });
    }

    // Freshness (P3).
    let next_update = single.next_update.ok_or(OcspError::MissingNextUpdate)?;
    if now > next_update {
        return Err(OcspError::Expired { next_update, now });
    }
    if single.this_update > now + THIS_UPDATE_SKEW {
        return Err(OcspError::NotYetValid {
            this_update: single.this_update,
            now,
        });
    }

    if single.status == RevocationStatus::Revoked
        && let Some(signed) = authentic_signing_time
        && let Some(ext) = single.extensions.get(&oids::INVALIDITY_DATE)
        // As the reference: an unparseable invalidity date is ignored.
        && let Ok(invalid) = GeneralizedTime::from_der(ext.value)
        && let Ok(invalid) = encoding::datetime(invalid.to_unix_duration())
        && signed < invalid
    {
        // Signed before the key became invalid (P3).
        return Ok(RevocationStatus::Ok);
    }
    Ok(single.status)
}

/// Checks who signed the response and whether they may (see the module
/// documentation): the issuer when no certificate is embedded, else the
/// first embedded one, `responder`.
fn verify_signer(
    algorithm: &CertSignatureAlgorithm,
    tbs: &[u8],
    signature: &[u8],
    responder: Option<&Certificate>,
    issuer: &Certificate,
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<(), OcspError> {
    // x/crypto/ocsp knows no RSASSA-PSS: such a signature fails there as
    // an unimplemented algorithm, whoever made it.
    let unimplemented;
    let algorithm = match algorithm {
        CertSignatureAlgorithm::Supported(SignatureScheme::RsaPss(_)) => {
            unimplemented = CertSignatureAlgorithm::Unknown("RSASSA-PSS".into());
            &unimplemented
        }
        other => other,
    };
    let Some(responder) = responder else {
        return check_signature(algorithm, tbs, signature, issuer.public_key(), crypto)
            .map_err(OcspError::BadSignature);
    };
    check_signature(algorithm, tbs, signature, responder.public_key(), crypto)
        .map_err(OcspError::BadEmbeddedSignature)?;
    // The issuer signed the responder's certificate. An issuer that sends
    // its own certificate passes only when it signed that itself.
    responder
        .check_signature_with(issuer.public_key(), crypto)
        .map_err(OcspError::BadSignature)?;
    if responder == issuer {
        return Ok(());
    }
    // A delegated responder (RFC 6960 §4.2.2.2). W9: its own revocation
    // status is not checked.
    let unauthorized = |reason: String| OcspError::UnauthorizedResponder {
        subject: responder.subject().to_string(),
        reason,
    };
    if responder.raw_issuer() != issuer.raw_subject() && responder.issuer() != issuer.subject() {
        return Err(unauthorized(format!(
            "it is issued by {}, not by the certificate's issuer {}",
            GoQuoted(responder.issuer().as_str()),
            GoQuoted(issuer.subject().as_str())
        )));
    }
    let ocsp_signing = responder
        .ext_key_usage()
        .is_some_and(|(_, ekus)| ekus.contains(&oids::EKU_OCSP_SIGNING));
    if !ocsp_signing {
        return Err(unauthorized(
            "it does not have the OCSPSigning extended key usage".into(),
        ));
    }
    if !responder.is_valid_at(now) {
        return Err(unauthorized(format!(
            "it is not valid at {} (valid from {} to {})",
            timefmt::go_utc_string(now),
            timefmt::go_utc_string(responder.not_before()),
            timefmt::go_utc_string(responder.not_after())
        )));
    }
    Ok(())
}

/// One responder URL (the reference's `checkStatusFromServer`).
fn check_server(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    url: &str,
) -> ServerResult {
    let status = query_server(ctx, cert, issuer, url);
    let (status, error) = match status {
        Ok(RevocationStatus::Revoked) => (RevocationStatus::Revoked, Some(OcspError::Revoked)),
        Ok(RevocationStatus::Unknown) => {
            (RevocationStatus::Unknown, Some(OcspError::UnknownStatus))
        }
        Ok(status) => (status, None),
        Err(e) => (RevocationStatus::Unknown, Some(e)),
    };
    ServerResult {
        url: url.to_owned(),
        method: RevocationMethod::Ocsp,
        status,
        error: error.map(ServerError::Ocsp),
    }
}

fn query_server(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    url: &str,
) -> Result<RevocationStatus, OcspError> {
    let scheme = url_scheme(url);
    if scheme != "http" {
        return Err(OcspError::UnsupportedScheme {
            scheme,
            url: url.to_owned(),
        });
    }
    let der = create_request(cert, issuer)?;
    let limit = ctx.ocsp_max_size;
    let chain_timeout = OcspError::ChainTimeout {
        timeout: ctx.chain_timeout,
    };
    let timeout = ctx
        .request_timeout(ctx.ocsp_timeout)
        .ok_or(chain_timeout.clone())?;
    let request = OcspHttpRequest::new(url, &der, timeout, limit);
    let body = ctx.fetcher.fetch_ocsp(&request).map_err(|e| match e {
        FetchError::Timeout if ctx.past_deadline() => chain_timeout,
        FetchError::Timeout => OcspError::Timeout {
            timeout: ctx.ocsp_timeout,
        },
        FetchError::HttpStatus { status } => OcspError::HttpStatus { status },
        FetchError::TooLarge { .. } => OcspError::TooLarge { limit },
        other => OcspError::Request(other),
    })?;
    if body.len() > limit {
        return Err(OcspError::TooLarge { limit });
    }
    check_response(&body, cert, issuer, ctx.now, ctx.signing_time, ctx.crypto)
}

/// The OCSP check of one certificate (the reference's `CertCheckStatus`):
/// responder URLs are tried in order until one gives a definitive answer
/// (good, revoked or unknown); if none does, every failure is kept and the
/// status is unknown.
pub(crate) fn check_certificate(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
) -> CertRevocationResult {
    let mut server_results = Vec::new();
    let urls = cert.ocsp_urls();
    for url in urls.iter().take(ctx.max_urls) {
        let result = check_server(ctx, cert, issuer, url);
        let definitive = matches!(
            result.status,
            RevocationStatus::Ok | RevocationStatus::Revoked
        ) || result.error == Some(ServerError::Ocsp(OcspError::UnknownStatus));
        if definitive {
            return CertRevocationResult {
                status: result.status,
                method: Some(RevocationMethod::Ocsp),
                server_results: vec![result],
            };
        }
        server_results.push(result);
    }
    if let Some(first_skipped) = urls.get(ctx.max_urls) {
        server_results.push(ServerResult {
            url: first_skipped.clone(),
            method: RevocationMethod::Ocsp,
            status: RevocationStatus::Unknown,
            error: Some(ServerError::TooManyUrls {
                method: RevocationMethod::Ocsp,
                count: urls.len(),
                limit: ctx.max_urls,
            }),
        });
    }
    CertRevocationResult {
        status: RevocationStatus::Unknown,
        method: Some(RevocationMethod::Ocsp),
        server_results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responder_error_statuses_have_the_reference_texts() {
        let e = |status| OcspError::ResponderStatus { status }.to_string();
        assert_eq!(
            e(6),
            "error checking revocation status via OCSP: OCSP unauthorized"
        );
        assert_eq!(
            e(3),
            "error checking revocation status via OCSP: OCSP try later"
        );
        assert_eq!(
            e(9),
            "error checking revocation status via OCSP: ocsp: error from server: unknown OCSP status: 9"
        );
        assert_eq!(
            OcspError::Timeout {
                timeout: Duration::from_secs(2)
            }
            .to_string(),
            "exceeded timeout threshold of 2.00 seconds for OCSP check"
        );
    }

    /// Replaces a test of the deleted hand-written encoder: `der` writes
    /// minimal lengths (short form below 128 octets, then 0x81, 0x82) and
    /// what it writes decodes back to the same request.
    #[test]
    fn requests_are_encoded_with_minimal_lengths() {
        let hash = [0x11; 20];
        // The contents are 65 octets plus the serial number, plus what the
        // long-form lengths of the nested headers add.
        for (serial_len, length_octets) in [
            (3, &[68u8][..]),
            (100, &[0x81, 169]),
            (300, &[0x82, 0x01, 0x77]),
        ] {
            let serial = vec![0x01; serial_len];
            let der = encode_request(&hash, &hash, &serial).unwrap();
            assert_eq!(der[0], 0x30);
            assert_eq!(
                &der[1..1 + length_octets.len()],
                length_octets,
                "serial of {serial_len}"
            );
            let back = OcspRequestDer::from_der(&der).unwrap();
            let cert_id = &back.tbs_request.request_list[0].req_cert;
            assert_eq!(cert_id.serial_number.as_bytes(), &serial[..]);
            assert_eq!(cert_id.hash_algorithm.oid, oids::SHA1);
            assert_eq!(cert_id.issuer_key_hash.as_bytes(), &hash);
        }
    }
}
