//! The `-d/--debug` HTTP trace of the registry commands, in the shape of
//! the reference's (`internal/trace`): each request with its method, URL
//! and headers, each response with its status and headers, numbered so
//! that pairs can be matched; `Authorization`, cookies and token-like
//! query values shown as `*****` (the registry client redacts them before
//! any observer sees them). Which referrers mechanism was used is logged
//! at the info level (`-v` too). Values are quoted as Go's `%q` does, so
//! that nothing from a registry reaches the terminal unescaped.

use notation_oci::registry::TransportError;
use notation_oci::registry::observe::{
    ObservedRequest, ObservedResponse, RegistryEvent, RegistryObserver,
};

use crate::console::{LogLevel, LogSink};
use crate::error::go_quote;

/// A [`RegistryObserver`] writing to the command's log.
#[derive(Debug)]
pub struct HttpTrace {
    log: LogSink,
}

impl HttpTrace {
    /// A trace into `log` (which decides, by its level, what is shown).
    pub fn new(log: LogSink) -> Self {
        Self { log }
    }
}

impl RegistryObserver for HttpTrace {
    fn request(&self, id: u64, request: &ObservedRequest) {
        if self.log.level() < LogLevel::Debug {
            return;
        }
        let text = format!(
            "Request #{id}\n> Request: {} {}\n> Request headers:\n{}",
            go_quote(request.method().as_str()),
            go_quote(request.url()),
            header_lines(request.headers())
        );
        self.log.log(LogLevel::Debug, &text);
    }

    fn response(&self, id: u64, response: &ObservedResponse) {
        if self.log.level() < LogLevel::Debug {
            return;
        }
        let text = format!(
            "Response #{id}\n< Response status: {}\n< Response headers:\n{}",
            go_quote(&response.status_line()),
            header_lines(response.headers())
        );
        self.log.log(LogLevel::Debug, &text);
    }

    fn transport_error(&self, id: u64, request: &ObservedRequest, error: &TransportError) {
        let text = format!(
            "Error in getting response #{id} for request {} {}: {}",
            request.method().as_str(),
            go_quote(request.url()),
            go_quote(&error.to_string())
        );
        self.log.log(LogLevel::Debug, &text);
    }

    fn event(&self, event: &RegistryEvent<'_>) {
        self.log.log(LogLevel::Info, &event.to_string());
    }
}

/// Headers as the reference logs them: `   "Name": "v1, v2"`, one line per
/// name (values of a repeated header joined), names in Go's canonical
/// form; `   Empty header` when there are none.
fn header_lines<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
    for (name, value) in headers {
        let name = canonical_header_name(name);
        match grouped.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => grouped.push((name, vec![value])),
        }
    }
    if grouped.is_empty() {
        return "   Empty header".to_string();
    }
    grouped
        .iter()
        .map(|(name, values)| format!("   {}: {}", go_quote(name), go_quote(&values.join(", "))))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: `content-type` becomes
/// `Content-Type` (names with characters outside tokens are kept).
pub fn canonical_header_name(name: &str) -> String {
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return name.to_string();
    }
    let mut upper = true;
    name.chars()
        .map(|c| {
            let out = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            upper = c == '-';
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_as_the_reference_logs_them() {
        assert_eq!(canonical_header_name("content-type"), "Content-Type");
        assert_eq!(
            canonical_header_name("WWW-AUTHENTICATE"),
            "Www-Authenticate"
        );
        assert_eq!(canonical_header_name("oci-subject"), "Oci-Subject");
        assert_eq!(
            header_lines(
                [
                    ("accept", "a"),
                    ("authorization", "*****"),
                    ("Accept", "b"),
                    ("x-evil", "\u{1b}[2J\nforged")
                ]
                .into_iter()
            ),
            "   \"Accept\": \"a, b\"\n   \"Authorization\": \"*****\"\n   \"X-Evil\": \"\\x1b[2J\\nforged\""
        );
        assert_eq!(header_lines(std::iter::empty()), "   Empty header");
    }
}
