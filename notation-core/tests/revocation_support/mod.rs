//! Shared helpers of the revocation tests: the conformance vectors, the
//! PKI of testdata/revocation (made by make-pki.sh), an in-memory fetcher
//! keyed by URL, and real OCSP responses and CRLs produced by `openssl ocsp`
//! and `openssl ca -gencrl` in a temporary directory.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use notation_core::revocation::{
    CrlHttpRequest, FetchError, OcspHttpRequest, RevocationFetcher, RevocationValidator,
    RevocationValidatorBuilder,
};
use notation_core::x509::Certificate;
use time::OffsetDateTime;
use time::macros::format_description;

/// The conformance vectors; a missing vector fails the test.
pub fn conformance(path: &str) -> Vec<u8> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance"
    ));
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "conformance vectors not found at {} (they are required)",
        dir.display()
    );
    let p = dir.join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// The revocation test PKI directory.
pub fn pki_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/revocation"
    ))
}

/// A file of the test PKI.
pub fn pki_path(name: &str) -> PathBuf {
    let p = pki_dir().join(name);
    assert!(p.is_file(), "missing {} (run make-pki.sh)", p.display());
    p
}

/// Parses PEM or DER certificates.
pub fn certs(data: &[u8]) -> Vec<Certificate> {
    Certificate::parse_many(data).expect("certificates")
}

/// `testdata/revocation/<name>.crt`.
pub fn cert(name: &str) -> Certificate {
    certs(&std::fs::read(pki_path(&format!("{name}.crt"))).unwrap()).remove(0)
}

/// `testdata/revocation/<name>.chain.pem`.
pub fn chain(name: &str) -> Vec<Certificate> {
    certs(&std::fs::read(pki_path(&format!("{name}.chain.pem"))).unwrap())
}

/// A certificate's serial number in the upper-case hex of openssl indexes.
pub fn serial_hex(cert: &Certificate) -> String {
    let s: String = cert
        .serial_number()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    // openssl writes the magnitude without a leading zero byte.
    match s.strip_prefix("00") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => s,
    }
}

type OcspHandler = Arc<dyn Fn(&OcspHttpRequest) -> Result<Vec<u8>, FetchError> + Send + Sync>;

/// An in-memory fetcher keyed by URL. Unknown URLs fail like an unknown
/// host. Every request is logged.
#[derive(Default)]
pub struct TestFetcher {
    crls: Mutex<HashMap<String, Result<Vec<u8>, FetchError>>>,
    ocsp: Mutex<HashMap<String, OcspHandler>>,
    log: Mutex<Vec<String>>,
}

impl TestFetcher {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Serves `body` at `url`.
    pub fn crl(&self, url: &str, body: Vec<u8>) {
        self.crls.lock().unwrap().insert(url.into(), Ok(body));
    }

    /// Fails `url` with `error`.
    pub fn crl_error(&self, url: &str, error: FetchError) {
        self.crls.lock().unwrap().insert(url.into(), Err(error));
    }

    /// Answers OCSP requests to `server` with `handler`.
    pub fn ocsp(
        &self,
        server: &str,
        handler: impl Fn(&OcspHttpRequest) -> Result<Vec<u8>, FetchError> + Send + Sync + 'static,
    ) {
        self.ocsp
            .lock()
            .unwrap()
            .insert(server.into(), Arc::new(handler));
    }

    /// Answers OCSP requests to `server` with a fixed body.
    pub fn ocsp_body(&self, server: &str, body: Vec<u8>) {
        self.ocsp(server, move |_| Ok(body.clone()));
    }

    /// Answers OCSP requests to `server` with the real responder.
    pub fn ocsp_responder(&self, server: &str, responder: Arc<OcspResponder>) {
        self.ocsp(server, move |r| Ok(responder.respond(r.request_der())));
    }

    /// The requests made so far: "OCSP <method> <url>" or "CRL <url>".
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear()
    }
}

fn no_such_host(url: &str) -> FetchError {
    FetchError::transport(format!("dial tcp: lookup {url}: no such host"))
}

