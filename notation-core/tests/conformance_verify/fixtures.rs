//! Reading the vectors, and the trust policies and verifiers made from them.

use std::path::PathBuf;
use std::sync::Arc;

use notation_core::trust::{BlobTrustPolicyDocument, OciTrustPolicyDocument, TrustStore};
use notation_core::verifier::Verifier;
use serde_json::{Value, json};

use crate::common;

pub(crate) fn conf(path: &str) -> PathBuf {
    common::conformance_dir().join(path)
}

pub(crate) fn read(path: &str) -> Vec<u8> {
    common::conformance(path)
}

pub(crate) fn json_file(path: &str) -> Value {
    serde_json::from_slice(&read(path)).unwrap()
}

pub(crate) fn oci_doc(v: &Value) -> OciTrustPolicyDocument {
    OciTrustPolicyDocument::from_json(&serde_json::to_vec(v).unwrap()).unwrap()
}

pub(crate) fn blob_doc(v: &Value) -> BlobTrustPolicyDocument {
    BlobTrustPolicyDocument::from_json(&serde_json::to_vec(v).unwrap()).unwrap()
}

pub(crate) fn oci_verifier(store: Arc<dyn TrustStore>, policy: &Value) -> Verifier {
    Verifier::builder(store)
        .oci_policy(oci_doc(policy))
        .build()
        .unwrap()
}

pub(crate) fn with_level(policy: &Value, level: &str) -> Value {
    let mut p = policy.clone();
    p["trustPolicies"][0]["signatureVerification"]["level"] = json!(level);
    p
}

pub(crate) const LEVELS: [&str; 3] = ["strict", "permissive", "audit"];
