//! PEM text: a lenient reader in the manner of Go's `encoding/pem` (any line
//! length, optional RFC 1421 headers, text between blocks ignored), decoding
//! the base64 body with the `base64` crate.

use base64::Engine;

/// One PEM block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PemBlock {
    /// The label (`CERTIFICATE`, `PRIVATE KEY`, ...).
    pub label: String,
    /// The decoded body.
    pub der: Vec<u8>,
}

/// Upper bound on how many blocks one input may hold: a trust-store file or a
/// chain with more is hostile.
pub const MAX_BLOCKS: usize = 1024;

/// Parses every PEM block in `data`. Text outside blocks is ignored; a block
/// that starts but does not end, or whose body is not base64, is an error.
pub fn parse_blocks(data: &[u8]) -> Result<Vec<PemBlock>, String> {
    let text = std::str::from_utf8(data).map_err(|_| "PEM data is not valid UTF-8".to_string())?;
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let label_end = after.find("-----").ok_or("unterminated PEM BEGIN line")?;
        let label = &after[..label_end];
        if label.contains('\n') {
            return Err("malformed PEM BEGIN line".into());
        }
        let body_and_rest = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body_and_rest
            .find(&end_marker)
            .ok_or_else(|| format!("PEM block {label:?} has no END line"))?;
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64_text(&body_and_rest[..end]))
            .map_err(|e| format!("PEM block {label:?}: {e}"))?;
        blocks.push(PemBlock {
            label: label.to_string(),
            der,
        });
        if blocks.len() > MAX_BLOCKS {
            return Err(format!("more than {MAX_BLOCKS} PEM blocks"));
        }
        rest = &body_and_rest[end + end_marker.len()..];
    }
    Ok(blocks)
}

/// The PEM blocks of `data` as Go's `pem.Decode`, called again on what
/// it leaves, finds them: a BEGIN line starts the input or a line, an END
/// line names the block's type and ends with white space only, and a block
/// that does not decode (no END line, a wrong one, a body that is not
/// base64) is skipped, not an error. Text between blocks is not read, so
/// it need not be UTF-8. Linear in the input's length.
pub fn go_blocks(data: &[u8]) -> GoBlocks<'_> {
    GoBlocks {
        rest: data,
        next_end: None,
        end_line: None,
    }
}

/// The iterator of [`go_blocks`].
#[derive(Clone, Debug)]
pub struct GoBlocks<'a> {
    rest: &'a [u8],
    /// The next `\n-----END ` of the input, as the length of the input
    /// left at it (which stays true as `rest` shrinks from the front);
    /// `Some(None)` when there is none; `None` until searched.
    next_end: Option<Option<usize>>,
    /// The END line last looked at: the input left at its `\n-----END `,
    /// and the input left where the white space that ends the line
    /// begins (see [`GoBlocks::blank_after`]).
    end_line: Option<(usize, usize)>,
}

const BEGIN: &[u8] = b"\n-----BEGIN ";
const END: &[u8] = b"\n-----END ";
const DASHES: &[u8] = b"-----";

impl<'a> GoBlocks<'a> {
    /// The offset in `from` of the next `\n-----END `, searching once for
    /// every position of the input: offsets are remembered as remaining
    /// lengths, and `from` only ever shrinks from the front.
    fn find_end(&mut self, from: &'a [u8]) -> Option<usize> {
        if let Some(cached) = self.next_end {
            match cached {
                None => return None,
                Some(left) if left <= from.len() => return Some(from.len() - left),
                Some(_) => {}
            }
        }
        let found = crate::bytes::find(from, END);
        self.next_end = Some(found.map(|i| from.len() - i));
        found
    }

    /// Whether nothing but white space follows `after` on its line, as Go
    /// checks the rest of an END line (`getLine` gives an empty line), for
    /// `after` on the line of the END marker `at` (which starts with its
    /// `\n`). The line is read once per END marker, whatever the number of
    /// blocks that end there: many BEGIN lines may share one END line.
    fn blank_after(&mut self, at: &[u8], after: &[u8]) -> bool {
        let blank_from = match self.end_line {
            Some((marker, blank)) if marker == at.len() => blank,
            _ => {
                let line = &at[1..];
                // Where Go's trimmed line ends, as the input left there.
                let blank = line.len() - get_line(line).0.len();
                self.end_line = Some((at.len(), blank));
                blank
            }
        };
        after.len() <= blank_from
    }
}

