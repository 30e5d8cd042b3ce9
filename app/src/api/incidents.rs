//! Incidents: outage floods worked as one (staff only).

use crate::{domain::ticket::TicketStatus, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One report of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// One incident.
#[server(endpoint = "get_incident")]
pub async fn get_incident(id: i64) -> Result<IncidentView, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, outages, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    outages::view(&app_state()?, &user, id).await
}

/// A public update to every report of the incident (stops each one's clock).
#[server(endpoint = "reply_incident")]
pub async fn reply_incident(id: i64, body: String) -> Result<usize, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, outages, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    outages::reply(&app_state()?, &user, id, &body).await
}

/// Resolves the incident and all its reports.
#[server(endpoint = "resolve_incident")]
pub async fn resolve_incident(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, outages, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    outages::resolve(&app_state()?, &user, id).await
}

/// Takes a report out of its incident.
#[server(endpoint = "move_out_of_incident")]
pub async fn move_out_of_incident(report: i64) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, outages, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let incident = outages::move_out(&app_state()?, &user, report).await?;
    leptos_axum::redirect(&format!("/incidents/{incident}"));
    Ok(())
}

/// Merges this incident into another open one.
#[server(endpoint = "merge_incident")]
pub async fn merge_incident(id: i64, into: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, outages, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let into: i64 = into
        .trim()
        .parse()
        .map_err(|_| AppError::validation("into", "Choose an incident."))?;
    outages::merge(&app_state()?, &user, id, into).await?;
    leptos_axum::redirect(&format!("/incidents/{into}"));
    Ok(())
}
