//! Errors of the registry client, layered by where they arise: the transport
//! (no HTTP response at all), the registry's answer (an HTTP status with the
//! registry's error codes), integrity (digest or size does not match),
//! limits, authentication, and protocol violations.
//!
//! No message, `Display` or `Debug` output carries credentials or tokens:
//! URLs are the ones the client built or the registry sent (never with user
//! information), and response bodies are reduced to the registry's error
//! codes and messages.
// Requirements: U.

use std::fmt;

use notation_core::trust::GoQuoted;

use super::credentials::CredentialError;
use super::transport::{Method, TransportError};

/// How many error entries of a registry error body are kept.
pub(crate) const MAX_ERROR_ENTRIES: usize = 8;
/// How many characters of an error entry's code or message are kept.
pub(crate) const MAX_ERROR_TEXT: usize = 256;

/// Everything that can go wrong talking to a registry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No HTTP response: connection, TLS, timeout or I/O failure. Worded
    /// as Go's HTTP client words it (`Get "<url>": dial tcp ...`) where
    /// the failure is one it names.
    #[error("{} {}: {}", .method.go_op(), GoQuoted(.url), .error.text_for(.url))]
    Transport {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// What the transport reported.
        error: TransportError,
    },
    /// The registry answered with an unexpected HTTP status.
    #[error(transparent)]
    Status(Box<StatusError>),
    /// The content does not match its digest or declared size: the data was
    /// discarded.
    #[error(transparent)]
    Integrity(Box<IntegrityError>),
    /// A response is larger than the limit allowed for it,
    /// or pagination went past its bounds.
    // Requirements: U.
    #[error(transparent)]
    LimitExceeded(Box<LimitError>),
    /// Authentication failed or could not be attempted.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The operation's time limit ran out: the registry (or something on the
    /// way) is too slow, or drips its answers.
    #[error(transparent)]
    Timeout(Box<TimeoutError>),
    /// The registry's response violates the distribution protocol.
    #[error("{method} {}: {error}", GoQuoted(.url))]
    Protocol {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// What is wrong.
        error: ProtocolError,
    },
    /// The registry does not support the operation (for example `DELETE`
    /// answered with 405 or the `UNSUPPORTED` error code). Callers usually
    /// turn this into a warning. Worded as a [`StatusError`].
    #[error("{method} {}: response status code {status}: {}", GoQuoted(.url), ErrorText(*.status, .errors))]
    Unsupported {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The registry's error codes, if its body had any.
        errors: Vec<ErrorEntry>,
    },
    /// An argument given to the client is invalid (not a digest, not a
    /// repository name, ...); no request was sent.
    #[error("invalid {what}: {value:?}")]
    InvalidArgument {
        /// What the argument is.
        what: &'static str,
        /// The value given.
        value: String,
    },
}

impl RegistryError {
    /// The HTTP status of the registry's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status(e) => Some(e.status),
            Self::Unsupported { status, .. } => Some(*status),
            Self::Auth(e) => e.status(),
            _ => None,
        }
    }

    /// The registry's error codes (`MANIFEST_UNKNOWN`, `DENIED`, ...), when
    /// its answer had an OCI error body.
    pub fn error_codes(&self) -> Vec<&str> {
        let entries: &[ErrorEntry] = match self {
            Self::Status(e) => &e.errors,
            Self::Unsupported { errors, .. } => errors,
            Self::Auth(e) => match e.as_ref() {
                AuthError::Unauthorized { errors, .. }
                | AuthError::BasicCredentialNotFound { errors, .. }
                | AuthError::TokenRequest { errors, .. } => errors,
                _ => &[],
            },
            _ => &[],
        };
        entries.iter().map(|e| e.code.as_str()).collect()
    }

    /// Whether the registry answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether the transport timed out or the operation's time limit ran
    /// out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout(_) => true,
            Self::Transport { error: source, .. } => {
                source.kind() == super::transport::TransportErrorKind::Timeout
            }
            Self::Auth(a) => matches!(
                a.as_ref(),
                AuthError::TokenTransport { error: source, .. }
                    if source.kind() == super::transport::TransportErrorKind::Timeout
            ),
            _ => false,
        }
    }

    pub(crate) fn transport(method: Method, url: &str, source: TransportError) -> Self {
        Self::Transport {
            method,
            url: url.to_string(),
            error: source,
        }
    }

    pub(crate) fn protocol(method: Method, url: &str, error: ProtocolError) -> Self {
        Self::Protocol {
            method,
            url: url.to_string(),
            error,
        }
    }

    pub(crate) fn limit(url: &str, what: LimitKind, limit: u64, actual: Option<u64>) -> Self {
        Self::LimitExceeded(Box::new(LimitError {
            url: url.to_string(),
            what,
            limit,
            actual,
        }))
    }
}

