//! Text safe to show: control and invisible characters escaped in the
//! notation of Go's `%q` (`\n`, `\x1b`, `\u202e`), though not every character
//! `%q` escapes (non-ASCII spaces and private-use characters are kept).
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

/// `text` with every control character escaped in the notation of Go's `%q`:
/// `\n`, `\t`, `\r`, `\x1b` for ASCII controls, `\u007f` for DEL, `\u009b`
/// for the Latin-1 controls, `\u202e` for the Unicode format characters
/// (bidirectional controls, which reorder what a terminal shows, and
/// invisible ones such as zero-width spaces) and `\u2028` for the Unicode
/// line and paragraph separators. Borrowed when nothing needed escaping.
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
            c if (c as u32) > 0xffff => out.push_str(&format!("\\U{:08x}", c as u32)),
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
/// (U+0080 to U+009F, general category Cc), every format character
/// (category Cf, Unicode 15.1: bidirectional controls, zero-width and
/// other invisible characters, tags) and the line and paragraph separators
/// (Zl, Zp). Go's `strconv.IsPrint` counts none of them as printable (nor
/// non-ASCII spaces and private-use characters, which are kept here).
pub fn is_control(c: char) -> bool {
    matches!(
        c as u32,
        0x00..=0x1f
            | 0x7f..=0x9f
            | 0xad
            | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x2028..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    )
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
        // Invisible and separator characters Go's %q escapes too.
        assert_eq!(
            line("a\u{61c}b\u{200b}c\u{2028}d\u{2029}e\u{feff}f\u{e0041}"),
            "a\\u061cb\\u200bc\\u2028d\\u2029e\\ufefff\\U000e0041"
        );
    }

    #[test]
    fn blocks_keep_line_structure_only() {
        assert_eq!(block("a\nb\tc\r\nd"), "a\nb\tc\r\nd");
        assert_eq!(block("a\x1b]0;title\x07\rb\n"), "a\\x1b]0;title\\x07\\rb\n");
    }
}
