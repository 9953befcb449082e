//! The decoding rules the reference applies to a COSE_Sign1 message before
//! it reads a single header: go-cose v1.3.0 on fxamacker/cbor v2.8.0, with
//! go-cose's options (duplicate map keys, indefinite lengths and, outside
//! the protected header, tags are refused; integers are Go `int64`s).
//!
//! coset reads a message into ciborium values, which accept indefinite
//! lengths, tags anywhere, duplicate keys in nested maps, integers past
//! `int64` and more. None of the outer bytes are signed, so without these
//! rules anyone could re-encode a valid envelope into one that the
//! reference refuses and we accepted. [`check`] runs first and gives the
//! reference's error texts.
//!
//! Two passes, as in fxamacker/cbor: a well-formedness pass over the
//! bytes ([`parse`], which builds a borrowed item tree), then go-cose's
//! decoding of the message, its protected header (a byte string holding a
//! map, where tags are allowed) and its unprotected header.
// Requirements: D1, U (the limits are go-cose's).

use std::collections::HashSet;

use ciborium_ll::{Decoder, Header};

/// fxamacker/cbor's default nesting limit (the outer array is level 1).
const MAX_NESTED_LEVELS: usize = 32;
/// fxamacker/cbor's default limit on the declared size of an array or map.
const MAX_ELEMENTS: usize = 131_072;

/// One CBOR data item, borrowed from the message.
#[derive(Debug)]
struct Item<'a> {
    /// The item's own encoding, head and content.
    raw: &'a [u8],
    kind: Kind<'a>,
}

#[derive(Debug)]
enum Kind<'a> {
    Unsigned(u64),
    /// `-1 - n`.
    Negative(u64),
    Bytes(&'a [u8]),
    /// Not yet checked for UTF-8 (decoding does that).
    Text(&'a [u8]),
    Array(Vec<Item<'a>>),
    Map(Vec<(Item<'a>, Item<'a>)>),
    Tag(u64, Box<Item<'a>>),
    Float(f64),
    Simple(u8),
}

/// The well-formedness pass over one item at `*pos`: fxamacker/cbor's
/// `wellformed` with go-cose's options (`tags` false: any tag is refused).
/// Tags are not checked against their content here; decoding does that.
fn parse<'a>(buf: &'a [u8], pos: &mut usize, depth: usize, tags: bool) -> Result<Item<'a>, String> {
    let start = *pos;
    let rest = &buf[start..];
    if rest.is_empty() {
        return Err("unexpected EOF".into());
    }
    let mut decoder = Decoder::from(rest);
    let header = decoder.pull().map_err(|e| match e {
        ciborium_ll::Error::Io(_) => "unexpected EOF".to_string(),
        ciborium_ll::Error::Syntax(_) => invalid_additional_information(rest[0]),
    })?;
    let head_len = decoder.offset();
    *pos += head_len;
    let content = |pos: &mut usize, len: usize, what: &str| -> Result<&'a [u8], String> {
        if i64::try_from(len).is_err() {
            return Err(format!(
                "cbor: {what} length {len} is too large, causing integer overflow"
            ));
        }
        let end = pos
            .checked_add(len)
            .filter(|&end| end <= buf.len())
            .ok_or_else(|| "unexpected EOF".to_string())?;
        let bytes = &buf[*pos..end];
        *pos = end;
        Ok(bytes)
    };
    let kind = match header {
        Header::Positive(n) => Kind::Unsigned(n),
        Header::Negative(n) => Kind::Negative(n),
        Header::Float(f) => Kind::Float(f),
        Header::Simple(n) => {
            // A simple value below 32 must take one byte (`f8 14` is not
            // `false`).
            if head_len == 2 && n < 32 {
                return Err(format!(
                    "cbor: invalid simple value {n} for type primitives"
                ));
            }
            Kind::Simple(n)
        }
        Header::Break => return Err("cbor: unexpected \"break\" code".into()),
        Header::Bytes(None) => return Err(indefinite("byte string")),
        Header::Text(None) => return Err(indefinite("UTF-8 text string")),
        Header::Bytes(Some(len)) => Kind::Bytes(content(pos, len, "byte string")?),
        Header::Text(Some(len)) => Kind::Text(content(pos, len, "UTF-8 text string")?),
        Header::Array(len) => {
            let depth = nested(depth)?;
            let n = size(len, "array")?;
            // Each item takes a byte at least: no allocation past the input.
            let mut items = Vec::with_capacity(n.min(buf.len() - *pos));
            for _ in 0..n {
                items.push(parse(buf, pos, depth, tags)?);
            }
            Kind::Array(items)
        }
        Header::Map(len) => {
            let depth = nested(depth)?;
            let n = size(len, "map")?;
            let mut pairs = Vec::with_capacity(n.min((buf.len() - *pos) / 2));
            for _ in 0..n {
                let key = parse(buf, pos, depth, tags)?;
                let value = parse(buf, pos, depth, tags)?;
                pairs.push((key, value));
            }
            Kind::Map(pairs)
        }
        Header::Tag(number) => {
            if !tags {
                return Err("cbor: CBOR tag isn't allowed".into());
            }
            // A tag's content is at the tag's level, but each further tag
            // of a chain of tags is one level deeper.
            let depth = match buf.get(*pos) {
                None => return Err("unexpected EOF".into()),
                Some(next) if next >> 5 == 6 => nested(depth)?,
                Some(_) => depth,
            };
            Kind::Tag(number, Box::new(parse(buf, pos, depth, tags)?))
        }
    };
    Ok(Item {
        raw: &buf[start..*pos],
        kind,
    })
}

