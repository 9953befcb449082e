//! The blocking OCI registry client (OCI distribution spec v1.1 as the
//! reference implementation uses it through oras-go): resolve, fetch and
//! push manifests and blobs, the referrers API, authentication
//! (anonymous, Basic, Bearer tokens) and credentials.
//!
//! - [`transport`]: the HTTP seam ([`HttpTransport`]) and the default ureq
//!   transport; bring your own HTTP by implementing the trait.
//! - [`client`]: [`RegistryClient`] built from [`RegistryClientOptions`].
//! - [`credentials`]: [`Credential`], providers and stores, `login` /
//!   `logout` helpers.
//! - [`auth`]: `WWW-Authenticate` parsing and token scopes.
//! - [`link`]: `Link` header parsing for pagination.
//! - [`observe`]: [`RegistryObserver`], watching exchanges for debug output.
//! - [`error`]: [`RegistryError`] and its layers.
//!
//! Every byte fetched is checked against a size limit before it is read
//! and against its digest before it is returned.
//!
//! ```no_run
//! use notation_oci::oci::MAX_MANIFEST_SIZE;
//! use notation_oci::registry::{RegistryClient, RepositoryRef};
//! use notation_oci::registry::credentials::CredentialChain;
//!
//! let client = RegistryClient::builder()
//!     .credentials(CredentialChain::notation_default(None)?)
//!     .build()?;
//! let repo = RepositoryRef::new("registry.example", "net-monitor")?;
//! let desc = client.resolve(&repo, "v1")?;
//! let (_, manifest) = client.fetch_manifest(&repo, &desc.digest, MAX_MANIFEST_SIZE)?;
//! let referrers = client.referrers(&repo, &desc.digest, Some("application/vnd.cncf.notary.signature"))?;
//! # let _ = (manifest, referrers);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// Requirements: Q5, X2, U.

pub mod auth;
pub mod client;
pub mod credentials;
pub mod error;
pub mod link;
pub mod observe;
pub(crate) mod redirect;
pub mod transport;
mod url;

pub use client::{
    BlobReader, BlobTransferLimits, BlobUploadError, ContentDescriptor, LoginError, LoginOutcome,
    PushedManifest, RegistryClient, RegistryClientOptions, RepositoryRef,
};
pub use credentials::{Credential, CredentialError, CredentialProvider, CredentialStore};
pub use error::{
    AuthError, IntegrityError, ProtocolError, RegistryError, StatusError, TimeoutError,
    TimeoutPhase,
};
pub use observe::RegistryObserver;
pub use transport::{
    HttpRequest, HttpResponse, HttpTransport, Method, Timeouts, TransportError, TrustRoots,
};
