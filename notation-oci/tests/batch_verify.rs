//! The batch verification API (`notation_oci::batch`) against real
//! components: Debian's `docker-registry` (CNCF distribution 2.8.2, no
//! referrers API: the tag schema), the in-process registry that serves the
//! referrers API (written to the OCI distribution spec v1.1; no installable
//! registry here has it), a second `docker-registry` that is stopped, a
//! registry that stalls, and an OCI image layout. Every verdict is checked
//! with 1, 2 and 8 references at once, the JSON report validated against
//! the committed schema, and the requests counted: never more per
//! reference than a verification alone makes, fewer once a registry's
//! capabilities are known.

#[path = "support/json_schema.rs"]
mod json_schema;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use json_schema::Schema;
use notation_core::trust::{DirTrustStore, load_oci_policy};
use notation_core::verifier::Verifier;
use notation_oci::batch::{BatchItem, BatchOutcome, BatchVerifier, FailedCheck};
use notation_oci::registry::RegistryClient;
use notation_oci::workflow::{self, VerifyOptions};
use notation_oci::{Reference, RemoteRepository};
use serde_json::{Value, json};
use support::batch_fixture::{self as fixture, Case};
use support::http::{Response, TestServer};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

fn verifier(config: &std::path::Path) -> Verifier {
    Verifier::builder(Arc::new(DirTrustStore::new(config)))
        .oci_policy(load_oci_policy(config).unwrap())
        .build()
        .unwrap()
}

fn schema() -> Schema {
    Schema::load(&fixture::schema_path())
}

fn items(cases: &[Case]) -> Vec<BatchItem> {
    cases
        .iter()
        .map(|c| BatchItem::registry(&c.reference))
        .collect()
}

/// Two registries with every case, a stopped one, and the configuration.
struct World {
    _distribution: Registry,
    _oci: OciRegistry,
    config: tempfile::TempDir,
    /// docker-registry's cases, then the in-process registry's, then the
    /// stopped registry's.
    cases: Vec<Case>,
    distribution_cases: usize,
}

fn world() -> World {
    let distribution = Registry::start(Auth::None);
    let oci = OciRegistry::start();
    let stopped = Registry::start(Auth::None);
    let stopped_host = stopped.host().to_string();
    drop(stopped);
    let client = RegistryClient::new().unwrap();
    let mut cases = fixture::populate(&client, distribution.host());
    let distribution_cases = cases.len();
    cases.extend(fixture::populate(&client, &oci.host()));
    cases.push(fixture::stopped_case(&stopped_host));
    let config = tempfile::tempdir().unwrap();
    fixture::write_config(config.path(), &[distribution.host(), &oci.host()]);
    World {
        _distribution: distribution,
        _oci: oci,
        config,
        cases,
        distribution_cases,
    }
}

#[test]
fn every_verdict_with_1_2_and_8_at_once_follows_the_schema() {
    let world = world();
    let verifier = verifier(world.config.path());
    let schema = schema();
    let items = items(&world.cases);
    let mut requests = Vec::new();
    for concurrency in [1, 2, 8] {
        let client = RegistryClient::new().unwrap();
        let batch = BatchVerifier::new(&verifier)
            .concurrency(concurrency)
            .registry_client(client.clone());
        let mut seen = vec![false; items.len()];
        let report = batch.verify_each(&items, |index, result| {
            assert!(!seen[index], "each result arrives once");
            seen[index] = true;
            assert_eq!(result.reference, world.cases[index].reference);
        });
        assert!(seen.iter().all(|s| *s));
        let json = serde_json::to_value(&report).unwrap();
        schema.assert_valid(&json);
        fixture::check_report(&json, &world.cases);
        // Typed values agree with their JSON.
        assert!(!report.passed);
        let untrusted = &report.results[5];
        assert_eq!(untrusted.outcome, BatchOutcome::Failed);
        assert_eq!(untrusted.thumbprint_skipped.count, 1);
        let expired = &report.results[6];
        assert_eq!(expired.failed_signatures[0].check, FailedCheck::Expiry);
        // The stopped registry is one error among the others.
        let stopped = report.results.last().unwrap();
        assert_eq!(stopped.outcome, BatchOutcome::Error);
        assert!(
            stopped
                .message
                .as_deref()
                .unwrap()
                .contains("failed to get manifest descriptor")
        );
        // The JSON reads back into the same report (durations to the
        // microsecond, as the JSON has them).
        let back: notation_oci::batch::BatchReport = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), json);
        assert_eq!(back.results[3].signature, report.results[3].signature);
        requests.push(client.request_count());
    }
    // The first reference of each registry and repository runs before the
    // others of it: concurrency adds no request.
    assert_eq!(requests[0], requests[1], "{requests:?}");
    assert_eq!(requests[0], requests[2], "{requests:?}");
    eprintln!("requests of the whole batch at 1, 2, 8: {requests:?}");
    let _ = world.distribution_cases;
}