/// One level deeper, within fxamacker/cbor's limit.
fn nested(depth: usize) -> Result<usize, String> {
    if depth + 1 > MAX_NESTED_LEVELS {
        return Err(format!(
            "cbor: exceeded max nested level {MAX_NESTED_LEVELS}"
        ));
    }
    Ok(depth + 1)
}

/// The declared size of an array or map, after its level was counted.
fn size(len: Option<usize>, what: &str) -> Result<usize, String> {
    let n = len.ok_or_else(|| indefinite(what))?;
    if i64::try_from(n).is_err() {
        return Err(format!(
            "cbor: {what} length {n} is too large, it would cause integer overflow"
        ));
    }
    if n > MAX_ELEMENTS {
        return Err(if what == "map" {
            format!("cbor: exceeded max number of key-value pairs {MAX_ELEMENTS} for CBOR map")
        } else {
            format!("cbor: exceeded max number of elements {MAX_ELEMENTS} for CBOR array")
        });
    }
    Ok(n)
}

fn indefinite(what: &str) -> String {
    format!("cbor: indefinite-length {what} isn't allowed")
}

/// Additional information 28 to 30, or 31 on an integer or a tag.
fn invalid_additional_information(first: u8) -> String {
    format!(
        "cbor: invalid additional information {} for type {}",
        first & 0x1f,
        major_name(first)
    )
}

/// fxamacker/cbor's name of a major type.
fn major_name(first: u8) -> &'static str {
    match first >> 5 {
        0 => "positive integer",
        1 => "negative integer",
        2 => "byte string",
        3 => "UTF-8 text string",
        4 => "array",
        5 => "map",
        6 => "tag",
        _ => "primitives",
    }
}

/// The content fxamacker/cbor requires of the tags it knows, judged by the
/// content's first byte.
fn check_builtin_tag(number: u64, content: &Item<'_>) -> Result<(), String> {
    let first = content.raw[0];
    let major = first >> 5;
    let (ok, wanted) = match number {
        0 => (major == 3, "tag number 0 must be followed by text string"),
        1 => (
            major <= 1 || (0xf9..=0xfb).contains(&first),
            "tag number 1 must be followed by integer or floating-point number",
        ),
        2 | 3 => (
            major == 2,
            "tag number 2 or 3 must be followed by byte string",
        ),
        _ => (true, ""),
    };
    if ok {
        return Ok(());
    }
    Err(format!("cbor: {wanted}, got {}", major_name(first)))
}