impl RevocationFetcher for TestFetcher {
    fn fetch_ocsp(&self, request: &OcspHttpRequest) -> Result<Vec<u8>, FetchError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("OCSP {} {}", request.method(), request.url()));
        let handler = self.ocsp.lock().unwrap().get(request.server()).cloned();
        match handler {
            Some(h) => h(request),
            None => Err(no_such_host(request.server())),
        }
    }

    fn fetch_crl(&self, request: &CrlHttpRequest) -> Result<Vec<u8>, FetchError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("CRL {}", request.url()));
        match self.crls.lock().unwrap().get(request.url()) {
            Some(r) => r.clone(),
            None => Err(no_such_host(request.url())),
        }
    }
}

/// A validator over `fetcher` with default settings.
pub fn validator(fetcher: &Arc<TestFetcher>) -> RevocationValidatorBuilder {
    RevocationValidator::builder(fetcher.clone())
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e} (openssl is required)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `YYMMDDHHMMSSZ`, the revocation time of openssl indexes.
pub fn utc_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year repr:last_two][month][day][hour][minute][second]Z"
    ))
    .unwrap()
}

/// `YYYYMMDDHHMMSSZ`, the invalidity date (keyTime) of openssl indexes.
pub fn generalized_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year][month][day][hour][minute][second]Z"
    ))
    .unwrap()
}

/// One line of an openssl CA database.
#[derive(Clone, Debug)]
pub struct IndexEntry {
    pub serial: String,
    pub revoked: Option<Revocation>,
}

/// A revocation in an openssl CA database.
#[derive(Clone, Debug)]
pub struct Revocation {
    pub at: OffsetDateTime,
    /// An openssl reason name: keyCompromise, certificateHold,
    /// removeFromCRL, ... ; `keyTime` with `invalidity` gives keyCompromise
    /// plus an invalidityDate.
    pub reason: Option<&'static str>,
    pub invalidity: Option<OffsetDateTime>,
}

impl IndexEntry {
    pub fn valid(cert: &Certificate) -> Self {
        Self {
            serial: serial_hex(cert),
            revoked: None,
        }
    }

    pub fn revoked(cert: &Certificate, at: OffsetDateTime, reason: Option<&'static str>) -> Self {
        Self {
            serial: serial_hex(cert),
            revoked: Some(Revocation {
                at,
                reason,
                invalidity: None,
            }),
        }
    }

    /// Revoked for key compromise with an invalidity date.
    pub fn revoked_invalid_since(
        cert: &Certificate,
        at: OffsetDateTime,
        invalidity: OffsetDateTime,
    ) -> Self {
        Self {
            serial: serial_hex(cert),
            revoked: Some(Revocation {
                at,
                reason: Some("keyTime"),
                invalidity: Some(invalidity),
            }),
        }
    }

    fn line(&self) -> String {
        match &self.revoked {
            None => format!("V\t21260101000000Z\t\t{}\tunknown\t/CN=x\n", self.serial),
            Some(r) => {
                let mut when = utc_time(r.at);
                if let Some(reason) = r.reason {
                    when.push(',');
                    when.push_str(reason);
                }
                if let Some(i) = r.invalidity {
                    when.push(',');
                    when.push_str(&generalized_time(i));
                }
                format!(
                    "R\t21260101000000Z\t{when}\t{}\tunknown\t/CN=x\n",
                    self.serial
                )
            }
        }
    }
}

/// A real OCSP responder: `openssl ocsp -index … -reqin … -respout …`.
pub struct OcspResponder {
    dir: tempfile::TempDir,
    ca: PathBuf,
    signer: PathBuf,
    key: PathBuf,
    index: Mutex<Vec<IndexEntry>>,
    validity: Mutex<Vec<String>>,
    extra: Mutex<Vec<String>>,
}

impl OcspResponder {
    /// A responder for the CA `ca` (a .crt path) signing with `signer`.
    pub fn new(ca: &Path, signer: &Path, key: &Path) -> Arc<Self> {
        Arc::new(Self {
            dir: tempfile::tempdir().unwrap(),
            ca: ca.into(),
            signer: signer.into(),
            key: key.into(),
            index: Mutex::new(Vec::new()),
            validity: Mutex::new(vec!["-nmin".into(), "5".into()]),
            extra: Mutex::new(Vec::new()),
        })
    }

