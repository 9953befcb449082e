//! `OnlineRevocation::online_revocation`: the reference CLI's checker in one
//! builder call (issue 12 item 7). The CRL e2e PKI of MANIFEST 08 names
//! `localhost:10086` for its CRLs; instead of a server on that fixed port,
//! the CRL cache the online checker reads (`{NOTATION_CACHE}/crl`, the
//! reference's format) is filled first, so the verdict can only come from
//! the online checker with its cache wired in. The offline default, on the
//! same input, cannot tell the status. This binary holds one test: setting
//! NOTATION_CACHE races no other thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::revocation::{Crl, CrlBundle, CrlCache};
use notation_core::signer::LocalSigner;
use notation_core::trust::{BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, Verifier, VerifierBuilder};
use notation_core::x509::Certificate;
use notation_oci::OnlineRevocation;
use notation_oci::revocation::FileCrlCache;

const BLOB: &[u8] = b"online revocation test content";
const LEAF: &str = "CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US";

fn vectors() -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/08-revocation/crl-e2e"
    ));
    assert!(
        p.is_dir(),
        "conformance vectors are required at {}",
        p.display()
    );
    p
}

fn builder(root: &Path) -> VerifierBuilder {
    let mut store = MemoryTrustStore::new();
    store
        .add(
            TrustStoreType::Ca,
            "e2e",
            Certificate::parse_many(&std::fs::read(root).unwrap()).unwrap(),
        )
        .unwrap();
    let policy = r#"{"version":"1.0","trustPolicies":[{"name":"e2e","globalPolicy":true,
        "signatureVerification":{"level":"strict"},"trustStores":["ca:e2e"],"trustedIdentities":["*"]}]}"#;
    Verifier::builder(Arc::new(store))
        .blob_policy(BlobTrustPolicyDocument::from_json(policy.as_bytes()).unwrap())
}

fn verify(v: &Verifier, envelope: &[u8]) -> Result<(), String> {
    v.verify_blob(
        envelope,
        EnvelopeFormat::Jws,
        &mut &BLOB[..],
        &BlobVerifyOptions::new(),
    )
    .map(drop)
    .map_err(|e| e.to_string())
}

#[test]
fn online_revocation_is_one_builder_call_and_uses_the_crl_cache() {
    let src = vectors();
    let root = src.join("root.crt");
    let signer =
        LocalSigner::from_files(&src.join("leaf.key"), &src.join("certchain_with_crl.pem"))
            .unwrap();
    let envelope = sign_blob(
        &signer,
        &mut &BLOB[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws),
        &DefaultProvider,
    )
    .unwrap();

    let cache_dir = tempfile::tempdir().unwrap();
    let cache = FileCrlCache::new(cache_dir.path());
    for (url, file) in [
        ("http://localhost:10086/leaf.crl", "leaf_revoked.crl"),
        (
            "http://localhost:10086/intermediate.crl",
            "intermediate.crl",
        ),
    ] {
        let crl = Crl::from_der(&std::fs::read(src.join(file)).unwrap()).unwrap();
        cache.set(url, &CrlBundle::new(crl, None)).unwrap();
    }
    // SAFETY of the process environment: the only test of this binary.
    unsafe { std::env::set_var("NOTATION_CACHE", cache_dir.path()) };

    let online = builder(&root).online_revocation().unwrap().build().unwrap();
    assert_eq!(
        verify(&online, &envelope).unwrap_err(),
        format!("signing certificate with subject \"{LEAF}\" is revoked")
    );
    // The default is offline: nothing is fetched, the status is unknown and
    // strict fails on it.
    let offline = builder(&root).build().unwrap();
    let err = verify(&offline, &envelope).unwrap_err();
    assert!(err.contains("revocation status is unknown"), "{err}");
}
