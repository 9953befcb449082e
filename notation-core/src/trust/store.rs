//! Named X.509 trust stores.
//!
//! A trust store is a named set of certificates of one type: `ca` and
//! `signingAuthority` stores anchor signing chains (per signing scheme), `tsa`
//! stores anchor timestamp chains. [`TrustStore`] is how the verifier gets
//! them; [`DirTrustStore`] reads the reference layout
//! `{NOTATION_CONFIG}/truststore/x509/{type}/{name}/*` (the directory
//! is `truststore`, as the reference writes it, not the spec's `trust-store`)
//! and [`MemoryTrustStore`] holds certificates an embedder loaded itself.
//!
//! Reading a store applies the reference's rules (notation-go
//! `verifier/truststore`), with its error texts:
//! - every entry of the named store directory is read, whatever its
//!   extension, in file-name order; each must be a regular file holding PEM
//!   or (concatenated) DER certificates;
//! - a symlinked store directory or certificate file is refused, and so
//!   is a sub-directory. The spec says to ignore sub-directories with a
//!   warning; we follow the reference's hard error so that a store that
//!   verifies here verifies with Notation and vice versa;
//! - every certificate must be a CA or self-signed; in a `tsa` store every
//!   certificate must be a self-signed, self-issued root;
//! - a store without certificates is an error.
//!
//! Store reading knows nothing of trust policies; the verifier decides which
//! stores a statement needs and may cache what it loaded.
// Requirements: I1-I7, I1, W4, I2, I3, I4, W3, I5.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::crypto::{CryptoProvider, default_provider};
use crate::file::AtomicWrite;
use crate::trust::GoQuoted as Q;
use crate::trust::store_dir::{EntryKind, OpenError, StoreDir};
use crate::x509::{CertSignatureError, Certificate, CertificateParseError};

/// The type of a named trust store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrustStoreType {
    /// `ca`: roots (or pinned intermediates) for the `notary.x509` scheme.
    Ca,
    /// `signingAuthority`: anchors for the `notary.x509.signingAuthority`
    /// scheme.
    SigningAuthority,
    /// `tsa`: roots of timestamping authorities.
    Tsa,
}

impl TrustStoreType {
    /// All types, in the reference's order.
    pub const ALL: [TrustStoreType; 3] = [
        TrustStoreType::Ca,
        TrustStoreType::SigningAuthority,
        TrustStoreType::Tsa,
    ];

    /// The name used in policies and as the directory name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TrustStoreType::Ca => "ca",
            TrustStoreType::SigningAuthority => "signingAuthority",
            TrustStoreType::Tsa => "tsa",
        }
    }

    /// The type with this exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for TrustStoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `name` is a valid named-store name: `[a-zA-Z0-9_.-]+`.
// Requirements: I5.
pub fn is_valid_store_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Store names that pass the reference's pattern but name the type
/// directory itself or its parent; refused when touching the file system.
fn is_dot_name(name: &str) -> bool {
    name == "." || name == ".."
}

/// Where a verifier gets trust anchors from. Object safe, so that verifiers
/// can hold `Arc<dyn TrustStore>`.
pub trait TrustStore: Send + Sync {
    /// Every certificate of the named store of `store_type`, validated by
    /// the store rules. A missing or empty store is an error.
    // Requirements: I2, I5.
    fn certificates(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError>;
}

impl<T: TrustStore + ?Sized> TrustStore for Arc<T> {
    fn certificates(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        (**self).certificates(store_type, name)
    }
}

/// Why one certificate file could not be read.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateFileError {
    /// The file could not be opened or read, or is not a regular file.
    #[error("{0}")]
    Io(Arc<io::Error>),
    /// The file is larger than [`MAX_CERTIFICATE_FILE_SIZE`].
    #[error("certificate file is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// Not PEM or DER certificates.
    #[error(transparent)]
    Parse(#[from] CertificateParseError),
}

impl From<io::Error> for CertificateFileError {
    fn from(e: io::Error) -> Self {
        CertificateFileError::Io(Arc::new(e))
    }
}

/// Why certificates may not be trust anchors of a store, with the
/// reference's texts.
// Requirements: I5.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateValidationError {
    /// No certificate at all (an empty file).
    #[error("input certs cannot be empty")]
    Empty,
    /// A certificate that is neither a CA nor self-signed.
    #[error("certificate with subject {} is not a CA certificate or self-signed signing certificate", Q(.subject))]
    NotCaOrSelfSigned {
        /// The subject, as Go renders it.
        subject: String,
    },
    /// A `tsa` store certificate that does not verify as its own CA
    /// (not a CA, or not signed by its own key).
    #[error("certificate with subject {} is not a root CA certificate: {error}", Q(.subject))]
    NotRootCa {
        /// The subject, as Go renders it.
        subject: String,
        /// Why the self-check failed.
        error: CertSignatureError,
    },
    /// A `tsa` store certificate whose issuer is not its subject.
    #[error("certificate with subject {} is not a root CA certificate: issuer ({issuer}) and subject ({subject}) are not the same", Q(.subject))]
    NotSelfIssued {
        /// The subject, as Go renders it.
        subject: String,
        /// The issuer, as Go renders it.
        issuer: String,
    },
}

