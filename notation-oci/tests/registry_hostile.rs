//! Registries that try to hold us: they drip, redirect forever, page
//! forever or send huge bodies (in-process servers, since no installable
//! registry misbehaves on demand). Every request of one operation shares one
//! time and byte budget, so each of them costs at most the operation's
//! limits: seconds and tens of MiB with the default settings, and here
//! fractions of a second with short configured limits.
//!
//! Wall-clock assertions are upper bounds with a wide margin (a loaded
//! 2-core CI must meet them); the facts that prove the budget is shared are
//! the request counts the servers saw.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;
use notation_oci::oci::{
    ARTIFACT_TYPE_NOTATION, MAX_ENVELOPE_SIZE, MAX_MANIFEST_SIZE, MEDIA_TYPE_IMAGE_INDEX,
    MEDIA_TYPE_IMAGE_MANIFEST, sha256_digest,
};
use notation_oci::registry::error::{LimitKind, TimeoutPhase};
use notation_oci::registry::{RegistryClient, RegistryClientOptions, RegistryError, RepositoryRef};
use notation_oci::repository::RepositoryError;
use notation_oci::workflow::{self, SignatureFailureReason, VerifyOptions, WorkflowError};
use notation_oci::{Reference, RemoteRepository};
use support::http::{Request, Response, TestServer};

const MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;

fn repo(server: &TestServer) -> RepositoryRef {
    RepositoryRef::new(server.host(), "test/app").unwrap()
}

fn timeout(e: &RegistryError) -> &notation_oci::registry::TimeoutError {
    match e {
        RegistryError::Timeout(t) => t,
        other => panic!("expected the operation's timeout, got {other:?}"),
    }
}

fn short(limit: Duration) -> RegistryClient {
    RegistryClientOptions::new()
        .operation_timeout(limit)
        .build()
        .unwrap()
}

