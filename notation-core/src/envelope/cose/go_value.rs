//! The Go values fxamacker/cbor decodes header items into, as far as the
//! reference's behaviour shows them: integers as `int64`, text checked as
//! UTF-8, times (tags 0 and 1) as `time.Time`, and Go's formatting of the
//! values, `%v` ([`go_v`]: the reference's error texts and its printed
//! extended attributes) and `%T` ([`go_t`]).
// Requirements: D1.

use super::wellformed::{Head, head, skip};

/// Go's `int64(f)` of a whole float on amd64, the reference's platform:
/// a float outside the `int64` range becomes `math.MinInt64` (the
/// processor's "integer indefinite"), where Rust's `as` saturates.
pub(super) fn go_int64_of_float(f: f64) -> i64 {
    // -2^63 and 2^63: the range `as` converts exactly.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

/// go-cose decodes integers as Go `int64`s.
pub(super) fn int64(n: u64) -> Result<i64, String> {
    i64::try_from(n).map_err(|_| {
        format!(
            "cbor: cannot unmarshal positive integer into Go value of type int64 ({n} overflows Go's int64)"
        )
    })
}

pub(super) fn utf8(text: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(text).map_err(|_| "cbor: invalid UTF-8 string".to_string())
}

/// A tag 0 time, read as `time.Parse(time.RFC3339, text)` reads it.
fn time_text(text: &str) -> Result<time::OffsetDateTime, String> {
    crate::timefmt::parse_rfc3339(text).map_err(|_| {
        format!(
            "cbor: cannot set {text} for time.Time: {}",
            crate::timefmt::go_rfc3339_parse_error(text)
        )
    })
}

/// Go's `time.Location` of a decoded time, as far as `==` tells zones
/// apart: UTC (`Z`), or the local zone, which the reference's machines
/// are taken to run in UTC (`time.Unix`, and an offset of zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum TimeZone {
    Utc,
    Local,
}

/// Go's zero `time.Time`, in nanoseconds since the epoch.
const GO_ZERO_TIME_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

/// fxamacker/cbor's `parseToTime` on the content of tag 0 or 1 at `*pos`,
/// moving past it: the time in nanoseconds since the epoch and its zone
/// (`None`: a fixed zone of its own).
pub(super) fn go_time(buf: &[u8], pos: &mut usize) -> Result<(i128, Option<TimeZone>), String> {
    let overflow = |kind: &str, value: String| {
        format!(
            "cbor: cannot unmarshal {kind} integer into Go value of type time.Time ({value} overflows Go's int64)"
        )
    };
    Ok(match head(buf, pos)? {
        Head::Text(t) => {
            let text = utf8(t)?;
            let time = time_text(text)?;
            let zone = if text.ends_with('Z') {
                Some(TimeZone::Utc)
            } else if time.offset().is_utc() {
                Some(TimeZone::Local)
            } else {
                None
            };
            (time.unix_timestamp_nanos(), zone)
        }
        Head::Unsigned(n) => {
            if i64::try_from(n).is_err() {
                return Err(overflow("positive", n.to_string()));
            }
            (i128::from(n) * 1_000_000_000, Some(TimeZone::Local))
        }
        Head::Negative(n) => {
            if i64::try_from(n).is_err() {
                return Err(overflow("negative", format!("-{}", u128::from(n) + 1)));
            }
            ((-1 - i128::from(n)) * 1_000_000_000, Some(TimeZone::Local))
        }
        // NaN and the infinities are Go's zero time.
        Head::Float(f) if !f.is_finite() => (GO_ZERO_TIME_NANOS, Some(TimeZone::Utc)),
        Head::Float(f) => {
            // time.Unix(int64(seconds), int64(fraction*1e9)) of math.Modf.
            let seconds = f.trunc();
            let nanos = ((f - seconds) * 1e9) as i64;
            (
                i128::from(go_int64_of_float(seconds)) * 1_000_000_000 + i128::from(nanos),
                Some(TimeZone::Local),
            )
        }
        // check_builtin_tag let nothing else through.
        _ => return Err("cbor: cannot unmarshal into Go value of type time.Time".into()),
    })
}

