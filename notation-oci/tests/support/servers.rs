//! Real servers for the timestamp and revocation tests, started on loopback
//! and stopped on drop: a TSA (`openssl ts -reply` behind Python's
//! http.server, testdata/tsa/tsa-http.py), an OCSP responder
//! (`openssl ocsp -port`) and a static HTTP server for CRLs (`python3 -m
//! http.server`). A missing `openssl` or `python3` fails the test loudly.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's testdata directory.
pub fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata"))
}

fn require(program: &str) {
    let ok = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
        || Command::new(program)
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
    assert!(
        ok,
        "{program} is required by this test (the test command installs it); tests never skip"
    );
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port}");
}

/// A running server process.
pub struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TSA for `config` (made by testdata/tsa/make-live-tsa.sh).
pub fn tsa(config: &Path) -> Server {
    require("openssl");
    require("python3");
    let mut child = Command::new("python3")
        .arg(testdata().join("tsa/tsa-http.py"))
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("TSA did not print its port: {line:?}"));
    wait_for_port(port, &mut child, "the TSA");
    Server { child, port }
}

/// Makes a throw-away TSA PKI in `dir` with the committed script; returns
/// the openssl ts configuration.
pub fn make_tsa(dir: &Path) -> PathBuf {
    require("openssl");
    let status = Command::new(testdata().join("tsa/make-live-tsa.sh"))
        .arg(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "make-live-tsa.sh failed");
    dir.join("tsa.cnf")
}

/// Serves the files of `dir` over HTTP on a port the server picks and
/// reports (so that no fixed port has to be free).
pub fn static_http(dir: &Path) -> Server {
    require("python3");
    let mut child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs");
    // "Serving HTTP on 127.0.0.1 port <port> (http://...) ..."
    let port = reported_port(child.stdout.take().unwrap(), |line| {
        line.strip_prefix("Serving HTTP on 127.0.0.1 port ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|p| p.parse().ok())
    });
    let Some(port) = port else {
        let _ = child.kill();
        panic!("the CRL server did not report its port");
    };
    wait_for_port(port, &mut child, "the CRL server");
    Server { child, port }
}

/// The port a server reports on one of its output streams (read on a
/// thread: it keeps writing), within 10 s.
fn reported_port(
    stream: impl std::io::Read + Send + 'static,
    parse: impl Fn(&str) -> Option<u16> + Send + 'static,
) -> Option<u16> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(port) = parse(&line) {
                let _ = tx.send(port);
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10)).ok()
}

/// An OCSP responder (`openssl ocsp -port 0`) on a port it picks and
/// reports, answering from the CA database `index`, signing with
/// `signer`/`key` for `ca`; responses valid for `ndays` days. Readiness is
/// read from its output, not probed: the responder serves one connection
/// at a time and a probe that sends nothing would hold it.
pub fn ocsp(index: &Path, ca: &Path, signer: &Path, key: &Path, ndays: u32) -> Server {
    require("openssl");
    let mut child = Command::new("openssl")
        .args(["ocsp", "-port", "0", "-index"])
        .arg(index)
        .arg("-CA")
        .arg(ca)
        .arg("-rsigner")
        .arg(signer)
        .arg("-rkey")
        .arg(key)
        .args(["-ndays", &ndays.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl runs");
    // openssl prints "ACCEPT [::]:<port> PID=..." once it listens (on stdout
    // or stderr depending on the version).
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("ACCEPT ")
                    && let Some(port) = rest
                        .split_whitespace()
                        .next()
                        .and_then(|addr| addr.rsplit(':').next())
                        .and_then(|p| p.parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
    }
    let Ok(port) = rx.recv_timeout(Duration::from_secs(10)) else {
        let _ = child.kill();
        panic!("the OCSP responder did not report its port");
    };
    Server { child, port }
}

/// How the certificate of a [`revoked_tsa`] is revoked.
#[derive(Clone, Copy, Debug)]
pub enum RevokedBy {
    /// It names an OCSP responder (`openssl ocsp`) that answers "revoked".
    Ocsp,
    /// It names a CRL distribution point (a loopback HTTP server) whose CRL
    /// lists it.
    Crl,
}

/// A real TSA (as [`tsa`]) whose certificate is revoked, with the server
/// that says so; stopped on drop.
pub struct RevokedTsa {
    /// The TSA.
    pub tsa: Server,
    /// The OCSP responder or CRL server.
    pub revocation: Server,
}

/// Makes a throw-away TSA PKI in `dir` (the root is `dir/root.crt`) whose
/// TSA certificate is revoked `by` OCSP or a CRL served on loopback, and
/// starts the TSA and that server (testdata/tsa/make-live-tsa.sh).
pub fn revoked_tsa(dir: &Path, by: RevokedBy) -> RevokedTsa {
    let config = make_tsa(dir);
    let script = |args: &[&str]| {
        let status = Command::new(testdata().join("tsa/make-live-tsa.sh"))
            .arg(dir)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "make-live-tsa.sh {args:?} failed");
    };
    script(&["revoke"]);
    let root = dir.join("root.crt");
    let (revocation, extension) = match by {
        RevokedBy::Ocsp => {
            let server = ocsp(
                &dir.join("index.txt"),
                &root,
                &root,
                &dir.join("root.key"),
                1,
            );
            let ext = format!("authorityInfoAccess=OCSP;URI:{}", server.url());
            (server, ext)
        }
        RevokedBy::Crl => {
            let server = static_http(&dir.join("crl"));
            let ext = format!("crlDistributionPoints=URI:{}/tsa.crl", server.url());
            (server, ext)
        }
    };
    script(&["reissue", &extension]);
    RevokedTsa {
        tsa: tsa(&config),
        revocation,
    }
}
