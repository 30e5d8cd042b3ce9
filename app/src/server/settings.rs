//! The support calendar: timezone, weekly hours and holidays (PRODUCT §5).

use super::{
    cache::CacheKind,
    db::{on_db, on_tx, Db, Tx},
};
use crate::{
    domain::calendar::{parse_tz, BusinessCalendar, DayHours},
    error::AppError,
};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// The current support calendar (from this instance's cache).
pub async fn load_calendar(db: &Db) -> Result<std::sync::Arc<BusinessCalendar>, AppError> {
    db.hub().caches.calendar(db).await
}

/// Reads the current support calendar from the database.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn read_calendar(db: &Db) -> Result<BusinessCalendar, AppError> {
    let sql = "SELECT timezone, hours FROM support_calendar WHERE id = 1";
    let row: Option<(String, String)> =
        on_db!(db, pool => sqlx::query_as(sql).fetch_optional(pool).await)?;
    let days: Vec<(String,)> =
        on_db!(db, pool => sqlx::query_as("SELECT day FROM holidays").fetch_all(pool).await)?;
    assemble(row, days)
}

/// [`read_calendar`] inside a unit of work.
pub async fn calendar_in(tx: &mut Tx) -> Result<BusinessCalendar, AppError> {
    let sql = "SELECT timezone, hours FROM support_calendar WHERE id = 1";
    let row: Option<(String, String)> =
        on_tx!(tx, c => sqlx::query_as(sql).fetch_optional(&mut *c).await)?;
    let days: Vec<(String,)> =
        on_tx!(tx, c => sqlx::query_as("SELECT day FROM holidays").fetch_all(&mut *c).await)?;
    assemble(row, days)
}

/// The holidays' dates, read inside a unit of work.
pub async fn holiday_dates_in(tx: &mut Tx) -> Result<BTreeSet<NaiveDate>, AppError> {
    let days: Vec<(String,)> =
        on_tx!(tx, c => sqlx::query_as("SELECT day FROM holidays").fetch_all(&mut *c).await)?;
    Ok(parse_days(&days))
}

fn parse_days(days: &[(String,)]) -> BTreeSet<NaiveDate> {
    days.iter()
        .filter_map(|(d,)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect()
}

fn assemble(
    row: Option<(String, String)>,
    days: Vec<(String,)>,
) -> Result<BusinessCalendar, AppError> {
    let (tz, hours) = row
        .ok_or_else(|| super::error::unexpected("support calendar missing", "no row with id 1"))?;
    let holidays = parse_days(&days);
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

/// A holiday as stored.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct HolidayRow {
    /// YYYY-MM-DD in the support timezone.
    pub day: String,
    /// What it is.
    pub name: String,
}

/// The stored timezone and week, raw.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn raw_calendar(db: &Db) -> Result<(String, String), sqlx::Error> {
    let sql = "SELECT timezone, hours FROM support_calendar WHERE id = 1";
    on_db!(db, pool => sqlx::query_as(sql).fetch_one(pool).await)
}

/// Every holiday, in date order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn holidays(db: &Db) -> Result<Vec<HolidayRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("SELECT day, name FROM holidays ORDER BY day").fetch_all(pool).await)
}

/// Stores a new timezone and week (already validated).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn save_week(
    tx: &mut Tx,
    timezone: &str,
    week: &str,
    actor: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE support_calendar SET timezone = $1, hours = $2, updated_at = $3, updated_by = $4 WHERE id = 1";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(timezone)
        .bind(week)
        .bind(super::db::millis(now))
        .bind(actor)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    tx.stale(CacheKind::Calendar);
    Ok(())
}

/// Adds (or renames) a holiday.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn put_holiday(tx: &mut Tx, day: NaiveDate, name: &str) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO holidays (day, name) VALUES ($1, $2) \
               ON CONFLICT (day) DO UPDATE SET name = excluded.name";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(day.format("%Y-%m-%d").to_string())
        .bind(name)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    tx.stale(CacheKind::Calendar);
    Ok(())
}

/// Removes a holiday; returns whether there was one.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn delete_holiday(tx: &mut Tx, day: NaiveDate) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM holidays WHERE day = $1")
        .bind(day.format("%Y-%m-%d").to_string())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    tx.stale(CacheKind::Calendar);
    Ok(n == 1)
}

/// The stored form of a week: seven `HH:MM-HH:MM` or empty entries, Monday first.
pub fn format_week(week: &[Option<DayHours>; 7]) -> String {
    week.iter()
        .map(|d| match d {
            Some(h) => format!("{}-{}", h.open().format("%H:%M"), h.close().format("%H:%M")),
            None => String::new(),
        })
        .collect::<Vec<_>>()
        .join(",")
}
