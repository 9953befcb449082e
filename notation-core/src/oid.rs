//! Object identifiers used across the crate.

use const_oid::ObjectIdentifier as Oid;

macro_rules! oids {
    ($($(#[$m:meta])* $name:ident = $value:literal;)*) => {
        $($(#[$m])* #[doc = concat!("`", $value, "`")] pub const $name: Oid = Oid::new_unwrap($value);)*
    };
}

oids! {
    // Public key algorithms.
    RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    SECP192R1 = "1.2.840.10045.3.1.1";
    SECP224R1 = "1.3.132.0.33";
    SECP256R1 = "1.2.840.10045.3.1.7";
    SECP384R1 = "1.3.132.0.34";
    SECP521R1 = "1.3.132.0.35";

    // Signature algorithms.
    MD5_WITH_RSA = "1.2.840.113549.1.1.4";
    SHA1_WITH_RSA = "1.2.840.113549.1.1.5";
    RSASSA_PSS = "1.2.840.113549.1.1.10";
    SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    SHA384_WITH_RSA = "1.2.840.113549.1.1.12";
    SHA512_WITH_RSA = "1.2.840.113549.1.1.13";
    MGF1 = "1.2.840.113549.1.1.8";
    ECDSA_WITH_SHA1 = "1.2.840.10045.4.1";
    ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
    ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4";
    ED25519 = "1.3.101.112";
    DSA = "1.2.840.10040.4.1";

    // Hash algorithms.
    SHA1 = "1.3.14.3.2.26";
    SHA256 = "2.16.840.1.101.3.4.2.1";
    SHA384 = "2.16.840.1.101.3.4.2.2";
    SHA512 = "2.16.840.1.101.3.4.2.3";

    // Certificate extensions.
    KEY_USAGE = "2.5.29.15";
    BASIC_CONSTRAINTS = "2.5.29.19";
    EXT_KEY_USAGE = "2.5.29.37";
    CRL_DISTRIBUTION_POINTS = "2.5.29.31";
    FRESHEST_CRL = "2.5.29.46";
    AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";
    SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
    SUBJECT_ALT_NAME = "2.5.29.17";
    AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";

    // Extended key usages.
    EKU_ANY = "2.5.29.37.0";
    EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    EKU_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    EKU_IPSEC_END_SYSTEM = "1.3.6.1.5.5.7.3.5";
    EKU_IPSEC_TUNNEL = "1.3.6.1.5.5.7.3.6";
    EKU_IPSEC_USER = "1.3.6.1.5.5.7.3.7";
    EKU_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
    EKU_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
    EKU_MS_SERVER_GATED_CRYPTO = "1.3.6.1.4.1.311.10.3.3";
    EKU_NS_SERVER_GATED_CRYPTO = "2.16.840.1.113730.4.1";
    EKU_MS_COMMERCIAL_CODE_SIGNING = "1.3.6.1.4.1.311.2.1.22";
    EKU_MS_KERNEL_CODE_SIGNING = "1.3.6.1.4.1.311.61.1.1";

    // Access methods.
    AD_OCSP = "1.3.6.1.5.5.7.48.1";
    AD_CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

    // Distinguished name attributes that Go names (crypto/x509/pkix).
    AT_COMMON_NAME = "2.5.4.3";
    AT_SERIAL_NUMBER = "2.5.4.5";
    AT_COUNTRY = "2.5.4.6";
    AT_LOCALITY = "2.5.4.7";
    AT_PROVINCE = "2.5.4.8";
    AT_STREET = "2.5.4.9";
    AT_ORGANIZATION = "2.5.4.10";
    AT_ORGANIZATIONAL_UNIT = "2.5.4.11";
    AT_POSTAL_CODE = "2.5.4.17";
}

/// A readable name for an OID, for messages.
pub fn name(oid: &Oid) -> Option<&'static str> {
    Some(match *oid {
        RSA_ENCRYPTION => "RSA",
        EC_PUBLIC_KEY => "ECDSA",
        ED25519 => "Ed25519",
        DSA => "DSA",
        MD5_WITH_RSA => "MD5-RSA",
        SHA1_WITH_RSA => "SHA1-RSA",
        SHA256_WITH_RSA => "SHA256-RSA",
        SHA384_WITH_RSA => "SHA384-RSA",
        SHA512_WITH_RSA => "SHA512-RSA",
        RSASSA_PSS => "RSASSA-PSS",
        ECDSA_WITH_SHA1 => "ECDSA-SHA1",
        ECDSA_WITH_SHA256 => "ECDSA-SHA256",
        ECDSA_WITH_SHA384 => "ECDSA-SHA384",
        ECDSA_WITH_SHA512 => "ECDSA-SHA512",
        _ => return None,
    })
}
