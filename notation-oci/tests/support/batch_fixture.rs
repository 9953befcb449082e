//! A registry holding one of every case a batch verification meets, for
//! the batch tests of the library, the CLI, C and Go, and the batch
//! benchmark: images signed with trusted keys (JWS and COSE, with user
//! metadata), one signed by an untrusted key beside a trusted one, an
//! unsigned image, an image signed only by an untrusted key, an image
//! whose only signature has expired, a repository the policy skips, and a
//! tag that does not exist. [`populate`] fills any registry (Debian's
//! `docker-registry`, the in-process referrers-API registry) through a
//! [`RegistryClient`]; [`policy`] is the trust policy that gives those
//! verdicts, with the test PKI's root in the trust store `ca:root`.
//!
//! Self-contained (no `super::`), so that tests of other crates can include
//! this file alone by path.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_oci::oci::{EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_IMAGE_MANIFEST};
use notation_oci::registry::{RegistryClient, RepositoryRef};
use notation_oci::workflow::{self, SignOptions};
use notation_oci::{Reference, RemoteRepository};

/// The test PKI (testdata/pki).
pub fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

/// The user metadata every trusted signature carries.
pub const METADATA: (&str, &str) = ("team", "blue");

/// The subject of the `ec-256` test leaf, as reports render it.
pub const EC256_SUBJECT: &str = "CN=Notation Test Leaf ec-256,O=Notary,L=Seattle,ST=WA,C=US";
/// The subject of the `rsa-2048` test leaf.
pub const RSA2048_SUBJECT: &str = "CN=Notation Test Leaf rsa-2048,O=Notary,L=Seattle,ST=WA,C=US";

/// The name of the statement that verifies, and of the one that skips.
pub const POLICY: &str = "batch";
pub const SKIP_POLICY: &str = "batch-skip";

/// One reference of the set and what verifying it must give.
#[derive(Clone, Debug)]
pub struct Case {
    /// The reference, as given to the batch.
    pub reference: String,
    /// The outcome's JSON name.
    pub outcome: &'static str,
    /// For `failed`: the check the first failed signature failed.
    pub check: Option<&'static str>,
    /// For `verified`: the signer's subject.
    pub signer: Option<&'static str>,
    /// For `verified`: the envelope media type.
    pub media_type: Option<&'static str>,
    /// Signatures the thumbprint pre-filter sets aside.
    pub prefiltered: usize,
    /// The artifact's digest (none for a tag that does not exist, a
    /// skipped reference or a registry that is down).
    pub digest: Option<String>,
}

impl Case {
    fn new(reference: String, outcome: &'static str) -> Self {
        Self {
            reference,
            outcome,
            check: None,
            signer: None,
            media_type: None,
            prefiltered: 0,
            digest: None,
        }
    }
}

fn signer(name: &str) -> LocalSigner {
    LocalSigner::from_files(
        &pki(&format!("{name}.key")),
        &pki(&format!("{name}.chain.pem")),
    )
    .unwrap()
}

fn untrusted() -> LocalSigner {
    LocalSigner::from_files(&pki("self-signed.key"), &pki("self-signed.crt")).unwrap()
}

/// Pushes a small image (its layer names the repository) tagged `v1`.
pub fn push_image(client: &RegistryClient, host: &str, repository: &str) -> String {
    let repo = RepositoryRef::new(host, repository).unwrap();
    let layer = format!("layer of {repository}");
    let layer_digest = notation_oci::oci::sha256_digest(layer.as_bytes());
    client
        .push_blob(&repo, &layer_digest, layer.as_bytes())
        .unwrap();
    client
        .push_blob(&repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
        .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_JSON_DIGEST, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    }))
    .unwrap();
    client
        .push_manifest(&repo, "v1", MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
        .unwrap()
        .descriptor
        .digest
}

fn sign(
    client: &RegistryClient,
    host: &str,
    repository: &str,
    signer: &LocalSigner,
    options: &SignOptions<'_>,
) {
    let reference = Reference::parse(&format!("{host}/{repository}:v1")).unwrap();
    let repo = RemoteRepository::new(client.clone(), &reference).unwrap();
    workflow::sign_artifact(&repo, "v1", signer, options).unwrap();
}

fn metadata() -> BTreeMap<String, String> {
    [(METADATA.0.to_string(), METADATA.1.to_string())].into()
}

