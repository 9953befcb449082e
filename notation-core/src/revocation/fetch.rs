//! Where network access enters revocation checking: the
//! [`RevocationFetcher`] trait and the requests it is given.
//!
//! notation-core decides *what* to fetch (the URL, GET or POST, the body,
//! the time and size limits) and checks *what came back*; an implementation
//! only moves bytes. notation-oci implements it over HTTP; an air-gapped
//! deployment can serve OCSP responses and CRLs from files or a mirror. The
//! rules of the specification and the reference that concern URLs (only
//! `http`) are enforced before a fetcher is called, so a fetcher never
//! sees an `https`, `ldap` or `file` URL.
// Requirements: P3, P4.

use std::fmt;
use std::time::Duration;

use base64::Engine;

/// The OCSP responder is asked with at most this many seconds.
// Requirements: P3, U.
pub const DEFAULT_OCSP_TIMEOUT: Duration = Duration::from_secs(2);
/// A CRL download may take at most this long.
// Requirements: P4, U.
pub const DEFAULT_CRL_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest OCSP response read, 20 KiB as in notation-core-go.
// Requirements: P3, U.
pub const OCSP_MAX_RESPONSE_SIZE: usize = 20 * 1024;
/// The largest CRL read, 32 MiB as in notation-core-go.
// Requirements: P4, U.
pub const CRL_MAX_SIZE: usize = 32 * 1024 * 1024;

/// The content type of an OCSP request sent by POST (RFC 6960 A.1).
pub const OCSP_REQUEST_CONTENT_TYPE: &str = "application/ocsp-request";

/// Fetches OCSP responses and CRLs. Implementations must be usable from
/// several threads at once: the certificates of a chain are checked in
/// parallel.
///
/// An implementation must:
/// - send exactly the request described (method, URL, body, content type);
/// - give up after [`OcspHttpRequest::timeout`] / [`CrlHttpRequest::timeout`]
///   (for the whole exchange, like Go's `http.Client.Timeout`) and report
///   [`FetchError::Timeout`];
/// - report any status other than 200 as [`FetchError::HttpStatus`];
/// - stop reading once the body exceeds the size limit and report
///   [`FetchError::TooLarge`] (notation-core checks the size again).
///
/// It may follow redirects to `http` and `https` (the reference's Go client
/// sends up to 10 requests, and notation-oci's fetcher does the same within
/// the request's time limit), but not to other schemes.
// Requirements: P3, P4.
pub trait RevocationFetcher: Send + Sync {
    /// Sends an OCSP request and returns the response body.
    fn fetch_ocsp(&self, request: &OcspHttpRequest) -> Result<Vec<u8>, FetchError>;

    /// Downloads a CRL and returns its bytes.
    fn fetch_crl(&self, request: &CrlHttpRequest) -> Result<Vec<u8>, FetchError>;
}

impl<T: RevocationFetcher + ?Sized> RevocationFetcher for std::sync::Arc<T> {
    fn fetch_ocsp(&self, request: &OcspHttpRequest) -> Result<Vec<u8>, FetchError> {
        (**self).fetch_ocsp(request)
    }

    fn fetch_crl(&self, request: &CrlHttpRequest) -> Result<Vec<u8>, FetchError> {
        (**self).fetch_crl(request)
    }
}

/// The HTTP method of an OCSP request.
// Requirements: P3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OcspMethod {
    /// `GET {server}/{url-escaped base64 of the request}` (RFC 6960 A.1).
    Get,
    /// `POST {server}` with the DER request as body and content type
    /// `application/ocsp-request`.
    Post,
}

impl fmt::Display for OcspMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OcspMethod::Get => "GET",
            OcspMethod::Post => "POST",
        })
    }
}

/// An OCSP request, ready to send. Built by notation-core; fetchers read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspHttpRequest {
    server: String,
    url: String,
    method: OcspMethod,
    der: Vec<u8>,
    timeout: Duration,
    max_response_size: usize,
}

impl OcspHttpRequest {
    /// Describes the request of `der` to the responder at `server`, choosing
    /// GET or POST exactly as notation-core-go does: POST when the
    /// base64 encoding of the request is 255 bytes or longer, or when its
    /// URL-escaped form is; GET otherwise, with the escaped base64 appended
    /// to the server URL as a path segment.
    // Requirements: P3.
    pub fn new(server: &str, der: &[u8], timeout: Duration, max_response_size: usize) -> Self {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let (method, url) = if b64.len() >= 255 {
            (OcspMethod::Post, server.to_owned())
        } else {
            let escaped = crate::url::query_escape(b64.as_bytes());
            if escaped.len() < 255 {
                (OcspMethod::Get, join_path(server, &escaped))
            } else {
                (OcspMethod::Post, server.to_owned())
            }
        };
        Self {
            server: server.to_owned(),
            url,
            method,
            der: der.to_vec(),
            timeout,
            max_response_size,
        }
    }

    /// The responder URL from the certificate.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The URL to request: for GET the server URL with the encoded request
    /// appended, for POST the server URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// GET or POST.
    pub fn method(&self) -> OcspMethod {
        self.method
    }

