//! Registry authentication pieces that need no network: parsing
//! `WWW-Authenticate` challenges (RFC 9110 §11), token scopes
//! (`repository:<name>:<actions>`) and the per-client token cache.
//!
//! The flow itself (anonymous → challenge → Basic or token → retry once)
//! lives in the client; see `RegistryClient` for the request sequence.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Mutex;

/// Longest `WWW-Authenticate` value parsed; longer ones are cut (hostile
/// registries should not make us spend).
const MAX_CHALLENGE_LEN: usize = 8 * 1024;
/// Most parameters kept per challenge.
const MAX_PARAMS: usize = 32;

/// One authentication challenge from a `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// The scheme as sent (`Bearer`, `Basic`, ...).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// A parameter's value (names compared case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is a `Bearer` challenge.
    pub fn is_bearer(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("bearer")
    }

    /// Whether this is a `Basic` challenge.
    pub fn is_basic(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("basic")
    }
}

/// Parses every challenge of one or more `WWW-Authenticate` header values:
/// several challenges may share one value separated by commas
/// (`Bearer realm="a", Basic realm="b"`), parameter values may be tokens
/// or quoted strings with escapes and commas (`scope="repository:a:pull,push"`).
/// Malformed trailing input ends parsing; what was parsed is kept.
pub fn parse_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for value in values {
        let value = if value.len() > MAX_CHALLENGE_LEN {
            let mut end = MAX_CHALLENGE_LEN;
            while !value.is_char_boundary(end) {
                end -= 1;
            }
            &value[..end]
        } else {
            value
        };
        parse_header_value(value, &mut out);
    }
    out
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

struct Cursor<'a> {
    s: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        self.s = self.s.trim_start_matches([' ', '\t']);
    }
    fn skip_ws_and_commas(&mut self) {
        self.s = self.s.trim_start_matches([' ', '\t', ',']);
    }
    fn peek(&self) -> Option<char> {
        self.s.chars().next()
    }
    fn token(&mut self) -> &'a str {
        let end = self.s.find(|c: char| !is_tchar(c)).unwrap_or(self.s.len());
        let (t, rest) = self.s.split_at(end);
        self.s = rest;
        t
    }
    /// A quoted string with backslash escapes; `None` if unterminated.
    fn quoted(&mut self) -> Option<String> {
        let mut out = String::new();
        let mut chars = self.s.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.s = &self.s[i + 1..];
                    return Some(out);
                }
                '\\' => out.push(chars.next()?.1),
                c => out.push(c),
            }
        }
        None
    }
}

fn parse_header_value(value: &str, out: &mut Vec<Challenge>) {
    let mut c = Cursor { s: value };
    c.skip_ws_and_commas();
    let mut scheme = c.token();
    while !scheme.is_empty() {
        let mut challenge = Challenge {
            scheme: scheme.to_string(),
            params: Vec::new(),
        };
        let mut next_scheme = "";
        loop {
            c.skip_ws_and_commas();
            let name = c.token();
            if name.is_empty() {
                break;
            }
            c.skip_ws();
            if c.peek() != Some('=') {
                // Not a parameter: the next challenge's scheme (or token68
                // followed by something we do not use).
                next_scheme = name;
                break;
            }
            c.s = &c.s[1..];
            c.skip_ws();
            if c.peek().is_none() || c.peek() == Some(',') {
                // `name=` with `=` padding of a token68: ignore it.
                if c.peek().is_none() {
                    break;
                }
                continue;
            }
            let value = if c.peek() == Some('"') {
                match c.quoted() {
                    Some(v) => v,
                    None => {
                        c.s = "";
                        break;
                    }
                }
            } else {
                c.token().to_string()
            };
            if challenge.params.len() < MAX_PARAMS {
                challenge.params.push((name.to_string(), value));
            }
        }
        out.push(challenge);
        scheme = next_scheme;
        if scheme.is_empty() && !c.s.is_empty() {
            // Skip junk up to the next comma and look for another challenge.
            match c.s.find(',') {
                Some(i) => {
                    c.s = &c.s[i..];
                    c.skip_ws_and_commas();
                    scheme = c.token();
                }
                None => break,
            }
        }
    }
}

/// A set of token scopes, as the distribution token spec defines them:
/// `<type>:<name>:<action>[,<action>...]`, merged per resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes {
    resources: BTreeMap<(String, String), BTreeSet<String>>,
}

