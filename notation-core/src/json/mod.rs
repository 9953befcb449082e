//! JSON output byte-compatible with Go's `encoding/json`, which produced the
//! reference implementation's payloads and JWS headers: `<`, `>`, `&`,
//! U+2028 and U+2029 are escaped as `\u003c`-style sequences, as Go does by
//! default. Together with sorted map keys this makes our envelopes
//! byte-identical to the reference's for the same input.
//!
//! And JSON read as Go reads it: member names matched as Go matches struct
//! fields, text that is not UTF-8 read as Go reads it, `[]byte` members
//! decoded as Go's base64 decodes them, and syntax errors worded as Go's
//! scanner words them.
// Requirements: C8.

mod base64;
mod syntax;

use std::collections::HashSet;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

pub(crate) use self::base64::{decode_go_base64, go_raw_url_base64_error, without_either};
pub use syntax::{go_decoder_value, go_kind_name, go_value_kind_name};
pub(crate) use syntax::{go_float64_overflow, go_syntax_error};

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

    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        writer.write_all(go_float64(value).as_bytes())
    }
}

/// Go's `encoding/json` text of a float64: the shortest digits that read
/// back as the same number, written out (`1`, `0.000015`,
/// `12345678901234567000`) from 1e-6 to below 1e21, with an exponent
/// otherwise (`1e+21`, `1.5e-7`).
pub(crate) fn go_float64(f: f64) -> String {
    if !f.is_finite() {
        // JSON has no such number; Go's encoder fails, serde_json writes
        // null.
        return "null".into();
    }
    // Go's encoder trims `e-07` to `e-7` (but keeps `e+07`).
    go_float_text(f, -6..21, false)
}

/// Go's `%v` of what `encoding/json` decodes `value` into (an
/// `interface{}`): numbers are float64s (`1e+06`), objects are maps printed
/// with their keys sorted, `null` is `<nil>`.
///
/// ```
/// let v = serde_json::json!({"b": [1, "x", true], "a": null});
/// assert_eq!(notation_core::json::go_v(&v), "map[a:<nil> b:[1 x true]]");
/// ```
pub fn go_v(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => go_float_v(n.as_f64().unwrap_or(0.0)),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(go_v).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", go_v(v)))
                .collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)` as fmt
/// uses it): the shortest digits, written out for exponents from -4 to 5,
/// with an exponent of at least two digits otherwise (`1e+06`, `1e-05`).
///
/// ```
/// assert_eq!(notation_core::json::go_float_v(1234567.0), "1.234567e+06");
/// assert_eq!(notation_core::json::go_float_v(12.75), "12.75");
/// ```
pub fn go_float_v(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    go_float_text(f, -4..6, true)
}

