//! Bearer tokens from a challenge's realm.

use super::*;

/// A token response as oras-go reads it (Go's `json.Decoder` into
/// `struct { Token, AccessToken string }`): the first JSON value only, member
/// names matched as Go matches them (the last one wins), `null` for
/// nothing; the error is Go's text.
#[derive(Default)]
struct TokenBody {
    token: String,
    access_token: String,
}

const TOKEN_FIELDS: [&str; 2] = ["token", "access_token"];
const TOKEN_GO_TYPE: &str =
    r#"struct { Token string "json:\"token\""; AccessToken string "json:\"access_token\"" }"#;

impl TokenBody {
    fn decode(body: &[u8]) -> Result<Self, String> {
        use serde::de::{Deserializer, MapAccess, Visitor};
        match notation_core::json::go_decoder_value(body)? {
            b'n' => return Ok(Self::default()),
            b'{' => {}
            other => {
                return Err(format!(
                    "json: cannot unmarshal {} into Go value of type {TOKEN_GO_TYPE}",
                    notation_core::json::go_kind_name(other)
                ));
            }
        }
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Result<TokenBody, String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut body = TokenBody::default();
                let mut type_error = None;
                while let Some(key) = map.next_key::<String>()? {
                    let Some(i) = notation_core::json::go_field(&key, &TOKEN_FIELDS) else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    };
                    match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(v) if i == 0 => body.token = v,
                        serde_json::Value::String(v) => body.access_token = v,
                        serde_json::Value::Null => {}
                        v => {
                            type_error.get_or_insert_with(|| {
                                format!(
                                    "json: cannot unmarshal {} into Go struct field .{} of type string",
                                    notation_core::json::go_value_kind_name(&v),
                                    TOKEN_FIELDS[i]
                                )
                            });
                        }
                    }
                }
                Ok(type_error.map_or(Ok(body), Err))
            }
        }
        // The first value is an object Go reads whole (checked above);
        // what follows it is not read.
        let mut de = serde_json::Deserializer::from_slice(body);
        match (&mut de).deserialize_map(Fields) {
            Ok(result) => result,
            Err(e) => Err(e.to_string()),
        }
    }
}

