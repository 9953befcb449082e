//! The TSTInfo of RFC 3161 §2.4.2 and the time range it proves (O3, O4).

use std::fmt;

use const_oid::ObjectIdentifier;
use time::{Duration, OffsetDateTime};

use super::asn1::{self, Asn1Error, DerReader, tag};
use super::cms::hash_from_oid;
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

    pub(crate) fn to_der(&self) -> Vec<u8> {
        let mut content = self.algorithm_der.clone();
        content.extend(asn1::encode(tag::OCTET_STRING, &self.hashed_message));
        asn1::encode(tag::SEQUENCE, &content)
    }

    fn parse(r: &mut DerReader<'_>) -> asn1::Result<Self> {
        let seq = r.read(tag::SEQUENCE, "messageImprint")?;
        let mut mr = seq.reader();
        let alg = mr.read(tag::SEQUENCE, "hashAlgorithm")?;
        let mut ar = alg.reader();
        let algorithm = asn1::oid(&ar.read(tag::OID, "hashAlgorithm")?)?;
        if !ar.is_empty() {
            ar.read_any()?;
        }
        ar.finish("hashAlgorithm")?;
        let hashed_message = asn1::octet_string(&mut mr, "hashedMessage")?.to_vec();
        mr.finish("MessageImprint")?;
        Ok(Self {
            algorithm,
            algorithm_der: alg.raw.to_vec(),
            hashed_message,
        })
    }
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

    fn parse(tlv: &asn1::Tlv<'_>) -> asn1::Result<Self> {
        let mut r = tlv.reader();
        let non_negative = |v: i64, what: &str| {
            u64::try_from(v).map_err(|_| Asn1Error::structure(format!("negative accuracy {what}")))
        };
        let sub_second = |v: i64, what: &str| {
            u16::try_from(v).ok().filter(|v| *v <= 999).ok_or_else(|| {
                Asn1Error::structure(format!("accuracy {what} out of range (0..999): {v}"))
            })
        };
        let seconds = match r.read_optional(tag::INTEGER)? {
            Some(t) => non_negative(asn1::integer_i64(&t)?, "seconds")?,
            None => 0,
        };
        let millis = match r.read_optional(tag::context(0))? {
            Some(t) => sub_second(asn1::integer_i64(&t)?, "millis")?,
            None => 0,
        };
        let micros = match r.read_optional(tag::context(1))? {
            Some(t) => sub_second(asn1::integer_i64(&t)?, "micros")?,
            None => 0,
        };
        r.finish("Accuracy")?;
        Ok(Self {
            seconds,
            millis,
            micros,
        })
    }
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
        let seq = asn1::parse_single(der, tag::SEQUENCE, "TSTInfo")?;
        let mut r = seq.reader();
        let version = asn1::integer_i64(&r.read(tag::INTEGER, "version")?)?;
        let policy = asn1::oid(&r.read(tag::OID, "policy")?)?;
        let message_imprint = MessageImprint::parse(&mut r)?;
        let serial_number = asn1::integer_bytes(&r.read(tag::INTEGER, "serialNumber")?)?.to_vec();
        let gen_time = asn1::generalized_time(r.read(tag::GENERALIZED_TIME, "genTime")?.value)?;
        let accuracy = match r.read_optional(tag::SEQUENCE)? {
            Some(t) => Some(Accuracy::parse(&t)?),
            None => None,
        };
        let ordering = match r.read_optional(tag::BOOLEAN)? {
            Some(t) => asn1::boolean(&t)?,
            None => false,
        };
        let nonce = match r.read_optional(tag::INTEGER)? {
            Some(t) => Some(asn1::integer_bytes(&t)?.to_vec()),
            None => None,
        };
        let tsa = match r.read_optional(tag::context_constructed(0))? {
            Some(t) => {
                let mut gr = t.reader();
                let name = gr.read_any()?;
                gr.finish("tsa")?;
                Some(name.raw.to_vec())
            }
            None => None,
        };
        let extensions = r
            .read_optional(tag::context_constructed(1))?
            .map(|t| t.raw.to_vec());
        r.finish("TSTInfo")?;
        Ok(Self {
            version,
            policy,
            message_imprint,
            serial_number,
            gen_time,
            accuracy,
            ordering,
            nonce,
            tsa,
            extensions,
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
        let tsa = self.tsa.as_deref()?;
        let tlv = asn1::parse_single(tsa, tag::context_constructed(4), "directoryName").ok()?;
        DistinguishedName::from_der(tlv.value).ok()
    }

    /// The DER extensions (`[1] IMPLICIT Extensions`), if present.
    pub fn extensions_der(&self) -> Option<&[u8]> {
        self.extensions.as_deref()
    }

    /// The accuracy used for the timestamp range (O4): the stated accuracy;
    /// 1 s when none (or zero) is stated under the baseline policy
    /// 0.4.0.2023.1.1 (RFC 3628); else zero.
    pub fn effective_accuracy(&self) -> Duration {
        let accuracy = self.accuracy.unwrap_or_default();
        if accuracy.is_zero() && self.policy == oids::BASELINE_TIMESTAMP_POLICY {
            Duration::SECOND
        } else {
            accuracy.duration()
        }
    }

    /// Checks the TSTInfo against the timestamped `message` and returns the
    /// time range it proves (O3, O4): the version must be 1, the imprint
    /// algorithm SHA-256/384/512, and the imprint the hash of `message`.
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

/// When a timestamp was made: `[genTime − accuracy, genTime + accuracy]`
/// (O4), the whole of which must lie inside every signing certificate's
/// validity.
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

    /// Whether the whole range lies in `[not_before, not_after]`, as O4
    /// requires of every signing certificate.
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
    use time::macros::datetime;

    fn tst_info(policy: &str, accuracy: Option<&[u8]>) -> Vec<u8> {
        let oid = ObjectIdentifier::new_unwrap(policy);
        let mut c = asn1::encode(tag::INTEGER, &[1]);
        c.extend(asn1::encode(tag::OID, oid.as_bytes()));
        let imprint = MessageImprint::new(
            crate::oid::SHA256,
            asn1::encode(
                tag::SEQUENCE,
                &[
                    asn1::encode(tag::OID, crate::oid::SHA256.as_bytes()),
                    vec![5, 0],
                ]
                .concat(),
            ),
            HashAlgorithm::Sha256.digest(b"notation"),
        );
        c.extend(imprint.to_der());
        c.extend(asn1::encode(tag::INTEGER, &[7]));
        c.extend(asn1::encode(tag::GENERALIZED_TIME, b"20241231080529.509Z"));
        if let Some(a) = accuracy {
            c.extend(asn1::encode(tag::SEQUENCE, a));
        }
        asn1::encode(tag::SEQUENCE, &c)
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
