//! Registries that lie or misbehave, served in-process (no real registry
//! misbehaves on demand): wrong digests, oversized or endless bodies,
//! endless or cross-host pagination, redirect loops, non-JSON error bodies,
//! stalls, authentication loops. Every case must end in a clear typed error
//! and never return wrong data.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use notation_oci::oci::{
    MAX_MANIFEST_SIZE, MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST, sha256_digest,
};
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::error::{
    AuthError, DigestOrigin, ErrorBodyKind, IntegrityError, LimitKind, ProtocolError,
};
use notation_oci::registry::{
    Credential, RegistryClient, RegistryClientOptions, RegistryError, RepositoryRef, Timeouts,
};
use support::http::{Request, Response, TestServer};

const MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
const OTHER: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

fn repo(server: &TestServer) -> RepositoryRef {
    RepositoryRef::new(server.host(), "test/app").unwrap()
}

fn integrity(e: &RegistryError) -> &IntegrityError {
    match e {
        RegistryError::Integrity(i) => i,
        other => panic!("expected an integrity error, got {other}"),
    }
}

fn manifest_response(body: &[u8], digest_header: Option<&str>) -> Response {
    let mut r = Response::ok(MEDIA_TYPE_IMAGE_MANIFEST, body.to_vec());
    if let Some(d) = digest_header {
        r = r.header("Docker-Content-Digest", d);
    }
    r
}

#[test]
fn wrong_digests_never_return_data() {
    let good = sha256_digest(MANIFEST);
    // By tag, the header names other content.
    let server = TestServer::start(|_| manifest_response(MANIFEST, Some(OTHER)));
    let client = RegistryClient::new().unwrap();
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(
            integrity(&e),
            IntegrityError::DigestMismatch {
                origin: DigestOrigin::Header,
                ..
            }
        ),
        "{e}"
    );
    // By digest, the body is other content.
    let e = client
        .fetch_manifest(&repo(&server), OTHER, MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(
            integrity(&e),
            IntegrityError::DigestMismatch {
                origin: DigestOrigin::Requested,
                ..
            }
        ),
        "{e}"
    );
    // By digest, the body is right but the header lies.
    let e = client
        .fetch_manifest(&repo(&server), &good, MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(
            integrity(&e),
            IntegrityError::DigestMismatch {
                origin: DigestOrigin::Header,
                ..
            }
        ),
        "{e}"
    );
    // A header that is not a digest.
    let server = TestServer::start(|_| manifest_response(MANIFEST, Some("sha256:NOT-HEX")));
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(integrity(&e), IntegrityError::InvalidDigestHeader { .. }),
        "{e}"
    );
    // resolve by digest: HEAD says another digest.
    let server = TestServer::start(|_| {
        manifest_response(b"", Some(OTHER)).content_length(MANIFEST.len() as u64)
    });
    let e = client.resolve(&repo(&server), &good).unwrap_err();
    assert!(
        matches!(integrity(&e), IntegrityError::DigestMismatch { .. }),
        "{e}"
    );
    // Blobs: other bytes than the digest.
    let server = TestServer::start(|_| Response::ok("application/octet-stream", "evil"));
    let e = client
        .fetch_blob(&repo(&server), &good, None, 1024)
        .unwrap_err();
    assert!(
        matches!(
            integrity(&e),
            IntegrityError::DigestMismatch {
                origin: DigestOrigin::Requested,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn resolve_without_digest_header_computes_it() {
    let server = TestServer::start(|req: &Request| {
        if req.method == "HEAD" {
            Response::status(200)
                .header("Content-Type", MEDIA_TYPE_IMAGE_MANIFEST)
                .content_length(MANIFEST.len() as u64)
        } else {
            manifest_response(MANIFEST, None)
        }
    });
    let client = RegistryClient::new().unwrap();
    let d = client.resolve(&repo(&server), "v1").unwrap();
    assert_eq!(d.digest, sha256_digest(MANIFEST));
    assert_eq!(d.size, MANIFEST.len() as u64);
    assert_eq!(client.request_count(), 2, "HEAD then GET");
    // By digest, the computed digest must match.
    let e = client.resolve(&repo(&server), OTHER).unwrap_err();
    assert!(
        matches!(integrity(&e), IntegrityError::DigestMismatch { .. }),
        "{e}"
    );
}

#[test]
fn oversized_and_endless_bodies_hit_limits() {
    let client = RegistryClient::new().unwrap();
    // Declared too large: refused before reading (the body never comes).
    let server = TestServer::start(|_| {
        manifest_response(b"{}", None)
            .content_length(5 * 1024 * 1024)
            .stall_after(2, Duration::from_secs(5))
    });
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    // The declared size in the error comes from the check before any body
    // byte is read; reading would have stalled, then found 2 of the 5 MiB
    // declared (a size mismatch, not this error). No clock needed.
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::Manifest && l.actual == Some(5 * 1024 * 1024)),
        "{e}"
    );
    // No length, 5 MiB: cut at the limit.
    let big = vec![b' '; 5 * 1024 * 1024];
    let server = TestServer::start(move |_| manifest_response(&big, None).without_length());
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.actual.is_none()),
        "{e}"
    );
    // Endless.
    let server = TestServer::start(|_| Response::ok("application/octet-stream", "").endless());
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(matches!(&e, RegistryError::LimitExceeded(_)), "{e}");
    let e = client
        .fetch_blob(&repo(&server), OTHER, None, 1024)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::Blob),
        "{e}"
    );
    // Blob longer than its descriptor says (no length): a size mismatch.
    let e = client
        .fetch_blob(&repo(&server), OTHER, Some(10), 1024)
        .unwrap_err();
    assert!(
        matches!(
            integrity(&e),
            IntegrityError::LongerThanExpected { expected: 10, .. }
        ),
        "{e}"
    );
    // Content-Length disagreeing with the descriptor.
    let server = TestServer::start(|_| Response::ok("application/octet-stream", "12345"));
    let e = client
        .fetch_blob(&repo(&server), OTHER, Some(4), 1024)
        .unwrap_err();
    assert!(
        matches!(
            integrity(&e),
            IntegrityError::SizeMismatch {
                expected: 4,
                actual: 5,
                ..
            }
        ),
        "{e}"
    );
    // A descriptor over the limit: refused without any request.
    let before = client.request_count();
    let e = client
        .fetch_blob(
            &repo(&server),
            OTHER,
            Some(33 * 1024 * 1024),
            32 * 1024 * 1024,
        )
        .unwrap_err();
    assert!(matches!(&e, RegistryError::LimitExceeded(_)), "{e}");
    assert_eq!(client.request_count(), before);
}

