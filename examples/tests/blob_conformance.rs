//! Interoperability with the reference: the blob signatures of
//! `conformance/10-blob` verify and inspect as the MANIFEST says (S1-S3,
//! X3), and the signature file-name rules (S1, W10).

mod common;

use std::fs;

use common::{Env, blob_policy_json, read, vector, vector_bytes};
use notation_core::envelope::{Envelope, EnvelopeFormat};

const LICENSE: &str = "10-blob/e2e-signatures/signed-blob-LICENSE.txt";

/// The leaf certificate (DER) of a conformance signature.
fn leaf_der(relative: &str, format: EnvelopeFormat) -> Vec<u8> {
    let envelope = Envelope::parse(format, &vector_bytes(relative)).unwrap();
    let content = envelope.content_unverified().unwrap();
    content.signer_info.certificate_chain[0].der().to_vec()
}

/// A config as the reference's e2e blob tests use: the e2e blob policy plus
/// an audit and a permissive statement, store `ca:e2e` holding the
/// self-signed signers of blob.jws.sig and blob.cose.sig (added with
/// `certificate add`), store `tsa:e2e` holding roots that are not the
/// Microsoft root the tokens chain to.
fn e2e_env() -> Env {
    let env = Env::new();
    let jws = env.write(
        "testcert2.crt",
        leaf_der("10-blob/e2e-signatures/blob.jws.sig", EnvelopeFormat::Jws),
    );
    let cose = env.write(
        "testcert3.crt",
        leaf_der("10-blob/e2e-signatures/blob.cose.sig", EnvelopeFormat::Cose),
    );
    env.run(&[
        "certificate",
        "add",
        "--type",
        "ca",
        "--store",
        "e2e",
        jws.to_str().unwrap(),
        cose.to_str().unwrap(),
    ])
    .success()
    .stdout_has("Successfully added following certificates to named store e2e of type ca:");
    for root in ["globalsignTSARoot.cer", "DigiCertTSARootSHA384.cer"] {
        let p = vector(&format!("09-e2e-oci-layouts/timestamp-roots/{root}"));
        env.run(&[
            "certificate",
            "add",
            "-t",
            "tsa",
            "-s",
            "e2e",
            p.to_str().unwrap(),
        ])
        .success();
    }
    let mut doc: serde_json::Value = serde_json::from_slice(&vector_bytes(
        "06-trust-policies/e2e-blob/trustpolicy.blob.json",
    ))
    .unwrap();
    let extra: serde_json::Value = serde_json::from_str(&blob_policy_json(&[
        ("audit", "audit", &["ca:e2e"], false),
        ("permissive", "permissive", &["ca:e2e"], false),
        ("skip", "skip", &[], false),
    ]))
    .unwrap();
    let statements = doc["trustPolicies"].as_array_mut().unwrap();
    statements.extend(extra["trustPolicies"].as_array().unwrap().iter().cloned());
    env.blob_policy(&serde_json::to_string_pretty(&doc).unwrap());
    env
}

#[test]
fn e2e_signatures_strict_fails_on_expired_certificate() {
    let env = e2e_env();
    let blob = vector(LICENSE);
    for (sig, subject, expired) in [
        (
            "blob.jws.sig",
            "CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US",
            "Wed, 01 Jan 2025 08:04:39 +0000",
        ),
        (
            "blob.cose.sig",
            "CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US",
            "Wed, 08 Jan 2025 08:42:24 +0000",
        ),
    ] {
        let sig = vector(&format!("10-blob/e2e-signatures/{sig}"));
        let args = [
            "blob",
            "verify",
            "-d",
            "-s",
            sig.to_str().unwrap(),
            blob.to_str().unwrap(),
        ];
        // Global statement (strict, no tsa store): the certificates expired
        // in January 2025, so the authentic-timestamp step fails (O2).
        env.run(&args)
            .failure()
            .stderr_has("msg=integrity (enforce): passed")
            .stderr_has("msg=authenticity (enforce): passed")
            .stderr_has("msg=expiry (enforce): passed")
            .stderr_has(&format!(
                "Error: signature verification failed: verification time is after certificate \"{subject}\" validity period, it was expired at \"{expired}\""
            ));
        // Same by name.
        let mut named = vec!["blob", "verify", "--policy-name", "test-blob-statement"];
        named.extend_from_slice(&args[3..]);
        env.run(&named).failure().stderr_has(
            "Error: signature verification failed: verification time is after certificate",
        );
        // With timestamp verification the token must chain to a tsa root;
        // the Microsoft root is not configured (O3).
        let mut ts = vec![
            "blob",
            "verify",
            "--policy-name",
            "test-blob-with-timestamping",
        ];
        ts.extend_from_slice(&args[3..]);
        env.run(&ts)
            .failure()
            .stderr_has("Error: signature verification failed: ");
    }
}

