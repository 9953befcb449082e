//! X.509 certificates as Notation uses them: parsed once, with the original
//! bytes kept for signature checks and comparisons, the subject
//! rendered the way the reference renders it, and the certificate rules
//! of the specification in [`chain`].
// Requirements: H5, I7, L4.

mod access;
pub mod chain;
pub(crate) mod distribution;
mod key;
pub mod name;

use std::fmt;
use std::sync::Arc;

use der::referenced::OwnedToRef;
use der::{Decode, Encode, Reader, SliceReader};
use time::OffsetDateTime;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};

use crate::algorithm::{HashAlgorithm, KeySpec, UnsupportedKeyError};
use crate::crypto::{CryptoProvider, PublicKey, SignatureScheme, SignatureVerificationError};
use crate::oid;

pub use distribution::InvalidDistributionPoint;
pub use name::DistinguishedName;

/// Go's text for what its certificate parser refuses.
pub(crate) type Refusal = &'static str;

/// Why bytes are not a usable certificate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateParseError {
    /// Not DER, or not an X.509 certificate.
    #[error("x509: malformed certificate: {0}")]
    Malformed(String),
    /// An extension that matters to Notation could not be parsed.
    #[error("x509: invalid {extension} extension: {detail}")]
    InvalidExtension {
        /// Which extension.
        extension: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// The same extension appears twice.
    #[error("x509: certificate contains duplicate extensions")]
    DuplicateExtension,
    /// A name attribute that is not a string type.
    #[error("x509: invalid RDNSequence: {0}")]
    InvalidName(String),
    /// PEM input with a block that is not a certificate, or broken PEM.
    #[error("invalid PEM: {0}")]
    Pem(String),
    /// No certificate at all in the input.
    #[error("no certificate found")]
    Empty,
    /// A CRLDistributionPoints extension Go's parser refuses (a point
    /// named relative to the CRL issuer, say), with Go's text.
    #[error("{0}")]
    InvalidDistributionPoints(InvalidDistributionPoint),
    /// What Go's parser refuses in a certificate Notation otherwise reads:
    /// an Authority Information Access, Authority Key Identifier or Subject
    /// Key Identifier extension marked critical or malformed, a public key
    /// that breaks its algorithm's encoding rules. Go's text.
    #[error("{0}")]
    Refused(&'static str),
    /// A negative serial number, which Go's parser refuses.
    #[error("x509: negative serial number")]
    NegativeSerial,
    /// The unsigned outer signatureAlgorithm differs from the signed one
    /// inside the TBSCertificate (RFC 5280 4.1.1.2; Go's x509 refuses it
    /// with this text).
    #[error("x509: inner and outer signature algorithm identifiers don't match")]
    SignatureAlgorithmMismatch,
}

impl From<der::Error> for CertificateParseError {
    fn from(e: der::Error) -> Self {
        CertificateParseError::Malformed(e.to_string())
    }
}

/// The basic constraints extension as Notation reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraintsInfo {
    /// Whether the extension is marked critical.
    pub critical: bool,
    /// The `cA` flag.
    pub ca: bool,
    /// `pathLenConstraint`, if present.
    pub path_len: Option<u8>,
}

/// Key usage bits, in the order of RFC 5280 (bit 0 = digitalSignature).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KeyUsageBits(pub u16);

impl KeyUsageBits {
    /// digitalSignature.
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// contentCommitment (nonRepudiation).
    pub const CONTENT_COMMITMENT: u16 = 1 << 1;
    /// keyEncipherment.
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment.
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement.
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign.
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign.
    pub const CRL_SIGN: u16 = 1 << 6;
    /// encipherOnly.
    pub const ENCIPHER_ONLY: u16 = 1 << 7;
    /// decipherOnly.
    pub const DECIPHER_ONLY: u16 = 1 << 8;

    /// Whether `bit` is set.
    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
}

