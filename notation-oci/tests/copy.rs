//! `copy`: an artifact with its signatures between real stores. Two
//! instances of Debian's `docker-registry` (CNCF distribution 2.8.2, no
//! referrers API: signatures are listed with the referrers tag schema),
//! the in-process registry of `support/oci_registry.rs` (written to the OCI
//! distribution spec v1.1, for the referrers API, which no installable
//! registry provides here, and for registries that fail or lie on
//! purpose), and OCI layouts. The artifact is a two-platform image index
//! with its children, signed recursively with JWS and once more with COSE.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use notation_core::envelope::EnvelopeFormat;
use notation_oci::copy::{self, CopyError, CopyEvent, CopyOptions};
use notation_oci::graph::GraphLimits;
use notation_oci::oci::{
    ANNOTATION_REF_NAME, Descriptor, MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::registry::{RegistryClient, RegistryError};
use notation_oci::repository::{RepositoryError, SignatureRepository};
use notation_oci::store::ContentStore;
use notation_oci::workflow::{self, VerifyOptions};
use notation_oci::{OciLayout, Reference, RemoteRepository};
use support::images::{self, SBOM_TYPE, push_index, push_sbom, sign_one, verifier};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

fn remote(host: &str, repository: &str) -> RemoteRepository {
    let reference = Reference::parse(&format!("{host}/{repository}")).unwrap();
    RemoteRepository::new(RegistryClient::new().unwrap(), &reference).unwrap()
}

/// A signed two-platform image tagged `v1` in `store`: recursive JWS
/// signatures, and a COSE one on the index. Returns the index and its
/// children.
fn signed_index(store: &dyn ContentStore, docker: bool) -> (Descriptor, Vec<Descriptor>) {
    let (index, children) = push_index(store, docker);
    images::tag(store, "v1", &index);
    assert_eq!(images::sign_recursive(store, "v1").len(), 3);
    sign_one(store, &index.digest, EnvelopeFormat::Cose);
    (index, children)
}

/// Every manifest of the index verifies at `store` (scope `scope`).
fn assert_verifies(store: &dyn ContentStore, scope: &str, reference: &str) {
    let result = workflow::verify_recursive(
        store,
        scope,
        reference,
        &verifier(),
        &VerifyOptions::new(),
        &GraphLimits::new(),
    )
    .unwrap();
    assert_eq!(result.manifests.len(), 3);
    for m in &result.manifests {
        assert!(m.result.is_ok(), "{}: {:?}", m.descriptor.digest, m.result);
    }
}

fn signature_count(store: &dyn ContentStore, digest: &Descriptor) -> usize {
    store.signatures(digest).unwrap().len()
}

#[test]
fn registry_to_registry_keeps_digests_and_signatures() {
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let source = remote(a.host(), "app");
    let (index, children) = signed_index(&source, false);
    let destination = remote(b.host(), "app");

    let report = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(report.digest(), Some(index.digest.as_str()));
    assert_eq!(report.tag.as_deref(), Some("v1"), "the source's tag");
    assert_eq!(
        (report.manifests_copied, report.signatures),
        (3 + 4, 4),
        "{report}"
    );
    // Two children of a config and a layer each, the envelopes and the
    // empty config of the signatures.
    assert_eq!(report.blobs_copied, 4 + 4 + 1, "{report}");
    assert_eq!(destination.resolve("v1").unwrap().digest, index.digest);
    assert_eq!(signature_count(&destination, &index), 2);
    for child in &children {
        assert_eq!(signature_count(&destination, child), 1);
    }
    assert_verifies(&destination, &format!("{}/app", b.host()), "v1");

    // Again: everything is there.
    let again = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(
        (again.manifests_copied, again.blobs_copied),
        (0, 0),
        "{again}"
    );
    assert_eq!(again.manifests_skipped, 7);
    // The tag schema index lists each signature once.
    assert_eq!(signature_count(&destination, &index), 2);

    // A new signature at the source travels on the next copy, merged.
    sign_one(&source, &children[0].digest, EnvelopeFormat::Cose);
    let third = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(third.manifests_copied, 1, "{third}");
    assert_eq!(signature_count(&destination, &children[0]), 2);
}

#[test]
fn registry_to_layout_and_back_and_layout_to_layout() {
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let source = remote(a.host(), "app");
    let (index, children) = signed_index(&source, true);
    let dir = tempfile::tempdir().unwrap();

    // Export into a new layout, tagged as the destination says.
    let layout = OciLayout::create(dir.path().join("export")).unwrap();
    let report = copy::copy(
        &source,
        "v1",
        &layout,
        Some("exported"),
        &CopyOptions::new(),
    )
    .unwrap();
    assert_eq!(report.manifests_copied, 7, "{report}");
    let listed = layout.index().unwrap().manifests;
    assert_eq!(listed.len(), 7, "every manifest listed once: {listed:?}");
    let tagged: Vec<_> = listed
        .iter()
        .filter(|d| d.annotation(ANNOTATION_REF_NAME).is_some())
        .collect();
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0].digest, index.digest);
    for child in &children {
        let entry = listed.iter().find(|d| d.digest == child.digest).unwrap();
        assert!(entry.annotations.is_none(), "children untagged");
        assert!(
            entry.other.contains_key("platform"),
            "as the index lists it"
        );
    }
    assert!(
        std::fs::read_dir(layout.root().join("ingest")).map_or(true, |d| d.count() == 0),
        "nothing left staged"
    );
    assert_verifies(&layout, "local/export", "exported");

    // Layout to layout, by digest (nothing tagged), then import into
    // another registry.
    let copy2 = OciLayout::create(dir.path().join("copy")).unwrap();
    let r = copy::copy(&layout, &index.digest, &copy2, None, &CopyOptions::new()).unwrap();
    assert_eq!(r.tag, None);
    assert_verifies(&copy2, "local/copy", &index.digest);
    let destination = remote(b.host(), "imported");
    copy::copy(
        &layout,
        "exported",
        &destination,
        Some("v2"),
        &CopyOptions::new(),
    )
    .unwrap();
    assert_eq!(destination.resolve("v2").unwrap().digest, index.digest);
    assert_verifies(&destination, &format!("{}/imported", b.host()), "v2");
}

