//! Deadlines of the network exchanges outside the registry client: the
//! transport honours a request's deadline in every phase, and the TSA and
//! the OCSP/CRL fetchers give each exchange one deadline that a dripping
//! server (or a transport that ignores deadlines) cannot stretch. Servers
//! are in-process (they misbehave on purpose).

mod support;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notation_core::algorithm::HashAlgorithm;
use notation_core::revocation::{CrlHttpRequest, FetchError, RevocationFetcher};
use notation_core::timestamp::Timestamper;
use notation_core::x509::Certificate;
use notation_oci::registry::transport::{
    HttpHeaders, HttpRequest, HttpResponse, HttpTransport, Method, ResponseBody, Timeouts,
    TransportError, TransportErrorKind, TrustRoots, UreqTransport,
};
use notation_oci::revocation::HttpRevocationFetcher;
use notation_oci::tsa::HttpTimestamper;
use support::http::{Response, TestServer};
use support::servers;

fn any_root() -> Vec<Certificate> {
    Certificate::parse_many(&std::fs::read(servers::testdata().join("pki/root.crt")).unwrap())
        .unwrap()
}

#[test]
fn the_transport_gives_up_at_the_request_deadline() {
    let transport = UreqTransport::new(&TrustRoots::platform(), Timeouts::default()).unwrap();
    // No response in time: the per-phase timeouts are far longer.
    let slow = TestServer::start(|_| Response::status(200).delay(Duration::from_secs(5)));
    let start = Instant::now();
    let e = transport
        .send(
            &HttpRequest::new(Method::Get, slow.url())
                .with_deadline(Instant::now() + Duration::from_millis(300)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e}");
    assert!(start.elapsed() < Duration::from_secs(4));

    // A body that drips: cut at the deadline.
    let drip = TestServer::start(|_| {
        Response::ok("text/plain", vec![b'x'; 100]).drip(Duration::from_millis(100))
    });
    let start = Instant::now();
    let mut response = transport
        .send(
            &HttpRequest::new(Method::Get, drip.url())
                .with_deadline(Instant::now() + Duration::from_millis(500)),
        )
        .unwrap();
    assert!(response.body_mut().read_to_vec(1000).is_err());
    assert!(start.elapsed() < Duration::from_secs(5));

    // A deadline already passed: nothing is sent.
    let before = drip.request_count();
    let e = transport
        .send(&HttpRequest::new(Method::Get, drip.url()).with_deadline(Instant::now()))
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Timeout);
    assert_eq!(drip.request_count(), before);
}

#[test]
fn a_dripping_tsa_fails_at_its_time_limit_with_a_hint() {
    let tsa = TestServer::start(|_| {
        Response::ok("application/timestamp-reply", vec![0u8; 200]).drip(Duration::from_millis(100))
    });
    let timestamper = HttpTimestamper::new(tsa.url(), any_root())
        .unwrap()
        .timeout(Duration::from_millis(700))
        .unwrap()
        .timeout_hint("raise it with --timeout");
    let start = Instant::now();
    let e = timestamper
        .timestamp(b"signature bytes", HashAlgorithm::Sha256)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "POST {}: timed out while reading the response body: the timestamping request used up its time limit of 700ms (raise it with --timeout)",
            tsa.url()
        )
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// A transport that ignores deadlines and returns a body that trickles a
/// byte every 50 ms.
struct Deaf;

struct Trickle(usize);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 || buf.is_empty() {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(50));
        self.0 -= 1;
        buf[0] = 0x30;
        Ok(1)
    }
}

impl HttpTransport for Deaf {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse::new(
            200,
            HttpHeaders::new(),
            ResponseBody::new(Trickle(100_000)),
        ))
    }
}

#[test]
fn revocation_downloads_stop_at_their_timeout_whatever_the_transport() {
    let fetcher = HttpRevocationFetcher::with_transport(Arc::new(Deaf));
    let start = Instant::now();
    let e = fetcher
        .fetch_crl(&CrlHttpRequest::new(
            "http://crl.example/ca.crl",
            Duration::from_millis(400),
            1 << 20,
        ))
        .unwrap_err();
    assert_eq!(e, FetchError::Timeout);
    assert!(start.elapsed() < Duration::from_secs(5));

    // And over the network, a dripping CRL server.
    let drip = TestServer::start(|_| {
        Response::ok("application/pkix-crl", vec![0x30; 200]).drip(Duration::from_millis(50))
    });
    let start = Instant::now();
    let e = HttpRevocationFetcher::new()
        .unwrap()
        .fetch_crl(&CrlHttpRequest::new(
            &format!("{}/ca.crl", drip.url()),
            Duration::from_millis(400),
            1 << 20,
        ))
        .unwrap_err();
    assert_eq!(e, FetchError::Timeout);
    assert!(start.elapsed() < Duration::from_secs(5));
}
