//! `/reports…`: filing a report, the list of one's reports, one report.

pub mod detail;
pub mod list;
pub mod new;

use leptos::prelude::*;

/// Shown instead of a page that needs a signed-in user.
#[component]
pub fn SignInFirst(
    /// Where to come back to after signing in.
    next: &'static str,
    /// What the page is for.
    what: &'static str,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::UNAUTHORIZED);
    }
    view! {
        <section class="panel narrow">
            <h1>"Please sign in"</h1>
            <p>{format!("Sign in to {what}.")}</p>
            <p>
                <a class="button primary" href=format!("/login?next={next}")>"Sign in"</a>
                " "
                <a class="button" href="/signup">"Create an account"</a>
            </p>
        </section>
    }
}
