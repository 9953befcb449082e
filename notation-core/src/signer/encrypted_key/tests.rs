//! Encrypted key files: the schemes read, the ones refused by name, and the
//! limits on the password derivation a file may ask for (hardening: no
//! panic, no unbounded memory or time from a key file).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;
use crate::signer::{LocalSigner, Signer};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

fn password() -> Vec<u8> {
    std::fs::read(pki("encrypted-key.password")).unwrap()
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if body.len() < 128 {
        out.push(body.len() as u8);
    } else {
        let len = (body.len() as u32).to_be_bytes();
        let skip = len.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&len[skip..]);
    }
    out.extend_from_slice(body);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn int(v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut body = bytes[skip..].to_vec();
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    tlv(0x02, &body)
}

fn oid(oid: ObjectIdentifier) -> Vec<u8> {
    tlv(0x06, oid.as_bytes())
}

fn octets(body: &[u8]) -> Vec<u8> {
    tlv(0x04, body)
}

/// An `EncryptedPrivateKeyInfo` with PBES2, `kdf` and AES-256-CBC, and a
/// ciphertext that no password decrypts.
fn pbes2_key(kdf: Vec<u8>) -> Vec<u8> {
    let cipher = seq(&[oid(pbes2::AES_256_CBC_OID), octets(&[0; 16])]);
    let scheme = seq(&[oid(pbes2::PBES2_OID), seq(&[kdf, cipher])]);
    seq(&[scheme, octets(&[0; 144])])
}

fn pbkdf2(iterations: u64) -> Vec<u8> {
    let prf = seq(&[oid(pbes2::HMAC_WITH_SHA256_OID), tlv(0x05, &[])]);
    seq(&[
        oid(pbes2::PBKDF2_OID),
        seq(&[octets(&[1; 8]), int(iterations), prf]),
    ])
}

fn scrypt(n: u64, r: u64, p: u64) -> Vec<u8> {
    seq(&[
        oid(pbes2::SCRYPT_OID),
        seq(&[octets(&[1; 8]), int(n), int(r), int(p)]),
    ])
}

fn load(key: &[u8]) -> Result<LocalSigner, SignerError> {
    let chain = std::fs::read(pki("ec-384.chain.pem")).unwrap();
    LocalSigner::from_pem_with_password(key, &chain, Some(&password()))
}

#[test]
fn pbkdf2_over_hmac_sha1_and_scrypt_keys_load() {
    // As `openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1` and
    // `-scrypt` write them (testdata/pki/make-pki.sh).
    let plain = LocalSigner::from_files(&pki("ec-384.key"), &pki("ec-384.chain.pem")).unwrap();
    for key in ["ec-384.encrypted-sha1.der", "ec-384.encrypted-scrypt.pem"] {
        assert!(
            LocalSigner::key_file_is_encrypted(&pki(key)).unwrap(),
            "{key}"
        );
        let signer = LocalSigner::from_files_with_password(
            &pki(key),
            &pki("ec-384.chain.pem"),
            Some(&password()),
        )
        .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(signer.key_spec().unwrap(), plain.key_spec().unwrap());
        let (signature, chain) = signer.sign(b"data").unwrap();
        let scheme = crate::crypto::SignatureScheme::for_envelope(
            signer.key_spec().unwrap().signature_algorithm(),
        );
        crate::crypto::default_provider()
            .verify(scheme, chain[0].public_key(), b"data", &signature)
            .unwrap();
        let err = LocalSigner::from_files_with_password(
            &pki(key),
            &pki("ec-384.chain.pem"),
            Some(b"wrong"),
        )
        .unwrap_err();
        assert!(matches!(err, SignerError::WrongPassword), "{key}: {err}");
    }
}

#[test]
fn triple_des_and_pbes1_keys_are_refused_by_name_not_as_a_wrong_password() {
    let chain = pki("ec-256.chain.pem");
    for (key, named) in [
        (
            "ec-256.encrypted-3des.pem",
            "the cipher des-ede3-cbc (1.2.840.113549.3.7)",
        ),
        (
            "ec-256.encrypted-pbes1.pem",
            "pbeWithSHAAnd3-KeyTripleDES-CBC (1.2.840.113549.1.12.1.3)",
        ),
    ] {
        assert!(
            LocalSigner::key_file_is_encrypted(&pki(key)).unwrap(),
            "{key}"
        );
        let expected = format!(
            "invalid signing key: encrypted private key: it is encrypted with {named}, \
             which is not supported; re-encrypt it with PBES2 and AES, as \
             `openssl pkcs8 -topk8 -v2 aes-256-cbc` does"
        );
        // With the right password and without one alike: the password
        // could not help.
        for password in [Some(&password()[..]), None] {
            let err =
                LocalSigner::from_files_with_password(&pki(key), &chain, password).unwrap_err();
            assert!(matches!(err, SignerError::InvalidKey(_)), "{key}: {err}");
            assert_eq!(err.to_string(), expected, "{key}");
        }
    }
}

