//! Form helpers: inline errors that name the field, and a banner for the rest.

use crate::error::AppError;
use leptos::prelude::*;

/// The latest error of a server action, if its last result was an error (including an
/// error carried back in the URL after a form post without JavaScript).
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// The message under an input when the last error was about `field`.
#[component]
pub fn FieldError(
    /// The action's latest error.
    error: Signal<Option<AppError>>,
    /// The field this message belongs to.
    field: &'static str,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.for_field(field));
    view! {
        <Show when=move || message().is_some()>
            <p class="field-error" id=format!("{field}-error") role="alert">
                {message}
            </p>
        </Show>
    }
}

/// A banner for an error that is not about one of `fields` (or has no field at all).
#[component]
pub fn FormError(
    /// The action's latest error.
    error: Signal<Option<AppError>>,
    /// The fields that show their own message inline.
    fields: &'static [&'static str],
) -> impl IntoView {
    let message = move || {
        error.get().and_then(|e| match &e.field {
            Some(f) if fields.contains(&f.as_str()) => None,
            _ => Some(e.message),
        })
    };
    view! {
        <Show when=move || message().is_some()>
            <div class="form-error" role="alert">{message}</div>
        </Show>
    }
}

/// Whether the page has been hydrated (always `false` while rendering on the server).
/// Used to keep every form usable without JavaScript: parts that only help once the
/// wasm runs (hiding a field until it is needed) stay visible until then.
pub fn hydrated() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    ready
}

/// The inner HTML that pre-fills a `<textarea>` with `text`. Leptos writes a textarea's
/// children into the server-rendered page without escaping them (it treats the element
/// as raw text), so user text must never be a child: `</textarea><script>` would end the
/// element. Set this as `inner_html` instead; the browser decodes it back to `text`,
/// both in the server-rendered page and when the view is built in the browser.
pub fn textarea_text(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}
