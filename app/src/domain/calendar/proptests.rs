//! Properties of business-time arithmetic over random starts in 2026 (weighted towards
//! DST weekends and exact opening/closing minutes), random amounts and random holidays,
//! for Berlin, New York and Kolkata.

use chrono::{Days, NaiveDateTime};
use proptest::prelude::*;

use super::*;

const ZONES: [Tz; 3] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kolkata,
];

/// Instants of the 2026 DST changes in Berlin and New York.
const DST_CHANGES: [&str; 4] = [
    "2026-03-08T07:00:00Z",
    "2026-03-29T01:00:00Z",
    "2026-10-25T01:00:00Z",
    "2026-11-01T06:00:00Z",
];

/// The schedules under test: office hours, almost all day every day, and early-morning
/// hours that straddle the DST changes at 02:00/03:00.
fn schedule(kind: usize) -> [Option<DayHours>; 7] {
    match kind {
        0 => *BusinessCalendar::default_for(chrono_tz::UTC).hours(),
        1 => [Some(DayHours::parse("00:00", "23:59").unwrap()); 7],
        _ => [Some(DayHours::parse("01:30", "03:30").unwrap()); 7],
    }
}

fn jan_1() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

#[derive(Debug, Clone)]
struct Case {
    calendar: BusinessCalendar,
    start: DateTime<Utc>,
}

fn calendar() -> impl Strategy<Value = BusinessCalendar> {
    (
        0..3usize,
        0..3usize,
        prop::collection::btree_set(0..365u64, 0..12),
    )
        .prop_map(|(zone, kind, days)| {
            let holidays = days.into_iter().map(|d| jan_1() + Days::new(d)).collect();
            BusinessCalendar::new(ZONES[zone], schedule(kind), holidays).unwrap()
        })
}

