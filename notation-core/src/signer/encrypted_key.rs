//! Encrypted PKCS #8 private keys (RFC 5958 `EncryptedPrivateKeyInfo`,
//! PBES2 of RFC 8018): which are read, and what the password derivation
//! of one may cost.
//!
//! The key file chooses how hard its password is to turn into a key (the
//! PBKDF2 iteration count, scrypt's N, r and p), so a broken or hostile file
//! could ask for a terabyte of memory or hours of work; these are refused
//! before anything is derived:
//! - PBKDF2: at most [`MAX_PBKDF2_ITERATIONS`] (about 1.5 s on a 2-core
//!   virtual machine; OpenSSL writes 2048, current advice is up to a few
//!   hundred thousand);
//! - scrypt: at most [`MAX_SCRYPT_MEMORY`] of memory, OpenSSL's own bound
//!   for the keys it reads (`128 * r * (N + p + 2)` bytes), and at most
//!   [`MAX_SCRYPT_WORK`] for `N * r * p` (1 to 2 s on that machine).
//!
//! PBES2 with AES (CBC or GCM) and PBKDF2 (HMAC with SHA-1 or SHA-2) or
//! scrypt is decrypted; PBES1, PKCS #12 schemes and DES are refused with
//! their names, not as a wrong password.

use const_oid::ObjectIdentifier;
use der::asn1::OctetStringRef;
use der::{Decode, Reader, SliceReader};
use pkcs8::pkcs5::{self, pbes2};
use spki::AlgorithmIdentifierRef;

use super::SignerError;

/// The most PBKDF2 iterations a key file may ask for.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// The most memory scrypt may use for a key file (OpenSSL's bound).
pub const MAX_SCRYPT_MEMORY: u64 = 32 * 1024 * 1024;

/// The largest `N * r * p` scrypt may be asked for: 32 times the cost
/// OpenSSL's `-scrypt` writes (N 16384, r 8, p 1).
pub const MAX_SCRYPT_WORK: u64 = 1 << 22;

/// The arcs of PKCS #5 (`1.2.840.113549.1.5`, PBES1, PBES2) and of the
/// PKCS #12 password-based schemes (`1.2.840.113549.1.12.1`), as DER.
const PKCS5_ARCS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05];
const PKCS12_PBE_ARCS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01];

/// The password-based encryption scheme of `der` when it is an
/// `EncryptedPrivateKeyInfo` (a sequence of an algorithm identifier under
/// PKCS #5 or PKCS #12 and an octet string), whether or not the scheme is
/// one that is read here.
pub(super) fn encryption_scheme(der: &[u8]) -> Option<ObjectIdentifier> {
    let oid = encryption_algorithm(der)?.oid;
    let arcs = oid.as_bytes();
    (arcs.starts_with(PKCS5_ARCS) || arcs.starts_with(PKCS12_PBE_ARCS)).then_some(oid)
}

/// The algorithm identifier of `der` when it is a sequence of an
/// algorithm identifier and an octet string, and nothing after it.
fn encryption_algorithm(der: &[u8]) -> Option<AlgorithmIdentifierRef<'_>> {
    let mut reader = SliceReader::new(der).ok()?;
    let algorithm = reader
        .sequence(|r| {
            let algorithm = AlgorithmIdentifierRef::decode(r)?;
            <&OctetStringRef as Decode>::decode(r)?;
            Ok::<_, der::Error>(algorithm)
        })
        .ok()?;
    reader.finish().ok()?;
    Some(algorithm)
}

/// Decrypts an `EncryptedPrivateKeyInfo` with `password` into the DER of
/// its `PrivateKeyInfo`, after checking that its scheme is read here and
/// that its password derivation is within the limits.
pub(super) fn decrypt(
    der: &[u8],
    password: Option<&[u8]>,
) -> Result<pkcs8::SecretDocument, SignerError> {
    let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| unreadable(der, e))?;
    check_scheme(&info.encryption_algorithm)?;
    let password = password.ok_or(SignerError::PasswordRequired)?;
    info.decrypt(password).map_err(|e| match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed) => {
            SignerError::WrongPassword
        }
        e => invalid(format!("cannot decrypt it: {e}")),
    })
}

