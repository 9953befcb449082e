//! The TSTInfo of RFC 3161 §2.4.2 and the time range it proves.
// Requirements: O3, O4.

use std::fmt;

use const_oid::ObjectIdentifier;
use der::Decode;
use der::asn1::{IntRef, OctetStringRef};
use spki::AlgorithmIdentifierRef;
use time::{Duration, OffsetDateTime};

use super::asn1::{self, Asn1Error};
use super::cms::hash_from_oid;
use super::elements::{ContextTag, Element, GeneralizedTimeText, SequenceTag, Tlv};
use super::error::{TimestampError, TstInfoError};
use super::oids;
use crate::algorithm::HashAlgorithm;
use crate::timefmt;
use crate::x509::DistinguishedName;

/// The hash of the timestamped datum (RFC 3161 §2.4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageImprint {
    algorithm: ObjectIdentifier,
    algorithm_der: Vec<u8>,
    hashed_message: Vec<u8>,
}

impl MessageImprint {
    /// The hash algorithm OID.
    pub fn algorithm_oid(&self) -> &ObjectIdentifier {
        &self.algorithm
    }

    /// The hash algorithm, if it is one Notation accepts (SHA-256/384/512).
    pub fn hash_algorithm(&self) -> Option<HashAlgorithm> {
        hash_from_oid(&self.algorithm)
    }

    /// The DER AlgorithmIdentifier, parameters included, as encoded.
    pub fn algorithm_der(&self) -> &[u8] {
        &self.algorithm_der
    }

    /// The hash value.
    pub fn hashed_message(&self) -> &[u8] {
        &self.hashed_message
    }

    pub(crate) fn new(
        algorithm: ObjectIdentifier,
        algorithm_der: Vec<u8>,
        hashed_message: Vec<u8>,
    ) -> Self {
        Self {
            algorithm,
            algorithm_der,
            hashed_message,
        }
    }

    /// The encodable form, as a request carries it.
    pub(crate) fn to_der_type(&self) -> der::Result<MessageImprintDer<'_>> {
        Ok(MessageImprintDer {
            hash_algorithm: Element::from_der(&self.algorithm_der)?,
            hashed_message: OctetStringRef::new(&self.hashed_message)?,
        })
    }

    fn from_der_type(imprint: &MessageImprintDer<'_>) -> der::Result<Self> {
        let algorithm = AlgorithmIdentifierRef::from_der(imprint.hash_algorithm.der())?;
        Ok(Self {
            algorithm: algorithm.oid,
            algorithm_der: imprint.hash_algorithm.der().to_vec(),
            hashed_message: imprint.hashed_message.as_bytes().to_vec(),
        })
    }
}

/// `MessageImprint` (RFC 3161 §2.4.1). The AlgorithmIdentifier is kept as
/// encoded: a response must echo the request's, parameters included.
#[derive(der::Sequence)]
pub(crate) struct MessageImprintDer<'a> {
    pub hash_algorithm: Element<'a, SequenceTag>,
    pub hashed_message: &'a OctetStringRef,
}

/// The TSA's stated accuracy of genTime (RFC 3161 §2.4.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accuracy {
    seconds: u64,
    millis: u16,
    micros: u16,
}

impl Accuracy {
    /// Whole seconds.
    pub fn seconds(&self) -> u64 {
        self.seconds
    }

    /// Milliseconds (0-999).
    pub fn millis(&self) -> u16 {
        self.millis
    }

    /// Microseconds (0-999).
    pub fn micros(&self) -> u16 {
        self.micros
    }

    /// The total as a duration (saturating at the largest duration).
    pub fn duration(&self) -> Duration {
        let seconds = i64::try_from(self.seconds).unwrap_or(i64::MAX);
        Duration::seconds(seconds)
            .saturating_add(Duration::milliseconds(self.millis.into()))
            .saturating_add(Duration::microseconds(self.micros.into()))
    }

