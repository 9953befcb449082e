//! The CMS SignedData layer of a timestamp token (RFC 5652 §5), declared
//! with `der` derives: the RustCrypto `cms` crate sits on another `der`
//! generation (see DEPENDENCIES.md).
//!
//! The signed attributes are kept as the bytes that were sent: the signature
//! covers their DER encoding with the `[0] IMPLICIT` tag replaced by the
//! SET OF tag (RFC 5652 §5.4), and a re-encoding could differ.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, IntRef, OctetStringRef};
use der::{Decode, Encode, Header, Reader, SliceReader, Tag};
use spki::AlgorithmIdentifierRef;
use time::OffsetDateTime;

use super::asn1::{self, Asn1Error};
use super::elements::{ContextTag, Element, SequenceTag, SetTag, count_elements};
use super::error::{AttributeError, CmsParseError, CmsVerificationError};
use super::{MAX_CERTIFICATES, MAX_SIGNED_ATTRIBUTES, MAX_SIGNER_INFOS, oids};
use crate::algorithm::HashAlgorithm;
use crate::crypto::{CryptoProvider, SignatureScheme};
use crate::oid;
use crate::x509::Certificate;

/// `ContentInfo` (RFC 5652 §3).
#[derive(der::Sequence)]
struct ContentInfoDer<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: AnyRef<'a>,
}

/// `SignedData` (RFC 5652 §5.1). The SETs are kept undecoded here: their
/// elements are read in encoded order (the order `notation inspect` lists
/// certificates in, and the order signers are tried in), with the size
/// limits of this module; `der`'s `SetOfVec` would sort them.
#[derive(der::Sequence)]
struct SignedDataDer<'a> {
    version: i64,
    digest_algorithms: Element<'a, SetTag>,
    encap_content_info: EncapsulatedContentInfoDer<'a>,
    /// `[0] IMPLICIT CertificateSet`.
    #[asn1(optional = "true")]
    certificates: Option<Element<'a, ContextTag<0>>>,
    /// `[1] IMPLICIT RevocationInfoChoices`: not used by Notation, the
    /// revocation of the TSA chain is checked online.
    // Requirements: O3.
    #[asn1(optional = "true")]
    crls: Option<Element<'a, ContextTag<1>>>,
    signer_infos: Element<'a, SetTag>,
}

/// `EncapsulatedContentInfo` (RFC 5652 §5.2). DER: the OCTET STRING is
/// primitive (`der` refuses the BER constructed form).
#[derive(der::Sequence)]
struct EncapsulatedContentInfoDer<'a> {
    e_content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    e_content: Option<&'a OctetStringRef>,
}

/// `SignerInfo` (RFC 5652 §5.3).
#[derive(der::Sequence)]
struct SignerInfoDer<'a> {
    version: i64,
    sid: SignerIdentifierDer<'a>,
    digest_algorithm: AlgorithmIdentifierRef<'a>,
    /// `[0] IMPLICIT SignedAttributes`, kept as encoded.
    #[asn1(optional = "true")]
    signed_attrs: Option<Element<'a, ContextTag<0>>>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: &'a OctetStringRef,
    #[asn1(optional = "true")]
    unsigned_attrs: Option<Element<'a, ContextTag<1>>>,
}

/// `SignerIdentifier` (RFC 5652 §5.3).
#[derive(der::Choice)]
enum SignerIdentifierDer<'a> {
    IssuerAndSerialNumber(IssuerAndSerialNumberDer<'a>),
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    SubjectKeyIdentifier(&'a OctetStringRef),
}

/// `IssuerAndSerialNumber` (RFC 5652 §10.2.4). The issuer `Name` is kept
/// as encoded: certificates are matched on their issuer bytes.
#[derive(der::Sequence)]
struct IssuerAndSerialNumberDer<'a> {
    issuer: Element<'a, SequenceTag>,
    serial_number: IntRef<'a>,
}

/// `Attribute` (RFC 5652 §5.3). `attrValues` is a SET OF; like the
/// reference (an `asn1.RawValue`), any element is taken here and its
/// contents decoded when the attribute is used, so a malformed attribute
/// fails the check that needs it.
#[derive(der::Sequence)]
struct AttributeDer<'a> {
    attr_type: ObjectIdentifier,
    attr_values: AnyRef<'a>,
}

/// A parsed SignedData.
#[derive(Clone, Debug)]
pub(crate) struct SignedData {
    pub content_type: ObjectIdentifier,
    pub content: Option<Vec<u8>>,
    pub certificates: Vec<Certificate>,
    pub signer_infos: Vec<SignerInfo>,
}