#[test]
fn e2e_signatures_audit_and_permissive_pass_with_warnings() {
    let env = e2e_env();
    let blob = vector(LICENSE);
    for sig in ["blob.jws.sig", "blob.cose.sig"] {
        let sig = vector(&format!("10-blob/e2e-signatures/{sig}"));
        for policy in ["audit", "permissive"] {
            env.run(&["blob", "verify", "--policy-name", policy, "-s", sig.to_str().unwrap(), blob.to_str().unwrap()])
                .success()
                .stderr_has("Warning: authenticTimestamp was set to \"log\" and failed with error: verification time is after certificate")
                .stdout_has(&format!("\nSuccessfully verified signature for {}\n", blob.display()));
        }
        // The blob digest and size are checked even under audit (N9).
        let other = env.write("other.txt", "not the license");
        env.run(&[
            "blob",
            "verify",
            "--policy-name",
            "audit",
            "-s",
            sig.to_str().unwrap(),
            other.to_str().unwrap(),
        ])
        .failure()
        .stderr_has("integrity check failed. signature does not match the given blob");
        // Under skip nothing is checked.
        env.run(&[
            "blob",
            "verify",
            "--policy-name",
            "skip",
            "-s",
            sig.to_str().unwrap(),
            other.to_str().unwrap(),
        ])
        .success()
        .stdout_has("Trust policy is configured to skip signature verification for");
    }
}

#[test]
fn malformed_signature_fails_integrity() {
    let env = e2e_env();
    let sig = vector("10-blob/e2e-signatures/malformed.jws.sig");
    let blob = vector(LICENSE);
    for policy in ["audit", "permissive", "test-blob-statement"] {
        env.run(&[
            "blob",
            "verify",
            "--policy-name",
            policy,
            "-s",
            sig.to_str().unwrap(),
            blob.to_str().unwrap(),
        ])
        .failure()
        .stderr_has(
            "Error: signature verification failed: unable to parse the digital signature, error : ",
        );
    }
    env.run(&["blob", "inspect", sig.to_str().unwrap()])
        .failure()
        .stderr_has("Error: failed to parse signature: ");
    env.run(&["blob", "inspect", "-o", "json", sig.to_str().unwrap()])
        .failure()
        .stderr_has("Error: failed to parse signature: ");
}

/// The context of notation-go's `TestVerifyBlob`: policy
/// `blob-test-policy` (strict, `ca:dummy-ts`). The 12-byte blob the
/// signature covers is not available, so every signature check passes and
/// the digest comparison fails (N9); the MANIFEST's other verdicts follow.
#[test]
fn notation_go_verify_blob_context() {
    let env = Env::new();
    fs::copy(
        vector("10-blob/notation-go-verifyblob/trustpolicy.blob.json"),
        env.config().join("trustpolicy.blob.json"),
    )
    .unwrap();
    env.trust(
        "ca",
        "dummy-ts",
        "trusted-cert.pem",
        &vector_bytes(
            "10-blob/notation-go-verifyblob/truststore/x509/ca/dummy-ts/trusted-cert.pem",
        ),
    );
    let sig = vector("10-blob/notation-go-verifyblob/testSig.jws.sig");
    let sig = sig.to_str().unwrap();
    let blob = env.write("video.mp4", "twelve bytes");
    let blob = blob.to_str().unwrap();
    env.run(&["blob", "verify", "-d", "--policy-name", "blob-test-policy", "-s", sig, blob])
        .failure()
        .stderr_has("msg=integrity (enforce): passed")
        .stderr_has("msg=authenticity (enforce): passed")
        .stderr_has("msg=authenticTimestamp (enforce): passed")
        .stderr_has("msg=revocation (enforce): passed")
        .stderr_has("Error: signature verification failed: integrity check failed. signature does not match the given blob");
    // The signed media type is video/mp4; metadata is checked after the
    // digest, so the digest failure is what is reported.
    env.run(&[
        "blob",
        "verify",
        "--policy-name",
        "blob-test-policy",
        "-m",
        "buildId=101",
        "--media-type",
        "video/mp4",
        "-s",
        sig,
        blob,
    ])
    .failure()
    .stderr_has("integrity check failed. signature does not match the given blob");
    // No global statement in this policy (K4).
    env.run(&["blob", "verify", "-s", sig, blob])
        .failure()
        .stderr_has("Error: signature verification failed: no global blob trust policy");
    // Inspect shows the signed descriptor.
    let out = env.run(&["blob", "inspect", "-o", "json", sig]).success();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["userDefinedAttributes"],
        serde_json::json!({"buildId": "101"})
    );
    assert_eq!(
        json["signedArtifact"],
        serde_json::json!({
            "mediaType": "video/mp4",
            "digest": "sha384:b8ab24dafba5cf7e4c89c562f811cf10493d4203da982d3b1345f366ca863d9c2ed323dbd0fb7ff83a80302ceffa5a61",
            "size": 12
        })
    );
    assert_eq!(json["signatureAlgorithm"], "RSASSA-PSS-SHA-384");
}