    fn is_zero(&self) -> bool {
        self.seconds == 0 && self.millis == 0 && self.micros == 0
    }

    /// Checks the ranges of the decoded fields.
    fn from_der_type(accuracy: &AccuracyDer) -> asn1::Result<Self> {
        let non_negative = |v: i64, what: &str| {
            u64::try_from(v).map_err(|_| Asn1Error::structure(format!("negative accuracy {what}")))
        };
        let sub_second = |v: i64, what: &str| {
            u16::try_from(v).ok().filter(|v| *v <= 999).ok_or_else(|| {
                Asn1Error::structure(format!("accuracy {what} out of range (0..999): {v}"))
            })
        };
        Ok(Self {
            seconds: accuracy
                .seconds
                .map_or(Ok(0), |v| non_negative(v, "seconds"))?,
            millis: accuracy.millis.map_or(Ok(0), |v| sub_second(v, "millis"))?,
            micros: accuracy.micros.map_or(Ok(0), |v| sub_second(v, "micros"))?,
        })
    }
}

/// `Accuracy` (RFC 3161 §2.4.2; the module's tags are IMPLICIT).
#[derive(der::Sequence)]
struct AccuracyDer {
    #[asn1(optional = "true")]
    seconds: Option<i64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<i64>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<i64>,
}

/// `TSTInfo` (RFC 3161 §2.4.2).
#[derive(der::Sequence)]
struct TstInfoDer<'a> {
    version: i64,
    policy: ObjectIdentifier,
    message_imprint: MessageImprintDer<'a>,
    serial_number: IntRef<'a>,
    gen_time: GeneralizedTimeText<'a>,
    #[asn1(optional = "true")]
    accuracy: Option<AccuracyDer>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<IntRef<'a>>,
    /// `[0] GeneralName`, EXPLICIT because GeneralName is a CHOICE; the
    /// name is kept as encoded.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Tlv<'a>>,
    /// `[1] IMPLICIT Extensions`, kept as encoded.
    #[asn1(optional = "true")]
    extensions: Option<Element<'a, ContextTag<1>>>,
}

/// A decoded TSTInfo. Decoding checks the structure only; [`TstInfo::validate`]
/// checks it against the timestamped message (as the reference splits
/// `Info()` and `Validate()`, whose error messages differ).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TstInfo {
    version: i64,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Vec<u8>,
    gen_time: OffsetDateTime,
    accuracy: Option<Accuracy>,
    ordering: bool,
    nonce: Option<Vec<u8>>,
    tsa: Option<Vec<u8>>,
    extensions: Option<Vec<u8>>,
}

impl TstInfo {
    /// Decodes a DER TSTInfo. `genTime` may carry fractional seconds (RFC
    /// 3161 §2.4.2) and must be in UTC.
    pub fn from_der(der: &[u8]) -> Result<Self, TimestampError> {
        Self::parse(der).map_err(TimestampError::TstInfoSyntax)
    }

    fn parse(der: &[u8]) -> asn1::Result<Self> {
        let info = TstInfoDer::from_der(der).map_err(|e| Asn1Error::from_der(e, der))?;
        let der_error = |e| Asn1Error::from_der(e, der);
        Ok(Self {
            version: info.version,
            policy: info.policy,
            message_imprint: MessageImprint::from_der_type(&info.message_imprint)
                .map_err(der_error)?,
            serial_number: info.serial_number.as_bytes().to_vec(),
            gen_time: asn1::generalized_time(info.gen_time.0)?,
            accuracy: info
                .accuracy
                .as_ref()
                .map(Accuracy::from_der_type)
                .transpose()?,
            ordering: info.ordering,
            nonce: info.nonce.map(|n| n.as_bytes().to_vec()),
            tsa: info.tsa.map(|name| name.der().to_vec()),
            extensions: info.extensions.map(|e| e.der().to_vec()),
        })
    }

