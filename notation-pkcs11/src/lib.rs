//! Notation signing with keys that never leave hardware: a
//! [`Signer`](notation_core::signer::Signer) over a private key in a
//! PKCS#11 token (an HSM, a smart card or YubiKey through its PKCS#11
//! module, a cloud HSM's PKCS#11 library, SoftHSM), named by an
//! [RFC 7512](https://www.rfc-editor.org/rfc/rfc7512) PKCS#11 URI; and the
//! `notation-pkcs11` plugin executable, which offers the same signer to the
//! reference `notation` CLI.
//!
//! ```no_run
//! use notation_core::envelope::{self, EnvelopeFormat, SignRequest};
//! use notation_pkcs11::{Pin, Pkcs11Signer, Pkcs11Uri};
//!
//! let uri: Pkcs11Uri =
//!     "pkcs11:token=Notation;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so"
//!         .parse()?;
//! let signer = Pkcs11Signer::builder(uri)
//!     .pin(Pin::read_from(&mut std::io::stdin())?)
//!     .certificate_chain_file("release.chain.pem")
//!     .build()?;
//! let payload = br#"{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1}}"#;
//! let jws = envelope::sign(
//!     EnvelopeFormat::Jws,
//!     &SignRequest::new(payload.to_vec(), &signer),
//!     &*notation_core::crypto::default_provider(),
//! )?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! How it signs: the data is hashed in software with the key spec's hash,
//! and the token signs the digest with `CKM_RSA_PKCS_PSS` (MGF1 with the
//! same hash, salt length = hash length) or `CKM_ECDSA`. Every token offers
//! these two; the combined hash-and-sign mechanisms are missing or broken
//! on some (SoftHSM 2.6 rejects `CKM_ECDSA_SHA256`). The token's ECDSA
//! output (`r||s`) is what JWS and COSE carry; [`ecdsa`] converts it to DER
//! where that form is wanted.
//!
//! Modules are loaded once per process ([`module`]); a signer keeps a pool
//! of sessions so that several threads can sign at once. PINs never come
//! from command-line arguments and are never printed ([`pin`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ecdsa;
mod error;
pub mod module;
pub mod pin;
pub mod plugin;
mod signer;
mod token;
pub mod uri;

pub use error::Pkcs11Error;
pub use pin::{PIN_ENV, Pin, PinError};
pub use signer::{Pkcs11Signer, Pkcs11SignerBuilder};
pub use token::MAX_SESSIONS;
pub use uri::{ObjectType, Pkcs11Uri, UriError};
