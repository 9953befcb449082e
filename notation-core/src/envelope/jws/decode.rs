//! The JWS envelope's JSON, read as notation-core-go reads it: Go's
//! `json.Unmarshal` into its `jwsEnvelope` struct. A malformed envelope is
//! refused with the text the reference gives (`unable to parse the digital
//! signature, error : <Go's error>`): a syntax error anywhere first, then
//! the first member of the wrong type (`json: cannot unmarshal number into
//! Go struct field jwsEnvelope.payload of type string`) or the first
//! certificate that is not base64, in document order. What Go accepts is
//! read as Go reads it (`null` leaves a member unset).
//!
//! Three things Go accepts are refused, so that no two encodings of one
//! envelope both verify: a member given twice (however its name is cased;
//! Go keeps the last), base64 that is not canonical (line breaks, non-zero
//! trailing bits) and a `[]byte` member written as an array of byte values.
//! Where Go has an error of its own for the envelope, that error is the one
//! given.
// Requirements: C1, C6, C6a.

use std::borrow::Cow;

use base64::Engine;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{B64STD, go_base64_error};
use crate::json::{
    MAX_DEPTH, check_depth, decode_go_base64, go_field, go_kind_name, go_syntax_error, go_text,
};

/// The envelope's members, as notation-core-go's `jwsEnvelope` holds them
/// once decoded.
#[derive(Debug, Default)]
pub(super) struct Decoded {
    pub(super) payload: String,
    pub(super) protected: String,
    pub(super) signature: String,
    /// `x5c`: each certificate's bytes (empty for a `null` element).
    pub(super) certificates: Vec<Vec<u8>>,
    pub(super) timestamp_signature: Option<Vec<u8>>,
    pub(super) signing_agent: Option<String>,
}

/// Decodes the envelope, or gives Go's error for it.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    // Go checks the syntax of the whole input before decoding any of it.
    // Input serde_json reads to the end is valid JSON (the two grammars are
    // the same once Go's text rules are applied), so the check is only
    // needed when decoding fails.
    decode_valid(bytes).map_err(|e| go_syntax_error(bytes).unwrap_or(e))
}

fn decode_valid(bytes: &[u8]) -> Result<Decoded, String> {
    check_depth(bytes, MAX_DEPTH)?;
    let text = go_text(bytes);
    let mut decoder = Decoder::default();
    let mut out = Decoded::default();
    match text
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .as_bytes()
        .first()
    {
        Some(b'{') => {
            let mut de = serde_json::Deserializer::from_str(&text);
            let read = de
                .deserialize_map(Envelope {
                    decoder: &mut decoder,
                    out: &mut out,
                })
                .and_then(|()| de.end());
            if let Err(e) = read {
                // The one thing serde_json refuses in valid JSON here is a
                // number past f64's range where a value of any kind is
                // read (the header, `x5c`): for Go, a value of the wrong
                // kind there, and its first error unless one came before.
                match decoder.reading {
                    Some((field, go_type)) if decoder.error.is_none() => {
                        decoder.type_error("number", field, go_type)
                    }
                    _ if decoder.error.is_none() => return Err(e.to_string()),
                    _ => {}
                }
            }
        }
        Some(b'n') => {
            // `null`: Go leaves the struct as it is.
            serde_json::from_str::<()>(&text).map_err(|e| e.to_string())?;
        }
        Some(&first) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type jws.jwsEnvelope",
                go_kind_name(first)
            ));
        }
        None => return Err("unexpected end of JSON input".into()),
    }
    match (decoder.error, decoder.refused) {
        (Some(e), _) | (None, Some(e)) => Err(e),
        (None, None) => Ok(out),
    }
}

/// A member of a struct being decoded: Go's names for it in errors.
#[derive(Clone, Copy)]
struct Field {
    /// The Go struct that holds it.
    strukt: &'static str,
    /// Its JSON names from the envelope down, joined with dots.
    path: &'static str,
}

const PAYLOAD: Field = Field {
    strukt: "jwsEnvelope",
    path: "payload",
};
const PROTECTED: Field = Field {
    strukt: "jwsEnvelope",
    path: "protected",
};
const HEADER: Field = Field {
    strukt: "jwsEnvelope",
    path: "header",
};
const SIGNATURE: Field = Field {
    strukt: "jwsEnvelope",
    path: "signature",
};
const TIMESTAMP_SIGNATURE: Field = Field {
    strukt: "jwsUnprotectedHeader",
    path: "header.io.cncf.notary.timestampSignature",
};
const X5C: Field = Field {
    strukt: "jwsUnprotectedHeader",
    path: "header.x5c",
};
const SIGNING_AGENT: Field = Field {
    strukt: "jwsUnprotectedHeader",
    path: "header.io.cncf.notary.signingAgent",
};

