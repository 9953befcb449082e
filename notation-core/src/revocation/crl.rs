//! Certificate revocation lists.
//!
//! [`Crl`] parses a DER CRL strictly and keeps its bytes; [`CrlBundle`] is a
//! base CRL with its delta CRL, the unit that is fetched and cached;
//! [`check_bundle`] is the whole CRL verdict for one certificate, usable
//! without [`RevocationValidator`](super::RevocationValidator) by callers
//! that obtain CRLs some other way.
//!
//! CRLs are decoded with `der` derives of our own (`CertificateList`,
//! `TBSCertList`, `RevokedCertificate`) rather than x509-cert's: the
//! `tbsCertList` is kept as encoded and the signature checked over it,
//! v1 CRLs (no version) and serial numbers of any length parse as in Go,
//! and `revokedCertificates` is walked lazily, so that a 32 MiB CRL costs
//! one linear pass at parse time and one per lookup, with no allocation per
//! entry.
//!
//! Behaviour follows notation-core-go (`revocation/internal/crl`,
//! `revocation/crl/fetcher.go`):
//! - only `http` URLs ("Only supports CRL URL in HTTP protocol");
//! - the CRL must be signed by the certificate's issuer, which must be a CA
//!   allowed to sign CRLs; `nextUpdate` must be present and not passed;
//!   unknown critical CRL or entry extensions fail the check;
//! - the delta CRL is found through the base CRL's Freshest CRL extension
//!   (its URLs are tried in order until one works); its CRL number must be
//!   greater than the base's and its DeltaCRLIndicator at most the base's
//!   number; a certificate that names a Freshest CRL while its base CRL does
//!   not is not supported;
//! - entries: a listed serial is revoked unless the reason is
//!   certificateHold or removeFromCRL, where the latest such entry decides;
//!   an entry whose invalidityDate is after the authentic signing time does
//!   not revoke.
//!
//! Where the specification ("try each CDP URL until one works") and
//! the reference ("every URL must work, stop at the first failure") differ,
//! we follow RFC 5280 §4.2.1.13, which both approximate: the URIs of *one*
//! distribution point are alternative locations of the same CRL, so they are
//! tried in order until one gives a valid CRL (the specification's
//! redundancy); *separate* distribution points may be separate partitions,
//! so every one must give a valid CRL or the status is unknown (the
//! reference's completeness: a missing partition is never read as "not
//! revoked"). A CRL that lists the certificate as revoked decides at once.
//! For the usual certificate, with one distribution point holding one URI,
//! this is exactly the reference.
//!
//! Deliberately not supported, as in the reference: indirect CRLs (a
//! critical certificateIssuer entry extension fails the check), scoping by
//! the issuing distribution point (the extension is accepted and ignored),
//! and CRLs signed by a key other than the issuer's.
// Requirements: P4, P5, W14.

use std::ops::Range;
use std::sync::Arc;

use der::asn1::{BitStringRef, GeneralizedTime, IntRef};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};
use time::OffsetDateTime;
use x509_cert::time::Time;

use super::encoding::{self, Extensions, der_text};
use super::fetch::{CrlHttpRequest, FetchError, url_scheme};
use super::validator::CheckContext;
use super::{
    CertRevocationResult, RevocationMethod, RevocationStatus, ServerError, ServerResult, oids,
};
use crate::asn1util::{
    ContextTag, Element, EnumeratedValue, OidBytes, SequenceTag, Tlv, integer_to_decimal,
};
use crate::crypto::CryptoProvider;
use crate::timefmt;
use crate::x509::{
    CertSignatureAlgorithm, CertSignatureError, Certificate, DistinguishedName, KeyUsageBits,
};

/// CRL reason code `certificateHold` (RFC 5280 §5.3.1).
pub const REASON_CERTIFICATE_HOLD: u8 = 6;
/// CRL reason code `removeFromCRL` (RFC 5280 §5.3.1).
pub const REASON_REMOVE_FROM_CRL: u8 = 8;

/// A parsed CRL. Cloning is cheap (shared).
#[derive(Clone)]
pub struct Crl(Arc<CrlInner>);

struct CrlInner {
    der: Vec<u8>,
    tbs: Range<usize>,
    signature_algorithm: CertSignatureAlgorithm,
    signature: Range<usize>,
    raw_issuer: Range<usize>,
    issuer: DistinguishedName,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    number: Option<Range<usize>>,
    delta_indicator: Option<Range<usize>>,
    freshest_crl: Option<Range<usize>>,
    /// OIDs of critical extensions other than those understood.
    // Requirements: P4.
    unsupported_critical: Vec<Range<usize>>,
    entries: Option<Range<usize>>,
    entry_count: usize,
}

/// Why bytes are not a CRL. Texts follow Go's `x509.ParseRevocationList`
/// where it has one ("x509: malformed crl").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlParseError {
    /// The bytes are not a DER `CertificateList`.
    #[error("x509: malformed crl")]
    Malformed {
        /// What was wrong, for debugging (not part of the message, which is
        /// the reference's).
        detail: String,
    },
    /// A part of the CRL is malformed.
    #[error("x509: malformed {part}: {detail}")]
    MalformedPart {
        /// Which part.
        part: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A version other than v2.
    #[error("x509: unsupported crl version: {0}")]
    UnsupportedVersion(u64),
    /// The signature algorithms inside and outside the TBS differ.
    #[error("x509: inner and outer signature algorithm identifiers don't match")]
    SignatureAlgorithmMismatch,
}

impl CrlParseError {
    fn part(part: &'static str) -> impl FnOnce(String) -> CrlParseError {
        move |detail| CrlParseError::MalformedPart { part, detail }
    }

    /// A `der` error met while decoding `input`, as a malformed `part`.
    fn part_der(part: &'static str, input: &[u8]) -> impl FnOnce(der::Error) -> CrlParseError {
        move |e| CrlParseError::MalformedPart {
            part,
            detail: der_text(e, input),
        }
    }
}

/// One entry of a CRL's revokedCertificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry<'a> {
    serial: &'a [u8],
    revocation_date: OffsetDateTime,
    reason: Option<u8>,
    invalidity_date: Option<OffsetDateTime>,
    unsupported_critical: Option<&'a [u8]>,
}

impl<'a> RevokedEntry<'a> {
    /// The serial number (DER INTEGER contents).
    pub fn serial_number(&self) -> &'a [u8] {
        self.serial
    }

    /// revocationDate.
    pub fn revocation_date(&self) -> OffsetDateTime {
        self.revocation_date
    }

    /// The reasonCode entry extension, if present.
    pub fn reason_code(&self) -> Option<u8> {
        self.reason
    }

    /// The invalidityDate entry extension, if present.
    pub fn invalidity_date(&self) -> Option<OffsetDateTime> {
        self.invalidity_date
    }

    /// The OID of the first critical entry extension other than reasonCode
    /// and invalidityDate, in dotted form.
    pub fn unsupported_critical_extension(&self) -> Option<String> {
        self.unsupported_critical.map(|oid| OidBytes(oid).dotted())
    }
}

