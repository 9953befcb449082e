//! A certificate's public key checked as Go's certificate parser checks it
//! (`parsePublicKey`, for the algorithms Go's parser knows), so that a
//! certificate the reference refuses for its key is refused here too, with
//! its text: an RSA key without NULL parameters or with a modulus or
//! exponent that is not a positive minimal INTEGER, an ECDSA key on a curve
//! Go does not know or not in uncompressed form, an Ed25519 key with
//! parameters or of the wrong size, a DSA key with malformed parameters.
//! Keys of other algorithms (X25519 among them) are left alone, as Go
//! leaves them.
//!
//! One check is not made: whether an elliptic-curve point lies on its curve
//! (Go checks it while parsing); such a key fails when it is used.

use der::asn1::AnyRef;
use der::{Reader, SliceReader, Tag, Tagged};
use spki::SubjectPublicKeyInfoRef;

use super::Refusal;
use crate::asn1util::{Element, SequenceTag, Tlv, is_go_oid};
use crate::oid;

/// Checks a certificate's SubjectPublicKeyInfo as Go's parser does.
pub(crate) fn check(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<(), Refusal> {
    let algorithm = spki.algorithm.oid.as_bytes();
    let params = spki.algorithm.parameters.as_ref();
    // Go right-aligns a BIT STRING with unused bits; the key parsers of
    // this crate refuse one, as malformed, after this check.
    let Some(key) = spki.subject_public_key.as_bytes() else {
        return Ok(());
    };
    if algorithm == oid::RSA_ENCRYPTION.as_bytes() {
        rsa(params, key)
    } else if algorithm == oid::EC_PUBLIC_KEY.as_bytes() {
        ecdsa(params, key)
    } else if algorithm == oid::ED25519.as_bytes() {
        if params.is_some() {
            return Err("x509: Ed25519 key encoded with illegal parameters");
        }
        if key.len() != 32 {
            return Err("x509: wrong Ed25519 public key size");
        }
        Ok(())
    } else if algorithm == oid::DSA.as_bytes() {
        dsa(params, key)
    } else {
        Ok(())
    }
}

fn rsa(params: Option<&AnyRef<'_>>, key: &[u8]) -> Result<(), Refusal> {
    if !params.is_some_and(|p| p.tag() == Tag::Null && p.value().is_empty()) {
        return Err("x509: RSA key missing NULL parameters");
    }
    // `der.ReadASN1(&der, SEQUENCE)`: what follows the SEQUENCE, and what
    // follows the exponent inside it, is not read.
    let mut outer = SliceReader::new(key).map_err(|_| "x509: invalid RSA public key")?;
    let sequence: Element<'_, SequenceTag> =
        outer.decode().map_err(|_| "x509: invalid RSA public key")?;
    let mut fields = sequence
        .reader()
        .map_err(|_| "x509: invalid RSA public key")?;
    let modulus = go_integer(&mut fields).ok_or("x509: invalid RSA modulus")?;
    let exponent = go_integer(&mut fields)
        .filter(|e| e.len() <= 8)
        .ok_or("x509: invalid RSA public exponent")?;
    if !is_positive(modulus) {
        return Err("x509: RSA modulus is not a positive number");
    }
    if !is_positive(exponent) {
        return Err("x509: RSA public exponent is not a positive number");
    }
    Ok(())
}

fn ecdsa(params: Option<&AnyRef<'_>>, key: &[u8]) -> Result<(), Refusal> {
    let curve = params
        .filter(|p| p.tag() == Tag::ObjectIdentifier && is_go_oid(p.value()))
        .ok_or("x509: invalid ECDSA parameters")?
        .value();
    let field_len = [
        (oid::SECP224R1.as_bytes(), 28),
        (oid::SECP256R1.as_bytes(), 32),
        (oid::SECP384R1.as_bytes(), 48),
        (oid::SECP521R1.as_bytes(), 66),
    ]
    .into_iter()
    .find_map(|(c, len)| (c == curve).then_some(len))
    .ok_or("x509: unsupported elliptic curve")?;
    if key.len() != 1 + 2 * field_len || key[0] != 4 {
        return Err("x509: failed to unmarshal elliptic curve point");
    }
    Ok(())
}

fn dsa(params: Option<&AnyRef<'_>>, key: &[u8]) -> Result<(), Refusal> {
    let mut y = SliceReader::new(key).map_err(|_| "x509: invalid DSA public key")?;
    let y = go_integer(&mut y).ok_or("x509: invalid DSA public key")?;
    let invalid = "x509: invalid DSA parameters";
    let params = params.filter(|p| p.tag() == Tag::Sequence).ok_or(invalid)?;
    let mut fields = SliceReader::new(params.value()).map_err(|_| invalid)?;
    let (p, q, g) = (
        go_integer(&mut fields).ok_or(invalid)?,
        go_integer(&mut fields).ok_or(invalid)?,
        go_integer(&mut fields).ok_or(invalid)?,
    );
    if [y, p, q, g].into_iter().all(is_positive) {
        Ok(())
    } else {
        Err("x509: zero or negative DSA parameter")
    }
}

/// The contents of the INTEGER at the head of `reader`, when Go's
/// cryptobyte reads one there (`ReadASN1Integer`): not empty, and in the
/// fewest octets.
fn go_integer<'a>(reader: &mut SliceReader<'a>) -> Option<&'a [u8]> {
    let integer: Tlv<'a> = reader.decode().ok()?;
    let b = integer.contents();
    let minimal = match b {
        [] => false,
        [0x00, next, ..] => next & 0x80 != 0,
        [0xff, next, ..] => next & 0x80 == 0,
        _ => true,
    };
    (integer.tag() == Tag::Integer && minimal).then_some(b)
}

