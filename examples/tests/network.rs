//! Network limits through the CLI (issue 8): `notation list`, `verify` and
//! `inspect` against registries that drip, redirect forever, page forever
//! or send huge bodies (notation-oci's in-process test server: no
//! installable registry misbehaves on demand) end in seconds with exit
//! status 1 and an error naming the request and `--timeout`; `--timeout`
//! bounds a whole command, and a dripping TSA. Wall-clock bounds are
//! generous upper bounds (a loaded 2-core CI meets them); the request
//! counts of the servers prove the sharing.

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::Env;
use support::http::{Request, Response, TestServer};

const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;

fn sha256(data: &[u8]) -> String {
    notation_oci::oci::sha256_digest(data)
}

/// A registry (referrers API) whose artifact `test/app:v1` has `count`
/// signatures; `referrers` answers listings, `manifest` each signature
/// manifest (counted).
fn registry(
    count: usize,
    referrers: impl Fn(&Request, Vec<u8>) -> Response + Send + Sync + 'static,
    manifest: impl Fn() -> Response + Send + Sync + 'static,
) -> (TestServer, Arc<AtomicUsize>) {
    let subject = sha256(MANIFEST);
    let signatures: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            serde_json::json!({
                "mediaType": MANIFEST_TYPE,
                "digest": sha256(format!("signature {i}").as_bytes()),
                "size": 600,
                "artifactType": "application/vnd.cncf.notary.signature",
            })
        })
        .collect();
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": INDEX, "manifests": signatures,
    }))
    .unwrap();
    let fetched = Arc::new(AtomicUsize::new(0));
    let f = fetched.clone();
    let server = TestServer::start(move |req| {
        let path = req.path();
        if path == "/v2/test/app/manifests/v1"
            || path == format!("/v2/test/app/manifests/{subject}")
        {
            return Response::ok(MANIFEST_TYPE, MANIFEST)
                .header("Docker-Content-Digest", subject.clone());
        }
        if path.starts_with("/v2/test/app/referrers/") {
            return referrers(req, index.clone());
        }
        if path.starts_with("/v2/test/app/manifests/sha256:") {
            f.fetch_add(1, Ordering::SeqCst);
            return manifest();
        }
        Response::status(404)
    });
    (server, fetched)
}

fn reference(server: &TestServer) -> String {
    format!("{}/test/app@{}", server.host(), sha256(MANIFEST))
}

/// The High finding as a user meets it: a registry that drips its answer
/// at one byte per second, default settings.
#[test]
fn a_dripping_registry_fails_within_seconds_by_default() {
    let (server, _) = registry(
        2,
        |_, index| Response::ok(INDEX, index).drip(Duration::from_secs(1)),
        || Response::status(404),
    );
    let env = Env::new();
    let start = Instant::now();
    let out = env
        .run(&["list", "--insecure-registry", &reference(&server)])
        .failure();
    let elapsed = start.elapsed();
    assert!(
        out.stderr.contains(&format!(
            "GET \"{}/v2/test/app/referrers/",
            server.url()
        )) && out
            .stderr
            .contains("timed out while reading the response body: the registry operation used up its time limit of 10s (raise it with --timeout)"),
        "{}",
        out.stderr
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

/// `--timeout` bounds a whole command: one verify, or one inspect, however
/// many signatures drip.
#[test]
fn the_timeout_flag_bounds_a_whole_command() {
    let (server, fetched) = registry(
        30,
        |_, index| Response::ok(INDEX, index),
        || Response::ok(MANIFEST_TYPE, vec![b' '; 600]).drip(Duration::from_millis(100)),
    );
    let env = Env::new();
    env.generate_test("any", &[]);
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:any"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    for command in ["verify", "inspect"] {
        fetched.store(0, Ordering::SeqCst);
        let start = Instant::now();
        let out = env.run(&[
            command,
            "--insecure-registry",
            "--timeout",
            "500ms",
            &reference(&server),
        ]);
        assert!(start.elapsed() < Duration::from_secs(10), "{command}");
        assert!(
            out.stderr
                .contains("time limit of 500ms (raise it with --timeout)"),
            "{command}: {}",
            out.stderr
        );
        assert_eq!(fetched.load(Ordering::SeqCst), 1, "{command}: one budget");
        if command == "verify" {
            out.failure();
        }
    }
}

/// Redirects forever and pages forever (huge ones) end quickly with the
/// default settings.
#[test]
fn endless_redirects_and_huge_pages_end_quickly() {
    let hops = TestServer::start(|req: &Request| {
        Response::status(307).header("Location", format!("{}/x", req.path()))
    });
    let env = Env::new();
    env.run(&["list", "--insecure-registry", &reference(&hops)])
        .failure()
        .stderr_has("more than 10 redirects");
    assert!(hops.request_count() <= 11);

    let mut big = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]"#.to_vec();
    big.resize(4 * 1024 * 1024 - 16, b' ');
    big.push(b'}');
    let (pages, _) = registry(
        0,
        move |req, _| {
            let n: usize = req.query("n").and_then(|n| n.parse().ok()).unwrap_or(0);
            Response::ok(INDEX, big.clone()).header(
                "Link",
                format!("<{}?n={}>; rel=\"next\"", req.path(), n + 1),
            )
        },
        || Response::status(404),
    );
    let start = Instant::now();
    env.run(&["list", "--insecure-registry", &reference(&pages)])
        .failure()
        .stderr_has("total size of the referrers pages exceeds the limit of 16777216");
    assert!(pages.request_count() <= 6, "{}", pages.request_count());
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn the_timeout_flag_bounds_a_dripping_tsa() {
    let tsa = TestServer::start(|_| {
        Response::ok("application/timestamp-reply", vec![0u8; 200]).drip(Duration::from_millis(100))
    });
    let env = Env::new();
    env.generate_test("stamped", &["--default"]);
    let blob = env.write("file.txt", "content\n");
    let root = support::servers::testdata().join("pki/root.crt");
    let start = Instant::now();
    env.run(&[
        "blob",
        "sign",
        "--timeout",
        "600ms",
        "--timestamp-url",
        &tsa.url(),
        "--timestamp-root-cert",
        root.to_str().unwrap(),
        blob.to_str().unwrap(),
    ])
    .failure()
    .stderr_has(
        "the timestamping request used up its time limit of 600ms (raise it with --timeout)",
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(!env.path("file.txt.jws.sig").exists(), "nothing written");
}

#[test]
fn the_timeout_flag_takes_positive_go_durations() {
    let env = Env::new();
    for bad in ["0s", "-1s", "ten"] {
        // Worded as every other flag's bad value is (cobra's).
        env.run(&["list", &format!("--timeout={bad}"), "localhost:5000/a:v1"])
            .failure()
            .stderr_has(&format!(
                "invalid argument \"{bad}\" for \"--timeout\" flag: "
            ));
    }
}
