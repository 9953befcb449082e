//! The HTTP seam: our own request and response types, the [`HttpTransport`]
//! trait callers implement to bring their own HTTP stack, and the default
//! implementation on ureq ([`UreqTransport`]).
//!
//! The contract of a transport is small and strict, so that everything that
//! matters for security (redirects, credentials, limits, digests) is decided
//! by the client above it, the same way whatever the transport:
//! - it sends exactly one request and returns the response, **whatever its
//!   status** (4xx and 5xx are data, not errors);
//! - it does **not** follow redirects: a 3xx is returned as is and the
//!   client decides (bounded, loop-checked, no credentials to other hosts);
//! - it applies its own connect and read timeouts, and gives up when the
//!   request's [deadline](HttpRequest::deadline) passes, whatever it is
//!   doing then (resolving the host name, connecting, waiting for the
//!   response, or later while the client reads the body), reporting
//!   [`TransportErrorKind::Timeout`];
//! - the response body is a reader the client reads with a limit it
//!   chooses; the transport must not buffer it unboundedly.
//!
//! The client checks the deadline again between reads of a body, so a
//! transport that ignores it still cannot make a slowly dripping body last
//! longer than one read past the deadline.

use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An HTTP method used by the registry client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

impl Method {
    /// The method as Go's HTTP client names it in its errors (`Get`,
    /// `Head`, ...).
    pub fn go_op(self) -> &'static str {
        match self {
            Self::Get => "Get",
            Self::Head => "Head",
            Self::Post => "Post",
            Self::Put => "Put",
            Self::Patch => "Patch",
            Self::Delete => "Delete",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Header names whose values are secrets: `Debug` prints `<redacted>`.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// HTTP headers: an ordered list of name/value pairs, names compared
/// case-insensitively. `Debug` redacts `Authorization` and cookies.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpHeaders {
    entries: Vec<(String, String)>,
}

impl HttpHeaders {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a header (keeping earlier ones of the same name).
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// Sets a header, replacing every earlier one of the same name.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.entries.push((name, value.into()));
    }

    /// Removes every header of this name.
    pub fn remove(&mut self, name: &str) {
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The first value of the header, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the header, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for HttpHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (n, v) in &self.entries {
            if SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s)) {
                m.entry(n, &"<redacted>");
            } else {
                m.entry(n, v);
            }
        }
        m.finish()
    }
}

/// One HTTP request. The body is borrowed so that a retry (after an
/// authentication challenge) does not copy it. `Debug` shows the URL
/// without its query (pre-signed URLs carry signatures there) and the
/// body's length only (a token request's body holds a refresh token).
#[derive(Clone)]
pub struct HttpRequest<'a> {
    method: Method,
    url: String,
    headers: HttpHeaders,
    body: &'a [u8],
    deadline: Option<Instant>,
}

impl fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = match self.url.split_once('?') {
            Some((base, _)) => format!("{base}?<redacted>"),
            None => self.url.clone(),
        };
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &url)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl<'a> HttpRequest<'a> {
    /// A request without headers or body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: HttpHeaders::new(),
            body: &[],
            deadline: None,
        }
    }

    /// The moment the whole exchange must be over by, body included
    /// (builder style). The registry client sets it from its operation
    /// budget; the TSA and revocation fetchers from their timeouts.
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The deadline of the exchange, if any: the transport gives up when it
    /// passes (see the module documentation).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Sets a header (builder style).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.set(name, value);
        self
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The absolute URL (`http://` or `https://`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers.
    pub fn headers(&self) -> &HttpHeaders {
        &self.headers
    }

    /// The headers, mutable.
    pub fn headers_mut(&mut self) -> &mut HttpHeaders {
        &mut self.headers
    }

    /// The body (empty for none).
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    pub(crate) fn set_url(&mut self, url: String) {
        self.url = url;
    }
}

/// The response body: a reader the client drains with a limit of its choice.
/// Reading it directly ([`Read`]) is unbounded; prefer
/// [`read_to_vec`](Self::read_to_vec).
pub struct ResponseBody {
    reader: Box<dyn Read + Send>,
    deadline: Option<Instant>,
}

