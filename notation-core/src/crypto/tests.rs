//! Both providers against OpenSSL's signatures (testdata/crypto, made by
//! make-vectors.sh) and, when both are built, against each other: each
//! verifies what the other signs, for every key spec and both envelope
//! formats, and both give the same verdict on every input.

use std::path::PathBuf;

use super::*;
use crate::algorithm::HashAlgorithm::{self, *};
use crate::x509::Certificate;

fn testdata(dir: &str, name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(dir)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn leaf(name: &str) -> Certificate {
    Certificate::parse_many(&testdata("pki", &format!("{name}.crt"))).unwrap()[0].clone()
}

const KEYS: [&str; 6] = [
    "rsa-2048", "rsa-3072", "rsa-4096", "ec-256", "ec-384", "ec-521",
];
const HASHES: [(HashAlgorithm, &str); 3] =
    [(Sha256, "sha256"), (Sha384, "sha384"), (Sha512, "sha512")];

/// An ECDSA DER `Ecdsa-Sig-Value` as the envelope's fixed-width `r||s`.
fn der_to_fixed(der_sig: &[u8], curve: Curve) -> Vec<u8> {
    #[derive(der::Sequence)]
    struct EcdsaSigValue<'a> {
        r: UintRef<'a>,
        s: UintRef<'a>,
    }
    let sig = EcdsaSigValue::from_der(der_sig).unwrap();
    let n = curve.field_len();
    let mut out = vec![0u8; 2 * n];
    for (i, part) in [sig.r.as_bytes(), sig.s.as_bytes()].iter().enumerate() {
        out[(i + 1) * n - part.len()..(i + 1) * n].copy_from_slice(part);
    }
    out
}

/// Every OpenSSL vector, with the scheme it uses and whether Notation
/// supports that scheme for that key (ring's matrix: P-256 and P-384 sign
/// certificates with SHA-256 or SHA-384 only).
fn vectors() -> Vec<(&'static str, SignatureScheme, Vec<u8>, bool)> {
    let mut out = Vec::new();
    for key in KEYS {
        for (hash, name) in HASHES {
            let schemes: Vec<(&str, SignatureScheme)> = if key.starts_with("rsa") {
                vec![
                    ("pss", SignatureScheme::RsaPss(hash)),
                    ("pkcs1", SignatureScheme::RsaPkcs1v15(hash)),
                ]
            } else {
                vec![("ecdsa", SignatureScheme::EcdsaDer(hash))]
            };
            for (label, scheme) in schemes {
                let sig = testdata("crypto", &format!("{key}.{label}-{name}.sig"));
                let supported = !(hash == Sha512 && (key == "ec-256" || key == "ec-384"));
                out.push((key, scheme, sig, supported));
            }
        }
    }
    out
}

