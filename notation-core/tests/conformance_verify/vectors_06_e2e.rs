//! MANIFEST 06 e2e-oci and 09: the signatures of the e2e OCI layouts.

use std::sync::Arc;

use notation_core::payload::Descriptor;
use notation_core::trust::{MemoryTrustStore, TrustStore, TrustStoreType};
use notation_core::verifier::ArtifactVerifyOptions;
use notation_core::x509::Certificate;
use serde_json::Value;

use crate::common::report::Report;
use crate::fixtures::{conf, json_file, oci_verifier, read};
use crate::vectors_03::tsa_ok_verifier;
use crate::verdict::{Verdict, expect, verdict};

/// The signature envelopes stored in an e2e layout: (manifest digest,
/// envelope media type, envelope bytes), found by scanning the blobs for
/// Notary signature manifests.
fn layout_signatures(layout: &str) -> Vec<(String, String, Vec<u8>)> {
    let dir = conf(&format!("09-e2e-oci-layouts/layouts/{layout}/blobs/sha256"));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(manifest) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
            continue;
        };
        let is_signature = manifest["artifactType"] == "application/vnd.cncf.notary.signature"
            || manifest["config"]["mediaType"] == "application/vnd.cncf.notary.signature";
        if !is_signature {
            continue;
        }
        let layer = &manifest["layers"][0];
        let digest = layer["digest"]
            .as_str()
            .unwrap()
            .trim_start_matches("sha256:");
        let envelope = std::fs::read(dir.join(digest)).unwrap();
        out.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            layer["mediaType"].as_str().unwrap().to_string(),
            envelope,
        ));
    }
    out.sort();
    out
}

fn e2e_subject() -> Descriptor {
    Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9",
        517,
    )
}

fn e2e_store(certs: &[&str]) -> Arc<dyn TrustStore> {
    let mut store = MemoryTrustStore::new();
    for (i, cert) in certs.iter().enumerate() {
        let c = Certificate::parse_many(&read(&format!("09-e2e-oci-layouts/localkeys/{cert}")))
            .unwrap();
        let name = if i == 0 { "e2e" } else { "e2e-new" };
        store.add(TrustStoreType::Ca, name, c).unwrap();
    }
    Arc::new(store)
}

fn verify_e2e(policy_file: &str, certs: &[&str], layout: &str) -> Verdict {
    let policy = json_file(&format!("06-trust-policies/e2e-oci/{policy_file}"));
    let v = oci_verifier(e2e_store(certs), &policy);
    let reference = "localhost:5000/test-repo@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
    let sigs = layout_signatures(layout);
    assert!(!sigs.is_empty(), "layout {layout} has signatures");
    // One verified signature suffices (M4): report the first success, else
    // the first failure.
    let mut first = None;
    for (_, mt, env) in &sigs {
        let got = verdict(v.verify_artifact(
            reference,
            &e2e_subject(),
            env,
            mt,
            &ArtifactVerifyOptions::new(),
        ));
        if !matches!(got, Verdict::Fail(..)) {
            return got;
        }
        first.get_or_insert(got);
    }
    first.unwrap()
}

/// (policy file, trusted certificates, layout, verdict, message).
type E2eCase = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static [&'static str],
);

