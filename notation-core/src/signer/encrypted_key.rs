//! Encrypted PKCS #8 private keys (RFC 5958 `EncryptedPrivateKeyInfo`,
//! PBES2 of RFC 8018): which are read, and what the password derivation
//! of one may cost.
//!
//! The key file chooses how hard its password is to turn into a key (the
//! PBKDF2 iteration count, scrypt's N, r and p), so a broken or hostile file
//! could ask for a terabyte of memory or hours of work; these are refused
//! before anything is derived:
//! - PBKDF2: at most [`MAX_PBKDF2_ITERATIONS`] (on a 2-core virtual
//!   machine about 1 s with HMAC-SHA256, 2 s where the key takes two
//!   blocks of SHA-1 or SHA-224, 5 s with SHA-384 or SHA-512; OpenSSL
//!   writes 2048, current advice is up to a few hundred thousand);
//! - scrypt: at most [`MAX_SCRYPT_MEMORY`] of memory, OpenSSL's own bound
//!   for the keys it reads (`128 * r * (N + p + 2)` bytes), and at most
//!   [`MAX_SCRYPT_WORK`] for `N * r * p` (1 to 2 s on that machine).
//!
//! The limits on memory match OpenSSL's; a few keys OpenSSL writes with
//! extreme settings (scrypt at p 33 and more with N 16384 and r 8, PBKDF2
//! beyond ten million iterations) go beyond the others.
//!
//! PBES2 with AES and PBKDF2 (HMAC with SHA-1 or SHA-2) or scrypt is
//! decrypted. PBES1, the PKCS #12 schemes, DES and Triple DES, other key
//! derivations and functions, and OpenSSL's legacy PEM encryption are
//! refused with their names, not as a wrong password; all of it is read
//! from the raw parameters before the PKCS #5 decoder sees them.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, OctetStringRef, UintRef};
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
/// its `PrivateKeyInfo`, after checking, on the raw parameters and before
/// the PKCS #5 decoder sees them, that its scheme, key derivation and
/// cipher are read here and that its password derivation is within the
/// limits.
pub(super) fn decrypt(
    der: &[u8],
    password: Option<&[u8]>,
) -> Result<pkcs8::SecretDocument, SignerError> {
    let decoded = || pkcs8::EncryptedPrivateKeyInfoRef::from_der(der);
    let Some(algorithm) = encryption_algorithm(der) else {
        let error = decoded().err().map_or_else(String::new, |e| e.to_string());
        return Err(invalid(error));
    };
    check_algorithm(&algorithm)?;
    let info = decoded().map_err(|e| unreadable(&e))?;
    let password = password.ok_or(SignerError::PasswordRequired)?;
    info.decrypt(password).map_err(|e| match e {
        // The padding is wrong, or (about once in 300 wrong passwords) it
        // happens to be right and the bytes are not DER: both are a wrong
        // password, the structure around them having been read already.
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed) | pkcs8::Error::Asn1(_) => {
            SignerError::WrongPassword
        }
        e => invalid(format!("cannot decrypt it: {e}")),
    })
}

/// The ciphers of PBES2 read here.
const CIPHERS: [ObjectIdentifier; 5] = [
    pbes2::AES_128_CBC_OID,
    pbes2::AES_192_CBC_OID,
    pbes2::AES_256_CBC_OID,
    pbes2::AES_128_GCM_OID,
    pbes2::AES_256_GCM_OID,
];

/// The pseudorandom functions of PBKDF2 read here.
const PRFS: [ObjectIdentifier; 5] = [
    pbes2::HMAC_WITH_SHA1_OID,
    ObjectIdentifier::new_unwrap("1.2.840.113549.2.8"),
    pbes2::HMAC_WITH_SHA256_OID,
    ObjectIdentifier::new_unwrap("1.2.840.113549.2.10"),
    ObjectIdentifier::new_unwrap("1.2.840.113549.2.11"),
];

