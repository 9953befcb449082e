//! What the `der` crate leaves to us: Go-compatible error texts for its
//! errors, the structural pre-check that reproduces the messages of the
//! reference's BER converter, and the text of a `genTime` with fractional
//! seconds. The decimal rendering of big INTEGERs is shared with the
//! revocation module ([`crate::asn1util::integer_to_decimal`]).
//!
//! All decoding and encoding goes through `der` (see [`super::elements`]);
//! nothing here reads tag or length octets by hand.
//!
//! Error texts follow Go's `encoding/asn1` ("asn1: syntax error: …",
//! "asn1: structure error: …") because the reference prints them and
//! Notation's golden `inspect` output contains them.

use std::fmt;

use der::{Decode, Encode, ErrorKind, Length, Reader, SliceReader, Tag};
use time::{Date, Month, OffsetDateTime, Time};

pub(crate) use crate::asn1util::integer_to_decimal;

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

    /// Maps an error of the `der` crate, met while decoding `input`, to the
    /// text Go's `encoding/asn1` gives for the same fault.
    ///
    /// `der` reports both "an element is longer than what holds it" and "a
    /// SEQUENCE ended before a required field" as
    /// [`ErrorKind::Incomplete`]; Go says "data truncated" for the first and
    /// "sequence truncated" for the second. Which one it is follows from
    /// whether every element of `input` fits its container, which
    /// [`walk_elements`] checks with `der`'s own header decoder.
    pub(crate) fn from_der(err: der::Error, input: &[u8]) -> Self {
        match err.kind() {
            ErrorKind::Incomplete { .. } => {
                if walk_elements(input).is_ok() {
                    Self::syntax("sequence truncated")
                } else {
                    Self::syntax("data truncated")
                }
            }
            ErrorKind::TagUnexpected {
                expected: Some(expected),
                actual,
            } => Self::structure(format!(
                "tags don't match (expected {}, found {})",
                tag_name(expected),
                tag_name(actual)
            )),
            ErrorKind::TagUnexpected {
                expected: None,
                actual,
            } => Self::structure(format!(
                "tags don't match (found unexpected {})",
                tag_name(actual)
            )),
            // A required context-specific field carried another tag number.
            ErrorKind::Value {
                tag: tag @ Tag::ContextSpecific { .. },
            } => Self::structure(format!("tags don't match (expected {})", tag_name(tag))),
            ErrorKind::Value { tag } => {
                Self::structure(format!("invalid value for {}", tag_name(tag)))
            }
            ErrorKind::IndefiniteLength => Self::syntax("indefinite length found (not DER)"),
            // Header::decode reports over-long and non-minimal length
            // octets as the tag's length error.
            ErrorKind::Length { tag } => {
                Self::structure(format!("invalid length of {} (not DER)", tag_name(tag)))
            }
            ErrorKind::Noncanonical { tag } => Self::structure(format!(
                "{} not canonically encoded (not DER)",
                tag_name(tag)
            )),
            ErrorKind::Overlength | ErrorKind::Overflow => Self::structure("length too large"),
            ErrorKind::TrailingData { .. } => Self::syntax("trailing data"),
            ErrorKind::OidMalformed => Self::structure("invalid object identifier"),
            ErrorKind::TagNumberInvalid => {
                // No structure of CMS or RFC 3161 uses high tag numbers.
                Self::structure("high-tag-number form is not supported")
            }
            ErrorKind::TagUnknown { byte } => Self::structure(format!(
                "tags don't match (found universal tag 0x{byte:02x}, which DER decoding does not support)"
            )),
            ErrorKind::NestingDepth => Self::structure("nesting too deep"),
            ErrorKind::Utf8(_) => Self::syntax("invalid UTF-8 string"),
            ErrorKind::DateTime => Self::syntax("invalid time"),
            other => Self::structure(other.to_string()),
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

/// Short tag names, `[n]` for context-specific tags as ASN.1 modules write
/// them.
fn tag_name(tag: Tag) -> String {
    match tag {
        Tag::ContextSpecific { number, .. } => format!("[{number}]"),
        Tag::Application { number, .. } => format!("[APPLICATION {number}]"),
        Tag::Private { number, .. } => format!("[PRIVATE {number}]"),
        other => other.to_string(),
    }
}

/// Deepest nesting the structural walks follow. Real tokens nest about
/// twenty levels; the limit keeps hostile input from growing the stack of
/// readers.
const MAX_NESTING: usize = 64;

/// Which text a failed header maps to: the reference's BER converter's
/// (the pre-check) or Go's `encoding/asn1` (classifying a DER failure).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Texts {
    Ber,
    Der,
}

/// Walks the element tree the way the reference's BER-to-DER converter does
/// before it parses a CMS structure, with the same error texts, so that a
/// token that is not even well-formed fails with the reference's message
/// (the golden `inspect` output quotes "decoding BER length octets: short
/// form length octets value should be less or equal to the subsequent octets
/// length").
///
/// Headers are read by `der` in DER mode, so this walk is stricter than the
/// converter: indefinite lengths (which the converter also refuses), and
/// length octets that are not minimal, fail here already; the reference
/// would convert the latter and parse on.
pub(crate) fn check_ber_structure(data: &[u8]) -> Result<()> {
    if data.is_empty() {
        return Err(Asn1Error::syntax(
            "BER-encoded ASN.1 data structures is empty",
        ));
    }
    let mut top = reader(data)?;
    let (constructed, length) = read_header(&mut top, Texts::Ber)?;
    // The converter checks that the element fits before it compares the
    // element with the whole input.
    check_fits(length, top.remaining_len(), Texts::Ber)?;
    if length != top.remaining_len() {
        return Err(Asn1Error::syntax(format!(
            "decoding BER: length octets value {length} does not match with content length {}",
            top.remaining_len()
        )));
    }
    if constructed {
        walk_contents(&mut top, length, Texts::Ber)?;
    }
    Ok(())
}

/// Checks that `data` is a sequence of DER elements each of which, at every
/// depth, fits the element that holds it.
pub(crate) fn walk_elements(data: &[u8]) -> Result<()> {
    let mut top = reader(data)?;
    let length = top.remaining_len();
    walk_contents(&mut top, length, Texts::Der)
}

fn truncated() -> Asn1Error {
    Asn1Error::syntax("data truncated")
}

fn reader(data: &[u8]) -> Result<SliceReader<'_>> {
    SliceReader::new(data).map_err(|_| Asn1Error::structure("length too large"))
}

