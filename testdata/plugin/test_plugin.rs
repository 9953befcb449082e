//! The test plugin, shared by the test suites of notation-core, notation-ffi
//! and the `notation` CLI (each includes this file with `#[path]`): the
//! Python script `testdata/plugin/test-plugin.py` (its docstring documents
//! the behaviour format), installed as `{plugins}/{name}/notation-{name}`
//! with a `behavior.json` saying what each command answers (REQUIREMENTS
//! R1, R2). Every call it receives is logged to `calls.jsonl`, so tests
//! check what notation-rs sent.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The test plugin script (every including crate sits one level below the
/// repository root).
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/plugin/test-plugin.py")
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
            "the plugin tests need `{tool}` on PATH: they run a real plugin executable (testdata/plugin/test-plugin.py)"
        );
    }
    assert!(script().is_file(), "{} is missing", script().display());
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

/// Installs the test plugin as `{plugins}/{name}/notation-{name}` answering
/// as `behavior`; returns the executable's path.
pub fn install_into(plugins: &Path, name: &str, behavior: &Value) -> PathBuf {
    require_tools();
    let dir = plugins.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(format!("notation-{name}"));
    copy_executable(&script(), &exe);
    write_behavior(&dir, behavior);
    exe
}

/// Copies `from` to `to`, mode 0755, by a `cp` child process. The tests run
/// on many threads that start plugins: had this process opened `to` for
/// writing, a child that another thread forked at that moment would hold
/// the descriptor until its own exec, and executing `to` meanwhile fails
/// with ETXTBSY ("Text file busy"). A descriptor of the `cp` process is
/// never inherited by ours.
fn copy_executable(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg(from)
        .arg(to)
        .status()
        .expect("the plugin tests need `cp`");
    assert!(status.success(), "cp {} {}", from.display(), to.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn write_behavior(dir: &Path, behavior: &Value) {
    std::fs::write(
        dir.join("behavior.json"),
        serde_json::to_vec_pretty(behavior).unwrap(),
    )
    .unwrap();
}

/// One installed test plugin.
pub struct InstalledPlugin {
    dir: PathBuf,
    name: String,
}

impl InstalledPlugin {
    /// Installs plugin `name` answering as `behavior` under the plugin
    /// directory `plugins` (created if needed).
    pub fn install(plugins: &Path, name: &str, behavior: Value) -> Self {
        install_into(plugins, name, &behavior);
        Self {
            dir: plugins.join(name),
            name: name.to_string(),
        }
    }

    /// The plugin's own directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The executable's path.
    pub fn executable_path(&self) -> PathBuf {
        self.dir.join(format!("notation-{}", self.name))
    }

    /// Replaces the behavior.
    pub fn set_behavior(&self, behavior: Value) {
        write_behavior(&self.dir, &behavior);
    }

    /// Every call so far: `{"command", "request", "argv"}`.
    pub fn calls(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.dir.join("calls.jsonl")) {
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
            .unwrap_or_else(|| panic!("{command} was not called; calls: {:?}", self.commands()))
            ["request"]
            .clone()
    }

    /// Forgets the calls so far.
    pub fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.dir.join("calls.jsonl"));
    }
}