/// Where in an exchange the operation's time ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// No time was left to send the request.
    BeforeSending,
    /// While resolving, connecting, sending or waiting for the response.
    AwaitingResponse,
    /// While reading the response body.
    ReadingBody,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BeforeSending => "before the request could be sent",
            Self::AwaitingResponse => "while waiting for the response",
            Self::ReadingBody => "while reading the response body",
        })
    }
}

/// A registry operation used up its time limit
/// ([`RegistryClientOptions::operation_timeout`](super::RegistryClientOptions::operation_timeout)):
/// names the request that was under way and how to raise the limit.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{method} {}: timed out {phase}: the registry operation used up its time limit of {} ({hint})", GoQuoted(.url), DurationText(*.limit))]
#[non_exhaustive]
pub struct TimeoutError {
    /// The request under way.
    pub method: Method,
    /// Its URL.
    pub url: String,
    /// Where in the exchange.
    pub phase: TimeoutPhase,
    /// The operation's time limit.
    pub limit: std::time::Duration,
    /// How to raise it (set by the client's options, so that the CLI names
    /// its flag and the C ABI its function).
    pub hint: String,
}

impl From<TimeoutError> for RegistryError {
    fn from(e: TimeoutError) -> Self {
        Self::Timeout(Box::new(e))
    }
}

/// A duration as Go prints it (`10s`, `1m30s`, `500ms`, `1.5s`).
pub struct DurationText(pub std::time::Duration);

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.is_zero() {
            return f.write_str("0s");
        }
        if d < std::time::Duration::from_secs(1) {
            let ms = d.as_secs_f64() * 1000.0;
            return write!(f, "{}ms", trim_float(ms));
        }
        let secs = d.as_secs();
        let (h, m) = (secs / 3600, (secs % 3600) / 60);
        let s = (secs % 60) as f64 + f64::from(d.subsec_nanos()) / 1e9;
        if h > 0 {
            write!(f, "{h}h{m}m")?;
        } else if m > 0 {
            write!(f, "{m}m")?;
        }
        write!(f, "{}s", trim_float(s))
    }
}

fn trim_float(v: f64) -> String {
    let t = format!("{v:.3}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One entry of the registry's error body (OCI distribution spec
/// §Error Codes): `{"errors": [{"code": ..., "message": ..., "detail": ...}]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorEntry {
    /// The error code (`BLOB_UNKNOWN`, `MANIFEST_UNKNOWN`, `DENIED`, ...).
    pub code: String,
    /// The registry's message (truncated to a few hundred characters).
    pub message: String,
    /// The `detail` member as Go's `%v` prints what `encoding/json` decodes
    /// (`map[Tag:v1]`), truncated as the message; `None` when absent or
    /// `null`.
    pub detail: Option<String>,
}

impl ErrorEntry {
    /// An entry (used by custom transports' tests and by this module).
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: truncate(code.into()),
            message: truncate(message.into()),
            detail: None,
        }
    }

    /// The entry with a `detail` (already printed, as [`detail`](Self::detail)
    /// says).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(truncate(detail.into()));
        self
    }
}

impl fmt::Display for ErrorEntry {
    /// As oras-go prints a registry error: the code in lower case with
    /// spaces for underscores, then the message and the detail, when there
    /// is a message (`manifest unknown: manifest unknown: map[Tag:v1]`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go's `unicode.ToLower` maps one character to one: the first of
        // Rust's mapping (`İ` is `i`, not `i` and a combining dot).
        for c in self.code.chars() {
            let lower = match c {
                '_' => ' ',
                c => c.to_lowercase().next().unwrap_or(c),
            };
            fmt::Write::write_char(f, lower)?;
        }
        if self.message.is_empty() {
            return Ok(());
        }
        write!(f, ": {}", self.message)?;
        match &self.detail {
            Some(d) => write!(f, ": {d}"),
            None => Ok(()),
        }
    }
}

/// What follows `response status code N: ` in oras-go's text: the error
/// entries joined with `; `, or the status's standard text (Go's
/// `http.StatusText`) when the body had none.
struct ErrorText<'a>(u16, &'a [ErrorEntry]);

