//! The MANIFEST's verdict vocabulary: an outcome as a verdict, and the check
//! of a verdict against the expected one.

use notation_core::trust::ValidationType;
use notation_core::verifier::{VerificationError, VerificationOutcome};

/// A verdict in the MANIFEST's vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Valid,
    /// Success with logged failures: each warned class with its message.
    Warn(Vec<(&'static str, String)>),
    /// Failure of this class, with the message.
    Fail(&'static str, String),
}

fn class(t: ValidationType) -> &'static str {
    match t {
        ValidationType::Integrity => "INTEGRITY",
        ValidationType::Authenticity => "AUTHENTICITY",
        ValidationType::AuthenticTimestamp => "AUTHENTIC_TIMESTAMP",
        ValidationType::Expiry => "EXPIRY",
        ValidationType::Revocation => "REVOCATION",
    }
}

pub(crate) fn verdict(result: Result<VerificationOutcome, VerificationError>) -> Verdict {
    match result {
        Ok(outcome) => {
            let warns: Vec<_> = outcome
                .warnings()
                .map(|r| {
                    let message = r.failure().map(|f| f.to_string()).unwrap_or_default();
                    (class(r.check()), message)
                })
                .collect();
            if warns.is_empty() {
                Verdict::Valid
            } else {
                Verdict::Warn(warns)
            }
        }
        Err(e) => {
            let c = match &e {
                VerificationError::Check(o) => {
                    class(o.enforced_failure().expect("check failure").check())
                }
                VerificationError::NoApplicablePolicy(_) => "SELECTION",
                VerificationError::Inconclusive { .. } => "INCONCLUSIVE",
                VerificationError::Plugin { .. } => "PLUGIN",
                VerificationError::DescriptorMismatch(_)
                | VerificationError::BlobMismatch(_)
                | VerificationError::UserMetadata(_) => "PAYLOAD",
                other => panic!("unexpected error {other:?}"),
            };
            Verdict::Fail(c, e.to_string())
        }
    }
}

/// Checks a verdict. `want` is `VALID` (no message), `FAIL(X)` (one
/// message, contained in the failure's) or `WARN(X[,Y...])`: exactly these
/// classes were logged, in the order of the checks, with one message per
/// class, each contained in that warning's message.
pub(crate) fn expect(got: Verdict, want: &str, messages: &[&str]) -> Result<(), String> {
    let classes = |w: &str| -> Vec<String> {
        w[5..w.len() - 1]
            .split(',')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let ok = match (&got, want) {
        (Verdict::Valid, "VALID") => {
            assert!(messages.is_empty(), "VALID has no message");
            true
        }
        (Verdict::Warn(warns), w) if w.starts_with("WARN(") => {
            let want_classes = classes(w);
            assert_eq!(
                messages.len(),
                want_classes.len(),
                "{w}: give one message per warned class"
            );
            let got_classes: Vec<&str> = warns.iter().map(|(c, _)| *c).collect();
            got_classes == want_classes
                && warns
                    .iter()
                    .zip(messages)
                    .all(|((_, m), want)| m.contains(want))
        }
        (Verdict::Fail(c, m), w) if w.starts_with("FAIL(") => {
            assert_eq!(messages.len(), 1, "{w}: give the failure's message");
            w[5..w.len() - 1] == **c && m.contains(messages[0])
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {want} {messages:?}, got {got:?}"))
    }
}