/// Checks the certificates of one file for a `ca` or `signingAuthority`
/// store, and the first part of the `tsa` check: each must be a CA or verify
/// with its own key (notation-go `ValidateCertificates`).
pub fn validate_certificates(
    certs: &[Certificate],
    crypto: &dyn CryptoProvider,
) -> Result<(), CertificateValidationError> {
    if certs.is_empty() {
        return Err(CertificateValidationError::Empty);
    }
    for cert in certs {
        if !cert.is_ca()
            && cert
                .check_signature_with(cert.public_key(), crypto)
                .is_err()
        {
            return Err(CertificateValidationError::NotCaOrSelfSigned {
                subject: cert.subject().to_string(),
            });
        }
    }
    Ok(())
}

/// Checks that a `tsa` store certificate is a root: a CA that signed itself
/// (Go's `CheckSignatureFrom(self)`) and whose issuer is its subject,
/// byte for byte (notation-go `isRootCACertificate`).
pub fn check_root_certificate(
    cert: &Certificate,
    crypto: &dyn CryptoProvider,
) -> Result<(), CertificateValidationError> {
    cert.check_signature_from(cert, crypto).map_err(|source| {
        CertificateValidationError::NotRootCa {
            subject: cert.subject().to_string(),
            error: source,
        }
    })?;
    if !cert.is_self_issued() {
        return Err(CertificateValidationError::NotSelfIssued {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
        });
    }
    Ok(())
}

/// Both checks a store of `store_type` applies to the certificates of one
/// file, in the reference's order.
pub fn validate_store_certificates(
    store_type: TrustStoreType,
    certs: &[Certificate],
    crypto: &dyn CryptoProvider,
) -> Result<(), CertificateValidationError> {
    validate_certificates(certs, crypto)?;
    if store_type == TrustStoreType::Tsa {
        for cert in certs {
            check_root_certificate(cert, crypto)?;
        }
    }
    Ok(())
}

