//! The certificate rules of the Notary Project for signing chains and
//! timestamping chains, as an ordered-chain validator.
//!
//! This is deliberately not a path builder: the chain in an envelope must be
//! exactly leaf, intermediates, root, each certificate issued by the next.
//! Only basic constraints, key usage and extended key usage are read;
//! every other extension is ignored, critical or not.
//!
//! Messages follow notation-core-go so that logs and tests line up with the
//! reference.
// Requirements: H1-H9, H5, H7.

use time::OffsetDateTime;

use super::{CertSignatureError, Certificate, KeyUsageBits};
use crate::crypto::CryptoProvider;
use crate::oid;
use crate::timefmt;

/// What a chain is for: the two purposes differ only in the leaf's extended
/// key usage and in the criticality rule for CA key usage.
// Requirements: H1, H3, H4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainPurpose {
    /// A signature envelope's chain.
    CodeSigning,
    /// An RFC 3161 timestamp token's chain.
    Timestamping,
}

/// Why a chain or one of its certificates breaks the rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No certificates.
    #[error("certificate chain must contain at least one certificate")]
    Empty,
    /// A single certificate that does not verify under its own key.
    #[error("invalid self-signed certificate. subject: {subject:?}. Error: {error}")]
    SelfSignatureInvalid {
        /// Subject of the certificate.
        subject: String,
        /// The signature failure.
        error: CertSignatureError,
    },
    /// A single certificate whose issuer differs from its subject.
    #[error(
        "invalid self-signed certificate. subject: {subject:?}. Error: issuer ({issuer}) and subject ({subject}) are not the same"
    )]
    NotSelfIssued {
        /// Subject.
        subject: String,
        /// Issuer.
        issuer: String,
    },
    /// A single self-signed certificate that fails the leaf rules.
    #[error("invalid self-signed certificate. Error: {0}")]
    SelfSignedLeaf(Box<ChainError>),
    /// A certificate not valid at the signing time (signing only).
    // Requirements: H8.
    #[error(
        "certificate with subject {subject:?} was invalid at signing time of {}. Certificate is valid from [{}] to [{}]",
        timefmt::go_utc_string(*signing_time),
        timefmt::go_utc_string(*not_before),
        timefmt::go_utc_string(*not_after)
    )]
    InvalidAtSigningTime {
        /// Subject.
        subject: String,
        /// The signing time checked.
        signing_time: OffsetDateTime,
        /// Validity start.
        not_before: OffsetDateTime,
        /// Validity end.
        not_after: OffsetDateTime,
    },
    /// The last certificate does not verify as self-signed.
    #[error(
        "root certificate with subject {subject:?} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: {error}"
    )]
    RootInvalid {
        /// Subject.
        subject: String,
        /// Why.
        error: CertSignatureError,
    },
    /// The last certificate verifies under its key but is not self-issued.
    #[error(
        "root certificate with subject {subject:?} is not self-signed. Certificate chain must end with a valid self-signed root certificate"
    )]
    RootNotSelfSigned {
        /// Subject.
        subject: String,
    },
    /// A self-signed certificate before the end of the chain.
    #[error(
        "{} certificate with subject {subject:?} is self-signed. Certificate chain must not contain self-signed {} certificate",
        if *leaf { "leaf" } else { "intermediate" },
        if *leaf { "leaf" } else { "intermediate" }
    )]
    UnexpectedSelfSigned {
        /// Subject.
        subject: String,
        /// Whether it is the leaf (else an intermediate).
        leaf: bool,
    },
    /// A certificate not signed by the next one.
    #[error(
        "invalid certificates or certificate with subject {subject:?} is not issued by {issuer:?}. Error: {error}"
    )]
    NotIssuedBy {
        /// Subject.
        subject: String,
        /// The next certificate's subject.
        issuer: String,
        /// Why.
        error: CertSignatureError,
    },
    /// Signed by the next certificate, but issuer and subject names differ.
    #[error("certificate with subject {subject:?} is not issued by {issuer:?}")]
    IssuerNameMismatch {
        /// Subject.
        subject: String,
        /// The next certificate's subject.
        issuer: String,
    },
    /// A CA without basic constraints `cA=true`.
    // Requirements: H1.
    #[error(
        "certificate with subject {0:?}: ca field in basic constraints must be present, critical, and set to true"
    )]
    CaBasicConstraints(String),
    /// pathLenConstraint smaller than the number of CAs below.
    // Requirements: H1.
    #[error(
        "certificate with subject {subject:?}: expected path length of {expected} but certificate has path length {actual} instead"
    )]
    PathLength {
        /// Subject.
        subject: String,
        /// CAs below this one.
        expected: usize,
        /// The constraint.
        actual: u8,
    },
    /// Key usage missing.
    // Requirements: H1, H2.
    #[error("certificate with subject {0:?}: key usage extension must be present")]
    KeyUsageMissing(String),
    /// Key usage not critical on a code-signing certificate.
    // Requirements: H1, H2.
    #[error("certificate with subject {0:?}: key usage extension must be marked critical")]
    KeyUsageNotCritical(String),
    /// CA without keyCertSign.
    // Requirements: H1.
    #[error(
        "certificate with subject {0:?}: key usage must have the bit positions for key cert sign set"
    )]
    CaKeyCertSign(String),
    /// Leaf with basic constraints `cA=true`.
    // Requirements: H2.
    #[error(
        "certificate with subject {0:?}: if the basic constraints extension is present, the ca field must be set to false"
    )]
    LeafIsCa(String),
    /// Leaf without digitalSignature.
    // Requirements: H2.
    #[error(
        "the certificate with subject {0:?} is invalid. The key usage must have the bit positions for \"Digital Signature\" set"
    )]
    LeafDigitalSignature(String),
    /// Leaf with forbidden key usages.
    // Requirements: H2.
    #[error(
        "the certificate with subject {subject:?} is invalid. The key usage must be \"Digital Signature\" only, but found {}",
        found.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ")
    )]
    LeafKeyUsage {
        /// Subject.
        subject: String,
        /// The forbidden usages present.
        found: Vec<&'static str>,
    },
    /// Code-signing leaf with a forbidden EKU.
    // Requirements: H3.
    #[error("certificate with subject {subject:?}: extended key usage must not contain {eku} eku")]
    CodeSigningEku {
        /// Subject.
        subject: String,
        /// The forbidden purpose.
        eku: &'static str,
    },
    /// Timestamping leaf whose EKU is not exactly timeStamping.
    // Requirements: H4.
    #[error(
        "timestamp signing certificate with subject {0:?} must have and only have Timestamping as extended key usage"
    )]
    TimestampingEku(String),
    /// Timestamping leaf whose EKU is not critical.
    // Requirements: H4.
    #[error(
        "timestamp signing certificate with subject {0:?} must have extended key usage extension marked as critical"
    )]
    TimestampingEkuNotCritical(String),
    /// Leaf key of an unsupported type or size.
    // Requirements: G3.
    #[error("certificate with subject {subject:?}: {error}")]
    UnsupportedKey {
        /// Subject.
        subject: String,
        /// Why.
        error: crate::algorithm::UnsupportedKeyError,
    },
}

