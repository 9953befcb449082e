//! `notation plugin install` and `notation plugin uninstall` (REQUIREMENTS
//! R10, R1, R4, U, X1), run as the real binary in temporary directories:
//! the `12-plugin/install-malicious-archives` vectors, real test plugins
//! (small `#!/bin/sh` scripts answering `get-plugin-metadata`) packaged as a
//! single file, a zip and a tar.gz built here, version rules, checksums,
//! hostile archives, the `12-plugin/protocol` metadata vectors, and `--url`
//! against a loopback HTTPS server (Python's `http.server`, trusted through
//! `SSL_CERT_FILE`).
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, vector, vector_bytes};

const NAME: &str = "e2e-plugin";
const MALICIOUS: &str = "12-plugin/install-malicious-archives";

/// The reference's hint after a plugin that does not run.
fn executable_hint() -> String {
    format!(
        ".\nPlease ensure that the plugin executable file is compatible with {} and has appropriate permissions.",
        notation_examples::plugin_package::go_platform()
    )
}

/// The reference's hint after a malformed plugin answer.
fn malformed_hint() -> String {
    format!(
        ".\nPlease ensure that the plugin executable file is intact and compatible with {}. Contact the plugin publisher for further assistance.",
        notation_examples::plugin_package::go_platform()
    )
}

fn metadata_json(name: &str, version: &str) -> String {
    serde_json::json!({
        "name": name,
        "description": "notation-rs test plugin",
        "version": version,
        "url": "https://example.com/test-plugin",
        "supportedContractVersions": ["1.0"],
        "capabilities": ["SIGNATURE_GENERATOR.RAW"],
    })
    .to_string()
}

/// A plugin script that answers `get-plugin-metadata` with `response` and
/// logs each call (`<command> <stdin>`) to `calls.log` in the working
/// directory.
fn script_answering(env: &Env, response: &str) -> Vec<u8> {
    format!(
        "#!/bin/sh\nif [ \"$1\" != \"get-plugin-metadata\" ]; then exit 1; fi\nreq=$(cat)\nprintf '%s %s\\n' \"$1\" \"$req\" >> '{}'\nprintf '%s' '{}'\n",
        env.path("calls.log").display(),
        response
    )
    .into_bytes()
}

fn script(env: &Env, name: &str, version: &str) -> Vec<u8> {
    script_answering(env, &metadata_json(name, version))
}