impl Crl {
    /// Parses a DER CRL (v1 or v2). Trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CrlParseError> {
        let parsed = parse(der)?;
        Ok(Crl(Arc::new(CrlInner {
            der: der.to_vec(),
            ..parsed
        })))
    }

    /// The CRL's DER bytes, as fetched (what a file cache stores).
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// The DER bytes of the TBSCertList, as signed.
    pub fn tbs_der(&self) -> &[u8] {
        &self.0.der[self.0.tbs.clone()]
    }

    /// The issuer name.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.0.issuer
    }

    /// The DER bytes of the issuer name, as encoded.
    pub fn raw_issuer(&self) -> &[u8] {
        &self.0.der[self.0.raw_issuer.clone()]
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.0.this_update
    }

    /// nextUpdate, if present.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.0.next_update
    }

    /// The CRL number (big-endian INTEGER contents), if present.
    pub fn number(&self) -> Option<&[u8]> {
        self.0.number.clone().map(|r| &self.0.der[r])
    }

    /// Whether this is a delta CRL (it has a DeltaCRLIndicator extension).
    pub fn is_delta(&self) -> bool {
        self.0.delta_indicator.is_some()
    }

    /// The Freshest CRL extension's URLs, parsed as Go parses them, or
    /// `None` when the extension is absent.
    pub fn freshest_crl_urls(&self) -> Option<Result<Vec<String>, InvalidDistributionPoint>> {
        self.0
            .freshest_crl
            .clone()
            .map(|r| distribution_point_urls(&self.0.der[r]))
    }

    /// How many certificates the CRL lists.
    pub fn revoked_count(&self) -> usize {
        self.0.entry_count
    }

    /// The revoked certificate entries, in order.
    pub fn revoked_entries(&self) -> impl Iterator<Item = RevokedEntry<'_>> + '_ {
        // Every entry was validated by `from_der`; a failure here cannot
        // happen and ends the iteration rather than panicking.
        entries(self.entries_contents(), None).map_while(Result::ok)
    }

    /// The entries about the serial number `serial` (INTEGER contents), in
    /// order. Only the serial number of the other entries is read: a
    /// lookup is one pass over the list, without allocation.
    pub(crate) fn revoked_entries_for<'a>(
        &'a self,
        serial: &'a [u8],
    ) -> impl Iterator<Item = RevokedEntry<'a>> + 'a {
        // Validated by `from_der`, as above.
        entries(self.entries_contents(), Some(serial)).map_while(Result::ok)
    }

    /// The contents of `revokedCertificates` (empty when absent).
    fn entries_contents(&self) -> &[u8] {
        self.0
            .entries
            .clone()
            .map(|r| &self.0.der[r])
            .unwrap_or_default()
    }

    /// Checks that `issuer` may sign CRLs and signed this one, as Go's
    /// `RevocationList.CheckSignatureFrom` does: a v3 issuer must be a CA
    /// and, when it has a key usage, must have cRLSign.
    pub fn check_signature_from(
        &self,
        issuer: &Certificate,
        crypto: &dyn CryptoProvider,
    ) -> Result<(), CertSignatureError> {
        let bc = issuer.basic_constraints();
        if (issuer.version() == 3 && bc.is_none()) || bc.is_some_and(|b| !b.ca) {
            return Err(CertSignatureError::ParentCannotSign);
        }
        if let Some((_, ku)) = issuer.key_usage()
            && ku.0 != 0
            && !ku.has(KeyUsageBits::CRL_SIGN)
        {
            return Err(CertSignatureError::ParentCannotSign);
        }
        crate::x509::check_signature(
            &self.0.signature_algorithm,
            self.tbs_der(),
            &self.0.der[self.0.signature.clone()],
            issuer.public_key(),
            crypto,
        )
    }

    /// Whether the CRL may be used at `now`: `nextUpdate` present and not
    /// passed (the cache's reuse rule).
    // Requirements: P6.
    pub fn is_effective_at(&self, now: OffsetDateTime) -> bool {
        self.0.next_update.is_some_and(|n| now <= n)
    }
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.0.issuer.to_string())
            .field("this_update", &self.0.this_update)
            .field("next_update", &self.0.next_update)
            .field("number", &self.number().map(integer_to_decimal))
            .field("delta", &self.is_delta())
            .field("revoked", &self.0.entry_count)
            .finish()
    }
}

impl PartialEq for Crl {
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}

impl Eq for Crl {}

/// The position of `inner`, a part of `outer`, in `outer`.
fn range_in(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    debug_assert!(start + inner.len() <= outer.len());
    start..start + inner.len()
}

// ------------------------------------------------------------ RFC 5280 types

/// `CertificateList` (RFC 5280 §5.1). The `tbsCertList` is kept as encoded:
/// the signature is checked over the bytes as they were signed, and
/// the outer algorithm identifier is compared with the inner one as bytes.
// Requirements: P4.
#[derive(der::Sequence)]
struct CertificateListDer<'a> {
    tbs_cert_list: Element<'a, SequenceTag>,
    signature_algorithm: Element<'a, SequenceTag>,
    signature: BitStringRef<'a>,
}

/// `TBSCertList` (RFC 5280 §5.1). Not x509-cert's `TbsCertList`, which
/// decodes every entry into a `Vec` and bounds serial numbers to 20 octets:
/// here `version` is optional (v1 CRLs have none), and
/// `revokedCertificates` is kept as encoded and walked lazily (see
/// [`entries`]), so that a hostile 32 MiB CRL costs one linear pass and no
/// allocation per entry.
#[derive(der::Sequence)]
struct TbsCertListDer<'a> {
    #[asn1(optional = "true")]
    version: Option<u64>,
    signature: Element<'a, SequenceTag>,
    issuer: Element<'a, SequenceTag>,
    this_update: Time,
    #[asn1(optional = "true")]
    next_update: Option<Time>,
    #[asn1(optional = "true")]
    revoked_certificates: Option<Element<'a, SequenceTag>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_extensions: Option<Element<'a, SequenceTag>>,
}

/// An entry of `revokedCertificates`. The serial number is any INTEGER, of
/// any length, as Go's `big.Int` reads it (RFC 5280 §4.1.2.2 asks CAs for
/// at most 20 octets; CRLs in use break it).
#[derive(der::Sequence)]
struct RevokedCertificateDer<'a> {
    user_certificate: IntRef<'a>,
    revocation_date: Time,
    #[asn1(optional = "true")]
    crl_entry_extensions: Option<Element<'a, SequenceTag>>,
}