/// A parsed certificate. Cloning is cheap (shared).
#[derive(Clone)]
pub struct Certificate(Arc<Inner>);

struct Inner {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    raw_issuer: std::ops::Range<usize>,
    raw_subject: std::ops::Range<usize>,
    raw_spki: std::ops::Range<usize>,
    version: u8,
    serial: Vec<u8>,
    /// Parsed from `raw_subject` when first asked for (checked at parse).
    subject: std::sync::OnceLock<DistinguishedName>,
    /// Parsed from `raw_issuer` when first asked for (checked at parse).
    issuer: std::sync::OnceLock<DistinguishedName>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    public_key: PublicKey,
    signature_algorithm: CertSignatureAlgorithm,
    signature: Vec<u8>,
    basic_constraints: Option<BasicConstraintsInfo>,
    key_usage: Option<(bool, KeyUsageBits)>,
    ext_key_usage: Option<(bool, Vec<const_oid::ObjectIdentifier>)>,
    ocsp_urls: Vec<String>,
    crl_urls: Vec<String>,
    freshest_crl_urls: Result<Vec<String>, String>,
    /// The subjectAltName extension's value, as encoded.
    subject_alt_name: Option<Vec<u8>>,
    /// Computed when first asked for: verification does not need it.
    sha256: std::sync::OnceLock<[u8; 32]>,
}

/// The algorithm a certificate (or CRL, OCSP response, CMS signer) was
/// signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertSignatureAlgorithm {
    /// A scheme we can verify.
    Supported(SignatureScheme),
    /// SHA-1 or MD5 based: refused.
    // Requirements: H6.
    Insecure(&'static str),
    /// Anything else.
    Unknown(String),
}

impl CertSignatureAlgorithm {
    /// Maps an X.509 AlgorithmIdentifier (OID and DER parameters).
    pub fn from_algorithm_identifier(
        alg: &const_oid::ObjectIdentifier,
        params: Option<&[u8]>,
    ) -> Self {
        use HashAlgorithm::*;
        use SignatureScheme::*;
        match *alg {
            oid::SHA256_WITH_RSA => Self::Supported(RsaPkcs1v15(Sha256)),
            oid::SHA384_WITH_RSA => Self::Supported(RsaPkcs1v15(Sha384)),
            oid::SHA512_WITH_RSA => Self::Supported(RsaPkcs1v15(Sha512)),
            oid::ECDSA_WITH_SHA256 => Self::Supported(EcdsaDer(Sha256)),
            oid::ECDSA_WITH_SHA384 => Self::Supported(EcdsaDer(Sha384)),
            oid::ECDSA_WITH_SHA512 => Self::Supported(EcdsaDer(Sha512)),
            oid::SHA1_WITH_RSA => Self::Insecure("SHA1-RSA"),
            oid::ECDSA_WITH_SHA1 => Self::Insecure("ECDSA-SHA1"),
            oid::MD5_WITH_RSA => Self::Insecure("MD5-RSA"),
            oid::RSASSA_PSS => match params.and_then(pss_hash) {
                Some(h) => Self::Supported(RsaPss(h)),
                None => Self::Unknown("RSASSA-PSS with unsupported parameters".into()),
            },
            other => Self::Unknown(
                oid::name(&other)
                    .map(str::to_owned)
                    .unwrap_or_else(|| other.to_string()),
            ),
        }
    }
}

