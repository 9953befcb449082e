//! [`RevocationValidator`]: the OCSP/CRL revocation checker of a chain,
//! networked through a [`RevocationFetcher`].
// Requirements: P1, P2.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::cache::CrlCache;
use super::crl::{self, CrlBundle, CrlFetchError};
use super::fetch::{
    CRL_MAX_SIZE, DEFAULT_CRL_TIMEOUT, DEFAULT_OCSP_TIMEOUT, OCSP_MAX_RESPONSE_SIZE,
    RevocationFetcher,
};
use super::ocsp;
use super::{
    CertRevocationResult, RevocationChecker, RevocationError, RevocationMethod, RevocationPurpose,
    RevocationStatus,
};
use crate::crypto::{CryptoProvider, default_provider};
use crate::x509::Certificate;
use crate::x509::chain::{ChainPurpose, validate_chain};

/// How many certificates of one chain are checked at the same time.
pub const DEFAULT_MAX_PARALLEL_CHECKS: usize = 4;
/// How long the revocation check of a whole chain may take by default:
/// every OCSP request and CRL download of the chain must be over by then
/// (each still within its own timeout). Room for an OCSP failure, a CRL
/// and a delta CRL per certificate, in parallel.
pub const DEFAULT_CHAIN_TIMEOUT: Duration = Duration::from_secs(20);
/// How many OCSP responder URLs, and how many CRL (and delta CRL) URLs, are
/// tried per certificate by default; a certificate naming more gets the
/// first ones tried (real certificates name one or two).
pub const DEFAULT_MAX_URLS_PER_CERTIFICATE: usize = 4;

type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Checks the revocation status of certificate chains with OCSP and CRLs,
/// as notation-core-go's `revocation.Validator`:
///
/// 1. the chain is validated again as an ordered chain for the purpose
///    (issuer signatures and the certificate rules), failing with "invalid
///    chain: expected chain to be correct and complete: …";
/// 2. the root (last certificate) is never checked;
/// 3. every other certificate without OCSP responder and without CRL
///    distribution point is not revocable;
/// 4. OCSP is used when the certificate names a responder; when its
///    result is unknown (no answer, or the responder does not know the
///    certificate) and the certificate names CRLs, the CRLs decide and the
///    method is [`RevocationMethod::OcspFallbackCrl`];
/// 5. otherwise its CRLs decide.
///
/// Certificates of a chain that name a responder or a CRL are checked in
/// parallel (scoped threads, at most [`DEFAULT_MAX_PARALLEL_CHECKS`] at once
/// by default); the others need no thread.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use notation_core::revocation::{
///     CrlHttpRequest, FetchError, MemoryCrlCache, OcspHttpRequest, RevocationFetcher,
///     RevocationValidator,
/// };
///
/// /// An air-gapped fetcher: nothing is reachable.
/// struct Offline;
/// impl RevocationFetcher for Offline {
///     fn fetch_ocsp(&self, _: &OcspHttpRequest) -> Result<Vec<u8>, FetchError> {
///         Err(FetchError::transport("offline"))
///     }
///     fn fetch_crl(&self, _: &CrlHttpRequest) -> Result<Vec<u8>, FetchError> {
///         Err(FetchError::transport("offline"))
///     }
/// }
///
/// let validator = RevocationValidator::builder(Arc::new(Offline))
///     .crl_cache(Arc::new(MemoryCrlCache::new()))
///     .ocsp_timeout(Duration::from_secs(1))
///     .build();
/// # let _ = validator;
/// ```
// Requirements: P3, P4, P5.
#[derive(Clone)]
pub struct RevocationValidator {
    fetcher: Arc<dyn RevocationFetcher>,
    cache: Option<Arc<dyn CrlCache>>,
    cache_errors_fatal: bool,
    ocsp_timeout: Duration,
    crl_timeout: Duration,
    ocsp_max_size: usize,
    crl_max_size: usize,
    clock: Clock,
    crypto: Arc<dyn CryptoProvider>,
    max_parallel: usize,
    chain_timeout: Duration,
    max_urls: usize,
}

/// Configures a [`RevocationValidator`].
#[must_use]
pub struct RevocationValidatorBuilder {
    inner: RevocationValidator,
}

impl RevocationValidator {
    /// A builder with the reference's defaults: OCSP timeout 2 s and
    /// response limit 20 KiB, CRL timeout 5 s and size limit 32 MiB, no CRL
    /// cache, the system clock and the default crypto provider; and, beyond
    /// the reference, 20 s for a whole chain and at most 4 OCSP and 4 CRL
    /// URLs tried per certificate, so that a certificate naming thousands
    /// cannot make a check last hours.
    pub fn builder(fetcher: Arc<dyn RevocationFetcher>) -> RevocationValidatorBuilder {
        RevocationValidatorBuilder {
            inner: RevocationValidator {
                fetcher,
                cache: None,
                cache_errors_fatal: false,
                ocsp_timeout: DEFAULT_OCSP_TIMEOUT,
                crl_timeout: DEFAULT_CRL_TIMEOUT,
                ocsp_max_size: OCSP_MAX_RESPONSE_SIZE,
                crl_max_size: CRL_MAX_SIZE,
                clock: Arc::new(OffsetDateTime::now_utc),
                crypto: default_provider(),
                max_parallel: DEFAULT_MAX_PARALLEL_CHECKS,
                chain_timeout: DEFAULT_CHAIN_TIMEOUT,
                max_urls: DEFAULT_MAX_URLS_PER_CERTIFICATE,
            },
        }
    }

