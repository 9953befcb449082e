//! MANIFEST 01: the notation-go mock JWS envelopes at every level.

use std::collections::BTreeMap;
use std::sync::Arc;

use notation_core::payload::Descriptor;
use notation_core::trust::{DirTrustStore, TrustStore};
use notation_core::verifier::ArtifactVerifyOptions;
use serde_json::{Value, json};

use crate::common::report::Report;
use crate::fixtures::{LEVELS, conf, json_file, oci_verifier, read, with_level};
use crate::vectors_01_plugins::{plugin_interaction_table, plugin_version_vectors};
use crate::verdict::{Verdict, expect, verdict};

pub(crate) fn notation_go_store() -> Arc<dyn TrustStore> {
    Arc::new(DirTrustStore::new(conf(
        "05-truststores/notation-go-verifier",
    )))
}

pub(crate) const REF_01: &str = "registry.acme-rockets.io/software/net-monitor@sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e";

pub(crate) fn desc_01() -> Descriptor {
    Descriptor::new(
        "application/vnd.docker.distribution.manifest.v2+json",
        "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        528,
    )
}

fn verify_01(policy: &Value, file: &str, media_type: &str) -> Verdict {
    let v = oci_verifier(notation_go_store(), policy);
    let env = read(&format!("01-jws-envelopes-notation-go-mock/{file}"));
    verdict(v.verify_artifact(
        REF_01,
        &desc_01(),
        &env,
        media_type,
        &ArtifactVerifyOptions::new(),
    ))
}

pub(crate) fn vectors_01(r: &mut Report) {
    let base = json_file("06-trust-policies/derived-oci/valid-base.json");
    let jose = "application/jose+json";
    for (i, level) in LEVELS.iter().enumerate() {
        let policy = with_level(&base, level);
        r.case(format!("01 ca_valid_sig_env {level}"), || {
            expect(
                verify_01(&policy, "ca_valid_sig_env.json", jose),
                "VALID",
                &[],
            )
        });
        r.case(format!("01 sa_valid_sig_env {level}"), || {
            expect(
                verify_01(&policy, "sa_valid_sig_env.json", jose),
                "VALID",
                &[],
            )
        });

        let mut wrong_store = policy.clone();
        wrong_store["trustPolicies"][0]["trustStores"] = json!([
            "ca:valid-trust-store-2",
            "signingAuthority:valid-trust-store-2"
        ]);
        let want = [
            "FAIL(AUTHENTICITY)",
            "FAIL(AUTHENTICITY)",
            "WARN(AUTHENTICITY)",
        ][i];
        r.case(
            format!("01 ca_valid_sig_env untrusted store {level}"),
            || {
                let got = verify_01(&wrong_store, "ca_valid_sig_env.json", jose);
                expect(
                    got,
                    want,
                    &["the signature's certificate chain does not contain any trusted certificate"],
                )
            },
        );

        let mut wrong_identity = policy.clone();
        wrong_identity["trustPolicies"][0]["trustedIdentities"] =
            json!(["x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN"]);
        r.case(format!("01 ca_valid_sig_env wrong identity {level}"), || {
            expect(
                verify_01(&wrong_identity, "ca_valid_sig_env.json", jose),
                want,
                &["signing certificate from the digital signature does not match the X.509 trusted identities [map[\"C\":\"IN\" \"CN\":\"LOL\" \"L\":\"Hyderabad\" \"O\":\"DummyOrg\" \"ST\":\"TG\"]] defined in the trust policy \"test-statement-name\""],
            )
        });

        r.case(format!("01 ca_valid_sig_env unsupported media type {level}"), || {
            expect(
                verify_01(&policy, "ca_valid_sig_env.json", "application/unsupported+json"),
                "FAIL(INTEGRITY)",
                &["unable to parse the digital signature, error : signature envelope format with media type \"application/unsupported+json\" is not supported"],
            )
        });
        for file in ["ca_invalid_sig_env.json", "sa_invalid_sig_env.json"] {
            r.case(format!("01 {file} {level}"), || {
                expect(
                    verify_01(&policy, file, jose),
                    "FAIL(INTEGRITY)",
                    &["signature is invalid. Error: illegal base64 data at input byte 242"],
                )
            });
        }
        let want = ["FAIL(EXPIRY)", "WARN(EXPIRY)", "WARN(EXPIRY)"][i];
        for file in ["ca_expired_sig_env.json", "sa_expired_sig_env.json"] {
            r.case(format!("01 {file} {level}"), || {
                expect(
                    verify_01(&policy, file, jose),
                    want,
                    &["digital signature has expired on \"Fri, 29 Jul 2022 23:59:00 +0000\""],
                )
            });
        }
        // Without plugin support a signature that requires a plugin must
        // fail (B6).
        for file in ["ca_plugin_sig_env.json", "sa_plugin_sig_env.json"] {
            r.case(format!("01 {file} plugin not installed {level}"), || {
                expect(
                    verify_01(&policy, file, jose),
                    "FAIL(INCONCLUSIVE)",
                    &["error while locating the verification plugin \"plugin-name\", make sure the plugin is installed successfully before verifying the signature. error: plugin not found"],
                )
            });
        }
    }

    // The signingAuthority signature must not be trusted through a `ca`
    // store only (F3, F4).
    let mut ca_only = base.clone();
    ca_only["trustPolicies"][0]["trustStores"] = json!(["ca:valid-trust-store"]);
    r.case("01 sa_valid_sig_env with only a ca store", || {
        expect(
            verify_01(&ca_only, "sa_valid_sig_env.json", jose),
            "FAIL(AUTHENTICITY)",
            &["no trusted certificates are found to verify authenticity"],
        )
    });

    // User metadata (audit level).
    let audit = with_level(&base, "audit");
    let desc = Descriptor::new(
        "application/vnd.docker.distribution.manifest.v2+json",
        "sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b",
        942,
    );
    // The leaf (self-signed, not in the stores) expired on 2023-01-12:
    // audit logs both authenticity and the authentic timestamp.
    let warned = "WARN(AUTHENTICITY,AUTHENTIC_TIMESTAMP)";
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[], warned),
        (&[("io.wabbit-networks.buildId", "123")], warned),
        (&[("io.wabbit-networks.buildId", "321")], "FAIL(PAYLOAD)"),
        (
            &[
                ("io.wabbit-networks.buildId", "123"),
                ("io.wabbit-networks.buildTime", "1672944615"),
            ],
            warned,
        ),
        (
            &[
                ("io.wabbit-networks.buildId", "123"),
                ("io.wabbit-networks.buildTime", "1"),
            ],
            "FAIL(PAYLOAD)",
        ),
    ];
    for (metadata, want) in cases {
        r.case(format!("01 sig_env_with_metadata {metadata:?}"), || {
            let v = oci_verifier(notation_go_store(), &audit);
            let env = read("01-jws-envelopes-notation-go-mock/sig_env_with_metadata.json");
            let md: BTreeMap<String, String> = metadata
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let got = verdict(v.verify_artifact(
                REF_01,
                &desc,
                &env,
                jose,
                &ArtifactVerifyOptions::new().user_metadata(md),
            ));
            let messages: &[&str] = if want.starts_with("FAIL") {
                &["unable to find specified metadata in the signature"]
            } else {
                &[
                    "the signature's certificate chain does not contain any trusted certificate",
                    "verification time is after certificate \"CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Thu, 12 Jan 2023 00:52:12 +0000\"",
                ]
            };
            expect(got, want, messages)
        });
    }

    plugin_version_vectors(r);
    plugin_interaction_table(r);
}
