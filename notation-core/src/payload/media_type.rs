//! A blob's content media type checked as the reference checks it: Go's
//! `mime.ParseMediaType` (notation-go's `validateContentMediaType`), with
//! its errors.
// Requirements: A3.

use std::collections::HashMap;

/// A content media type the reference refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MediaTypeError {
    /// An empty media type (for signing, where one is required).
    #[error("content media-type cannot be empty")]
    Empty,
    /// Not a media type: the value and Go's reason (`mime: expected slash
    /// after first token`).
    #[error("invalid content media-type {}: {reason}", crate::trust::GoQuoted(.value))]
    Invalid {
        /// The value given.
        value: String,
        /// Go's `mime` error text.
        reason: &'static str,
    },
}

/// Checks a blob's content media type as the reference checks one it signs
/// with (`type/subtype` tokens and `; name=value` parameters, as RFC 2045
/// and Go's `mime.ParseMediaType` read them; a lone `type` passes, as in
/// Go): empty is refused.
pub fn check_media_type(value: &str) -> Result<(), MediaTypeError> {
    if value.is_empty() {
        return Err(MediaTypeError::Empty);
    }
    parse_media_type(value).map_err(|reason| MediaTypeError::Invalid {
        value: value.to_owned(),
        reason,
    })
}

/// Go's `mime.ParseMediaType`, for its errors only.
fn parse_media_type(v: &str) -> Result<(), &'static str> {
    let base = v.split_once(';').map_or(v, |(base, _)| base);
    check_type_and_subtype(base.to_lowercase().trim())?;
    let mut params: HashMap<String, String> = HashMap::new();
    let mut rest = &v[base.len()..];
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(());
        }
        let Some((key, value, after)) = consume_param(rest) else {
            // Trailing semicolons are ignored.
            if rest.trim() == ";" {
                return Ok(());
            }
            return Err("mime: invalid media parameter");
        };
        if params.get(&key).is_some_and(|v| *v != value) {
            return Err("mime: duplicate parameter name");
        }
        params.insert(key, value);
        rest = after;
    }
}

/// Go's `checkMediaTypeDisposition`.
fn check_type_and_subtype(s: &str) -> Result<(), &'static str> {
    let (kind, rest) = consume_token(s);
    if kind.is_empty() {
        return Err("mime: no media type");
    }
    if rest.is_empty() {
        return Ok(());
    }
    let Some(rest) = rest.strip_prefix('/') else {
        return Err("mime: expected slash after first token");
    };
    let (subtype, rest) = consume_token(rest);
    if subtype.is_empty() {
        return Err("mime: expected token after slash");
    }
    if !rest.is_empty() {
        return Err("mime: unexpected content after media subtype");
    }
    Ok(())
}

fn is_tspecial(c: char) -> bool {
    r#"()<>@,;:\"/[]?="#.contains(c)
}

fn is_token_char(c: char) -> bool {
    c > ' ' && c < '\x7f' && !is_tspecial(c)
}

/// Go's `consumeToken`: the leading token and what follows it.
fn consume_token(v: &str) -> (&str, &str) {
    let end = v.find(|c| !is_token_char(c)).unwrap_or(v.len());
    v.split_at(end)
}

/// Go's `consumeValue`: a token or a quoted string (a backslash escapes a
/// special character only), and what follows; `None` where there is none.
fn consume_value(v: &str) -> Option<(String, &str)> {
    let Some(quoted) = v.strip_prefix('"') else {
        let (token, rest) = consume_token(v);
        return (!token.is_empty()).then(|| (token.to_owned(), rest));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &quoted[i + 1..])),
            '\\' if quoted[i + 1..].starts_with(is_tspecial) => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            '\r' | '\n' => return None,
            c => value.push(c),
        }
    }
    None
}

/// Go's `consumeMediaParam`: `; name = value`, the name in lower case.
fn consume_param(v: &str) -> Option<(String, String, &str)> {
    let rest = v.trim_start().strip_prefix(';')?.trim_start();
    let (name, rest) = consume_token(rest);
    if name.is_empty() {
        return None;
    }
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let (value, rest) = consume_value(rest)?;
    Some((name.to_lowercase(), value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's `mime.ParseMediaType` verdicts and texts (Go 1.23).
    #[test]
    fn media_types_are_read_as_go_reads_them() {
        for ok in [
            "application/octet-stream",
            "text",
            "Text/Plain",
            " text/plain ",
            "text/plain; charset=utf-8",
            "text/plain;charset=\"utf-8\"",
            "text/plain; a=1; A=1",
            "text/plain;",
            "\u{212a}/x",
            "a/b;c=\"\\x\"",
            "a/b; c=\"d\" ;",
            "a/b ; c=d",
            "a/b;\u{a0}c=d",
            "a/b; c=\"é\"",
            "text/plain; a=\"x\\\"y\"",
            "text/plain; a*0=x; a*1=y",
        ] {
            assert_eq!(check_media_type(ok), Ok(()), "{ok}");
        }
        for (bad, reason) in [
            ("a b", "mime: expected slash after first token"),
            ("/", "mime: no media type"),
            ("téxt/plain", "mime: expected slash after first token"),
            ("text/", "mime: expected token after slash"),
            (
                "text/plain x",
                "mime: unexpected content after media subtype",
            ),
            ("a/b; c", "mime: invalid media parameter"),
            ("a/b;c=\"", "mime: invalid media parameter"),
            ("a/b;c=d;c=e", "mime: duplicate parameter name"),
            ("a/b; c=d e", "mime: invalid media parameter"),
            ("a/b; c=", "mime: invalid media parameter"),
            ("a/b; =d", "mime: invalid media parameter"),
            (";a=b", "mime: no media type"),
            ("text/plain; ;", "mime: invalid media parameter"),
        ] {
            assert_eq!(
                check_media_type(bad),
                Err(MediaTypeError::Invalid {
                    value: bad.into(),
                    reason
                }),
                "{bad}"
            );
        }
        assert_eq!(check_media_type(""), Err(MediaTypeError::Empty));
        assert_eq!(
            check_media_type("a b").unwrap_err().to_string(),
            r#"invalid content media-type "a b": mime: expected slash after first token"#
        );
    }
}
