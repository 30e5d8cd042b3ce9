//! People and passwords (PRODUCT §2, §4): managers invite staff by a one-time link,
//! change roles, deactivate and reactivate accounts (every change audited); everyone
//! changes their own password (signing out their other sessions) or resets a forgotten
//! one through a single-use link mailed to them; staff set the name developers see.
//!
//! Links carry 256 random bits; only their SHA-256 is stored, and each is used at most
//! once (the use is a guarded `UPDATE … WHERE used_at IS NULL` in the same transaction
//! as what it does). A session is stamped with its account's session epoch at sign-in;
//! a password change, a reset or a deactivation bumps the epoch, which signs out every
//! session stamped before (checked on every request against the cached account, and
//! the cache is dropped on every instance by the change).

use super::{
    cache::CacheKind,
    db::{from_millis, millis, on_db, on_tx, Conn, Tx},
    mail::{self, Mail},
    state::AppState,
    users,
};
use crate::{
    domain::{
        account::{Email, Password},
        role::Role,
        timefmt::format_local,
        tokens,
    },
    error::AppError,
    wire::{
        auth::CurrentUser,
        people::{
            AuditView, InviteCreated, InviteInfo, InviteView, MyAccount, PeopleView, PersonView,
        },
    },
};
use chrono::{DateTime, Duration, Utc};

/// How long an invitation link is valid.
pub const INVITE_HOURS: i64 = 72;
/// How long a password-reset link is valid.
pub const RESET_MINUTES: i64 = 60;
/// The longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;

/// An absolute link to `path` when the public URL is known (mail), else the path.
fn link(state: &AppState, path: &str) -> String {
    match &state.options.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

async fn audit(
    tx: &mut Tx,
    actor: Option<i64>,
    user: Option<i64>,
    action: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO people_audit (actor_id, user_id, action, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)")
        .bind(actor)
        .bind(user)
        .bind(action)
        .bind(detail)
        .bind(millis(now))
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// Records a sign-in (for the people page).
pub async fn signed_in(state: &AppState, user: i64) -> Result<(), AppError> {
    let now = millis(state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, c => sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(user)
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                Ok(())
            })
        })
        .await
}

/// Sets a new password on `user` and bumps their session epoch (every session signed in
/// before is signed out); returns the new epoch.
async fn set_password(tx: &mut Tx, user: i64, hash: &str) -> Result<i64, sqlx::Error> {
    let rows: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2 \
         RETURNING session_epoch")
        .bind(hash)
        .bind(user)
        .fetch_all(&mut *c)
        .await)?;
    tx.stale(CacheKind::Users);
    rows.first().map(|r| r.0).ok_or(sqlx::Error::RowNotFound)
}

/// Changes the signed-in user's password after checking the current one; every other
/// session of theirs is signed out. Returns the new session epoch (the caller stamps
/// the current session with it).
pub async fn change_password(
    state: &AppState,
    user: &CurrentUser,
    current: String,
    new: &str,
) -> Result<i64, AppError> {
    let new = Password::parse(new)?;
    let row = users::find_by_id(&state.db, user.id)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    if !super::auth::verify_password(current, Some(row.password_hash)).await? {
        return Err(AppError::validation(
            "current_password",
            "That is not your current password.",
        ));
    }
    let hash = super::auth::hash_password(new.expose().to_owned()).await?;
    let (id, now) = (user.id, state.clock.now());
    let epoch = state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let epoch = set_password(tx, id, &hash).await?;
                audit(tx, Some(id), Some(id), "password_changed", "", now).await?;
                Ok(epoch)
            })
        })
        .await?;
    tracing::info!(
        user = user.id,
        "password changed; other sessions signed out"
    );
    Ok(epoch)
}

/// Asks for a password-reset link for `email`. The answer is the same whether or not
/// the email has an account (nothing tells who has one): whether this desk sends mail at
/// all. An active account gets a single-use link valid an hour, by mail.
pub async fn request_reset(state: &AppState, email: &str) -> Result<bool, AppError> {
    let email = Email::parse(email)?;
    let mailing = state.options.mail_enabled;
    let Some(user) = users::find_by_email(&state.db, email.as_str()).await? else {
        return Ok(mailing);
    };
    if user.deactivated_at.is_some() || !mailing {
        return Ok(mailing);
    }
    let token = super::tokens::random_body();
    let now = state.clock.now();
    let url = link(state, &format!("/reset-password?token={token}"));
    let hash = tokens::hash(&token);
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)")
                    .bind(user.id)
                    .bind(&hash)
                    .bind(millis(now))
                    .bind(millis(now + Duration::minutes(RESET_MINUTES)))
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                let mail = Mail {
                    to: user.email.clone(),
                    subject: "[Faultdesk] Reset your password".to_owned(),
                    body: format!(
                        "Someone (hopefully you) asked to reset the password of your Faultdesk \
                         account {}.\n\nChoose a new password here (the link works once, for \
                         {RESET_MINUTES} minutes):\n{url}\n\nIf you did not ask, ignore this \
                         mail: your password stays as it is.\n",
                        user.email
                    ),
                };
                mail::enqueue(tx, &[mail], now).await?;
                Ok(true)
            })
        })
        .await
}

