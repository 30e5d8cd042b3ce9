//! `/reports/new`: the report form, classified live as the developer types.

use super::SignInFirst;
use crate::{
    api::reports::{report_form_defaults, FileReport, FormDefaults},
    components::forms::{action_error, hydrated, textarea_text, FieldError, FormError},
    domain::{
        method::HttpMethod,
        retry,
        status::{classify_input, Classification, TransportKind},
    },
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Every field of the form, for the error banner (fields show their own messages).
const FIELDS: &[&str] = &[
    "endpoint",
    "method",
    "status",
    "transport",
    "message",
    "request_id",
    "occurred_at",
    "timezone",
    "environment",
    "retries",
    "retry_interval",
    "description",
    "excerpt",
    "retry_reason",
];

/// The report form, or a sign-in prompt.
#[component]
pub fn NewReportPage() -> impl IntoView {
    let defaults = Resource::new(|| (), |_| report_form_defaults());
    view! {
        <Title text="Report a failure" />
        <crate::components::notices::NoticeList />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match defaults.await {
                    Ok(d) => view! { <ReportForm defaults=d /> }.into_any(),
                    Err(e) if e.status == 401 => {
                        view! { <SignInFirst next="/reports/new" what="report an API failure" /> }
                            .into_any()
                    }
                    Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportForm(defaults: FormDefaults) -> impl IntoView {
    let action = ServerAction::<FileReport>::new();
    let error: Signal<Option<AppError>> = action_error(action);
    let hydrated = hydrated();

    // After a refused post without JavaScript, the server hands back what was typed.
    let kept = |field: &str| defaults.kept(&format!("draft[{field}]"));
    let status = RwSignal::new(kept("status").unwrap_or_default());
    let transport = RwSignal::new(kept("transport").unwrap_or_default());
    let method = RwSignal::new(kept("method").unwrap_or_else(|| "GET".to_owned()));
    let retries = RwSignal::new(kept("retries").unwrap_or_else(|| "0".to_owned()));
    let environment = kept("environment").unwrap_or_else(|| "production".to_owned());
    let occurred_at = kept("occurred_at").unwrap_or_else(|| defaults.now_local.clone());
    let timezone = kept("timezone").unwrap_or_else(|| defaults.timezone.clone());
    let [endpoint, message, request_id, retry_interval, retry_reason, description, excerpt] = [
        "endpoint",
        "message",
        "request_id",
        "retry_interval",
        "retry_reason",
        "description",
        "excerpt",
    ]
    .map(kept);

    let classification = Memo::new(move |_| classify_input(&status.get(), &transport.get()));
    let routed = move || {
        matches!(
            classification.get(),
            Classification::Server(_) | Classification::Transport(_)
        )
    };
    let not_retried = move || {
        retries
            .get()
            .trim()
            .parse::<u32>()
            .map(|n| n == 0)
            .unwrap_or(false)
    };
    let needs_reason = move || routed() && not_retried();
    let method_advice =
        move || retry::advice(HttpMethod::parse(&method.get()).unwrap_or(HttpMethod::Get));

    view! {
        <section class="panel">
            <h1>"Report a failure"</h1>
            <p class="lead">
                "Tell us what you sent and what the API answered. We classify it as you type."
            </p>
            <ActionForm action=action attr:class="report-form" attr:novalidate=true>
                <FormError error fields=FIELDS />
                <fieldset>
                    <legend>"The request"</legend>
                    <div class="row">
                        <div class="col narrow">
                            <label for="method">"Method"</label>
                            <select id="method" name="draft[method]"
                                on:change=move |ev| method.set(event_target_value(&ev))>
                                {HttpMethod::ALL
                                    .iter()
                                    .map(|m| {
                                        let selected = method.get_untracked() == m.as_str();
                                        view! { <option value=m.as_str() selected=selected>{m.as_str()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            <FieldError error field="method" />
                        </div>
                        <div class="col wide">
                            <label for="endpoint">"Endpoint"</label>
                            <input id="endpoint" name="draft[endpoint]" type="text"
                                placeholder="/v1/orders/{id}" autocomplete="off" required
                                value=endpoint
                                aria-describedby="endpoint-error" />
                            <FieldError error field="endpoint" />
                        </div>
                    </div>
                    <label for="environment">"Environment"</label>
                    <select id="environment" name="draft[environment]">
                        <option value="production" selected=environment == "production">
                            "Production"
                        </option>
                        <option value="sandbox" selected=environment == "sandbox">"Sandbox"</option>
                    </select>
                    <FieldError error field="environment" />
                </fieldset>

                <fieldset>
                    <legend>"What the API answered"</legend>
                    <div class="row">
                        <div class="col narrow">
                            <label for="status">"Status code"</label>
                            <input id="status" name="draft[status]" type="text" inputmode="numeric"
                                maxlength="8" placeholder="e.g. 503" autocomplete="off"
                                value=status.get_untracked()
                                aria-describedby="classification status-error"
                                on:input=move |ev| status.set(event_target_value(&ev)) />
                            <FieldError error field="status" />
                        </div>
                        <div class="col">
                            <label for="transport">"…or no response at all"</label>
                            <select id="transport" name="draft[transport]"
                                on:change=move |ev| transport.set(event_target_value(&ev))>
                                <option value="">"I got a response"</option>
                                {TransportKind::ALL
                                    .iter()
                                    .map(|t| {
                                        let selected = transport.get_untracked() == t.as_str();
                                        view! { <option value=t.as_str() selected=selected>{t.label()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            <FieldError error field="transport" />
                        </div>
                    </div>
                    <output id="classification" class=move || classification_class(&classification.get())
                        aria-live="polite" for="status transport">
                        {move || classification_text(&classification.get())}
                    </output>
                    <label for="message">"The response's " <code>"message"</code></label>
                    <input id="message" name="draft[message]" type="text" maxlength="2000"
                        placeholder="e.g. Token has expired" aria-describedby="message-error"
                        value=message />
                    <FieldError error field="message" />
                    <label for="request_id">"Request id " <span class="optional">"(optional)"</span></label>
                    <input id="request_id" name="draft[request_id]" type="text" maxlength="128"
                        autocomplete="off" aria-describedby="request_id-error"
                        value=request_id />
                    <FieldError error field="request_id" />
                </fieldset>

                <fieldset>
                    <legend>"When and how often"</legend>
                    <div class="row">
                        <div class="col">
                            <label for="occurred_at">"When it happened"</label>
                            <input id="occurred_at" name="draft[occurred_at]" type="datetime-local"
                                value=occurred_at required
                                aria-describedby="occurred_at-error" />
                            <FieldError error field="occurred_at" />
                        </div>
                        <div class="col">
                            <label for="timezone">"Timezone"</label>
                            <input id="timezone" name="draft[timezone]" type="text"
                                value=timezone
                                aria-describedby="timezone-error" />
                            <FieldError error field="timezone" />
                        </div>
                    </div>
                    <div class="row">
                        <div class="col">
                            <label for="retries">"Retries before reporting"</label>
                            <input id="retries" name="draft[retries]" type="number" min="0" max="20"
                                value=retries.get_untracked() aria-describedby="retries-error"
                                on:input=move |ev| retries.set(event_target_value(&ev)) />
                            <FieldError error field="retries" />
                        </div>
                        <div class="col">
                            <label for="retry_interval">"Seconds between retries"</label>
                            <input id="retry_interval" name="draft[retry_interval]" type="number"
                                min="0" max="3600" aria-describedby="retry_interval-error"
                                value=retry_interval />
                            <FieldError error field="retry_interval" />
                        </div>
                    </div>
                    <Show when=needs_reason>
                        <div class="advice" role="note" id="retry-advice">
                            <h3>"Retry first"</h3>
                            <p>{move || method_advice().rule}</p>
                            {move || method_advice().idempotency_warning.map(|w| view! {
                                <p class="warning">{w}</p>
                            })}
                            <p>"You can still file now: tell us why you did not retry."</p>
                        </div>
                    </Show>
                    <div class="reason" hidden=move || hydrated.get() && !needs_reason()>
                        <label for="retry_reason">
                            "Why you did not retry "
                            <span class="optional">"(required for a server error with 0 retries)"</span>
                        </label>
                        <textarea id="retry_reason" name="draft[retry_reason]" rows="2" maxlength="2000"
                            placeholder="e.g. the request is not idempotent: a POST without an idempotency key"
                            aria-describedby="retry_reason-error"
                            inner_html=retry_reason.as_deref().map(textarea_text)></textarea>
                        <FieldError error field="retry_reason" />
                    </div>
                </fieldset>

                <fieldset>
                    <legend>"Details"</legend>
                    <label for="description">"What were you doing, and what happened?"</label>
                    <textarea id="description" name="draft[description]" rows="4" required
                        maxlength="10000" aria-describedby="description-error"
                            inner_html=description.as_deref().map(textarea_text)></textarea>
                    <FieldError error field="description" />
                    <label for="excerpt">
                        "Request / response excerpt " <span class="optional">"(optional)"</span>
                    </label>
                    <textarea id="excerpt" name="draft[excerpt]" rows="5" class="mono"
                        maxlength="20000" aria-describedby="excerpt-hint excerpt-error"
                            inner_html=excerpt.as_deref().map(textarea_text)></textarea>
                    <p class="hint" id="excerpt-hint">
                        "Authorization headers, bearer tokens and API keys are masked before anything is stored."
                    </p>
                    <FieldError error field="excerpt" />
                </fieldset>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Filing…" } else { "File report" }}
                </button>
            </ActionForm>
        </section>
    }
}

fn classification_class(c: &Classification) -> &'static str {
    match c {
        Classification::Empty => "classification empty",
        Classification::Client(_) => "classification client_error",
        Classification::Server(_) => "classification server_error",
        Classification::Transport(_) => "classification transport_failure",
        Classification::Invalid(_) => "classification invalid",
    }
}

fn classification_text(c: &Classification) -> String {
    match c {
        Classification::Empty => "Enter the status code, or choose “no response”.".to_owned(),
        Classification::Invalid(msg) => format!("Invalid: {msg}"),
        other => other.summary(),
    }
}
