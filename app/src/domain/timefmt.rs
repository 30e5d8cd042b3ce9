//! Showing instants to people, in their own timezone.

use chrono::{
    format::{Item, StrftimeItems},
    DateTime, Utc,
};
use chrono_tz::Tz;
use std::sync::LazyLock;

/// [`format_local`]'s format, parsed once (a page or an answer formats many instants).
static LOCAL: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| {
    StrftimeItems::new("%a %-d %b %Y, %H:%M %Z")
        .parse_to_owned()
        .expect("a valid format")
});

/// `t` in the named timezone, e.g. "Wed 25 Nov 2026, 09:00 CET". An unknown
/// timezone name falls back to UTC (names are validated when stored).
pub fn format_local(t: DateTime<Utc>, tz: &str) -> String {
    let tz: Tz = tz.parse().unwrap_or(Tz::UTC);
    t.with_timezone(&tz)
        .format_with_items(LOCAL.iter())
        .to_string()
}

/// `t` in the named timezone as an `<input type="datetime-local">` value.
pub fn datetime_local_value(t: DateTime<Utc>, tz: &str) -> String {
    let tz: Tz = tz.parse().unwrap_or(Tz::UTC);
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_in_the_viewers_zone() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
        assert_eq!(
            format_local(t, "Europe/Berlin"),
            "Wed 25 Nov 2026, 09:00 CET"
        );
        assert_eq!(
            format_local(t, "America/New_York"),
            "Wed 25 Nov 2026, 03:00 EST"
        );
        assert_eq!(format_local(t, "nowhere"), "Wed 25 Nov 2026, 08:00 UTC");
        assert_eq!(datetime_local_value(t, "Asia/Kolkata"), "2026-11-25T13:30");
    }
}