/// How much a bounded read asks for at a time.
const READ_CHUNK: usize = 16 * 1024;

impl ResponseBody {
    /// Wraps a reader.
    pub fn new(reader: impl Read + Send + 'static) -> Self {
        Self {
            reader: Box::new(reader),
            deadline: None,
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::new(std::io::empty())
    }

    /// Fails every read that starts after `deadline` with
    /// [`std::io::ErrorKind::TimedOut`]: a body that drips a byte at a time
    /// cannot outlast it by more than one read.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(self.deadline.map_or(deadline, |d| d.min(deadline)));
    }

    /// Reads the whole body if it holds at most `limit` bytes.
    /// Reads at most `limit + 1` bytes: a larger body is
    /// [`BodyReadError::TooLarge`], never an unbounded read; the buffer never
    /// grows past `limit + 1` bytes either.
    pub fn read_to_vec(&mut self, limit: u64) -> Result<Vec<u8>, BodyReadError> {
        let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; READ_CHUNK];
        while buf.len() < cap {
            let want = (cap - buf.len()).min(READ_CHUNK);
            let n = match self.read(&mut chunk[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(BodyReadError::Io(e)),
            };
            if buf.capacity() - buf.len() < n {
                // Doubling, but never past the cap (a body of exactly the
                // limit must not cost twice its size).
                let target = (buf.capacity() * 2).max(buf.len() + n).min(cap);
                buf.reserve_exact(target - buf.len());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        if buf.len() as u64 > limit {
            return Err(BodyReadError::TooLarge);
        }
        Ok(buf)
    }

    /// Reads and discards at most `limit` bytes (so that a connection can be
    /// reused after a small error body); errors are ignored.
    pub fn discard(&mut self, limit: u64) {
        let _ = std::io::copy(&mut self.take(limit), &mut std::io::sink());
    }
}

impl Read for ResponseBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(deadline) = self.deadline
            && Instant::now() >= deadline
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the deadline passed while reading the response body",
            ));
        }
        self.reader.read(buf)
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseBody")
    }
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyReadError {
    /// More bytes than the limit.
    #[error("the response body is larger than the limit")]
    TooLarge,
    /// The read failed (timeout, connection closed early, ...).
    #[error("failed to read the response body: {0}")]
    Io(std::io::Error),
}

/// One HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    status: u16,
    headers: HttpHeaders,
    body: ResponseBody,
}

impl HttpResponse {
    /// A response.
    pub fn new(status: u16, headers: HttpHeaders, body: ResponseBody) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HttpHeaders {
        &self.headers
    }

    /// The body.
    pub fn body_mut(&mut self) -> &mut ResponseBody {
        &mut self.body
    }

    /// The status, headers and body.
    pub fn into_parts(self) -> (u16, HttpHeaders, ResponseBody) {
        (self.status, self.headers, self.body)
    }

    /// The declared `Content-Length`, if present and a number.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get("content-length")
            .and_then(|v| v.trim().parse().ok())
    }
}

/// What kind of transport failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host could not be resolved or connected to.
    Connect,
    /// A timeout expired (connect, response or read).
    Timeout,
    /// The TLS handshake failed (untrusted certificate, ...).
    Tls,
    /// The URL or the request is invalid.
    InvalidRequest,
    /// The connection failed mid-exchange or the response is not HTTP.
    Io,
    /// Anything else.
    Other,
}

/// A failure below HTTP: no response was received. Carries a kind and a
/// message, never the HTTP library's own error type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    known: Option<KnownFailure>,
}

/// Failures that Go's HTTP client names in words of its own, which the
/// reference prints: the registry's errors read the same here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KnownFailure {
    ConnectionRefused,
    HostNotFound,
    /// A TLS handshake answered with something that is not TLS: in
    /// practice a plain-HTTP registry.
    NotTls,
    UnknownIssuer,
}

