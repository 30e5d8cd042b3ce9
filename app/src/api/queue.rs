//! The support queue and ticket work: listing, claiming, assigning, status changes,
//! public replies and internal notes. Staff only.

use crate::error::AppError;
pub use crate::wire::queue::*;
use leptos::prelude::*;

/// A page of the queue with the given filters.
#[server(endpoint = "queue")]
pub async fn queue(query: QueueQuery) -> Result<QueuePage, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, work},
    };
    let user = auth::require_role(Role::Agent).await?;
    work::queue(&app_state()?, &user, &query).await
}

/// Everyone a ticket can be assigned to.
#[server(endpoint = "staff_members")]
pub async fn staff_members() -> Result<Vec<StaffMember>, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, tickets},
    };
    auth::require_role(Role::Agent).await?;
    Ok(tickets::staff(&app_state()?.db)
        .await?
        .into_iter()
        .map(|s| StaffMember {
            id: s.id,
            email: s.email,
        })
        .collect())
}

/// A ticket with its whole timeline.
#[server(endpoint = "get_ticket")]
pub async fn get_ticket(id: i64) -> Result<TicketView, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, work},
    };
    let user = auth::require_role(Role::Agent).await?;
    work::ticket(&app_state()?, &user, id).await
}

/// Takes the ticket (assigns it to oneself; a new ticket opens).
#[server(endpoint = "claim_ticket")]
pub async fn claim_ticket(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, work},
    };
    let user = auth::require_role(Role::Agent).await?;
    work::assign(&app_state()?, &user, id, Some(user.id)).await
}

/// Assigns the ticket to a staff member (`assignee` empty to unassign).
#[server(endpoint = "assign_ticket")]
pub async fn assign_ticket(id: i64, assignee: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, work},
    };
    let user = auth::require_role(Role::Agent).await?;
    let target = match assignee.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::validation("assignee", "Choose a staff member."))?,
        ),
    };
    work::assign(&app_state()?, &user, id, target).await
}

/// Moves the ticket to another status, if the workflow allows it.
#[server(endpoint = "change_status")]
pub async fn change_status(id: i64, status: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, work},
    };
    let user = auth::require_role(Role::Agent).await?;
    let to = crate::domain::ticket::TicketStatus::parse(&status)
        .ok_or_else(|| AppError::validation("status", "Choose a status."))?;
    work::change_status(&app_state()?, &user, id, to).await
}

/// A public reply (the developer sees it; the first one stops the SLA clock) or an
/// internal note (staff only). `then_status` optionally moves the ticket afterwards.
/// `seen` is the newest message the page showed: a public reply is refused (409, field
/// `confirm`) when another agent has replied publicly since; sending again (with the
/// page's new `seen`) posts it anyway.
#[server(endpoint = "post_message")]
pub async fn post_message(
    id: i64,
    body: String,
    visibility: String,
    then_status: Option<String>,
    seen: Option<i64>,
) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, state::app_state, work},
    };
    let user = auth::require_role(Role::Agent).await?;
    work::post_message(
        &app_state()?,
        &user,
        id,
        &body,
        &visibility,
        then_status.as_deref().unwrap_or(""),
        seen,
    )
    .await
}

/// Tells the others on ticket `id` that the caller is there (`state`: `viewing`,
/// `replying` while typing a reply, `leaving`) and returns who else is.
#[server(endpoint = "ticket_presence")]
pub async fn ticket_presence(id: i64, state: String) -> Result<Vec<PresenceView>, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, presence, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let (replying, leaving) = match state.trim() {
        "viewing" => (false, false),
        "replying" => (true, false),
        "leaving" => (false, true),
        _ => {
            return Err(AppError::validation(
                "state",
                "Say viewing, replying or leaving.",
            ))
        }
    };
    presence::beat(&app_state()?, &user, id, replying, leaving).await
}