#[test]
fn referrers_api_destination_lists_without_the_tag_schema() {
    let a = Registry::start(Auth::None);
    let source = remote(a.host(), "app");
    let (index, _) = signed_index(&source, false);
    let registry = OciRegistry::start();
    let destination = remote(&registry.host(), "app");
    copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(signature_count(&destination, &index), 2);
    let tag = notation_oci::referrers::referrers_tag(&index.digest).unwrap();
    assert!(
        !registry.has_tag("app", &tag),
        "the registry lists referrers itself: no tag index"
    );
    assert_verifies(&destination, &format!("{}/app", registry.host()), "v1");
    // And back from the referrers API into a tag-schema registry.
    let b = Registry::start(Auth::None);
    let back = remote(b.host(), "app");
    copy::copy(&destination, "v1", &back, None, &CopyOptions::new()).unwrap();
    assert_verifies(&back, &format!("{}/app", b.host()), "v1");
}

#[test]
fn all_referrers_brings_the_sbom_and_its_signature() {
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let source = remote(a.host(), "app");
    let (index, _) = signed_index(&source, false);
    let sbom = push_sbom(&source, &index);
    sign_one(&source, &sbom.digest, EnvelopeFormat::Jws);

    let plain = remote(b.host(), "plain");
    copy::copy(&source, "v1", &plain, None, &CopyOptions::new()).unwrap();
    assert!(
        plain.referrers(&index, Some(SBOM_TYPE)).unwrap().is_empty(),
        "signatures only by default"
    );

    let all = remote(b.host(), "all");
    let report = copy::copy(
        &source,
        "v1",
        &all,
        None,
        &CopyOptions::new().all_referrers(true),
    )
    .unwrap();
    assert_eq!((report.signatures, report.referrers), (5, 1), "{report}");
    let sboms = all.referrers(&index, Some(SBOM_TYPE)).unwrap();
    assert_eq!(sboms.len(), 1);
    assert_eq!(sboms[0].digest, sbom.digest);
    let verified = workflow::verify(
        &all,
        &format!("{}/all", b.host()),
        &sbom.digest,
        &verifier(),
        &VerifyOptions::new(),
    )
    .unwrap();
    assert!(
        verified.verified.is_some(),
        "the SBOM's signature came along"
    );

    // Into a layout too: found by walking index.json.
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    copy::copy(
        &source,
        "v1",
        &layout,
        None,
        &CopyOptions::new().all_referrers(true),
    )
    .unwrap();
    assert_eq!(
        ContentStore::referrers(&layout, &index, Some(SBOM_TYPE))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(layout.signatures(&sbom).unwrap().len(), 1);
}

#[test]
fn a_destination_failing_midway_is_left_untagged_and_a_rerun_completes() {
    let a = Registry::start(Auth::None);
    let source = remote(a.host(), "app");
    let (index, _) = signed_index(&source, false);
    let registry = OciRegistry::start();
    let destination = remote(&registry.host(), "app");
    // The third manifest push fails: the children are in, the rest not.
    let puts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = puts.clone();
    registry.set_fault(Some(Arc::new(move |req: &support::http::Request| {
        if req.method == "PUT" && req.path().contains("/manifests/") {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n >= 2 {
                return Some(support::http::Response::status(500));
            }
        }
        None
    })));
    let e = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap_err();
    assert!(matches!(e, CopyError::Destination { .. }), "{e}");
    assert!(!registry.has_tag("app", "v1"), "the tag is written last");
    assert!(registry.manifest("app", &index.digest).is_none());

    registry.set_fault(None);
    let report = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(
        report.manifests_skipped, 2,
        "the children made it: {report}"
    );
    assert_eq!(
        report.blobs_copied, 5,
        "only the signature blobs are new: {report}"
    );
    assert_verifies(&destination, &format!("{}/app", registry.host()), "v1");
}

#[test]
fn a_lying_source_fails_the_copy_with_nothing_tagged_or_stored() {
    // The source registry sends other bytes of the right length for one
    // layer.
    let registry = OciRegistry::start();
    let source = remote(&registry.host(), "app");
    let (index, children) = signed_index(&source, false);
    let child = source.fetch_manifest(&children[1]).unwrap();
    let layer = notation_oci::graph::successors(&children[1], &child)
        .unwrap()
        .blobs
        .pop()
        .unwrap();
    let lie = layer.digest.clone();
    registry.set_fault(Some(Arc::new(move |req: &support::http::Request| {
        (req.method == "GET" && req.path().ends_with(&lie))
            .then(|| support::http::Response::ok("application/octet-stream", vec![0u8; 100_000]))
    })));

    let b = Registry::start(Auth::None);
    let destination = remote(b.host(), "app");
    let e = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap_err();
    match &e {
        CopyError::Source {
            error: RepositoryError::Registry(RegistryError::Integrity(_)),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(destination.resolve("v1").is_err(), "nothing tagged");
    assert!(!destination.blob_exists(&layer).unwrap(), "nothing stored");

    // Into a layout: no file under blobs/ for it, nothing staged, index.json
    // untouched.
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("l")).unwrap();
    assert!(copy::copy(&source, "v1", &layout, None, &CopyOptions::new()).is_err());
    assert_eq!(layout.blob_size(&layer.digest).unwrap(), None);
    assert!(layout.index().unwrap().manifests.is_empty());
    assert_eq!(
        std::fs::read_dir(layout.root().join("ingest"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
    let _ = index;

    // A layout whose blob file was altered (same size) lies the same way.
    registry.set_fault(None);
    let good = OciLayout::create(dir.path().join("good")).unwrap();
    copy::copy(&source, "v1", &good, None, &CopyOptions::new()).unwrap();
    std::fs::write(good.blob_path(&layer.digest).unwrap(), vec![0u8; 100_000]).unwrap();
    let c = Registry::start(Auth::None);
    let e = copy::copy(
        &good,
        "v1",
        &remote(c.host(), "app"),
        None,
        &CopyOptions::new(),
    )
    .unwrap_err();
    assert!(
        matches!(
            &e,
            CopyError::Source {
                error: RepositoryError::Layout(_),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(remote(c.host(), "app").resolve("v1").is_err());
}

#[test]
fn blobs_are_mounted_within_one_registry() {
    let a = Registry::start(Auth::None);
    let source = remote(a.host(), "app");
    signed_index(&source, false);
    let destination = remote(a.host(), "promoted/app");
    let report = copy::copy(
        &source,
        "v1",
        &destination,
        Some("prod"),
        &CopyOptions::new(),
    )
    .unwrap();
    assert_eq!(report.blobs_copied, 0, "{report}");
    assert_eq!(report.blobs_mounted, 9, "{report}");
    assert!(report.bytes < 100_000, "only manifests travel: {report}");
    assert_verifies(&destination, &format!("{}/promoted/app", a.host()), "prod");
}

#[test]
fn progress_events_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let source = OciLayout::create(dir.path().join("src")).unwrap();
    signed_index(&source, false);
    let events = std::sync::Mutex::new(Vec::new());
    let record = |e: &CopyEvent<'_>| {
        events.lock().unwrap().push(match e {
            CopyEvent::Planned { manifests, .. } => format!("planned {manifests}"),
            CopyEvent::BlobStarted { .. } => "started".into(),
            CopyEvent::BlobProgress { .. } => "progress".into(),
            CopyEvent::BlobDone { outcome, .. } => format!("blob {outcome:?}"),
            CopyEvent::ManifestDone { role, .. } => format!("manifest {role:?}"),
            _ => "other".into(),
        })
    };
    let destination = OciLayout::create(dir.path().join("dst")).unwrap();
    copy::copy(
        &source,
        "v1",
        &destination,
        None,
        &CopyOptions::new().progress(&record),
    )
    .unwrap();
    let events = events.into_inner().unwrap();
    assert_eq!(events[0], "planned 7");
    assert_eq!(events.iter().filter(|e| *e == "blob Copied").count(), 9);
    assert!(events.iter().any(|e| e == "progress"));
    assert_eq!(events.last().unwrap(), "manifest Signature");
    let roles: HashSet<_> = events
        .iter()
        .filter(|e| e.starts_with("manifest"))
        .collect();
    assert_eq!(roles.len(), 3, "{roles:?}");

    let fresh = OciLayout::create(dir.path().join("limited")).unwrap();
    let unsigned = OciLayout::create(dir.path().join("unsigned")).unwrap();
    let (index, _) = push_index(&unsigned, false);
    let e = copy::copy(
        &unsigned,
        &index.digest,
        &fresh,
        None,
        &CopyOptions::new().limits(GraphLimits::new().max_manifests(2)),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("more than 2 manifests"),
        "an index and its two manifests are three: {e}"
    );
    for (limits, what) in [
        (GraphLimits::new().max_manifests(2), "more than 2 manifests"),
        (GraphLimits::new().max_depth(0), "nested deeper than 0"),
        (GraphLimits::new().max_referrers(1), "more than 1 referrers"),
    ] {
        let e = copy::copy(
            &source,
            "v1",
            &fresh,
            None,
            &CopyOptions::new().limits(limits),
        )
        .unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
    assert!(
        fresh.index().unwrap().manifests.is_empty(),
        "nothing written"
    );
    let e = copy::copy(
        &source,
        "v1",
        &fresh,
        Some("sha256:00"),
        &CopyOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(e, CopyError::DigestMismatch { .. }), "{e}");
    let e = copy::copy(&source, "v1", &fresh, Some("bad/tag"), &CopyOptions::new()).unwrap_err();
    assert!(matches!(e, CopyError::InvalidTag(_)), "{e}");
    assert!(
        copy::copy(&source, "v9", &fresh, None, &CopyOptions::new())
            .unwrap_err()
            .is_not_found()
    );
}

/// Blob sizes come from the source's manifests: sizes that add up past
/// `u64::MAX` end in an error, not a panic (the total is only shown).
#[test]
fn declared_blob_sizes_past_u64_max_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let source = OciLayout::create(dir.path().join("src")).unwrap();
    let config = images::put_blob(&source, "application/vnd.oci.image.config.v1+json", b"{}");
    let layer = images::put_blob(&source, "application/vnd.oci.image.layer.v1.tar", b"x");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": config.media_type, "digest": config.digest, "size": u64::MAX},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": 2}],
    });
    let manifest = images::put_manifest(
        &source,
        notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
        &serde_json::to_vec(&manifest).unwrap(),
    );
    images::tag(&source, "v1", &manifest);
    let planned = std::sync::Mutex::new(None);
    let record = |e: &CopyEvent<'_>| {
        if let CopyEvent::Planned { bytes, .. } = e {
            *planned.lock().unwrap() = Some(*bytes);
        }
    };
    let destination = OciLayout::create(dir.path().join("dst")).unwrap();
    let e = copy::copy(
        &source,
        "v1",
        &destination,
        None,
        &CopyOptions::new().progress(&record),
    )
    .unwrap_err();
    assert_eq!(*planned.lock().unwrap(), Some(u64::MAX), "{e}");
    assert!(destination.index().unwrap().manifests.is_empty());
}

/// Referrers a listing names that turn out not to refer to the subject
/// (a referrers tag index may name anything) are read, skipped, and
/// counted against the plan's limits all the same. Served in-process: a
/// registry whose referrers API lists unrelated manifests.
#[test]
fn skipped_referrers_count_against_the_plan_limits() {
    let registry = OciRegistry::start();
    let source = remote(&registry.host(), "net-monitor");
    let image = images::push_image(&source, "amd64", b"layer", false);
    images::tag(&source, "v1", &image);
    let mut listed = Vec::new();
    for i in 0..5 {
        let bytes = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
            "artifactType": notation_oci::oci::ARTIFACT_TYPE_NOTATION,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                "digest": notation_oci::oci::EMPTY_JSON_DIGEST, "size": 2},
            "layers": [],
            "annotations": {"unrelated": i.to_string()},
        }))
        .unwrap();
        let digest = registry.put_manifest(
            "net-monitor",
            &format!("junk-{i}"),
            notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
            &bytes,
        );
        listed.push(serde_json::json!({
            "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
            "artifactType": notation_oci::oci::ARTIFACT_TYPE_NOTATION,
            "digest": digest,
            "size": bytes.len(),
        }));
    }
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX,
        "manifests": listed,
    }))
    .unwrap();
    registry.set_fault(Some(Arc::new(move |r: &support::http::Request| {
        (r.method == "GET" && r.target.contains("/referrers/")).then(|| {
            support::http::Response::ok(notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX, index.clone())
        })
    })));
    let dir = tempfile::tempdir().unwrap();
    let copy_with = |max: usize| {
        let destination = OciLayout::create(dir.path().join(format!("dst-{max}"))).unwrap();
        copy::copy(
            &source,
            "v1",
            &destination,
            None,
            &CopyOptions::new().limits(GraphLimits::new().max_manifests(max)),
        )
    };
    let e = copy_with(5).unwrap_err();
    assert!(e.to_string().contains("more than 5 manifests"), "{e}");
    // The image and the five read: within a limit of six, and nothing
    // skipped is copied.
    let copied = copy_with(6).unwrap();
    assert_eq!(copied.manifests_copied, 1, "{copied:?}");
}

