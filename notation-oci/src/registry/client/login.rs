//! `GET /v2/`: ping, credential checks and `login`.

use super::*;

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
    Verification(RegistryError),
    /// The credential could not be stored.
    #[error("failed to store the credentials: {0}")]
    Storage(CredentialError),
}

impl RegistryClient {
    /// `GET /v2/` with the client's credentials: checks that the registry
    /// is reachable and the credentials (if any) are accepted.
    pub fn ping(&self, registry: &str) -> Result<(), RegistryError> {
        if self.budget.is_none() {
            return self.begin_operation().ping(registry);
        }
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
        if self.budget.is_none() {
            return self
                .begin_operation()
                .verify_credential(registry, credential);
        }
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
}
