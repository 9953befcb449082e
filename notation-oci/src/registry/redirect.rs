//! Redirects for the one-request fetches outside the registry protocol: a
//! TSA request, an OCSP request, a CRL download. The reference sends these
//! with Go's `http.Client`, which follows up to 10 redirects; a CRL
//! distribution point or responder that moved answers with one. Followed as
//! Go follows them:
//!
//! - 301, 302 and 303 turn a POST into a GET (a GET or HEAD stays what it
//!   is), sent without the body or its `Content-Type`; 307 and 308 repeat
//!   the request, method and body;
//! - a redirect without a `Location` is the answer (Go never follows one);
//! - only `http` and `https` targets; at most [`MAX_REQUESTS`] requests in
//!   all (Go's "stopped after 10 redirects": nine redirects followed);
//! - every hop shares the request's deadline.
//!
//! The registry client follows its own redirects (with its authentication
//! rules); a [transport](super::transport::HttpTransport) never does.

use std::fmt;

use super::transport::{HttpRequest, HttpResponse, HttpTransport, Method, TransportError};
use super::url::resolve;

/// Requests sent at most for one fetch, the first included, as Go's
/// `http.Client` (its default `CheckRedirect` stops when a tenth redirect
/// would be followed).
pub(crate) const MAX_REQUESTS: usize = 10;

/// The body of a redirect response read (and dropped) at most, so that the
/// connection can be reused.
const MAX_REDIRECT_BODY: u64 = 64 * 1024;

/// Whether `status` is a redirect (with the registry client's and this
/// module's meaning: 301, 302, 303, 307, 308).
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Why no final response was reached.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The transport failed on one of the requests.
    Transport(TransportError),
    /// A redirect that cannot be followed.
    Redirect(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Transport(e) => e.fmt(f),
            SendError::Redirect(e) => f.write_str(e),
        }
    }
}

/// Sends `request`, following redirects (see the module documentation), and
/// returns the first response that is not one to follow.
pub(crate) fn send_following_redirects(
    transport: &dyn HttpTransport,
    request: HttpRequest<'_>,
) -> Result<HttpResponse, SendError> {
    let first_method = request.method();
    let mut request = request;
    let mut sent = 0;
    loop {
        sent += 1;
        let mut response = transport.send(&request).map_err(SendError::Transport)?;
        let status = response.status();
        if !is_redirect(status) {
            return Ok(response);
        }
        let Some(location) = response.headers().get("location").map(str::to_owned) else {
            return Ok(response);
        };
        if sent == MAX_REQUESTS {
            return Err(SendError::Redirect(format!(
                "{} {}: stopped after {MAX_REQUESTS} redirects",
                first_method.as_str(),
                request.url()
            )));
        }
        let target = resolve(request.url(), &location)
            .filter(|t| {
                let scheme = t.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
                matches!(scheme.as_deref(), Some("http" | "https"))
            })
            .ok_or_else(|| {
                SendError::Redirect(format!(
                    "{} {}: redirect to an unsupported location {location:?}",
                    request.method().as_str(),
                    request.url()
                ))
            })?;
        response.body_mut().discard(MAX_REDIRECT_BODY);
        let keeps_method =
            matches!(status, 307 | 308) || matches!(request.method(), Method::Get | Method::Head);
        if keeps_method {
            request.set_url(target);
        } else {
            let mut get = HttpRequest::new(Method::Get, target);
            for (name, value) in request.headers().iter() {
                if !name.eq_ignore_ascii_case("content-type") {
                    get.headers_mut().append(name, value);
                }
            }
            if let Some(deadline) = request.deadline() {
                get = get.with_deadline(deadline);
            }
            request = get;
        }
    }
}
