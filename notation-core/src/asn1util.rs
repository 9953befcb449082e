//! Building blocks on top of `der` shared by the modules that parse signed
//! ASN.1 structures (timestamps, OCSP responses, CRLs), for what `der`'s
//! ready-made types do not give:
//!
//! - [`Element`]: an element kept exactly as it was encoded. Signatures
//!   cover bytes as they were sent (CMS signed attributes, an OCSP
//!   `tbsResponseData`, a `tbsCertList`), and a re-encoding could differ.
//!   Its contents are read later, or lazily (the revoked certificates of a
//!   32 MiB CRL are walked when a serial number is looked up).
//! - [`integer_to_decimal`]: INTEGERs printed as Go prints a `big.Int`.
//!
//! Everything here decodes with `der`'s readers (`tlv_bytes`, `AnyRef`,
//! `Header`); no tag or length octet is interpreted by hand.

use std::marker::PhantomData;

use der::asn1::AnyRef;
use der::{
    Decode, EncodeValue, FixedTag, Length, Reader, SliceReader, Tag, TagNumber, Tagged, Writer,
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

/// Decimal rendering of a two's-complement big-endian INTEGER (its contents
/// octets, as `der`'s `IntRef` gives them), as Go's `big.Int.String()`
/// prints serial numbers, nonces and CRL numbers.
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
