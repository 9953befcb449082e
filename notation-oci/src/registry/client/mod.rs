//! The registry client: the OCI distribution API operations Notation needs,
//! over an [`HttpTransport`], with authentication, redirects, limits and
//! digest checks decided here whatever the transport.
//!
//! # Requests per operation
//! Counted by [`RegistryClient::request_count`] (every HTTP exchange,
//! token requests and redirects included). With a warm authentication
//! cache (a token covering the scope, or Basic already chosen for the
//! registry) each operation sends only its own requests; a cold one adds
//! one `401` round trip for Basic, and for Bearer one `401` plus one token
//! request:
//!
//! | operation | requests |
//! |---|---|
//! | `resolve` | `HEAD` manifest (+ `GET` when the `HEAD` lacks a digest, a length or a type, or is refused with 405) |
//! | `fetch_manifest` | `GET` manifest |
//! | `fetch_blob` | `GET` blob (+ one per redirect to blob storage) |
//! | `blob_exists` | `HEAD` blob (+ redirects) |
//! | `push_blob` | `POST ?digest=` with the bytes (single `POST`); where the registry opens an upload session instead (`202`, remembered per registry), `PUT` location?digest= with the bytes |
//! | `ensure_blob` | as `push_blob` where single `POST` is taken; else `POST ?mount=` from the repository itself (`201`: present), + `PUT` when absent; nothing when this client already pushed it |
//! | `push_manifest` | `PUT` manifest |
//! | `delete_manifest` | `DELETE` manifest |
//! | `referrers` | `GET` per page |
//! | `open_blob` | `GET` blob (+ redirects); the body is then read as the caller reads |
//! | `push_blob_from` | as `push_blob` for a blob of one chunk; else `POST`, a `PATCH` per chunk, `PUT ?digest=` |
//! | `mount_blob` | `POST ?mount=&from=` (+ `DELETE` of the session a registry opens when it cannot mount) |
//!
//! # Limits of one operation
//! Every public method is one operation, unless it is called on a handle
//! from [`RegistryClient::begin_operation`], whose calls all share one. The
//! requests of an operation (redirect hops, `401` retries, token requests,
//! referrers pages, manifests and blobs) share its time limit
//! ([`RegistryClientOptions::operation_timeout`], default 10 s of waiting
//! on the network) and its byte limit
//! ([`RegistryClientOptions::max_operation_bytes`], default 64 MiB of
//! response bodies), on top of the per-response limits: a registry that
//! drips, redirects or pages forever, or sends huge bodies, costs at most
//! that. The workflows of [`crate::workflow`] run each sign, verify, list
//! or inspect as one operation.
//!
//! Blob transfers ([`RegistryClient::open_blob`],
//! [`RegistryClient::push_blob_from`]: copying image layers) are not
//! operations: each has its own budget, sized by the blob
//! ([`BlobTransferLimits`]), so that a large layer is neither cut by the
//! operation's limits nor read without any.
//!
//! Tokens are cached per registry and scope set for the client's lifetime
//! and reused for any request whose scope they cover (a `pull,push` token
//! serves later `pull` requests). A cached token that the registry rejects
//! (expired) is replaced once; a second `401` is an error, never a loop.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use notation_core::algorithm::HashAlgorithm;
use serde::Deserialize;

use super::auth::{AuthCache, AuthHeader, Challenge, Scopes, parse_challenges};
use super::credentials::{
    Credential, CredentialError, CredentialProvider, CredentialStore, StaticCredentials,
};
use super::error::{
    AuthError, DigestOrigin, ErrorBodyKind, ErrorEntry, IntegrityError, LimitKind, ProtocolError,
    RegistryError, StatusError, TimeoutError, TimeoutPhase,
};
use super::link::next_link;
use super::observe::{RegistryEvent, RegistryObserver};
use super::transport::{
    BodyReadError, HttpRequest, HttpResponse, HttpTransport, Method, Timeouts, TransportError,
    TransportErrorKind, TrustRoots, UreqTransport,
};
use super::url::{
    Url, append_query, encode_component, is_loopback_host, resolve, same_origin, token_url,
};
use crate::oci::{Descriptor, MANIFEST_MEDIA_TYPES, MAX_MANIFEST_SIZE, MEDIA_TYPE_IMAGE_INDEX};
use crate::reference::Reference;
use error_body::parse_error_body;

mod blob_read;
mod blob_upload;
mod blobs;
mod budget;
mod capabilities;
mod descriptor;
mod error_body;
mod exchange;
mod login;
mod manifests;
mod options;
mod referrers;
mod repository_ref;
mod token;
mod transfer;

