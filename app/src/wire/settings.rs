//! Wire types of the settings area: what pages, server functions and the store exchange.

use serde::{Deserialize, Serialize};

/// One weekday's hours ("" when closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayView {
    /// "Monday"…
    pub weekday: String,
    /// "09:00" or "".
    pub open: String,
    /// "17:00" or "".
    pub close: String,
}

/// A holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HolidayView {
    /// YYYY-MM-DD.
    pub day: String,
    /// Its name.
    pub name: String,
}

/// The calendar as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CalendarView {
    /// IANA timezone of the support team.
    pub timezone: String,
    /// Monday first.
    pub days: Vec<DayView>,
    /// In date order.
    pub holidays: Vec<HolidayView>,
    /// One standard business day, in minutes: the first-response target.
    pub standard_day_minutes: i64,
}

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One version of the SLA policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    /// First-response target of normal tickets: "1d", "4h 30m".
    pub normal: String,
    /// First-response target of low-priority tickets (escalated client errors).
    pub low: String,
    /// At risk with less than this share of the target left (percent).
    pub at_risk_percent: i64,
    /// Next-reply target (after a developer's reply to an answered ticket).
    pub next_reply: String,
    /// Resolution target.
    pub resolution: String,
    /// Whether waiting on the developer pauses the resolution clock.
    pub pause_when_waiting: bool,
    /// When it was put in force, in the reader's timezone ("installation" for the default).
    pub since_local: String,
    /// Who did (an email), or "default".
    pub by: String,
}

/// The SLA policy page: the policy in force (first in `history`) and what its targets
/// come to on today's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyView {
    /// Every version, newest (in force) first.
    pub history: Vec<PolicyVersion>,
    /// The normal target in business minutes on today's calendar.
    pub normal_minutes: i64,
    /// The low target in business minutes on today's calendar.
    pub low_minutes: i64,
    /// The next-reply target in business minutes on today's calendar.
    pub next_reply_minutes: i64,
    /// The resolution target in business minutes on today's calendar.
    pub resolution_minutes: i64,
    /// One standard business day of today's calendar, in minutes.
    pub standard_day_minutes: i64,
}