/// A finite float64 in its shortest round-trip digits: written out when
/// its decimal exponent is in `decimal`, else as `d.ddde±x` with a
/// two-digit exponent at least (`pad_negative`: also when negative).
fn go_float_text(f: f64, decimal: std::ops::Range<i32>, pad_negative: bool) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sign = if f < 0.0 { "-" } else { "" };
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !decimal.contains(&exponent) {
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        let exp = exponent.unsigned_abs();
        let exp = if exponent < 0 && !pad_negative {
            exp.to_string()
        } else {
            format!("{exp:02}")
        };
        return format!("{sign}{mantissa}e{exp_sign}{exp}");
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let point = exponent + 1; // digits before the decimal point
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// A JSON value as Go holds it after decoding into `interface{}`: every
/// number a float64 (so `1.0` is `1`, and an integer past 2^53 is
/// rounded), written back as [`GoFormatter`] writes a float64.
pub(crate) fn go_float64_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(go_float64_numbers).collect()),
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, go_float64_numbers(v)))
                .collect(),
        ),
        other => other,
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
                    let Some(n) = crate::bytes::find2(b'"', b'\\', rest) else {
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

/// Whether the JSON member name `key` selects the struct field `name` the
/// way Go's `encoding/json` decodes into structs, which the reference does
/// for envelopes, payloads and policies: exactly or under Unicode simple
/// case folding. For the ASCII names used here that is ASCII case
/// insensitivity, with U+017F (long s) also matching `s` and U+212A
/// (Kelvin sign) also matching `k`.
pub fn go_field_matches(key: &str, name: &str) -> bool {
    debug_assert!(name.is_ascii());
    let mut name = name.bytes();
    for c in key.chars() {
        let Some(n) = name.next() else {
            return false;
        };
        let matches = match c {
            '\u{17f}' => n.eq_ignore_ascii_case(&b's'),
            '\u{212a}' => n.eq_ignore_ascii_case(&b'k'),
            c if c.is_ascii() => n.eq_ignore_ascii_case(&(c as u8)),
            _ => false,
        };
        if !matches {
            return false;
        }
    }
    name.next().is_none()
}

/// The position in `names` of the field the member name `key` selects, as
/// Go picks it: the exact name first, then a folded match
/// ([`go_field_matches`]).
pub fn go_field(key: &str, names: &[&str]) -> Option<usize> {
    names
        .iter()
        .position(|n| *n == key)
        .or_else(|| names.iter().position(|n| go_field_matches(key, n)))
}

/// Reads a JSON object's members as Go decodes an object into a struct
/// whose fields are `names`: each member goes to the field [`go_field`]
/// picks, read by `field(index, map)`; other members are skipped. Unlike
/// Go, which keeps the last, a field given twice is an error (two readings
/// of one signed object are an ambiguity).
pub fn go_struct_fields<'de, A: serde::de::MapAccess<'de>>(
    map: &mut A,
    names: &[&str],
    mut field: impl FnMut(usize, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error> {
    let mut seen = vec![false; names.len()];
    while let Some(key) = map.next_key::<String>()? {
        match go_field(&key, names) {
            Some(i) => {
                if std::mem::replace(&mut seen[i], true) {
                    return Err(serde::de::Error::custom(format_args!(
                        "duplicate field `{}`",
                        names[i]
                    )));
                }
                field(i, map)?;
            }
            None => {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
    }
    Ok(())
}

/// Parses a JSON object into its members in document order, rejecting a
/// member name that appears twice. Go's decoder would silently keep the last
/// one; for signed headers two readings of one object are an ambiguity an
/// attacker could use, so we refuse them.
pub fn parse_object_unique(data: &[u8]) -> Result<Vec<(String, serde_json::Value)>, String> {
    Ok(parse_object_members(data)?
        .into_iter()
        .map(|m| (m.name, m.value))
        .collect())
}

/// A member of a JSON object ([`parse_object_members`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Member {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: serde_json::Value,
    /// Whether the value is a string written with escapes (`\u005a`,
    /// `\/`). Go hands a member to a type's own `UnmarshalJSON` as written:
    /// `time.Time` parses the text between the quotes, escapes and all, so
    /// an escaped time is no time for it.
    pub escaped: bool,
}

/// [`parse_object_unique`], with each member's [`Member::escaped`].
pub fn parse_object_members(data: &[u8]) -> Result<Vec<Member>, String> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    struct Members(Vec<Member>);
    struct MembersVisitor;
    impl<'de> Visitor<'de> for MembersVisitor {
        type Value = Members;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
            let mut members: Vec<Member> = Vec::new();
            // Past a few members, their names are kept in a set too: a
            // hostile object may hold millions of them.
            const FEW: usize = 32;
            let mut names: HashSet<String> = HashSet::new();
            while let Some((name, MemberValue(value, escaped))) =
                map.next_entry::<String, MemberValue>()?
            {
                let duplicate = if members.len() < FEW {
                    members.iter().any(|seen| seen.name == name)
                } else {
                    if names.is_empty() {
                        names.extend(members.iter().map(|m| m.name.clone()));
                    }
                    !names.insert(name.clone())
                };
                if duplicate {
                    return Err(serde::de::Error::custom(format!(
                        "duplicate member {name:?}"
                    )));
                }
                members.push(Member {
                    name,
                    value,
                    escaped,
                });
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

/// The value of the `index`th member of the JSON object `data` as written
/// (a string with its quotes and escapes), for errors Go words on the text
/// as written; `None` where `data` holds no such member.
pub(crate) fn raw_member_value(data: &[u8], index: usize) -> Option<String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Nth(usize);
    impl<'de> Visitor<'de> for Nth {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut i = 0;
            while let Some((IgnoredAny, value)) =
                map.next_entry::<IgnoredAny, &serde_json::value::RawValue>()?
            {
                if i == self.0 {
                    return Ok(Some(value.get().to_owned()));
                }
                i += 1;
            }
            Ok(None)
        }
    }
    serde_json::Deserializer::from_slice(data)
        .deserialize_map(Nth(index))
        .ok()
        .flatten()
}

/// A member's value, and whether it is a string written with escapes.
/// serde_json reading a slice hands over a string without escapes as
/// borrowed from the input, and one with escapes unescaped into a buffer
/// of its own (`visit_str`); the `escaped_strings` test holds it to that.
struct MemberValue(serde_json::Value, bool);

impl<'de> serde::Deserialize<'de> for MemberValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde::de::{Deserialize, MapAccess, SeqAccess, Visitor};
        use serde_json::Value;
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MemberValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::String(s.to_owned()), false))
            }
            fn visit_str<E>(self, s: &str) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::String(s.to_owned()), true))
            }
            fn visit_string<E>(self, s: String) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::String(s), true))
            }
            fn visit_bool<E>(self, b: bool) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::Bool(b), false))
            }
            fn visit_i64<E>(self, n: i64) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::from(n), false))
            }
            fn visit_u64<E>(self, n: u64) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::from(n), false))
            }
            fn visit_f64<E>(self, n: f64) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::from(n), false))
            }
            fn visit_unit<E>(self) -> Result<MemberValue, E> {
                Ok(MemberValue(Value::Null, false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<MemberValue, A::Error> {
                Ok(MemberValue(
                    Value::deserialize(SeqAccessDeserializer::new(seq))?,
                    false,
                ))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MemberValue, A::Error> {
                Ok(MemberValue(
                    Value::deserialize(MapAccessDeserializer::new(map))?,
                    false,
                ))
            }
        }
        d.deserialize_any(V)
    }
}

/// JSON bytes as text that serde_json reads as Go's decoder reads the
/// bytes: [`go_lossy_utf8`], then [`go_lone_surrogates`].
pub(crate) fn go_text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match go_lossy_utf8(data) {
        std::borrow::Cow::Borrowed(text) => go_lone_surrogates(text),
        std::borrow::Cow::Owned(text) => {
            std::borrow::Cow::Owned(go_lone_surrogates(&text).into_owned())
        }
    }
}

