//! The `notation-pkcs11` plugin: the same signer, offered to any Notation
//! implementation through the plugin protocol (contract 1.0,
//! `SIGNATURE_GENERATOR.RAW`).
//!
//! - `get-plugin-metadata`: name `pkcs11`, capability
//!   `SIGNATURE_GENERATOR.RAW`.
//! - `describe-key`: the key id is the PKCS#11 URI; the answer is the key
//!   spec of the leaf certificate (which the token's key must match).
//! - `generate-signature`: hashes the payload with the requested hash,
//!   signs on the token and returns the signature (ECDSA as fixed `r||s`,
//!   which the envelopes carry) with the certificate chain.
//!
//! The plugin configuration `certificate_chain` is the path of the PEM
//! chain file (leaf first); without it the chain is read from the token.
//! The PIN comes from the URI (`pin-source`, `pin-value`) or the
//! environment variable [`PIN_ENV`](crate::PIN_ENV): the plugin's standard
//! input carries the request, and Notation runs the plugin with its own
//! environment.

use std::ffi::OsString;
use std::io::{Read, Write};

use notation_core::algorithm::KeySpec;
use notation_core::plugin::{
    CONTRACT_VERSION, Capability, Command, DescribeKeyRequest, DescribeKeyResponse, ErrorCode,
    ErrorResponse, GenerateSignatureRequest, GenerateSignatureResponse, PluginConfig,
    PluginMetadata,
};

use crate::ecdsa::EcdsaEncoding;
use crate::error::Pkcs11Error;
use crate::signer::Pkcs11Signer;
use crate::uri::Pkcs11Uri;

/// The plugin's name: its install directory and the `pluginName` of keys
/// that use it.
pub const PLUGIN_NAME: &str = "pkcs11";

/// The plugin configuration key naming the PEM certificate chain file.
pub const CERTIFICATE_CHAIN_CONFIG: &str = "certificate_chain";

/// Largest request read from standard input.
const MAX_REQUEST_SIZE: u64 = 16 * 1024 * 1024;

/// The plugin's metadata.
pub fn metadata() -> PluginMetadata {
    let mut m = PluginMetadata::new(
        PLUGIN_NAME,
        env!("CARGO_PKG_VERSION"),
        vec![Capability::SignatureGenerator],
    );
    m.description =
        "Signs with keys in PKCS#11 tokens (HSMs, smart cards, SoftHSM) named by RFC 7512 URIs"
            .into();
    m.url = env!("CARGO_PKG_REPOSITORY").into();
    m
}

fn error(code: ErrorCode, message: impl Into<String>) -> ErrorResponse {
    ErrorResponse::new(code, message)
}

fn from_pkcs11(e: Pkcs11Error) -> ErrorResponse {
    let code = if e.is_access_denied() {
        ErrorCode::AccessDenied
    } else if e.is_validation() {
        ErrorCode::Validation
    } else {
        ErrorCode::Generic
    };
    error(code, e.to_string())
}

fn parse<T: serde::de::DeserializeOwned>(request: &[u8]) -> Result<T, ErrorResponse> {
    notation_core::json::check_depth(request, notation_core::json::MAX_DEPTH)
        .map_err(|e| error(ErrorCode::Validation, format!("malformed request: {e}")))?;
    serde_json::from_slice(request)
        .map_err(|e| error(ErrorCode::Validation, format!("malformed request: {e}")))
}

