//! OCSP (REQUIREMENTS P3, W9).
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
//! - DER only, no trailing data; `responseStatus` must be successful and the
//!   type id-pkix-ocsp-basic;
//! - the `SingleResponse` is chosen by serial number (as Go) and its whole
//!   `CertID` must then match: issuer name hash and issuer key hash under
//!   the response's hash algorithm (SHA-1/256/384/512) — Go only compares
//!   the serial;
//! - the signature must verify with the issuer's key, or with the key of a
//!   delegated responder certificate embedded in the response that the
//!   issuer signed, that names the issuer as its issuer, that has the
//!   id-kp-OCSPSigning extended key usage (RFC 6960 §4.2.2.2; Go accepts any
//!   embedded certificate the issuer signed) and that is valid at the time
//!   of the check;
//! - **W9**: the responder certificate's own revocation status is not
//!   checked, whether or not it carries id-pkix-ocsp-nocheck, exactly as the
//!   reference (the specification asks for a CRL check of it);
//! - critical single extensions fail (as Go), and so do critical response
//!   extensions other than the nonce;
//! - `nextUpdate` must be present and not passed (the reference rejects a
//!   missing `nextUpdate` as "expired OCSP response" too); a `thisUpdate`
//!   more than five minutes in the future is refused (RFC 6960 §3.2; not
//!   checked by the reference);
//! - a revoked certificate whose invalidityDate single extension is after
//!   the authentic signing time is not revoked for the signature (P3, as
//!   the reference; the time is only given for `signingAuthority`).

use std::time::Duration;

use time::OffsetDateTime;

use super::asn1::{self, Tlv, tag};
use super::crl::algorithm;
use super::fetch::{FetchError, OcspHttpRequest, url_scheme};
use super::validator::CheckContext;
use super::{
    CertRevocationResult, RevocationMethod, RevocationStatus, ServerError, ServerResult, oids,
};
use crate::crypto::CryptoProvider;
use crate::timefmt;
use crate::trust::GoQuoted;
use crate::x509::{CertSignatureError, Certificate, check_signature};

/// How far in the future a `thisUpdate` may lie before the response is
/// refused (clock skew between responder and verifier).
pub const THIS_UPDATE_SKEW: Duration = Duration::from_secs(5 * 60);

/// At most this many embedded certificates are tried as the responder: a
/// response carries one or two in practice, and each costs a signature
/// check.
const MAX_RESPONDER_CANDIDATES: usize = 4;

/// What went wrong with one OCSP responder, as recorded in a
/// [`ServerResult`]. Texts follow notation-core-go.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// A responder URL that is not `http` (P3).
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
        status: u64,
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
    /// Neither the issuer nor an embedded certificate signed the response.
    #[error("bad OCSP signature: {0}")]
    BadSignature(CertSignatureError),
    /// The response was signed by an embedded certificate that may not
    /// answer for the issuer.
    #[error("OCSP responder certificate with subject {} is not authorized: {reason}", GoQuoted(.subject))]
    UnauthorizedResponder {
        /// The responder certificate's subject.
        subject: String,
        /// Why.
        reason: String,
    },
    /// A critical extension that is not understood.
    #[error("unsupported critical extension")]
    UnsupportedCriticalExtension {
        /// The extension's OID, dotted.
        oid: String,
    },
    /// `nextUpdate` has passed (P3).
    #[error("expired OCSP response")]
    Expired {
        /// The response's nextUpdate.
        next_update: OffsetDateTime,
        /// The time of the check.
        now: OffsetDateTime,
    },
    /// No `nextUpdate`: rejected as expired, as the reference does.
    #[error("expired OCSP response: it has no nextUpdate")]
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

fn responder_status_text(status: u64) -> String {
    match status {
        1 => "OCSP malformed".into(),
        2 => "OCSP internal error".into(),
        3 => "OCSP try later".into(),
        5 => "OCSP signature required".into(),
        6 => "OCSP unauthorized".into(),
        n => format!("ocsp: error from server: unknown OCSP status: {n}"),
    }
}

