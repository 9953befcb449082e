//! Envelope encoding, decoding and integrity (REQUIREMENTS C, D, G).

mod common;

use notation_core::algorithm::KeySpec;
use notation_core::crypto::default_provider;
use notation_core::envelope::{self, Envelope, EnvelopeFormat, SignRequest};
use notation_core::payload::{Descriptor, Payload};

fn payload() -> Vec<u8> {
    Payload::new(Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        42,
    ))
    .to_json()
}

#[test]
fn six_key_specs_times_two_formats_round_trip() {
    let crypto = default_provider();
    let expected = [
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::Rsa4096,
        KeySpec::Ec256,
        KeySpec::Ec384,
        KeySpec::Ec521,
    ];
    for (name, spec) in common::KEY_NAMES.iter().zip(expected) {
        let signer = common::signer(name);
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let req = SignRequest::new(payload(), &signer);
            let bytes = envelope::sign(format, &req, crypto.as_ref())
                .unwrap_or_else(|e| panic!("{name} {format}: {e}"));
            let env = Envelope::parse(format, &bytes).unwrap();
            let content = env
                .verify(crypto.as_ref())
                .unwrap_or_else(|e| panic!("{name} {format}: {e}"));
            assert_eq!(
                content.signer_info.signature_algorithm,
                spec.signature_algorithm()
            );
            assert_eq!(
                Payload::from_json(&content.payload).unwrap(),
                Payload::from_json(&payload()).unwrap()
            );
            assert_eq!(content.signer_info.certificate_chain.len(), 3);
        }
    }
}

/// C3, C4, A1: the reference decodes the envelope, its headers and the
/// payload into Go structs, whose member names match case-insensitively:
/// `io.cncf.notary.Expiry` is the expiry (so it must be marked critical),
/// and renamed envelope and payload members read as theirs.
#[test]
fn member_names_match_case_insensitively_as_in_the_reference() {
    let crypto = default_provider();
    let signer = common::signer("ec-256");
    let expiry = envelope::ExtendedAttribute::new(
        "io.cncf.notary.Expiry",
        serde_json::json!("2000-01-01T00:00:00Z"),
        false,
    );
    let req = SignRequest::new(payload(), &signer).extended_attribute(expiry);
    // The check after signing reads the envelope as a verifier does.
    let e = envelope::sign(EnvelopeFormat::Jws, &req, crypto.as_ref()).unwrap_err();
    assert!(
        e.to_string()
            .contains("these required headers are not marked as critical: [io.cncf.notary.expiry]"),
        "{e}"
    );

    let folded = br#"{"TargetArtifact":{"MEDIATYPE":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","\u017fize":42}}"#;
    let req = SignRequest::new(folded.to_vec(), &signer);
    let bytes = envelope::sign(EnvelopeFormat::Jws, &req, crypto.as_ref()).unwrap();
    let mut outer: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).unwrap();
    for (from, to) in [
        ("payload", "Payload"),
        ("protected", "PROTECTED"),
        ("header", "Header"),
    ] {
        let v = outer.remove(from).unwrap();
        outer.insert(to.into(), v);
    }
    let header = outer["Header"].as_object_mut().unwrap();
    let x5c = header.remove("x5c").unwrap();
    header.insert("X5C".into(), x5c);
    let bytes = serde_json::to_vec(&outer).unwrap();
    let content = Envelope::parse(EnvelopeFormat::Jws, &bytes)
        .unwrap()
        .verify(crypto.as_ref())
        .unwrap();
    assert_eq!(
        Payload::from_json(&content.payload).unwrap(),
        Payload::from_json(&payload()).unwrap()
    );
    assert_eq!(content.signer_info.certificate_chain.len(), 3);

    // Two members for one field are refused, however they are written.
    for doubled in [
        &br#"{"targetArtifact":{"mediaType":"a","digest":"d","size":1},"TargetArtifact":{"mediaType":"a","digest":"d","size":1}}"#[..],
        br#"{"targetArtifact":{"mediaType":"a","MediaType":"b","digest":"d","size":1}}"#,
    ] {
        let e = Payload::from_json(doubled).unwrap_err();
        assert!(e.to_string().contains("duplicate field"), "{e}");
    }
}

