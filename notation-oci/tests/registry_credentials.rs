//! Credentials (REQUIREMENTS X2, W16): the Docker credential helper
//! protocol against fake `docker-credential-*` scripts in a temporary
//! directory used as the helper search path, Docker-format `config.json`
//! files, the reference's store selection, and `login` / `logout` against a
//! real registry with htpasswd Basic auth (the 13-config e2e vector
//! `{"credsStore": "pass"}`).
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::Engine;
use notation_oci::registry::client::{LoginError, LoginOutcome};
use notation_oci::registry::credentials::{
    ConfigFileStore, CredentialHelper, DOCKER_HUB_SERVER_ADDRESS, logout, select_credential_store,
};
use notation_oci::registry::{
    Credential, CredentialError, CredentialProvider, CredentialStore, RegistryClient,
};
use support::fixtures::{PASSWORD, USER, conformance};
use support::registry::{Auth, Registry};

/// A helper that keeps credentials as files under `<dir>/store/` and logs
/// each call (`program action input`) to `<dir>/calls.log`.
const STORE_HELPER: &str = r#"#!/bin/sh
dir="$(dirname "$0")"
input="$(cat)"
printf '%s %s %s\n' "$(basename "$0")" "$1" "$input" >> "$dir/calls.log"
mkdir -p "$dir/store"
key() { printf %s "$1" | sed 's#[/:]#_#g'; }
case "$1" in
  get)
    f="$dir/store/$(key "$input")"
    if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store)
    server=$(printf %s "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
    printf %s "$input" > "$dir/store/$(key "$server")" ;;
  erase)
    rm -f "$dir/store/$(key "$input")" ;;
  *) echo "unknown action"; exit 1 ;;
esac
"#;

fn script(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A directory with `docker-credential-<name>` store helpers.
fn helpers(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        script(dir.path(), &format!("docker-credential-{n}"), STORE_HELPER);
    }
    dir
}

fn calls(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("calls.log")).unwrap_or_default()
}

