//! The referrers tag schema: where a registry has no
//! referrers API, the referrers of `<alg>:<hex>` are listed in an image
//! index tagged `<alg>-<hex>`. Plain functions over values, testable without
//! a registry.
// Requirements: Q6.

use crate::oci::{Descriptor, ImageIndex, ImageManifest, MEDIA_TYPE_IMAGE_INDEX};

/// The tag of the referrers index of `digest` (OCI distribution spec 1.1:
/// `<alg>-<ref>`, algorithm truncated to 32 and encoded part to 64
/// characters).
pub fn referrers_tag(digest: &str) -> Option<String> {
    let (alg, encoded) = digest.split_once(':')?;
    if alg.is_empty() || encoded.is_empty() {
        return None;
    }
    let alg: String = alg.chars().take(32).collect();
    let encoded: String = encoded.chars().take(64).collect();
    Some(format!("{alg}-{encoded}"))
}

/// The descriptor that lists a referrer in a referrers index: the
/// manifest's media type, digest and size, its artifactType (or, for a
/// manifest without one, its config media type) and all its annotations.
///
// Requirements: Q6.
pub fn index_entry(manifest_descriptor: &Descriptor, manifest: &ImageManifest) -> Descriptor {
    let mut entry = Descriptor::new(
        manifest_descriptor.media_type.clone(),
        manifest_descriptor.digest.clone(),
        manifest_descriptor.size,
    );
    entry.artifact_type = manifest
        .artifact_type
        .clone()
        .or_else(|| manifest.config.as_ref().map(|c| c.media_type.clone()));
    entry.annotations = manifest.annotations.clone().filter(|a| !a.is_empty());
    entry
}

/// Adds `entry` to a referrers index (a new one when `existing` is
/// `None`), without duplicates. Returns `None` when the entry is already
/// listed: nothing to push.
pub fn add_to_index(existing: Option<&ImageIndex>, entry: Descriptor) -> Option<ImageIndex> {
    add_all_to_index(existing, [entry])
}

/// Adds each of `entries` to a referrers index (a new one when `existing`
/// is `None`), without duplicates, in one copy of the index whatever the
/// number of entries (the digests listed are looked up in a set: a tag
/// schema index may list thousands). Returns `None` when every entry is
/// listed already: nothing to push.
pub fn add_all_to_index(
    existing: Option<&ImageIndex>,
    entries: impl IntoIterator<Item = Descriptor>,
) -> Option<ImageIndex> {
    let mut listed: std::collections::HashSet<String> = existing
        .map(|i| i.manifests.iter().map(|d| d.digest.clone()).collect())
        .unwrap_or_default();
    let mut updated: Option<ImageIndex> = None;
    for entry in entries {
        if !listed.insert(entry.digest.clone()) {
            continue;
        }
        updated
            .get_or_insert_with(|| {
                let mut index = existing.cloned().unwrap_or_default();
                index.schema_version = 2;
                index.media_type = Some(MEDIA_TYPE_IMAGE_INDEX.to_string());
                index
            })
            .manifests
            .push(entry);
    }
    updated
}

/// The referrers of an index (API response or tag-schema index) with the
/// given artifact type (filter client side when the registry did not).
// Requirements: Q5.
pub fn filter_artifact_type(index: &ImageIndex, artifact_type: &str) -> Vec<Descriptor> {
    index
        .manifests
        .iter()
        .filter(|d| d.artifact_type.as_deref() == Some(artifact_type))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::{ARTIFACT_TYPE_NOTATION, MEDIA_TYPE_IMAGE_MANIFEST};
    use std::collections::BTreeMap;

    #[test]
    fn tag_names() {
        assert_eq!(
            referrers_tag(
                "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
            )
            .unwrap(),
            "sha256-b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
        );
        let long = format!("sha512:{}", "a".repeat(128));
        assert_eq!(
            referrers_tag(&long).unwrap(),
            format!("sha512-{}", "a".repeat(64))
        );
        assert!(referrers_tag("nodigest").is_none());
    }

    #[test]
    fn index_entries_pull_up_type_and_annotations() {
        let mut m: ImageManifest = serde_json::from_str(
            r#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.notary.signature","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#,
        )
        .unwrap();
        m.annotations = Some(BTreeMap::from([("k".to_string(), "v".to_string())]));
        let node = Descriptor::new(MEDIA_TYPE_IMAGE_MANIFEST, "sha256:01", 10);
        let entry = index_entry(&node, &m);
        assert_eq!(entry.artifact_type.as_deref(), Some(ARTIFACT_TYPE_NOTATION));
        assert_eq!(entry.annotation("k"), Some("v"));

        let index = add_to_index(None, entry.clone()).unwrap();
        assert_eq!(index.manifests.len(), 1);
        assert!(add_to_index(Some(&index), entry).is_none(), "no duplicates");
        let other = Descriptor::new(MEDIA_TYPE_IMAGE_MANIFEST, "sha256:02", 10);
        let index = add_to_index(Some(&index), other).unwrap();
        assert_eq!(index.manifests.len(), 2);
        assert_eq!(
            filter_artifact_type(&index, ARTIFACT_TYPE_NOTATION).len(),
            1
        );
    }

    /// Many entries at once: each listed once, in order, after those
    /// listed already; 20,000 against an index of 20,000 in linear time.
    #[test]
    fn many_entries_are_added_once() {
        let d = |i: u32| Descriptor::new(MEDIA_TYPE_IMAGE_MANIFEST, format!("sha256:{i:064x}"), 1);
        let existing = add_all_to_index(None, (0..20_000).map(d)).unwrap();
        assert_eq!(existing.manifests.len(), 20_000);
        assert!(add_all_to_index(Some(&existing), (0..20_000).rev().map(d)).is_none());
        let updated =
            add_all_to_index(Some(&existing), [d(5), d(30_000), d(30_000), d(20_000)]).unwrap();
        let tail: Vec<&str> = updated.manifests[20_000..]
            .iter()
            .map(|m| m.digest.as_str())
            .collect();
        assert_eq!(tail, [d(30_000).digest, d(20_000).digest]);
        assert_eq!(updated.schema_version, 2);
    }

    #[test]
    fn unknown_descriptor_fields_survive_a_rewrite() {
        let index = ImageIndex::from_json(
            br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:01","size":1,"platform":{"os":"linux"}}]}"#,
        )
        .unwrap();
        let updated = add_to_index(
            Some(&index),
            Descriptor::new(MEDIA_TYPE_IMAGE_MANIFEST, "sha256:02", 1),
        )
        .unwrap();
        let json = String::from_utf8(updated.to_json()).unwrap();
        assert!(json.contains(r#""platform":{"os":"linux"}"#), "{json}");
    }
}