/// The High finding: with the default settings, an envelope sent at one
/// byte per second fails at the operation's 10 s limit, naming the request
/// and how to raise the limit (it took many minutes before).
#[test]
fn default_settings_stop_a_dripping_envelope() {
    let blob = vec![b'x'; 300];
    let digest = sha256_digest(&blob);
    let body = blob.clone();
    let server = TestServer::start(move |_| {
        Response::ok("application/octet-stream", body.clone()).drip(Duration::from_secs(1))
    });
    let client = RegistryClient::new().unwrap();
    let start = Instant::now();
    let e = client
        .fetch_blob(
            &repo(&server),
            &digest,
            Some(blob.len() as u64),
            MAX_ENVELOPE_SIZE,
        )
        .unwrap_err();
    let elapsed = start.elapsed();
    let t = timeout(&e);
    assert_eq!(t.phase, TimeoutPhase::ReadingBody);
    assert_eq!(t.limit, Duration::from_secs(10));
    assert!(e.is_timeout());
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "GET \"{}/v2/test/app/blobs/{digest}\"",
            server.url()
        )),
        "{text}"
    );
    assert!(
        text.contains("time limit of 10s")
            && text.contains("raise it with RegistryClientOptions::operation_timeout"),
        "{text}"
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

/// The hint names whatever the caller says raises the limit (the CLI says
/// `--timeout`).
#[test]
fn the_timeout_error_carries_the_callers_hint() {
    let server = TestServer::start(|_| {
        Response::ok(MEDIA_TYPE_IMAGE_MANIFEST, MANIFEST).delay(Duration::from_secs(3))
    });
    let client = RegistryClientOptions::new()
        .operation_timeout(Duration::from_millis(300))
        .timeout_hint("use --timeout to raise it")
        .build()
        .unwrap();
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert_eq!(timeout(&e).phase, TimeoutPhase::AwaitingResponse);
    assert!(
        e.to_string()
            .ends_with("time limit of 300ms (use --timeout to raise it)"),
        "{e}"
    );
}

/// Every redirect hop draws on the same budget: slow hops end in a timeout
/// after a few, not after the ten redirects a fresh budget per hop allows.
#[test]
fn redirect_hops_share_the_budget() {
    let hops = Arc::new(AtomicUsize::new(0));
    let h = hops.clone();
    let server = TestServer::start(move |_| {
        let n = h.fetch_add(1, Ordering::SeqCst);
        Response::status(302)
            .header("Location", format!("/hop/{n}"))
            .delay(Duration::from_millis(400))
    });
    let e = short(Duration::from_millis(1000))
        .fetch_blob(&repo(&server), &sha256_digest(b"x"), None, 1024)
        .unwrap_err();
    timeout(&e);
    assert!(hops.load(Ordering::SeqCst) <= 4, "{hops:?}");
}

/// A token endpoint is part of the operation: a dripping one times out, and
/// the error names the token request.
#[test]
fn token_requests_share_the_budget() {
    let issuer = TestServer::start(|_| {
        Response::ok(
            "application/json",
            r#"{"token":"a-token-that-takes-forever"}"#,
        )
        .drip(Duration::from_millis(200))
    });
    let realm = format!("{}/token", issuer.url());
    let server = TestServer::start(move |_| {
        Response::status(401).header(
            "WWW-Authenticate",
            format!("Bearer realm=\"{realm}\",service=\"s\""),
        )
    });
    let e = short(Duration::from_millis(800))
        .resolve(&repo(&server), "v1")
        .unwrap_err();
    let t = timeout(&e);
    assert_eq!(t.phase, TimeoutPhase::ReadingBody);
    assert!(t.url.starts_with(&format!("{}/token", issuer.url())), "{e}");
}

/// Referrers pages forever: slow ones share the budget (a few pages, then a
/// timeout), fast ones stop at the page bound, and big ones at the listing's
/// byte budget (16 MiB by default: four full pages, not a hundred).
#[test]
fn endless_referrers_pages_are_bounded_in_time_and_bytes() {
    fn page(req: &Request, body: Vec<u8>) -> Response {
        let n: usize = req.query("n").and_then(|n| n.parse().ok()).unwrap_or(0);
        let next = format!("{}?n={}", req.path(), n + 1);
        Response::ok(MEDIA_TYPE_IMAGE_INDEX, body).header("Link", format!("<{next}>; rel=\"next\""))
    }
    let subject = sha256_digest(b"subject");
    let empty = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;

    let slow =
        TestServer::start(move |req| page(req, empty.to_vec()).delay(Duration::from_millis(250)));
    let e = short(Duration::from_millis(1000))
        .referrers(&repo(&slow), &subject, None)
        .unwrap_err();
    timeout(&e);
    assert!(slow.request_count() <= 5, "{}", slow.request_count());

    let fast = TestServer::start(move |req| page(req, empty.to_vec()));
    let e = RegistryClient::new()
        .unwrap()
        .referrers(&repo(&fast), &subject, None)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::ReferrersPages),
        "{e}"
    );

    // Pages of almost 4 MiB each (whitespace is valid JSON).
    let mut big = empty.to_vec();
    big.truncate(big.len() - 1);
    big.resize(4 * 1024 * 1024 - 16, b' ');
    big.push(b'}');
    let big_pages = TestServer::start(move |req| page(req, big.clone()));
    let e = RegistryClient::new()
        .unwrap()
        .referrers(&repo(&big_pages), &subject, None)
        .unwrap_err();
    match &e {
        RegistryError::LimitExceeded(l) => {
            assert_eq!(l.what, LimitKind::ReferrersBytes, "{e}");
            assert_eq!(l.limit, 16 * 1024 * 1024);
        }
        other => panic!("{other}"),
    }
    assert!(
        big_pages.request_count() <= 5,
        "{}",
        big_pages.request_count()
    );

    // The page past the budget declares an absurd length: the error says
    // so (the count saturates) rather than overflowing.
    let mut big = empty.to_vec();
    big.truncate(big.len() - 1);
    big.resize(4 * 1024 * 1024 - 16, b' ');
    big.push(b'}');
    let absurd = TestServer::start(move |req| {
        let r = page(req, big.clone());
        match req.query("n") {
            Some("4") => r.content_length(u64::MAX),
            _ => r,
        }
    });
    let e = RegistryClient::new()
        .unwrap()
        .referrers(&repo(&absurd), &subject, None)
        .unwrap_err();
    match &e {
        RegistryError::LimitExceeded(l) => {
            assert_eq!(l.what, LimitKind::ReferrersBytes, "{e}");
            assert_eq!(l.actual, Some(u64::MAX), "{e}");
        }
        other => panic!("{other}"),
    }
}

/// The byte budget of one operation spans its requests: a caller's own
/// operation fetching blob after blob stops at it.
#[test]
fn one_operation_reads_at_most_its_byte_budget() {
    let blob = vec![7u8; 1024 * 1024];
    let digest = sha256_digest(&blob);
    let body = blob.clone();
    let server = TestServer::start(move |_| Response::ok("application/octet-stream", body.clone()));
    let client = RegistryClientOptions::new()
        .max_operation_bytes(3 * 1024 * 1024 + 512 * 1024)
        .build()
        .unwrap();
    // Separate calls are separate operations.
    for _ in 0..5 {
        client
            .fetch_blob(&repo(&server), &digest, None, 2 << 20)
            .unwrap();
    }
    let operation = client.begin_operation();
    for _ in 0..3 {
        operation
            .fetch_blob(&repo(&server), &digest, None, 2 << 20)
            .unwrap();
    }
    let e = operation
        .fetch_blob(&repo(&server), &digest, None, 2 << 20)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::OperationBytes),
        "{e}"
    );
}

