//! Why opening or using a PKCS#11 key failed.

use std::path::PathBuf;

use crate::pin::PinError;
use crate::uri::UriError;

/// Why a PKCS#11 signer could not be made or could not sign. Messages never
/// contain a PIN; URIs in them are redacted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The URI does not parse (the reason in the message, so not a
    /// `source()`).
    #[error("invalid PKCS#11 URI: {0}")]
    Uri(UriError),
    /// No module: the URI has neither `module-path` nor `module-name` and
    /// the environment names none.
    #[error(
        "no PKCS#11 module: add module-path=<path of the .so> to the URI, or set {}",
        crate::module::MODULE_ENV
    )]
    NoModule,
    /// The module's file could not be loaded or initialized.
    #[error("cannot load the PKCS#11 module {}: {reason}", path.display())]
    ModuleLoad {
        /// The module path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No token of the module matches the URI.
    #[error("no PKCS#11 token matches {uri}")]
    TokenNotFound {
        /// The URI (redacted).
        uri: String,
    },
    /// Several tokens match the URI.
    #[error("{count} PKCS#11 tokens match {uri}: add token=, serial= or slot-id= to choose one")]
    AmbiguousToken {
        /// The URI (redacted).
        uri: String,
        /// How many.
        count: usize,
    },
    /// The token needs a PIN and none was given.
    #[error(
        "the PKCS#11 token {token:?} needs a PIN: give pin-source in the URI, set {}, or pass it on standard input",
        crate::pin::PIN_ENV
    )]
    PinRequired {
        /// The token label.
        token: String,
    },
    /// The PIN could not be read.
    #[error(transparent)]
    Pin(#[from] PinError),
    /// The token rejected the PIN.
    #[error("wrong PIN for the PKCS#11 token {token:?}")]
    WrongPin {
        /// The token label.
        token: String,
    },
    /// The token's PIN is locked.
    #[error("the PIN of the PKCS#11 token {token:?} is locked")]
    PinLocked {
        /// The token label.
        token: String,
    },
    /// The URI names no object, so there is no key to choose.
    #[error("the PKCS#11 URI {uri} names no key: add object=<label> or id=<id>")]
    NoObjectNamed {
        /// The URI (redacted).
        uri: String,
    },
    /// No object of the class the operation needs matches the URI.
    #[error("no {class} on the PKCS#11 token {token:?} matches {uri}")]
    ObjectNotFound {
        /// `private key`, `certificate`.
        class: &'static str,
        /// The token label.
        token: String,
        /// The URI (redacted).
        uri: String,
    },
    /// Several objects of that class match.
    #[error(
        "{count} objects of class {class} on the PKCS#11 token {token:?} match {uri}: add id= or object= to choose one"
    )]
    AmbiguousObject {
        /// `private key`, `certificate`.
        class: &'static str,
        /// The token label.
        token: String,
        /// The URI (redacted).
        uri: String,
        /// How many.
        count: usize,
    },
    /// The token does not offer the mechanism the key needs.
    #[error("the PKCS#11 token {token:?} does not support {mechanism}, which {key} keys need")]
    MechanismUnsupported {
        /// The token label.
        token: String,
        /// `CKM_RSA_PKCS_PSS` or `CKM_ECDSA`.
        mechanism: &'static str,
        /// `RSA` or `EC`.
        key: &'static str,
    },
    /// The key cannot be used: wrong type, not for signing, needs a login
    /// per signature.
    #[error("the PKCS#11 key {uri} cannot be used: {reason}")]
    UnusableKey {
        /// The URI (redacted).
        uri: String,
        /// Why.
        reason: String,
    },
    /// The key on the token does not belong to the chain's leaf
    /// certificate.
    #[error(
        "the PKCS#11 key {uri} does not match the public key of the leaf certificate {subject:?}: {reason}"
    )]
    KeyMismatch {
        /// The URI (redacted).
        uri: String,
        /// The leaf's subject.
        subject: String,
        /// What differs.
        reason: String,
    },
    /// No certificate chain: no file given, and none on the token.
    #[error(
        "no certificate chain for the PKCS#11 key {uri}: give a PEM chain file, or store the certificate on the token under the key's label or id"
    )]
    NoCertificateChain {
        /// The URI (redacted).
        uri: String,
    },
    /// The certificate chain is unusable.
    #[error("invalid certificate chain: {0}")]
    Certificate(String),
    /// A file could not be read.
    #[error("failed to read {}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error (printed in the message, so not a `source()`).
        error: std::io::Error,
    },
    /// The token's ECDSA signature is in neither known form.
    #[error(transparent)]
    SignatureFormat(#[from] crate::ecdsa::EcdsaFormatError),
    /// A digest handed to `sign_digest` whose length is not its hash's.
    #[error("a {hash} digest is {want} bytes, got {got}")]
    DigestLength {
        /// The key spec's hash.
        hash: &'static str,
        /// Its length.
        want: usize,
        /// The length given.
        got: usize,
    },
    /// The token's RSA signature is longer than the modulus.
    #[error("the token's RSA signature of {got} bytes does not fit the {want}-byte modulus")]
    SignatureLength {
        /// Its length.
        got: usize,
        /// The modulus's length.
        want: usize,
    },
    /// A PKCS#11 call failed.
    #[error("PKCS#11 {operation} failed: {error}")]
    Token {
        /// What was being done.
        operation: &'static str,
        /// The module's answer (printed in the message, so not a
        /// `source()`).
        error: cryptoki::error::Error,
    },
}

