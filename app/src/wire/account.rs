//! Wire types of the account area: personal API tokens.

use serde::{Deserialize, Serialize};

/// A token in its owner's list (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenView {
    /// Token id (for revoking).
    pub id: i64,
    /// What its owner called it ("CI bot").
    pub name: String,
    /// Its first characters, to recognise it: `fd_8fK2aQ…`.
    pub shown: String,
    /// When it was created, in the owner's timezone.
    pub created_local: String,
    /// When it was last used (to the minute), if ever.
    pub last_used_local: Option<String>,
    /// When it expires, if it does.
    pub expires_local: Option<String>,
    /// "active", "expired" or "revoked".
    pub state: String,
}

/// A token just created: the token itself, shown this once, and its list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewToken {
    /// The token: `fd_…`. Not stored; it cannot be shown again.
    pub token: String,
    /// Its entry in the list.
    pub view: TokenView,
}
