//! Several writers of one OCI layout at once: threads of one process and,
//! with a handle each, what separate processes do (each open of the
//! layout's lock file is its own holder). Every signature written is listed
//! in `index.json` afterwards; without the layout's write lock, two writers
//! read the same `index.json` and the later write drops the other's
//! signature, which is then invisible (a layout's referrers are found from
//! `index.json`). The lock is `flock`, on Unix only: elsewhere writers are
//! not serialized, so these tests are for Unix.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notation_core::crypto::DefaultProvider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_oci::OciLayout;
use notation_oci::oci::Descriptor;
use notation_oci::repository::SignatureRepository;
use notation_oci::workflow::{self, SignOptions};
use support::fixtures::alpine_layout;

const ALPINE: &str = "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";

fn signer() -> LocalSigner {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki"));
    LocalSigner::from_files(&dir.join("ec-256.key"), &dir.join("ec-256.chain.pem")).unwrap()
}

fn signature_count(root: &Path) -> usize {
    OciLayout::open(root)
        .unwrap()
        .signatures(&Descriptor::new(
            "application/vnd.oci.image.manifest.v1+json",
            ALPINE,
            481,
        ))
        .unwrap()
        .len()
}

#[test]
fn concurrent_signers_each_keep_their_signature() {
    let dir = tempfile::tempdir().unwrap();
    let root = alpine_layout(dir.path()).root().to_path_buf();
    let before = signature_count(&root);
    let signer = Arc::new(signer());
    let shared = Arc::new(OciLayout::open(&root).unwrap());
    let (threads, each) = (6, 8);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (signer, shared, root) = (signer.clone(), shared.clone(), root.clone());
            s.spawn(move || {
                // Half the threads share one handle, the others open their
                // own, as separate processes do.
                let own;
                let layout: &OciLayout = if t % 2 == 0 {
                    &shared
                } else {
                    own = OciLayout::open(&root).unwrap();
                    &own
                };
                for _ in 0..each {
                    workflow::sign(
                        layout,
                        ALPINE,
                        signer.as_ref(),
                        &SignOptions::new(EnvelopeFormat::Jws),
                        &DefaultProvider,
                    )
                    .unwrap();
                }
            });
        }
    });
    assert_eq!(signature_count(&root), before + threads * each);
}

#[test]
fn layouts_created_at_once_keep_what_each_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("new");
    let threads = 8;
    std::thread::scope(|s| {
        for t in 0..threads {
            let root = root.clone();
            s.spawn(move || {
                let layout = OciLayout::create(&root).unwrap();
                let blob = layout
                    .write_blob(
                        "application/vnd.oci.image.manifest.v1+json",
                        format!("{{\"n\":{t}}}").as_bytes(),
                    )
                    .unwrap();
                layout.add_to_index(blob).unwrap();
            });
        }
    });
    let index = OciLayout::open(&root).unwrap().index().unwrap();
    assert_eq!(index.manifests.len(), threads);
}
