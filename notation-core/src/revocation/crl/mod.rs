//! Certificate revocation lists.
//!
//! [`Crl`] parses a DER CRL strictly and keeps its bytes; [`CrlBundle`] is a
//! base CRL with its delta CRL, the unit that is fetched and cached;
//! [`check_bundle`] is the whole CRL verdict for one certificate, usable
//! without [`RevocationValidator`](super::RevocationValidator) by callers
//! that obtain CRLs some other way.
//!
//! CRLs are decoded with `der` derives of our own (`CertificateList`,
//! `TBSCertList`, `RevokedCertificate`) rather than x509-cert's: the
//! `tbsCertList` is kept as encoded and the signature checked over it,
//! v1 CRLs (no version) and serial numbers of any length parse as in Go,
//! and `revokedCertificates` is walked lazily, so that a 32 MiB CRL costs
//! one linear pass at parse time and one per lookup, with no allocation per
//! entry.
//!
//! Behaviour follows notation-core-go (`revocation/internal/crl`,
//! `revocation/crl/fetcher.go`):
//! - only `http` URLs ("Only supports CRL URL in HTTP protocol");
//! - the CRL must be signed by the certificate's issuer, which must be a CA
//!   allowed to sign CRLs; `nextUpdate` must be present and not passed;
//!   unknown critical CRL or entry extensions fail the check;
//! - the delta CRL is found through the base CRL's Freshest CRL extension
//!   (its URLs are tried in order until one works); its CRL number must be
//!   greater than the base's and its DeltaCRLIndicator at most the base's
//!   number; a certificate that names a Freshest CRL while its base CRL does
//!   not is not supported;
//! - entries: a listed serial is revoked unless the reason is
//!   certificateHold or removeFromCRL, where the latest such entry decides;
//!   an entry whose invalidityDate is after the authentic signing time does
//!   not revoke.
//!
//! Where the specification ("try each CDP URL until one works") and
//! the reference ("every URL must work, stop at the first failure") differ,
//! we follow RFC 5280 §4.2.1.13, which both approximate: the URIs of *one*
//! distribution point are alternative locations of the same CRL, so they are
//! tried in order until one gives a valid CRL (the specification's
//! redundancy); *separate* distribution points may be separate partitions,
//! so every one must give a valid CRL or the status is unknown (the
//! reference's completeness: a missing partition is never read as "not
//! revoked"). A CRL that lists the certificate as revoked decides at once.
//! For the usual certificate, with one distribution point holding one URI,
//! this is exactly the reference.
//!
//! Deliberately not supported, as in the reference: indirect CRLs (a
//! critical certificateIssuer entry extension fails the check), scoping by
//! the issuing distribution point (the extension is accepted and ignored),
//! and CRLs signed by a key other than the issuer's.
// Requirements: P4, P5, W14.

mod parse;

use std::ops::Range;
use std::sync::Arc;

use der::asn1::{BitStringRef, GeneralizedTime, IntRef};
use der::{Decode, Reader, SliceReader};
use time::OffsetDateTime;
use x509_cert::time::Time;

use super::encoding::{self, Extensions, der_text};
use super::fetch::{CrlHttpRequest, FetchError, url_scheme};
use super::validator::CheckContext;
use super::{
    CertRevocationResult, RevocationMethod, RevocationStatus, ServerError, ServerResult, oids,
};
use crate::asn1util::{Element, EnumeratedValue, OidBytes, SequenceTag, integer_to_decimal};
use crate::crypto::CryptoProvider;
use crate::timefmt;
use crate::x509::{
    CertSignatureAlgorithm, CertSignatureError, Certificate, DistinguishedName, KeyUsageBits,
};

pub(crate) use crate::x509::distribution::distribution_points;
pub use crate::x509::distribution::{InvalidDistributionPoint, distribution_point_urls};
pub use parse::{
    Crl, CrlParseError, MAX_CRL_NUMBER_OCTETS, REASON_CERTIFICATE_HOLD, REASON_REMOVE_FROM_CRL,
    RevokedEntry,
};
use parse::{cmp_uint, non_negative_integer};

/// A base CRL and its delta CRL: what is fetched for one distribution point
/// URL and what a [`CrlCache`](super::CrlCache) stores. Cloning is cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlBundle {
    base: Crl,
    delta: Option<Crl>,
}

