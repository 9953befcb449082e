//! `notation sign --recursive`, `notation verify --recursive` and
//! `notation copy` against real components: two instances of Debian's
//! `docker-registry` (CNCF distribution 2.8.2, no referrers API), the
//! in-process registry of notation-oci's test support (the OCI distribution
//! spec v1.1 with the referrers API, which no installable registry provides
//! here; it also records requests and can fail or lie on purpose), and OCI
//! layouts. The artifact is a two-platform image index, signed by the CLI
//! in both envelope formats.

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use common::Env;
use notation_oci::oci::Descriptor;
use notation_oci::registry::RegistryClient;
use notation_oci::store::ContentStore;
use notation_oci::{OciLayout, Reference, RemoteRepository};
use support::images::{SBOM_TYPE, push_index, push_sbom, tag};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

/// `localhost:<port>`: the CLI talks plain HTTP to it, as the reference.
fn local(host: &str) -> String {
    host.replace("127.0.0.1", "localhost")
}

fn store(host: &str, repository: &str) -> RemoteRepository {
    let reference = Reference::parse(&format!("{host}/{repository}")).unwrap();
    RemoteRepository::new(RegistryClient::new().unwrap(), &reference).unwrap()
}

/// A configuration with a default test key trusted for every scope.
fn env() -> Env {
    let env = Env::new();
    env.generate_test("copy-test", &["--default", "--key-type", "ec"]);
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"all","registryScopes":["*"],
          "signatureVerification":{"level":"strict"},"trustStores":["ca:copy-test"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    env
}

/// A two-platform index tagged `v1` in `repository` of `host`, signed with
/// `sign --recursive` in JWS and in COSE. Returns it and its children.
fn signed_index(env: &Env, host: &str, repository: &str) -> (Descriptor, Vec<Descriptor>) {
    let repo = store(host, repository);
    let (index, children) = push_index(&repo, false);
    tag(&repo, "v1", &index);
    let tagged = format!("{}/{repository}:v1", local(host));
    let pinned = format!("{}/{repository}@{}", local(host), index.digest);
    let signed = env.run(&["sign", "--recursive", &tagged]).success();
    assert_eq!(signed.stdout.matches("Successfully signed").count(), 3);
    for d in [&index, &children[0], &children[1]] {
        assert!(
            signed.stdout.contains(&format!(
                "Successfully signed {}/{repository}@{}",
                local(host),
                d.digest
            )),
            "{}",
            signed.stdout
        );
    }
    env.run(&["sign", "--recursive", "--signature-format", "cose", &pinned])
        .success();
    (index, children)
}

fn summary(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| l.starts_with("Summary: "))
        .unwrap_or_else(|| panic!("no summary in {stdout}"))
}

#[test]
fn sign_verify_recursive_and_copy_between_registries() {
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let env = env();
    let (index, children) = signed_index(&env, a.host(), "app");
    let pinned = format!("{}/app@{}", local(a.host()), index.digest);
    let verified = env.run(&["verify", "--recursive", &pinned]).success();
    for d in [&index, &children[0], &children[1]] {
        assert!(verified.stdout.contains(&format!(
            "Successfully verified signature for {}/app@{}",
            local(a.host()),
            d.digest
        )));
    }
    // Without --recursive, nothing changes: the index alone.
    let one = env.run(&["verify", &pinned]).success();
    assert_eq!(one.stdout.matches("Successfully verified").count(), 1);

    let source = format!("{}/app:v1", local(a.host()));
    let destination = format!("{}/app", local(b.host()));
    let copied = env.run(&["copy", &source, &destination]).success();
    assert!(
        copied.stderr.is_empty(),
        "no progress without a terminal: {}",
        copied.stderr
    );
    copied
        .stdout_has(&format!("Copied {source} => {destination}:v1"))
        .stdout_has(&format!("Digest: {}", index.digest));
    let first = env.run(&["copy", &source, &destination]).success();
    assert!(
        summary(&first.stdout)
            .starts_with("Summary: 0 manifests copied, 9 skipped; 0 blobs copied"),
        "{}",
        first.stdout
    );
    env.run(&["verify", "--recursive", &format!("{destination}:v1")])
        .success();

    // --verify at the destination, into another repository of the same
    // registry (the blobs are mounted).
    let promoted = format!("{}/promoted:prod", local(b.host()));
    let verified = env
        .run(&["copy", "--verify", &format!("{destination}:v1"), &promoted])
        .success();
    assert_eq!(
        verified
            .stdout
            .matches("Successfully verified signature")
            .count(),
        3
    );
    assert!(
        summary(&verified.stdout).contains("; 0 blobs copied, 11 mounted"),
        "{}",
        verified.stdout
    );
}

