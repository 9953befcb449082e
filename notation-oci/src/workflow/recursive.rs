//! Multi-platform images: signing and verifying an image index (an OCI
//! index or a Docker manifest list, nested indexes too) together with
//! every manifest it lists, one signature per manifest.

use notation_core::crypto::CryptoProvider;
use notation_core::verifier::Verifier;

use super::{
    ArtifactSigner, ArtifactVerification, SignOptions, SignedArtifact, VerifyOptions,
    WorkflowError, resolve, sign_with, verify,
};
use crate::graph::{GraphLimits, walk_index};
use crate::oci::Descriptor;
use crate::store::ContentStore;

/// Signs the artifact `reference` (a tag or digest) names in `store` and,
/// when it is an index, every manifest it lists, nested indexes
/// included: one signature each, all with the same options, in the order
/// of the index (the index first). An artifact that is not an index gets
/// its one signature, as [`sign_with`](super::sign_with) signs it. Every
/// manifest is fetched and checked against its descriptor before anything
/// is signed; the walk is bounded by `limits`.
///
/// Signing again adds signatures. When one manifest cannot be signed,
/// signing stops with [`WorkflowError::PartiallySigned`], which lists the
/// signatures already stored.
pub fn sign_recursive(
    store: &dyn ContentStore,
    reference: &str,
    signer: ArtifactSigner<'_>,
    options: &SignOptions<'_>,
    crypto: &dyn CryptoProvider,
    limits: &GraphLimits,
) -> Result<Vec<SignedArtifact>, WorkflowError> {
    let (root, resolved_from_tag) = resolve(store, reference)?;
    let nodes = walk_index(store, &root, limits)?;
    let mut signed: Vec<SignedArtifact> = Vec::with_capacity(nodes.len());
    for node in nodes {
        match sign_with(store, &node.descriptor.digest, signer, options, crypto) {
            Ok(mut one) => {
                if one.artifact.digest == root.digest {
                    one.resolved_from_tag = resolved_from_tag;
                }
                signed.push(one);
            }
            Err(error) => {
                return Err(WorkflowError::PartiallySigned {
                    digest: node.descriptor.digest,
                    signed,
                    error: Box::new(error),
                });
            }
        }
    }
    Ok(signed)
}

/// One manifest of a recursive verification.
#[derive(Debug)]
#[non_exhaustive]
pub struct ManifestVerification {
    /// The manifest, as its index lists it (platform and annotations
    /// included); the root as resolved.
    pub descriptor: Descriptor,
    /// 0 for the root, 1 for the manifests it lists, ...
    pub depth: usize,
    /// Its verification (as [`verify`](super::verify) gives it): the
    /// signature that verified and the ones that failed before it, or why
    /// none verified.
    pub result: Result<ArtifactVerification, WorkflowError>,
}

/// The result of verifying an index and every manifest it lists.
#[derive(Debug)]
#[non_exhaustive]
pub struct RecursiveVerification {
    /// The policy statement applied (to every manifest: they are in one
    /// repository).
    pub policy: String,
    /// Whether the reference was a tag resolved to a digest.
    pub resolved_from_tag: bool,
    /// Each manifest, the root first, in the order of the index; empty
    /// when the policy said `skip` (nothing was read).
    pub manifests: Vec<ManifestVerification>,
}

impl RecursiveVerification {
    /// Whether the policy said `skip`.
    pub fn is_skipped(&self) -> bool {
        self.manifests.is_empty()
    }

    /// Whether every manifest verified (or the policy said `skip`).
    pub fn is_verified(&self) -> bool {
        self.manifests.iter().all(|m| m.result.is_ok())
    }

    /// The manifests that did not verify.
    pub fn failures(&self) -> impl Iterator<Item = &ManifestVerification> {
        self.manifests.iter().filter(|m| m.result.is_err())
    }
}

/// Verifies the artifact `reference` names in `store` and, when it is an
/// index, every manifest it lists (nested indexes included), each under
/// the trust policy statement for `scope` (as [`verify`](super::verify)):
/// `skip` is honoured before the store is touched. It verifies every
/// manifest, whatever the others' results, so that the result names each
/// one that failed and why; [`RecursiveVerification::is_verified`] is true
/// only when all verified. An error is returned only when nothing could be
/// verified: the policy, the reference, or the walk of the index failed.
pub fn verify_recursive(
    store: &dyn ContentStore,
    scope: &str,
    reference: &str,
    verifier: &Verifier,
    options: &VerifyOptions,
    limits: &GraphLimits,
) -> Result<RecursiveVerification, WorkflowError> {
    if options.max_signatures == 0 {
        return Err(WorkflowError::InvalidMaxSignatures);
    }
    let display = super::display_reference(scope, reference);
    super::check_scope(
        store.repository_ref().map(ToString::to_string),
        scope,
        &display,
    )?;
    let statement = verifier
        .oci_statement_for_scope(scope, &display)
        .map_err(WorkflowError::Policy)?;
    let mut result = RecursiveVerification {
        policy: statement.name().to_string(),
        resolved_from_tag: false,
        manifests: Vec::new(),
    };
    if statement.verification().is_skip() {
        return Ok(result);
    }
    let (root, resolved_from_tag) = resolve(store, reference)?;
    result.resolved_from_tag = resolved_from_tag;
    for node in walk_index(store, &root, limits)? {
        let verified = verify(store, scope, &node.descriptor.digest, verifier, options);
        result.manifests.push(ManifestVerification {
            descriptor: node.descriptor,
            depth: node.depth,
            result: verified,
        });
    }
    Ok(result)
}
