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
                capabilities: Default::default(),
            }),
        })
    }
}
