//! An RFC 3161 timestamp authority over HTTP: the network
//! half of signing with `--timestamp-url`. The request and the checks of the
//! response are notation-core's; this module only carries the bytes.
// Requirements: O1.

use std::sync::Arc;
use std::time::{Duration, Instant};

use notation_core::algorithm::HashAlgorithm;
use notation_core::crypto::{CryptoProvider, default_provider};
use notation_core::revocation::RevocationValidator;
use notation_core::revocation::{
    RevocationChecker, RevocationPurpose, RevocationStatus, final_result,
};
use notation_core::timestamp::{
    MAX_RESPONSE_SIZE, MEDIA_TYPE_TIMESTAMP_QUERY, MEDIA_TYPE_TIMESTAMP_REPLY, TimestampError,
    TimestampRequest, TimestampResponse, Timestamper, TsaRevocationError,
};
use notation_core::x509::Certificate;
use time::OffsetDateTime;

use crate::revocation::HttpRevocationFetcher;

use crate::registry::error::DurationText;
use crate::registry::redirect::{SendError, send_following_redirects};
use crate::registry::transport::{
    BodyReadError, HttpRequest, HttpTransport, Method, Timeouts, TransportErrorKind, TrustRoots,
    UreqTransport,
};

/// Default time limit for one timestamp exchange (name lookup, connecting,
/// waiting and reading the answer, all together).
pub const DEFAULT_TSA_TIMEOUT: Duration = Duration::from_secs(30);

/// A TSA reached over HTTP. Every token it returns has been checked in
/// full against the caller's TSA root certificates (status, nonce, imprint,
/// token signature, signing-certificate-v2, the TSA chain rules) and its
/// TSA chain checked for revocation at signing time (OCSP, then CRLs, over
/// HTTP), before it is embedded in an envelope. Any failure fails signing:
/// a revoked TSA, or one whose status cannot be determined, never
/// countersigns. The revocation check is on unless a caller turns it off
/// by name ([`HttpTimestamper::without_revocation_check`]).
// Requirements: H1, H4, O1.
#[derive(Clone)]
pub struct HttpTimestamper {
    url: String,
    roots: Vec<Certificate>,
    transport: Arc<dyn HttpTransport>,
    crypto: Arc<dyn CryptoProvider>,
    revocation: Option<Arc<dyn RevocationChecker>>,
    timeout: Duration,
    timeout_hint: String,
}

