//! `notation sign/verify/list/inspect/login/logout` against OCI layouts and
//! registries: the conformance layouts of MANIFEST 09 (signatures the
//! reference made, legacy and artifactType manifest forms, the referrers
//! tag schema) verify and list as the reference does (their `inspect`
//! output against the reference's is in golden.rs), and our signatures
//! verify; against Debian's `docker-registry` (CNCF
//! distribution 2.8.2, no referrers API) and an in-process registry written
//! to the OCI distribution spec for the referrers API.

mod common;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use common::{Env, copy_dir, vector};
use notation_oci::OciLayout;
use notation_oci::oci::{ImageIndex, ImageManifest, MEDIA_TYPE_IMAGE_INDEX};
use notation_oci::referrers::{add_to_index, index_entry, referrers_tag};
use notation_oci::registry::{RegistryClient, RepositoryRef};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

/// Copies an OCI layout into a registry repository as `oras cp` would:
/// every blob, every manifest of index.json (tags kept), and, where the
/// registry does not index subjects, the referrers tag index (Q6).
fn copy_layout_to_registry(layout_dir: &Path, client: &RegistryClient, repo: &RepositoryRef) {
    let layout = OciLayout::open(layout_dir).unwrap();
    for entry in std::fs::read_dir(layout_dir.join("blobs/sha256")).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let digest = format!("sha256:{}", path.file_name().unwrap().to_string_lossy());
        client.push_blob(repo, &digest, &data).unwrap();
    }
    let index = layout.index().unwrap();
    // Subjects first, then referrers.
    let mut manifests = index.manifests.clone();
    manifests.sort_by_key(|d| d.media_type == MEDIA_TYPE_IMAGE_INDEX);
    for desc in manifests {
        let data = layout.read_blob(&desc, 1 << 22).unwrap();
        let reference = desc
            .annotation("org.opencontainers.image.ref.name")
            .map(str::to_owned);
        if reference
            .as_deref()
            .is_some_and(|t| t.starts_with("sha256-"))
        {
            continue; // rebuilt below from the manifests' subjects
        }
        let pushed = client
            .push_manifest(
                repo,
                reference.as_deref().unwrap_or(&desc.digest),
                &desc.media_type,
                &data,
            )
            .unwrap();
        let manifest = ImageManifest::from_json(&data).unwrap();
        if let Some(subject) = &manifest.subject
            && !pushed.subject_processed()
        {
            let tag = referrers_tag(&subject.digest).unwrap();
            let existing = client
                .fetch_manifest_if_exists(repo, &tag, 1 << 22)
                .unwrap();
            let old = existing.map(|(_, d)| ImageIndex::from_json(&d).unwrap());
            let node = notation_oci::oci::Descriptor::new(
                desc.media_type.clone(),
                desc.digest.clone(),
                desc.size,
            );
            if let Some(new) = add_to_index(old.as_ref(), index_entry(&node, &manifest)) {
                client
                    .push_manifest(repo, &tag, MEDIA_TYPE_IMAGE_INDEX, &new.to_json())
                    .unwrap();
            }
        }
    }
}

fn e2e_config(env: &Env, cert: &str, policy: &str) {
    env.trust(
        "ca",
        "e2e",
        cert,
        &std::fs::read(vector(&format!("09-e2e-oci-layouts/localkeys/{cert}"))).unwrap(),
    );
    std::fs::copy(
        vector(&format!("06-trust-policies/e2e-oci/{policy}")),
        env.config().join("trustpolicy.oci.json"),
    )
    .unwrap();
}

const E2E_SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

fn layout(env: &Env, name: &str) -> PathBuf {
    let dir = env.path(name);
    if !dir.exists() {
        copy_dir(&vector(&format!("09-e2e-oci-layouts/layouts/{name}")), &dir);
    }
    dir
}