    /// A responder of the test PKI: `ca` and `signer` are PKI names.
    pub fn pki(ca: &str, signer: &str) -> Arc<Self> {
        Self::new(
            &pki_path(&format!("{ca}.crt")),
            &pki_path(&format!("{signer}.crt")),
            &pki_path(&format!("{signer}.key")),
        )
    }

    /// The database: certificates not listed are unknown to the responder.
    pub fn set_index(&self, entries: Vec<IndexEntry>) {
        *self.index.lock().unwrap() = entries;
    }

    /// The validity arguments (`-nmin 5` by default; empty: no nextUpdate).
    pub fn set_validity(&self, args: &[&str]) {
        *self.validity.lock().unwrap() = args.iter().map(|s| s.to_string()).collect();
    }

    /// Extra `openssl ocsp` arguments (`-resp_key_id`, `-resp_no_certs`, ...).
    pub fn set_extra(&self, args: &[&str]) {
        *self.extra.lock().unwrap() = args.iter().map(|s| s.to_string()).collect();
    }

    /// The response to a DER request.
    pub fn respond(&self, request: &[u8]) -> Vec<u8> {
        let d = self.dir.path();
        // Each request gets its own files: requests may arrive in parallel.
        let id = format!("{:?}", std::thread::current().id())
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let (index, req, resp) = (
            d.join(format!("index-{id}.txt")),
            d.join(format!("req-{id}.der")),
            d.join(format!("resp-{id}.der")),
        );
        let lines: String = self
            .index
            .lock()
            .unwrap()
            .iter()
            .map(IndexEntry::line)
            .collect();
        std::fs::write(&index, lines).unwrap();
        std::fs::write(
            d.join(format!("index-{id}.txt.attr")),
            "unique_subject = no\n",
        )
        .unwrap();
        std::fs::write(&req, request).unwrap();
        run(Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(&index)
            .arg("-CA")
            .arg(&self.ca)
            .arg("-rsigner")
            .arg(&self.signer)
            .arg("-rkey")
            .arg(&self.key)
            .arg("-reqin")
            .arg(&req)
            .arg("-respout")
            .arg(&resp)
            .args(self.validity.lock().unwrap().iter())
            .args(self.extra.lock().unwrap().iter()));
        std::fs::read(&resp).unwrap()
    }
}

/// What `openssl ocsp` sends for `cert` issued by `issuer` without a nonce.
pub fn openssl_request(cert: &Path, issuer: &Path) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("req.der");
    run(Command::new("openssl")
        .args(["ocsp", "-no_nonce", "-issuer"])
        .arg(issuer)
        .arg("-cert")
        .arg(cert)
        .arg("-reqout")
        .arg(&out));
    std::fs::read(out).unwrap()
}

/// How a CRL is generated.
#[derive(Clone, Debug)]
pub struct CrlSpec {
    pub entries: Vec<IndexEntry>,
    /// The CRL number; `None` writes no number (and, without extensions,
    /// a v1 CRL).
    pub number: Option<u64>,
    /// nextUpdate = now + hours.
    pub hours: u32,
    /// Extra `crl_extensions` lines of the openssl configuration.
    pub extensions: Vec<String>,
}

impl Default for CrlSpec {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            number: Some(1),
            hours: 24,
            extensions: Vec::new(),
        }
    }
}

/// A CRL issuer: `openssl ca -gencrl` with a CA of the test PKI.
pub struct CrlAuthority {
    dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
}

