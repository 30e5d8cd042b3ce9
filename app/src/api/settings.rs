//! The support calendar: timezone, weekly hours and holidays. Managers only. Changes
//! apply to tickets created afterwards; existing due times never move.

use crate::error::AppError;
pub use crate::wire::settings::*;
use leptos::prelude::*;

/// The support calendar.
#[server(endpoint = "get_calendar")]
pub async fn get_calendar() -> Result<CalendarView, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, settings, state::app_state},
    };
    auth::require_role(Role::Manager).await?;
    let db = app_state()?.db;
    let calendar = settings::load_calendar(&db).await?;
    let (timezone, week) = settings::raw_calendar(&db).await?;
    let week = settings::parse_week(&week)
        .map_err(|e| crate::server::error::unexpected("stored week", e))?;
    Ok(CalendarView {
        timezone,
        days: WEEKDAYS
            .iter()
            .zip(week.iter())
            .map(|(name, h)| DayView {
                weekday: (*name).to_owned(),
                open: h
                    .map(|h| h.open().format("%H:%M").to_string())
                    .unwrap_or_default(),
                close: h
                    .map(|h| h.close().format("%H:%M").to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        holidays: settings::holidays(&db)
            .await?
            .into_iter()
            .map(|h| HolidayView {
                day: h.day,
                name: h.name,
            })
            .collect(),
        standard_day_minutes: calendar.standard_day_minutes(),
    })
}

/// Saves the timezone and weekly hours. `open[i]`/`close[i]` are Monday-first
/// `HH:MM` times; both empty means closed that day.
#[server(endpoint = "save_calendar")]
pub async fn save_calendar(
    timezone: String,
    open: Vec<String>,
    close: Vec<String>,
) -> Result<(), AppError> {
    use crate::{
        domain::{
            calendar::{parse_tz, DayHours},
            role::Role,
        },
        server::{auth, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    let state = app_state()?;
    let tz = parse_tz(&timezone)?;
    if open.len() != 7 || close.len() != 7 {
        return Err(AppError::validation(
            "open",
            "Give hours for all seven days.",
        ));
    }
    let mut week: [Option<DayHours>; 7] = Default::default();
    for (i, slot) in week.iter_mut().enumerate() {
        let (o, c) = (open[i].trim(), close[i].trim());
        if o.is_empty() && c.is_empty() {
            continue;
        }
        *slot = Some(DayHours::parse(o, c).map_err(|e| {
            AppError::validation(
                &format!("open[{i}]"),
                format!("{}: {}", WEEKDAYS[i], e.message),
            )
        })?);
    }
    crate::server::calendar::save_week(&state, user.id, tz, week).await?;
    tracing::info!(
        user = user.id,
        timezone = tz.name(),
        "support calendar changed"
    );
    Ok(())
}

/// Adds a holiday (a date in the support timezone) or renames an existing one.
#[server(endpoint = "add_holiday")]
pub async fn add_holiday(day: String, name: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    let state = app_state()?;
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::validation("day", "Give the date as YYYY-MM-DD."))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation(
            "name",
            "Name the holiday (up to 100 characters).",
        ));
    }
    crate::server::calendar::add_holiday(&state, date, name.to_owned()).await?;
    tracing::info!(user = user.id, %date, "holiday added");
    Ok(())
}

/// Removes a holiday.
#[server(endpoint = "remove_holiday")]
pub async fn remove_holiday(day: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::validation("day", "Give the date as YYYY-MM-DD."))?;
    crate::server::calendar::remove_holiday(&app_state()?, date).await?;
    tracing::info!(user = user.id, %date, "holiday removed");
    Ok(())
}

/// The SLA policy in force and its history.
#[server(endpoint = "get_sla_policy")]
pub async fn get_sla_policy() -> Result<PolicyView, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, settings, sla_policy, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    let db = app_state()?.db;
    let calendar = settings::load_calendar(&db).await?;
    let policy = sla_policy::current(&db).await?;
    Ok(PolicyView {
        history: sla_policy::history(&db, &user.timezone).await?,
        normal_minutes: policy.normal.minutes_on(&calendar),
        low_minutes: policy.low.minutes_on(&calendar),
        next_reply_minutes: policy.next_reply.minutes_on(&calendar),
        resolution_minutes: policy.resolution.minutes_on(&calendar),
        standard_day_minutes: calendar.standard_day_minutes(),
    })
}

/// Puts a new SLA policy in force: first-response targets (`1d`, `4h`, `1h 30m`; a day
/// is the calendar's standard business day), the at-risk threshold (percent of the
/// target left), and, when given, the next-reply and resolution targets and whether
/// waiting on the developer pauses the resolution clock (`yes`/`no`); those left out
/// keep their value in force. Applies to clocks started from now on.
#[server(endpoint = "save_sla_policy")]
pub async fn save_sla_policy(
    first_response_normal: String,
    first_response_low: String,
    at_risk_percent: String,
    next_reply: Option<String>,
    resolution: Option<String>,
    pause_when_waiting: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        domain::{
            role::Role,
            sla_policy::{PolicyForm, SlaPolicy},
        },
        server::{auth, sla_policy, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    let state = app_state()?;
    let current = sla_policy::current(&state.db).await?;
    let (current_next, current_resolution) = (
        current.next_reply.to_string(),
        current.resolution.to_string(),
    );
    let current_pause = if current.pause_when_waiting {
        "yes"
    } else {
        "no"
    };
    let policy = SlaPolicy::parse(&PolicyForm {
        normal: &first_response_normal,
        low: &first_response_low,
        at_risk_percent: &at_risk_percent,
        next_reply: next_reply.as_deref().unwrap_or(&current_next),
        resolution: resolution.as_deref().unwrap_or(&current_resolution),
        pause_when_waiting: pause_when_waiting.as_deref().unwrap_or(current_pause),
    })
    .map_err(|(field, message)| AppError::validation(&field, message))?;
    sla_policy::save(&state, &user, policy).await
}
