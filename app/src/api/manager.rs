//! Manager reports (PRODUCT §8): first-response SLA attainment, response times,
//! breaches, backlog, volumes and deflection for a range of local dates. Managers only.
//!
//! The page and the CSV exports render the same [`Table`]s (built in [`tables`]), so a
//! download always holds the numbers on the screen.

use crate::error::AppError;
pub use crate::wire::manager::*;
use leptos::prelude::*;

/// The report for `from`–`to` (inclusive `YYYY-MM-DD` dates in the support timezone;
/// empty means the last 30 days up to today).
#[server(endpoint = "manager_report")]
pub async fn get_manager_report(from: String, to: String) -> Result<ManagerReport, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, manager_report, state::app_state},
    };
    auth::require_role(Role::Manager).await?;
    manager_report::build(
        &app_state()?,
        &from,
        &to,
        &ReportTable::ALL,
        Some(BREACHES_SHOWN),
    )
    .await
}
