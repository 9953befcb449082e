//! `notation verify` with several references, `--references-from` or
//! `-o json`: a batch verification (notation-oci's `batch` module) that
//! reports every reference, as a line each and a summary, or as one JSON
//! document (the schema is `notation-oci/schema/verification-report.schema.json`,
//! documented in examples/README.md). Beyond the reference CLI, which
//! verifies one reference per process.
//!
//! Every reference is verified even when others fail; the command exits
//! with status 0 when every reference was verified or skipped by policy,
//! 1 otherwise (the report says why; nothing is printed on standard error
//! for a reference that failed).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use notation_core::verifier::Verifier;
use notation_oci::Reference;
use notation_oci::batch::{BatchItem, BatchOutcome, BatchReport, BatchResult, BatchVerifier};
use notation_oci::workflow::VerifyOptions;

use super::RegistryArgs;
use crate::console::Console;
use crate::error::{CliError, CliResult};

/// The largest `--references-from` list read.
const MAX_REFERENCES_LIST: u64 = 16 * 1024 * 1024;

/// References verified in one run at most (the command line's and the
/// list's): each holds a result and its part of the report in memory.
pub const MAX_REFERENCES: usize = 100_000;

/// Refuses more than [`MAX_REFERENCES`] references.
pub fn check_reference_count(count: usize) -> CliResult {
    if count > MAX_REFERENCES {
        return Err(CliError::usage(format!(
            "{count} references to verify: at most {MAX_REFERENCES} in one run"
        )));
    }
    Ok(())
}

/// How the report is printed (`-o`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// A line per reference, then a summary line.
    Text,
    /// One JSON document.
    Json,
}

impl Output {
    /// Parses `-o text|json`.
    pub fn parse(value: &str) -> CliResult<Self> {
        match value {
            "text" => Ok(Output::Text),
            "json" => Ok(Output::Json),
            other => Err(CliError::usage(format!(
                "unrecognized output format {other}"
            ))),
        }
    }
}

/// Reads `--references-from`: a file, or `-` for standard input; one
/// reference per line, blank lines and `#` comments ignored, surrounding
/// white space trimmed.
pub fn read_references(con: &mut Console, from: &str) -> CliResult<Vec<String>> {
    let too_large = || {
        CliError::failed(format!(
            "the references list {from} is larger than {} MiB",
            MAX_REFERENCES_LIST / (1024 * 1024)
        ))
    };
    let bytes = if from == "-" {
        con.read_input(MAX_REFERENCES_LIST)?.ok_or_else(too_large)?
    } else {
        let path = Path::new(from);
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::io("failed to read the references list", path, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_REFERENCES_LIST + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::io("failed to read the references list", path, e))?;
        if bytes.len() as u64 > MAX_REFERENCES_LIST {
            return Err(too_large());
        }
        bytes
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::failed(format!("the references list {from} is not UTF-8 text")))?;
    Ok(parse_references(&text))
}

fn parse_references(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// What the batch verifies and how.
pub struct Batch<'a> {
    /// The references, as given.
    pub references: Vec<String>,
    /// `--oci-layout`: the references are `<path>:<tag>` or
    /// `<path>@<digest>`, verified under this `--scope`.
    pub layout_scope: Option<String>,
    /// Registry access flags.
    pub registry: &'a RegistryArgs,
    /// `-m`, `--max-signatures`, `--plugin-config`.
    pub options: VerifyOptions,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `-o`.
    pub output: Output,
    /// `--recursive`: every manifest an image index lists too.
    pub recursive: bool,
}

impl Batch<'_> {
    /// Verifies every reference and prints the report. Registry clients
    /// are made here, on the command's thread (one per registry, with its
    /// credentials, `--insecure-registry` and the `-d` trace), before the
    /// verification threads start.
    pub fn run(self, con: &mut Console, verifier: &Verifier) -> CliResult {
        let items: Vec<BatchItem> = match &self.layout_scope {
            Some(scope) => self
                .references
                .iter()
                .map(|r| BatchItem::layout(r, scope).recursive(self.recursive))
                .collect(),
            None => self
                .references
                .iter()
                .map(|r| BatchItem::registry(r).recursive(self.recursive))
                .collect(),
        };
        let mut batch = BatchVerifier::new(verifier)
            .options(self.options)
            .concurrency(self.concurrency);
        if self.layout_scope.is_none() {
            let mut registries: Vec<String> = self
                .references
                .iter()
                .filter_map(|r| Reference::parse(r).ok())
                .map(|r| r.registry().to_string())
                .collect();
            registries.sort_by_key(|r| r.to_ascii_lowercase());
            registries.dedup_by_key(|r| r.to_ascii_lowercase());
            for registry in registries {
                let client = self.registry.client(&registry, con)?;
                batch = batch.registry_client_for(&registry, client);
            }
        }
        let report = match self.output {
            Output::Json => {
                let report = batch.verify(&items);
                con.print(format_args!("{}\n", report.to_json_pretty()))?;
                report
            }
            Output::Text => print_text(con, &batch, &items)?,
        };
        if report.passed {
            Ok(())
        } else {
            Err(CliError::Reported)
        }
    }
}

