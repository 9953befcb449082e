//! The verification level matrix recorded in an outcome (M1).

use notation_core::trust::{ValidationAction, ValidationType};
use notation_core::verifier::ArtifactVerifyOptions;

use crate::common::report::Report;
use crate::fixtures::{json_file, oci_verifier, read, with_level};
use crate::vectors_01::{REF_01, desc_01, notation_go_store};

pub(crate) fn level_matrix_is_applied(r: &mut Report) {
    // The enforcement recorded in an outcome is the statement's (M1).
    r.case("M matrix recorded in outcome (audit)", || {
        let base = with_level(
            &json_file("06-trust-policies/derived-oci/valid-base.json"),
            "audit",
        );
        let v = oci_verifier(notation_go_store(), &base);
        let env = read("01-jws-envelopes-notation-go-mock/ca_valid_sig_env.json");
        let out = v
            .verify_artifact(
                REF_01,
                &desc_01(),
                &env,
                "application/jose+json",
                &ArtifactVerifyOptions::new(),
            )
            .map_err(|e| e.to_string())?;
        let actions: Vec<_> = out
            .results()
            .iter()
            .map(|r| (r.check(), r.action()))
            .collect();
        let want = vec![
            (ValidationType::Integrity, ValidationAction::Enforce),
            (ValidationType::Authenticity, ValidationAction::Log),
            (ValidationType::Expiry, ValidationAction::Log),
            (ValidationType::AuthenticTimestamp, ValidationAction::Log),
            (ValidationType::Revocation, ValidationAction::Log),
        ];
        if actions == want {
            Ok(())
        } else {
            Err(format!("{actions:?}"))
        }
    });
}
