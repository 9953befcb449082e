//! The strict DER reader that OCSP responses and CRLs are parsed with.
//!
//! A hand-written walker rather than `der` derives: signatures are checked
//! over the bytes as they were signed (`tbsResponseData`, `tbsCertList`), so
//! every element keeps its original encoding; v1 CRLs (no version field) and
//! serial numbers longer than 20 octets must parse, as they do in Go; the
//! distribution point parser must reproduce Go's leniencies exactly; and the
//! work done on a hostile 32 MiB CRL is one linear pass with no allocation
//! per entry.
//!
//! Only the DER subset is accepted: single-byte tags, definite and minimal
//! lengths, minimal integers, `TRUE` as `0xff`.

use std::fmt;

use time::OffsetDateTime;

/// Universal and context-specific tags used here.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const ENUMERATED: u8 = 0x0a;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    /// `[n]` primitive (IMPLICIT on a primitive type).
    pub const fn context(n: u8) -> u8 {
        0x80 | n
    }
    /// `[n]` constructed (EXPLICIT, or IMPLICIT on a constructed type).
    pub const fn context_constructed(n: u8) -> u8 {
        0xa0 | n
    }
}

/// A DER decoding failure: what was being read and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Asn1Error(pub String);

impl fmt::Display for Asn1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) type Result<T> = std::result::Result<T, Asn1Error>;

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Asn1Error(msg.into()))
}

/// One element: its tag, its contents and its whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// A reader over the contents of a constructed element.
    pub fn reader(&self) -> Der<'a> {
        Der::new(self.value)
    }
}

/// A cursor over a sequence of DER elements.
#[derive(Clone, Debug)]
pub(crate) struct Der<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Der<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The tag of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Reads the next element, whatever its tag.
    pub fn read_any(&mut self) -> Result<Tlv<'a>> {
        let start = self.pos;
        let rest = &self.data[start..];
        let (&tag, rest) = match rest.split_first() {
            Some(x) => x,
            None => return err("unexpected end of data"),
        };
        if tag & 0x1f == 0x1f {
            return err("high tag numbers are not supported");
        }
        let (&first, mut rest) = match rest.split_first() {
            Some(x) => x,
            None => return err("truncated length"),
        };
        let mut header = 2usize;
        let len = if first < 0x80 {
            first as usize
        } else if first == 0x80 {
            return err("indefinite length is not DER");
        } else {
            let n = (first & 0x7f) as usize;
            if n > 4 {
                return err("length too large");
            }
            if rest.len() < n {
                return err("truncated length");
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | b as usize;
            }
            if rest[0] == 0 || len < 0x80 {
                return err("non-minimal length encoding");
            }
            rest = &rest[n..];
            header += n;
            len
        };
        if rest.len() < len {
            return err("element extends past the end of the data");
        }
        let end = start + header + len;
        self.pos = end;
        Ok(Tlv {
            tag,
            value: &self.data[start + header..end],
            raw: &self.data[start..end],
        })
    }

    /// Reads the next element, which must have `tag`.
    pub fn read(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>> {
        match self.peek_tag() {
            Some(t) if t == tag => self.read_any(),
            Some(t) => err(format!(
                "{what}: unexpected tag 0x{t:02x}, want 0x{tag:02x}"
            )),
            None => err(format!("{what}: missing")),
        }
    }

    /// Reads the next element if it has `tag`.
    pub fn read_optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            self.read_any().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails when elements remain.
    pub fn finish(&self, what: &str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            err(format!("{what}: trailing data"))
        }
    }
}

/// Parses exactly one element spanning all of `data`.
pub(crate) fn single<'a>(data: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>> {
    let mut r = Der::new(data);
    let tlv = r.read(tag, what)?;
    r.finish(what)?;
    Ok(tlv)
}

/// The contents of a DER INTEGER, checked for minimal encoding.
pub(crate) fn integer_bytes<'a>(tlv: &Tlv<'a>, what: &str) -> Result<&'a [u8]> {
    let v = tlv.value;
    match v {
        [] => err(format!("{what}: empty integer")),
        [0x00, next, ..] if next & 0x80 == 0 => err(format!("{what}: non-minimal integer")),
        [0xff, next, ..] if next & 0x80 != 0 => err(format!("{what}: non-minimal integer")),
        _ => Ok(v),
    }
}

