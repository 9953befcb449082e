//! JWS envelope decoding against the reference's verdicts: every vector of
//! testdata/jws/decoding.tsv (made by make-decoding-vectors.py, with the
//! verdict and error text of notation-core-go v1.3.0's `ParseEnvelope`,
//! Go's `json.Unmarshal` into its envelope struct) is parsed by
//! `JwsEnvelope::parse`. Where the reference refuses, we refuse with its
//! text; where it accepts, we accept, except for the few inputs we refuse
//! on purpose (listed below, with our text).
// Requirements: C1, C6, C6a, U.

mod common;

use notation_core::envelope::EnvelopeError;
use notation_core::envelope::jws::JwsEnvelope;

/// Vectors the reference accepts and we refuse, with our text: base64
/// that is not canonical, `[]byte` members written as arrays, members
/// given twice (no two encodings of one envelope both verify), and
/// nesting past our limit for untrusted JSON.
const STRICTER: &[(&str, &str)] = &[
    (
        "certificate as byte array",
        "header.x5c: an array of byte values is not accepted, only base64 text",
    ),
    (
        "timestamp signature as byte array",
        "header.io.cncf.notary.timestampSignature: an array of byte values is not accepted, only base64 text",
    ),
    (
        "certificate base64 line breaks",
        "illegal base64 data at input byte 2",
    ),
    (
        "certificate base64 trailing bits",
        "illegal base64 data at input byte 2",
    ),
    (
        "payload twice",
        "duplicate field `payload` in the JWS envelope",
    ),
    (
        "payload twice folded",
        "duplicate field `payload` in the JWS envelope",
    ),
    (
        "x5c twice",
        "duplicate field `x5c` in the JWS unprotected header",
    ),
    ("deep nesting Go takes", "JSON nested deeper than 64 levels"),
];

fn vectors() -> Vec<(String, Vec<u8>, Option<String>)> {
    common::decoding_vectors("jws/decoding.tsv")
}

#[test]
fn every_decoding_vector_gets_the_reference_verdict_and_text() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 110);
    let mut failures = Vec::new();
    for (name, bytes, refusal) in &vectors {
        let stricter = STRICTER.iter().find(|(n, _)| n == name).map(|(_, t)| *t);
        let want = match (refusal, stricter) {
            (Some(_), Some(_)) => panic!("{name}: the reference refuses it too"),
            (None, Some(ours)) => Some(ours),
            (refusal, None) => refusal.as_deref(),
        };
        let ours = JwsEnvelope::parse(bytes);
        match (want, &ours) {
            (None, Ok(_)) => {}
            (Some(want), Err(EnvelopeError::Malformed(e))) if e == want => {}
            _ => failures.push(format!(
                "{name}: want {}, ours {:?}",
                want.unwrap_or("accept"),
                ours.as_ref().map(|_| "accept").map_err(|e| e.to_string())
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (name, _) in STRICTER {
        assert!(
            vectors.iter().any(|(n, ..)| n == name),
            "{name} is no vector"
        );
    }
}