pub use blob_read::BlobReader;
pub use blob_upload::BlobUploadError;
pub use descriptor::{ContentDescriptor, PushedManifest};
pub use login::{LoginError, LoginOutcome};
pub use options::RegistryClientOptions;
pub use referrers::{
    DEFAULT_MAX_REFERRERS, DEFAULT_MAX_REFERRERS_BYTES, DEFAULT_MAX_REFERRERS_PAGES,
    MAX_REFERRERS_PAGE_SIZE,
};
pub use repository_ref::RepositoryRef;
pub use transfer::{BlobTransferLimits, DEFAULT_UPLOAD_CHUNK_SIZE, MAX_UPLOAD_CHUNK_SIZE};

/// Default bound on redirects followed per request.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Default time limit of one registry operation: time spent waiting on the
/// network, summed over all its requests.
pub const DEFAULT_OPERATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Default bound on the response bytes of one registry operation (a 32 MiB
/// envelope, its manifest and the listing fit).
pub const DEFAULT_MAX_OPERATION_BYTES: u64 = 64 * 1024 * 1024;
/// How the limit is raised, as the error says by default.
const DEFAULT_TIMEOUT_HINT: &str = "raise it with RegistryClientOptions::operation_timeout";
/// Largest error body read for its error codes (oras-go: 8 KiB).
const MAX_ERROR_BODY: u64 = 8 * 1024;
/// Largest token response read (oras-go: 128 KiB).
const MAX_TOKEN_RESPONSE: u64 = 128 * 1024;

struct Inner {
    transport: Arc<dyn HttpTransport>,
    credentials: Option<Arc<dyn CredentialProvider>>,
    insecure_registries: Vec<String>,
    loopback_plain_http: bool,
    user_agent: String,
    client_id: String,
    max_redirects: usize,
    max_referrers_pages: usize,
    max_referrers: usize,
    max_referrers_bytes: u64,
    operation_timeout: std::time::Duration,
    max_operation_bytes: u64,
    timeout_hint: String,
    requests: AtomicU64,
    auth: AuthCache,
    observer: Option<Arc<dyn RegistryObserver>>,
    capabilities: capabilities::Capabilities,
    transfer_limits: BlobTransferLimits,
    upload_chunk_size: usize,
}

/// A blocking OCI registry client. Cheap to clone and share between
/// threads (`Send + Sync`); clones share the connection pool, the token
/// cache and the request counter (and the operation budget of a handle
/// from [`begin_operation`](Self::begin_operation)).
#[derive(Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
    budget: Option<Arc<budget::OperationBudget>>,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("requests", &self.request_count())
            .field("in_operation", &self.budget.is_some())
            .finish_non_exhaustive()
    }
}

/// Which credentials and token cache a request uses (the client's, or a
/// one-off set for verifying a login).
struct AuthSession<'a> {
    credentials: Option<&'a dyn CredentialProvider>,
    cache: &'a AuthCache,
}

/// The media type of a `Content-Type` value, parameters removed, lowercase.
fn media_type_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn digest_of(alg: HashAlgorithm, data: &[u8]) -> String {
    format!(
        "{}:{}",
        alg.digest_name(),
        notation_core::hex::encode(&alg.digest(data))
    )
}

fn digest_algorithm(digest: &str) -> Option<HashAlgorithm> {
    notation_core::payload::parse_digest(digest).map(|(alg, _)| alg)
}

fn is_valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

fn check_digest_arg(digest: &str) -> Result<HashAlgorithm, RegistryError> {
    digest_algorithm(digest).ok_or_else(|| RegistryError::InvalidArgument {
        what: "digest",
        value: digest.to_string(),
    })
}

fn shown_url(url: &str, origin: &str) -> String {
    if same_origin(url, origin) {
        return url.to_string();
    }
    Url::parse(url).map_or_else(|| "<invalid URL>".to_string(), |u| u.without_query())
}

impl RegistryClient {
    /// A client with default options (anonymous, platform roots).
    pub fn new() -> Result<Self, RegistryError> {
        RegistryClientOptions::new().build()
    }

    /// Starts building a client.
    pub fn builder() -> RegistryClientOptions {
        RegistryClientOptions::new()
    }

    /// A handle on this client whose calls are one operation: they share
    /// one time limit and one byte limit (see the module documentation),
    /// instead of each call having its own. Take one per unit of work (a
    /// verification, a signing) and drop it after. On a handle that is
    /// already in an operation, the operation goes on: nested work (a
    /// workflow run on a repository made from such a handle) joins it.
    pub fn begin_operation(&self) -> RegistryClient {
        if self.budget.is_some() {
            return self.clone();
        }
        RegistryClient {
            inner: self.inner.clone(),
            budget: Some(Arc::new(budget::OperationBudget::new(
                self.inner.operation_timeout,
                self.inner.max_operation_bytes,
            ))),
        }
    }

    /// The budget of the operation under way. Public methods called outside
    /// an operation start one first, so the fallback is never used there.
    fn budget(&self) -> Arc<budget::OperationBudget> {
        self.budget.clone().unwrap_or_else(|| {
            Arc::new(budget::OperationBudget::new(
                self.inner.operation_timeout,
                self.inner.max_operation_bytes,
            ))
        })
    }

