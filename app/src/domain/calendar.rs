//! The support team's business calendar (PRODUCT §5): opening hours per weekday and
//! holidays, in one IANA timezone, and arithmetic on business time that is exact across
//! DST changes.
//!
//! Business time is real elapsed time inside opening hours. On the night clocks spring
//! forward a 00:00–23:59 day holds one hour less; when they fall back, one hour more.

mod hours;
mod local;

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::FieldError;
pub use hours::{parse_holidays, parse_tz, DayHours};
use local::{local_date, resolve};

/// The longest stretch of consecutive closed days a calendar may have. It guarantees
/// that business time always advances (and that every search below terminates quickly).
pub const MAX_CLOSED_DAYS: i64 = 366;

/// Adding business time stops after this many calendar days (over a century), which
/// only a nonsensical amount of minutes on a calendar with a few minutes a week reaches.
const MAX_SCAN_DAYS: usize = 40_000;

/// Opening hours per weekday and holidays, in the support team's timezone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCalendar", into = "RawCalendar")]
pub struct BusinessCalendar {
    tz: Tz,
    hours: [Option<DayHours>; 7],
    holidays: BTreeSet<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
struct RawCalendar {
    timezone: Tz,
    hours: [Option<DayHours>; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// Builds a calendar from hours for Monday … Sunday (`None` = closed) and local
    /// holiday dates. At least one weekday must be open, and holidays may not close the
    /// desk for more than [`MAX_CLOSED_DAYS`] days in a row.
    pub fn new(
        tz: Tz,
        hours: [Option<DayHours>; 7],
        holidays: BTreeSet<NaiveDate>,
    ) -> Result<Self, FieldError> {
        if hours.iter().all(Option::is_none) {
            return Err(FieldError::new(
                "hours",
                "Open the desk on at least one weekday; with no opening hours the SLA clock could never run.",
            ));
        }
        let calendar = Self {
            tz,
            hours,
            holidays,
        };
        if let Some((from, to)) = calendar.longest_closure() {
            return Err(FieldError::new(
                "holidays",
                format!(
                    "Holidays close the desk from {from} to {to}, more than {MAX_CLOSED_DAYS} days in a row; the SLA clock could never run."
                ),
            ));
        }
        Ok(calendar)
    }

    /// Monday to Friday, 09:00–17:00, no holidays: the default support calendar.
    pub fn default_for(tz: Tz) -> Self {
        let day = DayHours::parse("09:00", "17:00").expect("09:00 is before 17:00");
        Self {
            tz,
            hours: [
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                None,
                None,
            ],
            holidays: BTreeSet::new(),
        }
    }

    /// The support team's timezone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Opening hours for Monday … Sunday; `None` means closed all day.
    pub fn hours(&self) -> &[Option<DayHours>; 7] {
        &self.hours
    }

    /// Opening hours on `weekday`.
    pub fn hours_on(&self, weekday: Weekday) -> Option<DayHours> {
        self.hours[weekday.num_days_from_monday() as usize]
    }

    /// Holiday dates in the support timezone.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// The length of one standard business day in minutes: the most common non-zero
    /// daily length over the week, the longer on a tie. 480 for the default calendar.
    pub fn standard_day_minutes(&self) -> i64 {
        let lengths: Vec<i64> = self.hours.iter().flatten().map(DayHours::minutes).collect();
        let count = |len: i64| lengths.iter().filter(|l| **l == len).count();
        lengths
            .iter()
            .copied()
            .filter(|len| *len > 0)
            .max_by_key(|len| (count(*len), *len))
            .unwrap_or(0)
    }

    /// Whether the desk is open at `t`. Opening instants are open, closing ones closed.
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.nearby_intervals(t)
            .any(|(open, close)| open <= t && t < close)
    }

    /// Whether `t` is exactly the end of an opening interval.
    pub fn is_closing_instant(&self, t: DateTime<Utc>) -> bool {
        self.nearby_intervals(t).any(|(_, close)| close == t)
    }

    /// The earliest instant at or after `t` when the desk is open: `t` itself when open.
    pub fn next_opening(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.intervals_from(t)
            .find(|(_, close)| *close > t)
            .map_or(t, |(open, _)| open.max(t))
    }

    /// The instant when `minutes` of business time have passed after `start`.
    ///
    /// Counting begins at `start` if the desk is open, otherwise at the next opening. The
    /// result is never inside a closed period, except exactly at a closing instant: time
    /// that runs out at 17:00 is due at 17:00, not the next morning. With `minutes == 0`
    /// that is `start` itself when open or closing, else the next opening. Negative
    /// minutes count as zero.
    pub fn add_business_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        self.add_business_seconds(start, minutes.saturating_mul(60))
    }

