//! URL text as Go's `net/url` writes it, where the reference's requests and
//! messages carry it.

/// Go's `url.QueryEscape`: ASCII letters, digits and `-_.~` as they are, a
/// space as `+`, every other byte as `%XX` (upper-case hex).
///
/// ```
/// assert_eq!(
///     notation_core::url::query_escape(b"repository:a/b:pull push+"),
///     "repository%3Aa%2Fb%3Apull+push%2B"
/// );
/// ```
pub fn query_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for &b in bytes {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