impl Iterator for GoBlocks<'_> {
    type Item = PemBlock;

    fn next(&mut self) -> Option<PemBlock> {
        loop {
            let mut rest = self.rest;
            if rest.starts_with(&BEGIN[1..]) {
                rest = &rest[BEGIN.len() - 1..];
            } else if let Some(i) = crate::bytes::find(rest, BEGIN) {
                rest = &rest[i + BEGIN.len()..];
            } else {
                self.rest = &[];
                return None;
            }
            let (type_line, after) = get_line(rest);
            rest = after;
            self.rest = rest;
            let Some(label) = type_line.strip_suffix(DASHES) else {
                continue;
            };
            // Headers: lines with a colon, up to the first without one.
            let mut headers = false;
            loop {
                if rest.is_empty() {
                    self.rest = &[];
                    return None;
                }
                let (line, next) = get_line(rest);
                if !line.contains(&b':') {
                    break;
                }
                headers = true;
                rest = next;
            }
            // A block that fails from here on is searched past from the
            // end of its headers, as Go's `rest` is.
            self.rest = rest;
            let (end, trailer_at) = if !headers && rest.starts_with(&END[1..]) {
                (0, END.len() - 1)
            } else {
                match self.find_end(rest) {
                    Some(i) => (i, i + END.len()),
                    None => {
                        self.rest = &[];
                        return None;
                    }
                }
            };
            let trailer = &rest[trailer_at..];
            let trailer_len = label.len() + DASHES.len();
            if trailer.len() < trailer_len {
                continue;
            }
            let (trailer, rest_of_line) = trailer.split_at(trailer_len);
            if !trailer.starts_with(label) || !trailer.ends_with(DASHES) {
                continue;
            }
            if !self.blank_after(&rest[end..], rest_of_line) {
                continue;
            }
            // A body with a byte base64 text cannot hold fails to decode:
            // found from its start (bodies that share an END line hold
            // each other's BEGIN lines, so each byte is looked at for one
            // block only).
            let body = &rest[..end];
            if body.iter().any(|&c| !is_body_byte(c)) {
                continue;
            }
            // Go removes spaces and tabs; its base64 decoder skips CR and LF.
            let b64 = crate::json::without_either(body, b' ', b'\t');
            let Some(der) = std::str::from_utf8(&b64)
                .ok()
                .and_then(|b64| crate::json::decode_go_base64(b64).ok())
            else {
                continue;
            };
            self.rest = get_line(&rest[end + END.len() - 1..]).1;
            return Some(PemBlock {
                label: String::from_utf8_lossy(label).into_owned(),
                der,
            });
        }
    }
}

/// A byte a PEM body Go decodes may hold: the standard base64 alphabet,
/// padding, and the white space Go removes or skips.
fn is_body_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'\r' | b'\n' | b' ' | b'\t')
}

/// Go's `pem.getLine`: the first line (`\n` or `\r\n` ended) without
/// trailing spaces and tabs, and what follows its end.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut i, j) = match data.iter().position(|&c| c == b'\n') {
        None => (data.len(), data.len()),
        Some(i) => (i, i + 1),
    };
    if i > 0 && i < data.len() && data[i - 1] == b'\r' {
        i -= 1;
    }
    let mut line = &data[..i];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[j..])
}

/// The base64 text of a block's body: every line but RFC 1421 headers
/// ("Proc-Type: ..."), which carry no key material, without whitespace.
fn base64_text(body: &str) -> Vec<u8> {
    let mut b64 = Vec::with_capacity(body.len());
    for line in body.lines() {
        if line.contains(':') {
            continue;
        }
        let line = line.as_bytes().trim_ascii();
        // Lines are whole runs of base64 but for the odd hand-edited file:
        // copied as they are, byte by byte only when whitespace is inside.
        if line.iter().any(u8::is_ascii_whitespace) {
            b64.extend(line.iter().filter(|c| !c.is_ascii_whitespace()));
        } else {
            b64.extend_from_slice(line);
        }
    }
    b64
}

