//! Wire types of the notices area: what pages, server functions and the store exchange.

use super::reports::EventView;
use serde::{Deserialize, Serialize};

/// The publish / edit form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NoticeForm {
    /// Headline.
    pub title: String,
    /// What happens.
    pub details: String,
    /// Local start, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    /// Local end, `YYYY-MM-DDTHH:MM`.
    pub ends_at: String,
    /// IANA timezone of the two times.
    pub timezone: String,
    /// Affected path prefixes, comma or line separated; empty: the whole API.
    pub endpoints: String,
    /// "on" for emergency work (allowed to start within 24 hours).
    pub emergency: String,
    /// "on" to email every developer.
    pub email: String,
}

/// A notice as people see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NoticeView {
    /// Notice id.
    pub id: i64,
    /// Headline.
    pub title: String,
    /// What happens.
    pub details: String,
    /// Start in the viewer's timezone.
    pub starts_local: String,
    /// End in the viewer's timezone.
    pub ends_local: String,
    /// Start as a datetime-local value in the viewer's timezone (for editing).
    pub starts_value: String,
    /// End as a datetime-local value (for editing).
    pub ends_value: String,
    /// Affected path prefixes; empty: the whole API.
    pub endpoints: Vec<String>,
    /// Emergency work.
    pub emergency: bool,
    /// "upcoming", "active", "ended" or "cancelled".
    pub state: String,
    /// Every change, oldest first (staff views only).
    pub history: Vec<EventView>,
}

/// The staff notices page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NoticeAdmin {
    /// Newest first.
    pub notices: Vec<NoticeView>,
    /// The viewer's timezone (the form's default).
    pub timezone: String,
    /// Whether announcement email can be sent.
    pub mail_enabled: bool,
    /// What was typed into the publish form when it was last refused without
    /// JavaScript (field name → value), to fill back in; empty otherwise.
    pub kept: std::collections::HashMap<String, String>,
}