impl fmt::Display for ErrorText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1.is_empty() {
            return f.write_str(status_text(self.0));
        }
        for (i, e) in self.1.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// The standard text of an HTTP status, as Go's `http.StatusText` gives it
/// (empty for a status it does not know).
pub fn status_text(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

fn truncate(mut s: String) -> String {
    if s.chars().count() > MAX_ERROR_TEXT {
        s = s.chars().take(MAX_ERROR_TEXT).collect();
        s.push('…');
    }
    s
}

/// What the body of an error response was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorBodyKind {
    /// No body.
    Empty,
    /// An OCI error body (its entries are in `errors`).
    OciErrors,
    /// Something else (HTML, plain text, JSON of another shape, or larger
    /// than the error-body limit); not kept.
    Other,
}

/// The registry answered with a status the operation does not expect.
/// Worded as oras-go words it: `GET "<url>": response status code 404:
/// manifest unknown: manifest unknown`.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{method} {}: response status code {status}: {}", GoQuoted(.url), ErrorText(*.status, .errors))]
#[non_exhaustive]
pub struct StatusError {
    /// The request method.
    pub method: Method,
    /// The request URL.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The registry's error entries, when the body was an OCI error body.
    pub errors: Vec<ErrorEntry>,
    /// What the body was.
    pub body: ErrorBodyKind,
}

/// Where the digest that content is checked against came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestOrigin {
    /// The digest the caller asked for.
    Requested,
    /// The registry's `Docker-Content-Digest` header.
    Header,
}

impl fmt::Display for DigestOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Requested => "requested digest",
            Self::Header => "Docker-Content-Digest header",
        })
    }
}

/// Content does not match what it was expected to be. The data is never
/// returned.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// The digest of the content (or the registry's digest header) differs
    /// from the expected digest.
    #[error("{url}: digest mismatch: {origin} is {expected} but the content is {actual}")]
    DigestMismatch {
        /// The URL the content came from.
        url: String,
        /// The digest expected.
        expected: String,
        /// The digest found.
        actual: String,
        /// Where the expected digest came from.
        origin: DigestOrigin,
    },
    /// The size of the content differs from the expected size.
    #[error("{url}: size mismatch: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        /// The URL the content came from.
        url: String,
        /// The size expected.
        expected: u64,
        /// The size found (declared in `Content-Length` or read).
        actual: u64,
    },
    /// The body goes on past the expected size (it was not read further).
    #[error("{url}: size mismatch: the body is longer than the expected {expected} bytes")]
    LongerThanExpected {
        /// The URL the content came from.
        url: String,
        /// The size expected.
        expected: u64,
    },
    /// The registry's `Docker-Content-Digest` header is not a digest this
    /// client can check.
    #[error("{url}: invalid Docker-Content-Digest header {value:?}")]
    InvalidDigestHeader {
        /// The request URL.
        url: String,
        /// The header's value.
        value: String,
    },
}

/// Which limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// A manifest (4 MiB by default,.
    // Requirements: U.
    Manifest,
    /// A blob (the caller's limit, 32 MiB for signature envelopes).
    Blob,
    /// One page of the referrers API (4 MiB).
    ReferrersPage,
    /// The number of referrers pages followed.
    ReferrersPages,
    /// The number of referrer descriptors collected over all pages.
    Referrers,
    /// A token endpoint's response.
    TokenResponse,
    /// The bytes of all referrers pages of one listing.
    ReferrersBytes,
    /// The bytes of all response bodies of one operation.
    OperationBytes,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Manifest => "manifest size",
            Self::Blob => "blob size",
            Self::ReferrersPage => "referrers page size",
            Self::ReferrersPages => "number of referrers pages",
            Self::Referrers => "number of referrers",
            Self::TokenResponse => "token response size",
            Self::ReferrersBytes => "total size of the referrers pages",
            Self::OperationBytes => "total size of the registry operation's responses",
        })
    }
}

/// A response or a listing is larger than allowed.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{url}: {what} exceeds the limit of {limit}{}", .actual.map(|a| format!(" (got {a})")).unwrap_or_default())]
#[non_exhaustive]
pub struct LimitError {
    /// The URL concerned.
    pub url: String,
    /// Which limit.
    pub what: LimitKind,
    /// The limit.
    pub limit: u64,
    /// The size or count found, when known (a declared `Content-Length`,
    /// for example); `None` when the body was cut off at the limit.
    pub actual: Option<u64>,
}

