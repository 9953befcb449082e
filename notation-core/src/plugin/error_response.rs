//! The error response a plugin writes to stderr with exit code 1, read as
//! notation-go reads it: `json.Unmarshal` into its `RequestError`, whose
//! `UnmarshalJSON` decodes a `plugin.Error` and refuses one with no member
//! set ("incomplete json"). A response that does not parse gets Go's text:
//! its syntax error, or its first type error in document order
//! (`json: cannot unmarshal number into Go struct field Error.errorCode of
//! type plugin.ErrorCode`). Member names match case-insensitively, a
//! member given twice takes its last value, `null` leaves a member as it
//! is, and invalid UTF-8 reads as U+FFFD, all as Go reads them.
// Requirements: R2.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::protocol::{ErrorCode, null_default, null_default_string_map};

/// The error response a plugin writes to stderr with exit code 1.
// Requirements: R2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The error code.
    pub error_code: ErrorCode,
    /// The message (optional).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub error_message: String,
    /// Extra key-value pairs (optional).
    #[serde(
        default,
        deserialize_with = "null_default_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_metadata: BTreeMap<String, String>,
}

/// The members of Go's `plugin.Error`, in its order.
const NAMES: [&str; 3] = ["errorCode", "errorMessage", "errorMetadata"];
/// Their Go types, as type errors name them.
const GO_TYPES: [&str; 3] = ["plugin.ErrorCode", "string", "map[string]string"];

impl ErrorResponse {
    /// An error response.
    pub fn new(error_code: ErrorCode, error_message: impl Into<String>) -> Self {
        Self {
            error_code,
            error_message: error_message.into(),
            error_metadata: BTreeMap::new(),
        }
    }

    /// Parses stderr as the reference does: JSON with at least one of the
    /// three members (`{}` is "incomplete json"); what does not parse gets
    /// Go's text.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        crate::json::check_depth(bytes, crate::json::MAX_DEPTH)?;
        if let Some(e) = crate::json::go_syntax_error(bytes) {
            return Err(e);
        }
        let text = crate::json::go_text(bytes);
        let mut de = serde_json::Deserializer::from_str(&text);
        let top = de.deserialize_any(TopVisitor).map_err(|e| e.to_string())?;
        let members = match top {
            Top::Null => Vec::new(),
            Top::Other(kind) => {
                return Err(format!(
                    "json: cannot unmarshal {kind} into Go value of type plugin.Error"
                ));
            }
            Top::Object(members) => members,
        };
        let (mut code, mut message) = (String::new(), String::new());
        let mut metadata: Option<BTreeMap<String, String>> = None;
        let mut first_error = None;
        for (name, value) in members {
            let Some(i) = crate::json::go_field(&name, &NAMES) else {
                continue;
            };
            let mut type_error = |kind: &str, go_type: &str| {
                first_error.get_or_insert_with(|| {
                    format!(
                        "json: cannot unmarshal {kind} into Go struct field Error.{} of type {go_type}",
                        NAMES[i]
                    )
                });
            };
            match (i, value) {
                (0 | 1, Value::Null) => {}
                (0, Value::String(s)) => code = s,
                (1, Value::String(s)) => message = s,
                (2, Value::Null) => metadata = None,
                (2, Value::Object(map)) => {
                    let entries = metadata.get_or_insert_with(BTreeMap::new);
                    for (key, value) in map {
                        match value {
                            Value::String(s) => {
                                entries.insert(key, s);
                            }
                            Value::Null => {
                                entries.insert(key, String::new());
                            }
                            other => type_error(crate::json::go_value_kind_name(&other), "string"),
                        }
                    }
                }
                (_, other) => type_error(crate::json::go_value_kind_name(&other), GO_TYPES[i]),
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        if code.is_empty() && message.is_empty() && metadata.is_none() {
            return Err("incomplete json".into());
        }
        Ok(Self {
            error_code: ErrorCode::from_name(&code),
            error_message: message,
            error_metadata: metadata.unwrap_or_default(),
        })
    }
}

/// The top-level JSON value: an object's members in document order, with
/// any repeated name kept (Go takes the last), or the kind of another value.
enum Top {
    Null,
    Other(&'static str),
    Object(Vec<(String, Value)>),
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("bool"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("string"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Value>()? {
            members.push(member);
        }
        Ok(Top::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_responses_parse_as_the_reference() {
        let e =
            ErrorResponse::parse(br#"{"errorCode":"ACCESS_DENIED","errorMessage":"no"}"#).unwrap();
        assert_eq!(e.error_code, ErrorCode::AccessDenied);
        assert_eq!(e.error_message, "no");
        assert_eq!(ErrorResponse::parse(b"{}").unwrap_err(), "incomplete json");
        assert_eq!(
            ErrorResponse::parse(b"null").unwrap_err(),
            "incomplete json"
        );
        let e = ErrorResponse::parse(br#"{"errorCode":"NEW_CODE"}"#).unwrap();
        assert_eq!(e.error_code, ErrorCode::Other("NEW_CODE".into()));
        // Go's folding of member names, and its last value of a repeated one.
        let e = ErrorResponse::parse(
            br#"{"ERRORCODE":"ERROR","errorMessage":"a","errormessage":"b","errorMetadata":{"k":null}}"#,
        )
        .unwrap();
        assert_eq!(e.error_code, ErrorCode::Generic);
        assert_eq!(e.error_message, "b");
        assert_eq!(e.error_metadata["k"], "");
        // An empty metadata object is a member set: not incomplete.
        assert!(ErrorResponse::parse(br#"{"errorMetadata":{}}"#).is_ok());
    }

    /// The texts notation-go gives (found by running the reference CLI
    /// against a plugin writing each of these).
    #[test]
    fn malformed_error_responses_get_gos_texts() {
        let cases: [(&[u8], &str); 8] = [
            (
                b"plain text",
                "invalid character 'p' looking for beginning of value",
            ),
            (b"{\"errorCode\":", "unexpected end of JSON input"),
            (
                b"[1]",
                "json: cannot unmarshal array into Go value of type plugin.Error",
            ),
            (
                b"\"text\"",
                "json: cannot unmarshal string into Go value of type plugin.Error",
            ),
            (
                br#"{"errorCode":1,"errorMessage":"x"}"#,
                "json: cannot unmarshal number into Go struct field Error.errorCode of type plugin.ErrorCode",
            ),
            (
                br#"{"errorMessage":true,"errorCode":2}"#,
                "json: cannot unmarshal bool into Go struct field Error.errorMessage of type string",
            ),
            (
                br#"{"errorMetadata":"k=v"}"#,
                "json: cannot unmarshal string into Go struct field Error.errorMetadata of type map[string]string",
            ),
            (
                br#"{"errorCode":"ERROR","errorMetadata":{"k":1}}"#,
                "json: cannot unmarshal number into Go struct field Error.errorMetadata of type string",
            ),
        ];
        for (stderr, want) in cases {
            assert_eq!(
                ErrorResponse::parse(stderr).unwrap_err(),
                want,
                "{}",
                String::from_utf8_lossy(stderr)
            );
        }
    }
}
