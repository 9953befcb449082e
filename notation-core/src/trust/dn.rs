//! Distinguished names in `x509.subject:` trusted identities, and matching
//! them against a signing certificate.
// Requirements: L1-L5.
//!
//! Two layers, as in the reference implementation:
//! - [`parse_rfc4514`] splits an RFC 4514 string into RDNs exactly as
//!   go-ldap v3.4.11 `ParseDN` does (the parser notation-go uses): `,` and `;`
//!   separate RDNs, `+` separates the attributes of a multi-valued RDN, type
//!   and value are trimmed of ASCII spaces (an escaped trailing space `\ `
//!   survives), `\` escapes one special character or two hex digits, and a
//!   value starting with `#` is the hex of a BER encoding.
//! - [`ParsedDn::parse`] applies notation-go's `internal/pkix` rules on top:
//!   no `=#` anywhere, no multi-valued RDN, no repeated attribute type (`S` is
//!   an alias of `ST`), and `C`, `ST` and `O` are mandatory. The result is an
//!   attribute map, and matching is a subset test on such maps.
//!
//! The leaf certificate's subject goes through the *same* function after
//! being rendered the way Go's `pkix.Name.String()` renders it (see
//! [`crate::x509::name`]). That is why a leaf whose subject has attributes
//! Go does not name (`emailAddress`, `UID`, ... become `OID=#hex`), several
//! values of one type (`OU=a+OU=b`), or lacks `C`, `ST` or `O`, never matches
//! an `x509.subject` identity: the reference behaves the same way, and an
//! interoperable verifier must agree with it on which signatures it accepts.
// Requirements: L2, L4.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use crate::trust::GoQuoted as Q;
use crate::trust::GoQuotedBytes;
use crate::trust::policy::TrustedIdentity;
use crate::x509::{Certificate, DistinguishedName};

/// One `type=value` pair of an RDN, after unescaping.
///
/// Type and value are bytes, as in go-ldap's Go strings: a `\XX` escape
/// may decode to bytes that are not UTF-8 (`OU=\ff`). Such a value is kept
/// as it is; it matches no certificate subject, whose rendering is always
/// text, but it does not make the DN invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnAttribute {
    attr_type: Vec<u8>,
    value: Vec<u8>,
}

impl DnAttribute {
    /// The attribute type as written (`CN`, `st`, `2.5.4.3`, ...): go-ldap
    /// does not normalise case or map OIDs to names. Bytes that are not
    /// UTF-8 read as U+FFFD ([`DnAttribute::attr_type_bytes`] has them).
    pub fn attr_type(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.attr_type)
    }

    /// The attribute type's bytes, exactly.
    pub fn attr_type_bytes(&self) -> &[u8] {
        &self.attr_type
    }

    /// The unescaped value. Bytes that are not UTF-8 read as U+FFFD
    /// ([`DnAttribute::value_bytes`] has them).
    pub fn value(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }

    /// The unescaped value's bytes, exactly.
    pub fn value_bytes(&self) -> &[u8] {
        &self.value
    }
}

/// Why a string is not an RFC 4514 DN, with go-ldap's texts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnSyntaxError {
    /// A `,`, `;` or `+` before any `=` of the attribute.
    #[error("incomplete type, value pair")]
    IncompleteTypeValuePair,
    /// The input ends inside an attribute type.
    #[error("DN ended with incomplete type, value pair")]
    EndedWithIncompletePair,
    /// A `\` as the last character of a type or value.
    #[error("got corrupted escaped character: '{text}'")]
    CorruptedEscape {
        /// The (space-trimmed) type or value holding the escape.
        text: String,
    },
    /// A `\` followed by a single non-special character.
    #[error("failed to decode escaped character: encoding/hex: invalid byte: {character}")]
    ShortEscape {
        /// The character after the backslash.
        character: char,
    },
    /// A `\` followed by two characters that are not both ASCII.
    #[error("failed to decode escaped character: invalid byte: {pair}")]
    NonAsciiEscape {
        /// The two characters after the backslash.
        pair: String,
    },
    /// A `\XX` escape where `XX` is not hex.
    #[error("failed to decode escaped character: encoding/hex: invalid byte: {}", go_unicode_verb(*.byte))]
    InvalidHexEscape {
        /// The first byte that is not a hex digit.
        byte: u8,
    },
    /// A `#hex` value that is not hex of a BER TLV.
    #[error("failed to decode BER encoding: {reason}")]
    InvalidBerValue {
        /// What was wrong.
        reason: &'static str,
    },
}

