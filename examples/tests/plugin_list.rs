//! `notation plugin list` (`ls`) with real plugin executables (the Python
//! test plugin, REQUIREMENTS R1-R4, X1): the reference's table
//! (`cmd/notation/plugin/list.go`: NAME, DESCRIPTION, VERSION, CAPABILITIES,
//! ERROR; `<nil>` for a working plugin, `[]` capabilities for a broken one),
//! rows sorted by name as the reference walks the directory, broken plugins
//! listed with their error while the command succeeds, symbolic links,
//! files and install staging directories ignored; and install-then-list.
#![cfg(unix)]

mod common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;

use common::Env;
use common::test_plugin::{TestPlugin, metadata, require_tools, script};
use notation_examples::display::table;
use serde_json::json;

const HEADER: [&str; 5] = ["NAME", "DESCRIPTION", "VERSION", "CAPABILITIES", "ERROR"];

fn expected(rows: &[[&str; 5]]) -> String {
    let mut all = vec![HEADER.map(String::from).to_vec()];
    all.extend(rows.iter().map(|r| r.map(String::from).to_vec()));
    table::render(&all)
}

#[test]
fn no_plugins_r1() {
    // The reference's e2e "with empty result": the header alone, whether
    // the plugin directory is missing or empty.
    let env = Env::new();
    let out = env.run(&["plugin", "list"]).success();
    assert_eq!(
        out.stdout,
        "NAME   DESCRIPTION   VERSION   CAPABILITIES   ERROR   \n"
    );
    assert_eq!(out.stderr, "");
    fs::create_dir_all(env.config().join("plugins")).unwrap();
    assert_eq!(env.run(&["plugin", "ls"]).success().stdout, out.stdout);
}

#[test]
fn working_and_broken_plugins_r1_r4() {
    require_tools();
    let env = Env::new();
    let plugins = env.config().join("plugins");
    // A working plugin (the reference's e2e "with e2e-plugin installed").
    let e2e = TestPlugin::install(
        &env,
        "e2e-plugin",
        json!({"get-plugin-metadata": {"response": {
            "name": "e2e-plugin",
            "description": "The e2e-plugin is a Notation compatible plugin for Notation E2E test",
            "version": "1.0.0",
            "url": "https://example.com",
            "supportedContractVersions": ["1.0"],
            "capabilities": ["SIGNATURE_VERIFIER.TRUSTED_IDENTITY", "SIGNATURE_VERIFIER.REVOCATION_CHECK"],
        }}}),
    );
    // "missing plugin binary": a directory without the executable.
    fs::create_dir_all(plugins.join("azure-kv")).unwrap();
    // "with invalid binary file": executable text that is no program.
    let invalid = plugins.join("bad-binary/notation-bad-binary");
    fs::create_dir_all(invalid.parent().unwrap()).unwrap();
    fs::write(&invalid, "invalid").unwrap();
    fs::set_permissions(&invalid, fs::Permissions::from_mode(0o755)).unwrap();
    // R4: invalid metadata, a name that is not the directory's, an error
    // response, a response that is no JSON.
    let mut invalid_metadata =
        metadata("com.example.nodesc", "1.0.0", &["SIGNATURE_GENERATOR.RAW"]);
    invalid_metadata["description"] = json!("");
    TestPlugin::install(
        &env,
        "com.example.nodesc",
        json!({"get-plugin-metadata": {"response": invalid_metadata}}),
    );
    TestPlugin::install(
        &env,
        "com.example.misnamed",
        json!({"get-plugin-metadata": {"response": metadata("com.example.other", "1.0.0", &["SIGNATURE_GENERATOR.RAW"])}}),
    );
    TestPlugin::install(
        &env,
        "com.example.failing",
        json!({"get-plugin-metadata": {"stderr": {"errorCode": "ACCESS_DENIED", "errorMessage": "the KMS said no"}, "exit": 1}}),
    );
    TestPlugin::install(
        &env,
        "com.example.garbage",
        json!({"get-plugin-metadata": {"stdout_raw": "not json"}}),
    );
    // R1: the executable is a directory ("badplugin" of the reference's
    // layout vector); not listed at all: a symbolic link to a plugin
    // directory, a plain file, our install staging directory.
    fs::create_dir_all(plugins.join("badplugin/notation-badplugin")).unwrap();
    std::os::unix::fs::symlink(plugins.join("e2e-plugin"), plugins.join("linked")).unwrap();
    fs::write(plugins.join("notation-file"), "").unwrap();
    let staging = plugins.join(".notation-plugin-install-leftover/plugin");
    fs::create_dir_all(&staging).unwrap();

    let out = env.run(&["plugin", "list"]).success();
    assert_eq!(out.stderr, "");
    let platform = notation_examples::plugin_package::go_platform();
    let not_executable = format!(
        "plugin file `notation-bad-binary` is not executable. Use `notation plugin install` command to install the plugin. Please ensure that the plugin executable file is compatible with {platform}"
    );
    assert_eq!(
        out.stdout,
        expected(&[
            [
                "azure-kv",
                "",
                "",
                "[]",
                "plugin executable file `notation-azure-kv` not found. Use `notation plugin install` command to install the plugin",
            ],
            ["bad-binary", "", "", "[]", &not_executable],
            [
                "badplugin",
                "",
                "",
                "[]",
                "plugin executable file is not a regular file"
            ],
            ["com.example.failing", "", "", "[]", "the KMS said no"],
            [
                "com.example.garbage",
                "",
                "",
                "[]",
                "failed to unmarshal the response of get-plugin-metadata command for plugin com.example.garbage",
            ],
            [
                "com.example.misnamed",
                "",
                "",
                "[]",
                "plugin executable file name must be \"notation-com.example.other\" instead of \"notation-com.example.misnamed\"",
            ],
            [
                "com.example.nodesc",
                "",
                "",
                "[]",
                "metadata validation failed for plugin com.example.nodesc: empty description",
            ],
            [
                "e2e-plugin",
                "The e2e-plugin is a Notation compatible plugin for Notation E2E test",
                "1.0.0",
                "[SIGNATURE_VERIFIER.TRUSTED_IDENTITY SIGNATURE_VERIFIER.REVOCATION_CHECK]",
                "<nil>",
            ],
        ]),
        "stdout:\n{}",
        out.stdout
    );
    // R3: the reference's empty request, no plugin configuration.
    assert_eq!(e2e.commands(), ["get-plugin-metadata"]);
    assert_eq!(e2e.last_request("get-plugin-metadata"), json!({}));
}