/// Why a named store could not be loaded, with the reference's texts
/// (notation-go `verifier/truststore`). The verifier reports these as
/// authenticity (or authentic timestamp) failures.
// Requirements: M2.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// The name is not `[a-zA-Z0-9_.-]+` (or is `.`/`..`).
    #[error("trust store name needs to follow [a-zA-Z0-9_.-]+ format, {name} is invalid")]
    InvalidName {
        /// The name.
        name: String,
    },
    /// No such store.
    #[error("the trust store {} of type {} does not exist", Q(.name), Q(.store_type.as_str()))]
    NotFound {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
    },
    /// The store exists but could not be read.
    #[error("failed to access the trust store {} of type {}", Q(.name), Q(.store_type.as_str()))]
    Access {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The I/O error.
        source: Arc<io::Error>,
    },
    /// The store path is a file or a symlink.
    // Requirements: I3.
    #[error("the trust store {name} of type {store_type} with path {} is not a regular directory (symlinks are not supported)", .path.display())]
    NotADirectory {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The store path.
        path: PathBuf,
    },
    /// An entry of the store is a directory, a symlink or another special
    /// file.
    // Requirements: I3, I4, W3.
    #[error(
        "trusted certificate {file} in trust store {name} of type {store_type} is not a regular file (directories or symlinks are not supported)"
    )]
    NotRegularFile {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The entry's file name.
        file: String,
    },
    /// A file that does not hold certificates.
    // Requirements: I2.
    #[error(
        "failed to read the trusted certificate {file} in trust store {name} of type {store_type}"
    )]
    ReadCertificate {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The file name.
        file: String,
        /// Why.
        source: CertificateFileError,
    },
    /// A certificate that is neither a CA nor self-signed.
    // Requirements: I5.
    #[error(
        "failed to validate the trusted certificate {file} in trust store {name} of type {store_type}"
    )]
    InvalidCertificate {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The file name.
        file: String,
        /// Why.
        source: CertificateValidationError,
    },
    /// A statement names a store the verifier did not load: the statement
    /// is not from the policy the verifier was built with.
    #[error(
        "the trust store {} of type {} was not loaded by this verifier: the policy statement is not from its trust policy",
        Q(.name),
        Q(.store_type.as_str())
    )]
    NotLoaded {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
    },
    /// A `tsa` store certificate that is not a root.
    // Requirements: I5.
    #[error(
        "trusted certificate {file} in trust store {name} of type {store_type} is invalid: {error}"
    )]
    NotRootCertificate {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The file name.
        file: String,
        /// Why.
        error: CertificateValidationError,
    },
    /// The store holds no certificate.
    #[error("no x509 certificates were found in trust store {} of type {}", Q(.name), Q(.store_type.as_str()))]
    Empty {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
    },
}

/// Upper bound on one certificate file; a CA bundle of a few hundred roots
/// is well under it.
pub const MAX_CERTIFICATE_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Parses certificate file contents as notation-core-go `ReadCertificateFile`
/// does: the PEM blocks Go's `pem.Decode` finds, whatever their type, each
/// a DER certificate (text around them, and blocks that do not decode, are
/// skipped: see [`crate::pem::go_blocks`]); when there is none, one or more
/// concatenated DER certificates. An empty input is zero certificates, not
/// an error (the store rules then reject it).
pub fn parse_certificate_data(data: &[u8]) -> Result<Vec<Certificate>, CertificateParseError> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let mut blocks = crate::pem::go_blocks(data).peekable();
    if blocks.peek().is_none() {
        return Certificate::parse_der_many(data);
    }
    blocks.map(|b| Certificate::from_der_vec(b.der)).collect()
}

/// Reads and parses one certificate file, refusing anything but a regular
/// file and reading at most [`MAX_CERTIFICATE_FILE_SIZE`] bytes.
pub fn read_certificate_file(path: &Path) -> Result<Vec<Certificate>, CertificateFileError> {
    read_certificate_data(fs::File::open(path)?)
}

/// [`read_certificate_file`] on a file opened already.
fn read_certificate_data(file: fs::File) -> Result<Vec<Certificate>, CertificateFileError> {
    let data = read_bounded_file(file, MAX_CERTIFICATE_FILE_SIZE)?;
    Ok(parse_certificate_data(&data)?)
}

fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, CertificateFileError> {
    read_bounded_file(fs::File::open(path)?, limit)
}

fn read_bounded_file(file: fs::File, limit: u64) -> Result<Vec<u8>, CertificateFileError> {
    // Checked on the opened file, so a swap after the caller's lstat cannot
    // make us read a device or a directory.
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file").into());
    }
    let data = crate::file::read_to_limit(file, opened.len(), limit)?;
    if data.len() as u64 > limit {
        return Err(CertificateFileError::TooLarge { limit });
    }
    Ok(data)
}

/// Trust stores under `{config}/truststore/x509`, the reference layout.
#[derive(Clone)]
pub struct DirTrustStore {
    x509_dir: PathBuf,
    crypto: Arc<dyn CryptoProvider>,
}

impl fmt::Debug for DirTrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirTrustStore")
            .field("x509_dir", &self.x509_dir)
            .finish()
    }
}

