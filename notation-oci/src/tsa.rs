//! An RFC 3161 timestamp authority over HTTP: the network
//! half of signing with `--timestamp-url`. The request and the checks of the
//! response are notation-core's; this module only carries the bytes.
// Requirements: O1.

use std::sync::Arc;
use std::time::Duration;

use notation_core::algorithm::HashAlgorithm;
use notation_core::crypto::{CryptoProvider, default_provider};
use notation_core::revocation::{
    RevocationChecker, RevocationPurpose, RevocationStatus, final_result,
};
use notation_core::timestamp::{
    MAX_RESPONSE_SIZE, MEDIA_TYPE_TIMESTAMP_QUERY, MEDIA_TYPE_TIMESTAMP_REPLY, TimestampError,
    TimestampRequest, TimestampResponse, Timestamper,
};
use notation_core::x509::Certificate;
use time::OffsetDateTime;

use crate::registry::transport::{
    HttpRequest, HttpTransport, Method, Timeouts, TrustRoots, UreqTransport,
};

/// Default time limit for one timestamp exchange.
pub const DEFAULT_TSA_TIMEOUT: Duration = Duration::from_secs(30);

/// A TSA reached over HTTP. Every token it returns has been checked in
/// full against the caller's TSA root certificates (status, nonce, imprint,
/// token signature, signing-certificate-v2, the TSA chain rules) and its
/// TSA chain checked for revocation at signing time, before it is embedded
/// in an envelope. Any failure fails signing.
// Requirements: S.
pub struct HttpTimestamper {
    url: String,
    roots: Vec<Certificate>,
    transport: Arc<dyn HttpTransport>,
    crypto: Arc<dyn CryptoProvider>,
    revocation: Option<Arc<dyn RevocationChecker>>,
}

impl std::fmt::Debug for HttpTimestamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTimestamper")
            .field("url", &self.url)
            .field("roots", &self.roots.len())
            .field("revocation", &self.revocation.is_some())
            .finish_non_exhaustive()
    }
}

impl HttpTimestamper {
    /// A timestamper for `url` whose tokens must chain to one of `roots`.
    /// HTTPS uses the platform's roots; the exchange times out after
    /// [`DEFAULT_TSA_TIMEOUT`].
    pub fn new(url: impl Into<String>, roots: Vec<Certificate>) -> Result<Self, TimestampError> {
        let url = url.into();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(TimestampError::Transport(format!(
                "invalid TSA URL {url:?}: want http or https"
            )));
        }
        if roots.is_empty() {
            return Err(TimestampError::Transport(
                "a TSA root certificate is required".into(),
            ));
        }
        let transport = UreqTransport::new(
            &TrustRoots::platform(),
            Timeouts::default().overall(DEFAULT_TSA_TIMEOUT),
        )
        .map_err(|e| TimestampError::Transport(e.to_string()))?;
        Ok(Self {
            url,
            roots,
            transport: Arc::new(transport),
            crypto: default_provider(),
            revocation: None,
        })
    }

    /// Limits one timestamp exchange to `timeout` (default
    /// [`DEFAULT_TSA_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Result<Self, TimestampError> {
        let transport = UreqTransport::new(
            &TrustRoots::platform(),
            Timeouts::default().overall(timeout).read(timeout),
        )
        .map_err(|e| TimestampError::Transport(e.to_string()))?;
        self.transport = Arc::new(transport);
        Ok(self)
    }

    /// Uses another HTTP transport (for tests or a caller's own stack).
    pub fn with_transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = transport;
        self
    }

    /// Checks the TSA chain's revocation after timestamping: a revoked or
    /// undetermined certificate fails signing.
    pub fn with_revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        self.revocation = Some(checker);
        self
    }

    /// Uses another crypto provider.
    pub fn with_crypto_provider(mut self, crypto: Arc<dyn CryptoProvider>) -> Self {
        self.crypto = crypto;
        self
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, TimestampError> {
        let request = HttpRequest::new(Method::Post, &self.url)
            .with_header("Content-Type", MEDIA_TYPE_TIMESTAMP_QUERY)
            .with_header("Accept", MEDIA_TYPE_TIMESTAMP_REPLY)
            .with_body(body);
        let mut response = self
            .transport
            .send(&request)
            .map_err(|e| TimestampError::Transport(e.to_string()))?;
        if response.status() != 200 {
            return Err(TimestampError::Transport(format!(
                "{} {}: unexpected status {}",
                Method::Post.as_str(),
                self.url,
                response.status()
            )));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_SIZE as u64)
        {
            return Err(TimestampError::TooLarge {
                what: "timestamp response",
                size: response.content_length().unwrap_or_default() as usize,
                limit: MAX_RESPONSE_SIZE,
            });
        }
        response
            .body_mut()
            .read_to_vec(MAX_RESPONSE_SIZE as u64)
            .map_err(|e| {
                TimestampError::Transport(format!("reading the timestamp response: {e:?}"))
            })
    }
}

impl Timestamper for HttpTimestamper {
    fn timestamp(&self, message: &[u8], hash: HashAlgorithm) -> Result<Vec<u8>, TimestampError> {
        let request = TimestampRequest::new(message, hash)?;
        let body = self.post(&request.to_der())?;
        let response = TimestampResponse::parse(&body)?;
        let verified = response.verify_for(
            &request,
            &self.roots,
            OffsetDateTime::now_utc(),
            self.crypto.as_ref(),
        )?;
        if let Some(checker) = &self.revocation {
            let chain = verified.chain();
            let results = checker.check(chain, RevocationPurpose::Timestamping, None).map_err(|e| {
                TimestampError::Transport(format!(
                    "failed to validate the revocation status of timestamping certificate chain with error: {e}"
                ))
            })?;
            match final_result(&results, chain) {
                (RevocationStatus::Ok | RevocationStatus::NonRevocable, _) => {}
                (RevocationStatus::Revoked, cert) => {
                    return Err(TimestampError::Transport(format!(
                        "timestamping certificate with subject {:?} is revoked",
                        cert.map(|c| c.subject().to_string()).unwrap_or_default()
                    )));
                }
                (RevocationStatus::Unknown, cert) => {
                    return Err(TimestampError::Transport(format!(
                        "timestamping certificate with subject {:?} revocation status is unknown",
                        cert.map(|c| c.subject().to_string()).unwrap_or_default()
                    )));
                }
            }
        }
        Ok(response.token_der().to_vec())
    }
}
