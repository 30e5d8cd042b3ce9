//! Filing failure reports, reading them back, and answering guidance.

pub use crate::wire::reports::*;
use crate::{domain::validation::ReportDraft, error::AppError};
use leptos::prelude::*;

/// Files a report: validates, scrubs secrets, classifies, then deflects a client error
/// with guidance or routes a server error to the queue with its first-response due time.
/// Redirects to the new report.
#[server(endpoint = "file_report")]
pub async fn file_report(draft: ReportDraft) -> Result<i64, AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    auth::limit(crate::server::limits::Action::File, Some(user.id)).await?;
    let state = app_state()?;
    let id = intake::file(&state, &user, &draft).await?.id;
    leptos_axum::redirect(&format!("/reports/{id}"));
    Ok(id)
}

/// The form's defaults for the signed-in user.
#[server(endpoint = "report_form_defaults")]
pub async fn report_form_defaults() -> Result<FormDefaults, AppError> {
    use crate::{
        domain::timefmt::datetime_local_value,
        server::{auth, state::app_state},
    };
    let user = auth::require_user().await?;
    let now = app_state()?.clock.now();
    let kept =
        crate::server::form_flash::refused_form(<FileReport as leptos::server_fn::ServerFn>::PATH)
            .await?;
    Ok(FormDefaults {
        now_local: datetime_local_value(now, &user.timezone),
        timezone: user.timezone,
        kept,
    })
}

/// The signed-in user's reports, newest first.
#[server(endpoint = "my_reports")]
pub async fn my_reports(before: Option<i64>) -> Result<ReportPage, AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    intake::my_reports(&app_state()?, &user, before).await
}

/// One report: its reporter and staff may see it; for anyone else it does not exist.
#[server(endpoint = "get_report")]
pub async fn get_report(id: i64) -> Result<ReportDetail, AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    let state = app_state()?;
    intake::detail(&state, &user, id).await
}

/// The developer's answer after reading guidance: `outcome` is "solved" or
/// "still_failing"; "still_failing" needs `changed` (what they tried).
#[server(endpoint = "report_feedback")]
pub async fn report_feedback(
    id: i64,
    outcome: String,
    changed: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    let state = app_state()?;
    intake::feedback(
        &state,
        &user,
        id,
        &outcome,
        changed.as_deref().unwrap_or(""),
    )
    .await?;
    leptos_axum::redirect(&format!("/reports/{id}"));
    Ok(())
}

/// The developer's reply on their own ticket. A ticket waiting on them, or resolved,
/// reopens.
#[server(endpoint = "reply_to_report")]
pub async fn reply_to_report(id: i64, body: String) -> Result<(), AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    intake::reply(&app_state()?, &user, id, &body).await?;
    leptos_axum::redirect(&format!("/reports/{id}"));
    Ok(())
}

/// The developer says a failure filed during maintenance is unrelated to it: the report
/// is routed to support (its first-response clock starts now) and the statement kept.
#[server(endpoint = "state_unrelated")]
pub async fn state_unrelated(id: i64, statement: String) -> Result<(), AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    intake::unrelated(&app_state()?, &user, id, &statement).await?;
    leptos_axum::redirect(&format!("/reports/{id}"));
    Ok(())
}

/// Follows the incident one's report belongs to (updates by email, when configured).
#[server(endpoint = "follow_incident")]
pub async fn follow_incident(report: i64) -> Result<(), AppError> {
    use crate::server::{auth, intake, state::app_state};
    let user = auth::require_user().await?;
    intake::follow_incident(&app_state()?, &user, report).await?;
    leptos_axum::redirect(&format!("/reports/{report}"));
    Ok(())
}
