//! TimeStampResp (RFC 3161 §2.4.2) and its checks against the request, as
//! tspclient-go's `Response.Validate` does them, plus the full verification
//! Notation's signer runs on a fresh token.
// Requirements: O1.

use std::fmt;

use der::Decode;
use der::asn1::{BitStringRef, Utf8StringRef};
use time::OffsetDateTime;

use super::MAX_RESPONSE_SIZE;
use super::asn1::{self, Asn1Error};
use super::elements::{Element, SequenceTag};
use super::error::{ResponseError, TimestampError};
use super::request::TimestampRequest;
use super::token::{SignedToken, VerifiedTimestamp};
use crate::crypto::CryptoProvider;
use crate::x509::Certificate;
use crate::x509::chain::validate_timestamping_chain;

/// PKIStatus values (RFC 3161 §2.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PkiStatus {
    /// 0: granted.
    Granted,
    /// 1: granted with modifications.
    GrantedWithMods,
    /// 2: rejected.
    Rejection,
    /// 3: waiting.
    Waiting,
    /// 4: revocation warning.
    RevocationWarning,
    /// 5: revocation notification.
    RevocationNotification,
    /// Any other value.
    Unknown(i64),
}

impl PkiStatus {
    fn from_i64(v: i64) -> Self {
        match v {
            0 => Self::Granted,
            1 => Self::GrantedWithMods,
            2 => Self::Rejection,
            3 => Self::Waiting,
            4 => Self::RevocationWarning,
            5 => Self::RevocationNotification,
            v => Self::Unknown(v),
        }
    }

    /// The numeric value.
    pub fn code(self) -> i64 {
        match self {
            Self::Granted => 0,
            Self::GrantedWithMods => 1,
            Self::Rejection => 2,
            Self::Waiting => 3,
            Self::RevocationWarning => 4,
            Self::RevocationNotification => 5,
            Self::Unknown(v) => v,
        }
    }

    /// Whether a token comes with it.
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Granted | Self::GrantedWithMods)
    }
}

impl fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Granted => f.write_str("granted"),
            Self::GrantedWithMods => f.write_str("granted with modifications"),
            Self::Rejection => f.write_str("rejected"),
            Self::Waiting => f.write_str(
                "the request body part has not yet been processed, expect to hear more later",
            ),
            Self::RevocationWarning => f.write_str("warning: a revocation is imminent"),
            Self::RevocationNotification => f.write_str("a revocation has occurred"),
            Self::Unknown(v) => write!(f, "unknown PKIStatus {v}"),
        }
    }
}

/// The PKIFailureInfo bits RFC 3161 defines, with the reference's texts.
const FAILURE_INFOS: [(u8, &str); 8] = [
    (0, "unrecognized or unsupported Algorithm Identifier"),
    (2, "transaction not permitted or supported"),
    (5, "the data submitted has the wrong format"),
    (14, "the TSA's time source is not available"),
    (15, "the requested TSA policy is not supported by the TSA"),
    (16, "the requested extension is not supported by the TSA"),
    (
        17,
        "the additional information requested could not be understood or is not available",
    ),
    (25, "the request cannot be handled due to system failure"),
];

/// PKIStatusInfo: the TSA's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkiStatusInfo {
    status: PkiStatus,
    status_strings: Vec<String>,
    fail_info: Vec<u8>,
}

impl PkiStatusInfo {
    /// The status.
    pub fn status(&self) -> PkiStatus {
        self.status
    }

    /// The free-text status strings (UTF-8), if any.
    pub fn status_strings(&self) -> &[String] {
        &self.status_strings
    }

    /// Whether PKIFailureInfo bit `bit` is set.
    pub fn has_failure(&self, bit: u8) -> bool {
        let byte = (bit / 8) as usize;
        self.fail_info
            .get(byte)
            .is_some_and(|b| b & (0x80 >> (bit % 8)) != 0)
    }

