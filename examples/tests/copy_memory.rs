//! `notation copy` streams layers: an image with a 200 MiB layer goes from
//! an OCI layout into a registry, from that registry to another, and from
//! there into a layout, and the CLI's peak resident memory (`VmHWM`,
//! watched from `/proc` while it runs) stays far below the layer's size.
//! The registries are two instances of Debian's `docker-registry` (CNCF
//! distribution 2.8.2); each copy of the layer is removed once the next
//! holds it, and a failed copy shows the registries' logs. A smaller copy runs on a pseudo-terminal to show
//! the progress display.

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::io::Read;

use common::Env;
use notation_oci::OciLayout;
use notation_oci::oci::{Descriptor, MEDIA_TYPE_IMAGE_MANIFEST};
use notation_oci::store::ContentStore;
use support::images::{put_blob, put_manifest, tag};
use support::registry::{Auth, Registry};

/// The layer: `size` bytes repeating a 1 MiB pseudo-random block.
struct Layer {
    block: Vec<u8>,
    size: u64,
    at: u64,
}

impl Layer {
    fn new(size: u64) -> Self {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let block = (0..1024 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        Self { block, size, at: 0 }
    }
}

impl Read for Layer {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.size - self.at;
        if left == 0 {
            return Ok(0);
        }
        let offset = (self.at % self.block.len() as u64) as usize;
        let n = buf
            .len()
            .min(self.block.len() - offset)
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        buf[..n].copy_from_slice(&self.block[offset..offset + n]);
        self.at += n as u64;
        Ok(n)
    }
}

/// A layout holding an image of one `size`-byte layer, tagged `v1`.
fn layout_with_layer(dir: &std::path::Path, size: u64) -> Descriptor {
    let layout = OciLayout::create(dir).unwrap();
    let mut hasher = notation_core::algorithm::HashAlgorithm::Sha256.hasher();
    std::io::copy(&mut Layer::new(size), &mut hasher).unwrap();
    let digest = format!("sha256:{}", notation_core::hex::encode(&hasher.finish()));
    let layer = Descriptor::new("application/vnd.oci.image.layer.v1.tar", &digest, size);
    layout
        .push_blob(&layer, &mut Layer::new(size), &mut |_| {})
        .unwrap();
    let config = put_blob(
        &layout,
        "application/vnd.oci.image.config.v1+json",
        br#"{"architecture":"amd64","os":"linux"}"#,
    );
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": config,
        "layers": [layer],
    }))
    .unwrap();
    let manifest = put_manifest(&layout, MEDIA_TYPE_IMAGE_MANIFEST, &manifest);
    tag(&layout, "v1", &manifest);
    layer
}

/// Peak memory allowed: a fraction of the 200 MiB layer (the debug build
/// itself takes about 15 MiB; an upload chunk is 8 MiB).
const MAX_PEAK_KIB: u64 = 64 * 1024;

/// Free space in the file system of `dir`, in bytes.
fn free_bytes(dir: &std::path::Path) -> u64 {
    let stat = rustix::fs::statvfs(dir).unwrap();
    stat.f_bavail.saturating_mul(stat.f_frsize)
}

/// Runs `notation` with `args` and returns its output and peak memory; a
/// failed run fails the test with the registries' logs beside its output
/// (a registry that runs out of disk says so only in its log).
fn copy_measured(env: &Env, args: &[String], registries: &[&Registry]) -> (common::Run, u64) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (run, peak) = env.run_measured(&args);
    if run.code != 0 {
        // The registries' last errors (their other lines are access logs).
        let logs: Vec<String> = registries
            .iter()
            .map(|r| {
                let log = r.log();
                let errors: Vec<&str> = log.lines().filter(|l| !l.contains("level=info")).collect();
                let last = &errors[errors.len().saturating_sub(5)..];
                let last: Vec<String> =
                    last.iter().map(|l| l.chars().take(800).collect()).collect();
                format!("registry {}:\n{}", r.host(), last.join("\n"))
            })
            .collect();
        panic!(
            "{args:?} failed ({} bytes free in {})\nstdout:\n{}\nstderr:\n{}\n{}",
            free_bytes(&env.work()),
            env.work().display(),
            run.stdout,
            run.stderr,
            logs.join("\n")
        );
    }
    (run, peak)
}

