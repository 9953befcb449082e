//! TimeStampReq (RFC 3161 §2.4.1), built as bytes for a transport to send.

use std::fmt;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, UintRef};
use der::{Encode, EncodeValue};
use spki::AlgorithmIdentifierRef;

use super::asn1;
use super::error::{RequestError, TimestampError};
use super::tstinfo::{MessageImprint, MessageImprintDer};
use crate::algorithm::HashAlgorithm;
use crate::oid;

/// A request nonce: a non-negative integer, big-endian, without leading
/// zero bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce(Vec<u8>);

impl Nonce {
    /// A random nonce below 2^159 from the system's secure generator, as the
    /// reference draws it.
    pub fn random() -> Result<Self, TimestampError> {
        use crate::crypto::primitives::rand::{SecureRandom, SystemRandom};
        let mut bytes = [0u8; 20];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| RequestError::Nonce)?;
        bytes[0] &= 0x7f;
        Ok(Self::from_be_bytes(&bytes))
    }

    /// A nonce from an unsigned big-endian magnitude (leading zeros are
    /// dropped).
    pub fn from_be_bytes(bytes: &[u8]) -> Self {
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        Self(bytes[skip..].to_vec())
    }

    /// The unsigned big-endian magnitude.
    pub fn as_be_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The DER INTEGER contents octets (what a TSA must echo): `der` adds
    /// the leading zero octet a non-negative INTEGER needs when its top bit
    /// is set (X.690 §8.3.3).
    pub(crate) fn integer_content(&self) -> Vec<u8> {
        let mut content = Vec::new();
        match self.to_uint().and_then(|n| n.encode_value(&mut content)) {
            Ok(()) => content,
            // Only a magnitude over 4 GiB cannot be encoded.
            Err(_) => Vec::new(),
        }
    }

    /// The nonce as `der`'s unsigned INTEGER (zero is one zero octet, not
    /// an empty INTEGER).
    fn to_uint(&self) -> der::Result<UintRef<'_>> {
        UintRef::new(if self.0.is_empty() { &[0] } else { &self.0 })
    }
}

impl fmt::Display for Nonce {
    /// Decimal, as Go prints a `big.Int`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&asn1::integer_to_decimal(&self.integer_content()))
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({self})")
    }
}

/// A TimeStampReq. Built with a random nonce and `certReq` true, as
/// Notation requires.
// Requirements: O1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampRequest {
    imprint: MessageImprint,
    policy: Option<ObjectIdentifier>,
    nonce: Option<Nonce>,
    cert_req: bool,
}

/// `TimeStampReq` (RFC 3161 §2.4.1), as encoded for a TSA.
#[derive(der::Sequence)]
struct TimeStampReqDer<'a> {
    version: i64,
    message_imprint: MessageImprintDer<'a>,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<UintRef<'a>>,
    /// DER omits a BOOLEAN equal to its DEFAULT (FALSE).
    #[asn1(default = "Default::default")]
    cert_req: bool,
}

/// DER AlgorithmIdentifier of a hash with NULL parameters, as the reference
/// encodes it.
fn hash_algorithm_der(oid: &ObjectIdentifier) -> der::Result<Vec<u8>> {
    AlgorithmIdentifierRef {
        oid: *oid,
        parameters: Some(AnyRef::NULL),
    }
    .to_der()
}

fn hash_oid(hash: HashAlgorithm) -> ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha256 => oid::SHA256,
        HashAlgorithm::Sha384 => oid::SHA384,
        HashAlgorithm::Sha512 => oid::SHA512,
    }
}

impl TimestampRequest {
    /// A request over `hash(message)` (`message` is the primitive
    /// signature, `hash` the one its key determines), with a fresh random
    /// nonce and `certReq` true. Fails only if the system random generator
    /// does.
    // Requirements: O1.
    pub fn new(message: &[u8], hash: HashAlgorithm) -> Result<Self, TimestampError> {
        Ok(Self::from_digest(hash, hash.digest(message))?.with_nonce(Some(Nonce::random()?)))
    }

    fn from_digest(hash: HashAlgorithm, digest: Vec<u8>) -> Result<Self, RequestError> {
        if digest.len() != hash.output_len() {
            return Err(RequestError::DigestSize(digest.len()));
        }
        let alg = hash_oid(hash);
        // Encoding a known OID with NULL parameters cannot fail.
        let algorithm_der =
            hash_algorithm_der(&alg).map_err(|_| RequestError::UnavailableHash(alg))?;
        Ok(Self {
            imprint: MessageImprint::new(alg, algorithm_der, digest),
            policy: None,
            nonce: None,
            cert_req: true,
        })
    }