    /// The body to POST (the DER request), or `None` for GET.
    pub fn body(&self) -> Option<&[u8]> {
        match self.method {
            OcspMethod::Get => None,
            OcspMethod::Post => Some(&self.der),
        }
    }

    /// The content type to send with a POST, or `None` for GET.
    pub fn content_type(&self) -> Option<&'static str> {
        match self.method {
            OcspMethod::Get => None,
            OcspMethod::Post => Some(OCSP_REQUEST_CONTENT_TYPE),
        }
    }

    /// The DER-encoded `OCSPRequest`, whatever the method.
    pub fn request_der(&self) -> &[u8] {
        &self.der
    }

    /// How long the whole exchange may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The largest response body to accept, in bytes.
    pub fn max_response_size(&self) -> usize {
        self.max_response_size
    }
}

/// A CRL download, ready to send (`GET url`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlHttpRequest {
    url: String,
    timeout: Duration,
    max_size: usize,
}

impl CrlHttpRequest {
    /// Describes the download of the CRL at `url`.
    pub fn new(url: &str, timeout: Duration, max_size: usize) -> Self {
        Self {
            url: url.to_owned(),
            timeout,
            max_size,
        }
    }

    /// The URL to GET.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How long the whole download may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The largest CRL to accept, in bytes.
    pub fn max_size(&self) -> usize {
        self.max_size
    }
}

/// Why a fetcher returned no body. Kept free of any HTTP library's types so
/// that fetchers can be swapped and upgraded independently.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The exchange took longer than the request's timeout.
    #[error("request timed out")]
    Timeout,
    /// The server answered with a status other than 200.
    #[error("response had status code {status}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// The body is larger than the request's limit.
    #[error("response exceeds the size limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Anything else: DNS, connection, TLS, I/O, a missing file in an
    /// offline fetcher. The text is the fetcher's.
    #[error("{0}")]
    Transport(String),
}

impl FetchError {
    /// A transport failure described by `e`.
    pub fn transport(e: impl fmt::Display) -> Self {
        FetchError::Transport(e.to_string())
    }
}

/// The scheme of `url` (lowercased, as Go's `url.Parse` reports it), or an
/// empty string when it has none.
pub(crate) fn url_scheme(url: &str) -> String {
    let Some((scheme, _)) = url.split_once(':') else {
        return String::new();
    };
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if valid {
        scheme.to_ascii_lowercase()
    } else {
        String::new()
    }
}

/// Appends `segment` to the path of `server` like Go's `url.JoinPath`: one
/// `/` between the existing path and the segment, query kept.
fn join_path(server: &str, segment: &str) -> String {
    let (before_fragment, _) = server.split_once('#').unwrap_or((server, ""));
    let (base, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_fragment, None),
    };
    let mut url = base.trim_end_matches('/').to_owned();
    url.push('/');
    url.push_str(segment);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_or_post_follows_the_reference_rule() {
        // 186 bytes encode to 248 base64 characters: GET unless escaping
        // pushes the URL segment to 255 or more.
        let small = vec![0u8; 186];
        let r = OcspHttpRequest::new("http://ocsp.test", &small, DEFAULT_OCSP_TIMEOUT, 10);
        assert_eq!(r.method(), OcspMethod::Get);
        assert!(r.url().starts_with("http://ocsp.test/AAAA"));
        assert_eq!(r.body(), None);
        assert_eq!(r.content_type(), None);

        // 190 bytes encode to 256 characters: POST.
        let big = vec![0u8; 190];
        let r = OcspHttpRequest::new("http://ocsp.test", &big, DEFAULT_OCSP_TIMEOUT, 10);
        assert_eq!(r.method(), OcspMethod::Post);
        assert_eq!(r.url(), "http://ocsp.test");
        assert_eq!(r.body(), Some(&big[..]));
        assert_eq!(r.content_type(), Some("application/ocsp-request"));

        // Short, but '/' escapes to three characters: 186 bytes of 0xff
        // are 248 '/' characters, 744 once escaped → POST.
        let slashes = vec![0xffu8; 186];
        let r = OcspHttpRequest::new("http://ocsp.test", &slashes, DEFAULT_OCSP_TIMEOUT, 10);
        assert_eq!(r.method(), OcspMethod::Post);
    }

    #[test]
    fn get_urls_escape_base64_and_join_paths() {
        let der = [0xfb, 0xff, 0xbf];
        let r = OcspHttpRequest::new("http://ocsp.test/", &der, DEFAULT_OCSP_TIMEOUT, 10);
        assert_eq!(r.url(), "http://ocsp.test/%2B%2F%2B%2F");
        let r = OcspHttpRequest::new("http://h/ocsp?x=1", &[0], DEFAULT_OCSP_TIMEOUT, 10);
        assert_eq!(r.url(), "http://h/ocsp/AA%3D%3D?x=1");
    }

    #[test]
    fn schemes_are_lowercased() {
        assert_eq!(url_scheme("HTTP://x"), "http");
        assert_eq!(url_scheme("https://x"), "https");
        assert_eq!(url_scheme("ldap:///cn=x"), "ldap");
        assert_eq!(url_scheme("localhost:80/x"), "localhost");
        assert_eq!(url_scheme("/relative"), "");
        assert_eq!(url_scheme("1http://x"), "");
    }
}
