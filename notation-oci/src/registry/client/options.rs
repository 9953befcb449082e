//! [`RegistryClientOptions`]: the client builder.

use super::*;

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
    max_referrers_bytes: u64,
    operation_timeout: std::time::Duration,
    max_operation_bytes: u64,
    timeout_hint: String,
    observer: Option<Arc<dyn RegistryObserver>>,
    transfer_limits: BlobTransferLimits,
    upload_chunk_size: usize,
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
            .field("operation_timeout", &self.operation_timeout)
            .field("max_operation_bytes", &self.max_operation_bytes)
            .field("observer", &self.observer.as_ref().map(|_| "<observer>"))
            .field("transfer_limits", &self.transfer_limits)
            .field("upload_chunk_size", &self.upload_chunk_size)
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
            max_referrers_bytes: referrers::DEFAULT_MAX_REFERRERS_BYTES,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            max_operation_bytes: DEFAULT_MAX_OPERATION_BYTES,
            timeout_hint: DEFAULT_TIMEOUT_HINT.to_string(),
            observer: None,
            transfer_limits: BlobTransferLimits::default(),
            upload_chunk_size: DEFAULT_UPLOAD_CHUNK_SIZE,
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

    /// Time limit of one operation (default 10 s): the time its requests
    /// spend on the network (resolving, connecting, waiting, reading bodies;
    /// redirects, token requests and every page included), summed. An
    /// operation is one method call, or the calls on a handle from
    /// [`RegistryClient::begin_operation`] (a whole verify or sign). Past
    /// it, the request under way fails with [`RegistryError::Timeout`].
    /// Applies whatever the transport.
    pub fn operation_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Most bytes of response bodies one operation reads, all requests
    /// together (default 64 MiB); past it the read fails with a limit error.
    /// Raise it with the blob sizes you fetch.
    pub fn max_operation_bytes(mut self, bytes: u64) -> Self {
        self.max_operation_bytes = bytes;
        self
    }

    /// How a timeout error tells the user to raise the limit (default
    /// "raise it with RegistryClientOptions::operation_timeout"); the CLI
    /// names its `--timeout` flag here.
    pub fn timeout_hint(mut self, hint: impl Into<String>) -> Self {
        self.timeout_hint = hint.into();
        self
    }

    /// Timeouts of the default transport, per request (connect, DNS,
    /// response, read); the operation's time limit shortens them.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Reaches `registry` (`host[:port]`, compared case-insensitively) over
    /// plain HTTP: `--insecure-registry` for the command's registry. A value
    /// with a scheme or a path (`https://reg.io`) never matches, as in the
    /// reference's `insecureRegistries`.
    // Requirements: X2.
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

    /// The `insecureRegistries` of Notation's `config.json`.
    // Requirements: X2, W16.
    pub fn notation_config(self, config: &notation_core::config::Config) -> Self {
        self.insecure_registries(config.insecure_registries.iter().cloned())
    }

    /// Whether `localhost`, `127.0.0.1` and `[::1]` are reached over plain
    /// HTTP (default `true`). The reference CLI takes only `localhost:<port>`
    /// over plain HTTP (the `notation` program here does the same); a
    /// library client takes every loopback address so, for registries
    /// started by tests and development tools. Turn off to talk TLS to a
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

    /// Most referrers pages followed (default 100; 0 is taken as 1).
    pub fn max_referrers_pages(mut self, n: usize) -> Self {
        self.max_referrers_pages = n.max(1);
        self
    }

    /// Most referrer descriptors collected over all pages (default 10 000).
    pub fn max_referrers(mut self, n: usize) -> Self {
        self.max_referrers = n;
        self
    }

    /// Most bytes of referrers pages read by one listing, all pages together
    /// (default 16 MiB; each page is also limited to 4 MiB).
    pub fn max_referrers_bytes(mut self, bytes: u64) -> Self {
        self.max_referrers_bytes = bytes;
        self
    }

    /// Tells `observer` about every HTTP exchange (secrets redacted) and
    /// the referrers mechanism used (default: nobody), for debug output.
    pub fn observer(mut self, observer: Arc<dyn RegistryObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The limits of each blob streamed by
    /// [`RegistryClient::open_blob`] and [`RegistryClient::push_blob_from`]
    /// (copying layers), instead of the operation's: see
    /// [`BlobTransferLimits`].
    pub fn blob_transfer_limits(mut self, limits: BlobTransferLimits) -> Self {
        self.transfer_limits = limits;
        self
    }

    /// The size of the pieces [`RegistryClient::push_blob_from`] uploads a
    /// large blob in, which is the most of it held in memory (default
    /// 8 MiB; between 64 KiB and 64 MiB). A registry that asks for larger
    /// chunks (`OCI-Chunk-Min-Length`) gets them, up to 64 MiB.
    pub fn upload_chunk_size(mut self, bytes: usize) -> Self {
        self.upload_chunk_size = bytes.clamp(64 * 1024, MAX_UPLOAD_CHUNK_SIZE);
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
                max_referrers_bytes: self.max_referrers_bytes,
                operation_timeout: self.operation_timeout,
                max_operation_bytes: self.max_operation_bytes,
                timeout_hint: self.timeout_hint,
                requests: AtomicU64::new(0),
                auth: AuthCache::default(),
                observer: self.observer,
                capabilities: Default::default(),
                transfer_limits: self.transfer_limits,
                upload_chunk_size: self.upload_chunk_size,
            }),
            budget: None,
        })
    }
}