fn bad_link(field: &str) -> AppError {
    AppError::validation(
        field,
        "This link is not valid any more: it was used already or has expired. Ask for a new one.",
    )
}

/// Sets a new password through a reset link: single use, within the hour; every session
/// of the account is signed out. Returns the account (to sign it in) and its new epoch.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: &str,
) -> Result<(i64, i64), AppError> {
    let password = Password::parse(password)?;
    let hash = super::auth::hash_password(password.expose().to_owned()).await?;
    let token_hash = tokens::hash(token.trim());
    let now = state.clock.now();
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let used: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
                    "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 \
                     AND used_at IS NULL AND expires_at > $1 \
                     AND user_id IN (SELECT id FROM users WHERE deactivated_at IS NULL) \
                     RETURNING user_id")
                    .bind(millis(now))
                    .bind(&token_hash)
                    .fetch_all(&mut *c)
                    .await)?;
                let user = used.first().map(|r| r.0).ok_or_else(|| bad_link("token"))?;
                let epoch = set_password(tx, user, &hash).await?;
                audit(
                    tx,
                    None,
                    Some(user),
                    "password_reset",
                    "through an emailed link",
                    now,
                )
                .await?;
                Ok((user, epoch))
            })
        })
        .await
}

/// The signed-in user's account settings.
pub async fn my_account(state: &AppState, user: &CurrentUser) -> Result<MyAccount, AppError> {
    let row = users::find_by_id(&state.db, user.id)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    Ok(MyAccount {
        email: row.email.clone(),
        role: row.role()?,
        display_name: row.display_name,
    })
}

/// Sets (or, empty, clears) the name developers see for a staff member.
pub async fn set_display_name(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
) -> Result<(), AppError> {
    let name = name.trim().to_owned();
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::validation(
            "display_name",
            format!("Up to {MAX_DISPLAY_NAME_CHARS} characters, on one line."),
        ));
    }
    let id = user.id;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, c => sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
                    .bind((!name.is_empty()).then_some(name))
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                tx.stale(CacheKind::Users);
                Ok(())
            })
        })
        .await
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    email: String,
    display_name: Option<String>,
    role: String,
    created_at: i64,
    last_sign_in_at: Option<i64>,
    deactivated_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct InviteRow {
    email: String,
    role: String,
    by_email: String,
    created_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    created_at: i64,
    actor: Option<String>,
    target: Option<String>,
    action: String,
    detail: String,
}

/// The people page: every account, the latest invitations and changes.
pub async fn people(state: &AppState, viewer: &CurrentUser) -> Result<PeopleView, AppError> {
    let db = &state.db;
    let tz = viewer.timezone.as_str();
    let now = millis(state.clock.now());
    let rows: Vec<PersonRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, email, display_name, role, created_at, last_sign_in_at, deactivated_at \
         FROM users ORDER BY CASE role WHEN 'developer' THEN 1 ELSE 0 END, email LIMIT 1000")
        .fetch_all(pool)
        .await)?;
    let invites: Vec<InviteRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT i.email, i.role, u.email AS by_email, i.created_at, i.expires_at, i.accepted_at \
         FROM invites i JOIN users u ON u.id = i.invited_by ORDER BY i.id DESC LIMIT 50")
        .fetch_all(pool)
        .await)?;
    let audit: Vec<AuditRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT a.created_at, actor.email AS actor, target.email AS target, a.action, a.detail \
         FROM people_audit a LEFT JOIN users actor ON actor.id = a.actor_id \
         LEFT JOIN users target ON target.id = a.user_id ORDER BY a.id DESC LIMIT 100")
        .fetch_all(pool)
        .await)?;
    let role = |r: &str| super::error::stored(Role::parse(r), "role", r);
    Ok(PeopleView {
        people: rows
            .into_iter()
            .map(|r| {
                Ok(PersonView {
                    is_you: r.id == viewer.id,
                    id: r.id,
                    role: role(&r.role)?,
                    email: r.email,
                    display_name: r.display_name,
                    created_local: format_local(from_millis(r.created_at), tz),
                    last_sign_in_local: r.last_sign_in_at.map(|t| format_local(from_millis(t), tz)),
                    active: r.deactivated_at.is_none(),
                })
            })
            .collect::<Result<_, AppError>>()?,
        invites: invites
            .into_iter()
            .map(|i| {
                Ok(InviteView {
                    role: role(&i.role)?,
                    email: i.email,
                    by: i.by_email,
                    created_local: format_local(from_millis(i.created_at), tz),
                    state: match (i.accepted_at, i.expires_at <= now) {
                        (Some(_), _) => "accepted",
                        (None, true) => "expired",
                        (None, false) => "pending",
                    }
                    .to_owned(),
                })
            })
            .collect::<Result<_, AppError>>()?,
        audit: audit
            .into_iter()
            .map(|a| AuditView {
                at_local: format_local(from_millis(a.created_at), tz),
                actor: a.actor.unwrap_or_else(|| "themselves".to_owned()),
                user: a.target.unwrap_or_default(),
                action: a.action,
                detail: a.detail,
            })
            .collect(),
    })
}