impl CrlBundle {
    /// A bundle of a base CRL and an optional delta CRL.
    pub fn new(base: Crl, delta: Option<Crl>) -> Self {
        Self { base, delta }
    }

    /// The base CRL.
    pub fn base(&self) -> &Crl {
        &self.base
    }

    /// The delta CRL, if the base CRL names one.
    pub fn delta(&self) -> Option<&Crl> {
        self.delta.as_ref()
    }

    /// Whether a cached bundle may be reused at `now`: the base CRL and the
    /// delta CRL (if any) are within their `nextUpdate`.
    // Requirements: P6.
    pub fn is_effective_at(&self, now: OffsetDateTime) -> bool {
        self.base.is_effective_at(now) && self.delta.as_ref().is_none_or(|d| d.is_effective_at(now))
    }
}

/// Why a CRL bundle could not be obtained (notation-core-go's
/// `crl.HTTPFetcher.Fetch` errors).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlFetchError {
    /// Downloading or parsing the base or delta CRL failed.
    #[error("failed to retrieve CRL: {0}")]
    Retrieve(CrlDownloadError),
    /// Reading the cache failed (only when cache errors are fatal).
    #[error("failed to retrieve CRL from cache: {0}")]
    CacheGet(super::CacheError),
    /// Writing the cache failed (only when cache errors are fatal).
    #[error("failed to store CRL to cache: {0}")]
    CacheSet(super::CacheError),
}

/// Why one CRL could not be downloaded. Texts are the reference's.
// Requirements: P4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlDownloadError {
    /// A URL that is not `http`.
    // Requirements: P4.
    #[error("unsupported scheme: {scheme}. Only supports CRL URL in HTTP protocol")]
    UnsupportedScheme {
        /// The URL's scheme (empty when it has none).
        scheme: String,
        /// The URL.
        url: String,
    },
    /// The chain's revocation check used up its time before this download
    /// finished, or before it started.
    #[error(
        "the revocation check of the certificate chain exceeded its time limit of {:.2} seconds",
        timeout.as_secs_f64()
    )]
    ChainTimeout {
        /// The chain's time limit.
        timeout: std::time::Duration,
    },
    /// The fetcher failed (transport error or timeout).
    #[error("request failed: {0}")]
    Request(FetchError),
    /// A status other than 200.
    #[error("failed to download with status code: {status}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// More than the size limit (32 MiB by default).
    #[error("CRL size exceeds the limit: {limit}")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Not a CRL.
    #[error("{0}")]
    Parse(CrlParseError),
    /// The base CRL's Freshest CRL extension is malformed.
    #[error("failed to parse Freshest CRL extension: {0}")]
    FreshestCrl(InvalidDistributionPoint),
}

/// Why a CRL failed validation against the certificate's issuer.
// Requirements: P4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlInvalid {
    /// Not signed by the issuer, or the issuer may not sign CRLs.
    #[error("CRL is not signed by CA {issuer}: {error}")]
    Signature {
        /// The issuer's subject.
        issuer: String,
        /// Why.
        error: CertSignatureError,
    },
    /// The CRL names another issuer than the certificate's (RFC 5280
    /// §6.3.3; not checked by the reference, whose signature check implies
    /// it for all but pathological CAs).
    #[error("CRL issuer {crl_issuer} does not match the issuing CA {ca}")]
    IssuerMismatch {
        /// The CRL's issuer.
        crl_issuer: String,
        /// The issuing CA's subject.
        ca: String,
    },
    /// No nextUpdate (required).
    // Requirements: P4.
    #[error("CRL NextUpdate is not set")]
    MissingNextUpdate,
    /// nextUpdate has passed.
    // Requirements: P4.
    #[error(
        "expired CRL. Current time {} is after CRL NextUpdate {}",
        timefmt::go_utc_string(*now),
        timefmt::go_utc_string(*next_update)
    )]
    Expired {
        /// The time of the check.
        now: OffsetDateTime,
        /// The CRL's nextUpdate.
        next_update: OffsetDateTime,
    },
    /// A critical CRL extension that is not understood.
    // Requirements: P4.
    #[error("unsupported critical extension found in CRL: {oid}")]
    UnsupportedCriticalExtension {
        /// Its OID, dotted.
        oid: String,
    },
}