#[test]
fn export_to_a_layout_and_import_back() {
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let env = env();
    let (index, _) = signed_index(&env, a.host(), "app");
    let source = format!("{}/app:v1", local(a.host()));
    let out = env.path("export");
    let copied = env
        .run(&["copy", "--to-oci-layout", &source, out.to_str().unwrap()])
        .success();
    assert!(
        summary(&copied.stdout).contains("9 manifests copied"),
        "{}",
        copied.stdout
    );
    let layout = OciLayout::open(&out).unwrap();
    assert_eq!(layout.index().unwrap().manifests.len(), 9);
    assert_eq!(layout.resolve("v1").unwrap().digest, index.digest);
    let in_layout = format!("{}:v1", out.display());
    env.run(&[
        "verify",
        "--recursive",
        "--oci-layout",
        "--scope",
        "local/export",
        &in_layout,
    ])
    .success()
    .stdout_has(&format!(
        "Successfully verified signature for {}@",
        out.display()
    ));

    // A copy that fails --verify leaves its destination untagged: the
    // tag is written only after the verification passed.
    let policy = env.config().join("trustpolicy.oci.json");
    let trusting = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        trusting.replace(
            r#""trustedIdentities":["*"]"#,
            r#""trustedIdentities":["x509.subject: C=US, ST=WA, O=Nobody"]"#,
        ),
    )
    .unwrap();
    let held = env.path("held");
    env.run(&[
        "copy",
        "--from-oci-layout",
        "--to-oci-layout",
        "--verify",
        "--scope",
        "local/held",
        &in_layout,
        &format!("{}:held", held.display()),
    ])
    .failure()
    .stderr_has(
        "Warning: the copy failed verification: the tag held was not written at the destination",
    );
    let held_layout = OciLayout::open(&held).unwrap();
    assert!(held_layout.resolve("held").is_err());
    assert_eq!(
        held_layout.resolve(&index.digest).unwrap().digest,
        index.digest
    );
    std::fs::write(&policy, trusting).unwrap();

    // Layout to layout, then import into a registry and verify there.
    let again = env.path("again");
    env.run(&[
        "copy",
        "--from-oci-layout",
        "--to-oci-layout",
        "--verify",
        "--scope",
        "local/again",
        &in_layout,
        &format!("{}:copied", again.display()),
    ])
    .success();
    let imported = format!("{}/imported:v1", local(b.host()));
    env.run(&[
        "copy",
        "--from-oci-layout",
        "--verify",
        &in_layout,
        &imported,
    ])
    .success()
    .stdout_has(&format!("Copied {in_layout} => {imported}"));
    env.run(&["verify", "--recursive", &imported]).success();
}

