//! Verifies an image in an OCI image layout and prints who signed it, with
//! the trust stores and policy of the configuration directory:
//! `cargo run -p notation-oci --example verify_layout -- ./layout local/app:v1`
use std::{error::Error, path::Path, sync::Arc};

use notation_core::trust::{DirTrustStore, load_oci_policy};
use notation_core::verifier::Verifier;
use notation_oci::workflow::{self, ArtifactVerdict, VerifyOptions};
use notation_oci::{OciLayout, Reference};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, layout, reference] = &args[..] else {
        return Err("usage: verify_layout <layout directory> <scope>:<tag>".into());
    };
    println!(
        "{}",
        verify(layout, reference, &notation_core::config::config_dir())?
    );
    Ok(())
}

/// The artifact's digest and its signer's subject.
pub fn verify(layout: &str, reference: &str, config: &Path) -> Result<String, Box<dyn Error>> {
    let verifier = Verifier::builder(Arc::new(DirTrustStore::new(config)))
        .oci_policy(load_oci_policy(config)?)
        .build()?; // revocation: offline (see OnlineRevocation)
    let (layout, reference) = (OciLayout::open(layout)?, Reference::parse(reference)?);
    Ok(
        match workflow::verify_reference(&layout, &reference, &verifier, &VerifyOptions::new())? {
            ArtifactVerdict::Verified(v) => {
                format!("{} signed by {}", v.artifact().digest, v.signer().subject())
            }
            _ => "the trust policy skips verification".into(),
        },
    )
}