/// Contract 1.x: a minor version only adds members, which are ignored.
fn check_contract(version: &str) -> Result<(), ErrorResponse> {
    if version.is_empty() {
        return Err(error(ErrorCode::Validation, "contractVersion is required"));
    }
    let major = CONTRACT_VERSION.split('.').next().unwrap_or_default();
    // `<major>.<minor>`, both numbers.
    let well_formed = version.split_once('.').is_some_and(|(ma, mi)| {
        [ma, mi]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    if !well_formed || version.split('.').next() != Some(major) {
        return Err(error(
            ErrorCode::UnsupportedContractVersion,
            format!(
                "contract version {version:?} is not supported; this plugin speaks {CONTRACT_VERSION}"
            ),
        ));
    }
    Ok(())
}

fn open_signer(key_id: &str, config: &PluginConfig) -> Result<Pkcs11Signer, ErrorResponse> {
    if key_id.is_empty() {
        return Err(error(ErrorCode::Validation, "keyId is required"));
    }
    let uri = Pkcs11Uri::parse(key_id)
        .map_err(|e| error(ErrorCode::Validation, format!("keyId: {e}")))?;
    // The key id is kept in notation's signingkeys.json, given on its
    // command line and sent in every request, which notation logs with
    // --debug: no place for a PIN.
    if uri.pin_value().is_some() {
        return Err(error(
            ErrorCode::Validation,
            format!(
                "keyId: the PIN must not be in the key id (pin-value), which notation stores and logs: use pin-source=file:<path> or the {} environment variable",
                crate::pin::PIN_ENV
            ),
        ));
    }
    let mut builder = Pkcs11Signer::builder(uri);
    if let Some(path) = config
        .get(CERTIFICATE_CHAIN_CONFIG)
        .filter(|p| !p.is_empty())
    {
        builder = builder.certificate_chain_file(path);
    }
    builder.build().map_err(from_pkcs11)
}

/// Runs one command on its request JSON; the answer is the response JSON
/// or the error response.
pub fn handle(command: &str, request: &[u8]) -> Result<Vec<u8>, ErrorResponse> {
    match Command::from_name(command) {
        Some(Command::GetPluginMetadata) => to_json(&metadata()),
        Some(Command::DescribeKey) => {
            let req: DescribeKeyRequest = parse(request)?;
            check_contract(&req.contract_version)?;
            let signer = open_signer(&req.key_id, &req.plugin_config)?;
            to_json(&DescribeKeyResponse::new(
                req.key_id,
                signer.key_spec().plugin_name(),
            ))
        }
        Some(Command::GenerateSignature) => {
            let req: GenerateSignatureRequest = parse(request)?;
            check_contract(&req.contract_version)?;
            let signer = open_signer(&req.key_id, &req.plugin_config)?;
            let spec = signer.key_spec();
            if KeySpec::from_plugin_name(&req.key_spec) != Some(spec) {
                return Err(error(
                    ErrorCode::Validation,
                    format!(
                        "keySpec {:?} does not match the key, which is {}",
                        req.key_spec,
                        spec.plugin_name()
                    ),
                ));
            }
            let hash = spec.signature_algorithm().hash();
            if req.hash_algorithm != hash.plugin_name() {
                return Err(error(
                    ErrorCode::Validation,
                    format!(
                        "hashAlgorithm {:?} does not match the key spec {}, which uses {}",
                        req.hash_algorithm,
                        spec.plugin_name(),
                        hash.plugin_name()
                    ),
                ));
            }
            if req.payload.is_empty() {
                return Err(error(ErrorCode::Validation, "payload is required"));
            }
            let signature = signer
                .sign_data(&req.payload, EcdsaEncoding::Fixed)
                .map_err(from_pkcs11)?;
            let chain = signer
                .certificate_chain()
                .iter()
                .map(|c| c.der().to_vec())
                .collect();
            to_json(&GenerateSignatureResponse::new(
                req.key_id,
                signature,
                spec.signature_algorithm().plugin_name(),
                chain,
            ))
        }
        Some(other) => Err(error(
            ErrorCode::Validation,
            format!(
                "{other} is not supported: this plugin has the SIGNATURE_GENERATOR.RAW capability only"
            ),
        )),
        None => Err(error(
            ErrorCode::Validation,
            format!("unknown command {command:?}"),
        )),
    }
}

/// Serializes a response the way the reference writes JSON.
fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, ErrorResponse> {
    notation_core::json::to_vec_go(value).map_err(|e| error(ErrorCode::Generic, e.to_string()))
}

/// The executable's `main`: the command in the first argument, the request
/// on `stdin`, the response on `stdout` (exit code 0) or the error
/// response on `stderr` (exit code 1).
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let mut args = args.into_iter();
    let (Some(command), None) = (args.next(), args.next()) else {
        let _ = writeln!(
            stderr,
            "usage: notation-pkcs11 <get-plugin-metadata|describe-key|generate-signature> < request.json\n\
             This is a Notation plugin: install it with `notation plugin install --file notation-pkcs11`."
        );
        return 1;
    };
    let command = command.to_string_lossy().into_owned();
    let mut request = Vec::new();
    let result = match stdin.take(MAX_REQUEST_SIZE + 1).read_to_end(&mut request) {
        Err(e) => Err(error(
            ErrorCode::Generic,
            format!("failed to read the request: {e}"),
        )),
        Ok(_) if request.len() as u64 > MAX_REQUEST_SIZE => Err(error(
            ErrorCode::Validation,
            format!("the request is larger than {MAX_REQUEST_SIZE} bytes"),
        )),
        Ok(_) => handle(&command, &request),
    };
    match result {
        Ok(response) => {
            if stdout
                .write_all(&response)
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return 1;
            }
            0
        }
        Err(e) => {
            let body = notation_core::json::to_vec_go(&e).unwrap_or_default();
            let _ = stderr.write_all(&body);
            let _ = stderr.flush();
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_versions() {
        for ok in ["1.0", "1.1", "1.10"] {
            assert!(check_contract(ok).is_ok(), "{ok}");
        }
        for bad in ["1", "1.", "1.foo", "1.0-x", "2.0", "x.0", ".0"] {
            let e = check_contract(bad).unwrap_err();
            assert_eq!(e.error_code, ErrorCode::UnsupportedContractVersion, "{bad}");
        }
        let e = check_contract("").unwrap_err();
        assert_eq!(e.error_code, ErrorCode::Validation);
    }
}