/// Encodes one PEM block with 64-character lines.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let text = format!(
            "junk\n{}more junk\n{}",
            encode("A", b"hello"),
            encode("B", &[0u8; 100])
        );
        let blocks = parse_blocks(text.as_bytes()).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].der, b"hello");
        assert_eq!(blocks[1].label, "B");
        assert!(parse_blocks(b"-----BEGIN X-----\nAAAA\n").is_err());
        assert!(parse_blocks(b"-----BEGIN X-----\n!!!!\n-----END X-----\n").is_err());
        assert!(parse_blocks(b"no pem at all").unwrap().is_empty());
    }

    /// Go's `pem.Decode`, block after block.
    #[test]
    fn go_blocks_find_what_go_finds() {
        let labels = |data: &[u8]| -> Vec<(String, Vec<u8>)> {
            go_blocks(data).map(|b| (b.label, b.der)).collect()
        };
        let a = encode("A", b"hello");
        // Text that is not UTF-8 between blocks; CRLF lines; any type.
        let data = [
            &b"caf\xe9\r\n"[..],
            a.replace('\n', "\r\n").as_bytes(),
            b"\xff\n",
            encode("X509 CERTIFICATE", b"x").as_bytes(),
        ]
        .concat();
        assert_eq!(
            labels(&data),
            [
                ("A".to_owned(), b"hello".to_vec()),
                ("X509 CERTIFICATE".to_owned(), b"x".to_vec())
            ]
        );
        // A BEGIN line must start a line; an END line must end with white
        // space only; a body must be base64: such blocks are skipped.
        let skipped = [
            format!("junk{a}"),
            a.replace("-----END A-----", "-----END A-----junk"),
            a.replace("aGVsbG8=", "aGVsbG8"),
            a.replace("-----END A-----", "-----END B-----"),
        ];
        for bad in &skipped {
            assert!(labels(bad.as_bytes()).is_empty(), "{bad:?}");
            let then_good = format!("{bad}{}", encode("G", b"ok"));
            assert_eq!(
                labels(then_good.as_bytes()),
                [("G".to_owned(), b"ok".to_vec())],
                "{bad:?}"
            );
        }
        // Headers, and trailing spaces after the END line.
        let headers = "-----BEGIN K-----\nProc-Type: 4\n\naGk=\n-----END K-----  \n";
        assert_eq!(
            labels(headers.as_bytes()),
            [("K".to_owned(), b"hi".to_vec())]
        );
        // An empty body right before the END line.
        assert_eq!(
            labels(b"-----BEGIN E-----\n-----END E-----\n"),
            [("E".to_owned(), Vec::new())]
        );
        // Go's StdEncoding allows bits after the last whole byte.
        assert_eq!(
            labels(b"-----BEGIN T-----\naGl=\n-----END T-----\n"),
            [("T".to_owned(), b"hi".to_vec())]
        );
    }

    /// Many BEGIN lines and one END line far away: one search for it, not
    /// one per BEGIN line; and header lines are read once, not again after
    /// each block that fails.
    #[test]
    fn go_blocks_are_linear() {
        let mut data = "-----BEGIN A-----\n".repeat(300_000);
        data.push_str("-----END B-----\n");
        assert_eq!(go_blocks(data.as_bytes()).count(), 0);
        let mut data = "-----BEGIN X-----\n".to_owned();
        data.push_str(&"-----BEGIN :-----\n".repeat(200_000));
        data.push_str("x\n-----END Z-----\n");
        assert_eq!(go_blocks(data.as_bytes()).count(), 0);
    }

    /// Many BEGIN lines that share one END line, whose rest is long (text
    /// or white space): the END line is read once, and each body is read
    /// only up to its first byte that is not base64 (the next BEGIN line).
    #[test]
    fn blocks_sharing_an_end_line_are_linear() {
        let begins = "-----BEGIN A-----\n".repeat(100_000);
        // Only the last BEGIN line's block can end there (its body is
        // empty), when nothing but white space follows the END line.
        for (tail, blocks) in [
            ("x".repeat(1 << 20), 0),
            (" ".repeat(1 << 20), 1),
            (format!("{}\n", " ".repeat(1 << 20)), 1),
            ("\n".to_owned(), 1),
        ] {
            let data = format!("{begins}-----END A-----{tail}");
            let found: Vec<PemBlock> = go_blocks(data.as_bytes()).collect();
            assert_eq!(found.len(), blocks, "{:?}", &tail[..1]);
            assert!(found.iter().all(|b| b.der.is_empty()));
        }
        // The last block ends there and decodes (white space to the end of
        // its line after the trailer, as Go allows).
        let data = format!("{begins}aGk=\n-----END A----- \t \r\n");
        let blocks: Vec<PemBlock> = go_blocks(data.as_bytes()).collect();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].der, b"hi");
    }

    /// A BEGIN line with a colon after another BEGIN line is a header of
    /// the first block, as Go reads it: not a block of its own.
    #[test]
    fn a_begin_line_read_as_a_header_is_no_block() {
        let data = "-----BEGIN X-----\n-----BEGIN A:B-----\naGVsbG8=\n-----END A:B-----\n";
        assert_eq!(go_blocks(data.as_bytes()).count(), 0);
    }

    #[test]
    fn whitespace_and_headers_in_a_body_are_not_base64() {
        let text = "-----BEGIN X-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\n  aGVs\tbG8g \r\nd29y bGQ=\r\n-----END X-----\r\n";
        let blocks = parse_blocks(text.as_bytes()).unwrap();
        assert_eq!(blocks[0].der, b"hello world");
        assert_eq!(base64_text(" ab\tc \n\nd\u{b}e\n"), b"abcd\x0be");
    }
}
