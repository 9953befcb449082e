//! A COSE_Sign1 message decoded as the reference decodes it: go-cose v1.3.0
//! on fxamacker/cbor v2.8.0, with go-cose's options (duplicate map keys,
//! indefinite lengths and, outside the protected header, tags are refused;
//! integers are Go `int64`s), and its error texts.
//!
//! A general CBOR library reads more than that (indefinite lengths, tags
//! anywhere, duplicate keys in nested maps, integers past `int64`), and a
//! COSE library's header model reads less (coset refused an empty `kid`, an
//! `alg` outside the registries, simple values without a name). None of the
//! outer bytes are signed, so anyone could re-encode a valid envelope into
//! one that only one side accepts: [`check`] follows go-cose instead.
//!
//! Passes over the bytes, as in fxamacker/cbor: a well-formedness pass
//! ([`wellformed`]), then go-cose's decoding of the message, of its
//! protected header (a byte string holding a map, where tags are allowed)
//! and of its unprotected header. Every pass reads the bytes in place
//! with a cursor, building no tree of items. The well-formedness pass
//! bounds their number ([`MAX_ITEMS`], our limit; the reference has none).
//!
//! The same cursor then reads what Notation uses ([`Checked`]): the
//! protected header's bytes and parameters (as ciborium values, the one
//! tree built), the three unprotected parameters ([`Unprotected`]), the
//! payload and the signature.
// Requirements: D1, U (the nesting and size limits are go-cose's).

use std::collections::HashSet;
use std::ops::Range;

use ciborium::value::Value;

use super::go_value::{TimeZone, go_t, go_time, go_v, int64, utf8};
use super::wellformed::{
    Head, MAX_ITEMS, builtin_tags, check_builtin_tag, head, skip, too_many_items, wellformed,
};

/// A message that passed [`check`], in the parts Notation reads.
pub(super) struct Checked<'a> {
    /// The protected header's encoded map (the content of its byte
    /// string; empty for an empty header), as the `Sig_structure` holds it.
    pub(super) protected: &'a [u8],
    /// The protected header's parameters in their order: each value as
    /// go-cose decodes it ([`go_value`]), and where its encoded item is in
    /// `protected`.
    pub(super) parameters: Vec<(Label, Value, Range<usize>)>,
    /// What Notation reads of the unprotected header.
    pub(super) unprotected: Unprotected<'a>,
    /// `None` for a `nil` (detached) payload.
    pub(super) payload: Option<&'a [u8]>,
    pub(super) signature: &'a [u8],
}

/// The unprotected header parameters Notation reads (notation-core-go's
/// envelope `Verify` and `Content`); the others are not looked at once
/// go-cose's rules pass.
#[derive(Debug, Default)]
pub(super) struct Unprotected<'a> {
    /// `x5chain` when it is an array: each element, `None` where it is not
    /// a byte string.
    pub(super) x5chain: Option<Vec<Option<&'a [u8]>>>,
    /// The signing agent when it is a text string.
    pub(super) signing_agent: Option<&'a str>,
    /// The timestamp signature when it is a byte string.
    pub(super) timestamp_signature: Option<&'a [u8]>,
}

/// Checks a tagged COSE_Sign1 message (starting `d2 84`) as go-cose
/// `Sign1Message.UnmarshalCBOR` does, with its error texts.
pub(super) fn check(message: &[u8]) -> Result<Checked<'_>, String> {
    let data = message
        .strip_prefix(&[0xd2])
        .filter(|rest| rest.starts_with(&[0x84]))
        .ok_or("cbor: invalid COSE_Sign1_Tagged object")?;
    let mut end = 0;
    let mut items = 0;
    wellformed(data, &mut end, 0, false, &mut items)?;
    extraneous(data, end)?;
    // The four elements after the head `84`.
    let mut pos = 1;
    let mut starts = [0; 4];
    for start in &mut starts {
        *start = pos;
        skip(data, &mut pos)?;
    }
    let [protected, unprotected, payload, signature] = starts;
    let payload = byte_string(data, payload)?;
    let signature = match byte_string(data, signature)? {
        Some(signature) if !signature.is_empty() => signature,
        _ => return Err("empty signature".into()),
    };
    headers(data, protected, unprotected, &mut items)?;
    let protected = byte_string(data, protected)?.unwrap_or_default();
    Ok(Checked {
        protected,
        parameters: protected_parameters(protected)?,
        unprotected: unprotected_parameters(data, unprotected)?,
        payload,
        signature,
    })
}