/// Why a base/delta CRL pair failed validation.
// Requirements: P4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlValidationError {
    /// The base CRL is invalid.
    #[error("failed to validate base CRL: {0}")]
    Base(CrlInvalid),
    /// The delta CRL is invalid.
    #[error("failed to validate delta CRL: {0}")]
    Delta(CrlInvalid),
    /// The CRL at the distribution point is itself a delta CRL: it cannot
    /// be read as complete.
    #[error("the CRL at the distribution point is a delta CRL, not a complete CRL")]
    BaseIsDelta,
    /// A CRL of the pair has no CRL number, so they cannot be matched.
    #[error("{which} CRL has no CRL number")]
    MissingNumber {
        /// "base" or "delta".
        which: &'static str,
    },
    /// The delta CRL is not newer than the base CRL.
    #[error("delta CRL number {delta} is not greater than the base CRL number {base}")]
    DeltaNotNewer {
        /// The delta CRL's number, decimal.
        delta: String,
        /// The base CRL's number, decimal.
        base: String,
    },
    /// The delta CRL has no DeltaCRLIndicator.
    #[error("delta CRL indicator extension is not found")]
    MissingDeltaIndicator,
    /// The DeltaCRLIndicator is not an INTEGER.
    #[error("failed to parse delta CRL indicator extension")]
    InvalidDeltaIndicator,
    /// The delta CRL applies to a newer base CRL than the one fetched.
    #[error(
        "delta CRL indicator {indicator} is not less than or equal to the base CRL number {base}"
    )]
    DeltaForNewerBase {
        /// The DeltaCRLIndicator (minimum base CRL number), decimal.
        indicator: String,
        /// The base CRL's number, decimal.
        base: String,
    },
}

/// Why a matching CRL entry could not be evaluated.
// Requirements: P5.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlEntryError {
    /// A critical entry extension that is not understood (indirect CRLs'
    /// certificateIssuer, for one).
    #[error("unsupported critical extension found in CRL: {oid}")]
    UnsupportedCriticalExtension {
        /// Its OID, dotted.
        oid: String,
    },
    /// The entry about the certificate cannot be read (its invalidity
    /// date, which is read only there, as the reference reads it).
    #[error("failed to parse the CRL entry of the certificate: {detail}")]
    Malformed {
        /// What is wrong.
        detail: String,
    },
}

/// What went wrong with one CRL distribution point URL, as recorded in a
/// [`ServerResult`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// The CRL bundle could not be obtained.
    #[error("failed to download CRL from {url}: {error}")]
    Download {
        /// The distribution point URL.
        url: String,
        /// Why.
        error: CrlFetchError,
    },
    /// The certificate names a Freshest CRL but its base CRL does not (not
    /// supported, as in the reference).
    #[error("freshest CRL from certificate extension is not supported")]
    FreshestCrlFromCertificate,
    /// The CRLs are not valid for the certificate's issuer.
    #[error("failed to validate CRL from {url}: {error}")]
    Validation {
        /// The distribution point URL.
        url: String,
        /// Why.
        error: CrlValidationError,
    },
    /// The certificate's entry could not be evaluated.
    #[error("failed to check revocation status from {url}: {error}")]
    Entry {
        /// The distribution point URL.
        url: String,
        /// Why.
        error: CrlEntryError,
    },
    /// The certificate's CRL distribution points extension is malformed.
    #[error("failed to parse CRL distribution points: {0}")]
    DistributionPoints(InvalidDistributionPoint),
}