/// Reads RSASSA-PSS-params and returns the hash when the parameters are the
/// ones Go and ring support: MGF1 with the same hash and salt = hash length.
fn pss_hash(params: &[u8]) -> Option<HashAlgorithm> {
    use der::asn1::{AnyRef, ContextSpecific};
    use spki::AlgorithmIdentifierRef;
    let mut reader = SliceReader::new(params).ok()?;
    let (hash_oid, mgf_hash, salt) = reader
        .sequence(|r| {
            let hash: Option<ContextSpecific<AlgorithmIdentifierRef<'_>>> =
                ContextSpecific::decode_explicit(r, der::TagNumber(0))?;
            let mgf: Option<ContextSpecific<AlgorithmIdentifierRef<'_>>> =
                ContextSpecific::decode_explicit(r, der::TagNumber(1))?;
            let salt: Option<ContextSpecific<u32>> =
                ContextSpecific::decode_explicit(r, der::TagNumber(2))?;
            // trailerField, if any, is ignored (it must be 1 anyway).
            while !r.is_finished() {
                let _: AnyRef<'_> = r.decode()?;
            }
            let mgf_hash = match mgf {
                Some(m) if m.value.oid == oid::MGF1 => {
                    let inner: AlgorithmIdentifierRef<'_> = m
                        .value
                        .parameters
                        .ok_or(der::ErrorKind::Failed)?
                        .decode_as()?;
                    Some(inner.oid)
                }
                Some(_) => return Err(der::Error::from(der::ErrorKind::Failed)),
                None => None,
            };
            Ok::<_, der::Error>((hash.map(|h| h.value.oid), mgf_hash, salt.map(|s| s.value)))
        })
        .ok()?;
    let hash = match hash_oid? {
        oid::SHA256 => HashAlgorithm::Sha256,
        oid::SHA384 => HashAlgorithm::Sha384,
        oid::SHA512 => HashAlgorithm::Sha512,
        _ => return None,
    };
    if mgf_hash != hash_oid || salt != Some(hash.output_len() as u32) {
        return None;
    }
    Some(hash)
}