/// Writes an executable file in the working directory.
fn write_exec(env: &Env, file: &str, data: &[u8]) -> PathBuf {
    let p = env.write(file, data);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn zip_of(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, data, mode) in files {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(*mode);
            if name.ends_with('/') {
                w.add_directory(*name, options).unwrap();
            } else {
                w.start_file(*name, options).unwrap();
                w.write_all(data).unwrap();
            }
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// A tar.gz; each entry is (name, data, mode, type).
fn tar_gz_of(entries: &[(&str, &[u8], u32, tar::EntryType)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    for (name, data, mode, entry_type) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*entry_type);
        h.set_mode(*mode);
        h.set_size(data.len() as u64);
        if entry_type.is_symlink() || entry_type.is_hard_link() {
            h.set_link_name("/etc/passwd").unwrap();
            h.set_size(0);
        }
        // Raw names (set_path refuses `..` and absolute paths, which is
        // exactly what these tests need to write).
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name = [0; 100];
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        let body: &[u8] = if entry_type.is_file() { data } else { &[] };
        b.append(&h, body).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

fn plugins(env: &Env) -> PathBuf {
    // NOTATION_LIBEXEC is unset by the harness: plugins live in the
    // configuration directory (R1, X1).
    env.config().join("plugins")
}

/// Every file and directory under `root`: relative path → (is_dir, bytes,
/// mode).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (bool, Vec<u8>, u32)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (bool, Vec<u8>, u32)>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let mode = m.permissions().mode();
            if m.is_dir() {
                out.insert(rel, (true, Vec::new(), mode));
                walk(root, &p, out);
            } else {
                let data = if m.is_file() {
                    fs::read(&p).unwrap()
                } else {
                    Vec::new()
                };
                out.insert(rel, (false, data, mode));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The file names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Runs an install that must fail with `message` and change nothing under
/// the environment's root (the plugins directory may have been created
/// empty); no staging directory may be left.
#[track_caller]
fn refused(env: &Env, args: &[&str], message: &str) {
    let before = snapshot(&env.root());
    let out = env.run(args).failure();
    assert_eq!(
        out.stderr,
        format!("Error: {message}\n"),
        "stdout:\n{}",
        out.stdout
    );
    let mut after = snapshot(&env.root());
    if !before.contains_key(Path::new("config/plugins")) {
        after.remove(Path::new("config/plugins"));
    }
    assert_unchanged(before, after);
}

/// Compares two snapshots, ignoring the test plugins' own call log.
#[track_caller]
fn assert_unchanged(
    mut before: BTreeMap<PathBuf, (bool, Vec<u8>, u32)>,
    mut after: BTreeMap<PathBuf, (bool, Vec<u8>, u32)>,
) {
    for s in [&mut before, &mut after] {
        s.remove(Path::new("work/calls.log"));
    }
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files changed"
    );
    let changed: Vec<&PathBuf> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(changed.is_empty(), "contents or modes changed: {changed:?}");
}

fn file_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn malicious_archives_refused_r10() {
    // R10, MANIFEST 12-plugin/install-malicious-archives, with the
    // reference's e2e texts; an installed plugin stays untouched.
    let env = Env::new();
    let good = write_exec(
        &env,
        &format!("notation-{NAME}"),
        &script(&env, NAME, "1.0.0"),
    );
    env.run(&["plugin", "install", "--file", file_arg(&good)])
        .success();
    let evil = Path::new("/tmp/evil.txt");
    let evil_before = fs::read(evil).ok();
    let bomb = {
        use base64::Engine;
        let encoded = vector_bytes(&format!("{MALICIOUS}/zip_bomb.zip.base64"));
        let text: String = String::from_utf8(encoded)
            .unwrap()
            .split_whitespace()
            .collect();
        // Decoded in memory into the test's temporary directory, never
        // into the repository.
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        env.write("zip_bomb.zip", decoded)
    };
    let cases = [
        (
            vector(&format!("{MALICIOUS}/zip_slip.zip")),
            "plugin installation failed: file name in zip cannot contain '..', but found \"../../../../../../../../tmp/evil.txt\"",
        ),
        (
            vector(&format!("{MALICIOUS}/large_file_zip.zip")),
            "plugin installation failed: total file size reached the 256 MiB size limit",
        ),
        (
            vector(&format!("{MALICIOUS}/large_file_tarGz.tar.gz")),
            "plugin installation failed: total file size reached the 256 MiB size limit",
        ),
        (
            bomb,
            "plugin installation failed: total file size reached the 256 MiB size limit",
        ),
    ];
    for (archive, message) in &cases {
        for extra in [&[][..], &["-d"][..], &["--force"][..]] {
            let start = Instant::now();
            let mut args = vec!["plugin", "install", "--file", file_arg(archive)];
            args.extend_from_slice(extra);
            refused(&env, &args, message);
            // Refused from the headers, before decompressing gigabytes.
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{} took {:?}",
                archive.display(),
                start.elapsed()
            );
        }
    }
    assert_eq!(
        fs::read(evil).ok(),
        evil_before,
        "/tmp/evil.txt was written"
    );
    assert_eq!(listing(&plugins(&env)), [NAME]);
    assert_eq!(
        listing(&plugins(&env).join(NAME)),
        [format!("notation-{NAME}")]
    );
}

#[test]
fn install_single_file_zip_and_tar_gz_r10() {
    // R10: the three package forms; R1: `{plugins}/{name}/notation-{name}`,
    // executable; R4: the new plugin is asked `get-plugin-metadata` with a
    // JSON request.
    let env = Env::new();
    let exe_name = format!("notation-{NAME}");
    let body = script(&env, NAME, "1.0.0");
    let single = write_exec(&env, &exe_name, &body);
    let zip = env.write(
        "plugin.zip",
        zip_of(&[
            (&exe_name, &body, 0o755),
            ("LICENSE", b"license", 0o644),
            ("docs/", b"", 0o755),
            ("docs/notation-other", b"ignored: not at the root", 0o755),
        ]),
    );
    let tgz = env.write(
        "plugin.tgz",
        tar_gz_of(&[
            ("release/", b"", 0o755, tar::EntryType::Directory),
            (
                &format!("release/{exe_name}"),
                &body,
                0o755,
                tar::EntryType::Regular,
            ),
            ("release/lib.so", b"lib", 0o600, tar::EntryType::Regular),
        ]),
    );
    let expected: [(&Path, &[&str]); 3] = [
        (&single, &[exe_name.as_str()]),
        (&zip, &["LICENSE", exe_name.as_str()]),
        (&tgz, &["lib.so", exe_name.as_str()]),
    ];
    for (package, files) in expected {
        let _ = fs::remove_dir_all(plugins(&env));
        let out = env
            .run(&["plugin", "install", "--file", file_arg(package), "-d"])
            .success();
        assert_eq!(
            out.stdout,
            format!("Successfully installed plugin {NAME}, version 1.0.0\n")
        );
        let dir = plugins(&env).join(NAME);
        assert_eq!(listing(&dir), files, "{}", package.display());
        let exe = dir.join(&exe_name);
        assert_eq!(fs::read(&exe).unwrap(), body);
        let mode = fs::metadata(&exe).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
        // Only the plugin directory is left in the plugins directory.
        assert_eq!(listing(&plugins(&env)), [NAME]);
        if package != single.as_path() {
            out.stderr_has(&format!("Extracting file {exe_name}..."));
        }
    }
    // `add` is an alias; the request sent is JSON on standard input.
    env.run(&["plugin", "add", "--file", file_arg(&single), "--force"])
        .success()
        .stdout_has("Successfully updated plugin e2e-plugin from version 1.0.0 to 1.0.0");
    let calls = common::read(&env.path("calls.log"));
    assert!(
        calls.lines().all(|l| l == "get-plugin-metadata {}"),
        "{calls}"
    );
}

#[test]
fn versions_and_force_r10() {
    // R10: equal and lower versions refused unless --force; a higher one
    // replaces the plugin directory as a whole.
    let env = Env::new();
    let exe_name = format!("notation-{NAME}");
    let package = |version: &str, extra: &[(&str, &[u8], u32)]| -> PathBuf {
        let body = script(&env, NAME, version);
        let mut files: Vec<(&str, &[u8], u32)> = vec![(&exe_name, &body, 0o755)];
        files.extend_from_slice(extra);
        env.write(&format!("plugin-{version}.zip"), zip_of(&files))
    };
    let v1 = package("1.0.0", &[("old-lib.so", b"old", 0o644)]);
    env.run(&["plugin", "install", "--file", file_arg(&v1)])
        .success();
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&v1)],
        "plugin installation failed: plugin e2e-plugin with version 1.0.0 already exists",
    );
    let old = package("0.9.0", &[]);
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&old)],
        "plugin installation failed: failed to install plugin e2e-plugin. The installing plugin version 0.9.0 is lower than the existing plugin version 1.0.0.\nIt is not recommended to install an older version. To force the installation, use the \"--force\" option",
    );
    let pre = package("1.0.0-alpha", &[]);
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&pre)],
        "plugin installation failed: failed to install plugin e2e-plugin. The installing plugin version 1.0.0-alpha is lower than the existing plugin version 1.0.0.\nIt is not recommended to install an older version. To force the installation, use the \"--force\" option",
    );
    let invalid = package("v2", &[]);
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&invalid)],
        "plugin installation failed: failed to compare plugin versions: v2 is not a valid semantic version",
    );
    let v11 = package("1.1.0", &[("new-lib.so", b"new", 0o644)]);
    let out = env
        .run(&["plugin", "install", "--file", file_arg(&v11)])
        .success();
    assert_eq!(
        out.stdout,
        "Successfully updated plugin e2e-plugin from version 1.0.0 to 1.1.0\n"
    );
    // The old directory is replaced, not merged into.
    assert_eq!(
        listing(&plugins(&env).join(NAME)),
        ["new-lib.so", exe_name.as_str()]
    );
    let out = env
        .run(&["plugin", "install", "--file", file_arg(&old), "--force"])
        .success();
    assert_eq!(
        out.stdout,
        "Successfully updated plugin e2e-plugin from version 1.1.0 to 0.9.0\n"
    );
    assert_eq!(listing(&plugins(&env)), [NAME]);
}

