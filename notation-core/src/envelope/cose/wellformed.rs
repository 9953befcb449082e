//! The first pass over a COSE message, as fxamacker/cbor v2.8.0 makes it:
//! each data item's head read at a cursor ([`head`]), and the bytes checked
//! to be well formed within the decoder's limits ([`wellformed`]), with its
//! error texts. Decoding ([`super::decode`]) reads the same heads again.
// Requirements: D1, U.

use ciborium_ll::{Decoder, Header};

/// fxamacker/cbor's default nesting limit (the outer array is level 1).
const MAX_NESTED_LEVELS: usize = 32;
/// fxamacker/cbor's default limit on the declared size of an array or map.
const MAX_ELEMENTS: usize = 131_072;
/// Our limit on the data items of a message, its protected header's
/// included (the reference has none): it bounds the work of the passes
/// (each counter signature's headers are read again) and the protected
/// header's values held in memory.
pub(super) const MAX_ITEMS: usize = 1 << 20;

/// One head read at a cursor: a string's content comes with it; an array,
/// map or tag is followed by its content.
#[derive(Debug)]
pub(super) enum Head<'a> {
    Unsigned(u64),
    /// `-1 - n`.
    Negative(u64),
    Bytes(&'a [u8]),
    /// Not yet checked for UTF-8 (decoding does that).
    Text(&'a [u8]),
    /// The declared size; `None` for an indefinite length.
    Array(Option<usize>),
    Map(Option<usize>),
    Tag(u64),
    Float(f64),
    Simple(u8),
}

/// Reads the head at `*pos` and moves past it (and past a string's
/// content), with fxamacker/cbor's errors for heads: truncation, reserved
/// additional information, a two-byte simple value below 32, a break
/// outside an indefinite item, an indefinite string.
pub(super) fn head<'a>(buf: &'a [u8], pos: &mut usize) -> Result<Head<'a>, String> {
    let rest = buf.get(*pos..).unwrap_or_default();
    if rest.is_empty() {
        return Err("unexpected EOF".into());
    }
    let mut decoder = Decoder::from(rest);
    let header = decoder.pull().map_err(|e| match e {
        ciborium_ll::Error::Io(_) => "unexpected EOF".to_string(),
        ciborium_ll::Error::Syntax(_) => invalid_additional_information(rest[0]),
    })?;
    let head_len = decoder.offset();
    *pos += head_len;
    let mut content = |len: usize, what: &str| -> Result<&'a [u8], String> {
        if i64::try_from(len).is_err() {
            return Err(format!(
                "cbor: {what} length {len} is too large, causing integer overflow"
            ));
        }
        let end = pos
            .checked_add(len)
            .filter(|&end| end <= buf.len())
            .ok_or_else(|| "unexpected EOF".to_string())?;
        let bytes = &buf[*pos..end];
        *pos = end;
        Ok(bytes)
    };
    Ok(match header {
        Header::Positive(n) => Head::Unsigned(n),
        Header::Negative(n) => Head::Negative(n),
        Header::Float(f) => Head::Float(f),
        Header::Simple(n) => {
            // A simple value below 32 must take one byte (`f8 14` is not
            // `false`).
            if head_len == 2 && n < 32 {
                return Err(format!(
                    "cbor: invalid simple value {n} for type primitives"
                ));
            }
            Head::Simple(n)
        }
        Header::Break => return Err("cbor: unexpected \"break\" code".into()),
        Header::Bytes(None) => return Err(indefinite("byte string")),
        Header::Text(None) => return Err(indefinite("UTF-8 text string")),
        Header::Bytes(Some(len)) => Head::Bytes(content(len, "byte string")?),
        Header::Text(Some(len)) => Head::Text(content(len, "UTF-8 text string")?),
        Header::Array(len) => Head::Array(len),
        Header::Map(len) => Head::Map(len),
        Header::Tag(number) => Head::Tag(number),
    })
}