/// `provider.verify`, checked against the key the provider prepares for
/// the same scheme, when it prepares one: the two give the same verdict
/// and the same error.
fn verify(
    provider: &dyn CryptoProvider,
    scheme: SignatureScheme,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureVerificationError> {
    let result = provider.verify(scheme, key, message, signature);
    if let Some(prepared) = provider.prepare(scheme, key) {
        PREPARED.with(|n| n.set(n.get() + 1));
        assert_eq!(
            prepared.verify(message, signature),
            result,
            "{provider:?} {scheme:?} {key:?}: prepared key"
        );
        // A prepared key is used again: the same verdict the second time.
        assert_eq!(prepared.verify(message, signature), result);
    }
    result
}

thread_local! {
    static PREPARED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[test]
fn every_provider_accepts_the_openssl_vectors_and_refuses_them_altered() {
    let message = testdata("crypto", "message.bin");
    let vectors = vectors();
    assert_eq!(vectors.len(), 27);
    for backend in Backend::ALL {
        let provider = backend.provider();
        for (key, scheme, sig, supported) in &vectors {
            let public = leaf(key).public_key().clone();
            let result = verify(&*provider, *scheme, &public, &message, sig);
            if !supported {
                assert_eq!(
                    result,
                    Err(SignatureVerificationError::Unsupported(*scheme)),
                    "{backend:?} {key} {scheme:?}"
                );
                continue;
            }
            assert_eq!(result, Ok(()), "{backend:?} {key} {scheme:?}");
            let mut altered = message.clone();
            altered[0] ^= 1;
            assert!(
                verify(&*provider, *scheme, &public, &altered, sig).is_err(),
                "{backend:?} {key} {scheme:?} altered message"
            );
            let mut bad = sig.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(
                verify(&*provider, *scheme, &public, &message, &bad).is_err(),
                "{backend:?} {key} {scheme:?} altered signature"
            );
            // The same ECDSA signature in envelope encoding, where the
            // envelope algorithms use it (ES256, ES384, ES512 with any
            // hash on P-521 as Go).
            if let (SignatureScheme::EcdsaDer(hash), PublicKey::Ec { curve, .. }) =
                (scheme, &public)
            {
                let fixed = der_to_fixed(sig, *curve);
                let envelope_hash = matches!(
                    (curve, hash),
                    (Curve::P256, Sha256) | (Curve::P384, Sha384) | (Curve::P521, _)
                );
                let scheme = SignatureScheme::EcdsaFixed(*hash);
                let result = verify(&*provider, scheme, &public, &message, &fixed);
                if envelope_hash {
                    assert_eq!(result, Ok(()), "{backend:?} {key} {scheme:?}");
                    // DER where fixed is expected, and the reverse, never
                    // verify: the two encodings do not mix.
                    assert!(verify(&*provider, scheme, &public, &message, sig).is_err());
                    let der = SignatureScheme::EcdsaDer(*hash);
                    assert!(verify(&*provider, der, &public, &message, &fixed).is_err());
                } else {
                    assert_eq!(result, Err(SignatureVerificationError::Unsupported(scheme)));
                }
            }
        }
        // aws-lc-rs prepares every key it accepts: the checks above ran on
        // prepared keys too.
        let prepared = PREPARED.with(|n| n.replace(0));
        #[cfg(feature = "aws-lc-rs")]
        if *backend == Backend::AwsLc {
            assert!(prepared >= 24, "{prepared} prepared keys");
        }
        #[cfg(feature = "ring")]
        if *backend == Backend::Ring {
            assert_eq!(prepared, 0, "ring has no prepared keys");
        }
    }
}

#[test]
fn every_provider_refuses_wrong_keys_and_compressed_points() {
    let message = testdata("crypto", "message.bin");
    let ec = leaf("ec-256");
    let rsa = leaf("rsa-2048");
    let ec_sig = testdata("crypto", "ec-256.ecdsa-sha256.sig");
    let rsa_sig = testdata("crypto", "rsa-2048.pss-sha256.sig");
    let PublicKey::Ec { curve, point } = ec.public_key().clone() else {
        panic!("EC key expected")
    };
    // The same point, compressed (SEC1 2.3.3): refused as Go refuses it.
    let mut compressed = vec![0x02 | (point[point.len() - 1] & 1)];
    compressed.extend_from_slice(&point[1..=curve.field_len()]);
    let compressed = PublicKey::Ec {
        curve,
        point: compressed,
    };
    for backend in Backend::ALL {
        let p = backend.provider();
        let ecdsa = SignatureScheme::EcdsaDer(Sha256);
        let pss = SignatureScheme::RsaPss(Sha256);
        assert_eq!(
            verify(&*p, ecdsa, ec.public_key(), &message, &ec_sig),
            Ok(())
        );
        assert_eq!(
            verify(&*p, ecdsa, &compressed, &message, &ec_sig),
            Err(SignatureVerificationError::Ecdsa),
            "{backend:?}"
        );
        assert!(matches!(
            verify(&*p, pss, ec.public_key(), &message, &rsa_sig),
            Err(SignatureVerificationError::KeyMismatch { .. })
        ));
        assert!(matches!(
            verify(&*p, ecdsa, rsa.public_key(), &message, &ec_sig),
            Err(SignatureVerificationError::KeyMismatch { .. })
        ));
        // Another key of the right type does not verify.
        assert_eq!(
            verify(&*p, ecdsa, leaf("ec-384").public_key(), &message, &ec_sig),
            Err(SignatureVerificationError::Ecdsa)
        );
        assert_eq!(
            verify(&*p, pss, leaf("rsa-3072").public_key(), &message, &rsa_sig),
            Err(SignatureVerificationError::Rsa)
        );
    }
}

#[test]
fn every_backend_signs_every_key_spec() {
    use crate::signer::PrivateKey;
    let message = testdata("crypto", "message.bin");
    for backend in Backend::ALL {
        for name in KEYS {
            let cert = leaf(name);
            let key = PrivateKey::from_bytes_for_certificate_with(
                &testdata("pki", &format!("{name}.key")),
                &cert,
                *backend,
            )
            .unwrap();
            assert_eq!(key.backend(), *backend);
            let spec = key.key_spec();
            let sig = key.sign(&message).unwrap();
            let scheme = SignatureScheme::for_envelope(spec.signature_algorithm());
            // Every provider verifies what every backend signs.
            for verifier in Backend::ALL {
                assert_eq!(
                    verifier
                        .provider()
                        .verify(scheme, cert.public_key(), &message, &sig),
                    Ok(()),
                    "{name} signed by {backend:?}, verified by {verifier:?}"
                );
            }
            // A key of another certificate is refused.
            let other = leaf(if name.starts_with("rsa") {
                "rsa-2048"
            } else {
                "ec-256"
            });
            if other != cert {
                assert!(
                    PrivateKey::from_bytes_for_certificate_with(
                        &testdata("pki", &format!("{name}.key")),
                        &other,
                        *backend,
                    )
                    .is_err()
                );
            }
        }
    }
}

/// Whole envelopes, both formats: signed with one backend's key and
/// provider, verified (signature and chain) with the other's.
#[cfg(all(feature = "ring", feature = "aws-lc-rs"))]
#[test]
fn each_provider_verifies_envelopes_the_other_signs() {
    use crate::blob::{BlobSignOptions, sign_blob};
    use crate::envelope::{Envelope, EnvelopeFormat};
    use crate::signer::{LocalSigner, PrivateKey};
    assert_eq!(Backend::ALL.len(), 2);
    for name in KEYS {
        let chain =
            Certificate::parse_many(&testdata("pki", &format!("{name}.chain.pem"))).unwrap();
        for signing in Backend::ALL {
            let key = PrivateKey::from_bytes_for_certificate_with(
                &testdata("pki", &format!("{name}.key")),
                &chain[0],
                *signing,
            )
            .unwrap();
            let signer = LocalSigner::new(key, chain.clone()).unwrap();
            for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
                let signed = sign_blob(
                    &signer,
                    &mut &b"blob"[..],
                    &BlobSignOptions::new(format),
                    signing.provider().as_ref(),
                )
                .unwrap();
                let envelope = Envelope::parse(format, &signed).unwrap();
                for verifying in Backend::ALL {
                    envelope
                        .verify(verifying.provider().as_ref())
                        .unwrap_or_else(|e| {
                            panic!("{name} {format}: {signing:?} -> {verifying:?}: {e}")
                        });
                }
            }
        }
    }
}

/// The two providers agree on every scheme for every key, whatever the
/// bytes: the same message and signature give the same verdict.
#[cfg(all(feature = "ring", feature = "aws-lc-rs"))]
#[test]
fn both_providers_give_the_same_verdict() {
    let message = testdata("crypto", "message.bin");
    let (ring, aws) = (RingProvider, AwsLcProvider);
    let mut schemes = Vec::new();
    for (hash, _) in HASHES {
        schemes.extend([
            SignatureScheme::RsaPss(hash),
            SignatureScheme::RsaPkcs1v15(hash),
            SignatureScheme::EcdsaFixed(hash),
            SignatureScheme::EcdsaDer(hash),
        ]);
    }
    let mut keys: Vec<PublicKey> = KEYS.iter().map(|k| leaf(k).public_key().clone()).collect();
    keys.push(leaf("rsa-1024").public_key().clone());
    let mut checked = 0;
    for (_, _, sig, _) in vectors() {
        for key in &keys {
            for scheme in &schemes {
                let r = ring.verify(*scheme, key, &message, &sig);
                let a = aws.verify(*scheme, key, &message, &sig);
                assert_eq!(r, a, "{key:?} {scheme:?}");
                checked += usize::from(r.is_ok());
            }
        }
    }
    // Each vector verifies under its own key and scheme (27), less the two
    // unsupported hashes; nothing else does.
    assert_eq!(checked, 25);
}

#[test]
fn an_rsa_key_is_sized_in_whole_bytes_as_the_reference_sizes_it() {
    // Requirements: G2, G3. A 3070-bit modulus fills 384 bytes: RSA-3072,
    // PS384, and its OpenSSL signature verifies on every provider.
    let key = PublicKey::from_spki_der(&testdata("crypto", "rsa-3070.pub.der")).unwrap();
    assert_eq!(format!("{key:?}"), "PublicKey::Rsa(3070)");
    assert_eq!(key.key_spec().unwrap(), KeySpec::Rsa3072);
    let message = testdata("crypto", "message.bin");
    let sig = testdata("crypto", "rsa-3070.pss-sha384.sig");
    let scheme = SignatureScheme::RsaPss(Sha384);
    for backend in Backend::ALL {
        let provider = backend.provider();
        verify(&*provider, scheme, &key, &message, &sig)
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let mut altered = message.clone();
        altered[0] ^= 1;
        assert!(verify(&*provider, scheme, &key, &altered, &sig).is_err());
    }
    // One bit short of 2048 bits is still 256 bytes; 1024 bits is not.
    let sized = |bits| {
        PublicKey::Rsa {
            pkcs1: Vec::new(),
            bits,
        }
        .key_spec()
    };
    assert_eq!(sized(2047).unwrap(), KeySpec::Rsa2048);
    assert_eq!(sized(4089).unwrap(), KeySpec::Rsa4096);
    assert_eq!(
        sized(1023).unwrap_err().to_string(),
        "rsa key size 1024 bits is not supported"
    );
}