impl From<UriError> for Pkcs11Error {
    fn from(e: UriError) -> Self {
        Pkcs11Error::Uri(e)
    }
}

impl Pkcs11Error {
    pub(crate) fn token(operation: &'static str) -> impl FnOnce(cryptoki::error::Error) -> Self {
        move |error| Pkcs11Error::Token { operation, error }
    }

    /// Whether the error is about authentication (wrong, missing or locked
    /// PIN), which the plugin reports as `ACCESS_DENIED`.
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self,
            Pkcs11Error::PinRequired { .. }
                | Pkcs11Error::WrongPin { .. }
                | Pkcs11Error::PinLocked { .. }
                | Pkcs11Error::Pin(_)
                // Any other refusal of the login: an expired or invalid PIN,
                // a user PIN not set, another user logged in.
                | Pkcs11Error::Token {
                    operation: "C_Login",
                    ..
                }
        )
    }

    /// Whether the error is about what the caller asked for (a URI, object,
    /// chain or key that does not fit), which the plugin reports as
    /// `VALIDATION_ERROR`.
    pub fn is_validation(&self) -> bool {
        matches!(
            self,
            Pkcs11Error::Uri(_)
                | Pkcs11Error::NoModule
                | Pkcs11Error::TokenNotFound { .. }
                | Pkcs11Error::AmbiguousToken { .. }
                | Pkcs11Error::NoObjectNamed { .. }
                | Pkcs11Error::ObjectNotFound { .. }
                | Pkcs11Error::AmbiguousObject { .. }
                | Pkcs11Error::UnusableKey { .. }
                | Pkcs11Error::KeyMismatch { .. }
                | Pkcs11Error::NoCertificateChain { .. }
                | Pkcs11Error::Certificate(_)
                | Pkcs11Error::Io { .. }
                | Pkcs11Error::DigestLength { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// A reporter that prints each error of the chain prints each cause
    /// once: a message that holds its cause returns no source.
    #[test]
    fn causes_print_once_down_the_chain() {
        let uri = crate::uri::Pkcs11Uri::parse("not-a-pkcs11-uri").unwrap_err();
        let e = Pkcs11Error::from(uri);
        assert!(e.to_string().starts_with("invalid PKCS#11 URI: "), "{e}");
        assert!(e.source().is_none());
        let pin = Pkcs11Error::from(PinError::TooLong);
        assert_eq!(pin.to_string(), PinError::TooLong.to_string());
        assert!(pin.source().is_none());
    }
}
