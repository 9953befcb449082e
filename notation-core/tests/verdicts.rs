//! Verdicts the conformance vectors leave open, as notation-go decides
//! them: user metadata with the reserved prefix in a blob verification,
//! which failure wins when the blob and the user metadata both fail, an
//! empty blob policy name, and a minimum plugin version without a plugin.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use notation_core::blob::{BlobSignOptions, sign_blob};
use notation_core::crypto::{DefaultProvider, default_provider};
use notation_core::envelope::{EnvelopeFormat, ExtendedAttribute, SignRequest, header};
use notation_core::payload::{Descriptor, Payload};
use notation_core::signer::LocalSigner;
use notation_core::trust::{BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier};
use notation_core::x509::Certificate;

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

fn signer() -> LocalSigner {
    LocalSigner::from_files(&pki("ec-256.key"), &pki("ec-256.chain.pem")).unwrap()
}

fn verifier() -> Verifier {
    let mut store = MemoryTrustStore::new();
    let root = Certificate::parse_many(&std::fs::read(pki("root.crt")).unwrap()).unwrap();
    store.add(TrustStoreType::Ca, "root", root).unwrap();
    Verifier::builder(Arc::new(store))
        .blob_policy(
            BlobTrustPolicyDocument::from_json(
                br#"{"version":"1.0","trustPolicies":[{"name":"global","globalPolicy":true,
                "signatureVerification":{"level":"strict"},
                "trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#,
            )
            .unwrap(),
        )
        .build()
        .unwrap()
}

