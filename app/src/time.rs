//! Human-readable times and durations (pure functions, shared by SSR and wasm).

/// "just now", "5 minutes ago", "3 days ago".
pub fn relative(now_ms: i64, then_ms: i64) -> String {
    let secs = (now_ms - then_ms).max(0) / 1000;
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

/// "2026-11-27 14:03 UTC": what the server renders before the browser
/// switches to the viewer's own time zone.
pub fn utc_minutes(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Exact ISO 8601 timestamp, for `datetime` attributes and hover text.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
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
    }
}