/// Walks the next `length` octets of `outer` as a list of elements, and
/// the contents of every constructed one, without recursion.
fn walk_contents(outer: &mut SliceReader<'_>, length: Length, texts: Texts) -> Result<()> {
    let contents = outer.read_slice(length).map_err(|_| truncated())?;
    let mut stack = vec![reader(contents)?];
    while let Some(current) = stack.last_mut() {
        if current.is_finished() {
            stack.pop();
            continue;
        }
        let (constructed, length) = read_header(current, texts)?;
        check_fits(length, current.remaining_len(), texts)?;
        let contents = current.read_slice(length).map_err(|_| truncated())?;
        if constructed {
            if stack.len() >= MAX_NESTING {
                return Err(Asn1Error::structure(match texts {
                    Texts::Ber => "decoding BER: nesting too deep",
                    Texts::Der => "nesting too deep",
                }));
            }
            stack.push(reader(contents)?);
        }
    }
    Ok(())
}

/// Reads identifier and length octets with `der`'s decoders, one at a time
/// so that a failure can be told apart as the converter does. Returns
/// whether the element is constructed, and its length.
fn read_header(r: &mut SliceReader<'_>, texts: Texts) -> Result<(bool, Length)> {
    let ber = texts == Texts::Ber;
    // Decoded on a copy: a failed reader refuses further reads.
    let mut identifier = r.clone();
    let constructed = match Tag::decode(&mut identifier) {
        Ok(tag) => {
            *r = identifier;
            tag.is_constructed()
        }
        // The converter accepts any identifier; `der` knows the universal
        // types only. Such an identifier is one octet (a multi-octet one is
        // `TagNumberInvalid`): pass over it and leave its contents to the
        // DER decoder, which refuses it where it matters. (Lengths are what
        // the walks check.)
        Err(e) if matches!(e.kind(), ErrorKind::TagUnknown { .. }) => {
            r.read_byte().map_err(|_| truncated())?;
            false
        }
        // At least one octet was there: a multi-octet tag number ran out.
        Err(e) if matches!(e.kind(), ErrorKind::Incomplete { .. }) => {
            return Err(Asn1Error::syntax(if ber {
                "decoding BER identifier octets: high-tag-number form with early EOF"
            } else {
                "truncated tag or length"
            }));
        }
        Err(e) => return Err(Asn1Error::from_der(e, &[])),
    };
    if r.is_finished() {
        return Err(if ber {
            Asn1Error::syntax(
                "decoding BER identifier octets: early EOF due to missing length and content octets",
            )
        } else {
            Asn1Error::syntax("truncated tag or length")
        });
    }
    let length = Length::decode(r).map_err(|e| match e.kind() {
        ErrorKind::IndefiniteLength if ber => {
            Asn1Error::structure("decoding BER length octets: indefinite length not supported")
        }
        ErrorKind::Incomplete { .. } if ber => {
            Asn1Error::syntax("decoding BER length octets: long form length octets with early EOF")
        }
        ErrorKind::Incomplete { .. } => Asn1Error::syntax("truncated tag or length"),
        // `der` refuses more than four length octets and non-minimal ones
        // alike (X.690 §10.1).
        ErrorKind::Overlength if ber => Asn1Error::structure(
            "decoding BER length octets: length octets must be minimal and at most 4 bytes (DER)",
        ),
        _ => Asn1Error::from_der(e, &[]),
    })?;
    Ok((constructed, length))
}

