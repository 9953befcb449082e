//! Distinguished names, rendered exactly as Go's `pkix.Name.String()` renders
//! a certificate's subject.
//!
//! The reference implementation matches trusted identities against that
//! rendering, prints it in every error message and in `inspect`, so an
//! interoperable implementation must reproduce it, quirks included:
//! - the attributes Go knows (ST, L, STREET, POSTALCODE, O, OU, CN,
//!   SERIALNUMBER) are regrouped by type into one RDN each, in that order,
//!   and printed last-first (so `CN=..,O=..,C=..`);
//! - a repeated CN or SERIALNUMBER keeps only its last value;
//! - any other attribute comes last, as `OID=#hex` of Go's re-encoding of
//!   the value (PrintableString when possible, else UTF8String).
// Requirements: L4, C.

use std::borrow::Cow;
use std::fmt;

use const_oid::ObjectIdentifier;
use der::{Decode, Reader, SliceReader, Tag};

use crate::oid;

/// One attribute of a name, with its value decoded to text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAttribute {
    /// The attribute type.
    pub oid: ObjectIdentifier,
    /// The value as text.
    pub value: String,
}

/// A parsed distinguished name, keeping the original RDN structure.
#[derive(Clone)]
pub struct DistinguishedName {
    rdns: Vec<Vec<NameAttribute>>,
    /// The Go rendering, made when first asked for: most names (issuers,
    /// roots, trust store certificates) are never shown.
    rendered: std::sync::OnceLock<String>,
}

impl PartialEq for DistinguishedName {
    fn eq(&self, other: &Self) -> bool {
        // The rendering is a function of the RDNs.
        self.rdns == other.rdns
    }
}

impl Eq for DistinguishedName {}

impl DistinguishedName {
    /// Parses a DER `Name`. Values must be one of the string types Go
    /// accepts; anything else is an error, as in Go.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let rdns = parse_rdn_sequence(der).map_err(|e| e.to_string())??;
        Ok(Self {
            rdns,
            rendered: std::sync::OnceLock::new(),
        })
    }

    /// Parses a name that [`is_readable_value`] has passed value by value
    /// (as x509-cert decoded the certificate holding it): that cannot fail.
    /// Were it to, the name would be empty, which matches no trusted
    /// identity.
    pub(crate) fn from_checked_der(der: &[u8]) -> Self {
        Self::from_der(der).unwrap_or_else(|_| Self {
            rdns: Vec::new(),
            rendered: std::sync::OnceLock::new(),
        })
    }

    /// The RDNs in encoded order, each with its attributes in encoded order.
    pub fn rdns(&self) -> &[Vec<NameAttribute>] {
        &self.rdns
    }

    /// The Go rendering (same as `Display`).
    pub fn as_str(&self) -> &str {
        self.rendered.get_or_init(|| render_go(&self.rdns))
    }

    /// Values of one attribute type, in encoded order.
    pub fn values(&self, oid: ObjectIdentifier) -> impl Iterator<Item = &str> {
        self.rdns
            .iter()
            .flatten()
            .filter(move |a| a.oid == oid)
            .map(|a| a.value.as_str())
    }
}

impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

type Rdns = Vec<Vec<NameAttribute>>;

fn parse_rdn_sequence(der: &[u8]) -> Result<Result<Rdns, String>, der::Error> {
    let mut reader = SliceReader::new(der)?;
    let rdns = reader.sequence(|seq| {
        let mut rdns = Vec::new();
        while !seq.is_finished() {
            let header = der::Header::decode(seq)?;
            header.tag().assert_eq(Tag::Set)?;
            let rdn = seq.read_nested(header.length(), |set| {
                let mut atvs = Vec::new();
                while !set.is_finished() {
                    let atv: Result<NameAttribute, String> = set.sequence(|s| {
                        let oid = ObjectIdentifier::decode(s)?;
                        let any = der::asn1::AnyRef::decode(s)?;
                        Ok::<_, der::Error>(
                            decode_value(any).map(|value| NameAttribute { oid, value }),
                        )
                    })?;
                    atvs.push(atv);
                }
                Ok::<_, der::Error>(atvs)
            })?;
            rdns.push(rdn);
        }
        Ok::<_, der::Error>(rdns)
    })?;
    reader.finish()?;
    Ok(rdns
        .into_iter()
        .map(|rdn| rdn.into_iter().collect::<Result<Vec<_>, String>>())
        .collect())
}

