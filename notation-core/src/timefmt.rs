//! Time formats of the reference implementation, reproduced so that messages
//! and `inspect` output match it.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Go's `time.RFC1123Z` in the time's own offset:
/// `Fri, 29 Jul 2022 23:59:00 +0000`.
pub fn rfc1123z(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    ))
    .unwrap_or_else(|_| t.to_string())
}

/// Go's `t.UTC().String()`: `2022-06-30 19:20:03 +0000 UTC`.
pub fn go_utc_string(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let base = t
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|_| t.to_string());
    format!("{base}{} +0000 UTC", fraction(t.nanosecond()))
}

/// Go's `time.ANSIC` in the time's own offset: `Tue Jan  7 08:42:43 2025`.
pub fn ansic(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]"
    ))
    .unwrap_or_else(|_| t.to_string())
}

/// Go's `time.RFC3339` (whole seconds): `2024-12-31T08:05:29Z` or with an
/// offset `2023-06-27T13:30:33+08:00`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let base = t
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|_| t.to_string());
    format!("{base}{}", offset(t.offset()))
}

/// Go's `time.RFC3339Nano` (trailing zeros of the fraction trimmed), which
/// is also how Go marshals a `time.Time` to JSON.
pub fn rfc3339_nano(t: OffsetDateTime) -> String {
    let base = t
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|_| t.to_string());
    format!("{base}{}{}", fraction(t.nanosecond()), offset(t.offset()))
}

/// Go's RFC 3339 `[YYYY-MM-DD]T[hh:mm:ss]Z` with milliseconds trimmed as
/// `RFC3339Nano` does, but in UTC.
pub fn rfc3339_nano_utc(t: OffsetDateTime) -> String {
    rfc3339_nano(t.to_offset(UtcOffset::UTC))
}

/// Parses RFC 3339 as Go decodes a `time.Time` from JSON (its strict
/// `parseStrictRFC3339`): `YYYY-MM-DDThh:mm:ss`, an optional `.` and
/// fraction, then `Z` or `±hh:mm`; an uppercase `T` and `Z`, two-digit
/// fields in range (no leap second), the offset kept.
pub fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, String> {
    check_go_rfc3339(s.as_bytes())?;
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| e.to_string())
}

/// The byte layout Go's strict RFC 3339 parser takes; the calendar (the
/// day in its month) is left to the `time` crate.
fn check_go_rfc3339(b: &[u8]) -> Result<(), String> {
    let bad = || format!("{:?} is not an RFC 3339 time", String::from_utf8_lossy(b));
    let num = |at: usize, len: usize, max: u32| -> Result<(), String> {
        let digits = b.get(at..at + len).ok_or_else(bad)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let n = digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        if n > max { Err(bad()) } else { Ok(()) }
    };
    if b.len() < 20 {
        return Err(bad());
    }
    num(0, 4, 9999)?;
    num(5, 2, 12)?;
    num(8, 2, 31)?;
    num(11, 2, 23)?;
    num(14, 2, 59)?;
    num(17, 2, 59)?;
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &rest[1 + digits..];
    }
    match rest {
        [b'Z'] => Ok(()),
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let zone = [*h1, *h2, *m1, *m2];
            if !zone.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            let (h, m) = (
                (h1 - b'0') * 10 + (h2 - b'0'),
                (m1 - b'0') * 10 + (m2 - b'0'),
            );
            if h > 23 || m > 59 { Err(bad()) } else { Ok(()) }
        }
        _ => Err(bad()),
    }
}

fn fraction(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

fn offset(o: UtcOffset) -> String {
    if o.is_utc() {
        return "Z".into();
    }
    let (h, m, _) = o.as_hms();
    let sign = if o.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn go_formats() {
        let t = datetime!(2022-07-29 23:59:00 UTC);
        assert_eq!(rfc1123z(t), "Fri, 29 Jul 2022 23:59:00 +0000");
        assert_eq!(
            go_utc_string(datetime!(2022-06-30 19:20:03 UTC)),
            "2022-06-30 19:20:03 +0000 UTC"
        );
        assert_eq!(
            ansic(datetime!(2025-01-07 08:42:43 UTC)),
            "Tue Jan  7 08:42:43 2025"
        );
        assert_eq!(rfc3339(t), "2022-07-29T23:59:00Z");
        let p = parse_rfc3339("2023-06-27T13:30:33+08:00").unwrap();
        assert_eq!(rfc3339(p), "2023-06-27T13:30:33+08:00");
        assert_eq!(rfc1123z(p), "Tue, 27 Jun 2023 13:30:33 +0800");
        let f = parse_rfc3339("2024-12-31T08:05:29.509Z").unwrap();
        // What Go's strict JSON time parser refuses (and the `time` crate's
        // RFC 3339 parser would take some of).
        for bad in [
            "2024-12-31 08:05:29Z",
            "2024-12-31t08:05:29Z",
            "2024-12-31T08:05:29z",
            "2024-12-31T08:05:60Z",
            "2024-12-31T8:05:29Z",
            "2024-12-31T08:05:29,5Z",
            "2024-12-31T08:05:29.Z",
            "2024-12-31T08:05:29+24:00",
            "2024-12-31T08:05:29+08:60",
            "2024-12-31T08:05:29+0800",
            "2024-02-30T08:05:29Z",
            "2024-12-31T08:05:29",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
        assert!(parse_rfc3339("2024-12-31T08:05:29.123456789-07:30").is_ok());
        assert_eq!(rfc3339_nano(f), "2024-12-31T08:05:29.509Z");
    }
}
