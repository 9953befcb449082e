//! `index.json` after a copy into the layout: every manifest copied is
//! listed (an index's children and the referrers too, untagged), so that
//! any tool can address each one by digest, and the tag points at the copy,
//! as oras-go's OCI store lists what `oras copy` pushes into it.

use super::{LayoutError, OciLayout};
use crate::oci::{ANNOTATION_REF_NAME, Descriptor};

impl OciLayout {
    /// Lists `manifests` in `index.json` and points `tag` at `tagged`, in
    /// one atomic write of the file:
    /// - a manifest already listed (tagged or not) is not listed again; the
    ///   others are listed untagged (without `org.opencontainers.image.ref.name`);
    /// - the tag, when given, moves: an entry holding it for another digest
    ///   loses it (and stays listed, untagged), and the untagged entry of
    ///   `tagged` gives way to the tagged one (a manifest is listed untagged
    ///   only while it has no tag, as oras-go writes the file).
    ///
    /// Interrupted before this write, a copy leaves `index.json` as it was
    /// (its blobs are in place, unlisted); written, the layout is complete.
    pub fn record_manifests(
        &self,
        manifests: &[Descriptor],
        tag: Option<(&str, &Descriptor)>,
    ) -> Result<(), LayoutError> {
        let _lock = self.lock_index()?;
        let mut index = self.index()?;
        // The digests listed, in a set: a layout's index may list many.
        let mut listed: std::collections::HashSet<String> =
            index.manifests.iter().map(|d| d.digest.clone()).collect();
        for manifest in manifests {
            if !listed.insert(manifest.digest.clone()) {
                continue;
            }
            let mut entry = manifest.clone();
            if let Some(a) = entry.annotations.as_mut() {
                a.remove(ANNOTATION_REF_NAME);
            }
            entry.annotations = entry.annotations.filter(|a| !a.is_empty());
            index.manifests.push(entry);
        }
        if let Some((tag, tagged)) = tag {
            // Earlier holders of the tag lose it and stay listed untagged
            // (as oras-go's tag resolver: one descriptor per tag, every
            // manifest also known by its digest).
            for entry in &mut index.manifests {
                if entry.annotation(ANNOTATION_REF_NAME) == Some(tag)
                    && let Some(a) = entry.annotations.as_mut()
                {
                    a.remove(ANNOTATION_REF_NAME);
                }
                if entry.annotations.as_ref().is_some_and(|a| a.is_empty()) {
                    entry.annotations = None;
                }
            }
            let mut entry = tagged.clone();
            entry
                .annotations
                .get_or_insert_with(Default::default)
                .insert(ANNOTATION_REF_NAME.to_string(), tag.to_string());
            index.manifests.push(entry);
            // A manifest is listed untagged only while it has no tag, and
            // once.
            let tagged: std::collections::HashSet<String> = index
                .manifests
                .iter()
                .filter(|d| d.annotation(ANNOTATION_REF_NAME).is_some())
                .map(|d| d.digest.clone())
                .collect();
            let mut untagged = std::collections::HashSet::new();
            index.manifests.retain(|d| {
                d.annotation(ANNOTATION_REF_NAME).is_some()
                    || (!tagged.contains(&d.digest) && untagged.insert(d.digest.clone()))
            });
        }
        self.write_atomic(&self.root.join(super::INDEX_FILE), &index.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::MEDIA_TYPE_IMAGE_MANIFEST;

    fn desc(n: u8) -> Descriptor {
        Descriptor::new(
            MEDIA_TYPE_IMAGE_MANIFEST,
            format!("sha256:{}", format!("{n:02x}").repeat(32)),
            10,
        )
    }

    #[test]
    fn manifests_are_listed_once_and_tags_move() {
        let dir = tempfile::tempdir().unwrap();
        let layout = OciLayout::create(dir.path().join("l")).unwrap();
        layout
            .record_manifests(&[desc(1), desc(2)], Some(("v1", &desc(1))))
            .unwrap();
        let index = layout.index().unwrap();
        assert_eq!(index.manifests.len(), 2, "{index:?}");
        assert_eq!(layout.resolve("v1").unwrap().digest, desc(1).digest);
        assert!(
            index
                .manifests
                .iter()
                .any(|d| d.digest == desc(2).digest && d.annotations.is_none())
        );

        // Again (a rerun), then the tag moved to another manifest.
        layout
            .record_manifests(&[desc(1), desc(2)], Some(("v1", &desc(1))))
            .unwrap();
        assert_eq!(layout.index().unwrap().manifests.len(), 2);
        layout
            .record_manifests(&[desc(3)], Some(("v1", &desc(3))))
            .unwrap();
        let index = layout.index().unwrap();
        assert_eq!(layout.resolve("v1").unwrap().digest, desc(3).digest);
        assert_eq!(
            index
                .manifests
                .iter()
                .filter(|d| d.annotation(ANNOTATION_REF_NAME) == Some("v1"))
                .count(),
            1
        );
        // The manifest that lost the tag stays listed, untagged.
        assert_eq!(index.manifests.len(), 3, "{index:?}");
        assert!(
            index
                .manifests
                .iter()
                .any(|d| d.digest == desc(1).digest && d.annotations.is_none())
        );
    }
}
