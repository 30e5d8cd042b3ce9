//! Hand-checked cases. Times are written in the calendar's local time next to their UTC.

use chrono_tz::America::New_York;
use chrono_tz::Asia::Kolkata;
use chrono_tz::Europe::Berlin;

use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 instant")
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("ISO date")
}

/// Open every day from `open` to `close`.
fn every_day(tz: Tz, open: &str, close: &str) -> BusinessCalendar {
    let hours = DayHours::parse(open, close).unwrap();
    BusinessCalendar::new(tz, [Some(hours); 7], BTreeSet::new()).unwrap()
}

fn with_holidays(tz: Tz, holidays: &[&str]) -> BusinessCalendar {
    let default = BusinessCalendar::default_for(tz);
    BusinessCalendar::new(
        tz,
        *default.hours(),
        holidays.iter().map(|d| date(d)).collect(),
    )
    .unwrap()
}

#[test]
fn friday_afternoon_is_due_monday_afternoon() {
    let cal = BusinessCalendar::default_for(Berlin);
    // Fri 2026-01-09 16:00 CET → Mon 2026-01-12 16:00 CET.
    let due = cal.add_business_minutes(utc("2026-01-09T15:00:00Z"), 480);
    assert_eq!(due, utc("2026-01-12T15:00:00Z"));
    assert_eq!(
        cal.business_minutes_between(utc("2026-01-09T15:00:00Z"), due),
        480
    );
}

#[test]
fn reports_outside_hours_start_at_the_next_opening() {
    let cal = BusinessCalendar::default_for(Berlin);
    // Sat 11:00 and Fri 18:00 both count from Mon 09:00 → due Mon 17:00 CET.
    assert_eq!(
        cal.add_business_minutes(utc("2026-01-10T10:00:00Z"), 480),
        utc("2026-01-12T16:00:00Z")
    );
    assert_eq!(
        cal.add_business_minutes(utc("2026-01-09T17:00:00Z"), 480),
        utc("2026-01-12T16:00:00Z")
    );
    // Mon 07:00 → Mon 17:00.
    assert_eq!(
        cal.add_business_minutes(utc("2026-01-12T06:00:00Z"), 480),
        utc("2026-01-12T16:00:00Z")
    );
}

#[test]
fn due_time_at_closing_stays_at_closing() {
    let cal = BusinessCalendar::default_for(Berlin);
    // Fri 09:00 + 480 → Fri 17:00, not Mon 09:00.
    let due = cal.add_business_minutes(utc("2026-01-09T08:00:00Z"), 480);
    assert_eq!(due, utc("2026-01-09T16:00:00Z"));
    assert!(!cal.is_open(due));
    assert!(cal.is_closing_instant(due));
    assert_eq!(cal.add_business_minutes(due, 0), due);
    assert_eq!(
        cal.add_business_minutes(due, 1),
        utc("2026-01-12T08:01:00Z")
    );
}

#[test]
fn zero_minutes_and_next_opening() {
    let cal = BusinessCalendar::default_for(Berlin);
    let open = utc("2026-01-09T10:00:00Z");
    assert_eq!(cal.add_business_minutes(open, 0), open);
    assert_eq!(cal.next_opening(open), open);
    let saturday = utc("2026-01-10T10:00:00Z");
    assert_eq!(
        cal.add_business_minutes(saturday, 0),
        utc("2026-01-12T08:00:00Z")
    );
    assert_eq!(cal.next_opening(saturday), utc("2026-01-12T08:00:00Z"));
    assert_eq!(
        cal.add_business_minutes(saturday, -5),
        utc("2026-01-12T08:00:00Z")
    );
    assert!(cal.is_open(utc("2026-01-12T08:00:00Z")));
    assert!(!cal.is_open(utc("2026-01-12T07:59:59Z")));
}

#[test]
fn holidays_are_skipped() {
    // Monday 2026-01-12 is a holiday: Fri 16:00 → Tue 16:00.
    let cal = with_holidays(Berlin, &["2026-01-12"]);
    assert_eq!(
        cal.add_business_minutes(utc("2026-01-09T15:00:00Z"), 480),
        utc("2026-01-13T15:00:00Z")
    );
    assert!(!cal.is_open(utc("2026-01-12T10:00:00Z")));
}

