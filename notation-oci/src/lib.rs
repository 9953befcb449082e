//! notation-oci: Notary Project signatures in OCI registries and OCI image
//! layouts.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod reference;
pub mod registry;

pub use reference::{Reference, ReferenceError};