/// The scheme is PBES2, and its password derivation is within the limits.
fn check_scheme(scheme: &pkcs5::EncryptionScheme) -> Result<(), SignerError> {
    let pkcs5::EncryptionScheme::Pbes2(parameters) = scheme else {
        return Err(unsupported_scheme(&scheme.oid()));
    };
    match &parameters.kdf {
        pbes2::Kdf::Pbkdf2(p) => check_pbkdf2(p.iteration_count),
        pbes2::Kdf::Scrypt(s) => check_scrypt(
            s.cost_parameter,
            u64::from(s.block_size),
            u64::from(s.parallelization),
        ),
        other => Err(invalid(format!(
            "it is encrypted with the key derivation {}, which is not supported; {REENCRYPT}",
            name(&other.oid())
        ))),
    }
}

fn check_pbkdf2(iterations: u32) -> Result<(), SignerError> {
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(invalid(format!(
            "its password derivation asks for PBKDF2 with {iterations} iterations \
             (from 1 to {MAX_PBKDF2_ITERATIONS} are accepted)"
        )));
    }
    Ok(())
}

fn check_scrypt(n: u64, r: u64, p: u64) -> Result<(), SignerError> {
    let asked = || format!("its password derivation asks for scrypt with N={n}, r={r}, p={p}");
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return Err(invalid(format!(
            "{}: N must be a power of two above 1, r and p at least 1",
            asked()
        )));
    }
    // Each factor fits in 64 bits; their products are taken in 128.
    let memory = 128 * u128::from(r) * (u128::from(n) + u128::from(p) + 2);
    let work = u128::from(n) * u128::from(r) * u128::from(p);
    if memory > u128::from(MAX_SCRYPT_MEMORY) || work > u128::from(MAX_SCRYPT_WORK) {
        return Err(invalid(format!(
            "{} ({memory} bytes of memory; at most {MAX_SCRYPT_MEMORY} bytes \
             and N*r*p at most {MAX_SCRYPT_WORK} are accepted)",
            asked()
        )));
    }
    Ok(())
}

/// Why an encrypted key that its decoder refuses cannot be read: its
/// scheme, cipher or key derivation by name where one of them is not read
/// here, or the decoder's error.
fn unreadable(der: &[u8], error: der::Error) -> SignerError {
    let Some(scheme) = encryption_scheme(der) else {
        return invalid(format!("encrypted private key: {error}"));
    };
    if scheme != pbes2::PBES2_OID {
        return unsupported_scheme(&scheme);
    }
    let unsupported = pbes2_algorithms(der).and_then(|(kdf, cipher)| {
        let kdf_read = [pbes2::PBKDF2_OID, pbes2::SCRYPT_OID].contains(&kdf);
        let cipher_read = [
            pbes2::AES_128_CBC_OID,
            pbes2::AES_192_CBC_OID,
            pbes2::AES_256_CBC_OID,
            pbes2::AES_128_GCM_OID,
            pbes2::AES_256_GCM_OID,
        ]
        .contains(&cipher);
        match (kdf_read, cipher_read) {
            (false, _) => Some(("key derivation", kdf)),
            (_, false) => Some(("cipher", cipher)),
            _ => None,
        }
    });
    match unsupported {
        Some((what, oid)) => invalid(format!(
            "it is encrypted with the {what} {}, which is not supported; {REENCRYPT}",
            name(&oid)
        )),
        None => invalid(format!("its PBES2 parameters cannot be read: {error}")),
    }
}

/// The key derivation and cipher identifiers of a PBES2
/// `EncryptedPrivateKeyInfo`.
fn pbes2_algorithms(der: &[u8]) -> Option<(ObjectIdentifier, ObjectIdentifier)> {
    encryption_algorithm(der)?
        .parameters?
        .sequence(|r| {
            let kdf = AlgorithmIdentifierRef::decode(r)?;
            let cipher = AlgorithmIdentifierRef::decode(r)?;
            Ok::<_, der::Error>((kdf.oid, cipher.oid))
        })
        .ok()
}

const REENCRYPT: &str =
    "re-encrypt it with PBES2 and AES, as `openssl pkcs8 -topk8 -v2 aes-256-cbc` does";

fn unsupported_scheme(oid: &ObjectIdentifier) -> SignerError {
    invalid(format!(
        "it is encrypted with {}, which is not supported; {REENCRYPT}",
        name(oid)
    ))
}

fn name(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

fn invalid(reason: String) -> SignerError {
    SignerError::InvalidKey(format!("encrypted private key: {reason}"))
}

#[cfg(test)]
mod tests;