/// The layer goes layout -> registry A -> registry B -> layout; each copy
/// is removed once the next holds the layer, so that at most two copies
/// of it are on disk at any time.
#[test]
fn a_200_mib_layer_is_streamed_with_bounded_memory() {
    const SIZE: u64 = 200 * 1024 * 1024;
    let env = Env::new();
    // Two copies of the layer, with room for the registries' metadata and
    // the other test of this file: a machine without it fails here, with
    // the reason, instead of in a registry's 500 answer.
    let free = free_bytes(&env.work());
    assert!(
        free > 3 * SIZE,
        "this test needs {} MiB free in {}; {} MiB are",
        (3 * SIZE) >> 20,
        env.work().display(),
        free >> 20
    );
    let (a, b) = (Registry::start(Auth::None), Registry::start(Auth::None));
    let source = env.path("source");
    let layer = layout_with_layer(&source, SIZE);
    let first = format!("{}/big:v1", a.host().replace("127.0.0.1", "localhost"));
    let second = format!("{}/big", b.host().replace("127.0.0.1", "localhost"));
    let out = env.path("out");
    let check = |args: &[String], (run, peak): (common::Run, u64)| {
        assert!(
            run.stdout.contains("2 blobs copied"),
            "{args:?}: {}",
            run.stdout
        );
        eprintln!("{args:?}: peak {} MiB", peak / 1024);
        assert!(
            peak < MAX_PEAK_KIB,
            "{args:?} peaked at {peak} KiB for a {SIZE}-byte layer"
        );
    };
    let args = [
        "copy".into(),
        "--from-oci-layout".into(),
        format!("{}:v1", source.display()),
        first.clone(),
    ];
    check(&args, copy_measured(&env, &args, &[&a]));
    std::fs::remove_dir_all(&source).unwrap();
    let args = ["copy".into(), first.clone(), second.clone()];
    check(&args, copy_measured(&env, &args, &[&a, &b]));
    drop(a);
    let args = [
        "copy".into(),
        "--to-oci-layout".into(),
        format!("{second}:v1"),
        out.display().to_string(),
    ];
    check(&args, copy_measured(&env, &args, &[&b]));
    drop(b);
    let copied = OciLayout::open(&out).unwrap();
    assert_eq!(copied.blob_size(&layer.digest).unwrap(), Some(SIZE));
    let mut hasher = notation_core::algorithm::HashAlgorithm::Sha256.hasher();
    std::io::copy(
        &mut copied.open_blob(&layer.digest, SIZE).unwrap(),
        &mut hasher,
    )
    .unwrap();
    assert_eq!(
        format!("sha256:{}", notation_core::hex::encode(&hasher.finish())),
        layer.digest
    );
}

#[test]
fn progress_is_drawn_on_a_terminal_only() {
    let env = Env::new();
    let source = env.path("source");
    layout_with_layer(&source, 40 * 1024 * 1024);
    let args = |to: &str| {
        vec![
            "copy".to_string(),
            "--from-oci-layout".into(),
            "--to-oci-layout".into(),
            format!("{}:v1", source.display()),
            env.path(to).display().to_string(),
        ]
    };
    let on_terminal = args("tty");
    let run = env
        .run_in_terminal(&on_terminal.iter().map(String::as_str).collect::<Vec<_>>())
        .success();
    assert!(
        run.stdout.contains("total"),
        "no progress: {:?}",
        run.stdout
    );
    assert!(run.stdout.contains("MiB"), "{:?}", run.stdout);
    assert!(run.stdout.contains("Summary: 1 manifests copied"));
    let piped = args("pipe");
    let run = env
        .run(&piped.iter().map(String::as_str).collect::<Vec<_>>())
        .success();
    assert!(run.stderr.is_empty(), "{:?}", run.stderr);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no terminal codes in a pipe"
    );
}