/// Planning a copy recurses once per nesting level: however deep a caller
/// allows, the depth is capped far inside a thread's stack, and a source
/// nesting indexes deeper fails cleanly.
#[test]
fn nesting_past_the_depth_cap_fails_without_exhausting_the_stack() {
    use notation_oci::graph::MAX_DEPTH_CAP;
    let dir = tempfile::tempdir().unwrap();
    let source = OciLayout::create(dir.path().join("src")).unwrap();
    let mut inner = images::push_image(&source, "amd64", b"layer", false);
    for _ in 0..MAX_DEPTH_CAP + 10 {
        let index = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX,
            "manifests": [inner],
        }))
        .unwrap();
        inner = images::put_manifest(&source, notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX, &index);
    }
    images::tag(&source, "v1", &inner);
    let destination = OciLayout::create(dir.path().join("dst")).unwrap();
    let e = copy::copy(
        &source,
        "v1",
        &destination,
        None,
        &CopyOptions::new().limits(GraphLimits::new().max_depth(usize::MAX)),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("nested deeper than {MAX_DEPTH_CAP}")),
        "{e}"
    );
}

/// Sources and destinations that misdescribe content: a copy never reports
/// success for something it did not bring.
#[test]
fn misdescribed_content_is_copied_in_full_or_refused() {
    use notation_oci::oci::{MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST};
    let dir = tempfile::tempdir().unwrap();

    // An index listed (and tagged) as an image manifest: its children would
    // be left behind, so the copy is refused.
    let source = OciLayout::create(dir.path().join("lying")).unwrap();
    let (index, _) = push_index(&source, false);
    let mut as_manifest = index.clone();
    as_manifest.media_type = MEDIA_TYPE_IMAGE_MANIFEST.into();
    images::tag(&source, "v1", &as_manifest);
    let destination = OciLayout::create(dir.path().join("out")).unwrap();
    let e = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "its mediaType \"{MEDIA_TYPE_IMAGE_INDEX}\" is not its descriptor's"
        )),
        "{e}"
    );
    assert!(destination.resolve("v1").is_err());

    // A regular layer that also names `urls` is copied like any other (only
    // non-distributable media types are left out).
    let source = OciLayout::create(dir.path().join("urls")).unwrap();
    let config = images::put_blob(&source, "application/vnd.oci.image.config.v1+json", b"{}");
    let mut layer = images::put_blob(&source, "application/vnd.oci.image.layer.v1.tar", b"layer");
    layer.other.insert(
        "urls".into(),
        serde_json::json!(["https://example.test/layer"]),
    );
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": config,
        "layers": [layer],
    }))
    .unwrap();
    let manifest = images::put_manifest(&source, MEDIA_TYPE_IMAGE_MANIFEST, &manifest);
    images::tag(&source, "v1", &manifest);
    let destination = OciLayout::create(dir.path().join("urls-out")).unwrap();
    let report = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!((report.blobs_copied, report.blobs_foreign), (2, 0));
    assert_eq!(destination.blob_size(&layer.digest).unwrap(), Some(5));

    // A destination layout whose files for the manifest and the layer hold
    // other bytes of the same size: not taken as present; the copy writes
    // the right bytes (the config, intact, is skipped).
    std::fs::write(destination.blob_path(&layer.digest).unwrap(), b"LAYER").unwrap();
    let manifest_path = destination.blob_path(&manifest.digest).unwrap();
    let damaged = vec![b' '; std::fs::metadata(&manifest_path).unwrap().len() as usize];
    std::fs::write(&manifest_path, damaged).unwrap();
    let report = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(report.manifests_copied, 1);
    assert_eq!((report.blobs_copied, report.blobs_skipped), (1, 1));
    // Read back by digest: the manifest's file holds its bytes again.
    destination.fetch_manifest(&manifest).unwrap();
    assert_eq!(
        std::fs::read(destination.blob_path(&layer.digest).unwrap()).unwrap(),
        b"layer"
    );
}

