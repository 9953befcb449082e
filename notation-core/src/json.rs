//! JSON output byte-compatible with Go's `encoding/json`, which produced the
//! reference implementation's payloads and JWS headers: `<`, `>`, `&`,
//! U+2028 and U+2029 are escaped as `\u003c`-style sequences, as Go does by
//! default. Together with sorted map keys this makes our envelopes
//! byte-identical to the reference's for the same input.
// Requirements: C8.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

/// A `serde_json` formatter that escapes like Go's `encoding/json`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GoFormatter;

impl Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escaped.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> std::io::Result<()> {
        // Go writes \n, \r, \t, \", \\ short and every other control
        // character as \u00XX (Go 1.22+ also writes \b and \f short).
        let s: String = match char_escape {
            CharEscape::Quote => "\\\"".into(),
            CharEscape::ReverseSolidus => "\\\\".into(),
            CharEscape::Solidus => "/".into(),
            CharEscape::Backspace => "\\b".into(),
            CharEscape::FormFeed => "\\f".into(),
            CharEscape::LineFeed => "\\n".into(),
            CharEscape::CarriageReturn => "\\r".into(),
            CharEscape::Tab => "\\t".into(),
            CharEscape::AsciiControl(b) => format!("\\u{:04x}", b),
        };
        writer.write_all(s.as_bytes())
    }
}

/// Serializes `value` compactly with Go's escaping.
pub fn to_vec_go<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// Nesting limit for JSON we parse from untrusted sources; serde_json itself
/// stops at 128 levels, this is checked before parsing for a clearer error.
pub const MAX_DEPTH: usize = 64;

/// Rejects JSON nested deeper than `max` (objects and arrays), scanning the
/// bytes without allocating. Strings are skipped correctly, so brackets in
/// strings do not count.
pub fn check_depth(data: &[u8], max: usize) -> Result<(), String> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'"' => {
                // Skip the string: to the next quote not escaped.
                i += 1;
                loop {
                    let rest = data.get(i..).unwrap_or_default();
                    let Some(n) = memchr::memchr2(b'"', b'\\', rest) else {
                        // Unterminated: the rest is inside the string.
                        return Ok(());
                    };
                    i += n;
                    if data[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Err(format!("JSON nested deeper than {max} levels"));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Parses a JSON object into its members in document order, rejecting a
/// member name that appears twice. Go's decoder would silently keep the last
/// one; for signed headers two readings of one object are an ambiguity an
/// attacker could use, so we refuse them.
pub fn parse_object_unique(data: &[u8]) -> Result<Vec<(String, serde_json::Value)>, String> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    struct Members(Vec<(String, serde_json::Value)>);
    struct MembersVisitor;
    impl<'de> Visitor<'de> for MembersVisitor {
        type Value = Members;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
            let mut members: Vec<(String, serde_json::Value)> = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                if members.iter().any(|(seen, _)| *seen == k) {
                    return Err(serde::de::Error::custom(format!("duplicate member {k:?}")));
                }
                members.push((k, v));
            }
            Ok(Members(members))
        }
    }
    let mut de = serde_json::Deserializer::from_slice(data);
    let members = (&mut de)
        .deserialize_map(MembersVisitor)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(members.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        let v = serde_json::json!({"b": "<a&b>\u{2028}\n\u{1}", "a": 1});
        assert_eq!(
            String::from_utf8(to_vec_go(&v).unwrap()).unwrap(),
            r#"{"a":1,"b":"\u003ca\u0026b\u003e\u2028\n\u0001"}"#
        );
    }

    #[test]
    fn unique_members() {
        assert_eq!(parse_object_unique(br#"{"a":1,"b":2}"#).unwrap().len(), 2);
        assert!(
            parse_object_unique(br#"{"a":1,"a":2}"#)
                .unwrap_err()
                .contains("duplicate")
        );
        assert!(parse_object_unique(b"[1]").is_err());
        assert!(parse_object_unique(br#"{"a":1} x"#).is_err());
    }

    #[test]
    fn depth() {
        assert!(check_depth(b"[[[]]]", 3).is_ok());
        assert!(check_depth(b"[[[[]]]]", 3).is_err());
        assert!(check_depth(br#"["[[[[[["]"#, 3).is_ok());
        // Escapes inside strings, an escaped quote among them.
        assert!(check_depth(br#"["\"[[[[", "\\", [[]]]"#, 3).is_ok());
        assert!(check_depth(br#"["\\", [[[]]]]"#, 3).is_err());
        // An unterminated string holds the rest, brackets and all.
        assert!(check_depth(br#"[" [[[[[["#, 3).is_ok());
        assert!(check_depth(br#"["\"#, 3).is_ok());
    }
}
