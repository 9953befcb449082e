//! Blob uploads in as few requests as each registry allows, against
//! in-process registries that implement the three answers the OCI
//! distribution spec allows to a single `POST ?digest=` with the bytes:
//! `201` (taken), `202` with an upload session and the bytes ignored (what
//! CNCF distribution 2.8.2 does; the real one is exercised by
//! remote_workflows.rs), or an error status. The client must complete the
//! upload every time, and remember per registry that the single `POST` is
//! not taken so that it never sends the bytes twice again. `ensure_blob`
//! lets the push answer whether the blob exists (a mount from the
//! repository itself where single `POST` is not taken).

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use notation_oci::oci::sha256_digest;
use notation_oci::registry::{RegistryClient, RepositoryRef};
use support::http::{Request, Response, TestServer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SinglePost {
    /// `201`: the blob is stored from the `POST`.
    Taken,
    /// `202` with a session; the bytes are ignored (distribution 2.8.2).
    Session,
    /// `405` to a `POST` with `digest`.
    Refused,
}

/// The blobs a test registry stores, by digest.
type Blobs = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// An upload endpoint with `mode`, and mounts (`201` for a stored blob,
/// a session otherwise). Returns the server and its stored blobs.
fn registry(mode: SinglePost) -> (TestServer, Blobs) {
    let blobs: Blobs = Arc::default();
    let stored = blobs.clone();
    let server = TestServer::start(move |req: &Request| {
        let mut blobs = stored.lock().unwrap();
        let decode = |s: &str| s.replace("%3A", ":").replace("%3a", ":");
        match (req.method.as_str(), req.path()) {
            ("POST", "/v2/app/blobs/uploads/") => {
                if let Some(digest) = req.query("mount").map(decode) {
                    if req.query("from") == Some("app") && blobs.contains_key(&digest) {
                        return Response::status(201).header("Docker-Content-Digest", digest);
                    }
                    return Response::status(202).header("Location", "/v2/app/blobs/uploads/s1");
                }
                match (req.query("digest").map(decode), mode) {
                    (Some(digest), SinglePost::Taken) => {
                        if sha256_digest(&req.body) != digest {
                            return Response::status(400);
                        }
                        blobs.insert(digest.clone(), req.body.clone());
                        Response::status(201).header("Docker-Content-Digest", digest)
                    }
                    (Some(_), SinglePost::Refused) => Response::status(405),
                    _ => Response::status(202).header("Location", "/v2/app/blobs/uploads/s1"),
                }
            }
            ("PUT", "/v2/app/blobs/uploads/s1") => {
                let Some(digest) = req.query("digest").map(decode) else {
                    return Response::status(400);
                };
                if sha256_digest(&req.body) != digest {
                    return Response::status(400);
                }
                blobs.insert(digest.clone(), req.body.clone());
                Response::status(201).header("Docker-Content-Digest", digest)
            }
            _ => Response::status(404),
        }
    });
    (server, blobs)
}

fn repo(server: &TestServer) -> RepositoryRef {
    RepositoryRef::new(server.host(), "app").unwrap()
}

/// (method, has a `digest` query, body length) of each request.
fn requests(server: &TestServer) -> Vec<(String, bool, usize)> {
    server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.query("digest").is_some(), r.body.len()))
        .collect()
}

fn req(method: &str, digest: bool, body: usize) -> (String, bool, usize) {
    (method.to_string(), digest, body)
}

#[test]
fn a_registry_taking_single_post_gets_one_request_per_blob() {
    let (server, blobs) = registry(SinglePost::Taken);
    let client = RegistryClient::new().unwrap();
    for data in [&b"one"[..], b"two"] {
        client
            .push_blob(&repo(&server), &sha256_digest(data), data)
            .unwrap();
    }
    assert_eq!(
        requests(&server),
        [req("POST", true, 3), req("POST", true, 3)]
    );
    assert_eq!(blobs.lock().unwrap().len(), 2);
}

