//! Verification levels and their overrides: the level matrix.

use super::*;

/// A preset of validation actions.
// Requirements: J4, M1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerificationLevel {
    /// Every check enforced.
    Strict,
    /// Integrity and authenticity enforced, the rest logged.
    Permissive,
    /// Integrity enforced, the rest logged.
    Audit,
    /// No verification at all.
    // Requirements: K5.
    Skip,
}

/// One check of the verification procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValidationType {
    /// The signature is well formed and verifies.
    // Requirements: M3.
    Integrity,
    /// The chain is anchored in a trust store and the leaf matches the
    /// trusted identities.
    // Requirements: M2.
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

    /// The enforcement matrix of the specification ([Signature Verification
    /// details](https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details)):
    /// the action of `validation` at this
    /// level before overrides. This `match` is the only place the table is
    /// written down.
    // Requirements: M.
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
    pub(super) level: VerificationLevel,
    pub(super) actions: [ValidationAction; 5],
    pub(super) customized: bool,
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

    /// A level with overrides, applied in order under the specification's rules:
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

    pub(super) fn apply_override(
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

    /// Whether verification is skipped altogether: no signature is
    /// fetched or examined.
    // Requirements: K5.
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

/// Why a `signatureVerification` block is invalid, with the
/// reference's texts.
// Requirements: J4.
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