#[test]
fn checksum_r10() {
    // R10: --sha256sum is compared (case-insensitively) before anything is
    // extracted or run.
    let env = Env::new();
    let exe = write_exec(
        &env,
        &format!("notation-{NAME}"),
        &script(&env, NAME, "1.0.0"),
    );
    refused(
        &env,
        &[
            "plugin",
            "install",
            "--file",
            file_arg(&exe),
            "--sha256sum",
            "abcd",
        ],
        "plugin installation failed: plugin SHA-256 checksum does not match user input. Expecting abcd",
    );
    assert!(!env.path("calls.log").exists(), "the plugin was run");
    let digest = sha256_hex(&fs::read(&exe).unwrap()).to_uppercase();
    env.run(&[
        "plugin",
        "install",
        "--file",
        file_arg(&exe),
        "--sha256sum",
        &digest,
    ])
    .success()
    .stdout_has("Successfully installed plugin e2e-plugin, version 1.0.0");
}

/// SHA-256 in hex, with ring (a dev-dependency).
fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn hostile_archive_entries_r10() {
    // R10: zip slip in tar.gz (the reference's text), absolute names,
    // links and special files are refused; nothing is written anywhere.
    let env = Env::new();
    let exe_name = format!("notation-{NAME}");
    let body = script(&env, NAME, "1.0.0");
    let reg = tar::EntryType::Regular;
    let cases: Vec<(Vec<u8>, &str, String)> = vec![
        (
            tar_gz_of(&[(&exe_name, &body, 0o755, reg), ("../evil", b"x", 0o644, reg)]),
            "t.tar.gz",
            "file name in tar.gz cannot contain '..', but found \"../evil\"".into(),
        ),
        (
            tar_gz_of(&[(&exe_name, &body, 0o755, reg), ("/tmp/evil", b"x", 0o644, reg)]),
            "t.tar.gz",
            "file name in tar.gz cannot be an absolute path, but found \"/tmp/evil\"".into(),
        ),
        (
            tar_gz_of(&[(&exe_name, &[], 0o777, tar::EntryType::Symlink)]),
            "t.tar.gz",
            format!("tar.gz entry \"{exe_name}\" is a symbolic link; a plugin package may only hold regular files and directories"),
        ),
        (
            tar_gz_of(&[
                (&exe_name, &body, 0o755, reg),
                ("lib.so", &[], 0o644, tar::EntryType::Link),
            ]),
            "t.tar.gz",
            "tar.gz entry \"lib.so\" is a hard link; a plugin package may only hold regular files and directories".into(),
        ),
        (
            tar_gz_of(&[(&exe_name, &body, 0o755, reg), ("fifo", &[], 0o644, tar::EntryType::Fifo)]),
            "t.tar.gz",
            "tar.gz entry \"fifo\" is a special file; a plugin package may only hold regular files and directories".into(),
        ),
        (
            zip_of(&[(&exe_name, &body, 0o755), ("/etc/evil", b"x", 0o644)]),
            "t.zip",
            "file name in zip cannot be an absolute path, but found \"/etc/evil\"".into(),
        ),
        (
            b"\x1f\x8b\x08 not really gzip".to_vec(),
            "t.tar.gz",
            "invalid tar.gz archive: invalid gzip header".into(),
        ),
    ];
    for (data, file, message) in cases {
        let p = env.write(file, data);
        refused(
            &env,
            &["plugin", "install", "--file", file_arg(&p)],
            &format!("plugin installation failed: {message}"),
        );
    }
    assert!(!Path::new("/tmp/evil").exists() || fs::read("/tmp/evil").unwrap() != b"x");
    assert!(!env.root().parent().unwrap().join("evil").exists());
}

