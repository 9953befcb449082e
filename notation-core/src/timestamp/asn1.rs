//! The little DER that RFC 3161 and CMS need: a strict reader that keeps the
//! original bytes of every element (CMS signatures cover bytes as they were
//! sent), the generalized-time parser that `der` lacks (fractional seconds),
//! an encoder for requests, and a structural pre-check that reproduces the
//! errors of the Go reference's BER converter so that messages line up.
//!
//! Error texts follow Go's `encoding/asn1` ("asn1: syntax error: …",
//! "asn1: structure error: …") because the reference prints them and
//! Notation's golden `inspect` output contains them.

use std::fmt;

use const_oid::ObjectIdentifier;
use time::{Date, Month, OffsetDateTime, Time};

/// Universal and context tags used by CMS and RFC 3161.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[n]` primitive (IMPLICIT on a primitive type).
    pub const fn context(n: u8) -> u8 {
        0x80 | n
    }
    /// `[n]` constructed (EXPLICIT, or IMPLICIT on a constructed type).
    pub const fn context_constructed(n: u8) -> u8 {
        0xa0 | n
    }
}

/// Which of Go's two ASN.1 error kinds a failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asn1ErrorKind {
    /// Malformed encoding (`asn1: syntax error`).
    Syntax,
    /// Well-formed encoding of the wrong shape (`asn1: structure error`).
    Structure,
}

/// An ASN.1 decoding failure, rendered like Go's `encoding/asn1` errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asn1Error {
    kind: Asn1ErrorKind,
    message: String,
}

impl Asn1Error {
    pub(crate) fn syntax(message: impl Into<String>) -> Self {
        Self {
            kind: Asn1ErrorKind::Syntax,
            message: message.into(),
        }
    }

    pub(crate) fn structure(message: impl Into<String>) -> Self {
        Self {
            kind: Asn1ErrorKind::Structure,
            message: message.into(),
        }
    }

    /// Syntax or structure.
    pub fn kind(&self) -> Asn1ErrorKind {
        self.kind
    }

    /// The message without the `asn1: … error:` prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Asn1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Asn1ErrorKind::Syntax => write!(f, "asn1: syntax error: {}", self.message),
            Asn1ErrorKind::Structure => write!(f, "asn1: structure error: {}", self.message),
        }
    }
}

impl std::error::Error for Asn1Error {}

pub(crate) type Result<T> = std::result::Result<T, Asn1Error>;

/// One element: its tag, its whole encoding and its contents.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    /// Tag, length and contents, exactly as encoded.
    pub raw: &'a [u8],
    /// The contents octets.
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// A reader over the contents of a constructed element.
    pub fn reader(&self) -> DerReader<'a> {
        DerReader::new(self.value)
    }
}

fn tag_name(tag: u8) -> String {
    match tag {
        tag::BOOLEAN => "BOOLEAN".into(),
        tag::INTEGER => "INTEGER".into(),
        tag::BIT_STRING => "BIT STRING".into(),
        tag::OCTET_STRING => "OCTET STRING".into(),
        tag::NULL => "NULL".into(),
        tag::OID => "OBJECT IDENTIFIER".into(),
        tag::UTF8_STRING => "UTF8String".into(),
        tag::UTC_TIME => "UTCTime".into(),
        tag::GENERALIZED_TIME => "GeneralizedTime".into(),
        tag::SEQUENCE => "SEQUENCE".into(),
        tag::SET => "SET".into(),
        t if t & 0xc0 == 0x80 => format!("[{}]", t & 0x1f),
        t => format!("tag 0x{t:02x}"),
    }
}

