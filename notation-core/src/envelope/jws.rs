//! The JWS envelope: flattened JSON serialization, one signature.
//!
//!
//! Encoding matches notation-core-go byte for byte: protected header and
//! payload are Go-marshalled maps (keys sorted, Go's HTML escaping), times in
//! RFC 3339, `crit` ordered signingScheme, extended critical attributes,
//! authenticSigningTime, expiry (vector `11-envelope-encoding`).
// Requirements: C1-C8, C8.

use std::collections::{BTreeMap, HashSet};

use base64::Engine;
use serde::Serialize;
use time::OffsetDateTime;

use super::ParseCertificate;
use super::{
    AttributeKey, EnvelopeContent, EnvelopeError, ExtendedAttribute, SignError, SignRequest,
    SignedAttributes, SignerInfo, SigningScheme, UnsignedAttributes, header, sign_bytes,
};
use crate::algorithm::{KeySpec, SignatureAlgorithm};
use crate::crypto::CryptoProvider;
use crate::x509::Certificate;

mod decode;
mod jwt;

/// Base64url without padding. Decoding is canonical: non-zero
/// trailing bits are refused (Go's `RawURLEncoding` tolerates them, but no
/// encoder produces them), so that no two encodings of one signature or
/// certificate both verify.
// Requirements: C2.
const B64URL: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Standard base64 with padding, as Go's `encoding/json` uses for `[]byte`;
/// canonical, as above.
// Requirements: C6.
const B64STD: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(false),
);

/// The protected header names the envelope itself defines; every other name
/// is an extended attribute.
const KNOWN_HEADERS: [&str; 7] = [
    "alg",
    "cty",
    "crit",
    header::EXPIRY,
    header::SIGNING_TIME,
    header::SIGNING_SCHEME,
    header::AUTHENTIC_SIGNING_TIME,
];

/// The outer JWS structure, as written when signing (reading is `decode`).
#[derive(Debug, Serialize)]
struct RawJws {
    payload: String,
    protected: String,
    header: RawUnprotected,
    signature: String,
}

#[derive(Debug, Serialize)]
struct RawUnprotected {
    #[serde(
        rename = "io.cncf.notary.timestampSignature",
        skip_serializing_if = "Option::is_none"
    )]
    timestamp_signature: Option<String>,
    x5c: Option<Vec<String>>,
    #[serde(
        rename = "io.cncf.notary.signingAgent",
        skip_serializing_if = "Option::is_none"
    )]
    signing_agent: Option<String>,
}

/// A parsed JWS envelope, not yet verified.
#[derive(Clone, Debug)]
pub struct JwsEnvelope {
    protected: String,
    payload: String,
    signature: String,
    certificates: Vec<Vec<u8>>,
    timestamp_signature: Option<Vec<u8>>,
    signing_agent: Option<String>,
}

