//! MANIFEST 01 plugin vectors (R8): the plugin-version vectors and the
//! plugin-interaction table.

use std::collections::BTreeMap;
use std::sync::Arc;

use notation_core::payload::Descriptor;
use notation_core::verifier::{ArtifactVerifyOptions, Verifier};
use serde_json::{Value, json};

use crate::common::plugin::{TestPlugin, metadata};
use crate::common::report::Report;
use crate::fixtures::{json_file, oci_doc, read, with_level};
use crate::vectors_01::{REF_01, desc_01, notation_go_store};
use crate::verdict::{expect, verdict};

const TI: &str = "SIGNATURE_VERIFIER.TRUSTED_IDENTITY";
const RC: &str = "SIGNATURE_VERIFIER.REVOCATION_CHECK";

/// MANIFEST 01 plugin-version vectors (R8): installed plugin
/// `io.cncf.notary.plugin.unittest.mock` 1.0.0 with TRUSTED_IDENTITY
/// answering success; the signature's minimum version decides.
pub(crate) fn plugin_version_vectors(r: &mut Report) {
    let name = "io.cncf.notary.plugin.unittest.mock";
    let plugin = TestPlugin::install(
        name,
        json!({
            "get-plugin-metadata": {"response": metadata(name, "1.0.0", &[TI])},
            "verify-signature": {"response": {
                "verificationResults": {TI: {"success": true}},
                "processedAttributes": [],
            }},
        }),
    );
    let policy = json_file("06-trust-policies/derived-oci/context-plugin-version-tests.json");
    let verifier = Verifier::builder(notation_go_store())
        .oci_policy(oci_doc(&policy))
        .plugin_locator(plugin.locator())
        .build()
        .unwrap();
    let d = Descriptor::new(
        "application/vnd.docker.distribution.manifest.v2+json",
        "sha256:fe7e9333395060c2f5e63cf36a38fba10176f183b4163a5794e081a480abba5f",
        942,
    );
    let reference = "localhost:5000/net-monitor@sha256:fe7e9333395060c2f5e63cf36a38fba10176f183b4163a5794e081a480abba5f";
    for (v, compatible) in [
        ("0.0.9", true),
        ("1.0.0-alpha", true),
        ("1.0.0-alpha.beta", true),
        ("1.0.0", true),
        ("1.0.1", false),
        ("1.0.9", false),
        ("1.1.0-alpha", false),
        ("1.2.3", false),
    ] {
        let prefix = if compatible {
            "compatible"
        } else {
            "incompatible"
        };
        let file = format!("ca_{prefix}_pluginver_sig_env_{v}.json");
        r.case(format!("01 {file}"), || {
            plugin.clear_calls();
            let env = read(&format!("01-jws-envelopes-notation-go-mock/{file}"));
            let got = verdict(verifier.verify_artifact(
                reference,
                &d,
                &env,
                "application/jose+json",
                &ArtifactVerifyOptions::new(),
            ));
            if compatible {
                expect(got, "VALID", &[])?;
                // The x509 identity check was the plugin's: it was asked.
                let commands = plugin.commands();
                if commands != ["get-plugin-metadata", "verify-signature"] {
                    return Err(format!("plugin calls {commands:?}"));
                }
                Ok(())
            } else {
                expect(
                    got,
                    "FAIL(INCONCLUSIVE)",
                    &[&format!("found plugin {name} with version 1.0.0 but signature verification needs plugin version greater than or equal to {v}")],
                )
            }
        });
    }
}