    /// [`Self::add_business_minutes`] to the second (a paused clock resumes with the
    /// business seconds it had left).
    pub fn add_business_seconds(&self, start: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        let mut remaining = TimeDelta::try_seconds(seconds.max(0)).unwrap_or(TimeDelta::MAX);
        if remaining.is_zero() && (self.is_open(start) || self.is_closing_instant(start)) {
            return start;
        }
        let mut last = start;
        for (open, close) in self.intervals_from(start) {
            if close <= start {
                continue;
            }
            let from = open.max(start);
            let available = close - from;
            if remaining <= available {
                return from + remaining;
            }
            remaining -= available;
            last = close;
        }
        last
    }

    /// Business seconds from `a` to `b`; negative when `b` is before `a`.
    pub fn business_seconds_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b < a {
            return -self.business_seconds_between(b, a);
        }
        let mut total = TimeDelta::zero();
        for (open, close) in self.intervals_from(a) {
            if open >= b {
                break;
            }
            let overlap = close.min(b) - open.max(a);
            if overlap > TimeDelta::zero() {
                total += overlap;
            }
        }
        total.num_seconds()
    }

    /// The opening intervals overlapping `[from, to)`, clipped to it, in time order.
    pub fn open_intervals(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.intervals_from(from)
            .take_while(|(open, _)| *open < to)
            .filter_map(|(open, close)| {
                let (open, close) = (open.max(from), close.min(to));
                (open < close).then_some((open, close))
            })
            .collect()
    }

    /// Business minutes from `a` to `b`, rounded down; negative when `b` is before `a`.
    pub fn business_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.business_seconds_between(a, b).div_euclid(60)
    }

    /// The opening interval of a local date, as instants; `None` on closed days and on
    /// days whose hours fall entirely into a DST gap.
    fn interval_on(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let hours = self.hours_on(date.weekday())?;
        let open = resolve(self.tz, date.and_time(hours.open()));
        let close = resolve(self.tz, date.and_time(hours.close()));
        (open < close).then_some((open, close))
    }

    /// Opening intervals in time order, starting with the local day before `t`'s.
    fn intervals_from(
        &self,
        t: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let first = local_date(self.tz, t).pred_opt().unwrap_or(NaiveDate::MIN);
        first
            .iter_days()
            .take(MAX_SCAN_DAYS)
            .filter_map(|date| self.interval_on(date))
    }

    /// The opening intervals of the local days around `t`: the only ones containing it.
    fn nearby_intervals(
        &self,
        t: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let first = local_date(self.tz, t).pred_opt().unwrap_or(NaiveDate::MIN);
        first
            .iter_days()
            .take(3)
            .filter_map(|date| self.interval_on(date))
    }

    /// The first stretch of more than [`MAX_CLOSED_DAYS`] closed days, if any.
    fn longest_closure(&self) -> Option<(NaiveDate, NaiveDate)> {
        let open_weekdays = self.hours.iter().filter(|h| h.is_some()).count();
        // Such a stretch needs a holiday on every open weekday for over a year.
        if self.holidays.len() < open_weekdays * 52 {
            return None;
        }
        // Closed weekdays just before the first and after the last holiday count too.
        let margin = chrono::Days::new(7);
        let first = self
            .holidays
            .first()?
            .checked_sub_days(margin)
            .unwrap_or(NaiveDate::MIN);
        let last = self
            .holidays
            .last()?
            .checked_add_days(margin)
            .unwrap_or(NaiveDate::MAX);
        let mut run_start: Option<NaiveDate> = None;
        for date in first.iter_days().take_while(|d| *d <= last) {
            let closed = self.holidays.contains(&date) || self.hours_on(date.weekday()).is_none();
            match (closed, run_start) {
                (true, None) => run_start = Some(date),
                (true, Some(start)) if (date - start).num_days() >= MAX_CLOSED_DAYS => {
                    return Some((start, date));
                }
                (false, _) => run_start = None,
                _ => {}
            }
        }
        None
    }
}

impl TryFrom<RawCalendar> for BusinessCalendar {
    type Error = FieldError;

    fn try_from(raw: RawCalendar) -> Result<Self, Self::Error> {
        Self::new(raw.timezone, raw.hours, raw.holidays)
    }
}

impl From<BusinessCalendar> for RawCalendar {
    fn from(calendar: BusinessCalendar) -> Self {
        Self {
            timezone: calendar.tz,
            hours: calendar.hours,
            holidays: calendar.holidays,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
