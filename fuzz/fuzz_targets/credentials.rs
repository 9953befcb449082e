//! Docker's credential configuration as `notation login` and the registry
//! client read it: `config.json` (`auths`, `credsStore`, `credHelpers`) and
//! what a credential helper prints.
//!
//! The first byte selects: 0 the input is `config.json`: it is loaded,
//! queried for several registries, written to with plaintext storage
//! allowed and read back; 1 the input is what `docker-credential-<helper>
//! get` prints, exiting 0; 2 the same, exiting 1 (an error message); 3 the
//! input is Notation's own `config.json`; 4 Notation's `signingkeys.json`.
//! The helpers are two shell scripts in a scratch directory that print the
//! input: no other program is ever run (the helper search path is that
//! directory, or an empty one for `config.json`).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use notation_core::config::{Config, SigningKeys};
use notation_oci::Credential;
use notation_oci::registry::credentials::{
    ConfigFileStore, CredentialHelper, CredentialProvider, CredentialStore,
};

const REGISTRIES: [&str; 4] = ["registry.fuzz", "docker.io", "localhost:5000", "[::1]:5000"];

fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("notation-fuzz-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let output = dir.join("output");
        for (name, exit) in [("fuzzok", 0), ("fuzzfail", 1)] {
            let path = dir.join(format!("docker-credential-{name}"));
            std::fs::write(
                &path,
                format!("#!/bin/sh\ncat '{}'\nexit {exit}\n", output.display()),
            )
            .expect("helper script");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("helper mode");
        }
        dir
    })
}

fn docker_config(input: &[u8]) {
    // No helper can be found from here (the search path is an empty
    // directory): a credential stored is stored in the file.
    let dir = scratch().join("config");
    std::fs::create_dir_all(&dir).expect("config directory");
    let path = dir.join("config.json");
    std::fs::write(&path, input).expect("config.json");
    let Ok(store) = ConfigFileStore::load(&path) else {
        return;
    };
    let store = store
        .with_helper_search_path(&dir)
        .allow_plaintext_put(true);
    let _ = (store.credentials_store(), store.is_auth_configured());
    for r in REGISTRIES {
        let _ = store.credential(r);
    }
    let stored = Credential::basic("fuzz", "secret");
    if store.store("registry.fuzz", &stored).is_ok() {
        // Stored in plaintext (no helper configured): read back the same.
        let reloaded = ConfigFileStore::load(&path)
            .expect("a written config.json loads")
            .with_helper_search_path(&dir);
        assert_eq!(
            reloaded
                .credential("registry.fuzz")
                .expect("stored credential"),
            Some(stored),
            "plaintext credential round trip"
        );
        let _ = reloaded.erase("registry.fuzz");
    }
}

fn helper(input: &[u8], name: &str) {
    let dir = scratch();
    std::fs::write(dir.join("output"), input).expect("helper output");
    let helper = CredentialHelper::new(name).with_search_path(dir);
    if let Ok(Some(c)) = helper.get("registry.fuzz") {
        assert!(!c.is_empty(), "an empty credential is no credential");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    match selector % 5 {
        0 => docker_config(input),
        1 => helper(input, "fuzzok"),
        2 => helper(input, "fuzzfail"),
        3 => {
            let dir = scratch().join("notation");
            std::fs::create_dir_all(&dir).expect("notation config directory");
            std::fs::write(dir.join(notation_core::config::CONFIG_FILE), input).expect("config");
            if let Ok(config) = Config::load(&dir) {
                let _ = format!("{config:?}");
            }
        }
        _ => {
            if let Ok(keys) = SigningKeys::from_json(input) {
                let _ = format!("{keys:?}");
            }
        }
    }
});