/// Checks a tagged COSE_Sign1 message (starting `d2 84`) as go-cose
/// `Sign1Message.UnmarshalCBOR` does, with its error texts.
pub(super) fn check(message: &[u8]) -> Result<(), String> {
    let data = message
        .strip_prefix(&[0xd2])
        .filter(|rest| rest.starts_with(&[0x84]))
        .ok_or("cbor: invalid COSE_Sign1_Tagged object")?;
    let mut pos = 0;
    let outer = parse(data, &mut pos, 0, false)?;
    extraneous(data, pos)?;
    // The head `84` is an array of four.
    let Kind::Array(parts) = outer.kind else {
        return Err("cbor: invalid COSE_Sign1_Tagged object".into());
    };
    let Ok([protected, unprotected, payload, signature]) = <[Item; 4]>::try_from(parts) else {
        return Err("cbor: invalid COSE_Sign1_Tagged object".into());
    };
    byte_string(&payload)?;
    let signature = byte_string(&signature)?;
    if signature.is_none_or(<[u8]>::is_empty) {
        return Err("empty signature".into());
    }
    headers(&protected, &unprotected)
}

/// fxamacker/cbor's error for bytes after the first item; `at` counts from
/// the byte after the tag.
fn extraneous(data: &[u8], at: usize) -> Result<(), String> {
    if at < data.len() {
        return Err(format!(
            "cbor: {} bytes of extraneous data starting at index {at}",
            data.len() - at
        ));
    }
    Ok(())
}

/// go-cose's `byteString`: a byte string, or `null` for none.
fn byte_string<'a>(item: &Item<'a>) -> Result<Option<&'a [u8]>, String> {
    match item.kind {
        Kind::Bytes(b) => Ok(Some(b)),
        Kind::Simple(22) => Ok(None),
        _ => Err("cbor: require bstr type".into()),
    }
}

