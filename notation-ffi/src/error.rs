//! Result codes, error messages and the last-error functions.

use std::cell::RefCell;
use std::ffi::c_char;
use std::sync::Mutex;

use notation_core::blob::{BlobSignError, SignatureFileNameError};
use notation_core::config::ConfigError;
use notation_core::envelope::{EnvelopeError, SignError};
use notation_core::payload::UserMetadataError;
use notation_core::plugin::{PluginError, PluginSignError, PluginSignFailure};
use notation_core::signer::SignerError;
use notation_core::trust::{PolicyError, PolicyLoadError, TrustStoreManagementError};
use notation_core::verifier::{CheckFailure, VerificationError};
use notation_core::x509::CertificateParseError;
use notation_oci::graph::GraphError;
use notation_oci::layout::LayoutError;
use notation_oci::registry::RegistryError;
use notation_oci::repository::RepositoryError;
use notation_oci::workflow::{SignatureFailureReason, WorkflowError};

use crate::buffer::{write_message, write_str};

/// The result of every call. `NOTATION_RESULT_OK` is 0; the others are
/// grouped by area (1-99 the call itself, 1000s configuration and trust,
/// 2000s signing, 3000s verification, 4000s OCI artifacts). Codes are never
/// renumbered; new ones may be added, so treat unknown codes as failures.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum notation_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument is NULL.
    NullParameter = 1,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 2,
    /// The caller's buffer is too small; `*out_needed` holds the size
    /// needed.
    BufferTooSmall = 3,
    /// An argument has a value outside its documented set (an unknown enum
    /// value, an empty name, a duplicate key...).
    InvalidArgument = 4,
    /// An input is larger than its documented limit.
    InputTooLarge = 5,
    /// An index is not below the count.
    IndexOutOfRange = 6,
    /// The value asked for does not exist for this handle (for example the
    /// payload of a signature that did not verify).
    NotAvailable = 7,
    /// The operation is not supported by this build, or not for this kind
    /// of handle (adding certificates to a directory configuration).
    Unsupported = 8,
    /// A file could not be read or written.
    Io = 9,
    /// An internal error: a panic was caught at the boundary. Please report
    /// it.
    Panic = 99,

    /// `config.json` or `signingkeys.json` is invalid.
    Config = 1000,
    /// The configuration has no trust policy document at all
    /// (`notation_verifier_new`).
    PolicyNotPresent = 1001,
    /// A trust policy document is not JSON of the document's shape.
    PolicyMalformed = 1002,
    /// A trust policy document breaks the trust policy rules.
    PolicyInvalid = 1003,
    /// Certificates that a trust store does not accept, or an invalid store
    /// name.
    TrustStoreInvalid = 1004,
    /// Bytes that are not PEM or DER certificates.
    CertificateInvalid = 1005,
    /// No signing key of that name, or no default key.
    KeyNotFound = 1006,

    /// A private key that cannot be read or parsed, or that the crypto
    /// provider refuses when reading it.
    SigningKeyInvalid = 2000,
    /// A signing certificate chain that cannot be read or parsed.
    CertificateChainInvalid = 2001,
    /// The private key does not belong to the leaf certificate.
    KeyMismatch = 2002,
    /// A key of a type or size that is not one of the six Notation key
    /// specs (RSA 2048/3072/4096, EC P-256/P-384/P-521), such as Ed25519 or
    /// RSA 1024.
    KeyUnsupported = 2003,
    /// The signing key is a plugin key and plugins are disabled: the
    /// configuration has no plugin directory (an in-memory configuration
    /// without `notation_config_set_plugin_dir`, or one set to NULL).
    PluginKeyUnsupported = 2004,
    /// Signing failed.
    SigningFailed = 2005,
    /// User metadata that is not allowed (a reserved key or a duplicate).
    UserMetadataInvalid = 2006,
    /// An expiry that is not allowed.
    ExpiryInvalid = 2007,
    /// The timestamping authority failed or its token did not verify.
    TimestampFailed = 2008,
    /// The signing key's plugin is not installed in the plugin directory,
    /// or its executable is not a regular, executable file.
    PluginNotFound = 2009,
    /// The signing plugin failed: it could not be run, exited with an error
    /// (its message is the last error), timed out, or answered with
    /// something unusable (malformed JSON, invalid metadata, another key
    /// id, an unknown key spec, a signature or envelope that does not
    /// verify or signs something else).
    PluginFailed = 2010,
    /// The plugin lacks the capability for the operation: no
    /// `SIGNATURE_GENERATOR` capability at all, or, for blobs, only
    /// `SIGNATURE_GENERATOR.ENVELOPE` (blobs need `.RAW` or
    /// `.ENVELOPE_FOR_BLOB`).
    PluginCapabilityMissing = 2011,
    /// A PKCS#11 key could not be used: the module does not load, no token
    /// or no private key matches the URI, the token lacks the mechanism,
    /// or the token failed (the last error says which).
    Pkcs11Failed = 2012,
    /// The PKCS#11 token refused the PIN, its PIN is locked, or no PIN was
    /// given for a token that needs one.
    Pkcs11PinInvalid = 2013,

    /// The signature did not verify: a check failed under `enforce`. The
    /// verification result lists the checks.
    VerificationFailed = 3000,
    /// The verifier has a trust policy, but not of the kind this
    /// verification needs (OCI for artifacts, blob for blobs).
    NoTrustPolicy = 3001,
    /// No trust policy statement applies to the artifact, or the named blob
    /// statement does not exist.
    NoApplicablePolicy = 3002,
    /// The signature verified but signs other content: a different blob or
    /// artifact (digest, size or media type).
    ArtifactMismatch = 3003,
    /// The signature does not carry the required user metadata.
    UserMetadataMismatch = 3004,
    /// The verdict cannot be decided (the signature requires a
    /// verification plugin).
    VerificationInconclusive = 3005,
    /// The signed payload is not a Notary payload.
    PayloadInvalid = 3006,
    /// A signature file name that does not say its format
    /// (`<name>.<jws|cose>.sig`).
    SignatureFileNameInvalid = 3007,
    /// Bytes that are not a signature envelope of the format given (also
    /// from the verify functions: the integrity check, which failed, is in
    /// the verdict).
    EnvelopeInvalid = 3008,
    /// The verification plugin the signature requires failed or answered
    /// badly (it could not be run, exited with an error, timed out, sent a
    /// malformed response or did not process a critical attribute). A
    /// check the plugin ran and failed is `NOTATION_RESULT_VERIFICATION_FAILED`;
    /// a plugin that is missing, too old or without verifier capabilities
    /// is `NOTATION_RESULT_VERIFICATION_INCONCLUSIVE`.
    VerificationPluginFailed = 3009,

    /// An artifact reference that cannot be parsed.
    ReferenceInvalid = 4000,
    /// A tag, digest or blob that does not exist.
    NotFound = 4001,
    /// Content that does not match its digest or size: a blob of an OCI
    /// layout, or what a registry sent (a registry that lies); or a digest
    /// given that resolves to another.
    DigestMismatch = 4002,
    /// The artifact has no signature.
    NoSignature = 4003,
    /// The artifact has more signatures than the limit.
    TooManySignatures = 4004,
    /// The path is not a valid OCI image layout.
    LayoutInvalid = 4005,
    /// The store of signatures failed (invalid content, a malformed
    /// signature manifest...).
    RepositoryError = 4006,
    /// A registry request failed: no connection, TLS, an unexpected HTTP
    /// status, a protocol violation.
    RegistryError = 4007,
    /// The registry refused the credentials or denied access.
    RegistryUnauthorized = 4008,
}

