//! An in-memory registry following the OCI distribution spec v1.1 for the
//! parts Notation uses, including the referrers API that no installable
//! registry provides here: manifests by tag and digest (HEAD, GET, PUT,
//! DELETE; an image manifest whose config or layers are not stored is
//! refused with `MANIFEST_BLOB_UNKNOWN`), blobs (HEAD, GET; uploads by a
//! single `POST ?digest=` with the bytes, by `POST` + `PUT`, by `POST`,
//! `PATCH` chunks (`Content-Range` checked) and `PUT`, by
//! `POST ?mount=&from=`, which answers `201` for a stored blob and opens a
//! session otherwise; `DELETE` cancels a session), and
//! `GET /v2/<name>/referrers/<digest>` computed from the stored manifests'
//! `subject` (in the order they were pushed), with `OCI-Subject` answered
//! on manifest pushes.
//!
//! A `tamper` hook lets a test make it lie about a stored manifest; a
//! `fault` hook ([`OciRegistry::set_fault`]) answers chosen requests in its
//! place (a registry that fails in the middle of a copy, or lies about a
//! blob).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::http::{Request, Response, TestServer};

/// Rewrites what a manifest GET returns: `(digest, bytes) -> bytes`.
pub type Tamper = dyn Fn(&str, Vec<u8>) -> Vec<u8> + Send + Sync;

/// Answers a request in the registry's place (`None`: the registry
/// answers).
pub type Fault = dyn Fn(&Request) -> Option<Response> + Send + Sync;

#[derive(Default)]
struct State {
    /// repo -> digest -> (media type, bytes)
    manifests: HashMap<String, HashMap<String, (String, Vec<u8>)>>,
    /// repo -> tag -> digest
    tags: HashMap<String, HashMap<String, String>>,
    /// digest -> bytes (blobs are shared across repositories here)
    blobs: HashMap<String, Vec<u8>>,
    uploads: usize,
    /// upload id -> bytes received so far
    sessions: HashMap<String, Vec<u8>>,
    /// digest -> when it was first stored: referrers are listed in the
    /// order they were pushed (the spec leaves the order open; a fixed one
    /// keeps tests deterministic).
    pushed: HashMap<String, usize>,
}

/// A running in-memory registry.
pub struct OciRegistry {
    server: TestServer,
    state: Arc<Mutex<State>>,
    fault: Arc<Mutex<Option<Arc<Fault>>>>,
}

fn digest(data: &[u8]) -> String {
    notation_oci::oci::sha256_digest(data)
}

impl OciRegistry {
    /// Starts the registry; `tamper(digest, bytes)` may rewrite what a
    /// manifest GET returns.
    pub fn start_with(tamper: Option<Arc<Tamper>>) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let fault: Arc<Mutex<Option<Arc<Fault>>>> = Arc::new(Mutex::new(None));
        let (s, f) = (state.clone(), fault.clone());
        let server = TestServer::start(move |req: &Request| {
            let hook = f.lock().unwrap().clone();
            if let Some(r) = hook.and_then(|h| h(req)) {
                return r;
            }
            handle(&s, req, tamper.as_deref())
        });
        Self {
            server,
            state,
            fault,
        }
    }

    /// Answers the requests `fault` chooses in the registry's place, from
    /// now on (`None` heals it).
    pub fn set_fault(&self, fault: Option<Arc<Fault>>) {
        *self.fault.lock().unwrap() = fault;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// The blob stored under `digest`, if any.
    pub fn blob(&self, digest: &str) -> Option<Vec<u8>> {
        self.state.lock().unwrap().blobs.get(digest).cloned()
    }

    /// The manifest stored under `digest` in `repo`, if any.
    pub fn manifest(&self, repo: &str, digest: &str) -> Option<Vec<u8>> {
        self.state
            .lock()
            .unwrap()
            .manifests
            .get(repo)
            .and_then(|m| m.get(digest))
            .map(|(_, b)| b.clone())
    }

    /// Upload sessions open (started, neither completed nor cancelled).
    pub fn open_sessions(&self) -> usize {
        self.state.lock().unwrap().sessions.len()
    }

    /// Starts an honest registry.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// `127.0.0.1:<port>`.
    pub fn host(&self) -> String {
        self.server.host()
    }

    /// Requests received so far.
    pub fn request_count(&self) -> usize {
        self.server.request_count()
    }

    /// Stores a manifest under a tag directly (test setup).
    pub fn put_manifest(&self, repo: &str, tag: &str, media_type: &str, bytes: &[u8]) -> String {
        let d = digest(bytes);
        let mut st = self.state.lock().unwrap();
        st.manifests
            .entry(repo.into())
            .or_default()
            .insert(d.clone(), (media_type.into(), bytes.to_vec()));
        st.tags
            .entry(repo.into())
            .or_default()
            .insert(tag.into(), d.clone());
        d
    }

    /// Stores a blob directly (test setup).
    pub fn put_blob(&self, bytes: &[u8]) -> String {
        let d = digest(bytes);
        self.state
            .lock()
            .unwrap()
            .blobs
            .insert(d.clone(), bytes.to_vec());
        d
    }

    /// Whether a tag exists.
    pub fn has_tag(&self, repo: &str, tag: &str) -> bool {
        self.state
            .lock()
            .unwrap()
            .tags
            .get(repo)
            .is_some_and(|t| t.contains_key(tag))
    }
}

