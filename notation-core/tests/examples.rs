//! The example program of notation-core (`examples/sign_verify_blob.rs`),
//! run on a file with the test PKI (issue 12: sign a blob with a key and
//! verify it with a trust store and policy built in code).

mod common;

#[allow(dead_code)]
#[path = "../examples/sign_verify_blob.rs"]
mod sign_verify_blob;

#[test]
fn sign_verify_blob_prints_the_signer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("release.tar.gz");
    std::fs::write(&file, b"release contents").unwrap();
    let pki = common::pki_dir();
    let printed = sign_verify_blob::run(
        &pki.join("rsa-3072.key"),
        &pki.join("rsa-3072.chain.pem"),
        &pki.join("root.crt"),
        &file,
    )
    .unwrap();
    let leaf = common::signer("rsa-3072").certificate_chain()[0].clone();
    assert_eq!(printed, leaf.subject().to_string());
    // A root that does not anchor the chain: authenticity fails.
    let err = sign_verify_blob::run(
        &pki.join("rsa-3072.key"),
        &pki.join("rsa-3072.chain.pem"),
        &pki.join("other-root.crt"),
        &file,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("authenticity") || err.to_string().contains("trusted"),
        "{err}"
    );
}