    /// The version (must be 1 to validate).
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The TSA policy under which the token was issued.
    pub fn policy(&self) -> &ObjectIdentifier {
        &self.policy
    }

    /// The message imprint.
    pub fn message_imprint(&self) -> &MessageImprint {
        &self.message_imprint
    }

    /// The serial number's INTEGER contents octets.
    pub fn serial_number(&self) -> &[u8] {
        &self.serial_number
    }

    /// The serial number in decimal.
    pub fn serial_number_decimal(&self) -> String {
        asn1::integer_to_decimal(&self.serial_number)
    }

    /// genTime, in UTC, with its fractional seconds.
    pub fn gen_time(&self) -> OffsetDateTime {
        self.gen_time
    }

    /// The accuracy, if the TSA stated one.
    pub fn accuracy(&self) -> Option<Accuracy> {
        self.accuracy
    }

    /// The ordering flag.
    pub fn ordering(&self) -> bool {
        self.ordering
    }

    /// The nonce's INTEGER contents octets, if present.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// The TSA name (a DER GeneralName), if present.
    pub fn tsa_der(&self) -> Option<&[u8]> {
        self.tsa.as_deref()
    }

    /// The TSA name when it is a directoryName, rendered as Go does.
    pub fn tsa_directory_name(&self) -> Option<DistinguishedName> {
        // directoryName [4] Name, EXPLICIT because Name is a CHOICE.
        let name = Element::<ContextTag<4>>::from_der(self.tsa.as_deref()?).ok()?;
        DistinguishedName::from_der(name.contents()).ok()
    }

    /// The DER extensions (`[1] IMPLICIT Extensions`), if present.
    pub fn extensions_der(&self) -> Option<&[u8]> {
        self.extensions.as_deref()
    }

    /// The accuracy used for the timestamp range: the stated accuracy;
    /// 1 s when none (or zero) is stated under the baseline policy
    /// 0.4.0.2023.1.1 (RFC 3628); else zero.
    // Requirements: O4.
    pub fn effective_accuracy(&self) -> Duration {
        let accuracy = self.accuracy.unwrap_or_default();
        if accuracy.is_zero() && self.policy == oids::BASELINE_TIMESTAMP_POLICY {
            Duration::SECOND
        } else {
            accuracy.duration()
        }
    }

    /// Checks the TSTInfo against the timestamped `message` and returns the
    /// time range it proves: the version must be 1, the imprint
    /// algorithm SHA-256/384/512, and the imprint the hash of `message`.
    // Requirements: O3, O4.
    pub fn validate(&self, message: &[u8]) -> Result<TimestampRange, TimestampError> {
        if self.version != 1 {
            return Err(TstInfoError::Version(self.version).into());
        }
        let hash = self.message_imprint.hash_algorithm().ok_or(
            TstInfoError::UnrecognizedHashAlgorithm(self.message_imprint.algorithm),
        )?;
        if hash.digest(message) != self.message_imprint.hashed_message {
            return Err(TstInfoError::MismatchedMessage.into());
        }
        self.range()
    }

    /// The range without checking the imprint: for callers that compared
    /// the imprint themselves (the response check against a request).
    pub(crate) fn range(&self) -> Result<TimestampRange, TimestampError> {
        Ok(TimestampRange::new(
            self.gen_time,
            self.effective_accuracy(),
        )?)
    }
}

/// When a timestamp was made: `[genTime − accuracy, genTime + accuracy]`,
/// the whole of which must lie inside every signing certificate's
/// validity.
// Requirements: O4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampRange {
    gen_time: OffsetDateTime,
    accuracy: Duration,
    earliest: OffsetDateTime,
    latest: OffsetDateTime,
}