/// Go's `%v` of the value fxamacker/cbor decodes the item at `start` into
/// (a map key when `as_key`: a byte string is then a string): for messages,
/// and for extended attributes as the reference CLI prints them.
pub(super) fn go_v(buf: &[u8], start: usize, as_key: bool) -> String {
    let mut pos = start;
    // Each element of an array or map, read in turn.
    let next = |pos: &mut usize, as_key: bool| -> (usize, String) {
        let at = *pos;
        if skip(buf, pos).is_err() {
            *pos = buf.len();
        }
        (at, go_v(buf, at, as_key))
    };
    let Ok(item) = head(buf, &mut pos) else {
        return String::new();
    };
    match item {
        Head::Unsigned(n) => n.to_string(),
        Head::Negative(n) if i64::try_from(n).is_ok() => (-1 - i128::from(n)).to_string(),
        // Past int64: a `big.Int`, printed as its struct (its String
        // method wants a pointer).
        Head::Negative(n) => go_big_int_v(true, &(u128::from(n) + 1).to_be_bytes()),
        Head::Bytes(b) if as_key => String::from_utf8_lossy(b).into_owned(),
        // One string, not one per byte: a byte string may be megabytes.
        Head::Bytes(b) => {
            use std::fmt::Write;
            let mut text = String::with_capacity(2 + 4 * b.len());
            text.push('[');
            for (i, byte) in b.iter().enumerate() {
                let sep = if i == 0 { "" } else { " " };
                let _ = write!(text, "{sep}{byte}");
            }
            text.push(']');
            text
        }
        Head::Text(t) => String::from_utf8_lossy(t).into_owned(),
        Head::Array(n) => {
            let items: Vec<String> = (0..n.unwrap_or(0))
                .map(|_| next(&mut pos, false).1)
                .collect();
            format!("[{}]", items.join(" "))
        }
        Head::Map(n) => {
            let mut pairs: Vec<(GoMapKey, String)> = (0..n.unwrap_or(0))
                .map(|_| {
                    let (at, key) = next(&mut pos, true);
                    let value = next(&mut pos, false).1;
                    (go_map_key(buf, at), format!("{key}:{value}"))
                })
                .collect();
            // fmt prints a map sorted by key.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let pairs: Vec<String> = pairs.into_iter().map(|(_, p)| p).collect();
            format!("map[{}]", pairs.join(" "))
        }
        Head::Float(f) => crate::json::go_float_v(f),
        Head::Simple(20) => "false".into(),
        Head::Simple(21) => "true".into(),
        Head::Simple(22 | 23) => "<nil>".into(),
        Head::Simple(n) => n.to_string(),
        Head::Tag(55799) => go_v(buf, pos, as_key),
        Head::Tag(0 | 1) => match go_time(buf, &mut { pos }) {
            Ok((nanos, _)) => time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
                .map(crate::timefmt::go_utc_string)
                .unwrap_or_else(|_| go_v(buf, pos, as_key)),
            Err(_) => go_v(buf, pos, as_key),
        },
        Head::Tag(tag @ (2 | 3)) => match head(buf, &mut { pos }) {
            Ok(Head::Bytes(b)) if tag == 2 => go_big_int_v(false, b),
            Ok(Head::Bytes(b)) => go_big_int_v(true, &big_plus_one(b)),
            _ => format!("{{{tag} {}}}", go_v(buf, pos, false)),
        },
        Head::Tag(number) => format!("{{{number} {}}}", go_v(buf, pos, false)),
    }
}

/// Go's `%v` of a `big.Int` value of magnitude `abs` (big-endian): its
/// fields, the sign and the 64-bit words of the magnitude, least
/// significant first (`{true [1 1]}` for -(2^64 + 1)).
fn go_big_int_v(negative: bool, abs: &[u8]) -> String {
    let abs = &abs[abs.iter().take_while(|&&b| b == 0).count()..];
    let words: Vec<String> = abs
        .rchunks(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word[8 - chunk.len()..].copy_from_slice(chunk);
            u64::from_be_bytes(word).to_string()
        })
        .collect();
    // Go's zero is not negative.
    let negative = negative && !abs.is_empty();
    format!("{{{negative} [{}]}}", words.join(" "))
}

