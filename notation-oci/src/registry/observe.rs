//! Watching what a [`RegistryClient`](super::RegistryClient) does, for
//! troubleshooting output such as the `notation` CLI's `-d/--debug`: every
//! HTTP exchange (request line and headers, response status and headers,
//! or the transport error) and the decisions worth knowing about (which
//! referrers mechanism was used).
//!
//! Observers only ever see redacted data: `Authorization`,
//! `Proxy-Authorization`, cookies and token-like query parameters (pre-signed
//! blob storage URLs carry their capability in the query) are replaced by
//! `*****` before an observer gets them. Bodies are never shown.
//!
//! ```
//! use std::sync::Arc;
//! use notation_oci::registry::RegistryClient;
//! use notation_oci::registry::observe::{ObservedRequest, ObservedResponse, RegistryObserver};
//!
//! struct Printer;
//! impl RegistryObserver for Printer {
//!     fn request(&self, id: u64, request: &ObservedRequest) {
//!         eprintln!("#{id} {} {}", request.method(), request.url());
//!     }
//!     fn response(&self, id: u64, response: &ObservedResponse) {
//!         eprintln!("#{id} {}", response.status_line());
//!     }
//! }
//! let client = RegistryClient::builder().observer(Arc::new(Printer)).build()?;
//! # let _ = client;
//! # Ok::<(), notation_oci::registry::RegistryError>(())
//! ```

use std::fmt;

use super::transport::{HttpHeaders, HttpRequest, HttpResponse, Method, TransportError};

/// What replaces a secret in observed data (as the reference's debug log).
pub const REDACTED: &str = "*****";

/// Headers whose values are secrets.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
];

/// Query parameters whose values are secrets (tokens, pre-signed URL
/// signatures and credentials), compared case-insensitively.
const SECRET_QUERY_PARAMETERS: [&str; 12] = [
    "access_token",
    "refresh_token",
    "token",
    "password",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "x-ms-signature",
];

/// Receives what a registry client does. Every method has an empty default,
/// so an observer implements only what it needs. Calls come from the
/// thread doing the request; keep them cheap.
pub trait RegistryObserver: Send + Sync {
    /// A request is about to be sent. `id` numbers the client's exchanges
    /// from 0 and pairs the request with its response or error.
    fn request(&self, id: u64, request: &ObservedRequest) {
        let _ = (id, request);
    }

    /// The response head arrived (its body is read afterwards, or not).
    fn response(&self, id: u64, response: &ObservedResponse) {
        let _ = (id, response);
    }

    /// The request failed without a response.
    fn transport_error(&self, id: u64, request: &ObservedRequest, error: &TransportError) {
        let _ = (id, request, error);
    }

    /// A decision worth knowing about.
    fn event(&self, event: &RegistryEvent<'_>) {
        let _ = event;
    }
}

/// A request as an observer sees it: secrets redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedRequest {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
}

