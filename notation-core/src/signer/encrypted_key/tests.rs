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
    pbes2_key_with(kdf, pbes2::AES_256_CBC_OID, &[0; 16])
}

/// As [`pbes2_key`], with `cipher` and its `iv`.
fn pbes2_key_with(kdf: Vec<u8>, cipher: ObjectIdentifier, iv: &[u8]) -> Vec<u8> {
    let cipher = seq(&[oid(cipher), octets(iv)]);
    let scheme = seq(&[oid(pbes2::PBES2_OID), seq(&[kdf, cipher])]);
    seq(&[scheme, octets(&[0; 144])])
}

fn pbkdf2(iterations: u64) -> Vec<u8> {
    pbkdf2_with(int(iterations), Some(pbes2::HMAC_WITH_SHA256_OID))
}

/// PBKDF2 with the encoded `iterations` and `prf` (none: the default,
/// HMAC-SHA1).
fn pbkdf2_with(iterations: Vec<u8>, prf: Option<ObjectIdentifier>) -> Vec<u8> {
    let mut parameters = vec![octets(&[1; 8]), iterations];
    parameters.extend(prf.map(|prf| seq(&[oid(prf), tlv(0x05, &[])])));
    seq(&[oid(pbes2::PBKDF2_OID), seq(&parameters)])
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
        crate::signer::tests::assert_signs(&signer);
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
fn schemes_that_are_not_read_are_refused_by_name_not_as_a_wrong_password() {
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
        (
            "ec-256.encrypted-pbes1.der",
            "pbeWithSHAAnd3-KeyTripleDES-CBC (1.2.840.113549.1.12.1.3)",
        ),
        (
            "ec-256.legacy-encrypted.pem",
            "OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED)",
        ),
    ] {
        // The CLI reads a password for what is encrypted in PKCS #8; the
        // legacy form is refused without one.
        assert_eq!(
            LocalSigner::key_file_is_encrypted(&pki(key)).unwrap(),
            !key.contains("legacy"),
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
    let asked = "invalid signing key: encrypted private key: its password derivation asks for";
    let iterations =
        |n: &str| format!("{asked} PBKDF2 with {n} iterations (from 1 to 10000000 are accepted)");
    let shape = |n: u64, r: u64, p: u64| {
        format!(
            "{asked} scrypt with N={n}, r={r}, p={p}: N must be a power of two above 1, \
             r and p from 1 to 65535"
        )
    };
    let memory = |n: u64, r: u64, p: u64, bytes: u128| {
        format!(
            "{asked} scrypt with N={n}, r={r}, p={p}, {bytes} bytes of memory \
             (at most 33554432 are accepted)"
        )
    };
    let work = |n: u64, r: u64, p: u64| {
        format!(
            "{asked} scrypt with N={n}, r={r}, p={p}, N*r*p = {} (at most 4194304 is \
             accepted)",
            n * r * p
        )
    };
    let mut huge = vec![0x01];
    huge.extend([0; 20]);
    let cases = [
        (pbkdf2(0), iterations("0")),
        (pbkdf2(10_000_001), iterations("10000001")),
        (pbkdf2(u64::from(u32::MAX)), iterations("4294967295")),
        // Beyond what the PKCS #5 decoder reads: still the limit's words.
        (pbkdf2(1 << 32), iterations("4294967296")),
        (
            pbkdf2_with(tlv(0x02, &huge), None),
            iterations(&format!("more than {}", u128::MAX - 1)),
        ),
        // N = 0 made the decoder panic, N = 2^40 asked for 128 TiB.
        (scrypt(0, 8, 1), shape(0, 8, 1)),
        (scrypt(1, 8, 1), shape(1, 8, 1)),
        (scrypt(3, 8, 1), shape(3, 8, 1)),
        (scrypt(1024, 0, 1), shape(1024, 0, 1)),
        (scrypt(1024, 8, 0), shape(1024, 8, 0)),
        (scrypt(1024, 65536, 1), shape(1024, 65536, 1)),
        (scrypt(1024, 1, 65536), shape(1024, 1, 65536)),
        (
            scrypt(1 << 40, 8, 1),
            memory(1 << 40, 8, 1, 128 * 8 * ((1 << 40) + 3)),
        ),
        // OpenSSL's bound: N = 32768 with r = 8 is just over 32 MiB.
        (
            scrypt(32768, 8, 1),
            memory(32768, 8, 1, 128 * 8 * (32768 + 3)),
        ),
        // Within the memory, too much work: 1000 passes.
        (scrypt(16384, 8, 1000), work(16384, 8, 1000)),
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
fn ciphers_and_functions_that_are_not_read_are_named_before_the_decoder_sees_them() {
    let refused = |what: &str| {
        format!(
            "invalid signing key: encrypted private key: it is encrypted with {what}, which \
             is not supported; re-encrypt it with PBES2 and AES, as `openssl pkcs8 -topk8 \
             -v2 aes-256-cbc` does"
        )
    };
    let md5 = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");
    let cases = [
        // Triple DES with a 2-byte IV: the PKCS #5 decoder, built with DES,
        // would index past it.
        (
            pbes2_key_with(
                pbkdf2(2048),
                ObjectIdentifier::new_unwrap("1.2.840.113549.3.7"),
                &[0; 2],
            ),
            refused("the cipher des-ede3-cbc (1.2.840.113549.3.7)"),
        ),
        (
            pbes2_key_with(
                pbkdf2(2048),
                ObjectIdentifier::new_unwrap("1.3.14.3.2.7"),
                &[0; 8],
            ),
            refused("the cipher desCBC (1.3.14.3.2.7)"),
        ),
        (
            pbes2_key(pbkdf2_with(int(2048), Some(md5))),
            refused("the PBKDF2 function 1.2.840.113549.2.5"),
        ),
        (
            pbes2_key(seq(&[oid(md5), seq(&[])])),
            refused("the key derivation 1.2.840.113549.2.5"),
        ),
    ];
    for (der, expected) in cases {
        let err = load(&der).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn the_limits_at_their_edges() {
    // OpenSSL's defaults and the bounds themselves are accepted; one past
    // each is not.
    check_pbkdf2(2048).unwrap();
    check_pbkdf2(u128::from(MAX_PBKDF2_ITERATIONS)).unwrap();
    check_pbkdf2(u128::from(MAX_PBKDF2_ITERATIONS) + 1).unwrap_err();
    check_scrypt(16384, 8, 1).unwrap();
    check_scrypt(16384, 8, 32).unwrap();
    check_scrypt(16384, 8, 33).unwrap_err();
    check_scrypt(2, 1, 1).unwrap();
    // Exactly 32 MiB, as OpenSSL, and one more p.
    check_scrypt(32, 4096, 30).unwrap();
    check_scrypt(32, 4096, 31).unwrap_err();
    check_scrypt(1 << 18, 1, 1).unwrap_err();
}

#[test]
fn a_right_padding_over_bytes_that_are_not_a_key_is_a_wrong_password() {
    // About one wrong password in 300 gives valid CBC padding over bytes
    // that are not DER; made here on purpose with the right password.
    let parameters =
        pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(1, &[1; 8], [0; 16]).unwrap();
    let ciphertext = parameters.encrypt(password(), b"not DER").unwrap();
    let scheme = der::Encode::to_der(&pkcs5::EncryptionScheme::Pbes2(parameters)).unwrap();
    let der = seq(&[scheme, octets(&ciphertext)]);
    let err = load(&der).unwrap_err();
    assert!(matches!(err, SignerError::WrongPassword), "{err}");
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