#[test]
fn a_failing_child_is_named_with_its_check() {
    let a = Registry::start(Auth::None);
    let env = env();
    let repo = store(a.host(), "app");
    let (index, children) = push_index(&repo, false);
    let host = local(a.host());
    env.run(&["sign", &format!("{host}/app@{}", index.digest)])
        .success();
    env.run(&["sign", &format!("{host}/app@{}", children[0].digest)])
        .success();
    env.run(&[
        "sign",
        "-e",
        "1s",
        &format!("{host}/app@{}", children[1].digest),
    ])
    .success();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let failed = env
        .run(&[
            "verify",
            "--recursive",
            &format!("{host}/app@{}", index.digest),
        ])
        .failure();
    assert_eq!(
        failed
            .stdout
            .matches("Successfully verified signature")
            .count(),
        2
    );
    failed
        .stderr_has(&format!(
            "Failed to verify {host}/app@{} (linux/arm64): signature sha256:",
            children[1].digest
        ))
        .stderr_has("expiry check failed")
        .stderr_has(&format!(
            "Error: signature verification failed for 1 of the 3 manifests of {host}/app@{}",
            index.digest
        ));

    // Several references with --recursive: a batch whose index result
    // lists every manifest, in JSON and in text.
    let pinned = format!("{host}/app@{}", index.digest);
    let child = format!("{host}/app@{}", children[0].digest);
    let json = env
        .run(&["verify", "--recursive", "-o", "json", &pinned, &child])
        .failure();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["version"], "1.1");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "failed", "{report:#}");
    assert_eq!(
        results[0]["signature"]["digest"].as_str().map(|d| d.len()),
        Some(71)
    );
    let manifests = results[0]["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 2);
    assert_eq!(manifests[0]["outcome"], "verified");
    assert_eq!(manifests[1]["digest"], children[1].digest.as_str());
    assert_eq!(manifests[1]["platform"], "linux/arm64");
    assert_eq!(manifests[1]["outcome"], "failed");
    assert_eq!(manifests[1]["failedSignatures"][0]["check"], "expiry");
    assert!(
        results[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "manifest {} (linux/arm64): failed: expiry",
                children[1].digest
            )),
        "{report:#}"
    );
    assert_eq!(
        results[1]["outcome"], "verified",
        "an image manifest: itself alone"
    );
    assert!(results[1]["manifests"].as_array().unwrap().is_empty());
    let text = env
        .run(&["verify", "--recursive", &pinned, &child])
        .failure();
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!("failed    {pinned}: manifest ")),
        "{}",
        text.stdout
    );
    assert!(
        lines[1].starts_with(&format!("verified    {}", children[0].digest)),
        "{}",
        text.stdout
    );
    assert!(
        lines[2].starts_with(&format!(
            "failed      {} (linux/arm64): expiry",
            children[1].digest
        )),
        "{}",
        text.stdout
    );
    assert!(
        lines[3].starts_with(&format!("verified  {child}: signed by ")),
        "{}",
        text.stdout
    );
    assert_eq!(
        lines[4],
        "2 references: 1 verified, 0 skipped, 1 failed, 0 unsigned, 0 errors"
    );
}

#[test]
fn all_referrers_brings_the_sbom_with_its_signature() {
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let env = env();
    let (index, _) = signed_index(&env, a.host(), "app");
    let sbom = push_sbom(&store(a.host(), "app"), &index);
    env.run(&["sign", &format!("{}/app@{}", local(a.host()), sbom.digest)])
        .success();
    let source = format!("{}/app:v1", local(a.host()));
    let copied = env
        .run(&[
            "copy",
            "--all-referrers",
            &source,
            &format!("{}/app", local(b.host())),
        ])
        .success();
    assert!(
        summary(&copied.stdout).contains("; 7 signatures, 1 other referrers;"),
        "{}",
        copied.stdout
    );
    let destination = store(b.host(), "app");
    let sboms = ContentStore::referrers(&destination, &index, Some(SBOM_TYPE)).unwrap();
    assert_eq!(sboms.len(), 1);
    env.run(&[
        "verify",
        &format!("{}/app@{}", local(b.host()), sbom.digest),
    ])
    .success();
}

#[test]
fn credentials_and_plain_http_stay_with_their_registry() {
    let a = Registry::start(Auth::Basic);
    let spec = OciRegistry::start();
    let env = env();
    // The source image, pushed with the source's credentials.
    let client = RegistryClient::builder()
        .credentials(notation_oci::registry::credentials::StaticCredentials::new(
            a.host(),
            notation_oci::registry::Credential::from_username_password(
                support::fixtures::USER,
                support::fixtures::PASSWORD,
            )
            .unwrap(),
        ))
        .build()
        .unwrap();
    let reference = Reference::parse(&format!("{}/app", a.host())).unwrap();
    let repo = RemoteRepository::new(client, &reference).unwrap();
    let (index, _) = push_index(&repo, false);
    tag(&repo, "v1", &index);
    let source = format!("{}/app:v1", local(a.host()));
    // The destination by address: HTTPS unless said so for it alone.
    let destination = format!("{}/app", spec.host());
    let creds = [
        "--from-username",
        support::fixtures::USER,
        "--from-password",
        support::fixtures::PASSWORD,
    ];
    let mut args = vec!["copy"];
    args.extend(creds);
    args.extend([source.as_str(), destination.as_str()]);
    env.run(&args).failure();
    let mut args = vec!["copy", "--from-insecure-registry"];
    args.extend(creds);
    args.extend([source.as_str(), destination.as_str()]);
    env.run(&args).failure();
    let mut args = vec!["copy", "--to-insecure-registry"];
    args.extend(creds);
    args.extend([source.as_str(), destination.as_str()]);
    env.run(&args).success();
    assert!(spec.has_tag("app", "v1"));
    let requests = spec.requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.header("Authorization").is_none()),
        "the source's credentials never reach the destination"
    );
    // Without them, the source refuses (oras-go's words).
    env.run(&["copy", "--to-insecure-registry", &source, &destination])
        .failure()
        .stderr_has("basic credential not found");
}

