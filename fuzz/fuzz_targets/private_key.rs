//! Parses arbitrary bytes as a private key file, as `key add` and signing
//! read `signingkeys.json`'s `keyPath`: PEM or DER, PKCS #8, SEC1, PKCS #1
//! and encrypted PKCS #8, whose password derivation (PBKDF2, scrypt) the
//! file itself parameterizes. Any input must give a typed error or a key
//! that signs, never a panic, and no derivation beyond the limits.
//!
//! The first byte selects the certificate the key must match (ECDSA P-256,
//! P-384, P-521, RSA-2048), the rest is the key file, tried without a
//! password and with the test password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_core::signer::PrivateKey;
use notation_core::x509::Certificate;

const CERTIFICATES: [&[u8]; 4] = [
    include_bytes!("../../testdata/pki/ec-256.crt"),
    include_bytes!("../../testdata/pki/ec-384.crt"),
    include_bytes!("../../testdata/pki/ec-521.crt"),
    include_bytes!("../../testdata/pki/rsa-2048.crt"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, key)) = data.split_first() else {
        return;
    };
    let leaf = Certificate::parse_many(CERTIFICATES[usize::from(selector) % 4]).unwrap();
    for password in [None, Some(&b"notation-test-password"[..])] {
        if let Ok(key) =
            PrivateKey::from_bytes_for_certificate_with_password(key, &leaf[0], password)
        {
            key.sign(b"data").unwrap();
        }
    }
});
