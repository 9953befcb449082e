//! Registry scopes and policy selection.

use super::*;

/// Why a registry scope (or the repository part of an artifact reference)
/// is not `domain[:port]/repository`.
// Requirements: K2.
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
pub(super) fn is_domain(domain: &str) -> bool {
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
pub(super) fn is_repository(repository: &str) -> bool {
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

pub(super) fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `algorithm ":" encoded` (OCI image spec digest grammar): the reference
/// only looks for the `@`; we also require a digest after it (the
/// reference must be `registry/repo@sha256:...`).
// Requirements: K1.
pub(super) fn is_digest(digest: &str) -> bool {
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
    #[error("{error}")]
    InvalidArtifactRepository {
        /// The reference.
        reference: String,
        /// Why.
        error: RegistryScopeError,
    },
    /// No statement's scope matches, and no `*` statement.
    // Requirements: K1.
    #[error("artifact {} has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: {TRUST_POLICY_LINK}", Q(.reference))]
    NoApplicableOciPolicy {
        /// The reference.
        reference: String,
    },
    /// A blank policy name.
    // Requirements: K4.
    #[error("policy name cannot be empty")]
    EmptyPolicyName,
    /// No blob statement of that name.
    // Requirements: K4.
    #[error("no applicable blob trust policy with name {}", Q(.name))]
    NoBlobPolicyNamed {
        /// The name asked for.
        name: String,
    },
    /// No name given and no global blob statement.
    // Requirements: K4.
    #[error("no global blob trust policy")]
    NoGlobalBlobPolicy,
}
