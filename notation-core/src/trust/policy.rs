//! Trust policy documents for OCI artifacts and blobs (REQUIREMENTS J, K, M).
//!
//! [`OciTrustPolicyDocument::from_json`] and
//! [`BlobTrustPolicyDocument::from_json`] parse *and* validate: a document
//! value exists only if it passed every rule of J6, checked in the
//! reference's order (J7) and reported with the reference's texts, so the
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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::trust::GoQuoted as Q;
use crate::trust::dn::{DnError, ParsedDn};
use crate::trust::store::{TrustStoreType, is_valid_store_name};

/// Where the reference's error messages send users.
pub const TRUST_POLICY_LINK: &str =
    "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

/// The only document version (J2).
pub const SUPPORTED_VERSION: &str = "1.0";

/// The wildcard registry scope and trusted identity.
pub const WILDCARD: &str = "*";

/// The identity prefix Notation verifies itself (L1).
pub const X509_SUBJECT_PREFIX: &str = "x509.subject";

/// OCI policy file name in the configuration directory (J1).
pub const OCI_POLICY_FILE: &str = "trustpolicy.oci.json";

/// Legacy OCI policy file name, read when [`OCI_POLICY_FILE`] is absent (J1).
pub const LEGACY_OCI_POLICY_FILE: &str = "trustpolicy.json";

/// Blob policy file name (J1).
pub const BLOB_POLICY_FILE: &str = "trustpolicy.blob.json";

/// Upper bound on a policy document's size. Real documents are a few KiB.
pub const MAX_POLICY_SIZE: usize = 1024 * 1024;

/// Upper bound on the trusted identities of one statement. The overlap
/// check (L5) compares every pair, so this is a work budget against hostile
/// documents; the reference has no limit, and real statements list a few.
pub const MAX_TRUSTED_IDENTITIES: usize = 1024;

// ---------------------------------------------------------------------------
// Verification levels (M)
// ---------------------------------------------------------------------------

/// A preset of validation actions (J4, M1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerificationLevel {
    /// Every check enforced.
    Strict,
    /// Integrity and authenticity enforced, the rest logged.
    Permissive,
    /// Integrity enforced, the rest logged.
    Audit,
    /// No verification at all (K5).
    Skip,
}

/// One check of the verification procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValidationType {
    /// The signature is well formed and verifies (M3).
    Integrity,
    /// The chain is anchored in a trust store and the leaf matches the
    /// trusted identities (M2).
    Authenticity,
    /// The timestamp countersignature is valid and trusted.
    AuthenticTimestamp,
    /// The signature has not expired.
    Expiry,
    /// No certificate of the chain is revoked.
    Revocation,
}

/// What a failed check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValidationAction {
    /// The failure fails verification.
    Enforce,
    /// The failure is reported and verification goes on.
    Log,
    /// The check is not run.
    Skip,
}

impl VerificationLevel {
    /// All levels, in the reference's order.
    pub const ALL: [VerificationLevel; 4] = [
        VerificationLevel::Strict,
        VerificationLevel::Permissive,
        VerificationLevel::Audit,
        VerificationLevel::Skip,
    ];

    /// The level's name in policies.
    pub const fn as_str(self) -> &'static str {
        match self {
            VerificationLevel::Strict => "strict",
            VerificationLevel::Permissive => "permissive",
            VerificationLevel::Audit => "audit",
            VerificationLevel::Skip => "skip",
        }
    }

    /// The level with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The enforcement matrix of the specification (M, SPEC tstp
    /// §Signature Verification details): the action of `validation` at this
    /// level before overrides. This `match` is the only place the table is
    /// written down.
    pub const fn default_action(self, validation: ValidationType) -> ValidationAction {
        use ValidationAction::{Enforce, Log, Skip};
        use ValidationType::{AuthenticTimestamp, Authenticity, Expiry, Integrity, Revocation};
        match (self, validation) {
            (VerificationLevel::Strict, _) => Enforce,
            (VerificationLevel::Permissive, Integrity | Authenticity) => Enforce,
            (VerificationLevel::Permissive, AuthenticTimestamp | Expiry | Revocation) => Log,
            (VerificationLevel::Audit, Integrity) => Enforce,
            (VerificationLevel::Audit, Authenticity | AuthenticTimestamp | Expiry | Revocation) => {
                Log
            }
            (VerificationLevel::Skip, _) => Skip,
        }
    }
}

impl fmt::Display for VerificationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ValidationType {
    /// All checks, in the order the verifier runs them and the reference
    /// lists them.
    pub const ALL: [ValidationType; 5] = [
        ValidationType::Integrity,
        ValidationType::Authenticity,
        ValidationType::AuthenticTimestamp,
        ValidationType::Expiry,
        ValidationType::Revocation,
    ];

    /// The check's name in policies (`override` keys).
    pub const fn as_str(self) -> &'static str {
        match self {
            ValidationType::Integrity => "integrity",
            ValidationType::Authenticity => "authenticity",
            ValidationType::AuthenticTimestamp => "authenticTimestamp",
            ValidationType::Expiry => "expiry",
            ValidationType::Revocation => "revocation",
        }
    }

    /// The check with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ValidationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ValidationAction {
    /// All actions, in the reference's order.
    pub const ALL: [ValidationAction; 3] = [
        ValidationAction::Enforce,
        ValidationAction::Log,
        ValidationAction::Skip,
    ];

    /// The action's name in policies.
    pub const fn as_str(self) -> &'static str {
        match self {
            ValidationAction::Enforce => "enforce",
            ValidationAction::Log => "log",
            ValidationAction::Skip => "skip",
        }
    }

    /// The action with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for ValidationAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level with its overrides applied: the action of every check for one
/// statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectiveVerification {
    level: VerificationLevel,
    actions: [ValidationAction; 5],
    customized: bool,
}

impl EffectiveVerification {
    /// A level without overrides.
    pub const fn new(level: VerificationLevel) -> Self {
        let mut actions = [ValidationAction::Enforce; 5];
        let mut i = 0;
        while i < 5 {
            actions[i] = level.default_action(ValidationType::ALL[i]);
            i += 1;
        }
        Self {
            level,
            actions,
            customized: false,
        }
    }

    /// A level with overrides, applied in order under the J4 rules:
    /// `skip` cannot be customised, `integrity` cannot be overridden, and
    /// only `revocation` may be skipped.
    pub fn with_overrides(
        level: VerificationLevel,
        overrides: &[(ValidationType, ValidationAction)],
    ) -> Result<Self, VerificationLevelError> {
        let mut effective = Self::new(level);
        for &(validation, action) in overrides {
            effective.apply_override(validation, action)?;
        }
        Ok(effective)
    }

    fn apply_override(
        &mut self,
        validation: ValidationType,
        action: ValidationAction,
    ) -> Result<(), VerificationLevelError> {
        if self.level == VerificationLevel::Skip {
            return Err(VerificationLevelError::SkipCannotBeCustomized);
        }
        if validation == ValidationType::Integrity {
            return Err(VerificationLevelError::IntegrityOverride);
        }
        if validation != ValidationType::Revocation && action == ValidationAction::Skip {
            return Err(VerificationLevelError::SkipNotAllowed { validation });
        }
        self.actions[validation.index()] = action;
        self.customized = true;
        Ok(())
    }

    /// The preset the statement names.
    pub fn level(&self) -> VerificationLevel {
        self.level
    }

    /// The action of one check.
    pub fn action(&self, validation: ValidationType) -> ValidationAction {
        self.actions[validation.index()]
    }

    /// Whether overrides changed the preset (the reference calls such a
    /// level "custom").
    pub fn is_customized(&self) -> bool {
        self.customized
    }

    /// Whether verification is skipped altogether (K5): no signature is
    /// fetched or examined.
    pub fn is_skip(&self) -> bool {
        self.level == VerificationLevel::Skip
    }
}

/// When the timestamp countersignature is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum VerifyTimestamp {
    /// Always (the default).
    #[default]
    Always,
    /// Only once a certificate of the signing chain has expired.
    AfterCertExpiry,
}