#[test]
fn endless_and_cross_host_pagination_ends_in_errors() {
    let page = |link: String| {
        Response::ok(MEDIA_TYPE_IMAGE_INDEX, r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#)
            .header("Link", link)
    };
    let client = RegistryClient::new().unwrap();
    // The same link forever.
    let server =
        TestServer::start(move |req: &Request| page(format!("<{}>; rel=\"next\"", req.target)));
    let e = client.referrers(&repo(&server), OTHER, None).unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::PaginationLoop(_),
                ..
            }
        ),
        "{e}"
    );
    // Links that keep growing: stopped at the page bound.
    let server = TestServer::start(move |req: &Request| {
        page(format!(
            "<{}&x=1>; rel=\"next\"",
            req.path().to_string() + "?" + req.target.split_once('?').map_or("", |x| x.1)
        ))
    });
    let bounded = RegistryClient::builder()
        .max_referrers_pages(20)
        .build()
        .unwrap();
    let e = bounded.referrers(&repo(&server), OTHER, None).unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::ReferrersPages),
        "{e}"
    );
    assert_eq!(server.request_count(), 20);
    // A link to another host.
    let server = TestServer::start(move |_| {
        page("<http://evil.example/v2/test/app/referrers/x>; rel=\"next\"".into())
    });
    let e = client.referrers(&repo(&server), OTHER, None).unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::CrossOriginLink(_),
                ..
            }
        ),
        "{e}"
    );
    // A malformed link.
    let server = TestServer::start(move |_| page("no brackets".into()));
    let e = client.referrers(&repo(&server), OTHER, None).unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::InvalidHeader { name: "Link", .. },
                ..
            }
        ),
        "{e}"
    );
    // A page over 4 MiB.
    let server = TestServer::start(|_| {
        Response::ok(MEDIA_TYPE_IMAGE_INDEX, "")
            .endless()
            .header("Content-Type", MEDIA_TYPE_IMAGE_INDEX)
    });
    let e = client.referrers(&repo(&server), OTHER, None).unwrap_err();
    assert!(
        matches!(&e, RegistryError::LimitExceeded(l) if l.what == LimitKind::ReferrersPage),
        "{e}"
    );
}