impl TransportError {
    /// A transport error (for custom transports).
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            known: None,
        }
    }

    fn with_known(mut self, known: Option<KnownFailure>) -> Self {
        self.known = known;
        self
    }

    /// The failure in the words of Go's HTTP client, where it is one Go
    /// names (`dial tcp 127.0.0.1:5000: connect: connection refused`,
    /// `http: server gave HTTP response to HTTPS client`, ...); else as
    /// `Display` prints it. `url` is the request's.
    pub fn text_for(&self, url: &str) -> String {
        let parsed = super::url::Url::parse(url);
        match (self.known, parsed) {
            (Some(KnownFailure::ConnectionRefused), Some(u)) => {
                // Go names the address it dialled. For an IP literal that
                // is the URL's; `localhost` is 127.0.0.1 as Go dials it
                // first; another name is given as it is, where Go names the
                // address it resolved to.
                let host = crate::reference::host_of(u.authority);
                let host = if host.eq_ignore_ascii_case("localhost") {
                    "127.0.0.1"
                } else {
                    host
                };
                format!("dial tcp {host}:{}: connect: connection refused", u.port())
            }
            (Some(KnownFailure::HostNotFound), Some(u)) => {
                // Go also names the DNS server it asked.
                format!(
                    "dial tcp: lookup {}: no such host",
                    crate::reference::host_of(u.authority)
                )
            }
            (Some(KnownFailure::NotTls), _) => {
                "http: server gave HTTP response to HTTPS client".into()
            }
            (Some(KnownFailure::UnknownIssuer), _) => {
                "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                    .into()
            }
            _ => self.to_string(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn from_io(e: &std::io::Error) -> Self {
        let (kind, known) = match classify_inner(e) {
            Some(classified) => classified,
            None => match e.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    (TransportErrorKind::Timeout, None)
                }
                std::io::ErrorKind::ConnectionRefused => (
                    TransportErrorKind::Connect,
                    Some(KnownFailure::ConnectionRefused),
                ),
                // The system resolver's answer for a name that does not
                // exist (getaddrinfo's EAI_NONAME or EAI_NODATA), which the
                // standard library reports in words only.
                _ if is_unknown_host(e) => (
                    TransportErrorKind::Connect,
                    Some(KnownFailure::HostNotFound),
                ),
                _ => (TransportErrorKind::Io, None),
            },
        };
        Self::new(kind, e.to_string()).with_known(known)
    }
}

/// The kind of the ureq or rustls error an I/O error carries, if any: ureq
/// reports timeouts while reading a body, and rustls handshake and
/// certificate failures, inside `io::Error`.
fn classify_inner(e: &std::io::Error) -> Option<(TransportErrorKind, Option<KnownFailure>)> {
    let mut inner: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|i| i as _);
    for _ in 0..8 {
        let err = inner?;
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some((TransportErrorKind::Tls, known_tls_failure(r)));
        }
        if let Some(u) = err.downcast_ref::<ureq::Error>() {
            if let ureq::Error::Io(io) = u {
                inner = io.get_ref().map(|i| i as _);
                continue;
            }
            return Some((ureq_error_kind(u), known_ureq_failure(u)));
        }
        inner = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|i| i as _),
            None => err.source(),
        };
    }
    None
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Tls => "TLS failure",
            TransportErrorKind::InvalidRequest => "invalid request",
            TransportErrorKind::Io => "I/O failure",
            TransportErrorKind::Other => "transport failure",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for TransportError {}

/// Sends HTTP requests. Implement it to bring your own HTTP stack; see the
/// module documentation for the contract (no redirects followed, statuses
/// are data, timeouts applied, bodies read by the caller with a limit).
pub trait HttpTransport: Send + Sync {
    /// Sends one request and returns the response, whatever its status.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;
}

impl<T: HttpTransport + ?Sized> HttpTransport for Arc<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}

/// Timeouts of the default transport, per request. A request's
/// [deadline](HttpRequest::deadline) shortens all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    resolve: Duration,
    connect: Duration,
    response: Duration,
    read: Duration,
    overall: Duration,
}

