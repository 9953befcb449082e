//! The referrers API (REQUIREMENTS Q5; OCI distribution spec v1.1
//! §Listing Referrers) against an in-process server written to the spec:
//! no installable registry here implements it (distribution 2.8.2 does not,
//! see `registry_distribution.rs`). The server pages with `Link: <...>;
//! rel="next"` (relative or absolute), applies the `artifactType` filter
//! and says so with `OCI-Filters-Applied` when configured to (or says so
//! without applying it, as a hostile registry might), and answers
//! `OCI-Subject` on manifest pushes with a subject.

mod support;

use std::sync::Arc;

use notation_oci::oci::{
    ARTIFACT_TYPE_NOTATION, MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::registry::error::{LimitKind, ProtocolError};
use notation_oci::registry::{RegistryClient, RegistryError, RepositoryRef};
use support::http::{Request, Response, TestServer};

const SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
const SBOM: &str = "application/spdx+json";

fn referrer(i: usize, artifact_type: &str) -> serde_json::Value {
    serde_json::json!({
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "digest": format!("sha256:{i:064x}"),
        "size": 100 + i,
        "artifactType": artifact_type,
        "annotations": {"io.cncf.notary.x509chain.thumbprint#S256": format!("[\"{i}\"]")},
        "platform": {"os": "linux", "architecture": "amd64"},
    })
}

#[derive(Clone, Copy)]
struct SpecServer {
    page_size: usize,
    applies_filter: bool,
    /// Sends `OCI-Filters-Applied: artifactType` without filtering.
    lies_about_filter: bool,
    absolute_links: bool,
}

/// Serves `referrers` of SUBJECT in repository `test/app`, paged.
fn spec_server(referrers: Vec<serde_json::Value>, cfg: SpecServer) -> TestServer {
    let referrers = Arc::new(referrers);
    TestServer::start(move |req: &Request| {
        let prefix = format!("/v2/test/app/referrers/{SUBJECT}");
        if req.path() == "/v2/other/referrers/".to_string() + SUBJECT {
            return Response::status(404)
                .header("Content-Type", "application/json")
                .body(r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#);
        }
        if req.method == "PUT" && req.path().starts_with("/v2/test/app/manifests/") {
            let m: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            let digest = notation_oci::oci::sha256_digest(&req.body);
            let mut r = Response::status(201).header("Docker-Content-Digest", digest);
            if let Some(s) = m.get("subject") {
                r = r.header("OCI-Subject", s["digest"].as_str().unwrap());
            }
            return r;
        }
        if req.path() != prefix {
            return Response::status(404);
        }
        let artifact_type = req
            .query("artifactType")
            .map(support::token::percent_decode);
        let start: usize = req.query("last").and_then(|l| l.parse().ok()).unwrap_or(0);
        let all: Vec<&serde_json::Value> = referrers
            .iter()
            .filter(|d| {
                !cfg.applies_filter
                    || artifact_type
                        .as_deref()
                        .is_none_or(|t| d["artifactType"] == t)
            })
            .collect();
        let page: Vec<_> = all
            .iter()
            .skip(start)
            .take(cfg.page_size)
            .cloned()
            .collect();
        let body = serde_json::json!({"schemaVersion": 2, "mediaType": MEDIA_TYPE_IMAGE_INDEX, "manifests": page});
        let mut r = Response::ok(MEDIA_TYPE_IMAGE_INDEX, body.to_string());
        if (cfg.applies_filter || cfg.lies_about_filter) && artifact_type.is_some() {
            r = r.header("OCI-Filters-Applied", "artifactType");
        }
        if start + cfg.page_size < all.len() {
            let mut next = format!(
                "{prefix}?n={}&last={}",
                cfg.page_size,
                start + cfg.page_size
            );
            if let Some(t) = req.query("artifactType") {
                next.push_str(&format!("&artifactType={t}"));
            }
            if cfg.absolute_links {
                next = format!("{}{next}", req.base_url);
            }
            r = r.header("Link", format!("<{next}>; rel=\"next\""));
        }
        r
    })
}

fn mixed(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            referrer(
                i,
                if i % 3 == 0 {
                    SBOM
                } else {
                    ARTIFACT_TYPE_NOTATION
                },
            )
        })
        .collect()
}

