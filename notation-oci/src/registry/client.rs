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
//! | `push_blob` | `POST` upload + `PUT` location?digest= (monolithic) |
//! | `push_manifest` | `PUT` manifest |
//! | `delete_manifest` | `DELETE` manifest |
//! | `referrers` | `GET` per page |
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
    AuthError, DigestOrigin, ErrorBodyKind, ErrorEntry, IntegrityError, LimitKind,
    MAX_ERROR_ENTRIES, ProtocolError, RegistryError, StatusError,
};
use super::link::next_link;
use super::transport::{
    BodyReadError, HttpRequest, HttpResponse, HttpTransport, Method, Timeouts, TransportError,
    TrustRoots, UreqTransport,
};
use super::url::{Url, append_query, encode_component, is_loopback_host, resolve, same_origin};
use crate::oci::{Descriptor, MANIFEST_MEDIA_TYPES, MAX_MANIFEST_SIZE, MEDIA_TYPE_IMAGE_INDEX};
use crate::reference::Reference;

/// Largest referrers API page (4 MiB, as the reference's metadata limit).
pub const MAX_REFERRERS_PAGE_SIZE: u64 = 4 * 1024 * 1024;
/// Default bound on referrers pages followed.
pub const DEFAULT_MAX_REFERRERS_PAGES: usize = 100;
/// Default bound on referrer descriptors collected over all pages.
pub const DEFAULT_MAX_REFERRERS: usize = 10_000;
/// Default bound on redirects followed per request.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Largest error body read for its error codes (oras-go: 8 KiB).
const MAX_ERROR_BODY: u64 = 8 * 1024;
/// Largest token response read (oras-go: 128 KiB).
const MAX_TOKEN_RESPONSE: u64 = 128 * 1024;
/// The `OCI-Filters-Applied` header (Q5).
const HEADER_FILTERS_APPLIED: &str = "OCI-Filters-Applied";
/// The annotation some registries use instead of the header (oras-go).
const ANNOTATION_FILTERS_APPLIED: &str = "org.opencontainers.referrers.filtersApplied";

/// A repository in a registry: what every operation works on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepositoryRef {
    registry: String,
    repository: String,
}

impl RepositoryRef {
    /// A repository, checked against the distribution grammar.
    pub fn new(
        registry: impl Into<String>,
        repository: impl Into<String>,
    ) -> Result<Self, RegistryError> {
        let (registry, repository) = (registry.into(), repository.into());
        let r = Reference::parse(&format!("{registry}/{repository}")).map_err(|_| {
            RegistryError::InvalidArgument {
                what: "repository",
                value: format!("{registry}/{repository}"),
            }
        })?;
        if r.registry() != registry || r.repository() != repository || r.reference().is_some() {
            return Err(RegistryError::InvalidArgument {
                what: "repository",
                value: format!("{registry}/{repository}"),
            });
        }
        Ok(Self {
            registry,
            repository,
        })
    }

    /// The registry (`host[:port]`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path.
    pub fn repository(&self) -> &str {
        &self.repository
    }
}

impl From<&Reference> for RepositoryRef {
    fn from(r: &Reference) -> Self {
        Self {
            registry: r.registry().to_string(),
            repository: r.repository().to_string(),
        }
    }
}

impl fmt::Display for RepositoryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

/// What a manifest is: media type, digest and size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ContentDescriptor {
    /// The media type (from `Content-Type`, parameters removed).
    pub media_type: String,
    /// The digest, `<algorithm>:<hex>`.
    pub digest: String,
    /// The size in bytes.
    pub size: u64,
}

impl ContentDescriptor {
    /// A descriptor.
    pub fn new(media_type: impl Into<String>, digest: impl Into<String>, size: u64) -> Self {
        Self {
            media_type: media_type.into(),
            digest: digest.into(),
            size,
        }
    }
}

impl From<ContentDescriptor> for notation_core::payload::Descriptor {
    fn from(d: ContentDescriptor) -> Self {
        notation_core::payload::Descriptor::new(d.media_type, d.digest, d.size)
    }
}

impl From<ContentDescriptor> for Descriptor {
    fn from(d: ContentDescriptor) -> Self {
        Descriptor::new(d.media_type, d.digest, d.size)
    }
}

/// The result of pushing a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushedManifest {
    /// The manifest pushed (digest computed over the bytes sent).
    pub descriptor: ContentDescriptor,
    /// The `OCI-Subject` response header: present when the registry
    /// processed the manifest's `subject`, i.e. supports the referrers API
    /// (distribution spec v1.1; how oras-go learns it without a request).
    pub oci_subject: Option<String>,
}

impl PushedManifest {
    /// Whether the registry said it processed the `subject` (`OCI-Subject`).
    pub fn subject_processed(&self) -> bool {
        self.oci_subject.is_some()
    }
}

/// How `login` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginOutcome {
    /// The credential was verified and stored.
    Stored,
    /// The credential was verified; the store refused plaintext storage but
    /// already holds this very credential (the reference prints a warning
    /// and "Authenticated with existing credentials").
    AlreadyStored,
}

