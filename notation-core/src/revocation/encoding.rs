//! The ASN.1 shared by OCSP responses and CRLs, decoded with `der`.
//!
//! The structures themselves are `der` derives in [`super::ocsp`] and
//! [`super::crl`]; this module has what both read: extensions, signature
//! algorithm identifiers, times, the fields of a certificate that
//! [`Certificate`] does not expose, and the texts of decoding errors.
//! Elements that are signed or read later are kept as encoded with
//! [`Element`] (see [`crate::asn1util`]); no tag or length octet is
//! interpreted by hand, so DER stays strict: definite minimal lengths,
//! minimal INTEGERs, `TRUE` as `0xff`, no trailing data.

use std::time::Duration;

use der::asn1::OctetStringRef;
use der::{Decode, Reader};
use spki::AlgorithmIdentifierRef;
use time::OffsetDateTime;

use crate::asn1util::{Element, OidBytes, SequenceTag};
use crate::x509::{CertSignatureAlgorithm, Certificate};

/// The text of a `der` error met while decoding `input`: Go's
/// `encoding/asn1` wording ("asn1: structure error: …"), which is what
/// `x/crypto/ocsp` returns for a malformed response.
pub(super) fn der_text(err: der::Error, input: &[u8]) -> String {
    crate::timestamp::Asn1Error::from_der(err, input).to_string()
}

/// `Extension` (RFC 5280 §4.1), borrowed from the input.
#[derive(der::Sequence)]
struct ExtensionDer<'a> {
    /// Compared as bytes, so that an unusual identifier never fails the
    /// parse of the CRL or response that carries it.
    extn_id: OidBytes<'a>,
    /// DEFAULT FALSE, which DER omits; Go accepts an explicit FALSE and so
    /// does `der`.
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: &'a OctetStringRef,
}

/// One extension of a CRL, CRL entry or OCSP response.
#[derive(Clone, Copy, Debug)]
pub(super) struct Extension<'a> {
    /// The identifier.
    pub oid: OidBytes<'a>,
    /// Whether it is critical.
    pub critical: bool,
    /// The contents of `extnValue`.
    pub value: &'a [u8],
}

impl Extension<'_> {
    const EMPTY: Extension<'static> = Extension {
        oid: OidBytes(&[]),
        critical: false,
        value: &[],
    };
}

/// The most extensions one list may hold. Real CRLs carry about five and
/// their entries at most three; the bound keeps the duplicate check and the
/// memory of a hostile list constant, so that a 32 MiB CRL is read without
/// allocating per entry.
pub(super) const MAX_EXTENSIONS: usize = 32;

/// A decoded `Extensions` list, held without allocating.
#[derive(Clone, Copy, Debug)]
pub(super) struct Extensions<'a> {
    items: [Extension<'a>; MAX_EXTENSIONS],
    len: usize,
}

impl<'a> Extensions<'a> {
    /// No extensions.
    pub fn empty() -> Self {
        Self {
            items: [Extension::EMPTY; MAX_EXTENSIONS],
            len: 0,
        }
    }

    /// Decodes `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` (an
    /// empty list is accepted, as Go does). Duplicates are refused: two CRL
    /// numbers or two invalidity dates would make the result depend on
    /// which one is read. The error is a message.
    pub fn decode(list: &Element<'a, SequenceTag>) -> Result<Self, String> {
        let mut out = Self::empty();
        let contents = list.contents();
        let mut reader = list.reader().map_err(|e| der_text(e, contents))?;
        while !reader.is_finished() {
            let ext: ExtensionDer<'a> = reader.decode().map_err(|e| der_text(e, contents))?;
            let oid = ext.extn_id;
            if out.iter().any(|x| x.oid == oid) {
                return Err(format!("duplicate extension {}", oid.dotted()));
            }
            let slot = out
                .items
                .get_mut(out.len)
                .ok_or_else(|| format!("more than {MAX_EXTENSIONS} extensions"))?;
            *slot = Extension {
                oid,
                critical: ext.critical,
                value: ext.extn_value.as_bytes(),
            };
            out.len += 1;
        }
        Ok(out)
    }

    /// Decodes an optional list.
    pub fn decode_optional(list: Option<&Element<'a, SequenceTag>>) -> Result<Self, String> {
        list.map_or_else(|| Ok(Self::empty()), Self::decode)
    }

    /// The extensions, in encoded order.
    pub fn iter(&self) -> impl Iterator<Item = &Extension<'a>> {
        self.items[..self.len].iter()
    }

    /// The extension `oid`, if present.
    pub fn get(&self, oid: &const_oid::ObjectIdentifier) -> Option<&Extension<'a>> {
        self.iter().find(|e| e.oid.is(oid))
    }
}

/// Maps an AlgorithmIdentifier, as encoded, to the signature algorithm it
/// names.
pub(super) fn algorithm(alg: &Element<'_, SequenceTag>) -> der::Result<CertSignatureAlgorithm> {
    let alg = AlgorithmIdentifierRef::from_der(alg.der())?;
    let params = alg
        .parameters
        .map(|p| der::Encode::to_der(&p))
        .transpose()?;
    Ok(CertSignatureAlgorithm::from_algorithm_identifier(
        &alg.oid,
        params.as_deref(),
    ))
}

/// A time given as seconds since the Unix epoch (what `der`'s time types
/// give), as an `OffsetDateTime`.
pub(super) fn datetime(unix: Duration) -> Result<OffsetDateTime, String> {
    i64::try_from(unix.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| "time out of range".to_owned())
}