/// MANIFEST 09 through the CLI with `--oci-layout --scope` (K3).
#[test]
fn conformance_layouts() {
    let env = Env::new();
    e2e_config(&env, "e2e.crt", "trustpolicy.json");
    let scope = "localhost:5000/test-repo";
    let r = |name: &str| format!("{}@{E2E_SUBJECT}", layout(&env, name).display());
    env.run(&[
        "verify",
        "--oci-layout",
        &r("e2e-valid-signature"),
        "--scope",
        scope,
    ])
    .success()
    // The reference names the layout, not the scope, as it resolved it.
    .stdout_has(&format!(
        "Successfully verified signature for {}",
        r("e2e-valid-signature")
    ));
    env.run(&[
        "verify",
        "--oci-layout",
        &r("e2e-expired-signature"),
        "--scope",
        scope,
    ])
    .failure()
    .stderr_has("signature verification failed for all the signatures associated with")
    .stderr_has("digital signature has expired on");
    env.run(&["verify", "--oci-layout", &r("e2e-invalid-signature"), "--scope", scope])
        .failure()
        .stderr_has("signature envelope format with media type \"application/vnd.oci.image.layer.v1.tar\" is not supported");
    env.run(&["verify", "--oci-layout", &r("e2e"), "--scope", scope])
        .failure()
        .stderr_has(&format!("no signature is associated with \"{scope}@{E2E_SUBJECT}\", make sure the artifact was signed successfully"));
    // A tag resolves with the reference's warning.
    let by_tag = format!("{}:v1", layout(&env, "e2e-valid-signature").display());
    env.run(&["verify", "--oci-layout", &by_tag, "--scope", scope])
        .success()
        .stderr_has(
            "Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:v1)",
        );
    // --scope is required with --oci-layout.
    env.run(&["verify", "--oci-layout", &r("e2e-valid-signature")])
        .failure()
        .stderr_has("Error: if any flags in the group [oci-layout scope] are set they must all be set; missing [scope]");
    // list: tree of signature digests, or none.
    let listed = env
        .run(&["ls", "--oci-layout", &r("e2e-valid-multiple-signatures")])
        .success();
    assert!(
        listed
            .stdout
            .contains("└── application/vnd.cncf.notary.signature"),
        "{}",
        listed.stdout
    );
    assert!(
        listed
            .stdout
            .contains("sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f")
    );
    assert!(
        listed
            .stdout
            .contains("sha256:c3ebe4a20b6832328fc5078a7795ddc1114b896e13fca2add38109c3866b5fbf")
    );
    env.run(&["list", "--oci-layout", &r("e2e")])
        .success()
        .stdout_has("has no associated signature\n");
    env.run(&["inspect", "--oci-layout", &r("e2e")])
        .success()
        .stdout_has("has no associated signature");
    let json = env
        .run(&["inspect", "-o", "json", "--oci-layout", &r("e2e")])
        .success();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["Signatures"], serde_json::json!([]));
    // skip: success without reading the store.
    e2e_config(&env, "e2e.crt", "skip_trustpolicy.json");
    env.run(&[
        "verify",
        "--oci-layout",
        &r("e2e-invalid-signature"),
        "--scope",
        scope,
    ])
    .success()
    .stdout_has("Trust policy is configured to skip signature verification");
}

