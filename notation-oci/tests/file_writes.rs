//! The files notation-oci writes (audit Low 4), all through notation-core's
//! one atomic writer: the CRL cache filled by concurrent revocation threads,
//! Docker's `config.json` kept a symbolic link when it is one, and the
//! permissions of each kind of file.
#![cfg(unix)]

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use notation_core::revocation::{Crl, CrlBundle, CrlCache};
use notation_oci::OciLayout;
use notation_oci::registry::credentials::{ConfigFileStore, Credential, CredentialStore};
use notation_oci::revocation::FileCrlCache;

mod support;

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The process's umask (Linux), which creation modes pass through.
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("Umask line in /proc/self/status");
    u32::from_str_radix(value.trim(), 8).unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn crl(name: &str) -> Crl {
    let path = support::fixtures::conformance()
        .join("08-revocation/crl-e2e")
        .join(name);
    Crl::from_der(&std::fs::read(path).unwrap()).unwrap()
}

/// Many threads store the same CRL cache entry at once, as the revocation
/// threads of one verification do: every write succeeds (one temporary
/// file name per process made them delete each other's files), the entry
/// is always one complete bundle, and it is owner-only.
#[test]
fn concurrent_writers_of_one_crl_cache_entry_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = FileCrlCache::new(dir.path());
    let url = "http://localhost:10086/leaf.crl";
    let bundles = [
        CrlBundle::new(crl("leaf.crl"), None),
        CrlBundle::new(crl("leaf_revoked.crl"), None),
    ];
    std::thread::scope(|scope| {
        for t in 0..16 {
            let (cache, bundles) = (&cache, &bundles);
            scope.spawn(move || {
                let bundle = &bundles[t % 2];
                for _ in 0..25 {
                    cache.set(url, bundle).unwrap();
                    let read = cache.get(url).unwrap().expect("an entry");
                    assert!(
                        bundles.iter().any(|b| b.base().der() == read.base().der()),
                        "a torn entry"
                    );
                }
            });
        }
    });
    assert!(!cache.had_errors());
    let entry = cache.entry_path(url);
    assert_eq!(
        names(entry.parent().unwrap()),
        [entry.file_name().unwrap().to_string_lossy()],
        "temporary files left behind"
    );
    assert_eq!(mode_of(&entry), 0o600 & !umask());
}

/// A `~/.docker/config.json` that links into a dotfiles directory stays a
/// link when a login or logout rewrites it (as Docker keeps it); the file
/// it points to is updated, owner-only.
#[test]
fn a_symlinked_docker_config_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    let docker = dir.path().join("home/.docker");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::create_dir_all(&docker).unwrap();
    let target = dotfiles.join("docker-config.json");
    std::fs::write(&target, br#"{"credsStore": "", "detachKeys": "ctrl-e,e"}"#).unwrap();
    let config = docker.join("config.json");
    symlink("../../dotfiles/docker-config.json", &config).unwrap();

    let store = ConfigFileStore::load(&config)
        .unwrap()
        .allow_plaintext_put(true);
    store
        .store("registry.example", &Credential::basic("user", "secret"))
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&config)
            .unwrap()
            .file_type()
            .is_symlink(),
        "config.json was replaced by a regular file"
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(written["detachKeys"], "ctrl-e,e");
    assert!(written["auths"]["registry.example"]["auth"].is_string());
    assert_eq!(mode_of(&target), 0o600 & !umask());
    assert_eq!(names(&docker), ["config.json"]);
    assert_eq!(names(&dotfiles), ["docker-config.json"]);

    store.erase("registry.example").unwrap();
    assert!(
        std::fs::symlink_metadata(&config)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert!(written["auths"].get("registry.example").is_none());
}

/// An OCI layout is shared content: its files are readable by all, its
/// new directories too, as the reference's store makes them.
#[test]
fn layout_files_are_readable_by_all() {
    let dir = tempfile::tempdir().unwrap();
    let layout = OciLayout::create(dir.path().join("layout")).unwrap();
    let desc = layout
        .write_blob("application/octet-stream", b"content")
        .unwrap();
    let blob = layout.blob_path(&desc.digest).unwrap();
    for file in [
        dir.path().join("layout/oci-layout"),
        dir.path().join("layout/index.json"),
        blob.clone(),
    ] {
        assert_eq!(mode_of(&file), 0o644 & !umask(), "{}", file.display());
    }
    assert_eq!(mode_of(blob.parent().unwrap()), 0o755 & !umask());
}