#[test]
fn executable_candidates_and_names_r10_r1() {
    // R10: exactly one `notation-{name}` executable per package, the
    // reference's rules and texts; R1: names that cannot be a plugin
    // directory are refused.
    let env = Env::new();
    let body = script(&env, NAME, "1.0.0");
    let exe_name = format!("notation-{NAME}");
    let pkg = |file: &str, files: &[(&str, &[u8], u32)]| env.write(file, zip_of(files));

    let two = pkg(
        "two.zip",
        &[(&exe_name, &body, 0o755), ("notation-other", &body, 0o700)],
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&two)],
        "plugin installation failed: failed to read plugin from input directory: found more than one plugin executable files",
    );
    let none = pkg(
        "none.zip",
        &[("plugin", &body, 0o755), ("README", b"r", 0o644)],
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&none)],
        "plugin installation failed: failed to read plugin from input directory: no plugin executable file was found",
    );
    let two_candidates = pkg(
        "cands.zip",
        &[(&exe_name, &body, 0o644), ("notation-other", &body, 0o644)],
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&two_candidates)],
        "plugin installation failed: failed to read plugin from input directory: no plugin executable file was found",
    );
    // A single candidate without the execute bit gets it (the reference's
    // warning goes to the debug log).
    let one = pkg("one.zip", &[(&exe_name, &body, 0o644)]);
    env.run(&["plugin", "install", "--file", file_arg(&one), "-d"])
        .success()
        .stderr_has("without executable permission. Setting user executable bit");
    let mode = fs::metadata(plugins(&env).join(NAME).join(&exe_name))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o744);
    env.run(&["plugin", "uninstall", "--yes", NAME]).success();

    // Single files.
    for (file, message) in [
        (
            "notation-",
            "failed to read plugin name from input file notation-: invalid plugin executable file name. Plugin file name requires format notation-{plugin-name}, but got notation-",
        ),
        (
            "plugin.bin",
            "failed to read plugin name from input file plugin.bin: invalid plugin executable file name. Plugin file name requires format notation-{plugin-name}, but got plugin.bin",
        ),
        (
            "notation-.hidden",
            "plugin name \".hidden\" is not valid: it must be non-empty, must not start with '.', must not contain path separators or control characters, and must be at most 200 bytes long",
        ),
    ] {
        let p = write_exec(&env, file, &body);
        refused(
            &env,
            &["plugin", "install", "--file", file_arg(&p)],
            &format!("plugin installation failed: {message}"),
        );
    }
    let plain = env.write(&exe_name, &body);
    fs::set_permissions(&plain, fs::Permissions::from_mode(0o644)).unwrap();
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&plain)],
        &format!("plugin installation failed: input file {exe_name} is not executable"),
    );
    // The metadata name must be the file's `{name}` (R4).
    let other = write_exec(&env, "notation-other", &script(&env, NAME, "1.0.0"));
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&other)],
        "plugin installation failed: failed to get metadata of new plugin: plugin executable file name must be \"notation-e2e-plugin\" instead of \"notation-other\"",
    );
    // Not a file.
    let dir = env.path("adir");
    fs::create_dir(&dir).unwrap();
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&dir)],
        &format!(
            "plugin installation failed: {} is not a valid file",
            dir.display()
        ),
    );
    refused(
        &env,
        &["plugin", "install", "--file", "missing.zip"],
        "plugin installation failed: failed to read the plugin source missing.zip: no such file or directory",
    );
}

