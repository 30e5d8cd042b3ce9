//! The first-response SLA (PRODUCT §5): due at creation plus one standard business day
//! of the support calendar; at risk with less than a quarter of it left; breached when
//! the due time passes without a public reply, and breached for good.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::BusinessCalendar;

/// The instant a first response is due for a ticket created at `created_at`.
pub fn due_at(
    cal: &BusinessCalendar,
    created_at: DateTime<Utc>,
    target_minutes: i64,
) -> DateTime<Utc> {
    cal.add_business_minutes(created_at, target_minutes)
}

/// A ticket's first-response clock. The due time is fixed at creation, so later
/// calendar changes do not move it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    /// When the ticket was created.
    pub created_at: DateTime<Utc>,
    /// When the first public reply is due.
    pub due_at: DateTime<Utc>,
    /// The target in business minutes (one standard business day when created).
    pub target_minutes: i64,
    /// The first public reply by staff, which stops the clock.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When less than the policy's at-risk share of the target is left (fixed at
    /// creation like the due time); `None`: the default quarter, computed.
    #[serde(default)]
    pub at_risk_at: Option<DateTime<Utc>>,
}

impl SlaClock {
    /// Starts the clock for a ticket created at `created_at`, targeting one standard
    /// business day of `cal`.
    pub fn start(cal: &BusinessCalendar, created_at: DateTime<Utc>) -> Self {
        let target_minutes = cal.standard_day_minutes();
        Self {
            created_at,
            due_at: due_at(cal, created_at, target_minutes),
            target_minutes,
            first_response_at: None,
            at_risk_at: None,
        }
    }
}

/// Where a ticket stands against its first-response target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// Not yet answered, with at least a quarter of the target left.
    OnTrack,
    /// Not yet answered, not overdue, with less than a quarter of the target left.
    AtRisk,
    /// Not answered, and the due time has passed.
    Breached,
    /// Answered at or before the due time.
    Met,
    /// Answered after the due time: the breach stays on the record.
    MetLate,
}

impl SlaStatus {
    /// The canonical snake_case name, for filters and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::Breached => "breached",
            Self::Met => "met",
            Self::MetLate => "met_late",
        }
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::OnTrack => "On track",
            Self::AtRisk => "At risk",
            Self::Breached => "Breached",
            Self::Met => "Met",
            Self::MetLate => "Met late (breached)",
        }
    }

    /// Whether the target was or is being missed.
    pub fn is_breach(self) -> bool {
        matches!(self, Self::Breached | Self::MetLate)
    }
}

/// The state of a clock at some moment, for badges and countdowns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaState {
    /// The status.
    pub status: SlaStatus,
    /// Business seconds from now (or from the first response, once answered) to the due
    /// time; negative when overdue. Being business time, it does not grow while the desk
    /// is closed.
    pub remaining_business_seconds: i64,
    /// When the first response is due.
    pub due_at: DateTime<Utc>,
}

/// The state of `clock` at `now`.
pub fn sla_state(cal: &BusinessCalendar, clock: &SlaClock, now: DateTime<Utc>) -> SlaState {
    let (status, reference) = match clock.first_response_at {
        Some(answered) if answered <= clock.due_at => (SlaStatus::Met, answered),
        Some(answered) => (SlaStatus::MetLate, answered),
        None if now > clock.due_at => (SlaStatus::Breached, now),
        None => {
            let at_risk = match clock.at_risk_at {
                Some(at) => now > at,
                None => {
                    let remaining = cal.business_seconds_between(now, clock.due_at);
                    // Strictly less than a quarter: compare in integers to avoid rounding.
                    remaining * 4 < clock.target_minutes * 60
                }
            };
            (
                if at_risk {
                    SlaStatus::AtRisk
                } else {
                    SlaStatus::OnTrack
                },
                now,
            )
        }
    };
    SlaState {
        status,
        remaining_business_seconds: cal.business_seconds_between(reference, clock.due_at),
        due_at: clock.due_at,
    }
}

/// A business duration for countdowns: `7h 59m`, `45m`, `-1h 05m` when overdue. Whole
/// minutes, rounded down, so a countdown never shows more time than is left.
pub fn format_business_duration(seconds: i64) -> String {
    let minutes = seconds.div_euclid(60);
    let sign = if minutes < 0 { "-" } else { "" };
    let abs = minutes.unsigned_abs();
    let (h, m) = (abs / 60, abs % 60);
    if h == 0 {
        format!("{sign}{m}m")
    } else {
        format!("{sign}{h}h {m:02}m")
    }
}

/// How long after a clock reaches its instant the alert may still be recorded and count
/// as sent at that instant (a worker polls; an instant exactly at closing time is
/// noticed a moment after the desk closed).
pub const ALERT_GRACE_SECS: i64 = 300;