/// The scheme is PBES2 with a cipher and a key derivation read here, within
/// the limits.
fn check_algorithm(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<(), SignerError> {
    if algorithm.oid != pbes2::PBES2_OID {
        return Err(unsupported("", &algorithm.oid));
    }
    let parameters = algorithm
        .parameters
        .ok_or_else(|| invalid("its PBES2 parameters are missing".to_string()))?;
    let (kdf, cipher) = parameters
        .sequence(|r| {
            let kdf = AlgorithmIdentifierRef::decode(r)?;
            let cipher = AlgorithmIdentifierRef::decode(r)?;
            Ok::<_, der::Error>((kdf, cipher))
        })
        .map_err(|e| unreadable(&e))?;
    if !CIPHERS.contains(&cipher.oid) {
        return Err(unsupported("the cipher ", &cipher.oid));
    }
    let parameters = kdf
        .parameters
        .ok_or_else(|| invalid("its key derivation has no parameters".to_string()))?;
    match kdf.oid {
        pbes2::PBKDF2_OID => {
            let (iterations, prf) = parameters
                .sequence(pbkdf2_parameters)
                .map_err(|e| unreadable(&e))?;
            if !PRFS.contains(&prf) {
                return Err(unsupported("the PBKDF2 function ", &prf));
            }
            check_pbkdf2(iterations)
        }
        pbes2::SCRYPT_OID => {
            let (n, r, p) = parameters
                .sequence(scrypt_parameters)
                .map_err(|e| unreadable(&e))?;
            check_scrypt(n, r, p)
        }
        other => Err(unsupported("the key derivation ", &other)),
    }
}

/// `PBKDF2-params` (RFC 8018): the iteration count and the pseudorandom
/// function (HMAC-SHA1 when absent).
fn pbkdf2_parameters<'a>(r: &mut SliceReader<'a>) -> der::Result<(u128, ObjectIdentifier)> {
    // The salt: an octet string, or an algorithm identifier.
    AnyRef::decode(r)?;
    let iterations = number(r)?;
    if !r.is_finished() && der::Tag::peek(r)? == der::Tag::Integer {
        number(r)?;
    }
    let prf = if r.is_finished() {
        pbes2::HMAC_WITH_SHA1_OID
    } else {
        AlgorithmIdentifierRef::decode(r)?.oid
    };
    Ok((iterations, prf))
}

/// `scrypt-params` (RFC 7914): N, r and p.
fn scrypt_parameters<'a>(r: &mut SliceReader<'a>) -> der::Result<(u128, u128, u128)> {
    <&OctetStringRef as Decode>::decode(r)?;
    let n = number(r)?;
    let block_size = number(r)?;
    let parallelization = number(r)?;
    if !r.is_finished() {
        number(r)?;
    }
    Ok((n, block_size, parallelization))
}

/// A non-negative INTEGER, at most `u128::MAX` (larger ones read as that).
fn number(r: &mut SliceReader<'_>) -> der::Result<u128> {
    let value = UintRef::decode(r)?;
    let bytes = value.as_bytes();
    if bytes.len() > 16 {
        return Ok(u128::MAX);
    }
    Ok(bytes.iter().fold(0, |n, b| (n << 8) | u128::from(*b)))
}

fn check_pbkdf2(iterations: u128) -> Result<(), SignerError> {
    if iterations == 0 || iterations > u128::from(MAX_PBKDF2_ITERATIONS) {
        return Err(invalid(format!(
            "its password derivation asks for PBKDF2 with {} iterations \
             (from 1 to {MAX_PBKDF2_ITERATIONS} are accepted)",
            shown(iterations)
        )));
    }
    Ok(())
}

fn check_scrypt(n: u128, r: u128, p: u128) -> Result<(), SignerError> {
    let asked = format!(
        "its password derivation asks for scrypt with N={}, r={}, p={}",
        shown(n),
        shown(r),
        shown(p)
    );
    if n < 2 || !n.is_power_of_two() || !(1..=0xffff).contains(&r) || !(1..=0xffff).contains(&p) {
        return Err(invalid(format!(
            "{asked}: N must be a power of two above 1, r and p from 1 to 65535"
        )));
    }
    let memory = 128u128
        .saturating_mul(r)
        .saturating_mul(n.saturating_add(p).saturating_add(2));
    if memory > u128::from(MAX_SCRYPT_MEMORY) {
        return Err(invalid(format!(
            "{asked}, {} bytes of memory (at most {MAX_SCRYPT_MEMORY} are accepted)",
            shown(memory)
        )));
    }
    let work = n.saturating_mul(r).saturating_mul(p);
    if work > u128::from(MAX_SCRYPT_WORK) {
        return Err(invalid(format!(
            "{asked}, N*r*p = {} (at most {MAX_SCRYPT_WORK} is accepted)",
            shown(work)
        )));
    }
    Ok(())
}

