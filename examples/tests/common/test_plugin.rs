//! A real plugin executable for the CLI tests (REQUIREMENTS R1, R2): the
//! Python script `testdata/plugin/test-plugin.py` (see its header for the
//! behaviours), installed as `{NOTATION_CONFIG}/plugins/{name}/notation-{name}`
//! with a `behavior.json` beside it. Every call it receives is logged to
//! `calls.jsonl`, so tests check what the `notation` binary sent.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::Env;

/// The test plugin script.
pub fn script() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/plugin/test-plugin.py"
    ))
}

/// A file of the committed test PKI (`testdata/pki`, made by
/// `make-pki.sh`): keys, leaf certificates, chains, the root.
pub fn pki(name: &str) -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// Fails loudly (never skips) when the tools the test plugin needs are
/// missing.
pub fn require_tools() {
    for (tool, arg) in [("python3", "--version"), ("openssl", "version")] {
        let ok = std::process::Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "the plugin tests need `{tool}` on PATH (they run a real plugin executable)"
        );
    }
}

/// The metadata a valid plugin returns (R4).
pub fn metadata(name: &str, version: &str, capabilities: &[&str]) -> Value {
    json!({
        "name": name,
        "description": "notation-rs test plugin",
        "version": version,
        "url": "https://example.com/test-plugin",
        "supportedContractVersions": ["1.0"],
        "capabilities": capabilities,
    })
}

/// The test plugin installed in an environment's plugin directory.
pub struct TestPlugin {
    dir: PathBuf,
}

impl TestPlugin {
    /// Installs plugin `name` answering as `behavior` (the plugin directory
    /// is `{NOTATION_CONFIG}/plugins`: the tests leave `NOTATION_LIBEXEC`
    /// unset, R1, X1).
    pub fn install(env: &Env, name: &str, behavior: Value) -> Self {
        require_tools();
        let dir = env.config().join("plugins").join(name);
        fs::create_dir_all(&dir).unwrap();
        let exe = dir.join(format!("notation-{name}"));
        fs::copy(script(), &exe).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let plugin = Self { dir };
        plugin.set_behavior(behavior);
        plugin
    }

    /// The plugin's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces the behavior.
    pub fn set_behavior(&self, behavior: Value) {
        fs::write(
            self.dir.join("behavior.json"),
            serde_json::to_vec_pretty(&behavior).unwrap(),
        )
        .unwrap();
    }

    /// Every call so far: `{"command", "request", "argv"}`.
    pub fn calls(&self) -> Vec<Value> {
        match fs::read_to_string(self.dir.join("calls.jsonl")) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The commands called so far, in order.
    pub fn commands(&self) -> Vec<String> {
        self.calls()
            .iter()
            .map(|c| c["command"].as_str().unwrap().to_string())
            .collect()
    }

    /// The last request of `command`.
    pub fn last_request(&self, command: &str) -> Value {
        self.calls()
            .into_iter()
            .rev()
            .find(|c| c["command"] == command)
            .unwrap_or_else(|| panic!("{command} was not called"))["request"]
            .clone()
    }

    /// Forgets the calls so far.
    pub fn clear_calls(&self) {
        let _ = fs::remove_file(self.dir.join("calls.jsonl"));
    }
}