/// Parses a staff role as a manager chose it.
fn staff_role(field: &str, role: &str) -> Result<Role, AppError> {
    Role::parse(role.trim())
        .ok_or_else(|| AppError::validation(field, "Choose developer, agent or manager."))
}

/// Invites `email` to join as `role` (agent or manager): a one-time link valid 72 hours,
/// mailed when SMTP is configured and shown to the manager either way.
pub async fn invite(
    state: &AppState,
    actor: &CurrentUser,
    email: &str,
    role: &str,
) -> Result<InviteCreated, AppError> {
    let email = Email::parse(email)?;
    let role = staff_role("role", role)?;
    if !role.is_staff() {
        return Err(AppError::validation(
            "role",
            "Invite agents or managers; developers sign up themselves.",
        ));
    }
    let token = super::tokens::random_body();
    let url = link(state, &format!("/invite?token={token}"));
    let (hash, now, by) = (tokens::hash(&token), state.clock.now(), actor.id);
    let (mailed, who, inviter) = (
        state.options.mail_enabled,
        email.as_str().to_owned(),
        actor.email.clone(),
    );
    let body_url = url.clone();
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                if users::find_by_email_in(tx, &who).await?.is_some() {
                    return Err(AppError {
                        field: Some("email".to_owned()),
                        ..AppError::conflict(
                            "This email already has an account: change its role in the list instead.",
                        )
                    });
                }
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO invites (email, role, token_hash, invited_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&who)
                    .bind(role.as_str())
                    .bind(&hash)
                    .bind(by)
                    .bind(millis(now))
                    .bind(millis(now + Duration::hours(INVITE_HOURS)))
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                audit(tx, Some(by), None, "invited", &format!("{who} as {}", role.as_str()), now)
                    .await?;
                if mailed {
                    let mail = Mail {
                        to: who.clone(),
                        subject: "[Faultdesk] You are invited to the support desk".to_owned(),
                        body: format!(
                            "{inviter} invited you to Faultdesk as {} {}.\n\nSet your password \
                             here (the link works once, for {INVITE_HOURS} hours):\n{body_url}\n",
                            if role == Role::Agent { "an" } else { "a" },
                            role.as_str()
                        ),
                    };
                    mail::enqueue(tx, &[mail], now).await?;
                }
                Ok(())
            })
        })
        .await?;
    tracing::info!(by = actor.id, role = role.as_str(), "staff invited");
    Ok(InviteCreated {
        email: email.as_str().to_owned(),
        link: url,
        mailed,
    })
}

/// What an invitation link offers (404 when it is not valid any more).
pub async fn invite_info(state: &AppState, token: &str) -> Result<InviteInfo, AppError> {
    let (hash, now) = (tokens::hash(token.trim()), millis(state.clock.now()));
    let db = &state.db;
    let row: Option<(String, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT email, role FROM invites WHERE token_hash = $1 AND accepted_at IS NULL \
         AND expires_at > $2")
        .bind(hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
    let (email, role) = row.ok_or_else(|| AppError::not_found("invitation"))?;
    Ok(InviteInfo {
        role: super::error::stored(Role::parse(&role), "role", &role)?,
        email,
    })
}

/// Accepts an invitation: the account is created with the invited role and the chosen
/// password; the link is used up. Returns the new account's id.
pub async fn accept_invite(
    state: &AppState,
    token: &str,
    password: &str,
    timezone: chrono_tz::Tz,
) -> Result<i64, AppError> {
    let password = Password::parse(password)?;
    let hash = super::auth::hash_password(password.expose().to_owned()).await?;
    let (token_hash, now) = (tokens::hash(token.trim()), state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let taken: Vec<(i64, String, String)> = on_tx!(tx, c => sqlx::query_as(
                    "UPDATE invites SET accepted_at = $1 WHERE token_hash = $2 \
                     AND accepted_at IS NULL AND expires_at > $1 RETURNING id, email, role")
                    .bind(millis(now))
                    .bind(&token_hash)
                    .fetch_all(&mut *c)
                    .await)?;
                let (invite, email, role) =
                    taken.into_iter().next().ok_or_else(|| bad_link("token"))?;
                let role = super::error::stored(Role::parse(&role), "role", &role)?;
                let new = users::NewUser {
                    email: &email,
                    password_hash: &hash,
                    role,
                    timezone: timezone.name(),
                };
                let id = users::insert(tx, &new, now).await?.ok_or_else(|| {
                    AppError::conflict("This email has an account already: sign in instead.")
                })?;
                on_tx!(tx, c => sqlx::query("UPDATE invites SET user_id = $1 WHERE id = $2")
                    .bind(id)
                    .bind(invite)
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                audit(
                    tx,
                    None,
                    Some(id),
                    "joined",
                    &format!("as {}", role.as_str()),
                    now,
                )
                .await?;
                Ok(id)
            })
        })
        .await
}