impl RegistryClient {
    /// Gets a token from the challenge's realm: `POST` with
    /// `grant_type=refresh_token` for an identity token (OAuth2, as
    /// oras-go), else `GET ?service=&scope=` with Basic credentials if any,
    /// anonymous otherwise. A registry token is used as is.
    pub(super) fn fetch_token(
        &self,
        challenged: Method,
        url: &str,
        challenge: &Challenge,
        scopes: &Scopes,
        credential: Option<&Credential>,
    ) -> Result<String, RegistryError> {
        let invalid = |reason: &str| -> RegistryError {
            AuthError::InvalidChallenge {
                url: url.to_string(),
                reason: reason.to_string(),
            }
            .into()
        };
        let realm = challenge
            .param("realm")
            .ok_or_else(|| invalid("Bearer challenge without realm"))?;
        let realm_url =
            Url::parse(realm).ok_or_else(|| invalid("realm is not an absolute http(s) URL"))?;
        let realm_display = realm_url.without_query();
        if let Some(token) = credential.and_then(Credential::registry_token_value) {
            return Ok(token.to_string());
        }
        let sends_secret = credential
            .is_some_and(|c| c.identity_token_value().is_some() || c.username().is_some());
        if sends_secret
            && realm_url.scheme == "http"
            && !self.plain_http_credentials_allowed(realm_url.authority)
        {
            return Err(AuthError::InsecureCredentialTransport { url: realm_display }.into());
        }
        let service = challenge.param("service");
        let form_body;
        let (request, basic) = if let Some(refresh) =
            credential.and_then(Credential::identity_token_value)
        {
            let mut form = vec![
                "grant_type=refresh_token".to_string(),
                format!("refresh_token={}", encode_component(refresh)),
                format!("client_id={}", encode_component(&self.inner.client_id)),
            ];
            if let Some(s) = service {
                form.push(format!("service={}", encode_component(s)));
            }
            if !scopes.is_empty() {
                form.push(format!(
                    "scope={}",
                    encode_component(&scopes.to_strings().join(" "))
                ));
            }
            form_body = form.join("&");
            let req = HttpRequest::new(Method::Post, realm)
                .with_header("Content-Type", "application/x-www-form-urlencoded")
                .with_body(form_body.as_bytes());
            (req, None)
        } else {
            let token_url = token_url(&realm_url, service, &scopes.to_strings());
            let basic = credential.and_then(|c| {
                let user = c.username()?;
                let pass = c.password().unwrap_or("");
                let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                Some(AuthHeader {
                    value: format!("Basic {b}"),
                    with_credentials: true,
                })
            });
            (HttpRequest::new(Method::Get, token_url), basic)
        };
        let token_method = request.method();
        let token_url = request.url().to_string();
        // Every failure names the request that was challenged, then the
        // token request, as oras-go does.
        let transport = |error: TransportError| -> RegistryError {
            AuthError::TokenTransport {
                method: challenged,
                url: url.to_string(),
                token_method,
                token_url: token_url.clone(),
                realm: realm_display.clone(),
                error,
            }
            .into()
        };
        let bad_response = |reason: String| -> RegistryError {
            AuthError::TokenResponse {
                method: challenged,
                url: url.to_string(),
                token_method,
                token_url: token_url.clone(),
                realm: realm_display.clone(),
                reason,
            }
            .into()
        };
        let (mut response, _) = match self.send_following(request, basic.as_ref(), &token_url) {
            Ok(r) => r,
            Err(RegistryError::Transport { error: source, .. }) => return Err(transport(source)),
            Err(e) => return Err(e),
        };
        if response.status() != 200 {
            let e = self.status_error(token_method, &token_url, &mut response);
            return Err(AuthError::TokenRequest {
                method: challenged,
                url: url.to_string(),
                token_method,
                token_url: token_url.clone(),
                realm: realm_display,
                status: e.status,
                errors: e.errors,
            }
            .into());
        }
        if response
            .content_length()
            .is_some_and(|l| l > MAX_TOKEN_RESPONSE)
        {
            return Err(RegistryError::limit(
                &realm_display,
                LimitKind::TokenResponse,
                MAX_TOKEN_RESPONSE,
                response.content_length(),
            ));
        }
        let body = match response.body_mut().read_to_vec(MAX_TOKEN_RESPONSE) {
            Ok(b) => b,
            Err(BodyReadError::TooLarge) => {
                return Err(RegistryError::limit(
                    &realm_display,
                    LimitKind::TokenResponse,
                    MAX_TOKEN_RESPONSE,
                    None,
                ));
            }
            Err(BodyReadError::Io(e)) => {
                return Err(match self.body_error(token_method, &token_url, e) {
                    RegistryError::Transport { error: source, .. } => transport(source),
                    budget_error => budget_error,
                });
            }
        };
        let parsed = TokenBody::decode(&body)
            .map_err(|e| bad_response(format!("failed to decode response: {e}")))?;
        // oras-go prefers access_token (OAuth2) over token (distribution).
        [parsed.access_token, parsed.token]
            .into_iter()
            .find(|t| !t.is_empty())
            .ok_or_else(|| bad_response("empty token returned".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::TokenBody;

    fn decode(body: &str) -> Result<(String, String), String> {
        TokenBody::decode(body.as_bytes()).map(|b| (b.token, b.access_token))
    }

    /// As Go's `json.Decoder` reads a token response into oras-go's struct.
    #[test]
    fn token_responses_are_read_as_go_reads_them() {
        let ok = |t: &str, a: &str| Ok((t.to_string(), a.to_string()));
        assert_eq!(decode(r#"{"token":"t","access_token":"a"}"#), ok("t", "a"));
        // Names match whatever their case; the last one wins; the first
        // value is read and what follows is not.
        assert_eq!(decode(r#"{"Token":"x","TOKEN":"t"} junk"#), ok("t", ""));
        assert_eq!(decode(r#"{"token":null,"other":[1,{}]}"#), ok("", ""));
        assert_eq!(decode("null"), ok("", ""));
        assert_eq!(decode(""), Err("EOF".into()));
        assert_eq!(
            decode("not json"),
            Err("invalid character 'o' in literal null (expecting 'u')".into())
        );
        assert_eq!(
            decode(r#"["t"]"#),
            Err(r#"json: cannot unmarshal array into Go value of type struct { Token string "json:\"token\""; AccessToken string "json:\"access_token\"" }"#.into())
        );
        assert_eq!(
            decode(r#"{"token":5,"access_token":"a"}"#),
            Err("json: cannot unmarshal number into Go struct field .token of type string".into())
        );
    }
}