/// A strict DER reader over a byte slice: definite, minimal lengths only.
#[derive(Clone, Debug)]
pub(crate) struct DerReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> DerReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Reads the next element, whatever its tag.
    pub fn read_any(&mut self) -> Result<Tlv<'a>> {
        let start = self.pos;
        let rest = &self.data[start..];
        let (&tag, after_tag) = rest
            .split_first()
            .ok_or_else(|| Asn1Error::syntax("sequence truncated"))?;
        if tag & 0x1f == 0x1f {
            // No structure of CMS or RFC 3161 uses high tag numbers.
            return Err(Asn1Error::structure(
                "high-tag-number form is not supported",
            ));
        }
        let (&first, mut after_len) = after_tag
            .split_first()
            .ok_or_else(|| Asn1Error::syntax("truncated tag or length"))?;
        let len = if first < 0x80 {
            first as usize
        } else if first == 0x80 {
            return Err(Asn1Error::syntax("indefinite length found (not DER)"));
        } else {
            let n = (first & 0x7f) as usize;
            if n > 4 {
                return Err(Asn1Error::structure("length too large"));
            }
            if after_len.len() < n {
                return Err(Asn1Error::syntax("truncated tag or length"));
            }
            let (octets, rest) = after_len.split_at(n);
            after_len = rest;
            if octets[0] == 0 {
                return Err(Asn1Error::structure("superfluous leading zeros in length"));
            }
            let len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | b as usize);
            if len < 0x80 {
                return Err(Asn1Error::structure("non-minimal length"));
            }
            len
        };
        if len > after_len.len() {
            return Err(Asn1Error::syntax("data truncated"));
        }
        let header_len = rest.len() - after_len.len();
        let end = start + header_len + len;
        let tlv = Tlv {
            tag,
            raw: &self.data[start..end],
            value: &self.data[start + header_len..end],
        };
        self.pos = end;
        Ok(tlv)
    }

    /// Reads the next element, which must carry `tag`.
    pub fn read(&mut self, expected: u8, what: &str) -> Result<Tlv<'a>> {
        match self.peek_tag() {
            // Go's text, without saying what is missing, so messages match.
            None => Err(Asn1Error::syntax("sequence truncated")),
            Some(t) if t != expected => Err(Asn1Error::structure(format!(
                "tags don't match (expected {} for {what}, found {})",
                tag_name(expected),
                tag_name(t)
            ))),
            Some(_) => self.read_any(),
        }
    }

    /// Reads the next element if it carries `tag`.
    pub fn read_optional(&mut self, expected: u8) -> Result<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(expected) {
            self.read_any().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails if anything is left.
    pub fn finish(&self, what: &str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Asn1Error::syntax(format!(
                "trailing data after {what} ({})",
                tag_name(self.data[self.pos])
            )))
        }
    }
}

/// Parses `data` as exactly one element with `tag`.
pub(crate) fn parse_single<'a>(data: &'a [u8], expected: u8, what: &str) -> Result<Tlv<'a>> {
    let mut r = DerReader::new(data);
    let tlv = r.read(expected, what)?;
    r.finish(what)?;
    Ok(tlv)
}

/// An OBJECT IDENTIFIER's value.
pub(crate) fn oid(tlv: &Tlv<'_>) -> Result<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(tlv.value)
        .map_err(|e| Asn1Error::structure(format!("invalid object identifier: {e}")))
}

/// Checks DER's minimal two's-complement INTEGER encoding and returns the
/// contents octets.
pub(crate) fn integer_bytes<'a>(tlv: &Tlv<'a>) -> Result<&'a [u8]> {
    let v = tlv.value;
    match v {
        [] => Err(Asn1Error::syntax("empty integer")),
        [0x00, next, ..] if *next < 0x80 => {
            Err(Asn1Error::structure("integer not minimally-encoded"))
        }
        [0xff, next, ..] if *next >= 0x80 => {
            Err(Asn1Error::structure("integer not minimally-encoded"))
        }
        _ => Ok(v),
    }
}

/// An INTEGER that fits an `i64`.
pub(crate) fn integer_i64(tlv: &Tlv<'_>) -> Result<i64> {
    let bytes = integer_bytes(tlv)?;
    if bytes.len() > 8 {
        return Err(Asn1Error::structure("integer too large"));
    }
    let negative = bytes[0] & 0x80 != 0;
    let mut value: i64 = if negative { -1 } else { 0 };
    for &b in bytes {
        value = (value << 8) | b as i64;
    }
    Ok(value)
}

