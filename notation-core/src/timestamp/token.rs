//! The RFC 3161 TimeStampToken: a CMS SignedData over a TSTInfo, with the
//! checks of tspclient-go's `SignedToken`.
// Requirements: O3.

use der::asn1::{IntRef, OctetStringRef};
use der::{Decode, Reader};
use spki::AlgorithmIdentifierRef;
use time::OffsetDateTime;

use super::asn1::Asn1Error;
use super::cms::{self, SignedData, SignerIdentifier, SignerInfo};
use super::elements::{ContextTag, Element, Lenient, SequenceTag};
use super::error::{AttributeError, CmsVerificationError, TimestampError, TokenVerificationError};
use super::path::build_chains;
use super::tstinfo::{TimestampRange, TstInfo};
use super::{MAX_TOKEN_SIZE, oids};
use crate::algorithm::HashAlgorithm;
use crate::crypto::CryptoProvider;
use crate::oid;
use crate::x509::Certificate;
use crate::x509::chain::validate_timestamping_chain;

/// A parsed, not yet verified, timestamp token (RFC 3161 §2.4.2).
#[derive(Clone, Debug)]
pub struct SignedToken {
    der: Vec<u8>,
    signed_data: SignedData,
    content: Vec<u8>,
}

/// A timestamp that passed every check of a countersignature except
/// revocation: what it
/// proves and who vouched for it.
#[derive(Clone, Debug)]
pub struct VerifiedTimestamp {
    range: TimestampRange,
    tst_info: TstInfo,
    chain: Vec<Certificate>,
}

impl VerifiedTimestamp {
    /// The time range the token proves.
    // Requirements: O4.
    pub fn range(&self) -> &TimestampRange {
        &self.range
    }

    /// The decoded TSTInfo.
    pub fn tst_info(&self) -> &TstInfo {
        &self.tst_info
    }

    /// The TSA chain, leaf first, ending at one of the given roots; this is
    /// the chain whose revocation status must still be checked.
    // Requirements: O3.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }
}

impl SignedToken {
    /// Parses a DER TimeStampToken (a ContentInfo holding SignedData) whose
    /// eContentType is id-ct-TSTInfo. Nothing is verified yet.
    ///
    /// Inputs over [`MAX_TOKEN_SIZE`], with more than
    /// [`MAX_CERTIFICATES`](super::MAX_CERTIFICATES) certificates or
    /// [`MAX_SIGNER_INFOS`](super::MAX_SIGNER_INFOS) signers are refused.
    pub fn parse(der: &[u8]) -> Result<Self, TimestampError> {
        if der.len() > MAX_TOKEN_SIZE {
            return Err(TimestampError::TooLarge {
                what: "timestamp token",
                size: der.len(),
                limit: MAX_TOKEN_SIZE,
            });
        }
        let signed_data = SignedData::parse(der)?;
        if signed_data.content_type != oids::TST_INFO {
            return Err(TimestampError::UnexpectedContentType {
                found: signed_data.content_type,
            });
        }
        let content = signed_data.content.clone().unwrap_or_default();
        Ok(Self {
            der: der.to_vec(),
            signed_data,
            content,
        })
    }

