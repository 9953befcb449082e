//! A registry's error body (`{"errors": [{"code", "message", "detail"}]}`)
//! read as oras-go reads it: Go's `json.Decoder` into `struct { Errors
//! errcode.Errors }`. The first JSON value only; member names matched as Go
//! matches them, the last one winning; `null` for nothing. Anything Go
//! fails to decode (a value of the wrong type anywhere, text that is not
//! JSON) leaves no entries, and the status's own text is shown.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::super::error::{ErrorBodyKind, ErrorEntry, MAX_ERROR_ENTRIES};

/// The entries of an error body (the first [`MAX_ERROR_ENTRIES`] of them)
/// and what the body was.
pub(super) fn parse_error_body(body: &[u8]) -> (Vec<ErrorEntry>, ErrorBodyKind) {
    if body.iter().all(u8::is_ascii_whitespace) {
        return (Vec::new(), ErrorBodyKind::Empty);
    }
    if notation_core::json::go_decoder_value(body) != Ok(b'{') {
        return (Vec::new(), ErrorBodyKind::Other);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    match (&mut de).deserialize_map(Body) {
        Ok(Some(entries)) => (entries, ErrorBodyKind::OciErrors),
        _ => (Vec::new(), ErrorBodyKind::Other),
    }
}

/// The body object: its `errors` member, when it has one that is an array.
struct Body;

impl<'de> Visitor<'de> for Body {
    type Value = Option<Vec<ErrorEntry>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut errors = None;
        while let Some(key) = map.next_key::<String>()? {
            if notation_core::json::go_field(&key, &["errors"]).is_some() {
                errors = map.next_value_seed(Entries)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(errors)
    }
}

/// The `errors` array (`None` for `null`).
struct Entries;

impl<'de> DeserializeSeed<'de> for Entries {
    type Value = Option<Vec<ErrorEntry>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Entries {
    type Value = Option<Vec<ErrorEntry>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of errors")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        loop {
            let keep = entries.len() < MAX_ERROR_ENTRIES;
            match seq.next_element_seed(Entry { keep })? {
                Some(Some(entry)) => entries.push(entry),
                Some(None) => {}
                None => return Ok(Some(entries)),
            }
        }
    }
}

/// One error (`null` is Go's zero `Error`); read in full whether it is
/// kept or not, as a wrong type anywhere fails the whole body.
struct Entry {
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for Entry {
    type Value = Option<ErrorEntry>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Entry {
    type Value = Option<ErrorEntry>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error object")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.keep.then(|| ErrorEntry::new("", "")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        const FIELDS: [&str; 3] = ["code", "message", "detail"];
        let (mut code, mut message, mut detail) = (String::new(), String::new(), None);
        while let Some(key) = map.next_key::<String>()? {
            match notation_core::json::go_field(&key, &FIELDS) {
                Some(i @ (0 | 1)) => {
                    let text = map.next_value::<Option<String>>()?;
                    if let Some(text) = text {
                        *(if i == 0 { &mut code } else { &mut message }) = text;
                    }
                }
                Some(_) if self.keep => {
                    detail = Some(map.next_value::<serde_json::Value>()?).filter(|d| !d.is_null());
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !self.keep {
            return Ok(None);
        }
        let entry = ErrorEntry::new(code, message);
        Ok(Some(match detail {
            Some(d) => entry.with_detail(notation_core::json::go_v(&d)),
            None => entry,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_as_oras_go_reads_them() {
        let (e, k) = parse_error_body(br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#);
        assert_eq!(k, ErrorBodyKind::OciErrors);
        assert_eq!(
            e,
            [ErrorEntry::new("MANIFEST_UNKNOWN", "manifest unknown").with_detail("map[Tag:x]")]
        );
        // A null detail is none (Go's nil); a missing code is empty, as Go
        // reads it.
        let (e, _) = parse_error_body(
            br#"{"errors":[{"code":"DENIED","message":"no","detail":null},{"message":"m"}]}"#,
        );
        assert_eq!(
            e,
            [ErrorEntry::new("DENIED", "no"), ErrorEntry::new("", "m")]
        );
        assert_eq!(parse_error_body(b"").1, ErrorBodyKind::Empty);
        assert_eq!(
            parse_error_body(b"<html>502 Bad Gateway</html>").1,
            ErrorBodyKind::Other
        );
        assert_eq!(
            parse_error_body(br#"{"errors":"nope"}"#).1,
            ErrorBodyKind::Other
        );
        assert_eq!(
            parse_error_body(br#"{"errors":[{"code":"#).1,
            ErrorBodyKind::Other
        );
        let many = format!(
            r#"{{"errors":[{}]}}"#,
            vec![r#"{"code":"X"}"#; 100].join(",")
        );
        assert_eq!(parse_error_body(many.as_bytes()).0.len(), MAX_ERROR_ENTRIES);
        let long = format!(
            r#"{{"errors":[{{"code":"X","message":"{}"}}]}}"#,
            "m".repeat(5000)
        );
        assert!(parse_error_body(long.as_bytes()).0[0].message.len() < 300);
        // As Go reads them: names in any case, the last one winning, null
        // for nothing, what follows the first value unread.
        let (e, k) = parse_error_body(
            br#"{"Errors":[{"CODE":"X","code":"DENIED","Message":"no","message":null}],"other":1} trailing"#,
        );
        assert_eq!(
            (e, k),
            (
                vec![ErrorEntry::new("DENIED", "no")],
                ErrorBodyKind::OciErrors
            )
        );
        // A wrong type anywhere fails the whole body, in Go too.
        for body in [
            r#"{"errors":[{"code":"DENIED"},{"code":5}]}"#,
            r#"{"errors":[{"code":"DENIED"},"text"]}"#,
            r#"{"errors":{"code":"DENIED"}}"#,
        ] {
            assert_eq!(
                parse_error_body(body.as_bytes()),
                (vec![], ErrorBodyKind::Other),
                "{body}"
            );
        }
        // A null entry is Go's zero error.
        assert_eq!(
            parse_error_body(br#"{"errors":[null]}"#).0,
            [ErrorEntry::new("", "")]
        );
    }
}