/// Authentication failed or could not be attempted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The registry still answers 401 after the client authenticated (or
    /// its challenge is none the client can follow). Worded as a
    /// [`StatusError`].
    #[error("{method} {}: response status code 401: {}", GoQuoted(.url), ErrorText(401, .errors))]
    Unauthorized {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// Whether credentials (Basic, or a token obtained with credentials)
        /// were sent.
        credentials_sent: bool,
        /// The registry's error entries.
        errors: Vec<ErrorEntry>,
    },
    /// The registry asks for Basic authentication and there is no
    /// credential for it: nothing is sent (oras-go's words).
    #[error("{method} {}: basic credential not found", GoQuoted(.url))]
    #[non_exhaustive]
    BasicCredentialNotFound {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// The error entries of the registry's 401.
        errors: Vec<ErrorEntry>,
    },
    /// The registry asks for Basic authentication and the credential lacks
    /// a user name or a password (a token, or `-u` without `-p`): nothing
    /// is sent, as oras-go sends nothing.
    #[error("{method} {}: missing username or password for basic auth", GoQuoted(.url))]
    IncompleteBasicCredential {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
    },
    /// The token endpoint refused to issue a token. Worded as oras-go
    /// words it: the request that was challenged, then the token request
    /// and its [`StatusError`] text.
    #[error("{method} {}: {token_method} {}: response status code {status}: {}", GoQuoted(.url), GoQuoted(.token_url), ErrorText(*.status, .errors))]
    TokenRequest {
        /// The method of the request that was challenged.
        method: Method,
        /// The URL of the request that was challenged.
        url: String,
        /// The token request's method (`GET`, or `POST` for OAuth2).
        token_method: Method,
        /// The token request's URL: the realm with its query (service and
        /// scopes; never a credential).
        token_url: String,
        /// The realm URL (without query).
        realm: String,
        /// The HTTP status.
        status: u16,
        /// The error entries of its body, if any.
        errors: Vec<ErrorEntry>,
    },
    /// The token endpoint's response is not a token response.
    #[error("{method} {}: {token_method} {}: {reason}", GoQuoted(.url), GoQuoted(.token_url))]
    TokenResponse {
        /// The method of the request that was challenged.
        method: Method,
        /// The URL of the request that was challenged.
        url: String,
        /// The token request's method.
        token_method: Method,
        /// The token request's URL (as in [`TokenRequest`](Self::TokenRequest)).
        token_url: String,
        /// The realm URL (without query).
        realm: String,
        /// What is wrong.
        reason: String,
    },
    /// The token endpoint could not be reached.
    #[error("{method} {}: {} {}: {}", GoQuoted(.url), .token_method.go_op(), GoQuoted(.token_url), .error.text_for(.token_url))]
    TokenTransport {
        /// The method of the request that was challenged.
        method: Method,
        /// The URL of the request that was challenged.
        url: String,
        /// The token request's method.
        token_method: Method,
        /// The token request's URL (as in [`TokenRequest`](Self::TokenRequest)).
        token_url: String,
        /// The realm URL (without query).
        realm: String,
        /// What the transport reported.
        error: TransportError,
    },
    /// The `WWW-Authenticate` challenge cannot be followed (no realm, a
    /// realm that is not an http(s) URL, ...).
    #[error("{url}: invalid authentication challenge: {reason}")]
    InvalidChallenge {
        /// The request URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Credentials would travel over plain HTTP to a host that is not
    /// loopback and not an explicitly allowed insecure registry.
    #[error("refusing to send credentials over plain HTTP to {url}")]
    InsecureCredentialTransport {
        /// The URL (without query).
        url: String,
    },
    /// The credential provider failed.
    #[error("credentials for {registry}: {error}")]
    Credential {
        /// The registry.
        registry: String,
        /// What the provider reported.
        error: CredentialError,
    },
}

