//! Verifies an image in a registry and prints who signed it, with the trust
//! stores and policy of the configuration directory, checking revocation
//! online (OCSP and CRLs over HTTP):
//! `cargo run -p notation-oci --example verify_registry -- registry.example.com/app:v1`
use std::{error::Error, path::Path, sync::Arc};

use notation_core::trust::{DirTrustStore, load_oci_policy};
use notation_core::verifier::Verifier;
use notation_oci::workflow::{self, ArtifactVerdict, VerifyOptions};
use notation_oci::{OnlineRevocation, Reference, RegistryClient, RemoteRepository};

fn main() -> Result<(), Box<dyn Error>> {
    let reference = std::env::args()
        .nth(1)
        .ok_or("usage: verify_registry <reference>")?;
    println!(
        "{}",
        verify(&reference, &notation_core::config::config_dir())?
    );
    Ok(())
}

/// The artifact's digest and its signer's subject.
pub fn verify(reference: &str, config: &Path) -> Result<String, Box<dyn Error>> {
    let verifier = Verifier::builder(Arc::new(DirTrustStore::new(config)))
        .oci_policy(load_oci_policy(config)?)
        .online_revocation()?
        .build()?;
    let reference = Reference::parse(reference)?;
    let repo = RemoteRepository::new(RegistryClient::new()?, &reference)?;
    Ok(
        match workflow::verify_reference(&repo, &reference, &verifier, &VerifyOptions::new())? {
            ArtifactVerdict::Verified(v) => {
                format!("{} signed by {}", v.artifact().digest, v.signer().subject())
            }
            _ => "the trust policy skips verification".into(),
        },
    )
}