impl ObservedRequest {
    /// The redacted view of `request`.
    pub fn new(request: &HttpRequest<'_>) -> Self {
        Self {
            method: request.method(),
            url: redact_url(request.url()),
            headers: redact_headers(request.headers()),
        }
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The URL, token-like query parameters redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers in order, secrets redacted.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// A response head as an observer sees it: secrets redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedResponse {
    status: u16,
    headers: Vec<(String, String)>,
}

impl ObservedResponse {
    /// The redacted view of `response`.
    pub fn new(response: &HttpResponse) -> Self {
        Self {
            status: response.status(),
            headers: redact_headers(response.headers()),
        }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The status code and its reason phrase, as Go's `Response.Status`
    /// prints it: `200 OK`, `404 Not Found` (just the code when unknown).
    pub fn status_line(&self) -> String {
        match reason_phrase(self.status) {
            Some(reason) => format!("{} {reason}", self.status),
            None => self.status.to_string(),
        }
    }

    /// The headers in order, secrets redacted (a `Location` keeps its
    /// path but loses token-like query values).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// Which mechanism stores or lists the signatures of an artifact
/// (the OCI distribution spec's referrers API, or its referrers tag
/// schema for registries without the API).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryEvent<'a> {
    /// The referrers of `subject` were listed with the referrers API.
    ReferrersListedWithApi {
        /// The subject's digest.
        subject: &'a str,
    },
    /// The registry does not support the referrers API: the referrers of
    /// `subject` were read from the tag schema's index `tag`.
    ReferrersListedWithTagSchema {
        /// The subject's digest.
        subject: &'a str,
        /// The referrers tag (`sha256-<hex>`).
        tag: &'a str,
    },
    /// A signature was pushed and the registry indexed its subject (the
    /// `OCI-Subject` response header): the referrers API serves it.
    ReferrerIndexedByRegistry {
        /// The subject's digest.
        subject: &'a str,
    },
    /// A signature was added to the tag schema's index `tag`: because the
    /// caller forced the tag schema, or because the registry did not index
    /// the subject.
    ReferrerAddedToTagSchema {
        /// The subject's digest.
        subject: &'a str,
        /// The referrers tag (`sha256-<hex>`).
        tag: &'a str,
        /// Whether the caller forced the tag schema.
        forced: bool,
    },
}

impl fmt::Display for RegistryEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryEvent::ReferrersListedWithApi { subject } => {
                write!(
                    f,
                    "listed the referrers of {subject} with the referrers API"
                )
            }
            RegistryEvent::ReferrersListedWithTagSchema { subject, tag } => write!(
                f,
                "the registry does not support the referrers API: listed the referrers of {subject} with the referrers tag schema (tag {tag})"
            ),
            RegistryEvent::ReferrerIndexedByRegistry { subject } => write!(
                f,
                "the registry indexed the signature's subject {subject}: stored with the referrers API"
            ),
            RegistryEvent::ReferrerAddedToTagSchema {
                subject,
                tag,
                forced: true,
            } => write!(
                f,
                "stored the signature of {subject} with the referrers tag schema (tag {tag}), as forced"
            ),
            RegistryEvent::ReferrerAddedToTagSchema {
                subject,
                tag,
                forced: false,
            } => write!(
                f,
                "the registry did not index the signature's subject {subject}: stored with the referrers tag schema (tag {tag})"
            ),
        }
    }
}

/// Sends `request` with `send`, telling `observer` (if any) about the
/// request and its response or error. The client's only call site.
pub(crate) fn exchange(
    observer: Option<&dyn RegistryObserver>,
    id: u64,
    request: &HttpRequest<'_>,
    send: impl FnOnce() -> Result<HttpResponse, TransportError>,
) -> Result<HttpResponse, TransportError> {
    let Some(observer) = observer else {
        return send();
    };
    let observed = ObservedRequest::new(request);
    observer.request(id, &observed);
    let result = send();
    match &result {
        Ok(response) => observer.response(id, &ObservedResponse::new(response)),
        Err(e) => observer.transport_error(id, &observed, e),
    }
    result
}

fn redact_headers(headers: &HttpHeaders) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                REDACTED.to_string()
            } else if name.eq_ignore_ascii_case("location") {
                redact_url(value)
            } else {
                value.to_string()
            };
            (name.to_string(), value)
        })
        .collect()
}

/// `url` with the values of token-like query parameters redacted, and any
/// `user:password@` userinfo removed.
pub fn redact_url(url: &str) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (url, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_fragment, None),
    };
    let mut out = redact_userinfo(base);
    if let Some(query) = query {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if is_secret_parameter(name) => format!("{name}={REDACTED}"),
                _ => pair.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn redact_userinfo(base: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        return base.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{REDACTED}@{host}{path}"),
        None => base.to_string(),
    }
}

fn is_secret_parameter(name: &str) -> bool {
    let decoded = name.replace("%2D", "-").replace("%2d", "-");
    SECRET_QUERY_PARAMETERS
        .iter()
        .any(|s| decoded.eq_ignore_ascii_case(s))
}

