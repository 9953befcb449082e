//! The registry client and the remote signature workflows against a
//! registry that answers with fuzzed data: manifests by tag and digest,
//! referrers API pages (with `Link` pagination and `OCI-Filters-Applied`),
//! referrers tag-schema indexes, signature manifests and envelopes, error
//! bodies, `WWW-Authenticate` challenges, token responses, redirects and
//! upload locations. No network: the client runs over an in-memory
//! [`HttpTransport`] serving the input.
//!
//! The first byte selects the operation (low 3 bits: 0 verify, 1 inspect,
//! 2 list and raw referrers, 3 ping and credential check, 4 resolve and
//! fetch, 5 push a signature) and the credentials (bits 3-4: none, basic,
//! identity token, registry token). The rest is entries in the format of
//! `notation_fuzz::entries`:
//! - `sha256:<hex>`: content, served for `manifests/<digest>` and
//!   `blobs/<digest>` with its media type, length and digest;
//! - any other name: a route, `[METHOD ]<path>`, matched as a prefix of the
//!   request path after `/v2/<repo>/` (or of the whole path and query,
//!   `/v2/`; on another host, `//host/path?query`: a token realm). Its
//!   content is header lines (`Status: 401`, `WWW-Authenticate: ...`,
//!   `Link: ...`; `Anonymous: 1` serves it only to requests without
//!   credentials, as a challenge), an empty line, and the body. Several
//!   routes of one name answer in turn, the last one for good.
//!
//! The verify operation checks the first content entry (the subject) with
//! the verifier of `notation_fuzz::fixtures`.
#![no_main]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use libfuzzer_sys::fuzz_target;
use notation_core::envelope::EnvelopeFormat;
use notation_fuzz::entries::{self, Entry};
use notation_fuzz::fixtures::oci_verifier;
use notation_oci::oci::{ARTIFACT_TYPE_NOTATION, Descriptor};
use notation_oci::reference::Reference;
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::transport::{
    HttpHeaders, HttpRequest, HttpResponse, HttpTransport, Method, ResponseBody, TransportError,
    TransportErrorKind,
};
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::{self, VerifyOptions};
use notation_oci::{
    Credential, RegistryClient, RemoteRepository, RepositoryRef, SignatureRepository,
};

const REGISTRY: &str = "registry.fuzz";
const REPOSITORY: &str = "repo";
/// Requests answered per run: the client's own bounds stop loops far
/// earlier; this only keeps a broken bound from hanging the fuzzer.
const MAX_REQUESTS: usize = 2_000;

#[derive(Clone)]
struct Answer {
    status: u16,
    headers: HttpHeaders,
    body: Vec<u8>,
    /// Served only to requests without credentials (a challenge).
    anonymous_only: bool,
}

/// A route: (method or "", path prefix), and its answers in turn.
type Route = ((String, String), Vec<Answer>);

/// The in-memory registry.
struct FuzzRegistry {
    content: HashMap<String, Vec<u8>>,
    /// Routes by name: (method or "", path prefix) and their answers.
    routes: Mutex<Vec<Route>>,
    requests: Mutex<usize>,
}

fn media_type_of(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("mediaType")?.as_str().map(str::to_owned)
}

fn route(entry: &Entry) -> ((String, String), Answer) {
    let name = entry.name.trim_end_matches('\r');
    let (method, path) = match name.split_once(' ') {
        Some((m, p)) if m.bytes().all(|b| b.is_ascii_uppercase()) && !m.is_empty() => {
            (m.to_string(), p.to_string())
        }
        _ => (String::new(), name.to_string()),
    };
    let (head, body) = match entries::split_headers(&entry.content) {
        Some((h, b)) => (h, b.to_vec()),
        None => (Vec::new(), entry.content.clone()),
    };
    let mut status = 200;
    let mut anonymous_only = false;
    let mut headers = HttpHeaders::new();
    for (name, value) in head {
        if name.eq_ignore_ascii_case("status") {
            status = value.trim().parse().unwrap_or(500);
        } else if name.eq_ignore_ascii_case("anonymous") {
            anonymous_only = true;
        } else {
            headers.append(name, value);
        }
    }
    if headers.get("content-type").is_none()
        && let Some(mt) = media_type_of(&body)
    {
        headers.set("Content-Type", mt);
    }
    if headers.get("content-length").is_none() {
        headers.set("Content-Length", body.len().to_string());
    }
    (
        (method, path),
        Answer {
            status,
            headers,
            body,
            anonymous_only,
        },
    )
}

