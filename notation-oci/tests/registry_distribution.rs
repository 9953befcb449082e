//! The registry client against a real CNCF distribution 2.8.2 registry
//! (Debian's `docker-registry`): plain, htpasswd Basic auth, token auth
//! with an in-process token issuer, and TLS with an extra CA. These tests
//! fail (never skip) when the registry binary is missing.

mod support;

use notation_oci::oci::{
    EMPTY_JSON, EMPTY_JSON_DIGEST, MAX_ENVELOPE_SIZE, MAX_MANIFEST_SIZE, MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::registry::credentials::StaticCredentials;
use notation_oci::registry::error::AuthError;
use notation_oci::registry::transport::TransportErrorKind;
use notation_oci::registry::{
    Credential, RegistryClient, RegistryClientOptions, RegistryError, RepositoryRef, TrustRoots,
};
use support::fixtures::{PASSWORD, USER};
use support::registry::{Auth, Registry};

fn sha256(data: &[u8]) -> String {
    notation_oci::oci::sha256_digest(data)
}

/// An image manifest over the empty config with one layer, and optionally
/// a subject (as a Notary signature manifest has).
fn manifest(layer: &[u8], subject: Option<(&str, u64)>) -> Vec<u8> {
    let mut m = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_JSON_DIGEST, "size": 2},
        "layers": [{"mediaType": "application/octet-stream", "digest": sha256(layer), "size": layer.len()}],
    });
    if let Some((digest, size)) = subject {
        m["artifactType"] = "application/vnd.cncf.notary.signature".into();
        m["subject"] = serde_json::json!({"mediaType": MEDIA_TYPE_IMAGE_MANIFEST, "digest": digest, "size": size});
    }
    serde_json::to_vec(&m).unwrap()
}