    /// The refusal, if the status is not granted.
    pub fn error(&self) -> Option<PkiStatusError> {
        if self.status.is_granted() {
            return None;
        }
        let failures = FAILURE_INFOS
            .iter()
            .filter(|(bit, _)| self.has_failure(*bit))
            .map(|(_, t)| *t)
            .collect();
        Some(PkiStatusError {
            status: self.status,
            failures,
        })
    }

    fn from_der_type(info: &PkiStatusInfoDer<'_>) -> Self {
        // The failure bits as octets, the unused bits of the last one
        // cleared whatever the sender put there.
        let fail_info = info.fail_info.map_or_else(Vec::new, |bits| {
            let mut octets = vec![0u8; bits.raw_bytes().len()];
            for (i, set) in bits.bits().enumerate() {
                if set {
                    octets[i / 8] |= 0x80 >> (i % 8);
                }
            }
            octets
        });
        Self {
            status: PkiStatus::from_i64(info.status),
            status_strings: info
                .status_string
                .iter()
                .flatten()
                .map(|s| s.as_str().to_owned())
                .collect(),
            fail_info,
        }
    }
}

/// `PKIStatusInfo` (RFC 3161 §2.4.2, from RFC 4210).
#[derive(der::Sequence)]
struct PkiStatusInfoDer<'a> {
    status: i64,
    /// `PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String`.
    #[asn1(optional = "true")]
    status_string: Option<Vec<Utf8StringRef<'a>>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitStringRef<'a>>,
}

/// `TimeStampResp` (RFC 3161 §2.4.2). The token is kept as encoded: it is
/// what an envelope embeds.
#[derive(der::Sequence)]
struct TimeStampRespDer<'a> {
    status: PkiStatusInfoDer<'a>,
    #[asn1(optional = "true")]
    time_stamp_token: Option<Element<'a, SequenceTag>>,
}

/// A TSA refusal: "invalid response with status code 2: rejected. Failure
/// info: …".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid response with status code {}: {status}{}", status.code(), if failures.is_empty() { String::new() } else { format!(". Failure info: {}", failures.join("; ")) })]
pub struct PkiStatusError {
    /// The status.
    pub status: PkiStatus,
    /// The known PKIFailureInfo reasons that were set.
    pub failures: Vec<&'static str>,
}

/// A parsed TimeStampResp whose status is granted and whose token parses.
#[derive(Clone, Debug)]
pub struct TimestampResponse {
    status: PkiStatusInfo,
    token: SignedToken,
}

impl TimestampResponse {
    /// Parses a DER TimeStampResp (at most [`MAX_RESPONSE_SIZE`] bytes),
    /// checks its status and parses its token.
    pub fn parse(der: &[u8]) -> Result<Self, TimestampError> {
        if der.len() > MAX_RESPONSE_SIZE {
            return Err(TimestampError::TooLarge {
                what: "timestamp response",
                size: der.len(),
                limit: MAX_RESPONSE_SIZE,
            });
        }
        let response = TimeStampRespDer::from_der(der)
            .map_err(|e| TimestampError::MalformedResponse(Asn1Error::from_der(e, der)))?;
        let status = PkiStatusInfo::from_der_type(&response.status);
        let token = response.time_stamp_token.map(|t| t.der());
        if let Some(err) = status.error() {
            return Err(ResponseError::Status(err).into());
        }
        let token = token.ok_or(ResponseError::MissingToken)?;
        let token = SignedToken::parse(token).map_err(|e| ResponseError::Token(Box::new(e)))?;
        Ok(Self { status, token })
    }

    /// The status information.
    pub fn status(&self) -> &PkiStatusInfo {
        &self.status
    }

    /// The token (not yet verified).
    pub fn token(&self) -> &SignedToken {
        &self.token
    }

    /// The token's DER bytes, what an envelope embeds.
    pub fn token_der(&self) -> &[u8] {
        self.token.as_der()
    }

