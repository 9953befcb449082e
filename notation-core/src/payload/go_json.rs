//! The payload decoded as notation-go decodes it: `json.Unmarshal` into its
//! `envelope.Payload`, whose `targetArtifact` is an OCI `ocispec.Descriptor`.
//!
//! Member names match case-insensitively; `null` leaves a member as it is
//! (Go's zero value when it was never set); a member of the wrong type is
//! refused with Go's text (`json: cannot unmarshal number into Go struct
//! field Descriptor.targetArtifact.mediaType of type string`), the first one
//! in document order, as Go reports the first. Unlike Go, a member given
//! twice is refused, and so is a negative size (Go reads it; no artifact
//! has one).
// Requirements: A1-A3, A6.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Descriptor, Payload};

/// Where a value is, as Go's type errors name it: the innermost struct's
/// type name and the path of JSON field names to the value.
#[derive(Clone, Copy)]
struct Field {
    strukt: &'static str,
    path: &'static str,
    /// The Go type of the value there.
    go_type: &'static str,
}

impl Field {
    const fn new(strukt: &'static str, path: &'static str, go_type: &'static str) -> Self {
        Self {
            strukt,
            path,
            go_type,
        }
    }

    /// Go's `UnmarshalTypeError` for a value of `kind` here.
    fn type_error<E: de::Error>(self, kind: &str) -> E {
        E::custom(format_args!(
            "json: cannot unmarshal {kind} into Go struct field {}.{} of type {}",
            self.strukt, self.path, self.go_type
        ))
    }
}

const TARGET_ARTIFACT: Field = Field::new("Payload", "targetArtifact", "v1.Descriptor");

/// The fields of Go's `ocispec.Descriptor`, in its order.
const DESCRIPTOR: [Field; 8] = [
    Field::new("Descriptor", "targetArtifact.mediaType", "string"),
    Field::new("Descriptor", "targetArtifact.digest", "digest.Digest"),
    Field::new("Descriptor", "targetArtifact.size", "int64"),
    Field::new("Descriptor", "targetArtifact.urls", "[]string"),
    Field::new(
        "Descriptor",
        "targetArtifact.annotations",
        "map[string]string",
    ),
    Field::new("Descriptor", "targetArtifact.data", "[]uint8"),
    Field::new("Descriptor", "targetArtifact.platform", "v1.Platform"),
    Field::new("Descriptor", "targetArtifact.artifactType", "string"),
];
/// The JSON names of Go's `ocispec.Descriptor` fields, in its order.
pub(crate) const DESCRIPTOR_NAMES: [&str; 8] = [
    "mediaType",
    "digest",
    "size",
    "urls",
    "annotations",
    "data",
    "platform",
    "artifactType",
];
/// An element of `urls`, a value of `annotations`.
const URL: Field = Field::new("Descriptor", "targetArtifact.urls", "string");
const ANNOTATION: Field = Field::new("Descriptor", "targetArtifact.annotations", "string");

/// The fields of Go's `ocispec.Platform`.
const PLATFORM: [Field; 5] = [
    Field::new("Platform", "targetArtifact.platform.architecture", "string"),
    Field::new("Platform", "targetArtifact.platform.os", "string"),
    Field::new("Platform", "targetArtifact.platform.os.version", "string"),
    Field::new(
        "Platform",
        "targetArtifact.platform.os.features",
        "[]string",
    ),
    Field::new("Platform", "targetArtifact.platform.variant", "string"),
];
const PLATFORM_NAMES: [&str; 5] = ["architecture", "os", "os.version", "os.features", "variant"];
const FEATURE: Field = Field::new("Platform", "targetArtifact.platform.os.features", "string");

