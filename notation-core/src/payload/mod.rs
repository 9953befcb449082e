//! The Notary payload and the descriptor it signs.
// Requirements: A1-A8.

mod go_json;
pub(crate) use go_json::DESCRIPTOR_NAMES;
mod media_type;

pub use media_type::{MediaTypeError, check_media_type};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::algorithm::HashAlgorithm;

/// Media type of the Notary payload.
// Requirements: B4.
pub const PAYLOAD_MEDIA_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";

/// Prefix of annotation keys reserved for the Notary Project.
// Requirements: A4.
pub const RESERVED_ANNOTATION_PREFIX: &str = "io.cncf.notary";

/// Default blob media type.
// Requirements: A3.
pub const DEFAULT_BLOB_MEDIA_TYPE: &str = "application/octet-stream";

/// An OCI content descriptor as signed in `targetArtifact`: exactly the
/// fields Notation signs. A parsed payload is read as the reference (Go)
/// reads it: unknown fields are ignored, member names match
/// case-insensitively, and a member that is missing or `null` keeps its
/// zero value (an empty media type or digest, a size of 0; a `null`
/// annotation value is an empty one), which the comparison with the
/// artifact then judges.
// Requirements: A6 (and A3: the reference does not require the members).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the artifact.
    pub media_type: String,
    /// Digest, `<algorithm>:<hex>`.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Annotations, including user metadata.
    // Requirements: A5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl Descriptor {
    /// A descriptor without annotations.
    pub fn new(media_type: impl Into<String>, digest: impl Into<String>, size: u64) -> Self {
        Self {
            media_type: media_type.into(),
            digest: digest.into(),
            size,
            annotations: None,
        }
    }

    /// The descriptor of `data` under `hash`.
    pub fn of_bytes(media_type: impl Into<String>, hash: HashAlgorithm, data: &[u8]) -> Self {
        Self::new(
            media_type,
            format!(
                "{}:{}",
                hash.digest_name(),
                crate::hex::encode(&hash.digest(data))
            ),
            data.len() as u64,
        )
    }

    /// The descriptor of everything `reader` yields, hashed as it streams.
    pub fn of_reader(
        media_type: impl Into<String>,
        hash: HashAlgorithm,
        reader: &mut dyn std::io::Read,
    ) -> std::io::Result<Self> {
        let mut hasher = hash.hasher();
        let size = std::io::copy(reader, &mut hasher)?;
        Ok(Self::new(
            media_type,
            format!(
                "{}:{}",
                hash.digest_name(),
                crate::hex::encode(&hasher.finish())
            ),
            size,
        ))
    }

    /// Whether `other` names the same content: media type, digest and size
    /// only, as the reference compares.
    // Requirements: A6.
    pub fn same_content(&self, other: &Descriptor) -> bool {
        self.media_type == other.media_type
            && self.digest == other.digest
            && self.size == other.size
    }

    /// Adds user metadata as annotations: reserved keys and keys
    /// already present are refused.
    // Requirements: A4, A5.
    pub fn add_user_metadata(
        &mut self,
        metadata: &BTreeMap<String, String>,
    ) -> Result<(), UserMetadataError> {
        if metadata.is_empty() {
            return Ok(());
        }
        let annotations = self.annotations.get_or_insert_with(BTreeMap::new);
        for (k, v) in metadata {
            if k.starts_with(RESERVED_ANNOTATION_PREFIX) {
                return Err(UserMetadataError::ReservedPrefix(k.clone()));
            }
            if annotations.contains_key(k) {
                return Err(UserMetadataError::AlreadyPresent(k.clone()));
            }
            annotations.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    /// Checks that every `k=v` of `expected` is among the annotations.
    // Requirements: N10.
    pub fn has_user_metadata(&self, expected: &BTreeMap<String, String>) -> bool {
        expected.iter().all(|(k, v)| {
            self.annotations
                .as_ref()
                .and_then(|a| a.get(k))
                .is_some_and(|got| got == v)
        })
    }

    /// The user metadata: annotations without reserved keys.
    pub fn user_metadata(&self) -> BTreeMap<String, String> {
        self.annotations
            .iter()
            .flatten()
            .filter(|(k, _)| !k.starts_with(RESERVED_ANNOTATION_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Why user metadata cannot be added.
// Requirements: A4.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserMetadataError {
    /// A key with the reserved prefix.
    #[error("error adding user metadata: metadata key {0} has reserved prefix io.cncf.notary")]
    ReservedPrefix(String),
    /// A key the descriptor already has.
    #[error(
        "error adding user metadata: metadata key {0} is already present in the target artifact"
    )]
    AlreadyPresent(String),
}

/// The Notary payload `{"targetArtifact": descriptor}`.
// Requirements: A1.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    /// What is signed.
    pub target_artifact: Descriptor,
}

impl<'de> Deserialize<'de> for Descriptor {
    /// Reads a descriptor as the reference reads one (see the type's
    /// notes), refusing a member of the wrong type with Go's text.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        go_json::descriptor(d, false)
    }
}