/// The digests of the Notary signatures among `mixed(n)`.
fn signatures_of_mixed(n: usize) -> Vec<String> {
    (0..n)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("sha256:{i:064x}"))
        .collect()
}

fn digests(listed: &[notation_oci::oci::Descriptor]) -> Vec<String> {
    listed.iter().map(|d| d.digest.clone()).collect()
}

#[test]
fn pages_are_followed_and_filtered_client_side_without_filters_applied() {
    for absolute_links in [false, true] {
        let server = spec_server(
            mixed(10),
            SpecServer {
                page_size: 3,
                applies_filter: false,
                lies_about_filter: false,
                absolute_links,
            },
        );
        let client = RegistryClient::new().unwrap();
        let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
        let got = client
            .referrers(&repo, SUBJECT, Some(ARTIFACT_TYPE_NOTATION))
            .unwrap()
            .unwrap();
        assert_eq!(digests(&got), signatures_of_mixed(10));
        assert_eq!(client.request_count(), 4, "10 referrers in pages of 3");
        // Data is returned faithfully, unknown fields included.
        assert_eq!(
            got[0].artifact_type.as_deref(),
            Some(ARTIFACT_TYPE_NOTATION)
        );
        assert!(got[0].other.contains_key("platform"));
        assert_eq!(
            got[0].annotation("io.cncf.notary.x509chain.thumbprint#S256"),
            Some("[\"1\"]")
        );
        // The artifactType query was sent, encoded.
        assert!(
            server.requests()[0]
                .target
                .ends_with("?artifactType=application%2Fvnd.cncf.notary.signature")
        );
        // Without a filter, everything.
        assert_eq!(
            client
                .referrers(&repo, SUBJECT, None)
                .unwrap()
                .unwrap()
                .len(),
            10
        );
    }
}

#[test]
fn registry_side_filter_is_checked_when_announced() {
    // A registry that says it filtered and did not: other artifact types
    // (and descriptors without one) are never returned as signatures.
    let mut listed = mixed(7);
    listed.push(serde_json::json!({
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "digest": format!("sha256:{:064x}", 99),
        "size": 99,
    }));
    let server = spec_server(
        listed,
        SpecServer {
            page_size: 3,
            applies_filter: false,
            lies_about_filter: true,
            absolute_links: false,
        },
    );
    let client = RegistryClient::new().unwrap();
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    let got = client
        .referrers(&repo, SUBJECT, Some(ARTIFACT_TYPE_NOTATION))
        .unwrap()
        .unwrap();
    assert_eq!(digests(&got), signatures_of_mixed(7));
    assert_eq!(client.request_count(), 3, "8 referrers in pages of 3");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.target.contains("artifactType=")),
        "the filter is still asked of the registry"
    );
}

#[test]
fn registry_side_filter_gives_the_same_list_when_applied() {
    let server = spec_server(
        mixed(7),
        SpecServer {
            page_size: 2,
            applies_filter: true,
            lies_about_filter: false,
            absolute_links: false,
        },
    );
    let client = RegistryClient::new().unwrap();
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    let got = client
        .referrers(&repo, SUBJECT, Some(SBOM))
        .unwrap()
        .unwrap();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|d| d.artifact_type.as_deref() == Some(SBOM)));
    assert_eq!(client.request_count(), 2);
}