/// Go's `%#U` for one byte: `U+0067 'g'`, without the quoted character
/// when it is not printable.
fn go_unicode_verb(byte: u8) -> String {
    if (0x20..0x7f).contains(&byte) {
        format!("U+{:04X} '{}'", byte, byte as char)
    } else {
        format!("U+{:04X}", byte)
    }
}

/// Parses an RFC 4514 DN into its RDNs, as go-ldap v3.4.11 `ParseDN` does.
/// A blank input is an empty DN, not an error.
pub fn parse_rfc4514(input: &str) -> Result<Vec<Vec<DnAttribute>>, DnSyntaxError> {
    let mut rdns = Vec::new();
    if input.trim().is_empty() {
        return Ok(rdns);
    }
    let mut rdn: Vec<DnAttribute> = Vec::new();
    let mut attr_type: Vec<u8> = Vec::new();
    let mut escaping = false;
    let mut start = 0;
    // Byte-wise scan: every delimiter is ASCII, so slice boundaries always
    // fall on character boundaries, and a backslash hides exactly the next
    // byte (UTF-8 continuation bytes never look like delimiters).
    for (i, &b) in input.as_bytes().iter().enumerate() {
        if escaping {
            escaping = false;
            continue;
        }
        match b {
            b'\\' => escaping = true,
            // A type that decodes to nothing leaves the next `=` to try again,
            // as in go-ldap (`=a=b` is type `a`, value `b`).
            b'=' if attr_type.is_empty() => {
                attr_type = decode_string(&input[start..i])?;
                start = i + 1;
            }
            b',' | b'+' | b';' => {
                if attr_type.is_empty() {
                    return Err(DnSyntaxError::IncompleteTypeValuePair);
                }
                let value = decode_value(&input[start..i])?;
                rdn.push(DnAttribute {
                    attr_type: std::mem::take(&mut attr_type),
                    value,
                });
                start = i + 1;
                if b != b'+' {
                    rdns.push(std::mem::take(&mut rdn));
                }
            }
            _ => {}
        }
    }
    if attr_type.is_empty() {
        return Err(DnSyntaxError::EndedWithIncompletePair);
    }
    let value = decode_value(&input[start..])?;
    rdn.push(DnAttribute { attr_type, value });
    rdns.push(rdn);
    Ok(rdns)
}

/// go-ldap `setValue`: `#hex` is a BER encoding, anything else a string.
fn decode_value(raw: &str) -> Result<Vec<u8>, DnSyntaxError> {
    match raw.strip_prefix('#') {
        Some(hex) => decode_ber_value(hex),
        None => decode_string(raw),
    }
}

/// go-ldap `stripLeadingAndTrailingSpaces`: trims ASCII spaces, but puts one
/// back when the trimmed text ends with a backslash (an escaped space).
fn strip_spaces(raw: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = raw.trim_matches(' ');
    if trimmed.ends_with('\\') && raw.ends_with(' ') {
        std::borrow::Cow::Owned(format!("{trimmed} "))
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    }
}

/// go-ldap `decodeString`: trims, then resolves `\c` and `\XX` escapes.
fn decode_string(raw: &str) -> Result<Vec<u8>, DnSyntaxError> {
    let text = strip_spaces(raw);
    if !text.contains('\\') {
        return Ok(text.as_bytes().to_vec());
    }
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(next) = chars.next() else {
            return Err(DnSyntaxError::CorruptedEscape {
                text: text.into_owned(),
            });
        };
        if matches!(
            next,
            ' ' | '"' | '#' | '+' | ',' | ';' | '<' | '=' | '>' | '\\'
        ) {
            out.push(next as u8);
            continue;
        }
        let Some(second) = chars.next() else {
            return Err(DnSyntaxError::ShortEscape { character: next });
        };
        if !next.is_ascii() || !second.is_ascii() {
            return Err(DnSyntaxError::NonAsciiEscape {
                pair: [next, second].iter().collect(),
            });
        }
        let digit = |c: char| {
            c.to_digit(16)
                .ok_or(DnSyntaxError::InvalidHexEscape { byte: c as u8 })
        };
        let hi = digit(next)?;
        let lo = digit(second)?;
        out.push((hi * 16 + lo) as u8);
    }
    // Go keeps the bytes as they decode, UTF-8 or not.
    Ok(out)
}