/// Validates a signing chain. `signing_time` is checked
/// against every certificate's validity when given: signers pass it, and
/// verifiers pass `None` because validity is the authentic-timestamp step's
/// business.
// Requirements: H1-H3, H5-H9, H8.
pub fn validate_code_signing_chain(
    chain: &[Certificate],
    signing_time: Option<OffsetDateTime>,
    crypto: &dyn CryptoProvider,
) -> Result<(), ChainError> {
    validate_chain(chain, signing_time, ChainPurpose::CodeSigning, crypto)
}

/// Validates a timestamping chain.
// Requirements: H4, H1, H5-H7.
pub fn validate_timestamping_chain(
    chain: &[Certificate],
    crypto: &dyn CryptoProvider,
) -> Result<(), ChainError> {
    validate_chain(chain, None, ChainPurpose::Timestamping, crypto)
}

/// Validates an ordered chain for `purpose`.
pub fn validate_chain(
    chain: &[Certificate],
    signing_time: Option<OffsetDateTime>,
    purpose: ChainPurpose,
    crypto: &dyn CryptoProvider,
) -> Result<(), ChainError> {
    let subject = |c: &Certificate| c.subject().to_string();
    match chain {
        [] => Err(ChainError::Empty),
        [cert] => {
            // H6 holds here too: the reference checks this signature with
            // Go's `CheckSignature`, which accepts SHA-1; we follow the
            // spec and refuse it (README, divergences).
            cert.check_signature_with(cert.public_key(), crypto)
                .map_err(|source| ChainError::SelfSignatureInvalid {
                    subject: subject(cert),
                    error: source,
                })?;
            if !cert.is_self_issued() {
                return Err(ChainError::NotSelfIssued {
                    subject: subject(cert),
                    issuer: cert.issuer().to_string(),
                });
            }
            if purpose == ChainPurpose::CodeSigning {
                check_signing_time(cert, signing_time)?;
            }
            validate_leaf(cert, purpose).map_err(|e| ChainError::SelfSignedLeaf(Box::new(e)))
        }
        _ => {
            let last = chain.len() - 1;
            for (i, cert) in chain.iter().enumerate() {
                if purpose == ChainPurpose::CodeSigning {
                    check_signing_time(cert, signing_time)?;
                }
                if i == last {
                    match is_issued_by(cert, cert, crypto) {
                        Err(source) => {
                            return Err(ChainError::RootInvalid {
                                subject: subject(cert),
                                error: source,
                            });
                        }
                        Ok(false) => {
                            return Err(ChainError::RootNotSelfSigned {
                                subject: subject(cert),
                            });
                        }
                        Ok(true) => {}
                    }
                } else {
                    // A self-signed certificate anywhere but the end means
                    // extra roots or a self-signed leaf (H5). Only a
                    // self-issued one can be: the names are compared before
                    // a signature is checked for nothing.
                    if cert.is_self_issued()
                        && let Ok(true) = is_issued_by(cert, cert, crypto)
                    {
                        return Err(ChainError::UnexpectedSelfSigned {
                            subject: subject(cert),
                            leaf: i == 0,
                        });
                    }
                    let parent = &chain[i + 1];
                    match is_issued_by(cert, parent, crypto) {
                        Err(source) => {
                            return Err(ChainError::NotIssuedBy {
                                subject: subject(cert),
                                issuer: subject(parent),
                                error: source,
                            });
                        }
                        Ok(false) => {
                            return Err(ChainError::IssuerNameMismatch {
                                subject: subject(cert),
                                issuer: subject(parent),
                            });
                        }
                        Ok(true) => {}
                    }
                }
                if i == 0 {
                    validate_leaf(cert, purpose)?;
                } else {
                    validate_ca(cert, i - 1, purpose)?;
                }
            }
            Ok(())
        }
    }
}

