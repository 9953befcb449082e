//! The COSE_Sign1 envelope.
//!
//! Decoding follows go-cose's rules (the private `cose_decode` module),
//! which give the protected header's bytes (for the `Sig_structure`) and
//! parameters, and the few unprotected parameters Notation uses. Encoding
//! builds both header maps in the canonical length-first key order that the
//! reference's CBOR library produces, so our messages are byte-identical to
//! notation-core-go's for the same input (vector
//! `11-envelope-encoding/cose-conformance.json`).
// Requirements: D1-D7.

use std::collections::HashSet;

use ciborium::value::Value;
use time::OffsetDateTime;

use super::cose_decode::Label;

use super::ParseCertificate;
use super::{
    AttributeKey, EnvelopeContent, EnvelopeError, ExtendedAttribute, SignError, SignRequest,
    SignedAttributes, SignerInfo, SigningScheme, UnsignedAttributes, header, sign_bytes,
};
use crate::algorithm::{KeySpec, SignatureAlgorithm};
use crate::crypto::{CryptoProvider, SignatureScheme};
use crate::x509::Certificate;

/// The `x5chain` header label (RFC 9360).
pub const LABEL_X5CHAIN: i64 = 33;
/// Up to this many `crit` labels, lookups among them (or with them) are
/// scans; past it, sets (a usual header marks one to three critical).
const FEW_CRITICAL: usize = 8;

/// The `alg`, `crit` and content type header labels (RFC 9052).
const LABEL_ALG: i64 = 1;
const LABEL_CRIT: i64 = 2;
const LABEL_CONTENT_TYPE: i64 = 3;

/// A parsed COSE_Sign1 envelope, not yet verified.
#[derive(Clone, Debug)]
pub struct CoseEnvelope {
    /// The protected header's encoded map, as signed.
    protected: Vec<u8>,
    /// Its parameters in order: label, value, and where the value is
    /// encoded in `protected`.
    parameters: Vec<(Label, Value, std::ops::Range<usize>)>,
    unprotected: Unprotected,
    /// `None` for a detached payload.
    payload: Option<Vec<u8>>,
    signature: Vec<u8>,
}

/// The unprotected parameters Notation reads, as go-cose decoded them.
#[derive(Clone, Debug)]
struct Unprotected {
    /// `x5chain` when it is an array: each element, `None` where it is not
    /// a byte string.
    x5chain: Option<Vec<Option<Vec<u8>>>>,
    signing_agent: Option<String>,
    timestamp_signature: Option<Vec<u8>>,
}

