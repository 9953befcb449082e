//! The CMS SignedData layer of a timestamp token (RFC 5652 §5), declared by
//! hand on our DER reader: the RustCrypto `cms` crate sits on another `der`
//! generation (see DEPENDENCIES.md).
//!
//! The signed attributes are kept as the bytes that were sent: the signature
//! covers their DER encoding with the `[0] IMPLICIT` tag replaced by the
//! SET OF tag (RFC 5652 §5.4), and a re-encoding could differ.

use const_oid::ObjectIdentifier;

use super::asn1::{self, Asn1Error, DerReader, Tlv, tag};
use super::error::{AttributeError, CmsParseError, CmsVerificationError};
use super::{MAX_CERTIFICATES, MAX_SIGNED_ATTRIBUTES, MAX_SIGNER_INFOS, oids};
use crate::algorithm::HashAlgorithm;
use crate::crypto::{CryptoProvider, SignatureScheme};
use crate::oid;
use crate::x509::Certificate;

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
    /// `subjectKeyIdentifier` (not supported for verification, as in the
    /// reference).
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
/// encoding and each attribute's type and values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SignedAttributes {
    raw: Vec<u8>,
    /// (type OID contents octets, SET OF values contents octets).
    attributes: Vec<(Vec<u8>, Vec<u8>)>,
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
    pub(crate) fn signed_bytes<'a>(&'a self, content: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        match &self.signed_attributes {
            Some(attrs) => {
                let mut bytes = attrs.raw.clone();
                bytes[0] = tag::SET;
                std::borrow::Cow::Owned(bytes)
            }
            None => std::borrow::Cow::Borrowed(content),
        }
    }

    /// The first value of the first attribute of type `attr_type`, as the
    /// reference's `Attributes.Get` reads it (later values are ignored).
    pub(crate) fn attribute(&self, attr_type: &ObjectIdentifier) -> Result<&[u8], AttributeError> {
        let attrs = self
            .signed_attributes
            .as_ref()
            .ok_or(AttributeError::NotFound)?;
        attrs
            .attributes
            .iter()
            .find(|(t, _)| t.as_slice() == attr_type.as_bytes())
            .map(|(_, values)| values.as_slice())
            .ok_or(AttributeError::NotFound)
    }

    /// Decodes the first value of an attribute as one element with `tag`.
    pub(crate) fn attribute_value(
        &self,
        attr_type: &ObjectIdentifier,
        expected: u8,
        what: &str,
    ) -> Result<Tlv<'_>, AttributeError> {
        let values = self.attribute(attr_type)?;
        Ok(DerReader::new(values).read(expected, what)?)
    }
}

impl SignedData {
    /// Parses a ContentInfo holding a SignedData, strict DER.
    pub fn parse(der: &[u8]) -> Result<Self, CmsParseError> {
        // The reference first runs its BER converter over the whole input;
        // reproducing its structural errors keeps messages aligned.
        asn1::check_ber_structure(der).map_err(CmsParseError::Ber)?;

        let content_info = asn1::parse_single(der, tag::SEQUENCE, "ContentInfo")
            .map_err(CmsParseError::ContentInfo)?;
        let mut r = content_info.reader();
        let (content_type, content) = (|| {
            let content_type = asn1::oid(&r.read(tag::OID, "contentType")?)?;
            let content = r.read(tag::context_constructed(0), "content")?;
            r.finish("ContentInfo")?;
            Ok((content_type, content))
        })()
        .map_err(CmsParseError::ContentInfo)?;
        if content_type != oids::SIGNED_DATA {
            return Err(CmsParseError::NotSignedData);
        }
        Self::parse_signed_data(content)
    }

