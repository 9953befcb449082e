//! A small conformance report for `harness = false` test binaries: every
//! vector is a named case that passes, fails, or is pending with a reason.
//! Pending cases are listed in one place (`PENDING` of the test file),
//! counted and printed on every run, and still run: a pending case must fail
//! closed (never verify) until its feature lands. Nothing is skipped
//! silently.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Which cases to run, from libtest's command line: `cargo test --test
/// NAME -- [FILTER...] [--exact] [--skip FILTER]... [options]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Positional filters: a case runs when any matches (none: all run).
    pub filters: Vec<String>,
    /// `--skip`: a case whose name matches any of these does not run.
    pub skip: Vec<String>,
    /// `--exact`: filters and skips match whole names, not substrings.
    pub exact: bool,
}

/// libtest options that take a value as the next argument (`--opt value`;
/// `--opt=value` is one argument).
const OPTIONS_WITH_VALUE: [&str; 7] = [
    "--test-threads",
    "--skip",
    "--logfile",
    "--format",
    "--color",
    "--shuffle-seed",
    "-Z",
];

impl Selection {
    /// Parses libtest's arguments (the program name excluded). Flags are
    /// ignored, and so is the value of an option that takes one, so that
    /// `-- --test-threads 2` selects every case instead of those named
    /// like "2".
    pub fn parse(args: impl IntoIterator<Item = String>) -> Self {
        let mut sel = Self::default();
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            if a == "--exact" {
                sel.exact = true;
            } else if let Some(v) = a.strip_prefix("--skip=") {
                sel.skip.push(v.to_string());
            } else if OPTIONS_WITH_VALUE.contains(&a.as_str()) {
                let value = args.next();
                if a == "--skip" {
                    sel.skip.extend(value);
                }
            } else if a.starts_with('-') {
                // Any other flag, or `--opt=value`.
            } else {
                sel.filters.push(a);
            }
        }
        sel
    }

    fn matches(&self, pattern: &str, name: &str) -> bool {
        if self.exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    }

    /// Whether the case `name` runs.
    pub fn selected(&self, name: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| self.matches(f, name)))
            && !self.skip.iter().any(|s| self.matches(s, name))
    }

    /// Whether the command line narrows the cases (then running none is
    /// not an error).
    pub fn is_narrowed(&self) -> bool {
        !self.filters.is_empty() || !self.skip.is_empty()
    }
}

/// Collects case results and prints them.
#[derive(Default)]
pub struct Report {
    passed: Vec<String>,
    failed: Vec<(String, String)>,
    pending: Vec<(String, &'static str)>,
    selection: Selection,
}

impl Report {
    /// A report selecting cases from the command line as libtest does (see
    /// [`Selection::parse`]).
    pub fn new() -> Self {
        Self {
            selection: Selection::parse(std::env::args().skip(1)),
            ..Self::default()
        }
    }

    fn selected(&self, name: &str) -> bool {
        self.selection.selected(name)
    }

    /// Runs one case; `Err` or a panic fails it.
    pub fn case(&mut self, name: impl Into<String>, f: impl FnOnce() -> Result<(), String>) {
        let name = name.into();
        if !self.selected(&name) {
            return;
        }
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(())) => self.passed.push(name),
            Ok(Err(e)) => self.failed.push((name, e)),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.failed.push((name, format!("panicked: {msg}")));
            }
        }
    }

    /// A case whose expected verdict needs a feature not built yet. `f`
    /// checks that the case fails closed meanwhile; if `f` fails, the case
    /// fails.
    pub fn pending(
        &mut self,
        name: impl Into<String>,
        reason: &'static str,
        f: impl FnOnce() -> Result<(), String>,
    ) {
        let name = name.into();
        if !self.selected(&name) {
            return;
        }
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(())) => self.pending.push((name, reason)),
            Ok(Err(e)) => self
                .failed
                .push((name, format!("pending case did not fail closed: {e}"))),
            Err(_) => self.failed.push((name, "pending case panicked".into())),
        }
    }

    /// Prints the summary and exits non-zero on any failure.
    pub fn finish(self, title: &str) {
        println!(
            "\n{title}: {} passed, {} pending, {} failed",
            self.passed.len(),
            self.pending.len(),
            self.failed.len()
        );
        if std::env::args().any(|a| a == "--verbose" || a == "-v") {
            for p in &self.passed {
                println!("  ok       {p}");
            }
        }
        for (name, reason) in &self.pending {
            println!("  PENDING  {name}: {reason}");
        }
        for (name, e) in &self.failed {
            println!("  FAILED   {name}: {e}");
        }
        if !self.failed.is_empty() {
            std::process::exit(1);
        }
        if self.passed.is_empty() && self.pending.is_empty() && !self.selection.is_narrowed() {
            println!("no cases ran");
            std::process::exit(1);
        }
    }
}