/// `blob inspect` output equals the reference's golden files byte for
/// byte; the first tree line is the path as given.
#[test]
fn inspect_golden_files() {
    let env = Env::new();
    for name in ["blob.jws.sig", "blob.cose.sig"] {
        let sig = vector(&format!("10-blob/e2e-signatures/{name}"));
        let expected_tree = read(&vector(&format!(
            "10-blob/expected-inspect/{name}.tree.txt"
        )));
        let expected_json = read(&vector(&format!("10-blob/expected-inspect/{name}.json")));

        let out = env
            .run(&["blob", "inspect", sig.to_str().unwrap()])
            .success();
        let expected = expected_tree.replacen("<SIGNATURE_PATH>", sig.to_str().unwrap(), 1);
        assert_eq!(out.stdout, expected, "tree of {name}");
        assert!(out.stderr.is_empty(), "{}", out.stderr);

        // A relative path is shown as given, too.
        let local = env.write(
            name,
            vector_bytes(&format!("10-blob/e2e-signatures/{name}")),
        );
        assert!(local.is_file());
        let out = env
            .run(&["blob", "inspect", "--output", "tree", name])
            .success();
        assert_eq!(
            out.stdout,
            expected_tree.replacen("<SIGNATURE_PATH>", name, 1)
        );

        let out = env
            .run(&["blob", "inspect", "-o", "json", sig.to_str().unwrap()])
            .success();
        assert_eq!(out.stdout, expected_json, "json of {name}");
    }
}

#[test]
fn inspect_argument_errors() {
    let env = Env::new();
    let sig = vector("10-blob/e2e-signatures/blob.jws.sig");
    env.run(&["blob", "inspect"])
        .failure()
        .stderr_has("missing signature path");
    env.run(&["blob", "inspect", "-o", "yaml", sig.to_str().unwrap()])
        .failure()
        .stderr_has("Error: unrecognized output format yaml");
    env.write(
        "x.unknown.sig",
        vector_bytes("10-blob/e2e-signatures/blob.jws.sig"),
    );
    env.run(&["blob", "inspect", "x.unknown.sig"])
        .failure()
        .stderr_has("Error: signature format \"unknown\" not supported");
    env.write("x.jws", "x");
    env.run(&["blob", "inspect", "x.jws"])
        .failure()
        .stderr_has("invalid signature filename x.jws. The file extension must be .sig");
    env.run(&["blob", "inspect", "missing.jws.sig"])
        .failure()
        .stderr_has(
            "failed to read signature file: open missing.jws.sig: no such file or directory",
        );
    // The COSE signature under a JWS name is a parse failure, not a crash.
    env.write(
        "cose-as.jws.sig",
        vector_bytes("10-blob/e2e-signatures/blob.cose.sig"),
    );
    env.run(&["blob", "inspect", "cose-as.jws.sig"])
        .failure()
        .stderr_has("failed to parse signature");
}

/// S1 and the e2e file-name cases of the MANIFEST.
#[test]
fn signature_file_name_rules() {
    let env = e2e_env();
    let blob = vector(LICENSE);
    let blob = blob.to_str().unwrap();
    let jws = vector_bytes("10-blob/e2e-signatures/blob.jws.sig");
    env.write("blobFile.txt.jws.invalid", &jws);
    env.run(&["blob", "verify", "-s", "blobFile.txt.jws.invalid", blob])
        .failure()
        .stderr_has("Error: invalid signature filename blobFile.txt.jws.invalid. The file extension must be .sig");
    env.write("blobFile.sig", &jws);
    env.run(&["blob", "verify", "-s", "blobFile.sig", blob]).failure().stderr_has(
        "Error: invalid signature filename blobFile.sig. A valid signature file name must contain signature format and .sig file extension",
    );
    env.write("x.invalid.sig", &jws);
    env.run(&["blob", "verify", "-s", "x.invalid.sig", blob])
        .failure()
        .stderr_has("Error: signature format \"invalid\" not supported");
    // The name decides the format, whatever the signed blob is called.
    env.write("renamed.jws.sig", &jws);
    env.run(&[
        "blob",
        "verify",
        "--policy-name",
        "audit",
        "-s",
        "renamed.jws.sig",
        blob,
    ])
    .success();
}
