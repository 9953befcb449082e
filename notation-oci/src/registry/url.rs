//! The little URL handling the client needs, without a URL crate: origins
//! (for "credentials only to the registry's host"), resolving the relative
//! references registries send in `Location` and `Link`, and query encoding.

use notation_core::url::query_escape;

/// An absolute `http` or `https` URL split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url<'a> {
    /// `http` or `https`, lowercase.
    pub scheme: String,
    /// `host[:port]` as written (no user information).
    pub authority: &'a str,
    /// Path and query (starts with `/` or is empty); fragment removed.
    pub path_and_query: &'a str,
}

impl<'a> Url<'a> {
    /// Parses an absolute http(s) URL. User information (`user:pass@`) is
    /// refused: credentials never travel in URLs.
    pub fn parse(url: &'a str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let rest = rest.split('#').next().unwrap_or("");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(end);
        if authority.is_empty()
            || authority.contains('@')
            || authority.contains(char::is_whitespace)
        {
            return None;
        }
        Some(Self {
            scheme,
            authority,
            path_and_query,
        })
    }

    /// The host, lowercase (IPv6 literals keep their brackets).
    pub fn host(&self) -> String {
        crate::reference::host_of(self.authority).to_ascii_lowercase()
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        let explicit = if self.authority.starts_with('[') {
            self.authority.rsplit_once("]:").map(|(_, p)| p)
        } else {
            self.authority.rsplit_once(':').map(|(_, p)| p)
        };
        explicit
            .and_then(|p| p.parse().ok())
            .unwrap_or(if self.scheme == "https" { 443 } else { 80 })
    }

    /// `(scheme, host, port)`: two URLs with the same origin may share
    /// credentials.
    pub fn origin(&self) -> (String, String, u16) {
        (self.scheme.clone(), self.host(), self.port())
    }

    /// The URL without its query (for messages about token endpoints).
    pub fn without_query(&self) -> String {
        let path = self.path_and_query.split('?').next().unwrap_or("");
        format!("{}://{}{}", self.scheme, self.authority, path)
    }
}

