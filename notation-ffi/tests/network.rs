//! Network limits through the C ABI (issue 8): registry targets against
//! registries that drip, redirect forever, page forever or send huge bodies
//! (notation-oci's in-process test server: no installable registry
//! misbehaves on demand) cost at most the operation's limits, with the
//! default settings and with `notation_config_set_registry_timeout` /
//! `_max_bytes`; a dripping TSA stops at
//! `notation_sign_options_set_timestamping_timeout`. Errors name the
//! request and the function that raises the limit.

mod common;
#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../../notation-oci/tests/support/http.rs"]
mod http;

use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use http::{Request, Response, TestServer};
use notation::*;

const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;

fn sha256(data: &[u8]) -> String {
    notation_oci::oci::sha256_digest(data)
}

/// A registry (referrers API) whose artifact `test/app:v1` has `count`
/// signatures; `referrers` answers the listing, `manifest` each signature
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

fn target(config: *const notation_config, server: &TestServer) -> *mut notation_target {
    let reference = cstr(&format!("{}/test/app:v1", server.host()));
    let mut target = ptr::null_mut();
    // SAFETY: a live or NULL configuration, a valid string, a writable
    // out-parameter.
    ok(unsafe { notation_target_new_registry(config, reference.as_ptr(), &mut target) });
    target
}

/// Lists the target's signatures; the result code and the last error.
fn list(target: *const notation_target) -> (notation_result, String) {
    let mut list = ptr::null_mut();
    // SAFETY: a live target and a writable out-parameter.
    let rc = unsafe { notation_target_list_signatures(target, &mut list) };
    let error = last_error();
    // SAFETY: NULL or a live list.
    unsafe { notation_signature_list_free(&mut list) };
    (rc, error)
}

fn free(mut target: *mut notation_target) {
    // SAFETY: a live target, freed once.
    unsafe { notation_target_free(&mut target) };
}

/// The default settings: a referrers listing sent at one byte per second
/// fails at the 10 s operation limit, and says how to raise it.
#[test]
fn a_dripping_registry_costs_at_most_the_default_limit() {
    let (server, _) = registry(
        3,
        |_, index| Response::ok(INDEX, index).drip(Duration::from_secs(1)),
        || Response::status(404),
    );
    let target = target(ptr::null(), &server);
    let start = Instant::now();
    let (rc, error) = list(target);
    let elapsed = start.elapsed();
    assert_eq!(rc, notation_result::RegistryError, "{error}");
    assert!(
        error.contains("timed out while reading the response body")
            && error.contains("time limit of 10s")
            && error.contains("notation_config_set_registry_timeout"),
        "{error}"
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    free(target);
}

/// Redirects forever and pages forever (slow, fast and huge) end quickly
/// with the default settings.
#[test]
fn endless_redirects_and_pages_end_with_the_default_settings() {
    let hops = TestServer::start(|req: &Request| {
        Response::status(307).header("Location", format!("{}/x", req.path()))
    });
    let t = target(ptr::null(), &hops);
    let (rc, error) = list(t);
    assert_eq!(rc, notation_result::RegistryError, "{error}");
    assert!(error.contains("more than 10 redirects"), "{error}");
    assert!(hops.request_count() <= 11);
    free(t);

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
    let t = target(ptr::null(), &pages);
    let start = Instant::now();
    let (rc, error) = list(t);
    assert_eq!(rc, notation_result::RegistryError, "{error}");
    assert!(
        error.contains("total size of the referrers pages exceeds the limit of 16777216"),
        "{error}"
    );
    // HEAD of the artifact, then at most five pages.
    assert!(pages.request_count() <= 6, "{}", pages.request_count());
    assert!(start.elapsed() < Duration::from_secs(20));
    free(t);
}

/// `notation_config_set_registry_timeout`: one verify shares the limit
/// over every signature it fetches.
#[test]
fn the_registry_timeout_bounds_a_whole_verify() {
    let (server, fetched) = registry(
        30,
        |_, index| Response::ok(INDEX, index),
        || Response::ok(MANIFEST_TYPE, vec![b' '; 600]).drip(Duration::from_millis(100)),
    );
    let scope = format!("{}/test/app", server.host());
    let policy = OCI_POLICY.replace("local/e2e", &scope);
    let config = memory_config();
    // SAFETY: live handles and valid slices throughout.
    unsafe {
        ok(notation_config_set_oci_policy(
            config,
            policy.as_ptr(),
            policy.len(),
        ));
        ok(notation_config_set_registry_timeout(config, 500));
    }
    let verifier = verifier_for(config);
    let result = new_result();
    let t = target(config, &server);
    let start = Instant::now();
    // SAFETY: live handles.
    let rc = unsafe { notation_verifier_verify_artifact(verifier, t, ptr::null(), result) };
    assert_ne!(rc, notation_result::Ok);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(fetched.load(Ordering::SeqCst), 1, "the budget is shared");
    free(t);

    // The byte limit: a listing larger than it fails.
    // SAFETY: a live configuration.
    ok(unsafe { notation_config_set_registry_max_bytes(config, 1000) });
    let t = target(config, &server);
    let (rc, error) = list(t);
    assert_eq!(rc, notation_result::RegistryError, "{error}");
    assert!(
        error
            .contains("total size of the registry operation's responses exceeds the limit of 1000"),
        "{error}"
    );
    free(t);
}

#[test]
fn the_timestamping_timeout_bounds_a_dripping_tsa() {
    let tsa = TestServer::start(|_| {
        Response::ok("application/timestamp-reply", vec![0u8; 200]).drip(Duration::from_millis(100))
    });
    let options = sign_options(notation_envelope_format::Jws);
    let url = cstr(&tsa.url());
    let root = pki("root.crt");
    // SAFETY: live options, valid strings and slices.
    unsafe {
        ok(notation_sign_options_set_timestamping(
            options,
            url.as_ptr(),
            root.as_ptr(),
            root.len(),
        ));
        ok(notation_sign_options_set_timestamping_timeout(options, 600));
    }
    let signer = new_signer("ec-256.key", "ec-256.chain.pem");
    let blob = b"blob";
    let mut out = ptr::null_mut();
    let start = Instant::now();
    // SAFETY: live handles, a valid slice, a writable out-parameter.
    let rc =
        unsafe { notation_signer_sign_blob(signer, blob.as_ptr(), blob.len(), options, &mut out) };
    assert_eq!(rc, notation_result::TimestampFailed);
    let error = last_error();
    assert!(
        error.contains("time limit of 600ms")
            && error.contains("notation_sign_options_set_timestamping_timeout"),
        "{error}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}
