//! What sits where an OCI layout should hold a file (audit Low 9): a FIFO,
//! a link to one, a directory, or a symbolic link leading out of the
//! layout, in a real layout (MANIFEST 02's alpine layout with the
//! reference's COSE signature pushed into it). Verification fails at once
//! with an error naming the file; it never waits on a FIFO and never reads
//! outside the layout. A link that stays inside the layout is fine.
#![cfg(unix)]

mod support;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_oci::OciLayout;
use notation_oci::layout::LayoutError;
use notation_oci::oci::ImageManifest;
use notation_oci::repository::SignatureRepository;
use notation_oci::signature::{SignatureManifestForm, signature_annotations};
use notation_oci::workflow::{self, VerifyOptions, WorkflowError};
use support::fixtures::{alpine_layout, alpine_verifier, conformance};

const ALPINE: &str = "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";

/// The alpine layout in `{dir}/layout`, signed with the reference's COSE
/// signature; returns the paths of the signature manifest and envelope
/// blobs.
fn signed_layout(dir: &Path) -> (PathBuf, PathBuf) {
    let layout = alpine_layout(dir);
    let artifact = layout.resolve(ALPINE).unwrap();
    let envelope =
        std::fs::read(conformance().join("02-oci-layout-alpine/cose_signature.cose.sig")).unwrap();
    let content = Envelope::parse(EnvelopeFormat::Cose, &envelope)
        .unwrap()
        .content_unverified()
        .unwrap();
    let pushed = layout
        .push_signature(
            &artifact,
            "application/cose",
            &envelope,
            signature_annotations(
                &content.signer_info.certificate_chain,
                content.signer_info.signed.signing_time,
            ),
            SignatureManifestForm::ArtifactType,
        )
        .unwrap();
    let manifest =
        ImageManifest::from_json(&layout.read_blob(&pushed.manifest, 1 << 20).unwrap()).unwrap();
    let envelope_digest = &manifest.layers.as_ref().unwrap()[0].digest;
    (
        layout.blob_path(&pushed.manifest.digest).unwrap(),
        layout.blob_path(envelope_digest).unwrap(),
    )
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) is required by this test");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Replaces the file at `path` with `make(path)`'s creation.
fn replace(path: &Path, make: impl FnOnce(&Path)) {
    std::fs::remove_file(path).unwrap();
    make(path);
}

/// Verifies `ALPINE` in the layout at `root` on another thread, so that a
/// verification that blocks fails the test instead of hanging it; the
/// result as text.
fn verify(root: &Path) -> Result<(), String> {
    let root = root.to_path_buf();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = OciLayout::open(&root)
            .map_err(|e| e.to_string())
            .and_then(|layout| {
                workflow::verify(
                    &layout,
                    "local/oci-layout",
                    ALPINE,
                    &alpine_verifier(),
                    &VerifyOptions::new(),
                )
                .map_err(|e| match e {
                    // Each signature's own reason, as `notation verify`
                    // prints them.
                    WorkflowError::AllFailed { failures, .. } => failures
                        .iter()
                        .map(|f| f.reason.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                    e => e.to_string(),
                })
                .and_then(|r| match r.verified {
                    Some(_) => Ok(()),
                    None => Err(format!("no signature verified: {:?}", r.failures)),
                })
            });
        let _ = tx.send(result);
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("verification blocked (a FIFO in the layout was opened and waited on)")
}

#[track_caller]
fn assert_refused(result: Result<(), String>, path: &Path, why: &str) {
    let err = result.expect_err("verification must fail");
    assert!(
        err.contains(why) && err.contains(&path.display().to_string()),
        "expected {why:?} naming {}, got: {err}",
        path.display()
    );
}

#[test]
fn the_signed_layout_verifies() {
    let dir = tempfile::tempdir().unwrap();
    signed_layout(dir.path());
    verify(&dir.path().join("layout")).unwrap();
}

#[test]
fn a_fifo_blob_is_refused_without_blocking() {
    for which in ["manifest", "envelope"] {
        let dir = tempfile::tempdir().unwrap();
        let (manifest, envelope) = signed_layout(dir.path());
        let blob = if which == "manifest" {
            manifest
        } else {
            envelope
        };
        replace(&blob, mkfifo);
        assert_refused(
            verify(&dir.path().join("layout")),
            &blob,
            "not a regular file",
        );
    }
}

#[test]
fn a_link_to_a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let (_, envelope) = signed_layout(dir.path());
    let fifo = dir.path().join("layout/fifo");
    mkfifo(&fifo);
    replace(&envelope, |p| symlink("../../fifo", p).unwrap());
    assert_refused(
        verify(&dir.path().join("layout")),
        &envelope,
        "not a regular file",
    );
}

#[test]
fn fifos_as_index_json_or_oci_layout_are_refused_without_blocking() {
    for name in ["index.json", "oci-layout"] {
        let dir = tempfile::tempdir().unwrap();
        signed_layout(dir.path());
        let path = dir.path().join("layout").join(name);
        replace(&path, mkfifo);
        assert_refused(
            verify(&dir.path().join("layout")),
            &path,
            "not a regular file",
        );
    }
}