/// Whether two absolute URLs have the same origin.
pub(crate) fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Some(a), Some(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Resolves `reference` (absolute, scheme-relative, absolute-path, query
/// or relative-path) against the absolute URL `base` (RFC 3986 §5.2,
/// without dot-segment removal beyond `./` and `../` in relative paths).
pub(crate) fn resolve(base: &str, reference: &str) -> Option<String> {
    let reference = reference.trim();
    let reference = reference.split('#').next().unwrap_or("");
    let base = Url::parse(base)?;
    let resolved = if has_scheme(reference) {
        reference.to_string()
    } else if let Some(rest) = reference.strip_prefix("//") {
        format!("{}://{}", base.scheme, rest)
    } else if reference.starts_with('/') {
        format!("{}://{}{}", base.scheme, base.authority, reference)
    } else if reference.starts_with('?') {
        let path = base.path_and_query.split('?').next().unwrap_or("");
        format!("{}://{}{}{}", base.scheme, base.authority, path, reference)
    } else if reference.is_empty() {
        format!(
            "{}://{}{}",
            base.scheme, base.authority, base.path_and_query
        )
    } else {
        let path = base.path_and_query.split('?').next().unwrap_or("");
        let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
        let mut segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        let (rel_path, query) = match reference.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (reference, None),
        };
        let rel: Vec<&str> = rel_path.split('/').collect();
        for (i, seg) in rel.iter().enumerate() {
            match *seg {
                "." => {}
                ".." => {
                    segments.pop();
                }
                s if s.is_empty() && i + 1 < rel.len() => {}
                s => segments.push(s),
            }
        }
        let mut out = format!(
            "{}://{}/{}",
            base.scheme,
            base.authority,
            segments.join("/")
        );
        if rel_path.ends_with('/') && !out.ends_with('/') {
            out.push('/');
        }
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        out
    };
    Url::parse(&resolved)?;
    Some(resolved)
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 0 => {
            let scheme = &s[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => false,
    }
}

/// Percent-encodes a query component: everything but RFC 3986
/// unreserved characters (so `+` and `/` in media types survive).
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Appends `name=value` (value encoded) to a URL's query.
pub(crate) fn append_query(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') {
        if url.ends_with('?') || url.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{url}{sep}{name}={}", encode_component(value))
}

/// The URL of a token request as oras-go builds it (Go's `url.Values`):
/// the realm's own query pairs, then `service` (replacing the realm's) and
/// one `scope` per scope, sorted by name (stable within a name), each name
/// and value encoded as Go's `url.QueryEscape` encodes (a space is `+`).
/// A pair of the realm's that Go cannot parse (a bad escape, a `;`) is
/// dropped, as Go drops it.
pub(crate) fn token_url(realm: &Url<'_>, service: Option<&str>, scopes: &[String]) -> String {
    let (path, query) = realm
        .path_and_query
        .split_once('?')
        .unwrap_or((realm.path_and_query, ""));
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.contains(';'))
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((query_unescape(k)?, query_unescape(v)?))
        })
        .collect();
    if let Some(s) = service.filter(|s| !s.is_empty()) {
        pairs.retain(|(k, _)| k != b"service");
        pairs.push((b"service".to_vec(), s.as_bytes().to_vec()));
    }
    pairs.extend(
        scopes
            .iter()
            .map(|s| (b"scope".to_vec(), s.as_bytes().to_vec())),
    );
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect();
    let base = format!("{}://{}{}", realm.scheme, realm.authority, path);
    if query.is_empty() {
        base
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

/// Go's `url.QueryUnescape`: `+` is a space; `None` for a bad escape.
fn query_unescape(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                // Two hex digits, no sign (`u8::from_str_radix` takes `+5`).
                let hex = b.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Whether `host` (lowercase, IPv6 in brackets or not) is loopback as the
/// reference treats it: `localhost`, `127.0.0.1`, `::1`.
// Requirements: X2.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h == "::1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_are_built_as_oras_go_builds_them() {
        let realm = Url::parse("https://auth.example/token").unwrap();
        let scopes = [
            "repository:a/b:pull".to_string(),
            "repository:a/c:pull,push".to_string(),
        ];
        assert_eq!(
            token_url(&realm, Some("registry example"), &scopes),
            "https://auth.example/token?scope=repository%3Aa%2Fb%3Apull&scope=repository%3Aa%2Fc%3Apull%2Cpush&service=registry+example"
        );
        // The realm's own pairs are kept, decoded and encoded again, and
        // sorted with the others; its service is replaced; a pair Go cannot
        // parse is dropped.
        let realm =
            Url::parse("https://auth.example/t?z=1&service=old&a=%7e+x&bad=%zz&c;d").unwrap();
        assert_eq!(
            token_url(&realm, Some("new"), &[]),
            "https://auth.example/t?a=~+x&service=new&z=1"
        );
        let realm = Url::parse("http://auth.example:8080").unwrap();
        assert_eq!(token_url(&realm, None, &[]), "http://auth.example:8080");
    }

    #[test]
    fn parses_and_compares_origins() {
        let u = Url::parse("HTTPS://Reg.IO/v2/?x=1#frag").unwrap();
        assert_eq!(u.origin(), ("https".into(), "reg.io".into(), 443));
        assert_eq!(u.path_and_query, "/v2/?x=1");
        assert_eq!(
            Url::parse("http://[::1]:5000/v2/").unwrap().origin(),
            ("http".into(), "[::1]".into(), 5000)
        );
        assert!(same_origin("https://a.io/x", "https://A.io:443/y"));
        assert!(!same_origin("https://a.io/x", "http://a.io/x"));
        assert!(!same_origin("https://a.io/x", "https://a.io:444/x"));
        assert!(!same_origin("https://a.io/x", "https://b.io/x"));
        assert!(Url::parse("https://user:pw@a.io/").is_none());
        assert!(Url::parse("ftp://a.io/").is_none());
        assert!(Url::parse("/relative").is_none());
        assert_eq!(
            Url::parse("https://a.io/t?s=1").unwrap().without_query(),
            "https://a.io/t"
        );
    }

    #[test]
    fn resolves_references() {
        let base = "https://r.io/v2/repo/blobs/uploads/?x=1";
        assert_eq!(
            resolve(base, "/v2/repo/blobs/uploads/u1?_state=a").unwrap(),
            "https://r.io/v2/repo/blobs/uploads/u1?_state=a"
        );
        assert_eq!(
            resolve(base, "http://other.io/up").unwrap(),
            "http://other.io/up"
        );
        assert_eq!(resolve(base, "//cdn.io/b").unwrap(), "https://cdn.io/b");
        assert_eq!(
            resolve(base, "u2").unwrap(),
            "https://r.io/v2/repo/blobs/uploads/u2"
        );
        assert_eq!(
            resolve(base, "../x?y=1").unwrap(),
            "https://r.io/v2/repo/blobs/x?y=1"
        );
        assert_eq!(
            resolve(base, "?last=b").unwrap(),
            "https://r.io/v2/repo/blobs/uploads/?last=b"
        );
        assert!(resolve(base, "javascript:alert(1)").is_none());
        assert!(resolve(base, "https://u:p@evil.io/").is_none());
    }

    #[test]
    fn encodes_queries() {
        assert_eq!(
            encode_component("application/vnd.cncf.notary.signature"),
            "application%2Fvnd.cncf.notary.signature"
        );
        assert_eq!(encode_component("a+b c:d"), "a%2Bb%20c%3Ad");
        assert_eq!(
            append_query("http://a/b", "digest", "sha256:00"),
            "http://a/b?digest=sha256%3A00"
        );
        assert_eq!(
            append_query("http://a/b?s=1", "n", "2"),
            "http://a/b?s=1&n=2"
        );
        assert!(
            is_loopback_host("LOCALHOST")
                && is_loopback_host("[::1]")
                && !is_loopback_host("127.0.0.2")
        );
    }
}
