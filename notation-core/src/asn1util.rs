//! Building blocks on top of `der` shared by the modules that parse signed
//! ASN.1 structures (timestamps, OCSP responses, CRLs), for what `der`'s
//! ready-made types do not give:
//!
//! - [`Element`]: an element kept exactly as it was encoded. Signatures
//!   cover bytes as they were sent (CMS signed attributes, an OCSP
//!   `tbsResponseData`, a `tbsCertList`), and a re-encoding could differ.
//!   Its contents are read later, or lazily (the revoked certificates of a
//!   32 MiB CRL are walked when a serial number is looked up).
//! - [`Contents`]: the same, for where `der` wants a value type.
//! - [`OidBytes`]: an OBJECT IDENTIFIER compared as bytes, never refused
//!   for its length (`der`'s `ObjectIdentifier` holds at most 39 octets).
//! - [`EnumeratedValue`]: an ENUMERATED read as a number, for enumerations
//!   whose unknown values must be reported or tolerated rather than refused.
//! - [`integer_to_decimal`]: INTEGERs printed as Go prints a `big.Int`.
//! - [`next_is`] and [`is_go_oid`]: what Go's cryptobyte answers when it
//!   peeks at a tag or reads an OBJECT IDENTIFIER, for parsers that follow
//!   Go's certificate parser step by step.
//!
//! Everything here decodes with `der`'s readers (`tlv_bytes`, `AnyRef`,
//! `Header`); no tag or length octet is interpreted by hand.

use std::marker::PhantomData;

use der::asn1::AnyRef;
use der::{
    Decode, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, SliceReader, Tag,
    TagNumber, Tagged, Writer,
};

/// An element of any tag, kept as encoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    der: &'a [u8],
    any: AnyRef<'a>,
}

impl<'a> Tlv<'a> {
    /// Tag, length and contents, exactly as encoded.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The contents octets.
    pub fn contents(&self) -> &'a [u8] {
        self.any.value()
    }
}

impl<'a> Decode<'a> for Tlv<'a> {
    type Error = der::Error;

    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let der = reader.tlv_bytes()?;
        let any = AnyRef::from_der(der)?;
        Ok(Self { der, any })
    }
}

impl Tagged for Tlv<'_> {
    fn tag(&self) -> Tag {
        self.any.tag()
    }
}

/// Re-encodes the same bytes: `der` accepted only minimal lengths.
impl EncodeValue for Tlv<'_> {
    fn value_len(&self) -> der::Result<Length> {
        self.any.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.any.encode_value(writer)
    }
}

/// The tag an [`Element`] must carry.
pub(crate) trait ElementTag {
    /// The tag.
    const TAG: Tag;
}

/// `SEQUENCE` / `SEQUENCE OF`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SequenceTag;

impl ElementTag for SequenceTag {
    const TAG: Tag = Tag::Sequence;
}

/// `SET` / `SET OF`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SetTag;

impl ElementTag for SetTag {
    const TAG: Tag = Tag::Set;
}

/// `[N]`, constructed: an EXPLICIT tag, or an IMPLICIT one on a constructed
/// type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ContextTag<const N: u32>;

impl<const N: u32> ElementTag for ContextTag<N> {
    const TAG: Tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(N),
    };
}

/// An element with the tag `K::TAG`, kept as encoded, its contents left
/// for the caller to decode. As a `SEQUENCE` field, `Option<Element<…>>`
/// is present exactly when the next element carries the tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Element<'a, K> {
    tlv: Tlv<'a>,
    tag: PhantomData<K>,
}

impl<'a, K> Element<'a, K> {
    /// Tag, length and contents, exactly as encoded.
    pub fn der(&self) -> &'a [u8] {
        self.tlv.der()
    }

    /// The contents octets.
    pub fn contents(&self) -> &'a [u8] {
        self.tlv.contents()
    }

    /// A reader over the contents (the elements of a SET OF or SEQUENCE
    /// OF, the fields of a SEQUENCE).
    pub fn reader(&self) -> der::Result<SliceReader<'a>> {
        SliceReader::new(self.contents())
    }
}

impl<K: ElementTag> FixedTag for Element<'_, K> {
    const TAG: Tag = K::TAG;
}

impl<'a, K: ElementTag + 'a> Decode<'a> for Element<'a, K> {
    type Error = der::Error;

    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let tlv = Tlv::decode(reader)?;
        tlv.tag().assert_eq(K::TAG)?;
        Ok(Self {
            tlv,
            tag: PhantomData,
        })
    }
}