fn parse(der: &[u8]) -> Result<CrlInner, CrlParseError> {
    let list = CertificateListDer::from_der(der).map_err(|e| CrlParseError::Malformed {
        detail: der_text(e, der),
    })?;
    let signature = list
        .signature
        .as_bytes()
        .ok_or_else(|| "bit string with unused bits".to_owned())
        .map_err(CrlParseError::part("signature"))?;

    let tbs_der = list.tbs_cert_list.der();
    let tbs =
        TbsCertListDer::from_der(tbs_der).map_err(CrlParseError::part_der("tbs crl", tbs_der))?;
    if let Some(v) = tbs.version
        && v != 1
    {
        return Err(CrlParseError::UnsupportedVersion(v));
    }
    if tbs.signature.der() != list.signature_algorithm.der() {
        return Err(CrlParseError::SignatureAlgorithmMismatch);
    }
    let signature_algorithm =
        encoding::algorithm(&list.signature_algorithm).map_err(CrlParseError::part_der(
            "signature algorithm identifier",
            list.signature_algorithm.der(),
        ))?;
    let issuer =
        DistinguishedName::from_der(tbs.issuer.der()).map_err(CrlParseError::part("issuer"))?;
    let this_update = encoding::datetime(tbs.this_update.to_unix_duration())
        .map_err(CrlParseError::part("thisUpdate"))?;
    let next_update = tbs
        .next_update
        .map(|t| encoding::datetime(t.to_unix_duration()))
        .transpose()
        .map_err(CrlParseError::part("nextUpdate"))?;

    // One pass over the entries, validating each as `revoked_entries` will
    // read it, allocating nothing per entry.
    let mut entry_count = 0;
    let entries_range = match &tbs.revoked_certificates {
        Some(list) => {
            for entry in entries(list.contents(), None) {
                entry.map_err(CrlParseError::part("revoked certificate"))?;
                entry_count += 1;
            }
            Some(range_in(der, list.contents()))
        }
        None => None,
    };

    let mut number = None;
    let mut delta_indicator = None;
    let mut freshest_crl = None;
    let mut unsupported_critical = Vec::new();
    let extensions = Extensions::decode_optional(tbs.crl_extensions.as_ref())
        .map_err(CrlParseError::part("crl extensions"))?;
    for ext in extensions.iter() {
        if ext.oid.is(&oids::CRL_NUMBER) {
            let n = non_negative_integer(ext.value).map_err(CrlParseError::part("crl number"))?;
            check_crl_number_length(n).map_err(CrlParseError::part("crl number"))?;
            number = Some(range_in(der, n));
        } else if ext.oid.is(&oids::DELTA_CRL_INDICATOR) {
            // Parsed when validating, to give the reference's message; only
            // its length is bounded here, as the CRL number's is.
            if let Ok(n) = IntRef::from_der(ext.value) {
                check_crl_number_length(n.as_bytes())
                    .map_err(CrlParseError::part("delta crl indicator"))?;
            }
            delta_indicator = Some(range_in(der, ext.value));
        } else if ext.oid.is(&oids::FRESHEST_CRL) {
            freshest_crl = Some(range_in(der, ext.value));
        } else if ext.oid.is(&oids::ISSUING_DISTRIBUTION_POINT) {
            // Critical, and accepted without reading its scope: every
            // distribution point of the certificate is checked anyway
            // (as in the reference).
        }
        // Only the issuing distribution point and the delta CRL indicator
        // are understood when critical (P4, as the reference).
        if ext.critical
            && !ext.oid.is(&oids::ISSUING_DISTRIBUTION_POINT)
            && !ext.oid.is(&oids::DELTA_CRL_INDICATOR)
        {
            unsupported_critical.push(range_in(der, ext.oid.0));
        }
    }

    Ok(CrlInner {
        der: Vec::new(),
        tbs: range_in(der, tbs_der),
        signature_algorithm,
        signature: range_in(der, signature),
        raw_issuer: range_in(der, tbs.issuer.der()),
        issuer,
        this_update,
        next_update,
        number,
        delta_indicator,
        freshest_crl,
        unsupported_critical,
        entries: entries_range,
        entry_count,
    })
}

/// The contents of a DER INTEGER that must not be negative (CRL numbers
/// and delta CRL indicators), as encoded.
fn non_negative_integer(value: &[u8]) -> Result<&[u8], String> {
    let n = IntRef::from_der(value).map_err(|e| der_text(e, value))?;
    let bytes = n.as_bytes();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return Err("negative".into());
    }
    Ok(bytes)
}

/// The longest CRL number (and delta CRL indicator, a base CRL number)
/// RFC 5280 §5.2.3 allows: 20 octets, not counting a sign octet.
pub const MAX_CRL_NUMBER_OCTETS: usize = 20;

/// Refuses a CRL number (INTEGER contents) over [`MAX_CRL_NUMBER_OCTETS`].
fn check_crl_number_length(n: &[u8]) -> Result<(), String> {
    let magnitude = n.iter().skip_while(|&&b| b == 0).count();
    if magnitude > MAX_CRL_NUMBER_OCTETS {
        return Err(format!(
            "{magnitude} octets long, more than the {MAX_CRL_NUMBER_OCTETS} octets RFC 5280 allows"
        ));
    }
    Ok(())
}

/// Compares two non-negative INTEGERs given as their contents octets.
fn cmp_uint(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |x: &[u8]| -> usize { x.iter().take_while(|&&b| b == 0).count() };
    let a = &a[strip(a)..];
    let b = &b[strip(b)..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The entries of a `revokedCertificates` list (its contents), decoded one
/// at a time with a `der` reader; the first error ends the iteration. With
/// `only`, just the entries about that serial number (INTEGER contents)
/// are given, and of the others only the serial number is read.
fn entries<'a>(
    contents: &'a [u8],
    only: Option<&'a [u8]>,
) -> impl Iterator<Item = Result<RevokedEntry<'a>, String>> + 'a {
    let mut reader = Some(SliceReader::new(contents));
    std::iter::from_fn(move || {
        loop {
            let next = match reader.as_mut()? {
                Ok(r) if r.is_finished() => return None,
                Ok(r) => next_entry(r, contents, only),
                Err(e) => Err(der_text(*e, contents)),
            };
            match next {
                Ok(None) => continue,
                Ok(Some(entry)) => return Some(Ok(entry)),
                Err(e) => {
                    // Nothing after a malformed entry can be read.
                    reader = None;
                    return Some(Err(e));
                }
            }
        }
    })
}

/// The next entry of `reader`, or `None` when it is not about `only`.
fn next_entry<'a>(
    reader: &mut SliceReader<'a>,
    contents: &'a [u8],
    only: Option<&[u8]>,
) -> Result<Option<RevokedEntry<'a>>, String> {
    let entry = match only {
        None => reader.decode::<RevokedCertificateDer<'a>>(),
        Some(serial) => {
            let element: Element<'a, SequenceTag> =
                reader.decode().map_err(|e| der_text(e, contents))?;
            let first: IntRef<'a> = element
                .reader()
                .and_then(|mut r| r.decode())
                .map_err(|e| der_text(e, element.contents()))?;
            if first.as_bytes() != serial {
                return Ok(None);
            }
            RevokedCertificateDer::from_der(element.der())
        }
    };
    parse_entry(entry.map_err(|e| der_text(e, contents))?).map(Some)
}

fn parse_entry(e: RevokedCertificateDer<'_>) -> Result<RevokedEntry<'_>, String> {
    let mut entry = RevokedEntry {
        serial: e.user_certificate.as_bytes(),
        revocation_date: encoding::datetime(e.revocation_date.to_unix_duration())
            .map_err(|e| format!("revocation date: {e}"))?,
        reason: None,
        invalidity_date: None,
        unsupported_critical: None,
    };
    let Some(list) = &e.crl_entry_extensions else {
        return Ok(entry);
    };
    let extensions = Extensions::decode(list).map_err(|e| format!("entry extensions: {e}"))?;
    for ext in extensions.iter() {
        if ext.oid.is(&oids::CRL_REASON) {
            // Any value, as Go reads it into an `int` (P5 only tells
            // certificateHold and removeFromCRL apart).
            let EnumeratedValue(code) = EnumeratedValue::from_der(ext.value)
                .map_err(|e| format!("reason code: {}", der_text(e, ext.value)))?;
            entry.reason =
                Some(u8::try_from(code).map_err(|_| format!("reason code: unknown value {code}"))?);
        } else if ext.oid.is(&oids::INVALIDITY_DATE) {
            let date = GeneralizedTime::from_der(ext.value)
                .map_err(|e| format!("invalidity date: {}", der_text(e, ext.value)))?;
            entry.invalidity_date = Some(
                encoding::datetime(date.to_unix_duration())
                    .map_err(|e| format!("invalidity date: {e}"))?,
            );
        } else if ext.critical && entry.unsupported_critical.is_none() {
            entry.unsupported_critical = Some(ext.oid.0);
        }
    }
    Ok(entry)
}

/// A distribution point extension that is not well-formed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidDistributionPoint {
    /// The outer SEQUENCE is missing.
    #[error("x509: invalid CRL distribution points")]
    Points,
    /// One DistributionPoint is malformed.
    #[error("x509: invalid CRL distribution point")]
    Point,
}