/// Requests one reference costs when verified alone, with a new client.
fn alone(verifier: &Verifier, reference: &str) -> u64 {
    let client = RegistryClient::new().unwrap();
    let reference = Reference::parse(reference).unwrap();
    let repo = RemoteRepository::new(client.clone(), &reference).unwrap();
    let _ = workflow::verify_reference(&repo, &reference, verifier, &VerifyOptions::new());
    client.request_count()
}

#[test]
fn no_reference_costs_more_requests_than_alone_and_known_capabilities_cost_fewer() {
    let world = world();
    let verifier = verifier(world.config.path());
    let (distribution, oci) = world.cases.split_at(world.distribution_cases);
    let oci = &oci[..oci.len() - 1];
    for (name, cases, listings_saved) in [
        // Tag schema: every listing after the first of its repository
        // skips the referrers API request that answers 404 (the client
        // learned it for that repository, as oras-go does).
        ("docker-registry", distribution, true),
        // Referrers API: its request is the listing itself.
        ("referrers API", oci, false),
    ] {
        let singles: Vec<u64> = cases
            .iter()
            .map(|c| alone(&verifier, &c.reference))
            .collect();
        let client = RegistryClient::new().unwrap();
        let batch = BatchVerifier::new(&verifier)
            .concurrency(1)
            .registry_client(client.clone());
        // One at a time, counting each reference's requests.
        let mut per_reference = Vec::new();
        for case in cases {
            let before = client.request_count();
            let report = batch.verify(&[BatchItem::registry(&case.reference)]);
            assert_eq!(
                report.results[0].outcome.as_str(),
                case.outcome,
                "{}",
                case.reference
            );
            per_reference.push(client.request_count() - before);
        }
        eprintln!("{name}: alone {singles:?}, in a batch {per_reference:?}");
        for ((single, batched), case) in singles.iter().zip(&per_reference).zip(cases) {
            assert!(
                batched <= single,
                "{}: {batched} > {single}",
                case.reference
            );
        }
        // Listings are made by every case that resolves and is not skipped.
        let listed: Vec<&Case> = cases.iter().filter(|c| c.digest.is_some()).collect();
        let listings = listed.len() as u64;
        let mut repositories: Vec<String> = listed
            .iter()
            .map(|c| {
                let r = Reference::parse(&c.reference).unwrap();
                format!("{}/{}", r.registry(), r.repository())
            })
            .collect();
        repositories.sort();
        repositories.dedup();
        let repositories = repositories.len() as u64;
        // The fixture lists one repository twice (by tag and by digest), so
        // the saving is not vacuous.
        assert!(repositories < listings, "{name}: {repositories} {listings}");
        let (alone_total, batch_total) = (
            singles.iter().sum::<u64>(),
            per_reference.iter().sum::<u64>(),
        );
        if listings_saved {
            assert_eq!(
                batch_total,
                alone_total - (listings - repositories),
                "{name}"
            );
        } else {
            assert_eq!(batch_total, alone_total, "{name}");
        }
        // The same references in one batch of 8 cost what they cost one
        // by one with a warm client, plus the one discovery.
        let fresh = RegistryClient::new().unwrap();
        let report = BatchVerifier::new(&verifier)
            .concurrency(8)
            .registry_client(fresh.clone())
            .verify(&items(cases));
        fixture::check_report(&serde_json::to_value(&report).unwrap(), cases);
        assert_eq!(fresh.request_count(), batch_total, "{name}");
    }
}