impl TimestampRange {
    /// A range around `gen_time`; fails if it leaves the representable
    /// time range or `accuracy` is negative.
    pub fn new(gen_time: OffsetDateTime, accuracy: Duration) -> Result<Self, TstInfoError> {
        let out = || TstInfoError::RangeOutOfBounds { gen_time, accuracy };
        if accuracy.is_negative() {
            return Err(out());
        }
        let earliest = gen_time.checked_sub(accuracy).ok_or_else(out)?;
        let latest = gen_time.checked_add(accuracy).ok_or_else(out)?;
        Ok(Self {
            gen_time,
            accuracy,
            earliest,
            latest,
        })
    }

    /// genTime.
    pub fn gen_time(&self) -> OffsetDateTime {
        self.gen_time
    }

    /// The accuracy the range was built with.
    pub fn accuracy(&self) -> Duration {
        self.accuracy
    }

    /// Lower bound, genTime − accuracy.
    pub fn earliest(&self) -> OffsetDateTime {
        self.earliest
    }

    /// Upper bound, genTime + accuracy.
    pub fn latest(&self) -> OffsetDateTime {
        self.latest
    }

    /// Whether the lower bound is at or after `t` (tspclient-go
    /// `BoundedAfter`): the timestamp cannot be before `t`.
    pub fn bounded_after(&self, t: OffsetDateTime) -> bool {
        self.earliest >= t
    }

    /// Whether the upper bound is at or before `t` (tspclient-go
    /// `BoundedBefore`): the timestamp cannot be after `t`.
    pub fn bounded_before(&self, t: OffsetDateTime) -> bool {
        self.latest <= t
    }

