#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod algorithm;
mod asn1util;
pub mod blob;
mod bytes;
#[doc(hidden)]
pub mod child_input;
pub mod config;
pub mod crypto;
pub mod envelope;
pub mod file;
pub mod hex;
pub mod json;
pub mod oid;
pub mod payload;
pub mod pem;
pub mod plugin;
pub mod process;
pub mod revocation;
pub mod signer;
pub mod text;
pub mod timefmt;
pub mod timestamp;
pub mod trust;
pub mod url;
pub mod verifier;
pub mod x509;

#[doc(hidden)]
pub mod __fuzz;

/// The signing agent written into envelopes.
// Requirements: E3.
pub const SIGNING_AGENT: &str = concat!("notation-rs/", env!("CARGO_PKG_VERSION"));
