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

use super::decode::Key;
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
    if let Ok(alg) = object_alg(&text) {
        return Ok(alg);
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
    // What is left is text serde_json refuses and Go takes (nesting past
    // serde_json's own limit): serde_json's error.
    object_alg(&text).map_err(|e| e.to_string())
}

#[cfg(test)]
fn alg(header: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    header
        .get("alg")
        .and_then(|a| a.as_str())
        .map(str::to_owned)
}

/// The `alg` member of the object `text`, read as `serde_json::from_str` reads it
/// into a `Map<String, Value>` (it succeeds and fails alike, the last
/// `alg` winning), without building the map: member names are borrowed and
/// values only checked, except objects, which are read as `Value`s are.
fn object_alg(text: &str) -> Result<Option<String>, serde_json::Error> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut alg = None;
            while let Some(Key(name)) = map.next_key()? {
                let value = map.next_value::<Checked<'de>>()?;
                if name == "alg" {
                    alg = match value {
                        Checked::String(s) => Some(s.into_owned()),
                        Checked::Other => None,
                    };
                }
            }
            Ok(alg)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let alg = (&mut de).deserialize_map(Members)?;
    de.end()?;
    Ok(alg)
}

/// A value read where a `serde_json::Value` would be, and accepted where
/// it would be: scalars and arrays are checked, not kept; an object is
/// read as a `Value` (serde_json's reading of an object gives some names
/// a meaning of their own).
enum Checked<'de> {
    String(std::borrow::Cow<'de, str>),
    Other,
}

impl<'de> Deserialize<'de> for Checked<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::MapAccessDeserializer;
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Checked<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Checked<'de>, E> {
                Ok(Checked::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Checked<'de>, E> {
                Ok(Checked::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Checked<'de>, E> {
                Ok(Checked::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Checked<'de>, E> {
                Ok(Checked::Other)
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Checked<'de>, E> {
                Ok(Checked::String(s.into()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Checked<'de>, E> {
                Ok(Checked::String(s.to_owned().into()))
            }
            fn visit_none<E>(self) -> Result<Checked<'de>, E> {
                Ok(Checked::Other)
            }
            fn visit_unit<E>(self) -> Result<Checked<'de>, E> {
                Ok(Checked::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked<'de>, A::Error> {
                while seq.next_element::<Checked<'de>>()?.is_some() {}
                Ok(Checked::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Checked<'de>, A::Error> {
                serde_json::Value::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Checked::Other)
            }
        }
        d.deserialize_any(V)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `object_alg` succeeds and fails where reading the header into a
    /// `Map<String, Value>` does, with the same `alg`.
    #[test]
    fn object_alg_reads_as_a_value_map_does() {
        let by_map = |text: &str| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                .map(|m| alg(&m))
                .ok()
        };
        for text in [
            r#"{"alg":"PS256"}"#,
            r#" {"alg" : "ES256", "crit":["a",1,null,[{}]], "x":{"y":[true,false]}} "#,
            r#"{"alg":"PS256","alg":"PS384"}"#,
            r#"{"alg":"PS256","alg":1}"#,
            r#"{"alg":1,"alg":"PS256"}"#,
            r#"{"\u0061lg":"PS\u0032\u0035\u0036"}"#,
            r#"{"ALG":"PS256"}"#,
            r#"{"alg":"PS256","n":1e400}"#,
            r#"{"alg":"PS256","n":[-1e400]}"#,
            r#"{"alg":"PS256","n":{"m":1e400}}"#,
            r#"{"alg":"PS256","n":18446744073709551616}"#,
            r#"{"alg":"PS256","n":-0.0e-999}"#,
            r#"{"alg":"PS256","o":{"$serde_json::private::RawValue":"1"}}"#,
            r#"{"alg":"PS256","o":{"$serde_json::private::RawValue":"{"}}"#,
            r#"{"alg":"PS256","o":{"$serde_json::private::RawValue":1}}"#,
            r#"{"alg":"PS256","o":[{"$serde_json::private::RawValue":"x"}]}"#,
            r#"{"alg":"PS256"} x"#,
            r#"{"alg":"PS256",}"#,
            r#"{"alg":"\ud800"}"#,
            "{\"alg\":\"a\u{1}\"}",
            r#"{}"#,
            r#"[]"#,
            r#"null"#,
            r#""alg""#,
            r#""#,
        ] {
            assert_eq!(object_alg(text).ok(), by_map(text), "{text}");
        }
        let deep = format!(
            "{{\"alg\":\"x\",\"d\":{}{}}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(object_alg(&deep).ok(), by_map(&deep));
    }
}
