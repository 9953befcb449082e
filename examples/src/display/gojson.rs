//! Indented JSON as the reference prints it: Go's `json.Encoder` with
//! `SetIndent("", "  ")`, which escapes `<`, `>`, `&`, U+2028 and U+2029
//! like `json.Marshal` and ends the document with a newline.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};
use std::io;

/// `serde_json`'s pretty formatter with Go's string escaping.
struct GoPrettyFormatter<'a> {
    pretty: PrettyFormatter<'a>,
    escape: notation_core::json::GoFormatter,
}

impl Formatter for GoPrettyFormatter<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.escape.write_string_fragment(w, fragment)
    }
    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        self.escape.write_char_escape(w, escape)
    }
}

/// Serializes `value` as the reference's `output.PrintPrettyJSON` does
/// (v2: two-space indent), including the final newline.
pub fn to_string_pretty(value: &impl Serialize) -> Result<String, serde_json::Error> {
    to_string_indented(value, b"  ")
}

/// Serializes `value` as notation v1.3.2's `ioutil.PrintObjectAsJSON`
/// does (`json.MarshalIndent(v, "", "    ")` and a newline).
pub fn to_string_pretty_v1(value: &impl Serialize) -> Result<String, serde_json::Error> {
    to_string_indented(value, b"    ")
}

fn to_string_indented(value: &impl Serialize, indent: &[u8]) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let formatter = GoPrettyFormatter {
        pretty: PrettyFormatter::with_indent(indent),
        escape: notation_core::json::GoFormatter,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser)?;
    out.push(b'\n');
    // Both formatters only ever write UTF-8.
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_with_go_escaping() {
        let v = serde_json::json!({"a": [], "b": {}, "c": ["<x>", 1], "d": null});
        assert_eq!(
            to_string_pretty(&v).unwrap(),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    \"\\u003cx\\u003e\",\n    1\n  ],\n  \"d\": null\n}\n"
        );
    }
}
