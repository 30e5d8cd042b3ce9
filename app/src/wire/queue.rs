//! Wire types of the queue area: what pages, server functions and the store exchange.

use crate::domain::{
    status::FailureClass,
    ticket::{Priority, TicketStatus},
    windows::{ClockInstants, OpenWindows},
};
use serde::{Deserialize, Serialize};

/// The queue's filters, as they appear in the page's query string.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// The running next-reply clock (a developer's reply waiting for an answer).
    pub next_reply: Option<ClockInstants>,
    /// The resolution clock while it runs or is paused (not once resolved).
    pub resolution: Option<ClockInstants>,
    /// For an outage flood: the incident this row stands for (the row is its most
    /// urgent report).
    pub incident: Option<IncidentBadge>,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// A staff member one can assign tickets to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffMember {
    /// Account id.
    pub id: i64,
    /// Email.
    pub email: String,
}

/// One entry of a ticket's timeline: a history event or a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TicketView {
    /// The queue fields.
    pub item: QueueItem,
    /// The report's details, as the developer filed them.
    pub report: crate::wire::reports::ReportDetail,
    /// Assignee's id.
    pub assignee_id: Option<i64>,
    /// Statuses it may move to now.
    pub next_statuses: Vec<TicketStatus>,
    /// Events and messages (internal notes included), oldest first.
    /// What the ticket's clocks came to so far, for people: each next reply owed and
    /// whether it was answered in time, the resolution (time paused excluded).
    pub clock_notes: Vec<String>,
    /// The newest message's id (0: none), sent back with a reply so that a reply
    /// crossing another agent's is caught.
    pub last_message_id: i64,
    pub timeline: Vec<TimelineEntry>,
    /// Server time (ms) and opening hours, for the countdown.
    pub now_ms: i64,
    /// Opening hours around now.
    pub windows: OpenWindows,
}

/// Another staff member on a ticket page now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PresenceView {
    /// Who (their display name, else their email).
    pub who: String,
    /// Whether they are typing a reply.
    pub replying: bool,
}
