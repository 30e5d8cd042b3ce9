//! People and passwords: managers invite staff, change roles, deactivate and reactivate
//! accounts; everyone changes their own password or resets a forgotten one; staff set
//! the name developers see.

use crate::error::AppError;
pub use crate::wire::people::*;
use leptos::prelude::*;

/// The signed-in user's account settings.
#[server(endpoint = "my_account")]
pub async fn get_my_account() -> Result<MyAccount, AppError> {
    use crate::server::{auth, people, state::app_state};
    let user = auth::require_user().await?;
    people::my_account(&app_state()?, &user).await
}

/// Changes the signed-in user's password (the current one is checked); every other
/// session of theirs is signed out, this one stays.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::server::{auth, people, state::app_state};
    let user = auth::require_user().await?;
    // Guessing the current password is throttled like signing in.
    auth::limit(crate::server::limits::Action::SignIn, None).await?;
    let epoch =
        people::change_password(&app_state()?, &user, current_password, &new_password).await?;
    auth::stamp(&auth::session().await?, epoch).await
}

/// Sets (or, empty, clears) the name developers see instead of "Support" (staff).
#[server(endpoint = "set_display_name")]
pub async fn set_display_name(display_name: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, people, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    people::set_display_name(&app_state()?, &user, &display_name).await
}

/// Asks for a password-reset link by email. The answer never says whether the email has
/// an account, only whether this desk sends mail (`false`: ask a manager instead).
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<bool, AppError> {
    use crate::server::{auth, people, state::app_state};
    // Anyone may ask (a few times an hour per address, like signing up).
    auth::limit(crate::server::limits::Action::SignUp, None).await?;
    people::request_reset(&app_state()?, &email).await
}

/// Sets a new password through a reset link (single use, within the hour) and signs in.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::server::{auth, people, state::app_state};
    // Anyone holding a link may use it; guessing links is throttled like signing in.
    auth::limit(crate::server::limits::Action::SignIn, None).await?;
    let state = app_state()?;
    let (user, epoch) = people::reset_password(&state, &token, &password).await?;
    auth::sign_in(&auth::session().await?, user, epoch).await?;
    people::signed_in(&state, user).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Everyone with an account, the latest invitations and changes (managers).
#[server(endpoint = "list_people")]
pub async fn list_people() -> Result<PeopleView, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, people, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    people::people(&app_state()?, &user).await
}

/// Invites `email` as an agent or manager: a one-time link valid 72 hours, mailed when
/// SMTP is configured, and returned to hand over.
#[server(endpoint = "invite_staff")]
pub async fn invite_staff(email: String, role: String) -> Result<InviteCreated, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, people, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    people::invite(&app_state()?, &user, &email, &role).await
}

/// Changes an account's role (`developer`, `agent`, `manager`).
#[server(endpoint = "change_role")]
pub async fn change_role(user_id: i64, role: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, people, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    people::change_role(&app_state()?, &user, user_id, &role).await
}

/// Deactivates (`active` = `no`) or reactivates (`yes`) an account.
#[server(endpoint = "set_account_active")]
pub async fn set_account_active(user_id: i64, active: String) -> Result<(), AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, people, state::app_state},
    };
    let user = auth::require_role(Role::Manager).await?;
    let active = match active.trim() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::validation("active", "Answer yes or no.")),
    };
    people::set_active(&app_state()?, &user, user_id, active).await
}

/// What an invitation link offers (404 once used or expired).
#[server(endpoint = "invite_info")]
pub async fn get_invite(token: String) -> Result<InviteInfo, AppError> {
    use crate::server::{people, state::app_state};
    // Anyone holding a link may look at it.
    people::invite_info(&app_state()?, &token).await
}

/// Accepts an invitation: creates the account with the chosen password and signs in.
#[server(endpoint = "accept_invite")]
pub async fn accept_invite(
    token: String,
    password: String,
    timezone: String,
) -> Result<(), AppError> {
    use crate::{
        domain::calendar::parse_tz,
        server::{auth, people, state::app_state},
    };
    // Anyone holding a link may use it (throttled like signing up).
    auth::limit(crate::server::limits::Action::SignUp, None).await?;
    let timezone = if timezone.trim().is_empty() {
        chrono_tz::Tz::UTC
    } else {
        parse_tz(&timezone)?
    };
    let state = app_state()?;
    let id = people::accept_invite(&state, &token, &password, timezone).await?;
    auth::sign_in(&auth::session().await?, id, 0).await?;
    people::signed_in(&state, id).await?;
    leptos_axum::redirect("/queue");
    Ok(())
}