impl VerifyTimestamp {
    /// The option's name in policies.
    pub const fn as_str(self) -> &'static str {
        match self {
            VerifyTimestamp::Always => "always",
            VerifyTimestamp::AfterCertExpiry => "afterCertExpiry",
        }
    }

    /// The option with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "always" => Some(VerifyTimestamp::Always),
            "afterCertExpiry" => Some(VerifyTimestamp::AfterCertExpiry),
            _ => None,
        }
    }
}

impl fmt::Display for VerifyTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a `signatureVerification` block is invalid (J4), with the
/// reference's texts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerificationLevelError {
    /// No `level`.
    #[error("signature verification level is empty or missing in the trust policy statement")]
    MissingLevel,
    /// An unknown level.
    #[error("invalid signature verification level {}", Q(.level))]
    InvalidLevel {
        /// The level as written.
        level: String,
    },
    /// Overrides on the `skip` level.
    #[error(
        "signature verification level \"skip\" can't be used to customize signature verification"
    )]
    SkipCannotBeCustomized,
    /// An unknown override key.
    #[error("verification type {} in custom signature verification is not supported, supported values are [\"integrity\" \"authenticity\" \"authenticTimestamp\" \"expiry\" \"revocation\"]", Q(.validation))]
    UnsupportedValidationType {
        /// The key as written.
        validation: String,
    },
    /// An unknown override value.
    #[error("verification action {} in custom signature verification is not supported, supported values are [\"enforce\" \"log\" \"skip\"]", Q(.action))]
    UnsupportedAction {
        /// The value as written.
        action: String,
    },
    /// An override of `integrity`, whatever its value.
    #[error("\"integrity\" verification can not be overridden in custom signature verification")]
    IntegrityOverride,
    /// `skip` for a check other than `revocation`.
    #[error("{} verification can not be skipped in custom signature verification", Q(.validation.as_str()))]
    SkipNotAllowed {
        /// The check.
        validation: ValidationType,
    },
}

// ---------------------------------------------------------------------------
// Trust store references and trusted identities
// ---------------------------------------------------------------------------

/// A `{type}:{name}` entry of a statement's `trustStores` (J5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrustStoreRef {
    store_type: TrustStoreType,
    name: String,
}

/// Why a `trustStores` entry is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreRefError {
    /// No `:`.
    #[error("malformed trust store value {}. The required format is <TrustStoreType>:<TrustStoreName>", Q(.value))]
    MissingSeparator {
        /// The entry.
        value: String,
    },
    /// A type other than `ca`, `signingAuthority`, `tsa`.
    #[error("unsupported trust store type {} in trust store value {}", Q(.store_type), Q(.value))]
    UnsupportedType {
        /// The type as written.
        store_type: String,
        /// The entry.
        value: String,
    },
    /// A name that is not `[a-zA-Z0-9_.-]+`.
    #[error("unsupported trust store name {} in trust store value {}. Named store name needs to follow [a-zA-Z0-9_.-]+ format", Q(.name), Q(.value))]
    InvalidName {
        /// The name as written.
        name: String,
        /// The entry.
        value: String,
    },
}

impl TrustStoreRef {
    /// A reference to the named store of `store_type`.
    pub fn new(store_type: TrustStoreType, name: &str) -> Result<Self, TrustStoreRefError> {
        if !is_valid_store_name(name) {
            return Err(TrustStoreRefError::InvalidName {
                name: name.to_owned(),
                value: format!("{store_type}:{name}"),
            });
        }
        Ok(Self {
            store_type,
            name: name.to_owned(),
        })
    }

    /// Parses `{type}:{name}`, split at the first `:`.
    pub fn parse(value: &str) -> Result<Self, TrustStoreRefError> {
        let (store_type, name) =
            value
                .split_once(':')
                .ok_or_else(|| TrustStoreRefError::MissingSeparator {
                    value: value.to_owned(),
                })?;
        let store_type = TrustStoreType::from_name(store_type).ok_or_else(|| {
            TrustStoreRefError::UnsupportedType {
                store_type: store_type.to_owned(),
                value: value.to_owned(),
            }
        })?;
        if !is_valid_store_name(name) {
            return Err(TrustStoreRefError::InvalidName {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
        Ok(Self {
            store_type,
            name: name.to_owned(),
        })
    }

    /// The store type.
    pub fn store_type(&self) -> TrustStoreType {
        self.store_type
    }

    /// The store name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for TrustStoreRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.store_type, self.name)
    }
}

impl std::str::FromStr for TrustStoreRef {
    type Err = TrustStoreRefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An entry of a statement's `trustedIdentities` (L1, J8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedIdentity {
    /// `*`: any leaf certificate anchored in the statement's trust stores.
    Any,
    /// `x509.subject:<DN>`: the leaf subject must contain these attributes.
    X509Subject {
        /// The entry as written.
        raw: String,
        /// The parsed DN.
        dn: ParsedDn,
    },
    /// Another `prefix:value` (J8): accepted by validation, left to a
    /// verification plugin.
    Other {
        /// The entry as written.
        raw: String,
        /// Text before the first `:`.
        prefix: String,
        /// Text after the first `:`.
        value: String,
    },
}

/// Why one `trustedIdentities` entry is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustedIdentityParseError {
    /// `""`.
    #[error("empty trusted identity")]
    Empty,
    /// No `:` (and not `*`).
    #[error("trusted identity {} missing separator", Q(.identity))]
    MissingSeparator {
        /// The entry.
        identity: String,
    },
    /// `x509.subject:` with nothing after it.
    #[error("trusted identity {} without an identity value", Q(.identity))]
    EmptyValue {
        /// The entry.
        identity: String,
    },
    /// An `x509.subject` DN that is not acceptable (L1, L4).
    #[error("trusted identity {} with invalid identity value: {source}", Q(.identity))]
    InvalidDn {
        /// The entry.
        identity: String,
        /// Why.
        source: DnError,
    },
}

impl TrustedIdentity {
    /// Parses one entry as the reference does: `*`, or `prefix:value` split
    /// at the first `:`, where an `x509.subject` value must be a DN
    /// acceptable to [`ParsedDn::parse`]. The prefix is case-sensitive:
    /// `X509.Subject:...` is an unknown prefix.
    pub fn parse(identity: &str) -> Result<Self, TrustedIdentityParseError> {
        if identity.is_empty() {
            return Err(TrustedIdentityParseError::Empty);
        }
        if identity == WILDCARD {
            return Ok(TrustedIdentity::Any);
        }
        let (prefix, value) = identity.split_once(':').ok_or_else(|| {
            TrustedIdentityParseError::MissingSeparator {
                identity: identity.to_owned(),
            }
        })?;
        if prefix != X509_SUBJECT_PREFIX {
            return Ok(TrustedIdentity::Other {
                raw: identity.to_owned(),
                prefix: prefix.to_owned(),
                value: value.to_owned(),
            });
        }
        if value.is_empty() {
            return Err(TrustedIdentityParseError::EmptyValue {
                identity: identity.to_owned(),
            });
        }
        let dn = ParsedDn::parse(value).map_err(|source| TrustedIdentityParseError::InvalidDn {
            identity: identity.to_owned(),
            source,
        })?;
        Ok(TrustedIdentity::X509Subject {
            raw: identity.to_owned(),
            dn,
        })
    }

    /// The entry as written in the policy (`*` for [`TrustedIdentity::Any`]);
    /// this is what a verification plugin is sent.
    pub fn as_str(&self) -> &str {
        match self {
            TrustedIdentity::Any => WILDCARD,
            TrustedIdentity::X509Subject { raw, .. } | TrustedIdentity::Other { raw, .. } => raw,
        }
    }
}

impl fmt::Display for TrustedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------

/// A validated policy statement: what the verifier applies to one artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyStatement {
    name: String,
    verification: EffectiveVerification,
    overrides: Vec<(ValidationType, ValidationAction)>,
    verify_timestamp: Option<VerifyTimestamp>,
    trust_stores: Vec<TrustStoreRef>,
    trusted_identities: Vec<TrustedIdentity>,
    registry_scopes: Vec<String>,
    global: bool,
}