/// A number as read, or that it is beyond `u128`.
fn shown(n: u128) -> String {
    if n == u128::MAX {
        format!("more than {}", u128::MAX - 1)
    } else {
        n.to_string()
    }
}

/// The PBES2 parameters that the raw reading or the PKCS #5 decoder
/// cannot read.
fn unreadable(error: &dyn std::fmt::Display) -> SignerError {
    invalid(format!("its PBES2 parameters cannot be read: {error}"))
}

const REENCRYPT: &str =
    "re-encrypt it with PBES2 and AES, as `openssl pkcs8 -topk8 -v2 aes-256-cbc` does";

/// OpenSSL's legacy PEM encryption (RFC 1421 headers `Proc-Type:
/// 4,ENCRYPTED` and `DEK-Info` in a `RSA PRIVATE KEY` or `EC PRIVATE KEY`
/// block, as `openssl ec -aes256` writes), which is not read: its refusal.
pub(super) fn legacy_pem_encryption(pem: &[u8]) -> Option<SignerError> {
    const HEADER: &[u8] = b"Proc-Type: 4,ENCRYPTED";
    pem.windows(HEADER.len()).any(|w| w == HEADER).then(|| {
        invalid(format!(
            "it is encrypted with OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED), \
             which is not supported; {REENCRYPT}"
        ))
    })
}

/// A scheme, or (`what`) a cipher, key derivation or function, that is not
/// read here, by name.
fn unsupported(what: &str, oid: &ObjectIdentifier) -> SignerError {
    invalid(format!(
        "it is encrypted with {what}{}, which is not supported; {REENCRYPT}",
        name(oid)
    ))
}

/// The names of the schemes and ciphers that key files are found
/// encrypted with and that are not read here (RFC 8018, RFC 7292). A table
/// of its own: const-oid's database would add 200 KB to every program.
const REFUSED_NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.5.1", "pbeWithMD2AndDES-CBC"),
    ("1.2.840.113549.1.5.3", "pbeWithMD5AndDES-CBC"),
    ("1.2.840.113549.1.5.4", "pbeWithMD2AndRC2-CBC"),
    ("1.2.840.113549.1.5.6", "pbeWithMD5AndRC2-CBC"),
    ("1.2.840.113549.1.5.10", "pbeWithSHA1AndDES-CBC"),
    ("1.2.840.113549.1.5.11", "pbeWithSHA1AndRC2-CBC"),
    ("1.2.840.113549.1.12.1.1", "pbeWithSHAAnd128BitRC4"),
    ("1.2.840.113549.1.12.1.2", "pbeWithSHAAnd40BitRC4"),
    ("1.2.840.113549.1.12.1.3", "pbeWithSHAAnd3-KeyTripleDES-CBC"),
    ("1.2.840.113549.1.12.1.4", "pbeWithSHAAnd2-KeyTripleDES-CBC"),
    ("1.2.840.113549.1.12.1.5", "pbeWithSHAAnd128BitRC2-CBC"),
    ("1.2.840.113549.1.12.1.6", "pbeWithSHAAnd40BitRC2-CBC"),
    ("1.2.840.113549.3.2", "rc2-cbc"),
    ("1.2.840.113549.3.7", "des-ede3-cbc"),
    ("1.3.14.3.2.7", "desCBC"),
];

fn name(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    match REFUSED_NAMES.iter().find(|(o, _)| *o == dotted) {
        Some((_, name)) => format!("{name} ({dotted})"),
        None => dotted,
    }
}

fn invalid(reason: String) -> SignerError {
    SignerError::InvalidKey(format!("encrypted private key: {reason}"))
}

#[cfg(test)]
mod tests;