/// The parameters of the protected header `encoded`, which [`headers`]
/// has checked.
fn protected_parameters(encoded: &[u8]) -> Result<Vec<(Label, Value, Range<usize>)>, String> {
    if encoded.is_empty() {
        return Ok(Vec::new());
    }
    let mut pos = 0;
    let Head::Map(Some(n)) = head(encoded, &mut pos)? else {
        return Err("cbor: protected header: require map type".into());
    };
    let mut parameters = Vec::with_capacity(n);
    for _ in 0..n {
        let label = header_label(encoded, &mut pos)?;
        let start = pos;
        let value = go_value(encoded, &mut pos, true)?;
        parameters.push((label, value, start..pos));
    }
    Ok(parameters)
}

/// [`go_value`] on a whole item, for tests elsewhere.
#[cfg(test)]
pub(super) fn go_value_for_tests(buf: &[u8], pos: &mut usize) -> Result<Value, String> {
    go_value(buf, pos, true)
}

/// The number of the tag `item` starts with, if it does.
pub(super) fn first_tag(item: &[u8]) -> Option<u64> {
    match head(item, &mut 0) {
        Ok(Head::Tag(number)) => Some(number),
        _ => None,
    }
}

/// The (checked) item at `*pos`, moving past it, as fxamacker/cbor decodes
/// it into a Go `interface{}` (its `parse`), in ciborium's terms: a
/// self-described tag is dropped where `skip_self_described` (everywhere
/// but in a tag's content, where Go keeps it as a `cbor.Tag`); `undefined`
/// is null (Go's nil); a simple value without a name is its number (Go's
/// `cbor.SimpleValue`); a bignum stays a tag 2 or 3 (a Go `big.Int`).
fn go_value(buf: &[u8], pos: &mut usize, skip_self_described: bool) -> Result<Value, String> {
    Ok(match head(buf, pos)? {
        Head::Unsigned(n) => Value::Integer(n.into()),
        Head::Negative(n) => Value::Integer(
            ciborium::value::Integer::try_from(-1 - i128::from(n))
                .map_err(|_| format!("cbor: negative integer -1-{n} out of range"))?,
        ),
        Head::Bytes(b) => Value::Bytes(b.to_vec()),
        Head::Text(t) => Value::Text(utf8(t)?.to_owned()),
        Head::Array(n) => Value::Array(
            (0..n.unwrap_or(0))
                .map(|_| go_value(buf, pos, true))
                .collect::<Result<_, _>>()?,
        ),
        Head::Map(n) => Value::Map(
            (0..n.unwrap_or(0))
                .map(|_| Ok((go_value(buf, pos, true)?, go_value(buf, pos, true)?)))
                .collect::<Result<_, String>>()?,
        ),
        Head::Tag(55799) if skip_self_described => go_value(buf, pos, true)?,
        Head::Tag(number) => Value::Tag(number, Box::new(go_value(buf, pos, false)?)),
        Head::Float(f) => Value::Float(f),
        Head::Simple(20) => Value::Bool(false),
        Head::Simple(21) => Value::Bool(true),
        Head::Simple(22 | 23) => Value::Null,
        Head::Simple(n) => Value::Integer(n.into()),
    })
}

