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

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

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
        let first = first_byte(&text);
        if !matches!(first, b'{' | b'n') {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type plugin.Error",
                crate::json::go_kind_name(first)
            ));
        }
        // The members Go decodes, as written, in document order; others are
        // skipped unread (a hostile plugin may write 64 MiB of them).
        let members = if first == b'{' {
            members_as_written(&text, |name| crate::json::go_field(&name, &NAMES))
                .map_err(|e| e.to_string())?
        } else {
            Vec::new()
        };
        let (mut code, mut message) = (String::new(), String::new());
        let mut metadata: Option<BTreeMap<String, String>> = None;
        let mut first_error = None;
        for (i, raw) in members {
            let raw = raw.get();
            let mut type_error = |kind: u8, go_type: &str| {
                first_error.get_or_insert_with(|| {
                    format!(
                        "json: cannot unmarshal {} into Go struct field Error.{} of type {go_type}",
                        crate::json::go_kind_name(kind),
                        NAMES[i]
                    )
                });
            };
            match (i, first_byte(raw)) {
                (0 | 1, b'n') => {}
                (0, b'"') => code = json_string(raw)?,
                (1, b'"') => message = json_string(raw)?,
                (2, b'n') => metadata = None,
                (2, b'{') => {
                    let entries = metadata.get_or_insert_with(BTreeMap::new);
                    for (key, value) in members_as_written(raw, Some).map_err(|e| e.to_string())? {
                        match first_byte(value.get()) {
                            b'"' => {
                                entries.insert(key, json_string(value.get())?);
                            }
                            b'n' => {
                                entries.insert(key, String::new());
                            }
                            kind => type_error(kind, "string"),
                        }
                    }
                }
                (_, kind) => type_error(kind, GO_TYPES[i]),
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

/// The first byte of a JSON value as written (past Go's white space): it
/// tells the value's kind. `n` (null) for none, which a value that passed
/// the syntax check always has.
fn first_byte(raw: &str) -> u8 {
    raw.trim_start_matches([' ', '\t', '\n', '\r'])
        .bytes()
        .next()
        .unwrap_or(b'n')
}

fn json_string(raw: &str) -> Result<String, String> {
    serde_json::from_str(raw).map_err(|e| e.to_string())
}

/// The members of the JSON object `text` in document order, repeated names
/// included, each value as written, keyed by what `keep` makes of its name;
/// a member `keep` refuses is skipped unread.
fn members_as_written<K>(
    text: &str,
    keep: impl Fn(String) -> Option<K>,
) -> Result<Vec<(K, Box<RawValue>)>, serde_json::Error> {
    struct Members<F>(F);
    impl<'de, K, F: Fn(String) -> Option<K>> Visitor<'de> for Members<F> {
        type Value = Vec<(K, Box<RawValue>)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut members = Vec::new();
            while let Some(name) = map.next_key::<String>()? {
                match (self.0)(name) {
                    Some(key) => members.push((key, map.next_value::<Box<RawValue>>()?)),
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(members)
        }
    }
    serde_json::Deserializer::from_str(text).deserialize_map(Members(keep))
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
        // Members that are no field are skipped unread, numbers beyond a
        // float64 among them.
        let mut big = br#"{"other":1e400,"x":["#.to_vec();
        big.extend(std::iter::repeat_n(&b"0,"[..], 100_000).flatten());
        big.extend(br#"0],"errorCode":"ERROR"}"#);
        assert_eq!(
            ErrorResponse::parse(&big).unwrap().error_code,
            ErrorCode::Generic
        );
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
        let cases: Vec<(&[u8], &str)> = cases
            .into_iter()
            .chain([
                // Metadata entries in document order, a repeated one too,
                // as Go decodes them.
                (
                    &br#"{"errorMetadata":{"b":1,"a":true}}"#[..],
                    "json: cannot unmarshal number into Go struct field Error.errorMetadata of type string",
                ),
                (
                    br#"{"errorMetadata":{"k":1,"k":"v"}}"#,
                    "json: cannot unmarshal number into Go struct field Error.errorMetadata of type string",
                ),
                (
                    br#"{"errorCode":1e400}"#,
                    "json: cannot unmarshal number into Go struct field Error.errorCode of type plugin.ErrorCode",
                ),
            ])
            .collect();
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
