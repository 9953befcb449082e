//! MANIFEST 03: timestamped envelopes (TSA).

use std::sync::Arc;

use notation_core::payload::Descriptor;
use notation_core::revocation::{
    CertRevocationResult, OfflineRevocationChecker, RevocationChecker, RevocationError,
    RevocationPurpose, RevocationStatus,
};
use notation_core::trust::{
    DirTrustStore, OciTrustPolicyDocument, TrustStore, TrustStoreType, ValidationType,
};
use notation_core::verifier::{ArtifactVerifyOptions, Verifier};
use notation_core::x509::Certificate;
use serde_json::{Value, json};

use crate::common::report::Report;
use crate::fixtures::{conf, json_file, oci_doc, oci_verifier, read};
use crate::vectors_01::notation_go_store;
use crate::verdict::{expect, verdict};

/// The MANIFEST's offline stand-in for TSA revocation: "inject a revocation
/// validator that returns OK for TSA chains". Signing chains are checked
/// offline as usual.
struct TsaChainsOk;

impl RevocationChecker for TsaChainsOk {
    fn check(
        &self,
        chain: &[Certificate],
        purpose: RevocationPurpose,
        t: Option<time::OffsetDateTime>,
    ) -> Result<Vec<CertRevocationResult>, RevocationError> {
        match purpose {
            RevocationPurpose::Timestamping => Ok(chain
                .iter()
                .map(|_| CertRevocationResult {
                    status: RevocationStatus::Ok,
                    method: None,
                    server_results: Vec::new(),
                })
                .collect()),
            RevocationPurpose::CodeSigning => OfflineRevocationChecker.check(chain, purpose, t),
        }
    }
}

pub(crate) fn tsa_ok_verifier(store: Arc<dyn TrustStore>, policy: &Value) -> Verifier {
    Verifier::builder(store)
        .oci_policy(oci_doc(policy))
        .timestamp_revocation_checker(Arc::new(TsaChainsOk))
        .build()
        .unwrap()
}

/// A JWS envelope with its unsigned timestamp replaced (the header is not
/// signed, so the envelope still verifies).
fn with_timestamp(envelope: &[u8], token: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut v: Value = serde_json::from_slice(envelope).unwrap();
    v["header"]["io.cncf.notary.timestampSignature"] =
        json!(base64::engine::general_purpose::STANDARD.encode(token));
    serde_json::to_vec(&v).unwrap()
}