/// A BOOLEAN as Go reads it (0x00 or 0xff only).
pub(crate) fn boolean(tlv: &Tlv<'_>) -> Result<bool> {
    match tlv.value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(Asn1Error::syntax("invalid boolean")),
    }
}

/// An OCTET STRING's contents (primitive form only, as DER requires).
pub(crate) fn octet_string<'a>(r: &mut DerReader<'a>, what: &str) -> Result<&'a [u8]> {
    Ok(r.read(tag::OCTET_STRING, what)?.value)
}

fn digits(s: &[u8], what: &str) -> Result<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(Asn1Error::syntax(format!("invalid {what}")));
    }
    Ok(s.iter().fold(0u32, |acc, &b| acc * 10 + (b - b'0') as u32))
}

/// A UTC time from `[month, day, hour, minute, second]`.
fn build_time(year: i32, fields: [u32; 5], nanos: u32, what: &str) -> Result<OffsetDateTime> {
    let [month, day, hour, minute, second] = fields;
    let invalid = || Asn1Error::syntax(format!("invalid {what}"));
    let month =
        Month::try_from(u8::try_from(month).map_err(|_| invalid())?).map_err(|_| invalid())?;
    let date = Date::from_calendar_date(year, month, u8::try_from(day).map_err(|_| invalid())?)
        .map_err(|_| invalid())?;
    let time = Time::from_hms_nano(
        u8::try_from(hour).map_err(|_| invalid())?,
        u8::try_from(minute).map_err(|_| invalid())?,
        u8::try_from(second).map_err(|_| invalid())?,
        nanos,
    )
    .map_err(|_| invalid())?;
    Ok(date.with_time(time).assume_utc())
}

/// Parses the contents of a DER GeneralizedTime: `YYYYMMDDhhmmss[.f+]Z`.
///
/// RFC 3161 §2.4.2 allows fractional seconds in `genTime` (`der`'s type
/// rejects them). The fraction must not end in `0` and the time must be in
/// UTC, as DER requires; Go's parser enforces the same by re-serialising
/// (at most nine fractional digits, nanosecond precision).
pub(crate) fn generalized_time(value: &[u8]) -> Result<OffsetDateTime> {
    const WHAT: &str = "GeneralizedTime";
    let invalid = || Asn1Error::syntax(format!("invalid {WHAT}"));
    let body = value.strip_suffix(b"Z").ok_or_else(|| {
        Asn1Error::syntax(format!(
            "invalid {WHAT}: time must be in UTC (end with 'Z')"
        ))
    })?;
    if body.len() < 14 {
        return Err(invalid());
    }
    let (main, fraction) = body.split_at(14);
    let nanos = match fraction {
        [] => 0,
        [b'.', f @ ..] => {
            if f.is_empty() || f.len() > 9 || f.last() == Some(&b'0') {
                return Err(invalid());
            }
            let n = digits(f, WHAT)?;
            n * 10u32.pow(9 - f.len() as u32)
        }
        _ => return Err(invalid()),
    };
    let field = |i: usize| digits(&main[i..i + 2], WHAT);
    build_time(
        digits(&main[0..4], WHAT)? as i32,
        [field(4)?, field(6)?, field(8)?, field(10)?, field(12)?],
        nanos,
        WHAT,
    )
}

/// Parses the contents of a DER UTCTime: `YYMMDDhhmmssZ`, years 1950-2049.
pub(crate) fn utc_time(value: &[u8]) -> Result<OffsetDateTime> {
    const WHAT: &str = "UTCTime";
    if value.len() != 13 || value[12] != b'Z' {
        return Err(Asn1Error::syntax(format!("invalid {WHAT}")));
    }
    let yy = digits(&value[0..2], WHAT)? as i32;
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    let field = |i: usize| digits(&value[i..i + 2], WHAT);
    build_time(
        year,
        [field(2)?, field(4)?, field(6)?, field(8)?, field(10)?],
        0,
        WHAT,
    )
}

