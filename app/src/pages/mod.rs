//! One file per route, mirroring the URL tree.

pub mod account;
pub mod alerts;
pub mod calendar;
pub mod canned;
pub mod guidance;
pub mod home;
pub mod incidents;
pub mod lazy;
pub mod manager;
pub mod not_found;
pub mod notices;
pub mod password;
pub mod people;
pub mod queue;
pub mod reports;
pub mod sla_policy;
pub mod tickets;
pub mod tokens;

use crate::error::AppError;
use leptos::prelude::*;

/// What a page shows when loading its data failed: a sign-in prompt (401), "not
/// allowed" (403), "not found" (404), or the message.
pub fn failure_view(e: AppError, next: &'static str, what: &'static str) -> AnyView {
    match e.status {
        401 => view! { <reports::SignInFirst next what /> }.into_any(),
        403 => view! { <not_found::Forbidden /> }.into_any(),
        404 => view! { <not_found::NotFound /> }.into_any(),
        _ => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
    }
}

/// The `:id` of the current route as a number (`None` when it is not one).
pub fn route_id() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || params.read().get("id").and_then(|s| s.parse::<i64>().ok())
}