/// Sign with our CLI into registries (tag schema on distribution, referrers
/// API on the spec registry) and into a layout; verify, list and inspect.
#[test]
fn sign_verify_list_inspect() {
    let distribution = Registry::start(Auth::None);
    let spec = OciRegistry::start();
    let env = Env::new();
    env.generate_test(
        "e2e-rs",
        &["--default", "--key-type", "ec", "--key-size", "256"],
    );
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"all","registryScopes":["*"],
          "signatureVerification":{"level":"strict"},"trustStores":["ca:e2e-rs"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let client = RegistryClient::new().unwrap();
    for address in [distribution.host().to_string(), spec.host()] {
        let repo = RepositoryRef::new(&address, "net-monitor").unwrap();
        // Plain HTTP, as for the reference, only to localhost:<port>.
        let host = address.replace("127.0.0.1", "localhost");
        copy_layout_to_registry(&vector("09-e2e-oci-layouts/layouts/e2e"), &client, &repo);
        let tagged = format!("{host}/net-monitor:v1");
        let pinned = format!("{host}/net-monitor@{E2E_SUBJECT}");
        env.run(&["sign", "-v", &tagged])
            .success()
            .stderr_has("Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:v1)")
            .stdout_has(&format!("Successfully signed {pinned}"))
            .stderr_has(&format!("level=info msg=Pushed the signature to {host}/net-monitor@sha256:"));
        // 127.0.0.1 is reached over HTTPS unless said otherwise.
        let by_address = format!("{address}/net-monitor@{E2E_SUBJECT}");
        env.run(&["ls", &by_address]).failure();
        env.run(&["ls", "--insecure-registry", &by_address])
            .success()
            .stdout_has("└── application/vnd.cncf.notary.signature");
        env.run(&[
            "sign",
            "--signature-format",
            "cose",
            "--signature-manifest",
            "image",
            &pinned,
        ])
        .success()
        .stderr_lacks("Warning");
        env.run(&["verify", &pinned])
            .success()
            .stdout_has(&format!("Successfully verified signature for {pinned}"));
        let listed = env.run(&["ls", &pinned]).success();
        assert_eq!(
            listed.stdout.matches("sha256:").count(),
            3,
            "{}",
            listed.stdout
        );
        let inspected = env.run(&["inspect", "-o", "json", &pinned]).success();
        let v: serde_json::Value = serde_json::from_str(&inspected.stdout).unwrap();
        assert_eq!(v["Signatures"].as_array().unwrap().len(), 2);
        env.run(&["verify", "-m", "k=v", &pinned])
            .failure()
            .stderr_has("unable to find specified metadata in the signature");
        env.run(&["verify", "--max-signatures", "0", &pinned])
            .failure()
            .stderr_has("max-signatures value 0 must be a positive number");
        // The limit reached with no signature verified is a verification
        // failure, worded as the reference words one (its
        // `ErrorVerificationFailed`); ours adds why it stopped.
        env.run(&["verify", "-m", "k=v", "--max-signatures", "1", &pinned])
            .failure()
            .stderr_has("Warning: signature evaluation stopped. The configured limit of 1 signatures to verify per artifact exceeded")
            .stderr_has(&format!(
                "Error: signature verification failed for all the signatures associated with {pinned}\n"
            ));
    }
    // Into a layout.
    let dir = layout(&env, "e2e");
    let by_tag = format!("{}:v1", dir.display());
    env.run(&["sign", "--oci-layout", &by_tag, "-m", "purpose=test"])
        .success();
    env.run(&[
        "verify",
        "--oci-layout",
        &by_tag,
        "--scope",
        "local/e2e",
        "-m",
        "purpose=test",
    ])
    .success()
    .stdout_has("purpose");
}

/// Issue 12 item 1: a policy naming a trust store that does not exist
/// fails with the store's name, as the reference words it, not with "match
/// no certificate trusted" (the thumbprint pre-filter); under `audit` it is
/// a warning and the signature verifies.
#[test]
fn missing_trust_store_is_reported_by_name() {
    let env = Env::new();
    env.generate_test("e2e-rs", &["--default", "--key-type", "ec"]);
    let dir = layout(&env, "e2e");
    let by_tag = format!("{}:v1", dir.display());
    env.run(&["sign", "--oci-layout", &by_tag]).success();
    let policy = |level: &str| {
        std::fs::write(
            env.config().join("trustpolicy.oci.json"),
            format!(
                r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["local/e2e"],
                  "signatureVerification":{{"level":"{level}"}},"trustStores":["ca:missing"],"trustedIdentities":["*"]}}]}}"#
            ),
        )
        .unwrap()
    };
    policy("strict");
    env.run(&["verify", "--oci-layout", &by_tag, "--scope", "local/e2e"])
        .failure()
        .stderr_has("Error: the trust store \"missing\" of type \"ca\" does not exist. Use command 'notation cert add' to create and add trusted certificates to the trust store\n")
        .stderr_lacks("match no certificate trusted");
    policy("audit");
    env.run(&["verify", "--oci-layout", &by_tag, "--scope", "local/e2e"])
        .success()
        .stderr_has("Warning: authenticity was set to \"log\" and failed with error: the trust store \"missing\" of type \"ca\" does not exist\n")
        .stdout_has(&format!(
            "Successfully verified signature for {}@",
            dir.display()
        ));
}

