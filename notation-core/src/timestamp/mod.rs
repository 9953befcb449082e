//! RFC 3161 timestamps.
//!
//! A `notary.x509` signature may carry a TSA countersignature over its
//! primitive signature bytes. This module parses such tokens
//! ([`SignedToken`]), reads what they prove ([`TstInfo`],
//! [`TimestampRange`]), verifies them against TSA roots ([`SignedToken::verify`],
//! [`SignedToken::verify_countersignature`]), and builds and checks the
//! request/response exchange with a TSA ([`TimestampRequest`],
//! [`TimestampResponse`]). It does no I/O: requesting a timestamp enters
//! through the [`Timestamper`] trait, whose network implementation lives in
//! notation-oci and can be written with [`obtain_token`].
//!
//! Behaviour and error texts follow the reference (tspclient-go and
//! notation-core-go). Where this module is stricter, it says so: tokens must
//! be DER (Go converts definite-length BER), `genTime` must be in UTC, and
//! sizes are bounded ([`MAX_TOKEN_SIZE`], [`MAX_CERTIFICATES`],
//! [`MAX_SIGNER_INFOS`]).
//!
//! ```no_run
//! use notation_core::crypto::DefaultProvider;
//! use notation_core::timestamp::SignedToken;
//! use notation_core::x509::Certificate;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (token_der, primitive_signature, tsa_root_der) = (vec![], vec![], vec![]);
//! let token = SignedToken::parse(&token_der)?;
//! let roots = Certificate::parse_many(&tsa_root_der)?;
//! let verified = token.verify_countersignature(&primitive_signature, &roots, &DefaultProvider)?;
//! println!("signed within {}", verified.range());
//! # Ok(())
//! # }
//! ```
// Requirements: O1-O5, E2, H4, O1.

mod asn1;
mod cms;
mod elements;
mod error;
pub(crate) mod path;
mod request;
mod response;
mod token;
mod tstinfo;

pub use asn1::{Asn1Error, Asn1ErrorKind};
pub use cms::{SignerIdentifier, SignerInfo};
pub use error::{
    AttributeError, CmsParseError, CmsVerificationError, PathError, RequestError, ResponseError,
    TimestampError, TokenVerificationError, TsaRevocationError, TstInfoError,
};
pub use request::{Nonce, TimestampRequest};
pub use response::{PkiStatus, PkiStatusError, PkiStatusInfo, TimestampResponse};
pub use token::{SignedToken, VerifiedTimestamp};
pub use tstinfo::{Accuracy, MessageImprint, TimestampRange, TstInfo};

use time::OffsetDateTime;

use crate::algorithm::HashAlgorithm;
use crate::crypto::CryptoProvider;
use crate::x509::Certificate;

/// Largest timestamp token accepted (real ones are a few KiB).
pub const MAX_TOKEN_SIZE: usize = 1024 * 1024;

/// Largest TSA response accepted, as the reference caps the HTTP body.
// Requirements: O1.
pub const MAX_RESPONSE_SIZE: usize = 1024 * 1024;

/// Most certificates accepted in one token.
pub const MAX_CERTIFICATES: usize = 32;

/// Most SignerInfos accepted in one token.
pub const MAX_SIGNER_INFOS: usize = 16;

/// Most signed attributes accepted in one SignerInfo.
pub const MAX_SIGNED_ATTRIBUTES: usize = 64;

/// Media type of a DER TimeStampReq (RFC 3161 §3.4).
pub const MEDIA_TYPE_TIMESTAMP_QUERY: &str = "application/timestamp-query";

/// Media type of a DER TimeStampResp (RFC 3161 §3.4).
pub const MEDIA_TYPE_TIMESTAMP_REPLY: &str = "application/timestamp-reply";

/// Object identifiers of RFC 3161, RFC 5652 and RFC 5035.
pub mod oids {
    use const_oid::ObjectIdentifier as Oid;

    /// id-data.
    pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    /// id-signedData.
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    /// id-ct-TSTInfo.
    pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
    /// id-contentType signed attribute.
    pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    /// id-messageDigest signed attribute.
    pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    /// id-signingTime signed attribute.
    pub const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
    /// id-aa-signingCertificate (ESSCertID v1; not accepted alone).
    pub const ATTR_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
    /// id-aa-signingCertificateV2 (ESSCertIDv2, required).
    pub const ATTR_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
    /// The baseline time-stamp policy of RFC 3628 (1 s accuracy when
    /// none is stated).
    // Requirements: O4.
    pub const BASELINE_TIMESTAMP_POLICY: Oid = Oid::new_unwrap("0.4.0.2023.1.1");
}

/// Obtains an RFC 3161 countersignature over a primitive signature.
// Requirements: O1.
pub trait Timestamper: Send + Sync {
    /// Requests a timestamp over `hash(message)` and returns the DER
    /// `TimeStampToken`, already checked against the caller's TSA root
    /// (for example with [`obtain_token`]).
    fn timestamp(&self, message: &[u8], hash: HashAlgorithm) -> Result<Vec<u8>, TimestampError>;
}

/// The sans-I/O heart of a [`Timestamper`]: builds the request over
/// `hash(message)` (random nonce, certReq), hands its DER to `send` (which
/// POSTs it as [`MEDIA_TYPE_TIMESTAMP_QUERY`] and returns the response body,
/// mapping transport failures to [`TimestampError::Transport`]), then parses
/// the response and runs [`TimestampResponse::verify_for`] against
/// `tsa_roots` at `now`. Returns the token to embed (any failure fails
/// signing).
// Requirements: O1.
pub fn obtain_token(
    message: &[u8],
    hash: HashAlgorithm,
    tsa_roots: &[Certificate],
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
    send: impl FnOnce(&[u8]) -> Result<Vec<u8>, TimestampError>,
) -> Result<Vec<u8>, TimestampError> {
    let request = TimestampRequest::new(message, hash)?;
    let body = send(&request.to_der())?;
    let response = TimestampResponse::parse(&body)?;
    response.verify_for(&request, tsa_roots, now, crypto)?;
    Ok(response.token_der().to_vec())
}
