//! Our `notation` against the reference's own output: every case of
//! `golden/cases.tsv` was run with the reference CLI (notation v1.3.2, and
//! v2.0.0-alpha.1 for the policy commands) by `golden/gen.sh`, which
//! recorded its standard output, standard error and exit status under
//! `golden/out/` and exported the registry state its signatures left under
//! `golden/state/`. This test rebuilds the same registries (Debian's
//! `docker-registry`, plain and with Basic auth, reached as
//! `localhost:<port>` like the reference), the same configuration (the
//! conformance e2e key and certificate, `golden/trustpolicy.json`) and runs
//! ours with the same arguments.
//!
//! Comparisons (the `comparison` column):
//! - `exact`: exit status, standard output and standard error equal, after
//!   the placeholders (`{REG}` ...). Normalised, because they must differ:
//!   the reference's experimental-feature warning for `--oci-layout` (always
//!   on here), the order of the `inspect` attribute lists (Go map order is
//!   random in the reference; ours is sorted), and the words of Go's ASN.1
//!   decoder after `failed to parse timestamp countersignature: `.
//! - `error`: exit status and the `Error:` line (we also print why each
//!   signature failed, as warnings).
//! - `trace` (`-d`): exit status, standard output, the sequence of HTTP
//!   requests and response statuses, the header line shape, and every
//!   `Authorization` header redacted (`*****`) with the password nowhere.
//!   Upload session ids, and in the sign phase the digests of the (random)
//!   signatures, are normalised.
//! - `info` (`-v`): exit status, standard output, and every info line of
//!   the reference's log present in ours.
//!
//! The completion scripts are checked against the commands and flags the
//! reference completes (`golden/completion/`).

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Env, Run, copy_dir, vector};
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::{Credential, RegistryClient, RepositoryRef};
use support::registry::{Auth, Registry};

const E2E_SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
const TS_SUBJECT: &str = "sha256:53b0191218aed9a3c1f7c661736ac40cfc8eb928642348fd843ba3f0483c0c20";
const BADTS_SUBJECT: &str =
    "sha256:f1da8cd70d6d851fa2313c8d6618f79508cf1e86877edf1c0bfe49a1b0a6467a";

fn golden() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One line of `cases.tsv`.
#[derive(Clone, Debug)]
struct Case {
    name: String,
    phase: String,
    comparison: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    read(&golden().join("cases.tsv"))
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 5, "malformed case line {l:?}");
            Case {
                name: cols[0].into(),
                phase: cols[1].into(),
                comparison: cols[3].into(),
                args: cols[4].split(' ').map(String::from).collect(),
            }
        })
        .collect()
}

/// What the reference printed for a case.
struct Golden {
    code: i32,
    stdout: String,
    stderr: String,
}

fn golden_output(name: &str) -> Golden {
    let out = golden().join("out");
    Golden {
        code: read(&out.join(format!("{name}.code")))
            .trim()
            .parse()
            .unwrap(),
        stdout: read(&out.join(format!("{name}.stdout"))),
        stderr: read(&out.join(format!("{name}.stderr"))),
    }
}

