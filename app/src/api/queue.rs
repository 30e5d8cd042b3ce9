//! The support queue and ticket work: listing, claiming, assigning, status changes,
//! public replies and internal notes. Staff only.

use crate::{
    domain::{
        status::FailureClass,
        ticket::{Priority, TicketStatus},
        windows::{ClockInstants, OpenWindows},
    },
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The queue's filters, as they appear in the page's query string.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    /// "" (active: new, open, waiting) or one status name.
    pub status: String,
    /// "anyone" (default), "me" or "unassigned".
    pub assignee: String,
    /// "" or a class name.
    pub class: String,
    /// A path prefix, e.g. `/v1/orders`.
    pub endpoint: String,
    /// "1" for at-risk tickets only.
    pub at_risk: String,
    /// "1" for breached tickets only.
    pub breached: String,
    /// Keyset cursor from the previous page ("<due ms>.<id>").
    pub after: String,
}

/// The incident a queue row stands for (when it groups several reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentBadge {
    /// Incident id.
    pub id: i64,
    /// How many reports it groups.
    pub report_count: i64,
    /// First report, in the viewer's timezone.
    pub first_local: String,
    /// Latest report, in the viewer's timezone.
    pub last_local: String,
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    /// Ticket (report) number.
    pub id: i64,
    /// "GET /v1/orders/42".
    pub request: String,
    /// "503 Service Unavailable" or "No response: timeout".
    pub failure: String,
    /// Classification.
    pub class: FailureClass,
    /// Where it stands.
    pub status: TicketStatus,
    /// Normal, or low for escalated client errors.
    pub priority: Priority,
    /// Who has it.
    pub assignee: Option<String>,
    /// Who filed it.
    pub reporter: String,
    /// Due time in the viewer's timezone.
    pub due_local: String,
    /// The first-response clock.
    pub clock: ClockInstants,
    /// For an outage flood: the incident this row stands for (the row is its most
    /// urgent report).
    pub incident: Option<IncidentBadge>,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    /// Most urgent first.
    pub items: Vec<QueueItem>,
    /// Cursor for the next page.
    pub next: Option<String>,
    /// Server time when the page was made (ms).
    pub now_ms: i64,
    /// Opening hours around now, for live countdowns.
    pub windows: OpenWindows,
}

/// How many tickets a queue page shows.
pub const QUEUE_PAGE_SIZE: i64 = 50;

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

/// A staff member one can assign tickets to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Account id.
    pub id: i64,
    /// Email.
    pub email: String,
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

/// One entry of a ticket's timeline: a history event or a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// "filed", "assigned", "status", "public_reply", "internal_note", "developer_reply"…
    pub kind: String,
    /// Who.
    pub actor: String,
    /// When, in the viewer's timezone.
    pub at_local: String,
    /// What changed (for events).
    pub detail: String,
    /// The message text (for messages).
    pub body: Option<String>,
}

/// A ticket as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    /// The queue fields.
    pub item: QueueItem,
    /// The report's details, as the developer filed them.
    pub report: crate::api::reports::ReportDetail,
    /// Assignee's id.
    pub assignee_id: Option<i64>,
    /// Statuses it may move to now.
    pub next_statuses: Vec<TicketStatus>,
    /// Events and messages (internal notes included), oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Server time (ms) and opening hours, for the countdown.
    pub now_ms: i64,
    /// Opening hours around now.
    pub windows: OpenWindows,
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
    let to = TicketStatus::parse(&status)
        .ok_or_else(|| AppError::validation("status", "Choose a status."))?;
    work::change_status(&app_state()?, &user, id, to).await
}

/// A public reply (the developer sees it; the first one stops the SLA clock) or an
/// internal note (staff only). `then_status` optionally moves the ticket afterwards.
#[server(endpoint = "post_message")]
pub async fn post_message(
    id: i64,
    body: String,
    visibility: String,
    then_status: Option<String>,
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
    )
    .await
}