/// Locks the active managers' rows (PostgreSQL; the SQLite writer is alone anyway) and
/// counts those other than `except`: two managers demoting each other at once cannot
/// leave the desk without one.
async fn other_active_managers(tx: &mut Tx, except: i64) -> Result<usize, sqlx::Error> {
    let sql = "SELECT id FROM users WHERE role = 'manager' AND deactivated_at IS NULL";
    let ids: Vec<(i64,)> = match tx.conn() {
        Conn::Sqlite(c) => sqlx::query_as(sql).fetch_all(&mut *c).await?,
        Conn::Postgres(c) => {
            sqlx::query_as(&format!("{sql} ORDER BY id FOR UPDATE"))
                .fetch_all(&mut **c)
                .await?
        }
    };
    Ok(ids.iter().filter(|(id,)| *id != except).count())
}

fn last_manager(field: &str, what: &str) -> AppError {
    AppError {
        field: Some(field.to_owned()),
        ..AppError::conflict(format!(
            "You are the last active manager: make someone else a manager before you {what}."
        ))
    }
}

/// Changes `user`'s role.
pub async fn change_role(
    state: &AppState,
    actor: &CurrentUser,
    user: i64,
    role: &str,
) -> Result<(), AppError> {
    let role = staff_role("role", role)?;
    let (by, now) = (actor.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let target = users::find_by_id_in(tx, user)
                    .await?
                    .ok_or_else(|| AppError::not_found("account"))?;
                let from = target.role()?;
                if from == role {
                    return Ok(());
                }
                if from == Role::Manager
                    && target.deactivated_at.is_none()
                    && other_active_managers(tx, user).await? == 0
                {
                    return Err(last_manager("role", "step down"));
                }
                on_tx!(tx, c => sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(user)
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                tx.stale(CacheKind::Users);
                tx.stale(CacheKind::Tokens);
                let detail = format!("{} → {}", from.as_str(), role.as_str());
                audit(tx, Some(by), Some(user), "role", &detail, now).await?;
                Ok(())
            })
        })
        .await
}

/// Deactivates (`active == false`) or reactivates an account. Deactivation signs out its
/// sessions and stops its API tokens at once, on every instance; its history stays.
pub async fn set_active(
    state: &AppState,
    actor: &CurrentUser,
    user: i64,
    active: bool,
) -> Result<(), AppError> {
    let (by, now) = (actor.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let target = users::find_by_id_in(tx, user)
                    .await?
                    .ok_or_else(|| AppError::not_found("account"))?;
                if target.deactivated_at.is_none() == active {
                    return Ok(());
                }
                if !active
                    && target.role()? == Role::Manager
                    && other_active_managers(tx, user).await? == 0
                {
                    return Err(last_manager("active", "deactivate this account"));
                }
                // Deactivating bumps the session epoch: its sessions stay signed out
                // after a reactivation too.
                let deactivated_at = (!active).then(|| millis(now));
                on_tx!(tx, c => sqlx::query(
                    "UPDATE users SET deactivated_at = $1, \
                     session_epoch = session_epoch + CASE WHEN $2 THEN 0 ELSE 1 END WHERE id = $3")
                    .bind(deactivated_at)
                    .bind(active)
                    .bind(user)
                    .execute(&mut *c)
                    .await
                    .map(|_| ()))?;
                tx.stale(CacheKind::Users);
                tx.stale(CacheKind::Tokens);
                let action = if active { "reactivated" } else { "deactivated" };
                audit(tx, Some(by), Some(user), action, "", now).await?;
                Ok(())
            })
        })
        .await?;
    tracing::info!(by = actor.id, user, active, "account activation changed");
    Ok(())
}
