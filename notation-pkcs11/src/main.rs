//! `notation-pkcs11`: the Notation plugin (name `pkcs11`) that signs with
//! keys in PKCS#11 tokens. See the crate documentation of `notation_pkcs11`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = notation_pkcs11::plugin::run(
        std::env::args_os().skip(1),
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code as u8)
}