/// `n + 1` for a big-endian magnitude (a tag 3 bignum is `-1 - n`).
fn big_plus_one(n: &[u8]) -> Vec<u8> {
    let mut out = n.to_vec();
    for byte in out.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            return out;
        }
    }
    out.insert(0, 1);
    out
}

/// How fmt orders a map key of `map[interface{}]interface{}`: nil first,
/// keys of one Go type by value (numbers as numbers, a NaN first; strings
/// and byte strings by their bytes; a tag by its number, then its content),
/// keys of different types by their type. Go compares the addresses of the
/// type descriptors in its binary there; the order of the variants is the
/// one a Go 1.19 program printing such maps shows (the reference's binary
/// may lay them out otherwise). Keys of no other type are left in document
/// order, after the rest.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum GoMapKey {
    Nil,
    Bool(bool),
    /// The float's order (see [`float_order`]).
    Float(i64),
    Int(i128),
    /// A `cbor.ByteString`.
    Bytes(Vec<u8>),
    /// A `cbor.SimpleValue`.
    Simple(u8),
    Text(Vec<u8>),
    /// A `cbor.Tag`: its number, then its content.
    Tag(u64, Box<GoMapKey>),
    /// A `time.Time`, in nanoseconds.
    Time(i128),
    Other(usize),
}

/// Go's order of float64s as fmt sorts map keys: a NaN first, then by
/// value (-0 equal to 0), as a signed integer.
fn float_order(f: f64) -> i64 {
    if f.is_nan() {
        return i64::MIN;
    }
    let f = if f == 0.0 { 0.0 } else { f };
    let bits = f.to_bits() as i64;
    // Negative floats order backwards by their bits: flip all but the sign.
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

fn go_map_key(buf: &[u8], at: usize) -> GoMapKey {
    let mut pos = at;
    match head(buf, &mut pos) {
        Ok(Head::Unsigned(n)) => GoMapKey::Int(i128::from(n)),
        Ok(Head::Negative(n)) => GoMapKey::Int(-1 - i128::from(n)),
        Ok(Head::Text(t)) => GoMapKey::Text(t.to_vec()),
        Ok(Head::Bytes(b)) => GoMapKey::Bytes(b.to_vec()),
        Ok(Head::Float(f)) => GoMapKey::Float(float_order(f)),
        Ok(Head::Simple(20)) => GoMapKey::Bool(false),
        Ok(Head::Simple(21)) => GoMapKey::Bool(true),
        Ok(Head::Simple(22 | 23)) => GoMapKey::Nil,
        Ok(Head::Simple(n)) => GoMapKey::Simple(n),
        Ok(Head::Tag(55799)) => go_map_key(buf, pos),
        Ok(Head::Tag(0 | 1)) => match go_time(buf, &mut { pos }) {
            Ok((nanos, _)) => GoMapKey::Time(nanos),
            Err(_) => GoMapKey::Other(at),
        },
        Ok(Head::Tag(number)) => GoMapKey::Tag(number, Box::new(go_map_key(buf, pos))),
        _ => GoMapKey::Other(at),
    }
}

/// Go's `%T` of the value fxamacker/cbor decodes the item at `start` into.
pub(super) fn go_t(buf: &[u8], start: usize) -> &'static str {
    let mut pos = start;
    match head(buf, &mut pos) {
        Ok(Head::Unsigned(_)) => "int64",
        Ok(Head::Negative(n)) if i64::try_from(n).is_ok() => "int64",
        Ok(Head::Negative(_) | Head::Tag(2 | 3)) => "big.Int",
        Ok(Head::Bytes(_)) => "[]uint8",
        Ok(Head::Text(_)) => "string",
        Ok(Head::Array(_)) => "[]interface {}",
        Ok(Head::Map(_)) => "map[interface {}]interface {}",
        Ok(Head::Float(_)) => "float64",
        Ok(Head::Simple(20 | 21)) => "bool",
        Ok(Head::Simple(22 | 23)) => "<nil>",
        Ok(Head::Simple(_)) => "cbor.SimpleValue",
        Ok(Head::Tag(55799)) => go_t(buf, pos),
        Ok(Head::Tag(0 | 1)) => "time.Time",
        Ok(Head::Tag(_)) => "cbor.Tag",
        Err(_) => "",
    }
}