    /// Fetches the CRL bundle of a distribution point URL the way a check
    /// does (cache, base CRL, delta CRL from its Freshest CRL extension),
    /// without validating it. Useful to warm a cache.
    pub fn fetch_crl_bundle(&self, url: &str) -> Result<CrlBundle, CrlFetchError> {
        crl::fetch_bundle(&self.context((self.clock)(), None), url, None).map(|(bundle, _)| bundle)
    }

    fn context(
        &self,
        now: OffsetDateTime,
        signing_time: Option<OffsetDateTime>,
    ) -> CheckContext<'_> {
        CheckContext {
            fetcher: self.fetcher.as_ref(),
            cache: self.cache.as_deref(),
            cache_errors_fatal: self.cache_errors_fatal,
            ocsp_timeout: self.ocsp_timeout,
            crl_timeout: self.crl_timeout,
            ocsp_max_size: self.ocsp_max_size,
            crl_max_size: self.crl_max_size,
            now,
            signing_time,
            crypto: self.crypto.as_ref(),
            deadline: Instant::now() + self.chain_timeout,
            chain_timeout: self.chain_timeout,
            max_urls: self.max_urls,
        }
    }
}

impl RevocationValidatorBuilder {
    /// Caches CRL bundles. Without a cache every check downloads.
    // Requirements: P6.
    pub fn crl_cache(mut self, cache: Arc<dyn CrlCache>) -> Self {
        self.inner.cache = Some(cache);
        self
    }

    /// Whether a failing cache fails the CRL check (default `false`: a
    /// cache error costs a download, as in the Notation CLI, which sets
    /// notation-core-go's `DiscardCacheError`).
    pub fn cache_errors_fatal(mut self, fatal: bool) -> Self {
        self.inner.cache_errors_fatal = fatal;
        self
    }

    /// The time each OCSP responder has (default 2 s).
    // Requirements: P3.
    pub fn ocsp_timeout(mut self, timeout: Duration) -> Self {
        self.inner.ocsp_timeout = timeout;
        self
    }

    /// The time each CRL download has (default 5 s).
    // Requirements: P4.
    pub fn crl_timeout(mut self, timeout: Duration) -> Self {
        self.inner.crl_timeout = timeout;
        self
    }

    /// The largest OCSP response accepted (default 20 KiB).
    pub fn ocsp_max_response_size(mut self, bytes: usize) -> Self {
        self.inner.ocsp_max_size = bytes;
        self
    }

    /// The largest CRL accepted (default 32 MiB).
    pub fn crl_max_size(mut self, bytes: usize) -> Self {
        self.inner.crl_max_size = bytes;
        self
    }

    /// Where the current time comes from (default: the system clock). The
    /// time is read once per chain.
    pub fn clock(mut self, now: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Self {
        self.inner.clock = Arc::new(now);
        self
    }

    /// The crypto provider that verifies chains, OCSP responses and CRLs.
    pub fn crypto_provider(mut self, crypto: Arc<dyn CryptoProvider>) -> Self {
        self.inner.crypto = crypto;
        self
    }

    /// How many certificates of a chain are checked at once (at least 1;
    /// 1 checks them one after the other).
    pub fn max_parallel_checks(mut self, n: usize) -> Self {
        self.inner.max_parallel = n.max(1);
        self
    }

    /// How long the check of a whole chain may take (default 20 s): each
    /// request's timeout is cut to what is left, and no request starts
    /// after it; certificates left unchecked are unknown.
    pub fn chain_timeout(mut self, timeout: Duration) -> Self {
        self.inner.chain_timeout = timeout;
        self
    }

    /// How many OCSP URLs, and how many CRL and delta CRL URLs, are tried
    /// per certificate (default 4; at least 1).
    pub fn max_urls_per_certificate(mut self, n: usize) -> Self {
        self.inner.max_urls = n.max(1);
        self
    }

    /// The validator.
    pub fn build(self) -> RevocationValidator {
        self.inner
    }
}

impl fmt::Debug for RevocationValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationValidator")
            .field("crl_cache", &self.cache.is_some())
            .field("cache_errors_fatal", &self.cache_errors_fatal)
            .field("ocsp_timeout", &self.ocsp_timeout)
            .field("crl_timeout", &self.crl_timeout)
            .field("ocsp_max_size", &self.ocsp_max_size)
            .field("crl_max_size", &self.crl_max_size)
            .field("crypto", &self.crypto)
            .field("max_parallel", &self.max_parallel)
            .field("chain_timeout", &self.chain_timeout)
            .field("max_urls", &self.max_urls)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RevocationValidatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// Everything one check needs, borrowed from the validator.
pub(crate) struct CheckContext<'a> {
    pub fetcher: &'a dyn RevocationFetcher,
    pub cache: Option<&'a dyn CrlCache>,
    pub cache_errors_fatal: bool,
    pub ocsp_timeout: Duration,
    pub crl_timeout: Duration,
    pub ocsp_max_size: usize,
    pub crl_max_size: usize,
    pub now: OffsetDateTime,
    pub signing_time: Option<OffsetDateTime>,
    pub crypto: &'a dyn CryptoProvider,
    /// When the whole chain's check must be over.
    pub deadline: Instant,
    pub chain_timeout: Duration,
    pub max_urls: usize,
}