impl Certificate {
    /// Parses one DER certificate. Trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateParseError> {
        Self::from_der_vec(der.to_vec())
    }

    /// [`Certificate::from_der`] on bytes the caller no longer needs.
    pub(crate) fn from_der_vec(der: Vec<u8>) -> Result<Self, CertificateParseError> {
        let parsed = x509_cert::Certificate::from_der(&der)?;
        Self::build(der, parsed)
    }

    /// Parses every certificate in `data`: PEM (every block must be a
    /// CERTIFICATE) or one or more concatenated DER certificates.
    // Requirements: I2.
    pub fn parse_many(data: &[u8]) -> Result<Vec<Self>, CertificateParseError> {
        let trimmed = trim_ascii_start(data);
        if trimmed.starts_with(b"-----BEGIN") {
            return Self::parse_pem_many(trimmed);
        }
        Self::parse_der_many(data)
    }

    /// Parses one or more concatenated DER certificates (Go's
    /// `x509.ParseCertificates`).
    pub(crate) fn parse_der_many(data: &[u8]) -> Result<Vec<Self>, CertificateParseError> {
        let mut certs = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let mut reader = SliceReader::new(rest)?;
            let tlv = reader.tlv_bytes()?;
            certs.push(Self::from_der(tlv)?);
            rest = &rest[tlv.len()..];
        }
        if certs.is_empty() {
            return Err(CertificateParseError::Empty);
        }
        Ok(certs)
    }

    /// Parses PEM text holding one or more CERTIFICATE blocks.
    pub fn parse_pem_many(data: &[u8]) -> Result<Vec<Self>, CertificateParseError> {
        let blocks = crate::pem::parse_blocks(data).map_err(CertificateParseError::Pem)?;
        if blocks.is_empty() {
            return Err(CertificateParseError::Empty);
        }
        blocks
            .into_iter()
            .map(|b| {
                if b.label != "CERTIFICATE" {
                    return Err(CertificateParseError::Pem(format!(
                        "unexpected PEM block type {:?}, want CERTIFICATE",
                        b.label
                    )));
                }
                Self::from_der_vec(b.der)
            })
            .collect()
    }

    fn build(der: Vec<u8>, parsed: x509_cert::Certificate) -> Result<Self, CertificateParseError> {
        // Locate the original bytes of the TBS, issuer and subject: DER
        // decoders may normalise SET OF ordering, and Notation compares and
        // verifies the bytes as they were signed (H5).
        let (tbs, raw_issuer, raw_subject, raw_spki) = raw_ranges(&der)?;
        let tbs_cert = parsed.tbs_certificate();
        // The names are checked now (Go refuses a certificate with a value
        // it cannot read) and made into text when first asked for: most
        // (issuers, roots, trust-store certificates) never are.
        check_name(tbs_cert.subject(), &der[raw_subject.clone()])?;
        check_name(tbs_cert.issuer(), &der[raw_issuer.clone()])?;
        // Go (1.23 on, which the reference is built with) refuses a
        // negative serial number unless GODEBUG=x509negativeserial=1.
        if tbs_cert
            .serial_number()
            .as_bytes()
            .first()
            .is_some_and(|b| b & 0x80 != 0)
        {
            return Err(CertificateParseError::NegativeSerial);
        }
        let validity = tbs_cert.validity();
        let not_before = to_offset(validity.not_before.to_unix_duration())?;
        let not_after = to_offset(validity.not_after.to_unix_duration())?;
        // As x509-cert decoded it, borrowed.
        let spki = tbs_cert.subject_public_key_info().owned_to_ref();
        key::check(&spki).map_err(CertificateParseError::Refused)?;
        let public_key = PublicKey::from_spki(&spki)?;
        let sig_alg = parsed.signature_algorithm();
        let params = match &sig_alg.parameters {
            Some(p) => Some(p.to_der()?),
            None => None,
        };
        let signature_algorithm =
            CertSignatureAlgorithm::from_algorithm_identifier(&sig_alg.oid, params.as_deref());
        let signature = parsed
            .signature()
            .as_bytes()
            .ok_or_else(|| CertificateParseError::Malformed("signature has unused bits".into()))?
            .to_vec();

        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut ext_key_usage = None;
        let mut ocsp_urls = Vec::new();
        let mut crl_urls = Vec::new();
        let mut freshest_crl_urls = Ok(Vec::new());
        let mut subject_alt_name = None;
        let mut seen = SeenOids::default();
        // Go reads extensions of version 3 certificates only: those of an
        // earlier version are ignored, whatever they say.
        let extensions = match tbs_cert.version() {
            x509_cert::certificate::Version::V3 => tbs_cert.extensions(),
            _ => None,
        };
        for ext in extensions.map(|e| e.as_slice()).unwrap_or_default() {
            if !seen.insert(ext.extn_id) {
                return Err(CertificateParseError::DuplicateExtension);
            }
            let value = ext.extn_value.as_bytes();
            let invalid =
                |extension: &'static str, e: der::Error| CertificateParseError::InvalidExtension {
                    extension,
                    detail: e.to_string(),
                };
            match ext.extn_id {
                oid::BASIC_CONSTRAINTS => {
                    let bc = BasicConstraints::from_der(value)
                        .map_err(|e| invalid("basic constraints", e))?;
                    basic_constraints = Some(BasicConstraintsInfo {
                        critical: ext.critical,
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                    });
                }
                oid::KEY_USAGE => {
                    let ku = KeyUsage::from_der(value).map_err(|e| invalid("key usage", e))?;
                    key_usage = Some((ext.critical, key_usage_bits(&ku)));
                }
                oid::EXT_KEY_USAGE => {
                    let eku = ExtendedKeyUsage::from_der(value)
                        .map_err(|e| invalid("extended key usage", e))?;
                    ext_key_usage = Some((ext.critical, eku.0));
                }
                // Notation acts on none of these (H7), but the reference's
                // parser refuses a certificate for them (a broken AIA would
                // otherwise lose its OCSP URLs and pass revocation).
                oid::AUTHORITY_INFO_ACCESS => {
                    ocsp_urls = access::ocsp_urls(value, ext.critical)
                        .map_err(CertificateParseError::Refused)?;
                }
                oid::AUTHORITY_KEY_IDENTIFIER => {
                    access::check_authority_key_identifier(value, ext.critical)
                        .map_err(CertificateParseError::Refused)?;
                }
                oid::SUBJECT_KEY_IDENTIFIER => {
                    access::check_subject_key_identifier(value, ext.critical)
                        .map_err(CertificateParseError::Refused)?;
                }
                // Read as Go reads it (leading URIs of each fullName, its
                // leniencies), and refused where Go refuses the certificate:
                // a point named relative to the CRL issuer fails there
                // (nameRelativeToCRLIssuer), so it never reaches a check
                // that would find no URL to fetch.
                oid::CRL_DISTRIBUTION_POINTS => {
                    crl_urls = distribution::distribution_point_urls(value)
                        .map_err(CertificateParseError::InvalidDistributionPoints)?;
                }
                oid::SUBJECT_ALT_NAME => subject_alt_name = Some(value.to_vec()),
                oid::FRESHEST_CRL => {
                    freshest_crl_urls =
                        distribution::distribution_point_urls(value).map_err(|e| e.to_string());
                }
                _ => {}
            }
        }

        let version = match tbs_cert.version() {
            x509_cert::certificate::Version::V1 => 1,
            x509_cert::certificate::Version::V2 => 2,
            x509_cert::certificate::Version::V3 => 3,
        };
        Ok(Certificate(Arc::new(Inner {
            tbs,
            raw_issuer,
            raw_subject,
            raw_spki,
            version,
            serial: tbs_cert.serial_number().as_bytes().to_vec(),
            subject: std::sync::OnceLock::new(),
            issuer: std::sync::OnceLock::new(),
            not_before,
            not_after,
            public_key,
            signature_algorithm,
            signature,
            basic_constraints,
            key_usage,
            ext_key_usage,
            ocsp_urls,
            crl_urls,
            freshest_crl_urls,
            subject_alt_name,
            sha256: std::sync::OnceLock::new(),
            der,
        })))
    }

    /// The certificate's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// The DER bytes of the TBSCertificate, as signed.
    pub fn tbs_der(&self) -> &[u8] {
        &self.0.der[self.0.tbs.clone()]
    }

    /// The DER bytes of the subject name, as encoded.
    pub fn raw_subject(&self) -> &[u8] {
        &self.0.der[self.0.raw_subject.clone()]
    }

    /// The DER bytes of the issuer name, as encoded.
    pub fn raw_issuer(&self) -> &[u8] {
        &self.0.der[self.0.raw_issuer.clone()]
    }

    /// X.509 version (1, 2 or 3).
    pub fn version(&self) -> u8 {
        self.0.version
    }

    /// Serial number bytes (big-endian, as encoded).
    pub fn serial_number(&self) -> &[u8] {
        &self.0.serial
    }

    /// The subject.
    pub fn subject(&self) -> &DistinguishedName {
        self.0
            .subject
            .get_or_init(|| DistinguishedName::from_checked_der(self.raw_subject()))
    }

    /// The issuer.
    pub fn issuer(&self) -> &DistinguishedName {
        self.0
            .issuer
            .get_or_init(|| DistinguishedName::from_checked_der(self.raw_issuer()))
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.0.not_before
    }

    /// End of the validity period (inclusive).
    pub fn not_after(&self) -> OffsetDateTime {
        self.0.not_after
    }

    /// Whether `t` lies inside the validity period (both ends inclusive, as
    /// Go compares `Before(NotBefore) || After(NotAfter)`).
    pub fn is_valid_at(&self, t: OffsetDateTime) -> bool {
        t >= self.0.not_before && t <= self.0.not_after
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.0.public_key
    }

    /// The key spec of the subject public key.
    // Requirements: G2, G3.
    pub fn key_spec(&self) -> Result<KeySpec, UnsupportedKeyError> {
        self.0.public_key.key_spec()
    }

    /// The algorithm the certificate's issuer signed it with.
    pub fn signature_algorithm(&self) -> &CertSignatureAlgorithm {
        &self.0.signature_algorithm
    }

    /// The issuer's signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.0.signature
    }

    /// The basic constraints extension, if present.
    pub fn basic_constraints(&self) -> Option<BasicConstraintsInfo> {
        self.0.basic_constraints
    }

    /// Whether the certificate is a CA (basic constraints present with cA).
    pub fn is_ca(&self) -> bool {
        self.0.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// The key usage extension: criticality and bits.
    pub fn key_usage(&self) -> Option<(bool, KeyUsageBits)> {
        self.0.key_usage
    }

    /// The extended key usage extension: criticality and purposes.
    pub fn ext_key_usage(&self) -> Option<(bool, &[const_oid::ObjectIdentifier])> {
        self.0
            .ext_key_usage
            .as_ref()
            .map(|(c, v)| (*c, v.as_slice()))
    }

    /// OCSP responder URLs from the authority information access extension.
    pub fn ocsp_urls(&self) -> &[String] {
        &self.0.ocsp_urls
    }

    /// CRL URLs from the CRL distribution points extension.
    pub fn crl_urls(&self) -> &[String] {
        &self.0.crl_urls
    }

    /// Delta CRL URLs from the freshest CRL extension, or why it could not
    /// be parsed.
    pub fn freshest_crl_urls(&self) -> Result<&[String], &str> {
        match &self.0.freshest_crl_urls {
            Ok(v) => Ok(v),
            Err(e) => Err(e),
        }
    }

    /// The SubjectPublicKeyInfo, as encoded.
    pub fn raw_subject_public_key_info(&self) -> &[u8] {
        &self.0.der[self.0.raw_spki.clone()]
    }

    /// The subjectAltName extension's value (DER), if it has one.
    pub fn subject_alt_name_der(&self) -> Option<&[u8]> {
        self.0.subject_alt_name.as_deref()
    }

    /// SHA-256 fingerprint of the DER bytes.
    pub fn sha256_fingerprint(&self) -> &[u8; 32] {
        self.0.sha256.get_or_init(|| {
            let mut out = [0u8; 32];
            out.copy_from_slice(&HashAlgorithm::Sha256.digest(&self.0.der));
            out
        })
    }

    /// Lowercase hex SHA-256 fingerprint, as in the thumbprint annotation.
    // Requirements: Q4.
    pub fn sha256_fingerprint_hex(&self) -> String {
        crate::hex::encode(self.sha256_fingerprint())
    }

    /// Whether subject and issuer are byte-identical.
    pub fn is_self_issued(&self) -> bool {
        self.raw_subject() == self.raw_issuer()
    }

    /// Verifies this certificate's signature with `issuer`'s key, without the
    /// CA constraints of [`Certificate::check_signature_from`].
    pub fn check_signature_with(
        &self,
        issuer_key: &PublicKey,
        crypto: &dyn CryptoProvider,
    ) -> Result<(), CertSignatureError> {
        // Through `verify_certificate_signature`: the result depends on
        // these bytes alone, so a provider may remember it (the verifier's
        // chain cache).
        match &self.0.signature_algorithm {
            CertSignatureAlgorithm::Supported(scheme) => crypto
                .verify_certificate_signature(*scheme, issuer_key, self.tbs_der(), self.signature())
                .map_err(CertSignatureError::Signature),
            other => check_signature(other, self.tbs_der(), self.signature(), issuer_key, crypto),
        }
    }

    /// Checks that `parent` may sign certificates and signed this one, as
    /// Go's `CheckSignatureFrom` does (used by the chain rules).
    // Requirements: H5.
    pub fn check_signature_from(
        &self,
        parent: &Certificate,
        crypto: &dyn CryptoProvider,
    ) -> Result<(), CertSignatureError> {
        let bc = parent.basic_constraints();
        if (parent.version() == 3 && bc.is_none()) || bc.is_some_and(|b| !b.ca) {
            return Err(CertSignatureError::ParentCannotSign);
        }
        if let Some((_, ku)) = parent.key_usage()
            && ku.0 != 0
            && !ku.has(KeyUsageBits::KEY_CERT_SIGN)
        {
            return Err(CertSignatureError::ParentCannotSign);
        }
        self.check_signature_with(parent.public_key(), crypto)
    }
}

