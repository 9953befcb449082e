//! Paths of the committed fixtures (`fixtures/gen.sh` regenerates them).

use std::path::PathBuf;

/// The fixtures directory (spelled so that other crates' tests can include
/// this module too).
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../notation-oci/tests/support/fixtures"
    ))
}

/// A fixture file.
pub fn path(name: &str) -> PathBuf {
    dir().join(name)
}

/// The user in `fixtures/htpasswd` (and known to the token issuer).
pub const USER: &str = "testuser";
/// Its password.
pub const PASSWORD: &str = "testpassword";