#[test]
fn each_reference_has_its_own_deadline() {
    let world = world();
    let verifier = verifier(world.config.path());
    // A registry that answers every request after 3 s.
    let slow = TestServer::start(|_| Response::status(404).delay(Duration::from_secs(3)));
    let mut cases: Vec<Case> = world.cases[..3].to_vec();
    let slow_reference = format!("{}/slow:v1", slow.host());
    let items: Vec<BatchItem> = cases
        .iter()
        .map(|c| c.reference.clone())
        .chain([slow_reference.clone(), slow_reference.clone()])
        .map(|r| BatchItem::registry(&r))
        .collect();
    let client = RegistryClient::builder()
        .operation_timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let started = Instant::now();
    let report = BatchVerifier::new(&verifier)
        .concurrency(8)
        .registry_client(client)
        .verify(&items);
    let elapsed = started.elapsed();
    for result in &report.results[3..] {
        assert_eq!(result.outcome, BatchOutcome::Error);
        let message = result.message.as_deref().unwrap();
        assert!(
            message.contains("timed out") || message.contains("time limit"),
            "{message}"
        );
        assert!(
            result.duration < Duration::from_secs(2),
            "{:?}",
            result.duration
        );
    }
    // The others complete, verified.
    cases.truncate(3);
    for (result, case) in report.results.iter().zip(&cases) {
        assert_eq!(result.outcome.as_str(), case.outcome, "{}", case.reference);
    }
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[test]
fn several_references_into_one_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let mut cases = fixture::populate_layout(&layout);
    let config = tempfile::tempdir().unwrap();
    fixture::write_config(config.path(), &[]);
    let verifier = verifier(config.path());
    let missing = format!("{}:v1", dir.path().join("no-such-layout").display());
    cases.push(Case {
        reference: missing,
        outcome: "error",
        check: None,
        signer: None,
        media_type: None,
        prefiltered: 0,
        digest: None,
    });
    let items: Vec<BatchItem> = cases
        .iter()
        .map(|c| BatchItem::layout(&c.reference, "local/app"))
        .collect();
    for concurrency in [1, 2, 8] {
        let report = BatchVerifier::new(&verifier)
            .concurrency(concurrency)
            .verify(&items);
        let json = serde_json::to_value(&report).unwrap();
        schema().assert_valid(&json);
        fixture::check_report(&json, &cases);
    }
    // The batch lists signatures from one walk of the layout: the same
    // referrers, in the same order, as a walk per artifact.
    let opened = notation_oci::OciLayout::open(&layout).unwrap();
    let by_subject = opened.referrers_by_subject().unwrap();
    for digest in cases.iter().filter_map(|c| c.digest.as_ref()) {
        let artifact = opened.resolve(digest).unwrap();
        let one: Vec<String> = opened
            .referrers(&artifact)
            .unwrap()
            .into_iter()
            .map(|(d, _)| d.digest)
            .collect();
        let all: Vec<String> = by_subject
            .get(digest)
            .into_iter()
            .flatten()
            .map(|(d, _)| d.digest.clone())
            .collect();
        assert_eq!(one, all, "{digest}");
    }
}

#[test]
fn required_user_metadata_is_checked_for_every_reference() {
    let world = world();
    let verifier = verifier(world.config.path());
    let signed: Vec<&Case> = world
        .cases
        .iter()
        .filter(|c| c.outcome == "verified")
        .collect();
    let items: Vec<BatchItem> = signed
        .iter()
        .map(|c| BatchItem::registry(&c.reference))
        .collect();
    let require = |value: &str| {
        BatchVerifier::new(&verifier)
            .options(
                VerifyOptions::new()
                    .user_metadata([(fixture::METADATA.0.to_string(), value.to_string())].into()),
            )
            .verify(&items)
    };
    let present = require(fixture::METADATA.1);
    assert!(
        present
            .results
            .iter()
            .all(|r| r.outcome == BatchOutcome::Verified)
    );
    let absent = require("red");
    for result in &absent.results {
        assert_eq!(result.outcome, BatchOutcome::Failed, "{}", result.reference);
        assert_eq!(
            result.failed_signatures.last().unwrap().check,
            FailedCheck::UserMetadata
        );
        assert!(
            result
                .message
                .as_deref()
                .unwrap()
                .starts_with("userMetadata: ")
        );
    }
    schema().assert_valid(&serde_json::to_value(&absent).unwrap());
}

#[test]
fn a_few_hundred_mixed_references_in_one_batch() {
    let world = world();
    let verifier = verifier(world.config.path());
    let cases: Vec<Case> = world.cases.iter().cycle().take(300).cloned().collect();
    let report = BatchVerifier::new(&verifier).verify(&items(&cases));
    let json = serde_json::to_value(&report).unwrap();
    schema().assert_valid(&json);
    fixture::check_report(&json, &cases);
}

