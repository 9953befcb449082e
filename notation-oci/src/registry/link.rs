//! `Link` header parsing (RFC 8288) for pagination of the referrers API;
//! OCI distribution spec §Listing Referrers: `Link:
//! <url>; rel="next"`).
// Requirements: Q5.

/// One link of a `Link` header: its target and its `rel` parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The URI reference between `<` and `>`, unresolved.
    pub target: String,
    /// The `rel` parameter, if present (may list several relations).
    pub rel: Option<String>,
}

/// Why a `Link` header cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid Link header: {0}")]
pub struct LinkParseError(pub String);

/// Parses every link of the given `Link` header values. Commas inside
/// `<...>` and quoted parameter values do not split links.
pub fn parse_links<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Link>, LinkParseError> {
    let mut links = Vec::new();
    for value in values {
        let mut rest = value.trim_start_matches([' ', '\t', ',']);
        while !rest.is_empty() {
            let Some(after_lt) = rest.strip_prefix('<') else {
                return Err(LinkParseError(format!("expected '<' in {value:?}")));
            };
            let gt = after_lt
                .find('>')
                .ok_or_else(|| LinkParseError(format!("missing '>' in {value:?}")))?;
            let target = after_lt[..gt].trim().to_string();
            rest = &after_lt[gt + 1..];
            let mut rel = None;
            // Parameters: *( OWS ";" OWS name [ "=" value ] ) until ',' or end.
            loop {
                rest = rest.trim_start_matches([' ', '\t']);
                if let Some(r) = rest.strip_prefix(';') {
                    rest = r.trim_start_matches([' ', '\t']);
                    let end = rest.find(['=', ';', ',']).unwrap_or(rest.len());
                    let name = rest[..end].trim().to_ascii_lowercase();
                    rest = &rest[end..];
                    let mut param_value = String::new();
                    if let Some(r) = rest.strip_prefix('=') {
                        let r = r.trim_start_matches([' ', '\t']);
                        if let Some(q) = r.strip_prefix('"') {
                            let mut out = String::new();
                            let mut chars = q.char_indices();
                            let mut consumed = None;
                            while let Some((i, c)) = chars.next() {
                                match c {
                                    '"' => {
                                        consumed = Some(i + 1);
                                        break;
                                    }
                                    '\\' => {
                                        if let Some((_, n)) = chars.next() {
                                            out.push(n);
                                        }
                                    }
                                    c => out.push(c),
                                }
                            }
                            let consumed = consumed.ok_or_else(|| {
                                LinkParseError(format!("unterminated quoted string in {value:?}"))
                            })?;
                            param_value = out;
                            rest = &q[consumed..];
                        } else {
                            let end = r.find([';', ',']).unwrap_or(r.len());
                            param_value = r[..end].trim().to_string();
                            rest = &r[end..];
                        }
                    }
                    if name == "rel" && rel.is_none() {
                        rel = Some(param_value);
                    }
                } else if let Some(r) = rest.strip_prefix(',') {
                    rest = r.trim_start_matches([' ', '\t', ',']);
                    break;
                } else if rest.is_empty() {
                    break;
                } else {
                    return Err(LinkParseError(format!("unexpected text in {value:?}")));
                }
            }
            links.push(Link { target, rel });
        }
    }
    Ok(links)
}

/// The target of the `rel="next"` link, if any. A header holding one link
/// without any `rel` is taken as the next page too, as oras-go does.
pub fn next_link<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Option<String>, LinkParseError> {
    let links = parse_links(values)?;
    if let Some(l) = links.iter().find(|l| {
        l.rel.as_deref().is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("next"))
        })
    }) {
        return Ok(Some(l.target.clone()));
    }
    if let [only] = links.as_slice()
        && only.rel.is_none()
    {
        return Ok(Some(only.target.clone()));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_next_links() {
        assert_eq!(
            next_link([r#"</v2/a/referrers/sha256:1?n=2&last=b>; rel="next""#])
                .unwrap()
                .as_deref(),
            Some("/v2/a/referrers/sha256:1?n=2&last=b")
        );
        assert_eq!(
            next_link([
                r#"<https://r.io/p?x=1,2>; rel="prev", <https://r.io/n>; title="a;b,c"; rel=next"#
            ])
            .unwrap()
            .as_deref(),
            Some("https://r.io/n")
        );
        assert_eq!(
            next_link([
                r#"<https://r.io/p>; rel="prev""#,
                r#"<https://r.io/q>; rel="last next""#
            ])
            .unwrap()
            .as_deref(),
            Some("https://r.io/q")
        );
        assert_eq!(next_link(["</only>"]).unwrap().as_deref(), Some("/only"));
        assert_eq!(next_link([r#"</p>; rel="prev""#]).unwrap(), None);
        assert_eq!(next_link([]).unwrap(), None);
    }

    #[test]
    fn rejects_malformed_links() {
        for bad in [
            "no-brackets",
            "<unterminated",
            r#"</a>; rel="next"#,
            "</a> junk",
        ] {
            assert!(next_link([bad]).is_err(), "{bad}");
        }
    }
}
