//! Trust policy documents built in code.
//!
//! A statement builder collects a statement's fields as the JSON would hold
//! them, and [`OciTrustPolicyDocument::from_statements`] and
//! [`BlobTrustPolicyDocument::from_statements`] run the one validation that
//! [`OciTrustPolicyDocument::from_json`] and
//! [`BlobTrustPolicyDocument::from_json`] run, so a document built in code
//! is accepted or refused exactly as the same document written in JSON,
//! with the same messages.
//!
//! ```
//! use notation_core::trust::{
//!     OciStatementBuilder, OciTrustPolicyDocument, TrustStoreRef, TrustStoreType,
//!     ValidationAction, ValidationType, VerificationLevel,
//! };
//!
//! let statement = OciStatementBuilder::new("wabbit-networks-images")
//!     .registry_scope("registry.wabbit-networks.io/software/net-monitor")
//!     .level(VerificationLevel::Strict)
//!     .override_action(ValidationType::Revocation, ValidationAction::Log)
//!     .trust_store(TrustStoreRef::new(TrustStoreType::Ca, "wabbit-networks.io")?)
//!     .trusted_identity("x509.subject: C=US, ST=WA, O=wabbit-networks.io");
//! let policy = OciTrustPolicyDocument::from_statements([statement])?;
//! let statement = policy.statements().first().unwrap();
//! assert_eq!(statement.verification().action(ValidationType::Revocation), ValidationAction::Log);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::*;

/// The fields every statement has, set through the statement builders.
macro_rules! common_statement_methods {
    () => {
        /// The verification level (default [`VerificationLevel::Strict`]).
        pub fn level(mut self, level: VerificationLevel) -> Self {
            self.raw.level = level.as_str().to_owned();
            self
        }

        /// Overrides the action of one check (`signatureVerification.override`),
        /// replacing an earlier override of the same check. The level
        /// rules apply when the document is built: `skip` cannot be
        /// customised, `integrity` cannot be overridden, only `revocation`
        /// may be skipped.
        pub fn override_action(mut self, check: ValidationType, action: ValidationAction) -> Self {
            let key = check.as_str().to_owned();
            let value = action.as_str().to_owned();
            match self.raw.overrides.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => self.raw.overrides.push((key, value)),
            }
            self
        }

        /// When to verify the timestamp countersignature (default
        /// [`VerifyTimestamp::Always`]).
        pub fn verify_timestamp(mut self, when: VerifyTimestamp) -> Self {
            self.raw.verify_timestamp = when.as_str().to_owned();
            self
        }

        /// Adds a trust store.
        pub fn trust_store(mut self, store: TrustStoreRef) -> Self {
            self.raw.trust_stores.push(store.to_string());
            self
        }

        /// Adds a trust store as written in a policy (`ca:acme`), checked
        /// when the document is built, with the JSON's messages (for values
        /// a user typed).
        pub fn trust_store_entry(mut self, value: impl Into<String>) -> Self {
            self.raw.trust_stores.push(value.into());
            self
        }

        /// Adds trust stores as written in a policy (see
        /// [`Self::trust_store_entry`]).
        pub fn trust_store_entries<I>(mut self, values: I) -> Self
        where
            I: IntoIterator,
            I::Item: Into<String>,
        {
            self.raw
                .trust_stores
                .extend(values.into_iter().map(Into::into));
            self
        }

        /// Adds a trusted identity: `*`, or `x509.subject:<DN>` (the leaf
        /// certificate's subject must contain these attributes), or another
        /// `prefix:value` left to a verification plugin. Checked when the
        /// document is built.
        pub fn trusted_identity(mut self, identity: impl Into<String>) -> Self {
            self.raw.trusted_identities.push(identity.into());
            self
        }

        /// Adds trusted identities (see [`Self::trusted_identity`]).
        pub fn trusted_identities<I>(mut self, identities: I) -> Self
        where
            I: IntoIterator,
            I::Item: Into<String>,
        {
            self.raw
                .trusted_identities
                .extend(identities.into_iter().map(Into::into));
            self
        }
    };
}

impl RawDocument {
    /// A version `1.0` document of these statements (built in code).
    pub(super) fn of(statements: impl Iterator<Item = RawStatement>) -> Self {
        RawDocument {
            version: SUPPORTED_VERSION.to_owned(),
            statements: statements.collect(),
        }
    }
}

fn raw_statement(name: String) -> RawStatement {
    RawStatement {
        name,
        level: VerificationLevel::Strict.as_str().to_owned(),
        ..RawStatement::default()
    }
}

/// One statement of an OCI trust policy, built in code: which repositories
/// it applies to (`registryScopes`), how strictly (`signatureVerification`),
/// and whom it trusts (`trustStores`, `trustedIdentities`).
///
/// Nothing is checked until the document is built; see
/// [`OciTrustPolicyDocument::from_statements`].
#[derive(Clone, Debug)]
pub struct OciStatementBuilder {
    pub(super) raw: RawStatement,
}

impl OciStatementBuilder {
    /// A `strict` statement named `name` (names are unique in a document).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            raw: raw_statement(name.into()),
        }
    }

    /// Adds a registry scope: a fully qualified repository without tag or
    /// digest (`registry.example.com/team/app`; for OCI layouts the scope
    /// the caller verifies with, such as `local/app`), or `*` alone for
    /// every repository without a statement of its own.
    pub fn registry_scope(mut self, scope: impl Into<String>) -> Self {
        self.raw.registry_scopes.push(scope.into());
        self
    }

    common_statement_methods!();
}

/// One statement of a blob trust policy, built in code. A blob is verified
/// with the statement named by the caller, or without a name with the one
/// statement marked [`BlobStatementBuilder::global`].
///
/// Nothing is checked until the document is built; see
/// [`BlobTrustPolicyDocument::from_statements`].
#[derive(Clone, Debug)]
pub struct BlobStatementBuilder {
    pub(super) raw: RawStatement,
}

impl BlobStatementBuilder {
    /// A `strict` statement named `name` (names are unique in a document).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            raw: raw_statement(name.into()),
        }
    }

    /// Whether this is the global statement, used when the caller names
    /// none (`globalPolicy`; at most one per document, never `skip`).
    pub fn global(mut self, global: bool) -> Self {
        self.raw.global_policy = global;
        self
    }

    common_statement_methods!();
}