impl JwsEnvelope {
    /// Decodes the JSON serialization.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let decoded = decode::decode(bytes).map_err(EnvelopeError::Malformed)?;
        if decoded.certificates.len() > super::MAX_CHAIN_LENGTH {
            return Err(EnvelopeError::Malformed(format!(
                "certificate chain of {} certificates exceeds the limit of {}",
                decoded.certificates.len(),
                super::MAX_CHAIN_LENGTH
            )));
        }
        Ok(Self {
            protected: decoded.protected,
            payload: decoded.payload,
            signature: decoded.signature,
            certificates: decoded.certificates,
            timestamp_signature: decoded.timestamp_signature,
            signing_agent: decoded.signing_agent,
        })
    }

    /// Verifies the signature with the leaf certificate's key, then reads the
    /// content (notation-core-go order: chain present, leaf parses,
    /// signature, headers).
    pub(crate) fn verify(
        &self,
        crypto: &dyn CryptoProvider,
        parse: ParseCertificate<'_>,
    ) -> Result<EnvelopeContent, EnvelopeError> {
        let leaf_der = self
            .certificates
            .first()
            .ok_or(EnvelopeError::MissingCertificateChain)?;
        let leaf = parse(leaf_der)
            .map_err(|_| EnvelopeError::InvalidSignature("malformed leaf certificate".into()))?;
        let decoded = jwt::verify(self, &leaf, crypto).map_err(EnvelopeError::Integrity)?;
        self.content_with(parse, Some(leaf), Some(decoded))
    }

    /// The JWS signing input: ASCII(protected "." payload).
    // Requirements: C2.
    pub(crate) fn signing_input(&self) -> Vec<u8> {
        let (protected, payload) = (self.protected.as_bytes(), self.payload.as_bytes());
        let mut input = Vec::with_capacity(protected.len() + 1 + payload.len());
        input.extend_from_slice(protected);
        input.push(b'.');
        input.extend_from_slice(payload);
        input
    }

    /// Reads payload and signer information without verifying.
    pub(crate) fn content(&self) -> Result<EnvelopeContent, EnvelopeError> {
        self.content_with(&Certificate::from_der, None, None)
    }

    /// Each extended attribute with its value as Go's `fmt.Sprint` prints
    /// what `encoding/json` decoded (see
    /// [`Envelope::extended_attribute_texts`](super::Envelope::extended_attribute_texts)).
    pub(crate) fn extended_attribute_texts(
        &self,
    ) -> Result<Vec<(super::AttributeKey, String)>, EnvelopeError> {
        let header_bytes = decode_b64url(&self.protected).map_err(|e| {
            EnvelopeError::InvalidSignature(format!(
                "jws envelope protected header can't be decoded: {e}"
            ))
        })?;
        let protected = ProtectedHeader::parse(&header_bytes)?;
        Ok(protected
            .extended
            .iter()
            .map(|(k, v)| (super::AttributeKey::Text(k.clone()), crate::json::go_v(v)))
            .collect())
    }

    /// As `content`, parsing certificates with `parse`, the leaf already
    /// parsed when given and the parts already decoded when given
    /// (verification does both first).
    fn content_with(
        &self,
        parse: ParseCertificate<'_>,
        mut leaf: Option<Certificate>,
        decoded: Option<jwt::DecodedParts>,
    ) -> Result<EnvelopeContent, EnvelopeError> {
        let invalid = |m: String| EnvelopeError::InvalidSignature(m);
        // Parts the signature check decoded are these parts decoded (none
        // failed there); the others are decoded here, each failing where
        // it did before.
        let (header_bytes, payload, signature) = match decoded {
            Some(d) => (Some(d.protected), Some(d.payload), Some(d.signature)),
            None => (None, None, None),
        };
        let header_bytes = match header_bytes {
            Some(bytes) => bytes,
            None => decode_b64url(&self.protected).map_err(|e| {
                invalid(format!(
                    "jws envelope protected header can't be decoded: {e}"
                ))
            })?,
        };
        let protected = ProtectedHeader::parse(&header_bytes)?;
        let payload = match payload {
            Some(bytes) => bytes,
            None => {
                decode_b64url(&self.payload).map_err(|e| invalid(format!("payload error: {e}")))?
            }
        };
        let signed = protected.validate()?;
        let signature_algorithm =
            SignatureAlgorithm::from_jws_name(&protected.alg).ok_or_else(|| {
                invalid(format!(
                    "signature algorithm {:?} is not supported",
                    protected.alg
                ))
            })?;
        let signature = match signature {
            Some(bytes) => bytes,
            None => decode_b64url(&self.signature).map_err(invalid)?,
        };
        if signature.is_empty() {
            return Err(invalid("signature missing in jws-json envelope".into()));
        }
        let certificate_chain = self
            .certificates
            .iter()
            .map(|c| match leaf.take() {
                Some(parsed) => Ok(parsed),
                None => parse(c).map_err(EnvelopeError::Certificate),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EnvelopeContent {
            signer_info: SignerInfo {
                signed,
                unsigned: UnsignedAttributes {
                    signing_agent: self.signing_agent.clone().filter(|s| !s.is_empty()),
                    timestamp_signature: self.timestamp_signature.clone().filter(|t| !t.is_empty()),
                },
                signature_algorithm,
                signature,
                certificate_chain,
            },
            payload,
        })
    }
}