/// Verifies `signature` over `signed` made with `algorithm` by `key`; SHA-1
/// and MD5 are refused.
// Requirements: H6.
pub fn check_signature(
    algorithm: &CertSignatureAlgorithm,
    signed: &[u8],
    signature: &[u8],
    key: &PublicKey,
    crypto: &dyn CryptoProvider,
) -> Result<(), CertSignatureError> {
    match algorithm {
        CertSignatureAlgorithm::Supported(scheme) => crypto
            .verify(*scheme, key, signed, signature)
            .map_err(CertSignatureError::Signature),
        CertSignatureAlgorithm::Insecure(name) => Err(CertSignatureError::InsecureAlgorithm(name)),
        CertSignatureAlgorithm::Unknown(name) => {
            Err(CertSignatureError::UnknownAlgorithm(name.clone()))
        }
    }
}

/// Why one certificate's signature could not be verified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertSignatureError {
    /// The parent is not a CA or may not sign certificates.
    #[error("x509: invalid signature: parent certificate cannot sign this kind of certificate")]
    ParentCannotSign,
    /// SHA-1 or MD5.
    // Requirements: H6.
    #[error("x509: cannot verify signature: insecure algorithm {0}")]
    InsecureAlgorithm(&'static str),
    /// An algorithm we do not know.
    #[error("x509: cannot verify signature: algorithm unimplemented: {0}")]
    UnknownAlgorithm(String),
    /// The signature itself.
    #[error("{0}")]
    Signature(SignatureVerificationError),
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject().to_string())
            .field("sha256", &self.sha256_fingerprint_hex())
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.sha256_fingerprint().hash(state)
    }
}

