//! Revocation against real servers (REQUIREMENTS P1-P6): an OCSP responder
//! (`openssl ocsp -port`) and CRLs served over loopback HTTP (Python's
//! http.server), with the e2e PKIs of MANIFEST 08. Their certificates name
//! `localhost:10087` (OCSP) and `localhost:10086` (CRLs); the servers here
//! listen on ports they pick and report, and the fetcher's transport sends
//! those two origins there ([`Loopback`]), so no fixed port has to be free.
//! Good, revoked, unknown, expired-response and unreachable cases each get
//! the verdict the level matrix requires (strict: revocation enforced;
//! permissive: logged).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::revocation::RevocationValidator;
use notation_core::signer::LocalSigner;
use notation_core::trust::{
    BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType, ValidationType,
};
use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier, VerifierBuilder};
use notation_core::x509::Certificate;
use notation_oci::registry::transport::{
    HttpRequest, HttpResponse, HttpTransport, Timeouts, TransportError, TrustRoots, UreqTransport,
};
use notation_oci::revocation::{FileCrlCache, HttpRevocationFetcher};
use support::fixtures::copy_dir;
use support::servers;

fn vectors(dir: &str) -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/08-revocation"
    ))
    .join(dir);
    assert!(
        p.is_dir(),
        "conformance vectors are required at {}",
        p.display()
    );
    p
}

const BLOB: &[u8] = b"revocation test content";

fn signature(dir: &Path, chain: &str) -> Vec<u8> {
    let signer = LocalSigner::from_files(&dir.join("leaf.key"), &dir.join(chain)).unwrap();
    sign_blob(
        &signer,
        &mut &BLOB[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap()
}

fn verifier(root: &Path, level: &str, checker: RevocationValidator) -> Verifier {
    builder(root, level)
        .revocation_checker(Arc::new(checker))
        .build()
        .unwrap()
}

/// A verifier builder over the e2e root with a global blob statement of
/// `level`, with the default (offline) revocation checker.
fn builder(root: &Path, level: &str) -> VerifierBuilder {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "e2e",
            Certificate::parse_many(&std::fs::read(root).unwrap()).unwrap(),
        )
        .unwrap();
    let policy = format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"e2e","globalPolicy":true,
        "signatureVerification":{{"level":"{level}"}},"trustStores":["ca:e2e"],"trustedIdentities":["*"]}}]}}"#
    );
    Verifier::builder(Arc::new(store))
        .blob_policy(BlobTrustPolicyDocument::from_json(policy.as_bytes()).unwrap())
}

/// The origin the OCSP-e2e leaf names, and the CRL-e2e certificates'.
const OCSP_ORIGIN: &str = "http://localhost:10087";
const CRL_ORIGIN: &str = "http://localhost:10086";

/// The real HTTP transport, with one origin of the certificates sent to the
/// loopback port where the test's server listens.
struct Loopback {
    from: &'static str,
    to: String,
    inner: UreqTransport,
}

impl HttpTransport for Loopback {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let url = match request.url().strip_prefix(self.from) {
            Some(rest) => format!("{}{rest}", self.to),
            None => request.url().to_string(),
        };
        let mut sent = HttpRequest::new(request.method(), url).with_body(request.body());
        for (name, value) in request.headers().iter() {
            sent.headers_mut().append(name, value);
        }
        self.inner.send(&sent)
    }
}

/// A fetcher that reaches `from` at `127.0.0.1:port`.
fn fetcher(from: &'static str, port: u16) -> Arc<HttpRevocationFetcher> {
    let inner = UreqTransport::new(&TrustRoots::platform(), Timeouts::default()).unwrap();
    Arc::new(HttpRevocationFetcher::with_transport(Arc::new(Loopback {
        from,
        to: format!("http://127.0.0.1:{port}"),
        inner,
    })))
}

fn checker(from: &'static str, port: u16) -> RevocationValidator {
    RevocationValidator::builder(fetcher(from, port)).build()
}