/// The protected header, typed where the envelope defines the member.
struct ProtectedHeader {
    alg: String,
    cty: String,
    crit: Vec<String>,
    signing_scheme: String,
    signing_time: Option<OffsetDateTime>,
    authentic_signing_time: Option<OffsetDateTime>,
    expiry: Option<OffsetDateTime>,
    extended: Vec<(String, serde_json::Value)>,
}

impl ProtectedHeader {
    fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let err = |m: String| {
            EnvelopeError::InvalidSignature(format!(
                "jws envelope protected header can't be decoded: {m}"
            ))
        };
        crate::json::check_depth(bytes, crate::json::MAX_DEPTH).map_err(err)?;
        // As Go reads JSON: a byte that is not UTF-8, or a lone surrogate
        // escape, is U+FFFD.
        let text = crate::json::go_text(bytes);
        let members = crate::json::parse_object_members(text.as_bytes()).map_err(err)?;
        let mut h = ProtectedHeader {
            alg: String::new(),
            cty: String::new(),
            crit: Vec::new(),
            signing_scheme: String::new(),
            signing_time: None,
            authentic_signing_time: None,
            expiry: None,
            extended: Vec::new(),
        };
        // Go decodes the header into notation-core-go's jwsProtectedHeader
        // struct: a member of the wrong type is an error it notes and
        // decoding goes on (the first one is reported); a time that does
        // not parse ends decoding at once, with its own error.
        let mut type_error: Option<String> = None;
        let mut wrong_type = |v: &serde_json::Value, field: &str, go_type: &str| {
            type_error.get_or_insert_with(|| {
                format!(
                    "json: cannot unmarshal {} into Go struct field jwsProtectedHeader.{field} of type {go_type}",
                    crate::json::go_value_kind_name(v)
                )
            });
        };
        // Go's time.Time parses the text between the quotes as written
        // (golang/go#47353): a time written with escapes fails there, with
        // the parse error on that text (a backslash is never part of one).
        let time = |index: usize,
                    v: &serde_json::Value,
                    escaped: bool|
         -> Result<Option<OffsetDateTime>, EnvelopeError> {
            match v {
                serde_json::Value::Null => Ok(None),
                serde_json::Value::String(s) if escaped => {
                    let written = crate::json::raw_member_value(text.as_bytes(), index);
                    let inner = written
                        .as_deref()
                        .and_then(|w| w.strip_prefix('"')?.strip_suffix('"'))
                        .unwrap_or(s);
                    Err(err(crate::timefmt::go_rfc3339_parse_error(inner)))
                }
                serde_json::Value::String(s) => crate::timefmt::parse_rfc3339(s)
                    .map(Some)
                    .map_err(|_| err(crate::timefmt::go_rfc3339_parse_error(s))),
                _ => Err(err("Time.UnmarshalJSON: input is not a JSON string".into())),
            }
        };
        // Go decodes the header into a struct, matching member names to its
        // fields case-insensitively, and keeps every name but the exact
        // ones among the extended attributes: a folded name is both. Two
        // members for one header are refused, as duplicates are, unless
        // Go has an error of its own.
        let mut duplicate: Option<String> = None;
        let mut seen = [false; KNOWN_HEADERS.len()];
        for (
            index,
            crate::json::Member {
                name: k,
                value: v,
                escaped,
                ..
            },
        ) in members.into_iter().enumerate()
        {
            let Some(i) = crate::json::go_field(&k, &KNOWN_HEADERS) else {
                // Go reads an extended attribute into an `interface{}`:
                // its numbers are float64s from then on.
                h.extended.push((k, crate::json::go_float64_numbers(v)));
                continue;
            };
            if std::mem::replace(&mut seen[i], true) {
                duplicate.get_or_insert_with(|| format!("duplicate member {k:?}"));
            }
            if k != KNOWN_HEADERS[i] {
                h.extended
                    .push((k.clone(), crate::json::go_float64_numbers(v.clone())));
            }
            let field = KNOWN_HEADERS[i];
            let mut string = |into: &mut String, go_type: &str| match &v {
                serde_json::Value::String(s) => *into = s.clone(),
                serde_json::Value::Null => {}
                other => wrong_type(other, field, go_type),
            };
            match field {
                "alg" => string(&mut h.alg, "string"),
                "cty" => string(&mut h.cty, "string"),
                header::SIGNING_SCHEME => string(&mut h.signing_scheme, "signature.SigningScheme"),
                "crit" => match &v {
                    serde_json::Value::Null => h.crit = Vec::new(),
                    serde_json::Value::Array(items) => {
                        h.crit = items
                            .iter()
                            .map(|item| match item {
                                serde_json::Value::String(s) => s.clone(),
                                serde_json::Value::Null => String::new(),
                                other => {
                                    wrong_type(other, field, "string");
                                    String::new()
                                }
                            })
                            .collect();
                    }
                    other => wrong_type(other, field, "[]string"),
                },
                header::SIGNING_TIME => h.signing_time = time(index, &v, escaped)?,
                header::AUTHENTIC_SIGNING_TIME => {
                    h.authentic_signing_time = time(index, &v, escaped)?
                }
                header::EXPIRY => h.expiry = time(index, &v, escaped)?,
                _ => unreachable!("every known header is matched above"),
            }
        }
        if let Some(e) = type_error.or(duplicate) {
            return Err(err(e));
        }
        Ok(h)
    }

    /// notation-core-go `validateProtectedHeaders` and
    /// `populateProtectedHeaders`.
    // Requirements: B1, B2, C4.
    fn validate(&self) -> Result<SignedAttributes, EnvelopeError> {
        let invalid = |m: String| EnvelopeError::InvalidSignature(m);
        let scheme = SigningScheme::parse(&self.signing_scheme).ok_or_else(|| {
            invalid(format!(
                "unsupported SigningScheme: `{}`",
                self.signing_scheme
            ))
        })?;
        let signing_time = match scheme {
            SigningScheme::X509 => {
                if self.authentic_signing_time.is_some() {
                    return Err(invalid(format!(
                        "{:?} header must not be present for notary.x509 signing scheme",
                        header::AUTHENTIC_SIGNING_TIME
                    )));
                }
                self.signing_time
            }
            SigningScheme::X509SigningAuthority => {
                if self.signing_time.is_some() {
                    return Err(invalid(format!(
                        "{:?} header must not be present for notary.x509.signingAuthority signing scheme",
                        header::SIGNING_TIME
                    )));
                }
                if self.authentic_signing_time.is_none() {
                    return Err(invalid(format!(
                        "{:?} header must be present for notary.x509.signingAuthority signing scheme",
                        header::AUTHENTIC_SIGNING_TIME
                    )));
                }
                self.authentic_signing_time
            }
        };
        // C4: crit must be present, list the required headers, and name only
        // headers that exist.
        if self.crit.is_empty() {
            return Err(invalid("missing \"crit\" header".into()));
        }
        // An expiry equal to Go's zero time is no expiry there.
        let expiry = self.expiry.filter(|t| *t != super::GO_ZERO_TIME);
        let mut must: Vec<&str> = vec![header::SIGNING_SCHEME];
        if expiry.is_some() {
            must.push(header::EXPIRY);
        }
        if scheme == SigningScheme::X509SigningAuthority {
            must.push(header::AUTHENTIC_SIGNING_TIME);
        }
        // Sets: a hostile header may list millions of names in both.
        let extended: HashSet<&str> = self.extended.iter().map(|(k, _)| k.as_str()).collect();
        // (Without extended attributes, as usual, neither holds anything.)
        let critical: HashSet<&str> = if self.extended.is_empty() {
            HashSet::new()
        } else {
            self.crit.iter().map(String::as_str).collect()
        };
        for c in &self.crit {
            if let Some(pos) = must.iter().position(|m| m == c) {
                must.remove(pos);
            } else if !extended.contains(c.as_str()) {
                return Err(invalid(format!(
                    "{c:?} header is marked critical but not present"
                )));
            }
        }
        if !must.is_empty() {
            return Err(invalid(format!(
                "these required headers are not marked as critical: [{}]",
                must.join(" ")
            )));
        }
        let signing_time =
            signing_time.ok_or_else(|| invalid("signing-time not present".into()))?;
        Ok(SignedAttributes {
            content_type: self.cty.clone(),
            signing_scheme: scheme,
            signing_time,
            expiry,
            extended: self
                .extended
                .iter()
                .map(|(k, v)| ExtendedAttribute {
                    key: AttributeKey::Text(k.clone()),
                    critical: critical.contains(k.as_str()),
                    value: v.clone(),
                })
                .collect(),
        })
    }
}