impl PolicyStatement {
    /// The statement's unique name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The action of every check after overrides.
    pub fn verification(&self) -> &EffectiveVerification {
        &self.verification
    }

    /// The overrides, sorted by check name.
    pub fn overrides(&self) -> &[(ValidationType, ValidationAction)] {
        &self.overrides
    }

    /// When to verify the timestamp (default [`VerifyTimestamp::Always`]).
    pub fn verify_timestamp(&self) -> VerifyTimestamp {
        self.verify_timestamp.unwrap_or_default()
    }

    /// The trust stores in document order; a store may be listed twice (the
    /// reference does not refuse that), so load each only once.
    pub fn trust_stores(&self) -> &[TrustStoreRef] {
        &self.trust_stores
    }

    /// The names of the stores of one type, in document order, without
    /// repeats (what the reference's verifier loads).
    pub fn trust_store_names(&self, store_type: TrustStoreType) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.trust_stores
            .iter()
            .filter(|r| r.store_type == store_type && seen.insert(r.name.as_str()))
            .map(|r| r.name.as_str())
            .collect()
    }

    /// Whether a store of `store_type` is configured (a `tsa` store is
    /// needed to verify timestamps, J5).
    pub fn has_trust_store_type(&self, store_type: TrustStoreType) -> bool {
        self.trust_stores.iter().any(|r| r.store_type == store_type)
    }

    /// The trusted identities in document order.
    pub fn trusted_identities(&self) -> &[TrustedIdentity] {
        &self.trusted_identities
    }

    /// The registry scopes of an OCI statement (empty for blob statements).
    pub fn registry_scopes(&self) -> &[String] {
        &self.registry_scopes
    }

    /// Whether a blob statement is the global policy (always false for OCI).
    pub fn is_global(&self) -> bool {
        self.global
    }
}

/// A statement as read from JSON, before validation, with Go's zero values
/// for absent fields.
#[derive(Clone, Debug, Default)]
struct RawStatement {
    name: String,
    level: String,
    overrides: Vec<(String, String)>,
    verify_timestamp: String,
    trust_stores: Vec<String>,
    trusted_identities: Vec<String>,
    registry_scopes: Vec<String>,
    global_policy: bool,
}

#[derive(Clone, Debug, Default)]
struct RawDocument {
    version: String,
    statements: Vec<RawStatement>,
}

/// Why one statement is invalid (notation-go `validatePolicyCore`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// `name` missing or empty.
    #[error("a trust policy statement is missing a name, every statement requires a name")]
    MissingName,
    /// A bad `signatureVerification` block (J4).
    #[error("trust policy statement {} has invalid signatureVerification: {source}", Q(.statement))]
    InvalidSignatureVerification {
        /// The statement.
        statement: String,
        /// Why.
        source: VerificationLevelError,
    },
    /// `verifyTimestamp` other than `always` / `afterCertExpiry`.
    #[error("trust policy statement {} has invalid signatureVerification: verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got {}", Q(.statement), Q(.value))]
    InvalidVerifyTimestamp {
        /// The statement.
        statement: String,
        /// The value as written.
        value: String,
    },
    /// A `skip` statement with trust stores or identities.
    #[error("trust policy statement {} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped", Q(.statement))]
    SkipWithTrustConfiguration {
        /// The statement.
        statement: String,
    },
    /// A non-`skip` statement without trust stores or without identities.
    #[error("trust policy statement {} is either missing trust stores or trusted identities, both must be specified", Q(.statement))]
    MissingTrustConfiguration {
        /// The statement.
        statement: String,
    },
    /// A bad `trustStores` entry (J5).
    #[error("trust policy statement {} {}", Q(.statement), trust_store_clause(.source))]
    InvalidTrustStore {
        /// The statement.
        statement: String,
        /// Why.
        source: TrustStoreRefError,
    },
    /// `*` together with other identities.
    #[error("trust policy statement {} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values", Q(.statement))]
    WildcardIdentityWithOthers {
        /// The statement.
        statement: String,
    },
    /// A bad `trustedIdentities` entry (L1).
    #[error("trust policy statement {} {}", Q(.statement), identity_clause(.source))]
    InvalidTrustedIdentity {
        /// The statement.
        statement: String,
        /// Why.
        source: TrustedIdentityParseError,
    },
    /// More than [`MAX_TRUSTED_IDENTITIES`] identities (our work budget;
    /// not a reference rule).
    #[error("trust policy statement {} has {count} trusted identities, more than the limit of {MAX_TRUSTED_IDENTITIES}", Q(.statement))]
    TooManyTrustedIdentities {
        /// The statement.
        statement: String,
        /// How many it has.
        count: usize,
    },
    /// Two `x509.subject` identities where one is a subset of the other (L5).
    #[error("trust policy statement {} has overlapping x509 trustedIdentities, {} overlaps with {}", Q(.statement), Q(.identity), Q(.other))]
    OverlappingIdentities {
        /// The statement.
        statement: String,
        /// The identity that is a subset.
        identity: String,
        /// The identity it is a subset of.
        other: String,
    },
}

fn trust_store_clause(e: &TrustStoreRefError) -> String {
    match e {
        TrustStoreRefError::MissingSeparator { .. } => format!("has {e}"),
        TrustStoreRefError::UnsupportedType { .. } | TrustStoreRefError::InvalidName { .. } => {
            format!("uses an {e}")
        }
    }
}

fn identity_clause(e: &TrustedIdentityParseError) -> String {
    match e {
        TrustedIdentityParseError::Empty => "has an empty trusted identity".to_owned(),
        _ => format!("has {e}"),
    }
}

/// Validates what OCI and blob statements share, in the reference's order:
/// name, level and overrides, verifyTimestamp, then (unless `skip`) trust
/// stores and trusted identities.
fn validate_statement(raw: &RawStatement) -> Result<PolicyStatement, StatementError> {
    if raw.name.is_empty() {
        return Err(StatementError::MissingName);
    }
    let statement = || raw.name.clone();
    let (verification, overrides) =
        parse_verification(&raw.level, &raw.overrides).map_err(|source| {
            StatementError::InvalidSignatureVerification {
                statement: statement(),
                source,
            }
        })?;
    let verify_timestamp = match raw.verify_timestamp.as_str() {
        "" => None,
        v => Some(VerifyTimestamp::from_name(v).ok_or_else(|| {
            StatementError::InvalidVerifyTimestamp {
                statement: statement(),
                value: v.to_owned(),
            }
        })?),
    };
    let mut trust_stores = Vec::new();
    let mut trusted_identities = Vec::new();
    if verification.is_skip() {
        if !raw.trust_stores.is_empty() || !raw.trusted_identities.is_empty() {
            return Err(StatementError::SkipWithTrustConfiguration {
                statement: statement(),
            });
        }
    } else {
        if raw.trust_stores.is_empty() || raw.trusted_identities.is_empty() {
            return Err(StatementError::MissingTrustConfiguration {
                statement: statement(),
            });
        }
        for value in &raw.trust_stores {
            trust_stores.push(TrustStoreRef::parse(value).map_err(|source| {
                StatementError::InvalidTrustStore {
                    statement: statement(),
                    source,
                }
            })?);
        }
        trusted_identities = validate_identities(&raw.name, &raw.trusted_identities)?;
    }
    Ok(PolicyStatement {
        name: raw.name.clone(),
        verification,
        overrides,
        verify_timestamp,
        trust_stores,
        trusted_identities,
        registry_scopes: raw.registry_scopes.clone(),
        global: raw.global_policy,
    })
}

/// notation-go `GetVerificationLevel`, with overrides checked in document
/// order (Go walks a map, so with several bad overrides it reports a random
/// one; we report the first).
fn parse_verification(
    level: &str,
    overrides: &[(String, String)],
) -> Result<
    (
        EffectiveVerification,
        Vec<(ValidationType, ValidationAction)>,
    ),
    VerificationLevelError,