#[test]
fn redirects_are_bounded_and_credentials_stay_home() {
    let client = RegistryClient::new().unwrap();
    // A loop between two URLs.
    let server = TestServer::start(|req: &Request| {
        let next = if req.path().ends_with("/a") {
            "/b"
        } else {
            "/a"
        };
        Response::status(307).header("Location", format!("/v2/test/app/blobs/{OTHER}{next}"))
    });
    let e = client
        .fetch_blob(&repo(&server), OTHER, None, 1024)
        .unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::RedirectLoop(_),
                ..
            }
        ),
        "{e}"
    );
    // Ever new URLs.
    let counter = Arc::new(AtomicUsize::new(0));
    let c = counter.clone();
    let server = TestServer::start(move |_| {
        Response::status(302).header(
            "Location",
            format!("/hop/{}", c.fetch_add(1, Ordering::SeqCst)),
        )
    });
    let e = client
        .fetch_blob(&repo(&server), OTHER, None, 1024)
        .unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::TooManyRedirects(10),
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(server.request_count(), 11);

    // Blob storage on another host: followed, without the Authorization.
    let blob = b"stored elsewhere".to_vec();
    let digest = sha256_digest(&blob);
    let storage_blob = blob.clone();
    let storage =
        TestServer::start(move |_| Response::ok("application/octet-stream", storage_blob.clone()));
    let storage_url = storage.url();
    let registry = TestServer::start(move |req: &Request| {
        if req.header("authorization") != Some("Basic dTpw") {
            return Response::status(401).header("WWW-Authenticate", "Basic realm=\"test\"");
        }
        Response::status(307).header("Location", format!("{storage_url}/bucket/blob?sig=abc"))
    });
    let client = RegistryClientOptions::new()
        .credentials(StaticCredentials::any_registry(Credential::basic("u", "p")))
        .build()
        .unwrap();
    assert_eq!(
        client
            .fetch_blob(&repo(&registry), &digest, Some(blob.len() as u64), 1024)
            .unwrap(),
        blob
    );
    assert!(
        storage
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
    assert_eq!(storage.requests()[0].target, "/bucket/blob?sig=abc");
    assert_eq!(
        registry.requests().last().unwrap().header("authorization"),
        Some("Basic dTpw")
    );
    // Wrong bytes from storage: an error that does not show the signed query.
    let e = client
        .fetch_blob(&repo(&registry), OTHER, None, 1024)
        .unwrap_err();
    assert!(
        matches!(integrity(&e), IntegrityError::DigestMismatch { .. }),
        "{e}"
    );
    assert!(!format!("{e} {e:?}").contains("sig=abc"), "{e:?}");
    assert!(e.to_string().contains("/bucket/blob"), "{e}");
}