/// A small non-negative INTEGER or ENUMERATED value.
pub(crate) fn small_uint(tlv: &Tlv<'_>, what: &str) -> Result<u64> {
    let v = integer_bytes(tlv, what)?;
    if v[0] & 0x80 != 0 {
        return err(format!("{what}: negative value"));
    }
    let v = if v[0] == 0 { &v[1..] } else { v };
    if v.len() > 8 {
        return err(format!("{what}: value too large"));
    }
    Ok(v.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64))
}

/// A DER BOOLEAN.
pub(crate) fn boolean(tlv: &Tlv<'_>, what: &str) -> Result<bool> {
    match tlv.value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => err(format!("{what}: invalid boolean")),
    }
}

/// The bytes of a BIT STRING without unused bits.
pub(crate) fn bit_string_bytes<'a>(tlv: &Tlv<'a>, what: &str) -> Result<&'a [u8]> {
    match tlv.value.split_first() {
        Some((0, rest)) => Ok(rest),
        Some(_) => err(format!("{what}: bit string with unused bits")),
        None => err(format!("{what}: empty bit string")),
    }
}

/// A UTCTime or GeneralizedTime element (as in X.509 `Time`).
pub(crate) fn time(tlv: &Tlv<'_>, what: &str) -> Result<OffsetDateTime> {
    use der::Decode;
    let unix = match tlv.tag {
        tag::UTC_TIME => der::asn1::UtcTime::from_der(tlv.raw).map(|t| t.to_unix_duration()),
        tag::GENERALIZED_TIME => {
            der::asn1::GeneralizedTime::from_der(tlv.raw).map(|t| t.to_unix_duration())
        }
        _ => return err(format!("{what}: not a time")),
    }
    .map_err(|e| Asn1Error(format!("{what}: {e}")))?;
    to_offset(unix, what)
}

/// A GeneralizedTime element.
pub(crate) fn generalized_time(tlv: &Tlv<'_>, what: &str) -> Result<OffsetDateTime> {
    if tlv.tag != tag::GENERALIZED_TIME {
        return err(format!("{what}: not a GeneralizedTime"));
    }
    time(tlv, what)
}

fn to_offset(d: std::time::Duration, what: &str) -> Result<OffsetDateTime> {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| Asn1Error(format!("{what}: time out of range")))
}

/// Renders the contents of an OBJECT IDENTIFIER in dotted form (hex when it
/// is not a valid OID), for messages.
pub(crate) fn oid_string(value: &[u8]) -> String {
    match const_oid::ObjectIdentifierRef::from_bytes(value) {
        Ok(oid) => oid.to_string(),
        Err(_) => crate::hex::encode(value),
    }
}

/// An extension as found in certificates, CRLs and OCSP responses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extension<'a> {
    /// The contents of the OBJECT IDENTIFIER (compared as bytes, so that
    /// unusually long OIDs never fail the parse).
    pub oid: &'a [u8],
    pub critical: bool,
    pub value: &'a [u8],
}

/// Parses `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` given the
/// SEQUENCE element. Duplicates are refused: two CRL numbers or two
/// invalidity dates would make the result depend on which one is read.
pub(crate) fn extensions<'a>(seq: &Tlv<'a>, what: &str) -> Result<Vec<Extension<'a>>> {
    if seq.tag != tag::SEQUENCE {
        return err(format!("{what}: extensions are not a SEQUENCE"));
    }
    let mut r = seq.reader();
    let mut out: Vec<Extension<'a>> = Vec::new();
    while !r.is_empty() {
        let ext = r.read(tag::SEQUENCE, what)?;
        let mut e = ext.reader();
        let oid = e.read(tag::OID, what)?.value;
        // DEFAULT FALSE should be omitted in DER; Go accepts an explicit
        // FALSE and so do we.
        let critical = match e.read_optional(tag::BOOLEAN)? {
            Some(b) => boolean(&b, what)?,
            None => false,
        };
        let value = e.read(tag::OCTET_STRING, what)?.value;
        e.finish(what)?;
        if out.iter().any(|x| x.oid == oid) {
            return err(format!("{what}: duplicate extension {}", oid_string(oid)));
        }
        out.push(Extension {
            oid,
            critical,
            value,
        });
    }
    Ok(out)
}

/// What revocation checking reads from a certificate beyond what
/// [`Certificate`](crate::x509::Certificate) exposes: the subject public key
/// bits (the OCSP `issuerKeyHash`) and the raw extensions (the CRL
/// distribution points grouped by point, the presence of Freshest CRL).
#[derive(Clone, Debug)]
pub(crate) struct TbsFields<'a> {
    pub subject_public_key: &'a [u8],
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> TbsFields<'a> {
    /// The value of the extension `oid`, if present.
    pub fn extension(&self, oid: &[u8]) -> Option<&Extension<'a>> {
        self.extensions.iter().find(|e| e.oid == oid)
    }
}