/// Fills the registry at `host` through `client` and returns the cases,
/// in a fixed order (every outcome, both envelope formats, tag and digest).
pub fn populate(client: &RegistryClient, host: &str) -> Vec<Case> {
    let jws = SignOptions::new(EnvelopeFormat::Jws).user_metadata(metadata());
    let cose = SignOptions::new(EnvelopeFormat::Cose).user_metadata(metadata());
    let mut cases = Vec::new();

    let signed = push_image(client, host, "signed");
    sign(client, host, "signed", &signer("ec-256"), &jws);
    let mut case = Case::new(format!("{host}/signed:v1"), "verified");
    case.signer = Some(EC256_SUBJECT);
    case.media_type = Some("application/jose+json");
    case.digest = Some(signed.clone());
    cases.push(case.clone());
    case.reference = format!("{host}/signed@{signed}");
    cases.push(case);

    let cose_digest = push_image(client, host, "signed-cose");
    sign(client, host, "signed-cose", &signer("rsa-2048"), &cose);
    let mut case = Case::new(format!("{host}/signed-cose:v1"), "verified");
    case.signer = Some(RSA2048_SUBJECT);
    case.media_type = Some("application/cose");
    case.digest = Some(cose_digest);
    cases.push(case);

    // An untrusted signature first, then a trusted one: the pre-filter
    // sets the first aside without fetching it.
    let mixed = push_image(client, host, "mixed");
    sign(
        client,
        host,
        "mixed",
        &untrusted(),
        &SignOptions::new(EnvelopeFormat::Jws),
    );
    sign(client, host, "mixed", &signer("ec-256"), &jws);
    let mut case = Case::new(format!("{host}/mixed:v1"), "verified");
    case.signer = Some(EC256_SUBJECT);
    case.media_type = Some("application/jose+json");
    case.prefiltered = 1;
    case.digest = Some(mixed);
    cases.push(case);

    let unsigned = push_image(client, host, "unsigned");
    let mut case = Case::new(format!("{host}/unsigned:v1"), "unsigned");
    case.digest = Some(unsigned);
    cases.push(case);

    let untrusted_digest = push_image(client, host, "untrusted");
    sign(
        client,
        host,
        "untrusted",
        &untrusted(),
        &SignOptions::new(EnvelopeFormat::Jws),
    );
    let mut case = Case::new(format!("{host}/untrusted:v1"), "failed");
    case.check = Some("authenticity");
    case.prefiltered = 1;
    case.digest = Some(untrusted_digest);
    cases.push(case);

    let expired = push_image(client, host, "expired");
    let now = time::OffsetDateTime::now_utc();
    let expiring = SignOptions::new(EnvelopeFormat::Jws)
        .user_metadata(metadata())
        .signing_time(now - time::Duration::minutes(10))
        .expiry(Some(time::Duration::seconds(1)));
    sign(client, host, "expired", &signer("ec-256"), &expiring);
    let mut case = Case::new(format!("{host}/expired:v1"), "failed");
    case.check = Some("expiry");
    case.digest = Some(expired);
    cases.push(case);

    push_image(client, host, "skipped");
    cases.push(Case::new(format!("{host}/skipped:v1"), "skipped"));

    cases.push(Case::new(format!("{host}/signed:does-not-exist"), "error"));
    cases
}

/// The case of a registry that does not answer (stopped): `error`.
pub fn stopped_case(host: &str) -> Case {
    Case::new(format!("{host}/signed:v1"), "error")
}

/// The trust policy (OCI) that gives the cases their verdicts: `skip` for
/// the `skipped` repository of each host and the layout scope
/// `local/skipped`, `strict` with `ca:root` for everything else.
pub fn policy(hosts: &[&str]) -> String {
    let mut skipped: Vec<String> = hosts.iter().map(|h| format!("{h}/skipped")).collect();
    // A layout scope that skips (`--scope local/skipped`).
    skipped.push("local/skipped".to_string());
    serde_json::json!({
        "version": "1.0",
        "trustPolicies": [
            {
                "name": SKIP_POLICY,
                "registryScopes": skipped,
                "signatureVerification": {"level": "skip"}
            },
            {
                "name": POLICY,
                "registryScopes": ["*"],
                "signatureVerification": {"level": "strict"},
                "trustStores": ["ca:root"],
                "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Notary"]
            }
        ]
    })
    .to_string()
}

/// Writes a `NOTATION_CONFIG` directory: the trust store `ca:root` (the
/// test PKI root) and [`policy`] as `trustpolicy.oci.json` (and
/// `trustpolicy.json`, which the reference v1.3.2 reads).
pub fn write_config(dir: &std::path::Path, hosts: &[&str]) {
    let store = dir.join("truststore/x509/ca/root");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::copy(pki("root.crt"), store.join("root.crt")).unwrap();
    let policy = policy(hosts);
    std::fs::write(dir.join("trustpolicy.oci.json"), &policy).unwrap();
    std::fs::write(dir.join("trustpolicy.json"), &policy).unwrap();
}