fn handle(state: &Mutex<State>, req: &Request, tamper: Option<&Tamper>) -> Response {
    let path = req.path().to_string();
    let Some(rest) = path.strip_prefix("/v2/") else {
        return Response::status(404);
    };
    if rest.is_empty() {
        return Response::status(200);
    }
    let mut st = state.lock().unwrap();
    if let Some((repo, reference)) = split(rest, "/manifests/") {
        let resolved = if reference.contains(':') {
            Some(reference.to_string())
        } else {
            st.tags.get(repo).and_then(|t| t.get(reference)).cloned()
        };
        return match req.method.as_str() {
            "HEAD" | "GET" => {
                let Some(found) = resolved.and_then(|d| {
                    st.manifests
                        .get(repo)
                        .and_then(|m| m.get(&d))
                        .cloned()
                        .map(|m| (d, m))
                }) else {
                    return not_found("MANIFEST_UNKNOWN");
                };
                let (d, (media_type, mut bytes)) = found;
                if let Some(t) = tamper {
                    bytes = t(&d, bytes);
                }
                let r = Response::status(200)
                    .header("Content-Type", media_type)
                    .header("Docker-Content-Digest", d);
                if req.method == "HEAD" {
                    r.content_length(bytes.len() as u64)
                } else {
                    r.body(bytes)
                }
            }
            "PUT" => {
                let d = digest(&req.body);
                if reference.contains(':') && reference != d {
                    return Response::status(400);
                }
                let media_type = req.header("Content-Type").unwrap_or_default().to_string();
                let parsed = serde_json::from_slice::<serde_json::Value>(&req.body).ok();
                let subject = parsed.as_ref().and_then(|v| {
                    v.get("subject")
                        .and_then(|s| s["digest"].as_str().map(str::to_owned))
                });
                if media_type == "application/vnd.oci.image.manifest.v1+json" {
                    let referenced = parsed.iter().flat_map(|v| {
                        v.get("config")
                            .into_iter()
                            .chain(v["layers"].as_array().into_iter().flatten())
                            .filter_map(|d| d["digest"].as_str())
                    });
                    let mut referenced = referenced;
                    if referenced.any(|d| !st.blobs.contains_key(d)) {
                        return Response::status(400)
                            .header("Content-Type", "application/json")
                            .body(r#"{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#);
                    }
                }
                st.manifests
                    .entry(repo.into())
                    .or_default()
                    .insert(d.clone(), (media_type, req.body.clone()));
                let next = st.pushed.len();
                st.pushed.entry(d.clone()).or_insert(next);
                if !reference.contains(':') {
                    st.tags
                        .entry(repo.into())
                        .or_default()
                        .insert(reference.into(), d.clone());
                }
                let mut r = Response::status(201).header("Docker-Content-Digest", d);
                if let Some(s) = subject {
                    r = r.header("OCI-Subject", s);
                }
                r
            }
            "DELETE" => {
                let removed = st
                    .manifests
                    .get_mut(repo)
                    .and_then(|m| m.remove(reference))
                    .is_some();
                if removed {
                    Response::status(202)
                } else {
                    not_found("MANIFEST_UNKNOWN")
                }
            }
            _ => Response::status(405),
        };
    }
    if let Some((repo, subject)) = split(rest, "/referrers/") {
        let artifact_type = req.query("artifactType").map(decode);
        let mut listed: Vec<(&String, &(String, Vec<u8>))> =
            st.manifests.get(repo).into_iter().flatten().collect();
        listed.sort_by_key(|(d, _)| st.pushed.get(*d).copied().unwrap_or(usize::MAX));
        let manifests: Vec<serde_json::Value> = listed
            .into_iter()
            .filter_map(|(d, (mt, bytes))| {
                let m: serde_json::Value = serde_json::from_slice(bytes).ok()?;
                if m["subject"]["digest"].as_str() != Some(subject) {
                    return None;
                }
                let at = m["artifactType"].as_str().or(m["config"]["mediaType"].as_str())?.to_string();
                if artifact_type.as_deref().is_some_and(|t| t != at) {
                    return None;
                }
                let mut desc = serde_json::json!({"mediaType": mt, "digest": d, "size": bytes.len(), "artifactType": at});
                if let Some(a) = m.get("annotations") {
                    desc["annotations"] = a.clone();
                }
                Some(desc)
            })
            .collect();
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": manifests,
        });
        let mut r = Response::ok(
            "application/vnd.oci.image.index.v1+json",
            serde_json::to_vec(&index).unwrap(),
        );
        if artifact_type.is_some() {
            r = r.header("OCI-Filters-Applied", "artifactType");
        }
        return r;
    }
    if let Some((repo, d)) = split(rest, "/blobs/") {
        if (d == "uploads/" || d.is_empty()) && req.method == "POST" {
            // A single POST with the bytes.
            if let Some(want) = req.query("digest").map(decode) {
                if digest(&req.body) != want {
                    return Response::status(400);
                }
                st.blobs.insert(want.clone(), req.body.clone());
                return Response::status(201).header("Docker-Content-Digest", want);
            }
            // A mount (blobs are shared across repositories here).
            if let Some(want) = req.query("mount").map(decode)
                && st.blobs.contains_key(&want)
            {
                return Response::status(201).header("Docker-Content-Digest", want);
            }
            st.uploads += 1;
            let id = st.uploads.to_string();
            st.sessions.insert(id.clone(), Vec::new());
            return Response::status(202)
                .header("Location", format!("/v2/{repo}/blobs/uploads/{id}"));
        }
        if let Some(id) = d.strip_prefix("uploads/") {
            let location = format!("/v2/{repo}/blobs/uploads/{id}");
            let Some(received) = st.sessions.get_mut(id) else {
                return not_found("BLOB_UPLOAD_UNKNOWN");
            };
            match req.method.as_str() {
                "PATCH" => {
                    if let Some(range) = req.header("Content-Range") {
                        let start = range
                            .split('-')
                            .next()
                            .and_then(|s| s.parse::<usize>().ok());
                        if start != Some(received.len()) {
                            return Response::status(416);
                        }
                    }
                    received.extend_from_slice(&req.body);
                    let end = received.len().saturating_sub(1);
                    return Response::status(202)
                        .header("Location", location)
                        .header("Range", format!("0-{end}"));
                }
                "DELETE" => {
                    st.sessions.remove(id);
                    return Response::status(204);
                }
                "PUT" => {}
                _ => return Response::status(405),
            }
            let Some(want) = req.query("digest").map(decode) else {
                return Response::status(400);
            };
            let mut data = st.sessions.remove(id).unwrap_or_default();
            data.extend_from_slice(&req.body);
            if digest(&data) != want {
                return Response::status(400)
                    .header("Content-Type", "application/json")
                    .body(r#"{"errors":[{"code":"DIGEST_INVALID","message":"digest does not match"}]}"#);
            }
            st.blobs.insert(want.clone(), data);
            return Response::status(201).header("Docker-Content-Digest", want);
        }
        return match (req.method.as_str(), st.blobs.get(d)) {
            ("HEAD", Some(b)) => Response::status(200)
                .content_length(b.len() as u64)
                .header("Docker-Content-Digest", d),
            ("GET", Some(b)) => Response::ok("application/octet-stream", b.clone())
                .header("Docker-Content-Digest", d),
            _ => not_found("BLOB_UNKNOWN"),
        };
    }
    Response::status(404)
}

fn split<'a>(rest: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let i = rest.find(sep)?;
    Some((&rest[..i], &rest[i + sep.len()..]))
}

fn not_found(code: &str) -> Response {
    Response::status(404)
        .header("Content-Type", "application/json")
        .body(format!(
            r#"{{"errors":[{{"code":"{code}","message":"not found"}}]}}"#
        ))
}

fn decode(s: &str) -> String {
    super::token::percent_decode(s)
}