/// Reads [`TbsFields`] from a DER `TBSCertificate`.
pub(crate) fn tbs_fields(tbs: &[u8]) -> Result<TbsFields<'_>> {
    const W: &str = "certificate";
    let seq = single(tbs, tag::SEQUENCE, W)?;
    let mut r = seq.reader();
    r.read_optional(tag::context_constructed(0))?; // version
    r.read(tag::INTEGER, W)?; // serialNumber
    r.read(tag::SEQUENCE, W)?; // signature
    r.read(tag::SEQUENCE, W)?; // issuer
    r.read(tag::SEQUENCE, W)?; // validity
    r.read(tag::SEQUENCE, W)?; // subject
    let spki = r.read(tag::SEQUENCE, W)?;
    let mut s = spki.reader();
    s.read(tag::SEQUENCE, W)?;
    let subject_public_key = bit_string_bytes(&s.read(tag::BIT_STRING, W)?, W)?;
    r.read_optional(tag::context(1))?; // issuerUniqueID
    r.read_optional(tag::context(2))?; // subjectUniqueID
    let extensions = match r.read_optional(tag::context_constructed(3))? {
        Some(wrapper) => {
            let seq = single(wrapper.value, tag::SEQUENCE, W)?;
            extensions(&seq, W)?
        }
        None => Vec::new(),
    };
    r.finish(W)?;
    Ok(TbsFields {
        subject_public_key,
        extensions,
    })
}

/// Compares two non-negative big-endian integers given as DER INTEGER
/// contents (leading zero bytes ignored).
pub(crate) fn cmp_uint(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |x: &[u8]| -> usize { x.iter().take_while(|&&b| b == 0).count() };
    let a = &a[strip(a)..];
    let b = &b[strip(b)..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Renders a non-negative big-endian integer in decimal, for messages.
pub(crate) fn uint_decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new();
    let mut n: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    while !n.is_empty() {
        let mut rem = 0u32;
        let mut next = Vec::with_capacity(n.len());
        for &b in &n {
            let cur = (rem << 8) | b as u32;
            let q = (cur / 10) as u8;
            rem = cur % 10;
            if !(next.is_empty() && q == 0) {
                next.push(q);
            }
        }
        digits.push(b'0' + rem as u8);
        n = next;
    }
    if digits.is_empty() {
        return "0".into();
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal_and_definite() {
        assert!(Der::new(&[0x04, 0x81, 0x01, 0x00]).read_any().is_err());
        assert!(Der::new(&[0x30, 0x80, 0x00, 0x00]).read_any().is_err());
        assert!(Der::new(&[0x04, 0x02, 0x00]).read_any().is_err());
        assert!(Der::new(&[0x04]).read_any().is_err());
        assert!(Der::new(&[0x1f, 0x01, 0x00]).read_any().is_err());
        let long = [&[0x04, 0x81, 0x80][..], &[0u8; 0x80]].concat();
        assert_eq!(Der::new(&long).read_any().unwrap().value.len(), 0x80);
    }

    #[test]
    fn integers_must_be_minimal() {
        let t = |v: &[u8]| {
            let raw = [&[0x02, v.len() as u8][..], v].concat();
            let tlv = single(&raw, tag::INTEGER, "n").map(|t| (t.tag, t.value.to_vec()));
            tlv.and_then(|(tag, value)| {
                let tlv = Tlv {
                    tag,
                    value: &value,
                    raw: &raw,
                };
                integer_bytes(&tlv, "n").map(|b| b.to_vec())
            })
        };
        assert!(t(&[0x00, 0x01]).is_err());
        assert!(t(&[0xff, 0x80]).is_err());
        assert!(t(&[]).is_err());
        assert_eq!(t(&[0x00, 0x80]).unwrap(), vec![0x00, 0x80]);
    }

    #[test]
    fn big_integers_compare_and_print() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_uint(&[0x00, 0x05], &[0x05]), Equal);
        assert_eq!(cmp_uint(&[0x01, 0x00], &[0xff]), Greater);
        assert_eq!(uint_decimal(&[0x10, 0x00]), "4096");
        assert_eq!(uint_decimal(&[]), "0");
        assert_eq!(
            uint_decimal(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
            "18446744073709551616"
        );
    }
}