impl DirTrustStore {
    /// The stores of the Notation configuration directory `config_dir`
    /// (`NOTATION_CONFIG`), checked with the default crypto provider.
    pub fn new(config_dir: impl AsRef<Path>) -> Self {
        Self::with_crypto_provider(config_dir, default_provider())
    }

    /// Like [`DirTrustStore::new`], verifying self-signatures with `crypto`.
    pub fn with_crypto_provider(
        config_dir: impl AsRef<Path>,
        crypto: Arc<dyn CryptoProvider>,
    ) -> Self {
        Self {
            x509_dir: config_dir.as_ref().join("truststore").join("x509"),
            crypto,
        }
    }

    /// `{config}/truststore/x509`.
    pub fn x509_dir(&self) -> &Path {
        &self.x509_dir
    }

    /// The directory of one named store (which may not exist).
    pub fn store_path(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<PathBuf, TrustStoreError> {
        if !is_valid_store_name(name) || is_dot_name(name) {
            return Err(TrustStoreError::InvalidName {
                name: name.to_owned(),
            });
        }
        Ok(self.x509_dir.join(store_type.as_str()).join(name))
    }

    fn managed_store_path(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        self.store_path(store_type, name)
            .map_err(|_| TrustStoreManagementError::InvalidStoreName {
                name: name.to_owned(),
            })
    }

    /// Names of the stores of one type (directories with valid names,
    /// symlinks excluded), sorted. No type directory means no stores.
    pub fn list_stores(
        &self,
        store_type: TrustStoreType,
    ) -> Result<Vec<String>, TrustStoreManagementError> {
        let dir = self.x509_dir.join(store_type.as_str());
        let mut names: Vec<String> = read_dir_sorted(&dir)
            .or_else(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    Ok(Vec::new())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| TrustStoreManagementError::io("list", &dir, e))?
            .into_iter()
            .filter(|(_, ft)| ft.is_dir())
            .filter_map(|(name, _)| name.into_string().ok())
            .filter(|n| is_valid_store_name(n) && !is_dot_name(n))
            .collect();
        names.sort();
        Ok(names)
    }

    /// File names of the regular files of one store, sorted (what
    /// `notation certificate list` shows). A missing store has none.
    pub fn list_certificate_files(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<Vec<String>, TrustStoreManagementError> {
        let dir = self.managed_store_path(store_type, name)?;
        match fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(TrustStoreManagementError::io("inspect", &dir, e)),
            Ok(m) if !m.is_dir() => {
                return Err(TrustStoreManagementError::NotADirectory { path: dir });
            }
            Ok(_) => {}
        }
        Ok(read_dir_sorted(&dir)
            .map_err(|e| TrustStoreManagementError::io("list", &dir, e))?
            .into_iter()
            .filter(|(_, ft)| ft.is_file())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect())
    }

    /// The certificates of one file of a store (`notation certificate
    /// show`), parsed but not validated.
    pub fn read_certificate_file(
        &self,
        store_type: TrustStoreType,
        name: &str,
        file: &str,
    ) -> Result<Vec<Certificate>, TrustStoreManagementError> {
        let path = self.certificate_path(store_type, name, file)?;
        check_regular_file(&path, store_type, name, file)?;
        let certs =
            read_certificate_file(&path).map_err(|source| TrustStoreManagementError::Read {
                path: path.clone(),
                error: source,
            })?;
        if certs.is_empty() {
            return Err(TrustStoreManagementError::Invalid {
                store_type,
                error: CertificateValidationError::Empty,
            });
        }
        Ok(certs)
    }

    fn certificate_path(
        &self,
        store_type: TrustStoreType,
        name: &str,
        file: &str,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        let dir = self.managed_store_path(store_type, name)?;
        if !is_plain_file_name(file) {
            return Err(TrustStoreManagementError::InvalidFileName {
                file: file.to_owned(),
            });
        }
        Ok(dir.join(file))
    }

    /// Adds certificate file contents to a store as `file_name`, creating
    /// the store if needed. The certificates must satisfy the store's rules
    /// (the reference's `certificate add` only parses them, leaving a store
    /// that then fails every verification; we refuse up front). The file is
    /// written to a temporary file and moved into place, so readers never
    /// see a partial file; an existing file is replaced only if `overwrite`.
    pub fn add_certificate(
        &self,
        store_type: TrustStoreType,
        name: &str,
        file_name: &str,
        data: &[u8],
        overwrite: bool,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        self.add_certificate_from(
            store_type,
            name,
            file_name,
            data,
            overwrite,
            Path::new(file_name),
        )
    }

    /// [`DirTrustStore::add_certificate`], naming `origin` (where the bytes
    /// came from) when they are no certificates.
    fn add_certificate_from(
        &self,
        store_type: TrustStoreType,
        name: &str,
        file_name: &str,
        data: &[u8],
        overwrite: bool,
        origin: &Path,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        let dest = self.certificate_path(store_type, name, file_name)?;
        if data.len() as u64 > MAX_CERTIFICATE_FILE_SIZE {
            return Err(TrustStoreManagementError::Read {
                path: origin.to_path_buf(),
                error: CertificateFileError::TooLarge {
                    limit: MAX_CERTIFICATE_FILE_SIZE,
                },
            });
        }
        let certs = parse_certificate_data(data).map_err(|e| TrustStoreManagementError::Read {
            path: origin.to_path_buf(),
            error: e.into(),
        })?;
        validate_store_certificates(store_type, &certs, self.crypto.as_ref()).map_err(
            |source| TrustStoreManagementError::Invalid {
                store_type,
                error: source,
            },
        )?;

        let store_dir = dest
            .parent()
            .expect("store path has a parent")
            .to_path_buf();
        let type_dir = store_dir
            .parent()
            .expect("store path has a parent")
            .to_path_buf();
        match fs::symlink_metadata(&store_dir) {
            Ok(m) if !m.is_dir() => {
                return Err(TrustStoreManagementError::NotADirectory { path: store_dir });
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&store_dir)
                    .map_err(|e| TrustStoreManagementError::io("create", &store_dir, e))?;
            }
            Err(e) => return Err(TrustStoreManagementError::io("inspect", &store_dir, e)),
        }
        if !overwrite && fs::symlink_metadata(&dest).is_ok() {
            return Err(TrustStoreManagementError::AlreadyExists { path: dest });
        }
        // The temporary file lives in the type directory, not in the store:
        // a verifier reading the store concurrently must not see it.
        // Certificates are public (the reference copies them with Go's
        // default 0644 under the usual umask).
        let mut write = AtomicWrite::public().staging_dir(&type_dir);
        if !overwrite {
            write = write.no_replace();
        }
        let placed = match write.write(&dest, data) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && !overwrite => {
                Err(TrustStoreManagementError::AlreadyExists { path: dest.clone() })
            }
            Err(e) => Err(TrustStoreManagementError::io("write", &dest, e)),
        };
        placed.map(|()| dest)
    }

    /// Adds the certificate file at `source` under its own file name (as
    /// `notation certificate add` does); see [`DirTrustStore::add_certificate`].
    pub fn add_certificate_file(
        &self,
        store_type: TrustStoreType,
        name: &str,
        source: &Path,
        overwrite: bool,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        let file_name = source
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| TrustStoreManagementError::InvalidFileName {
                file: source.display().to_string(),
            })?
            .to_owned();
        let data = read_bounded(source, MAX_CERTIFICATE_FILE_SIZE).map_err(|e| {
            TrustStoreManagementError::Read {
                path: source.to_path_buf(),
                error: e,
            }
        })?;
        self.add_certificate_from(store_type, name, &file_name, &data, overwrite, source)
    }

    /// Deletes one certificate file, and the store directory when it is then
    /// empty (as the reference does). Returns the deleted file's path.
    pub fn delete_certificate(
        &self,
        store_type: TrustStoreType,
        name: &str,
        file: &str,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        let path = self.certificate_path(store_type, name, file)?;
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(TrustStoreManagementError::CertificateNotFound {
                    store_type,
                    name: name.to_owned(),
                    file: file.to_owned(),
                });
            }
            Err(e) => return Err(TrustStoreManagementError::io("inspect", &path, e)),
            Ok(m) if m.is_dir() => return Err(TrustStoreManagementError::NotRegularFile { path }),
            Ok(_) => {}
        }
        fs::remove_file(&path).map_err(|e| TrustStoreManagementError::io("delete", &path, e))?;
        let store_dir = path.parent().expect("certificate path has a parent");
        if fs::read_dir(store_dir).is_ok_and(|mut d| d.next().is_none()) {
            let _ = fs::remove_dir(store_dir);
        }
        Ok(path)
    }

    /// Deletes a whole named store. A symlinked store is refused rather than
    /// followed. Returns the deleted directory's path.
    pub fn delete_store(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<PathBuf, TrustStoreManagementError> {
        let dir = self.managed_store_path(store_type, name)?;
        match fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(TrustStoreManagementError::StoreNotFound {
                    store_type,
                    name: name.to_owned(),
                });
            }
            Err(e) => return Err(TrustStoreManagementError::io("inspect", &dir, e)),
            Ok(m) if !m.is_dir() => {
                return Err(TrustStoreManagementError::NotADirectory { path: dir });
            }
            Ok(_) => {}
        }
        fs::remove_dir_all(&dir).map_err(|e| TrustStoreManagementError::io("delete", &dir, e))?;
        Ok(dir)
    }
}