impl CheckContext<'_> {
    /// The timeout of a request whose own limit is `per_request`: cut to
    /// what is left of the chain's time; `None` once it is used up (the
    /// request is not sent).
    pub fn request_timeout(&self, per_request: Duration) -> Option<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        (!left.is_zero()).then(|| per_request.min(left))
    }

    /// Whether the chain's time is used up.
    pub fn past_deadline(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

impl RevocationChecker for RevocationValidator {
    fn check(
        &self,
        chain: &[Certificate],
        purpose: RevocationPurpose,
        authentic_signing_time: Option<OffsetDateTime>,
    ) -> Result<Vec<CertRevocationResult>, RevocationError> {
        if chain.is_empty() {
            return Err(RevocationError::InvalidChain(
                "chain does not contain any certificates".into(),
            ));
        }
        // P2 [impl]: the chain is validated again before any request, so
        // that no responder is asked about a certificate its alleged issuer
        // did not sign. No signing time: validity is not this step's
        // business.
        let chain_purpose = match purpose {
            RevocationPurpose::CodeSigning => ChainPurpose::CodeSigning,
            RevocationPurpose::Timestamping => ChainPurpose::Timestamping,
        };
        validate_chain(chain, None, chain_purpose, self.crypto.as_ref())
            .map_err(RevocationError::Chain)?;

        let ctx = self.context((self.clock)(), authentic_signing_time);
        let pairs: Vec<(&Certificate, &Certificate)> =
            chain.iter().zip(chain.iter().skip(1)).collect();
        // A certificate that names neither responder nor CRL is decided
        // without a request: no thread is spawned for it.
        let mut results: Vec<Option<CertRevocationResult>> = pairs
            .iter()
            .map(|&(cert, _)| (!asks_a_server(cert)).then(CertRevocationResult::non_revocable))
            .collect();
        let online: Vec<usize> = (0..pairs.len()).filter(|&i| results[i].is_none()).collect();
        for batch in online.chunks(self.max_parallel) {
            if let [i] = *batch {
                results[i] = Some(check_certificate(&ctx, pairs[i].0, pairs[i].1));
                continue;
            }
            std::thread::scope(|s| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|&i| {
                        let ctx = &ctx;
                        let (cert, issuer) = pairs[i];
                        (i, s.spawn(move || check_certificate(ctx, cert, issuer)))
                    })
                    .collect();
                for (i, h) in handles {
                    // A panicking fetcher is a bug of the caller's: let it
                    // surface rather than report a status.
                    results[i] = Some(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
                }
            });
        }
        let mut results: Vec<CertRevocationResult> = results.into_iter().flatten().collect();
        // P2 [impl]: the root is never checked.
        results.push(CertRevocationResult::non_revocable());
        Ok(results)
    }
}

/// Whether the check of `cert` may send a request: it names an OCSP
/// responder or a CRL distribution point this checker reads.
fn asks_a_server(cert: &Certificate) -> bool {
    !cert.ocsp_urls().is_empty() || crl::supported(cert)
}

/// The check of one non-root certificate.
// Requirements: P2.
fn check_certificate(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
) -> CertRevocationResult {
    let has_crl = crl::supported(cert);
    if !cert.ocsp_urls().is_empty() {
        let ocsp = ocsp::check_certificate(ctx, cert, issuer);
        if ocsp.status == RevocationStatus::Unknown && has_crl {
            let crl = crl::check_certificate(ctx, cert, issuer);
            let mut server_results = ocsp.server_results;
            server_results.extend(crl.server_results);
            return CertRevocationResult {
                status: crl.status,
                method: Some(RevocationMethod::OcspFallbackCrl),
                server_results,
            };
        }
        return ocsp;
    }
    if has_crl {
        return crl::check_certificate(ctx, cert, issuer);
    }
    CertRevocationResult::non_revocable()
}