/// T2: with a `skip` policy nothing is contacted: the registry here does not
/// exist.
#[test]
fn skip_needs_no_network() {
    let env = Env::new();
    std::fs::write(
        env.config().join("trustpolicy.oci.json"),
        r#"{"version":"1.0","trustPolicies":[{"name":"skip","registryScopes":["registry.invalid/app"],
          "signatureVerification":{"level":"skip"}}]}"#,
    )
    .unwrap();
    env.run(&["verify", &format!("registry.invalid/app@{E2E_SUBJECT}")])
        .success()
        .stdout_has("Trust policy is configured to skip signature verification");
    env.run(&["verify", &format!("registry.invalid/other@{E2E_SUBJECT}")])
        .failure()
        .stderr_has(&format!(
            "Error: signature verification failed: artifact \"registry.invalid/other@{E2E_SUBJECT}\" has no applicable oci trust policy statement"
        ));
}

/// Without `DOCKER_CONFIG` and `HOME`, Docker's config.json has no
/// place: the credential store cannot be opened, as in the reference
/// (oras-go's `NewStoreFromDocker`), unless Notation's config.json
/// configures credentials. A `.docker/config.json` in the working
/// directory is never read (it used to be: a malformed one failed here).
#[test]
fn docker_config_without_a_home_directory() {
    let env = Env::new();
    env.write(".docker/config.json", "not json");
    let unset = ["DOCKER_CONFIG", "HOME"];
    env.run_without_env(&["logout", "registry.example"], &unset)
        .failure()
        .stderr_has(
            "failed to get user home directory: HOME is not defined (set DOCKER_CONFIG or HOME)",
        )
        .stderr_lacks("not json")
        .stderr_lacks("invalid config format");
    // Notation's config.json configures credentials: Docker's is not
    // looked for.
    std::fs::write(
        env.config().join("config.json"),
        r#"{"auths":{"registry.example":{"auth":"dTpw"}}}"#,
    )
    .unwrap();
    env.run_without_env(&["logout", "registry.example"], &unset)
        .success()
        .stdout_has("Logout Succeeded");
    let left = std::fs::read_to_string(env.config().join("config.json")).unwrap();
    assert!(!left.contains("registry.example"), "{left}");
}