/// The parameters Notation reads from the unprotected header at `start`,
/// which [`headers`] has checked.
fn unprotected_parameters(buf: &[u8], start: usize) -> Result<Unprotected<'_>, String> {
    let mut pos = start;
    let Head::Map(Some(n)) = head(buf, &mut pos)? else {
        return Err("cbor: unprotected header: require map type".into());
    };
    let mut found = Unprotected::default();
    for _ in 0..n {
        let label = header_label(buf, &mut pos)?;
        let value = pos;
        let value_head = head(buf, &mut pos)?;
        pos = value;
        skip(buf, &mut pos)?;
        match (label, value_head) {
            (Label::Int(super::LABEL_X5CHAIN), Head::Array(Some(len))) => {
                let mut at = value;
                head(buf, &mut at)?;
                let mut certificates =
                    Vec::with_capacity(len.min(crate::envelope::MAX_CHAIN_LENGTH + 1));
                for _ in 0..len {
                    let element = at;
                    certificates.push(match head(buf, &mut at)? {
                        Head::Bytes(b) => Some(b),
                        _ => {
                            at = element;
                            skip(buf, &mut at)?;
                            None
                        }
                    });
                }
                found.x5chain = Some(certificates);
            }
            (Label::Text(t), Head::Text(text)) if t == super::header::SIGNING_AGENT => {
                found.signing_agent = Some(utf8(text)?);
            }
            (Label::Text(t), Head::Bytes(b)) if t == super::header::TIMESTAMP_SIGNATURE => {
                found.timestamp_signature = Some(b);
            }
            _ => {}
        }
    }
    Ok(found)
}

/// fxamacker/cbor's error for bytes after the first item; `at` counts from
/// the start of what is decoded (the byte after the tag, for the message).
fn extraneous(data: &[u8], at: usize) -> Result<(), String> {
    if at < data.len() {
        return Err(format!(
            "cbor: {} bytes of extraneous data starting at index {at}",
            data.len() - at
        ));
    }
    Ok(())
}

/// go-cose's `byteString` at `start`: a byte string, or `null` for none.
fn byte_string(buf: &[u8], start: usize) -> Result<Option<&[u8]>, String> {
    match head(buf, &mut { start })? {
        Head::Bytes(b) => Ok(Some(b)),
        Head::Simple(22) => Ok(None),
        _ => Err("cbor: require bstr type".into()),
    }
}

/// go-cose `Headers.UnmarshalFromRaw`: the protected header, the
/// unprotected header, then the IV rule across the two.
fn headers(
    buf: &[u8],
    protected: usize,
    unprotected: usize,
    items: &mut usize,
) -> Result<(), String> {
    let protected = protected_header(buf, protected, items)
        .map_err(|e| format!("cbor: invalid protected header: {e}"))?;
    let unprotected = unprotected_header(buf, unprotected, items)
        .map_err(|e| format!("cbor: invalid unprotected header: {e}"))?;
    let has = |labels: &[Label], label: i64| labels.contains(&Label::Int(label));
    if has(&protected, LABEL_IV) && has(&unprotected, LABEL_PARTIAL_IV) {
        return Err(
            "IV (protected) and PartialIV (unprotected) parameters must not both be present".into(),
        );
    }
    if has(&protected, LABEL_PARTIAL_IV) && has(&unprotected, LABEL_IV) {
        return Err(
            "IV (unprotected) and PartialIV (protected) parameters must not both be present".into(),
        );
    }
    Ok(())
}

/// go-cose `ProtectedHeader.UnmarshalCBOR` on the item at `start`; the
/// labels present.
fn protected_header(buf: &[u8], start: usize, items: &mut usize) -> Result<Vec<Label>, String> {
    let encoded = match head(buf, &mut { start })? {
        Head::Bytes(b) => b,
        Head::Simple(22) => return Err("cbor: nil protected header".into()),
        _ => return Err("cbor: require bstr type".into()),
    };
    if encoded.is_empty() {
        return Ok(Vec::new());
    }
    if encoded[0] >> 5 != 5 {
        return Err("cbor: protected header: require map type".into());
    }
    let mut end = 0;
    wellformed(encoded, &mut end, 0, true, items)?;
    extraneous(encoded, end)?;
    header_map(encoded, 0, true, items).map_err(|e| match e {
        HeaderError::Decode(e) => e,
        HeaderError::Parameter(e) => format!("protected header: {e}"),
    })
}

/// go-cose `UnprotectedHeader.UnmarshalCBOR` on the item at `start`; the
/// labels present.
fn unprotected_header(buf: &[u8], start: usize, items: &mut usize) -> Result<Vec<Label>, String> {
    if buf.get(start).is_none_or(|b| b >> 5 != 5) {
        return Err("cbor: unprotected header: require map type".into());
    }
    header_map(buf, start, false, items).map_err(|e| match e {
        HeaderError::Decode(e) => e,
        HeaderError::Parameter(e) => format!("unprotected header: {e}"),
    })
}