#[test]
fn metadata_vectors_r4() {
    // R4 with MANIFEST 12-plugin/protocol: the plugin answers with each
    // get-plugin-metadata vector; the invalid ones are refused with the
    // reference's texts and nothing is installed.
    let env = Env::new();
    let name = "com.example.nv2plugin";
    let exe = format!("notation-{name}");
    let install = |vector_name: &str| {
        let response =
            String::from_utf8(vector_bytes(&format!("12-plugin/protocol/{vector_name}"))).unwrap();
        let p = write_exec(&env, &exe, &script_answering(&env, response.trim()));
        vec![
            "plugin".to_string(),
            "install".into(),
            "--file".into(),
            p.to_str().unwrap().into(),
        ]
    };
    let cases = [
        ("invalid-empty-name", "empty name"),
        ("invalid-empty-description", "empty description"),
        ("invalid-empty-version", "empty version"),
        ("invalid-empty-url", "empty url"),
        ("invalid-empty-capabilities", "empty capabilities"),
        (
            "invalid-no-contract-versions",
            "supported contract versions not specified",
        ),
        (
            "invalid-unsupported-contract-version",
            "contract version \"1.0\" is not in the list of the plugin supported versions [2.0]",
        ),
    ];
    for (case, reason) in cases {
        let args = install(&format!("get-plugin-metadata.response.{case}.json"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(
            &env,
            &args,
            &format!(
                "plugin installation failed: metadata validation failed for plugin {name}: {reason}{}",
                malformed_hint()
            ),
        );
    }
    let args = install("get-plugin-metadata.response.invalid-name-mismatch.json");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(
        &env,
        &args,
        "plugin installation failed: failed to get metadata of new plugin: plugin executable file name must be \"notation-com.example.other\" instead of \"notation-com.example.nv2plugin\"",
    );
    let args = install("get-plugin-metadata.response.valid.json");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.run(&args)
        .success()
        .stdout_has("Successfully installed plugin com.example.nv2plugin, version 1.0.0");
    assert_eq!(listing(&plugins(&env)), [name]);
}

#[test]
fn broken_upgrade_keeps_the_installed_plugin_r10() {
    // R10: a failure after extraction (the new plugin does not run, or
    // reports an error) leaves the installed version as it was.
    let env = Env::new();
    let exe_name = format!("notation-{NAME}");
    let v1 = write_exec(&env, &exe_name, &script(&env, NAME, "1.0.0"));
    env.run(&["plugin", "install", "--file", file_arg(&v1)])
        .success();
    let broken = env.write(
        "broken.tar.gz",
        tar_gz_of(&[(
            &exe_name,
            b"#!/bin/sh\nexit 3\n",
            0o755,
            tar::EntryType::Regular,
        )]),
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&broken)],
        &format!(
            "plugin installation failed: failed to get metadata of new plugin: exit status 3{}",
            executable_hint()
        ),
    );
    let erroring = env.write(
        "erroring.zip",
        zip_of(&[(
            &exe_name,
            b"#!/bin/sh\necho '{\"errorCode\":\"ERROR\",\"errorMessage\":\"plugin is unhappy\"}' >&2\nexit 1\n",
            0o755,
        )]),
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&erroring)],
        "plugin installation failed: failed to get metadata of new plugin: plugin is unhappy",
    );
    let garbage = env.write(
        "garbage.zip",
        zip_of(&[(&exe_name, b"#!/bin/sh\necho 'not json'\n", 0o755)]),
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&garbage)],
        &format!(
            "plugin installation failed: failed to unmarshal the response of get-plugin-metadata command for plugin {NAME}{}",
            malformed_hint()
        ),
    );
    // Not a program at all.
    let binary = env.write(
        "binary.zip",
        zip_of(&[(&exe_name, b"\x7fELF\x02\x01\x01garbage", 0o755)]),
    );
    let out = env
        .run(&["plugin", "install", "--file", file_arg(&binary)])
        .failure();
    out.stderr_has("Error: plugin installation failed: failed to get metadata of new plugin: failed to execute ")
        .stderr_has(&executable_hint());
    assert_eq!(listing(&plugins(&env)), [NAME]);
    assert_eq!(
        fs::read(plugins(&env).join(NAME).join(&exe_name)).unwrap(),
        fs::read(&v1).unwrap()
    );

    // A broken installed plugin blocks an upgrade unless --force.
    fs::write(
        plugins(&env).join(NAME).join(&exe_name),
        b"#!/bin/sh\nexit 2\n",
    )
    .unwrap();
    let v2 = env.write(
        "v2.zip",
        zip_of(&[(&exe_name, &script(&env, NAME, "2.0.0"), 0o755)]),
    );
    refused(
        &env,
        &["plugin", "install", "--file", file_arg(&v2)],
        &format!(
            "plugin installation failed: failed to get metadata of existing plugin: exit status 2{}",
            executable_hint()
        ),
    );
    env.run(&["plugin", "install", "--file", file_arg(&v2), "--force"])
        .success()
        .stdout_has("Successfully installed plugin e2e-plugin, version 2.0.0");
}

