//! Revocation checking of certificate chains.
//!
//! Fetching OCSP responses and CRLs needs the network, so checking enters
//! the verifier through the [`RevocationChecker`] trait, and bytes enter
//! the checker through the [`RevocationFetcher`] trait: notation-core stays
//! free of I/O and decides everything but the transport.
//!
//! - [`RevocationValidator`] is the full checker: OCSP, CRLs with delta
//!   CRLs, OCSP-to-CRL fallback and the chain rules (the root is never checked), built
//!   with a fetcher, an optional [`CrlCache`], timeouts and a clock.
//! - [`OfflineRevocationChecker`] needs no network: a certificate without
//!   OCSP or CRL URLs is not revocable and passes; any other
//!   certificate's status cannot be determined, which fails the check
//!   wherever revocation is enforced. It never reports "good" for a
//!   certificate it did not check.
//! - [`final_result`] and [`diagnostics`] turn per-certificate results into
//!   the verdict and the log lines of notation-go.
//!
//! The decisions where the specification and the reference differ are
//! documented where they are made: in [`ocsp`] (the responder's own
//! revocation) and in [`crl`] (alternative distribution point URIs).
// Requirements: P1-P6, P3, P4, P5, P6, P2.

mod cache;
pub mod crl;
mod encoding;
mod fetch;
pub mod ocsp;
mod validator;

use std::fmt;

use time::OffsetDateTime;

use crate::trust::GoQuoted;
use crate::x509::Certificate;
use crate::x509::chain::ChainError;

pub use cache::{CacheError, CrlCache, MemoryCrlCache};
pub use crl::{Crl, CrlBundle, CrlError};
pub use fetch::{
    CRL_MAX_SIZE, CrlHttpRequest, DEFAULT_CRL_TIMEOUT, DEFAULT_OCSP_TIMEOUT, FetchError,
    OCSP_MAX_RESPONSE_SIZE, OCSP_REQUEST_CONTENT_TYPE, OcspHttpRequest, OcspMethod,
    RevocationFetcher,
};
pub use ocsp::OcspError;
pub use validator::{
    DEFAULT_CHAIN_TIMEOUT, DEFAULT_MAX_PARALLEL_CHECKS, DEFAULT_MAX_URLS_PER_CERTIFICATE,
    RevocationValidator, RevocationValidatorBuilder,
};

/// Object identifiers of revocation checking.
pub(crate) mod oids {
    use const_oid::ObjectIdentifier as Oid;

    pub use crate::oid::{
        CRL_DISTRIBUTION_POINTS, EKU_OCSP_SIGNING, FRESHEST_CRL, SHA1, SHA256, SHA384, SHA512,
    };
    /// id-ce-cRLNumber.
    pub const CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
    /// id-ce-cRLReasons.
    pub const CRL_REASON: Oid = Oid::new_unwrap("2.5.29.21");
    /// id-ce-invalidityDate.
    pub const INVALIDITY_DATE: Oid = Oid::new_unwrap("2.5.29.24");
    /// id-ce-deltaCRLIndicator.
    pub const DELTA_CRL_INDICATOR: Oid = Oid::new_unwrap("2.5.29.27");
    /// id-ce-issuingDistributionPoint.
    pub const ISSUING_DISTRIBUTION_POINT: Oid = Oid::new_unwrap("2.5.29.28");
    /// id-pkix-ocsp-basic.
    pub const OCSP_BASIC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.1");
    /// id-pkix-ocsp-nonce.
    pub const OCSP_NONCE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.2");
}

/// What a chain is used for; responders and CRL issuers are checked against
/// the same purpose.
// Requirements: P2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationPurpose {
    /// A signing certificate chain.
    CodeSigning,
    /// A timestamping certificate chain.
    Timestamping,
}

/// The revocation status of one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationStatus {
    /// Checked and not revoked.
    Ok,
    /// Neither OCSP nor CRL information: nothing to check.
    // Requirements: P2.
    NonRevocable,
    /// Revoked.
    Revoked,
    /// Could not be determined (treated as a failure).
    // Requirements: P1.
    Unknown,
}