/// `data` as text the way Go's JSON decoder reads the strings in it: every
/// byte that is not part of valid UTF-8 becomes one U+FFFD (Go decodes
/// rune by rune, and an invalid rune is one byte wide). Valid text is
/// borrowed as it is.
pub(crate) fn go_lossy_utf8(data: &[u8]) -> std::borrow::Cow<'_, str> {
    let mut rest = match std::str::from_utf8(data) {
        Ok(text) => return std::borrow::Cow::Borrowed(text),
        Err(_) => data,
    };
    let mut out = String::with_capacity(data.len() + 8);
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                return std::borrow::Cow::Owned(out);
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(after.len());
                out.extend(std::iter::repeat_n('\u{fffd}', bad));
                rest = &after[bad..];
            }
        }
    }
}

/// JSON text with every `\\u` escape of a lone UTF-16 surrogate (one
/// not part of a high-low pair) replaced by `\\ufffd`, which is how Go's
/// decoder reads it; serde_json refuses such text. Escapes are rewritten
/// in place (both are six bytes), only inside strings; text without a
/// lone surrogate is borrowed as it is.
pub(crate) fn go_lone_surrogates(text: &str) -> std::borrow::Cow<'_, str> {
    // Most documents hold no `\u` escape at all: one fast search says so.
    if !text.contains("\\u") {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let hex4 = |at: usize| -> Option<u16> {
        let digits = bytes.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        (bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u'))
            .then(|| hex4(at + 2))
            .flatten()
    };
    let mut lone = Vec::new();
    let (mut i, mut in_string) = (0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                if let Some(unit) = escape_at(i) {
                    match unit {
                        0xd800..=0xdbff
                            if escape_at(i + 6)
                                .is_some_and(|low| (0xdc00..=0xdfff).contains(&low)) =>
                        {
                            i += 12;
                            continue;
                        }
                        0xd800..=0xdfff => lone.push(i),
                        _ => {}
                    }
                    i += 6;
                    continue;
                }
                // Any other escape is two bytes (a bad one fails the parse).
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if lone.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    for at in lone {
        out[at..at + 6].copy_from_slice(b"\\ufffd");
    }
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_base64_skips_line_breaks_anywhere() {
        for text in ["AQID", "AQ\r\nID", "\nA\rQ\n\nI\r\nD\n", "AQID\r\n"] {
            assert_eq!(decode_go_base64(text).unwrap(), [1, 2, 3], "{text:?}");
        }
        assert!(decode_go_base64("AQ\r\nI!").is_err());
        assert_eq!(decode_go_base64("\r\n").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn lone_surrogates_only_where_escaped() {
        assert!(matches!(
            go_lone_surrogates(r#"{"a":"b"}"#),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(go_lone_surrogates(r#"{"a":"\ud800"}"#), r#"{"a":"\ufffd"}"#);
        assert_eq!(
            go_lone_surrogates(r#"{"a":"\\ud800"}"#),
            r#"{"a":"\\ud800"}"#
        );
    }

    #[test]
    fn float64s_are_written_as_go_writes_them() {
        // Go 1.19 encoding/json's output for each.
        for (f, go) in [
            (1.0, "1"),
            (1.5, "1.5"),
            (0.000015, "0.000015"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (12345678901234567890.0, "12345678901234567000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (-2.5, "-2.5"),
            (123456789.125, "123456789.125"),
            (1e-6, "0.000001"),
            (9.999999e-7, "9.999999e-7"),
            (0.1, "0.1"),
            (-0.0, "-0"),
            (5e-324, "5e-324"),
            (1e-10, "1e-10"),
            (f64::MAX, "1.7976931348623157e+308"),
            (100.0, "100"),
        ] {
            assert_eq!(go_float64(f), go, "{f:e}");
        }
        // Go 1.19 fmt's %v of each.
        for (f, go) in [
            (1000000.0, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (-0.0, "-0"),
            (1e21, "1e+21"),
            (1e-7, "1e-07"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
            (-2.5, "-2.5"),
            (0.5, "0.5"),
            (12.75, "12.75"),
        ] {
            assert_eq!(go_float_v(f), go, "{f:e}");
        }
        // A value decoded as Go decodes it into interface{}, then encoded.
        let value: serde_json::Value =
            serde_json::from_str(r#"{"a":[1.0,12345678901234567890,{"b":2e0}],"c":"x"}"#).unwrap();
        let text = to_vec_go(&go_float64_numbers(value)).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#"{"a":[1,12345678901234567000,{"b":2}],"c":"x"}"#
        );
    }

    #[test]
    fn member_names_match_struct_fields_as_in_go() {
        for key in [
            "alg",
            "ALG",
            "aLg",
            "io.cncf.notary.Expiry",
            "io.cncf.notary.\u{17f}igningScheme",
            "IO.CNCF.NOTARY.SIGNINGSCHEME",
        ] {
            let name = if key.len() == 3 {
                "alg"
            } else if key.ends_with("Expiry") {
                "io.cncf.notary.expiry"
            } else {
                "io.cncf.notary.signingScheme"
            };
            assert!(go_field_matches(key, name), "{key}");
        }
        assert!(go_field_matches("\u{212a}ey", "key"));
        for (key, name) in [
            ("al", "alg"),
            ("algs", "alg"),
            ("\u{131}d", "id"),
            ("\u{e9}", "e"),
            ("", "a"),
        ] {
            assert!(!go_field_matches(key, name), "{key}");
        }
        assert_eq!(go_field("Crit", &["alg", "crit"]), Some(1));
        assert_eq!(go_field("x", &["alg", "crit"]), None);
    }

    #[test]
    fn escapes_like_go() {
        let v = serde_json::json!({"b": "<a&b>\u{2028}\n\u{1}", "a": 1});
        assert_eq!(
            String::from_utf8(to_vec_go(&v).unwrap()).unwrap(),
            r#"{"a":1,"b":"\u003ca\u0026b\u003e\u2028\n\u0001"}"#
        );
    }

    /// Lone surrogate escapes read as U+FFFD, as Go reads them; pairs and
    /// other escapes are kept.
    #[test]
    fn lone_surrogates_read_as_go_reads_them() {
        let read =
            |text: &str| -> String { serde_json::from_str(&go_lone_surrogates(text)).unwrap() };
        assert_eq!(read(r#""a\ud800b""#), "a\u{fffd}b");
        assert_eq!(read(r#""\udc00""#), "\u{fffd}");
        assert_eq!(read(r#""\ud800\u0041""#), "\u{fffd}A");
        assert_eq!(read(r#""\ud83d\ude00""#), "😀");
        assert_eq!(read(r#""\\ud800""#), "\\ud800");
        assert!(matches!(
            go_lone_surrogates(r#"{"a":"\u00e9"}"#),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// One U+FFFD per invalid byte, as Go's decoder reads them.
    #[test]
    fn invalid_utf8_reads_as_go_reads_it() {
        assert_eq!(go_lossy_utf8(b"plain"), "plain");
        assert_eq!(go_lossy_utf8(b"t\xe9st"), "t\u{fffd}st");
        assert_eq!(go_lossy_utf8(b"t\xe2\x82st"), "t\u{fffd}\u{fffd}st");
        assert_eq!(go_lossy_utf8(b"\xed\xa0\x80!"), "\u{fffd}\u{fffd}\u{fffd}!");
        assert_eq!(
            go_lossy_utf8(b"end\xf0\x9f\x98"),
            "end\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(go_lossy_utf8("é😀".as_bytes()), "é😀");
    }

    #[test]
    fn escaped_strings() {
        let members = parse_object_members(
            br#"{"plain":"2024-01-01T00:00:00Z","esc":"2024-01-01T00:00:00\u005a","slash":"a\/b","n":1.5,"o":{"x":"\u0041"},"a":["\u0041",null,true]}"#,
        )
        .unwrap();
        let got: Vec<(&str, bool)> = members
            .iter()
            .map(|m| (m.name.as_str(), m.escaped))
            .collect();
        assert_eq!(
            got,
            [
                ("plain", false),
                ("esc", true),
                ("slash", true),
                ("n", false),
                ("o", false),
                ("a", false)
            ]
        );
        assert_eq!(members[1].value, "2024-01-01T00:00:00Z");
        assert_eq!(members[2].value, "a/b");
        assert_eq!(members[3].value, serde_json::json!(1.5));
        assert_eq!(members[4].value, serde_json::json!({"x": "A"}));
        assert_eq!(members[5].value, serde_json::json!(["A", null, true]));
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

    /// Duplicates are found with a set: an object of 200,000 members (a
    /// hostile envelope header may hold millions) is read in linear time,
    /// where a scan of the members seen took seconds per 100,000.
    #[test]
    fn many_members_are_linear() {
        let mut text = String::from("{");
        for i in 0..200_000 {
            text.push_str(&format!("\"m{i}\":0,"));
        }
        text.push_str("\"m7\":1}");
        let e = parse_object_members(text.as_bytes()).unwrap_err();
        assert!(e.contains("duplicate member \"m7\""), "{e}");
        text.truncate(text.len() - "\"m7\":1}".len() - 1);
        text.push('}');
        assert_eq!(
            parse_object_members(text.as_bytes()).unwrap().len(),
            200_000
        );
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