impl Default for Timeouts {
    /// Host name resolution 10 s, connect 30 s, response headers 60 s,
    /// 30 s without any byte while reading a body, 10 minutes per request
    /// overall.
    fn default() -> Self {
        Self {
            resolve: Duration::from_secs(10),
            connect: Duration::from_secs(30),
            response: Duration::from_secs(60),
            read: Duration::from_secs(30),
            overall: Duration::from_secs(600),
        }
    }
}

impl Timeouts {
    /// Time to resolve the host name (DNS). The lookup runs on its own
    /// thread, which is abandoned when the time is up.
    pub fn resolve(mut self, d: Duration) -> Self {
        self.resolve = d;
        self
    }

    /// Time to connect and finish the TLS handshake.
    pub fn connect(mut self, d: Duration) -> Self {
        self.connect = d;
        self
    }

    /// Time from the end of the request to the end of the response headers.
    pub fn response(mut self, d: Duration) -> Self {
        self.response = d;
        self
    }

    /// Longest wait for any single read or write on the connection (a
    /// stalled body).
    pub fn read(mut self, d: Duration) -> Self {
        self.read = d;
        self
    }

    /// Budget for one whole exchange, body included.
    pub fn overall(mut self, d: Duration) -> Self {
        self.overall = d;
        self
    }

    /// Every phase, and the whole exchange, limited to `d` (the TSA and
    /// revocation fetchers' single timeout).
    pub fn all(d: Duration) -> Self {
        Self {
            resolve: d,
            connect: d,
            response: d,
            read: d,
            overall: d,
        }
    }
}

/// The certificates a TLS server is verified against.
///
/// Without extra certificates the platform's verifier is used
/// (`rustls-platform-verifier`: the OS verifier on macOS and Windows, the
/// system CA bundle on Linux). With extra certificates, ureq can take only
/// one root set, so the set is built as the platform's root certificates
/// (`rustls-native-certs`) plus the extra ones, as Go's
/// `SystemCertPool` + `AppendCertsFromPEM` does.
#[derive(Clone, Debug, Default)]
pub struct TrustRoots {
    platform: bool,
    extra_der: Vec<Vec<u8>>,
}

impl TrustRoots {
    /// The platform's roots only.
    pub fn platform() -> Self {
        Self {
            platform: true,
            extra_der: Vec::new(),
        }
    }

    /// No roots yet: only the certificates added with
    /// [`with_pem`](Self::with_pem) (hermetic setups and tests).
    pub fn none() -> Self {
        Self {
            platform: false,
            extra_der: Vec::new(),
        }
    }

    /// Adds the certificates of a PEM bundle; every block must be a valid
    /// X.509 certificate.
    pub fn with_pem(mut self, pem: &[u8]) -> Result<Self, TransportError> {
        let certs = notation_core::x509::Certificate::parse_pem_many(pem).map_err(|e| {
            TransportError::new(
                TransportErrorKind::Tls,
                format!("invalid CA certificate PEM: {e}"),
            )
        })?;
        self.extra_der
            .extend(certs.iter().map(|c| c.der().to_vec()));
        Ok(self)
    }

    /// Whether the platform's roots are included.
    pub fn includes_platform(&self) -> bool {
        self.platform
    }

    /// How many extra certificates were added.
    pub fn extra_count(&self) -> usize {
        self.extra_der.len()
    }

    fn to_ureq(&self) -> Result<ureq::tls::RootCerts, TransportError> {
        use ureq::tls::{Certificate, RootCerts};
        if self.extra_der.is_empty() {
            if self.platform {
                return Ok(RootCerts::PlatformVerifier);
            }
            return Err(TransportError::new(
                TransportErrorKind::Tls,
                "no trusted root certificates configured",
            ));
        }
        let mut certs: Vec<Certificate<'static>> = Vec::new();
        if self.platform {
            // Errors for individual unreadable files are reported alongside
            // the certificates that loaded; an empty system store leaves the
            // extra certificates only.
            let native = rustls_native_certs::load_native_certs();
            certs.extend(
                native
                    .certs
                    .iter()
                    .map(|c| Certificate::from_der(c.as_ref()).to_owned()),
            );
        }
        certs.extend(
            self.extra_der
                .iter()
                .map(|d| Certificate::from_der(d).to_owned()),
        );
        Ok(RootCerts::new_with_certs(&certs))
    }
}

