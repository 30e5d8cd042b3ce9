//! `/reports/:id`: one report, with its guidance (client errors) or its first-response
//! due time (tickets), and its history.

use super::SignInFirst;
use crate::{
    api::reports::{
        get_report, FollowIncident, GuidanceView, IncidentBrief, NoticeBrief, ReplyToReport,
        ReportDetail, ReportFeedback, StateUnrelated,
    },
    components::{
        badges::{ClassBadge, StatusBadge},
        forms::{action_error, FieldError, FormError},
    },
    domain::ticket::{Disposition, Feedback},
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// One report, or 404 if the viewer may not see it.
#[component]
pub fn ReportPage() -> impl IntoView {
    let id = crate::pages::route_id();
    let feedback = ServerAction::<ReportFeedback>::new();
    let reply = ServerAction::<ReplyToReport>::new();
    let unrelated = ServerAction::<StateUnrelated>::new();
    let follow = ServerAction::<FollowIncident>::new();
    let report = Resource::new(
        move || {
            (
                id(),
                feedback.version().get(),
                reply.version().get(),
                unrelated.version().get(),
                follow.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_report(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some(r)) => view! { <Report r feedback reply unrelated follow /> }.into_any(),
                    Err(e) if e.status == 401 => {
                        view! { <SignInFirst next="/reports" what="see this report" /> }.into_any()
                    }
                    Ok(None) | Err(_) => view! { <NotFound /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(
    r: ReportDetail,
    feedback: ServerAction<ReportFeedback>,
    reply: ServerAction<ReplyToReport>,
    unrelated: ServerAction<StateUnrelated>,
    follow: ServerAction<FollowIncident>,
) -> impl IntoView {
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

        {r.notice.clone().map(|n| view! { <Maintenance r=r.clone() n unrelated /> })}

        {r.incident.clone().filter(|i| i.report_count > 1).map(|i| view! { <KnownIncident i report=s.id follow /> })}

        {r.guidance.clone().map(|g| view! { <Guidance g /> })}

        {awaiting.then(|| view! { <FeedbackForms id=s.id action=feedback /> })}

        {(r.feedback == Some(Feedback::SelfSolved)).then(|| view! {
            <section class="panel solved"><p>"You marked this solved by the guidance. Thanks for letting us know."</p></section>
        })}

        <Details r=r.clone() />

        <Conversation r=r.clone() reply />

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

/// What the developer reported, as filed (secrets masked); for `staff`, with a link to
/// the guidance version the developer was shown.
#[component]
pub fn Details(
    r: ReportDetail,
    /// Whether the viewer is staff (the guidance shown links to its editor).
    #[prop(optional)]
    staff: bool,
) -> impl IntoView {
    let shown = r.guidance.clone().filter(|_| staff).map(|g| {
        let href = format!("/guidance/{}#version-{}", g.slug, g.version);
        view! {
            <dt>"Guidance shown"</dt>
            <dd><a href=href>{g.title}</a>{format!(" (version {})", g.version)}</dd>
        }
    });
    view! {
        <section class="panel" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <dl class="details">
                <dt>"Message"</dt><dd class="mono">{if r.message.is_empty() { "—".to_owned() } else { r.message.clone() }}</dd>
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
                {shown}
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

    }
}

/// Public replies, and the developer's reply form while the ticket is not closed.
#[component]
fn Conversation(r: ReportDetail, reply: ServerAction<ReplyToReport>) -> impl IntoView {
    let error = action_error(reply);
    let id = r.summary.id;
    let show = !r.messages.is_empty() || r.can_reply;
    show.then(|| view! {
        <section class="panel" aria-labelledby="conversation-title">
            <h2 id="conversation-title">"Conversation with support"</h2>
            {r.messages.is_empty().then(|| view! { <p class="hint">"No replies yet."</p> })}
            <ol class="messages">
                {r.messages.into_iter().map(|m| view! {
                    <li class=if m.from_support { "message support" } else { "message developer" }>
                        <p class="meta">
                            <strong>{if m.from_support { "Support" } else { "You" }}</strong>
                            " · " {m.author} " · " {m.at_local}
                        </p>
                        <p class="pre">{m.body}</p>
                    </li>
                }).collect_view()}
            </ol>
            {r.can_reply.then(|| view! {
                <ActionForm action=reply>
                    <FormError error fields=&["body"] />
                    <input type="hidden" name="id" value=id.to_string() />
                    <label for="reply-body">"Reply to support"</label>
                    <textarea id="reply-body" name="body" rows="3" maxlength="10000"
                        aria-describedby="body-error"></textarea>
                    <FieldError error field="body" />
                    <button type="submit" class="primary">"Send reply"</button>
                </ActionForm>
            })}
        </section>
    })
}

fn retry_text(r: &ReportDetail) -> String {
    match (r.retries, r.retry_interval_secs) {
        (0, _) => "Not retried. ".to_owned(),
        (1, Some(s)) => format!("Retried once, {s} s later. "),
        (n, Some(s)) => format!("Retried {n} times, {s} s apart. "),
        (n, None) => format!("Retried {n} times. "),
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
            <p class="hint">{format!("Article {}, version {}.", g.slug, g.version)}</p>
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

#[component]
fn Maintenance(
    r: ReportDetail,
    n: NoticeBrief,
    unrelated: ServerAction<StateUnrelated>,
) -> impl IntoView {
    let error = action_error(unrelated);
    let kind = if n.emergency {
        "emergency maintenance"
    } else {
        "planned maintenance"
    };
    let id = r.summary.id;
    view! {
        <section class="panel maintenance" aria-labelledby="maintenance-title">
            <p class="kicker">{format!("This happened during {kind}")}</p>
            <h2 id="maintenance-title">{n.title.clone()}</h2>
            <p><strong>{n.window_local.clone()}</strong></p>
            {(!n.details.is_empty()).then(|| view! { <p class="pre">{n.details.clone()}</p> })}
            {r.can_state_unrelated.then(|| view! {
                <p>"No support ticket was opened: failures on this endpoint are expected during the window."</p>
                <ActionForm action=unrelated>
                    <FormError error fields=&["statement"] />
                    <input type="hidden" name="id" value=id.to_string() />
                    <label for="statement">"Not caused by the maintenance? Tell support why"</label>
                    <textarea id="statement" name="statement" rows="2" maxlength="2000" aria-describedby="statement-error"></textarea>
                    <FieldError error field="statement" />
                    <button type="submit">"It is unrelated: send to support"</button>
                </ActionForm>
            })}
            {r.unrelated_statement.clone().map(|st| view! {
                <p>"You said this failure is unrelated to the maintenance: " <q>{st}</q> " It was sent to support."</p>
            })}
        </section>
    }
}

#[component]
fn KnownIncident(
    i: IncidentBrief,
    report: i64,
    follow: ServerAction<FollowIncident>,
) -> impl IntoView {
    view! {
        <section class="panel incident" aria-labelledby="incident-title">
            <p class="kicker">"Known incident"</p>
            <h2 id="incident-title">{format!("{} developers reported this failure", i.report_count)}</h2>
            <p>
                {if i.open { "Support is working on it as one incident; every update reaches you here." } else { "This incident is closed." }}
            </p>
            {match (i.latest_update.clone(), i.latest_update_local.clone()) {
                (Some(u), Some(at)) => view! {
                    <div class="latest-update"><p class="meta">"Latest update · " {at}</p><p class="pre">{u}</p></div>
                }.into_any(),
                _ => view! { <p class="hint">"No update yet."</p> }.into_any(),
            }}
            {if i.following {
                view! { <p class="ok">"You follow this incident."</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=follow>
                        <input type="hidden" name="report" value=report.to_string() />
                        <button type="submit">"Follow this incident"</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}