impl std::fmt::Debug for HttpTimestamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTimestamper")
            .field("url", &self.url)
            .field("roots", &self.roots.len())
            .field("revocation", &self.revocation.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Checks a TSA URL as the reference checks it (tspclient-go's
/// `NewHTTPTimestamper`): an `http` or `https` scheme in any case, and a
/// host; returns the URL with its scheme in lower case. The errors are the
/// reference's (`endpoint "ftp://x": scheme must be http or https, but got
/// "ftp"`).
pub fn check_tsa_url(url: &str) -> Result<String, TimestampError> {
    // Go's `url.Parse` scheme: a letter, then letters, digits, `+ - .`,
    // before the first colon; otherwise none.
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(TimestampError::Transport(format!(
            "endpoint {}: scheme must be http or https, but got {}",
            notation_core::trust::GoQuoted(url),
            notation_core::trust::GoQuoted(&scheme)
        )));
    }
    let rest = &url[scheme.len() + 1..];
    let host = rest
        .strip_prefix("//")
        .map(|r| r.split(['/', '?', '#']).next().unwrap_or_default())
        .map(|authority| authority.rsplit_once('@').map_or(authority, |(_, h)| h))
        .unwrap_or_default();
    if host.is_empty() {
        return Err(TimestampError::Transport(format!(
            "endpoint {}: host cannot be empty",
            notation_core::trust::GoQuoted(url)
        )));
    }
    Ok(format!("{scheme}:{rest}"))
}

impl HttpTimestamper {
    /// A timestamper for `url` whose tokens must chain to one of `roots`.
    /// HTTPS uses the platform's roots; the exchange times out after
    /// [`DEFAULT_TSA_TIMEOUT`]. The TSA chain's revocation is checked with
    /// a [`RevocationValidator`] over [`HttpRevocationFetcher`] with its
    /// default timeouts and no CRL cache (see
    /// [`HttpTimestamper::with_revocation_checker`] to use another).
    pub fn new(url: impl Into<String>, roots: Vec<Certificate>) -> Result<Self, TimestampError> {
        let url = check_tsa_url(&url.into())?;
        if roots.is_empty() {
            return Err(TimestampError::Transport(
                "a TSA root certificate is required".into(),
            ));
        }
        // The exchange's deadline (set per request) bounds every phase.
        let transport = UreqTransport::new(&TrustRoots::platform(), Timeouts::default())
            .map_err(|e| TimestampError::Transport(e.to_string()))?;
        let fetcher =
            HttpRevocationFetcher::new().map_err(|e| TimestampError::Transport(e.to_string()))?;
        let revocation: Arc<dyn RevocationChecker> =
            Arc::new(RevocationValidator::builder(Arc::new(fetcher)).build());
        Ok(Self {
            url,
            roots,
            transport: Arc::new(transport),
            crypto: default_provider(),
            revocation: Some(revocation),
            timeout: DEFAULT_TSA_TIMEOUT,
            timeout_hint: "raise it with HttpTimestamper::timeout".into(),
        })
    }

    /// Limits one timestamp exchange to `timeout` (default
    /// [`DEFAULT_TSA_TIMEOUT`]), whatever the transport: name lookup,
    /// connecting, the response and its body together.
    pub fn timeout(mut self, timeout: Duration) -> Result<Self, TimestampError> {
        self.timeout = timeout;
        Ok(self)
    }

    /// How a timeout error tells the user to raise the limit (the CLI names
    /// its `--timeout` flag).
    pub fn timeout_hint(mut self, hint: impl Into<String>) -> Self {
        self.timeout_hint = hint.into();
        self
    }

    /// Uses another HTTP transport (for tests or a caller's own stack).
    pub fn with_transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = transport;
        self
    }

    /// Checks the TSA chain's revocation with `checker` (one with a CRL
    /// cache, other timeouts) instead of the default one: a revoked or
    /// undetermined certificate fails signing.
    pub fn with_revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        self.revocation = Some(checker);
        self
    }

    /// Embeds tokens without checking the TSA chain's revocation. Only for
    /// a TSA whose revocation is known some other way (an offline test
    /// TSA): a revoked TSA's tokens would be accepted at signing (and
    /// fail verification, which always checks it).
    pub fn without_revocation_check(mut self) -> Self {
        self.revocation = None;
        self
    }

    /// Uses another crypto provider.
    pub fn with_crypto_provider(mut self, crypto: Arc<dyn CryptoProvider>) -> Self {
        self.crypto = crypto;
        self
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, TimestampError> {
        let deadline = Instant::now() + self.timeout;
        let timed_out = |phase: &str| {
            TimestampError::Transport(format!(
                "{} {}: timed out {phase}: the timestamping request used up its time limit of {} ({})",
                Method::Post.as_str(),
                self.url,
                DurationText(self.timeout),
                self.timeout_hint
            ))
        };
        let request = HttpRequest::new(Method::Post, &self.url)
            .with_header("Content-Type", MEDIA_TYPE_TIMESTAMP_QUERY)
            .with_header("Accept", MEDIA_TYPE_TIMESTAMP_REPLY)
            .with_body(body)
            .with_deadline(deadline);
        let mut response =
            send_following_redirects(self.transport.as_ref(), request).map_err(|e| match e {
                SendError::Transport(e)
                    if e.kind() == TransportErrorKind::Timeout && Instant::now() >= deadline =>
                {
                    timed_out("while waiting for the response")
                }
                SendError::Transport(e) => TimestampError::Transport(format!(
                    "{} {}: {e}",
                    Method::Post.as_str(),
                    self.url
                )),
                SendError::Redirect(e) => TimestampError::Transport(e),
            })?;
        if response.status() != 200 {
            return Err(TimestampError::Transport(format!(
                "{} {}: unexpected status {}",
                Method::Post.as_str(),
                self.url,
                response.status()
            )));
        }
        // As tspclient-go: the reply's media type exactly.
        let content_type = response.headers().get("content-type").unwrap_or_default();
        if content_type != MEDIA_TYPE_TIMESTAMP_REPLY {
            return Err(TimestampError::Transport(format!(
                "{} {}: unexpected response content type: {content_type}",
                Method::Post.as_str(),
                self.url,
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
        // Checked between reads too: a transport that ignores the deadline
        // cannot make a dripping body outlast it.
        response.body_mut().set_deadline(deadline);
        match response.body_mut().read_to_vec(MAX_RESPONSE_SIZE as u64) {
            Ok(body) => Ok(body),
            Err(BodyReadError::TooLarge) => Err(TimestampError::Transport(format!(
                "{} {}: the timestamp response exceeds the limit of {MAX_RESPONSE_SIZE} bytes",
                Method::Post.as_str(),
                self.url
            ))),
            Err(BodyReadError::Io(_)) if Instant::now() >= deadline => {
                Err(timed_out("while reading the response body"))
            }
            Err(BodyReadError::Io(e)) => Err(TimestampError::Transport(format!(
                "{} {}: reading the timestamp response: {e}",
                Method::Post.as_str(),
                self.url
            ))),
        }
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
            let results = checker
                .check(chain, RevocationPurpose::Timestamping, None)
                .map_err(|e| TsaRevocationError::Check(e.to_string()))?;
            let subject = |cert: Option<&Certificate>| {
                cert.map(|c| c.subject().to_string()).unwrap_or_default()
            };
            match final_result(&results, chain) {
                (RevocationStatus::Ok | RevocationStatus::NonRevocable, _) => {}
                (RevocationStatus::Revoked, cert) => {
                    return Err(TsaRevocationError::Revoked {
                        subject: subject(cert),
                    }
                    .into());
                }
                (RevocationStatus::Unknown, cert) => {
                    return Err(TsaRevocationError::Unknown {
                        subject: subject(cert),
                    }
                    .into());
                }
            }
        }
        Ok(response.token_der().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::check_tsa_url;

    /// tspclient-go's checks of a TSA URL, and their texts.
    #[test]
    fn tsa_urls_are_checked_as_the_reference_checks_them() {
        assert_eq!(
            check_tsa_url("HTTP://tsa.example/ts").unwrap(),
            "http://tsa.example/ts"
        );
        assert_eq!(
            check_tsa_url("https://[::1]:8080/x").unwrap(),
            "https://[::1]:8080/x"
        );
        for (url, text) in [
            (
                "ftp://x",
                r#"endpoint "ftp://x": scheme must be http or https, but got "ftp""#,
            ),
            (
                "tsa.example",
                r#"endpoint "tsa.example": scheme must be http or https, but got """#,
            ),
            ("http:x", r#"endpoint "http:x": host cannot be empty"#),
            ("http:///x", r#"endpoint "http:///x": host cannot be empty"#),
            (
                "https://user@/x",
                r#"endpoint "https://user@/x": host cannot be empty"#,
            ),
        ] {
            assert_eq!(check_tsa_url(url).unwrap_err().to_string(), text, "{url}");
        }
    }
}
