//! `plugin install --url`: downloading a package over HTTPS, within the
//! reference's limits: HTTPS only (redirects included), 10 minutes for the
//! whole download, strictly less than 256 MiB, through notation-oci's HTTP
//! transport (ureq with rustls and the platform's trust roots, proxies from
//! the environment).
// Requirements: R10, U.

use std::time::{Duration, Instant};

use notation_oci::registry::transport::{
    BodyReadError, HttpRequest, HttpTransport, Method, Timeouts, TransportError, TrustRoots,
    UreqTransport,
};

use super::MAX_PACKAGE_BYTES;

/// The download time limit (the reference's 10 minutes).
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const HTTPS_PREFIX: &str = "https://";

/// Redirects followed at most (Go's HTTP client's limit).
pub const MAX_DOWNLOAD_REDIRECTS: usize = 10;

/// A downloaded package: its bytes and the file name its URL ends with
/// (which names a single-executable package).
#[derive(Clone, PartialEq, Eq)]
pub struct DownloadedPackage {
    file_name: String,
    data: Vec<u8>,
}

impl std::fmt::Debug for DownloadedPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadedPackage")
            .field("file_name", &self.file_name)
            .field("len", &self.data.len())
            .finish()
    }
}

impl DownloadedPackage {
    /// A package from bytes (for callers with their own download).
    pub fn new(file_name: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            file_name: file_name.into(),
            data,
        }
    }

    /// The last path segment of the URL.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// Why a download failed. The texts follow the reference's where it has
/// one (`GET "<url>": https response bad status: 404 Not Found`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The URL cannot be parsed.
    #[error("failed to parse plugin download URL {url} with error: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The URL is not `https`.
    #[error("only the HTTPS scheme is supported, but got {scheme}")]
    UnsupportedScheme {
        /// The scheme found (possibly empty).
        scheme: String,
    },
    /// The HTTP client could not be set up.
    #[error("failed to set up the HTTP client: {0}")]
    Client(#[source] TransportError),
    /// No response (in Go's words where Go has some: `Get "<url>": dial
    /// tcp ...`).
    #[error("Get {}: {}", crate::error::go_quote(.url), .source.text_for(.url))]
    Transport {
        /// The URL requested.
        url: String,
        /// What failed.
        source: TransportError,
    },
    /// A status other than 200 (after redirects).
    #[error("GET {}: https response bad status: {}", crate::error::go_quote(.url), status_text(*.status))]
    BadStatus {
        /// The URL requested.
        url: String,
        /// The status.
        status: u16,
    },
    /// The body reached the size limit.
    #[error("GET {}: https response reached the {} MiB size limit", crate::error::go_quote(.url), MAX_PACKAGE_BYTES / 1024 / 1024)]
    TooLarge {
        /// The URL requested.
        url: String,
    },
    /// Reading the body failed (a timeout, a closed connection).
    #[error("GET {}: {}", crate::error::go_quote(.url), crate::fsutil::io_error_text(.source))]
    Body {
        /// The URL requested.
        url: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A redirect without a usable `Location`, or to a non-HTTPS URL.
    #[error("GET {}: redirect refused: {reason}", crate::error::go_quote(.url))]
    Redirect {
        /// The URL requested.
        url: String,
        /// Why.
        reason: String,
    },
    /// Too many redirects.
    #[error("GET {}: stopped after {} redirects", crate::error::go_quote(.url), MAX_DOWNLOAD_REDIRECTS)]
    TooManyRedirects {
        /// The last URL requested.
        url: String,
    },
    /// The time limit passed.
    #[error("GET {}: the download did not finish within {} minutes", crate::error::go_quote(.url), DOWNLOAD_TIMEOUT.as_secs() / 60)]
    Timeout {
        /// The last URL requested.
        url: String,
    },
}

/// `404 Not Found`, as Go's `Response.Status` (a status Go does not know:
/// the number alone).
fn status_text(status: u16) -> String {
    match notation_oci::registry::error::status_text(status) {
        "" => status.to_string(),
        reason => format!("{status} {reason}"),
    }
}

/// The scheme of a URL as Go's `url.Parse` sees it (`""` when there is
/// none), lowercased.
fn scheme_of(url: &str) -> Result<String, DownloadError> {
    let invalid = |reason: &str| DownloadError::InvalidUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    if url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err(invalid("invalid control character or space in URL"));
    }
    let Some(colon) = url.find(':') else {
        return Ok(String::new());
    };
    let scheme = &url[..colon];
    // A ':' after a path separator is not a scheme separator.
    if scheme.contains(['/', '?', '#']) {
        return Ok(String::new());
    }
    if scheme.is_empty() {
        return Err(invalid("missing protocol scheme"));
    }
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return Err(invalid("first path segment in URL cannot contain colon"));
    }
    Ok(scheme.to_ascii_lowercase())
}