/// Why `login` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The registry did not accept the credential.
    #[error("failed to validate the credentials: {0}")]
    Verification(#[source] RegistryError),
    /// The credential could not be stored.
    #[error("failed to store the credentials: {0}")]
    Storage(#[source] CredentialError),
}

/// Options of a [`RegistryClient`] (builder; fields are private so options
/// can be added without breaking callers).
#[derive(Clone)]
pub struct RegistryClientOptions {
    transport: Option<Arc<dyn HttpTransport>>,
    trust_roots: TrustRoots,
    timeouts: Timeouts,
    insecure_registries: Vec<String>,
    loopback_plain_http: bool,
    credentials: Option<Arc<dyn CredentialProvider>>,
    user_agent: String,
    client_id: String,
    max_redirects: usize,
    max_referrers_pages: usize,
    max_referrers: usize,
}

impl fmt::Debug for RegistryClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClientOptions")
            .field("custom_transport", &self.transport.is_some())
            .field("trust_roots", &self.trust_roots)
            .field("timeouts", &self.timeouts)
            .field("insecure_registries", &self.insecure_registries)
            .field("loopback_plain_http", &self.loopback_plain_http)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<provider>"),
            )
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl Default for RegistryClientOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl RegistryClientOptions {
    /// Defaults: ureq transport with the platform's roots, default
    /// timeouts, HTTPS except to loopback registries, anonymous, user agent
    /// `notation-rs/<version>`.
    pub fn new() -> Self {
        Self {
            transport: None,
            trust_roots: TrustRoots::platform(),
            timeouts: Timeouts::default(),
            insecure_registries: Vec::new(),
            loopback_plain_http: true,
            credentials: None,
            user_agent: format!("notation-rs/{}", env!("CARGO_PKG_VERSION")),
            client_id: "notation".to_string(),
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_referrers_pages: DEFAULT_MAX_REFERRERS_PAGES,
            max_referrers: DEFAULT_MAX_REFERRERS,
        }
    }

    /// Uses this transport instead of ureq (TLS roots and timeouts are then
    /// the transport's business).
    pub fn transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The roots TLS servers are verified against (default: the platform's).
    pub fn trust_roots(mut self, roots: TrustRoots) -> Self {
        self.trust_roots = roots;
        self
    }

    /// Timeouts of the default transport.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Reaches `registry` (`host[:port]`, compared case-insensitively) over
    /// plain HTTP: `--insecure-registry` for the command's registry (X2).
    pub fn insecure_registry(mut self, registry: impl Into<String>) -> Self {
        self.insecure_registries
            .push(registry.into().to_ascii_lowercase());
        self
    }

    /// Several insecure registries.
    pub fn insecure_registries<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        registries: I,
    ) -> Self {
        self.insecure_registries.extend(
            registries
                .into_iter()
                .map(|r| r.into().to_ascii_lowercase()),
        );
        self
    }

    /// The `insecureRegistries` of Notation's `config.json` (X2, W16).
    pub fn notation_config(self, config: &notation_core::config::Config) -> Self {
        self.insecure_registries(config.insecure_registries.iter().cloned())
    }

    /// Whether `localhost`, `127.0.0.1` and `[::1]` are reached over plain
    /// HTTP (default `true`, as the reference). Turn off to talk TLS to a
    /// loopback registry.
    pub fn loopback_plain_http(mut self, plain: bool) -> Self {
        self.loopback_plain_http = plain;
        self
    }

    /// Where credentials come from (default: none, anonymous).
    pub fn credentials(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// A shared credential provider.
    pub fn credentials_arc(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// The `User-Agent` (default `notation-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The OAuth2 `client_id` sent with refresh-token requests (default
    /// `notation`, as the reference).
    pub fn oauth_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Most redirects followed per request (default 10).
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }

    /// Most referrers pages followed (default 100).
    pub fn max_referrers_pages(mut self, n: usize) -> Self {
        self.max_referrers_pages = n.max(1);
        self
    }

    /// Most referrer descriptors collected over all pages (default 10 000).
    pub fn max_referrers(mut self, n: usize) -> Self {
        self.max_referrers = n;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<RegistryClient, RegistryError> {
        let transport: Arc<dyn HttpTransport> = match self.transport {
            Some(t) => t,
            None => Arc::new(
                UreqTransport::new(&self.trust_roots, self.timeouts).map_err(|e| {
                    RegistryError::InvalidArgument {
                        what: "TLS configuration",
                        value: e.to_string(),
                    }
                })?,
            ),
        };
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                transport,
                credentials: self.credentials,
                insecure_registries: self.insecure_registries,
                loopback_plain_http: self.loopback_plain_http,
                user_agent: self.user_agent,
                client_id: self.client_id,
                max_redirects: self.max_redirects,
                max_referrers_pages: self.max_referrers_pages,
                max_referrers: self.max_referrers,
                requests: AtomicU64::new(0),
                auth: AuthCache::default(),
            }),
        })
    }
}

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
    requests: AtomicU64,
    auth: AuthCache,
}

/// A blocking OCI registry client. Cheap to clone and share between
/// threads (`Send + Sync`); clones share the connection pool, the token
/// cache and the request counter.
#[derive(Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

/// Which credentials and token cache a request uses (the client's, or a
/// one-off set for verifying a login).
struct AuthSession<'a> {
    credentials: Option<&'a dyn CredentialProvider>,
    cache: &'a AuthCache,
}

#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<ErrorBodyEntry>,
}