#[test]
fn empty_list_missing_repository_and_subject_header() {
    let server = spec_server(
        Vec::new(),
        SpecServer {
            page_size: 5,
            applies_filter: false,
            lies_about_filter: false,
            absolute_links: false,
        },
    );
    let client = RegistryClient::new().unwrap();
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    assert_eq!(
        client.referrers(&repo, SUBJECT, None).unwrap(),
        Some(Vec::new())
    );
    // NAME_UNKNOWN: the repository does not exist, an error (not "unsupported").
    let other = RepositoryRef::new(server.host(), "other").unwrap();
    let e = client.referrers(&other, SUBJECT, None).unwrap_err();
    assert_eq!(e.error_codes(), ["NAME_UNKNOWN"]);
    // A manifest push with a subject learns that the registry supports referrers.
    let m = serde_json::json!({"schemaVersion": 2, "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "subject": {"mediaType": MEDIA_TYPE_IMAGE_MANIFEST, "digest": SUBJECT, "size": 1}});
    let bytes = serde_json::to_vec(&m).unwrap();
    let pushed = client
        .push_manifest(&repo, "sig", MEDIA_TYPE_IMAGE_MANIFEST, &bytes)
        .unwrap();
    assert!(pushed.subject_processed());
    assert_eq!(pushed.oci_subject.as_deref(), Some(SUBJECT));
}

#[test]
fn bounds_on_pages_and_descriptors() {
    let server = spec_server(
        mixed(50),
        SpecServer {
            page_size: 5,
            applies_filter: false,
            lies_about_filter: false,
            absolute_links: false,
        },
    );
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    let client = RegistryClient::builder()
        .max_referrers_pages(4)
        .build()
        .unwrap();
    let e = client.referrers(&repo, SUBJECT, None).unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::ReferrersPages),
        "{e}"
    );
    assert_eq!(client.request_count(), 4);
    let client = RegistryClient::builder().max_referrers(12).build().unwrap();
    let e = client.referrers(&repo, SUBJECT, None).unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::Referrers),
        "{e}"
    );
    // Filtered-out descriptors do not count.
    let client = RegistryClient::builder().max_referrers(17).build().unwrap();
    assert_eq!(
        client
            .referrers(&repo, SUBJECT, Some(SBOM))
            .unwrap()
            .unwrap()
            .len(),
        17
    );
}

#[test]
fn not_an_index_on_first_page_means_unsupported() {
    let server = TestServer::start(|_req| Response::ok("text/html", "<html>hello</html>"));
    let client = RegistryClient::new().unwrap();
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    assert_eq!(client.referrers(&repo, SUBJECT, None).unwrap(), None);
    // A plain 404 (no referrers endpoint) is "unsupported" too.
    let server = TestServer::start(|_req| {
        Response::status(404)
            .header("Content-Type", "text/plain")
            .body("404 page not found")
    });
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    assert_eq!(client.referrers(&repo, SUBJECT, None).unwrap(), None);
    // A body whose mediaType is not an index is an error.
    let server = TestServer::start(|_req| {
        Response::ok(
            MEDIA_TYPE_IMAGE_INDEX,
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{MEDIA_TYPE_IMAGE_MANIFEST}","manifests":[]}}"#
            ),
        )
    });
    let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
    let e = client.referrers(&repo, SUBJECT, None).unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::UnexpectedContentType { .. },
                ..
            }
        ),
        "{e}"
    );
}

/// A Go registry that lists no referrers may write its nil slice as
/// `"manifests": null`, and may leave `schemaVersion` out: Go reads both
/// as an empty index, and so is it read here (it failed the listing).
#[test]
fn a_null_manifests_list_is_an_empty_listing() {
    for body in [
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":null}"#,
        r#"{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
    ] {
        let server = TestServer::start(move |_| {
            Response::status(200)
                .header("Content-Type", MEDIA_TYPE_IMAGE_INDEX)
                .body(body)
        });
        let client = RegistryClient::new().unwrap();
        let repo = RepositoryRef::new(server.host(), "test/app").unwrap();
        let got = client
            .referrers(&repo, SUBJECT, Some(ARTIFACT_TYPE_NOTATION))
            .unwrap()
            .unwrap();
        assert!(got.is_empty(), "{body}: {got:?}");
    }
}