/// What revocation checking reads from a certificate beyond what
/// [`Certificate`] exposes.
#[derive(Clone, Debug, Default)]
pub(super) struct CertificateFields {
    /// The subject public key bits (hashed into the OCSP `issuerKeyHash`).
    pub subject_public_key: Vec<u8>,
    /// The CRL distribution points extension's value, if any (read grouped
    /// by point).
    // Requirements: W14.
    pub crl_distribution_points: Option<Vec<u8>>,
    /// Whether the certificate has a Freshest CRL extension.
    pub freshest_crl: bool,
}

/// Reads [`CertificateFields`] with x509-cert's `TbsCertificate` (the
/// certificate was decoded with it once already).
pub(super) fn certificate_fields(cert: &Certificate) -> Result<CertificateFields, String> {
    let tbs = x509_cert::TbsCertificate::from_der(cert.tbs_der())
        .map_err(|e| der_text(e, cert.tbs_der()))?;
    let subject_public_key = tbs
        .subject_public_key_info()
        .subject_public_key
        .as_bytes()
        .ok_or("subject public key: bit string with unused bits")?
        .to_vec();
    let mut fields = CertificateFields {
        subject_public_key,
        ..CertificateFields::default()
    };
    for ext in tbs.extensions().map(|e| e.as_slice()).unwrap_or_default() {
        if ext.extn_id == super::oids::CRL_DISTRIBUTION_POINTS {
            fields.crl_distribution_points = Some(ext.extn_value.as_bytes().to_vec());
        } else if ext.extn_id == super::oids::FRESHEST_CRL {
            fields.freshest_crl = true;
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use der::asn1::AnyRef;

    fn list(der: &[u8]) -> Result<Vec<(String, bool, Vec<u8>)>, String> {
        let element = Element::<SequenceTag>::from_der(der).map_err(|e| der_text(e, der))?;
        Ok(Extensions::decode(&element)?
            .iter()
            .map(|e| (e.oid.dotted(), e.critical, e.value.to_vec()))
            .collect())
    }

    /// DER of one Extension with a one-octet value.
    fn extension(oid: &str, critical: Option<&[u8]>, value: u8) -> Vec<u8> {
        let oid = const_oid::ObjectIdentifier::new_unwrap(oid)
            .to_der()
            .unwrap();
        let value = OctetStringRef::new(&[value]).unwrap().to_der().unwrap();
        let mut body = oid;
        if let Some(b) = critical {
            body.extend_from_slice(b);
        }
        body.extend_from_slice(&value);
        AnyRef::new(der::Tag::Sequence, &body)
            .unwrap()
            .to_der()
            .unwrap()
    }

    fn sequence(items: &[Vec<u8>]) -> Vec<u8> {
        let body = items.concat();
        AnyRef::new(der::Tag::Sequence, &body)
            .unwrap()
            .to_der()
            .unwrap()
    }

    #[test]
    fn extensions_are_strict_der() {
        let good = sequence(&[
            extension("2.5.29.20", None, 5),
            extension("2.5.29.28", Some(&[0x01, 0x01, 0xff]), 6),
            // An explicit FALSE: not DER, accepted as Go does.
            extension("1.2.3", Some(&[0x01, 0x01, 0x00]), 7),
        ]);
        assert_eq!(
            list(&good).unwrap(),
            vec![
                ("2.5.29.20".into(), false, vec![5]),
                ("2.5.29.28".into(), true, vec![6]),
                ("1.2.3".into(), false, vec![7]),
            ]
        );
        assert_eq!(list(&sequence(&[])).unwrap(), vec![]);
        // TRUE must be 0xff.
        let loose_true = sequence(&[extension("1.2.3", Some(&[0x01, 0x01, 0x01]), 7)]);
        assert_eq!(
            list(&loose_true).unwrap_err(),
            "asn1: structure error: BOOLEAN not canonically encoded (not DER)"
        );
        // Lengths must be minimal and definite.
        let mut long_form = good.clone();
        long_form.splice(1..2, [0x81, good[1]]);
        assert!(list(&long_form).is_err());
        let mut indefinite = good.clone();
        indefinite[1] = 0x80;
        assert!(list(&indefinite).is_err());
        // Trailing data inside an extension.
        let trailing = sequence(&[sequence(&[
            const_oid::ObjectIdentifier::new_unwrap("1.2.3")
                .to_der()
                .unwrap(),
            vec![0x04, 0x00, 0x05, 0x00],
        ])]);
        assert_eq!(
            list(&trailing).unwrap_err(),
            "asn1: syntax error: trailing data"
        );
    }

    #[test]
    fn extension_lists_are_bounded_and_unique() {
        let twice = sequence(&[
            extension("2.5.29.20", None, 5),
            extension("2.5.29.20", None, 6),
        ]);
        assert_eq!(list(&twice).unwrap_err(), "duplicate extension 2.5.29.20");
        let full: Vec<Vec<u8>> = (0..MAX_EXTENSIONS)
            .map(|i| extension(&format!("1.2.{i}"), None, 0))
            .collect();
        assert_eq!(list(&sequence(&full)).unwrap().len(), MAX_EXTENSIONS);
        let mut over = full;
        over.push(extension("1.3", None, 0));
        assert_eq!(
            list(&sequence(&over)).unwrap_err(),
            format!("more than {MAX_EXTENSIONS} extensions")
        );
    }
}
