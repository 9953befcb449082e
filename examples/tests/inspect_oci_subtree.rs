//! The signature view behind `blob inspect` is the per-signature subtree of
//! OCI `inspect` too: rendered for the signatures stored in the 09 layouts,
//! it equals that part of the reference's golden files (X3).

mod common;

use common::{read, vector, vector_bytes};
use notation_core::envelope::EnvelopeFormat;
use notation_examples::display::{gojson, signature::SignatureView};

/// The envelope (the manifest's single layer) of signature manifest
/// `manifest` in `layout`.
fn envelope(layout: &str, manifest: &str) -> Vec<u8> {
    let blobs = format!("09-e2e-oci-layouts/layouts/{layout}/blobs/sha256");
    let m: serde_json::Value =
        serde_json::from_slice(&vector_bytes(&format!("{blobs}/{manifest}"))).unwrap();
    assert_eq!(m["layers"][0]["mediaType"], "application/jose+json");
    let layer = m["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_string();
    vector_bytes(&format!("{blobs}/{layer}"))
}

/// The lines of the golden tree below the signature manifest's node,
/// without their 8-column indentation, and the manifest node itself.
fn golden_subtree(name: &str) -> (String, String) {
    let text = read(&vector(&format!(
        "09-e2e-oci-layouts/expected-inspect/{name}.tree.txt"
    )));
    let lines: Vec<&str> = text.lines().collect();
    // Line 0: heading, 1: reference, 2: artifact type, 3: digest node.
    let digest = lines[3].trim_start_matches("    └── ").to_string();
    let mut sub = format!("{digest}\n");
    for l in &lines[4..] {
        let l = l.strip_prefix("        ").expect("indented");
        sub.push_str(l);
        sub.push('\n');
    }
    (digest, sub)
}

/// The golden JSON's signature object, as the reference prints it nested
/// (indented by 4 columns).
fn golden_signature_json(name: &str) -> String {
    let text = read(&vector(&format!(
        "09-e2e-oci-layouts/expected-inspect/{name}.json"
    )));
    let start = text
        .find("    {\n      \"digest\"")
        .expect("signature object");
    let end = text.rfind("\n  ]\n}").expect("end of signatures");
    text[start..end].to_string()
}

#[test]
fn timestamped_signature_subtree() {
    let name = "e2e-with-timestamped-signature";
    let (digest, expected_tree) = golden_subtree(name);
    let manifest = digest.trim_start_matches("sha256:");
    let view = SignatureView::parse(EnvelopeFormat::Jws, &envelope(name, manifest)).unwrap();
    assert_eq!(view.tree(&digest).render(), expected_tree);

    let json = gojson::to_string_pretty(&view.json(Some(&digest))).unwrap();
    let nested: String = json
        .trim_end()
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect();
    assert_eq!(nested.trim_end(), golden_signature_json(name));
}

/// The token of this signature is the 8 bytes `invalid\n`: inspect still
/// succeeds and shows why the token could not be read. The reason's words
/// are Go's ASN.1 decoder's, so only the structure and prefix are compared.
#[test]
fn invalid_timestamp_is_displayed_not_fatal() {
    let name = "e2e-with-invalid-timestamped-signature";
    let (digest, expected_tree) = golden_subtree(name);
    let manifest = digest.trim_start_matches("sha256:");
    let view = SignatureView::parse(EnvelopeFormat::Jws, &envelope(name, manifest)).unwrap();
    let tree = view.tree(&digest).render();
    let prefix = "│   └── timestamp signature\n│       └── error: failed to parse timestamp countersignature: ";
    assert!(tree.contains(prefix), "{tree}");
    let strip_error = |t: &str| -> String {
        t.lines()
            .filter(|l| !l.contains("error: failed to parse timestamp countersignature"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip_error(&tree), strip_error(&expected_tree));

    let json: serde_json::Value =
        serde_json::from_str(&gojson::to_string_pretty(&view.json(Some(&digest))).unwrap())
            .unwrap();
    let golden: serde_json::Value = serde_json::from_str(&read(&vector(&format!(
        "09-e2e-oci-layouts/expected-inspect/{name}.json"
    ))))
    .unwrap();
    let mut golden = golden["signatures"][0].clone();
    let error = json["unsignedAttributes"]["timestampSignature"]["error"]
        .as_str()
        .unwrap();
    assert!(
        error.starts_with("failed to parse timestamp countersignature: "),
        "{error}"
    );
    golden["unsignedAttributes"]["timestampSignature"]["error"] =
        serde_json::Value::String(error.to_string());
    assert_eq!(json, golden);
}