/// The well-formedness pass over the item at `*pos`, moving past it:
/// fxamacker/cbor's `wellformed` with go-cose's options (`tags` false:
/// any tag is refused). Tags are not checked against their content here;
/// decoding does that.
pub(super) fn wellformed(
    buf: &[u8],
    pos: &mut usize,
    depth: usize,
    tags: bool,
    items: &mut usize,
) -> Result<(), String> {
    *items += 1;
    if *items > MAX_ITEMS {
        return Err(too_many_items());
    }
    match head(buf, pos)? {
        Head::Array(len) => {
            let depth = nested(depth)?;
            for _ in 0..size(len, "array")? {
                wellformed(buf, pos, depth, tags, items)?;
            }
        }
        Head::Map(len) => {
            let depth = nested(depth)?;
            for _ in 0..size(len, "map")? {
                wellformed(buf, pos, depth, tags, items)?;
                wellformed(buf, pos, depth, tags, items)?;
            }
        }
        Head::Tag(_) => {
            if !tags {
                return Err("cbor: CBOR tag isn't allowed".into());
            }
            // A tag's content is at the tag's level, but each further tag
            // of a chain of tags is one level deeper.
            let depth = match buf.get(*pos) {
                None => return Err("unexpected EOF".into()),
                Some(next) if next >> 5 == 6 => {
                    // The next tag's head is read before its level counts.
                    head(buf, &mut { *pos })?;
                    nested(depth)?
                }
                Some(_) => depth,
            };
            wellformed(buf, pos, depth, tags, items)?;
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn too_many_items() -> String {
    format!("cbor: more than {MAX_ITEMS} data items in the signature envelope")
}

/// Moves past the (well-formed) item at `*pos`, checking that each tag in
/// it holds what fxamacker/cbor requires of the tag.
pub(super) fn builtin_tags(buf: &[u8], pos: &mut usize) -> Result<(), String> {
    match head(buf, pos)? {
        Head::Array(len) => {
            for _ in 0..len.unwrap_or(0) {
                builtin_tags(buf, pos)?;
            }
        }
        Head::Map(len) => {
            for _ in 0..len.unwrap_or(0) {
                builtin_tags(buf, pos)?;
                builtin_tags(buf, pos)?;
            }
        }
        Head::Tag(number) => {
            check_builtin_tag(number, buf, *pos)?;
            builtin_tags(buf, pos)?;
        }
        _ => {}
    }
    Ok(())
}

/// Moves past the (well-formed) item at `*pos`.
pub(super) fn skip(buf: &[u8], pos: &mut usize) -> Result<(), String> {
    wellformed(buf, pos, 0, true, &mut 0)
}

/// One level deeper, within fxamacker/cbor's limit.
fn nested(depth: usize) -> Result<usize, String> {
    if depth + 1 > MAX_NESTED_LEVELS {
        return Err(format!(
            "cbor: exceeded max nested level {MAX_NESTED_LEVELS}"
        ));
    }
    Ok(depth + 1)
}

/// The declared size of an array or map, after its level was counted.
fn size(len: Option<usize>, what: &str) -> Result<usize, String> {
    let n = len.ok_or_else(|| indefinite(what))?;
    if i64::try_from(n).is_err() {
        return Err(format!(
            "cbor: {what} length {n} is too large, it would cause integer overflow"
        ));
    }
    if n > MAX_ELEMENTS {
        return Err(if what == "map" {
            format!("cbor: exceeded max number of key-value pairs {MAX_ELEMENTS} for CBOR map")
        } else {
            format!("cbor: exceeded max number of elements {MAX_ELEMENTS} for CBOR array")
        });
    }
    Ok(n)
}

fn indefinite(what: &str) -> String {
    format!("cbor: indefinite-length {what} isn't allowed")
}

/// Additional information 28 to 30, or 31 on an integer or a tag.
fn invalid_additional_information(first: u8) -> String {
    format!(
        "cbor: invalid additional information {} for type {}",
        first & 0x1f,
        major_name(first)
    )
}

/// fxamacker/cbor's name of a major type.
fn major_name(first: u8) -> &'static str {
    match first >> 5 {
        0 => "positive integer",
        1 => "negative integer",
        2 => "byte string",
        3 => "UTF-8 text string",
        4 => "array",
        5 => "map",
        6 => "tag",
        _ => "primitives",
    }
}

/// The content fxamacker/cbor requires of the tags it knows, judged by the
/// first byte of the content (at `pos`).
pub(super) fn check_builtin_tag(number: u64, buf: &[u8], pos: usize) -> Result<(), String> {
    let first = *buf.get(pos).ok_or("unexpected EOF")?;
    let major = first >> 5;
    let (ok, wanted) = match number {
        0 => (major == 3, "tag number 0 must be followed by text string"),
        1 => (
            major <= 1 || (0xf9..=0xfb).contains(&first),
            "tag number 1 must be followed by integer or floating-point number",
        ),
        2 | 3 => (
            major == 2,
            "tag number 2 or 3 must be followed by byte string",
        ),
        _ => (true, ""),
    };
    if ok {
        return Ok(());
    }
    Err(format!("cbor: {wanted}, got {}", major_name(first)))
}