pub(crate) fn vectors_03(r: &mut Report) {
    let policy = json_file("06-trust-policies/derived-oci/context-timestamp-tests.json");
    let desc = Descriptor::new(
        "application/vnd.docker.distribution.manifest.v2+json",
        "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda",
        528,
    );
    let reference = "localhost:5000/net-monitor@sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda";
    let run_bytes = |policy: &Value, bytes: &[u8]| {
        let mt = if bytes.first() == Some(&b'{') {
            "application/jose+json"
        } else {
            "application/cose"
        };
        tsa_ok_verifier(notation_go_store(), policy).verify_artifact(
            reference,
            &desc,
            bytes,
            mt,
            &ArtifactVerifyOptions::new(),
        )
    };
    let run = |policy: &Value, file: &str| {
        verdict(run_bytes(
            policy,
            &read(&format!("03-timestamped-envelopes/sigEnv/{file}")),
        ))
    };
    r.case("03 withoutTimestamp.sig", || {
        expect(
            run(&policy, "withoutTimestamp.sig"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["no timestamp countersignature was found in the signature envelope"],
        )
    });
    for file in ["jwsWithTimestamp.sig", "coseWithTimestamp.sig"] {
        r.case(format!("03 {file}"), || {
            expect(run(&policy, file), "VALID", &[])
        });
    }
    let mut after_expiry = policy.clone();
    after_expiry["trustPolicies"][0]["signatureVerification"]["verifyTimestamp"] =
        json!("afterCertExpiry");
    r.case(
        "03 coseWithTimestamp.sig afterCertExpiry (not triggered)",
        || expect(run(&after_expiry, "coseWithTimestamp.sig"), "VALID", &[]),
    );
    // The Go tests run only the authentic-timestamp step; the expired
    // testTSA signing certificates are in no store, so authenticity is
    // logged here and the timestamp step decides.
    let mut auth_log = policy.clone();
    auth_log["trustPolicies"][0]["signatureVerification"]["override"] =
        json!({"authenticity": "log"});
    for file in [
        "jwsExpiredWithTimestamp.sig",
        "coseExpiredWithTimestamp.sig",
    ] {
        r.case(
            format!("03 {file}: the timestamp proves signing inside validity"),
            || {
                let outcome = run_bytes(
                    &auth_log,
                    &read(&format!("03-timestamped-envelopes/sigEnv/{file}")),
                )
                .map_err(|e| e.to_string())?;
                match outcome.result(ValidationType::AuthenticTimestamp) {
                    Some(r) if r.passed() => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
        );
    }
    let mut no_tsa = auth_log.clone();
    no_tsa["trustPolicies"][0]["trustStores"] = json!(["ca:valid-trust-store"]);
    r.case("03 coseExpiredWithTimestamp.sig without tsa store", || {
        expect(
            run(&no_tsa, "coseExpiredWithTimestamp.sig"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["verification time is after certificate \"CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Tue, 18 Jun 2024 07:30:31 +0000\""],
        )
    });
    r.case("03 jwsWithTimestamp.sig without tsa store", || {
        expect(run(&no_tsa, "jwsWithTimestamp.sig"), "VALID", &[])
    });
    r.case("03 timestampBeforeNotBefore.sig", || {
        expect(
            run(&policy, "timestampBeforeNotBefore.sig"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["timestamp can be before certificate \"CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it will be valid from \"Fri, 18 Sep 2099 11:54:34 +0000\""],
        )
    });
    r.case("03 timestampAfterNotAfter.sig", || {
        expect(
            run(&auth_log, "timestampAfterNotAfter.sig"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["timestamp can be after certificate \"CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Tue, 18 Sep 2001 11:54:34 +0000\""],
        )
    });
    let with_stores = |stores: Value| {
        let mut p = policy.clone();
        p["trustPolicies"][0]["trustStores"] = stores;
        p
    };
    r.case("03 coseWithTimestamp.sig with tsa:test-mismatch", || {
        expect(
            run(&with_stores(json!(["ca:valid-trust-store", "tsa:test-mismatch"])), "coseWithTimestamp.sig"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority"],
        )
    });
    r.case("03 coseWithTimestamp.sig with tsa:does-not-exist", || {
        expect(
            run(&with_stores(json!(["ca:valid-trust-store", "tsa:does-not-exist"])), "coseWithTimestamp.sig"),
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["failed to load tsa trust store with error: the trust store \"does-not-exist\" of type \"tsa\" does not exist"],
        )
    });
    r.case("03 coseWithTimestamp.sig with an empty tsa store", || {
        // Our stores refuse empty named stores; an embedder's store may
        // still return none.
        struct EmptyTsa(DirTrustStore);
        impl TrustStore for EmptyTsa {
            fn certificates(
                &self,
                t: TrustStoreType,
                name: &str,
            ) -> Result<Vec<Certificate>, notation_core::trust::TrustStoreError> {
                match t {
                    TrustStoreType::Tsa => Ok(Vec::new()),
                    _ => self.0.certificates(t, name),
                }
            }
        }
        let store = EmptyTsa(DirTrustStore::new(conf(
            "05-truststores/notation-go-verifier",
        )));
        let v = tsa_ok_verifier(Arc::new(store), &policy);
        let got = verdict(v.verify_artifact(
            reference,
            &desc,
            &read("03-timestamped-envelopes/sigEnv/coseWithTimestamp.sig"),
            "application/cose",
            &ArtifactVerifyOptions::new(),
        ));
        expect(
            got,
            "FAIL(AUTHENTIC_TIMESTAMP)",
            &["no trusted TSA certificate found in trust store"],
        )
    });
    r.case("03 policy with a tsa value missing its separator", || {
        let doc = serde_json::to_vec(&with_stores(json!(["ca:valid-trust-store", "tsa"]))).unwrap();
        match OciTrustPolicyDocument::from_json(&doc) {
            Err(e)
                if e.to_string()
                    .contains("malformed trust store value \"tsa\"") =>
            {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        }
    });
    // Token substitutions (04/notation-go-countersignature into
    // withoutTimestamp.sig).
    let base = read("03-timestamped-envelopes/sigEnv/withoutTimestamp.sig");
    for (token, message) in [
        (
            "TimeStampTokenWithInvalideContentType.p7s",
            "failed to parse timestamp countersignature with error: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)",
        ),
        (
            "TimeStampTokenWithInvalidTSTInfo.p7s",
            "failed to get the timestamp TSTInfo with error: cannot unmarshal TSTInfo from timestamp token: asn1: structure error:",
        ),
        (
            "TimeStampToken.p7s",
            "failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: mismatched message",
        ),
    ] {
        r.case(format!("03 withoutTimestamp.sig + 04 {token}"), || {
            let env = with_timestamp(
                &base,
                &read(&format!(
                    "04-timestamp-tokens/notation-go-countersignature/{token}"
                )),
            );
            expect(
                verdict(run_bytes(&policy, &env)),
                "FAIL(AUTHENTIC_TIMESTAMP)",
                &[message],
            )
        });
    }
    // Without TSA revocation information the timestamp cannot be trusted:
    // the default (offline) checker fails closed on the GlobalSign chain.
    r.case(
        "03 jwsWithTimestamp.sig, TSA revocation unknown offline",
        || {
            let v = oci_verifier(notation_go_store(), &policy);
            let got = verdict(v.verify_artifact(
                reference,
                &desc,
                &read("03-timestamped-envelopes/sigEnv/jwsWithTimestamp.sig"),
                "application/jose+json",
                &ArtifactVerifyOptions::new(),
            ));
            expect(
                got,
                "FAIL(AUTHENTIC_TIMESTAMP)",
                &["revocation status is unknown"],
            )
        },
    );
}