fn malformed(e: asn1::Asn1Error) -> OcspError {
    OcspError::Malformed(e.0)
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
    fn from_oid(oid: &[u8]) -> Option<Self> {
        [
            (oids::SHA1, Self::Sha1),
            (oids::SHA256, Self::Sha256),
            (oids::SHA384, Self::Sha384),
            (oids::SHA512, Self::Sha512),
        ]
        .into_iter()
        .find(|(o, _)| o.as_bytes() == oid)
        .map(|(_, h)| h)
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        use ring::digest;
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

fn der_header(tag: u8, len: usize, out: &mut Vec<u8>) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn der(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(len + 6);
    der_header(tag, len, &mut out);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// Builds the DER `OCSPRequest` for `cert` issued by `issuer`: one `CertID`
/// with SHA-1 (NULL parameters), no nonce, no extensions — byte for byte
/// what notation-core-go sends, and what `openssl ocsp -no_nonce` sends.
pub fn create_request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, OcspError> {
    let fields =
        asn1::tbs_fields(issuer.tbs_der()).map_err(|e| OcspError::CreateRequest(e.to_string()))?;
    let name_hash = CertIdHash::Sha1.digest(issuer.raw_subject());
    let key_hash = CertIdHash::Sha1.digest(fields.subject_public_key);
    let oid = oids::SHA1.as_bytes();
    let alg = der(tag::SEQUENCE, &[&der(tag::OID, &[oid]), &[tag::NULL, 0]]);
    let cert_id = der(
        tag::SEQUENCE,
        &[
            &alg,
            &der(tag::OCTET_STRING, &[&name_hash]),
            &der(tag::OCTET_STRING, &[&key_hash]),
            &der(tag::INTEGER, &[cert.serial_number()]),
        ],
    );
    let request = der(tag::SEQUENCE, &[&cert_id]);
    let request_list = der(tag::SEQUENCE, &[&request]);
    let tbs_request = der(tag::SEQUENCE, &[&request_list]);
    Ok(der(tag::SEQUENCE, &[&tbs_request]))
}

/// A parsed `SingleResponse`.
struct Single<'a> {
    hash_oid: &'a [u8],
    name_hash: &'a [u8],
    key_hash: &'a [u8],
    serial: &'a [u8],
    status: RevocationStatus,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    extensions: Vec<asn1::Extension<'a>>,
}

fn parse_single<'a>(s: &Tlv<'a>) -> asn1::Result<Single<'a>> {
    const W: &str = "single response";
    let mut r = s.reader();
    let cert_id = r.read(tag::SEQUENCE, W)?;
    let mut c = cert_id.reader();
    let alg = c.read(tag::SEQUENCE, W)?;
    let mut a = alg.reader();
    let hash_oid = a.read(tag::OID, W)?.value;
    if !a.is_empty() {
        a.read_any()?; // parameters (NULL or absent)
    }
    a.finish(W)?;
    let name_hash = c.read(tag::OCTET_STRING, W)?.value;
    let key_hash = c.read(tag::OCTET_STRING, W)?.value;
    let serial = asn1::integer_bytes(&c.read(tag::INTEGER, W)?, W)?;
    c.finish(W)?;
    let status_tlv = r.read_any()?;
    let status = match status_tlv.tag {
        t if t == tag::context(0) && status_tlv.value.is_empty() => RevocationStatus::Ok,
        t if t == tag::context(2) && status_tlv.value.is_empty() => RevocationStatus::Unknown,
        t if t == tag::context_constructed(1) => {
            let mut ri = status_tlv.reader();
            asn1::generalized_time(&ri.read_any()?, "revocationTime")?;
            if let Some(reason) = ri.read_optional(tag::context_constructed(0))? {
                asn1::small_uint(&asn1::single(reason.value, tag::ENUMERATED, W)?, W)?;
            }
            ri.finish(W)?;
            RevocationStatus::Revoked
        }
        t => {
            return Err(asn1::Asn1Error(format!(
                "{W}: invalid certStatus tag 0x{t:02x}"
            )));
        }
    };
    let this_update = asn1::generalized_time(&r.read_any()?, "thisUpdate")?;
    let next_update = match r.read_optional(tag::context_constructed(0))? {
        Some(n) => Some(asn1::generalized_time(
            &asn1::single(n.value, tag::GENERALIZED_TIME, "nextUpdate")?,
            "nextUpdate",
        )?),
        None => None,
    };
    let extensions = match r.read_optional(tag::context_constructed(1))? {
        Some(e) => asn1::extensions(&asn1::single(e.value, tag::SEQUENCE, W)?, W)?,
        None => Vec::new(),
    };
    r.finish(W)?;
    Ok(Single {
        hash_oid,
        name_hash,
        key_hash,
        serial,
        status,
        this_update,
        next_update,
        extensions,
    })
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
    let outer = asn1::single(response, tag::SEQUENCE, "OCSPResponse").map_err(malformed)?;
    let mut r = outer.reader();
    let status = r
        .read(tag::ENUMERATED, "responseStatus")
        .and_then(|s| asn1::small_uint(&s, "responseStatus"))
        .map_err(malformed)?;
    let bytes = r
        .read_optional(tag::context_constructed(0))
        .map_err(malformed)?;
    r.finish("OCSPResponse").map_err(malformed)?;
    if status != 0 {
        return Err(OcspError::ResponderStatus { status });
    }
    let bytes = bytes
        .ok_or_else(|| OcspError::Malformed("successful response without responseBytes".into()))?;
    let rb = asn1::single(bytes.value, tag::SEQUENCE, "responseBytes").map_err(malformed)?;
    let mut rb = rb.reader();
    let response_type = rb.read(tag::OID, "responseType").map_err(malformed)?;
    let basic = rb.read(tag::OCTET_STRING, "response").map_err(malformed)?;
    rb.finish("responseBytes").map_err(malformed)?;
    if response_type.value != oids::OCSP_BASIC.as_bytes() {
        return Err(OcspError::BadResponseType {
            oid: asn1::oid_string(response_type.value),
        });
    }

    // BasicOCSPResponse
    let basic = asn1::single(basic.value, tag::SEQUENCE, "BasicOCSPResponse").map_err(malformed)?;
    let mut b = basic.reader();
    let tbs = b
        .read(tag::SEQUENCE, "tbsResponseData")
        .map_err(malformed)?;
    let sig_alg = b
        .read(tag::SEQUENCE, "signatureAlgorithm")
        .map_err(malformed)?;
    let signature = b
        .read(tag::BIT_STRING, "signature")
        .and_then(|s| asn1::bit_string_bytes(&s, "signature"))
        .map_err(malformed)?;
    let certs = b
        .read_optional(tag::context_constructed(0))
        .map_err(malformed)?;
    b.finish("BasicOCSPResponse").map_err(malformed)?;
    let signature_algorithm = algorithm(&sig_alg).map_err(malformed)?;
    let mut embedded = Vec::new();
    if let Some(certs) = certs {
        let seq = asn1::single(certs.value, tag::SEQUENCE, "certs").map_err(malformed)?;
        let mut c = seq.reader();
        while !c.is_empty() {
            let raw = c.read(tag::SEQUENCE, "certs").map_err(malformed)?.raw;
            let cert = Certificate::from_der(raw)
                .map_err(|e| OcspError::Malformed(format!("embedded certificate: {e}")))?;
            embedded.push(cert);
        }
    }

    // ResponseData
    let mut t = tbs.reader();
    if let Some(v) = t
        .read_optional(tag::context_constructed(0))
        .map_err(malformed)?
    {
        let v = asn1::single(v.value, tag::INTEGER, "version")
            .and_then(|v| asn1::small_uint(&v, "version"))
            .map_err(malformed)?;
        if v != 0 {
            return Err(OcspError::Malformed(format!("unsupported version {v}")));
        }
    }
    let responder_id = t.read_any().map_err(malformed)?;
    match responder_id.tag {
        x if x == tag::context_constructed(1) => {
            asn1::single(responder_id.value, tag::SEQUENCE, "responderID").map_err(malformed)?;
        }
        x if x == tag::context_constructed(2) => {
            asn1::single(responder_id.value, tag::OCTET_STRING, "responderID")
                .map_err(malformed)?;
        }
        _ => return Err(OcspError::Malformed("invalid responder id tag".into())),
    }
    t.read(tag::GENERALIZED_TIME, "producedAt")
        .and_then(|p| asn1::generalized_time(&p, "producedAt"))
        .map_err(malformed)?;
    let responses = t.read(tag::SEQUENCE, "responses").map_err(malformed)?;
    let response_extensions = match t
        .read_optional(tag::context_constructed(1))
        .map_err(malformed)?
    {
        Some(e) => asn1::single(e.value, tag::SEQUENCE, "responseExtensions")
            .and_then(|s| asn1::extensions(&s, "responseExtensions"))
            .map_err(malformed)?,
        None => Vec::new(),
    };
    t.finish("tbsResponseData").map_err(malformed)?;
    let mut singles = Vec::new();
    let mut rs = responses.reader();
    while !rs.is_empty() {
        let s = rs
            .read(tag::SEQUENCE, "single response")
            .map_err(malformed)?;
        singles.push(parse_single(&s).map_err(malformed)?);
    }
    if singles.is_empty() {
        return Err(OcspError::NoResponses);
    }
    let single = singles
        .into_iter()
        .find(|s| s.serial == cert.serial_number())
        .ok_or(OcspError::NoMatchingResponse)?;

    // CertID: Go stops at the serial; a response about a namesake serial of
    // another CA must not count.
    let hash =
        CertIdHash::from_oid(single.hash_oid).ok_or_else(|| OcspError::UnsupportedIssuerHash {
            oid: asn1::oid_string(single.hash_oid),
        })?;
    if hash.digest(issuer.raw_subject()) != single.name_hash {
        return Err(OcspError::IssuerMismatch { which: "name" });
    }
    let issuer_fields =
        asn1::tbs_fields(issuer.tbs_der()).map_err(|e| OcspError::CreateRequest(e.to_string()))?;
    if hash.digest(issuer_fields.subject_public_key) != single.key_hash {
        return Err(OcspError::IssuerMismatch { which: "key" });
    }

    verify_signer(
        &signature_algorithm,
        tbs.raw,
        signature,
        &embedded,
        issuer,
        now,
        crypto,
    )?;

    for ext in &single.extensions {
        if ext.critical {
            return Err(OcspError::UnsupportedCriticalExtension {
                oid: asn1::oid_string(ext.oid),
            });
        }
    }
    for ext in &response_extensions {
        if ext.critical && ext.oid != oids::OCSP_NONCE.as_bytes() {
            return Err(OcspError::UnsupportedCriticalExtension {
                oid: asn1::oid_string(ext.oid),
            });
        }
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
        && let Some(ext) = single
            .extensions
            .iter()
            .find(|e| e.oid == oids::INVALIDITY_DATE.as_bytes())
        // As the reference: an unparseable invalidity date is ignored.
        && let Ok(invalid) = asn1::single(ext.value, tag::GENERALIZED_TIME, "invalidityDate")
            .and_then(|v| asn1::generalized_time(&v, "invalidityDate"))
        && signed < invalid
    {
        // Signed before the key became invalid (P3).
        return Ok(RevocationStatus::Ok);
    }
    Ok(single.status)
}

/// Finds who signed the response and whether they may (see the module
/// documentation).
fn verify_signer(
    algorithm: &crate::x509::CertSignatureAlgorithm,
    tbs: &[u8],
    signature: &[u8],
    embedded: &[Certificate],
    issuer: &Certificate,
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<(), OcspError> {
    let by_issuer = check_signature(algorithm, tbs, signature, issuer.public_key(), crypto);
    let issuer_error = match by_issuer {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    for responder in embedded
        .iter()
        .filter(|c| *c != issuer)
        .take(MAX_RESPONDER_CANDIDATES)
    {
        if check_signature(algorithm, tbs, signature, responder.public_key(), crypto).is_err() {
            continue;
        }
        // This certificate signed the response: it must be a delegated
        // responder of the issuer (RFC 6960 §4.2.2.2). W9: its own
        // revocation status is not checked.
        let unauthorized = |reason: String| OcspError::UnauthorizedResponder {
            subject: responder.subject().to_string(),
            reason,
        };
        if responder.raw_issuer() != issuer.raw_subject() && responder.issuer() != issuer.subject()
        {
            return Err(unauthorized(format!(
                "it is issued by {}, not by the certificate's issuer {}",
                GoQuoted(responder.issuer().as_str()),
                GoQuoted(issuer.subject().as_str())
            )));
        }
        if let Err(e) = responder.check_signature_with(issuer.public_key(), crypto) {
            return Err(unauthorized(format!(
                "its signature does not verify with the issuer's key: {e}"
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
        return Ok(());
    }
    Err(OcspError::BadSignature(issuer_error))
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
    let request = OcspHttpRequest::new(url, &der, ctx.ocsp_timeout, limit);
    let body = ctx.fetcher.fetch_ocsp(&request).map_err(|e| match e {
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
    for url in cert.ocsp_urls() {
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

    #[test]
    fn der_lengths_are_minimal() {
        assert_eq!(der(0x04, &[&[0u8; 3]])[..2], [0x04, 0x03]);
        assert_eq!(der(0x04, &[&[0u8; 200]])[..3], [0x04, 0x81, 200]);
        assert_eq!(der(0x04, &[&[0u8; 300]])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }
}
