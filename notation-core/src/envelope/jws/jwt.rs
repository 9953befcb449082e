//! The compact JWS checked as notation-core-go checks it before it reads
//! the envelope's content: golang-jwt v4's `Parser.Parse`, with the six
//! methods Notary allows, numbers kept as written and claims not validated.
//! The checks run in its order and fail with its texts (the caller adds
//! "signature is invalid. Error: "):
//!
//! 1. the three parts hold no `.`;
//! 2. the header is base64url and a JSON object (or `null`);
//! 3. the payload is base64url and its first JSON value an object (or
//!    `null`: the claims are read with Go's streaming decoder, which stops
//!    after the first value);
//! 4. the header's `alg` is a string, a method golang-jwt knows, and one
//!    of the six;
//! 5. the signature is base64url, for a key of the method's type, and
//!    verifies.
//!
//! Base64 stays canonical for us: line breaks and non-zero trailing bits,
//! which Go skips, are refused.
// Requirements: C2, C5, C7, A8.

use serde::Deserialize;

use super::{JwsEnvelope, decode_b64url};
use crate::algorithm::SignatureAlgorithm;
use crate::crypto::{
    CryptoProvider, Curve, PublicKey, SignatureScheme, SignatureVerificationError,
};
use crate::json::{
    MAX_DEPTH, check_depth, go_decoder_value, go_float64_overflow, go_kind_name, go_syntax_error,
    go_text,
};
use crate::x509::Certificate;

/// The methods golang-jwt v4 registers, the six Notary allows among them.
const GOLANG_JWT_METHODS: [&str; 14] = [
    "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512", "none", "PS256", "PS384",
    "PS512", "RS256", "RS384", "RS512",
];

const ECDSA_FAILED: &str = "crypto/ecdsa: verification error";

/// The compact JWS's three parts, base64url-decoded.
pub(super) struct DecodedParts {
    pub(super) protected: Vec<u8>,
    pub(super) payload: Vec<u8>,
    pub(super) signature: Vec<u8>,
}

/// Checks the envelope's compact JWS with the leaf's key, and gives its
/// parts as decoded for the check, so that reading the content need not
/// decode them again.
pub(super) fn verify(
    envelope: &JwsEnvelope,
    leaf: &Certificate,
    crypto: &dyn CryptoProvider,
) -> Result<DecodedParts, String> {
    let parts = [&envelope.protected, &envelope.payload, &envelope.signature];
    if parts.iter().any(|p| p.contains('.')) {
        return Err("token contains an invalid number of segments".into());
    }
    let header = decode_b64url(&envelope.protected).map_err(|e| {
        // A token that starts with "bearer " (in any case) is named so.
        let bearer = envelope
            .protected
            .as_bytes()
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"bearer "));
        if bearer {
            "tokenstring should not contain 'bearer '".to_string()
        } else {
            e
        }
    })?;
    let alg = header_alg(&header)?;
    let payload = decode_b64url(&envelope.payload)?;
    check_claims(&payload)?;
    let alg = match alg {
        None => return Err("signing method (alg) is unspecified.".into()),
        Some(alg) if !GOLANG_JWT_METHODS.contains(&alg.as_str()) => {
            return Err("signing method (alg) is unavailable.".into());
        }
        Some(alg) => SignatureAlgorithm::from_jws_name(&alg)
            .ok_or_else(|| format!("signing method {alg} is invalid"))?,
    };
    let signature = decode_b64url(&envelope.signature)?;
    let scheme = SignatureScheme::for_envelope(alg);
    let key = leaf.public_key();
    match (scheme, key) {
        (SignatureScheme::RsaPss(_), PublicKey::Ec { .. }) => {
            return Err("key is invalid".into());
        }
        (SignatureScheme::EcdsaFixed(_), PublicKey::Rsa { .. }) => {
            return Err("key is of invalid type".into());
        }
        (SignatureScheme::EcdsaFixed(_), PublicKey::Ec { curve, .. }) => {
            // Go splits the signature by the method's size and checks it
            // on whatever curve the key is on; only a signer crafting a
            // signature across curves could pass there, and the reference
            // then refuses the algorithm for the key.
            let (size, method_curve) = match alg {
                SignatureAlgorithm::Es256 => (32, Curve::P256),
                SignatureAlgorithm::Es384 => (48, Curve::P384),
                _ => (66, Curve::P521),
            };
            if signature.len() != 2 * size || *curve != method_curve {
                return Err(ECDSA_FAILED.into());
            }
        }
        _ => {}
    }
    crypto
        .verify(scheme, key, &envelope.signing_input(), &signature)
        .map_err(|e| match e {
            SignatureVerificationError::Ecdsa => ECDSA_FAILED.into(),
            e => e.to_string(),
        })?;
    Ok(DecodedParts {
        protected: header,
        payload,
        signature,
    })
}

/// The header's `alg`, where it is a string, read as golang-jwt reads the
/// header: Go's `json.Unmarshal` into a map of any values (the last member
/// of a name wins; a number past float64's range is an error).
fn header_alg(header: &[u8]) -> Result<Option<String>, String> {
    // An object serde_json reads is one Go reads alike (its numbers within
    // float64's range); anything else takes Go's checks, in Go's order.
    let text = go_text(header);
    if let Ok(map) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text) {
        return Ok(alg(&map));
    }
    if let Some(e) = go_syntax_error(header) {
        return Err(e);
    }
    let first = header
        .iter()
        .copied()
        .find(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(b'n');
    match first {
        b'{' => {}
        b'n' => return Ok(None),
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                go_kind_name(other)
            ));
        }
    }
    if let Some(number) = go_float64_overflow(header) {
        return Err(format!(
            "json: cannot unmarshal number {number} into Go value of type float64"
        ));
    }
    check_depth(header, MAX_DEPTH)?;
    let map = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(alg(&map))
}

fn alg(header: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    header
        .get("alg")
        .and_then(|a| a.as_str())
        .map(str::to_owned)
}

/// The claims as golang-jwt reads them: Go's streaming decoder, which
/// reads the first JSON value (an object, or `null`) and leaves the rest.
fn check_claims(claims: &[u8]) -> Result<(), String> {
    // An object serde_json reads whole is one Go reads whole.
    let start = claims
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'));
    if start.is_some_and(|i| claims[i] == b'{') {
        let mut de = serde_json::Deserializer::from_slice(claims);
        if serde::de::IgnoredAny::deserialize(&mut de).is_ok() {
            return Ok(());
        }
    }
    match go_decoder_value(claims)? {
        b'{' | b'n' => Ok(()),
        other => Err(format!(
            "json: cannot unmarshal {} into Go value of type jwt.MapClaims",
            go_kind_name(other)
        )),
    }
}