impl TrustStore for DirTrustStore {
    fn certificates(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        let dir = self.store_path(store_type, name)?;
        let owned = || name.to_owned();
        // A symlinked store is not a directory here (I3).
        let mut store = StoreDir::open(&dir).map_err(|e| match e {
            OpenError::NotFound => TrustStoreError::NotFound {
                store_type,
                name: owned(),
            },
            OpenError::NotADirectory => TrustStoreError::NotADirectory {
                store_type,
                name: owned(),
                path: dir.clone(),
            },
            OpenError::Io(e) => TrustStoreError::Access {
                store_type,
                name: owned(),
                source: Arc::new(e),
            },
        })?;
        let entries = store.entries().map_err(|e| TrustStoreError::Access {
            store_type,
            name: owned(),
            source: Arc::new(e),
        })?;
        let mut all = Vec::new();
        for (file_name, kind) in entries {
            let file = file_name.to_string_lossy().into_owned();
            // I3, I4 (W3): directories, symlinks and special files are
            // errors. The reference only names directories and symlinks; a
            // FIFO would make it block, so we refuse those too.
            if kind != EntryKind::File {
                return Err(TrustStoreError::NotRegularFile {
                    store_type,
                    name: owned(),
                    file,
                });
            }
            let certs = store
                .open_file(&file_name)
                .map_err(CertificateFileError::from)
                .and_then(read_certificate_data)
                .map_err(|source| TrustStoreError::ReadCertificate {
                    store_type,
                    name: owned(),
                    file: file.clone(),
                    source,
                })?;
            validate_certificates(&certs, self.crypto.as_ref()).map_err(|source| {
                TrustStoreError::InvalidCertificate {
                    store_type,
                    name: owned(),
                    file: file.clone(),
                    source,
                }
            })?;
            if store_type == TrustStoreType::Tsa {
                for cert in &certs {
                    check_root_certificate(cert, self.crypto.as_ref()).map_err(|source| {
                        TrustStoreError::NotRootCertificate {
                            store_type,
                            name: owned(),
                            file: file.clone(),
                            error: source,
                        }
                    })?;
                }
            }
            all.extend(certs);
        }
        if all.is_empty() {
            return Err(TrustStoreError::Empty {
                store_type,
                name: owned(),
            });
        }
        Ok(all)
    }
}

