//! A JSON Schema (2020-12) validator for the keywords our committed
//! schemas use, so that tests validate reports against the very file users
//! get. Why not the `jsonschema` crate: it brings about 45 crates (two `syn`
//! versions, `num-bigint`, `fancy-regex`, `ahash`, `parking_lot`, ...) into
//! every test build of a suite that must stay well under 30 minutes on two
//! cores, to check a schema that uses eleven keywords. This one supports
//! exactly those and refuses any other keyword (a schema edit that needs
//! more fails loudly here instead of being ignored): `type`, `enum`,
//! `properties`, `required`, `additionalProperties`, `items`, `$ref` (to
//! `#/$defs/...`), `anyOf`, `minimum`, `pattern` (the `regex` crate, in the
//! tree already), `format: date-time` (RFC 3339, by the `time` crate);
//! `$schema`, `$id`, `$defs`, `title` and `description` are annotations.
//! Its own tests (`json_schema_validator_*` in notation-oci's
//! `batch_verify` suite) show each keyword rejecting what it must.
#![allow(dead_code)]

use serde_json::Value;

/// A loaded schema.
pub struct Schema {
    root: Value,
}

const ANNOTATIONS: [&str; 5] = ["$schema", "$id", "$defs", "title", "description"];

impl Schema {
    /// Reads a schema file; panics (fails the test) when it is not JSON.
    pub fn load(path: &std::path::Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("schema {}: {e}", path.display()));
        Self::from_value(serde_json::from_str(&text).expect("the schema is JSON"))
    }

    /// A schema from a value.
    pub fn from_value(root: Value) -> Self {
        Self { root }
    }

    /// Every violation of `value`, as `path: what` lines (empty: valid).
    pub fn errors(&self, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(&self.root, value, "$", &mut errors);
        errors
    }

    /// Panics with every violation unless `value` is valid.
    #[track_caller]
    pub fn assert_valid(&self, value: &Value) {
        let errors = self.errors(value);
        assert!(
            errors.is_empty(),
            "the document does not follow the schema:\n{}\n{}",
            errors.join("\n"),
            serde_json::to_string_pretty(value).unwrap()
        );
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
        self.root
            .get("$defs")
            .and_then(|d| d.get(name))
            .unwrap_or_else(|| panic!("$ref {reference} names no definition"))
    }

    fn check(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        let schema = schema
            .as_object()
            .unwrap_or_else(|| panic!("schema at {path} is not an object"));
        for (keyword, arg) in schema {
            match keyword.as_str() {
                k if ANNOTATIONS.contains(&k) => {}
                "$ref" => self.check(
                    self.resolve(arg.as_str().expect("$ref is a string")),
                    value,
                    path,
                    errors,
                ),
                "type" => {
                    let types: Vec<&str> = match arg {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
                        _ => panic!("bad type keyword at {path}"),
                    };
                    if !types.iter().any(|t| has_type(value, t)) {
                        errors.push(format!("{path}: {value} is not of type {types:?}"));
                    }
                }
                "enum" => {
                    if !arg.as_array().expect("enum is an array").contains(value) {
                        errors.push(format!("{path}: {value} is not one of {arg}"));
                    }
                }
                "anyOf" => {
                    let any = arg.as_array().expect("anyOf is an array").iter().any(|s| {
                        let mut sub = Vec::new();
                        self.check(s, value, path, &mut sub);
                        sub.is_empty()
                    });
                    if !any {
                        errors.push(format!("{path}: {value} matches no schema of anyOf"));
                    }
                }
                "minimum" => {
                    if let Some(n) = value.as_f64()
                        && n < arg.as_f64().expect("minimum is a number")
                    {
                        errors.push(format!("{path}: {n} is below the minimum {arg}"));
                    }
                }
                "pattern" => {
                    if let Some(s) = value.as_str() {
                        let re = regex::Regex::new(arg.as_str().expect("pattern is a string"))
                            .expect("the schema's pattern compiles");
                        if !re.is_match(s) {
                            errors.push(format!("{path}: {s:?} does not match {arg}"));
                        }
                    }
                }
                "format" => {
                    assert_eq!(arg, "date-time", "unsupported format at {path}");
                    if let Some(s) = value.as_str()
                        && time::OffsetDateTime::parse(
                            s,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .is_err()
                    {
                        errors.push(format!("{path}: {s:?} is not an RFC 3339 date-time"));
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in arg.as_array().expect("required is an array") {
                            let name = name.as_str().unwrap();
                            if !object.contains_key(name) {
                                errors.push(format!("{path}: missing required {name:?}"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Some(object) = value.as_object() {
                        for (name, sub) in arg.as_object().expect("properties is an object") {
                            if let Some(v) = object.get(name) {
                                self.check(sub, v, &format!("{path}.{name}"), errors);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let Some(object) = value.as_object() {
                        let declared = schema.get("properties").and_then(Value::as_object);
                        for (name, v) in object {
                            if declared.is_some_and(|d| d.contains_key(name)) {
                                continue;
                            }
                            match arg {
                                Value::Bool(false) => {
                                    errors.push(format!("{path}: property {name:?} is not allowed"))
                                }
                                Value::Bool(true) => {}
                                sub => self.check(sub, v, &format!("{path}.{name}"), errors),
                            }
                        }
                    }
                }
                "items" => {
                    if let Some(array) = value.as_array() {
                        for (i, v) in array.iter().enumerate() {
                            self.check(arg, v, &format!("{path}[{i}]"), errors);
                        }
                    }
                }
                other => panic!("the validator does not support the keyword {other:?} (at {path})"),
            }
        }
    }
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown type {other:?}"),
    }
}
