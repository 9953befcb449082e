//! Policy statements: trust store references, trusted identities and
//! the validation every statement passes.

use super::*;

/// A `{type}:{name}` entry of a statement's `trustStores`.
// Requirements: J5.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrustStoreRef {
    pub(super) store_type: TrustStoreType,
    pub(super) name: String,
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

/// An entry of a statement's `trustedIdentities`.
// Requirements: L1, J8.
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
    /// Another `prefix:value`: accepted by validation, left to a
    /// verification plugin.
    // Requirements: J8.
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
    /// An `x509.subject` DN that is not acceptable.
    // Requirements: L1, L4.
    #[error("trusted identity {} with invalid identity value: {error}", Q(.identity))]
    InvalidDn {
        /// The entry.
        identity: String,
        /// Why.
        error: DnError,
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
            error: source,
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
    pub(super) name: String,
    pub(super) verification: EffectiveVerification,
    pub(super) overrides: Vec<(ValidationType, ValidationAction)>,
    pub(super) verify_timestamp: Option<VerifyTimestamp>,
    pub(super) trust_stores: Vec<TrustStoreRef>,
    pub(super) trusted_identities: Vec<TrustedIdentity>,
    pub(super) registry_scopes: Vec<String>,
    pub(super) global: bool,
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
    /// needed to verify timestamps).
    // Requirements: J5.
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
pub(super) struct RawStatement {
    pub(super) name: String,
    pub(super) level: String,
    pub(super) overrides: Vec<(String, String)>,
    pub(super) verify_timestamp: String,
    pub(super) trust_stores: Vec<String>,
    pub(super) trusted_identities: Vec<String>,
    pub(super) registry_scopes: Vec<String>,
    pub(super) global_policy: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct RawDocument {
    pub(super) version: String,
    pub(super) statements: Vec<RawStatement>,
}

/// Why one statement is invalid (notation-go `validatePolicyCore`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// `name` missing or empty.
    #[error("a trust policy statement is missing a name, every statement requires a name")]
    MissingName,
    /// A bad `signatureVerification` block.
    // Requirements: J4.
    #[error("trust policy statement {} has invalid signatureVerification: {error}", Q(.statement))]
    InvalidSignatureVerification {
        /// The statement.
        statement: String,
        /// Why.
        error: VerificationLevelError,
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
    /// A bad `trustStores` entry.
    // Requirements: J5.
    #[error("trust policy statement {} {}", Q(.statement), trust_store_clause(.error))]
    InvalidTrustStore {
        /// The statement.
        statement: String,
        /// Why.
        error: TrustStoreRefError,
    },
    /// `*` together with other identities.
    #[error("trust policy statement {} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values", Q(.statement))]
    WildcardIdentityWithOthers {
        /// The statement.
        statement: String,
    },
    /// A bad `trustedIdentities` entry.
    // Requirements: L1.
    #[error("trust policy statement {} {}", Q(.statement), identity_clause(.error))]
    InvalidTrustedIdentity {
        /// The statement.
        statement: String,
        /// Why.
        error: TrustedIdentityParseError,
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
    /// Two `x509.subject` identities where one is a subset of the other.
    // Requirements: L5.
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

pub(super) fn trust_store_clause(e: &TrustStoreRefError) -> String {
    match e {
        TrustStoreRefError::MissingSeparator { .. } => format!("has {e}"),
        TrustStoreRefError::UnsupportedType { .. } | TrustStoreRefError::InvalidName { .. } => {
            format!("uses an {e}")
        }
    }
}

pub(super) fn identity_clause(e: &TrustedIdentityParseError) -> String {
    match e {
        TrustedIdentityParseError::Empty => "has an empty trusted identity".to_owned(),
        _ => format!("has {e}"),
    }
}

/// Validates what OCI and blob statements share, in the reference's order:
/// name, level and overrides, verifyTimestamp, then (unless `skip`) trust
/// stores and trusted identities.
pub(super) fn validate_statement(raw: &RawStatement) -> Result<PolicyStatement, StatementError> {
    if raw.name.is_empty() {
        return Err(StatementError::MissingName);
    }
    let statement = || raw.name.clone();
    let (verification, overrides) =
        parse_verification(&raw.level, &raw.overrides).map_err(|source| {
            StatementError::InvalidSignatureVerification {
                statement: statement(),
                error: source,
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
                    error: source,
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
pub(super) fn parse_verification(
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
/// each entry, then overlaps among the `x509.subject` entries.
// Requirements: L5.
pub(super) fn validate_identities(
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
                error: source,
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
