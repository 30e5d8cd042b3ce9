//! People and passwords: what the people page, the invitation page and the account
//! page exchange with the server.

use crate::domain::role::Role;
use serde::{Deserialize, Serialize};

/// One account on the people page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PersonView {
    /// Account id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// The name developers see (staff), if set.
    pub display_name: Option<String>,
    /// Role.
    pub role: Role,
    /// When the account was created, in the viewer's timezone.
    pub created_local: String,
    /// The last sign-in, in the viewer's timezone.
    pub last_sign_in_local: Option<String>,
    /// Whether the account can sign in.
    pub active: bool,
    /// Whether this is the viewer.
    pub is_you: bool,
}

/// An invitation on the people page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteView {
    /// Who was invited.
    pub email: String,
    /// As what.
    pub role: Role,
    /// Who invited them.
    pub by: String,
    /// When, in the viewer's timezone.
    pub created_local: String,
    /// `pending`, `accepted` or `expired`.
    pub state: String,
}

/// One change to people, for the audit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditView {
    /// When, in the viewer's timezone.
    pub at_local: String,
    /// Who did it (an email, or "themselves" for a link they followed).
    pub actor: String,
    /// Whose account.
    pub user: String,
    /// What: `invited`, `joined`, `role`, `deactivated`, `reactivated`,
    /// `password_changed`, `password_reset`.
    pub action: String,
    /// Details ("agent → manager").
    pub detail: String,
}

/// The people page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PeopleView {
    /// Staff first, then developers; by email.
    pub people: Vec<PersonView>,
    /// The latest invitations, newest first.
    pub invites: Vec<InviteView>,
    /// The latest changes, newest first.
    pub audit: Vec<AuditView>,
}

/// An invitation just made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteCreated {
    /// Who.
    pub email: String,
    /// The one-time link (valid 72 hours), to hand over if no mail was sent.
    pub link: String,
    /// Whether it was mailed (SMTP configured).
    pub mailed: bool,
}

/// What an invitation link offers, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteInfo {
    /// The invited email.
    pub email: String,
    /// The role the account will have.
    pub role: Role,
}

/// The signed-in user's own account settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MyAccount {
    /// Email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The name developers see (staff).
    pub display_name: Option<String>,
}