fn is_issued_by(
    cert: &Certificate,
    issuer: &Certificate,
    crypto: &dyn CryptoProvider,
) -> Result<bool, CertSignatureError> {
    cert.check_signature_from(issuer, crypto)?;
    Ok(issuer.raw_subject() == cert.raw_issuer())
}

fn check_signing_time(
    cert: &Certificate,
    signing_time: Option<OffsetDateTime>,
) -> Result<(), ChainError> {
    match signing_time {
        Some(t) if !cert.is_valid_at(t) => Err(ChainError::InvalidAtSigningTime {
            subject: cert.subject().to_string(),
            signing_time: t,
            not_before: cert.not_before(),
            not_after: cert.not_after(),
        }),
        _ => Ok(()),
    }
}

/// The CA rules: `expected_path_len` is the number of CAs below.
// Requirements: H1.
pub fn validate_ca(
    cert: &Certificate,
    expected_path_len: usize,
    purpose: ChainPurpose,
) -> Result<(), ChainError> {
    // Rendered only for an error.
    let subject = || cert.subject().to_string();
    // The reference checks presence and cA but not criticality, despite its
    // message; we match it for interoperability (H1).
    let bc = match cert.basic_constraints() {
        Some(bc) if bc.ca => bc,
        _ => return Err(ChainError::CaBasicConstraints(subject())),
    };
    if let Some(actual) = bc.path_len
        && (actual as usize) < expected_path_len
    {
        return Err(ChainError::PathLength {
            subject: subject(),
            expected: expected_path_len,
            actual,
        });
    }
    let ku = key_usage_present(cert, purpose)?;
    if !ku.has(KeyUsageBits::KEY_CERT_SIGN) {
        return Err(ChainError::CaKeyCertSign(subject()));
    }
    Ok(())
}

