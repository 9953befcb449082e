//! Building a [`Verifier`]: policies validated and trust stores read once.

use super::*;

/// Builds a [`Verifier`].
pub struct VerifierBuilder {
    trust_store: Arc<dyn TrustStore>,
    oci_policy: Option<OciTrustPolicyDocument>,
    blob_policy: Option<BlobTrustPolicyDocument>,
    crypto: Arc<dyn CryptoProvider>,
    revocation: Arc<dyn RevocationChecker>,
    timestamp_revocation: Option<Arc<dyn RevocationChecker>>,
    verification_time: Option<OffsetDateTime>,
    plugins: Option<Arc<dyn PluginLocator>>,
    chain_cache: bool,
    signature_cache: bool,
}

impl std::fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("oci_policy", &self.oci_policy.is_some())
            .field("blob_policy", &self.blob_policy.is_some())
            .field("verification_time", &self.verification_time)
            .field("plugins", &self.plugins.is_some())
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// A builder over `trust_store`. Give it at least one policy document.
    pub fn new(trust_store: Arc<dyn TrustStore>) -> Self {
        Self {
            trust_store,
            oci_policy: None,
            blob_policy: None,
            crypto: default_provider(),
            revocation: Arc::new(OfflineRevocationChecker),
            timestamp_revocation: None,
            verification_time: None,
            plugins: None,
            chain_cache: true,
            signature_cache: true,
        }
    }

    /// The OCI trust policy (for artifacts).
    pub fn oci_policy(mut self, doc: OciTrustPolicyDocument) -> Self {
        self.oci_policy = Some(doc);
        self
    }

    /// The blob trust policy (for files).
    pub fn blob_policy(mut self, doc: BlobTrustPolicyDocument) -> Self {
        self.blob_policy = Some(doc);
        self
    }

    /// The crypto provider (default: [`default_provider`], aws-lc-rs unless
    /// notation-core is built with the `ring` feature alone).
    pub fn crypto_provider(mut self, crypto: Arc<dyn CryptoProvider>) -> Self {
        self.crypto = crypto;
        self
    }

    /// How signing chains are checked for revocation (default:
    /// [`OfflineRevocationChecker`]).
    pub fn revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        self.revocation = checker;
        self
    }

    /// How timestamping chains are checked for revocation (default: the
    /// signing chain checker).
    pub fn timestamp_revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        self.timestamp_revocation = Some(checker);
        self
    }

    /// Verifies as of a fixed time instead of the clock (for tests and
    /// for re-checking past decisions).
    pub fn verification_time(mut self, t: OffsetDateTime) -> Self {
        self.verification_time = Some(t);
        self
    }

    /// Where verification plugins are found, for example a
    /// [`PluginDirectory`](crate::plugin::PluginDirectory). Without one, a
    /// signature that requires a plugin is inconclusive ("plugin not
    /// found").
    // Requirements: R8.
    pub fn plugin_locator(mut self, locator: Arc<dyn PluginLocator>) -> Self {
        self.plugins = Some(locator);
        self
    }

    /// Whether the verifier remembers the certificate signatures it has
    /// checked and the certificates it has parsed (on by default). A
    /// certificate's signature under its issuer's key depends on their bytes
    /// alone, so the verifier checks it once and a second signature from a
    /// chain already seen costs about one envelope-signature check; validity
    /// periods, expiry and revocation are checked on every verification. The cache is bounded
    /// (1 MiB of certificate data, oldest forgotten first) and shared by the
    /// threads that use the verifier.
    pub fn chain_cache(mut self, enabled: bool) -> Self {
        self.chain_cache = enabled;
        self
    }

    /// Whether the verifier also remembers the other signatures it has
    /// verified: envelope signatures, and those of timestamp tokens, OCSP
    /// responses and CRLs (on by default; part of the chain cache, so
    /// [`chain_cache(false)`](Self::chain_cache) turns it off too). Whether
    /// signature bytes verify over the signed bytes under a key depends on
    /// those bytes alone, so verifying the same signature envelope again
    /// costs parsing it and the checks that depend on time, policy and trust
    /// store, and no public-key operation. Only successes are remembered, by
    /// their exact bytes (every byte is compared on a lookup), in at most
    /// 1 MiB, oldest forgotten first. Turn it off to measure or bound the
    /// cost of verifying signatures not seen before.
    pub fn signature_cache(mut self, enabled: bool) -> Self {
        self.signature_cache = enabled;
        self
    }

    /// Builds the verifier: reads every trust store the policies name, once.
    ///
    /// A store that does not exist, cannot be read or holds invalid
    /// certificates does **not** make `build` fail: a policy document often
    /// has statements for artifacts this program never verifies, and under
    /// `audit` a broken store is only logged. The store's error is kept and
    /// reported, naming the store (`the trust store "acme" of type "ca" does
    /// not exist`), as the authenticity failure of every signature verified
    /// under a statement that uses it (notation-oci's OCI workflow reports
    /// it as a configuration error, never as "untrusted"). To refuse such a
    /// configuration up front, check
    /// [`Verifier::trust_store_errors`] after building.
    ///
    /// Fails only when no policy document was given.
    pub fn build(self) -> Result<Verifier, VerificationError> {
        if self.oci_policy.is_none() && self.blob_policy.is_none() {
            return Err(VerificationError::NoPolicy);
        }
        let statements = self
            .oci_policy
            .iter()
            .flat_map(|d| d.statements())
            .chain(self.blob_policy.iter().flat_map(|d| d.statements()));
        let mut stores = HashMap::new();
        for statement in statements {
            for store in statement.trust_stores() {
                let key = (store.store_type(), store.name().to_string());
                stores.entry(key).or_insert_with_key(|(store_type, name)| {
                    self.trust_store
                        .certificates(*store_type, name)
                        .map(Arc::<[Certificate]>::from)
                });
            }
        }
        let (crypto, chain_cache) =
            cache::with_chain_cache(self.crypto, self.chain_cache, self.signature_cache);
        if let Some(cache) = &chain_cache {
            // Parsed already: a chain ending in a trusted root does not
            // parse the root again.
            for cert in stores.values().flatten().flat_map(|certs| certs.iter()) {
                cache.remember(cert);
            }
        }
        Ok(Verifier {
            oci_policy: self.oci_policy,
            blob_policy: self.blob_policy,
            stores,
            crypto,
            chain_cache,
            timestamp_revocation: self
                .timestamp_revocation
                .unwrap_or_else(|| self.revocation.clone()),
            revocation: self.revocation,
            verification_time: self.verification_time,
            plugins: self.plugins,
        })
    }
}
