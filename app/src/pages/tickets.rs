//! `/tickets/:id`: one ticket as staff work it: claim or assign, change status, reply
//! publicly or add an internal note, and the whole timeline.

use crate::{
    api::{
        canned::{list_canned_replies, render_canned_reply, CannedView},
        queue::{
            get_ticket, staff_members, ticket_presence, AssignTicket, ChangeStatus, ClaimTicket,
            PostMessage, PresenceView, TicketView,
        },
    },
    components::{
        badges::{ClassBadge, StatusBadge},
        countdown::{ticking_now, SlaCountdown},
        forms::{action_error, textarea_text, FieldError, FormError},
        live::{live_changes, live_events},
    },
    pages::{failure_view, reports::detail::Details, route_id},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The staff view of a ticket.
#[component]
pub fn TicketPage() -> impl IntoView {
    let route_id = route_id();
    let id = move || route_id().unwrap_or(0);
    let claim = ServerAction::<ClaimTicket>::new();
    let assign = ServerAction::<AssignTicket>::new();
    let status = ServerAction::<ChangeStatus>::new();
    let message = ServerAction::<PostMessage>::new();
    let changes = live_changes("/events/queue");
    let ticket = Resource::new(
        move || {
            (
                id(),
                claim.version().get(),
                assign.version().get(),
                status.version().get(),
                message.version().get(),
                changes.get(),
            )
        },
        |(id, ..)| get_ticket(id),
    );
    let staff = Resource::new(|| (), |_| staff_members());
    // A saved reply picked for the reply box (`?canned=<id>`: a plain GET form, so it
    // works without JavaScript too), with this ticket's fields filled in.
    let query = leptos_router::hooks::use_query_map();
    let canned_id = move || {
        query
            .read()
            .get("canned")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let canned = Resource::new(|| (), |_| list_canned_replies());
    let prefill = Resource::new(
        move || (id(), canned_id()),
        |(id, pick)| async move {
            match pick {
                Some(c) => render_canned_reply(id, c).await.ok(),
                None => None,
            }
        },
    );
    // The reply being written: kept here, outside the ticket's view, so that a live
    // update of the ticket (or a refused send) never wipes it.
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Some(text)) = prefill.get() {
            draft.set(text);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = message.value().get() {
            draft.set(String::new());
        }
    });
    let presence = presence(id, draft);
    let actions = Actions {
        claim,
        assign,
        status,
        message,
        draft,
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let others = presence.await.unwrap_or_default();
                view! { <Presence others /> }
            })}
        </Transition>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Ok(t) => {
                        let staff = staff.await.unwrap_or_default();
                        let canned = canned.await.unwrap_or_default();
                        let prefill = prefill.await;
                        view! { <Ticket t staff actions canned prefill /> }.into_any()
                    }
                    Err(e) => failure_view(e, "/queue", "work on tickets"),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    claim: ServerAction<ClaimTicket>,
    assign: ServerAction<AssignTicket>,
    status: ServerAction<ChangeStatus>,
    message: ServerAction<PostMessage>,
    draft: RwSignal<String>,
}

/// Who else is on this ticket, kept fresh: this page beats every 10 s (saying whether
/// its user is typing a reply: within the last 15 s), and refetches at once when
/// someone arrives, leaves, or starts or stops replying, on any instance.
fn presence(
    id: impl Fn() -> i64 + Copy + Send + Sync + 'static,
    draft: RwSignal<String>,
) -> Resource<Result<Vec<PresenceView>, crate::error::AppError>> {
    let others_changed = live_events("/events/queue", &["presence"]);
    let tick = RwSignal::new(0usize);
    let typing = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let last_input = StoredValue::new(0f64);
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            draft.track();
            // The first run is the page's own value, not typing.
            if started.get_value() {
                last_input.set_value(js_sys::Date::now());
                if !typing.get_untracked() {
                    typing.set(true);
                }
            }
            started.set_value(true);
        });
        let handle = set_interval_with_handle(
            move || {
                if typing.get_untracked() && js_sys::Date::now() - last_input.get_value() > 15_000.0
                {
                    typing.set(false);
                }
                tick.update(|n| *n += 1);
            },
            std::time::Duration::from_secs(10),
        );
        // Leaving: the page closed or went elsewhere (a beacon survives the unload),
        // or the router moved on.
        let leave = move || {
            if let Ok(params) = web_sys::UrlSearchParams::new() {
                params.append("id", &id().to_string());
                params.append("state", "leaving");
                let _ = window()
                    .navigator()
                    .send_beacon_with_opt_url_search_params("/api/ticket_presence", Some(&params));
            }
        };
        let on_hide = window_event_listener(leptos::ev::pagehide, move |_| leave());
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
            on_hide.remove();
            leave();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = draft;
    Resource::new(
        move || (id(), typing.get(), tick.get(), others_changed.get()),
        |(id, typing, ..)| {
            ticket_presence(id, if typing { "replying" } else { "viewing" }.to_owned())
        },
    )
}

