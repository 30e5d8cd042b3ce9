//! Maintenance notices: published by agents, shown to everyone as a banner and in full
//! on the intake page.

use crate::error::AppError;
pub use crate::wire::notices::*;
use leptos::prelude::*;

/// Active and upcoming notices, in the viewer's timezone (UTC for visitors). Public:
/// everyone calling the API should know about maintenance.
#[server(endpoint = "current_notices")]
pub async fn current_notices() -> Result<Vec<NoticeView>, AppError> {
    use crate::server::{auth, maintenance, state::app_state};
    // Anyone may read current notices; the viewer only decides the timezone.
    let viewer = auth::current_user().await?;
    let tz = viewer.map_or_else(|| "UTC".to_owned(), |u| u.timezone);
    maintenance::current(&app_state()?, &tz).await
}

/// Every recent notice with its history, for staff.
#[server(endpoint = "all_notices")]
pub async fn all_notices() -> Result<NoticeAdmin, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, maintenance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let state = app_state()?;
    let out = maintenance::recent(&state, &user.timezone).await?;
    Ok(NoticeAdmin {
        notices: out,
        timezone: user.timezone,
        mail_enabled: state.options.mail_enabled,
        kept: crate::server::form_flash::refused_form(
            <PublishNotice as leptos::server_fn::ServerFn>::PATH,
        )
        .await?,
    })
}

/// Publishes a notice. Planned work must start at least 24 hours from now.
#[server(endpoint = "publish_notice")]
pub async fn publish_notice(notice: NoticeForm) -> Result<i64, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, maintenance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    maintenance::publish(&app_state()?, &user, &notice).await
}

/// Changes a notice that is not over; the change is kept in its history.
#[server(endpoint = "edit_notice")]
pub async fn edit_notice(id: i64, notice: NoticeForm) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, maintenance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    maintenance::edit(&app_state()?, &user, id, &notice).await
}

/// Ends an active notice now.
#[server(endpoint = "end_notice")]
pub async fn end_notice(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, maintenance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    maintenance::stop(&app_state()?, &user, id, false).await
}

/// Cancels a notice that has not ended.
#[server(endpoint = "cancel_notice")]
pub async fn cancel_notice(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, maintenance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    maintenance::stop(&app_state()?, &user, id, true).await
}
