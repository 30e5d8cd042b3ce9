//! The support calendar's opening hours as plain UTC ranges, so the browser can count
//! business time (live SLA countdowns) without the timezone database: the server
//! resolves the calendar into [`OpenWindows`] once per page, the browser only adds up
//! overlaps.

use super::{calendar::BusinessCalendar, sla::SlaStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Opening intervals `[open, close)` in milliseconds since the epoch, in time order,
/// covering `from_ms..to_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OpenWindows {
    /// Start of the covered range.
    pub from_ms: i64,
    /// End of the covered range.
    pub to_ms: i64,
    /// Opening intervals inside the range (clipped to it), `[from_ms, to_ms]` pairs.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<i64>>))]
    pub windows: Vec<(i64, i64)>,
}

impl OpenWindows {
    /// The calendar's opening intervals between `from` and `to`.
    pub fn of(cal: &BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let windows = cal
            .open_intervals(from, to)
            .into_iter()
            .map(|(o, c)| (o.timestamp_millis(), c.timestamp_millis()))
            .collect();
        Self {
            from_ms: from.timestamp_millis(),
            to_ms: to.timestamp_millis(),
            windows,
        }
    }

    /// Business milliseconds from `a` to `b` (negative when `b < a`), counting only the
    /// covered range.
    pub fn business_ms_between(&self, a: i64, b: i64) -> i64 {
        if b < a {
            return -self.business_ms_between(b, a);
        }
        self.windows
            .iter()
            .map(|&(open, close)| (close.min(b) - open.max(a)).max(0))
            .sum()
    }

    /// Whether the desk is open at `t`.
    pub fn is_open(&self, t: i64) -> bool {
        self.windows
            .iter()
            .any(|&(open, close)| open <= t && t < close)
    }
}

/// One of a ticket's SLA clocks as instants (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClockInstants {
    /// Due.
    pub due_ms: i64,
    /// From here on less than the at-risk share of the target is left.
    pub at_risk_ms: Option<i64>,
    /// When the clock stopped (the first public staff reply, for the first response).
    pub responded_ms: Option<i64>,
    /// Set while the clock is paused (waiting on the developer): its state is frozen.
    #[serde(default)]
    pub paused: Option<PausedClock>,
}

/// A paused clock's frozen state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PausedClock {
    /// Business time that was left when it paused (negative: overdue by).
    pub left_ms: i64,
    /// Whether it was at risk when it paused.
    pub at_risk: bool,
}

/// The clock's state at `now_ms`, and the business time left (negative: overdue by),
/// counted in `windows`. Once answered, the time is frozen at the answer.
pub fn clock_state(c: &ClockInstants, windows: &OpenWindows, now_ms: i64) -> (SlaStatus, i64) {
    if let Some(p) = c.paused {
        let status = if p.left_ms < 0 {
            SlaStatus::Breached
        } else if p.at_risk {
            SlaStatus::AtRisk
        } else {
            SlaStatus::OnTrack
        };
        return (status, p.left_ms);
    }
    match c.responded_ms {
        Some(at) => {
            let left = windows.business_ms_between(at, c.due_ms);
            let status = if at <= c.due_ms {
                SlaStatus::Met
            } else {
                SlaStatus::MetLate
            };
            (status, left)
        }
        None if now_ms > c.due_ms => (
            SlaStatus::Breached,
            windows.business_ms_between(now_ms, c.due_ms),
        ),
        None => {
            let status = if c.at_risk_ms.is_some_and(|r| now_ms > r) {
                SlaStatus::AtRisk
            } else {
                SlaStatus::OnTrack
            };
            (status, windows.business_ms_between(now_ms, c.due_ms))
        }
    }
}

