//! The URLs of CRLDistributionPoints and FreshestCRL extensions, read as
//! Go's `crypto/x509` reads them.

use der::{Reader, SliceReader, Tag, TagNumber};

use super::access::URI;
use crate::asn1util::{ContextTag, Element, SequenceTag, Tlv, next_is};

/// A distribution point extension that is not well-formed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidDistributionPoint {
    /// The outer SEQUENCE is missing.
    #[error("x509: invalid CRL distribution points")]
    Points,
    /// One DistributionPoint is malformed.
    #[error("x509: invalid CRL distribution point")]
    Point,
}

/// The URIs of a CRLDistributionPoints or FreshestCRL extension value,
/// parsed exactly as notation-core-go's `parseCRLDistributionPoint` (itself
/// borrowed from Go's `crypto/x509`): for each distribution point, the
/// leading URIs of its `fullName`; reading stops at the first name that is
/// not a URI; points without a name are skipped.
pub fn distribution_point_urls(value: &[u8]) -> Result<Vec<String>, InvalidDistributionPoint> {
    Ok(distribution_points(value)?.into_iter().flatten().collect())
}

/// As [`distribution_point_urls`], grouped by distribution point.
///
/// Decoded with `der`, with exactly Go's leniencies (the crl-core-go
/// vectors depend on them): bytes after the outer SEQUENCE, the fields of
/// a point after its name (reasons, cRLIssuer) and the names after the
/// leading URIs are not read; a point without a name, or with a name whose
/// tag is not `[0]`, gives no URL; a name that is not `fullName` fails.
// Requirements: W14.
pub(crate) fn distribution_points(
    value: &[u8],
) -> Result<Vec<Vec<String>>, InvalidDistributionPoint> {
    use InvalidDistributionPoint::*;
    /// `distributionPoint [0]` and `fullName [0]`, both constructed.
    const NAME: Tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(0),
    };
    // Like cryptobyte's `ReadASN1(&val, SEQUENCE)`: no `finish()`, bytes
    // after the outer SEQUENCE are ignored.
    let mut outer = SliceReader::new(value).map_err(|_| Points)?;
    let points: Element<'_, SequenceTag> = outer.decode().map_err(|_| Points)?;
    let mut r = points.reader().map_err(|_| Point)?;
    let mut out = Vec::new();
    while !r.is_finished() {
        let point: Element<'_, SequenceTag> = r.decode().map_err(|_| Point)?;
        let mut fields = point.reader().map_err(|_| Point)?;
        if !next_is(&fields, NAME) {
            continue;
        }
        let name: Element<'_, ContextTag<0>> = fields.decode().map_err(|_| Point)?;
        let full_name: Element<'_, ContextTag<0>> = name
            .reader()
            .and_then(|mut n| n.decode())
            .map_err(|_| Point)?;
        let mut names = full_name.reader().map_err(|_| Point)?;
        let mut urls = Vec::new();
        while next_is(&names, URI) {
            let uri: Tlv<'_> = names.decode().map_err(|_| Point)?;
            urls.push(String::from_utf8_lossy(uri.contents()).into_owned());
        }
        out.push(urls);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_points_parse_like_go() {
        let urls = |hex: &str| distribution_point_urls(&crate::hex::decode(hex).unwrap());
        // The Freshest CRL values of notation-core-go's test certificates.
        assert_eq!(urls("30043002a000"), Err(InvalidDistributionPoint::Point));
        assert_eq!(urls("30023000"), Ok(vec![]));
        assert_eq!(urls("30093007a005a0038501ff"), Ok(vec![]));
        assert_eq!(urls("30063004a002a000"), Ok(vec![]));
        assert_eq!(urls(""), Err(InvalidDistributionPoint::Points));
        // Two points: two URIs (alternatives), then one.
        let v = "3015300aa008a006860161860162".to_owned() + "3007a005a003860163";
        let grouped = distribution_points(&crate::hex::decode(&v).unwrap()).unwrap();
        assert_eq!(grouped, vec![vec!["a", "b"], vec!["c"]]);
        // Reading stops at the first name that is not a URI.
        assert_eq!(
            urls("300d300ba009a007860161a400860162"),
            Ok(vec!["a".into()])
        );
    }

    /// Go's leniencies that the crl-core-go vectors do not reach.
    #[test]
    fn distribution_points_keep_the_other_go_leniencies() {
        let grouped = |hex: &str| distribution_points(&crate::hex::decode(hex).unwrap());
        let a = Ok(vec![vec!["a".to_owned()]]);
        // One point, one URI.
        assert_eq!(grouped("30093007a005a003860161"), a);
        // Bytes after the outer SEQUENCE are not read.
        assert_eq!(grouped("30093007a005a003860161ffff"), a);
        // Nor what follows a point's name, even when it is not DER.
        assert_eq!(grouped("300a3008a005a003860161ff"), a);
        // Nor what follows the leading URIs, even what `der` cannot read.
        assert_eq!(grouped("300b3009a007a0058601610700"), a);
        // Points without a name (nothing, cRLIssuer only, an identifier
        // `der` does not know) give no URL.
        assert_eq!(grouped("30023000"), Ok(vec![]));
        assert_eq!(grouped("30063004a2023000"), Ok(vec![]));
        assert_eq!(grouped("300430020700"), Ok(vec![]));
        // nameRelativeToCRLIssuer fails, as in Go.
        assert_eq!(
            grouped("30063004a002a100"),
            Err(InvalidDistributionPoint::Point)
        );
        // A URI must be DER.
        assert_eq!(
            grouped("300a3008a006a00486810161"),
            Err(InvalidDistributionPoint::Point)
        );
        // Not a SEQUENCE.
        assert_eq!(grouped("3100"), Err(InvalidDistributionPoint::Points));
    }
}