mod flips {
    //! Any byte flipped in what a signature covers or carries (protected
    //! header, payload, signature, certificates, and the envelope's own
    //! framing) makes verification fail on integrity. Unsigned attributes
    //! (the signing agent) are outside: they are informational by design
    //! (E3).

    use std::ops::Range;
    use std::sync::{Arc, OnceLock};

    use notation_core::crypto::default_provider;
    use notation_core::envelope::{self, Envelope, EnvelopeFormat, SignRequest};
    use notation_core::payload::{Descriptor, Payload};
    use notation_core::trust::{
        BlobTrustPolicyDocument, MemoryTrustStore, TrustStoreType, ValidationType,
    };
    use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier};
    use notation_core::x509::Certificate;
    use proptest::prelude::*;

    const BLOB: &[u8] = b"flip test";

    struct Case {
        format: EnvelopeFormat,
        bytes: Vec<u8>,
        /// Regions whose every byte is covered by the signature or the
        /// certificate checks.
        regions: Vec<Range<usize>>,
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Range<usize> {
        let start = haystack
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("region present");
        start..start + needle.len()
    }

    fn cases() -> &'static Vec<Case> {
        static CASES: OnceLock<Vec<Case>> = OnceLock::new();
        CASES.get_or_init(|| {
            let crypto = default_provider();
            let mut out = Vec::new();
            for name in super::common::KEY_NAMES {
                let signer = super::common::signer(name);
                let payload = Payload::new(Descriptor::of_bytes(
                    "application/octet-stream",
                    signer_hash(name),
                    BLOB,
                ))
                .to_json();
                for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
                    let req = SignRequest::new(payload.clone(), &signer);
                    let bytes = envelope::sign(format, &req, crypto.as_ref()).unwrap();
                    let content = Envelope::parse(format, &bytes)
                        .unwrap()
                        .content_unverified()
                        .unwrap();
                    let mut regions: Vec<Range<usize>> = Vec::new();
                    match format {
                        EnvelopeFormat::Jws => {
                            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                            for key in ["protected", "payload", "signature"] {
                                regions.push(find(&bytes, v[key].as_str().unwrap().as_bytes()));
                            }
                            for c in v["header"]["x5c"].as_array().unwrap() {
                                regions.push(find(&bytes, c.as_str().unwrap().as_bytes()));
                            }
                            // The framing before the unprotected header.
                            regions.push(0..find(&bytes, b"\"header\"").start);
                        }
                        EnvelopeFormat::Cose => {
                            regions.push(find(&bytes, &content.signer_info.signature));
                            regions.push(find(&bytes, &content.payload));
                            for c in &content.signer_info.certificate_chain {
                                regions.push(find(&bytes, c.der()));
                            }
                            // Tag, array header and the protected header.
                            regions.push(0..find(&bytes, &content.payload).start.min(200));
                        }
                    }
                    out.push(Case {
                        format,
                        bytes,
                        regions,
                    });
                }
            }
            out
        })
    }

    fn signer_hash(name: &str) -> notation_core::algorithm::HashAlgorithm {
        use notation_core::algorithm::HashAlgorithm::*;
        match name {
            "rsa-2048" | "ec-256" => Sha256,
            "rsa-3072" | "ec-384" => Sha384,
            _ => Sha512,
        }
    }

    fn verifier() -> &'static Verifier {
        static V: OnceLock<Verifier> = OnceLock::new();
        V.get_or_init(|| {
            let mut store = MemoryTrustStore::new();
            store
                .add(TrustStoreType::Ca, "root", Certificate::parse_many(&super::common::pki("root.crt")).unwrap())
                .unwrap();
            let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","globalPolicy":true,
                "signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}"#;
            Verifier::builder(Arc::new(store))
                .blob_policy(BlobTrustPolicyDocument::from_json(policy).unwrap())
                .build()
                .unwrap()
        })
    }

    #[test]
    fn unmodified_signatures_verify() {
        for case in cases() {
            verifier()
                .verify_blob(
                    &case.bytes,
                    case.format,
                    &mut &BLOB[..],
                    &BlobVerifyOptions::new(),
                )
                .unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_flip_fails_integrity(case in 0usize..12, region in 0usize..8, offset in any::<usize>(), mask in 1u8..=255) {
            let case = &cases()[case];
            let region = &case.regions[region % case.regions.len()];
            let at = region.start + offset % region.len();
            // The reference matches JWS member names case-insensitively
            // (C3): a flip of an ASCII letter's case in the framing names
            // the same member, and verifies there too.
            let framing = case.format == EnvelopeFormat::Jws
                && std::ptr::eq(region, case.regions.last().unwrap());
            prop_assume!(!(framing && mask == 0x20 && case.bytes[at].is_ascii_alphabetic()));
            let mut bytes = case.bytes.clone();
            bytes[at] ^= mask;
            match verifier().verify_blob(&bytes, case.format, &mut &BLOB[..], &BlobVerifyOptions::new()) {
                Ok(_) => prop_assert!(false, "{:?} verified with byte {at} ^ {mask:#x}", case.format),
                Err(e @ VerificationError::Check(_)) => {
                    prop_assert_eq!(e.failed_check().unwrap().check(), ValidationType::Integrity, "{}", e);
                }
                Err(e) => prop_assert!(false, "failed outside the checks: {e}"),
            }
        }
    }
}

