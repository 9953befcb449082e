//! Reading policy JSON with Go's `encoding/json` semantics.

use super::*;

/// A JSON value that keeps object keys in order, duplicates included, so
/// that duplicates can be refused and field names matched like Go does.
pub(super) enum Json {
    Null,
    Bool(bool),
    Number,
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Json, E> {
                Ok(Json::Number)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Json, E> {
                Ok(Json::Number)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Json, E> {
                Ok(Json::Number)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    entries.push((k, v));
                }
                Ok(Json::Object(entries))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// What may follow the document's JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rest {
    /// Nothing but white space, as Go's `json.Unmarshal` requires (the
    /// reference's `policy import`).
    Whitespace,
    /// Anything, unread, as Go's `json.Decoder.Decode` reads the policy
    /// files when it verifies (a stray `}` after the document is ignored).
    Ignored,
}

/// Parses the document's JSON value. Each byte that is not part of valid
/// UTF-8 reads as one U+FFFD, as Go's decoder reads it (inside a string it
/// is replaced; elsewhere it is a syntax error either way), and so does an
/// escaped UTF-16 surrogate that is not part of a pair.
pub(super) fn parse_json(data: &[u8], rest: Rest) -> Result<Json, PolicyJsonError> {
    if data.len() > MAX_POLICY_SIZE {
        return Err(PolicyJsonError::TooLarge {
            size: data.len(),
            limit: MAX_POLICY_SIZE,
        });
    }
    let text = crate::json::go_text(data);
    // Go's text where Go has one (`json.Unmarshal` checks the whole input,
    // `json.Decoder.Decode` its first value); ours otherwise (nesting).
    let syntax = |e: serde_json::Error| PolicyJsonError::Syntax {
        message: match rest {
            Rest::Whitespace => crate::json::go_syntax_error(text.as_bytes()),
            Rest::Ignored => crate::json::go_decoder_value(text.as_bytes()).err(),
        }
        .unwrap_or_else(|| e.to_string()),
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    let value = Json::deserialize(&mut de).map_err(syntax)?;
    if rest == Rest::Whitespace {
        de.end().map_err(syntax)?;
    }
    Ok(value)
}

pub(super) fn wrong_type(path: &str, expected: &'static str, found: &Json) -> PolicyJsonError {
    PolicyJsonError::WrongType {
        path: path.to_owned(),
        expected,
        found: found.kind(),
    }
}

/// Picks the known fields of an object (Go: `null` is an absent object).
/// Keys match case-insensitively as in Go ([`crate::json::go_field`]); a field given twice is an
/// error; unknown keys are ignored.
pub(super) fn object_fields<'a, const N: usize>(
    value: Option<&'a Json>,
    path: &str,
    names: [&str; N],
) -> Result<[Option<&'a Json>; N], PolicyJsonError> {
    let mut fields = [None; N];
    let entries = match value {
        None | Some(Json::Null) => return Ok(fields),
        Some(Json::Object(entries)) => entries,
        Some(other) => return Err(wrong_type(path, "object", other)),
    };
    for (key, v) in entries {
        if let Some(i) = crate::json::go_field(key, &names) {
            if fields[i].is_some() {
                return Err(PolicyJsonError::DuplicateKey {
                    path: path.to_owned(),
                    key: key.clone(),
                });
            }
            fields[i] = Some(v);
        }
    }
    Ok(fields)
}

pub(super) fn string_field(value: Option<&Json>, path: &str) -> Result<String, PolicyJsonError> {
    match value {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(wrong_type(path, "string", other)),
    }
}

pub(super) fn bool_field(value: Option<&Json>, path: &str) -> Result<bool, PolicyJsonError> {
    match value {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(other) => Err(wrong_type(path, "bool", other)),
    }
}

pub(super) fn string_list_field(
    value: Option<&Json>,
    path: &str,
) -> Result<Vec<String>, PolicyJsonError> {
    match value {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| string_field(Some(item), &format!("{path}[{i}]")))
            .collect(),
        Some(other) => Err(wrong_type(path, "[]string", other)),
    }
}

/// The `override` object: keys are exact (Go map keys), in document order.
pub(super) fn string_map_field(
    value: Option<&Json>,
    path: &str,
) -> Result<Vec<(String, String)>, PolicyJsonError> {
    let entries = match value {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Object(entries)) => entries,
        Some(other) => return Err(wrong_type(path, "map[string]string", other)),
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (key, v) in entries {
        if !seen.insert(key.as_str()) {
            return Err(PolicyJsonError::DuplicateKey {
                path: path.to_owned(),
                key: key.clone(),
            });
        }
        out.push((
            key.clone(),
            string_field(Some(v), &format!("{path}.{key}"))?,
        ));
    }
    Ok(out)
}

pub(super) fn parse_raw_document(
    data: &[u8],
    kind: PolicyKind,
    rest: Rest,
) -> Result<RawDocument, PolicyJsonError> {
    let json = parse_json(data, rest)?;
    let [version, policies] = object_fields(Some(&json), "document", ["version", "trustPolicies"])?;
    let version = string_field(version, "version")?;
    let policies = match policies {
        None | Some(Json::Null) => &[][..],
        Some(Json::Array(items)) => items.as_slice(),
        Some(other) => return Err(wrong_type("trustPolicies", "array", other)),
    };
    let mut statements = Vec::with_capacity(policies.len());
    for (i, item) in policies.iter().enumerate() {
        let path = format!("trustPolicies[{i}]");
        let [name, sv, stores, identities, scopes, global] = object_fields(
            Some(item),
            &path,
            [
                "name",
                "signatureVerification",
                "trustStores",
                "trustedIdentities",
                "registryScopes",
                "globalPolicy",
            ],
        )?;
        let sv_path = format!("{path}.signatureVerification");
        let [level, overrides, verify_timestamp] =
            object_fields(sv, &sv_path, ["level", "override", "verifyTimestamp"])?;
        // Fields of the other document kind are unknown keys to Go's
        // decoder, hence ignored.
        let (registry_scopes, global_policy) = match kind {
            PolicyKind::Oci => (
                string_list_field(scopes, &format!("{path}.registryScopes"))?,
                false,
            ),
            PolicyKind::Blob => (
                Vec::new(),
                bool_field(global, &format!("{path}.globalPolicy"))?,
            ),
        };
        statements.push(RawStatement {
            name: string_field(name, &format!("{path}.name"))?,
            level: string_field(level, &format!("{sv_path}.level"))?,
            overrides: string_map_field(overrides, &format!("{sv_path}.override"))?,
            verify_timestamp: string_field(
                verify_timestamp,
                &format!("{sv_path}.verifyTimestamp"),
            )?,
            trust_stores: string_list_field(stores, &format!("{path}.trustStores"))?,
            trusted_identities: string_list_field(
                identities,
                &format!("{path}.trustedIdentities"),
            )?,
            registry_scopes,
            global_policy,
        });
    }
    Ok(RawDocument {
        version,
        statements,
    })
}

/// Go's `UnmarshalTypeError` text for a value of kind `found` at `path`
/// (`trustPolicies[0].signatureVerification.level`, as our errors name
/// it): the innermost struct of notation-go's `trustpolicy` documents, the
/// field names without indexes, and the field's Go type.
pub(super) fn go_type_error(kind: PolicyKind, path: &str, found: &str) -> String {
    let (document, statement) = match kind {
        PolicyKind::Blob => ("BlobDocument", "BlobTrustPolicy"),
        PolicyKind::Oci => ("OCIDocument", "OCITrustPolicy"),
    };
    if path == "document" {
        return format!(
            "json: cannot unmarshal {found} into Go value of type trustpolicy.{document}"
        );
    }
    // `trustPolicies[0].trustStores[1]` -> the fields and whether the value
    // is an element of the last one.
    let element = path.ends_with(']');
    let fields: Vec<&str> = path
        .split('.')
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect();
    let statement_type = format!("trustpolicy.{statement}");
    let (strukt, shown, go_type): (&str, &[&str], String) = match (fields.as_slice(), element) {
        (["trustPolicies"], false) => (document, &fields, format!("[]{statement_type}")),
        (["trustPolicies"], true) => (document, &fields, statement_type),
        ([_], _) => (document, &fields, "string".into()),
        ([_, "trustStores" | "trustedIdentities" | "registryScopes"], false) => {
            (statement, &fields, "[]string".into())
        }
        ([_, "signatureVerification"], _) => (
            statement,
            &fields,
            "trustpolicy.SignatureVerification".into(),
        ),
        ([_, "globalPolicy"], _) => (statement, &fields, "bool".into()),
        ([_, _], _) => (statement, &fields, "string".into()),
        ([_, _, "override"], _) => (
            "SignatureVerification",
            &fields,
            "map[trustpolicy.ValidationType]trustpolicy.ValidationAction".into(),
        ),
        ([_, _, "verifyTimestamp"], _) => (
            "SignatureVerification",
            &fields,
            "trustpolicy.TimestampOption".into(),
        ),
        ([_, _, _], _) => ("SignatureVerification", &fields, "string".into()),
        // An override's value: Go names the map, not the key.
        _ => (
            "SignatureVerification",
            &fields[..3.min(fields.len())],
            "trustpolicy.ValidationAction".into(),
        ),
    };
    format!(
        "json: cannot unmarshal {found} into Go struct field {strukt}.{} of type {go_type}",
        shown.join(".")
    )
}
