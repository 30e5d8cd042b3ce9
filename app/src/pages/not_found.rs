//! The page for unknown URLs (and things the viewer may not see).

use leptos::prelude::*;
use leptos_meta::Title;

/// "Not found", sent with HTTP status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="panel">
            <h1>"Not found"</h1>
            <p>"There is nothing here, or it is not yours to see."</p>
            <p><a href="/">"Back to the start page"</a></p>
        </section>
    }
}

/// "Not allowed", sent with HTTP status 403.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="Not allowed" />
        <section class="panel">
            <h1>"Not allowed"</h1>
            <p>"Your account cannot open this page."</p>
            <p><a href="/">"Back to the start page"</a></p>
        </section>
    }
}
