//! PKCS#11 URIs (RFC 7512): which module, token and object a key is.
//!
//! ```text
//! pkcs11:token=Notation;object=release-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin
//! ```
//!
//! The parser follows the RFC's grammar strictly: path attributes are
//! separated by `;`, query attributes by `&`; every character outside the
//! RFC's sets must be percent-encoded (`%20` for a space), and `%` must be
//! followed by two hexadecimal digits. A standard attribute appears at most
//! once. An unknown path attribute (including a vendor `x-` one) would match
//! nothing (RFC 7512, section 2.3), so it is rejected with an error that
//! names it; unknown vendor query attributes are ignored, as the RFC asks.
//!
//! `pin-value` is a secret: [`Pkcs11Uri`]'s `Display` and `Debug` print it
//! as `<redacted>`, and [`Pkcs11Uri::redacted`] gives the URI without it.

use std::fmt;

use crate::pin::Pin;

/// Longest URI accepted (a URI names one object; anything longer is not one).
pub const MAX_URI_LENGTH: usize = 8 * 1024;

/// The object classes a URI's `type` attribute can name (RFC 7512, 2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectType {
    /// `type=public`: a public key.
    Public,
    /// `type=private`: a private key.
    Private,
    /// `type=cert`: a certificate.
    Cert,
    /// `type=secret-key`: a secret key.
    SecretKey,
    /// `type=data`: a data object.
    Data,
}

impl ObjectType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "public" => ObjectType::Public,
            "private" => ObjectType::Private,
            "cert" => ObjectType::Cert,
            "secret-key" => ObjectType::SecretKey,
            "data" => ObjectType::Data,
            _ => return None,
        })
    }

    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Public => "public",
            ObjectType::Private => "private",
            ObjectType::Cert => "cert",
            ObjectType::SecretKey => "secret-key",
            ObjectType::Data => "data",
        }
    }
}

/// Why a PKCS#11 URI was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// The text does not start with `pkcs11:`.
    #[error("not a PKCS#11 URI: it must start with \"pkcs11:\"")]
    NotPkcs11,
    /// Longer than [`MAX_URI_LENGTH`].
    #[error("PKCS#11 URI is longer than {MAX_URI_LENGTH} bytes")]
    TooLong,
    /// A character the grammar does not allow there, unencoded.
    #[error(
        "invalid character {character:?} at byte {position} of the PKCS#11 URI (percent-encode it)"
    )]
    InvalidCharacter {
        /// The character.
        character: char,
        /// Its byte offset.
        position: usize,
    },
    /// `%` not followed by two hexadecimal digits.
    #[error("invalid percent-encoding at byte {position} of the PKCS#11 URI")]
    InvalidPercentEncoding {
        /// The byte offset of the `%`.
        position: usize,
    },
    /// An attribute without `=`, or an empty attribute (`;;`).
    #[error("malformed PKCS#11 URI attribute {0:?}: expected name=value")]
    MalformedAttribute(String),
    /// A standard attribute given twice.
    #[error("PKCS#11 URI attribute {0:?} appears more than once")]
    DuplicateAttribute(String),
    /// An attribute this implementation does not know (a path attribute
    /// would match nothing; a query attribute other than a vendor one).
    #[error("unsupported PKCS#11 URI attribute {0:?}")]
    UnknownAttribute(String),
    /// An attribute whose decoded value is not valid (not UTF-8, not a
    /// number, not one of the allowed values).
    #[error("invalid value for PKCS#11 URI attribute {attribute:?}: {reason}")]
    InvalidValue {
        /// The attribute.
        attribute: String,
        /// Why.
        reason: String,
    },
    /// Both `pin-value` and `pin-source`: which one is meant is unclear.
    #[error("a PKCS#11 URI may give pin-value or pin-source, not both")]
    PinValueAndSource,
    /// A malformed `pin-value`, or a malformed query attribute after one:
    /// its text may be part of the PIN (an unencoded `&` splits the PIN
    /// into attributes), so it is not shown.
    #[error(
        "malformed PKCS#11 URI at or after pin-value (not shown: it may hold the PIN); percent-encode the PIN's reserved characters (& ; # % space), or use pin-source"
    )]
    MalformedPinValue,
}