impl Scopes {
    /// No scope (the `/v2/` ping, for login).
    pub fn none() -> Self {
        Self::default()
    }

    /// `repository:<name>:<actions>`.
    pub fn repository(name: &str, actions: &[&str]) -> Self {
        let mut s = Self::default();
        s.add_repository(name, actions);
        s
    }

    /// Adds `repository:<name>:<actions>`.
    pub fn add_repository(&mut self, name: &str, actions: &[&str]) {
        let entry = self
            .resources
            .entry(("repository".into(), name.into()))
            .or_default();
        entry.extend(actions.iter().map(|a| a.to_string()));
    }

    /// Adds every scope of a space-separated `scope` parameter. Scopes that
    /// do not have three parts are kept verbatim as a resource without
    /// actions so that they are still requested.
    pub fn add_parsed(&mut self, scope_param: &str) {
        for scope in scope_param.split(' ').filter(|s| !s.is_empty()) {
            let Some((typ, rest)) = scope.split_once(':') else {
                self.resources
                    .entry((scope.to_string(), String::new()))
                    .or_default();
                continue;
            };
            let Some((name, actions)) = rest.rsplit_once(':') else {
                self.resources
                    .entry((typ.to_string(), rest.to_string()))
                    .or_default();
                continue;
            };
            let entry = self
                .resources
                .entry((typ.to_string(), name.to_string()))
                .or_default();
            entry.extend(
                actions
                    .split(',')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string),
            );
        }
    }

    /// Whether `self` grants at least everything in `other`.
    pub fn covers(&self, other: &Scopes) -> bool {
        other.resources.iter().all(|(res, actions)| {
            self.resources
                .get(res)
                .is_some_and(|have| have.contains("*") || actions.iter().all(|a| have.contains(a)))
        })
    }

    /// The scopes as strings, one per resource, sorted.
    pub fn to_strings(&self) -> Vec<String> {
        self.resources
            .iter()
            .map(|((typ, name), actions)| {
                if name.is_empty() && actions.is_empty() {
                    typ.clone()
                } else if actions.is_empty() {
                    format!("{typ}:{name}")
                } else {
                    format!(
                        "{typ}:{name}:{}",
                        actions.iter().cloned().collect::<Vec<_>>().join(",")
                    )
                }
            })
            .collect()
    }

    /// Whether there is no scope.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_strings().join(" "))
    }
}

/// A cached `Authorization` header value. Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AuthHeader {
    pub value: String,
    /// Whether it was obtained with credentials (for error messages).
    pub with_credentials: bool,
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthHeader(<redacted>)")
    }
}

#[derive(Default)]
struct RegistryAuth {
    basic: Option<AuthHeader>,
    bearer: Vec<(Scopes, AuthHeader)>,
}

/// Most tokens kept per registry (distinct scope sets); the oldest go first.
const MAX_TOKENS_PER_REGISTRY: usize = 64;

/// Tokens and Basic headers per registry, kept for the client's lifetime so
/// that an operation does not re-authenticate per request. A token is
/// reused for any request whose scopes it covers (a `pull,push` token
/// serves a later `pull`).
#[derive(Default)]
pub(crate) struct AuthCache {
    registries: Mutex<HashMap<String, RegistryAuth>>,
}

impl fmt::Debug for AuthCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthCache(<redacted>)")
    }
}

impl AuthCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, RegistryAuth>> {
        // A panic while holding the lock leaves a consistent map.
        self.registries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The header to send pre-emptively for `scopes`, if known.
    pub fn lookup(&self, registry: &str, scopes: &Scopes) -> Option<AuthHeader> {
        let map = self.lock();
        let auth = map.get(registry)?;
        if let Some(b) = &auth.basic {
            return Some(b.clone());
        }
        // Prefer the most recent token that covers the request.
        auth.bearer
            .iter()
            .rev()
            .find(|(s, _)| s.covers(scopes))
            .map(|(_, h)| h.clone())
    }

    pub fn set_basic(&self, registry: &str, header: AuthHeader) {
        self.lock().entry(registry.to_string()).or_default().basic = Some(header);
    }

    pub fn set_bearer(&self, registry: &str, scopes: Scopes, header: AuthHeader) {
        let mut map = self.lock();
        let auth = map.entry(registry.to_string()).or_default();
        auth.basic = None;
        auth.bearer.retain(|(s, _)| *s != scopes);
        if auth.bearer.len() >= MAX_TOKENS_PER_REGISTRY {
            auth.bearer.remove(0);
        }
        auth.bearer.push((scopes, header));
    }

