//! Time formats of the reference implementation, reproduced so that messages
//! and `inspect` output match it.

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

/// Parses RFC 3339 as Go decodes a `time.Time` from JSON: its fast
/// parser, and where that fails `time.Parse(time.RFC3339, ...)` (Go's
/// stricter checks of go.dev/issue/54580 are switched off). So: a
/// four-digit year, two-digit month, day, minute and second, an hour of
/// one or two digits, an uppercase `T`; an optional fraction after `.` or
/// `,`; then an uppercase `Z` or `±hh:mm` with an offset hour up to 24 and
/// minute up to 60. The day must exist in its month; no leap second. The
/// offset is kept.
pub fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, String> {
    let bad = || format!("{s:?} is not an RFC 3339 time");
    let b = s.as_bytes();
    let mut at = 0;
    // `count` digits exactly (or, with `one_or_two`, one or two) at `at`.
    let digits = |at: &mut usize, count: usize, one_or_two: bool| -> Option<u32> {
        let rest = b.get(*at..)?;
        let avail = rest
            .iter()
            .take(count)
            .take_while(|c| c.is_ascii_digit())
            .count();
        let len = if one_or_two && avail >= 1 {
            avail
        } else {
            count
        };
        if avail < len {
            return None;
        }
        let n = rest[..len]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        *at += len;
        Some(n)
    };
    // The literal `c` at `at`, passed.
    let literal =
        |at: &mut usize, c: u8| -> Option<()> { (b.get(*at) == Some(&c)).then(|| *at += 1) };
    let mut field = |count: usize, one_or_two: bool, then: Option<u8>| -> Result<u32, String> {
        let n = digits(&mut at, count, one_or_two).ok_or_else(bad)?;
        if let Some(c) = then {
            literal(&mut at, c).ok_or_else(bad)?;
        }
        Ok(n)
    };
    let year = field(4, false, Some(b'-'))?;
    let month = field(2, false, Some(b'-'))?;
    let day = field(2, false, Some(b'T'))?;
    let hour = field(2, true, Some(b':'))?;
    let minute = field(2, false, Some(b':'))?;
    let second = field(2, false, None)?;
    let mut nanos = 0u32;
    if matches!(b.get(at), Some(b'.' | b',')) && b.get(at + 1).is_some_and(u8::is_ascii_digit) {
        at += 1;
        let len = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        // Go keeps nanoseconds: digits past the ninth are dropped.
        for (i, d) in b[at..at + len].iter().enumerate().take(9) {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
        at += len;
    }
    let offset_seconds = match &b[at..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
        {
            let h = i32::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i32::from((m1 - b'0') * 10 + (m2 - b'0'));
            if h > 24 || m > 60 {
                return Err(bad());
            }
            let seconds = h * 3600 + m * 60;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return Err(bad()),
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    let month =
        time::Month::try_from(u8::try_from(month).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| bad())?;
    let clock = time::Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos)
        .map_err(|_| bad())?;
    let offset = UtcOffset::from_whole_seconds(offset_seconds).map_err(|_| bad())?;
    Ok(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
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
        // What Go's JSON time decoding refuses (the `time` crate's RFC
        // 3339 parser takes some of it).
        for bad in [
            "2024-12-31 08:05:29Z",
            "2024-12-31t08:05:29Z",
            "2024-12-31T08:05:29z",
            "2024-12-31T08:05:60Z",
            "2024-12-31T24:05:29Z",
            "2024-12-31T08:05:29.Z",
            "2024-12-31T08:05:29+25:00",
            "2024-12-31T08:05:29+08:61",
            "2024-12-31T08:05:29+0800",
            "2024-02-30T08:05:29Z",
            "2024-12-31T08:05:29",
            "2024-12-31T08:05:29Zjunk",
            "",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
        // What Go takes and the `time` crate would not: a one-digit hour, a
        // comma before the fraction, an offset of 24 hours or 60 minutes,
        // more than nine fraction digits.
        assert_eq!(
            parse_rfc3339("2024-12-31T8:05:29,5Z").unwrap(),
            datetime!(2024-12-31 08:05:29.5 UTC)
        );
        assert_eq!(
            parse_rfc3339("2024-12-31T08:05:29+24:00").unwrap().offset(),
            UtcOffset::from_whole_seconds(24 * 3600).unwrap()
        );
        assert_eq!(
            parse_rfc3339("2024-12-31T08:05:29-00:60").unwrap().offset(),
            UtcOffset::from_whole_seconds(-3600).unwrap()
        );
        assert_eq!(
            parse_rfc3339("2024-12-31T08:05:29.1234567891Z")
                .unwrap()
                .nanosecond(),
            123_456_789
        );
        assert!(parse_rfc3339("2024-12-31T08:05:29.123456789-07:30").is_ok());
        assert_eq!(rfc3339_nano(f), "2024-12-31T08:05:29.509Z");
    }
}