/// Whether [`DistinguishedName::from_der`] reads this attribute value.
pub(crate) fn is_readable_value(any: der::asn1::AnyRef<'_>) -> bool {
    value_text(any).is_ok()
}

/// Decodes an attribute value as Go's `parseASN1String` does.
fn decode_value(any: der::asn1::AnyRef<'_>) -> Result<String, String> {
    value_text(any).map(Cow::into_owned)
}

/// An attribute value's text as Go's `parseASN1String` reads it, borrowed
/// where the bytes are the text (every string type but BMPString, and
/// TeletexString past ASCII), so that checking a name allocates nothing.
fn value_text(any: der::asn1::AnyRef<'_>) -> Result<Cow<'_, str>, String> {
    let bytes = any.value();
    let invalid = |what: &str| format!("invalid attribute value: invalid {what}");
    let ascii = |ok: bool, what: &str| {
        if ok {
            Ok(Cow::Borrowed(
                std::str::from_utf8(bytes).expect("checked ASCII"),
            ))
        } else {
            Err(invalid(what))
        }
    };
    match der::Tagged::tag(&any) {
        Tag::Utf8String => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| invalid("UTF-8 string")),
        Tag::PrintableString => ascii(
            bytes.iter().all(|&b| is_printable(b, true, true)),
            "PrintableString",
        ),
        Tag::Ia5String => ascii(bytes.is_ascii(), "IA5String"),
        Tag::NumericString => ascii(
            bytes.iter().all(|b| b.is_ascii_digit() || *b == b' '),
            "NumericString",
        ),
        // Go (crypto/x509 `parseASN1String`, as the reference is built)
        // reads T61String as Latin-1.
        Tag::TeletexString if bytes.is_ascii() => ascii(true, "T61String"),
        Tag::TeletexString => Ok(Cow::Owned(bytes.iter().map(|&b| b as char).collect())),
        // UCS-2, as Go reads it: a trailing NUL terminator is dropped;
        // noncharacters and surrogates are refused.
        Tag::BmpString => {
            if bytes.len() % 2 != 0 {
                return Err(invalid("BMPString"));
            }
            let bytes = bytes.strip_suffix(&[0, 0]).unwrap_or(bytes);
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            if units
                .iter()
                .any(|&u| matches!(u, 0xfffe | 0xffff | 0xfdd0..=0xfdef | 0xd800..=0xdfff))
            {
                return Err(invalid("BMPString"));
            }
            String::from_utf16(&units)
                .map(Cow::Owned)
                .map_err(|_| invalid("BMPString"))
        }
        other => Err(format!(
            "invalid attribute value: unsupported string type: {other}"
        )),
    }
}

/// Go's `isPrintable` from encoding/asn1.
fn is_printable(b: u8, allow_asterisk: bool, allow_ampersand: bool) -> bool {
    b.is_ascii_lowercase()
        || b.is_ascii_uppercase()
        || b.is_ascii_digit()
        || matches!(
            b,
            b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
        )
        || (allow_asterisk && b == b'*')
        || (allow_ampersand && b == b'&')
}

/// Short names Go prints; other types print as dotted OIDs.
fn go_type_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    Some(match *oid {
        oid::AT_COUNTRY => "C",
        oid::AT_ORGANIZATION => "O",
        oid::AT_ORGANIZATIONAL_UNIT => "OU",
        oid::AT_COMMON_NAME => "CN",
        oid::AT_SERIAL_NUMBER => "SERIALNUMBER",
        oid::AT_LOCALITY => "L",
        oid::AT_PROVINCE => "ST",
        oid::AT_STREET => "STREET",
        oid::AT_POSTAL_CODE => "POSTALCODE",
        _ => return None,
    })
}