    /// The token as it was parsed (what an envelope embeds).
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The encapsulated content: the DER TSTInfo (empty if absent).
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The certificates carried by the token, in encoded order (as
    /// `notation inspect` lists them).
    pub fn certificates(&self) -> &[Certificate] {
        &self.signed_data.certificates
    }

    /// The signers.
    pub fn signer_infos(&self) -> &[SignerInfo] {
        &self.signed_data.signer_infos
    }

    /// Decodes the TSTInfo. Structure only: [`TstInfo::validate`] checks it
    /// against the timestamped message.
    pub fn tst_info(&self) -> Result<TstInfo, TimestampError> {
        TstInfo::from_der(&self.content)
    }

    /// The certificate that signed for `signer`, identified by the
    /// signing-certificate-v2 attribute (RFC 5035, RFC 5816; ESSCertID v1
    /// alone is not accepted): its IssuerSerial if present, else the
    /// SignerInfo's identifier; the certificate's hash must equal
    /// ESSCertIDv2.certHash (SHA-256/384/512; SHA-1 is refused).
    ///
    /// The error is the one [`Self::verify`] would wrap (displayed without
    /// its "failed to verify signed token: " prefix, as the reference's
    /// `SigningCertificate`).
    pub fn signing_certificate(
        &self,
        signer: &SignerInfo,
    ) -> Result<Certificate, TokenVerificationError> {
        use TokenVerificationError as E;
        let values = signer
            .attribute(&oids::ATTR_SIGNING_CERTIFICATE_V2)
            .map_err(E::SigningCertificateAttribute)?;
        let ess = EssCertIdV2::parse_first(values)?;
        let candidate = match &ess.issuer_serial {
            Some((issuer, serial)) => self
                .signed_data
                .certificate_by_issuer_serial(issuer, serial),
            None => match signer.signer_identifier() {
                SignerIdentifier::IssuerAndSerialNumber {
                    issuer,
                    serial_number,
                } => self
                    .signed_data
                    .certificate_by_issuer_serial(issuer, serial_number),
                SignerIdentifier::SubjectKeyIdentifier(_) => None,
            },
        };
        let cert = candidate.ok_or(E::SigningCertificateNotFound)?;
        let hash = match ess.hash_algorithm {
            None => HashAlgorithm::Sha256,
            Some(alg) => cms::hash_from_oid(&alg).ok_or(E::UnsupportedCertHashAlgorithm(alg))?,
        };
        if hash.digest(cert.der()) != ess.cert_hash {
            return Err(E::CertHashMismatch);
        }
        Ok(cert.clone())
    }

    /// Verifies the token as tspclient-go's `SignedToken.Verify` does and
    /// returns the TSA chain, leaf first, root last.
    ///
    /// For each SignerInfo in turn until one succeeds (one good signer
    /// suffices): the signing certificate is found through the
    /// signing-certificate-v2 attribute ([`Self::signing_certificate`]); the
    /// SignerInfo version must be 1; a chain is built from it to one of
    /// `roots` through the token's certificates, every certificate valid at
    /// `at` (pass genTime when verifying an envelope's countersignature),
    /// any EKU allowing timeStamping; the signature must verify over
    /// the signed attributes (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA); the
    /// content-type and message-digest attributes must match (SHA-1 digests
    /// refused) and a signing-time attribute, if any, must lie in the
    /// chain's validity; finally the signing certificate's EKU must be
    /// exactly timeStamping and critical (RFC 3161 §2.3).
    ///
    /// Not checked here: the Notation certificate rules of the chain (run
    /// [`validate_timestamping_chain`] or use
    /// [`Self::verify_countersignature`]), the TSTInfo against the message
    /// ([`TstInfo::validate`]) and revocation (the caller's).
    // Requirements: H4, O3.
    pub fn verify(
        &self,
        roots: &[Certificate],
        at: OffsetDateTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<Vec<Certificate>, TimestampError> {
        use TokenVerificationError as E;
        if self.signer_infos().is_empty() {
            return Err(E::NoSignerInfo.into());
        }
        if roots.is_empty() {
            return Err(E::NoRoots.into());
        }
        let mut last_error = E::NoSignerInfo;
        for signer in self.signer_infos() {
            match self.verify_signer(signer, roots, at, crypto) {
                Ok(chain) => return Ok(chain),
                Err(e) => last_error = e,
            }
        }
        Err(last_error.into())
    }

    fn verify_signer(
        &self,
        signer: &SignerInfo,
        roots: &[Certificate],
        at: OffsetDateTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<Vec<Certificate>, TokenVerificationError> {
        use CmsVerificationError as C;
        use TokenVerificationError as E;
        let cert = self.signing_certificate(signer)?;
        if signer.version() != 1 {
            return Err(E::Cms(C::SignerVersion(signer.version())));
        }
        let mut chains = build_chains(&cert, self.certificates(), roots, at, crypto)
            .map_err(|e| E::Cms(C::Chain(e)))?;
        cms::verify_signature(signer, &self.content, &cert, crypto).map_err(E::Cms)?;
        let index = cms::verify_signed_attributes(
            signer,
            &self.signed_data.content_type,
            &self.content,
            &chains,
        )
        .map_err(E::Cms)?;
        // RFC 3161 §2.3: exactly one EKU, timeStamping, marked critical.
        match cert.ext_key_usage() {
            Some((critical, [only])) if *only == oid::EKU_TIME_STAMPING => {
                if !critical {
                    return Err(E::SigningCertificateEkuNotCritical);
                }
            }
            _ => return Err(E::SigningCertificateEku),
        }
        Ok(chains.swap_remove(index))
    }

    /// The whole countersignature check short of revocation, in the
    /// reference's order: decode the TSTInfo, validate it against the
    /// primitive `signature` it countersigns (the imprint is the hash of
    /// the signature bytes), verify the token against `roots` at genTime,
    /// and apply the timestamping certificate rules to the chain.
    ///
    /// The error variant tells the step: [`TimestampError::TstInfoSyntax`],
    /// [`TimestampError::InvalidTstInfo`], [`TimestampError::Verification`],
    /// [`TimestampError::Chain`]. The caller still checks the range against
    /// the signing chain and the TSA chain's revocation.
    // Requirements: O1, H4, H1, O4.
    pub fn verify_countersignature(
        &self,
        signature: &[u8],
        roots: &[Certificate],
        crypto: &dyn CryptoProvider,
    ) -> Result<VerifiedTimestamp, TimestampError> {
        let tst_info = self.tst_info()?;
        let range = tst_info.validate(signature)?;
        let chain = self.verify(roots, tst_info.gen_time(), crypto)?;
        validate_timestamping_chain(&chain, crypto)?;
        Ok(VerifiedTimestamp {
            range,
            tst_info,
            chain,
        })
    }

    pub(crate) fn verified(
        range: TimestampRange,
        tst_info: TstInfo,
        chain: Vec<Certificate>,
    ) -> VerifiedTimestamp {
        VerifiedTimestamp {
            range,
            tst_info,
            chain,
        }
    }
}

/// `SigningCertificateV2` (RFC 5035 §3). Its `policies` are not used.
#[derive(der::Sequence)]
struct SigningCertificateV2Der<'a> {
    /// `SEQUENCE OF ESSCertIDv2`: only the first one is read, as by the
    /// reference.
    certs: Element<'a, SequenceTag>,
}

/// `ESSCertIDv2` (RFC 5035 §4).
#[derive(der::Sequence)]
struct EssCertIdV2Der<'a> {
    /// DEFAULT {algorithm id-sha256}.
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierRef<'a>>,
    cert_hash: &'a OctetStringRef,
    #[asn1(optional = "true")]
    issuer_serial: Option<Lenient<IssuerSerialDer<'a>>>,
}

/// `IssuerSerial` (RFC 5035 §4). The GeneralNames are read for a
/// directoryName only, as by the reference.
#[derive(der::Sequence)]
struct IssuerSerialDer<'a> {
    issuer: Element<'a, SequenceTag>,
    serial_number: IntRef<'a>,
}

