//! The network half of revocation checking: an
//! HTTP [`RevocationFetcher`] for notation-core's OCSP and CRL logic, and a
//! file-backed CRL cache under `{NOTATION_CACHE}/crl/`, as the reference CLI
//! keeps it.
//!
//! ```no_run
//! use std::sync::Arc;
//! use notation_oci::revocation::{FileCrlCache, HttpRevocationFetcher};
//! use notation_core::revocation::RevocationValidator;
//!
//! let checker = RevocationValidator::builder(Arc::new(HttpRevocationFetcher::new()?))
//!     .crl_cache(Arc::new(FileCrlCache::new(notation_core::config::cache_dir())))
//!     .build();
//! # Ok::<(), notation_core::revocation::FetchError>(())
//! ```
// Requirements: P3, P4, P6.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notation_core::revocation::{
    CacheError, Crl, CrlBundle, CrlCache, CrlHttpRequest, FetchError, OcspHttpRequest, OcspMethod,
    RevocationFetcher,
};

use crate::registry::redirect::{SendError, send_following_redirects};
use crate::registry::transport::{
    BodyReadError, HttpRequest, HttpResponse, HttpTransport, Method, Timeouts, TransportErrorKind,
    TrustRoots, UreqTransport,
};

/// Fetches OCSP responses and CRLs over HTTP. The timeouts and size limits
/// are the request's (notation-core sets them: 2 s / 20 KiB for OCSP, 5 s /
/// 32 MiB for CRLs by default, configurable, shortened to what is left of
/// the chain's time limit); the timeout covers the whole exchange: name
/// lookup, connecting, the response and its body, so a server that drips
/// its answer gets no more. Only `http` URLs reach here (notation-core
/// refuses others); redirects to `http` and `https` are followed as the
/// reference's Go client follows them (10 requests at most), within the same time.
// Requirements: P3, P4.
pub struct HttpRevocationFetcher {
    transport: Arc<dyn HttpTransport>,
}

impl std::fmt::Debug for HttpRevocationFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRevocationFetcher")
            .finish_non_exhaustive()
    }
}

impl HttpRevocationFetcher {
    /// A fetcher over the default (ureq) transport.
    pub fn new() -> Result<Self, FetchError> {
        // The per-request deadline bounds every phase; the transport's own
        // timeouts are only the outer bounds.
        let transport: Arc<dyn HttpTransport> = Arc::new(
            UreqTransport::new(&TrustRoots::platform(), Timeouts::default())
                .map_err(FetchError::transport)?,
        );
        Ok(Self::with_transport(transport))
    }

    /// A fetcher over a caller's transport, which must honour the requests'
    /// deadlines (the body reads are checked against them here too).
    pub fn with_transport(transport: Arc<dyn HttpTransport>) -> Self {
        Self { transport }
    }

    fn exchange(
        &self,
        request: HttpRequest<'_>,
        timeout: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<u8>, FetchError> {
        let deadline = std::time::Instant::now() + timeout;
        let mut response: HttpResponse =
            send_following_redirects(self.transport.as_ref(), request.with_deadline(deadline))
                .map_err(|e| match e {
                    SendError::Transport(e) if e.kind() == TransportErrorKind::Timeout => {
                        FetchError::Timeout
                    }
                    e => FetchError::transport(e),
                })?;
        if response.status() != 200 {
            return Err(FetchError::HttpStatus {
                status: response.status(),
            });
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(FetchError::TooLarge { limit });
        }
        response.body_mut().set_deadline(deadline);
        let body = response
            .body_mut()
            .read_to_vec(limit as u64)
            .map_err(|e| match e {
                BodyReadError::TooLarge => FetchError::TooLarge { limit },
                BodyReadError::Io(_) if std::time::Instant::now() >= deadline => {
                    FetchError::Timeout
                }
                BodyReadError::Io(e) => FetchError::transport(e),
            })?;
        if body.len() > limit {
            return Err(FetchError::TooLarge { limit });
        }
        Ok(body)
    }
}

impl RevocationFetcher for HttpRevocationFetcher {
    fn fetch_ocsp(&self, request: &OcspHttpRequest) -> Result<Vec<u8>, FetchError> {
        let http = match request.method() {
            OcspMethod::Get => HttpRequest::new(Method::Get, request.url()),
            OcspMethod::Post => HttpRequest::new(Method::Post, request.url())
                .with_header(
                    "Content-Type",
                    request.content_type().unwrap_or("application/ocsp-request"),
                )
                .with_body(request.body().unwrap_or_default()),
        }
        .with_header("Accept", "application/ocsp-response");
        self.exchange(http, request.timeout(), request.max_response_size())
    }

