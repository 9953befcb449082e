//! Loading policies from the configuration directory.

use super::*;

/// Why a policy file could not be loaded, with the reference's texts
/// (notation-go `getDocument`).
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyLoadError {
    /// No policy file.
    #[error("trust policy is not present. To create a trust policy, see: {TRUST_POLICY_LINK}")]
    NotPresent {
        /// The path looked at last.
        path: PathBuf,
    },
    /// A directory, symlink or special file where the policy should be.
    #[error(
        "trust policy is not a regular file (symlinks are not supported). To create a trust policy, see: {TRUST_POLICY_LINK}"
    )]
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The file cannot be read for lack of permission.
    #[error("unable to read trust policy due to file permissions, please verify the permissions of {}", .path.display())]
    PermissionDenied {
        /// The path.
        path: PathBuf,
    },
    /// Another I/O error.
    #[error("failed to read trust policy {}: {error}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        error: Arc<io::Error>,
    },
    /// Not JSON of the document's shape, or too large.
    #[error("malformed trust policy. To create a trust policy, see: {TRUST_POLICY_LINK}")]
    Malformed {
        /// The path.
        path: PathBuf,
        /// Why.
        source: PolicyJsonError,
    },
    /// A document that breaks the policy rules.
    #[error("{error}")]
    Invalid {
        /// The path.
        path: PathBuf,
        /// Why.
        error: Box<PolicyError>,
    },
}

/// The bytes of a policy file and where they came from (for `policy show`,
/// which prints the file as it is even when it is invalid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFile {
    pub(super) path: PathBuf,
    pub(super) data: Vec<u8>,
    pub(super) legacy: bool,
}

impl PolicyFile {
    /// Reads the OCI policy: `trustpolicy.oci.json`, or when that does not
    /// exist the legacy `trustpolicy.json`.
    // Requirements: J1.
    pub fn read_oci(config_dir: &Path) -> Result<Self, PolicyLoadError> {
        match read_policy_file(&config_dir.join(OCI_POLICY_FILE)) {
            Err(PolicyLoadError::NotPresent { .. }) => {
                let path = config_dir.join(LEGACY_OCI_POLICY_FILE);
                let data = read_policy_file(&path)?;
                Ok(Self {
                    path,
                    data,
                    legacy: true,
                })
            }
            Err(e) => Err(e),
            Ok(data) => Ok(Self {
                path: config_dir.join(OCI_POLICY_FILE),
                data,
                legacy: false,
            }),
        }
    }

    /// Reads `trustpolicy.blob.json`.
    pub fn read_blob(config_dir: &Path) -> Result<Self, PolicyLoadError> {
        let path = config_dir.join(BLOB_POLICY_FILE);
        let data = read_policy_file(&path)?;
        Ok(Self {
            path,
            data,
            legacy: false,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its contents.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Whether this is the deprecated `trustpolicy.json`.
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Parses and validates the contents as an OCI document.
    pub fn parse_oci(&self) -> Result<OciTrustPolicyDocument, PolicyLoadError> {
        OciTrustPolicyDocument::from_policy_file(&self.data).map_err(|e| self.load_error(e))
    }

    /// Parses and validates the contents as a blob document.
    pub fn parse_blob(&self) -> Result<BlobTrustPolicyDocument, PolicyLoadError> {
        BlobTrustPolicyDocument::from_policy_file(&self.data).map_err(|e| self.load_error(e))
    }

    fn load_error(&self, e: PolicyError) -> PolicyLoadError {
        let path = self.path.clone();
        match e {
            PolicyError::Malformed(source) => PolicyLoadError::Malformed { path, source },
            source => PolicyLoadError::Invalid {
                path,
                error: Box::new(source),
            },
        }
    }
}

/// Loads and validates the OCI trust policy of a configuration directory.
pub fn load_oci_policy(config_dir: &Path) -> Result<OciTrustPolicyDocument, PolicyLoadError> {
    PolicyFile::read_oci(config_dir)?.parse_oci()
}

/// Loads and validates the blob trust policy of a configuration directory.
pub fn load_blob_policy(config_dir: &Path) -> Result<BlobTrustPolicyDocument, PolicyLoadError> {
    PolicyFile::read_blob(config_dir)?.parse_blob()
}

pub(super) fn read_policy_file(path: &Path) -> Result<Vec<u8>, PolicyLoadError> {
    let io_error = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => PolicyLoadError::NotPresent {
            path: path.to_path_buf(),
        },
        io::ErrorKind::PermissionDenied => PolicyLoadError::PermissionDenied {
            path: path.to_path_buf(),
        },
        _ => PolicyLoadError::Io {
            path: path.to_path_buf(),
            error: Arc::new(e),
        },
    };
    let not_regular = || PolicyLoadError::NotRegularFile {
        path: path.to_path_buf(),
    };
    // A symlink (even a dangling one) is refused rather than followed
    // (J1): on Unix by the open itself (O_NOFOLLOW, non-blocking so that a
    // FIFO cannot stall it), elsewhere by an lstat first.
    #[cfg(unix)]
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags.bits() as i32)
            .open(path)
            .map_err(|e| match e.raw_os_error() {
                Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => not_regular(),
                _ => io_error(e),
            })?
    };
    #[cfg(not(unix))]
    let file = {
        if !fs::symlink_metadata(path).map_err(io_error)?.is_file() {
            return Err(not_regular());
        }
        fs::File::open(path).map_err(io_error)?
    };
    let opened = file.metadata().map_err(io_error)?;
    if !opened.is_file() {
        return Err(not_regular());
    }
    let data =
        crate::file::read_to_limit(file, opened.len(), MAX_POLICY_SIZE as u64).map_err(io_error)?;
    if data.len() > MAX_POLICY_SIZE {
        return Err(PolicyLoadError::Malformed {
            path: path.to_path_buf(),
            source: PolicyJsonError::TooLarge {
                size: data.len(),
                limit: MAX_POLICY_SIZE,
            },
        });
    }
    Ok(data)
}