/// Idle connections kept per host, and in all, for reuse.
const MAX_IDLE_CONNECTIONS_PER_HOST: usize = 32;
const MAX_IDLE_CONNECTIONS: usize = 128;

/// The default transport: one `ureq::Agent` (connection pool) with rustls,
/// no redirects followed, HTTP statuses returned as data, and timeouts.
pub struct UreqTransport {
    agent: ureq::Agent,
    overall: Duration,
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UreqTransport")
    }
}

impl UreqTransport {
    /// A transport verifying servers against `roots`, with `timeouts`.
    pub fn new(roots: &TrustRoots, timeouts: Timeouts) -> Result<Self, TransportError> {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(roots.to_ureq()?)
            .build();
        let proxy = ureq::Proxy::try_from_env().map(|p| loopback_exempt(p, no_proxy_env()));
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .tls_config(tls)
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent("")
            .accept("")
            .timeout_resolve(Some(timeouts.resolve))
            .timeout_connect(Some(timeouts.connect))
            .timeout_recv_response(Some(timeouts.response))
            .timeout_per_read(Some(timeouts.read))
            .timeout_per_write(Some(timeouts.read))
            .timeout_global(Some(timeouts.overall))
            // Concurrent work on one registry (a batch verification) keeps
            // its connections: ureq's default of 3 idle connections per
            // host would close and reopen most of them.
            .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS_PER_HOST)
            .max_idle_connections(MAX_IDLE_CONNECTIONS)
            .build();
        Ok(Self {
            agent: config.new_agent(),
            overall: timeouts.overall,
        })
    }

    fn build<B: ureq::AsSendBody>(
        &self,
        request: &HttpRequest<'_>,
        body: B,
    ) -> Result<ureq::http::Request<B>, TransportError> {
        let method = match request.method() {
            Method::Get => ureq::http::Method::GET,
            Method::Head => ureq::http::Method::HEAD,
            Method::Post => ureq::http::Method::POST,
            Method::Put => ureq::http::Method::PUT,
            Method::Patch => ureq::http::Method::PATCH,
            Method::Delete => ureq::http::Method::DELETE,
        };
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(request.url());
        for (n, v) in request.headers().iter() {
            builder = builder.header(n, v);
        }
        let built = builder
            .body(body)
            .map_err(|e| TransportError::new(TransportErrorKind::InvalidRequest, e.to_string()))?;
        let Some(deadline) = request.deadline() else {
            return Ok(built);
        };
        // ureq's global timeout covers everything of one request: the name
        // lookup, connecting, the response and reading the body.
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(TransportError::new(
                TransportErrorKind::Timeout,
                "the deadline passed before the request was sent",
            ));
        }
        Ok(self
            .agent
            .configure_request(built)
            .timeout_global(Some(remaining.min(self.overall)))
            .build())
    }
}

fn no_proxy_env() -> Option<String> {
    std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .ok()
}

/// The proxy from the environment (`HTTPS_PROXY`, ...) with loopback
/// hosts exempted as Go's `http.ProxyFromEnvironment` does: local
/// registries are never reached through a proxy. `NO_PROXY` entries are
/// kept.
fn loopback_exempt(proxy: ureq::Proxy, no_proxy: Option<String>) -> ureq::Proxy {
    let mut b = ureq::Proxy::builder(proxy.protocol())
        .host(proxy.host())
        .port(proxy.port())
        .resolve_target(proxy.resolve_target());
    if let Some(u) = proxy.username() {
        b = b.username(u);
    }
    if let Some(p) = proxy.password() {
        b = b.password(p);
    }
    for entry in no_proxy
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        b = b.no_proxy(entry);
    }
    for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
        b = b.no_proxy(host);
    }
    b.build().unwrap_or(proxy)
}

