//! notation-oci's errors print each reason once when a reporter walks their
//! `source()` chain (issue 12 item 3; notation-core/tests/error_chains.rs
//! scans the declarations of both crates): registry errors against
//! Debian's `docker-registry` and a closed loopback port, layout errors, and
//! the workflow's aggregate errors.

mod support;

#[path = "../../testdata/rust/error_chain.rs"]
mod error_chain;

use error_chain::{chain, report};
use notation_oci::layout::LayoutError;
use notation_oci::registry::RegistryClient;
use notation_oci::repository::SignatureRepository;
use notation_oci::workflow::{self, VerifyOptions};
use notation_oci::{OciLayout, Reference, RemoteRepository};
use support::fixtures::{alpine_layout, alpine_verifier};
use support::registry::{Auth, Registry};

#[test]
fn registry_errors_print_each_reason_once() {
    // No HTTP response at all: a loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let reference = Reference::parse(&format!("127.0.0.1:{port}/app:v1")).unwrap();
    let repo = RemoteRepository::new(RegistryClient::new().unwrap(), &reference).unwrap();
    let e = repo.resolve("v1").unwrap_err();
    let text = report(&e);
    assert!(
        text.starts_with(&format!(
            "Head \"http://127.0.0.1:{port}/v2/app/manifests/v1\": dial tcp 127.0.0.1:{port}: connect: connection refused"
        )),
        "{text}"
    );

    // A tag the registry does not have: what was not found, then the
    // registry's answer as the source.
    let registry = Registry::start(Auth::None);
    let reference = Reference::parse(&format!("{}/app:v1", registry.host())).unwrap();
    let repo = RemoteRepository::new(RegistryClient::new().unwrap(), &reference).unwrap();
    let e = repo.resolve("v1").unwrap_err();
    assert!(e.is_not_found());
    let texts = chain(&e);
    assert_eq!(texts[0], format!("{}/app:v1: not found", registry.host()));
    assert!(
        texts[1].contains("\": response status code 404: "),
        "{texts:?}"
    );
    report(&e);
}

#[test]
fn layout_and_workflow_errors_print_each_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let e = OciLayout::open(dir.path().join("absent")).unwrap_err();
    assert!(matches!(e, LayoutError::NotALayout(_)));
    report(&e);

    let layout = alpine_layout(dir.path());
    let e = workflow::verify(
        &layout,
        "local/oci-layout",
        "no-such-tag",
        &alpine_verifier(),
        &VerifyOptions::new(),
    )
    .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(report(&e), "no-such-tag: not found");

    // A blob that cannot be read: the path, then the I/O error, once.
    std::fs::remove_file(dir.path().join("layout/index.json")).unwrap();
    std::fs::create_dir(dir.path().join("layout/index.json")).unwrap();
    let e = layout.resolve("v2").unwrap_err();
    report(&e);
}

#[test]
fn copy_errors_print_each_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let layout = alpine_layout(dir.path());
    let destination = OciLayout::create(dir.path().join("copy")).unwrap();
    let options = notation_oci::copy::CopyOptions::new();
    let e =
        notation_oci::copy::copy(&layout, "no-such-tag", &destination, None, &options).unwrap_err();
    assert!(e.is_not_found());
    let text = report(&e);
    assert!(text.ends_with("no-such-tag: not found"), "{text}");
    let (index, _) = support::images::push_index(&layout, false);
    let limits = notation_oci::graph::GraphLimits::new().max_depth(0);
    let e = notation_oci::copy::copy(
        &layout,
        &index.digest,
        &destination,
        None,
        &options.limits(limits),
    )
    .unwrap_err();
    assert!(report(&e).contains("nested deeper than 0 levels"), "{e}");
}