impl<'de> Deserialize<'de> for Payload {
    /// Reads a payload as the reference reads one: a missing or `null`
    /// `targetArtifact` is the empty descriptor, which no artifact matches.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        go_json::payload(d, false)
    }
}

impl Payload {
    /// Wraps a descriptor.
    pub fn new(target_artifact: Descriptor) -> Self {
        Self { target_artifact }
    }

    /// The payload bytes as the reference writes them for COSE: Go's
    /// `json.Marshal` of the payload struct (field order mediaType, digest,
    /// size, annotations).
    pub fn to_json(&self) -> Vec<u8> {
        crate::json::to_vec_go(self).expect("payload serializes")
    }

    /// Parses payload bytes (only after the signature verified).
    // Requirements: A7.
    ///
    /// The bytes are read as the reference reads them (Go's
    /// `json.Unmarshal`), and refused with its text: a syntax error first,
    /// then the first member of the wrong type.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PayloadError> {
        crate::json::check_depth(bytes, crate::json::MAX_DEPTH).map_err(PayloadError::Malformed)?;
        // Text as Go's decoder reads it: invalid UTF-8 and lone surrogate
        // escapes become U+FFFD rather than failing.
        let text = crate::json::go_text(bytes);
        let mut de = serde_json::Deserializer::from_str(&text);
        go_json::payload(&mut de, true)
            .and_then(|p| de.end().map(|()| p))
            .map_err(|e| {
                // Go checks the syntax of the whole text before decoding
                // any of it. Text serde_json reads to the end is valid JSON
                // (the two grammars are the same once Go's text rules are
                // applied), so the check is only needed when reading fails.
                if let Some(syntax) = crate::json::go_syntax_error(text.as_bytes()) {
                    return PayloadError::Decode(syntax);
                }
                // Go's texts as they are; ours (a member given twice) with
                // where it is.
                let text = e.to_string();
                let at = format!(" at line {} column {}", e.line(), e.column());
                match text.strip_suffix(&at) {
                    Some(go) if go.starts_with("json: ") || go.starts_with("illegal base64") => {
                        PayloadError::Decode(go.to_owned())
                    }
                    _ => PayloadError::Malformed(text),
                }
            })
    }
}

/// A payload that is not a Notary payload.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// Not the expected shape where the reference would read it: a member
    /// given twice, a negative size, JSON nested too deep.
    #[error("malformed payload: {0}")]
    Malformed(String),
    /// Not JSON, or a member of the wrong type, with the reference's text
    /// (Go's `json.Unmarshal`).
    #[error("{0}")]
    Decode(String),
}