/// A trust policy for every scope over the test PKI's root.
fn verifier() -> Verifier {
    let root = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/pki/root.crt"
    ));
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "root",
            Certificate::parse_many(&root.unwrap()).unwrap(),
        )
        .unwrap();
    let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#;
    Verifier::builder(Arc::new(store))
        .oci_policy(OciTrustPolicyDocument::from_json(policy).unwrap())
        .build()
        .unwrap()
}

/// A registry (referrers API, OCI distribution spec v1.1) whose artifact
/// has `count` signatures, each of whose manifests answers with `manifest`.
fn signed_artifact_registry(
    count: usize,
    manifest: impl Fn() -> Response + Send + Sync + 'static,
) -> (TestServer, Arc<AtomicUsize>) {
    let subject = sha256_digest(MANIFEST);
    let signatures: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            serde_json::json!({
                "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
                "digest": sha256_digest(format!("signature {i}").as_bytes()),
                "size": 600,
                "artifactType": ARTIFACT_TYPE_NOTATION,
            })
        })
        .collect();
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_INDEX,
        "manifests": signatures,
    }))
    .unwrap();
    let fetched = Arc::new(AtomicUsize::new(0));
    let f = fetched.clone();
    let server = TestServer::start(move |req| {
        let path = req.path();
        if path == "/v2/test/app/manifests/v1"
            || path == format!("/v2/test/app/manifests/{subject}")
        {
            return Response::ok(MEDIA_TYPE_IMAGE_MANIFEST, MANIFEST)
                .header("Docker-Content-Digest", subject.clone());
        }
        if path.starts_with("/v2/test/app/referrers/") {
            return Response::ok(MEDIA_TYPE_IMAGE_INDEX, index.clone());
        }
        if path.starts_with("/v2/test/app/manifests/sha256:") {
            f.fetch_add(1, Ordering::SeqCst);
            return manifest();
        }
        Response::status(404)
    });
    (server, fetched)
}

/// A whole verify is one operation: once a dripping signature has used up
/// the budget, the other signatures fail at once instead of each getting a
/// budget of its own (40 signatures would have cost 40 budgets).
#[test]
fn a_verify_shares_one_budget_over_all_signatures() {
    let (server, fetched) = signed_artifact_registry(40, || {
        Response::ok(MEDIA_TYPE_IMAGE_MANIFEST, vec![b' '; 600]).drip(Duration::from_millis(100))
    });
    let reference = Reference::parse(&format!("{}/test/app:v1", server.host())).unwrap();
    let remote = RemoteRepository::new(short(Duration::from_millis(600)), &reference).unwrap();
    let start = Instant::now();
    let e = workflow::verify(
        &remote,
        &reference.scope(),
        "v1",
        &verifier(),
        &VerifyOptions::new(),
    )
    .unwrap_err();
    let elapsed = start.elapsed();
    let failures = match &e {
        WorkflowError::AllFailed { failures, .. } => failures,
        other => panic!("{other}"),
    };
    assert_eq!(failures.len(), 40);
    for failure in failures {
        match &failure.reason {
            SignatureFailureReason::Fetch { error: source, .. } => match source.as_ref() {
                RepositoryError::Registry(r) => assert!(r.is_timeout(), "{r}"),
                other => panic!("{other}"),
            },
            other => panic!("{other}"),
        }
    }
    assert_eq!(
        fetched.load(Ordering::SeqCst),
        1,
        "later signatures were not even asked for"
    );
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// The same for the bytes: manifests that are each within their own limit
/// (and fail their digest check only once read) stop at the operation's
/// byte budget, after which no request is sent.
#[test]
fn a_verify_reads_at_most_the_operation_byte_budget() {
    let (server, fetched) = signed_artifact_registry(10, || {
        Response::ok(MEDIA_TYPE_IMAGE_MANIFEST, vec![b' '; 600])
    });
    let client = RegistryClientOptions::new()
        .max_operation_bytes(4000)
        .build()
        .unwrap();
    let reference = Reference::parse(&format!("{}/test/app:v1", server.host())).unwrap();
    let remote = RemoteRepository::new(client, &reference).unwrap();
    let e = workflow::verify(
        &remote,
        &reference.scope(),
        "v1",
        &verifier(),
        &VerifyOptions::new(),
    )
    .unwrap_err();
    let WorkflowError::AllFailed { failures, .. } = &e else {
        panic!("{e}")
    };
    let over_budget = failures
        .iter()
        .filter(|f| {
            f.reason.to_string().contains(
                "total size of the registry operation's responses exceeds the limit of 4000",
            )
        })
        .count();
    // The index (about 2 KB) and three manifests of 600 bytes fit in 4000
    // bytes; the fourth read crosses the budget, and no request is sent
    // after that.
    assert_eq!(over_budget, 7, "{e:?}");
    assert_eq!(fetched.load(Ordering::SeqCst), 4);
}
