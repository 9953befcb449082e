//! The OCI image layout store and the layout workflows over fuzzed files:
//! each input is written as a layout into a fresh temporary directory
//! (`oci-layout`, `index.json`, `blobs/sha256/<hex>`, any other file), then
//! the layout is opened, resolved, walked for referrers, and verified,
//! listed, inspected or signed into as `notation --oci-layout` would.
//!
//! The first byte selects the operation (0 verify, 1 list, 2 inspect,
//! 3 resolve and referrers walk, 4 push a signature, 5 copy into a fresh
//! layout, every referrer too when bit 7 is set, and walk the copy's
//! index); the rest is entries
//! in the format of `notation_fuzz::entries`, named by their path in the
//! layout (blob names end in `sha256/<hex>` and are renamed to their real
//! digest after the fix-up; a name ending in `/` is a directory). Entry
//! `ref`, when present, holds the reference to verify (default: the tag
//! `v1`). Only regular files and directories are written, and only under
//! the temporary directory.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use notation_core::envelope::EnvelopeFormat;
use notation_fuzz::entries;
use notation_fuzz::fixtures::oci_verifier;
use notation_oci::copy::{self, CopyOptions};
use notation_oci::graph::{GraphLimits, walk_index};
use notation_oci::oci::ARTIFACT_TYPE_NOTATION;
use notation_oci::signature::SignatureManifestForm;
use notation_oci::workflow::{self, VerifyOptions};
use notation_oci::{OciLayout, SignatureRepository};

/// Whether a name is a safe relative path: plain components only.
fn safe(name: &str) -> bool {
    let trimmed = name.trim_end_matches('/');
    !trimmed.is_empty()
        && trimmed.split('/').count() <= 4
        && trimmed.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
        })
}

/// A fresh directory for one run, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "notation-fuzz-layout-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(root: &Path, name: &str, content: &[u8]) {
    let path = root.join(name.trim_end_matches('/'));
    if name.ends_with('/') {
        let _ = std::fs::create_dir_all(&path);
        return;
    }
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&path, content);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let mut entries = entries::parse(input);
    entries::fix_digests(&mut entries);
    let scratch = Scratch::new();
    let mut reference = "v1".to_string();
    for e in &entries {
        if e.name == "ref" {
            reference = String::from_utf8_lossy(&e.content).trim().to_string();
        } else if safe(&e.name) {
            write(&scratch.0, &e.name, &e.content);
        }
    }
    let Ok(layout) = OciLayout::open(&scratch.0) else {
        return;
    };
    let scope = "local/layout";
    match selector % 6 {
        0 => {
            let options = VerifyOptions::new().max_signatures(4);
            if let Ok(v) = workflow::verify(&layout, scope, &reference, oci_verifier(), &options) {
                let (signature, _) = v.verified.expect("not skipped");
                assert_eq!(
                    signature.artifact_type.as_deref(),
                    Some(ARTIFACT_TYPE_NOTATION)
                );
            }
        }
        1 => {
            if let Ok((artifact, _, signatures)) = workflow::list(&layout, &reference) {
                for s in signatures {
                    assert_eq!(s.artifact_type.as_deref(), Some(ARTIFACT_TYPE_NOTATION));
                    let _ = layout.fetch_signature(&s, &artifact);
                }
            }
        }
        2 => {
            if let Ok((_, _, inspected)) = workflow::inspect(&layout, &reference, 4) {
                for i in inspected {
                    let _ = i.content.map(|(m, c)| (m.envelope_format(), c.payload));
                }
            }
        }
        3 => {
            let _ = layout.index();
            if let Ok(d) = layout.resolve(&reference) {
                if let Ok(found) = layout.referrers(&d) {
                    for (node, manifest) in found {
                        assert_eq!(
                            manifest.subject.map(|s| s.digest),
                            Some(d.digest.clone()),
                            "a referrer of {node:?}"
                        );
                    }
                }
                let _ = layout.read_blob(&d, 4 << 20);
            }
        }
        5 => {
            let copy_dir = Scratch::new();
            let Ok(destination) = OciLayout::create(&copy_dir.0) else {
                return;
            };
            let options = CopyOptions::new()
                .all_referrers(selector & 0x80 != 0)
                .limits(
                    GraphLimits::new()
                        .max_manifests(64)
                        .max_depth(4)
                        .max_referrers(16),
                );
            if let Ok(report) = copy::copy(&layout, &reference, &destination, None, &options) {
                let subject = report.subject.expect("a copy has a subject");
                // The copy holds the subject under its digest, and every
                // file under blobs/ is named by its content's digest.
                assert_eq!(
                    destination.resolve(&subject.digest).map(|d| d.digest).ok(),
                    Some(subject.digest.clone())
                );
                let blobs = copy_dir.0.join("blobs/sha256");
                for entry in std::fs::read_dir(&blobs).into_iter().flatten().flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let data = std::fs::read(entry.path()).expect("readable");
                    assert_eq!(
                        notation_oci::oci::sha256_digest(&data),
                        format!("sha256:{name}")
                    );
                }
                let _ = walk_index(
                    &destination,
                    &subject,
                    &GraphLimits::new().max_manifests(64),
                );
            }
        }
        _ => {
            let Ok(artifact) = layout.resolve(&reference) else {
                return;
            };
            let form = if selector & 0x80 != 0 {
                SignatureManifestForm::ConfigMediaType
            } else {
                SignatureManifestForm::ArtifactType
            };
            let envelope = b"{\"payload\":\"\"}";
            if let Ok(pushed) = layout.push_signature(
                &artifact,
                EnvelopeFormat::Jws.media_type(),
                envelope,
                BTreeMap::new(),
                form,
            ) {
                // What was written is found again (unless the fuzzed layout
                // breaks the walk elsewhere, or already held a corrupt file at
                // the envelope's path: both are errors, never wrong data).
                if let Ok(listed) = layout.signatures(&artifact) {
                    assert!(
                        listed.iter().any(|d| d.digest == pushed.manifest.digest),
                        "the pushed signature is listed"
                    );
                }
                let Ok((_, stored)) = layout.fetch_signature(&pushed.manifest, &artifact) else {
                    return;
                };
                assert_eq!(stored, envelope);
            }
        }
    }
});