    /// A request over an already computed imprint, with no nonce and
    /// `certReq` true. Only SHA-256/384/512 are accepted ("unsupported
    /// hashing algorithm: SHA-1" for SHA-1).
    // Requirements: O1.
    pub fn from_imprint(
        algorithm: &ObjectIdentifier,
        hashed_message: &[u8],
    ) -> Result<Self, TimestampError> {
        if *algorithm == oid::SHA1 {
            return Err(RequestError::Sha1.into());
        }
        let hash = super::cms::hash_from_oid(algorithm)
            .ok_or(RequestError::UnavailableHash(*algorithm))?;
        Ok(Self::from_digest(hash, hashed_message.to_vec())?)
    }

    /// Sets or removes the nonce. Without a nonce a replayed response cannot
    /// be told from a fresh one; keep it.
    pub fn with_nonce(mut self, nonce: Option<Nonce>) -> Self {
        self.nonce = nonce;
        self
    }

    /// Asks for a TSA policy.
    pub fn with_policy(mut self, policy: Option<ObjectIdentifier>) -> Self {
        self.policy = policy;
        self
    }

    /// Whether the TSA must include its certificate (Notation requires it).
    // Requirements: O1.
    pub fn with_cert_req(mut self, cert_req: bool) -> Self {
        self.cert_req = cert_req;
        self
    }

    /// The message imprint.
    pub fn message_imprint(&self) -> &MessageImprint {
        &self.imprint
    }

    /// The requested policy.
    pub fn policy(&self) -> Option<&ObjectIdentifier> {
        self.policy.as_ref()
    }

    /// The nonce.
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }

    /// Whether certReq is set.
    pub fn cert_req(&self) -> bool {
        self.cert_req
    }

    /// The DER TimeStampReq, to POST as `application/timestamp-query`.
    pub fn to_der(&self) -> Vec<u8> {
        // Encoding fails only for lengths over 4 GiB, which the
        // constructors rule out (the digest size is checked).
        self.try_to_der().unwrap_or_default()
    }

    fn try_to_der(&self) -> der::Result<Vec<u8>> {
        TimeStampReqDer {
            version: 1,
            message_imprint: self.imprint.to_der_type()?,
            req_policy: self.policy,
            nonce: self.nonce.as_ref().map(Nonce::to_uint).transpose()?,
            cert_req: self.cert_req,
        }
        .to_der()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_der_layout() {
        let req = TimestampRequest::from_imprint(
            &oid::SHA256,
            &HashAlgorithm::Sha256.digest(b"notation"),
        )
        .unwrap()
        .with_nonce(Some(Nonce::from_be_bytes(&[0x00, 0x80, 0x01])));
        let der = req.to_der();
        let expected_head = [
            0x30, 0x3e, 0x02, 0x01, 0x01, 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
            0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        assert_eq!(&der[..expected_head.len()], &expected_head);
        assert_eq!(
            &der[der.len() - 8..],
            &[0x02, 0x03, 0x00, 0x80, 0x01, 0x01, 0x01, 0xff]
        );
        assert_eq!(req.nonce().unwrap().to_string(), "32769");
    }

    #[test]
    fn zero_nonce_is_one_zero_octet() {
        let zero = Nonce::from_be_bytes(&[0, 0]);
        assert_eq!(zero.as_be_bytes(), &[] as &[u8]);
        assert_eq!(zero.integer_content(), vec![0]);
        assert_eq!(zero.to_string(), "0");
        let der = TimestampRequest::from_imprint(&oid::SHA256, &[0; 32])
            .unwrap()
            .with_nonce(Some(zero))
            .with_cert_req(false)
            .to_der();
        assert!(der.ends_with(&[0x02, 0x01, 0x00]), "{der:02x?}");
    }

    #[test]
    fn new_sets_nonce_and_cert_req() {
        let a = TimestampRequest::new(b"sig", HashAlgorithm::Sha384).unwrap();
        let b = TimestampRequest::new(b"sig", HashAlgorithm::Sha384).unwrap();
        assert!(a.cert_req());
        assert_ne!(a.nonce(), b.nonce());
        assert!(a.nonce().unwrap().as_be_bytes().len() <= 20);
        assert_eq!(
            a.message_imprint().hash_algorithm(),
            Some(HashAlgorithm::Sha384)
        );
        let no_cert = a.with_cert_req(false).with_nonce(None).to_der();
        assert!(!no_cert.ends_with(&[0x01, 0x01, 0xff]));
    }

    #[test]
    fn sha1_and_unknown_imprints_are_refused() {
        assert_eq!(
            TimestampRequest::from_imprint(&oid::SHA1, &[0; 20])
                .unwrap_err()
                .to_string(),
            "malformed timestamping request: unsupported hashing algorithm: SHA-1"
        );
        assert_eq!(
            TimestampRequest::from_imprint(&oid::MD5_WITH_RSA, &[0; 16])
                .unwrap_err()
                .to_string(),
            "malformed timestamping request: hash algorithm 1.2.840.113549.1.1.4 is unavailable"
        );
        assert_eq!(
            TimestampRequest::from_imprint(&oid::SHA256, &[0; 20])
                .unwrap_err()
                .to_string(),
            "malformed timestamping request: hashed message is of incorrect size 20"
        );
    }
}
