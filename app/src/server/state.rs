//! Shared resources, handed to axum handlers by `FromRef` and to server functions by
//! Leptos context (never globals).

use super::{clock::Clock, db::Db};
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};
use std::sync::Arc;

/// Runtime options that are not secrets and not Leptos' own.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Reports of the same failure this close together join one incident.
    pub incident_window: chrono::Duration,
    /// Whether outgoing email is configured (SMTP).
    pub mail_enabled: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// The address people use (`https://desk.example.com`), for links in email.
    pub public_url: Option<String>,
}

/// Everything a request handler may need.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    /// The database: read pool, writer, and what writes announce (live events,
    /// cache invalidations, mail wake-ups) in `db.hub()`.
    pub db: Db,
    /// Leptos' site options (output name, site root, address).
    pub leptos_options: LeptosOptions,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Other runtime options.
    pub options: Arc<RuntimeOptions>,
    /// Rate limits of this instance.
    pub limits: Arc<super::limits::Limits>,
}

/// The state provided to the current server function or page render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::internal()
    })
}