/// What decoding found wrong: Go's first error, kept as Go keeps it (with
/// the rest of the document still read), and the first thing Go accepts
/// and we refuse.
#[derive(Default)]
struct Decoder {
    error: Option<String>,
    refused: Option<String>,
    /// The field being read as a value of any kind, and its Go type.
    reading: Option<(Field, &'static str)>,
}

impl Decoder {
    fn save(&mut self, error: String) {
        self.error.get_or_insert(error);
    }

    fn refuse(&mut self, why: String) {
        self.refused.get_or_insert(why);
    }

    fn type_error(&mut self, value: &str, field: Field, go_type: &str) {
        self.save(format!(
            "json: cannot unmarshal {value} into Go struct field {}.{} of type {go_type}",
            field.strukt, field.path
        ));
    }

    /// Notes a field of a struct read; a field named twice is our error.
    fn field(&mut self, seen: &mut [bool], i: usize, names: &[&str], what: &str) {
        if std::mem::replace(&mut seen[i], true) {
            self.refuse(format!("duplicate field `{}` in {what}", names[i]));
        }
    }

    /// A Go `string`: `null` leaves it as it is.
    fn string(&mut self, value: &RawValue, field: Field, out: &mut String) -> Result<(), String> {
        match first(value) {
            b'"' => *out = unquote(value)?.into_owned(),
            b'n' => {}
            other => self.type_error(go_kind_name(other), field, "string"),
        }
        Ok(())
    }

    /// A Go `[]byte`: standard base64 text (canonical, for us), or for Go
    /// an array of byte values; `None` for `null` and for a value in error.
    fn bytes(&mut self, value: &RawValue, field: Field) -> Result<Option<Vec<u8>>, String> {
        match first(value) {
            b'"' => {
                let text = unquote(value)?;
                // Canonical base64 is what signers write, and Go reads it
                // alike; Go's own reading is needed only to word an error.
                match B64STD.decode(text.as_bytes()) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) => {
                        match decode_go_base64(&text) {
                            Err(go) => self.save(go),
                            // Line breaks or trailing bits, which Go skips.
                            Ok(_) => self.refuse(go_base64_error(&e)),
                        }
                        Ok(None)
                    }
                }
            }
            b'[' => {
                for element in elements(value)? {
                    self.byte(element, field);
                }
                self.refuse(format!(
                    "{}: an array of byte values is not accepted, only base64 text",
                    field.path
                ));
                Ok(None)
            }
            b'n' => Ok(None),
            other => {
                self.type_error(go_kind_name(other), field, "[]uint8");
                Ok(None)
            }
        }
    }

    /// An element of a `[]byte` given as an array, checked as Go checks a
    /// `uint8`: parsed from the number as written (`1.0`, `1e2` and `-0`
    /// are not bytes), `null` left as zero.
    fn byte(&mut self, value: &RawValue, field: Field) {
        let literal = value.get();
        match first(value) {
            b'n' => {}
            b'-' | b'0'..=b'9' => {
                let digits = literal.bytes().all(|c| c.is_ascii_digit());
                if !digits || literal.parse::<u8>().is_err() {
                    self.type_error(&format!("number {literal}"), field, "uint8");
                }
            }
            other => self.type_error(go_kind_name(other), field, "uint8"),
        }
    }
}

/// The first byte of a value (serde_json keeps no whitespace around it).
fn first(value: &RawValue) -> u8 {
    value.get().as_bytes().first().copied().unwrap_or(b'n')
}

/// A string value's text: borrowed where it has no escape (serde_json has
/// checked the string), unescaped otherwise.
fn unquote(value: &RawValue) -> Result<Cow<'_, str>, String> {
    let raw = value.get();
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    if !crate::bytes::contains(b'\\', inner.as_bytes()) {
        return Ok(Cow::Borrowed(inner));
    }
    serde_json::from_str(raw)
        .map(Cow::Owned)
        .map_err(|e| e.to_string())
}

fn elements(value: &RawValue) -> Result<Vec<&RawValue>, String> {
    serde_json::from_str(value.get()).map_err(|e| e.to_string())
}

/// A member name, borrowed where it has no escape.
pub(super) struct Key<'de>(pub(super) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// serde's errors carry serde_json's text; Go's and ours are kept in the
/// decoder.
fn de_error<E: serde::de::Error>(e: String) -> E {
    E::custom(e)
}

/// The values of a kind Go cannot read into `$go_type`: Go's error, noted
/// for `$field`.
macro_rules! wrong_kinds {
    ($field:expr, $go_type:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            self.decoder.type_error("bool", $field, $go_type);
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            self.decoder.type_error("number", $field, $go_type);
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            self.decoder.type_error("number", $field, $go_type);
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            self.decoder.type_error("number", $field, $go_type);
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            self.decoder.type_error("string", $field, $go_type);
            Ok(())
        }
    };
}

/// The envelope object, read in one pass: strings as they are written,
/// the header streamed.
struct Envelope<'a> {
    decoder: &'a mut Decoder,
    out: &'a mut Decoded,
}