impl FuzzRegistry {
    fn new(entries: &[Entry]) -> Self {
        let mut content = HashMap::new();
        let mut routes: Vec<Route> = Vec::new();
        for e in entries {
            if entries::declared_digest(&e.name).is_some() {
                content.insert(e.name.clone(), e.content.clone());
                continue;
            }
            let (key, answer) = route(e);
            match routes.iter_mut().find(|(k, _)| *k == key) {
                Some((_, answers)) => answers.push(answer),
                None => routes.push((key, vec![answer])),
            }
        }
        Self {
            content,
            routes: Mutex::new(routes),
            requests: Mutex::new(0),
        }
    }

    fn answer(&self, request: &HttpRequest<'_>) -> Answer {
        let method = request.method();
        let url = request.url();
        let anonymous = request.headers().get("authorization").is_none();
        // Registry URLs: the path after /v2/<repo>/ (or the whole path);
        // other hosts (a token realm, blob storage): //host/path?query.
        let (authority, path) = match url
            .split_once("://")
            .map_or(url, |(_, r)| r)
            .split_once('/')
        {
            Some((a, p)) => (a, format!("/{p}")),
            None => (url, "/".to_string()),
        };
        let repo_prefix = format!("/v2/{REPOSITORY}/");
        let key = if authority == REGISTRY {
            path.strip_prefix(&repo_prefix).unwrap_or(&path).to_string()
        } else {
            format!("//{authority}{path}")
        };
        let key = key.as_str();
        {
            let mut routes = self.routes.lock().unwrap();
            let best = routes
                .iter_mut()
                .filter(|((m, p), answers)| {
                    (m.is_empty() || m == method.as_str())
                        && key.starts_with(p.as_str())
                        && (anonymous || !answers[0].anonymous_only)
                })
                .max_by_key(|((m, p), _)| (p.len(), !m.is_empty()));
            if let Some((_, answers)) = best {
                return if answers.len() > 1 {
                    answers.remove(0)
                } else {
                    answers[0].clone()
                };
            }
        }
        let digest = key
            .strip_prefix("manifests/")
            .or_else(|| key.strip_prefix("blobs/"))
            .map(|d| d.split('?').next().unwrap_or(d));
        if matches!(method, Method::Get | Method::Head)
            && let Some(body) = digest.and_then(|d| self.content.get(d))
        {
            let mut headers = HttpHeaders::new();
            headers.set(
                "Content-Type",
                media_type_of(body).unwrap_or_else(|| "application/octet-stream".into()),
            );
            headers.set("Content-Length", body.len().to_string());
            headers.set("Docker-Content-Digest", digest.unwrap_or_default());
            return Answer {
                status: 200,
                headers,
                body: body.clone(),
                anonymous_only: false,
            };
        }
        // A registry that accepts pushes and knows nothing else.
        let mut headers = HttpHeaders::new();
        let (status, body): (u16, &[u8]) = match method {
            Method::Get | Method::Head if key == "/v2/" => (200, b"{}"),
            Method::Post => {
                headers.set("Location", format!("{repo_prefix}blobs/uploads/fuzz"));
                (202, b"")
            }
            Method::Put => (201, b""),
            Method::Delete => (202, b""),
            _ => (
                404,
                br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            ),
        };
        headers.set("Content-Length", body.len().to_string());
        Answer {
            status,
            headers,
            body: body.to_vec(),
            anonymous_only: false,
        }
    }
}