#[test]
fn a_referrer_reached_as_an_index_child_or_as_the_root_is_listed_under_its_subject() {
    use notation_oci::oci::MEDIA_TYPE_IMAGE_INDEX;
    let registry = Registry::start(Auth::None);
    let dir = tempfile::tempdir().unwrap();
    let source = OciLayout::create(dir.path().join("src")).unwrap();
    // An index that lists an image and, beside it, an SBOM whose subject is
    // that image (as build tools list attestations).
    let image = images::push_image(&source, "amd64", b"layer", false);
    let sbom = push_sbom(&source, &image);
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_INDEX,
        "manifests": [image, sbom],
    }))
    .unwrap();
    let index = images::put_manifest(&source, MEDIA_TYPE_IMAGE_INDEX, &index);
    images::tag(&source, "v1", &index);

    // Into distribution 2.8.2 (the tag schema): the copy itself must write
    // the image's referrers tag index.
    let destination = remote(registry.host(), "app");
    let report = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap();
    assert_eq!(report.manifests_copied, 3, "{report}");
    let listed = destination.referrers(&image, Some(SBOM_TYPE)).unwrap();
    assert_eq!(
        listed.iter().map(|d| &d.digest).collect::<Vec<_>>(),
        [&sbom.digest]
    );
    assert_eq!(listed[0].artifact_type.as_deref(), Some(SBOM_TYPE));

    // The SBOM copied alone, as the root, into another repository: listed
    // under its subject there too (which the copy does not bring).
    let alone = remote(registry.host(), "alone");
    copy::copy(&source, &sbom.digest, &alone, None, &CopyOptions::new()).unwrap();
    let listed = alone.referrers(&image, None).unwrap();
    assert_eq!(
        listed.iter().map(|d| &d.digest).collect::<Vec<_>>(),
        [&sbom.digest]
    );
}