/// The URIs of a CRLDistributionPoints or FreshestCRL extension value,
/// parsed exactly as notation-core-go's `parseCRLDistributionPoint` (itself
/// borrowed from Go's `crypto/x509`): for each distribution point, the
/// leading URIs of its `fullName`; reading stops at the first name that is
/// not a URI; points without a name are skipped.
pub fn distribution_point_urls(value: &[u8]) -> Result<Vec<String>, InvalidDistributionPoint> {
    Ok(distribution_points(value)?.into_iter().flatten().collect())
}

/// As [`distribution_point_urls`], grouped by distribution point.
///
/// Decoded with `der`, with exactly Go's leniencies (the crl-core-go
/// vectors depend on them): bytes after the outer SEQUENCE, the fields of
/// a point after its name (reasons, cRLIssuer) and the names after the
/// leading URIs are not read; a point without a name, or with a name whose
/// tag is not `[0]`, gives no URL; a name that is not `fullName` fails.
// Requirements: W14.
pub(crate) fn distribution_points(
    value: &[u8],
) -> Result<Vec<Vec<String>>, InvalidDistributionPoint> {
    use InvalidDistributionPoint::*;
    /// `distributionPoint [0]` and `fullName [0]`, both constructed.
    const NAME: Tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(0),
    };
    /// `uniformResourceIdentifier [6] IMPLICIT IA5String`.
    const URI: Tag = Tag::ContextSpecific {
        constructed: false,
        number: TagNumber(6),
    };
    // Like cryptobyte's `ReadASN1(&val, SEQUENCE)`: no `finish()`, bytes
    // after the outer SEQUENCE are ignored.
    let mut outer = SliceReader::new(value).map_err(|_| Points)?;
    let points: Element<'_, SequenceTag> = outer.decode().map_err(|_| Points)?;
    let mut r = points.reader().map_err(|_| Point)?;
    let mut out = Vec::new();
    while !r.is_finished() {
        let point: Element<'_, SequenceTag> = r.decode().map_err(|_| Point)?;
        let mut fields = point.reader().map_err(|_| Point)?;
        if !next_is(&fields, NAME) {
            continue;
        }
        let name: Element<'_, ContextTag<0>> = fields.decode().map_err(|_| Point)?;
        let full_name: Element<'_, ContextTag<0>> = name
            .reader()
            .and_then(|mut n| n.decode())
            .map_err(|_| Point)?;
        let mut names = full_name.reader().map_err(|_| Point)?;
        let mut urls = Vec::new();
        while next_is(&names, URI) {
            let uri: Tlv<'_> = names.decode().map_err(|_| Point)?;
            urls.push(String::from_utf8_lossy(uri.contents()).into_owned());
        }
        out.push(urls);
    }
    Ok(out)
}

/// Whether the next element of `reader` has `tag`, as cryptobyte's
/// `PeekASN1Tag` answers: an identifier `der` cannot read is not `tag`.
fn next_is(reader: &SliceReader<'_>, tag: Tag) -> bool {
    !reader.is_finished() && Tag::peek(reader).is_ok_and(|t| t == tag)
}

/// A base CRL and its delta CRL: what is fetched for one distribution point
/// URL and what a [`CrlCache`](super::CrlCache) stores. Cloning is cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlBundle {
    base: Crl,
    delta: Option<Crl>,
}

impl CrlBundle {
    /// A bundle of a base CRL and an optional delta CRL.
    pub fn new(base: Crl, delta: Option<Crl>) -> Self {
        Self { base, delta }
    }

    /// The base CRL.
    pub fn base(&self) -> &Crl {
        &self.base
    }

    /// The delta CRL, if the base CRL names one.
    pub fn delta(&self) -> Option<&Crl> {
        self.delta.as_ref()
    }

    /// Whether a cached bundle may be reused at `now`: the base CRL and the
    /// delta CRL (if any) are within their `nextUpdate`.
    // Requirements: P6.
    pub fn is_effective_at(&self, now: OffsetDateTime) -> bool {
        self.base.is_effective_at(now) && self.delta.as_ref().is_none_or(|d| d.is_effective_at(now))
    }
}

/// Why a CRL bundle could not be obtained (notation-core-go's
/// `crl.HTTPFetcher.Fetch` errors).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlFetchError {
    /// Downloading or parsing the base or delta CRL failed.
    #[error("failed to retrieve CRL: {0}")]
    Retrieve(CrlDownloadError),
    /// Reading the cache failed (only when cache errors are fatal).
    #[error("failed to retrieve CRL from cache: {0}")]
    CacheGet(super::CacheError),
    /// Writing the cache failed (only when cache errors are fatal).
    #[error("failed to store CRL to cache: {0}")]
    CacheSet(super::CacheError),
}

/// Why one CRL could not be downloaded. Texts are the reference's.
// Requirements: P4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlDownloadError {
    /// A URL that is not `http`.
    // Requirements: P4.
    #[error("unsupported scheme: {scheme}. Only supports CRL URL in HTTP protocol")]
    UnsupportedScheme {
        /// The URL's scheme (empty when it has none).
        scheme: String,
        /// The URL.
        url: String,
    },
    /// The chain's revocation check used up its time before this download
    /// finished, or before it started.
    #[error(
        "the revocation check of the certificate chain exceeded its time limit of {:.2} seconds",
        timeout.as_secs_f64()
    )]
    ChainTimeout {
        /// The chain's time limit.
        timeout: std::time::Duration,
    },
    /// The fetcher failed (transport error or timeout).
    #[error("request failed: {0}")]
    Request(FetchError),
    /// A status other than 200.
    #[error("failed to download with status code: {status}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// More than the size limit (32 MiB by default).
    #[error("CRL size exceeds the limit: {limit}")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Not a CRL.
    #[error("{0}")]
    Parse(CrlParseError),
    /// The base CRL's Freshest CRL extension is malformed.
    #[error("failed to parse Freshest CRL extension: {0}")]
    FreshestCrl(InvalidDistributionPoint),
}

/// Why a CRL failed validation against the certificate's issuer.
// Requirements: P4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlInvalid {
    /// Not signed by the issuer, or the issuer may not sign CRLs.
    #[error("CRL is not signed by CA {issuer}: {error}")]
    Signature {
        /// The issuer's subject.
        issuer: String,
        /// Why.
        error: CertSignatureError,
    },
    /// The CRL names another issuer than the certificate's (RFC 5280
    /// §6.3.3; not checked by the reference, whose signature check implies
    /// it for all but pathological CAs).
    #[error("CRL issuer {crl_issuer} does not match the issuing CA {ca}")]
    IssuerMismatch {
        /// The CRL's issuer.
        crl_issuer: String,
        /// The issuing CA's subject.
        ca: String,
    },
    /// No nextUpdate (required).
    // Requirements: P4.
    #[error("CRL NextUpdate is not set")]
    MissingNextUpdate,
    /// nextUpdate has passed.
    // Requirements: P4.
    #[error(
        "expired CRL. Current time {} is after CRL NextUpdate {}",
        timefmt::go_utc_string(*now),
        timefmt::go_utc_string(*next_update)
    )]
    Expired {
        /// The time of the check.
        now: OffsetDateTime,
        /// The CRL's nextUpdate.
        next_update: OffsetDateTime,
    },
    /// A critical CRL extension that is not understood.
    // Requirements: P4.
    #[error("unsupported critical extension found in CRL: {oid}")]
    UnsupportedCriticalExtension {
        /// Its OID, dotted.
        oid: String,
    },
}

