//! Sign up and sign in.

use crate::{
    api::auth::{Login, Signup},
    app::use_session,
    components::forms::{action_error, FieldError, FormError},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Create a developer account.
#[component]
pub fn SignupPage() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    use_session().follow(signup);
    let error = action_error(signup);
    let timezone = RwSignal::new("UTC".to_owned());
    // Once the wasm runs, suggest the browser's own timezone.
    Effect::new(move |_| {
        if let Some(tz) = browser_timezone() {
            timezone.set(tz);
        }
    });
    view! {
        <Title text="Sign up" />
        <section class="panel narrow">
            <h1>"Create your developer account"</h1>
            <p>"File API failure reports and follow them up. Support staff accounts are created by an administrator."</p>
            <ActionForm action=signup>
                <FormError error fields=&["email", "password", "timezone"] />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="email" required
                    aria-describedby="email-error" />
                <FieldError error field="email" />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password"
                    required minlength="12" aria-describedby="password-hint password-error" />
                <p class="hint" id="password-hint">"At least 12 characters."</p>
                <FieldError error field="password" />
                <label for="timezone">"Your timezone"</label>
                <input id="timezone" name="timezone" type="text" prop:value=timezone
                    aria-describedby="timezone-hint timezone-error" />
                <p class="hint" id="timezone-hint">
                    "An IANA name such as Europe/Berlin or America/New_York. Times are shown to you in it."
                </p>
                <FieldError error field="timezone" />
                <button type="submit" class="primary" disabled=move || signup.pending().get()>
                    "Create account"
                </button>
            </ActionForm>
            <p>"Already have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}

/// Sign in with email and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    use_session().follow(login);
    let error = action_error(login);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <section class="panel narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=login>
                <FormError error fields=&["email", "password"] />
                <input type="hidden" name="next" prop:value=next />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required />
                <FieldError error field="email" />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password"
                    autocomplete="current-password" required aria-describedby="password-error" />
                <FieldError error field="password" />
                <button type="submit" class="primary" disabled=move || login.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <p>"New here? " <a href="/signup">"Create an account"</a></p>
            <p><a href="/forgot-password">"Forgot your password?"</a></p>
        </section>
    }
}

/// The browser's IANA timezone, once the wasm runs.
fn browser_timezone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}