/// Validates a bundle against the certificate's issuer at `now`.
// Requirements: P4.
pub fn validate_bundle(
    bundle: &CrlBundle,
    issuer: &Certificate,
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<(), CrlValidationError> {
    let base = bundle.base();
    validate_crl(base, issuer, now, crypto).map_err(CrlValidationError::Base)?;
    if base.is_delta() {
        return Err(CrlValidationError::BaseIsDelta);
    }
    let Some(delta) = bundle.delta() else {
        return Ok(());
    };
    validate_crl(delta, issuer, now, crypto).map_err(CrlValidationError::Delta)?;
    let base_number = base
        .number()
        .ok_or(CrlValidationError::MissingNumber { which: "base" })?;
    let delta_number = delta
        .number()
        .ok_or(CrlValidationError::MissingNumber { which: "delta" })?;
    if cmp_uint(delta_number, base_number).is_le() {
        return Err(CrlValidationError::DeltaNotNewer {
            delta: integer_to_decimal(delta_number),
            base: integer_to_decimal(base_number),
        });
    }
    let indicator = delta
        .delta_indicator()
        .ok_or(CrlValidationError::MissingDeltaIndicator)?;
    let indicator =
        non_negative_integer(indicator).map_err(|_| CrlValidationError::InvalidDeltaIndicator)?;
    if cmp_uint(indicator, base_number).is_gt() {
        return Err(CrlValidationError::DeltaForNewerBase {
            indicator: integer_to_decimal(indicator),
            base: integer_to_decimal(base_number),
        });
    }
    Ok(())
}

fn validate_crl(
    crl: &Crl,
    issuer: &Certificate,
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<(), CrlInvalid> {
    crl.check_signature_from(issuer, crypto)
        .map_err(|source| CrlInvalid::Signature {
            issuer: issuer.subject().to_string(),
            error: source,
        })?;
    if crl.raw_issuer() != issuer.raw_subject() && crl.issuer() != issuer.subject() {
        return Err(CrlInvalid::IssuerMismatch {
            crl_issuer: crl.issuer().to_string(),
            ca: issuer.subject().to_string(),
        });
    }
    let next_update = crl.next_update().ok_or(CrlInvalid::MissingNextUpdate)?;
    if now > next_update {
        return Err(CrlInvalid::Expired { now, next_update });
    }
    if let Some(oid) = crl.unsupported_critical_extension() {
        return Err(CrlInvalid::UnsupportedCriticalExtension { oid });
    }
    Ok(())
}

/// The status of `cert` in a validated bundle: [`RevocationStatus::Ok`]
/// or [`RevocationStatus::Revoked`]. `authentic_signing_time` is the signed
/// time of a `notary.x509.signingAuthority` signature.
// Requirements: P5.
pub fn entry_status(
    bundle: &CrlBundle,
    cert: &Certificate,
    authentic_signing_time: Option<OffsetDateTime>,
) -> Result<RevocationStatus, CrlEntryError> {
    let serial = cert.serial_number();
    // The latest certificateHold / removeFromCRL entry decides, when no
    // other reason revokes the certificate for good.
    let mut latest_hold: Option<(OffsetDateTime, u8)> = None;
    let entries = bundle.base().revoked_entries_for(serial).chain(
        bundle
            .delta()
            .into_iter()
            .flat_map(|d| d.revoked_entries_for(serial)),
    );
    for entry in entries {
        let entry = entry.map_err(|detail| CrlEntryError::Malformed { detail })?;
        if let Some(oid) = entry.unsupported_critical_extension() {
            return Err(CrlEntryError::UnsupportedCriticalExtension { oid });
        }
        if let (Some(signed), Some(invalid)) = (authentic_signing_time, entry.invalidity_date())
            && signed < invalid
        {
            // Signed before the key became invalid: the signature stands
            // (P5, as the reference: this entry decides).
            return Ok(RevocationStatus::Ok);
        }
        match entry.reason_code() {
            Some(code @ (REASON_CERTIFICATE_HOLD | REASON_REMOVE_FROM_CRL)) => {
                if latest_hold.is_none_or(|(t, _)| t < entry.revocation_date()) {
                    latest_hold = Some((entry.revocation_date(), code));
                }
            }
            _ => return Ok(RevocationStatus::Revoked),
        }
    }
    Ok(match latest_hold {
        Some((_, REASON_CERTIFICATE_HOLD)) => RevocationStatus::Revoked,
        _ => RevocationStatus::Ok,
    })
}

/// The whole CRL verdict for `cert` from one bundle: validation against
/// `issuer` at `now`, then the entries.
// Requirements: P4, P5.
pub fn check_bundle(
    bundle: &CrlBundle,
    cert: &Certificate,
    issuer: &Certificate,
    now: OffsetDateTime,
    authentic_signing_time: Option<OffsetDateTime>,
    crypto: &dyn CryptoProvider,
) -> Result<RevocationStatus, CrlCheckError> {
    validate_bundle(bundle, issuer, now, crypto).map_err(CrlCheckError::Validation)?;
    entry_status(bundle, cert, authentic_signing_time).map_err(CrlCheckError::Entry)
}

/// Why [`check_bundle`] gave no verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlCheckError {
    /// The bundle is not valid for the issuer.
    #[error("{0}")]
    Validation(CrlValidationError),
    /// The certificate's entry could not be evaluated.
    #[error("{0}")]
    Entry(CrlEntryError),
}

/// Downloads and parses one CRL (the reference's `fetchCRL`).
fn download(ctx: &CheckContext<'_>, url: &str) -> Result<Crl, CrlDownloadError> {
    let scheme = url_scheme(url);
    if scheme != "http" {
        return Err(CrlDownloadError::UnsupportedScheme {
            scheme,
            url: url.to_owned(),
        });
    }
    let limit = ctx.crl_max_size;
    let chain_timeout = CrlDownloadError::ChainTimeout {
        timeout: ctx.chain_timeout,
    };
    let timeout = ctx
        .request_timeout(ctx.crl_timeout)
        .ok_or(chain_timeout.clone())?;
    let request = CrlHttpRequest::new(url, timeout, limit);
    let body = ctx.fetcher.fetch_crl(&request).map_err(|e| match e {
        FetchError::Timeout if ctx.past_deadline() => chain_timeout,
        FetchError::HttpStatus { status } => CrlDownloadError::HttpStatus { status },
        FetchError::TooLarge { .. } => CrlDownloadError::TooLarge { limit },
        other => CrlDownloadError::Request(other),
    })?;
    // Every byte fetched is checked against the limit before it is parsed,
    // whatever the fetcher did.
    if body.len() > limit {
        return Err(CrlDownloadError::TooLarge { limit });
    }
    Crl::from_der(&body).map_err(CrlDownloadError::Parse)
}

/// Fetches the bundle for a distribution point URL: from the cache while it
/// is effective, else the base CRL and the delta CRL its Freshest CRL
/// extension names (URLs tried in order until one works), then stores it.
///
/// With the `issuer` the bundle is for, a cached bundle that does not
/// validate against it is downloaded again, and a downloaded one is stored
/// only when it validates: one forged answer on a plain-HTTP fetch (an
/// unsigned CRL with a far `nextUpdate`) cannot make every later check of
/// that URL unknown. The reference stores and serves such a bundle until
/// its `nextUpdate`. With the issuer, the result of validating the bundle
/// returned comes with it (each bundle is validated once).
pub(crate) fn fetch_bundle(
    ctx: &CheckContext<'_>,
    url: &str,
    issuer: Option<&Certificate>,
) -> Result<(CrlBundle, Option<Result<(), CrlValidationError>>), CrlFetchError> {
    let validate = |bundle: &CrlBundle| {
        issuer.map(|issuer| validate_bundle(bundle, issuer, ctx.now, ctx.crypto))
    };
    if let Some(cache) = ctx.cache {
        match cache.get(url) {
            Ok(Some(bundle)) if bundle.is_effective_at(ctx.now) => {
                let validation = validate(&bundle);
                if validation.as_ref().is_none_or(Result::is_ok) {
                    return Ok((bundle, validation));
                }
            }
            Ok(_) => {}
            Err(e) if ctx.cache_errors_fatal => return Err(CrlFetchError::CacheGet(e)),
            Err(_) => {}
        }
    }
    let base = download(ctx, url).map_err(CrlFetchError::Retrieve)?;
    let delta = match base.freshest_crl_urls() {
        None => None,
        Some(urls) => {
            let urls =
                urls.map_err(|e| CrlFetchError::Retrieve(CrlDownloadError::FreshestCrl(e)))?;
            let mut last_error = None;
            let mut delta = None;
            // Low 1: a base CRL naming thousands of delta CRLs gets the
            // first few tried.
            for delta_url in urls.iter().take(ctx.max_urls) {
                match download(ctx, delta_url) {
                    Ok(crl) => {
                        delta = Some(crl);
                        break;
                    }
                    Err(e) => last_error = Some(e),
                }
            }
            match (delta, last_error) {
                (Some(d), _) => Some(d),
                (None, Some(e)) => return Err(CrlFetchError::Retrieve(e)),
                (None, None) => None,
            }
        }
    };
    let bundle = CrlBundle::new(base, delta);
    let validation = validate(&bundle);
    if let Some(cache) = ctx.cache
        && validation.as_ref().is_none_or(Result::is_ok)
        && let Err(e) = cache.set(url, &bundle)
        && ctx.cache_errors_fatal
    {
        return Err(CrlFetchError::CacheSet(e));
    }
    Ok((bundle, validation))
}

/// The CRL distribution points of a certificate, grouped by point, and
/// whether it has a Freshest CRL extension.
pub(crate) fn certificate_crl_info(
    cert: &Certificate,
) -> Result<(Vec<Vec<String>>, bool), InvalidDistributionPoint> {
    // The certificate parsed once already; its TBS cannot fail here, but an
    // error is reported rather than assumed away.
    let fields =
        encoding::certificate_fields(cert).map_err(|_| InvalidDistributionPoint::Points)?;
    let points = match &fields.crl_distribution_points {
        Some(value) => distribution_points(value)?,
        None => Vec::new(),
    };
    Ok((points, fields.freshest_crl))
}

/// Whether the certificate names any CRL URL.
pub(crate) fn supported(cert: &Certificate) -> bool {
    certificate_crl_info(cert).is_ok_and(|(points, _)| points.iter().any(|p| !p.is_empty()))
}

/// The CRL check of one certificate (see the module
/// documentation).
// Requirements: P4, P5, W14.
pub(crate) fn check_certificate(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
) -> CertRevocationResult {
    let unknown = |url: String, error: CrlError| ServerResult {
        url,
        method: RevocationMethod::Crl,
        status: RevocationStatus::Unknown,
        error: Some(ServerError::Crl(error)),
    };
    let (points, freshest_in_cert) = match certificate_crl_info(cert) {
        Ok(info) => info,
        Err(e) => {
            return CertRevocationResult {
                status: RevocationStatus::Unknown,
                method: Some(RevocationMethod::Crl),
                server_results: vec![unknown(String::new(), CrlError::DistributionPoints(e))],
            };
        }
    };
    let mut server_results = Vec::new();
    let mut incomplete = false;
    let count: usize = points.iter().map(Vec::len).sum();
    let mut tried = 0;
    let mut first_skipped = None;
    for point in points.iter().filter(|p| !p.is_empty()) {
        let mut decided = false;
        for url in point {
            // Low 1: at most a few URLs per certificate, whatever it names.
            if tried == ctx.max_urls {
                first_skipped.get_or_insert_with(|| url.clone());
                break;
            }
            tried += 1;
            match check_url(ctx, cert, issuer, url, freshest_in_cert) {
                Ok(status) => {
                    server_results.push(ServerResult {
                        url: url.clone(),
                        method: RevocationMethod::Crl,
                        status,
                        error: None,
                    });
                    if status == RevocationStatus::Revoked {
                        return CertRevocationResult {
                            status,
                            method: Some(RevocationMethod::Crl),
                            server_results,
                        };
                    }
                    decided = true;
                    break;
                }
                Err(e) => server_results.push(unknown(url.clone(), e)),
            }
        }
        incomplete |= !decided;
    }
    if let Some(url) = first_skipped {
        server_results.push(ServerResult {
            url,
            method: RevocationMethod::Crl,
            status: RevocationStatus::Unknown,
            error: Some(ServerError::TooManyUrls {
                method: RevocationMethod::Crl,
                count,
                limit: ctx.max_urls,
            }),
        });
    }
    CertRevocationResult {
        status: if incomplete || server_results.is_empty() {
            RevocationStatus::Unknown
        } else {
            RevocationStatus::Ok
        },
        method: Some(RevocationMethod::Crl),
        server_results,
    }
}

fn check_url(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    url: &str,
    freshest_in_cert: bool,
) -> Result<RevocationStatus, CrlError> {
    let (bundle, validation) =
        fetch_bundle(ctx, url, Some(issuer)).map_err(|source| CrlError::Download {
            url: url.to_owned(),
            error: source,
        })?;
    if freshest_in_cert && bundle.delta().is_none() {
        // The certificate's Freshest CRL may have another scope than the
        // base CRL's; the reference refuses rather than guess.
        return Err(CrlError::FreshestCrlFromCertificate);
    }
    validation
        .unwrap_or_else(|| validate_bundle(&bundle, issuer, ctx.now, ctx.crypto))
        .map_err(|source| CrlError::Validation {
            url: url.to_owned(),
            error: source,
        })?;
    entry_status(&bundle, cert, ctx.signing_time).map_err(|source| CrlError::Entry {
        url: url.to_owned(),
        error: source,
    })
}
