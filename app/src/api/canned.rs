//! Canned replies (agents): list, save, delete, and one rendered for a ticket.

use crate::error::AppError;
pub use crate::wire::canned::*;
use leptos::prelude::*;

/// Every canned reply.
#[server(endpoint = "list_canned_replies")]
pub async fn list_canned_replies() -> Result<Vec<CannedView>, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, canned, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    canned::list(&app_state()?, &user).await
}

/// Saves a canned reply: a new one without `id`, else changes that one. Placeholders:
/// `{endpoint}`, `{status}`, `{request_id}`, `{developer}`.
#[server(endpoint = "save_canned_reply")]
pub async fn save_canned_reply(
    id: Option<i64>,
    title: String,
    body: String,
) -> Result<i64, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, canned, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    canned::save(&app_state()?, &user, id, &title, &body).await
}

/// Deletes a canned reply.
#[server(endpoint = "delete_canned_reply")]
pub async fn delete_canned_reply(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, canned, state::app_state},
    };
    auth::require_role(Role::Agent).await?;
    canned::delete(&app_state()?, id).await
}

/// Canned reply `canned` with ticket `ticket`'s fields filled in, for the reply box.
#[server(endpoint = "render_canned_reply")]
pub async fn render_canned_reply(ticket: i64, canned: i64) -> Result<String, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, canned, state::app_state},
    };
    auth::require_role(Role::Agent).await?;
    canned::render_for(&app_state()?, ticket, canned).await
}

/// Canned reply `canned` with incident `incident`'s fields filled in, for its update box
/// (`{developer}` reads "everyone": the update reaches every reporter).
#[server(endpoint = "render_canned_for_incident")]
pub async fn render_canned_for_incident(incident: i64, canned: i64) -> Result<String, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, canned, state::app_state},
    };
    auth::require_role(Role::Agent).await?;
    canned::render_for_incident(&app_state()?, incident, canned).await
}