/// Whether an element of `length` fits the `remaining` octets, with the
/// converter's texts (which name the form the length was written in).
fn check_fits(length: Length, remaining: Length, texts: Texts) -> Result<()> {
    if texts == Texts::Ber && u32::from(length) > i32::MAX as u32 {
        return Err(Asn1Error::structure(format!(
            "decoding BER length octets: length {length} does not fit the memory space of int32"
        )));
    }
    if length <= remaining {
        return Ok(());
    }
    if texts == Texts::Der {
        return Err(Asn1Error::syntax("data truncated"));
    }
    // DER lengths are minimal, so a one-octet encoding is the short form.
    let short_form = length.encoded_len().is_ok_and(|n| n == Length::ONE);
    Err(Asn1Error::syntax(if short_form {
        "decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length"
    } else if remaining.is_zero() {
        // The converter wants at least one octet after long-form length
        // octets before it compares the value.
        "decoding BER length octets: long form length octets with early EOF"
    } else {
        "decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length"
    }))
}

/// Parses decimal digits of a time string.
fn digits(s: &[u8], what: &str) -> Result<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(Asn1Error::syntax(format!("invalid {what}")));
    }
    Ok(s.iter().fold(0u32, |acc, &d| acc * 10 + (d - b'0') as u32))
}