    /// Whether the whole range lies in `[not_before, not_after]`, as timestamp
    /// verification requires of every signing certificate.
    // Requirements: O4.
    pub fn is_within(&self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> bool {
        self.bounded_after(not_before) && self.bounded_before(not_after)
    }

    /// `[earliest, latest]` with Go's `time.RFC3339Nano`, as `notation
    /// inspect` prints it in JSON: `[2024-12-31T08:05:29.509Z,
    /// 2024-12-31T08:05:30.509Z]`. Same as `Display`.
    pub fn format_rfc3339_nano(&self) -> String {
        format!(
            "[{}, {}]",
            timefmt::rfc3339_nano(self.earliest),
            timefmt::rfc3339_nano(self.latest)
        )
    }

    /// `[earliest, latest]` with Go's `time.ANSIC`, as `notation inspect`
    /// prints it in the tree: `[Tue Dec 31 08:05:29 2024, Tue Dec 31
    /// 08:05:30 2024]`.
    pub fn format_ansic(&self) -> String {
        format!(
            "[{}, {}]",
            timefmt::ansic(self.earliest),
            timefmt::ansic(self.latest)
        )
    }

    /// `[earliest, latest]` with Go's `time.RFC3339` (whole seconds), as the
    /// reference logs it.
    pub fn format_rfc3339(&self) -> String {
        format!(
            "[{}, {}]",
            timefmt::rfc3339(self.earliest),
            timefmt::rfc3339(self.latest)
        )
    }
}

impl fmt::Display for TimestampRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_rfc3339_nano())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{AnyRef, Null};
    use der::{Encode, Tag};
    use time::macros::datetime;

    /// DER of one element, encoded by `der`.
    fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
        AnyRef::new(tag, content).unwrap().to_der().unwrap()
    }

    fn tst_info(policy: &str, accuracy: Option<&[u8]>) -> Vec<u8> {
        tst_info_with(policy, accuracy, b"20241231080529.509Z", &[])
    }

    /// A TSTInfo with `tail` (encoded optional fields) after genTime and
    /// accuracy.
    fn tst_info_with(
        policy: &str,
        accuracy: Option<&[u8]>,
        gen_time: &[u8],
        tail: &[u8],
    ) -> Vec<u8> {
        let oid = ObjectIdentifier::new_unwrap(policy);
        let mut c = 1i64.to_der().unwrap();
        c.extend(oid.to_der().unwrap());
        let algorithm = AlgorithmIdentifierRef {
            oid: crate::oid::SHA256,
            parameters: Some(AnyRef::NULL),
        };
        let imprint = MessageImprint::new(
            crate::oid::SHA256,
            algorithm.to_der().unwrap(),
            HashAlgorithm::Sha256.digest(b"notation"),
        );
        c.extend(imprint.to_der_type().unwrap().to_der().unwrap());
        c.extend(7i64.to_der().unwrap());
        c.extend(tlv(Tag::GeneralizedTime, gen_time));
        if let Some(a) = accuracy {
            c.extend(tlv(Tag::Sequence, a));
        }
        c.extend(tail);
        tlv(Tag::Sequence, &c)
    }

    #[test]
    fn optional_fields_are_kept_as_encoded() {
        let context = |n: u32, content: &[u8]| {
            let tag = Tag::ContextSpecific {
                constructed: true,
                number: der::TagNumber(n),
            };
            tlv(tag, content)
        };
        // directoryName [4] with an empty Name, then one extension.
        let tsa = context(4, &tlv(Tag::Sequence, &[]));
        let extension = [
            ObjectIdentifier::new_unwrap("1.2.3").to_der().unwrap(),
            tlv(Tag::OctetString, b"x"),
        ]
        .concat();
        let extensions = context(1, &tlv(Tag::Sequence, &extension));
        let tail = [
            true.to_der().unwrap(),
            tlv(Tag::Integer, &[0x00, 0x80]),
            context(0, &tsa),
            extensions.clone(),
        ]
        .concat();
        let gen_time = b"20241231080529.509Z";
        let info = TstInfo::from_der(&tst_info_with("1.2.3", None, gen_time, &tail)).unwrap();
        assert!(info.ordering());
        assert_eq!(info.nonce(), Some(&[0x00, 0x80][..]));
        assert_eq!(info.tsa_der(), Some(tsa.as_slice()));
        assert_eq!(info.tsa_directory_name().unwrap().to_string(), "");
        assert_eq!(info.extensions_der(), Some(extensions.as_slice()));
        assert_eq!(info.serial_number_decimal(), "7");

        // Strict DER: nothing after the last field, canonical BOOLEANs and
        // INTEGERs, genTime in UTC.
        let cases: [(&[u8], Vec<u8>, &str); 4] = [
            (
                gen_time,
                [tail.clone(), Null.to_der().unwrap()].concat(),
                "asn1: syntax error: trailing data",
            ),
            (
                gen_time,
                tlv(Tag::Boolean, &[0x01]),
                "asn1: structure error: BOOLEAN not canonically encoded (not DER)",
            ),
            (
                gen_time,
                tlv(Tag::Integer, &[0x00, 0x01]),
                "asn1: structure error: INTEGER not canonically encoded (not DER)",
            ),
            (
                b"20241231080529+0100",
                Vec::new(),
                "asn1: syntax error: invalid GeneralizedTime: time must be in UTC (end with 'Z')",
            ),
        ];
        for (gen_time, tail, want) in cases {
            let err =
                TstInfo::from_der(&tst_info_with("1.2.3", None, gen_time, &tail)).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("cannot unmarshal TSTInfo from timestamp token: {want}")
            );
        }
    }

    #[test]
    fn o4_accuracy_rules() {
        // Stated accuracy wins.
        let info = TstInfo::from_der(&tst_info("1.2.3", Some(&[0x80, 0x02, 0x01, 0xf4]))).unwrap();
        assert_eq!(info.effective_accuracy(), Duration::milliseconds(500));
        // No accuracy under the baseline policy: 1 s.
        let info = TstInfo::from_der(&tst_info("0.4.0.2023.1.1", None)).unwrap();
        assert_eq!(info.effective_accuracy(), Duration::SECOND);
        // Zero accuracy under the baseline policy: 1 s too, as the reference.
        let info =
            TstInfo::from_der(&tst_info("0.4.0.2023.1.1", Some(&[0x02, 0x01, 0x00]))).unwrap();
        assert_eq!(info.effective_accuracy(), Duration::SECOND);
        // No accuracy, other policy: 0.
        let info = TstInfo::from_der(&tst_info("1.2.3", None)).unwrap();
        assert_eq!(info.effective_accuracy(), Duration::ZERO);
        let range = info.validate(b"notation").unwrap();
        assert_eq!(range.earliest(), range.latest());
        // All three fields.
        let info = TstInfo::from_der(&tst_info(
            "1.2.3",
            Some(&[0x02, 0x01, 0x02, 0x80, 0x01, 0x03, 0x81, 0x01, 0x04]),
        ))
        .unwrap();
        assert_eq!(info.effective_accuracy(), Duration::new(2, 3_004_000));
    }

    #[test]
    fn accuracy_out_of_range_is_refused() {
        for bad in [
            &[0x80, 0x02, 0x03, 0xe8][..],
            &[0x02, 0x01, 0xff],
            &[0x81, 0x01, 0xff],
        ] {
            let err = TstInfo::from_der(&tst_info("1.2.3", Some(bad))).unwrap_err();
            assert!(
                err.to_string().starts_with(
                    "cannot unmarshal TSTInfo from timestamp token: asn1: structure error"
                ),
                "{err}"
            );
        }
        // A huge accuracy does not overflow: the range check refuses it.
        let huge = [0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        let info = TstInfo::from_der(&tst_info("1.2.3", Some(&huge))).unwrap();
        assert!(matches!(
            info.validate(b"notation").unwrap_err(),
            TimestampError::InvalidTstInfo(TstInfoError::RangeOutOfBounds { .. })
        ));
    }

    #[test]
    fn range_bounds_and_formats() {
        let r = TimestampRange::new(
            datetime!(2024-12-31 08:05:30.009 UTC),
            Duration::milliseconds(500),
        )
        .unwrap();
        assert_eq!(
            r.to_string(),
            "[2024-12-31T08:05:29.509Z, 2024-12-31T08:05:30.509Z]"
        );
        assert_eq!(
            r.format_ansic(),
            "[Tue Dec 31 08:05:29 2024, Tue Dec 31 08:05:30 2024]"
        );
        assert_eq!(
            r.format_rfc3339(),
            "[2024-12-31T08:05:29Z, 2024-12-31T08:05:30Z]"
        );
        assert!(r.bounded_after(datetime!(2024-12-31 08:05:29.509 UTC)));
        assert!(!r.bounded_after(datetime!(2024-12-31 08:05:29.51 UTC)));
        assert!(r.bounded_before(datetime!(2024-12-31 08:05:30.509 UTC)));
        assert!(!r.bounded_before(datetime!(2024-12-31 08:05:30.508 UTC)));
        assert!(r.is_within(
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2025-01-01 0:00 UTC)
        ));
        assert!(
            TimestampRange::new(datetime!(2024-12-31 08:05:30 UTC), Duration::seconds(-1)).is_err()
        );
    }

    #[test]
    fn validate_checks_version_hash_and_imprint() {
        let info = TstInfo::from_der(&tst_info("1.2.3", None)).unwrap();
        assert_eq!(
            info.validate(b"invalid").unwrap_err().to_string(),
            "invalid TSTInfo: mismatched message"
        );
        let mut v2 = info.clone();
        v2.version = 2;
        assert_eq!(
            v2.validate(b"notation").unwrap_err().to_string(),
            "invalid TSTInfo: timestamp token info version must be 1, but got 2"
        );
        let mut sha1 = info;
        sha1.message_imprint.algorithm = crate::oid::SHA1;
        assert_eq!(
            sha1.validate(b"notation").unwrap_err().to_string(),
            "invalid TSTInfo: unrecognized hash algorithm: 1.3.14.3.2.26"
        );
    }
}