/// The values of the placeholders in this run.
struct Values(Vec<(&'static str, String)>);

impl Values {
    fn expand(&self, arg: &str) -> String {
        let mut arg = arg.to_string();
        for (k, v) in &self.0 {
            arg = arg.replace(k, v);
        }
        arg
    }

    /// Puts the placeholders back into our output (longest values first,
    /// so that a path inside another is not half-replaced).
    fn abstract_(&self, text: &str) -> String {
        let mut pairs: Vec<&(&str, String)> = self
            .0
            .iter()
            .filter(|(k, _)| {
                matches!(
                    *k,
                    "{REG}" | "{AUTHREG}" | "{LAYOUT}" | "{CONFIG}" | "{GOLDEN}"
                )
            })
            .collect();
        pairs.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        let mut text = text.to_string();
        for (k, v) in pairs {
            text = text.replace(v.as_str(), k);
        }
        text
    }
}

/// `localhost:<port>` of a test registry (the reference reaches only
/// `localhost` over plain HTTP by default; so do we).
fn localhost(registry: &Registry) -> String {
    registry.host().replace("127.0.0.1", "localhost")
}

fn client(auth: bool) -> RegistryClient {
    let builder = RegistryClient::builder();
    let builder = if auth {
        builder.credentials(StaticCredentials::any_registry(Credential::basic(
            support::fixtures::USER,
            support::fixtures::PASSWORD,
        )))
    } else {
        builder
    };
    builder.build().unwrap()
}

fn push_image(client: &RegistryClient, registry: &Registry, repo: &str) {
    let repo = RepositoryRef::new(registry.host(), repo).unwrap();
    for file in ["config.json", "layer.txt"] {
        let data = std::fs::read(golden().join("image").join(file)).unwrap();
        client
            .push_blob(&repo, &notation_oci::oci::sha256_digest(&data), &data)
            .unwrap();
    }
    let manifest = std::fs::read(golden().join("image/manifest.json")).unwrap();
    client
        .push_manifest(
            &repo,
            "v1",
            notation_oci::oci::MEDIA_TYPE_IMAGE_MANIFEST,
            &manifest,
        )
        .unwrap();
}

/// Pushes what `gen.sh` exported of `repo` (blobs, then manifests in their
/// order, tags and the referrers tag index included): the registry then
/// holds byte for byte what the reference's signing left.
fn import_state(client: &RegistryClient, registry: &Registry, repo: &str) {
    let state = golden().join("state");
    let target = RepositoryRef::new(registry.host(), repo).unwrap();
    let blob = |digest: &str| {
        std::fs::read(
            state
                .join("blobs")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap()
    };
    for digest in read(&state.join(repo).join("blobs.txt")).lines() {
        client.push_blob(&target, digest, &blob(digest)).unwrap();
    }
    for line in read(&state.join(repo).join("manifests.tsv")).lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        client
            .push_manifest(&target, cols[0], cols[1], &blob(cols[2]))
            .unwrap();
    }
}

/// The configuration `gen.sh` gives the reference.
fn configure(env: &Env) {
    let keys = env.config().join("localkeys");
    std::fs::create_dir_all(&keys).unwrap();
    let key = vector("09-e2e-oci-layouts/localkeys/e2e.key");
    let cert = vector("09-e2e-oci-layouts/localkeys/e2e.crt");
    std::fs::copy(&key, keys.join("e2e.key")).unwrap();
    std::fs::copy(&cert, keys.join("e2e.crt")).unwrap();
    env.trust("ca", "e2e", "e2e.crt", &std::fs::read(&cert).unwrap());
    std::fs::write(
        env.config().join("signingkeys.json"),
        serde_json::json!({"default": "e2e", "keys": [{
            "name": "e2e",
            "keyPath": keys.join("e2e.key"),
            "certPath": keys.join("e2e.crt"),
        }]})
        .to_string(),
    )
    .unwrap();
    std::fs::copy(
        golden().join("trustpolicy.json"),
        env.config().join("trustpolicy.json"),
    )
    .unwrap();
}

// ---------------------------------------------------------------------------
// Normalisation and comparison
// ---------------------------------------------------------------------------

const EXPERIMENTAL_WARNING: &str = "Warning: This feature is experimental and may not be fully tested or completed and may be deprecated. Report any issues to \"https://github/notaryproject/notation\"";
const TOKEN_ERROR: &str = "failed to parse timestamp countersignature: ";

/// Normalises what must differ (see the module documentation).
fn normalise(text: &str) -> String {
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .filter(|l| l.trim_end() != EXPERIMENTAL_WARNING)
        .map(|l| match l.find(TOKEN_ERROR) {
            Some(i) => format!("{}<ASN.1 error>\n", &l[..i + TOKEN_ERROR.len()]),
            None => l.to_string(),
        })
        .collect();
    sort_attribute_lists(&lines).concat()
}

/// The children of `signed attributes`, `user defined attributes` and
/// `unsigned attributes` tree nodes, sorted (each child with its subtree),
/// with the tree drawing redone for the new order.
fn sort_attribute_lists(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        out.push(line.clone());
        i += 1;
        let is_list = [
            "signed attributes",
            "user defined attributes",
            "unsigned attributes",
        ]
        .iter()
        .any(|n| line.trim_end().ends_with(&format!("── {n}")));
        if !is_list {
            continue;
        }
        // The children's prefix: the parent's marker column replaced.
        let marker = line.find("── ").expect("tree line") - "├".len();
        let prefix: String = line[..marker].to_string()
            + if line[marker..].starts_with("├") {
                "│   "
            } else {
                "    "
            };
        let mut children: Vec<Vec<String>> = Vec::new();
        while i < lines.len() && lines[i].starts_with(&prefix) {
            let rest = &lines[i][prefix.len()..];
            if rest.starts_with("├── ") || rest.starts_with("└── ") {
                children.push(vec![lines[i].clone()]);
            } else {
                children
                    .last_mut()
                    .expect("a child first")
                    .push(lines[i].clone());
            }
            i += 1;
        }
        let key = |c: &Vec<String>| c[0][prefix.len() + "├── ".len()..].to_string();
        children.sort_by_key(key);
        let count = children.len();
        for (n, child) in children.into_iter().enumerate() {
            let last = n + 1 == count;
            for (k, l) in child.into_iter().enumerate() {
                let rest = &l[prefix.len()..];
                let redrawn = if k == 0 {
                    let label = &rest["├── ".len()..];
                    format!("{prefix}{}{label}", if last { "└── " } else { "├── " })
                } else {
                    let below = rest
                        .strip_prefix("│   ")
                        .or_else(|| rest.strip_prefix("    "))
                        .expect("a subtree line");
                    format!("{prefix}{}{below}", if last { "    " } else { "│   " })
                };
                out.push(redrawn);
            }
        }
    }
    out
}

/// The request and response lines of a `-d` log, with what must differ
/// normalised.
fn exchange(stderr: &str, digests: bool) -> Vec<String> {
    let uuid = regex_lite_uuid;
    stderr
        .lines()
        .filter(|l| l.starts_with("> Request: ") || l.starts_with("< Response status: "))
        .map(|l| {
            let mut l = uuid(l);
            if let Some(i) = l.find("_state=") {
                let end = l[i..].find(['&', '"']).map_or(l.len(), |e| i + e);
                l.replace_range(i..end, "_state={STATE}");
            }
            if digests {
                l = hex_digests(&l);
            }
            l
        })
        .collect()
}

/// Each request line with the status line after it, the query of an upload
/// `POST` removed (`?digest=` marks our single-request upload, which
/// distribution answers as the reference's `POST` with a session).
fn requests_only(exchange: &[String]) -> Vec<String> {
    exchange
        .chunks(2)
        .map(|pair| {
            let request = match pair[0].find("/blobs/uploads/?") {
                Some(i) if pair[0].contains("\"POST\"") => {
                    format!("{}/blobs/uploads/\"", &pair[0][..i])
                }
                _ => pair[0].clone(),
            };
            format!("{request} {}", pair.get(1).map_or("", String::as_str))
        })
        .collect()
}

/// Whether every item of `short` appears in `long`, as many times at least.
fn is_sub_multiset(short: &[String], long: &[String]) -> bool {
    let mut rest: Vec<&String> = long.iter().collect();
    short
        .iter()
        .all(|s| match rest.iter().position(|l| *l == s) {
            Some(i) => {
                rest.swap_remove(i);
                true
            }
            None => false,
        })
}

/// Replaces UUIDs (upload session ids) with `{UUID}`.
fn regex_lite_uuid(line: &str) -> String {
    let bytes = line.as_bytes();
    let shape = [8, 4, 4, 4, 12];
    let mut out = String::new();
    let mut i = 0;
    'outer: while i < bytes.len() {
        let mut j = i;
        for (n, len) in shape.iter().enumerate() {
            if j + len > bytes.len() || !bytes[j..j + len].iter().all(u8::is_ascii_hexdigit) {
                out.push(bytes[i] as char);
                i += 1;
                continue 'outer;
            }
            j += len;
            if n < 4 {
                if bytes.get(j) != Some(&b'-') {
                    out.push(bytes[i] as char);
                    i += 1;
                    continue 'outer;
                }
                j += 1;
            }
        }
        out.push_str("{UUID}");
        i = j;
    }
    out
}