/// When an alert is delivered to a person (counted on their bell, mailed): at once while
/// the desk is open, or for someone who opted into alerts outside business hours;
/// otherwise at the next opening. `instant` is when the clock reached the alert (its
/// at-risk or due time), `now` when the alert is recorded: an instant inside business
/// hours (its closing instant included) recorded within [`ALERT_GRACE_SECS`] counts as
/// inside them.
pub fn alert_delivery(
    cal: &BusinessCalendar,
    instant: DateTime<Utc>,
    now: DateTime<Utc>,
    after_hours: bool,
) -> DateTime<Utc> {
    if after_hours || cal.is_open(now) {
        return now;
    }
    let in_hours = cal.is_open(instant) || cal.is_closing_instant(instant);
    if in_hours && instant <= now && (now - instant).num_seconds() <= ALERT_GRACE_SECS {
        return now;
    }
    cal.next_opening(now)
}

/// A clock that can be held: the resolution clock pauses while the ticket waits on the
/// developer and stops when it is resolved (a reopened ticket resumes it). While held it
/// keeps the business time it had left; resuming sets new instants that far ahead, so
/// held time never counts. Instants of a clock already due when held stay as they were
/// (it is overdue either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PausableClock {
    /// When the target is reached (as of the last start or resume).
    pub due_at: DateTime<Utc>,
    /// When less than the at-risk share is left (as of the last start or resume).
    pub at_risk_at: DateTime<Utc>,
    /// Held (paused or stopped), or running.
    pub held: Option<Held>,
}

/// A held clock's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Since when.
    pub since: DateTime<Utc>,
    /// Business seconds that were left to the due time (negative: overdue by).
    pub left_secs: i64,
    /// Business seconds that were left to the at-risk instant (negative: at risk).
    pub risk_left_secs: i64,
}

impl PausableClock {
    /// Starts a clock at `now` with `target_minutes` of business time, at risk after
    /// `at_risk_after_minutes`.
    pub fn start(
        cal: &BusinessCalendar,
        now: DateTime<Utc>,
        target_minutes: i64,
        at_risk_after_minutes: i64,
    ) -> Self {
        Self {
            due_at: cal.add_business_minutes(now, target_minutes),
            at_risk_at: cal.add_business_minutes(now, at_risk_after_minutes),
            held: None,
        }
    }

    /// Holds a running clock at `now` (a held one stays as it is).
    pub fn hold(self, cal: &BusinessCalendar, now: DateTime<Utc>) -> Self {
        if self.held.is_some() {
            return self;
        }
        Self {
            held: Some(Held {
                since: now,
                left_secs: cal.business_seconds_between(now, self.due_at),
                risk_left_secs: cal.business_seconds_between(now, self.at_risk_at),
            }),
            ..self
        }
    }

    /// Resumes a held clock at `now`; returns it and the business seconds it was held
    /// (a running clock is returned as it is, with 0).
    pub fn resume(self, cal: &BusinessCalendar, now: DateTime<Utc>) -> (Self, i64) {
        let Some(held) = self.held else {
            return (self, 0);
        };
        let ahead = |left: i64, old: DateTime<Utc>| {
            if left > 0 {
                cal.add_business_seconds(now, left)
            } else {
                old
            }
        };
        let resumed = Self {
            due_at: ahead(held.left_secs, self.due_at),
            at_risk_at: ahead(held.risk_left_secs, self.at_risk_at),
            held: None,
        };
        (
            resumed,
            cal.business_seconds_between(held.since, now).max(0),
        )
    }

    /// Business seconds left at `now` (frozen while held; negative: overdue by).
    pub fn left_secs(&self, cal: &BusinessCalendar, now: DateTime<Utc>) -> i64 {
        match self.held {
            Some(h) => h.left_secs,
            None => cal.business_seconds_between(now, self.due_at),
        }
    }

    /// Whether the due time has passed on the clock at `now`.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        match self.held {
            Some(h) => h.left_secs < 0 || self.due_at < h.since,
            None => self.due_at < now,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Berlin;

    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn clock() -> (BusinessCalendar, SlaClock) {
        let cal = BusinessCalendar::default_for(Berlin);
        // Created Fri 2026-01-09 16:00 CET, due Mon 2026-01-12 16:00 CET.
        let clock = SlaClock::start(&cal, utc("2026-01-09T15:00:00Z"));
        (cal, clock)
    }

    #[test]
    fn alerts_wait_for_the_next_opening_unless_opted_in() {
        let (cal, clock) = clock();
        // Due Mon 16:00 CET (15:00 UTC), inside hours: delivered at once.
        assert_eq!(
            alert_delivery(&cal, clock.due_at, clock.due_at, false),
            clock.due_at
        );
        // Due at closing (17:00 CET) and noticed two minutes later: still delivered.
        let closing = utc("2026-01-12T16:00:00Z");
        let noticed = utc("2026-01-12T16:02:00Z");
        assert_eq!(alert_delivery(&cal, closing, noticed, false), noticed);
        // Recorded that evening (a worker was down): Tuesday's opening, 09:00 CET.
        let evening = utc("2026-01-12T20:00:00Z");
        let opening = utc("2026-01-13T08:00:00Z");
        assert_eq!(alert_delivery(&cal, closing, evening, false), opening);
        assert_eq!(alert_delivery(&cal, clock.due_at, evening, false), opening);
        // Opted into after-hours alerts: at once.
        assert_eq!(alert_delivery(&cal, closing, evening, true), evening);
        // Friday evening waits for Monday.
        let friday = utc("2026-01-09T17:30:00Z");
        assert_eq!(
            alert_delivery(&cal, utc("2026-01-09T15:00:00Z"), friday, false),
            utc("2026-01-12T08:00:00Z")
        );
    }