/// "Also here: …", with whoever is typing a reply first.
#[component]
fn Presence(others: Vec<PresenceView>) -> impl IntoView {
    let replying: Vec<String> = others
        .iter()
        .filter(|p| p.replying)
        .map(|p| p.who.clone())
        .collect();
    let here: Vec<String> = others.iter().map(|p| p.who.clone()).collect();
    view! {
        <div class="presence" role="status" aria-live="polite">
            {(!replying.is_empty()).then(|| view! {
                <p class="warn replying">
                    {format!("{} {} replying to this ticket right now.", replying.join(", "),
                        if replying.len() == 1 { "is" } else { "are" })}
                </p>
            })}
            {(!here.is_empty()).then(|| view! {
                <p class="hint viewers">{format!("Also on this ticket: {}.", here.join(", "))}</p>
            })}
        </div>
    }
}

#[component]
fn Ticket(
    t: TicketView,
    staff: Vec<crate::api::queue::StaffMember>,
    actions: Actions,
    canned: Vec<CannedView>,
    prefill: Option<String>,
) -> impl IntoView {
    let now = ticking_now(t.now_ms);
    let windows = StoredValue::new(t.windows.clone());
    let item = t.item.clone();
    let clock_notes = t.clock_notes.clone();
    let id = item.id;
    let title = format!("Ticket #{id}");
    let status_error = action_error(actions.status);
    let assign_error = action_error(actions.assign);
    let claim_error = action_error(actions.claim);
    let message_error = action_error(actions.message);
    let closed = t.next_statuses.is_empty();
    let last_message_id = t.last_message_id;
    view! {
        <Title text=title.clone() />
        <section class="panel">
            <p class="breadcrumb"><a href="/queue">"Queue"</a> " / " {title.clone()}</p>
            <h1>{title}</h1>
            <p class="request-line">
                <span class="mono">{item.request.clone()}</span> " → " <strong>{item.failure.clone()}</strong>
            </p>
            {item.incident.clone().map(|i| view! {
                <p class="incident-note">
                    "Part of "
                    <a href=format!("/incidents/{}", i.id)>{format!("incident #{} ({} reports)", i.id, i.report_count)}</a>
                    ": reply to all of them there."
                </p>
            })}
            <p class="badges">
                <ClassBadge class=item.class /> " " <StatusBadge status=item.status />
                " " <span class="badge">{format!("{} priority", item.priority.as_str())}</span>
            </p>
            <dl class="details">
                <dt>"Reported by"</dt><dd>{item.reporter.clone()}</dd>
                <dt>"Assignee"</dt><dd class="assignee">{item.assignee.clone().unwrap_or_else(|| "Unassigned".to_owned())}</dd>
                <dt>"First response"</dt>
                <dd><SlaCountdown clock=item.clock windows now /> " · due " {item.due_local.clone()}</dd>
                {item.next_reply.map(|clock| view! {
                    <dt>"Next reply"</dt>
                    <dd class="next-reply"><SlaCountdown clock windows now /></dd>
                })}
                {item.resolution.map(|clock| view! {
                    <dt>"Resolution"</dt>
                    <dd class="resolution"><SlaCountdown clock windows now /></dd>
                })}
            </dl>
            {(!clock_notes.is_empty()).then(|| view! {
                <ul class="clock-notes">
                    {clock_notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            })}
        </section>

        <section class="panel" aria-labelledby="work-title">
            <h2 id="work-title">"Work on it"</h2>
            <FormError error=claim_error fields=&[] />
            <FormError error=assign_error fields=&["assignee"] />
            <FormError error=status_error fields=&[] />
            <div class="work-row">
                {(!closed).then(|| view! {
                    <ActionForm action=actions.claim attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit">"Claim"</button>
                    </ActionForm>
                    <ActionForm action=actions.assign attr:class="inline assign">
                        <input type="hidden" name="id" value=id.to_string() />
                        <label for="assignee">"Assign to"</label>
                        <select id="assignee" name="assignee">
                            <option value="">"Nobody"</option>
                            {staff.iter().map(|s| view! {
                                <option value=s.id.to_string() selected=t.assignee_id == Some(s.id)>{s.email.clone()}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit">"Assign"</button>
                        <FieldError error=assign_error field="assignee" />
                    </ActionForm>
                })}
            </div>
            <div class="work-row" role="group" aria-label="Change status">
                {t.next_statuses.clone().into_iter().map(|s| view! {
                    <ActionForm action=actions.status attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="status" value=s.as_str() />
                        <button type="submit">{format!("Set {}", s.label().to_lowercase())}</button>
                    </ActionForm>
                }).collect_view()}
                {closed.then(|| view! { <p class="hint">"This ticket is closed."</p> })}
            </div>
        </section>

        {(!closed).then(|| view! {
            <section class="panel" aria-labelledby="reply-title">
                <h2 id="reply-title">"Reply or note"</h2>
                <form method="get" action=format!("/tickets/{id}") class="inline canned-pick">
                    <label for="canned-pick">"Saved reply"</label>
                    " "
                    <select id="canned-pick" name="canned">
                        {canned.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.title}</option> }).collect_view()}
                    </select>
                    " "
                    <button type="submit">"Insert"</button>
                    " "
                    <a href="/canned">"Manage saved replies"</a>
                </form>
                <ActionForm action=actions.message>
                    <FormError error=message_error fields=&["body", "visibility", "then_status"] />
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="seen" value=last_message_id.to_string() />
                    <label for="message-body">"Message"</label>
                    <textarea id="message-body" name="body" rows="4" maxlength="10000" aria-describedby="body-error"
                        prop:value=move || actions.draft.get()
                        on:input:target=move |ev| actions.draft.set(ev.target().value())
                        inner_html=textarea_text(&prefill.clone().unwrap_or_default())></textarea>
                    <FieldError error=message_error field="body" />
                    <fieldset class="inline-choices">
                        <legend>"Who sees it"</legend>
                        <label><input type="radio" name="visibility" value="public" checked />" Public reply (the developer sees it)"</label>
                        <label><input type="radio" name="visibility" value="internal" />" Internal note (staff only)"</label>
                    </fieldset>
                    <FieldError error=message_error field="visibility" />
                    <label for="then-status">"Then set status"</label>
                    <select id="then-status" name="then_status">
                        <option value="">"Leave as is"</option>
                        <option value="waiting">"Waiting on developer"</option>
                        <option value="resolved">"Resolved"</option>
                    </select>
                    <FieldError error=message_error field="then_status" />
                    <button type="submit" class="primary">"Send"</button>
                </ActionForm>
            </section>
        })}

        <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            <ol class="timeline">
                {t.timeline.into_iter().map(|e| {
                    let class = format!("entry {}", e.kind);
                    view! {
                        <li class=class>
                            <span class="when">{e.at_local}</span>
                            " · " <span class="who">{e.actor}</span>
                            " · " <strong>{kind_label(&e.kind).to_owned()}</strong>
                            {(!e.detail.is_empty()).then(|| view! { <span>": " {e.detail.clone()}</span> })}
                            {e.body.map(|b| view! { <p class="pre body">{b}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>

        <Details r=t.report staff=true />
    }
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "filed" => "filed",
        "escalated" => "escalated after guidance",
        "assigned" => "assignment",
        "status" => "status",
        "public_reply" => "public reply",
        "internal_note" => "internal note",
        "developer_reply" => "developer reply",
        other => other,
    }
}