#[test]
fn an_interrupted_copy_leaves_no_tag_and_a_rerun_completes() {
    let a = Registry::start(Auth::None);
    let spec = OciRegistry::start();
    let env = env();
    signed_index(&env, a.host(), "app");
    let source = format!("{}/app:v1", local(a.host()));
    let destination = format!("{}/app", local(&spec.host()));
    // The fourth blob upload fails: the first child and a blob of the
    // second made it.
    let uploads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = uploads.clone();
    spec.set_fault(Some(Arc::new(move |req: &support::http::Request| {
        if req.method == "POST" && req.path().ends_with("/blobs/uploads/") {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n == 3 {
                return Some(support::http::Response::status(503));
            }
        }
        None
    })));
    env.run(&["copy", &source, &destination])
        .failure()
        .stderr_has("Error: failed to copy")
        .stderr_has("503");
    assert!(!spec.has_tag("app", "v1"), "the tag is written last");
    spec.set_fault(None);
    let rerun = env.run(&["copy", &source, &destination]).success();
    assert!(
        summary(&rerun.stdout)
            .contains("8 manifests copied, 1 skipped; 8 blobs copied, 0 mounted, 1 skipped"),
        "{}",
        rerun.stdout
    );
    env.run(&["verify", "--recursive", &format!("{destination}:v1")])
        .success();
}

#[test]
fn a_lying_source_leaves_the_destination_layout_untouched() {
    let spec = OciRegistry::start();
    let env = env();
    let (_, children) = signed_index(&env, &spec.host(), "app");
    let bytes = store(&spec.host(), "app")
        .fetch_manifest(&children[0])
        .unwrap();
    let layer = notation_oci::graph::successors(&children[0], &bytes)
        .unwrap()
        .blobs
        .pop()
        .unwrap();
    let lie = layer.digest.clone();
    spec.set_fault(Some(Arc::new(move |req: &support::http::Request| {
        (req.method == "GET" && req.path().ends_with(&lie))
            .then(|| support::http::Response::ok("application/octet-stream", vec![7u8; 100_000]))
    })));
    let out = env.path("out");
    env.run(&[
        "copy",
        "--to-oci-layout",
        &format!("{}/app:v1", local(&spec.host())),
        out.to_str().unwrap(),
    ])
    .failure()
    .stderr_has("digest mismatch");
    let layout = OciLayout::open(&out).unwrap();
    assert!(
        layout.index().unwrap().manifests.is_empty(),
        "nothing listed"
    );
    assert_eq!(layout.blob_size(&layer.digest).unwrap(), None);
}

#[test]
fn flags_are_checked() {
    let env = env();
    env.run(&["copy", "only-one"]).failure();
    env.run(&[
        "copy",
        "--from-oci-layout",
        "--from-username",
        "u",
        "l:v1",
        "localhost:5000/x",
    ])
    .failure()
    .stderr_has("[from-oci-layout from-username]");
    env.run(&[
        "copy",
        "--verify",
        "--to-oci-layout",
        "localhost:5000/x:v1",
        "out",
    ])
    .failure()
    .stderr_has("needs --scope");
    env.run(&["copy", "localhost:5000/x", "localhost:5001/y"])
        .failure()
        .stderr_has("no tag or digest");
    env.run(&["copy", "--help"])
        .success()
        .stdout_has("notation copy --to-oci-layout");
}