#[test]
fn berlin_spring_forward_has_one_hour_less() {
    // Sun 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    let cal = every_day(Berlin, "00:00", "23:59");
    let start = utc("2026-03-28T23:00:00Z"); // Sun 00:00 CET
    let end = utc("2026-03-29T21:59:00Z"); // Sun 23:59 CEST
    assert_eq!(cal.business_minutes_between(start, end), 1439 - 60);
    // Sun 01:30 CET + 60 business minutes = 03:30 CEST: two hours on the wall clock.
    assert_eq!(
        cal.add_business_minutes(utc("2026-03-29T00:30:00Z"), 60),
        utc("2026-03-29T01:30:00Z")
    );
    // The Mon–Fri default week around the change still has 2400 minutes.
    let default = BusinessCalendar::default_for(Berlin);
    assert_eq!(
        default.business_minutes_between(utc("2026-03-22T23:00:00Z"), utc("2026-03-29T22:00:00Z")),
        2400
    );
    // Fri 16:00 CET + 480 → Mon 16:00 CEST, 71 hours on the wall clock.
    assert_eq!(
        default.add_business_minutes(utc("2026-03-27T15:00:00Z"), 480),
        utc("2026-03-30T14:00:00Z")
    );
}

#[test]
fn berlin_fall_back_has_one_hour_more() {
    // Sun 2026-10-25: 03:00 CEST falls back to 02:00 CET.
    let cal = every_day(Berlin, "00:00", "23:59");
    let start = utc("2026-10-24T22:00:00Z"); // Sun 00:00 CEST
    let end = utc("2026-10-25T22:59:00Z"); // Sun 23:59 CET
    assert_eq!(cal.business_minutes_between(start, end), 1439 + 60);
    // Sun 01:30 CEST + 120 business minutes = 02:30 CET, one hour on the wall clock.
    assert_eq!(
        cal.add_business_minutes(utc("2026-10-24T23:30:00Z"), 120),
        utc("2026-10-25T01:30:00Z")
    );
}

#[test]
fn opening_hours_inside_dst_changes() {
    // Opening at 02:30 on the spring-forward Sunday means opening when clocks jump.
    let spring = every_day(Berlin, "02:30", "04:00");
    assert_eq!(
        spring.next_opening(utc("2026-03-28T23:00:00Z")),
        utc("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        spring.business_minutes_between(utc("2026-03-29T00:00:00Z"), utc("2026-03-29T03:00:00Z")),
        60
    );
    // On the fall-back Sunday 02:30 happens twice; the desk opens at the first one.
    let autumn = every_day(Berlin, "02:30", "04:00");
    assert_eq!(
        autumn.next_opening(utc("2026-10-24T22:00:00Z")),
        utc("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        autumn.business_minutes_between(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T04:00:00Z")),
        150
    );
    // Hours entirely inside the gap give no business time that day.
    let gap = every_day(Berlin, "02:10", "02:50");
    assert_eq!(
        gap.business_minutes_between(utc("2026-03-28T12:00:00Z"), utc("2026-03-29T12:00:00Z")),
        0
    );
    assert_eq!(
        gap.next_opening(utc("2026-03-28T12:00:00Z")),
        utc("2026-03-30T00:10:00Z")
    );
}

#[test]
fn new_york_dst() {
    let cal = every_day(New_York, "00:00", "23:59");
    // Sun 2026-03-08 00:00 EST (05:00Z) to 23:59 EDT (03:59Z next day).
    assert_eq!(
        cal.business_minutes_between(utc("2026-03-08T05:00:00Z"), utc("2026-03-09T03:59:00Z")),
        1379
    );
    // Sun 2026-11-01 00:00 EDT (04:00Z) to 23:59 EST (04:59Z next day).
    assert_eq!(
        cal.business_minutes_between(utc("2026-11-01T04:00:00Z"), utc("2026-11-02T04:59:00Z")),
        1499
    );
    let default = BusinessCalendar::default_for(New_York);
    // Fri 2026-03-06 16:00 EST → Mon 2026-03-09 16:00 EDT.
    assert_eq!(
        default.add_business_minutes(utc("2026-03-06T21:00:00Z"), 480),
        utc("2026-03-09T20:00:00Z")
    );
    // Fri 2026-10-30 16:00 EDT → Mon 2026-11-02 16:00 EST.
    assert_eq!(
        default.add_business_minutes(utc("2026-10-30T20:00:00Z"), 480),
        utc("2026-11-02T21:00:00Z")
    );
}