/// go-ldap `decodeEncodedString`: hex, then one BER TLV whose content bytes
/// are the value. (Unreachable through [`ParsedDn::parse`], which refuses
/// `=#` before parsing, but part of the RFC 4514 grammar.)
fn decode_ber_value(hex: &str) -> Result<Vec<u8>, DnSyntaxError> {
    let bad = |reason| DnSyntaxError::InvalidBerValue { reason };
    let bytes = crate::hex::decode(hex).ok_or(bad("invalid hex"))?;
    let (&_tag, rest) = bytes.split_first().ok_or(bad("empty encoding"))?;
    let (&first_len, rest) = rest.split_first().ok_or(bad("missing length"))?;
    let (len, rest) = if first_len < 0x80 {
        (first_len as usize, rest)
    } else {
        let n = (first_len & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return Err(bad("unsupported length"));
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (len, &rest[n..])
    };
    let content = rest.get(..len).ok_or(bad("truncated content"))?;
    Ok(content.to_vec())
}

/// Why a DN is not usable as a Notation identity (notation-go
/// `internal/pkix` texts, quoting the DN as given).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnError {
    /// `=#` appears in the input.
    // Requirements: L4.
    #[error("unsupported distinguished name (DN) {}: notation does not support x509.subject identities containing \"=#\"", Q(.dn))]
    NumberSignValue {
        /// The DN as given.
        dn: String,
    },
    /// Not RFC 4514.
    #[error("parsing distinguished name (DN) {} failed with err: {error}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard", Q(.dn))]
    Syntax {
        /// The DN as given.
        dn: String,
        /// The parser's complaint.
        error: DnSyntaxError,
    },
    /// An RDN with `+`.
    #[error("distinguished name (DN) {} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported", Q(.dn))]
    MultiValuedRdn {
        /// The DN as given.
        dn: String,
    },
    /// The same attribute type twice (`S` counts as `ST`).
    #[error("distinguished name (DN) {} has duplicate RDN attribute for {}, DN can only have unique RDN attributes", Q(.dn), Q(.attribute))]
    DuplicateAttribute {
        /// The DN as given.
        dn: String,
        /// The repeated type.
        attribute: String,
    },
    /// `C`, `ST` or `O` missing or empty.
    // Requirements: L1.
    #[error("distinguished name (DN) {} has no mandatory RDN attribute for {}, it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum", Q(.dn), Q(.attribute))]
    MissingMandatoryAttribute {
        /// The DN as given.
        dn: String,
        /// `C`, `ST` or `O`.
        attribute: &'static str,
    },
}

/// A DN reduced to its attribute map, as notation-go compares identities:
/// type (as written, `S` folded into `ST`) to unescaped value, both compared
/// as bytes (see [`DnAttribute`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedDn {
    attributes: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// The attributes every policy identity and leaf subject must carry.
// Requirements: L1.
const MANDATORY_ATTRIBUTES: [&str; 3] = ["C", "ST", "O"];

