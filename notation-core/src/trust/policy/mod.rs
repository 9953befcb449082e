//! Trust policy documents for OCI artifacts and blobs.
//!
//! [`OciTrustPolicyDocument::from_json`] and
//! [`BlobTrustPolicyDocument::from_json`] parse *and* validate: a document
//! value exists only if it passed every rule of the specification, checked in the
//! reference's order and reported with the reference's texts, so the
//! verifier works on typed [`PolicyStatement`]s and never re-validates.
//!
//! JSON reading follows Go's `encoding/json` where that matters to which
//! documents are accepted: object keys match field names case-insensitively
//! (ASCII), unknown keys are ignored, `null` means "absent" (and a `null`
//! list item is an empty string), and any other type mismatch is an error.
//! Two deliberate differences, both refusing documents the reference would
//! read, because a security policy should not have two readings:
//! - a key given twice in one object (including `name` and `Name`, or an
//!   `override` type twice) is an error; Go silently keeps the last value;
//! - anything after the document except whitespace is an error; Go's
//!   decoder stops reading after the first value.
//!
//! Input is bounded ([`MAX_POLICY_SIZE`]) and serde_json's recursion limit
//! bounds nesting, so hostile documents yield errors, never panics.
// Requirements: J, K, M, J7.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::trust::GoQuoted as Q;
use crate::trust::dn::{DnError, ParsedDn};
use crate::trust::store::{TrustStoreType, is_valid_store_name};

mod builder;
mod json;
mod level;
mod load;
mod scope;
mod serialize;
mod statement;
#[cfg(test)]
mod tests;

pub use builder::*;
use json::*;
pub use level::*;
pub use load::*;
pub use scope::*;
pub use statement::*;

/// Where the reference's error messages send users.
pub const TRUST_POLICY_LINK: &str =
    "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

/// The only document version.
// Requirements: J2.
pub const SUPPORTED_VERSION: &str = "1.0";

/// The wildcard registry scope and trusted identity.
pub const WILDCARD: &str = "*";

/// The identity prefix Notation verifies itself.
// Requirements: L1.
pub const X509_SUBJECT_PREFIX: &str = "x509.subject";

/// OCI policy file name in the configuration directory.
// Requirements: J1.
pub const OCI_POLICY_FILE: &str = "trustpolicy.oci.json";

/// Legacy OCI policy file name, read when [`OCI_POLICY_FILE`] is absent.
// Requirements: J1.
pub const LEGACY_OCI_POLICY_FILE: &str = "trustpolicy.json";

/// Blob policy file name.
// Requirements: J1.
pub const BLOB_POLICY_FILE: &str = "trustpolicy.blob.json";

/// Upper bound on a policy document's size. Real documents are a few KiB.
pub const MAX_POLICY_SIZE: usize = 1024 * 1024;

/// Upper bound on the trusted identities of one statement. The overlap
/// check compares every pair, so this is a work budget against hostile
/// documents; the reference has no limit, and real statements list a few.
// Requirements: L5.
pub const MAX_TRUSTED_IDENTITIES: usize = 1024;

// ---------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------

/// Which kind of document an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// `trustpolicy.oci.json`.
    Oci,
    /// `trustpolicy.blob.json`.
    Blob,
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyKind::Oci => "oci",
            PolicyKind::Blob => "blob",
        })
    }
}

/// Why the bytes are not a policy document at all (before the policy rules).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyJsonError {
    /// Not JSON (or nested too deeply, or trailing data).
    #[error("{message}")]
    Syntax {
        /// Go's description (`unexpected end of JSON input`), or where Go
        /// has none (nesting deeper than ours), serde_json's.
        message: String,
    },
    /// A key given twice in one object.
    #[error("duplicate key {key:?} in {path}")]
    DuplicateKey {
        /// Where (`trustPolicies[0]`).
        path: String,
        /// The repeated key.
        key: String,
    },
    /// A value of the wrong JSON type.
    #[error("cannot unmarshal {found} into {path} of type {expected}")]
    WrongType {
        /// Where (`trustPolicies[0].trustStores[1]`).
        path: String,
        /// The expected type.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// Larger than [`MAX_POLICY_SIZE`].
    #[error("trust policy document is {size} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// The size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl PolicyJsonError {
    /// The text the reference gives for this error in a document of `kind`:
    /// a value of the wrong type as Go's `json.Unmarshal` words it
    /// (`json: cannot unmarshal array into Go value of type
    /// trustpolicy.BlobDocument`); the others as they display.
    pub fn go_text(&self, kind: PolicyKind) -> String {
        match self {
            PolicyJsonError::WrongType { path, found, .. } => {
                json::go_type_error(kind, path, found)
            }
            other => other.to_string(),
        }
    }
}