/// A loopback port nothing listens on: bound by the system, then released.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// "VALID", "WARN" (revocation logged) or the failure message.
fn verdict(v: &Verifier, envelope: &[u8]) -> Result<bool, String> {
    match v.verify_blob(
        envelope,
        EnvelopeFormat::Jws,
        &mut &BLOB[..],
        &BlobVerifyOptions::new(),
    ) {
        Ok(o) => Ok(o
            .warnings()
            .any(|w| w.check() == ValidationType::Revocation)),
        Err(e @ VerificationError::Check(_)) => {
            assert_eq!(
                e.failed_check().unwrap().check(),
                ValidationType::Revocation,
                "{e}"
            );
            Err(e.to_string())
        }
        Err(e) => panic!("{e}"),
    }
}

fn openssl_ca(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .arg("ca")
        .args(["-config", "ocsp.cnf"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl ca {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const LEAF: &str = "CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US";

#[test]
fn ocsp_good_revoked_unknown_expired_unreachable() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("ocsp");
    copy_dir(&vectors("ocsp-e2e"), &dir);
    std::fs::create_dir_all(dir.join("demoCA/newcerts")).unwrap();
    let envelope = signature(&dir, "certchain_with_ocsp.pem");
    let root = dir.join("root.crt");
    let responder = |ndays| {
        servers::ocsp(
            &dir.join("demoCA/index.txt"),
            &root,
            &dir.join("ocsp.crt"),
            &dir.join("ocsp.key"),
            ndays,
        )
    };

    // Unknown: the responder's database does not list the leaf.
    std::fs::write(dir.join("demoCA/index.txt"), "").unwrap();
    {
        let server = responder(1);
        let checker = || checker(OCSP_ORIGIN, server.port());
        let err = verdict(&verifier(&root, "strict", checker()), &envelope).unwrap_err();
        assert!(
            err.contains(&format!(
                "signing certificate with subject \"{LEAF}\" revocation status is unknown"
            )),
            "{err}"
        );
        // permissive logs revocation failures.
        assert_eq!(
            verdict(&verifier(&root, "permissive", checker()), &envelope),
            Ok(true)
        );
    }
    // Good.
    openssl_ca(&dir, &["-valid", "leaf.crt"]);
    {
        let server = responder(1);
        let checker = || checker(OCSP_ORIGIN, server.port());
        assert_eq!(
            verdict(&verifier(&root, "strict", checker()), &envelope),
            Ok(false)
        );
        // An expired response (nextUpdate passed): status unknown.
        let later = RevocationValidator::builder(fetcher(OCSP_ORIGIN, server.port()))
            .clock(|| time::OffsetDateTime::now_utc() + time::Duration::days(3))
            .build();
        let err = verdict(&verifier(&root, "strict", later), &envelope).unwrap_err();
        assert!(err.contains("revocation status is unknown"), "{err}");
    }
    // Revoked.
    openssl_ca(&dir, &["-revoke", "leaf.crt"]);
    {
        let server = responder(1);
        let err = verdict(
            &verifier(&root, "strict", checker(OCSP_ORIGIN, server.port())),
            &envelope,
        )
        .unwrap_err();
        assert_eq!(
            err,
            format!("signing certificate with subject \"{LEAF}\" is revoked")
        );
        // (The online checker in one builder call is tested in
        // online_revocation.rs.) The default checker is offline: no server is asked, the status is
        // unknown, and strict fails on it (permissive would log it).
        let offline = builder(&root, "strict").build().unwrap();
        let err = verdict(&offline, &envelope).unwrap_err();
        assert!(err.contains("revocation status is unknown"), "{err}");
    }
    // Unreachable: nothing listens there, the connection is refused (no
    // timing involved: a hang would stop the test, not slow it).
    let err = verdict(
        &verifier(&root, "strict", checker(OCSP_ORIGIN, closed_port())),
        &envelope,
    )
    .unwrap_err();
    assert!(
        err.contains(&format!(
            "signing certificate with subject \"{LEAF}\" revocation status is unknown"
        )),
        "{err}"
    );
}

#[test]
fn crl_valid_revoked_expired_and_cached() {
    let work = tempfile::tempdir().unwrap();
    let src = vectors("crl-e2e");
    let envelope = signature(&src, "certchain_with_crl.pem");
    let root = src.join("root.crt");
    let serve = |leaf: &str, intermediate: &str| {
        let dir = work.path().join(format!("{leaf}-{intermediate}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(src.join(leaf), dir.join("leaf.crl")).unwrap();
        std::fs::copy(src.join(intermediate), dir.join("intermediate.crl")).unwrap();
        servers::static_http(&dir)
    };
    let cache_dir = work.path().join("cache");
    let cached = |port| {
        RevocationValidator::builder(fetcher(CRL_ORIGIN, port))
            .crl_cache(Arc::new(FileCrlCache::new(&cache_dir)))
            .build()
    };
    {
        // The intermediate's OCSP URL (localhost.test) is unreachable: its
        // status comes from the CRL (P2 fallback).
        let s = serve("leaf.crl", "intermediate.crl");
        assert_eq!(
            verdict(&verifier(&root, "strict", cached(s.port())), &envelope),
            Ok(false)
        );
    }
    // Cached (P6): both CRLs are within nextUpdate, no server needed (the
    // fetcher would find none listening).
    assert!(std::fs::read_dir(cache_dir.join("crl")).unwrap().count() >= 2);
    assert_eq!(
        verdict(&verifier(&root, "strict", cached(closed_port())), &envelope),
        Ok(false)
    );
    {
        let s = serve("leaf_revoked.crl", "intermediate.crl");
        let checker = || checker(CRL_ORIGIN, s.port());
        let err = verdict(&verifier(&root, "strict", checker()), &envelope).unwrap_err();
        assert_eq!(
            err,
            format!("signing certificate with subject \"{LEAF}\" is revoked")
        );
    }
    {
        let s = serve("leaf.crl", "intermediate_revoked.crl");
        let checker = || checker(CRL_ORIGIN, s.port());
        let err = verdict(&verifier(&root, "strict", checker()), &envelope).unwrap_err();
        assert_eq!(
            err,
            "signing certificate with subject \"CN=IntermediateCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US\" is revoked"
        );
    }
    {
        // An expired CRL cannot say anything: unknown.
        let s = serve("leaf_expired.crl", "intermediate.crl");
        let checker = || checker(CRL_ORIGIN, s.port());
        let err = verdict(&verifier(&root, "strict", checker()), &envelope).unwrap_err();
        assert!(
            err.contains(&format!(
                "signing certificate with subject \"{LEAF}\" revocation status is unknown"
            )),
            "{err}"
        );
        // revocation: skip does not check at all.
        let skip = r#"{"version":"1.0","trustPolicies":[{"name":"e2e","globalPolicy":true,
            "signatureVerification":{"level":"strict","override":{"revocation":"skip"}},"trustStores":["ca:e2e"],"trustedIdentities":["*"]}]}"#;
        let mut store = MemoryTrustStore::new();
        store
            .add(
                TrustStoreType::Ca,
                "e2e",
                Certificate::parse_many(&std::fs::read(&root).unwrap()).unwrap(),
            )
            .unwrap();
        let v = Verifier::builder(Arc::new(store))
            .blob_policy(BlobTrustPolicyDocument::from_json(skip.as_bytes()).unwrap())
            .revocation_checker(Arc::new(checker()))
            .build()
            .unwrap();
        let outcome = v
            .verify_blob(
                &envelope,
                EnvelopeFormat::Jws,
                &mut &BLOB[..],
                &BlobVerifyOptions::new(),
            )
            .unwrap();
        assert!(outcome.result(ValidationType::Revocation).is_none());
    }
}
