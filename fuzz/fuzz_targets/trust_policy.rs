//! Parses arbitrary bytes as OCI and blob trust policy documents and, when
//! one validates, selects statements with inputs derived from the data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_core::trust::{BlobTrustPolicyDocument, OciTrustPolicyDocument};

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = OciTrustPolicyDocument::from_json(data) {
        let reference = String::from_utf8_lossy(&data[..data.len().min(64)]);
        let _ = doc.applicable_policy(&reference);
        let _ = doc.applicable_policy("registry.example/repo@sha256:0000000000000000000000000000000000000000000000000000000000000000");
        let _ = doc.to_json_pretty();
    }
    if let Ok(doc) = BlobTrustPolicyDocument::from_json(data) {
        let _ = doc.policy(None);
        let _ = doc.to_json_pretty();
    }
});
