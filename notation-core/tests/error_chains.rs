//! Error chains print each reason once: every error either prints its cause
//! in its message or returns it from `source()`, never both (issue 12 item
//! 3). Representative chains are walked as anyhow's `{:#}` reporter walks
//! them, and the error declarations of notation-core and notation-oci are
//! scanned for a message that prints a field thiserror also returns from
//! `source()`.

use std::path::Path;

mod common;
#[path = "../../testdata/rust/error_chain.rs"]
mod error_chain;

use error_chain::{chain, report};
use notation_core::signer::LocalSigner;
use notation_core::timestamp::SignedToken;
use notation_core::trust::{
    DirTrustStore, PolicyLoadError, TrustStore, TrustStoreType, load_blob_policy, load_oci_policy,
};
use notation_core::x509::Certificate;
use notation_core::x509::chain::validate_code_signing_chain;

fn write_policy(dir: &Path, file: &str, statement: &str) {
    std::fs::write(
        dir.join(file),
        format!(r#"{{"version": "1.0", "trustPolicies": [{statement}]}}"#),
    )
    .unwrap();
}

/// The case issue 12 reported: a policy with a malformed trust store value
/// printed its text four times with anyhow-style reporters.
#[test]
fn policy_errors_print_each_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    write_policy(
        dir.path(),
        "trustpolicy.oci.json",
        r#"{"name": "p", "registryScopes": ["*"], "signatureVerification": {"level": "strict"},
            "trustStores": ["ca"], "trustedIdentities": ["*"]}"#,
    );
    let e = load_oci_policy(dir.path()).unwrap_err();
    assert_eq!(
        report(&e),
        "oci trust policy: trust policy statement \"p\" has malformed trust store value \"ca\". The required format is <TrustStoreType>:<TrustStoreName>"
    );

    // A DN that does not parse: four layers of errors, one text.
    write_policy(
        dir.path(),
        "trustpolicy.blob.json",
        r#"{"name": "b", "globalPolicy": true, "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:x"], "trustedIdentities": ["x509.subject:C=US,=x"]}"#,
    );
    let e = load_blob_policy(dir.path()).unwrap_err();
    let text = report(&e);
    assert!(
        text.starts_with("blob trust policy: trust policy statement \"b\" has trusted identity"),
        "{text}"
    );

    // Not JSON: the message and the parser's reason, each once.
    std::fs::write(dir.path().join("trustpolicy.oci.json"), b"{").unwrap();
    let e = load_oci_policy(dir.path()).unwrap_err();
    assert!(matches!(e, PolicyLoadError::Malformed { .. }));
    let texts = chain(&e);
    assert_eq!(texts.len(), 2, "{texts:?}");
    report(&e);
}

#[test]
fn trust_store_errors_print_each_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("truststore/x509/ca/bad");
    std::fs::create_dir_all(&store_dir).unwrap();
    std::fs::write(store_dir.join("junk.crt"), b"not a certificate").unwrap();
    let store = DirTrustStore::new(dir.path());
    let e = store.certificates(TrustStoreType::Ca, "bad").unwrap_err();
    let text = report(&e);
    assert!(
        text.starts_with("failed to read the trusted certificate junk.crt"),
        "{text}"
    );
    let e = store
        .certificates(TrustStoreType::Ca, "missing")
        .unwrap_err();
    assert_eq!(
        report(&e),
        "the trust store \"missing\" of type \"ca\" does not exist"
    );
}