/// Installs `docker-credential-<name>` (the shell script `script`) in a
/// `bin` directory of `env`, names it as the credential store in
/// notation's config.json, and returns a `PATH` that finds it first.
fn install_credential_helper(env: &Env, name: &str, script: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bin = env.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join(format!("docker-credential-{name}"));
    std::fs::write(&helper, script).unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        env.config().join("config.json"),
        format!(r#"{{"credsStore": "{name}"}}"#),
    )
    .unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// login stores credentials through the credential helper notation's
/// config.json names (W16, 13-config `{"credsStore": ...}`); later commands
/// find them; logout erases them.
#[test]
fn login_logout_with_a_credential_helper() {
    let registry = Registry::start(Auth::Basic);
    let env = Env::new();
    let store = env.path("helper-store");
    std::fs::create_dir_all(&store).unwrap();
    // A docker-credential helper keeping one file per server.
    let path = install_credential_helper(
        &env,
        "filetest",
        &format!(
            r#"#!/bin/sh
set -e
dir="{}"
case "$1" in
  store) input=$(cat); server=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p'); printf '%s' "$input" > "$dir/$(printf '%s' "$server" | tr '/:' '__')" ;;
  get) server=$(cat); f="$dir/$(printf '%s' "$server" | tr '/:' '__')"; if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) server=$(cat); rm -f "$dir/$(printf '%s' "$server" | tr '/:' '__')" ;;
esac
"#,
            store.display()
        ),
    );
    // `notation <args>` with `vars` set and `input` on standard input.
    let run_in = |args: &[&str], vars: &[(&str, &str)], input: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_notation"))
            .args(args)
            .current_dir(env.work())
            .env("NOTATION_CONFIG", env.config())
            .env("DOCKER_CONFIG", env.path("docker"))
            .env("PATH", &path)
            .env_remove("NOTATION_USERNAME")
            .env_remove("NOTATION_PASSWORD")
            .envs(vars.iter().copied())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let run_with = |args: &[&str], vars: &[(&str, &str)]| run_in(args, vars, "");
    let run = |args: &[&str]| run_with(args, &[]);
    let localhost = registry.host().replace("127.0.0.1", "localhost");
    let host = localhost.as_str();
    // A server name that cannot be a registry is refused before any
    // request, with oras-go's words as the reference gives them.
    for bad in [format!("http://{host}"), format!("{host}/repo")] {
        let (code, _, err) = run(&[
            "login",
            "-u",
            support::fixtures::USER,
            "-p",
            support::fixtures::PASSWORD,
            &bad,
        ]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            err,
            format!(
                "Error: failed to get registry client: invalid reference: invalid registry \"{bad}\"\n"
            )
        );
    }
    let (code, _, err) = run(&["login", "-u", support::fixtures::USER, "-p", "wrong", host]);
    assert_eq!(code, 1, "{err}");
    // The reference's text (oras-go's words for the registry's 401).
    assert_eq!(
        err,
        format!(
            "Error: failed to log in to {host}: failed to validate the credentials for {host}: GET \"http://{host}/v2/\": response status code 401: unauthorized: authentication required\n"
        )
    );
    let (code, out, err) = run(&[
        "login",
        "-u",
        support::fixtures::USER,
        "-p",
        support::fixtures::PASSWORD,
        host,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Login Succeeded"));
    assert_eq!(
        std::fs::read_dir(&store).unwrap().count(),
        1,
        "stored by the helper"
    );
    // The stored credential lets `ls` in (no -u/-p).
    let client = RegistryClient::builder()
        .credentials(
            notation_oci::registry::credentials::StaticCredentials::any_registry(
                notation_oci::registry::Credential::basic(
                    support::fixtures::USER,
                    support::fixtures::PASSWORD,
                ),
            ),
        )
        .build()
        .unwrap();
    copy_layout_to_registry(
        &vector("09-e2e-oci-layouts/layouts/e2e"),
        &client,
        &RepositoryRef::new(registry.host(), "app").unwrap(),
    );
    let (code, out, err) = run(&["ls", &format!("{host}/app@{E2E_SUBJECT}")]);
    assert_eq!(code, 0, "{out}{err}");
    // As the reference, the first server argument is the one; others are
    // ignored.
    let (code, out, _) = run(&["logout", host, "ignored.example"]);
    assert_eq!(code, 0);
    assert!(out.contains("Logout Succeeded"));
    assert_eq!(
        std::fs::read_dir(&store).unwrap().count(),
        0,
        "erased by the helper"
    );
    let (code, _, err) = run(&["ls", &format!("{host}/app@{E2E_SUBJECT}")]);
    assert_eq!(code, 1, "{err}");

    // X2: each of -u and -p defaults to its own variable, for login as for
    // the other commands.
    let user = ("NOTATION_USERNAME", support::fixtures::USER);
    let password = ("NOTATION_PASSWORD", support::fixtures::PASSWORD);
    let listed = format!("{host}/app@{E2E_SUBJECT}");
    let (code, out, err) = run_with(&["ls", &listed], &[user, password]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run_with(&["ls", "-u", support::fixtures::USER, &listed], &[password]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run_with(&["ls", "-p", "wrong", &listed], &[user, password]);
    assert_eq!(code, 1, "{err}");
    let (code, out, err) = run_with(&["login", host], &[user, password]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Login Succeeded"), "{out}");
    let (code, out, _) = run(&["logout", host]);
    assert_eq!(code, 0, "{out}");

    // With no credential store configured, the password is not written to
    // a file in plain text: the reference's error, with its guide.
    let bare = env.path("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let bare = bare.to_str().unwrap();
    let (code, _, err) = run_with(
        &[
            "login",
            "-u",
            support::fixtures::USER,
            "-p",
            support::fixtures::PASSWORD,
            host,
        ],
        &[("NOTATION_CONFIG", bare), ("DOCKER_CONFIG", bare)],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.ends_with(&format!(
            "Error: failed to log in to {host}: the credential could not be saved because a credentials store is required to securely store the password. See https://notaryproject.dev/docs/how-to/registry-authentication/\n"
        )),
        "{err}"
    );

    // Without -p, login prompts as the reference does (standard input is
    // no terminal here: the password is the rest of it): a username, then
    // the password; with -u only the password; nothing typed for the
    // username makes the password a token.
    let run_input = |args: &[&str], input: &str| run_in(args, &[], input);
    let (user, password) = (support::fixtures::USER, support::fixtures::PASSWORD);
    let (code, out, err) = run_input(&["login", host], &format!("{user}\n{password}\n"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "Username: Password: \nLogin Succeeded\n");
    assert_eq!(run(&["logout", host]).0, 0);
    let (code, out, err) = run_input(&["login", "-u", user, host], &format!("{password}\n"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "Password: \nLogin Succeeded\n");
    assert_eq!(run(&["logout", host]).0, 0);
    let (code, out, err) = run_input(&["login", host], "\n");
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "Username: Token: \n");
    assert!(err.contains("token required"), "{err}");
    let (code, _, err) = run_input(&["login", host], "");
    assert_eq!(code, 1);
    assert!(err.contains("error reading username: EOF"), "{err}");

    // With -u/-p the credential store is not opened, as the reference does
    // not build it then: a malformed config.json is in nobody's way.
    std::fs::write(env.config().join("config.json"), r#"{"auths": []}"#).unwrap();
    let given = [
        "-u",
        support::fixtures::USER,
        "-p",
        support::fixtures::PASSWORD,
    ];
    let (code, out, err) = run(&[&["ls"][..], &given, &[listed.as_str()]].concat());
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run(&["ls", &listed]);
    assert_eq!(code, 1, "the store is needed without -u/-p: {err}");
}

/// The README's quickstart with its registry option, against distribution.
#[test]
fn quickstart_with_a_registry() {
    let registry = Registry::start(Auth::None);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .args(["--registry", &format!("{}/quickstart", registry.host())])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("[7/7] Sign and verify the image in a registry"),
        "{stdout}"
    );
    assert!(
        stdout.contains("All steps behaved as expected."),
        "{stdout}"
    );
}

/// `--timestamp-root-cert` must name a file with one self-signed,
/// self-issued root (the reference's rule and texts), checked before any
/// TSA or registry is contacted.
#[test]
fn the_timestamp_root_must_be_one_root() {
    let env = Env::new();
    env.generate_test("k", &["--default"]);
    let blob = env.write("file.txt", "content\n");
    let pki = support::servers::testdata().join("pki");
    let two = env.path("two.pem");
    let mut both = std::fs::read(pki.join("root.crt")).unwrap();
    both.extend(std::fs::read(pki.join("other-root.crt")).unwrap());
    std::fs::write(&two, both).unwrap();
    let empty = env.path("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let expecting = "Expecting single x509 root certificate in PEM or DER format from the file";
    let sign_with_root = |root: &str| {
        env.run(&[
            "blob",
            "sign",
            "--force",
            "--timestamp-url",
            "http://127.0.0.1:1/tsa",
            "--timestamp-root-cert",
            root,
            blob.to_str().unwrap(),
        ])
        .failure()
    };
    // A leaf (not a CA) and an intermediate (not signed by its own key)
    // fail Go's CheckSignatureFrom on themselves.
    for file in [pki.join("ec-256.crt"), pki.join("intermediate.crt")] {
        sign_with_root(file.to_str().unwrap())
            .stderr_has("Error: failed to check root certificate with error: ");
    }
    for (file, error) in [
        (two, "found more than one certificates from"),
        (empty, "cannot find any certificate from"),
    ] {
        let path = file.to_str().unwrap();
        sign_with_root(path)
            .stderr_has(error)
            .stderr_has(&format!("{path:?}"))
            .stderr_has(expecting);
    }
}

/// `--timestamp-url`/`--timestamp-root-cert` against a real TSA (O1), then
/// verification with a `tsa` trust store (O2-O4); the revocation timeout
/// flags are accepted.
#[test]
fn timestamp_flags_with_a_live_tsa() {
    let env = Env::new();
    let tsa_dir = env.path("tsa");
    std::fs::create_dir_all(&tsa_dir).unwrap();
    let config = support::servers::make_tsa(&tsa_dir);
    let tsa = support::servers::tsa(&config);
    env.generate_test("stamped", &["--default"]);
    env.trust(
        "tsa",
        "live",
        "root.crt",
        &std::fs::read(tsa_dir.join("root.crt")).unwrap(),
    );
    env.blob_policy(
        r#"{"version":"1.0","trustPolicies":[{"name":"p","globalPolicy":true,
          "signatureVerification":{"level":"strict","verifyTimestamp":"always"},
          "trustStores":["ca:stamped","tsa:live"],"trustedIdentities":["*"]}]}"#,
    );
    let blob = env.write("file.txt", "stamped content\n");
    let root = tsa_dir.join("root.crt");
    env.run(&[
        "blob",
        "sign",
        "--timestamp-url",
        &tsa.url(),
        "--timestamp-root-cert",
        root.to_str().unwrap(),
        blob.to_str().unwrap(),
    ])
    .success();
    let sig = env.path("file.txt.jws.sig");
    env.run(&[
        "blob",
        "verify",
        "--ocsp-timeout",
        "1s",
        "--crl-timeout",
        "2s",
        "-s",
        sig.to_str().unwrap(),
        blob.to_str().unwrap(),
    ])
    .success()
    .stdout_has("Successfully verified signature");
    let inspected = env
        .run(&["blob", "inspect", sig.to_str().unwrap()])
        .success();
    assert!(
        inspected.stdout.contains("timestamp signature"),
        "{}",
        inspected.stdout
    );
    assert!(
        inspected.stdout.contains("CN=Live Test TSA"),
        "{}",
        inspected.stdout
    );
    // The root flag is required with the URL, and a wrong root fails signing.
    env.run(&[
        "blob",
        "sign",
        "--force",
        "--timestamp-url",
        &tsa.url(),
        blob.to_str().unwrap(),
    ])
    .failure();
    let other = support::servers::testdata().join("pki/other-root.crt");
    env.run(&[
        "blob",
        "sign",
        "--force",
        "--timestamp-url",
        &tsa.url(),
        "--timestamp-root-cert",
        other.to_str().unwrap(),
        blob.to_str().unwrap(),
    ])
    .failure();
    // Without the timestamp the policy (verifyTimestamp: always) refuses.
    env.run(&["blob", "sign", "--force", blob.to_str().unwrap()])
        .success();
    env.run(&[
        "blob",
        "verify",
        "-s",
        sig.to_str().unwrap(),
        blob.to_str().unwrap(),
    ])
    .failure()
    .stderr_has("no timestamp countersignature was found in the signature envelope");
}

/// `--force-referrers-tag` defaults to true as in the reference: on a
/// registry with the referrers API (the spec registry), a plain `sign`
/// still maintains the referrers tag schema index, and
/// `--force-referrers-tag=false` (the reference's own help example) uses
/// the API alone; `--force-referrers-tag false` is not a value (pflag).
#[test]
fn force_referrers_tag_defaults_to_the_tag_schema() {
    let spec = OciRegistry::start();
    let env = Env::new();
    env.generate_test("k", &["--default", "--key-type", "ec"]);
    let client = RegistryClient::new().unwrap();
    let tag = notation_oci::referrers::referrers_tag(E2E_SUBJECT).unwrap();
    let host = spec.host().replace("127.0.0.1", "localhost");
    for (repo, flag, indexed) in [
        ("default", None, true),
        ("forced", Some("--force-referrers-tag"), true),
        ("forced-true", Some("--force-referrers-tag=true"), true),
        ("api", Some("--force-referrers-tag=false"), false),
        ("api-go-spelling", Some("--force-referrers-tag=F"), false),
    ] {
        copy_layout_to_registry(
            &vector("09-e2e-oci-layouts/layouts/e2e"),
            &client,
            &RepositoryRef::new(spec.host(), repo).unwrap(),
        );
        let reference = format!("{host}/{repo}@{E2E_SUBJECT}");
        let mut args = vec!["sign"];
        args.extend(flag);
        args.push(&reference);
        env.run(&args).success();
        assert_eq!(spec.has_tag(repo, &tag), indexed, "{repo}");
        env.run(&["ls", &reference])
            .success()
            .stdout_has("└── application/vnd.cncf.notary.signature");
    }
    env.run(&[
        "sign",
        "--force-referrers-tag",
        "false",
        &format!("{host}/default@{E2E_SUBJECT}"),
    ])
    .failure()
    .stderr_has("Error: accepts at most 1 arg(s), received 2");
}

/// `login --password-stdin` reads at most 64 KiB: more is an error, not a
/// password cut short; nothing is sent to a registry then.
#[test]
fn a_password_on_stdin_is_bounded() {
    let env = Env::new();
    let long = "p".repeat(64 * 1024 + 1);
    env.run_with_input(
        &["login", "-u", "user", "--password-stdin", "localhost:1"],
        &long,
    )
    .failure()
    .stderr_has("error reading password: more than 64 KiB on standard input");
}

/// A credential helper may prompt on the terminal (`pass`, through gpg's
/// pinentry, asks for a passphrase there): on a terminal it runs in
/// notation's process group, so that it can read from the terminal, and
/// its standard error is notation's, as the reference runs it. Here the
/// helper asks for the registry's password on standard error and reads it
/// from `/dev/tty`; the password typed there lets `list` in. (In a process
/// group of its own, its read of the terminal stopped it until its
/// timeout, and its prompt never showed.)
#[test]
fn a_credential_helper_prompts_on_the_terminal() {
    let registry = Registry::start(Auth::Basic);
    let env = Env::new();
    let path = install_credential_helper(
        &env,
        "ask",
        &format!(
            r#"#!/bin/sh
[ "$1" = get ] || exit 1
server=$(cat)
printf 'Password for %s: ' "$server" >&2
IFS= read -r secret </dev/tty
printf '{{"ServerURL":"%s","Username":"{}","Secret":"%s"}}\n' "$server" "$secret"
"#,
            support::fixtures::USER
        ),
    );
    let host = registry.host().replace("127.0.0.1", "localhost");
    let reference = format!("{host}/app@{E2E_SUBJECT}");
    let mut terminal = env.start_in_terminal(&["list", &reference], &[("PATH", path.as_ref())]);
    terminal.wait_for(&format!("Password for {host}: "));
    terminal.type_line(support::fixtures::PASSWORD);
    let run = terminal.finish();
    assert!(
        run.stdout.contains(&format!("{reference}: not found"))
            && !run.stdout.contains("401")
            && !run.stdout.contains("unauthorized"),
        "{}",
        run.stdout
    );
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), `login`
/// reads the password without echoing it, as the reference's
/// term.ReadPassword does; the username is echoed as usual (the control
/// that echo works). Each answer is typed once its prompt shows, and the
/// echo goes off before the password's prompt shows, so nothing here
/// depends on timing. Nothing listens on the registry's port: the login
/// fails after the prompts.
#[test]
fn login_reads_a_typed_password_without_echo() {
    let env = Env::new();
    let mut terminal = env.start_in_terminal(&["login", "localhost:1"], &[]);
    terminal.wait_for("Username: ");
    terminal.type_line("alice");
    terminal.wait_for("Password: ");
    terminal.type_line("s3cretpw");
    terminal.wait_for("failed to log in to localhost:1");
    let run = terminal.finish();
    let text = run.stdout;
    assert_ne!(run.code, 0, "{text}");
    assert!(text.contains("alice"), "the username is echoed: {text}");
    assert!(
        !text.contains("s3cretpw"),
        "the password was echoed: {text}"
    );
}