/// Fills a new OCI image layout at `dir` with images tagged `signed`,
/// `signed-cose`, `unsigned`, `untrusted` and `expired` (signed as in
/// [`populate`]) and returns the cases `<dir>:<tag>` (and `signed` by
/// digest, and a tag that does not exist), verified under any scope but the
/// skipped ones.
pub fn populate_layout(dir: &std::path::Path) -> Vec<Case> {
    use notation_oci::OciLayout;
    use notation_oci::oci::{ANNOTATION_REF_NAME, MEDIA_TYPE_EMPTY_JSON};
    let layout = OciLayout::create(dir).unwrap();
    let image = |tag: &str| {
        let layer = layout
            .write_blob(
                "application/vnd.oci.image.layer.v1.tar",
                format!("layer of {tag}").as_bytes(),
            )
            .unwrap();
        layout
            .write_blob(MEDIA_TYPE_EMPTY_JSON, EMPTY_JSON)
            .unwrap();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
            "config": {"mediaType": MEDIA_TYPE_EMPTY_JSON, "digest": EMPTY_JSON_DIGEST, "size": 2},
            "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
        }))
        .unwrap();
        let mut desc = layout
            .write_blob(MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
            .unwrap();
        desc.annotations = Some([(ANNOTATION_REF_NAME.to_string(), tag.to_string())].into());
        layout.add_to_index(desc.clone()).unwrap();
        desc.digest
    };
    let sign = |tag: &str, signer: &LocalSigner, options: &SignOptions<'_>| {
        workflow::sign_artifact(&layout, tag, signer, options).unwrap();
    };
    let jws = SignOptions::new(EnvelopeFormat::Jws).user_metadata(metadata());
    let cose = SignOptions::new(EnvelopeFormat::Cose).user_metadata(metadata());
    let at = |tag: &str| format!("{}:{tag}", dir.display());
    let mut cases = Vec::new();

    let signed = image("signed");
    sign("signed", &signer("ec-256"), &jws);
    let mut case = Case::new(at("signed"), "verified");
    case.signer = Some(EC256_SUBJECT);
    case.media_type = Some("application/jose+json");
    case.digest = Some(signed.clone());
    cases.push(case.clone());
    case.reference = format!("{}@{signed}", dir.display());
    cases.push(case);

    let cose_digest = image("signed-cose");
    sign("signed-cose", &signer("rsa-2048"), &cose);
    let mut case = Case::new(at("signed-cose"), "verified");
    case.signer = Some(RSA2048_SUBJECT);
    case.media_type = Some("application/cose");
    case.digest = Some(cose_digest);
    cases.push(case);

    let unsigned = image("unsigned");
    let mut case = Case::new(at("unsigned"), "unsigned");
    case.digest = Some(unsigned);
    cases.push(case);

    let untrusted_digest = image("untrusted");
    sign(
        "untrusted",
        &untrusted(),
        &SignOptions::new(EnvelopeFormat::Jws),
    );
    let mut case = Case::new(at("untrusted"), "failed");
    case.check = Some("authenticity");
    case.prefiltered = 1;
    case.digest = Some(untrusted_digest);
    cases.push(case);

    let expired = image("expired");
    let now = time::OffsetDateTime::now_utc();
    let expiring = SignOptions::new(EnvelopeFormat::Jws)
        .signing_time(now - time::Duration::minutes(10))
        .expiry(Some(time::Duration::seconds(1)));
    sign("expired", &signer("ec-256"), &expiring);
    let mut case = Case::new(at("expired"), "failed");
    case.check = Some("expiry");
    case.digest = Some(expired);
    cases.push(case);

    cases.push(Case::new(at("does-not-exist"), "error"));
    cases
}

/// The SHA-256 fingerprint (hex) of a test PKI certificate file's first
/// certificate.
pub fn fingerprint(name: &str) -> String {
    let pem = std::fs::read(pki(name)).unwrap();
    notation_core::x509::Certificate::parse_many(&pem).unwrap()[0].sha256_fingerprint_hex()
}

