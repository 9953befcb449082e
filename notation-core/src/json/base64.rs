//! Go's `base64.StdEncoding`, as `encoding/json` reads `[]byte` members
//! with it: padding required, `\r` and `\n` skipped anywhere, non-zero
//! trailing bits accepted (it is not `Strict`), and an error named by the
//! offset Go's decoder stops at (`illegal base64 data at input byte 4`).
//! The base64 crate decodes; only where Go stops is worked out here.

use std::borrow::Cow;

use base64::Engine;

/// The base64 crate set up to decode what Go's `StdEncoding` accepts once
/// line breaks are removed.
const GO_STD_DECODE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// `data` without any `a` or `b` byte: borrowed when it has none (base64
/// text without line breaks, a PEM body without spaces), copied run by run
/// between them otherwise.
pub(crate) fn without_either(data: &[u8], a: u8, b: u8) -> Cow<'_, [u8]> {
    if crate::bytes::find2(a, b, data).is_none() {
        return Cow::Borrowed(data);
    }
    let mut kept = Vec::with_capacity(data.len());
    let mut start = 0;
    for end in crate::bytes::find2_all(a, b, data) {
        kept.extend_from_slice(&data[start..end]);
        start = end + 1;
    }
    kept.extend_from_slice(&data[start..]);
    Cow::Owned(kept)
}

/// Decodes `s` as Go's `base64.StdEncoding.Decode` does, with Go's error.
pub(crate) fn decode_go_base64(s: &str) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    // Line by line: PEM bodies hold a break every 64 characters.
    let input = without_either(bytes, b'\r', b'\n');
    // Without its line breaks, what Go accepts is whole quanta, padded as
    // they must be: the crate accepts the same, and where it refuses, Go's
    // decoder is retraced to name the offset Go names.
    GO_STD_DECODE
        .decode(&*input)
        .map_err(|e| match go_std_base64_error(bytes) {
            Some(offset) => format!("illegal base64 data at input byte {offset}"),
            None => format!("illegal base64 data: {e}"),
        })
}

/// Where Go's `base64.StdEncoding.Decode` stops on `src` with a
/// `CorruptInputError`, or `None` where it decodes.
fn go_std_base64_error(src: &[u8]) -> Option<usize> {
    go_base64_error_offset(src, false)
}

/// Where Go's `base64.RawURLEncoding.Decode` (no padding) stops on `src`
/// with a `CorruptInputError`, or `None` where it decodes: Go accepts line
/// breaks and non-zero trailing bits there too.
pub(crate) fn go_raw_url_base64_error(src: &[u8]) -> Option<usize> {
    go_base64_error_offset(src, true)
}

/// Go's `decodeQuantum`, quantum by quantum, without the decoding: the
/// standard alphabet with padding, or the URL alphabet without.
fn go_base64_error_offset(src: &[u8], raw_url: bool) -> Option<usize> {
    let is_digit = |c: u8| {
        c.is_ascii_alphanumeric()
            || if raw_url {
                c == b'-' || c == b'_'
            } else {
                c == b'+' || c == b'/'
            }
    };
    let is_line_break = |c: u8| c == b'\n' || c == b'\r';
    let skip_line_breaks = |mut si: usize| {
        while si < src.len() && is_line_break(src[si]) {
            si += 1;
        }
        si
    };
    let mut si = 0;
    while si < src.len() {
        // One quantum: `j` digits of four read so far.
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                // Cut short (Go's offset counts back the digits, not the
                // line breaks, of this quantum); without padding, two or
                // three digits end the data.
                return match j {
                    0 => None,
                    1 => Some(si - j),
                    _ if raw_url => None,
                    _ => Some(si - j),
                };
            }
            let c = src[si];
            si += 1;
            if is_digit(c) {
                j += 1;
                continue;
            }
            if is_line_break(c) {
                continue;
            }
            if raw_url || c != b'=' || j < 2 {
                return Some(si - 1);
            }
            if j == 2 {
                // "==": the second '=' follows, line breaks aside.
                si = skip_line_breaks(si);
                if si == src.len() {
                    return Some(src.len());
                }
                if src[si] != b'=' {
                    return Some(si - 1);
                }
                si += 1;
            }
            // Padding ends the data; only line breaks may follow.
            si = skip_line_breaks(si);
            return if si < src.len() { Some(si) } else { None };
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs and what Go 1.19's `base64.StdEncoding.DecodeString` gives
    /// for them (from a Go program; 60,000 random inputs agreed).
    #[test]
    fn errors_and_bytes_are_go_s() {
        let cases: &[(&str, Result<&[u8], usize>)] = &[
            ("", Ok(b"")),
            ("AA==", Ok(&[0])),
            ("AB==", Ok(&[0])),
            ("AAA=", Ok(&[0, 0])),
            ("AAAA", Ok(&[0, 0, 0])),
            ("A\nA=\r\n=", Ok(&[0])),
            ("\n", Ok(b"")),
            ("A", Err(0)),
            ("AA", Err(0)),
            ("AAA", Err(0)),
            ("AAAAA", Err(4)),
            ("AA=\nA", Err(3)),
            ("AA=", Err(3)),
            ("=AAA", Err(0)),
            ("A===", Err(1)),
            ("AA==AA==", Err(4)),
            ("AA==\n\nA", Err(6)),
            ("AAA=A", Err(4)),
            ("AAAA-AAA", Err(4)),
            ("AA\nA", Err(1)),
            ("AAAA AAA", Err(4)),
        ];
        for (input, want) in cases {
            let got = decode_go_base64(input);
            match want {
                Ok(bytes) => assert_eq!(got.as_deref(), Ok(*bytes), "{input:?}"),
                Err(offset) => assert_eq!(
                    got,
                    Err(format!("illegal base64 data at input byte {offset}")),
                    "{input:?}"
                ),
            }
        }
    }

    /// Inputs and what Go 1.19's `base64.RawURLEncoding.DecodeString`
    /// gives for them: `None` where it decodes.
    #[test]
    fn raw_url_errors_are_go_s() {
        let cases: &[(&str, Option<usize>)] = &[
            ("", None),
            ("A", Some(0)),
            ("AA", None),
            ("AAA", None),
            ("AAAAA", Some(4)),
            ("AA==", Some(2)),
            ("AA=", Some(2)),
            ("A-_B", None),
            ("AA+A", Some(2)),
            ("AA\nA", None),
            ("AB", None),
            ("AAAA\r\nAA", None),
            ("A\nA\nA\nA\nA", Some(8)),
        ];
        for (input, want) in cases {
            assert_eq!(
                go_raw_url_base64_error(input.as_bytes()),
                *want,
                "{input:?}"
            );
        }
    }
}