/// The first ESSCertIDv2 of a SigningCertificateV2 (RFC 5035 §3, §4).
struct EssCertIdV2 {
    hash_algorithm: Option<const_oid::ObjectIdentifier>,
    cert_hash: Vec<u8>,
    /// Issuer `Name` DER and serial INTEGER contents octets.
    issuer_serial: Option<(Vec<u8>, Vec<u8>)>,
}

impl EssCertIdV2 {
    /// Reads the attribute's first value as the reference does: unknown
    /// trailing elements of every SEQUENCE are ignored (Go's
    /// `encoding/asn1`), IssuerSerial's GeneralNames is read for a
    /// directoryName only.
    fn parse_first(values: &[u8]) -> Result<Self, TokenVerificationError> {
        use TokenVerificationError as E;
        let malformed = |e: der::Error| {
            E::SigningCertificateAttribute(AttributeError::Malformed(Asn1Error::from_der(
                e, values,
            )))
        };
        let Lenient(signing_certificate) =
            cms::first_value::<Lenient<SigningCertificateV2Der<'_>>>(values)
                .map_err(|e| E::SigningCertificateAttribute(AttributeError::Malformed(e)))?;
        let mut certs = signing_certificate.certs.reader().map_err(malformed)?;
        if certs.is_finished() {
            return Err(E::SigningCertificateEmpty);
        }
        let Lenient(first) = certs
            .decode::<Lenient<EssCertIdV2Der<'_>>>()
            .map_err(malformed)?;
        let issuer_serial = match first.issuer_serial {
            None => None,
            Some(Lenient(issuer_serial)) => {
                let serial = issuer_serial.serial_number.as_bytes().to_vec();
                // directoryName [4] Name, EXPLICIT because Name is a CHOICE,
                // as the first GeneralName.
                let directory_name = issuer_serial
                    .issuer
                    .reader()
                    .and_then(|mut names| names.decode::<Option<Element<'_, ContextTag<4>>>>())
                    .map_err(malformed)?
                    .ok_or(E::IssuerNameMissing)?;
                let issuer =
                    Element::<SequenceTag>::from_der(directory_name.contents()).map_err(|e| {
                        E::IssuerName(Asn1Error::from_der(e, directory_name.contents()))
                    })?;
                Some((issuer.der().to_vec(), serial))
            }
        };
        Ok(Self {
            hash_algorithm: first.hash_algorithm.map(|alg| alg.oid),
            cert_hash: first.cert_hash.as_bytes().to_vec(),
            issuer_serial,
        })
    }
}
