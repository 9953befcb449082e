//! Revocation checking of certificate chains (REQUIREMENTS P1-P6).
//!
//! Fetching OCSP responses and CRLs needs the network, so checking enters
//! the verifier through the [`RevocationChecker`] trait. notation-core
//! provides [`OfflineRevocationChecker`], which needs no network: a
//! certificate without OCSP or CRL URLs is not revocable (P2) and passes;
//! any other certificate's status cannot be determined, which fails the
//! check wherever revocation is enforced. It never reports "good" for a
//! certificate it did not check.

use std::fmt;

use time::OffsetDateTime;

use crate::x509::Certificate;

/// What a chain is used for; responders and CRL issuers are checked against
/// the same purpose (P2).
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
    /// Neither OCSP nor CRL information (P2): nothing to check.
    NonRevocable,
    /// Revoked.
    Revoked,
    /// Could not be determined (P1: treated as a failure).
    Unknown,
}

/// The method that produced a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationMethod {
    /// OCSP.
    Ocsp,
    /// CRL.
    Crl,
    /// OCSP failed with an unknown result and CRL decided (P2).
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
    /// Why it gave no definitive answer, if so.
    pub error: Option<String>,
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
    /// Any other failure of the checker.
    #[error("{0}")]
    Other(String),
}

/// Checks the revocation status of every certificate of a chain.
pub trait RevocationChecker: Send + Sync {
    /// Returns one result per certificate of `chain` (leaf first).
    /// `authentic_signing_time` is the signed time of a
    /// `notary.x509.signingAuthority` signature: a revocation whose
    /// invalidity date is after it does not invalidate the signature (P5).
    fn check(
        &self,
        chain: &[Certificate],
        purpose: RevocationPurpose,
        authentic_signing_time: Option<OffsetDateTime>,
    ) -> Result<Vec<CertRevocationResult>, RevocationError>;
}

/// A checker that uses no network (see the module documentation).
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
                        error: Some(
                            "no revocation checker with network access is configured".into(),
                        ),
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

/// Whether a certificate names any OCSP responder or CRL (P2).
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