#[derive(Deserialize)]
struct ErrorBodyEntry {
    code: String,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct ReferrersPage {
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Vec<Descriptor>,
    #[serde(default)]
    annotations: Option<std::collections::HashMap<String, String>>,
}

/// Parses an OCI error body; anything else is kept as "other", never an
/// error of its own (error bodies may be HTML, text, truncated, ...).
fn parse_error_body(body: &[u8]) -> (Vec<ErrorEntry>, ErrorBodyKind) {
    if body.iter().all(u8::is_ascii_whitespace) {
        return (Vec::new(), ErrorBodyKind::Empty);
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => (
            b.errors
                .into_iter()
                .take(MAX_ERROR_ENTRIES)
                .map(|e| ErrorEntry::new(e.code, e.message.unwrap_or_default()))
                .collect(),
            ErrorBodyKind::OciErrors,
        ),
        Err(_) => (Vec::new(), ErrorBodyKind::Other),
    }
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

/// A manifest reference: a digest or a tag.
enum ManifestRef<'a> {
    Digest(&'a str, HashAlgorithm),
    Tag,
}

fn manifest_ref(reference: &str) -> Result<ManifestRef<'_>, RegistryError> {
    if reference.contains(':') {
        let alg = digest_algorithm(reference).ok_or_else(|| RegistryError::InvalidArgument {
            what: "digest",
            value: reference.to_string(),
        })?;
        Ok(ManifestRef::Digest(reference, alg))
    } else if is_valid_tag(reference) {
        Ok(ManifestRef::Tag)
    } else {
        Err(RegistryError::InvalidArgument {
            what: "tag",
            value: reference.to_string(),
        })
    }
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

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
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

    /// How many HTTP requests this client (and its clones) has sent,
    /// token requests and redirects included.
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Whether `registry` is reached over plain HTTP: listed as insecure, or
    /// loopback (`localhost`, `127.0.0.1`, `[::1]`) unless turned off (X2).
    pub fn is_plain_http(&self, registry: &str) -> bool {
        let lower = registry.to_ascii_lowercase();
        self.inner.insecure_registries.contains(&lower)
            || (self.inner.loopback_plain_http
                && is_loopback_host(crate::reference::host_of(&lower)))
    }

    /// Whether credentials may travel over plain HTTP to the `authority` of
    /// a URL: only to loopback hosts and explicitly insecure registries.
    fn plain_http_credentials_allowed(&self, authority: &str) -> bool {
        let lower = authority.to_ascii_lowercase();
        is_loopback_host(crate::reference::host_of(&lower))
            || self.inner.insecure_registries.contains(&lower)
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

    fn session(&self) -> AuthSession<'_> {
        AuthSession {
            credentials: self.inner.credentials.as_deref(),
            cache: &self.inner.auth,
        }
    }

    // ---- plumbing ----------------------------------------------------------

    /// Sends one request through the transport (counted).
    fn send_once(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, RegistryError> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = request.clone();
        if request.headers().get("user-agent").is_none() && !self.inner.user_agent.is_empty() {
            request
                .headers_mut()
                .set("User-Agent", self.inner.user_agent.clone());
        }
        self.inner
            .transport
            .send(&request)
            .map_err(|e| RegistryError::transport(request.method(), request.url(), e))
    }

    /// Sends a request, following redirects of `GET` and `HEAD` (bounded,
    /// loop-checked). `auth` is attached only while the URL has the same
    /// origin as `auth_origin`: credentials never go to another host, such
    /// as blob storage. Returns the response and the URL it came from.
    fn send_following(
        &self,
        mut request: HttpRequest<'_>,
        auth: Option<&AuthHeader>,
        auth_origin: &str,
    ) -> Result<(HttpResponse, String), RegistryError> {
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(request.url().to_string());
        loop {
            match auth {
                Some(h) if same_origin(request.url(), auth_origin) => {
                    request.headers_mut().set("Authorization", h.value.clone())
                }
                _ => request.headers_mut().remove("authorization"),
            }
            let mut response = self.send_once(&request).map_err(|e| match e {
                RegistryError::Transport {
                    method,
                    url,
                    source,
                } => RegistryError::Transport {
                    method,
                    url: shown_url(&url, auth_origin),
                    source,
                },
                e => e,
            })?;
            let follow = matches!(request.method(), Method::Get | Method::Head)
                && is_redirect(response.status());
            if !follow {
                let url = request.url().to_string();
                return Ok((response, url));
            }
            let (method, url) = (request.method(), request.url().to_string());
            let shown = shown_url(&url, auth_origin);
            let location = response
                .headers()
                .get("location")
                .and_then(|l| resolve(&url, l))
                .ok_or_else(|| {
                    RegistryError::protocol(method, &shown, ProtocolError::InvalidRedirect)
                })?;
            response.body_mut().discard(MAX_ERROR_BODY);
            if !visited.insert(location.clone()) {
                return Err(RegistryError::protocol(
                    method,
                    &shown,
                    ProtocolError::RedirectLoop(shown_url(&location, auth_origin)),
                ));
            }
            if visited.len() > self.inner.max_redirects + 1 {
                return Err(RegistryError::protocol(
                    method,
                    &shown,
                    ProtocolError::TooManyRedirects(self.inner.max_redirects),
                ));
            }
            request.set_url(location);
        }
    }

    /// Reads a bounded error body and makes the status error.
    fn status_error(&self, method: Method, url: &str, response: &mut HttpResponse) -> StatusError {
        let (errors, body) = match response.body_mut().read_to_vec(MAX_ERROR_BODY) {
            Ok(b) => parse_error_body(&b),
            Err(_) => (Vec::new(), ErrorBodyKind::Other),
        };
        StatusError {
            method,
            url: url.to_string(),
            status: response.status(),
            errors,
            body,
        }
    }

    /// The error for a response the operation does not expect.
    fn unexpected(&self, method: Method, url: &str, mut response: HttpResponse) -> RegistryError {
        if (200..300).contains(&response.status()) {
            response.body_mut().discard(MAX_ERROR_BODY);
            return RegistryError::protocol(
                method,
                url,
                ProtocolError::UnexpectedStatus(response.status()),
            );
        }
        self.status_error(method, url, &mut response).into()
    }

    /// Sends a request to `registry` with authentication: a cached header
    /// pre-emptively, else anonymously; on a `401` from the registry it
    /// follows the challenge once (Bearer preferred over Basic) and retries
    /// once. See the module documentation for the sequence.
    fn send_authenticated(
        &self,
        session: &AuthSession<'_>,
        registry: &str,
        scopes: &Scopes,
        request: HttpRequest<'_>,
    ) -> Result<(HttpResponse, String), RegistryError> {
        let key = registry.to_ascii_lowercase();
        let base = self.base_url(registry);
        let (method, url) = (request.method(), request.url().to_string());
        let preemptive = session.cache.lookup(&key, scopes);
        let (mut response, final_url) =
            self.send_following(request.clone(), preemptive.as_ref(), &base)?;
        if response.status() != 401 || !same_origin(&final_url, &base) {
            return Ok((response, final_url));
        }
        let challenges = parse_challenges(response.headers().get_all("www-authenticate"));
        let first = self.status_error(method, &url, &mut response);
        if let Some(h) = &preemptive {
            session.cache.forget(&key, h);
        }
        let unauthorized = |credentials_sent: bool, errors: Vec<ErrorEntry>| -> RegistryError {
            AuthError::Unauthorized {
                method,
                url: url.clone(),
                credentials_sent,
                errors,
            }
            .into()
        };
        let sent_before = preemptive.as_ref().is_some_and(|h| h.with_credentials);
        let Some(challenge) = challenges
            .iter()
            .find(|c| c.is_bearer())
            .or_else(|| challenges.iter().find(|c| c.is_basic()))
        else {
            return Err(unauthorized(sent_before, first.errors));
        };
        let credential = match session.credentials {
            Some(p) => p
                .credential(registry)
                .map_err(|source| AuthError::Credential {
                    registry: registry.to_string(),
                    source,
                })?
                .filter(|c| !c.is_empty()),
            None => None,
        };
        let header = if challenge.is_bearer() {
            let mut token_scopes = scopes.clone();
            if let Some(s) = challenge.param("scope") {
                token_scopes.add_parsed(s);
            }
            let token = self.fetch_token(&url, challenge, &token_scopes, credential.as_ref())?;
            let header = AuthHeader {
                value: format!("Bearer {token}"),
                with_credentials: credential.is_some(),
            };
            session.cache.set_bearer(&key, token_scopes, header.clone());
            header
        } else {
            let Some((user, pass)) = credential
                .as_ref()
                .and_then(|c| Some((c.username()?, c.password().unwrap_or(""))))
            else {
                return Err(unauthorized(false, first.errors));
            };
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            let header = AuthHeader {
                value: format!("Basic {basic}"),
                with_credentials: true,
            };
            if preemptive.as_ref() == Some(&header) {
                // The very same credentials were just rejected.
                return Err(unauthorized(true, first.errors));
            }
            session.cache.set_basic(&key, header.clone());
            header
        };
        let (mut response, final_url) = self.send_following(request, Some(&header), &base)?;
        if response.status() == 401 && same_origin(&final_url, &base) {
            session.cache.forget(&key, &header);
            let second = self.status_error(method, &url, &mut response);
            return Err(unauthorized(header.with_credentials, second.errors));
        }
        Ok((response, final_url))
    }

    /// Gets a token from the challenge's realm: `POST` with
    /// `grant_type=refresh_token` for an identity token (OAuth2, as
    /// oras-go), else `GET ?service=&scope=` with Basic credentials if any,
    /// anonymous otherwise. A registry token is used as is.
    fn fetch_token(
        &self,
        url: &str,
        challenge: &Challenge,
        scopes: &Scopes,
        credential: Option<&Credential>,
    ) -> Result<String, RegistryError> {
        let invalid = |reason: &str| -> RegistryError {
            AuthError::InvalidChallenge {
                url: url.to_string(),
                reason: reason.to_string(),
            }
            .into()
        };
        let realm = challenge
            .param("realm")
            .ok_or_else(|| invalid("Bearer challenge without realm"))?;
        let realm_url =
            Url::parse(realm).ok_or_else(|| invalid("realm is not an absolute http(s) URL"))?;
        let realm_display = realm_url.without_query();
        if let Some(token) = credential.and_then(Credential::registry_token_value) {
            return Ok(token.to_string());
        }
        let sends_secret = credential
            .is_some_and(|c| c.identity_token_value().is_some() || c.username().is_some());
        if sends_secret
            && realm_url.scheme == "http"
            && !self.plain_http_credentials_allowed(realm_url.authority)
        {
            return Err(AuthError::InsecureCredentialTransport { url: realm_display }.into());
        }
        let service = challenge.param("service");
        let form_body;
        let (request, basic) = if let Some(refresh) =
            credential.and_then(Credential::identity_token_value)
        {
            let mut form = vec![
                "grant_type=refresh_token".to_string(),
                format!("refresh_token={}", encode_component(refresh)),
                format!("client_id={}", encode_component(&self.inner.client_id)),
            ];
            if let Some(s) = service {
                form.push(format!("service={}", encode_component(s)));
            }
            if !scopes.is_empty() {
                form.push(format!(
                    "scope={}",
                    encode_component(&scopes.to_strings().join(" "))
                ));
            }
            form_body = form.join("&");
            let req = HttpRequest::new(Method::Post, realm)
                .with_header("Content-Type", "application/x-www-form-urlencoded")
                .with_body(form_body.as_bytes());
            (req, None)
        } else {
            let mut token_url = realm.to_string();
            if let Some(s) = service {
                token_url = append_query(&token_url, "service", s);
            }
            for s in scopes.to_strings() {
                token_url = append_query(&token_url, "scope", &s);
            }
            let basic = credential.and_then(|c| {
                let user = c.username()?;
                let pass = c.password().unwrap_or("");
                let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                Some(AuthHeader {
                    value: format!("Basic {b}"),
                    with_credentials: true,
                })
            });
            (HttpRequest::new(Method::Get, token_url), basic)
        };
        let method = request.method();
        let origin = request.url().to_string();
        let (mut response, _) = match self.send_following(request, basic.as_ref(), &origin) {
            Ok(r) => r,
            Err(RegistryError::Transport { source, .. }) => {
                return Err(AuthError::TokenTransport {
                    realm: realm_display,
                    source,
                }
                .into());
            }
            Err(e) => return Err(e),
        };
        if response.status() != 200 {
            let e = self.status_error(method, &realm_display, &mut response);
            return Err(AuthError::TokenRequest {
                realm: realm_display,
                status: e.status,
                errors: e.errors,
            }
            .into());
        }
        if response
            .content_length()
            .is_some_and(|l| l > MAX_TOKEN_RESPONSE)
        {
            return Err(RegistryError::limit(
                &realm_display,
                LimitKind::TokenResponse,
                MAX_TOKEN_RESPONSE,
                response.content_length(),
            ));
        }
        let body = match response.body_mut().read_to_vec(MAX_TOKEN_RESPONSE) {
            Ok(b) => b,
            Err(BodyReadError::TooLarge) => {
                return Err(RegistryError::limit(
                    &realm_display,
                    LimitKind::TokenResponse,
                    MAX_TOKEN_RESPONSE,
                    None,
                ));
            }
            Err(BodyReadError::Io(e)) => {
                return Err(AuthError::TokenTransport {
                    realm: realm_display,
                    source: TransportError::from_io(&e),
                }
                .into());
            }
        };
        let parsed: TokenBody =
            serde_json::from_slice(&body).map_err(|_| AuthError::TokenResponse {
                realm: realm_display.clone(),
                reason: "not a JSON token response".into(),
            })?;
        // oras-go prefers access_token (OAuth2) over token (distribution).
        parsed
            .access_token
            .filter(|t| !t.is_empty())
            .or(parsed.token.filter(|t| !t.is_empty()))
            .ok_or_else(|| {
                AuthError::TokenResponse {
                    realm: realm_display,
                    reason: "empty token returned".into(),
                }
                .into()
            })
    }

    /// Reads a whole body within `limit`; the declared `Content-Length` is
    /// checked against the limit before any byte is read.
    fn read_limited(
        &self,
        method: Method,
        url: &str,
        response: &mut HttpResponse,
        what: LimitKind,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if let Some(len) = response.content_length()
            && len > limit
        {
            return Err(RegistryError::limit(url, what, limit, Some(len)));
        }
        let body = match response.body_mut().read_to_vec(limit) {
            Ok(b) => b,
            Err(BodyReadError::TooLarge) => {
                return Err(RegistryError::limit(url, what, limit, None));
            }
            Err(BodyReadError::Io(e)) => {
                return Err(RegistryError::transport(
                    method,
                    url,
                    TransportError::from_io(&e),
                ));
            }
        };
        if let Some(len) = response.content_length()
            && len != body.len() as u64
        {
            return Err(IntegrityError::SizeMismatch {
                url: url.into(),
                expected: len,
                actual: body.len() as u64,
            }
            .into());
        }
        Ok(body)
    }

    /// The `Docker-Content-Digest` header, if present; a present header
    /// that is not a digest is an integrity error.
    fn digest_header(
        &self,
        url: &str,
        response: &HttpResponse,
    ) -> Result<Option<(String, HashAlgorithm)>, RegistryError> {
        match response
            .headers()
            .get("docker-content-digest")
            .map(str::trim)
        {
            None | Some("") => Ok(None),
            Some(v) => match digest_algorithm(v) {
                Some(alg) => Ok(Some((v.to_string(), alg))),
                None => Err(IntegrityError::InvalidDigestHeader {
                    url: url.into(),
                    value: v.chars().take(200).collect(),
                }
                .into()),
            },
        }
    }

    // ---- operations --------------------------------------------------------

    /// `GET /v2/` with the client's credentials: checks that the registry
    /// is reachable and the credentials (if any) are accepted.
    pub fn ping(&self, registry: &str) -> Result<(), RegistryError> {
        self.ping_with(&self.session(), registry)
    }

    fn ping_with(&self, session: &AuthSession<'_>, registry: &str) -> Result<(), RegistryError> {
        let url = format!("{}/v2/", self.base_url(registry));
        let request = HttpRequest::new(Method::Get, &url);
        let (mut response, _) =
            self.send_authenticated(session, registry, &Scopes::none(), request)?;
        match response.status() {
            200 => {
                response.body_mut().discard(MAX_ERROR_BODY);
                Ok(())
            }
            _ => Err(self.unexpected(Method::Get, &url, response)),
        }
    }

    /// Verifies `credential` against `registry` (`GET /v2/`, following
    /// the challenge) with a fresh token cache, without using or changing
    /// the client's credentials.
    pub fn verify_credential(
        &self,
        registry: &str,
        credential: &Credential,
    ) -> Result<(), RegistryError> {
        let provider = StaticCredentials::any_registry(credential.clone());
        let cache = AuthCache::default();
        self.ping_with(
            &AuthSession {
                credentials: Some(&provider),
                cache: &cache,
            },
            registry,
        )
    }

    /// `login`: verifies `credential` against the registry, then stores it
    /// in `store`. A store that refuses plaintext storage (no credential
    /// helper configured) fails the login unless it already holds this very
    /// credential, as the reference does.
    pub fn login(
        &self,
        registry: &str,
        credential: &Credential,
        store: &dyn CredentialStore,
    ) -> Result<LoginOutcome, LoginError> {
        self.verify_credential(registry, credential)
            .map_err(LoginError::Verification)?;
        match store.store(registry, credential) {
            Ok(()) => Ok(LoginOutcome::Stored),
            Err(e @ CredentialError::PlaintextStorageRefused { .. }) => {
                match store.credential(registry) {
                    Ok(Some(saved)) if saved == *credential => Ok(LoginOutcome::AlreadyStored),
                    _ => Err(LoginError::Storage(e)),
                }
            }
            Err(e) => Err(LoginError::Storage(e)),
        }
    }

    /// Resolves a tag or digest to the manifest's descriptor: `HEAD` with
    /// every manifest media type accepted. By digest, the registry's
    /// `Docker-Content-Digest` must equal it. When the `HEAD` response lacks
    /// the digest (or length or type), or `HEAD` is refused, the manifest is
    /// fetched and its digest computed (Q8).
    pub fn resolve(
        &self,
        repo: &RepositoryRef,
        reference: &str,
    ) -> Result<ContentDescriptor, RegistryError> {
        let mref = manifest_ref(reference)?;
        let url = self.repo_url(repo, &format!("manifests/{reference}"));
        let request = HttpRequest::new(Method::Head, &url)
            .with_header("Accept", MANIFEST_MEDIA_TYPES.join(", "));
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        match response.status() {
            200 => {
                let header = self.digest_header(&url, &response)?;
                let media_type = response
                    .headers()
                    .get("content-type")
                    .map(media_type_of)
                    .filter(|m| !m.is_empty());
                let size = response.content_length();
                if let (Some((digest, alg)), Some(media_type), Some(size)) =
                    (header, media_type, size)
                {
                    match mref {
                        ManifestRef::Digest(want, want_alg) if alg == want_alg => {
                            if digest != want {
                                return Err(IntegrityError::DigestMismatch {
                                    url,
                                    expected: want.to_string(),
                                    actual: digest,
                                    origin: DigestOrigin::Header,
                                }
                                .into());
                            }
                            return Ok(ContentDescriptor {
                                media_type,
                                digest,
                                size,
                            });
                        }
                        ManifestRef::Tag => {
                            return Ok(ContentDescriptor {
                                media_type,
                                digest,
                                size,
                            });
                        }
                        // A digest header in another algorithm: compute ours.
                        ManifestRef::Digest(..) => {}
                    }
                }
                self.fetch_manifest(repo, reference, MAX_MANIFEST_SIZE)
                    .map(|(d, _)| d)
            }
            405 => self
                .fetch_manifest(repo, reference, MAX_MANIFEST_SIZE)
                .map(|(d, _)| d),
            _ => Err(self.unexpected(Method::Head, &url, response)),
        }
    }

    /// Fetches a manifest by tag or digest, at most `max_size` bytes
    /// (4 MiB for signature manifests, U). The size is checked against
    /// `Content-Length` before reading and the read is bounded anyway; the
    /// digest is computed over the bytes and must equal the requested digest
    /// (by digest) or the `Docker-Content-Digest` header (by tag, when
    /// present). A mismatch is an error, never data.
    pub fn fetch_manifest(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        max_size: u64,
    ) -> Result<(ContentDescriptor, Vec<u8>), RegistryError> {
        self.fetch_manifest_inner(repo, reference, max_size, false)?
            .ok_or_else(|| {
                // Unreachable: 404 is an error when not optional.
                RegistryError::protocol(
                    Method::Get,
                    reference,
                    ProtocolError::UnexpectedStatus(404),
                )
            })
    }

    /// Like [`fetch_manifest`](Self::fetch_manifest) but `Ok(None)` when the
    /// registry answers 404 (the referrers tag schema index `sha256-<hex>`
    /// that does not exist yet, Q6).
    pub fn fetch_manifest_if_exists(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        max_size: u64,
    ) -> Result<Option<(ContentDescriptor, Vec<u8>)>, RegistryError> {
        self.fetch_manifest_inner(repo, reference, max_size, true)
    }

    fn fetch_manifest_inner(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        max_size: u64,
        optional: bool,
    ) -> Result<Option<(ContentDescriptor, Vec<u8>)>, RegistryError> {
        let mref = manifest_ref(reference)?;
        let url = self.repo_url(repo, &format!("manifests/{reference}"));
        let request = HttpRequest::new(Method::Get, &url)
            .with_header("Accept", MANIFEST_MEDIA_TYPES.join(", "));
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (mut response, final_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let final_url = self.shown_url(&final_url, &repo.registry);
        match response.status() {
            200 => {}
            404 if optional => {
                response.body_mut().discard(MAX_ERROR_BODY);
                return Ok(None);
            }
            _ => return Err(self.unexpected(Method::Get, &url, response)),
        }
        let media_type = response
            .headers()
            .get("content-type")
            .map(media_type_of)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                RegistryError::protocol(
                    Method::Get,
                    &url,
                    ProtocolError::MissingHeader("Content-Type"),
                )
            })?;
        let header = self.digest_header(&final_url, &response)?;
        let body = self.read_limited(
            Method::Get,
            &final_url,
            &mut response,
            LimitKind::Manifest,
            max_size,
        )?;
        let digest = match mref {
            ManifestRef::Digest(want, alg) => {
                let actual = digest_of(alg, &body);
                if actual != want {
                    return Err(IntegrityError::DigestMismatch {
                        url: final_url,
                        expected: want.into(),
                        actual,
                        origin: DigestOrigin::Requested,
                    }
                    .into());
                }
                if let Some((h, halg)) = header
                    && halg == alg
                    && h != want
                {
                    return Err(IntegrityError::DigestMismatch {
                        url: final_url,
                        expected: want.into(),
                        actual: h,
                        origin: DigestOrigin::Header,
                    }
                    .into());
                }
                actual
            }
            ManifestRef::Tag => match header {
                Some((h, alg)) => {
                    let actual = digest_of(alg, &body);
                    if actual != h {
                        return Err(IntegrityError::DigestMismatch {
                            url: final_url,
                            expected: h,
                            actual,
                            origin: DigestOrigin::Header,
                        }
                        .into());
                    }
                    actual
                }
                None => digest_of(HashAlgorithm::Sha256, &body),
            },
        };
        let size = body.len() as u64;
        Ok(Some((
            ContentDescriptor {
                media_type,
                digest,
                size,
            },
            body,
        )))
    }