#[test]
fn password_derivations_beyond_the_limits_are_refused_before_any_work() {
    let iterations = |n: u64| {
        format!(
            "invalid signing key: encrypted private key: its password derivation asks for \
             PBKDF2 with {n} iterations (from 1 to 10000000 are accepted)"
        )
    };
    let scrypt_text = |n: u64, r: u64, p: u64, memory: u128| {
        format!(
            "invalid signing key: encrypted private key: its password derivation asks for \
             scrypt with N={n}, r={r}, p={p} ({memory} bytes of memory; at most 33554432 \
             bytes and N*r*p at most 4194304 are accepted)"
        )
    };
    let shape = |n: u64, r: u64, p: u64| {
        format!(
            "invalid signing key: encrypted private key: its password derivation asks for \
             scrypt with N={n}, r={r}, p={p}: N must be a power of two above 1, r and p at \
             least 1"
        )
    };
    let cases = [
        (pbkdf2(0), iterations(0)),
        (pbkdf2(10_000_001), iterations(10_000_001)),
        (pbkdf2(u64::from(u32::MAX)), iterations(u64::from(u32::MAX))),
        // N = 0 made the decoder panic, N = 2^40 asked for 128 TiB.
        (scrypt(0, 8, 1), shape(0, 8, 1)),
        (scrypt(1, 8, 1), shape(1, 8, 1)),
        (scrypt(3, 8, 1), shape(3, 8, 1)),
        (scrypt(1024, 0, 1), shape(1024, 0, 1)),
        (scrypt(1024, 8, 0), shape(1024, 8, 0)),
        (
            scrypt(1 << 40, 8, 1),
            scrypt_text(1 << 40, 8, 1, 128 * 8 * ((1 << 40) + 3)),
        ),
        // OpenSSL's bound: N = 32768 with r = 8 is just over 32 MiB.
        (
            scrypt(32768, 8, 1),
            scrypt_text(32768, 8, 1, 128 * 8 * (32768 + 3)),
        ),
        // Within the memory, too much work: 1000 passes.
        (
            scrypt(16384, 8, 1000),
            scrypt_text(16384, 8, 1000, 128 * 8 * (16384 + 1000 + 2)),
        ),
    ];
    for (key, expected) in cases {
        let der = pbes2_key(key);
        assert!(encryption_scheme(&der).is_some());
        let started = Instant::now();
        let err = load(&der).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "{expected}");
        assert!(matches!(err, SignerError::InvalidKey(_)), "{err}");
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn the_limits_admit_what_openssl_writes_and_reads() {
    // OpenSSL's defaults, its largest scrypt N at r = 8, and the bounds.
    check_pbkdf2(2048).unwrap();
    check_pbkdf2(MAX_PBKDF2_ITERATIONS).unwrap();
    check_scrypt(16384, 8, 1).unwrap();
    check_scrypt(16384, 8, 32).unwrap();
    check_scrypt(2, 1, 1).unwrap();
    check_scrypt(1 << 17, 1, 32).unwrap();
    check_scrypt(1 << 17, 1, 33).unwrap_err();
    check_scrypt(1 << 18, 1, 1).unwrap_err();
}

#[test]
fn within_the_limits_a_wrong_ciphertext_is_a_wrong_password() {
    // The derivation runs (a small one), then the padding check fails.
    for kdf in [pbkdf2(1), scrypt(1024, 1, 1)] {
        let err = load(&pbes2_key(kdf)).unwrap_err();
        assert!(matches!(err, SignerError::WrongPassword), "{err}");
    }
}

#[test]
fn what_is_not_an_encrypted_key_is_not_taken_for_one() {
    let plain = std::fs::read(pki("rsa-3072.pkcs8.der")).unwrap();
    assert_eq!(encryption_scheme(&plain), None);
    // An algorithm outside PKCS #5 and PKCS #12, then an octet string.
    let other = seq(&[
        seq(&[oid(pbes2::AES_256_CBC_OID), octets(&[0; 16])]),
        octets(&[0; 16]),
    ]);
    assert_eq!(encryption_scheme(&other), None);
    // Trailing bytes after the sequence.
    let mut trailing = pbes2_key(pbkdf2(2048));
    trailing.push(0);
    assert_eq!(encryption_scheme(&trailing), None);
}