impl<'de> Visitor<'de> for Envelope<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JWS envelope")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let names = ["payload", "protected", "header", "signature"];
        let mut seen = [false; 4];
        while let Some(Key(name)) = map.next_key()? {
            let Some(i) = go_field(&name, &names) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            self.decoder.field(&mut seen, i, &names, "the JWS envelope");
            if i == 2 {
                map.next_value_seed(Header {
                    decoder: &mut *self.decoder,
                    out: &mut *self.out,
                })?;
                continue;
            }
            let value: &RawValue = map.next_value()?;
            let (field, out) = match i {
                0 => (PAYLOAD, &mut self.out.payload),
                1 => (PROTECTED, &mut self.out.protected),
                _ => (SIGNATURE, &mut self.out.signature),
            };
            self.decoder.string(value, field, out).map_err(de_error)?;
        }
        Ok(())
    }
}

/// The unprotected header, a Go struct: an object, or `null` (nothing).
struct Header<'a> {
    decoder: &'a mut Decoder,
    out: &'a mut Decoded,
}

impl<'de> DeserializeSeed<'de> for Header<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let reading = self
            .decoder
            .reading
            .replace((HEADER, "jws.jwsUnprotectedHeader"));
        let decoder = &mut *self.decoder;
        d.deserialize_any(Header {
            decoder: &mut *decoder,
            out: self.out,
        })?;
        decoder.reading = reading;
        Ok(())
    }
}

impl<'de> Visitor<'de> for Header<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JWS unprotected header")
    }
    wrong_kinds!(HEADER, "jws.jwsUnprotectedHeader");
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.decoder
            .type_error("array", HEADER, "jws.jwsUnprotectedHeader");
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let names = [
            "io.cncf.notary.timestampSignature",
            "x5c",
            "io.cncf.notary.signingAgent",
        ];
        let mut seen = [false; 3];
        while let Some(Key(name)) = map.next_key()? {
            let Some(i) = go_field(&name, &names) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            self.decoder
                .field(&mut seen, i, &names, "the JWS unprotected header");
            match i {
                0 => {
                    let value: &RawValue = map.next_value()?;
                    if let Some(bytes) = self
                        .decoder
                        .bytes(value, TIMESTAMP_SIGNATURE)
                        .map_err(de_error)?
                    {
                        self.out.timestamp_signature = Some(bytes);
                    }
                }
                1 => map.next_value_seed(Certificates {
                    decoder: &mut *self.decoder,
                    out: &mut self.out.certificates,
                })?,
                _ => {
                    let value: &RawValue = map.next_value()?;
                    if first(value) != b'n' {
                        let mut agent = String::new();
                        self.decoder
                            .string(value, SIGNING_AGENT, &mut agent)
                            .map_err(de_error)?;
                        self.out.signing_agent = Some(agent);
                    }
                }
            }
        }
        Ok(())
    }
}

/// `x5c`, a Go `[][]byte`: an array, or `null` (empty).
struct Certificates<'a> {
    decoder: &'a mut Decoder,
    out: &'a mut Vec<Vec<u8>>,
}

impl<'de> DeserializeSeed<'de> for Certificates<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let reading = self.decoder.reading.replace((X5C, "[][]uint8"));
        let decoder = &mut *self.decoder;
        d.deserialize_any(Certificates {
            decoder: &mut *decoder,
            out: self.out,
        })?;
        decoder.reading = reading;
        Ok(())
    }
}

impl<'de> Visitor<'de> for Certificates<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a certificate chain")
    }
    wrong_kinds!(X5C, "[][]uint8");
    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.clear();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.decoder.type_error("object", X5C, "[][]uint8");
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.clear();
        while let Some(element) = seq.next_element::<&RawValue>()? {
            let bytes = self.decoder.bytes(element, X5C).map_err(de_error)?;
            self.out.push(bytes.unwrap_or_default());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_read_as_go_reads_them() {
        // Folded names select fields, escapes are read, unknown members of
        // any kind are skipped, and a null certificate is empty (it fails
        // as a malformed leaf when verified).
        let d = decode(
            br#"{"PAYLOAD":"p\u0041","header":{"X5C":["AQID",null],"io.cncf.notary.\u017figningAgent":"a","io.cncf.notary.timestampSignature":""},"x":[1e999]}"#,
        )
        .unwrap();
        assert_eq!(d.payload, "pA");
        assert_eq!(d.certificates, [vec![1, 2, 3], vec![]]);
        assert_eq!(d.signing_agent.as_deref(), Some("a"));
        assert_eq!(d.timestamp_signature, Some(vec![]));
        // `null` leaves every member unset, and so does a `null` envelope.
        for doc in [
            &br#"{"payload":null,"signature":null,"header":{"x5c":null,"io.cncf.notary.signingAgent":null,"io.cncf.notary.timestampSignature":null}}"#[..],
            br#"{"header":null}"#,
            b" null ",
        ] {
            let d = decode(doc).unwrap();
            assert_eq!(d.payload, "");
            assert!(d.certificates.is_empty());
            assert_eq!(d.signing_agent, None);
            assert_eq!(d.timestamp_signature, None);
        }
    }
}