#[test]
fn references_that_do_not_parse_are_errors_among_the_others() {
    let world = world();
    let verifier = verifier(world.config.path());
    let items = [
        BatchItem::registry("not a reference"),
        BatchItem::registry(&world.cases[0].reference),
        BatchItem::registry("localhost:5000/no-tag-or-digest"),
        BatchItem::layout("no-tag-in-this-path", "local/app"),
    ];
    let report = BatchVerifier::new(&verifier).verify(&items);
    let outcomes: Vec<&str> = report.results.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(outcomes, ["error", "verified", "error", "error"]);
    assert!(
        report.results[0]
            .message
            .as_deref()
            .unwrap()
            .contains("invalid reference")
    );
    assert!(
        report.results[2]
            .message
            .as_deref()
            .unwrap()
            .contains("no tag or digest")
    );
    assert!(
        report.results[3]
            .message
            .as_deref()
            .unwrap()
            .contains("missing tag or digest")
    );
    assert!(
        report
            .results
            .iter()
            .all(|r| r.policy.is_none() || r.outcome == BatchOutcome::Verified)
    );
    assert_eq!(report.summary.error, 3);
}

#[test]
fn json_schema_validator_rejects_what_the_schema_forbids() {
    let schema = schema();
    let mut report = json!({
        "version": "1.0", "passed": true,
        "summary": {"total": 0, "verified": 0, "skipped": 0, "failed": 0, "unsigned": 0, "error": 0},
        "results": [], "durationMs": 1.5
    });
    schema.assert_valid(&report);
    let valid_result = json!({
        "reference": "r/a:v1", "digest": null, "resolvedFromTag": false, "policy": null,
        "outcome": "error", "message": "down", "signature": null, "failedSignatures": [],
        "warnings": [], "thumbprintSkipped": {"count": 0, "signatures": []}, "durationMs": 0.0
    });
    report["results"] = json!([valid_result.clone()]);
    schema.assert_valid(&report);
    // 1.1 added the manifests of a recursive verification (a 1.0 report
    // has none).
    let mut recursive = report.clone();
    recursive["version"] = json!("1.1");
    recursive["results"][0]["manifests"] = json!([{
        "digest": "sha256:ab", "platform": "linux/arm64", "depth": 1, "outcome": "unsigned",
        "message": "no signature", "signature": null, "failedSignatures": [], "warnings": [],
        "thumbprintSkipped": {"count": 0, "signatures": []}
    }]);
    schema.assert_valid(&recursive);
    // Each broken in one way: a missing field, an extra field, a wrong
    // type, a value outside an enum, a pattern, a minimum, a nested $ref,
    // anyOf, a date-time.
    type Breaks = Box<dyn Fn(&mut Value)>;
    let broken: Vec<(&str, Breaks)> = vec![
        (
            "missing",
            Box::new(|r| {
                r["results"][0].as_object_mut().unwrap().remove("digest");
            }),
        ),
        ("extra", Box::new(|r| r["results"][0]["extra"] = json!(1))),
        (
            "manifest",
            Box::new(|r| {
                r["results"][0]["manifests"] = json!([{
                    "digest": "sha256:ab", "platform": null, "depth": 0, "outcome": "verified",
                    "message": null, "signature": null, "failedSignatures": [], "warnings": [],
                    "thumbprintSkipped": {"count": 0, "signatures": []}
                }]);
            }),
        ),
        ("type", Box::new(|r| r["passed"] = json!("yes"))),
        (
            "enum",
            Box::new(|r| r["results"][0]["outcome"] = json!("ok")),
        ),
        ("pattern", Box::new(|r| r["version"] = json!("2.0"))),
        ("minimum", Box::new(|r| r["durationMs"] = json!(-1))),
        ("ref", Box::new(|r| r["summary"]["total"] = json!(1.5))),
        (
            "anyOf",
            Box::new(|r| r["results"][0]["digest"] = json!("not a digest")),
        ),
        (
            "date-time",
            Box::new(|r| {
                r["results"][0]["signature"] = json!({
                    "digest": "sha256:ab", "envelopeMediaType": "application/cose",
                    "signingScheme": "notary.x509", "signingTime": "yesterday", "expiry": null,
                    "signer": {"subject": "CN=a", "sha256Fingerprint": "a".repeat(64)},
                    "timestamp": null, "userMetadata": {}
                });
            }),
        ),
        (
            "items",
            Box::new(|r| {
                r["results"][0]["failedSignatures"] =
                    json!([{"digest": "sha256:ab", "check": "nope", "reason": ""}])
            }),
        ),
        (
            "additionalProperties schema",
            Box::new(|r| {
                r["results"][0]["signature"] = json!({
                    "digest": "sha256:ab", "envelopeMediaType": "application/cose",
                    "signingScheme": "notary.x509", "signingTime": "2026-01-01T00:00:00Z", "expiry": null,
                    "signer": {"subject": "CN=a", "sha256Fingerprint": "a".repeat(64)},
                    "timestamp": null, "userMetadata": {"k": 1}
                });
            }),
        ),
    ];
    for (what, breaks) in broken {
        let mut bad = report.clone();
        breaks(&mut bad);
        assert!(!schema.errors(&bad).is_empty(), "{what} was not rejected");
    }
}