    #[test]
    fn clock_targets_one_standard_business_day() {
        let (cal, clock) = clock();
        assert_eq!(clock.target_minutes, 480);
        assert_eq!(clock.due_at, utc("2026-01-12T15:00:00Z"));
        assert_eq!(due_at(&cal, clock.created_at, 480), clock.due_at);
    }

    #[test]
    fn open_tickets_move_from_on_track_to_at_risk_to_breached() {
        let (cal, clock) = clock();
        let state = sla_state(&cal, &clock, utc("2026-01-09T15:00:00Z"));
        assert_eq!(
            (state.status, state.remaining_business_seconds),
            (SlaStatus::OnTrack, 480 * 60)
        );
        // Over the weekend the remaining time does not shrink.
        let weekend = sla_state(&cal, &clock, utc("2026-01-10T12:00:00Z"));
        assert_eq!(
            (weekend.status, weekend.remaining_business_seconds),
            (SlaStatus::OnTrack, 420 * 60)
        );
        // Exactly 25 % left (Mon 14:00 CET) is still on track; a second later, at risk.
        let quarter = sla_state(&cal, &clock, utc("2026-01-12T13:00:00Z"));
        assert_eq!(
            (quarter.status, quarter.remaining_business_seconds),
            (SlaStatus::OnTrack, 120 * 60)
        );
        let at_risk = sla_state(&cal, &clock, utc("2026-01-12T13:00:01Z"));
        assert_eq!(at_risk.status, SlaStatus::AtRisk);
        // At the due time it is at risk with nothing left, not yet breached.
        let due = sla_state(&cal, &clock, clock.due_at);
        assert_eq!(
            (due.status, due.remaining_business_seconds),
            (SlaStatus::AtRisk, 0)
        );
        let late = sla_state(&cal, &clock, utc("2026-01-12T15:05:00Z"));
        assert_eq!(
            (late.status, late.remaining_business_seconds),
            (SlaStatus::Breached, -5 * 60)
        );
        assert_eq!(late.due_at, clock.due_at);
    }

    #[test]
    fn breach_after_closing_shows_no_business_time_overdue() {
        let cal = BusinessCalendar::default_for(Berlin);
        // Created Fri 09:00 CET: due Fri 17:00 CET; at 18:00 it is breached, 0 business
        // minutes overdue until Monday's opening.
        let clock = SlaClock::start(&cal, utc("2026-01-09T08:00:00Z"));
        let state = sla_state(&cal, &clock, utc("2026-01-09T17:00:00Z"));
        assert_eq!(
            (state.status, state.remaining_business_seconds),
            (SlaStatus::Breached, 0)
        );
    }

    #[test]
    fn answered_tickets_keep_their_record() {
        let (cal, mut clock) = clock();
        clock.first_response_at = Some(utc("2026-01-12T09:00:00Z"));
        let met = sla_state(&cal, &clock, utc("2026-02-01T00:00:00Z"));
        assert_eq!(
            (met.status, met.remaining_business_seconds),
            (SlaStatus::Met, 360 * 60)
        );
        clock.first_response_at = Some(clock.due_at);
        assert_eq!(
            sla_state(&cal, &clock, utc("2026-02-01T00:00:00Z")).status,
            SlaStatus::Met
        );
        clock.first_response_at = Some(utc("2026-01-13T09:00:00Z"));
        let late = sla_state(&cal, &clock, utc("2026-02-01T00:00:00Z"));
        assert_eq!(late.status, SlaStatus::MetLate);
        assert!(late.status.is_breach());
        assert_eq!(late.remaining_business_seconds, -(60 + 60) * 60);
    }

    #[test]
    fn durations_format_for_countdowns() {
        assert_eq!(format_business_duration(7 * 3600 + 59 * 60 + 59), "7h 59m");
        assert_eq!(format_business_duration(45 * 60), "45m");
        assert_eq!(format_business_duration(0), "0m");
        assert_eq!(format_business_duration(59), "0m");
        assert_eq!(format_business_duration(-65 * 60), "-1h 05m");
        assert_eq!(format_business_duration(-30), "-1m");
        assert_eq!(format_business_duration(26 * 3600), "26h 00m");
    }

    #[test]
    fn statuses_have_names() {
        assert_eq!(SlaStatus::MetLate.as_str(), "met_late");
        assert_eq!(SlaStatus::AtRisk.label(), "At risk");
        assert!(!SlaStatus::Met.is_breach());
    }
}