/// The header map at `start`: its labels (go-cose
/// `validateHeaderLabelCBOR`), its values decoded as Go values, then
/// go-cose's rules for the labels it knows.
/// `items` counts the items of the protected headers of counter
/// signatures in it against [`MAX_ITEMS`] (their passes are work too).
fn header_map(
    buf: &[u8],
    start: usize,
    protected: bool,
    items: &mut usize,
) -> Result<Vec<Label>, HeaderError> {
    let mut pos = start;
    let Head::Map(Some(n)) = head(buf, &mut pos)? else {
        return Err(HeaderError::Decode("cbor: require map type".into()));
    };
    let mut labels: Vec<Label> = Vec::with_capacity(n);
    let mut value_starts: Vec<usize> = Vec::with_capacity(n);
    let mut seen: HashSet<Label> = HashSet::new();
    // As fxamacker/cbor reads a map: the first error is kept and the map
    // read on, and a duplicate label ends it with its own error.
    let mut first_error: Option<String> = None;
    for index in 0..n {
        let key_start = pos;
        let label = match header_label(buf, &mut pos) {
            Ok(label) => label,
            Err(e) => {
                first_error.get_or_insert(e);
                pos = key_start;
                skip(buf, &mut pos)?;
                skip(buf, &mut pos)?;
                continue;
            }
        };
        // The pair fails, and is not counted, when a tag in its value does
        // not hold what the tag requires.
        let value = pos;
        if let Err(e) = builtin_tags(buf, &mut pos) {
            first_error.get_or_insert(e);
            pos = value;
            skip(buf, &mut pos)?;
            continue;
        }
        if !seen.insert(label.clone()) {
            return Err(HeaderError::Decode(format!(
                "cbor: found duplicate map key \"{label}\" at map element index {index}"
            )));
        }
        labels.push(label);
        value_starts.push(value);
    }
    if let Some(e) = first_error {
        return Err(HeaderError::Decode(e));
    }
    let mut values: Vec<GoValue<'_>> = Vec::with_capacity(n);
    for (label, &value) in labels.iter().zip(&value_starts) {
        let counter_signature = matches!(
            label,
            Label::Int(LABEL_COUNTER_SIGNATURE | LABEL_COUNTER_SIGNATURE_V2)
        );
        if counter_signature && !protected {
            if !is_countersignature(buf, value, items)? {
                return Err(HeaderError::Decode(
                    "invalid Countersignature object / list of objects".into(),
                ));
            }
            values.push(GoValue::CounterSignature);
        } else {
            values.push(decode(buf, &mut { value })?);
        }
    }
    for (label, value) in labels.iter().zip(&values) {
        let Label::Int(label) = label else { continue };
        header_parameter(buf, *label, value, &seen, protected).map_err(HeaderError::Parameter)?;
    }
    Ok(labels)
}

/// go-cose's `headerLabelValidator` on the key at `*pos`: an `int64` or a
/// text string (a self-described CBOR tag is dropped first).
fn header_label(buf: &[u8], pos: &mut usize) -> Result<Label, String> {
    loop {
        match head(buf, pos)? {
            Head::Tag(55799) => continue,
            Head::Unsigned(n) => return Ok(Label::Int(int64(n)?)),
            Head::Negative(n) => {
                return match i64::try_from(n) {
                    Ok(n) => Ok(Label::Int(-1 - n)),
                    Err(_) => {
                        Err("cbor: header label: int key must not be higher than 1<<63 - 1".into())
                    }
                };
            }
            Head::Text(t) => return Ok(Label::Text(utf8(t)?.to_owned())),
            _ => return Err("cbor: header label: require int / tstr type".into()),
        }
    }
}

/// A header value as Go's `interface{}` holds it, as far as go-cose's
/// rules look at it.
#[derive(Debug)]
enum GoValue<'a> {
    Int(i64),
    /// A `big.Int`: a negative integer past `int64`, or tags 2 and 3.
    BigInt,
    Bytes,
    Text(&'a str),
    /// An array, at this position of the header's bytes.
    Array(usize),
    /// A map, a float, a simple value, a time or another tag.
    Other,
    /// A counter signature that decoded.
    CounterSignature,
}

