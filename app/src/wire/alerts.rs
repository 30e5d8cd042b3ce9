//! Wire types of SLA alerts: a staff member's bell and alert preferences.

use serde::{Deserialize, Serialize};

/// One notification on the bell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    /// Notification id (to mark it read).
    pub id: i64,
    /// The ticket it is about.
    pub report_id: i64,
    /// "At risk: ticket #12 (POST /v1/orders 503)".
    pub title: String,
    /// When it was delivered, in the reader's timezone.
    pub when_local: String,
    /// Not yet read.
    pub unread: bool,
}

/// Who is told about what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertPreferences {
    /// Alerts about tickets nobody is assigned to.
    pub unassigned: bool,
    /// Alerts outside business hours too (otherwise they wait for the next opening).
    pub after_hours: bool,
}

/// The bell: unread count, the latest notifications, and the preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    /// Delivered and not yet read.
    pub unread: i64,
    /// The latest 50 delivered, newest first.
    pub items: Vec<NotificationView>,
    /// The reader's alert preferences.
    pub preferences: AlertPreferences,
}