/// Parses `<algorithm>:<hex>` where the algorithm is one Notation hashes
/// with; returns the algorithm and the decoded digest.
pub fn parse_digest(digest: &str) -> Option<(HashAlgorithm, Vec<u8>)> {
    let (alg, hex) = digest.split_once(':')?;
    let alg = HashAlgorithm::from_digest_name(alg)?;
    if hex.len() != alg.output_len() * 2 || hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((alg, crate::hex::decode(hex)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text as Go's decoder reads it: invalid UTF-8 and a lone surrogate
    /// escape become U+FFFD (the reference verifies such a payload).
    #[test]
    fn payload_text_is_read_as_go_reads_it() {
        let mut bytes = br#"{"targetArtifact":{"mediaType":"m","digest":"sha256:ab","size":1,"annotations":{"a":"x"#.to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice(br#"","b":"\ud800"}}}"#);
        let payload = Payload::from_json(&bytes).unwrap();
        let annotations = payload.target_artifact.annotations.unwrap();
        assert_eq!(annotations["a"], "x\u{fffd}");
        assert_eq!(annotations["b"], "\u{fffd}");
    }

    /// The descriptor's other OCI fields are type-checked as Go's
    /// `ocispec.Descriptor` decoding checks them, and otherwise ignored.
    #[test]
    fn other_descriptor_fields_are_type_checked_as_in_go() {
        let payload = |extra: &str| {
            Payload::from_json(
                format!(
                    r#"{{"targetArtifact":{{"mediaType":"m","digest":"sha256:ab","size":1,{extra}}}}}"#
                )
                .as_bytes(),
            )
        };
        for ok in [
            r#""data":"aGk=""#,
            r#""data":null"#,
            r#""urls":["u",null]"#,
            r#""platform":{"architecture":"amd64","os":"linux","os.features":["f"],"other":1}"#,
            r#""platform":null"#,
            r#""artifactType":"a""#,
            r#""unknown":[1,{}]"#,
        ] {
            assert!(payload(ok).is_ok(), "{ok}");
        }
        for bad in [
            r#""data":"!""#,
            r#""data":"aGk""#,
            r#""urls":1"#,
            r#""platform":"x""#,
            r#""platform":{"os":1}"#,
            r#""artifactType":1"#,
            r#""URLS":1"#,
        ] {
            assert!(payload(bad).is_err(), "{bad}");
        }
    }

    /// A member missing or `null` keeps Go's zero value; `-0` is a size
    /// of 0; a size Go's `int64` does not take fails with Go's text.
    // Requirements: A3 (the reference does not require the members).
    #[test]
    fn missing_and_null_members_are_go_zero_values() {
        let descriptor = |json: &str| {
            Payload::from_json(format!(r#"{{"targetArtifact":{json}}}"#).as_bytes())
                .map(|p| p.target_artifact)
        };
        assert_eq!(
            descriptor(r#"{"digest":"sha256:ab","size":1}"#).unwrap(),
            Descriptor::new("", "sha256:ab", 1)
        );
        assert_eq!(
            descriptor(r#"{"mediaType":null,"digest":null,"size":null}"#).unwrap(),
            Descriptor::default()
        );
        assert_eq!(descriptor("{}").unwrap(), Descriptor::default());
        assert_eq!(descriptor("null").unwrap(), Descriptor::default());
        assert_eq!(
            descriptor(r#"{"mediaType":"m","digest":"d","size":-0}"#).unwrap(),
            Descriptor::new("m", "d", 0)
        );
        let annotated = descriptor(r#"{"annotations":{"a":null,"b":"x"}}"#).unwrap();
        assert_eq!(
            annotated.annotations.unwrap(),
            BTreeMap::from([("a".into(), String::new()), ("b".into(), "x".into())])
        );
        assert_eq!(
            descriptor(r#"{"annotations":null}"#).unwrap().annotations,
            None
        );
        assert_eq!(
            Payload::from_json(b"{}").unwrap().target_artifact,
            Descriptor::default()
        );
        for (size, text) in [
            (
                "3000.0",
                "cannot unmarshal number 3000.0 into Go struct field",
            ),
            ("1e3", "cannot unmarshal number 1e3 into Go struct field"),
            (
                "9223372036854775808",
                "cannot unmarshal number 9223372036854775808",
            ),
            (r#""1""#, "cannot unmarshal string into Go struct field"),
            ("true", "cannot unmarshal bool into Go struct field"),
            ("[]", "cannot unmarshal array into Go struct field"),
            ("{}", "cannot unmarshal object into Go struct field"),
            ("-1", "negative size -1"),
        ] {
            let err = descriptor(&format!(r#"{{"size":{size}}}"#)).unwrap_err();
            assert!(err.to_string().contains(text), "{size}: {err}");
        }
        assert_eq!(
            descriptor(r#"{"size":9223372036854775807}"#).unwrap().size,
            i64::MAX as u64
        );
    }

    /// A payload that does not decode gets the reference's text: Go's
    /// syntax error first, then its first type error in document order.
    // Requirements: A1, A2.
    #[test]
    fn decoding_errors_are_gos() {
        let err = |json: &str| match Payload::from_json(json.as_bytes()) {
            Err(PayloadError::Decode(e)) => e,
            other => panic!("{json}: {other:?}"),
        };
        let field = |path: &str, ty: &str, kind: &str| {
            format!("json: cannot unmarshal {kind} into Go struct field {path} of type {ty}")
        };
        assert_eq!(
            err("[]"),
            "json: cannot unmarshal array into Go value of type envelope.Payload"
        );
        assert_eq!(
            err(r#"{"targetArtifact":"x"}"#),
            field("Payload.targetArtifact", "v1.Descriptor", "string")
        );
        for (member, path, ty, kind) in [
            (r#""mediaType":1"#, "mediaType", "string", "number"),
            (r#""digest":true"#, "digest", "digest.Digest", "bool"),
            (r#""size":3000.0"#, "size", "int64", "number 3000.0"),
            (r#""size":"3""#, "size", "int64", "string"),
            (
                r#""annotations":[]"#,
                "annotations",
                "map[string]string",
                "array",
            ),
            (
                r#""annotations":{"a":1}"#,
                "annotations",
                "string",
                "number",
            ),
            (r#""urls":{}"#, "urls", "[]string", "object"),
            (r#""urls":[1]"#, "urls", "string", "number"),
            (r#""data":1"#, "data", "[]uint8", "number"),
            (r#""platform":"x""#, "platform", "v1.Platform", "string"),
            (r#""artifactType":{}"#, "artifactType", "string", "object"),
        ] {
            assert_eq!(
                err(&format!(r#"{{"targetArtifact":{{{member}}}}}"#)),
                field(&format!("Descriptor.targetArtifact.{path}"), ty, kind),
                "{member}"
            );
        }
        assert_eq!(
            err(r#"{"targetArtifact":{"platform":{"os.features":[1]}}}"#),
            field(
                "Platform.targetArtifact.platform.os.features",
                "string",
                "number"
            )
        );
        // The first in document order.
        assert_eq!(
            err(r#"{"targetArtifact":{"size":"1","mediaType":1}}"#),
            field("Descriptor.targetArtifact.size", "int64", "string")
        );
        assert_eq!(
            err(r#"{"targetArtifact":{"data":"!"}}"#),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            err(r#"{"targetArtifact":{}} x"#),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(err(r#"{"targetArtifact":"#), "unexpected end of JSON input");
        // A syntax error anywhere comes before a type error or a member
        // given twice ahead of it.
        assert_eq!(
            err(r#"{"targetArtifact":{"size":"1"},"x":[1,]}"#),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            err(r#"{"targetArtifact":{},"TARGETARTIFACT":{},"x":01}"#),
            "invalid character '1' after object key:value pair"
        );
        // Ours: a member given twice.
        assert!(matches!(
            Payload::from_json(br#"{"targetArtifact":{},"TARGETARTIFACT":{}}"#),
            Err(PayloadError::Malformed(_))
        ));
    }

    /// Through serde from any format (here a `serde_json::Value`, which
    /// holds numbers, not their text), a descriptor reads the same way.
    #[test]
    fn serde_reads_descriptors_from_values() {
        let d: Descriptor = serde_json::from_value(serde_json::json!({
            "MediaType": "m", "digest": "sha256:ab", "size": 5, "annotations": {"a": null}
        }))
        .unwrap();
        assert_eq!(d.size, 5);
        assert_eq!(d.media_type, "m");
        assert_eq!(d.annotations.unwrap()["a"], "");
        let e = serde_json::from_value::<Descriptor>(serde_json::json!({"size": 1.5})).unwrap_err();
        assert!(
            e.to_string().contains("Descriptor.targetArtifact.size"),
            "{e}"
        );
        let p: Payload = serde_json::from_value(serde_json::json!(null)).unwrap();
        assert_eq!(p, Payload::default());
    }

    #[test]
    fn payload_bytes_match_go() {
        let mut d = Descriptor::new("application/octet-stream", "sha256:ab", 12);
        assert_eq!(
            String::from_utf8(Payload::new(d.clone()).to_json()).unwrap(),
            r#"{"targetArtifact":{"mediaType":"application/octet-stream","digest":"sha256:ab","size":12}}"#
        );
        d.add_user_metadata(&[("b".to_string(), "<".to_string())].into())
            .unwrap();
        assert_eq!(
            String::from_utf8(Payload::new(d).to_json()).unwrap(),
            r#"{"targetArtifact":{"mediaType":"application/octet-stream","digest":"sha256:ab","size":12,"annotations":{"b":"\u003c"}}}"#
        );
    }

    #[test]
    fn user_metadata_rules() {
        let mut d = Descriptor::new("m", "sha256:ab", 1);
        let err = d
            .add_user_metadata(&[("io.cncf.notary.x".into(), "v".into())].into())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "error adding user metadata: metadata key io.cncf.notary.x has reserved prefix io.cncf.notary"
        );
        d.add_user_metadata(&[("k".into(), "v".into())].into())
            .unwrap();
        assert!(matches!(
            d.add_user_metadata(&[("k".into(), "w".into())].into()),
            Err(UserMetadataError::AlreadyPresent(_))
        ));
        assert!(d.has_user_metadata(&[("k".into(), "v".into())].into()));
        assert!(!d.has_user_metadata(&[("k".into(), "w".into())].into()));
        assert!(!d.has_user_metadata(&[("x".into(), "v".into())].into()));
    }

    #[test]
    fn digests() {
        let d = Descriptor::of_bytes("m", HashAlgorithm::Sha256, b"notation");
        let (alg, bytes) = parse_digest(&d.digest).unwrap();
        assert_eq!(alg, HashAlgorithm::Sha256);
        assert_eq!(bytes.len(), 32);
        assert!(parse_digest("sha256:AB").is_none());
        assert!(parse_digest("md5:00").is_none());
        let mut r: &[u8] = b"notation";
        assert_eq!(
            Descriptor::of_reader("m", HashAlgorithm::Sha256, &mut r).unwrap(),
            d
        );
    }
}