/// Builds and signs a JWS envelope (notation-core-go `jws.Sign`).
pub(crate) fn sign(req: &SignRequest<'_>, key_spec: KeySpec) -> Result<Vec<u8>, SignError> {
    let alg = key_spec.signature_algorithm();
    let mut headers: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut crit = vec![header::SIGNING_SCHEME.to_string()];
    for attr in &req.extended {
        let AttributeKey::Text(key) = &attr.key else {
            return Err(SignError::InvalidRequest(
                "JWS envelope format only supports key of type string".into(),
            ));
        };
        if KNOWN_HEADERS.contains(&key.as_str()) || headers.contains_key(key) {
            return Err(SignError::InvalidRequest(format!(
                "attribute key:{key} repeated"
            )));
        }
        headers.insert(key.clone(), attr.value.clone());
        if attr.critical {
            crit.push(key.clone());
        }
    }
    headers.insert("alg".into(), alg.jws_name().into());
    headers.insert("cty".into(), req.content_type.clone().into());
    headers.insert(
        header::SIGNING_SCHEME.into(),
        req.signing_scheme.as_str().into(),
    );
    let time_value = crate::timefmt::rfc3339_nano(req.signing_time);
    match req.signing_scheme {
        SigningScheme::X509 => {
            headers.insert(header::SIGNING_TIME.into(), time_value.into());
        }
        SigningScheme::X509SigningAuthority => {
            crit.push(header::AUTHENTIC_SIGNING_TIME.into());
            headers.insert(header::AUTHENTIC_SIGNING_TIME.into(), time_value.into());
        }
    }
    if let Some(expiry) = req.expiry {
        crit.push(header::EXPIRY.into());
        headers.insert(
            header::EXPIRY.into(),
            crate::timefmt::rfc3339_nano(expiry).into(),
        );
    }
    headers.insert("crit".into(), crit.into());
    let protected = B64URL.encode(crate::json::to_vec_go(&headers).expect("headers serialize"));

    // The reference re-marshals the payload as a JWT claim set: a JSON
    // object with sorted keys (A8).
    let claims: serde_json::Value = serde_json::from_slice(&req.payload)
        .map_err(|e| SignError::InvalidRequest(format!("payload format error: {e}")))?;
    if !claims.is_object() {
        return Err(SignError::InvalidRequest(
            "payload format error: not a JSON object".into(),
        ));
    }
    let payload = B64URL.encode(crate::json::to_vec_go(&claims).expect("claims serialize"));

    let signing_input = format!("{protected}.{payload}");
    let (signature, chain) = sign_bytes(req.signer, signing_input.as_bytes())?;
    let timestamp_signature = match (req.signing_scheme, req.timestamper) {
        (SigningScheme::X509, Some(tsa)) => Some(
            tsa.timestamp(&signature, alg.hash())
                .map_err(SignError::Timestamp)?,
        ),
        _ => None,
    };
    let envelope = RawJws {
        payload,
        protected,
        header: RawUnprotected {
            timestamp_signature: timestamp_signature.map(|t| B64STD.encode(t)),
            x5c: Some(chain.iter().map(|c| B64STD.encode(c.der())).collect()),
            signing_agent: req.signing_agent.clone().filter(|a| !a.is_empty()),
        },
        signature: B64URL.encode(&signature),
    };
    Ok(crate::json::to_vec_go(&envelope).expect("envelope serializes"))
}

