//! Wire types of the auth area: what pages, server functions and the store exchange.

use crate::domain::role::Role;
use serde::{Deserialize, Serialize};

/// The signed-in user as the UI sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    /// Account id.
    pub id: i64,
    /// Email (lower-cased).
    pub email: String,
    /// Role.
    pub role: Role,
    /// IANA timezone used to show times to this user.
    pub timezone: String,
}
