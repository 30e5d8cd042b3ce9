//! The arithmetic of manager reports (PRODUCT §8), pure so that it is tested on its own
//! and shared by the page, the CSV exports and the queries that mirror it:
//!
//! - the date range of a report (local dates in the support timezone, inclusive);
//! - percentiles by the **nearest-rank** method;
//! - SLA attainment (met ÷ decided, where pending tickets are not decided yet);
//! - the age bands of the open backlog and the buckets of the response-time chart;
//! - number formatting and RFC 4180 CSV.

use chrono::{Datelike, Days, NaiveDate};
use std::borrow::Cow;

use super::error::FieldError;

/// The longest range a report covers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The range shown when none is chosen: the last 30 days, today included.
pub const DEFAULT_RANGE_DAYS: i64 = 30;

/// Inclusive local dates (support timezone) a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateRange {
    /// Reads `from` and `to` (`YYYY-MM-DD`, either may be empty). An empty `to` is
    /// `today`; an empty `from` is 29 days before `to`. `from` must not be after `to`,
    /// and the range may span at most [`MAX_RANGE_DAYS`] days.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let to = match to {
            "" => today,
            s => parse_date("to", "end", s)?,
        };
        let from = match from {
            "" => to
                .checked_sub_days(Days::new(DEFAULT_RANGE_DAYS as u64 - 1))
                .unwrap_or(NaiveDate::MIN),
            s => parse_date("from", "start", s)?,
        };
        if from > to {
            return Err(FieldError::new(
                "to",
                format!("The end date ({to}) is before the start date ({from}); pick an end on or after the start."),
            ));
        }
        let range = Self { from, to };
        if range.days() > MAX_RANGE_DAYS {
            return Err(FieldError::new(
                "from",
                format!(
                    "The range spans {} days; a report covers at most {MAX_RANGE_DAYS}. Move the start date later.",
                    range.days()
                ),
            ));
        }
        Ok(range)
    }

    /// The first day.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last day (inclusive).
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// How many days it spans.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Every day, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }

    /// `from` and `to` as stored in `reports.created_day` (`YYYY-MM-DD`), which compare
    /// as text exactly as they compare as dates.
    pub fn as_keys(&self) -> (String, String) {
        (day_key(self.from), day_key(self.to))
    }

    /// The period the attainment chart groups by: days for up to 31 days, else weeks.
    pub fn period(&self) -> Period {
        if self.days() <= 31 {
            Period::Day
        } else {
            Period::Week
        }
    }
}

/// The dates a report accepts (`YYYY-MM-DD`, years 1970 to 9999), as a JSON Schema
/// `pattern` to go with `format: date`.
pub const DATE_PATTERN: &str = "^(?:19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$";

fn parse_date(field: &str, which: &str, s: &str) -> Result<NaiveDate, FieldError> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .filter(|d| (1970..=9999).contains(&d.year()))
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("Give the {which} date as YYYY-MM-DD (for example 2026-11-24)."),
            )
        })
}

/// A date as `reports.created_day` stores it.
pub fn day_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// How the attainment chart groups days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// One bar per day.
    Day,
    /// One bar per week, Monday to Sunday (cut at the range's ends).
    Week,
}

impl Period {
    /// The first day of the period containing `d`, never before `range.from()`.
    pub fn start_of(self, d: NaiveDate, range: &DateRange) -> NaiveDate {
        let start = match self {
            Period::Day => d,
            Period::Week => d - Days::new(u64::from(d.weekday().num_days_from_monday())),
        };
        start.max(range.from())
    }
}

/// The rank (1-based, in ascending order) of the `p`-th percentile of `n` values by the
/// nearest-rank method: the smallest rank `k` with `k ≥ p·n/100`, i.e. `⌈p·n/100⌉`.
/// `p` is clamped to 1..=100; `n` must be at least 1.
pub fn nearest_rank(p: u32, n: u64) -> u64 {
    let p = u64::from(p.clamp(1, 100));
    (p * n).div_ceil(100).max(1)
}

/// The `p`-th percentile (nearest rank) of ascending `sorted` values, or `None` if empty.
/// The value is always one of the data: no interpolation.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    let k = nearest_rank(p, sorted.len() as u64);
    sorted.get(usize::try_from(k).ok()? - 1).copied()
}

/// The `p`-th percentile (nearest rank) of `values` in any order, found in linear time
/// (the slice is reordered). Equal to [`percentile`] of the sorted values.
pub fn percentile_of_unsorted(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let k = usize::try_from(nearest_rank(p, values.len() as u64)).ok()?;
    Some(*values.select_nth_unstable(k - 1).1)
}

/// First-response SLA attainment in percent: met ÷ (met + breached). Tickets still
/// within their target (pending) are not counted either way. `None` when nothing is
/// decided yet.
pub fn attainment_pct(met: i64, breached: i64) -> Option<f64> {
    ratio_pct(met, met + breached)
}

/// `part` as a percentage of `whole`, or `None` when `whole` is zero.
pub fn ratio_pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// A percentage with one decimal ("66.7"), or "—" when there is none.
pub fn fmt_pct(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{p:.1}"))
}

/// Seconds as hours with two decimals ("1.50"), or "—".
pub fn fmt_hours(secs: Option<i64>) -> String {
    secs.map_or_else(|| "—".to_owned(), |s| format!("{:.2}", s as f64 / 3600.0))
}

/// The age bands of the open backlog: a label and the band's lower bound in seconds of
/// wall-clock age since the ticket was routed. Each band runs up to the next one's bound.
pub const AGE_BANDS: [(&str, i64); 6] = [
    ("Under 8 hours", 0),
    ("8–24 hours", 8 * HOUR),
    ("1–3 days", 24 * HOUR),
    ("3–7 days", 3 * DAY),
    ("1–4 weeks", 7 * DAY),
    ("Over 4 weeks", 28 * DAY),
];

/// The buckets of the response-time chart: a label and the lower bound in business
/// seconds from routing to the first response.
pub const RESPONSE_BUCKETS: [(&str, i64); 7] = [
    ("Under 1 h", 0),
    ("1–2 h", HOUR),
    ("2–4 h", 2 * HOUR),
    ("4–8 h", 4 * HOUR),
    ("8–16 h", 8 * HOUR),
    ("16–24 h", 16 * HOUR),
    ("24 h and more", 24 * HOUR),
];

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The index of the band (of `bounds`, ascending lower bounds starting at 0) that
/// `value` falls into; negative values fall into the first.
pub fn band_of(bounds: &[(&str, i64)], value: i64) -> usize {
    bounds
        .iter()
        .rposition(|(_, lower)| value >= *lower)
        .unwrap_or(0)
}

/// One CSV field, quoted per RFC 4180 when it holds a comma, a double quote, a line
/// break or leading/trailing spaces (quotes inside are doubled).
pub fn csv_field(s: &str) -> Cow<'_, str> {
    let needs_quotes = s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ');
    if needs_quotes {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

/// A CSV document (RFC 4180): a header row, then one record per row, each line ending
/// in CRLF.
pub fn csv_document<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |fields: &mut dyn Iterator<Item = &str>| {
        let mut first = true;
        for f in fields {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&csv_field(f));
        }
        out.push_str("\r\n");
    };
    line(&mut header.iter().map(AsRef::as_ref));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests;