#[test]
fn a_directory_where_a_blob_should_be_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, envelope) = signed_layout(dir.path());
    replace(&envelope, |p| std::fs::create_dir(p).unwrap());
    assert_refused(
        verify(&dir.path().join("layout")),
        &envelope,
        "not a regular file",
    );
}

/// A link to a file outside the layout is refused even when that file
/// holds the right bytes: what a layout holds is what is inside it.
#[test]
fn links_leading_out_of_the_layout_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, envelope) = signed_layout(dir.path());
    let outside = dir.path().join("outside-envelope");
    std::fs::copy(&envelope, &outside).unwrap();
    replace(&envelope, |p| symlink(&outside, p).unwrap());
    assert_refused(
        verify(&dir.path().join("layout")),
        &envelope,
        "symbolic link leads outside the OCI layout",
    );

    // The same through a directory: blobs/sha256 is a link to a copy
    // elsewhere.
    let dir = tempfile::tempdir().unwrap();
    signed_layout(dir.path());
    let blobs = dir.path().join("layout/blobs/sha256");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::rename(&blobs, &elsewhere).unwrap();
    symlink(&elsewhere, &blobs).unwrap();
    let err = verify(&dir.path().join("layout")).unwrap_err();
    assert!(
        err.contains("symbolic link leads outside the OCI layout"),
        "{err}"
    );

    // And index.json.
    let dir = tempfile::tempdir().unwrap();
    signed_layout(dir.path());
    let index = dir.path().join("layout/index.json");
    let outside = dir.path().join("index.json");
    std::fs::rename(&index, &outside).unwrap();
    symlink(&outside, &index).unwrap();
    assert_refused(
        verify(&dir.path().join("layout")),
        &index,
        "symbolic link leads outside the OCI layout",
    );
}

/// Links that stay inside the layout are followed (a layout may share
/// blobs that way), and a layout reached through a link is fine too.
#[test]
fn links_inside_the_layout_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (manifest, envelope) = signed_layout(dir.path());
    let shared = dir.path().join("layout/shared");
    std::fs::create_dir(&shared).unwrap();
    for blob in [&manifest, &envelope] {
        let moved = shared.join(blob.file_name().unwrap());
        std::fs::rename(blob, &moved).unwrap();
        symlink(
            Path::new("../../shared").join(blob.file_name().unwrap()),
            blob,
        )
        .unwrap();
    }
    verify(&dir.path().join("layout")).unwrap();
    let alias = dir.path().join("alias");
    symlink(dir.path().join("layout"), &alias).unwrap();
    verify(&alias).unwrap();
}

/// Writing into a layout never follows a link out of it: a blob path
/// that is a link to a missing file elsewhere, or a blobs directory that
/// leads elsewhere, fails the write and nothing is written there.
#[test]
fn writes_never_follow_links_out_of_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = alpine_layout(dir.path());
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();

    let content = b"content";
    let digest = notation_oci::oci::Descriptor::of("application/octet-stream", content).digest;
    let path = layout.blob_path(&digest).unwrap();
    symlink(elsewhere.join("planted"), &path).unwrap();
    let err = layout
        .write_blob("application/octet-stream", content)
        .unwrap_err();
    assert!(
        err.to_string().contains("symbolic link to a missing file"),
        "{err}"
    );
    assert!(
        !elsewhere.join("planted").exists(),
        "wrote outside the layout"
    );

    let blobs = dir.path().join("layout/blobs/sha256");
    std::fs::remove_dir_all(&blobs).unwrap();
    symlink(&elsewhere, &blobs).unwrap();
    let err = layout
        .write_blob("application/octet-stream", b"other content")
        .unwrap_err();
    assert!(matches!(err, LayoutError::OutsideLayout { .. }), "{err}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    // Control: the same write into a plain directory works.
    std::fs::remove_file(&blobs).unwrap();
    layout
        .write_blob("application/octet-stream", b"other content")
        .unwrap();
}

/// A blob file that does not hold its digest's bytes (damaged, or planted
/// before the signature was written) is replaced when the blob is written,
/// not kept as if it were the blob.
#[test]
fn writing_a_blob_replaces_a_file_that_does_not_hold_it() {
    let dir = tempfile::tempdir().unwrap();
    let layout = alpine_layout(dir.path());
    let content = b"signature envelope";
    let desc = layout.write_blob("application/jose+json", content).unwrap();
    let path = layout.blob_path(&desc.digest).unwrap();
    for wrong in [
        &b"signature envelopf"[..],
        b"",
        b"signature envelope and more",
    ] {
        std::fs::write(&path, wrong).unwrap();
        assert_eq!(
            layout.write_blob("application/jose+json", content).unwrap(),
            desc
        );
        assert_eq!(std::fs::read(&path).unwrap(), content);
        assert_eq!(layout.read_blob(&desc, 1024).unwrap(), content);
    }
}
