//! Signers over keys in PKCS#11 tokens (HSMs, smart cards, SoftHSM),
//! named by RFC 7512 URIs.

use std::ffi::c_char;
use std::path::Path;

use notation_pkcs11::{Pin, Pkcs11Error, Pkcs11Signer, Pkcs11Uri};

use crate::error::{Error, notation_result};
use crate::ffi::{Out, bytes, into_handle, optional_string, string};
use crate::signer::{SigningKey, notation_signer};

/// Longest PIN accepted.
const MAX_PIN: usize = notation_pkcs11::pin::MAX_PIN_LENGTH;

impl From<Pkcs11Error> for Error {
    fn from(e: Pkcs11Error) -> Self {
        Error::new(code(&e), e.to_string())
    }
}

/// The result code of a PKCS #11 failure, whether making a signer or
/// signing with one.
pub(crate) fn code(e: &Pkcs11Error) -> notation_result {
    match e {
        Pkcs11Error::Uri(_) | Pkcs11Error::NoObjectNamed { .. } => notation_result::InvalidArgument,
        Pkcs11Error::KeyMismatch { .. } => notation_result::KeyMismatch,
        Pkcs11Error::Certificate(_) | Pkcs11Error::NoCertificateChain { .. } => {
            notation_result::CertificateChainInvalid
        }
        Pkcs11Error::Io { .. } => notation_result::Io,
        e if e.is_access_denied() => notation_result::Pkcs11PinInvalid,
        _ => notation_result::Pkcs11Failed,
    }
}

/// Creates a signer over the private key in a PKCS#11 token that `uri` (an
/// RFC 7512 PKCS#11 URI, e.g.
/// `pkcs11:token=T;object=K?module-path=/usr/lib/softhsm/libsofthsm2.so`)
/// names. The module is loaded once per process and shared; the signer
/// keeps its own sessions and may sign from many threads at once.
///
/// `certificate_path` is the certificate chain file (PEM or DER, leaf
/// first), or NULL to read the chain from the token (the certificate stored
/// under the key's label or id, and its issuers stored on the token).
/// `pin`/`pin_len` is the token PIN, at most 1024 bytes
/// (`NOTATION_RESULT_INPUT_TOO_LARGE` past that; a non-NULL `pin` with
/// `pin_len` 0 is the empty PIN), or NULL, whatever `pin_len`, to take it
/// from the URI (`pin-source`, `pin-value`) or the `NOTATION_PKCS11_PIN`
/// environment variable; the library keeps a copy, wiped when the signer is
/// freed.
///
/// Errors: `NOTATION_RESULT_INVALID_ARGUMENT` for a URI that does not parse
/// or names no object, `NOTATION_RESULT_PKCS11_PIN_INVALID` for a wrong,
/// locked or missing PIN, `NOTATION_RESULT_KEY_MISMATCH` when the key is not
/// the leaf certificate's, `NOTATION_RESULT_CERTIFICATE_CHAIN_INVALID`,
/// `NOTATION_RESULT_IO`, and `NOTATION_RESULT_PKCS11_FAILED` for a module
/// that does not load, a token or key that is not found, or a mechanism
/// the token lacks.
///
/// # Safety
/// `uri` must be a NUL-terminated string; `certificate_path` NULL or a
/// NUL-terminated string; `pin` NULL or readable for `pin_len` bytes;
/// `out_signer` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_signer_new_pkcs11(
    uri: *const c_char,
    certificate_path: *const c_char,
    pin: *const u8,
    pin_len: usize,
    out_signer: *mut *mut notation_signer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees the strings, the PIN and out_signer.
        let (uri, certificate_path, pin, out) = unsafe {
            (
                string(uri, "uri")?,
                optional_string(certificate_path, "certificate_path")?,
                if pin.is_null() { None } else { Some(bytes(pin, pin_len, MAX_PIN, "pin")?) },
                Out::new(out_signer, "out_signer")?,
            )
        };
        let mut builder = Pkcs11Signer::builder(Pkcs11Uri::parse(uri).map_err(Pkcs11Error::from)?);
        if let Some(path) = certificate_path {
            builder = builder.certificate_chain_file(Path::new(path));
        }
        if let Some(pin) = pin {
            builder = builder.pin(Pin::from_bytes(pin.to_vec()));
        }
        let signer = builder.build()?;
        out.write(into_handle(notation_signer::new(SigningKey::Pkcs11(Box::new(signer)))));
        Ok(())
    }
}
