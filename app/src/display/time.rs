//! Human-readable times and durations (pure functions, shared by SSR and wasm).

/// "just now", "5 minutes ago", "3 days ago".
pub fn relative(now_ms: i64, then_ms: i64) -> String {
    let secs = now_ms.saturating_sub(then_ms).max(0) / 1000;
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        0..=44 => "just now".to_owned(),
        45..=89 => "1 minute ago".to_owned(),
        90..=2699 => plural((secs + 30) / 60, "minute"),
        2700..=5399 => "1 hour ago".to_owned(),
        5400..=79_199 => plural((secs + 1800) / 3600, "hour"),
        79_200..=129_599 => "1 day ago".to_owned(),
        129_600..=2_246_399 => plural((secs + 43_200) / 86_400, "day"),
        2_246_400..=31_535_999 => plural(((secs + 1_296_000) / 2_592_000).max(1), "month"),
        _ => plural(secs / 31_536_000, "year"),
    }
}

/// A span of time: "less than a minute", "5 min", "2 h 5 min", "3 days 4 h".
pub fn duration(ms: i64) -> String {
    let mins = ms.max(0) / 60_000;
    let (days, hours, mins) = (mins / 1440, (mins / 60) % 24, mins % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "less than a minute".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, 0, _) => "1 day".to_owned(),
        (1, h, _) => format!("1 day {h} h"),
        (d, 0, _) => format!("{d} days"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

/// Calendar date and time of day (UTC) of a Unix timestamp in milliseconds.
/// Hand-written (Howard Hinnant's days-from-civil inverse) instead of chrono
/// so that the WebAssembly stays small; both sides render identical text.
fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// "2026-11-27 14:03 UTC": what the server renders before the browser
/// switches to the viewer's own time zone.
pub fn utc_minutes(ms: i64) -> String {
    let (y, mo, d, h, mi, _) = civil(ms);
    let mut out = String::with_capacity(20);
    date_and_minutes(&mut out, (y, mo, d, h, mi), ' ');
    out.push_str(" UTC");
    out
}

/// Exact ISO 8601 timestamp, for `datetime` attributes and hover text.
pub fn iso(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(ms);
    let mut out = String::with_capacity(20);
    date_and_minutes(&mut out, (y, mo, d, h, mi), 'T');
    out.push(':');
    two_digits(&mut out, s);
    out.push('Z');
    out
}

/// `YYYY-MM-DD?hh:mm`, written digit by digit: the sessions page formats
/// dozens of times per render and `format!`'s padding machinery showed up
/// in its profile.
fn date_and_minutes(out: &mut String, (y, mo, d, h, mi): (i64, u32, u32, u32, u32), sep: char) {
    if (0..10_000).contains(&y) {
        let y = y as u32;
        two_digits(out, y / 100);
        two_digits(out, y % 100);
    } else {
        // Outside four digits: what `{:04}` writes (a sign, no padding).
        use std::fmt::Write;
        let _ = write!(out, "{y:04}");
    }
    out.push('-');
    two_digits(out, mo);
    out.push('-');
    two_digits(out, d);
    out.push(sep);
    two_digits(out, h);
    out.push(':');
    two_digits(out, mi);
}

fn two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;
    const MIN: i64 = 60_000;

    #[test]
    fn relative_times() {
        assert_eq!(relative(10_000, 10_000), "just now");
        assert_eq!(relative(50_000, 0), "1 minute ago");
        assert_eq!(relative(5 * MIN, 0), "5 minutes ago");
        assert_eq!(relative(60 * MIN, 0), "1 hour ago");
        assert_eq!(relative(5 * 60 * MIN, 0), "5 hours ago");
        assert_eq!(relative(26 * 60 * MIN, 0), "1 day ago");
        assert_eq!(relative(3 * 1440 * MIN, 0), "3 days ago");
        assert_eq!(relative(60 * 1440 * MIN, 0), "2 months ago");
        assert_eq!(relative(800 * 1440 * MIN, 0), "2 years ago");
        // A clock slightly behind the server never says "in the future".
        assert_eq!(relative(0, 5_000), "just now");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(30_000), "less than a minute");
        assert_eq!(duration(5 * MIN), "5 min");
        assert_eq!(duration(125 * MIN), "2 h 5 min");
        assert_eq!(duration(120 * MIN), "2 h");
        assert_eq!(duration(1440 * MIN), "1 day");
        assert_eq!(duration(3 * 1440 * MIN + 4 * 60 * MIN), "3 days 4 h");
    }

    #[test]
    fn timestamps() {
        assert_eq!(utc_minutes(0), "1970-01-01 00:00 UTC");
        assert_eq!(iso(1_000), "1970-01-01T00:00:01Z");
        // Leap day, end of year, and agreement with chrono over a wide range.
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc_minutes(1_798_761_599_000), "2026-12-31 23:59 UTC");
        for ms in (-2_000_000_000_000i64..4_000_000_000_000).step_by(7_777_777_777) {
            let want = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).unwrap();
            assert_eq!(
                iso(ms),
                want.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "{ms}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_instant_formats_without_panicking(now: i64, then: i64) {
            let _ = (relative(now, then), duration(now.saturating_sub(then)));
            let (a, b) = (utc_minutes(then), iso(then));
            proptest::prop_assert!(a.ends_with(" UTC") && b.ends_with('Z'));
        }

        #[test]
        fn digits_written_by_hand_match_format(
            // Years 0000 to 9999 (the digit path) half the time, any instant
            // (mostly the sign path) otherwise.
            ms in proptest::prop_oneof![
                -62_167_219_200_000i64..253_402_300_800_000,
                proptest::num::i64::ANY
            ]
        ) {
            let (y, mo, d, h, mi, s) = civil(ms);
            proptest::prop_assert_eq!(iso(ms), format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"));
            proptest::prop_assert_eq!(utc_minutes(ms), format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC"));
        }

        #[test]
        fn iso_agrees_with_chrono_wherever_chrono_reaches(ms in -8_000_000_000_000_000i64..8_000_000_000_000_000) {
            if let Some(want) = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms) {
                let want = want.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                if !want.starts_with('+') && !want.starts_with('-') {
                    proptest::prop_assert_eq!(iso(ms), want);
                }
            }
        }
    }
}