/// Replaces every `sha256:<64 hex>`, `sha256-<64 hex>` and
/// `sha256%3A<64 hex>` with a marker.
fn hex_digests(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("sha256") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        let sep = [":", "-", "%3A"].into_iter().find(|s| rest.starts_with(s));
        if let Some(sep) = sep
            && rest.len() >= sep.len() + 64
            && rest[sep.len()..sep.len() + 64]
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
        {
            out.push_str(sep);
            out.push_str("{DIGEST}");
            rest = &rest[sep.len() + 64..];
        }
    }
    out.push_str(rest);
    out
}

/// The info lines of a log, without their timestamps.
fn info_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.find("level=info msg=").map(|i| l[i..].to_string()))
        .collect()
}

fn compare(case: &Case, ours: &Run, values: &Values) -> Result<(), String> {
    let golden = golden_output(&case.name);
    let ours_stdout = values.abstract_(&ours.stdout);
    let ours_stderr = values.abstract_(&ours.stderr);
    let mut problems = Vec::new();
    if ours.code != golden.code {
        problems.push(format!(
            "exit status {} (reference {})",
            ours.code, golden.code
        ));
    }
    let stdout_differs = normalise(&ours_stdout) != normalise(&golden.stdout);
    match case.comparison.as_str() {
        "exact" => {
            if stdout_differs {
                problems.push("standard output differs".into());
            }
            if normalise(&ours_stderr) != normalise(&golden.stderr) {
                problems.push("standard error differs".into());
            }
        }
        "error" => {
            let last = |s: &str| s.lines().last().unwrap_or("").to_string();
            if last(&ours_stderr) != last(&golden.stderr) {
                problems.push(format!(
                    "Error line {:?} (reference {:?})",
                    last(&ours_stderr),
                    last(&golden.stderr)
                ));
            }
        }
        "info" => {
            if stdout_differs {
                problems.push("standard output differs".into());
            }
            let ours_info = info_lines(&ours_stderr);
            for line in info_lines(&golden.stderr) {
                if !ours_info.contains(&line) {
                    problems.push(format!("missing log line {line:?}"));
                }
            }
        }
        "trace" => {
            if stdout_differs {
                problems.push("standard output differs".into());
            }
            let digests = case.phase == "sign";
            let (a, b) = (
                exchange(&ours_stderr, digests),
                exchange(&golden.stderr, digests),
            );
            // Signing deliberately sends fewer requests than the reference
            // (issue 9: a single-POST upload where the registry takes it, no
            // existence check of the empty config blob, no deletion of the
            // superseded tag index; the tag index is read before the
            // manifest is pushed): ours must be a subset of the reference's
            // requests, each with the same status.
            // Every other exchange is the reference's, request for request.
            let same = if digests {
                is_sub_multiset(&requests_only(&a), &requests_only(&b)) && a.len() < b.len()
            } else {
                a == b
            };
            if !same {
                problems.push(format!(
                    "HTTP exchange differs:\nours:\n{}\nreference:\n{}",
                    a.join("\n"),
                    b.join("\n")
                ));
            }
            for line in ours_stderr.lines().filter(|l| l.starts_with("   ")) {
                let ok = line == "   Empty header"
                    || (line.starts_with("   \"")
                        && line.contains("\": \"")
                        && line.ends_with('"'));
                if !ok {
                    problems.push(format!("header line shape {line:?}"));
                }
            }
            let auth = |s: &str| -> Vec<String> {
                s.lines()
                    .filter(|l| l.starts_with("   \"Authorization\""))
                    .map(String::from)
                    .collect()
            };
            let (ours_auth, ref_auth) = (auth(&ours_stderr), auth(&golden.stderr));
            if ours_auth.is_empty() != ref_auth.is_empty()
                || ours_auth
                    .iter()
                    .any(|l| l != "   \"Authorization\": \"*****\"")
            {
                problems.push(format!(
                    "Authorization headers {ours_auth:?} (reference {ref_auth:?})"
                ));
            }
            if ours.stderr.contains(support::fixtures::PASSWORD) {
                problems.push("the password is in the log".into());
            }
        }
        other => panic!("unknown comparison {other}"),
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "case {} (notation {}):\n  {}\n--- our stdout\n{}--- reference stdout\n{}--- our stderr\n{}--- reference stderr\n{}",
        case.name,
        case.args.join(" "),
        problems.join("\n  "),
        ours_stdout,
        golden.stdout,
        ours_stderr,
        golden.stderr
    ))
}