impl notation_result {
    /// Every code, for tests and for name lookups.
    pub const ALL: [notation_result; 51] = {
        use notation_result::*;
        [
            Ok,
            NullParameter,
            InvalidUtf8,
            BufferTooSmall,
            InvalidArgument,
            InputTooLarge,
            IndexOutOfRange,
            NotAvailable,
            Unsupported,
            Io,
            Panic,
            Config,
            PolicyNotPresent,
            PolicyMalformed,
            PolicyInvalid,
            TrustStoreInvalid,
            CertificateInvalid,
            KeyNotFound,
            SigningKeyInvalid,
            CertificateChainInvalid,
            KeyMismatch,
            KeyUnsupported,
            PluginKeyUnsupported,
            SigningFailed,
            UserMetadataInvalid,
            ExpiryInvalid,
            TimestampFailed,
            PluginNotFound,
            PluginFailed,
            PluginCapabilityMissing,
            Pkcs11Failed,
            Pkcs11PinInvalid,
            VerificationFailed,
            NoTrustPolicy,
            NoApplicablePolicy,
            ArtifactMismatch,
            UserMetadataMismatch,
            VerificationInconclusive,
            PayloadInvalid,
            SignatureFileNameInvalid,
            EnvelopeInvalid,
            VerificationPluginFailed,
            ReferenceInvalid,
            NotFound,
            DigestMismatch,
            NoSignature,
            TooManySignatures,
            LayoutInvalid,
            RepositoryError,
            RegistryError,
            RegistryUnauthorized,
        ]
    };

