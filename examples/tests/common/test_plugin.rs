//! A real plugin executable for the CLI tests (REQUIREMENTS R1, R2): the
//! Python script `testdata/plugin/test-plugin.py` (see its header for the
//! behaviours), installed as `{NOTATION_CONFIG}/plugins/{name}/notation-{name}`
//! with a `behavior.json` beside it. Every call it receives is logged to
//! `calls.jsonl`, so tests check what the `notation` binary sent.
#![allow(dead_code)]

use std::ops::Deref;
use std::path::PathBuf;

use serde_json::Value;

use super::Env;

#[path = "../../../testdata/plugin/test_plugin.rs"]
mod shared;
// Not every test binary uses every helper.
#[allow(unused_imports)]
pub use shared::{InstalledPlugin, metadata, require_tools, script};

/// A file of the committed test PKI (`testdata/pki`, made by
/// `make-pki.sh`): keys, leaf certificates, chains, the root.
pub fn pki(name: &str) -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// The test plugin installed in an environment's plugin directory.
pub struct TestPlugin(InstalledPlugin);

impl Deref for TestPlugin {
    type Target = InstalledPlugin;
    fn deref(&self) -> &InstalledPlugin {
        &self.0
    }
}

impl TestPlugin {
    /// Installs plugin `name` answering as `behavior` (the plugin directory
    /// is `{NOTATION_CONFIG}/plugins`: the tests leave `NOTATION_LIBEXEC`
    /// unset, R1, X1).
    pub fn install(env: &Env, name: &str, behavior: Value) -> Self {
        Self(InstalledPlugin::install(
            &env.config().join("plugins"),
            name,
            behavior,
        ))
    }
}