    /// Fetches a blob, at most `max_size` bytes (32 MiB for signature
    /// envelopes, U), following the registry's redirect to blob storage
    /// (no `Authorization` to another host). `expected_size` (the
    /// descriptor's size) is checked against the limit before any request,
    /// against `Content-Length` before reading and against the bytes read;
    /// the digest is computed over the bytes. Any mismatch is an error.
    pub fn fetch_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        expected_size: Option<u64>,
        max_size: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let alg = check_digest_arg(digest)?;
        let url = self.repo_url(repo, &format!("blobs/{digest}"));
        if let Some(size) = expected_size
            && size > max_size
        {
            return Err(RegistryError::limit(
                &url,
                LimitKind::Blob,
                max_size,
                Some(size),
            ));
        }
        let request = HttpRequest::new(Method::Get, &url);
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (mut response, final_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let final_url = self.shown_url(&final_url, &repo.registry);
        if response.status() != 200 {
            return Err(self.unexpected(Method::Get, &final_url, response));
        }
        let limit = expected_size.unwrap_or(max_size).min(max_size);
        if let (Some(expected), Some(len)) = (expected_size, response.content_length())
            && len != expected
        {
            return Err(IntegrityError::SizeMismatch {
                url: final_url,
                expected,
                actual: len,
            }
            .into());
        }
        let header = self.digest_header(&final_url, &response)?;
        let body = match self.read_limited(
            Method::Get,
            &final_url,
            &mut response,
            LimitKind::Blob,
            limit,
        ) {
            // More bytes than the descriptor says: a size mismatch.
            Err(RegistryError::LimitExceeded(l))
                if expected_size.is_some() && l.actual.is_none() =>
            {
                return Err(IntegrityError::LongerThanExpected {
                    url: final_url,
                    expected: limit,
                }
                .into());
            }
            other => other?,
        };
        if let Some(expected) = expected_size
            && body.len() as u64 != expected
        {
            return Err(IntegrityError::SizeMismatch {
                url: final_url,
                expected,
                actual: body.len() as u64,
            }
            .into());
        }
        let actual = digest_of(alg, &body);
        if actual != digest {
            return Err(IntegrityError::DigestMismatch {
                url: final_url,
                expected: digest.into(),
                actual,
                origin: DigestOrigin::Requested,
            }
            .into());
        }
        if let Some((h, halg)) = header
            && halg == alg
            && h != digest
        {
            return Err(IntegrityError::DigestMismatch {
                url: final_url,
                expected: digest.into(),
                actual: h,
                origin: DigestOrigin::Header,
            }
            .into());
        }
        Ok(body)
    }

