//! Trust stores and trust policies.
//!
//! - [`policy`]: the OCI and blob trust policy documents, parsed and validated
//!   in one step into typed [`PolicyStatement`]s, with the verification level
//!   matrix in [`VerificationLevel::default_action`], and policy selection.
//!
//! - [`dn`]: RFC 4514 distinguished names for `x509.subject:` trusted
//!   identities, parsed the way the reference does (go-ldap plus notation-go's
//!   rules), and trusted-identity matching against a leaf certificate.
//! - [`store`]: named X.509 trust stores on disk and in memory, plus
//!   the file operations behind `notation certificate add/list/show/delete`.
//!
//! ```
//! use notation_core::trust::{OciTrustPolicyDocument, ValidationAction, ValidationType};
//!
//! let doc = OciTrustPolicyDocument::from_json(br#"{
//!     "version": "1.0",
//!     "trustPolicies": [{
//!         "name": "wabbit-networks-images",
//!         "registryScopes": ["registry.wabbit-networks.io/software/net-monitor"],
//!         "signatureVerification": {"level": "permissive"},
//!         "trustStores": ["ca:wabbit-networks.io"],
//!         "trustedIdentities": ["x509.subject: C=US, ST=WA, O=wabbit-networks.io"]
//!     }]
//! }"#).unwrap();
//! let statement = doc
//!     .applicable_policy("registry.wabbit-networks.io/software/net-monitor@sha256:abc")
//!     .unwrap();
//! assert_eq!(statement.name(), "wabbit-networks-images");
//! assert_eq!(
//!     statement.verification().action(ValidationType::Expiry),
//!     ValidationAction::Log
//! );
//! ```
// Requirements: I, J, K, L, M, K1, K4, L1-L5, I1-I5.

pub mod dn;
pub mod policy;
pub mod store;
mod store_dir;

use std::fmt;

pub use dn::{
    DnAttribute, DnError, DnSyntaxError, ParsedDn, TrustedIdentityError, parse_rfc4514,
    verify_trusted_identities,
};
pub use policy::{
    BlobStatementBuilder, BlobTrustPolicyDocument, EffectiveVerification, OciStatementBuilder,
    OciTrustPolicyDocument, PolicyError, PolicyFile, PolicyJsonError, PolicyKind, PolicyLoadError,
    PolicySelectionError, PolicyStatement, RegistryScopeError, StatementError, TrustStoreRef,
    TrustStoreRefError, TrustedIdentity, TrustedIdentityParseError, ValidationAction,
    ValidationType, VerificationLevel, VerificationLevelError, VerifyTimestamp, load_blob_policy,
    load_oci_policy,
};
pub use store::{
    CertificateFileError, CertificateValidationError, DirTrustStore, MemoryTrustStore, TrustStore,
    TrustStoreError, TrustStoreManagementError, TrustStoreType,
};

/// Formats a string as Go's `%q` verb (`strconv.Quote`) does, so that error
/// texts quoting user input match the reference byte for byte.
///
/// Go prints a character unescaped when `unicode.IsPrint` holds (letters,
/// marks, numbers, punctuation, symbols and the ASCII space). Without Unicode
/// category tables we approximate that: controls, whitespace other than the
/// ASCII space, the common format characters, private-use code points and
/// non-characters are escaped; unassigned code points are printed as they
/// are (Go would escape them).
pub struct GoQuoted<'a>(pub &'a str);

impl fmt::Display for GoQuoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        GoQuotedBytes(self.0.as_bytes()).fmt(f)
    }
}

/// [`GoQuoted`] of a Go string that need not be UTF-8: each byte that is
/// not part of a UTF-8 sequence is written `\xNN`, as Go's `%q` writes it.
pub struct GoQuotedBytes<'a>(pub &'a [u8]);

impl fmt::Display for GoQuotedBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    '\u{7}' => f.write_str("\\a")?,
                    '\u{8}' => f.write_str("\\b")?,
                    '\u{c}' => f.write_str("\\f")?,
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    '\u{b}' => f.write_str("\\v")?,
                    c if (c as u32) < 0x20 || c == '\u{7f}' => write!(f, "\\x{:02x}", c as u32)?,
                    c if go_is_print(c) => f.write_char(c)?,
                    c if (c as u32) < 0x10000 => write!(f, "\\u{:04x}", c as u32)?,
                    c => write!(f, "\\U{:08x}", c as u32)?,
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_char('"')
    }
}

/// Approximation of Go's `unicode.IsPrint` (see [`GoQuoted`]).
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format = matches!(
        u,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0xe0001
            | 0xe0020..=0xe007f
    );
    let private_use = matches!(u, 0xe000..=0xf8ff | 0xf0000..=0x10ffff);
    let non_character = matches!(u, 0xfdd0..=0xfdef) || (u & 0xfffe) == 0xfffe;
    !(format || private_use || non_character)
}

#[cfg(test)]
mod tests {
    use super::GoQuoted;

    fn go_quote(s: &str) -> String {
        GoQuoted(s).to_string()
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("abc"), r#""abc""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("\n\t\u{1}\u{7f}"), r#""\n\t\x01\x7f""#);
        assert_eq!(go_quote("é ü 日本"), "\"é ü 日本\"");
        assert_eq!(
            go_quote("\u{a0}\u{200b}\u{feff}"),
            r#""\u00a0\u200b\ufeff""#
        );
        assert_eq!(go_quote("\u{10ffff}"), r#""\U0010ffff""#);
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
    }
}