/// `BatchItem::recursive`: an image index verified with every manifest it
/// lists (as `notation verify --recursive`), in an OCI layout and in
/// docker-registry; one manifest unsigned makes the reference `unsigned`,
/// named with its platform, and signing it makes all verify.
#[test]
fn recursive_references_verify_every_manifest_of_an_index() {
    use notation_oci::store::ContentStore;
    use support::images;

    let check = |store: &dyn ContentStore, item: &dyn Fn(bool) -> BatchItem| {
        let (index, children) = images::push_index(store, false);
        images::tag(store, "v1", &index);
        images::sign_one(
            store,
            &index.digest,
            notation_core::envelope::EnvelopeFormat::Jws,
        );
        images::sign_one(
            store,
            &children[0].digest,
            notation_core::envelope::EnvelopeFormat::Cose,
        );
        let verifier = images::verifier();
        let batch = BatchVerifier::new(&verifier).concurrency(2);
        let report = batch.verify(&[item(true), item(false)]);
        schema().assert_valid(&serde_json::to_value(&report).unwrap());
        let (recursive, alone) = (&report.results[0], &report.results[1]);
        assert_eq!(alone.outcome, BatchOutcome::Verified, "{alone:?}");
        assert!(alone.manifests.is_empty());
        assert_eq!(recursive.outcome, BatchOutcome::Unsigned, "{recursive:?}");
        assert_eq!(recursive.digest.as_deref(), Some(index.digest.as_str()));
        assert!(recursive.signature.is_some(), "the index's own signature");
        let digests: Vec<&str> = recursive
            .manifests
            .iter()
            .map(|m| m.digest.as_str())
            .collect();
        assert_eq!(digests, [&children[0].digest, &children[1].digest]);
        assert_eq!(recursive.manifests[0].outcome, BatchOutcome::Verified);
        assert_eq!(
            recursive.manifests[0].platform.as_deref(),
            Some("linux/amd64")
        );
        assert_eq!(recursive.manifests[0].depth, 1);
        assert_eq!(
            recursive.manifests[0]
                .signature
                .as_ref()
                .unwrap()
                .envelope_media_type,
            "application/cose"
        );
        assert_eq!(recursive.manifests[1].outcome, BatchOutcome::Unsigned);
        let message = recursive.message.as_deref().unwrap();
        assert!(
            message.starts_with(&format!(
                "manifest {} (linux/arm64): unsigned: ",
                children[1].digest
            )),
            "{message}"
        );
        images::sign_one(
            store,
            &children[1].digest,
            notation_core::envelope::EnvelopeFormat::Jws,
        );
        let report = batch.verify(&[item(true)]);
        schema().assert_valid(&serde_json::to_value(&report).unwrap());
        let result = &report.results[0];
        assert_eq!(result.outcome, BatchOutcome::Verified, "{result:?}");
        assert!(result.message.is_none());
        assert!(
            result
                .manifests
                .iter()
                .all(|m| m.outcome == BatchOutcome::Verified)
        );
        assert!(report.passed);
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout");
    let layout = notation_oci::OciLayout::create(&path).unwrap();
    let reference = format!("{}:v1", path.display());
    check(&layout, &|recursive| {
        BatchItem::layout(&reference, "local/app").recursive(recursive)
    });
    let registry = Registry::start(Auth::None);
    let reference = format!("{}/app:v1", registry.host());
    let repo = RemoteRepository::new(
        RegistryClient::new().unwrap(),
        &Reference::parse(&reference).unwrap(),
    )
    .unwrap();
    check(&repo, &|recursive| {
        BatchItem::registry(&reference).recursive(recursive)
    });
}