/// fxamacker/cbor's decoding of the item at `*pos` into an `interface{}`,
/// with go-cose's options, moving past it.
fn decode<'a>(buf: &'a [u8], pos: &mut usize) -> Result<GoValue<'a>, String> {
    let start = *pos;
    Ok(match head(buf, pos)? {
        Head::Unsigned(n) => GoValue::Int(int64(n)?),
        Head::Negative(n) => match i64::try_from(n) {
            Ok(n) => GoValue::Int(-1 - n),
            Err(_) => GoValue::BigInt,
        },
        Head::Bytes(_) => GoValue::Bytes,
        Head::Text(t) => GoValue::Text(utf8(t)?),
        Head::Array(n) => {
            for _ in 0..n.unwrap_or(0) {
                decode(buf, pos)?;
            }
            GoValue::Array(start)
        }
        Head::Map(n) => {
            // fxamacker/cbor's `parseMap`: the first error is kept and the
            // map read on, a pair that fails is not added, and a duplicate
            // key ends the map with its own error.
            let n = n.unwrap_or(0);
            let mut keys: HashSet<MapKey> = HashSet::new();
            let mut first_error: Option<String> = None;
            for index in 0..n {
                let key_start = *pos;
                let key = match map_key(buf, pos) {
                    Ok(key) => key,
                    Err(e) => {
                        first_error.get_or_insert(e);
                        *pos = key_start;
                        skip(buf, pos)?;
                        skip(buf, pos)?;
                        continue;
                    }
                };
                let value_start = *pos;
                if let Err(e) = decode(buf, pos) {
                    first_error.get_or_insert(e);
                    *pos = value_start;
                    skip(buf, pos)?;
                    continue;
                }
                if key != MapKey::NeverEqual && !keys.insert(key) {
                    return Err(format!(
                        "cbor: found duplicate map key \"{}\" at map element index {index}",
                        go_v(buf, key_start, true)
                    ));
                }
            }
            if let Some(e) = first_error {
                return Err(e);
            }
            GoValue::Other
        }
        Head::Tag(number) => {
            check_builtin_tag(number, buf, *pos)?;
            match number {
                // A self-described CBOR item is the item.
                55799 => decode(buf, pos)?,
                0 | 1 => {
                    go_time(buf, pos)?;
                    GoValue::Other
                }
                2 | 3 => {
                    skip(buf, pos)?;
                    GoValue::BigInt
                }
                _ => {
                    decode(buf, pos)?;
                    GoValue::Other
                }
            }
        }
        Head::Float(_) | Head::Simple(_) => GoValue::Other,
    })
}

/// A key of a nested map at `*pos`, as Go decodes it into an
/// `interface{}`, moving past it; keys Go cannot put in a map are refused
/// with its message.
fn map_key(buf: &[u8], pos: &mut usize) -> Result<MapKey, String> {
    map_key_in(buf, pos, true)
}

/// [`map_key`]; `top` is false for the content of a tag, where
/// fxamacker/cbor keeps a self-described tag.
fn map_key_in(buf: &[u8], pos: &mut usize, top: bool) -> Result<MapKey, String> {
    let invalid = |go_type: &str| Err(format!("cbor: invalid map key type: {go_type}"));
    let start = *pos;
    Ok(match head(buf, pos)? {
        Head::Unsigned(n) => MapKey::Int(int64(n)?),
        Head::Negative(n) => match i64::try_from(n) {
            Ok(n) => MapKey::Int(-1 - n),
            Err(_) => return invalid("big.Int"),
        },
        Head::Bytes(b) => MapKey::Bytes(b.to_vec()),
        Head::Text(t) => MapKey::Text(utf8(t)?.to_owned()),
        Head::Array(_) => {
            *pos = start;
            decode(buf, pos)?;
            return invalid("[]interface {}");
        }
        Head::Map(_) => {
            *pos = start;
            decode(buf, pos)?;
            return invalid("map[interface {}]interface {}");
        }
        Head::Float(f) if f.is_nan() => MapKey::NeverEqual,
        Head::Float(f) => MapKey::Float(if f == 0.0 { 0 } else { f.to_bits() }),
        Head::Simple(20) => MapKey::Bool(false),
        Head::Simple(21) => MapKey::Bool(true),
        Head::Simple(22 | 23) => MapKey::Nil,
        Head::Simple(n) => MapKey::Simple(n),
        Head::Tag(number) => {
            check_builtin_tag(number, buf, *pos)?;
            let content = *pos;
            match (number, head(buf, &mut { content })?) {
                (55799, _) if top => map_key_in(buf, pos, true)?,
                (0 | 1, _) => match go_time(buf, pos)? {
                    (nanos, Some(zone)) => MapKey::Time(nanos, zone),
                    // A zone of its own: equal to no other time.
                    (_, None) => MapKey::NeverEqual,
                },
                (2 | 3, _) => {
                    skip(buf, pos)?;
                    return invalid("big.Int");
                }
                (_, Head::Array(_) | Head::Map(_)) => {
                    decode(buf, pos)?;
                    return invalid("cbor.Tag");
                }
                _ => MapKey::Tag(number, Box::new(map_key_in(buf, pos, false)?)),
            }
        }
    })
}

