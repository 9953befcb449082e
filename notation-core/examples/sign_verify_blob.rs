//! Signs a file with a key and its certificate chain, then verifies the
//! signature with a trust store and a trust policy built in code:
//! `cargo run -p notation-core --example sign_verify_blob -- key.pem chain.pem root.crt file`
use std::{error::Error, fs, path::Path, sync::Arc};

use notation_core::blob::{self, BlobSignOptions};
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::trust::{BlobStatementBuilder, BlobTrustPolicyDocument, MemoryTrustStore};
use notation_core::trust::{TrustStoreRef, TrustStoreType::Ca};
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<_> = std::env::args().collect();
    let [_, key, chain, root, file] = &args[..] else {
        return Err("usage: sign_verify_blob <key.pem> <chain.pem> <root.crt> <file>".into());
    };
    println!(
        "{}",
        run(key.as_ref(), chain.as_ref(), root.as_ref(), file.as_ref())?
    );
    Ok(())
}

/// Signs `file`, verifies the signature, returns the signer's subject.
pub fn run(key: &Path, chain: &Path, root: &Path, file: &Path) -> Result<String, Box<dyn Error>> {
    let signer = LocalSigner::from_files(key, chain)?;
    let options = BlobSignOptions::new(EnvelopeFormat::Cose);
    let signature = blob::sign(&signer, &mut fs::File::open(file)?, &options)?;

    let mut store = MemoryTrustStore::new();
    let roots = Certificate::parse_pem_many(&fs::read(root)?)?;
    store.add(Ca, "acme", roots)?;
    let statement = BlobStatementBuilder::new("release")
        .global(true)
        .trust_store(TrustStoreRef::new(Ca, "acme")?)
        .trusted_identity("*");
    let verifier = Verifier::builder(Arc::new(store))
        .blob_policy(BlobTrustPolicyDocument::from_statements([statement])?)
        .build()?;
    let mut blob = fs::File::open(file)?;
    let outcome = verifier.verify_blob_auto(&signature, &mut blob, &BlobVerifyOptions::new())?;
    let signer = outcome.signer_certificate().ok_or("unsigned")?;
    Ok(signer.subject().to_string())
}