    /// How many HTTP requests this client (and its clones) has sent,
    /// token requests and redirects included.
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Whether `registry` is reached over plain HTTP: listed as insecure, or
    /// loopback (`localhost`, `127.0.0.1`, `[::1]`) unless turned off.
    // Requirements: X2.
    pub fn is_plain_http(&self, registry: &str) -> bool {
        let lower = registry.to_ascii_lowercase();
        self.inner.insecure_registries.contains(&lower)
            || (self.inner.loopback_plain_http
                && is_loopback_host(crate::reference::host_of(&lower)))
    }

    /// Whether credentials may travel over plain HTTP to the `authority` of
    /// a URL: only to loopback hosts and the hosts of explicitly insecure
    /// registries, on any port (a registry on `gitlab.lan:5050` whose token
    /// service is `http://gitlab.lan/jwt/auth`, as notation-go allows).
    fn plain_http_credentials_allowed(&self, authority: &str) -> bool {
        let lower = authority.to_ascii_lowercase();
        let host = crate::reference::host_of(&lower);
        is_loopback_host(host)
            || self
                .inner
                .insecure_registries
                .iter()
                .any(|r| crate::reference::host_of(r) == host)
    }

    /// `scheme://host[:port]` of a registry; Docker Hub's `docker.io` is
    /// served by `registry-1.docker.io` (as oras-go).
    fn base_url(&self, registry: &str) -> String {
        let scheme = if self.is_plain_http(registry) {
            "http"
        } else {
            "https"
        };
        let host = match registry.to_ascii_lowercase().as_str() {
            "docker.io" | "index.docker.io" => "registry-1.docker.io".to_string(),
            _ => registry.to_string(),
        };
        format!("{scheme}://{host}")
    }

    /// A URL as shown in errors: URLs on another origin than the
    /// registry's (blob storage, upload services) lose their query, which
    /// may hold a pre-signed capability.
    fn shown_url(&self, url: &str, registry: &str) -> String {
        shown_url(url, &self.base_url(registry))
    }

    fn repo_url(&self, repo: &RepositoryRef, tail: &str) -> String {
        format!(
            "{}/v2/{}/{tail}",
            self.base_url(&repo.registry),
            repo.repository
        )
    }

    /// Tells the observer, if any, about a decision (the referrers
    /// mechanism used).
    pub(crate) fn observe_event(&self, event: RegistryEvent<'_>) {
        if let Some(observer) = &self.inner.observer {
            observer.event(&event);
        }
    }

    fn session(&self) -> AuthSession<'_> {
        AuthSession {
            credentials: self.inner.credentials.as_deref(),
            cache: &self.inner.auth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::manifests::{ManifestRef, manifest_ref};
    use super::*;

    #[test]
    fn references_and_repositories_are_validated() {
        assert!(matches!(manifest_ref("v1.0"), Ok(ManifestRef::Tag)));
        assert!(matches!(
            manifest_ref(&format!("sha256:{}", "a".repeat(64))),
            Ok(ManifestRef::Digest(..))
        ));
        for bad in ["", "-x", "sha256:abc", "a/b", "../x", &"t".repeat(129)] {
            assert!(manifest_ref(bad).is_err(), "{bad}");
        }
        assert!(RepositoryRef::new("localhost:5000", "a/b").is_ok());
        for (reg, repo) in [
            ("localhost:5000", "A"),
            ("", "a"),
            ("r.io", "a:tag"),
            ("r.io", "a/../b"),
        ] {
            assert!(RepositoryRef::new(reg, repo).is_err(), "{reg} {repo}");
        }
        assert_eq!(
            media_type_of("Application/JSON; charset=utf-8"),
            "application/json"
        );
    }

    #[test]
    fn plain_http_decision() {
        let c = RegistryClient::builder()
            .insecure_registry("Reg.Example:5000")
            .build()
            .unwrap();
        assert!(c.is_plain_http("localhost:5000"));
        assert!(c.is_plain_http("127.0.0.1:1"));
        assert!(c.is_plain_http("[::1]:5000"));
        assert!(c.is_plain_http("reg.example:5000"));
        assert!(!c.is_plain_http("reg.example"));
        assert!(!c.is_plain_http("registry.io"));
        assert_eq!(c.base_url("docker.io"), "https://registry-1.docker.io");
        let tls = RegistryClient::builder()
            .loopback_plain_http(false)
            .build()
            .unwrap();
        assert!(!tls.is_plain_http("localhost:5000"));
        let cfg = notation_core::config::Config {
            insecure_registries: vec!["reg1.io".into()],
            ..Default::default()
        };
        assert!(
            RegistryClient::builder()
                .notation_config(&cfg)
                .build()
                .unwrap()
                .is_plain_http("REG1.io")
        );
    }

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<RegistryClient>();
    }
}