    fn parse_signed_data(explicit: Tlv<'_>) -> Result<Self, CmsParseError> {
        let syntax = CmsParseError::SignedData;
        let signed_data =
            asn1::parse_single(explicit.value, tag::SEQUENCE, "SignedData").map_err(syntax)?;
        let mut r = signed_data.reader();
        let version =
            asn1::integer_i64(&r.read(tag::INTEGER, "version").map_err(syntax)?).map_err(syntax)?;
        r.read(tag::SET, "digestAlgorithms").map_err(syntax)?;
        let encap = r.read(tag::SEQUENCE, "encapContentInfo").map_err(syntax)?;
        let (content_type, content) = parse_encapsulated_content(&encap).map_err(syntax)?;
        let certificates_field = r
            .read_optional(tag::context_constructed(0))
            .map_err(syntax)?;
        // CRLs are not used by Notation; the revocation of the TSA chain is
        // checked online (O3).
        r.read_optional(tag::context_constructed(1))
            .map_err(syntax)?;
        let signer_infos_field = r.read(tag::SET, "signerInfos").map_err(syntax)?;
        r.finish("SignedData").map_err(syntax)?;

        if version != 3 {
            return Err(CmsParseError::Version(version));
        }

        let mut certificates = Vec::new();
        if let Some(field) = certificates_field {
            let mut cr = field.reader();
            while !cr.is_empty() {
                if certificates.len() == MAX_CERTIFICATES {
                    let mut count = certificates.len();
                    while !cr.is_empty() && cr.read_any().is_ok() {
                        count += 1;
                    }
                    return Err(CmsParseError::TooManyCertificates {
                        count,
                        limit: MAX_CERTIFICATES,
                    });
                }
                let tlv = cr
                    .read_any()
                    .map_err(|e| CmsParseError::Certificate(e.to_string()))?;
                if tlv.tag != tag::SEQUENCE {
                    // Attribute certificates and other choices.
                    return Err(CmsParseError::Certificate(
                        "x509: malformed certificate: not an X.509 certificate".into(),
                    ));
                }
                let cert = Certificate::from_der(tlv.raw)
                    .map_err(|e| CmsParseError::Certificate(e.to_string()))?;
                certificates.push(cert);
            }
        }

        let mut signer_infos = Vec::new();
        let mut sr = signer_infos_field.reader();
        while !sr.is_empty() {
            let tlv = sr.read(tag::SEQUENCE, "SignerInfo").map_err(syntax)?;
            if signer_infos.len() == MAX_SIGNER_INFOS {
                let mut count = signer_infos.len() + 1;
                while !sr.is_empty() && sr.read_any().is_ok() {
                    count += 1;
                }
                return Err(CmsParseError::TooManySignerInfos {
                    count,
                    limit: MAX_SIGNER_INFOS,
                });
            }
            signer_infos.push(parse_signer_info(&tlv)?);
        }

        Ok(Self {
            content_type,
            content,
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

fn parse_encapsulated_content(
    encap: &Tlv<'_>,
) -> asn1::Result<(ObjectIdentifier, Option<Vec<u8>>)> {
    let mut r = encap.reader();
    let content_type = asn1::oid(&r.read(tag::OID, "eContentType")?)?;
    let content = match r.read_optional(tag::context_constructed(0))? {
        Some(explicit) => {
            // DER: the OCTET STRING is primitive (no BER constructed form).
            let octets = asn1::parse_single(explicit.value, tag::OCTET_STRING, "eContent")?;
            Some(octets.value.to_vec())
        }
        None => None,
    };
    r.finish("EncapsulatedContentInfo")?;
    Ok((content_type, content))
}

fn parse_signer_info(tlv: &Tlv<'_>) -> Result<SignerInfo, CmsParseError> {
    let syntax = CmsParseError::SignedData;
    let mut r = tlv.reader();
    let version = asn1::integer_i64(&r.read(tag::INTEGER, "SignerInfo version").map_err(syntax)?)
        .map_err(syntax)?;
    let sid = match r.peek_tag() {
        Some(tag::SEQUENCE) => {
            let ias = r.read_any().map_err(syntax)?;
            let mut ir = ias.reader();
            let issuer = ir.read(tag::SEQUENCE, "issuer").map_err(syntax)?;
            let serial = ir.read(tag::INTEGER, "serialNumber").map_err(syntax)?;
            let serial = asn1::integer_bytes(&serial).map_err(syntax)?;
            ir.finish("IssuerAndSerialNumber").map_err(syntax)?;
            SignerIdentifier::IssuerAndSerialNumber {
                issuer: issuer.raw.to_vec(),
                serial_number: serial.to_vec(),
            }
        }
        _ => {
            let ski = r
                .read(tag::context(0), "SignerIdentifier")
                .map_err(syntax)?;
            SignerIdentifier::SubjectKeyIdentifier(ski.value.to_vec())
        }
    };
    let digest_algorithm = algorithm_oid(&mut r, "digestAlgorithm").map_err(syntax)?;
    let signed_attributes = match r
        .read_optional(tag::context_constructed(0))
        .map_err(syntax)?
    {
        // An empty SET (invalid per RFC 5652, SIZE 1..MAX) counts as absent,
        // as in the reference.
        Some(attrs) if !attrs.value.is_empty() => Some(parse_signed_attributes(&attrs)?),
        _ => None,
    };
    let signature_algorithm = algorithm_oid(&mut r, "signatureAlgorithm").map_err(syntax)?;
    let signature = asn1::octet_string(&mut r, "signature")
        .map_err(syntax)?
        .to_vec();
    r.read_optional(tag::context_constructed(1))
        .map_err(syntax)?;
    r.finish("SignerInfo").map_err(syntax)?;
    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attributes,
        signature_algorithm,
        signature,
    })
}

fn parse_signed_attributes(tlv: &Tlv<'_>) -> Result<SignedAttributes, CmsParseError> {
    let syntax = CmsParseError::SignedData;
    let mut attributes = Vec::new();
    let mut r = tlv.reader();
    while !r.is_empty() {
        let attr = r.read(tag::SEQUENCE, "Attribute").map_err(syntax)?;
        if attributes.len() == MAX_SIGNED_ATTRIBUTES {
            let mut count = attributes.len() + 1;
            while !r.is_empty() && r.read_any().is_ok() {
                count += 1;
            }
            return Err(CmsParseError::TooManyAttributes {
                count,
                limit: MAX_SIGNED_ATTRIBUTES,
            });
        }
        let mut ar = attr.reader();
        let attr_type = ar.read(tag::OID, "attrType").map_err(syntax)?;
        // attrValues is a SET OF; like the reference, any element is taken
        // here and its contents decoded when the attribute is used, so a
        // malformed attribute fails the check that needs it.
        let values = ar.read_any().map_err(syntax)?;
        ar.finish("Attribute").map_err(syntax)?;
        attributes.push((attr_type.value.to_vec(), values.value.to_vec()));
    }
    Ok(SignedAttributes {
        raw: tlv.raw.to_vec(),
        attributes,
    })
}

/// The OID of an AlgorithmIdentifier (parameters are read where they
/// matter, never here).
pub(crate) fn algorithm_oid(r: &mut DerReader<'_>, what: &str) -> asn1::Result<ObjectIdentifier> {
    let alg = r.read(tag::SEQUENCE, what)?;
    let mut ar = alg.reader();
    let oid = asn1::oid(&ar.read(tag::OID, what)?)?;
    if !ar.is_empty() {
        ar.read_any()?;
    }
    ar.finish(what)?;
    Ok(oid)
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
        .verify(scheme, cert.public_key(), &signed, &signer.signature)
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
    let found = signer
        .attribute_value(&oids::ATTR_CONTENT_TYPE, tag::OID, "content-type")
        .and_then(|tlv| asn1::oid(&tlv).map_err(AttributeError::from))
        .map_err(E::ContentTypeAttribute)?;
    if found != *content_type {
        return Err(E::ContentTypeMismatch {
            found,
            expected: *content_type,
        });
    }

    let expected_digest = signer
        .attribute_value(
            &oids::ATTR_MESSAGE_DIGEST,
            tag::OCTET_STRING,
            "message-digest",
        )
        .map_err(E::MessageDigestAttribute)?
        .value;
    let hash = hash_from_oid(&signer.digest_algorithm)
        .ok_or(E::UnsupportedDigestAlgorithm(signer.digest_algorithm))?;
    if hash.digest(content) != expected_digest {
        return Err(E::MessageDigestMismatch);
    }

    let signing_time = match signer.attribute(&oids::ATTR_SIGNING_TIME) {
        Err(AttributeError::NotFound) => return Ok(0),
        Err(e) => return Err(E::SigningTimeAttribute(e)),
        Ok(values) => {
            let tlv = DerReader::new(values)
                .read_any()
                .map_err(|e| E::SigningTimeAttribute(e.into()))?;
            asn1::any_time(&tlv).map_err(|e| E::SigningTimeAttribute(e.into()))?
        }
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
        let crypto = crate::crypto::RingProvider;
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
                &crate::crypto::RingProvider
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
            &crate::crypto::RingProvider,
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
        let crypto = crate::crypto::RingProvider;
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
