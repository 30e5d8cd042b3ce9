//! Turning local wall-clock times of the support timezone into instants, across DST.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant of local time `local` in `tz`. A time that occurs twice (the hour
/// repeated when clocks fall back) resolves to its earlier occurrence; a time that does
/// not exist (skipped when clocks spring forward) resolves to the first instant after
/// the gap, i.e. the moment the clocks jump.
pub(super) fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => end_of_gap(tz, local),
    }
}

/// The local calendar date of instant `t` in `tz`.
pub(super) fn local_date(tz: Tz, t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&tz).date_naive()
}

fn local_time(tz: Tz, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// The instant at which the clocks jump over `local`, which lies in a gap.
///
/// chrono-tz exposes no transition list, so this walks forward to the first existing
/// local time and then bisects for the earliest instant whose local time is past
/// `local`. Real gaps last an hour or less; the walk allows two days.
fn end_of_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let step = TimeDelta::minutes(15);
    let mut probe = local;
    let mut after = None;
    for _ in 0..(2 * 24 * 4) {
        probe += step;
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                after = Some(t.with_timezone(&Utc));
                break;
            }
            LocalResult::None => {}
        }
    }
    // No zone has a gap longer than two days; reading `local` as UTC is a safe fallback.
    let Some(mut hi) = after else {
        return local.and_utc();
    };
    // Shifting back by the local distance walked lands before the jump, because the
    // offset before the gap is smaller than the one after it.
    let mut lo = hi - (probe - local);
    if local_time(tz, lo) >= local {
        return hi;
    }
    while hi - lo > TimeDelta::nanoseconds(1) {
        let mid = lo + (hi - lo) / 2;
        if local_time(tz, mid) > local {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(date: (i32, u32, u32), h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(date.0, date.1, date.2)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn ordinary_times_resolve_directly() {
        let t = resolve(chrono_tz::Europe::Berlin, at((2026, 1, 9), 16, 0));
        assert_eq!(t, utc("2026-01-09T15:00:00Z"));
        assert_eq!(
            local_date(chrono_tz::Europe::Berlin, utc("2026-01-09T23:30:00Z")).to_string(),
            "2026-01-10"
        );
    }

    #[test]
    fn skipped_times_resolve_to_the_jump() {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            resolve(berlin, at((2026, 3, 29), 2, 30)),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            resolve(berlin, at((2026, 3, 29), 2, 0)),
            utc("2026-03-29T01:00:00Z")
        );
        let odd = at((2026, 3, 29), 2, 0) + TimeDelta::seconds(17);
        assert_eq!(resolve(berlin, odd), utc("2026-03-29T01:00:00Z"));
        // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            resolve(ny, at((2026, 3, 8), 2, 45)),
            utc("2026-03-08T07:00:00Z")
        );
        // Lord Howe moves by half an hour.
        let lh = chrono_tz::Australia::Lord_Howe;
        assert_eq!(
            resolve(lh, at((2026, 10, 4), 2, 10)),
            utc("2026-10-03T15:30:00Z")
        );
    }

    #[test]
    fn repeated_times_resolve_to_the_earlier_instant() {
        // Berlin 2026-10-25: 02:30 happens at 00:30 UTC (CEST) and 01:30 UTC (CET).
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            resolve(berlin, at((2026, 10, 25), 2, 30)),
            utc("2026-10-25T00:30:00Z")
        );
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            resolve(ny, at((2026, 11, 1), 1, 30)),
            utc("2026-11-01T05:30:00Z")
        );
    }
}