/// Whether a minimal two's-complement INTEGER is above zero.
fn is_positive(b: &[u8]) -> bool {
    b[0] & 0x80 == 0 && b.iter().any(|&x| x != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        crate::hex::decode(s).unwrap()
    }

    /// A SubjectPublicKeyInfo of `algorithm` (its SEQUENCE's contents, hex)
    /// and `key` (the BIT STRING's bytes, hex).
    fn spki(algorithm: &str, key: &str) -> Vec<u8> {
        let algorithm = format!("30{:02x}{algorithm}", algorithm.len() / 2);
        let key = format!("03{:02x}00{key}", key.len() / 2 + 1);
        hex(&format!(
            "30{:02x}{algorithm}{key}",
            (algorithm.len() + key.len()) / 2
        ))
    }

    /// [`check`] of the SubjectPublicKeyInfo `der` encodes.
    fn check_der(der: &[u8]) -> Result<(), Refusal> {
        use der::Decode;
        check(&SubjectPublicKeyInfoRef::from_der(der).unwrap())
    }

    const RSA: &str = "06092a864886f70d010101";
    const EC: &str = "06072a8648ce3d0201";
    const P256: &str = "06082a8648ce3d030107";

    #[test]
    fn rsa_keys_as_go_reads_them() {
        // SEQUENCE { INTEGER 0x00c5, INTEGER 3 }.
        let key = "300702020 0c5020103".replace(' ', "");
        assert_eq!(check_der(&spki(&format!("{RSA}0500"), &key)), Ok(()));
        // Trailing bytes after the exponent, and after the SEQUENCE.
        let trailing = "3009020200c50201030500";
        assert_eq!(check_der(&spki(&format!("{RSA}0500"), trailing)), Ok(()));
        assert_eq!(
            check_der(&spki(&format!("{RSA}0500"), &format!("{key}ff"))),
            Ok(())
        );
        for (params, key, error) in [
            ("", key.as_str(), "x509: RSA key missing NULL parameters"),
            ("0400", &key, "x509: RSA key missing NULL parameters"),
            ("0500", "0400", "x509: invalid RSA public key"),
            ("0500", "3003020100", "x509: invalid RSA public exponent"),
            ("0500", "30050203000001", "x509: invalid RSA modulus"),
            (
                "0500",
                "3006020100020103",
                "x509: RSA modulus is not a positive number",
            ),
            (
                "0500",
                "30060201ff020103",
                "x509: RSA modulus is not a positive number",
            ),
            (
                "0500",
                "3006020105020100",
                "x509: RSA public exponent is not a positive number",
            ),
            (
                "0500",
                "300f020105020a01000000000000000001",
                "x509: invalid RSA public exponent",
            ),
        ] {
            assert_eq!(
                check_der(&spki(&format!("{RSA}{params}"), key)),
                Err(error),
                "{params} {key}"
            );
        }
    }

    #[test]
    fn ecdsa_keys_as_go_reads_them() {
        let point = format!("04{}", "11".repeat(64));
        assert_eq!(check_der(&spki(&format!("{EC}{P256}"), &point)), Ok(()));
        // P-224 is a curve Go knows.
        let p224 = format!("04{}", "11".repeat(56));
        assert_eq!(
            check_der(&spki(&format!("{EC}06052b81040021"), &p224)),
            Ok(())
        );
        for (params, key, error) in [
            ("", point.as_str(), "x509: invalid ECDSA parameters"),
            ("0500", &point, "x509: invalid ECDSA parameters"),
            // secp256k1.
            ("06052b8104000a", &point, "x509: unsupported elliptic curve"),
            (
                P256,
                &format!("02{}", "11".repeat(32)),
                "x509: failed to unmarshal elliptic curve point",
            ),
            (
                P256,
                &format!("04{}", "11".repeat(63)),
                "x509: failed to unmarshal elliptic curve point",
            ),
        ] {
            assert_eq!(
                check_der(&spki(&format!("{EC}{params}"), key)),
                Err(error),
                "{params}"
            );
        }
    }

    #[test]
    fn other_keys_as_go_reads_them() {
        let ed = "06032b6570";
        assert_eq!(check_der(&spki(ed, &"11".repeat(32))), Ok(()));
        assert_eq!(
            check_der(&spki(&format!("{ed}0500"), &"11".repeat(32))),
            Err("x509: Ed25519 key encoded with illegal parameters")
        );
        assert_eq!(
            check_der(&spki(ed, &"11".repeat(31))),
            Err("x509: wrong Ed25519 public key size")
        );
        // X25519 is no algorithm of Go's certificate parser: not checked.
        let x = "06032b656e";
        assert_eq!(check_der(&spki(x, &"11".repeat(33))), Ok(()));
        assert_eq!(check_der(&spki(&format!("{x}0500"), "11")), Ok(()));
        let dsa = "06072a8648ce380401";
        let params = "3009020103020105020107";
        assert_eq!(
            check_der(&spki(&format!("{dsa}{params}"), "020109")),
            Ok(())
        );
        assert_eq!(
            check_der(&spki(&format!("{dsa}{params}"), "0400")),
            Err("x509: invalid DSA public key")
        );
        assert_eq!(
            check_der(&spki(dsa, "020109")),
            Err("x509: invalid DSA parameters")
        );
        assert_eq!(
            check_der(&spki(&format!("{dsa}3009020103020105020100"), "020109")),
            Err("x509: zero or negative DSA parameter")
        );
        // An algorithm Go does not know: not its business.
        assert_eq!(check_der(&spki("06032a0304", "00")), Ok(()));
    }
}