fn ureq_error_kind(e: &ureq::Error) -> TransportErrorKind {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => TransportErrorKind::Timeout,
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => {
            TransportErrorKind::Connect
        }
        E::Tls(_) | E::Pem(_) | E::Rustls(_) | E::TlsRequired => TransportErrorKind::Tls,
        E::BadUri(_) | E::Http(_) | E::InvalidProxyUrl | E::RequireHttpsOnly(_) => {
            TransportErrorKind::InvalidRequest
        }
        E::Protocol(_) | E::LargeResponseHeader(..) => TransportErrorKind::Io,
        _ => TransportErrorKind::Other,
    }
}

fn is_unknown_host(e: &std::io::Error) -> bool {
    let text = e.to_string();
    text.starts_with("failed to lookup address information")
        && (text.contains("Name or service not known")
            || text.contains("No address associated with hostname"))
}

fn known_tls_failure(e: &rustls::Error) -> Option<KnownFailure> {
    match e {
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
            Some(KnownFailure::NotTls)
        }
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
            Some(KnownFailure::UnknownIssuer)
        }
        _ => None,
    }
}

fn known_ureq_failure(e: &ureq::Error) -> Option<KnownFailure> {
    match e {
        ureq::Error::HostNotFound => Some(KnownFailure::HostNotFound),
        ureq::Error::Rustls(r) => known_tls_failure(r),
        _ => None,
    }
}

fn map_ureq_error(e: ureq::Error) -> TransportError {
    match &e {
        ureq::Error::Io(io) => TransportError::from_io(io),
        other => TransportError::new(ureq_error_kind(other), e.to_string())
            .with_known(known_ureq_failure(other)),
    }
}