#[test]
fn a_session_answer_gets_the_bytes_by_put_and_is_remembered() {
    let (server, blobs) = registry(SinglePost::Session);
    let client = RegistryClient::new().unwrap();
    for data in [&b"one"[..], b"two"] {
        client
            .push_blob(&repo(&server), &sha256_digest(data), data)
            .unwrap();
    }
    // The first POST carried the bytes (ignored); the PUT sends them again.
    // The second push knows: a POST without bytes, then the PUT.
    assert_eq!(
        requests(&server),
        [
            req("POST", true, 3),
            req("PUT", true, 3),
            req("POST", false, 0),
            req("PUT", true, 3),
        ]
    );
    assert_eq!(blobs.lock().unwrap()[&sha256_digest(b"one")], b"one");
    // Another client learns for itself.
    let other = RegistryClient::new().unwrap();
    other
        .push_blob(&repo(&server), &sha256_digest(b"3"), b"3")
        .unwrap();
    assert_eq!(requests(&server)[4], req("POST", true, 1));
}

#[test]
fn a_refused_single_post_falls_back_to_post_and_put_and_is_remembered() {
    let (server, blobs) = registry(SinglePost::Refused);
    let client = RegistryClient::new().unwrap();
    for data in [&b"one"[..], b"two"] {
        client
            .push_blob(&repo(&server), &sha256_digest(data), data)
            .unwrap();
    }
    assert_eq!(
        requests(&server),
        [
            req("POST", true, 3),
            req("POST", false, 0),
            req("PUT", true, 3),
            req("POST", false, 0),
            req("PUT", true, 3),
        ]
    );
    assert_eq!(blobs.lock().unwrap().len(), 2);
}

#[test]
fn ensure_blob_lets_the_push_answer_whether_the_blob_exists() {
    for mode in [SinglePost::Taken, SinglePost::Session, SinglePost::Refused] {
        let (server, blobs) = registry(mode);
        let client = RegistryClient::new().unwrap();
        let repo = repo(&server);
        // Learn the registry's answer to a single POST.
        client
            .push_blob(&repo, &sha256_digest(b"first"), b"first")
            .unwrap();
        let present = b"{}";
        blobs
            .lock()
            .unwrap()
            .insert(sha256_digest(present), present.to_vec());
        let before = server.request_count();
        client
            .ensure_blob(&repo, &sha256_digest(present), present)
            .unwrap();
        let absent = b"absent";
        client
            .ensure_blob(&repo, &sha256_digest(absent), absent)
            .unwrap();
        let sent: Vec<_> = requests(&server)[before..].to_vec();
        if mode == SinglePost::Taken {
            // The single POST is the push, present or not.
            assert_eq!(
                sent,
                [req("POST", true, 2), req("POST", true, 6)],
                "{mode:?}"
            );
        } else {
            // A mount from the repository itself: 201 when present, a
            // session that a PUT completes when absent.
            assert_eq!(
                sent,
                [
                    req("POST", false, 0),
                    req("POST", false, 0),
                    req("PUT", true, 6)
                ],
                "{mode:?}"
            );
            assert!(server.requests()[before].target.contains("from=app"));
        }
        assert_eq!(blobs.lock().unwrap()[&sha256_digest(absent)], absent);
        // Known to this client now: nothing is sent.
        let before = server.request_count();
        client
            .ensure_blob(&repo, &sha256_digest(absent), absent)
            .unwrap();
        assert_eq!(server.request_count(), before, "{mode:?}");
    }
}

#[test]
fn a_wrong_digest_is_refused_before_any_request() {
    let (server, _) = registry(SinglePost::Taken);
    let client = RegistryClient::new().unwrap();
    assert!(
        client
            .push_blob(&repo(&server), &sha256_digest(b"x"), b"y")
            .is_err()
    );
    assert!(
        client
            .ensure_blob(&repo(&server), &sha256_digest(b"x"), b"y")
            .is_err()
    );
    assert_eq!(server.request_count(), 0);
}