impl AuthError {
    /// The HTTP status involved, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } | Self::BasicCredentialNotFound { .. } => Some(401),
            Self::TokenRequest { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<AuthError> for RegistryError {
    fn from(e: AuthError) -> Self {
        Self::Auth(Box::new(e))
    }
}

impl From<IntegrityError> for RegistryError {
    fn from(e: IntegrityError) -> Self {
        Self::Integrity(Box::new(e))
    }
}

impl From<StatusError> for RegistryError {
    fn from(e: StatusError) -> Self {
        Self::Status(Box::new(e))
    }
}

/// A response that violates the distribution protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A header the protocol requires is missing.
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// A header has a value that cannot be used.
    #[error("invalid {name} header {value:?}")]
    InvalidHeader {
        /// The header name.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// The response's content type is not the one required.
    #[error("unexpected content type {actual:?}, expected {expected:?}")]
    UnexpectedContentType {
        /// What was required.
        expected: String,
        /// What was received.
        actual: String,
    },
    /// The body is not the JSON document expected.
    #[error("malformed response body: {0}")]
    MalformedBody(String),
    /// A redirect points back to a URL already visited.
    #[error("redirect loop at {0}")]
    RedirectLoop(String),
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect without a usable `Location`.
    #[error("redirect without a valid Location header")]
    InvalidRedirect,
    /// A pagination `Link` points to another origin.
    // Requirements: Q5.
    #[error("pagination link {0:?} points to another host")]
    CrossOriginLink(String),
    /// A pagination `Link` points to a page already fetched.
    // Requirements: Q5.
    #[error("pagination link {0:?} repeats a page already fetched")]
    PaginationLoop(String),
    /// A success status the operation does not expect.
    #[error("unexpected response status {0}")]
    UnexpectedStatus(u16),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The texts of oras-go's `errcode.ErrorResponse`, which the reference
    /// prints.
    #[test]
    fn status_errors_read_as_oras_go_words_them() {
        let status = |status: u16, errors: Vec<ErrorEntry>| StatusError {
            method: Method::Get,
            url: "http://r.example/v2/a/manifests/v1".into(),
            status,
            errors,
            body: ErrorBodyKind::OciErrors,
        };
        assert_eq!(
            status(
                404,
                vec![
                    ErrorEntry::new("MANIFEST_UNKNOWN", "manifest unknown")
                        .with_detail("map[Tag:v1]")
                ]
            )
            .to_string(),
            r#"GET "http://r.example/v2/a/manifests/v1": response status code 404: manifest unknown: manifest unknown: map[Tag:v1]"#
        );
        assert_eq!(
            status(
                403,
                vec![
                    ErrorEntry::new("DENIED", "").with_detail("ignored without a message"),
                    ErrorEntry::new("NAME_UNKNOWN", "repository name not known"),
                ]
            )
            .to_string(),
            r#"GET "http://r.example/v2/a/manifests/v1": response status code 403: denied; name unknown: repository name not known"#
        );
        assert_eq!(
            ErrorEntry::new("İ_X", "m").to_string(),
            "i x: m",
            "one character for one, as Go's unicode.ToLower"
        );
        assert_eq!(
            status(502, vec![]).to_string(),
            r#"GET "http://r.example/v2/a/manifests/v1": response status code 502: Bad Gateway"#
        );
        assert_eq!(
            status(599, vec![]).to_string(),
            r#"GET "http://r.example/v2/a/manifests/v1": response status code 599: "#
        );
        let basic = AuthError::BasicCredentialNotFound {
            method: Method::Head,
            url: "http://r.example/v2/a/manifests/v1".into(),
            errors: vec![],
        };
        assert_eq!(
            basic.to_string(),
            r#"HEAD "http://r.example/v2/a/manifests/v1": basic credential not found"#
        );
        assert_eq!(basic.status(), Some(401));
        let token = AuthError::TokenRequest {
            method: Method::Get,
            url: "https://r.example/v2/".into(),
            token_method: Method::Get,
            token_url: "https://auth.example/token?service=r".into(),
            realm: "https://auth.example/token".into(),
            status: 401,
            errors: vec![ErrorEntry::new("UNAUTHORIZED", "authentication required")],
        };
        assert_eq!(
            token.to_string(),
            r#"GET "https://r.example/v2/": GET "https://auth.example/token?service=r": response status code 401: unauthorized: authentication required"#
        );
    }

    #[test]
    fn durations_print_as_go_does() {
        for (d, text) in [
            (Duration::ZERO, "0s"),
            (Duration::from_millis(300), "300ms"),
            (Duration::from_secs(10), "10s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(3600), "1h0m0s"),
        ] {
            assert_eq!(DurationText(d).to_string(), text);
        }
        let e = TimeoutError {
            method: Method::Get,
            url: "https://r.example/v2/a/blobs/sha256:x".into(),
            phase: TimeoutPhase::ReadingBody,
            limit: Duration::from_secs(10),
            hint: "raise it with --timeout".into(),
        };
        assert_eq!(
            e.to_string(),
            "GET \"https://r.example/v2/a/blobs/sha256:x\": timed out while reading the response body: the registry operation used up its time limit of 10s (raise it with --timeout)"
        );
    }
}