/// go-cose `ensureCritical` on the value of `crit`.
fn critical(buf: &[u8], value: &GoValue<'_>, labels: &HashSet<Label>) -> Result<(), String> {
    let GoValue::Array(start) = *value else {
        return Err("invalid crit header".into());
    };
    let mut pos = start;
    let Ok(Head::Array(Some(n))) = head(buf, &mut pos) else {
        return Err("invalid crit header".into());
    };
    if n == 0 {
        return Err("empty crit header".into());
    }
    for _ in 0..n {
        let entry = pos;
        let label = match decode(buf, &mut pos)? {
            GoValue::Int(n) => Label::Int(n),
            GoValue::Text(s) => Label::Text(s.to_owned()),
            _ => {
                return Err(format!(
                    "require int / tstr type, got '{}': {}",
                    go_t(buf, entry),
                    go_v(buf, entry, false)
                ));
            }
        };
        if !labels.contains(&label) {
            return Err(format!("missing critical header: {label}"));
        }
    }
    Ok(())
}

/// go-cose's `Countersignature` at `start` (a `COSE_Signature`: an array of
/// three, protected header, unprotected header, non-empty signature), or a
/// list of them. (No tag can be there: the message's pass refused them.)
/// An error only when the item limit is passed.
fn is_countersignature(buf: &[u8], start: usize, items: &mut usize) -> Result<bool, String> {
    let mut one = |start: usize| -> Result<bool, String> {
        if buf.get(start) != Some(&0x83) {
            return Ok(false);
        }
        let mut pos = start + 1;
        let mut parts = [0; 3];
        for part in &mut parts {
            *part = pos;
            if skip(buf, &mut pos).is_err() {
                return Ok(false);
            }
        }
        let [protected, unprotected, signature] = parts;
        if !matches!(byte_string(buf, signature), Ok(Some(s)) if !s.is_empty()) {
            return Ok(false);
        }
        let decoded = headers(buf, protected, unprotected, items).is_ok();
        if *items > MAX_ITEMS {
            return Err(too_many_items());
        }
        Ok(decoded)
    };
    // `null` and `undefined` decode into a nil list, and into nil
    // elements of a list.
    let nil = |start: usize| matches!(buf.get(start), Some(0xf6 | 0xf7));
    if nil(start) || one(start)? {
        return Ok(true);
    }
    let mut pos = start;
    let Ok(Head::Array(Some(n))) = head(buf, &mut pos) else {
        return Ok(false);
    };
    for _ in 0..n {
        let element = pos;
        if skip(buf, &mut pos).is_err() || !(nil(element) || one(element)?) {
            return Ok(false);
        }
    }
    Ok(true)
}

const LABEL_ALG: i64 = 1;
const LABEL_CRIT: i64 = 2;
const LABEL_CONTENT_TYPE: i64 = 3;
const LABEL_KID: i64 = 4;
const LABEL_IV: i64 = 5;
const LABEL_PARTIAL_IV: i64 = 6;
const LABEL_COUNTER_SIGNATURE: i64 = 7;
const LABEL_COUNTER_SIGNATURE0: i64 = 9;
const LABEL_COUNTER_SIGNATURE_V2: i64 = 11;
const LABEL_COUNTER_SIGNATURE0_V2: i64 = 12;
const LABEL_TYPE: i64 = 16;