#[test]
fn an_expired_token_is_replaced_once() {
    // The issuer hands out t1, t2, ...; the registry accepts t1 for one
    // request, then only t2 (t1 "expired").
    let issued = Arc::new(AtomicUsize::new(0));
    let i = issued.clone();
    let issuer = TestServer::start(move |_| {
        let n = i.fetch_add(1, Ordering::SeqCst) + 1;
        Response::ok("application/json", format!(r#"{{"token":"t{n}"}}"#))
    });
    let realm = format!("{}/token", issuer.url());
    let served = Arc::new(AtomicUsize::new(0));
    let server = TestServer::start(move |req: &Request| {
        let ok = match req.header("authorization") {
            Some("Bearer t1") => served.fetch_add(1, Ordering::SeqCst) == 0,
            Some("Bearer t2") => true,
            _ => false,
        };
        if ok {
            manifest_response(MANIFEST, None)
        } else {
            Response::status(401).header(
                "WWW-Authenticate",
                format!(
                    "Bearer realm=\"{realm}\",service=\"s\",scope=\"repository:test/app:pull\""
                ),
            )
        }
    });
    let client = RegistryClient::new().unwrap();
    for _ in 0..3 {
        client
            .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
            .unwrap();
    }
    // anonymous 401, t1 ok; t1 401, t2 ok; t2 ok.
    assert_eq!(issuer.request_count(), 2);
    assert_eq!(server.request_count(), 5);
    assert_eq!(client.request_count(), 7);
}

#[test]
fn error_bodies_of_any_shape_keep_status_and_codes() {
    let client = RegistryClient::new().unwrap();
    for (status, ct, body, kind) in [
        (
            500,
            "text/html",
            "<html><body>Internal error</body></html>",
            ErrorBodyKind::Other,
        ),
        (
            502,
            "application/json",
            r#"{"message":"not the OCI shape"}"#,
            ErrorBodyKind::Other,
        ),
        (503, "application/json", "", ErrorBodyKind::Empty),
        (
            403,
            "application/json",
            r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
            ErrorBodyKind::OciErrors,
        ),
    ] {
        let server = TestServer::start(move |_| {
            Response::status(status)
                .header("Content-Type", ct)
                .body(body)
        });
        let e = client
            .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
            .unwrap_err();
        assert_eq!(e.status(), Some(status), "{e}");
        match &e {
            RegistryError::Status(s) => assert_eq!(s.body, kind),
            other => panic!("{other}"),
        }
        if status == 403 {
            assert_eq!(e.error_codes(), ["DENIED"]);
            assert!(
                e.to_string().ends_with(
                    ": response status code 403: denied: requested access to the resource is denied"
                ),
                "{e}"
            );
        } else {
            // No OCI error body: the status's own text, as oras-go says.
            let reason = match status {
                500 => "Internal Server Error",
                502 => "Bad Gateway",
                _ => "Service Unavailable",
            };
            assert!(
                e.to_string()
                    .ends_with(&format!(": response status code {status}: {reason}")),
                "{e}"
            );
        }
    }
    // An endless error body is read only up to its bound.
    let server = TestServer::start(|_| Response::status(500).endless());
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    // Deleting where the registry does not allow it.
    let server = TestServer::start(|_| {
        Response::status(405)
            .header("Content-Type", "application/json")
            .body(
                r#"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#,
            )
    });
    let e = client.delete_manifest(&repo(&server), OTHER).unwrap_err();
    assert!(
        matches!(&e, RegistryError::Unsupported { status: 405, .. }),
        "{e}"
    );
}

#[test]
fn slow_and_stalled_responses_time_out() {
    let client = RegistryClientOptions::new()
        .timeouts(
            Timeouts::default()
                .response(Duration::from_millis(300))
                .read(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let server =
        TestServer::start(|_| manifest_response(MANIFEST, None).delay(Duration::from_secs(3)));
    // The server does answer, after 3 s: only the client's 300 ms response
    // timeout can turn that into a timeout error (no wall-clock bound that
    // a loaded machine could trip).
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    // The body completes after a 3 s stall: only the read timeout fails it.
    let server = TestServer::start(|_| {
        manifest_response(MANIFEST, None).stall_after(10, Duration::from_secs(3))
    });
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
}

#[test]
fn authentication_never_loops_and_protects_credentials() {
    // A registry that rejects every token: one token request, then an error.
    let issuer = TestServer::start(|_| Response::ok("application/json", r#"{"token":"t1"}"#));
    let realm = format!("{}/token", issuer.url());
    let server = TestServer::start(move |_| {
        Response::status(401)
            .header(
                "WWW-Authenticate",
                format!(
                    "Bearer realm=\"{realm}\",service=\"s\",scope=\"repository:test/app:pull\""
                ),
            )
            .header("Content-Type", "application/json")
            .body(r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
    });
    let client = RegistryClientOptions::new()
        .credentials(StaticCredentials::any_registry(Credential::basic(
            "u",
            "secret-password",
        )))
        .build()
        .unwrap();
    let e = client
        .fetch_manifest(&repo(&server), "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::Unauthorized { credentials_sent: true, .. })),
        "{e}"
    );
    assert_eq!(e.error_codes(), ["UNAUTHORIZED"], "{e:?}");
    assert_eq!(issuer.request_count(), 1);
    assert_eq!(server.request_count(), 2);
    assert!(!format!("{e:?}").contains("secret-password") && !format!("{e:?}").contains("t1"));

    // A realm on a plain-HTTP non-loopback host: credentials are not sent.
    let server = TestServer::start(|_| {
        Response::status(401).header(
            "WWW-Authenticate",
            "Bearer realm=\"http://auth.example/token\",service=\"s\"",
        )
    });
    let e = client.resolve(&repo(&server), "v1").unwrap_err();
    assert!(
        matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::InsecureCredentialTransport { .. })),
        "{e}"
    );
    assert_eq!(client.request_count(), 3 + 1);
    // Unless that host is an insecure registry's, on whatever port (a
    // registry on gitlab.lan:5050 with its token service on
    // http://gitlab.lan): then the token request is made (and fails here,
    // the host does not exist); another host's port does not count.
    for (insecure, sent) in [("auth.example:5050", true), ("other.example:5050", false)] {
        let client = RegistryClientOptions::new()
            .credentials(StaticCredentials::any_registry(Credential::basic(
                "u",
                "secret-password",
            )))
            .insecure_registry(insecure)
            .build()
            .unwrap();
        let e = client.resolve(&repo(&server), "v1").unwrap_err();
        let refused = matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::InsecureCredentialTransport { .. }));
        assert_eq!(refused, !sent, "{insecure}: {e}");
    }

    // A token endpoint that answers garbage or refuses: oras-go's words,
    // the challenged request, then the token request (its query as Go
    // encodes it).
    for (status, body, tail) in [
        (200, "not json", "failed to decode response: "),
        (200, r#"{"token":""}"#, "empty token returned"),
        (
            401,
            r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
            "response status code 401: unauthorized",
        ),
    ] {
        let issuer = TestServer::start(move |_| {
            Response::status(status)
                .header("Content-Type", "application/json")
                .body(body)
        });
        let realm = format!("{}/token", issuer.url());
        let server = TestServer::start(move |_| {
            Response::status(401).header("WWW-Authenticate", format!("Bearer realm=\"{realm}\""))
        });
        let e = client.resolve(&repo(&server), "v1").unwrap_err();
        assert!(
            matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::TokenResponse { .. } | AuthError::TokenRequest { .. })),
            "{e}"
        );
        let text = e.to_string();
        let prefix = format!(
            "HEAD \"{}/v2/test/app/manifests/v1\": GET \"{}/token?scope=repository%3Atest%2Fapp%3Apull\": {tail}",
            server.url(),
            issuer.url()
        );
        assert!(text.starts_with(&prefix), "{text}\n{prefix}");
        if status == 401 {
            assert_eq!(text, prefix);
        }
    }
    // A challenge without a realm; an unknown scheme.
    let server = TestServer::start(|_| {
        Response::status(401).header("WWW-Authenticate", "Bearer service=\"x\"")
    });
    let e = client.resolve(&repo(&server), "v1").unwrap_err();
    assert!(
        matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::InvalidChallenge { .. })),
        "{e}"
    );
    let server =
        TestServer::start(|_| Response::status(401).header("WWW-Authenticate", "Negotiate"));
    let e = client.resolve(&repo(&server), "v1").unwrap_err();
    assert!(
        matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::Unauthorized { .. })),
        "{e}"
    );
}

