//! Online revocation checking in one call.
//!
//! notation-core has no network, so a
//! [`Verifier`](notation_core::verifier::Verifier) checks revocation
//! offline unless it is given a checker: no OCSP responder or CRL
//! distribution point is contacted, and a certificate that names one has an
//! *unknown* revocation status, which fails verification under `strict` and
//! is logged under `permissive` and `audit`. (Certificates that name no
//! revocation server are not revocable and pass either way.)
//!
//! [`OnlineRevocation::online_revocation`] gives a verifier the checker the
//! reference CLI uses: OCSP first, then CRLs, over HTTP with notation-core's
//! default timeouts and size limits, CRLs cached in the reference's format
//! under `{cache dir}/crl` ([`notation_core::config::cache_dir`]). The same
//! checker then also checks timestamping chains. For other timeouts, another
//! cache or a custom transport, build a
//! [`RevocationValidator`] with an [`HttpRevocationFetcher`] yourself and
//! pass it to [`VerifierBuilder::revocation_checker`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use notation_core::trust::{load_oci_policy, DirTrustStore};
//! use notation_core::verifier::Verifier;
//! use notation_oci::OnlineRevocation;
//!
//! let config = notation_core::config::config_dir();
//! let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&config)))
//!     .oci_policy(load_oci_policy(&config)?)
//!     .online_revocation()?
//!     .build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use notation_core::revocation::{FetchError, RevocationValidator};
use notation_core::verifier::VerifierBuilder;

use crate::revocation::{FileCrlCache, HttpRevocationFetcher};

/// The reference CLI's revocation checker: OCSP and CRLs over HTTP, CRLs
/// cached under `{cache dir}/crl` (see the [module documentation](self)).
pub fn online_revocation_checker() -> Result<Arc<RevocationValidator>, FetchError> {
    let fetcher = HttpRevocationFetcher::new()?;
    let cache = FileCrlCache::new(notation_core::config::cache_dir());
    Ok(Arc::new(
        RevocationValidator::builder(Arc::new(fetcher))
            .crl_cache(Arc::new(cache))
            .build(),
    ))
}

/// Online revocation checking for a [`VerifierBuilder`] (an extension
/// trait, because the network lives in notation-oci).
pub trait OnlineRevocation: Sized {
    /// Checks signing and timestamping chains for revocation over HTTP
    /// (OCSP, then CRLs, cached), as the reference CLI does, instead of the
    /// offline default.
    fn online_revocation(self) -> Result<Self, FetchError>;
}

impl OnlineRevocation for VerifierBuilder {
    fn online_revocation(self) -> Result<Self, FetchError> {
        Ok(self.revocation_checker(online_revocation_checker()?))
    }
}