    /// Checks the response against its request (RFC 3161 §2.4.2, the
    /// reference's `Response.Validate`): TSTInfo version 1, the requested
    /// policy if one was asked for, the same message imprint (algorithm,
    /// parameters and hash), the nonce echoed, and a resolvable signing
    /// certificate when certReq was set (none at all when it was not).
    /// The token's signature is not verified here: see [`Self::verify_for`].
    pub fn validate_for(&self, request: &TimestampRequest) -> Result<(), TimestampError> {
        let info = self
            .token
            .tst_info()
            .map_err(|e| ResponseError::Token(Box::new(e)))?;
        if info.version() != 1 {
            return Err(ResponseError::Version(info.version()).into());
        }
        if let Some(policy) = request.policy()
            && policy != info.policy()
        {
            return Err(ResponseError::PolicyMismatch {
                response: *info.policy(),
                request: *policy,
            }
            .into());
        }
        let ours = request.message_imprint();
        let theirs = info.message_imprint();
        if ours.algorithm_der() != theirs.algorithm_der()
            || ours.hashed_message() != theirs.hashed_message()
        {
            return Err(ResponseError::ImprintMismatch.into());
        }
        if let Some(nonce) = request.nonce() {
            let expected = nonce.integer_content();
            if info.nonce() != Some(expected.as_slice()) {
                return Err(ResponseError::NonceMismatch {
                    response: info.nonce().map(asn1::integer_to_decimal),
                    request: nonce.to_string(),
                }
                .into());
            }
        }
        if request.cert_req() {
            let found = self
                .token
                .signer_infos()
                .iter()
                .any(|s| self.token.signing_certificate(s).is_ok());
            if !found {
                return Err(ResponseError::MissingSigningCertificate.into());
            }
        } else if !self.token.certificates().is_empty() {
            return Err(ResponseError::UnexpectedCertificates.into());
        }
        Ok(())
    }

    /// What Notation's signer does with a fresh response, any failure
    /// failing the signing: [`Self::validate_for`], then the token verified
    /// against the caller's TSA `roots` at `now`, then the timestamping
    /// certificate rules on the chain. Revocation of the TSA chain
    /// is left to the caller (optional at signing).
    // Requirements: O1, H4, H1.
    pub fn verify_for(
        &self,
        request: &TimestampRequest,
        roots: &[Certificate],
        now: OffsetDateTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<VerifiedTimestamp, TimestampError> {
        self.validate_for(request)?;
        let chain = self.token.verify(roots, now, crypto)?;
        validate_timestamping_chain(&chain, crypto)?;
        let info = self.token.tst_info()?;
        let range = info.range()?;
        Ok(SignedToken::verified(range, info, chain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_texts() {
        let err = PkiStatusError {
            status: PkiStatus::Rejection,
            failures: vec![],
        };
        assert_eq!(
            err.to_string(),
            "invalid response with status code 2: rejected"
        );
        let info = PkiStatusInfo {
            status: PkiStatus::Rejection,
            status_strings: vec![],
            fail_info: vec![0x24],
        };
        assert_eq!(
            info.error().unwrap().to_string(),
            "invalid response with status code 2: rejected. Failure info: transaction not permitted or supported; the data submitted has the wrong format"
        );
        assert_eq!(PkiStatus::Unknown(6).to_string(), "unknown PKIStatus 6");
        let granted = PkiStatusInfo {
            status: PkiStatus::GrantedWithMods,
            status_strings: vec![],
            fail_info: vec![],
        };
        assert!(granted.error().is_none());
    }

    #[test]
    fn missing_token_and_malformed() {
        // SEQUENCE { SEQUENCE { INTEGER 0 } }
        let granted_without_token = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert_eq!(
            TimestampResponse::parse(&granted_without_token)
                .unwrap_err()
                .to_string(),
            "invalid timestamping response: granted response does not contain a timestamp token"
        );
        let err = TimestampResponse::parse(&[0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("asn1: structure error: tags don't match"),
            "{err}"
        );
    }
}
