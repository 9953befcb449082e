//! Go's `encoding/json` syntax check, for its error texts.
//!
//! Go's `json.Unmarshal` scans the whole input before decoding any of it,
//! and a syntax error is reported as the scanner words it: `invalid
//! character 'x' looking for beginning of value`, `unexpected end of JSON
//! input`. The reference reports these texts for a malformed envelope, so
//! this is the same scanner (the same states, contexts and nesting limit),
//! written as a loop over the bytes that keeps one small stack of open
//! containers.

/// Go's `maxNestingDepth`.
const GO_MAX_DEPTH: usize = 10_000;

/// Where the scanner is: what the next byte may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// A value starts (whitespace allowed).
    BeginValue,
    /// After `[`: a value or `]`.
    BeginValueOrEmpty,
    /// After `{`: a member name or `}`.
    BeginStringOrEmpty,
    /// After `,` in an object: a member name.
    BeginString,
    /// A value has ended: what follows depends on the container.
    EndValue,
    /// After the top-level value: whitespace only.
    EndTop,
    InString,
    InStringEsc,
    /// After `\u`, with this many hex digits read.
    InStringEscU(u8),
    /// After `-`.
    Neg,
    /// In the integer part after a non-zero digit.
    Int,
    /// After a leading `0`.
    Zero,
    /// After `.`.
    Dot,
    /// In the fraction's digits.
    Fraction,
    /// After `e` or `E`.
    E,
    /// After the exponent's sign.
    ESign,
    /// In the exponent's digits.
    Exponent,
    /// In a literal: the rest still expected, and its name.
    Literal(&'static [u8], &'static str),
}