#[test]
fn uninstall_r1() {
    // R1/X1: uninstall removes `{plugins}/{name}`; the reference's prompt,
    // texts and aliases; names outside the plugins directory are refused.
    let env = Env::new();
    let exe = write_exec(
        &env,
        &format!("notation-{NAME}"),
        &script(&env, NAME, "1.0.0"),
    );
    let install = || {
        env.run(&["plugin", "install", "--file", file_arg(&exe)])
            .success();
    };
    install();
    let out = env
        .run_with_input(&["plugin", "uninstall", NAME], "n\n")
        .success();
    // Asked on standard output, as the reference asks.
    assert_eq!(
        out.stdout,
        "Are you sure you want to uninstall plugin \"e2e-plugin\"? [y/N] Operation cancelled.\n"
    );
    assert_eq!(out.stderr, "");
    assert_eq!(listing(&plugins(&env)), [NAME]);
    env.run(&["plugin", "uninstall", NAME])
        .failure()
        .stderr_has("use -y to uninstall without confirmation");
    assert_eq!(listing(&plugins(&env)), [NAME]);
    let out = env
        .run_with_input(&["plugin", "uninstall", NAME], "y\n")
        .success();
    assert_eq!(
        out.stdout,
        "Are you sure you want to uninstall plugin \"e2e-plugin\"? [y/N] Successfully uninstalled plugin e2e-plugin\n"
    );
    assert!(listing(&plugins(&env)).is_empty());
    for (alias, yes) in [("uninstall", "--yes"), ("remove", "-y"), ("rm", "-y")] {
        install();
        env.run(&["plugin", alias, yes, NAME])
            .success()
            .stdout_has("Successfully uninstalled plugin e2e-plugin");
        assert!(listing(&plugins(&env)).is_empty());
    }
    env.run(&["plugin", "uninstall", "--yes", "non-exist"])
        .failure()
        .stderr_has("Error: unable to find plugin non-exist.\nTo view a list of installed plugins, use `notation plugin list`\n");
    env.run(&["plugin", "uninstall"])
        .failure()
        .stderr_has("Error: plugin name is required\n");
    env.run(&["plugin", "uninstall", "a", "b"])
        .failure()
        .stderr_has("Error: only one plugin can be removed at a time\n");
    // Names that would leave the plugins directory.
    let victim = env.config().join("victim");
    fs::create_dir_all(victim.join("notation-..")).unwrap();
    for bad in [
        "..",
        "../victim",
        ".",
        "",
        "a/b",
        ".notation-plugin-install-x",
    ] {
        let out = env.run(&["plugin", "uninstall", "-y", bad]).failure();
        out.stderr_has("is not valid");
    }
    assert!(victim.exists());
    // A plugin directory that is a symbolic link: the link goes, its
    // target stays.
    let elsewhere = env.path("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let target_exe = elsewhere.join(format!("notation-{NAME}"));
    fs::write(&target_exe, b"#!/bin/sh\n").unwrap();
    fs::create_dir_all(plugins(&env)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, plugins(&env).join(NAME)).unwrap();
    env.run(&["plugin", "uninstall", "-y", NAME]).success();
    assert!(target_exe.exists());
    assert!(listing(&plugins(&env)).is_empty());
}

#[test]
fn arguments_as_the_reference() {
    // The reference's e2e texts for flag and argument errors.
    let env = Env::new();
    for (args, message) in [
        (
            &["plugin", "install", "."][..],
            "at least one of the flags in the group [file url] is required",
        ),
        (
            &["plugin", "install", "--file", "--url", "."],
            "if any flags in the group [file url] are set none of the others can be; [file url] were all set",
        ),
        (&["plugin", "install"], "missing plugin source location"),
        (&["plugin", "install", "--file"], "missing plugin file path"),
        (&["plugin", "install", "--url"], "missing plugin URL"),
        (
            &["plugin", "install", "--file", "a", "b"],
            "can only install one plugin at a time, but got [a b]",
        ),
    ] {
        refused(&env, args, message);
    }
}

#[test]
fn url_refusals_r10() {
    // R10: HTTPS only and a mandatory checksum, checked before any
    // download (the reference's texts).
    let env = Env::new();
    for (args, message) in [
        (
            &[
                "plugin",
                "install",
                "--url",
                "https://127.0.0.1:9/notation-x",
            ][..],
            "installing from URL requires non-empty SHA256 checksum of the plugin source",
        ),
        (
            &[
                "plugin",
                "install",
                "--url",
                "https://127.0.0.1:9/notation-x",
                "--sha256sum",
                "",
            ],
            "installing from URL requires non-empty SHA256 checksum of the plugin source",
        ),
        (
            &[
                "plugin",
                "install",
                "--url",
                "http://localhost",
                "--sha256sum",
                "abcd",
            ],
            "failed to download plugin from URL: only the HTTPS scheme is supported, but got http",
        ),
        (
            &[
                "plugin",
                "install",
                "--url",
                "ftp://localhost/x",
                "--sha256sum",
                "abcd",
            ],
            "failed to download plugin from URL: only the HTTPS scheme is supported, but got ftp",
        ),
        (
            &[
                "plugin",
                "install",
                "--url",
                "plugin.zip",
                "--sha256sum",
                "abcd",
            ],
            "failed to download plugin from URL: only the HTTPS scheme is supported, but got ",
        ),
        // Issue 8 (Low 3): non-ASCII where the scheme is checked panicked
        // (exit 101).
        (
            &[
                "plugin",
                "install",
                "--url",
                "https:/é",
                "--sha256sum",
                "abcd",
            ],
            "failed to parse plugin download URL https:/é with error: an https URL needs a host",
        ),
    ] {
        refused(&env, args, message);
    }
}

/// A loopback HTTPS server (Python's `http.server` with the notation-oci
/// test CA's server certificate) serving a directory, with `/redirect/<f>`
/// (302 to `/<f>`) and `/insecure/<f>` (302 to plain http). It stops by
/// itself after two minutes; dropping it stops it at once.
struct HttpsServer {
    child: Child,
    port: u16,
}

const SERVER: &str = r#"
import http.server, os, ssl, sys, threading
root, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        for prefix, target in (("/redirect/", "/"), ("/insecure/", "http://127.0.0.1:9/"), ("/nonascii/", "https:/\u00e9")):
            if self.path.startswith(prefix):
                self.send_response(302)
                self.send_header("Location", target + self.path[len(prefix):])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        return super().do_GET()
    def log_message(self, *a):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Timer(120, lambda: os._exit(0)).start()
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

fn tls_fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../notation-oci/tests/support/fixtures"
    ))
    .join(name)
}