pub(crate) fn vectors_06_e2e(r: &mut Report) {
    // The MANIFEST's messages (09, 06 e2e-oci).
    const UNTRUSTED: &str =
        "the signature's certificate chain does not contain any trusted certificate";
    const EXPIRED_SIGNATURE: &str =
        "digital signature has expired on \"Tue, 27 Jun 2023 13:21:21 +0800\"";
    const EXPIRED_CERT: &str = "verification time is after certificate \"O=Internet Widgits Pty Ltd,ST=Some-State,C=AU\" validity period, it was expired at \"Tue, 27 Jun 2023 06:10:00 +0000\"";
    const INVALID_ENVELOPE: &str = "signature envelope format with media type \"application/vnd.oci.image.layer.v1.tar\" is not supported";
    let cases: &[E2eCase] = &[
        (
            "trustpolicy.json",
            &["e2e.crt"],
            "e2e-valid-signature",
            "VALID",
            &[],
        ),
        (
            "trustpolicy.json",
            &["e2e.crt"],
            "e2e-expired-signature",
            "FAIL(EXPIRY)",
            &["digital signature has expired on"],
        ),
        (
            "trustpolicy.json",
            &["expired_e2e.crt"],
            "e2e-with-expired-cert",
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &[
                "verification time is after certificate \"O=Internet Widgits Pty Ltd,ST=Some-State,C=AU\" validity period, it was expired at \"Tue, 27 Jun 2023 06:10:00 +0000\"",
            ],
        ),
        (
            "trustpolicy.json",
            &["new_e2e.crt"],
            "e2e-valid-signature",
            "FAIL(AUTHENTICITY)",
            &[UNTRUSTED],
        ),
        (
            "trustpolicy.json",
            &["e2e.crt"],
            "e2e-invalid-signature",
            "FAIL(INTEGRITY)",
            &[
                "signature envelope format with media type \"application/vnd.oci.image.layer.v1.tar\" is not supported",
            ],
        ),
        (
            "trustpolicy.json",
            &["e2e.crt"],
            "e2e-valid-multiple-signatures",
            "VALID",
            &[],
        ),
        (
            "permissive_trustpolicy.json",
            &["e2e.crt"],
            "e2e-expired-signature",
            "WARN(EXPIRY)",
            &[EXPIRED_SIGNATURE],
        ),
        (
            "permissive_trustpolicy.json",
            &["expired_e2e.crt"],
            "e2e-with-expired-cert",
            "WARN(AUTHENTIC_TIMESTAMP)",
            &[EXPIRED_CERT],
        ),
        (
            "permissive_trustpolicy.json",
            &["new_e2e.crt"],
            "e2e-valid-signature",
            "FAIL(AUTHENTICITY)",
            &[UNTRUSTED],
        ),
        (
            "permissive_trustpolicy.json",
            &["e2e.crt"],
            "e2e-invalid-signature",
            "FAIL(INTEGRITY)",
            &[INVALID_ENVELOPE],
        ),
        (
            "audit_trustpolicy.json",
            &["e2e.crt"],
            "e2e-expired-signature",
            "WARN(EXPIRY)",
            &[EXPIRED_SIGNATURE],
        ),
        (
            "audit_trustpolicy.json",
            &["expired_e2e.crt"],
            "e2e-with-expired-cert",
            "WARN(AUTHENTIC_TIMESTAMP)",
            &[EXPIRED_CERT],
        ),
        (
            "audit_trustpolicy.json",
            &["new_e2e.crt"],
            "e2e-valid-signature",
            "WARN(AUTHENTICITY)",
            &[UNTRUSTED],
        ),
        (
            "audit_trustpolicy.json",
            &["e2e.crt"],
            "e2e-invalid-signature",
            "FAIL(INTEGRITY)",
            &[INVALID_ENVELOPE],
        ),
        (
            "skip_trustpolicy.json",
            &["e2e.crt"],
            "e2e-invalid-signature",
            "VALID",
            &[],
        ),
        (
            "override_strict_trustpolicy.json",
            &["e2e.crt"],
            "e2e-expired-signature",
            "WARN(EXPIRY)",
            &[EXPIRED_SIGNATURE],
        ),
        (
            "override_strict_trustpolicy.json",
            &["expired_e2e.crt"],
            "e2e-with-expired-cert",
            "WARN(AUTHENTIC_TIMESTAMP)",
            &[EXPIRED_CERT],
        ),
        (
            "override_strict_trustpolicy.json",
            &["new_e2e.crt"],
            "e2e-valid-signature",
            "WARN(AUTHENTICITY)",
            &[UNTRUSTED],
        ),
        (
            "override_permissive_trustpolicy.json",
            &["e2e.crt"],
            "e2e-expired-signature",
            "FAIL(EXPIRY)",
            &[EXPIRED_SIGNATURE],
        ),
        (
            "override_permissive_trustpolicy.json",
            &["new_e2e.crt"],
            "e2e-valid-signature",
            "WARN(AUTHENTICITY)",
            &[UNTRUSTED],
        ),
        (
            "override_audit_trustpolicy.json",
            &["e2e.crt"],
            "e2e-expired-signature",
            "FAIL(EXPIRY)",
            &[EXPIRED_SIGNATURE],
        ),
        (
            "override_audit_trustpolicy.json",
            &["new_e2e.crt"],
            "e2e-valid-signature",
            "FAIL(AUTHENTICITY)",
            &[UNTRUSTED],
        ),
        (
            "override_audit_trustpolicy.json",
            &["expired_e2e.crt"],
            "e2e-with-expired-cert",
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &[EXPIRED_CERT],
        ),
        (
            "timestamp_trustpolicy.json",
            &["e2e.crt"],
            "e2e-valid-signature",
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["no timestamp countersignature was found in the signature envelope"],
        ),
        (
            "valid_trusted_identity_trustpolicy.json",
            &["e2e.crt"],
            "e2e-valid-signature",
            "VALID",
            &[],
        ),
        (
            "invalid_trusted_identity_trustpolicy.json",
            &["e2e.crt"],
            "e2e-valid-signature",
            "FAIL(AUTHENTICITY)",
            &[
                "signing certificate from the digital signature does not match the X.509 trusted identities",
            ],
        ),
        (
            "multiple_trust_store_trustpolicy.json",
            &["e2e.crt", "new_e2e.crt"],
            "e2e-valid-signature",
            "VALID",
            &[],
        ),
        (
            "registry_scope_trustpolicy.json",
            &["e2e.crt"],
            "e2e-valid-signature",
            "VALID",
            &[],
        ),
    ];
    for (policy, certs, layout, want, msg) in cases {
        r.case(
            format!("06 e2e-oci/{policy} with {certs:?} on 09/{layout}"),
            || expect(verify_e2e(policy, certs, layout), want, msg),
        );
    }
    // The timestamp store of timestamp_trustpolicy.json is not in this
    // test's MemoryTrustStore: the verifier reports it when needed. With the
    // two TSA roots the MANIFEST names, signatures without a timestamp fail
    // as above.
    r.case("06 e2e-oci/timestamp_trustpolicy.json with TSA roots", || {
        let mut store = MemoryTrustStore::new();
        store.add(TrustStoreType::Ca, "e2e", Certificate::parse_many(&read("09-e2e-oci-layouts/localkeys/e2e.crt")).unwrap()).unwrap();
        for root in ["globalsignTSARoot.cer", "DigiCertTSARootSHA384.cer"] {
            store
                .add(TrustStoreType::Tsa, "e2e", Certificate::parse_many(&read(&format!("09-e2e-oci-layouts/timestamp-roots/{root}"))).unwrap())
                .unwrap();
        }
        let v = oci_verifier(Arc::new(store), &json_file("06-trust-policies/e2e-oci/timestamp_trustpolicy.json"));
        let (_, mt, env) = layout_signatures("e2e-valid-signature").remove(0);
        let reference = "localhost:5000/test-repo@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
        expect(
            verdict(v.verify_artifact(reference, &e2e_subject(), &env, &mt, &ArtifactVerifyOptions::new())),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["no timestamp countersignature was found"],
        )
    });
    r.case("06 e2e-oci/invalid_trust_store_trustpolicy.json", || {
        expect(
            verify_e2e(
                "invalid_trust_store_trustpolicy.json",
                &["e2e.crt"],
                "e2e-valid-signature",
            ),
            "FAIL(AUTHENTICITY)",
            &["the trust store \"invalid_store\" of type \"ca\" does not exist"],
        )
    });
    r.case("06 e2e-oci/invalid_registry_scope_trustpolicy.json", || {
        expect(
            verify_e2e(
                "invalid_registry_scope_trustpolicy.json",
                &["e2e.crt"],
                "e2e-valid-signature",
            ),
            "FAIL(SELECTION)",
            &["has no applicable oci trust policy statement"],
        )
    });
    r.case("06 e2e-oci/multi_statements_with_wildcard_registry_scope_trustpolicy.json selection", || {
        let policy = json_file("06-trust-policies/e2e-oci/multi_statements_with_wildcard_registry_scope_trustpolicy.json");
        let v = oci_verifier(e2e_store(&["e2e.crt"]), &policy);
        let exact = v.oci_statement("localhost:5000/test-repo9@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9").map_err(|e| e.to_string())?;
        let other = v.oci_statement("localhost:5000/other@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9").map_err(|e| e.to_string())?;
        if exact.name() == "e2e" && other.name() == "e2e2" { Ok(()) } else { Err(format!("{} / {}", exact.name(), other.name())) }
    });
    // Timestamped layouts: their signing certificates are put in the `ca`
    // store; the Microsoft TSA root is not among the vectors.
    let timestamped = |layout: &str| {
        let mut store = MemoryTrustStore::new();
        let (_, mt, env) = layout_signatures(layout).remove(0);
        let content = notation_core::envelope::Envelope::parse_media_type(&mt, &env)
            .unwrap()
            .content_unverified()
            .unwrap();
        store
            .add(
                TrustStoreType::Ca,
                "e2e",
                content.signer_info.certificate_chain.clone(),
            )
            .unwrap();
        store
            .add(
                TrustStoreType::Tsa,
                "e2e",
                Certificate::parse_many(&read(
                    "09-e2e-oci-layouts/timestamp-roots/globalsignTSARoot.cer",
                ))
                .unwrap(),
            )
            .unwrap();
        let v = tsa_ok_verifier(
            Arc::new(store),
            &json_file("06-trust-policies/e2e-oci/timestamp_trustpolicy.json"),
        );
        let reference = format!("localhost:5000/test-repo@{}", subject_digest(layout));
        verdict(v.verify_artifact(
            &reference,
            &layout_subject(layout),
            &env,
            &mt,
            &ArtifactVerifyOptions::new(),
        ))
    };
    r.case(
        "09 e2e-with-timestamped-signature: expired on 2025-01-21",
        || {
            expect(
                timestamped("e2e-with-timestamped-signature"),
                "FAIL(EXPIRY)",
                &["digital signature has expired on"],
            )
        },
    );
    r.case("09 e2e-with-invalid-timestamped-signature", || {
        expect(
            timestamped("e2e-with-invalid-timestamped-signature"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["failed to parse timestamp countersignature"],
        )
    });
}

fn layout_subject(layout: &str) -> Descriptor {
    let dir = conf(&format!("09-e2e-oci-layouts/layouts/{layout}/blobs/sha256"));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if let Ok(m) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap())
            && let Some(s) = m.get("subject")
        {
            return serde_json::from_value(s.clone()).unwrap();
        }
    }
    panic!("no subject in {layout}")
}

fn subject_digest(layout: &str) -> String {
    layout_subject(layout).digest
}