    /// The code with this number.
    pub fn from_u32(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as u32 == code)
    }

    /// What the code means.
    pub fn text(self) -> &'static str {
        use notation_result::*;
        match self {
            Ok => "success",
            NullParameter => "a required pointer argument is NULL",
            InvalidUtf8 => "a string argument is not valid UTF-8",
            BufferTooSmall => "the buffer is too small",
            InvalidArgument => "an argument has an invalid value",
            InputTooLarge => "an input is larger than its limit",
            IndexOutOfRange => "index out of range",
            NotAvailable => "the value is not available",
            Unsupported => "the operation is not supported",
            Io => "a file could not be read or written",
            Panic => "internal error (a panic was caught)",
            Config => "invalid notation configuration",
            PolicyNotPresent => "trust policy is not present",
            PolicyMalformed => "malformed trust policy",
            PolicyInvalid => "invalid trust policy",
            TrustStoreInvalid => "invalid trust store",
            CertificateInvalid => "invalid certificate",
            KeyNotFound => "signing key not found",
            SigningKeyInvalid => "invalid signing key",
            CertificateChainInvalid => "invalid certificate chain",
            KeyMismatch => "the private key does not match the certificate",
            KeyUnsupported => "unsupported key",
            PluginKeyUnsupported => "plugins are disabled",
            SigningFailed => "signing failed",
            UserMetadataInvalid => "invalid user metadata",
            ExpiryInvalid => "invalid expiry",
            TimestampFailed => "timestamping failed",
            PluginNotFound => "plugin not found",
            PluginFailed => "the plugin failed",
            PluginCapabilityMissing => "the plugin lacks the capability required",
            Pkcs11Failed => "the PKCS #11 key could not be used",
            Pkcs11PinInvalid => "the PKCS #11 token refused the PIN, or none was given",
            VerificationFailed => "signature verification failed",
            NoTrustPolicy => "no trust policy of the kind needed is configured",
            NoApplicablePolicy => "no applicable trust policy",
            ArtifactMismatch => "the signature does not sign this content",
            UserMetadataMismatch => "the signature lacks the required user metadata",
            VerificationInconclusive => "signature verification is inconclusive",
            PayloadInvalid => "the signed payload is not a Notary payload",
            SignatureFileNameInvalid => "invalid signature file name",
            EnvelopeInvalid => "invalid signature envelope",
            VerificationPluginFailed => "the verification plugin failed",
            ReferenceInvalid => "invalid artifact reference",
            NotFound => "not found",
            DigestMismatch => "digest mismatch",
            NoSignature => "the artifact has no signature",
            TooManySignatures => "too many signatures",
            LayoutInvalid => "invalid OCI image layout",
            RepositoryError => "signature repository error",
            RegistryError => "registry request failed",
            RegistryUnauthorized => "registry access denied",
        }
    }
}

/// An error on its way to the caller: a code and a message.
#[derive(Clone, Debug)]
pub(crate) struct Error {
    pub(crate) code: notation_result,
    pub(crate) message: String,
}

