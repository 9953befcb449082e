//! A CRL parsed strictly from DER, its entries walked lazily.

use super::*;

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
    /// No version: a v1 CRL, which Go's `ParseRevocationList` refuses.
    #[error("x509: unsupported crl version")]
    MissingVersion,
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

    /// The reasonCode entry extension, if present (a code outside 0-255,
    /// which no CA uses, reads as none).
    pub fn reason_code(&self) -> Option<u8> {
        self.reason
    }

    /// The invalidityDate entry extension, if present and readable.
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

    /// The DeltaCRLIndicator's value (the base CRL number, as encoded).
    pub(super) fn delta_indicator(&self) -> Option<&[u8]> {
        self.0.delta_indicator.clone().map(|r| &self.0.der[r])
    }

    /// The first critical CRL extension not understood, as a dotted OID.
    // Requirements: P4.
    pub(super) fn unsupported_critical_extension(&self) -> Option<String> {
        let oid = self.0.unsupported_critical.first()?;
        Some(OidBytes(&self.0.der[oid.clone()]).dotted())
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
    /// lookup is one pass over the list, without allocation. An entry about
    /// `serial` whose invalidity date does not parse is an error (the one
    /// part `from_der` leaves unread), and ends the iteration.
    pub(crate) fn revoked_entries_for<'a>(
        &'a self,
        serial: &'a [u8],
    ) -> impl Iterator<Item = Result<RevokedEntry<'a>, String>> + 'a {
        entries(self.entries_contents(), Some(serial))
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
/// here `version` is optional (v1 CRLs have none; they are refused after
/// decoding, with Go's text), and
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
    // Go's ParseRevocationList takes v2 CRLs only, whatever RFC 5280
    // allows of v1 (no version field).
    match tbs.version {
        None => return Err(CrlParseError::MissingVersion),
        Some(1) => {}
        Some(v) => return Err(CrlParseError::UnsupportedVersion(v)),
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
pub(super) fn non_negative_integer(value: &[u8]) -> Result<&[u8], String> {
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
pub(super) fn cmp_uint(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
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
    parse_entry(entry.map_err(|e| der_text(e, contents))?, only.is_some()).map(Some)
}

/// Reads one entry. An invalidity date that does not parse fails only the
/// entry about the certificate checked (`about_checked`); elsewhere it
/// reads as none, so that it does not fail the CRL (Go's
/// ParseRevocationList does not read it; notation-core-go reads it for the
/// matching entry only).
fn parse_entry(
    e: RevokedCertificateDer<'_>,
    about_checked: bool,
) -> Result<RevokedEntry<'_>, String> {
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
            // A code outside 0-255 (none is defined) reads as no code: a
            // permanent revocation, as in the reference.
            let EnumeratedValue(code) = EnumeratedValue::from_der(ext.value)
                .map_err(|e| format!("reason code: {}", der_text(e, ext.value)))?;
            entry.reason = u8::try_from(code).ok();
            // The reference knows only the invalidity date among entry
            // extensions: a reason code marked critical is unsupported.
            if ext.critical && entry.unsupported_critical.is_none() {
                entry.unsupported_critical = Some(ext.oid.0);
            }
        } else if ext.oid.is(&oids::INVALIDITY_DATE) {
            let date = GeneralizedTime::from_der(ext.value)
                .map_err(|e| format!("invalidity date: {}", der_text(e, ext.value)))
                .and_then(|date| {
                    encoding::datetime(date.to_unix_duration())
                        .map_err(|e| format!("invalidity date: {e}"))
                });
            entry.invalidity_date = match date {
                Ok(date) => Some(date),
                // The reference stops at the first extension that fails:
                // a critical reason code before the date is that one.
                Err(e) if about_checked && entry.unsupported_critical.is_none() => return Err(e),
                Err(_) => None,
            };
        } else if ext.critical && entry.unsupported_critical.is_none() {
            entry.unsupported_critical = Some(ext.oid.0);
        }
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(contents: &[u8]) -> Vec<u8> {
        use der::Encode;
        der::asn1::AnyRef::new(der::Tag::Sequence, contents)
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
    fn long_serial_numbers_parse_and_v1_crls_fail_as_in_go() {
        // RFC 5280 bounds serial numbers to 20 octets; Go reads any INTEGER.
        let long = [0x42u8; 32];
        let negative = [0x80u8];
        let der = build(
            Some(1),
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
        // A v1 CRL (no version) is refused, as Go's ParseRevocationList
        // refuses it.
        let e = Crl::from_der(&build(None, &[], None)).unwrap_err();
        assert_eq!(e, CrlParseError::MissingVersion);
        assert_eq!(e.to_string(), "x509: unsupported crl version");
        assert_eq!(
            Crl::from_der(&build(Some(2), &[], None)).unwrap_err(),
            CrlParseError::UnsupportedVersion(2)
        );
    }

    #[test]
    fn strict_der_in_crls() {
        // A non-minimal INTEGER (`der` writes what it is given).
        let e = Crl::from_der(&build(Some(1), &[(&[0x00, 0x05], None)], None)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x509: malformed revoked certificate: asn1: structure error: INTEGER not canonically encoded (not DER)"
        );
        // Trailing data.
        let mut der = build(Some(1), &[(&[5], None)], None);
        der.push(0);
        assert!(matches!(
            Crl::from_der(&der),
            Err(CrlParseError::Malformed { .. })
        ));
        // A non-minimal length: the outer SEQUENCE's length in a longer
        // form than needed.
        let der = build(Some(1), &[(&[5], None)], None);
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
        let e = Crl::from_der(&build(Some(1), &[(&[5], Some(loose))], None)).unwrap_err();
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
        let about_5: Vec<RevokedEntry<'_>> =
            crl.revoked_entries_for(&[5]).map(Result::unwrap).collect();
        assert_eq!(
            about_5[0].invalidity_date(),
            Some(time::macros::datetime!(2023-11-01 00:00:00 UTC))
        );
        assert_eq!(entries[0].unsupported_critical_extension(), None);
        assert_eq!(
            entries[1].unsupported_critical_extension().as_deref(),
            Some("2.5.29.29")
        );

        // As in the reference, an entry about another certificate with a
        // reason code above 255 or an invalidity date that does not parse
        // does not fail the CRL; the code reads as none.
        let big = sequence(&reason(&[0x0a, 0x02, 0x01, 0x2c]));
        let negative_reason = sequence(&reason(&[0x0a, 0x01, 0xff]));
        let utc_time = sequence(&extension("2.5.29.24", false, b"\x17\x0d231101000000Z"));
        let crl = Crl::from_der(&build(
            Some(1),
            &[
                (&[5], Some(big)),
                (&[6], Some(utc_time)),
                (&[7], Some(negative_reason)),
            ],
            None,
        ))
        .unwrap();
        assert_eq!(
            crl.revoked_entries_for(&[5])
                .next()
                .unwrap()
                .unwrap()
                .reason_code(),
            None
        );
        assert_eq!(
            crl.revoked_entries_for(&[7])
                .next()
                .unwrap()
                .unwrap()
                .reason_code(),
            None
        );
        // The CRL's listing reads that date as none.
        let six: Vec<RevokedEntry<'_>> = crl.revoked_entries().collect();
        assert_eq!(six[1].invalidity_date(), None);
        // In the entry about the certificate checked, that date is an
        // error (notation-core-go: "failed to parse invalidity date").
        let e = crl.revoked_entries_for(&[6]).next().unwrap().unwrap_err();
        assert!(e.starts_with("invalidity date: "), "{e}");

        // Refused: a negative CRL number, the same extension twice.
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
