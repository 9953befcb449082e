//! The COSE_Sign1 envelope.
//!
//! Decoding follows go-cose's rules (the private `decode` module),
//! which give the protected header's bytes (for the `Sig_structure`) and
//! parameters, and the few unprotected parameters Notation uses. Encoding
//! builds both header maps in the canonical length-first key order that the
//! reference's CBOR library produces, so our messages are byte-identical to
//! notation-core-go's for the same input (vector
//! `11-envelope-encoding/cose-conformance.json`).
// Requirements: D1-D7.

mod decode;
mod go_value;
#[cfg(test)]
mod tests;
mod wellformed;

use std::collections::HashSet;

use ciborium::value::Value;
use time::OffsetDateTime;

use decode::Label;

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
        let checked = decode::check(bytes).map_err(EnvelopeError::Malformed)?;
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
            .map(|(key, _, at)| (key, go_value::go_v(&self.protected, at, false)))
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
    if decode::first_tag(encoded) != Some(1) {
        return Err("only Tag `1` Datetime CBOR object is supported".into());
    }
    let nanos: i128 = match inner.as_ref() {
        Value::Integer(i) => {
            let secs =
                i64::try_from(i128::from(*i)).map_err(|_| "time out of range".to_string())?;
            go_unix_nanos(secs, 0)
        }
        // NaN and the infinities are Go's zero time.
        Value::Float(f) if !f.is_finite() => return Ok(super::GO_ZERO_TIME),
        // A fraction of a second is kept, as Go's CBOR decoder keeps it
        // (`time.Unix(seconds, fraction * 1e9)`): it decides comparisons
        // within one second (an expiry 0.5 s after the signing time).
        Value::Float(f) => {
            let secs = f.trunc();
            go_unix_nanos(go_value::go_int64_of_float(secs), ((f - secs) * 1e9) as i64)
        }
        _ => return Err("invalid timeValue type".into()),
    };
    // Go's times reach far past the years 9999 and -9999 that ours do: a
    // time beyond them is the nearest one we have. It compares as Go's
    // does with every time within them (certificate validity, the clock),
    // and is printed as that bound.
    let bound = if nanos < 0 {
        time::PrimitiveDateTime::MIN
    } else {
        time::PrimitiveDateTime::MAX
    };
    Ok(OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(bound.assume_utc()))
}

/// Nanoseconds since the epoch of Go's `time.Unix(secs, nanos)`, as Go
/// compares it: Go keeps seconds since year 1 in an `int64`, so a time
/// within 62,135,596,800 seconds of `math.MaxInt64` wraps to the far past.
fn go_unix_nanos(secs: i64, nanos: i64) -> i128 {
    const UNIX_TO_INTERNAL: i64 = 62_135_596_800;
    let secs = i128::from(secs.wrapping_add(UNIX_TO_INTERNAL)) - i128::from(UNIX_TO_INTERNAL);
    secs * 1_000_000_000 + i128::from(nanos)
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