impl CrlAuthority {
    pub fn pki(name: &str) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            cert: pki_path(&format!("{name}.crt")),
            key: pki_path(&format!("{name}.key")),
        }
    }

    /// A DER CRL.
    pub fn gencrl(&self, spec: &CrlSpec) -> Vec<u8> {
        let d = self.dir.path();
        let index = d.join("index.txt");
        let lines: String = spec.entries.iter().map(IndexEntry::line).collect();
        std::fs::write(&index, lines).unwrap();
        std::fs::write(d.join("index.txt.attr"), "unique_subject = no\n").unwrap();
        let mut cnf = format!(
            "[ca]\ndefault_ca=d\n[d]\ndatabase={}\ndefault_md=sha256\n",
            index.display()
        );
        if let Some(n) = spec.number {
            let crlnumber = d.join("crlnumber");
            std::fs::write(&crlnumber, format!("{n:02X}\n")).unwrap();
            cnf.push_str(&format!("crlnumber={}\n", crlnumber.display()));
        }
        if !spec.extensions.is_empty() {
            cnf.push_str("crl_extensions=crl_ext\n[crl_ext]\n");
            for line in &spec.extensions {
                cnf.push_str(line);
                cnf.push('\n');
            }
        }
        let cnf_path = d.join("ca.cnf");
        std::fs::write(&cnf_path, cnf).unwrap();
        let pem = d.join("crl.pem");
        let der = d.join("crl.der");
        run(Command::new("openssl")
            .args(["ca", "-gencrl", "-batch", "-config"])
            .arg(&cnf_path)
            .arg("-cert")
            .arg(&self.cert)
            .arg("-keyfile")
            .arg(&self.key)
            .args(["-crlhours", &spec.hours.to_string(), "-out"])
            .arg(&pem));
        run(Command::new("openssl")
            .args(["crl", "-in"])
            .arg(&pem)
            .args(["-outform", "DER", "-out"])
            .arg(&der));
        std::fs::read(der).unwrap()
    }
}

/// Re-signs a DER structure `SEQUENCE { tbs, AlgorithmIdentifier, BIT
/// STRING }` (a CRL) after `edit` changed its TBS, with an RSA key of the
/// PKI (PKCS#1 v1.5, SHA-256): signed, but crafted, input.
pub fn resign_rsa(der: &[u8], key_name: &str, edit: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let (tbs, alg) = split_signed(der);
    let new_tbs = edit(tbs);
    let key_pem = std::fs::read(pki_path(&format!("{key_name}.key"))).unwrap();
    let block = notation_core::pem::parse_blocks(&key_pem)
        .unwrap()
        .remove(0);
    let key = ring::signature::RsaKeyPair::from_pkcs8(&block.der).unwrap();
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        &new_tbs,
        &mut sig,
    )
    .unwrap();
    let mut bits = vec![0u8];
    bits.extend_from_slice(&sig);
    der_tlv(0x30, &[new_tbs, alg.to_vec(), der_tlv(0x03, &[bits])])
}

/// The TBS and AlgorithmIdentifier elements of a signed structure.
pub fn split_signed(der: &[u8]) -> (&[u8], &[u8]) {
    let (_, body, _) = read_tlv(der);
    let (tbs, rest) = split_tlv(body);
    let (alg, _) = split_tlv(rest);
    (tbs, alg)
}

/// Reads one TLV: (tag, contents, whole element).
pub fn read_tlv(data: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = data[0];
    let (len, header) = if data[1] < 0x80 {
        (data[1] as usize, 2)
    } else {
        let n = (data[1] & 0x7f) as usize;
        let len = data[2..2 + n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | b as usize);
        (len, 2 + n)
    };
    (tag, &data[header..header + len], &data[..header + len])
}

/// Splits the first element off `data`.
pub fn split_tlv(data: &[u8]) -> (&[u8], &[u8]) {
    let (_, _, whole) = read_tlv(data);
    data.split_at(whole.len())
}

/// Encodes a TLV with a minimal length.
pub fn der_tlv(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    let len: usize = parts.iter().map(Vec::len).sum();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let b = len.to_be_bytes();
        let skip = b.iter().take_while(|&&x| x == 0).count();
        out.push(0x80 | (b.len() - skip) as u8);
        out.extend_from_slice(&b[skip..]);
    }
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// The elements inside a constructed element's contents.
pub fn children(contents: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = contents;
    while !rest.is_empty() {
        let (first, r) = split_tlv(rest);
        out.push(first);
        rest = r;
    }
    out
}

/// Now, truncated to whole seconds.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap()
}