/// A parsed RFC 7512 PKCS#11 URI.
///
/// Path attributes select the module's slot, token and object; query
/// attributes say how to reach them (`module-path`, `module-name`) and how
/// to log in (`pin-source`, `pin-value`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    token: Option<String>,
    manufacturer: Option<String>,
    serial: Option<String>,
    model: Option<String>,
    library_manufacturer: Option<String>,
    library_description: Option<String>,
    library_version: Option<(u8, u8)>,
    object: Option<String>,
    object_type: Option<ObjectType>,
    id: Option<Vec<u8>>,
    slot_description: Option<String>,
    slot_manufacturer: Option<String>,
    slot_id: Option<u64>,
    pin_source: Option<String>,
    pin_value: Option<Pin>,
    module_name: Option<String>,
    module_path: Option<String>,
}

/// The characters RFC 7512 lets stand unencoded in a path value
/// (`pk11-pchar` without `pct-encoded`).
fn is_path_char(b: u8) -> bool {
    is_unreserved(b) || is_res_avoid(b) || b == b'&'
}

/// The same for a query value (`pk11-qchar`).
fn is_query_char(b: u8) -> bool {
    is_unreserved(b) || is_res_avoid(b) || matches!(b, b'/' | b'?' | b'|')
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_res_avoid(b: u8) -> bool {
    matches!(
        b,
        b':' | b'[' | b']' | b'@' | b'!' | b'$' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b'='
    )
}

/// Percent-decodes `raw` (which starts at byte `offset` of the URI),
/// allowing unencoded only the bytes `allowed` accepts.
fn decode(raw: &str, offset: usize, allowed: fn(u8) -> bool) -> Result<Vec<u8>, UriError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
                _ => {
                    return Err(UriError::InvalidPercentEncoding {
                        position: offset + i,
                    });
                }
            }
            i += 3;
        } else if allowed(b) {
            out.push(b);
            i += 1;
        } else {
            let character = raw[i..].chars().next().unwrap_or('\u{fffd}');
            return Err(UriError::InvalidCharacter {
                character,
                position: offset + i,
            });
        }
    }
    Ok(out)
}

/// Percent-encodes `value` for a path (`query == false`) or query value.
fn encode(value: &[u8], query: bool, out: &mut String) {
    for &b in value {
        let plain = if query {
            is_query_char(b)
        } else {
            is_path_char(b)
        };
        // `=` and `&` stay legal but are encoded where they would confuse a
        // reader of the query; `;` never appears unencoded in either.
        if plain && !(query && b == b'&') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

fn text(attribute: &str, value: Vec<u8>) -> Result<String, UriError> {
    String::from_utf8(value).map_err(|_| UriError::InvalidValue {
        attribute: attribute.to_string(),
        reason: "not valid UTF-8".into(),
    })
}

fn set<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), UriError> {
    if slot.is_some() {
        return Err(UriError::DuplicateAttribute(name.to_string()));
    }
    *slot = Some(value);
    Ok(())
}

fn number<T: std::str::FromStr>(attribute: &str, digits: &str) -> Result<T, UriError> {
    let invalid = || UriError::InvalidValue {
        attribute: attribute.to_string(),
        reason: format!("{digits:?} is not a number in range"),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    digits.parse().map_err(|_| invalid())
}

/// Splits `segment` (starting at byte `offset`) at its first `=`; the name
/// must be non-empty.
fn split_attribute(segment: &str) -> Result<(&str, &str), UriError> {
    match segment.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name, value)),
        _ => Err(UriError::MalformedAttribute(segment.to_string())),
    }
}

impl std::str::FromStr for Pkcs11Uri {
    type Err = UriError;

    fn from_str(s: &str) -> Result<Self, UriError> {
        Self::parse(s)
    }
}