fn key_usage_bits(ku: &KeyUsage) -> KeyUsageBits {
    let table = [
        (KeyUsages::DigitalSignature, KeyUsageBits::DIGITAL_SIGNATURE),
        (KeyUsages::NonRepudiation, KeyUsageBits::CONTENT_COMMITMENT),
        (KeyUsages::KeyEncipherment, KeyUsageBits::KEY_ENCIPHERMENT),
        (KeyUsages::DataEncipherment, KeyUsageBits::DATA_ENCIPHERMENT),
        (KeyUsages::KeyAgreement, KeyUsageBits::KEY_AGREEMENT),
        (KeyUsages::KeyCertSign, KeyUsageBits::KEY_CERT_SIGN),
        (KeyUsages::CRLSign, KeyUsageBits::CRL_SIGN),
        (KeyUsages::EncipherOnly, KeyUsageBits::ENCIPHER_ONLY),
        (KeyUsages::DecipherOnly, KeyUsageBits::DECIPHER_ONLY),
    ];
    let mut bits = 0;
    for (flag, bit) in table {
        if ku.0.contains(flag) {
            bits |= bit;
        }
    }
    KeyUsageBits(bits)
}

fn to_offset(d: std::time::Duration) -> Result<OffsetDateTime, CertificateParseError> {
    OffsetDateTime::from_unix_timestamp(d.as_secs() as i64)
        .map_err(|e| CertificateParseError::Malformed(format!("validity time out of range: {e}")))
}

