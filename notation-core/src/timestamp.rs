//! RFC 3161 timestamps (REQUIREMENTS O1-O5).
//!
//! Requesting a timestamp needs the network, so it enters through the
//! [`Timestamper`] trait; notation-oci provides an HTTP implementation.

use crate::algorithm::HashAlgorithm;

/// Obtains an RFC 3161 countersignature over a primitive signature (O1).
pub trait Timestamper: Send + Sync {
    /// Requests a timestamp over `hash(message)` and returns the DER
    /// `TimeStampToken`, already checked against the caller's TSA root.
    fn timestamp(&self, message: &[u8], hash: HashAlgorithm) -> Result<Vec<u8>, TimestampError>;
}

/// Why a timestamp could not be obtained or verified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The request failed (network, TSA status).
    #[error("{0}")]
    Request(String),
    /// The token or response is not valid.
    #[error("{0}")]
    Invalid(String),
}
