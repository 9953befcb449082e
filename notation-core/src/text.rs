//! Text safe to show: control characters escaped as Go's `%q` shows them.
//!
//! Messages, certificate subjects, annotations and user metadata come from
//! others (registries, plugins, signers). Printed raw, an `ESC [` sequence
//! could recolour, hide or rewrite what a terminal shows, and a newline
//! could forge a line of output or of a log. The CLI escapes everything it
//! prints with [`escape_controls`]; the C ABI gives every message as one
//! line with [`line()`].

use std::borrow::Cow;

/// Which line structure the text may keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Structure {
    /// One line (a label, a cell, a message): every control character is
    /// escaped, line breaks and tabs included.
    Line,
    /// Preformatted text (a rendered tree, table, help, JSON): line breaks
    /// (`\n`, and `\r` right before one) and tabs are kept.
    Block,
}

/// `text` with every control character escaped as Go's `%q` shows it:
/// `\n`, `\t`, `\r`, `\x1b` for ASCII controls, `\u007f` for DEL, `\u009b`
/// for the Latin-1 controls and `\u202e` for the Unicode bidirectional controls
/// (which reorder what a terminal shows). Borrowed when nothing needed
/// escaping.
pub fn escape_controls(text: &str, structure: Structure) -> Cow<'_, str> {
    let keep = |c: char, next: Option<char>| -> bool {
        structure == Structure::Block
            && (c == '\n' || c == '\t' || (c == '\r' && next == Some('\n')))
    };
    let needs = |c: char| is_control(c);
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !needs(c) || keep(c, chars.peek().copied()) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// [`escape_controls`] for one line.
pub fn line(text: &str) -> Cow<'_, str> {
    escape_controls(text, Structure::Line)
}

/// [`escape_controls`] for preformatted text.
pub fn block(text: &str) -> Cow<'_, str> {
    escape_controls(text, Structure::Block)
}

/// Whether `c` is escaped: ASCII controls, DEL, the Latin-1 controls
/// (U+0080 to U+009F) and the bidirectional formatting characters.
pub fn is_control(c: char) -> bool {
    matches!(c as u32, 0x00..=0x1f | 0x7f..=0x9f | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_escape_every_control() {
        assert_eq!(line("plain é ✓"), "plain é ✓");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
        assert_eq!(
            line("a\x1b[31mred\x1b[0m\nSuccessfully verified\tx\r"),
            "a\\x1b[31mred\\x1b[0m\\nSuccessfully verified\\tx\\r"
        );
        assert_eq!(
            line("\u{9b}2J\u{7f}\u{202e}evil"),
            "\\u009b2J\\u007f\\u202eevil"
        );
        assert_eq!(line("\0\x07\x08"), "\\x00\\x07\\x08");
    }

    #[test]
    fn blocks_keep_line_structure_only() {
        assert_eq!(block("a\nb\tc\r\nd"), "a\nb\tc\r\nd");
        assert_eq!(block("a\x1b]0;title\x07\rb\n"), "a\\x1b]0;title\\x07\\rb\n");
    }
}
