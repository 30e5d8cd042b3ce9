//! `/reports/:id`: one report, with its guidance (client errors) or its first-response
//! due time (tickets), and its history.

use super::SignInFirst;
use crate::{
    api::reports::{get_report, GuidanceView, ReportDetail, ReportFeedback},
    components::{
        badges::{ClassBadge, StatusBadge},
        forms::{action_error, FieldError, FormError},
    },
    domain::ticket::{Disposition, Feedback},
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One report, or 404 if the viewer may not see it.
#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let feedback = ServerAction::<ReportFeedback>::new();
    let report = Resource::new(
        move || (id(), feedback.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_report(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some(r)) => view! { <Report r feedback /> }.into_any(),
                    Err(e) if e.status == 401 => {
                        view! { <SignInFirst next="/reports" what="see this report" /> }.into_any()
                    }
                    Ok(None) | Err(_) => view! { <NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Report(r: ReportDetail, feedback: ServerAction<ReportFeedback>) -> impl IntoView {
    let s = r.summary.clone();
    let title = format!("Report #{}", s.id);
    let awaiting = r.viewer_is_reporter && r.feedback == Some(Feedback::Pending);
    view! {
        <Title text=title.clone() />
        <section class="panel">
            <p class="breadcrumb"><a href="/reports">"My reports"</a> " / " {title.clone()}</p>
            <h1>{title}</h1>
            <p class="request-line">
                <span class="mono">{format!("{} {}", s.method, s.endpoint)}</span>
                " → "
                <strong>{s.failure.clone()}</strong>
            </p>
            <p class="badges">
                <ClassBadge class=s.class />
                " "
                <StatusBadge status=s.status />
                " "
                <span class="badge">{s.disposition.label()}</span>
                {r.recontact.then(|| view! { " " <span class="badge recontact">"Re-filed within 24 h"</span> })}
            </p>
        </section>

        {r.sla.clone().map(|sla| view! {
            <section class="panel sla" aria-labelledby="sla-title">
                <h2 id="sla-title">"Support will answer by " <time datetime=sla.due_at.to_rfc3339()>{sla.due_local}</time></h2>
                <p>
                    "Our first-response promise: " {sla.target} ", counted in support's business hours. "
                    "State: " <strong class="sla-state">{sla.state}</strong>
                </p>
                {sla.responded_local.map(|t| view! { <p>"First answered: " {t}</p> })}
                {(s.disposition == Disposition::Escalated).then(|| view! {
                    <p>"You escalated this after the guidance, so it is in the queue with low priority."</p>
                })}
            </section>
        })}

        {r.guidance.clone().map(|g| view! { <Guidance g /> })}

        {awaiting.then(|| view! { <FeedbackForms id=s.id action=feedback /> })}

        {(r.feedback == Some(Feedback::SelfSolved)).then(|| view! {
            <section class="panel solved"><p>"You marked this solved by the guidance. Thanks for letting us know."</p></section>
        })}

        <section class="panel" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <dl class="details">
                <dt>"Message"</dt><dd class="mono">{r.message.clone()}</dd>
                <dt>"Request id"</dt><dd class="mono">{r.request_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Happened"</dt><dd>{r.occurred_local.clone()}</dd>
                <dt>"Environment"</dt><dd>{r.environment.clone()}</dd>
                <dt>"Retries"</dt>
                <dd>
                    {retry_text(&r)}
                    {r.retry_followed.map(|f| view! {
                        <span class=if f { "badge ok" } else { "badge warn" }>
                            {if f { "retry rule followed" } else { "retry rule not followed" }}
                        </span>
                    })}
                </dd>
                {r.retry_reason.clone().map(|why| view! { <dt>"Why no retry"</dt><dd>{why}</dd> })}
                <dt>"Description"</dt><dd class="pre">{r.description.clone()}</dd>
                {r.excerpt.clone().map(|x| view! { <dt>"Excerpt"</dt><dd><pre>{x}</pre></dd> })}
                {r.escalation_note.clone().map(|n| view! { <dt>"What you changed"</dt><dd class="pre">{n}</dd> })}
                {(!r.token_fingerprints.is_empty()).then(|| view! {
                    <dt>"Masked secrets"</dt>
                    <dd>
                        "Fingerprints: "
                        <span class="mono">{r.token_fingerprints.join(", ")}</span>
                    </dd>
                })}
            </dl>
        </section>

        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <ol class="timeline">
                {r.history.iter().map(|e| view! {
                    <li>
                        <span class="when">{e.at_local.clone()}</span>
                        " · " <span class="who">{e.actor.clone()}</span>
                        " · " <strong>{e.kind.replace('_', " ")}</strong>
                        {(!e.detail.is_empty()).then(|| view! { <span>": " {e.detail.clone()}</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

fn retry_text(r: &ReportDetail) -> String {
    match (r.retries, r.retry_interval_secs) {
        (0, _) => "Not retried. ".to_owned(),
        (n, Some(s)) => format!("{n} × , {s} s apart. "),
        (n, None) => format!("{n} × . "),
    }
}

#[component]
fn Guidance(g: GuidanceView) -> impl IntoView {
    view! {
        <section class="panel guidance" aria-labelledby="guidance-title">
            <p class="kicker">"This is a client error: you can fix it"</p>
            <h2 id="guidance-title">{g.title}</h2>
            <p>{g.summary}</p>
            <h3>"Check"</h3>
            <ul class="checks">
                {g.checks.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            <h3>"Then call again"</h3>
            <p>{g.call_again}</p>
        </section>
    }
}

#[component]
fn FeedbackForms(id: i64, action: ServerAction<ReportFeedback>) -> impl IntoView {
    let error = action_error(action);
    view! {
        <section class="panel feedback" aria-labelledby="feedback-title">
            <h2 id="feedback-title">"Did this solve it?"</h2>
            <FormError error fields=&["changed"] />
            <div class="feedback-forms">
                <ActionForm action=action>
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="outcome" value="solved" />
                    <button type="submit" class="primary">"This solved it"</button>
                </ActionForm>
                <ActionForm action=action>
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="outcome" value="still_failing" />
                    <label for="changed">"Still failing? Tell support what you changed"</label>
                    <textarea id="changed" name="changed" rows="3" maxlength="2000"
                        aria-describedby="changed-error"></textarea>
                    <FieldError error field="changed" />
                    <button type="submit">"Still failing: send to support"</button>
                </ActionForm>
            </div>
        </section>
    }
}