fn build_time(year: i32, fields: [u32; 5], nanos: u32, what: &str) -> Result<OffsetDateTime> {
    let invalid = || Asn1Error::syntax(format!("invalid {what}"));
    let [month, day, hour, minute, second] = fields;
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
/// This is the text inside the element, not its encoding: `der` reads the
/// element, but its `GeneralizedTime` rejects the fractional seconds RFC
/// 3161 §2.4.2 allows in `genTime` (the range is built from genTime at
/// full precision). The fraction must not end in `0` and the time must be
/// in UTC, as DER requires; Go's parser enforces the same by re-serialising
/// (at most nine fractional digits, nanosecond precision).
// Requirements: O4.
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

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{AnyRef, OctetStringRef};
    use time::macros::datetime;

    /// DER of one element, encoded by `der`.
    fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
        AnyRef::new(tag, content).unwrap().to_der().unwrap()
    }

    fn decode_error(input: &[u8]) -> String {
        let err = <&OctetStringRef>::from_der(input).unwrap_err();
        Asn1Error::from_der(err, input).to_string()
    }

    #[test]
    fn der_errors_map_to_go_texts() {
        let cases: [(&[u8], &str); 7] = [
            (
                &[0x04, 0x81, 0x01, 0x00],
                "asn1: structure error: invalid length of OCTET STRING (not DER)",
            ),
            (
                &[0x04, 0x82, 0x00, 0x80],
                "asn1: structure error: invalid length of OCTET STRING (not DER)",
            ),
            (
                &[0x30, 0x80, 0x00, 0x00],
                "asn1: syntax error: indefinite length found (not DER)",
            ),
            (
                &[0x04, 0x85, 1, 1, 1, 1, 1],
                "asn1: structure error: invalid length of OCTET STRING (not DER)",
            ),
            (&[0x04, 0x05, 0x00], "asn1: syntax error: data truncated"),
            (
                &[0x02, 0x01, 0x05],
                "asn1: structure error: tags don't match (expected OCTET STRING, found INTEGER)",
            ),
            (&[0x04, 0x00, 0x00], "asn1: syntax error: trailing data"),
        ];
        for (input, want) in cases {
            assert_eq!(decode_error(input), want, "{input:02x?}");
        }
        // A SEQUENCE that ends before a required field: Go's "sequence
        // truncated", told apart from an element that does not fit.
        let incomplete: der::Error = ErrorKind::Incomplete {
            expected_len: Length::ONE,
            actual_len: Length::ZERO,
        }
        .into();
        assert_eq!(
            Asn1Error::from_der(incomplete, &[0x30, 0x00]).to_string(),
            "asn1: syntax error: sequence truncated"
        );
        assert_eq!(
            Asn1Error::from_der(incomplete, &[0x30, 0x03, 0x02]).to_string(),
            "asn1: syntax error: data truncated"
        );
    }

    #[test]
    fn integers_render_like_go_big_int() {
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
        // The other texts of the converter.
        assert_eq!(
            check_ber_structure(&[0x30]).unwrap_err().to_string(),
            "asn1: syntax error: decoding BER identifier octets: early EOF due to missing length and content octets"
        );
        assert_eq!(
            check_ber_structure(&[0x30, 0x82, 0x01])
                .unwrap_err()
                .to_string(),
            "asn1: syntax error: decoding BER length octets: long form length octets with early EOF"
        );
        assert_eq!(
            check_ber_structure(&[0x30, 0x81, 0x80, 0x00])
                .unwrap_err()
                .to_string(),
            "asn1: syntax error: decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length"
        );
        assert_eq!(
            check_ber_structure(&[0xbf, 0x81]).unwrap_err().to_string(),
            "asn1: syntax error: decoding BER identifier octets: high-tag-number form with early EOF"
        );
        // Identifiers `der` does not know are passed over, as the converter
        // does: PEM given as a token fails with the reference's message.
        let pem = [&b"-----BEGIN CMS-----\n"[..], &[b'A'; 64], b"\n"].concat();
        assert_eq!(
            check_ber_structure(&pem).unwrap_err().to_string(),
            "asn1: syntax error: decoding BER: length octets value 45 does not match with content length 83"
        );
        // Nested elements are walked too.
        assert_eq!(
            check_ber_structure(&[0x30, 0x02, 0x04, 0x05])
                .unwrap_err()
                .to_string(),
            "asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length"
        );
        // Deep nesting is refused without recursion.
        let mut deep = tlv(Tag::Null, &[]);
        for _ in 0..100 {
            deep = tlv(Tag::Sequence, &deep);
        }
        assert_eq!(
            check_ber_structure(&deep).unwrap_err().to_string(),
            "asn1: structure error: decoding BER: nesting too deep"
        );
    }

    #[test]
    fn element_walk_classifies_truncation() {
        assert!(walk_elements(&[0x30, 0x03, 0x02, 0x01, 0x05, 0x05, 0x00]).is_ok());
        assert!(walk_elements(&[]).is_ok());
        assert_eq!(
            walk_elements(&[0x30, 0x03, 0x02, 0x02, 0x05])
                .unwrap_err()
                .to_string(),
            "asn1: syntax error: data truncated"
        );
        assert_eq!(
            walk_elements(&[0x30, 0x01, 0x02]).unwrap_err().to_string(),
            "asn1: syntax error: truncated tag or length"
        );
    }
}