impl Pkcs11Uri {
    /// Parses a PKCS#11 URI (RFC 7512).
    pub fn parse(uri: &str) -> Result<Self, UriError> {
        if uri.len() > MAX_URI_LENGTH {
            return Err(UriError::TooLong);
        }
        const SCHEME: &str = "pkcs11:";
        // The scheme is case-insensitive (RFC 3986, 3.1).
        if !uri
            .get(..SCHEME.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
        {
            return Err(UriError::NotPkcs11);
        }
        let rest = &uri[SCHEME.len()..];
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut parsed = Pkcs11Uri::default();
        if !path.is_empty() {
            let mut offset = SCHEME.len();
            for segment in path.split(';') {
                parsed.path_attribute(segment, offset)?;
                offset += segment.len() + 1;
            }
        }
        if let Some(query) = query {
            let mut offset = SCHEME.len() + path.len() + 1;
            if !query.is_empty() {
                // From `pin-value` on, an error names nothing of the text: a
                // PIN with an unencoded `&` runs into the next attributes.
                let mut pin_seen = false;
                for segment in query.split('&') {
                    pin_seen |= segment.starts_with("pin-value=") || segment == "pin-value";
                    parsed
                        .query_attribute(segment, offset)
                        .map_err(|e| match e {
                            UriError::DuplicateAttribute(_)
                            | UriError::MalformedAttribute(_)
                            | UriError::UnknownAttribute(_)
                            | UriError::InvalidCharacter { .. }
                            | UriError::InvalidPercentEncoding { .. }
                            | UriError::InvalidValue { .. }
                                if pin_seen =>
                            {
                                UriError::MalformedPinValue
                            }
                            other => other,
                        })?;
                    offset += segment.len() + 1;
                }
            }
        }
        if parsed.pin_value.is_some() && parsed.pin_source.is_some() {
            return Err(UriError::PinValueAndSource);
        }
        Ok(parsed)
    }

    fn path_attribute(&mut self, segment: &str, offset: usize) -> Result<(), UriError> {
        let (name, raw) = split_attribute(segment)?;
        let value = decode(raw, offset + name.len() + 1, is_path_char)?;
        match name {
            "token" => set(&mut self.token, name, text(name, value)?),
            "manufacturer" => set(&mut self.manufacturer, name, text(name, value)?),
            "serial" => set(&mut self.serial, name, text(name, value)?),
            "model" => set(&mut self.model, name, text(name, value)?),
            "library-manufacturer" => set(&mut self.library_manufacturer, name, text(name, value)?),
            "library-description" => set(&mut self.library_description, name, text(name, value)?),
            "library-version" => {
                let v = text(name, value)?;
                let (major, minor) = v.split_once('.').unwrap_or((&v, "0"));
                let version = (number(name, major)?, number(name, minor)?);
                set(&mut self.library_version, name, version)
            }
            "object" => set(&mut self.object, name, text(name, value)?),
            "type" => {
                let v = text(name, value)?;
                let t = ObjectType::parse(&v).ok_or_else(|| UriError::InvalidValue {
                    attribute: name.to_string(),
                    reason: format!("{v:?} is not one of public, private, cert, secret-key, data"),
                })?;
                set(&mut self.object_type, name, t)
            }
            "id" => set(&mut self.id, name, value),
            "slot-description" => set(&mut self.slot_description, name, text(name, value)?),
            "slot-manufacturer" => set(&mut self.slot_manufacturer, name, text(name, value)?),
            "slot-id" => {
                let v = text(name, value)?;
                set(&mut self.slot_id, name, number(name, &v)?)
            }
            // RFC 7512, 2.3: an unrecognized path attribute, vendor ones
            // included, matches no object; say so instead of finding none.
            other => Err(UriError::UnknownAttribute(other.to_string())),
        }
    }

    fn query_attribute(&mut self, segment: &str, offset: usize) -> Result<(), UriError> {
        let (name, raw) = split_attribute(segment)?;
        let value = decode(raw, offset + name.len() + 1, is_query_char)?;
        match name {
            "pin-source" => set(&mut self.pin_source, name, text(name, value)?),
            "pin-value" => set(&mut self.pin_value, name, Pin::from_bytes(value)),
            "module-name" => set(&mut self.module_name, name, text(name, value)?),
            "module-path" => set(&mut self.module_path, name, text(name, value)?),
            // Vendor query attributes may repeat and are ignored.
            vendor if vendor.starts_with("x-") && is_vendor_name(&vendor[2..]) => Ok(()),
            other => Err(UriError::UnknownAttribute(other.to_string())),
        }
    }

    /// `token=`: the token label.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// `manufacturer=`: the token's manufacturer id.
    pub fn manufacturer(&self) -> Option<&str> {
        self.manufacturer.as_deref()
    }

    /// `serial=`: the token's serial number.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }

    /// `model=`: the token's model.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// `library-manufacturer=`.
    pub fn library_manufacturer(&self) -> Option<&str> {
        self.library_manufacturer.as_deref()
    }

    /// `library-description=`.
    pub fn library_description(&self) -> Option<&str> {
        self.library_description.as_deref()
    }

    /// `library-version=`: major and minor.
    pub fn library_version(&self) -> Option<(u8, u8)> {
        self.library_version
    }

    /// `object=`: the object label (`CKA_LABEL`).
    pub fn object(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// `type=`: the object class.
    pub fn object_type(&self) -> Option<ObjectType> {
        self.object_type
    }

    /// `id=`: the object id (`CKA_ID`), decoded bytes.
    pub fn id(&self) -> Option<&[u8]> {
        self.id.as_deref()
    }

    /// `slot-description=`.
    pub fn slot_description(&self) -> Option<&str> {
        self.slot_description.as_deref()
    }

    /// `slot-manufacturer=`.
    pub fn slot_manufacturer(&self) -> Option<&str> {
        self.slot_manufacturer.as_deref()
    }

    /// `slot-id=`.
    pub fn slot_id(&self) -> Option<u64> {
        self.slot_id
    }

    /// `pin-source=`: where to read the PIN (a `file:` URI or a path).
    pub fn pin_source(&self) -> Option<&str> {
        self.pin_source.as_deref()
    }

    /// `pin-value=`: the PIN itself.
    pub fn pin_value(&self) -> Option<&Pin> {
        self.pin_value.as_ref()
    }

    /// `module-name=`: the module's name without directory or suffix.
    pub fn module_name(&self) -> Option<&str> {
        self.module_name.as_deref()
    }

    /// `module-path=`: the module's file.
    pub fn module_path(&self) -> Option<&str> {
        self.module_path.as_deref()
    }

    /// Whether the URI names an object (by label or id).
    pub fn names_object(&self) -> bool {
        self.object.is_some() || self.id.is_some()
    }

    /// The URI in canonical form with `pin-value` left out: safe to log,
    /// print and store.
    pub fn redacted(&self) -> String {
        self.write(None)
    }

    /// The URI in canonical form, `pin-value` included. Do not log it.
    pub fn to_uri_string(&self) -> String {
        self.write(self.pin_value.as_ref().map(|p| p.expose()))
    }

    fn write(&self, pin: Option<&[u8]>) -> String {
        let mut out = String::from("pkcs11:");
        let mut first = true;
        let mut path = |name: &str, value: &[u8]| {
            if !first {
                out.push(';');
            }
            first = false;
            out.push_str(name);
            out.push('=');
            encode(value, false, &mut out);
        };
        let version = self.library_version.map(|(a, b)| format!("{a}.{b}"));
        let slot_id = self.slot_id.map(|s| s.to_string());
        for (name, value) in [
            ("library-manufacturer", self.library_manufacturer.as_deref()),
            ("library-description", self.library_description.as_deref()),
            ("library-version", version.as_deref()),
            ("slot-manufacturer", self.slot_manufacturer.as_deref()),
            ("slot-description", self.slot_description.as_deref()),
            ("slot-id", slot_id.as_deref()),
            ("manufacturer", self.manufacturer.as_deref()),
            ("model", self.model.as_deref()),
            ("serial", self.serial.as_deref()),
            ("token", self.token.as_deref()),
            ("object", self.object.as_deref()),
            ("type", self.object_type.map(ObjectType::as_str)),
        ] {
            if let Some(v) = value {
                path(name, v.as_bytes());
            }
        }
        if let Some(id) = &self.id {
            path("id", id);
        }
        let mut query = Vec::new();
        for (name, value) in [
            (
                "module-name",
                self.module_name.as_deref().map(str::as_bytes),
            ),
            (
                "module-path",
                self.module_path.as_deref().map(str::as_bytes),
            ),
            ("pin-source", self.pin_source.as_deref().map(str::as_bytes)),
            ("pin-value", pin),
        ] {
            if let Some(v) = value {
                let mut item = format!("{name}=");
                encode(v, true, &mut item);
                query.push(item);
            }
        }
        if !query.is_empty() {
            out.push('?');
            out.push_str(&query.join("&"));
        }
        out
    }
}

fn is_vendor_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl fmt::Display for Pkcs11Uri {
    /// The redacted form, with `pin-value=<redacted>` when the URI has one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())?;
        if self.pin_value.is_some() {
            let sep = if self.redacted().contains('?') {
                '&'
            } else {
                '?'
            };
            write!(f, "{sep}pin-value=<redacted>")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pkcs11Uri({self})")
    }
}

#[cfg(test)]
mod tests;
