//! The compact JWS check against the reference's verdicts: every vector of
//! testdata/jws/jwt.tsv (made by make-jwt-vectors.py, with the verdict and
//! error text of golang-jwt v4.5.2's `Parser.Parse` as notation-core-go
//! v1.3.0's `verifyJWT` calls it) is put in an envelope with its key's
//! chain and verified. Where the reference refuses, our integrity error
//! has its text; where it accepts, the integrity check passes (what comes
//! after it, the envelope's content, is checked elsewhere).
// Requirements: C2, C5, C7, A8.

mod common;

use base64::Engine;
use notation_core::crypto::default_provider;
use notation_core::envelope::{Envelope, EnvelopeError, EnvelopeFormat};
use notation_core::signer::Signer;

struct Vector {
    name: String,
    key: String,
    protected: String,
    payload: String,
    signature: String,
    refusal: Option<String>,
}

fn vectors() -> Vec<Vector> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/jws/jwt.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 6, "{line}");
            let refusal = match f[5] {
                "accept" => None,
                v => Some(
                    v.strip_prefix("refuse: ")
                        .unwrap_or_else(|| panic!("{}: verdict {v:?}", f[0]))
                        .to_owned(),
                ),
            };
            Vector {
                name: f[0].into(),
                key: f[1].into(),
                protected: f[2].into(),
                payload: f[3].into(),
                signature: f[4].into(),
                refusal,
            }
        })
        .collect()
}

#[test]
fn every_jwt_vector_gets_the_reference_verdict_and_text() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 52);
    let crypto = default_provider();
    let mut failures = Vec::new();
    for v in &vectors {
        let signer = common::signer(&v.key);
        let signing_input = format!("{}.{}", v.protected, v.payload);
        let (signature, chain) = signer.sign(signing_input.as_bytes()).unwrap();
        let signature = match v.signature.as_str() {
            "SIGN" => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature),
            other => other.to_owned(),
        };
        let envelope = serde_json::json!({
            "payload": v.payload,
            "protected": v.protected,
            "header": {"x5c": chain.iter().map(|c| base64::engine::general_purpose::STANDARD.encode(c.der())).collect::<Vec<_>>()},
            "signature": signature,
        });
        let envelope =
            Envelope::parse(EnvelopeFormat::Jws, &serde_json::to_vec(&envelope).unwrap()).unwrap();
        let ours = envelope.verify(crypto.as_ref());
        match (&v.refusal, &ours) {
            (None, Err(EnvelopeError::Integrity(e))) => {
                failures.push(format!("{}: the reference accepts; ours: {e}", v.name))
            }
            (None, _) => {}
            (Some(go), Err(EnvelopeError::Integrity(e))) if e == go => {}
            (Some(go), _) => failures.push(format!(
                "{}: the reference refuses ({go}); ours: {:?}",
                v.name,
                ours.as_ref().map(|_| "accepted").map_err(|e| e.to_string())
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
