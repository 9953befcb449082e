//! Terminal-safe text: control characters in anything we print are shown
//! escaped, never sent to the terminal.
//!
//! Registry error texts, annotations, user metadata, certificate subjects,
//! plugin messages and file contents come from others; printed raw, an
//! `ESC [` sequence could recolour, hide or rewrite what the user sees, and
//! a newline could forge an output line (`Successfully verified ...`).
//! [`escape_controls`] is the one function every printing path goes
//! through (the [`Console`](crate::console::Console) applies it to every
//! line and block it writes; trees and tables apply it to each label and
//! cell, so that a newline cannot break their structure). JSON output
//! stays JSON: JSON already escapes C0 controls, and the characters it
//! leaves raw (DEL, C1 controls, bidirectional overrides) are escaped as
//! `\u00XX`, which is a valid JSON escape of the same character.

#[cfg(test)]
use notation_core::text::is_control;
pub use notation_core::text::{Structure, block, escape_controls, line};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_stays_valid_and_equal() {
        let value = serde_json::json!({"k": "\u{1b}[2J\u{9b}\u{7f}\u{202e}\n"});
        let text = serde_json::to_string(&value).unwrap();
        let escaped = block(&text);
        assert!(!escaped.chars().any(is_control), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, value);
    }
}
