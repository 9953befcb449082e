//! The extensions Notation does not act on but Go's `crypto/x509` refuses a
//! certificate for: Authority Information Access (whose OCSP URLs
//! revocation checking uses), Authority and Subject Key Identifier. Each is
//! read as Go's parser reads it, so that a certificate the reference
//! refuses is refused here too, with its text, instead of being accepted
//! with its OCSP URLs silently lost.

use der::{Reader, SliceReader, Tag, TagNumber, Tagged};

use super::Refusal;
use crate::asn1util::{Element, SequenceTag, Tlv, is_go_oid, next_is};

/// `uniformResourceIdentifier [6] IMPLICIT IA5String`.
pub(super) const URI: Tag = Tag::ContextSpecific {
    constructed: false,
    number: TagNumber(6),
};

/// The OCSP URLs of an Authority Information Access extension, read as
/// Go's parser reads them: the outer SEQUENCE (bytes after it are not
/// read), then for each access description its method, which must be a
/// valid OBJECT IDENTIFIER, and its location when that is a URI (other
/// locations are skipped, as is what follows the URI). Refused when marked
/// critical or malformed.
pub(crate) fn ocsp_urls(value: &[u8], critical: bool) -> Result<Vec<String>, Refusal> {
    const INVALID: Refusal = "x509: invalid authority info access";
    if critical {
        return Err("x509: authority info access incorrectly marked critical");
    }
    let mut outer = SliceReader::new(value).map_err(|_| INVALID)?;
    let descriptions: Element<'_, SequenceTag> = outer.decode().map_err(|_| INVALID)?;
    let mut r = descriptions.reader().map_err(|_| INVALID)?;
    let mut urls = Vec::new();
    while !r.is_finished() {
        let description: Element<'_, SequenceTag> = r.decode().map_err(|_| INVALID)?;
        let mut fields = description.reader().map_err(|_| INVALID)?;
        let method: Tlv<'_> = fields.decode().map_err(|_| INVALID)?;
        if method.tag() != Tag::ObjectIdentifier || !is_go_oid(method.contents()) {
            return Err(INVALID);
        }
        if !next_is(&fields, URI) {
            continue;
        }
        let location: Tlv<'_> = fields.decode().map_err(|_| INVALID)?;
        if method.contents() == crate::oid::AD_OCSP.as_bytes() {
            urls.push(String::from_utf8_lossy(location.contents()).into_owned());
        }
    }
    Ok(urls)
}

/// Checks an Authority Key Identifier as Go's parser does: not critical, a
/// SEQUENCE, and a well-formed `keyIdentifier [0]` when one comes first.
pub(crate) fn check_authority_key_identifier(value: &[u8], critical: bool) -> Result<(), Refusal> {
    const INVALID: Refusal = "x509: invalid authority key identifier";
    const KEY_ID: Tag = Tag::ContextSpecific {
        constructed: false,
        number: TagNumber(0),
    };
    if critical {
        return Err("x509: authority key identifier incorrectly marked critical");
    }
    let mut outer = SliceReader::new(value).map_err(|_| INVALID)?;
    let identifier: Element<'_, SequenceTag> = outer.decode().map_err(|_| INVALID)?;
    let fields = identifier.reader().map_err(|_| INVALID)?;
    if next_is(&fields, KEY_ID) {
        let mut fields = fields;
        let _: Tlv<'_> = fields.decode().map_err(|_| INVALID)?;
    }
    Ok(())
}