/// Why a document is not a valid trust policy, with the reference's
/// texts.
// Requirements: J2-J7.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not a JSON document of the expected shape.
    #[error(transparent)]
    Malformed(#[from] PolicyJsonError),
    /// `version` missing or empty.
    #[error("{kind} trust policy document has empty version, version must be specified")]
    EmptyVersion {
        /// The document kind.
        kind: PolicyKind,
    },
    /// `version` other than `1.0`.
    #[error("{kind} trust policy document uses unsupported version {}", Q(.version))]
    UnsupportedVersion {
        /// The document kind.
        kind: PolicyKind,
        /// The version as written.
        version: String,
    },
    /// No statements.
    #[error("{kind} trust policy document can not have zero trust policy statements")]
    ZeroStatements {
        /// The document kind.
        kind: PolicyKind,
    },
    /// Two statements with one name.
    #[error("multiple {kind} trust policy statements use the same name {}, statement names must be unique", Q(.name))]
    DuplicateStatementName {
        /// The document kind.
        kind: PolicyKind,
        /// The name.
        name: String,
    },
    /// One statement is invalid.
    #[error("{kind} trust policy: {error}")]
    InvalidStatement {
        /// The document kind.
        kind: PolicyKind,
        /// Why.
        error: StatementError,
    },
    /// An OCI statement without registry scopes.
    #[error("oci trust policy statement {} has zero registry scopes, it must specify registry scopes with at least one value", Q(.statement))]
    ZeroRegistryScopes {
        /// The statement.
        statement: String,
    },
    /// `*` together with other scopes.
    #[error("oci trust policy statement {} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values", Q(.statement))]
    WildcardScopeWithOthers {
        /// The statement.
        statement: String,
    },
    /// A malformed scope.
    // Requirements: K2.
    #[error("{error}")]
    InvalidRegistryScope {
        /// The statement.
        statement: String,
        /// Why.
        error: RegistryScopeError,
    },
    /// One scope in two statements, or twice in one (including `*`).
    #[error("registry scope {} is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement", Q(.scope))]
    DuplicateRegistryScope {
        /// The scope.
        scope: String,
    },
    /// More than one blob statement with `globalPolicy: true`.
    #[error(
        "multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy"
    )]
    MultipleGlobalPolicies,
    /// A global blob statement with level `skip`.
    // Requirements: W7.
    #[error("global blob trust policy statement cannot have verification level set to skip")]
    GlobalPolicySkip {
        /// The statement.
        statement: String,
    },
}

/// Shared validation of the document header and statements (the
/// reference's order).
// Requirements: J7.
fn validate_document(
    kind: PolicyKind,
    raw: &RawDocument,
) -> Result<Vec<PolicyStatement>, PolicyError> {
    if raw.version.is_empty() {
        return Err(PolicyError::EmptyVersion { kind });
    }
    if raw.version != SUPPORTED_VERSION {
        return Err(PolicyError::UnsupportedVersion {
            kind,
            version: raw.version.clone(),
        });
    }
    if raw.statements.is_empty() {
        return Err(PolicyError::ZeroStatements { kind });
    }
    let mut names = HashSet::new();
    let mut statements = Vec::with_capacity(raw.statements.len());
    let mut found_global = false;
    for st in &raw.statements {
        if names.contains(st.name.as_str()) {
            return Err(PolicyError::DuplicateStatementName {
                kind,
                name: st.name.clone(),
            });
        }
        let statement = validate_statement(st).map_err(|source| PolicyError::InvalidStatement {
            kind,
            error: source,
        })?;
        if kind == PolicyKind::Blob && st.global_policy {
            if found_global {
                return Err(PolicyError::MultipleGlobalPolicies);
            }
            // W7: the spec says a global statement MUST NOT be `skip`. The
            // reference means to check it, but compares a string with a
            // *VerificationLevel, so the check never fires and it accepts
            // such documents; we follow the spec and reject them, with the
            // text the reference would have printed.
            if statement.verification.is_skip() {
                return Err(PolicyError::GlobalPolicySkip {
                    statement: st.name.clone(),
                });
            }
            found_global = true;
        }
        names.insert(st.name.as_str());
        statements.push(statement);
    }
    Ok(statements)
}