    /// Whether the repository has the blob (`HEAD`, redirects followed).
    pub fn blob_exists(&self, repo: &RepositoryRef, digest: &str) -> Result<bool, RegistryError> {
        let alg = check_digest_arg(digest)?;
        let url = self.repo_url(repo, &format!("blobs/{digest}"));
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let request = HttpRequest::new(Method::Head, &url);
        let (response, final_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let final_url = self.shown_url(&final_url, &repo.registry);
        match response.status() {
            200 => {
                if let Some((h, halg)) = self.digest_header(&final_url, &response)?
                    && halg == alg
                    && h != digest
                {
                    return Err(IntegrityError::DigestMismatch {
                        url: final_url,
                        expected: digest.into(),
                        actual: h,
                        origin: DigestOrigin::Header,
                    }
                    .into());
                }
                Ok(true)
            }
            404 => Ok(false),
            _ => Err(self.unexpected(Method::Head, &final_url, response)),
        }
    }

    /// Pushes a blob monolithically: `POST /v2/<name>/blobs/uploads/` then
    /// `PUT <Location>&digest=<digest>` with the bytes. Relative and
    /// absolute `Location`s are handled; a `Location` on another host gets
    /// no credentials. `digest` must be the digest of `data`.
    ///
    /// (A single `POST ?digest=` upload would save a request, but CNCF
    /// distribution 2.8.2 answers it with 202 and ignores the body, so it
    /// is not tried.)
    pub fn push_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        data: &[u8],
    ) -> Result<(), RegistryError> {
        let alg = check_digest_arg(digest)?;
        if digest_of(alg, data) != digest {
            return Err(RegistryError::InvalidArgument {
                what: "blob digest (does not match the data)",
                value: digest.into(),
            });
        }
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let url = self.repo_url(repo, "blobs/uploads/");
        let request = HttpRequest::new(Method::Post, &url).with_body(&[]);
        let (mut response, post_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if response.status() != 202 {
            return Err(self.unexpected(Method::Post, &url, response));
        }
        response.body_mut().discard(MAX_ERROR_BODY);
        let location = response.headers().get("location").ok_or_else(|| {
            RegistryError::protocol(Method::Post, &url, ProtocolError::MissingHeader("Location"))
        })?;
        let location = resolve(&post_url, location).ok_or_else(|| {
            RegistryError::protocol(
                Method::Post,
                &url,
                ProtocolError::InvalidHeader {
                    name: "Location",
                    value: location.chars().take(200).collect(),
                },
            )
        })?;
        let put_url = append_query(&location, "digest", digest);
        let request = HttpRequest::new(Method::Put, &put_url)
            .with_header("Content-Type", "application/octet-stream")
            .with_body(data);
        let (mut response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if !matches!(response.status(), 201 | 204 | 200) {
            return Err(self.unexpected(
                Method::Put,
                &self.shown_url(&put_url, &repo.registry),
                response,
            ));
        }
        response.body_mut().discard(MAX_ERROR_BODY);
        let put_url = self.shown_url(&put_url, &repo.registry);
        if let Some((h, halg)) = self.digest_header(&put_url, &response)?
            && halg == alg
            && h != digest
        {
            return Err(IntegrityError::DigestMismatch {
                url: put_url,
                expected: digest.into(),
                actual: h,
                origin: DigestOrigin::Header,
            }
            .into());
        }
        Ok(())
    }

    /// Pushes a manifest under a tag or its digest (`PUT`). The returned
    /// [`PushedManifest`] says whether the registry answered with
    /// `OCI-Subject` (it processed the `subject`: referrers API supported).
    pub fn push_manifest(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        media_type: &str,
        data: &[u8],
    ) -> Result<PushedManifest, RegistryError> {
        let alg = match manifest_ref(reference)? {
            ManifestRef::Digest(want, alg) => {
                if digest_of(alg, data) != want {
                    return Err(RegistryError::InvalidArgument {
                        what: "manifest digest (does not match the data)",
                        value: want.into(),
                    });
                }
                alg
            }
            ManifestRef::Tag => HashAlgorithm::Sha256,
        };
        let digest = digest_of(alg, data);
        let url = self.repo_url(repo, &format!("manifests/{reference}"));
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let request = HttpRequest::new(Method::Put, &url)
            .with_header("Content-Type", media_type)
            .with_body(data);
        let (mut response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if !matches!(response.status(), 201 | 200 | 204) {
            return Err(self.unexpected(Method::Put, &url, response));
        }
        response.body_mut().discard(MAX_ERROR_BODY);
        if let Some((h, halg)) = self.digest_header(&url, &response)? {
            let ours = if halg == alg {
                digest.clone()
            } else {
                digest_of(halg, data)
            };
            if h != ours {
                return Err(IntegrityError::DigestMismatch {
                    url,
                    expected: ours,
                    actual: h,
                    origin: DigestOrigin::Header,
                }
                .into());
            }
        }
        let oci_subject = response.headers().get("oci-subject").map(str::to_string);
        Ok(PushedManifest {
            descriptor: ContentDescriptor {
                media_type: media_type.to_string(),
                digest,
                size: data.len() as u64,
            },
            oci_subject,
        })
    }

    /// Deletes a manifest by digest. A registry that does not allow it
    /// (405, or the `UNSUPPORTED` error code) gives
    /// [`RegistryError::Unsupported`], which callers turn into a warning
    /// (Q6: a superseded referrers index that cannot be deleted).
    pub fn delete_manifest(&self, repo: &RepositoryRef, digest: &str) -> Result<(), RegistryError> {
        check_digest_arg(digest)?;
        let url = self.repo_url(repo, &format!("manifests/{digest}"));
        let scopes = Scopes::repository(&repo.repository, &["delete"]);
        let request = HttpRequest::new(Method::Delete, &url);
        let (mut response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        match response.status() {
            202 | 200 | 204 => {
                response.body_mut().discard(MAX_ERROR_BODY);
                Ok(())
            }
            status => {
                let e = self.status_error(Method::Delete, &url, &mut response);
                if status == 405 || e.errors.iter().any(|x| x.code == "UNSUPPORTED") {
                    return Err(RegistryError::Unsupported {
                        method: Method::Delete,
                        url,
                        status,
                        errors: e.errors,
                    });
                }
                Err(e.into())
            }
        }
    }

    /// Lists the referrers of `subject_digest` with the referrers API
    /// (Q5): `GET /v2/<name>/referrers/<digest>?artifactType=...`.
    ///
    /// `Ok(None)` when the registry does not support the API (404 without
    /// `NAME_UNKNOWN`, or a first page that is not an image index; the
    /// caller then falls back to the tag schema, Q6). Pages are followed
    /// through `Link: <...>; rel="next"` on the same origin only, each
    /// at most 4 MiB, at most the configured number of pages and
    /// descriptors (an error past the bound, and a link repeating a page is
    /// an error: never an endless loop). When `artifact_type` is given and
    /// the registry does not say it applied the filter
    /// (`OCI-Filters-Applied`), descriptors are filtered here.
    pub fn referrers(
        &self,
        repo: &RepositoryRef,
        subject_digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        check_digest_arg(subject_digest)?;
        let mut url = self.repo_url(repo, &format!("referrers/{subject_digest}"));
        if let Some(t) = artifact_type {
            url = append_query(&url, "artifactType", t);
        }
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let mut visited: HashSet<String> = HashSet::new();
        let mut out: Vec<Descriptor> = Vec::new();
        for page in 0.. {
            if page >= self.inner.max_referrers_pages {
                return Err(RegistryError::limit(
                    &url,
                    LimitKind::ReferrersPages,
                    self.inner.max_referrers_pages as u64,
                    None,
                ));
            }
            visited.insert(url.clone());
            let request =
                HttpRequest::new(Method::Get, &url).with_header("Accept", MEDIA_TYPE_IMAGE_INDEX);
            let (mut response, final_url) =
                self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
            match response.status() {
                200 => {}
                404 if page == 0 => {
                    let e = self.status_error(Method::Get, &url, &mut response);
                    // A missing repository is an error, not "unsupported"
                    // (as oras-go).
                    if e.errors.iter().any(|x| x.code == "NAME_UNKNOWN") {
                        return Err(e.into());
                    }
                    return Ok(None);
                }
                _ => return Err(self.unexpected(Method::Get, &url, response)),
            }
            let content_type = response
                .headers()
                .get("content-type")
                .map(media_type_of)
                .unwrap_or_default();
            if content_type != MEDIA_TYPE_IMAGE_INDEX {
                if page == 0 {
                    response.body_mut().discard(MAX_ERROR_BODY);
                    return Ok(None);
                }
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::UnexpectedContentType {
                        expected: MEDIA_TYPE_IMAGE_INDEX.into(),
                        actual: content_type,
                    },
                ));
            }
            let filters_header: Vec<String> = response
                .headers()
                .get_all(HEADER_FILTERS_APPLIED)
                .flat_map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .collect();
            let link = next_link(response.headers().get_all("link")).map_err(|e| {
                RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::InvalidHeader {
                        name: "Link",
                        value: e.0,
                    },
                )
            })?;
            let body = self.read_limited(
                Method::Get,
                &final_url,
                &mut response,
                LimitKind::ReferrersPage,
                MAX_REFERRERS_PAGE_SIZE,
            )?;
            let parsed: ReferrersPage =
                notation_core::json::check_depth(&body, notation_core::json::MAX_DEPTH)
                    .and_then(|()| serde_json::from_slice(&body).map_err(|e| e.to_string()))
                    .map_err(|e| {
                        RegistryError::protocol(
                            Method::Get,
                            &final_url,
                            ProtocolError::MalformedBody(e),
                        )
                    })?;
            if let Some(mt) = &parsed.media_type
                && mt != MEDIA_TYPE_IMAGE_INDEX
            {
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::UnexpectedContentType {
                        expected: MEDIA_TYPE_IMAGE_INDEX.into(),
                        actual: mt.clone(),
                    },
                ));
            }
            let filtered_by_registry = filters_header.iter().any(|f| f == "artifactType")
                || parsed
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(ANNOTATION_FILTERS_APPLIED))
                    .is_some_and(|v| v.split(',').any(|f| f.trim() == "artifactType"));
            for d in parsed.manifests {
                if let Some(t) = artifact_type {
                    // Q5: filter ourselves unless the registry says it did.
                    if !filtered_by_registry && d.artifact_type.as_deref() != Some(t) {
                        continue;
                    }
                }
                if out.len() >= self.inner.max_referrers {
                    return Err(RegistryError::limit(
                        &final_url,
                        LimitKind::Referrers,
                        self.inner.max_referrers as u64,
                        None,
                    ));
                }
                out.push(d);
            }
            let Some(next) = link else { break };
            let next_url = resolve(&final_url, &next).ok_or_else(|| {
                RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::InvalidHeader {
                        name: "Link",
                        value: next.clone(),
                    },
                )
            })?;
            if !same_origin(&next_url, &final_url) {
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::CrossOriginLink(next_url),
                ));
            }
            if visited.contains(&next_url) {
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::PaginationLoop(next_url),
                ));
            }
            url = next_url;
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_survive_anything() {
        let (e, k) = parse_error_body(br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#);
        assert_eq!(k, ErrorBodyKind::OciErrors);
        assert_eq!(e, [ErrorEntry::new("MANIFEST_UNKNOWN", "manifest unknown")]);
        assert_eq!(parse_error_body(b"").1, ErrorBodyKind::Empty);
        assert_eq!(
            parse_error_body(b"<html>502 Bad Gateway</html>").1,
            ErrorBodyKind::Other
        );
        assert_eq!(
            parse_error_body(br#"{"errors":"nope"}"#).1,
            ErrorBodyKind::Other
        );
        assert_eq!(
            parse_error_body(br#"{"errors":[{"code":"#).1,
            ErrorBodyKind::Other
        );
        let many = format!(
            r#"{{"errors":[{}]}}"#,
            vec![r#"{"code":"X"}"#; 100].join(",")
        );
        assert_eq!(parse_error_body(many.as_bytes()).0.len(), MAX_ERROR_ENTRIES);
        let long = format!(
            r#"{{"errors":[{{"code":"X","message":"{}"}}]}}"#,
            "m".repeat(5000)
        );
        assert!(parse_error_body(long.as_bytes()).0[0].message.len() < 300);
    }

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