/// C4: the reference reads the header times with Go's `time.Time`, which
/// parses the text between the quotes as written, escapes and all
/// (golang/go#47353): a signing time with an escaped character is no time
/// there, and the envelope is refused. Here the same header is signed
/// twice, once as written and once with its signing time's first digit
/// escaped (`\u0032` for `2`).
#[test]
fn an_escaped_header_time_is_refused_as_the_reference_refuses_it() {
    use base64::Engine;
    use notation_core::signer::Signer;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let crypto = default_provider();
    let signer = common::signer("ec-256");
    let bytes = envelope::sign(
        EnvelopeFormat::Jws,
        &SignRequest::new(payload(), &signer),
        crypto.as_ref(),
    )
    .unwrap();
    let resigned = |edit: &dyn Fn(String) -> String| {
        let mut outer: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).unwrap();
        let header = b64.decode(outer["protected"].as_str().unwrap()).unwrap();
        let header = edit(String::from_utf8(header).unwrap());
        let protected = b64.encode(header);
        let input = format!("{protected}.{}", outer["payload"].as_str().unwrap());
        let (signature, _) = signer.sign(input.as_bytes()).unwrap();
        outer.insert("protected".into(), protected.into());
        outer.insert("signature".into(), b64.encode(signature).into());
        Envelope::parse(EnvelopeFormat::Jws, &serde_json::to_vec(&outer).unwrap())
            .and_then(|e| e.verify(crypto.as_ref()))
    };
    resigned(&|h| h).expect("the header as written verifies");
    let name = "\"io.cncf.notary.signingTime\":\"2";
    let e = resigned(&|h| {
        assert!(h.contains(name), "{h}");
        h.replace(name, "\"io.cncf.notary.signingTime\":\"\\u0032")
    })
    .unwrap_err();
    // Go's time.Parse error on the text as written.
    let text = e.to_string();
    assert!(
        text.contains(r#"parsing time "\\u0032"#)
            && text.contains(r#"as "2006-01-02T15:04:05Z07:00": cannot parse "\\u0032"#)
            && text.ends_with(r#"as "2006""#),
        "{e}"
    );
}

/// A signer that changes what a real one gives: the key spec it claims,
/// the signature (emptied or altered), the chain (another one).
struct Altered {
    inner: notation_core::signer::LocalSigner,
    key_spec: Option<KeySpec>,
    signature: fn(Vec<u8>) -> Vec<u8>,
    chain: Option<Vec<notation_core::x509::Certificate>>,
}

impl notation_core::signer::Signer for Altered {
    fn key_spec(&self) -> Result<KeySpec, notation_core::signer::SignerError> {
        Ok(self.key_spec.unwrap_or(self.inner.key_spec()?))
    }
    fn sign(
        &self,
        data: &[u8],
    ) -> Result<(Vec<u8>, Vec<notation_core::x509::Certificate>), notation_core::signer::SignerError>
    {
        let (signature, chain) = self.inner.sign(data)?;
        Ok((
            (self.signature)(signature),
            self.chain.clone().unwrap_or(chain),
        ))
    }
}

/// H8, C5: signing reads the envelope back and checks its chain and the
/// algorithm its leaf implies before it verifies the signature, as the
/// reference does, and gives those failures as they are; only a signature
/// that does not verify is "generated signature failed verification". The
/// algorithm mismatch is the reference's text byte for byte (Go's numbers
/// for the algorithms, and its stray `s`).
#[test]
fn signing_checks_the_chain_before_the_signature_with_the_references_texts() {
    let crypto = default_provider();
    let fail = |signer: &Altered, format: EnvelopeFormat| {
        let req = SignRequest::new(payload(), signer);
        envelope::sign(format, &req, crypto.as_ref())
            .unwrap_err()
            .to_string()
    };
    let same = |s: Vec<u8>| s;
    let tampered = |mut s: Vec<u8>| {
        s[10] ^= 1;
        s
    };
    let rsa_2048 = || common::signer("rsa-2048");
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        // The claimed key spec's algorithm (PS384) is not the leaf's (PS256).
        let claims_3072 = Altered {
            inner: rsa_2048(),
            key_spec: Some(KeySpec::Rsa3072),
            signature: same,
            chain: None,
        };
        assert_eq!(
            fail(&claims_3072, format),
            "mismatch between signature algorithm derived from signing certificate (1) and signing algorithm specified (2s)",
            "{format}"
        );
        // The chain of another key, and so a signature that does not verify
        // either: the chain's failure is the one reported.
        let other_chain = Altered {
            inner: rsa_2048(),
            key_spec: None,
            signature: same,
            chain: Some(common::signer("ec-384").certificate_chain().to_vec()),
        };
        assert_eq!(
            fail(&other_chain, format),
            "mismatch between signature algorithm derived from signing certificate (5) and signing algorithm specified (1s)",
            "{format}"
        );
        // The leaf alone (a chain that ends in no self-signed root) and an
        // altered signature.
        let leaf_only = Altered {
            inner: rsa_2048(),
            key_spec: None,
            signature: tampered,
            chain: Some(rsa_2048().certificate_chain()[..1].to_vec()),
        };
        let err = fail(&leaf_only, format);
        assert!(
            err.starts_with("certificate-chain is invalid, "),
            "{format}: {err}"
        );
        // A good chain and an altered signature.
        let bad_signature = Altered {
            inner: rsa_2048(),
            key_spec: None,
            signature: tampered,
            chain: None,
        };
        let err = fail(&bad_signature, format);
        assert!(
            err.starts_with("generated signature failed verification: "),
            "{format}: {err}"
        );
    }
    // An empty signature fails when the envelope is read back, with the
    // reference's texts (notation-core-go's for JWS, go-cose's for COSE).
    let empty = Altered {
        inner: rsa_2048(),
        key_spec: None,
        signature: |_| Vec::new(),
        chain: None,
    };
    assert_eq!(
        fail(&empty, EnvelopeFormat::Jws),
        "signature missing in jws-json envelope"
    );
    assert_eq!(fail(&empty, EnvelopeFormat::Cose), "empty signature");
}
