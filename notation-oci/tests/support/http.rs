//! A small in-process HTTP/1.1 server on a loopback port, for what no
//! installable registry provides here (the referrers API of distribution
//! spec v1.1) and for registries that misbehave on purpose. Handlers get
//! each request and return a [`Response`], which can lie about its length,
//! stall, or stream forever.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request as received.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// `http://127.0.0.1:<port>` (or `https://localhost:<port>`) of this
    /// server.
    pub base_url: String,
}

impl Request {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A query parameter (not decoded).
    pub fn query(&self, name: &str) -> Option<&str> {
        let q = self.target.split_once('?')?.1;
        q.split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    }
}

/// How the body is sent.
#[derive(Clone, Debug)]
enum Body {
    Bytes(Vec<u8>),
    /// Bytes forever (bounded at 1 GiB) without `Content-Length`.
    Endless,
}

/// A response, with misbehaviours.
#[derive(Clone, Debug)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    /// `Some(n)`: send `Content-Length: n` whatever the body; `None` with
    /// `omit_length`: no length, connection closed after the body.
    content_length: Option<u64>,
    omit_length: bool,
    delay: Duration,
    stall_after: Option<(usize, Duration)>,
    drip: Option<Duration>,
}

impl Response {
    /// A response with a status and no body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
            content_length: None,
            omit_length: false,
            delay: Duration::ZERO,
            stall_after: None,
            drip: None,
        }
    }

    /// 200 with a body and a content type.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::status(200)
            .header("Content-Type", content_type)
            .body(body)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(body.into());
        self
    }

    /// Declares this `Content-Length` whatever the body (a lie, or the
    /// length of a `HEAD` response).
    pub fn content_length(mut self, n: u64) -> Self {
        self.content_length = Some(n);
        self
    }

    /// Sends no `Content-Length`: the body ends when the connection closes.
    pub fn without_length(mut self) -> Self {
        self.omit_length = true;
        self
    }

    /// Streams bytes forever (close-delimited).
    pub fn endless(mut self) -> Self {
        self.body = Body::Endless;
        self.omit_length = true;
        self
    }

    /// Waits before sending anything.
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }

    /// Sends the body one byte per `interval` (a registry that drips).
    pub fn drip(mut self, interval: Duration) -> Self {
        self.drip = Some(interval);
        self
    }

    /// Sends the headers and `bytes` bytes of the body, then stalls.
    pub fn stall_after(mut self, bytes: usize, d: Duration) -> Self {
        self.stall_after = Some((bytes, d));
        self
    }
}

/// A running test server; stopped on drop.
pub struct TestServer {
    addr: SocketAddr,
    base_url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

impl TestServer {
    /// Starts a server answering with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        Self::start_with(None, handler)
    }

    /// Starts a server speaking TLS with the fixtures' server certificate
    /// (`tls-server.crt.pem`, for localhost, 127.0.0.1 and ::1, issued by
    /// `tls-ca.crt.pem`); its URL names `localhost`.
    pub fn start_tls(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        Self::start_with(Some(tls_config()), handler)
    }

    fn start_with(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let base_url = match tls {
            Some(_) => format!("https://localhost:{}", addr.port()),
            None => format!("http://{addr}"),
        };
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, stop2, url) = (requests.clone(), stop.clone(), base_url.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                // Head and body go out in separate writes: without this,
                // Nagle's algorithm holds the body until the client's
                // delayed ACK (40 ms per response on a kept-alive
                // connection).
                let _ = stream.set_nodelay(true);
                let (handler, reqs, stop3, url) =
                    (handler.clone(), reqs.clone(), stop2.clone(), url.clone());
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    None => serve_connection(stream, &url, &*handler, &reqs, &stop3),
                    Some(config) => {
                        let Ok(session) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        let stream = rustls::StreamOwned::new(session, stream);
                        serve_connection(stream, &url, &*handler, &reqs, &stop3)
                    }
                });
            }
        });
        Self {
            addr,
            base_url,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:<port>`, or `https://localhost:<port>` with TLS.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// The TLS configuration of [`TestServer::start_tls`].
fn tls_config() -> Arc<rustls::ServerConfig> {
    let der = |name: &str| {
        let pem = std::fs::read(super::fixtures::path(name)).unwrap();
        notation_core::pem::parse_blocks(&pem)
            .unwrap()
            .remove(0)
            .der
    };
    let cert = rustls::pki_types::CertificateDer::from(der("tls-server.crt.pem"));
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(der("tls-server.key.pem").into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    Arc::new(config)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_connection<S: Read + Write>(
    stream: S,
    base_url: &str,
    handler: &Handler,
    requests: &Mutex<Vec<Request>>,
    stop: &AtomicBool,
) {
    let mut reader = BufReader::new(stream);
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Some(request) = read_request(&mut reader, base_url) else {
            return;
        };
        requests.lock().unwrap().push(request.clone());
        let response = handler(&request);
        let keep_alive = write_response(reader.get_mut(), &request, response);
        let _ = reader.get_mut().flush();
        if !keep_alive {
            // Dropping the stream closes the connection.
            return;
        }
    }
}

fn read_request<S: Read>(reader: &mut BufReader<S>, base_url: &str) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    let mut total = 0usize;
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h).ok()?;
        total += n;
        if n == 0 || total > 64 * 1024 {
            return None;
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
        base_url: base_url.to_string(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

/// Writes the response; returns whether the connection may be reused.
fn write_response(w: &mut impl Write, request: &Request, r: Response) -> bool {
    if !r.delay.is_zero() {
        std::thread::sleep(r.delay);
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (n, v) in &r.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let body_len = match &r.body {
        Body::Bytes(b) => b.len() as u64,
        Body::Endless => 0,
    };
    let close = r.omit_length;
    if let Some(n) = r.content_length {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    } else if !r.omit_length {
        head.push_str(&format!("Content-Length: {body_len}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    if w.write_all(head.as_bytes()).is_err() {
        return false;
    }
    if request.method == "HEAD" {
        return !close;
    }
    match r.body {
        Body::Bytes(b) if r.drip.is_some() => {
            let interval = r.drip.unwrap_or_default();
            for byte in b {
                if w.write_all(&[byte]).and_then(|()| w.flush()).is_err() {
                    return false;
                }
                std::thread::sleep(interval);
            }
            false
        }
        Body::Bytes(b) => {
            let (first, stall) = match r.stall_after {
                Some((n, d)) => (n.min(b.len()), Some(d)),
                None => (b.len(), None),
            };
            if w.write_all(&b[..first]).is_err() {
                return false;
            }
            if let Some(d) = stall {
                let _ = w.flush();
                std::thread::sleep(d);
                let _ = w.write_all(&b[first..]);
                return false;
            }
            // A lying Content-Length leaves the connection unusable.
            !close && r.content_length.is_none_or(|n| n == body_len)
        }
        Body::Endless => {
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..16 * 1024 {
                if w.write_all(&chunk).is_err() {
                    break;
                }
            }
            false
        }
    }
}
