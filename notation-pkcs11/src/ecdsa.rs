//! ECDSA signature encodings.
//!
//! `CKM_ECDSA` returns `r||s`, each as wide as the curve's order
//! (PKCS#11 2.40, section 2.3.1), which is exactly what JWS and COSE carry
//! (the *fixed* form). Certificates, CMS and most other formats carry the
//! DER `Ecdsa-Sig-Value` instead. The two never mix: every conversion names
//! the form it produces.

use der::asn1::UintRef;
use der::{Decode, Encode, Sequence};

/// The form an ECDSA signature is wanted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EcdsaEncoding {
    /// `r||s`, each left-padded to the field width: JWS and COSE envelopes.
    Fixed,
    /// DER `SEQUENCE { r INTEGER, s INTEGER }`: certificates, CMS.
    Der,
}

/// RFC 5480 / RFC 3279 `Ecdsa-Sig-Value`.
#[derive(Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// A signature that is neither form for this curve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the token returned an ECDSA signature of {len} bytes that is neither r||s nor DER for a {field_len}-byte curve"
)]
pub struct EcdsaFormatError {
    /// The signature's length.
    pub len: usize,
    /// The curve's field width.
    pub field_len: usize,
}

/// Brings what a module returned into the fixed form: `r||s` of
/// `2 * field_len` bytes is kept; a DER signature (which some modules
/// return) is converted.
pub fn to_fixed(signature: &[u8], field_len: usize) -> Result<Vec<u8>, EcdsaFormatError> {
    if signature.len() == 2 * field_len {
        return Ok(signature.to_vec());
    }
    let err = || EcdsaFormatError {
        len: signature.len(),
        field_len,
    };
    let value = EcdsaSigValue::from_der(signature).map_err(|_| err())?;
    let mut out = vec![0u8; 2 * field_len];
    for (half, int) in [value.r, value.s].into_iter().enumerate() {
        let bytes = int.as_bytes();
        if bytes.len() > field_len {
            return Err(err());
        }
        let end = (half + 1) * field_len;
        out[end - bytes.len()..end].copy_from_slice(bytes);
    }
    Ok(out)
}

/// The DER form of a fixed `r||s` signature.
pub fn fixed_to_der(signature: &[u8]) -> Result<Vec<u8>, EcdsaFormatError> {
    let err = || EcdsaFormatError {
        len: signature.len(),
        field_len: signature.len() / 2,
    };
    if signature.is_empty() || !signature.len().is_multiple_of(2) {
        return Err(err());
    }
    let (r, s) = signature.split_at(signature.len() / 2);
    let value = EcdsaSigValue {
        r: UintRef::new(r).map_err(|_| err())?,
        s: UintRef::new(s).map_err(|_| err())?,
    };
    value.to_der().map_err(|_| err())
}

/// `CKA_EC_POINT` is a DER OCTET STRING holding the SEC1 point (PKCS#11
/// 2.40); some modules store the bare point. Either way, the point.
pub(crate) fn unwrap_ec_point(value: &[u8]) -> Vec<u8> {
    match der::asn1::OctetString::from_der(value) {
        Ok(os) if matches!(os.as_bytes().first(), Some(2..=4)) => os.as_bytes().to_vec(),
        _ => value.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_der_round_trip() {
        // r with a high bit set (DER adds a zero) and s with leading zeros
        // (DER drops them).
        let mut fixed = vec![0u8; 64];
        fixed[0] = 0x80;
        fixed[31] = 1;
        fixed[62] = 0x12;
        fixed[63] = 0x34;
        let der = fixed_to_der(&fixed).unwrap();
        assert_eq!(&der[..4], &[0x30, der.len() as u8 - 2, 0x02, 33]);
        assert_eq!(to_fixed(&der, 32).unwrap(), fixed);
        assert_eq!(to_fixed(&fixed, 32).unwrap(), fixed);
    }

    #[test]
    fn p521_widths() {
        let fixed: Vec<u8> = (0..132u8).map(|i| i | 1).collect();
        let der = fixed_to_der(&fixed).unwrap();
        assert_eq!(to_fixed(&der, 66).unwrap(), fixed);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(to_fixed(&[1, 2, 3], 32).is_err());
        assert!(to_fixed(&[], 32).is_err());
        assert!(fixed_to_der(&[1, 2, 3]).is_err());
        // An integer wider than the field.
        let wide = fixed_to_der(&[0x7f; 70]).unwrap();
        assert!(to_fixed(&wide, 32).is_err());
    }

    #[test]
    fn ec_points_are_unwrapped() {
        let point = [4u8, 1, 2, 3, 4];
        let wrapped = der::asn1::OctetString::new(point.to_vec())
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(unwrap_ec_point(&wrapped), point);
        assert_eq!(unwrap_ec_point(&point), point);
    }
}
