//! The bell: SLA alerts told to a staff member, and their alert preferences. Staff only.

use crate::error::AppError;
pub use crate::wire::alerts::*;
use leptos::prelude::*;

/// The signed-in staff member's notifications (delivered ones) and preferences.
#[server(endpoint = "my_notifications")]
pub async fn my_notifications() -> Result<Notifications, AppError> {
    use crate::{
        domain::role::Role,
        server::{alerts, auth, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let state = app_state()?;
    alerts::notifications(&state.db, user.id, &user.timezone, state.clock.now()).await
}

/// The header bell's unread count: `None` for visitors and developers (who have no
/// bell), so every page may ask.
#[server(endpoint = "unread_alerts")]
pub async fn unread_alerts() -> Result<Option<i64>, AppError> {
    use crate::server::{alerts, auth, state::app_state};
    let Some(user) = auth::current_user().await? else {
        return Ok(None);
    };
    if !user.role.is_staff() {
        return Ok(None);
    }
    let state = app_state()?;
    Ok(Some(
        alerts::unread(&state.db, user.id, state.clock.now()).await?,
    ))
}

/// Marks a notification read (`id`), or every delivered one (no `id`).
#[server(endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read(id: Option<i64>) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{alerts, auth, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    alerts::mark_read(&app_state()?, user.id, id).await?;
    Ok(())
}

/// Saves who is told what: alerts about unassigned tickets (`unassigned=on`) and alerts
/// outside business hours (`after_hours=on`); an absent box is off.
#[server(endpoint = "save_alert_preferences")]
pub async fn save_alert_preferences(
    unassigned: Option<String>,
    after_hours: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{alerts, auth, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    // A checkbox sends "on" when ticked and nothing when not; the JSON-minded may send
    // true/false.
    let on = |field: &str, v: Option<String>| match v.as_deref().map(str::trim) {
        None | Some("" | "off" | "false") => Ok(false),
        Some("on" | "true") => Ok(true),
        Some(_) => Err(AppError::validation(field, "Send on or off.")),
    };
    let prefs = AlertPreferences {
        unassigned: on("unassigned", unassigned)?,
        after_hours: on("after_hours", after_hours)?,
    };
    alerts::save_preferences(&app_state()?, user.id, prefs).await
}