fn trim_ascii_start(data: &[u8]) -> &[u8] {
    let n = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &data[n..]
}

/// Checks that every value of `name` (as x509-cert decoded it) is text Go
/// can read; the error, if any, is the one parsing `raw` (the name as
/// encoded, in its order) gives.
/// The extension ids of a certificate seen so far: a short list while there
/// are a few (a certificate has a handful), a hash set past that, so that a
/// hostile certificate with many thousands costs linear time, as in Go.
#[derive(Default)]
struct SeenOids {
    few: Vec<der::asn1::ObjectIdentifier>,
    many: std::collections::HashSet<der::asn1::ObjectIdentifier>,
}

impl SeenOids {
    const FEW: usize = 16;

    /// False when `oid` was seen already.
    fn insert(&mut self, oid: der::asn1::ObjectIdentifier) -> bool {
        if self.few.len() < Self::FEW {
            if self.few.contains(&oid) {
                return false;
            }
            self.few.push(oid);
            return true;
        }
        if self.many.is_empty() {
            self.many.extend(self.few.iter().copied());
        }
        self.many.insert(oid)
    }
}

fn check_name(name: &x509_cert::name::Name, raw: &[u8]) -> Result<(), CertificateParseError> {
    let readable = name
        .iter()
        .all(|atv| name::is_readable_value((&atv.value).into()));
    if readable {
        return Ok(());
    }
    DistinguishedName::from_der(raw)
        .map(|_| ())
        .map_err(CertificateParseError::InvalidName)
}

