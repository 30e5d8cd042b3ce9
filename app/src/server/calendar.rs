//! Changing the support calendar (managers): the decisions behind the calendar page.
//! Each change is one unit of work that re-reads the calendar it validates against
//! inside its transaction, and drops every instance's cached copy after commit.

use super::{settings, state::AppState};
use crate::{
    domain::calendar::{BusinessCalendar, DayHours},
    error::AppError,
};
use chrono::NaiveDate;

/// Stores a new timezone and week, if the calendar they make (with today's holidays)
/// is valid.
pub async fn save_week(
    state: &AppState,
    actor: i64,
    tz: chrono_tz::Tz,
    week: [Option<DayHours>; 7],
) -> Result<(), AppError> {
    let now = state.clock.now();
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let holidays = settings::holiday_dates_in(tx).await?;
                BusinessCalendar::new(tz, week, holidays)?;
                settings::save_week(tx, tz.name(), &settings::format_week(&week), actor, now)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Adds (or renames) a holiday, if the calendar stays valid with it.
pub async fn add_holiday(state: &AppState, date: NaiveDate, name: String) -> Result<(), AppError> {
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let current = settings::calendar_in(tx).await?;
                let mut holidays = current.holidays().clone();
                holidays.insert(date);
                BusinessCalendar::new(current.timezone(), *current.hours(), holidays)?;
                settings::put_holiday(tx, date, &name).await?;
                Ok(())
            })
        })
        .await
}

/// Removes a holiday; 404 if there is none that day.
pub async fn remove_holiday(state: &AppState, date: NaiveDate) -> Result<(), AppError> {
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                if !settings::delete_holiday(tx, date).await? {
                    return Err(AppError::not_found("holiday"));
                }
                Ok(())
            })
        })
        .await
}