/// A `Time` (UTCTime or GeneralizedTime), as in the signing-time attribute.
pub(crate) fn any_time(tlv: &Tlv<'_>) -> Result<OffsetDateTime> {
    match tlv.tag {
        tag::UTC_TIME => utc_time(tlv.value),
        tag::GENERALIZED_TIME => generalized_time(tlv.value),
        t => Err(Asn1Error::structure(format!(
            "tags don't match (expected UTCTime or GeneralizedTime, found {})",
            tag_name(t)
        ))),
    }
}

/// Deepest nesting the structural pre-check follows. Real tokens nest about
/// twenty levels; the limit keeps hostile input from growing the stack.
const MAX_NESTING: usize = 64;

/// Walks the element tree the way the reference's BER-to-DER converter does
/// before it parses a CMS structure, with the same error texts, so that a
/// token that is not even well-formed BER fails with the reference's
/// message (the golden `inspect` output quotes it). It accepts what the
/// converter accepts; DER strictness is enforced by the parser afterwards.
pub(crate) fn check_ber_structure(data: &[u8]) -> Result<()> {
    if data.is_empty() {
        return Err(Asn1Error::syntax(
            "BER-encoded ASN.1 data structures is empty",
        ));
    }
    let (constructed, content_len, rest) = ber_metadata(data)?;
    if rest.len() != content_len {
        return Err(Asn1Error::syntax(format!(
            "decoding BER: length octets value {content_len} does not match with content length {}",
            rest.len()
        )));
    }
    if !constructed {
        return Ok(());
    }
    let mut stack: Vec<&[u8]> = vec![rest];
    while let Some(top) = stack.last_mut() {
        if top.is_empty() {
            stack.pop();
            continue;
        }
        let (constructed, len, remaining) = ber_metadata(top)?;
        let (content, after) = remaining.split_at(len);
        *top = after;
        if constructed {
            if stack.len() >= MAX_NESTING {
                return Err(Asn1Error::structure("decoding BER: nesting too deep"));
            }
            stack.push(content);
        }
    }
    Ok(())
}

/// Identifier and length octets as the reference's BER decoder reads them.
fn ber_metadata(r: &[u8]) -> Result<(bool, usize, &[u8])> {
    let first = *r.first().ok_or_else(|| {
        Asn1Error::syntax("decoding BER identifier octets: identifier octets is empty")
    })?;
    let mut offset = 1;
    if first & 0x1f == 0x1f {
        while offset < r.len() && r[offset] & 0x80 == 0x80 {
            offset += 1;
        }
        if offset >= r.len() {
            return Err(Asn1Error::syntax(
                "decoding BER identifier octets: high-tag-number form with early EOF",
            ));
        }
        offset += 1;
    }
    if offset >= r.len() {
        return Err(Asn1Error::syntax(
            "decoding BER identifier octets: early EOF due to missing length and content octets",
        ));
    }
    let constructed = first & 0x20 != 0;
    let r = &r[offset..];
    let b = r[0];
    if b < 0x80 {
        let len = b as usize;
        if len > r.len() - 1 {
            return Err(Asn1Error::syntax(
                "decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length",
            ));
        }
        return Ok((constructed, len, &r[1..]));
    }
    if b == 0x80 {
        return Err(Asn1Error::structure(
            "decoding BER length octets: indefinite length not supported",
        ));
    }
    let n = (b & 0x7f) as usize;
    if n > 4 {
        return Err(Asn1Error::structure(format!(
            "decoding BER length octets: length of encoded data ({n} bytes) cannot exceed 4 bytes"
        )));
    }
    if 1 + n >= r.len() {
        return Err(Asn1Error::syntax(
            "decoding BER length octets: long form length octets with early EOF",
        ));
    }
    let len = r[1..1 + n]
        .iter()
        .fold(0u64, |acc, &x| (acc << 8) | x as u64);
    if len >> 31 > 0 {
        return Err(Asn1Error::structure(format!(
            "decoding BER length octets: length {len} does not fit the memory space of int32"
        )));
    }
    let len = len as usize;
    let rest = &r[1 + n..];
    if len > rest.len() {
        return Err(Asn1Error::syntax(
            "decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length",
        ));
    }
    Ok((constructed, len, rest))
}