impl<K> EncodeValue for Element<'_, K> {
    fn value_len(&self) -> der::Result<Length> {
        self.tlv.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.tlv.encode_value(writer)
    }
}

/// The contents octets of an element with the tag `K::TAG`, left for the
/// caller: the value form of [`Element`], for where `der` reads the header
/// itself and hands over the value (the alternatives of a derived CHOICE).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Contents<'a, K>(pub &'a [u8], PhantomData<K>);

impl<K: ElementTag> FixedTag for Contents<'_, K> {
    const TAG: Tag = K::TAG;
}

impl<'a, K: ElementTag> DecodeValue<'a> for Contents<'a, K> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        reader
            .read_slice(header.length())
            .map(|c| Self(c, PhantomData))
    }
}

impl<K> EncodeValue for Contents<'_, K> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

/// The contents octets of an OBJECT IDENTIFIER, compared as bytes.
///
/// `der`'s `ObjectIdentifier` refuses identifiers over 39 octets; where an
/// unknown identifier must only be compared or reported (the extensions of
/// a CRL or an OCSP response), such an identifier must not fail the whole
/// parse. Render it with [`OidBytes::dotted`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OidBytes<'a>(pub &'a [u8]);

impl OidBytes<'_> {
    /// Whether this is `oid`.
    pub fn is(&self, oid: &const_oid::ObjectIdentifier) -> bool {
        self.0 == oid.as_bytes()
    }

    /// Dotted form, or hex when the contents are not a valid identifier.
    pub fn dotted(&self) -> String {
        match const_oid::ObjectIdentifierRef::from_bytes(self.0) {
            Ok(oid) => oid.to_string(),
            Err(_) => crate::hex::encode(self.0),
        }
    }
}

impl FixedTag for OidBytes<'_> {
    const TAG: Tag = Tag::ObjectIdentifier;
}

impl<'a> DecodeValue<'a> for OidBytes<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        reader.read_slice(header.length()).map(Self)
    }
}

impl EncodeValue for OidBytes<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

/// An ENUMERATED read as a signed 64-bit number, as Go reads one into an
/// `int` (`ReadASN1Enum`, `encoding/asn1`), with `der`'s INTEGER rules:
/// minimal and not empty.
///
/// A `#[derive(der::Enumerated)]` enum refuses values it does not list;
/// this type is for the enumerations where the reference reports or
/// tolerates them (`OCSPResponseStatus`: "unknown OCSP status: 9";
/// `CRLReason`, read by Go into an `int`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EnumeratedValue(pub i64);

impl FixedTag for EnumeratedValue {
    const TAG: Tag = Tag::Enumerated;
}

impl<'a> DecodeValue<'a> for EnumeratedValue {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        // The contents are those of an INTEGER (X.690 §8.4).
        i64::decode_value(reader, header).map(Self)
    }
}

impl EncodeValue for EnumeratedValue {
    fn value_len(&self) -> der::Result<Length> {
        self.0.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.0.encode_value(writer)
    }
}

/// The longest INTEGER (contents octets) [`integer_to_decimal`] converts.
/// The conversion costs the square of the length; the integers it prints
/// are bounded to 20 octets where they are valid (RFC 5280 serial and CRL
/// numbers, RFC 3161 nonces in practice), so 64 leaves room for a sign
/// octet and odd but harmless encoders while an attacker's megabyte-long
/// INTEGER costs nothing.
pub(crate) const MAX_DECIMAL_OCTETS: usize = 64;