impl HttpTransport for FuzzRegistry {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        {
            let mut n = self.requests.lock().unwrap();
            *n += 1;
            assert!(
                *n <= MAX_REQUESTS,
                "the client sent more than {MAX_REQUESTS} requests"
            );
        }
        let answer = self.answer(request);
        if answer.status == 0 {
            return Err(TransportError::new(TransportErrorKind::Connect, "refused"));
        }
        let body = if request.method() == Method::Head {
            Vec::new()
        } else {
            answer.body
        };
        Ok(HttpResponse::new(
            answer.status,
            answer.headers,
            ResponseBody::new(std::io::Cursor::new(body)),
        ))
    }
}

fn credential(kind: u8) -> Option<Credential> {
    match kind % 4 {
        0 => None,
        1 => Some(Credential::basic("fuzz", "secret")),
        2 => Some(Credential::identity_token("refresh")),
        _ => Some(Credential::registry_token("token")),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let mut entries = entries::parse(input);
    entries::fix_digests(&mut entries);
    let subject = entries
        .iter()
        .find(|e| entries::declared_digest(&e.name).is_some())
        .map(|e| e.name.clone());
    let transport = Arc::new(FuzzRegistry::new(&entries));
    let mut builder = RegistryClient::builder().transport(transport.clone());
    let cred = credential(selector >> 3);
    if let Some(c) = &cred {
        builder = builder.credentials(StaticCredentials::any_registry(c.clone()));
    }
    let client = builder.build().expect("client");
    let reference = Reference::parse(&format!("{REGISTRY}/{REPOSITORY}:v1")).expect("reference");
    let repo = RepositoryRef::from(&reference);
    let remote = RemoteRepository::new(client.clone(), &reference)
        .expect("repository")
        .force_referrers_tag(selector & 0x20 != 0);
    let target = subject.clone().unwrap_or_else(|| "v1".to_string());
    let scope = format!("{REGISTRY}/{REPOSITORY}");
    match selector & 7 {
        0 => {
            let options = VerifyOptions::new().max_signatures(4);
            if let Ok(v) = workflow::verify(&remote, &scope, &target, oci_verifier(), &options) {
                // Verified signatures are Notary signatures of the subject.
                let (signature, outcome) = v.verified.expect("not skipped");
                assert_eq!(
                    signature.artifact_type.as_deref(),
                    Some(ARTIFACT_TYPE_NOTATION)
                );
                let artifact = v.artifact.expect("artifact");
                if let Some(payload) = outcome.payload() {
                    assert_eq!(payload.target_artifact.digest, artifact.digest);
                }
            }
        }
        1 => {
            if let Ok((_, _, inspected)) = workflow::inspect(&remote, &target, 4) {
                for i in inspected {
                    let _ = i.content.map(|(m, c)| (m.envelope_format(), c.payload));
                }
            }
        }
        2 => {
            let _ = workflow::list(&remote, &target);
            if let Some(digest) = &subject {
                let _ = client.referrers(&repo, digest, None);
                let _ = client.referrers(&repo, digest, Some(ARTIFACT_TYPE_NOTATION));
            }
        }
        3 => {
            let _ = client.ping(REGISTRY);
            if let Some(c) = &cred {
                let _ = client.verify_credential(REGISTRY, c);
            }
        }
        4 => {
            let _ = client.resolve(&repo, "v1");
            let _ = client.fetch_manifest(&repo, "v1", 4 << 20);
            if let Some(digest) = &subject {
                if let Ok(d) = client.resolve(&repo, digest) {
                    assert_eq!(&d.digest, digest, "resolved by digest");
                }
                if let Ok(blob) = client.fetch_blob(&repo, digest, None, 1 << 20) {
                    assert_eq!(&notation_fuzz::sha256_digest(&blob), digest);
                }
            }
        }
        _ => {
            let artifact = match &subject {
                Some(d) => Descriptor::new("application/vnd.oci.image.manifest.v1+json", d, 481),
                None => return,
            };
            let format = if selector & 0x40 != 0 {
                SignatureManifestForm::ConfigMediaType
            } else {
                SignatureManifestForm::ArtifactType
            };
            let _ = remote.push_signature(
                &artifact,
                EnvelopeFormat::Jws.media_type(),
                b"{}",
                BTreeMap::new(),
                format,
            );
        }
    }
});