/// How a SignerInfo names its certificate (RFC 5652 §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerIdentifier {
    /// `issuerAndSerialNumber`: the DER issuer name and the serial number's
    /// INTEGER contents octets.
    IssuerAndSerialNumber {
        /// DER `Name` of the issuer, as encoded.
        issuer: Vec<u8>,
        /// Contents octets of the serial number INTEGER.
        serial_number: Vec<u8>,
    },
    /// `subjectKeyIdentifier`: never produced by parsing, which refuses it
    /// as the reference does ([`CmsParseError::SubjectKeyIdentifier`]).
    SubjectKeyIdentifier(Vec<u8>),
}

/// One signer of a timestamp token, with its signed attributes kept as
/// encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerInfo {
    version: i64,
    sid: SignerIdentifier,
    digest_algorithm: ObjectIdentifier,
    signed_attributes: Option<SignedAttributes>,
    signature_algorithm: ObjectIdentifier,
    signature: Vec<u8>,
}

/// The signed attributes of a SignerInfo: the original `[0] IMPLICIT`
/// encoding, the bytes the signature covers, and each attribute's type and
/// values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SignedAttributes {
    raw: Vec<u8>,
    /// The DER of `SET OF Attribute` with the same contents octets (RFC
    /// 5652 §5.4).
    signed: Vec<u8>,
    /// (type, contents octets of the attrValues element).
    attributes: Vec<(ObjectIdentifier, Vec<u8>)>,
}

impl SignerInfo {
    /// The SignerInfo version (1 for issuerAndSerialNumber).
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The signer identifier.
    pub fn signer_identifier(&self) -> &SignerIdentifier {
        &self.sid
    }

    /// The digest algorithm OID.
    pub fn digest_algorithm(&self) -> &ObjectIdentifier {
        &self.digest_algorithm
    }

    /// The signature algorithm OID.
    pub fn signature_algorithm(&self) -> &ObjectIdentifier {
        &self.signature_algorithm
    }

    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signed attributes exactly as encoded (`[0] IMPLICIT SET OF
    /// Attribute`), if present.
    pub fn signed_attributes_der(&self) -> Option<&[u8]> {
        self.signed_attributes.as_ref().map(|a| a.raw.as_slice())
    }

    /// The bytes the signature covers: the signed attributes re-tagged as
    /// SET OF (RFC 5652 §5.4), or the content when there are none.
    pub(crate) fn signed_bytes<'a>(&'a self, content: &'a [u8]) -> &'a [u8] {
        match &self.signed_attributes {
            Some(attrs) => &attrs.signed,
            None => content,
        }
    }

    /// The contents of the values of the first attribute of type
    /// `attr_type`, as the reference's `Attributes.Get` finds it.
    pub(crate) fn attribute(&self, attr_type: &ObjectIdentifier) -> Result<&[u8], AttributeError> {
        let attrs = self
            .signed_attributes
            .as_ref()
            .ok_or(AttributeError::NotFound)?;
        attrs
            .attributes
            .iter()
            .find(|(t, _)| t == attr_type)
            .map(|(_, values)| values.as_slice())
            .ok_or(AttributeError::NotFound)
    }

    /// Decodes the first value of an attribute as a `T` (later values are
    /// ignored, as by the reference).
    pub(crate) fn attribute_value<'a, T>(
        &'a self,
        attr_type: &ObjectIdentifier,
    ) -> Result<T, AttributeError>
    where
        T: Decode<'a, Error = der::Error>,
    {
        let values = self.attribute(attr_type)?;
        first_value(values).map_err(AttributeError::Malformed)
    }
}

/// Decodes the first element of `values` as a `T`, ignoring the rest.
pub(crate) fn first_value<'a, T>(values: &'a [u8]) -> Result<T, Asn1Error>
where
    T: Decode<'a, Error = der::Error>,
{
    SliceReader::new(values)
        .and_then(|mut r| r.decode())
        .map_err(|e| Asn1Error::from_der(e, values))
}

