//! Small labels for a report's class and status.

use crate::domain::{status::FailureClass, ticket::TicketStatus};
use leptos::prelude::*;

/// The classification of a report.
#[component]
pub fn ClassBadge(class: FailureClass) -> impl IntoView {
    view! { <span class=format!("badge class-{}", class.as_str())>{class.label()}</span> }
}

/// Where a report stands.
#[component]
pub fn StatusBadge(status: TicketStatus) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.as_str())>{status.label()}</span> }
}