> {
    if level.is_empty() {
        return Err(VerificationLevelError::MissingLevel);
    }
    let level = VerificationLevel::from_name(level).ok_or_else(|| {
        VerificationLevelError::InvalidLevel {
            level: level.to_owned(),
        }
    })?;
    let mut effective = EffectiveVerification::new(level);
    if overrides.is_empty() {
        return Ok((effective, Vec::new()));
    }
    if level == VerificationLevel::Skip {
        return Err(VerificationLevelError::SkipCannotBeCustomized);
    }
    let mut typed = Vec::with_capacity(overrides.len());
    for (key, value) in overrides {
        let validation = ValidationType::from_name(key).ok_or_else(|| {
            VerificationLevelError::UnsupportedValidationType {
                validation: key.clone(),
            }
        })?;
        let action = ValidationAction::from_name(value).ok_or_else(|| {
            VerificationLevelError::UnsupportedAction {
                action: value.clone(),
            }
        })?;
        effective.apply_override(validation, action)?;
        typed.push((validation, action));
    }
    // Kept sorted by name, as Go marshals the override map, so that a
    // document survives a write and re-read unchanged.
    typed.sort_by_key(|(t, _)| t.as_str());
    Ok((effective, typed))
}

/// notation-go `validateTrustedIdentities`: the wildcard rule first, then
/// each entry, then overlaps (L5) among the `x509.subject` entries.
fn validate_identities(
    statement: &str,
    identities: &[String],
) -> Result<Vec<TrustedIdentity>, StatementError> {
    if identities.len() > MAX_TRUSTED_IDENTITIES {
        return Err(StatementError::TooManyTrustedIdentities {
            statement: statement.to_owned(),
            count: identities.len(),
        });
    }
    if identities.len() > 1 && identities.iter().any(|i| i == WILDCARD) {
        return Err(StatementError::WildcardIdentityWithOthers {
            statement: statement.to_owned(),
        });
    }
    let parsed = identities
        .iter()
        .map(|i| {
            TrustedIdentity::parse(i).map_err(|source| StatementError::InvalidTrustedIdentity {
                statement: statement.to_owned(),
                source,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let dns: Vec<(&str, &ParsedDn)> = parsed
        .iter()
        .filter_map(|i| match i {
            TrustedIdentity::X509Subject { raw, dn } => Some((raw.as_str(), dn)),
            _ => None,
        })
        .collect();
    for (i, (raw1, dn1)) in dns.iter().enumerate() {
        for (j, (raw2, dn2)) in dns.iter().enumerate() {
            if i != j && dn1.is_subset_of(dn2) {
                return Err(StatementError::OverlappingIdentities {
                    statement: statement.to_owned(),
                    identity: (*raw1).to_owned(),
                    other: (*raw2).to_owned(),
                });
            }
        }
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------
// Registry scopes (K1, K2)
// ---------------------------------------------------------------------------

/// Why a registry scope (or the repository part of an artifact reference)
/// is not `domain[:port]/repository` (K2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryScopeError {
    /// Not a fully qualified repository.
    #[error("registry scope {} is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout", Q(.scope))]
    Invalid {
        /// The scope.
        scope: String,
    },
    /// A `*` inside a scope (only a lone `*` is allowed).
    #[error("registry scope {} with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout", Q(.scope))]
    Wildcard {
        /// The scope.
        scope: String,
    },
}

/// Checks a registry scope other than `*` (notation-go
/// `validateRegistryScopeFormat`, with distribution's domain and repository
/// grammars written out instead of as regular expressions).
pub fn validate_registry_scope(scope: &str) -> Result<(), RegistryScopeError> {
    if scope.len() > 1 && scope.contains('*') {
        return Err(RegistryScopeError::Wildcard {
            scope: scope.to_owned(),
        });
    }
    let invalid = || RegistryScopeError::Invalid {
        scope: scope.to_owned(),
    };
    let (domain, repository) = scope.split_once('/').ok_or_else(invalid)?;
    if !is_domain(domain) || !is_repository(repository) {
        return Err(invalid());
    }
    Ok(())
}

/// `domain-component ("." domain-component)* (":" [0-9]+)?` where a component
/// is alphanumeric with inner hyphens.
fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    host.split('.').all(|label| {
        let b = label.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    })
}

/// `path-component ("/" path-component)*` where a component is
/// `[a-z0-9]+ (separator [a-z0-9]+)*` and a separator is `.`, `_`, `__` or
/// one or more `-`.
fn is_repository(repository: &str) -> bool {
    repository.split('/').all(|component| {
        let b = component.as_bytes();
        if b.is_empty() || !is_lower_alnum(b[0]) || !is_lower_alnum(b[b.len() - 1]) {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if is_lower_alnum(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !is_lower_alnum(b[i]) {
                i += 1;
            }
            let sep = &component[start..i];
            let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
            if !ok {
                return false;
            }
        }
        true
    })
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `algorithm ":" encoded` (OCI image spec digest grammar): the reference
/// only looks for the `@`; we also require a digest after it (K1: the
/// reference must be `registry/repo@sha256:...`).
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm
            .split(['+', '.', '_', '-'])
            .all(|c| !c.is_empty() && c.bytes().all(is_lower_alnum));
    let encoded_ok = !encoded.is_empty()
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
    algorithm_ok && encoded_ok
}

/// Why no statement applies to an artifact.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicySelectionError {
    /// Not `repository@digest`.
    #[error("artifact URI {} could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest", Q(.reference))]
    InvalidArtifactReference {
        /// The reference.
        reference: String,
    },
    /// The repository part is not a valid scope.
    #[error("{source}")]
    InvalidArtifactRepository {
        /// The reference.
        reference: String,
        /// Why.
        source: RegistryScopeError,
    },
    /// No statement's scope matches, and no `*` statement (K1).
    #[error("artifact {} has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: {TRUST_POLICY_LINK}", Q(.reference))]
    NoApplicableOciPolicy {
        /// The reference.
        reference: String,
    },
    /// A blank policy name (K4).
    #[error("policy name cannot be empty")]
    EmptyPolicyName,
    /// No blob statement of that name (K4).
    #[error("no applicable blob trust policy with name {}", Q(.name))]
    NoBlobPolicyNamed {
        /// The name asked for.
        name: String,
    },
    /// No name given and no global blob statement (K4).
    #[error("no global blob trust policy")]
    NoGlobalBlobPolicy,
}

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

/// Why the bytes are not a policy document at all (before the J6 rules).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyJsonError {
    /// Not JSON (or nested too deeply, or trailing data).
    #[error("{message}")]
    Syntax {
        /// serde_json's description, with line and column.
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

/// Why a document is not a valid trust policy (J2-J7), with the reference's
/// texts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not a JSON document of the expected shape.
    #[error("{0}")]
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
    #[error("{kind} trust policy: {source}")]
    InvalidStatement {
        /// The document kind.
        kind: PolicyKind,
        /// Why.
        source: StatementError,
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
    /// A malformed scope (K2).
    #[error("{source}")]
    InvalidRegistryScope {
        /// The statement.
        statement: String,
        /// Why.
        source: RegistryScopeError,
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
    /// A global blob statement with level `skip` (W7).
    #[error("global blob trust policy statement cannot have verification level set to skip")]
    GlobalPolicySkip {
        /// The statement.
        statement: String,
    },
}

/// Shared validation of the document header and statements (J7 order).
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
        let statement = validate_statement(st)
            .map_err(|source| PolicyError::InvalidStatement { kind, source })?;
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
                        source,
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

/// A validated `trustpolicy.oci.json` document (J2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciTrustPolicyDocument {
    version: String,
    statements: Vec<PolicyStatement>,
}

impl OciTrustPolicyDocument {
    /// Parses and validates an OCI trust policy document.
    pub fn from_json(data: &[u8]) -> Result<Self, PolicyError> {
        let raw = parse_raw_document(data, PolicyKind::Oci)?;
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
    /// `registry/repository@digest` without scheme (K1). The repository part
    /// is compared exactly with the registry scopes; an exact match wins
    /// over a `*` statement.
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
                source,
            }
        })?;
        if !is_digest(digest) {
            return Err(invalid());
        }
        self.select(repository, artifact_reference)
    }

    /// The statement for a repository scope `registry/repository`, before
    /// any tag is resolved (T2: the policy, and a `skip`, are known before
    /// any registry access). `reference` is the user's reference, quoted in
    /// the error.
    pub fn policy_for_scope(
        &self,
        scope: &str,
        reference: &str,
    ) -> Result<&PolicyStatement, PolicySelectionError> {
        validate_registry_scope(scope).map_err(|source| {
            PolicySelectionError::InvalidArtifactRepository {
                reference: reference.to_owned(),
                source,
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

/// A validated `trustpolicy.blob.json` document (J3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobTrustPolicyDocument {
    version: String,
    statements: Vec<PolicyStatement>,
}

impl BlobTrustPolicyDocument {
    /// Parses and validates a blob trust policy document.
    pub fn from_json(data: &[u8]) -> Result<Self, PolicyError> {
        let raw = parse_raw_document(data, PolicyKind::Blob)?;
        let statements = validate_document(PolicyKind::Blob, &raw)?;
        Ok(Self {
            version: raw.version,
            statements,
        })
    }

    /// A one-statement `strict` document, as `notation blob policy init`
    /// writes it; validated like a parsed document.
    pub fn init<S: AsRef<str>>(
        name: &str,
        trust_stores: &[S],
        trusted_identities: &[S],
        global: bool,
    ) -> Result<Self, PolicyError> {
        let raw = RawDocument {
            version: SUPPORTED_VERSION.to_owned(),
            statements: vec![RawStatement {
                name: name.to_owned(),
                level: VerificationLevel::Strict.as_str().to_owned(),
                trust_stores: trust_stores.iter().map(|s| s.as_ref().to_owned()).collect(),
                trusted_identities: trusted_identities
                    .iter()
                    .map(|s| s.as_ref().to_owned())
                    .collect(),
                global_policy: global,
                ..RawStatement::default()
            }],
        };
        let statements = validate_document(PolicyKind::Blob, &raw)?;
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

    /// The statement to verify a blob with (K4): the one named `name`
    /// (exact match; a blank name is an error), or with no name the global
    /// statement.
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

// ---------------------------------------------------------------------------
// Serialization (the reference's struct field order)
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct SignatureVerificationOut<'a> {
    level: &'a str,
    #[serde(rename = "override", skip_serializing_if = "BTreeMap::is_empty")]
    overrides: BTreeMap<&'a str, &'a str>,
    #[serde(rename = "verifyTimestamp", skip_serializing_if = "Option::is_none")]
    verify_timestamp: Option<&'a str>,
}

#[derive(Serialize)]
struct StatementOut<'a> {
    name: &'a str,
    #[serde(rename = "signatureVerification")]
    signature_verification: SignatureVerificationOut<'a>,
    #[serde(rename = "trustStores")]
    trust_stores: Vec<String>,
    #[serde(rename = "trustedIdentities")]
    trusted_identities: Vec<&'a str>,
    #[serde(rename = "registryScopes", skip_serializing_if = "Option::is_none")]
    registry_scopes: Option<&'a [String]>,
    #[serde(rename = "globalPolicy", skip_serializing_if = "std::ops::Not::not")]
    global_policy: bool,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    version: &'a str,
    #[serde(rename = "trustPolicies")]
    trust_policies: Vec<StatementOut<'a>>,
}

fn statement_out(s: &PolicyStatement, kind: PolicyKind) -> StatementOut<'_> {
    StatementOut {
        name: &s.name,
        signature_verification: SignatureVerificationOut {
            level: s.verification.level.as_str(),
            // Go marshals the override map with sorted keys.
            overrides: s
                .overrides
                .iter()
                .map(|(t, a)| (t.as_str(), a.as_str()))
                .collect(),
            verify_timestamp: s.verify_timestamp.map(VerifyTimestamp::as_str),
        },
        trust_stores: s.trust_stores.iter().map(ToString::to_string).collect(),
        trusted_identities: s
            .trusted_identities
            .iter()
            .map(TrustedIdentity::as_str)
            .collect(),
        registry_scopes: (kind == PolicyKind::Oci).then_some(s.registry_scopes.as_slice()),
        global_policy: s.global,
    }
}

impl Serialize for OciTrustPolicyDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DocumentOut {
            version: &self.version,
            trust_policies: self
                .statements
                .iter()
                .map(|s| statement_out(s, PolicyKind::Oci))
                .collect(),
        }
        .serialize(serializer)
    }
}

impl Serialize for BlobTrustPolicyDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DocumentOut {
            version: &self.version,
            trust_policies: self
                .statements
                .iter()
                .map(|s| statement_out(s, PolicyKind::Blob))
                .collect(),
        }
        .serialize(serializer)
    }
}

// ---------------------------------------------------------------------------
// JSON reading with Go's semantics
// ---------------------------------------------------------------------------

/// A JSON value that keeps object keys in order, duplicates included, so
/// that duplicates can be refused and field names matched like Go does.
enum Json {
    Null,
    Bool(bool),
    Number,
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Json, E> {
                Ok(Json::Number)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Json, E> {
                Ok(Json::Number)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Json, E> {
                Ok(Json::Number)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    entries.push((k, v));
                }
                Ok(Json::Object(entries))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

fn parse_json(data: &[u8]) -> Result<Json, PolicyJsonError> {
    if data.len() > MAX_POLICY_SIZE {
        return Err(PolicyJsonError::TooLarge {
            size: data.len(),
            limit: MAX_POLICY_SIZE,
        });
    }
    let syntax = |e: serde_json::Error| PolicyJsonError::Syntax {
        message: e.to_string(),
    };
    let mut de = serde_json::Deserializer::from_slice(data);
    let value = Json::deserialize(&mut de).map_err(syntax)?;
    de.end().map_err(syntax)?;
    Ok(value)
}

fn wrong_type(path: &str, expected: &'static str, found: &Json) -> PolicyJsonError {
    PolicyJsonError::WrongType {
        path: path.to_owned(),
        expected,
        found: found.kind(),
    }
}

/// Picks the known fields of an object (Go: `null` is an absent object).
/// Keys match case-insensitively (ASCII) as in Go; a field given twice is an
/// error; unknown keys are ignored.
fn object_fields<'a, const N: usize>(
    value: Option<&'a Json>,
    path: &str,
    names: [&str; N],
) -> Result<[Option<&'a Json>; N], PolicyJsonError> {
    let mut fields = [None; N];
    let entries = match value {
        None | Some(Json::Null) => return Ok(fields),
        Some(Json::Object(entries)) => entries,
        Some(other) => return Err(wrong_type(path, "object", other)),
    };
    for (key, v) in entries {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(key)) {
            if fields[i].is_some() {
                return Err(PolicyJsonError::DuplicateKey {
                    path: path.to_owned(),
                    key: key.clone(),
                });
            }
            fields[i] = Some(v);
        }
    }
    Ok(fields)
}

fn string_field(value: Option<&Json>, path: &str) -> Result<String, PolicyJsonError> {
    match value {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(wrong_type(path, "string", other)),
    }
}

fn bool_field(value: Option<&Json>, path: &str) -> Result<bool, PolicyJsonError> {
    match value {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(other) => Err(wrong_type(path, "bool", other)),
    }
}

fn string_list_field(value: Option<&Json>, path: &str) -> Result<Vec<String>, PolicyJsonError> {
    match value {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| string_field(Some(item), &format!("{path}[{i}]")))
            .collect(),
        Some(other) => Err(wrong_type(path, "[]string", other)),
    }
}

/// The `override` object: keys are exact (Go map keys), in document order.
fn string_map_field(
    value: Option<&Json>,
    path: &str,
) -> Result<Vec<(String, String)>, PolicyJsonError> {
    let entries = match value {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Object(entries)) => entries,
        Some(other) => return Err(wrong_type(path, "map[string]string", other)),
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (key, v) in entries {
        if !seen.insert(key.as_str()) {
            return Err(PolicyJsonError::DuplicateKey {
                path: path.to_owned(),
                key: key.clone(),
            });
        }
        out.push((
            key.clone(),
            string_field(Some(v), &format!("{path}.{key}"))?,
        ));
    }
    Ok(out)
}

fn parse_raw_document(data: &[u8], kind: PolicyKind) -> Result<RawDocument, PolicyJsonError> {
    let json = parse_json(data)?;
    let [version, policies] = object_fields(Some(&json), "document", ["version", "trustPolicies"])?;
    let version = string_field(version, "version")?;
    let policies = match policies {
        None | Some(Json::Null) => &[][..],
        Some(Json::Array(items)) => items.as_slice(),
        Some(other) => return Err(wrong_type("trustPolicies", "array", other)),
    };
    let mut statements = Vec::with_capacity(policies.len());
    for (i, item) in policies.iter().enumerate() {
        let path = format!("trustPolicies[{i}]");
        let [name, sv, stores, identities, scopes, global] = object_fields(
            Some(item),
            &path,
            [
                "name",
                "signatureVerification",
                "trustStores",
                "trustedIdentities",
                "registryScopes",
                "globalPolicy",
            ],
        )?;
        let sv_path = format!("{path}.signatureVerification");
        let [level, overrides, verify_timestamp] =
            object_fields(sv, &sv_path, ["level", "override", "verifyTimestamp"])?;
        // Fields of the other document kind are unknown keys to Go's
        // decoder, hence ignored.
        let (registry_scopes, global_policy) = match kind {
            PolicyKind::Oci => (
                string_list_field(scopes, &format!("{path}.registryScopes"))?,
                false,
            ),
            PolicyKind::Blob => (
                Vec::new(),
                bool_field(global, &format!("{path}.globalPolicy"))?,
            ),
        };
        statements.push(RawStatement {
            name: string_field(name, &format!("{path}.name"))?,
            level: string_field(level, &format!("{sv_path}.level"))?,
            overrides: string_map_field(overrides, &format!("{sv_path}.override"))?,
            verify_timestamp: string_field(
                verify_timestamp,
                &format!("{sv_path}.verifyTimestamp"),
            )?,
            trust_stores: string_list_field(stores, &format!("{path}.trustStores"))?,
            trusted_identities: string_list_field(
                identities,
                &format!("{path}.trustedIdentities"),
            )?,
            registry_scopes,
            global_policy,
        });
    }
    Ok(RawDocument {
        version,
        statements,
    })
}

// ---------------------------------------------------------------------------
// Loading from the configuration directory (J1)
// ---------------------------------------------------------------------------

/// Why a policy file could not be loaded, with the reference's texts
/// (notation-go `getDocument`).
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyLoadError {
    /// No policy file.
    #[error("trust policy is not present. To create a trust policy, see: {TRUST_POLICY_LINK}")]
    NotPresent {
        /// The path looked at last.
        path: PathBuf,
    },
    /// A directory, symlink or special file where the policy should be.
    #[error(
        "trust policy is not a regular file (symlinks are not supported). To create a trust policy, see: {TRUST_POLICY_LINK}"
    )]
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The file cannot be read for lack of permission.
    #[error("unable to read trust policy due to file permissions, please verify the permissions of {}", .path.display())]
    PermissionDenied {
        /// The path.
        path: PathBuf,
    },
    /// Another I/O error.
    #[error("failed to read trust policy {}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: Arc<io::Error>,
    },
    /// Not JSON of the document's shape, or too large.
    #[error("malformed trust policy. To create a trust policy, see: {TRUST_POLICY_LINK}")]
    Malformed {
        /// The path.
        path: PathBuf,
        /// Why.
        source: PolicyJsonError,
    },
    /// A document that breaks the J6 rules.
    #[error("{source}")]
    Invalid {
        /// The path.
        path: PathBuf,
        /// Why.
        source: Box<PolicyError>,
    },
}