impl ParsedDn {
    /// Parses a DN with notation-go's `ParseDistinguishedName` rules (see the
    /// module documentation).
    pub fn parse(dn: &str) -> Result<Self, DnError> {
        // L4: checked on the raw text, before any parsing or unescaping.
        if dn.contains("=#") {
            return Err(DnError::NumberSignValue { dn: dn.to_owned() });
        }
        let rdns = parse_rfc4514(dn).map_err(|source| DnError::Syntax {
            dn: dn.to_owned(),
            error: source,
        })?;
        let mut attributes: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for rdn in rdns {
            if rdn.len() > 1 {
                return Err(DnError::MultiValuedRdn { dn: dn.to_owned() });
            }
            for DnAttribute { attr_type, value } in rdn {
                let attr_type = if attr_type == b"S" {
                    b"ST".to_vec()
                } else {
                    attr_type
                };
                // As in Go, a type only counts as present once it has a
                // non-empty value (`C=,C=US` is accepted).
                match attributes.get(&attr_type) {
                    Some(existing) if !existing.is_empty() => {
                        return Err(DnError::DuplicateAttribute {
                            dn: dn.to_owned(),
                            attribute: String::from_utf8_lossy(&attr_type).into_owned(),
                        });
                    }
                    _ => {
                        attributes.insert(attr_type, value);
                    }
                }
            }
        }
        for attribute in MANDATORY_ATTRIBUTES {
            if attributes
                .get(attribute.as_bytes())
                .is_none_or(|v| v.is_empty())
            {
                return Err(DnError::MissingMandatoryAttribute {
                    dn: dn.to_owned(),
                    attribute,
                });
            }
        }
        Ok(Self { attributes })
    }

    /// Parses a certificate subject the way notation-go does for the leaf:
    /// render it as Go's `pkix.Name.String()` and parse that text with
    /// [`ParsedDn::parse`].
    // Requirements: L4.
    pub fn from_subject(subject: &DistinguishedName) -> Result<Self, DnError> {
        Self::parse(subject.as_str())
    }

    /// The value of one attribute type (`ST` for both `ST` and `S`); bytes
    /// that are not UTF-8 read as U+FFFD ([`ParsedDn::get_bytes`] has them).
    pub fn get(&self, attr_type: &str) -> Option<Cow<'_, str>> {
        self.get_bytes(attr_type).map(String::from_utf8_lossy)
    }

    /// The value of one attribute type, exactly.
    pub fn get_bytes(&self, attr_type: &str) -> Option<&[u8]> {
        self.attributes.get(attr_type.as_bytes()).map(Vec::as_slice)
    }

    /// All attributes, sorted by type (as bytes), read as text: bytes that
    /// are not UTF-8 read as U+FFFD.
    pub fn attributes(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
        self.attributes
            .iter()
            .map(|(k, v)| (String::from_utf8_lossy(k), String::from_utf8_lossy(v)))
    }

    /// Whether every attribute of `self` has the identical
    /// (case-sensitive) value in `other`. An absent attribute counts as the
    /// empty value, as with Go maps.
    pub fn is_subset_of(&self, other: &ParsedDn) -> bool {
        self.attributes
            .iter()
            .all(|(k, v)| other.attributes.get(k).map_or(&[][..], Vec::as_slice) == v)
    }

    /// Whether one of the two matches everything the other matches.
    // Requirements: L5.
    pub fn overlaps(&self, other: &ParsedDn) -> bool {
        self.is_subset_of(other) || other.is_subset_of(self)
    }
}

/// Go's `%q` rendering of a `map[string]string`: `map["C":"US" "O":"Org"]`.
struct GoMap<'a>(&'a ParsedDn);

impl fmt::Display for GoMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("map[")?;
        for (i, (k, v)) in self.0.attributes.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}:{}", GoQuotedBytes(k), GoQuotedBytes(v))?;
        }
        f.write_str("]")
    }
}

/// Go's `%q` of a `[]map[string]string`.
fn go_map_list(dns: &[ParsedDn]) -> String {
    let maps: Vec<String> = dns.iter().map(|d| GoMap(d).to_string()).collect();
    format!("[{}]", maps.join(" "))
}