/// Decodes a payload. `json_text`: the deserializer reads JSON text
/// (serde_json), so a size is read from its literal as Go's `strconv`
/// reads it; otherwise from the number the deserializer gives.
pub(super) fn payload<'de, D: Deserializer<'de>>(
    d: D,
    json_text: bool,
) -> Result<Payload, D::Error> {
    struct V(bool);
    impl<'de> Visitor<'de> for V {
        type Value = Payload;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a Notary payload object")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Payload, E> {
            Ok(Payload::default())
        }
        fn visit_none<E: de::Error>(self) -> Result<Payload, E> {
            Ok(Payload::default())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload, A::Error> {
            let mut payload = Payload::default();
            crate::json::go_struct_fields(&mut map, &["targetArtifact"], |_, map| {
                if let Some(d) = map.next_value_seed(DescriptorSeed(TARGET_ARTIFACT, self.0))? {
                    payload.target_artifact = d;
                }
                Ok(())
            })?;
            Ok(payload)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Payload, E> {
            Err(top_error("bool"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Payload, E> {
            Err(top_error("number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Payload, E> {
            Err(top_error("number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Payload, E> {
            Err(top_error("number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Payload, E> {
            Err(top_error("string"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Payload, A::Error> {
            Err(top_error("array"))
        }
    }
    d.deserialize_any(V(json_text))
}

fn top_error<E: de::Error>(kind: &str) -> E {
    E::custom(format_args!(
        "json: cannot unmarshal {kind} into Go value of type envelope.Payload"
    ))
}

/// Decodes a descriptor (see [`payload`]).
pub(super) fn descriptor<'de, D: Deserializer<'de>>(
    d: D,
    json_text: bool,
) -> Result<Descriptor, D::Error> {
    Ok(DescriptorSeed(TARGET_ARTIFACT, json_text)
        .deserialize(d)?
        .unwrap_or_default())
}

/// Visitor methods that refuse the listed kinds of value with Go's type
/// error for the field at `self.0` (`null`: accepted as `None`, the member
/// left as it is).
macro_rules! go_kinds {
    ($($kind:ident),*) => { $(go_kinds!(@one $kind);)* };
    (@one null) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
    (@one bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(self.0.type_error("bool"))
        }
    };
    (@one number) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(self.0.type_error("number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(self.0.type_error("number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(self.0.type_error("number"))
        }
    };
    (@one string) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(self.0.type_error("string"))
        }
    };
    (@one array) => {
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(self.0.type_error("array"))
        }
    };
    (@one object) => {
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(self.0.type_error("object"))
        }
    };
}

/// A seed whose visitor is itself: values are read with `deserialize_any`.
macro_rules! self_seed {
    ($ty:ty, $value:ty) => {
        impl<'de> DeserializeSeed<'de> for $ty {
            type Value = $value;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
                d.deserialize_any(self)
            }
        }
    };
}

/// `targetArtifact` (the field) and whether the input is JSON text.
struct DescriptorSeed(Field, bool);
self_seed!(DescriptorSeed, Option<Descriptor>);

impl<'de> Visitor<'de> for DescriptorSeed {
    type Value = Option<Descriptor>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OCI descriptor object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut d = Descriptor::default();
        crate::json::go_struct_fields(&mut map, &DESCRIPTOR_NAMES, |i, map| {
            let field = DESCRIPTOR[i];
            match i {
                0 => set(&mut d.media_type, map.next_value_seed(GoString(field))?),
                1 => set(&mut d.digest, map.next_value_seed(GoString(field))?),
                2 if self.1 => {
                    let raw: Box<serde_json::value::RawValue> = map.next_value()?;
                    set(&mut d.size, go_size(raw.get()).map_err(de::Error::custom)?);
                }
                2 => set(&mut d.size, map.next_value_seed(GoSize(field))?),
                3 => {
                    map.next_value_seed(GoStrings(field, URL))?;
                }
                4 => {
                    if let Some(a) = map.next_value_seed(GoStringMap(field))? {
                        d.annotations = Some(a);
                    }
                }
                5 => {
                    map.next_value_seed(GoBytes(field))?;
                }
                6 => {
                    map.next_value_seed(GoPlatform(field))?;
                }
                _ => {
                    map.next_value_seed(GoString(field))?;
                }
            }
            Ok(())
        })?;
        Ok(Some(d))
    }
    go_kinds!(null, bool, number, string, array);
}

fn set<T>(member: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *member = v;
    }
}

/// A Go `string` (or a named type of that kind).
struct GoString(Field);
self_seed!(GoString, Option<String>);

impl<'de> Visitor<'de> for GoString {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(s.to_owned()))
    }
    go_kinds!(null, bool, number, array, object);
}

/// A Go `[]string`: the field, and the field an element is.
struct GoStrings(Field, Field);
self_seed!(GoStrings, Option<()>);

impl<'de> Visitor<'de> for GoStrings {
    type Value = Option<()>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(GoString(self.1))?.is_some() {}
        Ok(Some(()))
    }
    go_kinds!(null, bool, number, string, object);
}

/// A Go `map[string]string`: a `null` value is an empty string (Go
/// decodes `null` into a string as nothing, and keeps the key).
struct GoStringMap(Field);
self_seed!(GoStringMap, Option<BTreeMap<String, String>>);

impl<'de> Visitor<'de> for GoStringMap {
    type Value = Option<BTreeMap<String, String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(GoString(ANNOTATION))?;
            out.insert(key, value.unwrap_or_default());
        }
        Ok(Some(out))
    }
    go_kinds!(null, bool, number, string, array);
}