/// Directory entries with their (not followed) file types, sorted by name
/// as Go's `os.ReadDir` returns them: the order decides which error a broken
/// store reports first and the order of the certificates.
fn read_dir_sorted(dir: &Path) -> io::Result<Vec<(std::ffi::OsString, fs::FileType)>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        entries.push((entry.file_name(), entry.file_type()?));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// A file name without path separators, not `.`/`..`, not empty.
fn is_plain_file_name(file: &str) -> bool {
    !file.is_empty() && !is_dot_name(file) && !file.contains(['/', '\\', '\0'])
}

fn check_regular_file(
    path: &Path,
    store_type: TrustStoreType,
    name: &str,
    file: &str,
) -> Result<(), TrustStoreManagementError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(TrustStoreManagementError::CertificateNotFound {
                store_type,
                name: name.to_owned(),
                file: file.to_owned(),
            })
        }
        Err(e) => Err(TrustStoreManagementError::io("inspect", path, e)),
        Ok(m) if !m.is_file() => Err(TrustStoreManagementError::NotRegularFile {
            path: path.to_path_buf(),
        }),
        Ok(_) => Ok(()),
    }
}

/// Why a trust store file operation (add, list, show, delete) failed.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreManagementError {
    /// The store name is not `[a-zA-Z0-9_.-]+` (or is `.`/`..`).
    #[error("named store name needs to follow [a-zA-Z0-9_.-]+ format")]
    InvalidStoreName {
        /// The name.
        name: String,
    },
    /// A certificate file name with a path separator, or `.`/`..`.
    #[error("invalid certificate file name {}", Q(.file))]
    InvalidFileName {
        /// The name.
        file: String,
    },
    /// No such store.
    #[error("the trust store {} of type {} does not exist", Q(.name), Q(.store_type.as_str()))]
    StoreNotFound {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
    },
    /// No such certificate file in the store.
    #[error("certificate {} does not exist in the trust store {} of type {}", Q(.file), Q(.name), Q(.store_type.as_str()))]
    CertificateNotFound {
        /// The store type.
        store_type: TrustStoreType,
        /// The store name.
        name: String,
        /// The file name.
        file: String,
    },
    /// The file is already in the store and overwriting was not asked for.
    #[error("certificate already exists in the Trust Store")]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// A store path that is a file or a symlink.
    #[error("{} is not a regular directory (symlinks are not supported)", .path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A certificate path that is a directory, symlink or special file.
    #[error("{} is not a regular file (directories or symlinks are not supported)", .path.display())]
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The certificate file could not be read or parsed.
    #[error("failed to read certificate file {}: {error}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: CertificateFileError,
    },
    /// The certificates do not satisfy the store rules.
    // Requirements: I5.
    #[error("the certificates cannot be added to a trust store of type {store_type}: {error}")]
    Invalid {
        /// The store type.
        store_type: TrustStoreType,
        /// Why.
        error: CertificateValidationError,
    },
    /// A file system operation failed.
    #[error("failed to {operation} {}: {error}", .path.display())]
    Io {
        /// What was attempted (`create`, `write`, `delete`, ...).
        operation: &'static str,
        /// On which path.
        path: PathBuf,
        /// The I/O error.
        error: Arc<io::Error>,
    },
}