impl HttpsServer {
    fn start(root: &Path) -> Self {
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SERVER)
            .arg(root)
            .arg(tls_fixture("tls-server.crt.pem"))
            .arg(tls_fixture("tls-server.key.pem"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is required for the --url tests (scripts/test.sh installs it)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        HttpsServer { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn url_install_over_loopback_https_r10() {
    // R10/U: install from an HTTPS URL with its checksum: a single
    // executable (named by the URL's last segment), a tar.gz behind a
    // redirect; a wrong checksum, a 404 and a redirect to http are refused.
    let env = Env::new();
    let served = env.path("served");
    fs::create_dir_all(&served).unwrap();
    let exe_name = format!("notation-{NAME}");
    let body = script(&env, NAME, "1.0.0");
    fs::write(served.join(&exe_name), &body).unwrap();
    let tgz = tar_gz_of(&[(
        &exe_name,
        &script(&env, NAME, "1.2.0"),
        0o755,
        tar::EntryType::Regular,
    )]);
    fs::write(served.join("plugin.tar.gz"), &tgz).unwrap();
    let server = HttpsServer::start(&served);
    let ca = tls_fixture("tls-ca.crt.pem");
    let trust = [("SSL_CERT_FILE", ca.as_os_str())];
    let run = |args: &[&str]| env.run_with_env(args, &trust);

    let url = server.url(&exe_name);
    let sum = sha256_hex(&body);
    let out = run(&["plugin", "install", "--url", &url, "--sha256sum", &sum]).success();
    assert_eq!(
        out.stdout,
        format!(
            "Downloading plugin from {url}\nDownload completed\nSuccessfully installed plugin {NAME}, version 1.0.0\n"
        )
    );
    assert_eq!(listing(&plugins(&env).join(NAME)), [exe_name.as_str()]);

    let url = server.url("redirect/plugin.tar.gz");
    let sum = sha256_hex(&tgz);
    run(&["plugin", "install", "--url", &url, "--sha256sum", &sum])
        .success()
        .stdout_has("Successfully updated plugin e2e-plugin from version 1.0.0 to 1.2.0");

    let before = snapshot(&env.root());
    run(&["plugin", "install", "--url", &url, "--sha256sum", "abcd", "--force"])
        .failure()
        .stderr_has("Error: plugin installation failed: plugin SHA-256 checksum does not match user input. Expecting abcd\n");
    let missing = server.url("missing.zip");
    run(&["plugin", "install", "--url", &missing, "--sha256sum", "abcd"])
        .failure()
        .stderr_has(&format!(
            "Error: failed to download plugin from URL {missing} with error: GET \"{missing}\": https response bad status: 404 Not Found\n"
        ));
    let insecure = server.url("insecure/plugin.tar.gz");
    run(&["plugin", "install", "--url", &insecure, "--sha256sum", &sum])
        .failure()
        .stderr_has("redirect refused: redirect to \"http://127.0.0.1:9/plugin.tar.gz\" is not an https URL");
    // Issue 8 (Low 3): a Location that is not ASCII (Latin-1 on the wire)
    // is refused with an error, never a panic.
    let nonascii = server.url("nonascii/plugin.tar.gz");
    run(&["plugin", "install", "--url", &nonascii, "--sha256sum", &sum])
        .failure()
        .stderr_has(
            "redirect refused: redirect to \"https:/\u{fffd}plugin.tar.gz\" is not an https URL",
        );
    // Without the test CA the server is not trusted.
    env.run(&[
        "plugin",
        "install",
        "--url",
        &url,
        "--sha256sum",
        &sum,
        "--force",
    ])
    .failure()
    .stderr_has("tls: failed to verify certificate: x509: certificate signed by unknown authority");
    assert_unchanged(before, snapshot(&env.root()));
}
