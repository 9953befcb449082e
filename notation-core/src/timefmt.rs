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

/// Parses RFC 3339 as Go's `time.Parse(time.RFC3339, ...)` does (fractional
/// seconds allowed, offset kept).
pub fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339)
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
        assert_eq!(rfc3339_nano(f), "2024-12-31T08:05:29.509Z");
    }
}
