//! Redirects on the fetches outside the registry protocol (CRL downloads,
//! OCSP requests, TSA requests), followed as the reference's Go
//! `http.Client` follows them: ten requests at most, to `http` or `https`,
//! a POST turned into a GET by 301/302/303 and repeated by 307/308. The
//! servers are in-process (they redirect on purpose).

mod support;

use std::time::Duration;

use notation_core::algorithm::HashAlgorithm;
use notation_core::revocation::{CrlHttpRequest, OcspHttpRequest, RevocationFetcher};
use notation_core::timestamp::Timestamper;
use notation_core::x509::Certificate;
use notation_oci::revocation::HttpRevocationFetcher;
use notation_oci::tsa::HttpTimestamper;
use support::http::{Response, TestServer};
use support::servers;

const TIMEOUT: Duration = Duration::from_secs(5);

fn fetcher() -> HttpRevocationFetcher {
    HttpRevocationFetcher::new().unwrap()
}

fn crl(url: &str) -> CrlHttpRequest {
    CrlHttpRequest::new(url, TIMEOUT, 1024)
}

#[test]
fn a_moved_crl_is_fetched_from_where_it_went() {
    let server = TestServer::start(|r| match r.path() {
        "/old.crl" => Response::status(301).header("Location", "/moved/new.crl"),
        "/moved/new.crl" => Response::status(302).header("Location", "newer.crl"),
        "/moved/newer.crl" => Response::ok("application/pkix-crl", b"crl bytes".to_vec()),
        _ => Response::status(404),
    });
    let body = fetcher()
        .fetch_crl(&crl(&format!("{}/old.crl", server.url())))
        .unwrap();
    assert_eq!(body, b"crl bytes");
    let paths: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(paths, ["/old.crl", "/moved/new.crl", "/moved/newer.crl"]);
}

#[test]
fn redirects_stop_after_ten_and_at_other_schemes() {
    let endless = TestServer::start(|r| {
        let n: u32 = r.path().trim_start_matches('/').parse().unwrap_or(0);
        Response::status(302).header("Location", format!("/{}", n + 1))
    });
    let e = fetcher()
        .fetch_crl(&crl(&format!("{}/0", endless.url())))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("GET {}/9: stopped after 10 redirects", endless.url())
    );
    // As Go: ten requests, the tenth answer a redirect not followed.
    assert_eq!(endless.request_count(), 10);

    let elsewhere =
        TestServer::start(|_| Response::status(302).header("Location", "ftp://example.test/a.crl"));
    let e = fetcher()
        .fetch_crl(&crl(&format!("{}/a.crl", elsewhere.url())))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("redirect to an unsupported location \"ftp://example.test/a.crl\""),
        "{e}"
    );
    assert_eq!(elsewhere.request_count(), 1);

    // A redirect without a Location is the answer, as for Go.
    let nowhere = TestServer::start(|_| Response::status(302));
    let e = fetcher()
        .fetch_crl(&crl(&format!("{}/a.crl", nowhere.url())))
        .unwrap_err();
    assert_eq!(e.to_string(), "response had status code 302");
}

#[test]
fn an_ocsp_post_becomes_a_get_on_302_and_stays_a_post_on_307() {
    let server = TestServer::start(|r| match (r.method.as_str(), r.path()) {
        (_, "/found") => Response::status(302).header("Location", "/answer"),
        (_, "/temporary") => Response::status(307).header("Location", "/answer"),
        ("GET", "/answer") => Response::ok("application/ocsp-response", b"by get".to_vec()),
        ("POST", "/answer") => Response::ok("application/ocsp-response", r.body.clone()),
        _ => Response::status(404),
    });
    // Long enough for a POST (its base64 is 255 bytes or more).
    let der = vec![0x30; 300];
    let request =
        |path: &str| OcspHttpRequest::new(&format!("{}{path}", server.url()), &der, TIMEOUT, 1024);

    let body = fetcher().fetch_ocsp(&request("/found")).unwrap();
    assert_eq!(body, b"by get");
    let requests = server.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[1].method, "GET");
    assert!(requests[1].body.is_empty());
    assert_eq!(requests[1].header("content-type"), None);
    assert_eq!(
        requests[1].header("accept"),
        Some("application/ocsp-response")
    );

    let body = fetcher().fetch_ocsp(&request("/temporary")).unwrap();
    assert_eq!(body, der);
    let requests = server.requests();
    assert_eq!(requests[3].method, "POST");
    assert_eq!(
        requests[3].header("content-type"),
        Some("application/ocsp-request")
    );
}

#[test]
fn a_tsa_redirect_is_followed_and_its_reply_type_checked() {
    let root =
        Certificate::parse_many(&std::fs::read(servers::testdata().join("pki/root.crt")).unwrap())
            .unwrap();
    let tsa = TestServer::start(|r| match r.path() {
        "/tsa" => Response::status(308).header("Location", "/v2/tsa"),
        "/v2/tsa" => Response::ok("text/html", b"<html>not a token</html>".to_vec()),
        _ => Response::status(404),
    });
    let e = HttpTimestamper::new(format!("{}/tsa", tsa.url()), root)
        .unwrap()
        .timestamp(b"signature bytes", HashAlgorithm::Sha256)
        .unwrap_err();
    // Followed with the method and body, then refused for its media type
    // (as tspclient-go), before any parsing.
    assert_eq!(
        e.to_string(),
        format!(
            "POST {}/tsa: unexpected response content type: text/html",
            tsa.url()
        )
    );
    let requests = tsa.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].method, "POST");
    assert_eq!(requests[0].body, requests[1].body);
    assert_eq!(
        requests[1].header("content-type"),
        Some("application/timestamp-query")
    );
}