/// The reason phrase of a status, as Go's `net/http` names it.
fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(super::error::status_text(status)).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::transport::ResponseBody;
    use std::sync::Mutex;

    #[test]
    fn secrets_are_redacted_from_requests() {
        let request = HttpRequest::new(
            Method::Get,
            "https://user:pw@blob.example/data?X-Amz-Signature=abc&x-amz-credential=k&n=1&token=t",
        )
        .with_header("Authorization", "Bearer secret-token")
        .with_header("proxy-authorization", "Basic cHc=")
        .with_header("Cookie", "session=1")
        .with_header("Accept", "application/json");
        let seen = ObservedRequest::new(&request);
        assert_eq!(
            seen.url(),
            "https://*****@blob.example/data?X-Amz-Signature=*****&x-amz-credential=*****&n=1&token=*****"
        );
        let headers: Vec<(&str, &str)> = seen.headers().collect();
        assert_eq!(
            headers,
            [
                ("Authorization", REDACTED),
                ("proxy-authorization", REDACTED),
                ("Cookie", REDACTED),
                ("Accept", "application/json"),
            ]
        );
        assert!(!format!("{seen:?}").contains("secret-token"));
    }

    #[test]
    fn secrets_are_redacted_from_responses() {
        let mut headers = HttpHeaders::new();
        headers.append("Set-Cookie", "a=b");
        headers.append(
            "Location",
            "https://s3.example/b?X-Amz-Security-Token=tok&X-Amz-Signature=sig#f",
        );
        headers.append("WWW-Authenticate", "Bearer realm=\"https://auth\"");
        let response = HttpResponse::new(307, headers, ResponseBody::empty());
        let seen = ObservedResponse::new(&response);
        assert_eq!(seen.status_line(), "307 Temporary Redirect");
        let headers: Vec<(&str, &str)> = seen.headers().collect();
        assert_eq!(
            headers,
            [
                ("Set-Cookie", REDACTED),
                (
                    "Location",
                    "https://s3.example/b?X-Amz-Security-Token=*****&X-Amz-Signature=*****#f"
                ),
                ("WWW-Authenticate", "Bearer realm=\"https://auth\""),
            ]
        );
        assert_eq!(
            ObservedResponse::new(&HttpResponse::new(
                599,
                HttpHeaders::new(),
                ResponseBody::empty()
            ))
            .status_line(),
            "599"
        );
    }

    #[test]
    fn plain_urls_are_unchanged() {
        for url in [
            "http://localhost:5000/v2/a/manifests/v1",
            "http://localhost:5000/v2/a/referrers/sha256:ab?artifactType=application%2Fx",
            "https://auth.example/token?scope=repository:a:pull&service=reg",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);
    impl RegistryObserver for Recorder {
        fn request(&self, id: u64, r: &ObservedRequest) {
            self.0
                .lock()
                .unwrap()
                .push(format!("{id} > {} {}", r.method(), r.url()));
        }
        fn response(&self, id: u64, r: &ObservedResponse) {
            self.0
                .lock()
                .unwrap()
                .push(format!("{id} < {}", r.status_line()));
        }
        fn transport_error(&self, id: u64, _: &ObservedRequest, e: &TransportError) {
            self.0.lock().unwrap().push(format!("{id} ! {e}"));
        }
    }

    #[test]
    fn exchange_reports_request_then_outcome() {
        let recorder = Recorder::default();
        let request = HttpRequest::new(Method::Head, "http://r/v2/");
        let ok = exchange(Some(&recorder), 3, &request, || {
            Ok(HttpResponse::new(
                200,
                HttpHeaders::new(),
                ResponseBody::empty(),
            ))
        });
        assert_eq!(ok.unwrap().status(), 200);
        let failed = exchange(Some(&recorder), 4, &request, || {
            Err(TransportError::new(
                crate::registry::transport::TransportErrorKind::Connect,
                "refused",
            ))
        });
        assert!(failed.is_err());
        let seen = recorder.0.lock().unwrap().clone();
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[0], "3 > HEAD http://r/v2/");
        assert_eq!(seen[1], "3 < 200 OK");
        assert_eq!(seen[2], "4 > HEAD http://r/v2/");
        assert!(seen[3].starts_with("4 ! "), "{}", seen[3]);
        // Without an observer the request is simply sent.
        assert!(
            exchange(None, 5, &request, || Err(TransportError::new(
                crate::registry::transport::TransportErrorKind::Connect,
                "x"
            )))
            .is_err()
        );
    }
}