#[test]
fn uploads_follow_relative_and_foreign_locations() {
    let blob = b"upload me".to_vec();
    let digest = sha256_digest(&blob);
    // Relative Location with a query: the digest is appended.
    let server = TestServer::start(|req: &Request| match req.method.as_str() {
        "POST" => {
            Response::status(202).header("Location", "/v2/test/app/blobs/uploads/u1?_state=s")
        }
        "PUT" => Response::status(201),
        _ => Response::status(404),
    });
    let client = RegistryClientOptions::new()
        .credentials(StaticCredentials::any_registry(Credential::basic("u", "p")))
        .build()
        .unwrap();
    client.push_blob(&repo(&server), &digest, &blob).unwrap();
    let put = &server.requests()[1];
    assert_eq!(
        put.target,
        format!(
            "/v2/test/app/blobs/uploads/u1?_state=s&digest={}",
            digest.replace(':', "%3A")
        )
    );
    assert_eq!(put.body, blob);
    assert_eq!(put.header("content-type"), Some("application/octet-stream"));

    // An absolute Location on another host gets no credentials.
    let storage = TestServer::start(|_| Response::status(201));
    let storage_url = storage.url();
    let server = TestServer::start(move |req: &Request| {
        if req.header("authorization") != Some("Basic dTpw") {
            return Response::status(401).header("WWW-Authenticate", "Basic realm=\"r\"");
        }
        Response::status(202).header("Location", format!("{storage_url}/upload/1"))
    });
    client.push_blob(&repo(&server), &digest, &blob).unwrap();
    assert_eq!(storage.requests()[0].header("authorization"), None);
    // A digest that is not the data's is refused before any request.
    let before = client.request_count();
    let e = client.push_blob(&repo(&server), OTHER, &blob).unwrap_err();
    assert!(matches!(e, RegistryError::InvalidArgument { .. }), "{e}");
    assert_eq!(client.request_count(), before);
    // A POST without Location.
    let server = TestServer::start(|_| Response::status(202));
    let e = RegistryClient::new()
        .unwrap()
        .push_blob(&repo(&server), &digest, &blob)
        .unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Protocol {
                error: ProtocolError::MissingHeader("Location"),
                ..
            }
        ),
        "{e}"
    );
}
