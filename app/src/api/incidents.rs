//! Incidents: outage floods worked as one (staff only).

use crate::error::AppError;
pub use crate::wire::incidents::*;
use leptos::prelude::*;

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
