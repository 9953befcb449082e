//! Entry points for the fuzz targets (`fuzz/`) into code that is not part
//! of the public API. Not covered by semver: do not use.

use time::OffsetDateTime;

use crate::crypto::CryptoProvider;
use crate::timestamp::PathError;
use crate::x509::Certificate;

/// The TSA chain builder that token verification uses: every chain from
/// `leaf` to one of `roots` through `intermediates`, valid at `at`, that
/// allows timeStamping.
pub fn build_timestamp_chains(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    at: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<Vec<Vec<Certificate>>, PathError> {
    crate::timestamp::path::build_chains(leaf, intermediates, roots, at, crypto)
}
