//! The timestamps `notation inspect` prints (the golden outputs of 09 and 10).

use notation_core::envelope::{Envelope, EnvelopeFormat};
use notation_core::timestamp::SignedToken;

use crate::common;
use crate::vectors::read;

/// The timestamp fields `notation inspect` prints, from the golden outputs.
fn golden_timestamp(json_path: &str, tree_path: &str) -> (String, Vec<String>, String) {
    let json: serde_json::Value = serde_json::from_slice(&read(json_path)).unwrap();
    let sig = json
        .get("signatures")
        .and_then(|s| s.get(0))
        .unwrap_or(&json);
    let ts = &sig["unsignedAttributes"]["timestampSignature"];
    let range = ts["timestamp"].as_str().unwrap().to_string();
    let fingerprints = ts["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["SHA256Fingerprint"].as_str().unwrap().to_string())
        .collect();
    let tree = String::from_utf8(read(tree_path)).unwrap();
    let line = tree
        .lines()
        .find(|l| l.contains("── timestamp: ["))
        .unwrap();
    let tree_range = line.split("timestamp: ").nth(1).unwrap().to_string();
    (range, fingerprints, tree_range)
}

fn assert_inspect_rendering(
    signature_bytes: &[u8],
    format: EnvelopeFormat,
    json_path: &str,
    tree_path: &str,
) {
    let content = Envelope::parse(format, signature_bytes)
        .unwrap()
        .content_unverified()
        .unwrap();
    let token = SignedToken::parse(
        content
            .signer_info
            .unsigned
            .timestamp_signature
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    let range = token
        .tst_info()
        .unwrap()
        .validate(&content.signer_info.signature)
        .unwrap();
    let (json_range, fingerprints, tree_range) = golden_timestamp(json_path, tree_path);
    assert_eq!(range.to_string(), json_range, "{json_path}");
    assert_eq!(range.format_rfc3339_nano(), json_range, "{json_path}");
    assert_eq!(range.format_ansic(), tree_range, "{tree_path}");
    let ours: Vec<String> = token
        .certificates()
        .iter()
        .map(|c| c.sha256_fingerprint_hex())
        .collect();
    assert_eq!(
        ours, fingerprints,
        "{json_path}: certificates in token order"
    );
}

#[test]
fn inspect_renderings_of_microsoft_tokens() {
    // 10-blob: JWS and COSE blob signatures timestamped by Microsoft's TSA
    // (genTime with milliseconds, accuracy 0.5 s).
    assert_inspect_rendering(
        &read("10-blob/e2e-signatures/blob.jws.sig"),
        EnvelopeFormat::Jws,
        "10-blob/expected-inspect/blob.jws.sig.json",
        "10-blob/expected-inspect/blob.jws.sig.tree.txt",
    );
    assert_inspect_rendering(
        &read("10-blob/e2e-signatures/blob.cose.sig"),
        EnvelopeFormat::Cose,
        "10-blob/expected-inspect/blob.cose.sig.json",
        "10-blob/expected-inspect/blob.cose.sig.tree.txt",
    );
    // 09: the signature stored in the e2e-with-timestamped-signature layout.
    let blobs = common::conformance_dir()
        .join("09-e2e-oci-layouts/layouts/e2e-with-timestamped-signature/blobs/sha256");
    let mut found = 0;
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(content) =
            Envelope::parse(EnvelopeFormat::Jws, &bytes).and_then(|e| e.content_unverified())
        else {
            continue;
        };
        if content.signer_info.unsigned.timestamp_signature.is_some() {
            assert_inspect_rendering(
                &bytes,
                EnvelopeFormat::Jws,
                "09-e2e-oci-layouts/expected-inspect/e2e-with-timestamped-signature.json",
                "09-e2e-oci-layouts/expected-inspect/e2e-with-timestamped-signature.tree.txt",
            );
            found += 1;
        }
    }
    assert_eq!(found, 1);
}

#[test]
fn invalid_token_error_matches_golden_inspect() {
    // The e2e-with-invalid-timestamped-signature layout carries "invalid\n"
    // as its token; notation prints the parse error after "failed to parse
    // timestamp countersignature: ".
    let json: serde_json::Value = serde_json::from_slice(&read(
        "09-e2e-oci-layouts/expected-inspect/e2e-with-invalid-timestamped-signature.json",
    ))
    .unwrap();
    let want = json["signatures"][0]["unsignedAttributes"]["timestampSignature"]["error"]
        .as_str()
        .unwrap();
    let err = SignedToken::parse(b"invalid\n").unwrap_err();
    assert_eq!(
        format!("failed to parse timestamp countersignature: {err}"),
        want
    );
}