    fn fetch_crl(&self, request: &CrlHttpRequest) -> Result<Vec<u8>, FetchError> {
        self.exchange(
            HttpRequest::new(Method::Get, request.url()),
            request.timeout(),
            request.max_size(),
        )
    }
}

/// The CRL cache of the reference CLI: `{cache dir}/crl/<sha256(url)>`,
/// in the reference's format (`{"baseCRL": <base64 DER>, "deltaCRL": ...}`,
/// so that notation-rs and the reference share one cache), written
/// atomically and owner-only ([`notation_core::file::AtomicWrite`]). A corrupt
/// or unreadable entry is an error that the checker treats as a miss (it
/// downloads again); [`FileCrlCache::had_errors`] tells the caller to warn.
// Requirements: P6.
#[derive(Debug)]
pub struct FileCrlCache {
    dir: PathBuf,
    errors: std::sync::atomic::AtomicBool,
}

/// Largest cache entry read (base and delta CRL, 32 MiB each, base64).
const MAX_ENTRY: u64 = 96 * 1024 * 1024;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "baseCRL")]
    base_crl: String,
    #[serde(rename = "deltaCRL", default, skip_serializing_if = "Option::is_none")]
    delta_crl: Option<String>,
}

impl FileCrlCache {
    /// A cache in `{cache_dir}/crl` (created when first written).
    pub fn new(cache_dir: impl AsRef<Path>) -> Self {
        Self {
            dir: cache_dir.as_ref().join("crl"),
            errors: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The entry file of `url`.
    pub fn entry_path(&self, url: &str) -> PathBuf {
        let digest = notation_core::algorithm::HashAlgorithm::Sha256.digest(url.as_bytes());
        self.dir.join(notation_core::hex::encode(&digest))
    }

    /// Whether any cache operation failed (the reference then prints
    /// "Warning: CRL cache error discarded. ...").
    pub fn had_errors(&self) -> bool {
        self.errors.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn fail(&self, message: String) -> CacheError {
        self.errors
            .store(true, std::sync::atomic::Ordering::Relaxed);
        CacheError::new(message)
    }
}

impl CrlCache for FileCrlCache {
    fn get(&self, url: &str) -> Result<Option<CrlBundle>, CacheError> {
        use base64::Engine;
        use std::io::Read;
        let path = self.entry_path(url);
        let file = match notation_core::file::open_regular(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(self.fail(format!(
                    "failed to get crl bundle from file cache with key {url:?}: {e}"
                )));
            }
        };
        let mut data = Vec::new();
        file.take(MAX_ENTRY + 1)
            .read_to_end(&mut data)
            .map_err(|e| self.fail(format!("{}: {e}", path.display())))?;
        let entry: Entry = serde_json::from_slice(&data).map_err(|e| {
            self.fail(format!(
                "failed to decode file retrieved from file cache: {e}"
            ))
        })?;
        let decode = |b64: &str, what: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| e.to_string())
                .and_then(|der| Crl::from_der(&der).map_err(|e| e.to_string()))
                .map_err(|e| {
                    self.fail(format!(
                        "failed to parse {what} CRL of file retrieved from file cache: {e}"
                    ))
                })
        };
        let base = decode(&entry.base_crl, "base")?;
        let delta = match &entry.delta_crl {
            Some(d) => Some(decode(d, "delta")?),
            None => None,
        };
        Ok(Some(CrlBundle::new(base, delta)))
    }

    fn set(&self, url: &str, bundle: &CrlBundle) -> Result<(), CacheError> {
        use base64::Engine;
        let b64 = |crl: &Crl| base64::engine::general_purpose::STANDARD.encode(crl.der());
        let entry = Entry {
            base_crl: b64(bundle.base()),
            delta_crl: bundle.delta().map(b64),
        };
        let data = serde_json::to_vec(&entry).expect("entry serializes");
        // Owner-only, as the reference's cache; a unique temporary file per
        // write, since the revocation threads may fill one entry at once.
        let path = self.entry_path(url);
        notation_core::file::AtomicWrite::private()
            .write(&path, &data)
            .map_err(|e| {
                self.fail(format!(
                    "failed to store crl bundle in file cache: {}: {e}",
                    path.display()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_per_url_and_corruption_is_a_miss_error() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FileCrlCache::new(dir.path());
        assert!(cache.get("http://example/crl").unwrap().is_none());
        let p = cache.entry_path("http://example/crl");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"garbage").unwrap();
        assert!(cache.get("http://example/crl").is_err());
        assert!(cache.had_errors());
        assert_ne!(cache.entry_path("http://a"), cache.entry_path("http://b"));
    }
}
