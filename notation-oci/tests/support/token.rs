//! An in-process token issuer for distribution's token authentication
//! (distribution `docs/spec/auth/token.md` and `jwt.md`): `GET /token`
//! with Basic credentials, or `POST /token` with an OAuth2 refresh token
//! (`docs/spec/auth/oauth.md`), answers a JWT signed with ES256 whose `x5c`
//! header carries the self-signed certificate that the registry trusts
//! (`auth.token.rootcertbundle`). Authenticated users get every action they
//! ask for; anonymous clients get none.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

use super::fixtures;
use super::http::{Request, Response, TestServer};

/// The `service` the registry is configured with.
pub const SERVICE: &str = "notation-rs-test-registry";
/// The token `iss`.
pub const ISSUER: &str = "notation-rs-test-issuer";
/// A refresh token accepted by the issuer (an identity token).
pub const REFRESH_TOKEN: &str = "test-refresh-token";

/// A running token issuer.
pub struct TokenIssuer {
    server: TestServer,
}

impl TokenIssuer {
    /// Starts the issuer; users are `(name, password)` pairs.
    pub fn start(users: &[(&str, &str)]) -> Self {
        let users: Vec<(String, String)> = users
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect();
        let key_pem = std::fs::read(fixtures::path("token-signing.key.pem")).unwrap();
        let pkcs8 = notation_core::pem::parse_blocks(&key_pem)
            .unwrap()
            .remove(0)
            .der;
        let cert_pem = std::fs::read(fixtures::path("token-signing.crt.pem")).unwrap();
        let cert_der = notation_core::pem::parse_blocks(&cert_pem)
            .unwrap()
            .remove(0)
            .der;
        let rng = ring::rand::SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &rng)
            .expect("token key");
        let counter = AtomicU64::new(0);
        let server = TestServer::start(move |req| {
            if req.path() != "/token" {
                return Response::status(404);
            }
            let (subject, scopes, service) = match req.method.as_str() {
                "GET" => {
                    let subject = basic_user(req, &users);
                    if req.header("authorization").is_some() && subject.is_none() {
                        return Response::status(401)
                            .header("Content-Type", "application/json")
                            .body(r#"{"errors":[{"code":"UNAUTHORIZED","message":"invalid credentials"}]}"#);
                    }
                    let scopes: Vec<String> = query_all(&req.target, "scope")
                        .into_iter()
                        .flat_map(|s| split_scopes(&s))
                        .collect();
                    (subject, scopes, query_all(&req.target, "service").pop())
                }
                "POST" => {
                    let form = String::from_utf8_lossy(&req.body).into_owned();
                    let get = |k: &str| query_all(&format!("?{form}"), k).pop();
                    if get("grant_type").as_deref() != Some("refresh_token")
                        || get("refresh_token").as_deref() != Some(REFRESH_TOKEN)
                        || get("client_id").is_none()
                    {
                        return Response::status(401)
                            .header("Content-Type", "application/json")
                            .body(r#"{"errors":[{"code":"UNAUTHORIZED","message":"invalid refresh token"}]}"#);
                    }
                    let scopes = get("scope").map(|s| split_scopes(&s)).unwrap_or_default();
                    (Some("refresh-user".to_string()), scopes, get("service"))
                }
                _ => return Response::status(405),
            };
            if service.as_deref() != Some(SERVICE) {
                return Response::status(400).body("unknown service");
            }
            let access: Vec<serde_json::Value> = if subject.is_some() {
                scopes
                    .iter()
                    .filter_map(|s| {
                        let (typ, rest) = s.split_once(':')?;
                        let (name, actions) = rest.rsplit_once(':')?;
                        Some(serde_json::json!({"type": typ, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let b64 = |d: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d);
            let header = serde_json::json!({
                "typ": "JWT",
                "alg": "ES256",
                "x5c": [base64::engine::general_purpose::STANDARD.encode(&cert_der)],
            });
            let claims = serde_json::json!({
                "iss": ISSUER,
                "sub": subject.clone().unwrap_or_default(),
                "aud": SERVICE,
                "exp": now + 300,
                "nbf": now - 10,
                "iat": now,
                "jti": format!("token-{n}"),
                "access": access,
            });
            let signing_input = format!(
                "{}.{}",
                b64(header.to_string().as_bytes()),
                b64(claims.to_string().as_bytes())
            );
            let sig = key.sign(&rng, signing_input.as_bytes()).expect("sign");
            let token = format!("{signing_input}.{}", b64(sig.as_ref()));
            let body = if req.method == "POST" {
                serde_json::json!({"access_token": token, "expires_in": 300, "refresh_token": REFRESH_TOKEN})
            } else {
                serde_json::json!({"token": token, "expires_in": 300})
            };
            Response::ok("application/json", body.to_string())
        });
        Self { server }
    }

    /// The realm URL.
    pub fn realm(&self) -> String {
        format!("{}/token", self.server.url())
    }

    /// Token requests received so far.
    pub fn token_requests(&self) -> usize {
        self.server.request_count()
    }

    /// The requests received (to check what was sent).
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }
}

fn basic_user(req: &Request, users: &[(String, String)]) -> Option<String> {
    let value = req.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (u, p) = decoded.split_once(':')?;
    users
        .iter()
        .any(|(uu, pp)| uu == u && pp == p)
        .then(|| u.to_string())
}

/// Every value of a query parameter, percent-decoded (`+` as space).
pub fn query_all(target: &str, name: &str) -> Vec<String> {
    let Some((_, q)) = target.split_once('?') else {
        return Vec::new();
    };
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
        .collect()
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Percent-decodes (`+` is a space, as in forms).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
