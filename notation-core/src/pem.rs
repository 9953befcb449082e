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

    #[test]
    fn whitespace_and_headers_in_a_body_are_not_base64() {
        let text = "-----BEGIN X-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\n  aGVs\tbG8g \r\nd29y bGQ=\r\n-----END X-----\r\n";
        let blocks = parse_blocks(text.as_bytes()).unwrap();
        assert_eq!(blocks[0].der, b"hello world");
        assert_eq!(base64_text(" ab\tc \n\nd\u{b}e\n"), b"abcd\x0be");
    }
}