/// go-cose `Headers.UnmarshalFromRaw`: the protected header, the
/// unprotected header, then the IV rule across the two.
fn headers(protected: &Item<'_>, unprotected: &Item<'_>) -> Result<(), String> {
    let protected =
        protected_header(protected).map_err(|e| format!("cbor: invalid protected header: {e}"))?;
    let unprotected = unprotected_header(unprotected)
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
enum Label {
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

/// go-cose `ProtectedHeader.UnmarshalCBOR`; the labels present.
fn protected_header(item: &Item<'_>) -> Result<Vec<Label>, String> {
    let encoded = match item.kind {
        Kind::Bytes(b) => b,
        Kind::Simple(22) => return Err("cbor: nil protected header".into()),
        _ => return Err("cbor: require bstr type".into()),
    };
    if encoded.is_empty() {
        return Ok(Vec::new());
    }
    if encoded[0] >> 5 != 5 {
        return Err("cbor: protected header: require map type".into());
    }
    let mut pos = 0;
    let map = parse(encoded, &mut pos, 0, true)?;
    extraneous(encoded, pos)?;
    header_map(&map, true).map_err(|e| match e {
        HeaderError::Decode(e) => e,
        HeaderError::Parameter(e) => format!("protected header: {e}"),
    })
}

/// go-cose `UnprotectedHeader.UnmarshalCBOR`; the labels present.
fn unprotected_header(item: &Item<'_>) -> Result<Vec<Label>, String> {
    if !matches!(item.kind, Kind::Map(_)) {
        return Err("cbor: unprotected header: require map type".into());
    }
    header_map(item, false).map_err(|e| match e {
        HeaderError::Decode(e) => e,
        HeaderError::Parameter(e) => format!("unprotected header: {e}"),
    })
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

/// A header map: its labels (go-cose `validateHeaderLabelCBOR`), its values
/// decoded as Go values, then go-cose's rules for the labels it knows.
fn header_map(map: &Item<'_>, protected: bool) -> Result<Vec<Label>, HeaderError> {
    let Kind::Map(pairs) = &map.kind else {
        return Err(HeaderError::Decode("cbor: require map type".into()));
    };
    let mut labels: Vec<Label> = Vec::with_capacity(pairs.len());
    let mut seen: HashSet<Label> = HashSet::with_capacity(pairs.len());
    for (index, (key, _)) in pairs.iter().enumerate() {
        let label = header_label(key)?;
        if !seen.insert(label.clone()) {
            return Err(HeaderError::Decode(format!(
                "cbor: found duplicate map key \"{label}\" at map element index {index}"
            )));
        }
        labels.push(label);
    }
    let mut values: Vec<GoValue<'_>> = Vec::with_capacity(pairs.len());
    for (label, (_, value)) in labels.iter().zip(pairs) {
        let counter_signature = matches!(
            label,
            Label::Int(LABEL_COUNTER_SIGNATURE | LABEL_COUNTER_SIGNATURE_V2)
        );
        if counter_signature && !protected {
            if !is_countersignature(value) {
                return Err(HeaderError::Decode(
                    "invalid Countersignature object / list of objects".into(),
                ));
            }
            values.push(GoValue::CounterSignature);
        } else {
            values.push(decode(value)?);
        }
    }
    for (label, value) in labels.iter().zip(&values) {
        let Label::Int(label) = label else { continue };
        header_parameter(*label, value, &labels, protected).map_err(HeaderError::Parameter)?;
    }
    Ok(labels)
}

/// go-cose's `headerLabelValidator`: an `int64` or a text string (a
/// self-described CBOR tag is dropped first).
fn header_label(key: &Item<'_>) -> Result<Label, String> {
    let mut key = key;
    while let Kind::Tag(55799, inner) = &key.kind {
        key = inner;
    }
    match key.kind {
        Kind::Unsigned(n) => Ok(Label::Int(int64(n)?)),
        Kind::Negative(n) => match i64::try_from(n) {
            Ok(n) => Ok(Label::Int(-1 - n)),
            Err(_) => Err("cbor: header label: int key must not be higher than 1<<63 - 1".into()),
        },
        Kind::Text(t) => Ok(Label::Text(utf8(t)?.to_owned())),
        _ => Err("cbor: header label: require int / tstr type".into()),
    }
}

/// go-cose decodes integers as Go `int64`s.
fn int64(n: u64) -> Result<i64, String> {
    i64::try_from(n).map_err(|_| {
        format!(
            "cbor: cannot unmarshal positive integer into Go value of type int64 ({n} overflows Go's int64)"
        )
    })
}

fn utf8(text: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(text).map_err(|_| "cbor: invalid UTF-8 string".to_string())
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
    /// The decoded elements, with the items they came from.
    Array(Vec<(GoValue<'a>, &'a Item<'a>)>),
    /// A map, a float, a simple value, a time or another tag.
    Other,
    /// A counter signature that decoded.
    CounterSignature,
}

/// fxamacker/cbor's decoding of an item into an `interface{}`, with
/// go-cose's options.
fn decode<'a>(item: &'a Item<'a>) -> Result<GoValue<'a>, String> {
    Ok(match &item.kind {
        Kind::Unsigned(n) => GoValue::Int(int64(*n)?),
        Kind::Negative(n) => match i64::try_from(*n) {
            Ok(n) => GoValue::Int(-1 - n),
            Err(_) => GoValue::BigInt,
        },
        Kind::Bytes(_) => GoValue::Bytes,
        Kind::Text(t) => GoValue::Text(utf8(t)?),
        Kind::Array(items) => GoValue::Array(
            items
                .iter()
                .map(|i| decode(i).map(|v| (v, i)))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Map(pairs) => {
            let mut keys: HashSet<MapKey> = HashSet::with_capacity(pairs.len());
            for (index, (key, value)) in pairs.iter().enumerate() {
                let decoded = map_key(key)?;
                if decoded != MapKey::NaN && !keys.insert(decoded) {
                    return Err(format!(
                        "cbor: found duplicate map key \"{}\" at map element index {index}",
                        go_v(key, true)
                    ));
                }
                decode(value)?;
            }
            GoValue::Other
        }
        Kind::Tag(number, content) => {
            check_builtin_tag(*number, content)?;
            match (number, &content.kind) {
                // A self-described CBOR item is the item.
                (55799, _) => decode(content)?,
                (0, Kind::Text(t)) => {
                    time_text(utf8(t)?)?;
                    GoValue::Other
                }
                (2 | 3, _) => GoValue::BigInt,
                _ => {
                    decode(content)?;
                    GoValue::Other
                }
            }
        }
        Kind::Float(_) | Kind::Simple(_) => GoValue::Other,
    })
}

/// A tag 0 time, read as `time.Parse(time.RFC3339, text)` reads it.
fn time_text(text: &str) -> Result<time::OffsetDateTime, String> {
    crate::timefmt::parse_rfc3339(text)
        .map_err(|e| format!("cbor: cannot set {text} for time.Time: {e}"))
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
    /// NaN: never equal to another key.
    NaN,
    Bool(bool),
    /// `null` and `undefined` are both Go's `nil`.
    Nil,
    Simple(u8),
    /// A time, in nanoseconds since the epoch.
    Time(i128),
    /// Another tag: its number and content.
    Tag(u64, Box<MapKey>),
}

/// A key of a nested map as Go decodes it into an `interface{}`; keys Go
/// cannot put in a map are refused with its message.
fn map_key(key: &Item<'_>) -> Result<MapKey, String> {
    let invalid = |go_type: &str| Err(format!("cbor: invalid map key type: {go_type}"));
    Ok(match &key.kind {
        Kind::Unsigned(n) => MapKey::Int(int64(*n)?),
        Kind::Negative(n) => match i64::try_from(*n) {
            Ok(n) => MapKey::Int(-1 - n),
            Err(_) => return invalid("big.Int"),
        },
        Kind::Bytes(b) => MapKey::Bytes(b.to_vec()),
        Kind::Text(t) => MapKey::Text(utf8(t)?.to_owned()),
        Kind::Array(items) => {
            for item in items {
                decode(item)?;
            }
            return invalid("[]interface {}");
        }
        Kind::Map(_) => {
            decode(key)?;
            return invalid("map[interface {}]interface {}");
        }
        Kind::Float(f) if f.is_nan() => MapKey::NaN,
        Kind::Float(f) => MapKey::Float(if *f == 0.0 { 0 } else { f.to_bits() }),
        Kind::Simple(20) => MapKey::Bool(false),
        Kind::Simple(21) => MapKey::Bool(true),
        Kind::Simple(22 | 23) => MapKey::Nil,
        Kind::Simple(n) => MapKey::Simple(*n),
        Kind::Tag(number, content) => {
            check_builtin_tag(*number, content)?;
            match (number, &content.kind) {
                (55799, _) => map_key(content)?,
                (0, Kind::Text(t)) => MapKey::Time(time_text(utf8(t)?)?.unix_timestamp_nanos()),
                (1, Kind::Unsigned(n)) => MapKey::Time(i128::from(*n) * 1_000_000_000),
                (1, Kind::Negative(n)) => MapKey::Time((-1 - i128::from(*n)) * 1_000_000_000),
                (1, Kind::Float(f)) => MapKey::Time((f * 1e9) as i128),
                (2 | 3, _) => return invalid("big.Int"),
                (_, Kind::Array(_) | Kind::Map(_)) => {
                    decode(content)?;
                    return invalid("cbor.Tag");
                }
                _ => MapKey::Tag(*number, Box::new(map_key(content)?)),
            }
        }
    })
}

/// Go's `%v` of the value fxamacker/cbor decodes `item` into (a map key
/// when `as_key`: a byte string is then a string), for messages.
fn go_v(item: &Item<'_>, as_key: bool) -> String {
    match &item.kind {
        Kind::Unsigned(n) => n.to_string(),
        Kind::Negative(n) => (-1 - i128::from(*n)).to_string(),
        Kind::Bytes(b) if as_key => String::from_utf8_lossy(b).into_owned(),
        Kind::Bytes(b) => {
            let bytes: Vec<String> = b.iter().map(u8::to_string).collect();
            format!("[{}]", bytes.join(" "))
        }
        Kind::Text(t) => String::from_utf8_lossy(t).into_owned(),
        Kind::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| go_v(i, false)).collect();
            format!("[{}]", items.join(" "))
        }
        Kind::Map(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", go_v(k, true), go_v(v, false)))
                .collect();
            format!("map[{}]", pairs.join(" "))
        }
        Kind::Float(f) => go_float(*f),
        Kind::Simple(20) => "false".into(),
        Kind::Simple(21) => "true".into(),
        Kind::Simple(22 | 23) => "<nil>".into(),
        Kind::Simple(n) => n.to_string(),
        Kind::Tag(55799, content) => go_v(content, as_key),
        Kind::Tag(0 | 1, content) => {
            let time = match content.kind {
                Kind::Text(t) => std::str::from_utf8(t)
                    .ok()
                    .and_then(|t| crate::timefmt::parse_rfc3339(t).ok()),
                Kind::Unsigned(n) => i64::try_from(n)
                    .ok()
                    .and_then(|n| time::OffsetDateTime::from_unix_timestamp(n).ok()),
                Kind::Negative(n) => i64::try_from(n)
                    .ok()
                    .and_then(|n| time::OffsetDateTime::from_unix_timestamp(-1 - n).ok()),
                Kind::Float(f) => {
                    time::OffsetDateTime::from_unix_timestamp_nanos((f * 1e9) as i128).ok()
                }
                _ => None,
            };
            time.map(crate::timefmt::go_utc_string)
                .unwrap_or_else(|| go_v(content, as_key))
        }
        Kind::Tag(number, content) => format!("{{{number} {}}}", go_v(content, false)),
    }
}

/// Go's `%T` of the value fxamacker/cbor decodes `item` into.
fn go_t(item: &Item<'_>) -> &'static str {
    match &item.kind {
        Kind::Unsigned(_) => "int64",
        Kind::Negative(n) if i64::try_from(*n).is_ok() => "int64",
        Kind::Negative(_) | Kind::Tag(2 | 3, _) => "big.Int",
        Kind::Bytes(_) => "[]uint8",
        Kind::Text(_) => "string",
        Kind::Array(_) => "[]interface {}",
        Kind::Map(_) => "map[interface {}]interface {}",
        Kind::Float(_) => "float64",
        Kind::Simple(20 | 21) => "bool",
        Kind::Simple(22 | 23) => "<nil>",
        Kind::Simple(_) => "cbor.SimpleValue",
        Kind::Tag(55799, content) => go_t(content),
        Kind::Tag(0 | 1, _) => "time.Time",
        Kind::Tag(..) => "cbor.Tag",
    }
}

/// Go's `%v` of a float64: the shortest digits, with an exponent of at
/// least two digits below 1e-4 and from 1e6 on (`1e+06`, `1e-05`).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs());
    }
    f.to_string()
}

/// go-cose `validateHeaderParameters` for one label it knows.
fn header_parameter(
    label: i64,
    value: &GoValue<'_>,
    labels: &[Label],
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
            critical(value, labels).map_err(|e| format!("header parameter: crit: {e}"))?;
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

/// go-cose `ensureCritical`.
fn critical(value: &GoValue<'_>, labels: &[Label]) -> Result<(), String> {
    let GoValue::Array(entries) = value else {
        return Err("invalid crit header".into());
    };
    if entries.is_empty() {
        return Err("empty crit header".into());
    }
    for (entry, item) in entries {
        let label = match entry {
            GoValue::Int(n) => Label::Int(*n),
            GoValue::Text(s) => Label::Text((*s).to_owned()),
            _ => {
                return Err(format!(
                    "require int / tstr type, got '{}': {}",
                    go_t(item),
                    go_v(item, false)
                ));
            }
        };
        if !labels.contains(&label) {
            return Err(format!("missing critical header: {label}"));
        }
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

/// go-cose's `Countersignature` (a `COSE_Signature`: an array of three,
/// protected header, unprotected header, non-empty signature), or a list
/// of them.
fn is_countersignature(item: &Item<'_>) -> bool {
    let one = |item: &Item<'_>| -> bool {
        if !item.raw.starts_with(&[0x83]) {
            return false;
        }
        let Kind::Array(parts) = &item.kind else {
            return false;
        };
        let [protected, unprotected, signature] = &parts[..] else {
            return false;
        };
        // Decoded with tags forbidden.
        if contains_tag(item) {
            return false;
        }
        matches!(byte_string(signature), Ok(Some(s)) if !s.is_empty())
            && headers(protected, unprotected).is_ok()
    };
    if one(item) {
        return true;
    }
    match &item.kind {
        Kind::Array(list) => !contains_tag(item) && list.iter().all(one),
        _ => false,
    }
}

fn contains_tag(item: &Item<'_>) -> bool {
    match &item.kind {
        Kind::Tag(..) => true,
        Kind::Array(items) => items.iter().any(contains_tag),
        Kind::Map(pairs) => pairs
            .iter()
            .any(|(k, v)| contains_tag(k) || contains_tag(v)),
        _ => false,
    }
}