/// Reproduces `pkix.Name.FillFromRDNSequence` followed by `Name.String()`.
fn render_go(rdns: &Rdns) -> String {
    let mut country = Vec::new();
    let mut province = Vec::new();
    let mut locality = Vec::new();
    let mut street = Vec::new();
    let mut postal = Vec::new();
    let mut org = Vec::new();
    let mut ou = Vec::new();
    let mut cn: Option<&str> = None;
    let mut serial: Option<&str> = None;
    // Attributes Go does not parse into named fields, each as its own RDN,
    // placed first so that they print last.
    let mut sequence: Vec<Vec<(String, String)>> = Vec::new();
    for atv in rdns.iter().flatten() {
        let v = atv.value.as_str();
        match atv.oid {
            oid::AT_COUNTRY => country.push(v),
            oid::AT_PROVINCE => province.push(v),
            oid::AT_LOCALITY => locality.push(v),
            oid::AT_STREET => street.push(v),
            oid::AT_POSTAL_CODE => postal.push(v),
            oid::AT_ORGANIZATION => org.push(v),
            oid::AT_ORGANIZATIONAL_UNIT => ou.push(v),
            oid::AT_COMMON_NAME => cn = Some(v),
            oid::AT_SERIAL_NUMBER => serial = Some(v),
            other => sequence.push(vec![(
                other.to_string(),
                format!("#{}", crate::hex::encode(&go_marshal_string(v))),
            )]),
        }
    }
    let named = |name: &str, values: &[&str]| -> Option<Vec<(String, String)>> {
        if values.is_empty() {
            None
        } else {
            Some(
                values
                    .iter()
                    .map(|v| (name.to_string(), escape(v)))
                    .collect(),
            )
        }
    };
    let groups = [
        named("C", &country),
        named("ST", &province),
        named("L", &locality),
        named("STREET", &street),
        named("POSTALCODE", &postal),
        named("O", &org),
        named("OU", &ou),
        cn.filter(|v| !v.is_empty()).and_then(|v| named("CN", &[v])),
        serial
            .filter(|v| !v.is_empty())
            .and_then(|v| named("SERIALNUMBER", &[v])),
    ];
    sequence.extend(groups.into_iter().flatten());
    sequence
        .iter()
        .rev()
        .map(|rdn| {
            rdn.iter()
                .map(|(t, v)| format!("{t}={v}"))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// RFC 2253 escaping as Go's `RDNSequence.String()` does it.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let last = value.len().saturating_sub(1);
    let mut copied = 0;
    // Every character that needs a backslash is ASCII: walk the bytes and
    // copy the runs between them whole.
    for (i, b) in value.bytes().enumerate() {
        let needs = match b {
            b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' => true,
            b' ' => i == 0 || i == last,
            b'#' => i == 0,
            _ => false,
        };
        if needs {
            out.push_str(&value[copied..i]);
            out.push('\\');
            copied = i;
        }
    }
    out.push_str(&value[copied..]);
    out
}

/// Go's `asn1.Marshal` of a plain Go string: PrintableString if every
/// character is printable (no `*` or `&`), otherwise UTF8String.
fn go_marshal_string(v: &str) -> Vec<u8> {
    let printable = v
        .bytes()
        .all(|b| b.is_ascii() && is_printable(b, false, false));
    let tag = if printable {
        Tag::PrintableString
    } else {
        Tag::Utf8String
    };
    let len = der::Length::try_from(v.len()).expect("name values are short");
    let header = der::Header::new(tag, len);
    let mut out = Vec::with_capacity(v.len() + 4);
    der::Encode::encode_to_vec(&header, &mut out).expect("header encodes");
    out.extend_from_slice(v.as_bytes());
    out
}

/// Whether a name attribute type is one Go renders by short name.
pub fn has_short_name(oid: &ObjectIdentifier) -> bool {
    go_type_name(oid).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_der(rdns: &[&[(ObjectIdentifier, Tag, &str)]]) -> Vec<u8> {
        use der::Encode;
        let mut body = Vec::new();
        for rdn in rdns {
            let mut set = Vec::new();
            for (oid, tag, v) in *rdn {
                let mut atv = Vec::new();
                oid.encode_to_vec(&mut atv).unwrap();
                der::Header::new(*tag, v.len().try_into().unwrap())
                    .encode_to_vec(&mut atv)
                    .unwrap();
                atv.extend_from_slice(v.as_bytes());
                der::Header::new(Tag::Sequence, atv.len().try_into().unwrap())
                    .encode_to_vec(&mut set)
                    .unwrap();
                set.extend_from_slice(&atv);
            }
            der::Header::new(Tag::Set, set.len().try_into().unwrap())
                .encode_to_vec(&mut body)
                .unwrap();
            body.extend_from_slice(&set);
        }
        let mut out = Vec::new();
        der::Header::new(Tag::Sequence, body.len().try_into().unwrap())
            .encode_to_vec(&mut out)
            .unwrap();
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn go_order_and_grouping() {
        let p = Tag::PrintableString;
        let der = name_der(&[
            &[(oid::AT_COUNTRY, p, "US")],
            &[(oid::AT_PROVINCE, p, "Washington")],
            &[(oid::AT_LOCALITY, p, "Redmond")],
            &[(oid::AT_ORGANIZATION, p, "Microsoft Corporation")],
            &[(
                oid::AT_ORGANIZATIONAL_UNIT,
                p,
                "Microsoft America Operations",
            )],
            &[(
                oid::AT_ORGANIZATIONAL_UNIT,
                p,
                "nShield TSS ESN:7800-05E0-D947",
            )],
            &[(
                oid::AT_COMMON_NAME,
                p,
                "Microsoft Public RSA Time Stamping Authority",
            )],
        ]);
        let dn = DistinguishedName::from_der(&der).unwrap();
        assert_eq!(
            dn.to_string(),
            "CN=Microsoft Public RSA Time Stamping Authority,OU=Microsoft America Operations+OU=nShield TSS ESN:7800-05E0-D947,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US"
        );
    }

    #[test]
    fn unknown_attributes_print_last_as_hex() {
        let email = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");
        let der = name_der(&[
            &[(oid::AT_COMMON_NAME, Tag::Utf8String, "a, b")],
            &[(email, Tag::Ia5String, "x@y")],
            &[(oid::AT_COUNTRY, Tag::PrintableString, "US")],
        ]);
        let dn = DistinguishedName::from_der(&der).unwrap();
        assert_eq!(
            dn.to_string(),
            "CN=a\\, b,C=US,1.2.840.113549.1.9.1=#0c03784079"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape(" #a "), "\\ #a\\ ");
        assert_eq!(escape("#x"), "\\#x");
        assert_eq!(escape("a+b;c<d>\"e\\"), "a\\+b\\;c\\<d\\>\\\"e\\\\");
    }

    #[test]
    fn strings_read_as_go_reads_them() {
        let read =
            |tag: Tag, bytes: &[u8]| decode_value(der::asn1::AnyRef::new(tag, bytes).unwrap());
        // BMPString: a trailing NUL is a terminator; noncharacters and
        // surrogates are refused; an odd length is not UCS-2.
        assert_eq!(read(Tag::BmpString, b"\0A\0c\0m\0e\0\0").unwrap(), "Acme");
        assert_eq!(read(Tag::BmpString, b"\0A\0\0\0B").unwrap(), "A\0B");
        for bad in [&b"\xff\xfe"[..], b"\xfd\xd0", b"\xd8\x00\xdc\x00", b"\0A\0"] {
            assert!(read(Tag::BmpString, bad).is_err(), "{bad:?}");
        }
        // T61String: Latin-1.
        assert_eq!(
            read(Tag::TeletexString, b"Soci\xe9t\xe9").unwrap(),
            "Soci\u{e9}t\u{e9}"
        );
    }

    #[test]
    fn rejects_non_string_values() {
        let der = name_der(&[&[(oid::AT_COMMON_NAME, Tag::OctetString, "x")]]);
        assert!(DistinguishedName::from_der(&der).is_err());
        assert!(DistinguishedName::from_der(&[0x30, 0x05]).is_err());
    }
}