#[test]
fn install_then_list_r10_r1() {
    // A package holding the plugin and its behaviour file, installed with
    // `plugin install` (R10: it runs get-plugin-metadata while staged),
    // is listed with its metadata.
    require_tools();
    let env = Env::new();
    let name = "com.example.packaged";
    let behavior = json!({"get-plugin-metadata": {"response": metadata(name, "2.1.0", &["SIGNATURE_GENERATOR.RAW", "SIGNATURE_GENERATOR.ENVELOPE"])}});
    let mut zip = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zip);
        let exe = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
        let data = zip::write::SimpleFileOptions::default().unix_permissions(0o644);
        w.start_file(format!("notation-{name}"), exe).unwrap();
        w.write_all(&fs::read(script()).unwrap()).unwrap();
        w.start_file("behavior.json", data).unwrap();
        w.write_all(behavior.to_string().as_bytes()).unwrap();
        w.finish().unwrap();
    }
    let package = env.write("plugin.zip", zip.into_inner());
    env.run(&["plugin", "install", "--file", package.to_str().unwrap()])
        .success()
        .stdout_has(&format!(
            "Successfully installed plugin {name}, version 2.1.0"
        ));
    let out = env.run(&["plugin", "ls"]).success();
    assert_eq!(
        out.stdout,
        expected(&[[
            name,
            "notation-rs test plugin",
            "2.1.0",
            "[SIGNATURE_GENERATOR.RAW SIGNATURE_GENERATOR.ENVELOPE]",
            "<nil>",
        ]])
    );
    // Uninstalled, it is gone from the list.
    env.run(&["plugin", "uninstall", "-y", name]).success();
    assert_eq!(env.run(&["plugin", "list"]).success().stdout, expected(&[]));
}