#[test]
fn signer_and_certificate_errors_print_each_reason_once() {
    let missing = Path::new("/nonexistent/notation/key.pem");
    let e = LocalSigner::from_files(missing, missing).unwrap_err();
    let text = report(&e);
    assert!(text.starts_with("failed to read /nonexistent"), "{text}");

    // A chain whose leaf is not issued by the next certificate.
    let leaf = Certificate::parse_pem_many(&common::pki("ec-256.crt"))
        .unwrap()
        .remove(0);
    let other = Certificate::parse_pem_many(&common::pki("other-root.crt"))
        .unwrap()
        .remove(0);
    let e = validate_code_signing_chain(
        &[leaf, other],
        None,
        notation_core::crypto::default_provider().as_ref(),
    )
    .unwrap_err();
    report(&e);

    // A timestamp token that is not DER.
    let e = SignedToken::parse(b"\x30\x03\x02\x01").unwrap_err();
    report(&e);
}

// ---------------------------------------------------------------------------
// The declarations
// ---------------------------------------------------------------------------

/// One `#[error(...)]` attribute and the declaration it annotates.
struct Declaration {
    file: String,
    line: usize,
    message: String,
    body: String,
}

/// The text from `open` (at `start`) to its matching close.
fn balanced(text: &str, start: usize, open: char, close: char) -> &str {
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text[start..].char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..start + i + 1];
                }
            }
            _ => {}
        }
    }
    &text[start..]
}

fn declarations(file: &Path, out: &mut Vec<Declaration>) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut from = 0;
    while let Some(at) = text[from..].find("#[error(") {
        let start = from + at;
        let message = balanced(&text, start + "#[error".len(), '(', ')').to_string();
        let after = start + "#[error".len() + message.len();
        // The variant or struct: up to its `{...}`, `(...)`, `,` or `;`.
        let rest = &text[after..];
        let end = rest.find([',', ';', '{', '(']).unwrap_or(rest.len());
        let body = match rest[end..].chars().next() {
            Some('{') => balanced(rest, end, '{', '}').to_string(),
            Some('(') => balanced(rest, end, '(', ')').to_string(),
            _ => String::new(),
        };
        out.push(Declaration {
            file: file.display().to_string(),
            line: text[..start].lines().count() + 1,
            message,
            body,
        });
        from = after;
    }
}

/// thiserror returns a field from `source()` when it is `#[source]`,
/// `#[from]` or named `source`; such a field must not also be printed by
/// the message (`transparent` forwards both, which is fine).
#[test]
fn no_error_prints_the_field_it_returns_as_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    common::rust_files(&root.join("notation-core/src"), &mut files);
    common::rust_files(&root.join("notation-oci/src"), &mut files);
    let mut decls = Vec::new();
    for file in &files {
        declarations(file, &mut decls);
    }
    assert!(decls.len() > 200, "the scan found {} errors", decls.len());
    let mut offending = Vec::new();
    for d in &decls {
        if d.message.trim_matches(['(', ')']).trim() == "transparent" {
            continue;
        }
        let tuple_source =
            d.body.starts_with('(') && (d.body.contains("#[from]") || d.body.contains("#[source]"));
        let prints = |field: &str| {
            d.message.contains(&format!("{{{field}}}"))
                || d.message.contains(&format!("{{{field}:"))
                || d.message.contains(&format!(".{field}"))
        };
        let named_source = d.body.starts_with('{')
            && d.body.lines().any(|l| {
                let l = l.trim_start().trim_start_matches("pub ");
                l.starts_with("source:")
            });
        let attributed = d.body.starts_with('{')
            && d.body
                .split("#[")
                .skip(1)
                .filter(|s| s.starts_with("source]") || s.starts_with("from]"))
                .filter_map(|s| {
                    s.lines()
                        .map(str::trim)
                        .find(|l| l.contains(':') && !l.starts_with("///"))
                        .and_then(|l| l.trim_start_matches("pub ").split(':').next())
                        .map(|f| f.trim().to_string())
                })
                .any(|f| prints(&f));
        if (tuple_source && prints("0")) || (named_source && prints("source")) || attributed {
            offending.push(format!("{}:{}: #[error{}]", d.file, d.line, d.message));
        }
    }
    assert!(
        offending.is_empty(),
        "errors that print their source and return it from source():\n{}",
        offending.join("\n")
    );
}