/// MANIFEST 01 plugin-interaction table (`TestVerificationPluginInteractions`,
/// R8) for `ca_plugin_sig_env.json` and `sa_plugin_sig_env.json`: context A,
/// strict unless a row says otherwise; plugin `plugin-name` installed as a
/// real executable whose answers are the 12-plugin verify-signature
/// fixtures.
pub(crate) fn plugin_interaction_table(r: &mut Report) {
    let base = json_file("06-trust-policies/derived-oci/valid-base.json");
    let plugin = TestPlugin::install("plugin-name", json!({}));
    let fixture = |name: &str| {
        serde_json::from_slice::<Value>(&read(&format!("12-plugin/protocol/{name}"))).unwrap()
    };
    let behave = |capabilities: &[&str], verify: Value| {
        plugin.clear_calls();
        plugin.set_behavior(json!({
            "get-plugin-metadata": {"response": metadata("plugin-name", "1.0.0", capabilities)},
            "verify-signature": verify,
        }));
    };
    let with_plugin = |policy: &Value, file: &str| {
        let v = Verifier::builder(notation_go_store())
            .oci_policy(oci_doc(policy))
            .plugin_locator(plugin.locator())
            .build()
            .unwrap();
        let env = read(&format!("01-jws-envelopes-notation-go-mock/{file}"));
        verdict(v.verify_artifact(
            REF_01,
            &desc_01(),
            &env,
            "application/jose+json",
            &ArtifactVerifyOptions::new(),
        ))
    };
    let response = |results: Value, processed: Value| json!({"response": {"verificationResults": results, "processedAttributes": processed}});
    let strict = with_level(&base, "strict");
    for file in ["ca_plugin_sig_env.json", "sa_plugin_sig_env.json"] {
        r.case(format!("01 {file} plugin not installed (with a plugin directory)"), || {
            let empty = tempfile::tempdir().unwrap();
            let v = Verifier::builder(notation_go_store())
                .oci_policy(oci_doc(&strict))
                .plugin_locator(Arc::new(notation_core::plugin::PluginDirectory::new(empty.path())))
                .build()
                .unwrap();
            let env = read(&format!("01-jws-envelopes-notation-go-mock/{file}"));
            expect(
                verdict(v.verify_artifact(REF_01, &desc_01(), &env, "application/jose+json", &ArtifactVerifyOptions::new())),
                "FAIL(INCONCLUSIVE)",
                // The reference CLI's text with a plugin directory
                // (notation-go's `NewCLIPlugin` stat of the executable).
                &["error while locating the verification plugin \"plugin-name\", make sure the plugin is installed successfully before verifying the signature. error: plugin executable file is either not found or inaccessible: stat "],
            )
        });
        r.case(format!("01 {file} plugin without verifier capabilities"), || {
            behave(&["SIGNATURE_GENERATOR.RAW"], json!({}));
            expect(
                with_plugin(&strict, file),
                "FAIL(INCONCLUSIVE)",
                &["digital signature requires plugin \"plugin-name\" with signature verification capabilities (\"SIGNATURE_VERIFIER.TRUSTED_IDENTITY\" and/or \"SIGNATURE_VERIFIER.REVOCATION_CHECK\") installed"],
            )
        });
        r.case(format!("01 {file} TRUSTED_IDENTITY success"), || {
            behave(
                &[TI],
                response(json!({TI: {"success": true}}), json!(["SomeKey"])),
            );
            expect(with_plugin(&strict, file), "VALID", &[])?;
            let request = plugin.last_request("verify-signature");
            if request["trustPolicy"]["signatureVerification"] != json!([TI]) {
                return Err(format!("asked for {}", request["trustPolicy"]));
            }
            Ok(())
        });
        for (level, want) in [
            ("strict", "FAIL(AUTHENTICITY)"),
            ("permissive", "FAIL(AUTHENTICITY)"),
            ("audit", "WARN(AUTHENTICITY)"),
        ] {
            r.case(format!("01 {file} TRUSTED_IDENTITY failure {level}"), || {
                behave(&[TI, RC], json!({"response": fixture("verify-signature.response.identity-failed.json")}));
                expect(
                    with_plugin(&with_level(&base, level), file),
                    want,
                    &["trusted identify verification by plugin \"plugin-name\" failed with reason \"i feel like failing today\""],
                )
            });
        }
        r.case(format!("01 {file} REVOCATION_CHECK success"), || {
            behave(
                &[RC],
                response(json!({RC: {"success": true}}), json!(["SomeKey"])),
            );
            expect(with_plugin(&strict, file), "VALID", &[])
        });
        for (level, want) in [
            ("strict", "FAIL(REVOCATION)"),
            ("permissive", "WARN(REVOCATION)"),
        ] {
            r.case(format!("01 {file} REVOCATION_CHECK failure {level}"), || {
                behave(&[RC], response(json!({RC: {"success": false, "reason": "revoked by test"}}), json!(["SomeKey"])));
                expect(
                    with_plugin(&with_level(&base, level), file),
                    want,
                    &["revocation check by verification plugin \"plugin-name\" failed with reason \"revoked by test\""],
                )
            });
        }
        r.case(format!("01 {file} both capabilities success"), || {
            behave(
                &[TI, RC],
                json!({"response": fixture("verify-signature.response.success.json")}),
            );
            expect(with_plugin(&strict, file), "VALID", &[])?;
            let request = plugin.last_request("verify-signature");
            if request["trustPolicy"]["signatureVerification"] != json!([TI, RC]) {
                return Err(format!("asked for {}", request["trustPolicy"]));
            }
            Ok(())
        });
        r.case(
            format!("01 {file} revocation skip, REVOCATION_CHECK only"),
            || {
                behave(&[RC], json!({"exit": 3}));
                let mut skip = strict.clone();
                skip["trustPolicies"][0]["signatureVerification"]["override"] =
                    json!({"revocation": "skip"});
                expect(with_plugin(&skip, file), "VALID", &[])?;
                let commands = plugin.commands();
                if commands != ["get-plugin-metadata"] {
                    return Err(format!(
                        "plugin calls {commands:?}: verify-signature must not run"
                    ));
                }
                Ok(())
            },
        );
        r.case(format!("01 {file} unprocessed attribute"), || {
            behave(&[TI, RC], json!({"response": fixture("verify-signature.response.unprocessed-attribute.json")}));
            expect(
                with_plugin(&strict, file),
                "FAIL(PLUGIN)",
                &["extended critical attribute \"SomeKey\" was not processed by the verification plugin \"plugin-name\" (all extended critical attributes must be processed by the verification plugin)"],
            )
        });
        r.case(format!("01 {file} missing capability result"), || {
            behave(&[TI, RC], json!({"response": fixture("verify-signature.response.missing-capability-result.json")}));
            expect(
                with_plugin(&strict, file),
                "FAIL(INCONCLUSIVE)",
                &["verification plugin \"plugin-name\" failed to verify \"SIGNATURE_VERIFIER.TRUSTED_IDENTITY\""],
            )
        });
        for (what, verify) in [
            (
                "error response",
                json!({"stderr": {"errorCode": "ACCESS_DENIED", "errorMessage": "denied"}, "exit": 1}),
            ),
            ("garbage response", json!({"stdout_raw": "garbage"})),
            ("crash", json!({"exit": 139})),
        ] {
            r.case(format!("01 {file} plugin {what}"), || {
                behave(&[TI], verify);
                expect(
                    with_plugin(&strict, file),
                    "FAIL(PLUGIN)",
                    &["failed to verify with plugin plugin-name: "],
                )
            });
        }
        r.case(format!("01 {file} invalid metadata"), || {
            behave(&[], json!({}));
            expect(
                with_plugin(&strict, file),
                "FAIL(PLUGIN)",
                &["metadata validation failed for plugin plugin-name: empty capabilities"],
            )
        });
    }

    // Signatures that name no plugin never run one.
    r.case(
        "01 ca_valid_sig_env.json with plugins available runs none",
        || {
            behave(&[TI], json!({}));
            expect(with_plugin(&strict, "ca_valid_sig_env.json"), "VALID", &[])?;
            let commands = plugin.commands();
            if !commands.is_empty() {
                return Err(format!("plugin calls {commands:?}"));
            }
            Ok(())
        },
    );

    // R8, W15, MANIFEST 12 `verify-signature.request.json`: the request
    // notation-rs sends for ca_plugin_sig_env.json is the reference's
    // (which leaves an empty pluginConfig out).
    r.case("12 verify-signature.request.json", || {
        behave(
            &[TI, RC],
            json!({"response": fixture("verify-signature.response.success.json")}),
        );
        expect(with_plugin(&strict, "ca_plugin_sig_env.json"), "VALID", &[])?;
        let mut got = plugin.last_request("verify-signature");
        got.as_object_mut()
            .unwrap()
            .entry("pluginConfig")
            .or_insert(json!({}));
        let want = fixture("verify-signature.request.json");
        if got != want {
            return Err(format!("request differs:\n got {got}\nwant {want}"));
        }
        Ok(())
    });

    // R8: the signingAuthority request carries the authentic signing time;
    // plugin configuration is passed; R3: metadata is asked on every
    // verification.
    r.case(
        "01 sa_plugin_sig_env.json request and R3 metadata every time",
        || {
            behave(
                &[TI],
                response(json!({TI: {"success": true}}), json!(["SomeKey"])),
            );
            let v = Verifier::builder(notation_go_store())
                .oci_policy(oci_doc(&strict))
                .plugin_locator(plugin.locator())
                .build()
                .unwrap();
            let env = read("01-jws-envelopes-notation-go-mock/sa_plugin_sig_env.json");
            let config: BTreeMap<String, String> = [("k".to_string(), "v".to_string())].into();
            for _ in 0..2 {
                let got = verdict(v.verify_artifact(
                    REF_01,
                    &desc_01(),
                    &env,
                    "application/jose+json",
                    &ArtifactVerifyOptions::new().plugin_config(config.clone()),
                ));
                expect(got, "VALID", &[])?;
            }
            let commands = plugin.commands();
            if commands
                != [
                    "get-plugin-metadata",
                    "verify-signature",
                    "get-plugin-metadata",
                    "verify-signature",
                ]
            {
                return Err(format!("plugin calls {commands:?}"));
            }
            let request = plugin.last_request("verify-signature");
            let attrs = &request["signature"]["criticalAttributes"];
            if attrs["authenticSigningTime"] != "2020-11-09T07:00:00Z"
                || attrs["signingScheme"] != "notary.x509.signingAuthority"
                || request["pluginConfig"] != json!({"k": "v"})
                || plugin.last_request("get-plugin-metadata") != json!({"pluginConfig": {"k": "v"}})
            {
                return Err(format!("request {request}"));
            }
            Ok(())
        },
    );
}
