//! Every vector of the conformance directories whose files the suites name
//! one by one (01, 02, 03, 07, 08, 10, 12, 13; 04, 05, 06 and 09 are walked
//! by their own tests) is used by a case: each directory is walked and any
//! file that no row below covers fails, so a vector added to
//! `../shared/conformance` cannot go untested. A row names the test source
//! that reads the file and the text by which it does; the row fails too when
//! that source no longer contains the text (a renamed or deleted case).
//! A row ending in `/` covers a directory the test loads whole (a trust
//! store, an OCI layout, an openssl CA).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (file or directory/ relative to the vector directory, test source
/// relative to the repository, text of that source that reads it).
type Row = (&'static str, &'static str, &'static str);

const VERIFY_01: &str = "notation-core/tests/conformance_verify/vectors_01.rs";
const VERIFY_01_PLUGINS: &str = "notation-core/tests/conformance_verify/vectors_01_plugins.rs";
const VERIFY_02: &str = "notation-core/tests/conformance_verify/vectors_02.rs";
const VERIFY_03: &str = "notation-core/tests/conformance_verify/vectors_03.rs";
const VERIFY_10: &str = "notation-core/tests/conformance_verify/vectors_10.rs";
const CERTIFICATES: &str = "notation-core/tests/conformance_certificates.rs";
const POLICIES: &str = "notation-core/tests/conformance_trust_policies.rs";
const PLUGIN: &str = "notation-core/tests/plugin_protocol.rs";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap();
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The check: every file of `dir` is covered by a row, every row covers a
/// file, and every row's source contains its text.
fn check(dir: &str, rows: &[Row]) {
    let root = common::conformance_dir().join(dir);
    let mut files = BTreeSet::new();
    files_under(&root, &root, &mut files);
    let mut problems = Vec::new();
    for f in &files {
        let covered = rows.iter().any(|(name, ..)| {
            if name.ends_with('/') {
                f.starts_with(name)
            } else {
                f == name
            }
        });
        if !covered {
            problems.push(format!("{dir}/{f}: no case covers this vector"));
        }
    }
    for (name, source, text) in rows {
        if !files
            .iter()
            .any(|f| f == name || (name.ends_with('/') && f.starts_with(name)))
        {
            problems.push(format!("{dir}/{name}: listed, but not in the directory"));
        }
        let path = repo().join(source);
        let code =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if !code.contains(text) {
            problems.push(format!(
                "{dir}/{name}: {source} no longer contains {text:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn vectors_01_jws_envelopes() {
    let version = "ca_{prefix}_pluginver_sig_env_{v}.json";
    check(
        "01-jws-envelopes-notation-go-mock",
        &[
            (
                "ca_compatible_pluginver_sig_env_0.0.9.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_compatible_pluginver_sig_env_1.0.0-alpha.beta.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_compatible_pluginver_sig_env_1.0.0-alpha.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_compatible_pluginver_sig_env_1.0.0.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_incompatible_pluginver_sig_env_1.0.1.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_incompatible_pluginver_sig_env_1.0.9.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_incompatible_pluginver_sig_env_1.1.0-alpha.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_incompatible_pluginver_sig_env_1.2.3.json",
                VERIFY_01_PLUGINS,
                version,
            ),
            (
                "ca_expired_sig_env.json",
                VERIFY_01,
                "\"ca_expired_sig_env.json\"",
            ),
            (
                "ca_invalid_sig_env.json",
                VERIFY_01,
                "\"ca_invalid_sig_env.json\"",
            ),
            (
                "ca_plugin_sig_env.json",
                VERIFY_01,
                "\"ca_plugin_sig_env.json\"",
            ),
            (
                "ca_valid_sig_env.json",
                VERIFY_01,
                "\"ca_valid_sig_env.json\"",
            ),
            (
                "sa_expired_sig_env.json",
                VERIFY_01,
                "\"sa_expired_sig_env.json\"",
            ),
            (
                "sa_invalid_sig_env.json",
                VERIFY_01,
                "\"sa_invalid_sig_env.json\"",
            ),
            (
                "sa_plugin_sig_env.json",
                VERIFY_01,
                "\"sa_plugin_sig_env.json\"",
            ),
            (
                "sa_valid_sig_env.json",
                VERIFY_01,
                "\"sa_valid_sig_env.json\"",
            ),
            (
                "sig_env_with_metadata.json",
                VERIFY_01,
                "sig_env_with_metadata.json\"",
            ),
        ],
    );
}

#[test]
fn vectors_02_oci_layout_alpine() {
    check(
        "02-oci-layout-alpine",
        &[
            (
                "cose_signature.cose.sig",
                VERIFY_02,
                "\"cose_signature.cose.sig\"",
            ),
            (
                "jws_signature.jws.sig",
                VERIFY_02,
                "\"jws_signature.jws.sig\"",
            ),
            (
                "trustpolicy.oci.json",
                VERIFY_02,
                "\"02-oci-layout-alpine/trustpolicy.oci.json\"",
            ),
            // The `ca:alpine` store of the verifier.
            (
                "truststore/",
                VERIFY_02,
                "DirTrustStore::new(conf(\"02-oci-layout-alpine\"))",
            ),
            (
                "oci-layout/",
                "notation-oci/tests/support/fixtures.rs",
                "\"02-oci-layout-alpine/oci-layout\"",
            ),
        ],
    );
}

#[test]
fn vectors_03_timestamped_envelopes() {
    check(
        "03-timestamped-envelopes",
        &[
            (
                "sigEnv/coseExpiredWithTimestamp.sig",
                VERIFY_03,
                "\"coseExpiredWithTimestamp.sig\"",
            ),
            (
                "sigEnv/coseWithTimestamp.sig",
                VERIFY_03,
                "\"coseWithTimestamp.sig\"",
            ),
            (
                "sigEnv/jwsExpiredWithTimestamp.sig",
                VERIFY_03,
                "\"jwsExpiredWithTimestamp.sig\"",
            ),
            (
                "sigEnv/jwsWithTimestamp.sig",
                VERIFY_03,
                "\"jwsWithTimestamp.sig\"",
            ),
            (
                "sigEnv/timestampAfterNotAfter.sig",
                VERIFY_03,
                "\"timestampAfterNotAfter.sig\"",
            ),
            (
                "sigEnv/timestampBeforeNotBefore.sig",
                VERIFY_03,
                "\"timestampBeforeNotBefore.sig\"",
            ),
            (
                "sigEnv/withoutTimestamp.sig",
                VERIFY_03,
                "\"withoutTimestamp.sig\"",
            ),
        ],
    );
}

#[test]
fn vectors_07_certificates() {
    let cs = |name: &'static str, text: &'static str| -> Row { (name, CERTIFICATES, text) };
    check(
        "07-certificates",
        &[
            cs(
                "codesigning/basicConstraintsNotCa.pem",
                "\"basicConstraintsNotCa\"",
            ),
            cs("codesigning/caTrueLeaf.pem", "leaf(\"caTrueLeaf\")"),
            cs("codesigning/codeSigningLeaf.pem", "cs(\"codeSigningLeaf\")"),
            cs(
                "codesigning/codeSigningLeafInvalidPathLen.pem",
                "cs(\"codeSigningLeafInvalidPathLen\")",
            ),
            cs(
                "codesigning/ecdsaKeyTooSmallLeaf.pem",
                "leaf(\"ecdsaKeyTooSmallLeaf\")",
            ),
            cs(
                "codesigning/ekuMissingCodeSigningLeaf.pem",
                "leaf(\"ekuMissingCodeSigningLeaf\")",
            ),
            cs(
                "codesigning/ekuWrongValuesCodeLeaf.pem",
                "leaf(\"ekuWrongValuesCodeLeaf\")",
            ),
            cs(
                "codesigning/intermediateCert1.pem",
                "cs(\"intermediateCert1\")",
            ),
            cs(
                "codesigning/intermediateCert2.pem",
                "cs(\"intermediateCert2\")",
            ),
            cs(
                "codesigning/intermediateCertInvalidPathLen.pem",
                "cs(\"intermediateCertInvalidPathLen\")",
            ),
            cs("codesigning/kuMissingCa.pem", "cs(\"kuMissingCa\")"),
            cs(
                "codesigning/kuNoDigitalSignatureLeaf.pem",
                "leaf(\"kuNoDigitalSignatureLeaf\")",
            ),
            cs("codesigning/kuNotCertSignCa.pem", "cs(\"kuNotCertSignCa\")"),
            cs(
                "codesigning/kuNotCriticalCertSignCa.pem",
                "cs(\"kuNotCriticalCertSignCa\")",
            ),
            cs(
                "codesigning/kuWrongValuesLeaf.pem",
                "leaf(\"kuWrongValuesLeaf\")",
            ),
            cs(
                "codesigning/noBasicConstraintsCa.pem",
                "\"noBasicConstraintsCa\"",
            ),
            cs("codesigning/rootCert.pem", "cs(\"rootCert\")"),
            cs(
                "codesigning/rsaKeyTooSmallLeaf.pem",
                "leaf(\"rsaKeyTooSmallLeaf\")",
            ),
            cs("codesigning/unrelatedCert.pem", "cs(\"unrelatedCert\")"),
            cs(
                "codesigning/validNoOptionsLeaf.pem",
                "cs(\"validNoOptionsLeaf\")",
            ),
            cs(
                "timestamping/ekuMissingTimestampingLeaf.pem",
                "\"ekuMissingTimestampingLeaf\"",
            ),
            cs(
                "timestamping/ekuNonCriticalTimeLeaf.pem",
                "tl(\"ekuNonCriticalTimeLeaf\")",
            ),
            cs(
                "timestamping/ekuWrongValuesTimeLeaf.pem",
                "\"ekuWrongValuesTimeLeaf\"",
            ),
            cs("core-go-x509-testdata/der.der", "count(\"der.der\")"),
            cs("core-go-x509-testdata/invalid", "count(\"invalid\")"),
            cs(
                "core-go-x509-testdata/multi-der.der",
                "count(\"multi-der.der\")",
            ),
            cs(
                "core-go-x509-testdata/multi-pem.crt",
                "count(\"multi-pem.crt\")",
            ),
            cs(
                "core-go-x509-testdata/openssl-minimum-self-signed.pem",
                "core-go-x509-testdata/openssl-minimum-self-signed.pem",
            ),
            cs("core-go-x509-testdata/pem.crt", "count(\"pem.crt\")"),
            cs(
                "core-go-x509-testdata/timestamp_intermediate.crt",
                "t(\"intermediate\")",
            ),
            cs("core-go-x509-testdata/timestamp_leaf.crt", "t(\"leaf\")"),
            cs("core-go-x509-testdata/timestamp_root.crt", "t(\"root\")"),
            (
                "trusted-identity/bad-cert.pem",
                POLICIES,
                "trusted-identity/bad-cert.pem",
            ),
            (
                "trusted-identity/signing-cert.pem",
                POLICIES,
                "trusted-identity/signing-cert.pem",
            ),
        ],
    );
}

#[test]
fn vectors_08_revocation() {
    let crl_core_go = "notation-core/tests/revocation_crl/core_go.rs";
    let crl_e2e = "notation-core/tests/revocation_crl/e2e.rs";
    let chain = "notation-core/tests/revocation_chain.rs";
    check(
        "08-revocation",
        &[
            (
                "crl-core-go/certificateWith2DeltaCRL.cer",
                crl_core_go,
                "certificateWith2DeltaCRL.cer",
            ),
            (
                "crl-core-go/certificateWithDeltaCRL.cer",
                crl_core_go,
                "certificateWithDeltaCRL.cer",
            ),
            (
                "crl-core-go/certificateWithIncompleteFreshestCRL.cer",
                crl_core_go,
                "certificateWithIncompleteFreshestCRL.cer",
            ),
            (
                "crl-core-go/certificateWithIncompleteFreshestCRL2.cer",
                crl_core_go,
                "certificateWithIncompleteFreshestCRL2.cer",
            ),
            (
                "crl-core-go/certificateWithNonURIDeltaCRL.cer",
                crl_core_go,
                "certificateWithNonURIDeltaCRL.cer",
            ),
            (
                "crl-core-go/certificateWithZeroDeltaCRLURL.cer",
                crl_core_go,
                "certificateWithZeroDeltaCRLURL.cer",
            ),
            (
                "crl-core-go/crlWithMultipleFreshestCRLs.crl",
                crl_core_go,
                "crlWithMultipleFreshestCRLs.crl",
            ),
            ("crl-core-go/delta.crl", crl_core_go, "delta.crl"),
            (
                "crl-e2e/certchain_with_crl.pem",
                chain,
                "crl-e2e/certchain_with_crl.pem",
            ),
            ("crl-e2e/intermediate.crl", crl_e2e, "\"intermediate.crl\""),
            (
                "crl-e2e/intermediate_revoked.crl",
                crl_e2e,
                "\"intermediate_revoked.crl\"",
            ),
            ("crl-e2e/leaf.crl", crl_e2e, "\"leaf.crl\""),
            ("crl-e2e/leaf.key", chain, "08-revocation/crl-e2e/leaf.key"),
            ("crl-e2e/leaf_expired.crl", crl_e2e, "\"leaf_expired.crl\""),
            ("crl-e2e/leaf_revoked.crl", crl_e2e, "\"leaf_revoked.crl\""),
            ("crl-e2e/root.crt", chain, "08-revocation/crl-e2e/root.crt"),
            // The openssl CA the live test runs (`openssl ocsp` with its
            // configuration, database and keys).
            (
                "ocsp-e2e/",
                "notation-oci/tests/revocation_live.rs",
                "copy_dir(&vectors(\"ocsp-e2e\"), &dir)",
            ),
        ],
    );
}

#[test]
fn vectors_10_blob() {
    let inspect = "notation-core/tests/conformance_timestamp_tokens/inspect.rs";
    check(
        "10-blob",
        &[
            (
                "e2e-signatures/blob.cose.sig",
                VERIFY_10,
                "\"blob.cose.sig\"",
            ),
            ("e2e-signatures/blob.jws.sig", VERIFY_10, "\"blob.jws.sig\""),
            (
                "e2e-signatures/malformed.jws.sig",
                VERIFY_10,
                "10-blob/e2e-signatures/malformed.jws.sig",
            ),
            (
                "e2e-signatures/signed-blob-LICENSE.txt",
                VERIFY_10,
                "10-blob/e2e-signatures/signed-blob-LICENSE.txt",
            ),
            (
                "expected-inspect/blob.cose.sig.json",
                inspect,
                "10-blob/expected-inspect/blob.cose.sig.json",
            ),
            (
                "expected-inspect/blob.cose.sig.tree.txt",
                inspect,
                "10-blob/expected-inspect/blob.cose.sig.tree.txt",
            ),
            (
                "expected-inspect/blob.jws.sig.json",
                inspect,
                "10-blob/expected-inspect/blob.jws.sig.json",
            ),
            (
                "expected-inspect/blob.jws.sig.tree.txt",
                inspect,
                "10-blob/expected-inspect/blob.jws.sig.tree.txt",
            ),
            (
                "notation-go-verifyblob/testSig.jws.sig",
                VERIFY_10,
                "10-blob/notation-go-verifyblob/testSig.jws.sig",
            ),
            (
                "notation-go-verifyblob/trusted-cert.pem",
                VERIFY_10,
                "10-blob/notation-go-verifyblob/trusted-cert.pem",
            ),
            (
                "notation-go-verifyblob/trustpolicy.blob.json",
                VERIFY_10,
                "10-blob/notation-go-verifyblob/trustpolicy.blob.json",
            ),
            // The `ca:dummy-ts` store of TestVerifyBlob's verifier.
            (
                "notation-go-verifyblob/truststore/",
                VERIFY_10,
                "DirTrustStore::new(&dir)",
            ),
        ],
    );
}

#[test]
fn vectors_12_plugin() {
    let fixture = |name: &'static str, text: &'static str| -> Row { (name, PLUGIN, text) };
    let archives = "examples/tests/plugin.rs";
    check(
        "12-plugin",
        &[
            // `foo` (with an extra file) is a plugin, `badplugin` is not.
            (
                "notation-go-plugin-dir-layout/",
                PLUGIN,
                "\"12-plugin/notation-go-plugin-dir-layout\"",
            ),
            (
                "install-malicious-archives/large_file_tarGz.tar.gz",
                archives,
                "{MALICIOUS}/large_file_tarGz.tar.gz",
            ),
            (
                "install-malicious-archives/large_file_zip.zip",
                archives,
                "{MALICIOUS}/large_file_zip.zip",
            ),
            (
                "install-malicious-archives/zip_bomb.zip.base64",
                archives,
                "{MALICIOUS}/zip_bomb.zip.base64",
            ),
            (
                "install-malicious-archives/zip_slip.zip",
                archives,
                "{MALICIOUS}/zip_slip.zip",
            ),
            fixture(
                "protocol/describe-key.request.json",
                "\"describe-key.request.json\"",
            ),
            fixture(
                "protocol/describe-key.response.json",
                "\"describe-key.response.json\"",
            ),
            fixture("protocol/error.response.json", "\"error.response.json\""),
            fixture(
                "protocol/generate-envelope.request.json",
                "\"generate-envelope.request.json\"",
            ),
            fixture(
                "protocol/generate-envelope.response.invalid-envelope-type-mismatch.json",
                "\"generate-envelope.response.invalid-envelope-type-mismatch.json\"",
            ),
            fixture(
                "protocol/generate-envelope.response.json",
                "\"generate-envelope.response.json\"",
            ),
            fixture(
                "protocol/generate-signature.request.json",
                "\"generate-signature.request.json\"",
            ),
            fixture(
                "protocol/generate-signature.response.json",
                "\"generate-signature.response.json\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.request.json",
                "\"get-plugin-metadata.request.json\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-empty-capabilities.json",
                "\"invalid-empty-capabilities\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-empty-description.json",
                "\"invalid-empty-description\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-empty-name.json",
                "\"invalid-empty-name\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-empty-url.json",
                "\"invalid-empty-url\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-empty-version.json",
                "\"invalid-empty-version\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-name-mismatch.json",
                "\"invalid-name-mismatch\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-no-contract-versions.json",
                "\"invalid-no-contract-versions\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.invalid-unsupported-contract-version.json",
                "\"invalid-unsupported-contract-version\"",
            ),
            fixture(
                "protocol/get-plugin-metadata.response.valid.json",
                "\"get-plugin-metadata.response.valid.json\"",
            ),
            (
                "protocol/verify-signature.request.json",
                VERIFY_01_PLUGINS,
                "fixture(\"verify-signature.request.json\")",
            ),
            (
                "protocol/verify-signature.response.identity-failed.json",
                VERIFY_01_PLUGINS,
                "\"verify-signature.response.identity-failed.json\"",
            ),
            (
                "protocol/verify-signature.response.missing-capability-result.json",
                VERIFY_01_PLUGINS,
                "\"verify-signature.response.missing-capability-result.json\"",
            ),
            (
                "protocol/verify-signature.response.success.json",
                VERIFY_01_PLUGINS,
                "\"verify-signature.response.success.json\"",
            ),
            (
                "protocol/verify-signature.response.unprocessed-attribute.json",
                VERIFY_01_PLUGINS,
                "\"verify-signature.response.unprocessed-attribute.json\"",
            ),
        ],
    );
}

#[test]
fn vectors_13_config() {
    let config = "notation-core/src/config.rs";
    check(
        "13-config",
        &[
            (
                "e2e/pass_credential_helper_config.json",
                "notation-oci/tests/registry_credentials.rs",
                "13-config/e2e/pass_credential_helper_config.json",
            ),
            (
                "notation-go-config/malformed-duplicate/signingkeys.json",
                config,
                "notation-go-config/malformed-duplicate/signingkeys.json",
            ),
            (
                "notation-go-config/malformed-invalid-default/signingkeys.json",
                config,
                "notation-go-config/malformed-invalid-default/signingkeys.json",
            ),
            (
                "notation-go-config/valid/config.json",
                config,
                "notation-go-config/valid/config.json",
            ),
            (
                "notation-go-config/valid/signingkeys.json",
                config,
                "notation-go-config/valid/signingkeys.json",
            ),
        ],
    );
}