fn metadata(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const BLOB: &[u8] = b"the blob";

fn signed(with: &[(&str, &str)]) -> Vec<u8> {
    sign_blob(
        &signer(),
        &mut &BLOB[..],
        &BlobSignOptions::new(EnvelopeFormat::Jws).user_metadata(metadata(with)),
        default_provider().as_ref(),
    )
    .unwrap()
}

fn verify(envelope: &[u8], blob: &[u8], options: &BlobVerifyOptions) -> Result<(), String> {
    verifier()
        .verify_blob(envelope, EnvelopeFormat::Jws, &mut &blob[..], options)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// notation-go adds the user metadata asked for to the blob's descriptor,
/// which refuses a key with the reserved prefix.
#[test]
fn reserved_user_metadata_fails_the_blob_descriptor() {
    let envelope = signed(&[]);
    let options = BlobVerifyOptions::new().user_metadata(metadata(&[("io.cncf.notary.x", "1")]));
    let err = verifier()
        .verify_blob(&envelope, EnvelopeFormat::Jws, &mut &BLOB[..], &options)
        .unwrap_err();
    assert!(
        matches!(err, VerificationError::Descriptor { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "failed to generate descriptor for given artifact. Error: error adding user metadata: metadata key io.cncf.notary.x has reserved prefix io.cncf.notary"
    );
}

/// Another blob and missing metadata: the metadata's failure is reported
/// (notation-go records the mismatch, then overwrites it).
#[test]
fn missing_user_metadata_wins_over_a_blob_mismatch() {
    let envelope = signed(&[("team", "a")]);
    let options = BlobVerifyOptions::new().user_metadata(metadata(&[("team", "b")]));
    let err = verify(&envelope, b"another blob", &options).unwrap_err();
    assert!(err.contains("metadata"), "{err}");
    let err = verify(&envelope, b"another blob", &BlobVerifyOptions::new()).unwrap_err();
    assert!(err.contains("integrity check failed"), "{err}");
    verify(
        &envelope,
        BLOB,
        &BlobVerifyOptions::new().user_metadata(metadata(&[("team", "a")])),
    )
    .unwrap();
}

/// An empty policy name selects the global policy, as notation-go's
/// `TrustPolicyName == ""` does; a name of blanks is still an error.
#[test]
fn an_empty_policy_name_is_the_global_policy() {
    let envelope = signed(&[]);
    verify(&envelope, BLOB, &BlobVerifyOptions::new().policy_name("")).unwrap();
    let err = verify(&envelope, BLOB, &BlobVerifyOptions::new().policy_name(" ")).unwrap_err();
    assert!(err.contains("policy name cannot be empty"), "{err}");
}

/// The spec's own critical `verificationPluginMinVersion`, without a
/// `verificationPlugin`, asks nothing: notation-go finds no plugin and
/// ignores it. Another unknown critical attribute still fails integrity.
#[test]
fn a_minimum_plugin_version_without_a_plugin_is_ignored() {
    let signer = signer();
    let descriptor = Descriptor::of_reader(
        "application/octet-stream",
        notation_core::algorithm::HashAlgorithm::Sha256,
        &mut &BLOB[..],
    )
    .unwrap();
    let envelope_with = |key: &str| {
        let request = SignRequest::new(Payload::new(descriptor.clone()).to_json(), &signer)
            .extended_attribute(ExtendedAttribute::new(key, "1.0.0".into(), true));
        notation_core::envelope::sign(EnvelopeFormat::Jws, &request, &DefaultProvider).unwrap()
    };
    verify(
        &envelope_with(header::VERIFICATION_PLUGIN_MIN_VERSION),
        BLOB,
        &BlobVerifyOptions::new(),
    )
    .unwrap();
    let err = verify(&envelope_with("x-unknown"), BLOB, &BlobVerifyOptions::new()).unwrap_err();
    assert!(err.contains("x-unknown"), "{err}");
}

/// `verify_signature` takes any statement: one from another policy may
/// name a trust store this verifier never loaded. That is an error naming
/// the store, not a panic.
#[test]
fn a_statement_from_another_policy_is_an_error_not_a_panic() {
    let other = BlobTrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"other","globalPolicy":true,
        "signatureVerification":{"level":"strict"},
        "trustStores":["ca:elsewhere"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let envelope = signed(&[]);
    let outcome = verifier().verify_signature(
        &other.statements()[0],
        &envelope,
        EnvelopeFormat::Jws.media_type(),
    );
    let text = match outcome {
        Ok(o) => format!("{o:?}"),
        Err(e) => e.to_string(),
    };
    assert!(
        text.contains(
            "the trust store \"elsewhere\" of type \"ca\" was not loaded by this verifier"
        ),
        "{text}"
    );
}

/// Under a `skip` statement `verify_signature` verifies nothing, so it
/// presents no signer: a self-signed envelope's certificate is never
/// offered as the verified signer.
#[test]
fn verify_signature_under_skip_presents_no_signer() {
    let skip = BlobTrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"skipped",
        "signatureVerification":{"level":"skip"}}]}"#,
    )
    .unwrap();
    let envelope = signed(&[]);
    let outcome = verifier()
        .verify_signature(
            &skip.statements()[0],
            &envelope,
            EnvelopeFormat::Jws.media_type(),
        )
        .unwrap();
    assert!(outcome.is_skipped());
    assert!(outcome.signer_certificate().is_none());
    assert!(outcome.content().is_none());
}

/// A JWS envelope without `x5c` reads for display (as the reference's
/// does) with an empty chain: `try_leaf` says so, where `leaf` would panic.
#[test]
fn unverified_content_without_a_chain_has_no_leaf() {
    let envelope = signed(&[]);
    let mut json: serde_json::Value = serde_json::from_slice(&envelope).unwrap();
    json["header"].as_object_mut().unwrap().remove("x5c");
    let bytes = serde_json::to_vec(&json).unwrap();
    let content = notation_core::envelope::Envelope::parse(EnvelopeFormat::Jws, &bytes)
        .unwrap()
        .content_unverified()
        .unwrap();
    assert!(content.signer_info.certificate_chain.is_empty());
    assert!(content.signer_info.try_leaf().is_none());
    // And it does not verify.
    assert!(verify(&bytes, BLOB, &BlobVerifyOptions::new()).is_err());
}

/// A payload whose descriptor lacks members, or has them `null`, is read
/// as notation-go reads it (Go's zero values): the blob's digest and size
/// decide, and the media type only when one is asked for.
// Requirements: A3, N9.
#[test]
fn payload_members_missing_or_null_are_go_zero_values() {
    let signer = signer();
    let digest =
        Descriptor::of_bytes("x", notation_core::algorithm::HashAlgorithm::Sha256, BLOB).digest;
    let envelope = |payload: String| {
        let request = SignRequest::new(payload.into_bytes(), &signer);
        notation_core::envelope::sign(EnvelopeFormat::Jws, &request, &DefaultProvider).unwrap()
    };
    let size = BLOB.len();
    let no_media_type = envelope(format!(
        r#"{{"targetArtifact":{{"digest":"{digest}","size":{size}}}}}"#
    ));
    verify(&no_media_type, BLOB, &BlobVerifyOptions::new()).unwrap();
    let err = verify(
        &no_media_type,
        BLOB,
        &BlobVerifyOptions::new().media_type("application/octet-stream"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "integrity check failed. signature does not match the given blob"
    );
    let nulls = envelope(format!(
        r#"{{"targetArtifact":{{"mediaType":null,"digest":"{digest}","size":{size},"annotations":{{"a":null}}}}}}"#
    ));
    verify(&nulls, BLOB, &BlobVerifyOptions::new()).unwrap();
    // An empty blob: a missing size, or `-0`, is its size.
    let empty =
        Descriptor::of_bytes("x", notation_core::algorithm::HashAlgorithm::Sha256, b"").digest;
    for size in ["", r#","size":-0"#, r#","size":null"#] {
        let env = envelope(format!(
            r#"{{"targetArtifact":{{"mediaType":"m","digest":"{empty}"{size}}}}}"#
        ));
        verify(&env, b"", &BlobVerifyOptions::new()).unwrap();
    }
    // No descriptor at all matches no blob.
    for payload in [r#"{}"#, r#"{"targetArtifact":null}"#] {
        let err = verify(&envelope(payload.into()), BLOB, &BlobVerifyOptions::new()).unwrap_err();
        assert_eq!(
            err,
            "integrity check failed. signature does not match the given blob"
        );
    }
}

/// A content media type is checked as notation-go checks it (Go's
/// `mime.ParseMediaType`) before anything is signed or verified; an
/// empty one cannot be signed with.
// Requirements: A3.
#[test]
fn content_media_types_are_checked_first() {
    let sign = |media_type: &str| {
        sign_blob(
            &signer(),
            &mut &BLOB[..],
            &BlobSignOptions::new(EnvelopeFormat::Jws).media_type(media_type),
            default_provider().as_ref(),
        )
        .map_err(|e| e.to_string())
    };
    assert_eq!(
        sign("a b").unwrap_err(),
        r#"invalid content media-type "a b": mime: expected slash after first token"#
    );
    assert_eq!(sign("").unwrap_err(), "content media-type cannot be empty");
    let envelope = sign("text/plain; charset=utf-8").unwrap();
    let err = verify(
        &envelope,
        BLOB,
        &BlobVerifyOptions::new().media_type("a/b;c=d;c=e"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        r#"invalid content media-type "a/b;c=d;c=e": mime: duplicate parameter name"#
    );
    verify(
        &envelope,
        BLOB,
        &BlobVerifyOptions::new().media_type("text/plain; charset=utf-8"),
    )
    .unwrap();
}
