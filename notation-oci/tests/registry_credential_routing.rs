//! Where credentials go: a Bearer challenge's token realm on another host
//! gets them over HTTPS, as Docker Hub's does (`registry-1.docker.io` sends
//! clients to `auth.docker.io`); a realm over plain HTTP on a host that is
//! neither loopback nor an insecure registry gets none, and neither does
//! anything a realm or a registry redirects to on another origin. The
//! registry and the realms are in-process servers (a TLS realm needs a
//! certificate no installable token server here would use), the realm's
//! TLS under the fixtures' test CA.

mod support;

use std::sync::{Arc, Mutex};

use notation_oci::oci::{MAX_MANIFEST_SIZE, MEDIA_TYPE_IMAGE_MANIFEST};
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::error::AuthError;
use notation_oci::registry::transport::TrustRoots;
use notation_oci::registry::{
    Credential, RegistryClient, RegistryClientOptions, RegistryError, RepositoryRef,
};
use support::fixtures;
use support::http::{Request, Response, TestServer};

const MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
/// Basic `u:p`.
const BASIC: &str = "Basic dTpw";

/// A plain-HTTP loopback registry that wants `Bearer good-token` and sends
/// clients to `realm` for it.
fn registry(realm: String) -> TestServer {
    TestServer::start(move |req: &Request| {
        if req.header("authorization") == Some("Bearer good-token") {
            return Response::ok(MEDIA_TYPE_IMAGE_MANIFEST, MANIFEST);
        }
        Response::status(401).header(
            "WWW-Authenticate",
            format!(
                "Bearer realm=\"{realm}\",service=\"registry\",scope=\"repository:test/app:pull\""
            ),
        )
    })
}

fn client() -> RegistryClient {
    let ca = std::fs::read(fixtures::path("tls-ca.crt.pem")).unwrap();
    RegistryClientOptions::new()
        .trust_roots(TrustRoots::none().with_pem(&ca).unwrap())
        .credentials(StaticCredentials::any_registry(Credential::basic("u", "p")))
        .build()
        .unwrap()
}

fn authorizations(server: &TestServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(str::to_string))
        .collect()
}

#[test]
fn an_https_realm_on_another_host_gets_the_credentials() {
    // The registry is 127.0.0.1 over HTTP; the realm is localhost over TLS
    // on another port: another origin, as auth.docker.io is for Docker Hub.
    let realm = TestServer::start_tls(|req: &Request| {
        if req.header("authorization") == Some(BASIC) {
            Response::ok("application/json", r#"{"token":"good-token"}"#)
        } else {
            Response::status(401)
        }
    });
    assert!(realm.url().starts_with("https://localhost:"));
    let registry = registry(format!("{}/token", realm.url()));
    let repo = RepositoryRef::new(registry.host(), "test/app").unwrap();
    let (descriptor, _) = client()
        .fetch_manifest(&repo, "v1", MAX_MANIFEST_SIZE)
        .unwrap();
    assert_eq!(descriptor.size, MANIFEST.len() as u64);
    assert_eq!(authorizations(&realm), [Some(BASIC.to_string())]);
    let token_request = &realm.requests()[0];
    assert_eq!(token_request.query("service"), Some("registry"));
    // The registry never saw the password, only the token.
    assert!(
        authorizations(&registry)
            .iter()
            .all(|a| a.as_deref() != Some(BASIC))
    );
}

#[test]
fn a_realm_redirecting_to_another_origin_sends_no_credentials_there() {
    let elsewhere_seen = Arc::new(Mutex::new(Vec::new()));
    let seen = elsewhere_seen.clone();
    let elsewhere = TestServer::start(move |req: &Request| {
        seen.lock()
            .unwrap()
            .push(req.header("authorization").map(str::to_string));
        Response::ok("application/json", r#"{"token":"good-token"}"#)
    });
    let target = format!("{}/token-elsewhere", elsewhere.url());
    let realm =
        TestServer::start_tls(move |_| Response::status(307).header("Location", target.clone()));
    let registry = registry(format!("{}/token", realm.url()));
    let repo = RepositoryRef::new(registry.host(), "test/app").unwrap();
    client()
        .fetch_manifest(&repo, "v1", MAX_MANIFEST_SIZE)
        .unwrap();
    // The realm got the credentials; the origin it redirected to did not.
    assert_eq!(authorizations(&realm), [Some(BASIC.to_string())]);
    assert_eq!(*elsewhere_seen.lock().unwrap(), [None]);
}

#[test]
fn a_plain_http_realm_on_a_foreign_host_gets_nothing() {
    // No request can reach auth.example: the client refuses before sending.
    let registry = registry("http://auth.example/token".into());
    let repo = RepositoryRef::new(registry.host(), "test/app").unwrap();
    let client = client();
    let e = client
        .fetch_manifest(&repo, "v1", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::InsecureCredentialTransport { .. })),
        "{e}"
    );
    assert_eq!(client.request_count(), 1, "only the registry was asked");
}
