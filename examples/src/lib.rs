//! The `notation` command-line program of notation-rs and the code it shares
//! with the quickstart example.
//!
//! The binary (`src/main.rs`) is a thin wrapper around [`cli::run`]; the
//! modules here hold everything else so that other programs (the quickstart,
//! a future OCI `inspect`) reuse it:
//!
//! - [`cli`]: argument parsing (clap) and dispatch to the commands;
//! - [`commands`]: one module per command group (`blob`, `certificate`,
//!   `key`, `plugin`, `policy`, `version`), mirroring the reference CLI's
//!   names, flags, output texts and exit codes;
//! - [`plugin_package`]: plugin packages (`.zip`, `.tar.gz`, a single
//!   executable) and their safe installation and removal;
//! - [`display`]: the signature tree/JSON rendering shared by `blob inspect`
//!   and (later) `inspect`, Go-compatible JSON and `tabwriter` tables;
//! - [`testpki`]: RSA/EC test keys and self-signed code-signing certificates
//!   (`certificate generate-test`, the quickstart);
//! - [`fsutil`], [`duration`], [`console`], [`error`]: bounded reads, atomic
//!   writes, Go duration syntax, output and confirmation prompts, errors.
//!
//! ```
//! // Generate a test signing key and certificate, as `notation certificate
//! // generate-test --key-type ec example` does.
//! use notation_examples::testpki::{TestCertificateRequest, generate};
//! use notation_core::algorithm::KeySpec;
//!
//! let generated = generate(&TestCertificateRequest::new("example", KeySpec::Ec256)).unwrap();
//! assert!(generated.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
//! assert_eq!(generated.certificate().subject().to_string(), "CN=example,O=Notary,L=Seattle,ST=WA,C=US");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod commands;
pub mod console;
pub mod display;
pub mod duration;
pub mod error;
pub mod fsutil;
pub mod plugin_package;
pub mod testpki;

pub use error::CliError;