/// Why the signing certificate does not satisfy a statement's trusted
/// identities (reported as an authenticity failure).
// Requirements: M2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustedIdentityError {
    /// Only identities with other prefixes, and no plugin handled them.
    // Requirements: J8.
    #[error("no x509 trusted identities are configured in the trust policy {}", Q(.statement))]
    NoX509Identities {
        /// The policy statement.
        statement: String,
    },
    /// The leaf subject is not parseable with the identity rules: it
    /// contains `=#`, repeats a type, or lacks `C`, `ST` or `O`.
    // Requirements: L4.
    #[error("error while parsing the certificate subject from the digital signature. error : {}", Q(&.error.to_string()))]
    LeafSubject {
        /// The leaf subject as Go renders it.
        subject: String,
        /// Why it could not be parsed.
        error: DnError,
    },
    /// No identity is a subset of the leaf subject.
    // Requirements: L2.
    #[error("signing certificate from the digital signature does not match the X.509 trusted identities {} defined in the trust policy {}", go_map_list(.identities), Q(.statement))]
    NoMatch {
        /// The policy statement.
        statement: String,
        /// The statement's `x509.subject` identities.
        identities: Vec<ParsedDn>,
        /// The leaf subject as Go renders it.
        subject: String,
    },
}

/// Checks the leaf (signing) certificate against a statement's trusted
/// identities, as notation-go `verifyX509TrustedIdentities` does: `*` accepts
/// any leaf; otherwise at least one `x509.subject` identity must be a subset
/// of the leaf subject. Identities with other prefixes are ignored here:
/// they are for a verification plugin.
// Requirements: L2, J8.
pub fn verify_trusted_identities(
    statement: &str,
    identities: &[TrustedIdentity],
    leaf: &Certificate,
) -> Result<(), TrustedIdentityError> {
    verify_trusted_identities_with(statement, identities, leaf, &|leaf| {
        ParsedDn::from_subject(leaf.subject()).map(std::sync::Arc::new)
    })
}