    /// Forgets a header the registry rejected.
    pub fn forget(&self, registry: &str, header: &AuthHeader) {
        if let Some(auth) = self.lock().get_mut(registry) {
            if auth.basic.as_ref() == Some(header) {
                auth.basic = None;
            }
            auth.bearer.retain(|(_, h)| h != header);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> Vec<Challenge> {
        parse_challenges([v])
    }

    #[test]
    fn parses_bearer_with_quoted_values_and_commas_in_scope() {
        let c = one(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#,
        );
        assert_eq!(c.len(), 1);
        assert!(c[0].is_bearer());
        assert_eq!(c[0].param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c[0].param("SERVICE"), Some("registry.docker.io"));
        assert_eq!(
            c[0].param("scope"),
            Some("repository:samalba/my-app:pull,push")
        );
    }

    #[test]
    fn parses_escapes_spaces_and_tokens() {
        let c =
            one(r#"bearer  realm = "https://a/t\"x" , service=reg.io, error="insufficient_scope""#);
        assert_eq!(c[0].param("realm"), Some("https://a/t\"x"));
        assert_eq!(c[0].param("service"), Some("reg.io"));
        assert_eq!(c[0].param("error"), Some("insufficient_scope"));
    }

    #[test]
    fn parses_multiple_challenges() {
        let c = one(
            r#"Basic realm="basic-realm", Bearer realm="https://a/token",scope="repository:x:pull,push" , Negotiate"#,
        );
        let schemes: Vec<_> = c.iter().map(|c| c.scheme()).collect();
        assert_eq!(schemes, ["Basic", "Bearer", "Negotiate"]);
        assert_eq!(c[0].param("realm"), Some("basic-realm"));
        assert_eq!(c[1].param("scope"), Some("repository:x:pull,push"));
        // Separate header values.
        let c = parse_challenges(["Basic realm=\"r\"", "Bearer realm=\"https://t\""]);
        assert_eq!(c.len(), 2);
        assert!(c[1].is_bearer());
        // Token68 credentials-style parameter and junk.
        let c = one("Negotiate abc==, Basic realm=x");
        assert!(
            c.iter()
                .any(|c| c.is_basic() && c.param("realm") == Some("x")),
            "{c:?}"
        );
    }

    #[test]
    fn survives_malformed_challenges() {
        for bad in [
            "",
            ",,,",
            "Bearer realm=\"unterminated",
            "Bearer =x",
            "Bearer realm",
            "\"",
            "Bearer realm=\"a\\",
            "é",
        ] {
            let _ = one(bad);
        }
        let c = one("Bearer realm=\"unterminated");
        assert_eq!(c[0].param("realm"), None);
        let long = format!("Bearer realm=\"{}\"", "a".repeat(100_000));
        let _ = one(&long);
    }

    #[test]
    fn scopes_merge_and_cover() {
        let mut s = Scopes::repository("a/b", &["pull"]);
        s.add_parsed("repository:a/b:push repository:c:pull");
        assert_eq!(
            s.to_strings(),
            ["repository:a/b:pull,push", "repository:c:pull"]
        );
        assert!(s.covers(&Scopes::repository("a/b", &["pull"])));
        assert!(!Scopes::repository("a/b", &["pull"]).covers(&s));
        assert!(Scopes::repository("a/b", &["*"]).covers(&Scopes::repository("a/b", &["delete"])));
        assert!(s.covers(&Scopes::none()));
        let mut odd = Scopes::none();
        odd.add_parsed("registry:catalog:* weird");
        assert_eq!(odd.to_strings(), ["registry:catalog:*", "weird"]);
    }

    #[test]
    fn cache_reuses_covering_tokens_and_redacts() {
        let cache = AuthCache::default();
        let h = AuthHeader {
            value: "Bearer secret".into(),
            with_credentials: true,
        };
        cache.set_bearer("r", Scopes::repository("a", &["pull", "push"]), h.clone());
        assert_eq!(
            cache.lookup("r", &Scopes::repository("a", &["pull"])),
            Some(h.clone())
        );
        assert_eq!(cache.lookup("r", &Scopes::repository("b", &["pull"])), None);
        assert_eq!(cache.lookup("other", &Scopes::none()), None);
        assert!(!format!("{h:?}{cache:?}").contains("secret"));
        cache.forget("r", &h);
        assert_eq!(cache.lookup("r", &Scopes::repository("a", &["pull"])), None);
    }
}