/// DER encoding of one element.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// DER contents octets of a non-negative INTEGER given as a big-endian
/// magnitude (leading zeros allowed).
pub(crate) fn unsigned_integer_content(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let skip = magnitude.iter().take_while(|&&b| b == 0).count();
        &magnitude[skip..]
    };
    match trimmed.first() {
        None => vec![0],
        Some(&b) if b >= 0x80 => {
            let mut v = Vec::with_capacity(trimmed.len() + 1);
            v.push(0);
            v.extend_from_slice(trimmed);
            v
        }
        Some(_) => trimmed.to_vec(),
    }
}

/// Decimal rendering of a two's-complement big-endian INTEGER, as Go's
/// `big.Int.String()` prints serial numbers and nonces.
pub(crate) fn integer_to_decimal(content: &[u8]) -> String {
    let negative = content.first().is_some_and(|&b| b & 0x80 != 0);
    let mut magnitude: Vec<u8> = if negative {
        // Two's complement: invert and add one.
        let mut m: Vec<u8> = content.iter().map(|b| !b).collect();
        for b in m.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        m
    } else {
        content.to_vec()
    };
    let mut digits = Vec::new();
    while magnitude.iter().any(|&b| b != 0) {
        let mut rem = 0u32;
        for b in magnitude.iter_mut() {
            let cur = (rem << 8) | *b as u32;
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    if negative {
        digits.push(b'-');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn reader_rejects_non_der_lengths() {
        let cases: [(&[u8], &str); 6] = [
            (
                &[0x04, 0x81, 0x01, 0x00],
                "asn1: structure error: non-minimal length",
            ),
            (
                &[0x04, 0x82, 0x00, 0x80],
                "asn1: structure error: superfluous leading zeros in length",
            ),
            (
                &[0x30, 0x80, 0x00, 0x00],
                "asn1: syntax error: indefinite length found (not DER)",
            ),
            (
                &[0x04, 0x85, 1, 1, 1, 1, 1],
                "asn1: structure error: length too large",
            ),
            (&[0x04, 0x05, 0x00], "asn1: syntax error: data truncated"),
            (&[0x04], "asn1: syntax error: truncated tag or length"),
        ];
        for (input, want) in cases {
            let err = DerReader::new(input).read_any().unwrap_err();
            assert_eq!(err.to_string(), want, "{input:02x?}");
        }
    }

    #[test]
    fn reader_keeps_raw_bytes() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05, 0x04, 0x00];
        let mut r = DerReader::new(&data);
        let seq = r.read(tag::SEQUENCE, "seq").unwrap();
        assert_eq!(seq.raw, &data[..5]);
        let int = seq.reader().read(tag::INTEGER, "int").unwrap();
        assert_eq!(integer_i64(&int).unwrap(), 5);
        assert!(
            r.read(tag::INTEGER, "x")
                .unwrap_err()
                .to_string()
                .contains("tags don't match")
        );
    }

    #[test]
    fn integers() {
        let t = |v: &'static [u8]| Tlv {
            tag: tag::INTEGER,
            raw: v,
            value: v,
        };
        assert_eq!(integer_i64(&t(&[0xff])).unwrap(), -1);
        assert_eq!(integer_i64(&t(&[0x00, 0x80])).unwrap(), 128);
        assert!(integer_i64(&t(&[0x00, 0x01])).is_err());
        assert!(integer_i64(&t(&[0xff, 0x80])).is_err());
        assert!(integer_i64(&t(&[1; 9])).is_err());
        assert_eq!(integer_to_decimal(&[0x01, 0x00]), "256");
        assert_eq!(integer_to_decimal(&[0xff]), "-1");
        assert_eq!(integer_to_decimal(&[0x00]), "0");
        assert_eq!(
            integer_to_decimal(&[
                0x01, 0x00, 0x46, 0x69, 0x50, 0xa6, 0x04, 0xa9, 0xd9, 0x70, 0xe8, 0x1d, 0xd2, 0x4d,
                0x41, 0x9f
            ]),
            "1330656108373739981986522884865868191"
        );
        assert_eq!(unsigned_integer_content(&[0, 0, 0x80]), vec![0, 0x80]);
        assert_eq!(unsigned_integer_content(&[]), vec![0]);
        assert_eq!(unsigned_integer_content(&[0x7f, 0]), vec![0x7f, 0]);
    }

    #[test]
    fn generalized_times() {
        assert_eq!(
            generalized_time(b"20210917140910Z").unwrap(),
            datetime!(2021-09-17 14:09:10 UTC)
        );
        assert_eq!(
            generalized_time(b"20250121091746.641Z").unwrap(),
            datetime!(2025-01-21 09:17:46.641 UTC)
        );
        assert_eq!(
            generalized_time(b"20250121091746.123456789Z").unwrap(),
            datetime!(2025-01-21 09:17:46.123456789 UTC)
        );
        for bad in [
            &b"20210917140910"[..],
            b"20210917140910.Z",
            b"20210917140910.50Z",
            b"20210917140910.1234567891Z",
            b"20210917140910+0100",
            b"20211317140910Z",
            b"20210230140910Z",
            b"20210917240910Z",
            b"20210917140960Z",
            b"2021091714091Z",
            b"2021-9171409100Z",
        ] {
            assert!(
                generalized_time(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn utc_times() {
        assert_eq!(
            utc_time(b"240108060616Z").unwrap(),
            datetime!(2024-01-08 06:06:16 UTC)
        );
        assert_eq!(
            utc_time(b"500101000000Z").unwrap(),
            datetime!(1950-01-01 00:00:00 UTC)
        );
        assert!(utc_time(b"2401080606Z").is_err());
    }

    #[test]
    fn ber_precheck_matches_reference_messages() {
        assert_eq!(
            check_ber_structure(b"invalid\n").unwrap_err().to_string(),
            "asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length"
        );
        assert_eq!(
            check_ber_structure(b"").unwrap_err().to_string(),
            "asn1: syntax error: BER-encoded ASN.1 data structures is empty"
        );
        assert_eq!(
            check_ber_structure(&[0x30, 0x00, 0x00])
                .unwrap_err()
                .to_string(),
            "asn1: syntax error: decoding BER: length octets value 0 does not match with content length 1"
        );
        assert_eq!(
            check_ber_structure(&[0x30, 0x80, 0x00, 0x00])
                .unwrap_err()
                .to_string(),
            "asn1: structure error: decoding BER length octets: indefinite length not supported"
        );
        assert!(check_ber_structure(&[0x30, 0x03, 0x02, 0x01, 0x05]).is_ok());
        // Deep nesting is refused without recursion.
        let mut deep = encode(tag::NULL, &[]);
        for _ in 0..100 {
            deep = encode(tag::SEQUENCE, &deep);
        }
        assert_eq!(
            check_ber_structure(&deep).unwrap_err().to_string(),
            "asn1: structure error: decoding BER: nesting too deep"
        );
    }

    #[test]
    fn encoder_lengths() {
        assert_eq!(encode(0x04, &[1, 2]), vec![0x04, 0x02, 1, 2]);
        let long = vec![0u8; 300];
        let enc = encode(0x04, &long);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let mut r = DerReader::new(&enc);
        assert_eq!(r.read_any().unwrap().value.len(), 300);
    }
}