/// The method that produced a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationMethod {
    /// OCSP.
    Ocsp,
    /// CRL.
    Crl,
    /// OCSP failed with an unknown result and CRL decided.
    // Requirements: P2.
    OcspFallbackCrl,
}

impl fmt::Display for RevocationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevocationMethod::Ocsp => "OCSP",
            RevocationMethod::Crl => "CRL",
            RevocationMethod::OcspFallbackCrl => "OCSPFallbackCRL",
        })
    }
}

/// What one server said about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerResult {
    /// The URL asked.
    pub url: String,
    /// The method.
    pub method: RevocationMethod,
    /// The status it gave.
    pub status: RevocationStatus,
    /// What went wrong, if anything. As in the reference, a revoked OCSP
    /// status is also reported here ("certificate is revoked via OCSP"), so
    /// that it is logged.
    pub error: Option<ServerError>,
}

/// What went wrong with one server.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// An OCSP responder.
    // Requirements: P3.
    #[error("{0}")]
    Ocsp(OcspError),
    /// A CRL distribution point.
    // Requirements: P4.
    #[error("{0}")]
    Crl(CrlError),
    /// No network access was configured ([`OfflineRevocationChecker`]).
    #[error("no revocation checker with network access is configured")]
    NotConfigured,
    /// The certificate names more URLs of this method than are tried; the
    /// result's URL is the first one not tried.
    #[error("the certificate names {count} {method} URLs; only the first {limit} were tried")]
    TooManyUrls {
        /// The method.
        method: RevocationMethod,
        /// How many URLs the certificate names.
        count: usize,
        /// How many are tried.
        limit: usize,
    },
}

/// The result for one certificate of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRevocationResult {
    /// The overall status.
    pub status: RevocationStatus,
    /// How it was decided, if any method was used.
    pub method: Option<RevocationMethod>,
    /// The servers asked, in order.
    pub server_results: Vec<ServerResult>,
}

impl CertRevocationResult {
    /// A certificate with nothing to check.
    pub fn non_revocable() -> Self {
        Self {
            status: RevocationStatus::NonRevocable,
            method: None,
            server_results: Vec::new(),
        }
    }
}

/// Why a chain could not be checked at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// The chain is not a valid, ordered chain for the purpose.
    #[error("invalid chain: expected chain to be correct and complete: {0}")]
    InvalidChain(String),
    /// The chain breaks a certificate rule (it is validated again
    /// before any request).
    // Requirements: P2.
    #[error("invalid chain: expected chain to be correct and complete: {0}")]
    Chain(ChainError),
    /// Any other failure of the checker.
    #[error("{0}")]
    Other(String),
}

/// Checks the revocation status of every certificate of a chain.
pub trait RevocationChecker: Send + Sync {
    /// Returns one result per certificate of `chain` (leaf first).
    /// `authentic_signing_time` is the signed time of a
    /// `notary.x509.signingAuthority` signature: a revocation whose
    /// invalidity date is after it does not invalidate the signature.
    // Requirements: P5.
    fn check(
        &self,
        chain: &[Certificate],
        purpose: RevocationPurpose,
        authentic_signing_time: Option<OffsetDateTime>,
    ) -> Result<Vec<CertRevocationResult>, RevocationError>;
}

/// A checker that uses no network (see the module documentation). Use
/// [`RevocationValidator`] with a [`RevocationFetcher`] to check for real.
#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineRevocationChecker;

impl RevocationChecker for OfflineRevocationChecker {
    fn check(
        &self,
        chain: &[Certificate],
        _purpose: RevocationPurpose,
        _authentic_signing_time: Option<OffsetDateTime>,
    ) -> Result<Vec<CertRevocationResult>, RevocationError> {
        Ok(chain
            .iter()
            .enumerate()
            .map(|(i, cert)| {
                // The root is never checked (P2).
                if i + 1 == chain.len() || !is_revocable(cert) {
                    return CertRevocationResult::non_revocable();
                }
                let server_results = cert
                    .ocsp_urls()
                    .iter()
                    .map(|u| (u, RevocationMethod::Ocsp))
                    .chain(cert.crl_urls().iter().map(|u| (u, RevocationMethod::Crl)))
                    .map(|(url, method)| ServerResult {
                        url: url.clone(),
                        method,
                        status: RevocationStatus::Unknown,
                        error: Some(ServerError::NotConfigured),
                    })
                    .collect();
                CertRevocationResult {
                    status: RevocationStatus::Unknown,
                    method: None,
                    server_results,
                }
            })
            .collect())
    }
}