/// What an open container is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The scanner's text for byte `c` in a message, as Go's `quoteChar`
/// writes it: `'x'`, `'\''`, `'"'`, `'\n'`, `'\x01'`, and bytes from 0x80
/// as the Latin-1 character of that number (`'Ã'`, or `'\u0080'` where Go
/// does not print it).
fn quote_char(c: u8) -> String {
    let inner = match c {
        b'\'' => "\\'".to_string(),
        b'"' => "\"".to_string(),
        b'\\' => "\\\\".to_string(),
        0x07 => "\\a".to_string(),
        0x08 => "\\b".to_string(),
        0x0c => "\\f".to_string(),
        b'\n' => "\\n".to_string(),
        b'\r' => "\\r".to_string(),
        b'\t' => "\\t".to_string(),
        0x0b => "\\v".to_string(),
        c if c < 0x20 || c == 0x7f => format!("\\x{c:02x}"),
        // Go's strconv.IsPrint: C1 controls, no-break space and the soft
        // hyphen are not printed.
        c if (0x80..0xa0).contains(&c) || c == 0xa0 || c == 0xad => format!("\\u{c:04x}"),
        c => char::from(c).to_string(),
    };
    format!("'{inner}'")
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

/// The scanner, byte by byte.
struct Scanner {
    state: State,
    stack: Vec<Open>,
}

impl Scanner {
    /// The state after a value ends, per the innermost container.
    fn end_value(&mut self, c: u8) -> Result<(), String> {
        let Some(top) = self.stack.last_mut() else {
            self.state = State::EndTop;
            return self.step(c);
        };
        if is_space(c) {
            self.state = State::EndValue;
            return Ok(());
        }
        match *top {
            Open::ObjectKey => {
                if c == b':' {
                    *top = Open::ObjectValue;
                    self.state = State::BeginValue;
                    return Ok(());
                }
                Err(invalid(c, "after object key"))
            }
            Open::ObjectValue => match c {
                b',' => {
                    *top = Open::ObjectKey;
                    self.state = State::BeginString;
                    Ok(())
                }
                b'}' => {
                    self.stack.pop();
                    self.state = State::EndValue;
                    Ok(())
                }
                _ => Err(invalid(c, "after object key:value pair")),
            },
            Open::ArrayValue => match c {
                b',' => {
                    self.state = State::BeginValue;
                    Ok(())
                }
                b']' => {
                    self.stack.pop();
                    self.state = State::EndValue;
                    Ok(())
                }
                _ => Err(invalid(c, "after array element")),
            },
        }
    }

    fn push(&mut self, c: u8, open: Open, next: State) -> Result<(), String> {
        self.stack.push(open);
        if self.stack.len() > GO_MAX_DEPTH {
            return Err(invalid(c, "exceeded max depth"));
        }
        self.state = next;
        Ok(())
    }

    fn begin_value(&mut self, c: u8) -> Result<(), String> {
        self.state = match c {
            c if is_space(c) => return Ok(()),
            b'{' => return self.push(c, Open::ObjectKey, State::BeginStringOrEmpty),
            b'[' => return self.push(c, Open::ArrayValue, State::BeginValueOrEmpty),
            b'"' => State::InString,
            b'-' => State::Neg,
            b'0' => State::Zero,
            b'1'..=b'9' => State::Int,
            b't' => State::Literal(b"rue", "true"),
            b'f' => State::Literal(b"alse", "false"),
            b'n' => State::Literal(b"ull", "null"),
            _ => return Err(invalid(c, "looking for beginning of value")),
        };
        Ok(())
    }

    /// After a number's last digit: `.`, an exponent or the value's end.
    fn after_digits(&mut self, c: u8, fraction_allowed: bool) -> Result<(), String> {
        match c {
            b'.' if fraction_allowed => self.state = State::Dot,
            b'e' | b'E' => self.state = State::E,
            _ => return self.end_value(c),
        }
        Ok(())
    }

    fn step(&mut self, c: u8) -> Result<(), String> {
        match self.state {
            State::BeginValue => self.begin_value(c),
            State::BeginValueOrEmpty => {
                if is_space(c) {
                    return Ok(());
                }
                if c == b']' {
                    // An empty array is a value that ends here.
                    self.stack.pop();
                    self.state = State::EndValue;
                    return Ok(());
                }
                self.begin_value(c)
            }
            State::BeginStringOrEmpty | State::BeginString => {
                if is_space(c) {
                    return Ok(());
                }
                if c == b'}' && self.state == State::BeginStringOrEmpty {
                    self.stack.pop();
                    self.state = State::EndValue;
                    return Ok(());
                }
                if c == b'"' {
                    self.state = State::InString;
                    return Ok(());
                }
                Err(invalid(c, "looking for beginning of object key string"))
            }
            State::EndValue => self.end_value(c),
            State::EndTop => {
                if is_space(c) {
                    Ok(())
                } else {
                    Err(invalid(c, "after top-level value"))
                }
            }
            State::InString => {
                match c {
                    b'"' => self.state = State::EndValue,
                    b'\\' => self.state = State::InStringEsc,
                    c if c < 0x20 => return Err(invalid(c, "in string literal")),
                    _ => {}
                }
                Ok(())
            }
            State::InStringEsc => {
                self.state = match c {
                    b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => State::InString,
                    b'u' => State::InStringEscU(0),
                    _ => return Err(invalid(c, "in string escape code")),
                };
                Ok(())
            }
            State::InStringEscU(n) => {
                if !c.is_ascii_hexdigit() {
                    return Err(invalid(c, "in \\u hexadecimal character escape"));
                }
                self.state = if n == 3 {
                    State::InString
                } else {
                    State::InStringEscU(n + 1)
                };
                Ok(())
            }
            State::Neg => {
                self.state = match c {
                    b'0' => State::Zero,
                    b'1'..=b'9' => State::Int,
                    _ => return Err(invalid(c, "in numeric literal")),
                };
                Ok(())
            }
            State::Int => {
                if c.is_ascii_digit() {
                    return Ok(());
                }
                self.after_digits(c, true)
            }
            State::Zero => self.after_digits(c, true),
            State::Dot => {
                if !c.is_ascii_digit() {
                    return Err(invalid(c, "after decimal point in numeric literal"));
                }
                self.state = State::Fraction;
                Ok(())
            }
            State::Fraction => {
                if c.is_ascii_digit() {
                    return Ok(());
                }
                self.after_digits(c, false)
            }
            State::E => {
                if c == b'+' || c == b'-' {
                    self.state = State::ESign;
                    return Ok(());
                }
                self.state = State::ESign;
                self.step(c)
            }
            State::ESign => {
                if !c.is_ascii_digit() {
                    return Err(invalid(c, "in exponent of numeric literal"));
                }
                self.state = State::Exponent;
                Ok(())
            }
            State::Exponent => {
                if c.is_ascii_digit() {
                    return Ok(());
                }
                self.end_value(c)
            }
            State::Literal(rest, name) => {
                if c != rest[0] {
                    return Err(invalid(
                        c,
                        &format!("in literal {name} (expecting {})", quote_char(rest[0])),
                    ));
                }
                self.state = if rest.len() == 1 {
                    State::EndValue
                } else {
                    State::Literal(&rest[1..], name)
                };
                Ok(())
            }
        }
    }
}

/// The error Go's `json.Unmarshal` gives for `data` before decoding any of
/// it (its syntax check), or `None` where that check passes.
pub fn go_syntax_error(data: &[u8]) -> Option<String> {
    let mut scanner = Scanner {
        state: State::BeginValue,
        stack: Vec::new(),
    };
    for &c in data {
        if let Err(e) = scanner.step(c) {
            return Some(e);
        }
    }
    // At the end Go steps once more with a space: a number or literal that
    // is cut short says so, and anything still open is an unexpected end.
    if scanner.state == State::EndTop {
        return None;
    }
    if let Err(e) = scanner.step(b' ') {
        return Some(e);
    }
    if scanner.state == State::EndTop {
        return None;
    }
    Some("unexpected end of JSON input".into())
}

/// Go's name for the kind of JSON value that starts with `first`, as its
/// type errors word it (`json: cannot unmarshal array into ...`).
pub fn go_kind_name(first: u8) -> &'static str {
    match first {
        b'"' => "string",
        b't' | b'f' => "bool",
        b'[' => "array",
        b'{' => "object",
        _ => "number",
    }
}

