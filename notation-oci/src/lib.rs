#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
pub mod copy;
pub mod digest;
pub mod graph;
pub mod layout;
pub mod oci;
pub mod online;
pub mod reference;
pub mod referrers;
pub mod registry;
pub mod remote;
pub mod repository;
pub mod revocation;
pub mod signature;
pub mod store;
pub mod tsa;
pub mod workflow;

pub use layout::OciLayout;
pub use online::OnlineRevocation;
pub use reference::{Reference, ReferenceError};
pub use registry::{
    Credential, CredentialProvider, RegistryClient, RegistryClientOptions, RegistryError,
    RepositoryRef,
};
pub use remote::RemoteRepository;
pub use repository::{RepositoryError, SignatureRepository};

/// The README's Rust examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
