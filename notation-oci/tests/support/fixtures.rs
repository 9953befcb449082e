//! Paths of the committed fixtures (`fixtures/gen.sh` regenerates them).

use std::path::PathBuf;

/// The fixtures directory (spelled so that other crates' tests can include
/// this module too).
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../notation-oci/tests/support/fixtures"
    ))
}

/// A fixture file.
pub fn path(name: &str) -> PathBuf {
    dir().join(name)
}

/// The user in `fixtures/htpasswd` (and known to the token issuer).
pub const USER: &str = "testuser";
/// Its password.
pub const PASSWORD: &str = "testpassword";

/// The shared conformance vectors (`../shared/conformance`); missing
/// vectors fail the test, never skip it.
pub fn conformance() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance"
    ));
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "conformance vectors are required at {}",
        dir.display()
    );
    dir
}

/// Copies a directory tree (a conformance layout into a scratch
/// directory, so that tests can write into it).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A writable copy of MANIFEST 02's alpine layout, at `{dir}/layout`.
pub fn alpine_layout(dir: &std::path::Path) -> notation_oci::OciLayout {
    copy_dir(
        &conformance().join("02-oci-layout-alpine/oci-layout"),
        &dir.join("layout"),
    );
    notation_oci::OciLayout::open(dir.join("layout")).unwrap()
}

/// A verifier with MANIFEST 02's trust store and OCI trust policy.
pub fn alpine_verifier() -> notation_core::verifier::Verifier {
    use notation_core::trust::{DirTrustStore, OciTrustPolicyDocument};
    let dir = conformance().join("02-oci-layout-alpine");
    let policy = std::fs::read(dir.join("trustpolicy.oci.json")).unwrap();
    notation_core::verifier::Verifier::builder(std::sync::Arc::new(DirTrustStore::new(&dir)))
        .oci_policy(OciTrustPolicyDocument::from_json(&policy).unwrap())
        .build()
        .unwrap()
}

/// Pushes a small image (empty config, one layer) tagged `v1`; returns its
/// digest.
pub fn push_image(
    client: &notation_oci::registry::RegistryClient,
    repo: &notation_oci::registry::RepositoryRef,
) -> String {
    use notation_oci::oci::{EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_IMAGE_MANIFEST};
    let layer = b"layer contents";
    let layer_digest = notation_oci::oci::sha256_digest(layer);
    client.push_blob(repo, &layer_digest, layer).unwrap();
    client
        .push_blob(repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_JSON_DIGEST, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    }))
    .unwrap();
    client
        .push_manifest(repo, "v1", MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
        .unwrap()
        .descriptor
        .digest
}
