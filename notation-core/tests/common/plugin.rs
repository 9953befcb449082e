//! A real plugin executable for the tests (REQUIREMENTS R1, R2): the Python
//! script `testdata/plugin/test-plugin.py`, installed as
//! `{tmp}/plugins/{name}/notation-{name}` with a `behavior.json` saying what
//! each command answers. Every call the plugin receives is logged so tests
//! can check what notation-rs sent.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use notation_core::plugin::{ExecutablePlugin, Plugin, PluginDirectory, PluginLocator};
use serde_json::Value;

#[path = "../../../testdata/plugin/test_plugin.rs"]
mod shared;
// Not every test binary uses every helper.
#[allow(unused_imports)]
pub use shared::{InstalledPlugin, install_into, metadata, require_tools};

/// An installed test plugin in its own temporary plugin directory.
pub struct TestPlugin {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    installed: InstalledPlugin,
}

impl Deref for TestPlugin {
    type Target = InstalledPlugin;
    fn deref(&self) -> &InstalledPlugin {
        &self.installed
    }
}

impl TestPlugin {
    /// Installs the plugin `name` with `behavior` in a fresh plugin
    /// directory.
    pub fn install(name: &str, behavior: Value) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("plugins");
        let installed = InstalledPlugin::install(&root, name, behavior);
        Self {
            _tmp: tmp,
            root,
            installed,
        }
    }

    /// The plugin directory (`.../plugins`).
    pub fn plugins_dir(&self) -> &Path {
        &self.root
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
        let name = self.dir().file_name().unwrap().to_str().unwrap();
        PluginDirectory::new(&self.root).open(name).unwrap()
    }
}