/// Checks that `url` is an `https` URL with a host, with the
/// reference's messages.
pub fn check_https_url(url: &str) -> Result<(), DownloadError> {
    let scheme = scheme_of(url)?;
    if scheme != "https" {
        return Err(DownloadError::UnsupportedScheme { scheme });
    }
    // `get` rather than slicing: a URL is user input and may be non-ASCII
    // (a byte index inside a character would panic).
    let rest = url
        .get(..HTTPS_PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(HTTPS_PREFIX))
        .and_then(|_| url.get(HTTPS_PREFIX.len()..));
    let host = rest
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or_default();
    if host.is_empty() {
        return Err(DownloadError::InvalidUrl {
            url: url.to_string(),
            reason: "an https URL needs a host".into(),
        });
    }
    Ok(())
}

/// The last path segment of a URL (query and fragment dropped).
fn file_name_of(url: &str) -> String {
    let without_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = without_scheme.split(['?', '#']).next().unwrap_or_default();
    match path.split_once('/') {
        Some((_, path)) => path.rsplit('/').next().unwrap_or_default().to_string(),
        None => String::new(),
    }
}

/// Resolves a `Location` header against the URL that returned it; only
/// `https` results are accepted.
fn resolve_redirect(base: &str, location: &str) -> Result<String, String> {
    let location = location.trim();
    if location.is_empty() {
        return Err("empty Location header".into());
    }
    let resolved = if location.starts_with("//") {
        format!("https:{location}")
    } else if scheme_of(location).map(|s| !s.is_empty()).unwrap_or(true) {
        location.to_string()
    } else {
        // base is https://host[/path...] (checked before it was requested).
        let after = base.get(HTTPS_PREFIX.len()..).unwrap_or_default();
        let host_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let origin = format!("https://{}", &after[..host_end]);
        if location.starts_with('/') {
            format!("{origin}{location}")
        } else {
            let path = after[host_end..].split(['?', '#']).next().unwrap_or("");
            let dir = match path.rfind('/') {
                Some(i) => &path[..=i],
                None => "/",
            };
            format!("{origin}{dir}{location}")
        }
    };
    check_https_url(&resolved).map_err(|_| {
        format!(
            "redirect to {} is not an https URL",
            crate::error::go_quote(&resolved)
        )
    })?;
    Ok(resolved)
}

/// Downloads the package at the HTTPS `url`: redirects are followed
/// (at most 10, HTTPS only), the whole download must finish within 10
/// minutes, and the body must be smaller than 256 MiB (it is held in
/// memory, then staged and hashed by the install).
pub fn download(url: &str) -> Result<DownloadedPackage, DownloadError> {
    check_https_url(url)?;
    let start = Instant::now();
    let transport_for = |remaining: Duration| -> Result<UreqTransport, DownloadError> {
        UreqTransport::new(
            &TrustRoots::platform(),
            Timeouts::default().overall(remaining),
        )
        .map_err(DownloadError::Client)
    };
    download_with(url, start, &transport_for)
}