impl SignedData {
    /// Parses a ContentInfo holding a SignedData, strict DER.
    pub fn parse(der: &[u8]) -> Result<Self, CmsParseError> {
        // The reference first runs its BER converter over the whole input;
        // reproducing its structural errors keeps messages aligned. It also
        // guarantees every element fits its container, so the DER errors
        // below are about shape, not truncation.
        asn1::check_ber_structure(der).map_err(CmsParseError::Ber)?;

        let content_info = ContentInfoDer::from_der(der)
            .map_err(|e| CmsParseError::ContentInfo(Asn1Error::from_der(e, der)))?;
        if content_info.content_type != oids::SIGNED_DATA {
            return Err(CmsParseError::NotSignedData);
        }
        let syntax = |e| CmsParseError::SignedData(Asn1Error::from_der(e, der));
        let signed_data: SignedDataDer<'_> = content_info.content.decode_as().map_err(syntax)?;
        if signed_data.version != 3 {
            return Err(CmsParseError::Version(signed_data.version));
        }

        // tspclient-go decodes `crls` into []x509.RevocationList, which no
        // CRL fits: an empty field is all it takes.
        if signed_data
            .crls
            .as_ref()
            .is_some_and(|crls| !crls.contents().is_empty())
        {
            return Err(CmsParseError::RevocationInfo);
        }

        let mut certificates = Vec::new();
        if let Some(field) = &signed_data.certificates {
            let certificate_error =
                |e| CmsParseError::Certificate(Asn1Error::from_der(e, der).to_string());
            let mut r = field.reader().map_err(certificate_error)?;
            while !r.is_finished() {
                if certificates.len() == MAX_CERTIFICATES {
                    return Err(CmsParseError::TooManyCertificates {
                        count: certificates.len() + count_elements(r),
                        limit: MAX_CERTIFICATES,
                    });
                }
                let header = Header::peek(&r).map_err(certificate_error)?;
                let tlv = r.tlv_bytes().map_err(certificate_error)?;
                if header.tag() != Tag::Sequence {
                    // Attribute certificates and other choices.
                    return Err(CmsParseError::Certificate(
                        "x509: malformed certificate: not an X.509 certificate".into(),
                    ));
                }
                let cert = Certificate::from_der(tlv)
                    .map_err(|e| CmsParseError::Certificate(e.to_string()))?;
                certificates.push(cert);
            }
        }

        let mut signer_infos = Vec::new();
        let mut r = signed_data.signer_infos.reader().map_err(syntax)?;
        while !r.is_finished() {
            if signer_infos.len() == MAX_SIGNER_INFOS {
                return Err(CmsParseError::TooManySignerInfos {
                    count: signer_infos.len() + count_elements(r),
                    limit: MAX_SIGNER_INFOS,
                });
            }
            let signer_info: SignerInfoDer<'_> = r.decode().map_err(syntax)?;
            signer_infos.push(SignerInfo::from_der_type(signer_info, der)?);
        }

        let encap = signed_data.encap_content_info;
        Ok(Self {
            content_type: encap.e_content_type,
            content: encap.e_content.map(|octets| octets.as_bytes().to_vec()),
            certificates,
            signer_infos,
        })
    }

    /// Finds a certificate by issuer name bytes and serial number.
    pub fn certificate_by_issuer_serial(
        &self,
        issuer: &[u8],
        serial: &[u8],
    ) -> Option<&Certificate> {
        self.certificates
            .iter()
            .find(|c| c.raw_issuer() == issuer && c.serial_number() == serial)
    }
}

impl SignerInfo {
    /// Converts the decoded form; `token` is the whole token, for error
    /// texts.
    fn from_der_type(info: SignerInfoDer<'_>, token: &[u8]) -> Result<Self, CmsParseError> {
        let sid = match info.sid {
            SignerIdentifierDer::IssuerAndSerialNumber(ias) => {
                SignerIdentifier::IssuerAndSerialNumber {
                    issuer: ias.issuer.der().to_vec(),
                    serial_number: ias.serial_number.as_bytes().to_vec(),
                }
            }
            // tspclient-go's SignerInfo holds an IssuerAndSerialNumber.
            SignerIdentifierDer::SubjectKeyIdentifier(_) => {
                return Err(CmsParseError::SubjectKeyIdentifier);
            }
        };
        let signed_attributes = match info.signed_attrs {
            // An empty SET (invalid per RFC 5652, SIZE 1..MAX) counts as
            // absent, as in the reference.
            Some(attrs) if !attrs.contents().is_empty() => {
                Some(parse_signed_attributes(&attrs, token)?)
            }
            _ => None,
        };
        Ok(Self {
            version: info.version,
            sid,
            digest_algorithm: info.digest_algorithm.oid,
            signed_attributes,
            signature_algorithm: info.signature_algorithm.oid,
            signature: info.signature.as_bytes().to_vec(),
        })
    }
}

fn parse_signed_attributes(
    field: &Element<'_, ContextTag<0>>,
    token: &[u8],
) -> Result<SignedAttributes, CmsParseError> {
    let syntax = |e| CmsParseError::SignedData(Asn1Error::from_der(e, token));
    let mut attributes = Vec::new();
    let mut encodings = Vec::new();
    let mut r = field.reader().map_err(syntax)?;
    while !r.is_finished() {
        if attributes.len() == MAX_SIGNED_ATTRIBUTES {
            return Err(CmsParseError::TooManyAttributes {
                count: attributes.len() + count_elements(r),
                limit: MAX_SIGNED_ATTRIBUTES,
            });
        }
        let tlv = r.tlv_bytes().map_err(syntax)?;
        let attr = AttributeDer::from_der(tlv).map_err(syntax)?;
        attributes.push((attr.attr_type, attr.attr_values.value().to_vec()));
        encodings.push(tlv);
    }
    // RFC 5652 §5.4: the signature covers the DER of the SET OF: the
    // attributes under the SET tag, in DER order. tspclient-go re-encodes
    // them so (Go's SET OF encoder sorts the encodings), whatever order
    // they came in; a DER token has them in that order already.
    encodings.sort_unstable();
    let signed = AnyRef::new(Tag::Set, &encodings.concat())
        .and_then(|set| set.to_der())
        .map_err(syntax)?;
    Ok(SignedAttributes {
        raw: field.der().to_vec(),
        signed,
        attributes,
    })
}

