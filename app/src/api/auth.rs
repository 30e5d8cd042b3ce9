//! Sign up, sign in, sign out, and who is signed in.

use crate::error::AppError;
pub use crate::wire::auth::*;
use leptos::prelude::*;

/// Who is signed in on this request (`None` for a visitor).
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    crate::server::auth::current_user().await
}

/// Creates a developer account and signs it in.
#[server(endpoint = "signup")]
pub async fn signup(email: String, password: String, timezone: String) -> Result<(), AppError> {
    use crate::{
        domain::{
            account::{Email, Password},
            calendar::parse_tz,
        },
        server::{auth, state::app_state, users},
    };

    // Anyone may sign up (a few times an hour per address); a signed-in user signing
    // up again simply gets a new session.
    auth::limit(crate::server::limits::Action::SignUp, None).await?;
    let email = Email::parse(&email)?;
    let password = Password::parse(&password)?;
    let timezone = if timezone.trim().is_empty() {
        chrono_tz::Tz::UTC
    } else {
        parse_tz(&timezone)?
    };
    let state = app_state()?;
    let hash = auth::hash_password(password.expose().to_owned()).await?;
    let (email, now) = (email.as_str().to_owned(), state.clock.now());
    let id = state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let new = users::NewUser {
                    email: &email,
                    password_hash: &hash,
                    role: crate::domain::role::Role::Developer,
                    timezone: timezone.name(),
                };
                users::insert(tx, &new, now).await?.ok_or_else(|| {
                    AppError::validation(
                        "email",
                        "An account with this email already exists. Sign in instead.",
                    )
                })
            })
        })
        .await?;
    tracing::info!(user_id = id, "developer signed up");
    auth::sign_in(&auth::session().await?, id, 0).await?;
    leptos_axum::redirect("/reports/new");
    Ok(())
}

/// Signs in with email and password. `next` is where to go afterwards (a local path).
#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{auth, state::app_state, users};

    // Anyone may try to sign in (a few times a minute per address); the answer never
    // says whether the email exists.
    auth::limit(crate::server::limits::Action::SignIn, None).await?;
    let state = app_state()?;
    let row = users::find_by_email(&state.db, email.trim().to_lowercase().as_str()).await?;
    let ok = auth::verify_password(password, row.as_ref().map(|u| u.password_hash.clone())).await?;
    let Some(user) = row.filter(|_| ok) else {
        return Err(AppError {
            field: Some("password".to_owned()),
            ..AppError::unauthorized_with("Wrong email or password.")
        });
    };
    if user.deactivated_at.is_some() {
        return Err(AppError {
            field: Some("email".to_owned()),
            ..AppError::with_status(
                403,
                "This account has been deactivated. Ask a manager to reactivate it.",
            )
        });
    }
    auth::sign_in(&auth::session().await?, user.id, user.session_epoch).await?;
    crate::server::people::signed_in(&state, user.id).await?;
    tracing::info!(user_id = user.id, "signed in");
    let home = if user.role()?.is_staff() {
        "/queue"
    } else {
        "/reports"
    };
    leptos_axum::redirect(&safe_next(next.as_deref()).unwrap_or_else(|| home.to_owned()));
    Ok(())
}

/// Signs out (the session is deleted).
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth;
    // Signing out is allowed for anyone; with no session it does nothing.
    auth::sign_out(&auth::session().await?).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// A `next` target is only followed when it is a path on this site (no open redirect).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    crate::domain::paths::is_local_path(next).then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next(Some("/reports/3")), Some("/reports/3".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("/\t/evil.example")), None);
        assert_eq!(safe_next(Some("/\r\nSet-Cookie:x")), None);
        assert_eq!(safe_next(None), None);
    }
}