impl CoseEnvelope {
    /// Decodes a tagged COSE_Sign1 message.
    // Requirements: D1.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        // go-cose's decoding rules first (its error texts): the two bytes
        // a tagged COSE_Sign1 starts with in their shortest encoding (tag
        // 18, an array of four), then what its CBOR options refuse.
        let checked = super::cose_decode::check(bytes).map_err(EnvelopeError::Malformed)?;
        let found = checked.unprotected;
        let unprotected = Unprotected {
            x5chain: found
                .x5chain
                .map(|c| c.into_iter().map(|d| d.map(<[u8]>::to_vec)).collect()),
            signing_agent: found.signing_agent.map(str::to_owned),
            timestamp_signature: found.timestamp_signature.map(<[u8]>::to_vec),
        };
        Ok(Self {
            protected: checked.protected.to_vec(),
            parameters: checked.parameters,
            unprotected,
            payload: checked.payload.map(<[u8]>::to_vec),
            signature: checked.signature.to_vec(),
        })
    }

    /// The unprotected `x5chain`, each element `None` where it is not a
    /// byte string (like the reference we do not read a protected
    /// `x5chain`).
    // Requirements: D5, W12.
    fn x5chain(&self) -> Result<&[Option<Vec<u8>>], EnvelopeError> {
        let Some(items) = &self.unprotected.x5chain else {
            return Err(EnvelopeError::MissingCertificateChain);
        };
        if items.is_empty() {
            return Err(EnvelopeError::MissingCertificateChain);
        }
        if items.len() > super::MAX_CHAIN_LENGTH {
            return Err(EnvelopeError::Malformed(format!(
                "certificate chain of {} certificates exceeds the limit of {}",
                items.len(),
                super::MAX_CHAIN_LENGTH
            )));
        }
        Ok(items)
    }

    /// Verifies the signature with the leaf key under the algorithm the
    /// leaf implies, which must be the declared one, then reads the
    /// content.
    // Requirements: D4.
    pub(crate) fn verify(
        &self,
        crypto: &dyn CryptoProvider,
        parse: ParseCertificate<'_>,
    ) -> Result<EnvelopeContent, EnvelopeError> {
        // As notation-core-go's `Verify`: the leaf first, the rest of the
        // chain once the signature verifies.
        let leaf = self.x5chain()?[0].as_deref().ok_or_else(|| {
            EnvelopeError::InvalidSignature("COSE envelope malformed leaf certificate".into())
        })?;
        let leaf = parse(leaf)
            .map_err(|_| EnvelopeError::InvalidSignature("malformed leaf certificate".into()))?;
        let derived = leaf
            .key_spec()
            .map_err(EnvelopeError::UnsupportedKey)?
            .signature_algorithm();
        // go-cose's `Sign1Message.Verify`: the payload, then the declared
        // algorithm against the verifier's.
        let tbs = self.signing_input()?;
        let declared = self.cose_algorithm().map_err(EnvelopeError::Integrity)?;
        if declared != derived.cose_id() {
            return Err(EnvelopeError::Integrity(format!(
                "algorithm mismatch: verifier {}: header {}",
                go_cose_algorithm_name(derived.cose_id()),
                go_cose_algorithm_name(declared)
            )));
        }
        crypto
            .verify(
                SignatureScheme::for_envelope(derived),
                leaf.public_key(),
                &tbs,
                &self.signature,
            )
            .map_err(|_| EnvelopeError::Integrity("verification error".into()))?;
        self.content_with(parse, Some(leaf))
    }

    /// The `Sig_structure` over the original protected header bytes (in
    /// a byte string with the shortest head, as go-cose writes it).
    // Requirements: D6.
    pub(crate) fn signing_input(&self) -> Result<Vec<u8>, EnvelopeError> {
        let payload = self
            .payload
            .as_deref()
            .ok_or_else(|| EnvelopeError::Integrity("missing payload".into()))?;
        Ok(to_be_signed(&self.protected, payload))
    }

    /// The protected parameter under `label`, with its encoded item.
    fn parameter(&self, label: &Label) -> Option<(&Value, &[u8])> {
        self.parameters
            .iter()
            .find(|(l, _, _)| l == label)
            .map(|(_, v, raw)| (v, &self.protected[raw.clone()]))
    }

    /// The protected parameter under `label`.
    fn value(&self, label: &Label) -> Option<&Value> {
        self.parameter(label).map(|(v, _)| v)
    }

    /// go-cose's `ProtectedHeader.Algorithm`: the declared algorithm's
    /// number, or its error.
    fn cose_algorithm(&self) -> Result<i64, String> {
        match self.value(&Label::Int(LABEL_ALG)) {
            Some(Value::Integer(a)) => {
                i64::try_from(i128::from(*a)).map_err(|_| "invalid algorithm".to_string())
            }
            Some(Value::Text(t)) => Err(format!("Algorithm({})", crate::trust::GoQuoted(t))),
            Some(_) => Err("invalid algorithm".into()),
            None => Err("algorithm not found".into()),
        }
    }

    /// The declared algorithm among notation-core-go's.
    fn algorithm(&self) -> Result<SignatureAlgorithm, EnvelopeError> {
        let alg = self
            .cose_algorithm()
            .map_err(EnvelopeError::InvalidSignature)?;
        SignatureAlgorithm::from_cose_id(alg).ok_or_else(|| {
            EnvelopeError::InvalidSignature(format!("signature algorithm not supported: {alg}"))
        })
    }

    /// Reads payload and signer information without verifying.
    pub(crate) fn content(&self) -> Result<EnvelopeContent, EnvelopeError> {
        self.content_with(&Certificate::from_der, None)
    }

    /// As `content`, parsing certificates with `parse`, the leaf already
    /// parsed when given (verification parses it first).
    fn content_with(
        &self,
        parse: ParseCertificate<'_>,
        mut leaf: Option<Certificate>,
    ) -> Result<EnvelopeContent, EnvelopeError> {
        let invalid = |m: String| EnvelopeError::InvalidSignature(m);
        let content_type = match self.value(&Label::Int(LABEL_CONTENT_TYPE)) {
            Some(Value::Text(t)) => t.clone(),
            Some(_) => return Err(invalid("content type should be of 'tstr' type".into())),
            None => return Err(invalid("missing content type".into())),
        };
        let payload = self.payload.clone().unwrap_or_default();
        if self.signature.is_empty() {
            return Err(invalid("signature missing in COSE envelope".into()));
        }
        let signed = self.signed_attributes(content_type)?;
        let signature_algorithm = self.algorithm()?;
        // Element by element, as notation-core-go reads the chain.
        let certificate_chain = self
            .x5chain()?
            .iter()
            .map(|d| match (leaf.take(), d) {
                (Some(parsed), _) => Ok(parsed),
                (None, Some(d)) => parse(d).map_err(EnvelopeError::Certificate),
                (None, None) => Err(EnvelopeError::MissingCertificateChain),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let unsigned = UnsignedAttributes {
            signing_agent: (self.unprotected.signing_agent.clone()).filter(|s| !s.is_empty()),
            timestamp_signature: (self.unprotected.timestamp_signature.clone())
                .filter(|b| !b.is_empty()),
        };
        Ok(EnvelopeContent {
            signer_info: SignerInfo {
                signed,
                unsigned,
                signature_algorithm,
                signature: self.signature.clone(),
                certificate_chain,
            },
            payload,
        })
    }

    /// notation-core-go `parseProtectedHeaders`.
    // Requirements: B1-B3, D2, D3.
    fn signed_attributes(&self, content_type: String) -> Result<SignedAttributes, EnvelopeError> {
        let invalid = |m: String| EnvelopeError::InvalidSignature(m);
        let parameter = |name: &str| self.parameter(&Label::Text(name.to_owned()));
        let get = |name: &str| parameter(name).map(|(v, _)| v);
        // go-cose has checked that `crit` lists integers and texts.
        let crit: Vec<AttributeKey> = match self.value(&Label::Int(LABEL_CRIT)) {
            Some(Value::Array(labels)) => labels
                .iter()
                .filter_map(|label| match label {
                    Value::Integer(i) => i64::try_from(i128::from(*i)).ok().map(AttributeKey::Int),
                    Value::Text(t) => Some(AttributeKey::Text(t.clone())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let scheme_text = match get(header::SIGNING_SCHEME) {
            Some(Value::Text(t)) => t.clone(),
            _ => return Err(invalid("invalid signingScheme".into())),
        };
        let scheme = SigningScheme::parse(&scheme_text);
        // D3: crit lists the required headers ...
        let mut must: Vec<&str> = vec![header::SIGNING_SCHEME];
        if scheme == Some(SigningScheme::X509SigningAuthority) {
            must.push(header::AUTHENTIC_SIGNING_TIME);
        }
        if get(header::EXPIRY).is_some() {
            must.push(header::EXPIRY);
        }
        must.retain(|m| !crit.contains(&AttributeKey::Text(m.to_string())));
        if !must.is_empty() {
            return Err(invalid(format!(
                "these required headers are not marked as critical: [{}]",
                must.join(" ")
            )));
        }
        // ... names only headers that are present, and no COSE-defined
        // integer label 0-8. Past a few `crit` labels, the parameters are
        // looked up in a set: a hostile header may hold millions of both.
        let present: Option<HashSet<&Label>> = (crit.len() > FEW_CRITICAL)
            .then(|| self.parameters.iter().map(|(l, _, _)| l).collect());
        let is_present = |label: Label| match &present {
            Some(set) => set.contains(&label),
            None => self.parameters.iter().any(|(l, _, _)| *l == label),
        };
        for c in &crit {
            match c {
                AttributeKey::Int(i) if (0..=8).contains(i) => {
                    return Err(invalid(format!("crit header must not contain label {i}")));
                }
                AttributeKey::Int(i) => {
                    if !is_present(Label::Int(*i)) {
                        return Err(invalid(format!(
                            "\"{i}\" header is marked critical but not present"
                        )));
                    }
                }
                AttributeKey::Text(t) => {
                    if !is_present(Label::Text(t.clone())) {
                        return Err(invalid(format!(
                            "{t:?} header is marked critical but not present"
                        )));
                    }
                }
            }
        }
        self.algorithm()?;
        let scheme =
            scheme.ok_or_else(|| invalid(format!("unsupported signingScheme: {scheme_text}")))?;
        // B2: the scheme's own time header is read; the other one is
        // ignored in COSE (notation-core-go refuses it in JWS only).
        let signing_time = parse_time(parameter(scheme.time_header()), scheme.time_header())
            .map_err(|e| invalid(format!("invalid signingTime: {e}")))?;
        // An expiry equal to Go's zero time is no expiry there.
        let expiry = match parameter(header::EXPIRY) {
            Some(v) => Some(
                parse_time(Some(v), header::EXPIRY)
                    .map_err(|e| invalid(format!("invalid expiry: {e}")))?,
            ),
            None => None,
        }
        .filter(|t| *t != super::GO_ZERO_TIME);
        let critical: Option<HashSet<&AttributeKey>> =
            (crit.len() > FEW_CRITICAL).then(|| crit.iter().collect());
        let extended = self
            .extended_parameters()
            .map(|(key, v, _)| ExtendedAttribute {
                critical: match &critical {
                    Some(set) => set.contains(&key),
                    None => crit.contains(&key),
                },
                key,
                value: cbor_to_json(v),
            })
            .collect();
        Ok(SignedAttributes {
            content_type,
            signing_scheme: scheme,
            signing_time,
            expiry,
            extended,
        })
    }
}

impl CoseEnvelope {
    /// The parameters that are extended attributes, in order: every one
    /// but notation-core-go's system headers (a `kid` among them is one).
    fn extended_parameters(&self) -> impl Iterator<Item = (AttributeKey, &Value, usize)> {
        let known = [
            header::SIGNING_SCHEME,
            header::SIGNING_TIME,
            header::AUTHENTIC_SIGNING_TIME,
            header::EXPIRY,
        ];
        self.parameters.iter().filter_map(move |(l, v, at)| {
            let key = match l {
                Label::Int(i) if [LABEL_ALG, LABEL_CRIT, LABEL_CONTENT_TYPE].contains(i) => {
                    return None;
                }
                Label::Text(t) if known.contains(&t.as_str()) => return None,
                Label::Int(i) => AttributeKey::Int(*i),
                Label::Text(t) => AttributeKey::Text(t.clone()),
            };
            Some((key, v, at.start))
        })
    }

    /// Each extended attribute with its value as Go's `fmt.Sprint` prints
    /// what go-cose decoded (see [`Envelope::extended_attribute_texts`]).
    pub(crate) fn extended_attribute_texts(&self) -> Vec<(AttributeKey, String)> {
        self.extended_parameters()
            .map(|(key, _, at)| (key, super::cose_decode::go_v(&self.protected, at, false)))
            .collect()
    }
}

/// A time header (its value as go-cose decodes it, and its encoded item),
/// as notation-core-go's `parseTime` reads it: a Go `time.Time` (tags 0
/// and 1) encoded under tag 1; nothing else is a time.
// Requirements: D2.
fn parse_time(parameter: Option<(&Value, &[u8])>, label: &str) -> Result<OffsetDateTime, String> {
    let (value, encoded) = match parameter {
        None | Some((Value::Null, _)) => {
            return Err(format!("protected header {label:?} is missing"));
        }
        Some(parameter) => parameter,
    };
    let Value::Tag(0 | 1, inner) = value else {
        return Err("invalid timeValue type".into());
    };
    // The tag of the encoded item, a self-described one included.
    if super::cose_decode::first_tag(encoded) != Some(1) {
        return Err("only Tag `1` Datetime CBOR object is supported".into());
    }
    let nanos: i128 = match inner.as_ref() {
        Value::Integer(i) => {
            let secs =
                i64::try_from(i128::from(*i)).map_err(|_| "time out of range".to_string())?;
            i128::from(secs) * 1_000_000_000
        }
        // NaN and the infinities are Go's zero time.
        Value::Float(f) if !f.is_finite() => return Ok(super::GO_ZERO_TIME),
        // A fraction of a second is kept, as Go's CBOR decoder keeps it
        // (`time.Unix(seconds, fraction * 1e9)`): it decides comparisons
        // within one second (an expiry 0.5 s after the signing time).
        Value::Float(f) if f.abs() < 1e15 => {
            let secs = f.trunc();
            i128::from(secs as i64) * 1_000_000_000 + ((f - secs) * 1e9) as i128
        }
        _ => return Err("invalid timeValue type".into()),
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| e.to_string())
}

/// go-cose's `Algorithm.String`.
fn go_cose_algorithm_name(alg: i64) -> String {
    match alg {
        -37 => "PS256".into(),
        -38 => "PS384".into(),
        -39 => "PS512".into(),
        -257 => "RS256".into(),
        -258 => "RS384".into(),
        -259 => "RS512".into(),
        -7 => "ES256".into(),
        -35 => "ES384".into(),
        -36 => "ES512".into(),
        -8 => "EdDSA".into(),
        0 => "Reserved".into(),
        // Go's `int` of an int64 is itself on 64-bit platforms.
        other => format!("Algorithm({other})"),
    }
}

/// A CBOR value as JSON, for extended attributes.
fn cbor_to_json(v: &Value) -> serde_json::Value {
    use base64::Engine;
    match v {
        // An integer past Go's int64 (go-cose refuses an unsigned one) is
        // a `big.Int`, as a bignum is: a struct of unexported fields, which
        // Go's JSON encoder writes as `{}`.
        Value::Integer(i) => match i64::try_from(i128::from(*i)) {
            Ok(n) => n.into(),
            Err(_) => serde_json::json!({}),
        },
        Value::Tag(2 | 3, _) => serde_json::json!({}),
        Value::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b).into(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Text(t) => t.clone().into(),
        Value::Bool(b) => (*b).into(),
        Value::Null => serde_json::Value::Null,
        // As Go's JSON encoder writes what fxamacker/cbor decodes: a time
        // for tags 0 and 1 (RFC 3339, UTC where the reference uses the
        // local zone), and a `cbor.Tag` struct for other tags (a
        // self-described tag among them where decoding keeps it, in
        // another tag's content).
        Value::Tag(0 | 1, inner) => match cbor_time(inner) {
            Some(t) => crate::timefmt::rfc3339_nano(t).into(),
            None => cbor_to_json(inner),
        },
        Value::Tag(number, inner) => serde_json::json!({
            "Number": number,
            "Content": cbor_to_json(inner),
        }),
        Value::Array(items) => items.iter().map(cbor_to_json).collect::<Vec<_>>().into(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| {
                let key = match k {
                    Value::Text(t) => t.clone(),
                    other => cbor_to_json(other).to_string(),
                };
                (key, cbor_to_json(v))
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        _ => serde_json::Value::Null,
    }
}

/// The time of a tag 0 (RFC 3339 text) or tag 1 (seconds since the epoch)
/// content.
fn cbor_time(content: &Value) -> Option<OffsetDateTime> {
    match content {
        Value::Text(t) => crate::timefmt::parse_rfc3339(t).ok(),
        Value::Integer(n) => {
            OffsetDateTime::from_unix_timestamp(i64::try_from(i128::from(*n)).ok()?).ok()
        }
        // NaN and the infinities are Go's zero time; otherwise
        // time.Unix(int64(seconds), int64(fraction*1e9)) of math.Modf.
        Value::Float(f) if !f.is_finite() => Some(super::GO_ZERO_TIME),
        Value::Float(f) => {
            let seconds = f.trunc();
            let nanos = i128::from(seconds as i64) * 1_000_000_000
                + i128::from(((f - seconds) * 1e9) as i64);
            OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
        }
        _ => None,
    }
}

/// A JSON value as CBOR, for extended attributes we sign.
fn json_to_cbor(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Integer(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Integer(u.into())
            } else {
                Value::Float(n.as_f64().unwrap_or_default())
            }
        }
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(json_to_cbor).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (Value::Text(k.clone()), json_to_cbor(v)))
                .collect(),
        ),
    }
}

fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing to a Vec cannot fail");
    out
}

/// Sorts map entries in the canonical length-first order of RFC 7049
/// section 3.9 (what the reference's CBOR encoder does).
fn canonical_map(entries: Vec<(Value, Value)>) -> Value {
    let mut keyed: Vec<(Vec<u8>, (Value, Value))> = entries
        .into_iter()
        .map(|(k, v)| (encode(&k), (k, v)))
        .collect();
    keyed.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
    Value::Map(keyed.into_iter().map(|(_, e)| e).collect())
}

fn time_value(t: OffsetDateTime) -> Value {
    Value::Tag(1, Box::new(Value::Integer(t.unix_timestamp().into())))
}

/// The protected header bytes of a sign request, in canonical
/// order. `crit` is ordered signingScheme, authenticSigningTime, expiry,
/// extended critical attributes, as the reference orders it.
// Requirements: D2, D3.
pub(crate) fn protected_header(
    req: &SignRequest<'_>,
    alg: SignatureAlgorithm,
) -> Result<Vec<u8>, SignError> {
    let text = |s: &str| Value::Text(s.to_string());
    let mut crit = vec![text(header::SIGNING_SCHEME)];
    let mut entries = vec![
        (
            Value::Integer(1.into()),
            Value::Integer(alg.cose_id().into()),
        ),
        (Value::Integer(3.into()), text(&req.content_type)),
        (
            text(header::SIGNING_SCHEME),
            text(req.signing_scheme.as_str()),
        ),
        (
            text(req.signing_scheme.time_header()),
            time_value(req.signing_time),
        ),
    ];
    if req.signing_scheme == SigningScheme::X509SigningAuthority {
        crit.push(text(header::AUTHENTIC_SIGNING_TIME));
    }
    if let Some(expiry) = req.expiry {
        crit.push(text(header::EXPIRY));
        entries.push((text(header::EXPIRY), time_value(expiry)));
    }
    for attr in &req.extended {
        let key = match &attr.key {
            AttributeKey::Text(t) => text(t),
            AttributeKey::Int(i) => Value::Integer((*i).into()),
        };
        if matches!(key, Value::Integer(_)) && matches!(attr.key, AttributeKey::Int(0..=8)) {
            return Err(SignError::InvalidRequest(format!(
                "label {} is reserved",
                attr.key
            )));
        }
        if entries.iter().any(|(k, _)| *k == key) {
            return Err(SignError::InvalidRequest(format!(
                "{} already exists in the protected header",
                attr.key
            )));
        }
        if attr.critical {
            crit.push(key.clone());
        }
        entries.push((key, json_to_cbor(&attr.value)));
    }
    entries.push((Value::Integer(2.into()), Value::Array(crit)));
    Ok(encode(&canonical_map(entries)))
}

/// Encodes `COSE_Sign1_Tagged` from its parts; the unprotected map is put in
/// canonical order.
pub(crate) fn encode_message(
    protected: &[u8],
    unprotected: Vec<(Value, Value)>,
    payload: &[u8],
    signature: &[u8],
) -> Vec<u8> {
    encode(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected.to_vec()),
            canonical_map(unprotected),
            Value::Bytes(payload.to_vec()),
            Value::Bytes(signature.to_vec()),
        ])),
    ))
}