/// SHA-256/384/512 by OID; SHA-1 and anything else give `None`.
pub(crate) fn hash_from_oid(alg: &ObjectIdentifier) -> Option<HashAlgorithm> {
    match *alg {
        oid::SHA256 => Some(HashAlgorithm::Sha256),
        oid::SHA384 => Some(HashAlgorithm::Sha384),
        oid::SHA512 => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

/// The signature scheme of a SignerInfo, as the reference maps the
/// (digestAlgorithm, signatureAlgorithm) pair: `rsaEncryption` and
/// `RSASSA-PSS` take the hash from digestAlgorithm, the combined OIDs
/// (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, …) carry their own.
/// CMS ECDSA signatures are DER-encoded.
pub(crate) fn signature_scheme(
    digest: &ObjectIdentifier,
    signature: &ObjectIdentifier,
) -> Option<SignatureScheme> {
    use HashAlgorithm::*;
    use SignatureScheme::*;
    Some(match *signature {
        oid::RSA_ENCRYPTION => RsaPkcs1v15(hash_from_oid(digest)?),
        oid::RSASSA_PSS => RsaPss(hash_from_oid(digest)?),
        oid::SHA256_WITH_RSA => RsaPkcs1v15(Sha256),
        oid::SHA384_WITH_RSA => RsaPkcs1v15(Sha384),
        oid::SHA512_WITH_RSA => RsaPkcs1v15(Sha512),
        oid::ECDSA_WITH_SHA256 => EcdsaDer(Sha256),
        oid::ECDSA_WITH_SHA384 => EcdsaDer(Sha384),
        oid::ECDSA_WITH_SHA512 => EcdsaDer(Sha512),
        _ => return None,
    })
}

/// Verifies a SignerInfo's signature with the signing certificate's key
/// (RFC 5652 §5.6).
pub(crate) fn verify_signature(
    signer: &SignerInfo,
    content: &[u8],
    cert: &Certificate,
    crypto: &dyn CryptoProvider,
) -> Result<(), CmsVerificationError> {
    let scheme = signature_scheme(&signer.digest_algorithm, &signer.signature_algorithm)
        .ok_or(CmsVerificationError::UnknownSignatureAlgorithm)?;
    let signed = signer.signed_bytes(content);
    crypto
        .verify(scheme, cert.public_key(), signed, &signer.signature)
        .map_err(CmsVerificationError::Signature)
}

/// The signed-attribute checks of RFC 5652 §5.6 and §11 for a timestamp
/// token: signed attributes are required, content-type must equal
/// eContentType, message-digest must be the hash of eContent with the
/// signer's digest algorithm (SHA-1 refused), and an optional signing-time
/// must lie inside the validity of every certificate of one of `chains`.
/// Returns the index of the chain that was accepted.
pub(crate) fn verify_signed_attributes(
    signer: &SignerInfo,
    content_type: &ObjectIdentifier,
    content: &[u8],
    chains: &[Vec<Certificate>],
) -> Result<usize, CmsVerificationError> {
    use CmsVerificationError as E;
    if signer.signed_attributes.is_none() {
        return Err(E::MissingSignedAttributes);
    }
    let found: ObjectIdentifier = signer
        .attribute_value(&oids::ATTR_CONTENT_TYPE)
        .map_err(E::ContentTypeAttribute)?;
    if found != *content_type {
        return Err(E::ContentTypeMismatch {
            found,
            expected: *content_type,
        });
    }

    let expected_digest = signer
        .attribute_value::<&OctetStringRef>(&oids::ATTR_MESSAGE_DIGEST)
        .map_err(E::MessageDigestAttribute)?
        .as_bytes();
    let hash = hash_from_oid(&signer.digest_algorithm)
        .ok_or(E::UnsupportedDigestAlgorithm(signer.digest_algorithm))?;
    if hash.digest(content) != expected_digest {
        return Err(E::MessageDigestMismatch);
    }

    // Time ::= CHOICE { utcTime, generalTime } (RFC 5652 §11.3), whole
    // seconds in UTC: `der`'s types enforce the DER forms.
    let signing_time =
        match signer.attribute_value::<x509_cert::time::Time>(&oids::ATTR_SIGNING_TIME) {
            Err(AttributeError::NotFound) => return Ok(0),
            Err(e) => return Err(E::SigningTimeAttribute(e)),
            Ok(time) => i64::try_from(time.to_unix_duration().as_secs())
                .ok()
                .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
                .ok_or_else(|| {
                    E::SigningTimeAttribute(AttributeError::Malformed(Asn1Error::syntax(
                        "invalid time",
                    )))
                })?,
        };
    chains
        .iter()
        .position(|chain| chain.iter().all(|c| c.is_valid_at(signing_time)))
        .ok_or(E::SigningTimeOutsideValidity(signing_time))
}

impl From<Asn1Error> for CmsParseError {
    fn from(e: Asn1Error) -> Self {
        CmsParseError::SignedData(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::path::build_chains;

    fn vector(path: &str) -> Vec<u8> {
        let p = format!(
            "{}/../../shared/conformance/04-timestamp-tokens/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&p).unwrap_or_else(|e| panic!("reading {p}: {e}"))
    }

    /// Mirrors the reference's `TestVerifySignedAttributes`: the attribute
    /// checks alone, with the token's certificates as the chain.
    #[test]
    fn signed_attribute_checks_match_reference() {
        let cases = [
            (
                "TimeStampTokenWithoutSignedAttributeContentType.p7s",
                Some("invalid content type: attribute not found"),
            ),
            (
                "TimeStampTokenInvalidSignedAttributeContentType.p7s",
                Some(
                    "mismatch content type: found \"1.2.840.113549.1.9.16.1.44\" in signer info, and \"1.2.840.113549.1.9.16.1.4\" in signed data",
                ),
            ),
            (
                "TimeStampTokenWithoutSignedAttributeDigest.p7s",
                Some("invalid message digest: attribute not found"),
            ),
            (
                "TimeStampTokenWithSignedAttributeSHA1.p7s",
                Some("unsupported digest algorithm"),
            ),
            ("TimeStampTokenWithInvalidSigningTime.p7s", None),
            ("TimeStampTokenWithSigningTime.p7s", Some("")),
            ("TimeStampTokenWithSigningTimeBeforeExpected.p7s", None),
            (
                "TimeStampTokenWithoutSignedAttributes.p7s",
                Some("missing signed attributes"),
            ),
        ];
        for (file, want) in cases {
            let sd = SignedData::parse(&vector(&format!("tspclient-go-cms/{file}"))).unwrap();
            let content = sd.content.clone().unwrap_or_default();
            let got = verify_signed_attributes(
                &sd.signer_infos[0],
                &sd.content_type,
                &content,
                std::slice::from_ref(&sd.certificates),
            );
            match (want, got) {
                (Some(""), Ok(_)) => {}
                (Some(""), Err(e)) => panic!("{file}: {e}"),
                (Some(w), Err(e)) => assert_eq!(e.to_string(), w, "{file}"),
                (None, Err(e)) => assert!(
                    e.to_string().starts_with("invalid signing time")
                        || e.to_string().starts_with("signing time, "),
                    "{file}: {e}"
                ),
                (_, Ok(_)) => panic!("{file}: accepted"),
            }
        }
    }

    /// The reference's CMS-level `ParsedSignedData.Verify`: the signer's
    /// certificate is found by its SID (no ESS attribute involved).
    fn verify_by_sid(
        sd: &SignedData,
        roots: &[Certificate],
        at: time::OffsetDateTime,
    ) -> Result<(), String> {
        let crypto = crate::crypto::DefaultProvider;
        if sd.signer_infos.is_empty() {
            return Err("signerInfo not found".into());
        }
        if sd.certificates.is_empty() {
            return Err("certificate not found".into());
        }
        let content = sd.content.clone().unwrap_or_default();
        let mut last = String::new();
        for signer in &sd.signer_infos {
            let cert = match signer.signer_identifier() {
                SignerIdentifier::IssuerAndSerialNumber {
                    issuer,
                    serial_number,
                } => sd.certificate_by_issuer_serial(issuer, serial_number),
                SignerIdentifier::SubjectKeyIdentifier(_) => None,
            };
            let Some(cert) = cert else {
                last = "certificate not found".into();
                continue;
            };
            if signer.version() != 1 {
                last = CmsVerificationError::SignerVersion(signer.version()).to_string();
                continue;
            }
            let result = build_chains(cert, &sd.certificates, roots, at, &crypto)
                .map_err(|e| e.to_string())
                .and_then(|chains| {
                    verify_signature(signer, &content, cert, &crypto).map_err(|e| e.to_string())?;
                    if sd.content_type != oids::TST_INFO {
                        return Err(format!("unexpected content type: {}", sd.content_type));
                    }
                    verify_signed_attributes(signer, &sd.content_type, &content, &chains)
                        .map_err(|e| e.to_string())
                });
            match result {
                Ok(_) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Mirrors the reference's cms `TestVerify`: roots = the token's last
    /// certificate, time 2024-01-09.
    #[test]
    fn cms_level_verification_matches_reference() {
        let at = time::macros::datetime!(2024-01-09 0:00 UTC);
        let cases = [
            (
                "TimeStampTokenWithoutCertificate.p7s",
                Some("certificate not found"),
            ),
            (
                "TimeStampTokenWithoutSigner.p7s",
                Some("signerInfo not found"),
            ),
            (
                "TimeStampTokenWithSignerVersion2.p7s",
                Some("invalid signer info version: only version 1 is supported; got 2"),
            ),
            (
                "TimeStampTokenWithUnknownSignerIssuer.p7s",
                Some("certificate not found"),
            ),
            ("Sha1SignedData.p7s", None),
            (
                "TimeStampTokenWithInvalidSignature.p7s",
                Some("crypto/rsa: verification error"),
            ),
            (
                "SignedDataWithoutSignedAttributes.p7s",
                Some("unexpected content type: 1.2.840.113549.1.7.1"),
            ),
            (
                "TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s",
                Some(""),
            ),
            ("TimeStampToken.p7s", Some("")),
        ];
        for (file, want) in cases {
            let sd = SignedData::parse(&vector(&format!("tspclient-go-cms/{file}"))).unwrap();
            let roots: Vec<Certificate> = sd.certificates.last().cloned().into_iter().collect();
            let got = verify_by_sid(&sd, &roots, at);
            match want {
                Some("") => assert_eq!(got, Ok(()), "{file}"),
                Some(w) => assert_eq!(got, Err(w.to_string()), "{file}"),
                None => assert!(got.is_err(), "{file}"),
            }
        }
        // With no root at all: unknown authority.
        let sd = SignedData::parse(&vector("tspclient-go-cms/TimeStampToken.p7s")).unwrap();
        let leaf = &sd.certificates[0];
        assert_eq!(
            build_chains(
                leaf,
                &sd.certificates,
                &[],
                at,
                &crate::crypto::DefaultProvider
            )
            .unwrap_err()
            .to_string(),
            "x509: certificate signed by unknown authority"
        );
        // The whole chain is returned leaf first (the reference compares it
        // with the token's certificates, which are in that order).
        let roots = [sd.certificates[3].clone()];
        let chains = build_chains(
            leaf,
            &sd.certificates,
            &roots,
            at,
            &crate::crypto::DefaultProvider,
        )
        .unwrap();
        assert_eq!(chains[0], sd.certificates);
    }

    #[test]
    fn signature_scheme_mapping_follows_reference() {
        use crate::crypto::SignatureScheme::*;
        use HashAlgorithm::*;
        let m = |d, s| signature_scheme(&d, &s);
        assert_eq!(
            m(oid::SHA384, oid::RSA_ENCRYPTION),
            Some(RsaPkcs1v15(Sha384))
        );
        assert_eq!(m(oid::SHA512, oid::RSASSA_PSS), Some(RsaPss(Sha512)));
        // Combined OIDs carry their own hash; the digest algorithm is not
        // consulted (as in the reference).
        assert_eq!(
            m(oid::SHA512, oid::SHA256_WITH_RSA),
            Some(RsaPkcs1v15(Sha256))
        );
        assert_eq!(
            m(oid::SHA256, oid::ECDSA_WITH_SHA384),
            Some(EcdsaDer(Sha384))
        );
        // SHA-1 in any form is unknown.
        assert_eq!(m(oid::SHA1, oid::RSA_ENCRYPTION), None);
        assert_eq!(m(oid::SHA256, oid::SHA1_WITH_RSA), None);
        assert_eq!(m(oid::SHA256, oid::ECDSA_WITH_SHA1), None);
        assert_eq!(m(oid::SHA256, oid::EC_PUBLIC_KEY), None);
    }

    /// A ContentInfo holding a SignedData with `certs` copies of a real
    /// certificate and `signers` minimal SignerInfos with `attrs` signed
    /// attributes each, encoded with `der`.
    fn synthetic_token(certs: usize, signers: usize, attrs: usize) -> Vec<u8> {
        synthetic_token_with(certs, signers, attrs, Sid::IssuerAndSerial, None)
    }

    /// How the synthetic SignerInfos name their certificate.
    enum Sid {
        /// An empty issuer name and serial number 1.
        IssuerAndSerial,
        /// `[0]` "ski".
        SubjectKeyIdentifier,
    }

    /// [`synthetic_token`], with the signers' identifier and the contents
    /// of a `crls` field.
    fn synthetic_token_with(
        certs: usize,
        signers: usize,
        attrs: usize,
        sid: Sid,
        crls: Option<&[u8]>,
    ) -> Vec<u8> {
        use der::TagNumber;
        let tlv = |tag: Tag, content: &[u8]| AnyRef::new(tag, content).unwrap().to_der().unwrap();
        let context = |n: u32, constructed: bool, content: &[u8]| {
            let tag = Tag::ContextSpecific {
                constructed,
                number: TagNumber(n),
            };
            tlv(tag, content)
        };
        let alg = |oid| {
            AlgorithmIdentifierRef {
                oid,
                parameters: None,
            }
            .to_der()
            .unwrap()
        };
        let token = vector("tspclient-go/TimeStampToken.p7s");
        let cert = SignedData::parse(&token).unwrap().certificates[0]
            .der()
            .to_vec();
        let attribute = tlv(
            Tag::Sequence,
            &[
                oids::ATTR_SIGNING_TIME.to_der().unwrap(),
                tlv(Tag::Set, &[]),
            ]
            .concat(),
        );
        let sid = match sid {
            Sid::IssuerAndSerial => tlv(
                Tag::Sequence,
                &[tlv(Tag::Sequence, &[]), 1i64.to_der().unwrap()].concat(),
            ),
            Sid::SubjectKeyIdentifier => context(0, false, b"ski"),
        };
        let mut signer = vec![1i64.to_der().unwrap(), sid];
        signer.push(alg(oid::SHA256));
        if attrs > 0 {
            signer.push(context(0, true, &attribute.repeat(attrs)));
        }
        signer.extend([alg(oid::RSA_ENCRYPTION), tlv(Tag::OctetString, b"")]);
        let signer = tlv(Tag::Sequence, &signer.concat());
        let mut signed_data = vec![
            3i64.to_der().unwrap(),
            tlv(Tag::Set, &[]),
            tlv(Tag::Sequence, &oids::TST_INFO.to_der().unwrap()),
        ];
        if certs > 0 {
            signed_data.push(context(0, true, &cert.repeat(certs)));
        }
        if let Some(crls) = crls {
            signed_data.push(context(1, true, crls));
        }
        signed_data.push(tlv(Tag::Set, &signer.repeat(signers)));
        let signed_data = tlv(Tag::Sequence, &signed_data.concat());
        tlv(
            Tag::Sequence,
            &[
                oids::SIGNED_DATA.to_der().unwrap(),
                context(0, true, &signed_data),
            ]
            .concat(),
        )
    }

    // Requirements: O1. What tspclient-go cannot decode into its SignedData
    // fails to parse here too: a signer named by subject key identifier,
    // and any revocation information in `crls` (an empty field passes
    // there).
    #[test]
    fn signers_by_key_identifier_and_crls_fail_as_in_the_reference() {
        assert_eq!(
            SignedData::parse(&synthetic_token_with(
                1,
                1,
                0,
                Sid::SubjectKeyIdentifier,
                None
            ))
            .unwrap_err(),
            CmsParseError::SubjectKeyIdentifier
        );
        let crl = [0x30, 0x00];
        assert_eq!(
            SignedData::parse(&synthetic_token_with(
                1,
                1,
                0,
                Sid::IssuerAndSerial,
                Some(&crl)
            ))
            .unwrap_err(),
            CmsParseError::RevocationInfo
        );
        assert!(
            SignedData::parse(&synthetic_token_with(
                1,
                1,
                0,
                Sid::IssuerAndSerial,
                Some(&[])
            ))
            .is_ok()
        );
    }

    #[test]
    fn size_limits_report_totals() {
        let sd = SignedData::parse(&synthetic_token(
            MAX_CERTIFICATES,
            MAX_SIGNER_INFOS,
            MAX_SIGNED_ATTRIBUTES,
        ))
        .unwrap();
        assert_eq!(sd.certificates.len(), MAX_CERTIFICATES);
        assert_eq!(sd.signer_infos.len(), MAX_SIGNER_INFOS);
        assert_eq!(
            sd.signer_infos[0].signer_identifier(),
            &SignerIdentifier::IssuerAndSerialNumber {
                issuer: vec![0x30, 0x00],
                serial_number: vec![1]
            }
        );
        assert_eq!(
            SignedData::parse(&synthetic_token(MAX_CERTIFICATES + 3, 1, 0)).unwrap_err(),
            CmsParseError::TooManyCertificates {
                count: MAX_CERTIFICATES + 3,
                limit: MAX_CERTIFICATES
            }
        );
        assert_eq!(
            SignedData::parse(&synthetic_token(0, MAX_SIGNER_INFOS + 4, 0)).unwrap_err(),
            CmsParseError::TooManySignerInfos {
                count: MAX_SIGNER_INFOS + 4,
                limit: MAX_SIGNER_INFOS
            }
        );
        assert_eq!(
            SignedData::parse(&synthetic_token(0, 1, MAX_SIGNED_ATTRIBUTES + 6)).unwrap_err(),
            CmsParseError::TooManyAttributes {
                count: MAX_SIGNED_ATTRIBUTES + 6,
                limit: MAX_SIGNED_ATTRIBUTES
            }
        );
    }

    #[test]
    fn missing_fields_are_sequence_truncated() {
        // A SignedData that ends after its version: every element fits, so
        // Go's "sequence truncated", not "data truncated".
        let tlv = |tag: Tag, content: &[u8]| AnyRef::new(tag, content).unwrap().to_der().unwrap();
        let explicit = Tag::ContextSpecific {
            constructed: true,
            number: der::TagNumber(0),
        };
        let token = tlv(
            Tag::Sequence,
            &[
                oids::SIGNED_DATA.to_der().unwrap(),
                tlv(explicit, &tlv(Tag::Sequence, &3i64.to_der().unwrap())),
            ]
            .concat(),
        );
        assert_eq!(
            SignedData::parse(&token).unwrap_err().to_string(),
            "cms: syntax error: invalid signed data: asn1: syntax error: sequence truncated"
        );
    }

    /// The signed bytes are the attributes in DER order, as tspclient-go
    /// re-encodes them: two attributes given out of order are signed in
    /// order.
    #[test]
    fn signed_bytes_put_the_attributes_in_der_order() {
        let sd = SignedData::parse(&vector("tspclient-go/TimeStampToken.p7s")).unwrap();
        let signer = &sd.signer_infos[0];
        let raw = signer.signed_attributes_der().unwrap();
        let field: Element<'_, ContextTag<0>> = Element::from_der(raw).unwrap();
        let mut r = field.reader().unwrap();
        let mut tlvs = Vec::new();
        while !r.is_finished() {
            tlvs.push(r.tlv_bytes().unwrap());
        }
        assert!(tlvs.len() >= 2 && tlvs.is_sorted(), "{tlvs:02x?}");
        tlvs.reverse();
        let reversed = AnyRef::new(
            Tag::ContextSpecific {
                constructed: true,
                number: der::TagNumber(0),
            },
            &tlvs.concat(),
        )
        .unwrap()
        .to_der()
        .unwrap();
        let field: Element<'_, ContextTag<0>> = Element::from_der(&reversed).unwrap();
        let parsed = parse_signed_attributes(&field, &reversed).unwrap();
        assert_eq!(parsed.signed, signer.signed_bytes(&[]));
    }

    #[test]
    fn signed_bytes_are_retagged_original_bytes() {
        let sd = SignedData::parse(&vector("tspclient-go/TimeStampToken.p7s")).unwrap();
        let signer = &sd.signer_infos[0];
        let raw = signer.signed_attributes_der().unwrap();
        assert_eq!(raw[0], 0xa0);
        let signed = signer.signed_bytes(&[]);
        assert_eq!(signed[0], 0x31);
        assert_eq!(&signed[1..], &raw[1..]);
    }

    #[test]
    fn id_data_signed_data_parses_at_cms_level() {
        for file in [
            "Sha1SignedData.p7s",
            "SignedDataWithoutSignedAttributes.p7s",
        ] {
            let sd = SignedData::parse(&vector(&format!("tspclient-go-cms/{file}"))).unwrap();
            assert_eq!(sd.content_type, oids::DATA);
            assert_eq!(sd.signer_infos.len(), 1);
        }
        // Without signed attributes the signature covers the content itself.
        let sd = SignedData::parse(&vector(
            "tspclient-go-cms/SignedDataWithoutSignedAttributes.p7s",
        ))
        .unwrap();
        let content = sd.content.clone().unwrap_or_default();
        let leaf = sd.certificates[0].clone();
        let crypto = crate::crypto::DefaultProvider;
        verify_signature(&sd.signer_infos[0], &content, &leaf, &crypto).unwrap();
        let at = time::macros::datetime!(2024-01-09 00:00 UTC);
        let roots = [sd.certificates.last().unwrap().clone()];
        build_chains(&leaf, &sd.certificates, &roots, at, &crypto).unwrap();
        // ... and the attribute check refuses it: RFC 3161 needs them.
        assert_eq!(
            verify_signed_attributes(
                &sd.signer_infos[0],
                &sd.content_type,
                &content,
                std::slice::from_ref(&sd.certificates)
            )
            .unwrap_err(),
            CmsVerificationError::MissingSignedAttributes
        );
    }
}