/// [`go_kind_name`] of a decoded value.
pub fn go_value_kind_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// What Go's `json.Decoder.Decode` reads of `data`: its first value only,
/// whatever follows it (JWT claims are read so). The value's first byte, or
/// Go's error: `EOF` for no value at all, `unexpected EOF` for one cut
/// short, and the scanner's syntax errors within it.
pub fn go_decoder_value(data: &[u8]) -> Result<u8, String> {
    let Some(start) = data.iter().position(|c| !is_space(*c)) else {
        return Err("EOF".into());
    };
    let mut scanner = Scanner {
        state: State::BeginValue,
        stack: Vec::new(),
    };
    let complete = |s: &Scanner| {
        s.state == State::EndTop || (s.state == State::EndValue && s.stack.is_empty())
    };
    for &c in &data[start..] {
        if complete(&scanner) {
            return Ok(data[start]);
        }
        if let Err(e) = scanner.step(c) {
            // A byte after a number that ends it ends the value; what it
            // is Go leaves to the next read.
            if scanner.state == State::EndTop {
                return Ok(data[start]);
            }
            return Err(e);
        }
    }
    if complete(&scanner) || (scanner.step(b' ').is_ok() && complete(&scanner)) {
        return Ok(data[start]);
    }
    Err("unexpected EOF".into())
}