#[test]
fn helper_protocol_round_trip() {
    let dir = helpers(&["test"]);
    let helper = CredentialHelper::new("test").with_search_path(dir.path());
    assert!(helper.is_installed());
    assert_eq!(helper.get("reg.example:5000").unwrap(), None);
    helper
        .store("reg.example:5000", &Credential::basic("alice", "pw"))
        .unwrap();
    assert_eq!(
        helper.get("reg.example:5000").unwrap(),
        Some(Credential::basic("alice", "pw"))
    );
    // Identity tokens travel as user "<token>".
    helper
        .store("tok.example", &Credential::identity_token("refresh"))
        .unwrap();
    assert_eq!(
        helper.get("tok.example").unwrap(),
        Some(Credential::identity_token("refresh"))
    );
    assert!(
        std::fs::read_to_string(dir.path().join("store/tok.example"))
            .unwrap()
            .contains(r#""Username":"<token>""#)
    );
    helper.erase("reg.example:5000").unwrap();
    assert_eq!(helper.get("reg.example:5000").unwrap(), None);
    // The server address is what goes on stdin.
    let log = calls(dir.path());
    assert!(
        log.starts_with("docker-credential-test get reg.example:5000\n"),
        "{log}"
    );
    assert!(
        log.contains("docker-credential-test erase reg.example:5000\n"),
        "{log}"
    );
}

#[test]
fn failing_huge_and_missing_helpers() {
    let dir = tempfile::tempdir().unwrap();
    script(
        dir.path(),
        "docker-credential-broken",
        "#!/bin/sh\ncat >/dev/null\necho 'pass store is not initialized'\nexit 1\n",
    );
    script(
        dir.path(),
        "docker-credential-huge",
        "#!/bin/sh\ncat >/dev/null\nhead -c 3000000 /dev/zero | tr '\\0' a\n",
    );
    script(
        dir.path(),
        "docker-credential-garbage",
        "#!/bin/sh\ncat >/dev/null\necho 'secret-in-output not json'\n",
    );
    let e = CredentialHelper::new("broken")
        .with_search_path(dir.path())
        .get("r.io")
        .unwrap_err();
    assert!(
        matches!(&e, CredentialError::Helper { message, .. } if message == "pass store is not initialized"),
        "{e}"
    );
    let e = CredentialHelper::new("huge")
        .with_search_path(dir.path())
        .get("r.io")
        .unwrap_err();
    assert!(
        matches!(e, CredentialError::HelperOutputTooLarge { .. }),
        "{e}"
    );
    let e = CredentialHelper::new("garbage")
        .with_search_path(dir.path())
        .get("r.io")
        .unwrap_err();
    assert!(
        !e.to_string().contains("secret-in-output"),
        "helper output is not echoed: {e}"
    );
    let e = CredentialHelper::new("absent")
        .with_search_path(dir.path())
        .get("r.io")
        .unwrap_err();
    assert!(matches!(e, CredentialError::HelperNotFound { .. }), "{e}");
}

/// Issue 8: helpers that hang or leave a background child holding their
/// output cost at most the helper's timeout, or nothing at all. (Run from
/// a terminal, a helper stays in our process group and the background
/// `sleep` outlives it: it is short for that reason.)
#[test]
fn hanging_and_backgrounding_helpers_do_not_hang_us() {
    let dir = tempfile::tempdir().unwrap();
    script(
        dir.path(),
        "docker-credential-daemon",
        "#!/bin/sh
cat >/dev/null
echo '{\"ServerURL\":\"r.io\",\"Username\":\"u\",\"Secret\":\"p\"}'
sleep 30 &
exit 0
",
    );
    script(
        dir.path(),
        "docker-credential-hang",
        "#!/bin/sh
exec sleep 1000
",
    );
    assert!(
        format!("{:?}", CredentialHelper::new("x")).contains("timeout: Some(60s)"),
        "a default timeout"
    );
    let start = std::time::Instant::now();
    let credential = CredentialHelper::new("daemon")
        .with_search_path(dir.path())
        .get("r.io")
        .unwrap()
        .unwrap();
    assert_eq!(credential, Credential::basic("u", "p"));
    assert!(start.elapsed() < std::time::Duration::from_secs(10));

    let start = std::time::Instant::now();
    let e = CredentialHelper::new("hang")
        .with_search_path(dir.path())
        .with_timeout(Some(std::time::Duration::from_millis(300)))
        .get("r.io")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        CredentialError::Helper {
            helper: "hang".into(),
            action: "get",
            message: "did not answer within 300ms".into(),
        }
        .to_string()
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn docker_config_auths_helpers_and_hub_keys() {
    let dir = helpers(&["test", "other"]);
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let config = serde_json::json!({
        "auths": {
            DOCKER_HUB_SERVER_ADDRESS: {"auth": b64("hub-user:hub-pw")},
            "myreg.io:5000": {"identitytoken": "id-token"},
            "https://legacy.io/v1/": {"username": "leg", "password": "acy"},
            "registry-token.io": {"registrytoken": "access"},
        },
        "credHelpers": {"helped.io": "test"},
        "psFormat": "kept",
    });
    let path = dir.path().join("config.json");
    std::fs::write(&path, serde_json::to_vec(&config).unwrap()).unwrap();
    let store = ConfigFileStore::load(&path)
        .unwrap()
        .with_helper_search_path(dir.path());
    assert!(store.is_auth_configured());
    for hub in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
        assert_eq!(
            store.credential(hub).unwrap(),
            Some(Credential::basic("hub-user", "hub-pw")),
            "{hub}"
        );
    }
    assert_eq!(
        store.credential("myreg.io:5000").unwrap(),
        Some(Credential::identity_token("id-token"))
    );
    assert_eq!(
        store.credential("legacy.io").unwrap(),
        Some(Credential::basic("leg", "acy"))
    );
    assert_eq!(
        store.credential("registry-token.io").unwrap(),
        Some(Credential::registry_token("access"))
    );
    assert_eq!(store.credential("unknown.io").unwrap(), None);
    // credHelpers: the helper, not auths.
    assert_eq!(store.credential("helped.io").unwrap(), None);
    store
        .store("helped.io", &Credential::basic("h", "p"))
        .unwrap();
    assert_eq!(
        store.credential("helped.io").unwrap(),
        Some(Credential::basic("h", "p"))
    );
    // No helper for this registry and plaintext refused.
    let e = store
        .store("plain.io", &Credential::basic("a", "b"))
        .unwrap_err();
    assert!(
        matches!(e, CredentialError::PlaintextStorageRefused { .. }),
        "{e}"
    );

    // credsStore serves every registry without its own helper.
    std::fs::write(
        &path,
        r#"{"credsStore": "other", "credHelpers": {"helped.io": "test"}}"#,
    )
    .unwrap();
    let store = ConfigFileStore::load(&path)
        .unwrap()
        .with_helper_search_path(dir.path());
    store
        .store("docker.io", &Credential::basic("x", "y"))
        .unwrap();
    assert!(
        dir.path()
            .join("store/https___index.docker.io_v1_")
            .is_file()
    );
    assert_eq!(
        store.credential("registry-1.docker.io").unwrap(),
        Some(Credential::basic("x", "y"))
    );
    assert_eq!(
        store.credential("helped.io").unwrap(),
        Some(Credential::basic("h", "p"))
    );
}

#[test]
fn malformed_and_empty_configs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    for bad in [
        r#"{"auths": []}"#,
        r#"{"credsStore": 1}"#,
        r#"{"credHelpers": {"a": 1}}"#,
        "not json",
        "[]",
    ] {
        std::fs::write(&path, bad).unwrap();
        assert!(
            matches!(
                ConfigFileStore::load(&path),
                Err(CredentialError::MalformedConfig { .. })
            ),
            "{bad}"
        );
    }
    std::fs::write(&path, r#"{"auths": {"r.io": {"auth": "%%%"}}}"#).unwrap();
    let e = ConfigFileStore::load(&path)
        .unwrap()
        .credential("r.io")
        .unwrap_err();
    assert!(matches!(e, CredentialError::MalformedConfig { .. }), "{e}");
    std::fs::write(&path, "  \n").unwrap();
    assert!(!ConfigFileStore::load(&path).unwrap().is_auth_configured());
    assert!(
        !ConfigFileStore::load(dir.path().join("absent.json"))
            .unwrap()
            .is_auth_configured()
    );
}

#[test]
fn plaintext_storage_when_allowed_keeps_other_fields_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/config.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        r#"{"insecureRegistries": ["r.io"], "signatureFormat": "cose"}"#,
    )
    .unwrap();
    let store = ConfigFileStore::load(&path)
        .unwrap()
        .allow_plaintext_put(true);
    store
        .store("r.io", &Credential::basic("user", "pw"))
        .unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written["signatureFormat"], "cose");
    assert_eq!(
        written["auths"]["r.io"]["auth"],
        base64::engine::general_purpose::STANDARD.encode("user:pw")
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        ConfigFileStore::load(&path)
            .unwrap()
            .credential("r.io")
            .unwrap(),
        Some(Credential::basic("user", "pw"))
    );
    let e = store
        .store("r.io", &Credential::basic("a:b", "pw"))
        .unwrap_err();
    assert!(matches!(e, CredentialError::BadCredentialFormat(_)));
    logout("r.io", &store).unwrap();
    assert_eq!(
        ConfigFileStore::load(&path)
            .unwrap()
            .credential("r.io")
            .unwrap(),
        None
    );
    logout("r.io", &store).unwrap();
}

