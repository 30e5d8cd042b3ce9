//! Wire types of the reports area: what pages, server functions and the store exchange.

use crate::domain::{
    status::FailureClass,
    ticket::{Disposition, Feedback, TicketStatus},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A report in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportSummary {
    /// Report number.
    pub id: i64,
    /// The endpoint path as reported.
    pub endpoint: String,
    /// HTTP method.
    pub method: String,
    /// "503 Service Unavailable" or "No response: timeout".
    pub failure: String,
    /// Classification.
    pub class: FailureClass,
    /// What Faultdesk did with it.
    pub disposition: Disposition,
    /// Where it stands.
    pub status: TicketStatus,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
    /// When it was filed, in the viewer's timezone.
    pub filed_local: String,
    /// First-response due time in the viewer's timezone, for tickets.
    pub due_local: Option<String>,
}

/// A self-service article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GuidanceView {
    /// Stable identifier.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// What the error means.
    pub summary: String,
    /// What to check.
    pub checks: Vec<String>,
    /// How to call again.
    pub call_again: String,
    /// Whether retrying the same request (after waiting) is right.
    pub retry_same_request: bool,
    /// Which version of the article this is (a report keeps the one it was shown).
    pub version: i64,
}

/// The first-response clock of a ticket, as its reporter sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaView {
    /// Due instant.
    pub due_at: DateTime<Utc>,
    /// Due time in the viewer's timezone.
    pub due_local: String,
    /// The promise, e.g. "1 business day (8 business hours)".
    pub target: String,
    /// "On track", "At risk", "Breached", "Met", "Answered late".
    pub state: String,
    /// When support first answered, in the viewer's timezone.
    pub responded_local: Option<String>,
}

/// One entry of a report's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventView {
    /// What happened ("filed", "escalated", …).
    pub kind: String,
    /// Details.
    pub detail: String,
    /// Who did it ("Faultdesk" for the system).
    pub actor: String,
    /// When, in the viewer's timezone.
    pub at_local: String,
}

/// A public message on a report: a reply from support or from the developer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageView {
    /// Who wrote it.
    pub author: String,
    /// Whether support wrote it.
    pub from_support: bool,
    /// When, in the viewer's timezone.
    pub at_local: String,
    /// The text.
    pub body: String,
}

/// The maintenance notice a report falls under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NoticeBrief {
    /// Notice id.
    pub id: i64,
    /// Headline.
    pub title: String,
    /// What happens.
    pub details: String,
    /// Emergency work (not announced 24 hours ahead).
    pub emergency: bool,
    /// The window in the viewer's timezone.
    pub window_local: String,
}

/// The incident a report belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentBrief {
    /// Incident id.
    pub id: i64,
    /// How many reports it groups.
    pub report_count: i64,
    /// Whether it is still open.
    pub open: bool,
    /// Support's latest public update.
    pub latest_update: Option<String>,
    /// When that update was posted, in the viewer's timezone.
    pub latest_update_local: Option<String>,
    /// Whether the viewer follows it.
    pub following: bool,
}

/// Everything about one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportDetail {
    /// The list fields.
    pub summary: ReportSummary,
    /// The API response's `message`.
    pub message: String,
    /// The API request id, if given.
    pub request_id: Option<String>,
    /// When the failure happened, in the reporter's timezone as they gave it.
    pub occurred_local: String,
    /// When the failure happened.
    pub occurred_at: DateTime<Utc>,
    /// "Production" or "Sandbox".
    pub environment: String,
    /// How often the developer retried.
    pub retries: i64,
    /// Seconds between retries.
    pub retry_interval_secs: Option<i64>,
    /// Whether the retry rule (1–2 retries, 1–3 s apart) was followed; `None` for client errors.
    pub retry_followed: Option<bool>,
    /// Why the developer filed without retrying.
    pub retry_reason: Option<String>,
    /// Free-text description (secrets masked).
    pub description: String,
    /// Request/response excerpt (secrets masked).
    pub excerpt: Option<String>,
    /// Short fingerprints of the secrets that were masked.
    pub token_fingerprints: Vec<String>,
    /// Guidance shown for a client error.
    pub guidance: Option<GuidanceView>,
    /// The developer's answer to the guidance.
    pub feedback: Option<Feedback>,
    /// What the developer changed before escalating.
    pub escalation_note: Option<String>,
    /// Whether this re-files a deflected report from the last 24 hours.
    pub recontact: bool,
    /// The first-response clock, for tickets.
    pub sla: Option<SlaView>,
    /// History, oldest first.
    pub history: Vec<EventView>,
    /// Whether the viewer filed it (and so may answer the guidance).
    pub viewer_is_reporter: bool,
    /// Public replies (support's and the developer's), oldest first. Never internal notes.
    pub messages: Vec<MessageView>,
    /// Whether the viewer may reply now (their own ticket, not closed).
    pub can_reply: bool,
    /// The maintenance notice whose window it falls in.
    pub notice: Option<NoticeBrief>,
    /// The incident it belongs to (a known outage, when it groups several reports).
    pub incident: Option<IncidentBrief>,
    /// The developer's statement that it is unrelated to the maintenance.
    pub unrelated_statement: Option<String>,
    /// Whether the viewer may still say it is unrelated to the maintenance.
    pub can_state_unrelated: bool,
}

/// A page of the viewer's reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportPage {
    /// Newest first.
    pub reports: Vec<ReportSummary>,
    /// Pass as `before` to get the next page.
    pub next_before: Option<i64>,
}

/// Defaults for the report form, in the signed-in user's timezone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FormDefaults {
    /// The user's timezone.
    pub timezone: String,
    /// Now, as a datetime-local value.
    pub now_local: String,
    /// What was typed when the form was last refused without JavaScript (field name →
    /// value, scrubbed), to fill back in; empty otherwise.
    pub kept: std::collections::HashMap<String, String>,
}

impl FormDefaults {
    /// The kept value of `field`, if any.
    pub fn kept(&self, field: &str) -> Option<String> {
        self.kept.get(field).cloned()
    }
}

/// How many reports a page of "My reports" shows.
pub const PAGE_SIZE: i64 = 25;