#[test]
fn kolkata_has_no_dst() {
    let cal = BusinessCalendar::default_for(Kolkata);
    // Fri 2026-03-27 16:00 IST (UTC+05:30) → Mon 2026-03-30 16:00 IST.
    let due = cal.add_business_minutes(utc("2026-03-27T10:30:00Z"), 480);
    assert_eq!(due, utc("2026-03-30T10:30:00Z"));
    let cal = every_day(Kolkata, "00:00", "23:59");
    assert_eq!(
        cal.business_minutes_between(utc("2026-03-28T18:30:00Z"), utc("2026-03-29T18:29:00Z")),
        1439
    );
}

#[test]
fn between_is_signed_and_rounds_down() {
    let cal = BusinessCalendar::default_for(Berlin);
    let a = utc("2026-01-09T15:00:00Z");
    let b = utc("2026-01-09T15:00:59Z");
    assert_eq!(cal.business_seconds_between(a, b), 59);
    assert_eq!(cal.business_minutes_between(a, b), 0);
    assert_eq!(cal.business_seconds_between(b, a), -59);
    assert_eq!(cal.business_minutes_between(b, a), -1);
    assert_eq!(cal.business_minutes_between(a, a), 0);
    // Across a weekend only business time counts.
    assert_eq!(
        cal.business_minutes_between(utc("2026-01-09T16:00:00Z"), utc("2026-01-12T08:30:00Z")),
        30
    );
}

#[test]
fn standard_day_length() {
    assert_eq!(
        BusinessCalendar::default_for(Berlin).standard_day_minutes(),
        480
    );
    let long = DayHours::parse("08:00", "18:00").unwrap();
    let short = DayHours::parse("09:00", "13:00").unwrap();
    let tie = BusinessCalendar::new(
        Berlin,
        [
            Some(long),
            Some(long),
            Some(short),
            Some(short),
            None,
            None,
            None,
        ],
        BTreeSet::new(),
    )
    .unwrap();
    assert_eq!(tie.standard_day_minutes(), 600);
    let mostly_short = BusinessCalendar::new(
        Berlin,
        [Some(long), Some(short), Some(short), None, None, None, None],
        BTreeSet::new(),
    )
    .unwrap();
    assert_eq!(mostly_short.standard_day_minutes(), 240);
}

#[test]
fn construction_is_validated() {
    assert_eq!(
        DayHours::parse("17:00", "09:00").unwrap_err().field,
        "hours"
    );
    assert_eq!(
        DayHours::parse("09:00", "09:00").unwrap_err().field,
        "hours"
    );
    assert_eq!(DayHours::parse("9am", "17:00").unwrap_err().field, "hours");
    assert_eq!(
        DayHours::parse(" 09:00 ", "17:30:00").unwrap().minutes(),
        510
    );
    assert_eq!(
        BusinessCalendar::new(Berlin, [None; 7], BTreeSet::new())
            .unwrap_err()
            .field,
        "hours"
    );
    let everything: BTreeSet<NaiveDate> = date("2026-01-01").iter_days().take(400).collect();
    let hours = *BusinessCalendar::default_for(Berlin).hours();
    assert_eq!(
        BusinessCalendar::new(Berlin, hours, everything)
            .unwrap_err()
            .field,
        "holidays"
    );
    let a_year: BTreeSet<NaiveDate> = date("2026-01-01").iter_days().take(300).collect();
    assert!(BusinessCalendar::new(Berlin, hours, a_year).is_ok());
}

#[test]
fn timezones_and_holidays_parse() {
    assert_eq!(parse_tz(" Europe/Berlin ").unwrap(), Berlin);
    assert_eq!(parse_tz("UTC").unwrap(), chrono_tz::UTC);
    assert_eq!(parse_tz("").unwrap_err().field, "timezone");
    assert_eq!(parse_tz("Mars/Olympus_Mons").unwrap_err().field, "timezone");
    let holidays = parse_holidays("2026-12-25, 2026-12-26\n2026-01-01").unwrap();
    assert_eq!(holidays.len(), 3);
    assert!(parse_holidays("").unwrap().is_empty());
    assert_eq!(parse_holidays("2026-02-30").unwrap_err().field, "holidays");
}

#[test]
fn calendars_rebuild_from_their_raw_form() {
    let cal = with_holidays(New_York, &["2026-07-03"]);
    let raw = RawCalendar::from(cal.clone());
    assert_eq!(BusinessCalendar::try_from(raw).unwrap(), cal);
    let bad = RawCalendar {
        timezone: Berlin,
        hours: [None; 7],
        holidays: BTreeSet::new(),
    };
    assert!(BusinessCalendar::try_from(bad).is_err());
}