/// Pushes the empty config, a layer and a manifest tagged `tag`; returns
/// the manifest bytes.
fn push_image(client: &RegistryClient, repo: &RepositoryRef, layer: &[u8], tag: &str) -> Vec<u8> {
    client
        .push_blob(repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();
    client.push_blob(repo, &sha256(layer), layer).unwrap();
    let m = manifest(layer, None);
    client
        .push_manifest(repo, tag, MEDIA_TYPE_IMAGE_MANIFEST, &m)
        .unwrap();
    m
}

#[test]
fn plain_registry_push_resolve_fetch_referrers_delete() {
    let registry = Registry::start(Auth::None);
    let client = RegistryClient::new().unwrap();
    assert!(client.is_plain_http(registry.host()));
    let repo = RepositoryRef::new(registry.host(), "test/net-monitor").unwrap();

    // push_blob: POST + PUT (monolithic), no auth round trip.
    let layer = b"hello, notation".to_vec();
    let before = client.request_count();
    client.push_blob(&repo, &sha256(&layer), &layer).unwrap();
    assert_eq!(client.request_count() - before, 2);
    assert!(client.blob_exists(&repo, &sha256(&layer)).unwrap());
    assert!(!client.blob_exists(&repo, &sha256(b"absent")).unwrap());
    client
        .push_blob(&repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();

    // push_manifest: one PUT; 2.8.2 has no OCI-Subject.
    let image = manifest(&layer, None);
    let before = client.request_count();
    let pushed = client
        .push_manifest(&repo, "v1", MEDIA_TYPE_IMAGE_MANIFEST, &image)
        .unwrap();
    assert_eq!(client.request_count() - before, 1);
    assert_eq!(pushed.descriptor.digest, sha256(&image));
    assert!(!pushed.subject_processed());

    // resolve by tag and by digest: one HEAD each.
    let before = client.request_count();
    let by_tag = client.resolve(&repo, "v1").unwrap();
    assert_eq!(client.request_count() - before, 1);
    assert_eq!(
        (
            by_tag.media_type.as_str(),
            by_tag.digest.as_str(),
            by_tag.size
        ),
        (
            MEDIA_TYPE_IMAGE_MANIFEST,
            sha256(&image).as_str(),
            image.len() as u64
        )
    );
    assert_eq!(client.resolve(&repo, &by_tag.digest).unwrap(), by_tag);

    // fetch manifest by tag and digest; fetch blob.
    let (desc, bytes) = client
        .fetch_manifest(&repo, "v1", MAX_MANIFEST_SIZE)
        .unwrap();
    assert_eq!((desc, bytes.as_slice()), (by_tag.clone(), image.as_slice()));
    let (_, bytes) = client
        .fetch_manifest(&repo, &by_tag.digest, MAX_MANIFEST_SIZE)
        .unwrap();
    assert_eq!(bytes, image);
    assert_eq!(
        client
            .fetch_blob(
                &repo,
                &sha256(&layer),
                Some(layer.len() as u64),
                MAX_ENVELOPE_SIZE
            )
            .unwrap(),
        layer
    );
    assert_eq!(
        client
            .fetch_blob(&repo, &sha256(&layer), None, MAX_ENVELOPE_SIZE)
            .unwrap(),
        layer
    );
    // Limits are checked before reading.
    let e = client.fetch_manifest(&repo, "v1", 10).unwrap_err();
    assert!(matches!(e, RegistryError::LimitExceeded(_)), "{e}");
    let e = client
        .fetch_blob(&repo, &sha256(&layer), Some(layer.len() as u64), 4)
        .unwrap_err();
    assert!(matches!(e, RegistryError::LimitExceeded(_)), "{e}");
    // A descriptor size that disagrees with the registry.
    let e = client
        .fetch_blob(&repo, &sha256(&layer), Some(3), MAX_ENVELOPE_SIZE)
        .unwrap_err();
    assert!(matches!(e, RegistryError::Integrity(_)), "{e}");

    // A signature-like manifest with a subject: pushed faithfully.
    let envelope = br#"{"payload":"x"}"#.to_vec();
    client
        .push_blob(&repo, &sha256(&envelope), &envelope)
        .unwrap();
    let sig = manifest(&envelope, Some((&by_tag.digest, by_tag.size)));
    let pushed = client
        .push_manifest(&repo, &sha256(&sig), MEDIA_TYPE_IMAGE_MANIFEST, &sig)
        .unwrap();
    assert!(!pushed.subject_processed());

    // No referrers API in 2.8.2: Ok(None), so callers use the tag schema.
    let before = client.request_count();
    assert_eq!(
        client
            .referrers(
                &repo,
                &by_tag.digest,
                Some("application/vnd.cncf.notary.signature")
            )
            .unwrap(),
        None
    );
    assert_eq!(client.request_count() - before, 1);
    let tag = notation_oci::referrers::referrers_tag(&by_tag.digest).unwrap();
    assert!(
        client
            .fetch_manifest_if_exists(&repo, &tag, MAX_MANIFEST_SIZE)
            .unwrap()
            .is_none()
    );

    // Unknown manifest: a 404 with the registry's error code.
    let e = client.resolve(&repo, "nope").unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = client
        .fetch_manifest(&repo, "nope", MAX_MANIFEST_SIZE)
        .unwrap_err();
    assert_eq!(e.error_codes(), ["MANIFEST_UNKNOWN"], "{e}");

    // delete by digest; afterwards the manifest is gone.
    client
        .delete_manifest(&repo, &pushed.descriptor.digest)
        .unwrap();
    assert!(
        client
            .resolve(&repo, &pushed.descriptor.digest)
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        client
            .delete_manifest(&repo, &pushed.descriptor.digest)
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn anonymous_client_fails_clearly_on_basic_registry_and_basic_auth_works() {
    let registry = Registry::start(Auth::Basic);
    let repo = RepositoryRef::new(registry.host(), "test/app").unwrap();

    let anonymous = RegistryClient::new().unwrap();
    let e = anonymous
        .push_blob(&repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap_err();
    match &e {
        RegistryError::Auth(a) => {
            assert!(
                matches!(**a, AuthError::BasicCredentialNotFound { .. }),
                "{e}"
            )
        }
        other => panic!("{other}"),
    }
    assert_eq!(e.status(), Some(401));
    // oras-go's words, as the reference prints them.
    assert!(
        e.to_string().ends_with("\": basic credential not found"),
        "{e}"
    );

    let wrong = RegistryClientOptions::new()
        .credentials(StaticCredentials::new(
            registry.host(),
            Credential::basic(USER, "wrong"),
        ))
        .build()
        .unwrap();
    let e = wrong.resolve(&repo, "v1").unwrap_err();
    assert!(
        e.to_string().contains("\": response status code 401: "),
        "{e}"
    );
    assert!(
        !format!("{e} {e:?}").contains("wrong"),
        "no secret in errors: {e:?}"
    );

    // A user name without a password (`-u` without `-p`) is not sent: the
    // 401 is the one request, and oras-go's reason is given.
    let no_password = RegistryClientOptions::new()
        .credentials(StaticCredentials::new(
            registry.host(),
            Credential::basic(USER, ""),
        ))
        .build()
        .unwrap();
    let e = no_password.resolve(&repo, "v1").unwrap_err();
    assert!(
        e.to_string()
            .ends_with(": missing username or password for basic auth"),
        "{e}"
    );
    assert_eq!(no_password.request_count(), 1);
    // So is a token (`-p` without `-u`) at a Basic challenge.
    let token_only = RegistryClientOptions::new()
        .credentials(StaticCredentials::new(
            registry.host(),
            Credential::identity_token("token"),
        ))
        .build()
        .unwrap();
    let e = token_only.resolve(&repo, "v1").unwrap_err();
    assert!(
        e.to_string()
            .ends_with(": missing username or password for basic auth"),
        "{e}"
    );
    assert_eq!(token_only.request_count(), 1);

    let client = RegistryClientOptions::new()
        .credentials(StaticCredentials::new(
            registry.host(),
            Credential::basic(USER, PASSWORD),
        ))
        .build()
        .unwrap();
    // First request: 401 + retry with Basic; then Basic is sent pre-emptively.
    client
        .push_blob(&repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();
    assert_eq!(client.request_count(), 3);
    let layer = b"basic layer".to_vec();
    let image = push_image(&client, &repo, &layer, "v1");
    let before = client.request_count();
    let desc = client.resolve(&repo, "v1").unwrap();
    let (_, bytes) = client
        .fetch_manifest(&repo, &desc.digest, MAX_MANIFEST_SIZE)
        .unwrap();
    assert_eq!(bytes, image);
    assert_eq!(
        client
            .fetch_blob(&repo, &sha256(&layer), Some(layer.len() as u64), 1024)
            .unwrap(),
        layer
    );
    assert_eq!(
        client.request_count() - before,
        3,
        "one request per operation once Basic is cached"
    );
    client.ping(registry.host()).unwrap();
}

#[test]
fn token_auth_caches_tokens_per_scope() {
    let registry = Registry::start(Auth::Token);
    let issuer = registry.token_issuer().unwrap();
    let repo = RepositoryRef::new(registry.host(), "test/signed").unwrap();

    // Anonymous: the issuer grants nothing, the registry refuses the token.
    let anonymous = RegistryClient::new().unwrap();
    let e = anonymous.resolve(&repo, "v1").unwrap_err();
    assert!(
        matches!(&e, RegistryError::Auth(a) if matches!(**a, AuthError::Unauthorized { .. })),
        "{e}\n{}",
        registry.log()
    );
    assert_eq!(anonymous.request_count(), 3, "401, token, 401: no loop");

    let client = RegistryClientOptions::new()
        .credentials(StaticCredentials::new(
            registry.host(),
            Credential::basic(USER, PASSWORD),
        ))
        .build()
        .unwrap();
    let tokens_before = issuer.token_requests();
    // push_blob: POST 401, token (pull,push), POST, PUT with the cached token.
    client
        .push_blob(&repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();
    assert_eq!(client.request_count(), 4, "{}", registry.log());
    assert_eq!(issuer.token_requests() - tokens_before, 1);
    let token_request = issuer.requests().last().unwrap().clone();
    assert!(
        token_request
            .target
            .contains("scope=repository%3Atest%2Fsigned%3Apull%2Cpush"),
        "{}",
        token_request.target
    );
    assert!(
        token_request
            .header("authorization")
            .unwrap()
            .starts_with("Basic ")
    );

    // Everything else in this repository reuses the pull,push token.
    let layer = b"token layer".to_vec();
    let image = push_image(&client, &repo, &layer, "v1");
    let desc = client.resolve(&repo, "v1").unwrap();
    assert_eq!(
        client
            .fetch_manifest(&repo, &desc.digest, MAX_MANIFEST_SIZE)
            .unwrap()
            .1,
        image
    );
    assert_eq!(
        client
            .fetch_blob(&repo, &sha256(&layer), None, 1024)
            .unwrap(),
        layer
    );
    assert_eq!(client.referrers(&repo, &desc.digest, None).unwrap(), None);
    assert_eq!(
        issuer.token_requests() - tokens_before,
        1,
        "no re-authentication per request"
    );
    // 4 (first blob) + 2+2+1 (push_image) + 1 + 1 + 1 + 1.
    assert_eq!(client.request_count(), 13);

    // Clones share the token cache, across threads.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let (client, repo, layer) = (client.clone(), repo.clone(), layer.clone());
            scope.spawn(move || {
                assert_eq!(
                    client
                        .fetch_blob(&repo, &sha256(&layer), None, 1024)
                        .unwrap(),
                    layer
                );
            });
        }
    });
    assert_eq!(issuer.token_requests() - tokens_before, 1);
    assert_eq!(client.request_count(), 17);

    // delete needs another scope: one more token.
    client.delete_manifest(&repo, &desc.digest).unwrap();
    assert_eq!(issuer.token_requests() - tokens_before, 2);
    // Another repository: a token for its scope.
    let other = RepositoryRef::new(registry.host(), "test/other").unwrap();
    assert!(!client.blob_exists(&other, EMPTY_JSON_DIGEST).unwrap());
    assert_eq!(issuer.token_requests() - tokens_before, 3);

    // An identity token goes through the OAuth2 refresh-token POST.
    let refresh = RegistryClientOptions::new()
        .credentials(StaticCredentials::new(
            registry.host(),
            Credential::identity_token(support::token::REFRESH_TOKEN),
        ))
        .build()
        .unwrap();
    assert!(refresh.blob_exists(&repo, EMPTY_JSON_DIGEST).unwrap());
    let post = issuer.requests().into_iter().last().unwrap();
    assert_eq!(post.method, "POST");
    assert!(String::from_utf8_lossy(&post.body).contains("grant_type=refresh_token"));
    refresh
        .verify_credential(
            registry.host(),
            &Credential::identity_token(support::token::REFRESH_TOKEN),
        )
        .unwrap();
    assert!(
        refresh
            .verify_credential(registry.host(), &Credential::identity_token("bad"))
            .is_err()
    );
}

#[test]
fn tls_registry_with_extra_ca() {
    let registry = Registry::start_tls(Auth::Basic);
    let repo = RepositoryRef::new(registry.host(), "test/tls").unwrap();
    let credentials = StaticCredentials::new(registry.host(), Credential::basic(USER, PASSWORD));

    // Platform roots only: the test CA is unknown.
    let untrusting = RegistryClientOptions::new()
        .loopback_plain_http(false)
        .credentials(credentials.clone())
        .build()
        .unwrap();
    let e = untrusting.ping(registry.host()).unwrap_err();
    assert!(
        matches!(&e, RegistryError::Transport { error: source, .. } if source.kind() == TransportErrorKind::Tls),
        "{e}"
    );

    // Platform roots plus the test CA.
    let roots = TrustRoots::platform()
        .with_pem(&Registry::tls_ca_pem())
        .unwrap();
    let client = RegistryClientOptions::new()
        .loopback_plain_http(false)
        .trust_roots(roots)
        .credentials(credentials)
        .build()
        .unwrap();
    assert!(!client.is_plain_http(registry.host()));
    let layer = b"tls layer".to_vec();
    let image = push_image(&client, &repo, &layer, "v1");
    let desc = client.resolve(&repo, "v1").unwrap();
    assert_eq!(
        client
            .fetch_manifest(&repo, &desc.digest, MAX_MANIFEST_SIZE)
            .unwrap()
            .1,
        image
    );
    // Only the test CA also works.
    let only = RegistryClientOptions::new()
        .loopback_plain_http(false)
        .trust_roots(
            TrustRoots::none()
                .with_pem(&Registry::tls_ca_pem())
                .unwrap(),
        )
        .build()
        .unwrap();
    assert!(only.ping(registry.host()).unwrap_err().status() == Some(401));
}
