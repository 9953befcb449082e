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

/// The error Go's `time.Parse(time.RFC3339, s)` gives for `s`, for a time
/// [`parse_rfc3339`] refuses (Go refuses the same): `parsing time "x" as
/// "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`, or `parsing
/// time "...": month out of range`. Go's parser is followed element by
/// element of the layout: each element's value, or the literal before it.
pub fn go_rfc3339_parse_error(s: &str) -> String {
    const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";
    let cannot = |value: &str, element: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(s),
            go_quote(LAYOUT),
            go_quote(value),
            go_quote(element)
        )
    };
    let out_of_range = |what: &str| format!("parsing time {}: {what} out of range", go_quote(s));
    let digit = |v: &[u8], i: usize| v.get(i).is_some_and(u8::is_ascii_digit);
    // Go's getnum: one or two digits, or exactly two when `fixed`.
    let number = |v: &[u8], fixed: bool| -> Option<(u32, usize)> {
        if !digit(v, 0) {
            return None;
        }
        if !digit(v, 1) {
            return (!fixed).then(|| (u32::from(v[0] - b'0'), 1));
        }
        Some((u32::from(v[0] - b'0') * 10 + u32::from(v[1] - b'0'), 2))
    };
    let mut value = s;
    // The literal before an element.
    macro_rules! literal {
        ($c:literal) => {
            match value.strip_prefix($c) {
                Some(rest) => value = rest,
                None => return cannot(value, $c),
            }
        };
    }
    // An element of two digits (`fixed`) or one or two, with its range.
    macro_rules! field {
        ($element:literal, $fixed:expr, $ok:expr, $what:literal) => {{
            let Some((n, len)) = number(value.as_bytes(), $fixed) else {
                return cannot(value, $element);
            };
            value = &value[len..];
            if !$ok(n) {
                return out_of_range($what);
            }
            n
        }};
    }
    // The year: four bytes, the first a digit, all digits.
    let year = match value.get(..4) {
        Some(y) if y.bytes().all(|c| c.is_ascii_digit()) => {
            value = &value[4..];
            y.parse::<i32>().unwrap_or(0)
        }
        _ => return cannot(value, "2006"),
    };
    literal!("-");
    let month = field!("01", true, |m| (1..=12).contains(&m), "month");
    literal!("-");
    let day = field!("02", true, |_| true, "day");
    literal!("T");
    field!("15", false, |h| h < 24, "hour");
    literal!(":");
    field!("04", true, |m| m < 60, "minute");
    literal!(":");
    field!("05", true, |sec| sec < 60, "second");
    let b = value.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'.' | b',') && b[1].is_ascii_digit() {
        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        value = &value[n..];
    }
    // The zone: `Z`, or a sign, two digits, `:`, two digits.
    if let Some(rest) = value.strip_prefix('Z') {
        value = rest;
    } else {
        let b = value.as_bytes();
        if b.len() < 6 || b[3] != b':' {
            return cannot(value, "Z07:00");
        }
        let hours = number(&b[1..3], true);
        // Go reads the minutes only once the hours read.
        let minutes = hours.and_then(|_| number(&b[4..6], true));
        let mut range = None;
        if hours.is_some_and(|(h, _)| h > 24) {
            range = Some("time zone offset hour");
        }
        if minutes.is_some_and(|(m, _)| m > 60) {
            range = Some("time zone offset minute");
        }
        if let Some(what) = range {
            return out_of_range(what);
        }
        if hours.is_none() || minutes.is_none() || !matches!(b[0], b'+' | b'-') {
            return cannot(value, "Z07:00");
        }
        value = &value[6..];
    }
    if !value.is_empty() {
        return format!(
            "parsing time {}: extra text: {}",
            go_quote(s),
            go_quote(value)
        );
    }
    let days = time::Month::try_from(month as u8)
        .map(|m| m.length(year))
        .unwrap_or(31);
    if day < 1 || day > u32::from(days) {
        return format!("parsing time {}: day out of range", go_quote(s));
    }
    // Go accepts the rest; the caller refused it for a reason Go shares
    // only in its own words.
    format!("parsing time {}", go_quote(s))
}

/// Go's `time.quote`: ASCII as it is (with `"` and `\` escaped), every
/// byte of anything else as `\xNN`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
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

    /// Go's `time.Parse(time.RFC3339, s)` errors (from a Go program; the
    /// year and zone cases as Go 1.20 and later word them, naming the
    /// element's text from where it starts, and checking the zone's range).
    #[test]
    fn go_parse_errors() {
        let layout = "\"2006-01-02T15:04:05Z07:00\"";
        let cannot = |s: &str, v: &str, e: &str| {
            format!("parsing time {s} as {layout}: cannot parse {v} as {e}")
        };
        for (input, want) in [
            (
                "notatime",
                cannot(r#""notatime""#, r#""notatime""#, r#""2006""#),
            ),
            (
                "202x-12-31T08:05:29Z",
                cannot(
                    r#""202x-12-31T08:05:29Z""#,
                    r#""202x-12-31T08:05:29Z""#,
                    r#""2006""#,
                ),
            ),
            (
                "2024-1-31T08:05:29Z",
                cannot(r#""2024-1-31T08:05:29Z""#, r#""1-31T08:05:29Z""#, r#""01""#),
            ),
            (
                "2024-12-31 08:05:29Z",
                cannot(r#""2024-12-31 08:05:29Z""#, r#"" 08:05:29Z""#, r#""T""#),
            ),
            (
                "2024-12-31T08:05:29",
                cannot(r#""2024-12-31T08:05:29""#, r#""""#, r#""Z07:00""#),
            ),
            (
                "2024-12-31T08:05:29.Z",
                cannot(r#""2024-12-31T08:05:29.Z""#, r#"".Z""#, r#""Z07:00""#),
            ),
            (
                "2024-12-31T08:05:29+0x:00",
                cannot(
                    r#""2024-12-31T08:05:29+0x:00""#,
                    r#""+0x:00""#,
                    r#""Z07:00""#,
                ),
            ),
            (
                "2024-12-31T08:05:29\"Z",
                cannot(r#""2024-12-31T08:05:29\"Z""#, r#""\"Z""#, r#""Z07:00""#),
            ),
            ("é", cannot(r#""\xc3\xa9""#, r#""\xc3\xa9""#, r#""2006""#)),
            (
                "2024-13-01T00:00:00Z",
                r#"parsing time "2024-13-01T00:00:00Z": month out of range"#.into(),
            ),
            (
                "2024-02-30T00:00:00Z",
                r#"parsing time "2024-02-30T00:00:00Z": day out of range"#.into(),
            ),
            (
                "2024-12-31T24:00:00Z",
                r#"parsing time "2024-12-31T24:00:00Z": hour out of range"#.into(),
            ),
            (
                "2024-12-31T08:05:29+25:00",
                r#"parsing time "2024-12-31T08:05:29+25:00": time zone offset hour out of range"#
                    .into(),
            ),
            (
                "2024-12-31T08:05:29Zx",
                r#"parsing time "2024-12-31T08:05:29Zx": extra text: "x""#.into(),
            ),
        ] {
            assert!(parse_rfc3339(input).is_err(), "{input}");
            assert_eq!(go_rfc3339_parse_error(input), want, "{input}");
        }
    }
}
