//! Durations written the way Go's `time.ParseDuration` reads them (`24h`,
//! `30m`, `3h20m`, `1.5h`, `90s`), which is what the reference's `--expiry`
//! flag takes. [`parse_lifetime`] also accepts whole days (`365d`), which Go
//! durations lack and certificate lifetimes want.

use std::fmt;

use time::Duration;

/// A duration that does not parse; the text follows Go's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationError(String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DurationError {}

/// Parses a Go duration (`time.ParseDuration`): an optional sign, then one
/// or more decimal numbers with an optional fraction and a unit among `ns`,
/// `us` (`µs`), `ms`, `s`, `m`, `h`; `0` alone is allowed.
pub fn parse_go_duration(s: &str) -> Result<Duration, DurationError> {
    parse(s, false)
}

/// As [`parse_go_duration`], also accepting `d` (24 hours).
pub fn parse_lifetime(s: &str) -> Result<Duration, DurationError> {
    parse(s, true)
}

fn parse(orig: &str, allow_days: bool) -> Result<Duration, DurationError> {
    let invalid = || {
        DurationError(format!(
            "time: invalid duration {}",
            crate::error::go_quote(orig)
        ))
    };
    let mut s = orig;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    // Total in nanoseconds; i128 leaves room to detect overflow of Go's
    // int64 range, which we enforce too.
    let mut total: i128 = 0;
    while !s.is_empty() {
        let bytes = s.as_bytes();
        if !(bytes[0].is_ascii_digit() || bytes[0] == b'.') {
            return Err(invalid());
        }
        let int_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
            frac_part = &rest[..frac_len];
            s = &rest[frac_len..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        if unit.is_empty() {
            return Err(DurationError(format!(
                "time: missing unit in duration {}",
                crate::error::go_quote(orig)
            )));
        }
        let unit_nanos: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            "d" if allow_days => 86_400 * 1_000_000_000,
            _ => {
                return Err(DurationError(format!(
                    "time: unknown unit {} in duration {}",
                    crate::error::go_quote(unit),
                    crate::error::go_quote(orig)
                )));
            }
        };
        let int_value: i128 = if int_part.is_empty() {
            0
        } else {
            // More than 20 digits overflows int64 nanoseconds anyway.
            if int_part.len() > 20 {
                return Err(invalid());
            }
            int_part.parse().map_err(|_| invalid())?
        };
        let mut value = int_value.checked_mul(unit_nanos).ok_or_else(invalid)?;
        // The fraction, to nanosecond precision (Go truncates too).
        let mut scale = unit_nanos;
        for d in frac_part.bytes().take(30) {
            scale /= 10;
            if scale == 0 {
                break;
            }
            value += i128::from(d - b'0') * scale;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        if total > i128::from(i64::MAX) {
            return Err(invalid());
        }
    }
    let nanos = if negative { -total } else { total };
    Ok(Duration::nanoseconds(nanos as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("24h").unwrap(), Duration::hours(24));
        assert_eq!(parse_go_duration("3h20m").unwrap(), Duration::minutes(200));
        assert_eq!(parse_go_duration("1.5h").unwrap(), Duration::minutes(90));
        assert_eq!(parse_go_duration("1s").unwrap(), Duration::seconds(1));
        assert_eq!(
            parse_go_duration("500ms").unwrap(),
            Duration::milliseconds(500)
        );
        assert_eq!(parse_go_duration("-1h").unwrap(), Duration::hours(-1));
        assert_eq!(parse_go_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(
            parse_go_duration(".5s").unwrap(),
            Duration::milliseconds(500)
        );
        assert_eq!(parse_go_duration("1µs").unwrap(), Duration::microseconds(1));
        assert_eq!(
            parse_go_duration("").unwrap_err().to_string(),
            r#"time: invalid duration """#
        );
        assert_eq!(
            parse_go_duration("abc").unwrap_err().to_string(),
            r#"time: invalid duration "abc""#
        );
        assert_eq!(
            parse_go_duration("10").unwrap_err().to_string(),
            r#"time: missing unit in duration "10""#
        );
        assert_eq!(
            parse_go_duration("10d").unwrap_err().to_string(),
            r#"time: unknown unit "d" in duration "10d""#
        );
        assert!(parse_go_duration("99999999999999999999h").is_err());
        assert!(parse_go_duration("1h.").is_err());
        assert_eq!(parse_lifetime("365d").unwrap(), Duration::days(365));
        assert_eq!(parse_lifetime("1d12h").unwrap(), Duration::hours(36));
    }
}