/// The bytes of a policy file and where they came from (for `policy show`,
/// which prints the file as it is even when it is invalid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFile {
    path: PathBuf,
    data: Vec<u8>,
    legacy: bool,
}

impl PolicyFile {
    /// Reads the OCI policy: `trustpolicy.oci.json`, or when that does not
    /// exist the legacy `trustpolicy.json` (J1).
    pub fn read_oci(config_dir: &Path) -> Result<Self, PolicyLoadError> {
        match read_policy_file(&config_dir.join(OCI_POLICY_FILE)) {
            Err(PolicyLoadError::NotPresent { .. }) => {
                let path = config_dir.join(LEGACY_OCI_POLICY_FILE);
                let data = read_policy_file(&path)?;
                Ok(Self {
                    path,
                    data,
                    legacy: true,
                })
            }
            Err(e) => Err(e),
            Ok(data) => Ok(Self {
                path: config_dir.join(OCI_POLICY_FILE),
                data,
                legacy: false,
            }),
        }
    }

    /// Reads `trustpolicy.blob.json`.
    pub fn read_blob(config_dir: &Path) -> Result<Self, PolicyLoadError> {
        let path = config_dir.join(BLOB_POLICY_FILE);
        let data = read_policy_file(&path)?;
        Ok(Self {
            path,
            data,
            legacy: false,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its contents.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Whether this is the deprecated `trustpolicy.json`.
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Parses and validates the contents as an OCI document.
    pub fn parse_oci(&self) -> Result<OciTrustPolicyDocument, PolicyLoadError> {
        OciTrustPolicyDocument::from_json(&self.data).map_err(|e| self.load_error(e))
    }

    /// Parses and validates the contents as a blob document.
    pub fn parse_blob(&self) -> Result<BlobTrustPolicyDocument, PolicyLoadError> {
        BlobTrustPolicyDocument::from_json(&self.data).map_err(|e| self.load_error(e))
    }

    fn load_error(&self, e: PolicyError) -> PolicyLoadError {
        let path = self.path.clone();
        match e {
            PolicyError::Malformed(source) => PolicyLoadError::Malformed { path, source },
            source => PolicyLoadError::Invalid {
                path,
                source: Box::new(source),
            },
        }
    }
}

/// Loads and validates the OCI trust policy of a configuration directory.
pub fn load_oci_policy(config_dir: &Path) -> Result<OciTrustPolicyDocument, PolicyLoadError> {
    PolicyFile::read_oci(config_dir)?.parse_oci()
}

/// Loads and validates the blob trust policy of a configuration directory.
pub fn load_blob_policy(config_dir: &Path) -> Result<BlobTrustPolicyDocument, PolicyLoadError> {
    PolicyFile::read_blob(config_dir)?.parse_blob()
}

fn read_policy_file(path: &Path) -> Result<Vec<u8>, PolicyLoadError> {
    let io_error = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => PolicyLoadError::NotPresent {
            path: path.to_path_buf(),
        },
        io::ErrorKind::PermissionDenied => PolicyLoadError::PermissionDenied {
            path: path.to_path_buf(),
        },
        _ => PolicyLoadError::Io {
            path: path.to_path_buf(),
            source: Arc::new(e),
        },
    };
    // lstat, so that a symlink (even a dangling one) is refused rather than
    // followed (J1).
    let meta = fs::symlink_metadata(path).map_err(io_error)?;
    if !meta.is_file() {
        return Err(PolicyLoadError::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    let file = fs::File::open(path).map_err(io_error)?;
    if !file.metadata().map_err(io_error)?.is_file() {
        return Err(PolicyLoadError::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    let mut data = Vec::new();
    file.take(MAX_POLICY_SIZE as u64 + 1)
        .read_to_end(&mut data)
        .map_err(io_error)?;
    if data.len() > MAX_POLICY_SIZE {
        return Err(PolicyLoadError::Malformed {
            path: path.to_path_buf(),
            source: PolicyJsonError::TooLarge {
                size: data.len(),
                limit: MAX_POLICY_SIZE,
            },
        });
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValidationAction::{Enforce as E, Log as L, Skip as S};
    use ValidationType::*;

    /// The M table, row by row, in ValidationType::ALL order.
    #[test]
    fn level_matrix_truth_table() {
        let table = [
            (VerificationLevel::Strict, [E, E, E, E, E]),
            (VerificationLevel::Permissive, [E, E, L, L, L]),
            (VerificationLevel::Audit, [E, L, L, L, L]),
            (VerificationLevel::Skip, [S, S, S, S, S]),
        ];
        for (level, row) in table {
            for (t, want) in ValidationType::ALL.into_iter().zip(row) {
                assert_eq!(level.default_action(t), want, "{level} {t}");
                assert_eq!(
                    EffectiveVerification::new(level).action(t),
                    want,
                    "{level} {t}"
                );
            }
        }
    }

    /// MANIFEST "Effective enforcement for overrides" (TestCustomVerificationLevel).
    #[test]
    fn override_truth_table() {
        use VerificationLevel::*;
        let cases: &[(
            VerificationLevel,
            (ValidationType, ValidationAction),
            [ValidationAction; 5],
        )] = &[
            (Strict, (Authenticity, L), [E, L, E, E, E]),
            (Permissive, (Authenticity, L), [E, L, L, L, L]),
            (Audit, (Authenticity, L), [E, L, L, L, L]),
            (Strict, (Expiry, L), [E, E, E, L, E]),
            (Strict, (Revocation, L), [E, E, E, E, L]),
            (Strict, (Revocation, S), [E, E, E, E, S]),
            (Permissive, (Revocation, S), [E, E, L, L, S]),
            (Audit, (Revocation, S), [E, L, L, L, S]),
            (Strict, (AuthenticTimestamp, L), [E, E, L, E, E]),
            (Audit, (Authenticity, E), [E, E, L, L, L]),
        ];
        for &(level, o, want) in cases {
            let eff = EffectiveVerification::with_overrides(level, &[o]).unwrap();
            let got: Vec<_> = ValidationType::ALL.iter().map(|t| eff.action(*t)).collect();
            assert_eq!(got, want, "{level} {o:?}");
            assert!(eff.is_customized());
        }
    }

    #[test]
    fn override_rules() {
        use VerificationLevel::*;
        for level in [Strict, Permissive, Audit] {
            for action in ValidationAction::ALL {
                assert_eq!(
                    EffectiveVerification::with_overrides(level, &[(Integrity, action)]),
                    Err(VerificationLevelError::IntegrityOverride)
                );
            }
            for t in [Authenticity, AuthenticTimestamp, Expiry] {
                assert_eq!(
                    EffectiveVerification::with_overrides(level, &[(t, S)]),
                    Err(VerificationLevelError::SkipNotAllowed { validation: t })
                );
            }
        }
        assert_eq!(
            EffectiveVerification::with_overrides(Skip, &[(Revocation, L)]),
            Err(VerificationLevelError::SkipCannotBeCustomized)
        );
        assert!(
            EffectiveVerification::with_overrides(Skip, &[])
                .unwrap()
                .is_skip()
        );
    }

    #[test]
    fn registry_scope_grammar() {
        for ok in [
            "example.com/rep",
            "example.com:8080/rep/rep2",
            "example.com/rep/subrep/subsub",
            "10.10.10.10:8080/rep/rep2",
            "domain/rep",
            "domain:1234/rep",
            "local/myocilayout",
            "a-b.c/x__y/z---w/v.w_u",
        ] {
            assert_eq!(validate_registry_scope(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "1:1",
            "a,b",
            "abcd",
            "1111",
            "1,2",
            "example.com/rep:tag",
            "example.com/rep/subrep/sub:latest",
            "example.com",
            "rep/rep2:latest",
            "repository",
            "10.10.10.10",
            "10.10.10.10:8080/rep/rep2:latest",
            // K2 quotes `local/myOCILayout` as an example, but the reference's
            // repository grammar is lowercase only and rejects it.
            "local/myOCILayout",
            "-a.com/x",
            "a-.com/x",
            "a..com/x",
            "a.com:/x",
            "a.com/x/",
            "a.com//x",
            "a.com/x___y",
            "a.com/x._y",
            "a.com/_x",
            "a.com/x-",
            "a.com/Rep",
            "a.com:80:90/x",
        ] {
            assert_eq!(
                validate_registry_scope(bad),
                Err(RegistryScopeError::Invalid {
                    scope: bad.to_owned()
                }),
                "{bad}"
            );
        }
        for wild in ["example.com/*", "*/", "example*/", "ex*test"] {
            assert_eq!(
                validate_registry_scope(wild),
                Err(RegistryScopeError::Wildcard {
                    scope: wild.to_owned()
                })
            );
        }
    }

    #[test]
    fn digests() {
        assert!(is_digest("sha256:abc"));
        assert!(is_digest("sha256:hash"));
        assert!(is_digest(
            "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"
        ));
        for bad in [
            "",
            "sha256",
            "sha256:",
            ":abc",
            "SHA256:abc",
            "sha256:a/b",
            "sha256:abc:def",
        ] {
            assert!(!is_digest(bad), "{bad}");
        }
    }

    #[test]
    fn trust_store_refs() {
        let r = TrustStoreRef::parse("signingAuthority:a.b-c_d").unwrap();
        assert_eq!(r.store_type(), TrustStoreType::SigningAuthority);
        assert_eq!(r.name(), "a.b-c_d");
        assert_eq!(r.to_string(), "signingAuthority:a.b-c_d");
        assert!(matches!(
            TrustStoreRef::parse("ca"),
            Err(TrustStoreRefError::MissingSeparator { .. })
        ));
        assert!(matches!(
            TrustStoreRef::parse("CA:x"),
            Err(TrustStoreRefError::UnsupportedType { .. })
        ));
        assert!(matches!(
            TrustStoreRef::parse("ca:a:b"),
            Err(TrustStoreRefError::InvalidName { .. })
        ));
        assert!(matches!(
            TrustStoreRef::new(TrustStoreType::Tsa, ""),
            Err(TrustStoreRefError::InvalidName { .. })
        ));
    }

    #[test]
    fn trusted_identity_parsing() {
        assert_eq!(TrustedIdentity::parse("*").unwrap(), TrustedIdentity::Any);
        assert!(matches!(
            TrustedIdentity::parse(" *"),
            Err(TrustedIdentityParseError::MissingSeparator { .. })
        ));
        let other = TrustedIdentity::parse("X509.subject:C=US").unwrap();
        assert!(
            matches!(&other, TrustedIdentity::Other { prefix, value, .. } if prefix == "X509.subject" && value == "C=US")
        );
        let x = TrustedIdentity::parse("x509.subject: C=US, ST=WA, O=x:y").unwrap();
        assert_eq!(x.as_str(), "x509.subject: C=US, ST=WA, O=x:y");
        match x {
            TrustedIdentity::X509Subject { dn, .. } => assert_eq!(dn.get("O"), Some("x:y")),
            _ => panic!("not x509"),
        }
        assert!(matches!(
            TrustedIdentity::parse("x509.subject:C=bad=#identity,O=LOL,ST=LOL"),
            Err(TrustedIdentityParseError::InvalidDn {
                source: DnError::NumberSignValue { .. },
                ..
            })
        ));
    }

    fn doc(statement: &str) -> String {
        format!(r#"{{"version":"1.0","trustPolicies":[{statement}]}}"#)
    }

    const BASE: &str = r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}"#;

    #[test]
    fn go_json_semantics() {
        // Case-insensitive keys, unknown keys ignored.
        let d = OciTrustPolicyDocument::from_json(
            br#"{"VERSION":"1.0","trustpolicies":[{"Name":"s","RegistryScopes":["a.io/r"],"signatureverification":{"Level":"audit"},"trustStores":["ca:x"],"TrustedIdentities":["*"],"extra":{"deep":[1,2,{}]}}],"$schema":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            d.statements()[0].verification().level(),
            VerificationLevel::Audit
        );
        // null is absent.
        let e = OciTrustPolicyDocument::from_json(br#"{"version":null,"trustPolicies":null}"#)
            .unwrap_err();
        assert_eq!(
            e,
            PolicyError::EmptyVersion {
                kind: PolicyKind::Oci
            }
        );
        let e = OciTrustPolicyDocument::from_json(b"null").unwrap_err();
        assert_eq!(
            e,
            PolicyError::EmptyVersion {
                kind: PolicyKind::Oci
            }
        );
        // A null list item is an empty string.
        let e = OciTrustPolicyDocument::from_json(
            doc(r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":[null]}"#).as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "oci trust policy: trust policy statement \"s\" has an empty trusted identity"
        );
        // A null statement is an empty statement.
        let e = OciTrustPolicyDocument::from_json(doc("null").as_bytes()).unwrap_err();
        assert!(matches!(
            e,
            PolicyError::InvalidStatement {
                source: StatementError::MissingName,
                ..
            }
        ));
    }

    #[test]
    fn hostile_json() {
        let malformed = |data: &[u8]| match OciTrustPolicyDocument::from_json(data) {
            Err(PolicyError::Malformed(e)) => e,
            other => panic!("expected malformed, got {other:?}"),
        };
        assert!(matches!(malformed(b""), PolicyJsonError::Syntax { .. }));
        assert!(matches!(malformed(b"{"), PolicyJsonError::Syntax { .. }));
        assert!(matches!(
            malformed(b"[]"),
            PolicyJsonError::WrongType { .. }
        ));
        assert!(matches!(
            malformed(b"\xef\xbb\xbf{}"),
            PolicyJsonError::Syntax { .. }
        ));
        assert!(matches!(
            malformed(br#"{"version":"1.0"} {}"#),
            PolicyJsonError::Syntax { .. }
        ));
        assert!(matches!(
            malformed(br#"{"version":1}"#),
            PolicyJsonError::WrongType { .. }
        ));
        assert!(matches!(
            malformed(br#"{"version":"1.0","trustPolicies":{}}"#),
            PolicyJsonError::WrongType { .. }
        ));
        assert!(matches!(
            malformed(br#"{"version":"1.0","version":"1.0"}"#),
            PolicyJsonError::DuplicateKey { .. }
        ));
        assert!(matches!(
            malformed(br#"{"version":"1.0","Version":"1.0"}"#),
            PolicyJsonError::DuplicateKey { .. }
        ));
        let dup_override = doc(
            r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"strict","override":{"expiry":"log","expiry":"enforce"}},"trustStores":["ca:x"],"trustedIdentities":["*"]}"#,
        );
        assert!(matches!(
            malformed(dup_override.as_bytes()),
            PolicyJsonError::DuplicateKey { .. }
        ));
        let wrong = doc(r#"{"name":"s","registryScopes":"a.io/r"}"#);
        assert_eq!(
            malformed(wrong.as_bytes()).to_string(),
            "cannot unmarshal string into trustPolicies[0].registryScopes of type []string"
        );
        let wrong = doc(r#"{"name":"s","trustStores":[1]}"#);
        assert!(matches!(
            malformed(wrong.as_bytes()),
            PolicyJsonError::WrongType { .. }
        ));
        let wrong = doc(r#"{"name":"s","signatureVerification":{"override":{"expiry":true}}}"#);
        assert!(matches!(
            malformed(wrong.as_bytes()),
            PolicyJsonError::WrongType { .. }
        ));
        let wrong = br#"{"version":"1.0","trustPolicies":[{"name":"s","globalPolicy":"yes"}]}"#;
        assert!(matches!(
            BlobTrustPolicyDocument::from_json(wrong),
            Err(PolicyError::Malformed(PolicyJsonError::WrongType { .. }))
        ));
        // Deep nesting: an error, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            malformed(deep.as_bytes()),
            PolicyJsonError::Syntax { .. }
        ));
        let deep = format!(
            r#"{{"x":{}{}}}"#,
            "{\"a\":".repeat(50_000),
            "}".repeat(50_000)
        );
        assert!(matches!(
            malformed(deep.as_bytes()),
            PolicyJsonError::Syntax { .. }
        ));
        // Size bound.
        let huge = format!(r#"{{"version":"{}"}}"#, "x".repeat(MAX_POLICY_SIZE));
        assert!(matches!(
            malformed(huge.as_bytes()),
            PolicyJsonError::TooLarge { .. }
        ));
        // A long but bounded string is an ordinary value.
        let long = format!(r#"{{"version":"{}"}}"#, "x".repeat(100_000));
        assert!(matches!(
            OciTrustPolicyDocument::from_json(long.as_bytes()),
            Err(PolicyError::UnsupportedVersion { .. })
        ));
        // Work budget on the pairwise overlap check.
        let many: Vec<String> = (0..=MAX_TRUSTED_IDENTITIES)
            .map(|i| format!("\"x509.subject:C=US,ST=WA,O=o{i}\""))
            .collect();
        let many = doc(&format!(
            r#"{{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:x"],"trustedIdentities":[{}]}}"#,
            many.join(",")
        ));
        assert!(matches!(
            OciTrustPolicyDocument::from_json(many.as_bytes()),
            Err(PolicyError::InvalidStatement {
                source: StatementError::TooManyTrustedIdentities { .. },
                ..
            })
        ));
        // Valid JSON that is not UTF-8 text.
        assert!(matches!(
            malformed(b"{\"version\":\"\xff\"}"),
            PolicyJsonError::Syntax { .. }
        ));
        assert!(OciTrustPolicyDocument::from_json(doc(BASE).as_bytes()).is_ok());
    }

    #[test]
    fn round_trip_serialization() {
        let input = doc(
            r#"{"name":"s","registryScopes":["a.io/r"],"signatureVerification":{"level":"permissive","override":{"revocation":"skip","authenticity":"log"},"verifyTimestamp":"afterCertExpiry"},"trustStores":["ca:x","tsa:y"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Org"]}"#,
        );
        let d = OciTrustPolicyDocument::from_json(input.as_bytes()).unwrap();
        let out = d.to_json_pretty();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("{\n  \"version\": \"1.0\",\n  \"trustPolicies\": [\n    {\n      \"name\": \"s\",\n      \"signatureVerification\""));
        assert!(text.contains(
            r#""override": {
          "authenticity": "log",
          "revocation": "skip"
        }"#
        ));
        assert_eq!(OciTrustPolicyDocument::from_json(&out).unwrap(), d);

        let b = BlobTrustPolicyDocument::init("p", &["ca:x"], &["*"], true).unwrap();
        let text = String::from_utf8(b.to_json_pretty()).unwrap();
        assert_eq!(
            text,
            "{\n  \"version\": \"1.0\",\n  \"trustPolicies\": [\n    {\n      \"name\": \"p\",\n      \"signatureVerification\": {\n        \"level\": \"strict\"\n      },\n      \"trustStores\": [\n        \"ca:x\"\n      ],\n      \"trustedIdentities\": [\n        \"*\"\n      ],\n      \"globalPolicy\": true\n    }\n  ]\n}"
        );
        assert_eq!(
            BlobTrustPolicyDocument::from_json(text.as_bytes()).unwrap(),
            b
        );
        assert!(matches!(
            BlobTrustPolicyDocument::init("p", &["ca:"], &["*"], false),
            Err(PolicyError::InvalidStatement { .. })
        ));
    }

    #[test]
    fn statement_accessors() {
        let d = OciTrustPolicyDocument::from_json(
            doc(r#"{"name":"s","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x","tsa:t","ca:y","ca:x"],"trustedIdentities":["*"]}"#).as_bytes(),
        )
        .unwrap();
        let s = &d.statements()[0];
        assert_eq!(s.trust_store_names(TrustStoreType::Ca), ["x", "y"]);
        assert_eq!(s.trust_store_names(TrustStoreType::Tsa), ["t"]);
        assert!(s.has_trust_store_type(TrustStoreType::Tsa));
        assert!(!s.has_trust_store_type(TrustStoreType::SigningAuthority));
        assert_eq!(s.trust_stores().len(), 4);
        assert_eq!(s.verify_timestamp(), VerifyTimestamp::Always);
        assert!(!s.is_global());
    }
}
