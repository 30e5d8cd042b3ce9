//! Wire types of the incidents area: what pages, server functions and the store exchange.

use crate::domain::ticket::TicketStatus;
use serde::{Deserialize, Serialize};

/// One report of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberView {
    /// Report number.
    pub id: i64,
    /// Who filed it.
    pub reporter: String,
    /// Its endpoint.
    pub endpoint: String,
    /// Its status.
    pub status: TicketStatus,
    /// Filed, in the viewer's timezone.
    pub filed_local: String,
    /// Due, in the viewer's timezone.
    pub due_local: Option<String>,
    /// Its first-response state.
    pub sla: String,
}

/// An incident as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentView {
    /// Incident id.
    pub id: i64,
    /// What the reports share: "GET /v1/orders/{id} 503".
    pub title: String,
    /// "open", "resolved" or "merged".
    pub status: String,
    /// How many reports.
    pub report_count: i64,
    /// First report, in the viewer's timezone.
    pub first_local: String,
    /// Latest report.
    pub last_local: String,
    /// The latest public update.
    pub latest_update: Option<String>,
    /// When it was posted.
    pub latest_update_local: Option<String>,
    /// The incident it was merged into.
    pub merged_into: Option<i64>,
    /// Its reports.
    pub members: Vec<MemberView>,
    /// Other open incidents it could be merged into: (id, label).
    pub merge_into: Vec<(i64, String)>,
}