impl Error {
    pub(crate) fn new(code: notation_result, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn null(name: &str) -> Self {
        Self::new(
            notation_result::NullParameter,
            format!("argument {name} is NULL"),
        )
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(notation_result::InvalidArgument, message)
    }

    pub(crate) fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Self::new(
            notation_result::Panic,
            format!("internal error: panic in notation-ffi: {detail}"),
        )
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

// A call made while the thread is being torn down (from a C `pthread_key`
// destructor or a C++ `thread_local` destructor) finds the thread-local
// gone: its error is then not kept, rather than a panic that could not
// unwind out of `extern "C"`.

pub(crate) fn thread_error_message() -> String {
    LAST_ERROR
        .try_with(|l| {
            l.borrow()
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

pub(crate) fn set_thread_error(e: Error) {
    let _ = LAST_ERROR.try_with(|l| *l.borrow_mut() = Some(e));
}

/// The last error of a handle: the message of the last failing call made
/// with it as its subject, from any thread.
#[derive(Debug, Default)]
pub(crate) struct LastError(Mutex<Option<Error>>);

impl LastError {
    /// Records a failure (not a `BUFFER_TOO_SMALL`, which is no failure, as
    /// for the thread's last error).
    pub(crate) fn record<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(e) = &result
            && e.code != notation_result::BufferTooSmall
        {
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
        }
        result
    }

    pub(crate) fn message(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }
}

/// Copies the text of a result code into `buf`: a short English phrase
/// ("signature verification failed"). Unknown codes get "unknown result
/// code N".
///
/// Buffer rules (as for every function that fills a caller buffer): `buf`
/// holds `len` bytes; the text is written NUL-terminated and `*out_needed`
/// is set to its size including the NUL. When `len` is smaller than that,
/// nothing is written to `buf`, `*out_needed` is set to the size needed and
/// `NOTATION_RESULT_BUFFER_TOO_SMALL` is returned. `buf` may be NULL when
/// `len` is 0 (to ask for the size).
///
/// # Safety
/// `buf` must be writable for `len` bytes; `out_needed` must point to a
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_result_text(
    code: u32,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        let text = match notation_result::from_u32(code) {
            Some(c) => c.text().to_string(),
            None => format!("unknown result code {code}"),
        };
        // SAFETY: the caller guarantees buf/len and out_needed.
        unsafe { write_str(&text, buf, len, out_needed) }
    }
}

/// Copies the message of the last call that failed on this thread (an
/// empty string if none did), on one line. Messages are those of the
/// notation reference implementation where one exists ("the signature's
/// certificate chain does not contain any trusted certificate"). Buffer
/// rules as for `notation_result_text`.
///
/// When it is set and cleared: every call that fails sets it, that is
/// every call returning a code other than `NOTATION_RESULT_OK` and
/// `NOTATION_RESULT_BUFFER_TOO_SMALL` (a size query, or a buffer too small,
/// is part of reading a string, not a failure, and leaves it alone). It is
/// never cleared: a successful call leaves the message of the last failure
/// in place, so read it right after the call that failed. The last-error
/// functions never change any last error. Each thread has its own.
///
/// # Safety
/// `buf` must be writable for `len` bytes; `out_needed` must point to a
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_last_error(
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard_keep_last_error! {
        let message = thread_error_message();
        // SAFETY: the caller guarantees buf/len and out_needed.
        unsafe { write_message(&message, buf, len, out_needed) }
    }
}

// ---------------------------------------------------------------------------
// Mapping the library's errors to codes
// ---------------------------------------------------------------------------

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(notation_result::Io, e.to_string())
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        let code = match &e {
            ConfigError::Io { .. } => notation_result::Io,
            ConfigError::KeyNotFound(_) | ConfigError::NoDefaultKey => notation_result::KeyNotFound,
            ConfigError::KeyNameEmpty => notation_result::InvalidArgument,
            _ => notation_result::Config,
        };
        Error::new(code, e.to_string())
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        let code = match &e {
            PolicyError::Malformed(_) => notation_result::PolicyMalformed,
            _ => notation_result::PolicyInvalid,
        };
        Error::new(code, e.to_string())
    }
}

impl From<PolicyLoadError> for Error {
    fn from(e: PolicyLoadError) -> Self {
        let code = match &e {
            PolicyLoadError::NotPresent { .. } => notation_result::PolicyNotPresent,
            PolicyLoadError::Malformed { .. } => notation_result::PolicyMalformed,
            PolicyLoadError::Invalid { .. } => notation_result::PolicyInvalid,
            _ => notation_result::Io,
        };
        // The reference's "malformed trust policy" text hides the detail;
        // callers of a library want it.
        let message = match &e {
            PolicyLoadError::Malformed { path, source } => {
                format!("{e} ({}: {source})", path.display())
            }
            _ => e.to_string(),
        };
        Error::new(code, message)
    }
}

impl From<TrustStoreManagementError> for Error {
    fn from(e: TrustStoreManagementError) -> Self {
        Error::new(notation_result::TrustStoreInvalid, e.to_string())
    }
}

impl From<CertificateParseError> for Error {
    fn from(e: CertificateParseError) -> Self {
        Error::new(notation_result::CertificateInvalid, e.to_string())
    }
}

fn signer_code(e: &SignerError) -> notation_result {
    match e {
        SignerError::InvalidKey(_) => notation_result::SigningKeyInvalid,
        SignerError::InvalidCertificate(_) => notation_result::CertificateChainInvalid,
        SignerError::KeyMismatch(_) => notation_result::KeyMismatch,
        SignerError::UnsupportedKey(_) => notation_result::KeyUnsupported,
        SignerError::Io { .. } => notation_result::Io,
        SignerError::PasswordRequired | SignerError::WrongPassword => {
            notation_result::SigningKeyInvalid
        }
        SignerError::Plugin(p) => plugin_error_code(p),
        // A token's error keeps its code (a wrong or locked PIN).
        SignerError::Backend(b) => b
            .downcast_ref::<notation_pkcs11::Pkcs11Error>()
            .map_or(notation_result::SigningFailed, crate::pkcs11::code),
        _ => notation_result::SigningFailed,
    }
}

/// A plugin that cannot be found or used is `PLUGIN_NOT_FOUND`; one that
/// ran and failed, `PLUGIN_FAILED`.
pub(crate) fn plugin_error_code(e: &PluginError) -> notation_result {
    match e {
        PluginError::NotFound { .. }
        | PluginError::NotRegularFile { .. }
        | PluginError::NotExecutable { .. }
        | PluginError::Inaccessible { .. } => notation_result::PluginNotFound,
        PluginError::InvalidName(_) => notation_result::InvalidArgument,
        _ => notation_result::PluginFailed,
    }
}

impl From<PluginError> for Error {
    fn from(e: PluginError) -> Self {
        Error::new(plugin_error_code(&e), e.to_string())
    }
}

/// Signing around a RAW plugin's signature: what fails after the
/// plugin was asked is the plugin's doing (a signature or chain that does
/// not verify, an unusable key spec), except timestamping.
// Requirements: R5.
fn plugin_raw_sign_code(e: &SignError) -> notation_result {
    match e {
        SignError::Signer(SignerError::Plugin(p)) => plugin_error_code(p),
        SignError::Timestamp(_) => notation_result::TimestampFailed,
        SignError::InvalidRequest(_) => notation_result::SigningFailed,
        _ => notation_result::PluginFailed,
    }
}

pub(crate) fn plugin_sign_code(e: &PluginSignError) -> notation_result {
    match e {
        PluginSignError::MissingKeyId => notation_result::InvalidArgument,
        PluginSignError::NotPluginKey(_) => notation_result::Config,
        PluginSignError::InvalidExpiry => notation_result::ExpiryInvalid,
        PluginSignError::Plugin(p) => plugin_error_code(p),
        PluginSignError::NoSigningCapability { .. }
        | PluginSignError::NoBlobSigningCapability { .. } => {
            notation_result::PluginCapabilityMissing
        }
        PluginSignError::Failed { error: source, .. } => match source.as_ref() {
            PluginSignFailure::Plugin(p) | PluginSignFailure::GenerateEnvelope(p) => {
                plugin_error_code(p)
            }
            PluginSignFailure::Sign(s) => plugin_raw_sign_code(s),
            _ => notation_result::PluginFailed,
        },
        _ => notation_result::PluginFailed,
    }
}

impl From<PluginSignError> for Error {
    fn from(e: PluginSignError) -> Self {
        Error::new(plugin_sign_code(&e), e.to_string())
    }
}

impl Error {
    /// A blob signing error with a plugin key: failures of the envelope
    /// built around a RAW plugin's signature are the plugin's.
    pub(crate) fn from_plugin_blob_sign(e: BlobSignError) -> Self {
        match e {
            BlobSignError::Plugin(p) => p.into(),
            BlobSignError::Sign(s) => Error::new(plugin_raw_sign_code(&s), s.to_string()),
            other => other.into(),
        }
    }
}

impl From<SignerError> for Error {
    fn from(e: SignerError) -> Self {
        Error::new(signer_code(&e), e.to_string())
    }
}

impl From<SignError> for Error {
    fn from(e: SignError) -> Self {
        match e {
            SignError::Signer(s) => s.into(),
            SignError::UnsupportedKey(k) => {
                Error::new(notation_result::KeyUnsupported, k.to_string())
            }
            e @ SignError::Timestamp(_) => {
                Error::new(notation_result::TimestampFailed, e.to_string())
            }
            other => Error::new(notation_result::SigningFailed, other.to_string()),
        }
    }
}

impl From<UserMetadataError> for Error {
    fn from(e: UserMetadataError) -> Self {
        Error::new(notation_result::UserMetadataInvalid, e.to_string())
    }
}

impl From<BlobSignError> for Error {
    fn from(e: BlobSignError) -> Self {
        match e {
            BlobSignError::Read(io) => Error::new(
                notation_result::Io,
                format!("failed to read the blob: {io}"),
            ),
            BlobSignError::UserMetadata(m) => m.into(),
            BlobSignError::InvalidExpiry => Error::new(
                notation_result::ExpiryInvalid,
                BlobSignError::InvalidExpiry.to_string(),
            ),
            BlobSignError::Sign(s) => s.into(),
            BlobSignError::Plugin(p) => p.into(),
            other => Error::new(notation_result::SigningFailed, other.to_string()),
        }
    }
}

impl From<SignatureFileNameError> for Error {
    fn from(e: SignatureFileNameError) -> Self {
        Error::new(notation_result::SignatureFileNameInvalid, e.to_string())
    }
}

impl From<EnvelopeError> for Error {
    fn from(e: EnvelopeError) -> Self {
        Error::new(notation_result::EnvelopeInvalid, e.to_string())
    }
}

impl From<&VerificationError> for Error {
    fn from(e: &VerificationError) -> Self {
        let code = match e {
            VerificationError::NoPolicy
            | VerificationError::NoOciPolicy
            | VerificationError::NoBlobPolicy => notation_result::NoTrustPolicy,
            VerificationError::NoApplicablePolicy(_) => notation_result::NoApplicablePolicy,
            // The envelope does not parse (for example a JWS given as
            // COSE): the bytes are not an envelope of that format.
            VerificationError::Check(o)
                if o.enforced_failure()
                    .and_then(|c| c.failure())
                    .is_some_and(|f| matches!(f, CheckFailure::Parse(_))) =>
            {
                notation_result::EnvelopeInvalid
            }
            VerificationError::Check(_) => notation_result::VerificationFailed,
            VerificationError::Inconclusive { .. } => notation_result::VerificationInconclusive,
            VerificationError::Payload { .. } => notation_result::PayloadInvalid,
            VerificationError::DescriptorMismatch(_) | VerificationError::BlobMismatch(_) => {
                notation_result::ArtifactMismatch
            }
            VerificationError::UserMetadata(_) => notation_result::UserMetadataMismatch,
            VerificationError::Descriptor { .. } => notation_result::Io,
            VerificationError::Plugin { .. } => notation_result::VerificationPluginFailed,
            _ => notation_result::VerificationFailed,
        };
        Error::new(code, e.to_string())
    }
}

impl From<VerificationError> for Error {
    fn from(e: VerificationError) -> Self {
        Error::from(&e)
    }
}

fn layout_code(e: &LayoutError) -> notation_result {
    match e {
        LayoutError::NotALayout(_) => notation_result::LayoutInvalid,
        LayoutError::NotFound(_) => notation_result::NotFound,
        LayoutError::Io { .. } => notation_result::Io,
        LayoutError::InvalidDigest(_) => notation_result::ReferenceInvalid,
        LayoutError::Integrity { .. } => notation_result::DigestMismatch,
        LayoutError::TooLarge { .. } => notation_result::InputTooLarge,
        LayoutError::NotARegularFile { .. } | LayoutError::OutsideLayout { .. } => {
            notation_result::LayoutInvalid
        }
        _ => notation_result::RepositoryError,
    }
}

impl From<LayoutError> for Error {
    fn from(e: LayoutError) -> Self {
        Error::new(layout_code(&e), e.to_string())
    }
}

fn registry_code(e: &RegistryError) -> notation_result {
    if e.is_not_found() {
        notation_result::NotFound
    } else if matches!(e, RegistryError::Integrity(_)) {
        notation_result::DigestMismatch
    } else if matches!(e, RegistryError::Auth(_)) || matches!(e.status(), Some(401 | 403)) {
        notation_result::RegistryUnauthorized
    } else {
        notation_result::RegistryError
    }
}

pub(crate) fn repository_code(e: &RepositoryError) -> notation_result {
    match e {
        RepositoryError::Layout(l) => layout_code(l),
        RepositoryError::Registry(r) => registry_code(r),
        e if e.is_not_found() => notation_result::NotFound,
        _ => notation_result::RepositoryError,
    }
}

impl From<RepositoryError> for Error {
    fn from(e: RepositoryError) -> Self {
        Error::new(repository_code(&e), e.to_string())
    }
}

impl From<RegistryError> for Error {
    fn from(e: RegistryError) -> Self {
        Error::new(registry_code(&e), e.to_string())
    }
}

impl From<&SignatureFailureReason> for Error {
    fn from(e: &SignatureFailureReason) -> Self {
        match e {
            SignatureFailureReason::Verification(v) => v.into(),
            SignatureFailureReason::Untrusted { .. } => {
                Error::new(notation_result::VerificationFailed, e.to_string())
            }
            SignatureFailureReason::Fetch { error: source, .. } => {
                Error::new(repository_code(source), e.to_string())
            }
            _ => Error::new(notation_result::RepositoryError, e.to_string()),
        }
    }
}

fn workflow_code(e: &WorkflowError) -> notation_result {
    match e {
        WorkflowError::Repository(r) => repository_code(r),
        WorkflowError::DigestMismatch { .. } => notation_result::DigestMismatch,
        WorkflowError::Sign(SignError::Signer(s)) => signer_code(s),
        WorkflowError::Sign(SignError::UnsupportedKey(_)) => notation_result::KeyUnsupported,
        WorkflowError::Sign(SignError::Timestamp(_)) => notation_result::TimestampFailed,
        WorkflowError::Sign(_) => notation_result::SigningFailed,
        WorkflowError::PluginSign(p) => plugin_sign_code(p),
        WorkflowError::UserMetadata(_) => notation_result::UserMetadataInvalid,
        WorkflowError::InvalidExpiry => notation_result::ExpiryInvalid,
        WorkflowError::InvalidMaxSignatures => notation_result::InvalidArgument,
        WorkflowError::Policy(v) => Error::from(v).code,
        WorkflowError::NoSignature { .. } => notation_result::NoSignature,
        WorkflowError::AllFailed { failures, .. } => failures
            .first()
            .map(|f| Error::from(&f.reason).code)
            .unwrap_or(notation_result::VerificationFailed),
        WorkflowError::TooManySignatures { .. } => notation_result::TooManySignatures,
        WorkflowError::TrustStore(_) => notation_result::TrustStoreInvalid,
        WorkflowError::Graph(g) => graph_code(g),
        WorkflowError::PartiallySigned { error, .. } => workflow_code(error),
        _ => notation_result::RepositoryError,
    }
}

/// The code of a walk of an artifact's graph that failed: its store's, or
/// `INPUT_TOO_LARGE` for a limit.
pub(crate) fn graph_code(e: &GraphError) -> notation_result {
    match e {
        GraphError::Store(r) => repository_code(r),
        GraphError::TooManyManifests { .. }
        | GraphError::TooManyBytes { .. }
        | GraphError::TooDeep { .. }
        | GraphError::TooManyReferrers { .. } => notation_result::InputTooLarge,
        _ => notation_result::RepositoryError,
    }
}

impl From<WorkflowError> for Error {
    fn from(e: WorkflowError) -> Self {
        let code = workflow_code(&e);
        // One line (a message may be shown or logged as one). `AllFailed`
        // names its failures itself; after the limit's text, the reason of
        // each signature follows, "; "-separated.
        let mut message = e.to_string();
        if let WorkflowError::TooManySignatures { failures, .. } = &e {
            let mut separator = ": ";
            for f in failures {
                let failure = f.to_string();
                if !message.contains(&failure) {
                    message.push_str(separator);
                    message.push_str(&failure);
                    separator = "; ";
                }
            }
        }
        Error::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token's error while signing keeps its code: a wrong PIN is
    /// `PKCS11_PIN_INVALID`, not a generic signing failure.
    #[test]
    fn a_tokens_signing_error_keeps_its_code() {
        let wrong_pin = notation_pkcs11::Pkcs11Error::WrongPin { token: "T".into() };
        let e = SignerError::Backend(Box::new(wrong_pin));
        assert_eq!(signer_code(&e), notation_result::Pkcs11PinInvalid);
        assert!(
            e.to_string().starts_with("signing failed: wrong PIN"),
            "{e}"
        );
        let other = SignerError::Backend("a KMS said no".into());
        assert_eq!(signer_code(&other), notation_result::SigningFailed);
    }
}