/// "7h 59m 12s" (business time, for a ticking countdown); negative values show the
/// overrun without a sign (the status says it is overdue).
pub fn format_countdown(ms: i64) -> String {
    let secs = ms.unsigned_abs() / 1000;
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else {
        format!("{m}m {s:02}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Europe::Berlin};
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_berlin_week_has_forty_business_hours_even_across_dst() {
        let cal = BusinessCalendar::default_for(Berlin);
        // The week of the spring-forward change (Sunday 2026-03-29).
        let w = OpenWindows::of(
            &cal,
            utc("2026-03-23T00:00:00Z"),
            utc("2026-03-30T22:00:00Z"),
        );
        assert_eq!(w.windows.len(), 6, "Mon–Fri plus Monday 30th");
        let week = w.business_ms_between(w.from_ms, utc("2026-03-28T00:00:00Z").timestamp_millis());
        assert_eq!(week, 40 * 3_600_000);
        // After the change Berlin is UTC+2: Monday opens at 07:00 UTC.
        assert_eq!(
            w.windows[5].0,
            utc("2026-03-30T07:00:00Z").timestamp_millis()
        );
        assert!(w.is_open(utc("2026-03-30T07:30:00Z").timestamp_millis()));
        assert!(!w.is_open(utc("2026-03-28T10:00:00Z").timestamp_millis()));
    }

    #[test]
    fn clock_states_follow_the_instants() {
        let w = OpenWindows {
            from_ms: 0,
            to_ms: 100_000,
            windows: vec![(0, 10_000), (20_000, 30_000)],
        };
        let c = ClockInstants {
            due_ms: 25_000,
            at_risk_ms: Some(22_500),
            responded_ms: None,
            paused: None,
        };
        assert_eq!(clock_state(&c, &w, 5_000), (SlaStatus::OnTrack, 10_000));
        // Closed between 10 s and 20 s: the time left does not shrink.
        assert_eq!(clock_state(&c, &w, 15_000), (SlaStatus::OnTrack, 5_000));
        assert_eq!(clock_state(&c, &w, 23_000), (SlaStatus::AtRisk, 2_000));
        assert_eq!(clock_state(&c, &w, 25_000), (SlaStatus::AtRisk, 0));
        assert_eq!(clock_state(&c, &w, 28_000), (SlaStatus::Breached, -3_000));
        let met = ClockInstants {
            responded_ms: Some(21_000),
            ..c
        };
        assert_eq!(clock_state(&met, &w, 90_000), (SlaStatus::Met, 4_000));
        let late = ClockInstants {
            responded_ms: Some(26_000),
            ..c
        };
        assert_eq!(clock_state(&late, &w, 90_000).0, SlaStatus::MetLate);
        // A paused clock is frozen: its state does not change as time passes.
        let paused = ClockInstants {
            paused: Some(PausedClock {
                left_ms: 7_000,
                at_risk: false,
            }),
            ..c
        };
        assert_eq!(
            clock_state(&paused, &w, 90_000),
            (SlaStatus::OnTrack, 7_000)
        );
        let overdue = ClockInstants {
            paused: Some(PausedClock {
                left_ms: -1,
                at_risk: true,
            }),
            ..c
        };
        assert_eq!(clock_state(&overdue, &w, 0).0, SlaStatus::Breached);
        assert_eq!(format_countdown(3_600_000 + 61_000), "1h 01m 01s");
        assert_eq!(format_countdown(-59_000), "0m 59s");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// The browser's count agrees with the calendar's own, to the millisecond.
        #[test]
        fn windows_agree_with_the_calendar(a in 0i64..(60 * 24 * 20), b in 0i64..(60 * 24 * 20)) {
            let cal = BusinessCalendar::default_for(New_York);
            let from = utc("2026-10-26T00:00:00Z");
            let to = from + chrono::Duration::days(21);
            let w = OpenWindows::of(&cal, from, to);
            let ta = from + chrono::Duration::minutes(a);
            let tb = from + chrono::Duration::minutes(b);
            prop_assert_eq!(
                w.business_ms_between(ta.timestamp_millis(), tb.timestamp_millis()) / 1000,
                cal.business_seconds_between(ta, tb)
            );
        }
    }
}
