//! A small conformance report for `harness = false` test binaries: every
//! vector is a named case that passes, fails, or is pending with a reason.
//! Pending cases are listed in one place (`PENDING` of the test file),
//! counted and printed on every run, and still run: a pending case must fail
//! closed (never verify) until its feature lands. Nothing is skipped
//! silently.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Collects case results and prints them.
#[derive(Default)]
pub struct Report {
    passed: Vec<String>,
    failed: Vec<(String, String)>,
    pending: Vec<(String, &'static str)>,
    filter: Option<String>,
}

impl Report {
    /// A report; the first command-line argument that is not a flag filters
    /// cases by substring, as libtest does.
    pub fn new() -> Self {
        let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
        Self {
            filter,
            ..Self::default()
        }
    }

    fn selected(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| name.contains(f.as_str()))
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
        if self.passed.is_empty() && self.pending.is_empty() && self.filter.is_none() {
            println!("no cases ran");
            std::process::exit(1);
        }
    }
}
