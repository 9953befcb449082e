//! A real plugin executable for the tests (REQUIREMENTS R1, R2): the Python
//! script `testdata/plugin/test-plugin.py`, installed as
//! `{tmp}/plugins/{name}/notation-{name}` with a `behavior.json` saying what
//! each command answers. Every call the plugin receives is logged so tests
//! can check what notation-rs sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notation_core::plugin::{ExecutablePlugin, Plugin, PluginDirectory, PluginLocator};
use serde_json::{Value, json};

/// The test plugin script.
pub fn script() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/plugin/test-plugin.py"
    ))
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

/// Metadata a valid plugin returns.
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

/// An installed test plugin in its own plugin directory.
pub struct TestPlugin {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    name: String,
}

impl TestPlugin {
    /// Installs the plugin `name` with `behavior` in a fresh plugin
    /// directory.
    pub fn install(name: &str, behavior: Value) -> Self {
        require_tools();
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("plugins");
        install_into(&root, name, &behavior);
        Self {
            _tmp: tmp,
            root,
            name: name.to_string(),
        }
    }

    /// The plugin directory (`.../plugins`).
    pub fn plugins_dir(&self) -> &Path {
        &self.root
    }

    /// The plugin's own directory.
    pub fn dir(&self) -> PathBuf {
        self.root.join(&self.name)
    }

    /// A scratch directory next to the plugin directory.
    pub fn scratch(&self) -> PathBuf {
        self.root.parent().unwrap().to_path_buf()
    }

    /// The plugin directory as a locator.
    pub fn locator(&self) -> Arc<dyn PluginLocator> {
        Arc::new(PluginDirectory::new(&self.root))
    }

    /// The installed plugin.
    pub fn plugin(&self) -> Arc<dyn Plugin> {
        Arc::new(self.executable())
    }

    /// The installed plugin as an executable.
    pub fn executable(&self) -> ExecutablePlugin {
        PluginDirectory::new(&self.root).open(&self.name).unwrap()
    }

    /// Replaces the behavior.
    pub fn set_behavior(&self, behavior: Value) {
        write_behavior(&self.dir(), &behavior);
    }

    /// Every call so far: `{"command", "request", "argv"}`.
    pub fn calls(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.dir().join("calls.jsonl")) {
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
        let _ = std::fs::remove_file(self.dir().join("calls.jsonl"));
    }
}

/// Installs the test plugin as `{root}/{name}/notation-{name}`.
pub fn install_into(root: &Path, name: &str, behavior: &Value) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(format!("notation-{name}"));
    std::fs::copy(script(), &exe).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write_behavior(&dir, behavior);
    exe
}

fn write_behavior(dir: &Path, behavior: &Value) {
    std::fs::write(
        dir.join("behavior.json"),
        serde_json::to_vec_pretty(behavior).unwrap(),
    )
    .unwrap();
}
