//! notation-core: the Notary Project signature format and verification rules.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod algorithm;
pub mod crypto;
pub mod hex;
pub mod oid;
pub mod pem;
pub mod timefmt;
pub mod trust;
pub mod x509;