impl TrustStoreManagementError {
    fn io(operation: &'static str, path: &Path, e: io::Error) -> Self {
        TrustStoreManagementError::Io {
            operation,
            path: path.to_path_buf(),
            error: Arc::new(e),
        }
    }
}

/// Trust stores held in memory, for embedders that load anchors themselves.
/// Certificates are checked with the same rules as on disk when added.
#[derive(Clone)]
pub struct MemoryTrustStore {
    stores: HashMap<(TrustStoreType, String), Vec<Certificate>>,
    crypto: Arc<dyn CryptoProvider>,
}

impl Default for MemoryTrustStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryTrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<String> = self
            .stores
            .keys()
            .map(|(t, n)| format!("{t}:{n}"))
            .collect();
        names.sort();
        f.debug_struct("MemoryTrustStore")
            .field("stores", &names)
            .finish()
    }
}

impl MemoryTrustStore {
    /// An empty set of stores, checked with the default crypto provider.
    pub fn new() -> Self {
        Self::with_crypto_provider(default_provider())
    }

    /// An empty set of stores, verifying self-signatures with `crypto`.
    pub fn with_crypto_provider(crypto: Arc<dyn CryptoProvider>) -> Self {
        Self {
            stores: HashMap::new(),
            crypto,
        }
    }