/// Decimal rendering of a two's-complement big-endian INTEGER (its contents
/// octets, as `der`'s `IntRef` gives them), as Go's `big.Int.String()`
/// prints serial numbers, nonces and CRL numbers. An INTEGER longer than
/// [`MAX_DECIMAL_OCTETS`] is summarised instead (its first octets in hex
/// and its length): such values only appear in error messages about
/// hostile input, and converting them would take quadratic time.
pub(crate) fn integer_to_decimal(content: &[u8]) -> String {
    if content.len() > MAX_DECIMAL_OCTETS {
        return format!(
            "0x{}... ({} octets)",
            crate::hex::encode(&content[..8]),
            content.len()
        );
    }
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

/// Whether the next element of `reader` has `tag`, as cryptobyte's
/// `PeekASN1Tag` answers: an identifier `der` cannot read is not `tag`.
pub(crate) fn next_is(reader: &SliceReader<'_>, tag: Tag) -> bool {
    !reader.is_finished() && Tag::peek(reader).is_ok_and(|t| t == tag)
}

/// Whether OBJECT IDENTIFIER contents are valid as Go's cryptobyte reads
/// them (`ReadASN1ObjectIdentifier`): not empty, each arc in base 128 in
/// the fewest octets, at most five octets and below 2^31, none truncated.
pub(crate) fn is_go_oid(contents: &[u8]) -> bool {
    if contents.is_empty() {
        return false;
    }
    let mut rest = contents;
    while !rest.is_empty() {
        let mut value: u32 = 0;
        let mut done = false;
        for (i, &b) in rest.iter().enumerate() {
            if i == 5 || value >= 1 << (31 - 7) || (i == 0 && b == 0x80) {
                return false;
            }
            value = (value << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                rest = &rest[i + 1..];
                done = true;
                break;
            }
        }
        if !done {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Encode, ErrorKind};

    #[test]
    fn oids_are_kept_as_bytes() {
        let sha1 = crate::oid::SHA1;
        let der = sha1.to_der().unwrap();
        let oid = OidBytes::from_der(&der).unwrap();
        assert!(oid.is(&sha1));
        assert_eq!(oid.dotted(), "1.3.14.3.2.26");
        assert_eq!(oid.to_der().unwrap(), der);
        // Longer than `der`'s ObjectIdentifier allows: still read.
        let long = AnyRef::new(Tag::ObjectIdentifier, &[0x2a; 60])
            .unwrap()
            .to_der()
            .unwrap();
        assert!(<const_oid::ObjectIdentifier>::from_der(&long).is_err());
        assert_eq!(OidBytes::from_der(&long).unwrap().0, &[0x2a; 60]);
        // Not an identifier: rendered in hex.
        assert_eq!(OidBytes(&[0x80]).dotted(), "80");
        // Another tag.
        assert!(OidBytes::from_der(&[0x04, 0x01, 0x2a]).is_err());
    }

    #[test]
    fn decimal_conversion_is_bounded() {
        let max = [0x7f; MAX_DECIMAL_OCTETS];
        let decimal = integer_to_decimal(&max);
        assert!(decimal.len() > 150 && decimal.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            integer_to_decimal(&[0x01; MAX_DECIMAL_OCTETS + 1]),
            "0x0101010101010101... (65 octets)"
        );
        // A hostile megabyte-long INTEGER is summarised, not converted (the
        // conversion is quadratic: this would take minutes).
        let huge = vec![0x42; 1 << 20];
        assert_eq!(
            integer_to_decimal(&huge),
            "0x4242424242424242... (1048576 octets)"
        );
    }

    #[test]
    fn enumerated_values_follow_integer_rules() {
        let value = |der: &[u8]| EnumeratedValue::from_der(der).map(|v| v.0);
        assert_eq!(value(&[0x0a, 0x01, 0x06]).unwrap(), 6);
        assert_eq!(value(&[0x0a, 0x02, 0x00, 0x80]).unwrap(), 128);
        assert_eq!(
            EnumeratedValue(128).to_der().unwrap(),
            [0x0a, 0x02, 0x00, 0x80]
        );
        // Negative values are read, as Go reads them into an `int`.
        assert_eq!(value(&[0x0a, 0x01, 0xff]).unwrap(), -1);
        // Non-minimal, empty, INTEGER-tagged, more than 64 bits.
        for bad in [
            &[0x0a, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0][..],
            &[0x0a, 0x02, 0x00, 0x01],
            &[0x0a, 0x00],
            &[0x02, 0x01, 0x01],
        ] {
            assert!(value(bad).is_err(), "{bad:02x?}");
        }
        let err = value(&[0x02, 0x01, 0x01]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::TagUnexpected { .. }));
    }

    #[test]
    fn go_object_identifiers() {
        let hex = |s: &str| crate::hex::decode(s).unwrap();
        assert!(is_go_oid(&hex("2b06010505073001")));
        assert!(is_go_oid(&hex("877fffff7f")));
        assert!(!is_go_oid(&hex("818080808000")), "six octets");
        assert!(!is_go_oid(&hex("8880808000")), "2^31");
        assert!(!is_go_oid(&hex("2b81")), "truncated");
        assert!(!is_go_oid(&hex("2b8001")), "not minimal");
        assert!(!is_go_oid(&[]), "empty");
    }
}