/// A header label as go-cose normalises it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Label {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Int(n) => write!(f, "{n}"),
            Label::Text(s) => f.write_str(s),
        }
    }
}

enum HeaderError {
    /// A decoding error (fxamacker/cbor's text).
    Decode(String),
    /// go-cose's `validateHeaderParameters`.
    Parameter(String),
}

impl From<String> for HeaderError {
    fn from(e: String) -> Self {
        HeaderError::Decode(e)
    }
}

/// A key of a map inside a header value, as Go compares `interface{}`
/// keys.
#[derive(Debug, PartialEq, Eq, Hash)]
enum MapKey {
    Int(i64),
    Bytes(Vec<u8>),
    Text(String),
    /// The bits of a float64 that is not NaN (`-0` folded into `0`).
    Float(u64),
    /// NaN, or a time in a zone of its own: never equal to another key.
    NeverEqual,
    Bool(bool),
    /// `null` and `undefined` are both Go's `nil`.
    Nil,
    Simple(u8),
    /// A time, in nanoseconds since the epoch, and its zone: Go compares
    /// the instant and the zone.
    Time(i128, TimeZone),
    /// Another tag: its number and content.
    Tag(u64, Box<MapKey>),
}

/// go-cose `validateHeaderParameters` for one label it knows.
fn header_parameter(
    buf: &[u8],
    label: i64,
    value: &GoValue<'_>,
    labels: &HashSet<Label>,
    protected: bool,
) -> Result<(), String> {
    let has = |l: i64| labels.contains(&Label::Int(l));
    let not_allowed = |name: &str| Err(format!("header parameter: {name}: not allowed"));
    match label {
        LABEL_ALG if !matches!(value, GoValue::Int(_) | GoValue::Text(_)) => {
            return Err("header parameter: alg: require int / tstr type".into());
        }
        LABEL_CRIT => {
            if !protected {
                return not_allowed("crit");
            }
            critical(buf, value, labels).map_err(|e| format!("header parameter: crit: {e}"))?;
        }
        LABEL_TYPE => media_type("type", value)?,
        LABEL_CONTENT_TYPE => media_type("content type", value)?,
        LABEL_KID if !matches!(value, GoValue::Bytes) => {
            return Err("header parameter: kid: require bstr type".into());
        }
        LABEL_IV | LABEL_PARTIAL_IV => {
            if !matches!(value, GoValue::Bytes) {
                let name = if label == LABEL_IV {
                    "IV"
                } else {
                    "Partial IV"
                };
                return Err(format!("header parameter: {name}: require bstr type"));
            }
            if has(LABEL_IV) && has(LABEL_PARTIAL_IV) {
                return Err(
                    "header parameter: IV and PartialIV: parameters must not both be present"
                        .into(),
                );
            }
        }
        LABEL_COUNTER_SIGNATURE if protected => return not_allowed("counter signature"),
        LABEL_COUNTER_SIGNATURE_V2 if protected => {
            return not_allowed("Countersignature version 2");
        }
        LABEL_COUNTER_SIGNATURE0 | LABEL_COUNTER_SIGNATURE0_V2 => {
            let name = if label == LABEL_COUNTER_SIGNATURE0 {
                "countersignature0"
            } else {
                "Countersignature0 version 2"
            };
            if protected {
                return not_allowed(name);
            }
            if !matches!(value, GoValue::Bytes) {
                return Err(format!("header parameter: {name}: require bstr type"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// go-cose's rule for `typ` and `content type`: a text `type/subtype`, or
/// an unsigned integer.
fn media_type(name: &str, value: &GoValue<'_>) -> Result<(), String> {
    match value {
        GoValue::Int(n) if *n >= 0 => Ok(()),
        GoValue::Text(v) => {
            if v.is_empty() {
                Err(format!(
                    "header parameter: {name}: require non-empty string"
                ))
            } else if v.starts_with(' ') || v.ends_with(' ') {
                Err(format!(
                    "header parameter: {name}: require no leading/trailing whitespace"
                ))
            } else if v.matches('/').count() != 1 {
                Err(format!(
                    "header parameter: {name}: require text of form type/subtype"
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(format!(
            "header parameter: {name}: require tstr / uint type"
        )),
    }
}