/// notation-go `validateRegistryScopes`, run after every statement passed.
fn validate_registry_scopes(raw: &RawDocument) -> Result<(), PolicyError> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for st in &raw.statements {
        if st.registry_scopes.is_empty() {
            return Err(PolicyError::ZeroRegistryScopes {
                statement: st.name.clone(),
            });
        }
        if st.registry_scopes.len() > 1 && st.registry_scopes.iter().any(|s| s == WILDCARD) {
            return Err(PolicyError::WildcardScopeWithOthers {
                statement: st.name.clone(),
            });
        }
        for scope in &st.registry_scopes {
            if scope != WILDCARD {
                validate_registry_scope(scope).map_err(|source| {
                    PolicyError::InvalidRegistryScope {
                        statement: st.name.clone(),
                        error: source,
                    }
                })?;
            }
            let count = counts.entry(scope.as_str()).or_insert(0);
            if *count == 0 {
                order.push(scope.as_str());
            }
            *count += 1;
        }
    }
    // Go walks a map here; with several duplicated scopes we report the
    // first in document order.
    if let Some(scope) = order.into_iter().find(|s| counts[s] > 1) {
        return Err(PolicyError::DuplicateRegistryScope {
            scope: scope.to_owned(),
        });
    }
    Ok(())
}

/// A validated `trustpolicy.oci.json` document.
// Requirements: J2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciTrustPolicyDocument {
    version: String,
    statements: Vec<PolicyStatement>,
}

impl OciTrustPolicyDocument {
    /// Parses and validates an OCI trust policy document.
    pub fn from_json(data: &[u8]) -> Result<Self, PolicyError> {
        Self::from_raw(parse_raw_document(data, PolicyKind::Oci, Rest::Whitespace)?)
    }

    /// As [`Self::from_json`], reading only the document's JSON value and
    /// ignoring what follows it, as the reference reads the policy file
    /// when it verifies (`json.Decoder`); [`Self::from_json`] refuses
    /// trailing data, as the reference's `policy import` does.
    pub(crate) fn from_policy_file(data: &[u8]) -> Result<Self, PolicyError> {
        Self::from_raw(parse_raw_document(data, PolicyKind::Oci, Rest::Ignored)?)
    }

    /// A document (version `1.0`) of statements built in code, validated by
    /// the same rules, with the same messages, as [`Self::from_json`].
    pub fn from_statements(
        statements: impl IntoIterator<Item = OciStatementBuilder>,
    ) -> Result<Self, PolicyError> {
        Self::from_raw(RawDocument::of(statements.into_iter().map(|s| s.raw)))
    }

    /// The one validation of OCI documents, parsed or built.
    fn from_raw(raw: RawDocument) -> Result<Self, PolicyError> {
        let statements = validate_document(PolicyKind::Oci, &raw)?;
        validate_registry_scopes(&raw)?;
        Ok(Self {
            version: raw.version,
            statements,
        })
    }

    /// The document version (`1.0`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The statements in document order.
    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    /// The statement for `artifact_reference`, which must be
    /// `registry/repository@digest` without scheme. The repository part
    /// is compared exactly with the registry scopes; an exact match wins
    /// over a `*` statement.
    // Requirements: K1.
    pub fn applicable_policy(
        &self,
        artifact_reference: &str,
    ) -> Result<&PolicyStatement, PolicySelectionError> {
        let invalid = || PolicySelectionError::InvalidArtifactReference {
            reference: artifact_reference.to_owned(),
        };
        let (repository, digest) = artifact_reference.rsplit_once('@').ok_or_else(invalid)?;
        validate_registry_scope(repository).map_err(|source| {
            PolicySelectionError::InvalidArtifactRepository {
                reference: artifact_reference.to_owned(),
                error: source,
            }
        })?;
        if !is_digest(digest) {
            return Err(invalid());
        }
        self.select(repository, artifact_reference)
    }