#[test]
fn a_child_named_by_a_tag_is_refused_never_fetched_or_pushed_by_it() {
    // A hostile source index lists a child whose "digest" is a tag. Taken
    // as a reference, it would fetch whatever `prod` points to now, and
    // push it over the destination's `prod` tag. The in-process registry
    // serves it (a real one refuses such an index at push).
    let registry = OciRegistry::start();
    let evil = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"evil":"1"}}"#;
    registry.put_blob(b"{}");
    registry.put_manifest("app", "prod", MEDIA_TYPE_IMAGE_MANIFEST, evil);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{MEDIA_TYPE_IMAGE_INDEX}","manifests":[{{"mediaType":"{MEDIA_TYPE_IMAGE_MANIFEST}","digest":"prod","size":{}}}]}}"#,
        evil.len()
    );
    registry.put_manifest("app", "v1", MEDIA_TYPE_IMAGE_INDEX, index.as_bytes());
    let source = remote(&registry.host(), "app");

    // The destination's own `prod` stays what it was.
    let (good, _) = push_index(&remote(&registry.host(), "dest"), false);
    registry.put_manifest(
        "dest",
        "prod",
        MEDIA_TYPE_IMAGE_INDEX,
        &remote(&registry.host(), "dest")
            .fetch_manifest(&good)
            .unwrap(),
    );
    let destination = remote(&registry.host(), "dest");
    let e = copy::copy(&source, "v1", &destination, None, &CopyOptions::new()).unwrap_err();
    assert!(
        matches!(
            &e,
            CopyError::Source {
                error: RepositoryError::Invalid(m),
                ..
            } if m.contains("invalid digest \"prod\"")
        ),
        "{e:?}"
    );
    assert_eq!(destination.resolve("prod").unwrap().digest, good.digest);
    assert!(destination.resolve("v1").is_err(), "nothing tagged");

    // Signing and verifying the index recursively stop at the same child,
    // before any signature is pushed.
    let signer = images::signer("ec-256");
    let e = workflow::sign_recursive(
        &source,
        "v1",
        workflow::ArtifactSigner::Signer(&signer),
        &workflow::SignOptions::new(EnvelopeFormat::Jws),
        &notation_core::crypto::DefaultProvider,
        &GraphLimits::new(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("invalid digest \"prod\""), "{e}");
    let e = workflow::verify_recursive(
        &source,
        &format!("{}/app", registry.host()),
        "v1",
        &verifier(),
        &VerifyOptions::new(),
        &GraphLimits::new(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("invalid digest \"prod\""), "{e}");
    let fetched_by_tag = registry
        .requests()
        .iter()
        .filter(|r| r.path().ends_with("/manifests/prod"))
        .count();
    // Only the test's own resolve of the destination's tag, above.
    assert_eq!(fetched_by_tag, 1);
}