fn start() -> impl Strategy<Value = DateTime<Utc>> {
    let year_start = jan_1().and_hms_opt(0, 0, 0).unwrap().and_utc();
    prop_oneof![
        // Anywhere in 2026, to the second.
        (0..365 * 86_400i64).prop_map(move |s| year_start + TimeDelta::seconds(s)),
        // Whole minutes, so that starts hit openings and closings exactly.
        (0..365 * 1440i64).prop_map(move |m| year_start + TimeDelta::minutes(m)),
        // Within three days of a DST change.
        (0..4usize, -3 * 1440..3 * 1440i64).prop_map(|(i, m)| {
            DST_CHANGES[i].parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(m)
        }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (calendar(), start()).prop_map(|(calendar, start)| Case { calendar, start })
}

fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    local::resolve(tz, NaiveDateTime::from(date))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn due_times_are_never_inside_closed_periods(case in case(), minutes in 0..5000i64) {
        let due = case.calendar.add_business_minutes(case.start, minutes);
        prop_assert!(due >= case.start);
        prop_assert!(
            case.calendar.is_open(due) || case.calendar.is_closing_instant(due),
            "due {due} is inside a closed period"
        );
    }

    #[test]
    fn adding_in_two_steps_equals_adding_at_once(case in case(), a in 0..5000i64, b in 0..5000i64) {
        let cal = &case.calendar;
        let stepwise = cal.add_business_minutes(cal.add_business_minutes(case.start, a), b);
        prop_assert_eq!(stepwise, cal.add_business_minutes(case.start, a + b));
    }

    #[test]
    fn business_time_to_the_due_time_is_the_amount_added(case in case(), minutes in 0..5000i64) {
        let cal = &case.calendar;
        let due = cal.add_business_minutes(case.start, minutes);
        let counted_from = cal.next_opening(case.start);
        prop_assert_eq!(cal.business_minutes_between(counted_from, due), minutes);
        prop_assert_eq!(cal.business_seconds_between(case.start, due), minutes * 60);
    }

    #[test]
    fn adding_more_never_ends_earlier(case in case(), m1 in 0..5000i64, m2 in 0..5000i64) {
        let (lo, hi) = (m1.min(m2), m1.max(m2));
        let cal = &case.calendar;
        prop_assert!(cal.add_business_minutes(case.start, lo) <= cal.add_business_minutes(case.start, hi));
    }

    #[test]
    fn business_time_is_additive(case in case(), d1 in 0..20 * 86_400i64, d2 in 0..20 * 86_400i64) {
        let cal = &case.calendar;
        let (a, b, c) = (case.start, case.start + TimeDelta::seconds(d1), case.start + TimeDelta::seconds(d1 + d2));
        let ab = cal.business_seconds_between(a, b);
        let bc = cal.business_seconds_between(b, c);
        prop_assert_eq!(ab + bc, cal.business_seconds_between(a, c));
        prop_assert_eq!(cal.business_seconds_between(c, a), -(ab + bc));
    }

    #[test]
    fn office_weeks_hold_the_same_business_time_in_every_zone(
        week in 0..52u64,
        days in prop::collection::btree_set(0..365u64, 0..40),
    ) {
        let holidays: BTreeSet<NaiveDate> = days.into_iter().map(|d| jan_1() + Days::new(d)).collect();
        // 2026-01-05 is a Monday.
        let monday = jan_1() + Days::new(4 + 7 * week);
        let open_days = monday
            .iter_days()
            .take(5)
            .filter(|d| !holidays.contains(d))
            .count() as i64;
        for tz in ZONES {
            let cal = BusinessCalendar::new(tz, schedule(0), holidays.clone()).unwrap();
            let from = local_midnight(tz, monday);
            let to = local_midnight(tz, monday + Days::new(7));
            prop_assert_eq!(cal.business_minutes_between(from, to), 480 * open_days, "{}", tz);
        }
    }

    #[test]
    fn all_day_weeks_follow_the_real_clock(week in 0..52u64, zone in 0..3usize) {
        // Open 00:00–23:59 every day: a week has 7 × 1439 minutes, minus an hour in the
        // week clocks spring forward and plus one in the week they fall back, which is
        // exactly the real time elapsed minus the seven closed minutes before midnight.
        let tz = ZONES[zone];
        let cal = BusinessCalendar::new(tz, schedule(1), BTreeSet::new()).unwrap();
        let monday = jan_1() + Days::new(4 + 7 * week);
        let (from, to) = (local_midnight(tz, monday), local_midnight(tz, monday + Days::new(7)));
        let elapsed = (to - from).num_minutes();
        prop_assert!([10_020, 10_080, 10_140].contains(&elapsed));
        prop_assert_eq!(cal.business_minutes_between(from, to), elapsed - 7);
    }

    /// SLA alerts (PRODUCT §5): an alert is delivered at once or at an opening, never
    /// in a closed period, unless the person opted into alerts after hours or the
    /// clock's instant was inside business hours (a closing instant included) and the
    /// alert is recorded within the grace a polling worker needs.
    #[test]
    fn alerts_are_never_delivered_outside_business_hours_unless_opted_in(
        case in case(),
        minutes in 0..5000i64,
        lag in prop_oneof![0..600i64, 0..4 * 86_400i64],
    ) {
        use crate::domain::sla::{alert_delivery, ALERT_GRACE_SECS};
        let cal = &case.calendar;
        let instant = cal.add_business_minutes(case.start, minutes);
        let now = instant + TimeDelta::seconds(lag);
        let at = alert_delivery(cal, instant, now, false);
        prop_assert!(at >= now);
        let in_grace = (cal.is_open(instant) || cal.is_closing_instant(instant))
            && lag <= ALERT_GRACE_SECS;
        if at == now {
            prop_assert!(cal.is_open(now) || in_grace, "delivered at {now}, a closed moment");
        } else {
            prop_assert!(cal.is_open(at), "delivered at {at}, a closed moment");
            prop_assert_eq!(at, cal.next_opening(now));
        }
        if cal.is_open(now) {
            prop_assert_eq!(at, now);
        }
        // Opted in: at once, whatever the hour.
        prop_assert_eq!(alert_delivery(cal, instant, now, true), now);
    }

    /// Pause (PRODUCT §5): holding a clock and resuming it at the same moment changes
    /// nothing.
    #[test]
    fn pausing_and_resuming_at_once_changes_nothing(
        case in case(),
        target in 1..5000i64,
        risk_share in 1..100i64,
        after in 0..20 * 86_400i64,
    ) {
        use crate::domain::sla::PausableClock;
        let cal = &case.calendar;
        let clock = PausableClock::start(cal, case.start, target, target - target * risk_share / 100);
        let now = case.start + TimeDelta::seconds(after);
        let (again, held) = clock.hold(cal, now).resume(cal, now);
        prop_assert_eq!(held, 0);
        prop_assert_eq!(again, clock);
    }

    /// Pause (PRODUCT §5): business time while paused never counts. A clock started,
    /// paused at `a`, resumed at `b` has, at any `c` after, its target less the business
    /// time of [start, a] and [b, c] left, while that is positive; and the time held is
    /// the business time of [a, b].
    #[test]
    fn paused_time_never_counts(
        case in case(),
        target in 1..5000i64,
        d1 in 0..10 * 86_400i64,
        d2 in 0..10 * 86_400i64,
        d3 in 0..10 * 86_400i64,
    ) {
        use crate::domain::sla::PausableClock;
        let cal = &case.calendar;
        let (a, b) = (case.start + TimeDelta::seconds(d1), case.start + TimeDelta::seconds(d1 + d2));
        let c = b + TimeDelta::seconds(d3);
        let clock = PausableClock::start(cal, case.start, target, target / 2);
        let paused = clock.hold(cal, a);
        // Frozen while held.
        prop_assert_eq!(paused.left_secs(cal, b), paused.left_secs(cal, a));
        let (resumed, held) = paused.resume(cal, b);
        prop_assert_eq!(held, cal.business_seconds_between(a, b));
        let counted = cal.business_seconds_between(case.start, a) + cal.business_seconds_between(b, c);
        let expected = target * 60 - counted;
        if cal.business_seconds_between(case.start, a) < target * 60 && expected > 0 {
            prop_assert_eq!(resumed.left_secs(cal, c), expected);
            prop_assert!(!resumed.is_overdue(c));
        }
    }
}
