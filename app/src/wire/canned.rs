//! Canned replies as the pages see them.

use serde::{Deserialize, Serialize};

/// A saved reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CannedView {
    /// Id.
    pub id: i64,
    /// What it is for ("Asking for a request id").
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
    /// Who saved it last.
    pub by: String,
    /// When, in the viewer's timezone.
    pub updated_local: String,
}
