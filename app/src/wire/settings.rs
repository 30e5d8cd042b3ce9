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