/// Prints a line per reference, in input order, as soon as it and every
/// reference before it are done; then the summary line.
fn print_text(
    con: &mut Console,
    batch: &BatchVerifier<'_>,
    items: &[BatchItem],
) -> CliResult<BatchReport> {
    let mut ready: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut next = 0;
    let mut failure = None;
    let report = batch.verify_each(items, |index, result| {
        let mut lines = vec![text_line(result)];
        lines.extend(manifest_lines(result));
        ready.insert(index, lines);
        while let Some(lines) = ready.remove(&next) {
            next += 1;
            for line in lines {
                if failure.is_none()
                    && let Err(e) = con.println(line).and_then(|()| con.flush())
                {
                    failure = Some(e);
                }
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    con.println(summary_line(&report))?;
    Ok(report)
}

/// `<outcome>  <reference> (<digest>): <detail>`.
pub fn text_line(result: &BatchResult) -> String {
    let digest = match &result.digest {
        Some(d) if !result.reference.ends_with(&format!("@{d}")) => format!(" ({d})"),
        _ => String::new(),
    };
    let detail = match result.outcome {
        BatchOutcome::Verified => {
            let mut detail = match &result.signature {
                Some(s) => format!("signed by {:?}", s.signer.subject),
                None => "verified".to_string(),
            };
            for warning in &result.warnings {
                detail.push_str(&format!(
                    "; {} failed under \"log\": {}",
                    warning.check, warning.reason
                ));
            }
            detail
        }
        BatchOutcome::Skipped => format!(
            "trust policy {:?} skips verification",
            result.policy.as_deref().unwrap_or_default()
        ),
        _ => result.message.clone().unwrap_or_default(),
    };
    format!(
        "{:<8}  {}{digest}: {detail}",
        result.outcome.as_str(),
        result.reference
    )
}

/// A recursive verification's line per manifest the index lists:
/// `<outcome>    <digest> (<platform>): <detail>`, indented by depth.
pub fn manifest_lines(result: &BatchResult) -> Vec<String> {
    result
        .manifests
        .iter()
        .map(|manifest| {
            let platform = manifest
                .platform
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let detail = match (&manifest.signature, &manifest.message) {
                (Some(s), _) => format!("signed by {:?}", s.signer.subject),
                (None, Some(message)) => message.clone(),
                (None, None) => String::new(),
            };
            format!(
                "{:<8}  {}  {}{platform}: {detail}",
                manifest.outcome.as_str(),
                "  ".repeat(manifest.depth.saturating_sub(1)),
                manifest.digest
            )
        })
        .collect()
}

/// `<n> references: <v> verified, <s> skipped, <f> failed, <u> unsigned, <e> errors`.
pub fn summary_line(report: &BatchReport) -> String {
    let s = &report.summary;
    format!(
        "{} reference{}: {} verified, {} skipped, {} failed, {} unsigned, {} error{}",
        s.total,
        if s.total == 1 { "" } else { "s" },
        s.verified,
        s.skipped,
        s.failed,
        s.unsigned,
        s.error,
        if s.error == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_lists_skip_blank_lines_and_comments() {
        assert_eq!(
            parse_references("a/b:v1\n\n  # a comment\n\t r/c@sha256:x  \r\n#x\nlast"),
            ["a/b:v1", "r/c@sha256:x", "last"]
        );
        assert!(parse_references("").is_empty());
        assert!(parse_references("# only\n\n").is_empty());
    }

    #[test]
    fn output_formats() {
        assert_eq!(Output::parse("json").unwrap(), Output::Json);
        assert_eq!(Output::parse("text").unwrap(), Output::Text);
        assert_eq!(
            Output::parse("yaml").unwrap_err().to_string(),
            "unrecognized output format yaml"
        );
    }
}