    /// The statement for a repository scope `registry/repository`, before
    /// any tag is resolved (the policy, and a `skip`, are known before
    /// any registry access). `reference` is the user's reference, quoted in
    /// the error.
    // Requirements: T2.
    pub fn policy_for_scope(
        &self,
        scope: &str,
        reference: &str,
    ) -> Result<&PolicyStatement, PolicySelectionError> {
        validate_registry_scope(scope).map_err(|source| {
            PolicySelectionError::InvalidArtifactRepository {
                reference: reference.to_owned(),
                error: source,
            }
        })?;
        self.select(scope, reference)
    }

    fn select(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<&PolicyStatement, PolicySelectionError> {
        let exact = self
            .statements
            .iter()
            .find(|s| s.registry_scopes.iter().any(|r| r == repository));
        let wildcard = self
            .statements
            .iter()
            .find(|s| s.registry_scopes.iter().any(|r| r == WILDCARD));
        exact
            .or(wildcard)
            .ok_or_else(|| PolicySelectionError::NoApplicableOciPolicy {
                reference: reference.to_owned(),
            })
    }

    /// The document as indented JSON, fields in the reference's order.
    pub fn to_json_pretty(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("policy documents serialize")
    }
}

/// A validated `trustpolicy.blob.json` document.
// Requirements: J3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobTrustPolicyDocument {
    version: String,
    statements: Vec<PolicyStatement>,
}

impl BlobTrustPolicyDocument {
    /// Parses and validates a blob trust policy document.
    pub fn from_json(data: &[u8]) -> Result<Self, PolicyError> {
        Self::from_raw(parse_raw_document(
            data,
            PolicyKind::Blob,
            Rest::Whitespace,
        )?)
    }

    /// As [`Self::from_json`], reading only the document's JSON value and
    /// ignoring what follows it, as the reference reads the policy file
    /// when it verifies (`json.Decoder`); [`Self::from_json`] refuses
    /// trailing data, as the reference's `policy import` does.
    pub(crate) fn from_policy_file(data: &[u8]) -> Result<Self, PolicyError> {
        Self::from_raw(parse_raw_document(data, PolicyKind::Blob, Rest::Ignored)?)
    }

    /// A document (version `1.0`) of statements built in code, validated by
    /// the same rules, with the same messages, as [`Self::from_json`].
    pub fn from_statements(
        statements: impl IntoIterator<Item = BlobStatementBuilder>,
    ) -> Result<Self, PolicyError> {
        Self::from_raw(RawDocument::of(statements.into_iter().map(|s| s.raw)))
    }

    /// The one validation of blob documents, parsed or built.
    fn from_raw(raw: RawDocument) -> Result<Self, PolicyError> {
        let statements = validate_document(PolicyKind::Blob, &raw)?;
        Ok(Self {
            version: raw.version,
            statements,
        })
    }

    /// A one-statement `strict` document, as `notation blob policy init`
    /// writes it; validated like a parsed document.
    #[deprecated(
        since = "0.1.0",
        note = "use BlobTrustPolicyDocument::from_statements with a BlobStatementBuilder"
    )]
    pub fn init<S: AsRef<str>>(
        name: &str,
        trust_stores: &[S],
        trusted_identities: &[S],
        global: bool,
    ) -> Result<Self, PolicyError> {
        Self::from_statements([BlobStatementBuilder::new(name)
            .trust_store_entries(trust_stores.iter().map(AsRef::as_ref))
            .trusted_identities(trusted_identities.iter().map(AsRef::as_ref))
            .global(global)])
    }

    /// The document version (`1.0`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The statements in document order.
    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    /// The statement to verify a blob with: the one named `name`
    /// (exact match; a blank name is an error), or with no name the global
    /// statement.
    // Requirements: K4.
    pub fn policy(&self, name: Option<&str>) -> Result<&PolicyStatement, PolicySelectionError> {
        match name {
            None => self
                .global_policy()
                .ok_or(PolicySelectionError::NoGlobalBlobPolicy),
            Some(n) if n.trim().is_empty() => Err(PolicySelectionError::EmptyPolicyName),
            Some(n) => self
                .statements
                .iter()
                .find(|s| s.name == n)
                .ok_or_else(|| PolicySelectionError::NoBlobPolicyNamed { name: n.to_owned() }),
        }
    }

    /// The statement with `globalPolicy: true`, if any.
    pub fn global_policy(&self) -> Option<&PolicyStatement> {
        self.statements.iter().find(|s| s.global)
    }

    /// The document as indented JSON (as `notation blob policy init` writes
    /// it), fields in the reference's order.
    pub fn to_json_pretty(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("policy documents serialize")
    }
}
