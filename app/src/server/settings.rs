//! The support calendar: timezone, weekly hours and holidays (PRODUCT §5).

use super::db::{on_db, Db};
use crate::{
    domain::calendar::{parse_tz, BusinessCalendar, DayHours},
    error::AppError,
};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Reads the current support calendar.
#[tracing::instrument(skip_all)]
pub async fn load_calendar(db: &Db) -> Result<BusinessCalendar, AppError> {
    let sql = "SELECT timezone, hours FROM support_calendar WHERE id = 1";
    let row: Option<(String, String)> =
        on_db!(db, pool => sqlx::query_as(sql).fetch_optional(pool).await)?;
    let (tz, hours) = row
        .ok_or_else(|| super::error::unexpected("support calendar missing", "no row with id 1"))?;
    let days: Vec<(String,)> =
        on_db!(db, pool => sqlx::query_as("SELECT day FROM holidays").fetch_all(pool).await)?;
    let holidays: BTreeSet<NaiveDate> = days
        .iter()
        .filter_map(|(d,)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect();
    let tz = parse_tz(&tz).map_err(|e| super::error::unexpected("stored timezone invalid", e))?;
    let hours =
        parse_week(&hours).map_err(|e| super::error::unexpected("stored hours invalid", e))?;
    BusinessCalendar::new(tz, hours, holidays)
        .map_err(|e| super::error::unexpected("stored calendar invalid", e))
}

/// Reads the stored week: seven comma-separated entries, Monday first, each
/// `HH:MM-HH:MM` or empty for a closed day.
pub fn parse_week(s: &str) -> Result<[Option<DayHours>; 7], String> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != 7 {
        return Err(format!("expected 7 days, got {}", parts.len()));
    }
    let mut week: [Option<DayHours>; 7] = Default::default();
    for (slot, part) in week.iter_mut().zip(parts) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (open, close) = part
            .split_once('-')
            .ok_or_else(|| format!("bad day hours {part:?}"))?;
        *slot = Some(DayHours::parse(open, close).map_err(|e| e.to_string())?);
    }
    Ok(week)
}