type Ranges = (
    std::ops::Range<usize>,
    std::ops::Range<usize>,
    std::ops::Range<usize>,
    std::ops::Range<usize>,
);

/// Byte ranges of the TBSCertificate, issuer, subject and
/// subjectPublicKeyInfo inside `der`.
///
/// Also checks that the outer signatureAlgorithm is byte-for-byte the
/// signed one in the TBSCertificate: the outer copy is not covered by the
/// signature, so any difference is tampering.
fn raw_ranges(der: &[u8]) -> Result<Ranges, CertificateParseError> {
    let mut outer = SliceReader::new(der)?;
    let header = der::Header::decode(&mut outer)?;
    header.tag().assert_eq(der::Tag::Sequence)?;
    let tbs_start: usize = outer.position().try_into()?;
    let tbs = outer.tlv_bytes()?;
    let tbs_range = tbs_start..tbs_start + tbs.len();
    let outer_sig_alg = outer.tlv_bytes()?;

    let mut r = SliceReader::new(tbs)?;
    let h = der::Header::decode(&mut r)?;
    h.tag().assert_eq(der::Tag::Sequence)?;
    // [0] EXPLICIT version, optional.
    if der::Tag::peek(&r)?
        == (der::Tag::ContextSpecific {
            constructed: true,
            number: der::TagNumber(0),
        })
    {
        r.tlv_bytes()?;
    }
    r.tlv_bytes()?; // serialNumber
    if r.tlv_bytes()? != outer_sig_alg {
        return Err(CertificateParseError::SignatureAlgorithmMismatch);
    }
    let issuer_start: usize = r.position().try_into()?;
    let issuer = r.tlv_bytes()?;
    r.tlv_bytes()?; // validity
    let subject_start: usize = r.position().try_into()?;
    let subject = r.tlv_bytes()?;
    let spki_start: usize = r.position().try_into()?;
    let spki = r.tlv_bytes()?;
    Ok((
        tbs_range,
        tbs_start + issuer_start..tbs_start + issuer_start + issuer.len(),
        tbs_start + subject_start..tbs_start + subject_start + subject.len(),
        tbs_start + spki_start..tbs_start + spki_start + spki.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Duplicates are found among a few ids and among many, in linear time
    /// for many (a hostile certificate may carry thousands).
    #[test]
    fn seen_extension_ids() {
        let oid = |i: u32| der::asn1::ObjectIdentifier::new(&format!("1.2.3.{i}")).unwrap();
        let mut seen = SeenOids::default();
        for i in 0..50_000 {
            assert!(seen.insert(oid(i)), "{i}");
        }
        assert!(!seen.insert(oid(3)));
        assert!(!seen.insert(oid(30_000)));
        let mut few = SeenOids::default();
        assert!(few.insert(oid(1)) && few.insert(oid(2)));
        assert!(!few.insert(oid(1)));
    }
}