/// The first number in `data` (valid JSON) that Go cannot read as a
/// float64 (past its range: Go's `strconv.ParseFloat` fails where Rust's
/// parse gives an infinity), as written.
pub fn go_float64_overflow(data: &[u8]) -> Option<&str> {
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'"' => {
                // Skip the string, escapes and all.
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = data[i..]
                    .iter()
                    .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .map_or(data.len(), |n| i + n);
                let literal = std::str::from_utf8(&data[i..end]).ok()?;
                if literal.parse::<f64>().is_ok_and(f64::is_infinite) {
                    return Some(literal);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs and the error Go 1.19's `json.Unmarshal` gives for them
    /// (from a Go program; 60,000 random inputs agreed).
    #[test]
    fn errors_are_go_s() {
        let end = "unexpected end of JSON input";
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"", Some(end)),
            (b" ", Some(end)),
            (b"{", Some(end)),
            (b"{\"a\":1,", Some(end)),
            (b"[1", Some(end)),
            (b"\"abc", Some(end)),
            (
                b"x",
                Some("invalid character 'x' looking for beginning of value"),
            ),
            (
                b"[1,]",
                Some("invalid character ']' looking for beginning of value"),
            ),
            (
                b"{\"a\":1,}",
                Some("invalid character '}' looking for beginning of object key string"),
            ),
            (b"{\"a\" 1}", Some("invalid character '1' after object key")),
            (
                b"{\"a\":1 \"b\":2}",
                Some("invalid character '\"' after object key:value pair"),
            ),
            (b"[1 2]", Some("invalid character '2' after array element")),
            (b"{} x", Some("invalid character 'x' after top-level value")),
            (b"01", Some("invalid character '1' after top-level value")),
            (
                b"\"a\x01\"",
                Some("invalid character '\\x01' in string literal"),
            ),
            (
                b"\"\\x\"",
                Some("invalid character 'x' in string escape code"),
            ),
            (
                b"\"\\u12g4\"",
                Some("invalid character 'g' in \\u hexadecimal character escape"),
            ),
            // A number or literal cut short: Go's last step is a space.
            (b"-", Some("invalid character ' ' in numeric literal")),
            (
                b"1.",
                Some("invalid character ' ' after decimal point in numeric literal"),
            ),
            (
                b"1e+",
                Some("invalid character ' ' in exponent of numeric literal"),
            ),
            (
                b"1ex",
                Some("invalid character 'x' in exponent of numeric literal"),
            ),
            (
                b"tru",
                Some("invalid character ' ' in literal true (expecting 'e')"),
            ),
            (
                b"nulL",
                Some("invalid character 'L' in literal null (expecting 'l')"),
            ),
            // Go's quoting of the character.
            (
                b"'",
                Some("invalid character '\\'' looking for beginning of value"),
            ),
            (
                b"\\",
                Some("invalid character '\\\\' looking for beginning of value"),
            ),
            (
                b"\x0b",
                Some("invalid character '\\v' looking for beginning of value"),
            ),
            (
                b"\x7f",
                Some("invalid character '\\x7f' looking for beginning of value"),
            ),
            (
                b"\x80",
                Some("invalid character '\\u0080' looking for beginning of value"),
            ),
            (
                b"\xad",
                Some("invalid character '\\u00ad' looking for beginning of value"),
            ),
            (
                b"\xc3\xa9",
                Some("invalid character '\u{c3}' looking for beginning of value"),
            ),
            (b"\t\r\n1\t\r\n", None),
            (b"{\"a\":[1,{\"b\":null}],\"c\":-0.5e-3}", None),
            // Bytes that are not UTF-8 are fine in strings.
            (b"\"\xff\xfe\"", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                go_syntax_error(input).as_deref(),
                *want,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// What Go 1.19's `json.NewDecoder(...).Decode(&map)` gives (from a Go
    /// program): the first value alone is read.
    #[test]
    fn a_decoder_reads_the_first_value() {
        let cases: &[(&[u8], Result<u8, &str>)] = &[
            (b"", Err("EOF")),
            (b" \n", Err("EOF")),
            (b"{", Err("unexpected EOF")),
            (b"tru", Err("unexpected EOF")),
            (b"-", Err("unexpected EOF")),
            (
                b"{]",
                Err("invalid character ']' looking for beginning of object key string"),
            ),
            (
                b"x",
                Err("invalid character 'x' looking for beginning of value"),
            ),
            (b" {} x", Ok(b'{')),
            (b"{}{", Ok(b'{')),
            (b"1x", Ok(b'1')),
            (b"1", Ok(b'1')),
            (b"\"s\"x", Ok(b'"')),
            (b"null", Ok(b'n')),
            (b"[1,{}]]", Ok(b'[')),
        ];
        for (input, want) in cases {
            let got = go_decoder_value(input);
            assert_eq!(
                got.as_ref().copied().map_err(String::as_str),
                *want,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn numbers_past_float64_are_found_as_written() {
        assert_eq!(
            go_float64_overflow(br#"{"a":"1e999","b":[1,-1E400]}"#),
            Some("-1E400")
        );
        assert_eq!(
            go_float64_overflow(br#"{"a\"1e999":1.7976931348623158e308}"#),
            None
        );
        assert_eq!(
            go_float64_overflow(b"[1.7976931348623159e308]"),
            Some("1.7976931348623159e308")
        );
        assert_eq!(go_float64_overflow(b"[1e-400]"), None);
    }

    #[test]
    fn nesting_stops_where_go_stops() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert_eq!(go_syntax_error(deep(GO_MAX_DEPTH).as_bytes()), None);
        assert_eq!(
            go_syntax_error(deep(GO_MAX_DEPTH + 1).as_bytes()).as_deref(),
            Some("invalid character '[' exceeded max depth")
        );
    }
}