/// A Go `[]byte`: standard base64 with padding, as Go's decoder reads it
/// (its bits after the last whole byte may be set), with Go's error.
struct GoBytes(Field);
self_seed!(GoBytes, Option<()>);

impl<'de> Visitor<'de> for GoBytes {
    type Value = Option<()>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base64 string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        crate::json::decode_go_base64(s).map_err(E::custom)?;
        Ok(Some(()))
    }
    go_kinds!(null, bool, number, array, object);
}

/// A Go `*ocispec.Platform`, read for its types only.
struct GoPlatform(Field);
self_seed!(GoPlatform, Option<()>);

impl<'de> Visitor<'de> for GoPlatform {
    type Value = Option<()>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OCI platform object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        crate::json::go_struct_fields(&mut map, &PLATFORM_NAMES, |i, map| {
            if i == 3 {
                map.next_value_seed(GoStrings(PLATFORM[i], FEATURE))?;
            } else {
                map.next_value_seed(GoString(PLATFORM[i]))?;
            }
            Ok(())
        })?;
        Ok(Some(()))
    }
    go_kinds!(null, bool, number, string, array);
}

/// A Go `int64` size from a deserializer that gives numbers, not their
/// text: a whole number, `-0` as 0 (a float can only be that). A negative
/// size is refused (see the module's notes).
struct GoSize(Field);
self_seed!(GoSize, Option<u64>);

impl<'de> Visitor<'de> for GoSize {
    type Value = Option<u64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a size")
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        i64::try_from(n)
            .map(|_| Some(n))
            .map_err(|_| self.0.type_error(&format!("number {n}")))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        u64::try_from(n)
            .map(Some)
            .map_err(|_| E::custom(format_args!("negative size {n}")))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Self::Value, E> {
        if f == 0.0 && f.is_sign_negative() {
            return Ok(Some(0));
        }
        Err(self.0.type_error(&format!("number {f}")))
    }
    go_kinds!(null, bool, string, array, object);
}

/// The descriptor's `size` from its JSON text, as Go's decoder reads an
/// `int64`: `None` for `null` (the member keeps its value), a number that
/// `strconv.ParseInt` takes (`-0` included); anything else fails, with
/// Go's text. A negative size is refused (see the module's notes).
fn go_size(text: &str) -> Result<Option<u64>, String> {
    let field = DESCRIPTOR[2];
    let kind = match text.as_bytes().first() {
        Some(b'n') => return Ok(None),
        Some(&first) => crate::json::go_kind_name(first),
        None => "number",
    };
    let refused =
        |kind: &str| -> String { field.type_error::<serde_json::Error>(kind).to_string() };
    if kind != "number" {
        return Err(refused(kind));
    }
    match text.parse::<i64>() {
        Ok(n) => u64::try_from(n)
            .map(Some)
            .map_err(|_| format!("negative size {n}")),
        Err(_) => Err(refused(&format!("number {text}"))),
    }
}
