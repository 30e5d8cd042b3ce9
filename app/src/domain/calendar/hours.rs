//! Opening hours and the text forms of calendar settings.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;

/// Opening hours of one day, in local time: open at `open`, closed from `close` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDayHours", into = "RawDayHours")]
pub struct DayHours {
    open: NaiveTime,
    close: NaiveTime,
}

#[derive(Serialize, Deserialize)]
struct RawDayHours {
    open: NaiveTime,
    close: NaiveTime,
}

impl DayHours {
    /// Builds opening hours; `open` must be before `close` on the same day.
    pub fn new(open: NaiveTime, close: NaiveTime) -> Result<Self, FieldError> {
        if open < close {
            Ok(Self { open, close })
        } else {
            Err(FieldError::new(
                "hours",
                format!(
                    "Opening time must be before closing time on the same day; {} is not before {}.",
                    open.format("%H:%M"),
                    close.format("%H:%M")
                ),
            ))
        }
    }

    /// Parses `HH:MM` (or `HH:MM:SS`) opening and closing times, e.g. `("09:00", "17:00")`.
    pub fn parse(open: &str, close: &str) -> Result<Self, FieldError> {
        Self::new(parse_time(open)?, parse_time(close)?)
    }

    /// The local opening time.
    pub fn open(&self) -> NaiveTime {
        self.open
    }

    /// The local closing time (the first moment the desk is closed).
    pub fn close(&self) -> NaiveTime {
        self.close
    }

    /// The nominal length of the day in minutes, ignoring DST.
    pub fn minutes(&self) -> i64 {
        (self.close - self.open).num_minutes()
    }
}

fn parse_time(input: &str) -> Result<NaiveTime, FieldError> {
    let trimmed = input.trim();
    NaiveTime::parse_from_str(trimmed, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(trimmed, "%H:%M:%S"))
        .map_err(|_| {
            FieldError::new(
                "hours",
                format!("“{trimmed}” is not a time of day; write it as HH:MM, e.g. 09:00."),
            )
        })
}

impl TryFrom<RawDayHours> for DayHours {
    type Error = FieldError;

    fn try_from(raw: RawDayHours) -> Result<Self, Self::Error> {
        Self::new(raw.open, raw.close)
    }
}

impl From<DayHours> for RawDayHours {
    fn from(hours: DayHours) -> Self {
        Self {
            open: hours.open,
            close: hours.close,
        }
    }
}

/// Parses an IANA timezone name such as `Europe/Berlin`.
pub fn parse_tz(input: &str) -> Result<Tz, FieldError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            "timezone",
            "Choose a timezone, e.g. Europe/Berlin or America/New_York.",
        ));
    }
    trimmed.parse::<Tz>().map_err(|_| {
        FieldError::new(
            "timezone",
            format!(
                "{} is not an IANA timezone name; choose one such as Europe/Berlin or America/New_York.",
                crate::domain::error::quoted(trimmed)
            ),
        )
    })
}

/// Parses holiday dates (`YYYY-MM-DD`), separated by commas, spaces or line breaks.
pub fn parse_holidays(input: &str) -> Result<BTreeSet<NaiveDate>, FieldError> {
    input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| {
            NaiveDate::parse_from_str(part, "%Y-%m-%d").map_err(|_| {
                FieldError::new(
                    "holidays",
                    format!(
                        "“{part}” is not a date; write holidays as YYYY-MM-DD, e.g. 2026-12-25."
                    ),
                )
            })
        })
        .collect()
}