/// The leaf rules: key usage and basic constraints, the extended key usage
/// of the purpose, and a supported key.
// Requirements: H2, H3, H4, G3.
pub fn validate_leaf(cert: &Certificate, purpose: ChainPurpose) -> Result<(), ChainError> {
    // Rendered only for an error.
    let subject = || cert.subject().to_string();
    if cert.basic_constraints().is_some_and(|bc| bc.ca) {
        return Err(ChainError::LeafIsCa(subject()));
    }
    let ku = key_usage_present(cert, purpose)?;
    if !ku.has(KeyUsageBits::DIGITAL_SIGNATURE) {
        return Err(ChainError::LeafDigitalSignature(subject()));
    }
    let forbidden = [
        (KeyUsageBits::KEY_ENCIPHERMENT, "KeyEncipherment"),
        (KeyUsageBits::DATA_ENCIPHERMENT, "DataEncipherment"),
        (KeyUsageBits::KEY_AGREEMENT, "KeyAgreement"),
        (KeyUsageBits::KEY_CERT_SIGN, "CertSign"),
        (KeyUsageBits::CRL_SIGN, "CRLSign"),
        (KeyUsageBits::ENCIPHER_ONLY, "EncipherOnly"),
        (KeyUsageBits::DECIPHER_ONLY, "DecipherOnly"),
    ];
    let found: Vec<&'static str> = forbidden
        .iter()
        .filter(|(bit, _)| ku.has(*bit))
        .map(|(_, n)| *n)
        .collect();
    if !found.is_empty() {
        return Err(ChainError::LeafKeyUsage {
            subject: subject(),
            found,
        });
    }
    match purpose {
        ChainPurpose::CodeSigning => validate_code_signing_eku(cert)?,
        ChainPurpose::Timestamping => validate_timestamping_eku(cert)?,
    }
    cert.key_spec()
        .map_err(|source| ChainError::UnsupportedKey {
            subject: subject(),
            error: source,
        })?;
    Ok(())
}

fn key_usage_present(
    cert: &Certificate,
    purpose: ChainPurpose,
) -> Result<KeyUsageBits, ChainError> {
    match cert.key_usage() {
        None => Err(ChainError::KeyUsageMissing(cert.subject().to_string())),
        // Criticality is required for code signing, only recommended for
        // timestamping (H1).
        Some((false, _)) if purpose == ChainPurpose::CodeSigning => {
            Err(ChainError::KeyUsageNotCritical(cert.subject().to_string()))
        }
        Some((_, bits)) => Ok(bits),
    }
}

/// The code-signing extended key usage as the reference implements it: serverAuth, clientAuth,
/// emailProtection, timeStamping and OCSPSigning are refused;
/// anyExtendedKeyUsage is allowed (the spec forbids it, the reference
/// does not, and we follow the reference so that its signatures verify).
// Requirements: H3, W5.
fn validate_code_signing_eku(cert: &Certificate) -> Result<(), ChainError> {
    let Some((_, ekus)) = cert.ext_key_usage() else {
        return Ok(());
    };
    let excluded = [
        (oid::EKU_SERVER_AUTH, "ServerAuth"),
        (oid::EKU_CLIENT_AUTH, "ClientAuth"),
        (oid::EKU_EMAIL_PROTECTION, "EmailProtection"),
        (oid::EKU_TIME_STAMPING, "Timestamping"),
        (oid::EKU_OCSP_SIGNING, "OCSPSigning"),
    ];
    for eku in ekus {
        if let Some((_, name)) = excluded.iter().find(|(o, _)| o == eku) {
            return Err(ChainError::CodeSigningEku {
                subject: cert.subject().to_string(),
                eku: name,
            });
        }
    }
    Ok(())
}

/// The timestamping extended key usage: exactly one EKU, timeStamping, in a
/// critical extension.
// Requirements: H4.
fn validate_timestamping_eku(cert: &Certificate) -> Result<(), ChainError> {
    match cert.ext_key_usage() {
        Some((critical, [only])) if *only == oid::EKU_TIME_STAMPING => {
            if critical {
                Ok(())
            } else {
                Err(ChainError::TimestampingEkuNotCritical(
                    cert.subject().to_string(),
                ))
            }
        }
        _ => Err(ChainError::TimestampingEku(cert.subject().to_string())),
    }
}
