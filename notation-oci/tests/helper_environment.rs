//! Issue 8 (Low 6): plugins and credential helpers do not see the Notation
//! CLI's registry credentials (`NOTATION_USERNAME`, `NOTATION_PASSWORD`);
//! everything else of the environment still reaches them. One test in its
//! own binary, since it sets process environment variables (no other test
//! runs in this process).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use notation_core::plugin::{Command, ExecutablePlugin, Plugin};
use notation_oci::registry::credentials::CredentialHelper;

fn script(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn helpers_and_plugins_get_no_registry_credentials() {
    // SAFETY: the only test of this binary: no other thread reads the
    // environment meanwhile.
    unsafe {
        std::env::set_var("NOTATION_USERNAME", "the-user");
        std::env::set_var("NOTATION_PASSWORD", "the-password");
        std::env::set_var("NOTATION_TEST_KEPT", "kept");
    }
    let seen =
        r#"${NOTATION_USERNAME-unset} ${NOTATION_PASSWORD-unset} ${NOTATION_TEST_KEPT-unset}"#;
    let dir = tempfile::tempdir().unwrap();
    script(
        &dir.path().join("docker-credential-env"),
        &format!(
            "#!/bin/sh\ncat >/dev/null\nprintf '{{\"Username\":\"u\",\"Secret\":\"%s\"}}' \"{seen}\"\n"
        ),
    );
    let credential = CredentialHelper::new("env")
        .with_search_path(dir.path())
        .get("r.io")
        .unwrap()
        .unwrap();
    assert_eq!(credential.password(), Some("unset unset kept"));

    let plugin_dir = dir.path().join("plugins/env");
    std::fs::create_dir_all(&plugin_dir).unwrap();
    let plugin = plugin_dir.join("notation-env");
    script(
        &plugin,
        &format!("#!/bin/sh\ncat >/dev/null\necho \"{seen}\"\n"),
    );
    let out = ExecutablePlugin::new("env", &plugin)
        .unwrap()
        .run(Command::GetPluginMetadata, b"{}")
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out), "unset unset kept\n");
}