fn download_with<T: HttpTransport>(
    url: &str,
    start: Instant,
    transport_for: &dyn Fn(Duration) -> Result<T, DownloadError>,
) -> Result<DownloadedPackage, DownloadError> {
    let mut current = url.to_string();
    for _ in 0..=MAX_DOWNLOAD_REDIRECTS {
        let remaining = DOWNLOAD_TIMEOUT
            .checked_sub(start.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| DownloadError::Timeout {
                url: current.clone(),
            })?;
        let transport = transport_for(remaining)?;
        let mut response = transport
            .send(&HttpRequest::new(Method::Get, current.clone()))
            .map_err(|source| DownloadError::Transport {
                url: current.clone(),
                source,
            })?;
        match response.status() {
            200 => {
                let data = response
                    .body_mut()
                    .read_to_vec(MAX_PACKAGE_BYTES - 1)
                    .map_err(|e| match e {
                        BodyReadError::TooLarge => DownloadError::TooLarge {
                            url: current.clone(),
                        },
                        BodyReadError::Io(source) => DownloadError::Body {
                            url: current.clone(),
                            source,
                        },
                    })?;
                return Ok(DownloadedPackage::new(file_name_of(url), data));
            }
            301 | 302 | 303 | 307 | 308 => {
                let location = response.headers().get("location").unwrap_or_default();
                let next = resolve_redirect(&current, location).map_err(|reason| {
                    DownloadError::Redirect {
                        url: current.clone(),
                        reason,
                    }
                })?;
                response.body_mut().discard(64 * 1024);
                current = next;
            }
            status => {
                return Err(DownloadError::BadStatus {
                    url: current,
                    status,
                });
            }
        }
    }
    Err(DownloadError::TooManyRedirects { url: current })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notation_oci::registry::transport::{HttpHeaders, HttpResponse, ResponseBody};
    use std::sync::Mutex;

    #[test]
    fn only_https() {
        check_https_url("https://example.com/p.tar.gz").unwrap();
        check_https_url("HTTPS://example.com").unwrap();
        for (url, scheme) in [
            ("http://localhost", "http"),
            ("ftp://x/y", "ftp"),
            ("example.com/p.zip", ""),
            ("/tmp/p.zip", ""),
            ("localhost:5000", "localhost"),
        ] {
            assert_eq!(
                check_https_url(url).unwrap_err().to_string(),
                format!("only the HTTPS scheme is supported, but got {scheme}"),
                "{url}"
            );
        }
        assert!(matches!(
            check_https_url("https://"),
            Err(DownloadError::InvalidUrl { .. })
        ));
        assert!(matches!(
            check_https_url("https://a b"),
            Err(DownloadError::InvalidUrl { .. })
        ));
        assert!(matches!(
            check_https_url(":x"),
            Err(DownloadError::InvalidUrl { .. })
        ));
        // Issue 8 (Low 3): non-ASCII where the prefix is sliced; these
        // panicked (a byte index inside 'é').
        for url in ["https:/é", "https:éé", "https:/\u{1F600}/p.zip"] {
            assert!(
                matches!(check_https_url(url), Err(DownloadError::InvalidUrl { .. })),
                "{url}"
            );
        }
        check_https_url("https://é.example/p.zip").unwrap();
    }

    #[test]
    fn url_file_names() {
        assert_eq!(
            file_name_of("https://h/a/notation-foo?x=1#f"),
            "notation-foo"
        );
        assert_eq!(file_name_of("https://h"), "");
        assert_eq!(file_name_of("https://h/"), "");
        assert_eq!(file_name_of("https://h/p.tar.gz"), "p.tar.gz");
    }

    #[test]
    fn redirects_resolve_and_stay_https() {
        let base = "https://h:8443/a/b/c.zip?q";
        assert_eq!(
            resolve_redirect(base, "https://o/x").unwrap(),
            "https://o/x"
        );
        assert_eq!(resolve_redirect(base, "//o/x").unwrap(), "https://o/x");
        assert_eq!(resolve_redirect(base, "/x").unwrap(), "https://h:8443/x");
        assert_eq!(
            resolve_redirect(base, "d.zip").unwrap(),
            "https://h:8443/a/b/d.zip"
        );
        assert!(resolve_redirect(base, "http://o/x").is_err());
        // A Location with non-ASCII text where the prefix is checked.
        assert!(resolve_redirect(base, "https:/é").is_err());
        assert_eq!(
            resolve_redirect("https://h/é/a.zip", "b.zip").unwrap(),
            "https://h/é/b.zip"
        );
        assert!(resolve_redirect(base, "").is_err());
    }

    /// A transport answering from a script: (status, location, body).
    struct Scripted {
        answers: Mutex<Vec<(u16, &'static str, Vec<u8>)>>,
        seen: Mutex<Vec<String>>,
    }

    impl HttpTransport for &Scripted {
        fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
            self.seen.lock().unwrap().push(request.url().to_string());
            let (status, location, body) = self.answers.lock().unwrap().remove(0);
            let mut headers = HttpHeaders::new();
            if !location.is_empty() {
                headers.set("Location", location);
            }
            Ok(HttpResponse::new(
                status,
                headers,
                ResponseBody::new(std::io::Cursor::new(body)),
            ))
        }
    }

    fn run(
        answers: Vec<(u16, &'static str, Vec<u8>)>,
    ) -> (Result<DownloadedPackage, DownloadError>, Vec<String>) {
        let s = Scripted {
            answers: Mutex::new(answers),
            seen: Mutex::new(Vec::new()),
        };
        let r = download_with("https://h/dl/notation-x", Instant::now(), &|_| Ok(&s));
        let seen = s.seen.lock().unwrap().clone();
        (r, seen)
    }

    #[test]
    fn follows_https_redirects() {
        let (r, seen) = run(vec![
            (302, "/objects/123", vec![]),
            (200, "", b"data".to_vec()),
        ]);
        let p = r.unwrap();
        // The name comes from the URL the user gave.
        assert_eq!((p.file_name(), p.data()), ("notation-x", &b"data"[..]));
        assert_eq!(seen, ["https://h/dl/notation-x", "https://h/objects/123"]);
        let (r, seen) = run(vec![(301, "http://h/x", vec![])]);
        assert_eq!(
            r.unwrap_err().to_string(),
            "GET \"https://h/dl/notation-x\": redirect refused: redirect to \"http://h/x\" is not an https URL"
        );
        assert_eq!(seen.len(), 1);
        let (r, _) = run(vec![(307, "/x", vec![]); MAX_DOWNLOAD_REDIRECTS + 1]);
        assert!(
            matches!(r, Err(DownloadError::TooManyRedirects { .. })),
            "{r:?}"
        );
        let (r, _) = run(vec![(404, "", b"nope".to_vec())]);
        assert_eq!(
            r.unwrap_err().to_string(),
            "GET \"https://h/dl/notation-x\": https response bad status: 404 Not Found"
        );
    }
}
