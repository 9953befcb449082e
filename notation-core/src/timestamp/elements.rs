//! Building blocks on top of `der` for what the CMS and RFC 3161 types need
//! beyond its ready-made ones: elements kept exactly as they were encoded
//! (a CMS signature covers the signed attributes as sent, a certificate hash
//! the certificate as sent, and a re-encoding could differ; shared with the
//! revocation module, see [`crate::asn1util`]), SEQUENCEs read with Go's
//! tolerance for trailing elements, and the raw text of a GeneralizedTime.
//!
//! Everything here decodes with `der`'s readers (`tlv_bytes`, `AnyRef`,
//! `Header`); no tag or length octet is interpreted by hand.

use der::asn1::AnyRef;
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, SliceReader, Tag,
    Tagged, Writer,
};

pub(crate) use crate::asn1util::{ContextTag, Element, SequenceTag, SetTag, Tlv};

/// A SEQUENCE read the way Go's `encoding/asn1` reads a struct: elements
/// after the last field `T` knows are ignored ("adding elements to the end
/// has been used in X.509 as the version numbers have increased"). Used
/// where the reference relies on it (ESSCertIDv2 and its IssuerSerial).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lenient<T>(pub T);

impl<T: FixedTag> FixedTag for Lenient<T> {
    const TAG: Tag = T::TAG;
}

impl<'a, T> Decode<'a> for Lenient<T>
where
    T: DecodeValue<'a, Error = der::Error> + FixedTag + 'a,
{
    type Error = der::Error;

    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let any = AnyRef::decode(reader)?;
        any.tag().assert_eq(T::TAG)?;
        let mut fields = SliceReader::new(any.value())?;
        // No `finish()`: what follows the known fields stays unread.
        T::decode_value(&mut fields, any.header()).map(Self)
    }
}

/// Encodes as `T` (the trailing elements a decoded value ignored are not
/// kept).
impl<T: Encode> Encode for Lenient<T> {
    fn encoded_len(&self) -> der::Result<Length> {
        self.0.encoded_len()
    }

    fn encode(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.0.encode(writer)
    }
}

/// The contents octets of a GeneralizedTime, left as text: `der`'s
/// `GeneralizedTime` refuses the fractional seconds that RFC 3161 §2.4.2
/// allows in `genTime`, so [`super::asn1::generalized_time`] parses them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GeneralizedTimeText<'a>(pub &'a [u8]);

impl FixedTag for GeneralizedTimeText<'_> {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GeneralizedTimeText<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        reader.read_slice(header.length()).map(Self)
    }
}

impl EncodeValue for GeneralizedTimeText<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

/// How many elements are left in `reader` (for "too many …" errors, which
/// report the total). Stops at the first malformed element.
pub(crate) fn count_elements(mut reader: SliceReader<'_>) -> usize {
    let mut count = 0;
    while !reader.is_finished() && reader.tlv_bytes().is_ok() {
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::IntRef;

    #[test]
    fn elements_keep_their_bytes() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05, 0x04, 0x00];
        let mut r = SliceReader::new(&data).unwrap();
        let seq: Element<'_, SequenceTag> = r.decode().unwrap();
        assert_eq!(seq.der(), &data[..5]);
        assert_eq!(seq.contents(), &data[2..5]);
        let int: IntRef<'_> = seq.reader().unwrap().decode().unwrap();
        assert_eq!(int.as_bytes(), &[5]);
        assert_eq!(seq.to_der().unwrap(), &data[..5]);
        // The next element is an OCTET STRING, not a SEQUENCE.
        let err = r.decode::<Element<'_, SequenceTag>>().unwrap_err();
        assert!(matches!(err.kind(), der::ErrorKind::TagUnexpected { .. }));
        // As an optional field: absent unless the tag matches.
        let mut r = SliceReader::new(&data[5..]).unwrap();
        assert!(r.decode::<Option<Element<'_, SetTag>>>().unwrap().is_none());
        assert_eq!(count_elements(r), 1);
    }

    #[test]
    fn lenient_sequences_ignore_trailing_elements() {
        // SEQUENCE { INTEGER 5, NULL }: strict decoding refuses the NULL.
        let data = [0x30, 0x05, 0x02, 0x01, 0x05, 0x05, 0x00];
        #[derive(der::Sequence)]
        struct One<'a> {
            value: IntRef<'a>,
        }
        assert!(One::from_der(&data).is_err());
        let Lenient(one) = Lenient::<One<'_>>::from_der(&data).unwrap();
        assert_eq!(one.value.as_bytes(), &[5]);
    }
}