/// The `Sig_structure` for a protected header and payload.
// Requirements: D6.
pub(crate) fn to_be_signed(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    encode(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.to_vec()),
    ]))
}

/// Builds and signs a COSE envelope (notation-core-go `cose.Sign`).
pub(crate) fn sign(req: &SignRequest<'_>, key_spec: KeySpec) -> Result<Vec<u8>, SignError> {
    let alg = key_spec.signature_algorithm();
    let protected = protected_header(req, alg)?;
    let tbs = to_be_signed(&protected, &req.payload);
    let (signature, chain) = sign_bytes(req.signer, &tbs)?;
    let mut unprotected = vec![(
        Value::Integer(LABEL_X5CHAIN.into()),
        Value::Array(
            chain
                .iter()
                .map(|c| Value::Bytes(c.der().to_vec()))
                .collect(),
        ),
    )];
    if let Some(agent) = req.signing_agent.as_ref().filter(|a| !a.is_empty()) {
        unprotected.push((
            Value::Text(header::SIGNING_AGENT.into()),
            Value::Text(agent.clone()),
        ));
    }
    if let (SigningScheme::X509, Some(tsa)) = (req.signing_scheme, req.timestamper) {
        let token = tsa
            .timestamp(&signature, alg.hash())
            .map_err(SignError::Timestamp)?;
        unprotected.push((
            Value::Text(header::TIMESTAMP_SIGNATURE.into()),
            Value::Bytes(token),
        ));
    }
    Ok(encode_message(
        &protected,
        unprotected,
        &req.payload,
        &signature,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{Envelope, EnvelopeFormat};
    use crate::signer::LocalSigner;

    #[test]
    fn tagged_extended_attributes_are_what_go_sends_plugins() {
        // fxamacker/cbor decodes tags 0 and 1 into time.Time, which Go's
        // JSON encoder writes as RFC 3339; other tags into cbor.Tag.
        let tag = |n, v| Value::Tag(n, Box::new(v));
        assert_eq!(
            cbor_to_json(&tag(1, Value::Integer(1_700_000_000.into()))),
            serde_json::json!("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            cbor_to_json(&tag(1, Value::Float(1_700_000_000.5))),
            serde_json::json!("2023-11-14T22:13:20.5Z")
        );
        assert_eq!(
            cbor_to_json(&tag(0, Value::Text("2023-11-14T23:13:20+01:00".into()))),
            serde_json::json!("2023-11-14T23:13:20+01:00")
        );
        assert_eq!(
            cbor_to_json(&tag(100, Value::Text("x".into()))),
            serde_json::json!({"Number": 100, "Content": "x"})
        );
        // Decoding drops a self-described tag except in a tag's content,
        // where Go keeps it as a `cbor.Tag`.
        assert_eq!(
            cbor_to_json(&tag(100, tag(55799, Value::Integer(5.into())))),
            serde_json::json!({"Number": 100, "Content": {"Number": 55799, "Content": 5}})
        );
        let (mut pos, item) = (
            0,
            [
                0xd9, 0xd9, 0xf7, 0x82, 0xd9, 0xd9, 0xf7, 0x05, 0xd8, 0x64, 0xd9, 0xd9, 0xf7, 0x05,
            ],
        );
        // 55799([55799(5), 100(55799(5))])
        let value = super::super::cose_decode::go_value_for_tests(&item, &mut pos).unwrap();
        assert_eq!(
            cbor_to_json(&value),
            serde_json::json!([5, {"Number": 100, "Content": {"Number": 55799, "Content": 5}}])
        );
    }

    fn vector() -> serde_json::Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/11-envelope-encoding/cose-conformance.json"
        );
        serde_json::from_slice(&std::fs::read(path).expect("conformance vector 11 is required"))
            .unwrap()
    }

    const TEST_PAYLOAD: &[u8] = br#"{"targetArtifact":{}}"#;

    /// A COSE_Sign1 message of `protected` over [`TEST_PAYLOAD`], signed
    /// by `signer`, its chain as `x5chain`; and the signature.
    fn signed_message(signer: &LocalSigner, protected: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (signature, chain) =
            sign_bytes(signer, &to_be_signed(protected, TEST_PAYLOAD)).unwrap();
        let certificates = chain
            .iter()
            .map(|c| Value::Bytes(c.der().to_vec()))
            .collect();
        let message = encode_message(
            protected,
            vec![(
                Value::Integer(LABEL_X5CHAIN.into()),
                Value::Array(certificates),
            )],
            TEST_PAYLOAD,
            &signature,
        );
        (message, signature)
    }

    fn test_signer() -> LocalSigner {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki/");
        LocalSigner::from_pem(
            &std::fs::read(format!("{dir}rsa-3072.key")).unwrap(),
            &std::fs::read(format!("{dir}rsa-3072.chain.pem")).unwrap(),
        )
        .unwrap()
    }

    // B2: in COSE the other scheme's time header is ignored, as
    // notation-core-go ignores it (only its JWS envelope refuses it).
    /// go-cose refuses a tagged COSE_Sign1 whose tag or array head is not
    /// in its shortest encoding; the same message with them short parses.
    #[test]
    fn only_the_shortest_tag_and_array_head_parse() {
        let signer = test_signer();
        let payload = br#"{"targetArtifact":{"mediaType":"m","digest":"sha256:ab","size":1}}"#;
        let bytes = sign(&SignRequest::new(payload.to_vec(), &signer), KeySpec::Ec256).unwrap();
        assert_eq!(&bytes[..2], &[0xd2, 0x84]);
        assert!(CoseEnvelope::parse(&bytes).is_ok());
        let long_tag = [&[0xd8, 0x12][..], &bytes[1..]].concat();
        let long_array = [&[0xd2, 0x98, 0x04][..], &bytes[2..]].concat();
        for bad in [long_tag, long_array] {
            let e = CoseEnvelope::parse(&bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                EnvelopeError::Malformed("cbor: invalid COSE_Sign1_Tagged object".into())
                    .to_string()
            );
        }
    }

    /// The unprotected header is not signed: values go-cose decodes there
    /// (an empty `kid`, an unregistered `alg`, a simple value without a
    /// name; a COSE library's stricter model refuses them) leave a valid
    /// signature valid, and the parameters Notation reads are read as
    /// before.
    #[test]
    fn unsigned_values_go_cose_decodes_leave_a_signature_valid() {
        let signer = test_signer();
        let req = SignRequest::new(br#"{"targetArtifact":{}}"#.to_vec(), &signer)
            .signing_agent(Some("agent/1".into()));
        let bytes = sign(&req, KeySpec::Rsa3072).unwrap();
        let (map, _) = unprotected_at(&bytes);
        let pairs = bytes[map] - 0xa0;
        assert!(pairs < 20);
        let extra = [0x04, 0x40, 0x01, 0x18, 0x4d, 0x61, b'z', 0xf0];
        let edited = [
            &bytes[..map],
            &[0xa0 + pairs + 3],
            &extra,
            &bytes[map + 1..],
        ]
        .concat();
        let verified = Envelope::parse(EnvelopeFormat::Cose, &edited)
            .unwrap()
            .verify(&crate::crypto::DefaultProvider)
            .unwrap();
        let original = Envelope::parse(EnvelopeFormat::Cose, &bytes)
            .unwrap()
            .verify(&crate::crypto::DefaultProvider)
            .unwrap();
        let unsigned = &verified.signer_info.unsigned;
        assert_eq!(unsigned.signing_agent.as_deref(), Some("agent/1"));
        assert_eq!(unsigned.timestamp_signature, None);
        assert_eq!(
            verified.signer_info.certificate_chain,
            original.signer_info.certificate_chain
        );
        assert_eq!(verified.payload, original.payload);
        // A changed signed byte still fails.
        let mut tampered = edited.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(
            Envelope::parse(EnvelopeFormat::Cose, &tampered)
                .unwrap()
                .verify(&crate::crypto::DefaultProvider)
                .is_err()
        );
    }

    /// The protected header is read as go-cose decodes it: every parameter
    /// but `alg`, `crit`, the content type and Notary's own is an extended
    /// attribute (a `kid` too, even empty), a simple value without a name
    /// is its number, and a big integer is what Go's JSON encoder makes of
    /// a `big.Int` value. A signature over such a header verifies.
    #[test]
    fn protected_parameters_are_read_as_go_cose_decodes_them() {
        let signer = test_signer();
        let text = |t: &str| encode(&Value::Text(t.into()));
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (vec![0x01], vec![0x38, 0x25]), // alg: PS384 (-38)
            (
                vec![0x02],
                encode(&Value::Array(vec![Value::Text(
                    header::SIGNING_SCHEME.into(),
                )])),
            ),
            (vec![0x03], text(crate::payload::PAYLOAD_MEDIA_TYPE)),
            (text(header::SIGNING_SCHEME), text("notary.x509")),
            (
                text(header::SIGNING_TIME),
                vec![0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00],
            ),
            (vec![0x04], vec![0x40]), // kid: empty
            (text("s"), vec![0xf0]),  // simple(16)
            (text("b"), [&[0xc2, 0x54][..], &[1; 20]].concat()), // bignum
            (text("n"), [&[0x3b][..], &[0xff; 8]].concat()), // -2^64
            (text("u"), vec![0xd9, 0xd9, 0xf7, 0x05]), // self-described 5
        ];
        let mut protected = vec![0xa0 + pairs.len() as u8];
        for (k, v) in &pairs {
            protected.extend_from_slice(k);
            protected.extend_from_slice(v);
        }
        let payload = TEST_PAYLOAD.to_vec();
        let (message, signature) = signed_message(&signer, &protected);
        let envelope = Envelope::parse(EnvelopeFormat::Cose, &message).unwrap();
        let content = envelope.verify(&crate::crypto::DefaultProvider).unwrap();
        let extended: Vec<(String, serde_json::Value, bool)> = content
            .signer_info
            .signed
            .extended
            .iter()
            .map(|a| (a.key.to_string(), a.value.clone(), a.critical))
            .collect();
        assert_eq!(
            extended,
            [
                ("4".to_string(), serde_json::json!(""), false),
                ("s".to_string(), serde_json::json!(16), false),
                ("b".to_string(), serde_json::json!({}), false),
                ("n".to_string(), serde_json::json!({}), false),
                ("u".to_string(), serde_json::json!(5), false),
            ]
        );
        // As the reference CLI prints them: Go's %v of what go-cose decoded
        // (checked against Go: big.Int values print as their fields).
        let texts: Vec<(String, String)> = envelope
            .extended_attribute_texts()
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let text_pairs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            texts,
            text_pairs(&[
                ("4", "[]"),
                ("s", "16"),
                (
                    "b",
                    "{false [72340172838076673 72340172838076673 16843009]}"
                ),
                ("n", "{true [0 1]}"),
                ("u", "5"),
            ])
        );
        // A byte string, a map (printed with its keys sorted), an array, a
        // time, a tag.
        let mut more = protected.clone();
        more[0] += 2;
        more.extend_from_slice(&text("x"));
        // {"zz": h'010203', 7: 100("x"), -3: [1.5, true, null], "a": 1(1700000000)}
        more.extend_from_slice(&[
            0xa4, 0x62, b'z', b'z', 0x43, 1, 2, 3, 0x07, 0xd8, 0x64, 0x61, b'x', 0x22, 0x83, 0xf9,
            0x3e, 0x00, 0xf5, 0xf6, 0x61, b'a', 0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00,
        ]);
        more.extend_from_slice(&text("y"));
        more.extend_from_slice(&[0xc6, 0x41, 9]); // 6(h'09')
        let message = encode_message(
            &more,
            vec![(
                Value::Integer(LABEL_X5CHAIN.into()),
                Value::Array(Vec::new()),
            )],
            &payload,
            &signature,
        );
        let texts: Vec<(String, String)> = Envelope::parse(EnvelopeFormat::Cose, &message)
            .unwrap()
            .extended_attribute_texts()
            .unwrap()
            .into_iter()
            .skip(5)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(
            texts,
            text_pairs(&[
                (
                    "x",
                    "map[-3:[1.5 true <nil>] 7:{100 x} a:2023-11-14 22:13:20 +0000 UTC zz:[1 2 3]]"
                ),
                ("y", "{6 [9]}"),
            ])
        );
        // fmt's order of map keys: nil first, each type by value, types in
        // a fixed order (checked against Go 1.19).
        for (item, go) in [
            (
                &[0xa2, 0x61, b'b', 0x01, 0xf6, 0x02][..],
                "map[<nil>:2 b:1]",
            ),
            (
                &[0xa2, 0xf9, 0x41, 0x00, 0x01, 0xf9, 0x3e, 0x00, 0x02],
                "map[1.5:2 2.5:1]",
            ),
            (
                &[0xa2, 0x41, 2, 0x01, 0x41, 1, 0x02],
                "map[\u{1}:2 \u{2}:1]",
            ),
            (
                &[0xa3, 0xf5, 0x01, 0xf4, 0x02, 0x01, 0x03],
                "map[false:2 true:1 1:3]",
            ),
            (
                &[
                    0xa3, 0xf9, 0x7e, 0x00, 0x01, 0xf9, 0x80, 0x00, 0x02, 0x20, 0x03,
                ],
                "map[NaN:1 -0:2 -1:3]",
            ),
        ] {
            assert_eq!(super::super::cose_decode::go_v(item, 0, false), go);
        }
        // An `alg` given as text is go-cose's error.
        let mut texts = protected.clone();
        texts.splice(1..4, [0x01, 0x65, b'P', b'S', b'3', b'8', b'4']);
        let message = encode_message(&texts, Vec::new(), &payload, &signature);
        let e = Envelope::parse(EnvelopeFormat::Cose, &message)
            .unwrap()
            .content_unverified()
            .unwrap_err();
        assert_eq!(e.to_string(), r#"Algorithm("PS384")"#);
    }

    /// A header that marks 100,000 extended attributes critical is checked
    /// in linear time (past a few, labels are looked up in sets).
    #[test]
    fn many_critical_extended_attributes_are_linear() {
        let signer = test_signer();
        let text = |t: &str| encode(&Value::Text(t.into()));
        let n: u32 = 100_000;
        let label = |i: u32| text(&format!("x{i}"));
        let mut crit = vec![0x9a];
        crit.extend_from_slice(&(n + 1).to_be_bytes());
        crit.extend_from_slice(&text(header::SIGNING_SCHEME));
        let mut protected = vec![0xba];
        protected.extend_from_slice(&(n + 5).to_be_bytes());
        protected.extend_from_slice(&[0x01, 0x38, 0x25]); // alg: PS384
        protected.push(0x02);
        for i in 0..n {
            crit.extend_from_slice(&label(i));
        }
        protected.extend_from_slice(&crit);
        protected.push(0x03);
        protected.extend_from_slice(&text(crate::payload::PAYLOAD_MEDIA_TYPE));
        protected.extend_from_slice(&text(header::SIGNING_SCHEME));
        protected.extend_from_slice(&text("notary.x509"));
        protected.extend_from_slice(&text(header::SIGNING_TIME));
        protected.extend_from_slice(&[0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00]);
        for i in 0..n {
            protected.extend_from_slice(&label(i));
            protected.push(0x00);
        }
        let (message, _) = signed_message(&signer, &protected);
        let envelope = Envelope::parse(EnvelopeFormat::Cose, &message).unwrap();
        let content = envelope.verify(&crate::crypto::DefaultProvider).unwrap();
        let extended = &content.signer_info.signed.extended;
        assert_eq!(extended.len(), n as usize);
        assert!(extended.iter().all(|a| a.critical));
    }

    /// go-cose's `Sign1Message.Verify`: a detached payload first, then the
    /// declared algorithm against the leaf's, named as go-cose names them.
    #[test]
    fn verification_checks_and_texts_follow_go_cose() {
        let signer = test_signer();
        let chain = Value::Array(
            signer
                .certificate_chain()
                .iter()
                .map(|c| Value::Bytes(c.der().to_vec()))
                .collect(),
        );
        let verify = |alg: Value, payload: Option<&[u8]>| {
            let protected = encode(&Value::Map(vec![(Value::Integer(1.into()), alg)]));
            let mut message = encode_message(
                &protected,
                vec![(Value::Integer(LABEL_X5CHAIN.into()), chain.clone())],
                payload.unwrap_or_default(),
                &[1, 2, 3],
            );
            if payload.is_none() {
                // The payload (the third element) as `null`.
                let at = message.len() - 5;
                assert_eq!(message[at], 0x40);
                message[at] = 0xf6;
            }
            Envelope::parse(EnvelopeFormat::Cose, &message)
                .unwrap()
                .verify(&crate::crypto::DefaultProvider)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let int = |n: i64| Value::Integer(n.into());
        let err = |m: &str| Err(format!("signature is invalid. Error: {m}"));
        assert_eq!(verify(int(-7), None), err("missing payload"));
        assert_eq!(
            verify(int(-7), Some(b"x")),
            err("algorithm mismatch: verifier PS384: header ES256")
        );
        assert_eq!(
            verify(int(-257), Some(b"x")),
            err("algorithm mismatch: verifier PS384: header RS256")
        );
        assert_eq!(
            verify(int(77), Some(b"x")),
            err("algorithm mismatch: verifier PS384: header Algorithm(77)")
        );
        assert_eq!(
            verify(Value::Text("PS384".into()), Some(b"x")),
            err(r#"Algorithm("PS384")"#)
        );
        assert_eq!(verify(int(-38), Some(b"x")), err("verification error"));
    }

    /// Where the unprotected map of a signed message starts and ends.
    fn unprotected_at(message: &[u8]) -> (usize, usize) {
        let mut decoder = ciborium_ll::Decoder::from(&message[2..]);
        let ciborium_ll::Header::Bytes(Some(len)) = decoder.pull().unwrap() else {
            panic!("protected header");
        };
        let start = 2 + decoder.offset() + len;
        let mut rest = &message[start..];
        let _: ciborium::Value = ciborium::de::from_reader(&mut rest).unwrap();
        (start, message.len() - rest.len())
    }

    /// As notation-core-go's `Verify`: an `x5chain` leaf that is not a byte
    /// string is a malformed leaf; another element that is not is a chain
    /// that is not present, once the signature verifies.
    #[test]
    fn x5chain_elements_that_are_not_byte_strings() {
        let signer = test_signer();
        let req = SignRequest::new(br#"{"targetArtifact":{}}"#.to_vec(), &signer);
        let bytes = sign(&req, KeySpec::Rsa3072).unwrap();
        let (start, end) = unprotected_at(&bytes);
        let chain: Vec<ciborium::Value> = Envelope::parse(EnvelopeFormat::Cose, &bytes)
            .unwrap()
            .content_unverified()
            .unwrap()
            .signer_info
            .certificate_chain
            .iter()
            .map(|c| ciborium::Value::Bytes(c.der().to_vec()))
            .collect();
        let with = |at: usize, value: ciborium::Value| {
            let mut chain = chain.clone();
            chain[at] = value;
            chain
        };
        let verify = |chain: Vec<ciborium::Value>| {
            let map = encode(&ciborium::Value::Map(vec![(
                ciborium::Value::Integer(LABEL_X5CHAIN.into()),
                ciborium::Value::Array(chain),
            )]));
            let message = [&bytes[..start], &map, &bytes[end..]].concat();
            Envelope::parse(EnvelopeFormat::Cose, &message)
                .unwrap()
                .verify(&crate::crypto::DefaultProvider)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let one = ciborium::Value::Integer(1.into());
        assert!(chain.len() > 1);
        assert_eq!(verify(chain.clone()), Ok(()));
        assert_eq!(
            verify(with(0, one.clone())),
            Err("COSE envelope malformed leaf certificate".into())
        );
        assert_eq!(
            verify(with(1, one)),
            Err("certificate chain is not present".into())
        );
    }

    #[test]
    fn the_other_schemes_time_header_is_ignored() {
        let signer = test_signer();
        let req = SignRequest::new(br#"{"targetArtifact":{}}"#.to_vec(), &signer)
            .signing_scheme(SigningScheme::X509SigningAuthority)
            .extended_attribute(ExtendedAttribute::new(
                header::SIGNING_TIME,
                "not even a time".into(),
                false,
            ));
        let bytes = crate::envelope::sign(
            crate::envelope::EnvelopeFormat::Cose,
            &req,
            &crate::crypto::DefaultProvider,
        )
        .unwrap();
        let content =
            crate::envelope::Envelope::parse(crate::envelope::EnvelopeFormat::Cose, &bytes)
                .unwrap()
                .content_unverified()
                .unwrap();
        assert_eq!(
            content.signer_info.signed.signing_scheme,
            SigningScheme::X509SigningAuthority
        );
        assert!(content.signer_info.signed.extended.is_empty());
    }

    // D7: the protected header and the whole message are byte-identical to
    // notation-core-go's for the conformance request.
    #[test]
    fn conformance_encoding_is_byte_identical() {
        let v = vector();
        let signer = test_signer();
        let payload = crate::hex::decode(v["payload"].as_str().unwrap()).unwrap();
        let req = SignRequest::new(payload.clone(), &signer)
            .signing_time(
                OffsetDateTime::from_unix_timestamp(v["signingTime"].as_i64().unwrap()).unwrap(),
            )
            .expiry(Some(
                OffsetDateTime::from_unix_timestamp(v["expiry"].as_i64().unwrap()).unwrap(),
            ))
            .extended_attribute(ExtendedAttribute::new(
                "signedCritKey1",
                "signedCritValue1".into(),
                true,
            ))
            .extended_attribute(ExtendedAttribute::new(
                "signedKey1",
                "signedValue1".into(),
                false,
            ))
            .signing_agent(Some("NotationConformanceTest/1.0.0".into()));
        let protected = protected_header(&req, SignatureAlgorithm::Ps384).unwrap();
        let expected_protected = v["protectedHeaders"]["cborHex"]
            .as_str()
            .unwrap()
            .to_lowercase();
        assert_eq!(crate::hex::encode(&protected), expected_protected);

        // Substitute the vector's signature; the vector has no x5chain.
        let expected =
            crate::hex::decode(v["expectedOutput"]["cborHex"].as_str().unwrap()).unwrap();
        let parsed = CoseEnvelope::parse(&expected).unwrap();
        assert_eq!(parsed.protected, protected);
        let message = encode_message(
            &protected,
            vec![(
                Value::Text(header::SIGNING_AGENT.into()),
                Value::Text("NotationConformanceTest/1.0.0".into()),
            )],
            &payload,
            &parsed.signature,
        );
        assert_eq!(crate::hex::encode(&message), crate::hex::encode(&expected));
        let unprotected = v["unprotectedHeaders"]["cborHex"]
            .as_str()
            .unwrap()
            .to_lowercase();
        assert!(crate::hex::encode(&message).contains(&unprotected));
    }

    #[test]
    fn tag_one_times_keep_their_fraction() {
        let t = |v: Value| parse_time(Some((&Value::Tag(1, Box::new(v)), &[0xc1])), "t");
        assert_eq!(
            t(Value::Float(100.5)).unwrap(),
            OffsetDateTime::from_unix_timestamp_nanos(100_500_000_000).unwrap()
        );
        assert!(t(Value::Float(100.2)).unwrap() < t(Value::Float(100.7)).unwrap());
        assert_eq!(
            t(Value::Integer(7.into())).unwrap(),
            OffsetDateTime::from_unix_timestamp(7).unwrap()
        );
        // fxamacker/cbor decodes NaN and the infinities into Go's zero time.
        assert_eq!(
            t(Value::Float(f64::NAN)).unwrap(),
            super::super::GO_ZERO_TIME
        );
        assert_eq!(
            t(Value::Float(f64::INFINITY)).unwrap(),
            super::super::GO_ZERO_TIME
        );
    }

    /// notation-core-go's `parseTime` on what go-cose decoded: `nil` is a
    /// missing header; a time (tag 0 or 1) must be encoded under tag 1 (a
    /// self-described tag before it is another tag); anything else is not
    /// a time.
    #[test]
    fn time_headers_are_read_as_parse_time_reads_them() {
        let tag1 = Value::Tag(1, Box::new(Value::Integer(7.into())));
        let tag0 = Value::Tag(0, Box::new(Value::Text("2023-11-14T22:13:20Z".into())));
        type Parameter<'a> = Option<(&'a Value, &'a [u8])>;
        let cases: [(Parameter<'_>, Result<(), &str>); 7] = [
            (None, Err(r#"protected header "t" is missing"#)),
            (
                Some((&Value::Null, &[0xf6])),
                Err(r#"protected header "t" is missing"#),
            ),
            (Some((&tag1, &[0xc1, 0x07])), Ok(())),
            (
                Some((&tag1, &[0xd9, 0xd9, 0xf7, 0xc1, 0x07])),
                Err("only Tag `1` Datetime CBOR object is supported"),
            ),
            (
                Some((&tag0, &[0xc0])),
                Err("only Tag `1` Datetime CBOR object is supported"),
            ),
            (
                Some((&Value::Integer(1.into()), &[0x01])),
                Err("invalid timeValue type"),
            ),
            (
                Some((
                    &Value::Tag(100, Box::new(Value::Integer(1.into()))),
                    &[0xd8, 0x64, 0x01],
                )),
                Err("invalid timeValue type"),
            ),
        ];
        for (parameter, want) in cases {
            assert_eq!(
                parse_time(parameter, "t").map(|_| ()),
                want.map_err(str::to_owned),
                "{parameter:?}"
            );
        }
    }

    #[test]
    fn rejects_untagged_and_garbage() {
        assert!(CoseEnvelope::parse(&[]).is_err());
        assert!(CoseEnvelope::parse(&[0x84, 0x40, 0xa0, 0x40, 0x40]).is_err());
        assert!(CoseEnvelope::parse(&[0xd2, 0x84, 0x40, 0xa0, 0x40]).is_err());
        assert!(CoseEnvelope::parse(&[0xff; 64]).is_err());
    }
}