/// Whether a certificate names any OCSP responder or CRL.
// Requirements: P2.
pub fn is_revocable(cert: &Certificate) -> bool {
    !cert.ocsp_urls().is_empty() || !cert.crl_urls().is_empty()
}

/// The chain's verdict from per-certificate results, as notation-go's
/// `revocationFinalResult`: revoked if any certificate is revoked (that one
/// is named), else unknown if any is unknown (the one nearest the leaf is
/// named), else OK.
pub fn final_result<'a>(
    results: &[CertRevocationResult],
    chain: &'a [Certificate],
) -> (RevocationStatus, Option<&'a Certificate>) {
    let mut revoked = None;
    let mut unknown = None;
    for (cert, result) in chain.iter().zip(results).rev() {
        match result.status {
            RevocationStatus::Revoked => revoked = Some(cert),
            RevocationStatus::Unknown => unknown = Some(cert),
            RevocationStatus::Ok | RevocationStatus::NonRevocable => {}
        }
    }
    if revoked.is_some() {
        return (RevocationStatus::Revoked, revoked);
    }
    if results.len() != chain.len() {
        return (RevocationStatus::Unknown, chain.first());
    }
    match unknown {
        Some(c) => (RevocationStatus::Unknown, Some(c)),
        None => (RevocationStatus::Ok, None),
    }
}

/// How serious a [`RevocationDiagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticLevel {
    /// Details (an OCSP failure that the CRL fallback may make up for).
    Debug,
    /// Worth a warning (fallback to CRL, an intermediate without methods).
    Warning,
    /// A server failed (logged as an error by notation-go).
    Error,
}

/// One log line about a chain's revocation check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationDiagnostic {
    /// How serious it is.
    pub level: DiagnosticLevel,
    /// The message, in notation-go's words.
    pub message: String,
}

/// The log lines notation-go's `revocationFinalResult` writes for these
/// results, in its order (root first): the OCSP-to-CRL fallback warning,
/// "Certificate #N in chain with subject … encountered an error for
/// revocation method … at URL …: …" for every server error (debug for OCSP
/// errors made up for by the CRL fallback), and a warning for every
/// intermediate without any method.
pub fn diagnostics(
    results: &[CertRevocationResult],
    chain: &[Certificate],
) -> Vec<RevocationDiagnostic> {
    let mut out = Vec::new();
    let n = results.len().min(chain.len());
    for i in (0..n).rev() {
        let (cert, result) = (&chain[i], &results[i]);
        let subject = cert.subject().to_string();
        let number = i + 1;
        let fallback = result.method == Some(RevocationMethod::OcspFallbackCrl);
        if fallback {
            out.push(RevocationDiagnostic {
                level: DiagnosticLevel::Warning,
                message: format!(
                    "OCSP check failed with unknown error and fallback to CRL check for certificate #{number} in chain with subject {}",
                    GoQuoted(&subject)
                ),
            });
        }
        for server in &result.server_results {
            let Some(error) = &server.error else { continue };
            let level = if fallback && server.method == RevocationMethod::Ocsp {
                DiagnosticLevel::Debug
            } else {
                DiagnosticLevel::Error
            };
            out.push(RevocationDiagnostic {
                level,
                message: format!(
                    "Certificate #{number} in chain with subject {} encountered an error for revocation method {} at URL {}: {error}",
                    GoQuoted(&subject),
                    server.method,
                    GoQuoted(&server.url)
                ),
            });
        }
        if i + 1 < results.len() && result.status == RevocationStatus::NonRevocable {
            out.push(RevocationDiagnostic {
                level: DiagnosticLevel::Warning,
                message: format!(
                    "Certificate #{number} in the chain with subject {} neither has an OCSP nor a CRL revocation method.",
                    GoQuoted(&subject)
                ),
            });
        }
    }
    out
}