/// Decodes base64url as Go's `RawURLEncoding` does, with Go's error; but
/// canonical (see [`B64URL`]): line breaks and non-zero trailing bits, which
/// Go skips, are refused, named by where they are.
fn decode_b64url(input: &str) -> Result<Vec<u8>, String> {
    B64URL.decode(input).map_err(
        |e| match crate::json::go_raw_url_base64_error(input.as_bytes()) {
            Some(offset) => format!("illegal base64 data at input byte {offset}"),
            None => go_base64_error(&e),
        },
    )
}

/// Go's wording for base64 errors ("illegal base64 data at input byte N").
fn go_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(offset, _) => {
            format!("illegal base64 data at input byte {offset}")
        }
        base64::DecodeError::InvalidLength(len) => {
            format!("illegal base64 data at input byte {len}")
        }
        base64::DecodeError::InvalidLastSymbol { offset, .. } => {
            format!("illegal base64 data at input byte {offset}")
        }
        base64::DecodeError::InvalidPadding => "illegal base64 data: invalid padding".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::LocalSigner;
    use time::macros::datetime;

    // C8: `protected` and `payload` are byte-identical to
    // notation-core-go's for the conformance request (ES256 key).
    #[test]
    fn conformance_encoding_is_byte_identical() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/11-envelope-encoding/jws-conformance.json"
        );
        let v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(path).expect("conformance vector 11 is required"),
        )
        .unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki/");
        let signer = LocalSigner::from_pem(
            &std::fs::read(format!("{dir}ec-256.key")).unwrap(),
            &std::fs::read(format!("{dir}ec-256.chain.pem")).unwrap(),
        )
        .unwrap();
        let mut req = SignRequest::new(br#"{"key":"hello JWS"}"#.to_vec(), &signer)
            .signing_time(datetime!(2022-08-29 13:50:00 UTC))
            .expiry(Some(datetime!(2099-08-30 13:50:00 UTC)))
            .signing_agent(Some("NotationConformanceTest/1.0.0".into()))
            .extended_attribute(ExtendedAttribute::new(
                "signedCritKey1",
                "signedCritValue1".into(),
                true,
            ));
        for i in 1..=4 {
            req = req.extended_attribute(ExtendedAttribute::new(
                format!("signedKey{i}"),
                "signedValue1".into(),
                false,
            ));
        }
        let bytes = sign(&req, KeySpec::Ec256).unwrap();
        let got: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(got["protected"], v["protected"]);
        assert_eq!(got["payload"], v["payload"]);
        assert_eq!(
            got["header"]["io.cncf.notary.signingAgent"],
            v["header"]["io.cncf.notary.signingAgent"]
        );
    }

    /// A signing time equal to Go's zero time is absent for the reference
    /// ("signing-time not present"), in both formats; so is an expiry equal
    /// to it (notation-core-go's JWS `validateCriticalHeaders`).
    #[test]
    fn go_zero_times_are_absent() {
        use crate::envelope::{Envelope, EnvelopeFormat, GO_ZERO_TIME};
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki/");
        let signer = LocalSigner::from_pem(
            &std::fs::read(format!("{dir}ec-256.key")).unwrap(),
            &std::fs::read(format!("{dir}ec-256.chain.pem")).unwrap(),
        )
        .unwrap();
        let crypto = crate::crypto::default_provider();
        let payload = crate::payload::Payload::new(crate::payload::Descriptor::new(
            "application/vnd.oci.image.manifest.v1+json",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            1,
        ))
        .to_json();
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let sign = |req: &SignRequest<'_>| match format {
                EnvelopeFormat::Jws => sign(req, KeySpec::Ec256).unwrap(),
                _ => crate::envelope::cose::sign(req, KeySpec::Ec256).unwrap(),
            };
            let zero = SignRequest::new(payload.clone(), &signer).signing_time(GO_ZERO_TIME);
            let e = Envelope::parse(format, &sign(&zero))
                .unwrap()
                .verify(crypto.as_ref())
                .unwrap_err();
            assert!(
                e.to_string().contains("signing-time not present"),
                "{format}: {e}"
            );
        }
        // A zero expiry is none: listing it in `crit` (as a signer does for
        // an expiry) names a header that is not there.
        let zero_expiry = SignRequest::new(payload.clone(), &signer)
            .signing_time(datetime!(2024-01-01 0:00 UTC))
            .expiry(Some(GO_ZERO_TIME));
        let bytes = sign(&zero_expiry, KeySpec::Ec256).unwrap();
        let e = Envelope::parse(EnvelopeFormat::Jws, &bytes)
            .unwrap()
            .verify(crypto.as_ref())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("\"io.cncf.notary.expiry\" header is marked critical but not present"),
            "{e}"
        );
    }

    /// What notation-core-go's parseProtectedHeaders gives for headers
    /// with members of the wrong type (from a Go program: json.Unmarshal
    /// into a struct of its jwsProtectedHeader's shape): the first such
    /// member, decoding having gone on past it.
    #[test]
    fn protected_members_of_the_wrong_type_have_go_s_errors() {
        let prefix = "jws envelope protected header can't be decoded: json: cannot unmarshal";
        for (header, want) in [
            (
                &br#"{"alg":true,"cty":[]}"#[..],
                "bool into Go struct field jwsProtectedHeader.alg of type string",
            ),
            (
                br#"{"cty":{}}"#,
                "object into Go struct field jwsProtectedHeader.cty of type string",
            ),
            (
                br#"{"crit":"x"}"#,
                "string into Go struct field jwsProtectedHeader.crit of type []string",
            ),
            (
                br#"{"crit":["a",1,null]}"#,
                "number into Go struct field jwsProtectedHeader.crit of type string",
            ),
            (
                br#"{"crit":{}}"#,
                "object into Go struct field jwsProtectedHeader.crit of type []string",
            ),
            (
                br#"{"io.cncf.notary.signingScheme":5}"#,
                "number into Go struct field jwsProtectedHeader.io.cncf.notary.signingScheme of type signature.SigningScheme",
            ),
            (
                br#"{"ALG":1}"#,
                "number into Go struct field jwsProtectedHeader.alg of type string",
            ),
            (
                br#"{"alg":1,"io.cncf.notary.signingScheme":[],"Alg":"x"}"#,
                "number into Go struct field jwsProtectedHeader.alg of type string",
            ),
        ] {
            let err = ProtectedHeader::parse(header).err().unwrap().to_string();
            assert_eq!(
                err,
                format!("{prefix} {want}"),
                "{}",
                String::from_utf8_lossy(header)
            );
        }
        // `null` leaves a member unset.
        let h = ProtectedHeader::parse(br#"{"alg":null,"crit":null}"#).unwrap();
        assert!(h.alg.is_empty() && h.crit.is_empty());
        // A time that is not a JSON string ends decoding at once, ahead of
        // an error noted before it (Go 1.20 and later word it so).
        assert_eq!(
            ProtectedHeader::parse(br#"{"cty":1,"io.cncf.notary.signingTime":2}"#)
                .err()
                .unwrap()
                .to_string(),
            "jws envelope protected header can't be decoded: Time.UnmarshalJSON: input is not a JSON string"
        );
    }

    #[test]
    fn duplicate_protected_members_are_rejected() {
        let err = ProtectedHeader::parse(br#"{"alg":"PS256","alg":"ES256"}"#)
            .err()
            .unwrap();
        assert!(err.to_string().contains("duplicate"), "{err}");
    }

    #[test]
    fn folded_header_names_are_the_headers_and_extended_attributes() {
        let h = ProtectedHeader::parse(
            br#"{"ALG":"PS256","cty":"c","io.cncf.notary.\u017figningScheme":"notary.x509","x":1}"#,
        )
        .unwrap();
        assert_eq!(h.alg, "PS256");
        assert_eq!(h.signing_scheme, "notary.x509");
        let extended: Vec<&str> = h.extended.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(extended, ["ALG", "io.cncf.notary.\u{17f}igningScheme", "x"]);
        let err = ProtectedHeader::parse(br#"{"alg":"PS256","Alg":"ES256"}"#)
            .err()
            .unwrap();
        assert!(err.to_string().contains("duplicate member"), "{err}");
        let err = JwsEnvelope::parse(br#"{"payload":"a","PAYLOAD":"b"}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate field"), "{err}");
    }

    /// A header that marks 100,000 extended attributes critical is checked
    /// in linear time (each `crit` name is looked up in a set).
    #[test]
    fn many_critical_extended_attributes_are_linear() {
        let names: Vec<String> = (0..100_000).map(|i| format!("x{i}")).collect();
        let mut crit = vec![header::SIGNING_SCHEME.to_string()];
        crit.extend(names.iter().cloned());
        let mut header = serde_json::json!({
            "alg": "PS256",
            "cty": crate::payload::PAYLOAD_MEDIA_TYPE,
            "crit": crit,
            (header::SIGNING_SCHEME): "notary.x509",
            (header::SIGNING_TIME): "2024-01-01T00:00:00Z",
        });
        for name in &names {
            header[name] = serde_json::json!(0);
        }
        let h = ProtectedHeader::parse(&serde_json::to_vec(&header).unwrap()).unwrap();
        let signed = h.validate().unwrap();
        assert_eq!(signed.extended.len(), 100_000);
        assert!(signed.extended.iter().all(|a| a.critical));
    }

    #[test]
    fn extended_attribute_numbers_are_go_float64s() {
        // Go decodes the header into interface{} values: `1.0` is the
        // float64 1, sent to plugins as `1`; a large integer is rounded.
        let h = ProtectedHeader::parse(
            br#"{"alg":"PS256","x":1.0,"y":[12345678901234567890,{"z":2e0}],"w":1.50,"v":1.7976931348623158e308,"u":8870192238583142937e-28}"#,
        )
        .unwrap();
        let values: Vec<String> = h
            .extended
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    String::from_utf8(crate::json::to_vec_go(v).unwrap()).unwrap()
                )
            })
            .collect();
        assert_eq!(
            values,
            [
                "x=1",
                r#"y=[12345678901234567000,{"z":2}]"#,
                "w=1.5",
                // Correctly rounded, as Go reads them.
                "v=1.7976931348623157e+308",
                "u=8.870192238583143e-10"
            ]
        );
        // The reference CLI prints them with Go's %v.
        let printed: Vec<String> = h
            .extended
            .iter()
            .map(|(_, v)| crate::json::go_v(v))
            .collect();
        assert_eq!(
            printed,
            [
                "1",
                "[1.2345678901234567e+19 map[z:2]]",
                "1.5",
                "1.7976931348623157e+308",
                "8.870192238583143e-10"
            ]
        );
    }

    #[test]
    fn text_that_is_not_utf8_reads_as_go_reads_it() {
        // Each byte that is not UTF-8, and each lone surrogate escape, is
        // U+FFFD, as in Go's JSON decoder.
        let h = ProtectedHeader::parse(b"{\"alg\":\"PS256\",\"x\":\"a\xffb\",\"y\":\"\\ud800\"}")
            .unwrap();
        assert_eq!(
            h.extended,
            [
                ("x".to_string(), serde_json::json!("a\u{fffd}b")),
                ("y".to_string(), serde_json::json!("\u{fffd}")),
            ]
        );
        let env = JwsEnvelope::parse(
            b"{\"payload\":\"\",\"protected\":\"\",\"signature\":\"\",\"header\":{\"io.cncf.notary.signingAgent\":\"a\xc3\"},\"\xff\":1}",
        )
        .unwrap();
        assert_eq!(env.signing_agent.as_deref(), Some("a\u{fffd}"));
    }

    #[test]
    fn hostile_outer_structures() {
        for input in [
            &b""[..],
            b"{",
            b"[]",
            br#"{"payload":1}"#,
            br#"{"payload":"a","payload":"b"}"#,
            br#"{"header":{"x5c":["!!"]}}"#,
        ] {
            assert!(
                JwsEnvelope::parse(input).is_err(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(JwsEnvelope::parse(deep.as_bytes()).is_err());
        // `null` is an envelope with nothing in it, as Go reads it; it
        // fails when verified, for want of a certificate chain.
        let empty = JwsEnvelope::parse(b"null").unwrap();
        assert!(empty.certificates.is_empty());
        assert!(matches!(
            empty.verify(
                crate::crypto::default_provider().as_ref(),
                &Certificate::from_der
            ),
            Err(EnvelopeError::MissingCertificateChain)
        ));
    }
}