fn run_phase(env: &Env, phase: &str, values: &Values, failures: &mut Vec<String>) -> usize {
    let mut ran = 0;
    for case in cases().into_iter().filter(|c| c.phase == phase) {
        let args: Vec<String> = case.args.iter().map(|a| values.expand(a)).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ours = env.run(&args);
        if let Err(e) = compare(&case, &ours, values) {
            failures.push(e);
        }
        ran += 1;
    }
    ran
}

/// Every case of `cases.tsv`, phase by phase as `gen.sh` ran them.
#[test]
fn our_output_is_the_references() {
    let signing = Registry::start(Auth::None);
    let reading = Registry::start(Auth::None);
    let authenticated = Registry::start(Auth::Basic);
    let plain = client(false);
    push_image(&plain, &signing, "net-monitor");
    push_image(&plain, &signing, "unsigned");
    for repo in ["net-monitor", "unsigned", "timestamped", "bad-timestamp"] {
        import_state(&plain, &reading, repo);
        import_state(&client(true), &authenticated, repo);
    }
    let env = Env::new();
    configure(&env);
    let layout = env.path("layout");
    copy_dir(
        &vector("09-e2e-oci-layouts/layouts/e2e-valid-signature"),
        &layout,
    );
    let policy_env = Env::new();
    let subject = notation_oci::oci::sha256_digest(
        &std::fs::read(golden().join("image/manifest.json")).unwrap(),
    );
    let values = |reg: &Registry, config: &Path| {
        Values(vec![
            ("{REG}", localhost(reg)),
            ("{AUTHREG}", localhost(&authenticated)),
            ("{SUBJECT}", subject.clone()),
            ("{TS}", TS_SUBJECT.into()),
            ("{BADTS}", BADTS_SUBJECT.into()),
            ("{E2E}", E2E_SUBJECT.into()),
            ("{LAYOUT}", layout.display().to_string()),
            ("{CONFIG}", config.display().to_string()),
            ("{GOLDEN}", golden().display().to_string()),
            ("{USER}", support::fixtures::USER.into()),
            ("{PASSWORD}", support::fixtures::PASSWORD.into()),
        ])
    };
    let mut failures = Vec::new();
    let mut ran = 0;
    ran += run_phase(
        &env,
        "sign",
        &values(&signing, &env.config()),
        &mut failures,
    );
    ran += run_phase(
        &env,
        "read",
        &values(&reading, &env.config()),
        &mut failures,
    );
    ran += run_phase(
        &env,
        "layout",
        &values(&reading, &env.config()),
        &mut failures,
    );
    ran += run_phase(
        &env,
        "args",
        &values(&reading, &env.config()),
        &mut failures,
    );
    ran += run_phase(
        &policy_env,
        "policy",
        &values(&reading, &policy_env.config()),
        &mut failures,
    );
    assert_eq!(ran, cases().len(), "every case belongs to a phase");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases differ from the reference:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The normalisation of attribute order only reorders what Go's maps
/// shuffle: same lines, subtrees kept with their parent.
#[test]
fn attribute_lists_are_sorted_with_their_subtrees() {
    let tree = "x\n├── signed attributes\n│   ├── signingTime: t\n│   └── expiry: e\n├── unsigned attributes\n│   ├── timestamp signature\n│   │   └── timestamp: [a, b]\n│   └── signingAgent: a\n└── certificates\n";
    assert_eq!(
        normalise(tree),
        "x\n├── signed attributes\n│   ├── expiry: e\n│   └── signingTime: t\n├── unsigned attributes\n│   ├── signingAgent: a\n│   └── timestamp signature\n│       └── timestamp: [a, b]\n└── certificates\n"
    );
    assert_eq!(
        regex_lite_uuid("/uploads/1063815c-4bbf-440c-8907-fb67583dfc0a?x"),
        "/uploads/{UUID}?x"
    );
    assert_eq!(
        hex_digests(&format!(
            "a sha256:{} b sha256-{} c sha256%3A{} d sha256",
            "a".repeat(64),
            "b".repeat(64),
            "c".repeat(64)
        )),
        "a sha256:{DIGEST} b sha256-{DIGEST} c sha256%3A{DIGEST} d sha256"
    );
}

/// Each completion script names every command and flag the reference
/// completes, and is valid for its shell (bash -n, zsh -n, fish -n; these
/// shells are test requirements, PowerShell is not installable from
/// Debian: its script is checked for the names only).
#[test]
fn completion_scripts_name_what_the_reference_completes() {
    let env = Env::new();
    let dir = golden().join("completion");
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let list: Vec<String> = read(&path)
            .lines()
            .filter(|l| !l.is_empty() && *l != "help" && *l != "--help" && *l != "completion")
            .map(|l| l.trim_start_matches('-').to_string())
            .collect();
        names.insert(path.file_name().unwrap().to_string_lossy().into(), list);
    }
    assert!(names.len() >= 20, "{names:?}");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = env.run(&["completion", shell]).success().stdout;
        for (file, list) in &names {
            for name in list {
                assert!(
                    script.contains(name.as_str()),
                    "the {shell} script lacks {name:?} (from {file})"
                );
            }
        }
        assert!(script.contains("completion"), "{shell}");
        let check = match shell {
            "bash" => Some(("bash", "-n")),
            "zsh" => Some(("zsh", "-n")),
            "fish" => Some(("fish", "--no-execute")),
            _ => None,
        };
        if let Some((program, flag)) = check {
            let file = env.write(&format!("notation.{shell}"), &script);
            let out = std::process::Command::new(program)
                .arg(flag)
                .arg(&file)
                .output()
                .unwrap_or_else(|e| {
                    panic!("{program} is required for this test (apt-get install {program}): {e}")
                });
            assert!(
                out.status.success(),
                "{program} {flag} rejects the script: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
