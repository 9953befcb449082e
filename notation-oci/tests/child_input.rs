//! A credential helper or a plugin that exits without reading its input must
//! not kill the process that runs it. Rust programs ignore SIGPIPE, but C
//! programs (and Go ones calling the C ABI) keep its default action, which
//! terminates the process on a write to a pipe nobody reads (found by the
//! `credentials` fuzz target). The test runs in a child process of this
//! test binary with SIGPIPE at its default, as in a C host.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use notation_core::plugin::{Command as PluginCommand, ExecutablePlugin, Plugin};
use notation_oci::Credential;
use notation_oci::registry::credentials::CredentialHelper;

const CHILD: &str = "NOTATION_TEST_SIGPIPE_CHILD";

unsafe extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
}

fn script(path: &Path) {
    // Exits at once, reading nothing.
    std::fs::write(path, "#!/bin/sh\nexit 1\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn programs_that_exit_without_reading_their_input_do_not_kill_a_c_host() {
    let name = "programs_that_exit_without_reading_their_input_do_not_kill_a_c_host";
    if std::env::var_os(CHILD).is_none() {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--nocapture", "--test-threads", "1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("test result: ok. 1 passed"),
            "the child died ({:?}): {stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    // SAFETY: SIGPIPE (13) back to its default action (SIG_DFL, 0), as a C
    // program has it; this process runs only this test.
    unsafe { signal(13, 0) };
    let dir = tempfile::tempdir().unwrap();
    // More input than a pipe or socket buffer holds: the write is still
    // going on when the program exits.
    let big = "x".repeat(4 << 20);

    script(&dir.path().join("docker-credential-unread"));
    let helper = CredentialHelper::new("unread").with_search_path(dir.path());
    let e = helper
        .store("registry.example", &Credential::basic("user", big.clone()))
        .unwrap_err();
    assert!(e.to_string().contains("unread"), "{e}");

    let plugin_path = dir.path().join("notation-unread");
    script(&plugin_path);
    let plugin = ExecutablePlugin::new("unread", &plugin_path).unwrap();
    let e = plugin
        .run(PluginCommand::DescribeKey, big.as_bytes())
        .unwrap_err();
    assert!(e.to_string().contains("unread"), "{e}");
}