#[test]
fn store_selection_follows_the_reference() {
    let dir = helpers(&["notation-helper", "docker-helper", "pass"]);
    script(dir.path(), "pass", "#!/bin/sh\nexit 0\n");
    let notation = dir.path().join("notation.json");
    let docker = dir.path().join("docker.json");
    let probe = |store: &dyn CredentialStore| {
        store.store("r.io", &Credential::basic("u", "p")).unwrap();
        let log = calls(dir.path());
        std::fs::remove_file(dir.path().join("calls.log")).unwrap();
        log
    };
    // Both configured: Notation's wins.
    std::fs::write(&notation, r#"{"credsStore": "notation-helper"}"#).unwrap();
    std::fs::write(&docker, r#"{"credsStore": "docker-helper"}"#).unwrap();
    let s = select_credential_store(&notation, &docker, Some(dir.path().into())).unwrap();
    assert!(probe(&*s).starts_with("docker-credential-notation-helper store "));
    // Notation's not configured: Docker's.
    std::fs::write(&notation, r#"{"insecureRegistries": []}"#).unwrap();
    let s = select_credential_store(&notation, &docker, Some(dir.path().into())).unwrap();
    assert!(probe(&*s).starts_with("docker-credential-docker-helper store "));
    // Neither: the platform default helper (pass, since `pass` is installed).
    std::fs::write(&docker, "{}").unwrap();
    let s = select_credential_store(&notation, &docker, Some(dir.path().into())).unwrap();
    if cfg!(target_os = "linux") {
        assert!(probe(&*s).starts_with("docker-credential-pass store "));
    }
    // Nothing at all: Notation's file, which has nothing and refuses plaintext.
    let empty = tempfile::tempdir().unwrap();
    let s = select_credential_store(&notation, &docker, Some(empty.path().into())).unwrap();
    assert_eq!(s.credential("r.io").unwrap(), None);
    assert!(matches!(
        s.store("r.io", &Credential::basic("u", "p")),
        Err(CredentialError::PlaintextStorageRefused { .. })
    ));
}

#[test]
fn login_and_logout_against_a_registry_with_the_pass_helper_vector() {
    let registry = Registry::start(Auth::Basic);
    let dir = helpers(&["pass"]);
    // The 13-config e2e vector: {"credsStore": "pass"}.
    let config = dir.path().join("config.json");
    std::fs::copy(
        conformance().join("13-config/e2e/pass_credential_helper_config.json"),
        &config,
    )
    .unwrap();
    let store = select_credential_store(
        &config,
        &dir.path().join("none.json"),
        Some(dir.path().into()),
    )
    .unwrap();
    let client = RegistryClient::new().unwrap();

    // Wrong password: verification fails, nothing stored.
    let e = client
        .login(registry.host(), &Credential::basic(USER, "wrong"), &*store)
        .unwrap_err();
    assert!(matches!(e, LoginError::Verification(_)), "{e}");
    assert!(!calls(dir.path()).contains("store"));

    let good = Credential::basic(USER, PASSWORD);
    assert_eq!(
        client.login(registry.host(), &good, &*store).unwrap(),
        LoginOutcome::Stored
    );
    assert!(calls(dir.path()).contains(&format!(r#"docker-credential-pass store {{"ServerURL":"{}","Username":"testuser","Secret":"testpassword"}}"#, registry.host())));
    // The stored credential now authenticates a client.
    let authed = RegistryClient::builder()
        .credentials(store)
        .build()
        .unwrap();
    authed.ping(registry.host()).unwrap();
    let store = select_credential_store(
        &config,
        &dir.path().join("none.json"),
        Some(dir.path().into()),
    )
    .unwrap();
    logout(registry.host(), &*store).unwrap();
    assert_eq!(store.credential(registry.host()).unwrap(), None);

    // Without a credential store, plaintext is refused; unless the very same
    // credential is already saved (the reference's "existing credentials").
    let plain = dir.path().join("plain.json");
    std::fs::copy(
        conformance().join("13-config/notation-go-config/valid/config.json"),
        &plain,
    )
    .unwrap();
    let store = select_credential_store(
        &plain,
        &dir.path().join("none.json"),
        Some(tempfile::tempdir().unwrap().path().into()),
    )
    .unwrap();
    let e = client.login(registry.host(), &good, &*store).unwrap_err();
    assert!(
        matches!(
            e,
            LoginError::Storage(CredentialError::PlaintextStorageRefused { .. })
        ),
        "{e}"
    );
    ConfigFileStore::load(&plain)
        .unwrap()
        .allow_plaintext_put(true)
        .store(registry.host(), &good)
        .unwrap();
    let store = ConfigFileStore::load(&plain).unwrap();
    assert_eq!(
        client.login(registry.host(), &good, &store).unwrap(),
        LoginOutcome::AlreadyStored
    );
}