/// Why a base/delta CRL pair failed validation.
// Requirements: P4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlValidationError {
    /// The base CRL is invalid.
    #[error("failed to validate base CRL: {0}")]
    Base(CrlInvalid),
    /// The delta CRL is invalid.
    #[error("failed to validate delta CRL: {0}")]
    Delta(CrlInvalid),
    /// The CRL at the distribution point is itself a delta CRL: it cannot
    /// be read as complete.
    #[error("the CRL at the distribution point is a delta CRL, not a complete CRL")]
    BaseIsDelta,
    /// A CRL of the pair has no CRL number, so they cannot be matched.
    #[error("{which} CRL has no CRL number")]
    MissingNumber {
        /// "base" or "delta".
        which: &'static str,
    },
    /// The delta CRL is not newer than the base CRL.
    #[error("delta CRL number {delta} is not greater than the base CRL number {base}")]
    DeltaNotNewer {
        /// The delta CRL's number, decimal.
        delta: String,
        /// The base CRL's number, decimal.
        base: String,
    },
    /// The delta CRL has no DeltaCRLIndicator.
    #[error("delta CRL indicator extension is not found")]
    MissingDeltaIndicator,
    /// The DeltaCRLIndicator is not an INTEGER.
    #[error("failed to parse delta CRL indicator extension")]
    InvalidDeltaIndicator,
    /// The delta CRL applies to a newer base CRL than the one fetched.
    #[error(
        "delta CRL indicator {indicator} is not less than or equal to the base CRL number {base}"
    )]
    DeltaForNewerBase {
        /// The DeltaCRLIndicator (minimum base CRL number), decimal.
        indicator: String,
        /// The base CRL's number, decimal.
        base: String,
    },
}

/// Why a matching CRL entry could not be evaluated.
// Requirements: P5.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlEntryError {
    /// A critical entry extension that is not understood (indirect CRLs'
    /// certificateIssuer, for one).
    #[error("unsupported critical extension found in CRL: {oid}")]
    UnsupportedCriticalExtension {
        /// Its OID, dotted.
        oid: String,
    },
}

/// What went wrong with one CRL distribution point URL, as recorded in a
/// [`ServerResult`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// The CRL bundle could not be obtained.
    #[error("failed to download CRL from {url}: {error}")]
    Download {
        /// The distribution point URL.
        url: String,
        /// Why.
        error: CrlFetchError,
    },
    /// The certificate names a Freshest CRL but its base CRL does not (not
    /// supported, as in the reference).
    #[error("freshest CRL from certificate extension is not supported")]
    FreshestCrlFromCertificate,
    /// The CRLs are not valid for the certificate's issuer.
    #[error("failed to validate CRL from {url}: {error}")]
    Validation {
        /// The distribution point URL.
        url: String,
        /// Why.
        error: CrlValidationError,
    },
    /// The certificate's entry could not be evaluated.
    #[error("failed to check revocation status from {url}: {error}")]
    Entry {
        /// The distribution point URL.
        url: String,
        /// Why.
        error: CrlEntryError,
    },
    /// The certificate's CRL distribution points extension is malformed.
    #[error("failed to parse CRL distribution points: {0}")]
    DistributionPoints(InvalidDistributionPoint),
}