/// Checks a Subject Key Identifier as Go's parser does: not critical, an
/// OCTET STRING (bytes after it are not read).
pub(crate) fn check_subject_key_identifier(value: &[u8], critical: bool) -> Result<(), Refusal> {
    const INVALID: Refusal = "x509: invalid subject key identifier";
    if critical {
        return Err("x509: subject key identifier incorrectly marked critical");
    }
    let mut outer = SliceReader::new(value).map_err(|_| INVALID)?;
    let identifier: Tlv<'_> = outer.decode().map_err(|_| INVALID)?;
    if identifier.tag() != Tag::OctetString {
        return Err(INVALID);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        crate::hex::decode(s).unwrap()
    }

    /// `SEQUENCE { id-ad-ocsp, [6] "a" }` and `id-ad-caIssuers`'s.
    const OCSP_A: &str = "300d06082b060105050730018601"; // + the URI's one octet
    const ISSUERS_B: &str = "300d06082b06010505073002860162";

    fn aia(descriptions: &[&str]) -> Vec<u8> {
        let body: String = descriptions.concat();
        let len = body.len() / 2;
        hex(&format!("30{len:02x}{body}"))
    }

    #[test]
    fn authority_info_access_reads_like_go() {
        let ocsp_a = format!("{OCSP_A}61");
        assert_eq!(
            ocsp_urls(&aia(&[&ocsp_a, ISSUERS_B]), false),
            Ok(vec!["a".to_owned()])
        );
        // Bytes after the outer SEQUENCE and after a URI are not read.
        let mut trailing = aia(&[&ocsp_a]);
        trailing.extend([0xff, 0xff]);
        assert_eq!(ocsp_urls(&trailing, false), Ok(vec!["a".to_owned()]));
        let after_uri = "300f06082b0601050507300186016100ff";
        assert_eq!(
            ocsp_urls(&aia(&[after_uri]), false),
            Ok(vec!["a".to_owned()])
        );
        // A location that is not a URI (a directoryName) is skipped.
        assert_eq!(
            ocsp_urls(&aia(&["300c06082b06010505073001a400"]), false),
            Ok(vec![])
        );
        // A URI with a byte outside IA5String is kept (Go reads bytes).
        assert_eq!(
            ocsp_urls(&aia(&[&format!("{OCSP_A}e9")]), false),
            Ok(vec!["\u{fffd}".to_owned()])
        );
    }

    #[test]
    fn authority_info_access_refused_where_go_refuses_it() {
        let ocsp_a = format!("{OCSP_A}61");
        assert_eq!(
            ocsp_urls(&aia(&[&ocsp_a]), true),
            Err("x509: authority info access incorrectly marked critical")
        );
        for bad in [
            "".to_owned(),
            "3100".to_owned(),
            // An entry that is not a SEQUENCE.
            "30020400".to_owned(),
            // A method that is not an OBJECT IDENTIFIER, or not a valid one
            // (empty, non-minimal, truncated).
            "300430020400".to_owned(),
            "300430020600".to_owned(),
            "30053003060180".to_owned(),
            "3006300406022b86".to_owned(),
            // A URI whose length runs past its entry.
            "300f300d06082b06010505073001860261".to_owned(),
        ] {
            assert_eq!(
                ocsp_urls(&hex(&bad), false),
                Err("x509: invalid authority info access"),
                "{bad}"
            );
        }
    }

    #[test]
    fn key_identifiers_refused_where_go_refuses_them() {
        assert_eq!(check_authority_key_identifier(&hex("3000"), false), Ok(()));
        assert_eq!(
            check_authority_key_identifier(&hex("30038001aa"), false),
            Ok(())
        );
        assert_eq!(
            check_authority_key_identifier(&hex("3000"), true),
            Err("x509: authority key identifier incorrectly marked critical")
        );
        for bad in ["", "0400", "30028005"] {
            assert_eq!(
                check_authority_key_identifier(&hex(bad), false),
                Err("x509: invalid authority key identifier"),
                "{bad}"
            );
        }
        assert_eq!(check_subject_key_identifier(&hex("0401aa"), false), Ok(()));
        assert_eq!(
            check_subject_key_identifier(&hex("0401aaff"), false),
            Ok(())
        );
        assert_eq!(
            check_subject_key_identifier(&hex("0401aa"), true),
            Err("x509: subject key identifier incorrectly marked critical")
        );
        for bad in ["", "3000", "0405aa"] {
            assert_eq!(
                check_subject_key_identifier(&hex(bad), false),
                Err("x509: invalid subject key identifier"),
                "{bad}"
            );
        }
    }
}
