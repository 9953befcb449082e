//! The timestamp countersignature subtree of the inspect output.
// Requirements: X3.

use notation_core::timestamp::SignedToken;

use super::signature::{CertificateView, TimestampView};

/// Reads a TimeStampToken as the reference's inspect does
/// (`tspclient.ParseSignedToken`, `Info`, `Validate(signature)`): the
/// token's own time range and certificates, or why they cannot be shown.
/// Nothing is verified against trust anchors; that is verification's job.
pub fn view(token: &[u8], signature: &[u8]) -> TimestampView {
    let error = |e: &dyn std::fmt::Display| {
        TimestampView::Error(format!("failed to parse timestamp countersignature: {e}"))
    };
    let signed = match SignedToken::parse(token) {
        Ok(t) => t,
        Err(e) => return error(&e),
    };
    let range = match signed.tst_info().and_then(|info| info.validate(signature)) {
        Ok(r) => r,
        Err(e) => return error(&e),
    };
    TimestampView::Valid {
        earliest: range.earliest(),
        latest: range.latest(),
        certificates: signed
            .certificates()
            .iter()
            .map(CertificateView::new)
            .collect(),
    }
}