/// Validates a bundle against the certificate's issuer at `now`.
// Requirements: P4.
pub fn validate_bundle(
    bundle: &CrlBundle,
    issuer: &Certificate,
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<(), CrlValidationError> {
    let base = bundle.base();
    validate_crl(base, issuer, now, crypto).map_err(CrlValidationError::Base)?;
    if base.is_delta() {
        return Err(CrlValidationError::BaseIsDelta);
    }
    let Some(delta) = bundle.delta() else {
        return Ok(());
    };
    validate_crl(delta, issuer, now, crypto).map_err(CrlValidationError::Delta)?;
    let base_number = base
        .number()
        .ok_or(CrlValidationError::MissingNumber { which: "base" })?;
    let delta_number = delta
        .number()
        .ok_or(CrlValidationError::MissingNumber { which: "delta" })?;
    if cmp_uint(delta_number, base_number).is_le() {
        return Err(CrlValidationError::DeltaNotNewer {
            delta: integer_to_decimal(delta_number),
            base: integer_to_decimal(base_number),
        });
    }
    let indicator = delta
        .0
        .delta_indicator
        .clone()
        .map(|r| &delta.0.der[r])
        .ok_or(CrlValidationError::MissingDeltaIndicator)?;
    let indicator =
        non_negative_integer(indicator).map_err(|_| CrlValidationError::InvalidDeltaIndicator)?;
    if cmp_uint(indicator, base_number).is_gt() {
        return Err(CrlValidationError::DeltaForNewerBase {
            indicator: integer_to_decimal(indicator),
            base: integer_to_decimal(base_number),
        });
    }
    Ok(())
}

fn validate_crl(
    crl: &Crl,
    issuer: &Certificate,
    now: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<(), CrlInvalid> {
    crl.check_signature_from(issuer, crypto)
        .map_err(|source| CrlInvalid::Signature {
            issuer: issuer.subject().to_string(),
            error: source,
        })?;
    if crl.raw_issuer() != issuer.raw_subject() && crl.issuer() != issuer.subject() {
        return Err(CrlInvalid::IssuerMismatch {
            crl_issuer: crl.issuer().to_string(),
            ca: issuer.subject().to_string(),
        });
    }
    let next_update = crl.next_update().ok_or(CrlInvalid::MissingNextUpdate)?;
    if now > next_update {
        return Err(CrlInvalid::Expired { now, next_update });
    }
    if let Some(oid) = crl.0.unsupported_critical.first() {
        return Err(CrlInvalid::UnsupportedCriticalExtension {
            oid: OidBytes(&crl.0.der[oid.clone()]).dotted(),
        });
    }
    Ok(())
}

/// The status of `cert` in a validated bundle: [`RevocationStatus::Ok`]
/// or [`RevocationStatus::Revoked`]. `authentic_signing_time` is the signed
/// time of a `notary.x509.signingAuthority` signature.
// Requirements: P5.
pub fn entry_status(
    bundle: &CrlBundle,
    cert: &Certificate,
    authentic_signing_time: Option<OffsetDateTime>,
) -> Result<RevocationStatus, CrlEntryError> {
    let serial = cert.serial_number();
    // The latest certificateHold / removeFromCRL entry decides, when no
    // other reason revokes the certificate for good.
    let mut latest_hold: Option<(OffsetDateTime, u8)> = None;
    let entries = bundle.base().revoked_entries_for(serial).chain(
        bundle
            .delta()
            .into_iter()
            .flat_map(|d| d.revoked_entries_for(serial)),
    );
    for entry in entries {
        if let Some(oid) = entry.unsupported_critical_extension() {
            return Err(CrlEntryError::UnsupportedCriticalExtension { oid });
        }
        if let (Some(signed), Some(invalid)) = (authentic_signing_time, entry.invalidity_date())
            && signed < invalid
        {
            // Signed before the key became invalid: the signature stands
            // (P5, as the reference: this entry decides).
            return Ok(RevocationStatus::Ok);
        }
        match entry.reason_code() {
            Some(code @ (REASON_CERTIFICATE_HOLD | REASON_REMOVE_FROM_CRL)) => {
                if latest_hold.is_none_or(|(t, _)| t < entry.revocation_date()) {
                    latest_hold = Some((entry.revocation_date(), code));
                }
            }
            _ => return Ok(RevocationStatus::Revoked),
        }
    }
    Ok(match latest_hold {
        Some((_, REASON_CERTIFICATE_HOLD)) => RevocationStatus::Revoked,
        _ => RevocationStatus::Ok,
    })
}

/// The whole CRL verdict for `cert` from one bundle: validation against
/// `issuer` at `now`, then the entries.
// Requirements: P4, P5.
pub fn check_bundle(
    bundle: &CrlBundle,
    cert: &Certificate,
    issuer: &Certificate,
    now: OffsetDateTime,
    authentic_signing_time: Option<OffsetDateTime>,
    crypto: &dyn CryptoProvider,
) -> Result<RevocationStatus, CrlCheckError> {
    validate_bundle(bundle, issuer, now, crypto).map_err(CrlCheckError::Validation)?;
    entry_status(bundle, cert, authentic_signing_time).map_err(CrlCheckError::Entry)
}

/// Why [`check_bundle`] gave no verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlCheckError {
    /// The bundle is not valid for the issuer.
    #[error("{0}")]
    Validation(CrlValidationError),
    /// The certificate's entry could not be evaluated.
    #[error("{0}")]
    Entry(CrlEntryError),
}

/// Downloads and parses one CRL (the reference's `fetchCRL`).
fn download(ctx: &CheckContext<'_>, url: &str) -> Result<Crl, CrlDownloadError> {
    let scheme = url_scheme(url);
    if scheme != "http" {
        return Err(CrlDownloadError::UnsupportedScheme {
            scheme,
            url: url.to_owned(),
        });
    }
    let limit = ctx.crl_max_size;
    let chain_timeout = CrlDownloadError::ChainTimeout {
        timeout: ctx.chain_timeout,
    };
    let timeout = ctx
        .request_timeout(ctx.crl_timeout)
        .ok_or(chain_timeout.clone())?;
    let request = CrlHttpRequest::new(url, timeout, limit);
    let body = ctx.fetcher.fetch_crl(&request).map_err(|e| match e {
        FetchError::Timeout if ctx.past_deadline() => chain_timeout,
        FetchError::HttpStatus { status } => CrlDownloadError::HttpStatus { status },
        FetchError::TooLarge { .. } => CrlDownloadError::TooLarge { limit },
        other => CrlDownloadError::Request(other),
    })?;
    // Every byte fetched is checked against the limit before it is parsed,
    // whatever the fetcher did.
    if body.len() > limit {
        return Err(CrlDownloadError::TooLarge { limit });
    }
    Crl::from_der(&body).map_err(CrlDownloadError::Parse)
}

/// Fetches the bundle for a distribution point URL: from the cache while it
/// is effective, else the base CRL and the delta CRL its Freshest CRL
/// extension names (URLs tried in order until one works), then stores it.
pub(crate) fn fetch_bundle(ctx: &CheckContext<'_>, url: &str) -> Result<CrlBundle, CrlFetchError> {
    if let Some(cache) = ctx.cache {
        match cache.get(url) {
            Ok(Some(bundle)) if bundle.is_effective_at(ctx.now) => return Ok(bundle),
            Ok(_) => {}
            Err(e) if ctx.cache_errors_fatal => return Err(CrlFetchError::CacheGet(e)),
            Err(_) => {}
        }
    }
    let base = download(ctx, url).map_err(CrlFetchError::Retrieve)?;
    let delta = match base.freshest_crl_urls() {
        None => None,
        Some(urls) => {
            let urls =
                urls.map_err(|e| CrlFetchError::Retrieve(CrlDownloadError::FreshestCrl(e)))?;
            let mut last_error = None;
            let mut delta = None;
            // Low 1: a base CRL naming thousands of delta CRLs gets the
            // first few tried.
            for delta_url in urls.iter().take(ctx.max_urls) {
                match download(ctx, delta_url) {
                    Ok(crl) => {
                        delta = Some(crl);
                        break;
                    }
                    Err(e) => last_error = Some(e),
                }
            }
            match (delta, last_error) {
                (Some(d), _) => Some(d),
                (None, Some(e)) => return Err(CrlFetchError::Retrieve(e)),
                (None, None) => None,
            }
        }
    };
    let bundle = CrlBundle::new(base, delta);
    if let Some(cache) = ctx.cache
        && let Err(e) = cache.set(url, &bundle)
        && ctx.cache_errors_fatal
    {
        return Err(CrlFetchError::CacheSet(e));
    }
    Ok(bundle)
}

/// The CRL distribution points of a certificate, grouped by point, and
/// whether it has a Freshest CRL extension.
pub(crate) fn certificate_crl_info(
    cert: &Certificate,
) -> Result<(Vec<Vec<String>>, bool), InvalidDistributionPoint> {
    // The certificate parsed once already; its TBS cannot fail here, but an
    // error is reported rather than assumed away.
    let fields =
        encoding::certificate_fields(cert).map_err(|_| InvalidDistributionPoint::Points)?;
    let points = match &fields.crl_distribution_points {
        Some(value) => distribution_points(value)?,
        None => Vec::new(),
    };
    Ok((points, fields.freshest_crl))
}

/// Whether the certificate names any CRL URL.
pub(crate) fn supported(cert: &Certificate) -> bool {
    certificate_crl_info(cert).is_ok_and(|(points, _)| points.iter().any(|p| !p.is_empty()))
}

/// The CRL check of one certificate (see the module
/// documentation).
// Requirements: P4, P5, W14.
pub(crate) fn check_certificate(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
) -> CertRevocationResult {
    let unknown = |url: String, error: CrlError| ServerResult {
        url,
        method: RevocationMethod::Crl,
        status: RevocationStatus::Unknown,
        error: Some(ServerError::Crl(error)),
    };
    let (points, freshest_in_cert) = match certificate_crl_info(cert) {
        Ok(info) => info,
        Err(e) => {
            return CertRevocationResult {
                status: RevocationStatus::Unknown,
                method: Some(RevocationMethod::Crl),
                server_results: vec![unknown(String::new(), CrlError::DistributionPoints(e))],
            };
        }
    };
    let mut server_results = Vec::new();
    let mut incomplete = false;
    let count: usize = points.iter().map(Vec::len).sum();
    let mut tried = 0;
    let mut first_skipped = None;
    for point in points.iter().filter(|p| !p.is_empty()) {
        let mut decided = false;
        for url in point {
            // Low 1: at most a few URLs per certificate, whatever it names.
            if tried == ctx.max_urls {
                first_skipped.get_or_insert_with(|| url.clone());
                break;
            }
            tried += 1;
            match check_url(ctx, cert, issuer, url, freshest_in_cert) {
                Ok(status) => {
                    server_results.push(ServerResult {
                        url: url.clone(),
                        method: RevocationMethod::Crl,
                        status,
                        error: None,
                    });
                    if status == RevocationStatus::Revoked {
                        return CertRevocationResult {
                            status,
                            method: Some(RevocationMethod::Crl),
                            server_results,
                        };
                    }
                    decided = true;
                    break;
                }
                Err(e) => server_results.push(unknown(url.clone(), e)),
            }
        }
        incomplete |= !decided;
    }
    if let Some(url) = first_skipped {
        server_results.push(ServerResult {
            url,
            method: RevocationMethod::Crl,
            status: RevocationStatus::Unknown,
            error: Some(ServerError::TooManyUrls {
                method: RevocationMethod::Crl,
                count,
                limit: ctx.max_urls,
            }),
        });
    }
    CertRevocationResult {
        status: if incomplete || server_results.is_empty() {
            RevocationStatus::Unknown
        } else {
            RevocationStatus::Ok
        },
        method: Some(RevocationMethod::Crl),
        server_results,
    }
}

fn check_url(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    url: &str,
    freshest_in_cert: bool,
) -> Result<RevocationStatus, CrlError> {
    let bundle = fetch_bundle(ctx, url).map_err(|source| CrlError::Download {
        url: url.to_owned(),
        error: source,
    })?;
    if freshest_in_cert && bundle.delta().is_none() {
        // The certificate's Freshest CRL may have another scope than the
        // base CRL's; the reference refuses rather than guess.
        return Err(CrlError::FreshestCrlFromCertificate);
    }
    validate_bundle(&bundle, issuer, ctx.now, ctx.crypto).map_err(|source| {
        CrlError::Validation {
            url: url.to_owned(),
            error: source,
        }
    })?;
    entry_status(&bundle, cert, ctx.signing_time).map_err(|source| CrlError::Entry {
        url: url.to_owned(),
        error: source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_points_parse_like_go() {
        let urls = |hex: &str| distribution_point_urls(&crate::hex::decode(hex).unwrap());
        // The Freshest CRL values of notation-core-go's test certificates.
        assert_eq!(urls("30043002a000"), Err(InvalidDistributionPoint::Point));
        assert_eq!(urls("30023000"), Ok(vec![]));
        assert_eq!(urls("30093007a005a0038501ff"), Ok(vec![]));
        assert_eq!(urls("30063004a002a000"), Ok(vec![]));
        assert_eq!(urls(""), Err(InvalidDistributionPoint::Points));
        // Two points: two URIs (alternatives), then one.
        let v = "3015300aa008a006860161860162".to_owned() + "3007a005a003860163";
        let grouped = distribution_points(&crate::hex::decode(&v).unwrap()).unwrap();
        assert_eq!(grouped, vec![vec!["a", "b"], vec!["c"]]);
        // Reading stops at the first name that is not a URI.
        assert_eq!(
            urls("300d300ba009a007860161a400860162"),
            Ok(vec!["a".into()])
        );
    }

    /// Go's leniencies that the crl-core-go vectors do not reach.
    #[test]
    fn distribution_points_keep_the_other_go_leniencies() {
        let grouped = |hex: &str| distribution_points(&crate::hex::decode(hex).unwrap());
        let a = Ok(vec![vec!["a".to_owned()]]);
        // One point, one URI.
        assert_eq!(grouped("30093007a005a003860161"), a);
        // Bytes after the outer SEQUENCE are not read.
        assert_eq!(grouped("30093007a005a003860161ffff"), a);
        // Nor what follows a point's name, even when it is not DER.
        assert_eq!(grouped("300a3008a005a003860161ff"), a);
        // Nor what follows the leading URIs, even what `der` cannot read.
        assert_eq!(grouped("300b3009a007a0058601610700"), a);
        // Points without a name (nothing, cRLIssuer only, an identifier
        // `der` does not know) give no URL.
        assert_eq!(grouped("30023000"), Ok(vec![]));
        assert_eq!(grouped("30063004a2023000"), Ok(vec![]));
        assert_eq!(grouped("300430020700"), Ok(vec![]));
        // nameRelativeToCRLIssuer fails, as in Go.
        assert_eq!(
            grouped("30063004a002a100"),
            Err(InvalidDistributionPoint::Point)
        );
        // A URI must be DER.
        assert_eq!(
            grouped("300a3008a006a00486810161"),
            Err(InvalidDistributionPoint::Point)
        );
        // Not a SEQUENCE.
        assert_eq!(grouped("3100"), Err(InvalidDistributionPoint::Points));
    }

    fn sequence(contents: &[u8]) -> Vec<u8> {
        use der::Encode;
        der::asn1::AnyRef::new(Tag::Sequence, contents)
            .unwrap()
            .to_der()
            .unwrap()
    }

    /// DER of an Extension.
    fn extension(oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
        use der::Encode;
        let mut body = const_oid::ObjectIdentifier::new_unwrap(oid)
            .to_der()
            .unwrap();
        if critical {
            body.extend(true.to_der().unwrap());
        }
        body.extend(
            der::asn1::OctetStringRef::new(value)
                .unwrap()
                .to_der()
                .unwrap(),
        );
        sequence(&body)
    }

    /// A CRL encoded with this module's own types. It is not signed:
    /// parsing does not check the signature.
    fn build(
        version: Option<u64>,
        entries: &[(&[u8], Option<Vec<u8>>)],
        extensions: Option<Vec<u8>>,
    ) -> Vec<u8> {
        use der::Encode;
        let alg = spki::AlgorithmIdentifierRef {
            oid: crate::oid::SHA256_WITH_RSA,
            parameters: Some(der::asn1::AnyRef::NULL),
        }
        .to_der()
        .unwrap();
        let issuer: x509_cert::name::Name = "CN=Test CA".parse().unwrap();
        let issuer = issuer.to_der().unwrap();
        let at = |secs| {
            Time::UtcTime(
                der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(secs))
                    .unwrap(),
            )
        };
        let entries: Vec<u8> = entries
            .iter()
            .map(|(serial, exts)| {
                RevokedCertificateDer {
                    user_certificate: IntRef::new(serial).unwrap(),
                    revocation_date: at(1_700_000_000),
                    crl_entry_extensions: exts.as_deref().map(|e| Element::from_der(e).unwrap()),
                }
                .to_der()
                .unwrap()
            })
            .collect::<Vec<_>>()
            .concat();
        let list = (!entries.is_empty()).then(|| sequence(&entries));
        let tbs = TbsCertListDer {
            version,
            signature: Element::from_der(&alg).unwrap(),
            issuer: Element::from_der(&issuer).unwrap(),
            this_update: at(1_700_000_000),
            next_update: Some(at(1_700_086_400)),
            revoked_certificates: list.as_deref().map(|l| Element::from_der(l).unwrap()),
            crl_extensions: extensions.as_deref().map(|e| Element::from_der(e).unwrap()),
        }
        .to_der()
        .unwrap();
        CertificateListDer {
            tbs_cert_list: Element::from_der(&tbs).unwrap(),
            signature_algorithm: Element::from_der(&alg).unwrap(),
            signature: BitStringRef::from_bytes(&[1, 2, 3]).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn v1_crls_and_long_serial_numbers_parse_as_in_go() {
        // RFC 5280 bounds serial numbers to 20 octets; Go reads any INTEGER.
        let long = [0x42u8; 32];
        let negative = [0x80u8];
        let der = build(
            None,
            &[(&long, None), (&negative, None), (&[5], None)],
            None,
        );
        let crl = Crl::from_der(&der).unwrap();
        assert_eq!(crl.revoked_count(), 3);
        assert_eq!(crl.number(), None);
        assert_eq!(crl.issuer().to_string(), "CN=Test CA");
        let serials: Vec<&[u8]> = crl.revoked_entries().map(|e| e.serial_number()).collect();
        assert_eq!(serials, [&long[..], &negative, &[5]]);
        assert_eq!(crl.revoked_entries_for(&long).count(), 1);
        assert_eq!(crl.revoked_entries_for(&[6]).count(), 0);
        // The TBS is kept as encoded, for the signature.
        assert!(der.windows(crl.tbs_der().len()).any(|w| w == crl.tbs_der()));

        assert!(Crl::from_der(&build(Some(1), &[], None)).is_ok());
        assert_eq!(
            Crl::from_der(&build(Some(2), &[], None)).unwrap_err(),
            CrlParseError::UnsupportedVersion(2)
        );
    }

    #[test]
    fn strict_der_in_crls() {
        // A non-minimal INTEGER (`der` writes what it is given).
        let e = Crl::from_der(&build(None, &[(&[0x00, 0x05], None)], None)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x509: malformed revoked certificate: asn1: structure error: INTEGER not canonically encoded (not DER)"
        );
        // Trailing data.
        let mut der = build(None, &[(&[5], None)], None);
        der.push(0);
        assert!(matches!(
            Crl::from_der(&der),
            Err(CrlParseError::Malformed { .. })
        ));
        // A non-minimal length: the outer SEQUENCE's length in a longer
        // form than needed.
        let der = build(None, &[(&[5], None)], None);
        let long = match der[1] {
            n if n < 0x80 => [&[0x30, 0x81, n][..], &der[2..]].concat(),
            0x81 => [&[0x30, 0x82, 0x00, der[2]][..], &der[3..]].concat(),
            other => panic!("unexpected length octet {other:#x}"),
        };
        assert!(matches!(
            Crl::from_der(&long),
            Err(CrlParseError::Malformed { .. })
        ));
        assert!(Crl::from_der(&der).is_ok());
        // TRUE as 0x01 in an entry extension.
        let loose = sequence(&[
            0x30, 0x0b, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x01, 0x01, 0x01, 0x04, 0x01, 0x00,
        ]);
        let e = Crl::from_der(&build(None, &[(&[5], Some(loose))], None)).unwrap_err();
        assert!(
            matches!(
                &e,
                CrlParseError::MalformedPart {
                    part: "revoked certificate",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn entry_and_crl_extensions() {
        let reason = |code: &[u8]| extension("2.5.29.21", false, code);
        let invalidity = extension("2.5.29.24", false, b"\x18\x0f20231101000000Z");
        let hold = sequence(&[reason(&[0x0a, 0x01, 0x06]), invalidity].concat());
        let critical = sequence(&extension("2.5.29.29", true, &[0x30, 0x00]));
        let crl_exts = |exts: &[Vec<u8>]| sequence(&exts.concat());
        let number = extension("2.5.29.20", false, &[0x02, 0x02, 0x00, 0x80]);
        let der = build(
            Some(1),
            &[(&[5], Some(hold)), (&[6], Some(critical))],
            Some(crl_exts(std::slice::from_ref(&number))),
        );
        let crl = Crl::from_der(&der).unwrap();
        assert_eq!(crl.number(), Some(&[0x00, 0x80][..]));
        assert!(format!("{crl:?}").contains("number: Some(\"128\")"));
        let entries: Vec<RevokedEntry<'_>> = crl.revoked_entries().collect();
        assert_eq!(entries[0].reason_code(), Some(REASON_CERTIFICATE_HOLD));
        assert_eq!(
            entries[0].invalidity_date(),
            Some(time::macros::datetime!(2023-11-01 00:00:00 UTC))
        );
        assert_eq!(entries[0].unsupported_critical_extension(), None);
        assert_eq!(
            entries[1].unsupported_critical_extension().as_deref(),
            Some("2.5.29.29")
        );

        // Refused: a reason code above 255, a negative CRL number, the same
        // extension twice.
        let big = sequence(&reason(&[0x0a, 0x02, 0x01, 0x2c]));
        let e = Crl::from_der(&build(None, &[(&[5], Some(big))], None)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x509: malformed revoked certificate: reason code: unknown value 300"
        );
        let negative = extension("2.5.29.20", false, &[0x02, 0x01, 0xff]);
        let e = Crl::from_der(&build(Some(1), &[], Some(crl_exts(&[negative])))).unwrap_err();
        assert_eq!(e.to_string(), "x509: malformed crl number: negative");
        let twice = crl_exts(&[number.clone(), number]);
        let e = Crl::from_der(&build(Some(1), &[], Some(twice))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x509: malformed crl extensions: duplicate extension 2.5.29.20"
        );
    }

    /// From the deleted walker's tests: CRL numbers (INTEGER contents)
    /// compare and print as numbers.
    #[test]
    fn crl_numbers_compare_and_print_as_numbers() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_uint(&[0x00, 0x05], &[0x05]), Equal);
        assert_eq!(cmp_uint(&[0x01, 0x00], &[0x7f]), Greater);
        assert_eq!(cmp_uint(&[0x00, 0xff], &[0x01, 0x00]), Less);
        assert_eq!(integer_to_decimal(&[0x10, 0x00]), "4096");
        assert_eq!(integer_to_decimal(&[0x00, 0x80]), "128");
        assert_eq!(
            integer_to_decimal(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
            "18446744073709551616"
        );
    }

    /// RFC 5280 §5.2.3 (Low 2 of the audit): CRL numbers and delta CRL
    /// indicators longer than 20 octets are refused when parsing; 20
    /// octets, with or without a sign octet, are accepted.
    #[test]
    fn crl_numbers_over_20_octets_are_refused() {
        let integer = |contents: &[u8]| [&[0x02, contents.len() as u8][..], contents].concat();
        let crl = |oid: &str, contents: &[u8]| {
            let ext = extension(oid, oid == "2.5.29.27", &integer(contents));
            Crl::from_der(&build(Some(1), &[], Some(sequence(&ext))))
        };
        let twenty = [0x7f; 20];
        let twenty_signed = [&[0x00][..], &[0xff; 20]].concat();
        let twenty_one = [0x7f; 21];
        for oid in ["2.5.29.20", "2.5.29.27"] {
            assert!(crl(oid, &twenty).is_ok(), "{oid}");
            assert!(crl(oid, &twenty_signed).is_ok(), "{oid}");
        }
        assert_eq!(
            crl("2.5.29.20", &twenty).unwrap().number(),
            Some(&twenty[..])
        );
        assert_eq!(
            crl("2.5.29.20", &twenty_one).unwrap_err().to_string(),
            "x509: malformed crl number: 21 octets long, more than the 20 octets RFC 5280 allows"
        );
        assert_eq!(
            crl("2.5.29.27", &twenty_one).unwrap_err().to_string(),
            "x509: malformed delta crl indicator: 21 octets long, more than the 20 octets RFC 5280 allows"
        );
        // A hostile length: refused before any decimal conversion.
        let huge = [0x7f; 100];
        assert!(crl("2.5.29.20", &huge).is_err());
    }

    #[test]
    fn garbage_is_a_malformed_crl() {
        let e = Crl::from_der(b"invalid crl").unwrap_err();
        assert_eq!(e.to_string(), "x509: malformed crl");
        assert!(Crl::from_der(&[]).is_err());
        assert!(Crl::from_der(&[0x30, 0x00]).is_err());
    }
}