/// [`verify_trusted_identities`] with the leaf's subject read by `subject`
/// (as [`ParsedDn::from_subject`] reads it: a verifier remembers it).
pub(crate) fn verify_trusted_identities_with(
    statement: &str,
    identities: &[TrustedIdentity],
    leaf: &Certificate,
    subject: &dyn Fn(&Certificate) -> Result<std::sync::Arc<ParsedDn>, DnError>,
) -> Result<(), TrustedIdentityError> {
    if identities.iter().any(|i| matches!(i, TrustedIdentity::Any)) {
        return Ok(());
    }
    let x509: Vec<&ParsedDn> = identities
        .iter()
        .filter_map(|i| match i {
            TrustedIdentity::X509Subject { dn, .. } => Some(dn),
            _ => None,
        })
        .collect();
    if x509.is_empty() {
        return Err(TrustedIdentityError::NoX509Identities {
            statement: statement.to_owned(),
        });
    }
    let leaf_subject = leaf.subject().as_str();
    let leaf_dn = subject(leaf).map_err(|source| TrustedIdentityError::LeafSubject {
        subject: leaf_subject.to_owned(),
        error: source,
    })?;
    if x509.iter().any(|dn| dn.is_subset_of(&leaf_dn)) {
        return Ok(());
    }
    Err(TrustedIdentityError::NoMatch {
        statement: statement.to_owned(),
        identities: x509.into_iter().cloned().collect(),
        subject: leaf_subject.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(dn: &str) -> Vec<Vec<(String, String)>> {
        parse_rfc4514(dn)
            .unwrap()
            .into_iter()
            .map(|rdn| {
                rdn.into_iter()
                    .map(|a| (a.attr_type().into_owned(), a.value().into_owned()))
                    .collect()
            })
            .collect()
    }

    fn pairs(list: &[&[(&str, &str)]]) -> Vec<Vec<(String, String)>> {
        list.iter()
            .map(|rdn| {
                rdn.iter()
                    .map(|(t, v)| (t.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn go_ldap_grammar() {
        assert_eq!(attrs("CN=a,O=b"), pairs(&[&[("CN", "a")], &[("O", "b")]]));
        assert_eq!(attrs("CN=a;O=b"), pairs(&[&[("CN", "a")], &[("O", "b")]]));
        assert_eq!(
            attrs("OU=x+CN=y,DC=z"),
            pairs(&[&[("OU", "x"), ("CN", "y")], &[("DC", "z")]])
        );
        assert_eq!(
            attrs("  CN =  a b  , O= c"),
            pairs(&[&[("CN", "a b")], &[("O", "c")]])
        );
        assert_eq!(
            attrs(r"CN=a\,b\+c\;d\\e"),
            pairs(&[&[("CN", r"a,b+c;d\e")]])
        );
        assert_eq!(attrs(r"CN=\ a\ "), pairs(&[&[("CN", " a ")]]));
        assert_eq!(attrs(r"CN=a\  "), pairs(&[&[("CN", "a ")]]));
        assert_eq!(attrs(r"CN=\2C\c3\a9"), pairs(&[&[("CN", ",é")]]));
        assert_eq!(attrs("CN=a=b"), pairs(&[&[("CN", "a=b")]]));
        assert_eq!(attrs("=a=b"), pairs(&[&[("a", "b")]]));
        assert_eq!(attrs("CN=日本"), pairs(&[&[("CN", "日本")]]));
        assert_eq!(attrs("CN=#0c03616263"), pairs(&[&[("CN", "abc")]]));
        assert_eq!(attrs("CN="), pairs(&[&[("CN", "")]]));
        assert!(parse_rfc4514("   ").unwrap().is_empty());
    }

    #[test]
    fn go_ldap_errors() {
        let err = |s: &str| parse_rfc4514(s).unwrap_err().to_string();
        assert_eq!(err(",,,"), "incomplete type, value pair");
        assert_eq!(err("invalid"), "DN ended with incomplete type, value pair");
        assert_eq!(err("C=US,"), "DN ended with incomplete type, value pair");
        assert_eq!(err(r"CN=a\"), r"got corrupted escaped character: 'a\'");
        assert_eq!(
            err(r"CN=\g"),
            "failed to decode escaped character: encoding/hex: invalid byte: g"
        );
        assert_eq!(
            err(r"CN=\gg"),
            "failed to decode escaped character: encoding/hex: invalid byte: U+0067 'g'"
        );
        assert_eq!(
            err(r"CN=\éa"),
            "failed to decode escaped character: invalid byte: éa"
        );
        assert!(matches!(
            parse_rfc4514("CN=#zz").unwrap_err(),
            DnSyntaxError::InvalidBerValue { .. }
        ));
        assert!(matches!(
            parse_rfc4514("CN=#0c05ab").unwrap_err(),
            DnSyntaxError::InvalidBerValue { .. }
        ));
    }

    // internal/pkix tests, as listed in the MANIFEST.
    #[test]
    fn pkix_vectors() {
        let ok = ParsedDn::parse("C=US,ST=California,O=Notary Project").unwrap();
        assert_eq!(ok.get("ST").as_deref(), Some("California"));
        let alias = ParsedDn::parse("C=US,S=California,O=Notary Project").unwrap();
        assert_eq!(alias, ok);
        let err = |s: &str| ParsedDn::parse(s).unwrap_err();
        assert!(matches!(
            err("C=US,ST=California"),
            DnError::MissingMandatoryAttribute { attribute: "O", .. }
        ));
        assert!(matches!(
            err("C=US,O=Notary Project"),
            DnError::MissingMandatoryAttribute {
                attribute: "ST",
                ..
            }
        ));
        assert!(matches!(err("invalid"), DnError::Syntax { .. }));
        assert_eq!(
            err("C=US,ST=California,O=Notary Project,S=California").to_string(),
            "distinguished name (DN) \"C=US,ST=California,O=Notary Project,S=California\" has duplicate RDN attribute for \"ST\", DN can only have unique RDN attributes"
        );
        assert_eq!(
            err("C=US,ST=California,O=Notary Project=#").to_string(),
            "unsupported distinguished name (DN) \"C=US,ST=California,O=Notary Project=#\": notation does not support x509.subject identities containing \"=#\""
        );
        assert!(matches!(
            err("OU=Sales+CN=J.  Smith,DC=example,DC=net"),
            DnError::MultiValuedRdn { .. }
        ));
        assert_eq!(
            err("invalid").to_string(),
            "parsing distinguished name (DN) \"invalid\" failed with err: DN ended with incomplete type, value pair. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard"
        );
        // Case-sensitive types: `c` is not `C`.
        assert!(matches!(
            err("c=US,ST=WA,O=x"),
            DnError::MissingMandatoryAttribute { attribute: "C", .. }
        ));
        // An empty value does not count as present (Go map semantics).
        assert!(ParsedDn::parse("C=,C=US,ST=WA,O=x").is_ok());
        assert!(matches!(
            err("C=US,ST=WA,O="),
            DnError::MissingMandatoryAttribute { attribute: "O", .. }
        ));
    }

    #[test]
    fn subset_matching() {
        let policy = ParsedDn::parse("C=US,ST=WA,O=Org").unwrap();
        let leaf = ParsedDn::parse("C=US,ST=WA,O=Org,L=Seattle").unwrap();
        assert!(policy.is_subset_of(&leaf));
        assert!(!leaf.is_subset_of(&policy));
        assert!(policy.overlaps(&leaf));
        let other_org = ParsedDn::parse("C=US,ST=WA,O=Other").unwrap();
        assert!(!other_org.is_subset_of(&leaf));
        let with_cn = ParsedDn::parse("C=US,ST=WA,O=Org,CN=x").unwrap();
        assert!(!with_cn.is_subset_of(&leaf));
        let lower = ParsedDn::parse("C=US,ST=WA,O=org").unwrap();
        assert!(!lower.is_subset_of(&leaf), "values are case-sensitive");
    }

    #[test]
    fn go_map_rendering() {
        let dn = ParsedDn::parse("CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN").unwrap();
        assert_eq!(
            go_map_list(&[dn]),
            r#"[map["C":"IN" "CN":"LOL" "L":"Hyderabad" "O":"DummyOrg" "ST":"TG"]]"#
        );
    }

    #[test]
    fn escapes_that_are_not_utf8_are_kept_as_bytes_and_match_nothing() {
        // go-ldap keeps the bytes `\ff` decodes to: the DN is valid, and
        // its value is compared as bytes. A certificate subject is rendered
        // as text (a byte that is not UTF-8 reads as U+FFFD), so the
        // identity matches no certificate.
        let rdns = parse_rfc4514(r"CN=a\ffb").unwrap();
        assert_eq!(rdns[0][0].value_bytes(), b"a\xffb");
        assert_eq!(rdns[0][0].value(), "a\u{fffd}b");
        let raw = ParsedDn::parse(r"C=US,ST=WA,O=\ff").unwrap();
        assert_eq!(raw.get_bytes("O"), Some(&b"\xff"[..]));
        assert_eq!(raw.get("O").as_deref(), Some("\u{fffd}"));
        let replacement = ParsedDn::parse("C=US,ST=WA,O=\u{fffd}").unwrap();
        assert!(!raw.is_subset_of(&replacement));
        assert!(!replacement.is_subset_of(&raw));
        // The same bytes are the same value (overlapping identities).
        let with_ou = ParsedDn::parse(r"C=US,ST=WA,O=\FF,OU=x").unwrap();
        assert!(raw.overlaps(&with_ou));
        // Go's %q writes the byte as \xff.
        assert_eq!(
            go_map_list(&[raw]),
            r#"[map["C":"US" "O":"\xff" "ST":"WA"]]"#
        );
        // A type that is not UTF-8 is a type of its own.
        let odd_type = ParsedDn::parse(r"C=US,ST=WA,O=x,\c3=y").unwrap();
        assert_eq!(odd_type.attributes().count(), 4);
        assert!(!odd_type.is_subset_of(&ParsedDn::parse("C=US,ST=WA,O=x,\u{fffd}=y").unwrap()));
    }

    #[test]
    fn hostile_dns_do_not_panic() {
        let long = "a".repeat(1 << 16);
        for dn in [
            "\\".to_string(),
            "=".to_string(),
            "==,,++;;".to_string(),
            format!("C={long},ST=x,O=y"),
            "\\\\\\\\\\".to_string(),
            "C=\\é".to_string(),
            "C=\\".to_string(),
            "é=é,\\é".to_string(),
            "C=#".to_string(),
            "C=#30".to_string(),
            "C=#3084ffffffff".to_string(),
        ] {
            let _ = ParsedDn::parse(&dn);
            let _ = parse_rfc4514(&dn);
        }
    }
}