/// Checks every verdict of a JSON report (the library's, serialized, or
/// the CLI's) against the cases, in input order: outcome, digest, policy,
/// message, the verified signature (signer subject and fingerprint from
/// the PKI files, media type, scheme, metadata), the failed check, the
/// pre-filtered signatures and their thumbprints, the summary.
#[track_caller]
pub fn check_report(report: &serde_json::Value, cases: &[Case]) {
    let results = report["results"].as_array().expect("results");
    assert_eq!(results.len(), cases.len(), "one result per reference");
    for (result, case) in results.iter().zip(cases) {
        let context = format!(
            "{}\n{}",
            case.reference,
            serde_json::to_string_pretty(result).unwrap()
        );
        assert_eq!(result["reference"], case.reference.as_str(), "{context}");
        assert_eq!(result["outcome"], case.outcome, "{context}");
        match &case.digest {
            Some(d) => assert_eq!(result["digest"], d.as_str(), "{context}"),
            None => assert!(result["digest"].is_null(), "{context}"),
        }
        let policy = if case.outcome == "skipped" {
            SKIP_POLICY
        } else {
            POLICY
        };
        assert_eq!(result["policy"], policy, "{context}");
        let passed = matches!(case.outcome, "verified" | "skipped");
        assert_eq!(result["message"].is_null(), passed, "{context}");
        assert_eq!(
            result["durationMs"].as_f64().map(|d| d >= 0.0),
            Some(true),
            "{context}"
        );
        let skipped = &result["thumbprintSkipped"];
        assert_eq!(skipped["count"], case.prefiltered, "{context}");
        let skipped_list = skipped["signatures"].as_array().unwrap();
        assert_eq!(skipped_list.len(), case.prefiltered, "{context}");
        for s in skipped_list {
            // The untrusted signer's chain is its self-signed certificate.
            assert_eq!(
                s["thumbprints"],
                serde_json::json!([fingerprint("self-signed.crt")]),
                "{context}"
            );
        }
        let signature = &result["signature"];
        match case.outcome {
            "verified" => {
                let signer = case.signer.unwrap();
                assert_eq!(signature["signer"]["subject"], signer, "{context}");
                let leaf = if signer == EC256_SUBJECT {
                    "ec-256.crt"
                } else {
                    "rsa-2048.crt"
                };
                assert_eq!(
                    signature["signer"]["sha256Fingerprint"],
                    fingerprint(leaf),
                    "{context}"
                );
                assert_eq!(
                    signature["envelopeMediaType"],
                    case.media_type.unwrap(),
                    "{context}"
                );
                assert_eq!(signature["signingScheme"], "notary.x509", "{context}");
                assert_eq!(
                    signature["userMetadata"],
                    serde_json::json!({METADATA.0: METADATA.1}),
                    "{context}"
                );
                assert!(signature["expiry"].is_null(), "{context}");
                assert!(signature["timestamp"].is_null(), "{context}");
                assert!(
                    signature["digest"].as_str().unwrap().starts_with("sha256:"),
                    "{context}"
                );
                assert_eq!(
                    result["failedSignatures"],
                    serde_json::json!([]),
                    "{context}"
                );
                assert_eq!(result["warnings"], serde_json::json!([]), "{context}");
            }
            "failed" => {
                assert!(signature.is_null(), "{context}");
                let check = case.check.unwrap();
                let failed = result["failedSignatures"].as_array().unwrap();
                if case.prefiltered > 0 {
                    // Only the untrusted signature: set aside, not failed.
                    assert!(failed.is_empty(), "{context}");
                } else {
                    assert_eq!(failed.len(), 1, "{context}");
                    assert_eq!(failed[0]["check"], check, "{context}");
                    assert!(
                        failed[0]["reason"].as_str().unwrap().contains("expired"),
                        "{context}"
                    );
                }
                assert!(
                    result["message"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("{check}: ")),
                    "{context}"
                );
            }
            "unsigned" => {
                assert!(signature.is_null(), "{context}");
                assert!(
                    result["message"]
                        .as_str()
                        .unwrap()
                        .contains("no signature is associated"),
                    "{context}"
                );
            }
            "error" | "skipped" => assert!(signature.is_null(), "{context}"),
            other => panic!("unknown outcome {other}"),
        }
    }
    let count = |o: &str| cases.iter().filter(|c| c.outcome == o).count();
    let summary = &report["summary"];
    assert_eq!(summary["total"], cases.len());
    for o in ["verified", "skipped", "failed", "unsigned", "error"] {
        assert_eq!(summary[o], count(o), "summary of {o}");
    }
    assert_eq!(
        report["passed"],
        cases
            .iter()
            .all(|c| matches!(c.outcome, "verified" | "skipped"))
    );
    assert_eq!(report["version"], "1.1");
}

/// The committed JSON Schema of the report.
pub fn schema_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../notation-oci/schema/verification-report.schema.json"
    ))
}