impl HttpTransport for UreqTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let result = match request.method() {
            // ureq refuses a body on these methods; we never send one.
            Method::Get | Method::Head | Method::Delete => self.agent.run(self.build(request, ())?),
            _ => self.agent.run(self.build(request, request.body())?),
        };
        let response = result.map_err(map_ureq_error)?;
        let (parts, body) = response.into_parts();
        let mut headers = HttpHeaders::new();
        for (n, v) in &parts.headers {
            // Non-UTF-8 header values are kept lossily; none that matters to
            // the protocol is binary.
            headers.append(
                n.as_str(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            );
        }
        // ureq's own body limit is lifted: the client applies its limits.
        let reader = body.into_with_config().limit(u64::MAX).reader();
        let mut body = ResponseBody::new(reader);
        if let Some(deadline) = request.deadline() {
            body.set_deadline(deadline);
        }
        Ok(HttpResponse::new(parts.status.as_u16(), headers, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_failures_read_as_go_words_them() {
        let refused =
            TransportError::from_io(&std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(refused.kind(), TransportErrorKind::Connect);
        for (url, text) in [
            (
                "http://127.0.0.1:5000/v2/",
                "dial tcp 127.0.0.1:5000: connect: connection refused",
            ),
            (
                "https://[::1]/v2/",
                "dial tcp [::1]:443: connect: connection refused",
            ),
            (
                "http://LocalHost:5000/v2/",
                "dial tcp 127.0.0.1:5000: connect: connection refused",
            ),
            (
                "http://Registry.Example/v2/",
                "dial tcp Registry.Example:80: connect: connection refused",
            ),
        ] {
            assert_eq!(refused.text_for(url), text);
        }
        let not_tls = TransportError::from_io(&std::io::Error::other(
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
        ));
        assert_eq!(not_tls.kind(), TransportErrorKind::Tls);
        assert_eq!(
            not_tls.text_for("https://127.0.0.1:5000/v2/"),
            "http: server gave HTTP response to HTTPS client"
        );
        // Anything else keeps its own words.
        let other = TransportError::new(TransportErrorKind::Io, "connection reset");
        assert_eq!(other.text_for("http://x/v2/"), other.to_string());
    }

    #[test]
    fn headers_are_case_insensitive_and_redacted_in_debug() {
        let mut h = HttpHeaders::new();
        h.append("Authorization", "Bearer secret-token");
        h.append("Link", "<a>");
        h.append("link", "<b>");
        assert_eq!(h.get("AUTHORIZATION"), Some("Bearer secret-token"));
        assert_eq!(h.get_all("LINK").collect::<Vec<_>>(), ["<a>", "<b>"]);
        let dbg = format!("{h:?}");
        assert!(!dbg.contains("secret-token"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
        let req = HttpRequest::new(Method::Get, "http://x/v2/")
            .with_header("authorization", "Basic c2VjcmV0");
        assert!(!format!("{req:?}").contains("c2VjcmV0"));
        // A token request's body (a refresh token) and a pre-signed URL's
        // query are not shown either.
        let body = b"grant_type=refresh_token&refresh_token=identity-secret";
        let req = HttpRequest::new(Method::Post, "https://cdn/blob?X-Amz-Signature=sig-secret")
            .with_body(body);
        let dbg = format!("{req:?}");
        assert!(!dbg.contains("secret"), "{dbg}");
        assert!(dbg.contains(&format!("body_len: {}", body.len())), "{dbg}");
        h.set("link", "<c>");
        assert_eq!(h.get_all("Link").collect::<Vec<_>>(), ["<c>"]);
    }

    #[test]
    fn body_reads_are_bounded() {
        let mut b = ResponseBody::new(std::io::Cursor::new(vec![7u8; 10]));
        assert!(matches!(b.read_to_vec(9), Err(BodyReadError::TooLarge)));
        let mut b = ResponseBody::new(std::io::Cursor::new(vec![7u8; 10]));
        assert_eq!(b.read_to_vec(10).unwrap().len(), 10);
        // An endless body is cut at the limit.
        let mut b = ResponseBody::new(std::io::repeat(1));
        assert!(matches!(b.read_to_vec(1024), Err(BodyReadError::TooLarge)));
    }

    /// DNS is bounded: without `timeout_resolve` a lookup ran as long as
    /// the whole request allowed (10 minutes).
    #[test]
    fn name_lookups_are_bounded() {
        let t = UreqTransport::new(&TrustRoots::platform(), Timeouts::default()).unwrap();
        assert_eq!(
            t.agent.config().timeouts().resolve,
            Some(Duration::from_secs(10))
        );
        let t = UreqTransport::new(
            &TrustRoots::platform(),
            Timeouts::all(Duration::from_secs(2)),
        )
        .unwrap();
        assert_eq!(
            t.agent.config().timeouts().resolve,
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn bounded_reads_never_reserve_past_the_limit() {
        let mut b = ResponseBody::new(std::io::Cursor::new(vec![7u8; 100_000]));
        let v = b.read_to_vec(100_000).unwrap();
        assert_eq!(v.len(), 100_000);
        assert!(v.capacity() <= 100_001, "{}", v.capacity());
        let mut b = ResponseBody::new(std::io::repeat(0));
        b.set_deadline(Instant::now());
        match b.read_to_vec(10) {
            Err(BodyReadError::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::TimedOut),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn env_proxies_skip_loopback() {
        let p = loopback_exempt(
            ureq::Proxy::new("http://user:pw@proxy.example:3128").unwrap(),
            Some("internal.example, .corp".into()),
        );
        let uri = |u: &str| u.parse::<ureq::http::Uri>().unwrap();
        for local in [
            "http://localhost:5000/v2/",
            "http://127.0.0.1:5000/v2/",
            "http://[::1]:5000/v2/",
        ] {
            assert!(p.is_no_proxy(&uri(local)), "{local}");
        }
        assert!(p.is_no_proxy(&uri("https://internal.example/v2/")));
        assert!(!p.is_no_proxy(&uri("https://registry.example/v2/")));
        assert_eq!(
            (p.host(), p.port(), p.username()),
            ("proxy.example", 3128, Some("user"))
        );
    }

    #[test]
    fn trust_roots_reject_bad_pem() {
        assert!(TrustRoots::platform().with_pem(b"not pem").is_err());
        assert!(TrustRoots::none().to_ureq().is_err());
        assert!(matches!(
            TrustRoots::platform().to_ureq().unwrap(),
            ureq::tls::RootCerts::PlatformVerifier
        ));
    }
}