    /// Adds certificates to the named store of `store_type` (creating it),
    /// after checking them as a file of that store would be.
    // Requirements: I5.
    pub fn add(
        &mut self,
        store_type: TrustStoreType,
        name: &str,
        certs: impl IntoIterator<Item = Certificate>,
    ) -> Result<(), TrustStoreManagementError> {
        if !is_valid_store_name(name) {
            return Err(TrustStoreManagementError::InvalidStoreName {
                name: name.to_owned(),
            });
        }
        let certs: Vec<Certificate> = certs.into_iter().collect();
        validate_store_certificates(store_type, &certs, self.crypto.as_ref()).map_err(
            |source| TrustStoreManagementError::Invalid {
                store_type,
                error: source,
            },
        )?;
        self.stores
            .entry((store_type, name.to_owned()))
            .or_default()
            .extend(certs);
        Ok(())
    }
}

impl TrustStore for MemoryTrustStore {
    fn certificates(
        &self,
        store_type: TrustStoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        if !is_valid_store_name(name) {
            return Err(TrustStoreError::InvalidName {
                name: name.to_owned(),
            });
        }
        self.stores
            .get(&(store_type, name.to_owned()))
            .cloned()
            .ok_or_else(|| TrustStoreError::NotFound {
                store_type,
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_types() {
        for t in TrustStoreType::ALL {
            assert_eq!(TrustStoreType::from_name(t.as_str()), Some(t));
        }
        assert_eq!(TrustStoreType::from_name("CA"), None);
        assert_eq!(TrustStoreType::from_name("signingauthority"), None);
    }

    #[test]
    fn store_names() {
        assert!(is_valid_store_name("a-b_c.d09"));
        assert!(!is_valid_store_name(""));
        assert!(!is_valid_store_name("a/b"));
        assert!(!is_valid_store_name("#@$@$"));
        assert!(!is_valid_store_name("é"));
        assert!(!is_plain_file_name("../x"));
        assert!(!is_plain_file_name(".."));
        assert!(is_plain_file_name("root.crt"));
    }

    #[test]
    fn empty_data_is_zero_certificates() {
        assert!(parse_certificate_data(b"").unwrap().is_empty());
        assert!(parse_certificate_data(b"garbage!").is_err());
        assert!(parse_certificate_data(b"-----BEGIN CERTIFICATE-----\nAAAA").is_err());
        assert_eq!(
            validate_certificates(&[], &crate::crypto::DefaultProvider),
            Err(CertificateValidationError::Empty)
        );
    }

    /// Certificate files are read as notation-core-go reads them
    /// (`pem.Decode`, then the DER of every block): text that is not UTF-8
    /// around the blocks, a block that does not decode and any block type
    /// are no error; a BEGIN line that does not start a line is no block.
    #[test]
    fn certificate_files_are_read_as_go_reads_them() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/pki/root.crt"
        ))
        .unwrap();
        let pem = String::from_utf8(pem).unwrap();
        let one = |data: Vec<u8>| parse_certificate_data(&data).map(|c| c.len());
        assert_eq!(
            one([&b"# Sm\xf8rebr\xf8d\n"[..], pem.as_bytes()].concat()),
            Ok(1)
        );
        let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert_eq!(one(format!("{broken}{pem}").into_bytes()), Ok(1));
        let x509 = pem.replace(" CERTIFICATE-----", " X509 CERTIFICATE-----");
        assert_eq!(one(x509.into_bytes()), Ok(1));
        // Not a block: neither PEM nor DER.
        assert!(one(format!("x{pem}").into_bytes()).is_err());
        let trailing = pem.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE-----x");
        assert!(one(trailing.into_bytes()).is_err());
    }

    #[test]
    fn dot_names_are_refused() {
        let store = DirTrustStore::new("/nonexistent");
        for name in [".", ".."] {
            assert!(matches!(
                store.certificates(TrustStoreType::Ca, name),
                Err(TrustStoreError::InvalidName { .. })
            ));
        }
        assert_eq!(
            store
                .certificates(TrustStoreType::Ca, "a/b")
                .unwrap_err()
                .to_string(),
            "trust store name needs to follow [a-zA-Z0-9_.-]+ format, a/b is invalid"
        );
    }

    #[test]
    fn trait_is_object_safe() {
        let store: Arc<dyn TrustStore> = Arc::new(MemoryTrustStore::new());
        assert_eq!(
            store
                .certificates(TrustStoreType::Tsa, "x")
                .unwrap_err()
                .to_string(),
            "the trust store \"x\" of type \"tsa\" does not exist"
        );
    }
}
